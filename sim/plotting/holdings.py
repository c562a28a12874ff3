"""Whom each state backs (support shares) and who holds each asset, month by month."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.plotting.layers import draw_before, draw_events, draw_key
from sim.plotting.marks import Marks
from sim.plotting.style import format_time_axis, months, set_panel_title, text_colour_on

#: Supports below this share (mean over replicates, every month) are pooled as "others".
SMALL_SHARE = 0.01
#: Colours of unaligned factions (Tol's muted scheme, after the sides' blues and oranges).
UNALIGNED = ("#CC79A7", "#999933", "#882255", "#44AA99", "#332288", "#AA4499", "#661100", "#888888")
#: An asset held by one faction in fewer than this share of replicates is drawn hatched.
SURE_SHARE = 0.9
#: A stretch of months wide enough for its holder's id to be written inside.
LABEL_MONTHS = 5


def faction_colours(factions: Sequence[str], marks: Marks) -> dict[str, object]:
    """Blues for the tilt's minus side (the Tripoli camp), oranges for its plus side (Haftar's),
    distinct muted colours for the rest: the side reads at a glance, the faction by its label."""
    sides = {f: marks.sides.get(f, "") for f in factions}
    colours: dict[str, object] = {}
    for side, ramp in (("minus", "Blues"), ("plus", "Oranges")):
        members = [f for f in factions if sides[f] == side]
        shades = np.linspace(0.85, 0.45, max(len(members), 1))
        colours.update({f: colormaps[ramp](s) for f, s in zip(members, shades, strict=False)})
    rest = [f for f in factions if not sides[f]]
    colours.update({f: UNALIGNED[i % len(UNALIGNED)] for i, f in enumerate(rest)})
    return colours


def _side_order(factions: Sequence[str], marks: Marks) -> list[str]:
    rank = {"minus": 0, "": 1, "plus": 2}
    return sorted(factions, key=lambda f: rank[marks.sides.get(f, "")])


def support_means(alignment: pd.DataFrame, state: str) -> pd.DataFrame:
    """A state's support of each faction, mean over replicates: ``date`` rows x ``faction`` columns."""
    rows = alignment[alignment["state"] == state]
    return (rows.groupby(["date", "faction"], observed=True)["support"].mean()
            .unstack(fill_value=0.0).sort_index())


def plot_support_shares(alignment: pd.DataFrame | None, state: str, *, title: str | None = None,
                        marks: Marks | None = None, means: pd.DataFrame | None = None) -> Figure:
    """Whom a state backs: its mean support of each faction over replicates, stacked, with what it
    holds back (one minus its total support) on top.

    Args:
        alignment: the ``alignment.parquet`` table (date, replicate, state, faction, support), or
            None when ``means`` is given.
        state: the state's id.
        title: the figure's title.
        marks: names, sides, events and the months before the GNA of the scenario.
        means: the state's mean support already summarised (`support_means`,
            `SimulationResult.mean_support`), instead of ``alignment``.
    """
    marks = marks or Marks()
    mean = support_means(alignment, state) if means is None else means.sort_index()
    kept = [f for f in mean.columns if mean[f].max() >= SMALL_SHARE]
    kept = _side_order(kept, marks)
    shares = mean[kept].copy()
    others = mean.drop(columns=kept).sum(axis=1)
    if others.max() > 0:
        shares["others"] = others
    held_back = (1.0 - mean.sum(axis=1)).clip(lower=0.0)
    colours = faction_colours(kept, marks)
    colours["others"] = "#DDDDDD"
    x = months(shares.index)
    events = marks.events
    fig = Figure(figsize=(11, 6.5), layout="constrained")
    ax, key = fig.subplots(2, 1, height_ratios=[5.0, 1.0])
    layers = [shares[c].to_numpy() for c in shares.columns]
    labels = [f"{c}: {marks.factions[c]}" if c in marks.factions else c for c in shares.columns]
    ax.stackplot(x, *layers, colors=[colours[c] for c in shares.columns], labels=labels, lw=0.3,
                 edgecolor="white")
    top = np.vstack(layers).sum(axis=0)
    ax.fill_between(x, top, top + held_back.to_numpy(), facecolor="white", edgecolor="#BBBBBB",
                    hatch="///", lw=0, label="held back (support given to no one)")
    draw_events(ax, events)
    ax.set_ylim(0, 1.0)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylabel("share of the state's means of support (mean over replicates)")
    format_time_axis(ax)
    default = f"Whom {marks.state(state)} backs — {marks.title or 'support shares'}"
    set_panel_title(ax, title or default)
    handles, _ = ax.get_legend_handles_labels()
    handles = [handles[-1], *handles[:-1][::-1]]  # as stacked: held back on top, then down
    draw_key(key, handles, events, main_heights=[5.0], fontsize=8)
    return fig


