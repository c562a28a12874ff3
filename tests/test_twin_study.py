"""scripts/twin_study.py (docs/calibration_studies.md, "The model's own points: a twin
experiment"): the synthetic points are the committed model's course, coded as the points are, and
the refit on them is measured against them and against that course."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module")
def study():
    return load_script("twin_study")


@pytest.fixture(scope="module")
def twin_world(study, committed_settings):
    from sim.calibrate import build_calibrator, set_values

    settings, base = committed_settings
    cal = build_calibrator(settings, base)
    truth = set_values(cal, "calibrated")
    course, joint = study.truth_course(cal, truth, replicates=50, seed=0)
    return cal, truth, course, joint


def test_synthetic_points_are_coded_as_the_points_are(study):
    values = np.array([0.01, -0.52, 0.98, -0.99])
    sigma = np.array([0.1, 0.2, 0.3, 0.3])
    assert np.array_equal(study.synthetic(values, sigma, 0.0, np.ones(4)), values)  # no noise: unrounded
    noisy = study.synthetic(values, sigma, 1.0, np.array([0.4, -0.3, 2.0, -2.0]))
    assert np.allclose(noisy, [0.05, -0.6, 1.0, -1.0])  # rounded to 0.05, clipped to [-1, +1]
    half = study.synthetic(values, sigma, 0.5, np.array([0.4, -0.3, -1.0, 1.0]))
    assert np.allclose(half, [0.05, -0.55, 0.85, -0.85])  # the noise in units of each point's sigma


def test_the_twin_fits_the_models_course_not_the_coded_points(study, twin_world):
    cal, truth, course, joint = twin_world
    _, cutoff = study.origin_mask(cal, "2018-06")
    twin = study.with_points(cal, course[cal.steps], joint)
    # on its own course, the prior and the difference between 12 and 50 replicates are all that is
    # left of the committed set's objective on the 37 points up to 2018-06
    assert float(twin.losses(truth, cutoff)[0]) < 0.1 < 0.3 < float(cal.losses(truth, cutoff)[0])
    assert not np.array_equal(cal.targets["tilt"].to_numpy(), twin.targets["tilt"].to_numpy())
    assert len(twin.joint) == len(cal.joint) == 41


def test_a_twin_refit_is_measured_against_the_points_and_the_truth(study, twin_world, committed_settings,
                                                                   tmp_path):
    cal, truth, course, joint = twin_world
    settings = dict(committed_settings[0], restarts=1, maxiter=2)
    twin = study.with_points(cal, course[cal.steps], joint)
    row = study.twin_refit(twin, settings, truth, course, "2018-06")
    # without noise the later points are the truth's course: the truth fits them exactly, and the
    # forecast's error against the points is its error against the truth
    assert row["truth_rmse"] == 0
    assert row["rmse"] == pytest.approx(row["error_against_truth"])
    assert row["last"]["date"] == "2019-08"
    assert row["truth_rise"] == pytest.approx(0.75, abs=0.05)  # the committed rise, 2018-06 -> 2019-08
    assert row["truth_objective"] < row["refit_objective"]  # two generations find nothing near it
    rows = [{"noise": 0.0, "draw": 0, "truth": "calibrated", "extra": [], **row},
            {"noise": 0.5, "draw": 1, "truth": "calibrated", "extra": ["2017-10"], "extra_sigma": 0.15, **row}]
    study.figure([("no noise", rows[:1]), ("with a point in the gap", rows[1:])], settings,
                 committed_settings[1], tmp_path / "twin.png")
    assert (tmp_path / "twin.png").stat().st_size > 10_000


def test_extra_points_fill_the_gap_before_the_origin_and_nothing_else(study, twin_world):
    cal, _, course, joint = twin_world
    extra = study.with_extra_points(cal, ["2017-12", "2017-10"], 0.15)
    assert len(extra.targets) == len(cal.targets) + 2 and len(cal.targets) == 18
    assert list(extra.targets["date"][9:12]) == ["2017-08", "2017-10", "2017-12"]  # in date order
    assert np.array_equal(extra.steps, (extra.targets["month"] - cal.scenario.start).to_numpy())
    twin = study.with_points(extra, course[extra.steps], joint)
    mask, _ = study.origin_mask(twin, "2018-06")
    assert mask.sum() == 12 and (~mask).sum() == 8  # the forecast is still of Italy's eight later points
    for bad in (["2017-08"], ["2013-12"], ["2017-13"]):
        with pytest.raises(SystemExit, match="--extra"):
            study.with_extra_points(cal, bad, 0.15)
    with pytest.raises(SystemExit, match="--extra-sigma"):
        study.with_extra_points(cal, ["2017-10"], 0.0)


def test_a_figure_panel_takes_rows_from_several_runs_by_noise(study, tmp_path):
    (tmp_path / "a.json").write_text('[{"noise": 0.0, "draw": 0}, {"noise": 0.5, "draw": 1}]')
    assert study.panel_rows(f"{tmp_path / 'a.json'}:0.5") == [{"noise": 0.5, "draw": 1}]
    assert len(study.panel_rows(str(tmp_path / "a.json"))) == 2
    for bad in (f"{tmp_path / 'a.json'}:1", f"{tmp_path / 'missing.json'}", f"{tmp_path / 'a.json'}:x"):
        with pytest.raises(SystemExit, match="--from"):
            study.panel_rows(bad)


def _row(kept_rmse: float, seeds: list[tuple[float, float]] | None = None, beats: bool = True) -> dict:
    """A --json row: the kept refit's forecast RMSE and, per optimiser seed, (objective, forecast RMSE)."""
    seeds = seeds or [(0.1, kept_rmse)]
    kept = min(range(len(seeds)), key=lambda k: seeds[k][0])
    assert seeds[kept][1] == kept_rmse
    return {"rmse": kept_rmse, "beats_baselines": beats,
            "restarts": [{"objective": o + 1, "precise_objective": o, "rmse": r, "kept": k == kept}
                         for k, (o, r) in enumerate(seeds)]}


