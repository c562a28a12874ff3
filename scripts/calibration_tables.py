"""The tables of docs/calibration.md's sections on the committed calibration, in Markdown, from the
outputs they are read from: a calibration's fit_report.json and, optionally, a robustness run's
robustness.json and robustness.csv. What the page prints is what this prints, rounded as the page
rounds (the page writes its minus signs as −).

    python -m sim.calibrate hydra.run.dir=/tmp/cal
    python -m sim.robustness hydra.run.dir=/tmp/rob
    python scripts/calibration_tables.py /tmp/cal /tmp/rob
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

STATE_NAMES = {"EGY": "Egypt", "FRA": "France", "QAT": "Qatar", "RUS": "Russia", "TUR": "Turkey",
               "UAE": "UAE", "USA": "USA"}
#: The months of Italy's band ("Parameter uncertainty").
BAND_MONTHS = ("2014-09", "2015-12", "2016-06", "2017-12", "2018-06", "2018-12", "2019-04", "2019-08")


def signed(value: float) -> str:
    return f"{value:+.2f}"


def share(value: float) -> str:
    return f"{100 * value:.0f} %"


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def header(*names: str, numeric_from: int = 1) -> list[str]:
    """A table's head: every column right-aligned from ``numeric_from`` on."""
    rule = ["---" if i < numeric_from else "---:" for i in range(len(names))]
    return [row(*names), "|" + "|".join(rule) + "|"]


def fit_tables(report: dict) -> list[str]:
    """The fit's summary, Italy's points side by side, the other states' points and their sides."""
    fit, shape = report["fit"], report["trajectory"]
    worst = max(fit["points"], key=lambda p: abs(p["model"] - p["target"]))
    lines = [f"Italy: RMSE {fit['rmse']:.3f}, largest error {abs(worst['model'] - worst['target']):.2f} "
             f"({worst['date']}: model {signed(worst['model'])}, coded {signed(worst['target'])}), "
             f"R2 {fit['r2']:.2f}, turning {fit['turning_date']}; objective {fit['objective']:.3f}, "
             f"prior term {report['counts']['prior_penalty']:.1f}; wall time {report['wall_time_s']:.0f} s",
             f"shape: 2016-17 mean {shape['low_window_mean']:.2f}, rise {signed(shape['rise'])}, "
             f"2019-08 {signed(shape['final'])}"]
    if "counterfactual" in report:
        rise = report["counterfactual"]["trajectory"]["rise"]
        lines.append(f"without the material events: rise {signed(rise)}")

    def cells(p: dict) -> list[str]:
        return [p["date"], signed(p["target"]), f"{p['sigma']:.2f}", signed(p["model"])]

    points = fit["points"]
    half = (len(points) + 1) // 2
    lines += ["", *header("date", "coded", "σ", "model", "", "date", "coded", "σ", "model")]
    for k, left in enumerate(points[:half]):
        right = cells(points[half + k]) if half + k < len(points) else [""] * 4
        lines.append(row(*cells(left), "", *right))
    joint = report.get("joint")
    if joint:
        lines += ["", *header("state", "points", "RMSE", "within 2σ", "coded → model (date)")]
        for state, by in joint["by_state"].items():
            coded = "; ".join(f"{p['date']} {signed(p['target'])} → {signed(p['model'])}"
                              for p in joint["by_point"] if p["state"] == state)
            lines.append(row(STATE_NAMES.get(state, state), by["points"], f"{by['rmse']:.2f}",
                             share(by["within_2_sigma"]), coded))
        lines.append(row(f"all {len(joint['by_state'])}", joint["points"], f"{joint['rmse']:.2f}", "", ""))
    if report.get("patterns"):
        lines += ["", *header("state", "expected", "mean tilt", "months on the expected side",
                              numeric_from=2)]
        for p in report["patterns"]:
            lines.append(row(STATE_NAMES.get(p["state"], p["state"]), p["expected"], signed(p["mean_tilt"]),
                             share(p["share_of_months_on_expected_side"])))
    return lines


