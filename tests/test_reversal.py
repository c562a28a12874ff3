"""No ratchet (issue 8): in a mirror of the history where the LNA's gains turn into losses, every
channel that moved Italy toward Haftar must move it back, at a rate set by the same memories."""

from __future__ import annotations

from sim.model import AlignmentModel
from sim.results import SimulationResult
from sim.scenario import load_scenario

GAINS = ("2017-06", "2018-12")  # the LNA takes Benghazi, Derna and the Oil Crescent
REVERSED_BY = "2019-08"  # eight months after the mirror's losses begin (2019-01)
#: The channels the LNA's territorial gains feed (the mirror reverses those gains, not the migrant
#: arrivals series, which moves the migration channel in both scenarios alike).
TERRITORIAL = ("security", "winner", "oil")


def italy_parts(name: str):
    model = AlignmentModel(load_scenario(name), replicates=50, seed=0).run()
    table = SimulationResult.from_model(model).decomposition
    return table[table["state"] == "ITA"].pivot(index="date", columns="part", values="contribution")


def test_the_mirror_keeps_the_history_to_2018_and_reverses_after():
    history, mirror = italy_parts("libya_2014_2019"), italy_parts("libya_2014_2019_lna_reversal")
    assert history.loc[:"2018-12"].equals(mirror.loc[:"2018-12"])
    assert not history.loc["2019-08"].equals(mirror.loc["2019-08"])


def test_every_channel_that_moved_italy_toward_haftar_moves_it_back():
    """Measured: the security part rises by 4.4 from 2017-06 to 2018-12 and gives back 2.6 by 2019-08;
    the tilt falls from -0.32 to -0.87. Before the record was settled both ways it kept rising."""
    mirror = italy_parts("libya_2014_2019_lna_reversal")
    start, peak = GAINS
    rose = mirror.loc[peak] - mirror.loc[start]
    moved = [part for part in TERRITORIAL if rose[part] > 0.1]
    assert moved, "no territorial channel moved Italy toward Haftar in 2017-2018"
    for part in moved:
        given_back = mirror.loc[peak, part] - mirror.loc[REVERSED_BY, part]
        assert given_back >= 0.5 * rose[part], (part, float(rose[part]), float(given_back))
