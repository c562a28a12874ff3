"""scripts/posterior_convergence.py (docs/calibration.md, "Parameter uncertainty"): well-mixed chains
pass R-hat and ESS, chains stuck apart fail them, and emcee's rule reads the chain's length in
autocorrelation times."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import load_script

pytest.importorskip("arviz")
pytest.importorskip("emcee")


@pytest.fixture(scope="module")
def study():
    return load_script("posterior_convergence")


def white_noise(seed: int, shift: float = 0.0, steps: int = 2000, walkers: int = 8) -> np.ndarray:
    return shift + np.random.default_rng(seed).standard_normal((steps, walkers, 2))


def test_independent_draws_pass_and_chains_stuck_apart_fail(study):
    mixed = study.diagnose([white_noise(0), white_noise(1)], ["a", "b"], burn_fraction=0.25, thin=1)
    assert mixed["worst"]["converged_by_rhat_and_ess"]
    assert mixed["worst"]["rhat_pooled"] < 1.01 and mixed["worst"]["median_gap_in_sd"] < 0.1
    assert mixed["worst"]["converged_by_emcee_rule"]  # white noise: tau ~ 1, 1,500 kept steps
    apart = study.diagnose([white_noise(0), white_noise(1, shift=1.0)], ["a", "b"], burn_fraction=0.25, thin=1)
    assert not apart["worst"]["converged_by_rhat_and_ess"]
    assert apart["worst"]["rhat_pooled"] > 1.05 and apart["worst"]["median_gap_in_sd"] > 0.8
    # each chain alone is fine: only chains started apart show it
    assert apart["worst"]["rhat_within"] < 1.01


def test_a_slowly_mixing_chain_falls_short_of_emcees_rule(study):
    rng = np.random.default_rng(2)
    walk = np.cumsum(rng.standard_normal((3000, 8, 1)), axis=0) * 0.05  # a random walk: tau grows with it
    out = study.diagnose([walk], ["a"], burn_fraction=0.25, thin=1)
    assert out["chains"][0]["length_in_tau"] < 50 and not out["worst"]["converged_by_emcee_rule"]
    assert out["worst"]["rhat_pooled"] > 1.01


def test_the_figure_draws_each_chains_history(study, tmp_path):
    chains = [{"tau_history": [[2500, 150, 170], [5000, 230, 280]], "log_prob_trace": [[2500, -20.0], [5000, -21.0]],
               "log_prob_best": -14.0}, {"tau_history": []}]
    study.tau_figure(chains, ["de", "stretch"], tmp_path / "tau.png", burn_fraction=0.25, dimensions=2)
    assert (tmp_path / "tau.png").stat().st_size > 10_000


def test_the_log_posterior_trace_averages_each_stretch(study):
    log_prob = np.repeat(np.arange(10.0)[:, None], 4, axis=1)  # (steps, walkers)
    assert study.log_posterior_trace(log_prob, pieces=5) == [(2, 0.5), (4, 2.5), (6, 4.5), (8, 6.5), (10, 8.5)]


def test_squared_jumps_reach_one_for_independent_draws_and_grow_with_the_lag_of_a_walk(study):
    noise = white_noise(3, steps=3000)
    jumps = study.squared_jumps(noise, (1, 50), noise.reshape(-1, 2).var(axis=0))
    assert jumps["1"]["median"] == pytest.approx(1.0, abs=0.05) and jumps["50"]["min"] == pytest.approx(1.0, abs=0.05)
    rng = np.random.default_rng(4)
    walk = np.cumsum(rng.standard_normal((3000, 8, 2)), axis=0)
    out = study.squared_jumps(walk, (1, 10, 100, 5000), walk.reshape(-1, 2).var(axis=0))
    assert "5000" not in out  # longer than the chain
    assert out["1"]["median"] < out["10"]["median"] < out["100"]["median"] < 1.0
    # a random walk's squared jump grows in proportion to the lag
    assert out["100"]["median"] / out["10"]["median"] == pytest.approx(10, rel=0.3)
    diagnosed = study.diagnose([noise], ["a", "b"], burn_fraction=0.25, thin=1, lags=(5,))
    assert diagnosed["chains"][0]["squared_jump"]["5"]["median"] == pytest.approx(1.0, abs=0.05)


def test_the_figure_names_the_posterior_it_was_given(study, tmp_path, monkeypatch):
    import matplotlib.figure

    titles = []
    original = matplotlib.figure.Figure.suptitle
    monkeypatch.setattr(matplotlib.figure.Figure, "suptitle",
                        lambda fig, label, *a, **k: titles.append(label) or original(fig, label, *a, **k))
    chains = [{"tau_history": [[2500, 150, 170]], "log_prob_trace": [[2500, -20.0]], "log_prob_best": -14.0}]
    study.tau_figure(chains, ["a"], tmp_path / "default.png", burn_fraction=0.25, dimensions=2)
    study.tau_figure(chains, ["a"], tmp_path / "origin.png", burn_fraction=0.25, dimensions=2,
                     title="Posterior on the points to 2018-12")
    assert titles == ["Posterior on every coded point", "Posterior on the points to 2018-12"]
