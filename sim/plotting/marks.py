"""What a figure marks about its scenario: human names, dated events, and the months before the
tilt's minus side took its final form (before the GNA existed), built once from a `Scenario`.

Plot functions take a `Marks` (or none: then they fall back on ids and draw no events), so they
draw the same from a live result and from a saved results folder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.dates import format_month
from sim.plotting.style import month_label

#: How many labelled events a figure keys at most (the scenario's first ones by date).
MAX_EVENTS = 16


@dataclass(frozen=True)
class Before:
    """A stretch of months in which the tilt's minus side was another actor.

    Attributes:
        start, end: ``YYYY-MM`` of its first month and of the month the final actor appeared.
        text: what the shading says (e.g. "before the GNA: the tilt is LNA − GNC").
    """

    start: str
    end: str
    text: str


@dataclass(frozen=True)
class Marks:
    """A scenario's marks on its figures.

    Attributes:
        title: the scenario's human title (e.g. "Libya 2014–2019").
        states: state id -> human name ("ITA" -> "Italy").
        factions: faction id -> short human name.
        sides: faction id -> "plus", "minus" or "" (the side of the tilt its opening camp is on).
        events: ``(YYYY-MM, label)`` of the scenario's labelled events, by date.
        before: the months before the minus side's final actor existed, or None.
        assets: asset id -> short human name.
    """

    title: str = ""
    states: Mapping[str, str] = field(default_factory=dict)
    factions: Mapping[str, str] = field(default_factory=dict)
    sides: Mapping[str, str] = field(default_factory=dict)
    events: tuple[tuple[str, str], ...] = ()
    before: Before | None = None
    assets: Mapping[str, str] = field(default_factory=dict)

    def state(self, sid: str) -> str:
        """The state's human name (its id if unknown)."""
        return self.states.get(sid, sid)


def human_title(scenario) -> str:
    """The scenario's title if it gives one, else its name made readable
    (``libya_2014_2019_no_military`` -> "Libya 2014–2019, no military")."""
    title = getattr(scenario, "title", "") or ""
    if title and title != scenario.name:
        return str(title)
    match = re.fullmatch(r"([a-z]+)_(\d{4})_(\d{4})(?:_(.+))?", scenario.name)
    if match is None:
        return scenario.name.replace("_", " ")
    place, first, last, variant = match.groups()
    text = f"{place.capitalize()} {first}–{last}"
    return f"{text}, {variant.replace('_', ' ')}" if variant else text


def short_name(name: str, limit: int = 34) -> str:
    """A name without its parenthesis or its second form, and without what follows a comma when
    what precedes it is already a name of two words or more:
    "Libyan National Army (Haftar)" -> "Libyan National Army", "El Feel / Elephant field" -> "El Feel"."""
    text = re.split(r"\s*(?:\(|\s/\s)", name, maxsplit=1)[0].strip() or name
    head = text.split(",", 1)[0]
    if len(head.split()) >= 2:
        text = head
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _before(scenario) -> Before | None:
    minus = scenario.tilt.minus
    if len(minus) < 2:
        return None
    entries = [e for e in scenario.events if e.kind == "enter" and e["faction"] == minus[-1]]
    opening = next((f for f in scenario.factions if f.id == minus[-1]), None)
    if not entries or (opening is not None and opening.active):
        return None
    end = format_month(entries[0].month)
    plus = " then ".join(scenario.tilt.plus)
    return Before(format_month(scenario.start), end,
                  f"before the {minus[-1]} ({month_label(end)}): the tilt is {plus} against the "
                  f"{minus[0]}")


def marks_for(scenario) -> Marks:
    """The marks of a loaded `sim.scenario.Scenario`."""
    plus, minus = set(scenario.tilt.plus), set(scenario.tilt.minus)

    def side(faction) -> str:
        camp = faction.camp or ""
        return "plus" if camp in plus or faction.id in plus else (
            "minus" if camp in minus or faction.id in minus else "")

    labelled = sorted((e for e in scenario.events if e.label), key=lambda e: e.date)
    return Marks(
        title=human_title(scenario),
        states={s.id: s.name for s in scenario.states},
        factions={f.id: short_name(f.name) for f in scenario.factions},
        sides={f.id: side(f) for f in scenario.factions},
        events=tuple((e.date[:7], e.label) for e in labelled[:MAX_EVENTS]),
        before=_before(scenario),
        assets={a.id: short_name(a.name) for a in scenario.assets},
    )
