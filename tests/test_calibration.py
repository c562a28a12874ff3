"""The calibrator against known answers: it recovers parameters from targets the model made."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibrate import CALIBRATED_CONFIG, calibrated_yaml, counterfactual_differences
from sim.calibration import Calibrator, FreeParameter, apply_values, check_free, parse_dynamics_priors
from sim.errors import ParameterError
from sim.fit import Pattern, baseline_forecasts, chi2_per_point, fit_metrics, pattern_violation
from sim.targets import load_targets
from tests.conftest import digest_of, italy_rmse, recorded

TRUE = {"inertia": 0.3, "ITA.migration": 2.0}
FREE = [FreeParameter("inertia", 0.05, 0.9), FreeParameter("ITA.migration", 0.0, 5.0)]


def synthetic_targets(scenario, replicates: int) -> pd.DataFrame:
    """Italy's ensemble-mean tilt under TRUE parameters, every month, as target points."""
    probe = Calibrator(scenario, pd.DataFrame({"month": [], "tilt": [], "sigma": []}), base_params={},
                       free=FREE, replicates=replicates, seed=0, penalty_weight=0, state="ITA")
    mean = probe.ensemble_mean(np.array([TRUE[p.name] for p in FREE]))[:, 0, 0]
    months = np.arange(scenario.start, scenario.end + 1)
    return pd.DataFrame({"month": months, "tilt": mean, "sigma": 0.05})


def test_calibrator_recovers_known_parameters(mini_scenario):
    """Tolerance: 10% of each search range, with 4 replicates, popsize 6, 25 generations."""
    targets = synthetic_targets(mini_scenario, replicates=4)
    cal = Calibrator(mini_scenario, targets, base_params={}, free=FREE, replicates=4, seed=0,
                     penalty_weight=0, state="ITA")
    fit = cal.fit(popsize=6, maxiter=25, optimizer_seed=1, progress=False)
    for p, value in zip(FREE, fit["x"], strict=True):
        assert abs(value - TRUE[p.name]) <= 0.1 * (p.high - p.low), (p.name, value)
    assert fit["objective"] < 0.05


def test_population_is_one_batched_run_with_common_random_numbers(mini_scenario):
    targets = synthetic_targets(mini_scenario, replicates=3)
    cal = Calibrator(mini_scenario, targets, base_params={}, free=FREE, replicates=3, seed=0,
                     penalty_weight=0, state="ITA")
    x = np.array([[0.3, 0.5, 0.3], [2.0, 1.0, 2.0]])
    losses = cal.losses(x)
    assert losses.shape == (3,)
    assert losses[0] == pytest.approx(losses[2])  # same candidate, same replicates: same loss
    assert losses[0] == pytest.approx(0.0, abs=1e-12)
    assert losses[1] > losses[0]
    assert cal.evaluations == 3


def test_free_parameters_must_lie_within_documented_bounds():
    with pytest.raises(ParameterError, match=r"calibrate.free: inertia: range \[0.0, 0.5\] must lie within"):
        check_free([FreeParameter("inertia", 0.0, 0.5)], ["ITA"])
    with pytest.raises(ParameterError, match=r"calibrate\.free: ITA\.greed: unknown"):
        check_free([FreeParameter("ITA.greed", 0.0, 1.0)], ["ITA"])
    with pytest.raises(ParameterError, match="unknown parameter"):
        check_free([FreeParameter("speed", 0.0, 1.0)], ["ITA"])


def test_apply_values_sets_scalars_and_weights():
    params = apply_values({"noise": 0.1, "state_weights": {"ITA": {"oil": 1.0}}}, FREE, [0.2, 3.0])
    assert params["inertia"] == 0.2 and params["noise"] == 0.1
    assert params["state_weights"]["ITA"] == {"oil": 1.0, "migration": 3.0}


def test_a_scale_multiplies_every_states_prior_and_is_pulled_toward_one(mini_scenario):
    free = [FreeParameter("scale.oil", 0.1, 8.0)]
    check_free(free, ["ITA"])
    with pytest.raises(ParameterError, match=r"scale\.greed: unknown interest"):
        check_free([FreeParameter("scale.greed", 0.1, 2.0)], ["ITA"])
    assert apply_values({}, free, [2.0])["interest_scales"] == {"oil": 2.0}
    empty = pd.DataFrame({"month": [], "tilt": [], "sigma": []})
    cal = Calibrator(mini_scenario, empty, base_params={}, free=free, replicates=1, seed=0,
                     penalty_weight=0, state="ITA", prior_sd=np.log(3.0))
    np.testing.assert_allclose(cal.prior_penalty(np.array([[1.0, 3.0, 1 / 3]])), [0.0, 1.0, 1.0])


