"""``extends:``: a scenario's chain of bases read and merged, in the order scenarios/README.md
documents (events removed, added, replaced; series appended or replaced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.dates import format_month, parse_month
from sim.errors import ScenarioError, brief
from sim.events import EVENT_KINDS, MATERIAL_KINDS
from sim.paths import SCENARIO_DIR
from sim.scenario.checks import (
    Where,
    _label,
    _month,
    _period,
)
from sim.scenario.reading import _exists, _read_yaml

#: Keys a scenario file may have at its top level; an extension may have these and more.
TOP_KEYS = {
    "name", "title", "description", "start", "end", "factions", "states", "relations", "assets",
    "series", "events", "tilt", "fixed_support",
}
EXTENSION_KEYS = TOP_KEYS | {
    "extends", "remove_events", "add_events", "replace_events", "hold_series_from",
}

#: Longest chain of ``extends:`` (a scenario, its base, the base's base, ...).
MAX_EXTENDS = 10
def _tag_origin(items: Any, path: Path) -> Any:
    """Remember which file each mapping entry came from, for error messages."""
    if isinstance(items, list):
        return [dict(item, _file=str(path)) if isinstance(item, dict) else item for item in items]
    if isinstance(items, dict):
        return {
            key: dict(value, _file=str(path)) if isinstance(value, dict) else value
            for key, value in items.items()
        }
    return items


def _tag_entries(items: Any, path: Path, entry: str) -> Any:
    """Tag each mapping of a list with its file and its place there (``series.NAME[i]``,
    ``add_events[i]``), for error messages."""
    if not isinstance(items, list):
        return items
    return [dict(item, _file=str(path), _entry=f"{entry}[{i}]") if isinstance(item, dict) else item
            for i, item in enumerate(items)]


def _resolve(path: Path, scenario_dir: Path, chain: tuple[Path, ...]) -> dict:
    """The scenario as one raw dict, with its ``extends:`` chain applied.

    ``extends: NAME`` is looked for beside the extending file, then in ``scenario_dir`` (the
    scenarios folder: a scenario in a subfolder such as ``scenarios/counterfactuals/`` may extend
    ``scenarios/libya_2014_2019.yaml``), then in the project's own scenarios (so a user's scenario
    anywhere may extend the packaged history).
    """
    if path in chain:
        cycle = " -> ".join(p.stem for p in (*chain, path))
        raise ScenarioError(str(path), "extends", f"forms a cycle ({cycle})")
    if len(chain) > MAX_EXTENDS:
        raise ScenarioError(str(chain[0]), "extends", f"the chain {chain[0].stem} -> ... -> {path.stem} is "
                            f"longer than {MAX_EXTENDS} scenarios, the limit")
    data = _read_yaml(path)
    allowed = EXTENSION_KEYS if "extends" in data else TOP_KEYS
    unknown = sorted(set(data) - allowed, key=str)
    if unknown:
        raise ScenarioError(
            str(path), f"top-level key {brief(unknown[0])}", f"is not allowed; allowed: {sorted(allowed)}"
        )
    for key in ("factions", "states", "assets", "fixed_support"):
        data[key] = _tag_origin(data.get(key), path)
    data["relations"] = _tag_origin(data.get("relations"), path)
    for key in ("events", "add_events", "replace_events"):  # each event with its place in its own file
        data[key] = _tag_entries(data.get(key), path, key)
    if "extends" not in data and isinstance(data.get("series"), dict):
        data["series"] = {name: _tag_entries(points, path, f"series.{_label(name)}")
                          for name, points in data["series"].items()}
    data.setdefault("name", path.stem)
    data["_file"] = str(path)
    if "extends" not in data:
        return data

    base_name = data["extends"]
    if (not isinstance(base_name, str) or not base_name or base_name.startswith(".")
            or Path(base_name).name != base_name):
        raise ScenarioError(str(path), "extends", f"is {brief(base_name)}; the name of another "
                            "scenario in the same folder, or in the scenarios folder (its file "
                            "name without .yaml)")
    folders = list(dict.fromkeys((path.parent, scenario_dir, SCENARIO_DIR)))
    base_path = next((f / f"{base_name}.yaml" for f in folders if _exists(f / f"{base_name}.yaml")),
                     None)
    if base_path is None:
        known = sorted({p.stem for f in folders for p in f.glob("*.yaml")})
        raise ScenarioError(str(path), "extends", f"unknown scenario {base_name!r} (looked for in "
                            f"{', '.join(map(str, folders))}); known: {known}")
    base = _resolve(base_path.resolve(), scenario_dir, (*chain, path))
    return _apply_extension(base, data, path)


def _apply_extension(base: dict, ext: dict, path: Path) -> dict:
    """The base with the extension's changes, in the order scenarios/README.md documents."""
    file = str(path)
    merged = dict(base)
    merged["name"] = ext["name"]
    merged["_file"] = file
    merged.pop("title", None)  # a title describes one file: an extension gives its own (or none)
    if "title" in ext:
        merged["title"] = ext["title"]
    for key in ("description", "hold_series_from", "tilt"):
        if key in ext:
            merged[key] = ext[key]
    base_start, base_end = _period(base)
    if "start" in ext and _month(ext["start"], Where(file, "start")) != base_start:
        raise ScenarioError(file, "start", "an extension may change `end`, not `start`")
    for key in ("factions", "states", "assets", "fixed_support"):
        if ext.get(key) is not None:
            if not isinstance(ext[key], dict):
                raise ScenarioError(file, key, "must be a mapping of id to entry")
            merged[key] = {**(base.get(key) or {}), **ext[key]}
    if ext.get("series") is not None:
        merged["series"] = _merge_series(base.get("series"), ext["series"], path)
    if ext.get("relations") is not None:
        merged["relations"] = ext["relations"]

    events = list(base.get("events") or [])
    if ext.get("events") is not None:
        raise ScenarioError(
            file, "events", "an extension edits events with add_events / remove_events / "
            "replace_events, it does not restate them"
        )
    events = _remove_events(events, ext.get("remove_events"), path)
    if "end" in ext:
        new_end = _month(ext["end"], Where(file, "end"))
        if not base_start <= new_end <= base_end:
            raise ScenarioError(file, "end", f"{format_month(new_end)} is outside the base's period "
                                f"{format_month(base_start)}..{format_month(base_end)}; an extension "
                                "may end earlier than its base, not later")
        merged["end"] = ext["end"]
        events = [e for e in events if not _after(e, new_end)]
    replacements = _event_list(ext.get("replace_events"), Where(file, "replace_events"))
    by_id = {_id_of(e): i for i, e in enumerate(events)}
    for j, new in enumerate(replacements):
        new_id = _id_of(new)
        if new_id is None or new_id not in by_id:
            raise ScenarioError(
                file, f"replace_events[{j}]", f"id {brief(new_id)} is not an event of the base"
            )
        events[by_id[new_id]] = new
    events.extend(_event_list(ext.get("add_events"), Where(file, "add_events")))
    merged["events"] = events
    return merged


