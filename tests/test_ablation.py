"""Ablations: scenarios with one event or one group of inputs taken out, and the robustness app."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.ablation import hold_series, without_events, without_group, without_material
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
    assert "leaving out events" in proc.stderr and "26/26" in proc.stderr  # progress: 2 x 5 ends + 16 draws
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
    side = "FRA tilt > 0 over 2016-02..2016-12"
    material = "rise 2016-06..2016-12 < -1.0 without the material events from 2016-05"
    assert criteria[3:] == [f"holds: {side}", f"holds: {material}"] and len(criteria) == 5
    assert (draws[f"holds: {side}"] == (draws[f"mean: {side}"] > 0)).all()
    assert (draws[f"holds: {material}"] == (draws["rise without the material events"] < -1.0)).all()
    assert set(report["baseline"]["holds"]) == {c.removeprefix("holds: ") for c in criteria}
    for criterion in criteria:
        share = estimates["share_of_draws_meeting"][criterion.removeprefix("holds: ")]
        assert share == pytest.approx(draws[criterion].mean())
    leaders = estimates["decisive"]["by_rank_correlation_with_the_rise"]
    assert len(leaders) == 5 and {row["estimate"] for row in leaders} == set(ends["estimate"])
    strongest = max(leaders, key=lambda row: abs(row["rise"]))["estimate"]
    assert leaders[0]["estimate"] == strongest and "decided most by" in proc.stdout + proc.stderr
    for measure in ("final", "rise"):  # the 5 %, median and 95 % of the draws, printed too
        q05, median, q95 = (estimates[measure][q] for q in ("q05", "median", "q95"))
        assert q05 == pytest.approx(draws[measure].quantile(0.05)) and q05 <= median <= q95
    assert f"the rise from 2016-06 {estimates['rise']['q05']:+.2f} / " in proc.stdout + proc.stderr
    both = estimates["rise_and_final"]  # the mini checks: final at most 1, rise at least -1
    assert both["at_most"] == 2.0 and both["holds"] == (both["gap"] <= 2.0)
    assert both["gap"] == pytest.approx(draws["final"].quantile(0.9) - draws["rise"].quantile(0.1))
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
    negative = subprocess.run([sys.executable, "-m", "sim.robustness", f"scenario={MINI}", "estimate_draws=-1",
                               f"hydra.run.dir={tmp_path / 'never'}"], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
    assert negative.returncode == 2 and "estimate_draws: is -1; a whole number" in negative.stderr, negative.stderr
    assert "Traceback" not in negative.stderr and not (tmp_path / "never").exists()
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


def test_without_material_is_the_counterfactual_scenario():
    """The history without its material events from 2016 is the no-military scenario file."""
    from sim.params import calibrated_params
    from sim.scenario import load_scenario
    from sim.simulate import execute

    history = load_scenario("libya_2014_2019")
    built = without_material(history, (parse_month("2016-01"), history.end))
    filed = load_scenario("libya_2014_2019_no_military")
    assert [e.id for e in built.events] == [e.id for e in filed.events]
    assert len(built.events) < len(history.events)
    for series in history.series:
        assert np.array_equal(built.monthly(series), filed.monthly(series)), series
    assert {e.path for e in built.estimates} == {e.path for e in filed.estimates}
    a, b = (execute(s, params=calibrated_params(), replicates=4, seed=1, record="tilt").tilt_array for s in (built, filed))
    assert np.array_equal(a, b)


def test_documented_sides_and_the_material_check_are_judged_on_each_run(mini_scenario):
    from sim.params import calibrated_params
    from sim.robustness import course

    settings = {"params": calibrated_params(), "replicates": 4, "seed": 0, "focus_state": "ITA",
                "final": "2016-12", "rise_from": "2016-06", "group_from": "2016-05", "material_check": True,
                "sides": [{"state": "FRA", "sign": sign, "from": "2016-02", "to": "2016-12"} for sign in (1, -1)],
                "checks": {"low_from": "2016-02", "low_to": "2016-05", "low_at_most": 0.0,
                           "rise_from": "2016-06", "rise_to": "2016-12", "rise_at_least": 0.05,
                           "final_at_most": 1.0}}
    measured = course(mini_scenario, settings, every_check=True)
    above, below = "FRA tilt > 0 over 2016-02..2016-12", "FRA tilt < 0 over 2016-02..2016-12"
    assert measured["holds"][above] != measured["holds"][below]  # opposite sides: one holds
    assert measured["holds"][above] == (measured["measures"][f"mean: {above}"] > 0)
    bare = measured["measures"]["rise without the material events"]
    assert bare != pytest.approx(measured["rise"])  # a second run, without the material events
    assert measured["holds"]["rise 2016-06..2016-12 < 0.05 without the material events from 2016-05"] == (bare < 0.05)
    assert set(course(mini_scenario, settings)["holds"]) == {  # the leave-one-out rows: the three checks
        "mean 2016-02..2016-05 <= 0.0", "rise 2016-06..2016-12 >= 0.05", "tilt 2016-12 <= 1.0"}


@pytest.mark.slow
def test_an_unknown_side_exits_2_naming_it(tmp_path):
    lenient = [o for o in MINI_CHECKS if not o.startswith("sides=")]
    bad = subprocess.run([sys.executable, "-m", "sim.robustness", f"scenario={MINI}", *lenient,
                          "final=2016-12", "rise_from=2016-06", "group_from=2016-05",
                          "sides=[{state: UAE, sign: 1, from: 2016-02, to: 2016-12}]",
                          f"hydra.run.dir={tmp_path / 'never'}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2 and "sides[0].state: unknown state 'UAE'" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "never").exists()


def test_the_robustness_figure_shows_each_criterions_share_of_the_draws():
    from sim.plotting import plot_ablations

    table = pd.DataFrame({"ablation": ["event", "group"], "name": ["taken", "territory"],
                          "group": ["territory", "territory"], "date": ["2017-07", "2016-01.."],
                          "delta_final": [-0.8, -0.9]})
    draws = pd.DataFrame({"final": np.linspace(-0.5, 0.5, 20), "holds: rise >= 0.4": [True] * 13 + [False] * 7,
                          "holds: FRA tilt > 0": [True] * 19 + [False],
                          "refit holds: rise >= 0.4": [True] * 20, "refit holds: FRA tilt > 0": [True] * 20})
    figure = plot_ablations(table, "ITA", limit=0.4, baseline=0.13, month="2019-08", draws=draws, min_share=0.9)
    shares = figure.axes[3]
    filled = [p for p in shares.patches if p.get_fill()]
    assert [round(p.get_width()) for p in filled] == [65, 95]  # top to bottom, in the columns' order
    assert filled[0].get_facecolor() != filled[1].get_facecolor()  # 65 % short of 90 %, 95 % not
    assert [round(p.get_width()) for p in shares.patches if not p.get_fill()] == [100, 100]  # the refit's
    labels = sorted(shares.get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in labels] == ["rise >= 0.4", "FRA tilt > 0"]  # top to bottom
    assert len(plot_ablations(table, "ITA", limit=0.4, baseline=0.13, month="2019-08",
                              draws=draws[["final"]]).axes) == 3  # no checks, no panel


def test_the_robustness_figure_shows_which_estimates_decide_the_rise():
    from sim.plotting import plot_ablations

    table = pd.DataFrame({"ablation": ["event", "group"], "name": ["taken", "territory"],
                          "group": ["territory", "territory"], "date": ["2017-07", "2016-01.."],
                          "delta_final": [-0.8, -0.9]})
    draws = pd.DataFrame({"final": np.linspace(-0.5, 0.5, 20), "holds: rise >= 0.4": [True] * 13 + [False] * 7})
    decisive = {"by_rank_correlation_with_the_rise": [
                    {"estimate": "factions.X.extremist", "rise": 0.75, "final": 0.8},
                    {"estimate": "factions.Y.strength", "rise": -0.15, "final": -0.05}],
                "rise_variance_explained_by_the_first": {"1": 0.53, "2": 0.62}}
    figure = plot_ablations(table, "ITA", limit=0.4, baseline=0.13, month="2019-08", draws=draws,
                            decisive=decisive)
    panel = figure.axes[-1]
    assert len(figure.axes) == 5
    assert [round(p.get_width(), 2) for p in panel.patches if p.get_fill()] == [0.75, -0.15]  # top to bottom
    assert [round(p.get_width(), 2) for p in panel.patches if not p.get_fill()] == [0.8, -0.05]
    labels = sorted(panel.get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in labels] == ["factions.X.extremist", "factions.Y.strength"]
    assert "explain 53 / 62 %" in panel.get_title()
    assert len(plot_ablations(table, "ITA", limit=0.4, baseline=0.13, month="2019-08", draws=draws,
                              decisive={"by_rank_correlation_with_the_rise": []}).axes) == 4  # no leaders, no panel


def test_the_rise_and_final_gap_is_what_a_shift_of_every_draw_cannot_close():
    """Both Italy checks in 90 % of the draws need q90(final) - q10(rise) <= final_at_most -
    rise_at_least; adding the same to every draw's rise and final leaves that gap unchanged, while
    it trades one check's share against the other's."""
    from sim.robustness import measures_the_rise_check, rise_and_final

    rng = np.random.default_rng(0)
    rise = rng.uniform(0.0, 1.4, 400)
    draws = pd.DataFrame({"rise": rise, "final": rise - 0.75})
    checks = {"rise_at_least": 0.4, "final_at_most": 0.5}
    before = rise_and_final(draws, checks, 0.9)
    assert before["at_most"] == pytest.approx(0.1) and not before["holds"]
    assert before["gap"] == pytest.approx(draws["final"].quantile(0.9) - draws["rise"].quantile(0.1))
    shifted = rise_and_final(draws + 0.2, checks, 0.9)
    assert shifted["gap"] == pytest.approx(before["gap"])
    assert ((draws + 0.2)["rise"] >= 0.4).mean() > (draws["rise"] >= 0.4).mean()
    assert ((draws + 0.2)["final"] <= 0.5).mean() < (draws["final"] <= 0.5).mean()
    checks = {**checks, "rise_from": "2018-06", "rise_to": "2019-08"}
    assert measures_the_rise_check({"rise_from": "2018-06", "final": "2019-08", "checks": checks})
    assert not measures_the_rise_check({"rise_from": "2018-06", "final": "2019-04", "checks": checks})
    narrow = rise_and_final(pd.DataFrame({"rise": 0.5 + 0.1 * (rise - 0.7), "final": -0.25 + 0.1 * (rise - 0.7)}),
                            checks, 0.9)
    assert narrow["holds"]
