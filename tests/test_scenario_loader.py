"""Every kind of bad scenario input gives one clear error naming the file, entry and allowed values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.dates import parse_month
from sim.errors import ScenarioError
from sim.scenario import load_scenario
from tests.conftest import MINI


def test_the_toy_scenario_loads(mini_scenario):
    assert mini_scenario.name == "mini"
    assert mini_scenario.n_months == 12
    assert next(e.id for e in mini_scenario.events) == "haven_taken"
    assert mini_scenario.monthly("migrant_arrivals")[0] == 10000


def _set(path: list, value):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _event(index: int, key: str, value):
    return _set(["events", index, key], value)


BAD_INPUTS = [
    # (edit, words the message must contain)
    (_event(0, "attacker", "NOBODY"), ["events[0] (haven_taken).attacker", "unknown faction 'NOBODY'", "known:"]),
    (_event(0, "assets", ["ATLANTIS"]), ["unknown asset 'ATLANTIS'", "known:"]),
    (_event(0, "kind", "invasion"), ["haven_taken", ".kind", "allowed:", "offensive"]),
    (_event(0, "kind", ["offensive"]), ["haven_taken", ".kind", "allowed:", "offensive"]),
    (_event(0, "date", "2013-05"), ["haven_taken", ".date", "outside the scenario's period 2016-01..2016-12"]),
    (_event(0, "date", "2016-13"), ["haven_taken", ".date", "months run 01..12"]),
    (_event(0, "date", "March 2016"), ["haven_taken", ".date", "YYYY-MM"]),
    (_event(0, "source", ""), ["haven_taken", ".source", "non-empty"]),
    (_event(0, "outcome", "maybe"), ["haven_taken", ".outcome", "'attacker', 'defender', 'open'"]),
    (_event(0, "losses", {"ISIS": 1.5}), ["losses.ISIS", "allowed range [0.0, 1.0]"]),
    (_event(0, "losses", {"ISIS": float("nan")}), ["losses.ISIS", "finite number"]),
    (_event(0, "weather", "fine"), ["haven_taken", "weather", "unknown key"]),
    (_set(["factions", "GNA", "islamist"], 2), ["factions.GNA.islamist", "allowed range [0.0, 1.0]"]),
    (_set(["factions", "GNA", "camp"], "MILITIA"), ["factions.GNA.camp", "not a camp head"]),
    (_set(["states", "ITA", "weights", "greed"], 1), ["states.ITA.weights.greed", "unknown key"]),
    (_set(["states", "ITA", "capacity"], -1), ["states.ITA.capacity", "[0.0, 1.0]"]),
    (_set(["assets", "GAS", "controller"], "LATE"), ["assets.GAS.controller", "not on stage"]),
    (_set(["assets", "GAS", "stakes"], {"Aramco": 0.5}), ["assets.GAS.stakes.Aramco", "unknown key"]),
    (_set(["assets", "GAS", "departure_share"], 0.5), ["departure_share", "sum to 1.300; at most 1"]),
    (_set(["series", "oil_output", 1, "date"], "2015-12"), ["series.oil_output[1].date", "dates must increase"]),
    (lambda d: d["series"].pop("oil_output"), ["series.oil_output", "required"]),
    (_set(["relations", 0, "b"], "ITA"), ["relations[0]", "must differ"]),
    (_set(["end"], "2015-06"), ["end", "before start"]),
    (_set(["colour"], "red"), ["top-level key 'colour'", "allowed:"]),
    (lambda d: d["events"].append(dict(d["events"][0])), ["id 'haven_taken' is already used"]),
    # order on the stage: a faction used before it enters, or entering twice
    (lambda d: d["events"].insert(0, {"id": "early", "date": "2016-02", "kind": "strength",
                                      "faction": "LATE", "change": 0.1, "source": "x"}),
     ["event early (2016-02)", "LATE, which is not on stage"]),
    (lambda d: d["events"].append({"id": "again", "date": "2016-12", "kind": "enter",
                                   "faction": "GNA", "source": "x"}),
     ["event again", "GNA enters but is already on stage"]),
]


@pytest.mark.parametrize(("edit", "words"), BAD_INPUTS, ids=[w[0] for _, w in BAD_INPUTS])
def test_bad_input_gives_one_clear_error(write_variant, edit, words):
    path = write_variant(edit)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    for word in words:
        assert word in message, message


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nfactions: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken.yaml: line \d+, column \d+: is not valid YAML"):
        load_scenario(path)


def test_yaml_cannot_construct_objects(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_unknown_scenario_name_lists_the_known_ones():
    with pytest.raises(ScenarioError, match=r"no such scenario file; scenarios in .*libya_2014_2019"):
        load_scenario("atlantis")


# --------------------------------------------------------------------------- extends


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_extension_adds_removes_and_replaces_events(tmp_path):
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    child = _write(tmp_path / "child.yaml", """
extends: mini
description: counterfactual
end: 2016-10
remove_events: {ids: [terror_attack]}
replace_events:
  - {id: gas_fight, date: 2016-08, kind: offensive, attacker: LNA, defender: GNA, assets: [GAS],
     outcome: defender, source: counterfactual}
add_events:
  - {id: extra, date: 2016-02, kind: strength, faction: LNA, change: 0.5, source: counterfactual}
""")
    scenario = load_scenario(child)
    ids = [e.id for e in scenario.events]
    assert "terror_attack" not in ids
    assert ids[0] == "extra"  # re-sorted by date
    assert scenario.end == parse_month("2016-10")
    assert next(e for e in scenario.events if e.id == "gas_fight")["outcome"] == "defender"
    assert scenario.name == "child"


def test_extension_filter_removes_material_events_and_holds_series(tmp_path):
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    child = _write(tmp_path / "calm.yaml", """
extends: mini
remove_events: {kinds: [offensive, terror, deployment], from: 2016-04, to: 2016-12}
hold_series_from: 2016-06
""")
    scenario = load_scenario(child)
    kinds = {(e.kind, e.date) for e in scenario.events}
    assert ("offensive", "2016-03") in kinds  # before the window: kept
    assert not any(k in {"terror", "deployment"} for k, _ in kinds)
    arrivals = scenario.monthly("migrant_arrivals")
    assert np.all(arrivals[5:] == arrivals[4]) and arrivals[4] < arrivals[0]


def test_extends_cycle_is_an_error(tmp_path):
    _write(tmp_path / "a.yaml", "extends: b\n")
    _write(tmp_path / "b.yaml", "extends: a\n")
    with pytest.raises(ScenarioError, match=r"extends: forms a cycle \(a -> b -> a\)"):
        load_scenario(tmp_path / "a.yaml")


def test_extension_of_unknown_base_lists_known(tmp_path):
    _write(tmp_path / "a.yaml", "extends: nowhere\n")
    with pytest.raises(ScenarioError, match=r"a.yaml: extends: unknown scenario 'nowhere'"):
        load_scenario(tmp_path / "a.yaml")


def test_replacing_an_unknown_event_is_an_error(tmp_path):
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    child = _write(tmp_path / "c.yaml", "extends: mini\nreplace_events: [{id: ghost}]\n")
    with pytest.raises(ScenarioError, match=r"c.yaml: replace_events\[0\]: id 'ghost' is not an event"):
        load_scenario(child)
