"""Inputs that differ between the rows of one batch: which events apply, which series level.

A batch normally runs one scenario in every row. `RowInputs` lets rows run variants of it that
differ in what happens, not in how the model works: an event may apply to some rows only, and an
exogenous series may have its own level in each row. The Shapley coalitions of `sim.coalitions`
are built this way, so that all of them run as one batched model with one implementation of the
dynamics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from sim.events import EVENT_KINDS
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class RowInputs:
    """What each row of a batch runs, where rows differ.

    Attributes:
        events: event id -> the rows it applies to, (R,) bool; an event not named applies to every
            row. An event that changes the stage (`sim.events.EventKind.changes_stage`) applies to
            every row.
        series: series name -> its level in each row each month, (T, R) in the series' unit; a
            series not named has the scenario's level in every row.
    """

    events: Mapping[str, np.ndarray] = field(default_factory=dict)
    series: Mapping[str, np.ndarray] = field(default_factory=dict)

    def checked(self, scenario: Scenario, replicates: int) -> RowInputs:
        """These inputs with arrays of the right types, checked against ``scenario`` and R.

        Raises:
            ValueError: an unknown event or series, a stage event given rows, or a wrong shape.
        """
        by_id = {e.id: e for e in scenario.events}
        events = {}
        for event_id, rows in self.events.items():
            if event_id not in by_id:
                raise ValueError(f"row inputs: unknown event {event_id!r}")
            if EVENT_KINDS[by_id[event_id].kind].changes_stage:
                raise ValueError(f"row inputs: event {event_id!r} changes the stage, which every "
                                 "row shares; it cannot apply to some rows only")
            rows = np.asarray(rows, dtype=bool)
            if rows.shape != (replicates,):
                raise ValueError(f"row inputs: the rows of event {event_id!r} must be {replicates} "
                                 f"booleans, got shape {rows.shape}")
            events[event_id] = rows
        series = {}
        for name, levels in self.series.items():
            if name not in scenario.series:
                raise ValueError(f"row inputs: unknown series {name!r}; series of {scenario.name}: "
                                 f"{sorted(scenario.series)}")
            levels = np.asarray(levels, dtype=np.float64)
            if levels.shape != (scenario.n_months, replicates):
                raise ValueError(f"row inputs: series {name!r} must have shape "
                                 f"({scenario.n_months}, {replicates}), got {levels.shape}")
            series[name] = levels
        return RowInputs(events, series)

    @property
    def per_row_events(self) -> bool:
        """Whether some event applies to some rows only."""
        return any(not rows.all() for rows in self.events.values())
