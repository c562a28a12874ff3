"""What each faction holds, and what its camp delivers, from the asset-control array."""

from __future__ import annotations

import numpy as np


def per_faction_sum(control: np.ndarray, asset_values: np.ndarray, n_factions: int) -> np.ndarray:
    """Sum asset values by controlling faction.

    Args:
        control: controller index of each asset, shape (R, A), ints in [0, F).
        asset_values: value of each asset, shape (A,) (or (R, A)).
        n_factions: F.

    Returns:
        Shape (R, F): for each replicate, the total value of the assets each faction controls.
    """
    replicates, n_assets = control.shape
    index = control + (np.arange(replicates) * n_factions)[:, None]
    weights = np.broadcast_to(asset_values, (replicates, n_assets))
    totals = np.bincount(index.ravel(), weights=weights.ravel(), minlength=replicates * n_factions)
    return totals.reshape(replicates, n_factions)


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


def camp_total(values: np.ndarray, members: np.ndarray, cohesion) -> np.ndarray:
    """A faction's own value plus ``cohesion`` times its camp members' (heads only gain).

    Args:
        values: per-faction values, shape (R, F).
        members: from `membership_matrix`, shape (F, F).
        cohesion: kappa in [0, 1] (scalar or (R, 1)).
    """
    return values + cohesion * (values @ members.T)
