"""Checkpoints: a calibration stopped at any generation resumes to exactly the uninterrupted result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import differential_evolution

from sim.calibrate import CALIBRATED_CONFIG
from sim.calibration import Calibrator
from sim.checkpoint import CHECKPOINT_FILE, Checkpoint, default_folder, locate, write_atomic
from sim.config import compose_config
from sim.errors import InputError
from tests.conftest import ROOT, digest_of
from tests.test_calibration import FREE, synthetic_targets

BUDGET = {"popsize": 3, "maxiter": 6, "optimizer_seed": 2}


def make_calibrator(scenario) -> Calibrator:
    targets = synthetic_targets(scenario, replicates=2)
    return Calibrator(scenario, targets, base_params={}, free=FREE, replicates=2, seed=0,
                      penalty_weight=0, state="ITA")


@pytest.fixture(scope="module")
def calibrator(mini_scenario) -> Calibrator:
    return make_calibrator(mini_scenario)


def test_stepped_fit_equals_scipys_differential_evolution(calibrator):
    """The generation-by-generation loop is scipy's `differential_evolution` with the same options."""
    fit = calibrator.fit(**BUDGET, progress=False)
    reference = differential_evolution(
        lambda x: calibrator.losses(x), calibrator.bounds, vectorized=True, updating="deferred",
        popsize=BUDGET["popsize"], maxiter=BUDGET["maxiter"], tol=0.0, polish=False, init="sobol",
        rng=np.random.default_rng(BUDGET["optimizer_seed"]))
    np.testing.assert_array_equal(fit["x"], reference.x)
    assert fit["objective"] == reference.fun
    assert fit["generations"] == reference.nit == BUDGET["maxiter"]


class KilledError(Exception):
    """Stands for the process being killed after a generation."""


@pytest.mark.parametrize("stop_after", [1, 3, 5])
def test_a_fit_stopped_and_resumed_from_its_saved_state_equals_one_never_stopped(
        calibrator, mini_scenario, stop_after):
    whole = calibrator.fit(**BUDGET, progress=False)
    saved = []

    def save_then_stop(state):
        saved.append(json.dumps(state))  # as a checkpoint keeps it
        if state["generation"] == stop_after:
            raise KilledError

    with pytest.raises(KilledError):
        make_calibrator(mini_scenario).fit(**BUDGET, progress=False, on_generation=save_then_stop)
    states = []
    resumed = make_calibrator(mini_scenario).fit(**BUDGET, progress=False, state=json.loads(saved[-1]),
                                                 on_generation=states.append)
    assert [s["generation"] for s in states] == list(range(stop_after + 1, BUDGET["maxiter"] + 1))
    np.testing.assert_array_equal(resumed["x"], whole["x"])
    assert resumed["objective"] == whole["objective"]
    assert resumed["generations"] == whole["generations"] == BUDGET["maxiter"]
    assert resumed["evaluations"] == whole["evaluations"]


def test_a_candidates_loss_does_not_depend_on_the_population_it_is_evaluated_with(calibrator):
    """Common random numbers: a candidate's loss is the same alone or within any population."""
    x = np.array([[0.3, 0.5, 0.7, 0.2], [2.0, 1.0, 4.0, 0.5]])
    together = calibrator.losses(x)
    alone = np.concatenate([calibrator.losses(x[:, [j]]) for j in range(x.shape[1])])
    np.testing.assert_array_equal(together, alone)


def test_write_atomic_replaces_whole_files_and_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "calibrated.yaml"
    write_atomic(target, "old\n")
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["calibrated.yaml"]

    def cut(*args):  # interrupted after the data is written, before the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", cut)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "half\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["calibrated.yaml"]


def test_checkpoint_settings_default_to_a_fresh_run_checkpointed_beside_its_results(tmp_path):
    cfg = compose_config([], config_name="calibration")
    assert cfg.calibrate.resume is None and cfg.calibrate.checkpoint_dir is None
    run_dir = tmp_path / "results" / "calibrate" / "2026-01-02_03-04-05"
    assert default_folder(run_dir) == tmp_path / "results" / "calibrate" / ".checkpoints" / run_dir.name
    with pytest.raises(InputError, match=r"calibrate\.resume: no checkpoint\.json in"):
        locate(run_dir)
    Checkpoint.create(default_folder(run_dir), {}, started="2026-01-02T03:04:05Z")
    assert locate(run_dir) == locate(default_folder(run_dir)) == default_folder(run_dir)


