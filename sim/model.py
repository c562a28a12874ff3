"""The alignment model: one `mesa.Model` simulating R replicates of a scenario at once."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from sim.agents import DecisionRule, FactionAgent, StateAgent
from sim.core.alignment import best_responses, logistic_noise
from sim.core.arrays import zeros
from sim.core.streams import ReplicateStreams, nudge
from sim.decomposition import value_gap_parts
from sim.events import EVENT_KINDS
from sim.interests import interests
from sim.month import SITUATION_ROWS, MonthView, SituationMemory, assess, partners_view
from sim.params import resolve_params
from sim.rows import RowInputs
from sim.scenario.schema import Event, Scenario
from sim.stage import Stage, replay
from sim.war import FLOAT, WarState

#: What is kept of each month: every state's support per faction, or only the states' tilts.
RECORD_MODES = ("full", "tilt")
#: The scenario a model runs when none is named.
DEFAULT_SCENARIO = "libya_2014_2019"
#: Seeds drawn for a model given none lie below this (as Mesa draws them).
SEED_RANGE = 2**31 - 1
#: Settling the month's supports (``partners_now`` > 0; `AlignmentModel._settle`): each round moves
#: a replicate's supports a share (the damping) of the way to the states' answers. The share is
#: halved in a replicate whenever its move turns back against the previous one (the rounds swing
#: between two answers), and otherwise grows by `SETTLE_GROWTH`, up to 1. A replicate is settled
#: once no support moves by more than the tolerance; the rounds stop when every replicate is, or
#: after `SETTLE_ROUNDS`.
SETTLE_DAMPING = 0.85
SETTLE_GROWTH = 1.1
SETTLE_TOLERANCE = 1e-4
SETTLE_ROUNDS = 200


def keep_per_month(half_life: Any) -> Any:
    """What remains after one month of a quantity with this half-life (months)."""
    factor = np.power(0.5, 1.0 / np.asarray(half_life, dtype=FLOAT))
    return float(factor) if factor.ndim == 0 else factor


def choose_seed(seed: Any, rng: Any) -> int:
    """The run's seed from Mesa's two ways of giving one; a new one drawn if neither is given.

    Args:
        seed: a non-negative integer, or None.
        rng: a non-negative integer, a `numpy.random.Generator` (one integer is drawn from it), or
            None. Giving both ``seed`` and ``rng`` is an error, as in Mesa.
    """
    if seed is not None and rng is not None:
        raise ValueError("give either seed or rng, not both")
    if rng is not None:
        seed = int(rng.integers(SEED_RANGE)) if isinstance(rng, np.random.Generator) else rng
    if seed is None:
        return int(np.random.default_rng().integers(SEED_RANGE))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def take_replicates(replicates: np.ndarray):
    """A function taking the ``replicates`` of a value whose replicate axis is last; a number, or
    an array with one column for every replicate, passes as it is."""
    return lambda value: value[..., replicates] if np.ndim(value) and np.shape(value)[-1] > 1 else value


def _weighted(weights: np.ndarray, k: int) -> np.ndarray:
    """Interest ``k``'s weights of every state, (S, K) or one per replicate (S, K, R), shaped to
    multiply its part (S, C, R)."""
    return weights[:, k, None, None] if weights.ndim == 2 else weights[:, k, None, :]


@dataclass(frozen=True)
class _MonthValues:
    """What settling a month's supports keeps of it, stacked over the states (S first, replicate
    axis last, for the n replicates still settling): the parts of every state's values that do not
    read partners' support, the decision rule's parameters and ``partners_now`` (numbers, or one per
    replicate), and the states whose support is held this month. ``leading`` is the common part plus
    the weighted own parts before ``first_read``, the first that reads partners' support, summed once
    in the order `StateAgent.values_with` sums them, so that every round of answers starts from it
    with the same bits as summing them again."""

    own: tuple[np.ndarray | None, ...]
    own_weights: np.ndarray
    committed: np.ndarray
    shocks: np.ndarray | None
    rationality: Any
    outside_option: Any
    inertia: Any
    partners_now: Any
    held: tuple[tuple[int, np.ndarray], ...]
    leading: np.ndarray
    first_read: int

    @classmethod
    def of(cls, model: AlignmentModel, partners_now: Any = None) -> _MonthValues:
        """From the month's view and each state's last `StateAgent.value_factions`; with
        ``partners_now`` (default: the model's)."""
        states, view = model.state_agents, model.view
        common, _, _, shocks = zip(*(s.kept_values() for s in states), strict=True)
        rule = states[0].rule
        own = tuple(None if interest.partners else part
                    for interest, part in zip(model._own_interests, view.own, strict=True))
        first_read = next((k for k, part in enumerate(own) if part is None), len(own))
        weights = model.own_weights
        leading = np.stack(common)
        for k in range(first_read):
            leading += _weighted(weights, k) * own[k]
        return cls(
            own=own, own_weights=weights, leading=leading, first_read=first_read,
            # each state's commitment part, c x D_sf (`StateAgent.value_factions`), for all at once
            committed=rule.commitment * view.committed,
            shocks=None if shocks[0] is None else np.stack(shocks),
            rationality=rule.rationality, outside_option=rule.outside_option,
            inertia=1.0 if view.month == 0 else rule.inertia,
            partners_now=model.p.partners_now if partners_now is None else partners_now,
            held=tuple((s.index, s.held[1]) for s in states
                       if s.held is not None and view.month >= s.held[0]),
        )

    def take(self, replicates: np.ndarray) -> _MonthValues:
        """The same for the ``replicates`` given (indices into this one's replicates)."""
        at = take_replicates(replicates)
        return dataclasses.replace(
            self, own=tuple(None if o is None else at(o) for o in self.own),
            own_weights=self.own_weights if self.own_weights.ndim == 2 else at(self.own_weights),
            committed=at(self.committed), shocks=None if self.shocks is None else at(self.shocks),
            leading=at(self.leading),
            rationality=at(self.rationality), outside_option=at(self.outside_option),
            inertia=at(self.inertia), partners_now=at(self.partners_now))


class AlignmentModel(mesa.Model):
    """Monthly alignment dynamics of foreign states over Libyan factions, for R replicates.

    Each step (one month): the month's events apply; the war is assessed into one `MonthView`;
    every state values every faction it can back; every state moves its support toward its best
    response; the month is recorded. See docs/ODD.md for the symbols. Arrays put the replicate
    axis last. ``running`` turns False after the scenario's last month, so
    ``while model.running: model.step()`` runs the whole period; ``model.steps`` counts the
    months done.

    Args:
        scenario: a scenario name (``scenarios/NAME.yaml``), a path, or a loaded `Scenario`;
            kept as ``world`` (Mesa >= 3.5 reserves ``Model.scenario``).
        params: parameters (`ModelParams`, mapping or OmegaConf node); None for the calibrated set
            (``configs/params/calibrated.yaml``). Any value may be one number per replicate.
        replicates: R, the number of replicates simulated together.
        seed: non-negative integer; with the scenario and params it fixes every replicate. None
            (and no ``rng``) draws one, kept as ``seed``.
        rng: Mesa's name for the seed (an integer or a Generator to draw one from).
        first_replicate: index of the first replicate of this batch: replicate ``first + r`` of a
            batch equals the same replicate run alone.
        record: ``full`` keeps support per faction each month; ``tilt`` only the states' tilts.
        replicate_ids: optional stream index of each row of the batch (length R), instead of
            ``first_replicate + r``; rows may share an index (common random numbers: calibration
            evaluates every candidate on the same replicates).
        row_inputs: optional inputs that differ between rows (`sim.rows.RowInputs`): events that
            apply to some rows only, series with a level per row (Shapley coalitions run as one
            batch this way, `sim.coalitions`). Random numbers keep the scenario's layout: an
            event's draws are drawn in every row, used where it applies.
    """

    def __init__(
        self,
        scenario: Scenario | str = DEFAULT_SCENARIO,
        params: Any = None,
        *,
        replicates: int = 1,
        seed: int | None = None,
        rng: Any = None,
        first_replicate: int = 0,
        record: str = "full",
        replicate_ids: Any = None,
        row_inputs: RowInputs | None = None,
    ) -> None:
        if isinstance(replicates, bool) or int(replicates) != replicates or replicates < 1:
            raise ValueError(f"replicates must be a positive integer, got {replicates!r}")
        if record not in RECORD_MODES:
            raise ValueError(f"record must be one of {RECORD_MODES}, got {record!r}")
        if (isinstance(first_replicate, bool) or int(first_replicate) != first_replicate
                or first_replicate < 0):
            raise ValueError(f"first_replicate must be a non-negative integer, got {first_replicate!r}")
        self.seed = choose_seed(seed, rng)
        super().__init__(rng=np.random.Generator(np.random.PCG64(self.seed)))
        world = _scenario(scenario)
        self.world = world
        self.replicates = R = int(replicates)
        self.first_replicate = int(first_replicate)
        self.record_mode = record
        self.replicate_ids = None
        if replicate_ids is not None:
            ids = np.asarray(replicate_ids, dtype=np.int64)
            if ids.shape != (R,) or ids.min() < 0:
                raise ValueError(f"replicate_ids must be {R} non-negative integers")
            self.replicate_ids = ids
        self.p = resolve_params(_calibrated() if params is None else params, world, R, dtype=FLOAT)
        self.row_inputs = (RowInputs() if row_inputs is None else row_inputs).checked(world, R)
        self.war = WarState(world, self.p, R, per_row=self.row_inputs.per_row_events)

        # the timeline, and how many uniforms each month draws (the streams' layout)
        self.events_by_month: list[list[Event]] = [[] for _ in range(world.n_months)]
        for event in world.events:
            self.events_by_month[event.month - world.start].append(event)
        self.month_candidates, self.month_tilt_pairs, backable = self._plan_months()
        self.month_event_draws = [sum(EVENT_KINDS[e.kind].draws(e) for e in month)
                                  for month in self.events_by_month]
        widths = [self.war.n_states * c + d
                  for c, d in zip(self.month_candidates, self.month_event_draws, strict=True)]
        self.streams = ReplicateStreams(self.seed, widths)
        # each month's uniforms are drawn into, and laid out replicate-last in, reused buffers
        widest = int(self.streams.widths.max())
        self._draw_block = np.empty(R * widest, FLOAT) if self.replicate_ids is None else None
        self._draws = np.empty((widest, R), FLOAT)
        self.has_noise = not (np.isscalar(self.p.noise) and self.p.noise == 0.0)
        #: whether states see partners' support of this month (settled each month), and the
        #: months that did not settle (`_settle`)
        self.settles = not (np.isscalar(self.p.partners_now) and self.p.partners_now == 0.0)
        #: how many levels deep states anticipate this month's supports (`_anticipate`)
        self.anticipation = int(np.max(self.p.anticipation))
        self.unsettled_months: list[int] = []
        self._blas_limited = False  # whether `run` holds BLAS to one thread already
        self._own_interests = tuple(i for i in interests() if i.own is not None)

        # exogenous levels, and the memories through which states perceive them and the war
        self.migration_series = self._series("migrant_arrivals")
        self.oil_series = self._series("oil_output")
        self.record_keep = keep_per_month(self.p.record_half_life)
        self.threat_keep = keep_per_month(self.p.threat_half_life)
        commitment_keep = 1.0 - self.p.commitment_fading * (
            1.0 - keep_per_month(self.p.perception_half_life))
        # commitments held for good in every replicate stay one table shared by all replicates;
        # fading at a rate that differs by replicate, each replicate holds its own
        self.commitment_keep = 1.0 if np.all(commitment_keep == 1.0) else commitment_keep
        if np.ndim(self.commitment_keep) and self.war.deployed.ndim == 2:
            self.war.deployed = np.repeat(self.war.deployed[..., None], R, axis=-1)
        self.arrivals_keep = keep_per_month(self.p.migration_half_life)
        self.perceived_arrivals = np.array(np.broadcast_to(self.migration_series[0], (R,)), FLOAT)
        self.situation_memory = SituationMemory(
            keep_per_month(self.p.perception_half_life),
            (SITUATION_ROWS + 2 * len(self.war.companies), backable.size, R), factions=backable)
        # states read the war's trend against a slower memory of the perceived chance (trend_weight
        # 0: never built, so no momentum is computed and the run is bit-identical to one without it)
        reads_trend = not (np.isscalar(self.p.trend_weight) and self.p.trend_weight == 0.0)
        self.trend_memory = SituationMemory(
            keep_per_month(self.p.trend_half_life), (1, backable.size, R),
            factions=backable) if reads_trend else None
        self.company_of = np.array([self.war.company_index.get(s.company, -1) for s in world.states])

        rule = DecisionRule(self.p.rationality, self.p.outside_option, self.p.inertia,
                            self.p.commitment, self.p.noise)
        for i, spec in enumerate(world.factions):
            FactionAgent(self, spec, i)
        held = {h.state: (h.start - world.start, h.vector(world.faction_ids))
                for h in world.fixed_support}  # counterfactual policies (scenario `fixed_support`)
        for i, spec in enumerate(world.states):
            StateAgent(self, spec, i, weights=self.p.weights[i], support=self.war.support[i],
                       rule=rule, held=held.get(spec.id))
        self.faction_agents: list[FactionAgent] = list(self.agents_by_type[FactionAgent])
        self.state_agents: list[StateAgent] = list(self.agents_by_type[StateAgent])
        #: every state's weights of the interests with a part particular to it, (S, K_own) or
        #: (S, K_own, R): the rounds of a month value every state at once (`_MonthValues`)
        self.own_weights = np.stack([state.kept_values()[1] for state in self.state_agents])

        # what is kept of each month
        T, S = world.n_months, self.war.n_states
        self._tilts = zeros((T, S, R), FLOAT)
        self._controls = zeros((T, self.war.n_assets, R), np.int16)
        self._supports = (zeros((T, S, self.war.n_factions, R), FLOAT) if record == "full"
                          else None)
        #: the parts of each state's V(plus) - V(minus) (its interests, then the commitment), monthly
        self.decomposition_parts = (*(i.name for i in interests()), "commitment")
        self._decomposition = (np.full((T, S, len(self.decomposition_parts)), np.nan)
                               if record == "full" else None)
        self.mean_tilts = np.zeros(S)
        self.datacollector = mesa.DataCollector(model_reporters={
            f"tilt_{sid}": _mean_tilt_reporter(s) for s, sid in enumerate(world.state_ids)})
        # the view of the opening situation, before any month has passed
        self.view: MonthView = self._assess(month=-1, shocks=None, remember=False)

    def _series(self, name: str) -> np.ndarray:
        """A series' level each month, (T,), or (T, R) when the rows have their own."""
        levels = self.row_inputs.series.get(name)
        return (self.world.monthly(name) if levels is None else levels).astype(FLOAT)

    def _plan_months(self) -> tuple[list[int], list[tuple[int, int]], np.ndarray]:
        """For each month: how many factions can be backed (fixes the widths of the random draws),
        and the factions standing for the tilt's two sides (`sim.scenario.TiltSides`); and every
        faction that can be backed at some time (the states' memory keeps columns for these)."""
        stage = self.war.stage.copy()
        counts, pairs, ever = [], [], set(stage.backable())
        for month in self.events_by_month:
            replay(stage, month)
            counts.append(len(stage.backable()))
            pairs.append(self._tilt_pair(stage))
            ever.update(stage.backable())
        backable = np.array(sorted(self.war.faction_index[f] for f in ever), dtype=np.int64)
        return counts, pairs, backable

    def _tilt_pair(self, stage: Stage) -> tuple[int, int]:
        """The factions standing for the tilt's (plus, minus) sides on ``stage``, as indices."""
        sides, index = self.world.tilt, self.war.faction_index
        return index[stage.side(sides.plus)], index[stage.side(sides.minus)]

    # ------------------------------------------------------------------ schedule

    def step(self) -> None:
        """One month: events, assessment, valuation, adjustment, record."""
        t = self.steps - 1  # Mesa counts the step before calling it
        if t >= self.world.n_months:
            raise RuntimeError("the scenario's period is over; build a new model to run again")
        # the model's matrices are small (factions x factions): BLAS threads only contend, and on
        # a loaded machine they made a month four times slower. `run` holds the limit for all its
        # months (entering it costs about a twentieth of a month with one replicate).
        with contextlib.nullcontext() if self._blas_limited else one_blas_thread():
            draws = self._month_draws(t)
            self.apply_events(t, draws)
            shocks = None
            if self.has_noise:  # one logistic transform per month for every state's shocks
                shocks = logistic_noise(draws[: self.war.n_states * self.month_candidates[t]], 1.0)
            self.view = self._assess(month=t, shocks=shocks, remember=True)
            previous = None  # the supports answered to: all of them to settle, the candidates' to anticipate
            if self.settles:
                previous = self.war.support.copy()
            elif self.anticipation:
                previous = np.take(self.war.support, self.view.candidates, axis=1)
            for state in self.state_agents:
                state.value_factions(self.view)
            for state in self.state_agents:
                state.update_alignment(self.view)
            if self.settles:
                self._settle(t, previous)
            elif self.anticipation:
                self._anticipate(previous)
            self.record_month(t)
        self.running = self.steps < self.world.n_months

    def _settle(self, t: int, previous: np.ndarray) -> None:
        """Settle month ``t``'s supports with partners' support of this month (ODD 7.8).

        States see their partners' and rivals' support as ``partners_now`` x this month's plus the
        rest x last month's (``previous``, (S, F, R)); the month's supports are the fixed point of
        every state's answer to what it sees, found by damped rounds (`SETTLE_DAMPING`) from the
        supports answered to last month's. Each replicate settles on its own: a settled replicate
        no longer moves, and once half the replicates in the rounds have settled the rounds go on
        with the others alone, so a replicate's course does not depend on the others in its batch.
        A month in which some replicate does not settle within `SETTLE_ROUNDS` keeps the last round
        and is counted in ``unsettled_months``.
        """
        support = self.war.support
        month = whole = _MonthValues.of(self)
        ids = np.arange(support.shape[-1])  # the replicates in the rounds
        current, last = support.copy(), previous
        damping = np.full(ids.size, SETTLE_DAMPING, FLOAT)
        moving = np.ones(ids.size, bool)
        step = np.zeros_like(current)
        for round_ in range(SETTLE_ROUNDS):
            change = self._answers(current, last, month) - current
            if round_:  # a move turned back against the last one: damp harder; else loosen
                turned = (change * step).sum(axis=(0, 1)) < 0
                damping = np.where(turned, 0.5 * damping,
                                   np.minimum(SETTLE_GROWTH * damping, 1.0)).astype(FLOAT)
            step = damping * change
            current = np.where(moving, current + step, current)
            moving &= np.abs(change).max(axis=(0, 1)) >= SETTLE_TOLERANCE
            if not moving.any():
                break
            if 2 * moving.sum() <= moving.size:  # go on with the replicates still moving
                support[..., ids] = current
                keep = np.flatnonzero(moving)
                ids, current, last, step = ids[keep], current[..., keep], last[..., keep], step[..., keep]
                damping, moving, month = damping[keep], moving[keep], month.take(keep)
        else:
            self.unsettled_months.append(t)
        support[..., ids] = current
        xi = self.p.partners_now
        self._revalue_seeing((xi * support + (1.0 - xi) * previous).astype(FLOAT, copy=False), whole)

    def _revalue_seeing(self, seen: np.ndarray, month: _MonthValues, *,
                        of_candidates: bool = False) -> None:
        """The month's view and every state's values rebuilt with partners' supports ``seen``
        (S, F, R), or the candidates' alone (S, C, R) with ``of_candidates``, once the month's
        supports are settled or anticipated (the decomposition reads them). The values are summed
        for every state at once from ``month`` (all replicates), with the bits each state's
        `StateAgent.revalue` gives."""
        self.view = partners_view(self.view, self.war.relation, seen, of_candidates=of_candidates)
        values = self._values(month, self.view.own)
        for state in self.state_agents:
            state.keep_values(values[state.index])

    def _anticipate(self, previous: np.ndarray) -> None:
        """Answer this month's supports ``anticipation`` levels deep (ODD 7.8).

        The supports just answered to last month's (``previous``: the candidates' columns, (S, C,
        R)) are level 0; a level-k state expects every other state to answer at level k - 1 and
        answers that: level k is every state's answer (`_answer_candidates`, partners' support of
        this month) to level k - 1. Each level is one round, the same in every replicate, so a
        replicate's course does not depend on its batch. The rounds move only the month's
        candidates: a faction no state can back has the same support at every level (last
        month's, decayed by the inertia). The month's view and every state's values are then those
        of the last level (`_revalue_seeing`).
        """
        month = _MonthValues.of(self, partners_now=1.0)
        support, candidates = self.war.support, self.view.candidates
        level = np.take(support, candidates, axis=1)  # C-ordered, as the rounds' arrays
        for _ in range(self.anticipation):
            level = self._answer_candidates(level, previous, month)
        support[:, candidates] = level
        self._revalue_seeing(level, month, of_candidates=True)

    def _answers(self, current: np.ndarray, previous: np.ndarray, month: _MonthValues) -> np.ndarray:
        """Every state's answer to what it sees of the month's supports ``current`` (S, F, n),
        moving from last month's ``previous`` (S, F, n), in the n replicates ``month`` keeps: what
        `StateAgent.values_with` and `StateAgent.answer` give state by state, for every state at
        once (the same bits, `tests/test_partners_now.py`; the replicates do not mix)."""
        candidates = self.view.candidates
        moved = previous.copy()
        moved *= 1.0 - month.inertia
        for s, _ in month.held:
            moved[s] = 0.0
        moved[:, candidates] = self._answer_candidates(np.take(current, candidates, axis=1),
                                                       np.take(previous, candidates, axis=1), month)
        return moved

    def _answer_candidates(self, current: np.ndarray, previous: np.ndarray,
                           month: _MonthValues) -> np.ndarray:
        """`_answers` for the month's candidates alone: every state's support of each candidate,
        (S, C, n), answering what it sees of ``current`` and moving from ``previous`` (both
        (S, C, n), the candidates' columns of the supports)."""
        xi = month.partners_now
        if np.ndim(xi) == 0 and xi == 1.0:  # this month's supports alone (anticipating): no blend to make
            seen = current
        else:
            seen = (xi * current + (1.0 - xi) * previous).astype(FLOAT, copy=False)
        seeing = partners_view(self.view, self.war.relation, seen, of_candidates=True)
        values = self._values(month, seeing.own)
        target = best_responses(values, month.rationality, month.outside_option, overwrite=True)
        moved = np.multiply(previous, 1.0 - month.inertia, out=np.empty_like(previous))
        target *= month.inertia
        moved += target
        for s, shares in month.held:
            moved[s] = shares[self.view.candidates, None]
        return moved

    def _values(self, month: _MonthValues, own: tuple[np.ndarray | None, ...]) -> np.ndarray:
        """Every state's values of the candidates, (S, C, n): ``month``'s leading part, then each
        part that reads partners' support (``own[k]`` for the parts ``month`` does not keep,
        (S, C, n)), commitment and shocks, summed in `StateAgent.values_with`'s order (the same
        bits)."""
        values = None
        for k in range(month.first_read, len(month.own)):
            part = month.own[k]
            term = _weighted(month.own_weights, k) * (np.asarray(own[k], FLOAT) if part is None else part)
            base = month.leading if values is None else values
            values = np.add(base, term, out=term if term.shape == base.shape else None)
        if values is None:
            values = month.leading.copy()
        values += month.committed
        if month.shocks is not None:
            values += month.shocks
        return values

    def run(self, progress: Callable[[int], Any] | None = None) -> AlignmentModel:
        """Run every remaining month; ``progress`` is called with 1 after each month (optional)."""
        with one_blas_thread():
            self._blas_limited = True
            try:
                while self.running:
                    self.step()
                    if progress is not None:
                        progress(1)
            finally:
                self._blas_limited = False
        return self

    def release(self) -> None:
        """Let this finished model be freed once its caller drops it.

        Mesa 3.3 keeps every model it ever built alive through the class-level ``Agent._ids``
        (mesa issue 3179, fixed by pull request 3180 in later releases): a calibration, a sweep or
        the robustness app builds hundreds of models and would keep them all. No agent may be
        added to a released model.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)

    def _month_draws(self, t: int) -> np.ndarray:
        """Month ``t``'s uniforms, (width, R): the states' shocks, then the events' draws."""
        if self.replicate_ids is None:
            block = self.streams.uniforms(t, self.first_replicate, self.replicates,
                                          out=self._draw_block, nudged=False)
        else:
            low, high = int(self.replicate_ids.min()), int(self.replicate_ids.max())
            block = self.streams.uniforms(t, low, high - low + 1, nudged=False)[self.replicate_ids - low]
        # laid out replicate-last and nudged off zero in one pass
        return nudge(block.T, out=self._draws[: block.shape[1]])

    # ------------------------------------------------------------------ stage 1: events

    def apply_events(self, t: int, draws: np.ndarray) -> None:
        """Records, threats and commitments fade, arrivals are perceived, then month ``t``'s events
        apply in file order (ODD submodels "decay" and "events")."""
        self.war.decay(self.record_keep, self.threat_keep, self.commitment_keep)
        keep, arrivals = self.arrivals_keep, self.migration_series[t]
        self.perceived_arrivals = keep * self.perceived_arrivals + (1.0 - keep) * arrivals
        slot = self.war.n_states * self.month_candidates[t]
        for event in self.events_by_month[t]:
            used = EVENT_KINDS[event.kind].draws(event)
            rows = self.row_inputs.events.get(event.id)
            if rows is None or rows.all():
                self.war.apply(event, draws[slot : slot + used])
            elif rows.any():
                self.war.apply(event, draws[slot : slot + used], rows=rows)
            slot += used

    # ------------------------------------------------------------------ stage 2: assessment

    def _assess(self, month: int, shocks: np.ndarray | None, remember: bool) -> MonthView:
        t = max(month, 0)
        pair = self.month_tilt_pairs[month] if month >= 0 else self._tilt_pair(self.war.stage)
        view = assess(self.war, month=month, oil_output=self.oil_series[t],
                      arrivals=self.perceived_arrivals,
                      situation_memory=self.situation_memory if remember else None,
                      company_of=self.company_of, shocks=shocks, tilt_pair=pair,
                      trend_memory=self.trend_memory if remember else None)
        planned = self.month_candidates[t] if month >= 0 else None
        if planned is not None and view.candidates.size != planned:
            raise RuntimeError(f"{view.candidates.size} factions can be backed in month {month}, "
                               f"{planned} were planned")
        return view

    # ------------------------------------------------------------------ stage 4: record

    def tilt_of(self, state: int) -> np.ndarray:
        """Current tilt of state ``state``: support for the plus side minus the minus side, (R,)."""
        return self.state_agents[state].tilt

    def record_month(self, t: int) -> None:
        """Keep month ``t``'s alignment, tilts and asset control; collect the model reporters."""
        support = self.war.support
        plus, minus = self.month_tilt_pairs[t]
        np.subtract(support[:, plus], support[:, minus], out=self._tilts[t])
        self._controls[t] = self.war.control
        if self._supports is not None:
            self._supports[t] = support
            parts = value_gap_parts(self.view, self.p.weights, commitment=self.p.commitment,
                                    names=self.decomposition_parts[:-1], pair=self.view.tilt_pair)
            if parts is not None:
                self._decomposition[t] = parts
        self.mean_tilts = self._tilts[t].mean(axis=1, dtype=np.float64)
        self.datacollector.collect(self)

    @property
    def tilt_history(self) -> np.ndarray:
        """Every state's tilt each month, shape (T, R, S)."""
        return self._tilts.transpose(0, 2, 1)

    @property
    def control_history(self) -> np.ndarray:
        """Controller index of every asset each month, shape (T, R, A)."""
        return self._controls.transpose(0, 2, 1)

    @property
    def decomposition_history(self) -> np.ndarray | None:
        """Ensemble-mean parts of each state's V(plus) - V(minus) each month (the tilt's two sides),
        (T, S, parts) in the order of ``decomposition_parts`` (NaN where either cannot be backed);
        None if record="tilt"."""
        return self._decomposition

    @property
    def support_history(self) -> np.ndarray | None:
        """Support of every state for every faction each month, (T, R, S, F); None if record="tilt"."""
        return None if self._supports is None else self._supports.transpose(0, 3, 1, 2)


@functools.cache
def _blas_controller():
    """One controller of the process's BLAS thread pools (inspecting them is slow, limiting is not)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs on one thread (the previous limits restored on leaving)."""
    return _blas_controller().limit(limits=1, user_api="blas")


def _mean_tilt_reporter(state: int) -> Callable[[AlignmentModel], float]:
    def report(model: AlignmentModel) -> float:
        return float(model.mean_tilts[state])

    report.__name__ = f"mean_tilt_{state}"
    return report


def _scenario(scenario: Scenario | str) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    from sim.scenario import load_scenario_cached

    return load_scenario_cached(str(scenario))


def _calibrated() -> dict:
    from sim.params import calibrated_params

    return calibrated_params()