def test_dynamics_priors_cost_one_unit_per_standard_deviation(mini_scenario):
    """A prior on a dynamics parameter: normal or log-normal, one sd costs exactly one unit; it
    must name a fitted dynamics parameter."""
    free = [FreeParameter("scale.oil", 0.1, 8.0), FreeParameter("contest_exponent", 0.5, 5.0),
            FreeParameter("camp_cohesion", 0.0, 1.0)]
    priors = parse_dynamics_priors({
        "contest_exponent": {"kind": "lognormal", "centre": 1.0, "sd": float(np.log(2.0))},
        "camp_cohesion": {"centre": 0.5, "sd": 0.2},
        "territory_strength": None,  # switched off
    }, free)
    assert [p.name for p in priors] == ["contest_exponent", "camp_cohesion"]
    empty = pd.DataFrame({"month": [], "tilt": [], "sigma": []})
    cal = Calibrator(mini_scenario, empty, base_params={}, free=free, replicates=1, seed=0,
                     penalty_weight=0, state="ITA", prior_sd=np.log(3.0), dynamics_priors=priors)
    x = np.array([[1.0, 1.0, 3.0], [1.0, 2.0, 0.5], [0.3, 0.5, 0.7]])  # (n_free, P)
    np.testing.assert_allclose(cal.dynamics_penalties(x)["contest_exponent"], [0.0, 1.0, 1.0])
    np.testing.assert_allclose(cal.dynamics_penalties(x)["camp_cohesion"], [1.0, 0.0, 1.0])
    np.testing.assert_allclose(cal.prior_penalty(x), [1.0, 1.0, 3.0])
    with pytest.raises(ParameterError, match="not a fitted dynamics parameter"):
        parse_dynamics_priors({"inertia": {"centre": 0.5, "sd": 0.1}}, free)
    with pytest.raises(ParameterError, match="sd > 0"):
        parse_dynamics_priors({"camp_cohesion": {"centre": 0.5, "sd": 0.0}}, free)


def test_a_scale_may_have_its_own_prior_width(mini_scenario):
    """``scale_prior_sd`` overrides ``prior_sd`` for the scales it names: one of its sd costs one
    unit; it must name a fitted scale and a positive width."""
    free = [FreeParameter("scale.oil", 0.1, 8.0), FreeParameter("scale.security", 0.1, 8.0)]
    empty = pd.DataFrame({"month": [], "tilt": [], "sigma": []})
    cal = Calibrator(mini_scenario, empty, base_params={}, free=free, replicates=1, seed=0,
                     penalty_weight=0, state="ITA", prior_sd=np.log(3.0),
                     scale_prior_sd={"security": float(np.log(1.5))})
    x = np.array([[3.0, 1.0, 1.0], [1.0, 1.5, 3.0]])  # (n_free, P)
    np.testing.assert_allclose(cal.prior_penalty(x), [1.0, 1.0, (np.log(3.0) / np.log(1.5)) ** 2])
    for bad, match in (({"winner": 0.4}, "not a fitted scale"), ({"security": 0.0}, "positive")):
        with pytest.raises(ParameterError, match=match):
            Calibrator(mini_scenario, empty, base_params={}, free=free, replicates=1, seed=0,
                       penalty_weight=0, state="ITA", scale_prior_sd=bad)


def test_other_states_points_enter_the_objective(mini_scenario):
    """A coded point of another state counts: moving it away from the model raises the loss."""
    probe = Calibrator(mini_scenario, pd.DataFrame({"month": [], "tilt": [], "sigma": []}),
                       base_params={}, free=FREE, replicates=2, seed=0, penalty_weight=0, state="ITA")
    x = np.array([TRUE[p.name] for p in FREE])
    mean = probe.ensemble_mean(x)[:, 0, :]
    other = next(s for s in mini_scenario.state_ids if s != "ITA")
    step = 5
    month = mini_scenario.start + step
    ita = pd.DataFrame({"month": [month], "tilt": [mean[step, 0]], "sigma": [0.1]})

    def loss(shift, weight=1.0):
        joint = pd.DataFrame({"state": [other], "month": [month], "date": ["x"], "sigma": [0.1],
                              "tilt": [mean[step, mini_scenario.state_ids.index(other)] + shift]})
        cal = Calibrator(mini_scenario, ita, base_params={}, free=FREE, replicates=2, seed=0,
                         penalty_weight=0, state="ITA", joint_targets=joint, joint_weight=weight)
        return cal.losses(x)[0]

    assert loss(0.0) == pytest.approx(0.0, abs=1e-10)
    assert loss(0.2) == pytest.approx((0.2 / 0.1) ** 2 / 2, rel=1e-4)  # one of two points, z = 2
    # weighted: z^2 x w / (1 + w); weight 0 leaves the other state to the patterns alone
    assert loss(0.2, 0.25) == pytest.approx(4 * 0.25 / 1.25, rel=1e-4)
    assert loss(0.2, 0.0) == pytest.approx(0.0, abs=1e-10)
    with pytest.raises(ParameterError, match="joint_weight"):
        loss(0.2, -1.0)