def test_checkpoint_keeps_finished_fits_and_refuses_other_settings(tmp_path):
    fingerprint = {"calibrate": {"maxiter": 3, "free": [{"name": "inertia"}]}, "params": {"noise": 0.1}}
    checkpoint = Checkpoint.create(tmp_path / "ck", fingerprint, started="2026-01-02T03:04:05Z")
    result = {"x": np.array([0.1, 1 / 3]), "objective": 0.5, "evaluations": 10, "generations": 3,
              "wall_time_s": 1.0}
    checkpoint.run("main", lambda state, on_generation: result)
    with pytest.raises(InputError, match=r"calibrate\.checkpoint_dir: .* unfinished run"):
        Checkpoint.create(tmp_path / "ck", fingerprint, started="2026-01-02T03:04:05Z")

    again = Checkpoint.resume(tmp_path / "ck", fingerprint)
    assert again.started == "2026-01-02T03:04:05Z"
    # the digest names the settings, whatever the clock and the keys' order
    reordered = {"params": {"noise": 0.1}, "calibrate": {"free": [{"name": "inertia"}], "maxiter": 3}}
    assert again.digest == Checkpoint(tmp_path / "x", reordered, started="2030-01-01T00:00:00Z").digest
    assert len(again.digest) == 16
    kept = again.run("main", lambda state, on_generation: pytest.fail("a finished fit is not rerun"))
    np.testing.assert_array_equal(kept["x"], result["x"])
    other = {**fingerprint, "calibrate": {**fingerprint["calibrate"], "maxiter": 4}}
    with pytest.raises(InputError, match=r"calibrate\.resume: .*other settings or data: calibrate\.maxiter is 3 "
                                         r"there, 4 here"):
        Checkpoint.resume(tmp_path / "ck", other)
    assert Checkpoint(tmp_path / "x", other, started=again.started).digest != again.digest
    again.remove()
    assert not (tmp_path / "ck").exists()


def test_a_parameter_added_at_its_neutral_default_leaves_the_fingerprint_as_it_was():
    """`commitment_fading` came after the committed calibration: at its default (0, commitments held
    for good, as before) a calibration describes the same model and keeps its digest; at any other
    value it is another model and another digest."""
    from sim.calibrate import calibration_settings
    from sim.params import NEUTRAL_DEFAULTS

    assert NEUTRAL_DEFAULTS == {"commitment_fading": 0.0, "migration_counterpart": 0.0,
                                "migration_curvature": 0.0}
    settings, params = calibration_settings()
    assert params["commitment_fading"] == 0.0

    def digest(base: dict) -> str:
        return digest_of(settings, base)

    without = {k: v for k, v in params.items() if k != "commitment_fading"}
    assert digest(params) == digest(without)
    assert digest(params | {"commitment_fading": 1.0}) != digest(params)

# ---------------------------------------------------------------- the app, stopped and resumed

TINY = ["calibrate.maxiter=3", "calibrate.popsize=2", "calibrate.replicates=2",
        "calibrate.report_replicates=4", "calibrate.restarts=2",
        "calibrate.out_of_sample_origins=[2018-12]"]


def calibrate(*args: str, stamp: int, wait: bool = True,
              log: Path | None = None) -> subprocess.Popen | subprocess.CompletedProcess:
    """``python -m sim.calibrate`` with ``TINY`` and ``args``, its clock at ``stamp``; without
    ``wait``, started, its output going to ``log`` (None: discarded)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(stamp)}
    command = [sys.executable, "-m", "sim.calibrate", *TINY, *args]
    if wait:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    with open(log or os.devnull, "w") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def stop_when(proc: subprocess.Popen, checkpoint: Path, ready, sig: int) -> dict:
    """Send ``sig`` as soon as the checkpoint satisfies ``ready``; the checkpoint it left."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            data = json.loads(checkpoint.read_text())
        except (OSError, ValueError):  # not written yet (it is never seen half-written)
            data = None
        if data is not None and ready(data):
            proc.send_signal(sig)
            break
        time.sleep(0.005)
    proc.wait(timeout=600)
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 128 + sig)
    return json.loads(checkpoint.read_text())


def without_wall_times(value):
    if isinstance(value, dict):
        return {k: without_wall_times(v) for k, v in value.items() if k != "wall_time_s"}
    if isinstance(value, list):
        return [without_wall_times(v) for v in value]
    return value


