"""Diagnostics of a fit: what each interest adds, what taking inputs out does, and the calibrated
fit with its residuals and out-of-sample forecasts."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.plotting.layers import draw_key
from sim.plotting.marks import Marks
from sim.plotting.style import (
    OKABE_ITO,
    TARGET_COLOUR,
    format_tilt_axes,
    format_time_axis,
    months,
    set_panel_title,
)
from sim.plotting.tilt import draw_tilt


def plot_decomposition(decomposition: pd.DataFrame, state: str, *,
                       sides: tuple[str, str] = ("LNA", "GNA"), title: str | None = None) -> Figure:
    """What each interest adds to a state's value of the tilt's plus side minus its minus side.

    Args:
        decomposition: the ``decomposition.parquet`` table (date, state, part, contribution).
        state: the state's id.
        sides: names of the tilt's two sides, for the labels (e.g. ``("LNA", "GNC then GNA")``).
        title: the figure's title.
    """
    plus, minus = sides
    rows = decomposition[decomposition["state"] == state]
    wide = rows.pivot(index="date", columns="part", values="contribution").sort_index()
    wide = wide.loc[:, (wide.abs() > 1e-9).any()]  # parts that never act are not drawn
    x = months(wide.index)
    fig = Figure(figsize=(11, 5.2))
    ax = fig.subplots()
    palette = colormaps["tab10"]
    for i, part in enumerate(wide.columns):
        ax.plot(x, wide[part], color=palette(i % 10), lw=1.6, label=part)
    ax.plot(x, wide.sum(axis=1), color="black", lw=2.2, ls="--", label=f"total: V({plus}) − V({minus})")
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_ylabel(f"contribution to V(plus) − V(minus)  (value units; > 0 favours {plus})")
    default = f"{state}: what each interest adds to its value of {plus} over {minus}"
    set_panel_title(ax, title or default)
    format_time_axis(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=5, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_ablations(table: pd.DataFrame, state: str, *, limit: float, baseline: float,
                   month: str, draws: pd.DataFrame | None = None, min_share: float = 0.9,
                   decisive: dict | None = None) -> Figure:
    """How much taking out each event, and each group of inputs, moves a state's final tilt.

    Args:
        table: the ``robustness.csv`` table (ablation, name, group, date, delta_final, ...).
        state: the state measured.
        limit: the largest change one event may make (drawn as a band).
        baseline: the state's mean tilt in ``month`` with every input.
        month: ``YYYY-MM`` of the measured tilt.
        draws: joint draws of the scenario's estimates (``estimate_draws.csv``), shown as the
            distribution of the final tilt (and of ``refit final``, with parameters refit on each
            draw, when the table has it), and below it the share of the draws meeting each
            shape criterion (its ``holds: CHECK`` columns), or None.
        min_share: the share of the draws each criterion must hold in (a dashed line; bars
            short of it are orange).
        decisive: ``robustness.json``'s ``estimates.decisive`` (`sim.estimate_ranking.decisive`):
            the estimates most rank-correlated with the rise over the draws, drawn last as bars of
            their correlations with the rise and the final tilt, or None (no panel).
    """
    events = table[table["ablation"] == "event"].dropna(subset=["delta_final"])
    events = events.reindex(events["delta_final"].abs().sort_values(ascending=False).index).head(25)
    groups = table[table["ablation"] == "group"]
    with_draws = draws is not None and len(draws) > 0
    checks = [c for c in draws.columns if c.startswith("holds: ")] if with_draws else []
    leaders = (decisive or {}).get("by_rank_correlation_with_the_rise", [])
    ratios = ([3, 1.2] + ([1.3] if with_draws else []) + ([0.25 * len(checks) + 0.5] if checks else [])
              + ([0.25 * len(leaders) + 0.5] if leaders else []))
    fig = Figure(figsize=(11, 8.5 + 2.5 * with_draws + 0.55 * len(checks) + 0.6 * bool(checks)
                          + 0.55 * len(leaders) + 0.6 * bool(leaders)))
    axes = fig.subplots(len(ratios), 1, height_ratios=ratios)
    top, bottom = axes[0], axes[1]
    colours = ["#d55e00" if abs(d) > limit else "#0072b2" for d in events["delta_final"]]
    labels = [f"{n} ({d})" for n, d in zip(events["name"], events["date"], strict=True)]
    top.barh(labels[::-1], events["delta_final"][::-1], color=colours[::-1])
    for ax in (top, bottom):
        ax.axvline(0.0, color="black", lw=0.6)
        ax.axvspan(-limit, limit, color="grey", alpha=0.12)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="x", alpha=0.25)
    top.set_title(f"{state}'s mean tilt in {month} ({baseline:+.2f} with every input): change when one "
                  f"event is taken out\n(the 25 largest; orange beyond ±{limit:g}, the grey band)",
                  fontsize=10)
    bottom.barh(list(groups["name"])[::-1], groups["delta_final"][::-1], color="#009e73")
    bottom.set_title("change when a whole group of inputs is taken out (from its start month)", fontsize=10)
    bottom.set_xlabel(f"change of {state}'s mean tilt in {month} (> 0: toward Haftar)")
    if with_draws:
        ax = axes[2]
        refitted = "refit final" in draws.columns
        edges = np.histogram_bin_edges(
            np.concatenate([draws["final"], draws["refit final"] if refitted else []]), bins=30)
        ax.hist(draws["final"], bins=edges, color="#cc79a7", alpha=0.8,
                label="with the parameters as they are")
        if refitted:
            refit = [c.removeprefix("refit value: ") for c in draws.columns if c.startswith("refit value: ")]
            ax.hist(draws["refit final"], bins=edges, histtype="step", color="#0072b2", lw=1.6,
                    label=f"with {', '.join(refit)} refit to the calibration's points on each draw")
        ax.set_xlabel(f"{state}'s mean tilt in {month}")
        ax.set_ylabel("draws")
        ax.set_title(f"{len(draws)} joint Latin-hypercube draws of every estimate within its range",
                     fontsize=10)
        ax.set_ylim(0, 1.55 * ax.get_ylim()[1])  # room for the legend above the bars
        ax.axvline(baseline, ymax=0.64, color="black", lw=1.2, label="every estimate as in the file")
        ax.legend(fontsize=8, frameon=False, loc="upper left")
    if checks:
        _plot_check_shares(axes[3], draws, checks, min_share)
    if leaders:
        _plot_decisive(axes[-1], leaders, decisive.get("rise_variance_explained_by_the_first", {}), month)
    fig.tight_layout()
    return fig


def _plot_decisive(ax, leaders: list[dict], explained: dict[str, float], month: str) -> None:
    """Bars: each leading estimate's rank correlation with the rise (filled) and with the final
    tilt (outlined) over the joint draws, the strongest on the rise at the top."""
    y = np.arange(len(leaders))[::-1]
    rise = [row["rise"] for row in leaders]
    ax.barh(y, rise, height=0.6, color=["#cc79a7" if r > 0 else "#56b4e9" for r in rise],
            label="with the rise (pink: a higher value raises it; blue: lowers it)")
    ax.barh(y, [row["final"] for row in leaders], height=0.6, fill=False, edgecolor="black", lw=1.0,
            label=f"with the tilt in {month}")
    for yi, row in zip(y, leaders, strict=True):
        r = row["rise"]
        end = max(r, row["final"], 0.0) if r >= 0 else min(r, row["final"], 0.0)  # beyond both bars
        ax.text(end + (0.02 if r >= 0 else -0.02), yi, f"{r:+.2f}", va="center", fontsize=8,
                ha="left" if r >= 0 else "right")
    ax.axvline(0.0, color="black", lw=0.6)
    ax.set_yticks(y, [row["estimate"] for row in leaders], fontsize=8)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-0.7, len(leaders) + 0.9)  # room for the legend above the bars
    ax.grid(axis="x", alpha=0.25)
    ax.set_xlabel("Spearman's rank correlation over the joint draws")
    shares = " / ".join(f"{100 * v:.0f}" for v in explained.values())
    title = "the estimates that decide the rise over the draws (with the parameters as they are)"
    if shares:
        title += f"\n(the ranks of the first {' / '.join(explained)} explain {shares} % of its variance)"
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=2)


def _plot_check_shares(ax, draws: pd.DataFrame, checks: list[str], min_share: float) -> None:
    """Bars: the share of the joint draws meeting each shape criterion (outlined: with the
    parameters refit on each draw, when the draws have it)."""
    y = np.arange(len(checks))[::-1]
    shares = np.array([100 * draws[c].mean() for c in checks])
    ax.barh(y, shares, height=0.6, color=["#d55e00" if v < 100 * min_share else "#009e73" for v in shares],
            label="with the parameters as they are (orange: short of the share asked)")
    refit = [f"refit {c}" for c in checks]
    refit_shares = None
    if all(c in draws.columns for c in refit):
        refit_shares = np.array([100 * draws[c].mean() for c in refit])
        ax.barh(y, refit_shares, height=0.6, fill=False, edgecolor="#0072b2", lw=1.4,
                label="with the refit parameters")
    for i, (yi, v) in enumerate(zip(y, shares, strict=True)):
        text, end = f"{v:.0f} %", v
        if refit_shares is not None:
            text, end = f"{v:.0f} % (refit {refit_shares[i]:.0f} %)", max(v, refit_shares[i])
        ax.text(end + 1, yi, text, va="center", fontsize=8)
    # the line stops below the legend
    ax.vlines(100 * min_share, -0.7, len(checks) - 0.4, color="black", lw=1.0, ls="--",
              label=f"{min_share:.0%} asked")
    ax.set_yticks(y, [textwrap.fill(c.removeprefix("holds: "), 36) for c in checks], fontsize=8)
    ax.set_xlim(0, 125 if refit_shares is not None else 112)
    ax.set_ylim(-0.7, len(checks) + 0.9)  # room for the legend above the bars
    ax.set_xlabel("share of the draws meeting it (%)")
    ax.set_title("each shape criterion over the joint draws", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=3)


def plot_fit(tilt: pd.DataFrame, state: str, targets: pd.DataFrame, *, report: dict,
             band: dict | None = None, marks: Marks | None = None, title: str | None = None) -> Figure:
    """The calibrated fit: the state's band against its coded points, each rolling-origin
    forecast from its origin on, and below, the residuals (coded minus model) of the fit and of
    the forecasts, in units of each point's σ.

    Args:
        tilt: the calibrated run's ``tilt.parquet`` table.
        state: the state fitted.
        targets: its coded points (``date, tilt, sigma``).
        report: ``fit_report.json``: ``fit.rmse`` and, if present, ``out_of_sample`` entries with
            ``until``, ``rmse``, ``persistence_rmse``, ``trend_rmse`` and ``forecast`` (date, target,
            model) or ``trajectory`` (``dates``, ``mean``).
        band: the parameter-and-stochastic band (``report["uncertainty"]``), or None.
        marks: names, events and the months before the GNA of the scenario.
        title: the figure's title.
    """
    marks = marks or Marks()
    events = marks.events
    fig = Figure(figsize=(11, 9.0), layout="constrained")
    top, bottom, key = fig.subplots(3, 1, height_ratios=[5.0, 2.2, 1.0])
    handles = draw_tilt(top, tilt, state, targets=targets, pooled=band, marks=marks, events=events)
    mean = tilt[tilt["state"] == state].groupby("date", observed=True)["tilt"].mean()
    at = mean.reindex(targets["date"].astype(str).str[:7]).to_numpy()
    residual = (targets["tilt"].to_numpy(float) - at) / targets["sigma"].to_numpy(float)
    bottom.axhspan(-1, 1, color="grey", alpha=0.15, lw=0)
    bottom.axhline(0.0, color="black", lw=0.6)
    bottom.plot(months(targets["date"]), residual, "o", color=TARGET_COLOUR, ms=4)
    forecasts = report.get("out_of_sample") or []
    for i, entry in enumerate(forecasts):
        colour = OKABE_ITO[(4, 5, 2, 0, 6)[i % 5]]
        origin = months([entry["until"]])[0]
        label = (f"forecast fitted to points ≤ {entry['until']}: RMSE {entry['rmse']:.2f} "
                 f"(persistence {entry['persistence_rmse']:.2f}, trend {entry['trend_rmse']:.2f})")
        if "trajectory" in entry:
            path = pd.Series(entry["trajectory"]["mean"], index=entry["trajectory"]["dates"])
            path = path[path.index >= entry["until"]]
            top.plot(months(path.index), path.to_numpy(), color=colour, lw=1.5, ls="--")
        points = pd.DataFrame(entry.get("forecast", []))
        if len(points):
            top.plot(months(points["date"]), points["model"], color=colour, ls="--" if "trajectory"
                     not in entry else "", marker="s", ms=4, mfc="white")
            sigma = targets.set_index(targets["date"].astype(str).str[:7])["sigma"]
            scaled = (points["target"] - points["model"]) / sigma.reindex(
                points["date"].astype(str).str[:7]).to_numpy()
            bottom.plot(months(points["date"]) + pd.Timedelta(days=6 * (i + 1)), scaled, "s", ms=4,
                        color=colour, mfc="white")
        for ax in (top, bottom):
            ax.axvline(origin, color=colour, lw=1.0, ls="-.", alpha=0.8)
        handles.append(Line2D([], [], color=colour, ls="--", marker="s", mfc="white", ms=4, label=label))
    format_tilt_axes(top, title or f"{marks.state(state)}: calibrated fit, RMSE "
                     f"{report['fit']['rmse']:.3f}" + (f" — {marks.title}" if marks.title else ""))
    bottom.set_ylabel("residual / σ\n(coded − model)")
    bottom.set_xlim(top.get_xlim())
    format_time_axis(bottom)
    bottom.set_title("residuals in units of each point's σ (grey: within ±1σ"
                     + ("; squares: forecasts)" if forecasts else ")"), fontsize=9)
    draw_key(key, handles, events, main_heights=[5.0, 2.2], ncol=2, fontsize=8)
    return fig
