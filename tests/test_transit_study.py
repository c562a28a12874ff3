"""scripts/transit_study.py: with the Fezzan unmarked the history's migration part comes back; with
it marked, the LNA's taking of the south moves Italy's migration part toward the LNA from 2019-01
and nowhere before."""

from __future__ import annotations

import pytest

from sim.params import read_parameter_set
from sim.scenario import load_scenario
from tests.conftest import load_script


@pytest.fixture(scope="module")
def runs():
    study = load_script("transit_study")
    history, marked = load_scenario("libya_2014_2019"), load_scenario("studies/fezzan_transit")
    unmarked = study.without(marked, "transit_share")
    params = read_parameter_set("calibrated_held")
    return {label: study.measure(scenario, params, replicates=10)
            for label, scenario in (("history", history), ("unmarked", unmarked), ("marked", marked))}


def test_without_the_marking_the_study_scenario_is_the_history(runs):
    assert runs["unmarked"] == runs["history"]


def test_the_fezzan_counts_for_the_lna_once_it_takes_the_south(runs):
    marked, history = runs["marked"]["migration"], runs["history"]["migration"]
    assert marked["2018-06"] == pytest.approx(history["2018-06"], abs=1e-12)  # the Tebu's: no camp's
    for month in ("2019-01", "2019-04", "2019-08"):
        assert marked[month] - history[month] > 0.5
    assert runs["marked"]["tilt"]["2019-08"] > runs["history"]["tilt"]["2019-08"]
