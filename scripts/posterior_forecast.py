"""The forecast from a rolling origin drawn from the whole posterior, not its mode
(docs/calibration_studies.md, "What the points before mid-2018 can tell").

The calibration's objective on the points up to the origin is a posterior: objective = (chi^2 +
prior) / N + the side penalty, so log posterior = -N x objective / 2, flat inside the search ranges
(``configs/calibrate/default.yaml``), N the points up to the origin (Italy's and the other states').
emcee's affine-invariant ensemble sampler draws the 18 free parameters from it, every walker of a
half-step in one batched model run (12 replicates per candidate, common random numbers, as in the
fit), started in a small ball around the refit's mode (the calibration's own refit). Draws after the
burn-in are then run at ``--replicates`` each, and Italy's later points are forecast by their mean,
with a 90 % band.

``--start NAME`` starts the walkers around a parameter set of ``configs/params/`` instead (the
committed ``calibrated`` forecasts the rise): chains started apart that end with the same forecast
have forgotten their start. ``--moves de`` proposes by differential evolution instead of emcee's
stretch move, its steps scaled by ``--gamma-scale``; ``--log-wide-ranges`` moves the walkers in the
logarithm of the parameters searched over a factor of 10 or more (the same posterior: the Jacobian
is added, and the chain is saved in the parameters). ``--chain`` saves the chain (.npz), ``--resume``
continues a saved one from its walkers' last positions, ``--start-from`` starts a new one from saved
chains' last positions, and ``--from-chain`` summarises a saved one again;
``--settings`` samples the posterior of other calibration settings (Hydra overrides of
``configs/calibration.yaml``; none: the committed ones), and with ``--until all`` ``--mode-set``
names the parameter set those settings made (``configs/params/``; the committed ``calibrated``
by default);
with ``--checkpoint-every STEPS`` the chain so far is saved every STEPS steps, with the
autocorrelation estimate at each (``tau_history``), so that a long chain can be watched converging
and a run cut short still leaves its chain.

Printed and written (``--json``): the sampler's acceptance fraction and autocorrelation estimate,
the posterior predictive forecast (mean, 5 % and 95 %) at each later point with the coded value,
the mean forecast's RMSE against persistence's and the mode's, the share of draws meeting the rise
check (overall, and among the draws from each half of the kept steps), the share of later points
inside the band, what sets the rising draws apart (each parameter's median among them and the
rest, its rank correlation with the rise, and the two groups' log posterior), Italy's monthly band
and the mode's course (for
``scripts/posterior_forecast_figure.py``), and the spread of the parameters. The band of the draws'
ensemble means holds parameter uncertainty alone; the pooled band (``monthly``: ``pooled_q05``,
``pooled_median``, ``pooled_q95``), the quantiles of every replicate of every draw, holds parameter
and stochastic uncertainty together, with the two parts' standard deviations month by month
(``sd_between_draws``, ``sd_within_draws``).

    python scripts/posterior_forecast.py --until 2018-06 --walkers 64 --steps 1500 --burn 500 --json out.json
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Callable
from pathlib import Path

import emcee
import numpy as np
from scipy import stats

from sim.calibrate import (
    SETTINGS_HELP,
    build_calibrator,
    calibration_settings,
    origin_mask,
    report_run,
    set_values,
)
from sim.calibration import Calibrator
from sim.dates import month_labels, parse_month
from sim.fit import baseline_forecasts, fit_metrics
from sim.scenario.schema import Scenario


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
        self.points = int(cal.weighted_points(until))
        self.low = np.array([p.low for p in cal.free])
        self.high = np.array([p.high for p in cal.free])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=float))
        out = np.full(len(x), -np.inf)
        inside = np.all((x >= self.low) & (x <= self.high), axis=1)
        if inside.any():
            out[inside] = -0.5 * self.points * self.cal.losses(x[inside].T, self.until)
        return out


MOVES = {
    "stretch": None,  # emcee's default affine-invariant stretch move
    # differential evolution with snooker updates, emcee's suggestion for targets the stretch move
    # explores slowly (emcee docs, "Using different moves"); their steps scaled by ``gamma_scale``
    # (1: emcee's defaults, gamma0 = 2.38 / sqrt(2 d) and a snooker gamma of 1.7)
    "de": lambda d, gamma_scale: [
        (emcee.moves.DEMove(gamma0=gamma_scale * 2.38 / np.sqrt(2 * d)), 0.8),
        (emcee.moves.DESnookerMove(gammas=gamma_scale * 1.7), 0.2)],
}


class SampledSpace:
    """Where the walkers move: each parameter as it is, or its natural logarithm for those listed
    in ``logged``. The density there is the posterior times the Jacobian, so the parameters' posterior
    is the same whichever space the walkers move in; a scale searched over two orders of magnitude
    is explored at every order alike.

    Args:
        log_posterior: the posterior over the parameters.
        logged: which parameters are sampled as their logarithm, (d,) bool; their search ranges
            must be positive.
    """

    def __init__(self, log_posterior: LogPosterior, logged: np.ndarray) -> None:
        self.log_posterior = log_posterior
        self.logged = np.asarray(logged, bool)
        if np.any(log_posterior.low[self.logged] <= 0):
            raise ValueError("only parameters with a positive search range can be sampled in log")

    @classmethod
    def wide_ranges_in_log(cls, log_posterior: LogPosterior, factor: float = 10.0) -> SampledSpace:
        """Sample in log every parameter whose search range is positive and spans at least ``factor``
        (high / low); the others as they are."""
        low, high = log_posterior.low, log_posterior.high
        return cls(log_posterior, (low > 0) & (high >= factor * low))

    def to_parameters(self, u: np.ndarray) -> np.ndarray:
        """Positions (..., d) in the sampled space as parameter values."""
        x = np.array(u, dtype=float)
        x[..., self.logged] = np.exp(x[..., self.logged])
        return x

    def from_parameters(self, x: np.ndarray) -> np.ndarray:
        """Parameter values (..., d) as positions in the sampled space."""
        u = np.array(x, dtype=float)
        u[..., self.logged] = np.log(u[..., self.logged])
        return u

    def log_jacobian(self, u: np.ndarray) -> np.ndarray:
        """log |dx/du| at positions (..., d): the sum of the logged coordinates, (...)."""
        return u[..., self.logged].sum(axis=-1)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        u = np.atleast_2d(np.asarray(u, dtype=float))
        return self.log_posterior(self.to_parameters(u)) + self.log_jacobian(u)


def sample(log_posterior: LogPosterior, start: np.ndarray, *, walkers: int, steps: int,
           seed: int, moves: str = "stretch", progress: bool = True,
           every: int = 0, on_checkpoint: Callable[[emcee.EnsembleSampler], None] | None = None,
           initial: np.ndarray | None = None, space: SampledSpace | None = None,
           gamma_scale: float = 1.0) -> emcee.EnsembleSampler:
    """Run emcee from a ball around ``start`` (1 % of each search range, clipped inside it).

    Args:
        log_posterior: the target.
        start: the mode the walkers start around, (d,).
        walkers: number of walkers (at least twice the number of parameters).
        steps: steps per walker.
        seed: the sampler's and the starting ball's seed.
        moves: the proposal, a key of ``MOVES``: ``stretch`` (emcee's default) or ``de``
            (differential evolution, 80 %, and its snooker variant, 20 %).
        progress: show emcee's progress bar.
        every: call ``on_checkpoint`` with the sampler after every ``every`` steps (0: never). The
            chain is the same whether or not it is checkpointed.
        on_checkpoint: what to do then (a `Checkpoint`).
        initial: the walkers' positions to start from, (walkers, d), instead of the ball (a
            resumed chain's last step).
        space: where the walkers move (`SampledSpace`); None: the parameters as they are. The
            sampler's chain is then in that space (`SavedChain.of` maps it back).
        gamma_scale: with ``de``, the scale of its steps (1: emcee's defaults; below 1, shorter
            steps, accepted more often).
    """
    if moves not in MOVES:
        raise ValueError(f"moves: is {moves!r}; one of {sorted(MOVES)}")
    if not gamma_scale > 0:
        raise ValueError(f"gamma_scale: is {gamma_scale!r}; a positive number")
    if initial is None:
        rng = np.random.default_rng(seed)
        span = log_posterior.high - log_posterior.low
        ball = start + 0.01 * span * rng.standard_normal((walkers, start.size))
        ball = np.clip(ball, log_posterior.low + 1e-9 * span, log_posterior.high - 1e-9 * span)
    else:
        ball = np.asarray(initial, dtype=float).reshape(walkers, start.size)
    proposal = MOVES[moves]
    target = log_posterior
    if space is not None:
        ball, target = space.from_parameters(ball), space
    sampler = emcee.EnsembleSampler(walkers, start.size, target, vectorize=True,
                                    moves=proposal(start.size, gamma_scale) if proposal else None)
    sampler.random_state = np.random.RandomState(seed).get_state()  # emcee's generator, seeded
    for _ in sampler.sample(ball, iterations=steps, progress=progress):
        if every and on_checkpoint is not None and sampler.iteration % every == 0:
            on_checkpoint(sampler)
    return sampler


def autocorr_estimate(chain: np.ndarray, burn: int) -> tuple[float | None, float | None]:
    """emcee's integrated autocorrelation time of ``chain[burn:]`` (steps, walkers, parameters):
    the median and the largest over the parameters, in steps; None where no estimate is possible."""
    with np.errstate(invalid="ignore", divide="ignore"):  # a chain of a few steps has no estimate
        tau = emcee.autocorr.integrated_time(chain[burn:], quiet=True)  # warns when shorter than 50 tau
    finite = tau[np.isfinite(tau)]
    if not finite.size:
        return None, None
    return float(np.median(finite)), float(finite.max())


class Checkpoint:
    """Save the chain so far, with the autocorrelation estimate at each checkpoint, to an .npz.

    emcee's rule for convergence is a chain longer than 50 autocorrelation times, with the
    estimate itself no longer growing with the chain; ``tau_history`` (steps, median, largest)
    shows both. A run cut short leaves a chain `--from-chain` summarises.

    Args:
        path: the .npz written (atomically: a temporary file renamed over it).
        names: the parameters' names.
        burn_fraction: share of the chain discarded before each estimate.
        before: a saved chain this run continues (`SavedChain`): its steps come first.
        space: where the sampler's walkers move (`SampledSpace`), None for the parameters.
    """

    def __init__(self, path: str | Path, names: list[str], burn_fraction: float = 0.25,
                 before: SavedChain | None = None, space: SampledSpace | None = None) -> None:
        self.path = Path(path)
        self.names = names
        self.burn_fraction = burn_fraction
        self.before = before
        self.space = space
        self.history: list[tuple[int, float, float]] = (
            [] if before is None else [tuple(row) for row in before.tau_history.tolist()])

    def __call__(self, sampler: emcee.EnsembleSampler) -> None:
        whole = SavedChain.of(sampler, self.before, self.space)
        chain = whole.chain
        burn = int(self.burn_fraction * len(chain))
        median, largest = autocorr_estimate(chain, burn)
        if median is not None:
            self.history.append((len(chain), median, largest))
            print(f"{len(chain)} steps: autocorrelation time median {median:.0f} / max {largest:.0f} "
                  f"steps; the {len(chain) - burn} after the burn-in are {(len(chain) - burn) / largest:.1f} "
                  "of the largest", flush=True)
        whole.tau_history = np.array(self.history, dtype=float).reshape(-1, 3)
        whole.save(self.path, self.names)


class SavedChain:
    """A chain as saved to an .npz: ``chain`` (steps, walkers, d), ``log_prob`` (steps, walkers), the
    walkers' mean ``acceptance`` and ``tau_history`` (checkpoints' steps, median, largest)."""

    def __init__(self, chain: np.ndarray, log_prob: np.ndarray, acceptance: float,
                 tau_history: np.ndarray) -> None:
        self.chain, self.log_prob = chain, log_prob
        self.acceptance, self.tau_history = acceptance, tau_history

    @classmethod
    def load(cls, path: str | Path) -> SavedChain:
        saved = np.load(path)
        return cls(saved["chain"], saved["log_prob"], float(saved["acceptance"]),
                   saved.get("tau_history", np.zeros((0, 3))))

    @classmethod
    def of(cls, sampler: emcee.EnsembleSampler, before: SavedChain | None = None,
           space: SampledSpace | None = None) -> SavedChain:
        """The sampler's chain so far, after ``before``'s steps when it continues a saved chain
        (acceptance: the mean over every step), in the parameters and their log posterior when its
        walkers moved in ``space``."""
        chain, log_prob = sampler.get_chain(), sampler.get_log_prob()
        if space is not None:
            log_prob = log_prob - space.log_jacobian(chain)
            chain = space.to_parameters(chain)
        acceptance = float(np.mean(sampler.acceptance_fraction))
        if before is None:
            return cls(chain, log_prob, acceptance, np.zeros((0, 3)))
        steps = len(before.chain) + len(chain)
        return cls(np.concatenate([before.chain, chain]), np.concatenate([before.log_prob, log_prob]),
                   (before.acceptance * len(before.chain) + acceptance * len(chain)) / steps,
                   before.tau_history)

    def save(self, path: str | Path, names: list[str]) -> None:
        """Write it with the parameters' names to ``path`` (a temporary file renamed over it)."""
        path = Path(path)
        partial = path.with_name(path.name + ".partial.npz")
        np.savez_compressed(partial, chain=self.chain, log_prob=self.log_prob, acceptance=self.acceptance,
                            names=np.array(names), tau_history=self.tau_history)
        partial.replace(path)


