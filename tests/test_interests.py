"""Interests by name: a toy interest added in a fixture scenario acts, and names are checked."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ParameterError, ScenarioError
from sim.interests import INTERESTS, Interest, interest_names, registered
from sim.model import AlignmentModel
from sim.scenario import load_scenario

#: A toy interest: a state with a weight on it favours the factions that hold a gas-rich share of
#: national output (here: the whole output held, squared), the same for every state.
GAS = Interest("gas", "toy: the square of the output share a camp holds",
               common=lambda perceived: perceived.output**2)


def _add_gas_weights(data, weight=3.0):
    for state in data["states"].values():
        state["weights"]["gas"] = weight


@pytest.fixture
def gas_scenario(write_variant):
    """The toy scenario with a weight on ``gas`` for every state (loaded while it is registered)."""
    with registered(GAS):
        return load_scenario(write_variant(_add_gas_weights, name="gas"))


def test_interest_names_follow_the_registry():
    assert interest_names() == tuple(i.name for i in INTERESTS)
    assert len(set(interest_names())) == len(INTERESTS)
    assert all(i.common is not None or i.own is not None for i in INTERESTS)


def test_a_toy_interest_acts(gas_scenario):
    with registered(GAS):
        assert interest_names()[-1] == "gas"
        weights = {"state_weights": {"ITA": {"gas": 0.0}, "FRA": {"gas": 0.0}, "TUR": {"gas": 0.0}}}
        without = AlignmentModel(gas_scenario, weights, replicates=8, seed=3).run()
        with_gas = AlignmentModel(gas_scenario, {}, replicates=8, seed=3).run()
        view = with_gas.view
        assert "gas" in view.common_interests
        np.testing.assert_allclose(view.common[view.common_interests.index("gas")],
                                   view.perceived.output**2, rtol=1e-6)
    moved = np.abs(with_gas.tilt_history - without.tilt_history).max()
    assert moved > 0.05, f"a weight of 3 on the toy interest moved no tilt ({moved})"


def test_a_zero_weight_interest_changes_nothing(gas_scenario, mini_scenario):
    with registered(GAS):
        zero = {"state_weights": {s: {"gas": 0.0} for s in ("ITA", "FRA", "TUR")}}
        with_zero = AlignmentModel(gas_scenario, zero, replicates=8, seed=3).run()
    base = AlignmentModel(mini_scenario, {}, replicates=8, seed=3).run()
    np.testing.assert_allclose(with_zero.tilt_history, base.tilt_history, atol=1e-5)


def test_weights_must_name_the_registered_interests(write_variant):
    path = write_variant(_add_gas_weights, name="gas")
    with pytest.raises(ScenarioError, match=r"states\.ITA\.weights\.gas.*unknown key"):
        load_scenario(path)  # no such interest registered
    with registered(GAS):
        plain_path = write_variant(lambda data: None, name="plain")
        with pytest.raises(ScenarioError, match=r"states\.ITA\.weights\.gas.*is missing"):
            load_scenario(plain_path)


def test_parameters_override_a_registered_interests_weight(gas_scenario):
    with registered(GAS):
        model = AlignmentModel(gas_scenario, {"state_weights": {"ITA": {"gas": 7.0}}}, seed=0)
        assert model.state_agents[0].weight("gas") == pytest.approx(7.0)
    with pytest.raises(ParameterError, match="unknown interest"):
        AlignmentModel(gas_scenario, {"state_weights": {"ITA": {"gas": 7.0}}}, seed=0)


def test_an_interest_is_registered_once():
    with registered(GAS), pytest.raises(ValueError, match="exists already"), registered(GAS):
        pass
    assert "gas" not in interest_names()
