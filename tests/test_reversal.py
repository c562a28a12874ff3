"""No ratchet (issue 8): in a mirror of the history where the LNA's gains turn into losses, every
channel that moved Italy toward Haftar must move it back, at a rate set by the same memories."""

from __future__ import annotations

from functools import cache

from sim.model import AlignmentModel
from sim.results import SimulationResult
from sim.scenario import load_scenario

GAINS = ("2017-06", "2018-12")  # the LNA takes Benghazi, Derna and the Oil Crescent
REVERSED_BY = "2019-08"  # eight months after the mirror's losses begin (2019-01)
#: The channels the LNA's territorial gains feed (the mirror reverses those gains, not the migrant
#: arrivals series, which moves the migration channel in both scenarios alike).
TERRITORIAL = ("security", "winner", "oil")


@cache
def every_states_parts(name: str):
    """Each state's parts of V(LNA) - V(GNA) by month (50 replicates, the calibrated parameters),
    indexed by (state, date), one column a part; run once per scenario, read only."""
    model = AlignmentModel(load_scenario(name), replicates=50, seed=0).run()
    table = SimulationResult.from_model(model).decomposition
    return table.pivot_table(index=["state", "date"], columns="part", values="contribution")


def italy_parts(name: str):
    return every_states_parts(name).loc["ITA"]


def test_the_mirror_keeps_the_history_to_2018_and_reverses_after():
    history, mirror = italy_parts("libya_2014_2019"), italy_parts("libya_2014_2019_lna_reversal")
    assert history.loc[:"2018-12"].equals(mirror.loc[:"2018-12"])
    assert not history.loc["2019-08"].equals(mirror.loc["2019-08"])


def test_every_channel_that_moved_italy_toward_haftar_moves_it_back():
    """Measured with the calibrated parameters: the security part rises by 2.9 from 2017-06 to 2018-12
    and gives back 1.7 by 2019-08; the tilt falls from -0.30 to -0.79 (with the commitments held
    for good, docs/calibration_held.md: 4.4, 2.6, -0.32 to -0.87). Before the record was settled
    both ways it kept rising."""
    mirror = italy_parts("libya_2014_2019_lna_reversal")
    start, peak = GAINS
    rose = mirror.loc[peak] - mirror.loc[start]
    moved = [part for part in TERRITORIAL if rose[part] > 0.1]
    assert moved, "no territorial channel moved Italy toward Haftar in 2017-2018"
    for part in moved:
        given_back = mirror.loc[peak, part] - mirror.loc[REVERSED_BY, part]
        assert given_back >= 0.5 * rose[part], (part, float(rose[part]), float(given_back))


def test_every_channel_that_moved_any_state_toward_haftar_moves_it_back():
    """Every state, every part but migration (whose arrivals series the mirror keeps): measured
    with the calibrated parameters, the parts that rose by more than 0.1 (security for all eight,
    the partners' part for Italy, the UAE, Egypt and the USA) give back 56-111 % of their rise by
    2019-08 (with the commitments held for good, 70-107 %, France's oil among them)."""
    mirror = every_states_parts("libya_2014_2019_lna_reversal")
    start, peak = GAINS
    moved = []
    for state in mirror.index.get_level_values("state").unique():
        parts = mirror.loc[state]
        rose = parts.loc[peak] - parts.loc[start]
        for part in rose.index.drop("migration"):
            if rose[part] > 0.1:
                given_back = parts.loc[peak, part] - parts.loc[REVERSED_BY, part]
                moved.append((state, part, float(rose[part]), float(given_back)))
    assert len({state for state, *_ in moved}) == 8, moved
    ratchets = [row for row in moved if row[3] < 0.5 * row[2]]
    assert not ratchets, ratchets
