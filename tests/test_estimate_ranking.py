"""sim.estimate_ranking: the estimate that decides a course over known draws comes first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.estimate_ranking import decisive, explained, rank_correlations

ESTIMATES = ["relations.A-B.value", "assets.Y.haven", "factions.X.score", "factions.Z.strength"]


@pytest.fixture
def draws():
    """The rise is the score plus a little of the haven, falling with the relation; the strength
    is held (a fixed estimate) and the rest does nothing."""
    rng = np.random.default_rng(0)
    n = 400
    a, b, c = rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    rise = a + 0.2 * b - 0.05 * c
    return pd.DataFrame({"draw": np.arange(n), "final": rise - 0.3, "rise": rise,
                         "factions.X.score": a, "assets.Y.haven": b, "relations.A-B.value": c,
                         "factions.Z.strength": np.full(n, 0.4)})


def test_the_deciding_estimate_comes_first_and_explains_most(draws):
    table = rank_correlations(draws, ESTIMATES)
    assert list(table["estimate"]) == ["factions.X.score", "assets.Y.haven", "relations.A-B.value",
                                       "factions.Z.strength"]
    assert table["rise"].iloc[0] > 0.9 and table["rise"].iloc[2] < 0 and table["rise"].iloc[3] == 0.0
    assert explained(draws, ["factions.X.score"]) > 0.9
    assert explained(draws, ["relations.A-B.value"]) < 0.05
    assert explained(draws, ["factions.X.score"], outcome="final") == pytest.approx(
        explained(draws, ["factions.X.score"]))  # final = rise - 0.3


def test_decisive_reports_the_leaders_and_what_their_ranks_explain(draws):
    found = decisive(draws, ESTIMATES, top=2)
    leaders = found["by_rank_correlation_with_the_rise"]
    assert [row["estimate"] for row in leaders] == ["factions.X.score", "assets.Y.haven"]
    assert set(leaders[0]) == {"estimate", "rise", "final"}
    shares = found["rise_variance_explained_by_the_first"]
    assert list(shares) == ["1", "2"] and shares["1"] < shares["2"] <= 1.0
