"""Best response and inertial adjustment of a state's support across factions."""

from __future__ import annotations

import numpy as np


def best_response(values: np.ndarray, rationality, outside_option) -> np.ndarray:
    """Logit best response with an outside option (not engaging).

    support_f = exp(b V_f) / (exp(b v0) + sum_g exp(b V_g)); factions with V = -inf get 0.

    Args:
        values: a state's valuation of each faction, shape (R, F); -inf for factions it cannot back.
        rationality: logit precision b >= 0 (scalar or (R, 1)), per unit of value.
        outside_option: value v0 of backing nobody (scalar or (R, 1)).

    Returns:
        Support shares, shape (R, F): non-negative, summing to at most 1 per replicate.
    """
    scaled = rationality * values
    outside = np.broadcast_to(rationality * outside_option, (values.shape[0], 1))
    top = np.maximum(scaled.max(axis=1, keepdims=True), outside)
    weights = np.exp(scaled - top)
    return weights / (weights.sum(axis=1, keepdims=True) + np.exp(outside - top))


def move_toward(current: np.ndarray, target: np.ndarray, inertia) -> np.ndarray:
    """Close a fraction ``inertia`` (in (0, 1]) of the gap between current and target support.

    A convex combination of two feasible alignments, so the result stays feasible.
    """
    return current + inertia * (target - current)


def logistic_noise(uniforms: np.ndarray, scale) -> np.ndarray:
    """Logistic random-utility shocks from uniforms in (0, 1): scale * log(u / (1 - u))."""
    return scale * np.log(uniforms / (1.0 - uniforms))