def _event_list(items: Any, where: Where) -> list:
    """``add_events`` / ``replace_events``: a list (its entries are checked as events later)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise where.error(f"is {brief(items)}; a list of events {{id, date, kind, source, ...}}")
    return items


def _merge_series(base: Any, ext: Any, path: Path) -> dict:
    """The base's series with an extension's points appended, or replacing them.

    ``NAME: [points]`` and ``NAME: {append: [points]}`` add points after the base's last one;
    ``NAME: {replace: [points]}`` drops the base's points (scenarios/README.md, "Extending").
    """
    usage = "a list of points to append, {append: [points]} or {replace: [points]}"
    if not isinstance(ext, dict):
        raise ScenarioError(str(path), "series", f"must map each series name to {usage}")
    merged = dict(base) if isinstance(base, dict) else {}
    for name, spec in ext.items():
        entry, how, points = f"series.{_label(name)}", "append", spec
        if isinstance(spec, dict):
            if len(spec) != 1 or next(iter(spec)) not in ("append", "replace"):
                raise ScenarioError(str(path), entry, f"is {brief(spec)}; {usage}")
            ((how, points),) = spec.items()
            entry = f"{entry}.{how}"
        if not isinstance(points, list) or not points:
            raise ScenarioError(str(path), entry, f"is {brief(points)}; a non-empty list of points "
                                "{date, value, source}")
        kept = merged.get(name) if how == "append" and isinstance(merged.get(name), list) else []
        merged[name] = [*kept, *_tag_entries(points, path, entry)]
    return merged


def _id_of(event: Any) -> str | None:
    """A raw event's id if it has a textual one (others are reported when events are built)."""
    event_id = event.get("id") if isinstance(event, dict) else None
    return event_id if isinstance(event_id, str) else None


def _after(event: Any, month: int) -> bool:
    """Whether a raw event is dated after ``month`` (undatable events are kept for validation)."""
    try:
        return isinstance(event, dict) and parse_month(event.get("date")) > month
    except ValueError:
        return False


def _names(spec: dict, key: str, where: Where, what: str) -> set[str]:
    """``remove_events.ids`` / ``.kinds``: a list of names (absent: none)."""
    value = spec.get(key)
    if value is None:
        return set()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.child(key).error(f"is {brief(value)}; a list of {what}")
    return set(value)


def _remove_events(events: list, spec: Any, path: Path) -> list:
    """The base's events without those ``remove_events`` names (ids) or selects (kinds in a window)."""
    where = Where(str(path), "remove_events")
    if spec is None:
        return events
    if not isinstance(spec, dict) or not set(spec) <= {"ids", "kinds", "material", "from", "to"}:
        raise where.error("must be a mapping with keys among ids, kinds, material, from, to")
    ids = _names(spec, "ids", where, "event ids, e.g. [lna_takes_derna]")
    known_ids = {_id_of(e) for e in events}
    missing = sorted(ids - known_ids)
    if missing:
        raise where.child("ids").error(f"unknown event ids {missing}")
    kinds = _names(spec, "kinds", where, f"event kinds among {list(EVENT_KINDS)}")
    material = spec.get("material", False)
    if not isinstance(material, bool):
        raise where.child("material").error(f"is {brief(material)}; true (remove every material "
                                            f"event: {list(MATERIAL_KINDS)}) or false")
    if material:
        kinds |= set(MATERIAL_KINDS)
    bad_kinds = sorted(kinds - set(EVENT_KINDS))
    if bad_kinds:
        raise where.child("kinds").error(f"unknown kinds {bad_kinds}; allowed: {list(EVENT_KINDS)}")
    lo = _month(spec.get("from", "0001-01"), where.child("from"))
    hi = _month(spec.get("to", "9999-12"), where.child("to"))

    def removed(event: dict) -> bool:
        if _id_of(event) in ids:
            return True
        if not isinstance(event.get("kind"), str) or event["kind"] not in kinds:
            return False
        try:
            month = parse_month(event.get("date"))
        except ValueError:
            return False  # reported by validation with its own message
        return lo <= month <= hi

    return [e for e in events if not (isinstance(e, dict) and removed(e))]


