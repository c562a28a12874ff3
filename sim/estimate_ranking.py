"""Which estimates decide a course over joint draws of them: rank correlations and the share of an
outcome's variance the ranks of the leading ones explain (`python -m sim.robustness`'s
``estimates.decisive``; `scripts/draws_study.py`).

The draws are a table with one row per joint draw: a column per estimate (its drawn value, named by
its path, `sim.scenario.estimates`) and the measured outcomes (``rise``, ``final``...).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

#: How many of the leading estimates `decisive` reports.
DECISIVE_TOP = 8


def rank_correlations(draws: pd.DataFrame, estimates: Sequence[str]) -> pd.DataFrame:
    """Spearman's correlation of each of ``estimates`` (columns of ``draws``) with the ``rise`` and
    with the ``final`` tilt, the strongest on the rise first (a constant column correlates 0)."""
    def rho(column: str, outcome: str) -> float:
        if draws[column].nunique() < 2 or draws[outcome].nunique() < 2:
            return 0.0
        return float(spearmanr(draws[column], draws[outcome])[0])

    table = pd.DataFrame([{"estimate": c, "rise": rho(c, "rise"), "final": rho(c, "final")}
                          for c in estimates], columns=["estimate", "rise", "final"])
    order = table["rise"].abs().sort_values(ascending=False, kind="stable").index
    return table.reindex(order).reset_index(drop=True)


def explained(draws: pd.DataFrame, estimates: Sequence[str], outcome: str = "rise") -> float:
    """R² of a least-squares fit of ``outcome`` on the ranks of ``estimates`` (with an intercept):
    the share of the outcome's variance across the draws that they explain, monotonically."""
    ranks = np.column_stack([np.ones(len(draws))] + [draws[c].rank().to_numpy() for c in estimates])
    values = draws[outcome].to_numpy(dtype=float)
    coef, *_ = np.linalg.lstsq(ranks, values, rcond=None)
    variance = values.var()
    return float(1.0 - (values - ranks @ coef).var() / variance) if variance > 0 else 0.0


def decisive(draws: pd.DataFrame, estimates: Sequence[str], top: int = DECISIVE_TOP) -> dict:
    """``robustness.json``'s ``estimates.decisive``: the ``top`` estimates most rank-correlated with
    the rise (each with its correlation with the rise and the final tilt), and the share of the
    rise's variance the ranks of the first 1, 2, 4 and 8 of them explain."""
    table = rank_correlations(draws, estimates).head(top)
    leading = list(table["estimate"])
    sizes = [k for k in (1, 2, 4, 8) if k <= len(leading)]
    return {"by_rank_correlation_with_the_rise": table.to_dict(orient="records"),
            "rise_variance_explained_by_the_first": {str(k): explained(draws, leading[:k]) for k in sizes}}
