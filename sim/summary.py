"""Figures that describe a run, for ``summary.json``: computed from the result's arrays only."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd

from sim.dates import format_month
from sim.fit import chi2_per_point, fit_metrics
from sim.results import SimulationResult
from sim.scenario import Scenario


def turning_month(dates: list[str], mean_tilt: np.ndarray, level: float) -> str | None:
    """First month in which the mean tilt, having been at or below ``level``, rises above it.

    Args:
        dates: ``YYYY-MM`` of each month.
        mean_tilt: the ensemble-mean tilt each month, (T,).
        level: the tilt to cross (``turning_level`` in the run and calibration configs).
    """
    below = np.flatnonzero(mean_tilt <= level)
    if below.size == 0:
        return None
    after = np.flatnonzero(mean_tilt[below[0]:] > level)
    return dates[below[0] + after[0]] if after.size else None


def trajectory_checks(result: SimulationResult, state: str, checks: dict) -> dict:
    """The expected shape (``calibrate.checks``, `sim.config.ShapeChecks`) on the mean tilt.

    Returns the measured mean over the low window, the rise and the final tilt, and whether each
    check holds; a measure whose months lie outside the run is left out.
    """
    mean, dates = result.mean_tilt(state), result.dates
    at = {d: i for i, d in enumerate(dates)}
    low = [i for i, d in enumerate(dates) if checks["low_from"] <= d <= checks["low_to"]]
    measured: dict[str, Any] = {"checks": dict(checks), "holds": {}}
    if low:
        measured["low_window_mean"] = float(mean[low].mean())
        measured["holds"][f"mean {checks['low_from']}..{checks['low_to']} <= {checks['low_at_most']}"] = (
            measured["low_window_mean"] <= checks["low_at_most"])
    if checks["rise_from"] in at and checks["rise_to"] in at:
        final = float(mean[at[checks["rise_to"]]])
        measured["rise"] = final - float(mean[at[checks["rise_from"]]])
        measured["final"] = final
        measured["holds"][f"rise {checks['rise_from']}..{checks['rise_to']} >= {checks['rise_at_least']}"] = (
            measured["rise"] >= checks["rise_at_least"])
        measured["holds"][f"tilt {checks['rise_to']} <= {checks['final_at_most']}"] = (
            final <= checks["final_at_most"])
    return measured


def target_errors(result: SimulationResult, targets: pd.DataFrame, state: str) -> dict:
    """A state's ensemble-mean tilt against its documented points: RMSE, largest error, chi2."""
    mean = result.mean_tilt(state)
    index = {d: i for i, d in enumerate(result.dates)}
    inside = targets[targets["date"].isin(index)]
    if inside.empty:
        return {"state": state, "points": 0}
    model = mean[[index[d] for d in inside["date"]]]
    target, sigma = inside["tilt"].to_numpy(), inside["sigma"].to_numpy()
    metrics = fit_metrics(model, target)
    return {
        "state": state,
        "points": len(inside),
        "rmse": metrics["rmse"],
        "max_abs_error": metrics["max_abs_error"],
        "chi2_per_point": float(chi2_per_point(model[:, None], target, sigma)[0]),
        "by_point": [
            {"date": d, "target": float(t), "model": float(m)}
            for d, t, m in zip(inside["date"], inside["tilt"], model, strict=True)
        ],
    }


def open_offensives(result: SimulationResult, scenario: Scenario) -> list[dict[str, Any]]:
    """Each offensive of ``scenario`` whose outcome is ``open`` (left to the contest), with the share
    of replicates in which the attacker holds every asset it fought for at the end of that month,
    and at the run's end.

    An attacker that already held the assets (e.g. a counter-offensive on ground it never lost)
    counts as holding them.
    """
    months = {d: t for t, d in enumerate(result.dates)}
    asset_index = {a: j for j, a in enumerate(result.assets)}
    found = []
    for event in scenario.events:
        if event.kind != "offensive" or event["outcome"] != "open":
            continue
        month = format_month(event.month)
        if month not in months:
            continue
        attacker = result.factions.index(event["attacker"])
        columns = [asset_index[a] for a in event["assets"]]

        def held(t: int, attacker: int = attacker, columns: list[int] = columns) -> float:
            return float((result.control_array[t][:, columns] == attacker).all(axis=1).mean())

        found.append({"id": event.id, "date": month, "attacker": event["attacker"],
                      "defender": event["defender"], "assets": list(event["assets"]),
                      "attacker_holds_after": held(months[month]),
                      "attacker_holds_at_end": held(len(result.dates) - 1)})
    return found


def output_held(result: SimulationResult, scenario: Scenario, t: int = -1) -> dict[str, float]:
    """Ensemble mean of the share of national oil and gas capacity (the assets' ``output_share``)
    each faction holds in month ``t``, whether the assets are open or shut; factions holding none
    left out."""
    share = np.array([a.output_share for a in scenario.assets])
    control = result.control_array[t]  # (R, A)
    held = {}
    for f, faction in enumerate(result.factions):
        value = float(((control == f) * share).sum(axis=1).mean())
        if value > 0:
            held[faction] = round(value, 6)
    return held


def summarise(result: SimulationResult, targets: pd.DataFrame | None = None, *,
              focus_state: str, turning_level: float,
              scenario: Scenario | None = None) -> dict[str, Any]:
    """A JSON-ready description of a run.

    Args:
        result: the run.
        targets: documented points of ``focus_state`` (``sim.targets.load_targets``), or None.
        focus_state: the state whose fit to ``targets`` is reported.
        turning_level: the tilt whose crossing from below marks a state's turning month.
        scenario: the scenario run, for its title, the capacity each faction holds at the end
            (``final_output_held``) and, where some offensive's outcome is open, how those
            offensives went (``open_offensives``, `open_offensives`); None leaves these out.
    """
    years = sorted({d[:4] for d in result.dates})
    dates = np.asarray(result.dates)
    states = {}
    for state in result.states:
        mean = result.mean_tilt(state)
        q05, q50, q95 = result.tilt_quantiles(state)
        states[state] = {
            "mean_tilt_by_year": {y: float(mean[np.char.startswith(dates, y)].mean()) for y in years},
            "final": {"date": result.dates[-1], "mean": float(mean[-1]), "median": float(q50[-1]),
                      "q05": float(q05[-1]), "q95": float(q95[-1])},
            "turning_month": turning_month(result.dates, mean, turning_level),
        }
    final_control = {}
    for j, asset in enumerate(result.assets):
        holders, counts = np.unique(result.control_array[-1, :, j], return_counts=True)
        final_control[asset] = {result.factions[h]: float(c / result.replicates)
                                for h, c in zip(holders, counts, strict=True)}
    summary = {
        "scenario": result.scenario,
        **({"title": scenario.title} if scenario is not None else {}),
        "period": [result.dates[0], result.dates[-1]],
        "months": len(result.dates),
        "replicates": result.replicates,
        "seed": result.seed,
        "first_replicate": result.first_replicate,
        "wall_time_s": result.wall_time_s,
        "tilt_definition": result.tilt_definition,
        "focus_state": focus_state,
        "turning_level": turning_level,
        "states": states,
        "final_control_share": final_control,
        "software": _versions(),
    }
    if scenario is not None:
        summary["final_output_held"] = output_held(result, scenario)
        fought = open_offensives(result, scenario)
        if fought:
            summary["open_offensives"] = fought
    if targets is not None:
        summary["targets_fit"] = target_errors(result, targets, focus_state)
    return summary


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("mesa", "numpy", "scipy", "pandas", "hydra-core"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "missing"
    return found
