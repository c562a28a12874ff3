"""Tilt over time: one state with its coded points, every state side by side, several runs overlaid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plotting.layers import (
    draw_before,
    draw_coded_months,
    draw_events,
    draw_key,
    draw_targets,
    legend_columns,
)
from sim.plotting.marks import Marks
from sim.plotting.style import OKABE_ITO, TILT_LABEL, format_tilt_axes, months, state_colour


def tilt_band(tilt: pd.DataFrame, state: str, q=(0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Per month: the quantiles ``q`` and the mean of a state's tilt over replicates."""
    rows = tilt[tilt["state"] == state]
    grouped = rows.groupby("date", observed=True)["tilt"]
    band = grouped.quantile(list(q)).unstack()
    band.columns = [f"q{round(x * 100):02d}" for x in q]
    band["mean"] = grouped.mean()
    return band.sort_index()


def _with_key(height: float) -> tuple[Figure, object, object]:
    """A figure with a main panel ``height`` inches tall and, below it, a row for the legend and
    the events' key (sized by `draw_key`)."""
    fig = Figure(figsize=(11, height + 1.5), layout="constrained")
    ax, key = fig.subplots(2, 1, height_ratios=[height, 1.0])
    return fig, ax, key


def plot_state_tilt(
    tilt: pd.DataFrame,
    state: str,
    *,
    events: Sequence[tuple[str, str]] | None = None,
    targets: pd.DataFrame | None = None,
    title: str | None = None,
    band: dict | None = None,
    marks: Marks | None = None,
    posterior_draws: int | None = None,
) -> Figure:
    """One state's ensemble median and 5–95% band over time, numbered events with a dated key, and
    the points coded from the source article.

    Args:
        tilt: the ``tilt.parquet`` table (date, replicate, state, tilt).
        state: the state's id.
        events: ``(YYYY-MM, label)`` pairs to number and key (default: the marks' events).
        targets: optional table with ``date, tilt, sigma``: coded points, drawn with ±σ clipped to
            [−1, 1].
        title: the figure's title (default: "<State>'s tilt between Sarraj and Haftar — <scenario>").
        band: optional wider band pooling several fitted parameter sets (``sim.calibrate``'s
            ``uncertainty``: ``dates``, ``quantiles`` with ``q05`` and ``q95``, ``parameter_sets``).
        marks: the scenario's names, events and the months before the GNA (`sim.plotting.marks_for`).
        posterior_draws: how many posterior draws the replicates ran with (``sim.run posterior=``),
            named in the band's label; None when every replicate ran with the same parameters.
    """
    marks = marks or Marks()
    events = marks.events if events is None else tuple(events)
    fig, ax, key = _with_key(5.0)
    handles = draw_tilt(ax, tilt, state, targets=targets, pooled=band, marks=marks, events=events,
                        posterior_draws=posterior_draws)
    scenario = f" — {marks.title}" if marks.title else ""
    format_tilt_axes(ax, title or f"{marks.state(state)}'s tilt between Sarraj (GNA) and Haftar (LNA)"
                     f"{scenario}")
    draw_key(key, handles, events, main_heights=[5.0])
    return fig


def draw_tilt(ax, tilt: pd.DataFrame, state: str, *, targets=None, pooled=None, marks: Marks,
              events: Sequence[tuple[str, str]], posterior_draws: int | None = None) -> list:
    """The layers of a state's tilt panel; returns their legend handles."""
    colour = state_colour(state)
    band = tilt_band(tilt, state)
    x = months(band.index)
    replicates = tilt["replicate"].nunique()
    handles = [h for h in (draw_before(ax, marks.before),) if h is not None]
    draw_events(ax, events)
    if pooled is not None:
        ax.fill_between(months(pooled["dates"]), pooled["quantiles"]["q05"], pooled["quantiles"]["q95"],
                        color="grey", alpha=0.22, lw=0)
        handles.append(Patch(color="grey", alpha=0.35,
                             label=f"5–95% over {pooled['parameter_sets']} fitted parameter sets × "
                                   f"{pooled['replicates_per_set']} replicates"))
    ax.fill_between(x, band["q05"], band["q95"], color=colour, alpha=0.28, lw=0)
    ax.plot(x, band["q50"], color=colour, lw=2.2)
    handles += [Patch(color=colour, alpha=0.4, label=f"5–95% of {replicates} replicates"
                      f"{posterior_note(posterior_draws)}"),
                Line2D([], [], color=colour, lw=2.2, label="median of the replicates")]
    handles += [h for h in (draw_targets(ax, targets), draw_coded_months(ax, targets)) if h is not None]
    return handles


