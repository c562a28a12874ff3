"""The state of the war in R replicates: who is on stage, who holds what, strengths and records.

`WarState` holds what events change (`sim.events`) and what states' support changes; the month's
assessment (`sim.month.assess`) reads it. Arrays put the replicate axis (R) last. Symbols are those
of docs/ODD.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.arrays import zeros
from sim.core.contest import contest_shares, win_probability
from sim.core.holdings import camp_total, faction_bins, members_sum, membership_matrix, per_faction_sum
from sim.core.sums import ordered_matmul, sum_rows
from sim.events import EVENT_KINDS
from sim.scenario.schema import Event, Scenario
from sim.stage import Stage

#: Floating-point type of the state variables: single precision halves the memory traffic of the
#: batched arithmetic; tilts are reported to far fewer digits than it carries.
FLOAT = np.float32


@dataclass(frozen=True)
class Holdings:
    """What each faction and camp holds, as shares (monthly levels scale them later).

    Attributes:
        military: military value each faction holds, (F, R).
        output: share of the output flowing from open assets credited to each camp head, (F, R).
        company_output: the same through each company's stakes, (companies, F, R).
        withheld: share of national capacity each camp keeps shut by blockades, (F, R).
        company_withheld: the same for each company's stakes, (companies, F, R).
        capital: share of the capital's weight each camp head holds: its capital assets and, at
            their weights, the approaches to the capital, over the whole weight (1 + the sum of
            the approaches' weights, times the capital's), (F, R).
        company_total: each company's share of the flowing output, whoever holds it, (companies,)
            (or (companies, R) when the rows run different inputs).
        departures: share of migrant departures credited to each camp head, plus the share of
            the migrants' transit it holds (`transit_share`), (F, R).
    """

    military: np.ndarray
    output: np.ndarray
    company_output: np.ndarray
    departures: np.ndarray
    withheld: np.ndarray
    company_withheld: np.ndarray
    capital: np.ndarray
    company_total: np.ndarray


@dataclass(frozen=True)
class Strengths:
    """This month's strengths (docs/ODD.md "assessment").

    Attributes:
        own: effective strength of each faction: base and territory, times foreign support, (F, R).
        camp: strength of the camp each contender leads (0 for camp members), (F, R).
        chance: each contender's chance of prevailing, (F, R).
    """

    own: np.ndarray
    camp: np.ndarray
    chance: np.ndarray


class ControlSums:
    """Per-faction sums of the assets' fixed values under one control array (``faction_bins``
    once, and a `per_faction_sum` each for military value, the capital and departures), (F, R)."""

    def __init__(self, control: np.ndarray, war: WarState, n_factions: int) -> None:
        self.bins = faction_bins(control)
        self.military = per_faction_sum(control, war.military_value, n_factions, self.bins)
        self.capital = per_faction_sum(control, war.capital_credit, n_factions, self.bins)
        self.departures = per_faction_sum(control, war.route_share, n_factions, self.bins)


class WarState:
    """Mutable state of the war, for R replicates of one scenario.

    Args:
        scenario: the validated scenario.
        params: validated parameters (`sim.params.NumericParams`).
        replicates: R.
        per_row: give every row its own copy of what events change for all replicates alike
            (``legitimacy``, ``base_strength``, ``stakes``, ``deployed``, ``shut_by`` get a last
            axis R), so that an event may apply to some rows only (`apply`'s ``rows``): the rows of
            a batch may then run different inputs (Shapley coalitions, `sim.coalitions`).

    Fixed tables (from the scenario): ``faction_index``, ``state_index``, ``asset_index``,
    ``companies``, ``patronable``, ``islamist``, ``extremist`` (F,); ``capacity`` (S,);
    ``relation`` (S, S); ``output_share``, ``departure_share``, ``transit_share``,
    ``route_share``, ``haven``, ``military_value``, ``capital``, ``approach``, ``capital_credit``
    (A,).

    State variables: ``stage`` (`sim.stage.Stage`) and its arrays ``active`` (F,) and ``camp``
    (F,: head index, -1 independent) with ``members`` (F, F); ``legitimacy`` (F,);
    ``base_strength`` B_f (F,); ``stakes`` (companies, A); ``control`` (A, R); ``record_ct``
    CT_f (F, R); ``threat`` (S, R); ``support`` a_sf (S, F, R); ``deployed`` D_sf (S, F)
    (given a replicate axis by the model when commitments fade at a rate that differs by replicate);
    ``shut_by`` (A,): the faction whose blockade keeps each asset shut, -1 for an open asset.
    With ``per_row``, ``legitimacy``, ``base_strength``, ``stakes``, ``deployed`` and ``shut_by``
    carry a last axis R.
    """

    #: What an event may change: restored in the rows an event does not apply to.
    EVENT_STATE = ("control", "record_ct", "threat", "support", "legitimacy", "base_strength",
                   "stakes", "deployed", "shut_by")

    def __init__(self, scenario: Scenario, params: Any, replicates: int, *,
                 per_row: bool = False) -> None:
        sc, R = scenario, replicates
        self.p = params
        self.replicates = R
        self.per_row = per_row
        self.faction_index = {fid: i for i, fid in enumerate(sc.faction_ids)}
        self.state_index = {sid: i for i, sid in enumerate(sc.state_ids)}
        self.asset_index = {aid: i for i, aid in enumerate(sc.asset_ids)}
        self.companies = tuple(sorted({s.company for s in sc.states if s.company}))
        self.company_index = {c: i for i, c in enumerate(self.companies)}
        self.n_factions, self.n_states, self.n_assets = len(sc.factions), len(sc.states), len(sc.assets)

        self.patronable = np.array([f.patronable for f in sc.factions])
        self.islamist = np.array([f.islamist for f in sc.factions], FLOAT)
        self.extremist = np.array([f.extremist for f in sc.factions], FLOAT)
        self.capacity = np.array([s.capacity for s in sc.states], FLOAT)
        self.relation = np.zeros((self.n_states, self.n_states), FLOAT)
        for rel in sc.relations:
            a, b = self.state_index[rel.a], self.state_index[rel.b]
            self.relation[a, b] = self.relation[b, a] = rel.value
        self.output_share = np.array([a.output_share for a in sc.assets], FLOAT)
        self.departure_share = np.array([a.departure_share for a in sc.assets], FLOAT)
        self.transit_share = np.array([a.transit_share for a in sc.assets], FLOAT)
        #: each asset's weight in the migration interest: the departures leaving from it plus the
        #: migrants' transit across it (docs/ODD.md 7.2); without transit the same bits as
        #: ``departure_share`` (x + 0.0 is x)
        self.route_share = self.departure_share + self.transit_share
        self.haven = np.array([a.haven for a in sc.assets], FLOAT)
        self.military_value = np.array([a.military_value for a in sc.assets], FLOAT)
        self.capital = np.array([float(a.capital) for a in sc.assets], FLOAT)
        self.approach = np.array([a.approach for a in sc.assets], FLOAT)
        #: each asset's weight in the capital term of prospects: 1 for a capital asset, plus an
        #: approach's share of the capital's whole weight (docs/ODD.md 7.2); without approaches
        #: it is ``capital`` itself (the same bits)
        self.capital_credit = self.capital.copy()
        if self.approach.any():
            self.capital_credit += self.approach * FLOAT(self.capital.sum())

        self.stage = Stage.opening(sc.factions)
        self.active = np.zeros(self.n_factions, bool)
        self.camp = np.full(self.n_factions, -1)
        self.members = np.zeros((self.n_factions, self.n_factions), FLOAT)
        #: ``np.nonzero(members)``: each camp head and a faction fighting in its camp
        self.member_pairs: tuple[np.ndarray, np.ndarray] = np.nonzero(self.members)
        self.sync_stage()
        self.legitimacy = np.array([f.legitimacy for f in sc.factions], FLOAT)
        self.base_strength = np.array([f.strength for f in sc.factions], FLOAT)
        self.stakes = np.zeros((len(self.companies), self.n_assets), FLOAT)
        for j, asset in enumerate(sc.assets):
            for company, share in asset.stakes.items():
                self.stakes[self.company_index[company], j] = share
        initial = np.array([self.faction_index[a.controller] for a in sc.assets])
        self.control = np.repeat(initial[:, None], R, axis=1)
        self.record_ct = np.zeros((self.n_factions, R), FLOAT)
        self.threat = np.zeros((self.n_states, R), FLOAT)
        self.support = zeros((self.n_states, self.n_factions, R), FLOAT)
        self.deployed = np.zeros((self.n_states, self.n_factions), FLOAT)
        self.shut_by = np.full(self.n_assets, -1)
        if per_row:
            for name in ("legitimacy", "base_strength", "stakes", "deployed", "shut_by"):
                shared = getattr(self, name)
                setattr(self, name, np.repeat(shared[..., None], R, axis=-1))
        self._holdings: Holdings | None = None
        #: the sums by controller of what the assets are worth whoever holds them (kept until
        #: control changes: blockades, stakes and camps change the holdings, not these)
        self._by_controller: ControlSums | None = None

    # ---------------------------------------------------------------- events

    def apply(self, event: Event, draws: np.ndarray, rows: np.ndarray | None = None) -> None:
        """Apply one event: its stage rule (if any), then its effect (`sim.events`).

        Args:
            event: the event.
            draws: its uniforms, (draws, R).
            rows: the rows it applies to, (R,) bool; None for all. Only a ``per_row`` war takes
                ``rows``, and only for an event that leaves the stage alone (the stage is shared).
        """
        kind = EVENT_KINDS[event.kind]
        if rows is not None:
            if not self.per_row or kind.changes_stage:
                raise ValueError(f"event {event.id}: only a per-row war applies an event to some "
                                 "rows, and never one that changes the stage")
            # every effect is row by row: apply it everywhere, then put back the rows it skips
            before = {name: getattr(self, name).copy() for name in self.EVENT_STATE}
            kind.apply(self, event, draws)
            for name, old in before.items():
                np.copyto(getattr(self, name), old, where=~rows)
            self._holdings = self._by_controller = None
            return
        if kind.changes_stage:
            kind.change_stage(self.stage, event)
            self.sync_stage()
        kind.apply(self, event, draws)

    def by_row(self, values: np.ndarray) -> np.ndarray:
        """``values`` with a last replicate axis: itself if it has one (``per_row``), else a view
        with an axis of length 1 (broadcasting over the rows)."""
        return values if self.per_row else values[..., None]

    def sync_stage(self) -> None:
        """Bring ``active``, ``camp`` and ``members`` in line with ``stage``."""
        index = self.faction_index
        for fid, i in index.items():
            self.active[i] = fid in self.stage.active
            head = self.stage.camp[fid]
            self.camp[i] = -1 if head is None else index[head]
        self.members = membership_matrix(self.camp).astype(FLOAT)
        self.member_pairs = np.nonzero(self.members)
        self._holdings = None

    def head_of(self, faction: int) -> int:
        """Index of the camp head a faction fights under (itself if head or independent)."""
        head = self.camp[faction]
        return faction if head < 0 else int(head)

    def transfer(self, assets: list[int], taker: int, where: np.ndarray) -> None:
        """Give ``assets`` to ``taker`` in the replicates ``where``, and settle the havens' records.

        Taking a haven from a more extremist holder earns the taker a counter-terror record of
        ``haven x (extremist of the holder - extremist of the taker)``; losing one to a more extremist
        taker costs the holder the same: the record is smooth in the extremist scores (no threshold)
        and what was earned is lost when the haven falls back.
        """
        replicates = np.arange(self.replicates)
        for j in assets:
            previous = self.control[j]
            if self.haven[j] > 0:
                gap = (self.extremist[previous] - self.extremist[taker]) * where  # (R,)
                self.record_ct[taker] += self.haven[j] * np.maximum(gap, 0.0)
                self.record_ct[previous, replicates] -= self.haven[j] * np.maximum(-gap, 0.0)
            self.control[j, where] = taker
        self._holdings = self._by_controller = None

    def hand_over_all(self, faction: int, successor: int) -> None:
        """Everything ``faction`` holds passes to ``successor`` (no fight, no record)."""
        self.control[self.control == faction] = successor
        self.shut_by[self.shut_by == faction] = successor
        self._holdings = self._by_controller = None

    def blockade(self, assets: list[int], faction: int) -> None:
        """``faction`` shuts ``assets`` (which it holds or besieges) until a reopening."""
        self.shut_by[assets] = faction
        self._holdings = None

    def reopen(self, assets: list[int]) -> None:
        self.shut_by[assets] = -1
        self._holdings = None

    def set_stake(self, company: str, asset: int, share: float) -> None:
        self.stakes[self.company_index[company], asset] = share
        self._holdings = None

    def decay(self, record_keep: float | np.ndarray, threat_keep: float | np.ndarray,
              commitment_keep: float | np.ndarray = 1.0) -> None:
        """A month passes: counter-terror records, threat levels and commitments fade, each keeping
        its share (a number, or (R,) for per-replicate parameters) of last month's; an (R,)
        ``commitment_keep`` needs ``deployed`` with a replicate axis."""
        self.record_ct *= record_keep
        self.threat *= threat_keep
        if not (np.ndim(commitment_keep) == 0 and commitment_keep == 1.0):
            self.deployed *= commitment_keep

    @property
    def deployed_by_row(self) -> np.ndarray:
        """``deployed`` with a last replicate axis (of length 1 when every replicate shares it)."""
        return self.deployed if self.deployed.ndim == 3 else self.deployed[..., None]

    # ---------------------------------------------------------------- assessment

    @property
    def holdings(self) -> Holdings:
        """What each faction and camp holds; recomputed only after control, camps, stakes or
        blockades change."""
        if self._holdings is None:
            F, R, kappa, control = self.n_factions, self.replicates, self.p.camp_cohesion, self.control
            if self._by_controller is None:
                self._by_controller = ControlSums(control, self, F)
            by_controller = self._by_controller
            bins = by_controller.bins
            if self.per_row:
                oil = self._oil_by_row()
            else:
                oil = self._oil(self.shut_by, self.stakes)
                oil = (*oil[:3], *(np.broadcast_to(part, (*part.shape[:-1], R)) for part in oil[3:]))
            flow, company_flow, company_total, withheld, company_withheld = oil

            def held(values: np.ndarray) -> np.ndarray:
                return camp_total(per_faction_sum(control, values, F, bins), self.members, kappa,
                                  self.member_pairs)

            capital = by_controller.capital
            # counted whole for the camp
            capital_of_camp = capital + members_sum(self.members, capital, self.member_pairs)
            self._holdings = Holdings(
                military=by_controller.military,
                output=held(flow),
                company_output=np.array([held(values) for values in company_flow],
                                        FLOAT).reshape(len(self.companies), F, R),
                departures=camp_total(by_controller.departures, self.members, kappa, self.member_pairs),
                withheld=withheld,
                company_withheld=company_withheld,
                capital=capital_of_camp / max(float(self.capital_credit.sum()), 1e-12),
                company_total=company_total,
            )
        return self._holdings

    def _oil(self, shut_by: np.ndarray, stakes: np.ndarray) -> tuple[np.ndarray, ...]:
        """What blockades and stakes make of the oil, for one configuration of them.

        Args:
            shut_by: the blockading faction of each asset, -1 if open, (A,).
            stakes: each company's share of each asset, (companies, A).

        Returns:
            Each asset's share of the flowing output (A,), the same through each company's stakes
            (companies, A), each company's share of the flowing output (companies,), the capacity
            each camp keeps shut (F, 1, or R with a camp cohesion per replicate) and the same for
            each company's stakes (companies, F, 1 or R).
        """
        F, kappa = self.n_factions, self.p.camp_cohesion
        is_open = (shut_by < 0).astype(FLOAT)
        flowing = self.output_share * is_open
        open_total = max(float(flowing.sum()), 1e-12)
        # blockades are the same in every replicate: summed once, (F, 1), broadcast
        blockader = np.where(shut_by >= 0, shut_by, 0)[:, None]
        shut = self.output_share * (1.0 - is_open)

        def withheld(values: np.ndarray) -> np.ndarray:
            return camp_total(per_faction_sum(blockader, values, F), self.members, kappa,
                              self.member_pairs)

        company_withheld = [withheld(shut * stake) for stake in stakes]
        return (flowing / open_total,
                np.array([flowing * stake / open_total for stake in stakes], FLOAT).reshape(stakes.shape),
                (stakes @ flowing / open_total).astype(FLOAT),
                withheld(shut),
                np.array(company_withheld, FLOAT).reshape(len(stakes), F, -1))

    def _oil_by_row(self) -> tuple[np.ndarray, ...]:
        """`_oil` of every row of a ``per_row`` war, (..., R): computed once for each distinct
        configuration of blockades and stakes among the rows, so that each row has the bits of a
        run of its own inputs."""
        R = self.replicates
        key = np.concatenate([self.shut_by, self.stakes.reshape(-1, R)]).astype(np.float64)
        configs, which = np.unique(key, axis=1, return_inverse=True)
        which = which.reshape(R)
        parts: list[np.ndarray] | None = None
        for j in range(configs.shape[1]):
            rows = which == j
            column = int(np.argmax(rows))
            # contiguous, as the shared arrays are: BLAS sums a strided matrix in another order
            one = self._oil(np.ascontiguousarray(self.shut_by[:, column]),
                            np.ascontiguousarray(self.stakes[..., column]))
            if parts is None:  # the first three have one value per configuration, the others R
                parts = [np.empty((*(part.shape if k < 3 else part.shape[:-1]), R), FLOAT)
                         for k, part in enumerate(one)]
            for k, (part, whole) in enumerate(zip(one, parts, strict=True)):
                if k < 3:
                    whole[..., rows] = part[..., None]
                else:  # (..., 1) or (..., R): its rows
                    whole[..., rows] = np.broadcast_to(part, (*part.shape[:-1], R))[..., rows]
        return tuple(parts)

    def contenders(self) -> np.ndarray:
        """Factions that contend for the country: active camp heads and independents, (F,) bool."""
        return self.active & ((self.camp < 0) | (self.camp == np.arange(self.n_factions)))

    def can_be_backed(self) -> np.ndarray:
        """Factions a state can back, (F,) bool: active, patronable contenders."""
        return self.contenders() & self.patronable

    def camp_rows(self, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """`camp_total` of ``values`` (F, R) for the factions ``rows`` only, (len(rows), R)."""
        return values[rows] + self.p.camp_cohesion * members_sum(self.members, values,
                                                                 self.member_pairs)[rows]

    def strengths(self) -> Strengths:
        """Strengths and prospects now (own base and territory, times foreign support; camps).

        A contender's chance of prevailing mixes the contest of camp strengths with its camp's hold
        on the capital: ``(1 - omega) x contest + omega x capital share`` (omega =
        ``capital_weight``), so taking, nearing or losing the capital moves prospects. The capital
        share counts the approaches a camp holds at their weights (``Asset.approach``), over what
        the contenders hold in all, so holding an approach raises a camp's chance before it takes
        the capital.
        """
        p, F = self.p, self.n_factions
        holdings = self.holdings
        backing = ordered_matmul(self.capacity, self.support.reshape(self.n_states, -1)).reshape(F, -1)
        # (base + eta x military) x (1 + gamma x backing) x on stage, without temporaries
        own = p.territory_strength * holdings.military
        own += self.by_row(self.base_strength)
        backing *= p.support_effect
        backing += 1.0
        own *= backing
        own *= self.active[:, None]
        rows = np.flatnonzero(self.contenders())
        camp = np.zeros_like(own)
        camp[rows] = self.camp_rows(own, rows)
        # only contenders have a chance: the others' rows stay 0
        contest = contest_shares(camp[rows], p.contest_exponent)
        capital = holdings.capital[rows]
        held = sum_rows(capital)[None]  # other factions hold no share of the capital as camps
        # no weight when no contender holds the capital; single precision whether omega is a
        # number or one per replicate, so that a batch rounds as separate runs do
        omega = np.where(held > 0, p.capital_weight, 0.0).astype(FLOAT)
        chance = np.zeros_like(own)
        chance[rows] = (1.0 - omega) * contest + omega * np.divide(
            capital, held, out=np.zeros_like(capital), where=held > 0)
        return Strengths(own, camp, chance)

    def win_probability(self, attacker: int, defender: int) -> np.ndarray:
        """Chance that ``attacker``'s camp beats ``defender``'s now (Tullock contest), (R,)."""
        camp = self.strengths().camp
        return win_probability(camp[self.head_of(attacker)], camp[self.head_of(defender)],
                               self.p.contest_exponent)

    def taint(self, strength: np.ndarray) -> np.ndarray:
        """Each camp's extremist taint: the extremist scores of the factions fighting in it (its head
        included), weighted by their strength, (F, R); 0 for a camp without strength.

        Args:
            strength: each faction's effective strength this month, (F, R) (0 off stage).
        """
        weighted = strength * self.extremist[:, None]
        total = strength + members_sum(self.members, strength, self.member_pairs)
        tainted = weighted + members_sum(self.members, weighted, self.member_pairs)
        return np.divide(tainted, total, out=np.zeros_like(total), where=total > 0)
