"""Partners' support of this month: what settling each month's supports does to a fitted set
(docs/calibration_studies.md, "Partners moving together").

For each parameter set of configs/params/ and each weight xi of partners' support of this month
(``partners_now``, docs/ODD.md 7.8), or each depth k of anticipating it (``anticipation``, level-k
reasoning, the same section; ``--anticipation``, with xi 0), with no refit: the calibration's
objective on every point (12 replicates, seed 0, as in the fit), Italy's RMSE and its tilt in
2015-12, the shape checks, the other states' RMSE and documented sides, the months that did not
settle, and Italy's 2019-08 tilt without each of the events that move it most (200 replicates, seed
0). ``--refit G`` also refits every free parameter at each xi (or depth) above 0 for G generations
of the calibration's differential evolution, with the set in its first population (so the refit is
never worse on the objective), and measures the refit set the same way.

    python scripts/partners_now_study.py calibrated --xi 0 0.5 1 [--refit 40] [--json F] [--figure F.png]
    python scripts/partners_now_study.py calibrated --xi 0 --anticipation 0 1 2 3
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np

from sim.calibrate import build_calibrator, calibration_settings, joint_section, pattern_report, report_run
from sim.calibration import read_values
from sim.fit import fit_metrics
from sim.params import read_parameter_set
from sim.summary import trajectory_checks

#: The events whose removal moves Italy's 2019-08 tilt most in the committed set
#: (docs/calibration.md, "Robust to every estimate?").
LEFT_OUT = ("lna_takes_benghazi", "lna_takes_derna", "bunyan_al_marsous_retakes_sirte")


def measure(settings: dict, params: dict, replicates: int = 200) -> dict:
    """One parameter set (``params``, partners_now included) measured as the module says."""
    cal = build_calibrator(settings, params)
    objective = float(cal.losses(read_values(params, cal.free)[:, None])[0])
    result = report_run(cal, params, replicates=replicates, seed=settings["seed"])
    italy = result.mean_tilt(cal.state)
    model = italy[cal.steps]
    target = cal.targets["tilt"].to_numpy()
    joint = joint_section(cal, result)
    sides = pattern_report(result, cal.patterns)
    final = italy[result.dates.index("2019-08")]
    left_out = {}
    for event in LEFT_OUT:
        scenario = dataclasses.replace(cal.scenario,
                                       events=tuple(e for e in cal.scenario.events if e.id != event))
        other = report_run(cal, params, replicates=replicates, seed=settings["seed"], scenario=scenario)
        left_out[event] = float(other.mean_tilt(cal.state)[result.dates.index("2019-08")] - final)
    return {
        "objective": objective,
        "italy_rmse": fit_metrics(model, target)["rmse"],
        "italy_2015_12": float(italy[result.dates.index("2015-12")]),
        "checks": trajectory_checks(result, cal.state, settings["checks"]),
        "other_states_rmse": {s: v["rmse"] for s, v in joint["by_state"].items()},
        "other_states_rmse_all": joint["rmse"],
        "sides_held": {f"{r['state']} {r['expected']}": r["holds_on_average"] for r in sides},
        "left_out_2019_08_change": left_out,
        "italy_tilt": {"dates": list(result.dates), "mean": [float(v) for v in italy]},
        "usa_tilt": [float(v) for v in result.mean_tilt("USA")],
    }


def settings_measured(xis: list[float], depths: list[int]) -> list[tuple[float, int]]:
    """The (xi, depth of anticipation) pairs measured: every xi above 0 without anticipation (the
    two are not combined), xi 0 if depth 0 is asked for, and every depth above 0 at xi 0."""
    return ([(xi, 0) for xi in xis if xi > 0 or 0 in depths]
            + [(0.0, depth) for depth in depths if depth > 0])


def refit(settings: dict, params: dict, generations: int) -> tuple[dict, dict]:
    """Every free parameter refit for ``generations`` generations from ``params`` (in the first
    population); returns the refit set and the fit's summary."""
    cal = build_calibrator(settings, params)
    start = read_values(params, cal.free)
    fit = cal.fit(popsize=settings["popsize"], maxiter=generations,
                  optimizer_seed=settings["optimizer_seed"], x0=start)
    return cal.values_as_params(fit["x"]), {k: fit[k] for k in ("objective", "generations", "wall_time_s")}


