"""Anticipating partners' support of this month (``anticipation``, k): each state answers the
others' level k - 1 answers of the month (docs/ODD.md 7.8). That a replicate's course does not
depend on its batch is tested with settling, in tests/test_partners_now.py."""

from __future__ import annotations

import numpy as np
import pytest

from sim.dates import parse_month
from sim.errors import ParameterError
from sim.model import AlignmentModel
from sim.params import read_parameter_set
from sim.scenario import load_scenario
from tests.conftest import states_answers


@pytest.fixture(scope="module")
def history():
    return load_scenario("libya_2014_2019")


@pytest.mark.parametrize("depth", [1, 2])
def test_each_level_answers_the_level_below(mini_scenario, depth):
    """Every month, the supports are level ``depth``: level 0 is the answer to last month's
    supports, and each level every state's answer to the level below."""
    model = AlignmentModel(mini_scenario, {"anticipation": depth, "inertia": 0.6}, replicates=4, seed=2)
    seen = {}
    anticipate, apply_events = model._anticipate, model.apply_events

    def spy(previous):  # last month's supports of the candidates, and this month's level 0
        seen["previous"], seen["level0"] = previous.copy(), model.war.support.copy()
        anticipate(previous)

    def events(t, draws):  # the supports answered from: last month's, after this month's events
        apply_events(t, draws)
        seen["before"] = model.war.support.copy()

    model._anticipate, model.apply_events = spy, events
    moved = 0.0
    while model.running:
        model.step()
        before = seen["before"]
        np.testing.assert_array_equal(seen["previous"], before[:, model.view.candidates])
        # every state's values are those of the month's last view, bit for bit
        for state in model.state_agents:
            np.testing.assert_array_equal(
                state.values, state.values_with([part[state.index] for part in model.view.own]))
        level = seen["level0"]
        for _ in range(depth):
            level = states_answers(model, level, before)
        np.testing.assert_allclose(model.war.support, level, rtol=0, atol=1e-6)
        moved = max(moved, float(np.abs(model.war.support - seen["level0"]).max()))
    assert moved > 1e-3  # anticipating changed the supports


def test_zero_is_the_model_without_it(history):
    params = read_parameter_set("calibrated_k0")  # the calibration before anticipation: no such key
    plain = AlignmentModel(history, params, replicates=3, seed=0, record="tilt").run()
    zero = AlignmentModel(history, params | {"anticipation": 0}, replicates=3, seed=0, record="tilt").run()
    np.testing.assert_array_equal(plain.tilt_history, zero.tilt_history)


def test_partners_move_together_in_the_month_the_gna_is_formed(history):
    """Skhirat (December 2015): anticipating the USA's support of the month, Italy backs the new
    GNA more in that very month, and more at two levels than at one."""
    params = read_parameter_set("calibrated")
    italy, usa = history.state_ids.index("ITA"), history.state_ids.index("USA")
    december = parse_month("2015-12") - history.start
    tilt = {k: AlignmentModel(history, params | {"anticipation": k}, replicates=50, seed=0,
                              record="tilt").run().tilt_history[december].mean(axis=0)
            for k in (0, 1, 2)}
    assert tilt[1][italy] < tilt[0][italy] - 0.05
    assert tilt[2][italy] < tilt[1][italy] - 0.05
    assert tilt[2][usa] < tilt[0][usa] - 0.2


@pytest.mark.parametrize(("value", "message"), [
    (1.5, r"anticipation.*is 1\.5; a whole number in \[0, 10\]"),
    ([1, 2], r"anticipation.*the same for every replicate"),
    (-1, r"anticipation.*\[0\.0, 10\.0\]"),
    (11, r"anticipation.*\[0\.0, 10\.0\]"),
    (float("nan"), r"anticipation.*not a finite number"),
])
def test_a_bad_depth_is_one_clear_error(mini_scenario, value, message):
    with pytest.raises(ParameterError, match=message):
        AlignmentModel(mini_scenario, {"anticipation": value}, replicates=2, seed=0)


def test_it_is_not_combined_with_partners_now(mini_scenario):
    with pytest.raises(ParameterError, match=r"anticipation.*partners_now"):
        AlignmentModel(mini_scenario, {"anticipation": 1, "partners_now": 0.5}, replicates=2, seed=0)
