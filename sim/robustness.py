"""``python -m sim.robustness``: does the focus state's course hang on one event or one group of inputs?

Runs the scenario once as it is, once without each event (leave one out; a stage event only where
the timeline stays valid without it), and once without each group of inputs from ``group_from``
on (`sim.ablation`), all with the same parameters, seed and replicates (common random numbers).
Then every estimate the scenario marks (``estimates:``) at each end of its range, and
``estimate_draws`` joint Latin-hypercube draws of all of them, each judged by every shape
criterion of the calibration: the focus state's checks (``checks``), each other state's documented
side (``sides``) and, with ``material_check``, no comparable rise without the material events
(each draw run again without them). Writes ``robustness.csv`` (events and groups),
``estimate_ends.csv``, ``estimate_draws.csv``, ``robustness.json`` (the baseline, the largest
single-event change against ``max_event_effect``, the groups, the share of draws meeting each
criterion against ``min_share``, the estimates that decide the rise over the draws) and
``robustness.png``, with the resolved ``config.yaml``. With
``posterior=NAME`` every run's replicate k runs with draw k mod N of the posterior's draws table
(`sim.posterior`), so each course is the posterior predictive mean and each change is paired by
replicate and draw; the folder keeps a copy of the table (``posterior_draws.csv``). The runs go
side by side, one worker process per core (``workers``; `sim.workers.TaskPool`), with the same
results on any number of workers.

    python -m sim.robustness
    python -m sim.robustness focus_state=FRA replicates=500
    python -m sim.robustness posterior=calibrated   # each replicate its own posterior draw, in every run
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from scipy.stats import qmc

from sim.ablation import FRAME_GROUP, without_events, without_group, without_material
from sim.calibrate import parse_patterns, pattern_report
from sim.config import CONFIG_DIR, check_params_option, plain, register_configs
from sim.dates import parse_month
from sim.errors import InputError
from sim.estimate_ranking import decisive
from sim.events import EVENT_KINDS, INPUT_GROUPS
from sim.fit import Pattern
from sim.output import BAD_INPUT, claimed, exit_with, write_config, write_json
from sim.plotting import plot_ablations, save_figure
from sim.posterior import PosteriorDraws, checked_posterior
from sim.refit import Refitter
from sim.scenario import Scenario
from sim.scenario.estimates import Estimate, with_values
from sim.simulate import execute, prepare_scenario
from sim.summary import trajectory_checks
from sim.workers import TaskPool, checked_workers

log = logging.getLogger(__name__)
register_configs()


def documented_sides(settings: dict, scenario: Scenario) -> list[Pattern]:
    """The ``sides`` settings (other states' documented sides, by default the calibration's
    ``patterns``) on ``scenario``, validated: an error names ``sides[i]`` and the allowed values."""
    return parse_patterns(settings.get("sides") or [], scenario, key="sides", file="config")


def side_name(side: Pattern, dates: list[str]) -> str:
    """A documented side as a check's name, e.g. ``FRA tilt > 0 over 2017-01..2019-08``."""
    return f"{side.state} tilt {'>' if side.sign > 0 else '<'} 0 over {dates[side.start]}..{dates[side.end]}"


def course(scenario: Scenario, settings: dict, posterior: PosteriorDraws | None = None, *,
           every_check: bool = False) -> dict[str, Any]:
    """The focus state's mean tilt at ``final``, its rise from ``rise_from``, and which shape checks
    hold (``holds``: criterion -> bool), for one scenario (each replicate with its own draw of
    ``posterior`` when given: the same draws in every run).

    With ``every_check``, every shape criterion of the calibration: also each documented side of
    ``sides`` (the state's mean tilt over its window on that side) and, with ``material_check``, no
    comparable rise without the material events (the scenario run again without its material
    events from ``group_from``, `without_material`: the focus state's rise must stay below
    ``checks.rise_at_least``). Their measures go in ``measures`` (name -> value).
    """
    def run(variant: Scenario):
        return execute(variant, params=settings["params"], replicates=settings["replicates"],
                       seed=settings["seed"], record="tilt", posterior=posterior)

    focus = settings["focus_state"]
    final = parse_month(settings["final"]) - scenario.start
    rise_from = parse_month(settings["rise_from"]) - scenario.start
    result = run(scenario)
    mean = result.mean_tilt(focus)
    measured = {"final": float(mean[final]), "rise": float(mean[final] - mean[rise_from]),
                "holds": dict(trajectory_checks(result, focus, settings["checks"])["holds"]),
                "measures": {}}
    if not every_check:
        return measured
    sides = documented_sides(settings, scenario)
    for side, report in zip(sides, pattern_report(result, sides), strict=True):  # as fit_report.json judges
        name = side_name(side, result.dates)
        measured["holds"][name] = report["holds_on_average"]
        measured["measures"][f"mean: {name}"] = report["mean_tilt"]
    if settings.get("material_check"):
        window = (parse_month(settings["group_from"]), scenario.end)
        bare = run(without_material(scenario, window)).mean_tilt(focus)
        rise = float(bare[final] - bare[rise_from])
        limit = settings["checks"]["rise_at_least"]
        measured["holds"][f"rise {settings['rise_from']}..{settings['final']} < {limit} without the "
                          f"material events from {settings['group_from']}"] = rise < limit
        measured["measures"]["rise without the material events"] = rise
    return measured


