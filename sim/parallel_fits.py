"""A calibration's fits run side by side, one worker process per core, checkpointed by the parent.

The main fit's restarts and every rolling-origin refit are independent searches: each depends only
on the calibration's settings, its optimiser seed and the last month it fits. `run_fits` runs them
in a pool of worker processes and writes each one's progress and result into the run's checkpoint
(`sim.checkpoint.Checkpoint`), from which `sim.calibrate` then takes them. A fit gives the same
numbers in a worker as in the calibrating process, so the results do not depend on ``workers``.

Workers are started as `sim.workers` starts them (``spawn``; Ctrl-C ignored; each ends within half
a second of its parent's death, even a ``kill -9``) and each builds its calibrator from the settings
(`sim.calibrate.build_calibrator`). The parent stops them (`multiprocessing.pool.Pool.terminate`)
on Ctrl-C or SIGTERM. The checkpoint then holds each fit's last finished generation, and
``calibrate.resume`` continues every one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from sim.checkpoint import Checkpoint
from sim.workers import prepare_worker, spawn_pool

log = logging.getLogger(__name__)

#: Seconds the parent waits for a worker's message before looking at the fits' results again.
POLL_S = 0.2


@dataclass(frozen=True)
class FitJob:
    """One search of a calibration.

    Args:
        key: its name in the checkpoint (``main``, ``restart 1``, ``out_of_sample 2018-06``, ...).
        optimizer_seed: differential evolution's seed.
        until: the last month number fitted (None: every point).
    """

    key: str
    optimizer_seed: int
    until: int | None = None


def run_fits(settings: dict, params: dict, jobs: Sequence[FitJob], checkpoint: Checkpoint, *,
             workers: int) -> None:
    """Run every job not yet finished in ``checkpoint``, ``workers`` at a time, each continued from
    its saved state if it has one; their states and results go into ``checkpoint``.

    Args:
        settings: the ``calibrate`` settings (plain data) the calibrator is built from.
        params: the calibration's base parameters (plain data).
        jobs: the searches; keys unique.
        checkpoint: the run's checkpoint, written by this process only.
        workers: processes at most. With fewer than 2 workers or fewer than 2 jobs left to run,
            nothing is run here: `sim.calibrate` fits them in its own process.
    """
    pending = [job for job in jobs if job.key not in checkpoint.finished]
    if workers < 2 or len(pending) < 2:
        return
    maxiter = int(settings["maxiter"])
    done = {job.key: int(checkpoint.current.get(job.key, {}).get("generation", 0)) for job in pending}
    messages = multiprocessing.get_context("spawn").Queue()  # the workers' reports to this process
    processes = min(workers, len(pending))
    log.info("running %d fits in %d worker processes", len(pending), processes)
    with spawn_pool(processes, _start_worker, (settings, params, messages, os.getpid())) as pool, \
            tqdm(total=maxiter * len(pending), initial=sum(done.values()), desc="calibrating",
                 unit="gen") as bar, logging_redirect_tqdm():
        def advance(key: str, generation: int) -> None:
            bar.update(generation - done[key])
            done[key] = generation

        running = {job.key: pool.apply_async(_fit, (job, checkpoint.current.get(job.key)))
                   for job in pending}
        while running:
            for key, state in _waiting(messages):
                if key in running:  # a message may arrive after its fit's result
                    checkpoint.progress(key, state)
                    advance(key, state["generation"])
            for key in [k for k, result in running.items() if result.ready()]:
                fitted = running.pop(key).get()  # a worker's error is raised here
                checkpoint.finish(key, fitted)
                advance(key, fitted["generations"])
                log.info("fit %s: objective %.4f after %d generations", key, fitted["objective"],
                         fitted["generations"])


def _waiting(messages: Any) -> list[tuple[str, dict]]:
    """The workers' messages waiting in ``messages``, after up to ``POLL_S`` seconds for the first."""
    found = []
    try:
        found.append(messages.get(timeout=POLL_S))
        while True:
            found.append(messages.get_nowait())
    except queue.Empty:
        return found


#: The worker's calibrator and its channel to the parent.
_WORKER: dict[str, Any] = {}


def _start_worker(settings: dict, params: dict, messages: Any, parent: int) -> None:
    from sim.calibrate import build_calibrator  # sim.calibrate imports this module

    prepare_worker(parent)
    _WORKER.update(calibrator=build_calibrator(settings, params), settings=settings, messages=messages)


def _fit(job: FitJob, state: dict | None) -> dict:
    settings = _WORKER["settings"]

    def report(progress: dict) -> None:
        _WORKER["messages"].put((job.key, progress))

    return _WORKER["calibrator"].fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                                     optimizer_seed=job.optimizer_seed, until=job.until, state=state,
                                     on_generation=report, progress=False)
