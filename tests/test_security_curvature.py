"""Diminishing returns of the security interest (``security_curvature`` c): off at 0 (the same
arrays as the committed model), the feature tanh(c x) / c per replicate, smooth, odd and
increasing (no threshold), so a record that fades is valued less by the same curve."""

from __future__ import annotations

import numpy as np
import pytest

from sim.interests import valued_security
from sim.war import FLOAT
from tests.conftest import MINI, assert_off_at_zero


@pytest.mark.parametrize("scenario_name", [str(MINI), "libya_2014_2019"])
def test_a_zero_curvature_is_the_linear_model(scenario_name):
    """c = 0, as a number or one per replicate, gives the committed model's arrays bit for bit."""
    assert_off_at_zero(scenario_name, "security_curvature")


def test_the_feature_is_tanh_of_c_x_over_c_per_replicate():
    x = np.array([[-0.6, 0.0, 0.3, 0.7], [1.5, -1.5, 0.01, 2.0]], FLOAT)  # (C, R)
    c = np.array([0.0, 1.0, 3.0, 10.0])
    valued = valued_security(x, c)
    assert valued.dtype == FLOAT
    np.testing.assert_allclose(valued[:, 0], x[:, 0])
    np.testing.assert_allclose(valued[:, 1:], np.tanh(c[1:] * x[:, 1:]) / c[1:], rtol=1e-6)


def test_each_further_success_adds_less_and_a_loss_takes_it_back():
    """Concave above 0, odd, increasing and continuous in c: the second equal gain adds less than the
    first; losing it returns the same value; small c tends to the linear model."""
    record = np.linspace(-2.0, 2.0, 401, dtype=FLOAT)[:, None]
    for c in (0.5, 2.0, 5.0):
        valued = valued_security(record, c)[:, 0]
        assert np.all(np.diff(valued) >= 0)  # float32 tanh reaches 1 far out
        assert np.all(np.diff(valued[150:251]) > 0)
        np.testing.assert_allclose(valued, -valued[::-1], atol=1e-6)
        first = valued[250] - valued[200]   # 0 -> 0.5
        second = valued[300] - valued[250]  # 0.5 -> 1.0
        assert 0 < second < first
    near_linear = valued_security(record, 1e-4)[:, 0]
    np.testing.assert_allclose(near_linear, record[:, 0], atol=1e-5)
