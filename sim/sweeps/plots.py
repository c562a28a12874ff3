"""Figures of a finished sweep, drawn from its tables (`matplotlib.figure.Figure`, no pyplot state)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: The index pairs drawn as bars, per analysed design: (main index, its confidence, second index).
BARS: dict[str, tuple[str, str | None, str]] = {"sobol": ("S1", "S1_conf", "ST"),
                                                "morris": ("mu_star", "mu_star_conf", "sigma")}


def _panels(count: int, columns: int = 3) -> tuple[int, int]:
    return max(1, -(-count // columns)), min(columns, max(1, count))


#: Beyond this many dimensions (or groups) the index bars lie horizontal, one row per name.
MAX_UPRIGHT_BARS = 20


def plot_indices(report: Mapping[str, Any], design_name: str) -> Figure:
    """Bars of each dimension's (or group's) indices, one panel per outcome (sensitivity.json);
    horizontal, with the names down the side, beyond `MAX_UPRIGHT_BARS` of them."""
    keys = [k for k, v in report.items() if "skipped" not in v]
    if keys and len(report[keys[0]]) > MAX_UPRIGHT_BARS:
        return _plot_indices_sideways(report, keys, design_name)
    rows, cols = _panels(len(keys))
    figure = Figure(figsize=(4.5 * cols, 3.2 * rows), layout="constrained")
    main, conf, second = BARS[design_name]
    for i, key in enumerate(keys):
        ax = figure.add_subplot(rows, cols, i + 1)
        names = list(report[key])
        x = np.arange(len(names))
        ax.bar(x - 0.2, [report[key][n][main] for n in names], 0.4, label=main,
               yerr=[report[key][n][conf] for n in names] if conf else None, capsize=2)
        ax.bar(x + 0.2, [report[key][n][second] for n in names], 0.4, label=second)
        ax.set_xticks(x, names, rotation=60, ha="right", fontsize=7)
        ax.set_title(key, fontsize=9)
        ax.axhline(0, color="grey", lw=0.5)
    if keys:
        figure.axes[0].legend(fontsize=7)
    return figure


def _plot_indices_sideways(report: Mapping[str, Any], keys: Sequence[str], design_name: str) -> Figure:
    """`plot_indices` for many names: one column of horizontal bars per outcome, the first from the
    top, and the names once, on the left of the first panel."""
    main, conf, second = BARS[design_name]
    names = list(report[keys[0]])
    y = np.arange(len(names))
    figure = Figure(figsize=(2.2 + 3.2 * len(keys), 1.2 + 0.22 * len(names)), layout="constrained")
    axes = figure.subplots(1, len(keys), sharey=True, squeeze=False)[0]
    for ax, key in zip(axes, keys, strict=True):
        found = report[key]
        ax.barh(y - 0.2, [found[n][main] for n in names], 0.4, label=main,
                xerr=[found[n][conf] for n in names] if conf else None, capsize=1.5)
        ax.barh(y + 0.2, [found[n][second] for n in names], 0.4, label=second)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(key, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    axes[0].legend(fontsize=7, loc="lower right")
    return figure


#: Panels per row in the outcome-against-dimension figure.
SCATTER_COLUMNS = 6


def plot_scatter(design: pd.DataFrame, series: Mapping[str, pd.Series], dimensions: Sequence[str]) -> Figure:
    """Each outcome against each dimension, one dot per point and the mean in ten bins of the
    dimension (a line); the panels of one outcome wrap over rows of at most `SCATTER_COLUMNS`.
    Month-valued outcomes (turning months) are labelled ``YYYY-MM``."""
    dims = list(dimensions) or [""]
    cols = min(SCATTER_COLUMNS, len(dims))
    per_outcome = -(-len(dims) // cols)
    rows = max(1, len(series)) * per_outcome
    figure = Figure(figsize=(2.7 * cols, 2.3 * rows), layout="constrained")
    table = design.set_index("point")
    for i, (key, values) in enumerate(series.items()):
        for j, name in enumerate(dims):
            ax = figure.add_subplot(rows, cols, (i * per_outcome + j // cols) * cols + j % cols + 1)
            x = table.loc[values.index, name].to_numpy(dtype=float)
            y = values.to_numpy(dtype=float)
            alpha = float(np.clip(300 / max(len(y), 1), 0.02, 0.6))
            ax.scatter(x, y, s=3, alpha=alpha, color="#0072B2", linewidths=0)
            finite = np.isfinite(x) & np.isfinite(y)
            if finite.sum() > 20 and np.ptp(x[finite]) > 0:
                edges = np.linspace(x[finite].min(), x[finite].max(), 11)
                bins = np.clip(np.digitize(x[finite], edges) - 1, 0, 9)
                means = [y[finite][bins == b].mean() if (bins == b).any() else np.nan for b in range(10)]
                ax.plot((edges[:-1] + edges[1:]) / 2, means, color="#D55E00", lw=1.5)
            ax.set_xlabel(name, fontsize=8)
            if j % cols == 0:
                ax.set_ylabel(key, fontsize=8)
            if "turning_month" in key:
                ax.yaxis.set_major_formatter(lambda v, _pos: f"{int(v) // 12:04d}-{int(v) % 12 + 1:02d}")
            ax.tick_params(labelsize=7)
    return figure


def plot_heatmaps(design: pd.DataFrame, series: Mapping[str, pd.Series], x: str, y: str) -> Figure:
    """Each outcome over two grid dimensions (averaged over any others), one panel per outcome."""
    rows, cols = _panels(len(series))
    figure = Figure(figsize=(4.2 * cols, 3.4 * rows), layout="constrained")
    table = design.set_index("point")
    for i, (key, values) in enumerate(series.items()):
        frame = pd.DataFrame({x: table.loc[values.index, x], y: table.loc[values.index, y], "v": values})
        grid = frame.groupby([y, x])["v"].mean().unstack()  # a cell with no value stays (NaN)
        ax = figure.add_subplot(rows, cols, i + 1)
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], fontsize=7)
        ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index], fontsize=7)
        ax.set_xlabel(x, fontsize=8)
        ax.set_ylabel(y, fontsize=8)
        ax.set_title(key, fontsize=9)
        figure.colorbar(image, ax=ax)
    return figure
