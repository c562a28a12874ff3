"""Model parameters: the structured config (with meaning, unit and bounds) and its validation.

`ModelParams` is the Hydra schema of ``configs/params/*.yaml``. `resolve_params` turns it (or a plain
mapping) into `NumericParams`: every value checked against its bounds, scalars kept scalar, and
per-replicate values as arrays of shape (R,), which broadcast along the model's last (replicate) axis.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.errors import ParameterError, brief
from sim.interests import interest_names
from sim.paths import CONFIG_DIR
from sim.scenario.schema import Scenario

#: The parameter sets of ``configs/params/``.
PARAMS_DIR = CONFIG_DIR / "params"


def _param(default: float, *, bounds: tuple[float, float], unit: str, doc: str,
           added_neutral: bool = False) -> Any:
    """A parameter's field. ``added_neutral``: the parameter was added to the model at a default
    that leaves every run as it was before (`NEUTRAL_DEFAULTS`)."""
    return field(default=default, metadata={"bounds": bounds, "unit": unit, "doc": doc,
                                            "added_neutral": added_neutral})


@dataclass
class ModelParams:
    """Dynamics parameters (symbols as in docs/ODD.md) and optional state-weight overrides."""

    inertia: float = _param(
        0.15, bounds=(0.01, 1.0), unit="1/month",
        doc="lambda: share of the gap to the best response closed each month")
    rationality: float = _param(
        4.0, bounds=(0.1, 30.0), unit="1/value",
        doc="beta: logit precision of the best response")
    noise: float = _param(
        0.1, bounds=(0.0, 2.0), unit="value",
        doc="sigma: scale of the logistic shock on each valuation each month")
    outside_option: float = _param(
        0.0, bounds=(-5.0, 5.0), unit="value",
        doc="v0: value of backing no faction")
    camp_cohesion: float = _param(
        0.5, bounds=(0.0, 1.0), unit="-",
        doc="kappa: share of a camp member's assets, record and strength credited to its head")
    support_effect: float = _param(
        0.3, bounds=(0.0, 5.0), unit="-",
        doc="gamma: relative strength gain per unit of capacity-weighted foreign support")
    territory_strength: float = _param(
        1.0, bounds=(0.0, 5.0), unit="strength/military value",
        doc="eta: strength a faction draws from the assets it holds")
    contest_exponent: float = _param(
        1.5, bounds=(0.2, 5.0), unit="-",
        doc="m: decisiveness of contests and of war prospects")
    capital_weight: float = _param(
        0.0, bounds=(0.0, 1.0), unit="-",
        doc="omega: weight of the hold on the capital in each camp's chance of prevailing "
            "(the rest is the contest of camp strengths)")
    record_half_life: float = _param(
        12.0, bounds=(1.0, 240.0), unit="months",
        doc="half-life of a faction's counter-terror record")
    threat_half_life: float = _param(
        12.0, bounds=(1.0, 120.0), unit="months",
        doc="half-life of a state's threat level after a terror event")
    migration_half_life: float = _param(
        3.0, bounds=(0.1, 36.0), unit="months",
        doc="half-life of the memory through which states perceive arrivals (exponentially weighted mean)")
    perception_half_life: float = _param(
        0.1, bounds=(0.1, 24.0), unit="months",
        doc="half-life of the memory through which states perceive the war: holdings, record, prospects")
    partners_now: float = _param(
        0.0, bounds=(0.0, 1.0), unit="-",
        doc="xi: weight of partners' and rivals' support this month (rather than last month) in "
            "the rivalry interest; above 0 each month's supports are settled as a fixed point, "
            "at 1 a logit equilibrium of the month's simultaneous choices (0: last month's)")
    anticipation: float = _param(
        0.0, bounds=(0.0, 10.0), unit="levels",
        doc="k: how many levels deep each state anticipates its partners' and rivals' support of "
            "this month (level-k reasoning: a level-k state answers the others' level k-1 answers; "
            "0: it answers last month's support); a whole number, the same in every replicate, "
            "with partners_now 0")
    trend_weight: float = _param(
        0.0, bounds=(0.0, 20.0), unit="-",
        doc="tau: weight of each camp's perceived momentum (perceived chance of prevailing minus a "
            "slower memory of it) added to its prospects in the winner interest (0: off)")
    trend_half_life: float = _param(
        24.0, bounds=(2.0, 120.0), unit="months",
        doc="half-life of the slower memory of each camp's chance of prevailing against which "
            "states read the war's trend (momentum); unused when trend_weight is 0")
    security_curvature: float = _param(
        0.0, bounds=(0.0, 10.0), unit="1/record",
        doc="c_sec: diminishing returns of the security interest: a camp's perceived counter-terror "
            "record net of its taint, x, is valued as tanh(c_sec x) / c_sec (0: linearly, x)")
    migration_reference: float = _param(
        10000.0, bounds=(500.0, 100000.0), unit="arrivals/month",
        doc="perceived arrivals at which migration salience is 1")
    oil_reference: float = _param(
        1.0e6, bounds=(1.0e5, 3.0e6), unit="barrels/day",
        doc="national output at which oil salience is 1")
    market_interest: float = _param(
        0.2, bounds=(0.0, 1.0), unit="-",
        doc="nu: value of each unit of output a camp holds, whatever the stakes "
            "(added to its company's share)")
    oil_foresight: float = _param(
        0.0, bounds=(0.0, 1.0), unit="-",
        doc="rho: share of the oil a camp is credited with by its prospects of prevailing (what it "
            "would hold after winning) rather than by what it holds now")
    migration_counterpart: float = _param(
        0.0, bounds=(0.0, 1.0), unit="-",
        doc="mu: share of a camp's hold on the departure coast that states value only through the "
            "recognition of the camp's head, their counterpart for agreements on departures: the "
            "migration feature is multiplied by 1 - mu + mu x legitimacy (0: valued whoever holds "
            "the coast; 1: a coast held by an unrecognised camp counts for nothing)",
        added_neutral=True)
    migration_curvature: float = _param(
        0.0, bounds=(0.0, 5.0), unit="1/salience",
        doc="c_mig: diminishing returns of arrivals in the migration interest: perceived arrivals "
            "over migration_reference, s, weigh the coast as tanh(c_mig s) / c_mig (0: in "
            "proportion, s)",
        added_neutral=True)
    commitment: float = _param(
        10.0, bounds=(0.0, 50.0), unit="value/strength",
        doc="c: value of a faction per unit of strength the state deployed with its camp")
    commitment_fading: float = _param(
        0.0, bounds=(0.0, 1.0), unit="-",
        doc="phi: how fast a state's commitment fades, as a share of the monthly forgetting of "
            "the memory through which it perceives the war (perception_half_life): each month a "
            "commitment keeps 1 - phi (1 - 0.5^(1/h)) of itself (0: held for good; 1: forgotten "
            "as the war it perceived is)",
        added_neutral=True)
    interest_scales: dict[str, float] = field(
        default_factory=dict,
        metadata={"doc": "interest -> scale multiplying every state's prior weight on it "
                         "(the scenario's documented levels, docs/priors.md); 1 when absent",
                  "bounds": (0.05, 20.0), "unit": "-"},
    )
    state_weights: dict[str, dict[str, float | None]] = field(
        default_factory=dict,
        metadata={"doc": "state -> interest -> weight, replacing the scaled scenario values "
                         "(null: the scenario's own)",
                  "bounds": (-30.0, 30.0), "unit": "value"},
    )


#: Parameters that are mappings rather than numbers.
MAPPING_NAMES: tuple[str, ...] = ("interest_scales", "state_weights")
SCALAR_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ModelParams) if f.name not in MAPPING_NAMES)
#: Parameters that take whole numbers only (`_check_anticipation`).
WHOLE_NUMBER_NAMES: tuple[str, ...] = ("anticipation",)
BOUNDS: dict[str, tuple[float, float]] = {
    f.name: f.metadata["bounds"] for f in fields(ModelParams)
}
#: Parameters added after calibrations were made, at a default under which every run is what it
#: was without them: a parameter set holding one at this default describes the same model as one
#: without it (`sim.calibrate.calibration_fingerprint` leaves it out).
NEUTRAL_DEFAULTS: dict[str, float] = {
    f.name: f.default for f in fields(ModelParams) if f.metadata.get("added_neutral")
}
WEIGHT_BOUNDS: tuple[float, float] = BOUNDS["state_weights"]
SCALE_BOUNDS: tuple[float, float] = BOUNDS["interest_scales"]
#: A fitted parameter named ``scale.INTEREST`` scales every state's prior weight on INTEREST
#: (``interest_scales``; `sim.calibration.FreeParameter`, `sim.posterior`).
SCALE_PREFIX = "scale."


@dataclass(frozen=True)
class NumericParams:
    """Validated parameters ready for the core: scalars, or arrays of shape (R,).

    Attributes:
        values: name -> value for every name in `SCALAR_NAMES`.
        weights: interest weights, shape (S, K) or (S, K, R), K in `sim.interests` order.
        replicates: R, the batch size the per-replicate arrays were checked against.
    """

    values: Mapping[str, Any]
    weights: np.ndarray
    replicates: int

    def __post_init__(self) -> None:
        # plain attributes: the model reads them every month
        for name, value in self.values.items():
            object.__setattr__(self, name, value)

    def replicate(self, r: int) -> NumericParams:
        """The parameters of replicate ``r`` alone (R = 1)."""
        values = {k: v[r : r + 1] if isinstance(v, np.ndarray) else v for k, v in self.values.items()}
        weights = self.weights[..., r : r + 1] if self.weights.ndim == 3 else self.weights
        return NumericParams(values, weights, 1)


def plain_params(params: Any) -> dict:
    """Parameters given as `ModelParams`, an OmegaConf node or a mapping, as a plain dict (None: {})."""
    if params is None:
        return {}
    if isinstance(params, ModelParams):
        return {f.name: getattr(params, f.name) for f in fields(ModelParams)}
    try:  # OmegaConf DictConfig
        from omegaconf import DictConfig, OmegaConf

        if isinstance(params, DictConfig):
            return OmegaConf.to_container(params, resolve=True)
    except ImportError:  # pragma: no cover - omegaconf is a dependency
        pass
    if isinstance(params, Mapping):
        return dict(params)
    raise ParameterError("params", "params", f"must be a mapping or ModelParams, got {type(params)}")


def _check_value(name: str, value: Any, *, bounds: tuple[float, float], replicates: int) -> Any:
    where = "params"
    lo, hi = bounds
    if isinstance(value, bool) or value is None:
        raise ParameterError(where, name, f"is {value!r}; a number in [{lo}, {hi}]")
    array = np.asarray(value, dtype=float) if not isinstance(value, str) else None
    if array is None or array.ndim > 1:
        raise ParameterError(where, name, f"is {value!r}; a number in [{lo}, {hi}] or one per replicate")
    if array.ndim == 1 and array.shape[0] != replicates:
        raise ParameterError(where, name, f"has {array.shape[0]} values for {replicates} replicates; "
                             "give one number or one per replicate")
    if not np.all(np.isfinite(array)):
        raise ParameterError(where, name, f"is not a finite number ({value!r}); allowed [{lo}, {hi}]")
    if np.any(array < lo) or np.any(array > hi):
        bad = array.min() if np.any(array < lo) else array.max()
        raise ParameterError(where, name, f"is {bad:g}; allowed range [{lo}, {hi}]")
    return float(array) if array.ndim == 0 else array.copy()


def _check_anticipation(values: Mapping[str, Any]) -> None:
    """``anticipation`` is one whole number for every replicate, and is not combined with
    ``partners_now``, which settles the month's supports instead (docs/ODD.md 7.8)."""
    depth = np.unique(np.asarray(values["anticipation"]))
    lo, hi = BOUNDS["anticipation"]
    if depth.size > 1 or depth[0] != np.round(depth[0]):
        shown = f"{depth[0]:g}" if depth.size == 1 else f"{[float(d) for d in depth]}"
        raise ParameterError("params", "anticipation", f"is {shown}; a whole number in "
                             f"[{lo:g}, {hi:g}], the same for every replicate")
    if depth[0] > 0 and np.any(np.asarray(values["partners_now"]) > 0):
        raise ParameterError("params", "anticipation", f"is {depth[0]:g} with partners_now > 0; give "
                             "one of the two (partners_now settles the month's supports as a fixed "
                             "point, anticipation answers them k levels deep), the other 0")


