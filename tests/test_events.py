"""The event-kind registry: every kind has an effect, every field is validated, and the docs'
table and the counterfactual filters are made from it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.events import EVENT_KINDS, MATERIAL_KINDS, kinds_table
from sim.params import resolve_params
from sim.paths import SCENARIO_DIR
from sim.scenario import load_scenario
from sim.war import WarState

#: One valid event of every kind, applicable to the toy scenario in its first month.
SAMPLES = {
    "offensive": {"attacker": "LNA", "defender": "GNA", "assets": ["GAS"], "outcome": "open",
                  "losses": {"GNA": 0.1}},
    "control": {"assets": ["COAST"], "to": "LNA"},
    "strength": {"faction": "LNA", "change": 0.5},
    "terror": {"severity": 0.5, "affects": ["ITA"], "perpetrator": "ISIS"},
    "deployment": {"state": "FRA", "faction": "LNA", "strength": 0.2},
    "enter": {"faction": "LATE"},
    "exit": {"faction": "MILITIA", "successor": "GNA"},
    "allegiance": {"faction": "MILITIA", "camp": "LNA"},
    "legitimacy": {"faction": "LNA", "value": 0.9},
    "stake": {"asset": "GAS", "company": "Total", "value": 0.3},
    "blockade": {"faction": "LNA", "assets": ["GAS"]},
    "reopening": {"assets": ["GAS"], "faction": "LNA"},
}
#: What must have happened before a sample can change anything (a reopening needs a blockade).
BEFORE = {"reopening": lambda war: war.blockade([war.asset_index["GAS"]], war.faction_index["LNA"])}
#: A value each field type refuses.
BAD_VALUES = {
    "faction": "NOBODY", "faction_or_null": "NOBODY", "faction_shares": {"NOBODY": 0.5},
    "assets": ["ATLANTIS"], "asset": "ATLANTIS", "state": "XXX", "states_or_all": ["XXX"],
    "company": "Aramco", "choice": "maybe",
}


def _with_event(write_variant, kind: str, fields: dict):
    def edit(data):
        data["events"] = [{"id": "sample", "date": "2016-01", "kind": kind, "source": "test", **fields}]

    return write_variant(edit)


def test_every_kind_has_a_sample():
    assert set(SAMPLES) == set(EVENT_KINDS)


@pytest.mark.parametrize("kind", sorted(EVENT_KINDS))
def test_every_kind_has_an_effect(write_variant, kind):
    scenario = load_scenario(_with_event(write_variant, kind, SAMPLES[kind]))
    event = next(e for e in scenario.events if e.id == "sample")
    war = WarState(scenario, resolve_params({}, scenario, 4), replicates=4)
    war.support[...] = 0.1
    BEFORE.get(kind, lambda war: None)(war)
    before = {k: np.copy(v) for k, v in vars(war).items() if isinstance(v, np.ndarray)}
    draws = np.full((EVENT_KINDS[kind].draws(event), 4), 0.01, np.float32)
    war.apply(event, draws)
    changed = [k for k, v in before.items() if not np.array_equal(v, getattr(war, k))]
    assert changed, f"a {kind} event changed nothing"


def test_an_open_offensive_draws_one_number():
    assert EVENT_KINDS["offensive"].draws({"outcome": "open"}) == 1
    assert EVENT_KINDS["offensive"].draws({"outcome": "attacker"}) == 0


@pytest.mark.parametrize(
    ("kind", "field"),
    [(k, f) for k in sorted(EVENT_KINDS) for f in EVENT_KINDS[k].fields],
    ids=lambda x: x if isinstance(x, str) else x.name,
)
def test_every_field_is_validated(write_variant, kind, field):
    fields = dict(SAMPLES[kind])
    numbers = [field.high + 1, math.nan, "many"]
    bad_values = numbers if field.type == "number" else [BAD_VALUES[field.type]]
    for bad in bad_values:
        fields[field.name] = bad
        with pytest.raises(ScenarioError, match=rf"events\[0\] \(sample\)\.{field.name}"):
            load_scenario(_with_event(write_variant, kind, fields))
    if field.required:
        fields.pop(field.name)
        with pytest.raises(ScenarioError, match=rf"\.{field.name}: is missing"):
            load_scenario(_with_event(write_variant, kind, fields))


def test_the_docs_table_is_made_from_the_registry():
    readme = (SCENARIO_DIR / "README.md").read_text(encoding="utf-8")
    assert kinds_table() in readme
    for kind in EVENT_KINDS.values():
        assert kind.effect and kind.fields


def test_material_removal_follows_the_registry(tmp_path):
    base = load_scenario("libya_2014_2019")
    calm = load_scenario("libya_2014_2019_no_military")
    window = (base.start + 24, base.end)  # 2016-01 .. 2019-08
    removed = {e.id for e in base.events} - {e.id for e in calm.events}
    expected = {e.id for e in base.events
                if e.kind in MATERIAL_KINDS and window[0] <= e.month <= window[1]}
    assert removed == expected and removed
    assert {EVENT_KINDS[e.kind].material for e in calm.events if e.month >= window[0]} == {False}


def test_a_blockade_is_charged_to_the_blockader_and_lifted_by_a_reopening(mini_scenario):
    war = WarState(mini_scenario, resolve_params({}, mini_scenario, 2), replicates=2)
    gas, lna = war.asset_index["GAS"], war.faction_index["LNA"]
    holder = war.head_of(int(war.control[gas, 0]))
    flowing = war.holdings.output[holder].copy()
    war.blockade([gas], lna)
    share = war.output_share[gas]
    assert war.holdings.withheld[war.head_of(lna)] == pytest.approx(share)
    assert (war.holdings.output[holder] < flowing).all() or holder == war.head_of(lna)
    assert war.holdings.output.sum(axis=0) == pytest.approx(1.0)  # shares of what still flows
    war.reopen([gas])
    assert war.holdings.withheld.sum() == 0.0
    assert war.holdings.output[holder] == pytest.approx(flowing)


def test_the_capital_moves_prospects_both_ways(write_variant):
    """With capital_weight > 0, taking the capital raises a camp's chance of prevailing and losing
    it lowers it again; with capital_weight = 0 holding it changes nothing beyond its strength."""

    def with_capital(data):
        data["assets"]["CAPITAL"] = {"name": "Capital", "capital": True, "controller": "GNA",
                                     "source": "test"}

    scenario = load_scenario(write_variant(with_capital))
    lna, gna = scenario.faction_ids.index("LNA"), scenario.faction_ids.index("GNA")
    chances = {}
    for omega in (0.0, 0.5):
        war = WarState(scenario, resolve_params({"capital_weight": omega}, scenario, 1), replicates=1)
        capital = [war.asset_index["CAPITAL"]]
        before = float(war.strengths().chance[lna, 0])
        war.transfer(capital, lna, np.ones(1, bool))
        taken = float(war.strengths().chance[lna, 0])
        war.transfer(capital, gna, np.ones(1, bool))
        chances[omega] = (before, taken, float(war.strengths().chance[lna, 0]))
    before, taken, lost = chances[0.5]
    assert taken > before + 0.3 and lost == pytest.approx(before)
    assert chances[0.0][1] == pytest.approx(chances[0.0][0])  # no military value: no change


def test_a_transit_route_counts_in_migration_beside_the_departures(write_variant):
    """An asset marked ``transit_share: t`` credits its holder with t of the migrants' route in
    the migration interest, added to the departures it holds, and passes with the asset; without
    the field the credit is the departure shares alone, bit for bit."""

    def with_route(data):
        data["assets"]["ROUTE"] = {"name": "Southern route", "transit_share": 0.6,
                                   "controller": "ISIS", "estimates": {"transit_share": [0.4, 0.8]},
                                   "source": "test"}

    scenario = load_scenario(write_variant(with_route))
    plain = load_scenario(write_variant(lambda data: None, name="plain"))
    lna, gna = scenario.faction_ids.index("LNA"), scenario.faction_ids.index("GNA")
    params = resolve_params({"camp_cohesion": 1.0}, scenario, 2)
    war, before = WarState(scenario, params, replicates=2), WarState(plain, params, replicates=2)
    assert before.route_share.tobytes() == before.departure_share.tobytes()
    isis = scenario.faction_ids.index("ISIS")
    np.testing.assert_array_equal(np.delete(war.holdings.departures, isis, axis=0),
                                  np.delete(before.holdings.departures, isis, axis=0))
    assert war.holdings.departures[isis].tolist() == pytest.approx([0.6, 0.6])
    assert float(war.holdings.departures[gna, 0]) == pytest.approx(0.8)  # the militia's coast
    route = [war.asset_index["ROUTE"]]
    war.transfer(route, lna, np.array([True, False]))
    assert war.holdings.departures[lna].tolist() == pytest.approx([0.6, 0.0])
    war.transfer(route, gna, np.ones(2, bool))
    assert war.holdings.departures[gna].tolist() == pytest.approx([1.4, 1.4])
    assert war.holdings.departures[lna].tolist() == pytest.approx([0.0, 0.0])


def test_an_approach_to_the_capital_counts_before_the_capital_falls(write_variant):
    """An asset marked ``approach: a`` credits its holder with a x the capital's weight in the
    capital term (over what the contenders hold in all), so holding it raises a camp's chance
    before it takes the capital, and losing it lowers the chance again; without the field the
    capital term is the capital share alone."""

    def with_approach(data):
        data["assets"]["CAPITAL"] = {"name": "Capital", "capital": True, "controller": "GNA",
                                     "source": "test"}
        data["assets"]["GATE"] = {"name": "Gate", "approach": 0.5, "controller": "GNA",
                                  "estimates": {"approach": [0.25, 0.75]}, "source": "test"}

    scenario = load_scenario(write_variant(with_approach))
    lna, gna = scenario.faction_ids.index("LNA"), scenario.faction_ids.index("GNA")
    war = WarState(scenario, resolve_params({"capital_weight": 1.0}, scenario, 1), replicates=1)
    gate = [war.asset_index["GATE"]]
    assert float(war.strengths().chance[lna, 0]) == pytest.approx(0.0)
    war.transfer(gate, lna, np.ones(1, bool))
    # the LNA holds 0.5 of 1.5 units of the capital's weight, the GNA the capital's 1
    assert float(war.strengths().chance[lna, 0]) == pytest.approx(0.5 / 1.5, abs=1e-6)
    assert float(war.holdings.capital.sum()) == pytest.approx(1.0)
    war.transfer(gate, gna, np.ones(1, bool))
    assert float(war.strengths().chance[lna, 0]) == pytest.approx(0.0)
