"""Refitting calibration parameters on scenario variants (`sim.refit`) and the robustness
command's ``refit`` option."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.calibrate import calibration_settings
from sim.errors import InputError
from sim.params import calibrated_params
from sim.refit import Refitter
from sim.scenario.estimates import with_values
from tests.conftest import MINI, MINI_CHECKS, ROOT

# the mini scenario's three states, so the other states' points and patterns are left out
ON_MINI = ["calibrate.joint_targets=null", "calibrate.patterns=[]"]


@pytest.fixture(scope="module")
def calibrate() -> dict:
    return calibration_settings(ON_MINI)[0]


def test_a_refit_moves_only_its_parameters_and_never_fits_worse(calibrate, mini_scenario):
    params = calibrated_params()
    refitter = Refitter(calibrate, params, ["scale.security", "inertia"], popsize=3, maxiter=3, seed=0)
    variant = with_values(mini_scenario, {"assets.HAVEN.haven": 0.5})
    refit = refitter.refit(variant)
    assert refit["objective"] <= refit["objective_before"]
    assert refit["objective_before"] == pytest.approx(refitter.objective(variant, params))
    assert refit["objective"] == pytest.approx(refitter.objective(variant, refit["params"]))
    bounds = {f["name"]: (f["low"], f["high"]) for f in calibrate["free"]}
    for name, value in refit["values"].items():
        assert bounds[name][0] <= value <= bounds[name][1]
    assert refit["params"]["inertia"] == refit["values"]["inertia"]
    assert refit["params"]["interest_scales"]["security"] == refit["values"]["scale.security"]
    kept = ("inertia", "interest_scales")
    assert {k: v for k, v in refit["params"].items() if k not in kept} == {
        k: v for k, v in params.items() if k not in kept}
    assert {k: v for k, v in refit["params"]["interest_scales"].items() if k != "security"} == {
        k: v for k, v in params["interest_scales"].items() if k != "security"}
    again = refitter.refit(variant)
    assert again["values"] == refit["values"] and again["objective"] == refit["objective"]


@pytest.mark.parametrize("extremist", [0.45, 0.8])
def test_the_data_fix_the_councils_extremism_times_the_security_scale_not_either(extremist):
    """The counter-terror record is proportional to the extremism of the councils the LNA defeats,
    and Italy values it through the security scale: coding the councils' extremism otherwise, the
    calibration's objective refits the scale to keep their product, and fits as well as before."""
    from sim.scenario import load_scenario

    params = calibrated_params()
    refitter = Refitter(calibration_settings()[0], params, ["scale.security"], popsize=4, maxiter=5, seed=0)
    history = load_scenario("libya_2014_2019")
    coded = next(e for e in history.estimates if e.path == "factions.SHURA_COUNCILS.extremist")
    refit = refitter.refit(with_values(history, {coded.path: extremist}))
    product = coded.value * params["interest_scales"]["security"]
    assert extremist * refit["values"]["scale.security"] == pytest.approx(product, rel=0.05)
    assert refit["objective_before"] > 1.5 * refitter.objective(history, params)  # the coded value fitted
    assert refit["objective"] == pytest.approx(refitter.objective(history, params), abs=0.03)


@pytest.mark.parametrize("names", [["scale.nothing"], ["inertia", "inertia"], []])
def test_refit_names_must_be_distinct_free_parameters(calibrate, names):
    with pytest.raises(InputError, match=r"refit: .*distinct free parameters of the calibration, from \["):
        Refitter(calibrate, calibrated_params(), names, popsize=3, maxiter=3, seed=0)


def test_refit_budget_must_be_positive(calibrate):
    with pytest.raises(InputError, match="refit_maxiter: is 0; a positive integer"):
        Refitter(calibrate, calibrated_params(), ["inertia"], popsize=3, maxiter=0, seed=0)


