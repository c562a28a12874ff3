"""scripts/partners_held_study.py: holding Italy's partners on the course of the run with every
event reproduces that run bit for bit, and then a removal reaches Italy only through its own
interests (the partners' part of its gap does not move)."""

from __future__ import annotations

import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module")
def measured():
    return load_script("partners_held_study").measure("calibrated", replicates=10)


def test_holding_the_partners_on_their_own_course_changes_nothing(measured):
    assert measured["hold_reproduces_the_run"]


def test_with_the_partners_held_only_italys_own_parts_move(measured):
    for runs in measured["removals"].values():
        held, free = runs["partners held"], runs["every state answers"]
        assert held["gap_part_changes"]["rivalry"] == pytest.approx(0.0, abs=1e-9)
        assert free["gap_part_changes"]["rivalry"] < -1.0
        # Italy's own security part moves alike whether or not the others answer
        assert held["gap_part_changes"]["security"] == pytest.approx(
            free["gap_part_changes"]["security"], rel=0.05)
        assert free["change"] < held["change"] < 0  # the partners' echo deepens the fall


def test_frozen_partners_leave_italy_its_own_part_of_the_rise(measured):
    frozen, base = measured["partners frozen from 2018-06"], measured["all events"]
    assert 0 < frozen["rise"] < base["rise"]
    assert frozen["gap_part_changes"]["rivalry"] < -1.0  # the partners' 2018-19 move is gone
    assert frozen["gap_part_changes"]["security"] == pytest.approx(0.0, abs=0.1)


def test_the_figure_is_written(measured, tmp_path):
    path = tmp_path / "partners_held.png"
    load_script("partners_held_study").figure(measured, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(measured["months"]) == len(measured["all events"]["monthly"])
