"""Hydra structured configs (typed schemas) and composing the project's configs from Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

from sim.params import ModelParams

#: The project's Hydra config directory.
CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"


@dataclass
class RunConfig:
    """Settings of one run (``configs/config.yaml``).

    Attributes:
        scenario: name of ``scenarios/NAME.yaml`` (or a path to a YAML file).
        replicates: number of replicates R (>= 1).
        seed: non-negative integer seed.
        first_replicate: index of the first replicate (to rerun part of an ensemble).
        end: optional last month ``YYYY-MM``, to stop before the scenario's end.
        record: ``full`` (support per faction) or ``tilt`` (tilts only).
        plots: whether to draw the figures.
        targets: name of ``scenarios/targets/NAME.csv`` to overlay on Italy's plot, or null.
        progress: show a progress bar on runs that take more than a moment.
        params: the model parameters (``configs/params/``).
    """

    scenario: str = "libya_2014_2019"
    replicates: int = 200
    seed: int = 0
    first_replicate: int = 0
    end: str | None = None
    record: str = "full"
    plots: bool = True
    targets: str | None = "italy_tilt"
    progress: bool = True
    params: ModelParams = field(default_factory=ModelParams)


def register_configs() -> None:
    """Register the schemas with Hydra's ConfigStore (idempotent)."""
    store = ConfigStore.instance()
    store.store(name="run_schema", node=RunConfig)
    store.store(group="params", name="schema", node=ModelParams)


register_configs()


def compose_config(overrides: list[str] | None = None, config_name: str = "config") -> DictConfig:
    """Compose ``configs/<config_name>.yaml`` with Hydra overrides, outside a Hydra app.

    Args:
        overrides: command-line style overrides, e.g. ``["scenario=mini", "params.inertia=0.3"]``.
        config_name: the primary config file's stem.
    """
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name=config_name, overrides=list(overrides or []))


def plain(cfg: Any) -> Any:
    """A resolved plain-Python copy of an OmegaConf node (or the value itself)."""
    from omegaconf import OmegaConf

    if isinstance(cfg, DictConfig):
        return OmegaConf.to_container(cfg, resolve=True)
    return cfg
