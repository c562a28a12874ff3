"""Measures for the prior study (docs/calibration_studies.md "Priors on the war
dynamics"): for a parameter set of configs/params/, the LNA's and the GNA's chance of prevailing
(not perceived, `MonthView.chance`; and Italy's perceived prospects part) over time, Italy's tilt at
the checked months, the LNA's perceived momentum when states read the war's trend
(``trend_weight`` > 0; docs/calibration_studies.md "Reading the war's trend"), and the 2018-06 -> 2019-08
change of each interest's part of Italy's V(LNA) - V(GNA) (the decomposition, ensemble mean).

    python scripts/prior_study.py calibrated prior_v1 [--replicates 200] [--json out.json]
    python scripts/prior_study.py capital_c1 --scenario studies/gharyan_approach
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from sim.dates import format_month
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import load_scenario

MONTHS = ("2014-09", "2016-01", "2017-06", "2018-06", "2019-01", "2019-04", "2019-08")


def lna_momentum(view, lna: int) -> float | None:
    """The LNA's perceived momentum this month (ensemble mean; None without the trend reading or
    when the LNA cannot be backed).

    Args:
        view: the month's `sim.month.MonthView`.
        lna: the LNA's faction index.
    """
    at = np.flatnonzero(view.candidates == lna)
    if view.perceived.momentum is None or at.size == 0:
        return None
    return float(view.perceived.momentum[at[0]].mean())


def measure(name: str, replicates: int, seed: int = 0, scenario_name: str = "libya_2014_2019") -> dict:
    scenario = load_scenario(scenario_name)
    params = read_parameter_set(name)
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed, record="full")
    lna, gna = model.war.faction_index["LNA"], model.war.faction_index["GNA"]
    chance = {"LNA": [], "GNA": []}
    momentum = []
    while model.running:
        model.step()
        chance["LNA"].append(float(model.view.chance[lna].mean()))
        chance["GNA"].append(float(model.view.chance[gna].mean()))
        momentum.append(lna_momentum(model.view, lna))
    start = scenario.start
    dates = [format_month(start + t) for t in range(scenario.n_months)]
    ita = list(scenario.state_ids).index("ITA")
    tilt = model.tilt_history[:, :, ita].mean(axis=1)
    dec = model.decomposition_history  # (T, S, parts)
    parts = list(model.decomposition_parts)
    a, b = dates.index("2018-06"), dates.index("2019-08")
    change = {p: float(dec[b, ita, k] - dec[a, ita, k]) for k, p in enumerate(parts)}
    level = {m: {p: float(dec[dates.index(m), ita, k]) for k, p in enumerate(parts)}
             for m in ("2018-06", "2019-08")}
    total = sum(change.values())
    out = {
        "params": name,
        "chance_LNA": {m: chance["LNA"][dates.index(m)] for m in MONTHS},
        "chance_GNA": {m: chance["GNA"][dates.index(m)] for m in MONTHS},
        "chance_LNA_by_month": dict(zip(dates, chance["LNA"], strict=True)),
        "momentum_LNA": {m: momentum[dates.index(m)] for m in MONTHS},
        "momentum_LNA_by_month": dict(zip(dates, momentum, strict=True)),
        "tilt_ITA": {m: float(tilt[dates.index(m)]) for m in MONTHS},
        "rise_ITA": float(tilt[b] - tilt[a]),
        "value_gap_change_by_interest": change,
        "value_gap_change_total": total,
        "value_gap_share_by_interest": {p: (v / total if total else float("nan")) for p, v in change.items()},
        "value_gap_parts": level,
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--json")
    parser.add_argument("--scenario", default="libya_2014_2019",
                        help="the scenario run (scenarios/NAME.yaml; default: the history)")
    args = parser.parse_args()
    results = [measure(n, args.replicates, scenario_name=args.scenario) for n in args.names]
    for r in results:
        print(f"== {r['params']}: rise {r['rise_ITA']:+.3f}")
        print("  LNA chance", {k: round(v, 3) for k, v in r["chance_LNA"].items()})
        print("  GNA chance", {k: round(v, 3) for k, v in r["chance_GNA"].items()})
        if r["momentum_LNA"]["2019-08"] is not None:
            print("  LNA momentum", {k: round(v, 3) for k, v in r["momentum_LNA"].items() if v is not None})
        print("  ITA tilt  ", {k: round(v, 3) for k, v in r["tilt_ITA"].items()})
        print("  dV 18-06->19-08", {k: round(v, 2) for k, v in r["value_gap_change_by_interest"].items()},
              f"total {r['value_gap_change_total']:+.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