def test_fit_measures_known_values():
    model, target, sigma = np.array([[0.0, 1.0], [0.5, 0.5]]), np.array([0.0, 0.5]), np.array([0.5, 0.5])
    np.testing.assert_allclose(chi2_per_point(model, target, sigma), [0.0, 2.0])
    metrics = fit_metrics(np.array([0.1, 0.4]), np.array([0.0, 0.5]))
    assert metrics["rmse"] == pytest.approx(0.1) and metrics["max_abs_error"] == pytest.approx(0.1)
    base = baseline_forecasts(np.array([0.0, 1.0]), np.array([0.0, 0.2]), np.array([2.0]))
    assert base["last_value_held"][0] == pytest.approx(0.2)
    assert base["linear_trend"][0] == pytest.approx(0.4)


def test_pattern_violation_counts_only_the_wrong_side():
    tilt = np.zeros((3, 2, 1))
    tilt[:, 0, 0] = [0.5, 0.5, 0.5]
    tilt[:, 1, 0] = [-0.5, 0.5, -0.5]
    violation = pattern_violation(tilt, {"FRA": 0}, [Pattern("FRA", 1, 0, 2)])
    np.testing.assert_allclose(violation, [0.0, 0.25 * 2 / 3])


def test_calibrated_yaml_is_a_parameter_set():
    text = calibrated_yaml({"inertia": 0.25, "state_weights": {"ITA": {"migration": 2.5}}}, FREE,
                           ["made by a test", "recorded_rmse: 0.1"])
    assert text.startswith("# made by a test\n")
    assert "defaults:\n- default\n- _self_\ninertia: 0.25" in text


def test_calibrated_yaml_keeps_a_setting_given_beside_the_fitted_values():
    """A calibration made with ``params.partners_now=1`` writes it, so the file runs as the fit
    did; values at their default are left to configs/params/default.yaml."""
    from sim.params import read_parameter_set

    fitted = {"inertia": 0.25, "state_weights": {"ITA": {"migration": 2.5}}}
    base = read_parameter_set("default") | fitted | {"partners_now": 1.0}
    text = calibrated_yaml(base, FREE, ["made by a test"])
    assert "partners_now: 1.0" in text
    assert "rationality" not in text  # at its default
    unchanged = calibrated_yaml(read_parameter_set("default") | fitted, FREE, ["made by a test"])
    assert "partners_now" not in unchanged


@pytest.mark.skipif(not CALIBRATED_CONFIG.exists(), reason="no committed calibrated parameter set")
def test_committed_calibration_reproduces_its_recorded_rmse():
    header = recorded("calibrated")
    rmse = italy_rmse("calibrated", int(header["replicates"]), int(header["seed"]))
    assert rmse == pytest.approx(header["rmse"], abs=1e-6)


@pytest.mark.skipif(not CALIBRATED_CONFIG.exists(), reason="no committed calibrated parameter set")
def test_committed_calibration_was_made_on_the_committed_settings_and_data():
    """The header's digest names the settings, base parameters and data (scenario, targets) it
    was fitted on; a change to any of them, sources included, needs the calibration made again."""
    import re

    from sim.calibrate import calibration_fingerprint, calibration_settings
    from sim.checkpoint import Checkpoint

    first = CALIBRATED_CONFIG.read_text(encoding="utf-8").splitlines()[0]
    written = re.search(r"settings and data ([0-9a-f]{16})", first).group(1)
    settings, params = calibration_settings()
    current = Checkpoint(CALIBRATED_CONFIG.parent, calibration_fingerprint(settings, params), started="").digest
    assert written == current, ("the settings or data changed since configs/params/calibrated.yaml was "
                                "made: run `python -m sim.calibrate calibrate.write_config=true`")


def test_the_quick_preset_is_the_committed_calibration_with_one_seed_and_no_refits():
    """`calibrate=quick` fits the committed objective (the same points, priors, free parameters,
    budget and base parameters) from the first optimiser seed alone, without rolling origins."""
    from sim.calibrate import calibration_settings

    committed, params = calibration_settings()
    quick, quick_params = calibration_settings(["calibrate=quick"])
    assert committed["restarts"] == 5 and committed["out_of_sample_origins"]
    assert quick["restarts"] == 1 and quick["out_of_sample_origins"] == []
    skipped = {"restarts", "out_of_sample_origins"}
    assert {k: v for k, v in quick.items() if k not in skipped} == \
        {k: v for k, v in committed.items() if k not in skipped}
    assert quick_params == params