def resolve_params(params: Any, scenario: Scenario, replicates: int, *,
                   dtype: Any = np.float64) -> NumericParams:
    """Validate parameters against their bounds and the scenario; return `NumericParams`.

    Args:
        params: a `ModelParams`, an OmegaConf node or a mapping; missing names take their defaults.
            Any value may be a number or a sequence of ``replicates`` numbers.
        scenario: supplies the states and their documented interest weights.
        replicates: R, the batch size.
        dtype: floating-point type of the per-replicate arrays and the weights.

    Raises:
        ParameterError: naming the parameter and its allowed range.
    """
    plain = plain_params(params)
    defaults = plain_params(ModelParams())
    unknown = sorted(set(plain) - set(defaults))
    if unknown:
        raise ParameterError("params", unknown[0], f"unknown parameter; known: {sorted(defaults)}")
    values = {}
    for name in SCALAR_NAMES:
        values[name] = _check_value(name, plain.get(name, defaults[name]), bounds=BOUNDS[name],
                                    replicates=replicates)

    _check_anticipation(values)

    names = interest_names()
    base = np.stack([s.weight_vector(names) for s in scenario.states])  # (S, K)
    per_replicate = []  # (states or None for all, interest, value (R,), multiply?)
    scales = plain.get("interest_scales") or {}
    if not isinstance(scales, Mapping):
        raise ParameterError("params", "interest_scales", "must map interest -> scale")
    for interest, value in scales.items():
        if interest not in names:
            raise ParameterError("params", f"interest_scales.{interest}",
                                 f"unknown interest; interests: {list(names)}")
        checked = _check_value(f"interest_scales.{interest}", value, bounds=SCALE_BOUNDS,
                               replicates=replicates)
        k = names.index(interest)
        if isinstance(checked, np.ndarray):
            per_replicate.append((slice(None), k, checked, True))
        else:
            base[:, k] *= checked
    overrides = plain.get("state_weights") or {}
    if not isinstance(overrides, Mapping):
        raise ParameterError("params", "state_weights", "must map state -> interest -> weight")
    for state_id, interest_map in overrides.items():
        if isinstance(interest_map, Mapping):  # null: the scenario's own (scaled) weight
            interest_map = {k: v for k, v in interest_map.items() if v is not None}
            if not interest_map:  # a state listed with no weight set (configs/params/default.yaml)
                continue
        if state_id not in scenario.state_ids:
            raise ParameterError("params", f"state_weights.{state_id}",
                                 f"unknown state; states of {scenario.name}: {list(scenario.state_ids)}")
        if not isinstance(interest_map, Mapping):
            raise ParameterError("params", f"state_weights.{state_id}", "must map interest -> weight")
        for interest, value in interest_map.items():
            if interest not in names:
                raise ParameterError("params", f"state_weights.{state_id}.{interest}",
                                     f"unknown interest; interests: {list(names)}")
            checked = _check_value(f"state_weights.{state_id}.{interest}", value,
                                   bounds=WEIGHT_BOUNDS, replicates=replicates)
            s, k = scenario.state_ids.index(state_id), names.index(interest)
            if isinstance(checked, np.ndarray) or per_replicate:
                per_replicate.append((s, k, np.broadcast_to(checked, (replicates,)), False))
            else:
                base[s, k] = checked
    weights = base
    if per_replicate:
        weights = np.repeat(base[:, :, None], replicates, axis=2)
        for s, k, row, multiply in per_replicate:  # scales first, then overrides (in order given)
            if multiply:
                weights[s, k, :] *= row
            else:
                weights[s, k, :] = row
    values = {k: v.astype(dtype) if isinstance(v, np.ndarray) else v for k, v in values.items()}
    return NumericParams(values, weights.astype(dtype), replicates)


