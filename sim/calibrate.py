"""``python -m sim.calibrate``: fit Italy's weights and the dynamics to the documented points.

Writes to its run folder: ``calibrated.yaml`` (a parameter set), ``fit_report.json``, ``fit.png``,
``tilt.parquet`` (the calibrated ensemble) and the resolved ``config.yaml``. With
``calibrate.write_config=true`` it also writes ``configs/params/calibrated.yaml`` (atomically),
which ``python -m sim.run`` and ``sim.simulate`` then use by default.

After every generation of every fit it saves a checkpoint (`sim.checkpoint`), by default in
``.checkpoints/<run folder's name>`` beside the run folder, removed once the results are written.
A run stopped by Ctrl-C, SIGTERM, ``kill -9`` or a crash continues, given the same settings and
``calibrate.resume=<checkpoint folder or the stopped run's folder>``, and ends with exactly the
results it would have had (the files' date stamp is the first attempt's).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import yaml
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.calibration import Calibrator, FreeParameter, parse_dynamics_priors, read_values
from sim.checkpoint import Checkpoint, default_folder, locate, write_atomic
from sim.config import CONFIG_DIR, check_params_option, compose_config, plain, register_configs
from sim.dates import format_month, parse_month
from sim.errors import InputError, brief
from sim.fit import Pattern, baseline_forecasts, fit_metrics
from sim.output import check_fresh, claimed, exit_with, write_config, write_json
from sim.parallel_fits import FitJob, run_fits
from sim.params import NEUTRAL_DEFAULTS, SCALAR_NAMES, read_parameter_set
from sim.plotting import marks_for, plot_fit, save_figure
from sim.results import SimulationResult
from sim.scenario import Scenario, load_scenario, scenario_digest
from sim.scenario.estimates import entry_key
from sim.simulate import execute
from sim.summary import trajectory_checks, turning_month
from sim.targets import load_state_targets, load_targets, target_digest
from sim.workers import checked_workers

log = logging.getLogger(__name__)
register_configs()

#: Where `write_config` puts the calibrated parameter set.
CALIBRATED_CONFIG = CONFIG_DIR / "params" / "calibrated.yaml"
#: The spread (std / search range) below which a parameter counts as pinned down by the data.
PINNED_SPREAD = 0.1
#: Settings that say where checkpoints go, whether a copy of the result is written and how many
#: processes fit, not what the results are: a checkpoint made with other values of these still resumes.
UNCOMPARED = ("checkpoint_dir", "resume", "write_config", "workers")
#: Settings added after the committed calibration, at the values under which a calibration is what
#: it was without them: at these values `calibration_fingerprint` leaves them out.
NEUTRAL_SETTINGS: dict[str, Any] = {"leave_one_out": [], "leave_one_out_limit": 0.4, "pin": {}}
#: How the checkpoint stores the run's start.
STARTED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_patterns(items: list[dict], scenario: Scenario, *, key: str = "calibrate.patterns",
                   file: str = "configs/calibrate") -> list[Pattern]:
    """The documented sides ``items`` (each ``{state, sign, from, to, source}``) on ``scenario``,
    validated; an error names ``file`` and ``key[i]``."""
    patterns = []
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(item, Mapping):
            raise InputError(file, where, f"is {item!r}; a mapping {{state, sign, from, to, source}}")
        if item.get("state") not in scenario.state_ids:
            raise InputError(file, f"{where}.state",
                             f"unknown state {item.get('state')!r}; states: {list(scenario.state_ids)}")
        if item.get("sign") not in (1, -1):
            raise InputError(file, f"{where}.sign", "must be 1 (LNA) or -1 (Tripoli)")
        try:
            start, end = parse_month(item["from"]), parse_month(item["to"])
        except (KeyError, ValueError) as exc:
            raise InputError(file, where, f"needs from/to as YYYY-MM ({exc})") from None
        if not scenario.start <= start <= end <= scenario.end:
            period = f"{format_month(scenario.start)}..{format_month(scenario.end)}"
            raise InputError(file, where, f"window {item['from']}..{item['to']} must lie within the "
                             f"scenario's period, {period}")
        patterns.append(Pattern(item["state"], item["sign"], start - scenario.start,
                                end - scenario.start, item.get("source", "")))
    return patterns


def calibration_settings(overrides: list[str] | None = None) -> tuple[dict, dict]:
    """The calibration's settings (``calibrate``) and base parameters (``params``), composed from
    ``configs/calibration.yaml`` with Hydra ``overrides`` (none: the committed calibration)."""
    cfg = compose_config(overrides, config_name="calibration")
    return plain(cfg.calibrate), plain(cfg.params)


#: The help of the study scripts' ``--settings OVERRIDE...`` option, whose values go to
#: `calibration_settings`.
SETTINGS_HELP = ("Hydra overrides of configs/calibration.yaml for a calibration other than the committed "
                 "one, e.g. calibrate=with_capital params.commitment=10")


def read_calibration_run(run_dir: Path) -> tuple[dict, dict, dict]:
    """A calibration run folder's ``fit_report.json``, and the settings (``calibrate``) and base
    parameters (``params``) that made it, from its resolved ``config.yaml``."""
    run_dir = Path(run_dir)
    try:
        report = json.loads((run_dir / "fit_report.json").read_text(encoding="utf-8"))
        config = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(str(run_dir), "fit_report.json, config.yaml",
                         f"cannot be read ({exc}); a calibration's run folder holds both") from None
    if not isinstance(config, dict) or not {"calibrate", "params"} <= config.keys():
        raise InputError(str(run_dir / "config.yaml"), "calibrate, params",
                         "missing: not a calibration run folder's resolved config")
    return report, config["calibrate"], config["params"]


def set_values(cal: Calibrator, name: str) -> np.ndarray:
    """The free parameters' values, in ``cal.free``'s order, of the parameter set
    ``configs/params/NAME.yaml`` (the inverse of `Calibrator.values_as_params`)."""
    return read_values(plain(read_parameter_set(name)), cal.free)


def pinned_free(free: list[dict], pin: Mapping[str, Any]) -> list[dict]:
    """The free parameters ``free`` (each ``{name, low, high}``) with each parameter named in ``pin``
    held at its value: its search range narrowed to [value, value + |value| x 1e-9 + 1e-12] (at the
    top of its range, the same width below the value). It keeps
    its place among the free parameters and its prior, so the objective stays comparable with the
    unpinned calibration's and the count of free parameters stays conservative.

    Args:
        free: the ``calibrate.free`` entries.
        pin: ``{NAME: value}``, in each parameter's own units; every name must be among ``free`` and
            every value a finite number within that parameter's search range.
    """
    if not isinstance(pin, Mapping):
        raise InputError("configs/calibrate", "calibrate.pin", f"is {pin!r}; a mapping NAME: value")
    out = [dict(entry) for entry in free]
    by_name = {entry["name"]: entry for entry in out}
    for name, value in pin.items():
        if name not in by_name:
            raise InputError("configs/calibrate", f"calibrate.pin.{name}",
                             f"is not a free parameter; free: {list(by_name)}")
        entry = by_name[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value) \
                or not entry["low"] <= value <= entry["high"]:
            raise InputError("configs/calibrate", f"calibrate.pin.{name}", f"is {brief(value)}; a number "
                             f"within its search range [{entry['low']}, {entry['high']}]")
        value = float(value)
        width = abs(value) * 1e-9 + 1e-12
        entry["low"], entry["high"] = ((value, value + width) if value + width <= entry["high"]
                                       else (value - width, value))  # at the range's top
    return out


def build_calibrator(settings: dict, base_params: dict, scenario: Scenario | None = None) -> Calibrator:
    """The calibrator described by the ``calibrate`` config group (validated), on ``scenario``
    (a scenario object, e.g. one with its estimates redrawn; None: ``calibrate.scenario``)."""
    scenario = scenario if scenario is not None else load_scenario(settings["scenario"])
    targets = load_targets(settings["targets"])
    free = [FreeParameter(f["name"], float(f["low"]), float(f["high"]))
            for f in pinned_free(settings["free"], settings.get("pin") or {})]
    patterns = parse_patterns(settings["patterns"], scenario)
    for key in ("replicates", "popsize", "maxiter", "report_replicates", "restarts"):
        if not isinstance(settings[key], int) or settings[key] < 1:
            raise InputError("configs/calibrate", f"calibrate.{key}", "must be a positive integer")
    if settings["state"] not in scenario.state_ids:
        raise InputError("configs/calibrate", "calibrate.state", f"unknown state {settings['state']!r}; "
                         f"states: {list(scenario.state_ids)}")
    joint = (load_state_targets(settings["joint_targets"], scenario.state_ids)
             if settings.get("joint_targets") else None)
    prior_sd = settings.get("prior_sd", 1.0986)
    if not (isinstance(prior_sd, int | float) and np.isfinite(prior_sd) and prior_sd > 0):
        raise InputError("configs/calibrate", "calibrate.prior_sd", f"is {prior_sd!r}; a positive number")
    scale_prior_sd = settings.get("scale_prior_sd") or {}
    if not isinstance(scale_prior_sd, Mapping):
        raise InputError("configs/calibrate", "calibrate.scale_prior_sd",
                         f"is {scale_prior_sd!r}; a mapping INTEREST: sd")
    try:
        dynamics_priors = parse_dynamics_priors(settings.get("dynamics_priors"), free)
    except ValueError as exc:
        raise InputError("configs/calibrate", "calibrate.dynamics_priors", str(exc)) from None
    left_out = settings.get("leave_one_out") or []
    if not isinstance(left_out, list | tuple) or not all(isinstance(g, str) for g in left_out):
        raise InputError("configs/calibrate", "calibrate.leave_one_out",
                         f"is {left_out!r}; a list of event ids (ids joined by + are left out together)")
    return Calibrator(scenario, targets, base_params=base_params, free=free, patterns=patterns,
                      replicates=settings["replicates"], seed=settings["seed"],
                      penalty_weight=settings["penalty_weight"], state=settings["state"],
                      joint_targets=joint, prior_sd=float(prior_sd), dynamics_priors=dynamics_priors,
                      scale_prior_sd=dict(scale_prior_sd),
                      joint_weight=settings["joint_weight"], leave_one_out=left_out,
                      leave_one_out_limit=settings.get("leave_one_out_limit", 0.4),
                      leave_one_out_step=(parse_month(settings["checks"]["rise_to"]) - scenario.start
                                          if left_out else None))


def pattern_report(result: SimulationResult, patterns: list[Pattern]) -> list[dict]:
    rows = []
    for p in patterns:
        window = result.mean_tilt(p.state)[p.start : p.end + 1]
        rows.append({
            "state": p.state, "expected": "tilt > 0" if p.sign > 0 else "tilt < 0",
            "window": [result.dates[p.start], result.dates[p.end]],
            "mean_tilt": float(window.mean()),
            "share_of_months_on_expected_side": float(np.mean(p.sign * window > 0)),
            "holds_on_average": bool(p.sign * window.mean() > 0),
        })
    return rows


def report_run(cal: Calibrator, params: dict, *, replicates: int, seed: int,
               scenario: Scenario | None = None) -> SimulationResult:
    """The fitted state's ensemble for a report (tilts only)."""
    return execute(scenario or cal.scenario, params=params, replicates=replicates, seed=seed,
                   record="tilt")


