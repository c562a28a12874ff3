"""Loading scenarios and applying extensions (bad inputs: tests/test_hostile_input.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.dates import parse_month
from sim.errors import ScenarioError
from sim.paths import SCENARIO_DIR
from sim.scenario import load_scenario
from tests.conftest import MINI


def test_the_toy_scenario_loads(mini_scenario):
    assert mini_scenario.name == "mini"
    assert mini_scenario.n_months == 12
    assert next(e.id for e in mini_scenario.events) == "haven_taken"
    assert mini_scenario.monthly("migrant_arrivals")[0] == 10000


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


def test_a_users_scenario_anywhere_may_extend_the_packaged_history(tmp_path):
    history = load_scenario("libya_2014_2019")
    dropped = "lna_takes_derna"
    _write(tmp_path / "mine.yaml", f"extends: libya_2014_2019\nremove_events: {{ids: [{dropped}]}}\n")
    for mine in (load_scenario("mine", scenario_dir=tmp_path), load_scenario(tmp_path / "mine.yaml")):
        assert [e.id for e in mine.events] == [e.id for e in history.events if e.id != dropped]


def test_a_base_beside_the_extension_wins_over_the_packaged_one(tmp_path):
    _write(tmp_path / "libya_2014_2019.yaml", MINI.read_text(encoding="utf-8").replace("name: mini", ""))
    _write(tmp_path / "mine.yaml", "extends: libya_2014_2019\n")
    assert load_scenario(tmp_path / "mine.yaml").n_months == 12  # the toy's year, not the history's


def test_an_events_error_names_its_place_in_its_own_file(tmp_path):
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    child = _write(tmp_path / "c.yaml", "extends: mini\nreplace_events:\n"
                   "  - {id: terror_attack, date: 2016-04, kind: terror, severity: 7, affects: all, source: t}\n")
    with pytest.raises(ScenarioError, match=r"c.yaml: replace_events\[0\] \(terror_attack\).severity"):
        load_scenario(child)
    base = (tmp_path / "mini.yaml").read_text(encoding="utf-8").replace("gas_fight, date: 2016-08",
                                                                        "gas_fight, date: 2016-13")
    _write(tmp_path / "mini.yaml", base)
    plain = _write(tmp_path / "plain.yaml", "extends: mini\n")
    with pytest.raises(ScenarioError, match=r"mini.yaml: events\[4\] \(gas_fight\).date"):
        load_scenario(plain)


def test_the_readmes_extension_example_names_events_that_exist():
    readme = (SCENARIO_DIR / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Extending a scenario", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    ids = yaml.safe_load(example)["remove_events"]["ids"]
    known = {e.id for e in load_scenario("libya_2014_2019").events}
    assert ids and set(ids) <= known, f"{sorted(set(ids) - known)} are not events of libya_2014_2019"


def test_replacing_an_unknown_event_is_an_error(tmp_path):
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    child = _write(tmp_path / "c.yaml", "extends: mini\nreplace_events: [{id: ghost}]\n")
    with pytest.raises(ScenarioError, match=r"c.yaml: replace_events\[0\]: id 'ghost' is not an event"):
        load_scenario(child)


def test_extension_series_append_by_default_or_replace(tmp_path):
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    child = _write(tmp_path / "child.yaml", """
extends: mini
series:
  oil_output: [{date: 2017-01, value: 1000, source: counterfactual}]
  migrant_arrivals: {replace: [{date: 2016-03, value: 500, source: counterfactual}]}
""")
    scenario = load_scenario(child)
    oil = [(p.month, p.value) for p in scenario.series["oil_output"]]
    assert oil == [(parse_month("2016-01"), 400000.0), (parse_month("2016-12"), 800000.0),
                   (parse_month("2017-01"), 1000.0)]
    assert [(p.month, p.value) for p in scenario.series["migrant_arrivals"]] == [(parse_month("2016-03"), 500.0)]
    explicit = _write(tmp_path / "explicit.yaml", """
extends: mini
series: {oil_output: {append: [{date: 2017-01, value: 1000, source: counterfactual}]}}
""")
    assert load_scenario(explicit).series["oil_output"] == scenario.series["oil_output"]


def test_an_error_in_a_base_series_names_the_base(tmp_path):
    base = MINI.read_text(encoding="utf-8").replace("{date: 2016-12, value: 2000", "{date: 2016-12, value: -1")
    _write(tmp_path / "mini.yaml", base)
    child = _write(tmp_path / "child.yaml", "extends: mini\n")
    with pytest.raises(ScenarioError, match=r"mini.yaml: series.migrant_arrivals\[1\].value: is -1"):
        load_scenario(child)


def test_extension_may_end_earlier_but_not_later(tmp_path):
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    assert load_scenario(_write(tmp_path / "same.yaml", "extends: mini\nend: 2016-12\n")).n_months == 12
    assert load_scenario(_write(tmp_path / "short.yaml", "extends: mini\nend: 2016-06\n")).n_months == 6
    with pytest.raises(ScenarioError, match=r"later.yaml: end: 2017-01 is outside the base's period"):
        load_scenario(_write(tmp_path / "later.yaml", "extends: mini\nend: 2017-01\n"))


def test_unquoted_dates_are_read_as_written(tmp_path):
    """YAML would make 2016-03-15 a date object; the loader keeps the text and parses it itself."""
    _write(tmp_path / "mini.yaml", MINI.read_text(encoding="utf-8"))
    child = _write(tmp_path / "child.yaml", """
extends: mini
add_events: [{id: extra, date: 2016-02-29, kind: strength, faction: LNA, change: 0.5, source: t}]
""")
    extra = next(e for e in load_scenario(child).events if e.id == "extra")
    assert (extra.date, extra.month) == ("2016-02-29", parse_month("2016-02"))


@pytest.mark.parametrize(
    ("text", "month"),
    [("2016-02-29", 2016 * 12 + 1), ("2015-02-28", 2015 * 12 + 1), ("2016-12", 2016 * 12 + 11)],
)
def test_real_calendar_days_are_accepted(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["2015-02-29", "2016-04-31", "2016-01-00", "2016-01-32", "٢٠١٦-٠١"])
def test_impossible_days_are_refused(text):
    with pytest.raises(ValueError, match=r"day|not a date"):
        parse_month(text)
