"""Scenarios with inputs taken out: one event, or a whole group of inputs (pure functions).

Groups are those of `sim.events.INPUT_GROUPS`: each event kind and each exogenous series belongs to
one. Removing a series holds it at its level of the month before the window. The ``stage`` group
(factions entering, leaving, changing camp) is the frame of the others and is never removed as a
whole; one stage event may be left out when the timeline stays valid without it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.dates import format_month
from sim.events import EVENT_KINDS, MATERIAL_KINDS, SERIES_GROUPS
from sim.scenario.estimates import remaining_estimates
from sim.scenario.schema import Scenario, SeriesPoint
from sim.stage import Stage, StageError, replay

#: The group no ablation removes.
FRAME_GROUP = "stage"


def without_events(scenario: Scenario, ids: set[str], name: str) -> Scenario:
    """``scenario`` without the events ``ids``; checked against the stage rules.

    Raises:
        ValueError: an id is unknown, or the timeline breaks the stage rules without them.
    """
    unknown = sorted(ids - {e.id for e in scenario.events})
    if unknown:
        raise ValueError(f"unknown events {unknown}")
    events = tuple(e for e in scenario.events if e.id not in ids)
    try:
        replay(Stage.opening(scenario.factions), events)
    except StageError as exc:
        raise ValueError(f"without {sorted(ids)} the stage breaks at {exc.event.id}: {exc}") from None
    ablated = replace(scenario, name=name, events=events)
    return replace(ablated, estimates=remaining_estimates(scenario.estimates, ablated))


def hold_series(scenario: Scenario, series: str, from_month: int) -> Scenario:
    """``scenario`` with one series held, from ``from_month`` on, at its level of the month before."""
    months = np.arange(scenario.start, scenario.end + 1)
    level = float(scenario.monthly(series)[max(from_month - 1 - scenario.start, 0)])
    kept = tuple(p for p in scenario.series[series] if p.month < from_month)
    held = (*kept, SeriesPoint(max(from_month - 1, int(months[0])), level,
                               f"held at its {format_month(max(from_month - 1, scenario.start))} level "
                               "(ablation)"))
    ablated = replace(scenario, series={**scenario.series, series: held})
    return replace(ablated, estimates=remaining_estimates(scenario.estimates, ablated))


def without_group(scenario: Scenario, group: str, window: tuple[int, int]) -> Scenario:
    """``scenario`` without the inputs of ``group`` in the months ``window`` (inclusive).

    The group's events dated in the window are removed; its series are held from the window's start.
    """
    if group == FRAME_GROUP:
        raise ValueError("the stage group is never removed")
    start, end = window
    ids = {e.id for e in scenario.events
           if EVENT_KINDS[e.kind].group == group and start <= e.month <= end}
    result = without_events(scenario, ids, f"{scenario.name}-without-{group}")
    for series, series_group in SERIES_GROUPS.items():
        if series_group == group and series in result.series:
            result = hold_series(result, series, start)
    return result


def without_material(scenario: Scenario, window: tuple[int, int]) -> Scenario:
    """``scenario`` without every material event (`sim.events.MATERIAL_KINDS`) dated in the months
    ``window`` (inclusive), and with every series held from the window's start at its level of the
    month before: the explained-not-drawn counterfactual of any scenario (for the history,
    ``scenarios/libya_2014_2019_no_military.yaml``: the same events and series)."""
    start, end = window
    ids = {e.id for e in scenario.events if e.kind in MATERIAL_KINDS and start <= e.month <= end}
    # without_events keeps the estimates still present; holding the series removes no point
    return replace(without_events(scenario, ids, f"{scenario.name}-without-material"), hold_series_from=start)
