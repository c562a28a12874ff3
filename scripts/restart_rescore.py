"""Would the restart a calibration keeps stay kept if its objective were measured more precisely?
(docs/calibration_studies.md, "Choosing among the restarts: measured; adopted").

Each search measures its objective on the ensemble mean of ``calibrate.replicates`` (12) replicates
of the model's seed, and those objectives carry the noise of 12 replicates. Until 2026-12-04 the
calibration kept, of its optimiser seeds' fits (`sim.calibrate.restart_fits`), the one with the
lowest such objective; since then it keeps the lowest on ``report_replicates`` (200) replicates.

This script takes a calibration's run folder (its ``fit_report.json`` holds every restart's
parameters: the main fit's in ``identifiability``, each rolling origin's in
``out_of_sample[].restarts``; its ``config.yaml`` the settings) and measures every restart's
objective again, on the same points:

- on the same 12 replicates (a check: it must equal the reported objective);
- on each of ``--replicates`` numbers of replicates (200, 1000) of the same seed;
- on 12 replicates of each of ``--seeds`` other seeds (1, 2, ...): their mean and spread, and each
  restart's difference from the one with the lowest search objective, paired seed by seed (its
  mean, sd and the share of seeds in which it is lower).

For each fit (the main one and each origin) it prints which restart each measure keeps and, for
the origins, that restart's forecast RMSE against persistence; ``--json`` writes it all.

    python scripts/restart_rescore.py CAL_DIR --replicates 200 1000 --seeds 40 --json rescore.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from sim.calibrate import build_calibrator, precise_objectives, read_calibration_run
from sim.dates import parse_month
from sim.errors import InputError


def restart_sets(report: dict, names: list[str]) -> list[dict]:
    """Every fit of the report with its restarts' parameter vectors (in ``names``' order):
    ``[{fit, until, x (n_free, restarts), reported (the search's objectives), rmse, persistence,
    kept (the restart the calibration kept)}]``."""
    ident = report["identifiability"]
    fits = [{"fit": "main", "until": None,
             "x": np.array([ident["parameters"][n]["values"] for n in names]),
             "reported": list(ident["objectives"]), "rmse": list(ident["rmse"]),
             "persistence": None, "kept": ident.get("kept", {}).get("restart")}]
    for entry in report["out_of_sample"]:
        restarts = entry["restarts"]
        if any("parameters" not in r for r in restarts):
            raise SystemExit(f"origin {entry['until']}: the report does not hold each restart's "
                             "parameters (made before they were recorded); re-run the calibration")
        fits.append({"fit": f"origin {entry['until']}", "until": entry["until"],
                     "x": np.array([[r["parameters"][n] for r in restarts] for n in names]),
                     "reported": [r["objective"] for r in restarts], "rmse": [r["rmse"] for r in restarts],
                     "persistence": entry["persistence_rmse"],
                     "kept": next((i for i, r in enumerate(restarts) if r["kept"]), None)})
    return fits


def objectives(cal, x: np.ndarray, until: int | None, *, replicates: int, seed: int) -> np.ndarray:
    """Each column of ``x``'s objective on ``replicates`` replicates of ``seed`` (one batched run)."""
    return precise_objectives(cal, [{"x": column} for column in x.T], replicates=replicates, seed=seed,
                              until=until)


def rescore(cal_dir: Path, replicates: list[int], seeds: int) -> list[dict]:
    """Every fit of the calibration in ``cal_dir`` with its restarts' objectives measured again
    (see the module docstring): one row per fit, with which restart each measure keeps."""
    report, settings, base = read_calibration_run(cal_dir)
    cal = build_calibrator(settings, base)
    names = [p.name for p in cal.free]
    fitted_replicates, fitted_seed = settings["replicates"], settings["seed"]
    rows = []
    for fit in restart_sets(report, names):
        until = parse_month(fit["until"]) if fit["until"] else None
        again = objectives(cal, fit["x"], until, replicates=fitted_replicates, seed=fitted_seed)
        precise = {n: objectives(cal, fit["x"], until, replicates=n, seed=fitted_seed) for n in replicates}
        others = np.array([objectives(cal, fit["x"], until, replicates=fitted_replicates, seed=s)
                           for s in range(fitted_seed + 1, fitted_seed + 1 + seeds)])
        search = int(np.argmin(fit["reported"]))
        paired = others - others[:, [search]]
        rows.append({
            "fit": fit["fit"], "until": fit["until"], "reported": fit["reported"], "again": again.tolist(),
            "precise": {str(n): v.tolist() for n, v in precise.items()},
            "other_seeds_mean": others.mean(axis=0).tolist(),
            "other_seeds_sd": others.std(axis=0, ddof=1).tolist() if seeds > 1 else None,
            "paired_difference_mean": paired.mean(axis=0).tolist(),
            "paired_difference_sd": paired.std(axis=0, ddof=1).tolist() if seeds > 1 else None,
            "paired_share_lower": (paired < 0).mean(axis=0).tolist(),
            "rmse": fit["rmse"], "persistence_rmse": fit["persistence"],
            "kept": {"by_the_calibration": fit["kept"], "search_objective": search,
                     **{f"{n}_replicates": int(np.argmin(v)) for n, v in precise.items()},
                     "other_seeds_mean": int(np.argmin(others.mean(axis=0)))},
            "fitted_replicates": fitted_replicates, "fitted_seed": fitted_seed,
        })
    return rows


def print_row(row: dict, replicates: list[int], seeds: int) -> None:
    """One fit's table and the restart each measure keeps."""
    search = row["kept"]["search_objective"]
    columns = " | ".join(f"{n} replicates" for n in replicates)
    print(f"\n{row['fit']}: restart | reported | again ({row['fitted_replicates']}, seed "
          f"{row['fitted_seed']}) | {columns} | mean (sd) of {seeds} other seeds | paired difference "
          f"from restart {search} (sd; share lower) | RMSE")
    for k in range(len(row["reported"])):
        sd = f" ({row['other_seeds_sd'][k]:.4f})" if row["other_seeds_sd"] else ""
        psd = f"{row['paired_difference_sd'][k]:.4f}" if row["paired_difference_sd"] else "-"
        print(f"  {k} | {row['reported'][k]:.4f} | {row['again'][k]:.4f} | "
              + " | ".join(f"{v[k]:.4f}" for v in row["precise"].values())
              + f" | {row['other_seeds_mean'][k]:.4f}{sd} | {row['paired_difference_mean'][k]:+.4f} "
              f"({psd}; {row['paired_share_lower'][k]:.0%}) | {row['rmse'][k]:.3f}")
    for rule, k in row["kept"].items():
        if k is not None:
            baseline = row["persistence_rmse"]
            print(f"  kept by {rule}: restart {k}, RMSE {row['rmse'][k]:.3f}"
                  + (f" (persistence {baseline:.3f})" if baseline is not None else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cal_dir", type=Path, help="a calibration's run folder (fit_report.json)")
    parser.add_argument("--replicates", type=int, nargs="+", default=[200],
                        help="replicates of the precise objectives (one or more numbers)")
    parser.add_argument("--seeds", type=int, default=10, help="other seeds of 12 replicates each")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    try:
        rows = rescore(args.cal_dir, args.replicates, args.seeds)
    except InputError as exc:
        raise SystemExit(str(exc)) from None
    for row in rows:
        print_row(row, args.replicates, args.seeds)
    if args.json:
        args.json.write_text(json.dumps({"cal_dir": str(args.cal_dir), "replicates": args.replicates,
                                         "seeds": args.seeds, "fits": rows}, indent=1))


if __name__ == "__main__":
    main()