def estimate_draws(scenario: Scenario, settings: dict, posterior: PosteriorDraws | None = None,
                   refitter: Refitter | None = None,
                   runs: TaskPool | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every estimate at each end of its range (others as in the file), and joint Latin-hypercube
    draws of all of them: one row per run with the course and each shape check. With
    ``estimate_range_scale`` s < 1 every range shrinks about the file's value to s times its
    width on each side (`scaled_range`), and the ``fixed_estimates`` are held at the file's
    values (their ends are not run): what narrower sourcing would buy. With a ``refitter`` each
    joint draw (and each end, with ``refit_ends``) is also run with its parameters refit on that
    draw (`refit_columns`). ``runs`` (`variant_runs`, by default in this process) runs them."""
    scale = settings.get("estimate_range_scale", 1.0)
    fixed = set(settings.get("fixed_estimates") or ())
    estimates = [scaled_range(e, 0.0 if e.path in fixed else scale) for e in scenario.estimates]
    n = settings["estimate_draws"] if estimates else 0
    refit_ends = refitter is not None and bool(settings.get("refit_ends"))
    ends = [{"estimate": estimate.path, "end": end, "value": value, "file_value": estimate.value}
            for estimate in estimates if estimate.path not in fixed
            for end, value in (("low", estimate.low), ("high", estimate.high))]
    values = joint_values(estimates, n, settings["seed"]) if n > 0 else []
    specs = ([Variant("values", {end["estimate"]: end["value"]}, refit=refit_ends) for end in ends]
             + [Variant("values", draw, refit=refitter is not None) for draw in values])
    pool = runs or variant_runs(scenario, settings, posterior, refitter)
    measured = pool.map(specs, desc="estimates", progress=settings.get("progress", False))
    return (pd.DataFrame([{**end, **row} for end, row in zip(ends, measured[:len(ends)], strict=True)]),
            pd.DataFrame([{"draw": i, **row, **draw}
                          for i, (draw, row) in enumerate(zip(values, measured[len(ends):], strict=True))]))


def joint_values(estimates: Sequence[Estimate], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` joint Latin-hypercube draws (seed ``seed``) of ``estimates`` over their ranges, each as
    ``{path: value}``."""
    unit = qmc.LatinHypercube(d=len(estimates), seed=seed).random(n)
    low = np.array([e.low for e in estimates])
    high = np.array([e.high for e in estimates])
    return [dict(zip((e.path for e in estimates), row.tolist(), strict=True))
            for row in low + unit * (high - low)]


def refit_columns(variant: Scenario, settings: dict, refitter: Refitter) -> dict[str, Any]:
    """One draw's refit: the calibration's objective at ``params`` and at the refit values
    (``objective``, ``refit objective``), the values (``refit value: NAME``), and the course and
    shape checks with them (``refit final``, ``refit rise``, ``refit holds: CHECK``)."""
    refit = refitter.refit(variant)
    measured = course(variant, {**settings, "params": refit["params"]}, every_check=True)
    return {"objective": refit["objective_before"], "refit objective": refit["objective"],
            **{f"refit value: {name}": value for name, value in refit["values"].items()},
            **{f"refit {key}": value for key, value in _flat(measured).items()}}


def scaled_range(estimate: Estimate, scale: float) -> Estimate:
    """``estimate`` with its range shrunk about its value: ``value - scale x (value - low)`` to
    ``value + scale x (high - value)``; itself when ``scale`` is 1.

    Args:
        estimate: one of the scenario's estimates.
        scale: the fraction of each side of the range kept, in [0, 1] (0: the value alone).
    """
    if scale == 1.0:
        return estimate
    return replace(estimate, low=estimate.value - scale * (estimate.value - estimate.low),
                   high=estimate.value + scale * (estimate.high - estimate.value))


def _flat(measured: dict[str, Any]) -> dict[str, Any]:
    return {"final": measured["final"], "rise": measured["rise"], **measured.get("measures", {}),
            **{f"holds: {name}": ok for name, ok in measured["holds"].items()}}


def ablation_table(scenario: Scenario, settings: dict, posterior: PosteriorDraws | None = None,
                   runs: TaskPool | None = None) -> tuple[dict[str, float], pd.DataFrame]:
    """The baseline's course and one row per ablation: what it removes and how the course moves.
    ``runs`` (`variant_runs`, by default in this process) runs them."""
    window = f"{settings['group_from']}.."
    rows = ([{"ablation": "event", "name": e.id, "group": EVENT_KINDS[e.kind].group, "date": e.date[:7]}
             for e in scenario.events]
            + [{"ablation": "group", "name": group, "group": group, "date": window}
               for group in INPUT_GROUPS if group != FRAME_GROUP])
    pool = runs or variant_runs(scenario, settings, posterior)
    baseline = pool.map([Variant("baseline")], desc="baseline", progress=False)[0]
    measured = pool.map([Variant(row["ablation"], row["name"]) for row in rows],
                        desc="leaving out events and groups", progress=settings.get("progress", False))
    for row, run in zip(rows, measured, strict=True):
        row.update({"events_removed": run["events_removed"],
                    "final": run["final"], "delta_final": run["final"] - baseline["final"],
                    "rise": run["rise"], "delta_rise": run["rise"] - baseline["rise"],
                    "note": run["note"] or (INPUT_GROUPS[row["name"]] if row["ablation"] == "group" else "")})
    return baseline, pd.DataFrame(rows)


@dataclass(frozen=True)
class Variant:
    """One run of `python -m sim.robustness`, as `measure` makes it.

    Attributes:
        kind: ``baseline`` (the scenario as it is, with every shape check), ``event`` (without the
            event ``target``), ``group`` (without the inputs of group ``target`` from
            ``group_from``) or ``values`` (with the estimates ``target``, path -> value, and every
            shape check).
        target: the event's id, the group's name or the estimates' values.
        refit: with ``values``, also refit the parameters on the variant (`refit_columns`).
    """

    kind: str
    target: Any = None
    refit: bool = False


@dataclass(frozen=True)
class RunContext:
    """What `measure` runs on: the scenario, the robustness settings, the posterior's draws (or
    None) and the refitter (or None)."""

    scenario: Scenario
    settings: dict
    posterior: PosteriorDraws | None = None
    refitter: Refitter | None = None


def measure(context: RunContext, variant: Variant) -> dict[str, Any]:
    """One variant's run: `course` (flattened, `_flat`, with its refit columns) for ``baseline`` and
    ``values``; for an ablation, its ``final``, ``rise``, ``events_removed`` and ``note`` (why it
    could not be run, its final and rise then NaN)."""
    scenario, settings, posterior = context.scenario, context.settings, context.posterior
    if variant.kind == "baseline":
        return course(scenario, settings, posterior, every_check=True)
    if variant.kind == "values":
        changed = with_values(scenario, variant.target)
        refit = refit_columns(changed, settings, context.refitter) if variant.refit else {}
        return {**_flat(course(changed, settings, posterior, every_check=True)), **refit}
    try:
        if variant.kind == "event":
            ablated = without_events(scenario, {variant.target}, f"{scenario.name}-without-{variant.target}")
        else:
            window = (parse_month(settings["group_from"]), scenario.end)
            ablated = without_group(scenario, variant.target, window)
    except ValueError as exc:
        return {"final": float("nan"), "rise": float("nan"), "events_removed": 0, "note": str(exc)}
    measured = course(ablated, settings, posterior)
    return {"final": measured["final"], "rise": measured["rise"],
            "events_removed": len(scenario.events) - len(ablated.events), "note": ""}


def run_context(settings: dict) -> RunContext:
    """A worker's `RunContext`, built from the robustness ``settings`` as `main` builds its own."""
    scenario = prepare_scenario(settings["scenario"], None, settings["scenario_dir"])
    posterior = checked_posterior(settings.get("posterior"))
    return RunContext(scenario, settings, posterior, refitter_of(settings, posterior))


def variant_runs(scenario: Scenario, settings: dict, posterior: PosteriorDraws | None = None,
                 refitter: Refitter | None = None, *, workers: int = 1) -> TaskPool:
    """The `TaskPool` measuring variants of ``scenario``: in this process with ``workers`` 1;
    otherwise in ``workers`` processes, each building the same context from ``settings``
    (`run_context`: so ``scenario`` must be the one ``settings`` names, as in `main`)."""
    return TaskPool(measure, RunContext(scenario, settings, posterior, refitter), build_context=run_context,
                    settings=settings, workers=workers)


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
        "checks": settings["checks"],
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
    }


