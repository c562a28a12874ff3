"""The forecast from a rolling origin drawn from the whole posterior, not its mode
(docs/calibration.md, "What the points before mid-2018 can tell").

The calibration's objective on the points up to the origin is a posterior: objective = (chi^2 +
prior) / N + the side penalty, so log posterior = -N x objective / 2, flat inside the search ranges
(``configs/calibrate/default.yaml``), N the points up to the origin (Italy's and the other states').
emcee's affine-invariant ensemble sampler draws the 18 free parameters from it, every walker of a
half-step in one batched model run (12 replicates per candidate, common random numbers, as in the
fit), started in a small ball around the refit's mode (the calibration's own refit). Draws after the
burn-in are then run at ``--replicates`` each, and Italy's later points are forecast by their mean,
with a 90 % band.

Printed and written (``--json``): the sampler's acceptance fraction and autocorrelation estimate,
the posterior predictive forecast (mean, 5 % and 95 %) at each later point with the coded value,
the mean forecast's RMSE against persistence's, the share of draws meeting the rise check, the
share of later points inside the band, and the spread of the main parameters.

    python scripts/posterior_forecast.py --until 2018-06 --walkers 64 --steps 1500 --burn 500 --json out.json
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import emcee
import numpy as np

from sim.calibrate import build_calibrator, calibration_settings, origin_mask, report_run
from sim.calibration import Calibrator
from sim.dates import parse_month
from sim.fit import baseline_forecasts, fit_metrics


class LogPosterior:
    """log posterior of candidates (n, d) given the points up to month ``until``: -N x objective / 2
    inside the search ranges, -inf outside.

    Args:
        cal: the committed calibration's calibrator.
        until: the origin's month number.
    """

    def __init__(self, cal: Calibrator, until: int) -> None:
        self.cal = cal
        self.until = until
        focus, joint = cal.masks(until)
        self.points = int(focus.sum() + cal.joint_weight * joint.sum())
        self.low = np.array([p.low for p in cal.free])
        self.high = np.array([p.high for p in cal.free])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=float))
        out = np.full(len(x), -np.inf)
        inside = np.all((x >= self.low) & (x <= self.high), axis=1)
        if inside.any():
            out[inside] = -0.5 * self.points * self.cal.losses(x[inside].T, self.until)
        return out


def sample(log_posterior: LogPosterior, start: np.ndarray, *, walkers: int, steps: int,
           seed: int, progress: bool = True) -> emcee.EnsembleSampler:
    """Run emcee from a ball around ``start`` (1 % of each search range, clipped inside it).

    Args:
        log_posterior: the target.
        start: the mode the walkers start around, (d,).
        walkers: number of walkers (at least twice the number of parameters).
        steps: steps per walker.
        seed: the sampler's and the starting ball's seed.
        progress: show emcee's progress bar.
    """
    rng = np.random.default_rng(seed)
    span = log_posterior.high - log_posterior.low
    ball = start + 0.01 * span * rng.standard_normal((walkers, start.size))
    ball = np.clip(ball, log_posterior.low + 1e-9 * span, log_posterior.high - 1e-9 * span)
    sampler = emcee.EnsembleSampler(walkers, start.size, log_posterior, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()  # emcee's generator, seeded
    sampler.run_mcmc(ball, steps, progress=progress)
    return sampler


def trajectories(cal: Calibrator, draws: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """Italy's mean tilt, month by month, under each draw (d, n): one batched run of ``replicates``
    per draw with the model's seed ``seed`` (`Calibrator.ensemble_mean`), shape (T, n)."""
    runner = copy.copy(cal)
    runner.replicates, runner.seed = int(replicates), int(seed)
    return runner.ensemble_mean(draws)[:, :, cal.state_index[cal.state]]


