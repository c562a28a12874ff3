"""Every candidate against issue 8's criteria, measured on today's data (docs/calibration_studies.md,
"Every candidate against issue 8's criteria: measured").

The studies measured each parameter set on the data and estimate ranges of their day. This script
measures the sets that came nearest to each failing criterion again, side by side, on today's
files, and sets each beside every criterion at once:

- Italy's RMSE on its 18 committed coded points and the other states' on their 41
  (`feasibility_study.fit_of`; 200 replicates, seed 0), on the set's scenario;
- from the set's robustness run (``python -m sim.robustness params=NAME [scenario=...]``; 256 joint
  draws of every estimate, 200 replicates): the largest change of Italy's 2019-08 tilt with one
  event left out, the smallest share of the draws meeting one of the ten shape criteria, and the
  share meeting all ten;
- the account: each interest's share of the rise of Italy's V(LNA) - V(GNA) from 2018-06 to
  2019-08 (`prior_study.measure`, 200 replicates);
- the rolling-origin forecasts, as the set's study measured them (`Candidate.forecasts`: each is a
  calibration of its own, made from the origin by the procedure that made the set), against the
  two baselines computed here from the set's coded points (`sim.fit.baseline_forecasts`). For a
  set found by a draws search, the search run from the origin without the checks measured after it
  (``draws_search.py --until``); `record_corner`, a point between two searched sets, has none.

Writes the measures as JSON and the figure: a row per set, a column per criterion, each cell
green where the criterion holds, red where it fails, grey where it was not measured or cannot be.

    python -m sim.robustness params=NAME [scenario=S] progress=false hydra.run.dir=RUNS/NAME   # each set
    PYTHONPATH=. python scripts/candidates_study.py RUNS --json out.json --figure docs/figures/candidates.png
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.calibrate import build_calibrator, calibration_settings, naive_forecasts, origin_mask
from sim.fit import fit_metrics

#: Issue 8's thresholds: Italy's in-sample RMSE, the change of its 2019-08 tilt with one event left
#: out, the share of the estimate draws meeting each shape criterion, the 2018-06 forecast's RMSE.
RMSE_AT_MOST, EVENT_LIMIT, DRAWS_SHARE, FORECAST_AT_MOST = 0.12, 0.4, 0.90, 0.20
ORIGINS = ("2017-12", "2018-06", "2018-12")
#: The study scenario coding the LNA's Benghazi and Derna campaigns by their dated stages.
STAGES = "studies/campaign_stages"


@dataclass(frozen=True)
class Candidate:
    """A parameter set measured against every criterion.

    name: ``configs/params/NAME.yaml``; label: how the figure names it; study: the section of
    docs/calibration_studies.md (or docs/calibration.md) that made it; scenario: the scenario it
    was made on (None: the history); targets: the coded points its forecasts were judged on;
    forecasts: each origin's forecast RMSE of Italy's later points as the study measured it (the
    kept refit, or the procedure run from the origin), absent where not measured; procedure: how
    the forecasts were made, or why there are none.
    """

    name: str
    label: str
    study: str
    scenario: str | None = None
    targets: str = "italy_tilt"
    forecasts: dict[str, float] = field(default_factory=dict)
    procedure: str = "the calibration refitted on the points up to each origin (the kept restart)"


NO_FORECAST = ("none: not a procedure's set but a point between two searched sets, so no procedure "
               "can be run from an origin")

CANDIDATES = (
    Candidate("calibrated", "committed (CK)", "calibration.md: Out of sample",
              forecasts={"2017-12": 0.348, "2018-06": 0.532, "2018-12": 0.244}),
    Candidate("calibrated_held", "before: commitments held", "calibration_held.md",
              forecasts={"2017-12": 0.480, "2018-06": 0.550, "2018-12": 0.277}),
    Candidate("history_loo", "captures held at 0.4 (23)", "A calibration that holds the limit",
              forecasts={"2018-06": 0.510}),
    Candidate("stages_loo", "stages held at 0.4 (23)", "A calibration that holds the limit",
              scenario=STAGES,
              forecasts={"2017-12": 0.323, "2018-06": 0.359, "2018-12": 0.255}),
    Candidate("stages_p1", "stages, two more points (26)", "More coded points, on the committed calibration",
              scenario=STAGES, targets="italy_tilt_extended",
              forecasts={"2017-12": 0.243, "2018-06": 0.242, "2018-12": 0.104}),
    Candidate("councils_un_list_with_is", "councils from the UN list (28)",
              "The councils' extremism from the UN list", scenario="studies/councils_un_list_with_is",
              forecasts={"2017-12": 0.380, "2018-06": 0.365, "2018-12": 0.508}),
    Candidate("migration_m4", "migration weighted 4 (25)", "Migration given weight",
              forecasts={"2018-06": 0.480},
              procedure="the optimiser seed 0's refit from 2018-06 (the committed seed's: 0.513)"),
    Candidate("counterpart_r14", "coast via counterpart (31)", "The coast through a recognised counterpart",
              forecasts={"2018-06": 0.640},
              procedure="the same draws search run from 2018-06 on what was known there, over the whole "
                        "ranges from no start (counterpart_r14_1806)"),
    Candidate("draws_w01", "searched for the draws (30)", "The price of the draws in fit",
              forecasts={"2017-12": 0.856, "2018-06": 0.521, "2018-12": 0.484},
              procedure="the same draws search run from each origin on what was known there, from no start; "
                        "from 2018-06 the seed the procedure scores better of two (draws_w01_1806_s1; "
                        "seed 0's draws_w01_1806 forecasts 0.255)"),
    Candidate("record_corner", "record's returns, corner (34)",
              "The record's diminishing returns under the draws", procedure=NO_FORECAST),
    Candidate("holds_all_q05", "draws held (35)", "A calibration that holds the draws",
              forecasts={"2017-12": 0.600, "2018-06": 0.599, "2018-12": 0.550},
              procedure="the same draws search run from the origin on what was known there (seed 0)"),
)


def baselines(cal, until: str) -> dict[str, float]:
    """Persistence's and the linear trend's forecast RMSE of the focus state's points after
    ``until``, fitted on those up to it (`sim.calibrate.naive_forecasts`, as the calibration's
    rolling origins judge them)."""
    mask, _ = origin_mask(cal, until)
    naive = naive_forecasts(cal, mask)
    later = cal.targets["tilt"].to_numpy()[~mask]
    return {"persistence": fit_metrics(naive["last_value_held"], later)["rmse"],
            "trend": fit_metrics(naive["linear_trend"], later)["rmse"]}


def robustness_measures(folder: Path) -> dict:
    """The leave-one-out and draws figures of a robustness run's ``robustness.json``."""
    report = json.loads((folder / "robustness.json").read_text())
    largest = report["leave_one_out"]["largest_change"]
    shares = report["estimates"]["share_of_draws_meeting"]
    weakest = min(shares, key=shares.get)
    return {"scenario": report["scenario"], "draws": report["estimates"]["draws"],
            "largest_change": {"event": largest["event"], "delta_final": largest["delta_final"]},
            "least_share": {"criterion": weakest, "share": shares[weakest]},
            "share_meeting_all": report["estimates"]["share_of_draws_meeting_all"],
            "shares": shares}


