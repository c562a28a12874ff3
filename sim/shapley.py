"""Exact Shapley values of a game given on every coalition (pure numpy).

Coalitions are numbered by bit masks: coalition ``c`` holds player ``i`` when bit ``i`` of ``c`` is
set, so a game of k players is an array of ``2**k`` values (of any trailing shape: one game per
replicate, per state). Player i's Shapley value is

    phi_i = sum over coalitions S without i of |S|! (k - |S| - 1)! / k! x (v(S + i) - v(S)),

its marginal contribution averaged over every order in which the players could join. The values
add up to ``v(all) - v(none)`` (efficiency), and a player whose joining never changes ``v`` gets
exactly 0: each marginal contribution is one subtraction of equal numbers.
"""

from __future__ import annotations

from math import factorial

import numpy as np

#: The normal quantile of a two-sided 95 % interval.
Z95 = 1.959963984540054


def members(players: int) -> np.ndarray:
    """Which players each coalition holds, (2**players, players) bool (coalition = bit mask)."""
    coalitions = np.arange(2**players)[:, None]
    return (coalitions >> np.arange(players)) & 1 == 1


def shapley_values(values: np.ndarray, players: int) -> np.ndarray:
    """Each player's Shapley value.

    Args:
        values: v of every coalition, (2**players, ...) (coalition = bit mask).
        players: k.

    Returns:
        (players, ...), in float64.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape[0] != 2**players:
        raise ValueError(f"a game of {players} players has {2**players} coalitions, got {values.shape[0]}")
    held = members(players)
    sizes = held.sum(axis=1)
    weight = np.array([factorial(s) * factorial(players - s - 1) / factorial(players)
                       for s in range(players)])
    phi = np.zeros((players, *values.shape[1:]))
    for i in range(players):
        without = np.flatnonzero(~held[:, i])
        marginal = values[without | (1 << i)] - values[without]
        phi[i] = np.tensordot(weight[sizes[without]], marginal, axes=1)
    return phi


def mean_and_interval(samples: np.ndarray) -> dict[str, float | list[float]]:
    """Mean, standard deviation and normal 95 % interval of the mean of ``samples`` (1-D), and the
    samples' own 5 % and 95 % quantiles.

    The interval is mean +- 1.96 x std / sqrt(n) (the sampling error of the mean over n
    independent replicates); the standard deviation is the spread of the replicates themselves
    (n - 1 in the denominator; 0 for a single sample), and ``q05``/``q95`` bound the middle 90 % of
    them (with posterior draws, the parameters' spread and the shocks' together).
    """
    samples = np.asarray(samples, dtype=np.float64)
    n = samples.size
    mean = float(samples.mean())
    std = float(samples.std(ddof=1)) if n > 1 else 0.0
    half = Z95 * std / np.sqrt(n)
    q05, q95 = (float(q) for q in np.quantile(samples, [0.05, 0.95]))
    return {"mean": mean, "std": std, "ci95": [mean - half, mean + half], "q05": q05, "q95": q95}
