"""``python -m sim.attribute``: split states' tilt change over a window across groups of inputs.

Exact Shapley values over the groups of `sim.events.INPUT_GROUPS` (territory and offensives, oil,
migration, terror, foreign deployments, political; the ``stage`` group is the frame and stays):
all 2^k coalitions x ``replicates`` replicates run as one batched model on common random numbers
(`sim.coalitions`), a coalition taking the other groups out of the window as `sim.ablation` does.
Writes ``attribution.json``, ``attribution.csv``, ``attribution.png`` (a waterfall) and the
resolved ``config.yaml`` into ``results/attribute/<time>/``.

    python -m sim.attribute                                     # Italy, 2018-06 -> 2019-08
    python -m sim.attribute states=[ITA,FRA,USA,TUR] replicates=500 seed=1
    python -m sim.attribute window.start=2016-01 window.end=2017-12 groups=[territory,oil]
    python -m sim.attribute posterior=calibrated                # each replicate its own posterior draw
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.ablation import FRAME_GROUP
from sim.attribution import INTERVAL, attribute_state, attribution_table
from sim.coalitions import run_coalitions
from sim.config import CONFIG_DIR, check_params_option, plain, register_configs
from sim.dates import format_month, parse_month
from sim.errors import InputError
from sim.events import INPUT_GROUPS
from sim.memory import check_fits, estimate
from sim.output import BAD_INPUT, claimed, failure_message, write_config, write_json
from sim.plotting.marks import human_title
from sim.posterior import PosteriorDraws, checked_posterior
from sim.scenario import Scenario
from sim.simulate import prepare_scenario
from sim.waterfall import plot_waterfall

log = logging.getLogger(__name__)
register_configs()

#: What the interval means when the replicates ran with posterior draws.
POSTERIOR_INTERVAL = ("; each replicate ran with its own posterior draw, so std holds the parameters' "
                      "spread and the shocks', and the interval is the posterior predictive mean's "
                      "sampling error")

#: The groups a coalition may hold: every input group but the frame.
ATTRIBUTION_GROUPS: tuple[str, ...] = tuple(g for g in INPUT_GROUPS if g != FRAME_GROUP)


def checked_settings(scenario: Scenario,
                     settings: dict) -> tuple[list[str], tuple[int, int], tuple[str, ...]]:
    """The states, the window (month numbers) and the groups, checked against ``scenario``.

    Raises:
        InputError: an unknown state or group, a window outside the scenario or backwards, too few
            replicates, a negative seed.
    """
    states = list(settings["states"] or [])
    if not states:
        raise InputError("config", "states", f"is empty; give states of {scenario.name}: "
                         f"{list(scenario.state_ids)}")
    for state in states:
        if state not in scenario.state_ids:
            raise InputError("config", "states", f"unknown state {state!r}; states of "
                             f"{scenario.name}: {list(scenario.state_ids)}")
    period = f"{format_month(scenario.start)}..{format_month(scenario.end)}"
    window = []
    for key in ("start", "end"):
        text = settings["window"][key]
        try:
            month = parse_month(str(text))
        except ValueError as exc:
            raise InputError("config", f"window.{key}", str(exc)) from None
        if not scenario.start <= month <= scenario.end:
            raise InputError("config", f"window.{key}", f"{text} is outside {scenario.name}'s period "
                             f"{period}")
        window.append(month)
    if window[0] > window[1]:
        raise InputError("config", "window", f"start {settings['window']['start']} is after end "
                         f"{settings['window']['end']}")
    groups = settings["groups"]
    groups = list(ATTRIBUTION_GROUPS) if groups is None else list(groups)
    for group in groups:
        if group not in ATTRIBUTION_GROUPS:
            why = " (the frame of the others, never removed)" if group == FRAME_GROUP else ""
            raise InputError("config", "groups", f"unknown group {group!r}{why}; groups: "
                             f"{list(ATTRIBUTION_GROUPS)}")
    if not groups or len(set(groups)) != len(groups):
        raise InputError("config", "groups", f"{groups} must name one or more distinct groups of "
                         f"{list(ATTRIBUTION_GROUPS)}")
    for key, low in (("replicates", 1), ("seed", 0)):
        if settings[key] < low:
            raise InputError("config", key, f"is {settings[key]}; it must be an integer >= {low}")
    return states, (window[0], window[1]), tuple(g for g in ATTRIBUTION_GROUPS if g in groups)


def attribute(scenario: Scenario, settings: dict,
              posterior: PosteriorDraws | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run every coalition and attribute each state's change: (report, per-state attributions);
    each replicate k with draw k of ``posterior`` when given."""
    states, window, groups = checked_settings(scenario, settings)
    rows = 2 ** len(groups) * settings["replicates"]
    check_fits(estimate(replicates=rows, months=window[1] - scenario.start + 1,
                        states=len(scenario.states), factions=len(scenario.factions),
                        assets=len(scenario.assets), record="tilt"), replicates=rows, record="tilt")
    started = time.perf_counter()
    tilts = run_coalitions(scenario, settings["params"], groups, window,
                           replicates=settings["replicates"], seed=settings["seed"], posterior=posterior)
    attributions = [{**attribute_state(tilts, s), "name": _names(scenario)[s],
                     "window": _window_text(window)} for s in states]
    first = attributions[0]
    report = {
        "state": first["state"], "window": first["window"], "total": first["total"],
        "contributions": first["contributions"],
        "scenario": scenario.name, "groups": list(groups), "replicates": settings["replicates"],
        "coalitions": 2 ** len(groups), "seed": settings["seed"],
        "start_tilt_at": _before(scenario, window),
        "interval": INTERVAL if posterior is None else INTERVAL + POSTERIOR_INTERVAL,
        "posterior": None if posterior is None else posterior.describe(settings["replicates"]),
        "wall_time_s": time.perf_counter() - started,
        "states": attributions,
    }
    return report, attributions


