"""Inputs that cannot hurt (issue 9): every bad input gives ONE clear error, fast.

The table lists each hostile input with how it is built, the error it must give and words its
message must contain. An input written to a file must be named by its message (the message starts
with the file's path); nothing may surface as a traceback from yaml, numpy or Hydra, a hang or a
memory blow-up.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sim.errors import InputError, ParameterError, ScenarioError
from sim.scenario import load_scenario
from sim.scenario import reading as scenario_reading
from sim.simulate import simulate
from sim.targets import STATE_COLUMNS, load_state_targets
from tests.conftest import MINI


@dataclass
class Inputs:
    """Builds hostile inputs in a test's temporary folder.

    Attributes:
        folder: the test's temporary folder (the toy scenario ``mini.yaml`` is copied there).
        write_variant: the conftest fixture writing an edited copy of the toy scenario.
        file: the file the last input was written to (its error message must name it), or None.
    """

    folder: Path
    write_variant: Callable[..., Path]
    file: Path | None = None

    def scenario(self, path: Path) -> Callable[[], object]:
        self.file = path
        return lambda: load_scenario(path)

    def raw(self, text: str | bytes, name: str = "raw.yaml") -> Callable[[], object]:
        """A scenario file with exactly these contents."""
        path = self.folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return self.scenario(path)

    def target(self, rows: str) -> Callable[[], object]:
        """A target file of other states' points with these rows under the header."""
        path = self.folder / "targets.csv"
        path.write_text(f"{','.join(STATE_COLUMNS)}\n{rows}\n", encoding="utf-8")
        self.file = path
        return lambda: load_state_targets(str(path), ("ITA", "FRA", "TUR"))


# --------------------------------------------------------------------------- builders


def variant(edit: Callable[[dict], object]) -> Callable[[Inputs], Callable[[], object]]:
    """The toy scenario with ``edit`` applied to its dict."""
    return lambda inputs: inputs.scenario(inputs.write_variant(edit))


def raw(text: str | bytes) -> Callable[[Inputs], Callable[[], object]]:
    """A scenario file with the text ``text`` (beside a copy of the toy scenario)."""
    return lambda inputs: inputs.raw(text)


def extension(text: str) -> Callable[[Inputs], Callable[[], object]]:
    """An extension of the toy scenario: ``extends: mini`` followed by ``text``."""
    return raw(f"extends: mini\n{text}")


def target(rows: str) -> Callable[[Inputs], Callable[[], object]]:
    return lambda inputs: inputs.target(rows)


def call(**arguments: object) -> Callable[[Inputs], Callable[[], object]]:
    """`sim.simulate` called with ``arguments`` (a short toy run if they were accepted)."""
    arguments = {"scenario": str(MINI), "replicates": 2, **arguments}
    return lambda inputs: lambda: simulate(**arguments)


def _set(path: list, value: object) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _event(index: int, key: str, value: object) -> Callable[[dict], None]:
    return _set(["events", index, key], value)


def _rename_faction(old: str, new: object) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        data["factions"] = {new if k == old else k: v for k, v in data["factions"].items()}

    return edit


def _nested(levels: int) -> str:
    return "extends: mini\ndescription: " + "[" * levels + "]" * levels + "\n"


def _alias_bomb() -> str:
    """A 'billion laughs' in an extension's description: 9**9 strings if expanded, ~425 bytes."""
    names = "abcdefghi"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]" for p, n in itertools.pairwise(names)]
    return "extends: mini\ndescription: {" + ",".join(lines) + "}\n"


ALIAS_BOMB = _alias_bomb()
FACTION = "{name: X, strength: 0.5, islamist: 0, extremist: 0, legitimacy: 0, camp: GNA, source: t}"
POINT = "{date: 2017-01, value: 1, source: t}"
EVENT = "{id: extra, date: %s, kind: strength, faction: LNA, change: 0.1, source: t}"

