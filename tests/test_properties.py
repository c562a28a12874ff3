"""Property tests: the model's invariants under random in-bounds parameters, on every scenario.

Every scenario of ``sim.paths.SCENARIO_DIR`` and the toy scenario of ``tests/data`` is run with
parameters drawn from their documented bounds (`sim.params.BOUNDS`, `WEIGHT_BOUNDS`), mostly over
its first months (``Scenario.truncated``) to stay fast, and checked against what is computed here
independently of the model: the feasibility of every state's alignment, tilts from supports, who
may hold each asset after each month's events, which factions a state may back (the stage rules
replayed from the scenario's events), the decay of support for factions it cannot back, and the
equality of a replicate run in a batch and alone.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.interests import interest_names
from sim.model import AlignmentModel
from sim.params import BOUNDS, SCALAR_NAMES, WEIGHT_BOUNDS, WHOLE_NUMBER_NAMES
from sim.paths import SCENARIO_DIR
from sim.scenario import Scenario, load_scenario

MINI = Path(__file__).parent / "data" / "mini.yaml"
SCENARIO_PATHS = (*sorted(SCENARIO_DIR.glob("*.yaml")), MINI)
#: Months simulated by the truncated runs (at most).
HORIZON = 18
#: float32 slack on supports in [0, 1] and on their sums.
SLACK, SUM_SLACK = 1e-6, 1e-5

every_scenario = pytest.mark.parametrize("path", SCENARIO_PATHS, ids=lambda p: p.stem)


def examples(n: int) -> settings:
    """Hypothesis settings of these tests: ``n`` examples, no deadline (runs vary in length)."""
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_scenario_is_covered():
    assert len(SCENARIO_PATHS) >= 3  # the historical scenario, its counterfactual and the toy one
    assert MINI.exists() and all(p.exists() for p in SCENARIO_PATHS)


@functools.cache
def scenario_at(path: Path) -> Scenario:
    """Each scenario is loaded once per session (hypothesis refuses function-scoped fixtures)."""
    return load_scenario(path)


def first_months(scenario: Scenario, months: int) -> Scenario:
    """The scenario's first ``months`` months (all of it if shorter)."""
    return scenario.truncated(scenario.start + min(months, scenario.n_months) - 1)


# ---------------------------------------------------------------------------- strategies


def in_bounds(name: str) -> st.SearchStrategy[float]:
    lo, hi = BOUNDS[name]
    if name in WHOLE_NUMBER_NAMES:
        return st.integers(int(lo), int(hi)).map(float)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def one_way_to_this_month(draw, params: dict) -> dict:
    """``params`` with partners' support of this month either settled (``partners_now``) or
    anticipated (``anticipation``), not both (the model refuses both); which one kept is drawn."""
    if params["anticipation"] and np.any(np.asarray(params["partners_now"]) > 0):
        params[draw(st.sampled_from(["anticipation", "partners_now"]))] = 0.0
    return params


weight = st.floats(*WEIGHT_BOUNDS, allow_nan=False, allow_infinity=False)
seeds = st.integers(0, 2**31 - 2)


@st.composite
def parameters(draw, state_ids: tuple[str, ...]) -> dict:
    """Every scalar parameter within its bounds, and overrides of some states' interest weights."""
    params = one_way_to_this_month(draw, {name: draw(in_bounds(name)) for name in SCALAR_NAMES})
    states = draw(st.lists(st.sampled_from(state_ids), unique=True, max_size=3))
    params["state_weights"] = {
        sid: draw(st.dictionaries(st.sampled_from(interest_names()), weight, min_size=1, max_size=4))
        for sid in states
    }
    return params


@st.composite
def per_replicate_parameters(draw, state_ids: tuple[str, ...], replicates: int) -> dict:
    """`parameters`, with some scalars and at most two weights given as one value per replicate."""
    params = draw(parameters(state_ids))
    per_replicate = [n for n in SCALAR_NAMES if n not in WHOLE_NUMBER_NAMES]  # those: one for all
    varying = draw(st.lists(st.sampled_from(per_replicate), unique=True, min_size=1, max_size=5))
    for name in varying:
        params[name] = draw(st.lists(in_bounds(name), min_size=replicates, max_size=replicates))
    one_way_to_this_month(draw, params)
    for _ in range(draw(st.integers(0, 2))):
        sid, interest = draw(st.sampled_from(state_ids)), draw(st.sampled_from(interest_names()))
        params["state_weights"].setdefault(sid, {})[interest] = draw(
            st.lists(weight, min_size=replicates, max_size=replicates))
    return params