def campaign_change(candidate: Candidate, replicates: int) -> dict | None:
    """On the scenario coding the eastern campaigns by their stages, where each stage is one event:
    the largest change of Italy's 2019-08 tilt with a campaign left out whole (`stages_study`);
    None on a scenario with each capture one event."""
    if candidate.scenario != STAGES:
        return None
    from stages_study import measure as stages_of

    changes = {label: float(change) for label, change in
               stages_of(candidate.name, STAGES, replicates)["tilt_changes"].items()
               if label.endswith("campaign")}
    label = max(changes, key=lambda k: abs(changes[k]))
    return {"campaign": label.removeprefix("without the ").removesuffix(" campaign"),
            "delta_final": changes[label]}


def scenario_overrides(candidate: Candidate) -> list[str]:
    """The calibration settings' overrides that put ``candidate`` on the scenario it was made on (and
    that scenario's counterfactual without the material events); none for the history."""
    if candidate.scenario is None:
        return []
    return [f"calibrate.scenario={candidate.scenario}",
            f"calibrate.counterfactual={candidate.scenario}_no_military"]


def measure(candidate: Candidate, runs: Path, replicates: int = 200) -> dict:
    """Every measure of ``candidate`` (its robustness run in ``runs/NAME``)."""
    from feasibility_study import fit_of
    from prior_study import measure as account_of

    overrides = scenario_overrides(candidate)
    settings, base = calibration_settings(overrides or None)
    cal = build_calibrator(settings, base)
    fit = fit_of(candidate.name, cal, settings, replicates=replicates)
    if candidate.targets != settings["targets"]:  # its forecasts were judged on other points
        own, own_base = calibration_settings([*overrides, f"calibrate.targets={candidate.targets}"])
        cal = build_calibrator(own, own_base)
    account = account_of(candidate.name, replicates, scenario_name=candidate.scenario or "libya_2014_2019")
    forecasts = {until: {"rmse": candidate.forecasts.get(until), **baselines(cal, until)}
                 for until in ORIGINS}
    return {"params": candidate.name, "label": candidate.label, "study": candidate.study,
            "italy_rmse": fit["italy"]["rmse"], "others_rmse": fit["others_rmse"],
            **robustness_measures(runs / candidate.name),
            "largest_campaign_change": campaign_change(candidate, replicates),
            "forecasts": forecasts, "forecast_procedure": candidate.procedure,
            "account": account["value_gap_share_by_interest"]}


