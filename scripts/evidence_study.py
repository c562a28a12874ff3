"""Which account do the coded points prefer, and by how much? (docs/calibration_studies.md, "The
evidence the points give on each account: measured").

The candidates of study 36 (`candidates_study.CANDIDATES`) fall into two families that fit Italy's
points alike but carry its rise on different interests: the counter-terror record and the partners,
or migration. The calibration's objective is a posterior mode (`sim.calibration.Calibrator`): the
sum of squared standardised errors over Italy's points and the other states', plus the log-normal
priors on the interest scales, over the number of points. Read as a log likelihood and a log prior,
its parts say where the evidence for or against each set comes from. For each set, on its own
scenario, with ``replicates`` replicates (seed 0):

- chi-square of Italy's points, ((model - coded) / sigma)^2 summed, before and after 2018-06;
- chi-square of each other state's points;
- the prior term, as the calibrator computes it: the sum over the seven fitted interest scales of
  (ln scale / ln 3)^2;
- the pattern violations (0 where every documented side holds in every month);
- each part's difference from the committed set's: a difference D of chi-square is a likelihood
  ratio exp(-D / 2) under the coded sigmas taken as independent Gaussian errors.

Writes the measures as JSON and a figure: for each set, its difference from the committed set,
part by part (Italy's points before and after 2018-06, each other state's, the prior), as stacked
bars; with ``--posterior``, beside the committed posterior's own draws.

    PYTHONPATH=. python scripts/evidence_study.py --posterior calibrated --json out.json \
        --figure docs/figures/evidence.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from sim.calibrate import build_calibrator, calibration_settings, report_run
from sim.calibration import Calibrator, read_values
from sim.config import plain
from sim.fit import pattern_violation
from sim.params import read_parameter_set

#: Italy's points up to this month come before its rise (the last of them is 2017-08); the later
#: ones trace the rise.
SPLIT = "2018-06"


def chi_squares(model: np.ndarray, coded: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Each point's squared standardised error ((model - coded) / sigma)^2, dimensionless (the tilt
    and its coded sigma in the same units)."""
    return ((np.asarray(model, float) - np.asarray(coded, float)) / np.asarray(sigma, float)) ** 2


def evidence_of(name: str | dict, cal: Calibrator, replicates: int = 200, seed: int = 0) -> dict:
    """The parts of the calibration objective for ``configs/params/NAME.yaml`` (or a parameter
    mapping) on ``cal``'s scenario and points (its ensemble of ``replicates``, seed ``seed``)."""
    params = plain(read_parameter_set(name)) if isinstance(name, str) else name
    name = name if isinstance(name, str) else "(parameters)"
    result = report_run(cal, params, replicates=replicates, seed=seed)
    if list(result.states) != list(cal.state_index):
        raise ValueError(f"{name}: the run's states {result.states} are not the calibrator's "
                         f"{list(cal.state_index)}")
    mean = result.tilt_array.mean(axis=1)  # (T, S)
    targets = cal.targets
    italy = chi_squares(mean[cal.steps, cal.state_index[cal.state]], targets["tilt"], targets["sigma"])
    early = (targets["date"] <= SPLIT).to_numpy()
    joint = cal.joint
    others = chi_squares(mean[cal.joint_steps, cal.joint_states], joint["tilt"], joint["sigma"])
    by_state = {state: float(others[(joint["state"] == state).to_numpy()].sum())
                for state in sorted(set(joint["state"]))}
    prior = float(cal.prior_penalty(read_values(params, cal.free)[:, None])[0])
    violations = float(pattern_violation(mean[:, None, :], cal.state_index, cal.patterns)[0])
    points = len(italy) + cal.joint_weight * len(others)
    total = float(italy.sum() + cal.joint_weight * others.sum() + prior)
    labels = [f"{cal.state} {d}" for d in targets["date"]] + [f"{st} {d}" for st, d in
                                                              zip(joint["state"], joint["date"], strict=True)]
    return {"params": name, "italy": float(italy.sum()), "italy_points": len(italy),
            f"italy_to_{SPLIT}": float(italy[early].sum()),
            f"italy_after_{SPLIT}": float(italy[~early].sum()),
            "others": float(others.sum()), "others_points": len(others), "others_by_state": by_state,
            "prior": prior, "pattern_violations": violations, "sum": total,
            "objective": total / points + cal.penalty_weight * violations,
            "points": dict(zip(labels, map(float, [*italy, *(cal.joint_weight * others)]), strict=True))}


def posterior_sums(cal: Calibrator, draws: str = "calibrated", replicates: int = 200,
                   seed: int = 0) -> np.ndarray:
    """The same sum (chi-square of every coded point plus the prior term) for each draw of a committed
    posterior table (``configs/posterior_draws/DRAWS.csv``), each draw run alone with ``replicates``
    replicates: how far below its mode the posterior's own draws lie, the yardstick a set's
    difference is read against (the log posterior is minus half the sum)."""
    return np.array([m["sum"] for m in posterior_measures(cal, draws, replicates, seed)])


