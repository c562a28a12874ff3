"""Do the points before a rolling origin say what the forecast needs? A profile of the refit
(docs/calibration_studies.md, "What the points before mid-2018 can tell").

For each value of one free parameter (``--param``, pinned), the other free parameters are refitted
on the points up to the origin (``--until``), exactly as the calibration's rolling-origin refit
(`sim.calibrate.out_of_sample`: same objective, priors and budget, the committed settings of
``configs/calibrate/default.yaml``), from one optimiser seed (0, or ``--optimizer-seed``) where
the calibration keeps the best of its restarts, and Italy's later points are forecast. Printed and written
(``--json``) for each value: the refit's objective on the points up to the origin (the profile: how
much worse the pre-origin points find that value), its in-sample RMSE, the forecast RMSE against
persistence and the linear trend, and the forecast of the last point.

A flat profile with a forecast that changes along it means the points before the origin cannot
tell the value the forecast needs. ``--sets`` measures whole parameter sets of ``configs/params/``
the same way, without refitting: their objective on the points up to the origin (12 replicates,
as in the fit) against their RMSE on Italy's later points (200 replicates), which says whether a
set that would have forecast the later points is one the earlier points rule out.

    python scripts/profile_study.py --param scale.security --values 2 4 6 8 --until 2018-06
    python scripts/profile_study.py --sets calibrated joint_w01 bound_b2 --until 2018-06
    python scripts/profile_study.py --free-too --until 2018-12 --override params.partners_now=1
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np

from sim.calibrate import (
    build_calibrator,
    calibration_settings,
    origin_mask,
    out_of_sample,
    pinned_free,
    report_run,
    set_values,
)
from sim.errors import InputError
from sim.fit import fit_metrics


def pinned(settings: dict, param: str, value: float) -> dict:
    """The calibration settings with the free parameter ``param`` held at ``value``
    (`sim.calibrate.pinned_free`: its range narrowed to the value, its prior still counting)."""
    out = copy.deepcopy(settings)
    try:
        out["free"] = pinned_free(out["free"], {param: value})
    except InputError as exc:
        raise SystemExit(str(exc)) from None
    return out


def profile_point(settings: dict, base: dict, until: str, param: str | None, value: float | None,
                  maxiter: int | None = None) -> dict:
    """One refit on the points up to ``until`` (with ``param`` pinned at ``value``, or every
    parameter free when ``param`` is None) and its forecast.

    Args:
        settings: the calibration settings (``calibrate``).
        base: the parameters the free ones are set on.
        until: the origin, ``YYYY-MM``.
        param: the pinned free parameter's name (``scale.security``), or None.
        value: its value.
        maxiter: generations (None: the committed budget).
    """
    settings = pinned(settings, param, value) if param else copy.deepcopy(settings)
    settings["restarts"] = 1  # one refit per value, from ``optimizer_seed`` (``--optimizer-seed``)
    if maxiter is not None:
        settings["maxiter"] = maxiter
    cal = build_calibrator(settings, base)
    fits = {}

    def run_fit(key: str, *, optimizer_seed: int, until: int | None = None) -> dict:
        fits[key] = cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                            optimizer_seed=optimizer_seed, until=until, progress=False)
        return fits[key]

    entry = out_of_sample(cal, settings, until, run_fit)
    (fit,) = fits.values()
    return {"param": param, "value": value, "until": until, "optimizer_seed": settings["optimizer_seed"],
            "objective": float(fit["objective"]),
            "in_sample_rmse": entry["in_sample"]["rmse"], "rmse": entry["rmse"],
            "persistence_rmse": entry["persistence_rmse"], "trend_rmse": entry["trend_rmse"],
            "last_forecast": entry["forecast"][-1], "parameters": entry["parameters"]}


def measure_sets(settings: dict, base: dict, until: str, names: list[str],
                 replicates: int = 200) -> list[dict]:
    """Each parameter set's objective on the points up to ``until`` (the refit's objective, at the
    calibration's replicates per candidate) and its fit to Italy's points before and after it
    (``replicates``, seed 0).

    Args:
        settings: the calibration settings (``calibrate``).
        base: the parameters the free ones are set on.
        until: the origin, ``YYYY-MM``.
        names: parameter sets of ``configs/params/``.
        replicates: replicates of the runs measuring the fit.
    """
    cal = build_calibrator(settings, base)
    mask, cutoff = origin_mask(cal, until)
    x = np.column_stack([set_values(cal, name) for name in names])
    objective = cal.losses(x, cutoff)
    target = cal.targets["tilt"].to_numpy()
    rows = []
    for j, name in enumerate(names):
        result = report_run(cal, cal.values_as_params(x[:, j]), replicates=replicates, seed=settings["seed"])
        italy = result.mean_tilt(cal.state)[cal.steps]
        rows.append({"params": name, "until": until, "objective": float(objective[j]),
                     "points_up_to_origin": int(mask.sum() + cal.masks(cutoff)[1].sum()),
                     "in_sample_rmse": fit_metrics(italy[mask], target[mask])["rmse"],
                     "later_rmse": fit_metrics(italy[~mask], target[~mask])["rmse"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--param", default="scale.security")
    parser.add_argument("--values", type=float, nargs="+", default=[])
    parser.add_argument("--sets", nargs="+", default=[], metavar="NAME",
                        help="measure these parameter sets on the points before and after the origin")
    parser.add_argument("--until", default="2018-06")
    parser.add_argument("--free-too", action="store_true",
                        help="also refit with every parameter free (the calibration's own refit)")
    parser.add_argument("--maxiter", type=int, default=None, help="generations (default: the committed)")
    parser.add_argument("--optimizer-seed", type=int, default=None,
                        help="differential evolution's seed (default: the committed, 0)")
    parser.add_argument("--override", nargs="+", default=[], metavar="KEY=VALUE",
                        help="Hydra overrides of the calibration settings (params.partners_now=1)")
    parser.add_argument("--json")
    args = parser.parse_args()
    settings, base = calibration_settings(args.override)
    if args.optimizer_seed is not None:
        settings["optimizer_seed"] = args.optimizer_seed
    if args.sets:
        rows = measure_sets(settings, base, args.until, args.sets)
        for row in rows:
            print(f"{row['params']}: objective up to {args.until} {row['objective']:.4f} "
                  f"({row['points_up_to_origin']} points), Italy's RMSE up to it "
                  f"{row['in_sample_rmse']:.3f}, after it {row['later_rmse']:.3f}")
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))
        return
    points = [(args.param, v) for v in args.values] + ([(None, None)] if args.free_too else [])
    rows = []
    for param, value in points:
        started = time.perf_counter()
        row = profile_point(settings, base, args.until, param, value, args.maxiter)
        rows.append(row)
        pinned_text = (f"{param} = {value:g}" if param else "every parameter free") + \
            f" (optimiser seed {settings['optimizer_seed']})"
        print(f"{pinned_text}: objective up to {args.until} {row['objective']:.4f}, in-sample RMSE "
              f"{row['in_sample_rmse']:.3f}, forecast RMSE {row['rmse']:.3f} (persistence "
              f"{row['persistence_rmse']:.3f}, trend {row['trend_rmse']:.3f}), "
              f"{row['last_forecast']['date']} {row['last_forecast']['model']:+.2f} "
              f"(coded {row['last_forecast']['target']:+.2f}); {time.perf_counter() - started:.0f} s",
              flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
