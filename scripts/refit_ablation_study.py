"""Refit without the inputs (docs/calibration.md, "Explained, not drawn: refitted without the
inputs"): can the calibration draw Italy's course when a group of inputs is taken away and every
parameter is fitted again?

The check without the material events ("Explained, not drawn") holds the calibrated parameters: it
shows that those parameters need the events, not that no parameters could do without them. Here
each variant of the history (an input group removed from 2016-01, as `python -m sim.robustness`
removes it, or the LNA's eastern captures left out) is calibrated again with the committed
settings from one optimiser seed (`calibrate=quick`: the same objective, points, priors, free
parameters and budget), and the refit is measured as the calibration reports a fit, on 200
replicates: Italy's RMSE and its shape checks, the other states' RMSE and sides, and each
interest's share of the change of Italy's V(LNA) - V(GNA) over the rise. If a variant fits as
well and rises as far, the rise is drawn by the parameters, not explained by the inputs removed.

    python scripts/refit_ablation_study.py all no_material no_territory --out DIR   # 2-3 min a variant
    python scripts/refit_ablation_study.py --leave-out DIR     # each refit's leave-one-out changes
    python scripts/refit_ablation_study.py all --settings calibrate=with_capital params.commitment=10
                                              # another calibration's settings (here the held one)
    python scripts/refit_ablation_study.py --list
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from sim.ablation import without_events, without_group, without_material
from sim.calibrate import (
    SETTINGS_HELP,
    build_calibrator,
    calibration_settings,
    fit_section,
    joint_section,
    pattern_report,
)
from sim.calibration import Calibrator
from sim.dates import parse_month
from sim.scenario import Scenario, load_scenario
from sim.simulate import execute
from sim.summary import trajectory_checks

#: The month from which a group is removed (`configs/robustness.yaml`'s ``group_from``).
REMOVED_FROM = "2016-01"
#: The LNA's two captures that carry the committed fit's rise (docs/calibration.md, appendix).
CAPTURES = {"benghazi": "lna_takes_benghazi", "derna": "lna_takes_derna"}
#: Events whose leave-one-out change `--leave-out` measures on each refit (the largest under the
#: committed fit: docs/calibration.md, appendix).
LEFT_OUT = ("lna_takes_benghazi", "lna_takes_derna", "bunyan_al_marsous_retakes_sirte",
            "us_air_campaign_sirte")


def _group(name: str) -> Callable[[Scenario], Scenario]:
    return lambda s: without_group(s, name, (parse_month(REMOVED_FROM), s.end))


#: Each variant: what it takes away from the history.
VARIANTS: dict[str, Callable[[Scenario], Scenario]] = {
    "all": lambda s: s,
    "no_material": lambda s: without_material(s, (parse_month(REMOVED_FROM), s.end)),
    **{f"no_{group}": _group(group) for group in ("territory", "oil", "migration", "terror", "deployments")},
    "no_benghazi_derna": lambda s: without_events(s, set(CAPTURES.values()), f"{s.name}-no-captures"),
    "no_benghazi": lambda s: without_events(s, {CAPTURES["benghazi"]}, f"{s.name}-no-benghazi"),
    "no_derna": lambda s: without_events(s, {CAPTURES["derna"]}, f"{s.name}-no-derna"),
}


def rise_shares(result, state: str, rise: tuple[str, str]) -> dict[str, float]:
    """Each part's share of the change of ``state``'s V(LNA) - V(Tripoli side) between the months
    ``rise`` (ensemble mean; the decomposition of `python -m sim.run`)."""
    at = [result.dates.index(m) for m in rise]
    s = result.states.index(state)
    change = result.decomposition_array[at[1], s] - result.decomposition_array[at[0], s]
    total = float(change.sum())
    parts = zip(result.decomposition_parts, change, strict=True)
    return {"total": total, **{p: float(c / total) for p, c in parts}}


def variant_calibrator(variant: str, overrides: list[str] | None = None) -> tuple[dict, Scenario, Calibrator]:
    """The committed settings with `calibrate=quick` (and ``overrides``), ``variant`` of their
    scenario, and the calibrator on it."""
    settings, base = calibration_settings(["calibrate=quick", *(overrides or [])])
    scenario = VARIANTS[variant](load_scenario(settings["scenario"]))
    return settings, scenario, build_calibrator(settings, base, scenario=scenario)


def refit(variant: str, *, optimizer_seed: int = 0, replicates: int = 200,
          overrides: list[str] | None = None) -> dict:
    """Calibrate ``variant`` of the history with the committed settings (with ``overrides``:
    Hydra overrides of `configs/calibration.yaml`) from ``optimizer_seed``, and measure the fit on
    ``replicates`` replicates of the model's seed. The overrides are recorded as ``settings``, so
    `leave_out` measures the refit with the settings that made it."""
    settings, scenario, cal = variant_calibrator(variant, overrides)
    fit = cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                  optimizer_seed=optimizer_seed, progress=False)
    params = cal.values_as_params(fit["x"])
    result = execute(scenario, params=params, replicates=replicates, seed=settings["seed"], record="full")
    checks = settings["checks"]
    shape = trajectory_checks(result, cal.state, checks)
    report = fit_section(cal, result, fit, turning_level=settings["turning_level"])
    joint = joint_section(cal, result)
    sides = pattern_report(result, cal.patterns)
    return {
        "variant": variant, "scenario": scenario.name, "optimizer_seed": optimizer_seed,
        "settings": list(overrides or []),
        "objective": fit["objective"], "wall_time_s": fit["wall_time_s"],
        "parameters": {p.name: float(v) for p, v in zip(cal.free, fit["x"], strict=True)},
        "italy_rmse": report["rmse"], "italy_max_error": report["max_abs_error"],
        "low_mean": shape["low_window_mean"], "rise": shape["rise"], "final": shape["final"],
        "others_rmse": joint.get("rmse"),
        "sides_held": sum(bool(p["holds_on_average"]) for p in sides), "sides": len(sides),
        "rise_shares": rise_shares(result, cal.state, (checks["rise_from"], checks["rise_to"])),
        "tilt": dict(zip(result.dates, map(float, result.mean_tilt(cal.state)), strict=True)),
    }


def leave_out(refitted: dict, *, replicates: int = 200) -> dict[str, float]:
    """The change of the focus state's tilt at the rise's end (2019-08) when each of `LEFT_OUT`
    still in the refit's variant is left out, with the refit's parameters and settings
    (``refitted``: `refit`'s output)."""
    settings, scenario, cal = variant_calibrator(refitted["variant"], refitted.get("settings"))
    params = cal.values_as_params([refitted["parameters"][p.name] for p in cal.free])

    def final(s: Scenario) -> float:
        result = execute(s, params=params, replicates=replicates, seed=settings["seed"], record="tilt")
        return float(result.mean_tilt(cal.state)[result.dates.index(settings["checks"]["rise_to"])])

    present = {e.id for e in scenario.events}
    every = final(scenario)
    return {event: final(without_events(scenario, {event}, f"{scenario.name}-without-{event}")) - every
            for event in LEFT_OUT if event in present}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)}")
    parser.add_argument("--optimizer-seed", type=int, default=0)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--out", type=Path, help="write VARIANT.json here")
    parser.add_argument("--settings", nargs="+", default=[], metavar="OVERRIDE",
                        help=SETTINGS_HELP)
    parser.add_argument("--list", action="store_true", help="list the variants and stop")
    parser.add_argument("--leave-out", type=Path, metavar="DIR",
                        help="for each refit written in DIR, the leave-one-out changes of LEFT_OUT")
    args = parser.parse_args()
    if args.leave_out:
        for path in sorted(args.leave_out.glob("*.json")):
            changes = leave_out(json.loads(path.read_text(encoding="utf-8")), replicates=args.replicates)
            print(f"{path.stem:18s} " + ", ".join(f"{e} {v:+.2f}" for e, v in changes.items()), flush=True)
        return
    if args.list or not args.variants:
        print("\n".join(VARIANTS))
        return
    unknown = sorted(set(args.variants) - VARIANTS.keys())
    if unknown:
        parser.error(f"unknown variants {unknown}; the variants: {', '.join(VARIANTS)}")
    for variant in args.variants:
        out = refit(variant, optimizer_seed=args.optimizer_seed, replicates=args.replicates,
                    overrides=args.settings)
        shares = out["rise_shares"]
        print(f"{variant:18s} objective {out['objective']:.3f}  Italy RMSE {out['italy_rmse']:.3f}  "
              f"low {out['low_mean']:+.2f} rise {out['rise']:+.2f} final {out['final']:+.2f}  "
              f"others {out['others_rmse']:.3f}, sides {out['sides_held']}/{out['sides']}  "
              f"rise of the value gap {shares['total']:+.2f}: "
              + ", ".join(f"{p} {v:.0%}" for p, v in shares.items() if p != "total" and abs(v) >= 0.005),
              flush=True)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{variant}.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
