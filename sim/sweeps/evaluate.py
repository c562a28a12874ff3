"""Evaluate a design in chunks: each chunk of points is one batched model run, checkpointed.

`run_chunks` takes any evaluation function (points -> outcome rows), so that a test can sweep a
function with known sensitivity indices through the same path as the model (`ModelEvaluator`).
Each finished chunk is written atomically to the checkpoint folder; a later call with the same
folder reads the finished chunks instead of running them again, so a stopped sweep resumes and
ends with the same tables as one never stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.calibration import FreeParameter, apply_values
from sim.checkpoint import write_atomic
from sim.memory import per_replicate_bytes
from sim.model import AlignmentModel
from sim.scenario import Scenario
from sim.scenario.estimates import with_values
from sim.sweeps.design import SEED, Dimension
from sim.sweeps.outcomes import Outcome, outcome_table

#: An evaluation function: the design's rows of one chunk -> outcome rows (column ``point`` first).
Evaluate = Callable[[pd.DataFrame], pd.DataFrame]


def chunk_points(scenario: Scenario, replicates: int, budget_mb: float) -> int:
    """Points per chunk so that one chunk's model fits in ``budget_mb`` megabytes (at least 1).

    Args:
        scenario: the swept scenario (its months, states, factions, assets).
        replicates: replicates per point.
        budget_mb: memory a chunk's model may take, MiB (beyond the interpreter's own).
    """
    each = per_replicate_bytes(months=scenario.n_months, states=len(scenario.states),
                               factions=len(scenario.factions), assets=len(scenario.assets), record="tilt")
    return max(1, int(budget_mb * 2**20 // (each * replicates)))


class ModelEvaluator:
    """The model as an evaluation function: every point of a chunk x ``replicates`` in one batched
    run, all points on the same replicate streams (common random numbers).

    Args:
        scenario: the swept scenario.
        base_params: the parameters the dimensions are set on (plain mapping).
        dimensions: the varied inputs. Seed and estimate dimensions cannot vary inside one batched
            model: the points of a chunk are grouped by their seed and estimates, one model each.
        outcomes: what is measured.
        replicates: replicates per point.
        seed: the model's seed (when no dimension sets it).
    """

    def __init__(self, scenario: Scenario, base_params: Mapping[str, Any], dimensions: Sequence[Dimension],
                 outcomes: Sequence[Outcome], *, replicates: int, seed: int) -> None:
        self.scenario = scenario
        self.base = dict(base_params)
        self.free = [FreeParameter(d.name, *d.bounds) for d in dimensions
                     if d.name != SEED and not d.is_estimate]
        self.estimates = {d.name: d.path for d in dimensions if d.is_estimate}
        self.grouping = [SEED] * any(d.name == SEED for d in dimensions) + list(self.estimates)
        self.outcomes = list(outcomes)
        self.replicates = int(replicates)
        self.seed = int(seed)

    def __call__(self, points: pd.DataFrame) -> pd.DataFrame:
        if not self.grouping:
            return self._run(points, self.scenario, self.seed)
        tables = []
        for _, group in points.groupby(self.grouping, sort=False):
            first = group.iloc[0]
            seed = int(first[SEED]) if SEED in self.grouping else self.seed
            values = {path: float(first[name]) for name, path in self.estimates.items()}
            scenario = with_values(self.scenario, values) if values else self.scenario
            tables.append(self._run(group, scenario, seed))
        return pd.concat(tables).sort_values("point", kind="stable").reset_index(drop=True)

    def _run(self, points: pd.DataFrame, scenario: Scenario, seed: int) -> pd.DataFrame:
        n, count = self.replicates, len(points)
        values = [np.repeat(points[p.name].to_numpy(dtype=float), n) for p in self.free]
        params = apply_values(self.base, self.free, values)
        model = AlignmentModel(scenario, params, replicates=count * n, seed=seed, record="tilt",
                               replicate_ids=np.tile(np.arange(n), count))
        try:
            model.run()
            tilt = model.tilt_history.reshape(self.scenario.n_months, count, n, -1)
            return outcome_table(tilt, self.outcomes, self.scenario.state_ids, points["point"].to_numpy())
        finally:
            model.release()


def chunk_path(folder: Path, index: int) -> Path:
    return folder / f"chunk_{index:05d}.parquet"


def run_chunks(design: pd.DataFrame, evaluate: Evaluate, *, points_per_chunk: int,
               checkpoint_dir: Path | None = None, progress: bool = True,
               replicates: int = 1, client: Any = None) -> pd.DataFrame:
    """Every point of ``design`` through ``evaluate``, ``points_per_chunk`` points at a time.

    Args:
        design: the points (column ``point`` and one per dimension).
        evaluate: the evaluation function (e.g. a `ModelEvaluator`); sent once to each worker
            when ``client`` is given.
        points_per_chunk: points per call of ``evaluate``.
        checkpoint_dir: where each finished chunk is saved (and read back from on resume); None to
            keep them in memory only.
        progress: show a progress bar (with the ETA) over the replicate runs.
        replicates: replicates per point, for the progress bar's unit.
        client: a `distributed.Client`: the chunks become tasks on its cluster; None to run them
            here, one after another.

    Returns:
        The chunks' outcome rows, in the design's order (the same wherever the chunks ran).
    """
    starts = range(0, len(design), points_per_chunk)
    chunks = [design.iloc[start:start + points_per_chunk] for start in starts]
    paths = [None if checkpoint_dir is None else chunk_path(checkpoint_dir, i) for i in range(len(chunks))]
    tables: dict[int, pd.DataFrame] = {}
    with tqdm(total=len(design) * replicates, desc="sweeping", unit="run", disable=not progress,
              smoothing=0.1) as bar:

        def finished(index: int, table: pd.DataFrame) -> None:
            path = paths[index]
            if path is not None:
                write_atomically(table, path)
                table = pd.read_parquet(path)  # the same types whether read back or just run
            tables[index] = table
            bar.update(len(chunks[index]) * replicates)

        for index, path in enumerate(paths):
            if path is not None and path.exists():
                tables[index] = pd.read_parquet(path)
                bar.update(len(chunks[index]) * replicates)
        missing = [i for i in range(len(chunks)) if i not in tables]
        if client is None:
            for index in missing:
                finished(index, evaluate(chunks[index]))
        elif missing:
            from distributed import as_completed

            remote = client.scatter(evaluate, broadcast=True)
            futures = {client.submit(_apply, remote, chunks[i], pure=False): i for i in missing}
            for future in as_completed(futures):
                finished(futures[future], future.result())
                future.release()
    return pd.concat([tables[i] for i in range(len(chunks))], ignore_index=True)


def _apply(evaluate: Evaluate, chunk: pd.DataFrame) -> pd.DataFrame:
    return evaluate(chunk)


def write_atomically(table: pd.DataFrame, path: Path) -> None:
    """Write a parquet file whole or not at all (`sim.checkpoint.write_atomic`)."""
    write_atomic(path, table.to_parquet(index=False))
