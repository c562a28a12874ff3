"""The world as immutable, validated objects: what `sim.scenario.loader` returns.

Every numeric field documents its unit and range; the loader enforces them. Nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from sim.dates import format_month


def _frozen(mapping: dict[str, Any] | None) -> MappingProxyType:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Faction:
    """A Libyan armed or political actor.

    Attributes:
        id: identifier used everywhere else (e.g. ``LNA``).
        name: human-readable name.
        strength: military strength when it enters the stage, relative units (LNA in 2014 = 1).
        islamist: ideological position, 0 secular / anti-Islamist .. 1 Islamist.
        extremist: 1 for a designated terrorist group; taints the camp it fights in.
        legitimacy: international recognition at entry, 0 none .. 1 UN-recognised.
        camp: id of the camp head it fights with (itself for a head), None if independent.
        patronable: whether foreign states may support it.
        active: on stage at the scenario's start.
        source: where the values come from.
    """

    id: str
    name: str
    strength: float
    islamist: float
    extremist: float
    legitimacy: float
    camp: str | None
    patronable: bool
    active: bool
    source: str


@dataclass(frozen=True)
class State:
    """A foreign state with interests in Libya.

    Attributes:
        id: identifier (e.g. ``ITA``).
        name: human-readable name.
        capacity: support it can project, relative units in [0, 1].
        company: its national oil company (matched against asset stakes), or None.
        weights: interest -> weight in [-10, 10], for every interest of `sim.interests`.
        source: justification of the values.
    """

    id: str
    name: str
    capacity: float
    company: str | None
    weights: MappingProxyType
    source: str

    def weight_vector(self, names: tuple[str, ...]) -> np.ndarray:
        """The weights of the interests ``names``, in that order, shape ``(len(names),)``."""
        return np.array([self.weights[k] for k in names], dtype=float)


@dataclass(frozen=True)
class Relation:
    """A symmetric tie between two states: > 0 partners, < 0 rivals (value in [-1, 1])."""

    a: str
    b: str
    value: float
    source: str


@dataclass(frozen=True)
class Asset:
    """Something worth controlling.

    Attributes:
        id: identifier (e.g. ``MELLITAH``).
        name: human-readable name.
        output_share: share of national hydrocarbon output (boe) at normal times, in [0, 1].
        stakes: company -> equity share of that output, each in [0, 1].
        departure_share: share of migrant departures to Italy leaving from here, in [0, 1].
        haven: terror-haven value earned as counter-terror record by whoever takes it from an
            extremist holder, in [0, 1].
        military_value: strength its controller draws from it (revenue, bases), relative units.
        capital: seat of government.
        controller: faction holding it at the scenario's start.
        source: where the values come from.
        approach: an approach to the capital: the share of the capital's weight in prospects
            credited to whoever holds it, in [0, 1] (0: not an approach; docs/ODD.md 7.2).
        transit_share: share of the migrants arriving in Italy who cross this asset on their way
            to the coast, in [0, 1]; holding it counts in the migration interest beside the
            departures held (0: not on the route; docs/ODD.md 7.2).
    """

    id: str
    name: str
    output_share: float
    stakes: MappingProxyType
    departure_share: float
    haven: float
    military_value: float
    capital: bool
    controller: str
    source: str
    approach: float = 0.0
    transit_share: float = 0.0


@dataclass(frozen=True)
class SeriesPoint:
    """One documented value of a monthly exogenous series."""

    month: int
    value: float
    source: str


@dataclass(frozen=True)
class Event:
    """One dated entry of the timeline.

    Attributes:
        id: unique identifier.
        month: month number (see `sim.dates`) in which it applies.
        date: the date as written in the file.
        kind: one of `sim.events.EVENT_KINDS`.
        fields: the kind's fields (validated), read-only.
        source: where it is documented.
        note: free text.
        label: short text marking the event on plots ("" = not marked).
    """

    id: str
    month: int
    date: str
    kind: str
    fields: MappingProxyType
    source: str
    note: str = ""
    label: str = ""

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


@dataclass(frozen=True)
class FixedSupport:
    """A state whose support is held by the scenario instead of chosen (a counterfactual policy).

    From month ``start`` on, the state's support for each faction it can back is ``support`` (0
    for factions not named, and for factions not backable that month), whatever its valuations:
    an empty ``support`` holds it neutral, backing nobody (tilt 0).

    Attributes:
        state: the state's id.
        support: faction id -> share of its support, each in [0, 1], summing to at most 1.
        start: the first month held (a month number, see `sim.dates`).
        source: why (the counterfactual's reasoning).
    """

    state: str
    support: MappingProxyType
    start: int
    source: str

    def vector(self, faction_ids: tuple[str, ...]) -> np.ndarray:
        """The held support in the order ``faction_ids``, shape ``(len(faction_ids),)``."""
        return np.array([self.support.get(f, 0.0) for f in faction_ids], dtype=float)


@dataclass(frozen=True)
class TiltSides:
    """The two sides whose support difference is a state's tilt.

    Each side is a succession of factions: in any month it is the last of them on stage (the first
    if none is), so a side can be "the Tripoli government of the day" (the GNC, then the GNA).

    Attributes:
        plus: the side a tilt of +1 backs fully (e.g. ``("LNA",)``).
        minus: the side a tilt of -1 backs fully (e.g. ``("GNC", "GNA")``).
    """

    plus: tuple[str, ...] = ("LNA",)
    minus: tuple[str, ...] = ("GNA",)

    def describe(self) -> str:
        def side(ids: tuple[str, ...]) -> str:
            return ids[0] if len(ids) == 1 else " then ".join(ids) + " (the last on stage)"

        return f"support for {side(self.plus)} - support for {side(self.minus)}, in [-1, 1]"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: actors, assets, exogenous series and the event timeline.

    Attributes:
        name: identifier (file stem unless the file says otherwise).
        path: the file it was read from.
        description: what it is and why it exists.
        start, end: first and last simulated month (month numbers, inclusive).
        factions, states, assets: in file order.
        relations: state ties.
        series: series name -> points in increasing date order.
        events: the timeline, sorted by month (stable with respect to file order).
        hold_series_from: month from which every series is held at the previous month's value,
            or None.
        estimates: the numbers the file marks as estimates, with their plausible ranges
            (`sim.scenario.estimates.Estimate`).
        tilt: the two sides of the tilt (`TiltSides`).
        title: a short human-readable title (labels a scenario in comparisons); its name if the
            file gives none.
        fixed_support: states whose support the scenario holds (`FixedSupport`), in file order.
    """

    name: str
    path: str
    description: str
    start: int
    end: int
    factions: tuple[Faction, ...]
    states: tuple[State, ...]
    relations: tuple[Relation, ...]
    assets: tuple[Asset, ...]
    series: MappingProxyType
    events: tuple[Event, ...]
    hold_series_from: int | None = None
    estimates: tuple = ()
    tilt: TiltSides = TiltSides()
    title: str = ""
    fixed_support: tuple[FixedSupport, ...] = ()

    @property
    def n_months(self) -> int:
        """Number of simulated months."""
        return self.end - self.start + 1

    @property
    def faction_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.factions)

    @property
    def state_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.states)

    @property
    def asset_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.assets)

    def truncated(self, end: int) -> Scenario:
        """The same scenario ending at month ``end`` (events after it dropped)."""
        if not self.start <= end <= self.end:
            raise ValueError(
                f"end {format_month(end)} is outside {format_month(self.start)}..{format_month(self.end)}"
            )
        from sim.scenario.estimates import remaining_estimates

        shorter = replace(self, end=end, events=tuple(e for e in self.events if e.month <= end))
        return replace(shorter, estimates=remaining_estimates(self.estimates, shorter))

    def month_label(self, step: int) -> str:
        """``YYYY-MM`` of model step ``step``."""
        return format_month(self.start + step)

    def monthly(self, name: str) -> np.ndarray:
        """The series ``name`` at every simulated month, shape ``(n_months,)``.

        Linear interpolation between documented points, flat outside them; from
        ``hold_series_from`` on, the value of the month before is held.
        """
        points = self.series[name]
        months = np.arange(self.start, self.end + 1)
        values = np.interp(
            months, [p.month for p in points], [p.value for p in points]
        ).astype(float)
        if self.hold_series_from is not None and self.hold_series_from <= self.end:
            cut = max(self.hold_series_from - self.start, 1)
            values[cut:] = values[cut - 1]
        return values
