"""What a visitor of the app can choose, and the scenario and parameters each choice stands for.

A `Choices` is immutable and hashable (the page recomputes when it changes). Everything it does not
set takes the project's defaults: the historical scenario, every input group in, the calibrated
parameters (``configs/params/calibrated.yaml``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any

from sim.ablation import FRAME_GROUP, without_group
from sim.events import INPUT_GROUPS
from sim.interests import interest_names
from sim.params import (
    BOUNDS,
    SCALAR_NAMES,
    WEIGHT_BOUNDS,
    WHOLE_NUMBER_NAMES,
    calibrated_params,
    describe_params,
    resolve_params,
)
from sim.posterior import PosteriorDraws, load_posterior
from sim.scenario import Scenario, scenario_names
from sim.scenario.estimates import Estimate, estimates_by_path, with_values
from sim.scenario.loader import load_scenario_cached

#: The scenario the app opens on.
DEFAULT_SCENARIO = "libya_2014_2019"
#: The draws table of `Choices.posterior` (``configs/posterior_draws/NAME.csv``).
POSTERIOR = "calibrated"
#: The state the app opens on (the calibration's focus).
DEFAULT_STATE = "ITA"
#: Groups of inputs a visitor may switch off: `sim.events.INPUT_GROUPS` without the stage.
REMOVABLE_GROUPS: dict[str, str] = {g: doc for g, doc in INPUT_GROUPS.items() if g != FRAME_GROUP}
#: Dynamics parameters shown first; the others are one click further.
MAIN_DYNAMICS: tuple[str, ...] = ("inertia", "rationality", "noise", "outside_option", "commitment",
                                  "support_effect")
#: Estimates shown first, when the scenario marks them: the six that decide Italy's course in the
#: history (Sobol' indices over all 130, docs/sensitivity.md); any other is one menu further.
MAIN_ESTIMATES: tuple[str, ...] = ("factions.SHURA_COUNCILS.extremist", "assets.DERNA.haven",
                                   "assets.BENGHAZI.haven", "factions.LNA.legitimacy",
                                   "relations.ITA-USA.value", "relations.ITA-FRA.value")
#: Slider positions between a parameter's bounds (the step is a round number near range / this).
SLIDER_POSITIONS = 1000
_GREEK = {"lambda": "λ", "beta": "β", "sigma": "σ", "kappa": "κ", "gamma": "γ", "eta": "η",
          "omega": "ω", "nu": "ν", "rho": "ρ", "phi": "φ", "tau": "τ", "xi": "ξ", "mu": "μ"}


@dataclass(frozen=True)
class Choices:
    """One setting of the app's controls.

    Attributes:
        scenario: name of ``scenarios/NAME.yaml``.
        removed: input groups (keys of `REMOVABLE_GROUPS`) taken out over the whole period.
        state: id of the state whose tilt and weights are shown.
        weights: ``(state, interest, weight)`` overrides of the calibrated weights, in value units
            (``params.state_weights``), in the order they were set.
        dynamics: ``(name, value)`` overrides of the calibrated dynamics parameters, each in its
            unit (`sim.params.ModelParams`).
        posterior: whether each replicate runs with its own draw of the calibration's posterior
            (`POSTERIOR`, `sim.posterior`): the fitted parameters the visitor has not set vary
            from replicate to replicate, so the band holds their uncertainty too.
        estimates: ``(path, value)`` in place of the scenario's own values of its estimates
            (`sim.scenario.estimates`), each within its plausible range, in the order they were set.
    """

    scenario: str = DEFAULT_SCENARIO
    removed: frozenset[str] = frozenset()
    state: str = DEFAULT_STATE
    weights: tuple[tuple[str, str, float], ...] = ()
    dynamics: tuple[tuple[str, float], ...] = ()
    posterior: bool = False
    estimates: tuple[tuple[str, float], ...] = ()

    def toggled(self, group: str, included: bool) -> Choices:
        """These choices with ``group`` included (True) or removed (False)."""
        if group not in REMOVABLE_GROUPS:
            raise ValueError(f"unknown input group {group!r}; groups: {list(REMOVABLE_GROUPS)}")
        removed = self.removed - {group} if included else self.removed | {group}
        return replace(self, removed=frozenset(removed))

    def with_weight(self, interest: str, value: float) -> Choices:
        """These choices with the shown state's weight on ``interest`` set to ``value`` (value units)."""
        kept = tuple(w for w in self.weights if w[:2] != (self.state, interest))
        return replace(self, weights=(*kept, (self.state, interest, float(value))))

    def with_dynamic(self, name: str, value: float) -> Choices:
        """These choices with the dynamics parameter ``name`` set to ``value`` (its unit)."""
        if name not in SCALAR_NAMES:
            raise ValueError(f"unknown parameter {name!r}; parameters: {list(SCALAR_NAMES)}")
        kept = tuple(d for d in self.dynamics if d[0] != name)
        return replace(self, dynamics=(*kept, (name, float(value))))

    def with_estimate(self, path: str, value: float) -> Choices:
        """These choices with the scenario's estimate ``path`` set to ``value``.

        Raises:
            ValueError: ``path`` is not an estimate of the scenario, or ``value`` is outside its
                plausible range.
        """
        estimate = scenario_estimates(self).get(path)
        if estimate is None:
            raise ValueError(f"{path!r} is not an estimate of {self.scenario}; e.g. "
                             f"{list(scenario_estimates(self))[:3]}")
        if not estimate.admits(value):
            raise ValueError(f"{path}: {value} is outside its plausible range "
                             f"[{estimate.low}, {estimate.high}]")
        kept = tuple(e for e in self.estimates if e[0] != path)
        return replace(self, estimates=(*kept, (path, float(value))))

    def with_posterior(self, on: bool) -> Choices:
        """These choices with the replicates over the posterior's draws (True) or at the fitted
        parameters (False)."""
        return replace(self, posterior=bool(on))

    def with_state(self, state: str) -> Choices:
        return replace(self, state=state)

    def with_scenario(self, name: str) -> Choices:
        """These choices on another scenario; the shown state, and each estimate set, are kept if
        the scenario has them (within its range)."""
        scenario = load_scenario_cached(name)
        state = self.state if self.state in scenario.state_ids else scenario.state_ids[0]
        known = estimates_by_path(scenario)
        estimates = tuple((path, value) for path, value in self.estimates
                          if path in known and known[path].admits(value))
        return replace(self, scenario=name, state=state, estimates=estimates)

    def reset(self) -> Choices:
        """The same scenario and state with every group in and the calibrated parameters."""
        return Choices(scenario=self.scenario, state=self.state)


