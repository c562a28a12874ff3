"""Figures drawn from saved tables (never by re-running the model).

Every function draws on a new `matplotlib.figure.Figure` and returns it, without pyplot and without
choosing a backend: a notebook shows the figure inline, `save_figure` writes it to a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

STATE_COLOURS = {
    "ITA": "#1b9e77", "FRA": "#377eb8", "TUR": "#e41a1c", "QAT": "#984ea3",
    "UAE": "#ff7f00", "EGY": "#a65628", "RUS": "#555555", "USA": "#f781bf",
}


def save_figure(figure: Figure, path: Path, dpi: int = 130) -> Path:
    """Write ``figure`` to ``path`` (format from the suffix); return the path."""
    figure.savefig(path, dpi=dpi)
    return path


def _months(dates: Sequence[str]) -> pd.DatetimeIndex:
    return pd.to_datetime(list(dates), format="%Y-%m")


def tilt_band(tilt: pd.DataFrame, state: str, q=(0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Per month: the quantiles ``q`` and the mean of a state's tilt over replicates."""
    rows = tilt[tilt["state"] == state]
    grouped = rows.groupby("date")["tilt"]
    band = grouped.quantile(list(q)).unstack()
    band.columns = [f"q{round(x * 100):02d}" for x in q]
    band["mean"] = grouped.mean()
    return band.sort_index()


def _format_axes(ax, title: str) -> None:
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("tilt  (−1 Sarraj/GNA … +1 Haftar/LNA)")
    ax.set_title(title, fontsize=11)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(alpha=0.25)


def plot_state_tilt(
    tilt: pd.DataFrame,
    state: str,
    *,
    events: Sequence[tuple[str, str]] = (),
    targets: pd.DataFrame | None = None,
    title: str | None = None,
    band: dict | None = None,
) -> Figure:
    """One state's ensemble median and 5–95% band over time, key events and documented points.

    Args:
        tilt: the ``tilt.parquet`` table.
        state: the state's id.
        events: ``(YYYY-MM, label)`` pairs marked as vertical lines.
        targets: optional table with ``date, tilt, sigma`` (documented points with error bars).
        title: the figure's title.
        band: optional wider band pooling several fitted parameter sets (``sim.calibrate``'s
            ``uncertainty``: ``dates``, ``quantiles`` with ``q05`` and ``q95``, ``parameter_sets``).
    """
    x = _months(tilt_band(tilt, state).index)
    replicates = tilt["replicate"].nunique()
    fig = Figure(figsize=(11, 5.6))
    ax = fig.subplots()
    colour = STATE_COLOURS.get(state, "#1b9e77")
    pooled, band = band, tilt_band(tilt, state)
    if pooled is not None:
        ax.fill_between(_months(pooled["dates"]), pooled["quantiles"]["q05"], pooled["quantiles"]["q95"],
                        color="grey", alpha=0.2,
                        label=f"5–95% over {pooled['parameter_sets']} fitted parameter sets "
                              f"× {pooled['replicates_per_set']} replicates")
    ax.fill_between(x, band["q05"], band["q95"], color=colour, alpha=0.25,
                    label=f"5–95% of {replicates} replicates")
    ax.plot(x, band["q50"], color=colour, lw=2, label="ensemble median")
    ax.plot(x, band["mean"], color=colour, lw=1, ls="--", label="ensemble mean")
    for i, (date, label) in enumerate(events):
        when = pd.to_datetime(date[:7], format="%Y-%m")
        ax.axvline(when, color="grey", lw=0.7, ls=":")
        ax.text(when, 1.0 - 0.075 * (i % 5), f" {label}", fontsize=7, color="dimgrey",
                va="top", ha="left")
    if targets is not None and len(targets):
        ax.errorbar(_months(targets["date"]), targets["tilt"], yerr=targets["sigma"], fmt="o",
                    color="black", ms=4, capsize=2, lw=0.8, label="coded from the source article (±σ)")
    _format_axes(ax, title or f"{state}: tilt between Sarraj (GNA) and Haftar (LNA)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=4, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_all_states(tilt: pd.DataFrame, title: str | None = None) -> Figure:
    """Every state's median tilt with its 5–95% band, one panel per state."""
    states = list(dict.fromkeys(tilt["state"]))
    cols = 4
    rows = int(np.ceil(len(states) / cols))
    fig = Figure(figsize=(14, 3.2 * rows))
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    for ax, state in zip(axes.flat, states, strict=False):
        band = tilt_band(tilt, state)
        x = _months(band.index)
        colour = STATE_COLOURS.get(state, "#333333")
        ax.fill_between(x, band["q05"], band["q95"], color=colour, alpha=0.25)
        ax.plot(x, band["q50"], color=colour, lw=1.8)
        _format_axes(ax, state)
        ax.set_ylabel("")
    for ax in list(axes.flat)[len(states):]:
        ax.set_visible(False)
    fig.supylabel("tilt  (−1 GNA … +1 LNA): median and 5–95% band")
    fig.suptitle(title or "All states: tilt between Sarraj (GNA) and Haftar (LNA)")
    fig.tight_layout()
    return fig


#: Okabe & Ito's colour-blind-safe qualitative palette (black left out: it marks the targets).
OVERLAY_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                   "#999999")
#: Beyond this many runs the overlay draws the band of all runs' medians and a few labelled runs.
OVERLAY_MAX_LINES = 12
#: Viridis without its palest yellow, which vanishes on white: the colours of a numeric sweep.
_SWEEP_COLOURS = ListedColormap(colormaps["viridis"](np.linspace(0.0, 0.9, 256)), name="sweep")


