"""The figures of a run folder, drawn from its tables: `python -m sim.run` writes them, and
`python -m sim.plot` redraws them from a saved folder without running the model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from sim.plotting.diagnostics import plot_decomposition
from sim.plotting.holdings import plot_asset_control, plot_support_shares
from sim.plotting.marks import marks_for
from sim.plotting.tilt import plot_all_states, plot_state_tilt


def file_stem(name: str) -> str:
    """A state's name as a file stem: "United States" -> ``united_states``."""
    return "_".join(name.lower().split())


def targets_by_state(focus: str, targets: pd.DataFrame | None,
                     state_targets: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Each state's coded points: the focus state's own file first, the joint file for the rest."""
    found: dict[str, pd.DataFrame] = {}
    if state_targets is not None:
        found = {sid: rows for sid, rows in state_targets.groupby("state")}
    if targets is not None:
        found[focus] = targets
    return found


def run_figures(scenario, tables: Mapping[str, pd.DataFrame | None], *, focus: str,
                targets: pd.DataFrame | None = None,
                state_targets: pd.DataFrame | None = None,
                posterior_draws: int | None = None) -> dict[str, Figure]:
    """File name -> figure, for one run.

    Args:
        scenario: the run's `sim.scenario.Scenario` (names, events, sides).
        tables: ``tilt``; ``holders`` (who holds each asset, `modal_holders` or
            `SimulationResult.holders`); and with ``record=full`` ``support`` (the focus state's
            mean support, `support_means` or `SimulationResult.mean_support`) and
            ``decomposition``. A missing or None table skips its figures; the large alignment and
            control tables are never needed whole.
        focus: the state drawn alone (its tilt, whom it backs, its decomposition).
        targets: the focus state's coded points (``date, tilt, sigma``), or None.
        state_targets: coded points of several states (with a ``state`` column), or None.
        posterior_draws: how many posterior draws the replicates ran with (``sim.run posterior=``),
            named in the bands' labels; None when they all ran with the same parameters.
    """
    marks = marks_for(scenario)
    stem = file_stem(marks.state(focus))
    coded = targets_by_state(focus, targets, state_targets)
    figures = {
        f"{stem}_tilt.png": plot_state_tilt(tables["tilt"], focus, targets=coded.get(focus), marks=marks,
                                            posterior_draws=posterior_draws),
        "all_states_tilt.png": plot_all_states(tables["tilt"], marks=marks, targets=coded,
                                               posterior_draws=posterior_draws),
    }
    if tables.get("support") is not None:
        figures[f"{stem}_support.png"] = plot_support_shares(None, focus, marks=marks,
                                                             means=tables["support"])
    if tables.get("decomposition") is not None:
        plus, minus = (" then ".join(side) for side in (scenario.tilt.plus, scenario.tilt.minus))
        figures[f"{stem}_decomposition.png"] = plot_decomposition(
            tables["decomposition"], focus, sides=(plus, minus),
            title=f"{marks.state(focus)}: what each interest adds to its value of {plus} over {minus}"
                  f" — {marks.title}")
    if tables.get("holders") is not None:
        figures["asset_control.png"] = plot_asset_control(None, holders=tables["holders"], marks=marks,
                                                          assets=[a.id for a in scenario.assets])
    return figures
