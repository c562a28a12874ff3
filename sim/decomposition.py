"""What each interest adds to a state's preference between two factions: a month's decomposition.

A state's value of faction f is V_sf = sum_k w_sk x_k(s, f) + c D_sf + sigma eps_sf (docs/ODD.md,
"valuation"). For the two factions of the tilt, this splits V(LNA) - V(GNA) into the part of each
interest and of the commitment, averaged over replicates; the shocks (mean zero) are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.month import MonthView


def value_gap_parts(view: MonthView, weights: np.ndarray, *, commitment: Any, names: tuple[str, ...],
                    pair: tuple[int, int]) -> np.ndarray | None:
    """Each part's contribution to every state's V(plus) - V(minus) this month, ensemble means.

    Args:
        view: the month's view.
        weights: the states' interest weights, (S, K) or (S, K, R), K in the order of ``names``.
        commitment: c, value per unit of deployed strength (number or (R,)).
        names: the interests, in weight order.
        pair: the factions (plus, minus), as faction indices.

    Returns:
        (S, K + 1): the interests in the order of ``names``, then the commitment; None when either
        faction cannot be backed this month.
    """
    position = {f: i for i, f in enumerate(view.candidates.tolist())}
    if pair[0] not in position or pair[1] not in position:
        return None
    p, m = position[pair[0]], position[pair[1]]
    per_replicate = weights if weights.ndim == 3 else weights[:, :, None]  # (S, K, R or 1)
    parts = np.zeros((weights.shape[0], len(names) + 1))
    # every state's weighted part of each interest, (S, K_common or K_own, R), averaged over the
    # replicates: common features first, then the parts particular to each state (an interest may
    # have both)
    if view.common_interests:
        at = [names.index(name) for name in view.common_interests]
        common = view.common[:, p] - view.common[:, m]  # (K_common, R)
        parts[:, at] += (per_replicate[:, at] * common).mean(axis=2)
    if view.own_interests:
        at = [names.index(name) for name in view.own_interests]
        own = np.stack([part[:, p] - part[:, m] for part in view.own], axis=1)  # (S, K_own, R)
        parts[:, at] += (per_replicate[:, at] * own).mean(axis=2)
    committed = view.committed[:, p] - view.committed[:, m]  # (S, 1)
    parts[:, -1] = np.mean(commitment * committed, axis=1)
    return parts
