"""Hydra callbacks: work done once a multirun has finished, and the overlay of runs they draw.

``overlay(folder)`` also works on any folder of run folders (``results/run``): each run is then
labelled by its folder name and the settings in which it differs from the others. Runs of different
scenarios (``python -m sim.run -m scenario=A,B,C``) are labelled by their scenarios' titles, and
compared state by state in ``comparison.csv``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.plotting import Marks, marks_for, plot_overlay, save_figure

log = logging.getLogger(__name__)

#: Quantiles of each run's tilt over its replicates, written to ``overlay.csv`` and drawn.
QUANTILES: tuple[float, ...] = (0.05, 0.5, 0.95)
#: How many differing settings a label shows at most (the csv holds them all).
MAX_LABEL_SETTINGS = 3


def job_order(name: str) -> tuple[int, int | str]:
    """Sort key of job folders: numbered jobs in numeric order (0, 1, 2, …, 10), then the others
    by name (timestamped run folders sort by time)."""
    return (0, int(name)) if name.isdigit() else (1, name)


def swept_keys(task_overrides: Sequence[str]) -> list[str]:
    """The keys a multirun sweeps, in command-line order: ``["params.inertia"]`` for
    ``params.inertia=0.5,0.9 replicates=3`` (Hydra's ``hydra.overrides.task``)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides=list(task_overrides))
    return [o.key_or_group for o in parsed if o.is_sweep_override()]


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"params": {"inertia": 0.5}}`` -> ``{"params.inertia": 0.5}`` (lists kept whole)."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def differing_keys(configs: Sequence[Mapping[str, Any]], first: Sequence[str] = ()) -> list[str]:
    """The flattened keys whose value is not the same in every config (or missing in some): those
    under ``first`` (the swept keys) in their order, then the others by name."""
    flat = [flatten(c) for c in configs]
    keys = sorted({k for f in flat for k in f})
    missing = object()
    differ = [k for k in keys if len({repr(f.get(k, missing)) for f in flat}) > 1]
    ordered = [k for s in first for k in differ if k == s or k.startswith(f"{s}.")]
    return list(dict.fromkeys(ordered + differ))


def _shown(value: Any) -> str:
    """A setting's value as a label shows it: a scenario file by its name, not its path."""
    if isinstance(value, str) and ("/" in value or "\\" in value):
        return Path(value).name
    return str(value)


def run_label(name: str, settings: Mapping[str, Any], *, sweep: bool) -> str:
    """``params.inertia=0.5`` for a sweep's job; ``<folder>: params.inertia=0.5`` for any other run."""
    shown = [f"{k}={_shown(v)}" for k, v in list(settings.items())[:MAX_LABEL_SETTINGS]]
    if len(settings) > MAX_LABEL_SETTINGS:
        shown.append("…")
    text = ", ".join(shown)
    if sweep:
        return text or f"job {name}"
    return f"{name}: {text}" if text else name


def is_numeric_sweep(values: Mapping[str, Any]) -> bool:
    """Whether runs labelled -> their one differing setting's value sweep a number (two values or
    more, none a bool): then they are coloured by value."""
    return len(set(values.values())) > 1 and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values.values())


def run_bands(tilt: pd.DataFrame) -> pd.DataFrame:
    """Per state and month: the mean and the ``QUANTILES`` of a run's tilt over its replicates."""
    grouped = tilt.groupby(["state", "date"], observed=True)["tilt"]
    band = grouped.quantile(list(QUANTILES)).unstack()
    band.columns = [f"q{round(q * 100):02d}" for q in QUANTILES]
    band["mean_tilt"] = grouped.mean()
    band = band.reset_index()
    band["state"] = band["state"].astype(str)
    band["date"] = band["date"].astype(str)
    return band.sort_values(["state", "date"], ignore_index=True)


def _read_config(job: Path) -> dict[str, Any]:
    path = job / "config.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def read_title(job: Path) -> str | None:
    """The title of the scenario a run folder ran (its ``summary.json``), None if it has none."""
    path = job / "summary.json"
    if not path.exists():
        return None
    try:
        title = json.loads(path.read_text(encoding="utf-8")).get("title")
    except (ValueError, AttributeError):
        return None
    return title if isinstance(title, str) and title.strip() else None


def scenario_label(name: str, title: str, settings: Mapping[str, Any], *, sweep: bool) -> str:
    """A run of a scenario comparison, labelled by its scenario's title (not its internal name),
    then any other setting in which the runs differ; ``<folder>: `` first unless a sweep's job."""
    others = {k: v for k, v in settings.items() if k != "scenario"}
    text = title if not others else f"{title}, {run_label(name, others, sweep=True)}"
    return text if sweep else f"{name}: {text}"


