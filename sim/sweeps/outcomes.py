"""What a sweep measures on each trajectory: named, configurable outcomes of the states' tilts.

Each outcome is one of `KINDS`, computed for some states on a tilt array whose first axis is the
month and last axis the state; the other axes (points, replicates) are kept. A sweep measures every
outcome twice per point: on the ensemble-mean trajectory (statistic ``ensemble``) and on each
replicate's trajectory, of which it keeps the standard deviation over replicates (``std``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.dates import parse_month
from sim.errors import InputError
from sim.scenario import Scenario
from sim.targets import load_targets

#: Outcome kinds and the settings each takes besides ``name``, ``kind`` and ``states``.
KINDS: dict[str, tuple[str, ...]] = {
    "tilt_at": ("month",),                 # the tilt in a month
    "window_mean": ("from", "to"),         # the mean tilt over months from..to (inclusive)
    "rise": ("from", "to"),                # tilt at ``to`` minus tilt at ``from``
    "turning_month": ("level",),           # first month the tilt, having been <= level, rises above it
                                           # (optional ``censor: true``: never -> the month after the end;
                                           # optional ``after: YYYY-MM``: search from that month on)
    "rmse": ("targets",),                  # RMSE against scenarios/targets/NAME.csv (one state)
}
#: The statistics of outcomes.parquet.
STATISTICS: tuple[str, ...] = ("ensemble", "std")


@dataclass(frozen=True)
class Outcome:
    """One validated outcome.

    Attributes:
        name: the column of outcomes.parquet.
        kind: one of `KINDS`.
        states: the states it is measured for.
        steps: month indices into the run (0 = the scenario's first month): one for ``tilt_at``,
            two (from, to) for ``window_mean`` and ``rise``, the targets' months for ``rmse``.
        level: the tilt crossed by ``turning_month``.
        target: the documented tilts at ``steps`` (``rmse``).
        start: the scenario's first month number (``turning_month`` is a month number, `sim.dates`).
        censor: ``turning_month`` only: a trajectory that never turns gets the month after the
            scenario's end (right-censored) instead of NaN, so that Sobol' indices can be computed.
        after: ``turning_month`` only: the month index from which the turn is searched (an early
            dip below the level and back, before the period of interest, is not a turn).
    """

    name: str
    kind: str
    states: tuple[str, ...]
    steps: tuple[int, ...] = ()
    level: float = 0.0
    target: tuple[float, ...] = ()
    start: int = 0
    censor: bool = False
    after: int = 0

    def measure(self, tilt: np.ndarray) -> np.ndarray:
        """The outcome of each trajectory of one state.

        Args:
            tilt: tilts, shape (T, ...) (months first).

        Returns:
            Shape (...): a tilt (in [-1, 1]), a month number, or an RMSE; NaN where a
            turning month never comes.
        """
        if self.kind == "tilt_at":
            return tilt[self.steps[0]].astype(float)
        if self.kind == "window_mean":
            return tilt[self.steps[0]:self.steps[1] + 1].mean(axis=0, dtype=float)
        if self.kind == "rise":
            return tilt[self.steps[1]].astype(float) - tilt[self.steps[0]]
        if self.kind == "rmse":
            error = tilt[list(self.steps)] - np.reshape(self.target, (-1,) + (1,) * (tilt.ndim - 1))
            return np.sqrt(np.mean(np.square(error, dtype=float), axis=0))
        step = self.after + _turning_step(tilt[self.after:], self.level)
        if self.censor:
            step = np.where(np.isnan(step), tilt.shape[0], step)
        return self.start + step


def _turning_step(tilt: np.ndarray, level: float) -> np.ndarray:
    """First index at which each trajectory, having been <= level, rises above it; NaN if never
    (as `sim.summary.turning_month`, for many trajectories at once)."""
    below = tilt <= level
    t = np.arange(tilt.shape[0]).reshape((-1,) + (1,) * (tilt.ndim - 1))
    first_below = np.where(below.any(axis=0), below.argmax(axis=0), tilt.shape[0])
    above_after = (t > first_below) & (tilt > level)
    return np.where(above_after.any(axis=0), above_after.argmax(axis=0), np.nan)


def parse_outcomes(entries: Sequence[Mapping], scenario: Scenario,
                   where: str = "sweep.outcomes") -> list[Outcome]:
    """Validate the ``outcomes`` of a sweep config against the scenario.

    Args:
        entries: each ``{name, kind, states, ...}`` with the settings of `KINDS`; ``states`` is a
            list of state ids or ``all``.
        scenario: the swept scenario (its states and months).
        where: where the entries come from, for the error message.

    Raises:
        InputError: an unknown kind or state, a missing setting, a month outside the scenario.
    """
    if not entries:
        raise InputError("config", where, "is empty; give at least one outcome")
    outcomes: list[Outcome] = []
    for i, entry in enumerate(entries):
        entry = dict(entry)
        name, kind = str(entry.get("name", "")), entry.get("kind")
        label = f"{where}[{i}] ({name})"
        if not name or name in {"point", "statistic", "state"} | {o.name for o in outcomes}:
            raise InputError("config", label, "needs a name, unique and not point, statistic or state")
        if kind not in KINDS:
            raise InputError("config", label, f"unknown kind {kind!r}; known: {list(KINDS)}")
        optional = {"censor", "after"} if kind == "turning_month" else set()
        unknown = set(entry) - {"name", "kind", "states", *KINDS[kind], *optional}
        missing = [key for key in KINDS[kind] if entry.get(key) is None]
        if unknown or missing:
            raise InputError("config", label, f"kind {kind} takes name, states and {list(KINDS[kind])}"
                             + (f"; unknown: {sorted(unknown)}" if unknown else "")
                             + (f"; missing: {missing}" if missing else ""))
        states = entry.get("states", "all")
        states = tuple(scenario.state_ids) if states == "all" else tuple(states or ())
        bad = [s for s in states if s not in scenario.state_ids]
        if not states or bad:
            raise InputError("config", f"{label}.states", f"unknown states {bad}; give `all` or some "
                             f"of {list(scenario.state_ids)}")
        outcomes.append(_outcome(name, kind, states, entry, scenario, label))
    return outcomes


def _outcome(name: str, kind: str, states: tuple[str, ...], entry: dict, scenario: Scenario,
             label: str) -> Outcome:
    def step(key: str) -> int:
        month = parse_month(str(entry[key]))
        if not scenario.start <= month <= scenario.end:
            raise InputError("config", f"{label}.{key}", f"{entry[key]} is outside the scenario's period")
        return month - scenario.start

    if kind == "tilt_at":
        return Outcome(name, kind, states, steps=(step("month"),))
    if kind in ("window_mean", "rise"):
        steps = (step("from"), step("to"))
        if steps[0] >= steps[1]:
            raise InputError("config", label, f"from ({entry['from']}) must come before to ({entry['to']})")
        return Outcome(name, kind, states, steps=steps)
    if kind == "turning_month":
        return Outcome(name, kind, states, level=float(entry["level"]), start=scenario.start,
                       censor=bool(entry.get("censor", False)),
                       after=step("after") if entry.get("after") is not None else 0)
    if len(states) != 1:
        raise InputError("config", f"{label}.states", "an rmse outcome compares one state with its targets")
    targets = load_targets(str(entry["targets"]))
    inside = targets[(targets["month"] >= scenario.start) & (targets["month"] <= scenario.end)]
    if inside.empty:
        raise InputError("config", f"{label}.targets", "has no point inside the scenario's period")
    return Outcome(name, kind, states, steps=tuple((inside["month"] - scenario.start).tolist()),
                   target=tuple(inside["tilt"].astype(float).tolist()))


def outcome_table(tilt: np.ndarray, outcomes: Sequence[Outcome], state_ids: Sequence[str],
                  points: np.ndarray) -> pd.DataFrame:
    """The outcomes of a batch of points.

    Args:
        tilt: shape (T, P, R, S): months, points, replicates, states (``state_ids`` order).
        outcomes: what to measure.
        state_ids: the scenario's states.
        points: the P point ids.

    Returns:
        One row per point, statistic (`STATISTICS`) and measured state (in ``state_ids`` order):
        columns ``point``, ``statistic``, ``state`` and one per outcome (NaN for a state the
        outcome is not measured for).
    """
    measured = [s for s in state_ids if any(s in o.states for o in outcomes)]
    mean = tilt.mean(axis=2)
    frames = []
    for statistic in STATISTICS:
        for state in measured:
            k = list(state_ids).index(state)
            columns: dict[str, np.ndarray] = {}
            for o in outcomes:
                if state not in o.states:
                    columns[o.name] = np.full(len(points), np.nan)
                elif statistic == "ensemble":
                    columns[o.name] = o.measure(mean[..., k])
                else:
                    each = o.measure(tilt[..., k])  # (P, R); pandas skips NaN without warnings
                    columns[o.name] = pd.DataFrame(each).std(axis=1, ddof=1).to_numpy()
            frames.append(pd.DataFrame({"point": np.asarray(points, dtype=np.int64),
                                        "statistic": statistic, "state": state, **columns}))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["point", "statistic", "state"], kind="stable",
                             key=_order(state_ids)).reset_index(drop=True)


def _order(state_ids: Sequence[str]):
    rank = {s: i for i, s in enumerate(state_ids)} | {s: i for i, s in enumerate(STATISTICS)}

    def key(column: pd.Series) -> pd.Series:
        return column if column.name == "point" else column.map(rank)

    return key
