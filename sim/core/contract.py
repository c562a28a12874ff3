"""Matrix products whose every element is summed in the same order whatever the batch's width.

BLAS picks its kernels by the matrices' shapes, so ``a @ b`` for a batch of replicates can round
differently (by a unit in the last place) from the same product for one replicate alone; on some
processors it does. Summing over the shared axis one term at a time, with numpy's exactly rounded
elementwise product and sum, makes a replicate's numbers independent of the batch it runs in.
"""

from __future__ import annotations

import numpy as np


def ordered_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a (M, K) or (K,) ``a`` and a (K, N) ``b``, summed over K in index order.

    Args:
        a: the left factor, (M, K) or (K,).
        b: the right factor, (K, N).

    Returns:
        (M, N), or (N,) for a one-dimensional ``a``, in the result type of ``a`` and ``b``.
    """
    left = a if a.ndim == 2 else a[None, :]
    out = left[:, 0, None] * b[0]
    for k in range(1, b.shape[0]):
        out += left[:, k, None] * b[k]
    return out if a.ndim == 2 else out[0]


def ordered_weighted_sum(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``einsum("kr,kcr->cr", weights, values)`` summed over k in index order.

    Args:
        weights: (K, R), one weight per term and replicate.
        values: (K, C, R).

    Returns:
        (C, R).
    """
    out = weights[0][None, :] * values[0]
    for k in range(1, values.shape[0]):
        out += weights[k][None, :] * values[k]
    return out
