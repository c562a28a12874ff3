"""``python -m sim.run``: run a scenario and write tables, summary and plots to the run folder.

    python -m sim.run                                   # the historical scenario
    python -m sim.run scenario=NAME replicates=500 seed=3 end=2018-12 params.inertia=0.3
    python -m sim.run focus_state=FRA                   # France's plot and fit summary
    python -m sim.run -m scenario=A,B                   # one folder per scenario + an overlay
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import CONFIG_DIR, plain, register_configs
from sim.errors import InputError
from sim.memory import check_fits, estimate
from sim.output import BAD_INPUT, claimed, failure_message, write_config, write_json
from sim.plotting import plot_all_states, plot_decomposition, plot_state_tilt, save_figure
from sim.results import SimulationResult
from sim.scenario import Scenario
from sim.simulate import execute, prepare_scenario
from sim.summary import summarise
from sim.targets import load_targets

log = logging.getLogger(__name__)
register_configs()

#: How many labelled events the trajectory plot marks at most.
MAX_MARKED_EVENTS = 14


def marked_events(scenario: Scenario) -> list[tuple[str, str]]:
    """``(YYYY-MM, label)`` of the events the scenario labels for plots."""
    labelled = [(e.date[:7], e.label) for e in scenario.events if e.label]
    return labelled[:MAX_MARKED_EVENTS]


def load_optional_targets(name: str | None):
    """The target table if one is configured (``targets=null`` for none).

    Raises:
        InputError: the configured file does not exist or is malformed.
    """
    if not name:
        return None
    return load_targets(name)


def focus_plot_name(scenario: Scenario, state: str) -> str:
    """File name of the focus state's trajectory plot, from its name: ``italy_tilt.png``."""
    name = next(s.name for s in scenario.states if s.id == state)
    return "_".join(name.lower().split()) + "_tilt.png"


def check_focus_state(scenario: Scenario, state: str) -> None:
    if state not in scenario.state_ids:
        raise InputError("config", "focus_state", f"unknown state {state!r}; states of "
                         f"{scenario.name}: {list(scenario.state_ids)}")


def write_run(result: SimulationResult, scenario: Scenario, *, targets, cfg, folder: Path) -> None:
    """Everything a run folder holds: config, tables, summary, figures."""
    focus = cfg["focus_state"]
    write_config(cfg, folder / "config.yaml")
    if result.support_array is not None:
        result.write_table("alignment", folder / "alignment.parquet")
        result.decomposition.to_parquet(folder / "decomposition.parquet", index=False)
    result.write_table("tilt", folder / "tilt.parquet")
    result.write_table("control", folder / "control.parquet")
    summary = summarise(result, targets, focus_state=focus, turning_level=cfg["turning_level"])
    write_json(summary, folder / "summary.json")
    if cfg.get("plots", True):
        name = next(s.name for s in scenario.states if s.id == focus)
        figure = plot_state_tilt(result.tilt, focus, events=marked_events(scenario), targets=targets,
                                 title=f"{name}'s tilt — {scenario.name}")
        save_figure(figure, folder / focus_plot_name(scenario, focus))
        save_figure(plot_all_states(result.tilt, title=f"Tilt of every state — {scenario.name}"),
                    folder / "all_states_tilt.png", dpi=110)
        if result.support_array is not None:
            plus, minus = (" then ".join(side) for side in (scenario.tilt.plus, scenario.tilt.minus))
            figure = plot_decomposition(result.decomposition, focus, sides=(plus, minus),
                                        title=f"{name}: what each interest adds to its value of "
                                        f"{plus} over {minus} — {scenario.name}")
            save_figure(figure, folder / focus_plot_name(scenario, focus).replace("_tilt", "_decomposition"))


def run_command(cfg: DictConfig, run_dir: Path) -> tuple[int, str, SimulationResult | None]:
    """`run_app` as the command line sees it: the exit code, the one-line message of a failure
    (empty on success) and the result (None on failure). Bad input and unwritable results exit
    with 2 and leave no folder."""
    try:
        return 0, "", run_app(cfg, run_dir)
    except BAD_INPUT as exc:
        return 2, failure_message(exc, run_dir), None


def run_app(cfg: DictConfig, run_dir: Path) -> SimulationResult:
    """Everything ``python -m sim.run`` does once its config is composed: claim ``run_dir``, run,
    write every output into the private staging folder, publish the folder whole.

    Raises:
        InputError, ValueError: bad input (before anything is published).
        OSError: the results could not be written (nothing is published).
    """
    with claimed(run_dir) as folder:  # checked writable before the simulation starts
        scenario = prepare_scenario(cfg.scenario, cfg.end, cfg.scenario_dir)
        check_focus_state(scenario, cfg.focus_state)
        targets = load_optional_targets(cfg.targets)
        check_fits(estimate(replicates=cfg.replicates, months=scenario.n_months,
                            states=len(scenario.states), factions=len(scenario.factions),
                            assets=len(scenario.assets), record=cfg.record),
                   replicates=cfg.replicates, record=cfg.record)
        result = execute(scenario, params=plain(cfg.params), replicates=cfg.replicates,
                         seed=cfg.seed, first_replicate=cfg.first_replicate, record=cfg.record,
                         progress=cfg.progress, config=plain(cfg))
        write_run(result, scenario, targets=targets, cfg=OmegaConf.create(plain(cfg)), folder=folder)
    return result


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    code, message, result = run_command(cfg, run_dir)
    if code:
        print(message, file=sys.stderr)
        sys.exit(code)
    focus = result.mean_tilt(cfg.focus_state)
    log.info("%s: %d replicates x %d months in %.2f s -> %s", result.scenario, result.replicates,
             len(result.dates), result.wall_time_s, run_dir)
    log.info("%s's mean tilt: %s %.2f, %s %.2f", cfg.focus_state, result.dates[0], focus[0],
             result.dates[-1], focus[-1])


if __name__ == "__main__":
    main()
