"""scripts/partners_now_study.py, on the calibration before anticipation was adopted (its settings and
configs/params/calibrated_k0.yaml): at xi 0 it measures the set as that calibration did;
with partners' support of this month, Italy backs the new GNA in December 2015 itself, and a short
refit started from the set is never worse on the calibration's objective."""

from __future__ import annotations

import pytest

from sim.calibrate import calibration_settings
from sim.params import read_parameter_set
from tests.conftest import K0_OVERRIDES, load_script


@pytest.fixture(scope="module")
def study():
    return load_script("partners_now_study")


@pytest.fixture(scope="module")
def rows(study):
    settings, _ = calibration_settings(K0_OVERRIDES)
    return {xi: study.measure(settings, read_parameter_set("calibrated_k0") | {"partners_now": xi},
                              replicates=20)
            for xi in (0.0, 1.0)}


def test_at_xi_0_the_objective_is_the_committed_calibrations(rows):
    assert rows[0.0]["objective"] == pytest.approx(0.4829, abs=5e-5)  # configs/params/calibrated_k0.yaml


def test_partners_of_this_month_move_italy_to_the_gna_in_december_2015(study, rows):
    assert rows[1.0]["italy_2015_12"] < rows[0.0]["italy_2015_12"] - 0.15
    assert all(rows[1.0]["sides_held"].values())
    assert set(rows[1.0]["left_out_2019_08_change"]) == set(study.LEFT_OUT)


def test_a_refit_started_from_the_set_is_never_worse(study):
    settings, _ = calibration_settings(K0_OVERRIDES)
    settings = settings | {"replicates": 2, "popsize": 2}
    params = read_parameter_set("calibrated_k0") | {"partners_now": 1.0}
    before = study.measure(settings, params, replicates=4)["objective"]
    refitted, fit = study.refit(settings, params, generations=1)
    assert fit["objective"] <= before + 1e-12
    assert refitted["partners_now"] == 1.0


def test_anticipation_is_measured_at_xi_0_only(study):
    assert study.settings_measured([0.0, 1.0], [0, 2]) == [(0.0, 0), (1.0, 0), (0.0, 2)]
    assert study.settings_measured([0.0], [1, 3]) == [(0.0, 1), (0.0, 3)]


def test_anticipating_one_level_moves_italy_to_the_gna_in_december_2015(rows):
    settings, _ = calibration_settings(K0_OVERRIDES)
    anticipating = read_parameter_set("calibrated_k0") | {"anticipation": 1}
    row = load_script("partners_now_study").measure(settings, anticipating, replicates=20)
    assert row["italy_2015_12"] < rows[0.0]["italy_2015_12"] - 0.05
    assert row["objective"] < rows[0.0]["objective"]
