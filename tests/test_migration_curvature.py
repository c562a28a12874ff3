"""Arrivals with diminishing returns (``migration_curvature`` c_mig, docs/ODD.md 7.3): off at 0 (the
same arrays as the committed model); with c_mig > 0 the perceived arrivals' salience s weighs the
departure coast as tanh(c_mig s) / c_mig, which grows less than the arrivals while they peak and
falls with them by nearly as much once they are few."""

from __future__ import annotations

import numpy as np
import pytest

from sim.interests import valued_arrivals
from sim.model import AlignmentModel
from sim.params import calibrated_params
from tests.conftest import MINI, assert_off_at_zero

PEAK_MONTH = 42  # 2017-07, perceived arrivals near their highest


@pytest.mark.parametrize("scenario_name", [str(MINI), "libya_2014_2019"])
def test_no_curvature_is_the_committed_model(scenario_name):
    """c_mig = 0, as a number or one per replicate, gives the committed model's arrays bit for bit."""
    assert_off_at_zero(scenario_name, "migration_curvature")


def test_the_curve_is_smooth_increasing_and_flattens_the_peak():
    salience = np.linspace(0.0, 3.0, 61, dtype=np.float32)
    for curvature in (0.25, 0.5, 1.0):
        valued = valued_arrivals(salience, curvature)
        np.testing.assert_allclose(valued, np.tanh(curvature * salience) / curvature, rtol=1e-6)
        assert np.all(np.diff(valued) > 0) and valued.dtype == salience.dtype
        # nearly in proportion where arrivals are few, well under it where they peak
        assert valued[1] == pytest.approx(salience[1], rel=0.01 * curvature)
        assert valued[-1] < 0.9 * salience[-1]
    np.testing.assert_array_equal(valued_arrivals(salience, 0.0), salience)


def test_each_replicate_reads_its_own_curvature_in_the_model():
    """Per-replicate curvatures (a calibration's candidates) weigh each replicate's arrivals alone,
    and the model's salience is the perceived arrivals' through the curve."""
    curvatures = np.array([0.0, 1.5])
    model = AlignmentModel("libya_2014_2019", {**calibrated_params(), "migration_curvature": curvatures},
                           replicates=2, seed=0)
    for _ in range(PEAK_MONTH + 1):
        model.step()
    salience = model.perceived_arrivals / model.p.migration_reference
    assert salience.min() > 1.0
    np.testing.assert_allclose(model.view.perceived.arrivals_salience,
                               [salience[0], np.tanh(1.5 * salience[1]) / 1.5], rtol=1e-6)
