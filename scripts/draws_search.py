"""Can any parameter set hold Italy's shape over the estimates' joint draws? (docs/calibration_studies.md,
"Parameters searched for the draws").

Issue 8 asks that each shape criterion hold in at least 90 % of joint draws of the scenario's
estimates, at the calibration's parameters. The committed calibration fits the coded points at the
file's values and meets it for six criteria of ten. This script asks whether any parameter set, within
the calibration's search ranges, meets it, and at what cost in fit: it searches the committed
calibration's free parameters by scipy's differential evolution (the whole population in one batched
run per scenario, common random numbers) for the smallest total shortfall over ``--draws`` joint
Latin-hypercube draws of every estimate (seed ``--draw-seed``; `python -m sim.robustness` draws with
seed 0, and seed 1 for fresh draws, so the search's draws are neither):

- for each shape check (Italy's 2016-17 mean <= -0.6, rise 2018-06 -> 2019-08 >= 0.4, 2019-08 <=
  +0.5) and each documented side of the other states (its mean tilt over its window on its side),
  the check's margin in each draw (how far inside it the draw lies, in tilt units), and
- the shortfall: the sum over the checks of max(0, -q), q the ``--quantile`` (0.1) quantile of the
  check's margins over the draws (numpy's, interpolated between the order statistics), which is 0
  when about 90 % of the draws hold each check: on 64 draws, q >= 0 when at most 6 fail it, and
  with 7 only if the seventh fails narrowly;

plus, with ``--rmse-at-most``, ``--rmse-weight`` (1) x Italy's in-sample RMSE on the history (the
file's values) above it (a large weight makes it a constraint; with ``--rmse-from``, on Italy's
points from that month only), and ``--fit-weight`` w x the calibration objective on the history.
The set found is judged afterwards by ``python -m sim.robustness params=NAME`` (256 other draws,
200 replicates, every criterion). With ``--local WIDTH`` the evolution searches only within
``--x0`` +- WIDTH x each parameter's range (`feasibility_study.box_around`), near a set it does not
improve over the whole ranges. With ``--settings`` (Hydra overrides of configs/calibration.yaml) it
searches another calibration's free parameters: ``--settings calibrate=counterpart`` adds
``migration_counterpart`` ("The coast through a recognised counterpart"). With
``calibrate.leave_one_out`` in ``--settings`` it holds those events too, as the calibration does
(``--hold-weight`` x each one's change beyond ``calibrate.leave_one_out_limit``); with ``--until
YYYY-MM`` it searches from that rolling origin, on the points and checks up to it, and reports
Italy's forecast of its later points ("A calibration that holds the draws").

    python scripts/draws_search.py --json out.json --write-params configs/params/draws_a.yaml
    python scripts/draws_search.py --rmse-at-most 0.12 --json out.json
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time

import numpy as np
import pandas as pd
from feasibility_study import box_around, check_months, evolve, focus_rmse

from sim.calibrate import SETTINGS_HELP, build_calibrator, calibrated_yaml, calibration_settings, set_values
from sim.calibration import Calibrator, apply_values
from sim.dates import format_month, parse_month
from sim.model import DEFAULT_SCENARIO
from sim.robustness import joint_values
from sim.scenario import Scenario
from sim.scenario.estimates import with_values


def joint_draws(scenario: Scenario, n: int, seed: int) -> list[Scenario]:
    """``n`` joint Latin-hypercube draws of every estimate of ``scenario`` over its range, as
    `python -m sim.robustness` makes them (`sim.robustness.joint_values`), each as a scenario."""
    return [with_values(scenario, values) for values in joint_values(scenario.estimates, n, seed)]


class DrawsSearch:
    """Shortfall and fit of candidates; see the module docstring.

    Args:
        cal: the committed calibration's calibrator (the history, the coded points, the sides).
        checks: the calibration's shape checks (``calibrate.checks``).
        draws: the estimate draws, as scenarios.
        quantile: the share of draws a check may fail in (issue 8: 0.1).
        rmse_at_most: if given, Italy's in-sample RMSE above it counts too (issue 8 asks 0.12).
        fit_weight: weight of the calibration objective added to the shortfall.
        rmse_weight: the weight of the RMSE above ``rmse_at_most`` against the shortfall (tilt units alike).
        rmse_from: if given (a month number), that RMSE is counted on Italy's points from that month
            only (the measures report it as ``rmse_counted`` beside the RMSE on every point).
        until: if given (a month number), a search from that origin: the objective and the RMSE
            count the points up to it only (`Calibrator.losses_of`'s ``until``), the checks after it
            (the rise, the final level) are left out, each side is judged on its window up to it,
            and the measures add ``forecast_rmse``, Italy's RMSE on its later points.
        hold_weight: with ``calibrate.leave_one_out`` set (``--settings "calibrate.leave_one_out=[...]"``),
            the weight against the shortfall of each left-out group's change of Italy's 2019-08 tilt
            beyond ``calibrate.leave_one_out_limit`` (tilt units; the measures add
            ``left_out_changes``, (groups, P)).
    """

    def __init__(self, cal: Calibrator, checks: dict, draws: list[Scenario], quantile: float,
                 rmse_at_most: float | None, fit_weight: float, rmse_weight: float = 1.0,
                 rmse_from: int | None = None, until: int | None = None, hold_weight: float = 10.0) -> None:
        self.cal, self.checks, self.draws = cal, dict(checks), draws
        self.quantile, self.rmse_at_most, self.fit_weight = quantile, rmse_at_most, fit_weight
        self.rmse_weight, self.rmse_from, self.until = rmse_weight, rmse_from, until
        self.hold_weight = hold_weight
        if cal.leave_one_out and until is not None:
            raise ValueError(f"--until {format_month(until)}: the leave-one-out change is measured in the "
                             "final month, after the origin")
        self.ita = cal.state_index[cal.state]
        self.low, self.rise_from, self.final = check_months(cal, checks)
        last = None if until is None else until - cal.scenario.start
        if last is not None and self.low.stop - 1 > last:
            raise ValueError(f"--until {format_month(until)}: the 2016-17 window ends after it")
        self.italy_checks = ["low"] if last is not None and self.final > last else ["low", "rise", "final"]
        self.sides = [(p, p.start, p.end if last is None else min(p.end, last)) for p in cal.patterns
                      if last is None or p.start <= last]
        self.names = [*self.italy_checks,
                      *(f"{p.state} {'>' if p.sign > 0 else '<'} 0" for p, _, _ in self.sides)]
        months = cal.targets["month"].to_numpy()
        self.fitted = np.ones(len(months), bool) if until is None else months <= until

    @property
    def counted(self) -> np.ndarray:
        """The coded points Italy's RMSE is counted on against ``rmse_at_most`` (a boolean mask):
        those from ``rmse_from``, else those fitted."""
        if self.rmse_from is None:
            return self.fitted
        return self.cal.targets["month"].to_numpy() >= self.rmse_from

    def margins(self, mean: np.ndarray) -> np.ndarray:
        """Each check's margin (tilt units, >= 0: it holds) for ensemble means ``mean`` (T, P, S):
        shape (checks, P)."""
        italy = mean[:, :, self.ita]
        c = self.checks
        rows = [c["low_at_most"] - italy[self.low].mean(axis=0),
                italy[self.final] - italy[self.rise_from] - c["rise_at_least"],
                c["final_at_most"] - italy[self.final]][:len(self.italy_checks)]
        rows += [p.sign * mean[start:end + 1, :, self.cal.state_index[p.state]].mean(axis=0)
                 for p, start, end in self.sides]
        return np.stack(rows)

    def measure(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every measure for candidates ``x`` (n_free, P); ``margins`` holds each draw's margins
        (draws, checks, P), the other measures are over the draws (checks, P) or per candidate (P)."""
        x = np.asarray(x, dtype=float).reshape(len(self.cal.free), -1)
        margins = np.stack([self.margins(self.cal.ensemble_mean(x, draw)) for draw in self.draws])
        q = np.quantile(margins, self.quantile, axis=0)  # (checks, P)
        shortfall = np.maximum(-q, 0.0).sum(axis=0)
        history = self.cal.ensemble_mean(x)
        rmse = focus_rmse(self.cal, history)
        counted = focus_rmse(self.cal, history, points=self.counted)
        if self.rmse_at_most is not None:
            shortfall = shortfall + self.rmse_weight * np.maximum(counted - self.rmse_at_most, 0.0)
        extra = {}
        if self.until is not None:
            extra["forecast_rmse"] = focus_rmse(self.cal, history, points=~self.fitted)
        if self.cal.leave_one_out:
            changes = extra["left_out_changes"] = self.cal.leave_one_out_changes(x, history)
            excess = np.maximum(np.abs(changes) - self.cal.leave_one_out_limit, 0.0).sum(axis=0)
            shortfall = shortfall + self.hold_weight * excess
        return {"shortfall": shortfall, "objective": self.cal.losses_of(history, x, self.until),
                "rmse": rmse, "rmse_counted": counted, "quantiles": q,
                "shares": (margins >= 0).mean(axis=0), "all": (margins >= 0).all(axis=1).mean(axis=0),
                "margins": margins, **extra}

    def final_and_rise(self, margins: np.ndarray, candidate: int = 0) -> pd.DataFrame:
        """Italy's final tilt and its rise (tilt units) in each draw for one ``candidate``, from
        `measure`'s ``margins``, named as `python -m sim.robustness`'s draws table names them (so
        that `sim.robustness.rise_and_final` and `spread` take it)."""
        at = margins[:, :, candidate]
        return pd.DataFrame({"final": self.checks["final_at_most"] - at[:, self.names.index("final")],
                             "rise": self.checks["rise_at_least"] + at[:, self.names.index("rise")]})

    def __call__(self, x: np.ndarray) -> np.ndarray:
        m = self.measure(x)
        return m["shortfall"] + self.fit_weight * m["objective"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=48, help="joint estimate draws in the search")
    parser.add_argument("--draw-seed", type=int, default=7)
    parser.add_argument("--quantile", type=float, default=0.1)
    parser.add_argument("--rmse-at-most", type=float, default=None)
    parser.add_argument("--rmse-weight", type=float, default=1.0)
    parser.add_argument("--rmse-from", metavar="YYYY-MM",
                        help="count --rmse-at-most on Italy's points from this month only")
    parser.add_argument("--fit-weight", type=float, default=0.0)
    parser.add_argument("--hold-weight", type=float, default=10.0,
                        help="with calibrate.leave_one_out in --settings: the weight of each left-out "
                             "group's change beyond calibrate.leave_one_out_limit")
    parser.add_argument("--until", metavar="YYYY-MM",
                        help="search from this origin: fit the points up to it, judge the checks up to it, "
                             "and report Italy's forecast of its later points")
    parser.add_argument("--x0", default="calibrated", metavar="NAME",
                        help="put configs/params/NAME.yaml in the first population (default: calibrated)")
    parser.add_argument("--local", type=float, default=None, metavar="WIDTH",
                        help="search within --x0 +- WIDTH x each parameter's range only")
    parser.add_argument("--maxiter", type=int, default=40)
    parser.add_argument("--popsize", type=int, default=8)
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--settings", nargs="+", default=[], metavar="OVERRIDE", help=SETTINGS_HELP)
    parser.add_argument("--json")
    parser.add_argument("--write-params", metavar="PATH")
    parser.add_argument("--study", default="Parameters searched for the draws", metavar="TITLE",
                        help="the section of docs/calibration_studies.md the written record belongs to")
    args = parser.parse_args()
    if args.local is not None and not args.x0:
        parser.error("--local needs --x0")
    if args.until and args.rmse_from:
        parser.error("--until counts the RMSE up to the origin; --rmse-from cannot be added")
    settings, base = calibration_settings(args.settings or None)
    settings["replicates"] = args.replicates
    cal = build_calibrator(settings, base)
    try:
        search = DrawsSearch(cal, settings["checks"], joint_draws(cal.scenario, args.draws, args.draw_seed),
                             args.quantile, args.rmse_at_most, args.fit_weight, args.rmse_weight,
                             parse_month(args.rmse_from) if args.rmse_from else None,
                             parse_month(args.until) if args.until else None, args.hold_weight)
    except ValueError as exc:
        parser.error(str(exc))
    x0 = set_values(cal, args.x0) if args.x0 else None
    started = time.perf_counter()
    start_point = search.measure(x0[:, None]) if x0 is not None else None
    bounds = box_around(cal, x0, args.local) if args.local is not None else None
    best, history = evolve(search, cal, x0, popsize=args.popsize, maxiter=args.maxiter, seed=args.seed,
                           bounds=bounds)
    measured = search.measure(best[:, None])

    def described(m: dict[str, np.ndarray]) -> dict:
        found = {"shortfall": float(m["shortfall"][0]), "objective": float(m["objective"][0]),
                 "rmse": float(m["rmse"][0]), "rmse_counted": float(m["rmse_counted"][0]),
                 "share_meeting_all": float(m["all"][0]),
                 "quantiles": dict(zip(search.names, map(float, m["quantiles"][:, 0]), strict=True)),
                 "shares": dict(zip(search.names, map(float, m["shares"][:, 0]), strict=True))}
        if "forecast_rmse" in m:
            found["forecast_rmse"] = float(m["forecast_rmse"][0])
        if "left_out_changes" in m:
            found["left_out_changes"] = dict(zip(cal.leave_one_out, map(float, m["left_out_changes"][:, 0]),
                                                 strict=True))
        return found

    params = apply_values(base, cal.free, [float(v) for v in best])
    out = {"args": vars(args), "wall_time_s": time.perf_counter() - started, "history": history,
           "start": described(start_point) if start_point is not None else None,
           "found": described(measured),
           "best": {p.name: float(v) for p, v in zip(cal.free, best, strict=True)},
           "params": json.loads(json.dumps(params, default=float))}
    print(json.dumps({k: out[k] for k in ("start", "found", "best")}, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    if args.write_params:
        command = "PYTHONPATH=. python scripts/draws_search.py " + shlex.join(sys.argv[1:])
        on = "" if settings["scenario"] == DEFAULT_SCENARIO else f" scenario={settings['scenario']}"
        header = [f"Draws search (docs/calibration_studies.md, \"{args.study}\"), made by:",
                  f"  {command}",
                  "Not the project's calibrated set: for python -m sim.robustness "
                  f"params=<this file's name>{on}.",
                  f"Search: shortfall {out['found']['shortfall']:.4f} over {args.draws} draws (seed "
                  f"{args.draw_seed}), objective {out['found']['objective']:.4f}, Italy RMSE "
                  f"{out['found']['rmse']:.4f} ({args.replicates} replicates, seed 0)."]
        if cal.leave_one_out:
            changes = ", ".join(f"{group} {change:+.3f}"
                                for group, change in out["found"]["left_out_changes"].items())
            header.append(f"Left out (limit {cal.leave_one_out_limit:g}): {changes}.")
        if args.until:
            header.append(f"From the origin {args.until}: Italy's RMSE up to it "
                          f"{out['found']['rmse_counted']:.4f}, its forecast of the later points "
                          f"{out['found']['forecast_rmse']:.4f}.")
        with open(args.write_params, "w") as f:
            f.write(calibrated_yaml(params, cal.free, header))


if __name__ == "__main__":
    main()
