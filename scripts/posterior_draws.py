"""A draws table of the posterior (``configs/posterior_draws/NAME.csv``) from chains saved by
``scripts/posterior_forecast.py --until all --chain``, for ``python -m sim.run posterior=NAME``.

Draws ``--draws`` positions at random, without replacement, among the kept steps (after each
chain's burn-in) and walkers of every chain pooled, and writes them in random order, one row per
draw and one column per fitted parameter (the chain's ``names``), with the full precision of the
chain. The ``#`` lines before the table say where it came from: each chain's file name, steps,
walkers, burn-in, acceptance and last autocorrelation estimate, the seed, and ``--note`` lines
(the settings the chains were sampled with, their convergence).

    python scripts/posterior_draws.py de_log.npz:3438 de_log2b.npz:3750 --draws 400 --seed 0 \\
        --out configs/posterior_draws/calibrated.csv --note "..."
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import numpy as np

from sim.checkpoint import write_atomic


def parse_chain(text: str) -> tuple[Path, int]:
    """``PATH:BURN`` -> (path, burn-in steps)."""
    path, sep, burn = text.rpartition(":")
    if not sep or not burn.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: give PATH:BURN, e.g. chain.npz:3438")
    if not Path(path).is_file():
        raise argparse.ArgumentTypeError(f"{path}: no such chain")
    return Path(path), int(burn)


def pooled_draws(chains: list[np.ndarray], burns: list[int], draws: int, seed: int) -> np.ndarray:
    """``draws`` rows drawn without replacement from every chain's kept steps and walkers pooled.

    Args:
        chains: each (steps, walkers, parameters), the same parameters in the same order.
        burns: steps discarded from each chain's start.
        draws: rows wanted (at most the kept positions).
        seed: the generator's seed.

    Returns:
        Shape (draws, parameters), in random order.
    """
    kept = np.concatenate([c[b:].reshape(-1, c.shape[2]) for c, b in zip(chains, burns, strict=True)])
    if draws > len(kept):
        raise ValueError(f"{draws} draws asked, the chains keep {len(kept)} positions")
    return kept[np.random.default_rng(seed).choice(len(kept), size=draws, replace=False)]


def table_text(names: list[str], rows: np.ndarray, header: list[str]) -> str:
    """The CSV text: ``#`` lines, the column names, one row per draw (``repr`` precision)."""
    out = io.StringIO()
    for line in header:
        out.write(f"# {line}\n" if line else "#\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([[repr(float(v)) for v in row] for row in rows])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chains", nargs="+", type=parse_chain, help="PATH:BURN of each chain")
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--note", action="append", default=[], help="a line for the header (repeatable)")
    args = parser.parse_args()
    if Path(args.out).exists():
        parser.error(f"{args.out} exists; a draws table is not overwritten")
    saved = [np.load(path) for path, _ in args.chains]
    names = [str(n) for n in saved[0]["names"]]
    for (path, _), s in zip(args.chains, saved, strict=True):
        if [str(n) for n in s["names"]] != names:
            parser.error(f"{path}: its parameters differ from the first chain's ({names})")
    chains = [s["chain"] for s in saved]
    burns = [burn for _, burn in args.chains]
    rows = pooled_draws(chains, burns, args.draws, args.seed)
    header = [f"{args.draws} draws of the posterior, at random without replacement (seed {args.seed}) "
              f"from the kept steps of {len(chains)} chains pooled (scripts/posterior_draws.py):"]
    for (path, burn), s in zip(args.chains, saved, strict=True):
        tau = s["tau_history"][-1, 2] if "tau_history" in s and len(s["tau_history"]) else float("nan")
        steps, walkers = s["chain"].shape[:2]
        header.append(f"  {path.name}: {steps} steps x {walkers} walkers, burn-in {burn}, acceptance "
                      f"{float(s['acceptance']):.2f}, largest autocorrelation time {tau:.0f} "
                      f"({(steps - burn) / tau:.1f} of them kept)")
    header += args.note
    write_atomic(Path(args.out), table_text(names, rows, header))
    print(f"{args.out}: {len(rows)} draws x {len(names)} parameters")


if __name__ == "__main__":
    main()
