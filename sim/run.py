"""``python -m sim.run``: run a scenario and write tables, summary and plots to the run folder.

    python -m sim.run                                   # the historical scenario
    python -m sim.run scenario=NAME replicates=500 seed=3 end=2018-12 params.inertia=0.3
    python -m sim.run focus_state=FRA                   # France's plot and fit summary
    python -m sim.run posterior=calibrated              # each replicate its own posterior draw
    python -m sim.run -m scenario=A,B                   # one folder per scenario + an overlay
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import CONFIG_DIR, check_params_option, plain, register_configs
from sim.errors import InputError
from sim.memory import check_fits, estimate
from sim.output import BAD_INPUT, claimed, failure_message, write_config, write_json
from sim.plotting import save_figure
from sim.plotting.run_figures import run_figures
from sim.posterior import POSTERIOR_COPY, PosteriorDraws, checked_posterior
from sim.results import SimulationResult
from sim.scenario import Scenario
from sim.simulate import execute, prepare_scenario
from sim.summary import summarise
from sim.targets import run_targets

log = logging.getLogger(__name__)
register_configs()

def check_focus_state(scenario: Scenario, state: str) -> None:
    if state not in scenario.state_ids:
        raise InputError("config", "focus_state", f"unknown state {state!r}; states of "
                         f"{scenario.name}: {list(scenario.state_ids)}")


def write_run(result: SimulationResult, scenario: Scenario, *, targets, cfg, folder: Path,
              state_targets=None, posterior: PosteriorDraws | None = None) -> None:
    """Everything a run folder holds: config, tables, summary, figures, and the posterior's draws
    table when the replicates ran with its draws."""
    focus = cfg["focus_state"]
    write_config(cfg, folder / "config.yaml")
    if posterior is not None:
        posterior.copy_into(folder)
    if result.support_array is not None:
        result.write_table("alignment", folder / "alignment.parquet")
        result.decomposition.to_parquet(folder / "decomposition.parquet", index=False)
    result.write_table("tilt", folder / "tilt.parquet")
    result.write_table("control", folder / "control.parquet")
    summary = summarise(result, targets, focus_state=focus, turning_level=cfg["turning_level"],
                        scenario=scenario)
    if posterior is not None:
        summary["posterior"] = posterior_summary(posterior, result.replicates)
    write_json(summary, folder / "summary.json")
    if cfg.get("plots", True):
        tables = {"tilt": result.tilt, "holders": result.holders()}
        if result.support_array is not None:  # summarised from the arrays: never the whole table
            tables.update(support=result.mean_support(focus), decomposition=result.decomposition)
        draws = None if posterior is None else posterior.draws_used(result.replicates)
        figures = run_figures(scenario, tables, focus=focus, targets=targets, state_targets=state_targets,
                              posterior_draws=draws)
        for name, figure in figures.items():
            save_figure(figure, folder / name, dpi=110 if name == "all_states_tilt.png" else 130)


def posterior_summary(posterior: PosteriorDraws, replicates: int) -> dict:
    """What ``summary.json`` says of the draws a run's replicates ran with."""
    return {**posterior.describe(replicates), "copy": POSTERIOR_COPY,
            "parameters": list(posterior.table.columns),
            "rule": "replicate k (counting from first_replicate) runs with draw k mod draws_in_table"}


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
        check_params_option()
        scenario = prepare_scenario(cfg.scenario, cfg.end, cfg.scenario_dir)
        check_focus_state(scenario, cfg.focus_state)
        targets, state_targets = run_targets(cfg, cfg.focus_state, scenario.state_ids)
        check_fits(estimate(replicates=cfg.replicates, months=scenario.n_months,
                            states=len(scenario.states), factions=len(scenario.factions),
                            assets=len(scenario.assets), record=cfg.record),
                   replicates=cfg.replicates, record=cfg.record)
        posterior = checked_posterior(cfg.posterior)
        result = execute(scenario, params=plain(cfg.params), replicates=cfg.replicates,
                         seed=cfg.seed, first_replicate=cfg.first_replicate, record=cfg.record,
                         progress=cfg.progress, config=plain(cfg), posterior=posterior)
        write_run(result, scenario, targets=targets, cfg=OmegaConf.create(plain(cfg)), folder=folder,
                  state_targets=state_targets, posterior=posterior)
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
