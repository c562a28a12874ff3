"""A calibration's fits run side by side give what each fit gives alone, checkpointed by the parent."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from sim.calibrate import build_calibrator, calibration_settings, fit_jobs, fit_key, origin_mask, worker_count
from sim.checkpoint import CHECKPOINT_FILE, Checkpoint
from sim.errors import InputError
from sim.parallel_fits import FitJob, run_fits
from tests.conftest import ROOT, digest_of

#: A calibration small enough to fit in seconds: two seeds, one rolling origin.
TINY = ["calibrate.maxiter=3", "calibrate.popsize=2", "calibrate.replicates=2",
        "calibrate.report_replicates=4", "calibrate.restarts=2",
        "calibrate.out_of_sample_origins=[2018-12]"]


@pytest.fixture(scope="module")
def tiny():
    settings, params = calibration_settings(TINY)
    return settings, params, build_calibrator(settings, params)


def test_the_fits_keep_the_names_earlier_checkpoints_gave_them(tiny):
    settings, _, cal = tiny
    assert [fit_key(None, 0), fit_key(None, 2), fit_key("2018-06", 0), fit_key("2018-06", 1)] == \
        ["main", "restart 2", "out_of_sample 2018-06", "out_of_sample 2018-06 restart 1"]
    origin = origin_mask(cal, "2018-12")[1]
    assert fit_jobs(cal, settings) == [
        FitJob("main", 0, None), FitJob("restart 1", 1, None),
        FitJob("out_of_sample 2018-12", 0, origin), FitJob("out_of_sample 2018-12 restart 1", 1, origin)]


def test_fits_run_in_workers_equal_the_same_fits_run_here(tiny, tmp_path):
    settings, params, cal = tiny
    jobs = fit_jobs(cal, settings)
    checkpoint = Checkpoint.create(tmp_path / "ck", {}, started="2026-01-02T03:04:05Z")
    run_fits(settings, params, jobs, checkpoint, workers=2)
    assert set(checkpoint.finished) == {job.key for job in jobs} and not checkpoint.current
    saved = json.loads((tmp_path / "ck" / CHECKPOINT_FILE).read_text())
    assert saved["format"] == 2 and saved["current"] == {} and set(saved["finished"]) == set(checkpoint.finished)
    for job in jobs:
        alone = cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                        optimizer_seed=job.optimizer_seed, until=job.until, progress=False)
        np.testing.assert_array_equal(np.asarray(checkpoint.finished[job.key]["x"]), alone["x"])
        assert checkpoint.finished[job.key]["objective"] == alone["objective"]
        assert checkpoint.finished[job.key]["evaluations"] == alone["evaluations"]


def test_a_fit_under_way_is_continued_from_its_saved_state(tiny, tmp_path):
    settings, params, cal = tiny
    job = fit_jobs(cal, settings)[1]
    states = []
    whole = cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                    optimizer_seed=job.optimizer_seed, progress=False, on_generation=states.append)
    checkpoint = Checkpoint.create(tmp_path / "ck", {}, started="2026-01-02T03:04:05Z")
    checkpoint.progress(job.key, json.loads(json.dumps(states[0])))  # as a stopped run left it
    saved, save = [], checkpoint.progress

    def record(key, state):
        saved.append((key, state["generation"]))
        save(key, state)

    checkpoint.progress = record
    run_fits(settings, params, [FitJob("main", 0), job], checkpoint, workers=2)
    assert saved, "the workers' finished generations are saved as they come"
    for key in {k for k, _ in saved}:
        generations = [g for k, g in saved if k == key]
        assert generations == sorted(set(generations)) and generations[-1] <= settings["maxiter"]
    assert all(g > 1 for k, g in saved if k == job.key)  # continued after its saved generation
    np.testing.assert_array_equal(np.asarray(checkpoint.finished[job.key]["x"]), whole["x"])
    assert checkpoint.finished[job.key]["generations"] == settings["maxiter"]
    assert checkpoint.finished[job.key]["evaluations"] == whole["evaluations"]


def test_a_checkpoint_of_the_first_format_resumes_its_fit_under_way(tmp_path):
    state = {"generation": 2, "evaluations": 8, "wall_time_s": 1.0, "solver": {}}
    folder = tmp_path / "ck"
    folder.mkdir()
    (folder / CHECKPOINT_FILE).write_text(json.dumps({
        "format": 1, "started": "2026-01-02T03:04:05Z", "fingerprint": {"a": 1}, "finished": {},
        "current": {"key": "restart 1", "state": state}}))
    assert Checkpoint.resume(folder, {"a": 1}).current == {"restart 1": state}
    (folder / CHECKPOINT_FILE).write_text(json.dumps({
        "format": 9, "started": "2026-01-02T03:04:05Z", "fingerprint": {"a": 1}, "finished": {},
        "current": {}}))
    with pytest.raises(InputError, match=r"calibrate\.resume: .* no checkpoint of format 1 or 2 "
                                         r"\(found format 9\)"):
        Checkpoint.resume(folder, {"a": 1})


@pytest.mark.parametrize("workers", [0, -2, 1.5, "two", True])
def test_workers_must_be_a_positive_count(workers):
    with pytest.raises(InputError, match=r"calibrate\.workers: is .*; a positive integer, or null"):
        worker_count({"workers": workers})
    assert worker_count({"workers": None}) >= 1 and worker_count({"workers": 3}) == 3


def test_the_number_of_workers_leaves_the_calibrations_digest_as_it_was():
    settings, params = calibration_settings([])
    assert settings["workers"] is None
    assert digest_of({**settings, "workers": 7}, params) == digest_of(settings, params)


def test_a_bad_worker_count_stops_the_command_before_its_folder(tmp_path):
    run = subprocess.run([sys.executable, "-m", "sim.calibrate", *TINY, "calibrate.workers=0",
                          f"hydra.run.dir={tmp_path / 'run'}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 2
    assert "calibrate.workers" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "run").exists()
