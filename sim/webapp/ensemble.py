"""Run the batched ensemble for a `Choices` and draw its figures (no Solara here).

One run is `REPLICATES` replicates of the chosen scenario in one `sim.model.AlignmentModel`
(`sim.simulate.execute`); its figures are the project's own (`sim.plotting`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plotting import plot_all_states, plot_asset_control, plot_state_tilt, plot_support_shares
from sim.plotting.marks import Marks, human_title, marks_for
from sim.results import SimulationResult
from sim.scenario import Scenario
from sim.simulate import execute
from sim.targets import load_state_targets, load_targets
from sim.webapp.choices import DEFAULT_STATE, Choices, base_scenario, params_of, posterior_of, scenario_of

#: Replicates per run. 100 run in 0.1–0.3 s here (two shared cores); with the open tab's figure drawn, a
#: change reaches the browser in 0.6–0.9 s (tests/test_app.py measures it).
REPLICATES = 100
#: The seed of every run: two settings differ only by what the visitor changed.
SEED = 0
#: Target files: the focus state's own, and the one coding the other states.
FOCUS_TARGETS = {"ITA": "italy_tilt"}
OTHER_TARGETS = "other_states_tilt"


@dataclass(frozen=True, eq=False)
class Outcome:
    """One run of the app: the ensemble and what its page says about it.

    Attributes:
        choices: what produced it.
        scenario: the scenario run (with the removed groups taken out).
        result: the ensemble's tables.
        title: the scenario's human title, with what was taken out of it.
        state_name: the shown state's human name.
        final_date: ``YYYY-MM`` of the last month.
        final_mean: the shown state's ensemble-mean tilt in the last month, in [-1, 1].
        final_band: its 5% and 95% quantiles over replicates then.
    """

    choices: Choices
    scenario: Scenario
    result: SimulationResult
    title: str
    state_name: str
    final_date: str
    final_mean: float
    final_band: tuple[float, float]

    @functools.cached_property
    def marks(self) -> Marks:
        """Names, events and the months before the GNA of the scenario run."""
        return marks_for(self.scenario)


@functools.cache
def _focus_targets(name: str) -> pd.DataFrame:
    return load_targets(name)


@functools.cache
def _other_targets(states: tuple[str, ...]) -> pd.DataFrame:
    return load_state_targets(OTHER_TARGETS, states)


def targets_for(state: str, scenario: Scenario) -> pd.DataFrame | None:
    """The documented points of ``state`` (``scenarios/targets``), or None if it has none."""
    if state in FOCUS_TARGETS:
        return _focus_targets(FOCUS_TARGETS[state])
    table = _other_targets(scenario.state_ids)
    rows = table[table["state"] == state]
    return rows.reset_index(drop=True) if len(rows) else None


@functools.lru_cache(maxsize=16)
def _ensemble(choices: Choices, replicates: int, seed: int) -> tuple[Scenario, SimulationResult]:
    """The scenario and ensemble of ``choices`` (its shown state aside): kept for the last few
    settings, so switching states or switching a group back on needs no new run."""
    scenario = scenario_of(choices)
    return scenario, execute(scenario, params=params_of(choices), replicates=replicates, seed=seed,
                             posterior=posterior_of(choices))


def run(choices: Choices, *, replicates: int = REPLICATES, seed: int = SEED) -> Outcome:
    """Simulate ``choices``: ``replicates`` replicates in one batched model.

    Args:
        choices: the app's controls.
        replicates: R, replicates in the batch.
        seed: non-negative integer seed.

    Raises:
        ValueError, InputError: the scenario breaks without a removed group, or a bad value.
    """
    state = choices.state
    scenario, result = _ensemble(replace(choices, state=DEFAULT_STATE), replicates, seed)
    final = result.tilt_array[-1, :, result.states.index(state)]
    low, high = np.quantile(final, (0.05, 0.95))
    name = next(s.name for s in scenario.states if s.id == state)
    return Outcome(choices, scenario, result, title_of(choices), name, result.dates[-1],
                   float(final.mean()), (float(low), float(high)))


def title_of(choices: Choices) -> str:
    """The human title of the chosen scenario, what was taken out of it, the estimates set and
    whether the replicates ran over the posterior's draws: "Libya 2014–2019, without oil and
    terror, with factions.SHURA_COUNCILS.extremist = 0.4, over posterior draws"."""
    title = human_title(base_scenario(choices))
    removed = sorted(choices.removed)
    if removed:
        listed = removed[0] if len(removed) == 1 else f"{', '.join(removed[:-1])} and {removed[-1]}"
        title = f"{title}, without {listed}"
    if len(choices.estimates) == 1:
        (path, value), = choices.estimates
        title = f"{title}, with {path} = {value:g}"
    elif choices.estimates:
        title = f"{title}, with {len(choices.estimates)} estimates set"
    return f"{title}, over posterior draws" if choices.posterior else title


#: The app's figures: name -> what it shows.
FIGURES: dict[str, str] = {
    "tilt": "the shown state's tilt band against its coded points",
    "support": "whom the shown state backs",
    "all_states": "every state's tilt",
    "control": "who holds each asset",
}


def draw(outcome: Outcome, figure: str) -> Figure:
    """One of the app's `FIGURES` of ``outcome``, drawn by `sim.plotting`."""
    result, marks, title = outcome.result, outcome.marks, outcome.title
    state, name = outcome.choices.state, outcome.state_name
    posterior = posterior_of(outcome.choices)
    draws = None if posterior is None else posterior.draws_used(result.replicates)
    if figure == "tilt":
        return plot_state_tilt(result.tilt, state, targets=targets_for(state, outcome.scenario),
                               title=f"{name}'s tilt between Sarraj (GNA) and Haftar (LNA) — {title}",
                               marks=marks, posterior_draws=draws)
    if figure == "support":
        return plot_support_shares(result.alignment, state, title=f"Whom {name} backs — {title}",
                                   marks=marks)
    if figure == "all_states":
        return plot_all_states(result.tilt, title=f"Every state's tilt — {title}", marks=marks,
                               posterior_draws=draws)
    if figure == "control":
        return plot_asset_control(result.control, title=f"Who holds what — {title}", marks=marks)
    raise ValueError(f"unknown figure {figure!r}; figures: {list(FIGURES)}")
