"""``python -m sim.run`` as a user runs it: a subprocess writing into tmp_path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.config import compose_config, plain
from tests.conftest import MINI, ROOT

pytestmark = pytest.mark.slow  # every test here runs the app as a subprocess


def run_app(*overrides: str, module: str = "sim.run") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *overrides], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    proc = run_app(f"scenario={MINI}", "replicates=7", "seed=4", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    return out


def test_run_folder_holds_every_output(finished):
    names = {p.name for p in finished.iterdir()}
    assert names == {"config.yaml", "alignment.parquet", "tilt.parquet", "control.parquet",
                     "decomposition.parquet", "summary.json", "italy_tilt.png",
                     "italy_decomposition.png", "all_states_tilt.png", "italy_support.png",
                     "asset_control.png"}
    decomposition = pd.read_parquet(finished / "decomposition.parquet")
    assert list(decomposition.columns) == ["date", "state", "part", "contribution"]
    assert set(decomposition["part"]) <= {"oil", "migration", "security", "legitimacy", "ideology",
                                          "winner", "rivalry", "commitment"}


def test_tables_follow_the_file_schema(finished):
    alignment = pd.read_parquet(finished / "alignment.parquet")
    assert list(alignment.columns) == ["date", "replicate", "state", "faction", "support"]
    assert alignment["date"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert alignment["replicate"].dtype == "int32"
    assert alignment["support"].dtype == "float32"
    assert isinstance(alignment["state"].dtype, pd.CategoricalDtype)
    tilt = pd.read_parquet(finished / "tilt.parquet")
    assert list(tilt.columns) == ["date", "replicate", "state", "tilt"]
    control = pd.read_parquet(finished / "control.parquet")
    assert list(control.columns) == ["date", "replicate", "asset", "controller"]
    assert not control.duplicated(["date", "replicate", "asset"]).any()
    # tilt is support for LNA minus support for GNA
    wide = alignment.pivot_table(index=["date", "replicate", "state"], columns="faction",
                                 values="support")
    merged = tilt.set_index(["date", "replicate", "state"])["tilt"]
    diff = (wide["LNA"] - wide["GNA"]).reindex(merged.index)
    assert (diff - merged).abs().max() < 1e-6


def test_resolved_config_reproduces_the_run(finished, tmp_path):
    config = yaml.safe_load((finished / "config.yaml").read_text())
    assert config["replicates"] == 7 and config["seed"] == 4
    composed = plain(compose_config([f"scenario={MINI}"]))
    assert config["params"] == composed["params"]  # the calibrated set, resolved
    again = tmp_path / "again"
    proc = run_app(f"scenario={MINI}", "replicates=7", "seed=4", f"hydra.run.dir={again}")
    assert proc.returncode == 0, proc.stderr
    for table in ("alignment", "tilt", "control"):
        assert (again / f"{table}.parquet").read_bytes() == (finished / f"{table}.parquet").read_bytes()


def test_summary_describes_the_run(finished):
    summary = json.loads((finished / "summary.json").read_text())
    assert summary["replicates"] == 7 and summary["period"] == ["2016-01", "2016-12"]
    assert set(summary["states"]) == {"ITA", "FRA", "TUR"}


def test_results_are_never_overwritten(finished):
    before = (finished / "tilt.parquet").read_bytes()
    proc = run_app(f"scenario={MINI}", "replicates=3", f"hydra.run.dir={finished}")
    assert proc.returncode == 2
    assert "already holds results" in proc.stderr
    assert (finished / "tilt.parquet").read_bytes() == before


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("scenario=atlantis", "no such scenario file"),
        ("params.inertia=7", "params: inertia: is 7; allowed range [0.01, 1.0]"),
        ("params.noise=nan", "params: noise: is not a finite number"),
        ("end=2030-01", "end: end 2030-01 is outside 2016-01..2016-12"),
        ("+params.state_weights.XYZ.oil=1", "state_weights.XYZ: unknown state"),
        ("focus_state=XYZ", "focus_state: unknown state 'XYZ'; states of mini: ['ITA', 'FRA', 'TUR']"),
        ("scenario_dir=/no/such/folder", "/no/such/folder: scenario_dir: is not a folder"),
        ("targets=nonexistent", "nonexistent.csv: file: no such target file; known: ["),
        ("first_replicate=-1", "first_replicate must be a non-negative integer, got -1"),
        ("replicates=100000000", "replicates: 100000000 replicates would need about"),
        ("posterior=nowhere", "config: posterior: no draws table 'nowhere'"),
    ],
)
def test_bad_input_one_clear_error_and_no_folder(tmp_path, override, words):
    out = tmp_path / "never"
    args = [f"scenario={MINI}", "replicates=2", f"hydra.run.dir={out}", override]
    if override.startswith("scenario="):
        args = args[1:]
    proc = run_app(*args)
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0  # one line
    assert not out.exists()


def test_a_posterior_run_keeps_its_draws_and_says_so(tmp_path):
    out = tmp_path / "out"
    proc = run_app(f"scenario={MINI}", "replicates=5", "posterior=calibrated", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    table = ROOT / "configs" / "posterior_draws" / "calibrated.csv"
    assert (out / "posterior_draws.csv").read_bytes() == table.read_bytes()
    assert yaml.safe_load((out / "config.yaml").read_text())["posterior"] == "calibrated"
    posterior = json.loads((out / "summary.json").read_text())["posterior"]
    assert posterior["draws_used"] == 5 and posterior["draws_in_table"] == 400
    assert posterior["parameters"][0] == "scale.oil"
    replot = run_app(str(out), f"out={tmp_path / 'plots'}", module="sim.plot")
    assert replot.returncode == 0, replot.stderr
    assert (tmp_path / "plots" / "italy_tilt.png").exists()


def test_bad_scenario_file_names_file_and_entry(tmp_path):
    data = yaml.safe_load(MINI.read_text())
    data["events"][1]["affects"] = ["XXX"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    out = tmp_path / "never"
    proc = run_app(f"scenario={bad}", f"hydra.run.dir={out}")
    assert proc.returncode == 2
    assert f"{bad}: events[1] (terror_attack).affects: unknown state 'XXX'" in proc.stderr
    assert not out.exists()


def test_multirun_ends_with_an_overlay(tmp_path):
    sweep = tmp_path / "sweep"
    proc = run_app("-m", f"scenario={MINI}", "replicates=3", "seed=1,2", f"hydra.sweep.dir={sweep}")
    assert proc.returncode == 0, proc.stderr
    assert (sweep / "overlay_ITA.png").exists()
    table = pd.read_csv(sweep / "overlay.csv")
    assert set(table["run"].astype(str)) == {"0", "1"}
    assert {"mean_tilt", "q05", "q50", "q95"} <= set(table.columns)


def test_scenario_dir_reads_a_users_folder_and_focus_state_picks_the_plot(tmp_path):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "toy.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    proc = run_app(f"scenario_dir={own}", "scenario=toy", "replicates=2", "focus_state=FRA",
                   "targets=null", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "france_tilt.png" in {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "mini" and summary["focus_state"] == "FRA"  # the file's own name
    assert yaml.safe_load((out / "config.yaml").read_text())["scenario_dir"] == str(own)
