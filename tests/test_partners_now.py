"""Partners' support of this month (``partners_now``): the month's supports settle as a fixed point
of the states' answers (docs/ODD.md 7.8)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.dates import parse_month
from sim.errors import ParameterError
from sim.interests import interests
from sim.model import SETTLE_TOLERANCE, AlignmentModel
from sim.month import _replaced, partners_support, partners_view
from sim.params import read_parameter_set
from sim.scenario import load_scenario
from tests.conftest import states_answers


@pytest.fixture(scope="module")
def history():
    return load_scenario("libya_2014_2019")


def _answers(model: AlignmentModel, previous: np.ndarray, xi: float) -> np.ndarray:
    """Each state's support answered to what it sees of this month's supports (ODD 7.8)."""
    support = model.war.support
    return states_answers(model, (xi * support + (1.0 - xi) * previous).astype(support.dtype), previous)


@pytest.mark.parametrize("xi", [1.0, 0.5])
def test_each_month_every_state_answers_what_it_sees_of_this_month(mini_scenario, xi):
    """After each month, every support is the state's answer to the month's settled supports."""
    model = AlignmentModel(mini_scenario, {"partners_now": xi, "inertia": 0.6}, replicates=6, seed=2)
    seen = {}
    settle = model._settle

    def spy(t, previous):  # last month's supports, after this month's events
        seen["previous"] = previous.copy()
        settle(t, previous)

    model._settle = spy
    largest = 0.0
    while model.running:
        model.step()
        gap = np.abs(_answers(model, seen["previous"], xi) - model.war.support).max()
        largest = max(largest, float(gap))
    assert model.unsettled_months == []
    assert largest < 20 * SETTLE_TOLERANCE


def test_without_it_states_answer_last_months_partners(mini_scenario):
    """At 0 (the default) nothing is settled, and the supports are not this month's fixed point."""
    model = AlignmentModel(mini_scenario, {"inertia": 0.6}, replicates=6, seed=2)
    assert not model.settles
    seen = {}
    assess = model._assess

    def spy(*args, **kwargs):  # last month's supports, after this month's events
        seen["previous"] = model.war.support.copy()
        return assess(*args, **kwargs)

    model._assess = spy
    gaps = []
    while model.running:
        model.step()
        gaps.append(float(np.abs(_answers(model, seen["previous"], 1.0) - model.war.support).max()))
    assert max(gaps) > 100 * SETTLE_TOLERANCE


@pytest.mark.parametrize("setting", [{"partners_now": 1.0}, {"anticipation": 2}])
def test_a_replicate_alone_equals_it_in_a_batch(history, setting):
    """Each replicate settles (or anticipates, tests/test_anticipation.py) on its own: the other
    replicates of a batch do not change it."""
    params = read_parameter_set("calibrated_k0") | setting
    batch = AlignmentModel(history, params, replicates=4, seed=0, record="tilt").run()
    for r in (0, 3):
        alone = AlignmentModel(history, params, replicates=1, seed=0, first_replicate=r,
                               record="tilt").run()
        np.testing.assert_array_equal(batch.tilt_history[:, r], alone.tilt_history[:, 0])


def test_partners_move_together_in_the_month_the_gna_is_formed(history):
    """Skhirat (December 2015): seeing the USA's support of the month, Italy backs the new GNA
    more in that very month than seeing the USA's support of November."""
    params = read_parameter_set("calibrated_k0")
    italy, usa = history.state_ids.index("ITA"), history.state_ids.index("USA")
    december = parse_month("2015-12") - history.start
    tilts = {}
    for xi in (0.0, 1.0):
        model = AlignmentModel(history, params | {"partners_now": xi}, replicates=50, seed=0,
                               record="tilt").run()
        tilts[xi] = model.tilt_history[december].mean(axis=0)
        assert model.unsettled_months == []
    assert tilts[1.0][usa] < tilts[0.0][usa] - 0.2
    assert tilts[1.0][italy] < tilts[0.0][italy] - 0.1


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_out_of_range_is_one_clear_error(mini_scenario, bad):
    with pytest.raises(ParameterError, match=r"partners_now.*\[0\.0, 1\.0\]"):
        AlignmentModel(mini_scenario, {"partners_now": bad}, replicates=2, seed=0)


def test_every_state_at_once_gives_each_states_own_answer_bit_for_bit(history):
    """The settling rounds answer for every state at once (`AlignmentModel._answers`), on the
    replicates still settling; state by state (`StateAgent.values_with`, `StateAgent.answer`) on
    every replicate gives the same bits."""
    from sim.model import _MonthValues

    params = read_parameter_set("calibrated_k0") | {"partners_now": 1.0}
    model = AlignmentModel(history, params, replicates=5, seed=0)
    for _ in range(30):
        model.step()
    rng = np.random.default_rng(0)
    previous = model.war.support.copy()
    current = (previous * rng.uniform(0.5, 1.0, previous.shape)).astype(previous.dtype)
    replicates = np.array([0, 2, 3])
    month = _MonthValues.of(model).take(replicates)
    together = model._answers(current[..., replicates], previous[..., replicates], month)
    view = partners_view(model.view, model.war.relation, current)  # xi 1: this month's supports
    for state in model.state_agents:
        values = state.values_with([part[state.index] for part in view.own])
        alone = state.answer(view, values, previous[state.index])
        np.testing.assert_array_equal(together[state.index], alone[..., replicates])


def test_one_xi_per_replicate_equals_separate_runs(mini_scenario):
    xi = [0.0, 0.5, 1.0]
    batch = AlignmentModel(mini_scenario, {"partners_now": xi, "inertia": 0.6}, replicates=3, seed=2).run()
    for r in range(3):
        alone = AlignmentModel(mini_scenario, {"partners_now": xi[r], "inertia": 0.6}, replicates=1,
                               seed=2, first_replicate=r).run()
        np.testing.assert_allclose(batch.tilt_history[:, r], alone.tilt_history[:, 0], atol=1e-5)


def test_partners_view_changes_only_what_reads_partners(history):
    """The view seen with other supports keeps every field but the partners' support and the own
    parts that read it, and the month's view itself is left as it was."""
    model = AlignmentModel(history, replicates=3, seed=1)
    for _ in range(30):
        model.step()
    view, relation = model.view, model.war.relation
    before = {name: getattr(view, name) for name in view.__dataclass_fields__}
    seen = model.war.support[:, ::-1].copy()  # any other supports
    other = partners_view(view, relation, seen)
    for name, value in before.items():
        assert getattr(view, name) is value
        if name not in ("perceived", "own"):
            assert getattr(other, name) is value
    np.testing.assert_array_equal(other.perceived.partners_support,
                                  partners_support(relation, seen, view.candidates))
    assert not np.array_equal(other.perceived.partners_support, view.perceived.partners_support)
    for name in view.perceived.__dataclass_fields__:
        if name != "partners_support":
            assert getattr(other.perceived, name) is getattr(view.perceived, name)
    reading = {interest.name for interest in interests() if interest.partners}
    assert reading & set(view.own_interests)
    for interest, mine, theirs in zip(view.own_interests, view.own, other.own, strict=True):
        assert (mine is theirs) == (interest not in reading)
    with pytest.raises(TypeError, match="no fields"):
        _replaced(view, partner_support=None)
