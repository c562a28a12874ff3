"""Do two draws tables of the posterior describe the same posterior? (docs/calibration.md,
"Parameter uncertainty")

Compares two tables written by ``scripts/posterior_draws.py`` (for example the committed
``configs/posterior_draws/calibrated.csv`` and draws of the same chains carried on longer), one
parameter at a time:

- each table's 5 %, 50 % and 95 % quantiles;
- the gap between the two medians, in units of the pooled standard deviation;
- the two-sample Kolmogorov-Smirnov statistic (the largest gap between the two empirical
  distribution functions) and its p-value (``scipy.stats.ks_2samp``). With one test per parameter,
  about one parameter in twenty falls under p = 0.05 by chance alone, so the summary gives the
  smallest p-value beside the Bonferroni threshold, 0.05 over the number of parameters.

Draws of one posterior give p-values spread evenly over [0, 1]; a table drawn from chains that had
not yet reached the posterior's spread gives small ones on the parameters it had not explored.

    python scripts/draws_agreement.py configs/posterior_draws/calibrated.csv longer.csv --json agreement.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

QUANTILES = (0.05, 0.5, 0.95)
ALPHA = 0.05


def read_draws(path: str | Path) -> pd.DataFrame:
    """A draws table: one row per draw, one column per parameter (its ``#`` lines skipped)."""
    return pd.read_csv(path, comment="#")


def agreement(first: pd.DataFrame, second: pd.DataFrame) -> dict:
    """Per parameter: both tables' quantiles, the median gap in pooled sd, the KS test.

    Args:
        first, second: draws tables with the same columns (any order), one row per draw.

    Returns:
        ``{"parameters": {name: {...}}, "worst": {...}}``; ``worst`` holds the largest median gap,
        the largest KS statistic, the smallest p-value, the Bonferroni threshold and how many
        parameters fall under 0.05 and under it.

    Raises:
        ValueError: if the two tables do not have the same columns.
    """
    if set(first.columns) != set(second.columns):
        raise ValueError(f"the tables' columns differ: {sorted(set(first.columns) ^ set(second.columns))}")
    parameters = {}
    for name in first.columns:
        a, b = first[name].to_numpy(float), second[name].to_numpy(float)
        pooled_sd = float(np.std(np.concatenate([a, b]), ddof=1))
        gap = abs(float(np.median(a) - np.median(b)))
        test = ks_2samp(a, b)
        parameters[name] = {
            "quantiles": [np.quantile(a, QUANTILES).tolist(), np.quantile(b, QUANTILES).tolist()],
            "median_gap_in_sd": gap / pooled_sd if pooled_sd > 0 else 0.0,
            "ks_statistic": float(test.statistic),
            "ks_p_value": float(test.pvalue),
        }
    p_values = [p["ks_p_value"] for p in parameters.values()]
    bonferroni = ALPHA / len(parameters)
    worst = {
        "median_gap_in_sd": max(p["median_gap_in_sd"] for p in parameters.values()),
        "ks_statistic": max(p["ks_statistic"] for p in parameters.values()),
        "ks_p_value": min(p_values),
        "bonferroni_threshold": bonferroni,
        "under_alpha": int(sum(p < ALPHA for p in p_values)),
        "under_bonferroni": int(sum(p < bonferroni for p in p_values)),
    }
    return {"draws": [len(first), len(second)], "parameters": parameters, "worst": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", help="a draws table (CSV from scripts/posterior_draws.py)")
    parser.add_argument("second", help="the other")
    parser.add_argument("--json")
    args = parser.parse_args()
    out = agreement(read_draws(args.first), read_draws(args.second))
    out["files"] = [args.first, args.second]
    print(f"{'parameter':24s} {'5/50/95 % (first)':>28s} {'5/50/95 % (second)':>28s} {'gap/sd':>7s} "
          f"{'KS':>6s} {'p':>7s}")
    for name, p in out["parameters"].items():
        first, second = ("/".join(f"{v:.3g}" for v in q) for q in p["quantiles"])
        print(f"{name:24s} {first:>28s} {second:>28s} {p['median_gap_in_sd']:7.2f} "
              f"{p['ks_statistic']:6.3f} {p['ks_p_value']:7.3f}")
    w = out["worst"]
    print(f"{out['draws'][0]} and {out['draws'][1]} draws; largest median gap "
          f"{w['median_gap_in_sd']:.2f} sd, "
          f"largest KS statistic {w['ks_statistic']:.3f}, smallest p {w['ks_p_value']:.3f}; "
          f"{w['under_alpha']} of {len(out['parameters'])} parameters under p = {ALPHA}, "
          f"{w['under_bonferroni']} under the Bonferroni threshold {w['bonferroni_threshold']:.4f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