def uncertainty_tables(report: dict) -> list[str]:
    """The restarts' parameters, and Italy's band with its two sources of spread."""
    lines: list[str] = []
    ident = report.get("identifiability")
    if ident:
        seeds = [f"seed {i}" for i in range(ident["restarts"])]
        lines += header("parameter", *seeds, "mean ± sd", "spread / range", "pinned down")
        for name, p in ident["parameters"].items():
            lines.append(row(f"`{name}`", *(f"{v:.2f}" for v in p["values"]),
                             f"{p['mean']:.2f} ± {p['std']:.2f}", f"{p['spread_over_range']:.2f}",
                             "**yes**" if p["pinned_down"] else "no"))
        lines.append(row("objective", *(f"{v:.3f}" for v in ident["objectives"]), "", "", ""))
        if "precise_objectives" in ident:  # the measure that keeps a restart (reports since 2026-12-04)
            lines.append(row(f"objective on {report['report_replicates']} replicates",
                             *(f"{v:.3f}" for v in ident["precise_objectives"]), "", "", ""))
        lines.append(row("Italy RMSE", *(f"{v:.3f}" for v in ident["rmse"]), "", "", ""))
    band = report.get("uncertainty")
    if band:
        lines += ["", *header("month", "5 %", "median", "95 %", "sd between parameter sets",
                              "sd within a set (stochastic)")]
        q = band["quantiles"]
        for month in (m for m in BAND_MONTHS if m in band["dates"]):
            k = band["dates"].index(month)
            lines.append(row(month, signed(q["q05"][k]), signed(q["q50"][k]), signed(q["q95"][k]),
                             f"{band['std_between_parameter_sets'][k]:.3f}",
                             f"{band['std_within_sets'][k]:.3f}"))
    return lines


def out_of_sample_table(report: dict) -> list[str]:
    lines = header("origin", "points fitted (Italy + others) / forecast", "in-sample RMSE",
                   "forecast RMSE", "persistence", "linear trend", "beats both",
                   "model in the last forecast month", "forecast RMSE of the seeds' refits", numeric_from=2)
    for o in report.get("out_of_sample", []):
        refits = [r["rmse"] for r in o.get("restarts", [])] or [o["rmse"]]
        lines.append(row(o["until"], f"{o['fitted_points']} + {o['fitted_points_other_states']} / "
                         f"{o['forecast_points']}", f"{o['in_sample']['rmse']:.3f}", f"**{o['rmse']:.3f}**",
                         f"{o['persistence_rmse']:.3f}", f"{o['trend_rmse']:.3f}",
                         "yes" if o["beats_baselines"] else "**no**", signed(o["forecast"][-1]["model"]),
                         f"{min(refits):.3f}–{max(refits):.3f}"))
    return lines


def robustness_tables(rob: Path) -> list[str]:
    """The groups removed, the draws' shares, and every event left out, largest change first."""
    result = json.loads((rob / "robustness.json").read_text(encoding="utf-8"))
    base = result["baseline"]
    lines = [f"with every input: 2019-08 {signed(base['final'])}, rise {signed(base['rise'])}", "",
             *header("group removed from 2016", "events", "2019-08", "change", "rise", "change of the rise")]
    for group, g in result["groups"].items():
        lines.append(row(group, g["events_removed"], signed(g["final"]), signed(g["delta_final"]),
                         signed(g["rise"]), signed(g["delta_rise"])))
    draws = result["estimates"]
    lines += ["", *header("shape check", f"share of the {draws['draws']} draws meeting it")]
    lines += [row(check, share(value)) for check, value in draws["share_of_draws_meeting"].items()]
    lines.append(row("all", share(draws["share_of_draws_meeting_all"])))
    table = pd.read_csv(rob / "robustness.csv")
    events = table[table["ablation"] == "event"].assign(size=lambda t: t["delta_final"].abs())
    ran = events[events["note"].isna()].sort_values("size", ascending=False, kind="stable")
    lines += ["", *header("event", "group", "date", "2019-08", "change", "change of the rise",
                          numeric_from=3)]
    for _, e in ran.iterrows():
        lines.append(row(f"`{e['name']}`", e["group"], e["date"], signed(e["final"]),
                         signed(e["delta_final"]), signed(e["delta_rise"])))
    for _, e in events[events["note"].notna()].iterrows():
        lines.append(row(f"`{e['name']}`", e["group"], e["date"], "–", "–", f"– ({e['note']})"))
    return lines


def tables(cal: Path, rob: Path | None = None) -> str:
    """Every table, each under the name of the page's section it belongs to."""
    report = json.loads((cal / "fit_report.json").read_text(encoding="utf-8"))
    sections = [("The fit", fit_tables(report)), ("Parameter uncertainty", uncertainty_tables(report)),
                ("Out of sample", out_of_sample_table(report))]
    if rob is not None:
        sections.append(("Robust to every estimate; the appendix", robustness_tables(rob)))
    return "\n".join(f"## {title}\n\n" + "\n".join(lines) + "\n" for title, lines in sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calibration", type=Path, help="a python -m sim.calibrate run folder")
    parser.add_argument("robustness", type=Path, nargs="?", help="a python -m sim.robustness run folder")
    args = parser.parse_args()
    print(tables(args.calibration, args.robustness))


if __name__ == "__main__":
    main()
