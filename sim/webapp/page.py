"""The app's page: controls in the sidebar, the ensemble's figures in tabs.

What comes from Mesa and what from Solara: Mesa's ``SolaraViz`` page is built around one model
instance stepped in time (play, step and reset buttons, a step counter, a model re-created from
keyword arguments, components redrawn after each step). This model is a batched ensemble whose
figures summarise R replicates over the whole period, so every change re-runs the whole ensemble
(about 0.1 s) and there is nothing to step or play. The page therefore takes from Mesa what fits
(its slider declarations, `mesa.visualization.Slider`, drawn by its ``UserInputs`` component, for the
scenario's estimates, the interest weights and the dynamics parameters) and uses Solara's own
components for the rest: the app bar, the sidebar, the scenario, state and estimate menus, the
switches of the input groups, the tabs, the figures (``solara.FigureMatplotlib``) and the run in a
background thread (``solara.lab.use_task``), which keeps the controls live while the ensemble runs.
"""

# Solara components are named like classes (Page, Readout): the convention Solara and Mesa follow.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable

import solara
import solara.lab
from mesa.visualization import Slider
from mesa.visualization.solara_viz import UserInputs

from sim.errors import InputError
from sim.interests import interests
from sim.plotting.marks import human_title
from sim.scenario.loader import load_scenario_cached
from sim.webapp import TITLE
from sim.webapp.choices import (
    MAIN_DYNAMICS,
    MAIN_ESTIMATES,
    REMOVABLE_GROUPS,
    Choices,
    base_scenario,
    dynamics_of,
    estimates_of,
    on_step,
    other_estimates,
    parameter_doc,
    parameter_label,
    parameter_range,
    parameter_step,
    scenario_choices,
    scenario_estimates,
    slider_step,
    weight_range,
    weights_of,
)
from sim.webapp.ensemble import REPLICATES, Outcome, draw, run

#: The tabs of the main area: the figure drawn in each (`sim.webapp.ensemble.FIGURES`) and its label,
#: ``{state}`` standing for the shown state's name. Only the open tab is drawn on a change: one
#: figure keeps an update under a second.
TABS: dict[str, str] = {"tilt": "{state}'s tilt", "support": "Whom {state} backs",
                        "all_states": "Every state's tilt", "control": "Who holds what"}
#: Figures fill the main area's width rather than overflowing it.
CSS = """
.app-figure img { max-width: 100%; height: auto; }
.app-readout { font-size: 1.15rem; font-weight: 500; }
.app-note { font-size: 0.85rem; opacity: 0.75; }
.app-switch .v-input--switch { margin-top: 0; padding-top: 0; }
.app-switch .v-messages { display: none; }
.app-slider .v-input__slot { flex-wrap: wrap; }
.app-slider .v-input__slot > .v-label { flex: 1 0 100%; font-size: 0.85rem; height: auto; line-height: 1.3;
  white-space: normal; margin-bottom: -4px; }
"""

Update = Callable[[Callable[[Choices], Choices]], None]


def number(value: float) -> str:
    """A slider's value as its label shows it: ``11.7``, ``0.911``, ``1,000,000``."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def scenario_label(name: str) -> str:
    """The scenario's human title ("Libya 2014–2019, no military"), its name if it cannot be read."""
    try:
        return human_title(load_scenario_cached(name))
    except InputError:
        return name


@solara.component
def ScenarioPicker(choices: Choices, update: Update):
    """The scenario menu and its description."""
    labels = {scenario_label(n): n for n in scenario_choices()}
    solara.Select("Scenario", values=list(labels), value=scenario_label(choices.scenario),
                  on_value=lambda label: update(lambda c: c.with_scenario(labels[label])))
    with solara.Details("About this scenario"):
        solara.Text(base_scenario(choices).description, classes=["app-note"])