def fit_section(cal: Calibrator, result: SimulationResult, fit: dict, *, turning_level: float) -> dict:
    targets = cal.targets
    model = result.mean_tilt(cal.state)[cal.steps]
    metrics = fit_metrics(model, targets["tilt"].to_numpy())
    return {
        **metrics,
        "turning_date": turning_month(result.dates, result.mean_tilt(cal.state), turning_level),
        "objective": fit["objective"],
        "evaluations": fit["evaluations"],
        "generations": fit["generations"],
        "wall_time_s": fit["wall_time_s"],
        "points": [{"date": d, "target": float(y), "sigma": float(s), "model": float(m)}
                   for d, y, s, m in zip(targets["date"], targets["tilt"], targets["sigma"], model,
                                         strict=True)],
    }


def joint_section(cal: Calibrator, result: SimulationResult) -> dict:
    """The fit to the other states' coded points: per state and over all of them."""
    table = cal.joint
    if table.empty:
        return {"points": 0}
    model = np.array([result.mean_tilt(state)[step] for state, step in
                      zip(table["state"], cal.joint_steps, strict=True)])
    target = table["tilt"].to_numpy(float)
    per_state = {}
    for state in sorted(set(table["state"])):
        rows = (table["state"] == state).to_numpy()
        per_state[state] = {"points": int(rows.sum()), **fit_metrics(model[rows], target[rows]),
                            "within_2_sigma": float(np.mean(np.abs(model[rows] - target[rows])
                                                            <= 2 * table["sigma"].to_numpy(float)[rows]))}
    return {
        "points": len(table), **fit_metrics(model, target), "by_state": per_state,
        "by_point": [{"state": st, "date": d, "target": float(y), "sigma": float(sg), "model": float(m)}
                     for st, d, y, sg, m in zip(table["state"], table["date"], target,
                                                table["sigma"], model, strict=True)],
    }


