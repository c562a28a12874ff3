"""scripts/draws_search.py (docs/calibration_studies.md, "Parameters searched for the draws"): its checks
are the robustness command's, and the study records still show what the study reports: the draws
criterion and the leave-one-out limit met together, Italy's fit lost."""

from __future__ import annotations

import numpy as np
import pytest

from sim.ablation import without_events
from sim.calibrate import build_calibrator, set_values
from sim.config import plain
from sim.params import read_parameter_set
from sim.scenario import load_scenario
from sim.simulate import execute
from tests.conftest import load_script, measured_as_searched

#: The search's settings: 64 draws (seed 7), 8 replicates per candidate.
DRAWS, DRAW_SEED, REPLICATES = 64, 7, 8


@pytest.fixture(scope="module")
def study():
    return load_script("draws_search")


@pytest.fixture(scope="module")
def calibrator(committed_settings):
    settings, base = committed_settings
    return build_calibrator({**settings, "replicates": REPLICATES}, base)


@pytest.fixture(scope="module")
def search(study, calibrator, committed_settings):
    draws = study.joint_draws(calibrator.scenario, DRAWS, DRAW_SEED)
    return study.DrawsSearch(calibrator, committed_settings[0]["checks"], draws, quantile=0.1,
                             rmse_at_most=None, fit_weight=0.0)


def test_each_margin_is_the_robustness_commands_measure(study, search, calibrator, committed_settings):
    """On two of the draws, the search's margins are `sim.robustness.course`'s rise, final tilt and
    sides' mean tilts, measured from their thresholds: the same runs, the same judgement."""
    from sim.robustness import course

    settings = committed_settings[0]
    robust = {"params": plain(read_parameter_set("draws_c")), "replicates": REPLICATES, "seed": 0,
              "focus_state": "ITA", "final": "2019-08", "rise_from": "2018-06",
              "checks": settings["checks"], "sides": settings["patterns"], "material_check": False}
    x = set_values(calibrator, "draws_c")[:, None]
    for draw in search.draws[:2]:
        margins = search.margins(calibrator.ensemble_mean(x, draw))[:, 0]
        measured = course(draw, robust, every_check=True)
        sides = [v for k, v in measured["measures"].items() if k.startswith("mean: ")]
        expected = [None, measured["rise"] - 0.4, 0.5 - measured["final"]]
        expected += [sign * v for sign, v in zip([p.sign for p in calibrator.patterns], sides, strict=True)]
        np.testing.assert_allclose(margins[1:], expected[1:], atol=1e-5)
        holds = list(measured["holds"].values())
        assert [bool(m >= 0) for m in margins] == holds  # the three checks, then each side


def test_the_committed_calibration_falls_short_over_the_searchs_draws(search, calibrator):
    measured = search.measure(set_values(calibrator, "calibrated")[:, None])
    assert measured["shortfall"][0] == pytest.approx(0.4595, abs=1e-3)
    shares = dict(zip(search.names, measured["shares"][:, 0], strict=True))
    assert shares["rise"] < 0.9 and shares["final"] < 0.9 and shares["low"] == 1.0


@pytest.mark.parametrize(("name", "rmse_at_most", "rmse_weight", "shortfall", "rmse", "short"),
                         [("draws_b", 0.12, 1.0, 0.2175, 0.3375, []), ("draws_c", None, 1.0, 0.0, 0.4004, []),
                          ("draws_f", 0.2, 3.0, 0.3466, 0.3068, ["rise", "final"]),
                          ("draws_w01", None, 1.0, 0.0, 0.3161, []), ("draws_w03", None, 1.0, 0.0, 0.2999, []),
                          ("draws_r12", 0.12, 10.0, 0.2550, 0.1208, ["rise", "final"]),
                          ("draws_r15", 0.15, 10.0, 0.1260, 0.1494, ["rise", "final"]),
                          ("draws_r20", 0.2, 10.0, 0.0657, 0.1986, ["rise"])])
def test_each_record_reproduces_its_search(name, rmse_at_most, rmse_weight, shortfall, rmse, short, search,
                                           calibrator):
    """The record's search figures, as its header gives them, and the checks it falls short on: draws_b,
    draws_c and the two sets of "The price of the draws in fit" searched with the calibration objective
    weighted (draws_w01, draws_w03) hold every check over the search's draws (draws_b's shortfall is its
    RMSE above 0.12 alone); the sets between them and the committed set fall short on Italy's rise, and
    all but draws_r20 on its final level too."""
    measured = measured_as_searched(search, calibrator, name, rmse_at_most=rmse_at_most, rmse_weight=rmse_weight)
    assert measured["shortfall"][0] == pytest.approx(shortfall, abs=1e-3)
    assert measured["rmse"][0] == pytest.approx(rmse, abs=1e-3)
    assert [n for n, q in zip(search.names, measured["quantiles"][:, 0], strict=True) if q < 0] == short