def estimates_summary(ends: pd.DataFrame, draws: pd.DataFrame, settings: dict,
                      estimates: Sequence[str] = ()) -> dict[str, Any]:
    """``robustness.json``'s ``estimates``: the ends that break a shape check, the share of joint
    draws meeting each, and (``decisive``, `sim.estimate_ranking.decisive`) which of the drawn
    ``estimates`` (their paths) decide the rise over the draws."""
    report = {"count": int(ends["estimate"].nunique()) if len(ends) else 0,
              "range_scale": settings.get("estimate_range_scale", 1.0),
              "fixed": list(settings.get("fixed_estimates") or []),
              "draws": len(draws),
              "ends_breaking_a_check": breaking_ends(ends)}
    if draws.empty:
        return report
    criteria = [c for c in draws.columns if c.startswith("holds: ")]
    shares = {c.removeprefix("holds: "): float(draws[c].mean()) for c in criteria}
    report.update({
        "share_of_draws_meeting": shares,
        "share_of_draws_meeting_all": float(draws[criteria].all(axis=1).mean()),
        "min_share": settings["min_share"],
        "holds": bool(all(share >= settings["min_share"] for share in shares.values())),
        **{measure: spread(draws[measure]) for measure in ("final", "rise") if measure in draws},
    })
    if {"final", "rise"} <= set(draws.columns) and measures_the_rise_check(settings):
        report["rise_and_final"] = rise_and_final(draws, settings["checks"], settings["min_share"])
    drawn = [path for path in estimates if path in draws.columns]
    if drawn:
        report["decisive"] = decisive(draws, drawn)
    if "refit objective" in draws.columns:
        report["refit"] = refit_summary(draws, settings)
    return report