def trajectories(cal: Calibrator, draws: np.ndarray, replicates: int, seed: int,
                 scenario: Scenario | None = None) -> np.ndarray:
    """Italy's tilt, month by month, in every replicate under each draw (d, n): one batched run of
    ``replicates`` per draw with the model's seed ``seed`` (`Calibrator.replicate_tilts`) of
    ``scenario`` (the calibration's by default), shape (T, n, replicates). Its mean over the last
    axis is each draw's ensemble mean."""
    runner = copy.copy(cal)
    runner.replicates, runner.seed = int(replicates), int(seed)
    if scenario is not None:
        runner.scenario = scenario
    return runner.replicate_tilts(draws)[..., cal.state_index[cal.state]]


def pick_draws(chain: np.ndarray, burn: int, draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``draws`` distinct draws at random among the kept steps and walkers of ``chain`` (steps,
    walkers, parameters): the draws, (parameters, draws), and their indices in the kept steps
    flattened step-major, as emcee's flat chains."""
    kept = chain[burn:].reshape(-1, chain.shape[2])
    pick = np.random.default_rng(seed).choice(len(kept), size=min(draws, len(kept)), replace=False)
    return kept[pick].T, pick


def pooled_band(runs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The posterior predictive band with both uncertainties: the 5 %, 50 % and 95 % quantiles of
    every replicate of every draw pooled, month by month.

    Args:
        runs: Italy's tilt in each replicate under each draw, (T, draws, replicates).

    Returns:
        Three arrays of shape (T,): q05, median, q95.
    """
    pooled = runs.reshape(runs.shape[0], -1)
    q05, q50, q95 = np.quantile(pooled, [0.05, 0.5, 0.95], axis=1)
    return q05, q50, q95


def spread_parts(runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month by month, the standard deviation between the draws' ensemble means (parameter
    uncertainty) and the mean within-draw standard deviation over replicates (stochastic), (T,) each."""
    return runs.mean(axis=2).std(axis=1), runs.std(axis=2).mean(axis=1)


def rising_draws_apart(x: np.ndarray, rise: np.ndarray, meets: np.ndarray, names: list[str],
                       log_prob: np.ndarray | None = None) -> dict:
    """What sets the draws that meet the rise check apart from the others: each parameter's median
    among the rising draws and among the rest, and its Spearman rank correlation with the rise; with
    ``log_prob``, the two groups' log posterior on the points the chain was conditioned on. Rising
    draws about as probable as the rest mean those points cannot tell the two courses apart.

    Args:
        x: the draws, (parameters, draws).
        rise: each draw's rise of Italy's tilt over the check's window (ensemble mean, tilt units).
        meets: whether each draw meets the rise check, (draws,) booleans.
        names: the parameters' names, in the order of ``x``'s rows.
        log_prob: each draw's log posterior as the chain saved it, (draws,), or None.

    Returns:
        ``draws_rising``, ``parameters`` (name: ``median_rising``, ``median_others``,
        ``rank_correlation_with_rise``; None where a group is empty) and, with ``log_prob``,
        ``log_posterior`` (``median_rising``, ``median_others``).
    """
    def median_of(values: np.ndarray, among: np.ndarray) -> float | None:
        return float(np.median(values[among])) if among.any() else None

    spread = np.ptp(rise) > 0
    out = {"draws_rising": int(meets.sum()), "parameters": {
        name: {"median_rising": median_of(x[j], meets), "median_others": median_of(x[j], ~meets),
               "rank_correlation_with_rise": (float(stats.spearmanr(x[j], rise).statistic)
                                              if spread and np.ptp(x[j]) > 0 else None)}
        for j, name in enumerate(names)}}
    if log_prob is not None:
        out["log_posterior"] = {"median_rising": median_of(log_prob, meets),
                                "median_others": median_of(log_prob, ~meets)}
    return out


#: Months at which the pooled band is printed (those of docs/calibration.md's band tables).
BAND_MONTHS = ("2014-09", "2015-12", "2016-06", "2017-12", "2018-06", "2018-12", "2019-04", "2019-08")

#: ``--until`` for the posterior on every coded point: no origin, nothing forecast.
EVERY_POINT = "all"


def fitted_points(cal: Calibrator, until: str) -> tuple[np.ndarray, int | None]:
    """Which of Italy's points the posterior is conditioned on, and the origin's month number:
    every point for ``EVERY_POINT`` (no origin), else those up to the origin (`origin_mask`)."""
    if until == EVERY_POINT:
        return np.ones(len(cal.steps), bool), None
    return origin_mask(cal, until)


def summarise(cal: Calibrator, until: str, chain: np.ndarray, acceptance: float | None, *, burn: int,
              draws: int, replicates: int, seed: int, checks: dict,
              log_prob: np.ndarray | None = None) -> dict:
    """The posterior predictive forecast of Italy's points after ``until`` from ``draws`` draws
    taken after ``burn`` steps, each run at ``replicates``; see the module docstring.

    Args:
        cal: the committed calibration's calibrator.
        until: the origin, ``YYYY-MM``, or ``EVERY_POINT``.
        chain: the sampler's chain, (steps, walkers, parameters).
        acceptance: the walkers' mean acceptance fraction, if known.
        burn: steps discarded from the start of the chain.
        draws: draws forecast, picked at random among the kept steps and walkers.
        replicates: replicates of each draw's forecast run.
        seed: seed of the pick and of the forecast runs.
        checks: the calibration's shape checks (``rise_from``, ``rise_to``, ``rise_at_least``).
        log_prob: the chain's log posterior, (steps, walkers), if saved: the rising draws' is
            compared with the others' (`rising_draws_apart`).

    The share of draws meeting the rise check is also given for the draws from the first and the
    second half of the kept steps: a chain that has forgotten its start gives the same share in both.
    """
    mask, _ = fitted_points(cal, until)
    steps, walkers, _ = chain.shape
    x, pick = pick_draws(chain, burn, draws, seed)
    runs = trajectories(cal, x, replicates, seed)
    tilt = runs.mean(axis=2)
    pooled_low, pooled_median, pooled_high = pooled_band(runs)
    between, within = spread_parts(runs)
    at_points = tilt[cal.steps]
    y = cal.targets["tilt"].to_numpy()
    months = cal.targets["month"].to_numpy().astype(float)
    mean = at_points.mean(axis=1)
    low, high = np.quantile(at_points, 0.05, axis=1), np.quantile(at_points, 0.95, axis=1)
    inside = (y >= low) & (y <= high)
    in_pooled = (y >= pooled_low[cal.steps]) & (y <= pooled_high[cal.steps])
    start = cal.scenario.start
    rise = tilt[parse_month(checks["rise_to"]) - start] - tilt[parse_month(checks["rise_from"]) - start]
    meets = rise >= checks["rise_at_least"]
    second_half = pick // walkers >= (steps - burn) / 2
    tau_median, tau_max = autocorr_estimate(chain, burn)
    names = [p.name for p in cal.free]
    return {
        "until": until,
        "walkers": walkers, "steps": steps, "burn": burn,
        "acceptance_fraction": None if acceptance is None else float(acceptance),
        "autocorr_time_max": tau_max,
        "autocorr_time_median": tau_median,
        "draws": int(x.shape[1]), "replicates": replicates,
        "in_sample": {"points": int(mask.sum()), "rmse_of_mean": fit_metrics(mean[mask], y[mask])["rmse"],
                      "share_of_points_in_band": float(np.mean(inside[mask])),
                      "share_of_points_in_pooled_band": float(np.mean(in_pooled[mask]))},
        "forecast": [{"date": d, "target": float(t), "mean": float(m), "q05": float(a), "q95": float(b)}
                     for d, t, m, a, b in zip(cal.targets["date"][~mask], y[~mask], mean[~mask],
                                              low[~mask], high[~mask], strict=True)],
        **(forecast_scores(mean[~mask], y, months, mask, inside) if (~mask).any() else {}),
        "share_of_draws_meeting_rise": float(np.mean(meets)),
        "share_of_draws_meeting_rise_by_half": [
            float(np.mean(meets[~second_half])) if (~second_half).any() else None,
            float(np.mean(meets[second_half])) if second_half.any() else None],
        "monthly": {"dates": month_labels(start, start + tilt.shape[0] - 1),
                    "mean": tilt.mean(axis=1).tolist(), "q05": np.quantile(tilt, 0.05, axis=1).tolist(),
                    "q95": np.quantile(tilt, 0.95, axis=1).tolist(),
                    # both uncertainties: every replicate of every draw pooled
                    "pooled_q05": pooled_low.tolist(), "pooled_median": pooled_median.tolist(),
                    "pooled_q95": pooled_high.tolist(),
                    "sd_between_draws": between.tolist(), "sd_within_draws": within.tolist()},
        "rise": {"mean": float(rise.mean()), "q05": float(np.quantile(rise, 0.05)),
                 "q95": float(np.quantile(rise, 0.95))},
        "parameters": {name: {"q05": float(np.quantile(x[j], 0.05)), "median": float(np.median(x[j])),
                              "q95": float(np.quantile(x[j], 0.95))} for j, name in enumerate(names)},
        "rising_draws": rising_draws_apart(
            x, rise, meets, names,
            None if log_prob is None else log_prob[burn:].reshape(-1)[pick]),
    }


def forecast_scores(later_mean: np.ndarray, y: np.ndarray, months: np.ndarray, mask: np.ndarray,
                    inside: np.ndarray) -> dict:
    """The forecast's RMSE against persistence's (the last fitted point held), and the share of the
    later points inside the band.

    Args:
        later_mean: the posterior mean at the later points.
        y: Italy's coded points; ``months`` their month numbers; ``mask`` which are fitted.
        inside: which coded points lie inside the 90 % band.
    """
    persistence = baseline_forecasts(months[mask], y[mask], months[~mask])["last_value_held"]
    return {"rmse_of_mean": fit_metrics(later_mean, y[~mask])["rmse"],
            "persistence_rmse": fit_metrics(persistence, y[~mask])["rmse"],
            "share_of_later_points_in_band": float(np.mean(inside[~mask]))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--until", default="2018-06",
                        help=f"the origin, YYYY-MM, or '{EVERY_POINT}' for the posterior on every coded "
                             "point (its mode is then the committed calibration, not refitted)")
    parser.add_argument("--walkers", type=int, default=64)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--burn", type=int, default=500)
    parser.add_argument("--draws", type=int, default=400, help="posterior draws forecast")
    parser.add_argument("--replicates", type=int, default=50, help="replicates of each draw's forecast")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", default="mode", metavar="NAME",
                        help="start the walkers around the refit's mode (default) or around a parameter "
                             "set of configs/params/ (e.g. calibrated), to check that chains started "
                             "apart agree")
    parser.add_argument("--moves", choices=sorted(MOVES), default="stretch")
    parser.add_argument("--gamma-scale", type=float, default=1.0, metavar="F",
                        help="with --moves de, scale its steps by F (1: emcee's defaults)")
    parser.add_argument("--log-wide-ranges", action="store_true",
                        help="move the walkers in the logarithm of every parameter whose search range "
                             "is positive and spans a factor of 10 or more (the posterior is the same; "
                             "the chain is saved in the parameters)")
    parser.add_argument("--start-from", nargs="+", metavar="NPZ",
                        help="start a new chain from the last positions of chains saved with --chain "
                             "(their walkers together must number --walkers), instead of a ball")
    parser.add_argument("--json")
    parser.add_argument("--chain", help="save the chain and its log posterior to this .npz")
    parser.add_argument("--checkpoint-every", type=int, default=0, metavar="STEPS",
                        help="with --chain, save the chain so far and print the autocorrelation "
                             "estimate every STEPS steps (the estimates are kept in the .npz)")
    parser.add_argument("--resume", metavar="NPZ",
                        help="continue a chain saved with --chain: its walkers' last positions start "
                             "this run and its steps come first in the chain written to --chain (which "
                             "may be the same file). Use another --seed than that chain's: the "
                             "continuation is a valid chain, not the same bits as one run without a stop")
    parser.add_argument("--settings", nargs="+", default=[], metavar="OVERRIDE",
                        help=SETTINGS_HELP)
    parser.add_argument("--mode-set", default="calibrated", metavar="NAME",
                        help=f"with --until {EVERY_POINT}: the parameter set of configs/params/ that "
                             "the calibration with these settings made (the posterior's mode)")
    parser.add_argument("--from-chain", metavar="NPZ",
                        help="summarise a chain saved with --chain instead of sampling (--until and "
                             "--burn as for that chain)")
    args = parser.parse_args()
    settings, base = calibration_settings(args.settings)
    cal = build_calibrator(settings, base)
    mask, cutoff = fitted_points(cal, args.until)
    started = time.perf_counter()
    if args.until == EVERY_POINT:
        kept_fit = set_values(cal, args.mode_set)
        mode = {"x": kept_fit, "objective": float(cal.losses(kept_fit[:, None])[0])}
    else:
        mode = cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                       optimizer_seed=settings["optimizer_seed"], until=cutoff, progress=False)
    history = None
    if args.from_chain:
        saved = np.load(args.from_chain)
        chain = saved["chain"]
        log_prob = saved.get("log_prob")
        acceptance = float(saved["acceptance"]) if "acceptance" in saved else None
        history = saved.get("tau_history")
    else:
        log_posterior = LogPosterior(cal, cutoff)
        start = (np.asarray(mode["x"]) if args.start == "mode"
                 else set_values(cal, args.start))
        names = [p.name for p in cal.free]
        before, initial = None, None
        if args.resume and args.start_from:
            parser.error("--resume continues one saved chain; --start-from starts a new one: give one")
        if args.gamma_scale != 1.0 and args.moves != "de":
            parser.error("--gamma-scale scales the differential-evolution moves: use it with --moves de")
        if not args.gamma_scale > 0:
            parser.error(f"--gamma-scale is {args.gamma_scale}; a positive number (1: emcee's defaults)")
        for path in (args.start_from or []) + ([args.resume] if args.resume else []):
            if not Path(path).is_file():
                parser.error(f"{path}: no such chain (a .npz saved with --chain)")
        if args.start_from:
            initial = np.concatenate([SavedChain.load(path).chain[-1] for path in args.start_from])
            if initial.shape != (args.walkers, len(names)):
                parser.error(f"--start-from: the chains' last steps hold {initial.shape[0]} walkers of "
                             f"{initial.shape[1]} parameters; --walkers is {args.walkers} and the "
                             f"calibration frees {len(names)}")
        if args.resume:
            if not args.chain:
                parser.error("--resume needs --chain (where the continued chain is written)")
            before = SavedChain.load(args.resume)
            if before.chain.shape[1:] != (args.walkers, len(names)):
                parser.error(f"--resume {args.resume}: its chain has {before.chain.shape[1]} walkers and "
                             f"{before.chain.shape[2]} parameters; --walkers is {args.walkers} and the "
                             f"calibration frees {len(names)}")
            initial = before.chain[-1]
        space = SampledSpace.wide_ranges_in_log(log_posterior) if args.log_wide_ranges else None
        checkpoint = Checkpoint(args.chain, names, before=before, space=space) if args.chain else None
        sampler = sample(log_posterior, start, walkers=args.walkers, steps=args.steps,
                         seed=args.seed, moves=args.moves, every=args.checkpoint_every,
                         on_checkpoint=checkpoint, initial=initial, space=space,
                         gamma_scale=args.gamma_scale)
        whole = SavedChain.of(sampler, before, space)
        chain, log_prob, acceptance = whole.chain, whole.log_prob, whole.acceptance
        if args.chain:
            if not (args.checkpoint_every and sampler.iteration % args.checkpoint_every == 0):
                checkpoint(sampler)  # else the last step's checkpoint has written it
            history = np.array(checkpoint.history).reshape(-1, 3)
    out = summarise(cal, args.until, chain, acceptance, burn=args.burn, draws=args.draws,
                    replicates=args.replicates, seed=args.seed, checks=settings["checks"],
                    log_prob=log_prob)
    if history is not None and len(history):
        out["tau_history"] = [{"steps": int(n), "median": float(m), "max": float(x)} for n, m, x in history]
    mode_run = report_run(cal, cal.values_as_params(mode["x"]), replicates=settings["report_replicates"],
                          seed=settings["seed"])
    mode_tilt = mode_run.mean_tilt(cal.state)
    coded, at_points = cal.targets["tilt"].to_numpy(), mode_tilt[cal.steps]
    out["mode"] = {"objective": float(mode["objective"]),
                   "in_sample_rmse": fit_metrics(at_points[mask], coded[mask])["rmse"],
                   "rmse": fit_metrics(at_points[~mask], coded[~mask])["rmse"] if (~mask).any() else None,
                   "monthly": [float(v) for v in mode_tilt]}
    if args.from_chain:
        out["from_chain"] = args.from_chain  # how that chain was drawn is in its own run's output
    else:
        out["moves"], out["start"] = args.moves, args.start_from or args.start
        out["gamma_scale"], out["log_wide_ranges"] = args.gamma_scale, args.log_wide_ranges
    out["wall_time_s"] = time.perf_counter() - started
    tau = (f"median {out['autocorr_time_median']:.0f} / max {out['autocorr_time_max']:.0f} steps"
           if out["autocorr_time_max"] is not None else "not estimable (too few steps)")
    accepted = "unknown" if out["acceptance_fraction"] is None else f"{out['acceptance_fraction']:.2f}"
    how = (f"chain {args.from_chain}" if args.from_chain
           else f"{args.moves} moves, started around {args.start}")
    print(f"origin {args.until} ({how}): "
          f"{out['walkers']} walkers x {out['steps']} steps (burn {out['burn']}), "
          f"acceptance {accepted}, autocorrelation time {tau}")
    fit = out["in_sample"]
    print(f"Italy's {fit['points']} fitted points, {out['draws']} draws: RMSE of the mean "
          f"{fit['rmse_of_mean']:.3f} (mode {out['mode']['in_sample_rmse']:.3f}); "
          f"{fit['share_of_points_in_band']:.0%} of them inside the 90 % band")
    if "rmse_of_mean" in out:
        print(f"forecast of Italy's later points: RMSE of the mean {out['rmse_of_mean']:.3f} "
              f"(mode {out['mode']['rmse']:.3f}, persistence {out['persistence_rmse']:.3f}); "
              f"{out['share_of_later_points_in_band']:.0%} of the points inside the 90 % band")
    print(f"{fit['share_of_points_in_pooled_band']:.0%} of Italy's fitted points inside the pooled 90 % band "
          "(every replicate of every draw: parameter and stochastic uncertainty together)")
    monthly = out["monthly"]
    for date in BAND_MONTHS:
        if date in monthly["dates"]:
            t = monthly["dates"].index(date)
            print(f"  {date}: pooled {monthly['pooled_q05'][t]:+.2f} to {monthly['pooled_q95'][t]:+.2f} "
                  f"(median {monthly['pooled_median'][t]:+.2f}); sd between draws "
                  f"{monthly['sd_between_draws'][t]:.3f}, within {monthly['sd_within_draws'][t]:.3f}")
    print(f"the rise check met in {out['share_of_draws_meeting_rise']:.0%} of draws "
          f"(rise {out['rise']['mean']:+.2f}, 90 % {out['rise']['q05']:+.2f} to {out['rise']['q95']:+.2f})")
    first, second = out["share_of_draws_meeting_rise_by_half"]
    if first is not None and second is not None:
        print(f"the rise check met by the draws from the first / second half of the kept steps: "
              f"{first:.0%} / {second:.0%}")
    apart = out["rising_draws"]
    if 0 < apart["draws_rising"] < out["draws"]:
        correlated = sorted(((v["rank_correlation_with_rise"], k) for k, v in apart["parameters"].items()
                             if v["rank_correlation_with_rise"] is not None),
                            key=lambda pair: -abs(pair[0]))[:4]
        parts = [f"{name} {apart['parameters'][name]['median_rising']:.3g} / "
                 f"{apart['parameters'][name]['median_others']:.3g} ({rho:+.2f})" for rho, name in correlated]
        print(f"what sets the {apart['draws_rising']} rising draws apart (median rising / others; "
              f"rank correlation with the rise): {'; '.join(parts)}")
        if "log_posterior" in apart:
            lp = apart["log_posterior"]
            print(f"  log posterior on the fitted points, median: rising {lp['median_rising']:.1f}, "
                  f"others {lp['median_others']:.1f}")
    for row in out["forecast"]:
        print(f"  {row['date']}: coded {row['target']:+.2f}, forecast {row['mean']:+.2f} "
              f"({row['q05']:+.2f} to {row['q95']:+.2f})")
    print(f"{out['wall_time_s']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
