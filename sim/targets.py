"""Documented target points (e.g. Italy's coded tilt), read and validated from ``scenarios/targets``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from sim.dates import parse_month
from sim.errors import InputError, brief
from sim.paths import TARGET_DIR

#: Largest target file read, in bytes (the committed ones are a few kB).
MAX_FILE_BYTES = 2_000_000
COLUMNS = ("date", "tilt", "sigma", "excerpt_ar", "gloss_en", "basis")
#: Columns of a file coding several states' points (``other_states_tilt.csv``).
STATE_COLUMNS = ("state", "date", "tilt", "sigma", "source", "excerpt", "basis")


def target_path(name: str) -> Path:
    """``NAME`` -> ``scenarios/targets/NAME.csv``; an existing path is returned as it is."""
    candidate = Path(name)
    if candidate.suffix == ".csv" and candidate.exists():
        return candidate
    return TARGET_DIR / f"{name}.csv"


def target_digest(name: str) -> str:
    """16 hex digits of the SHA-256 of the target file ``name`` (`target_path`), byte for byte."""
    return hashlib.sha256(target_path(name).read_bytes()).hexdigest()[:16]


def _read(name: str, columns: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    path = target_path(name)
    where = str(path)
    if not path.exists():
        known = sorted(p.stem for p in TARGET_DIR.glob("*.csv"))
        raise InputError(where, "file", f"no such target file; known: {known}")
    try:
        if not path.is_file():
            raise InputError(where, "file", "is not a regular file; give a CSV file NAME.csv")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(where, "file", f"is larger than {MAX_FILE_BYTES:,} bytes, the limit for "
                             "a target file")
        table = pd.read_csv(path, comment="#", dtype={"date": str, "state": str})
    except OSError as exc:
        raise InputError(where, "file", f"cannot be read ({exc.strerror or exc})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(where, "file", f"is not a readable CSV ({exc})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(where, "header", f"lacks columns {missing}; required: {list(columns)}")
    return table, where


def _is_number(value: object) -> bool:
    """Whether a cell is a finite number (not a bool, not text such as ``"0.5x"``)."""
    return (isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)
            and bool(np.isfinite(value)))


def _check_rows(table: pd.DataFrame, where: str, cited: tuple[str, ...]) -> list[int]:
    """Validate date, tilt, sigma and the citing columns of every row; return the month numbers."""
    months = []
    for i, row in table.iterrows():
        entry = f"row {i + 1} ({row['date']})"
        try:
            months.append(parse_month(row["date"]))
        except ValueError as exc:
            raise InputError(where, f"{entry}.date", str(exc)) from None
        tilt, sigma = row["tilt"], row["sigma"]
        if not (_is_number(tilt) and -1 <= tilt <= 1):
            raise InputError(where, f"{entry}.tilt", f"is {brief(tilt)}; a number in [-1, 1]")
        if not (_is_number(sigma) and sigma > 0):
            raise InputError(where, f"{entry}.sigma", f"is {brief(sigma)}; a positive number")
        for column in cited:
            if not isinstance(row[column], str) or not row[column].strip():
                raise InputError(where, f"{entry}.{column}", "is empty; every point cites its source")
    return months


def load_targets(name: str) -> pd.DataFrame:
    """Read and validate a target file of one state: one row per documented point, sorted by date.

    Columns: ``date`` (YYYY-MM), ``tilt`` in [-1, 1], ``sigma`` > 0 (coding uncertainty),
    ``excerpt_ar`` (the source article's words), ``gloss_en``, ``basis``; plus ``month`` (month number).

    Raises:
        InputError: naming the file, the row and what is allowed.
    """
    table, where = _read(name, COLUMNS)
    table["month"] = _check_rows(table, where, ("excerpt_ar", "gloss_en"))
    if table["month"].duplicated().any():
        dup = table.loc[table["month"].duplicated(), "date"].iloc[0]
        raise InputError(where, f"date {dup}", "appears twice; one point per month")
    return table.sort_values("month").reset_index(drop=True)


def load_state_targets(name: str, states: tuple[str, ...], *, others: str = "error") -> pd.DataFrame:
    """Read and validate a target file coding several states (columns `STATE_COLUMNS`).

    Args:
        name: ``scenarios/targets/NAME.csv`` or a path.
        states: the scenario's state ids.
        others: what a point for a state not in ``states`` is: ``error`` (fitting), or ``drop``
            (drawing a scenario with fewer states).

    Returns:
        The points sorted by state and date, with ``month`` (month number).

    Raises:
        InputError: naming the file, the row and what is allowed.
    """
    table, where = _read(name, STATE_COLUMNS)
    table["month"] = _check_rows(table, where, ("source", "excerpt", "basis"))
    if others == "drop":
        table = table[table["state"].isin(states)]
    for i, state in enumerate(table["state"]):
        if state not in states:
            raise InputError(where, f"row {i + 1}.state", f"is {brief(state)}; states: {list(states)}")
    if table.duplicated(["state", "month"]).any():
        row = table.loc[table.duplicated(["state", "month"])].iloc[0]
        raise InputError(where, f"{row['state']} {row['date']}", "appears twice; one point per month")
    return table.sort_values(["state", "month"]).reset_index(drop=True)


def run_targets(config, state: str,
                states: tuple[str, ...]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The coded points a run's config names for drawing ``state``: its own target file's points
    (``targets``, which code the run's ``focus_state``; None for another state or ``targets=null``)
    and the joint file's points of the scenario's ``states`` (``state_targets``; others left out).

    Raises:
        InputError: a configured file does not exist or is malformed.
    """
    own_name = config.get("targets")
    own = load_targets(own_name) if own_name and state == config.get("focus_state", "ITA") else None
    joint_name = config.get("state_targets", "other_states_tilt")
    joint = load_state_targets(joint_name, states, others="drop") if joint_name else None
    return own, joint