def posterior_measures(cal: Calibrator, draws: str = "calibrated", replicates: int = 200,
                       seed: int = 0) -> list[dict]:
    """`evidence_of` each draw of a committed posterior table, the committed set's other values kept."""
    from sim.posterior import SCALE_PREFIX, load_posterior

    table = load_posterior(draws).table
    base = plain(read_parameter_set("calibrated"))
    measures = []
    for _, row in table.iterrows():
        params = {**base, "interest_scales": dict(base["interest_scales"])}
        for column, value in row.items():
            if column.startswith(SCALE_PREFIX):
                params["interest_scales"][column[len(SCALE_PREFIX):]] = float(value)
            else:
                params[column] = float(value)
        measures.append(evidence_of(params, cal, replicates, seed))
    return measures


def left_out(measure: dict, reference: dict, draws: list[dict]) -> dict:
    """Does a set's difference from the reference hang on one coded point, or on one state's points?
    For each point, and each state's points together, left out of every sum alike (the set's, the
    reference's and each posterior draw's): the set's difference and the share of the draws that
    lie nearer the reference than it. Returns the point and the state whose removal leaves the
    smallest share, each with its difference and share."""
    labels = list(reference["points"])
    groups = {"point": {label: [label] for label in labels},
              "state": {state: [lb for lb in labels if lb.split()[0] == state]
                        for state in dict.fromkeys(lb.split()[0] for lb in labels)}}
    out = {}
    for kind, named in groups.items():
        rows = []
        for name, members in named.items():
            def without(m: dict, members: list[str] = members) -> float:
                return m["sum"] - sum(m["points"][lb] for lb in members)
            base = without(reference)
            difference = without(measure) - base
            yardstick = np.array([without(d) - base for d in draws])
            rows.append({kind: name, "difference": difference,
                         "share_nearer": float(np.mean(yardstick < difference))})
        out[f"weakest_{kind}"] = min(rows, key=lambda r: r["share_nearer"])
    return out


def describe_left_out(name: str, row: dict) -> str:
    """One line of `left_out`'s result for a set (``row``: its `differences` row with ``left_out``)."""
    point, state = row["left_out"]["weakest_point"], row["left_out"]["weakest_state"]
    return (f"{name:26s} nearer the mode than {row['share_of_posterior_draws_nearer_the_mode']:.1%} of "
            f"the draws; with {point['point']} left out {point['share_nearer']:.1%} "
            f"({point['difference']:+.2f}), with {state['state']}'s points {state['share_nearer']:.1%} "
            f"({state['difference']:+.2f})")


def quantiles(values: np.ndarray) -> dict[str, float]:
    """The 5th, 50th, 95th and 99th percentiles of ``values``, keyed by the percent."""
    return {str(p): float(np.percentile(values, p)) for p in (5, 50, 95, 99)}


def differences(measures: list[dict], reference: str = "calibrated") -> list[dict]:
    """Each set's parts less the reference set's: chi-square of Italy's points, of each other state's,
    the prior term, and their sum (positive: the points or the prior favour the reference)."""
    ref = next(m for m in measures if m["params"] == reference)
    rows = []
    for m in measures:
        parts = {f"Italy to {SPLIT}": m[f"italy_to_{SPLIT}"] - ref[f"italy_to_{SPLIT}"],
                 f"Italy after {SPLIT}": m[f"italy_after_{SPLIT}"] - ref[f"italy_after_{SPLIT}"],
                 **{s: v - ref["others_by_state"][s] for s, v in m["others_by_state"].items()},
                 "prior": m["prior"] - ref["prior"]}
        italy = m["italy"] - ref["italy"]
        rows.append({"params": m["params"], "parts": parts, "sum": sum(parts.values()), "italy": italy,
                     "italy_likelihood_ratio": float(np.exp(-italy / 2))})
    return rows


