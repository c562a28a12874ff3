"""What does holding the estimates' draws cost in fit? (docs/calibration_studies.md, "The price of
the draws in fit").

Measures parameter sets, and straight paths between them, by the two measures the draws search trades
(`scripts/draws_search.py`): Italy's in-sample RMSE on the history (the file's values) and the share of
``--draws`` joint Latin-hypercube draws of every estimate (seed ``--draw-seed``, the search's) in which
all nine checks judged per draw hold (Italy's 2016-17 mean, rise and 2019-08 level, the six other
states' sides), with the search's shortfall and the calibration objective. A path from set A to set B
runs the free parameters along (1 - t) A + t B, in each parameter's own units. All candidates run in
one batched run per draw, with common random numbers (``--replicates`` replicates, seed 0).

    python scripts/draws_frontier.py --sets calibrated draws_c --path calibrated draws_c --steps 10 \\
        --csv frontier.csv --figure frontier.png

The figure puts each set and path in the plane of the two measures, with issue 8's corner (RMSE at
most 0.12, at least 90 % of the draws) marked: a set in it would meet both criteria at once (the
search's nine checks, not the robustness command's ten; a set is judged by ``python -m
sim.robustness params=NAME``).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from draws_search import DrawsSearch, joint_draws

from sim.calibrate import SETTINGS_HELP, build_calibrator, calibration_settings, set_values
from sim.calibration import Calibrator, apply_values, read_values
from sim.config import plain
from sim.model import DEFAULT_SCENARIO
from sim.params import PARAMS_DIR, read_parameter_set

#: Issue 8's corner: Italy's in-sample RMSE at most 0.12, each criterion in at least 90 % of draws.
RMSE_ASKED, SHARE_ASKED = 0.12, 0.9
#: The figure's RMSE axis ends here; the records beyond it are counted in the legend.
RMSE_AXIS = 0.5


def committed_model_records(cal: Calibrator, committed: str = "calibrated") -> list[str]:
    """The parameter sets of ``configs/params/`` that differ from ``committed`` in the free
    parameters only: the study records made on the committed model's settings (whatever history,
    objective or priors they were fitted to), each a point of the same parameter space."""
    reference = plain(read_parameter_set(committed))
    free_values = read_values(reference, cal.free)
    normalised = apply_values(reference, cal.free, free_values)
    return [path.stem for path in sorted(PARAMS_DIR.glob("*.yaml"))
            if path.stem != committed
            and apply_values(plain(read_parameter_set(path.stem)), cal.free, free_values) == normalised]


def candidates(search: DrawsSearch, sets: list[str], paths: list[tuple[str, str]], steps: int,
               records: list[str] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows (set, path, t, record) to measure and their free parameters (n_free, P): each named
    set, each of ``records`` (drawn unlabelled), then each path's ``steps`` + 1 evenly spaced points,
    ends included."""
    rows, columns = [], []
    for name, record in [(n, False) for n in sets] + [(n, True) for n in records]:
        rows.append({"set": name, "path": "", "t": np.nan, "record": record})
        columns.append(set_values(search.cal, name))
    for start, end in paths:
        a, b = set_values(search.cal, start), set_values(search.cal, end)
        for t in np.linspace(0.0, 1.0, steps + 1):
            rows.append({"set": "", "path": f"{start} -> {end}", "t": float(t), "record": False})
            columns.append((1.0 - t) * a + t * b)
    return pd.DataFrame(rows), np.stack(columns, axis=1)


def measured(search: DrawsSearch, table: pd.DataFrame, x: np.ndarray) -> pd.DataFrame:
    """``table`` with each candidate's measures: Italy's RMSE, the calibration objective, the
    shortfall, the share of draws meeting all checks and each check's share."""
    m = search.measure(x)
    out = table.assign(rmse=m["rmse"], objective=m["objective"], shortfall=m["shortfall"],
                       all_checks=m["all"])
    for name, shares in zip(search.names, m["shares"], strict=True):
        out[f"share: {name}"] = shares
    return out


def label_sides(points: pd.DataFrame) -> list[tuple[bool, bool]]:
    """For each labelled set, whether its label goes right of its point and above it: away from
    the other labelled sets, each pushing by the inverse square of its distance on the figure's
    axes (RMSE over [0, RMSE_AXIS], share over [0, 1]), so that close sets' labels do not cross."""
    at = np.column_stack([points["rmse"].to_numpy() / RMSE_AXIS, points["all_checks"].to_numpy()])
    sides = []
    for k, here in enumerate(at):
        away = np.delete(here - at, k, axis=0)
        push = (away / np.maximum(np.linalg.norm(away, axis=1), 1e-6)[:, None] ** 3).sum(axis=0)
        sides.append((bool(push[0] >= 0), bool(push[1] >= 0)))
    return sides