def summarise(cal: Calibrator, until: str, sampler: emcee.EnsembleSampler, *, burn: int, draws: int,
              replicates: int, seed: int, checks: dict) -> dict:
    """The posterior predictive forecast of Italy's points after ``until`` from ``draws`` draws
    taken after ``burn`` steps, each run at ``replicates``; see the module docstring."""
    mask, _ = origin_mask(cal, until)
    chain = sampler.get_chain(discard=burn, flat=True)
    pick = np.random.default_rng(seed).choice(len(chain), size=min(draws, len(chain)), replace=False)
    x = chain[pick].T
    tilt = trajectories(cal, x, replicates, seed)
    later = tilt[cal.steps[~mask]]
    y = cal.targets["tilt"].to_numpy()
    months = cal.targets["month"].to_numpy().astype(float)
    mean, low, high = later.mean(axis=1), np.quantile(later, 0.05, axis=1), np.quantile(later, 0.95, axis=1)
    persistence = baseline_forecasts(months[mask], y[mask], months[~mask])["last_value_held"]
    start = cal.scenario.start
    rise = tilt[parse_month(checks["rise_to"]) - start] - tilt[parse_month(checks["rise_from"]) - start]
    with np.errstate(invalid="ignore", divide="ignore"):  # a chain of a few steps has no estimate
        tau = sampler.get_autocorr_time(discard=burn, quiet=True)  # warns when shorter than 50 tau
    finite = tau[np.isfinite(tau)]
    names = [p.name for p in cal.free]
    return {
        "until": until,
        "walkers": sampler.nwalkers, "steps": sampler.iteration, "burn": burn,
        "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)),
        "autocorr_time_max": float(finite.max()) if finite.size else None,
        "autocorr_time_median": float(np.median(finite)) if finite.size else None,
        "draws": int(x.shape[1]), "replicates": replicates,
        "forecast": [{"date": d, "target": float(t), "mean": float(m), "q05": float(a), "q95": float(b)}
                     for d, t, m, a, b in zip(cal.targets["date"][~mask], y[~mask], mean, low, high,
                                              strict=True)],
        "rmse_of_mean": fit_metrics(mean, y[~mask])["rmse"],
        "persistence_rmse": fit_metrics(persistence, y[~mask])["rmse"],
        "share_of_later_points_in_band": float(np.mean((y[~mask] >= low) & (y[~mask] <= high))),
        "share_of_draws_meeting_rise": float(np.mean(rise >= checks["rise_at_least"])),
        "rise": {"mean": float(rise.mean()), "q05": float(np.quantile(rise, 0.05)),
                 "q95": float(np.quantile(rise, 0.95))},
        "parameters": {name: {"q05": float(np.quantile(x[j], 0.05)), "median": float(np.median(x[j])),
                              "q95": float(np.quantile(x[j], 0.95))} for j, name in enumerate(names)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--until", default="2018-06")
    parser.add_argument("--walkers", type=int, default=64)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--burn", type=int, default=500)
    parser.add_argument("--draws", type=int, default=400, help="posterior draws forecast")
    parser.add_argument("--replicates", type=int, default=50, help="replicates of each draw's forecast")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json")
    args = parser.parse_args()
    settings, base = calibration_settings()
    cal = build_calibrator(settings, base)
    mask, cutoff = origin_mask(cal, args.until)
    started = time.perf_counter()
    mode = cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                   optimizer_seed=settings["optimizer_seed"], until=cutoff, progress=False)
    log_posterior = LogPosterior(cal, cutoff)
    sampler = sample(log_posterior, np.asarray(mode["x"]), walkers=args.walkers, steps=args.steps,
                     seed=args.seed)
    out = summarise(cal, args.until, sampler, burn=args.burn, draws=args.draws,
                    replicates=args.replicates, seed=args.seed, checks=settings["checks"])
    mode_run = report_run(cal, cal.values_as_params(mode["x"]), replicates=settings["report_replicates"],
                          seed=settings["seed"])
    out["mode"] = {"objective": float(mode["objective"]),
                   "rmse": fit_metrics(mode_run.mean_tilt(cal.state)[cal.steps[~mask]],
                                       cal.targets["tilt"].to_numpy()[~mask])["rmse"]}
    out["wall_time_s"] = time.perf_counter() - started
    tau = (f"median {out['autocorr_time_median']:.0f} / max {out['autocorr_time_max']:.0f} steps"
           if out["autocorr_time_max"] is not None else "not estimable (too few steps)")
    print(f"origin {args.until}: {out['walkers']} walkers x {out['steps']} steps (burn {out['burn']}), "
          f"acceptance {out['acceptance_fraction']:.2f}, autocorrelation time {tau}")
    print(f"forecast of Italy's later points from {out['draws']} draws: RMSE of the mean "
          f"{out['rmse_of_mean']:.3f} (mode {out['mode']['rmse']:.3f}, "
          f"persistence {out['persistence_rmse']:.3f}); "
          f"{out['share_of_later_points_in_band']:.0%} of the points inside the 90 % band; the rise check "
          f"met in {out['share_of_draws_meeting_rise']:.0%} of draws (rise {out['rise']['mean']:+.2f}, "
          f"90 % {out['rise']['q05']:+.2f} to {out['rise']['q95']:+.2f})")
    for row in out["forecast"]:
        print(f"  {row['date']}: coded {row['target']:+.2f}, forecast {row['mean']:+.2f} "
              f"({row['q05']:+.2f} to {row['q95']:+.2f})")
    print(f"{out['wall_time_s']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
