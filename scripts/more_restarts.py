"""Would more optimiser seeds change a rolling-origin verdict? (docs/calibration_studies.md, "Choosing
among the restarts: measured; adopted").

Takes a calibration's run folder and refits each origin named (``--origins``) from ``--restarts``
optimiser seeds (``optimizer_seed`` onward) instead of the calibration's ``restarts``: the seeds the
run already fitted are taken from its ``fit_report.json`` (their parameters and search objectives),
the others are fitted here exactly as the calibration fits them (the run's ``config.yaml``: same
objective, budget and replicates). The kept refit follows the calibration's rule
(`sim.calibrate.out_of_sample`: the lowest objective on ``report_replicates`` replicates). Prints,
per origin, the kept seed, its forecast RMSE against persistence and the trend, and every seed's
objectives and forecast; ``--json`` writes the entries.

    python scripts/more_restarts.py CAL_DIR --restarts 10 --origins 2018-06 2018-12 --json ten.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from sim.calibrate import build_calibrator, out_of_sample, read_calibration_run
from sim.errors import InputError


def more_restarts(cal_dir: Path, restarts: int, origins: list[str], log=print) -> dict:
    """Each origin's out-of-sample entry (`sim.calibrate.out_of_sample`) refitted from ``restarts``
    optimiser seeds, the run's own fits reused; ``log`` receives the printed lines."""
    report, settings, base = read_calibration_run(cal_dir)
    cal = build_calibrator(settings, base)
    names = [p.name for p in cal.free]
    entries = {e["until"]: e for e in report.get("out_of_sample", [])}
    out = {}
    for until in origins:
        if until not in entries:
            raise SystemExit(f"{cal_dir / 'fit_report.json'}: no origin {until}; origins: {sorted(entries)}")
        if any("parameters" not in r for r in entries[until]["restarts"]):
            raise SystemExit(f"origin {until}: the report does not hold each refit's parameters; "
                             "re-run the calibration")
        done = {r["optimizer_seed"]: r for r in entries[until]["restarts"]}

        def run_fit(key: str, *, optimizer_seed: int, until: int | None = None, done=done) -> dict:
            if optimizer_seed in done:
                r = done[optimizer_seed]
                return {"x": np.array([r["parameters"][n] for n in names]), "objective": r["objective"],
                        "wall_time_s": 0.0}
            return cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                           optimizer_seed=optimizer_seed, until=until, progress=False)

        entry = out_of_sample(cal, {**settings, "restarts": restarts}, until, run_fit)
        out[until] = entry
        kept = next(r for r in entry["restarts"] if r["kept"])
        log(f"{until}: kept seed {kept['optimizer_seed']}, forecast RMSE {entry['rmse']:.3f} (persistence "
            f"{entry['persistence_rmse']:.3f}, trend {entry['trend_rmse']:.3f}); beats both: "
            f"{entry['beats_baselines']}; model in the last month {entry['forecast'][-1]['model']:+.2f}")
        for r in entry["restarts"]:
            log(f"  seed {r['optimizer_seed']}: search objective {r['objective']:.4f}, on "
                f"{settings['report_replicates']} replicates {r['precise_objective']:.4f}, forecast RMSE "
                f"{r['rmse']:.3f}{'  (kept)' if r['kept'] else ''}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cal_dir", type=Path,
                        help="a calibration's run folder (fit_report.json, config.yaml)")
    parser.add_argument("--restarts", type=int, default=10, help="optimiser seeds per origin")
    parser.add_argument("--origins", nargs="+", required=True, help="origins of the run's report (YYYY-MM)")
    parser.add_argument("--json", type=Path, help="write the entries here")
    args = parser.parse_args()
    try:
        out = more_restarts(args.cal_dir, args.restarts, args.origins,
                            log=lambda line: print(line, flush=True))
    except InputError as exc:
        raise SystemExit(str(exc)) from None
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