def spread(values: pd.Series) -> dict[str, float]:
    """The 5 % quantile, median and 95 % quantile of a measure over the joint draws (tilt units)."""
    return {"q05": float(values.quantile(0.05)), "median": float(values.median()),
            "q95": float(values.quantile(0.95))}


def measures_the_rise_check(settings: dict) -> bool:
    """Whether the draws' ``final`` and ``rise`` (from ``rise_from`` to ``final``) are the months the
    shape checks' rise is judged over (``checks.rise_from`` to ``checks.rise_to``)."""
    checks = settings.get("checks") or {}
    return ("rise_from" in checks and "rise_to" in checks
            and parse_month(str(settings["rise_from"])) == parse_month(str(checks["rise_from"]))
            and parse_month(str(settings["final"])) == parse_month(str(checks["rise_to"])))


def rise_and_final(draws: pd.DataFrame, checks: dict, min_share: float) -> dict[str, Any]:
    """Whether the rise check and the final-level check can both hold in ``min_share`` m of the
    draws: that needs the rise's (1 - m) quantile at least ``rise_at_least`` and the final tilt's m
    quantile at most ``final_at_most``, so the gap q_m(final) - q_(1-m)(rise) may be at most
    ``final_at_most - rise_at_least`` (tilt units). An input that adds the same to every draw after
    the rise's start moves both quantiles alike and leaves the gap as it is."""
    gap = float(draws["final"].quantile(min_share) - draws["rise"].quantile(1.0 - min_share))
    at_most = float(checks["final_at_most"] - checks["rise_at_least"])
    return {"gap": gap, "at_most": at_most, "holds": gap <= at_most}


def spread_text(quantiles: dict[str, float]) -> str:
    """`spread`'s three figures as ``-0.66 / -0.09 / +0.66``."""
    return " / ".join(f"{quantiles[q]:+.2f}" for q in ("q05", "median", "q95"))


