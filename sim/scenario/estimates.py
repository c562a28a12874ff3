"""Estimates: numbers of a scenario that are coding judgements, each with a plausible range.

Any entry of a scenario (a faction, state, relation, asset, event or series point) may mark its
unsourced numbers with ``estimates: {field: [low, high]}``; a field inside a mapping is written with a
dot (``weights.oil``, ``stakes.ENI``, ``losses.ISIS``). The loader turns them into `Estimate` objects
named by a path (``factions.SHURA_COUNCILS.extremist``, ``events.lna_takes_derna.losses.SHURA_COUNCILS``,
``relations.ITA-FRA.value``, ``series.oil_output.2016-09.value``), and `with_values` gives the
scenario with other values for them (what `python -m sim.robustness` varies).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.dates import format_month
from sim.errors import brief
from sim.events import EVENT_KINDS
from sim.scenario.schema import Scenario, _frozen

#: Allowed range of each number that is not an event field (event fields: `sim.events`).
FIELD_BOUNDS: dict[str, dict[str, tuple[float, float]]] = {
    "factions": {"strength": (0.0, 100.0), "islamist": (0.0, 1.0), "extremist": (0.0, 1.0),
                 "legitimacy": (0.0, 1.0)},
    "states": {"capacity": (0.0, 1.0), "weights": (-10.0, 10.0)},
    "relations": {"value": (-1.0, 1.0)},
    "assets": {"output_share": (0.0, 1.0), "stakes": (0.0, 1.0), "departure_share": (0.0, 1.0),
               "haven": (0.0, 1.0), "military_value": (0.0, 10.0), "approach": (0.0, 1.0),
               "transit_share": (0.0, 1.0)},
    "series": {"value": (0.0, 1e8)},
}


@dataclass(frozen=True)
class Estimate:
    """One estimated number and its plausible range.

    Attributes:
        path: where it is, e.g. ``factions.SHURA_COUNCILS.extremist``.
        value: the value the scenario uses.
        low, high: the plausible range (low < high, value within it).
    """

    path: str
    value: float
    low: float
    high: float

    def admits(self, value: float) -> bool:
        """Whether the number ``value`` lies in the plausible range (NaN does not)."""
        return self.low <= value <= self.high


def estimates_by_path(scenario: Scenario) -> dict[str, Estimate]:
    """The scenario's estimates by path, in the file's order."""
    return {e.path: e for e in scenario.estimates}


def bounds_of(section: str, field: str, kind: str | None = None) -> tuple[float, float] | None:
    """The allowed range of ``field`` (``losses.X`` -> ``losses``) in ``section``; None if not a number."""
    head = field.split(".", 1)[0]
    if section == "events":
        for spec in EVENT_KINDS[kind].fields:
            if spec.name == head and spec.type in ("number", "faction_shares"):
                return spec.low, spec.high
        return None
    return FIELD_BOUNDS[section].get(head)


def current_value(scenario: Scenario, path: str) -> float:
    """The value at ``path`` in ``scenario``."""
    section, key, field = _split(path)
    entry = _entry(scenario, section, key)
    if section == "series":
        return float(entry.value)
    head, _, inner = field.partition(".")
    value = entry.fields[head] if section == "events" else getattr(entry, head)
    return float(value[inner] if inner else value)


def with_values(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """``scenario`` with the estimates ``values`` (path -> number) in place of its own.

    Raises:
        KeyError: a path that is not one of the scenario's estimates.
        ValueError: a value that is not a finite number.
    """
    known = {e.path for e in scenario.estimates}
    unknown = sorted(set(values) - known)
    if unknown:
        raise KeyError(f"not estimates of {scenario.name}: {unknown}")
    for path, value in values.items():
        if not _is_finite(value):
            raise ValueError(f"{path}: {brief(value)} is not a finite number")
    changes: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        section, key, field = _split(path)
        changes.setdefault(section, {}).setdefault(key, []).append((field, float(value)))
    updated: dict[str, Any] = {}
    for section, by_key in changes.items():
        if section == "series":
            series = dict(scenario.series)
            for key, fields in by_key.items():
                name, month = key.rsplit(".", 1)
                series[name] = tuple(replace(p, value=fields[-1][1]) if format_month(p.month) == month
                                     else p for p in series[name])
            updated["series"] = _frozen(series)
            continue
        entries = list(getattr(scenario, section))
        for i, entry in enumerate(entries):
            key = entry_key(section, entry)
            for field, value in by_key.get(key, []):
                entries[i] = _replaced(entries[i], section, field, value)
        updated[section] = tuple(entries)
    return replace(scenario, **updated)


def with_estimates(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """`with_values`, each of ``values`` (estimate path -> number) checked first: the values a
    caller chose (`sim.simulate`'s ``estimates``).

    Raises:
        ValueError: a path the scenario does not mark as an estimate, or a value that is not a
            number within that estimate's plausible range (the message names both).
    """
    known = estimates_by_path(scenario)
    for path, value in values.items():
        estimate = known.get(path)
        if estimate is None:
            raise ValueError(f"estimates: {brief(path)} is not an estimate of {scenario.name}; its "
                             f"{len(known)} estimates include {sorted(known)[:3]}")
        if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
                or not estimate.admits(float(value)):
            raise ValueError(f"estimates: {path} (of {scenario.name}) is {brief(value)}; allowed: a number "
                             f"in its plausible range [{estimate.low:g}, {estimate.high:g}]")
    return with_values(scenario, {path: float(value) for path, value in values.items()})


def estimate_kind(path: str) -> str:
    """What kind of number the estimate at ``path`` is: its section and field, a series by its name
    (``factions.extremist``, ``assets.haven``, ``assets.stakes``, ``events.losses``,
    ``relations.value``, ``series.oil_output``)."""
    section, key, field = _split(path)
    if section == "series":
        return f"series.{key.rsplit('.', 1)[0]}"
    return f"{section}.{field.partition('.')[0]}"


def remaining_estimates(estimates: tuple[Estimate, ...], scenario: Scenario) -> tuple[Estimate, ...]:
    """The ``estimates`` whose entries are still in ``scenario`` (after events or points were cut)."""
    events = {e.id for e in scenario.events}
    points = {f"{name}.{format_month(p.month)}" for name, pts in scenario.series.items() for p in pts}

    def present(estimate: Estimate) -> bool:
        section, key, _ = _split(estimate.path)
        return (section != "events" or key in events) and (section != "series" or key in points)

    return tuple(e for e in estimates if present(e))


def _is_finite(value: Any) -> bool:
    """Whether ``value`` is a real number (not a bool) with a finite float value."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _split(path: str) -> tuple[str, str, str]:
    section, rest = path.split(".", 1)
    if section == "series":
        name, month, field = rest.split(".", 2)
        return section, f"{name}.{month}", field
    key, field = rest.split(".", 1)
    return section, key, field


def entry_key(section: str, entry: Any) -> str:
    """The id of a scenario entry of ``section`` (``factions``, ``assets``...), ``A-B`` for a relation."""
    if section == "relations":
        return f"{entry.a}-{entry.b}"
    return entry.id


def _entry(scenario: Scenario, section: str, key: str) -> Any:
    if section == "series":
        name, month = key.rsplit(".", 1)
        return next(p for p in scenario.series[name] if format_month(p.month) == month)
    return next(e for e in getattr(scenario, section) if entry_key(section, e) == key)


def _replaced(entry: Any, section: str, field: str, value: float) -> Any:
    head, _, inner = field.partition(".")
    if section == "events":
        fields = dict(entry.fields)
        fields[head] = _frozen({**fields[head], inner: value}) if inner else value
        return replace(entry, fields=_frozen(fields))
    if inner:
        return replace(entry, **{head: _frozen({**getattr(entry, head), inner: value})})
    return replace(entry, **{head: value})
