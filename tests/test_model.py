"""Invariants and reproducibility of the batched model."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import AlignmentModel
from sim.paths import SCENARIO_DIR
from sim.simulate import execute


@pytest.fixture(scope="module")
def run(mini_scenario):
    return AlignmentModel(mini_scenario, {}, replicates=16, seed=3).run()


def test_support_is_a_feasible_alignment_every_month(run):
    support = run.support_history
    assert np.all(support >= 0)
    assert np.all(support.sum(axis=-1) <= 1 + 1e-6)
    assert np.all(np.abs(run.tilt_history) <= 1 + 1e-6)


def test_one_known_controller_per_asset_per_month(run):
    control = run.control_history
    assert control.shape == (run.world.n_months, 16, len(run.world.assets))
    assert control.min() >= 0 and control.max() < len(run.world.factions)


def test_unbackable_and_absent_factions_get_nothing(run):
    factions = run.world.faction_ids
    isis, militia = factions.index("ISIS"), factions.index("MILITIA")
    assert np.all(run.support_history[..., isis] == 0)  # patronable: false
    assert np.all(run.support_history[..., militia] == 0)  # a camp member: backed via its head
    late = factions.index("LATE")
    assert np.all(run.support_history[:4, ..., late] == 0)  # enters in month 5
    assert np.all(run.support_history[-1, ..., late] == 0)  # left in the last month


def test_documented_events_apply(run):
    assets, factions = run.world.asset_ids, run.world.faction_ids
    haven = assets.index("HAVEN")
    assert np.all(run.control_history[1, :, haven] == factions.index("ISIS"))
    assert np.all(run.control_history[2:, :, haven] == factions.index("MILITIA"))
    # the open contest over GAS (month 8) is decided replicate by replicate
    gas_after = run.control_history[7, :, assets.index("GAS")]
    assert set(np.unique(gas_after)) <= {factions.index("GNA"), factions.index("LNA")}


def test_open_contest_is_decided_by_its_draw_against_the_win_probability(mini_scenario):
    """Each replicate's outcome is exactly ``u < P(attacker wins)``, with u the event's own draw."""
    R, month = 400, 7  # gas_fight, 2016-08
    model = AlignmentModel(mini_scenario, {}, replicates=R, seed=0)
    while model.steps < month:
        model.step()
    war, factions = model.war, mini_scenario.faction_ids
    p_win = war.win_probability(factions.index("LNA"), factions.index("GNA"))
    slot = war.n_states * model.month_candidates[month]  # after the states' shocks
    u = model.streams.uniforms(month, 0, R)[:, slot]
    model.step()
    won = model.control_history[month, :, mini_scenario.asset_ids.index("GAS")] == factions.index("LNA")
    np.testing.assert_array_equal(won, u < p_win)
    assert 0.05 < p_win.mean() < 0.95  # a real contest, not a foregone conclusion


def test_same_config_and_seed_give_identical_tables(mini_scenario):
    a = execute(mini_scenario, params={}, replicates=6, seed=11)
    b = execute(mini_scenario, params={}, replicates=6, seed=11)
    for table in ("alignment", "tilt", "control"):
        assert getattr(a, table).equals(getattr(b, table))
    c = execute(mini_scenario, params={}, replicates=6, seed=12)
    assert not a.tilt.equals(c.tilt)


def test_replicate_of_a_batch_equals_that_replicate_run_alone(mini_scenario):
    batch = AlignmentModel(mini_scenario, {}, replicates=9, seed=5).run()
    for r in (0, 4, 8):
        alone = AlignmentModel(mini_scenario, {}, replicates=1, seed=5, first_replicate=r).run()
        np.testing.assert_array_equal(batch.support_history[:, r], alone.support_history[:, 0])
        np.testing.assert_array_equal(batch.control_history[:, r], alone.control_history[:, 0])


def test_a_replicate_alone_equals_it_in_a_batch_bit_for_bit_in_the_history():
    """Eight or more contenders, camps with members: single-column sums and products round as
    batched ones do (sim.core.sums.sum_rows, sim.core.holdings.members_sum)."""
    from sim.scenario import load_scenario

    scenario = load_scenario("libya_2014_2019")
    batch = AlignmentModel(scenario, {}, replicates=3, seed=0, first_replicate=7).run()
    for r in range(3):
        alone = AlignmentModel(scenario, {}, replicates=1, seed=0, first_replicate=7 + r).run()
        np.testing.assert_array_equal(batch.support_history[:, r], alone.support_history[:, 0])


def test_per_replicate_parameters_equal_separate_runs(mini_scenario):
    inertia = [0.05, 0.5, 0.9]
    weights = [0.0, 1.0, 3.0]
    batch = AlignmentModel(mini_scenario, {"inertia": inertia,
                                           "state_weights": {"ITA": {"oil": weights}}},
                           replicates=3, seed=2).run()
    for r in range(3):
        alone = AlignmentModel(mini_scenario, {"inertia": inertia[r],
                                               "state_weights": {"ITA": {"oil": weights[r]}}},
                               replicates=1, seed=2, first_replicate=r).run()
        np.testing.assert_allclose(batch.tilt_history[:, r], alone.tilt_history[:, 0], atol=1e-5)


def test_tilt_only_recording_matches_full(mini_scenario):
    full = AlignmentModel(mini_scenario, {}, replicates=4, seed=1).run()
    slim = AlignmentModel(mini_scenario, {}, replicates=4, seed=1, record="tilt").run()
    np.testing.assert_array_equal(full.tilt_history, slim.tilt_history)
    assert slim.support_history is None


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_replicate_counts_are_refused(mini_scenario, bad):
    with pytest.raises(ValueError, match="replicates must be a positive integer"):
        AlignmentModel(mini_scenario, {}, replicates=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_bad_seeds_are_refused(mini_scenario, bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        AlignmentModel(mini_scenario, seed=bad)


def test_running_past_the_end_is_an_error(mini_scenario):
    model = AlignmentModel(mini_scenario).run()
    with pytest.raises(RuntimeError, match="period is over"):
        model.step()


def test_the_decomposition_adds_up_to_the_value_gap(mini_scenario):
    """Without noise, the parts of V(LNA) - V(GNA) sum to the ensemble mean of that gap."""
    params = {"noise": 0.0, "state_weights": {"ITA": {"oil": [0.5, 2.0, 4.0]}}}
    model = AlignmentModel(mini_scenario, params, replicates=3, seed=1)
    lna, gna = (mini_scenario.faction_ids.index(f) for f in ("LNA", "GNA"))
    for _ in range(mini_scenario.n_months):
        model.step()
        rows = {f: i for i, f in enumerate(model.view.candidates.tolist())}
        for state in model.state_agents:
            gap = state.values[rows[lna]] - state.values[rows[gna]]
            parts = model.decomposition_history[model.steps - 1, state.index]
            assert parts.sum() == pytest.approx(float(gap.mean()), abs=1e-4)
    assert model.decomposition_parts[-1] == "commitment"
    france = model.decomposition_history[:, mini_scenario.state_ids.index("FRA"), -1]
    assert france[6] > 0  # French forces with the LNA from 2016-06 count for the LNA


def test_parts_that_no_state_weighs_contribute_nothing(mini_scenario):
    model = AlignmentModel(mini_scenario, {"state_weights": {"ITA": {"security": 0.0}}}, replicates=2,
                           seed=0).run()
    security = model.decomposition_parts.index("security")
    np.testing.assert_array_equal(model.decomposition_history[:, 0, security], 0.0)
    assert np.any(model.decomposition_history[:, 1, security] != 0.0)  # France still weighs it


def test_a_tilt_side_is_the_last_of_its_succession_on_stage(write_variant):
    """LATE is on stage from 2016-05 and leaves in 2016-12: meanwhile it stands for the minus side."""
    from sim.scenario import load_scenario

    scenario = load_scenario(write_variant(lambda d: d.update(tilt={"plus": "LNA", "minus": ["GNA", "LATE"]})))
    model = AlignmentModel(scenario, {}, replicates=3, seed=2).run()
    ids = scenario.faction_ids
    support, tilt = model.support_history, model.tilt_history
    for t in range(scenario.n_months):
        minus = ids.index("LATE") if 4 <= t <= 10 else ids.index("GNA")
        np.testing.assert_array_equal(tilt[t], support[t, :, :, ids.index("LNA")] - support[t, :, :, minus])
    assert "GNA then LATE" in model.world.tilt.describe()


@pytest.mark.parametrize(
    ("tilt", "words"),
    [
        ({"plus": "LNA", "minus": "NOBODY"}, "tilt.minus: unknown faction 'NOBODY'"),
        ({"plus": "LNA", "minus": ["GNA", "LNA"]}, "['LNA'] cannot be on both sides"),
        ({"plus": "LNA"}, "tilt.minus: must be a faction id or a list"),
        ({"plus": "LNA", "minus": "GNA", "sideways": "X"}, "tilt.sideways: unknown key"),
    ],
)
def test_bad_tilt_sides_are_one_clear_error(write_variant, tilt, words):
    from sim.errors import ScenarioError
    from sim.scenario import load_scenario

    with pytest.raises(ScenarioError, match=None) as caught:
        load_scenario(write_variant(lambda d: d.update(tilt=tilt)))
    assert words in str(caught.value), str(caught.value)


def test_the_default_tilt_needs_lna_and_gna(write_variant):
    import json

    from sim.errors import ScenarioError
    from sim.scenario import load_scenario

    def rename(data):
        renamed = json.loads(json.dumps(data).replace('"LNA"', '"EAST"'))  # every reference to it
        data.clear()
        data.update(renamed)

    with pytest.raises(ScenarioError, match="the default tilt"):
        load_scenario(write_variant(rename))


@pytest.mark.parametrize("scenario", sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
def test_a_replicate_alone_equals_its_row_in_a_batch_byte_for_byte(scenario):
    """Exact batch invariance on every shipped scenario, R = 1 included: the numbers of replicate r
    do not depend on how many replicates run beside it (BLAS kernels for one column round like
    those for many: `sim.core.holdings.members_sum`)."""
    batch = AlignmentModel(scenario, replicates=96, seed=11).run()
    for r in (0, 41, 95):
        alone = AlignmentModel(scenario, replicates=1, seed=11, first_replicate=r).run()
        assert batch.support_history[:, r].tobytes() == alone.support_history[:, 0].tobytes()
        assert batch.tilt_history[:, r].tobytes() == alone.tilt_history[:, 0].tobytes()
        assert batch.control_history[:, r].tobytes() == alone.control_history[:, 0].tobytes()
