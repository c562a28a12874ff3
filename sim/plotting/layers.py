"""Layers drawn on a tilt panel: the months before the GNA, numbered events and their key, coded
points clipped to the tilt's range."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from sim.plotting.marks import Before
from sim.plotting.style import BEFORE_COLOUR, TARGET_COLOUR, month_label, months

#: Two events closer than this many months have their numbers drawn at different heights.
CLOSE_MONTHS = 4
#: Heights (axes fraction) of the staggered event numbers.
NUMBER_HEIGHTS = (0.955, 0.885, 0.815)


def draw_before(ax, before: Before | None, *, with_text: bool = True) -> Patch | None:
    """Shade the months before the minus side's final actor existed; return a legend handle."""
    if before is None:
        return None
    start, end = months([before.start, before.end])
    ax.axvspan(start, end, color=BEFORE_COLOUR, alpha=0.22, lw=0, zorder=0)
    if with_text:
        ax.text(start + (end - start) / 2, -1.0, before.text.replace(": ", ":\n", 1), ha="center",
                va="bottom", fontsize=8, color="dimgrey", style="italic")
    return Patch(color=BEFORE_COLOUR, alpha=0.35, label=f"before the GNA existed ({month_label(before.end)})"
                 if "GNA" in before.text else before.text)


def event_heights(dates: Sequence[str]) -> list[float]:
    """A height per event so that numbers of events within `CLOSE_MONTHS` never share one."""
    when = months(dates)
    heights: list[float] = []
    last_at: dict[float, pd.Timestamp] = {}
    for date in when:
        level = next((h for h in NUMBER_HEIGHTS
                      if h not in last_at or (date - last_at[h]).days > CLOSE_MONTHS * 30.5),
                     NUMBER_HEIGHTS[-1])
        heights.append(level)
        last_at[level] = date
    return heights


def draw_events(ax, events: Sequence[tuple[str, str]], *, numbers: bool = True, size: float = 7.5) -> None:
    """Each event as a dotted line; with ``numbers``, a numbered disc at its top that the key
    (`draw_event_key`) explains."""
    if not events:
        return
    where = blended_transform_factory(ax.transData, ax.transAxes)
    for i, ((date, _), height) in enumerate(zip(events, event_heights([d for d, _ in events]),
                                                strict=True)):
        when = months([date])[0]
        ax.axvline(when, color="grey", lw=0.7, ls=":", zorder=1)
        if numbers:
            ax.text(when, height, str(i + 1), transform=where, ha="center", va="center",
                    fontsize=size, color="black", zorder=5,
                    bbox={"boxstyle": "circle,pad=0.18", "fc": "white", "ec": "grey", "lw": 0.7})


def draw_event_key(ax, events: Sequence[tuple[str, str]], *, columns: int = 2, top: float = 1.0) -> None:
    """The numbered key of the events, in ``columns`` columns, on an axes with nothing else."""
    ax.set_axis_off()
    if not events:
        return
    rows = int(np.ceil(len(events) / columns))
    for i, (date, label) in enumerate(events):
        column, row = divmod(i, rows)
        ax.text(column / columns + 0.01, top - (row + 0.5) / max(rows, 1) * top,
                f"{i + 1}   {month_label(date)}   {label}", transform=ax.transAxes, fontsize=8.5,
                va="center", ha="left")


#: Average width of a legend character, as a share of the font size (matplotlib's DejaVu Sans).
CHAR_WIDTH = 0.55


def legend_columns(labels: Sequence[str], *, width: float, fontsize: float,
                   most: int = 3) -> tuple[int, list[str]]:
    """How many columns a legend of ``labels`` fits in ``width`` inches at ``fontsize`` points,
    and the labels wrapped to a column's width: the most columns (up to ``most``) in which no
    label needs more than two lines, so long run labels never run off the figure."""
    chars = max(int(width * 72 / (fontsize * CHAR_WIDTH)), 20)
    longest = max((len(label) for label in labels), default=0)
    ncol = next((n for n in range(most, 0, -1) if longest <= 2 * (chars // n - 6)), 1)
    per_column = chars // ncol - 6  # room for the legend's line sample and the gap
    return ncol, [textwrap.fill(label, per_column, break_on_hyphens=False) for label in labels]


#: Heights in inches of a legend row, an event-key row, and the gap after each block.
LEGEND_ROW, EVENT_ROW, KEY_GAP = 0.25, 0.21, 0.12


def draw_key(key, handles: Sequence, events: Sequence[tuple[str, str]], *, main_heights: Sequence[float],
             ncol: int = 3, columns: int = 2, fontsize: float = 8.5) -> None:
    """The legend, then the numbered events' key below it, on the bottom axes ``key`` of a figure
    whose other rows are ``main_heights`` inches tall: the key's row and the figure are sized to
    what they hold, so the two blocks never overlap whatever their lengths."""
    legend_rows = int(np.ceil(len(handles) / ncol)) if handles else 0
    event_rows = int(np.ceil(len(events) / columns)) if events else 0
    legend_height = legend_rows * LEGEND_ROW + KEY_GAP
    events_height = event_rows * EVENT_ROW + (KEY_GAP if event_rows else 0.0)
    total = legend_height + events_height
    key.get_subplotspec().get_gridspec().set_height_ratios([*main_heights, total])
    fig = key.get_figure()
    fig.set_size_inches(fig.get_size_inches()[0], sum(main_heights) + total + 0.5)
    if handles:
        key.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=ncol,
                   fontsize=fontsize, frameon=False, borderaxespad=0.0)
    draw_event_key(key, events, columns=columns, top=events_height / total)


def clipped_errors(targets: pd.DataFrame) -> np.ndarray:
    """Error bars of ±σ, clipped to the tilt's range [−1, 1]: (2, n) lower and upper lengths."""
    y, sigma = targets["tilt"].to_numpy(float), targets["sigma"].to_numpy(float)
    return np.vstack([np.minimum(sigma, y + 1.0), np.minimum(sigma, 1.0 - y)])


#: What the coded points are, in a legend.
CODED_LABEL = "coded from the source article, ±σ (its stated uncertainty)"


def draw_targets(ax, targets: pd.DataFrame | None, *, size: float = 4,
                 label: str = CODED_LABEL) -> Line2D | None:
    """Coded points with their ±σ clipped to [−1, 1]; return a legend handle."""
    if targets is None or not len(targets):
        return None
    ax.errorbar(months(targets["date"]), targets["tilt"], yerr=clipped_errors(targets), fmt="o",
                color=TARGET_COLOUR, ms=size, capsize=2, lw=0.8, zorder=6)
    return Line2D([], [], marker="o", color=TARGET_COLOUR, ls="", ms=size,
                  label=label)


def draw_coded_months(ax, targets: pd.DataFrame | None) -> Line2D | None:
    """A tick on the bottom edge at each coded month; return a legend handle."""
    if targets is None or not len(targets):
        return None
    where = blended_transform_factory(ax.transData, ax.transAxes)
    x = months(targets["date"])
    ax.plot(x, np.full(len(x), 0.0), transform=where, marker="|", ms=9, mew=1.4, ls="",
            color=TARGET_COLOUR, clip_on=False, zorder=6)
    return Line2D([], [], marker="|", ms=9, mew=1.4, ls="", color=TARGET_COLOUR,
                  label="a coded month")
