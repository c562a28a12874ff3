"""Best response of a state's support across factions, and its random-utility shocks."""

from __future__ import annotations

import numpy as np

from sim.core.sums import sum_rows


def best_response(values: np.ndarray, rationality, outside_option) -> np.ndarray:
    """Logit best response with an outside option (not engaging).

    support_f = exp(b V_f) / (exp(b v0) + sum_g exp(b V_g)).

    Args:
        values: a state's valuation of each faction it can back, shape (C, R).
        rationality: logit precision b >= 0 (scalar or (R,)), per unit of value.
        outside_option: value v0 of backing nobody (scalar or (R,)).

    Returns:
        Support shares, shape (C, R): non-negative, summing to at most 1 per replicate.
    """
    weights = rationality * values
    outside = rationality * outside_option
    top = np.maximum(weights.max(axis=0), outside)
    weights -= top
    np.exp(weights, out=weights)
    weights /= sum_rows(weights) + np.exp(outside - top)
    return weights


def best_responses(values: np.ndarray, rationality, outside_option, *,
                   overwrite: bool = False) -> np.ndarray:
    """`best_response` for every state at once, with the same bits as each state's alone.

    Args:
        values: each state's valuation of each faction it can back, shape (S, C, R).
        rationality: logit precision b >= 0 (scalar or (R,)), per unit of value.
        outside_option: value v0 of backing nobody (scalar or (R,)).
        overwrite: the shares may be computed in ``values``' memory (one array fewer), when
            ``rationality`` x ``values`` keeps its type.

    Returns:
        Support shares, shape (S, C, R).
    """
    if overwrite and np.result_type(values, rationality) == values.dtype:
        weights = np.multiply(values, rationality, out=values)
    else:
        weights = rationality * values
    outside = rationality * outside_option
    top = np.maximum(weights.max(axis=1), outside)
    weights -= top[:, None]
    np.exp(weights, out=weights)
    total = weights[:, 0].copy()  # the factions added one after another, as `sum_rows` does
    for row in range(1, weights.shape[1]):
        total += weights[:, row]
    weights /= (total + np.exp(outside - top))[:, None]
    return weights


def logistic_noise(uniforms: np.ndarray, scale=1.0) -> np.ndarray:
    """Logistic random-utility shocks from uniforms in (0, 1): scale * log(u / (1 - u))."""
    shocks = 1.0 - uniforms
    np.divide(uniforms, shocks, out=shocks)
    np.log(shocks, out=shocks)
    return shocks if np.isscalar(scale) and scale == 1.0 else scale * shocks
