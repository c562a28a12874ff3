"""scripts/draws_frontier.py (docs/calibration_studies.md, "The price of the draws in fit"): which
records it measures, the straight paths it runs, and that its measures are the draws search's."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import build_calibrator, set_values
from tests.conftest import load_script

#: A small version of the search's draws (seed 7), for speed: the measures, not the figures.
DRAWS, DRAW_SEED, REPLICATES = 4, 7, 4


@pytest.fixture(scope="module")
def frontier():
    return load_script("draws_frontier")


@pytest.fixture(scope="module")
def search(frontier, committed_settings):
    settings, base = committed_settings
    cal = build_calibrator({**settings, "replicates": REPLICATES}, base)
    draws_search = load_script("draws_search")
    return draws_search.DrawsSearch(cal, settings["checks"],
                                    draws_search.joint_draws(cal.scenario, DRAWS, DRAW_SEED),
                                    quantile=0.1, rmse_at_most=None, fit_weight=0.0)


def test_the_records_are_those_made_on_the_committed_models_settings(frontier, search):
    """Sets that differ from the committed calibration in fitted values only are kept; sets made with
    other settings (commitments held, no anticipation) are not, nor the committed set itself."""
    records = frontier.committed_model_records(search.cal)
    assert {"draws_b", "draws_c", "draws_f", "migration_m4", "history_loo"} <= set(records)
    assert not {"calibrated", "calibrated_held", "calibrated_k0", "default"} & set(records)


def test_a_path_runs_straight_between_its_ends(frontier, search):
    table, x = frontier.candidates(search, ["calibrated"], [("calibrated", "draws_c")], steps=4)
    a, b = set_values(search.cal, "calibrated"), set_values(search.cal, "draws_c")
    assert list(table["t"].iloc[1:]) == [0.0, 0.25, 0.5, 0.75, 1.0]
    np.testing.assert_allclose(x[:, 0], a)
    np.testing.assert_allclose(x[:, 1], a)
    np.testing.assert_allclose(x[:, 3], (a + b) / 2)
    np.testing.assert_allclose(x[:, 5], b)


def test_its_measures_are_the_searchs_and_the_same_set_measures_alike(frontier, search, tmp_path):
    """Common random numbers: a set and the path's end at it get the same figures, and each figure is
    `DrawsSearch.measure`'s for that set alone; the figure is written."""
    table, x = frontier.candidates(search, ["draws_c"], [("calibrated", "draws_c")], steps=2,
                                   records=["draws_b"])
    out = frontier.measured(search, table, x)
    columns = ["rmse", "objective", "shortfall", "all_checks"]
    np.testing.assert_allclose(out.loc[0, columns].to_numpy(float), out.iloc[-1][columns].to_numpy(float))
    alone = search.measure(set_values(search.cal, "draws_b")[:, None])
    row = out[out["set"] == "draws_b"].iloc[0]
    assert bool(row["record"])
    assert row["rmse"] == pytest.approx(alone["rmse"][0], abs=1e-9)
    assert row["all_checks"] == pytest.approx(alone["all"][0])
    assert row["share: rise"] == pytest.approx(alone["shares"][1, 0])
    assert out.loc[1, "rmse"] < out.loc[0, "rmse"]  # the committed end fits Italy better than draws_c
    frontier.plot_frontier(out, str(tmp_path / "frontier.png"), draws=DRAWS)
    assert (tmp_path / "frontier.png").stat().st_size > 10_000


def test_labels_go_away_from_the_neighbouring_sets(frontier):
    """Two close sets have their labels on opposite sides, each away from the other; a set alone
    keeps its label above and to the right."""
    import pandas as pd

    close = pd.DataFrame({"rmse": [0.131, 0.147, 0.40], "all_checks": [0.56, 0.59, 0.10]})
    assert frontier.label_sides(close)[:2] == [(False, False), (True, True)]
    assert frontier.label_sides(close.iloc[[2]]) == [(True, True)]


def test_the_rmse_axis_names_a_study_scenario(frontier):
    assert frontier.rmse_label("libya_2014_2019") == "Italy's in-sample RMSE on the history (tilt units)"
    assert "scenarios/studies/fezzan_transit.yaml" in frontier.rmse_label("studies/fezzan_transit")
