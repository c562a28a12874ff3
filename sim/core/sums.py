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


def weighted_sum_rows(weights: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """Sum ``weights[k] * terms[k]`` over the first axis, adding the terms one after another.

    BLAS picks its kernels by the matrices' shapes, so ``a @ b`` (or ``einsum``) over a batch of
    replicates can round differently, in the last bit, from the same product for one replicate
    alone; on some processors it does. Exactly rounded elementwise products added in index order
    give every batch size the same bits.

    Args:
        weights: (K, ...) weights, each ``weights[k]`` broadcasting against ``terms[k]``.
        terms: (K, ...) the terms.

    Returns:
        The weighted sum, of the broadcast shape of ``weights[k]`` and ``terms[k]``.
    """
    count = terms.shape[0]
    if count > 1 and weights.size * terms.size <= SMALL_SUM_ELEMENTS * count:
        # every product at once, added by accumulation: the same additions in the same order
        ndim = max(weights.ndim, terms.ndim)
        products = _inner_axes(weights, ndim) * _inner_axes(terms, ndim)
        return np.add.accumulate(products, axis=0)[-1]
    out = weights[0] * terms[0]
    for k in range(1, count):
        out += weights[k] * terms[k]
    return out


#: Up to this many products in all, `weighted_sum_rows` makes them in one array operation: with one
#: replicate, a call costs half as much; beyond, term by term spares a K-fold temporary.
SMALL_SUM_ELEMENTS = 4096


def _inner_axes(array: np.ndarray, ndim: int) -> np.ndarray:
    """``array`` (K, ...) with axes of length 1 after its first, up to ``ndim`` axes, so that
    ``array[k]`` broadcasts as it did before."""
    return array.reshape(array.shape[:1] + (1,) * (ndim - array.ndim) + array.shape[1:])


#: Below this many columns a product is summed densely: one array operation per term costs less
#: than skipping the zero terms row by row (the bits are the same either way).
SPARSE_MIN_COLUMNS = 512


def ordered_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a (M, K) or (K,) ``a`` and a (K, N) ``b`` whose N runs over replicates (a
    batch), summed over K in index order (``weighted_sum_rows``).

    For a two-dimensional ``a`` with many columns N, each row sums only its nonzero weights, in
    index order, from +0. With ``b`` finite and non-negative (supports), a term ``0 x b[k]`` is +0
    and changes no bit of a sum that has a term other than ±0 (x + 0 = x), and a row whose terms
    are all ±0 sums to +0 either way (the dense sum adds the +0 of a zero weight, and +0 added to
    -0 gives +0). So the bits are those of the dense sum, whatever N, when every row of ``a`` has a
    zero (a relation between states, 0 on its diagonal); the states' relations are sparse, and the
    partners' support of every month is this product.

    Args:
        a: the left factor, (M, K) or (K,).
        b: the right factor, (K, N): finite, and non-negative for a two-dimensional ``a``.

    Returns:
        (M, N), or (N,) for a one-dimensional ``a``.
    """
    if a.ndim == 1:
        return weighted_sum_rows(a, b)
    if b.shape[1] < SPARSE_MIN_COLUMNS or np.all(a, axis=1).any():
        return weighted_sum_rows(a.T[:, :, None], b[:, None, :])
    out = np.zeros((a.shape[0], b.shape[1]), np.result_type(a, b))
    term = np.empty(b.shape[1], out.dtype)
    for row, weights in zip(out, a, strict=True):
        for k in np.flatnonzero(weights):
            np.multiply(weights[k], b[k], out=term)
            row += term
    return out
