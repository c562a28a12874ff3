"""Every coalition of input groups as one batched model, on common random numbers.

For a Shapley attribution over groups of inputs (`sim.events.INPUT_GROUPS`), coalition S is the
scenario with the inputs of the groups outside S taken out of a window, as `sim.ablation.without_group`
takes them out (their events dated in the window removed, their series held at the level of the
month before it). Instead of one model per coalition, every (coalition, replicate) pair is a row of
one model: the removed events apply only to the rows whose coalition holds their group, each row
has its coalition's series (`sim.rows.RowInputs`), and the rows of one replicate share its random
numbers (``replicate_ids``). Row ``c x replicates + r`` is coalition ``c`` (a bit mask over the
groups, `sim.shapley.members`), replicate ``r``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.ablation import without_group
from sim.events import SERIES_GROUPS
from sim.model import AlignmentModel
from sim.posterior import PosteriorDraws
from sim.rows import RowInputs
from sim.scenario.schema import Scenario
from sim.shapley import members


@dataclass(frozen=True)
class CoalitionTilts:
    """Every state's tilt in every (coalition, replicate), from one batched run.

    Attributes:
        groups: the players, in bit order.
        states: the state ids, in the order of the last axis.
        start: each replicate's tilt at the end of the month before the window (the same in every
            coalition: nothing differs before it), (replicates, S); the opening tilt (no support
            yet) when the window starts with the scenario.
        end: the tilt at the end of the window's last month, (2**groups, replicates, S).
    """

    groups: tuple[str, ...]
    states: tuple[str, ...]
    start: np.ndarray
    end: np.ndarray


def removed_inputs(scenario: Scenario, group: str, window: tuple[int, int]
                   ) -> tuple[set[str], dict[str, np.ndarray]]:
    """What taking ``group`` out of ``window`` removes, by `sim.ablation.without_group`.

    Returns:
        The ids of the events removed, and each held series' level each month, (T,).
    """
    ablated = without_group(scenario, group, window)
    removed = {e.id for e in scenario.events} - {e.id for e in ablated.events}
    held = {name: ablated.monthly(name) for name, owner in SERIES_GROUPS.items()
            if owner == group and name in scenario.series}
    return removed, held


def coalition_inputs(scenario: Scenario, groups: tuple[str, ...], window: tuple[int, int],
                     replicates: int) -> RowInputs:
    """The row inputs of every coalition of ``groups``, ``replicates`` rows each (coalition-major).

    Args:
        scenario: the scenario with every input.
        groups: the players (groups of `sim.events.INPUT_GROUPS`, not ``stage``).
        window: first and last month (month numbers, inclusive) the groups are taken out of.
        replicates: rows per coalition.
    """
    held_by = np.repeat(members(len(groups)), replicates, axis=0)  # (rows, groups)
    events: dict[str, np.ndarray] = {}
    series: dict[str, np.ndarray] = {}
    for i, group in enumerate(groups):
        removed, held = removed_inputs(scenario, group, window)
        for event_id in removed:
            events[event_id] = held_by[:, i]
        for name, levels in held.items():
            full = scenario.monthly(name)
            series[name] = np.where(held_by[:, i], full[:, None], levels[:, None])
    return RowInputs(events, series)


def run_coalitions(scenario: Scenario, params: Any, groups: tuple[str, ...],
                   window: tuple[int, int], *, replicates: int, seed: int,
                   posterior: PosteriorDraws | None = None) -> CoalitionTilts:
    """Run every coalition of ``groups`` x ``replicates`` replicates as one model.

    Args:
        scenario: the scenario with every input; it is run to the window's end.
        params: model parameters (as `sim.model.AlignmentModel` takes them; None: calibrated).
        groups: the players, in bit order.
        window: first and last month (month numbers, inclusive).
        replicates: replicates per coalition (the same replicates in every coalition).
        seed: the model's seed.
        posterior: draws of the fitted parameters: replicate k runs with draw k mod N in every
            coalition, so each replicate's Shapley values are those of one draw.
    """
    start, end = window
    shorter = scenario.truncated(end)
    coalitions = 2 ** len(groups)
    if posterior is not None:
        params = posterior.applied(params, replicates, copies=coalitions)
    ids = np.tile(np.arange(replicates), coalitions)
    model = AlignmentModel(shorter, params, replicates=coalitions * replicates, seed=seed,
                           record="tilt", replicate_ids=ids,
                           row_inputs=coalition_inputs(shorter, groups, window, replicates))
    opening = np.stack([model.tilt_of(s) for s in range(len(shorter.states))], axis=-1)
    model.run()
    model.release()
    tilts = model.tilt_history  # (T, rows, S)
    before = opening if start == shorter.start else tilts[start - shorter.start - 1]
    shape = (coalitions, replicates, len(shorter.states))
    return CoalitionTilts(groups=tuple(groups), states=shorter.state_ids,
                          start=np.array(before.reshape(shape)[0]),
                          end=np.array(tilts[end - shorter.start].reshape(shape)))
