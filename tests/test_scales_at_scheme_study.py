"""docs/calibration_studies.md, "The interest scales at the scheme's levels": the committed
calibration's procedure with the seven interest scales held at 1 (every state's weights at the
levels of docs/priors.md) and the ten dynamics parameters fitted, so that each rolling-origin refit
fits at most a third of its points. The records are what their headers say; the refits forecast no
better from 2018-06, rise early instead of not at all, and lose to persistence from 2018-12, and the
main fit misses Italy's in-sample 0.12."""

from __future__ import annotations

import pytest

from sim.calibrate import build_calibrator, origin_mask, precise_objectives, set_values
from sim.params import read_parameter_set
from tests.conftest import assert_refit_reproduces, italy_rmse, record_run, refit_figures

#: Per origin: the record, its objective on 200 replicates of the points up to the origin, Italy's
#: RMSE on those points, its forecast RMSE of the later points, persistence's and the trend's.
REFITS = {
    "2017-12": ("scales_at_scheme_1712", 0.5742, 0.1495, 0.5237, 0.564, 0.740),
    "2018-06": ("scales_at_scheme_1806", 0.5379, 0.1496, 0.5200, 0.564, 0.740),
    "2018-12": ("scales_at_scheme_1812", 0.5200, 0.1344, 0.4527, 0.333, 0.762),
}
#: Per origin: whether the refit beats both persistence and the trend (the committed refits beat both
#: from every origin).
BEATS_BOTH = {"2017-12": True, "2018-06": True, "2018-12": False}
RECORDS = ["scales_at_scheme", *(refit[0] for refit in REFITS.values())]


@pytest.fixture(scope="module")
def calibrator(committed_settings):
    return build_calibrator(*committed_settings)


@pytest.mark.parametrize("name", RECORDS)
def test_a_record_holds_the_scales_at_1_and_fits_only_the_dynamics(calibrator, name):
    committed, record = read_parameter_set("calibrated"), read_parameter_set(name)
    fitted = {p.name for p in calibrator.free if not p.name.startswith("scale.")}
    assert len(fitted) == 10
    # calibrate.pin holds a parameter within [value, value + 1e-9 x value] (sim.calibrate.pinned_free)
    assert record["interest_scales"] == pytest.approx({interest: 1.0 for interest in committed["interest_scales"]},
                                                      abs=1e-8)
    assert {k: v for k, v in record.items() if k not in fitted | {"interest_scales"}} == \
        {k: v for k, v in committed.items() if k not in fitted | {"interest_scales"}}


@pytest.mark.parametrize("until", list(REFITS))
def test_a_refit_reaches_its_objective_and_forecasts_as_recorded(calibrator, until):
    name, *figures = REFITS[until]
    got = assert_refit_reproduces(calibrator, name, until, *figures)
    assert (got["forecast"] < min(got["persistence"], got["trend"])) is BEATS_BOTH[until]


def test_held_to_the_third_the_refit_from_2018_06_forecasts_no_better_than_the_committed_one(calibrator):
    """0.520 against the committed refit's 0.532, both far from the 0.20 asked."""
    held = refit_figures(calibrator, "scales_at_scheme_1806", "2018-06")["forecast"]
    committed = refit_figures(calibrator, "calibrated_1806", "2018-06")["forecast"]
    assert 0.20 + 0.3 < held < committed < held + 0.02


def test_the_refit_from_2018_06_rises_before_the_origin_and_overshoots_after_it(calibrator):
    """It fits Italy's 2017-08 point, then lifts Italy in the record's gap (no Italian point from
    2017-09 to 2018-06) and is above the coded -0.70 and -0.75 in 2018-07 and 2018-08."""
    result = record_run("scales_at_scheme_1806", replicates=200, seed=0)
    course = dict(zip(result.dates, result.mean_tilt("ITA"), strict=True))
    assert course["2017-08"] == pytest.approx(-0.80, abs=0.05)
    assert course["2017-12"] > course["2017-08"] + 0.2
    assert course["2018-07"] > -0.70 + 0.5
    assert course["2018-08"] > -0.75 + 0.5
    assert max(course.values()) == pytest.approx(course["2018-12"], abs=0.05)


def test_the_main_fit_misses_italys_in_sample_criterion(calibrator):
    """On all 59 points: objective 0.521 (committed 0.322), Italy's RMSE 0.140 > 0.12 (committed
    0.100)."""
    figures = {}
    for name in ("calibrated", "scales_at_scheme"):
        [objective] = precise_objectives(calibrator, [{"x": set_values(calibrator, name)}], replicates=200,
                                         seed=0, until=None)
        figures[name] = (float(objective), italy_rmse(name, replicates=200, seed=0))
    assert figures["scales_at_scheme"] == pytest.approx((0.5210, 0.1396), abs=1e-3)
    assert figures["calibrated"] == pytest.approx((0.3218, 0.1001), abs=1e-3)
    assert figures["scales_at_scheme"][1] > 0.12 > figures["calibrated"][1]


def test_every_origin_of_the_study_holds_at_most_a_third_of_its_points_as_fitted_parameters(calibrator):
    """10 fitted parameters against 33, 37 and 44 points up to the three origins (the committed
    refits fit 17)."""
    for until, points in (("2017-12", 33), ("2018-06", 37), ("2018-12", 44)):
        mask, cutoff = origin_mask(calibrator, until)
        assert int(mask.sum()) + int(calibrator.masks(cutoff)[1].sum()) == points
        assert 10 <= points / 3 < 17


def test_the_main_fit_still_moves_more_than_the_limit_without_either_capture():
    """Leaving out Benghazi's or Derna's capture moves Italy's 2019-08 tilt by -0.48 and -0.49
    (committed -0.72 and -0.67; limit 0.4), as `python -m sim.robustness params=scales_at_scheme`
    reports."""
    from sim.calibrate import calibration_settings

    cal = build_calibrator(*calibration_settings(["calibrate.leave_one_out=[lna_takes_benghazi,lna_takes_derna]"]))
    cal.replicates = 200
    changes = cal.leave_one_out_changes(set_values(cal, "scales_at_scheme")[:, None])[:, 0]
    assert changes.tolist() == pytest.approx([-0.48, -0.49], abs=0.01)
    assert min(abs(changes)) > 0.4
