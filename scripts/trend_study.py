"""The trend study's check without refit (docs/calibration_studies.md "Reading the war's trend"): for
parameter sets of configs/params/ and forced trend weights tau (the set's own trend half-life, or
``--half-life``), Italy's RMSE, its 2018-06 -> 2019-08 rise and 2019-08 tilt, the LNA's perceived
momentum at the checked months and the change of Italy's winner part of V(LNA) - V(GNA).

    python scripts/trend_study.py calibrated trend_t1 [--tau 0 1 3 10] [--half-life 24]
"""

from __future__ import annotations

import argparse

import numpy as np
from prior_study import lna_momentum

from sim.dates import format_month
from sim.fit import fit_metrics
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import load_scenario
from sim.targets import load_targets

MONTHS = ("2016-01", "2017-07", "2018-06", "2018-12", "2019-08")


def measure(scenario, params: dict, replicates: int) -> dict:
    """Italy's fit, rise and winner part, and the LNA's momentum, for one parameter set.

    Args:
        scenario: the historical scenario.
        params: a parameter set (plain mapping).
        replicates: replicates of the run (seed 0).
    """
    model = AlignmentModel(scenario, params, replicates=replicates, seed=0, record="full")
    lna = model.war.faction_index["LNA"]
    momentum = []
    while model.running:
        model.step()
        momentum.append(lna_momentum(model.view, lna) or 0.0)  # 0 without the trend reading
    dates = [format_month(scenario.start + t) for t in range(scenario.n_months)]
    ita = list(scenario.state_ids).index("ITA")
    tilt = model.tilt_history[:, :, ita].mean(axis=1)
    targets = load_targets("italy_tilt")
    at = [dates.index(str(d)[:7]) for d in targets["date"]]
    a, b = dates.index("2018-06"), dates.index("2019-08")
    winner = list(model.decomposition_parts).index("winner")
    dec = model.decomposition_history[:, ita]
    return {"rmse": fit_metrics(tilt[at], targets["tilt"].to_numpy())["rmse"],
            "rise": float(tilt[b] - tilt[a]), "final": float(tilt[b]),
            "winner_change": float(dec[b, winner] - dec[a, winner]),
            "total_change": float(np.nansum(dec[b] - dec[a])),
            "momentum": {m: momentum[dates.index(m)] for m in MONTHS}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--tau", type=float, nargs="+", default=[0.0, 1.0, 3.0, 10.0])
    parser.add_argument("--half-life", type=float, default=None)
    parser.add_argument("--replicates", type=int, default=200)
    args = parser.parse_args()
    scenario = load_scenario("libya_2014_2019")
    for name in args.names:
        for tau in args.tau:
            params = {**read_parameter_set(name), "trend_weight": tau}
            if args.half_life is not None:
                params["trend_half_life"] = args.half_life
            r = measure(scenario, params, args.replicates)
            print(f"{name} tau {tau:g} T_trend {params.get('trend_half_life', 24.0):.1f}: "
                  f"RMSE {r['rmse']:.3f}, rise {r['rise']:+.2f}, 2019-08 {r['final']:+.2f}, "
                  f"winner part change {r['winner_change']:+.2f} of {r['total_change']:+.2f}; "
                  "LNA momentum " + " ".join(f"{m} {v:+.3f}" for m, v in r["momentum"].items()))


if __name__ == "__main__":
    main()
