"""Were the model true, could the points before an origin forecast the rest? A twin experiment
(docs/calibration_studies.md, "The model's own points: a twin experiment").

The committed parameters play the world. Their ensemble-mean tilt (``report_replicates``
replicates of the model's ``seed``) at every coded point's month, Italy's and the other states',
plus Gaussian noise of ``k`` times the point's σ, rounded to 0.05 as the coding is and clipped to
[-1, +1], is a set of synthetic points with the real dates and σ. On each set the calibration's
rolling-origin refit is made on the points up to the origin (the same objective, priors, patterns
and budget: `sim.calibrate.out_of_sample`, from ``restarts`` optimiser seeds), and Italy's later
synthetic points are forecast. With ``k`` = 0 (no noise, no rounding) the question is
identifiability alone: do the points before the origin pin down what the forecast needs?

Printed and written (``--json``) for each set: the refit's forecast RMSE against the later
synthetic points, against persistence and the linear trend through the earlier ones (the
criterion's measure); the truth's own RMSE on the same later points (the floor the noise sets);
the forecast's error against the truth's noise-free course (the forecast's own error); the
pre-origin objective of the refit and of the truth (a refit that scores below the truth has found
another set the earlier points cannot tell apart); and the forecast rise from the origin to the
last point against the truth's.

    python scripts/twin_study.py --until 2018-06 --noise 0 0.5 1 --draws 3 --json twin.json
    python scripts/twin_study.py --summary --from "0.5σ=twin.json:0.5"    # how often within 0.20
    python scripts/twin_study.py --summary --average --from "0.5σ=twin.json:0.5"   # and the mean course
    python scripts/twin_study.py --real more_restarts.json    # the seeds' mean course on the real record
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate import (
    build_calibrator,
    calibration_settings,
    origin_mask,
    out_of_sample,
    report_run,
    set_values,
)
from sim.calibration import Calibrator
from sim.dates import format_month, parse_month
from sim.fit import fit_metrics

#: the coding's precision (scenarios/targets: tilts rounded to 0.05)
CODING_STEP = 0.05


def truth_course(cal: Calibrator, truth: np.ndarray, *, replicates: int,
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The truth's ensemble-mean tilt of the focus state in every month, and at the other states'
    coded points.

    Args:
        cal: the calibrator whose points' months and states are read.
        truth: the free parameters' values of the world (in ``cal.free``'s order).
        replicates: replicates of the ensemble.
        seed: the model's seed.

    Returns:
        (the focus state's course, shape (T,); the joint points, in the order of ``cal.joint``).
    """
    result = report_run(cal, cal.values_as_params(truth), replicates=replicates, seed=seed)
    focus = result.mean_tilt(cal.state)
    states = list(cal.scenario.state_ids)
    joint = np.array([result.mean_tilt(states[s])[t] for s, t in zip(cal.joint_states, cal.joint_steps,
                                                                    strict=True)], dtype=float)
    return np.asarray(focus, dtype=float), joint


