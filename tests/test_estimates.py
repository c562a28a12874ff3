"""Estimates: numbers a scenario marks as coding judgements, with plausible ranges."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.model import AlignmentModel
from sim.scenario import load_scenario
from sim.scenario.estimates import current_value, with_values

PATHS = {
    "factions.LNA.strength": 1.0,
    "relations.ITA-FRA.value": -0.5,
    "assets.HAVEN.haven": 1.0,
    "series.oil_output.2016-12.value": 800000.0,
    "events.haven_taken.losses.ISIS": 0.8,
}


def test_the_toy_scenario_marks_its_estimates(mini_scenario):
    found = {e.path: (e.value, e.low, e.high) for e in mini_scenario.estimates}
    assert {path: value for path, (value, _, _) in found.items()} == PATHS
    assert found["events.haven_taken.losses.ISIS"][1:] == (0.5, 0.95)


def test_with_values_changes_exactly_the_estimates_named(mini_scenario):
    changed = with_values(mini_scenario, {"factions.LNA.strength": 1.3, "events.haven_taken.losses.ISIS": 0.6,
                                          "series.oil_output.2016-12.value": 650000.0,
                                          "relations.ITA-FRA.value": -0.7, "assets.HAVEN.haven": 0.5})
    assert current_value(changed, "factions.LNA.strength") == 1.3
    assert changed.events[0]["losses"]["ISIS"] == 0.6
    assert changed.monthly("oil_output")[-1] == 650000.0
    assert changed.relations[0].value == -0.7 and changed.assets[3].haven == 0.5
    assert changed.factions[0] == mini_scenario.factions[0]  # GNA untouched
    assert current_value(mini_scenario, "factions.LNA.strength") == 1.0  # the original is immutable
    before = AlignmentModel(mini_scenario, {}, replicates=4, seed=0).run()
    after = AlignmentModel(changed, {}, replicates=4, seed=0).run()
    assert not np.array_equal(before.tilt_history, after.tilt_history)
    with pytest.raises(KeyError, match="not estimates"):
        with_values(mini_scenario, {"factions.GNA.strength": 0.4})
    for bad in (float("nan"), 10**400, "1.2", True):
        with pytest.raises(ValueError, match=r"factions.LNA.strength: .* is not a finite number"):
            with_values(mini_scenario, {"factions.LNA.strength": bad})


def test_cutting_the_scenario_drops_the_estimates_of_what_it_cuts(mini_scenario):
    early = mini_scenario.truncated(mini_scenario.start + 1)  # before haven_taken (2016-03)
    assert "events.haven_taken.losses.ISIS" not in {e.path for e in early.estimates}
    assert "factions.LNA.strength" in {e.path for e in early.estimates}


def _mark(where: list, marks):
    def edit(data):
        target = data
        for key in where:
            target = target[key]
        target["estimates"] = marks

    return edit


@pytest.mark.parametrize(
    ("where", "marks", "words"),
    [
        (["factions", "GNA"], {"strength": [0.6, 0.9]}, "does not contain the value used, 0.5"),
        (["factions", "GNA"], {"strength": [-1, 0.9]}, "must have low < high within [0.0, 100.0]"),
        (["factions", "GNA"], {"strength": [0.9, 0.1]}, "must have low < high"),
        (["factions", "GNA"], {"name": [0, 1]}, "is not a number of this entry"),
        (["factions", "GNA"], {"strength": 0.5}, "must be [low, high]"),
        (["factions", "GNA"], {"strength": [0.1, float("nan")]}, "must be [low, high]"),
        (["factions", "GNA"], {"strength": [0.1, 10**400]}, "two finite numbers"),
        (["factions", "GNA"], {"strength": [0.1, True]}, "two finite numbers"),
        (["factions", "GNA"], [0.1, 0.9], "must map each estimated field"),
        (["states", "ITA"], {"weights.greed": [0, 1]}, "names no value of this entry"),
        (["events", 0], {"losses.GNA": [0.1, 0.9]}, "names no value of this entry"),
        (["events", 0], {"outcome": [0, 1]}, "is not a number of this entry"),
    ],
)
def test_bad_estimates_name_the_entry(write_variant, where, marks, words):
    path = write_variant(_mark(where, marks))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert ".estimates" in str(caught.value) and words in str(caught.value), str(caught.value)


def test_simulate_runs_with_the_estimates_given(mini_scenario):
    """``sim.simulate(estimates=...)`` runs the scenario with those values: the same tables as the
    scenario changed by `with_values`, other tables than the file's values give, and the run's
    record says what was set."""
    from sim.params import calibrated_params
    from sim.simulate import execute, simulate

    values = {"assets.HAVEN.haven": 0.5, "factions.LNA.strength": 1.4}
    given = simulate(str(mini_scenario.path), replicates=3, seed=2, estimates=values)
    changed = execute(with_values(mini_scenario, values), params=calibrated_params(), replicates=3, seed=2)
    plain = simulate(str(mini_scenario.path), replicates=3, seed=2)
    assert given.tilt.equals(changed.tilt) and given.control.equals(changed.control)
    assert not given.alignment.equals(plain.alignment)
    assert given.config["estimates"] == values
