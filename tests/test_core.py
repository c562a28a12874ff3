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
