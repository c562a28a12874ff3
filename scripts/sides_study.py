"""What holds each other state on its documented side (docs/calibration.md, "The other states'
sides: what holds them").

The calibration checks that France, the UAE, Egypt and Russia back the LNA, and Turkey and Qatar
the Tripoli side, over the windows of ``calibrate.patterns``. This script measures, for each such
state, with a parameter set (by default the committed one), at ``--replicates`` (seed 0):

- its mean tilt over its window, in the scenario as it is;
- the parts of its value gap V(LNA) - V(Tripoli side) by interest, averaged over the window
  (ensemble mean; ``rivalry`` is its partners' and rivals' pull);
- its mean tilt over the window with each of its own relations set to 0 (its partners and rivals
  no longer pull it), and with every relation of the scenario set to 0.

    python scripts/sides_study.py                       # the committed parameters
    python scripts/sides_study.py --params trend_t1 --json /tmp/sides.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from sim.calibrate import calibration_settings, parse_patterns
from sim.config import plain
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import Scenario, load_scenario
from sim.scenario.estimates import with_values


def relation_paths(scenario: Scenario, state: str | None = None) -> dict[str, float]:
    """Every relation's value path (those of ``state`` only, when given) -> 0."""
    return {f"relations.{r.a}-{r.b}.value": 0.0 for r in scenario.relations
            if state is None or state in (r.a, r.b)}


def run(scenario: Scenario, params: dict, replicates: int) -> AlignmentModel:
    model = AlignmentModel(scenario, params, replicates=replicates, seed=0, record="full")
    model.run()
    return model


def sides(scenario: Scenario, params: dict, patterns: list[dict], replicates: int) -> list[dict]:
    """One row per documented side: the window's mean tilt as it is, without the state's own
    relations and without any relation, and its value gap's parts averaged over the window."""
    parsed = parse_patterns(patterns, scenario)
    states = list(scenario.state_ids)
    base = run(scenario, params, replicates)
    bare = run(with_values(scenario, relation_paths(scenario)), params, replicates)
    rows = []
    for side in parsed:
        k, window = states.index(side.state), slice(side.start, side.end + 1)
        alone = run(with_values(scenario, relation_paths(scenario, side.state)), params, replicates)
        gap = base.decomposition_history[window, k, :]
        rows.append({
            "state": side.state, "sign": side.sign,
            "window": [scenario.month_label(side.start), scenario.month_label(side.end)],
            "mean_tilt": float(base.tilt_history[window, :, k].mean()),
            "without_its_relations": float(alone.tilt_history[window, :, k].mean()),
            "without_any_relation": float(bare.tilt_history[window, :, k].mean()),
            "parts": {name: float(np.nanmean(gap[:, j])) for j, name in enumerate(base.decomposition_parts)},
        })
        alone.release()
    base.release()
    bare.release()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default="calibrated", help="configs/params/NAME.yaml")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    args = parser.parse_args()
    started = time.perf_counter()
    settings, _ = calibration_settings()
    scenario = load_scenario(settings["scenario"])
    params = plain(read_parameter_set(args.params))
    rows = sides(scenario, params, settings["patterns"], args.replicates)
    parts = [p for p in rows[0]["parts"] if any(abs(r["parts"][p]) > 1e-9 for r in rows)]
    print("| state | side | window | mean tilt | without its relations | without any relation | "
          + " | ".join(parts) + " |")
    print("|---|---|---|---:|---:|---:|" + "---:|" * len(parts))
    for r in rows:
        side = "LNA" if r["sign"] > 0 else "Tripoli"
        tilts = (r["mean_tilt"], r["without_its_relations"], r["without_any_relation"])
        cells = [r["state"], side, "..".join(r["window"]), *(f"{v:+.2f}" for v in tilts),
                 *(f"{r['parts'][p]:+.2f}" for p in parts)]
        print("| " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps({"params": args.params, "replicates": args.replicates, "rows": rows},
                                        indent=2), encoding="utf-8")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
