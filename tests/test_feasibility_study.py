"""scripts/feasibility_study.py (docs/calibration_studies.md, "Rise and leave-one-out together"): its
objective is the calibration's, and the study record it wrote still meets the criteria it claims."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
import yaml

from sim.calibrate import build_calibrator, calibration_settings, set_values
from sim.config import CONFIG_DIR
from tests.conftest import load_script


@pytest.fixture(scope="module")
def study():
    return load_script("feasibility_study")


@pytest.fixture(scope="module")
def calibrator(previous_settings):
    return build_calibrator(*previous_settings)


@pytest.fixture(scope="module")
def committed_calibrator(committed_settings):
    return build_calibrator(*committed_settings)


@pytest.fixture(scope="module")
def held_calibrator(held_settings):
    return build_calibrator(*held_settings)


def values(name, calibrator):
    return set_values(calibrator, name)


def test_the_search_objective_is_the_calibration_objective(study, previous_settings, calibrator):
    search = study.Search(calibrator, previous_settings[0]["checks"], study.EVENTS[:1], fit_weight=1.0)
    x = np.column_stack([values(name, calibrator) for name in ("calibrated_g100", "robust_r40", "points_p2")])
    mean = calibrator.ensemble_mean(x)
    np.testing.assert_allclose(search.measure(x)["objective"], calibrator.losses(x), rtol=1e-12)
    np.testing.assert_allclose(calibrator.losses_of(mean, x), calibrator.losses(x), rtol=1e-12)


@pytest.mark.parametrize("name", ["calibrated", "calibrated_held"])
def test_the_free_values_read_back_the_committed_calibration(name, calibrator, committed_calibrator):
    """The committed set read back on the committed search (17 parameters), and the held one on
    the search with the capital's weight (18)."""
    calibrator = committed_calibrator if name == "calibrated" else calibrator
    written = yaml.safe_load((CONFIG_DIR / "params" / f"{name}.yaml").read_text())
    expected = [written["interest_scales"][p.interest] if p.is_scale else written[p.name]
                for p in calibrator.free]
    assert len(expected) == (17 if name == "calibrated" else 18)
    np.testing.assert_allclose(values(name, calibrator), expected, rtol=1e-12)


def test_the_study_record_meets_the_limit_and_the_committed_fit_does_not(study, previous_settings, calibrator):
    search = study.Search(calibrator, previous_settings[0]["checks"], study.EVENTS, fit_weight=0.0)
    x = np.column_stack([values(name, calibrator) for name in ("robust_r40", "calibrated_g100")])
    measured = search.measure(x)
    robust, committed = 0, 1
    assert measured["violation"][robust] == 0.0
    assert np.abs(measured["loo"][:, robust]).max() <= 0.4
    assert measured["rise"][robust] >= 0.4
    # the committed fit breaks only the leave-one-out limit, by its two captures
    assert measured["violation"][committed] > 0.3
    over = {e for e, v in zip(study.EVENTS, measured["loo"][:, committed], strict=True) if abs(v) > 0.4}
    assert over == {"lna_takes_benghazi", "lna_takes_derna"}


def test_the_records_remade_on_the_committed_settings_meet_the_limit(study, k0_settings):
    """R40 re-made at 300 generations on the committed settings: both seeds' sets meet the limit and
    the shape checks with the searched events, and score a lower calibration objective than the
    previous R40 records did on theirs; the committed fit breaks the limit by three events."""
    calibrator = build_calibrator(*k0_settings)  # the settings before anticipation, where they were made
    search = study.Search(calibrator, k0_settings[0]["checks"], study.EVENTS, fit_weight=0.0)
    names = ("robust_r40_g300_s0", "robust_r40_g300_s1", "calibrated_k0")
    measured = search.measure(np.column_stack([values(name, calibrator) for name in names]))
    for robust in (0, 1):
        assert measured["violation"][robust] == 0.0
        assert np.abs(measured["loo"][:, robust]).max() <= 0.4
        assert measured["rise"][robust] >= 0.4
        assert measured["objective"][robust] < 0.70  # the 100-generation R40 records: 0.83-0.90
        assert measured["rmse"][robust] > 0.12  # not the in-sample criterion
    committed = 2
    over = {e for e, v in zip(study.EVENTS, measured["loo"][:, committed], strict=True) if abs(v) > 0.4}
    assert over == {"lna_takes_benghazi", "lna_takes_derna", "bunyan_al_marsous_retakes_sirte"}
    assert measured["objective"][committed] < measured["objective"][:committed].min()


