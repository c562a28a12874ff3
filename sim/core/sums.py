"""Sums over factions whose rounding does not depend on the number of replicates."""

from __future__ import annotations

import numpy as np


def sum_rows(values: np.ndarray) -> np.ndarray:
    """Sum ``values`` (n, R) over its first axis, adding the rows one after another.

    numpy reduces a (n, R) array over axis 0 row by row when R > 1, but a single column pairwise
    (in eight partial sums once n >= 8), which rounds differently: replicate r alone would then
    differ from replicate r in a batch in the last bit. A one-column array is summed by
    accumulation, which is sequential too, so every batch size gives the same bits.
    """
    if values.ndim == 2 and values.shape[1] == 1 and values.shape[0] > 1:
        return np.cumsum(values, axis=0)[-1]
    return values.sum(axis=0)