def figure(rows: list[dict], labels: dict[str, str], path: Path, yardstick: np.ndarray | None = None) -> None:
    """Stacked bars: for each set, its difference from the committed set, part by part; with
    ``yardstick`` (the committed posterior's draws' differences from its mode), its 5-95 % range
    shaded and its 99th percentile dashed."""
    import matplotlib.pyplot as plt

    parts = list(rows[0]["parts"])
    colours = dict(zip(parts, plt.get_cmap("tab10").colors, strict=False))
    fig, ax = plt.subplots(figsize=(13, 0.45 * len(rows) + 2.2))
    for i, row in enumerate(rows):
        left_pos = left_neg = 0.0
        for part in parts:
            value = row["parts"][part]
            start = left_pos if value >= 0 else left_neg
            ax.barh(i, value, left=start, color=colours[part], edgecolor="white", linewidth=0.5,
                    label=part if i == 0 else None)
            if value >= 0:
                left_pos += value
            else:
                left_neg += value
        ax.plot(row["sum"], i, marker="D", color="black", markersize=5,
                label="sum" if i == 0 else None)
    ax.axvline(0, color="black", linewidth=0.8)
    if yardstick is not None:
        low, high, top = np.percentile(yardstick, [5, 95, 99])
        ax.axvspan(low, high, color="grey", alpha=0.15, zorder=0,
                   label="the committed posterior's draws, 5-95 %")
        ax.axvline(top, color="grey", linestyle="--", linewidth=1, label="... their 99th percentile")
    ax.set_yticks(range(len(rows)), [labels.get(r["params"], r["params"]) for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("difference from the committed set: chi-square of the coded points (σ units) and the "
                  "prior term;\n> 0 means the points or the prior favour the committed set")
    ax.set_title("Where the evidence for or against each candidate set comes from")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def measure_all(replicates: int = 200) -> list[dict]:
    """`evidence_of` every candidate of study 36, each on its own scenario."""
    from candidates_study import CANDIDATES, scenario_overrides
    from prior_study import measure as account_of

    measures = []
    for candidate in CANDIDATES:
        scenario = candidate.scenario or "libya_2014_2019"
        settings, base = calibration_settings(scenario_overrides(candidate) or None)
        account = account_of(candidate.name, replicates, scenario_name=scenario)
        measures.append({**evidence_of(candidate.name, build_calibrator(settings, base), replicates),
                         "label": candidate.label, "scenario": scenario,
                         "account": account["value_gap_share_by_interest"]})
    return measures


def account_correlations(measures: list[dict], rows: list[dict]) -> dict[str, float]:
    """Across the sets: Spearman's rank correlation of each set's difference from the committed set
    (the sum) with each interest's share of Italy's rise, for the interests that carry at least 5 %
    of it in some set."""
    from scipy.stats import spearmanr

    sums = [row["sum"] for row in rows]
    carried = [k for k in measures[0]["account"] if max(abs(m["account"][k]) for m in measures) >= 0.05]
    return {k: float(spearmanr([m["account"][k] for m in measures], sums).statistic) for k in carried}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--figure", type=Path)
    parser.add_argument("--posterior", metavar="DRAWS",
                        help="also measure each draw of configs/posterior_draws/DRAWS.csv (the yardstick)")
    args = parser.parse_args()
    measures = measure_all(args.replicates)
    rows = differences(measures)
    yardstick = None
    if args.posterior:
        settings, base = calibration_settings()
        cal = build_calibrator(settings, base)
        committed = next(m for m in measures if m["params"] == "calibrated")
        draws = posterior_measures(cal, args.posterior, args.replicates)
        yardstick = np.array([d["sum"] for d in draws]) - committed["sum"]
        print(f"the {args.posterior} posterior's {len(yardstick)} draws lie above its mode by "
              + ", ".join(f"{q:.2f} ({p} %)" for p, q in quantiles(yardstick).items()))
        for m, row in zip(measures, rows, strict=True):
            row["share_of_posterior_draws_nearer_the_mode"] = float(np.mean(yardstick < row["sum"]))
            if m["scenario"] == "libya_2014_2019" and m is not committed:
                row["left_out"] = left_out(m, committed, draws)
                print(describe_left_out(m["params"], row))
    for m, row in zip(measures, rows, strict=True):
        others = ", ".join(f"{s} {v:+.1f}" for s, v in row["parts"].items()
                           if not s.startswith("Italy") and s != "prior")
        print(f"{m['params']:26s} Italy {m['italy']:6.2f} ({row['italy']:+6.2f}; to {SPLIT} "
              f"{m[f'italy_to_{SPLIT}']:5.2f}, after {m[f'italy_after_{SPLIT}']:5.2f})  others "
              f"{m['others']:6.2f} ({others})  prior {m['prior']:5.2f} ({row['parts']['prior']:+5.2f})  "
              f"sum {m['sum']:6.2f} ({row['sum']:+6.2f})  objective {m['objective']:.3f}  account "
              + " / ".join(f"{k} {m['account'][k]:.0%}" for k in ("security", "rivalry", "migration")))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    posterior = None if yardstick is None else {
        "draws": args.posterior, "differences_from_the_mode": [float(v) for v in yardstick],
        "quantiles": quantiles(yardstick)}
    correlations = account_correlations(measures, rows)
    print("rank correlation of the difference with each interest's share of the rise: "
          + ", ".join(f"{k} {v:+.2f}" for k, v in correlations.items()))
    report = {"replicates": args.replicates, "measures": measures, "differences": rows,
              "account_rank_correlations": correlations, "posterior": posterior}
    args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.figure:
        figure(rows, {m["params"]: m["label"] for m in measures}, args.figure, yardstick)


if __name__ == "__main__":
    main()