def breaking_ends(ends: pd.DataFrame) -> list[dict[str, Any]]:
    """Each end of an estimate's range at which a shape check fails, with its final tilt (and,
    when the ends were refit, the refit's final tilt and whether it meets every check)."""
    criteria = [c for c in ends.columns if c.startswith("holds: ")]
    if not criteria:
        return []
    refit = "refit final" in ends.columns
    return [{"estimate": r["estimate"], "end": r["end"], "value": r["value"], "final": r["final"],
             **({"refit_final": r["refit final"], "refit_holds": bool(all(r[f"refit {c}"] for c in criteria))}
                if refit else {})}
            for _, r in ends[~ends[criteria].all(axis=1)].iterrows()]


def refit_summary(draws: pd.DataFrame, settings: dict) -> dict[str, Any]:
    """``robustness.json``'s ``estimates.refit``: the shape checks over the joint draws with the
    ``refit`` parameters fitted on each draw, the objective before and after, and the refit values."""
    criteria = [c for c in draws.columns if c.startswith("refit holds: ")]
    shares = {c.removeprefix("refit holds: "): float(draws[c].mean()) for c in criteria}

    def quantiles(column: str) -> dict[str, float]:
        return {"q05": float(draws[column].quantile(0.05)), "median": float(draws[column].median()),
                "q95": float(draws[column].quantile(0.95))}

    return {
        "parameters": list(settings["refit"]),
        "share_of_draws_meeting": shares,
        "share_of_draws_meeting_all": float(draws[criteria].all(axis=1).mean()),
        "holds": bool(all(share >= settings["min_share"] for share in shares.values())),
        "final": quantiles("refit final"),
        "objective": quantiles("objective"),
        "refit_objective": quantiles("refit objective"),
        "values": {c.removeprefix("refit value: "): quantiles(c)
                   for c in draws.columns if c.startswith("refit value: ")},
    }


def write_outputs(folder: Path, settings: dict, *, baseline: dict, table, ends, draws,
                  report: dict) -> None:
    """Every file of a robustness folder, into the staging ``folder``."""
    write_config(OmegaConf.create(settings), folder / "config.yaml")
    table.to_csv(folder / "robustness.csv", index=False)
    ends.to_csv(folder / "estimate_ends.csv", index=False)
    draws.to_csv(folder / "estimate_draws.csv", index=False)
    write_json(report, folder / "robustness.json")
    if settings["plots"]:
        save_figure(plot_ablations(table, settings["focus_state"], limit=settings["max_event_effect"],
                                   baseline=baseline["final"], month=settings["final"], draws=draws,
                                   min_share=settings["min_share"],
                                   decisive=report.get("estimates", {}).get("decisive")),
                    folder / "robustness.png")


