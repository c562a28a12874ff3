"""scripts/candidates_study.py (docs/calibration_studies.md, "Every candidate against issue 8's
criteria"): the verdicts follow issue 8's thresholds, the baselines are the calibration's, the
robustness figures are read as written, a set's measures are those of the tools it reuses, bad
input is one clear error, and each draws search run from an origin for the study reproduces its
record and meets persistence as the study says."""

from __future__ import annotations

import json

import pytest

from sim.calibrate import build_calibrator, calibration_settings, set_values
from sim.dates import parse_month
from sim.params import read_parameter_set
from sim.scenario import load_scenario
from tests.conftest import load_script

study = load_script("candidates_study")


def measures(**changes) -> dict:
    """One set's measures, every criterion met unless ``changes`` say otherwise."""
    m = {"italy_rmse": 0.12, "largest_change": {"event": "e", "delta_final": -0.4},
         "least_share": {"criterion": "c", "share": 0.90}, "share_meeting_all": 0.9,
         "forecasts": {u: {"rmse": 0.2, "persistence": 0.3, "trend": 0.4} for u in study.ORIGINS}}
    m.update(changes)
    return m


def test_each_threshold_is_met_at_its_value_and_failed_beyond_it():
    assert all(study.verdicts(measures()).values())
    assert not study.verdicts(measures(italy_rmse=0.1201))["in-sample"]
    assert not study.verdicts(measures(largest_change={"event": "e", "delta_final": 0.41}))["leave one out"]
    assert not study.verdicts(measures(least_share={"criterion": "c", "share": 0.8984}))["draws"]


def test_a_forecast_must_beat_both_baselines_and_one_not_measured_is_no_verdict():
    forecasts = {"2017-12": {"rmse": 0.35, "persistence": 0.3, "trend": 0.7},
                 "2018-06": {"rmse": 0.25, "persistence": 0.6, "trend": 0.24},
                 "2018-12": {"rmse": None, "persistence": 0.3, "trend": 0.7}}
    v = study.verdicts(measures(forecasts=forecasts))
    assert v["from 2017-12"] is False and v["from 2018-06"] is False and v["from 2018-12"] is None
    assert v["2018-06 within 0.20"] is False
    assert study.cell_text(measures(forecasts=forecasts), "from 2018-12") == "—"


def test_the_baselines_are_the_calibrations_from_each_origin():
    """docs/calibration.md, "Out of sample": persistence 0.564 / 0.564 / 0.333 and the trend
    0.740 / 0.740 / 0.762 on Italy's committed points."""
    cal = build_calibrator(*calibration_settings())
    got = {until: study.baselines(cal, until) for until in study.ORIGINS}
    assert [round(got[u]["persistence"], 3) for u in study.ORIGINS] == [0.564, 0.564, 0.333]
    assert [round(got[u]["trend"], 3) for u in study.ORIGINS] == [0.740, 0.740, 0.762]


def test_every_candidate_names_a_set_a_scenario_and_forecasts_from_the_origins():
    for c in study.CANDIDATES:
        read_parameter_set(c.name)
        if c.scenario is not None:
            load_scenario(c.scenario)
            load_scenario(f"{c.scenario}_no_military")
        assert set(c.forecasts) <= set(study.ORIGINS)
        assert (not c.forecasts) == (c.procedure == study.NO_FORECAST)


def test_the_weakest_criterion_of_the_draws_is_read_from_the_robustness_report(tmp_path):
    report = {"scenario": "libya_2014_2019",
              "leave_one_out": {"largest_change": {"event": "lna_takes_derna", "delta_final": -0.5}},
              "estimates": {"draws": 4, "share_of_draws_meeting": {"a": 1.0, "b": 0.75, "c": 0.5},
                            "share_of_draws_meeting_all": 0.25}}
    (tmp_path / "robustness.json").write_text(json.dumps(report))
    got = study.robustness_measures(tmp_path)
    assert got["least_share"] == {"criterion": "c", "share": 0.5}
    assert got["largest_change"] == {"event": "lna_takes_derna", "delta_final": -0.5}
    assert got["share_meeting_all"] == 0.25


def test_a_sets_measures_come_from_the_fit_and_the_account(tmp_path):
    """The committed set, on 20 replicates: its fit and account as `feasibility_study.fit_of` and
    `prior_study.measure` give them, its forecasts as recorded, the robustness run's figures as
    written."""
    report = {"scenario": "libya_2014_2019",
              "leave_one_out": {"largest_change": {"event": "lna_takes_benghazi", "delta_final": -0.72}},
              "estimates": {"draws": 256, "share_of_draws_meeting": {"rise": 0.625},
                            "share_of_draws_meeting_all": 0.383}}
    (tmp_path / "calibrated").mkdir()
    (tmp_path / "calibrated" / "robustness.json").write_text(json.dumps(report))
    m = study.measure(study.CANDIDATES[0], tmp_path, replicates=20)
    fit = load_script("feasibility_study").fit_of("calibrated", build_calibrator(*calibration_settings()),
                                                  calibration_settings()[0], replicates=20)
    assert m["italy_rmse"] == fit["italy"]["rmse"] and m["others_rmse"] == fit["others_rmse"]
    assert m["italy_rmse"] == pytest.approx(0.100, abs=0.01)
    assert sum(m["account"].values()) == pytest.approx(1.0)
    assert m["account"]["security"] > m["account"]["migration"]
    assert m["forecasts"]["2018-06"]["rmse"] == 0.532
    assert study.verdicts(m) == {"in-sample": True, "leave one out": False, "draws": False,
                                 "from 2017-12": True, "from 2018-06": True, "from 2018-12": True,
                                 "2018-06 within 0.20": False}


