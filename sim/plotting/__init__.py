"""Figures drawn from saved tables (never by re-running the model).

Every function draws on a new `matplotlib.figure.Figure` and returns it, without pyplot and without
choosing a backend: a notebook shows the figure inline, `save_figure` writes it to a file. Give a
function the scenario's `Marks` (`marks_for(scenario)`) for human names, numbered and dated events
and the months before the GNA.
"""

from sim.plotting.diagnostics import plot_ablations, plot_decomposition, plot_fit
from sim.plotting.holdings import modal_holders, plot_asset_control, plot_support_shares, support_means
from sim.plotting.marks import Marks, marks_for
from sim.plotting.style import STATE_COLOURS, save_figure
from sim.plotting.tilt import (
    OVERLAY_MAX_LINES,
    OVERLAY_PALETTE,
    plot_all_states,
    plot_compare_states,
    plot_overlay,
    plot_state_tilt,
    tilt_band,
)

__all__ = [
    "OVERLAY_MAX_LINES", "OVERLAY_PALETTE", "STATE_COLOURS", "Marks", "marks_for", "modal_holders",
    "plot_ablations", "plot_all_states", "plot_asset_control", "plot_compare_states",
    "plot_decomposition", "plot_fit", "plot_overlay", "plot_state_tilt", "plot_support_shares",
    "save_figure", "support_means", "tilt_band",
]
