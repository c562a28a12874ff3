"""Shapley attribution over groups of inputs: the coalitions batch, the values, the app."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.ablation import without_group
from sim.attribute import ATTRIBUTION_GROUPS, attribute_command
from sim.attribution import attribute_state
from sim.coalitions import coalition_inputs, run_coalitions
from sim.config import compose_config
from sim.dates import parse_month
from sim.model import AlignmentModel
from sim.rows import RowInputs
from sim.scenario import Scenario, load_scenario
from sim.shapley import members, shapley_values
from tests.conftest import MINI, ROOT

GROUPS = ATTRIBUTION_GROUPS


@cache
def scenario(name: str) -> Scenario:
    return load_scenario(name)


def window(start: str, end: str) -> tuple[int, int]:
    return parse_month(start), parse_month(end)


# ---------------------------------------------------------------------------- Shapley values


def test_shapley_values_of_a_known_game():
    # v(S) = 1 if both players are in S (a pure interaction): each gets a half
    assert shapley_values(np.array([0.0, 0.0, 0.0, 1.0]), 2).tolist() == [0.5, 0.5]
    # additive game: each player gets its own effect, whatever the others
    effects = np.array([0.3, -0.2, 0.05])
    v = members(3) @ effects
    np.testing.assert_allclose(shapley_values(v, 3), effects, atol=1e-15)
    with pytest.raises(ValueError, match="8 coalitions"):
        shapley_values(np.zeros(4), 3)


# ---------------------------------------------------------------------------- the batch


#: (scenario, window): the toy scenario's window holds an event of every group and both series;
#: the historical one's is the default window of the app.
BATCHES = [(str(MINI), ("2016-03", "2016-12"), 2), ("libya_2014_2019", ("2018-06", "2019-08"), 2)]


@pytest.mark.parametrize(("name", "months", "replicates"), BATCHES, ids=["mini", "libya"])
def test_every_coalition_in_the_batch_equals_its_ablated_scenario_run_alone(name, months, replicates):
    """Row (coalition, replicate) of the batch is, bit for bit, the scenario with the groups outside
    the coalition taken out by `sim.ablation.without_group`, run on its own with that replicate."""
    span = window(*months)
    shorter = scenario(name).truncated(span[1])
    coalitions = 2 ** len(GROUPS)
    batch = AlignmentModel(shorter, None, replicates=coalitions * replicates, seed=5,
                           replicate_ids=np.tile(np.arange(replicates), coalitions),
                           row_inputs=coalition_inputs(shorter, GROUPS, span, replicates)).run()
    for c, held in enumerate(members(len(GROUPS))):
        ablated = shorter
        for group, kept in zip(GROUPS, held, strict=True):
            if not kept:
                ablated = without_group(ablated, group, span)
        alone = AlignmentModel(ablated, None, replicates=replicates, seed=5).run()
        rows = slice(c * replicates, (c + 1) * replicates)
        np.testing.assert_array_equal(batch.tilt_history[:, rows], alone.tilt_history)
        np.testing.assert_array_equal(batch.support_history[:, rows], alone.support_history)
        np.testing.assert_array_equal(batch.control_history[:, rows], alone.control_history)


def test_rows_without_differences_run_the_ordinary_model(mini_scenario):
    """Row inputs that do not differ between rows leave the model as it is (no per-row state)."""
    everywhere = RowInputs(events={"legit": np.ones(3, bool)},
                           series={"oil_output": np.repeat(mini_scenario.monthly("oil_output")[:, None], 3,
                                                           axis=1)})
    plain = AlignmentModel(mini_scenario, None, replicates=3, seed=2).run()
    same = AlignmentModel(mini_scenario, None, replicates=3, seed=2, row_inputs=everywhere).run()
    assert not same.war.per_row
    np.testing.assert_array_equal(plain.support_history, same.support_history)


def test_row_inputs_are_checked(mini_scenario):
    cases = [(RowInputs(events={"nothing": np.ones(2, bool)}), "unknown event"),
             (RowInputs(events={"late_enters": np.array([True, False])}), "changes the stage"),
             (RowInputs(events={"legit": np.ones(3, bool)}), "must be 2 booleans"),
             (RowInputs(series={"rainfall": np.zeros((12, 2))}), "unknown series"),
             (RowInputs(series={"oil_output": np.zeros((12, 3))}), r"must have shape \(12, 2\)")]
    for inputs, words in cases:
        with pytest.raises(ValueError, match=words):
            AlignmentModel(mini_scenario, None, replicates=2, seed=0, row_inputs=inputs)


# ---------------------------------------------------------------------------- the attribution


@pytest.fixture(scope="module")
def mini_tilts():
    return run_coalitions(scenario(str(MINI)), None, GROUPS, window("2016-09", "2016-12"),
                          replicates=6, seed=1)


def test_contributions_add_up_to_the_total(mini_tilts):
    for state in mini_tilts.states:
        a = attribute_state(mini_tilts, state)
        parts = sum(c["mean"] for c in a["contributions"].values())
        assert parts == pytest.approx(a["total"]["mean"], abs=1e-12)
        assert (a["start"]["mean"] + a["not_attributed"]["mean"] + a["total"]["mean"]
                == pytest.approx(a["end"]["mean"], abs=1e-6))
        end = mini_tilts.end[..., mini_tilts.states.index(state)]  # (coalitions, replicates)
        # per replicate too: the values add up to v(every group) - v(no group)
        np.testing.assert_allclose(shapley_values(end, len(GROUPS)).sum(axis=0), end[-1] - end[0],
                                   atol=1e-6)


def test_a_group_with_nothing_in_the_window_gets_exactly_zero(mini_tilts):
    # 2016-09..12 holds a stake sale (oil), a recognition (political) and the series, but no
    # offensive, terror attack or deployment
    a = attribute_state(mini_tilts, "ITA")
    for group in ("territory", "terror", "deployments"):
        assert a["contributions"][group] == {"mean": 0.0, "std": 0.0, "ci95": [0.0, 0.0], "q05": 0.0,
                                             "q95": 0.0}
    assert a["contributions"]["political"]["mean"] != 0.0


# ---------------------------------------------------------------------------- the app


def _command(tmp_path: Path, *overrides: str) -> tuple[int, str, Path]:
    run_dir = tmp_path / "results" / "attribute"
    run_dir.mkdir(parents=True)
    months = [] if any(o.startswith("window") for o in overrides) else ["window.start=2016-05",
                                                                        "window.end=2016-12"]
    code, message, _ = attribute_command(
        compose_config([f"scenario={MINI}", "replicates=2", *months, *overrides], config_name="attribute"),
        run_dir)
    return code, message, run_dir


#: Settings the app refuses: overrides, words of the one-line message.
BAD_SETTINGS = [
    (["states=[ITA,XYZ]"], "config: states: unknown state 'XYZ'; states of mini: ['ITA', 'FRA', 'TUR']"),
    (["window.start=2015-06"], "config: window.start: 2015-06 is outside mini's period 2016-01..2016-12"),
    (["window.start=2016-05", "window.end=2017-01"],
     "config: window.end: 2017-01 is outside mini's period 2016-01..2016-12"),
    (["window.start=2016-10", "window.end=2016-05"], "config: window: start 2016-10 is after end 2016-05"),
    (["window.start=2016-13"], "config: window.start: '2016-13' has month 13; months run 01..12"),
    (["groups=[oil,weather]"], "config: groups: unknown group 'weather'; groups: ['territory', 'oil', "
                               "'migration', 'terror', 'deployments', 'political']"),
    (["groups=[stage]"], "config: groups: unknown group 'stage' (the frame of the others, never removed)"),
    (["replicates=0"], "config: replicates: is 0; it must be an integer >= 1"),
]


@pytest.mark.parametrize(("overrides", "words"), BAD_SETTINGS, ids=[c[1][8:30] for c in BAD_SETTINGS])
def test_bad_settings_exit_2_with_one_line_and_no_folder(tmp_path, overrides, words):
    code, message, run_dir = _command(tmp_path, *overrides)
    assert code == 2 and message.startswith("error: ") and "\n" not in message, message
    assert words in message, message
    assert not run_dir.exists() and not any(run_dir.parent.iterdir())


def test_the_command_writes_its_folder(tmp_path):
    """``python -m sim.attribute`` as a user runs it, on the toy scenario."""
    out = tmp_path / "attr"
    proc = subprocess.run([sys.executable, "-m", "sim.attribute", f"scenario={MINI}", "states=[ITA,TUR]",
                           "window.start=2016-05", "window.end=2016-12", "replicates=3",
                           f"hydra.run.dir={out}"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == {"attribution.json", "attribution.csv", "attribution.png",
                                               "config.yaml"}
    report = json.loads((out / "attribution.json").read_text())
    assert report["state"] == "ITA" and report["window"] == {"start": "2016-05", "end": "2016-12"}
    assert list(report["contributions"]) == list(GROUPS) and report["coalitions"] == 64
    parts = sum(c["mean"] for c in report["contributions"].values())
    assert parts == pytest.approx(report["total"]["mean"], abs=1e-9)
    assert [s["state"] for s in report["states"]] == ["ITA", "TUR"]
    table = pd.read_csv(out / "attribution.csv")
    assert set(table["state"]) == {"ITA", "TUR"} and len(table) == 2 * (len(GROUPS) + 4)
    bad = subprocess.run([sys.executable, "-m", "sim.attribute", f"scenario={MINI}", "states=[XYZ]",
                          f"hydra.run.dir={tmp_path / 'bad'}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2 and "unknown state 'XYZ'" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_over_posterior_draws_every_coalition_runs_replicate_k_with_draw_k(tmp_path):
    """With ``posterior``, row (coalition, replicate k) runs with draw k mod N: the coalition of
    every group is the scenario run over the same draws, and the empty one the scenario without
    any group, over the same draws again."""
    from sim.posterior import load_posterior
    from sim.simulate import execute

    draws = load_posterior("calibrated")
    span = window("2016-09", "2016-12")
    shorter = scenario(str(MINI)).truncated(span[1])
    tilts = run_coalitions(shorter, None, GROUPS, span, replicates=5, seed=2, posterior=draws)
    every = execute(shorter, params=None, replicates=5, seed=2, record="tilt", posterior=draws)
    np.testing.assert_array_equal(tilts.end[-1], every.tilt_array[-1])
    bare = shorter
    for group in GROUPS:
        bare = without_group(bare, group, span)
    none = execute(bare, params=None, replicates=5, seed=2, record="tilt", posterior=draws)
    np.testing.assert_array_equal(tilts.end[0], none.tilt_array[-1])
    at_mode = run_coalitions(shorter, None, GROUPS, span, replicates=5, seed=2)
    assert np.abs(at_mode.end - tilts.end).max() > 1e-3  # the draws are used

    code, message, run_dir = _command(tmp_path, "posterior=calibrated")
    assert code == 0, message
    report = json.loads((run_dir / "attribution.json").read_text())
    assert report["posterior"] == {"table": "calibrated", "draws_in_table": 400, "draws_used": 2}
    assert "own posterior draw" in report["interval"]
    assert (run_dir / "posterior_draws.csv").read_bytes() == draws.path.read_bytes()