def test_the_rank_correlations_follow_the_weakest_draws_share():
    sets = [measures(least_share={"criterion": "c", "share": share},
                     account={"security": security, "migration": 1 - security, "oil": 0.0})
            for share, security in [(0.95, 0.1), (0.8, 0.3), (0.6, 0.5), (0.5, 0.6)]]
    got = study.rank_correlations(sets)
    assert got == {"security": pytest.approx(-1.0), "migration": pytest.approx(1.0)}


@pytest.fixture(scope="module")
def committed_variant():
    from tests.conftest import draws_search_of

    return draws_search_of(*calibration_settings())


@pytest.fixture(scope="module")
def counterpart_variant():
    from tests.conftest import draws_search_of

    return draws_search_of(*calibration_settings(["calibrate=counterpart"]))


def from_origin(variant, until: str, **procedure):
    """The variant's draws search run from the origin ``until`` with a record's ``procedure``."""
    calibrator, search = variant
    return load_script("draws_search").DrawsSearch(calibrator, search.checks, search.draws, quantile=0.1,
                                                   until=parse_month(until), **procedure)


#: draws_w01's procedure (study 30): the objective weighted 0.1, no cap on Italy's RMSE.
W01 = {"rmse_at_most": None, "fit_weight": 0.1}
#: counterpart_r14's (study 31): Italy's RMSE capped at 0.14 (weight 10), no objective.
R14 = {"rmse_at_most": 0.14, "rmse_weight": 10.0, "fit_weight": 0.0}


#: Each record of a search from an origin: its variant, origin and procedure, its header's Italy's
#: RMSE up to the origin and forecast of the later points, and whether it beats persistence.
ORIGIN_RECORDS = [("draws_w01_1712", "committed_variant", "2017-12", W01, 0.1190, 0.8536, False),
                  ("draws_w01_1806", "committed_variant", "2018-06", W01, 0.1443, 0.2487, True),
                  ("draws_w01_1806_s1", "committed_variant", "2018-06", W01, 0.1235, 0.5179, True),
                  ("draws_w01_1812", "committed_variant", "2018-12", W01, 0.2222, 0.4869, False),
                  ("counterpart_r14_1806", "counterpart_variant", "2018-06", R14, 0.1375, 0.6384, False)]


@pytest.mark.parametrize(("name", "variant_name", "until", "procedure", "rmse_counted", "forecast", "beats"),
                         ORIGIN_RECORDS)
def test_each_search_from_an_origin_reproduces_its_header_and_meets_persistence_as_recorded(
        name, variant_name, until, procedure, rmse_counted, forecast, beats, request):
    """The draws searches run from an origin for this study: each record holds every check known at
    its origin, reproduces its header's fit up to the origin and forecast of the later points, and
    beats persistence (Italy's last point before the origin held) exactly where the study says."""
    variant = request.getfixturevalue(variant_name)
    calibrator = variant[0]
    x = set_values(calibrator, name)[:, None]
    measured = from_origin(variant, until, **procedure).measure(x)
    assert measured["shortfall"][0] == 0.0
    assert measured["rmse_counted"][0] == pytest.approx(rmse_counted, abs=1e-3)
    assert measured["forecast_rmse"][0] == pytest.approx(forecast, abs=1e-3)
    assert (measured["forecast_rmse"][0] < study.baselines(calibrator, until)["persistence"]) == beats


def test_from_2018_06_draws_w01s_procedure_prefers_the_seed_that_forecasts_no_rise(committed_variant):
    """Of the two optimiser seeds from 2018-06, the procedure's own value (the shortfall, 0 for
    both, plus 0.1 x the objective) is lower for seed 1, whose forecast is flat (0.518), than for
    seed 0, whose forecast rises (0.249): kept as the calibration keeps its restarts, it is seed 1."""
    search = from_origin(committed_variant, "2018-06", **W01)
    measured = {name: search.measure(set_values(committed_variant[0], name)[:, None])
                for name in ("draws_w01_1806", "draws_w01_1806_s1")}
    value = {name: float(m["shortfall"][0] + W01["fit_weight"] * m["objective"][0]) for name, m in measured.items()}
    assert value["draws_w01_1806_s1"] < value["draws_w01_1806"] - 0.005
    assert measured["draws_w01_1806_s1"]["forecast_rmse"][0] > measured["draws_w01_1806"]["forecast_rmse"][0] + 0.2


def test_an_unknown_set_or_a_missing_robustness_run_is_one_clear_error(tmp_path, monkeypatch, capsys):
    for argv, says in ([str(tmp_path), "--names", "calibrated", "no_such_set"], "unknown set(s) no_such_set"), \
                      ([str(tmp_path), "--names", "calibrated"], "no robustness run for calibrated"):
        monkeypatch.setattr("sys.argv", ["candidates_study.py", *argv])
        with pytest.raises(SystemExit) as exit_:
            study.main()
        assert exit_.value.code == 2 and says in capsys.readouterr().err