def test_the_summary_counts_twin_records_within_the_limit_with_an_exact_interval(study):
    rows = [_row(0.15), _row(0.30, beats=False), _row(0.20), _row(0.90)]
    s = study.summary(rows)
    assert (s["records"], s["within"], s["beats_baselines"]) == (4, 2, 3)  # 0.20 itself is within
    assert (s["median"], s["low"], s["high"]) == (pytest.approx(0.25), 0.15, 0.90)
    # Clopper-Pearson for 2 of 4: 6.8 % to 93.2 %
    assert s["interval"] == pytest.approx([0.0676, 0.9324], abs=1e-4)
    assert "refits" not in s  # one seed per record: nothing to say of the seeds
    assert study.summary([_row(0.5)] * 9)["interval"][1] == pytest.approx(0.3363, abs=1e-4)  # 0 of 9


def test_the_summary_tells_whether_the_objective_picks_the_best_forecast(study):
    # record 1: the lowest objective forecasts worst (a negative correlation); record 2: it forecasts best
    worst_kept = _row(0.60, [(0.10, 0.60), (0.20, 0.30), (0.30, 0.15)])
    best_kept = _row(0.12, [(0.10, 0.12), (0.20, 0.40), (0.30, 0.50)])
    s = study.summary([worst_kept, best_kept])
    assert (s["refits"], s["refits_within"], s["any_seed_within"], s["kept_best"]) == (6, 2, 2, 1)
    assert s["within"] == 1
    assert study.summary([worst_kept])["rank_correlation"] == pytest.approx(-1.0)
    assert study.summary_line("one", study.summary([worst_kept])).endswith("| 0 of 1 | −1.00 |")  # a minus sign
    assert study.summary([best_kept])["rank_correlation"] == pytest.approx(1.0)
    line = study.summary_line("0.5σ", s)
    assert line.startswith("| 0.5σ | 2 | 0.360 (0.120–0.600) | 1 of 2 (") and line.endswith("| 1 of 2 | +0.00 |")
    with pytest.raises(SystemExit, match="--summary"):
        study.summary([])


