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
            return self.replicate_ids[r].astype(np.int32)
        return (r + self.first_replicate).astype(np.int32)

    def _table_array(self, table: str) -> tuple[np.ndarray, tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """The array behind ``table`` (months first), its inner columns and their labels."""
        if table == "tilt":
            return self.tilt_array, ("state",), (self.states,)
        if table == "alignment":
            if self.support_array is None:
                raise ValueError("this run recorded only tilts (record='tilt'); rerun with record='full'")
            return self.support_array, ("state", "faction"), (self.states, self.factions)
        return self.control_array, ("asset",), (self.assets,)

    def _rows(self, table: str, months: slice = slice(None)) -> pd.DataFrame:
        """Rows of ``table`` (``tilt``, ``alignment`` or ``control``) for the months ``months``, in
        the file schema: categorical labels, int32 replicates, float32 values."""
        t0, t1, _ = months.indices(len(self.dates))
        array, inner, labels = self._table_array(table)
        block = array[t0:t1]
        grids = np.indices(block.shape, dtype=np.int32).reshape(block.ndim, -1)
        columns: dict[str, object] = {
            "date": _labels(self.dates, grids[0] + t0),
            "replicate": self._replicate_column(grids[1]),
        }
        for name, values, codes in zip(inner, labels, grids[2:], strict=True):
            columns[name] = _labels(values, codes)
        flat = block.reshape(-1)
        if table == "control":
            columns["controller"] = _labels(self.factions, flat)
        else:
            columns["tilt" if table == "tilt" else "support"] = flat.astype(np.float32, copy=False)
        return pd.DataFrame(columns)

    @cached_property
    def tilt(self) -> pd.DataFrame:
        """Columns ``date, replicate, state, tilt``: support for the tilt's plus side minus its minus
        side (``tilt_definition``; LNA - GNA in the historical scenario from 2015-12)."""
        return self._rows("tilt")

    @cached_property
    def alignment(self) -> pd.DataFrame:
        """Columns ``date, replicate, state, faction, support`` (large: `write_table` writes it in
        pieces)."""
        return self._rows("alignment")

    @cached_property
    def control(self) -> pd.DataFrame:
        """Columns ``date, replicate, asset, controller``."""
        return self._rows("control")

    def write_table(self, table: str, path, *, max_rows: int = 2_000_000) -> None:
        """Write ``table`` (``tilt``, ``alignment`` or ``control``) to a Parquet file a few months at
        a time, never holding more than about ``max_rows`` rows: the same rows, in the same order,
        as the whole table."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        T = len(self.dates)
        per_month = max(1, int(np.prod(self._table_array(table)[0].shape[1:])))
        step = max(1, max_rows // per_month)
        writer = None
        try:
            for t in range(0, T, step):
                chunk = pa.Table.from_pandas(self._rows(table, slice(t, t + step)), preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(path, chunk.schema)
                writer.write_table(chunk)
        finally:
            if writer is not None:
                writer.close()

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
            "date": _labels(self.dates, t),
            "state": _labels(self.states, s),
            "part": _labels(self.decomposition_parts, k),
            "contribution": self.decomposition_array.reshape(-1),
        })
        return table.dropna(subset=["contribution"]).reset_index(drop=True)

    def mean_support(self, state: str) -> pd.DataFrame:
        """A state's support of each faction, mean over replicates: ``date`` rows x ``faction``
        columns (what `sim.plotting.support_means` makes of the alignment table, without it)."""
        if self.support_array is None:
            raise ValueError("this run recorded only tilts (record='tilt'); rerun with record='full'")
        means = self.support_array[:, :, self.states.index(state), :].mean(axis=1, dtype=np.float64)
        return pd.DataFrame(means, index=pd.Index(self.dates, name="date"),
                            columns=pd.Index(self.factions, name="faction"))

    def holders(self) -> pd.DataFrame:
        """Per month and asset, the faction holding it in most replicates and that share
        (``date, asset, controller, share``: what `sim.plotting.modal_holders` makes of the
        control table, counted a month at a time without it)."""
        T, R, A = self.control_array.shape
        F = len(self.factions)
        cells = np.arange(A)[None, :] * F  # (1, A): each asset's block of counts
        counts = np.stack([np.bincount((cells + self.control_array[t].astype(np.int64)).ravel(),
                                       minlength=A * F).reshape(A, F) for t in range(T)])
        modal = counts.argmax(axis=-1)  # (T, A)
        t, a = np.indices((T, A)).reshape(2, -1)
        return pd.DataFrame({
            "date": np.asarray(self.dates)[t],
            "asset": np.asarray(self.assets)[a],
            "controller": np.asarray(self.factions)[modal.reshape(-1)],
            "share": counts.max(axis=-1).reshape(-1) / R,
        })

    def tilt_quantiles(self, state: str, q: tuple[float, ...] = (0.05, 0.5, 0.95)) -> np.ndarray:
        """Quantiles of a state's tilt over replicates, shape (len(q), T)."""
        return np.quantile(self.tilt_array[:, :, self.states.index(state)], q, axis=1)

    def mean_tilt(self, state: str) -> np.ndarray:
        """Ensemble-mean tilt of a state, shape (T,)."""
        return self.tilt_array[:, :, self.states.index(state)].mean(axis=1)


def _labels(values, codes: np.ndarray) -> pd.Categorical:
    """A categorical column of ``values[codes]`` (codes only: no string per row)."""
    return pd.Categorical.from_codes(np.asarray(codes), categories=pd.Index(list(values)))
