"""The month's assessment: one immutable view of the war that the states' decisions read.

Each step, after the month's events, `assess` builds a `MonthView` from the `WarState` and the
states' memories (`Memory`): strengths, prospects, holdings, what each state perceives, taints and
records, and each interest's common feature. Agents read nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.arrays import zeros
from sim.core.holdings import camp_total
from sim.core.sums import ordered_matmul
from sim.interests import Interest, Perceived, interests, valued_arrivals, valued_security
from sim.war import FLOAT, WarState

#: Rows of the remembered situation before the companies' rows: output held, security record,
#: prospects, output withheld.
SITUATION_ROWS = 4


class Memory:
    """An exponentially weighted memory, advanced once a month: m <- keep m + (1 - keep) x.

    The first value seen is remembered as it is.

    Args:
        keep: share of the memory kept each month (from a half-life), a number or (R,).
        shape: shape of what is remembered.
    """

    def __init__(self, keep: float | np.ndarray, shape: tuple[int, ...]) -> None:
        self.keep = keep
        self.value = zeros(shape, FLOAT)
        self._spare = zeros(shape, FLOAT)
        self.empty = True

    def advance(self, now: np.ndarray) -> np.ndarray:
        """Remember ``now``; return the memory (updated in place, no allocation)."""
        if self.empty:
            self.value[...] = now
            self.empty = False
        else:  # keep * memory + (1 - keep) * now, as (memory - now) * keep + now
            np.subtract(self.value, now, out=self._spare)
            self._spare *= self.keep
            self._spare += now
            self.value, self._spare = self._spare, self.value
        return self.value


class SituationMemory(Memory):
    """The states' memory of the war's situation, one column per faction (shape (rows, F, R)).

    A faction's column starts from what is seen of it in the month it first comes on stage, as the
    whole memory starts from its first value: states do not remember a faction before it exists.

    Args:
        keep: share of the memory kept each month.
        shape: (rows, columns, R).
        factions: the faction of each column, increasing (default: column f is faction f). States
            read the memory only for factions they can back: a model keeps columns only for the
            factions its timeline ever lets them back, and the others are never computed.
    """

    def __init__(self, keep: float | np.ndarray, shape: tuple[int, ...],
                 factions: np.ndarray | None = None) -> None:
        super().__init__(keep, shape)
        self.factions = np.arange(shape[1]) if factions is None else np.asarray(factions)
        if self.factions.shape != (shape[1],) or np.any(np.diff(self.factions) <= 0):
            raise ValueError(f"factions must be {shape[1]} increasing indices, one per column")
        self.seen = np.zeros(shape[1], bool)
        #: where the month's situation is written before it is remembered (reused every month)
        self.now = zeros(shape, FLOAT)

    def columns(self, factions: np.ndarray) -> np.ndarray:
        """The columns of ``factions`` (which must all have one)."""
        at = np.minimum(np.searchsorted(self.factions, factions), self.factions.size - 1)
        if not np.array_equal(self.factions[at], factions):
            raise ValueError(f"factions {np.setdiff1d(factions, self.factions)} are not remembered")
        return at

    def advance(self, now: np.ndarray, active: np.ndarray | None = None) -> np.ndarray:
        """Remember ``now``; a faction ``active`` for the first time is remembered as it is now."""
        value = super().advance(now)
        if active is not None:
            entering = active & ~self.seen
            if entering.any():
                value[:, entering] = now[:, entering]
            self.seen |= active
        return value


@dataclass(frozen=True)
class MonthView:
    """What the states' decisions read in one month (read-only arrays, replicate axis last).

    Attributes:
        month: model step (0 for the scenario's first month; -1 before any).
        candidates: factions a state can back (C,): active, patronable camp heads and independents.
        active: factions on stage, (F,) bool.
        strength: effective strength of each faction, (F, R).
        camp_strength: strength of the camp each contender leads (0 for members), (F, R).
        chance: each contender's chance of prevailing (not perceived), (F, R).
        holdings: share of output, departures and military value per camp head (`sim.war.Holdings`).
        taint: each camp's extremist taint (strength-weighted extremist scores), (F, R).
        record: each camp's counter-terror record (camp total), (F, R).
        perceived: what states perceive of the candidates (`sim.interests.Perceived`).
        common: each interest's common feature, (K_common, C, R), for `common_interests`.
        common_interests: names of the interests with a common feature, in weight order.
        own: each interest's part particular to each state, one (S, C, R) array per name of
            `own_interests`.
        own_interests: names of the interests with an own part, in weight order.
        committed: strength each state has deployed with each candidate's camp, (S, C, 1)
            (or (S, C, R) when the rows run different inputs).
        shocks: logistic shocks on each state's valuations, (S x C, R), or None without noise.
        tilt_pair: the factions standing for the tilt's two sides this month, (plus, minus)
            indices (`sim.scenario.TiltSides`).
    """

    month: int
    candidates: np.ndarray
    active: np.ndarray
    strength: np.ndarray
    camp_strength: np.ndarray
    chance: np.ndarray
    holdings: object
    taint: np.ndarray
    record: np.ndarray
    perceived: Perceived
    common: np.ndarray
    common_interests: tuple[str, ...]
    own: tuple[np.ndarray, ...]
    own_interests: tuple[str, ...]
    committed: np.ndarray
    shocks: np.ndarray | None
    tilt_pair: tuple[int, int]

    def shocks_of(self, state: int) -> np.ndarray | None:
        """State ``state``'s shocks on its valuation of each candidate, (C, R), or None."""
        if self.shocks is None:
            return None
        size = self.candidates.size
        return self.shocks[state * size : (state + 1) * size]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def common_features(perceived: Perceived, chosen: tuple[Interest, ...], *, candidates: int,
                    replicates: int) -> np.ndarray:
    """Stack the common features of ``chosen`` interests, (len(chosen), C, R)."""
    stack = np.empty((len(chosen), candidates, replicates), FLOAT)
    for k, interest in enumerate(chosen):
        stack[k] = interest.common(perceived)
    return stack


def perceived_momentum(perceived_chance: np.ndarray, trend_memory: SituationMemory,
                       active: np.ndarray) -> np.ndarray:
    """Each faction's momentum: its perceived chance minus a slower memory of it, (columns, R).

    Positive while a camp gains ground (its perceived chance runs ahead of the slow memory),
    fading back to 0 once the gains stop, negative while it loses ground. A faction's column
    starts at 0 in the month it comes on stage (both memories start from what is seen then).

    Args:
        perceived_chance: the perceived chance of prevailing (the situation memory's prospects
            row), (1, columns, R), in [0, 1].
        trend_memory: the slower memory (half-life ``trend_half_life``, months), advanced here.
        active: which remembered factions are on stage, (columns,) bool.
    """
    slow = trend_memory.advance(perceived_chance, active)
    return perceived_chance[0] - slow[0]


def partners_support(relation: np.ndarray, support: np.ndarray,
                     candidates: np.ndarray | None = None) -> np.ndarray:
    """Sum over other states of relation x their ``support`` of each candidate: (S, C, n).

    Args:
        relation: relation between each pair of states, (S, S), 0 on the diagonal.
        support: every state's support of every faction, (S, F, n); or of the candidates alone,
            (S, C, n), when ``candidates`` is None.
        candidates: the factions a state can back (C,), indices into ``support``'s second axis.
    """
    states = support.shape[0]
    chosen = support if candidates is None else np.take(support, candidates, axis=1)
    size = chosen.shape[1]
    return ordered_matmul(relation, chosen.reshape(states, -1)).reshape(states, size, -1)


def partners_view(view: MonthView, relation: np.ndarray, seen_support: np.ndarray, *,
                  of_candidates: bool = False) -> MonthView:
    """``view`` with partners' and rivals' support as ``seen_support`` gives it.

    The parts particular to each state (``own``) of the interests that read partners' support (the
    rivalry interest, and any marked ``partners``) are built again; the rest is unchanged.

    Args:
        view: the month's view.
        relation: relation between each pair of states, (S, S), 0 on the diagonal.
        seen_support: the support of every state for every faction that the states see, (S, F, R),
            or for the view's candidates alone, (S, C, R), with ``of_candidates``.
    """
    partners = partners_support(relation, seen_support, None if of_candidates else view.candidates)
    perceived = _replaced(view.perceived, partners_support=partners)
    with_own = tuple(i for i in interests() if i.own is not None)
    own = tuple(_frozen(np.asarray(interest.own(perceived), FLOAT)) if interest.partners else part
                for interest, part in zip(with_own, view.own, strict=True))
    return _replaced(view, perceived=perceived, own=own)


def _replaced(record, **changes):
    """``dataclasses.replace(record, **changes)`` for a frozen record already built (a `MonthView`
    or its `Perceived`), without running its ``__init__`` again: a month with anticipation
    rebuilds its view three times, and replacing through ``__init__`` cost a fortieth of the
    month's time with one replicate."""
    unknown = changes.keys() - record.__dataclass_fields__.keys()
    if unknown:
        raise TypeError(f"{type(record).__name__} has no fields {sorted(unknown)}")
    new = object.__new__(type(record))
    new.__dict__.update(record.__dict__, **changes)
    return new


def assess(war: WarState, *, month: int, oil_output: np.float32 | np.ndarray, arrivals: np.ndarray,
           situation_memory: SituationMemory | None, company_of: np.ndarray,
           shocks: np.ndarray | None = None, tilt_pair: tuple[int, int] = (0, 0),
           trend_memory: SituationMemory | None = None) -> MonthView:
    """The month's view of the war.

    Args:
        war: the war after this month's events.
        month: model step.
        oil_output: national output this month, barrels/day (or one per row, (R,)).
        arrivals: perceived migrant arrivals per month, (R,).
        situation_memory: the states' memory of the situation (output held, security record,
            prospects, output withheld, then company output and company output withheld:
            (SITUATION_ROWS + 2 x companies, columns, R), a column for each faction states may
            ever back), advanced here (a faction's column starts when it first comes on stage);
            None to perceive the
            situation as it is without remembering it (the view of a model not yet stepped).
        company_of: each state's company index, -1 for none, (S,).
        shocks: logistic shocks for the valuations, (S x C, R), or None.
        tilt_pair: the factions standing for the tilt's two sides this month (plus, minus).
        trend_memory: the states' slower memory of the perceived chance of prevailing, (1,
            columns, R), with the same columns as ``situation_memory``, advanced here after it;
            None when states do not read the war's trend (``trend_weight`` 0: no momentum is
            computed, the same bits as without it) or when ``situation_memory`` is None.
    """
    p = war.p
    holdings = war.holdings
    strengths = war.strengths()
    candidates = np.flatnonzero(war.can_be_backed())
    taint = war.taint(strengths.own)
    record = camp_total(war.record_ct, war.members, p.camp_cohesion, war.member_pairs)

    companies = holdings.company_output.shape[0]
    if situation_memory is None:
        kept = np.arange(war.n_factions)
        now = np.empty((SITUATION_ROWS + 2 * companies, war.n_factions, war.replicates), FLOAT)
    else:
        kept, now = situation_memory.factions, situation_memory.now
    # contiguous arrays taken straight into the buffer (mode="clip": the columns are valid, and
    # numpy buffers ``out`` in the default mode); the blockades' shares, the same in every
    # replicate, are broadcast views that take would first copy whole
    np.take(holdings.output, kept, axis=0, out=now[0], mode="clip")
    np.subtract(record[kept], taint[kept], out=now[1])
    np.take(strengths.chance, kept, axis=0, out=now[2], mode="clip")
    now[3] = holdings.withheld[kept]
    rows = SITUATION_ROWS + companies
    np.take(holdings.company_output, kept, axis=1, out=now[SITUATION_ROWS:rows], mode="clip")
    now[rows:] = holdings.company_withheld[:, kept]
    momentum = None
    if situation_memory is None:
        seen, at = now, candidates
    else:
        seen = situation_memory.advance(now, war.active[kept])
        at = situation_memory.columns(candidates)
        if trend_memory is not None:
            momentum = perceived_momentum(seen[2:3], trend_memory, war.active[kept])[at]

    c = candidates
    oil_salience = oil_output / p.oil_reference
    islamism = war.camp_rows(strengths.own * war.islamist[:, None], c)
    perceived = Perceived(
        oil_salience=oil_salience,
        market_interest=p.market_interest,
        output=seen[0, at],
        company_output=seen[SITUATION_ROWS:SITUATION_ROWS + companies, at],
        withheld=seen[3, at],
        company_total=holdings.company_total,
        oil_foresight=p.oil_foresight,
        company_withheld=seen[SITUATION_ROWS + companies:, at],
        departures=holdings.departures[c],
        arrivals_salience=valued_arrivals(arrivals / p.migration_reference, p.migration_curvature),
        security=valued_security(seen[1, at], p.security_curvature),
        legitimacy=war.by_row(war.legitimacy)[c],
        islamism=np.divide(islamism, np.maximum(strengths.camp[c], 1e-12)),
        prospects=seen[2, at],  # candidates lead their camp or stand alone: their own prospects
        threat=war.threat.copy(),
        partners_support=partners_support(war.relation, war.support, c),
        company_of=company_of,
        momentum=momentum,
        trend_weight=p.trend_weight,
        migration_counterpart=p.migration_counterpart,
    )
    with_common = tuple(i for i in interests() if i.common is not None)
    common = common_features(perceived, with_common, candidates=c.size, replicates=war.replicates)
    with_own = tuple(i for i in interests() if i.own is not None)
    own = tuple(_frozen(np.asarray(interest.own(perceived), FLOAT)) for interest in with_own)
    return MonthView(
        month=month,
        candidates=_frozen(candidates),
        active=_frozen(war.active.copy()),
        strength=_frozen(strengths.own),
        camp_strength=_frozen(strengths.camp),
        chance=_frozen(strengths.chance),
        holdings=holdings,
        taint=_frozen(taint),
        record=_frozen(record),
        perceived=perceived,
        common=_frozen(common),
        common_interests=tuple(i.name for i in with_common),
        own=own,
        own_interests=tuple(i.name for i in with_own),
        committed=_frozen(war.deployed_by_row[:, c]),
        shocks=shocks,
        tilt_pair=tilt_pair,
    )
