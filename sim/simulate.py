"""Run a scenario: the one path shared by `python -m sim.run`, `sim.simulate` and the other apps."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from sim.dates import parse_month
from sim.errors import InputError, ParameterError, ScenarioError, brief
from sim.model import AlignmentModel
from sim.posterior import PosteriorDraws, checked_posterior
from sim.results import SimulationResult
from sim.scenario import Scenario, load_scenario
from sim.scenario.estimates import with_estimates

#: Runs with more replicate-months than this show a progress bar.
PROGRESS_THRESHOLD = 20_000


def _is_dir(path: Path) -> bool:
    """``path.is_dir()``, False for a name no folder can have (too long, or with a NUL byte)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def prepare_scenario(name: str, end: str | None = None, scenario_dir: str | None = None) -> Scenario:
    """Load a scenario and, if ``end`` is given, stop it at that month (validated).

    Args:
        name: a scenario name or a path to a YAML file.
        end: optional last month ``YYYY-MM``.
        scenario_dir: where names are looked up (None: the project's ``scenarios/``).
    """
    directory = None if scenario_dir is None else Path(scenario_dir).expanduser()
    if directory is not None and not _is_dir(directory):
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
    posterior: PosteriorDraws | None = None,
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
        posterior: draws of the fitted parameters; replicate k runs with draw k mod N (counting
            from ``first_replicate``), the draws replacing those parameters in ``params``.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    if posterior is not None:
        params = posterior.applied(params, replicates, first_replicate)
    model = AlignmentModel(scenario, params, replicates=replicates, seed=seed,
                           first_replicate=first_replicate, record=record)
    show = progress and replicates * scenario.n_months > PROGRESS_THRESHOLD
    with tqdm(total=scenario.n_months, unit="month", disable=not show, delay=0.5,
              desc=f"{scenario.name} x{replicates}") as bar:
        model.run(progress=bar.update)
    result = SimulationResult.from_model(model, dict(config or {}), time.perf_counter() - started)
    model.release()
    return result


def run_from_config(cfg: Any, progress: bool | None = None,
                    estimates: Mapping[str, float] | None = None) -> SimulationResult:
    """Execute a composed run configuration (see `sim.config.RunConfig`), if it fits in memory,
    with the scenario's ``estimates`` (path -> value, checked by
    `sim.scenario.estimates.with_estimates`) in place of its own."""
    from sim.config import plain
    from sim.memory import check_fits, estimate

    settings = plain(cfg)
    scenario = prepare_scenario(settings["scenario"], settings.get("end"), settings.get("scenario_dir"))
    if estimates:
        scenario = with_estimates(scenario, estimates)
        settings["estimates"] = dict(estimates)  # the record of the run says what it set
    record = settings.get("record", "full")
    check_fits(estimate(replicates=settings["replicates"], months=scenario.n_months,
                        states=len(scenario.states), factions=len(scenario.factions),
                        assets=len(scenario.assets), record=record),
               replicates=settings["replicates"], record=record)
    show = settings.get("progress", True) if progress is None else progress
    return execute(scenario, params=settings["params"], replicates=settings["replicates"],
                   seed=settings["seed"], first_replicate=settings.get("first_replicate", 0),
                   record=record, progress=show, config=settings,
                   posterior=checked_posterior(settings.get("posterior")))


