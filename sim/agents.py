"""Mesa agents: foreign states that choose whom to back, and Libyan factions that fight.

One agent object stands for its actor in all R replicates at once: its arrays carry the replicate
axis last. Agents read the month through the model's `sim.month.MonthView` and nothing else of the
model; a state updates its own support (its slice of the war's support array).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.core.alignment import best_response
from sim.core.sums import weighted_sum_rows
from sim.interests import interests
from sim.month import MonthView
from sim.scenario.schema import Faction, State

if TYPE_CHECKING:
    from sim.model import AlignmentModel


class FactionAgent(mesa.Agent):
    """A Libyan faction (ODD: entity "faction"): what the month's view says of it.

    Its state (base strength ``B_f``, assets, counter-terror record ``CT_f``, camp) lives in the
    model's `sim.war.WarState` at column ``index``, and changes by events; its traits
    (``spec.islamist``, ``spec.extremist``) come from the scenario.

    Args:
        model: the model it belongs to.
        spec: the scenario's description of the faction.
        index: its column in the faction arrays.
    """

    def __init__(self, model: AlignmentModel, spec: Faction, index: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.index = index

    @property
    def view(self) -> MonthView:
        return self.model.view

    @property
    def on_stage(self) -> bool:
        return bool(self.view.active[self.index])

    @property
    def strength(self) -> np.ndarray:
        """Effective strength this month (own base, territory and foreign support), (R,)."""
        return self.view.strength[self.index]

    @property
    def camp_strength(self) -> np.ndarray:
        """Strength of the camp it leads (0 if it fights in another's camp), (R,)."""
        return self.view.camp_strength[self.index]

    @property
    def prospects(self) -> np.ndarray:
        """Its chance of prevailing (0 unless it leads a camp or stands alone), (R,)."""
        return self.view.chance[self.index]


@dataclass(frozen=True)
class DecisionRule:
    """How states turn values into support (docs/ODD.md, "valuation" and "adjustment").

    Attributes:
        rationality: beta, logit precision, 1/value (number or (R,)).
        outside_option: v0, value of backing nobody.
        inertia: lambda, share of the gap to the best response closed each month.
        commitment: c, value per unit of strength deployed with a camp.
        noise: sigma, scale of the logistic shocks (0: none).
    """

    rationality: Any
    outside_option: Any
    inertia: Any
    commitment: Any
    noise: Any


class StateAgent(mesa.Agent):
    """A foreign state (ODD: entity "state") that values factions and adjusts its support.

    Args:
        model: the model it belongs to.
        spec: the scenario's description of the state.
        index: its row in the state arrays.
        weights: its interest weights in `sim.interests` order, (K,) or (K, R).
        support: its alignment a_sf, (F, R): support per faction, non-negative, summing to at most
            1; a view into the war's support array, which this agent alone updates.
        rule: the decision parameters.
        held: ``(first step, shares (F,))`` when the scenario holds this state's support
            (`sim.scenario.FixedSupport`): from that month on it gives each faction it can back that
            share instead of adjusting; None (the default): it chooses.
    """

    def __init__(self, model: AlignmentModel, spec: State, index: int, *, weights: np.ndarray,
                 support: np.ndarray, rule: DecisionRule,
                 held: tuple[int, np.ndarray] | None = None) -> None:
        super().__init__(model)
        self.spec = spec
        self.index = index
        self.weights = weights
        self.support = support
        self.rule = rule
        self.held = held
        self.values = np.zeros((0, support.shape[-1]), support.dtype)
        # the parts of the month's values that settling the month's supports keeps (`values_with`)
        self._common_values = self.values
        self._committed_values: Any = 0.0
        self._shock_values: np.ndarray | None = None
        order = interests()
        self._names = [i.name for i in order]  # weight order
        common = [k for k, i in enumerate(order) if i.common is not None]
        self._common_weights = weights[common]
        self._own_weights = weights[[k for k, i in enumerate(order) if i.own is not None]]

    def weight(self, interest: str) -> Any:
        """Its weight on ``interest``: a number, or (R,) when it varies by replicate."""
        return self.weights[self._names.index(interest)]

    def value_factions(self, view: MonthView) -> np.ndarray:
        """Value each faction it can back on each interest (ODD submodel "valuation").

        V_sf = sum_k w_sk x_k(s, f) + c D_sf + sigma eps_sf, over the interests of `sim.interests`
        (their common features, then the parts particular to this state), where D_sf is the
        strength it has deployed with the faction's camp (sunk commitment).

        Returns:
            The values, (C, R) over ``view.candidates``; also kept as ``self.values``.
        """
        common, s = view.common, self.index
        # weights (K,) for the ensemble, or (K, R) per replicate, broadcast against (C, R)
        self._common_values = weighted_sum_rows(self._common_weights, common)
        self._committed_values = self.rule.commitment * view.committed[s]
        shocks = view.shocks_of(s)
        self._shock_values = None if shocks is None else self.rule.noise * shocks
        return self.revalue(view)

    def revalue(self, view: MonthView) -> np.ndarray:
        """Value the factions again after ``view``'s own parts changed (the month's supports
        settling, docs/ODD.md 7.8): the common features, commitment and shocks of the month's
        last `value_factions` kept, the parts particular to this state read from ``view``.

        Returns:
            The values, (C, R); also kept as ``self.values``.
        """
        self.values = self.values_with([part[self.index] for part in view.own])
        return self.values

    def keep_values(self, values: np.ndarray) -> None:
        """Keep ``values`` (C, R) as its values: what `revalue` would give with the month's view,
        summed for every state at once by the model (`AlignmentModel._values`, the same bits)."""
        self.values = values

    def values_with(self, own: list[np.ndarray]) -> np.ndarray:
        """Its values with these parts particular to it, the rest of the month's last
        `value_factions` kept.

        Args:
            own: this state's part of each interest with one, in weight order, each (C, R).

        Returns:
            The values, (C, R).
        """
        values = self._common_values.copy()
        for k, weight in enumerate(self._own_weights):
            values += weight * own[k]
        values += self._committed_values
        if self._shock_values is not None:
            values += self._shock_values
        return values

    def kept_values(self) -> tuple[np.ndarray, np.ndarray, Any, np.ndarray | None]:
        """What `values_with` keeps of the month's last `value_factions`: the common part (C, R),
        the weights of the parts particular to it ((K_own,) or (K_own, R)), the commitment part
        and the shocks' part (None without noise)."""
        return self._common_values, self._own_weights, self._committed_values, self._shock_values

    def answer(self, view: MonthView, values: np.ndarray, previous: np.ndarray) -> np.ndarray:
        """The support it moves to from ``previous``, part of the way toward the logit best response
        to ``values`` (ODD submodel "adjustment"), or its held support (`held`).

        In the first month support is set to the best response. Factions it cannot back have a
        best response of 0: their support decays at the same rate.

        Args:
            view: the month's view.
            values: its values of the candidates, (C, R).
            previous: its support before it moves, (F, R).

        Returns:
            The new support, (F, R).
        """
        if self.held is not None and view.month >= self.held[0]:
            moved = np.zeros_like(previous)
            moved[view.candidates] = self.held[1][view.candidates, None]
            return moved
        rule = self.rule
        target = best_response(values, rule.rationality, rule.outside_option)
        inertia = 1.0 if view.month == 0 else rule.inertia
        moved = np.multiply(previous, 1.0 - inertia, out=np.empty_like(previous))
        target *= inertia
        moved[view.candidates] += target
        return moved

    def update_alignment(self, view: MonthView) -> None:
        """Move support part of the way toward the logit best response (`answer`) to its values."""
        self.support[...] = self.answer(view, self.values, self.support)

    @property
    def tilt(self) -> np.ndarray:
        """Support for the tilt's plus side minus its minus side this month (LNA - GNA), (R,)."""
        plus, minus = self.model.view.tilt_pair
        return self.support[plus] - self.support[minus]
