"""The event-kind registry: every kind of scenario event, declared once.

A kind declares its fields (type, range, meaning), any check across its fields, whether it changes
who is on stage (`sim.stage`), how many random numbers it draws, whether it is *material* (a
military or material change, which counterfactuals remove), and its effect on the war
(`sim.war.WarState`). The scenario loader validates events from these declarations, the model
applies them, `scenarios/README.md`'s table is `kinds_table()`, and an extension removes material
events with ``remove_events: {material: true}``.

Adding a kind: one `EventKind` in `EVENT_KINDS` (with its effect function), its test, and its line
in `scenarios/README.md` (the test suite checks that the table there is `kinds_table()`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.stage import Stage, StageError

if TYPE_CHECKING:
    from sim.scenario.schema import Event
    from sim.war import WarState

#: Field types: what a value must be (the loader checks it against the scenario's ids).
FIELD_TYPES: dict[str, str] = {
    "faction": "a faction id",
    "faction_or_null": "a faction id, or null",
    "faction_shares": "a mapping faction id -> number",
    "assets": "a non-empty list of asset ids",
    "asset": "an asset id",
    "state": "a state id",
    "states_or_all": "a list of state ids, or `all`",
    "company": "a company named by a state",
    "number": "a number",
    "choice": "one of the listed words",
}
FACTION_TYPES = ("faction", "faction_or_null", "faction_shares")


@dataclass(frozen=True)
class Field:
    """One field of an event kind.

    Attributes:
        name: the key in the scenario file.
        type: one of `FIELD_TYPES`.
        doc: its meaning and unit, for the docs.
        required: whether an event of the kind must give it.
        low, high: the allowed range of a number (of each number of a ``faction_shares``).
        choices: the allowed words of a ``choice``.
        on_stage: for faction fields, whether the faction must be on stage when the event applies.
    """

    name: str
    type: str
    doc: str
    required: bool = True
    low: float = 0.0
    high: float = 1.0
    choices: tuple[str, ...] = ()
    on_stage: bool = True

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}; known: {list(FIELD_TYPES)}")

    def describe(self) -> str:
        text = f"`{self.name}`"
        if self.type == "number":
            text += f" [{self.low:g}, {self.high:g}]"
        elif self.type == "faction_shares":
            text += f" (faction → [{self.low:g}, {self.high:g}])"
        elif self.type == "choice":
            text += ": " + " / ".join(f"`{c}`" for c in self.choices)
        return text + ("" if self.required else " (optional)")


@dataclass(frozen=True)
class EventKind:
    """A kind of event: its fields, its rules and its effect.

    Attributes:
        name: the ``kind:`` written in scenarios.
        fields: its fields, in the order the docs list them.
        effect: what it does, one sentence for the docs' table.
        material: a military or material change (removed by ``remove_events: {material: true}``).
        group: the group of inputs it belongs to for ablations (`INPUT_GROUPS`).
        apply: its effect: ``apply(war, event, draws)`` changes the `WarState` in place; ``draws``
            holds this event's uniforms, shape (draws, R).
        stage_rule: how it changes who is on stage, ``rule(stage, event)``, raising `StageError`.
        check: a rule across its fields: returns the problem, or None.
        draws: how many uniforms per replicate the event needs, from the event.
    """

    name: str
    fields: tuple[Field, ...]
    effect: str
    material: bool
    group: str
    apply: Callable[[WarState, Event, np.ndarray], None]
    stage_rule: Callable[[Stage, Event], None] | None = None
    check: Callable[[Event], str | None] | None = None
    draws: Callable[[Event], int] = lambda event: 0

    @property
    def changes_stage(self) -> bool:
        return self.stage_rule is not None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def factions_named(self, event: Event) -> list[str]:
        """Factions the event refers to that must be on stage when it applies."""
        named = []
        for f in self.fields:
            value = event.get(f.name)
            if f.type in FACTION_TYPES and f.on_stage and value is not None:
                named.extend(value if f.type == "faction_shares" else [value])
        return named

    def change_stage(self, stage: Stage, event: Event) -> None:
        """Check that the factions it names are on stage, then apply its stage rule."""
        stage.require_on_stage(self.factions_named(event))
        if self.stage_rule is not None:
            self.stage_rule(stage, event)


# ------------------------------------------------------------------------------- effects


def _offensive(war: WarState, event: Event, draws: np.ndarray) -> None:
    attacker, defender = war.faction_index[event["attacker"]], war.faction_index[event["defender"]]
    outcome = event["outcome"]
    if outcome == "attacker":
        won = np.ones(war.replicates, dtype=bool)
    elif outcome == "defender":
        won = np.zeros(war.replicates, dtype=bool)
    else:  # decided by this month's strengths, foreign support included
        won = draws[0] < war.win_probability(attacker, defender)
    war.transfer([war.asset_index[a] for a in event["assets"]], attacker, won)
    for fid, loss in event["losses"].items():
        war.base_strength[war.faction_index[fid]] *= 1.0 - loss


def _control(war: WarState, event: Event, draws: np.ndarray) -> None:
    war.transfer([war.asset_index[a] for a in event["assets"]], war.faction_index[event["to"]],
                 np.ones(war.replicates, dtype=bool))


def _strength(war: WarState, event: Event, draws: np.ndarray) -> None:
    war.base_strength[war.faction_index[event["faction"]]] *= 1.0 + event["change"]


def _terror(war: WarState, event: Event, draws: np.ndarray) -> None:
    for sid in event["affects"]:
        war.threat[war.state_index[sid]] += event["severity"]


def _deployment(war: WarState, event: Event, draws: np.ndarray) -> None:
    f = war.faction_index[event["faction"]]
    war.base_strength[f] += event["strength"]
    # the commitment is to the camp the faction fights in when the forces arrive
    war.deployed[war.state_index[event["state"]], war.head_of(f)] += event["strength"]


def _enter(war: WarState, event: Event, draws: np.ndarray) -> None:
    """Coming on stage is all: the stage rule has made the faction active."""


def _exit(war: WarState, event: Event, draws: np.ndarray) -> None:
    f, successor = war.faction_index[event["faction"]], war.faction_index[event["successor"]]
    war.hand_over_all(f, successor)
    war.support[:, f] = 0.0
    # commitments are held by camps (as deployments make them): they pass to the successor's camp
    war.deployed[:, war.head_of(successor)] += war.deployed[:, f]
    war.deployed[:, f] = 0.0
    war.record_ct[f] = 0.0


def _allegiance(war: WarState, event: Event, draws: np.ndarray) -> None:
    f = war.faction_index[event["faction"]]
    head = war.camp[f]
    if head >= 0 and head != f:
        # support to a camp goes through its head: what the faction received moves there
        war.support[:, head] += war.support[:, f]
        war.support[:, f] = 0.0


def _legitimacy(war: WarState, event: Event, draws: np.ndarray) -> None:
    war.legitimacy[war.faction_index[event["faction"]]] = event["value"]


def _blockade(war: WarState, event: Event, draws: np.ndarray) -> None:
    war.blockade([war.asset_index[a] for a in event["assets"]], war.faction_index[event["faction"]])


def _reopening(war: WarState, event: Event, draws: np.ndarray) -> None:
    war.reopen([war.asset_index[a] for a in event["assets"]])


def _stake(war: WarState, event: Event, draws: np.ndarray) -> None:
    war.set_stake(event["company"], war.asset_index[event["asset"]], event["value"])


# ------------------------------------------------------------------------------- the registry

OUTCOMES: tuple[str, ...] = ("attacker", "defender", "open")


def _distinct_sides(event: Event) -> str | None:
    if event["attacker"] == event["defender"]:
        return f"attacker and defender are both {event['attacker']}"
    return None


_KINDS = (
    EventKind(
        name="offensive",
        fields=(
            Field("attacker", "faction", "the attacking faction"),
            Field("defender", "faction", "the defending faction"),
            Field("assets", "assets", "what is fought over"),
            Field("outcome", "choice", "who wins", choices=OUTCOMES),
            Field("losses", "faction_shares", "share of base strength each faction loses",
                  required=False),
        ),
        effect="`attacker`: the assets pass to the attacker; `defender`: they stay; `open`: a "
               "contest-success function of the two camps' strengths (foreign support included) "
               "decides, per replicate. `losses` apply whatever the outcome (the fighting happened).",
        group="territory", material=True, apply=_offensive, check=_distinct_sides,
        draws=lambda event: int(event["outcome"] == "open"),
    ),
    EventKind(
        name="control",
        fields=(Field("assets", "assets", "what changes hands"),
                Field("to", "faction", "the new holder")),
        effect="the assets pass to `to` without a fight (hand-over, withdrawal, defection)",
        group="territory", material=True, apply=_control,
    ),
    EventKind(
        name="strength",
        fields=(Field("faction", "faction", "whose strength changes"),
                Field("change", "number", "relative change of base strength", low=-1.0, high=10.0),),
        effect="multiplies the faction's base strength by `1 + change`",
        group="territory", material=True, apply=_strength,
    ),
    EventKind(
        name="terror",
        fields=(Field("severity", "number", "size of the shock to the threat level"),
                Field("affects", "states_or_all", "the states whose territory, nationals or assets "
                      "it struck"),
                Field("perpetrator", "faction_or_null", "who carried it out", required=False)),
        effect="raises the affected states' threat level, which scales their security interest",
        group="terror", material=True, apply=_terror,
    ),
    EventKind(
        name="deployment",
        fields=(Field("state", "state", "the deploying state"),
                Field("faction", "faction", "whom the forces or arms go to"),
                Field("strength", "number", "strength added, relative units", high=10.0)),
        effect="a documented foreign deployment or arms delivery: adds to the faction's base "
               "strength, and commits the state to the camp the faction then fights in",
        group="deployments", material=True, apply=_deployment,
    ),
    EventKind(
        name="enter",
        fields=(Field("faction", "faction", "who comes on stage (declared `active: false`)",
                      on_stage=False),),
        effect="the faction comes on stage (it must be declared `active: false`)",
        group="stage", material=False, apply=_enter,
        stage_rule=lambda stage, event: stage.enter(event["faction"]),
    ),
    EventKind(
        name="exit",
        fields=(Field("faction", "faction", "who leaves"),
                Field("successor", "faction", "who takes over its assets")),
        effect="the faction leaves; its assets pass to `successor`, and the commitments made to it "
               "to the camp `successor` fights in; support to it ends",
        group="stage", material=False, apply=_exit,
        stage_rule=lambda stage, event: stage.exit(event["faction"], event["successor"]),
    ),
    EventKind(
        name="allegiance",
        fields=(Field("faction", "faction", "who changes camp"),
                Field("camp", "faction_or_null", "the head of its new camp (null: independent)")),
        effect="the faction joins another camp (`null` = independent); support it received moves "
               "to its new head",
        group="stage", material=False, apply=_allegiance,
        stage_rule=lambda stage, event: stage.join(event["faction"], event["camp"]),
    ),
    EventKind(
        name="legitimacy",
        fields=(Field("faction", "faction", "whose recognition changes"),
                Field("value", "number", "its international recognition")),
        effect="sets its international recognition",
        group="political", material=False, apply=_legitimacy,
    ),
    EventKind(
        name="blockade",
        fields=(Field("faction", "faction", "who shuts the assets (it holds or besieges them)"),
                Field("assets", "assets", "the oil and gas assets shut")),
        effect="the assets stop producing until a `reopening`; the capacity they withhold is "
               "charged to the blockading faction's camp in every state's oil interest (and in "
               "its company's, through its stakes)",
        group="oil", material=True, apply=_blockade,
    ),
    EventKind(
        name="reopening",
        fields=(Field("assets", "assets", "the assets that produce again"),
                Field("faction", "faction", "who reopens them (for the record)", required=False)),
        effect="the assets produce again, for whoever holds them",
        group="oil", material=True, apply=_reopening,
    ),
    EventKind(
        name="stake",
        fields=(Field("asset", "asset", "the asset"),
                Field("company", "company", "the company"),
                Field("value", "number", "its new equity share")),
        effect="a company's equity share in an asset changes (purchase, sale)",
        group="oil", material=True, apply=_stake,
    ),
)

#: Groups of inputs, for ablations: what removing each means. Events of the ``stage`` group (who is
#: on stage and in which camp) are the frame of the others and are never removed.
INPUT_GROUPS: dict[str, str] = {
    "territory": "offensives, hand-overs and strength shocks: who holds what",
    "oil": "the oil output series, blockades, reopenings and stake changes",
    "migration": "the migrant arrivals series",
    "terror": "terror attacks",
    "deployments": "foreign deployments and arms deliveries",
    "political": "recognition of Libyan bodies (legitimacy events)",
    "stage": "factions entering, leaving or changing camp (never removed)",
}
#: Short names of the groups, for figures and tables.
GROUP_LABELS: dict[str, str] = {
    "territory": "territory and offensives",
    "oil": "oil",
    "migration": "migration",
    "terror": "terror",
    "deployments": "foreign deployments",
    "political": "political (recognition)",
    "stage": "stage",
}
#: Each exogenous series' input group.
SERIES_GROUPS: dict[str, str] = {"oil_output": "oil", "migrant_arrivals": "migration"}

#: kind name -> its declaration.
EVENT_KINDS: dict[str, EventKind] = {kind.name: kind for kind in _KINDS}
#: Kinds that carry military or material change (what ``remove_events: {material: true}`` removes).
MATERIAL_KINDS: tuple[str, ...] = tuple(k.name for k in _KINDS if k.material)


def kinds_table() -> str:
    """The Markdown table of event kinds in `scenarios/README.md`, made from the registry."""
    lines = ["| kind | fields | material | group | effect |", "|---|---|---|---|---|"]
    for kind in EVENT_KINDS.values():
        fields = ", ".join(f.describe() for f in kind.fields)
        material = "yes" if kind.material else "no"
        lines.append(f"| `{kind.name}` | {fields} | {material} | {kind.group} | {kind.effect} |")
    return "\n".join(lines)


__all__ = ["EVENT_KINDS", "FIELD_TYPES", "GROUP_LABELS", "INPUT_GROUPS", "MATERIAL_KINDS", "OUTCOMES",
           "SERIES_GROUPS",
           "EventKind", "Field", "StageError", "kinds_table"]
