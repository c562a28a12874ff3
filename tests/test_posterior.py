"""Posterior draws, one per replicate (`sim.posterior`, ``python -m sim.run posterior=NAME``)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sim.calibrate import calibration_settings
from sim.errors import InputError
from sim.params import calibrated_params
from sim.posterior import POSTERIOR_DIR, load_posterior
from sim.scenario import load_scenario
from sim.simulate import execute
from tests.conftest import HELD_OVERRIDES, MINI, load_script

HEADER = "scale.security,inertia,record_half_life"
DRAWS = ["1.5,0.6,12.0", "4.0,0.95,40.0", "0.5,0.3,6.0"]


def write_table(path, lines):
    path.write_text("# a test table\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return load_posterior(write_table(tmp_path_factory.mktemp("draws") / "draws.csv", [HEADER, *DRAWS]))


def tilt_of(scenario, params, replicates, first_replicate=0, posterior=None):
    result = execute(scenario, params=params, replicates=replicates, seed=3,
                     first_replicate=first_replicate, record="tilt", posterior=posterior)
    return result.tilt_array  # (T, R, S)


def test_each_replicate_runs_with_draw_k_mod_n(table):
    scenario = load_scenario(str(MINI))
    base = calibrated_params()
    pooled = tilt_of(scenario, base, 6, posterior=table)
    assert list(table.draw_of(6)) == [0, 1, 2, 0, 1, 2]
    for draw in range(3):
        row = table.table.iloc[draw]
        alone = tilt_of(scenario, {**base, "inertia": row["inertia"], "record_half_life": row["record_half_life"],
                                   "interest_scales": {**base["interest_scales"],
                                                       "security": row["scale.security"]}}, 6)
        for replicate in (draw, draw + 3):  # the same replicate streams, this draw's parameters
            np.testing.assert_allclose(pooled[:, replicate], alone[:, replicate], atol=1e-6)
    # the draws differ enough for the test to tell them apart
    assert np.abs(pooled[:, 0] - pooled[:, 1]).max() > 0.05


def test_a_batch_runs_its_replicates_with_the_same_draws_as_the_whole(table):
    scenario = load_scenario(str(MINI))
    whole = tilt_of(scenario, calibrated_params(), 5, posterior=table)
    batch = tilt_of(scenario, calibrated_params(), 3, first_replicate=2, posterior=table)
    np.testing.assert_array_equal(batch, whole[:, 2:])
    assert list(table.draw_of(3, first_replicate=2)) == [2, 0, 1]
    assert table.draws_used(2) == 2 and table.draws_used(5) == 3


def test_the_same_config_and_seed_give_the_same_bytes(table):
    scenario = load_scenario(str(MINI))
    first, second = (tilt_of(scenario, calibrated_params(), 4, posterior=table) for _ in range(2))
    assert first.tobytes() == second.tobytes()


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        ([HEADER.replace("inertia", "inertial"), *DRAWS], "column 'inertial': is not a fitted parameter; "
                                                          "allowed: ['inertia', "),
        (["scale.courage,inertia", "1,0.5"], "column 'scale.courage': is not a fitted parameter"),
        (["inertia,inertia", "0.5,0.5"], "column 'inertia': appears twice"),
        ([HEADER, DRAWS[0], "1.0,nan,12"], "row 2 (draw 1), column 'inertia': is 'nan'; a finite number in "
                                           "[0.01, 1]"),
        ([HEADER, DRAWS[0], "1.0,0.5,twelve"], "column 'record_half_life': is 'twelve'; a finite number"),
        ([HEADER, "99,0.5,12"], "row 1 (draw 0), column 'scale.security': is '99'; a finite number in "
                                "[0.05, 20]"),
        ([HEADER, "1.0,0.5"], "row 1 (draw 0): has 2 values for 3 columns"),
        ([HEADER], "has no draws"),
    ],
)
def test_a_bad_table_gets_one_clear_error_naming_file_and_entry(tmp_path, lines, words):
    path = write_table(tmp_path / "bad.csv", lines)
    with pytest.raises(InputError) as error:
        load_posterior(path)
    assert str(error.value).startswith(f"{path}: ")
    assert words in str(error.value)


def test_an_unknown_table_lists_the_projects_tables():
    with pytest.raises(InputError, match=r"config: posterior: no draws table 'nowhere'.*\['calibrated', 'calibrated_carried', 'calibrated_held', 'calibrated_k0'\]"):
        load_posterior("nowhere")


def test_the_committed_table_draws_the_calibrations_free_parameters():
    committed, held, carried, before = (load_posterior(n) for n in (
        "calibrated", "calibrated_held", "calibrated_carried", "calibrated_k0"))
    settings, _ = calibration_settings()
    held_settings, _ = calibration_settings(HELD_OVERRIDES)  # the records fitted the capital's weight too
    for table, free in ((committed, settings["free"]), (held, held_settings["free"]),
                        (carried, held_settings["free"]), (before, held_settings["free"])):
        assert list(table.table.columns) == [f["name"] for f in free]
        assert table.size >= 200  # the default run's replicates each get their own draw
        for f in free:  # within the calibration's search ranges, where its prior is
            assert table.table[f["name"]].between(f["low"], f["high"]).all(), f["name"]
        assert table.path.parent == POSTERIOR_DIR
    assert "capital_weight" not in committed.table.columns
    # sampled by chains: a rejected proposal leaves a walker in place, so a position may be drawn
    # twice, rarely; each header names its chains and their autocorrelation times
    for sampled in (committed, held, before):
        assert any("autocorrelation time" in line for line in sampled.header())
        assert (~sampled.table.duplicated()).sum() >= 0.95 * sampled.size
    # the committed draws, and the held calibration's, come from chains of their own, converged by
    # R-hat (1.01 asked)
    for sampled in (committed, held):
        [rhat] = [line.split("R-hat ")[1].split(" ")[0] for line in sampled.header() if "R-hat " in line]
        assert float(rhat) <= 1.01
    assert not {tuple(r) for r in held.table.to_numpy()} & {tuple(r) for r in before.table.to_numpy()}
    # the draws committed before the held ones (a study record) were the k 0 draws resampled by
    # importance weights: every row one of them, and the weights (PSIS k-hat under 0.7) spread over many
    rows = {tuple(r) for r in before.table.to_numpy()}
    assert all(tuple(r) in rows for r in carried.table.to_numpy())
    assert (~carried.table.duplicated()).sum() >= 0.4 * carried.size
    [k_hat] = [line.split("PSIS k-hat ")[1].split(",")[0] for line in carried.header() if "PSIS k-hat " in line]
    assert float(k_hat) < 0.7


@pytest.mark.parametrize(("draws", "prefix"), [("calibrated_held", "forecast"), ("calibrated", "ck_forecast")])
def test_the_forecast_chains_start_from_the_posterior_draws(draws, prefix):
    """docs/calibration_studies.md's posterior forecasts start their walkers from rows 0-79 and
    80-159 of the posterior's draws: the held calibration's (`forecast_*`) and the committed one's
    (`ck_forecast_*`)."""
    posterior = load_posterior(draws)
    for tag, rows in (("a", slice(0, 80)), ("b", slice(80, 160))):
        with np.load(POSTERIOR_DIR / "starts" / f"{prefix}_{tag}.npz") as start:
            assert list(start["names"]) == list(posterior.table.columns)
            np.testing.assert_array_equal(start["chain"][-1], posterior.table.to_numpy()[rows])

def test_draws_script_keeps_only_kept_steps_and_round_trips_exactly(tmp_path):
    script = load_script("posterior_draws")
    steps, walkers = 10, 4
    # each position holds its own step number, so the draws show where they came from
    chain = np.broadcast_to(np.arange(steps, dtype=float)[:, None, None] / 10 + 0.05,
                            (steps, walkers, 2)).copy()
    other = chain.copy()
    chain[..., 1], other[..., 1] = 0.3 + np.random.default_rng(0).random((2, steps, walkers)) / 2
    rows = script.pooled_draws([chain, other], [6, 8], draws=20, seed=1)
    assert rows.shape == (20, 2)
    assert (rows[:, 0] >= 0.6).all()  # nothing from the burn-in
    assert not np.isnan(rows).any() and len(np.unique(rows[:, 1])) == 20  # no position twice
    with pytest.raises(ValueError, match="24 positions"):
        script.pooled_draws([chain, other], [6, 8], draws=25, seed=1)
    text = script.table_text(["inertia", "scale.oil"], rows, ["made by a test", ""])
    path = tmp_path / "draws.csv"
    path.write_text(text, encoding="utf-8")
    loaded = load_posterior(str(path))
    np.testing.assert_array_equal(loaded.table.to_numpy(), rows)  # full precision
    assert loaded.header() == ["made by a test", ""]


def test_draws_command_writes_a_table_from_saved_chains_and_never_overwrites(tmp_path, monkeypatch):
    script = load_script("posterior_draws")
    names = np.array(["inertia", "scale.oil"])
    for tag, seed in (("a", 0), ("b", 1)):
        chain = np.random.default_rng(seed).uniform(0.1, 0.9, size=(12, 4, 2))
        np.savez(tmp_path / f"{tag}.npz", chain=chain, acceptance=np.float64(0.3),
                 tau_history=np.array([[12, 2.0, 3.0]]), names=names)
    out = tmp_path / "draws.csv"
    argv = ["posterior_draws.py", f"{tmp_path / 'a.npz'}:4", f"{tmp_path / 'b.npz'}:6", "--draws", "30",
            "--out", str(out), "--note", "sampled by a test"]
    monkeypatch.setattr(sys, "argv", argv)
    script.main()
    loaded = load_posterior(str(out))
    assert list(loaded.table.columns) == list(names) and loaded.size == 30
    header = loaded.header()
    assert "burn-in 4" in header[1] and "a.npz" in header[1] and "burn-in 6" in header[2]
    assert header[-1] == "sampled by a test"
    before = out.read_bytes()
    with pytest.raises(SystemExit):
        script.main()
    assert out.read_bytes() == before


def test_robustness_runs_every_course_over_the_same_draws(table):
    from sim.robustness import course

    scenario = load_scenario(str(MINI))
    settings = {"params": calibrated_params(), "replicates": 6, "seed": 3, "focus_state": "ITA",
                "final": "2016-12", "rise_from": "2016-06",
                "checks": {"low_from": "2016-02", "low_to": "2016-05", "low_at_most": 0.0,
                           "rise_from": "2016-06", "rise_to": "2016-12", "rise_at_least": -1.0,
                           "final_at_most": 1.0}}
    over_draws = course(scenario, settings, table)
    expected = tilt_of(scenario, settings["params"], 6, posterior=table)[-1, :, 0].mean()
    assert over_draws["final"] == pytest.approx(float(expected), abs=1e-6)
    assert abs(over_draws["final"] - course(scenario, settings)["final"]) > 1e-3
