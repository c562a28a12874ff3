"""docs/calibration_studies.md, "Choosing among the restarts" (ten seeds on the committed calibration):
the committed calibration's refits from the rolling origins (the ones its rule keeps of optimiser
seeds 0-4 and of seeds 0-9 alike, as `scripts/more_restarts.py` measured; the other seeds' refits
are not held here) are what their headers say: each differs from the committed set only in the
fitted parameters, reaches the objective it records on the points up to its origin, and forecasts
Italy's later points at the RMSE the calibration reports, beating persistence and the trend; the
refit from 2018-06 misses the 0.20 asked."""

from __future__ import annotations

import pytest

from sim.calibrate import build_calibrator, origin_mask, report_run, set_values
from sim.params import read_parameter_set
from tests.conftest import assert_refit_reproduces

#: Per origin: the record, its objective on 200 replicates of the points up to the origin, Italy's
#: RMSE on those points, its forecast RMSE of the later points, persistence's and the trend's.
REFITS = {
    "2017-12": ("calibrated_1712", 0.3010, 0.103, 0.3481, 0.564, 0.740),
    "2018-06": ("calibrated_1806", 0.2967, 0.106, 0.5324, 0.564, 0.740),
    "2018-12": ("calibrated_1812", 0.3338, 0.102, 0.2440, 0.333, 0.762),
}


@pytest.fixture(scope="module")
def calibrator(committed_settings):
    return build_calibrator(*committed_settings)


@pytest.mark.parametrize("name", [refit[0] for refit in REFITS.values()])
def test_a_refit_differs_from_the_committed_set_only_in_the_fitted_parameters(calibrator, name):
    fitted = {p.name for p in calibrator.free}
    committed, refit = read_parameter_set("calibrated"), read_parameter_set(name)
    scales = {f"scale.{k}" for k in committed["interest_scales"]}
    assert scales <= fitted
    assert {k: v for k, v in refit.items() if k not in fitted | {"interest_scales"}} == \
        {k: v for k, v in committed.items() if k not in fitted | {"interest_scales"}}
    assert all(refit[k] != committed[k] for k in fitted - scales)


@pytest.mark.parametrize("until", list(REFITS))
def test_a_refit_reaches_its_objective_and_forecasts_as_reported(calibrator, until):
    name, *figures = REFITS[until]
    got = assert_refit_reproduces(calibrator, name, until, *figures)
    assert got["forecast"] < min(got["persistence"], got["trend"])


def test_the_refit_from_2018_06_forecasts_no_rise(calibrator):
    """Fitted on the points up to 2018-06, the kept refit holds Italy between -0.72 and -0.78 through
    2019-08 (coded +0.15): it misses the 0.20 asked by the level, not by the timing."""
    mask, _ = origin_mask(calibrator, "2018-06")
    values = set_values(calibrator, "calibrated_1806")
    tilt = report_run(calibrator, calibrator.values_as_params(values), replicates=200, seed=0).mean_tilt("ITA")
    later = tilt[calibrator.steps[~mask]]
    assert later.max() < -0.7
    assert later[-1] == pytest.approx(-0.78, abs=0.01)