def scenario_choices() -> list[str]:
    """The scenarios of the project's ``scenarios/`` folder (`sim.scenario.scenario_names`), the
    default first."""
    return sorted(scenario_names(), key=lambda n: n != DEFAULT_SCENARIO)


def base_scenario(choices: Choices) -> Scenario:
    """The chosen scenario as its file defines it (read once per process)."""
    return load_scenario_cached(choices.scenario)


def scenario_estimates(choices: Choices) -> dict[str, Estimate]:
    """The chosen scenario's estimates by path, as its file gives them."""
    return estimates_by_path(base_scenario(choices))


def other_estimates(paths) -> list[str]:
    """The estimate paths ``paths`` (an iterable of str) that `MAIN_ESTIMATES` leaves to the menu of
    every other, in alphabetical order (kind, then entity, then field: ``assets.…``, ``factions.…``,
    ``relations.…``), so that an estimate is found where its name says, not where the file codes it."""
    return sorted(path for path in paths if path not in MAIN_ESTIMATES)


def estimates_of(choices: Choices) -> dict[str, float]:
    """Every estimate's value in these choices: the one set, or the file's."""
    return {path: e.value for path, e in scenario_estimates(choices).items()} | dict(choices.estimates)


def scenario_of(choices: Choices) -> Scenario:
    """The chosen scenario with the estimates set in place of its own values, and the removed
    groups taken out from its first month to its last.

    Raises:
        ValueError: the timeline breaks the stage rules without one of them.
    """
    scenario = base_scenario(choices)
    if choices.estimates:
        scenario = with_values(scenario, dict(choices.estimates))
    window = (scenario.start, scenario.end)
    for group in sorted(choices.removed):
        scenario = without_group(scenario, group, window)
    return scenario


