"""Hydra structured configs (typed schemas) and composing the project's configs from Python.

The apps (`sim.run`, `sim.calibrate`) and `compose_config` register the schemas; importing this
module registers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.params import ModelParams
from sim.paths import CONFIG_DIR

__all__ = ["CONFIG_DIR", "AttributeConfig", "AttributionWindow", "CalibrateConfig", "RobustnessConfig",
           "RunConfig", "ShapeChecks",
           "compose_config", "plain", "register_configs"]


@dataclass
class RunConfig:
    """Settings of one run (``configs/config.yaml``).

    Attributes:
        scenario: name of ``NAME.yaml`` in ``scenario_dir`` (or a path to a YAML file).
        scenario_dir: a folder of the user's own scenarios; None for the project's ``scenarios/``.
        replicates: number of replicates R (>= 1).
        seed: non-negative integer seed.
        first_replicate: index of the first replicate (to rerun part of an ensemble).
        end: optional last month ``YYYY-MM``, to stop before the scenario's end.
        record: ``full`` (support per faction) or ``tilt`` (tilts only).
        plots: whether to draw the figures.
        focus_state: the state whose trajectory is plotted with the documented points and whose
            fit is summarised (a state id of the scenario).
        targets: name of ``scenarios/targets/NAME.csv`` (points of ``focus_state``), or null.
        state_targets: name of a target file coding several states (``state`` column), drawn in
            every state's panel, or null.
        turning_level: tilt a state's mean must rise above, from below, for its turning month.
        progress: show a progress bar on runs that take more than a moment.
        posterior: a table of posterior draws of the fitted parameters (a name of
            ``configs/posterior_draws/`` or a path to a ``.csv``): replicate k runs with draw k mod N, so
            the band holds parameter and stochastic uncertainty together (`sim.posterior`); null:
            every replicate runs with ``params``.
        params: the model parameters (``configs/params/``).
    """

    scenario: str = "libya_2014_2019"
    scenario_dir: str | None = None
    replicates: int = 200
    seed: int = 0
    first_replicate: int = 0
    end: str | None = None
    record: str = "full"
    plots: bool = True
    focus_state: str = "ITA"
    targets: str | None = "italy_tilt"
    state_targets: str | None = "other_states_tilt"
    turning_level: float = -0.5
    progress: bool = True
    posterior: str | None = None
    params: ModelParams = field(default_factory=ModelParams)


@dataclass
class ShapeChecks:
    """The shape the source article gives the fitted state's course (``calibrate.checks``).

    Attributes:
        low_from, low_to: the window (``YYYY-MM``) over which the mean tilt must be low.
        low_at_most: the highest allowed mean tilt over that window.
        rise_from, rise_to: the months (``YYYY-MM``) between which the tilt must rise.
        rise_at_least: the smallest allowed rise.
        final_at_most: the highest allowed tilt at ``rise_to``.
    """

    low_from: str = "2016-01"
    low_to: str = "2017-12"
    low_at_most: float = -0.6
    rise_from: str = "2018-06"
    rise_to: str = "2019-08"
    rise_at_least: float = 0.4
    final_at_most: float = 0.5


@dataclass
class CalibrateConfig:
    """Settings of ``python -m sim.calibrate`` (``configs/calibrate/default.yaml``).

    Attributes:
        scenario: the scenario fitted.
        counterfactual: a scenario run with the fitted parameters for comparison, or null.
        targets: ``scenarios/targets/NAME.csv``, the documented points of the focus state.
        joint_targets: ``scenarios/targets/NAME.csv`` coding other states' points (columns
            ``state, date, tilt, sigma, source, excerpt, basis``), fitted jointly; null for none.
        prior_sd: standard deviation, in natural-log units, of the log-normal prior (median 1) on
            each fitted ``scale.INTEREST`` (1.0986 = ln 3: a factor of 3 at one standard deviation).
        scale_prior_sd: per-interest overrides of ``prior_sd``, ``{INTEREST: sd}`` (ln units); empty:
            every scale has ``prior_sd``.
        dynamics_priors: priors on fitted dynamics parameters, ``{NAME: {centre, sd, kind, source}}``
            (``kind``: ``normal``, penalty ((x - centre) / sd)^2, or ``lognormal``, penalty
            ((ln x - ln centre) / sd)^2); each is added to the prior term of the objective. ``NAME:
            null`` switches one off; empty: none.
        joint_weight: weight of each of the other states' points against one of the focus state's
            (>= 0; 1: every point alike; 0: the other states count only through ``patterns``).
        leave_one_out: event ids (ids joined by ``+`` are left out together) whose removal may move
            the focus state's tilt at ``checks.rise_to`` by at most ``leave_one_out_limit``: each
            candidate is run again without each, and ``penalty_weight`` x the excess is added to the
            objective (`sim.calibration.Calibrator`). Empty: no such term (the committed calibration).
        leave_one_out_limit: the largest change allowed without penalty (tilt units; issue 8: 0.4).
        pin: free parameters held at a value, ``{NAME: value}`` (``{scale.oil: 4}``), each in its own
            units and within its search range (``+calibrate.pin={scale.oil:4,oil_foresight:0}``): its
            range is narrowed to that value
            (`sim.calibrate.pinned_free`). Empty: every parameter of ``free`` is fitted.
        state: the state whose tilt is fitted.
        replicates: replicates per candidate (common random numbers across candidates).
        seed: the model's seed.
        optimizer_seed: differential evolution's seed.
        popsize: population = popsize x number of free parameters.
        maxiter: generations.
        penalty_weight: weight of the other states' pattern violations against the chi-square.
        report_replicates: replicates of the runs that report the fit.
        out_of_sample_origins: rolling origins (``YYYY-MM``): for each, refit on the points up to it
            and forecast the rest against persistence and a linear trend; empty to skip.
        restarts: optimiser seeds (``optimizer_seed`` onward) of the main fit and of each rolling-origin
            refit; each keeps the fit with the lowest objective measured on ``report_replicates``
            replicates (`sim.calibrate.restart_fits`). The main fit's make the identifiability report
            and the parameter-uncertainty band (1: one seed, no report).
        write_config: also write ``configs/params/calibrated.yaml``.
        checkpoint_dir: the folder of the checkpoint saved after every generation of every fit;
            null for ``.checkpoints/<run folder's name>`` beside the run folder. Removed once the
            run's results are written.
        resume: a stopped run's checkpoint folder, or its run folder: continue that run (refused
            unless made with the same settings and parameters, apart from ``checkpoint_dir``,
            ``resume``, ``write_config`` and ``workers``); its checkpoints keep going to that folder. Null:
            start afresh.
        workers: processes running the fits (the main fit's restarts and every rolling-origin
            refit) side by side; null for one per core. The results are the same for any number
            (`sim.parallel_fits`).
        turning_level: tilt the mean must rise above, from below, for the turning month.
        checks: the trajectory's expected shape.
        free: the fitted parameters, each ``{name, low, high}``.
        patterns: other states' documented signs, each ``{state, sign, from, to, source}``.
    """

    scenario: str = "libya_2014_2019"
    counterfactual: str | None = None
    targets: str = "italy_tilt"
    joint_targets: str | None = None
    prior_sd: float = 1.0986
    scale_prior_sd: dict[str, float] = field(default_factory=dict)
    dynamics_priors: dict[str, Any] = field(default_factory=dict)
    joint_weight: float = 1.0
    leave_one_out: list[str] = field(default_factory=list)
    leave_one_out_limit: float = 0.4
    pin: dict[str, float] = field(default_factory=dict)
    state: str = "ITA"
    replicates: int = 12
    seed: int = 0
    optimizer_seed: int = 0
    popsize: int = 10
    maxiter: int = 100
    penalty_weight: float = 10.0
    report_replicates: int = 200
    out_of_sample_origins: list[str] = field(default_factory=list)
    restarts: int = 1
    write_config: bool = False
    checkpoint_dir: str | None = None
    resume: str | None = None
    workers: int | None = None
    turning_level: float = -0.5
    checks: ShapeChecks = field(default_factory=ShapeChecks)
    free: list[dict[str, Any]] = field(default_factory=list)
    patterns: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RobustnessConfig:
    """Settings of ``python -m sim.robustness`` (``configs/robustness.yaml``).

    Attributes:
        scenario: the scenario whose inputs are taken out one by one.
        scenario_dir: a folder of the user's own scenarios, or None.
        replicates: replicates of every run (the same for all: common random numbers).
        seed: the model's seed.
        focus_state: the state whose course is measured.
        final: ``YYYY-MM``, the month whose mean tilt each ablation moves.
        rise_from: ``YYYY-MM``, the rise is measured from this month to ``final``.
        group_from: ``YYYY-MM``, a group of inputs is removed from this month to the end.
        max_event_effect: the largest change of the final tilt one event may make.
        estimate_draws: joint Latin-hypercube draws of every estimate in its range (0: none).
        min_share: the share of draws in which each shape criterion must hold.
        estimate_range_scale: the fraction of each estimate's range kept on each side of its value
            (1: the ranges in the scenario file; 0.5: half as wide), to measure what narrower
            sourcing would buy.
        fixed_estimates: estimates (paths such as ``factions.SHURA_COUNCILS.extremist``) held at
            the file's values in every draw, as if a source had pinned them down.
        checks: the focus state's expected shape (as in the calibration).
        sides: other states' documented sides, each ``{state, sign, from, to, source}`` (sign +1:
            tilt > 0, toward the LNA; -1: tilt < 0): checked on every estimate draw and end, each
            holding when the state's mean tilt over its window is on that side (by default the
            calibration's ``patterns``).
        material_check: also run every estimate draw and end without its material events from
            ``group_from`` (no comparable rise without them: the focus state's rise must stay
            below ``checks.rise_at_least``); doubles those runs.
        plots: whether to draw the figure.
        progress: show progress bars over the events left out and the estimate runs (stderr).
        posterior: a table of posterior draws (`RunConfig.posterior`): every run's replicate k
            runs with draw k mod N; null: every replicate runs with ``params``.
        refit: free parameters of ``calibrate`` fitted again on every joint estimate draw, from
            their values in ``params`` (`sim.refit`); empty: none.
        refit_ends: also refit at each end of every estimate's range (one refit per end).
        refit_popsize: the refit's differential-evolution population per parameter.
        refit_maxiter: the refit's generations.
        workers: processes measuring the variants side by side (null: one per core); the results
            do not depend on it.
        calibrate: the calibration whose objective the refit minimises (``configs/calibrate/``).
        params: the model parameters.
    """

    scenario: str = "libya_2014_2019"
    scenario_dir: str | None = None
    replicates: int = 200
    seed: int = 0
    focus_state: str = "ITA"
    final: str = "2019-08"
    rise_from: str = "2018-06"
    group_from: str = "2016-01"
    max_event_effect: float = 0.4
    estimate_draws: int = 256
    min_share: float = 0.9
    estimate_range_scale: float = 1.0
    fixed_estimates: list[str] = field(default_factory=list)
    refit: list[str] = field(default_factory=list)
    refit_ends: bool = False
    refit_popsize: int = 6
    refit_maxiter: int = 40
    workers: int | None = None
    calibrate: CalibrateConfig = field(default_factory=CalibrateConfig)
    checks: ShapeChecks = field(default_factory=ShapeChecks)
    sides: list[dict[str, Any]] = field(default_factory=list)
    material_check: bool = True
    plots: bool = True
    progress: bool = True
    posterior: str | None = None
    params: ModelParams = field(default_factory=ModelParams)


@dataclass
class AttributionWindow:
    """The months over which a tilt change is attributed (``YYYY-MM``, both included).

    Attributes:
        start: the first month whose inputs are attributed; the change is measured from the end of
            the month before it.
        end: the last month; the change is measured to the end of it.
    """

    start: str = "2018-06"
    end: str = "2019-08"


@dataclass
class AttributeConfig:
    """Settings of ``python -m sim.attribute`` (``configs/attribute.yaml``).

    Attributes:
        scenario: the scenario whose inputs are attributed.
        scenario_dir: a folder of the user's own scenarios, or None.
        states: the states whose tilt change is attributed (state ids).
        window: the months attributed.
        groups: the groups of inputs attributed (`sim.events.INPUT_GROUPS` but ``stage``); None for
            all six. Groups left out stay in every coalition.
        replicates: replicates per coalition (common random numbers across coalitions).
        seed: the model's seed.
        plots: whether to draw the waterfall.
        posterior: a table of posterior draws (`RunConfig.posterior`): replicate k runs with draw
            k mod N in every coalition; null: every replicate runs with ``params``.
        params: the model parameters.
    """

    scenario: str = "libya_2014_2019"
    scenario_dir: str | None = None
    states: list[str] = field(default_factory=lambda: ["ITA"])
    window: AttributionWindow = field(default_factory=AttributionWindow)
    groups: list[str] | None = None
    replicates: int = 200
    seed: int = 0
    plots: bool = True
    posterior: str | None = None
    params: ModelParams = field(default_factory=ModelParams)


def register_configs() -> None:
    """Register the schemas with Hydra's ConfigStore (idempotent); the apps call it."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    store.store(name="run_schema", node=RunConfig)
    store.store(group="params", name="schema", node=ModelParams)
    store.store(group="calibrate", name="schema", node=CalibrateConfig)
    store.store(name="robustness_schema", node=RobustnessConfig)
    store.store(name="attribute_schema", node=AttributeConfig)


