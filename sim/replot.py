"""Saved results folders, read back for `python -m sim.plot`: what kind each is, its tables and its
scenario, and the figures that redraw or compare them. Nothing here runs the model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim.callbacks import (
    differing_keys,
    flatten,
    is_numeric_sweep,
    job_order,
    read_title,
    run_bands,
    run_label,
    scenario_label,
)
from sim.errors import InputError
from sim.plotting import marks_for, plot_compare_states, plot_fit, plot_overlay
from sim.plotting.holdings import modal_holders, support_means
from sim.plotting.run_figures import run_figures
from sim.posterior import POSTERIOR_COPY, load_posterior
from sim.scenario import Scenario
from sim.simulate import prepare_scenario
from sim.targets import load_targets, run_targets

#: What each kind of folder holds, to tell them apart.
KINDS = {
    "run": "config.yaml and tilt.parquet (python -m sim.run)",
    "multirun": "numbered run folders (python -m sim.run -m ...)",
    "sweep": "design.parquet and outcomes.parquet (python -m sim.sweep)",
    "calibration": "fit_report.json and tilt.parquet (python -m sim.calibrate)",
}


@dataclass(frozen=True)
class SavedFolder:
    """A results folder and what it is.

    Attributes:
        path: the folder.
        kind: one of `KINDS`.
        config: its resolved ``config.yaml`` (empty if it has none).
    """

    path: Path
    kind: str
    config: dict[str, Any]

    def table(self, name: str, columns: list[str] | None = None,
              filters: list[tuple] | None = None) -> pd.DataFrame | None:
        """``NAME.parquet`` of the folder (only ``columns``, only the rows ``filters`` keeps, as
        `pandas.read_parquet` takes them), or None if it was not recorded."""
        path = self.path / f"{name}.parquet"
        return pd.read_parquet(path, columns=columns, filters=filters) if path.is_file() else None


def _config(path: Path) -> dict[str, Any]:
    file = path / "config.yaml"
    if not file.is_file():
        return {}
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(str(file), "config.yaml", f"cannot be read: {exc}") from None


def _is_run(path: Path) -> bool:
    return (path / "tilt.parquet").is_file() and (path / "config.yaml").is_file()


def open_folder(path: str | Path) -> SavedFolder:
    """Recognise a saved results folder.

    Raises:
        InputError: ``path`` is not a folder, or holds none of the kinds `KINDS` describes.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise InputError(str(folder), "folder", "is not a folder; give results folders such as "
                         "results/run/<time>")
    if (folder / "design.parquet").is_file() and (folder / "outcomes.parquet").is_file():
        return SavedFolder(folder, "sweep", _config(folder))
    if (folder / "fit_report.json").is_file() and (folder / "tilt.parquet").is_file():
        return SavedFolder(folder, "calibration", _config(folder))
    if _is_run(folder):
        return SavedFolder(folder, "run", _config(folder))
    if any(_is_run(p) for p in folder.iterdir() if p.is_dir()):
        return SavedFolder(folder, "multirun", {})
    allowed = "; ".join(f"{k}: {v}" for k, v in KINDS.items())
    raise InputError(str(folder), "folder", f"is not a results folder. Allowed: {allowed}")


def runs_of(folder: SavedFolder) -> list[SavedFolder]:
    """The runs a folder stands for: itself, or a multirun's jobs in numeric order."""
    if folder.kind == "run":
        return [folder]
    if folder.kind == "multirun":
        jobs = sorted((p for p in folder.path.iterdir() if p.is_dir() and _is_run(p)),
                      key=lambda p: job_order(p.name))
        return [SavedFolder(p, "run", _config(p)) for p in jobs]
    raise InputError(str(folder.path), "folder", f"is a {folder.kind} folder; only runs and multiruns "
                     "can be compared")


def scenario_of(run: SavedFolder) -> Scenario:
    """The scenario a run folder was made from, as its config names it (cut at its ``end``)."""
    config = run.config
    if "scenario" not in config:
        raise InputError(str(run.path / "config.yaml"), "scenario", "is missing; the folder's "
                         "config does not say which scenario made it")
    return prepare_scenario(config["scenario"], config.get("end"), config.get("scenario_dir"))


def check_state(state: str, scenario: Scenario, where: Path) -> None:
    if state not in scenario.state_ids:
        raise InputError(str(where), "state", f"unknown state {state!r}; states of "
                         f"{scenario.name}: {list(scenario.state_ids)}")


def replot_run(run: SavedFolder, state: str | None) -> dict[str, Figure]:
    """Every figure of one run folder, redrawn (``state``: the state drawn alone; default: its focus)."""
    scenario = scenario_of(run)
    state = state or run.config.get("focus_state", "ITA")
    check_state(state, scenario, run.path)
    own, joint = run_targets(run.config, state, scenario.state_ids)
    control = run.table("control")
    alignment = run.table("alignment", filters=[("state", "==", state)])  # one state's rows only
    tables = {"tilt": run.table("tilt"), "decomposition": run.table("decomposition"),
              "holders": None if control is None else modal_holders(control),
              "support": None if alignment is None else support_means(alignment, state)}
    return run_figures(scenario, tables, focus=state, targets=own, state_targets=joint,
                       posterior_draws=posterior_draws_of(run))


