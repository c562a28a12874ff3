"""Hydra callbacks: work done once a multirun has finished."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.plotting import plot_overlay, save_figure, tilt_band

log = logging.getLogger(__name__)


def overlay(sweep_dir: Path, state: str) -> tuple[Path, Path] | None:
    """Compare the runs of a multirun: an overlay plot of a state's tilt and a table of mean tilts.

    Reads each job folder's ``tilt.parquet`` and ``config.yaml``; writes ``overlay_<state>.png`` and
    ``overlay.csv`` (columns ``run, scenario, state, date, mean_tilt, q05, q50, q95``) in ``sweep_dir``.
    """
    bands, rows = {}, []
    for job in sorted(p for p in sweep_dir.iterdir() if (p / "tilt.parquet").exists()):
        tilt = pd.read_parquet(job / "tilt.parquet")
        config = yaml.safe_load((job / "config.yaml").read_text(encoding="utf-8"))
        label = f"{job.name.split('_')[0]}: {Path(str(config.get('scenario', job.name))).stem}"
        if config.get("seed") is not None:
            label += f" (seed {config['seed']})"
        for st in tilt["state"].unique():
            band = tilt_band(tilt, st)
            rows.append(band.reset_index().assign(run=job.name, scenario=config.get("scenario"), state=st))
            if st == state:
                bands[label] = band
    if not rows:
        return None
    table = pd.concat(rows, ignore_index=True).rename(columns={"mean": "mean_tilt"})
    table = table[["run", "scenario", "state", "date", "mean_tilt", "q05", "q50", "q95"]]
    csv = sweep_dir / "overlay.csv"
    table.to_csv(csv, index=False)
    png = save_figure(plot_overlay(bands, state), sweep_dir / f"overlay_{state}.png")
    return png, csv


class OverlayCallback(Callback):
    """After ``python -m sim.run -m ...``: overlay the runs' ``focus_state`` in the sweep folder."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        made = overlay(sweep_dir, config.focus_state) if sweep_dir.exists() else None
        if made:
            log.info("overlay of the runs: %s, %s", *made)
