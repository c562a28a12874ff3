"""Mesa agents: foreign states that choose whom to back, and Libyan factions that fight.

Each agent works on its own slice of the model's batched arrays (last axis: replicates), so one
agent object stands for that actor in all R replicates at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core.alignment import best_response
from sim.core.contest import win_probability
from sim.scenario.schema import INTERESTS, Faction, State

if TYPE_CHECKING:
    from sim.model import AlignmentModel

_K = {name: k for k, name in enumerate(INTERESTS)}
#: Interests valued from state-independent faction features (the model's ``features`` stack).
_N_FEATURES = 6


class FactionAgent(mesa.Agent):
    """A Libyan faction (ODD: entity "faction").

    Its state variables live in the model's arrays at column ``index``: base strength ``B_f``,
    controlled assets, counter-terror record ``CT_f``, camp head, legitimacy ``l_f``; its fixed traits
    (``islamist``, ``extremist``) come from the scenario.

    Args:
        model: the model it belongs to.
        spec: the scenario's description of the faction.
        index: its column in the model's faction arrays.
    """

    def __init__(self, model: AlignmentModel, spec: Faction, index: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.index = index

    @property
    def strength(self) -> np.ndarray:
        """Effective strength this month (own base, territory and foreign support), shape (R,)."""
        return self.model.strength[self.index]

    @property
    def camp_strength(self) -> np.ndarray:
        """Strength of the camp it leads (its own if it leads none), shape (R,)."""
        return self.model.camp_strength[self.model.head_of(self.index)]

    def attack(self, defender: FactionAgent, outcome: str, draws: np.ndarray | None) -> np.ndarray:
        """Fight ``defender``; return which replicates the attacker wins, shape (R,) bool.

        Args:
            defender: the faction attacked.
            outcome: ``attacker`` / ``defender`` when documented; ``open`` for a contest.
            draws: uniforms (R,) deciding an open contest (unused otherwise).
        """
        replicates = self.model.replicates
        if outcome == "attacker":
            return np.ones(replicates, dtype=bool)
        if outcome == "defender":
            return np.zeros(replicates, dtype=bool)
        p_win = win_probability(self.camp_strength, defender.camp_strength,
                                self.model.p.contest_exponent)
        return draws < p_win


class StateAgent(mesa.Agent):
    """A foreign state (ODD: entity "state") that values factions and adjusts its support.

    Its alignment ``a_sf`` (support per faction: non-negative, summing to at most 1) is the model's
    ``support[index]`` (factions x replicates). Interest weights ``w_sk`` come from the scenario,
    overridden by ``params.state_weights``; capacity scales how much its support strengthens a
    faction.

    Args:
        model: the model it belongs to.
        spec: the scenario's description of the state.
        index: its row in the model's state arrays.
    """

    def __init__(self, model: AlignmentModel, spec: State, index: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.index = index
        self.company = model.company_index.get(spec.company, -1)
        self.values = np.zeros((0, model.replicates))
        # weights are fixed for a run: look them up once
        weights = model.p.weights
        self._shared_weights = weights[index, :_N_FEATURES] if weights.ndim == 2 else None
        self._w_security, self._w_oil, self._w_rivalry = (
            self.weight("security"), self.weight("oil"), self.weight("rivalry"))

    def weight(self, interest: str):
        """This state's weight on ``interest``: a scalar, or (R,) when it varies by replicate."""
        return self.model.p.weights[self.index, _K[interest]]

    def value_factions(self) -> None:
        """Value each faction it can back on each interest (ODD submodel "valuation").

        V_sf = w_oil (nu O_f + O_f^company) + w_mig M_f + w_sec (1 + threat_s) Sec_f + w_leg l_f
               + w_ideo I_f + w_win P_f + w_riv sum_s' rel_ss' a_s'f + c D_sf + sigma eps_sf

        where D_sf is the strength the state has deployed with the faction's camp (sunk
        commitment: its forces and materiel are there). Stores ``self.values``, shape (C, R) over
        the model's ``candidates``.
        """
        m, s = self.model, self.index
        if self._shared_weights is not None:  # the first six interests: one weighted sum
            features = m.features
            values = (self._shared_weights @ features.reshape(_N_FEATURES, -1)).reshape(
                features.shape[1:])
        else:
            values = np.einsum("kr,kcr->cr", m.p.weights[s, :_N_FEATURES], m.features)
        values += self._w_security * m.threat[s] * m.security_c
        if self.company >= 0:
            values += self._w_oil * m.oil_company_c[self.company]
        values += self._w_rivalry * m.rivalry[s]
        values += m.p.commitment * m.committed[s]
        if m.has_noise:
            first = s * values.shape[0]
            values += m.p.noise * m.shocks[first : first + values.shape[0]]
        self.values = values

    def update_alignment(self) -> None:
        """Move support part of the way toward the logit best response (ODD submodel "adjustment").

        Factions it cannot back have a best response of 0: their support decays at the same rate.
        """
        m, p = self.model, self.model.p
        target = best_response(self.values, p.rationality, p.outside_option)
        inertia = 1.0 if m.step_index == 0 else p.inertia
        support = m.support[self.index]  # (F, R), a view: updated in place
        support *= 1.0 - inertia
        target *= inertia
        support[m.candidates] += target

    @property
    def tilt(self) -> np.ndarray:
        """Support for the LNA minus support for the GNA, shape (R,)."""
        return self.model.tilt_of(self.index)
