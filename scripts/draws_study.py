"""Which estimates decide the shape checks over the joint draws, and what narrowing one would buy
(docs/calibration.md, "Robust to every estimate? Measured, not met").

Reads ``estimate_draws.csv`` of a ``python -m sim.robustness`` folder (one row per Latin-hypercube
draw: every estimate's value, the focus state's rise and final tilt, and whether each shape check
holds) and prints:

- the estimates most rank-correlated (Spearman) with the rise, with their correlation with the
  final tilt;
- the share of the rise's variance across the draws that a linear model on the ranks of the top
  1, 2, 4 and 8 of them explains (R^2);
- for one estimate (``--band-of``), the share of draws meeting each check among the draws whose
  value falls in narrower bands around ``--centre`` (``--half-widths``): what sourcing that
  estimate to a narrower range would buy, read off the same draws (no new runs).

    python -m sim.robustness hydra.run.dir=/tmp/rob
    python scripts/draws_study.py /tmp/rob --band-of factions.SHURA_COUNCILS.extremist --centre 0.6
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.estimate_ranking import explained, rank_correlations


def estimate_columns(draws: pd.DataFrame) -> list[str]:
    """The columns that hold an estimate's drawn value (``kind.id.field``, no spaces): not the
    measures, whose names may hold dots too (``mean: FRA tilt > 0 over 2017-01..2019-08``,
    ``refit holds: ...``)."""
    return [c for c in draws.columns if c.count(".") >= 2 and " " not in c]


def band_shares(draws: pd.DataFrame, estimate: str, centre: float,
                half_widths: list[float]) -> list[dict]:
    """For each half-width h: the draws with ``estimate`` in [centre - h, centre + h], their
    number, and the share of them meeting each check and all of them."""
    checks = [c for c in draws.columns if c.startswith("holds: ")]
    out = []
    for h in half_widths:
        inside = draws[(draws[estimate] >= centre - h) & (draws[estimate] <= centre + h)]
        out.append({"half_width": h, "draws": len(inside),
                    **{c.removeprefix("holds: "): float(inside[c].mean()) for c in checks},
                    "all": float(inside[checks].all(axis=1).mean())})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path, help="a sim.robustness results folder")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--band-of", help="an estimate column, e.g. factions.SHURA_COUNCILS.extremist")
    parser.add_argument("--centre", type=float)
    parser.add_argument("--half-widths", type=float, nargs="+", default=[1.0, 0.15, 0.1, 0.05])
    args = parser.parse_args()
    draws = pd.read_csv(args.folder / "estimate_draws.csv")
    table = rank_correlations(draws, estimate_columns(draws))
    print(f"{len(draws)} draws, {len(estimate_columns(draws))} estimates")
    for row in table.head(args.top).itertuples():
        print(f"  {row.estimate:45s} rank correlation with the rise {row.rise:+.2f}, "
              f"with the final tilt {row.final:+.2f}")
    for k in (1, 2, 4, 8):
        print(f"  top {k}: R^2 of the rise {explained(draws, list(table['estimate'][:k])):.2f}")
    if args.band_of:
        for b in band_shares(draws, args.band_of, args.centre, args.half_widths):
            shares = ", ".join(f"{k} {v:.0%}" for k, v in b.items() if k not in ("half_width", "draws"))
            print(f"  {args.band_of} within {args.centre} +- {b['half_width']}: {b['draws']} draws; {shares}")


if __name__ == "__main__":
    main()
