"""Can any parameter set meet issue 8's shape and leave-one-out criteria together, and its fit too?
(docs/calibration_studies.md, "Rise and leave-one-out together: a search").

Searches the committed calibration's free parameters, within their search ranges, by scipy's
differential evolution (whole population in one batched run per scenario, common random numbers),
for the smallest total violation of Italy's criteria:

- the shape checks of ``configs/calibrate/default.yaml`` (2016-17 mean <= -0.6, rise 2018-06 ->
  2019-08 >= 0.4, 2019-08 <= +0.5), and
- leave one event out: no event of ``--events`` may move Italy's 2019-08 tilt by more than
  ``--limit`` (issue 8: 0.4); ids joined by ``+`` are left out together (a campaign's stages),

and, if asked, Italy's in-sample RMSE above ``--rmse-at-most`` and the other states' documented
sides (``--with-sides``); each violation counted in tilt units (0 when the criterion holds).
``--fit-weight w`` adds w x the calibration objective (the posterior mode of
``sim.calibration.Calibrator``), so that the search prefers, among parameter sets of equal
violation, the one that fits the coded points best.

    python scripts/feasibility_study.py --maxiter 60 --json out.json
    python scripts/feasibility_study.py --fit-weight 0.02 --maxiter 100 --json out.json
    python scripts/feasibility_study.py --fit-weight 0.02 --limit 0.6 --json out.json
    python scripts/feasibility_study.py --rmse-at-most 0.12 --with-sides   # every criterion at once
    python scripts/feasibility_study.py --fit-of calibrated robust_r40     # how sets fit the points
    python scripts/feasibility_study.py --rmse-at-most 0.12 --with-sides \
        --settings calibrate.scenario=studies/campaign_stages \
        calibrate.counterfactual=studies/campaign_stages_no_military   # on a study scenario

The events searched default to the ten whose removal moved Italy most under the calibration with
commitments held (docs/calibration_held.md, Appendix); ``--events ID...`` names others (e.g. the
largest under the committed calibration, docs/calibration.md, Appendix). A set found here is
checked on every event with ``python -m sim.robustness params=...``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from scipy.optimize import differential_evolution

from sim.calibrate import (
    SETTINGS_HELP,
    build_calibrator,
    calibrated_yaml,
    calibration_settings,
    joint_section,
    pattern_report,
    report_run,
    set_values,
)
from sim.calibration import Calibrator, FreeParameter, apply_values
from sim.config import plain
from sim.dates import parse_month
from sim.fit import fit_metrics, pattern_violation
from sim.model import DEFAULT_SCENARIO
from sim.params import read_parameter_set
from sim.scenario import load_scenario
from sim.summary import trajectory_checks

#: The events whose single removal moved Italy's 2019-08 tilt by 0.05 or more under the calibration
#: with commitments held (robustness.csv), largest first; the default of ``--events``.
EVENTS = ("lna_takes_benghazi", "lna_takes_derna", "bunyan_al_marsous_retakes_sirte",
          "us_air_campaign_sirte", "amri_berlin_attack", "bonatti_hostages_killed", "gnc_exits",
          "isis_takes_sirte", "bonatti_workers_kidnapped_mellitah", "pfg_joins_gna")
#: Issue 8's limit on the change of Italy's 2019-08 tilt when one event is left out.
LIMIT = 0.4


def check_months(cal: Calibrator, checks: dict) -> tuple[slice, int, int]:
    """The shape checks' months as steps of ``cal``'s scenario: the 2016-17 window (``low_from`` to
    ``low_to``), the month the rise is measured from and the final month."""
    start = cal.scenario.start
    low = slice(parse_month(checks["low_from"]) - start, parse_month(checks["low_to"]) - start + 1)
    return low, parse_month(checks["rise_from"]) - start, parse_month(checks["rise_to"]) - start


def focus_rmse(cal: Calibrator, mean: np.ndarray, since: int | None = None,
               points: np.ndarray | None = None) -> np.ndarray:
    """The focus state's RMSE against its coded points for each candidate, from ensemble means
    ``mean`` (T, P, S): shape (P,). With ``since`` (a month number, `sim.dates.parse_month`), on
    the points from that month only; with ``points`` (a boolean mask of the coded points), on those."""
    if points is not None:
        keep = points
    else:
        keep = np.ones(len(cal.steps), bool) if since is None else cal.targets["month"].to_numpy() >= since
    focus = mean[cal.steps[keep], :, cal.state_index[cal.state]]
    return np.sqrt(((focus - cal.targets["tilt"].to_numpy()[keep, None]) ** 2).mean(axis=0))


def evolve(objective, cal: Calibrator, x0: np.ndarray | None, *, popsize: int, maxiter: int,
           seed: int, bounds: list[tuple[float, float]] | None = None) -> tuple[np.ndarray, list[float]]:
    """Differential evolution of ``objective`` (vectorised: candidates (n_free, P) -> (P,)) over
    ``bounds`` (default ``cal``'s search ranges), the studies' settings (Sobol initial population,
    ``x0`` in it, no polish, every generation run): the best candidate and the best value after each
    generation, printed as it goes."""
    started = time.perf_counter()
    history: list[float] = []

    def note(intermediate_result) -> None:
        history.append(float(intermediate_result.fun))
        print(f"generation {len(history)}: {intermediate_result.fun:.4f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)

    result = differential_evolution(objective, bounds or cal.bounds, popsize=popsize, maxiter=maxiter,
                                    seed=seed, init="sobol", polish=False, tol=0.0, updating="deferred",
                                    vectorized=True, callback=note, x0=x0)
    return result.x, history


def box_around(cal: Calibrator, x0: np.ndarray, width: float) -> list[tuple[float, float]]:
    """Search ranges narrowed to ``x0`` +- ``width`` x each parameter's range, within the range: for a
    search near a set that differential evolution over the whole ranges does not improve."""
    low, high = np.array(cal.bounds, dtype=float).T
    span = width * (high - low)
    return list(zip(np.maximum(low, x0 - span), np.minimum(high, x0 + span), strict=True))


class Search:
    """Violations and fit of candidates; see the module docstring.

    Args:
        cal: the committed calibration's calibrator (the history, the coded points, the priors).
        checks: the calibration's shape checks (``calibrate.checks``).
        events: ids of the events left out one at a time; ids joined by ``+`` are left out
            together.
        fit_weight: weight of the calibration objective added to the violation.
        limit: the largest change of Italy's 2019-08 tilt allowed when one event is left out.
        rise_at_least: the smallest rise asked (None: the shape check's, 0.4).
        rmse_at_most: if given, Italy's in-sample RMSE above it counts as a violation too (issue 8
            asks for 0.12).
        with_sides: count the other states' documented sides too (the root of the calibration's
            pattern violation, in tilt units: 0 when every side holds in every month).
    """

    def __init__(self, cal: Calibrator, checks: dict, events: tuple[str, ...], fit_weight: float,
                 limit: float = LIMIT, rise_at_least: float | None = None,
                 rmse_at_most: float | None = None, with_sides: bool = False) -> None:
        self.cal = cal
        self.limit = limit
        self.rmse_at_most = rmse_at_most
        self.with_sides = with_sides
        self.events = events
        self.fit_weight = fit_weight
        self.ita = cal.state_index[cal.state]
        self.low, self.rise_from, self.final = check_months(cal, checks)
        #: the calibrator with ``events`` as its leave-one-out term: it runs the scenarios without them
        self.held = cal.holding(events, step=self.final, limit=limit)
        self.checks = dict(checks)
        if rise_at_least is not None:
            self.checks["rise_at_least"] = rise_at_least

    def measure(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every measure for candidates ``x`` (n_free, P)."""
        x = np.asarray(x, dtype=float).reshape(len(self.cal.free), -1)
        mean = self.cal.ensemble_mean(x)
        italy = mean[:, :, self.ita]
        final = italy[self.final]
        loo = self.held.leave_one_out_changes(x, mean)  # (events, P)
        low = italy[self.low].mean(axis=0)
        rise = final - italy[self.rise_from]
        c = self.checks
        violation = (np.maximum(np.abs(loo).max(axis=0) - self.limit, 0.0)
                     + np.maximum(c["rise_at_least"] - rise, 0.0)
                     + np.maximum(final - c["final_at_most"], 0.0)
                     + np.maximum(low - c["low_at_most"], 0.0))
        rmse = focus_rmse(self.cal, mean)
        if self.rmse_at_most is not None:
            violation = violation + np.maximum(rmse - self.rmse_at_most, 0.0)
        sides = np.sqrt(pattern_violation(mean, self.cal.state_index, self.cal.patterns))
        if self.with_sides:
            violation = violation + sides
        return {"violation": violation, "objective": self.cal.losses_of(mean, x), "sides": sides, "low": low,
                "rise": rise, "final": final, "loo": loo, "rmse": rmse}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        m = self.measure(x)
        return m["violation"] + self.fit_weight * m["objective"]