def describe_params() -> list[dict[str, Any]]:
    """Name, default, bounds, unit and meaning of every scalar parameter (for docs and reports)."""
    return [
        {"name": f.name, "default": f.default, "bounds": f.metadata["bounds"],
         "unit": f.metadata["unit"], "doc": f.metadata["doc"]}
        for f in fields(ModelParams) if f.name not in MAPPING_NAMES
    ]


def check_sets_something(path: Path, content: Any) -> None:
    """Refuse a parameter-set file that sets nothing (empty, only comments, ``{}`` or not a mapping),
    which Hydra and `read_parameter_set` would otherwise read as the defaults without a word.

    Args:
        path: the file, named in the error.
        content: its YAML, as ``yaml.safe_load`` reads it.

    Raises:
        ParameterError: naming the file and what a parameter set holds.
    """
    if not isinstance(content, dict) or not content:
        raise ParameterError(str(path), "params", "the file sets nothing: a parameter set is a mapping "
                             "with a `defaults` list (e.g. [default, _self_]) and the values it sets; "
                             f"found {brief(content)}")


def read_parameter_set(name: str, directory: Path = PARAMS_DIR) -> dict[str, Any]:
    """A parameter set of ``configs/params/`` as Hydra composes it, without Hydra.

    Follows the file's ``defaults`` list (other sets of the same folder, then ``_self_``; the
    typed ``schema`` adds no values) and merges ``state_weights`` per state and interest.
    """
    path = directory / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in directory.glob("*.yaml"))
        raise ParameterError(str(path), "params", f"no such parameter set; known: {known}")
    own = yaml.safe_load(path.read_text(encoding="utf-8"))
    check_sets_something(path, own)
    merged: dict[str, Any] = {}
    for entry in [*own.pop("defaults", []), "_self_"]:
        if entry in ("_self_", "schema"):  # the typed schema adds no values
            layer = own if entry == "_self_" else {}
        else:
            layer = read_parameter_set(entry, directory)
        for key, value in layer.items():
            if key == "state_weights":
                weights = merged.setdefault("state_weights", {})
                for state, interests in (value or {}).items():
                    weights[state] = {**weights.get(state, {}), **interests}
            elif key == "interest_scales":
                merged["interest_scales"] = {**merged.get("interest_scales", {}), **(value or {})}
            else:
                merged[key] = value
    merged.setdefault("state_weights", {})
    merged.setdefault("interest_scales", {})
    return merged


@functools.cache
def _calibrated_cached() -> dict[str, Any]:
    return read_parameter_set("calibrated")


def calibrated_params() -> dict[str, Any]:
    """The calibrated parameter set (``configs/params/calibrated.yaml``), read once per process."""
    return copy.deepcopy(_calibrated_cached())