@solara.component
def GroupSwitches(choices: Choices, update: Update):
    """One switch per input group: off removes its events (and holds its series) over the whole
    period, a counterfactual."""
    solara.Text("Event groups (switch one off to run the history without it)", classes=["app-note"])
    for group, doc in REMOVABLE_GROUPS.items():
        with solara.Tooltip(doc), solara.Div(classes=["app-switch"]):
            solara.Switch(label=group, value=group not in choices.removed,
                          on_value=lambda on, g=group: update(lambda c: c.toggled(g, on)))


@solara.component
def PosteriorSwitch(choices: Choices, update: Update):
    """Off: every replicate runs with the fitted parameters. On: each with its own draw of the
    calibration's posterior (the parameters the visitor set excepted), so the band holds the
    parameters' uncertainty too."""
    tip = ("Each replicate runs with its own draw of the calibration's converged posterior "
           "(configs/posterior_draws/calibrated.csv); a parameter you set holds in every replicate")
    with solara.Tooltip(tip), solara.Div(classes=["app-switch", "app-posterior"]):
        solara.Switch(label="parameter uncertainty (posterior draws)", value=choices.posterior,
                      on_value=lambda on: update(lambda c: c.with_posterior(on)))


def labelled_slider(name: str, label: str, value: float, low: float, high: float, step: float, *,
                    tip: str, css: str, on_change: Callable[[str, float], None]) -> None:
    """One Mesa slider in the sidebar: ``label = value`` above it, ``tip`` on hover, in a ``Div``
    of class ``css`` (what the browser tests find), ``on_change(name, value)`` when it moves.
    ``value`` lies on the slider's grid already (`on_step`)."""
    control = Slider(f"{label} = {number(value)}", value=value, min=low, max=high, step=step, dtype=float)
    with solara.Tooltip(tip), solara.Div(classes=["app-slider", css]):
        UserInputs({name: control}, on_change=on_change)


def css_name(path: str) -> str:
    """An estimate's path as a CSS class name: ``factions-SHURA_COUNCILS-extremist``."""
    return "".join(ch if ch.isalnum() or ch in "_-" else "-" for ch in path)


@solara.component
def EstimateSliders(choices: Choices, update: Update):
    """The scenario's estimates, each over its plausible range, as Mesa sliders: the six that
    decide Italy's course first (`MAIN_ESTIMATES`), then those set from the menu of every other
    (`other_estimates`: in alphabetical order)."""
    known = scenario_estimates(choices)
    values = estimates_of(choices)
    chosen, set_chosen = solara.use_state("")

    def slider(path: str) -> None:
        estimate = known[path]
        step = slider_step(estimate.low, estimate.high)
        labelled_slider(path, path, on_step(values[path], estimate.low, estimate.high, step),
                        estimate.low, estimate.high, step,
                        tip=(f"a coding judgement of the scenario file: {estimate.value:g} there, "
                             f"plausible from {estimate.low:g} to {estimate.high:g}"),
                        css=f"app-estimate-{css_name(path)}",
                        on_change=lambda k, v: update(lambda c: c.with_estimate(k, v)))

    if not known:
        solara.Text("This scenario marks no estimates.", classes=["app-note"])
        return
    main = [p for p in MAIN_ESTIMATES if p in known]
    solara.Text("Numbers the scenario file codes by judgement, each over its plausible range "
                "(docs/sensitivity.md: which decide the course)", classes=["app-note"])
    for path in main:
        slider(path)
    others = other_estimates(known)
    shown = [p for p, _ in choices.estimates if p not in main]
    if chosen and chosen not in shown:
        shown.append(chosen)
    with solara.Details(f"Every other estimate ({len(others)})", expand=bool(shown)):
        solara.Select("Estimate", values=others, value=chosen or None,
                      on_value=lambda path: set_chosen(path or ""))
        for path in shown:
            slider(path)


