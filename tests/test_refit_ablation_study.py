"""scripts/refit_ablation_study.py (docs/calibration.md, "Explained, not drawn: refitted without the
inputs"): each variant takes away what it names and nothing else, and a refit reports the measures
the calibration reports, on the variant it fitted."""

from __future__ import annotations

import numpy as np
import pytest

from sim.dates import parse_month
from sim.events import EVENT_KINDS, MATERIAL_KINDS
from sim.scenario import load_scenario
from tests.conftest import load_script

TINY = ["calibrate.maxiter=1", "calibrate.popsize=1", "calibrate.replicates=2"]


@pytest.fixture(scope="module")
def study():
    return load_script("refit_ablation_study")


@pytest.fixture(scope="module")
def history():
    return load_scenario("libya_2014_2019")


def removed(study, variant, history):
    return {e.id for e in history.events} - {e.id for e in study.VARIANTS[variant](history).events}


def test_each_variant_takes_away_what_it_names(study, history):
    assert removed(study, "all", history) == set()
    assert removed(study, "no_benghazi_derna", history) == {"lna_takes_benghazi", "lna_takes_derna"}
    assert removed(study, "no_derna", history) == {"lna_takes_derna"}
    by_id = {e.id: e for e in history.events}
    material = removed(study, "no_material", history)
    assert material and all(by_id[i].kind in MATERIAL_KINDS and by_id[i].month >= parse_month("2016-01")
                        for i in material)
    territory = removed(study, "no_territory", history)
    assert territory < material and {EVENT_KINDS[by_id[i].kind].group for i in territory} == {"territory"}
    # a series group holds its series from 2016-01 at the level of 2015-12
    held, filed = study.VARIANTS["no_migration"](history).monthly("migrant_arrivals"), \
        history.monthly("migrant_arrivals")
    start = parse_month("2016-01") - history.start
    assert np.all(held[start:] == filed[start - 1]) and not np.all(filed[start:] == filed[start - 1])


@pytest.fixture(scope="module")
def tiny_refit(study):
    return study.refit("no_derna", overrides=TINY, replicates=4)


def test_a_refit_reports_the_calibrations_measures_on_its_variant(tiny_refit):
    out = tiny_refit
    assert out["scenario"].endswith("no-derna")
    assert set(out["parameters"]) >= {"scale.security", "inertia", "perception_half_life"}
    shares = {k: v for k, v in out["rise_shares"].items() if k != "total"}
    assert sum(shares.values()) == pytest.approx(1.0)
    tilt = out["tilt"]
    assert out["rise"] == pytest.approx(tilt["2019-08"] - tilt["2018-06"])
    assert 0 <= out["sides_held"] <= out["sides"] == 6
    assert 0 < out["italy_rmse"] < 2 and np.isfinite(out["objective"])


def test_leaving_out_on_a_refit_skips_what_its_variant_removed(study, tiny_refit):
    changes = study.leave_out(tiny_refit, replicates=4)
    assert set(changes) == set(study.LEFT_OUT) - {"lna_takes_derna"}
    assert all(np.isfinite(v) for v in changes.values())


def test_a_refit_under_other_settings_is_left_out_with_them(study, monkeypatch):
    """A refit made with another calibration's settings (here the held one: the capital's weight
    fitted, commitments weighted 10) is measured by `leave_out` with those settings and its own
    fitted values, not with the committed settings."""
    from tests.conftest import HELD_OVERRIDES

    refitted = study.refit("no_benghazi_derna", overrides=[*TINY, *HELD_OVERRIDES], replicates=2)
    assert refitted["settings"] == [*TINY, *HELD_OVERRIDES]
    assert "capital_weight" in refitted["parameters"]
    seen, execute = [], study.execute

    def recording(scenario, *, params, **kw):
        seen.append(params)
        return execute(scenario, params=params, **kw)

    monkeypatch.setattr(study, "execute", recording)
    study.leave_out(refitted, replicates=2)
    assert seen and all(p["commitment"] == 10 for p in seen)
    assert all(p["capital_weight"] == pytest.approx(refitted["parameters"]["capital_weight"]) for p in seen)
