"""docs/calibration_studies.md, "More coded points", re-made on the settings of the calibration before
anticipation (configs/params/calibrated_k0.yaml, "the committed set" below): the record P1
(Italy's 2017-09 and the USA's 2017-12 points added) is what its header says, fits its own objective
better than the committed set does, and fits Italy's committed 18 points a little worse; P2 (the USA's
point alone) fits its own objective better too, and is the committed fit again on the committed one.
The same three extensions re-made on the committed calibration's settings (CK; "More coded points, on
the committed calibration"): the records ``points_p1_ck``, ``points_p2_ck``, ``points_p3_ck``."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import build_calibrator, calibration_settings, set_values
from tests.conftest import (
    K0_OVERRIDES,
    assert_reproduces_recorded_rmse,
    header_digest,
    header_objective,
    italy_rmse,
    record_run,
    recorded,
    settings_digest,
)

P2_OVERRIDES = ["calibrate.joint_targets=other_states_tilt_extended_usa_gna", *K0_OVERRIDES]
P1_OVERRIDES = ["calibrate.targets=italy_tilt_extended", *P2_OVERRIDES]


def test_the_p1_record_reproduces_its_rmse_on_the_extended_points():
    header = recorded("points_p1_g300")
    extended = italy_rmse("points_p1_g300", int(header["replicates"]), int(header["seed"]),
                          targets="italy_tilt_extended")
    assert extended == pytest.approx(header["rmse"], abs=1e-6)
    on_committed_points = italy_rmse("points_p1_g300", 200, 0)
    assert on_committed_points == pytest.approx(0.133, abs=0.001)
    assert on_committed_points > recorded("calibrated_k0")["rmse"]


def test_p1_fits_its_own_objective_better_than_the_committed_set():
    calibrator = build_calibrator(*calibration_settings(P1_OVERRIDES))
    assert calibrator.weighted_points() == 19 + 42
    x = np.column_stack([set_values(calibrator, name) for name in ("points_p1_g300", "calibrated_k0")])
    p1, committed = calibrator.losses(x)
    assert p1 == pytest.approx(0.510, abs=0.001)
    assert p1 < committed


def test_p2_fits_its_own_objective_better_than_the_committed_set_and_is_near_it_on_the_committed():
    """P2 (the USA's 2017-12 point alone) is, in sample, the committed fit again."""
    own = build_calibrator(*calibration_settings(P2_OVERRIDES))
    assert own.weighted_points() == 18 + 42
    x = np.column_stack([set_values(own, name) for name in ("points_p2_g300", "calibrated_k0")])
    p2, committed = own.losses(x)
    assert p2 == pytest.approx(0.486, abs=0.001)
    assert p2 < committed
    on_committed = build_calibrator(*calibration_settings(K0_OVERRIDES)).losses(x)
    assert on_committed[1] < on_committed[0] < on_committed[1] + 0.002


#: The records made on the committed calibration's settings (CK): the targets and scenario their
#: recorded RMSE is measured on, and the overrides of the command in their headers. P1-P3 on the
#: history; both points on the scenario coding the two eastern campaigns by their stages.
P1_CK_OVERRIDES = ["calibrate.targets=italy_tilt_extended",
                   "calibrate.joint_targets=other_states_tilt_extended_usa_gna"]
STAGES = "studies/campaign_stages"
CK_RECORDS = {
    "points_p1_ck": ("italy_tilt_extended", "libya_2014_2019", P1_CK_OVERRIDES),
    "points_p2_ck": ("italy_tilt", "libya_2014_2019", ["calibrate.joint_targets=other_states_tilt_extended_usa_gna"]),
    "points_p3_ck": ("italy_tilt_extended", "libya_2014_2019", ["calibrate.targets=italy_tilt_extended"]),
    "stages_p1": ("italy_tilt_extended", STAGES, [f"calibrate.scenario={STAGES}",
                                                  f"calibrate.counterfactual={STAGES}_no_military",
                                                  *P1_CK_OVERRIDES]),
}


@pytest.mark.parametrize("name", sorted(CK_RECORDS))
def test_each_ck_record_was_made_on_its_settings_and_reproduces_its_rmse(name):
    targets, scenario, overrides = CK_RECORDS[name]
    assert header_digest(name) == settings_digest(overrides)
    assert_reproduces_recorded_rmse(name, targets=targets, scenario=scenario)


@pytest.mark.parametrize(("name", "committed_on_it"), [("points_p1_ck", 0.3408), ("points_p3_ck", 0.3464)])
def test_with_italys_2017_point_the_fit_still_misses_it(name, committed_on_it):
    """The page: fitted with Italy's 2017-09 point (coded -0.55, sigma 0.2), each fit stays at
    -0.85 there, 1.5 sigma off, and scores its own objective as its header says; the committed set
    scores P3's objective worse, but P1's better (0.341 against 0.346: the five optimiser seeds
    did not reach it)."""
    run = record_run(name, 200, 0)
    assert run.mean_tilt("ITA")[run.dates.index("2017-09")] == pytest.approx(-0.85, abs=0.01)
    own = build_calibrator(*calibration_settings(CK_RECORDS[name][2]))
    x = np.column_stack([set_values(own, n) for n in (name, "calibrated")])
    record, committed = own.losses(x)
    assert record == pytest.approx(header_objective(name), abs=5e-5)  # the header rounds to 4 digits
    assert committed == pytest.approx(committed_on_it, abs=1e-4)


def test_the_stages_with_both_points_fit_italys_committed_points_as_the_page_says():
    assert italy_rmse("stages_p1", 200, 0, scenario=STAGES) == pytest.approx(0.0989, abs=1e-4)
