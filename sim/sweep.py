"""``python -m sim.sweep sweep=NAME``: vary parameters over a design and measure outcomes.

The named sweep (``configs/sweep/NAME.yaml``) gives the dimensions (model parameters, interest
scales, state weights, the seed), the design (grid, lhs, sobol, morris), the replicates and the
outcomes. Every point x replicate runs on the batched model, a chunk of points per model run
(sized to ``memory_budget_mb``), each chunk checkpointed so that ``sweep.resume`` continues a
stopped sweep. Writes ``design.parquet``, ``outcomes.parquet``, ``sensitivity.json`` (sobol, morris),
``sweep.json`` (sizes and timing), the figures and the resolved ``config.yaml``. docs/sweeps.md.

    python -m sim.sweep sweep=smoke
    python -m sim.sweep sweep=italy_sobol sweep.n=512 sweep.replicates=16
    python -m sim.sweep sweep=italy_sobol sweep.cluster=local        # chunks on a Dask LocalCluster
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.checkpoint import write_atomic
from sim.config import CONFIG_DIR, check_params_option, plain, register_configs
from sim.errors import InputError
from sim.output import BAD_INPUT, claimed, exit_with, write_config, write_json
from sim.params import resolve_params
from sim.plotting import save_figure
from sim.simulate import prepare_scenario
from sim.sweeps.analysis import ANALYSED, outcome_series, sensitivity
from sim.sweeps.cluster import check_cluster, connected
from sim.sweeps.design import EVERY_ESTIMATE, SEED, make_design, parse_dimensions
from sim.sweeps.evaluate import ModelEvaluator, chunk_points, run_chunks
from sim.sweeps.outcomes import parse_outcomes
from sim.sweeps.plots import plot_heatmaps, plot_indices, plot_scatter
from sim.sweeps.settings import register_sweep_schema

log = logging.getLogger(__name__)
register_configs()
register_sweep_schema()

#: The file in a checkpoint folder naming the settings its chunks were made with.
FINGERPRINT = "settings.json"
#: Settings that may differ between a stopped sweep and its resumption.
RESUME_FREE = ("resume", "checkpoint_dir", "progress", "plots", "scatter_dimensions", "cluster", "workers")


def checkpoint_folder(run_dir: Path, sweep: dict) -> Path:
    """Where a sweep's chunks are saved: ``resume`` (a path), ``checkpoint_dir``, or
    ``.checkpoints/<run folder's name>`` beside the run folder."""
    resume = sweep["resume"]
    if isinstance(resume, str) and resume.lower() not in ("true", "false"):
        return Path(resume).expanduser()
    if sweep["checkpoint_dir"]:
        return Path(sweep["checkpoint_dir"]).expanduser()
    return run_dir.parent / ".checkpoints" / run_dir.name


def fingerprint(settings: dict) -> dict:
    """What a checkpoint folder's chunks depend on: every setting but `RESUME_FREE`."""
    sweep = {k: v for k, v in settings["sweep"].items() if k not in RESUME_FREE}
    kept = {**{k: v for k, v in settings.items() if k != "sweep"}, "sweep": sweep}
    return {"sha256": hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest(),
            "settings": kept}


def open_checkpoints(folder: Path, settings: dict) -> None:
    """Create the checkpoint folder of a fresh sweep, or check that a resumed one matches.

    Raises:
        InputError: resuming a folder without checkpoints or made with other settings, or
            starting afresh on a folder that holds another sweep's chunks.
    """
    mark = fingerprint(settings)
    path = folder / FINGERPRINT
    resume = settings["sweep"]["resume"]
    resuming = resume not in (None, False, "false")
    if resuming:
        if not path.exists():
            raise InputError(str(folder), "sweep.resume", "holds no sweep checkpoints to resume")
        if json.loads(path.read_text(encoding="utf-8"))["sha256"] != mark["sha256"]:
            raise InputError(str(folder), "sweep.resume", "was made with other settings; resume with "
                             "the same sweep, parameters and scenario")
        return
    if folder.exists() and any(folder.glob("chunk_*.parquet")):
        raise InputError(str(folder), "checkpoint folder", "already holds a sweep's chunks: continue it "
                         "with sweep.resume, or remove the folder")
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(mark, indent=2) + "\n")


