"""How much of a capture's effect on Italy comes through its partners' moves? (docs/calibration_studies.md,
"Why leaving out Benghazi or Derna undoes the rise")

Leaving out the LNA's capture of Benghazi or of Derna undoes Italy's 2018-06 -> 2019-08 rise. The
capture acts on Italy twice: through its own security interest (the counter-terror record it
values) and through its partners and rivals (the rivalry interest), who move on the same record.
This script tells the two apart. For each removal it runs the history without the event twice, at
``--replicates`` replicates with the same seed (common random numbers):

- as every ablation does: every state answers the changed history;
- with Italy's partners held on their course: every other state's support is set back to what it
  was that month in the run with every event (at each level of the month, when states anticipate
  their partners: `course`), so Italy (and the war, through the foreign support that strengthens
  each camp) sees the other states as they were, and only Italy answers the removal.

Run with every event and the partners held on their own course, the model gives the same bytes as
without the hold (checked on every run). The same device splits Italy's rise itself: the history
is run again with every event and the other states frozen, from 2018-06 on, at their support of
that month, so that Italy's 2018-06 -> 2019-08 rise is what its own interests give it.

Printed and written (``--json``): Italy's 2019-08 tilt and its change, its rise from 2018-06, and
the change of each part of its 2019-08 value gap V(LNA) - V(GNA) from the run with every event, in
each run.

    python scripts/partners_held_study.py [--params calibrated] [--replicates 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from complement_study import REMOVALS as COMPLEMENT_REMOVALS
from complement_study import moved_parts

from sim.ablation import without_events
from sim.dates import month_labels, parse_month
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import Scenario, load_scenario

FOCUS = "ITA"
#: complement_study's removals: Benghazi's capture, Derna's, both.
REMOVALS = {label: ids for label, ids in COMPLEMENT_REMOVALS.items() if ids}
RISE_FROM, RISE_TO = "2018-06", "2019-08"


def course(scenario: Scenario, params, replicates: int, seed: int,
           partners: list[list[np.ndarray]] | None = None) -> dict:
    """Run ``scenario``; with ``partners`` (another run's ``levels``), every state but Italy is held
    on that run's supports, level by level.

    A model that anticipates its partners (``anticipation`` k > 0, docs/ODD.md 7.8) answers each
    month in k + 1 levels: level 0 answers last month's supports, level j every state's answer to
    level j - 1, and the month ends at level k. Held, the other states take at every level the
    held run's supports of that level, so Italy anticipates them as they were; with k = 0 they are
    set back after each month.

    Args:
        scenario: the scenario run.
        params: the parameter set (`sim.params.ModelParams`).
        replicates: replicates of the run.
        seed: the model's seed.
        partners: for each month, every state's support at each level, [month][level] -> (S, F, R),
            from another run's ``levels``.

    Returns:
        ``tilt`` (Italy's ensemble-mean tilt each month, (T,)), ``parts`` (each part of Italy's value
        gap each month, name -> (T,)), ``support`` (every state's support each month, (T, S, F, R))
        and ``levels`` (every state's support each month at each level, [month][level] -> (S, F, R)).
    """
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed, record="full")
    focus = list(scenario.state_ids).index(FOCUS)
    others = [s for s in range(len(scenario.state_ids)) if s != focus]
    levels: list[list[np.ndarray]] = []

    def held(support: np.ndarray, month: int, level: int) -> np.ndarray:
        if partners is not None:
            support[others] = partners[month][level][others]
        return support

    if model.anticipation:  # the month just begun is steps - 1 (Mesa counts from 1)
        anticipate, answers = model._anticipate, model._answer_candidates

        def anticipating(previous: np.ndarray) -> None:
            levels.append([held(model.war.support, model.steps - 1, 0).copy()])
            anticipate(previous)

        def answering(current: np.ndarray, previous: np.ndarray, month) -> np.ndarray:
            # the rounds move the candidates' columns; the others keep level 0's at every level
            now, candidates = levels[model.steps - 1], model.view.candidates
            level = model.war.support.copy()
            level[:, candidates] = answers(current, previous, month)
            now.append(held(level, model.steps - 1, len(now)))
            return level[:, candidates]

        model._anticipate, model._answer_candidates = anticipating, answering
    while model.running:
        model.step()
        if not model.anticipation:
            levels.append([held(model.war.support, model.steps - 1, 0).copy()])
    tilt = model.tilt_history[:, :, focus].mean(axis=1)
    decomposition = model.decomposition_history[:, focus, :]
    support = model.support_history.transpose(0, 2, 3, 1).copy()  # (T, S, F, R), as war.support
    out = {"tilt": tilt, "support": support, "levels": levels,
           "parts": {name: decomposition[:, k] for k, name in enumerate(model.decomposition_parts)}}
    model.release()
    return out


def measure(params_name: str, replicates: int, seed: int = 0) -> dict:
    """Every removal of `REMOVALS`, answered by every state and by Italy alone."""
    history = load_scenario("libya_2014_2019")
    params = read_parameter_set(params_name)
    a, b = (parse_month(m) - history.start for m in (RISE_FROM, RISE_TO))
    base = course(history, params, replicates, seed)
    held_base = course(history, params, replicates, seed, partners=base["levels"])
    same_bytes = bool(np.array_equal(held_base["support"], base["support"]))

    def summary(run: dict) -> dict:
        return {"monthly": [float(v) for v in run["tilt"]],
                "tilt": float(run["tilt"][b]), "rise": float(run["tilt"][b] - run["tilt"][a]),
                "change": float(run["tilt"][b] - base["tilt"][b]),
                "gap_part_changes": {k: float(v[b] - base["parts"][k][b]) for k, v in run["parts"].items()}}

    frozen = base["levels"][: a + 1] + [base["levels"][a]] * (len(base["levels"]) - a - 1)
    out = {"params": params_name, "replicates": replicates, "seed": seed,
           "months": month_labels(history.start, history.start + len(base["tilt"]) - 1),
           "hold_reproduces_the_run": same_bytes, "all events": summary(base),
           f"partners frozen from {RISE_FROM}": summary(course(history, params, replicates, seed,
                                                               partners=frozen)),
           "removals": {}}
    for label, ids in REMOVALS.items():
        scenario = without_events(history, ids, label)
        out["removals"][label] = {
            "every state answers": summary(course(scenario, params, replicates, seed)),
            "partners held": summary(course(scenario, params, replicates, seed, partners=base["levels"])),
        }
    return out


def figure(out: dict, path: str) -> None:
    """Italy's tilt in each run of ``out``: with every event, with the partners frozen from 2018-06,
    and without each capture, every state answering (solid) and the partners held (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    months = np.array(out["months"], dtype="datetime64[M]")
    fig, ax = plt.subplots(figsize=(10, 6), constrained_layout=True)
    ax.plot(months, out["all events"]["monthly"], color="black", lw=2, label="every event")
    ax.plot(months, out[f"partners frozen from {RISE_FROM}"]["monthly"], color="grey", lw=2, ls=":",
            label=f"every event, the other states frozen from {RISE_FROM}")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (label, runs), colour in zip(out["removals"].items(), colours, strict=False):
        ax.plot(months, runs["every state answers"]["monthly"], color=colour, label=f"{label}")
        ax.plot(months, runs["partners held"]["monthly"], color=colour, ls="--",
                label=f"{label}, the other states held on their course")
    ax.axhline(0, color="black", lw=0.5)
    ax.axvspan(np.datetime64(RISE_FROM), np.datetime64(RISE_TO), color="0.9", zorder=0)
    ax.set_ylabel("Italy's tilt (LNA - Tripoli side), ensemble mean")
    ax.set_title(f"Italy's tilt: what its partners add ({out['params']}, {out['replicates']} replicates; "
                 f"shaded: the rise {RISE_FROM} to {RISE_TO})", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="calibrated", help="a parameter set of configs/params/")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json")
    parser.add_argument("--figure", help="draw Italy's tilt in every run to this PNG")
    args = parser.parse_args()
    out = measure(args.params, args.replicates, args.seed)
    if args.figure:
        figure(out, args.figure)
    base = out["all events"]
    print(f"{args.params}: Italy 2019-08 {base['tilt']:+.2f}, rise {base['rise']:+.2f}; the hold "
          f"reproduces the run bit for bit: {out['hold_reproduces_the_run']}")
    frozen = out[f"partners frozen from {RISE_FROM}"]
    print(f"  every event, the partners frozen from {RISE_FROM}: 2019-08 {frozen['tilt']:+.2f}, rise "
          f"{frozen['rise']:+.2f}; 2019-08 gap change by part: {moved_parts(frozen['gap_part_changes'])}")
    for label, runs in out["removals"].items():
        for how, run in runs.items():
            print(f"  {label:17s} {how:20s} 2019-08 {run['tilt']:+.2f} (change {run['change']:+.2f}), "
                  f"rise {run['rise']:+.2f}; gap change by part: {moved_parts(run['gap_part_changes'])}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
