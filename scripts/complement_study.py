"""Why no single event may be left out (docs/calibration_studies.md, "Why leaving out Benghazi or Derna
undoes the rise"): for each parameter set of configs/params/, Italy's 2019-08 tilt, its
2018-06 -> 2019-08 rise and its value gap V(LNA) - V(GNA) in 2019-08 (the sum of the
decomposition's parts, ensemble mean, value units) with every event, without the LNA's capture of
Benghazi, without its capture of Derna, and without both; and the interaction of the two removals
(the effect of removing both minus the sum of the two single effects), on the tilt and on the
value gap; the change of each part of the 2019-08 gap (security, rivalry: the partners and rivals,
...) when each capture is left out, so that what a capture does through Italy's own valuation of
the record and what it does through its partners' moves can be told apart; and the USA's tilt in
2018-06 and 2019-08 in each run. Same seed and replicates in every run (common random numbers).

    python scripts/complement_study.py calibrated prior_v1 trend_t1 [--replicates 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json

from sim.ablation import without_events
from sim.dates import parse_month
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import load_scenario

#: The two events whose single removal moves Italy's 2019-08 tilt most in every fitted set.
PAIR = ("lna_takes_benghazi", "lna_takes_derna")
REMOVALS = {"all events": set(), "without Benghazi": {PAIR[0]}, "without Derna": {PAIR[1]},
            "without both": set(PAIR)}


def moved_parts(changes: dict[str, float]) -> str:
    """``security -3.70, rivalry -2.12``: the parts of a value gap that moved (by 0.005 or more)."""
    return ", ".join(f"{part} {change:+.2f}" for part, change in changes.items() if abs(change) >= 0.005)


def part_changes(run: dict, base: dict) -> dict[str, float]:
    """Each part of ``run``'s 2019-08 value gap minus the same part in ``base`` (`italy_course` results)."""
    return {part: run["gap_parts"][part] - base["gap_parts"][part] for part in base["gap_parts"]}


def italy_course(scenario, params, replicates: int, seed: int) -> dict[str, float]:
    """Italy's mean tilt in 2019-08, its rise from 2018-06, its value gap in 2018-06 and 2019-08
    (sum of the decomposition's parts), and the USA's mean tilt in 2018-06 and 2019-08 (its move
    drives the rivalry part of Italy's gap); ensemble means, for one scenario.

    Args:
        scenario: the scenario to run.
        params: the parameter set (`sim.params.ModelParams`).
        replicates: replicates of the run.
        seed: the model's seed.
    """
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed, record="full")
    model.run_model()
    ita = list(scenario.state_ids).index("ITA")
    usa = list(scenario.state_ids).index("USA")
    final = parse_month("2019-08") - scenario.start
    start = parse_month("2018-06") - scenario.start
    tilt = model.tilt_history[:, :, ita].mean(axis=1)
    usa_tilt = model.tilt_history[:, :, usa].mean(axis=1)
    parts = model.decomposition_history[:, ita, :]
    gap = parts.sum(axis=1)
    by_part = {name: float(parts[final, k]) for k, name in enumerate(model.decomposition_parts)}
    model.release()
    return {"tilt": float(tilt[final]), "rise": float(tilt[final] - tilt[start]),
            "gap_2018_06": float(gap[start]), "gap": float(gap[final]), "gap_parts": by_part,
            "usa_tilt_2018_06": float(usa_tilt[start]), "usa_tilt": float(usa_tilt[final])}


def measure(name: str, replicates: int, seed: int = 0) -> dict:
    """The four runs and the interactions for the parameter set ``name``."""
    history = load_scenario("libya_2014_2019")
    params = read_parameter_set(name)
    runs = {label: italy_course(without_events(history, ids, label) if ids else history,
                                params, replicates, seed)
            for label, ids in REMOVALS.items()}
    base = runs["all events"]

    def effect(label: str, key: str) -> float:
        return runs[label][key] - base[key]

    out = {"params": name, "runs": runs,
           "gap_part_changes": {label: part_changes(run, base)
                                for label, run in runs.items() if label != "all events"}}
    for key in ("tilt", "gap"):
        single = effect("without Benghazi", key) + effect("without Derna", key)
        out[f"interaction_{key}"] = effect("without both", key) - single
        out[f"sum_of_single_{key}"] = single
        out[f"both_{key}"] = effect("without both", key)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--json")
    args = parser.parse_args()
    results = [measure(n, args.replicates) for n in args.names]
    for r in results:
        print(f"== {r['params']}")
        for label, run in r["runs"].items():
            print(f"  {label:17s} tilt {run['tilt']:+.2f} rise {run['rise']:+.2f} "
                  f"gap 2018-06 {run['gap_2018_06']:+.2f} 2019-08 {run['gap']:+.2f} "
                  f"USA {run['usa_tilt_2018_06']:+.2f} -> {run['usa_tilt']:+.2f}")
        for label, changes in r["gap_part_changes"].items():
            print(f"  {label}: change of the 2019-08 gap by part: {moved_parts(changes)}")
        print(f"  tilt: both {r['both_tilt']:+.2f}, sum of single {r['sum_of_single_tilt']:+.2f}, "
              f"interaction {r['interaction_tilt']:+.2f}; gap: both {r['both_gap']:+.2f}, "
              f"sum of single {r['sum_of_single_gap']:+.2f}, interaction {r['interaction_gap']:+.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
