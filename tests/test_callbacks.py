"""The multirun overlay: labels, csv columns, order, colours, many jobs, plots=false, run folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from omegaconf import OmegaConf

import sim.callbacks as callbacks
from sim.callbacks import OverlayCallback, differing_keys, job_order, overlay, swept_keys
from sim.plotting import plot_overlay

MINI = Path(__file__).parent / "data" / "mini.yaml"
DATES = [f"2016-{m:02d}" for m in range(1, 7)]
STATES = ["ITA", "FRA"]


def write_job(folder: Path, *, level: float, **settings) -> Path:
    """A fake run folder: a tilt table (categorical date and state, as runs write them) and a config."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = [(d, r, s) for d in DATES for r in range(4) for s in STATES]
    tilt = pd.DataFrame(rows, columns=["date", "replicate", "state"])
    tilt["tilt"] = level + 0.01 * rng.standard_normal(len(tilt))
    tilt["date"] = tilt["date"].astype("category")
    tilt["state"] = tilt["state"].astype("category")
    tilt.to_parquet(folder / "tilt.parquet", index=False)
    config = {"scenario": "mini", "replicates": 4, "seed": 0, "focus_state": "ITA", "plots": True,
              "params": {"inertia": 0.15, "noise": 0.1}}
    for key, value in settings.items():
        node = config
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    (folder / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return folder


@pytest.fixture
def drawn(monkeypatch):
    """The labels (and values) `overlay` hands to the plot."""
    seen = {}

    def spy(bands, state, targets=None, **kwargs):
        seen.update(labels=list(bands), state=state, **kwargs)
        seen["figure"] = plot_overlay(bands, state, targets, **kwargs)
        return seen["figure"]

    monkeypatch.setattr(callbacks, "plot_overlay", spy)
    return seen


def test_two_jobs_are_labelled_by_their_override_and_it_is_a_csv_column(tmp_path, drawn):
    write_job(tmp_path / "0", level=-0.2, **{"params.inertia": 0.5})
    write_job(tmp_path / "1", level=0.3, **{"params.inertia": 0.9})
    png, csv = overlay(tmp_path, swept=["params.inertia"])
    assert png == tmp_path / "overlay_ITA.png" and png.exists()
    assert drawn["labels"] == ["params.inertia=0.5", "params.inertia=0.9"]
    assert drawn["values"] == {"params.inertia=0.5": 0.5, "params.inertia=0.9": 0.9}  # viridis
    table = pd.read_csv(csv)
    assert list(table.columns) == ["run", "params.inertia", "scenario", "state", "date",
                                   "mean_tilt", "q05", "q50", "q95"]
    assert table.groupby("run")["params.inertia"].first().to_dict() == {0: 0.5, 1: 0.9}
    assert len(table) == 2 * len(STATES) * len(DATES)


def test_thirteen_jobs_in_numeric_order_drawn_as_a_band_with_few_labels(tmp_path, drawn):
    for i in range(13):
        write_job(tmp_path / str(i), level=-0.6 + 0.1 * i, seed=i)
    png, csv = overlay(tmp_path, "FRA", swept=["seed"])
    table = pd.read_csv(csv)
    assert list(dict.fromkeys(table["run"])) == list(range(13))
    assert list(dict.fromkeys(table["seed"])) == list(range(13))
    assert drawn["labels"] == [f"seed={i}" for i in range(13)] and drawn["state"] == "FRA"
    assert png.name == "overlay_FRA.png"
    legend = [t.get_text() for t in drawn["figure"].axes[0].get_legend().get_texts()]
    assert len(legend) == 4
    assert legend[1:] == ["lowest: seed=0", "middle: seed=6", "highest: seed=12"]


def test_job_order_is_numeric_then_by_name():
    names = ["10", "2", "run_b", "0", "1", "11", "run_a"]
    assert sorted(names, key=job_order) == ["0", "1", "2", "10", "11", "run_a", "run_b"]


def test_swept_keys_are_the_sweep_overrides():
    task = ["scenario=mini", "params.inertia=0.5,0.9", "seed=range(3)", "replicates=3"]
    assert swept_keys(task) == ["params.inertia", "seed"]


def test_differing_keys_put_the_swept_first():
    configs = [{"seed": 0, "params": {"inertia": 0.5, "noise": 0.1}},
               {"seed": 1, "params": {"inertia": 0.9, "noise": 0.1}}]
    assert differing_keys(configs) == ["params.inertia", "seed"]
    assert differing_keys(configs, ["seed"]) == ["seed", "params.inertia"]


def test_a_folder_of_runs_is_not_merged(tmp_path, drawn):
    for i, name in enumerate(["2026-01-01_10-00-00_a", "2026-01-01_10-00-01_b", "2026-01-02_09-00-00_c"]):
        write_job(tmp_path / name, level=0.1 * i, replicates=4 if i < 2 else 20)
    _, csv = overlay(tmp_path)
    assert drawn["labels"] == ["2026-01-01_10-00-00_a: replicates=4", "2026-01-01_10-00-01_b: replicates=4",
                               "2026-01-02_09-00-00_c: replicates=20"]
    assert pd.read_csv(csv)["run"].nunique() == 3


def test_identical_runs_keep_their_folder_names(tmp_path, drawn):
    write_job(tmp_path / "run_a", level=0.0)
    write_job(tmp_path / "run_b", level=0.1)
    overlay(tmp_path)
    assert drawn["labels"] == ["run_a", "run_b"]


def _multirun_config(sweep: Path, *, plots: bool):
    return OmegaConf.create({"focus_state": "ITA", "plots": plots, "hydra": {
        "sweep": {"dir": str(sweep)}, "overrides": {"task": ["params.inertia=0.5,0.9"]}}})


def test_plots_false_writes_the_csv_and_no_png(tmp_path):
    write_job(tmp_path / "0", level=0.0, **{"params.inertia": 0.5})
    write_job(tmp_path / "1", level=0.1, **{"params.inertia": 0.9})
    OverlayCallback().on_multirun_end(_multirun_config(tmp_path, plots=False))
    assert (tmp_path / "overlay.csv").exists()
    assert not list(tmp_path.glob("*.png"))


def test_the_callback_takes_a_state(tmp_path):
    write_job(tmp_path / "0", level=0.0, **{"params.inertia": 0.5})
    write_job(tmp_path / "1", level=0.1, **{"params.inertia": 0.9})
    OverlayCallback(state="FRA").on_multirun_end(_multirun_config(tmp_path, plots=True))
    assert [p.name for p in tmp_path.glob("*.png")] == ["overlay_FRA.png"]


def test_a_sweep_of_text_values_gets_the_qualitative_palette(tmp_path, drawn):
    write_job(tmp_path / "0", level=0.0, scenario=str(MINI))
    write_job(tmp_path / "1", level=0.1, scenario="libya_2014_2019")
    overlay(tmp_path, swept=["scenario"])
    assert drawn["labels"] == ["scenario=mini.yaml", "scenario=libya_2014_2019"]
    assert drawn["values"] is None
    assert list(pd.read_csv(tmp_path / "overlay.csv").columns[:2]) == ["run", "scenario"]


@pytest.mark.slow
def test_a_real_multirun_is_labelled_by_its_sweep(tmp_path):
    sweep = tmp_path / "sweep"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.run", "-m", f"scenario={MINI}", "replicates=3", "progress=false",
         "params.inertia=0.2,0.5", f"hydra.sweep.dir={sweep}"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (sweep / "overlay_ITA.png").exists()
    table = pd.read_csv(sweep / "overlay.csv")
    assert table.groupby("run")["params.inertia"].first().to_dict() == {0: 0.2, 1: 0.5}


def test_a_comparison_over_posterior_draws_says_so_in_its_title(tmp_path, drawn):
    for i, scenario in enumerate((str(MINI), "other")):
        write_job(tmp_path / str(i), level=0.1 * i, scenario=scenario, posterior="calibrated")
    overlay(tmp_path, swept=["scenario"])
    assert drawn["title"] == "Italy's tilt by scenario (median, 5–95% band over posterior draws)"
    (tmp_path / "overlay_ITA.png").unlink()
    write_job(tmp_path / "2", level=0.3, scenario="third")  # one run at the fitted parameters only
    overlay(tmp_path, swept=["scenario"])
    assert drawn["title"].endswith("(median, 5–95% band; some runs over posterior draws)")