def simulate(
    scenario: str | os.PathLike = "libya_2014_2019",
    replicates: int = 100,
    seed: int = 0,
    *,
    params: Mapping[str, Any] | None = None,
    estimates: Mapping[str, float] | None = None,
    overrides: list[str] | None = None,
    progress: bool = False,
) -> SimulationResult:
    """Run a scenario from Python (notebooks): the same composition as ``python -m sim.run``.

    Args:
        scenario: name of ``scenarios/NAME.yaml`` or a path.
        replicates: number of replicates R (a positive integer).
        seed: non-negative integer seed.
        params: parameter values replacing the configured ones; values may be one number per
            replicate (sequences of length R), which a config cannot express.
        estimates: values replacing the scenario's own for some of its estimates (the numbers its
            file marks ``estimates:``, named by path, e.g. ``{"factions.SHURA_COUNCILS.extremist":
            0.4}``), each within its plausible range (`sim.scenario.estimates.with_estimates`).
        overrides: Hydra overrides as on the command line, e.g. ``["params=default", "end=2018-12"]``;
            one that sets ``scenario``, ``replicates`` or ``seed`` wins over the argument.
        progress: show a progress bar for large runs.

    Returns:
        A `SimulationResult` with ``.alignment``, ``.tilt`` and ``.control`` DataFrames.

    Raises:
        TypeError, ValueError: an argument of the wrong type or value (the message says which).
        InputError: a bad scenario, parameter or override value (naming the file or entry).
    """
    from sim.config import plain

    if estimates is not None and not isinstance(estimates, Mapping):
        raise TypeError(f"estimates must be a mapping of estimate path to value, got {brief(estimates)}")
    arguments = _checked_arguments(scenario, replicates, seed, params, overrides, progress)
    settings = plain(_compose(arguments["overrides"]))
    for key in ("scenario", "replicates", "seed"):
        if not _overridden(arguments["overrides"], key):
            # Set after composing, not pasted into an override: a name like "a,b" stays a name.
            settings[key] = arguments[key]
    if params is not None:
        settings["params"] = _merged_params(settings["params"], params)
    return run_from_config(settings, progress=progress, estimates=estimates)


def _checked_arguments(scenario: Any, replicates: Any, seed: Any, params: Any, overrides: Any,
                       progress: Any) -> dict:
    """`simulate`'s arguments, checked: TypeError for a wrong type, ValueError for a wrong value.

    Returns:
        ``scenario`` (as text), ``replicates`` and ``seed`` (as int) and ``overrides`` (a list).
    """
    if not isinstance(scenario, str | os.PathLike):
        raise TypeError(f"scenario must be a scenario name or a path, got {brief(scenario)}")
    name = os.fspath(scenario)
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"scenario must be a scenario name or a path, got {brief(scenario)}")
    for label, value, low in (("replicates", replicates, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{label} must be an integer >= {low}, got {brief(value)}")
        if value < low:
            raise ValueError(f"{label} must be an integer >= {low}, got {value}")
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of parameter name to value, got {brief(params)}")
    if isinstance(overrides, str):
        raise TypeError(f"overrides must be a list of strings, e.g. [{brief(overrides)}], not one string")
    if overrides is not None and (not isinstance(overrides, list | tuple)
                                  or not all(isinstance(o, str) for o in overrides)):
        raise TypeError(f"overrides must be a list of strings such as ['end=2018-12'], "
                        f"got {brief(overrides)}")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be true or false, got {brief(progress)}")
    return {"scenario": name, "replicates": int(replicates), "seed": int(seed),
            "overrides": list(overrides or [])}


def _compose(overrides: list[str]) -> Any:
    """The run configuration with ``overrides``; Hydra's refusal becomes one ValueError."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.config import compose_config

    try:
        return compose_config(overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        lines = [line for line in str(exc).splitlines() if line.strip() and "hydra.cc" not in line]
        cause = f" ({str(exc.__cause__).splitlines()[0]})" if exc.__cause__ else ""
        raise ValueError(f"overrides {brief(overrides, 200)} cannot be applied: "
                         f"{'; '.join(lines)}{cause}") from None


def _overridden(overrides: list[str], key: str) -> bool:
    """Whether one of ``overrides`` (``key=...``, ``+key=...``, ``++key=...``) sets ``key``."""
    return any(o.lstrip("+~").split("=", 1)[0].strip() == key for o in overrides)


def _merged_params(configured: dict, params: Mapping) -> dict:
    """The configured parameters with ``params`` in place (state weights merged state by state)."""
    merged = dict(configured)
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError(f"params: the key {brief(key)} is not a parameter name (a string)")
        if key == "state_weights" and isinstance(value, Mapping):
            weights = {s: dict(w) for s, w in (merged.get("state_weights") or {}).items()}
            for state, interests in value.items():
                if not isinstance(interests, Mapping):
                    raise ParameterError("params", f"state_weights.{state}",
                                         f"is {brief(interests)}; a mapping of interest to weight")
                weights.setdefault(state, {}).update(interests)
            merged["state_weights"] = weights
        elif key == "interest_scales" and isinstance(value, Mapping):
            merged["interest_scales"] = {**(merged.get("interest_scales") or {}), **value}
        else:
            merged[key] = value
    return merged


__all__ = ["InputError", "execute", "prepare_scenario", "run_from_config", "simulate", "with_estimates"]