def replicate_of(params: dict, r: int) -> dict:
    """Replicate ``r``'s parameters: every per-replicate list replaced by its r-th value."""

    def pick(value):
        return value[r] if isinstance(value, list) else value

    plain = {k: pick(v) for k, v in params.items() if k != "state_weights"}
    plain["state_weights"] = {sid: {k: pick(v) for k, v in weights.items()}
                              for sid, weights in params["state_weights"].items()}
    return plain


# ---------------------------------------------------------------------------- independent references


def stage_by_month(scenario: Scenario):
    """Yield (t, active, camp) after each month's events: the stage rules replayed here from the
    scenario alone (enter and exit change who is on stage, allegiance the camps)."""
    active = {f.id for f in scenario.factions if f.active}
    camp = {f.id: f.camp for f in scenario.factions}
    for t in range(scenario.n_months):
        for event in (e for e in scenario.events if e.month == scenario.start + t):
            if event.kind == "enter":
                active.add(event["faction"])
            elif event.kind == "exit":
                active.discard(event["faction"])
            elif event.kind == "allegiance":
                camp[event["faction"]] = event["camp"]
        yield t, active, camp


def backable_by_month(scenario: Scenario) -> np.ndarray:
    """(T, F) bool: whom a state may back in each month, after that month's events: a faction on
    stage, patronable, that leads its camp or stands alone."""
    ids = scenario.faction_ids
    patronable = {f.id: f.patronable for f in scenario.factions}
    backable = np.zeros((scenario.n_months, len(ids)), bool)
    for t, active, camp in stage_by_month(scenario):
        backable[t] = [f in active and patronable[f] and camp[f] in (None, f) for f in ids]
    return backable


def tilt_sides_by_month(scenario: Scenario) -> np.ndarray:
    """(T, 2) int: the factions standing for the tilt's plus and minus sides each month: the last of
    each side's succession on stage after the month's events (the first if none is)."""
    ids = scenario.faction_ids
    sides = np.zeros((scenario.n_months, 2), int)
    for t, active, _ in stage_by_month(scenario):
        for k, succession in enumerate((scenario.tilt.plus, scenario.tilt.minus)):
            present = [f for f in succession if f in active]
            sides[t, k] = ids.index(present[-1] if present else succession[0])
    return sides


def support_ended_by_events(scenario: Scenario) -> np.ndarray:
    """(T, F) bool: factions whose support an event of the month ends: they leave the stage, or
    join another faction's camp (what they received passes to its head)."""
    ids = scenario.faction_ids
    ended = np.zeros((scenario.n_months, len(ids)), bool)
    for event in scenario.events:
        t = event.month - scenario.start
        if event.kind == "exit" or (event.kind == "allegiance"
                                    and event["camp"] not in (None, event["faction"])):
            ended[t, ids.index(event["faction"])] = True
    return ended


def check_control(scenario: Scenario, control: np.ndarray) -> None:
    """Each asset has one controller each month, in [0, F), and changes hands only as events allow.

    ``control``: (T, R, A). Walks the events month by month: the set of factions that may hold
    each asset in each replicate starts from last month's controller and follows offensives
    (an ``open`` one may go either way), hand-overs and exits.
    """
    ids = scenario.faction_ids
    T, R, A = control.shape
    assert scenario.n_months == T and len(scenario.assets) == A
    assert np.issubdtype(control.dtype, np.integer)
    assert control.min() >= 0 and control.max() < len(ids)
    held = [ids.index(a.controller) for a in scenario.assets]
    previous = np.tile(held, (R, 1))
    for t in range(T):
        possible = [[{int(previous[r, j])} for j in range(A)] for r in range(R)]
        for event in (e for e in scenario.events if e.month == scenario.start + t):
            if event.kind == "offensive" and event["outcome"] != "defender":
                attacker = ids.index(event["attacker"])
                for aid in event["assets"]:
                    j = scenario.asset_ids.index(aid)
                    for r in range(R):
                        if event["outcome"] == "attacker":
                            possible[r][j] = {attacker}
                        else:
                            possible[r][j] = possible[r][j] | {attacker}
            elif event.kind == "control":
                for aid in event["assets"]:
                    j = scenario.asset_ids.index(aid)
                    for r in range(R):
                        possible[r][j] = {ids.index(event["to"])}
            elif event.kind == "exit":
                gone, successor = ids.index(event["faction"]), ids.index(event["successor"])
                for r in range(R):
                    for j in range(A):
                        possible[r][j] = {successor if c == gone else c for c in possible[r][j]}
        for r in range(R):
            for j in range(A):
                assert int(control[t, r, j]) in possible[r][j], (
                    f"month {t}, replicate {r}: {scenario.asset_ids[j]} held by "
                    f"{ids[control[t, r, j]]}, expected one of {[ids[c] for c in possible[r][j]]}")
        previous = control[t]


