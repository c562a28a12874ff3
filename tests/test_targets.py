"""Target files: every coded point cites its source, and a bad file stops with one clear error."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.errors import InputError
from sim.scenario import load_scenario
from sim.targets import STATE_COLUMNS, load_state_targets, load_targets

STATES = ("ITA", "FRA", "TUR")
HEADER = ",".join(STATE_COLUMNS)


def test_the_committed_targets_load_and_cover_four_other_states_or_more():
    scenario = load_scenario("libya_2014_2019")
    italy = load_targets("italy_tilt")
    assert italy["date"].iloc[0] < "2015-12"  # 2014-2015 are coded too
    others = load_state_targets("other_states_tilt", scenario.state_ids)
    assert "ITA" not in set(others["state"])
    assert (others.groupby("state").size() >= 4).sum() >= 4
    assert others["source"].str.strip().str.len().gt(0).all()



def test_the_extended_study_records_add_exactly_the_two_documented_points():
    """docs/calibration_studies.md, "More coded points": the study's files are the targets of the time
    (Italy's committed file; the other states' as kept in other_states_tilt_usa_gnc.csv) plus
    Italy 2017-09 and the USA 2017-12, each row otherwise unchanged."""
    scenario = load_scenario("libya_2014_2019")
    key = ["date", "tilt", "sigma"]
    italy, extended = load_targets("italy_tilt"), load_targets("italy_tilt_extended")
    added = extended.merge(italy[key], on=key, how="left", indicator=True)
    assert added.loc[added["_merge"] == "left_only", "date"].tolist() == ["2017-09"]
    assert len(extended) == len(italy) + 1
    others = load_state_targets("other_states_tilt_usa_gnc", scenario.state_ids)
    wider = load_state_targets("other_states_tilt_extended", scenario.state_ids)
    key = ["state", "date", "tilt", "sigma", "source"]
    added = wider.merge(others[key], on=key, how="left", indicator=True)
    assert added.loc[added["_merge"] == "left_only", ["state", "date"]].values.tolist() == [["USA", "2017-12"]]
    assert len(wider) == len(others) + 1
    # the same row added to the committed coding (the USA's 2016-02 point against the GNA)
    committed = load_state_targets("other_states_tilt", scenario.state_ids)
    wider_now = load_state_targets("other_states_tilt_extended_usa_gna", scenario.state_ids)
    key = ["state", "date", "tilt", "sigma", "source", "excerpt", "basis"]
    added = wider_now.merge(committed[key], on=key, how="left", indicator=True)
    assert added.loc[added["_merge"] == "left_only", ["state", "date"]].values.tolist() == [["USA", "2017-12"]]
    assert len(wider_now) == len(committed) + 1
    pd.testing.assert_frame_equal(wider_now[key].query("date == '2017-12'").reset_index(drop=True),
                                  wider[key].query("date == '2017-12'").reset_index(drop=True))


def test_the_usa_point_between_skhirat_and_tripoli_is_coded_against_the_gna():
    """docs/calibration_studies.md, "The USA's early-2016 point": the committed points dated after the
    GNA came on stage (2015-12) and before it sat in Tripoli (2016-04) are the USA's 2016-02 alone,
    coded against the GNA, citing the Rome communique and resolution 2259; the study record of the
    earlier coding differs from the committed file in that row and nothing else."""
    scenario = load_scenario("libya_2014_2019")
    others = load_state_targets("other_states_tilt", scenario.state_ids)
    earlier = load_state_targets("other_states_tilt_usa_gnc", scenario.state_ids)
    between = others[(others["date"] >= "2015-12") & (others["date"] < "2016-04")]
    assert between[["state", "date", "tilt", "sigma"]].values.tolist() == [["USA", "2016-02", -0.5, 0.25]]
    row = between.iloc[0]
    assert "SC/12185" in row["source"] and "Rome" in row["source"]
    key = ["state", "date", "tilt", "sigma"]
    changed = earlier.merge(others[key], on=key, how="left", indicator=True)
    assert changed.loc[changed["_merge"] == "left_only", key].values.tolist() == [["USA", "2016-02", 0.0, 0.35]]
    assert len(earlier) == len(others)


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("XXX,2016-01,0.5,0.2,Reuters,words,why", ["row 1.state", "'XXX'", "ITA"]),
        ("FRA,2016-13,0.5,0.2,Reuters,words,why", ["row 1 (2016-13).date"]),
        ("FRA,2016-02-30,0.5,0.2,Reuters,words,why", ["row 1 (2016-02-30).date", "has day 30"]),
        ("FRA,2016-01,1e400,0.2,Reuters,words,why", ["row 1 (2016-01).tilt", "is inf"]),
        ("FRA,2016-01,1.5,0.2,Reuters,words,why", ["row 1 (2016-01).tilt", "[-1, 1]"]),
        ("FRA,2016-01,0.5,0,Reuters,words,why", ["row 1 (2016-01).sigma", "positive"]),
        ("FRA,2016-01,0.5,0.2,,words,why", ["row 1 (2016-01).source", "cites its source"]),
    ],
)
def test_a_bad_point_of_another_state_is_named(tmp_path, row, words):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_state_targets(str(path), STATES)
    assert str(path) in str(caught.value)
    for word in words:
        assert word in str(caught.value)


def test_two_points_for_one_state_and_month_are_refused(tmp_path):
    path = tmp_path / "twice.csv"
    row = "FRA,2016-01,0.5,0.2,Reuters,words,why"
    path.write_text(f"{HEADER}\n{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError, match="FRA 2016-01: appears twice"):
        load_state_targets(str(path), STATES)


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("state,date,tilt,sigma\nFRA,2016-01,0.5,0.2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lacks columns \['source', 'excerpt', 'basis'\]"):
        load_state_targets(str(path), STATES)


def test_an_empty_target_file_is_named(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty.csv: file: is not a readable CSV"):
        load_state_targets(str(path), STATES)