def world(cal: Calibrator, name: str, worlds: dict, *, replicates: int,
          seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`truth_course` of the parameter set ``name``, run once and kept in ``worlds`` for every
    later row or panel it plays the world in."""
    if name not in worlds:
        worlds[name] = truth_course(cal, set_values(cal, name), replicates=replicates, seed=seed)
    return worlds[name]


def synthetic(values: np.ndarray, sigma: np.ndarray, noise: float, z: np.ndarray) -> np.ndarray:
    """Coded-looking points: ``values`` + ``noise`` × ``sigma`` × ``z``, rounded to 0.05 and clipped
    to [-1, +1] (``noise`` 0: the values unchanged, not rounded).

    Args:
        values: the truth at each point (tilt units).
        sigma: each point's coding uncertainty (tilt units).
        noise: the noise's size in units of σ, >= 0.
        z: standard normal draws, one per point.
    """
    if noise == 0:
        return values.copy()
    noisy = values + noise * sigma * z
    return np.clip(np.round(noisy / CODING_STEP) * CODING_STEP, -1.0, 1.0)


def with_points(cal: Calibrator, focus: np.ndarray, joint: np.ndarray) -> Calibrator:
    """A copy of ``cal`` fitting ``focus`` and ``joint`` in place of its coded points' tilts
    (their months, states and σ kept)."""
    out = copy.copy(cal)
    out.targets = cal.targets.copy()
    out.targets["tilt"] = focus
    out.joint = cal.joint.copy()
    out.joint["tilt"] = joint
    return out


def with_extra_points(cal: Calibrator, dates: list[str], sigma: float) -> Calibrator:
    """A copy of ``cal`` with focus points added at ``dates`` (``YYYY-MM``, each with coding
    uncertainty ``sigma``): the design question of what points the record lacks would buy. Their
    tilts are placeholders (0) until `with_points` sets them.

    Raises:
        SystemExit: a date not a month of the scenario, already coded, or a ``sigma`` not > 0.
    """
    if not (np.isfinite(sigma) and sigma > 0):
        raise SystemExit(f"--extra-sigma: is {sigma}; a positive number")
    rows = []
    for date in dates:
        try:
            month = parse_month(date)
        except ValueError as exc:
            raise SystemExit(f"--extra {date}: {exc}") from None
        if not cal.scenario.start <= month <= cal.scenario.end or month in set(cal.targets["month"]):
            first, last = format_month(cal.scenario.start), format_month(cal.scenario.end)
            raise SystemExit(f"--extra {date}: a month of the scenario ({first} to {last}) that has no "
                             "coded point")
        rows.append({"date": date, "month": month, "tilt": 0.0, "sigma": float(sigma)})
    out = copy.copy(cal)
    out.targets = pd.concat([cal.targets, pd.DataFrame(rows)], ignore_index=True).sort_values("month")
    out.targets = out.targets.reset_index(drop=True)
    out.steps = (out.targets["month"] - cal.scenario.start).to_numpy()
    return out


def twin_refit(cal: Calibrator, settings: dict, truth: np.ndarray, truth_course: np.ndarray,
               until: str) -> dict:
    """The rolling-origin refit on ``cal``'s (synthetic) points up to ``until`` and its forecast,
    measured against the later synthetic points and against the truth.

    Args:
        cal: a calibrator holding the synthetic points (`with_points`).
        settings: the calibration settings (``calibrate``).
        truth: the world's free parameters.
        truth_course: the truth's noise-free ensemble mean of the focus state, every month.
        until: the origin, ``YYYY-MM``.
    """
    mask, cutoff = origin_mask(cal, until)
    truth_focus = truth_course[cal.steps]
    origin, last = cutoff - cal.scenario.start, cal.steps[-1]

    def run_fit(key: str, *, optimizer_seed: int, until: int | None = None) -> dict:
        return cal.fit(popsize=settings["popsize"], maxiter=settings["maxiter"],
                       optimizer_seed=optimizer_seed, until=until, progress=False)

    entry = out_of_sample(cal, settings, until, run_fit)
    y = cal.targets["tilt"].to_numpy(float)
    forecast = np.array([f["model"] for f in entry["forecast"]])
    kept = next(r for r in entry["restarts"] if r["kept"])
    truth_objective = float(cal.losses(truth, cutoff)[0])
    return {
        "until": until,
        "rmse": entry["rmse"],
        "persistence_rmse": entry["persistence_rmse"],
        "trend_rmse": entry["trend_rmse"],
        "beats_baselines": entry["beats_baselines"],
        "truth_rmse": fit_metrics(truth_focus[~mask], y[~mask])["rmse"],
        "error_against_truth": fit_metrics(forecast, truth_focus[~mask])["rmse"],
        "in_sample_rmse": entry["in_sample"]["rmse"],
        "refit_objective": kept["objective"],
        "truth_objective": truth_objective,
        "forecast_rise": float(entry["trajectory"]["mean"][last] - entry["trajectory"]["mean"][origin]),
        "truth_rise": float(truth_course[last] - truth_course[origin]),
        "last": {"date": entry["forecast"][-1]["date"], "point": float(y[-1]),
                 "forecast": float(forecast[-1]), "truth": float(truth_focus[-1])},
        "parameters": entry["parameters"],
        "restarts": entry["restarts"],
    }


def twin_points(cal: Calibrator, focus: np.ndarray, joint: np.ndarray, noise: float,
                draw: int) -> tuple[np.ndarray, np.ndarray]:
    """One synthetic set: the truth's ``focus`` and ``joint`` points with noise of ``noise`` × σ
    drawn from seed ``draw`` (the focus points' draws first, then the other states')."""
    z = np.random.default_rng(draw).standard_normal(len(focus) + len(joint))
    return (synthetic(focus, cal.targets["sigma"].to_numpy(float), noise, z[:len(focus)]),
            synthetic(joint, cal.joint["sigma"].to_numpy(float), noise, z[len(focus):]))


def figure(panels: list[tuple[str, list[dict]]], settings: dict, base: dict, out: Path) -> None:
    """Italy's course in each twin refit against the truth's, one panel per run (the refits'
    kept parameters run again on ``report_replicates`` replicates), with each set's synthetic
    points before and after the origin.

    Args:
        panels: (title, the rows ``--json`` wrote) for each panel.
        settings: the calibration settings the rows were made with.
        base: the base parameters.
        out: the PNG written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cal = build_calibrator(settings, base)
    reps, seed = settings["report_replicates"], settings["seed"]
    cols = min(3, len(panels))
    rows_of_panels = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows_of_panels, cols, figsize=(5.2 * cols, 4.3 * rows_of_panels), sharey=True,
                             squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    truths = {}
    for ax, (title, rows) in zip(axes.flat[:len(panels)], panels, strict=True):
        course, joint = world(cal, rows[0]["truth"], truths, replicates=reps, seed=seed)
        dates = np.array([np.datetime64(cal.scenario.month_label(t)) for t in range(len(course))])
        ax.plot(dates, course, color="black", lw=2.2, label="the truth (committed parameters)")
        origin = np.datetime64(rows[0]["until"])
        ax.axvline(origin, color="grey", ls="--", lw=1)
        for k, row in enumerate(rows):
            twin_cal = (with_extra_points(cal, row["extra"], row.get("extra_sigma", 0.15))
                        if row.get("extra") else cal)
            focus_pts, _ = twin_points(twin_cal, course[twin_cal.steps], joint, row["noise"], row["draw"])
            x = np.array([row["parameters"][p.name] for p in cal.free])
            refit = report_run(cal, cal.values_as_params(x), replicates=reps, seed=seed).mean_tilt(cal.state)
            colour = f"C{k}"
            seeds = f", best of {len(row['restarts'])} seeds" if len(row["restarts"]) > 1 else ""
            label = f"{row['noise']:g}σ, draw {row['draw']}{seeds}: forecast RMSE {row['rmse']:.2f}"
            ax.plot(dates, refit, color=colour, lw=1.3, label=label)
            point_dates = np.array([np.datetime64(d) for d in twin_cal.targets["date"]])
            before = point_dates <= origin
            ax.scatter(point_dates[before], focus_pts[before], color=colour, s=14, marker="o", zorder=3)
            ax.scatter(point_dates[~before], focus_pts[~before], color=colour, s=18, marker="x", zorder=3)
        ax.set_title(title, fontsize=10)
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_ylim(-1.05, 1.05)
        ax.legend(fontsize=7, loc="upper left")
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("Italy's tilt (LNA − Tripoli side)")
    fig.suptitle("Twin experiment: refits on the points up to the origin (dots) forecast the later "
                 "points (crosses)", fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def panel_rows(item: str) -> list[dict]:
    """The rows of ``JSON`` or, for ``JSON:NOISE``, those of that noise size (a --figure panel's part)."""
    path, _, noise = item.partition(":")
    try:
        rows = json.loads(Path(path).read_text())
        wanted = float(noise) if noise else None
    except (OSError, ValueError) as exc:
        raise SystemExit(f"--from {item}: {exc}; a --json file of this script, optionally :NOISE") from None
    rows = [r for r in rows if wanted is None or r["noise"] == wanted]
    if not rows:
        raise SystemExit(f"--from {item}: no rows of noise {noise}")
    return rows


def mean_course_forecast(cal: Calibrator, entry: dict, settings: dict) -> float:
    """The focus state's (Italy's) forecast RMSE from the mean of the restarts' courses, not the kept
    restart's alone (a rule that averages the optimiser seeds' refits instead of choosing one).

    Args:
        cal: the calibrator whose points are forecast (a twin's, `with_points`, or the real one).
        entry: an `sim.calibrate.out_of_sample` entry or a ``--json`` row: its ``until`` and its
            ``restarts``, each with its ``parameters``.
        settings: the calibration settings (``report_replicates``, ``seed``: each course is the
            ensemble mean the calibration forecasts with).
    """
    return mean_rmse(cal, entry["until"], seed_courses(cal, entry["restarts"], settings))


def seed_courses(cal: Calibrator, restarts: list[dict], settings: dict) -> list[np.ndarray]:
    """Each restart's ensemble-mean course of the focus state (``report_replicates`` replicates of
    the model's ``seed``), every month."""
    reps, seed = settings["report_replicates"], settings["seed"]
    return [report_run(cal, cal.values_as_params(np.array([r["parameters"][p.name] for p in cal.free])),
                       replicates=reps, seed=seed).mean_tilt(cal.state) for r in restarts]


def mean_rmse(cal: Calibrator, until: str, courses: list[np.ndarray]) -> float:
    """The forecast RMSE, on ``cal``'s points after ``until``, of the mean of ``courses``."""
    mask, _ = origin_mask(cal, until)
    mean = np.mean(courses, axis=0)[cal.steps[~mask]]
    return fit_metrics(mean, cal.targets["tilt"].to_numpy(float)[~mask])["rmse"]


def mean_course_forecasts(rows: list[dict], settings: dict, base: dict) -> list[float]:
    """`mean_course_forecast` of each twin row, on its own twin points (made again from its noise
    and draw, as `figure` makes them)."""
    cal = build_calibrator(settings, base)
    reps, seed = settings["report_replicates"], settings["seed"]
    worlds = {}
    out = []
    for row in rows:
        if row.get("extra"):
            raise SystemExit("--average: rows with --extra points are not supported")
        course, joint = world(cal, row["truth"], worlds, replicates=reps, seed=seed)
        twin = with_points(cal, *twin_points(cal, course[cal.steps], joint, row["noise"], row["draw"]))
        out.append(mean_course_forecast(twin, row, settings))
    return out


def summary(rows: list[dict], *, limit: float = 0.20, averaged: list[float] | None = None) -> dict:
    """How often the refits of one twin setting forecast within ``limit`` (issue 8's 0.20 on the
    2018-06 forecast), with a 95 % exact (Clopper-Pearson) interval for the share of twin records.

    Args:
        rows: the rows ``--json`` wrote for one setting (one origin, noise and number of seeds).
        limit: the forecast RMSE asked (tilt units).
        averaged: each row's `mean_course_forecast` (tilt units), in the rows' order; None to leave
            the mean course out.

    Returns:
        ``records``; the kept refits' forecast RMSE (``median``, ``low``, ``high``); ``within``
        (records whose kept refit forecasts within ``limit``) and its ``interval``;
        ``beats_baselines`` (records whose kept refit beats persistence and the trend). With
        several optimiser seeds per record, also: ``refits`` and ``refits_within`` (every seed's
        refit), ``any_seed_within`` (records where some seed's refit is within ``limit``),
        ``kept_best`` (records where the seed kept by the objective forecasts best of its seeds)
        and ``rank_correlation`` (the median over records of Spearman's correlation between a
        seed's objective up to the origin and its forecast RMSE: positive when a lower objective
        goes with a better forecast). With ``averaged`` (each row's `mean_course_forecast`),
        ``average``: its median, range, records within ``limit`` and records beating both baselines.
    """
    from scipy.stats import binomtest, spearmanr

    if not rows:
        raise SystemExit("--summary: a group without rows")
    forecasts = np.array([r["rmse"] for r in rows])
    within = int((forecasts <= limit).sum())
    interval = binomtest(within, len(rows)).proportion_ci(confidence_level=0.95, method="exact")
    out = {"records": len(rows), "median": float(np.median(forecasts)), "low": float(forecasts.min()),
           "high": float(forecasts.max()), "within": within,
           "interval": [float(interval.low), float(interval.high)],
           "beats_baselines": sum(bool(r["beats_baselines"]) for r in rows)}
    if all(len(r["restarts"]) > 1 for r in rows):
        seeds = [np.array([s["rmse"] for s in r["restarts"]]) for r in rows]
        objectives = [np.array([s["precise_objective"] if s.get("precise_objective") is not None
                                else s["objective"] for s in r["restarts"]]) for r in rows]
        kept = [next(k for k, s in enumerate(r["restarts"]) if s["kept"]) for r in rows]
        out |= {"refits": int(sum(len(s) for s in seeds)),
                "refits_within": int(sum((s <= limit).sum() for s in seeds)),
                "any_seed_within": int(sum((s <= limit).any() for s in seeds)),
                "kept_best": int(sum(s[k] == s.min() for s, k in zip(seeds, kept, strict=True))),
                "rank_correlation": float(np.median([spearmanr(o, s).statistic
                                                     for o, s in zip(objectives, seeds, strict=True)]))}
    if averaged is not None:
        mean = np.array(averaged)
        beats = [m < min(r["persistence_rmse"], r["trend_rmse"]) for m, r in zip(mean, rows, strict=True)]
        out["average"] = {"median": float(np.median(mean)), "low": float(mean.min()),
                          "high": float(mean.max()), "within": int((mean <= limit).sum()),
                          "beats_baselines": int(sum(beats))}
    return out


def summary_line(title: str, s: dict) -> str:
    """One markdown table row of `summary`'s figures."""
    row = (f"| {title} | {s['records']} | {s['median']:.3f} ({s['low']:.3f}–{s['high']:.3f}) | "
           f"{s['within']} of {s['records']} ({100 * s['interval'][0]:.0f}–{100 * s['interval'][1]:.0f} %) | "
           f"{s['beats_baselines']} of {s['records']} |")
    if "refits" in s:
        correlation = format(s["rank_correlation"], "+.2f").replace("-", "−")
        row += (f" {s['refits_within']} of {s['refits']}; {s['any_seed_within']} of {s['records']} | "
                f"{s['kept_best']} of {s['records']} | {correlation} |")
    if "average" in s:
        a = s["average"]
        row += (f" {a['median']:.3f} ({a['low']:.3f}–{a['high']:.3f}); {a['within']} of {s['records']} "
                f"within; {a['beats_baselines']} of {s['records']} beating both |")
    return row


def titled_groups(sources: list[str], option: str) -> list[tuple[str, list[dict]]]:
    """``TITLE=JSON[:NOISE][+...]`` items as (title, the rows of its files)."""
    groups = []
    for source in sources:
        title, _, files = source.rpartition("=")
        groups.append((title, [row for item in files.split("+") for row in panel_rows(item)]))
    if not groups:
        raise SystemExit(f"{option} needs --from TITLE=JSON ...")
    return groups


def real_record_lines(cal: Calibrator, entries: dict, settings: dict, path: str) -> list[str]:
    """For each origin of a ``scripts/more_restarts.py --json`` (``entries``, read from ``path``):
    the kept refit's forecast RMSE, the `mean_course_forecast` of all its seeds and, with more than
    five, of the first five (the calibration's number), and the baselines.

    Raises:
        SystemExit: an origin without restarts carrying their parameters.
    """
    lines = []
    for origin, entry in entries.items():
        restarts = entry.get("restarts") if isinstance(entry, dict) else None
        if not restarts or not all("parameters" in r for r in restarts):
            raise SystemExit(f"--real {path}: origin {origin} has no restarts with their parameters; "
                             "a --json of scripts/more_restarts.py")
        courses = seed_courses(cal, restarts, settings)  # run once for all seeds and the first five
        first_five = ""
        if len(restarts) > 5:
            first_five = f", of the first five {mean_rmse(cal, entry['until'], courses[:5]):.3f}"
        lines.append(f"{origin}: the kept refit {entry['rmse']:.3f}; the mean course of seeds "
                     f"{restarts[0]['optimizer_seed']}-{restarts[-1]['optimizer_seed']} "
                     f"{mean_rmse(cal, entry['until'], courses):.3f}{first_five} "
                     f"(persistence {entry['persistence_rmse']:.3f}, trend {entry['trend_rmse']:.3f})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--until", default="2018-06", help="the origin, YYYY-MM")
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0, 0.5, 1.0],
                        help="the noise's sizes, in units of each point's σ")
    parser.add_argument("--draws", type=int, default=3, help="noisy point sets per noise size")
    parser.add_argument("--first-draw", type=int, default=0,
                        help="the first noisy set's seed (the sets: seeds K..K+N-1)")
    parser.add_argument("--truth", default="calibrated", help="the parameter set that plays the world")
    parser.add_argument("--restarts", type=int, default=1,
                        help="optimiser seeds per refit (the calibration: 5)")
    parser.add_argument("--optimizer-seed", type=int, default=None,
                        help="the first optimiser seed (default 0)")
    parser.add_argument("--extra", nargs="+", default=[], metavar="YYYY-MM",
                        help="add synthetic focus points in these months (what missing points would buy)")
    parser.add_argument("--extra-sigma", type=float, default=0.15, help="their coding uncertainty")
    parser.add_argument("--maxiter", type=int, default=None, help="generations (default: the committed)")
    parser.add_argument("--override", nargs="+", default=[], metavar="KEY=VALUE",
                        help="Hydra overrides of the calibration settings")
    parser.add_argument("--json")
    parser.add_argument("--figure", metavar="PNG", help="draw the runs of --from instead of running")
    parser.add_argument("--summary", action="store_true",
                        help="summarise the runs of --from (one table row each; --json writes the figures)")
    parser.add_argument("--average", action="store_true",
                        help="with --summary: also forecast from the mean of each record's seeds' courses")
    parser.add_argument("--real", metavar="JSON",
                        help="the real record's refits (a scripts/more_restarts.py --json): each origin's "
                             "forecast from the mean of its seeds' courses")
    parser.add_argument("--from", dest="sources", nargs="+", default=[], metavar="TITLE=JSON[:NOISE][+...]",
                        help="for --figure: one titled panel each, for --summary one row each, of the rows "
                             "of one or more --json files (:NOISE keeps the rows of that noise size)")
    args = parser.parse_args()
    if args.real:
        settings, base = calibration_settings(args.override)
        try:
            entries = json.loads(Path(args.real).read_text())
        except (OSError, ValueError) as exc:
            raise SystemExit(f"--real {args.real}: {exc}; a --json of scripts/more_restarts.py") from None
        for line in real_record_lines(build_calibrator(settings, base), entries, settings, args.real):
            print(line)
        return
    if args.summary:
        groups = titled_groups(args.sources, "--summary")
        print("| twin records | records | kept refit's forecast RMSE: median (range) | within 0.20 (95 % "
              "interval) | beating both baselines | every seed's refit within 0.20; records with one | "
              "the kept seed forecasts best | objective vs forecast, rank correlation |"
              + (" the seeds' mean course: forecast RMSE, median (range) |" if args.average else ""))
        summaries = []
        settings, base = calibration_settings(args.override) if args.average else (None, None)
        for title, rows in groups:
            averaged = mean_course_forecasts(rows, settings, base) if args.average else None
            summaries.append({"title": title, **summary(rows, averaged=averaged)})
            print(summary_line(title, summaries[-1]))
        if args.json:
            Path(args.json).write_text(json.dumps(summaries, indent=1))
        return
    if args.figure:
        settings, base = calibration_settings(args.override)
        figure(titled_groups(args.sources, "--figure"), settings, base, Path(args.figure))
        return
    if any(k < 0 or not np.isfinite(k) for k in args.noise) or args.draws < 1 or args.restarts < 1 \
            or args.first_draw < 0:
        raise SystemExit("--noise: numbers >= 0; --draws, --restarts: positive integers; --first-draw >= 0")
    settings, base = calibration_settings(args.override)
    settings["restarts"] = args.restarts
    if args.maxiter is not None:
        settings["maxiter"] = args.maxiter
    if args.optimizer_seed is not None:
        settings["optimizer_seed"] = args.optimizer_seed
    cal = build_calibrator(settings, base)
    truth = set_values(cal, args.truth)
    if args.extra:
        cal = with_extra_points(cal, args.extra, args.extra_sigma)
    course, joint = truth_course(cal, truth, replicates=settings["report_replicates"], seed=settings["seed"])
    focus = course[cal.steps]
    rows = []
    for noise in args.noise:
        for draw in ([0] if noise == 0 else range(args.first_draw, args.first_draw + args.draws)):
            started = time.perf_counter()
            twin = with_points(cal, *twin_points(cal, focus, joint, noise, draw))
            row = {"noise": noise, "draw": draw, "truth": args.truth, "extra": args.extra,
                   "extra_sigma": args.extra_sigma,
                   **twin_refit(twin, settings, truth, course, args.until)}
            rows.append(row)
            print(f"noise {noise:g}σ, draw {draw}: forecast RMSE {row['rmse']:.3f} (persistence "
                  f"{row['persistence_rmse']:.3f}, trend {row['trend_rmse']:.3f}; the truth "
                  f"{row['truth_rmse']:.3f}); error against the truth {row['error_against_truth']:.3f}; "
                  f"rise {row['forecast_rise']:+.2f} (truth {row['truth_rise']:+.2f}); objective up to "
                  f"{args.until}: refit {row['refit_objective']:.4f}, truth {row['truth_objective']:.4f}; "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            if args.json:
                Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
