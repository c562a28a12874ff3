"""Scenarios: the world as validated, immutable data."""

from sim.scenario.loader import (
    load_scenario,
    load_scenario_cached,
    resolve_scenario_path,
    scenario_digest,
    scenario_names,
)
from sim.scenario.schema import (
    Asset,
    Event,
    Faction,
    FixedSupport,
    Relation,
    Scenario,
    State,
    TiltSides,
)

__all__ = [
    "Asset", "Event", "Faction", "FixedSupport", "Relation", "Scenario", "State", "TiltSides",
    "load_scenario", "load_scenario_cached", "resolve_scenario_path", "scenario_digest",
    "scenario_names",
]
