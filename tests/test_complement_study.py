"""scripts/complement_study.py (docs/calibration_studies.md, "Why leaving out Benghazi or Derna undoes the
rise"): the parts' changes add up to the gap's, and at the committed fit and the held one
(docs/calibration_held.md) each capture works mostly through Italy's own security part, then
through its partners."""

from __future__ import annotations

import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module", params=["calibrated", "calibrated_held"])
def measured(request):
    return load_script("complement_study").measure(request.param, replicates=20)


def test_the_parts_changes_add_up_to_the_gaps(measured):
    base = measured["runs"]["all events"]
    for label, changes in measured["gap_part_changes"].items():
        gap_change = measured["runs"][label]["gap"] - base["gap"]
        assert sum(changes.values()) == pytest.approx(gap_change, abs=1e-6)


def test_each_capture_works_through_security_then_the_partners(measured):
    for label in ("without Benghazi", "without Derna"):
        changes = measured["gap_part_changes"][label]
        total = sum(changes.values())
        assert total < -2.5  # Italy's gap rises by 3.4 (committed) and 5.3 (held) from 2018-06 to 2019-08
        ordered = sorted(changes, key=changes.get)
        assert ordered[:2] == ["security", "rivalry"]
        assert 0.5 < changes["security"] / total < 0.8 and 0.2 < changes["rivalry"] / total < 0.5
    assert measured["both_tilt"] > measured["sum_of_single_tilt"]  # less than the sum of the two