@pytest.mark.slow
def test_calibrate_app_writes_its_reports(tmp_path):
    """``python -m sim.calibrate`` at a tiny budget, as a subprocess: every output, every section."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = tmp_path / "cal"
    settings = ["calibrate.maxiter=2", "calibrate.popsize=2", "calibrate.replicates=2",
                "calibrate.report_replicates=4", "calibrate.restarts=2",
                "calibrate.out_of_sample_origins=[2017-12,2018-12]"]
    before = CALIBRATED_CONFIG.read_bytes() if CALIBRATED_CONFIG.exists() else None
    proc = subprocess.run([sys.executable, "-m", "sim.calibrate", *settings, f"hydra.run.dir={out}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == {"calibrated.yaml", "fit_report.json", "fit.png",
                                               "tilt.parquet", "config.yaml"}
    report = json.loads((out / "fit_report.json").read_text())
    assert {"rmse", "max_abs_error", "r2", "turning_date", "objective", "evaluations",
            "wall_time_s"} <= set(report["fit"])
    assert [entry["until"] for entry in report["out_of_sample"]] == ["2017-12", "2018-12"]
    for entry in report["out_of_sample"]:
        assert {"rmse", "persistence_rmse", "trend_rmse", "beats_baselines"} <= set(entry)
        assert set(entry["forecast_error"]) == {"model", "last_value_held", "linear_trend"}
        assert entry["fitted_points"] + entry["forecast_points"] == len(load_targets("italy_tilt"))
        assert [r["optimizer_seed"] for r in entry["restarts"]] == [0, 1]
        assert sum(r["kept"] for r in entry["restarts"]) == 1
    counts = report["counts"]
    assert counts["at_most_a_third"] and counts["free_parameters"] <= counts["coded_points"] / 3
    assert report["joint"]["points"] == counts["other_state_points"] > 0
    band = report["uncertainty"]
    assert band["parameter_sets"] == 2 and len(band["quantiles"]["q05"]) == len(band["dates"])
    assert all(lo <= hi for lo, hi in zip(band["quantiles"]["q05"], band["quantiles"]["q95"], strict=True))
    points = len(load_targets("italy_tilt"))
    bad = subprocess.run([sys.executable, "-m", "sim.calibrate", "calibrate.out_of_sample_origins=[2020-01]",
                          f"hydra.run.dir={tmp_path / 'never'}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert bad.returncode == 2 and f"2020-01 leaves {points} points to fit and 0 to forecast" in bad.stderr
    assert not (tmp_path / "never").exists()
    assert report["counterfactual"]["scenario"] == "libya_2014_2019_no_military"
    assert "differs from calibrate.scenario" not in proc.stderr  # the history's own counterfactual
    assert len(report["identifiability"]["parameters"]["inertia"]["values"]) == 2
    # docs/calibration.md's tables are printed from the report (scripts/calibration_tables.py)
    from tests.conftest import load_script

    tables = load_script("calibration_tables").tables(out)
    assert all(f"| {p['date']} | {p['target']:+.2f} |" in tables for p in report["fit"]["points"])
    assert all(f"**{entry['rmse']:.3f}**" in tables for entry in report["out_of_sample"])
    assert f"| `inertia` | {report['identifiability']['parameters']['inertia']['values'][0]:.2f} |" in tables
    # each restart measured again (scripts/restart_rescore.py), from the run folder alone: on the
    # search's replicates it is the reported objective; on report_replicates the one that kept it
    rows = load_script("restart_rescore").rescore(out, [4], seeds=2)
    assert [row["fit"] for row in rows] == ["main", "origin 2017-12", "origin 2018-12"]
    precise = [report["identifiability"]["precise_objectives"],
               *([r["precise_objective"] for r in entry["restarts"]] for entry in report["out_of_sample"])]
    for row, expected in zip(rows, precise, strict=True):
        assert row["again"] == pytest.approx(row["reported"])
        assert row["precise"]["4"] == pytest.approx(expected)
        assert row["kept"]["by_the_calibration"] == row["kept"]["4_replicates"] == int(np.argmin(expected))
    # more seeds (scripts/more_restarts.py): with the run's own number it re-makes the run's entries
    again_entries = load_script("more_restarts").more_restarts(out, 2, ["2017-12", "2018-12"], log=lambda _: None)
    for entry in report["out_of_sample"]:
        remade = again_entries[entry["until"]]
        assert remade["rmse"] == pytest.approx(entry["rmse"])
        assert [r["kept"] for r in remade["restarts"]] == [r["kept"] for r in entry["restarts"]]
    # ... takes the seeds an earlier call fitted (--reuse) as given, and refuses one the run contradicts
    import copy

    earlier = copy.deepcopy(again_entries)
    seed_0 = earlier["2018-12"]["restarts"][0]
    given = {**seed_0, "optimizer_seed": 2, "parameters": {**seed_0["parameters"], "inertia": 0.5}}
    earlier["2018-12"]["restarts"].append(given)
    three = load_script("more_restarts").more_restarts(out, 3, ["2018-12"], log=lambda _: None, reuse=[earlier])
    assert three["2018-12"]["restarts"][2]["parameters"] == given["parameters"]
    seed_0["parameters"]["inertia"] = 0.5
    with pytest.raises(SystemExit, match="optimiser seed 0: its refit differs"):
        load_script("more_restarts").more_restarts(out, 3, ["2018-12"], log=lambda _: None, reuse=[earlier])
    # ... and writes an origin's kept refit as a parameter set that forecasts as the entry says
    import shutil

    from sim.calibrate import build_calibrator, origin_mask, read_calibration_run, report_run
    from sim.calibration import read_values
    from sim.params import PARAMS_DIR, read_parameter_set

    remade = again_entries["2018-12"]
    text = load_script("more_restarts").refit_record(out, remade, 2, "refit_1812", ['Study record ("T").'])
    assert text.startswith('# Study record ("T").\n# The kept refit from the rolling origin 2018-12')
    assert f"its forecast of the {remade['forecast_points']} later points {remade['rmse']:.4f}" in text
    sets = tmp_path / "params"
    sets.mkdir()
    shutil.copy(PARAMS_DIR / "default.yaml", sets)
    (sets / "refit_1812.yaml").write_text(text)
    written = read_parameter_set("refit_1812", sets)
    _, run_settings, base = read_calibration_run(out)
    cal = build_calibrator(run_settings, base)
    assert read_values(written, cal.free).tolist() == [remade["parameters"][p.name] for p in cal.free]
    later = ~origin_mask(cal, "2018-12")[0]
    forecast = report_run(cal, written, replicates=run_settings["report_replicates"],
                          seed=run_settings["seed"]).mean_tilt("ITA")[cal.steps[later]]
    assert fit_metrics(forecast, cal.targets["tilt"].to_numpy()[later])["rmse"] == pytest.approx(remade["rmse"])
    assert (CALIBRATED_CONFIG.read_bytes() if CALIBRATED_CONFIG.exists() else None) == before
    again = subprocess.run([sys.executable, "-m", "sim.calibrate", *settings, f"hydra.run.dir={out}"],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 2 and "already holds results" in again.stderr


def test_more_restarts_writes_one_new_parameter_set_or_stops_before_fitting(tmp_path):
    """``scripts/more_restarts.py --write-params`` records one origin's refit, never replaces a set,
    and ``--header`` needs it: each refused at once, before any fit, with the reason."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = [sys.executable, "scripts/more_restarts.py", str(tmp_path / "no_run")]
    for extra, reason in [(["--origins", "2018-06", "2018-12", "--write-params", "new_set"], "one origin's refit"),
                          (["--origins", "2018-06", "--write-params", "calibrated"], "is never replaced"),
                          (["--origins", "2018-06", "--header", "a line"], "name that set")]:
        proc = subprocess.run([*script, *extra], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and reason in proc.stderr, proc.stderr
    assert not (ROOT / "configs" / "params" / "new_set.yaml").exists()


def test_out_of_sample_refits_from_every_restart_and_keeps_the_best_objective(mini_scenario):
    """The rolling-origin refit is made as the main fit is: every optimiser seed of ``restarts``,
    the lowest objective on the points up to the origin kept, measured on ``report_replicates``
    replicates (not the search's noisier one), whatever its forecast."""
    from sim.calibrate import out_of_sample
    from sim.dates import format_month

    targets = synthetic_targets(mini_scenario, replicates=3)
    targets["date"] = [format_month(int(m)) for m in targets["month"]]
    cutoff = int(targets["month"].iloc[len(targets) // 2])
    cal = Calibrator(mini_scenario, targets, base_params={}, free=FREE, replicates=3, seed=0,
                     penalty_weight=0, state="ITA")
    # the points after the origin are seed 6's course: it forecasts them best, and must not be kept
    later = (targets["month"] > cutoff).to_numpy()
    course = cal.ensemble_mean(np.array([0.8, 0.5]))[:, 0, cal.state_index["ITA"]]
    targets.loc[later, "tilt"] = course[cal.steps[later]]
    cal = Calibrator(mini_scenario, targets, base_params={}, free=FREE, replicates=3, seed=0,
                     penalty_weight=0, state="ITA")
    # seed 7 finds the true parameters but the worst search objective: the precise one keeps it
    candidates = {5: ([0.6, 4.0], 0.2), 6: ([0.8, 0.5], 0.1), 7: ([TRUE["inertia"], TRUE["ITA.migration"]], 0.3)}
    calls = []

    def run_fit(key, *, optimizer_seed, until=None):
        calls.append((key, optimizer_seed, until))
        x, objective = candidates[optimizer_seed]
        return {"x": np.array(x), "objective": objective, "wall_time_s": 1.0}

    until = format_month(cutoff)
    settings = {"optimizer_seed": 5, "restarts": 3, "report_replicates": 6, "seed": 0}
    entry = out_of_sample(cal, settings, until, run_fit)
    assert calls == [(f"out_of_sample {until}", 5, cutoff), (f"out_of_sample {until} restart 1", 6, cutoff),
                     (f"out_of_sample {until} restart 2", 7, cutoff)]
    assert [r["optimizer_seed"] for r in entry["restarts"]] == [5, 6, 7]
    assert [r["objective"] for r in entry["restarts"]] == [0.2, 0.1, 0.3]
    precise = Calibrator(mini_scenario, targets, base_params={}, free=FREE, replicates=6, seed=0,
                         penalty_weight=0, state="ITA")
    x = np.array([candidates[k][0] for k in (5, 6, 7)]).T
    expected = precise.losses(x, cutoff)
    assert [r["precise_objective"] for r in entry["restarts"]] == pytest.approx(expected.tolist())
    assert not np.allclose(expected, precise.losses(x))  # on the points up to the origin only
    assert cal.replicates == 3  # the search's calibrator is left as it was
    assert [r["kept"] for r in entry["restarts"]] == [False, False, True]
    assert entry["parameters"] == TRUE
    assert [r["parameters"]["inertia"] for r in entry["restarts"]] == [0.6, 0.8, TRUE["inertia"]]
    kept = entry["restarts"][2]
    assert entry["rmse"] == pytest.approx(kept["rmse"])
    assert entry["restarts"][1]["rmse"] < kept["rmse"]  # seed 6 forecasts better, and is not chosen
    assert entry["wall_time_s"] == 3.0
    single = out_of_sample(cal, {**settings, "restarts": 1}, until, run_fit)
    assert [r["optimizer_seed"] for r in single["restarts"]] == [5] and single["parameters"]["inertia"] == 0.6


def test_a_counterfactual_that_is_not_the_scenarios_own_variant_is_named_by_what_differs():
    """The explained-not-drawn check of a calibration runs its counterfactual with the fitted
    parameters; `sim.calibrate` warns when that counterfactual changes more than the scenario's
    events and series (a study scenario calibrated with the history's counterfactual)."""
    from sim.scenario import load_scenario

    history, staged = load_scenario("libya_2014_2019"), load_scenario("studies/campaign_stages")
    assert counterfactual_differences(history, load_scenario("libya_2014_2019_no_military")) == {}
    assert counterfactual_differences(staged, load_scenario("studies/campaign_stages_no_military")) == {}
    assert counterfactual_differences(staged, load_scenario("libya_2014_2019_no_military")) == {
        "assets": ["BENGHAZI", "BENGHAZI_GANFOUDA", "BENGHAZI_LAITHI", "DERNA", "DERNA_OLD_CITY"]}
    marked = load_scenario("studies/fezzan_transit")
    assert counterfactual_differences(marked, load_scenario("libya_2014_2019_no_military")) == {"assets": ["FEZZAN"]}


# ---------------------------------------------------------------- the leave-one-out term

def test_the_leave_one_out_term_charges_each_change_beyond_the_limit(mini_scenario):
    """With ``leave_one_out``, each candidate runs again without each event (or ``+`` group), and
    ``penalty_weight`` x the change of the focus state's tilt in the compared month beyond the
    limit is added to the objective; within the limit it costs nothing."""
    targets = synthetic_targets(mini_scenario, replicates=2)
    common = {"base_params": {}, "free": FREE, "replicates": 2, "seed": 0, "penalty_weight": 3.0,
              "state": "ITA"}
    plain_cal = Calibrator(mini_scenario, targets, **common)
    groups = ["haven_taken", "terror_attack+gas_fight"]
    x = np.array([[0.3, 0.1, 0.8], [2.0, 4.0, 0.5]])
    mean = plain_cal.ensemble_mean(x)
    without = plain_cal.losses_of(mean, x)
    strict = Calibrator(mini_scenario, targets, leave_one_out=groups, leave_one_out_limit=0.0,
                        leave_one_out_step=8, **common)
    changes = strict.leave_one_out_changes(x)
    assert changes.shape == (2, 3) and np.abs(changes).max() > 0.01
    for group, row in zip(groups, changes, strict=True):  # the same runs as by hand
        alone = Calibrator(strict.leave_one_out[group], targets, **common).ensemble_mean(x)
        np.testing.assert_allclose(row, alone[8, :, 0] - mean[8, :, 0], atol=1e-12)
    np.testing.assert_allclose(strict.losses(x), without + 3.0 * np.abs(changes).sum(axis=0), rtol=1e-12)
    limit = float(np.abs(changes).max()) - 1e-3  # only the largest change is charged, by its excess
    partial = Calibrator(mini_scenario, targets, leave_one_out=groups, leave_one_out_limit=limit,
                         leave_one_out_step=8, **common)
    np.testing.assert_allclose(partial.losses(x) - without,
                               3.0 * np.maximum(np.abs(changes) - limit, 0).sum(axis=0), rtol=1e-9, atol=1e-12)
    assert np.count_nonzero(partial.losses(x) - without > 1e-12) == 1
    loose = Calibrator(mini_scenario, targets, leave_one_out=groups, leave_one_out_limit=2.0, **common)
    np.testing.assert_allclose(loose.losses(x), without, rtol=1e-12)
    assert loose.leave_one_out_step == mini_scenario.n_months - 1  # by default, the last month
    assert loose.evaluations == 3  # one call: the runs without an event are not candidates evaluated


def test_the_leave_one_out_term_refuses_what_it_cannot_run(mini_scenario):
    targets = synthetic_targets(mini_scenario, replicates=2)
    common = {"base_params": {}, "free": FREE, "replicates": 2, "seed": 0, "penalty_weight": 1.0,
              "state": "ITA"}
    with pytest.raises(ParameterError, match=r"calibrate\.leave_one_out: haven_taken\+nowhere: unknown "
                                             r"events \['nowhere'\]; the events of mini: \[.*'haven_taken'"):
        Calibrator(mini_scenario, targets, leave_one_out=["haven_taken+nowhere"], **common)
    with pytest.raises(ParameterError, match="listed twice"):
        Calibrator(mini_scenario, targets, leave_one_out=["legit", "legit"], **common)
    with pytest.raises(ParameterError, match=r"leave_one_out_limit: is -0\.1; a number >= 0"):
        Calibrator(mini_scenario, targets, leave_one_out=["legit"], leave_one_out_limit=-0.1, **common)
    with pytest.raises(ParameterError, match=r"leave_one_out_step: is 12; a month of the scenario, 0\.\.11"):
        Calibrator(mini_scenario, targets, leave_one_out=["legit"], leave_one_out_step=12, **common)
    plain_cal = Calibrator(mini_scenario, targets, **common)
    with pytest.raises(ParameterError, match=r"leave_one_out_step: is 12; a month of the scenario, 0\.\.11"):
        plain_cal.holding(["legit"], step=12)
    with pytest.raises(ParameterError, match=r"leave_one_out_limit: is -0\.1; a number >= 0"):
        plain_cal.holding(["legit"], step=5, limit=-0.1)
    held = plain_cal.holding(["legit", "haven_taken+gas_fight"], step=5, limit=0.2)
    assert list(held.leave_one_out) == ["legit", "haven_taken+gas_fight"]
    assert (held.leave_one_out_step, held.leave_one_out_limit) == (5, 0.2)
    assert plain_cal.leave_one_out == {} and plain_cal.leave_one_out_limit == 0.4  # left as it was


def test_the_leave_one_out_settings_enter_the_digest_only_when_used():
    """At its neutral value (no events) the term leaves the committed calibration's digest as it was
    (`test_committed_calibration_was_made_on_the_committed_settings_and_data`); with events, or
    another limit for them, it is another objective and another digest."""

    from sim.calibrate import build_calibrator, calibration_settings
    from sim.dates import parse_month
    from sim.errors import InputError

    settings, params = calibration_settings()
    assert settings["leave_one_out"] == [] and settings["leave_one_out_limit"] == 0.4

    def digest(changed: dict) -> str:
        return digest_of(settings | changed, params)

    committed = digest({})
    assert digest({"leave_one_out_limit": 0.5}) != committed  # a limit without events: still stated
    used = digest({"leave_one_out": ["lna_takes_derna"]})
    assert used != committed and digest({"leave_one_out": ["lna_takes_derna"],
                                         "leave_one_out_limit": 0.3}) != used
    with pytest.raises(InputError, match=r"calibrate\.leave_one_out: is 'lna_takes_derna'; a list of event ids"):
        build_calibrator(settings | {"leave_one_out": "lna_takes_derna"}, params)
    cal = build_calibrator(settings | {"leave_one_out": ["lna_takes_derna"]}, params)
    assert cal.scenario.start + cal.leave_one_out_step == parse_month("2019-08")  # the checks' rise_to


def test_a_pinned_parameter_is_held_at_its_value_and_changes_the_digest_only_when_used():
    """``calibrate.pin`` narrows each named free parameter's range to its value, in place (the free
    list keeps its order and length); empty, it leaves the committed digest as it was; a name that is
    not free, a value outside the range or not a number is refused, naming the entry and what is
    allowed."""

    from sim.calibrate import build_calibrator, calibration_settings
    from sim.errors import InputError

    settings, params = calibration_settings()
    assert settings["pin"] == {}
    pinned_settings, _ = calibration_settings(["+calibrate.pin={scale.oil:4,oil_foresight:0}"])
    assert pinned_settings["pin"] == {"scale.oil": 4, "oil_foresight": 0}
    cal = build_calibrator(pinned_settings, params)
    by_name = {p.name: p for p in cal.free}
    assert [p.name for p in cal.free] == [f["name"] for f in settings["free"]]
    assert by_name["scale.oil"].low == 4.0 and by_name["scale.oil"].high == pytest.approx(4.0, abs=1e-8)
    assert by_name["oil_foresight"].low == 0.0 and by_name["oil_foresight"].high < 1e-11
    assert by_name["scale.migration"].low == 0.1 and by_name["scale.migration"].high == 8.0
    edges = build_calibrator(settings | {"pin": {"inertia": 1.0, "outside_option": -1.0}}, params)
    by_name = {p.name: p for p in edges.free}
    assert by_name["inertia"].high == 1.0 and 1.0 - 1e-8 < by_name["inertia"].low < 1.0  # the range's top
    assert -1.0 == by_name["outside_option"].low < by_name["outside_option"].high < -1.0 + 1e-8

    def digest(changed: dict) -> str:
        return digest_of(settings | changed, params)

    assert digest({"pin": {}}) == digest({})
    assert digest({"pin": {"scale.oil": 4.0}}) not in {digest({}), digest({"pin": {"scale.oil": 2.0}})}
    for pin, message in (({"scale.oli": 4}, r"calibrate\.pin\.scale\.oli: is not a free parameter; free: \['scale\.oil'"),
                         ({"scale.oil": 9.0}, r"calibrate\.pin\.scale\.oil: is 9\.0; a number within its "
                                              r"search range \[0\.1, 8\.0\]"),
                         ({"inertia": float("nan")}, r"calibrate\.pin\.inertia: is nan; a number"),
                         ({"inertia": "high"}, r"calibrate\.pin\.inertia: is 'high'; a number"),
                         (["scale.oil"], r"calibrate\.pin: is \['scale\.oil'\]; a mapping NAME: value")):
        with pytest.raises(InputError, match=message):
            build_calibrator(settings | {"pin": pin}, params)


@pytest.mark.slow
def test_calibrate_app_reports_the_changes_it_held(tmp_path):
    """With ``calibrate.leave_one_out`` the fit report gives each listed event's change at the fit;
    an unknown event stops the run before it starts, naming the event and the ones there are."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    tiny = ["calibrate.maxiter=2", "calibrate.popsize=2", "calibrate.replicates=2",
            "calibrate.report_replicates=4", "calibrate.restarts=1", "calibrate.out_of_sample_origins=[]"]
    out = tmp_path / "cal"
    proc = subprocess.run([sys.executable, "-m", "sim.calibrate", *tiny,
                           "calibrate.leave_one_out=[lna_takes_derna,lna_takes_benghazi+gnc_exits]",
                           "calibrate.leave_one_out_limit=0.25", f"hydra.run.dir={out}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    section = json.loads((out / "fit_report.json").read_text())["leave_one_out"]
    assert section["month"] == "2019-08" and section["limit"] == 0.25
    assert list(section["changes"]) == ["lna_takes_derna", "lna_takes_benghazi+gnc_exits"]
    assert section["largest_change"] == max(section["changes"].values(), key=abs)
    assert section["within_limit"] == (abs(section["largest_change"]) <= 0.25)
    bad = subprocess.run([sys.executable, "-m", "sim.calibrate", *tiny, "calibrate.leave_one_out=[lna_takes_dern]",
                          f"hydra.run.dir={tmp_path / 'never'}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert bad.returncode == 2
    assert "calibrate.leave_one_out: lna_takes_dern: unknown events ['lna_takes_dern']" in bad.stderr
    assert "'lna_takes_derna'" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "never").exists()
