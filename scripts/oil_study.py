"""docs/calibration_studies.md, "Oil given weight": for each parameter set, Italy's mean
tilt and the oil part of its value gap V(LNA) - V(GNA) month by month (ensemble means), the oil
part's level while Italy backed the Presidential Council (2016-04 .. 2018-05) and its change over
the rise (2018-06 -> 2019-08) against the whole gap's; and the study's figure: Italy's course
against its coded points (left) and its oil part (right) under each set, the rise shaded and the
oil events that move the part marked. ``--part migration`` measures the migration part instead
(docs/calibration_studies.md, "Migration given weight"; no figure).

    python scripts/oil_study.py calibrated oil_o2 oil_o4 oil_o8 oil_f0 oil_o2f0 oil_o4f0 oil_o8f0 [--json F]
    python scripts/oil_study.py calibrated oil_o4 oil_o8 oil_f0 oil_o4f0 oil_o8f0 \
        --figure docs/figures/oil_weight.png
    python scripts/oil_study.py calibrated migration_m2 migration_m4 migration_m8 --part migration
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sim.dates import format_month
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.plotting.style import TARGET_COLOUR, format_time_axis, months
from sim.scenario import load_scenario
from sim.targets import load_targets

#: The window over which Italy backed the Presidential Council (the coded points -0.7 to -0.9),
#: and the rise the shape check measures.
BACKING = ("2016-04", "2018-05")
RISE = ("2018-06", "2019-08")
#: Oil events marked on the figure, by id, with their short labels.
MARKED = {
    "lna_seizes_oil_crescent": "the LNA seizes the Oil Crescent (2016-09)",
    "lna_hands_ports_to_eastern_noc": "it hands the ports to the eastern NOC (2018-06)",
    "lna_returns_ports_to_tripoli_noc": "and back to Tripoli's NOC (2018-07)",
    "lna_takes_el_feel": "it takes ENI's El Feel (2019-02)",
}
#: Paul Tol's "bright" scheme, one colour per set (colour-blind safe).
COLOURS = ("#000000", "#4477AA", "#228833", "#EE6677", "#CCBB44", "#AA3377")


def measure(name: str, replicates: int = 200, seed: int = 0, state: str = "ITA", part: str = "oil") -> dict:
    """Italy's course and one part of its value gap under the parameter set ``name``.

    Args:
        name: a parameter set of ``configs/params/``.
        replicates: replicates of the ensemble.
        seed: the model's seed.
        state: the state measured (id).
        part: the interest whose part of the gap is measured (``oil``; ``migration`` for
            docs/calibration_studies.md, "Migration given weight").
    """
    scenario = load_scenario("libya_2014_2019")
    params = read_parameter_set(name)
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed, record="full")
    model.run_model()
    dates = [format_month(scenario.start + t) for t in range(scenario.n_months)]
    at = list(scenario.state_ids).index(state)
    parts = list(model.decomposition_parts)
    gap = np.asarray(model.decomposition_history)[:, at, :]  # (months, parts): ensemble means
    values = gap[:, parts.index(part)]
    total = gap.sum(axis=1)
    a, b = dates.index(BACKING[0]), dates.index(BACKING[1])
    r0, r1 = dates.index(RISE[0]), dates.index(RISE[1])
    return {
        "params": name, "part": part, "scale": float(params["interest_scales"][part]),
        "oil_foresight": float(params["oil_foresight"]),
        "dates": dates,
        "tilt": model.tilt_history[:, :, at].mean(axis=1).tolist(),
        "part_values": values.tolist(),
        "while_backing": {"min": float(values[a:b + 1].min()), "max": float(values[a:b + 1].max()),
                          "mean": float(values[a:b + 1].mean())},
        "change_over_rise": float(values[r1] - values[r0]),
        "gap_change_over_rise": float(total[r1] - total[r0]),
        "share_of_rise": float((values[r1] - values[r0]) / (total[r1] - total[r0])),
        "rise": float(model.tilt_history[r1, :, at].mean() - model.tilt_history[r0, :, at].mean()),
    }


def draw(results: list[dict], out: Path) -> None:
    """The study's figure (described in docs/calibration_studies.md), of Italy.

    Args:
        results: `measure`'s output for each set (Italy's), the committed one first.
        out: the PNG written.

    Raises:
        ValueError: more sets than the figure has colours, or a part other than oil measured.
    """
    if len(results) > len(COLOURS):
        raise ValueError(f"the figure draws at most {len(COLOURS)} sets, got {len(results)}")
    if any(r["part"] != "oil" for r in results):
        raise ValueError("the figure draws the oil part: measure(..., part='oil')")
    scenario = load_scenario("libya_2014_2019")
    targets = load_targets("italy_tilt")
    x = months(results[0]["dates"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.6), sharex=True)
    rise = months(RISE)
    for ax in (left, right):
        ax.axvspan(*rise, color="#EEEEEE", zorder=0)
        ax.axhline(0, color="grey", lw=0.6)
    for colour, r in zip(COLOURS, results, strict=False):  # checked: no more sets than colours
        label = f"{r['params']} (oil scale {r['scale']:.2g}, foresight {r['oil_foresight']:.2f})"
        style = "--" if r["oil_foresight"] < 1e-3 else "-"  # dashed: oil valued as held, none by prospects
        left.plot(x, r["tilt"], color=colour, lw=1.6, ls=style, label=label)
        right.plot(x, r["part_values"], color=colour, lw=1.6, ls=style)
    left.errorbar(months(targets["date"]), targets["tilt"], yerr=targets["sigma"], fmt="o",
                  color=TARGET_COLOUR, ms=4, capsize=2, label="coded from the source article", zorder=5)
    events = {e.id: e for e in scenario.events}
    for number, event_id in enumerate(MARKED, start=1):
        when = months([format_month(events[event_id].month)])[0]
        right.axvline(when, color="grey", ls=":", lw=0.8)
        # staggered, so that the June and July 2018 numbers do not overlap
        right.annotate(str(number), (when, 0.98 - 0.05 * (number % 2 == 0)),
                       xycoords=("data", "axes fraction"), ha="center", va="top", fontsize=8)
    left.set_ylabel("Italy's mean tilt (−1 the Tripoli side, +1 the LNA)")
    left.set_ylim(-1.05, 1.05)
    right.set_ylabel("oil part of Italy's V(LNA) − V(GNA)")
    left.set_title("Italy's course, each set fitted with its oil scale", fontsize=10)
    right.set_title("the oil part of Italy's value gap (the rise shaded)", fontsize=10)
    right.text(0.01, 0.01, "\n".join(f"{n}: {label}" for n, label in enumerate(MARKED.values(), start=1)),
               transform=right.transAxes, fontsize=7, va="bottom")
    left.legend(fontsize=7, loc="upper left")
    for ax in (left, right):
        format_time_axis(ax)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+", help="parameter sets of configs/params/, the committed first")
    parser.add_argument("--part", default="oil", choices=("oil", "migration"),
                        help="the interest whose part of Italy's value gap is measured")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--figure", help="the oil figure (PNG; --part oil)")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.figure and (len(args.names) > len(COLOURS) or args.part != "oil"):
        parser.error(f"--figure draws the oil part of at most {len(COLOURS)} sets")
    results = [measure(name, args.replicates, part=args.part) for name in args.names]
    for r in results:
        backing = r["while_backing"]
        print(f"{r['params']}: {r['part']} scale {r['scale']:.2f}, oil foresight {r['oil_foresight']:.2f}; "
              f"{r['part']} part {BACKING[0]}..{BACKING[1]} {backing['min']:+.2f} to {backing['max']:+.2f} "
              f"(mean {backing['mean']:+.2f}); over the rise {r['change_over_rise']:+.2f} of "
              f"{r['gap_change_over_rise']:+.2f} ({100 * r['share_of_rise']:.0f} %); "
              f"tilt rise {r['rise']:+.2f}")
    if args.figure:
        draw(results, Path(args.figure))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