def write_outputs(folder: Path, settings: dict, scenario: Scenario, report: dict,
                  attributions: list[dict[str, Any]], posterior: PosteriorDraws | None = None) -> None:
    """Every file of an attribution folder, into the staging ``folder`` (with the posterior's
    draws table when the replicates ran with its draws)."""
    write_config(OmegaConf.create(settings), folder / "config.yaml")
    write_json(report, folder / "attribution.json")
    if posterior is not None:
        posterior.copy_into(folder)
    attribution_table(attributions, _names(scenario)).to_csv(folder / "attribution.csv", index=False)
    if settings["plots"]:
        window = (report["window"]["start"], report["window"]["end"])
        sides = tuple(" then ".join(side) for side in (scenario.tilt.plus, scenario.tilt.minus))
        names = [a["name"] for a in attributions]
        who = (f"{names[0]}'s tilt" if len(names) == 1
               else "the tilts of " + ", ".join(names[:-1]) + " and " + names[-1])
        figure = plot_waterfall(attributions, names=_names(scenario), window=window,
                                before=report["start_tilt_at"], sides=sides,
                                replicates=report["replicates"],
                                posterior_draws=(report["posterior"] or {}).get("draws_used"),
                                title=f"What moved {who}, {window[0]} → {window[1]} — "
                                      f"{human_title(scenario)}")
        figure.savefig(folder / "attribution.png", dpi=130)


def _names(scenario: Scenario) -> dict[str, str]:
    return {s.id: s.name for s in scenario.states}


def _window_text(window: tuple[int, int]) -> dict[str, str]:
    return {"start": format_month(window[0]), "end": format_month(window[1])}


def _before(scenario: Scenario, window: tuple[int, int]) -> str:
    """The month the starting tilt is read at (the end of the month before the window)."""
    return "the opening" if window[0] == scenario.start else format_month(window[0] - 1)


def attribute_app(cfg: DictConfig | dict, run_dir: Path) -> dict[str, Any]:
    """Everything ``python -m sim.attribute`` does once its config is composed: claim ``run_dir``,
    run the coalitions, write every output into the private staging folder, publish it whole.

    Returns:
        The report written to ``attribution.json``.

    Raises:
        InputError, ValueError: bad input (before anything is published).
        OSError: the results could not be written (nothing is published).
    """
    settings = plain(cfg)
    with claimed(run_dir) as folder:  # checked writable before the runs start
        check_params_option()
        scenario = prepare_scenario(settings["scenario"], None, settings["scenario_dir"])
        posterior = checked_posterior(settings.get("posterior"))
        report, attributions = attribute(scenario, settings, posterior)
        write_outputs(folder, settings, scenario, report, attributions, posterior)
    return report


def attribute_command(cfg: DictConfig | dict, run_dir: Path) -> tuple[int, str, dict[str, Any] | None]:
    """`attribute_app` as the command line sees it: the exit code, the one-line message of a
    failure (empty on success) and the report (None on failure); bad input exits with 2 and leaves
    no folder."""
    try:
        return 0, "", attribute_app(cfg, run_dir)
    except BAD_INPUT as exc:
        return 2, failure_message(exc, run_dir), None


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="attribute")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    code, message, report = attribute_command(cfg, run_dir)
    if code:
        print(message, file=sys.stderr)
        sys.exit(code)
    for a in report["states"]:
        parts = ", ".join(f"{g} {c['mean']:+.3f}" for g, c in a["contributions"].items())
        log.info("%s %s -> %s: %+.3f -> %+.3f; not attributed %+.3f; %s", a["state"],
                 a["window"]["start"], a["window"]["end"], a["start"]["mean"], a["end"]["mean"],
                 a["not_attributed"]["mean"], parts)
    log.info("%d coalitions x %d replicates in %.1f s -> %s", report["coalitions"],
             report["replicates"], report["wall_time_s"], run_dir)


if __name__ == "__main__":
    main()
