"""Read scenario YAML safely, resolve ``extends:``, validate everything, return a `Scenario`.

Every problem becomes one `ScenarioError` naming the file, the entry and what is allowed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sim.dates import format_month, parse_month
from sim.errors import ScenarioError, brief
from sim.events import EVENT_KINDS, Field
from sim.interests import interest_names
from sim.paths import SCENARIO_DIR
from sim.scenario.checks import (
    ACTOR_ID,
    EVENT_ID,
    Where,
    _check_keys,
    _file_of,
    _flag,
    _is_finite,
    _label,
    _month,
    _number,
    _period,
    _ref,
    _text,
)
from sim.scenario.estimates import Estimate, bounds_of, current_value
from sim.scenario.extending import _resolve
from sim.scenario.reading import _exists
from sim.scenario.schema import (
    Asset,
    Event,
    Faction,
    FixedSupport,
    Relation,
    Scenario,
    SeriesPoint,
    State,
    TiltSides,
    _frozen,
)
from sim.stage import Stage, StageError, replay

REQUIRED_SERIES = ("migrant_arrivals", "oil_output")
FACTION_KEYS = {
    "name", "strength", "islamist", "extremist", "legitimacy", "camp", "patronable", "active",
    "source", "estimates",
}
STATE_KEYS = {"name", "capacity", "company", "weights", "source", "estimates"}
ASSET_KEYS = {
    "name", "output_share", "stakes", "departure_share", "haven", "military_value", "capital",
    "approach", "transit_share", "controller", "source", "estimates",
}
EVENT_COMMON_KEYS = {"id", "date", "kind", "source", "note", "label", "estimates"}
RELATION_KEYS = {"a", "b", "value", "source", "estimates"}
SERIES_POINT_KEYS = {"date", "value", "source", "note", "estimates"}
FIXED_SUPPORT_KEYS = {"support", "from", "source", "note"}


def scenario_names(directory: Path | None = None) -> list[str]:
    """The scenarios of ``directory`` (default: the project's ``scenarios/``) by the name a run
    gives them: ``NAME`` for ``NAME.yaml``, ``FOLDER/NAME`` for one a subfolder down
    (``counterfactuals/france_neutral``)."""
    directory = directory or SCENARIO_DIR
    found = [*directory.glob("*.yaml"), *directory.glob("*/*.yaml")]
    return sorted(p.relative_to(directory).with_suffix("").as_posix() for p in found)


def resolve_scenario_path(name_or_path: str | Path, scenario_dir: Path | None = None) -> Path:
    """``NAME`` -> ``scenarios/NAME.yaml`` (``FOLDER/NAME`` -> ``scenarios/FOLDER/NAME.yaml``); an
    existing path is returned as it is."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and _exists(candidate):
        return candidate.resolve()
    directory = scenario_dir or SCENARIO_DIR
    path = directory / f"{name_or_path}.yaml"
    if not _exists(path):
        known = scenario_names(directory)
        shown = path if len(str(name_or_path)) <= 200 else directory / f"{str(name_or_path)[:60]}....yaml"
        raise ScenarioError(
            str(shown), "scenario", f"no such scenario file; scenarios in {directory}: {known}"
        )
    return path.resolve()


def load_scenario(name_or_path: str | Path, scenario_dir: Path | None = None) -> Scenario:
    """Load and validate a scenario by name (``NAME.yaml`` in ``scenario_dir``) or path.

    Args:
        name_or_path: a scenario's name (``NAME`` or ``FOLDER/NAME``), or the path of a YAML file.
        scenario_dir: where names are looked up (default: the project's ``scenarios/``); an
            ``extends:`` is looked up beside the extending file, then there (for a file given by
            its path, outside the project's ``scenarios/``: beside it), then in the project's
            ``scenarios/``.
    """
    path = resolve_scenario_path(name_or_path, scenario_dir)
    return _build(_resolved(path, scenario_dir), path)


def _resolved(path: Path, scenario_dir: Path | None) -> dict:
    """The raw mapping of the scenario file at ``path``, its ``extends:`` chain merged in."""
    root = scenario_dir or (SCENARIO_DIR if path.is_relative_to(SCENARIO_DIR) else path.parent)
    return _resolve(path, Path(root), chain=())


def scenario_digest(name_or_path: str | Path, scenario_dir: Path | None = None, *,
                    ranges: bool = True) -> str:
    """16 hex digits of the SHA-256 of a scenario as resolved (every file of its ``extends:`` chain
    merged), whatever its layout and comments: what a result made from the scenario depends on.

    Args:
        name_or_path: as for `load_scenario`.
        scenario_dir: as for `load_scenario`.
        ranges: whether the estimates' plausible ranges (every ``estimates:`` mapping) count. Only
            `sim.robustness` reads them: a run or a calibration, which reads the values alone, is
            named by the digest without them (``ranges=False``), so a range revised from a new
            source leaves it as it was.
    """
    raw = _untagged(_resolved(resolve_scenario_path(name_or_path, scenario_dir), scenario_dir))
    if not ranges:
        raw = _without_keys(raw, RANGE_KEYS)
    canonical = json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


#: Keys `_resolve` adds to raw entries to name the file an entry came from (for error messages).
ORIGIN_TAGS = frozenset({"_file", "_entry"})
#: The key under which an entry marks its estimates' plausible ranges (read by `sim.robustness`).
RANGE_KEYS = frozenset({"estimates"})


def _untagged(raw: Any) -> Any:
    """``raw`` without the origin tags: the data alone, wherever its files lie."""
    return _without_keys(raw, ORIGIN_TAGS)


def _without_keys(raw: Any, keys: frozenset[str]) -> Any:
    """``raw`` with every mapping's ``keys`` left out, at any depth."""
    if isinstance(raw, dict):
        return {k: _without_keys(v, keys) for k, v in raw.items() if k not in keys}
    if isinstance(raw, list):
        return [_without_keys(v, keys) for v in raw]
    return raw


@functools.lru_cache(maxsize=32)
def _load_cached(path: Path, modified_ns: int, size: int) -> Scenario:
    return load_scenario(path)


def load_scenario_cached(name_or_path: str | Path, scenario_dir: Path | None = None) -> Scenario:
    """`load_scenario`, read once per process while the file is unchanged (scenarios are immutable).

    For callers that build many models of the same scenario (e.g. `mesa.batch_run`).
    """
    path = resolve_scenario_path(name_or_path, scenario_dir)
    stat = path.stat()
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)



