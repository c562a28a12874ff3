"""Fit parameters to documented targets with batched model runs and differential evolution.

`Calibrator.losses` evaluates a whole population at once: P candidates x n replicates become one
`AlignmentModel` with R = P * n, every candidate on the same replicates (common random numbers).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize._differentialevolution import DifferentialEvolutionSolver
from tqdm.auto import tqdm

from sim.ablation import without_events
from sim.errors import ParameterError
from sim.fit import Pattern, chi2_per_point, pattern_violation
from sim.interests import interest_names
from sim.model import AlignmentModel
from sim.params import BOUNDS, MAPPING_NAMES, SCALE_BOUNDS, SCALE_PREFIX, WEIGHT_BOUNDS
from sim.scenario import Scenario


@dataclass(frozen=True)
class FreeParameter:
    """A calibrated parameter: ``inertia`` (a model parameter), ``scale.oil`` (the scale of every
    state's prior weight on an interest) or ``ITA.oil`` (one state's weight)."""

    name: str
    low: float
    high: float

    @property
    def is_scale(self) -> bool:
        return self.name.startswith(SCALE_PREFIX)

    @property
    def is_weight(self) -> bool:
        return "." in self.name and not self.is_scale

    @property
    def interest(self) -> str:
        return self.name.partition(".")[2]



@dataclass(frozen=True)
class DynamicsPrior:
    """A prior on one fitted dynamics parameter (``contest_exponent``, ``camp_cohesion``, ...).

    ``kind: normal``: the penalty is ((x - centre) / sd)^2. ``kind: lognormal``: the penalty is
    ((ln x - ln centre) / sd)^2 (``centre`` is the median, ``sd`` in natural-log units; ln 2: a
    factor 2 at one standard deviation). Either way one standard deviation costs as much as one
    coded point missed by its sigma.
    """

    name: str
    centre: float
    sd: float
    kind: str = "normal"
    source: str = ""

    def penalty(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.kind == "lognormal":
            # a value at the lower bound 0 costs as much as 1e-9: large and finite
            return ((np.log(np.maximum(x, 1e-9)) - np.log(self.centre)) / self.sd) ** 2
        return ((x - self.centre) / self.sd) ** 2


#: Kinds of `DynamicsPrior`.
PRIOR_KINDS = ("normal", "lognormal")


def parse_dynamics_priors(items: Mapping[str, Mapping[str, Any]] | None,
                          free: Sequence[FreeParameter]) -> list[DynamicsPrior]:
    """``{name: {centre, sd, kind, source}}`` (``calibrate.dynamics_priors``) as priors, each on a
    fitted parameter that is not a scale or a state's weight."""
    where = "calibrate.dynamics_priors"
    names = {p.name for p in free if not p.is_scale and not p.is_weight}
    priors = []
    for name, item in (items or {}).items():
        if item is None:  # a variant may switch a prior off with NAME: null
            continue
        if name not in names:
            raise ParameterError(where, name, f"not a fitted dynamics parameter; fitted: {sorted(names)}")
        kind = item.get("kind", "normal")
        try:
            centre, sd = float(item["centre"]), float(item["sd"])
        except (KeyError, TypeError, ValueError):
            raise ParameterError(where, name, "needs numbers centre and sd") from None
        if kind not in PRIOR_KINDS:
            raise ParameterError(where, name, f"kind {kind!r}; one of {list(PRIOR_KINDS)}")
        if not (np.isfinite(sd) and sd > 0 and np.isfinite(centre)) or (kind == "lognormal" and centre <= 0):
            raise ParameterError(where, name, f"centre {centre}, sd {sd}: sd > 0 (and centre > 0 "
                                 "for a log-normal prior)")
        priors.append(DynamicsPrior(name, centre, sd, kind, str(item.get("source", ""))))
    return priors


