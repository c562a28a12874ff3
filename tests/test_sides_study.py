"""scripts/sides_study.py: each documented side, with and without the partners' channel."""

from __future__ import annotations

import pytest

from sim.params import calibrated_params
from tests.conftest import MINI, load_script


@pytest.fixture(scope="module")
def study():
    return load_script("sides_study")


def test_relations_are_zeroed_for_one_state_or_for_all(study, mini_scenario):
    mine = study.relation_paths(mini_scenario, "FRA")
    every = study.relation_paths(mini_scenario)
    assert mine and set(mine) <= set(every) and set(every.values()) == {0.0}
    assert all("FRA" in path for path in mine)


def test_without_its_relations_a_side_loses_its_partners_pull(study, mini_scenario):
    """On the mini scenario (Italy and France, rivals at -0.5): France's rivalry part is its only
    link to Italy; without relations the part is 0 and France's tilt changes."""
    from sim.scenario import load_scenario

    scenario = load_scenario(MINI)
    side = {"state": "FRA", "sign": 1, "from": "2016-02", "to": "2016-12"}
    [row] = study.sides(scenario, calibrated_params(), [side], replicates=4)
    assert row["state"] == "FRA" and row["window"] == ["2016-02", "2016-12"]
    assert row["parts"]["rivalry"] != 0.0
    assert row["without_its_relations"] != pytest.approx(row["mean_tilt"], abs=1e-6)
    assert row["without_its_relations"] == pytest.approx(row["without_any_relation"])  # its only relation