def test_the_mean_course_forecast_averages_the_seeds_courses_not_their_errors(study, twin_world,
                                                                               committed_settings):
    cal, truth, course, joint = twin_world
    settings = dict(committed_settings[0], report_replicates=20)
    names = [p.name for p in cal.free]
    weak, strong = truth.copy(), truth.copy()
    weak[names.index("scale.security")] *= 0.5  # refits that answer the captures too little, too much
    strong[names.index("scale.security")] *= 2.0
    restart = {name: {"parameters": dict(zip(names, map(float, x), strict=True))}
               for name, x in (("truth", truth), ("weak", weak), ("strong", strong))}
    twin = study.with_points(cal, course[cal.steps], joint)

    def forecast(*names_):
        return study.mean_course_forecast(twin, {"until": "2018-06", "restarts": [restart[n] for n in names_]},
                                          settings)

    assert forecast("truth") < 0.05 < 0.3 < forecast("weak") < forecast("strong")
    assert forecast("truth", "truth") == pytest.approx(forecast("truth"))
    # one course too low and one too high: their mean forecasts better than either, which an
    # average of their errors never could
    assert forecast("weak", "strong") < forecast("weak") - 0.05


def test_the_summary_reports_the_mean_course_forecast_against_each_records_baselines(study):
    rows = [dict(_row(0.5), persistence_rmse=0.4, trend_rmse=0.7),
            dict(_row(0.5), persistence_rmse=0.6, trend_rmse=0.7)]
    # the first record's mean course (0.45) loses to its persistence (0.4); the second's (0.15) wins
    s = study.summary(rows, averaged=[0.45, 0.15])
    assert s["average"] == {"median": pytest.approx(0.30), "low": 0.15, "high": 0.45, "within": 1,
                            "beats_baselines": 1}
    assert study.summary_line("x", s).endswith("| 0.300 (0.150–0.450); 1 of 2 within; 1 of 2 beating both |")
    assert "average" not in study.summary(rows)


def test_the_real_records_lines_name_each_origins_mean_course_and_refuse_a_file_without_parameters(
        study, twin_world, committed_settings):
    cal, truth, _, _ = twin_world
    settings = dict(committed_settings[0], report_replicates=20)
    restart = {"parameters": dict(zip([p.name for p in cal.free], map(float, truth), strict=True))}
    entry = {"until": "2018-06", "rmse": 0.5, "persistence_rmse": 0.564, "trend_rmse": 0.74,
             "restarts": [dict(restart, optimizer_seed=k) for k in range(6)]}
    [line] = study.real_record_lines(cal, {"2018-06": entry}, settings, "x.json")
    alone = study.mean_course_forecast(cal, dict(entry, restarts=entry["restarts"][:1]), settings)
    # six copies of one set: the mean course is that set's course, of all six and of the first five
    assert line == (f"2018-06: the kept refit 0.500; the mean course of seeds 0-5 {alone:.3f}, of the first "
                    f"five {alone:.3f} (persistence 0.564, trend 0.740)")
    [short] = study.real_record_lines(cal, {"2018-06": dict(entry, restarts=entry["restarts"][:2])}, settings, "x")
    assert "first five" not in short
    for bad in ({"2018-06": {"restarts": [{"optimizer_seed": 0}]}}, {"2018-06": [1, 2]}, {"2018-06": {}}):
        with pytest.raises(SystemExit, match=r"x\.json: origin 2018-06 has no restarts with their parameters"):
            study.real_record_lines(cal, bad, settings, "x.json")
