"""Work side by side (`sim.workers`), and `python -m sim.robustness` on any number of workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.workers import TaskPool, available_cores, checked_workers
from tests.conftest import MINI, MINI_CHECKS, ROOT


def offset_square(context: dict, x: int) -> tuple[int, int]:
    """A task: the context's offset plus ``x`` squared, and the process that computed it."""
    return context["offset"] + x * x, os.getpid()


def nap(context: dict, seconds: float) -> float:
    """A task: sleep ``seconds``."""
    time.sleep(seconds)
    return seconds


def offset_context(settings: dict) -> dict:
    return {"offset": settings["offset"]}


def test_a_pool_gives_what_this_process_gives_in_the_inputs_order():
    expected = [100 + x * x for x in range(12)]
    with TaskPool(offset_square, {"offset": 100}, build_context=offset_context, settings={"offset": 100},
                  workers=1) as here:
        assert [(value, pid) for value, pid in here.map(range(12), desc="", progress=False)] == [
            (value, os.getpid()) for value in expected]
    with TaskPool(offset_square, None, build_context=offset_context, settings={"offset": 100},
                  workers=2) as pool:
        found = pool.map(range(12), desc="", progress=False)
        again = pool.map([3, 1], desc="", progress=False)  # the same workers, a second time
    assert [value for value, _ in found] == expected and [value for value, _ in again] == [109, 101]
    assert os.getpid() not in {pid for _, pid in found + again}


def plus_offset(context: dict, x: int) -> int:
    return context["offset"] + x


def test_a_single_input_runs_in_this_process_on_its_context():
    with TaskPool(plus_offset, {"offset": 7}, build_context=offset_context, settings={"offset": 100},
                  workers=2) as pool:
        assert pool.map([1], desc="", progress=False) == [8]  # this process's context, not a worker's
        assert pool._pool is None  # no worker was started for it


@pytest.mark.parametrize("value", [0, -2, 1.5, "two", True])
def test_a_bad_worker_count_is_named(value):
    with pytest.raises(InputError, match=r"robustness\.yaml: workers: .*a positive integer, or null for one"):
        checked_workers(value, "robustness.yaml", "workers")
    assert checked_workers(None, "f", "k") == available_cores() and checked_workers(3, "f", "k") == 3


def test_a_ctrl_c_while_workers_start_is_held_then_delivered():
    script = textwrap.dedent("""
        import os, signal, time
        from sim.workers import ctrl_c_held

        try:
            with ctrl_c_held():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.2)
                print("held", signal.getsignal(signal.SIGINT) is signal.SIG_IGN, flush=True)
            time.sleep(5)
            print("lost")
        except KeyboardInterrupt:
            print("delivered", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """)
    # as from a terminal: Ctrl-C not already ignored (a job started in the background ignores it)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert run.stdout.split() == ["held", "True", "delivered", "True"], run.stdout + run.stderr


#: the tests that find processes through Linux's /proc
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}  # a zombie has ended; nobody may be left to reap it here


def _all_end(pids: list[int], *, within: float) -> bool:
    """Whether every process of ``pids`` has ended, waiting up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while any(_is_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_is_running(pid) for pid in pids)


@needs_proc
def test_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import multiprocessing
        from sim.workers import TaskPool
        from tests.test_workers import nap, offset_context

        if __name__ == "__main__":  # spawned workers import this file too
            with TaskPool(nap, None, build_context=offset_context, settings={"offset": 0}, workers=2) as pool:
                pool.map([0.0, 0.0], desc="", progress=False)  # the workers have started
                print(*(p.pid for p in multiprocessing.active_children()), flush=True)
                pool.map([120.0, 120.0], desc="", progress=False)  # busy when the parent is killed
    """))
    parent = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    guard = threading.Timer(120, parent.kill)  # a parent that never prints fails the test, not hangs it
    guard.start()
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_is_running(pid) for pid in workers)
        time.sleep(1.0)  # each worker has taken its long task
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert _all_end(workers, within=10)
    finally:
        guard.cancel()
        parent.kill()
        parent.stdout.close()


def robustness(tmp_path: Path, name: str, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.robustness", f"scenario={MINI}", "replicates=4",
                           "final=2016-12", "rise_from=2016-06", "group_from=2016-05", "estimate_draws=5",
                           "plots=false", "progress=false", *MINI_CHECKS, *overrides,
                           f"hydra.run.dir={tmp_path / name}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def same_results(one: Path, other: Path) -> None:
    for table in ("robustness.csv", "estimate_ends.csv", "estimate_draws.csv"):
        assert (one / table).read_bytes() == (other / table).read_bytes(), table
    reports = [json.loads((folder / "robustness.json").read_text()) for folder in (one, other)]
    for report in reports:
        report.pop("wall_time_s")
    assert reports[0] == reports[1]


@pytest.mark.slow
@pytest.mark.parametrize("runs", [
    ["calibrate.joint_targets=null", "calibrate.patterns=[]", "refit=[scale.security]", "refit_popsize=3",
     "refit_maxiter=2", "refit_ends=true"],
    ["posterior=calibrated"],
], ids=["refit", "posterior"])
def test_robustness_gives_the_same_results_on_any_number_of_workers(tmp_path, runs):
    alone = robustness(tmp_path, "alone", "workers=1", *runs)
    side_by_side = robustness(tmp_path, "pool", "workers=2", *runs)
    assert alone.returncode == 0 and side_by_side.returncode == 0, alone.stderr + side_by_side.stderr
    same_results(tmp_path / "alone", tmp_path / "pool")


def test_a_bad_worker_count_stops_robustness_before_its_folder(tmp_path):
    run = robustness(tmp_path, "run", "workers=0")
    assert run.returncode == 2
    assert "workers: is 0; a positive integer" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
@needs_proc
@pytest.mark.parametrize("after", [0.0, 2.0], ids=["workers-starting", "workers-running"])
def test_robustness_stopped_by_ctrl_c_says_so_and_leaves_nothing(tmp_path, after):
    out = tmp_path / "run"
    run = subprocess.Popen([sys.executable, "-m", "sim.robustness", f"scenario={MINI}", "replicates=4",
                            "final=2016-12", "rise_from=2016-06", "group_from=2016-05", "estimate_draws=5000",
                            "plots=false", "workers=2", *MINI_CHECKS, f"hydra.run.dir={out}"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 90
    while len(_children(run.pid)) < 2 and time.monotonic() < deadline:  # the pool has not started
        time.sleep(0.2)
    time.sleep(after)  # 0: the workers are importing; 2: measuring the estimate draws (about a minute)
    workers = _children(run.pid)  # with multiprocessing's resource tracker, if it runs
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert stderr.rstrip().endswith(f"stopped by Ctrl-C: nothing was written to {out}")
    assert "Traceback" not in stderr and "leaked" not in stderr
    assert not out.exists()
    # the resource tracker ends only once the command has gone: waited for
    assert len(workers) >= 2 and _all_end(workers, within=10)


def _children(parent: int) -> list[int]:
    """The process ids of ``parent``'s children (from /proc)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(proc.name))
        except (OSError, ValueError, IndexError):
            continue
    return found