def compose_config(overrides: list[str] | None = None, config_name: str = "config") -> Any:
    """Compose ``configs/<config_name>.yaml`` with Hydra overrides, outside a Hydra app.

    Args:
        overrides: command-line style overrides, e.g. ``["scenario=mini", "params.inertia=0.3"]``.
        config_name: the primary config file's stem.

    Returns:
        The composed `omegaconf.DictConfig`.
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_configs()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name=config_name, overrides=list(overrides or []))


def check_params_option() -> None:
    """In a Hydra app: refuse a ``params=NAME`` option whose file sets nothing.

    Hydra composes an empty file over the typed schema, so the run would use the defaults without a
    word. The file is the first ``params/NAME.yaml`` on the app's search path (``configs/`` first,
    then any ``hydra.searchpath`` folder); an option found in no folder (a package or the
    ConfigStore's ``schema``) is left to Hydra. Outside a Hydra app this checks nothing.

    Raises:
        ParameterError: naming the file.
    """
    import yaml
    from hydra.core.hydra_config import HydraConfig

    from sim.params import check_sets_something

    if not HydraConfig.initialized():
        return
    hydra_cfg = HydraConfig.get()
    choice = hydra_cfg.runtime.choices.get("params")
    if not choice:
        return
    for source in hydra_cfg.runtime.config_sources:
        path = Path(source.path) / "params" / f"{choice}.yaml"
        if source.schema == "file" and path.is_file():
            check_sets_something(path, yaml.safe_load(path.read_text(encoding="utf-8")))
            return


def plain(cfg: Any) -> Any:
    """A resolved plain-Python copy of an OmegaConf node (or the value itself)."""
    from omegaconf import DictConfig, OmegaConf

    if isinstance(cfg, DictConfig):
        return OmegaConf.to_container(cfg, resolve=True)
    return cfg
