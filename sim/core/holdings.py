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
    # bincount adds in double precision: the weights converted before they are laid out, once
    weights = np.broadcast_to(asset_values.astype(np.float64, copy=False), (n_assets, replicates))
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


#: Below this many replicates one `numpy.add.at` call adds the members faster than one row
#: addition per member does (at R = 10,000 it is 30 times slower).
SCATTER_BELOW = 48


def members_sum(members: np.ndarray, values: np.ndarray,
                pairs: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``members @ values`` (rows of ``members`` pick the factions summed), shape (H, R).

    ``members`` holds zeros and ones, and few ones (each faction fights in one camp at most): each
    row's members are added one after another, in faction order, to a row of zeros. That is the
    order in which a BLAS matrix product accumulates (and so its bits), without its cost of
    multiplying every zero, and the same for any number of replicates (a one-column product, a
    matrix-vector product, would round differently). Few replicates are added by one
    `numpy.add.at` (the same additions in the same order), many by one addition per member.

    Args:
        members: from `membership_matrix`, (H, F).
        values: per-faction values, (F, R).
        pairs: ``np.nonzero(members)`` when the caller keeps it (it changes with the camps only).
    """
    values = np.asarray(values)
    totals = np.zeros((members.shape[0], *values.shape[1:]), np.result_type(members, values))
    heads, factions = np.nonzero(members) if pairs is None else pairs
    if values.ndim < 2 or values.shape[1] < SCATTER_BELOW:
        np.add.at(totals, heads, values[factions])
    else:
        for head, faction in zip(heads.tolist(), factions.tolist(), strict=True):
            totals[head] += values[faction]
    return totals


def camp_total(values: np.ndarray, members: np.ndarray, cohesion,
               pairs: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """A faction's own value plus ``cohesion`` times its camp members' (heads only gain).

    Args:
        values: per-faction values, shape (F, R).
        members: from `membership_matrix`, shape (F, F).
        cohesion: kappa in [0, 1] (scalar or (R,)).
        pairs: ``np.nonzero(members)``, if the caller keeps it.
    """
    return values + cohesion * members_sum(members, values, pairs)