@pytest.mark.slow
def test_calibration_killed_twice_and_resumed_ends_with_the_uninterrupted_result(tmp_path):
    """SIGTERM during the first fit, ``kill -9`` during a later fit, each time resumed: the same
    calibrated.yaml bytes and fit_report.json (wall times aside) as a run never stopped, and as a
    run fitting in one process (the others fit side by side on every core)."""
    before = CALIBRATED_CONFIG.read_bytes() if CALIBRATED_CONFIG.exists() else None
    whole = calibrate(f"hydra.run.dir={tmp_path / 'whole'}", stamp=1_700_000_000)
    assert whole.returncode == 0, whole.stderr
    assert not default_folder(tmp_path / "whole").exists()  # removed once the results are written

    stopped = tmp_path / "stopped"
    checkpoint = default_folder(stopped) / CHECKPOINT_FILE
    first = calibrate(f"hydra.run.dir={stopped}", stamp=1_700_000_000, wait=False, log=tmp_path / "first.log")
    left = stop_when(first, checkpoint, lambda c: c["current"].get("main", {}).get("generation", 0) >= 1,
                     signal.SIGTERM)
    assert "main" in left["current"] and "main" not in left["finished"]
    said = (tmp_path / "first.log").read_text()
    assert "calibrate.resume=" in said  # one message, no warning of what the stopped workers left
    assert "Traceback" not in said and "leaked" not in said

    mismatch = calibrate(f"calibrate.resume={stopped}", "calibrate.maxiter=4",
                         f"hydra.run.dir={tmp_path / 'refused'}", stamp=1_800_000_000)
    assert mismatch.returncode == 2
    assert "calibrate.resume" in mismatch.stderr and "calibrate.maxiter" in mismatch.stderr

    second = calibrate(f"calibrate.resume={stopped}", f"hydra.run.dir={tmp_path / 'second'}",
                       stamp=1_800_000_000, wait=False)
    left = stop_when(second, checkpoint, lambda c: "main" in c["finished"] and c["current"],
                     signal.SIGKILL)
    assert "main" in left["finished"] and left["current"] and "main" not in left["current"]
    assert not (tmp_path / "second" / "fit_report.json").exists()

    # a later clock (SOURCE_DATE_EPOCH) changes nothing: the header carries the settings' digest
    third = calibrate(f"calibrate.resume={default_folder(stopped)}", f"hydra.run.dir={tmp_path / 'third'}",
                      stamp=1_900_000_000)
    assert third.returncode == 0, third.stderr
    assert "resumed after generation" in third.stdout + third.stderr
    assert not default_folder(stopped).exists()

    alone = calibrate("calibrate.workers=1", f"hydra.run.dir={tmp_path / 'alone'}", stamp=1_700_000_000)
    assert alone.returncode == 0, alone.stderr
    for name in ("third", "alone"):
        assert (tmp_path / name / "calibrated.yaml").read_bytes() == \
            (tmp_path / "whole" / "calibrated.yaml").read_bytes()
    reports = [json.loads((tmp_path / name / "fit_report.json").read_text())
               for name in ("whole", "third", "alone")]
    assert without_wall_times(reports[1]) == without_wall_times(reports[0]) == without_wall_times(reports[2])
    assert (CALIBRATED_CONFIG.read_bytes() if CALIBRATED_CONFIG.exists() else None) == before


def test_a_checkpoint_is_refused_once_the_points_it_was_fitted_to_change(tmp_path):
    """The same settings fitted to other points are another calibration: the fingerprint holds the
    digests of the scenario and the target files, and a resume after a coded point changed names it."""
    import shutil

    from sim.calibrate import calibration_settings, open_checkpoint
    from sim.targets import target_path

    settings, params = calibration_settings()
    points = tmp_path / "italy_tilt.csv"
    shutil.copy(target_path("italy_tilt"), points)
    settings = {**settings, "targets": str(points), "checkpoint_dir": str(tmp_path / "ck")}
    made = open_checkpoint(settings, params, tmp_path / "run")
    resume = {**settings, "resume": str(tmp_path / "ck")}
    assert open_checkpoint(resume, params, tmp_path / "run").digest == made.digest
    text = points.read_text(encoding="utf-8")
    points.write_text(text.replace("2019-08,0.15,", "2019-08,0.20,"), encoding="utf-8")
    assert points.read_text(encoding="utf-8") != text
    with pytest.raises(InputError, match=r"other settings or data: data\.targets is "):
        open_checkpoint(resume, params, tmp_path / "run")


def test_a_scenarios_digest_follows_its_data_not_its_layout(tmp_path):
    from sim.scenario import scenario_digest
    from sim.scenario.loader import resolve_scenario_path

    history = scenario_digest("libya_2014_2019")
    copy = tmp_path / "history.yaml"
    copy.write_text("# a comment changes nothing\n" + resolve_scenario_path("libya_2014_2019").read_text(
        encoding="utf-8"), encoding="utf-8")
    assert scenario_digest(copy) == history
    assert scenario_digest("counterfactuals/france_neutral") != history  # its extends: chain merged
    copy.write_text(copy.read_text(encoding="utf-8").replace("value: -0.5,", "value: -0.4,", 1), encoding="utf-8")
    assert scenario_digest(copy) != history


def test_a_calibrations_digest_leaves_out_the_estimates_ranges_it_does_not_read(tmp_path):
    """A range revised (read by `sim.robustness` alone) changes the scenario's full digest but not
    the one a calibration's header names; the value it bounds, or its source, changes both."""
    from sim.scenario import scenario_digest
    from sim.scenario.loader import resolve_scenario_path

    text = resolve_scenario_path("libya_2014_2019").read_text(encoding="utf-8")
    range_marked = "islamist: [0.75, 1.0]"
    assert text.count(range_marked) == 1
    copy = tmp_path / "history.yaml"
    copy.write_text(text.replace(range_marked, "islamist: [0.7, 1.0]"), encoding="utf-8")
    assert scenario_digest(copy) != scenario_digest("libya_2014_2019")
    assert scenario_digest(copy, ranges=False) == scenario_digest("libya_2014_2019", ranges=False)
    for value_or_source in (("extremist: 0.6\n", "extremist: 0.5\n"),
                            ("extremist 0.6 is an estimate", "extremist 0.6 is a guess")):
        assert text.count(value_or_source[0]) == 1
        copy.write_text(text.replace(*value_or_source), encoding="utf-8")
        assert scenario_digest(copy, ranges=False) != scenario_digest("libya_2014_2019", ranges=False)
