"""States reading the war's trend (momentum in the winner interest): neutral when off, positive
after a camp gains ground and fading back, negative after it loses ground; one weight per
replicate (the bounds are checked in tests/test_params.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.interests import interest_names
from sim.model import AlignmentModel, keep_per_month
from sim.month import SituationMemory, perceived_momentum
from sim.params import calibrated_params, resolve_params
from sim.scenario import load_scenario
from sim.war import FLOAT
from tests.conftest import MINI, assert_same_histories, model_histories


def _run(scenario, params, replicates: int, seed: int) -> dict[str, np.ndarray]:
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed, record="full").run()
    return model_histories(model)


@pytest.mark.parametrize("scenario_name", [str(MINI), "libya_2014_2019"])
def test_a_zero_trend_weight_is_the_run_without_it(scenario_name):
    """tau = 0 builds no trend memory: the same arrays whatever the trend half-life; tau = 0 in
    every replicate computes the momentum and adds nothing: the same arrays again."""
    scenario = load_scenario(scenario_name)
    base = calibrated_params()
    plain = _run(scenario, base, replicates=6, seed=3)
    off = AlignmentModel(scenario, {**base, "trend_weight": 0.0, "trend_half_life": 5.0},
                         replicates=6, seed=3, record="full")
    assert off.trend_memory is None
    assert_same_histories(plain, model_histories(off.run()))
    zeros = _run(scenario, {**base, "trend_weight": [0.0] * 6, "trend_half_life": 5.0},
                 replicates=6, seed=3)
    assert_same_histories(plain, zeros)


def _momenta(chances: list[float], *, fast_half_life: float = 2.0,
             slow_half_life: float = 12.0) -> np.ndarray:
    """Momentum of one faction whose chance of prevailing runs through ``chances`` (one a month)."""
    fast = SituationMemory(keep_per_month(fast_half_life), (1, 1, 1))
    slow = SituationMemory(keep_per_month(slow_half_life), (1, 1, 1))
    active = np.ones(1, bool)
    out = []
    for chance in chances:
        perceived = fast.advance(np.full((1, 1, 1), chance, FLOAT), active)
        out.append(float(perceived_momentum(perceived, slow, active)[0, 0]))
    return np.array(out)


def test_momentum_is_positive_after_a_gain_and_fades_back():
    momenta = _momenta([0.4] * 6 + [0.7] * 60)
    assert np.all(momenta[:6] == 0.0)  # a steady chance: no momentum
    after = momenta[6:]
    assert np.all(after > 0.0)
    peak = int(np.argmax(after))
    assert peak <= 6  # it peaks within months of the gain
    assert np.all(np.diff(after[peak:]) <= 0.0)  # then fades once the gains stop
    assert after[-1] < 0.1 * after[peak]  # five slow half-lives on


def test_momentum_is_negative_after_a_loss_and_reversible():
    momenta = _momenta([0.7] * 6 + [0.4] * 24 + [0.7] * 24)
    assert np.all(momenta[6:30] < 0.0)
    assert np.all(momenta[30:36] > 0.0)  # regaining the ground turns it positive again


def test_a_faction_entering_has_no_momentum():
    slow = SituationMemory(keep_per_month(12.0), (1, 2, 1))
    first = np.array([[[0.6], [0.0]]], FLOAT)
    perceived_momentum(first, slow, np.array([True, False]))
    second = np.array([[[0.6], [0.3]]], FLOAT)
    momentum = perceived_momentum(second, slow, np.array([True, True]))
    np.testing.assert_array_equal(momentum, np.zeros((2, 1), FLOAT))


def test_the_winner_feature_adds_tau_times_momentum(mini_scenario):
    tau = np.array([0.0, 2.0, 10.0])
    model = AlignmentModel(mini_scenario, {"trend_weight": tau, "trend_half_life": 6.0,
                                           "perception_half_life": 1.0}, replicates=3, seed=1)
    winner = model.view.common_interests.index("winner")
    for _ in range(model.world.n_months):
        model.step()
        view = model.view
        expected = view.perceived.prospects + tau.astype(FLOAT) * view.perceived.momentum
        np.testing.assert_array_equal(view.common[winner], expected)
    assert "winner" in interest_names()


def test_trend_parameters_may_be_one_per_replicate(mini_scenario):
    p = resolve_params({"trend_weight": [0.0, 1.0, 20.0], "trend_half_life": [2.0, 24.0, 120.0]},
                       mini_scenario, replicates=3)
    assert p.trend_weight.shape == (3,)
    assert p.trend_half_life.shape == (3,)
