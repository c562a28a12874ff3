"""scripts/posterior_account_study.py (docs/calibration_studies.md, "The account across the posterior"):
the draws come from the kept steps, and at the committed fit it reproduces the account measured
elsewhere: the rise, the decomposition's shares, the flat prospects and the three events over the
leave-one-out limit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import build_calibrator, set_values
from tests.conftest import load_script


@pytest.fixture(scope="module")
def study():
    return load_script("posterior_account_study")


def test_draws_are_distinct_and_come_after_the_burn_in(study):
    chain = np.arange(5 * 4 * 3, dtype=float).reshape(5, 4, 3)  # (steps, walkers, parameters)
    x = study.pick_draws(chain, burn=3, draws=6, seed=0)
    assert x.shape == (3, 6)
    kept = {tuple(row) for row in chain[3:].reshape(-1, 3)}
    assert {tuple(col) for col in x.T} <= kept and len({tuple(col) for col in x.T}) == 6
    assert study.pick_draws(chain, burn=3, draws=100, seed=0).shape == (3, 8)  # no more than kept


def test_at_the_committed_fit_it_gives_the_account_measured_elsewhere(study, k0_settings):
    """At the calibration before anticipation, whose posterior the study measured."""
    settings, base = k0_settings
    cal = build_calibrator(settings, base)
    x = set_values(cal, "calibrated_k0")[:, None]
    [row] = study.measure(cal, x, replicates=40, seed=0, rise_at_least=0.4)
    assert row["batched_vs_alone"] <= 1e-5
    assert sum(row["shares"].values()) == pytest.approx(1.0)
    assert row["rise"] > 0.6 and row["meets_rise"]
    assert row["shares"]["security"] > 0.4 and abs(row["shares"]["winner"]) < 0.02
    assert all(c > 0.85 for c in row["chance_LNA"].values())
    assert row["left_out"]["Benghazi"] < -0.6 and row["left_out"]["Derna"] < -0.6
    assert row["left_out"]["Sirte retaken"] > 0.4 and not row["meets_left_out"]
    # the committed fit's in-sample RMSE (fit_report.json: 0.128), from 40 replicates here
    assert 0.11 < row["in_sample_rmse"] < 0.15
    assert row["meets_in_sample"] == (row["in_sample_rmse"] <= 0.12)
    summary = study.summary([row, row])
    assert summary["in_sample_rmse"]["median"] == pytest.approx(row["in_sample_rmse"])
    assert summary["share_meeting_rise"] == 1.0 and summary["share_meeting_both"] == 0.0
    assert summary["rise"]["median"] == pytest.approx(row["rise"])
