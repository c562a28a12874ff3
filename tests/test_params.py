"""Parameters out of bounds, NaN, unknown or mis-shaped stop with a clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.errors import ParameterError
from sim.params import ModelParams, describe_params, resolve_params
from tests.conftest import MINI


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"inertia": 1.5}, ["params: inertia", "1.5", "allowed range [0.01, 1.0]"]),
        ({"noise": float("nan")}, ["params: noise", "not a finite number"]),
        ({"rationality": "high"}, ["params: rationality", "'high'"]),
        ({"inertial": 0.2}, ["params: inertial", "unknown parameter", "inertia"]),
        ({"inertia": [0.1, 0.2]}, ["params: inertia", "2 values for 3 replicates"]),
        ({"state_weights": {"XXX": {"oil": 1}}}, ["state_weights.XXX", "unknown state", "ITA"]),
        ({"state_weights": {"ITA": {"greed": 1}}}, ["state_weights.ITA.greed", "unknown interest"]),
        ({"state_weights": {"ITA": {"oil": 31}}}, ["state_weights.ITA.oil", "[-30.0, 30.0]"]),
        ({"interest_scales": {"greed": 2}}, ["interest_scales.greed", "unknown interest"]),
        ({"interest_scales": {"oil": 0}}, ["interest_scales.oil", "[0.05, 20.0]"]),
        ({"interest_scales": {"oil": float("nan")}}, ["interest_scales.oil", "not a finite number"]),
        ({"interest_scales": [1, 2]}, ["interest_scales", "must map interest -> scale"]),
        ({"trend_weight": -0.1}, ["params: trend_weight", "allowed range [0.0, 20.0]"]),
        ({"trend_weight": 25.0}, ["params: trend_weight", "allowed range [0.0, 20.0]"]),
        ({"trend_half_life": 1.0}, ["params: trend_half_life", "allowed range [2.0, 120.0]"]),
        ({"trend_half_life": 200.0}, ["params: trend_half_life", "allowed range [2.0, 120.0]"]),
        ({"trend_weight": [1.0, 2.0]}, ["params: trend_weight", "2 values for 3 replicates"]),
    ],
)
def test_bad_parameters(mini_scenario, params, words):
    with pytest.raises(ParameterError) as caught:
        resolve_params(params, mini_scenario, replicates=3)
    for word in words:
        assert word in str(caught.value)


def test_interest_scales_multiply_every_states_prior_then_overrides_replace(mini_scenario):
    plain = resolve_params({}, mini_scenario, replicates=3).weights
    scaled = resolve_params({"interest_scales": {"oil": 2.0}}, mini_scenario, replicates=3).weights
    np.testing.assert_allclose(scaled[:, 0], 2.0 * plain[:, 0])
    np.testing.assert_allclose(scaled[:, 1:], plain[:, 1:])
    per_replicate = resolve_params({"interest_scales": {"oil": [1.0, 2.0, 3.0]},
                                    "state_weights": {"ITA": {"oil": 5.0}}}, mini_scenario,
                                   replicates=3).weights
    assert per_replicate.shape == (*plain.shape, 3)
    ita = mini_scenario.state_ids.index("ITA")
    np.testing.assert_allclose(per_replicate[ita, 0], 5.0)  # the override replaces the scaled prior
    other = 1 - ita
    np.testing.assert_allclose(per_replicate[other, 0], plain[other, 0] * np.array([1.0, 2.0, 3.0]))


def test_per_replicate_values_broadcast_over_factions(mini_scenario):
    p = resolve_params({"inertia": [0.1, 0.2, 0.3], "state_weights": {"ITA": {"oil": [1, 2, 3]}}},
                       mini_scenario, replicates=3)
    assert p.inertia.shape == (3,)
    assert p.weights.shape == (3, 7, 3)
    np.testing.assert_array_equal(p.weights[0, 0, :], [1, 2, 3])
    assert p.replicate(1).inertia.shape == (1,)
    assert p.replicate(1).weights.shape == (3, 7, 1)


def test_defaults_are_within_their_bounds(mini_scenario):
    resolve_params(ModelParams(), mini_scenario, replicates=1)
    for row in describe_params():
        lo, hi = row["bounds"]
        assert lo <= row["default"] <= hi, row["name"]


def test_every_weight_of_every_state_is_overridden_without_a_plus():
    """The parameter sets list each state's interests (null: the scenario's own weight), so a
    plain override reaches any of them."""
    from sim.config import compose_config, plain
    from sim.interests import interest_names
    from sim.scenario import load_scenario

    history = load_scenario("libya_2014_2019")
    for params in ("calibrated", "default"):
        cfg = plain(compose_config([f"params={params}", "params.state_weights.FRA.oil=3.5",
                                    "params.state_weights.USA.rivalry=-2"]))
        weights = cfg["params"]["state_weights"]
        assert set(weights) == set(history.state_ids)
        assert all(set(w) == set(interest_names()) for w in weights.values())
        resolved = resolve_params(cfg["params"], history, 1)
        names = interest_names()
        fra, usa = history.state_ids.index("FRA"), history.state_ids.index("USA")
        assert resolved.weights[fra, names.index("oil")] == pytest.approx(3.5)
        assert resolved.weights[usa, names.index("rivalry")] == pytest.approx(-2.0)


def test_a_null_weight_is_the_scenario_s_own():
    from sim.config import compose_config, plain
    from sim.scenario import load_scenario

    history = load_scenario("libya_2014_2019")
    listed = plain(compose_config([]))["params"]
    unlisted = {**listed, "state_weights": {}}
    a, b = resolve_params(listed, history, 1), resolve_params(unlisted, history, 1)
    np.testing.assert_array_equal(a.weights, b.weights)
    # the states the template lists but a scenario lacks are no error when left null
    mini = load_scenario(MINI)
    resolve_params(listed, mini, 1)
    with pytest.raises(ParameterError, match="unknown state"):
        resolve_params({**listed, "state_weights": {"QAT": {"oil": 1.0}}}, mini, 1)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- inertia\n- 0.5\n", "{}\n"])
def test_a_parameter_set_that_sets_nothing_is_refused_by_name(tmp_path, text):
    """An empty (or non-mapping) file in configs/params/ is a mistake, not the defaults: reading it
    raises one error naming the file and what a parameter set holds."""
    from sim.params import read_parameter_set

    (tmp_path / "default.yaml").write_text("inertia: 0.5\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=r"broken\.yaml: params: the file sets nothing.*defaults"):
        read_parameter_set("broken", tmp_path)
    assert read_parameter_set("default", tmp_path)["inertia"] == 0.5


def run_with_set_on_search_path(tmp_path: Path, app: str, name: str, text: str,
                                *overrides: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Run ``python -m APP params=NAME`` with the set NAME (its YAML ``text``) in a folder added by
    ``hydra.searchpath``; return the process and the run folder it was given."""
    (tmp_path / "extra" / "params").mkdir(parents=True)
    (tmp_path / "extra" / "params" / f"{name}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", app, f"params={name}", *overrides,
                           f"hydra.searchpath=[file://{tmp_path / 'extra'}]", f"hydra.run.dir={out}"],
                          capture_output=True, text=True, timeout=120)
    return proc, out


@pytest.mark.parametrize("app", ["sim.run", "sim.robustness", "sim.attribute", "sim.sweep", "sim.calibrate"])
def test_every_app_refuses_a_params_option_that_sets_nothing(tmp_path, app):
    """Hydra would compose an empty file over the typed schema and run the defaults without a word:
    each app refuses it with one line naming the file, exit 2 and no results folder, wherever on
    the search path the file lies."""
    proc, out = run_with_set_on_search_path(tmp_path, app, "empty_set", "# nothing set\n")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "empty_set.yaml: params: the file sets nothing" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_params_option_from_the_search_path_that_sets_values_runs(tmp_path):
    """The check reads the option's own file: a set on another search-path folder that sets values
    (over configs/params/default.yaml) runs, and its values reach the resolved config."""
    proc, out = run_with_set_on_search_path(tmp_path, "sim.run", "my_set",
                                            "defaults:\n  - default\n  - _self_\ninertia: 0.37\n",
                                            f"scenario={MINI}", "replicates=2", "plots=false")
    assert proc.returncode == 0, proc.stderr[-2000:]
    resolved = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    assert resolved["params"]["inertia"] == 0.37
