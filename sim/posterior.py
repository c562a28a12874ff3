"""Posterior draws of the fitted parameters, one draw per replicate (``python -m sim.run posterior=NAME``).

A draws table (``configs/posterior_draws/NAME.csv``, written by ``scripts/posterior_draws.py``) holds one
row per draw of the calibration's posterior and one column per fitted parameter: a model parameter
(``inertia``) or an interest's scale (``scale.oil``). Its ``#`` lines say which chains, steps and
settings it came from. With a table, replicate ``k`` (counting from ``first_replicate``) runs with
draw ``k mod N``, so an ensemble's band holds the parameters' uncertainty and the stochastic one
together, and a replicate's parameters do not depend on how the ensemble is split into batches.
The table sets its columns only; every other parameter comes from the configured set, and the
posterior is only the calibration's when that set is the one it was drawn with (its header names it).
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError, brief
from sim.interests import interest_names
from sim.params import BOUNDS, SCALAR_NAMES, SCALE_BOUNDS, SCALE_PREFIX, calibrated_params, plain_params
from sim.paths import CONFIG_DIR

#: Where a bare name ``NAME`` is looked up as ``NAME.csv``.
POSTERIOR_DIR = CONFIG_DIR / "posterior_draws"

#: The name of the draws table's copy in a run folder run with ``posterior=``.
POSTERIOR_COPY = "posterior_draws.csv"


def parameter_bounds(column: str) -> tuple[float, float] | None:
    """The documented bounds of a draws table's column, None if it names no fitted parameter."""
    if column.startswith(SCALE_PREFIX):
        return SCALE_BOUNDS if column[len(SCALE_PREFIX):] in interest_names() else None
    return BOUNDS[column] if column in SCALAR_NAMES else None


def allowed_columns() -> list[str]:
    """Every column a draws table may have."""
    return [*SCALAR_NAMES, *(SCALE_PREFIX + name for name in interest_names())]


@dataclass(frozen=True)
class PosteriorDraws:
    """A validated draws table.

    Attributes:
        name: as given (a name of ``configs/posterior_draws/`` or a path).
        path: the file read.
        table: one row per draw, one column per fitted parameter (finite, within bounds).
    """

    name: str
    path: Path
    table: pd.DataFrame

    @property
    def size(self) -> int:
        """N, the number of draws."""
        return len(self.table)

    def draw_of(self, replicates: int, first_replicate: int = 0) -> np.ndarray:
        """Which draw each replicate runs with: ``(first_replicate + r) mod N``, shape (R,)."""
        return (first_replicate + np.arange(replicates)) % self.size

    def draws_used(self, replicates: int) -> int:
        """How many distinct draws ``replicates`` consecutive replicates run with."""
        return min(self.size, replicates)

    def describe(self, replicates: int) -> dict[str, Any]:
        """What a results file says of the draws a run of ``replicates`` replicates ran with."""
        return {"table": self.name, "draws_in_table": self.size, "draws_used": self.draws_used(replicates)}

    def copy_into(self, folder: Path) -> None:
        """Keep the table, ``#`` lines included, in a results ``folder`` (as `POSTERIOR_COPY`)."""
        shutil.copyfile(self.path, folder / POSTERIOR_COPY)

    def applied(self, params: Any, replicates: int, first_replicate: int = 0, *,
                copies: int = 1) -> dict:
        """``params`` with each column of the table set to one value per replicate.

        Args:
            params: the configured parameters (a mapping, `ModelParams` or OmegaConf node; None:
                the calibrated set); not modified.
            replicates: R, the replicates of the run.
            first_replicate: the index of the run's first replicate.
            copies: how many times the R replicates repeat in the model's rows (a batch of
                ``copies`` variants of one scenario on the same replicates, `sim.coalitions`).

        Returns:
            A parameter mapping whose fitted parameters are arrays of shape (copies x R,).
        """
        rows = self.table.iloc[np.tile(self.draw_of(replicates, first_replicate), copies)]
        result = calibrated_params() if params is None else plain_params(params)
        scales = dict(result.get("interest_scales") or {})
        for column in self.table.columns:
            values = rows[column].to_numpy(dtype=float)
            if column.startswith(SCALE_PREFIX):
                scales[column[len(SCALE_PREFIX):]] = values
            else:
                result[column] = values
        result["interest_scales"] = scales
        return result

    def header(self) -> list[str]:
        """The table's ``#`` lines (its provenance), without the ``#``."""
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [line[1:].strip() for line in lines if line.startswith("#")]


def posterior_path(name: str) -> Path:
    """The file of a draws table: ``configs/posterior_draws/NAME.csv``, or ``name`` itself if it is a
    path to a ``.csv`` file.

    Raises:
        InputError: no such table (listing the project's tables).
    """
    text = str(name).strip()
    path = Path(text).expanduser() if text.endswith(".csv") else POSTERIOR_DIR / f"{text}.csv"
    if not path.is_file():
        known = sorted(p.stem for p in POSTERIOR_DIR.glob("*.csv"))
        raise InputError("config", "posterior", f"no draws table {text!r} ({path}); give a name of "
                         f"configs/posterior_draws/ ({known}), a path to a .csv file, or null for none")
    return path


def load_posterior(name: str) -> PosteriorDraws:
    """Read and check a draws table.

    Args:
        name: a name of ``configs/posterior_draws/`` (``calibrated``) or a path to a ``.csv`` file.

    Raises:
        InputError: naming the file and the column or row: no such file, no rows, an unknown or
            repeated column (listing the allowed ones), a value that is not a finite number or lies
            outside the parameter's documented bounds.
    """
    path = posterior_path(name)
    where = str(path)
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
    except UnicodeDecodeError:
        raise InputError(where, "table", "is not UTF-8 text; a CSV table of draws") from None
    if len(lines) < 2:
        raise InputError(where, "table", "has no draws; a header of fitted parameters, then one row "
                         "per draw")
    columns = [c.strip() for c in next(csv.reader([lines[0]]))]
    for column in columns:
        if parameter_bounds(column) is None:
            raise InputError(where, f"column {column!r}", f"is not a fitted parameter; allowed: "
                             f"{allowed_columns()}")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise InputError(where, f"column {repeated[0]!r}", "appears twice; one column per parameter")
    rows = list(csv.reader(lines[1:]))
    for number, row in enumerate(rows, start=1):
        if len(row) != len(columns):
            raise InputError(where, f"row {number} (draw {number - 1})", f"has {len(row)} values for "
                             f"{len(columns)} columns ({columns})")
    table = pd.DataFrame(rows, columns=columns)
    values = {}
    for column in columns:
        low, high = parameter_bounds(column)
        numbers = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(numbers) | (numbers < low) | (numbers > high))
        if bad.size:
            row = int(bad[0])
            raise InputError(where, f"row {row + 1} (draw {row}), column {column!r}",
                             f"is {brief(table[column].iloc[row])}; a finite number in [{low:g}, {high:g}]")
        values[column] = numbers
    return PosteriorDraws(str(name), path, pd.DataFrame(values))


def checked_posterior(name: Any) -> PosteriorDraws | None:
    """`load_posterior` of a config's ``posterior`` entry; None when it is null or empty."""
    if name is None or (isinstance(name, str) and not name.strip()):
        return None
    if not isinstance(name, str):
        raise InputError("config", "posterior", f"is {name!r}; a name of configs/posterior_draws/, a path "
                         "to a .csv file, or null for none")
    return load_posterior(name)
