"""Who is on stage, and in which camp: the rules that `enter`, `exit` and `allegiance` events follow.

The scenario loader walks the timeline with a `Stage` to check that every event refers to factions
that are on stage; the model walks it to plan each month's random draws and to keep its arrays of
who is active and who fights under whom. The rules are written here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.schema import Event, Faction


class StageError(ValueError):
    """An event breaks the order of the stage (the loader adds the file and the event's name)."""


@dataclass
class Stage:
    """The factions on stage and their camps, as events change them.

    Attributes:
        order: every faction id, in scenario order.
        patronable: faction id -> whether foreign states may back it (fixed).
        active: ids on stage now.
        entered: ids that have ever been on stage (a faction enters once).
        camp: faction id -> id of the camp head it fights under (itself for a head), or None.
    """

    order: tuple[str, ...]
    patronable: dict[str, bool]
    active: set[str] = field(default_factory=set)
    entered: set[str] = field(default_factory=set)
    camp: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def opening(cls, factions: Iterable[Faction]) -> Stage:
        """The stage at a scenario's start."""
        factions = tuple(factions)
        active = {f.id for f in factions if f.active}
        return cls(order=tuple(f.id for f in factions),
                   patronable={f.id: f.patronable for f in factions},
                   active=set(active), entered=set(active),
                   camp={f.id: f.camp for f in factions})

    def copy(self) -> Stage:
        return Stage(self.order, dict(self.patronable), set(self.active), set(self.entered),
                     dict(self.camp))

    def is_head(self, faction: str) -> bool:
        return self.camp.get(faction) == faction

    def backable(self) -> list[str]:
        """Factions a state can back: on stage, patronable, and camp heads or independents."""
        return [f for f in self.order if f in self.active and self.patronable[f]
                and self.camp[f] in (None, f)]

    def side(self, succession: tuple[str, ...]) -> str:
        """The faction that stands for a side now: the last of ``succession`` on stage (else the
        first)."""
        present = [f for f in succession if f in self.active]
        return present[-1] if present else succession[0]

    def require_on_stage(self, factions: Iterable[str]) -> None:
        for fid in factions:
            if fid not in self.active:
                raise StageError(f"refers to {fid}, which is not on stage then "
                                 f"(on stage: {sorted(self.active)}); check the order of enter/exit")

    # ---------------------------------------------------------------- the rules of each kind

    def enter(self, faction: str) -> None:
        if faction in self.entered:
            raise StageError(f"{faction} enters but is already on stage or has been; declare it "
                             "`active: false` and let it enter once")
        self.active.add(faction)
        self.entered.add(faction)

    def exit(self, faction: str, successor: str) -> None:
        if successor == faction:
            raise StageError(f"{faction} cannot succeed itself")
        followers = sorted(g for g in self.active if self.camp[g] == faction and g != faction)
        if followers:
            raise StageError(f"{faction} leaves while {followers} are in its camp; move them first "
                             "with allegiance events")
        self.active.discard(faction)

    def join(self, faction: str, head: str | None) -> None:
        if head is not None and head != faction:
            if not self.is_head(head):
                raise StageError(f"{head} is not a camp head")
            if head not in self.active:
                raise StageError(f"camp head {head} is not on stage then")
        self.camp[faction] = head


def replay(stage: Stage, events: Iterable[Event]) -> Stage:
    """Apply the stage rules of ``events`` in order to ``stage`` (in place); return it.

    Raises:
        StageError: from the first event that breaks the order (its ``event`` attribute names it).
    """
    from sim.events import EVENT_KINDS

    for event in events:
        try:
            EVENT_KINDS[event.kind].change_stage(stage, event)
        except StageError as exc:
            exc.event = event
            raise
    return stage
