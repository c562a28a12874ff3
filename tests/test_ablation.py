"""Ablations: scenarios with one event or one group of inputs taken out, and the robustness app."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.ablation import hold_series, without_events, without_group
from sim.dates import parse_month
from sim.events import EVENT_KINDS
from tests.conftest import MINI, MINI_CHECKS, ROOT, load_script


def test_one_event_out(mini_scenario):
    ablated = without_events(mini_scenario, {"terror_attack"}, "mini-no-terror")
    assert [e.id for e in ablated.events] == [e.id for e in mini_scenario.events if e.id != "terror_attack"]
    assert ablated.name == "mini-no-terror" and mini_scenario.events != ablated.events


def test_an_event_the_stage_needs_cannot_be_left_out(mini_scenario):
    with pytest.raises(ValueError, match="the stage breaks at late_leaves"):
        without_events(mini_scenario, {"late_enters"}, "x")
    with pytest.raises(ValueError, match="unknown events"):
        without_events(mini_scenario, {"nothing"}, "x")


def test_a_group_goes_from_its_window_and_its_series_are_held(mini_scenario):
    window = (parse_month("2016-05"), mini_scenario.end)
    territory = without_group(mini_scenario, "territory", window)
    kept = {e.id for e in territory.events}
    assert "haven_taken" in kept and "gas_fight" not in kept  # 2016-03 kept, 2016-08 removed
    assert all(EVENT_KINDS[e.kind].group != "territory" or e.month < window[0] for e in territory.events)
    migration = without_group(mini_scenario, "migration", window)
    arrivals = migration.monthly("migrant_arrivals")
    np.testing.assert_array_equal(arrivals[:4], mini_scenario.monthly("migrant_arrivals")[:4])
    assert np.all(arrivals[4:] == arrivals[3])
    np.testing.assert_array_equal(migration.monthly("oil_output"), mini_scenario.monthly("oil_output"))
    with pytest.raises(ValueError, match="never removed"):
        without_group(mini_scenario, "stage", window)


def test_holding_a_series_from_the_start(mini_scenario):
    held = hold_series(mini_scenario, "oil_output", mini_scenario.start)
    assert np.all(held.monthly("oil_output") == mini_scenario.monthly("oil_output")[0])


@pytest.mark.slow
def test_robustness_app_measures_every_ablation(tmp_path):
    out = tmp_path / "rob"
    proc = subprocess.run([sys.executable, "-m", "sim.robustness", f"scenario={MINI}", "replicates=8",
                           "final=2016-12", "rise_from=2016-06", "group_from=2016-05", "estimate_draws=16",
                           *MINI_CHECKS, f"hydra.run.dir={out}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} == {"robustness.csv", "robustness.json", "robustness.png",
                                               "estimate_ends.csv", "estimate_draws.csv", "config.yaml"}
    ends = pd.read_csv(out / "estimate_ends.csv")
    assert len(ends) == 2 * 5 and set(ends["end"]) == {"low", "high"}
    draws = pd.read_csv(out / "estimate_draws.csv")
    assert len(draws) == 16
    for path, low, high in (("factions.LNA.strength", 0.7, 1.4), ("assets.HAVEN.haven", 0.5, 1.0)):
        assert draws[path].between(low, high).all()
        assert draws[path].max() - draws[path].min() > 0.8 * (high - low)  # a hypercube spans the range
    table = pd.read_csv(out / "robustness.csv")
    assert set(table.loc[table["ablation"] == "event", "name"]) == {
        "haven_taken", "terror_attack", "late_enters", "french_forces", "gas_fight", "stake_sold",
        "militia_switches", "legit", "late_leaves"}
    assert table.loc[table["name"] == "late_enters", "final"].isna().all()  # the stage needs it
    report = json.loads((out / "robustness.json").read_text())
    printed = "\n".join(load_script("calibration_tables").robustness_tables(out))  # the page's tables
    assert all(f"| `{name}` |" in printed for name in table.loc[table["ablation"] == "event", "name"])
    assert all(f"| {group} |" in printed for group in report["groups"])
    largest = report["leave_one_out"]["largest_change"]
    assert abs(largest["delta_final"]) == pytest.approx(table["delta_final"].abs().max())
    assert set(report["groups"]) == {"territory", "oil", "migration", "terror", "deployments", "political"}
    estimates = report["estimates"]
    assert estimates["count"] == 5 and estimates["draws"] == 16
    criteria = [c for c in draws.columns if c.startswith("holds: ")]
    assert len(criteria) == 3
    for criterion in criteria:
        share = estimates["share_of_draws_meeting"][criterion.removeprefix("holds: ")]
        assert share == pytest.approx(draws[criterion].mean())
    bad = subprocess.run([sys.executable, "-m", "sim.robustness", f"scenario={MINI}", "final=2030-01",
                          f"hydra.run.dir={tmp_path / 'never'}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2 and "final: 2030-01 is outside" in bad.stderr
    assert not (tmp_path / "never").exists()


def test_estimate_ranges_shrink_about_the_file_value():
    from sim.robustness import scaled_range
    from sim.scenario.estimates import Estimate

    estimate = Estimate("factions.SHURA_COUNCILS.extremist", value=0.6, low=0.35, high=0.9)
    assert scaled_range(estimate, 1.0) is estimate
    half = scaled_range(estimate, 0.5)
    assert (half.low, half.value, half.high) == pytest.approx((0.475, 0.6, 0.75))
    assert scaled_range(estimate, 1e-9).high == pytest.approx(0.6)


@pytest.mark.slow
def test_a_bad_range_scale_exits_2_and_leaves_no_folder(tmp_path):
    bad = subprocess.run([sys.executable, "-m", "sim.robustness", f"scenario={MINI}", "estimate_range_scale=0",
                          f"hydra.run.dir={tmp_path / 'never'}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2 and "estimate_range_scale: is 0" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "never").exists()
    unknown = subprocess.run([sys.executable, "-m", "sim.robustness", f"scenario={MINI}",
                              "fixed_estimates=[factions.NOBODY.strength]", f"hydra.run.dir={tmp_path / 'never'}"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert unknown.returncode == 2, unknown.stderr
    assert "fixed_estimates: 'factions.NOBODY.strength' is not an estimate of mini" in unknown.stderr
    assert not (tmp_path / "never").exists()


def test_a_fixed_estimate_keeps_its_file_value_in_every_draw():
    from sim.params import calibrated_params
    from sim.robustness import estimate_draws
    from sim.scenario import load_scenario

    scenario = load_scenario(str(MINI))
    settings = {"params": calibrated_params(), "replicates": 2, "seed": 0, "focus_state": "ITA",
                "final": "2016-12", "rise_from": "2016-06", "estimate_draws": 6,
                "fixed_estimates": ["factions.LNA.strength"], "estimate_range_scale": 0.5,
                "checks": {"low_from": "2016-02", "low_to": "2016-05", "low_at_most": 0.0,
                           "rise_from": "2016-06", "rise_to": "2016-12", "rise_at_least": -1.0,
                           "final_at_most": 1.0}}
    ends, draws = estimate_draws(scenario, settings)
    assert "factions.LNA.strength" not in set(ends["estimate"])
    assert draws["factions.LNA.strength"].eq(1.0).all()  # the file's value
    haven = next(e for e in scenario.estimates if e.path == "assets.HAVEN.haven")
    kept = ends[ends["estimate"] == haven.path].set_index("end")["value"]
    assert kept["low"] == pytest.approx(haven.value - 0.5 * (haven.value - haven.low))
    assert draws[haven.path].between(kept["low"], kept["high"]).all()