def params_of(choices: Choices) -> dict[str, Any]:
    """The calibrated parameters with the chosen dynamics and weights in place."""
    params = calibrated_params()
    params.update(dict(choices.dynamics))
    weights = {s: dict(w) for s, w in params.get("state_weights", {}).items()}
    for state, interest, value in choices.weights:
        weights.setdefault(state, {})[interest] = value
    params["state_weights"] = weights
    return params


def posterior_of(choices: Choices) -> PosteriorDraws | None:
    """The posterior's draws the replicates run with (None when off), without the parameters the
    visitor set: a slider's value holds in every replicate."""
    if not choices.posterior:
        return None
    draws = _posterior_draws()
    mine = [name for name, _ in choices.dynamics if name in draws.table.columns]
    return replace(draws, table=draws.table.drop(columns=mine)) if mine else draws


@functools.cache
def _posterior_draws() -> PosteriorDraws:
    """`POSTERIOR`'s table, read once per process (every run and figure of the app reads it)."""
    return load_posterior(POSTERIOR)


def weights_of(choices: Choices) -> dict[str, float]:
    """The shown state's weight on each interest (value units): its scenario prior times the
    calibrated interest scale, or the value the visitor set."""
    scenario = base_scenario(choices)
    weights = resolve_params(params_of(choices), scenario, 1).weights
    row = weights[scenario.state_ids.index(choices.state)]
    return {k: float(v) for k, v in zip(interest_names(), row, strict=True)}


def dynamics_of(choices: Choices) -> dict[str, float]:
    """Every dynamics parameter's value in these choices (each in its unit)."""
    params = params_of(choices)
    defaults = {d["name"]: d["default"] for d in describe_params()}
    return {name: float(params.get(name, defaults[name])) for name in SCALAR_NAMES}


def slider_step(low: float, high: float) -> float:
    """A round step giving about `SLIDER_POSITIONS` positions between ``low`` and ``high``."""
    return 10.0 ** math.floor(math.log10((high - low) / SLIDER_POSITIONS))


def parameter_step(name: str) -> float:
    """The slider step of a dynamics parameter: 1 for one taking whole numbers only, else
    `slider_step` of its bounds."""
    return 1.0 if name in WHOLE_NUMBER_NAMES else slider_step(*BOUNDS[name])


def on_step(value: float, low: float, high: float, step: float | None = None) -> float:
    """``value`` on its slider's grid (``step``; by default `slider_step` of the bounds), within
    the bounds, written with the step's decimals: what the browser's slider shows (a value it
    would round differently it sends back as a change)."""
    step = slider_step(low, high) if step is None else step
    decimals = max(0, -math.floor(math.log10(step)))
    return round(min(max(round(value / step) * step, low), high), decimals)


def weight_range() -> tuple[float, float]:
    """Bounds of an interest weight (value units)."""
    return WEIGHT_BOUNDS


def parameter_range(name: str) -> tuple[float, float]:
    """Bounds of a dynamics parameter (its unit)."""
    return BOUNDS[name]


def parameter_label(name: str) -> str:
    """``inertia λ (1/month)``: the name, its symbol in docs/ODD.md and its unit."""
    described = {d["name"]: d for d in describe_params()}[name]
    symbol = described["doc"].split(":", 1)[0] if ":" in described["doc"][:10] else ""
    symbol = _GREEK.get(symbol, symbol)
    unit = "" if described["unit"] == "-" else f" ({described['unit']})"
    return f"{name.replace('_', ' ')} {symbol}".rstrip() + unit


def parameter_doc(name: str) -> str:
    """What the parameter means (`sim.params`), without its symbol."""
    doc = {d["name"]: d["doc"] for d in describe_params()}[name]
    return doc.split(":", 1)[1].strip() if ":" in doc[:10] else doc
