"""What every figure shares: colour-blind-safe colours, the tilt axes, months, file writing."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

#: Paul Tol's "muted" scheme, distinct for colour-blind readers: one colour per state.
STATE_COLOURS = {
    "ITA": "#117733", "FRA": "#332288", "TUR": "#CC6677", "QAT": "#882255",
    "UAE": "#DDAA33", "EGY": "#999933", "RUS": "#44AA99", "USA": "#AA4499",
}
#: For states a scenario adds beyond the eight.
EXTRA_STATE_COLOURS = ("#88CCEE", "#661100", "#6699CC", "#888888")
#: Okabe & Ito's colour-blind-safe qualitative palette (black left out: it marks coded points).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
#: Coded points and what marks them.
TARGET_COLOUR = "black"
#: The months before the tilt's minus side existed in its final form (e.g. before the GNA).
BEFORE_COLOUR = "#BBBBBB"
TILT_LABEL = "tilt  (−1 Sarraj / GNA  …  +1 Haftar / LNA)"


def state_colour(state: str, order: Sequence[str] = ()) -> str:
    """The state's colour: its own for the eight states, otherwise by its place in ``order``."""
    if state in STATE_COLOURS:
        return STATE_COLOURS[state]
    extras = [s for s in order if s not in STATE_COLOURS]
    index = extras.index(state) if state in extras else 0
    return EXTRA_STATE_COLOURS[index % len(EXTRA_STATE_COLOURS)]


def text_colour_on(background) -> str:
    """Black or white, whichever reads better on ``background`` (any matplotlib colour)."""
    r, g, b = to_rgb(background)
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "white"


def months(dates: Sequence[str]) -> pd.DatetimeIndex:
    """``YYYY-MM`` (or ``YYYY-MM-DD``) strings as month timestamps."""
    return pd.to_datetime([str(d)[:7] for d in dates], format="%Y-%m")


def month_label(date: str) -> str:
    """``2015-12`` as ``Dec 2015``."""
    return pd.to_datetime(str(date)[:7], format="%Y-%m").strftime("%b %Y")


def format_time_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(alpha=0.25)


#: Characters per line of a panel's title: a long scenario title is wrapped, not cut at the edge.
TITLE_WIDTH = 110


def set_panel_title(ax, title: str) -> None:
    """A panel's title at the figures' size, broken into lines of at most ``TITLE_WIDTH``
    characters (one line when shorter)."""
    ax.set_title(textwrap.fill(title, TITLE_WIDTH), fontsize=11)


def format_tilt_axes(ax, title: str | None, *, ylabel: str | None = TILT_LABEL) -> None:
    """A tilt panel: the zero line, [−1, 1], years on the x axis, the title wrapped at
    ``TITLE_WIDTH`` characters."""
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_ylim(-1.08, 1.08)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        set_panel_title(ax, title)
    format_time_axis(ax)


def save_figure(figure: Figure, path: Path, dpi: int = 130) -> Path:
    """Write ``figure`` to ``path`` (format from the suffix); return the path."""
    figure.savefig(path, dpi=dpi)
    return path
