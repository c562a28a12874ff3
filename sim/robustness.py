"""``python -m sim.robustness``: does the focus state's course hang on one event or one group of inputs?

Runs the scenario once as it is, once without each event (leave one out; a stage event only where
the timeline stays valid without it), and
once without each group of inputs from ``group_from`` on (`sim.ablation`), all with the same
parameters, seed and replicates (common random numbers). Writes ``robustness.csv`` (one row per
run), ``robustness.json`` (the baseline, the largest single-event change against
``max_event_effect``, the groups) and ``robustness.png``, with the resolved ``config.yaml``.

    python -m sim.robustness
    python -m sim.robustness focus_state=FRA replicates=500
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.ablation import FRAME_GROUP, without_events, without_group
from sim.config import CONFIG_DIR, plain, register_configs
from sim.dates import parse_month
from sim.errors import InputError
from sim.events import EVENT_KINDS, INPUT_GROUPS
from sim.output import check_fresh, discard_if_empty, staged, write_config, write_json
from sim.plotting import plot_ablations, save_figure
from sim.scenario import Scenario
from sim.simulate import execute, prepare_scenario

log = logging.getLogger(__name__)
register_configs()


def course(scenario: Scenario, settings: dict) -> dict[str, float]:
    """The focus state's mean tilt at ``final`` and its rise from ``rise_from``, for one scenario."""
    result = execute(scenario, params=settings["params"], replicates=settings["replicates"],
                     seed=settings["seed"], record="tilt")
    mean = result.mean_tilt(settings["focus_state"])
    final = parse_month(settings["final"]) - scenario.start
    rise_from = parse_month(settings["rise_from"]) - scenario.start
    return {"final": float(mean[final]), "rise": float(mean[final] - mean[rise_from])}


def ablation_table(scenario: Scenario, settings: dict) -> tuple[dict[str, float], pd.DataFrame]:
    """The baseline's course and one row per ablation: what it removes and how the course moves."""
    baseline = course(scenario, settings)
    rows: list[dict[str, Any]] = []

    def add(ablation: str, name: str, group: str, date: str, ablated: Scenario | None, note: str = ""):
        measured = course(ablated, settings) if ablated is not None else {"final": float("nan"),
                                                                            "rise": float("nan")}
        rows.append({"ablation": ablation, "name": name, "group": group, "date": date,
                     "events_removed": len(scenario.events) - len(ablated.events) if ablated else 0,
                     "final": measured["final"], "delta_final": measured["final"] - baseline["final"],
                     "rise": measured["rise"], "delta_rise": measured["rise"] - baseline["rise"],
                     "note": note})

    for event in scenario.events:
        group = EVENT_KINDS[event.kind].group
        try:
            ablated = without_events(scenario, {event.id}, f"{scenario.name}-without-{event.id}")
        except ValueError as exc:
            add("event", event.id, group, event.date[:7], None, str(exc))
            continue
        add("event", event.id, group, event.date[:7], ablated)
    window = (parse_month(settings["group_from"]), scenario.end)
    for group in INPUT_GROUPS:
        if group == FRAME_GROUP:
            continue
        add("group", group, group, f"{settings['group_from']}..", without_group(scenario, group, window),
            INPUT_GROUPS[group])
    return baseline, pd.DataFrame(rows)


def _event(row: pd.Series) -> dict[str, Any]:
    return {"event": row["name"], "date": row["date"], "delta_final": float(row["delta_final"]),
            "delta_rise": float(row["delta_rise"])}


def summary(baseline: dict, table: pd.DataFrame, settings: dict) -> dict[str, Any]:
    """``robustness.json``: the baseline, the leave-one-out verdict and the group removals."""
    events = table[table["ablation"] == "event"].dropna(subset=["delta_final"])
    largest = events.loc[events["delta_final"].abs().idxmax()] if len(events) else None
    limit = settings["max_event_effect"]
    over = events[events["delta_final"].abs() > limit]
    groups = table[table["ablation"] == "group"]
    return {
        "scenario": settings["scenario"], "focus_state": settings["focus_state"],
        "replicates": settings["replicates"], "seed": settings["seed"],
        "final_month": settings["final"], "rise_from": settings["rise_from"],
        "baseline": baseline,
        "leave_one_out": {
            "events": len(events),
            "largest_change": None if largest is None else _event(largest),
            "max_event_effect": limit,
            "holds": bool(over.empty),
            "events_over_limit": [_event(r) for _, r in over.sort_values("delta_final").iterrows()],
        },
        "groups": {r["name"]: {"removed_from": settings["group_from"],
                               "events_removed": int(r["events_removed"]),
                               **{k: float(r[k]) for k in ("final", "delta_final", "rise", "delta_rise")}}
                   for _, r in groups.iterrows()},
        "estimates": "not yet evaluated: the scenario does not yet mark its estimates with ranges",
    }


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="robustness")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    settings = plain(cfg)
    started = time.perf_counter()
    try:
        check_fresh(run_dir)
        scenario = prepare_scenario(settings["scenario"], None, settings["scenario_dir"])
        if settings["focus_state"] not in scenario.state_ids:
            raise InputError("config", "focus_state", f"unknown state {settings['focus_state']!r}; "
                             f"states of {scenario.name}: {list(scenario.state_ids)}")
        for key in ("final", "rise_from", "group_from"):
            month = parse_month(settings[key])
            if not scenario.start <= month <= scenario.end:
                raise InputError("config", key, f"{settings[key]} is outside the scenario's period")
        baseline, table = ablation_table(scenario, settings)
    except (InputError, ValueError) as exc:
        discard_if_empty(run_dir)
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    report = summary(baseline, table, settings)
    report["wall_time_s"] = time.perf_counter() - started
    with staged(run_dir) as folder:
        write_config(OmegaConf.create(settings), folder / "config.yaml")
        table.to_csv(folder / "robustness.csv", index=False)
        write_json(report, folder / "robustness.json")
        if settings["plots"]:
            save_figure(plot_ablations(table, settings["focus_state"], limit=settings["max_event_effect"],
                                       baseline=baseline["final"], month=settings["final"]),
                        folder / "robustness.png")
    loo = report["leave_one_out"]
    log.info("%s %s: %.2f; largest single-event change %s %+.2f (limit %.2f: %s); %d runs in %.0f s -> %s",
             settings["focus_state"], settings["final"], baseline["final"],
             loo["largest_change"]["event"], loo["largest_change"]["delta_final"], loo["max_event_effect"],
             "holds" if loo["holds"] else "FAILS", len(table) + 1, report["wall_time_s"], run_dir)


if __name__ == "__main__":
    main()
