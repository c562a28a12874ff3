"""Tables of a finished run, in the file schema of ``alignment/tilt/control.parquet``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.dates import month_labels
from sim.model import AlignmentModel


@dataclass
class SimulationResult:
    """What a run produced: tables in the file schema, plus what made them.

    Attributes:
        scenario: the scenario's name.
        seed: the seed.
        first_replicate: index of the first replicate.
        replicate_ids: the stream index of each row when the model was given ``replicate_ids``.
        dates: ``YYYY-MM`` of every simulated month.
        states, factions, assets: ids in model order.
        tilt_array: shape (T, R, S).
        support_array: shape (T, R, S, F), or None when only tilts were recorded.
        control_array: controller index, shape (T, R, A).
        config: the resolved configuration (plain dict) that produced it.
        wall_time_s: seconds the simulation took.
        decomposition_array: ensemble-mean parts of each state's V(LNA) - V(GNA), (T, S, parts),
            or None when only tilts were recorded.
        decomposition_parts: the names of those parts (the interests, then ``commitment``).
        tilt_definition: what the tilt measures in this scenario (`sim.scenario.TiltSides`).
    """

    scenario: str
    seed: int
    first_replicate: int
    dates: list[str]
    states: tuple[str, ...]
    factions: tuple[str, ...]
    assets: tuple[str, ...]
    tilt_array: np.ndarray
    support_array: np.ndarray | None
    control_array: np.ndarray
    config: dict[str, Any] = field(default_factory=dict)
    wall_time_s: float = float("nan")
    replicate_ids: np.ndarray | None = None
    decomposition_array: np.ndarray | None = None
    decomposition_parts: tuple[str, ...] = ()
    tilt_definition: str = ""

    @classmethod
    def from_model(cls, model: AlignmentModel, config: dict | None = None,
                   wall_time_s: float = float("nan")) -> SimulationResult:
        sc = model.world
        return cls(
            scenario=sc.name,
            seed=model.seed,
            first_replicate=model.first_replicate,
            dates=month_labels(sc.start, sc.end),
            states=sc.state_ids,
            factions=sc.faction_ids,
            assets=sc.asset_ids,
            tilt_array=model.tilt_history,
            support_array=model.support_history,
            control_array=model.control_history,
            config=config or {},
            wall_time_s=wall_time_s,
            replicate_ids=model.replicate_ids,
            decomposition_array=model.decomposition_history,
            decomposition_parts=model.decomposition_parts,
            tilt_definition=sc.tilt.describe(),
        )

    @property
    def replicates(self) -> int:
        return self.tilt_array.shape[1]

    def _replicate_column(self, r: np.ndarray) -> np.ndarray:
        if self.replicate_ids is not None:
            return self.replicate_ids[r].astype(np.int64)
        return (r + self.first_replicate).astype(np.int64)

    def _index(self, *inner: int) -> tuple[np.ndarray, ...]:
        """Columns (date, replicate, *inner positions) for a (T, R, *inner) array in C order."""
        shape = (len(self.dates), self.replicates, *inner)
        grids = np.indices(shape).reshape(len(shape), -1)
        return tuple(grids)

    @cached_property
    def tilt(self) -> pd.DataFrame:
        """Columns ``date, replicate, state, tilt``: support for the tilt's plus side minus its minus
        side (``tilt_definition``; LNA - GNA in the historical scenario from 2015-12)."""
        t, r, s = self._index(len(self.states))
        return pd.DataFrame({
            "date": np.asarray(self.dates)[t],
            "replicate": self._replicate_column(r),
            "state": np.asarray(self.states)[s],
            "tilt": self.tilt_array.reshape(-1).astype(float),
        })

    @cached_property
    def alignment(self) -> pd.DataFrame:
        """Columns ``date, replicate, state, faction, support``."""
        if self.support_array is None:
            raise ValueError("this run recorded only tilts (record='tilt'); rerun with record='full'")
        t, r, s, f = self._index(len(self.states), len(self.factions))
        return pd.DataFrame({
            "date": np.asarray(self.dates)[t],
            "replicate": self._replicate_column(r),
            "state": np.asarray(self.states)[s],
            "faction": np.asarray(self.factions)[f],
            "support": self.support_array.reshape(-1).astype(float),
        })

    @cached_property
    def control(self) -> pd.DataFrame:
        """Columns ``date, replicate, asset, controller``."""
        t, r, a = self._index(len(self.assets))
        return pd.DataFrame({
            "date": np.asarray(self.dates)[t],
            "replicate": self._replicate_column(r),
            "asset": np.asarray(self.assets)[a],
            "controller": np.asarray(self.factions)[self.control_array.reshape(-1)],
        })

    @cached_property
    def decomposition(self) -> pd.DataFrame:
        """Columns ``date, state, part, contribution``: what each interest (and the commitment)
        adds to the state's value of the LNA minus that of the GNA, ensemble mean; months where
        either cannot be backed are left out."""
        if self.decomposition_array is None:
            raise ValueError("this run recorded only tilts (record='tilt'); rerun with record='full'")
        T, S, P = self.decomposition_array.shape
        t, s, k = np.indices((T, S, P)).reshape(3, -1)
        table = pd.DataFrame({
            "date": np.asarray(self.dates)[t],
            "state": np.asarray(self.states)[s],
            "part": np.asarray(self.decomposition_parts)[k],
            "contribution": self.decomposition_array.reshape(-1),
        })
        return table.dropna(subset=["contribution"]).reset_index(drop=True)

    def tilt_quantiles(self, state: str, q: tuple[float, ...] = (0.05, 0.5, 0.95)) -> np.ndarray:
        """Quantiles of a state's tilt over replicates, shape (len(q), T)."""
        return np.quantile(self.tilt_array[:, :, self.states.index(state)], q, axis=1)

    def mean_tilt(self, state: str) -> np.ndarray:
        """Ensemble-mean tilt of a state, shape (T,)."""
        return self.tilt_array[:, :, self.states.index(state)].mean(axis=1)
