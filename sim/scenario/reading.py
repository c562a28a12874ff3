"""Reading scenario files safely: a size limit, yaml's C safe loader where present, and no
anchors, aliases, merge keys, duplicate keys or deep nesting (each refused with its line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.errors import ScenarioError, brief

#: Largest scenario file read, in bytes: 25 times the historical scenario (75 kB), and small enough
#: to read in a few seconds (yaml builds about 1 MB a second; a 5 MB file takes 6 s and 400 MB).
MAX_FILE_BYTES = 2_000_000
#: Deepest nesting of mappings and lists in a scenario file (the shipped scenarios use 6 levels).
MAX_DEPTH = 20
class _Refused(yaml.MarkedYAMLError):
    """A YAML feature that scenario files do without (anchors, duplicate keys, deep nesting...)."""


class _Strict:
    """Mixed into a yaml safe loader: refuses duplicate and merge keys and unreadable scalars."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """yaml's, with a value Python cannot hold (``int("9" * 5000)``) refused at its line."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            if not isinstance(node, yaml.ScalarNode):
                problem = f"cannot read this value ({exc})"
            elif node.tag == "tag:yaml.org,2002:int":
                problem = (f"cannot read {brief(node.value)}, an integer of {len(node.value):,} "
                           "characters; every number of a scenario is far smaller")
            else:
                problem = f"cannot read {brief(node.value)} ({exc})"
            raise _Refused(None, None, problem, node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """yaml's, refusing a key given twice (yaml keeps the last one) and merge keys."""
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(None, None, "merge keys (<<) are not allowed; write each key out",
                               key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _Refused(None, None, "a key must be a name or a number, not a list or mapping",
                               key_node.start_mark) from None
            if key in first_line:
                raise _Refused(None, None, f"duplicate key {brief(key)} (first given on line "
                               f"{first_line[key]}); a key may appear once in a mapping",
                               key_node.start_mark)
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _strict_loader(base: type) -> type:
    """The loader scenario files are read with: ``base`` (a yaml safe loader) made `_Strict`.

    Timestamps stay text, so that `sim.dates.parse_month` checks them and names the entry.

    Args:
        base: ``yaml.CSafeLoader`` (libyaml, fast) or ``yaml.SafeLoader`` (pure Python).
    """
    loader = type(f"Scenario{base.__name__}", (_Strict, base), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
    return loader


_ScenarioLoader = _strict_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _check_shape(text: str) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream, before any object is built.

    Refusing aliases outright keeps an alias bomb (a few hundred bytes that expand to gigabytes)
    from ever being expanded; scenario files have no use for them.
    """
    loader = _ScenarioLoader(text)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise _Refused(None, None, "anchors and aliases (&name, *name) are not allowed in "
                               "scenario files; write each value out", event.start_mark)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(None, None, f"lists and mappings nest more than {MAX_DEPTH} "
                                   f"levels deep; at most {MAX_DEPTH} are allowed", event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most `MAX_FILE_BYTES` bytes of UTF-8."""
    try:
        if not path.is_file():
            raise ScenarioError(str(path), "file", "is not a regular file; give a scenario file NAME.yaml")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(str(path), "file", f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(str(path), "file", f"is larger than {MAX_FILE_BYTES:,} bytes, the limit "
                            "for a scenario file (the historical scenario is about 75 kB)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(str(path), f"line {line}", f"is not UTF-8 text (byte {data[exc.start]:#04x} "
                            f"at offset {exc.start}); save the file as UTF-8") from None


def _read_yaml(path: Path) -> dict:
    """The file's top-level mapping, read with `_ScenarioLoader` after `_check_shape`."""
    text = _read_text(path)
    try:
        _check_shape(text)
        data = yaml.load(text, Loader=_ScenarioLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, _Refused):
            raise ScenarioError(str(path), where, problem) from None
        raise ScenarioError(
            str(path), where, f"is not valid YAML ({problem}); only plain YAML is allowed"
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "top level", "must be a mapping of keys to values")
    return data


def _exists(path: Path) -> bool:
    """``path.exists()``, False for a name no file can have (too long, or with a NUL byte)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False
