"""Do the other states' courses tell when Italy moved? Italy's later points held out
(docs/calibration_studies.md, "Italy's later points held out").

The calibration is made again on Italy's points up to an origin (``--targets``, a truncated copy of
``italy_tilt.csv``) and every other state's point, later ones included, with the committed
objective, priors and budget; each refit (one per optimiser seed, ``--seeds``; optionally with one
free parameter pinned, ``--pin NAME=VALUE``) and each named parameter set (``--sets``) is then
measured on Italy's committed points after the origin (200 replicates, seed 0). Printed and
written (``--json``) for each: its objective on the points it was fitted to, Italy's RMSE on the
fitted points and on the later ones, Italy's tilt at the origin and at the last point, the USA's
2019-04 point, and the perception memory.

    python scripts/heldout_study.py --sets calibrated heldout_h1
    python scripts/heldout_study.py --seeds 0 1 2 3 4 --pin perception_half_life=9.12
    python scripts/heldout_study.py --scenario studies/campaign_stages --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from profile_study import pinned

from sim.calibrate import build_calibrator, calibration_settings, origin_mask, report_run, set_values
from sim.calibration import Calibrator
from sim.dates import parse_month
from sim.fit import fit_metrics


def measure(cal_own: Calibrator, committed: Calibrator, x: np.ndarray, origin: str,
            replicates: int = 200) -> dict:
    """One parameter vector measured on its own objective and on Italy's committed points.

    Args:
        cal_own: the calibrator of the held-out fit (its objective).
        committed: the committed calibrator (Italy's every coded point).
        x: the free parameters' values, in ``cal_own.free``'s order.
        origin: ``YYYY-MM``; Italy's points after it are the later ones.
        replicates: replicates of the measuring run (seed 0).
    """
    fitted, cutoff = origin_mask(committed, origin)
    later = ~fitted
    result = report_run(cal_own, cal_own.values_as_params(x), replicates=replicates, seed=0)
    italy = result.mean_tilt("ITA")
    model = italy[committed.steps]
    coded = committed.targets["tilt"].to_numpy()
    start = cal_own.scenario.start
    names = [p.name for p in cal_own.free]
    return {
        "objective": float(cal_own.losses(x.reshape(-1, 1))[0]),
        "in_sample_rmse": fit_metrics(model[~later], coded[~later])["rmse"],
        "later_rmse": fit_metrics(model[later], coded[later])["rmse"],
        "italy_at_origin": float(italy[cutoff - start]),
        "italy_last": float(model[-1]),
        "usa_2019_04": float(result.mean_tilt("USA")[parse_month("2019-04") - start]),
        "perception_half_life": float(x[names.index("perception_half_life")]),
        "security_scale": float(x[names.index("scale.security")]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", default="italy_tilt_to_2018_06",
                        help="scenarios/targets/NAME.csv: Italy's points up to the origin")
    parser.add_argument("--origin", default="2018-06")
    parser.add_argument("--scenario", default="libya_2014_2019",
                        help="the scenario fitted and measured on (a study scenario of scenarios/studies/)")
    parser.add_argument("--sets", nargs="+", default=[], metavar="NAME")
    parser.add_argument("--seeds", type=int, nargs="+", default=[], help="refit from these optimiser seeds")
    parser.add_argument("--pin", metavar="NAME=VALUE", help="hold one free parameter at a value")
    parser.add_argument("--json")
    args = parser.parse_args()
    on_scenario = f"calibrate.scenario={args.scenario}"
    settings, base = calibration_settings([f"calibrate.targets={args.targets}", on_scenario])
    if args.pin:
        name, value = args.pin.split("=")
        settings = pinned(settings, name, float(value))
    own = build_calibrator(settings, base)
    committed = build_calibrator(*calibration_settings([on_scenario]))
    rows = []
    jobs = [("set", name) for name in args.sets] + [("seed", seed) for seed in args.seeds]
    for kind, key in jobs:
        started = time.perf_counter()
        if kind == "set":
            x = set_values(own, key)
        else:
            x = own.fit(popsize=settings["popsize"], maxiter=settings["maxiter"], optimizer_seed=key,
                        progress=False)["x"]
        row = {kind: key, "pin": args.pin, **measure(own, committed, x, args.origin),
               "values": dict(zip([p.name for p in own.free], map(float, x), strict=True))}
        rows.append(row)
        print(f"{kind} {key}{' (' + args.pin + ')' if args.pin else ''}: objective {row['objective']:.4f}, "
              f"Italy's RMSE on the fitted points {row['in_sample_rmse']:.3f}, on the later "
              f"{row['later_rmse']:.3f}; Italy {args.origin} {row['italy_at_origin']:+.2f}, last "
              f"{row['italy_last']:+.2f}; USA 2019-04 {row['usa_2019_04']:+.2f}; perception memory "
              f"{row['perception_half_life']:.2f} months, security scale {row['security_scale']:.2f}; "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
