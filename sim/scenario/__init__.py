"""Scenarios: the world as validated, immutable data."""

from sim.scenario.loader import SCENARIO_DIR, load_scenario, resolve_scenario_path
from sim.scenario.schema import (
    EVENT_KINDS,
    INTERESTS,
    MATERIAL_KINDS,
    Asset,
    Event,
    Faction,
    Relation,
    Scenario,
    State,
)

__all__ = [
    "EVENT_KINDS", "INTERESTS", "MATERIAL_KINDS", "SCENARIO_DIR", "Asset", "Event", "Faction",
    "Relation", "Scenario", "State", "load_scenario", "resolve_scenario_path",
]
