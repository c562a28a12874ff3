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


def test_the_stages_study_scenario_divides_each_campaign_and_keeps_its_totals():
    """scenarios/studies/campaign_stages.yaml (docs/calibration_studies.md, "The campaigns by their
    stages") splits Benghazi into three districts and Derna into two, each taken by its own dated
    event. The districts' haven and military values add up to the city's, and their losses
    compound to the history's; nothing else changes."""
    history, staged = load_scenario("libya_2014_2019"), load_scenario("studies/campaign_stages")
    assert "studies/campaign_stages" in SCENARIOS
    cities = {"BENGHAZI": ("BENGHAZI_LAITHI", "BENGHAZI_GANFOUDA", "BENGHAZI"),
              "DERNA": ("DERNA", "DERNA_OLD_CITY")}
    old = {a.id: a for a in history.assets}
    new = {a.id: a for a in staged.assets}
    for city, districts in cities.items():
        for field in ("haven", "military_value"):
            assert sum(getattr(new[d], field) for d in districts) == pytest.approx(
                getattr(old[city], field), abs=0.002)
        assert {new[d].controller for d in districts} == {old[city].controller}
    assert set(new) - set(old) == {"BENGHAZI_LAITHI", "BENGHAZI_GANFOUDA", "DERNA_OLD_CITY"}
    assert all(new[k] == old[k] for k in old if k not in cities)

    history_events = {e.id: e for e in history.events}
    staged_events = {e.id: e for e in staged.events}
    stages = {"BENGHAZI": ("lna_takes_benghazi_laithi", "lna_takes_benghazi_ganfouda", "lna_takes_benghazi"),
              "DERNA": ("lna_takes_derna", "lna_takes_derna_old_city")}
    whole = {"BENGHAZI": "lna_takes_benghazi", "DERNA": "lna_takes_derna"}
    for city, ids in stages.items():
        assert [staged_events[i].date[:7] for i in ids] == sorted(staged_events[i].date[:7] for i in ids)
        assert [staged_events[i].fields["assets"] for i in ids] == [(d,) for d in cities[city]]
        for faction, loss in history_events[whole[city]].fields["losses"].items():
            kept = np.prod([1 - staged_events[i].fields["losses"][faction] for i in ids])
            assert kept == pytest.approx(1 - loss, abs=0.002)
    changed = {i for i in history_events if staged_events[i] != history_events[i]}
    assert changed == {"dignity_offensive_benghazi", "lna_takes_benghazi", "lna_takes_derna"}
    assert set(staged_events) - set(history_events) == {
        "lna_takes_benghazi_laithi", "lna_takes_benghazi_ganfouda", "lna_takes_derna_old_city"}