def check_free(free: Sequence[FreeParameter], state_ids: Sequence[str]) -> None:
    """Each free parameter exists and its search range lies within its documented bounds."""
    where = "calibrate.free"
    for p in free:
        if p.is_weight:
            state, _, interest = p.name.partition(".")
            if state not in state_ids or interest not in interest_names():
                raise ParameterError(where, p.name, f"unknown; a parameter ({sorted(BOUNDS)}) or "
                                     f"STATE.INTEREST with STATE in {list(state_ids)} and INTEREST in "
                                     f"{list(interest_names())}")
            lo, hi = WEIGHT_BOUNDS
        elif p.is_scale:
            if p.interest not in interest_names():
                raise ParameterError(where, p.name, f"unknown interest; scale.INTEREST with INTEREST in "
                                     f"{list(interest_names())}")
            lo, hi = SCALE_BOUNDS
        elif p.name in BOUNDS and p.name not in MAPPING_NAMES:
            lo, hi = BOUNDS[p.name]
        else:
            raise ParameterError(where, p.name, f"unknown parameter; known: {sorted(BOUNDS)}")
        if not (lo <= p.low < p.high <= hi):
            raise ParameterError(where, p.name, f"range [{p.low}, {p.high}] must lie within the "
                                 f"documented bounds [{lo}, {hi}] with low < high")


def apply_values(base: Mapping[str, Any], free: Sequence[FreeParameter], values: np.ndarray) -> dict:
    """Parameters with the free ones set to ``values`` (each a number or one per replicate)."""
    params = {k: v for k, v in base.items() if k not in MAPPING_NAMES}
    weights = {s: dict(w) for s, w in (base.get("state_weights") or {}).items()}
    scales = dict(base.get("interest_scales") or {})
    for p, value in zip(free, values, strict=True):
        if p.is_scale:
            scales[p.interest] = value
        elif p.is_weight:
            state, _, interest = p.name.partition(".")
            weights.setdefault(state, {})[interest] = value
        else:
            params[p.name] = value
    params["state_weights"] = weights
    params["interest_scales"] = scales
    return params


def read_values(params: Mapping[str, Any], free: Sequence[FreeParameter]) -> np.ndarray:
    """The free parameters' values in a plain parameter mapping, in ``free``'s order: the inverse
    of `apply_values`."""
    values = []
    for p in free:
        if p.is_scale:
            values.append(params["interest_scales"][p.interest])
        elif p.is_weight:
            state, _, interest = p.name.partition(".")
            values.append(params["state_weights"][state][interest])
        else:
            values.append(params[p.name])
    return np.array(values, dtype=float)


