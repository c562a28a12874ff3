"""The dimensions a sweep varies and the designs that place points among them.

A dimension is named as in the calibration (`sim.calibration.FreeParameter`): a model parameter
(``inertia``), an interest scale (``scale.security``), one state's weight (``FRA.oil``); or
``estimates.PATH``, one of the scenario's estimates (``estimates.factions.GNC.strength``,
`sim.scenario.estimates`); or ``seed`` (the model's seed: a list of integers, so that the
replicates themselves become a dimension). The entry ``estimates.*`` stands for every estimate not
named by another entry, each over its plausible range.

A dimension may belong to a named ``group``: the Sobol' and Morris designs then vary and analyse
each group as one input (SALib's groups), so that a hundred estimates are judged by kind (every
``estimates.*`` dimension is grouped by `estimate_kind`: ``assets.haven``, ``relations.value``...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.calibration import FreeParameter, check_free
from sim.errors import InputError
from sim.scenario.estimates import estimate_kind

#: The designs a sweep may use.
DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")
#: The dimension that sets the model's seed (one model per seed value).
SEED = "seed"
#: Dimensions named ``estimates.PATH`` set one of the scenario's estimates (one model per variant).
ESTIMATE_PREFIX = "estimates."
#: The entry that stands for every estimate not named by another entry, each in its kind's group.
EVERY_ESTIMATE = "estimates.*"
#: Default number of levels of a ranged dimension in a grid.
DEFAULT_LEVELS = 3


@dataclass(frozen=True)
class Dimension:
    """One varied input.

    Attributes:
        name: ``inertia``, ``scale.INTEREST``, ``STATE.INTEREST`` or ``seed``.
        low, high: its range (in the parameter's own unit), or None when ``values`` are given.
        values: an explicit list of values (a grid uses them as they are), or None.
        levels: the number of evenly spaced grid values between ``low`` and ``high``.
        group: the group the sobol and morris designs vary and analyse it with (None: alone).
    """

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None
    levels: int = DEFAULT_LEVELS
    group: str | None = None

    @property
    def is_estimate(self) -> bool:
        return self.name.startswith(ESTIMATE_PREFIX)

    @property
    def path(self) -> str:
        """The estimate's path in the scenario (``estimates.PATH`` -> ``PATH``)."""
        return self.name.removeprefix(ESTIMATE_PREFIX)

    @property
    def bounds(self) -> tuple[float, float]:
        """The range sampled by lhs, sobol and morris (the values' extremes for a list)."""
        if self.values is not None:
            return float(min(self.values)), float(max(self.values))
        return float(self.low), float(self.high)

    def grid_values(self) -> np.ndarray:
        if self.values is not None:
            return np.asarray(self.values, dtype=float)
        return np.linspace(self.low, self.high, self.levels)


def parse_dimensions(entries: Sequence[Mapping[str, Any]], state_ids: Sequence[str],
                     where: str = "sweep.dimensions", estimates: Sequence[Any] = ()) -> list[Dimension]:
    """Validate the ``dimensions`` of a sweep config.

    Args:
        entries: each ``{name, low, high}``, ``{name, low, high, levels}`` or ``{name, values}``.
        state_ids: the scenario's states (for ``STATE.INTEREST``).
        where: where the entries come from, for the error message.
        estimates: the scenario's estimates (`sim.scenario.estimates.Estimate`): an
            ``estimates.PATH`` dimension must name one and stay within its plausible range;
            ``estimates.*`` (no other key) adds every one not named by another entry, over its
            plausible range, in the group of its kind (`estimate_kind`).

    Raises:
        InputError: an unknown name, low >= high, a range outside the documented bounds, a name given
            twice, neither a range nor values, or a group that is not a non-empty string.
    """
    if not entries:
        raise InputError("config", where, "is empty; give at least one {name, low, high} or {name, values}")
    dimensions: list[Dimension] = []
    every_at: int | None = None
    for i, entry in enumerate(entries):
        entry = dict(entry)
        name = str(entry.get("name", ""))
        label = f"{where}[{i}] ({name})"
        if name == EVERY_ESTIMATE:
            if set(entry) != {"name"}:
                raise InputError("config", label, "takes no other key: each estimate keeps its plausible "
                                 "range and the group of its kind")
            if every_at is not None:
                raise InputError("config", label, "is given twice")
            every_at = len(dimensions)
            continue
        unknown = set(entry) - {"name", "low", "high", "values", "levels", "group"}
        if unknown:
            raise InputError("config", label, f"unknown keys {sorted(unknown)}; allowed: name, low, high, "
                             "values, levels, group")
        group = entry.get("group")
        if group is not None and (not isinstance(group, str) or not group.strip()):
            raise InputError("config", label, f"group must be a non-empty name, not {group!r}")
        values = entry.get("values")
        if values is not None:
            if entry.get("low") is not None or entry.get("high") is not None:
                raise InputError("config", label, "give either low/high or values, not both")
            if len(values) == 0:
                raise InputError("config", label, "values is empty")
            dimension = Dimension(name, values=tuple(float(v) for v in values), group=group)
        elif entry.get("low") is None or entry.get("high") is None:
            raise InputError("config", label, "needs low and high, or a list of values")
        else:
            low, high = float(entry["low"]), float(entry["high"])
            if not low < high:
                raise InputError("config", label, f"low ({low}) must be below high ({high})")
            levels = int(entry.get("levels") or DEFAULT_LEVELS)
            if levels < 2:
                raise InputError("config", label, f"levels must be at least 2, not {levels}")
            dimension = Dimension(name, low, high, levels=levels, group=group)
        if name == SEED:
            if dimension.values is None or any(v < 0 or v != int(v) for v in dimension.values):
                raise InputError("config", label, "seed takes a list of non-negative integers (values)")
        elif dimension.is_estimate:
            _check_estimate(dimension, estimates, label)
        else:
            low, high = dimension.bounds
            try:
                # check_free wants low < high; a one-value list is checked as a point
                check_free([FreeParameter(name, low, high if high > low else np.nextafter(low, np.inf))],
                           state_ids)
            except InputError as exc:
                raise InputError("config", label, exc.problem) from None
        if name in {d.name for d in dimensions}:
            raise InputError("config", label, "is given twice")
        dimensions.append(dimension)
    if every_at is not None:
        named = {d.path for d in dimensions if d.is_estimate}
        rest = [Dimension(f"{ESTIMATE_PREFIX}{e.path}", e.low, e.high, group=estimate_kind(e.path))
                for e in estimates if e.path not in named]
        if not rest:
            raise InputError("config", f"{where}[{every_at}] ({EVERY_ESTIMATE})",
                             f"adds no estimate: the scenario has {len(estimates)}, each named already")
        dimensions[every_at:every_at] = rest
    return dimensions


def _check_estimate(dimension: Dimension, estimates: Sequence[Any], label: str) -> None:
    known = {e.path: e for e in estimates}
    if dimension.path not in known:
        raise InputError("config", label, f"not an estimate of the scenario; {len(known)} estimates, e.g. "
                         f"{[f'{ESTIMATE_PREFIX}{p}' for p in list(known)[:3]]}")
    estimate = known[dimension.path]
    low, high = dimension.bounds
    if not estimate.low <= low <= high <= estimate.high:
        raise InputError("config", label, f"range [{low}, {high}] must lie within the estimate's "
                         f"plausible range [{estimate.low}, {estimate.high}]")


def salib_problem(dimensions: Sequence[Dimension]) -> dict[str, Any]:
    """SALib's problem dict (names and bounds) of ranged dimensions, with ``groups`` (each
    dimension's group, its own name when it has none) when any dimension has a group."""
    problem = {"num_vars": len(dimensions), "names": [d.name for d in dimensions],
               "bounds": [list(d.bounds) for d in dimensions]}
    if any(d.group is not None for d in dimensions):
        problem["groups"] = groups_of(dimensions)
    return problem


def groups_of(dimensions: Sequence[Dimension]) -> list[str]:
    """Each dimension's group: its ``group``, or its own name when it has none.

    Raises:
        InputError: a group named like a dimension outside it (the indices would be ambiguous).
    """
    groups = [d.group if d.group is not None else d.name for d in dimensions]
    for d, group in zip(dimensions, groups, strict=True):
        if d.group is not None and d.group in {other.name for other in dimensions if other.group != d.group}:
            raise InputError("config", "sweep.dimensions", f"group {group!r} is also the name of a "
                             "dimension outside it; name the group otherwise")
    return groups


def make_design(dimensions: Sequence[Dimension], design: str, *, n: int, seed: int,
                morris_levels: int = 4) -> pd.DataFrame:
    """The design's points: column ``point`` (0, 1, ...) and one column per dimension.

    Args:
        dimensions: the varied inputs.
        design: ``grid`` (every combination of each dimension's values), ``lhs`` (``n`` Latin
            hypercube points, scipy.stats.qmc), ``sobol`` (Saltelli's scheme, SALib: n x (2D + 2)
            points, ``n`` a power of 2), ``morris`` (``n`` trajectories of D + 1 points, SALib);
            with groups, D counts the groups (the dimensions of a group move together).
        n: the design's size parameter (unused by ``grid``).
        seed: the seed of the random designs (lhs, sobol's scramble, morris).
        morris_levels: the grid levels of the Morris design.

    Raises:
        InputError: an unknown design, a seed dimension in a non-grid design, or a bad ``n``.
    """
    if design not in DESIGNS:
        raise InputError("config", "sweep.design", f"unknown design {design!r}; known: {list(DESIGNS)}")
    names = [d.name for d in dimensions]
    if design == "grid":
        mesh = np.meshgrid(*[d.grid_values() for d in dimensions], indexing="ij")
        values = np.column_stack([m.ravel() for m in mesh])
    else:
        if SEED in names:
            raise InputError("config", "sweep.dimensions",
                             f"a seed dimension needs design grid, not {design}")
        if n < 1:
            raise InputError("config", "sweep.n", f"must be at least 1, not {n}")
        values = _sample(dimensions, design, n=n, seed=seed, morris_levels=morris_levels)
    table = pd.DataFrame(values, columns=names)
    if SEED in names:
        table[SEED] = table[SEED].astype(np.int64)
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table


def _sample(dimensions: Sequence[Dimension], design: str, *, n: int, seed: int,
            morris_levels: int) -> np.ndarray:
    problem = salib_problem(dimensions)
    if design == "lhs":
        unit = qmc.LatinHypercube(d=len(dimensions), seed=seed).random(n)
        low, high = np.array(problem["bounds"]).T
        return qmc.scale(unit, low, high)
    if design == "sobol":
        from SALib.sample import sobol

        if n & (n - 1):
            raise InputError("config", "sweep.n", f"must be a power of 2 for the sobol design, not {n}")
        return sobol.sample(problem, n, calc_second_order=True, scramble=True, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, n, num_levels=morris_levels, seed=seed)
