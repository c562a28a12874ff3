"""Scenarios: the world as validated, immutable data."""

from sim.scenario.loader import load_scenario, load_scenario_cached, resolve_scenario_path
from sim.scenario.schema import Asset, Event, Faction, Relation, Scenario, State, TiltSides

__all__ = [
    "Asset", "Event", "Faction", "Relation", "Scenario", "State", "TiltSides", "load_scenario",
    "load_scenario_cached", "resolve_scenario_path",
]
