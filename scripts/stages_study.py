"""docs/calibration_studies.md, "The campaigns by their stages": for each parameter set, Italy's
2019-08 tilt, its 2018-06 -> 2019-08 rise and its value gap V(LNA) - V(GNA) on the study scenario
that codes the LNA's Benghazi and Derna campaigns by their dated stages
(scenarios/studies/campaign_stages.yaml), with every event, without each stage, without each
campaign whole and without both campaigns; and the change of each part of the 2019-08 gap when a
campaign is left out. A stage is one event, so the leave-one-out criterion judges stages; the
campaigns left out whole say whether the result still hangs on one campaign. Same seed and
replicates in every run (common random numbers).

    python scripts/stages_study.py stages_s calibrated [--scenario studies/campaign_stages] [--json out.json]
"""

from __future__ import annotations

import argparse
import json

from complement_study import italy_course, moved_parts, part_changes

from sim.ablation import without_events
from sim.params import read_parameter_set
from sim.scenario import load_scenario

#: The stages of each campaign, by event id, in the study scenario.
CAMPAIGNS = {
    "Benghazi": ("lna_takes_benghazi_laithi", "lna_takes_benghazi_ganfouda", "lna_takes_benghazi"),
    "Derna": ("lna_takes_derna", "lna_takes_derna_old_city"),
}


def removals(campaigns: dict[str, tuple[str, ...]]) -> dict[str, set[str]]:
    """The runs to make, by label: every event; each stage alone; each campaign whole; all of them."""
    out: dict[str, set[str]] = {"all events": set()}
    for stages in campaigns.values():
        out.update({f"without {stage}": {stage} for stage in stages})
    out.update({f"without the {name} campaign": set(stages) for name, stages in campaigns.items()})
    out["without both campaigns"] = {stage for stages in campaigns.values() for stage in stages}
    return out


def measure(name: str, scenario_name: str, replicates: int, seed: int = 0) -> dict:
    """Every run of `removals` for the parameter set ``name`` on ``scenario_name``, with each
    run's change of the 2019-08 tilt and of each part of the 2019-08 value gap.

    Args:
        name: a parameter set of configs/params/.
        scenario_name: the scenario, as `sim.scenario.load_scenario` names it.
        replicates: replicates of each run.
        seed: the model's seed (the same in every run).
    """
    scenario = load_scenario(scenario_name)
    params = read_parameter_set(name)
    runs = {label: italy_course(without_events(scenario, ids, label) if ids else scenario,
                                params, replicates, seed)
            for label, ids in removals(CAMPAIGNS).items()}
    base = runs["all events"]
    return {
        "params": name, "scenario": scenario_name, "runs": runs,
        "tilt_changes": {label: run["tilt"] - base["tilt"] for label, run in runs.items()
                         if label != "all events"},
        "gap_part_changes": {label: part_changes(run, base)
                             for label, run in runs.items() if "campaign" in label},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="parameter sets of configs/params/")
    parser.add_argument("--scenario", default="studies/campaign_stages")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    results = [measure(n, args.scenario, args.replicates) for n in args.names]
    for r in results:
        base = r["runs"]["all events"]
        print(f"== {r['params']} on {r['scenario']}: 2019-08 {base['tilt']:+.2f}, rise {base['rise']:+.2f}, "
              f"gap {base['gap_2018_06']:+.2f} -> {base['gap']:+.2f}")
        for label, change in r["tilt_changes"].items():
            run = r["runs"][label]
            print(f"  {label:42s} 2019-08 {run['tilt']:+.2f} ({change:+.2f}), rise {run['rise']:+.2f}, "
                  f"gap {run['gap']:+.2f}")
        for label, changes in r["gap_part_changes"].items():
            print(f"  {label}: change of the 2019-08 gap by part: {moved_parts(changes)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
