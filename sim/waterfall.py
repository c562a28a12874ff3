"""The waterfall of a Shapley attribution: from the starting tilt, part by part, to the end."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.events import GROUP_LABELS

#: Okabe-Ito colours (safe for colour-blind readers): toward the plus side, toward the minus side,
#: and the tilt itself.
TOWARD_PLUS, TOWARD_MINUS, LEVEL = "#D55E00", "#0072B2", "#7F7F7F"


def plot_waterfall(attributions: list[dict[str, Any]], *, names: dict[str, str], window: tuple[str, str],
                   before: str, sides: tuple[str, str], replicates: int, title: str,
                   posterior_draws: int | None = None) -> Figure:
    """One horizontal waterfall per state: its tilt before the window, the part not attributed to
    any group, each group's Shapley value with its 95 % interval, and its tilt at the end.

    Args:
        attributions: `sim.attribution.attribute_state` of each state, drawn top to bottom.
        names: state id -> its name ("Italy").
        window: first and last month, ``YYYY-MM``.
        before: the month the starting tilt is read at, ``YYYY-MM`` (or a phrase).
        sides: what the tilt's (plus, minus) ends mean, e.g. ``("LNA", "GNA")``.
        replicates: replicates per coalition (for the caption).
        title: the figure's title.
        posterior_draws: how many posterior draws the replicates ran with (for the caption), or None.
    """
    rows = len(next(iter(attributions))["contributions"]) + 3
    figure = Figure(figsize=(9.5, 0.42 * rows * len(attributions) + 1.6), layout="constrained")
    axes = figure.subplots(len(attributions), 1, squeeze=False, sharex=True)[:, 0]
    for ax, attribution in zip(axes, attributions, strict=True):
        _draw(ax, attribution, names.get(attribution["state"], attribution["state"]), window, before)
    axes[-1].set_xlabel(f"tilt: support for {sides[0]} minus support for {sides[1]} "
                        f"(−1: all for {sides[1]}, +1: all for {sides[0]})")
    draws = f", each with its own of {posterior_draws} posterior draws," if posterior_draws else ""
    caption = textwrap.fill(f"Shapley values over {replicates} replicates{draws} on common random numbers; "
                            "bars: means, whiskers: 95 % intervals of the means", width=100)
    figure.suptitle(f"{title}\n{caption}", fontsize=10)
    return figure


def _draw(ax, a: dict[str, Any], name: str, window: tuple[str, str], before: str) -> None:
    groups = list(a["contributions"])
    labels = [f"tilt, end of {before}", "not attributed",
              *(GROUP_LABELS.get(g, g) for g in groups), f"tilt, end of {window[1]}"]
    steps = [a["not_attributed"], *(a["contributions"][g] for g in groups)]
    level = a["start"]["mean"]
    y = np.arange(len(labels))
    ax.barh(y[0], level, color=LEVEL, height=0.6)
    for i, step in enumerate(steps, start=1):
        mean = step["mean"]
        colour = TOWARD_PLUS if mean >= 0 else TOWARD_MINUS
        ax.barh(y[i], mean, left=level, color=colour, height=0.6,
                hatch="//" if i == 1 else None, alpha=0.55 if i == 1 else 1.0, edgecolor=colour)
        if i > 1:
            low, high = step["ci95"]
            ax.errorbar(level + mean, y[i], xerr=[[mean - low], [high - mean]], fmt="none",
                        ecolor="black", elinewidth=1.0, capsize=3)
        ax.plot([level, level], [y[i - 1] - 0.3, y[i] + 0.3], color="black", lw=0.6, ls=":")
        level += mean
    ax.plot([level, level], [y[-2] - 0.3, y[-1] + 0.3], color="black", lw=0.6, ls=":")
    ax.barh(y[-1], a["end"]["mean"], color=LEVEL, height=0.6)
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(-1.05, 1.05)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"{name}: {a['start']['mean']:+.2f} → {a['end']['mean']:+.2f} "
                 f"({window[0]} → {window[1]})", loc="left", fontsize=10)
    # the values in a column of their own on the right, where they cannot meet a bar
    values = ax.twinx()
    values.set_ylim(ax.get_ylim())
    texts = [f"{a['start']['mean']:+.2f}", f"{steps[0]['mean']:+.3f}",
             *(_with_interval(a["contributions"][g]) for g in groups), f"{a['end']['mean']:+.2f}"]
    values.set_yticks(y, texts, fontsize=8)
    values.tick_params(axis="y", length=0)


def _with_interval(summary: dict[str, Any]) -> str:
    low, high = summary["ci95"]
    return f"{summary['mean']:+.3f} [{low:+.3f}, {high:+.3f}]"