def check_invariants(model: AlignmentModel, inertia) -> None:
    """Every invariant of one finished run (``inertia``: the λ it was given, number or list)."""
    world = model.world
    T, R = world.n_months, model.replicates
    S, F = len(world.states), len(world.factions)
    support = model.support_history
    assert support.shape == (T, R, S, F)
    assert np.all(np.isfinite(support))
    assert np.all(support >= -SLACK) and np.all(support <= 1 + SLACK)
    assert np.all(support.sum(axis=-1, dtype=np.float64) <= 1 + SUM_SLACK)

    tilt = model.tilt_history
    assert tilt.shape == (T, R, S)
    assert np.all(np.isfinite(tilt))
    assert np.all(np.abs(tilt) <= 1 + SLACK)
    sides = tilt_sides_by_month(world)
    months = np.arange(T)
    plus, minus = support[months, :, :, sides[:, 0]], support[months, :, :, sides[:, 1]]
    np.testing.assert_array_equal(tilt, plus - minus)

    check_control(world, model.control_history)

    # no state ever backs a faction no state may back
    never = np.array([not f.patronable for f in world.factions])
    assert np.all(support[..., never] == 0)
    backable = backable_by_month(world)
    assert np.all(support[0][..., ~backable[0]] == 0)
    # support for a faction a state may not back this month decays at the rate λ
    keep = 1.0 - np.broadcast_to(np.asarray(inertia, dtype=np.float64), (R,))[:, None]  # (R, 1)
    ended = support_ended_by_events(world)
    for t in range(1, T):
        for f in np.flatnonzero(~backable[t]):
            now, before = support[t, ..., f], support[t - 1, ..., f]
            if ended[t, f]:
                assert np.all(now == 0), f"month {t}: support for {world.faction_ids[f]} goes on"
            else:
                np.testing.assert_allclose(now, keep * before, rtol=1e-5, atol=1e-7,
                                           err_msg=f"month {t}, {world.faction_ids[f]}")
    # each month support moves by at most λ of the way toward a best response: what a state gives a
    # faction it may back falls at most by decay, and its total grows at most by λ
    for t in range(1, T):
        kept = keep[..., None] * support[t - 1][..., backable[t]]
        assert np.all(support[t][..., backable[t]] >= kept - SLACK), f"month {t}"
        total, before = support[t].sum(axis=-1), support[t - 1].sum(axis=-1)  # (R, S)
        assert np.all(total <= keep * before + (1.0 - keep) + SUM_SLACK), f"month {t}"
    # a faction that has never been backable has never been backed
    never_yet = ~np.logical_or.accumulate(backable, axis=0)  # (T, F)
    for t in range(T):
        assert np.all(support[t][..., never_yet[t]] == 0)


# ---------------------------------------------------------------------------- the properties


@every_scenario
@examples(20)
@given(data=st.data(), months=st.integers(1, HORIZON), replicates=st.integers(2, 6), seed=seeds)
def test_invariants_hold_for_any_parameters_in_bounds(path, data, months, replicates, seed):
    scenario = first_months(scenario_at(path), months)
    params = data.draw(parameters(scenario.state_ids), label="params")
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed).run()
    assert model.steps == scenario.n_months and not model.running
    check_invariants(model, params["inertia"])


@every_scenario
@examples(6)
@given(data=st.data(), seed=seeds)
def test_invariants_hold_over_the_whole_period(path, data, seed):
    scenario = scenario_at(path)
    params = data.draw(parameters(scenario.state_ids), label="params")
    model = AlignmentModel(scenario, params, replicates=3, seed=seed).run()
    assert model.steps == scenario.n_months
    check_invariants(model, params["inertia"])


@examples(30)
@given(data=st.data(), replicates=st.integers(2, 6), seed=seeds)
def test_invariants_hold_over_the_whole_mini_scenario(data, replicates, seed):
    scenario = scenario_at(MINI)
    params = data.draw(parameters(scenario.state_ids), label="params")
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed).run()
    check_invariants(model, params["inertia"])


