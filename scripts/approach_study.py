"""The capital-approach study's check without refit (docs/calibration_studies.md "Approaches to the
capital"): for parameter sets of configs/params/ and forced capital weights omega, Italy's RMSE,
its 2018-06 -> 2019-08 rise and tilt, and the LNA's chance of prevailing (`MonthView.chance`),
with GHARYAN marked as an approach (scenarios/studies/gharyan_approach.yaml, the default
``--scenario``) and with every `approach` set to 0 (the history).

    python scripts/approach_study.py calibrated capital_c1 [--omega 0.3 0.6] [--replicates 200]
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from sim.dates import format_month
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import load_scenario
from sim.targets import load_targets

MONTHS = ("2018-06", "2019-04", "2019-06", "2019-08")


def without(scenario, field: str):
    """``scenario`` with the asset field ``field`` (``approach``, ``transit_share``) set to 0 on
    every asset: the history, for a study scenario that only marks assets."""
    return dataclasses.replace(
        scenario, assets=tuple(dataclasses.replace(a, **{field: 0.0}) for a in scenario.assets))


def italy_rmse(tilt, dates: list[str]) -> float:
    """RMSE of Italy's mean tilt per month ``tilt`` (over ``dates``, YYYY-MM) against its coded
    points (scenarios/targets/italy_tilt.csv)."""
    targets = load_targets("italy_tilt")
    errors = [tilt[dates.index(str(d)[:7])] - v
              for d, v in zip(targets["date"], targets["tilt"], strict=True)]
    return float(np.sqrt(np.mean(np.square(errors))))


def italy_mean_tilt(model: AlignmentModel, scenario) -> tuple[list[str], np.ndarray]:
    """The months (YYYY-MM) of a finished run and Italy's ensemble-mean tilt in each."""
    dates = [format_month(scenario.start + t) for t in range(scenario.n_months)]
    return dates, model.tilt_history[:, :, list(scenario.state_ids).index("ITA")].mean(axis=1)


def measure(scenario, params: dict, replicates: int) -> dict:
    model = AlignmentModel(scenario, params, replicates=replicates, seed=0, record="full")
    lna = model.war.faction_index["LNA"]
    chance = []
    while model.running:
        model.step()
        chance.append(float(model.view.chance[lna].mean()))
    dates, tilt = italy_mean_tilt(model, scenario)
    return {"rmse": italy_rmse(tilt, dates),
            "tilt": {m: float(tilt[dates.index(m)]) for m in MONTHS},
            "chance": {m: chance[dates.index(m)] for m in MONTHS}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", nargs="+")
    parser.add_argument("--omega", type=float, nargs="*", default=[0.3, 0.6])
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--scenario", default="studies/gharyan_approach",
                        help="the scenario with the approaches marked (scenarios/NAME.yaml)")
    args = parser.parse_args()
    marked = load_scenario(args.scenario)
    unmarked = without(marked, "approach")
    for name in args.params:
        for omega in [None, *args.omega]:
            for label, scenario in (("no approach", unmarked), ("approaches", marked)):
                params = read_parameter_set(name)
                if omega is not None:
                    params["capital_weight"] = omega
                out = measure(scenario, params, args.replicates)
                t, c = out["tilt"], out["chance"]
                print(f"{name:11s} omega {params['capital_weight']:.3f} {label:11s} RMSE {out['rmse']:.3f} "
                      f"rise {t['2019-08'] - t['2018-06']:+.2f} tilt {'/'.join(MONTHS[1:])} "
                      + "/".join(f"{t[m]:+.2f}" for m in MONTHS[1:])
                      + f"; LNA chance {'/'.join(MONTHS)} " + "/".join(f"{c[m]:.2f}" for m in MONTHS))


if __name__ == "__main__":
    main()
