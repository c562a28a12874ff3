"""Goodness of fit: arrays in, numbers out (no model runs, no files).

Shapes: T months, P candidates (or 1), S states, n documented points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pattern:
    """A documented alignment pattern of another state: sign of its tilt over a window.

    Attributes:
        state: the state's id.
        sign: +1 (leans to the LNA: tilt > 0) or -1 (leans to Tripoli: tilt < 0).
        start, end: the window's first and last model steps (inclusive).
        source: where the pattern is documented.
    """

    state: str
    sign: int
    start: int
    end: int
    source: str = ""


def chi2_per_point(model: np.ndarray, target: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Mean of ((model - target) / sigma)^2 over points.

    Args:
        model: ensemble-mean tilt at the target months, shape (n, P).
        target: documented tilt, shape (n,).
        sigma: coding uncertainty, shape (n,).

    Returns:
        Shape (P,).
    """
    z = (model - target[:, None]) / sigma[:, None]
    return np.mean(z**2, axis=0)


def pattern_violation(mean_tilt: np.ndarray, state_index: dict[str, int],
                      patterns: list[Pattern]) -> np.ndarray:
    """Sum over patterns of the mean squared violation of the sign over the window.

    Args:
        mean_tilt: ensemble-mean tilt, shape (T, P, S).
        state_index: state id -> column in the last axis.
        patterns: the documented patterns.

    Returns:
        Shape (P,): 0 when every pattern holds in every month of its window.
    """
    total = np.zeros(mean_tilt.shape[1])
    for pattern in patterns:
        window = mean_tilt[pattern.start : pattern.end + 1, :, state_index[pattern.state]]
        wrong_side = np.maximum(0.0, -pattern.sign * window)
        total += np.mean(wrong_side**2, axis=0)
    return total


def fit_metrics(model: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """RMSE, largest absolute error and R^2 of model values against targets (both (n,))."""
    error = model - target
    total = np.sum((target - target.mean()) ** 2)
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "max_abs_error": float(np.max(np.abs(error))),
        "r2": float(1.0 - np.sum(error**2) / total) if total > 0 else float("nan"),
    }


def baseline_forecasts(fit_x: np.ndarray, fit_y: np.ndarray, test_x: np.ndarray) -> dict[str, np.ndarray]:
    """Naive forecasts of held-out points: the last fitted value held; a linear trend through the fit."""
    slope, intercept = np.polyfit(fit_x, fit_y, 1)
    return {
        "last_value_held": np.full(test_x.shape, fit_y[np.argmax(fit_x)], dtype=float),
        "linear_trend": np.clip(intercept + slope * test_x, -1.0, 1.0),
    }
