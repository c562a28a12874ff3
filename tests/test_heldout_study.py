"""docs/calibration_studies.md, "Italy's later points held out": the record H1, fitted to Italy's
points up to 2018-06 and every other state's point, is what its header says, fits its own points
better than the committed set does, and (measured by scripts/heldout_study.py) moves a year early
and misses Italy's later points, which the committed set fits."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import build_calibrator, calibration_settings, set_values
from tests.conftest import italy_rmse, load_script, recorded

HELD_OUT = ["calibrate.targets=italy_tilt_to_2018_06"]


def test_the_h1_record_reproduces_its_recorded_rmse():
    header = recorded("heldout_h1")
    own = italy_rmse("heldout_h1", int(header["replicates"]), int(header["seed"]),
                     targets="italy_tilt_to_2018_06")
    assert own == pytest.approx(header["rmse"], abs=1e-6)


def test_h1_fits_its_own_points_better_than_the_committed_set():
    calibrator = build_calibrator(*calibration_settings(HELD_OUT))
    assert calibrator.weighted_points() == 10 + 41
    x = np.column_stack([set_values(calibrator, name) for name in ("heldout_h1", "calibrated")])
    h1, committed = calibrator.losses(x)
    assert h1 == pytest.approx(0.2907, abs=0.001)
    assert h1 < committed


def test_the_study_measures_h1_early_and_off_italys_later_points():
    study = load_script("heldout_study")
    own = build_calibrator(*calibration_settings(HELD_OUT))
    committed = build_calibrator(*calibration_settings())
    later_points = (committed.targets, committed.steps)
    h1 = study.measure(own, later_points, set_values(own, "heldout_h1"), "2018-06")
    fitted = study.measure(own, later_points, set_values(own, "calibrated"), "2018-06")
    assert h1["later_rmse"] == pytest.approx(0.512, abs=0.002)
    assert fitted["later_rmse"] == pytest.approx(0.083, abs=0.002)
    assert h1["in_sample_rmse"] == pytest.approx(recorded("heldout_h1")["rmse"], abs=1e-6)
    assert h1["italy_at_origin"] > fitted["italy_at_origin"] + 0.3  # -0.34 against -0.68 in 2018-06
    assert h1["perception_half_life"] < 1 < fitted["perception_half_life"]