def describe(label: str, row: dict) -> str:
    trajectory = row["checks"]
    left = " / ".join(f"{v:+.2f}" for v in row["left_out_2019_08_change"].values())
    return (f"{label}: objective {row['objective']:.4f}, Italy RMSE {row['italy_rmse']:.4f}, 2015-12 "
            f"{row['italy_2015_12']:+.2f}, 2016-17 mean {trajectory['low_window_mean']:+.2f}, rise "
            f"{trajectory['rise']:+.2f}, 2019-08 {trajectory['final']:+.2f}; other states' RMSE "
            f"{row['other_states_rmse_all']:.3f} ("
            + ", ".join(f"{s} {v:.3f}" for s, v in row["other_states_rmse"].items())
            + f"); sides held {sum(row['sides_held'].values())}/{len(row['sides_held'])}; "
            f"without Benghazi / Derna / Misrata's Sirte: {left}; unsettled months {row['unsettled']}")


def figure(rows: list[dict], path: str) -> None:
    """Italy's ensemble-mean tilt (solid) and the USA's (dotted) for each measured row, against
    Italy's coded points with their sigma."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.targets import load_targets

    fig, ax = plt.subplots(figsize=(10, 5.5), constrained_layout=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for row, colour in zip(rows, colours, strict=False):
        months = np.array(row["italy_tilt"]["dates"], dtype="datetime64[M]")
        ax.plot(months, row["italy_tilt"]["mean"], color=colour, lw=2,
                label=f"Italy: {row['label']} (RMSE {row['italy_rmse']:.3f})")
        ax.plot(months, row["usa_tilt"], color=colour, lw=1, ls=":", label=f"the USA: {row['label']}")
    targets = load_targets("italy_tilt")
    ax.errorbar(np.array([str(d)[:7] for d in targets["date"]], dtype="datetime64[M]"), targets["tilt"],
                yerr=targets["sigma"], fmt="o", color="black", ms=4, capsize=2, label="Italy's coded points")
    ax.axhline(0, color="black", lw=0.5)
    ax.axvline(np.datetime64("2015-12"), color="0.6", lw=0.8, ls="--")
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("tilt (LNA - Tripoli side), ensemble mean")
    ax.set_title("Partners' support of last month (xi 0) or of this month (xi 1); dashed line: Skhirat, "
                 "2015-12", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", nargs="+", help="parameter sets of configs/params/")
    parser.add_argument("--xi", type=float, nargs="+", default=[0.0, 0.5, 1.0])
    parser.add_argument("--anticipation", type=int, nargs="+", default=[0], metavar="K",
                        help="depths of anticipation to measure at xi 0 (default: 0 only)")
    parser.add_argument("--refit", type=int, default=0, metavar="G",
                        help="also refit for G generations at each xi above 0 (0: no refit)")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--json")
    parser.add_argument("--figure", help="draw Italy's and the USA's tilt in every measured set to this PNG")
    parser.add_argument("--from-json", help="draw the figure from an earlier run's --json, measuring nothing")
    args = parser.parse_args()
    if args.from_json:
        figure(json.loads(Path(args.from_json).read_text()), args.figure)
        return
    settings, _ = calibration_settings()
    rows = []
    for name in args.params:
        for xi, depth in settings_measured(args.xi, args.anticipation):
            params = read_parameter_set(name) | {"partners_now": xi}
            label = f"{name}, xi {xi:g}"
            if depth:
                params["anticipation"], label = depth, f"{name}, anticipation {depth}"
            sets = [(label, params, None)]
            if args.refit and (xi > 0 or depth):
                started = time.perf_counter()
                refitted, fit = refit(settings, params, args.refit)
                fit["wall_time_s"] = time.perf_counter() - started
                sets.append((f"{name} refit {args.refit} generations, xi {xi:g}", refitted, fit))
            for label, values, fit in sets:
                row = {"label": label, "params": name, "xi": xi, "anticipation": depth,
                       **measure(settings, values, args.replicates)}
                row["unsettled"] = unsettled_months(values, args.replicates, settings["seed"])
                if fit is not None:
                    row["refit"] = fit
                    row["parameters"] = {k: v for k, v in values.items() if k != "state_weights"}
                rows.append(row)
                print(describe(label, row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=float))
    if args.figure:
        figure(rows, args.figure)


def unsettled_months(params: dict, replicates: int, seed: int) -> int:
    """Months of the history run in which some replicate's supports did not settle."""
    from sim.model import AlignmentModel

    model = AlignmentModel("libya_2014_2019", params, replicates=replicates, seed=seed, record="tilt")
    return len(model.run().unsettled_months)


if __name__ == "__main__":
    main()