def assert_same_replicate(batch: AlignmentModel, row: int, other: AlignmentModel,
                          other_row: int, *, support_atol: float = 0.0) -> None:
    """Row ``row`` of ``batch`` and row ``other_row`` of ``other`` ran the same replicate: the same
    controllers, and the same supports and tilts (bit for bit unless ``support_atol`` is given)."""
    np.testing.assert_array_equal(batch.control_history[:, row], other.control_history[:, other_row])
    support = batch.support_history[:, row], other.support_history[:, other_row]
    tilt = batch.tilt_history[:, row], other.tilt_history[:, other_row]
    if support_atol == 0.0:
        np.testing.assert_array_equal(*support)
        np.testing.assert_array_equal(*tilt)
    else:
        np.testing.assert_allclose(*support, rtol=0, atol=support_atol)
        np.testing.assert_allclose(*tilt, rtol=0, atol=2 * support_atol)


@every_scenario
@examples(10)
@given(data=st.data(), months=st.integers(1, HORIZON), replicates=st.integers(2, 5),
       first=st.integers(0, 1000), seed=seeds)
def test_a_replicate_of_a_batch_equals_it_run_alone(path, data, months, replicates, first, seed):
    """Replicate ``first + r`` of a batch is, bit for bit, the same replicate run alone."""
    scenario = first_months(scenario_at(path), months)
    params = data.draw(parameters(scenario.state_ids), label="params")
    batch = AlignmentModel(scenario, params, replicates=replicates, seed=seed,
                           first_replicate=first).run()
    for r in sorted(data.draw(st.sets(st.integers(0, replicates - 1), min_size=1, max_size=2),
                              label="replicates compared")):
        alone = AlignmentModel(scenario, params, replicates=1, seed=seed, first_replicate=first + r).run()
        assert_same_replicate(batch, r, alone, 0)


@every_scenario
@examples(10)
@given(data=st.data(), months=st.integers(1, HORIZON), replicates=st.integers(2, 4), seed=seeds)
def test_per_replicate_parameters_equal_separate_runs(path, data, months, replicates, seed):
    """A batch given one value per replicate runs replicate r as a run given r's values would."""
    scenario = first_months(scenario_at(path), months)
    params = data.draw(per_replicate_parameters(scenario.state_ids, replicates), label="params")
    batch = AlignmentModel(scenario, params, replicates=replicates, seed=seed).run()
    check_invariants(batch, params["inertia"])
    for r in range(replicates):
        alone = AlignmentModel(scenario, replicate_of(params, r), replicates=1, seed=seed,
                               first_replicate=r).run()
        assert_same_replicate(batch, r, alone, 0, support_atol=rounding_tolerance(params))


def rounding_tolerance(params: dict) -> float:
    """How far a batched run with per-replicate values may drift from the same run given scalars.

    Per-replicate values are float32 arrays contracted with einsum, scalars are broadcast: the
    valuations may round differently, by a few float32 ulps of their size (at most the largest
    weight times a value of order one). The logit of precision beta turns a valuation difference d
    into a support difference of at most beta * d / 4, and inertia carries it on over the months.
    A wrong parameter handed to a replicate moves supports by orders of magnitude more.
    """
    def largest(value) -> float:
        return float(np.max(np.abs(value)))

    weights = [largest(v) for w in params["state_weights"].values() for v in w.values()]
    valuation_ulp = np.finfo(np.float32).eps * (1.0 + max(weights, default=1.0))
    return 16 * largest(params["rationality"]) / 4 * valuation_ulp + 1e-6


@every_scenario
@examples(6)
@given(data=st.data(), months=st.integers(1, HORIZON), seed=seeds)
def test_rows_sharing_a_replicate_id_are_identical(path, data, months, seed):
    """Common random numbers: a row given replicate id i is replicate i (as in a plain batch)."""
    scenario = first_months(scenario_at(path), months)
    params = data.draw(parameters(scenario.state_ids), label="params")
    ids = data.draw(st.lists(st.integers(0, 5), min_size=2, max_size=5), label="replicate ids")
    batch = AlignmentModel(scenario, params, replicates=len(ids), seed=seed, replicate_ids=ids).run()
    plain = AlignmentModel(scenario, params, replicates=max(ids) + 2, seed=seed).run()
    for row, rid in enumerate(ids):
        assert_same_replicate(batch, row, plain, rid)
