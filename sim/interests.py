"""States' interests, by name: each one's feature built by a named function.

A state values a faction it can back as V_sf = sum_k w_sk x_k(s, f) + c D_sf + sigma eps_sf
(docs/ODD.md, submodel "valuation"). Each interest k declares how its feature x_k is built from
what states perceive this month (`Perceived`): a part ``common`` to every state (computed once a
month), and a part ``own`` to each state (its threat, its company, its partners), built for all
states at once. The order of
`INTERESTS` is the order of the weight vectors everywhere.

Adding an interest: its `Interest` in `INTERESTS` with its builder functions, its line in
docs/ODD.md, and a weight for it in every scenario's states. Extensions and tests may add one at
run time with `registered`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Perceived:
    """What states perceive this month of the factions they can back (the C candidates).

    Arrays put the replicate axis (R) last. Perceived quantities pass through the states'
    memories (docs/ODD.md, "perception").

    Attributes:
        oil_salience: national output / ``oil_reference``, a number (or (R,)).
        market_interest: nu, the value of each unit of output a camp holds whatever the stakes.
        output: share of the flowing output each candidate's camp holds, perceived, (C, R).
        company_output: the same held through each company's stakes, perceived, (companies, C, R).
        withheld: share of national capacity each candidate's camp keeps shut by blockades,
            perceived, (C, R).
        company_withheld: the same for each company's stakes, perceived, (companies, C, R).
        company_total: each company's share of the flowing output, whoever holds it, (companies,)
            (or (companies, R)).
        oil_foresight: rho, the share of the oil a camp is credited with by its prospects of
            prevailing (what it would hold after winning) rather than by what it holds now.
        departures: share of migrant departures each candidate's camp holds, plus the share of the
            migrants' transit it holds (assets marked `transit_share`), (C, R).
        arrivals_salience: perceived arrivals / ``migration_reference``, with the migration
            interest's diminishing returns (`valued_arrivals`), (R,).
        security: counter-terror record minus the camp's extremist taint, perceived and valued
            with the security interest's diminishing returns (`valued_security`), (C, R).
        legitimacy: international recognition, (C, 1) (or (C, R) when the rows run different
            inputs).
        islamism: strength-weighted Islamism of each candidate's camp, (C, R).
        prospects: each candidate's chance of prevailing, perceived, (C, R).
        threat: each state's threat level, (S, R).
        partners_support: sum over other states of relation x their support, (S, C, R).
        company_of: each state's company index, -1 for none, (S,).
        momentum: each candidate's perceived momentum: its perceived chance of prevailing minus a
            slower memory of that perceived chance (docs/ODD.md, "perception"), (C, R); None when
            states do not read the war's trend (``trend_weight`` 0).
        trend_weight: tau, the weight of momentum added to prospects in the winner interest (a
            number or (R,)).
        migration_counterpart: mu, the share of a camp's departures valued only through its
            head's recognition (``legitimacy``), a number or (R,); 0: valued whoever holds them.
    """

    oil_salience: np.floating | np.ndarray
    market_interest: float | np.ndarray
    output: np.ndarray
    company_output: np.ndarray
    withheld: np.ndarray
    company_withheld: np.ndarray
    company_total: np.ndarray
    oil_foresight: float | np.ndarray
    departures: np.ndarray
    arrivals_salience: np.ndarray
    security: np.ndarray
    legitimacy: np.ndarray
    islamism: np.ndarray
    prospects: np.ndarray
    threat: np.ndarray
    partners_support: np.ndarray
    company_of: np.ndarray
    momentum: np.ndarray | None = None
    trend_weight: float | np.ndarray = 0.0
    migration_counterpart: float | np.ndarray = 0.0


Builder = Callable[[Perceived], np.ndarray]
OwnBuilder = Callable[[Perceived], np.ndarray]


@dataclass(frozen=True)
class Interest:
    """One interest of the states.

    Attributes:
        name: its key in scenarios' ``weights`` and in ``params.state_weights``.
        doc: what a faction offers on it.
        common: its feature for every state, (C, R) or broadcastable to it; None if it has none.
        own: the part particular to each state, ``own(perceived)`` -> (S, C, R), or None.
        partners: whether ``own`` reads ``partners_support`` (it is then built again while the
            month's supports settle, ``partners_now`` > 0; docs/ODD.md 7.8).
    """

    name: str
    doc: str
    common: Builder | None = None
    own: OwnBuilder | None = None
    partners: bool = False


def expected_output(p: Perceived) -> np.ndarray:
    """Share of the flowing output credited to each camp: (1 - rho) x what it holds now + rho x its
    prospects of prevailing (who threatens the assets counts as well as who holds them)."""
    return (1.0 - p.oil_foresight) * p.output + p.oil_foresight * p.prospects


def oil_market(p: Perceived) -> np.ndarray:
    """nu x (share of the flowing output credited to the camp x oil salience - share of capacity
    it keeps shut): a camp is valued for the oil it delivers, or would deliver after winning, and
    held to account for the oil it withholds."""
    return p.market_interest * (expected_output(p) * p.oil_salience - p.withheld)


def oil_company(p: Perceived) -> np.ndarray:
    """The same through each state's company's stakes (0 for a state without a company)."""
    held = np.zeros((p.company_of.size, *p.output.shape), p.output.dtype)
    has = p.company_of >= 0
    for s in np.flatnonzero(has):
        k = p.company_of[s]
        credited = ((1.0 - p.oil_foresight) * p.company_output[k]
                    + p.oil_foresight * p.prospects * p.company_total[k])
        held[s] = p.oil_salience * credited - p.company_withheld[k]
    return held


def migration_control(p: Perceived) -> np.ndarray:
    """Share of departures (and transit) the camp holds x perceived arrivals (salience), x
    (1 - mu + mu x the recognition of the camp's head) with ``migration_counterpart`` mu > 0: a
    state agrees on departures with a recognised authority, so a coast held by a camp no one
    recognises is worth that much less to it."""
    control = p.departures * p.arrivals_salience
    if np.isscalar(p.migration_counterpart) and p.migration_counterpart == 0.0:
        return control
    return control * (1.0 - p.migration_counterpart + p.migration_counterpart * p.legitimacy)


def diminishing_returns(x: np.ndarray, curvature: float | np.ndarray) -> np.ndarray:
    """tanh(c x) / c (``curvature`` c > 0, a number or one per replicate, (R,)); x itself at c = 0.
    Smooth, odd and increasing, with slope 1 at 0: no threshold, and what falls back is valued
    less by the same curve."""
    if np.isscalar(curvature) and curvature == 0.0:
        return x
    c = np.asarray(curvature, dtype=x.dtype)
    safe = np.where(c > 0.0, c, 1.0)
    return np.where(c > 0.0, np.tanh(safe * x) / safe, x).astype(x.dtype)


def valued_security(security: np.ndarray, curvature: float | np.ndarray) -> np.ndarray:
    """A camp's perceived security x (counter-terror record minus extremist taint, (C, R)) as states
    value it: `diminishing_returns` with ``curvature`` c (1/record units, a number or (R,))."""
    return diminishing_returns(security, curvature)


def valued_arrivals(salience: np.ndarray, curvature: float | np.ndarray) -> np.ndarray:
    """Perceived arrivals as states weigh them (salience: arrivals / the reference, (R,)):
    `diminishing_returns` with ``curvature`` c (per unit of salience, a number or (R,)). With c > 0
    the weight of the coast grows less than the arrivals while they peak, and falls with them by
    nearly as much once they are few (c = 0: in proportion to the arrivals)."""
    return diminishing_returns(salience, curvature)


def security_record(p: Perceived) -> np.ndarray:
    """Counter-terror record minus extremist taint, as valued."""
    return p.security


def security_threat(p: Perceived) -> np.ndarray:
    """The same record, weighted again by each state's threat level."""
    return p.threat[:, None, :] * p.security


def recognition(p: Perceived) -> np.ndarray:
    return p.legitimacy


def islamism(p: Perceived) -> np.ndarray:
    return p.islamism


def prospects(p: Perceived) -> np.ndarray:
    """Perceived chance of prevailing, plus tau x perceived momentum when states read the trend."""
    if p.momentum is None:
        return p.prospects
    return p.prospects + p.trend_weight * p.momentum


def partners_backing(p: Perceived) -> np.ndarray:
    """Partners' support counts for a faction, rivals' against it."""
    return p.partners_support


#: The interests, in the order of the weight vectors.
INTERESTS: tuple[Interest, ...] = (
    Interest("oil", "hydrocarbons: output the camp delivers less capacity it keeps shut, and the "
             "same for its company's stakes",
             oil_market, oil_company),
    Interest("migration", "control of the departure coast, scaled by perceived arrivals (and, with "
             "migration_counterpart, by the recognition of the camp's head)",
             migration_control),
    Interest("security", "counter-terror record minus extremist taint, scaled by (1 + threat)",
             security_record, security_threat),
    Interest("legitimacy", "UN recognition", recognition),
    Interest("ideology", "Islamism of the camp (> 0 favours Islamist-leaning factions)", islamism),
    Interest("winner", "prospects of prevailing (and, with trend_weight, their momentum)",
             prospects),
    Interest("rivalry", "partners' support minus rivals'", own=partners_backing, partners=True),
)

_registry: dict[str, Interest] = {i.name: i for i in INTERESTS}


def interests() -> tuple[Interest, ...]:
    """Every interest in force (the built-in ones, then any registered), in weight order."""
    return tuple(_registry.values())


def interest_names() -> tuple[str, ...]:
    """The names of `interests()`, in weight order."""
    return tuple(_registry)


@contextlib.contextmanager
def registered(interest: Interest) -> Iterator[Interest]:
    """Add an interest while the block runs (scenarios loaded inside it must weight it)."""
    if interest.name in _registry:
        raise ValueError(f"interest {interest.name!r} exists already: {list(_registry)}")
    if interest.common is None and interest.own is None:
        raise ValueError(f"interest {interest.name!r} needs a common or an own builder")
    _registry[interest.name] = interest
    try:
        yield interest
    finally:
        del _registry[interest.name]
