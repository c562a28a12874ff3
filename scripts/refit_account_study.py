"""The causal account in each refit estimate draw (docs/calibration.md, "And if the calibration
were made again on each draw?").

`python -m sim.robustness refit=[...]` refits some calibration parameters on each joint draw of the
scenario's estimates and judges the shape checks with them. This script asks whether the refit
courses rise for the same reasons: for each draw of such a folder it rebuilds the drawn scenario
and the refit parameters and measures, at ``--replicates`` (the folder's seed):

- Italy's 2018-06 -> 2019-08 rise, and the change of each part of its value gap V(LNA) - V(GNA)
  over it (the decomposition, ensemble mean), as shares of the whole change;
- the change of Italy's 2019-08 tilt when each of the ``--left-out`` events is left out (by
  default the LNA's captures of Benghazi and of Derna).

Printed and written (``--json``): the quantiles of each over the draws, and each draw's figures.

    python -m sim.robustness "refit=[scale.security,scale.rivalry,scale.legitimacy]" hydra.run.dir=/tmp/rob
    python scripts/refit_account_study.py /tmp/rob --json /tmp/rob/refit_account.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.ablation import without_events
from sim.calibration import FreeParameter, apply_values
from sim.dates import parse_month
from sim.model import AlignmentModel
from sim.scenario import Scenario
from sim.scenario.estimates import with_values
from sim.simulate import prepare_scenario

#: The events whose removal moves Italy's 2019-08 tilt by more than 0.4 at the committed fit.
LEFT_OUT = ("lna_takes_benghazi", "lna_takes_derna")


def draw_inputs(folder: Path) -> tuple[dict, pd.DataFrame, Scenario, list[str]]:
    """The folder's resolved settings, its draws, its scenario as in the file and the refit
    parameters."""
    settings = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
    draws = pd.read_csv(folder / "estimate_draws.csv")
    refit = [c.removeprefix("refit value: ") for c in draws.columns if c.startswith("refit value: ")]
    if not refit:
        raise SystemExit(f"{folder / 'estimate_draws.csv'}: no 'refit value: NAME' columns; run "
                         "python -m sim.robustness with refit=[...]")
    return settings, draws, prepare_scenario(settings["scenario"], None, settings.get("scenario_dir")), refit


def account(scenario, params: dict, settings: dict, replicates: int, left_out=LEFT_OUT) -> dict:
    """The focus state's rise, its value-gap parts' changes and shares over it, and the change of
    its final tilt with each event of ``left_out`` taken out."""
    state = settings["focus_state"]
    a, b = (parse_month(settings[m]) - scenario.start for m in ("rise_from", "final"))
    model = AlignmentModel(scenario, params, replicates=replicates, seed=settings["seed"], record="full")
    model.run()
    k = list(scenario.state_ids).index(state)
    tilt = model.tilt_history[:, :, k].mean(axis=1)
    gap = model.decomposition_history[:, k, :]
    parts = {name: float(gap[b, j] - gap[a, j]) for j, name in enumerate(model.decomposition_parts)}
    model.release()
    total = sum(parts.values())
    changes = {}
    for event in left_out:
        without = AlignmentModel(without_events(scenario, {event}, f"without {event}"), params,
                                 replicates=replicates, seed=settings["seed"], record="tilt")
        without.run()
        changes[event] = float(without.tilt_history[b, :, k].mean() - tilt[b])
        without.release()
    return {"rise": float(tilt[b] - tilt[a]), "final": float(tilt[b]), "gap_change": total,
            "shares": {name: v / total if total else float("nan") for name, v in parts.items()},
            "left_out": changes}


def quantiles(values) -> dict:
    v = np.asarray(list(values), dtype=float)
    return {"q05": float(np.quantile(v, 0.05)), "median": float(np.median(v)),
            "q95": float(np.quantile(v, 0.95))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a sim.robustness folder run with refit=[...]")
    parser.add_argument("--draws", type=int, default=None, help="the first N draws (default: all)")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--left-out", nargs="*", default=list(LEFT_OUT), help="events left out in turn")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    started = time.perf_counter()
    settings, draws, base, refit = draw_inputs(args.folder)
    estimates = [e.path for e in base.estimates]
    free = [FreeParameter(name, -np.inf, np.inf) for name in refit]
    rows = []
    committed = account(base, settings["params"], settings, args.replicates, args.left_out)
    for _, draw in draws.head(args.draws).iterrows():
        scenario = with_values(base, {path: float(draw[path]) for path in estimates})
        params = apply_values(settings["params"], free, [float(draw[f"refit value: {n}"]) for n in refit])
        rows.append({"draw": int(draw["draw"]), **account(scenario, params, settings, args.replicates,
                                                               args.left_out)})
    parts = rows[0]["shares"].keys()
    report = {
        "folder": str(args.folder), "refit": refit, "draws": len(rows), "replicates": args.replicates,
        "committed": committed,
        "rise": quantiles(r["rise"] for r in rows),
        "shares": {p: quantiles(r["shares"][p] for r in rows) for p in parts},
        "left_out": {event: quantiles(r["left_out"][event] for r in rows) for event in args.left_out},
        "share_within_limit": {event: float(np.mean([abs(r["left_out"][event]) <= 0.4 for r in rows]))
                               for event in args.left_out},
        "rows": rows, "wall_time_s": time.perf_counter() - started,
    }
    print(f"{len(rows)} draws of {args.folder} (refit: {', '.join(refit)}), {args.replicates} replicates")
    print(f"rise: committed {committed['rise']:+.2f}; over the draws "
          + " / ".join(f"{v:+.2f}" for v in report["rise"].values()))
    print("shares of the change of V(LNA) - V(GNA) over the rise: committed; "
          "5 % / median / 95 % over the draws")
    for p in parts:
        q = report["shares"][p]
        print(f"  {p:<10} {committed['shares'][p]:+6.0%};  "
              f"{q['q05']:+6.0%} / {q['median']:+6.0%} / {q['q95']:+6.0%}")
    for label in args.left_out:
        q = report["left_out"][label]
        print(f"{label} left out: committed {committed['left_out'][label]:+.2f}; over the draws "
              f"{q['q05']:+.2f} / {q['median']:+.2f} / {q['q95']:+.2f}; within 0.4 in "
              f"{report['share_within_limit'][label]:.0%}")
    print(f"{report['wall_time_s']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
