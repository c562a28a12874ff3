"""The numerical core against known answers and invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.core.alignment import best_response, logistic_noise
from sim.core.contest import prospects, win_probability
from sim.core.holdings import camp_total, membership_matrix, per_faction_sum
from sim.core.streams import ReplicateStreams
from sim.core.sums import ordered_matmul, weighted_sum_rows

finite = st.floats(-20, 20, allow_nan=False)


def test_win_probability_known_values():
    p = win_probability(np.array([1.0, 2.0, 0.0, 3.0]), np.array([1.0, 1.0, 0.0, 0.0]), 2.0)
    np.testing.assert_allclose(p, [0.5, 0.8, 0.5, 1.0])


def test_prospects_are_a_distribution_over_contenders():
    strength = np.array([[1.0], [3.0], [5.0]])  # (F, R)
    chance = prospects(strength, np.array([True, True, False]), 1.0)
    np.testing.assert_allclose(chance, [[0.25], [0.75], [0.0]])


@settings(max_examples=60, deadline=None)
@given(arrays(float, (6, 4), elements=finite), st.floats(0, 30), st.floats(-5, 5))
def test_best_response_is_feasible(values, rationality, outside):
    support = best_response(values, rationality, outside)
    assert np.all(support >= 0)
    assert np.all(support.sum(axis=0) <= 1 + 1e-12)


def test_best_response_orders_by_value_and_weighs_the_outside_option():
    values = np.array([[1.0], [2.0]])  # (C, R)
    support = best_response(values, 3.0, -10.0)
    assert support[1, 0] > support[0, 0]
    np.testing.assert_allclose(support.sum(), 1.0, atol=1e-12)  # outside option worthless
    np.testing.assert_allclose(support[:, 0], np.exp([3.0, 6.0]) / np.exp([3.0, 6.0]).sum())
    assert best_response(values, 3.0, 10.0).sum() < 1e-9  # staying out is worth far more


def test_best_response_with_per_replicate_precision():
    values = np.array([[0.0, 0.0], [1.0, 1.0]])
    support = best_response(values, np.array([0.0, 50.0]), -10.0)
    np.testing.assert_allclose(support[:, 0], [1 / 3, 1 / 3])  # indifferent, outside option too
    np.testing.assert_allclose(support[:, 1], [0.0, 1.0], atol=1e-12)


def test_logistic_noise_has_the_logistic_spread():
    u = np.random.default_rng(0).random(200_000)
    noise = logistic_noise(u, 1.0)
    np.testing.assert_allclose(noise.std(), np.pi / np.sqrt(3), rtol=0.02)


def test_holdings_sum_by_controller():
    control = np.array([[0, 1, 1], [2, 2, 0]]).T  # (A, R): 3 assets, 2 replicates
    totals = per_faction_sum(control, np.array([1.0, 2.0, 4.0]), 3)
    np.testing.assert_allclose(totals.T, [[1, 6, 0], [4, 0, 3]])
    per_replicate = per_faction_sum(control, np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]]), 3)
    np.testing.assert_allclose(per_replicate.T, [[1, 6, 0], [40, 0, 30]])


def test_camp_total_credits_heads_only():
    members = membership_matrix(np.array([0, 0, -1]))  # faction 1 fights under 0
    totals = camp_total(np.array([[1.0], [2.0], [5.0]]), members, 0.5)
    np.testing.assert_allclose(totals[:, 0], [2.0, 2.0, 5.0])


def test_streams_are_addressed_by_month_and_replicate():
    streams = ReplicateStreams(seed=7, widths=5)  # rounded up to 6
    batch = streams.uniforms(month=3, first_replicate=0, replicates=10)
    assert batch.shape == (10, 6) and batch.dtype == np.float32
    alone = streams.uniforms(month=3, first_replicate=4, replicates=1)
    np.testing.assert_array_equal(batch[4:5], alone)
    assert not np.array_equal(streams.uniforms(4, 0, 10), batch)
    assert not np.array_equal(ReplicateStreams(8, 5).uniforms(3, 0, 10), batch)
    assert np.all((batch > 0) & (batch < 1))


def test_streams_with_monthly_widths_keep_months_apart():
    streams = ReplicateStreams(seed=1, widths=[4, 0, 6, 2])
    assert streams.uniforms(1, 0, 3).shape == (3, 0)
    month2 = streams.uniforms(2, 0, 50)
    np.testing.assert_array_equal(month2[17:18], streams.uniforms(2, 17, 1))
    # no month's numbers reappear in another month's
    months = [streams.uniforms(t, 0, 50).ravel() for t in (0, 2, 3)]
    assert len(np.intersect1d(months[0], months[1])) < 3 and len(np.intersect1d(months[1], months[2])) < 3


# ------------------------------------------------------------------------------ against brute force

small = st.integers(1, 6)
floats32 = st.floats(-100, 100, allow_nan=False, allow_subnormal=False, width=32)
strength = st.floats(0, 1e3, allow_nan=False, allow_subnormal=False)
exponents = st.floats(0.2, 5.0)  # the bounds of contest_exponent


@st.composite
def control_and_values(draw):
    """A control array (A, R) of ints in [0, F), and asset values (A,), (A, 1) or (A, R)."""
    n_factions, n_assets, replicates = draw(small), draw(st.integers(0, 7)), draw(st.integers(1, 5))
    int_type = draw(st.sampled_from([np.int16, np.int32, np.int64]))
    control = draw(arrays(int_type, (n_assets, replicates), elements=st.integers(0, n_factions - 1)))
    shape = draw(st.sampled_from([(n_assets,), (n_assets, 1), (n_assets, replicates)]))
    values = draw(arrays(draw(st.sampled_from([np.float32, np.float64])), shape, elements=floats32))
    return control, values, n_factions


@settings(max_examples=150, deadline=None)
@given(control_and_values())
def test_per_faction_sum_equals_a_double_loop(case):
    control, values, n_factions = case
    n_assets, replicates = control.shape
    expected = np.zeros((n_factions, replicates))
    for j in range(n_assets):
        for r in range(replicates):
            value = values[j] if values.ndim == 1 else values[j, 0 if values.shape[1] == 1 else r]
            expected[control[j, r], r] += float(value)
    totals = per_faction_sum(control, values, n_factions)
    assert totals.shape == (n_factions, replicates)
    assert totals.dtype == values.dtype
    tolerance = 1e-6 if values.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(totals, expected, rtol=tolerance, atol=tolerance * 100 * max(n_assets, 1))


def test_per_faction_sum_with_the_int16_control_of_a_recorded_history():
    """F x R beyond int16 (the dtype of AlignmentModel.control_history) must not wrap."""
    control = np.full((1, 6000), 13, np.int16)  # one asset held by faction 13 of 14, 6000 replicates
    totals = per_faction_sum(control, np.ones(1), 14)
    np.testing.assert_array_equal(totals.sum(axis=1), [0] * 13 + [6000])


@st.composite
def camps_and_values(draw):
    """Camp-head index of each faction (-1 independent), values (F, R), cohesion (scalar or (R,))."""
    n_factions, replicates = draw(small), draw(st.integers(1, 5))
    camp = draw(arrays(np.int64, n_factions, elements=st.integers(-1, n_factions - 1)))
    values = draw(arrays(np.float64, (n_factions, replicates), elements=floats32))
    cohesion = draw(st.floats(0, 1) | arrays(np.float64, replicates, elements=st.floats(0, 1)))
    return camp, values, cohesion


@settings(max_examples=150, deadline=None)
@given(camps_and_values())
def test_camp_total_equals_a_sum_over_camp_members(case):
    camp, values, cohesion = case
    n_factions, replicates = values.shape
    kappa = np.broadcast_to(cohesion, (replicates,))
    expected = values.copy()
    for head in range(n_factions):
        for g in range(n_factions):
            if g != head and camp[g] == head:
                for r in range(replicates):
                    expected[head, r] += kappa[r] * values[g, r]
    members = membership_matrix(camp)
    np.testing.assert_array_equal(members, [[float(g != h and camp[g] == h) for g in range(n_factions)]
                                            for h in range(n_factions)])
    np.testing.assert_allclose(camp_total(values, members, cohesion), expected, rtol=1e-12, atol=1e-9)


# ------------------------------------------------------------------------------ contests


@settings(max_examples=150, deadline=None)
@given(arrays(float, 5, elements=strength), arrays(float, 5, elements=strength),
       exponents | arrays(float, 5, elements=exponents))
def test_win_probability_is_a_tullock_contest_and_symmetric(attacker, defender, exponent):
    p = win_probability(attacker, defender, exponent)
    m = np.broadcast_to(exponent, (5,))
    for r in range(5):
        a, d = attacker[r] ** m[r], defender[r] ** m[r]
        expected = 0.5 if a + d == 0 else a / (a + d)
        np.testing.assert_allclose(p[r], expected, rtol=1e-12, atol=1e-15)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p + win_probability(defender, attacker, exponent), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(win_probability(attacker, attacker, exponent), 0.5)
    # a negative strength counts as none
    np.testing.assert_array_equal(win_probability(-attacker - 1.0, defender, exponent),
                                  win_probability(np.zeros(5), defender, exponent))


@settings(max_examples=150, deadline=None)
@given(arrays(float, 4, elements=st.sampled_from([0.0]) | st.floats(1e-3, 1e3)),
       arrays(float, 4, elements=st.sampled_from([0.0]) | st.floats(1e-3, 1e3)),
       st.floats(1e-3, 1e3), exponents)
def test_win_probability_ignores_the_unit_of_strength(attacker, defender, factor, exponent):
    np.testing.assert_allclose(win_probability(factor * attacker, factor * defender, exponent),
                               win_probability(attacker, defender, exponent), rtol=1e-9, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(arrays(float, 4, elements=strength), arrays(float, 4, elements=strength),
       arrays(float, 4, elements=strength), exponents)
def test_win_probability_grows_with_the_attackers_strength(weaker, stronger, defender, exponent):
    weaker, stronger = np.minimum(weaker, stronger), np.maximum(weaker, stronger)
    low, high = win_probability(weaker, defender, exponent), win_probability(stronger, defender, exponent)
    assert np.all(low <= high + 1e-12)
    # strictly, where the defender has strength and the attacker gains some
    gained = (defender > 0) & (stronger > 1.001 * weaker) & (stronger > 1e-3) & (defender > 1e-3)
    gained &= (low > 1e-9) | (weaker == 0)  # not underflowing to a sure defeat either way
    gained &= high < 1 - 1e-9
    assert np.all(high[gained] > low[gained])


@st.composite
def contests(draw):
    n_factions, replicates = draw(small), draw(st.integers(1, 4))
    camp_strength = draw(arrays(float, (n_factions, replicates), elements=strength))
    contender = draw(arrays(bool, n_factions))
    exponent = draw(exponents | arrays(float, replicates, elements=exponents))
    return camp_strength, contender, exponent


@settings(max_examples=150, deadline=None)
@given(contests())
def test_prospects_are_shares_of_powered_strength_among_contenders(case):
    camp_strength, contender, exponent = case
    n_factions, replicates = camp_strength.shape
    chance = prospects(camp_strength, contender, exponent)
    m = np.broadcast_to(exponent, (replicates,))
    for r in range(replicates):
        powered = [camp_strength[f, r] ** m[r] if contender[f] else 0.0 for f in range(n_factions)]
        total = sum(powered)
        expected = [x / total if total > 0 else 0.0 for x in powered]
        np.testing.assert_allclose(chance[:, r], expected, rtol=1e-12, atol=1e-15)
        if total > 0:  # some contender has strength: a distribution over the contenders
            np.testing.assert_allclose(chance[:, r].sum(), 1.0, rtol=0, atol=1e-12)
    assert np.all(chance[~contender] == 0) and np.all(chance >= 0)
    if contender.sum() == 2:  # two contenders: the chance of either winning their contest
        a, d = camp_strength[contender]
        fought = win_probability(a, d, exponent)
        # (with no strength on either side the contest is a coin toss, the prospects all 0)
        some = np.power(a, exponent) + np.power(d, exponent) > 0
        np.testing.assert_allclose(chance[contender][0][some], fought[some], rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------------------ one replicate alone


def _summed_in_order(weights: np.ndarray, terms: np.ndarray) -> np.ndarray:
    out = weights[0] * terms[0]
    for k in range(1, terms.shape[0]):
        out += weights[k] * terms[k]
    return out


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 9), st.sampled_from([1, 3, 700, 2000]), st.data())
def test_every_way_of_summing_gives_the_bits_of_the_sum_in_order(states, columns, data):
    """The relation's product, dense for a few columns and skipping its zeros for many, gives the
    bits of weights[0] x terms[0] + weights[1] x terms[1] + ..., signed zeros included; so does it
    for one column of a batch, and so do the weighted sums of the states' interests, made in one
    array operation for a few columns and term by term for many."""
    values = st.floats(-4, 4, allow_subnormal=False, width=32)
    relation = data.draw(arrays(np.float32, (states, states), elements=values))
    relation[data.draw(arrays(bool, (states, states)))] = 0.0  # sparse, as the states' relations
    np.fill_diagonal(relation, 0.0)
    support = data.draw(arrays(np.float32, (states, columns), elements=st.floats(0, 1, width=32)))
    expected = _summed_in_order(relation.T[:, :, None], support[:, None, :])
    assert ordered_matmul(relation, support).tobytes() == expected.tobytes()
    assert ordered_matmul(relation, support[:, :1]).tobytes() == expected[:, :1].tobytes()
    weights = data.draw(arrays(np.float32, (states, columns), elements=values))  # one per replicate
    terms = data.draw(arrays(np.float32, (states, 3, columns), elements=values))
    assert weighted_sum_rows(weights, terms).tobytes() == _summed_in_order(weights, terms).tobytes()
    assert weighted_sum_rows(weights[:, 0], terms).tobytes() == \
        _summed_in_order(weights[:, 0], terms).tobytes()
    assert weighted_sum_rows(terms, weights[:, 0]).tobytes() == \
        _summed_in_order(terms, weights[:, 0]).tobytes()  # the weights with more axes than the terms


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 16), st.integers(2, 6), st.data())
def test_a_column_alone_gives_the_bits_it_gives_in_a_batch(rows, replicates, data):
    """Sums over factions round the same for one replicate as for a batch (float32, as the model)."""
    positive = st.floats(0, 10, allow_subnormal=False, width=32)
    batch = data.draw(arrays(np.float32, (rows, replicates), elements=positive))
    r = data.draw(st.integers(0, replicates - 1))
    column = batch[:, r : r + 1].copy()
    contender = data.draw(arrays(bool, rows))
    np.testing.assert_array_equal(prospects(column, contender, 1.5),
                                  prospects(batch, contender, 1.5)[:, r : r + 1])
    np.testing.assert_array_equal(best_response(column, np.float32(2.0), 0.0),
                                  best_response(batch, np.float32(2.0), 0.0)[:, r : r + 1])
    camp = data.draw(arrays(np.int64, rows, elements=st.integers(-1, rows - 1)))
    members = membership_matrix(camp).astype(np.float32)
    np.testing.assert_array_equal(camp_total(column, members, 0.5),
                                  camp_total(batch, members, 0.5)[:, r : r + 1])


def test_a_faction_is_remembered_from_the_month_it_comes_on_stage():
    """The situation memory starts a faction's column from what is seen of it when it enters, as
    the whole memory starts from its first value; columns already seen keep averaging."""
    from sim.month import SituationMemory

    memory = SituationMemory(0.5, (1, 2, 1))
    active = np.array([True, False])
    memory.advance(np.array([[[1.0], [0.0]]]), active)
    memory.advance(np.array([[[3.0], [0.0]]]), active)
    assert memory.value[0, 0, 0] == 2.0  # 0.5 * 1 + 0.5 * 3
    entered = memory.advance(np.array([[[3.0], [8.0]]]), np.array([True, True]))
    assert entered[0, 1, 0] == 8.0  # not 0.5 * 0 + 0.5 * 8
    assert entered[0, 0, 0] == 2.5
    assert memory.advance(np.array([[[3.0], [0.0]]]), np.array([True, True]))[0, 1, 0] == 4.0
