"""Contest-success functions: who wins a fight, and who is likely to win the war."""

from __future__ import annotations

import numpy as np

from sim.core.sums import sum_rows


def win_probability(attacker: np.ndarray, defender: np.ndarray, exponent) -> np.ndarray:
    """Tullock contest: P(attacker wins) = a^m / (a^m + d^m).

    Args:
        attacker: the attacking camp's strength, shape (R,), relative units, >= 0.
        defender: the defending camp's strength, shape (R,), >= 0.
        exponent: decisiveness m > 0 (scalar or (R,)); large m makes the stronger side win surely.

    Returns:
        Probabilities, shape (R,); 0.5 where both strengths are zero.
    """
    a = np.power(np.maximum(attacker, 0.0), exponent)
    d = np.power(np.maximum(defender, 0.0), exponent)
    total = a + d
    return np.divide(a, total, out=np.full_like(total, 0.5), where=total > 0)


def prospects(camp_strength: np.ndarray, contender: np.ndarray, exponent) -> np.ndarray:
    """Each contender's chance of prevailing: its share of ``camp_strength ** m`` among contenders.

    Args:
        camp_strength: strength of each faction's camp as led by it, shape (F, R).
        contender: which factions contend for the country (camp heads and independents), (F,) bool.
        exponent: decisiveness m (scalar or (R,)).

    Returns:
        Shape (F, R): probabilities over contenders summing to 1 (0 for non-contenders).
    """
    chance = np.zeros_like(camp_strength)
    rows = np.flatnonzero(contender)
    chance[rows] = contest_shares(camp_strength[rows], exponent)
    return chance


def contest_shares(camp_strength: np.ndarray, exponent) -> np.ndarray:
    """`prospects` of the contenders alone: ``camp_strength`` holds their rows only, (n, R)."""
    powered = np.power(np.maximum(camp_strength, 0.0), exponent)
    total = sum_rows(powered)
    return np.divide(powered, total, out=np.zeros_like(powered), where=total > 0)