def _section(raw: dict, key: str, file: str) -> dict:
    """The mapping ``key`` (factions, states, assets) of id to entry, its ids checked."""
    section = raw.get(key)
    if not isinstance(section, dict) or not section:
        raise ScenarioError(file, key, "is missing or empty; a mapping of id to entry")
    for entry_id, entry in section.items():
        if not isinstance(entry_id, str) or not ACTOR_ID.fullmatch(entry_id):
            raise ScenarioError(_file_of(entry, file), f"{key}.{_label(entry_id)}", "is not an id; "
                                "ids are upper-case letters, digits and _ (e.g. GNA, OIL_CRESCENT)")
    return section


# --------------------------------------------------------------------------- building


def _build(raw: dict, path: Path) -> Scenario:
    file = raw["_file"]
    start, end = _period(raw)
    name = raw["name"]
    if not isinstance(name, str) or not name.strip() or "\n" in name:
        raise ScenarioError(file, "name", f"is {brief(name)}; a short name on one line")
    description = "" if raw.get("description") is None else raw["description"]
    if not isinstance(description, str):
        raise ScenarioError(file, "description", f"is {brief(description)}; a paragraph of text")
    title = raw.get("title", name)
    if not isinstance(title, str) or not title.strip() or "\n" in title.strip():
        raise ScenarioError(file, "title", f"is {brief(title)}; a short title on one line")

    factions = _build_factions(_section(raw, "factions", file))
    faction_ids = tuple(f.id for f in factions)
    states = _build_states(_section(raw, "states", file))
    state_ids = tuple(s.id for s in states)
    companies = tuple(sorted({s.company for s in states if s.company}))
    relations = _build_relations(raw.get("relations") or [], state_ids, file)
    assets = _build_assets(_section(raw, "assets", file), file, factions=factions, companies=companies)
    series = _build_series(raw.get("series"), file)
    hold = raw.get("hold_series_from")
    hold_month = None if hold is None else _month(hold, Where(file, "hold_series_from"))

    events = _build_events(raw.get("events"), file, period=(start, end),
                           ids=_Ids(faction_ids, state_ids, tuple(a.id for a in assets), companies))
    scenario = Scenario(
        name=name.strip(),
        path=str(path),
        description=description.strip(),
        start=start,
        end=end,
        factions=factions,
        states=states,
        relations=relations,
        assets=assets,
        series=_frozen(series),
        events=events,
        hold_series_from=hold_month,
    )
    _check_stage(scenario)
    return replace(scenario, estimates=_collect_estimates(raw, scenario),
                   tilt=_tilt_sides(raw.get("tilt"), faction_ids, Where(file, "tilt")),
                   title=" ".join(title.split()),
                   fixed_support=_fixed_support(raw.get("fixed_support"), factions, state_ids,
                                                period=(start, end), file=file))