def leave_one_out_section(cal: Calibrator, params: dict, result: SimulationResult, settings: dict) -> dict:
    """The change of the focus state's tilt at ``checks.rise_to`` when each group of
    ``calibrate.leave_one_out`` is left out, at the fit (``report_replicates`` replicates)."""
    step = cal.leave_one_out_step
    base = float(result.mean_tilt(cal.state)[step])
    changes = {}
    for group, scenario in cal.leave_one_out.items():
        other = report_run(cal, params, replicates=settings["report_replicates"], seed=settings["seed"],
                           scenario=scenario)
        changes[group] = float(other.mean_tilt(cal.state)[step]) - base
    largest = max(changes.values(), key=abs)
    return {"month": result.dates[step], "limit": cal.leave_one_out_limit, "tilt": base,
            "changes": changes, "largest_change": largest,
            "within_limit": bool(abs(largest) <= cal.leave_one_out_limit)}


def counts_section(cal: Calibrator, x: np.ndarray) -> dict:
    """Free parameters against coded points, and the priors' pull on the fitted scales."""
    points = len(cal.targets) + len(cal.joint)
    scales = {p.interest: float(x[j]) for j, p in enumerate(cal.free) if p.is_scale}
    return {
        "free_parameters": len(cal.free), "coded_points": points,
        "focus_points": len(cal.targets), "other_state_points": len(cal.joint),
        "free_over_points": len(cal.free) / points,
        "at_most_a_third": len(cal.free) <= points / 3,
        "prior_sd_ln": cal.prior_sd, "scales": scales,
        "scale_prior_sd_ln": {cal.free[j].interest: float(sd)
                              for j, sd in zip(cal.scale_columns, cal.scale_sds, strict=True)},
        "prior_penalty": float(cal.prior_penalty(np.asarray(x))[0]),
        "scale_prior_penalty": float(cal.scale_penalty(np.asarray(x))[0]),
        "dynamics_priors": {
            prior.name: {"kind": prior.kind, "centre": prior.centre, "sd": prior.sd,
                         "source": prior.source, "value": float(x[j]),
                         "penalty": float(prior.penalty(np.asarray(x[j])))}
            for j, prior in cal.dynamics_priors},
    }


