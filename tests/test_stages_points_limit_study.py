"""docs/calibration_studies.md, "The stages, two more points and the limit together": the calibration
with the leave-one-out term on the five stages, on the files with Italy's 2017-09 and the USA's
2017-12 points, is what its header says; it keeps every stage within the limit while each campaign
left out whole does not, misses Italy's in-sample criterion on its own 19 points by a hair; its
refit from 2018-06 kept of five optimiser seeds forecasts Italy's later points within 0.20, where
persistence does not, but the one kept of ten seeds does not; from 2017-12 and 2018-12 the ones
kept of ten seeds beat persistence."""

from __future__ import annotations

import pytest

from sim.calibrate import (
    build_calibrator,
    calibration_settings,
    naive_forecasts,
    origin_mask,
    precise_objectives,
    report_run,
    set_values,
)
from sim.fit import fit_metrics
from tests.conftest import (
    assert_refit_reproduces,
    assert_reproduces_recorded_rmse,
    header_digest,
    italy_rmse,
    load_script,
    settings_digest,
)

STAGED = "studies/campaign_stages"
STAGES = ["lna_takes_benghazi_laithi", "lna_takes_benghazi_ganfouda", "lna_takes_benghazi",
          "lna_takes_derna", "lna_takes_derna_old_city"]
BOTH_POINTS = ["calibrate=stages_held", "calibrate.targets=italy_tilt_extended",
               "calibrate.joint_targets=other_states_tilt_extended_usa_gna", "calibrate.restarts=2"]


@pytest.fixture(scope="module")
def calibrator():
    cal = build_calibrator(*calibration_settings(BOTH_POINTS))
    cal.replicates = 200
    return cal


def test_the_record_was_made_on_its_settings_and_reproduces_its_header():
    overrides = [*BOTH_POINTS, "calibrate.optimizer_seed=2", "calibrate.out_of_sample_origins=[2017-12]"]
    assert header_digest("stages_p1_loo") == settings_digest(overrides)
    without_term = [f"calibrate.scenario={STAGED}", f"calibrate.counterfactual={STAGED}_no_military",
                    *overrides[1:]]
    assert settings_digest(overrides) != settings_digest(without_term)  # the term changes the objective
    assert_reproduces_recorded_rmse("stages_p1_loo", targets="italy_tilt_extended", scenario=STAGED)


def test_italys_fit_misses_the_criterion_on_its_own_points_by_a_hair_and_meets_it_on_the_committed():
    assert italy_rmse("stages_p1_loo", 200, 0, targets="italy_tilt_extended", scenario=STAGED) == \
        pytest.approx(0.1213, abs=1e-4)
    assert italy_rmse("stages_p1_loo", 200, 0, scenario=STAGED) == pytest.approx(0.1104, abs=1e-4)


def test_every_stage_stays_within_the_limit_but_not_each_campaign_whole(calibrator):
    changes = calibrator.leave_one_out_changes(set_values(calibrator, "stages_p1_loo")[:, None])[:, 0]
    assert max(abs(changes)) == pytest.approx(0.388, abs=0.005)
    assert max(abs(changes)) < 0.4
    whole = load_script("stages_study").measure("stages_p1_loo", STAGED, replicates=200)["tilt_changes"]
    assert whole["without the Benghazi campaign"] == pytest.approx(-0.65, abs=0.01)
    assert whole["without the Derna campaign"] == pytest.approx(-0.55, abs=0.01)


def test_the_kept_refit_from_2018_06_forecasts_the_later_points_within_0_20(calibrator):
    """Fitted on the points up to 2018-06 only, the refit forecasts Italy's eight later points at
    0.196 (persistence 0.378), on model seeds 0-2 alike, and fits the points up to the origin at
    0.120; with every point it misses the last one (2019-08) by about 0.35."""
    mask, _ = origin_mask(calibrator, "2018-06")
    y = calibrator.targets["tilt"].to_numpy()
    params = calibrator.values_as_params(set_values(calibrator, "stages_p1_loo_1806"))
    forecasts = []
    for seed in (0, 1, 2):
        tilt = report_run(calibrator, params, replicates=200, seed=seed).mean_tilt("ITA")
        forecasts.append(fit_metrics(tilt[calibrator.steps[~mask]], y[~mask])["rmse"])
        if seed == 0:
            assert fit_metrics(tilt[calibrator.steps[mask]], y[mask])["rmse"] == pytest.approx(0.120, abs=0.001)
            assert y[-1] - tilt[calibrator.steps[-1]] == pytest.approx(0.35, abs=0.01)
    assert forecasts[0] == pytest.approx(0.1958, abs=1e-4)
    assert max(forecasts) < 0.20
    persistence = naive_forecasts(calibrator, mask)["last_value_held"]
    assert fit_metrics(persistence, y[~mask])["rmse"] == pytest.approx(0.378, abs=0.001)


def test_of_ten_seeds_the_rule_keeps_a_refit_that_forecasts_worse_than_0_20(calibrator):
    """Of optimiser seeds 0-9 from 2018-06 the rule keeps seed 7 (``stages_p1_loo_1806_ten``): on
    the points up to the origin its objective is below seed 2's (``stages_p1_loo_1806``, kept of
    seeds 0-4) by 0.0009 on 200 replicates, and it forecasts the later points at 0.289, still
    beating persistence."""
    mask, cutoff = origin_mask(calibrator, "2018-06")
    y = calibrator.targets["tilt"].to_numpy()
    five, ten = (set_values(calibrator, name) for name in ("stages_p1_loo_1806", "stages_p1_loo_1806_ten"))
    objectives = precise_objectives(calibrator, [{"x": five}, {"x": ten}], replicates=200, seed=0, until=cutoff)
    assert objectives == pytest.approx([0.3219, 0.3210], abs=1e-4)
    tilt = report_run(calibrator, calibrator.values_as_params(ten), replicates=200, seed=0).mean_tilt("ITA")
    forecast = fit_metrics(tilt[calibrator.steps[~mask]], y[~mask])["rmse"]
    assert forecast == pytest.approx(0.2886, abs=1e-4)
    persistence = fit_metrics(naive_forecasts(calibrator, mask)["last_value_held"], y[~mask])["rmse"]
    assert 0.20 < forecast < persistence


#: Per origin, the refit the rule keeps of optimiser seeds 0-9: its record, its objective on 200
#: replicates of the points up to the origin, Italy's RMSE on them, its forecast RMSE of the later
#: points, persistence's and the trend's.
KEPT_OF_TEN = {
    "2017-12": ("stages_p1_loo_1712_ten", 0.3291, 0.117, 0.1954, 0.378, 0.740),
    "2018-12": ("stages_p1_loo_1812_ten", 0.3636, 0.112, 0.2067, 0.333, 0.752),
}


@pytest.mark.parametrize("until", list(KEPT_OF_TEN))
def test_of_ten_seeds_from_2017_12_and_2018_12_the_kept_refit_beats_persistence(calibrator, until):
    """Of optimiser seeds 0-9 the rule keeps seed 5 from 2017-12 (its objective below that of seed 0,
    the pick of five, by 0.0008) and seed 6 from 2018-12 (below seed 4's by 0.0005): they forecast
    Italy's later points at 0.195 (within 0.20, against persistence's 0.378) and 0.207 (against
    0.333)."""
    name, *figures = KEPT_OF_TEN[until]
    got = assert_refit_reproduces(calibrator, name, until, *figures)
    assert got["forecast"] < got["persistence"]
    assert (got["forecast"] < 0.20) == (until == "2017-12")