def rank_correlations(measures: list[dict]) -> dict[str, float]:
    """Across the sets: Spearman's rank correlation of the weakest draws share with each interest's
    share of Italy's rise (the interests carrying at least 5 % of it in some set)."""
    from scipy.stats import spearmanr

    weakest = [m["least_share"]["share"] for m in measures]
    carried = [k for k in measures[0]["account"] if max(abs(m["account"][k]) for m in measures) >= 0.05]
    return {k: float(spearmanr([m["account"][k] for m in measures], weakest).statistic) for k in carried}


def verdicts(m: dict) -> dict[str, bool | None]:
    """Whether each criterion holds for the measures ``m`` of one set (None: not measured)."""
    out = {"in-sample": m["italy_rmse"] <= RMSE_AT_MOST,
           "leave one out": abs(m["largest_change"]["delta_final"]) <= EVENT_LIMIT,
           "draws": m["least_share"]["share"] >= DRAWS_SHARE}
    for until, f in m["forecasts"].items():
        out[f"from {until}"] = None if f["rmse"] is None else f["rmse"] < min(f["persistence"], f["trend"])
    f = m["forecasts"]["2018-06"]["rmse"]
    out["2018-06 within 0.20"] = None if f is None else f <= FORECAST_AT_MOST
    return out


COLUMNS = ("in-sample", "leave one out", "draws", "from 2017-12", "from 2018-06", "from 2018-12",
           "2018-06 within 0.20")


def cell_text(m: dict, column: str) -> str:
    """What the figure writes in a cell."""
    if column == "in-sample":
        return f"{m['italy_rmse']:.3f}"
    if column == "leave one out":
        whole = m.get("largest_campaign_change")
        return f"{m['largest_change']['delta_final']:+.2f}" + (
            "" if whole is None else f" (a campaign\nwhole {whole['delta_final']:+.2f})")
    if column == "draws":
        return f"{m['least_share']['share']:.1%} ({m['share_meeting_all']:.1%})"
    until = column.split()[-1] if column.startswith("from") else "2018-06"
    f = m["forecasts"][until]
    if f["rmse"] is None:
        return "—"
    return f"{f['rmse']:.3f} / {f['persistence']:.3f}" if column.startswith("from") else f"{f['rmse']:.3f}"