def posterior_note(draws: int | None) -> str:
    """What a band's label adds when the replicates ran with posterior draws (empty otherwise)."""
    return "" if not draws else f", over {draws} posterior draws (parameter and stochastic spread)"


def plot_all_states(tilt: pd.DataFrame, title: str | None = None, *, marks: Marks | None = None,
                    targets: Mapping[str, pd.DataFrame] | None = None,
                    posterior_draws: int | None = None) -> Figure:
    """Every state's median tilt with its 5–95% band, one panel per state, named.

    Args:
        tilt: the ``tilt.parquet`` table.
        title: the figure's title.
        marks: the scenario's names, events (numbered in every panel, keyed below) and the months
            before the GNA.
        targets: state id -> its coded points (``date, tilt, sigma``), drawn in its panel.
        posterior_draws: how many posterior draws the replicates ran with, or None (`plot_state_tilt`).
    """
    marks = marks or Marks()
    targets = targets or {}
    states = list(dict.fromkeys(tilt["state"]))
    cols = 4
    rows = int(np.ceil(len(states) / cols))
    fig = Figure(figsize=(15, 3.3 * rows + 1.5), layout="constrained")
    grid = fig.add_gridspec(rows + 1, cols, height_ratios=[3.3] * rows + [1.0])
    axes = [fig.add_subplot(grid[i // cols, i % cols]) for i in range(len(states))]
    for ax in axes[1:]:
        ax.sharex(axes[0])
        ax.sharey(axes[0])
    handles: dict[str, object] = {}
    for ax, state in zip(axes, states, strict=True):
        band = tilt_band(tilt, state)
        x = months(band.index)
        colour = state_colour(state, states)
        before = draw_before(ax, marks.before, with_text=False)
        draw_events(ax, marks.events, size=6)
        ax.fill_between(x, band["q05"], band["q95"], color=colour, alpha=0.28, lw=0)
        ax.plot(x, band["q50"], color=colour, lw=1.8)
        coded = draw_targets(ax, targets.get(state), size=3, label="coded points, ±σ (Italy's from the "
                             "source article; the others' from the outlets their file cites)")
        format_tilt_axes(ax, marks.state(state), ylabel=None)
        for handle in (before, coded):
            if handle is not None:
                handles.setdefault(handle.get_label(), handle)
    for ax in axes:
        if axes.index(ax) % cols == 0:
            ax.set_ylabel(TILT_LABEL, fontsize=8)
    handles.setdefault("band", Patch(color="grey", alpha=0.4, label="median and 5–95% of replicates"
                                         f"{posterior_note(posterior_draws)}"))
    key = fig.add_subplot(grid[rows, :])
    draw_key(key, list(handles.values()), marks.events, main_heights=[3.3] * rows, columns=3)
    scenario = f" — {marks.title}" if marks.title else ""
    fig.suptitle(title or f"Every state's tilt between Sarraj (GNA) and Haftar (LNA){scenario}")
    return fig


#: Kept for callers of the first version: the qualitative palette of overlays.
OVERLAY_PALETTE = OKABE_ITO
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
                 max_lines: int = OVERLAY_MAX_LINES, marks: Marks | None = None,
                 title: str | None = None) -> Figure:
    """Several runs' median tilt of one state (the jobs of a multirun, or saved folders compared).

    Up to ``max_lines`` runs: each run's median and 5–95% band, labelled. More: the 5–95% range
    of the runs' medians, every median faintly, and the runs lowest, middle and highest on average
    labelled. ``values`` (label -> number, a single numeric sweep named ``value_name``) colours the
    runs by value (viridis, with a colour bar); otherwise a colour-blind-safe palette.

    Args:
        bands: run label -> its `tilt_band` of ``state``.
        state: the state's id.
        targets: the state's coded points, or None.
        values, value_name: see above.
        max_lines: the most runs drawn one by one.
        marks: names, events and the months before the GNA of the runs' scenario.
        title: the figure's title.
    """
    marks = marks or Marks()
    fig = Figure(figsize=(11, 6.0), layout="constrained")
    ax = fig.subplots()
    labels = list(bands)
    colours = _overlay_colours(labels, values)
    before = draw_before(ax, marks.before, with_text=False)
    draw_events(ax, marks.events, numbers=False)
    if len(labels) <= max_lines:
        for i, name in enumerate(labels):
            band, x = bands[name], months(bands[name].index)
            style = "-" if values or i < len(OVERLAY_PALETTE) else "--"
            ax.fill_between(x, band["q05"], band["q95"], color=colours[name], alpha=0.12, lw=0)
            ax.plot(x, band["q50"], color=colours[name], lw=2, ls=style, label=name)
        heading = f"{marks.state(state)}'s tilt by run (median, 5–95% band)"
    else:
        medians = pd.DataFrame({name: band["q50"] for name, band in bands.items()}).sort_index()
        x = months(medians.index)
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
        heading = f"{marks.state(state)}'s median tilt in {len(labels)} runs"
    if values:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        low, high = min(values.values()), max(values.values())
        mappable = ScalarMappable(Normalize(low, high if high > low else low + 1), cmap=_SWEEP_COLOURS)
        fig.colorbar(mappable, ax=ax, pad=0.01, label=value_name or "value")
    coded = draw_targets(ax, targets)
    format_tilt_axes(ax, title or heading)
    handles, names = ax.get_legend_handles_labels()
    extra = [h for h in (before, coded) if h is not None]
    ncol, names = legend_columns(names + [h.get_label() for h in extra], width=fig.get_figwidth(),
                                 fontsize=8)
    ax.legend(handles=handles + extra, labels=names, loc="upper center", bbox_to_anchor=(0.5, -0.08),
              ncol=ncol, fontsize=8, frameon=False)
    return fig


def plot_compare_states(bands: Mapping[str, pd.DataFrame], *, marks: Marks | None = None,
                        title: str | None = None) -> Figure:
    """Several runs side by side for every state: one panel per state, each run's median tilt.

    Args:
        bands: run label -> its bands of every state (columns ``state, date, q50``; e.g.
            `sim.callbacks.run_bands`).
        marks: names, events and the months before the GNA of the runs' scenario.
        title: the figure's title.
    """
    marks = marks or Marks()
    labels = list(bands)
    found = {s for band in bands.values() for s in band["state"]}
    states = [s for s in marks.states if s in found] + sorted(found - set(marks.states))
    cols = 4
    rows = int(np.ceil(len(states) / cols))
    fig = Figure(figsize=(15, 3.2 * rows + 1.0 + 0.2 * int(np.ceil(len(labels) / 2))), layout="constrained")
    grid = fig.add_gridspec(rows + 1, cols, height_ratios=[3.2] * rows + [0.8 + 0.2 * len(labels) / 2])
    colours = _overlay_colours(labels, None)
    axes = []
    for i, state in enumerate(states):
        ax = fig.add_subplot(grid[i // cols, i % cols], sharex=axes[0] if axes else None,
                             sharey=axes[0] if axes else None)
        axes.append(ax)
        draw_before(ax, marks.before, with_text=False)
        draw_events(ax, marks.events, numbers=False)
        for j, label in enumerate(labels):
            rows_ = bands[label][bands[label]["state"] == state].sort_values("date")
            style = "-" if j < len(OVERLAY_PALETTE) else "--"
            ax.plot(months(rows_["date"]), rows_["q50"], color=colours[label], lw=1.6, ls=style, label=label)
        format_tilt_axes(ax, marks.state(state), ylabel=TILT_LABEL if i % cols == 0 else None)
        if i % cols == 0:
            ax.yaxis.label.set_fontsize(8)
    key = fig.add_subplot(grid[rows, :])
    key.set_axis_off()
    handles, names = axes[0].get_legend_handles_labels()
    ncol, names = legend_columns(names, width=fig.get_figwidth(), fontsize=8.5, most=2)
    key.legend(handles=handles, labels=names, loc="upper center", ncol=ncol, fontsize=8.5,
               frameon=False, title="median tilt of each run")
    scenario = f" — {marks.title}" if marks.title else ""
    fig.suptitle(title or f"Every state's median tilt, run by run{scenario}")
    return fig