YAML_CASES = [
    # (description, builder, expected exception, words the message must contain)
    ("malformed YAML", raw("name: x\nfactions: [unclosed\n"), ScenarioError,
     ["line 3, column 1", "is not valid YAML"]),
    ("a python object tag", raw("name: !!python/object/apply:os.system ['echo hacked']\n"), ScenarioError,
     ["line 1, column 7", "not valid YAML"]),
    ("an alias bomb in an extension's description", extension(ALIAS_BOMB[len("extends: mini\n"):]),
     ScenarioError, ["line 2", "anchors and aliases (&name, *name) are not allowed"]),
    ("an anchor, even unused", extension("description: &text counterfactual\n"), ScenarioError,
     ["line 2, column 14", "anchors and aliases"]),
    ("a merge key", extension("tilt: {<<: {plus: LNA}, minus: GNA}\n"), ScenarioError,
     ["line 2, column 8", "merge keys (<<) are not allowed"]),
    ("a duplicate top-level key", extension("end: 2016-10\nend: 2016-11\n"), ScenarioError,
     ["line 3, column 1", "duplicate key 'end' (first given on line 2)"]),
    ("a duplicate faction id", raw(MINI.read_text(encoding="utf-8").replace(
        "  LATE:", f"  GNA: {FACTION}\n  LATE:")), ScenarioError, ["duplicate key 'GNA' (first given on line 7)"]),
    ("a list as a key", extension("factions: {? [GNA] : x}\n"), ScenarioError,
     ["line 2", "a key must be a name or a number"]),
    ("nesting 30 levels deep", raw(_nested(30)), ScenarioError,
     ["line 2", "nest more than 20 levels deep"]),
    ("nesting 100,000 levels deep", raw(_nested(100_000)), ScenarioError, ["line 2", "nest"]),
    ("an integer of 5,000 digits", extension("end: " + "9" * 5000 + "\n"), ScenarioError,
     ["line 2, column 6", "cannot read '999", "an integer of 5,000 characters"]),
    ("a float tag on text", extension("end: !!float nonsense\n"), ScenarioError,
     ["line 2, column 6", "cannot read 'nonsense'"]),
    ("a file that is not UTF-8", raw("extends: mini\ndescription: caf\xe9\n".encode("latin-1")), ScenarioError,
     ["line 2: is not UTF-8 text (byte 0xe9"]),
    ("two documents in one file", raw("extends: mini\n---\nextends: mini\n"), ScenarioError,
     ["line 2, column 1", "not valid YAML", "another document"]),
    ("a list at the top level", raw("- extends\n- mini\n"), ScenarioError, ["top level: must be a mapping"]),
    ("an empty file", raw(""), ScenarioError, ["top level: must be a mapping"]),
    ("a file over the size limit", raw("# padding\n" * (scenario_reading.MAX_FILE_BYTES // 10 + 1)), ScenarioError,
     [f"file: is larger than {scenario_reading.MAX_FILE_BYTES:,} bytes, the limit"]),
]

SCENARIO_CASES = [
    # references, kinds and ranges
    ("unknown faction in an event", variant(_event(0, "attacker", "NOBODY")), ScenarioError,
     ["events[0] (haven_taken).attacker", "unknown faction 'NOBODY'", "known:"]),
    ("unknown asset in an event", variant(_event(0, "assets", ["ATLANTIS"])), ScenarioError,
     ["unknown asset 'ATLANTIS'", "known:"]),
    ("unknown event kind", variant(_event(0, "kind", "invasion")), ScenarioError,
     ["haven_taken", ".kind", "allowed:", "offensive"]),
    ("a list as an event kind", variant(_event(0, "kind", ["offensive"])), ScenarioError,
     ["haven_taken", ".kind", "allowed:", "offensive"]),
    ("an event outside the period", variant(_event(0, "date", "2013-05")), ScenarioError,
     ["haven_taken", ".date", "outside the scenario's period 2016-01..2016-12"]),
    ("month 13", variant(_event(0, "date", "2016-13")), ScenarioError,
     ["haven_taken", ".date", "months run 01..12"]),
    ("a date in words", variant(_event(0, "date", "March 2016")), ScenarioError,
     ["haven_taken", ".date", "YYYY-MM"]),
    ("an empty source", variant(_event(0, "source", "")), ScenarioError, ["haven_taken", ".source", "non-empty"]),
    ("an unknown outcome", variant(_event(0, "outcome", "maybe")), ScenarioError,
     ["haven_taken", ".outcome", "'attacker', 'defender', 'open'"]),
    ("losses above 1", variant(_event(0, "losses", {"ISIS": 1.5})), ScenarioError,
     ["losses.ISIS", "allowed range [0.0, 1.0]"]),
    ("losses not a number", variant(_event(0, "losses", {"ISIS": float("nan")})), ScenarioError,
     ["losses.ISIS", "finite number"]),
    ("an unknown event field", variant(_event(0, "weather", "fine")), ScenarioError,
     ["haven_taken", "weather", "unknown key"]),
    ("islamist above 1", variant(_set(["factions", "GNA", "islamist"], 2)), ScenarioError,
     ["factions.GNA.islamist", "allowed range [0.0, 1.0]"]),
    ("a camp that is not a head", variant(_set(["factions", "GNA", "camp"], "MILITIA")), ScenarioError,
     ["factions.GNA.camp", "not a camp head"]),
    ("an unknown interest", variant(_set(["states", "ITA", "weights", "greed"], 1)), ScenarioError,
     ["states.ITA.weights.greed", "unknown key"]),
    ("a negative capacity", variant(_set(["states", "ITA", "capacity"], -1)), ScenarioError,
     ["states.ITA.capacity", "[0.0, 1.0]"]),
    ("an asset held by a faction off stage", variant(_set(["assets", "GAS", "controller"], "LATE")),
     ScenarioError, ["assets.GAS.controller", "not on stage"]),
    ("a stake of an unknown company", variant(_set(["assets", "GAS", "stakes"], {"Aramco": 0.5})),
     ScenarioError, ["assets.GAS.stakes.Aramco", "unknown key"]),
    ("departure shares over 1", variant(_set(["assets", "GAS", "departure_share"], 0.5)), ScenarioError,
     ["departure_share", "sum to 1.300; at most 1"]),
    ("a transit share over 1", variant(_set(["assets", "GAS", "transit_share"], 1.5)), ScenarioError,
     ["assets.GAS.transit_share", "[0.0, 1.0]"]),
    ("series dates not increasing", variant(_set(["series", "oil_output", 1, "date"], "2015-12")),
     ScenarioError, ["series.oil_output[1].date", "dates must increase"]),
    ("a required series missing", variant(lambda d: d["series"].pop("oil_output")), ScenarioError,
     ["series.oil_output", "required"]),
    ("a state related to itself", variant(_set(["relations", 0, "b"], "ITA")), ScenarioError,
     ["relations[0]", "must differ"]),
    ("an end before the start", variant(_set(["end"], "2015-06")), ScenarioError, ["end", "before start"]),
    ("an unknown top-level key", variant(_set(["colour"], "red")), ScenarioError,
     ["top-level key 'colour'", "allowed:"]),
    ("an event id used twice", variant(lambda d: d["events"].append(copy.deepcopy(d["events"][0]))),
     ScenarioError, ["id 'haven_taken' is already used"]),
    ("a faction used before it enters", variant(lambda d: d["events"].insert(0, {
        "id": "early", "date": "2016-02", "kind": "strength", "faction": "LATE", "change": 0.1, "source": "x"})),
     ScenarioError, ["event early (2016-02)", "LATE, which is not on stage"]),
    ("a faction entering twice", variant(lambda d: d["events"].append({
        "id": "again", "date": "2016-12", "kind": "enter", "faction": "GNA", "source": "x"})),
     ScenarioError, ["event again", "GNA enters but is already on stage"]),
    # strict dates, everywhere one is read
    ("31 February in an event (quoted)", variant(_event(0, "date", "2016-02-31")), ScenarioError,
     ["events[0] (haven_taken).date", "'2016-02-31' has day 31, but 2016-02 has days 01..29"]),
    ("29 February of a common year (unquoted)", extension("add_events: [" + EVENT % "2015-02-29" + "]\n"),
     ScenarioError, ["add_events[0] (extra).date", "has day 29, but 2015-02 has days 01..28"]),
    ("31 April in a series point", variant(_set(["series", "oil_output", 0, "date"], "2016-04-31")),
     ScenarioError, ["series.oil_output[0].date", "has day 31"]),
    ("month 00 as the start", variant(_set(["start"], "2016-00")), ScenarioError, ["start", "months run 01..12"]),
    ("a number as the end", variant(_set(["end"], 201612)), ScenarioError,
     ["end", "201612 is not a date of the form YYYY-MM"]),
    ("a bad hold_series_from", extension("hold_series_from: '2016-06-31'\n"), ScenarioError,
     ["hold_series_from", "has day 31"]),
    # huge numbers
    ("a strength of 1e400 (inf)", variant(_set(["factions", "GNA", "strength"], float("inf"))),
     ScenarioError, ["factions.GNA.strength", "is inf; a finite number in [0.0, 100.0]"]),
    ("a strength written 1.0e+400", extension(f"factions: {{GNA: {FACTION.replace('0.5', '1.0e+400')}}}\n"),
     ScenarioError, ["factions.GNA.strength", "is inf; a finite number"]),
    ("a strength of 10**400", variant(_set(["factions", "GNA", "strength"], 10**400)), ScenarioError,
     ["factions.GNA.strength", "an integer of 1329 bits; a finite number in [0.0, 100.0]"]),
    ("a series value of 1e300", variant(_set(["series", "oil_output", 0, "value"], 1e300)), ScenarioError,
     ["series.oil_output[0].value", "allowed range [0.0, 100000000.0]"]),
    ("an estimate bound of 10**400", variant(_set(["factions", "LNA", "estimates"], {"strength": [0.5, 10**400]})),
     ScenarioError, ["factions.LNA.estimates.strength", "must be [low, high], two finite numbers"]),
    ("a boolean as a number", variant(_set(["factions", "GNA", "strength"], True)), ScenarioError,
     ["factions.GNA.strength", "is True; a finite number"]),
    # types: identifiers, lists, mappings, text
    ("an integer faction id", variant(_rename_faction("LATE", 123)), ScenarioError,
     ["factions.123: is not an id", "upper-case letters, digits and _"]),
    ("a lower-case faction id", variant(_rename_faction("LATE", "late")), ScenarioError,
     ["factions.late: is not an id"]),
    ("an integer camp", variant(_set(["factions", "MILITIA", "camp"], 123)), ScenarioError,
     ["factions.MILITIA.camp", "unknown faction 123; known:"]),
    ("an event id with spaces", variant(_event(0, "id", "Haven Taken")), ScenarioError,
     ["events[0] (Haven Taken).id", "is not an event id; lower-case letters, digits and _"]),
    ("an integer event id", variant(_event(0, "id", 5)), ScenarioError, ["events[0].id", "is 5; a non-empty string"]),
    ("a string where a list of assets belongs", variant(_event(0, "assets", "HAVEN")), ScenarioError,
     ["events[0] (haven_taken).assets", "must be a non-empty list of assets"]),
    ("a string where a list of states belongs", variant(_event(1, "affects", "ITA")), ScenarioError,
     ["events[1] (terror_attack).affects", "must be 'all' or a list of"]),
    ("factions as a list", variant(_set(["factions"], ["GNA", "LNA"])), ScenarioError,
     ["factions: is missing or empty; a mapping of id to entry"]),
    ("weights as a number", variant(_set(["states", "ITA", "weights"], 5)), ScenarioError,
     ["states.ITA.weights: is 5; a mapping with keys among"]),
    ("relations as a string", variant(_set(["relations"], "ITA-FRA")), ScenarioError,
     ["relations: must be a list"]),
    ("events as a mapping", variant(_set(["events"], {"haven_taken": "2016-03"})), ScenarioError,
     ["events: must be a list of events"]),
    ("a note that is a list", variant(_event(0, "note", ["a", "b"])), ScenarioError,
     ["events[0] (haven_taken).note", "free text"]),
    ("a name that is a list", variant(_set(["name"], ["mini"])), ScenarioError, ["name: is ['mini']; a short name"]),
    ("a description that is a mapping", variant(_set(["description"], {"a": 1})), ScenarioError,
     ["description: is {'a': 1}; a paragraph of text"]),
    ("a megabyte of text where a faction belongs", variant(_event(0, "attacker", "X" * 1_000_000)), ScenarioError,
     ["events[0] (haven_taken).attacker", "unknown faction 'XXXX", "...; known:"]),
]

EXTENSION_CASES = [
    ("an end beyond the base's period", extension("end: 2017-03\n"), ScenarioError,
     ["end: 2017-03 is outside the base's period 2016-01..2016-12", "not later"]),
    ("a new start", extension("start: 2016-02\n"), ScenarioError, ["start", "may change `end`, not `start`"]),
    ("restated events", extension("events: []\n"), ScenarioError, ["events", "add_events / remove_events"]),
    ("remove_events ids as a number", extension("remove_events: {ids: 5}\n"), ScenarioError,
     ["remove_events.ids: is 5; a list of event ids"]),
    ("remove_events ids as a string", extension("remove_events: {ids: haven_taken}\n"), ScenarioError,
     ["remove_events.ids: is 'haven_taken'; a list of event ids"]),
    ("remove_events of an unknown id", extension("remove_events: {ids: [ghost]}\n"), ScenarioError,
     ["remove_events.ids: unknown event ids ['ghost']"]),
    ("remove_events kinds as a string", extension("remove_events: {kinds: offensive}\n"), ScenarioError,
     ["remove_events.kinds: is 'offensive'; a list of event kinds among"]),
    ("remove_events of an unknown kind", extension("remove_events: {kinds: [invasion]}\n"), ScenarioError,
     ["remove_events.kinds: unknown kinds ['invasion']; allowed:"]),
    ("remove_events material as text", extension("remove_events: {material: often}\n"), ScenarioError,
     ["remove_events.material: is 'often'; true", "or false"]),
    ("remove_events from 30 February", extension("remove_events: {kinds: [terror], from: '2016-02-30'}\n"),
     ScenarioError, ["remove_events.from", "has day 30"]),
    ("remove_events as a list", extension("remove_events: [haven_taken]\n"), ScenarioError,
     ["remove_events: must be a mapping with keys among ids, kinds, material, from, to"]),
    ("add_events as a string", extension("add_events: haven_taken\n"), ScenarioError,
     ["add_events: is 'haven_taken'; a list of events"]),
    ("replace_events as a mapping", extension("replace_events: {id: gas_fight}\n"), ScenarioError,
     ["replace_events: is {'id': 'gas_fight'}; a list of events"]),
    ("replacing an unknown event", extension("replace_events: [{id: ghost}]\n"), ScenarioError,
     ["replace_events[0]: id 'ghost' is not an event of the base"]),
    ("factions as a list", extension("factions: [GNA]\n"), ScenarioError, ["factions: must be a mapping of id"]),
    ("series as a list", extension(f"series: [{POINT}]\n"), ScenarioError,
     ["series: must map each series name to a list of points to append"]),
    ("a series neither appended nor replaced", extension(f"series: {{oil_output: {{prepend: [{POINT}]}}}}\n"),
     ScenarioError, ["series.oil_output: is {'prepend'", "{append: [points]} or {replace: [points]}"]),
    ("a series both appended and replaced",
     extension(f"series: {{oil_output: {{append: [{POINT}], replace: [{POINT}]}}}}\n"), ScenarioError,
     ["series.oil_output:", "{append: [points]} or {replace: [points]}"]),
    ("an empty replacement series", extension("series: {oil_output: {replace: []}}\n"), ScenarioError,
     ["series.oil_output.replace: is []; a non-empty list of points"]),
    ("an appended point before the base's last", extension(
        "series: {oil_output: [{date: 2016-05, value: 1, source: t}]}\n"), ScenarioError,
     ["series.oil_output[0].date: 2016-05 is not after the previous point 2016-12",
      "appended after its base's last point", "{replace: [...]}"]),
    ("an explicitly appended point out of order", extension(
        "series: {oil_output: {append: [{date: 2017-02, value: 1, source: t}, {date: 2017-01, value: 1, source: t}]}}\n"),
     ScenarioError, ["series.oil_output.append[1].date: 2017-01 is not after the previous point 2017-02"]),
    ("an unknown series", extension(f"series: {{rainfall: [{POINT}]}}\n"), ScenarioError,
     ["series.rainfall: unknown series; known:"]),
    ("extends with a path", raw("extends: ../mini\n"), ScenarioError,
     ["extends: is '../mini'; the name of another scenario in the same folder"]),
    ("extends with a number", raw("extends: 5\n"), ScenarioError, ["extends: is 5; the name of another scenario"]),
]

SIMULATE_CASES = [
    ("params as a list", call(params=[1, 2]), TypeError, ["params must be a mapping"]),
    ("overrides as one string", call(overrides="end=2018-12"), TypeError,
     ["overrides must be a list of strings", "not one string"]),
    ("overrides holding a number", call(overrides=[1]), TypeError, ["overrides must be a list of strings"]),
    ("replicates 2.5", call(replicates=2.5), TypeError, ["replicates must be an integer >= 1, got 2.5"]),
    ("replicates 0", call(replicates=0), ValueError, ["replicates must be an integer >= 1, got 0"]),
    ("replicates True", call(replicates=True), TypeError, ["replicates must be an integer", "got True"]),
    ("a billion replicates", call(replicates=10**9), InputError,
     ["config: replicates: 1000000000 replicates would need about"]),
    ("a negative seed", call(seed=-1), ValueError, ["seed must be an integer >= 0, got -1"]),
    ("a float seed", call(seed=1.0), TypeError, ["seed must be an integer >= 0, got 1.0"]),
    ("seed True", call(seed=True), TypeError, ["seed must be an integer", "got True"]),
    ("progress as text", call(progress="yes"), TypeError, ["progress must be true or false"]),
    ("a scenario name that is a number", call(scenario=5), TypeError, ["scenario must be a scenario name"]),
    ("a scenario name with a comma", call(scenario="a,b"), ScenarioError,
     ["a,b.yaml: scenario: no such scenario file", "libya_2014_2019"]),
    ("a scenario name with '='", call(scenario="end=2018-12"), ScenarioError,
     ["end=2018-12.yaml: scenario: no such scenario file", "libya_2014_2019"]),
    ("a scenario name too long for any file", call(scenario="x" * 5000), ScenarioError, ["no such scenario file"]),
    ("an override Hydra cannot parse", call(overrides=["nonsense"]), ValueError,
     ["overrides ['nonsense'] cannot be applied", "Error parsing override"]),
    ("an override of the wrong type", call(overrides=["replicates=abc"]), ValueError,
     ["cannot be applied", "could not be converted to Integer"]),
    ("an override ending in month 13", call(overrides=["end=2016-13"]), ScenarioError,
     ["mini.yaml: end: '2016-13' has month 13"]),
    ("state weights that are not a mapping", call(params={"state_weights": {"ITA": 3}}), ParameterError,
     ["params: state_weights.ITA: is 3; a mapping of interest to weight"]),
    ("estimates as a list", call(estimates=[0.5]), TypeError, ["estimates must be a mapping of estimate path"]),
    ("an estimate the scenario lacks", call(estimates={"factions.NOBODY.strength": 0.5}), ValueError,
     ["estimates: 'factions.NOBODY.strength' is not an estimate of mini", "include"]),
    ("an estimate beyond its range", call(estimates={"assets.HAVEN.haven": 1.5}), ValueError,
     ["estimates: assets.HAVEN.haven (of mini) is 1.5; allowed: a number in its plausible range [0.5, 1]"]),
    ("an estimate that is NaN", call(estimates={"assets.HAVEN.haven": float("nan")}), ValueError,
     ["estimates: assets.HAVEN.haven (of mini) is nan; allowed: a number"]),
    ("an estimate given as text", call(estimates={"assets.HAVEN.haven": "0.7"}), ValueError,
     ["estimates: assets.HAVEN.haven (of mini) is '0.7'; allowed: a number"]),
]

TARGET_CASES = [
    ("a target dated 30 February", target("FRA,2016-02-30,0.5,0.2,Reuters,words,why"), InputError,
     ["row 1 (2016-02-30).date", "has day 30"]),
    ("an infinite tilt", target("FRA,2016-02,1e400,0.2,Reuters,words,why"), InputError,
     ["row 1 (2016-02).tilt", "is inf; a number in [-1, 1]"]),
    ("a tilt that is a boolean", target("FRA,2016-02,True,0.2,Reuters,words,why"), InputError,
     ["row 1 (2016-02).tilt", "a number in [-1, 1]"]),
    ("a target file over the size limit", target("# padding\n" * 200_001), InputError,
     ["file: is larger than 2,000,000 bytes"]),
]

CASES = [*YAML_CASES, *SCENARIO_CASES, *EXTENSION_CASES, *SIMULATE_CASES, *TARGET_CASES]


@pytest.fixture
def inputs(tmp_path: Path, write_variant: Callable[..., Path]) -> Inputs:
    (tmp_path / "mini.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    return Inputs(tmp_path, write_variant)


def _check(inputs: Inputs, build: Callable, error: type[Exception], words: list[str]) -> None:
    act = build(inputs)
    with pytest.raises(Exception) as caught:  # the exact type is checked below
        act()
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    message = str(caught.value)
    if inputs.file is not None:
        assert message.startswith(str(inputs.file)), message
    assert len(message) < 2000, message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(("description", "build", "error", "words"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_gives_one_clear_error(inputs, description, build, error, words):
    _check(inputs, build, error, words)


@pytest.mark.parametrize(("description", "build", "error", "words"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_the_pure_python_loader_refuses_the_same(inputs, monkeypatch, description, build, error, words):
    """Without libyaml, yaml's pure-Python loader is used, with the same checks."""
    monkeypatch.setattr(scenario_reading, "_ScenarioLoader", scenario_reading._strict_loader(yaml.SafeLoader))
    if description == "nesting 100,000 levels deep":
        words = [*words, "more than 20 levels"]  # libyaml stops at 1,000 levels with its own message
    _check(inputs, build, error, words)


def test_an_alias_bomb_is_refused_before_anything_is_built(tmp_path, monkeypatch):
    (tmp_path / "mini.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    assert len(ALIAS_BOMB.encode()) < 450

    def never(self):
        raise AssertionError("the document was constructed")

    monkeypatch.setattr(scenario_reading._ScenarioLoader, "get_single_data", never)
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="anchors and aliases"):
        load_scenario(path)
    assert time.perf_counter() - started < 2.0  # a guard against a hang; it takes milliseconds


def test_a_folder_named_like_a_scenario_is_not_read(tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(ScenarioError, match=r"folder.yaml: file: is not a regular file"):
        load_scenario(folder)


def test_an_extends_chain_longer_than_the_limit_is_refused(tmp_path):
    (tmp_path / "s0.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    for i in range(1, 13):
        (tmp_path / f"s{i}.yaml").write_text(f"extends: s{i - 1}\n", encoding="utf-8")
    assert load_scenario(tmp_path / "s10.yaml").name == "s10"  # ten links are fine
    with pytest.raises(ScenarioError, match=r"s12.yaml: extends: the chain .* is longer than 10 scenarios"):
        load_scenario(tmp_path / "s12.yaml")


def test_a_scenario_path_with_a_comma_and_an_equals_sign_runs(tmp_path):
    """The scenario name is never pasted into a Hydra override, so any file name works."""
    path = tmp_path / "mini,end=2016-06.yaml"
    path.write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    result = simulate(str(path), replicates=2, seed=1)
    assert result.tilt_array.shape[:2] == (12, 2)


# --------------------------------------------------------------------------- the app's answer

#: Inputs written to a scenario file: the app must answer each with exit code 2, the message, and
#: no results folder.
FILE_CASES = [*YAML_CASES, *SCENARIO_CASES, *EXTENSION_CASES]


def _run(tmp_path: Path, *overrides: str) -> tuple[int, str, Path]:
    """``python -m sim.run`` in process (its config composed as Hydra would, the folder created
    empty as Hydra does): exit code, message, results folder."""
    from sim.config import compose_config
    from sim.run import run_command

    run_dir = tmp_path / "results" / "run"
    run_dir.mkdir(parents=True)
    code, message, _ = run_command(compose_config(["replicates=2", *overrides]), run_dir)
    return code, message, run_dir


def _left_nothing(run_dir: Path) -> bool:
    return not run_dir.exists() and not any(run_dir.parent.iterdir())


@pytest.mark.parametrize(("description", "build", "error", "words"), FILE_CASES,
                         ids=[c[0] for c in FILE_CASES])
def test_the_app_exits_2_with_the_message_and_leaves_no_folder(inputs, tmp_path, description, build,
                                                                error, words):
    build(inputs)
    code, message, run_dir = _run(tmp_path / "app", f"scenario={inputs.file}")
    assert code == 2
    assert message.startswith(f"error: {inputs.file}") and "\n" not in message, message
    for word in words:
        assert word in message, message
    assert _left_nothing(run_dir)


#: Run settings the app refuses: override, words of the one-line message.
RUN_CASES = [
    ("scenario=atlantis", ["atlantis.yaml: scenario: no such scenario file; scenarios in"]),
    ("params.inertia=7", ["params: inertia: is 7; allowed range [0.01, 1.0]"]),
    ("params.noise=nan", ["params: noise: is not a finite number"]),
    ("+params.state_weights.XYZ.oil=1", ["state_weights.XYZ: unknown state"]),
    ("+params.interest_scales.greed=2", ["interest_scales.greed: unknown interest"]),
    ("end=2030-01", ["end: end 2030-01 is outside 2014-01..2019-08"]),
    ("end=2016-02-31", ["end:", "has day 31, but 2016-02 has days 01..29"]),
    ("focus_state=XYZ", ["focus_state: unknown state 'XYZ'"]),
    ("scenario_dir=/no/such/folder", ["/no/such/folder: scenario_dir: is not a folder"]),
    ("targets=nonexistent", ["nonexistent.csv: file: no such target file; known: ["]),
    ("first_replicate=-1", ["first_replicate must be a non-negative integer, got -1"]),
    ("replicates=100000000", ["replicates: 100000000 replicates would need about",
                              "use record=tilt (tilts only) or fewer replicates"]),
]


@pytest.mark.parametrize(("override", "words"), RUN_CASES, ids=[c[0] for c in RUN_CASES])
def test_bad_run_settings_exit_2_with_one_line_and_no_folder(tmp_path, override, words):
    code, message, run_dir = _run(tmp_path, override)
    assert code == 2 and message.startswith("error: ") and "\n" not in message, message
    for word in words:
        assert word in message, message
    assert _left_nothing(run_dir)


def test_a_results_folder_that_holds_results_or_is_being_written_is_refused(tmp_path):
    from sim.output import claimed

    code, _, run_dir = _run(tmp_path / "a")
    assert code == 0 and (run_dir / "tilt.parquet").exists()
    before = (run_dir / "tilt.parquet").read_bytes()
    from sim.config import compose_config
    from sim.run import run_command

    code, message, _ = run_command(compose_config(["replicates=2"]), run_dir)
    assert code == 2 and "already holds results; results are never overwritten" in message
    assert (run_dir / "tilt.parquet").read_bytes() == before
    busy = tmp_path / "b" / "run"
    with claimed(busy):
        code, message, _ = run_command(compose_config(["replicates=2"]), busy)
    assert code == 2 and "is being written by another run" in message