@pytest.mark.parametrize(("name", "rmse"), [("draws_c", 0.401), ("draws_w01", 0.316)])
def test_the_sets_meeting_the_draws_keep_each_capture_within_the_limit_and_lose_italys_fit(name, rmse):
    """draws_c (study 29) and draws_w01 (study 30) at the report's 200 replicates: leaving out either
    capture moves Italy's 2019-08 tilt by less than 0.4, and the in-sample RMSE is far above issue 8's
    0.12, every point before the GNA sat in Tripoli missed by more than 0.5."""
    from sim.targets import load_targets

    history = load_scenario("libya_2014_2019")
    params = plain(read_parameter_set(name))

    def italy(scenario):
        return execute(scenario, params=params, replicates=200, seed=0, record="tilt").mean_tilt("ITA")

    whole = italy(history)
    final = len(whole) - 1
    for event in ("lna_takes_benghazi", "lna_takes_derna"):
        change = italy(without_events(history, {event}, f"without {event}"))[final] - whole[final]
        assert -0.4 < change < -0.25, (event, change)
    targets = load_targets("italy_tilt")
    steps = (targets["month"] - history.start).to_numpy()
    error = whole[steps] - targets["tilt"].to_numpy()
    assert np.sqrt(np.mean(error**2)) == pytest.approx(rmse, abs=2e-3)
    early = (targets["date"] < "2016-04").to_numpy()
    assert np.abs(error[early]).min() > 0.5  # every point before the GNA sat in Tripoli missed


def test_the_rmse_counted_from_a_month_is_on_the_points_from_that_month(study, calibrator):
    """`--rmse-from`: Italy's RMSE on its points from 2016-04 only; from the first month, on all."""
    from feasibility_study import focus_rmse

    from sim.dates import parse_month

    mean = calibrator.ensemble_mean(set_values(calibrator, "draws_w01")[:, None])
    italy = mean[calibrator.steps, 0, calibrator.state_index["ITA"]]
    later = calibrator.targets["month"].to_numpy() >= parse_month("2016-04")
    expected = np.sqrt(np.mean((italy[later] - calibrator.targets["tilt"].to_numpy()[later]) ** 2))
    assert 4 <= (~later).sum() < later.sum()
    assert focus_rmse(calibrator, mean, parse_month("2016-04"))[0] == pytest.approx(expected)
    np.testing.assert_allclose(focus_rmse(calibrator, mean, calibrator.scenario.start), focus_rmse(calibrator, mean))
    assert focus_rmse(calibrator, mean, parse_month("2016-04"))[0] < focus_rmse(calibrator, mean)[0] - 0.1


def test_the_set_searched_on_the_later_points_reproduces_its_search(search, calibrator):
    """draws_from_2016, as its header gives it: every check held over the search's draws and Italy's
    RMSE within 0.11 on its points from 2016-04 (0.100), at 0.2635 on all of them."""
    from sim.dates import parse_month

    measured = measured_as_searched(search, calibrator, "draws_from_2016", rmse_at_most=0.11, rmse_weight=10.0,
                                    rmse_from=parse_month("2016-04"))
    assert measured["shortfall"][0] == 0.0
    assert measured["rmse"][0] == pytest.approx(0.2635, abs=1e-3)
    assert measured["rmse_counted"][0] == pytest.approx(0.100, abs=1e-3)


def header_of_a_tiny_search(study, record, monkeypatch, *options: str) -> list[str]:
    """The header lines of the record a two-draw, one-generation search writes to ``record`` with
    the command-line ``options`` added."""
    arguments = ["--draws", "2", "--maxiter", "1", "--popsize", "2", "--replicates", "1", "--x0",
                 "calibrated", "--local", "0.01", *options, "--write-params", str(record)]
    monkeypatch.setattr("sys.argv", ["draws_search.py", *arguments])
    study.main()
    return record.read_text().splitlines()


def test_the_record_written_names_its_study_and_the_command_that_made_it(study, tmp_path, monkeypatch):
    """``--study`` names the section the record belongs to, and the command in its header can be run
    again as written (arguments with spaces quoted)."""
    record = tmp_path / "found.yaml"
    header = header_of_a_tiny_search(study, record, monkeypatch, "--study", "Arrivals with diminishing returns")
    assert header[0] == '# Draws search (docs/calibration_studies.md, "Arrivals with diminishing returns"), made by:'
    assert header[1].endswith("--study 'Arrivals with diminishing returns' --write-params " + str(record))
    assert header[2].endswith("params=<this file's name>.")


def test_a_record_searched_on_a_study_scenario_names_it(study, tmp_path, monkeypatch):
    """A record searched on a study scenario tells the robustness command to run on that scenario."""
    header = header_of_a_tiny_search(study, tmp_path / "found.yaml", monkeypatch,
                                     "--settings", "calibrate.scenario=studies/fezzan_transit")
    assert header[2].endswith("params=<this file's name> scenario=studies/fezzan_transit.")