def uncertainty_band(cal: Calibrator, fits: list[dict], *, replicates: int, seed: int,
                     quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> dict:
    """The focus state's tilt over every fitted parameter set (the restarts) and every replicate:
    parameter and stochastic uncertainty together.

    Each parameter set runs ``replicates`` replicates on the same seed; the band pools them all.
    """
    runs = [report_run(cal, cal.values_as_params(f["x"]), replicates=replicates, seed=seed)
            for f in fits]
    pooled = np.concatenate([r.tilt_array[:, :, r.states.index(cal.state)] for r in runs], axis=1)
    set_means = np.stack([r.mean_tilt(cal.state) for r in runs])  # (sets, T)
    within = np.mean([r.tilt_array[:, :, r.states.index(cal.state)].std(axis=1) for r in runs], axis=0)
    dates = runs[0].dates
    return {
        "parameter_sets": len(fits), "replicates_per_set": replicates, "dates": dates,
        "quantiles": {f"q{round(q * 100):02d}": np.quantile(pooled, q, axis=1).tolist()
                      for q in quantiles},
        "mean": pooled.mean(axis=1).tolist(),
        "std_between_parameter_sets": set_means.std(axis=0).tolist(),
        "std_within_sets": within.tolist(),
    }


def origin_mask(cal: Calibrator, until: str) -> tuple[np.ndarray, int]:
    """Which focus-state points lie up to the origin ``until`` (at least 3 fitted, 1 forecast), and
    the origin's month number."""
    try:
        cutoff = parse_month(until)
    except ValueError as exc:
        raise InputError("configs/calibrate", "calibrate.out_of_sample_origins", str(exc)) from None
    mask = cal.masks(cutoff)[0]
    if mask.sum() < 3 or (~mask).sum() < 1:
        raise InputError("configs/calibrate", "calibrate.out_of_sample_origins",
                         f"{until} leaves {mask.sum()} points to fit and {(~mask).sum()} to forecast; "
                         "an origin needs at least 3 and 1")
    return mask, cutoff


def naive_forecasts(cal: Calibrator, mask: np.ndarray) -> dict[str, np.ndarray]:
    """`sim.fit.baseline_forecasts` of the focus state's points outside ``mask`` (`origin_mask`),
    fitted on those in it: persistence (``last_value_held``) and ``linear_trend``."""
    months, y = cal.targets["month"].to_numpy().astype(float), cal.targets["tilt"].to_numpy()
    return baseline_forecasts(months[mask], y[mask], months[~mask])


def out_of_sample(cal: Calibrator, settings: dict, until: str, run_fit: Callable[..., dict]) -> dict:
    """Refit on the points up to ``until`` (``run_fit``: see `fitter`); forecast the rest against
    two naive baselines.

    The refit is made as the main fit is: from the ``restarts`` optimiser seeds, keeping the lowest
    objective on the points up to ``until``, measured on ``report_replicates`` replicates
    (`restart_fits`; the forecast never chooses the fit). The entry carries
    ``until``, ``rmse`` (the kept refit's forecast), ``persistence_rmse`` (the last fitted point
    held) and ``trend_rmse`` (a linear trend through the fitted points), whether the model beats
    both, each restart's objective (the search's and the precise one), forecast RMSE and parameters
    (``restarts``), and the details.
    """
    mask, cutoff = origin_mask(cal, until)
    y = cal.targets["tilt"].to_numpy()
    fits, kept = restart_fits(run_fit, settings, functools.partial(fit_key, until), cal, until=cutoff)
    results = [report_run(cal, cal.values_as_params(f["x"]), replicates=settings["report_replicates"],
                          seed=settings["seed"]) for f in fits]
    forecasts = [r.mean_tilt(cal.state)[cal.steps[~mask]] for r in results]
    rmses = [fit_metrics(f, y[~mask])["rmse"] for f in forecasts]
    fit, result, forecast = fits[kept], results[kept], forecasts[kept]
    baselines = naive_forecasts(cal, mask)
    errors = {"model": fit_metrics(forecast, y[~mask])}
    errors.update({name: fit_metrics(values, y[~mask]) for name, values in baselines.items()})
    return {
        "until": until,
        "rmse": errors["model"]["rmse"],
        "persistence_rmse": errors["last_value_held"]["rmse"],
        "trend_rmse": errors["linear_trend"]["rmse"],
        "beats_baselines": bool(errors["model"]["rmse"] < min(errors["last_value_held"]["rmse"],
                                                               errors["linear_trend"]["rmse"])),
        "fitted_points": int(mask.sum()),
        "fitted_points_other_states": int(cal.masks(cutoff)[1].sum()),
        "forecast_points": int((~mask).sum()),
        "in_sample": fit_metrics(result.mean_tilt(cal.state)[cal.steps[mask]], y[mask]),
        "forecast_error": errors,
        "forecast": [{"date": d, "target": float(t), "model": float(m),
                      **{k: float(v[i]) for k, v in baselines.items()}}
                     for i, (d, t, m) in enumerate(zip(cal.targets["date"][~mask], y[~mask], forecast,
                                                       strict=True))],
        "parameters": dict(zip([p.name for p in cal.free], map(float, fit["x"]), strict=True)),
        "trajectory": {"dates": list(result.dates), "mean": [float(v) for v in result.mean_tilt(cal.state)]},
        "restarts": [{"optimizer_seed": settings["optimizer_seed"] + k, "objective": float(f["objective"]),
                      "precise_objective": f["precise_objective"], "rmse": float(r), "kept": k == kept,
                      "parameters": dict(zip([p.name for p in cal.free], map(float, f["x"]), strict=True))}
                     for k, (f, r) in enumerate(zip(fits, rmses, strict=True))],
        "wall_time_s": sum(f["wall_time_s"] for f in fits),
    }


def fit_key(until: str | None, k: int) -> str:
    """The checkpoint key of the fit from the k-th optimiser seed (0: ``optimizer_seed`` itself) on
    the points up to the origin ``until`` (None: the main fit on every point)."""
    if until is None:
        return f"restart {k}" if k else "main"
    return f"out_of_sample {until} restart {k}" if k else f"out_of_sample {until}"


def fit_jobs(cal: Calibrator, settings: dict) -> list[FitJob]:
    """Every search of a calibration: the main fit from each optimiser seed, then each rolling
    origin's refits (`out_of_sample`), keyed as `restart_fits` keys them."""
    origins = [None, *(str(until) for until in settings["out_of_sample_origins"])]
    return [FitJob(fit_key(until, k), settings["optimizer_seed"] + k,
                   None if until is None else origin_mask(cal, until)[1])
            for until in origins for k in range(max(1, settings["restarts"]))]


def worker_count(settings: dict) -> int:
    """``calibrate.workers`` checked: processes fitting side by side (null: one per core)."""
    return checked_workers(settings.get("workers"), "configs/calibrate", "calibrate.workers")


def restart_fits(run_fit: Callable[..., dict], settings: dict, key: Callable[[int], str],
                 cal: Calibrator, until: int | None = None) -> tuple[list[dict], int]:
    """Fits from the ``restarts`` optimiser seeds, ``optimizer_seed`` onward (``run_fit``: see
    `fitter`; ``key(k)``: the checkpoint key of the k-th), on the points up to month ``until`` (all
    by default), and the index of the one kept.

    Each fit's objective is measured again on ``report_replicates`` replicates of the model's
    ``seed`` (the ensemble that reports the fit), on the same points (`precise_objectives`), into
    ``fit["precise_objective"]``; the lowest is kept. The search's own objective, on ``replicates``
    replicates, carries their noise: fits from different seeds often end within it of each other
    (docs/calibration_studies.md, "Choosing among the restarts").
    """
    fits = [dict(run_fit(key(k), optimizer_seed=settings["optimizer_seed"] + k, until=until))
            for k in range(max(1, settings["restarts"]))]
    precise = precise_objectives(cal, fits, replicates=settings["report_replicates"],
                                 seed=settings["seed"], until=until)
    for fit, value in zip(fits, precise, strict=True):
        fit["precise_objective"] = float(value)
    return fits, int(np.argmin(precise))


def precise_objectives(cal: Calibrator, fits: list[dict], *, replicates: int, seed: int,
                       until: int | None = None) -> np.ndarray:
    """Each fit's objective (``fit["x"]``) on the points up to month ``until`` (all by default),
    measured on ``replicates`` replicates of ``seed`` instead of the search's (one batched run;
    ``cal`` is left as it was)."""
    precise = copy.copy(cal)
    precise.replicates, precise.seed = int(replicates), int(seed)
    return precise.losses(np.array([f["x"] for f in fits], dtype=float).T, until)


def identifiability(cal: Calibrator, fits: list[dict], settings: dict) -> dict:
    """Each parameter's spread across the fits from several optimiser seeds (`restart_fits`)."""
    values = np.array([f["x"] for f in fits])
    y = cal.targets["tilt"].to_numpy()
    rmse = [fit_metrics(report_run(cal, cal.values_as_params(f["x"]),
                                   replicates=settings["report_replicates"],
                                   seed=settings["seed"]).mean_tilt(cal.state)[cal.steps], y)["rmse"]
            for f in fits]
    table = {}
    for j, p in enumerate(cal.free):
        spread = float(values[:, j].std() / (p.high - p.low))
        table[p.name] = {
            "values": values[:, j].tolist(), "mean": float(values[:, j].mean()),
            "std": float(values[:, j].std()), "min": float(values[:, j].min()),
            "max": float(values[:, j].max()), "spread_over_range": spread,
            "pinned_down": spread < PINNED_SPREAD,
        }
    return {"restarts": len(fits), "objectives": [f["objective"] for f in fits],
            "precise_objectives": [f["precise_objective"] for f in fits], "rmse": rmse,
            "pinned_threshold_spread_over_range": PINNED_SPREAD, "parameters": table}


def fitter(cal: Calibrator, settings: dict, checkpoint: Checkpoint) -> Callable[..., dict]:
    """``fit(key, optimizer_seed=, until=None)``: a fit at the configured budget, checkpointed
    after each generation under ``key`` and taken from the checkpoint if it finished before."""

    def fit(key: str, *, optimizer_seed: int, until: int | None = None) -> dict:
        return checkpoint.run(key, functools.partial(
            cal.fit, popsize=settings["popsize"], maxiter=settings["maxiter"],
            optimizer_seed=optimizer_seed, until=until))

    return fit


def start_time() -> str:
    """Now in UTC (as ``STARTED_FORMAT``), or the time in ``SOURCE_DATE_EPOCH`` if it is set (the
    reproducible-builds convention for fixing the date stamped into generated files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError("environment", "SOURCE_DATE_EPOCH", f"is {epoch!r}; seconds since "
                         "1970-01-01 UTC, an integer") from None
    return when.strftime(STARTED_FORMAT)


def data_digests(settings: dict) -> dict[str, str | None]:
    """The digests of the data a calibration reads, beside the settings that name them: the
    scenario and counterfactual as resolved, without the estimates' ranges, which a calibration
    does not read (`sim.scenario.scenario_digest`), and the target files
    (`sim.targets.target_digest`); None for one not used. Two calibrations with the same settings
    fitted to different points differ here."""
    def named(key: str, digest: Callable[[str], str]) -> str | None:
        return digest(settings[key]) if settings.get(key) else None

    values_digest = functools.partial(scenario_digest, ranges=False)
    return {"scenario": named("scenario", values_digest),
            "counterfactual": named("counterfactual", values_digest),
            "targets": named("targets", target_digest),
            "joint_targets": named("joint_targets", target_digest)}


def calibration_fingerprint(settings: dict, params: dict) -> dict:
    """What a calibration's results depend on: its settings (but where it checkpoints), its base
    parameters and the digests of its data (`data_digests`). Its digest
    (`sim.checkpoint.Checkpoint.digest`) heads the parameter set the calibration writes.

    A parameter added to the model later, at the default under which runs are what they were
    without it (`sim.params.NEUTRAL_DEFAULTS`), is left out, as is a setting added later at its
    neutral value (`NEUTRAL_SETTINGS`): the calibrations made before it describe the same model and
    objective and keep their digest."""
    described = {k: v for k, v in params.items()
                 if not (k in NEUTRAL_DEFAULTS and v == NEUTRAL_DEFAULTS[k])}
    compared = {k: v for k, v in settings.items()
                if k not in UNCOMPARED and not (k in NEUTRAL_SETTINGS and v == NEUTRAL_SETTINGS[k])}
    return {"calibrate": compared,
            "params": described, "data": data_digests(settings)}


def open_checkpoint(settings: dict, params: dict, run_dir: Path) -> Checkpoint:
    """The run's checkpoint: the one in ``calibrate.resume`` (refused unless made with the same
    settings, parameters and data, `calibration_fingerprint`), or a new one in
    ``calibrate.checkpoint_dir`` (by default `sim.checkpoint.default_folder` of the run folder)."""
    fingerprint = calibration_fingerprint(settings, params)
    if settings["resume"] is not None:
        return Checkpoint.resume(locate(Path(settings["resume"])), fingerprint)
    folder = (Path(settings["checkpoint_dir"]) if settings["checkpoint_dir"] is not None
              else default_folder(run_dir))
    return Checkpoint.create(folder, fingerprint, started=start_time())


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def counterfactual_differences(scenario: Scenario, counterfactual: Scenario) -> dict[str, list[str]]:
    """What ``counterfactual`` changes in ``scenario`` besides its events and series: for each of
    the factions, states, assets and relations, the ids (``A-B`` for a relation) whose entries
    differ or that only one of the two has. Empty when the counterfactual is a variant of the
    scenario (as ``libya_2014_2019_no_military`` is of the history): its check then judges the
    calibrated world without its material events, not another world."""
    out = {}
    for part in ("factions", "states", "assets", "relations"):
        ours, theirs = ({entry_key(part, e): e for e in getattr(s, part)} for s in (scenario, counterfactual))
        differing = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
        if differing:
            out[part] = differing
    return out


def _interrupt(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


def calibrated_yaml(params: dict, free: list[FreeParameter], header: list[str]) -> str:
    """A parameter-set file for ``configs/params/``: the default set plus the fitted values, and
    every other number of ``params`` that differs from the default set (a setting given on the
    command line, ``params.partners_now=1``), so that the file runs as the calibration did."""
    body: dict[str, Any] = {"defaults": ["default", "_self_"]}
    fitted = {p.name for p in free}
    defaults = read_parameter_set("default")
    for name in SCALAR_NAMES:
        if name not in fitted and name in params and float(params[name]) != float(defaults[name]):
            body[name] = float(params[name])
    weights: dict[str, dict[str, float]] = {}
    scales = {p.interest: float(params["interest_scales"][p.interest]) for p in free if p.is_scale}
    for p in free:
        if p.is_scale:
            continue
        if p.is_weight:
            state, _, interest = p.name.partition(".")
            weights.setdefault(state, {})[interest] = float(params["state_weights"][state][interest])
        else:
            body[p.name] = float(params[p.name])
    body["interest_scales"] = scales
    body["state_weights"] = weights
    lines = "".join(f"# {line}\n" for line in header)
    return lines + yaml.safe_dump(body, sort_keys=False)


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="calibration")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    settings = plain(cfg.calibrate)
    try:
        check_fresh(run_dir)
        check_params_option()
        worker_count(settings)
        cal = build_calibrator(settings, plain(cfg.params))
        for until in settings["out_of_sample_origins"]:
            origin_mask(cal, str(until))
        counterfactual = load_scenario(settings["counterfactual"]) if settings["counterfactual"] else None
        if counterfactual is not None:
            for part, ids in counterfactual_differences(cal.scenario, counterfactual).items():
                log.warning("calibrate.counterfactual %s differs from calibrate.scenario %s in its %s "
                            "(%s): its check judges another world than the calibrated one without its "
                            "material events; give the scenario's own counterfactual (a file that "
                            "extends it with remove_events: {material: true, from: ..., to: ...} and "
                            "hold_series_from, as scenarios/libya_2014_2019_no_military.yaml does)",
                            settings["counterfactual"], settings["scenario"], part, ", ".join(ids))
        checkpoint = open_checkpoint(settings, plain(cfg.params), run_dir)
    except ValueError as exc:  # InputError included
        exit_with(exc, run_dir)

    # SIGTERM stops the run as Ctrl-C does; either way the last checkpoint stays to resume from
    handlers = ({sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
                if threading.current_thread() is threading.main_thread() else {})
    try:
        with claimed(run_dir) as staging:  # the folder is published whole when the run ends
            run_calibration(cfg, settings, cal, counterfactual, checkpoint, run_dir, staging)
    except (InputError, OSError) as exc:  # the folder claimed by another run, or unwritable
        exit_with(exc, run_dir)
    except KeyboardInterrupt as exc:
        log.warning("interrupted; the finished generations are kept: continue with the same "
                    "settings and calibrate.resume=%s", checkpoint.folder)
        sys.exit(128 + (exc.signum if isinstance(exc, Interrupted) else signal.SIGINT))
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    checkpoint.remove()


def run_calibration(cfg: DictConfig, settings: dict, cal: Calibrator,
                    counterfactual: Scenario | None, checkpoint: Checkpoint, run_dir: Path,
                    folder: Path) -> None:
    """The fits, the reports and the files of a validated run (see the module docstring), written
    into the run's private staging ``folder`` (published as ``run_dir`` when the run ends)."""
    started = time.perf_counter()
    log.info("fitting %d parameters to %d points (%d replicates per candidate); checkpoints in %s",
             len(cal.free), len(cal.targets), cal.replicates, checkpoint.folder)
    if checkpoint.finished:
        log.info("fits finished before, taken from the checkpoint: %s", ", ".join(checkpoint.finished))
    for key, state in checkpoint.current.items():
        log.info("fit %s: resumed after generation %d", key, state["generation"])
    run_fits(settings, plain(cfg.params), fit_jobs(cal, settings), checkpoint,
             workers=worker_count(settings))
    run_fit = fitter(cal, settings, checkpoint)
    fits, kept = restart_fits(run_fit, settings, functools.partial(fit_key, None), cal)
    fit, kept_seed = fits[kept], settings["optimizer_seed"] + kept
    identified = None
    if len(fits) > 1:
        identified = identifiability(cal, fits, settings)
        identified["kept"] = {"restart": kept, "optimizer_seed": kept_seed}
    params = cal.values_as_params(fit["x"])
    result = report_run(cal, params, replicates=settings["report_replicates"], seed=settings["seed"])
    report: dict[str, Any] = {
        "scenario": cal.scenario.name, "targets": settings["targets"], "state": cal.state,
        "parameters": dict(zip([p.name for p in cal.free], map(float, fit["x"]), strict=True)),
        "fit": fit_section(cal, result, fit, turning_level=settings["turning_level"]),
        "trajectory": trajectory_checks(result, cal.state, settings["checks"]),
        "patterns": pattern_report(result, cal.patterns),
        "joint": joint_section(cal, result),
        "counts": counts_section(cal, fit["x"]),
        "report_replicates": settings["report_replicates"],
    }
    if counterfactual is not None:
        other = report_run(cal, params, replicates=settings["report_replicates"], seed=settings["seed"],
                           scenario=counterfactual)
        report["counterfactual"] = {"scenario": counterfactual.name,
                                    "trajectory": trajectory_checks(other, cal.state, settings["checks"])}
    if cal.leave_one_out:
        report["leave_one_out"] = leave_one_out_section(cal, params, result, settings)
    origins = [str(until) for until in settings["out_of_sample_origins"]]
    if origins:
        report["out_of_sample"] = [out_of_sample(cal, settings, until, run_fit) for until in origins]
    band = None
    if identified is not None:
        report["identifiability"] = identified
        band = uncertainty_band(cal, fits, replicates=settings["report_replicates"],
                                seed=settings["seed"])
        report["uncertainty"] = band
    report["wall_time_s"] = time.perf_counter() - started

    # no clock time: the same settings give the same bytes, resumed or not, whenever they ran
    fit_rep = report["fit"]
    header = [
        f"Calibrated parameters: written by `python -m sim.calibrate` (settings and data "
        f"{checkpoint.digest}; the run folder's config.yaml holds the settings).",
        f"Fit to scenarios/targets/{settings['targets']}.csv on {cal.scenario.name}: "
        f"RMSE {fit_rep['rmse']:.4f} (ensemble mean of {settings['report_replicates']} replicates, "
        f"seed {settings['seed']}), max error {fit_rep['max_abs_error']:.3f}, R2 {fit_rep['r2']:.3f}.",
        f"Optimiser: differential_evolution, popsize {settings['popsize']}, maxiter {settings['maxiter']}, "
        f"seed {kept_seed} (the best of {len(fits)} optimiser seeds), {settings['replicates']} "
        "replicates per candidate; "
        f"objective {fit['objective']:.4f}.",
        "Other parameters: configs/params/default.yaml. Fit report: docs/calibration.md.",
        f"recorded_rmse: {fit_rep['rmse']:.6f}",
        f"recorded_replicates: {settings['report_replicates']}",
        f"recorded_seed: {settings['seed']}",
    ]
    text = calibrated_yaml(params, cal.free, header)
    write_config(OmegaConf.create(plain(cfg)), folder / "config.yaml")
    (folder / "calibrated.yaml").write_text(text, encoding="utf-8")
    write_json(report, folder / "fit_report.json")
    result.tilt.to_parquet(folder / "tilt.parquet", index=False)
    figure = plot_fit(result.tilt, cal.state, cal.targets, report=report, band=band,
                      marks=marks_for(cal.scenario))
    save_figure(figure, folder / "fit.png")
    if settings["write_config"]:
        write_atomic(CALIBRATED_CONFIG, text)
        log.info("wrote %s", CALIBRATED_CONFIG)
    log.info("RMSE %.3f, max error %.3f, R2 %.3f, turning %s; %d evaluations; %.0f s -> %s",
             fit_rep["rmse"], fit_rep["max_abs_error"], fit_rep["r2"], fit_rep["turning_date"],
             fit_rep["evaluations"], report["wall_time_s"], run_dir)


if __name__ == "__main__":
    main()
