"""What each faction holds, and what its camp delivers, from the asset-control array.

Arrays put the replicate axis last (contiguous): (F, R) per faction, (A, R) per asset.
"""

from __future__ import annotations

import numpy as np


def faction_bins(control: np.ndarray) -> np.ndarray:
    """The bin of every (asset, replicate) cell for `per_faction_sum`: controller x R + replicate.

    Args:
        control: controller index of each asset, shape (A, R), ints in [0, F).

    Returns:
        Shape (A x R,), int64 (no int16 wrap).
    """
    replicates = control.shape[1]
    return (np.asarray(control, dtype=np.int64) * replicates + np.arange(replicates)).ravel()


def per_faction_sum(control: np.ndarray, asset_values: np.ndarray, n_factions: int,
                    bins: np.ndarray | None = None) -> np.ndarray:
    """Sum asset values by controlling faction.

    Args:
        control: controller index of each asset, shape (A, R), ints in [0, F).
        asset_values: value of each asset, shape (A,), (A, 1) or (A, R).
        n_factions: F.
        bins: `faction_bins(control)`, when several sums share one control array.

    Returns:
        Shape (F, R), in the dtype of ``asset_values``: for each replicate, the total value of the
        assets each faction controls.
    """
    n_assets, replicates = control.shape
    asset_values = np.asarray(asset_values)
    if bins is None:
        bins = faction_bins(control)
    if np.ndim(asset_values) == 1:
        asset_values = asset_values[:, None]
    weights = np.broadcast_to(asset_values, (n_assets, replicates))
    totals = np.bincount(bins, weights=weights.ravel(), minlength=n_factions * replicates)
    return totals.reshape(n_factions, replicates).astype(np.result_type(asset_values), copy=False)


def membership_matrix(camp: np.ndarray) -> np.ndarray:
    """``M[h, g] = 1`` when faction g (not h itself) fights in the camp headed by h.

    Args:
        camp: camp-head index of each faction, shape (F,), -1 for independents.
    """
    n = camp.shape[0]
    members = np.zeros((n, n))
    for g, head in enumerate(camp):
        if head >= 0 and head != g:
            members[head, g] = 1.0
    return members


def members_sum(members: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``members @ values`` (rows of ``members`` pick the factions summed), shape (H, R).

    BLAS rounds a product with one column (a matrix-vector product) differently from one with
    several (a matrix-matrix product); a single replicate is computed as two identical columns so
    that replicate r alone has the same bits as replicate r in a batch.
    """
    if values.ndim == 2 and values.shape[1] == 1:
        return (members @ np.repeat(values, 2, axis=1))[:, :1]
    return members @ values


def camp_total(values: np.ndarray, members: np.ndarray, cohesion) -> np.ndarray:
    """A faction's own value plus ``cohesion`` times its camp members' (heads only gain).

    Args:
        values: per-faction values, shape (F, R).
        members: from `membership_matrix`, shape (F, F).
        cohesion: kappa in [0, 1] (scalar or (R,)).
    """
    return values + cohesion * members_sum(members, values)
