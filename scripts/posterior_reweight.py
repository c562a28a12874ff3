"""A posterior's draws carried to a neighbouring model by importance sampling, with its diagnostic
(docs/calibration.md, "Parameter uncertainty").

The draws of ``configs/posterior_draws/NAME.csv`` are a sample of the calibration's posterior
under one set of settings (``--from``, Hydra overrides of ``configs/calibration.yaml``; none: the
committed settings). Under other settings (``--to``, e.g. ``params.anticipation=2``) the same
parameters have another log posterior, -N x objective / 2 on the same points (``LogPosterior`` of
``scripts/posterior_forecast.py``). Each draw's importance weight is the ratio of the two
posteriors; Pareto-smoothed (PSIS; Vehtari, Simpson, Gelman, Yao and Gabry 2024, with ArviZ's
``psislw``), its shape estimate k-hat says whether the weighted draws can be trusted (k-hat < 0.7)
and the effective sample size 1 / sum(w^2) how many independent draws they are worth. The draws
are then resampled with replacement by those weights (``--draws`` rows, seed ``--seed``) and
written as a draws table for ``python -m sim.run posterior=...``, with the diagnostic in its
``#`` header.

    python scripts/posterior_reweight.py configs/posterior_draws/calibrated.csv \\
        --to params.anticipation=2 --out reweighted.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from posterior_draws import table_text
from posterior_forecast import EVERY_POINT, LogPosterior, fitted_points

from sim.calibrate import build_calibrator, calibration_settings
from sim.checkpoint import write_atomic
from sim.posterior import load_posterior


def read_draws(path: Path) -> tuple[list[str], np.ndarray, list[str]]:
    """A draws table's column names, rows (draws, parameters) and ``#`` header lines (their
    indentation kept), read and checked by `sim.posterior.load_posterior`."""
    table = load_posterior(str(path)).table
    header = [line[2:] if line.startswith("# ") else line[1:]
              for line in path.read_text().splitlines() if line.startswith("#")]
    return list(table.columns), table.to_numpy(dtype=float), header


def log_posterior(overrides: list[str], names: list[str], draws: np.ndarray) -> np.ndarray:
    """Each draw's log posterior on every coded point under the calibration settings with
    ``overrides`` (the draws' columns must be that calibration's free parameters, in order)."""
    settings, base = calibration_settings(overrides)
    cal = build_calibrator(settings, base)
    free = [p.name for p in cal.free]
    if free != names:
        raise SystemExit(f"the draws' columns {names} are not the calibration's free parameters {free}")
    _, cutoff = fitted_points(cal, EVERY_POINT)
    return LogPosterior(cal, cutoff)(draws)


def psis(log_ratios: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Pareto-smoothed normalised weights, their shape estimate k-hat and effective sample size."""
    import arviz

    smoothed, k_hat = arviz.psislw(log_ratios.copy(), reff=1.0)
    weights = np.exp(smoothed - smoothed.max())
    weights /= weights.sum()
    return weights, float(k_hat), float(1.0 / np.sum(weights**2))


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value whose cumulative weight reaches one half."""
    order = np.argsort(values)
    return float(values[order][np.searchsorted(np.cumsum(weights[order]), 0.5)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("draws", type=Path, help="a draws table (configs/posterior_draws/NAME.csv)")
    parser.add_argument("--from", dest="source", nargs="*", default=[], metavar="OVERRIDE",
                        help="the settings the draws were sampled under (none: the committed ones)")
    parser.add_argument("--to", nargs="*", default=[], metavar="OVERRIDE",
                        help="the settings to carry them to (none: the committed ones)")
    parser.add_argument("--draws", dest="count", type=int, default=400, help="rows resampled")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} exists; results are not overwritten")
    names, draws, header = read_draws(args.draws)
    before = log_posterior(args.source, names, draws)
    after = log_posterior(args.to, names, draws)
    ratios = after - before
    if not np.any(ratios != ratios[0]):
        parser.error("--from and --to give every draw the same posterior: nothing to carry")
    if not np.all(np.isfinite(ratios)):
        parser.error(f"{int((~np.isfinite(ratios)).sum())} draws fall outside the search ranges of --to")
    weights, k_hat, ess = psis(ratios)
    picked = np.random.default_rng(args.seed).choice(len(draws), size=args.count, replace=True, p=weights)
    verdict = "reliable (k-hat < 0.7)" if k_hat < 0.7 else "NOT reliable (k-hat >= 0.7)"
    print(f"{len(draws)} draws of {args.draws}: log ratio {ratios.min():.2f} to {ratios.max():.2f} "
          f"(sd {ratios.std():.2f}); PSIS k-hat {k_hat:.3f}, {verdict}; effective sample size {ess:.0f}; "
          f"{len(np.unique(picked))} distinct draws among the {args.count} resampled")
    for name, column in zip(names, draws.T, strict=True):
        was, now = np.median(column), weighted_median(column, weights)
        print(f"  {name:22s} median {was:9.4f} -> {now:9.4f} ({(now - was) / column.std():+.2f} sd)")
    source, target = args.source or "committed", args.to or "committed"
    lines = [f"{args.count} draws resampled with replacement (seed {args.seed}) by Pareto-smoothed "
             f"importance weights (scripts/posterior_reweight.py) from the {len(draws)} draws of "
             f"{args.draws}, carried from the settings {source} to {target}: PSIS k-hat {k_hat:.3f}, "
             f"effective sample size {ess:.0f}, {len(np.unique(picked))} distinct draws. "
             "The header of the draws carried:",
             *(f"  {line}" for line in header)]
    write_atomic(args.out, table_text(names, draws[picked], lines))
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
