"""The alignment model: one `mesa.Model` simulating R replicates of a scenario at once."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from sim.agents import FactionAgent, StateAgent
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
#: A faction whose extremist score reaches this is a terror holder: taking its havens earns a record.
EXTREMIST_THRESHOLD = 0.5


class AlignmentModel(mesa.Model):
    """Monthly alignment dynamics of foreign states over Libyan factions, for R replicates.

    Each step (one month): the month's events apply; factions' strengths, holdings and prospects
    are assessed; every state values every faction; every state moves its support toward its best
    response; the month is recorded. See docs/ODD.md for the symbols.

    Args:
        scenario: a validated scenario (see `sim.scenario.load_scenario`).
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
        self.scenario = scenario
        self.replicates = int(replicates)
        self.first_replicate = int(first_replicate)
        self.record_mode = record
        self.replicate_ids = None
        if replicate_ids is not None:
            ids = np.asarray(replicate_ids, dtype=np.int64)
            if ids.shape != (self.replicates,) or ids.min() < 0:
                raise ValueError(f"replicate_ids must be {self.replicates} non-negative integers")
            self.replicate_ids = ids
        self.p = resolve_params(params, scenario, self.replicates)
        self.has_noise = not (np.isscalar(self.p.noise) and self.p.noise == 0.0)
        self._setup_arrays()
        self._setup_agents()
        self._setup_timeline()
        self.streams = ReplicateStreams(int(seed), self.n_states * self.n_factions + self.open_slots)
        self.step_index = 0

    # ------------------------------------------------------------------ construction

    def _setup_arrays(self) -> None:
        sc, R = self.scenario, self.replicates
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
        self.members = membership_matrix(self.camp)
        self.legitimacy = np.array([f.legitimacy for f in sc.factions])
        self.islamist = np.array([f.islamist for f in sc.factions])
        self.extremist = np.array([f.extremist for f in sc.factions])
        self.base_strength = np.array([f.strength for f in sc.factions])
        self.capacity = np.array([s.capacity for s in sc.states])
        self.relation = np.zeros((self.n_states, self.n_states))
        for rel in sc.relations:
            a, b = self.state_index[rel.a], self.state_index[rel.b]
            self.relation[a, b] = self.relation[b, a] = rel.value

        self.output_share = np.array([a.output_share for a in sc.assets])
        self.departure_share = np.array([a.departure_share for a in sc.assets])
        self.haven = np.array([a.haven for a in sc.assets])
        self.military_value = np.array([a.military_value for a in sc.assets])
        self.stakes = np.zeros((len(self.companies), self.n_assets))
        for j, asset in enumerate(sc.assets):
            for company, share in asset.stakes.items():
                self.stakes[self.company_index[company], j] = share

        initial = np.array([fi[a.controller] for a in sc.assets])
        self.control = np.tile(initial, (R, 1))
        self.record_ct = np.zeros((R, self.n_factions))
        self.threat = np.zeros((R, self.n_states))
        self.support = np.zeros((R, self.n_states, self.n_factions))
        self.deployed = np.zeros((self.n_states, self.n_factions))
        self.migration_series = sc.monthly("migrant_arrivals")
        self.oil_series = sc.monthly("oil_output")

        T = sc.n_months
        if self.record_mode == "full":
            self.support_history = np.zeros((T, R, self.n_states, self.n_factions), np.float32)
        self.tilt_history = np.zeros((T, R, self.n_states))
        self.control_history = np.zeros((T, R, self.n_assets), np.int16)

    def _setup_agents(self) -> None:
        self.faction_agents = [
            FactionAgent(self, spec, i) for i, spec in enumerate(self.scenario.factions)
        ]
        self.state_agents = [StateAgent(self, spec, i) for i, spec in enumerate(self.scenario.states)]

    def _setup_timeline(self) -> None:
        sc = self.scenario
        self.events_by_step: list[list[Event]] = [[] for _ in range(sc.n_months)]
        for event in sc.events:
            self.events_by_step[event.month - sc.start].append(event)
        self.open_slots = max(
            (sum(e.kind == "offensive" and e["outcome"] == "open" for e in month)
             for month in self.events_by_step),
            default=0,
        )
        p = self.p
        self.record_decay = np.power(0.5, 1.0 / p.record_half_life)
        self.threat_decay = np.power(0.5, 1.0 / p.threat_half_life)
        self.migration_keep = np.power(0.5, 1.0 / p.migration_half_life)
        self.perceived_arrivals = self.migration_series[0] * np.ones((self.replicates, 1))

    # ------------------------------------------------------------------ schedule

    def step(self) -> None:
        """One month: events, assessment, valuation, adjustment, record."""
        if self.step_index >= self.scenario.n_months:
            raise RuntimeError("the scenario's period is over; build a new model to run again")
        self.draws = self._month_draws()
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
            return self.streams.uniforms(self.step_index, self.first_replicate, self.replicates)
        low, high = int(self.replicate_ids.min()), int(self.replicate_ids.max())
        block = self.streams.uniforms(self.step_index, low, high - low + 1)
        return block[self.replicate_ids - low]

    def run(self, progress: Any = None) -> AlignmentModel:
        """Run every remaining month; ``progress`` is called with 1 after each month (optional)."""
        while self.step_index < self.scenario.n_months:
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
        slot = self.n_states * self.n_factions
        for event in self.events_by_step[self.step_index]:
            if event.kind == "offensive":
                draws = None
                if event["outcome"] == "open":
                    draws = self.draws[:, slot]
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
            previous = self.control[:, j]
            from_terror = (self.extremist[previous] >= EXTREMIST_THRESHOLD) & where
            if self.haven[j] > 0 and self.extremist[taker] < EXTREMIST_THRESHOLD:
                self.record_ct[:, taker] += self.haven[j] * from_terror
            self.control[where, j] = taker

    def _control(self, event: Event) -> None:
        everywhere = np.ones(self.replicates, dtype=bool)
        self._transfer([self.asset_index[a] for a in event["assets"]],
                       self.faction_index[event["to"]], everywhere)

    def _strength(self, event: Event) -> None:
        self.base_strength[self.faction_index[event["faction"]]] *= 1.0 + event["change"]

    def _terror(self, event: Event) -> None:
        for sid in event["affects"]:
            self.threat[:, self.state_index[sid]] += event["severity"]

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
        self.support[:, :, f] = 0.0
        self.deployed[:, successor] += self.deployed[:, f]
        self.deployed[:, f] = 0.0
        self.record_ct[:, f] = 0.0

    def _allegiance(self, event: Event) -> None:
        f, head = self.faction_index[event["faction"]], event["camp"]
        self.camp[f] = -1 if head is None else self.faction_index[head]
        self.members = membership_matrix(self.camp)
        if head is not None and self.camp[f] != f:
            # support to a camp goes through its head: what the faction received moves there
            self.support[:, :, self.camp[f]] += self.support[:, :, f]
            self.support[:, :, f] = 0.0

    def _legitimacy(self, event: Event) -> None:
        self.legitimacy[self.faction_index[event["faction"]]] = event["value"]

    def _stake(self, event: Event) -> None:
        self.stakes[self.company_index[event["company"]], self.asset_index[event["asset"]]] = event["value"]

    # ------------------------------------------------------------------ stage 2: assessment

    def head_of(self, faction: int) -> int:
        """Index of the camp head a faction fights under (itself if head or independent)."""
        head = self.camp[faction]
        return faction if head < 0 else head

    def assess_factions(self) -> None:
        """Strengths, prospects and what each faction's camp delivers this month (ODD "assessment").

        Sets (R, F) arrays: ``strength``, ``camp_strength``, ``winner``, ``oil_market``,
        ``oil_company`` (C, R, F), ``migration``, ``security``, ``ideology`` (strength-weighted
        Islamism of the camp it leads); ``rivalry`` (R, S, F); ``committed`` (S, F): each
        state's deployed strength with each camp (credited to the camp head at deployment); and
        ``can_be_backed`` (F,): active, patronable camp heads and independents (support to a camp
        goes through its head).
        """
        p, t, F = self.p, self.step_index, self.n_factions
        kappa = p.camp_cohesion
        held = per_faction_sum(self.control, self.military_value, F)
        backing = np.einsum("s,rsf->rf", self.capacity, self.support)
        self.strength = (
            (self.base_strength + p.territory_strength * held)
            * (1.0 + p.support_effect * backing)
            * self.active
        )
        self.camp_strength = camp_total(self.strength, self.members, kappa)
        heads = np.arange(F)
        contender = self.active & ((self.camp < 0) | (self.camp == heads))
        chance = prospects(self.camp_strength, contender, p.contest_exponent)
        self.winner = chance + kappa * (chance @ self.members)

        output = self.output_share * (self.oil_series[t] / p.oil_reference)
        self.oil_market = camp_total(per_faction_sum(self.control, output, F), self.members, kappa)
        self.oil_company = [
            camp_total(per_faction_sum(self.control, output * stake, F), self.members, kappa)
            for stake in self.stakes
        ]
        salience = self.perceived_arrivals / p.migration_reference
        self.migration = camp_total(
            per_faction_sum(self.control, self.departure_share * salience, F), self.members, kappa
        )
        # a camp is tainted by the worst extremist fighting in it (reputational: not scaled by kappa)
        extremism = self.extremist * self.active
        taint = np.maximum(extremism, (self.members * extremism).max(axis=1))
        self.security = camp_total(self.record_ct, self.members, kappa) - taint
        self.ideology = camp_total(self.strength * self.islamist, self.members, kappa) / np.maximum(
            self.camp_strength, 1e-12)
        self.rivalry = np.matmul(self.relation, self.support)
        self.committed = self.deployed
        # support to a camp goes through its head: members are backed via their head
        self.can_be_backed = self.active & self.patronable & ((self.camp < 0) | (self.camp == heads))

    # ------------------------------------------------------------------ stage 4: record

    def tilt_of(self, state: int) -> np.ndarray:
        """Current tilt of state ``state``: support for the LNA minus support for the GNA, (R,)."""
        plus, minus = self.faction_index[TILT_PLUS], self.faction_index[TILT_MINUS]
        return self.support[:, state, plus] - self.support[:, state, minus]

    def record_month(self) -> None:
        """Keep this month's alignment, tilts and asset control."""
        t = self.step_index
        plus, minus = self.faction_index[TILT_PLUS], self.faction_index[TILT_MINUS]
        self.tilt_history[t] = self.support[:, :, plus] - self.support[:, :, minus]
        self.control_history[t] = self.control
        if self.record_mode == "full":
            self.support_history[t] = self.support
