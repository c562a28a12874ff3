"""scripts/evidence_study.py (docs/calibration_studies.md, "The evidence the points give on each
account"): the calibration objective split into the evidence of each group of coded points and the
prior, and what it says of the two families of candidate sets."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import build_calibrator, calibration_settings, report_run
from sim.calibration import read_values
from sim.config import plain
from sim.params import read_parameter_set
from tests.conftest import load_script

evidence = load_script("evidence_study")


@pytest.fixture(scope="module")
def cal():
    settings, base = calibration_settings()
    return build_calibrator(settings, base)


def test_the_parts_add_up_to_the_calibration_objective(cal):
    replicates = 20
    m = evidence.evidence_of("calibrated", cal, replicates=replicates)
    assert m["italy"] == pytest.approx(m["italy_to_2018-06"] + m["italy_after_2018-06"])
    assert m["others"] == pytest.approx(sum(m["others_by_state"].values()))
    assert m["sum"] == pytest.approx(m["italy"] + m["others"] + m["prior"])
    assert (m["italy_points"], m["others_points"]) == (18, 41)
    # the calibrator's own objective on the same ensemble
    params = plain(read_parameter_set("calibrated"))
    mean = report_run(cal, params, replicates=replicates, seed=0).tilt_array.mean(axis=1)[:, None, :]
    x = read_values(params, cal.free)[:, None]
    assert m["objective"] == pytest.approx(float(cal.losses_of(mean, x)[0]), rel=1e-9)


def test_the_draws_holding_set_pays_for_its_account_in_the_other_states_and_the_prior(cal):
    """Study 37's reading: Italy's points after 2018-06 (the rise) fit the two accounts alike; the
    difference lies in Italy's earlier points, the other states' courses and the prior."""
    measures = [evidence.evidence_of(name, cal) for name in ("calibrated", "holds_all_q05")]
    committed, held = evidence.differences(measures)
    assert committed["sum"] == 0 and all(v == 0 for v in committed["parts"].values())
    parts = held["parts"]
    assert held["sum"] == pytest.approx(sum(parts.values()))
    assert abs(parts["Italy after 2018-06"]) < 0.5 < 2 < parts["Italy to 2018-06"]
    assert sum(v for k, v in parts.items() if k in measures[0]["others_by_state"]) > 10
    assert parts["prior"] > 7 and held["sum"] > 20
    assert held["italy_likelihood_ratio"] == pytest.approx(np.exp(-held["italy"] / 2))


def test_a_posterior_draw_at_the_mode_lies_nowhere_below_it(cal, tmp_path):
    """The yardstick runs each draw of a table with the committed set's other values: a draw with
    the mode's values gives the mode's sum; another draw of the committed table lies above it."""
    from sim.posterior import SCALE_PREFIX, load_posterior

    table = load_posterior("calibrated").table
    mode = plain(read_parameter_set("calibrated"))
    row = {c: (mode["interest_scales"][c[len(SCALE_PREFIX):]] if c.startswith(SCALE_PREFIX) else mode[c])
           for c in table.columns}
    path = tmp_path / "two.csv"
    path.write_text(",".join(table.columns) + "\n" + ",".join(repr(float(row[c])) for c in table.columns)
                    + "\n" + ",".join(repr(float(v)) for v in table.iloc[0]) + "\n", encoding="utf-8")
    sums = evidence.posterior_sums(cal, str(path), replicates=20)
    at_mode = evidence.evidence_of("calibrated", cal, replicates=20)["sum"]
    assert sums[0] == pytest.approx(at_mode, rel=1e-12)
    assert sums[1] > at_mode


def test_leaving_out_a_point_or_a_state_takes_it_from_every_sum_alike():
    def measure(points: dict, prior: float = 1.0) -> dict:
        return {"points": points, "sum": sum(points.values()) + prior}

    reference = measure({"ITA 2016-01": 1.0, "ITA 2019-01": 1.0, "FRA 2016-07": 1.0})
    candidate = measure({"ITA 2016-01": 1.5, "ITA 2019-01": 1.0, "FRA 2016-07": 6.0}, prior=2.0)
    draws = [measure({"ITA 2016-01": 1.0 + k, "ITA 2019-01": 1.0, "FRA 2016-07": 1.0 + k / 2})
             for k in range(5)]  # differences from the reference 0, 1.5, 3, 4.5, 6
    out = evidence.left_out(candidate, reference, draws)
    # the candidate's difference is 6.5 in all; without FRA 2016-07 it is 1.5, and the draws' are 0 to 4
    assert out["weakest_point"] == {"point": "FRA 2016-07", "difference": 1.5, "share_nearer": 0.4}
    # Italy's points left out leave 6.0 against draws at 0 to 2 (every draw nearer): France is weakest
    assert out["weakest_state"] == {"state": "FRA", "difference": 1.5, "share_nearer": 0.4}