def figure(measures: list[dict], path: Path) -> None:
    """The criteria matrix: a row per set, a column per criterion (met green, failed red, not
    measured grey), with the other states' RMSE and the account beside it (the partners' part of
    the account is the ``rivalry`` interest's)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    headers = ["Italy's RMSE\n≤ 0.12", "largest event\nleft out, ≤ 0.4",
               "least share of draws\n≥ 90 % (all ten)",
               "forecast from 2017-12\n/ persistence", "from 2018-06\n/ persistence",
               "from 2018-12\n/ persistence", "2018-06\nforecast ≤ 0.20"]
    status = np.array([[{True: 2, False: 0, None: 1}[verdicts(m)[c]] for c in COLUMNS] for m in measures])
    fig, ax = plt.subplots(figsize=(15.5, 0.52 * len(measures) + 1.9))
    ax.imshow(status, cmap=ListedColormap(["#f4a6a6", "#dddddd", "#a8dba8"]), vmin=0, vmax=2, aspect="auto")
    for i, m in enumerate(measures):
        for j, c in enumerate(COLUMNS):
            ax.text(j, i, cell_text(m, c), ha="center", va="center", fontsize=8.5)
        account = m["account"]
        ax.text(len(COLUMNS) - 0.35, i, f"{m['others_rmse']:.3f}   "
                f"{account['security']:.0%} / {account['rivalry']:.0%} / {account['migration']:.0%}",
                ha="left", va="center", fontsize=8.5)
    ax.set_xticks(range(len(COLUMNS)), headers, fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(measures)), [m["label"] for m in measures], fontsize=9)
    ax.text(len(COLUMNS) - 0.35, -0.75, "other states' RMSE; the rise by\nsecurity / partners / migration",
            ha="left", va="bottom", fontsize=8)
    ax.set_xlim(-0.5, len(COLUMNS) + 1.6)
    ax.set_xticks(np.arange(-0.5, len(COLUMNS)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(measures)), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title("Issue 8's criteria, each candidate measured on today's data: green met, red failed, "
                 "grey not measured or not measurable", fontsize=10, pad=40)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", type=Path, help="the folder holding each set's robustness run, RUNS/NAME")
    parser.add_argument("--names", nargs="+", default=[c.name for c in CANDIDATES],
                        help="measure only these sets (default: every candidate)")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--figure", type=Path)
    args = parser.parse_args()
    known = [c.name for c in CANDIDATES]
    unknown = [name for name in args.names if name not in known]
    if unknown:
        parser.error(f"--names: unknown set(s) {', '.join(unknown)}; the candidates are {', '.join(known)}")
    chosen = [c for c in CANDIDATES if c.name in args.names]
    missing = [c for c in chosen if not (args.runs / c.name / "robustness.json").is_file()]
    if missing:
        parser.error(f"{args.runs}: no robustness run for {', '.join(c.name for c in missing)}; make each "
                     "with python -m sim.robustness params=NAME [scenario=S] progress=false "
                     "hydra.run.dir=RUNS/NAME")
    measures = [measure(c, args.runs, args.replicates) for c in chosen]
    for m in measures:
        v = verdicts(m)
        print(f"{m['params']:<26} " + "  ".join(f"{c}: {cell_text(m, c)} "
                                               f"{ {True: 'met', False: 'FAILS', None: '-'}[v[c]] }"
                                               for c in COLUMNS))
    correlations = rank_correlations(measures) if len(measures) > 2 else {}
    if correlations:
        print("the weakest draws share against each interest's share of the rise, "
              "rank correlation over the sets: "
              + ", ".join(f"{k} {v:+.2f}" for k, v in correlations.items()))
    if args.json:
        args.json.write_text(json.dumps({"sets": measures, "rank_correlations": correlations}, indent=1))
    if args.figure:
        figure(measures, args.figure)


if __name__ == "__main__":
    main()