def params_file(out: dict, command: str, free: list[FreeParameter], scenario: str | None = None) -> str:
    """The text of a ``configs/params/`` file for the set found (``out``: the script's JSON;
    ``free``: the searched parameters; ``scenario``: the scenario searched, if not the history)."""
    on = f" scenario={scenario}" if scenario else ""
    header = ["Feasibility study (docs/calibration_studies.md, \"Rise and leave-one-out together\"), "
              "made by:",
              f"  {command}",
              "Not the project's calibrated set: for python -m sim.robustness "
              f"params=<this file's name>{on}.",
              f"Search: violation {out['violation']:.4f}, objective {out['objective']:.4f}, "
              f"Italy RMSE {out['rmse']:.4f} ({out['replicates']} replicates, seed 0), "
              f"leave-one-out limit {out['limit']}."]
    return calibrated_yaml(out["params"], free, header)


def fit_of(name: str, cal: Calibrator, settings: dict, replicates: int = 200, seed: int = 0) -> dict:
    """How the parameter set ``configs/params/NAME.yaml`` fits the committed coded points: Italy's
    RMSE (all points, and from 2016-04, once the GNA sits in Tripoli), the other states' RMSE, the
    smallest share of months on a documented side, Italy's rise with and without the material
    events (the calibration's counterfactual scenario), and its mean tilt at the coded points and in
    every month; ensemble of ``replicates``, seed ``seed``.
    ``cal`` and ``settings``: the committed calibration's calibrator and settings."""
    params = plain(read_parameter_set(name))
    result = report_run(cal, params, replicates=replicates, seed=seed)
    italy = result.mean_tilt(cal.state)[cal.steps]
    target = cal.targets["tilt"].to_numpy()
    late = (cal.targets["date"] >= "2016-04").to_numpy()
    sides = pattern_report(result, cal.patterns)
    joint = joint_section(cal, result)
    without = report_run(cal, params, replicates=replicates, seed=seed,
                         scenario=load_scenario(settings["counterfactual"]))
    return {"params": name, "italy": fit_metrics(italy, target),
            "italy_from_2016_04": fit_metrics(italy[late], target[late]),
            "others_rmse": joint["rmse"],
            "others_rmse_by_state": {state: f["rmse"] for state, f in joint["by_state"].items()},
            "least_share_on_documented_side": min(r["share_of_months_on_expected_side"] for r in sides),
            "documented_sides": {r["state"]: {"mean_tilt": r["mean_tilt"],
                                              "share_of_months": r["share_of_months_on_expected_side"]}
                                 for r in sides},
            "rise": trajectory_checks(result, cal.state, settings["checks"])["rise"],
            "rise_without_material_events": trajectory_checks(without, cal.state, settings["checks"])["rise"],
            "by_point": dict(zip(cal.targets["date"], map(float, italy), strict=True)),
            "by_month": dict(zip(result.dates, map(float, result.mean_tilt(cal.state)), strict=True))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit-weight", type=float, default=0.0)
    parser.add_argument("--limit", type=float, default=LIMIT)
    parser.add_argument("--rise-at-least", type=float, default=None,
                        help="ask for a larger rise than the shape check's 0.4 (a margin)")
    parser.add_argument("--rmse-at-most", type=float, default=None,
                        help="count Italy's in-sample RMSE above this as a violation too")
    parser.add_argument("--with-sides", action="store_true",
                        help="count the other states' documented sides as a violation too")
    parser.add_argument("--x0", metavar="NAME",
                        help="put the parameter set configs/params/NAME.yaml in the first population")
    parser.add_argument("--maxiter", type=int, default=60)
    parser.add_argument("--popsize", type=int, default=10)
    parser.add_argument("--replicates", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json")
    parser.add_argument("--events", nargs="+", default=list(EVENTS), metavar="ID",
                        help="the events left out one at a time in the search, ids joined by + "
                             "left out together (default: the ten "
                             "largest under the calibration with commitments held)")
    parser.add_argument("--calibrate", metavar="NAME",
                        help="search the free parameters of configs/calibrate/NAME.yaml instead of "
                             "the committed calibration's (a variant's settings)")
    parser.add_argument("--settings", nargs="+", default=[], metavar="OVERRIDE", help=SETTINGS_HELP
                        + "; e.g. calibrate.scenario=studies/campaign_stages "
                        "calibrate.counterfactual=studies/campaign_stages_no_military")
    parser.add_argument("--fit-of", nargs="+", metavar="NAME",
                        help="only measure how these parameter sets fit the coded points")
    parser.add_argument("--write-params", metavar="PATH",
                        help="also write the set found as a parameter file (configs/params/NAME.yaml)")
    args = parser.parse_args()
    overrides = ([f"calibrate={args.calibrate}"] if args.calibrate else []) + args.settings
    settings, base = calibration_settings(overrides or None)
    settings["replicates"] = args.replicates  # per candidate in the search; reports use their own
    cal = build_calibrator(settings, base)
    if args.fit_of:
        fits = [fit_of(name, cal, settings) for name in args.fit_of]
        for f in fits:
            print(f"{f['params']}: Italy RMSE {f['italy']['rmse']:.3f} (from 2016-04 "
                  f"{f['italy_from_2016_04']['rmse']:.3f}), other states {f['others_rmse']:.3f}, "
                  f"documented sides held in at least {f['least_share_on_documented_side']:.0%} of months, "
                  f"rise {f['rise']:+.2f} ({f['rise_without_material_events']:+.2f} "
                  "without the material events)")
            print("  other states' RMSE: " + ", ".join(f"{state} {v:.2f}" for state, v in
                                                       f["others_rmse_by_state"].items()))
            print("  documented sides (mean tilt, share of months): " + ", ".join(
                f"{state} {v['mean_tilt']:+.2f} {v['share_of_months']:.0%}"
                for state, v in f["documented_sides"].items()))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(fits, f, indent=1)
        return
    try:
        search = Search(cal, settings["checks"], tuple(args.events), args.fit_weight, args.limit,
                        args.rise_at_least, args.rmse_at_most, args.with_sides)
    except ValueError as exc:  # an unknown event (the message lists the scenario's), one listed
        parser.error(f"--events: {exc}")  # twice, or one the stage rules cannot do without
    x0 = set_values(cal, args.x0) if args.x0 else None
    started = time.perf_counter()
    best, history = evolve(search, cal, x0, popsize=args.popsize, maxiter=args.maxiter, seed=args.seed)
    measured = search.measure(best[:, None])
    params = apply_values(base, cal.free, [float(v) for v in best])
    out = {
        "fit_weight": args.fit_weight, "limit": args.limit, "rise_at_least": args.rise_at_least,
        "rmse_at_most": args.rmse_at_most, "with_sides": args.with_sides,
        "calibrate": args.calibrate, "settings": args.settings, "x0": args.x0,
        "maxiter": args.maxiter, "popsize": args.popsize,
        "replicates": args.replicates, "seed": args.seed, "events": list(args.events),
        "wall_time_s": time.perf_counter() - started, "history": history,
        "best": {p.name: float(v) for p, v in zip(cal.free, best, strict=True)},
        "violation": float(measured["violation"][0]), "objective": float(measured["objective"][0]),
        "rmse": float(measured["rmse"][0]), "sides_violation": float(measured["sides"][0]),
        "low": float(measured["low"][0]),
        "rise": float(measured["rise"][0]), "final": float(measured["final"][0]),
        "loo": {e: float(v) for e, v in zip(args.events, measured["loo"][:, 0], strict=True)},
        "params": json.loads(json.dumps(params, default=float)),
    }
    print(json.dumps({k: v for k, v in out.items() if k not in ("history", "params")}, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    if args.write_params:
        command = "PYTHONPATH=. python scripts/feasibility_study.py " + " ".join(sys.argv[1:])
        with open(args.write_params, "w") as f:
            scenario = None if settings["scenario"] == DEFAULT_SCENARIO else settings["scenario"]
            f.write(params_file(out, command, cal.free, scenario))


if __name__ == "__main__":
    main()