def refitter_of(settings: dict, posterior: PosteriorDraws | None) -> Refitter | None:
    """The ``refit`` settings' `Refitter` (validated), or None when ``refit`` is empty."""
    if not settings.get("refit"):
        return None
    if posterior is not None:
        raise InputError("config", "refit", "refits the parameters the posterior's draws would vary; "
                         "use one of refit=[...] or posterior=NAME")
    return Refitter(settings["calibrate"], settings["params"], settings["refit"],
                    popsize=settings["refit_popsize"], maxiter=settings["refit_maxiter"],
                    seed=settings["calibrate"]["optimizer_seed"])


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="robustness")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    settings = plain(cfg)
    started = time.perf_counter()
    try:
        with claimed(run_dir) as folder:  # checked writable before the runs start
            check_params_option()
            scenario = prepare_scenario(settings["scenario"], None, settings["scenario_dir"])
            if settings["focus_state"] not in scenario.state_ids:
                raise InputError("config", "focus_state", f"unknown state {settings['focus_state']!r}; "
                                 f"states of {scenario.name}: {list(scenario.state_ids)}")
            scale = settings.get("estimate_range_scale", 1.0)
            if not (isinstance(scale, int | float) and 0.0 < scale <= 1.0):
                raise InputError("config", "estimate_range_scale", f"is {scale!r}; a fraction in (0, 1] "
                                 "of each estimate's range kept about its value (1: the file's ranges)")
            draws = settings["estimate_draws"]
            if not (isinstance(draws, int) and not isinstance(draws, bool) and draws >= 0):
                raise InputError("config", "estimate_draws", f"is {draws!r}; a whole number of joint "
                                 "draws, 0 or more (0: none)")
            known = {e.path for e in scenario.estimates}
            for path in settings.get("fixed_estimates") or ():
                if path not in known:
                    raise InputError("config", "fixed_estimates", f"{path!r} is not an estimate of "
                                     f"{scenario.name}; its {len(known)} estimates include "
                                     f"{sorted(known)[:4]} (a robustness folder's estimate_ends.csv "
                                     "lists them all)")
            for key in ("final", "rise_from", "group_from"):
                month = parse_month(settings[key])
                if not scenario.start <= month <= scenario.end:
                    raise InputError("config", key, f"{settings[key]} is outside the scenario's period")
            documented_sides(settings, scenario)  # checked before the runs start
            posterior = checked_posterior(settings.get("posterior"))
            refitter = refitter_of(settings, posterior)
            workers = checked_workers(settings.get("workers"), "config", "workers")
            # checks the calibration's settings against the scenario before the runs start
            refit_settings = refitter.describe(scenario) if refitter is not None else None
            with variant_runs(scenario, settings, posterior, refitter, workers=workers) as runs:
                baseline, table = ablation_table(scenario, settings, posterior, runs)
                ends, draws = estimate_draws(scenario, settings, posterior, refitter, runs)
            report = summary(baseline, table, settings)
            if posterior is not None:
                report["posterior"] = posterior.describe(settings["replicates"])
            report["estimates"] = estimates_summary(ends, draws, settings,
                                                    [e.path for e in scenario.estimates])
            if refit_settings is not None:
                report["estimates"].setdefault("refit", {}).update(refit_settings)
            report["wall_time_s"] = time.perf_counter() - started
            write_outputs(folder, settings, baseline=baseline, table=table, ends=ends, draws=draws,
                          report=report)
            if posterior is not None:
                posterior.copy_into(folder)
    except KeyboardInterrupt:
        print(f"stopped by Ctrl-C: nothing was written to {run_dir}", file=sys.stderr)
        sys.exit(130)
    except BAD_INPUT as exc:
        exit_with(exc, run_dir)
    loo = report["leave_one_out"]
    log.info("%s %s: %.2f; largest single-event change %s %+.2f (limit %.2f: %s); %d runs in %.0f s -> %s",
             settings["focus_state"], settings["final"], baseline["final"],
             loo["largest_change"]["event"], loo["largest_change"]["delta_final"], loo["max_event_effect"],
             "holds" if loo["holds"] else "FAILS", len(table) + len(ends) + len(draws) + 1,
             report["wall_time_s"], run_dir)
    estimates = report["estimates"]
    if estimates.get("draws"):
        log.info("%d estimates, %d joint draws: shape checks met in %s of the draws (at least %.0f %% "
                 "each: %s)", estimates["count"], estimates["draws"],
                 ", ".join(f"{v:.0%}" for v in estimates["share_of_draws_meeting"].values()),
                 100 * settings["min_share"], "holds" if estimates["holds"] else "FAILS")
        log.info("over the draws (5 %% / median / 95 %%): %s %s %s, the rise from %s %s",
                 settings["focus_state"], settings["final"], spread_text(estimates["final"]),
                 settings["rise_from"], spread_text(estimates["rise"]))
        if "rise_and_final" in estimates:
            both = estimates["rise_and_final"]
            log.info("the rise and final checks can both hold in %.0f %% of the draws only if the final "
                     "tilt's quantile minus the rise's is at most %.2f: %.2f (%s)",
                     100 * settings["min_share"], both["at_most"], both["gap"],
                     "holds" if both["holds"] else "FAILS")
        leaders = estimates.get("decisive", {}).get("by_rank_correlation_with_the_rise", [])[:3]
        if leaders:
            log.info("the rise over the draws is decided most by %s (rank correlations)",
                     ", ".join(f"{row['estimate']} ({row['rise']:+.2f})" for row in leaders))
    if "share_of_draws_meeting" in estimates.get("refit", {}):
        refit = estimates["refit"]
        log.info("with %s refit on each draw: shape checks met in %s of the draws (%s)",
                 ", ".join(refit["parameters"]),
                 ", ".join(f"{v:.0%}" for v in refit["share_of_draws_meeting"].values()),
                 "holds" if refit["holds"] else "FAILS")


if __name__ == "__main__":
    main()
