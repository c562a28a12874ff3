"""scripts/draws_study.py: which columns are estimates, and band shares on known draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module")
def study():
    return load_script("draws_study")


@pytest.fixture
def draws():
    """The rise is the first estimate plus a little of the second; the third does nothing."""
    rng = np.random.default_rng(0)
    n = 400
    a, b, c = rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    rise = a + 0.2 * b
    return pd.DataFrame({"draw": np.arange(n), "final": rise - 0.3, "rise": rise,
                         "holds: rise >= 0.4": rise >= 0.4, "holds: final <= 0.5": rise - 0.3 <= 0.5,
                         "mean: FRA tilt > 0 over 2017-01..2019-08": rise,  # measures, not estimates
                         "refit holds: tilt 2019-08 <= 0.5": rise >= 0.1,
                         "factions.X.score": a, "assets.Y.haven": b, "relations.A-B.value": c})


def test_the_estimates_are_the_value_columns_not_the_measures(study, draws):
    assert study.estimate_columns(draws) == ["factions.X.score", "assets.Y.haven", "relations.A-B.value"]


def test_a_narrow_band_keeps_only_its_draws_and_their_checks(study, draws):
    wide, narrow = study.band_shares(draws, "factions.X.score", 0.8, [1.0, 0.05])
    assert wide["draws"] == len(draws)
    inside = draws[(draws["factions.X.score"] >= 0.75) & (draws["factions.X.score"] <= 0.85)]
    assert narrow["draws"] == len(inside) > 0
    assert narrow["rise >= 0.4"] == 1.0  # a >= 0.75 always gives a rise >= 0.4
    assert narrow["all"] == pytest.approx(inside[["holds: rise >= 0.4", "holds: final <= 0.5"]]
                                          .all(axis=1).mean())
