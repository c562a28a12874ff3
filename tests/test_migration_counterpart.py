"""The coast through a recognised counterpart (``migration_counterpart`` mu, docs/ODD.md 7.3): off at 0
(the same arrays as the committed model); with mu > 0 the migration feature of a camp is its
departures x perceived arrivals x (1 - mu + mu x the recognition of its head), so a coast held by a
camp no one recognises (the Tripoli camp after Skhirat, a militia standing alone) counts for less."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.interests import migration_control
from sim.model import AlignmentModel
from sim.params import calibrated_params
from tests.conftest import MINI, assert_off_at_zero

SKHIRAT_MONTH = 23  # 2015-12, the month the GNA enters and the GNC loses its recognition


@pytest.mark.parametrize("scenario_name", [str(MINI), "libya_2014_2019"])
def test_a_zero_share_is_the_committed_model(scenario_name):
    """mu = 0, as a number or one per replicate, gives the committed model's arrays bit for bit."""
    assert_off_at_zero(scenario_name, "migration_counterpart")


def skhirat_view():
    model = AlignmentModel("libya_2014_2019", calibrated_params(), replicates=2, seed=0)
    for _ in range(SKHIRAT_MONTH + 1):
        model.step()
    return model, model.view


def test_the_feature_is_the_coast_through_the_heads_recognition():
    model, view = skhirat_view()
    perceived = view.perceived
    control = perceived.departures * perceived.arrivals_salience
    legitimacy = perceived.legitimacy
    for mu in (0.25, 1.0):
        feature = migration_control(dataclasses.replace(perceived, migration_counterpart=mu))
        np.testing.assert_allclose(feature, control * (1.0 - mu + mu * legitimacy), rtol=1e-6)
    # the unrecognised holders of the coast after Skhirat: the Tripoli camp and Sabratha's militias
    index = {int(f): i for i, f in enumerate(view.candidates)}
    full = migration_control(dataclasses.replace(perceived, migration_counterpart=1.0))
    for faction in ("GNC", "SABRATHA_MILITIAS"):
        row = index[model.war.faction_index[faction]]
        assert control[row].min() > 0.1
        assert legitimacy[row].max() == 0.0
        np.testing.assert_array_equal(full[row], 0.0)


def test_each_replicate_reads_its_own_share():
    """Per-replicate shares (a calibration's candidates) weigh each replicate's coast alone."""
    _, view = skhirat_view()
    perceived = view.perceived
    shares = np.array([0.0, 1.0])
    feature = migration_control(dataclasses.replace(perceived, migration_counterpart=shares))
    for r, mu in enumerate(shares):
        alone = migration_control(dataclasses.replace(perceived, migration_counterpart=float(mu)))
        np.testing.assert_allclose(feature[:, r], alone[:, r], rtol=1e-6)
