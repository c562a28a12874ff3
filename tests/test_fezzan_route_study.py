"""docs/calibration_studies.md, "The Fezzan route under the estimate draws": valuing the Fezzan as the
migrants' route (scenarios/studies/fezzan_transit.yaml) shifts Italy's 2019-08 tilt over the estimate
draws upward without narrowing its spread, so the rise check gains what the final check loses, and
the study's records still show their search figures."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import calibration_settings, set_values
from tests.conftest import draws_search_of, measured_as_searched, variant_fixtures

MARKED = "calibrate.scenario=studies/fezzan_transit"

variant, calibrator, search = variant_fixtures(["calibrate=returns", MARKED])


@pytest.fixture(scope="module")
def unmarked():
    """The same variant on the history: its calibrator and search (the history's 64 draws)."""
    return draws_search_of(*calibration_settings(["calibrate=returns"]))


def final_over_the_draws(search, calibrator, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Italy's 2019-08 tilt in each of the search's draws with ``name``'s parameters, and the share
    of the draws meeting each check."""
    measured = search.measure(set_values(calibrator, name)[:, None])
    return search.final_and_rise(measured["margins"])["final"].to_numpy(), measured["shares"][:, 0]


def test_the_marking_shifts_the_draws_without_narrowing_them(search, calibrator, unmarked):
    """returns_r12 (study 32) without refit: the Fezzan lifts the median 2019-08 tilt over the draws
    by a quarter of a tilt unit and leaves the 5-95 % spread within 0.1 of its 1.26, so more draws
    meet the rise (59 of 64 against 46) and fewer the final level (52 against 54)."""
    before, shares_before = final_over_the_draws(unmarked[1], unmarked[0], "returns_r12")
    after, shares_after = final_over_the_draws(search, calibrator, "returns_r12")
    assert np.median(after) - np.median(before) == pytest.approx(0.25, abs=0.05)
    widths = [np.subtract(*np.quantile(f, [0.95, 0.05])) for f in (before, after)]
    assert widths[0] == pytest.approx(1.26, abs=0.02) and abs(widths[1] - widths[0]) < 0.1
    rise, final = search.names.index("rise"), search.names.index("final")
    assert (shares_before[rise], shares_after[rise]) == (46 / 64, 59 / 64)
    assert (shares_before[final], shares_after[final]) == (54 / 64, 52 / 64)


@pytest.mark.parametrize(("name", "shortfall", "rmse", "short"),
                         [("fezzan_r12", 0.0803, 0.1213, ["rise", "final"]),
                          ("fezzan_c12", 0.2085, 0.1398, ["final"])])
def test_each_record_reproduces_its_search(name, shortfall, rmse, short, search, calibrator):
    """The record's search figures on the marked scenario, as its header gives them (Italy's RMSE
    capped at 0.12, weight 10), and the checks it falls short on."""
    measured = measured_as_searched(search, calibrator, name, rmse_at_most=0.12, rmse_weight=10.0)
    assert measured["shortfall"][0] == pytest.approx(shortfall, abs=1e-3)
    assert measured["rmse"][0] == pytest.approx(rmse, abs=1e-3)
    assert [n for n, q in zip(search.names, measured["quantiles"][:, 0], strict=True) if q < 0] == short


def test_searched_on_the_marked_scenario_the_draws_fall_back(search, calibrator):
    """fezzan_r12, searched from returns_r12 on the marked scenario for Italy's 0.12, puts the median
    2019-08 over the draws back near returns_r12's on the history (-0.09), with the same spread."""
    final, _ = final_over_the_draws(search, calibrator, "fezzan_r12")
    assert np.median(final) == pytest.approx(-0.09, abs=0.03)
    assert np.subtract(*np.quantile(final, [0.95, 0.05])) == pytest.approx(1.26, abs=0.05)