def test_every_criterion_searched_on_the_held_model_misses_only_italys_fit(study, held_settings,
                                                                           held_calibrator):
    """The every-criterion searches on the model with commitments held (anticipation 2, then
    committed; docs/calibration_held.md): seed 0's set meets the
    leave-one-out limit on the searched events, the three shape checks and every documented side,
    and misses only Italy's in-sample RMSE (0.142 for 0.12); seed 1's misses the limit by less than
    0.001 at the search's 12 replicates as well. The held fit meets the RMSE and breaks the limit
    by three events."""
    calibrator = held_calibrator
    search = study.Search(calibrator, held_settings[0]["checks"], study.EVENTS, fit_weight=0.0,
                          rmse_at_most=0.12, with_sides=True)
    names = ("robust_all_k2_s0", "robust_all_k2_s1", "calibrated_held")
    measured = search.measure(np.column_stack([values(name, calibrator) for name in names]))
    for robust in (0, 1):
        assert measured["sides"][robust] == 0.0
        assert measured["rise"][robust] >= 0.4 and measured["final"][robust] <= 0.5
        assert measured["low"][robust] <= -0.6
        assert np.abs(measured["loo"][:, robust]).max() <= 0.4 + 0.001 * robust
        assert 0.12 < measured["rmse"][robust] < 0.17  # k 0's closest: 0.173
    assert measured["violation"][0] == pytest.approx(measured["rmse"][0] - 0.12, abs=1e-6)
    committed = 2
    assert measured["rmse"][committed] <= 0.12
    over = {e for e, v in zip(study.EVENTS, measured["loo"][:, committed], strict=True) if abs(v) > 0.4}
    assert over == {"lna_takes_benghazi", "lna_takes_derna", "bunyan_al_marsous_retakes_sirte"}


def test_loosened_to_0_6_the_limit_lets_the_held_model_fit_italy(study, held_settings, held_calibrator):
    """With the leave-one-out limit loosened to 0.6, the searches on the held model (two
    optimiser seeds) met every criterion they were given: Italy's RMSE within 0.12, the shape checks,
    every documented side; at 0.5 the search did not reach 0.12."""
    calibrator = held_calibrator
    search = study.Search(calibrator, held_settings[0]["checks"], study.EVENTS, fit_weight=0.0,
                          limit=0.6, rmse_at_most=0.12, with_sides=True)
    names = ("robust_all_k2_l60", "robust_all_k2_l60_s1", "robust_all_k2_l50")
    measured = search.measure(np.column_stack([values(name, calibrator) for name in names]))
    for loosened in (0, 1):  # two optimiser seeds
        assert measured["violation"][loosened] == 0.0
        assert measured["rmse"][loosened] <= 0.12
        assert 0.5 < np.abs(measured["loo"][:, loosened]).max() <= 0.6
    half = 2
    assert measured["rmse"][half] > 0.12



def test_with_diminishing_returns_every_criterion_still_misses_only_italys_fit(study):
    """The every-criterion search with the security interest's curvature free (docs/calibration_studies.md,
    "Diminishing returns of the record"): its set meets the leave-one-out limit on the searched
    events, the shape checks and every side, and misses Italy's in-sample RMSE by as much as the
    search without the curvature did (0.141 against 0.1415 at 12 replicates). The curvature it
    found is not 0; the held fit, whose curvature is 0, breaks the limit by three events."""
    settings = calibration_settings(["calibrate=saturation", "params.commitment=10"])  # the held settings
    calibrator = build_calibrator(*settings)
    assert calibrator.free[-1].name == "security_curvature"
    search = study.Search(calibrator, settings[0]["checks"], study.EVENTS, fit_weight=0.0,
                          rmse_at_most=0.12, with_sides=True)
    names = ("saturation_all_s0", "calibrated_held")
    x = np.column_stack([values(name, calibrator) for name in names])
    assert x[-1, 0] > 1.0 and x[-1, 1] == 0.0
    measured = search.measure(x)
    found, committed = 0, 1
    assert measured["sides"][found] == 0.0
    assert measured["rise"][found] >= 0.4 and measured["final"][found] <= 0.5
    assert measured["low"][found] <= -0.6
    assert np.abs(measured["loo"][:, found]).max() <= 0.4
    assert 0.13 < measured["rmse"][found] < 0.15
    assert measured["violation"][found] == pytest.approx(measured["rmse"][found] - 0.12, abs=1e-6)
    assert measured["rmse"][committed] <= 0.12
    over = {e for e, v in zip(study.EVENTS, measured["loo"][:, committed], strict=True) if abs(v) > 0.4}
    assert over == {"lna_takes_benghazi", "lna_takes_derna", "bunyan_al_marsous_retakes_sirte"}


