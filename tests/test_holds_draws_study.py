"""docs/calibration_studies.md, "A calibration that holds the draws": the calibration objective searched
with the draws criterion held (`scripts/draws_search.py --fit-weight`), over the whole history, with
the LNA's captures held, and from the 2018-06 and 2018-12 origins (and from 2017-12, measured for "Every
candidate against issue 8's criteria"). Each record reproduces its search
figures; the objective prefers a set near the corner to the corner itself; from each origin, the set
found holds what it can know, forecasts no rise and loses to persistence."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import naive_forecasts, set_values
from sim.dates import parse_month
from sim.fit import fit_metrics
from tests.conftest import load_script, measured_as_searched, variant_fixtures

variant, calibrator, search = variant_fixtures(["calibrate=record_returns"])

#: The procedure's settings, as the records' headers give them: each check asked of 93 % of the
#: search's draws, Italy's RMSE capped at 0.12 (weight 10), the calibration objective weighted 0.1.
PROCEDURE = {"quantile": 0.07, "rmse_at_most": 0.12, "rmse_weight": 10.0, "fit_weight": 0.1}


def procedure_value(measured: dict) -> float:
    return float(measured["shortfall"][0] + PROCEDURE["fit_weight"] * measured["objective"][0])


@pytest.mark.parametrize(("name", "shortfall", "objective", "rmse"),
                         [("holds_corner", 0.0, 0.6046, 0.1188), ("holds_draws", 0.5785, 0.6397, 0.1766)])
def test_each_record_reproduces_its_search(name, shortfall, objective, rmse, search, calibrator):
    """holds_corner (from record_corner) and holds_draws (the whole ranges, no start): their headers'
    shortfall, objective and Italy's RMSE under the procedure."""
    measured = measured_as_searched(search, calibrator, name, **PROCEDURE)
    assert measured["shortfall"][0] == pytest.approx(shortfall, abs=1e-3)
    assert measured["objective"][0] == pytest.approx(objective, abs=1e-3)
    assert measured["rmse"][0] == pytest.approx(rmse, abs=1e-3)


def test_the_objective_held_to_the_draws_prefers_a_set_beside_the_corner(search, calibrator):
    """Under the procedure record_corner (study 34) falls short of 93 % of the search's draws and
    scores worse than holds_corner, found from it within +-10 % of each range; the search over the
    whole ranges from no start ends far from both (its shortfall above 0.5)."""
    value = {name: procedure_value(measured_as_searched(search, calibrator, name, **PROCEDURE))
             for name in ("record_corner", "holds_corner", "holds_draws")}
    assert value["holds_corner"] < value["record_corner"] - 0.02
    assert value["holds_draws"] > 0.5 > 0.1 > value["record_corner"]


@pytest.mark.parametrize(("name", "until", "rmse_counted", "forecast"),
                         [("holds_draws_1712", "2017-12", 0.0967, 0.5982),
                          ("holds_draws_1806", "2018-06", 0.1145, 0.5966),
                          ("holds_draws_1806_s1", "2018-06", 0.1107, 0.5688),
                          ("holds_draws_1812", "2018-12", 0.0986, 0.5431)])
def test_from_each_origin_the_set_found_holds_what_it_can_know_and_forecasts_no_rise(
        name, until, rmse_counted, forecast, search, calibrator):
    """Searched on the points and checks up to its origin, each record reproduces its header (every
    check held, Italy's RMSE up to the origin, its forecast of the later points), loses to persistence
    (Italy's last fitted point held), and does not rise from its origin to 2019-08."""
    study = load_script("draws_search")
    origin = parse_month(until)
    from_origin = study.DrawsSearch(calibrator, search.checks, search.draws, until=origin, **PROCEDURE)
    x = set_values(calibrator, name)[:, None]
    measured = from_origin.measure(x)
    assert measured["shortfall"][0] == 0.0
    assert measured["rmse_counted"][0] == pytest.approx(rmse_counted, abs=1e-3)
    assert measured["forecast_rmse"][0] == pytest.approx(forecast, abs=1e-3)
    months, tilt = calibrator.targets["month"].to_numpy(float), calibrator.targets["tilt"].to_numpy()
    fitted = months <= origin
    held = naive_forecasts(calibrator, fitted)["last_value_held"]
    assert measured["forecast_rmse"][0] > fit_metrics(held, tilt[~fitted])["rmse"]
    italy = calibrator.ensemble_mean(x)[:, 0, calibrator.state_index["ITA"]]
    assert italy[from_origin.final] - italy[origin - calibrator.scenario.start] < 0.1


@pytest.mark.parametrize(("name", "quantile", "rmse_at_most", "shortfall", "objective", "rmse", "changes"),
                         [("holds_all", 0.07, 0.12, 0.0003, 0.7001, 0.1181, [-0.324, -0.362]),
                          ("holds_all_q05", 0.05, 0.117, 0.0007, 0.7180, 0.1170, [-0.253, -0.300])])
def test_each_set_holding_the_captures_reproduces_its_search(name, quantile, rmse_at_most, shortfall, objective,
                                                             rmse, changes, search, calibrator):
    """holds_all and holds_all_q05, searched with the LNA's captures of Benghazi and Derna held at 0.37
    (the second with each check asked of 95 % of the search's draws and Italy's RMSE capped at 0.117):
    their headers' shortfall, objective, RMSE and the two captures' changes of Italy's 2019-08 tilt."""
    study = load_script("draws_search")
    holding = calibrator.holding(["lna_takes_benghazi", "lna_takes_derna"], step=search.final, limit=0.37)
    settings = {**PROCEDURE, "quantile": quantile, "rmse_at_most": rmse_at_most}
    held = study.DrawsSearch(holding, search.checks, search.draws, **settings)
    measured = held.measure(set_values(calibrator, name)[:, None])
    assert measured["shortfall"][0] == pytest.approx(shortfall, abs=1e-3)
    assert measured["objective"][0] == pytest.approx(objective, abs=1e-3)
    assert measured["rmse"][0] == pytest.approx(rmse, abs=1e-3)
    np.testing.assert_allclose(measured["left_out_changes"][:, 0], changes, atol=1e-3)


def test_the_figure_draws_each_set_and_the_forecasts_stay_flat(tmp_path):
    """scripts/holds_draws_figure.py: the four sets' courses (8 replicates here) and the PNG; the
    forecast from 2018-06 stays within 0.1 of Italy's tilt at the origin while the coded points rise."""
    figure = load_script("holds_draws_figure")
    fits, calibrator = figure.courses(replicates=8)
    assert list(fits) == list(figure.SETS)
    course = fits["holds_draws_1806"]["by_month"]
    later = [tilt for date, tilt in course.items() if date > "2018-06"]
    assert max(abs(tilt - course["2018-06"]) for tilt in later) < 0.1
    out = tmp_path / "holds_draws.png"
    figure.draw(fits, calibrator, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