def _overlay_colours(labels: Sequence[str], values: Mapping[str, float] | None) -> dict[str, object]:
    """Viridis ordered by value for a numeric sweep; otherwise the qualitative palette."""
    if values:
        low, high = min(values.values()), max(values.values())
        return {k: _SWEEP_COLOURS((values[k] - low) / ((high - low) or 1.0)) for k in labels}
    return {k: OVERLAY_PALETTE[i % len(OVERLAY_PALETTE)] for i, k in enumerate(labels)}


def plot_overlay(bands: dict[str, pd.DataFrame], state: str,
                 targets: pd.DataFrame | None = None, *,
                 values: Mapping[str, float] | None = None, value_name: str | None = None,
                 max_lines: int = OVERLAY_MAX_LINES) -> Figure:
    """Several runs' median tilt of one state (e.g. the jobs of a multirun).

    Up to ``max_lines`` runs: each run's median and 5–95% band, labelled. More: the 5–95% range
    of the runs' medians, every median faintly, and the runs lowest, middle and highest on average
    labelled. ``values`` (label -> number, a single numeric sweep named ``value_name``) colours the
    runs by value (viridis, with a colour bar); otherwise a colour-blind-safe palette.
    """
    fig = Figure(figsize=(11, 5.6))
    ax = fig.subplots()
    labels = list(bands)
    colours = _overlay_colours(labels, values)
    if len(labels) <= max_lines:
        for i, name in enumerate(labels):
            band, x = bands[name], _months(bands[name].index)
            style = "-" if values or i < len(OVERLAY_PALETTE) else "--"
            ax.fill_between(x, band["q05"], band["q95"], color=colours[name], alpha=0.12)
            ax.plot(x, band["q50"], color=colours[name], lw=2, ls=style, label=name)
        title = f"{state}: tilt by run (median, 5–95% band)"
    else:
        medians = pd.DataFrame({name: band["q50"] for name, band in bands.items()}).sort_index()
        x = _months(medians.index)
        ax.fill_between(x, medians.quantile(0.05, axis=1), medians.quantile(0.95, axis=1),
                        color="grey", alpha=0.25, label=f"5–95% of the {len(labels)} runs' medians")
        for name in labels:
            ax.plot(x, medians[name], color=colours[name] if values else "grey", lw=0.5, alpha=0.35)
        ranked = medians.mean().sort_values()
        picks = {"lowest": ranked.index[0], "middle": ranked.index[len(ranked) // 2],
                 "highest": ranked.index[-1]}
        for i, (rank, name) in enumerate(picks.items()):
            colour = colours[name] if values else OVERLAY_PALETTE[(4, 2, 5)[i]]
            ax.plot(x, medians[name], color=colour, lw=2.2, label=f"{rank}: {name}")
        title = f"{state}: median tilt of {len(labels)} runs"
    if values:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        low, high = min(values.values()), max(values.values())
        mappable = ScalarMappable(Normalize(low, high if high > low else low + 1), cmap=_SWEEP_COLOURS)
        fig.colorbar(mappable, ax=ax, pad=0.01, label=value_name or "value")
    if targets is not None and len(targets):
        ax.errorbar(_months(targets["date"]), targets["tilt"], yerr=targets["sigma"], fmt="o",
                    color="black", ms=4, capsize=2, lw=0.8, label="documented")
    _format_axes(ax, title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


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
    x = _months(wide.index)
    fig = Figure(figsize=(11, 5.2))
    ax = fig.subplots()
    palette = colormaps["tab10"]
    for i, part in enumerate(wide.columns):
        ax.plot(x, wide[part], color=palette(i % 10), lw=1.6, label=part)
    ax.plot(x, wide.sum(axis=1), color="black", lw=2.2, ls="--", label=f"total: V({plus}) − V({minus})")
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_ylabel(f"contribution to V(plus) − V(minus)  (value units; > 0 favours {plus})")
    ax.set_title(title or f"{state}: what each interest adds to its value of {plus} over {minus}",
                 fontsize=11)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(alpha=0.25)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=5, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_ablations(table: pd.DataFrame, state: str, *, limit: float, baseline: float,
                   month: str, draws: pd.DataFrame | None = None) -> Figure:
    """How much taking out each event, and each group of inputs, moves a state's final tilt.

    Args:
        table: the ``robustness.csv`` table (ablation, name, group, date, delta_final, ...).
        state: the state measured.
        limit: the largest change one event may make (drawn as a band).
        baseline: the state's mean tilt in ``month`` with every input.
        month: ``YYYY-MM`` of the measured tilt.
        draws: joint draws of the scenario's estimates (``estimate_draws.csv``), shown as the
            distribution of the final tilt, or None.
    """
    events = table[table["ablation"] == "event"].dropna(subset=["delta_final"])
    events = events.reindex(events["delta_final"].abs().sort_values(ascending=False).index).head(25)
    groups = table[table["ablation"] == "group"]
    with_draws = draws is not None and len(draws) > 0
    fig = Figure(figsize=(11, 11 if with_draws else 8.5))
    axes = fig.subplots(3 if with_draws else 2, 1,
                        height_ratios=[3, 1.2, 1.3] if with_draws else [3, 1.2])
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
        ax.hist(draws["final"], bins=30, color="#cc79a7", alpha=0.8)
        ax.axvline(baseline, color="black", lw=1.2, label="every estimate as in the file")
        ax.set_xlabel(f"{state}'s mean tilt in {month}")
        ax.set_ylabel("draws")
        ax.set_title(f"{len(draws)} joint Latin-hypercube draws of every estimate within its range",
                     fontsize=10)
        ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
