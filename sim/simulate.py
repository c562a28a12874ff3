"""Run a scenario: the one path shared by `python -m sim.run`, `sim.simulate` and the other apps."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.dates import parse_month
from sim.errors import InputError, ScenarioError
from sim.model import AlignmentModel
from sim.results import SimulationResult
from sim.scenario import Scenario, load_scenario

#: Runs with more replicate-months than this show a progress bar.
PROGRESS_THRESHOLD = 20_000


def prepare_scenario(name: str, end: str | None = None, scenario_dir: str | None = None) -> Scenario:
    """Load a scenario and, if ``end`` is given, stop it at that month (validated).

    Args:
        name: a scenario name or a path to a YAML file.
        end: optional last month ``YYYY-MM``.
        scenario_dir: where names are looked up (None: the project's ``scenarios/``).
    """
    directory = None if scenario_dir is None else Path(scenario_dir).expanduser()
    if directory is not None and not directory.is_dir():
        raise ScenarioError(str(directory), "scenario_dir", "is not a folder; give a folder of "
                            "scenario files (NAME.yaml), or null for the project's scenarios")
    scenario = load_scenario(name, directory)
    if end is None:
        return scenario
    try:
        return scenario.truncated(parse_month(end))
    except ValueError as exc:
        raise ScenarioError(scenario.path, "end", f"{exc}") from None


def execute(
    scenario: Scenario,
    *,
    params: Any,
    replicates: int,
    seed: int,
    first_replicate: int = 0,
    record: str = "full",
    progress: bool = False,
    config: Mapping | None = None,
) -> SimulationResult:
    """Build the model, run every month, return the result (all inputs validated first).

    Args:
        scenario: a loaded scenario.
        params: model parameters (mapping, `ModelParams` or OmegaConf node); None for the
            calibrated set.
        replicates: R.
        seed: non-negative integer seed.
        first_replicate: index of the first replicate of this batch.
        record: ``full`` or ``tilt``.
        progress: show a progress bar if the run is large enough to need one.
        config: the resolved configuration to keep with the result.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed,
                           first_replicate=first_replicate, record=record)
    show = progress and replicates * scenario.n_months > PROGRESS_THRESHOLD
    with tqdm(total=scenario.n_months, unit="month", disable=not show, delay=0.5,
              desc=f"{scenario.name} x{replicates}") as bar:
        model.run(progress=bar.update)
    return SimulationResult.from_model(model, dict(config or {}), time.perf_counter() - started)


def run_from_config(cfg: Any, progress: bool | None = None) -> SimulationResult:
    """Execute a composed run configuration (see `sim.config.RunConfig`)."""
    from sim.config import plain

    settings = plain(cfg)
    scenario = prepare_scenario(settings["scenario"], settings.get("end"), settings.get("scenario_dir"))
    show = settings.get("progress", True) if progress is None else progress
    return execute(scenario, params=settings["params"], replicates=settings["replicates"],
                   seed=settings["seed"], first_replicate=settings.get("first_replicate", 0),
                   record=settings.get("record", "full"), progress=show, config=settings)


def simulate(
    scenario: str = "libya_2014_2019",
    replicates: int = 100,
    seed: int = 0,
    *,
    params: Mapping[str, Any] | None = None,
    overrides: list[str] | None = None,
    progress: bool = False,
) -> SimulationResult:
    """Run a scenario from Python (notebooks): the same composition as ``python -m sim.run``.

    Args:
        scenario: name of ``scenarios/NAME.yaml`` or a path.
        replicates: number of replicates R.
        seed: non-negative integer seed.
        params: parameter values replacing the configured ones; values may be one number per
            replicate (sequences of length R), which a config cannot express.
        overrides: Hydra overrides as on the command line, e.g. ``["params=default", "end=2018-12"]``.
        progress: show a progress bar for large runs.

    Returns:
        A `SimulationResult` with ``.alignment``, ``.tilt`` and ``.control`` DataFrames.
    """
    from sim.config import compose_config, plain

    cfg = compose_config([f"scenario={scenario}", f"replicates={replicates}", f"seed={seed}",
                          *(overrides or [])])
    settings = plain(cfg)
    if params:
        merged = dict(settings["params"])
        for key, value in params.items():
            if key == "state_weights" and isinstance(value, Mapping):
                weights = {s: dict(w) for s, w in (merged.get("state_weights") or {}).items()}
                for state, interests in value.items():
                    weights.setdefault(state, {}).update(interests)
                merged["state_weights"] = weights
            elif key == "interest_scales" and isinstance(value, Mapping):
                merged["interest_scales"] = {**(merged.get("interest_scales") or {}), **value}
            else:
                merged[key] = value
        settings["params"] = merged
    return run_from_config(settings, progress=progress)


__all__ = ["InputError", "execute", "prepare_scenario", "run_from_config", "simulate"]