def comparison_table(rows: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Every state's tilt per scenario and month (``comparison.csv``): ``run, scenario, title,
    state, date, mean, median, q05, q95`` from the runs' bands (`run_bands` with ``run``,
    ``scenario`` and ``title`` columns)."""
    table = pd.concat(rows, ignore_index=True).rename(columns={"mean_tilt": "mean", "q50": "median"})
    return table[["run", "scenario", "title", "state", "date", "mean", "median", "q05", "q95"]]


def overlay(folder: Path, state: str | None = None, *, plots: bool = True,
            swept: Sequence[str] = ()) -> tuple[Path | None, Path] | None:
    """Compare the runs in ``folder`` (a multirun's sweep folder, or any folder of run folders).

    Each run is labelled by the settings in which its ``config.yaml`` differs from the others'
    (``swept`` keys first), prefixed by its folder name unless ``folder`` is a sweep (numbered
    jobs). Writes ``overlay.csv`` (columns ``run``, one per differing setting, ``scenario`` unless
    it is one of them, ``state, date, mean_tilt, q05, q50, q95``) and, if ``plots``,
    ``overlay_<state>.png`` of ``state`` (default: the first run's ``focus_state``).

    When the runs differ in their scenario (``python -m sim.run -m scenario=A,B,C``), each is
    labelled by its scenario's title (from its ``summary.json``; as above if it has none), and
    ``comparison.csv`` (`comparison_table`) gives every state's tilt per scenario.

    Returns:
        The png (None without plots) and the csv (``overlay.csv``); None if ``folder`` holds no
        run.
    """
    jobs = sorted((p for p in folder.iterdir() if (p / "tilt.parquet").is_file()),
                  key=lambda p: job_order(p.name))
    if not jobs:
        return None
    configs = [_read_config(job) for job in jobs]
    keys = differing_keys(configs, swept)
    sweep = all(job.name.isdigit() for job in jobs)
    state = state or configs[0].get("focus_state") or "ITA"

    compared = "scenario" in keys
    rows, bands, values, titled = [], {}, {}, []
    for job, config in zip(jobs, configs, strict=True):
        flat = flatten(config)
        settings = {k: flat.get(k) for k in keys}
        title = read_title(job) if compared else None
        label = (scenario_label(job.name, title, settings, sweep=sweep) if title
                 else run_label(job.name, settings, sweep=sweep))
        if label in bands:  # the same settings twice: the folder name tells them apart
            label = f"{label} [{job.name}]"
        band = run_bands(pd.read_parquet(job / "tilt.parquet", columns=["date", "state", "tilt"]))
        cells = {k: str(v) if isinstance(v, list | dict) else v for k, v in settings.items()}
        rows.append(band.assign(**{"run": job.name, "scenario": config.get("scenario"), **cells}))
        if compared:
            titled.append(band.assign(run=job.name, scenario=config.get("scenario"),
                                      title=title or _shown(config.get("scenario"))))
        mine = band[band["state"] == state]
        if not mine.empty:
            bands[label] = mine.set_index("date")[["q05", "q50", "q95", "mean_tilt"]]
            if len(keys) == 1:
                values[label] = settings[keys[0]]
    columns = ["run", *keys, *(["scenario"] if "scenario" not in keys else []),
               "state", "date", "mean_tilt", "q05", "q50", "q95"]
    table = pd.concat(rows, ignore_index=True)[columns]
    csv = folder / "overlay.csv"
    table.to_csv(csv, index=False)
    if titled:
        comparison_table(titled).to_csv(folder / "comparison.csv", index=False)
    if not plots or not bands:
        return None, csv
    numeric = is_numeric_sweep(values)
    marks, targets = _marks_and_targets(configs[0], state)
    over_draws = sum(bool(c.get("posterior")) for c in configs)
    spread = {0: "", len(configs): " over posterior draws"}.get(over_draws,
                                                                "; some runs over posterior draws")
    title = f"{marks.state(state)}'s tilt by scenario (median, 5–95% band{spread})" if compared else None
    figure = plot_overlay(bands, state, targets, values=values if numeric else None,
                          value_name=keys[0] if numeric else None, marks=marks, title=title)
    return save_figure(figure, folder / f"overlay_{state}.png"), csv


def _marks_and_targets(config: Mapping[str, Any], state: str) -> tuple[Marks, pd.DataFrame | None]:
    """The first run's scenario marks (names, events, the months before the GNA) and, if ``state``
    is its focus, its coded points; none if they cannot be read back (a moved scenario file must
    not stop the overlay)."""
    from sim.errors import InputError
    from sim.simulate import prepare_scenario
    from sim.targets import run_targets

    try:
        scenario = prepare_scenario(config["scenario"], config.get("end"), config.get("scenario_dir"))
        targets, _ = run_targets({**config, "state_targets": None}, state, scenario.state_ids)
    except (InputError, KeyError, OSError, ValueError):
        return Marks(), None
    return marks_for(scenario), targets


class OverlayCallback(Callback):
    """After ``python -m sim.run -m ...``: overlay the jobs in the sweep folder.

    Args:
        state: the state whose tilt is drawn; None: the run's ``focus_state``. Set it with
            ``hydra.callbacks.overlay.state=FRA``. The run's ``plots=false`` leaves only the csv.
    """

    def __init__(self, state: str | None = None) -> None:
        self.state = state

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.exists():
            return
        made = overlay(sweep_dir, self.state or config.get("focus_state"),
                       plots=bool(config.get("plots", True)),
                       swept=swept_keys(config.hydra.overrides.task))
        if made:
            log.info("overlay of the runs: %s", ", ".join(str(p) for p in made if p))