class Calibrator:
    """Objective and optimiser for fitting free parameters to documented tilt points.

    Args:
        scenario: the scenario simulated.
        targets: documented points (``sim.targets.load_targets``), for the fitted state.
        base_params: parameters the free ones are set on (plain mapping).
        free: the parameters to fit, with their search ranges.
        patterns: documented signs of other states' tilts, penalised when broken.
        replicates: replicates per candidate (the ensemble whose mean tilt is fitted).
        seed: the model's seed.
        penalty_weight: weight of pattern violations against the chi-square of the targets.
        state: the fitted state (e.g. ``ITA``).
        joint_targets: documented points of other states (``sim.targets.load_state_targets``),
            fitted jointly with the focus state's, or None.
        prior_sd: standard deviation of the log-normal prior on each fitted ``scale.*`` (median 1),
            in natural-log units (ln 3: a factor of 3 at one standard deviation).
        scale_prior_sd: per-interest overrides of ``prior_sd`` (``{INTEREST: sd}``), none by default.
        dynamics_priors: priors on fitted dynamics parameters (`DynamicsPrior`), none by default.
        joint_weight: weight of each other state's point against one of the focus state's, >= 0
            (1: every point counts alike; 0: the other states count only through ``patterns``).
        leave_one_out: ids of events left out one at a time (ids joined by ``+`` are left out
            together, as a campaign's stages): each candidate is run again without each, and the
            change of the focus state's ensemble-mean tilt in month ``leave_one_out_step`` beyond
            ``leave_one_out_limit`` is penalised. Empty: no such term (the committed calibration).
        leave_one_out_limit: the largest change allowed without the term (tilt units; issue 8: 0.4).
        leave_one_out_step: the month (steps from the scenario's start) whose tilt is compared;
            None: the scenario's last month.

    The objective is a posterior mode: (the sum of squared standardised errors over every point,
    the other states' times ``joint_weight``
    + the sum over fitted scales of (ln scale / sd)^2, sd the scale's own ``scale_prior_sd`` or else
    ``prior_sd``, + the sum of the dynamics priors' penalties) / (number of focus points +
    joint_weight x number of joint points), plus ``penalty_weight`` x the pattern violations, plus
    (in `losses`, with ``leave_one_out``) ``penalty_weight`` x the sum over the events left out of
    max(0, |change of the focus state's tilt| - ``leave_one_out_limit``).
    """

    def __init__(self, scenario: Scenario, targets: pd.DataFrame, *, base_params: Mapping[str, Any],
                 free: Sequence[FreeParameter], patterns: Sequence[Pattern] = (), replicates: int,
                 seed: int, penalty_weight: float, state: str,
                 joint_targets: pd.DataFrame | None = None, prior_sd: float = float(np.log(3.0)),
                 dynamics_priors: Sequence[DynamicsPrior] = (),
                 scale_prior_sd: Mapping[str, float] | None = None,
                 joint_weight: float = 1.0, leave_one_out: Sequence[str] = (),
                 leave_one_out_limit: float = 0.4, leave_one_out_step: int | None = None) -> None:
        check_free(free, scenario.state_ids)
        if not (isinstance(joint_weight, int | float) and np.isfinite(joint_weight) and joint_weight >= 0):
            raise ParameterError("calibrate", "joint_weight",
                                 f"is {joint_weight!r}; a number >= 0")
        self.joint_weight = float(joint_weight)
        self.scenario = scenario
        self.free = list(free)
        self.base = dict(base_params)
        self.patterns = list(patterns)
        self.replicates = int(replicates)
        self.seed = int(seed)
        self.penalty_weight = float(penalty_weight)
        self.state_index = {s: i for i, s in enumerate(scenario.state_ids)}
        self.state = state
        inside = targets[(targets["month"] >= scenario.start) & (targets["month"] <= scenario.end)]
        self.targets = inside.reset_index(drop=True)
        self.steps = (self.targets["month"] - scenario.start).to_numpy()
        joint = joint_targets if joint_targets is not None else pd.DataFrame(
            columns=["state", "month", "tilt", "sigma", "date"])
        joint = joint[(joint["month"] >= scenario.start) & (joint["month"] <= scenario.end)]
        self.joint = joint[joint["state"] != state].reset_index(drop=True)
        self.joint_steps = (self.joint["month"] - scenario.start).to_numpy(dtype=int)
        self.joint_states = np.array([self.state_index[s] for s in self.joint["state"]], dtype=int)
        self.prior_sd = float(prior_sd)
        self.scale_columns = [j for j, p in enumerate(self.free) if p.is_scale]
        overrides = dict(scale_prior_sd or {})
        fitted = {self.free[j].interest for j in self.scale_columns}
        for interest, sd in overrides.items():
            if interest not in fitted:
                raise ParameterError("calibrate.scale_prior_sd", interest,
                                     f"not a fitted scale; fitted: {sorted(fitted)}")
            if not (isinstance(sd, int | float) and np.isfinite(sd) and sd > 0):
                raise ParameterError("calibrate.scale_prior_sd", interest, f"is {sd!r}; a positive number")
        #: each fitted scale's prior sd (ln units), in the order of `scale_columns`
        self.scale_sds = np.array([float(overrides.get(self.free[j].interest, self.prior_sd))
                                   for j in self.scale_columns])
        names = [p.name for p in self.free]
        for prior in dynamics_priors:
            if prior.name not in names:
                raise ParameterError("calibrate.dynamics_priors", prior.name, "not a free parameter")
        self.dynamics_priors = [(names.index(prior.name), prior) for prior in dynamics_priors]
        self.evaluations = 0
        self.leave_one_out = self._left_out_scenarios(leave_one_out)
        self.leave_one_out_limit = self._checked_limit(leave_one_out_limit)
        last = scenario.n_months - 1
        self.leave_one_out_step = (last if leave_one_out_step is None or not self.leave_one_out
                                   else self._checked_step(leave_one_out_step))

    def holding(self, groups: Sequence[str], *, step: int, limit: float | None = None) -> Calibrator:
        """A copy of this calibrator whose leave-one-out term lists ``groups`` (ids joined by ``+``
        left out together), compares month ``step`` and allows ``limit`` (None: this one's); this
        one is left as it was."""
        held = copy.copy(self)
        held.leave_one_out = self._left_out_scenarios(groups)
        held.leave_one_out_step = self._checked_step(step)
        if limit is not None:
            held.leave_one_out_limit = self._checked_limit(limit)
        return held

    def _checked_limit(self, limit: float) -> float:
        if not (isinstance(limit, int | float) and np.isfinite(limit) and limit >= 0):
            raise ParameterError("calibrate", "leave_one_out_limit", f"is {limit!r}; a number >= 0")
        return float(limit)

    def _checked_step(self, step: int) -> int:
        last = self.scenario.n_months - 1
        if not 0 <= int(step) <= last:
            raise ParameterError("calibrate", "leave_one_out_step",
                                 f"is {step}; a month of the scenario, 0..{last}")
        return int(step)

    def _left_out_scenarios(self, groups: Sequence[str]) -> dict[str, Scenario]:
        """The scenario without each group of ``groups`` (ids joined by ``+``), by group."""
        known = sorted(e.id for e in self.scenario.events)
        out = {}
        for group in groups:
            ids = set(str(group).split("+"))
            unknown = sorted(ids - set(known))
            if unknown:
                raise ParameterError("calibrate.leave_one_out", str(group),
                                     f"unknown events {unknown}; the events of {self.scenario.name}: "
                                     f"{known}")
            if group in out:
                raise ParameterError("calibrate.leave_one_out", str(group), "listed twice")
            try:
                out[group] = without_events(self.scenario, ids, f"{self.scenario.name} without {group}")
            except ValueError as exc:
                raise ParameterError("calibrate.leave_one_out", str(group), str(exc)) from None
        return out

    @property
    def bounds(self) -> list[tuple[float, float]]:
        return [(p.low, p.high) for p in self.free]

    def ensemble_mean(self, x: np.ndarray, scenario: Scenario | None = None) -> np.ndarray:
        """Ensemble-mean tilt of every state for each candidate.

        Args:
            x: candidates, shape (n_free, P) (or (n_free,) for one).
            scenario: the scenario run (None: the calibrated one; see `replicate_tilts`).

        Returns:
            Shape (T, P, S).
        """
        return self.replicate_tilts(x, scenario).mean(axis=2)

    def replicate_tilts(self, x: np.ndarray, scenario: Scenario | None = None) -> np.ndarray:
        """Every replicate's tilt of every state for each candidate: one batched run of
        ``replicates`` per candidate, the same replicate streams for each (common random numbers).

        Args:
            x: candidates, shape (n_free, P) (or (n_free,) for one).
            scenario: the scenario run (None: the calibrated one; another, such as the calibrated
                one without an event, is not counted in ``evaluations``).

        Returns:
            Shape (T, P, replicates, S).
        """
        x = np.asarray(x, dtype=float).reshape(len(self.free), -1)
        candidates, n = x.shape[1], self.replicates
        values = [np.repeat(row, n) for row in x]
        params = apply_values(self.base, self.free, values)
        run_on = self.scenario if scenario is None else scenario
        model = AlignmentModel(run_on, params, replicates=candidates * n, seed=self.seed,
                               record="tilt", replicate_ids=np.tile(np.arange(n), candidates))
        model.run()
        if scenario is None:
            self.evaluations += candidates
        history = model.tilt_history.reshape(run_on.n_months, candidates, n, -1)
        model.release()
        return history

    def masks(self, until: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Which focus and joint points count when fitting on the points up to month ``until``."""
        if until is None:
            return np.ones(len(self.steps), bool), np.ones(len(self.joint_steps), bool)
        return (self.targets["month"].to_numpy() <= until,
                self.joint["month"].to_numpy(dtype=int) <= until)

    def weighted_points(self, until: int | None = None) -> float:
        """The objective's divisor: the focus state's points up to month ``until`` (all by default)
        plus ``joint_weight`` times the other states'."""
        focus, joint = self.masks(until)
        return float(focus.sum() + self.joint_weight * joint.sum())

    def losses(self, x: np.ndarray, until: int | None = None) -> np.ndarray:
        """Objective for each candidate (see the class docstring).

        Args:
            x: candidates, shape (n_free, P).
            until: fit only the points up to this month number (all by default).
        """
        x = np.asarray(x, dtype=float).reshape(len(self.free), -1)
        mean = self.ensemble_mean(x)
        losses = self.losses_of(mean, x, until)
        if self.leave_one_out:
            excess = np.maximum(np.abs(self.leave_one_out_changes(x, mean)) - self.leave_one_out_limit, 0.0)
            losses = losses + self.penalty_weight * excess.sum(axis=0)
        return losses

    def leave_one_out_changes(self, x: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
        """The change of the focus state's ensemble-mean tilt in month ``leave_one_out_step`` when
        each group of ``leave_one_out`` is left out, for each candidate: shape (groups, P).

        Args:
            x: candidates, shape (n_free, P).
            mean: the candidates' ensemble mean on the calibrated scenario (`ensemble_mean`), if
                already run.
        """
        x = np.asarray(x, dtype=float).reshape(len(self.free), -1)
        mean = self.ensemble_mean(x) if mean is None else mean
        focus, step = self.state_index[self.state], self.leave_one_out_step
        base = mean[step, :, focus]
        return np.array([self.ensemble_mean(x, scenario)[step, :, focus] - base
                         for scenario in self.leave_one_out.values()]).reshape(-1, x.shape[1])

    def losses_of(self, mean: np.ndarray, x: np.ndarray, until: int | None = None) -> np.ndarray:
        """`losses` from the candidates' ensemble mean already run (`ensemble_mean`, (T, P, S)),
        without the leave-one-out term (which needs runs of its own).

        Args:
            mean: the ensemble-mean tilt of candidates ``x``, shape (T, P, S).
            x: the candidates, shape (n_free, P).
            until: fit only the points up to this month number (all by default).
        """
        x = np.asarray(x, dtype=float).reshape(len(self.free), -1)
        focus, joint = self.masks(until)
        fitted = mean[self.steps[focus], :, self.state_index[self.state]]
        squares = focus.sum() * chi2_per_point(fitted, self.targets["tilt"].to_numpy()[focus],
                                               self.targets["sigma"].to_numpy()[focus])
        if joint.any():
            others = mean[self.joint_steps[joint], :, self.joint_states[joint]]  # (n_joint, P)
            squares += self.joint_weight * joint.sum() * chi2_per_point(
                others, self.joint["tilt"].to_numpy(float)[joint], self.joint["sigma"].to_numpy(float)[joint])
        squares += self.prior_penalty(x)
        violations = pattern_violation(mean, self.state_index, self.patterns)
        return squares / self.weighted_points(until) + self.penalty_weight * violations

    def prior_penalty(self, x: np.ndarray) -> np.ndarray:
        """Sum over fitted scales of (ln scale / prior_sd)^2, plus the dynamics priors' penalties,
        for each candidate (P,)."""
        x = np.asarray(x, dtype=float).reshape(len(self.free), -1)
        return self.scale_penalty(x) + sum(self.dynamics_penalties(x).values(), np.zeros(x.shape[1]))

    def scale_penalty(self, x: np.ndarray) -> np.ndarray:
        """Sum over fitted scales of (ln scale / sd)^2 (sd: the scale's own prior sd, else
        ``prior_sd``), for each candidate (P,)."""
        x = np.asarray(x, dtype=float).reshape(len(self.free), -1)
        if not self.scale_columns:
            return np.zeros(x.shape[1])
        return np.sum((np.log(x[self.scale_columns]) / self.scale_sds[:, None]) ** 2, axis=0)

    def dynamics_penalties(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Each dynamics prior's penalty, for each candidate: name -> (P,)."""
        x = np.asarray(x, dtype=float).reshape(len(self.free), -1)
        return {prior.name: prior.penalty(x[j]) for j, prior in self.dynamics_priors}

    def fit(self, *, popsize: int, maxiter: int, optimizer_seed: int, until: int | None = None,
            tol: float = 0.0, progress: bool = True, state: dict | None = None,
            on_generation: Callable[[dict], Any] | None = None,
            x0: np.ndarray | None = None) -> dict[str, Any]:
        """Differential evolution over the free parameters (whole population per model run).

        scipy's `differential_evolution` (best1bin, dithered mutation, Sobol' start, deferred
        updating, no polish), stepped one generation at a time so that it can stop after any
        generation and resume exactly: ``on_generation`` receives the fit's state, and a later
        call with the same arguments and ``state=`` that state ends with the same result as a fit
        never stopped.

        Args:
            popsize: population = popsize x number of free parameters (rounded up to a power of 2).
            maxiter: the most generations.
            optimizer_seed: seed of the optimiser's random generator.
            until: fit only the points up to this month number (all by default).
            tol: stop once the objectives' std <= tol x |their mean| (0: only if all are equal).
            progress: show a progress bar.
            state: a state given to ``on_generation`` by a fit with the same arguments: continue it.
            on_generation: called after each generation with the state (plain, JSON-able data:
                ``generation``, ``evaluations``, ``wall_time_s``, ``solver``).
            x0: a candidate put into the first population (shape (n_free,)), so that the result is
                never worse than it; None: the Sobol' start alone.

        Returns:
            ``x`` (best values), ``objective``, ``evaluations``, ``generations``, ``wall_time_s``
            (the last two summed over the attempts of a resumed fit).
        """
        started = time.perf_counter()
        done = state or {"generation": 0, "evaluations": 0, "wall_time_s": 0.0}
        generation, evaluations = int(done["generation"]), int(done["evaluations"])
        with DifferentialEvolutionSolver(
            lambda x: self.losses(x, until), self.bounds, vectorized=True, updating="deferred",
            popsize=popsize, maxiter=maxiter, tol=tol, polish=False, init="sobol",
            rng=np.random.default_rng(optimizer_seed), x0=x0,
        ) as solver, tqdm(total=maxiter, initial=generation, desc="calibrating", unit="gen",
                          disable=not progress) as bar:
            if state is not None:
                restore_solver(solver, state["solver"])
            # the loop of DifferentialEvolutionSolver.solve, minus its callback and polish
            while generation < maxiter and not solver.converged():
                before = self.evaluations
                next(solver)
                generation += 1
                evaluations += self.evaluations - before
                bar.update(1)
                bar.set_postfix(objective=f"{solver.population_energies[0]:.3f}")
                if on_generation is not None:
                    on_generation({
                        "generation": generation, "evaluations": evaluations,
                        "wall_time_s": done["wall_time_s"] + time.perf_counter() - started,
                        "solver": solver_state(solver),
                    })
            x, objective = solver.x, solver.population_energies[0]
        return {
            "x": np.asarray(x, dtype=float),
            "objective": float(objective),
            "evaluations": evaluations,
            "generations": generation,
            "wall_time_s": done["wall_time_s"] + time.perf_counter() - started,
        }

    def values_as_params(self, x: np.ndarray) -> dict:
        """The full parameter mapping with the free parameters at ``x``."""
        return apply_values(self.base, self.free, [float(v) for v in x])


def solver_state(solver: DifferentialEvolutionSolver) -> dict[str, Any]:
    """Everything a `DifferentialEvolutionSolver` carries from one generation to the next, as
    plain data: the population (scaled to [0, 1]) and its objectives, the random generator's
    state, and the index array the solver shuffles in place to pick mutation partners."""
    return {
        "population": solver.population.tolist(),
        "energies": solver.population_energies.tolist(),
        "feasible": solver.feasible.tolist(),
        "constraint_violation": solver.constraint_violation.tolist(),
        "partner_order": solver._random_population_index.tolist(),
        "scale": float(solver.scale),
        "nfev": int(solver._nfev),
        "rng": solver.random_number_generator.bit_generator.state,
    }


def restore_solver(solver: DifferentialEvolutionSolver, state: Mapping[str, Any]) -> None:
    """Put a state from `solver_state` into a solver built with the same arguments."""
    population = np.asarray(state["population"], dtype=float)
    if population.shape != solver.population.shape:
        raise ValueError(f"a state of a population {population.shape} cannot resume a solver of "
                         f"{solver.population.shape}")
    solver.population = population
    solver.population_energies = np.asarray(state["energies"], dtype=float)
    solver.feasible = np.asarray(state["feasible"], dtype=bool)
    solver.constraint_violation = np.asarray(state["constraint_violation"], dtype=float)
    solver._random_population_index = np.asarray(state["partner_order"],
                                                 dtype=solver._random_population_index.dtype)
    solver.scale = float(state["scale"])
    solver._nfev = int(state["nfev"])
    solver.random_number_generator.bit_generator.state = state["rng"]