def _tilt_sides(spec: Any, faction_ids: tuple[str, ...], where: Where) -> TiltSides:
    """The ``tilt:`` entry: ``{plus: ID or [IDs], minus: ID or [IDs]}``; LNA against GNA if absent."""
    if spec is None:
        sides = TiltSides()
        for fid in (*sides.plus, *sides.minus):
            if fid not in faction_ids:
                raise where.error(f"the default tilt (LNA - GNA) needs faction {fid}; declare "
                                  "tilt: {plus: ..., minus: ...} with factions of this scenario")
        return sides
    _check_keys(spec, {"plus", "minus"}, where)
    sides = {}
    for key in ("plus", "minus"):
        value = spec.get(key)
        ids = [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not ids:
            raise where.child(key).error("must be a faction id or a list of them (a succession: the "
                                         "last on stage counts)")
        sides[key] = tuple(_ref(fid, faction_ids, where.child(key), what="faction") for fid in ids)
    shared = sorted(set(sides["plus"]) & set(sides["minus"]))
    if shared:
        raise where.error(f"{shared} cannot be on both sides")
    return TiltSides(**sides)


def _fixed_support(section: Any, factions: tuple[Faction, ...], state_ids: tuple[str, ...], *,
                   period: tuple[int, int], file: str) -> tuple[FixedSupport, ...]:
    """The ``fixed_support:`` entries: state -> {support: {FACTION: share}, from, source}."""
    if section is None:
        return ()
    if not isinstance(section, dict):
        raise ScenarioError(file, "fixed_support", f"is {brief(section)}; a mapping of state id to "
                            "{support: {FACTION: share}, from: YYYY-MM, source: ...}")
    patronable = tuple(f.id for f in factions if f.patronable)
    held = []
    for sid, entry in section.items():
        where = Where(_file_of(entry, file), f"fixed_support.{_label(sid)}")
        state = _ref(sid, state_ids, where, what="state")
        _check_keys(entry, FIXED_SUPPORT_KEYS, where)
        shares_at = where.child("support")
        shares = entry.get("support")
        if shares is None:
            shares = {}
        if not isinstance(shares, dict):
            raise shares_at.error(f"is {brief(shares)}; a mapping faction -> share ({{}}: neutral, "
                                  "backing nobody)")
        support = {}
        for fid in shares:
            _ref(fid, patronable, shares_at, what="faction that states may back")
            support[fid] = _number(shares, fid, shares_at, bounds=(0.0, 1.0))
        if sum(support.values()) > 1.0 + 1e-9:
            raise shares_at.error(f"sums to {sum(support.values()):.3f}; at most 1")
        start = period[0]
        if entry.get("from") is not None:
            start = _month(entry["from"], where.child("from"))
            if not period[0] <= start <= period[1]:
                first, last = (format_month(m) for m in period)
                raise where.child("from").error(f"{format_month(start)} is outside the scenario's "
                                                f"period {first}..{last}")
        held.append(FixedSupport(state, _frozen(support), start, _text(entry, "source", where)))
    return tuple(held)


def _collect_estimates(raw: dict, scenario: Scenario) -> tuple[Estimate, ...]:
    """Every ``estimates:`` mapping of the file, checked against the entry it belongs to."""
    file = raw["_file"]
    found: list[Estimate] = []

    def add(section: str, key: str, entry: Any, where: Where, kind: str | None = None) -> None:
        marks = entry.get("estimates") if isinstance(entry, dict) else None
        if marks is None:
            return
        if not isinstance(marks, dict) or not marks:
            raise where.child("estimates").error("must map each estimated field to [low, high]")
        for field, bounds in marks.items():
            here = where.child(f"estimates.{field}")
            allowed = bounds_of(section, str(field), kind)
            if allowed is None:
                raise here.error("is not a number of this entry; mark numeric fields (a field "
                                 "inside a mapping as weights.oil, stakes.ENI, losses.ISIS)")
            path = f"{section}.{key}.{field}"
            try:
                value = current_value(scenario, path)
            except (KeyError, TypeError, StopIteration):
                raise here.error("names no value of this entry") from None
            if not isinstance(bounds, list) or len(bounds) != 2 or not all(map(_is_finite, bounds)):
                raise here.error(f"must be [low, high], two finite numbers within {list(allowed)}")
            low, high = float(bounds[0]), float(bounds[1])
            if not allowed[0] <= low < high <= allowed[1]:
                raise here.error(f"[{low:g}, {high:g}] must have low < high within {list(allowed)}")
            if not low <= value <= high:
                raise here.error(f"[{low:g}, {high:g}] does not contain the value used, {value:g}")
            found.append(Estimate(path, value, low, high))

    for section in ("factions", "states", "assets"):
        for key, entry in (raw.get(section) or {}).items():
            add(section, str(key), entry, Where(_file_of(entry, file), f"{section}.{key}"))
    for i, entry in enumerate(raw.get("relations") or []):
        if isinstance(entry, dict):
            add("relations", f"{entry['a']}-{entry['b']}", entry,
                Where(_file_of(entry, file), f"relations[{i}]"))
    for i, entry in enumerate(raw.get("events") or []):
        if isinstance(entry, dict):
            add("events", entry["id"], entry, Where(_file_of(entry, file), _event_label(entry, i)),
                kind=entry["kind"])
    for name, points in (raw.get("series") or {}).items():
        for i, point in enumerate(points):
            month = format_month(parse_month(point["date"]))
            add("series", f"{name}.{month}", point, _point_where(point, file, f"series.{name}[{i}]"))
    return tuple(found)


def _build_factions(section: dict) -> tuple[Faction, ...]:
    factions = []
    ids = tuple(section)
    for fid, entry in section.items():
        where = Where(_file_of(entry, "?"), f"factions.{fid}")
        _check_keys(entry, FACTION_KEYS, where)
        camp = entry.get("camp")
        if camp is not None:
            _ref(camp, ids, where.child("camp"), what="faction")
        factions.append(
            Faction(
                id=str(fid),
                name=_text(entry, "name", where),
                strength=_number(entry, "strength", where, bounds=(0.0, 100.0)),
                islamist=_number(entry, "islamist", where, bounds=(0.0, 1.0)),
                extremist=_number(entry, "extremist", where, bounds=(0.0, 1.0)),
                legitimacy=_number(entry, "legitimacy", where, bounds=(0.0, 1.0)),
                camp=camp,
                patronable=_flag(entry, "patronable", where, default=True),
                active=_flag(entry, "active", where, default=True),
                source=_text(entry, "source", where),
            )
        )
    by_id = {f.id: f for f in factions}
    for f in factions:
        if f.camp is not None and f.camp != f.id and by_id[f.camp].camp != f.camp:
            heads = [g.id for g in factions if g.camp == g.id]
            where = Where(_file_of(section[f.id], "?"), f"factions.{f.id}.camp")
            raise where.error(f"{f.camp!r} is not a camp head; heads: {heads}")
    return tuple(factions)


def _build_states(section: dict) -> tuple[State, ...]:
    states = []
    for sid, entry in section.items():
        where = Where(_file_of(entry, "?"), f"states.{sid}")
        _check_keys(entry, STATE_KEYS, where)
        names = interest_names()
        weights_at = where.child("weights")
        weights = _check_keys(entry.get("weights"), set(names), weights_at)
        company = entry.get("company")
        if company is not None and (not isinstance(company, str) or not company):
            raise where.child("company").error("must be a company name or null")
        states.append(
            State(
                id=str(sid),
                name=_text(entry, "name", where),
                capacity=_number(entry, "capacity", where, bounds=(0.0, 1.0)),
                company=company,
                weights=_frozen(
                    {k: _number(weights, k, weights_at, bounds=(-10.0, 10.0)) for k in names}
                ),
                source=_text(entry, "source", where),
            )
        )
    return tuple(states)


def _build_relations(items: Any, state_ids: tuple[str, ...], file: str) -> tuple[Relation, ...]:
    if not isinstance(items, list):
        raise ScenarioError(file, "relations", "must be a list of {a, b, value, source}")
    relations, seen = [], set()
    for i, entry in enumerate(items):
        where = Where(_file_of(entry, file), f"relations[{i}]")
        _check_keys(entry, RELATION_KEYS, where)
        a = _ref(entry.get("a"), state_ids, where.child("a"), what="state")
        b = _ref(entry.get("b"), state_ids, where.child("b"), what="state")
        if a == b:
            raise where.error(f"relates {a} to itself; a and b must differ")
        pair = frozenset((a, b))
        if pair in seen:
            raise where.error(f"the pair {a}-{b} is given twice")
        seen.add(pair)
        relations.append(
            Relation(a, b, _number(entry, "value", where, bounds=(-1.0, 1.0)),
                     _text(entry, "source", where))
        )
    return tuple(relations)


def _build_assets(
    section: dict, file: str, *, factions: tuple[Faction, ...], companies: tuple[str, ...]
) -> tuple[Asset, ...]:
    faction_ids = tuple(f.id for f in factions)
    active = {f.id for f in factions if f.active}
    assets = []
    for aid, entry in section.items():
        where = Where(_file_of(entry, file), f"assets.{aid}")
        _check_keys(entry, ASSET_KEYS, where)
        stakes = entry.get("stakes") or {}
        stakes_at = where.child("stakes")
        _check_keys(stakes, set(companies), stakes_at)
        controller = _ref(entry.get("controller"), faction_ids, where.child("controller"),
                          what="faction")
        if controller not in active:
            raise where.child("controller").error(
                f"{controller} is not on stage at the start; "
                f"factions active at start: {sorted(active)}"
            )
        assets.append(
            Asset(
                id=str(aid),
                name=_text(entry, "name", where),
                output_share=_number(entry, "output_share", where, bounds=(0.0, 1.0))
                if "output_share" in entry else 0.0,
                stakes=_frozen(
                    {c: _number(stakes, c, stakes_at, bounds=(0.0, 1.0)) for c in stakes}
                ),
                departure_share=_number(entry, "departure_share", where, bounds=(0.0, 1.0))
                if "departure_share" in entry else 0.0,
                haven=_number(entry, "haven", where, bounds=(0.0, 1.0)) if "haven" in entry else 0.0,
                military_value=_number(entry, "military_value", where, bounds=(0.0, 10.0))
                if "military_value" in entry else 0.0,
                capital=_flag(entry, "capital", where, default=False),
                controller=controller,
                source=_text(entry, "source", where),
                approach=_number(entry, "approach", where, bounds=(0.0, 1.0))
                if "approach" in entry else 0.0,
                transit_share=_number(entry, "transit_share", where, bounds=(0.0, 1.0))
                if "transit_share" in entry else 0.0,
            )
        )
    for key in ("output_share", "departure_share", "transit_share"):
        total = sum(getattr(a, key) for a in assets)
        if total > 1.0 + 1e-9:
            raise ScenarioError(file, f"assets.*.{key}", f"sum to {total:.3f}; at most 1")
    return tuple(assets)


def _build_series(section: Any, file: str) -> dict[str, tuple[SeriesPoint, ...]]:
    if not isinstance(section, dict):
        raise ScenarioError(file, "series", f"is missing; a mapping with {list(REQUIRED_SERIES)}")
    missing = [name for name in REQUIRED_SERIES if name not in section]
    if missing:
        raise ScenarioError(file, f"series.{missing[0]}", "is missing; required: "
                            f"{list(REQUIRED_SERIES)}")
    series = {}
    for name, points in section.items():
        if name not in REQUIRED_SERIES:
            raise ScenarioError(file, f"series.{_label(name)}",
                                f"unknown series; known: {list(REQUIRED_SERIES)}")
        if not isinstance(points, list) or not points:
            raise ScenarioError(file, f"series.{name}", f"is {brief(points)}; a non-empty list of "
                                "points {date, value, source}")
        parsed, last = [], None
        for i, point in enumerate(points):
            where = _point_where(point, file, f"series.{name}[{i}]")
            _check_keys(point, SERIES_POINT_KEYS, where)
            month = _month(point.get("date"), where.child("date"))
            if last is not None and month <= last:
                appended = i > 0 and _file_of(points[i - 1], file) != where.file
                hint = ("; an extension's points are appended after its base's last point, or "
                        "restate the series with {replace: [...]}" if appended else "")
                raise where.child("date").error(f"{format_month(month)} is not after the previous "
                                                f"point {format_month(last)}; dates must increase{hint}")
            last = month
            parsed.append(SeriesPoint(month, _number(point, "value", where, bounds=(0.0, 1e8)),
                                      _text(point, "source", where)))
        series[name] = tuple(parsed)
    return series


def _point_where(point: Any, file: str, entry: str) -> Where:
    """Where a series point was written (tagged by `_tag_entries`), else ``entry`` of ``file``."""
    if isinstance(point, dict) and "_entry" in point:
        return Where(point["_file"], point["_entry"])
    return Where(file, entry)


@dataclass(frozen=True)
class _Ids:
    """The ids events may refer to."""

    factions: tuple[str, ...]
    states: tuple[str, ...]
    assets: tuple[str, ...]
    companies: tuple[str, ...]


def _event_label(entry: Any, i: int) -> str:
    """An event's place in its own file (``events[4]``, ``add_events[0]``; the merged timeline's
    ``events[i]`` if untagged), with its id when it has one: ``add_events[0] (extra)``."""
    if not isinstance(entry, dict):
        return f"events[{i}]"
    label = entry.get("_entry", f"events[{i}]")
    return f"{label} ({entry['id']})" if isinstance(entry.get("id"), str) else label


def _build_events(items: Any, file: str, *, period: tuple[int, int], ids: _Ids) -> tuple[Event, ...]:
    """The scenario's events, each dated within ``period`` (first, last month) and referring to ``ids``."""
    start, end = period
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ScenarioError(file, "events", "must be a list of events")
    events, seen = [], {}
    for i, entry in enumerate(items):
        label = _event_label(entry, i)
        where = Where(_file_of(entry, file), label)
        if not isinstance(entry, dict):
            raise where.error("must be a mapping with id, date, kind, source")
        event_id = _text(entry, "id", where)
        if not EVENT_ID.fullmatch(event_id):
            raise where.child("id").error(f"{brief(event_id)} is not an event id; lower-case letters, "
                                          "digits and _ (e.g. lna_takes_derna)")
        if event_id in seen:
            raise where.error(f"id {event_id!r} is already used by {seen[event_id]}")
        seen[event_id] = label
        kind_name = entry.get("kind")
        if not isinstance(kind_name, str) or kind_name not in EVENT_KINDS:
            raise where.child("kind").error(f"is {kind_name!r}; allowed: {list(EVENT_KINDS)}")
        kind = EVENT_KINDS[kind_name]
        _check_keys(entry, EVENT_COMMON_KEYS | set(kind.field_names), where)
        required = [f.name for f in kind.fields if f.required]
        for key in required:
            if key not in entry:
                raise where.child(key).error(f"is missing; a {kind_name} event needs {required}")
        date_at = where.child("date")
        if "date" not in entry:
            raise date_at.error("is missing; YYYY-MM or YYYY-MM-DD")
        month = _month(entry["date"], date_at)
        if not start <= month <= end:
            raise date_at.error(f"{entry['date']} is outside the scenario's "
                                f"period {format_month(start)}..{format_month(end)}")
        source = _text(entry, "source", where)
        fields = {f.name: _field(f, entry, where, ids=ids) for f in kind.fields}
        label_text = entry.get("label")
        if label_text is not None and not isinstance(label_text, str):
            raise where.child("label").error("must be a short text (shown on plots)")
        note = "" if entry.get("note") is None else entry["note"]
        if not isinstance(note, str):
            raise where.child("note").error(f"is {brief(note)}; free text")
        event = Event(event_id, month, str(entry["date"]), kind_name, _frozen(fields), source,
                      note, label_text or "")
        problem = kind.check(event) if kind.check else None
        if problem:
            raise where.error(problem)
        events.append(event)
    events.sort(key=lambda e: e.month)  # stable: file order within a month
    return tuple(events)


def _field(spec: Field, entry: dict, event: Where, *, ids: _Ids) -> Any:
    """One event field, checked against its declaration (`sim.events.Field`)."""
    where, value, kind = event.child(spec.name), entry.get(spec.name), spec.type
    if not spec.required and value is None:
        return _frozen({}) if kind == "faction_shares" else None
    if kind == "faction":
        return _ref(value, ids.factions, where, what="faction")
    if kind == "faction_or_null":
        return None if value is None else _ref(value, ids.factions, where, what="faction")
    if kind == "asset":
        return _ref(value, ids.assets, where, what="asset")
    if kind == "state":
        return _ref(value, ids.states, where, what="state")
    if kind == "company":
        return _ref(value, ids.companies, where, what="company")
    if kind == "assets":
        if not isinstance(value, list) or not value:
            raise where.error(f"must be a non-empty list of assets {list(ids.assets)}")
        return tuple(_ref(a, ids.assets, where, what="asset") for a in value)
    if kind == "states_or_all":
        if value == "all":
            return ids.states
        if not isinstance(value, list) or not value:
            raise where.error(f"must be 'all' or a list of {list(ids.states)}")
        return tuple(_ref(s, ids.states, where, what="state") for s in value)
    bounds = (spec.low, spec.high)
    if kind == "number":
        return _number(entry, spec.name, event, bounds=bounds)
    if kind == "choice":
        if value not in spec.choices:
            raise where.error(f"is {value!r}; allowed: {list(spec.choices)}")
        return value
    if kind == "faction_shares":
        _check_keys(value, set(ids.factions), where)
        return _frozen({f: _number(value, f, where, bounds=bounds) for f in value})
    raise AssertionError(kind)  # unreachable: Field checks its type


def _check_stage(scenario: Scenario) -> None:
    """Walk the timeline: who is on stage, and in which camp, when each event refers to them."""
    try:
        replay(Stage.opening(scenario.factions), scenario.events)
    except StageError as exc:
        event = exc.event
        raise ScenarioError(scenario.path, f"event {event.id} ({event.date})", str(exc)) from None
