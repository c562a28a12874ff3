"""The Fezzan-transit study's check without refit (docs/calibration_studies.md "The Fezzan as Europe's
southern border"): for parameter sets of configs/params/ and forced migration scales, Italy's RMSE,
its 2018-06 -> 2019-08 rise and tilt, and the migration part of its value gap V(LNA) - V(GNA),
with FEZZAN marked as the migrants' transit route (scenarios/studies/fezzan_transit.yaml, the
default ``--scenario``) and with every `transit_share` set to 0 (the history).

    python scripts/transit_study.py calibrated transit_f1 [--migration-scale 2 4] [--replicates 200]
"""

from __future__ import annotations

import argparse

from approach_study import italy_mean_tilt, italy_rmse, without

from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import load_scenario

MONTHS = ("2018-06", "2019-01", "2019-04", "2019-08")


def measure(scenario, params: dict, replicates: int) -> dict:
    """Italy's RMSE against its coded points, its mean tilt in ``MONTHS`` and the migration part
    of its value gap in those months (ensemble means of ``replicates`` runs, seed 0)."""
    model = AlignmentModel(scenario, params, replicates=replicates, seed=0, record="full")
    model.run_model()
    dates, tilt = italy_mean_tilt(model, scenario)
    migration = model.decomposition_history[:, list(scenario.state_ids).index("ITA"),
                                            list(model.decomposition_parts).index("migration")]
    return {"rmse": italy_rmse(tilt, dates),
            "tilt": {m: float(tilt[dates.index(m)]) for m in MONTHS},
            "migration": {m: float(migration[dates.index(m)]) for m in MONTHS}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", nargs="+")
    parser.add_argument("--migration-scale", type=float, nargs="*", default=[],
                        help="also run with the migration scale forced to each of these")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--scenario", default="studies/fezzan_transit",
                        help="the scenario with the transit marked (scenarios/NAME.yaml)")
    args = parser.parse_args()
    marked = load_scenario(args.scenario)
    unmarked = without(marked, "transit_share")
    for name in args.params:
        for scale in [None, *args.migration_scale]:
            for label, scenario in (("no transit", unmarked), ("transit", marked)):
                params = read_parameter_set(name)
                if scale is not None:
                    params["interest_scales"] = {**params["interest_scales"], "migration": scale}
                out = measure(scenario, params, args.replicates)
                t, g = out["tilt"], out["migration"]
                print(f"{name:11s} migration scale {params['interest_scales']['migration']:.2f} "
                      f"{label:10s} RMSE {out['rmse']:.3f} rise {t['2019-08'] - t['2018-06']:+.2f} "
                      f"tilt {'/'.join(MONTHS)} " + "/".join(f"{t[m]:+.2f}" for m in MONTHS)
                      + f"; migration part {'/'.join(MONTHS)} " + "/".join(f"{g[m]:+.2f}" for m in MONTHS))


if __name__ == "__main__":
    main()