def rmse_label(scenario: str) -> str:
    """The RMSE axis's label for sets measured on ``scenario`` (a name under scenarios/)."""
    on = "the history" if scenario == DEFAULT_SCENARIO else f"scenarios/{scenario}.yaml"
    return f"Italy's in-sample RMSE on {on} (tilt units)"


def plot_frontier(table: pd.DataFrame, path: str, *, draws: int, scenario: str = DEFAULT_SCENARIO) -> None:
    """Each set as a labelled point (``draws_NAME`` as NAME) and each path as a line of points, RMSE
    against the share of draws meeting all checks, issue 8's corner shaded; ``scenario``: the
    scenario the sets and draws were measured on."""
    fig, ax = plt.subplots(figsize=(9, 6))
    ax.axvspan(0.0, RMSE_ASKED, ymin=SHARE_ASKED, ymax=1.0, color="tab:green", alpha=0.15,
               label=f"issue 8's corner: RMSE ≤ {RMSE_ASKED}, ≥ {SHARE_ASKED:.0%} of the draws")
    for name, line in table[table["path"] != ""].groupby("path", sort=False):
        ax.plot(line["rmse"], line["all_checks"], "-o", ms=3, alpha=0.7, label=f"straight path {name}")
    records = table[table["record"]]
    beyond = int((records["rmse"] > RMSE_AXIS).sum())
    ax.scatter(records["rmse"], records["all_checks"], color="grey", s=14, alpha=0.6, zorder=2,
               label=f"the other {len(records)} study records of the committed model"
                     + (f" ({beyond} beyond RMSE {RMSE_AXIS})" if beyond else ""))
    points = table[(table["set"] != "") & ~table["record"]]
    ax.scatter(points["rmse"], points["all_checks"], color="black", zorder=3)
    for (_, row), (right, above) in zip(points.iterrows(), label_sides(points), strict=True):
        ax.annotate(row["set"].removeprefix("draws_"), (row["rmse"], row["all_checks"]),
                    textcoords="offset points", xytext=(5 if right else -5, 4 if above else -12),
                    ha="left" if right else "right", fontsize=9)
    ax.set_xlim(0.0, RMSE_AXIS)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel(rmse_label(scenario))
    ax.set_ylabel(f"share of {draws} joint estimate draws holding all nine checks")
    ax.set_title("What holding the estimates' draws costs in Italy's fit (sets draws_NAME labelled NAME)",
                 fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", default=["calibrated"], metavar="NAME",
                        help="parameter sets configs/params/NAME.yaml to measure")
    parser.add_argument("--path", nargs=2, action="append", default=[], metavar=("FROM", "TO"),
                        help="a straight path between two sets (repeatable)")
    parser.add_argument("--records", action="store_true",
                        help="also every study record of the committed model (committed_model_records)")
    parser.add_argument("--steps", type=int, default=10, help="intervals along each path")
    parser.add_argument("--draws", type=int, default=64)
    parser.add_argument("--draw-seed", type=int, default=7)
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--settings", nargs="+", default=[], metavar="OVERRIDE", help=SETTINGS_HELP)
    parser.add_argument("--csv")
    parser.add_argument("--figure")
    args = parser.parse_args()
    settings, base = calibration_settings(args.settings or None)
    settings["replicates"] = args.replicates
    cal = build_calibrator(settings, base)
    search = DrawsSearch(cal, settings["checks"], joint_draws(cal.scenario, args.draws, args.draw_seed),
                         quantile=0.1, rmse_at_most=None, fit_weight=0.0)
    records = [n for n in committed_model_records(cal) if n not in args.sets] if args.records else []
    table, x = candidates(search, args.sets, [tuple(p) for p in args.path], args.steps, records)
    table = measured(search, table, x)
    with pd.option_context("display.width", 160, "display.max_columns", 8):
        print(table[["set", "record", "path", "t", "rmse", "objective", "shortfall", "all_checks"]]
              .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.csv:
        table.to_csv(args.csv, index=False)
    if args.figure:
        plot_frontier(table, args.figure, draws=args.draws, scenario=settings["scenario"])


if __name__ == "__main__":
    main()
