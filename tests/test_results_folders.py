"""Results folders: claimed by one run, published whole, never half-written, never shared."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.errors import InputError
from sim.output import OWNER_FILE, check_writable_parent, claimed, staging_dir
from tests.conftest import MINI, ROOT


def test_a_folder_is_published_whole_by_one_rename(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()  # Hydra creates the folder empty before the app runs
    with claimed(run_dir) as staging:
        assert staging == staging_dir(run_dir) and staging.parent == run_dir.parent
        (staging / "table.csv").write_text("a\n1\n")
        assert not (run_dir / "table.csv").exists()  # nothing visible before the end
    assert sorted(p.name for p in run_dir.iterdir()) == ["table.csv"]
    assert not staging_dir(run_dir).exists()


@pytest.mark.parametrize("stop", [ValueError("bad"), KeyboardInterrupt(), SystemExit(143)])
def test_a_failed_run_leaves_nothing(tmp_path, stop):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with pytest.raises(type(stop)), claimed(run_dir) as staging:
        (staging / "half.csv").write_text("a\n")
        raise stop
    assert not run_dir.exists() and not staging_dir(run_dir).exists()


def test_a_folder_another_live_run_is_writing_is_refused(tmp_path):
    run_dir = tmp_path / "run"
    with claimed(run_dir), pytest.raises(InputError, match="is being written by another run"), \
            claimed(run_dir):
        pass


def test_a_staging_folder_left_by_a_killed_run_is_reclaimed(tmp_path):
    run_dir = tmp_path / "run"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = staging_dir(run_dir)
    stale.mkdir()
    import socket

    (stale / OWNER_FILE).write_text(f"{socket.gethostname()} {dead}\n")
    (stale / "half.parquet").write_text("")
    with claimed(run_dir) as staging:
        assert not (staging / "half.parquet").exists()
        (staging / "x").write_text("1")
    assert [p.name for p in run_dir.iterdir()] == ["x"]


def test_results_paths_that_cannot_be_folders_are_refused(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_writable_parent(blocker / "run")
    with pytest.raises(InputError, match="is a file, not a folder"), claimed(blocker):
        pass


def _start(*overrides: str, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim.run", *overrides], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_four_runs_started_at_once_get_four_complete_folders(tmp_path):
    runs = [_start(f"scenario={MINI}", "replicates=5", f"seed={s}", cwd=tmp_path) for s in range(4)]
    for proc in runs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    folders = sorted((tmp_path / "results" / "run").iterdir())
    assert len(folders) == 4 and not any(p.name.startswith(".") for p in folders)
    seeds = set()
    for folder in folders:
        assert (folder / "tilt.parquet").exists() and (folder / "config.yaml").exists()
        pd.read_parquet(folder / "alignment.parquet")
        seeds.add(next(line for line in (folder / "config.yaml").read_text().splitlines()
                       if line.startswith("seed:")))
    assert len(seeds) == 4


@pytest.mark.slow
def test_sigterm_leaves_no_folder_and_no_staging(tmp_path):
    out = tmp_path / "run"
    proc = _start(f"hydra.run.dir={out}", "replicates=20000", "record=tilt", cwd=tmp_path)
    for _ in range(300):  # wait until the run has claimed its folder
        if staging_dir(out).exists():
            break
        time.sleep(0.05)
    assert staging_dir(out).exists()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert not out.exists() and not staging_dir(out).exists()


@pytest.mark.slow
def test_a_results_path_through_a_file_gets_one_clear_error(tmp_path):
    (tmp_path / "afile").write_text("")
    proc = _start(f"hydra.run.dir={tmp_path / 'afile' / 'run'}", cwd=tmp_path)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.strip() == (f"error: {tmp_path / 'afile' / 'run'}: results folder: cannot be created: "
                           f"{tmp_path / 'afile'} is a file, not a folder; choose another hydra.run.dir")
