"""The typed schema of ``python -m sim.sweep`` (``configs/sweep.yaml`` and ``configs/sweep/``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.params import ModelParams


@dataclass
class SweepSettings:
    """One named sweep (``configs/sweep/NAME.yaml``, the ``sweep`` node).

    Attributes:
        design: ``grid``, ``lhs``, ``sobol`` or ``morris`` (`sim.sweeps.design.DESIGNS`).
        n: the design's size: lhs points, sobol base samples (a power of 2; n x (2D + 2) points),
            morris trajectories (n x (D + 1) points); unused by grid.
        design_seed: seed of the random designs and of the indices' bootstrap.
        morris_levels: grid levels of the Morris design.
        replicates: replicates per point (the same streams for every point).
        seed: the model's seed (unless a ``seed`` dimension sets it).
        dimensions: the varied inputs, each ``{name, low, high[, levels]}`` or ``{name, values}``.
        outcomes: what is measured, each ``{name, kind, states, ...}`` (`sim.sweeps.outcomes.KINDS`).
        focus_state: the state whose outcomes the scatter and heat-map figures show.
        scatter_dimensions: the dimensions ``outcomes.png`` draws each outcome against, in this
            order; null for every dimension.
        memory_budget_mb: memory one chunk's model may take, MiB: sets the points per chunk.
        plots: whether to draw the figures.
        progress: show a progress bar with the ETA.
        checkpoint_dir: where finished chunks are saved; null for ``.checkpoints/<run folder's
            name>`` beside the run folder. Removed once the results are published.
        resume: continue a stopped sweep from its checkpoints: ``true`` for the default folder of
            the same ``hydra.run.dir``, or the checkpoint folder's path; null to start afresh.
        cluster: where the chunks run: ``none`` (here, one after another), ``local`` (a Dask
            LocalCluster of ``workers`` processes) or ``tcp://HOST:PORT`` (a running Dask scheduler).
        workers: worker processes of ``cluster=local`` (null: one per core).
    """

    design: str = "grid"
    n: int = 64
    design_seed: int = 0
    morris_levels: int = 4
    replicates: int = 8
    seed: int = 0
    dimensions: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    focus_state: str = "ITA"
    scatter_dimensions: list[str] | None = None
    memory_budget_mb: float = 256.0
    plots: bool = True
    progress: bool = True
    checkpoint_dir: str | None = None
    resume: Any = None
    cluster: str = "none"
    workers: int | None = None


@dataclass
class SweepConfig:
    """Settings of ``python -m sim.sweep``.

    Attributes:
        scenario: the swept scenario (a name in ``scenario_dir`` or a path).
        scenario_dir: a folder of the user's own scenarios, or None.
        params: the parameters the dimensions are set on (``configs/params/``).
        sweep: the sweep itself (``configs/sweep/NAME.yaml``).
    """

    scenario: str = "libya_2014_2019"
    scenario_dir: str | None = None
    params: ModelParams = field(default_factory=ModelParams)
    sweep: SweepSettings = field(default_factory=SweepSettings)


def register_sweep_schema() -> None:
    """Register the schema with Hydra's ConfigStore as ``sweep_schema`` (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="sweep_schema", node=SweepConfig)
