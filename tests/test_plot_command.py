"""``python -m sim.plot``: saved folders redrawn and compared, without running the model, into a
new folder of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim.model
from sim.config import compose_config
from sim.plot import plot_command
from sim.run import run_app
from tests.conftest import MINI, ROOT


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Two runs of the toy scenario differing by their seed, and a multirun-like folder of both."""
    base = tmp_path_factory.mktemp("saved")
    made = {}
    for seed in (1, 2):
        cfg = compose_config([f"scenario={MINI}", "replicates=4", f"seed={seed}", "targets=null",
                              "progress=false"])
        made[f"seed{seed}"] = base / "multi" / str(seed - 1)
        run_app(cfg, made[f"seed{seed}"])
    made["multi"] = base / "multi"
    return made


@pytest.fixture
def no_model(monkeypatch):
    """Fail any attempt to build the model: redrawing must only read."""
    def refuse(*args, **kwargs):
        raise AssertionError("sim.plot ran the model")
    monkeypatch.setattr(sim.model.AlignmentModel, "__init__", refuse)


def _snapshot(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_a_run_is_redrawn_for_another_state(runs, tmp_path, no_model):
    before = _snapshot(runs["seed1"])
    code, message, out = plot_command([str(runs["seed1"]), "state=FRA", f"out={tmp_path / 'fig'}"])
    assert code == 0, message
    names = {p.name for p in out.iterdir()}
    assert {"france_tilt.png", "france_support.png", "france_decomposition.png", "all_states_tilt.png",
            "asset_control.png", "config.yaml"} <= names
    assert not any(n.endswith(".parquet") for n in names)
    asked = yaml.safe_load((out / "config.yaml").read_text())
    assert asked["folders"] == [str(runs["seed1"])] and asked["state"] == "FRA"
    assert _snapshot(runs["seed1"]) == before  # the saved folder is only read


def test_runs_are_compared_and_labelled_by_what_differs(runs, tmp_path, no_model):
    code, message, out = plot_command([str(runs["seed1"]), str(runs["seed2"]), f"out={tmp_path / 'c'}"])
    assert code == 0, message
    table = pd.read_csv(out / "comparison.csv")
    assert sorted(table["run"].unique()) == ["0: seed=1", "1: seed=2"]
    assert set(table["state"]) == {"ITA", "FRA", "TUR"} and "seed" in table.columns
    assert {"overlay_ITA.png", "all_states.png"} <= {p.name for p in out.iterdir()}


def test_a_multirun_folder_stands_for_its_jobs(runs, tmp_path, no_model):
    code, message, out = plot_command([str(runs["multi"]), "state=TUR", f"out={tmp_path / 'm'}"])
    assert code == 0, message
    table = pd.read_csv(out / "comparison.csv")
    assert table["folder"].nunique() == 2
    assert (out / "overlay_TUR.png").is_file()


def test_jobs_from_several_folders_all_show_their_folder(runs, tmp_path, no_model):
    other = tmp_path / "other"
    shutil.copytree(runs["seed1"], other / "0")  # a second multirun whose job 0 clashes by name
    code, message, out = plot_command([str(runs["multi"]), str(other), f"out={tmp_path / 'two'}"])
    assert code == 0, message
    labels = sorted(pd.read_csv(out / "comparison.csv")["run"].unique())
    assert labels == ["multi/0: seed=1", "multi/1: seed=2", "other/0: seed=1"]


@pytest.mark.parametrize(("args", "says"), [
    (["colour=red"], "colour: is not an option"),
    ([], "none given"),
    (["/nonexistent/folder"], "is not a folder"),
    (["state=XX"], "unknown state 'XX'"),
])
def test_bad_input_is_one_message_and_no_folder(runs, tmp_path, args, says):
    folder = [str(runs["seed1"])] if args and args[0].startswith("state") else []
    out = tmp_path / "never"
    code, message, written = plot_command([*folder, *args, f"out={out}"])
    assert code == 2 and says in message and written is None
    assert not out.exists()


def test_a_folder_that_is_not_a_result_is_refused(tmp_path):
    (tmp_path / "notes").mkdir()
    code, message, _ = plot_command([str(tmp_path / "notes"), f"out={tmp_path / 'o'}"])
    assert code == 2 and "is not a results folder" in message and "sweep:" in message


def test_an_existing_folder_is_never_written_into(runs, tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    code, message, _ = plot_command([str(runs["seed1"]), f"out={out}"])
    assert code == 2 and "never overwritten" in message and "out=" in message
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


@pytest.mark.slow
def test_the_command_line(runs, tmp_path):
    out = tmp_path / "cli"
    proc = subprocess.run([sys.executable, "-m", "sim.plot", str(runs["seed1"]), f"out={out}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (out / "italy_tilt.png").is_file()
