"""scripts/posterior_forecast.py (docs/calibration_studies.md, "What the points before mid-2018 can tell"):
its target is the calibration's objective read as a posterior, and its sampler stays inside the
search ranges and gives the same draws for the same seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from sim.calibrate import build_calibrator, origin_mask, set_values
from tests.conftest import ROOT, header_objective, load_script

pytest.importorskip("emcee")


@pytest.fixture(scope="module")
def study():
    return load_script("posterior_forecast")


@pytest.fixture(scope="module")
def target(study, previous_settings):
    settings, base = previous_settings
    cal = build_calibrator(settings, base)
    _, cutoff = origin_mask(cal, "2018-06")
    return study.LogPosterior(cal, cutoff), settings


def test_the_log_posterior_is_minus_half_the_points_times_the_objective(target):
    log_posterior, _ = target
    cal = log_posterior.cal
    x = set_values(cal, "calibrated_g100")
    assert log_posterior.points == 37  # Italy's 10 and the other states' 27 points up to 2018-06
    expected = -0.5 * 37 * cal.losses(x[:, None], log_posterior.until)[0]
    outside = x.copy()
    outside[0] = log_posterior.high[0] * 2
    np.testing.assert_allclose(log_posterior(np.vstack([x, outside])), [expected, -np.inf])


def test_the_sampler_stays_in_range_and_repeats_itself(study, target):
    log_posterior, settings = target
    x = set_values(log_posterior.cal, "calibrated_g100")
    runs = [study.sample(log_posterior, x, walkers=40, steps=4, seed=3, progress=False) for _ in range(2)]
    chain = runs[0].get_chain(flat=True)
    assert np.all((chain >= log_posterior.low) & (chain <= log_posterior.high))
    np.testing.assert_array_equal(chain, runs[1].get_chain(flat=True))
    out = study.summarise(log_posterior.cal, "2018-06", runs[0].get_chain(), 0.5, burn=2, draws=20,
                          replicates=4, seed=0, checks=settings["checks"], log_prob=runs[0].get_log_prob())
    assert [row["date"] for row in out["forecast"]][-1] == "2019-08"
    assert all(row["q05"] <= row["mean"] <= row["q95"] for row in out["forecast"])
    assert out["persistence_rmse"] == pytest.approx(0.564, abs=1e-3)
    first, second = out["share_of_draws_meeting_rise_by_half"]
    assert first is not None and second is not None  # draws from both halves of the kept steps
    assert min(first, second) <= out["share_of_draws_meeting_rise"] <= max(first, second)
    apart = out["rising_draws"]
    assert apart["draws_rising"] == round(out["share_of_draws_meeting_rise"] * out["draws"])
    assert set(apart["parameters"]) == {p.name for p in log_posterior.cal.free}
    kept_log_prob = runs[0].get_log_prob()[2:]
    for group in ("median_rising", "median_others"):  # the picked draws' own log posterior
        value = apart["log_posterior"][group]
        assert value is None or kept_log_prob.min() <= value <= kept_log_prob.max()


def test_the_differential_evolution_moves_stay_in_range_and_repeat_themselves(study, target):
    log_posterior, _ = target
    x = set_values(log_posterior.cal, "calibrated_g100")
    runs = [study.sample(log_posterior, x, walkers=40, steps=3, seed=5, moves="de", progress=False)
            for _ in range(2)]
    chain = runs[0].get_chain(flat=True)
    assert np.all((chain >= log_posterior.low) & (chain <= log_posterior.high))
    np.testing.assert_array_equal(chain, runs[1].get_chain(flat=True))
    with pytest.raises(ValueError, match=r"moves: is 'gibbs'; one of \['de', 'stretch'\]"):
        study.sample(log_posterior, x, walkers=40, steps=1, seed=5, moves="gibbs", progress=False)


def test_the_posterior_on_every_point_forecasts_nothing_and_scores_the_fit(study, previous_settings):
    settings, base = previous_settings
    cal = build_calibrator(settings, base)
    mask, cutoff = study.fitted_points(cal, study.EVERY_POINT)
    assert mask.all() and cutoff is None
    log_posterior = study.LogPosterior(cal, cutoff)
    assert log_posterior.points == 18 + 41  # Italy's points and the other states'
    x = set_values(cal, "calibrated_g100")
    run = study.sample(log_posterior, x, walkers=40, steps=3, seed=1, progress=False)
    out = study.summarise(cal, study.EVERY_POINT, run.get_chain(), None, burn=1, draws=12, replicates=4,
                          seed=0, checks=settings["checks"])
    assert out["forecast"] == [] and "rmse_of_mean" not in out
    assert out["in_sample"]["points"] == 18
    assert 0 < out["in_sample"]["rmse_of_mean"] < 0.5
    assert len(out["monthly"]["dates"]) == len(out["monthly"]["mean"]) == 68  # 2014-01 to 2019-08
    monthly = {k: np.array(v) for k, v in out["monthly"].items() if k != "dates"}
    assert np.all(monthly["pooled_q05"] <= monthly["q05"] + 1e-9)  # the replicates widen the band
    assert np.all(monthly["pooled_q95"] >= monthly["q95"] - 1e-9)
    assert np.all(monthly["sd_within_draws"] > 0)
    assert 0 <= out["in_sample"]["share_of_points_in_pooled_band"] <= 1
    assert out["in_sample"]["share_of_points_in_pooled_band"] >= out["in_sample"]["share_of_points_in_band"]


def test_the_pooled_band_holds_both_uncertainties(study):
    rng = np.random.default_rng(0)
    months, draws, replicates = 3, 200, 50
    draw_means = rng.normal(0.0, 0.3, size=(1, draws, 1))  # parameter spread 0.3
    runs = draw_means + rng.normal(0.0, 0.1, size=(months, draws, replicates))  # stochastic 0.1
    low, median, high = study.pooled_band(runs)
    between, within = study.spread_parts(runs)
    np.testing.assert_allclose(between, 0.3, rtol=0.15)
    np.testing.assert_allclose(within, 0.1, rtol=0.05)
    means_low, means_high = np.quantile(runs.mean(axis=2), [0.05, 0.95], axis=1)
    assert np.all(low < means_low) and np.all(high > means_high)  # wider than parameters alone
    np.testing.assert_allclose(high - low, 2 * 1.645 * np.hypot(0.3, 0.1), rtol=0.15)
    assert np.all((low < median) & (median < high))


def test_the_rising_draws_are_told_apart_by_the_parameter_that_makes_them_rise(study):
    rng = np.random.default_rng(1)
    draws = 400
    security, noise = rng.uniform(1, 8, draws), rng.uniform(0, 1, draws)
    rise = 0.15 * security - 0.3 + rng.normal(0, 0.05, draws)
    meets = rise >= 0.4
    log_prob = np.where(meets, -14.0, -12.0) + rng.normal(0, 0.1, draws)
    apart = study.rising_draws_apart(np.vstack([security, noise]), rise, meets, ["security", "noise"],
                                     log_prob)
    assert apart["draws_rising"] == meets.sum() > 0
    by_security, by_noise = apart["parameters"]["security"], apart["parameters"]["noise"]
    assert by_security["rank_correlation_with_rise"] > 0.95
    assert abs(by_noise["rank_correlation_with_rise"]) < 0.15
    assert by_security["median_rising"] == pytest.approx(np.median(security[meets]))
    assert by_security["median_others"] == pytest.approx(np.median(security[~meets]))
    assert apart["log_posterior"]["median_rising"] == pytest.approx(-14.0, abs=0.1)
    assert apart["log_posterior"]["median_others"] == pytest.approx(-12.0, abs=0.1)
    none_rising = study.rising_draws_apart(np.vstack([security, noise]), rise, np.zeros(draws, bool),
                                           ["security", "noise"])
    assert none_rising["draws_rising"] == 0 and "log_posterior" not in none_rising
    assert none_rising["parameters"]["security"]["median_rising"] is None


def test_a_checkpointed_chain_is_the_same_chain_and_is_saved_as_it_grows(study, target, tmp_path):
    log_posterior, _ = target
    x = set_values(log_posterior.cal, "calibrated_g100")
    plain = study.sample(log_posterior, x, walkers=40, steps=6, seed=2, progress=False)
    saved_lengths = []
    checkpoint = study.Checkpoint(tmp_path / "chain.npz", [p.name for p in log_posterior.cal.free])

    def record(sampler):
        checkpoint(sampler)
        saved_lengths.append(len(np.load(tmp_path / "chain.npz")["chain"]))

    checkpointed = study.sample(log_posterior, x, walkers=40, steps=6, seed=2, progress=False,
                                every=2, on_checkpoint=record)
    np.testing.assert_array_equal(plain.get_chain(), checkpointed.get_chain())
    assert saved_lengths == [2, 4, 6]
    saved = np.load(tmp_path / "chain.npz")
    np.testing.assert_array_equal(saved["chain"], plain.get_chain())
    assert saved["tau_history"].shape[1] == 3 and str(saved["names"][0]) == log_posterior.cal.free[0].name
    assert not list(tmp_path.glob("*.partial.npz"))


def test_a_resumed_chain_starts_where_the_saved_one_stopped_and_keeps_its_steps(study, target, tmp_path):
    log_posterior, _ = target
    x = set_values(log_posterior.cal, "calibrated_g100")
    names = [p.name for p in log_posterior.cal.free]
    first = study.sample(log_posterior, x, walkers=40, steps=3, seed=2, progress=False)
    study.SavedChain.of(first).save(tmp_path / "chain.npz", names)
    before = study.SavedChain.load(tmp_path / "chain.npz")
    np.testing.assert_array_equal(before.chain, first.get_chain())
    more = study.sample(log_posterior, x, walkers=40, steps=2, seed=7, progress=False,
                        initial=before.chain[-1])
    whole = study.SavedChain.of(more, before)
    assert whole.chain.shape[0] == 5 and whole.log_prob.shape == (5, 40)
    np.testing.assert_array_equal(whole.chain[:3], first.get_chain())
    # each walker's first new position is its last saved one or a move away from it
    np.testing.assert_array_equal(more.get_chain()[-1], whole.chain[-1])
    expected = (before.acceptance * 3 + np.mean(more.acceptance_fraction) * 2) / 5
    assert whole.acceptance == pytest.approx(expected)


class _Uniform:
    """A flat posterior on [1, 100] in each of two parameters (a stand-in for `LogPosterior`)."""

    low, high = np.array([1.0, 0.0]), np.array([100.0, 1.0])

    def __call__(self, x):
        x = np.atleast_2d(x)
        inside = np.all((x >= self.low) & (x <= self.high), axis=1)
        return np.where(inside, 0.0, -np.inf)


def test_walkers_moving_in_log_draw_the_same_posterior(study):
    target = _Uniform()
    space = study.SampledSpace.wide_ranges_in_log(target)
    assert space.logged.tolist() == [True, False]  # [0, 1] is not positive
    x = np.array([[2.0, 0.3], [50.0, 0.9]])
    np.testing.assert_allclose(space.to_parameters(space.from_parameters(x)), x)
    np.testing.assert_allclose(space(space.from_parameters(x)), np.log([2.0, 50.0]))  # the Jacobian
    sampler = study.sample(target, np.array([10.0, 0.5]), walkers=32, steps=3000, seed=4, progress=False,
                           space=space, initial=np.column_stack([np.linspace(2, 90, 32), np.linspace(0.1, 0.9, 32)[::-1] ** 2]))
    whole = study.SavedChain.of(sampler, None, space)
    kept = whole.chain[500:, :, 0].ravel()
    assert kept.min() >= 1.0 and kept.max() <= 100.0
    # uniform on [1, 100]: mean 50.5; without the Jacobian the walkers would draw log x uniform (mean 21.5)
    assert kept.mean() == pytest.approx(50.5, abs=4.0)
    np.testing.assert_array_equal(whole.log_prob, 0.0)  # the parameters' log posterior, not the space's


def test_a_chain_in_log_is_saved_in_the_parameters_with_their_log_posterior(study, target):
    log_posterior, _ = target
    x = set_values(log_posterior.cal, "calibrated_g100")
    space = study.SampledSpace.wide_ranges_in_log(log_posterior)
    names = [p.name for p in log_posterior.cal.free]
    assert {names[j] for j in np.flatnonzero(space.logged)} >= {"scale.security", "rationality",
                                                                 "record_half_life"}
    assert "camp_cohesion" not in {names[j] for j in np.flatnonzero(space.logged)}  # its range starts at 0
    run = study.sample(log_posterior, x, walkers=40, steps=2, seed=3, moves="de", gamma_scale=0.5,
                       progress=False, space=space)
    whole = study.SavedChain.of(run, None, space)
    last = whole.chain[-1]
    assert np.all((last >= log_posterior.low) & (last <= log_posterior.high))
    np.testing.assert_allclose(whole.log_prob[-1], log_posterior(last), rtol=1e-9)
    with pytest.raises(ValueError, match="gamma_scale"):
        study.sample(log_posterior, x, walkers=40, steps=1, seed=3, moves="de", gamma_scale=0.0,
                     progress=False)


def test_the_posterior_of_other_settings_is_sampled_around_the_set_they_made(tmp_path):
    """``--settings`` and ``--mode-set``: the posterior on every point of another calibration (the
    one with commitments held for good, docs/calibration_held.md) has that calibration's kept fit
    as its mode, and its chain moves the 18 parameters that calibration fits, the capital's weight
    among them; the committed calibration's chain moves 17, without it."""
    runs = {"held": (["--settings", "calibrate=with_capital", "params.commitment=10", "--mode-set",
                      "calibrated_held"], "calibrated_held", 18),
            "committed": ([], "calibrated", 17)}
    for label, (extra, mode_set, fitted) in runs.items():
        out, chain = tmp_path / f"{label}.json", tmp_path / f"{label}.npz"
        subprocess.run([sys.executable, str(ROOT / "scripts" / "posterior_forecast.py"), "--until", "all",
                        "--walkers", "40", "--steps", "2", "--burn", "0", "--draws", "4", "--replicates", "2",
                        *extra, "--json", str(out), "--chain", str(chain)],
                       check=True, cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert json.loads(out.read_text())["mode"]["objective"] == pytest.approx(
            header_objective(mode_set), abs=1e-4), label
        saved = np.load(chain)
        assert saved["chain"].shape[1:] == (40, fitted)
        assert ("capital_weight" in list(saved["names"])) == (fitted == 18)