def test_the_events_searched_are_those_named_and_an_unknown_one_is_refused(study, tmp_path, monkeypatch,
                                                                          capsys):
    tiny = ["--maxiter", "1", "--popsize", "1", "--replicates", "2"]
    monkeypatch.setattr("sys.argv", ["feasibility_study.py", "--events", "lna_takes_derna", "no_such_event",
                                     *tiny])
    with pytest.raises(SystemExit) as refused:
        study.main()
    message = capsys.readouterr().err
    assert refused.value.code == 2 and "no_such_event" in message
    assert "lna_takes_benghazi" in message  # the allowed values are listed
    out = tmp_path / "search.json"
    monkeypatch.setattr("sys.argv", ["feasibility_study.py", "--events", "lna_takes_derna",
                                     "lna_returns_ports_to_tripoli_noc", *tiny, "--json", str(out)])
    study.main()
    found = json.loads(out.read_text())
    assert found["events"] == ["lna_takes_derna", "lna_returns_ports_to_tripoli_noc"]
    assert set(found["loo"]) == set(found["events"])


def searched_events(name: str) -> tuple[str, ...]:
    """The events a study record's search left out, as its header's command names them."""
    command = (CONFIG_DIR / "params" / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[1]
    return tuple(command.split("--events ")[1].split(" --")[0].split())


def test_every_criterion_searched_on_the_committed_calibration_misses_only_italys_fit(
        study, committed_settings, committed_calibrator):
    """The every-criterion searches on the committed calibration (CK, docs/calibration_studies.md,
    "On the committed calibration (CK)"), over its ten largest events and the held calibration's:
    both seeds' sets meet the leave-one-out limit on those events, the three shape checks and every
    documented side (seed 0's within 0.001 at the search's 12 replicates), and miss Italy's
    in-sample RMSE (0.137 and 0.141 for 0.12), less than on the held model (0.142 and 0.163). The
    committed fit meets the RMSE and breaks the limit by its two captures."""
    events = searched_events("robust_all_ck_s0")
    assert events == searched_events("robust_all_ck_s1") and set(study.EVENTS) < set(events)
    search = study.Search(committed_calibrator, committed_settings[0]["checks"], events, fit_weight=0.0,
                          rmse_at_most=0.12, with_sides=True)
    names = ("robust_all_ck_s0", "robust_all_ck_s1", "calibrated")
    measured = search.measure(np.column_stack([values(name, committed_calibrator) for name in names]))
    for robust in (0, 1):
        assert measured["sides"][robust] < 0.001
        assert measured["rise"][robust] >= 0.4 and measured["final"][robust] <= 0.5
        assert measured["low"][robust] <= -0.6
        assert np.abs(measured["loo"][:, robust]).max() <= 0.4
        assert 0.12 < measured["rmse"][robust] < 0.142
    assert measured["violation"][1] == pytest.approx(measured["rmse"][1] - 0.12, abs=1e-6)
    committed = 2
    assert measured["rmse"][committed] <= 0.12
    over = {e for e, v in zip(events, measured["loo"][:, committed], strict=True) if abs(v) > 0.4}
    assert over == {"lna_takes_benghazi", "lna_takes_derna"}


def test_loosened_to_0_5_the_limit_lets_the_committed_calibration_fit_italy(study, committed_settings,
                                                                          committed_calibrator):
    """On the committed calibration (CK), the searches with the limit loosened, each started from
    the 0.4 search's set, met every criterion they were given at the search's 12 replicates: at
    0.45, 0.5 and 0.6 Italy's RMSE within 0.12, with the searched events moving Italy's 2019-08
    tilt by more than 0.4 but within the limit (0.45's set misses 0.12 by 0.001 over 200
    replicates; the 0.6 set fits Italy no better than the 0.5 set: the search stops at violation
    0)."""
    events = searched_events("robust_all_ck_l50")
    for name, limit in (("robust_all_ck_l45", 0.45), ("robust_all_ck_l50", 0.5), ("robust_all_ck_l60", 0.6)):
        search = study.Search(committed_calibrator, committed_settings[0]["checks"], events, fit_weight=0.0,
                              limit=limit, rmse_at_most=0.12, with_sides=True)
        measured = search.measure(values(name, committed_calibrator)[:, None])
        assert measured["violation"][0] == 0.0 and measured["rmse"][0] <= 0.12
        assert 0.4 < np.abs(measured["loo"][:, 0]).max() <= limit


def stages_settings(scenario: str) -> list[str]:
    """The overrides that calibrate on a staged study scenario, with its own counterfactual."""
    return [f"calibrate.scenario=studies/{scenario}",
            "calibrate.counterfactual=studies/campaign_stages_no_military"]


@functools.cache
def stages_calibrator(scenario: str):
    """The calibration's settings and calibrator on a staged study scenario, built once per scenario."""
    settings = calibration_settings(stages_settings(scenario))
    return settings, build_calibrator(*settings)


def test_the_settings_option_searches_a_study_scenario(study, tmp_path, monkeypatch):
    """``--settings`` reaches the calibration searched: an event only the staged scenario has is
    accepted, and the record written names the scenario to measure it on."""
    out, record = tmp_path / "search.json", tmp_path / "found.yaml"
    monkeypatch.setattr("sys.argv", ["feasibility_study.py", "--events", "lna_takes_derna_old_city",
                                     "--maxiter", "1", "--popsize", "1", "--replicates", "2",
                                     "--settings", *stages_settings("campaign_stages"), "--json", str(out),
                                     "--write-params", str(record)])
    study.main()
    found = json.loads(out.read_text())
    assert found["settings"] == stages_settings("campaign_stages")
    assert set(found["loo"]) == {"lna_takes_derna_old_city"}
    assert "scenario=studies/campaign_stages." in record.read_text().splitlines()[2]


def test_events_joined_by_plus_are_left_out_together(study, monkeypatch, capsys):
    """A campaign's stages joined by ``+`` are left out in one run; an unknown id inside a group is
    refused like any other."""
    settings, calibrator = stages_calibrator("campaign_stages")
    derna = "lna_takes_derna+lna_takes_derna_old_city"
    search = study.Search(calibrator, settings[0]["checks"], (derna, "lna_takes_derna"), fit_weight=0.0)
    kept = [{e.id for e in scenario.events} for scenario in search.held.leave_one_out.values()]
    assert not {"lna_takes_derna", "lna_takes_derna_old_city"} & kept[0]
    assert "lna_takes_derna_old_city" in kept[1] and "lna_takes_derna" not in kept[1]
    assert len(kept[0]) == len(calibrator.scenario.events) - 2
    monkeypatch.setattr("sys.argv", ["feasibility_study.py", "--events", "lna_takes_derna+no_such_event",
                                     "--maxiter", "1", "--popsize", "1", "--replicates", "2"])
    with pytest.raises(SystemExit) as refused:
        study.main()
    assert refused.value.code == 2 and "no_such_event" in capsys.readouterr().err


@pytest.mark.parametrize(("scenario", "name"), [("campaign_stages", "robust_all_stages_s0"),
                                                ("campaign_stages", "robust_all_stages_fit_m"),
                                                ("campaign_stages_old25", "robust_all_stages_old25_m"),
                                                ("campaign_stages_old75", "robust_all_stages_old75_m")])
def test_on_the_stages_every_criterion_searched_holds_together(study, scenario, name):
    """On the staged coding of the two campaigns (docs/calibration_studies.md, "Every criterion
    searched on the stages"), at each division of Derna's record, the every-criterion search found a
    set that meets Italy's in-sample RMSE (0.12), the leave-one-out limit on the searched events, the
    three shape checks and every documented side at once, at the search's 12 replicates; no search
    on the history did (closest 0.137). The committed parameters break a criterion at each division
    (Italy's RMSE at equal shares and at 0.75, the limit at 0.25); S, calibrated on the stages,
    breaks the limit by both Derna stages (checked at equal shares)."""
    settings, calibrator = stages_calibrator(scenario)
    events = searched_events(name)
    search = study.Search(calibrator, settings[0]["checks"], events, fit_weight=0.0,
                          rmse_at_most=0.12, with_sides=True)
    names = (name, "calibrated", "stages_s")
    measured = search.measure(np.column_stack([values(n, calibrator) for n in names]))
    found, committed, fitted = 0, 1, 2
    assert measured["violation"][found] == 0.0
    assert measured["rmse"][found] <= 0.12 and np.abs(measured["loo"][:, found]).max() <= 0.4
    assert measured["rise"][found] >= 0.4 and measured["low"][found] <= -0.6
    assert measured["violation"][committed] > 0.02
    if scenario == "campaign_stages":
        assert np.abs(measured["loo"][:, committed]).max() <= 0.4 and measured["rmse"][committed] > 0.14
        over = {e for e, v in zip(events, measured["loo"][:, fitted], strict=True) if abs(v) > 0.4}
        assert over == {"lna_takes_derna", "lna_takes_derna_old_city"}
        assert measured["rmse"][fitted] <= 0.12


@pytest.mark.parametrize(("scenario", "name", "rmse_below"), [
    ("campaign_stages", "robust_campaigns_stages", 0.18),
    ("campaign_stages", "robust_campaigns_stages_s4", 0.13),
    ("campaign_stages_old25", "robust_campaigns_stages_old25", 0.14),
    ("campaign_stages_old25", "robust_campaigns_stages_old25_s4", 0.13)])
def test_campaigns_left_out_whole_within_the_limit_cost_italys_fit(study, scenario, name, rmse_below):
    """Each campaign left out whole as well (its stages joined by +): the searches (two optimiser
    seeds at each division) keep both campaigns within 0.4 with the shape checks and every side,
    and stop above Italy's RMSE 0.12 (0.124-0.172 at 12 replicates; the history 0.137)
    (docs/calibration_studies.md, "Every criterion searched on the stages")."""
    settings, calibrator = stages_calibrator(scenario)
    events = searched_events(name)
    campaigns = [i for i, e in enumerate(events) if "+" in e]
    assert len(campaigns) == 2
    search = study.Search(calibrator, settings[0]["checks"], events, fit_weight=0.0,
                          rmse_at_most=0.12, with_sides=True)
    measured = search.measure(values(name, calibrator)[:, None])
    assert np.abs(measured["loo"][campaigns, 0]).max() <= 0.4
    assert measured["sides"][0] == 0.0 and measured["rise"][0] >= 0.4
    assert 0.12 < measured["rmse"][0] < rmse_below


def test_the_local_box_is_centred_on_the_set_and_stays_within_the_ranges(study, committed_calibrator):
    """`box_around`: each parameter's range narrowed to the set +- the width x the range, cut at the
    range's ends, so a local search never leaves the calibration's ranges."""
    cal = committed_calibrator
    x0 = set_values(cal, "migration_m2")
    low, high = np.array(cal.bounds, dtype=float).T
    box = np.array(study.box_around(cal, x0, 0.15))
    assert np.all(box[:, 0] >= low) and np.all(box[:, 1] <= high)
    assert np.all((box[:, 0] <= x0) & (x0 <= box[:, 1]))
    inside = (x0 - 0.15 * (high - low) > low) & (x0 + 0.15 * (high - low) < high)
    assert inside.any() and (~inside).any()  # some ranges cut at an end, some not
    np.testing.assert_allclose(box[inside].mean(axis=1), x0[inside])
    np.testing.assert_allclose(np.diff(box[inside], axis=1)[:, 0], 0.3 * (high - low)[inside])
