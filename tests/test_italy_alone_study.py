"""The study "What Italy's points alone ask" (docs/calibration_studies.md): the weight of the other states'
points trades Italy's in-sample fit against theirs, and the study records show what the page says."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate import build_calibrator, set_values
from tests.conftest import load_script


@pytest.fixture(scope="module")
def study():
    return load_script("feasibility_study")


def test_each_fit_is_the_better_one_under_its_own_weight(previous_settings):
    """The committed fit (weight 1) and W0.1 (weight 0.1) each win at their own objective: the
    weight, not the optimiser's luck, is what separates them."""
    names = ("calibrated_g100", "joint_w01")
    losses = {}
    for weight in (1.0, 0.1):
        calibrator = build_calibrator({**previous_settings[0], "joint_weight": weight}, previous_settings[1])
        x = np.column_stack([set_values(calibrator, n) for n in names])
        losses[weight] = calibrator.losses(x)
    assert losses[1.0][0] < losses[1.0][1]
    assert losses[0.1][1] < losses[0.1][0]


def test_italy_fits_within_0_12_only_by_giving_up_the_other_states(study, previous_settings):
    calibrator = build_calibrator(*previous_settings)
    fits = {name: study.fit_of(name, calibrator, previous_settings[0])
            for name in ("calibrated_g100", "joint_w01", "bound_b1")}
    committed, weighted, alone = fits["calibrated_g100"], fits["joint_w01"], fits["bound_b1"]
    assert committed["italy"]["rmse"] > 0.12
    # down-weighting the other states' points meets 0.12 with every documented side held ...
    assert weighted["italy"]["rmse"] <= 0.12
    assert weighted["least_share_on_documented_side"] == 1.0
    # ... at the cost of their points, the USA's above all
    assert weighted["others_rmse"] > committed["others_rmse"] + 0.04
    assert weighted["others_rmse_by_state"]["USA"] > committed["others_rmse_by_state"]["USA"] + 0.15
    # Italy's points alone ask for France to back the GNA throughout
    assert alone["italy"]["rmse"] < 0.10
    assert alone["documented_sides"]["FRA"]["share_of_months"] == 0.0
    # every one of them still rises only with the material events
    for fit in fits.values():
        assert fit["rise"] >= 0.4 and fit["rise_without_material_events"] < 0.1


def test_italy_alone_converged_fits_its_points_and_breaks_frances_side(study, committed_settings):
    """B2 re-made at 300 generations: Italy's points alone, no prior, no sides. It fits them within
    0.08, the bet on Skhirat included, with France off its documented side most months; its rise
    still comes only with the material events."""
    calibrator = build_calibrator(*committed_settings)
    alone = study.fit_of("bound_b2_g300", calibrator, committed_settings[0])
    assert alone["italy"]["rmse"] < 0.08
    assert alone["by_point"]["2015-12"] < -0.65  # coded -0.75; the committed fit: -0.38
    assert alone["documented_sides"]["FRA"]["share_of_months"] < 0.5
    assert alone["others_rmse_by_state"]["USA"] > 0.5
    assert alone["rise"] >= 0.4 and alone["rise_without_material_events"] < 0.1


def test_converged_italy_fits_within_0_12_with_every_side_held_at_the_usas_cost(study, k0_settings):
    """W0.3 and B6 re-made at 300 generations: the other states' points weighed at 0.3, or left out
    with their documented sides held strictly, fit Italy within 0.12 with every side held in every
    month; what they give up is the USA's coded course."""
    calibrator = build_calibrator(*k0_settings)  # the settings before anticipation, where they were made
    fits = {name: study.fit_of(name, calibrator, k0_settings[0])
            for name in ("calibrated_k0", "joint_w03_g300", "bound_b6_g300")}
    committed = fits.pop("calibrated_k0")
    assert committed["italy"]["rmse"] > 0.12
    for name, fit in fits.items():
        assert fit["italy"]["rmse"] <= 0.12, name
        assert fit["least_share_on_documented_side"] == 1.0, name
        assert fit["others_rmse_by_state"]["USA"] > committed["others_rmse_by_state"]["USA"] + 0.05, name
        assert fit["rise"] >= 0.4 and fit["rise_without_material_events"] < 0.1, name
    assert fits["bound_b6_g300"]["italy"]["rmse"] < 0.10


def test_the_figure_draws_the_measured_courses(tmp_path):
    figure = load_script("italy_alone_figure")
    fits, courses, calibrator = figure.measure(["calibrated_g100", "joint_w01"], replicates=20)
    for name, fit in fits.items():
        dates, tilt = courses[name]
        at = [list(dates).index(d) for d in calibrator.targets["date"]]
        np.testing.assert_allclose(tilt[at], list(fit["by_point"].values()), rtol=1e-6)
    figure.draw(fits, courses, calibrator, tmp_path / "italy_alone.png")
    assert (tmp_path / "italy_alone.png").stat().st_size > 10_000
