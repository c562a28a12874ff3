"""AlignmentModel keeps Mesa's contract: it runs under `while model.running`, `mesa.batch_run`
drives it with Mesa's own arguments, and a fresh model's agents already work."""

from __future__ import annotations

import inspect

import mesa
import numpy as np
import pytest

import sim
from sim.agents import FactionAgent, StateAgent
from sim.model import AlignmentModel
from sim.params import calibrated_params
from tests.conftest import MINI


def test_running_turns_false_after_the_last_month(mini_scenario):
    model = AlignmentModel(mini_scenario, {}, replicates=2, seed=1)
    months = 0
    while model.running:
        model.step()
        months += 1
    assert months == mini_scenario.n_months == model.steps
    with pytest.raises(RuntimeError, match="period is over"):
        model.step()


def test_one_clock_and_agents_by_type(mini_scenario):
    model = AlignmentModel(mini_scenario, {}, replicates=3, seed=2)
    assert model.steps == 0 and model.view.month == -1
    model.step()
    model.step()
    assert model.steps == 2 and model.view.month == 1
    by_type = model.agents_by_type
    assert len(by_type[StateAgent]) == len(mini_scenario.states)
    assert len(by_type[FactionAgent]) == len(mini_scenario.factions)
    assert [a.spec.id for a in model.state_agents] == list(mini_scenario.state_ids)


def test_a_fresh_models_agents_work(mini_scenario):
    model = AlignmentModel(mini_scenario, {}, replicates=5, seed=0)
    lna = model.faction_agents[mini_scenario.faction_ids.index("LNA")]
    assert lna.strength.shape == (5,) and np.all(lna.strength > 0)
    assert lna.camp_strength.shape == (5,) and lna.on_stage
    assert 0 < float(lna.prospects[0]) < 1
    values = model.state_agents[0].value_factions(model.view)
    assert values.shape == (model.view.candidates.size, 5) and np.all(np.isfinite(values))
    late = model.faction_agents[mini_scenario.faction_ids.index("LATE")]
    assert not late.on_stage and float(late.strength[0]) == 0.0


def test_the_month_view_is_read_only(mini_scenario):
    model = AlignmentModel(mini_scenario, {}, replicates=2, seed=0)
    model.step()
    with pytest.raises(ValueError, match="read-only"):
        model.view.strength[0, 0] = 9.0
    with pytest.raises(AttributeError):
        model.view.month = 3


def test_defaults_one_replicate_of_the_calibrated_parameters_by_name():
    model = AlignmentModel(str(MINI), seed=0)
    assert model.replicates == 1
    assert model.p.inertia == pytest.approx(calibrated_params()["inertia"])
    assert AlignmentModel().world.name == "libya_2014_2019"


def test_a_missing_seed_is_drawn_and_recorded(mini_scenario):
    first = AlignmentModel(mini_scenario, {}, replicates=3).run()
    assert isinstance(first.seed, int) and first.seed >= 0
    again = AlignmentModel(mini_scenario, {}, replicates=3, seed=first.seed).run()
    np.testing.assert_array_equal(first.tilt_history, again.tilt_history)
    by_rng = AlignmentModel(mini_scenario, {}, replicates=3, rng=first.seed).run()
    np.testing.assert_array_equal(first.tilt_history, by_rng.tilt_history)
    with pytest.raises(ValueError, match="either seed or rng"):
        AlignmentModel(mini_scenario, seed=1, rng=1)


def test_datacollector_reports_every_states_mean_tilt(mini_scenario):
    model = AlignmentModel(mini_scenario, {}, replicates=6, seed=4).run()
    table = model.datacollector.get_model_vars_dataframe()
    assert list(table.columns) == [f"tilt_{s}" for s in mini_scenario.state_ids]
    assert len(table) == mini_scenario.n_months
    np.testing.assert_allclose(table.to_numpy(), model.tilt_history.mean(axis=1), atol=1e-6)


def test_mesa_batch_run_drives_the_model_as_the_issue_writes_it():
    runs = {"rng": [0, 1]} if "rng" in inspect.signature(mesa.batch_run).parameters else {"iterations": 2}
    rows = mesa.batch_run(sim.AlignmentModel, parameters={"scenario": "libya_2014_2019"},
                          max_steps=1000, number_processes=1, data_collection_period=-1,
                          display_progress=False, **runs)
    assert len(rows) == 2
    for row in rows:
        assert row["Step"] in (67, 68)  # the last month, 2019-08 (Mesa 3.3 counts from 0, 3.5 from 1)
        assert -1 <= row["tilt_ITA"] <= 1 and {f"tilt_{s}" for s in ("FRA", "TUR", "USA")} <= set(row)


def test_no_state_is_created_during_a_step(mini_scenario):
    model = AlignmentModel(mini_scenario, {}, replicates=2, seed=0)

    def names():
        return {"model": set(vars(model)), "war": set(vars(model.war)),
                "memory": set(vars(model.situation_memory)),
                "agents": {(type(a).__name__, k) for a in model.agents for k in vars(a)}}

    before = names()
    model.run()
    assert names() == before