def modal_holders(control: pd.DataFrame) -> pd.DataFrame:
    """Per asset and month: the faction holding it in most replicates, and that share.

    Returns:
        A table with columns date, asset, controller, share (of replicates, in (0, 1]).
    """
    counts = (control.assign(controller=control["controller"].astype(str))
              .groupby(["asset", "date", "controller"], observed=True).size().rename("n").reset_index())
    totals = counts.groupby(["asset", "date"], observed=True)["n"].transform("sum")
    counts["share"] = counts["n"] / totals
    modal = counts.sort_values(["asset", "date", "share"], ascending=[True, True, False])
    return modal.drop_duplicates(["asset", "date"])[["date", "asset", "controller", "share"]]


def _stretches(holders: pd.Series) -> list[tuple[int, int, str]]:
    """``(first, length, holder)`` of each run of months with the same holder."""
    values = holders.to_numpy()
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    return [(int(s), int(e - s), str(values[s])) for s, e in zip(starts, ends, strict=True)]


def plot_asset_control(control: pd.DataFrame | None, *, title: str | None = None,
                       marks: Marks | None = None, assets: Sequence[str] | None = None,
                       holders: pd.DataFrame | None = None) -> Figure:
    """Who holds each asset, month by month: one row per asset, coloured by the faction holding it
    in most replicates, its id written inside each long enough stretch; hatched where fewer than
    `SURE_SHARE` of the replicates agree (an open outcome).

    Args:
        control: the ``control.parquet`` table (date, replicate, asset, controller), or None when
            ``holders`` is given.
        title: the figure's title.
        marks: names, sides, events and the months before the GNA of the scenario.
        assets: the assets drawn, top to bottom (default: all, in the table's order).
        holders: the modal holders already counted (`modal_holders`, `SimulationResult.holders`),
            instead of ``control``.
    """
    marks = marks or Marks()
    modal = modal_holders(control) if holders is None else holders
    listed = control if holders is None else holders
    order = list(assets) if assets is not None else list(dict.fromkeys(listed["asset"].astype(str)))
    dates = sorted(modal["date"].astype(str).unique())
    x = months(dates)
    width = (x[1] - x[0]) if len(x) > 1 else pd.Timedelta(days=31)
    held_by = sorted(set(modal["controller"]))
    colours = faction_colours(_side_order(held_by, marks), marks)
    colours["nan"] = colours["None"] = "#FFFFFF"
    events = marks.events
    main = 0.42 * len(order) + 1.0
    fig = Figure(figsize=(12, main + 1.5), layout="constrained")
    ax, key = fig.subplots(2, 1, height_ratios=[main, 1.0])
    draw_before(ax, marks.before, with_text=False)
    for row, asset in enumerate(order):
        rows = modal[modal["asset"].astype(str) == asset].set_index(modal["date"].astype(str)[
            modal["asset"].astype(str) == asset]).reindex(dates)
        for first, length, holder in _stretches(rows["controller"].fillna("None")):
            share = rows["share"].iloc[first:first + length].min()
            colour = colours.get(holder, "#FFFFFF")
            ax.broken_barh([(x[first], width * length)], (row - 0.38, 0.76), facecolors=colour,
                           edgecolor="white", lw=0.6, hatch=None if share >= SURE_SHARE else "xx")
            if length >= LABEL_MONTHS and holder not in ("None", "nan"):
                ax.text(x[first] + width * length / 2, row, holder, ha="center", va="center",
                        fontsize=7, color=text_colour_on(colour))
    draw_events(ax, events, size=6.5)
    ax.set_yticks(range(len(order)), [marks.assets.get(a, a) for a in order], fontsize=8)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(x[0], x[-1] + width)
    format_time_axis(ax)
    ax.grid(False)
    default = f"Who holds what — {marks.title or 'asset control'} (the holder in most replicates)"
    set_panel_title(ax, title or default)
    shown = [h for h in _side_order(held_by, marks) if h not in ("None", "nan")]
    handles = [Patch(facecolor=colours[h], label=f"{h}: {marks.factions.get(h, h)}") for h in shown]
    handles.append(Patch(facecolor="white", edgecolor="grey", hatch="xx",
                         label=f"holder agreed by fewer than {SURE_SHARE:.0%} of replicates"))
    draw_key(key, handles, events, main_heights=[main], fontsize=8)
    return fig