def test_a_search_from_an_origin_fits_and_judges_only_the_months_up_to_it(study, search, calibrator,
                                                                         committed_settings):
    """``until`` (`--until`): the rise and final checks, measured after the origin, are left out; each
    side is judged on its window up to the origin; the objective and the RMSE count the points up to
    it, and the forecast RMSE the points after it."""
    from sim.dates import parse_month

    origin = parse_month("2018-06")
    searched = study.DrawsSearch(calibrator, committed_settings[0]["checks"], search.draws[:4], quantile=0.1,
                                 rmse_at_most=0.12, fit_weight=0.1, rmse_weight=10.0, until=origin)
    assert searched.names == ["low", *search.names[3:]]
    x = set_values(calibrator, "calibrated")[:, None]
    mean = calibrator.ensemble_mean(x)
    whole, upto = search.margins(mean)[:, 0], searched.margins(mean)[:, 0]
    assert upto[0] == whole[0]
    last = origin - calibrator.scenario.start
    for pattern, margin, margin_whole in zip(calibrator.patterns, upto[1:], whole[3:], strict=True):
        on_window = pattern.sign * mean[pattern.start:last + 1, 0, calibrator.state_index[pattern.state]].mean()
        assert margin == pytest.approx(on_window) and margin != pytest.approx(margin_whole)
    measured = searched.measure(x)
    italy = mean[calibrator.steps, 0, calibrator.state_index["ITA"]]
    error = italy - calibrator.targets["tilt"].to_numpy()
    fitted = calibrator.targets["month"].to_numpy() <= origin
    assert measured["rmse_counted"][0] == pytest.approx(np.sqrt(np.mean(error[fitted] ** 2)))
    assert measured["forecast_rmse"][0] == pytest.approx(np.sqrt(np.mean(error[~fitted] ** 2)))
    assert measured["objective"][0] == pytest.approx(calibrator.losses_of(mean, x, origin)[0])
    assert measured["objective"][0] != pytest.approx(calibrator.losses_of(mean, x)[0])
    with pytest.raises(ValueError, match="the 2016-17 window ends after it"):
        study.DrawsSearch(calibrator, committed_settings[0]["checks"], search.draws[:1], quantile=0.1,
                          rmse_at_most=None, fit_weight=0.0, until=parse_month("2017-06"))


def test_a_record_searched_from_an_origin_gives_its_forecast(study, tmp_path, monkeypatch):
    """The header of a record searched with ``--until`` gives Italy's RMSE up to the origin and its
    forecast of the later points; ``--until`` with ``--rmse-from`` is refused."""
    header = header_of_a_tiny_search(study, tmp_path / "found.yaml", monkeypatch, "--until", "2018-06")
    assert header[4].startswith("# From the origin 2018-06: Italy's RMSE up to it 0.")
    assert ", its forecast of the later points " in header[4]
    monkeypatch.setattr("sys.argv", ["draws_search.py", "--until", "2018-06", "--rmse-from", "2016-04"])
    with pytest.raises(SystemExit):
        study.main()


def test_a_search_holding_events_adds_their_changes_beyond_the_limit(study, search, calibrator,
                                                                     committed_settings):
    """With ``calibrate.leave_one_out`` set, each left-out group's change of Italy's 2019-08 tilt beyond
    the limit enters the shortfall, ``hold_weight`` times (the committed set: both captures over 0.4);
    a search from an origin cannot hold them (the change is measured after it)."""
    from sim.dates import parse_month

    holding = calibrator.holding(["lna_takes_benghazi", "lna_takes_derna"], step=search.final, limit=0.4)
    checks = committed_settings[0]["checks"]
    free = study.DrawsSearch(calibrator, checks, search.draws[:2], quantile=0.1, rmse_at_most=None,
                             fit_weight=0.0)
    held = study.DrawsSearch(holding, checks, search.draws[:2], quantile=0.1, rmse_at_most=None,
                             fit_weight=0.0, hold_weight=3.0)
    x = set_values(calibrator, "calibrated")[:, None]
    measured, unheld = held.measure(x), free.measure(x)
    changes = holding.leave_one_out_changes(x)
    np.testing.assert_allclose(measured["left_out_changes"], changes)
    assert (np.abs(changes[:, 0]) > 0.4).all()
    excess = (np.abs(changes[:, 0]) - 0.4).sum()
    assert measured["shortfall"][0] == pytest.approx(unheld["shortfall"][0] + 3.0 * excess)
    assert "left_out_changes" not in unheld
    with pytest.raises(ValueError, match="measured in the final month, after the origin"):
        study.DrawsSearch(holding, checks, search.draws[:1], quantile=0.1, rmse_at_most=None, fit_weight=0.0,
                          until=parse_month("2018-06"))
