"""Would more optimiser seeds change a rolling-origin verdict? (docs/calibration_studies.md, "Choosing
among the restarts: measured; adopted").

Takes a calibration's run folder and refits each origin named (``--origins``) from ``--restarts``
optimiser seeds (``optimizer_seed`` onward) instead of the calibration's ``restarts``: the seeds the
run already fitted are taken from its ``fit_report.json`` (their parameters and search objectives),
the others are fitted here exactly as the calibration fits them (the run's ``config.yaml``: same
objective, budget and replicates). The kept refit follows the calibration's rule
(`sim.calibrate.out_of_sample`: the lowest objective on ``report_replicates`` replicates). Prints,
per origin, the kept seed, its forecast RMSE against persistence and the trend, and every seed's
objectives and forecast; ``--json`` writes the entries, and ``--reuse`` reads such a file back, so
that seeds fitted by an earlier call are not fitted again. ``--write-params NAME`` writes the kept
refit of the one origin named as the parameter set ``configs/params/NAME.yaml`` (a study record: its
header gives the lines of ``--header``, the command that made it and the refit's figures), and never
replaces a set that exists.

    python scripts/more_restarts.py CAL_DIR --restarts 10 --origins 2018-06 2018-12 --json ten.json
    python scripts/more_restarts.py CAL_DIR --restarts 10 --origins 2018-12 --reuse ten.json \
        --write-params NAME --header 'Study record (docs/calibration_studies.md, "TITLE"): ...'
    python scripts/more_restarts.py CAL_DIR --restarts 5 --origins 2018-06 --write-params NAME \
        --header 'Study record (docs/calibration_studies.md, "TITLE"): ...'
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sim.calibrate import build_calibrator, calibrated_yaml, out_of_sample, read_calibration_run
from sim.errors import InputError
from sim.params import PARAMS_DIR


def more_restarts(cal_dir: Path, restarts: int, origins: list[str], log=print,
                  reuse: Sequence[dict] = ()) -> dict:
    """Each origin's out-of-sample entry (`sim.calibrate.out_of_sample`) refitted from ``restarts``
    optimiser seeds, the run's own fits reused, and those of ``reuse`` (earlier results of this
    function on the same run folder, as ``--json`` writes them); ``log`` receives the printed lines."""
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
        for earlier in reuse:
            for r in earlier.get(until, {}).get("restarts", []):
                seed = r["optimizer_seed"]
                if seed in done and done[seed]["parameters"] != r["parameters"]:
                    raise SystemExit(f"--reuse: origin {until}, optimiser seed {seed}: its refit differs "
                                     f"from the one {cal_dir / 'fit_report.json'} holds; was it made from "
                                     "another run folder?")
                done.setdefault(seed, r)

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


def refit_record(cal_dir: Path, entry: dict, restarts: int, name: str, header: list[str],
                 reused: Sequence[str] = ()) -> str:
    """The text of the parameter set ``name`` holding the kept refit of ``entry`` (one origin's entry
    of `more_restarts`): the run's base parameters with the refit's free values
    (`sim.calibrate.calibrated_yaml`), under ``header``'s lines, the command (with ``reused``, the
    names of the ``--reuse`` files) and the refit's figures."""
    _, settings, base = read_calibration_run(cal_dir)
    cal = build_calibrator(settings, base)
    x = np.array([entry["parameters"][p.name] for p in cal.free])
    kept = next(r for r in entry["restarts"] if r["kept"])
    seeds = [r["optimizer_seed"] for r in entry["restarts"]]
    until, replicates = entry["until"], settings["report_replicates"]
    lines = [
        *header,
        f"The kept refit from the rolling origin {until} (the points up to it only) of a calibration run "
        "folder RUN, made by",
        f"  PYTHONPATH=scripts:. python scripts/more_restarts.py RUN --restarts {restarts} --origins {until} "
        f"{''.join(f'--reuse {file} ' for file in reused)}--write-params {name}",
        f"Optimiser seed {kept['optimizer_seed']}, the lowest objective on {replicates} replicates of seeds "
        f"{min(seeds)}-{max(seeds)}. From the origin {until}: search objective {kept['objective']:.4f}, on "
        f"{replicates} replicates {kept['precise_objective']:.4f}; {settings['state']}'s RMSE up to it "
        f"{entry['in_sample']['rmse']:.4f}, its forecast of the {entry['forecast_points']} later points "
        f"{entry['rmse']:.4f} (persistence {entry['persistence_rmse']:.4f}, trend {entry['trend_rmse']:.4f}; "
        f"{replicates} replicates, seed {settings['seed']}).",
    ]
    return calibrated_yaml(cal.values_as_params(x), cal.free, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cal_dir", type=Path,
                        help="a calibration's run folder (fit_report.json, config.yaml)")
    parser.add_argument("--restarts", type=int, default=10, help="optimiser seeds per origin")
    parser.add_argument("--origins", nargs="+", required=True, help="origins of the run's report (YYYY-MM)")
    parser.add_argument("--json", type=Path, help="write the entries here")
    parser.add_argument("--reuse", type=Path, action="append", default=[],
                        help="an earlier --json of this run folder: its seeds are not fitted again "
                             "(repeatable)")
    parser.add_argument("--write-params", metavar="NAME",
                        help="write the one origin's kept refit as configs/params/NAME.yaml (never replaced)")
    parser.add_argument("--header", action="append", default=[],
                        help="a line of that set's header comment (repeatable); the first names its study")
    args = parser.parse_args()
    record = PARAMS_DIR / f"{args.write_params}.yaml" if args.write_params else None
    if args.header and record is None:
        parser.error("--header gives lines of the set --write-params writes; name that set")
    if record is not None:
        if len(args.origins) != 1:
            parser.error(f"--write-params records one origin's refit; --origins gave {args.origins}")
        if record.exists():
            parser.error(f"{record} exists; a parameter set is never replaced: choose another NAME")
    try:
        reuse = [json.loads(path.read_text(encoding="utf-8")) for path in args.reuse]
    except (OSError, json.JSONDecodeError) as exc:
        parser.error(f"--reuse: {exc}")
    try:
        out = more_restarts(args.cal_dir, args.restarts, args.origins,
                            log=lambda line: print(line, flush=True), reuse=reuse)
        text = None if record is None else refit_record(args.cal_dir, out[args.origins[0]], args.restarts,
                                                       args.write_params, args.header,
                                                       [path.name for path in args.reuse])
    except InputError as exc:
        raise SystemExit(str(exc)) from None
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    if text is not None:
        record.write_text(text, encoding="utf-8")
        print(f"wrote {record}")


if __name__ == "__main__":
    main()
