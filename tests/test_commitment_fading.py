"""Commitments that fade (``commitment_fading``, docs/ODD.md 7.4): a deployment's commitment is
forgotten at a share of the perception memory's rate, so what the war makes a state sink into a
camp does not hold it there for good; at 0 (the default) a commitment is held for good."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import AlignmentModel, keep_per_month
from sim.params import read_parameter_set

SCENARIO = "libya_2014_2019"


def monthly_commitments(params: dict, replicates: int = 2) -> tuple[np.ndarray, list[set[str]]]:
    """Every month's strength each state has committed to each faction's camp, (T, S, F, R), and
    the kinds of the events of each month."""
    model = AlignmentModel(SCENARIO, params, replicates=replicates, seed=0)
    months = []
    for _ in range(len(model.events_by_month)):
        model.step()
        months.append(np.broadcast_to(model.war.deployed_by_row,
                                      (*model.war.deployed.shape[:2], replicates)).copy())
    kinds = [{event.kind for event in model.events_by_month[t]} for t in range(len(months))]
    return np.stack(months), kinds


def quiet_pairs(kinds: list[set[str]]) -> list[int]:
    """The months t + 1 in which no event adds or moves a commitment."""
    return [t for t in range(1, len(kinds)) if not kinds[t] & {"deployment", "exit"}]


def test_held_for_good_by_default():
    """At the default (0), a commitment stays what the deployments made it, month after month."""
    params = read_parameter_set("default") | {"perception_half_life": 6.0}
    committed, kinds = monthly_commitments(params)
    quiet = quiet_pairs(kinds)
    assert committed[-1].sum() > 0
    np.testing.assert_array_equal(committed[quiet], committed[[t - 1 for t in quiet]])


@pytest.mark.parametrize("fading", [1.0, 0.5])
def test_a_commitment_fades_by_its_share_of_the_perception_memory(fading):
    half_life = 6.0
    params = read_parameter_set("default") | {"perception_half_life": half_life,
                                               "commitment_fading": fading}
    committed, kinds = monthly_commitments(params)
    keep = 1.0 - fading * (1.0 - keep_per_month(half_life))
    quiet = quiet_pairs(kinds)
    assert len(quiet) > 40
    np.testing.assert_allclose(committed[quiet], keep * committed[[t - 1 for t in quiet]], rtol=1e-12)
    # by 2019-08 the fading commitments are less than half of those held for good
    held, _ = monthly_commitments(read_parameter_set("default") | {"perception_half_life": half_life})
    assert committed[-1].sum() < 0.5 * held[-1].sum()


def test_each_replicate_fades_with_its_own_memory():
    """Per-replicate perception memories (a calibration's candidates) fade each replicate's
    commitments at its own rate, from the same deployments."""
    half_lives = np.array([2.0, 12.0])
    params = read_parameter_set("default") | {"perception_half_life": half_lives, "commitment_fading": 1.0}
    committed, _ = monthly_commitments(params)
    for r, half_life in enumerate(half_lives):
        alone, _ = monthly_commitments(read_parameter_set("default") | {
            "perception_half_life": float(half_life), "commitment_fading": 1.0}, replicates=1)
        np.testing.assert_allclose(committed[..., r], alone[..., 0], rtol=1e-12)
    assert committed[-1, ..., 0].sum() < committed[-1, ..., 1].sum()
