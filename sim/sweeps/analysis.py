"""Sensitivity indices from a finished sweep's tables (SALib); the model is never re-run.

Sobol' (Saltelli's design): first-order and total indices with bootstrap confidence half-widths.
Morris (elementary effects): mu_star (the mean absolute effect, in the outcome's unit per unit of
the dimension's range) and sigma (their spread: interactions or non-linearity).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.sweeps.design import Dimension, salib_problem

#: The designs whose tables give sensitivity indices.
ANALYSED: tuple[str, ...] = ("sobol", "morris")


def outcome_key(outcome: str, state: str) -> str:
    """The key of one outcome of one state in sensitivity.json: ``name[STATE]`` (``name`` alone
    when the evaluation has no states)."""
    return f"{outcome}[{state}]" if state else outcome


def outcome_series(outcomes: pd.DataFrame, names: Sequence[str]) -> dict[str, pd.Series]:
    """Each outcome of each state on the ensemble-mean trajectories, indexed by point."""
    ensemble = outcomes[outcomes["statistic"] == "ensemble"]
    series: dict[str, pd.Series] = {}
    for state, rows in ensemble.groupby("state", sort=False):
        rows = rows.set_index("point").sort_index()
        for name in names:
            if rows[name].notna().any():
                series[outcome_key(name, str(state))] = rows[name]
    return series


def sensitivity(design_name: str, design: pd.DataFrame, outcomes: pd.DataFrame,
                dimensions: Sequence[Dimension], names: Sequence[str], *, seed: int,
                morris_levels: int = 4) -> dict[str, Any]:
    """``{outcome key: {dimension or group: indices}}`` for a sobol or morris design (a group's
    dimensions are judged together, `sim.sweeps.design.groups_of`).

    Args:
        design_name: ``sobol`` or ``morris``.
        design: the design table (``point`` and one column per dimension).
        outcomes: the outcome table (`sim.sweeps.outcomes.outcome_table`'s columns).
        dimensions: the design's dimensions (names and bounds, as sampled).
        names: the outcomes analysed.
        seed: the bootstrap's seed (a Generator is passed: SALib takes seed 0 for no seed).
        morris_levels: the levels the Morris design was drawn with.

    Returns:
        For sobol, per dimension (or group) ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; for morris ``mu_star``,
        ``mu_star_conf``, ``sigma``. An outcome with a missing value (a turning month that never
        comes) gets ``{"skipped": reason}`` instead.
    """
    from SALib.analyze import morris, sobol

    problem = salib_problem(dimensions)
    analysed = list(dict.fromkeys(problem.get("groups", problem["names"])))  # SALib's order: first appearance
    X = design[problem["names"]].to_numpy(dtype=float)
    report: dict[str, Any] = {}
    for key, values in outcome_series(outcomes, names).items():
        Y = values.reindex(design["point"]).to_numpy(dtype=float)
        missing = int(np.isnan(Y).sum())
        if missing:
            report[key] = {"skipped": f"{missing} of {len(Y)} points have no value"}
            continue
        rng = np.random.default_rng(seed)
        if design_name == "sobol":
            found = sobol.analyze(problem, Y, calc_second_order=True, seed=rng, print_to_console=False)
            fields = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            found = morris.analyze(problem, X, Y, num_levels=morris_levels, seed=rng,
                                   print_to_console=False)
            fields = ("mu_star", "mu_star_conf", "sigma")
        report[key] = {name: {f: float(found[f][j]) for f in fields}
                       for j, name in enumerate(analysed)}
    return report
