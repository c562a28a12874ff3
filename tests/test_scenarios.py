"""Every scenario file under scenarios/ (and a subfolder down) loads and runs a few months (smoke test)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import yaml

from sim.paths import SCENARIO_DIR
from sim.scenario import load_scenario, scenario_names
from sim.scenario import reading as scenario_reading
from sim.simulate import execute

SCENARIOS = scenario_names(SCENARIO_DIR)  # with the counterfactuals/ library


def test_the_historical_scenario_is_present():
    assert "libya_2014_2019" in SCENARIOS


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_runs_a_few_months(name):
    scenario = load_scenario(name)
    short = scenario.truncated(scenario.start + 5)
    result = execute(short, params=None, replicates=3, seed=0)
    assert result.tilt_array.shape == (6, 3, len(scenario.states))
    assert np.all(np.isfinite(result.tilt_array))


def test_italy_acts_are_never_inputs():
    """Integrity rule: Italy's own acts are what the model reproduces, never events."""
    for name in SCENARIOS:
        for event in load_scenario(name).events:
            assert event.get("state") != "ITA", (name, event.id)


#: Wordings by which a relation would be read off the two states' sides in Libya.
SIDE_WORDINGS = ("pro-lna", "pro-tripoli", "pro-haftar", "opposite sides", "same side", "alignments",
                 "libya dawn", "both pro")


def test_relations_are_sourced_from_ties_outside_the_libyan_war():
    """Coding choice 11: the partners' channel must not make the documented sides an input."""
    for name in SCENARIOS:
        for relation in load_scenario(name).relations:
            source = relation.source.lower()
            assert not [w for w in SIDE_WORDINGS if w in source], (name, relation.a, relation.b, source)
            assert "size an estimate" in source, (name, relation.a, relation.b)  # the size is judged


def test_historical_scenario_covers_the_documented_period():
    scenario = load_scenario("libya_2014_2019")
    assert scenario.month_label(0) == "2014-01"
    assert scenario.month_label(scenario.n_months - 1) == "2019-08"
    kinds = {e.kind for e in scenario.events}
    assert {"offensive", "terror", "deployment", "enter", "exit", "allegiance"} <= kinds


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_reads_the_same_with_and_without_libyaml(name, monkeypatch):
    """The strict loader (no anchors, no duplicate keys, dates kept as text) changes no shipped scenario."""
    fast = load_scenario(name)
    monkeypatch.setattr(scenario_reading, "_ScenarioLoader", scenario_reading._strict_loader(yaml.SafeLoader))
    assert load_scenario(name) == fast
    monkeypatch.setattr(scenario_reading, "_ScenarioLoader", yaml.SafeLoader)  # yaml.safe_load's reading
    assert load_scenario(name) == fast


def test_the_approach_study_scenario_is_the_history_with_gharyan_marked():
    """scenarios/studies/gharyan_approach.yaml (docs/calibration_studies.md, "Approaches to the capital")
    changes one thing: Gharyan counts for half the capital's weight, an estimate with its range."""
    history, marked = load_scenario("libya_2014_2019"), load_scenario("studies/gharyan_approach")
    assert "studies/gharyan_approach" in SCENARIOS
    changed = {a.id: [f.name for f in dataclasses.fields(a) if getattr(a, f.name) != getattr(b, f.name)]
               for a, b in zip(marked.assets, history.assets, strict=True)}
    assert {k: v for k, v in changed.items() if v} == {"GHARYAN": ["source", "approach"]}
    gharyan = {s.name: next(a for a in s.assets if a.id == "GHARYAN") for s in (history, marked)}
    assert (gharyan["gharyan_approach"].approach, gharyan["libya_2014_2019"].approach) == (0.5, 0.0)
    assert marked.events == history.events
    ranges = {e.path: (e.low, e.high) for e in marked.estimates}
    assert ranges["assets.GHARYAN.approach"] == (0.25, 0.75)
    assert set(ranges) - {e.path for e in history.estimates} == {"assets.GHARYAN.approach"}


def test_the_transit_study_scenario_is_the_history_with_the_fezzan_marked():
    """scenarios/studies/fezzan_transit.yaml (docs/calibration_studies.md, "The Fezzan as Europe's
    southern border") changes one thing: the Fezzan carries 0.6 of the migrants' route, an
    estimate with its range."""
    history, marked = load_scenario("libya_2014_2019"), load_scenario("studies/fezzan_transit")
    assert "studies/fezzan_transit" in SCENARIOS
    changed = {a.id: [f.name for f in dataclasses.fields(a) if getattr(a, f.name) != getattr(b, f.name)]
               for a, b in zip(marked.assets, history.assets, strict=True)}
    assert {k: v for k, v in changed.items() if v} == {"FEZZAN": ["source", "transit_share"]}
    assert [a.transit_share for a in history.assets if a.transit_share] == []
    assert next(a for a in marked.assets if a.id == "FEZZAN").transit_share == 0.6
    assert marked.events == history.events
    ranges = {e.path: (e.low, e.high) for e in marked.estimates}
    assert ranges["assets.FEZZAN.transit_share"] == (0.4, 0.8)
    assert set(ranges) - {e.path for e in history.estimates} == {"assets.FEZZAN.transit_share"}