def posterior_draws_of(run: SavedFolder) -> int | None:
    """How many posterior draws a run's replicates ran with (its copy of the draws table), or None."""
    if not run.config.get("posterior"):
        return None
    copy = run.path / POSTERIOR_COPY
    if not copy.is_file():
        raise InputError(str(copy), "posterior", f"is missing; the run's config names the draws table "
                         f"{run.config['posterior']!r}, and its folder should hold a copy")
    return load_posterior(str(copy)).draws_used(int(run.config.get("replicates", 1)))


def replot_calibration(folder: SavedFolder, state: str | None) -> dict[str, Figure]:
    """``fit.png`` of a calibration folder, redrawn."""
    report = json.loads((folder.path / "fit_report.json").read_text(encoding="utf-8"))
    calibration = folder.config.get("calibrate", folder.config)
    scenario = prepare_scenario(folder.config.get("scenario", "libya_2014_2019"), None,
                                folder.config.get("scenario_dir"))
    fitted = calibration.get("state", "ITA")
    if state not in (None, fitted):
        raise InputError(str(folder.path), "state", f"the calibration fitted {fitted}; leave state out")
    targets = load_targets(calibration.get("targets", "italy_tilt"))
    return {"fit.png": plot_fit(folder.table("tilt"), fitted, targets, report=report,
                                band=report.get("uncertainty"), marks=marks_for(scenario))}


def replot_sweep(folder: SavedFolder, out: Path) -> list[Path]:
    """A sweep folder's figures, redrawn into ``out``; returns the files written."""
    from sim.sweep import write_plots
    from sim.sweeps.outcomes import parse_outcomes

    settings = folder.config
    sw = settings["sweep"]
    scenario = prepare_scenario(settings["scenario"], None, settings.get("scenario_dir"))
    names = [o.name for o in parse_outcomes(sw["outcomes"], scenario)]
    report_file = folder.path / "sensitivity.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else None
    before = set(out.iterdir())
    write_plots(out, folder.table("design"), folder.table("outcomes"), names, {**sw, "plots": True}, report)
    return sorted(set(out.iterdir()) - before)


@dataclass(frozen=True)
class Comparison:
    """Several runs compared: their figures and their table."""

    figures: dict[str, Figure]
    table: pd.DataFrame
    labels: dict[str, str]


def compare(runs: list[SavedFolder], state: str | None) -> Comparison:
    """Runs side by side, each labelled by the settings in which its config differs from the others'.

    Returns:
        ``overlay_<state>.png`` (the state's median and band per run), ``all_states.png`` (every
        state's median per run) and a table (run, folder, the differing settings, state, date,
        mean_tilt, q05, q50, q95).
    """
    configs = [r.config for r in runs]
    keys = differing_keys(configs)
    scenario = scenario_of(runs[0])
    state = state or configs[0].get("focus_state", "ITA")
    check_state(state, scenario, runs[0].path)
    # runs gathered from several folders (two multiruns' jobs) all show their folder, alike
    several = len({r.path.parent for r in runs}) > 1 and len({r.path.name for r in runs}) < len(runs)
    names = [f"{r.path.parent.name}/{r.path.name}" if several else r.path.name for r in runs]
    bands, rows, labels, values = {}, [], {}, {}
    for run, name, config in zip(runs, names, configs, strict=True):
        flat = flatten(config)
        settings = {k: flat.get(k) for k in keys}
        shown = {k: float(f"{v:.4g}") if isinstance(v, float) else v for k, v in settings.items()}
        title = read_title(run.path) if "scenario" in keys else None
        label = (scenario_label(name, title, shown, sweep=False) if title
                 else run_label(name, shown, sweep=False) if keys else name)
        if label in bands:
            label = f"{label} [{name}]"
        labels[str(run.path)] = label
        band = run_bands(run.table("tilt", columns=["date", "state", "tilt"]))
        bands[label] = band
        cells = {k: str(v) if isinstance(v, list | dict) else v for k, v in settings.items()}
        rows.append(band.assign(run=label, folder=str(run.path), **cells))
        if len(keys) == 1:
            values[label] = settings[keys[0]]
    numeric = is_numeric_sweep(values)
    own, _ = run_targets(configs[0], state, scenario.state_ids)
    marks = marks_for(scenario)
    mine = {label: band[band["state"] == state].set_index("date")[["q05", "q50", "q95", "mean_tilt"]]
            for label, band in bands.items()}
    figures = {
        f"overlay_{state}.png": plot_overlay(mine, state, own, values=values if numeric else None,
                                             value_name=keys[0] if numeric else None, marks=marks),
        "all_states.png": plot_compare_states(bands, marks=marks),
    }
    table = pd.concat(rows, ignore_index=True)
    table = table[["run", "folder", *keys, "state", "date", "mean_tilt", "q05", "q50", "q95"]]
    return Comparison(figures, table, labels)
