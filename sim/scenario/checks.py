"""Checks of raw scenario entries, shared by the loader and the extension rules: where an entry is
(for messages), and its numbers, texts, flags, keys, references and months."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sim.dates import format_month, parse_month
from sim.errors import ScenarioError, brief

#: Keys the loader adds to raw entries (never read from a file: `_tag_origin` and `_tag_entries`
#: overwrite them).
_INTERNAL_KEYS = {"_file", "_entry"}



@dataclass(frozen=True)
class Where:
    """Where an entry lives, for error messages: its file and its path there, e.g. ``factions.GNA``."""

    file: str
    entry: str

    def child(self, key: str) -> Where:
        """The entry's field ``key``: ``factions.GNA`` -> ``factions.GNA.strength``."""
        return Where(self.file, f"{self.entry}.{key}")

    def error(self, problem: str) -> ScenarioError:
        return ScenarioError(self.file, self.entry, problem)


def _file_of(entry: Any, default: str) -> str:
    """The file a raw entry came from (tagged by `_tag_origin`), else ``default``."""
    return entry.get("_file", default) if isinstance(entry, dict) else default


def _month(value: Any, where: Where) -> int:
    try:
        return parse_month(value)
    except ValueError as exc:
        raise where.error(str(exc)) from None


def _period(raw: dict) -> tuple[int, int]:
    """The raw scenario's first and last month (``start``, ``end``), checked."""
    file = raw["_file"]
    for key in ("start", "end"):
        if key not in raw:
            raise ScenarioError(file, key, "is missing; a month YYYY-MM")
    start = _month(raw["start"], Where(file, "start"))
    end = _month(raw["end"], Where(file, "end"))
    if end < start:
        raise ScenarioError(file, "end", f"{format_month(end)} is before start {format_month(start)}")
    return start, end


def _is_finite(value: Any) -> bool:
    """Whether ``value`` is a number (not a bool) with a finite float value (10**400 is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _number(entry: dict, key: str, where: Where, *, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    at = where.child(key)
    if key not in entry:
        raise at.error(f"is missing; a number in [{lo}, {hi}]")
    value = entry[key]
    if not _is_finite(value):
        raise at.error(f"is {brief(value)}; a finite number in [{lo}, {hi}]")
    if not lo <= value <= hi:
        raise at.error(f"is {value:g}; allowed range [{lo}, {hi}]")
    return float(value)


def _text(entry: dict, key: str, where: Where, *, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise where.child(key).error("is missing or empty; a non-empty string")
    if not isinstance(value, str):
        raise where.child(key).error(f"is {brief(value)}; a non-empty string")
    return value.strip()


def _flag(entry: dict, key: str, where: Where, *, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise where.child(key).error(f"is {brief(value)}; true or false")
    return value


def _check_keys(entry: Any, allowed: set[str], where: Where) -> dict:
    if not isinstance(entry, dict):
        raise where.error(f"is {brief(entry)}; a mapping with keys among {sorted(allowed)}")
    unknown = sorted(set(entry) - allowed - _INTERNAL_KEYS, key=str)
    if unknown:
        raise where.child(_label(unknown[0])).error(f"unknown key; allowed: {sorted(allowed)}")
    return entry


def _ref(value: Any, known: tuple[str, ...], where: Where, *, what: str) -> str:
    if not isinstance(value, str) or value not in known:
        raise where.error(f"unknown {what} {brief(value)}; known: {list(known)}")
    return value


def _label(key: Any) -> str:
    """A mapping key as shown in an entry's name (a long or odd key shortened by `brief`)."""
    return key if isinstance(key, str) and len(key) <= 60 else brief(key)


#: Identifiers (scenarios/README.md): actors and assets in upper case, events in lower case.
ACTOR_ID = re.compile(r"[A-Z0-9_]+")
EVENT_ID = re.compile(r"[a-z0-9_]+")


