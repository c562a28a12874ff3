"""A state's tilt change split over groups of inputs by Shapley values (pure: tilts in, tables out).

The game: for a coalition S of groups, v(S) is the state's tilt at the end of the window when only
the groups in S keep their inputs in the window (`sim.coalitions`). Each group's Shapley value is
its marginal effect on that tilt averaged over every order in which the groups could be added;
the values add up to v(all) - v(none), the ``total`` attributed. What is left of the change,
v(none) - the starting tilt, is ``not_attributed``: the course the state was on anyway (inertia
toward its best response of before the window, the stage's events, the decay of memories).
Values are computed per replicate on common random numbers and summarised over replicates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.coalitions import CoalitionTilts
from sim.events import GROUP_LABELS
from sim.shapley import mean_and_interval, shapley_values

#: How the 95 % interval is made (written into the results).
INTERVAL = ("normal: mean +- 1.96 x std / sqrt(replicates), the sampling error of the mean of the "
            "per-replicate values; std is the spread of the replicates")


def attribute_state(tilts: CoalitionTilts, state: str) -> dict[str, Any]:
    """One state's attribution: its starting and ending tilt, and each group's Shapley value.

    Returns:
        ``state``, ``start`` and ``end`` (its tilt before and at the end of the window), ``change``
        (end - start), ``not_attributed`` (the change with every group taken out), ``total``
        (the change the groups make, the sum of their values) and ``contributions`` (group ->
        ``{mean, std, ci95}``); each a summary over replicates.
    """
    s = tilts.states.index(state)
    start = tilts.start[:, s].astype(np.float64)  # (replicates,)
    end = tilts.end[:, :, s].astype(np.float64)  # (coalitions, replicates)
    phi = shapley_values(end, len(tilts.groups))
    return {
        "state": state,
        "start": mean_and_interval(start),
        "end": mean_and_interval(end[-1]),
        "change": mean_and_interval(end[-1] - start),
        "not_attributed": mean_and_interval(end[0] - start),
        "total": mean_and_interval(end[-1] - end[0]),
        "contributions": {g: mean_and_interval(phi[i]) for i, g in enumerate(tilts.groups)},
    }


def attribution_table(attributions: list[dict[str, Any]], names: dict[str, str]) -> pd.DataFrame:
    """One row per state and part: the starting tilt, the part not attributed, each group, the total
    attributed and the ending tilt, with mean, std and 95 % interval over replicates, and the
    replicates' own 5 % and 95 % quantiles."""
    rows = []
    for a in attributions:
        parts = [("start", "start", "tilt before the window"),
                 ("not_attributed", "remainder", "not attributed (no group's inputs)"),
                 *((g, "group", GROUP_LABELS.get(g, g)) for g in a["contributions"]),
                 ("total", "total", "total attributed to the groups"),
                 ("end", "end", "tilt at the end of the window")]
        for key, kind, label in parts:
            summary = a["contributions"][key] if kind == "group" else a[key]
            rows.append({"state": a["state"], "name": names.get(a["state"], a["state"]), "part": key,
                         "kind": kind, "label": label, "mean": summary["mean"], "std": summary["std"],
                         "ci95_low": summary["ci95"][0], "ci95_high": summary["ci95"][1],
                         "q05": summary["q05"], "q95": summary["q95"]})
    return pd.DataFrame(rows)