@pytest.mark.slow
def test_the_robustness_command_refits_every_draw(tmp_path):
    out = tmp_path / "rob"
    common = [sys.executable, "-m", "sim.robustness", f"scenario={MINI}", "replicates=4", "final=2016-12",
              "rise_from=2016-06", "group_from=2016-05", "estimate_draws=3", "plots=false", *MINI_CHECKS, *ON_MINI]
    proc = subprocess.run([*common, "refit=[scale.security]", "refit_popsize=3", "refit_maxiter=2",
                           "refit_ends=true", "progress=false", f"hydra.run.dir={out}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "estimates:" not in proc.stderr and "leaving out events" not in proc.stderr  # progress=false
    ends = pd.read_csv(out / "estimate_ends.csv")
    assert len(ends) == 2 * 5 and (ends["refit objective"] <= ends["objective"] + 1e-12).all()
    assert ends["refit rise"].notna().all()
    draws = pd.read_csv(out / "estimate_draws.csv")
    assert len(draws) == 3
    assert (draws["refit objective"] <= draws["objective"] + 1e-12).all()
    assert draws["refit value: scale.security"].between(0.1, 8.0).all()
    report = json.loads((out / "robustness.json").read_text())["estimates"]["refit"]
    assert report["parameters"] == ["scale.security"] and report["maxiter"] == 2
    criteria = [c for c in draws.columns if c.startswith("refit holds: ")]
    assert len(criteria) == 5  # Italy's three, France's side, no rise without the material events
    assert draws["refit rise without the material events"].notna().all()
    for criterion in criteria:
        assert report["share_of_draws_meeting"][criterion.removeprefix("refit holds: ")] == pytest.approx(
            draws[criterion].mean())
    assert report["refit_objective"]["median"] == pytest.approx(draws["refit objective"].median())
    assert "refit:\n- scale.security" in (out / "config.yaml").read_text()  # the settings it ran with

    account = subprocess.run([sys.executable, "scripts/refit_account_study.py", str(out), "--replicates", "4",
                              "--left-out", "haven_taken", "--json", str(tmp_path / "account.json")],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert account.returncode == 0, account.stderr
    study = json.loads((tmp_path / "account.json").read_text())
    assert study["refit"] == ["scale.security"] and study["draws"] == 3
    # the study rebuilds each draw's scenario and refit parameters: the same rise as the command's
    rises = [row["rise"] for row in study["rows"]]
    assert rises == pytest.approx(draws["refit rise"].tolist(), abs=1e-5)
    for row in study["rows"]:
        assert sum(row["shares"].values()) == pytest.approx(1.0)

    ends_only = subprocess.run([*common, "estimate_draws=0", "refit=[scale.security]", "refit_popsize=3",
                                "refit_maxiter=1", "refit_ends=true", f"hydra.run.dir={tmp_path / 'ends'}"],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert ends_only.returncode == 0, ends_only.stderr
    only = json.loads((tmp_path / "ends" / "robustness.json").read_text())["estimates"]
    assert only["draws"] == 0 and only["refit"]["parameters"] == ["scale.security"]
    assert "refit objective" in pd.read_csv(tmp_path / "ends" / "estimate_ends.csv").columns

    both = subprocess.run([*common, "refit=[scale.security]", "posterior=calibrated",
                           f"hydra.run.dir={tmp_path / 'never'}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert both.returncode == 2 and "refit: refits the parameters the posterior's draws would vary" in both.stderr
    assert "Traceback" not in both.stderr and not (tmp_path / "never").exists()
    # the calibration's settings are checked against the scenario before any run: the historical
    # patterns do not fit the mini scenario's year
    mismatched = [c for c in common if c not in ON_MINI]
    patterns = subprocess.run([*mismatched, "refit=[scale.security]", f"hydra.run.dir={tmp_path / 'never'}"],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert patterns.returncode == 2, patterns.stderr
    assert "calibrate.patterns[0]: window 2017-01..2019-08 must lie within the scenario's period, 2016-01..2016-12" in patterns.stderr
    assert "Traceback" not in patterns.stderr and not (tmp_path / "never").exists()
    unknown = subprocess.run([*common, "refit=[scale.nothing]", f"hydra.run.dir={tmp_path / 'never'}"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert unknown.returncode == 2 and "refit: is ['scale.nothing']" in unknown.stderr, unknown.stderr
    assert not (tmp_path / "never").exists()


def test_the_robustness_figure_shows_the_refit_draws_beside_the_others():
    from sim.plotting import plot_ablations

    table = pd.DataFrame({"ablation": ["event", "group"], "name": ["taken", "territory"],
                          "group": ["territory", "territory"], "date": ["2017-07", "2016-01.."],
                          "delta_final": [-0.8, -0.9]})
    rng = np.random.default_rng(0)
    draws = pd.DataFrame({"final": rng.normal(0.1, 0.5, 64), "refit final": rng.normal(0.05, 0.1, 64),
                          "refit value: scale.security": rng.uniform(2, 6, 64)})
    figure = plot_ablations(table, "ITA", limit=0.4, baseline=0.13, month="2019-08", draws=draws)
    legend = [t.get_text() for t in figure.axes[2].get_legend().get_texts()]
    assert "with scale.security refit to the calibration's points on each draw" in legend
    assert "with the parameters as they are" in legend
    assert len(figure.axes[2].patches) > 30  # the filled bars and the refit's outline
    plain = plot_ablations(table, "ITA", limit=0.4, baseline=0.13, month="2019-08", draws=draws[["final"]])
    assert not any("refit" in t.get_text() for t in plain.axes[2].get_legend().get_texts())


def test_an_end_that_breaks_a_check_says_whether_the_refit_mends_it():
    from sim.robustness import estimates_summary

    check = "rise 2018-06..2019-08 >= 0.4"
    ends = pd.DataFrame({"estimate": ["x", "x"], "end": ["low", "high"], "value": [0.35, 0.9],
                         "final": [-0.68, 0.1], f"holds: {check}": [False, True],
                         "refit final": [0.1, 0.1], f"refit holds: {check}": [True, True]})
    draws = pd.DataFrame({"final": [0.1], f"holds: {check}": [True], "objective": [0.5],
                          "refit objective": [0.5], "refit final": [0.1], f"refit holds: {check}": [True]})
    report = estimates_summary(ends, draws, {"min_share": 0.9, "refit": ["scale.security"]})
    assert report["ends_breaking_a_check"] == [{"estimate": "x", "end": "low", "value": 0.35, "final": -0.68,
                                                "refit_final": 0.1, "refit_holds": True}]


def test_a_refit_under_a_calibration_with_priors_keeps_the_priors_of_what_it_refits():
    """`calibrate=security_prior` puts priors on the security scale and on three dynamics
    parameters; refitting the inertia and the security scale keeps the security scale's prior and
    holds the others' as constants of the whole objective."""
    from sim.scenario import load_scenario

    settings = calibration_settings(["calibrate=security_prior"])[0]
    refitter = Refitter(settings, calibrated_params(), ["inertia", "scale.security"], popsize=3, maxiter=2,
                        seed=0)
    assert refitter.settings["scale_prior_sd"] == {"security": settings["scale_prior_sd"]["security"]}
    assert refitter.settings["dynamics_priors"] == {}
    history = load_scenario("libya_2014_2019")
    refit = refitter.refit(history)
    assert refit["objective_before"] == pytest.approx(refitter.objective(history, calibrated_params()))
    assert refit["objective"] == pytest.approx(refitter.objective(history, refit["params"]))
    assert refit["objective"] <= refit["objective_before"]