@solara.component
def WeightSliders(choices: Choices, update: Update):
    """The shown state's interest weights (value units), as Mesa sliders."""
    scenario = base_scenario(choices)
    names = {s.name: s.id for s in scenario.states}
    shown = next(s.name for s in scenario.states if s.id == choices.state)
    solara.Select("State", values=list(names), value=shown,
                  on_value=lambda name: update(lambda c: c.with_state(names[name])))
    low, high = weight_range()
    docs = {i.name: i.doc for i in interests()}
    for interest, weight in weights_of(choices).items():
        labelled_slider(interest, interest, on_step(weight, low, high), low, high, slider_step(low, high),
                        tip=docs[interest], css=f"app-weight-{interest}",
                        on_change=lambda k, v: update(lambda c: c.with_weight(k, v)))


@solara.component
def DynamicsSliders(choices: Choices, update: Update):
    """The dynamics parameters (each in its unit), as Mesa sliders; hover for their meaning."""
    values = dynamics_of(choices)

    def sliders(names) -> None:
        for name in names:
            low, high = parameter_range(name)
            step = parameter_step(name)
            labelled_slider(name, parameter_label(name), on_step(values[name], low, high, step), low, high,
                            step, tip=parameter_doc(name), css=f"app-param-{name}",
                            on_change=lambda k, v: update(lambda c: c.with_dynamic(k, v)))

    sliders(MAIN_DYNAMICS)
    with solara.Details("More dynamics parameters"):
        sliders([n for n in values if n not in MAIN_DYNAMICS])


@solara.component
def Readout(outcome: Outcome, pending: bool):
    """The shown state's final ensemble-mean tilt, as a number (what a test or a reader can check)."""
    low, high = outcome.final_band
    solara.Text(f"{outcome.state_name}'s mean tilt in {outcome.final_date}: {outcome.final_mean:+.3f} "
                f"(5–95% of {outcome.result.replicates} replicates: {low:+.2f} … {high:+.2f}; "
                "−1 Sarraj/GNA … +1 Haftar/LNA)", classes=["app-readout"])
    done = f"{outcome.title}; the ensemble ran in {outcome.result.wall_time_s:.2f} s"
    solara.Text("updating…" if pending else done, classes=["app-note", "app-status"])


@solara.component
def ShownFigure(outcome: Outcome, name: str):
    """The figure ``name`` of ``outcome``, drawn once per outcome."""
    figure = solara.use_memo(lambda: draw(outcome, name), dependencies=[outcome, name])
    with solara.Div(classes=["app-figure", f"app-figure-{name}"]):
        solara.FigureMatplotlib(figure, dependencies=[outcome, name], format="png")


@solara.component
def Page():
    """The whole page: `solara run sim/app.py` shows it."""
    choices, set_choices = solara.use_state(Choices())
    tab, set_tab = solara.use_state(0)
    outcome = solara.lab.use_task(lambda: run(choices), dependencies=[choices], raise_error=False)
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        with solara.Card("Scenario"):
            ScenarioPicker(choices, set_choices)
            GroupSwitches(choices, set_choices)
            PosteriorSwitch(choices, set_choices)
        with solara.Card("Estimates"):
            EstimateSliders(choices, set_choices)
        with solara.Card("A state's interest weights"):
            WeightSliders(choices, set_choices)
        with solara.Card("Dynamics"):
            DynamicsSliders(choices, set_choices)
        solara.Button("Back to the calibrated values", on_click=lambda: set_choices(lambda c: c.reset()),
                      outlined=True)
    with solara.Column():
        solara.ProgressLinear(outcome.pending)
        if outcome.error:
            solara.Error(f"This setting cannot be run: {outcome.exception}")
        latest = outcome.latest
        if latest is None:
            solara.Text(f"Running {REPLICATES} replicates…")
            return
        Readout(latest, outcome.pending)
        with solara.lab.Tabs(value=tab, on_value=set_tab, lazy=True):
            for name, label in TABS.items():
                with solara.lab.Tab(label.format(state=latest.state_name)):
                    ShownFigure(latest, name)
