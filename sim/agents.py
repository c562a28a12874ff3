"""Mesa agents: foreign states that choose whom to back, and Libyan factions that fight.

Each agent works on its own slice of the model's batched arrays (leading axis: replicates), so one
agent object stands for that actor in all R replicates at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core.alignment import best_response, logistic_noise, move_toward
from sim.core.contest import win_probability
from sim.scenario.schema import INTERESTS, Faction, State

if TYPE_CHECKING:
    from sim.model import AlignmentModel

_K = {name: k for k, name in enumerate(INTERESTS)}


class FactionAgent(mesa.Agent):
    """A Libyan faction (ODD: entity "faction").

    Its state variables live in the model's arrays at column ``index``: base strength ``B_f``,
    controlled assets, counter-terror record ``c_f``, camp head, legitimacy ``l_f``; its fixed traits
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
        return self.model.strength[:, self.index]

    @property
    def camp_strength(self) -> np.ndarray:
        """Strength of the camp it leads (its own if it leads none), shape (R,)."""
        return self.model.camp_strength[:, self.model.head_of(self.index)]

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
        exponent = self.model.p.contest_exponent
        if isinstance(exponent, np.ndarray):
            exponent = exponent[:, 0]  # (R, 1) -> (R,), to match the strengths
        p_win = win_probability(self.camp_strength, defender.camp_strength, exponent)
        return draws < p_win


class StateAgent(mesa.Agent):
    """A foreign state (ODD: entity "state") that values factions and adjusts its support.

    Its alignment ``a_sf`` (support per faction: non-negative, summing to at most 1) is the model's
    ``support[:, index, :]``. Interest weights ``w_sk`` come from the scenario, overridden by
    ``params.state_weights``; capacity scales how much its support strengthens a faction.

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
        self.values = np.zeros((model.replicates, model.n_factions))

    def weight(self, interest: str):
        """This state's weight on ``interest``: a scalar, or (R, 1) when it varies by replicate."""
        weights = self.model.p.weights
        if weights.ndim == 2:
            return weights[self.index, _K[interest]]
        return weights[:, self.index, _K[interest], None]

    def value_factions(self) -> None:
        """Value each faction on each interest (ODD submodel "valuation"); store ``self.values``.

        V_sf = w_oil (nu O_f + O_f^company) + w_mig M_f + w_sec (1 + threat_s) Sec_f + w_leg l_f
               + w_ideo I_f + w_win P_f + w_riv sum_s' rel_ss' a_s'f + c D_sf + sigma eps_sf

        where D_sf is the strength the state has deployed with the faction's camp (sunk
        commitment: its forces and materiel are there).
        """
        m, s = self.model, self.index
        oil = m.p.market_interest * m.oil_market
        if self.company >= 0:
            oil = oil + m.oil_company[self.company]
        values = (
            self.weight("oil") * oil
            + self.weight("migration") * m.migration
            + self.weight("security") * (1.0 + m.threat[:, s, None]) * m.security
            + self.weight("legitimacy") * m.legitimacy
            + self.weight("ideology") * m.ideology
            + self.weight("winner") * m.winner
            + self.weight("rivalry") * m.rivalry[:, s, :]
            + m.p.commitment * m.committed[..., s, :]
        )
        if m.has_noise:
            noise_draws = m.draws[:, s * m.n_factions : (s + 1) * m.n_factions]
            values = values + logistic_noise(noise_draws, m.p.noise)
        values[:, ~m.can_be_backed] = -np.inf
        self.values = values

    def update_alignment(self) -> None:
        """Move support part of the way toward the logit best response (ODD submodel "adjustment")."""
        m = self.model
        target = best_response(self.values, m.p.rationality, m.p.outside_option)
        inertia = 1.0 if m.step_index == 0 else m.p.inertia
        m.support[:, self.index, :] = move_toward(m.support[:, self.index, :], target, inertia)

    @property
    def tilt(self) -> np.ndarray:
        """Support for the LNA minus support for the GNA, shape (R,)."""
        return self.model.tilt_of(self.index)
