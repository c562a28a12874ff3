"""The alignment model: one `mesa.Model` simulating R replicates of a scenario at once."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from sim.agents import FactionAgent, StateAgent
from sim.core.alignment import logistic_noise
from sim.core.contest import prospects
from sim.core.holdings import camp_total, membership_matrix, per_faction_sum
from sim.core.streams import ReplicateStreams
from sim.errors import ScenarioError
from sim.params import resolve_params
from sim.scenario.schema import Event, Scenario

#: Tilt = support for TILT_PLUS - support for TILT_MINUS.
TILT_PLUS, TILT_MINUS = "LNA", "GNA"
#: What is kept of each month: every state's support per faction, or only the states' tilts.
RECORD_MODES = ("full", "tilt")
#: Floating-point type of the state variables: single precision halves the memory traffic of the
#: batched arithmetic; tilts are reported to far fewer digits than it carries.
FLOAT = np.float32
#: A faction whose extremist score reaches this is a terror holder: taking its havens earns a record.
EXTREMIST_THRESHOLD = 0.5


def _monthly_factor(half_life):
    """What remains after one month of a quantity with this half-life (months)."""
    factor = np.power(0.5, 1.0 / np.asarray(half_life, dtype=FLOAT))
    return float(factor) if factor.ndim == 0 else factor


def backable(active: np.ndarray, patronable: np.ndarray, camp: np.ndarray) -> np.ndarray:
    """Factions a state can back, (F,) bool: active, patronable camp heads and independents."""
    return active & patronable & ((camp < 0) | (camp == np.arange(camp.size)))


class AlignmentModel(mesa.Model):
    """Monthly alignment dynamics of foreign states over Libyan factions, for R replicates.

    Each step (one month): the month's events apply; factions' strengths, holdings and prospects
    are assessed; every state values every faction it can back; every state moves its support
    toward its best response; the month is recorded. See docs/ODD.md for the symbols. Arrays put
    the replicate axis last.

    Args:
        scenario: a validated scenario (see `sim.scenario.load_scenario`); kept as ``world``.
        params: parameters (`ModelParams`, mapping or OmegaConf node); None for the defaults. Any
            value may be one number per replicate.
        replicates: R, the number of replicates simulated together.
        seed: non-negative integer; with the scenario and params it fixes every replicate.
        first_replicate: index of the first replicate of this batch: replicate ``first + r`` of a
            batch equals the same replicate run alone.
        record: ``full`` keeps support per faction each month; ``tilt`` only the states' tilts.
        replicate_ids: optional stream index of each row of the batch (length R), instead of
            ``first_replicate + r``; rows may share an index (common random numbers: calibration
            evaluates every candidate on the same replicates).
    """

    def __init__(
        self,
        scenario: Scenario,
        params: Any = None,
        replicates: int = 1,
        seed: int = 0,
        first_replicate: int = 0,
        record: str = "full",
        replicate_ids: Any = None,
    ) -> None:
        if isinstance(replicates, bool) or int(replicates) != replicates or replicates < 1:
            raise ValueError(f"replicates must be a positive integer, got {replicates!r}")
        if record not in RECORD_MODES:
            raise ValueError(f"record must be one of {RECORD_MODES}, got {record!r}")
        if isinstance(seed, bool) or seed is None or int(seed) != seed or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        super().__init__(rng=np.random.Generator(np.random.PCG64(int(seed))))
        # `world`, not `scenario`: Mesa >= 3.5 reserves `Model.scenario` for its own use
        self.world = scenario
        self.replicates = int(replicates)
        self.first_replicate = int(first_replicate)
        self.record_mode = record
        self.replicate_ids = None
        if replicate_ids is not None:
            ids = np.asarray(replicate_ids, dtype=np.int64)
            if ids.shape != (self.replicates,) or ids.min() < 0:
                raise ValueError(f"replicate_ids must be {self.replicates} non-negative integers")
            self.replicate_ids = ids
        self.p = resolve_params(params, scenario, self.replicates, dtype=FLOAT)
        self.has_noise = not (np.isscalar(self.p.noise) and self.p.noise == 0.0)
        self._setup_arrays()
        self._setup_agents()
        self._setup_timeline()
        widths = [self.n_states * c + o for c, o in zip(self.month_candidates, self.month_open, strict=True)]
        self.streams = ReplicateStreams(int(seed), widths)
        self.step_index = 0

    # ------------------------------------------------------------------ construction

    def _setup_arrays(self) -> None:
        sc, R = self.world, self.replicates
        self.faction_index = {fid: i for i, fid in enumerate(sc.faction_ids)}
        self.state_index = {sid: i for i, sid in enumerate(sc.state_ids)}
        self.asset_index = {aid: i for i, aid in enumerate(sc.asset_ids)}
        for needed in (TILT_PLUS, TILT_MINUS):
            if needed not in self.faction_index:
                raise ScenarioError(sc.path, "factions", f"needs {needed} (tilt = support for "
                                    f"{TILT_PLUS} - support for {TILT_MINUS})")
        self.n_factions, self.n_states = len(sc.factions), len(sc.states)
        self.n_assets = len(sc.assets)
        self.companies = sorted({s.company for s in sc.states if s.company})
        self.company_index = {c: i for i, c in enumerate(self.companies)}

        fi = self.faction_index
        self.active = np.array([f.active for f in sc.factions])
        self.patronable = np.array([f.patronable for f in sc.factions])
        self.camp = np.array([fi[f.camp] if f.camp else -1 for f in sc.factions])
        self.members = membership_matrix(self.camp).astype(FLOAT)
        self.legitimacy = np.array([f.legitimacy for f in sc.factions], FLOAT)
        self.islamist = np.array([f.islamist for f in sc.factions], FLOAT)
        self.extremist = np.array([f.extremist for f in sc.factions], FLOAT)
        self.base_strength = np.array([f.strength for f in sc.factions], FLOAT)
        self.capacity = np.array([s.capacity for s in sc.states], FLOAT)
        self.relation = np.zeros((self.n_states, self.n_states), FLOAT)
        for rel in sc.relations:
            a, b = self.state_index[rel.a], self.state_index[rel.b]
            self.relation[a, b] = self.relation[b, a] = rel.value

        self.output_share = np.array([a.output_share for a in sc.assets], FLOAT)
        self.departure_share = np.array([a.departure_share for a in sc.assets], FLOAT)
        self.haven = np.array([a.haven for a in sc.assets], FLOAT)
        self.military_value = np.array([a.military_value for a in sc.assets], FLOAT)
        self.stakes = np.zeros((len(self.companies), self.n_assets), FLOAT)
        for j, asset in enumerate(sc.assets):
            for company, share in asset.stakes.items():
                self.stakes[self.company_index[company], j] = share

        # the replicate axis is last, so that every operation runs over contiguous memory
        initial = np.array([fi[a.controller] for a in sc.assets])
        self.control = np.repeat(initial[:, None], R, axis=1)  # (A, R)
        self.record_ct = np.zeros((self.n_factions, R), FLOAT)
        self.threat = np.zeros((self.n_states, R), FLOAT)
        self.support = np.zeros((self.n_states, self.n_factions, R), FLOAT)
        self.deployed = np.zeros((self.n_states, self.n_factions), FLOAT)
        self._holdings_stale = True
        self.migration_series = sc.monthly("migrant_arrivals").astype(FLOAT)
        self.oil_series = sc.monthly("oil_output").astype(FLOAT)

        T = sc.n_months
        if self.record_mode == "full":
            self._supports = np.zeros((T, self.n_states, self.n_factions, R), np.float32)
        self._tilts = np.zeros((T, self.n_states, R), FLOAT)
        self._controls = np.zeros((T, self.n_assets, R), np.int16)

    def _setup_agents(self) -> None:
        self.faction_agents = [
            FactionAgent(self, spec, i) for i, spec in enumerate(self.world.factions)
        ]
        self.state_agents = [StateAgent(self, spec, i) for i, spec in enumerate(self.world.states)]

    def _setup_timeline(self) -> None:
        sc = self.world
        self.events_by_step: list[list[Event]] = [[] for _ in range(sc.n_months)]
        for event in sc.events:
            self.events_by_step[event.month - sc.start].append(event)
        self.month_open = [sum(e.kind == "offensive" and e["outcome"] == "open" for e in month)
                           for month in self.events_by_step]
        self.month_candidates = self._candidate_counts()
        p = self.p
        self.record_decay = _monthly_factor(p.record_half_life)
        self.threat_decay = _monthly_factor(p.threat_half_life)
        self.migration_keep = _monthly_factor(p.migration_half_life)
        self.perception_keep = _monthly_factor(p.perception_half_life)
        self._situation_month, self._situation, self._has_memory = -1, None, False
        self.perceived_arrivals = np.full(self.replicates, self.migration_series[0], FLOAT)

    def _candidate_counts(self) -> list[int]:
        """How many factions can be backed in each month (fixes the widths of the random draws)."""
        active, camp = self.active.copy(), self.camp.copy()
        counts = []
        for month in self.events_by_step:
            for event in month:
                if event.kind in ("enter", "exit"):
                    active[self.faction_index[event["faction"]]] = event.kind == "enter"
                elif event.kind == "allegiance":
                    head = event["camp"]
                    faction = self.faction_index[event["faction"]]
                    camp[faction] = -1 if head is None else self.faction_index[head]
            counts.append(int(backable(active, self.patronable, camp).sum()))
        return counts

    # ------------------------------------------------------------------ schedule

    def step(self) -> None:
        """One month: events, assessment, valuation, adjustment, record."""
        if self.step_index >= self.world.n_months:
            raise RuntimeError("the scenario's period is over; build a new model to run again")
        self.draws = self._month_draws()
        if self.has_noise:  # one logistic transform per month for every state's shocks
            self.shocks = logistic_noise(
                self.draws[: self.n_states * self.month_candidates[self.step_index]], 1.0)
        self.apply_events()
        self.assess_factions()
        for state in self.state_agents:
            state.value_factions()
        for state in self.state_agents:
            state.update_alignment()
        self.record_month()
        self.step_index += 1

    def _month_draws(self) -> np.ndarray:
        """This month's uniforms, one row per replicate of the batch."""
        if self.replicate_ids is None:
            block = self.streams.uniforms(self.step_index, self.first_replicate, self.replicates)
        else:
            low, high = int(self.replicate_ids.min()), int(self.replicate_ids.max())
            block = self.streams.uniforms(self.step_index, low, high - low + 1)[self.replicate_ids - low]
        return np.ascontiguousarray(block.T)  # (width, R)

    def run(self, progress: Any = None) -> AlignmentModel:
        """Run every remaining month; ``progress`` is called with 1 after each month (optional)."""
        while self.step_index < self.world.n_months:
            self.step()
            if progress is not None:
                progress(1)
        return self

    # ------------------------------------------------------------------ stage 1: events

    def apply_events(self) -> None:
        """Decay records and threat, perceive this month's arrivals, apply the month's events in file
        order (ODD submodels "decay" and "events")."""
        self.record_ct *= self.record_decay
        self.threat *= self.threat_decay
        keep, arrivals = self.migration_keep, self.migration_series[self.step_index]
        self.perceived_arrivals = keep * self.perceived_arrivals + (1.0 - keep) * arrivals
        slot = self.n_states * self.month_candidates[self.step_index]
        for event in self.events_by_step[self.step_index]:
            if event.kind == "offensive":
                draws = None
                if event["outcome"] == "open":
                    draws = self.draws[slot]
                    slot += 1
                self._offensive(event, draws)
            else:
                getattr(self, f"_{event.kind}")(event)

    def _offensive(self, event: Event, draws: np.ndarray | None) -> None:
        if event["outcome"] == "open":
            self.assess_factions()  # contests use this month's strengths
        attacker = self.faction_agents[self.faction_index[event["attacker"]]]
        defender = self.faction_agents[self.faction_index[event["defender"]]]
        won = attacker.attack(defender, event["outcome"], draws)
        self._transfer([self.asset_index[a] for a in event["assets"]], attacker.index, won)
        for fid, loss in event["losses"].items():
            self.base_strength[self.faction_index[fid]] *= 1.0 - loss

    def _transfer(self, assets: list[int], taker: int, where: np.ndarray) -> None:
        """Give ``assets`` to ``taker`` in the replicates ``where``; credit havens taken from terror."""
        for j in assets:
            previous = self.control[j]
            from_terror = (self.extremist[previous] >= EXTREMIST_THRESHOLD) & where
            if self.haven[j] > 0 and self.extremist[taker] < EXTREMIST_THRESHOLD:
                self.record_ct[taker] += self.haven[j] * from_terror
            self.control[j, where] = taker
        self._holdings_stale = True

    def _control(self, event: Event) -> None:
        everywhere = np.ones(self.replicates, dtype=bool)
        self._transfer([self.asset_index[a] for a in event["assets"]],
                       self.faction_index[event["to"]], everywhere)

    def _strength(self, event: Event) -> None:
        self.base_strength[self.faction_index[event["faction"]]] *= 1.0 + event["change"]

    def _terror(self, event: Event) -> None:
        for sid in event["affects"]:
            self.threat[self.state_index[sid]] += event["severity"]

    def _deployment(self, event: Event) -> None:
        f = self.faction_index[event["faction"]]
        self.base_strength[f] += event["strength"]
        # the commitment is to the camp the faction fights in when the forces arrive
        self.deployed[self.state_index[event["state"]], self.head_of(f)] += event["strength"]

    def _enter(self, event: Event) -> None:
        self.active[self.faction_index[event["faction"]]] = True

    def _exit(self, event: Event) -> None:
        f, successor = self.faction_index[event["faction"]], self.faction_index[event["successor"]]
        self.active[f] = False
        self.control[self.control == f] = successor
        self._holdings_stale = True
        self.support[:, f] = 0.0
        self.deployed[:, self.head_of(successor)] += self.deployed[:, f]
        self.deployed[:, f] = 0.0
        self.record_ct[f] = 0.0

    def _allegiance(self, event: Event) -> None:
        f, head = self.faction_index[event["faction"]], event["camp"]
        self.camp[f] = -1 if head is None else self.faction_index[head]
        self.members = membership_matrix(self.camp).astype(FLOAT)
        self._holdings_stale = True
        if head is not None and self.camp[f] != f:
            # support to a camp goes through its head: what the faction received moves there
            self.support[:, self.camp[f]] += self.support[:, f]
            self.support[:, f] = 0.0

    def _legitimacy(self, event: Event) -> None:
        self.legitimacy[self.faction_index[event["faction"]]] = event["value"]

    def _stake(self, event: Event) -> None:
        self.stakes[self.company_index[event["company"]], self.asset_index[event["asset"]]] = event["value"]
        self._holdings_stale = True

    # ------------------------------------------------------------------ stage 2: assessment

    def head_of(self, faction: int) -> int:
        """Index of the camp head a faction fights under (itself if head or independent)."""
        head = self.camp[faction]
        return faction if head < 0 else head

    def assess_factions(self) -> None:
        """Strengths, prospects and what each camp delivers this month (ODD "assessment").

        Sets ``strength`` (F, R); ``camp_strength`` (F, R) for the contenders (camp heads and
        independents; 0 elsewhere); ``can_be_backed`` (F,): active, patronable camp heads and
        independents (support to a camp goes through its head); and, over those candidates C,
        the views the states' decisions read (see `_candidate_views`).
        """
        p, F = self.p, self.n_factions
        if self._holdings_stale:
            self._tally_holdings()
        backing = (self.capacity @ self.support.reshape(self.n_states, -1)).reshape(F, -1)
        self.strength = (
            (self.base_strength[:, None] + p.territory_strength * self._held_military)
            * (1.0 + p.support_effect * backing)
            * self.active[:, None]
        )
        contender = self.active & ((self.camp < 0) | (self.camp == np.arange(F)))
        rows = np.flatnonzero(contender)
        self.camp_strength = np.zeros_like(self.strength)
        self.camp_strength[rows] = self._camp_rows(self.strength, rows)
        self.chance = prospects(self.camp_strength, contender, p.contest_exponent)
        self.can_be_backed = backable(self.active, self.patronable, self.camp)
        self._candidate_views()

    def _camp_rows(self, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """`camp_total` of ``values`` (F, R) for the factions ``rows`` only, shape (len(rows), R)."""
        return values[rows] + self.p.camp_cohesion * (self.members[rows] @ values)

    def _candidate_views(self) -> None:
        """What the states' decisions read, restricted to the factions that can be backed (C).

        ``candidates`` (C,) indices; ``features`` (6, C, R) in `INTERESTS` order: oil delivered to
        the market, migration, security (counter-terror record minus the camp's extremist taint),
        legitimacy, ideology (strength-weighted Islamism of the camp) and prospects; ``security_c``
        (C, R); ``oil_company_c`` (companies, C, R); ``rivalry`` (S, C, R); ``committed``
        (S, C, 1): each state's deployed strength with each camp.
        """
        p, t = self.p, self.step_index
        cand = np.flatnonzero(self.can_be_backed)
        if cand.size != self.month_candidates[t]:  # the draws' layout was planned for this count
            raise RuntimeError(f"{cand.size} factions can be backed in month {t}, "
                               f"{self.month_candidates[t]} were planned")
        self.candidates = cand
        replicates = self.replicates
        oil_salience = self.oil_series[t] / p.oil_reference
        situation = self._perceive_situation()
        islamism = self._camp_rows(self.strength * self.islamist[:, None], cand)
        features = np.empty((6, cand.size, replicates), FLOAT)
        np.multiply(situation[0, cand], p.market_interest * oil_salience, out=features[0])
        np.multiply(self._camp_departures[cand], self.perceived_arrivals / p.migration_reference,
                    out=features[1])
        features[2] = situation[1, cand]
        features[3] = self.legitimacy[cand, None]
        np.divide(islamism, np.maximum(self.camp_strength[cand], 1e-12), out=features[4])
        features[5] = situation[2, cand]  # candidates lead their camp or stand alone: own prospects
        self.features = features
        self.security_c = features[2]
        self.oil_company_c = [oil_salience * held[cand] for held in situation[3:]]
        chosen = self.support[:, cand].reshape(self.n_states, -1)
        self.rivalry = (self.relation @ chosen).reshape(self.n_states, cand.size, replicates)
        self.committed = self.deployed[:, cand, None]

    def _perceive_situation(self) -> np.ndarray:
        """The war as states perceive it: an exponentially weighted memory of the situation.

        The situation of each faction (F, R): the share of national output its camp holds, its
        security record (counter-terror record minus the camp's extremist taint), its prospects,
        and the output share held by each company's fields. Returns the perceived stack
        (3 + companies, F, R), advanced once a month with ``perception_half_life`` (if a month
        is assessed twice, for an open contest, the blend is recomputed from last month's memory).
        """
        if self._situation is None:
            shape = (3 + len(self.companies), self.n_factions, self.replicates)
            self._situation = np.empty(shape, FLOAT)
            self.perceived, self._remembered = np.empty(shape, FLOAT), np.empty(shape, FLOAT)
        now = self._situation
        now[0] = self._camp_output
        for k, held in enumerate(self._camp_company_output):
            now[3 + k] = held
        # a camp is tainted by the worst extremist fighting in it (reputational: not scaled by kappa)
        extremism = self.extremist * self.active
        taint = np.maximum(extremism, (self.members * extremism).max(axis=1))
        np.subtract(camp_total(self.record_ct, self.members, self.p.camp_cohesion), taint[:, None],
                    out=now[1])
        now[2] = self.chance
        if self._situation_month != self.step_index:  # a new month: last month's view is the memory
            self._remembered, self.perceived = self.perceived, self._remembered
            self._has_memory = self._situation_month >= 0
            self._situation_month = self.step_index
        if not self._has_memory:
            self.perceived[...] = now
        else:  # keep * memory + (1 - keep) * now, in place
            np.subtract(self._remembered, now, out=self.perceived)
            self.perceived *= self.perception_keep
            self.perceived += now
        return self.perceived

    def _tally_holdings(self) -> None:
        """Sum what each faction (and camp) holds; redone only after control, camps or stakes change.

        Sets ``_held_military`` (F, R) and, credited to camp heads, the shares of national output
        (``_camp_output``, and per company ``_camp_company_output``) and of migrant departures
        (``_camp_departures``). Monthly levels (oil output, perceived arrivals) scale them.
        """
        F, kappa = self.n_factions, self.p.camp_cohesion
        self._held_military = per_faction_sum(self.control, self.military_value, F)
        self._camp_output = camp_total(per_faction_sum(self.control, self.output_share, F),
                                       self.members, kappa)
        self._camp_company_output = [
            camp_total(per_faction_sum(self.control, self.output_share * stake, F), self.members,
                       kappa)
            for stake in self.stakes
        ]
        self._camp_departures = camp_total(per_faction_sum(self.control, self.departure_share, F),
                                           self.members, kappa)
        self._holdings_stale = False

    # ------------------------------------------------------------------ stage 4: record

    def tilt_of(self, state: int) -> np.ndarray:
        """Current tilt of state ``state``: support for the LNA minus support for the GNA, (R,)."""
        plus, minus = self.faction_index[TILT_PLUS], self.faction_index[TILT_MINUS]
        return self.support[state, plus] - self.support[state, minus]

    def record_month(self) -> None:
        """Keep this month's alignment, tilts and asset control."""
        t = self.step_index
        plus, minus = self.faction_index[TILT_PLUS], self.faction_index[TILT_MINUS]
        np.subtract(self.support[:, plus], self.support[:, minus], out=self._tilts[t])
        self._controls[t] = self.control
        if self.record_mode == "full":
            self._supports[t] = self.support

    @property
    def tilt_history(self) -> np.ndarray:
        """Every state's tilt each month, shape (T, R, S)."""
        return self._tilts.transpose(0, 2, 1)

    @property
    def control_history(self) -> np.ndarray:
        """Controller index of every asset each month, shape (T, R, A)."""
        return self._controls.transpose(0, 2, 1)

    @property
    def support_history(self) -> np.ndarray:
        """Support of every state for every faction each month, shape (T, R, S, F) (record="full")."""
        if self.record_mode != "full":
            raise AttributeError("support_history: this model recorded only tilts (record='tilt')")
        return self._supports.transpose(0, 3, 1, 2)