def sweep(settings: dict, run_dir: Path, folder: Path) -> dict[str, Any]:
    """Validate, run (or resume) the sweep, and write every output into the staging ``folder``."""
    started = time.perf_counter()
    sw = settings["sweep"]
    scenario = prepare_scenario(settings["scenario"], None, settings["scenario_dir"])
    dimensions = parse_dimensions(sw["dimensions"], scenario.state_ids, estimates=scenario.estimates)
    outcomes = parse_outcomes(sw["outcomes"], scenario)
    if sw["replicates"] < 1:
        raise InputError("config", "sweep.replicates", f"must be at least 1, not {sw['replicates']}")
    if sw["focus_state"] not in scenario.state_ids:
        raise InputError("config", "sweep.focus_state", f"unknown state {sw['focus_state']!r}")
    scatter_dimensions(sw, [d.name for d in dimensions])
    design = make_design(dimensions, sw["design"], n=sw["n"], seed=sw["design_seed"],
                         morris_levels=sw["morris_levels"])
    resolve_params(settings["params"], scenario, 1)  # the base parameters are valid before anything runs
    check_cluster(sw["cluster"])
    checkpoints = checkpoint_folder(run_dir, sw)
    per_chunk = chunk_points(scenario, sw["replicates"], sw["memory_budget_mb"])
    evaluator = ModelEvaluator(scenario, settings["params"], dimensions, outcomes,
                               replicates=sw["replicates"], seed=sw["seed"])
    with connected(sw["cluster"], workers=sw["workers"]) as client:  # reached before any file is made
        open_checkpoints(checkpoints, settings)
        table = run_chunks(design, evaluator, points_per_chunk=per_chunk, checkpoint_dir=checkpoints,
                           progress=sw["progress"], replicates=sw["replicates"], client=client)
    elapsed = time.perf_counter() - started
    names = [o.name for o in outcomes]
    write_config(settings, folder / "config.yaml")
    design.to_parquet(folder / "design.parquet", index=False)
    table.to_parquet(folder / "outcomes.parquet", index=False)
    report = None
    if sw["design"] in ANALYSED:
        report = sensitivity(sw["design"], design, table, dimensions, names, seed=sw["design_seed"],
                             morris_levels=sw["morris_levels"])
        write_json(report, folder / "sensitivity.json")
    runs = len(design) * sw["replicates"]
    summary = {"design": sw["design"], "cluster": sw["cluster"], "points": len(design),
               "replicates": sw["replicates"], "replicate_runs": runs, "points_per_chunk": per_chunk,
               "chunks": -(-len(design) // per_chunk), "wall_time_s": elapsed,
               "replicate_runs_per_s": runs / elapsed if elapsed > 0 else None}
    write_json(summary, folder / "sweep.json")
    if sw["plots"]:
        write_plots(folder, design, table, names, sw, report)
    return {**summary, "checkpoints": checkpoints}


def scatter_dimensions(sw: dict, available: list[str] | None = None) -> list[str]:
    """The dimensions ``outcomes.png`` draws: ``sweep.scatter_dimensions`` (each one of the sweep's
    dimensions, none twice), or, when it is null, every dimension the config names (those an
    ``estimates.*`` entry adds only when chosen: there may be a hundred).

    Args:
        sw: the ``sweep`` settings.
        available: every dimension of the sweep (with those ``estimates.*`` adds); None: the names
            of ``sw["dimensions"]``.
    """
    named = [d["name"] for d in sw["dimensions"] if d["name"] != EVERY_ESTIMATE]
    every = named if available is None else list(available)
    chosen = sw.get("scatter_dimensions")
    if chosen is None:
        return named
    shown = every if len(every) <= 20 else [*every[:20], f"... ({len(every)} in all)"]
    for i, name in enumerate(chosen):
        if name not in every or chosen.index(name) != i:
            raise InputError("config", f"sweep.scatter_dimensions[{i}]", f"is {name!r}; each entry "
                             f"once, one of the sweep's dimensions: {shown}")
    if not chosen:
        raise InputError("config", "sweep.scatter_dimensions", f"is empty; null for every dimension, "
                         f"or some of {shown}")
    return list(chosen)


def write_plots(folder: Path, design: pd.DataFrame, table: pd.DataFrame, names: list[str], sw: dict,
                report: dict | None) -> None:
    """indices.png (sobol, morris), outcomes.png (each focus outcome against each dimension) and,
    for a grid of two or more dimensions, heatmap.png over the first two."""
    focus = {k: v for k, v in outcome_series(table, names).items() if k.endswith(f"[{sw['focus_state']}]")}
    if report:
        save_figure(plot_indices(report, sw["design"]), folder / "indices.png")
    drawn = scatter_dimensions(sw, [c for c in design.columns if c != "point"])
    if drawn:
        save_figure(plot_scatter(design, focus, drawn), folder / "outcomes.png")
    gridded = [c for c in design.columns if c not in ("point", SEED)]
    if sw["design"] == "grid" and len(gridded) >= 2:
        save_figure(plot_heatmaps(design, focus, gridded[0], gridded[1]), folder / "heatmap.png")


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="sweep")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    settings = plain(cfg)
    try:
        with claimed(run_dir) as folder:
            check_params_option()
            done = sweep(settings, run_dir, folder)
    except KeyboardInterrupt:
        checkpoints = checkpoint_folder(run_dir, settings["sweep"])
        print(f"stopped: the finished chunks are in {checkpoints}; continue with the same settings and "
              f"sweep.resume={checkpoints}", file=sys.stderr)
        sys.exit(130)
    except BAD_INPUT as exc:
        exit_with(exc, run_dir)
    shutil.rmtree(done["checkpoints"], ignore_errors=True)  # the results are published
    if done["checkpoints"] == checkpoint_folder(run_dir, {"resume": None, "checkpoint_dir": None}):
        with contextlib.suppress(OSError):
            done["checkpoints"].parent.rmdir()  # the default .checkpoints/, if no other sweep's are left
    log.info("%s: %d points x %d replicates in %.1f s (%.0f replicate runs/s) -> %s", done["design"],
             done["points"], done["replicates"], done["wall_time_s"], done["replicate_runs_per_s"], run_dir)


if __name__ == "__main__":
    main()
