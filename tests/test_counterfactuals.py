"""The counterfactual library (scenarios/counterfactuals/), held support, and scenario comparisons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.callbacks import overlay
from sim.dates import parse_month
from sim.errors import ScenarioError
from sim.model import AlignmentModel
from sim.params import calibrated_params
from sim.paths import SCENARIO_DIR
from sim.scenario import load_scenario, scenario_names
from sim.simulate import execute
from sim.summary import open_offensives, output_held, summarise
from tests.conftest import ROOT

LIBRARY = sorted(p.stem for p in (SCENARIO_DIR / "counterfactuals").glob("*.yaml"))
HISTORY = "libya_2014_2019"
OPEN_2019 = ["lna_takes_gharyan", "lna_tripoli_offensive", "gna_retakes_gharyan",
             "lna_strikes_misrata_air_college"]


@pytest.fixture(scope="module")
def history():
    return load_scenario(HISTORY)


def month_step(scenario, month: str) -> int:
    return parse_month(month) - scenario.start


# ------------------------------------------------------------------------- the library


def test_the_library_holds_the_planned_scenarios():
    assert {"no_oil_crescent", "no_benghazi_derna", "no_tripoli_offensive", "migration_held_2016",
            "france_neutral", "endogenous_war"} <= set(LIBRARY)
    assert {f"counterfactuals/{n}" for n in LIBRARY} <= set(scenario_names())


@pytest.mark.parametrize("name", LIBRARY)
def test_each_counterfactual_extends_the_history_and_says_what_and_why(name, history):
    path = SCENARIO_DIR / "counterfactuals" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert text.startswith("# ") and len(header) >= 8, "a comment block heads the file"
    assert f"python -m sim.run scenario=counterfactuals/{name}" in text
    assert "What changes" in text and "Why" in text
    assert raw["extends"] in (HISTORY, "endogenous_war")
    scenario = load_scenario(f"counterfactuals/{name}")  # the loader validates the stage rules
    assert scenario.name == name and raw["title"] == scenario.title != name
    assert len(scenario.description) > 80
    assert (scenario.start, scenario.end) == (history.start, history.end)
    assert not [e.id for e in scenario.events if e.get("state") == "ITA"]  # integrity rule


def test_the_removals_are_those_documented(history):
    ids = {e.id for e in history.events}

    def removed(name):
        return ids - {e.id for e in load_scenario(f"counterfactuals/{name}").events}

    assert {"lna_seizes_oil_crescent", "lna_retakes_oil_crescent_2017",
            "lna_retakes_oil_crescent_2018"} <= removed("no_oil_crescent")
    assert removed("no_benghazi_derna") == {"lna_takes_benghazi", "lna_takes_derna",
                                            "shura_remnants_join_gna_camp"}
    assert {"lna_tripoli_offensive", "lna_takes_gharyan"} <= removed("no_tripoli_offensive")
    assert removed("france_neutral") == {"france_special_forces_with_lna", "french_javelins_with_lna"}
    assert removed("migration_held_2016") == set() and removed("endogenous_war") == set()


def test_without_the_oil_crescent_seizures_the_pfg_keeps_the_terminals_open():
    scenario = load_scenario("counterfactuals/no_oil_crescent")
    result = execute(scenario, params=None, replicates=2, seed=0)
    crescent = scenario.asset_ids.index("OIL_CRESCENT")
    assert (result.control_array[:, :, crescent] == scenario.faction_ids.index("PFG")).all()


def test_migration_is_held_at_the_2016_mean(history):
    held = load_scenario("counterfactuals/migration_held_2016").monthly("migrant_arrivals")
    base = history.monthly("migrant_arrivals")
    year_2016 = slice(month_step(history, "2016-01"), month_step(history, "2017-01"))
    np.testing.assert_array_equal(held[: year_2016.stop - 2], base[: year_2016.stop - 2])
    assert abs(base[year_2016].mean() - 15100) < 100
    assert (held[month_step(history, "2017-01"):] == 15100).all()
    assert base[-1] < 2000


def test_the_endogenous_war_leaves_the_2019_offensives_open(history):
    scenario = load_scenario("counterfactuals/endogenous_war")
    opened = [e.id for e in scenario.events if e.kind == "offensive" and e["outcome"] == "open"]
    assert opened == OPEN_2019
    assert all(e.month >= parse_month("2019-04") for e in scenario.events if e.id in OPEN_2019)
    same = [e for e in scenario.events if e.id not in OPEN_2019]
    assert same == [e for e in history.events if e.id not in OPEN_2019]


# ------------------------------------------------------------------------- held support


def test_france_neutral_backs_nobody_and_the_rest_starts_as_the_history(history):
    neutral = load_scenario("counterfactuals/france_neutral")
    run = execute(neutral, params=None, replicates=4, seed=1)
    fra = neutral.state_ids.index("FRA")
    assert (run.support_array[:, :, fra] == 0).all() and (run.tilt_array[:, :, fra] == 0).all()
    base = execute(history, params=None, replicates=4, seed=1)
    assert not np.allclose(run.tilt_array, base.tilt_array)


def test_a_hold_changes_nothing_before_it_starts_and_holds_from_then_on(history):
    lna = load_scenario("counterfactuals/endogenous_war_italy_lna")
    open_war = load_scenario("counterfactuals/endogenous_war")
    held, free = (execute(s, params=None, replicates=5, seed=2) for s in (lna, open_war))
    start = month_step(lna, "2019-01")
    np.testing.assert_array_equal(held.support_array[:start], free.support_array[:start])
    ita, fi = lna.state_ids.index("ITA"), lna.faction_ids.index("LNA")
    expected = np.zeros(len(lna.factions))
    expected[fi] = 1.0
    assert (held.support_array[start:, :, ita] == expected).all()
    assert (held.tilt_array[start:, :, ita] == 1.0).all()


def test_support_to_a_faction_not_yet_on_stage_is_zero_until_it_can_be_backed(write_variant):
    path = write_variant(lambda raw: raw.update(fixed_support={
        "TUR": {"support": {"LATE": 0.5, "GNA": 0.5}, "source": "test"}}))
    scenario = load_scenario(path)
    run = execute(scenario, params=None, replicates=2, seed=0)
    tur, late = scenario.state_ids.index("TUR"), scenario.faction_ids.index("LATE")
    gna = scenario.faction_ids.index("GNA")
    on_stage = [month_step(scenario, m) for m in ("2016-05", "2016-11")]
    assert (run.support_array[:on_stage[0], :, tur, late] == 0).all()
    assert (run.support_array[on_stage[0]:on_stage[1] + 1, :, tur, late] == 0.5).all()
    assert (run.support_array[-1, :, tur, late] == 0).all()  # it left the stage in 2016-12
    assert (run.support_array[:, :, tur, gna] == 0.5).all()


@pytest.mark.parametrize(("entry", "words"), [
    ({"XYZ": {"support": {}, "source": "t"}}, "fixed_support.XYZ: unknown state 'XYZ'"),
    ({"FRA": {"support": {"NOBODY": 1}, "source": "t"}}, "fixed_support.FRA.support: unknown faction"),
    ({"FRA": {"support": {"ISIS": 0.5}, "source": "t"}}, "unknown faction that states may back 'ISIS'"),
    ({"FRA": {"support": {"GNA": 0.7, "LNA": 0.6}, "source": "t"}}, "sums to 1.300; at most 1"),
    ({"FRA": {"support": {"GNA": 1.5}, "source": "t"}}, "support.GNA: is 1.5; allowed range"),
    ({"FRA": {"support": {}, "from": "2019-01", "source": "t"}}, "is outside the scenario's period"),
    ({"FRA": {"support": {}}}, "fixed_support.FRA.source: is missing"),
    ({"FRA": {"support": [], "source": "t"}}, "a mapping faction -> share"),
    ({"FRA": {"support": {}, "until": "2016-05", "source": "t"}}, "until: unknown key"),
    (["FRA"], "fixed_support: is ['FRA']; a mapping of state id"),
])
def test_a_bad_hold_is_one_clear_error(write_variant, entry, words):
    path = write_variant(lambda raw: raw.update(fixed_support=entry))
    with pytest.raises(ScenarioError, match=None) as caught:
        load_scenario(path)
    assert words in str(caught.value)


def test_a_title_is_one_line_and_not_inherited(write_variant, tmp_path):
    bad = write_variant(lambda raw: raw.update(title="two\nlines"))
    with pytest.raises(ScenarioError, match="a short title on one line"):
        load_scenario(bad)
    base = write_variant(lambda raw: raw.update(title="The toy"))
    (tmp_path / "child.yaml").write_text(f"extends: {base.stem}\nname: child\n", encoding="utf-8")
    assert load_scenario(base).title == "The toy"
    assert load_scenario(tmp_path / "child.yaml").title == "child"


# ------------------------------------------------------------------------- loading by folder


def test_a_subfolder_scenario_extends_one_in_the_scenarios_folder(tmp_path):
    (tmp_path / "base.yaml").write_text((ROOT / "tests" / "data" / "mini.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    (tmp_path / "variants").mkdir()
    (tmp_path / "variants" / "child.yaml").write_text("extends: base\nname: child\n", encoding="utf-8")
    (tmp_path / "variants" / "grandchild.yaml").write_text("extends: child\nname: grandchild\n",
                                                           encoding="utf-8")
    assert load_scenario("variants/grandchild", tmp_path).name == "grandchild"
    assert scenario_names(tmp_path) == ["base", "variants/child", "variants/grandchild"]
    # a file given by its path outside the scenarios folder looks beside itself only
    with pytest.raises(ScenarioError, match="unknown scenario 'base'"):
        load_scenario(tmp_path / "variants" / "child.yaml")
    with pytest.raises(ScenarioError, match="variants/child"):
        load_scenario("variants/nothing", tmp_path)


# ------------------------------------------------------------------------- the war responds


def _lna_odds(name: str, replicates: int, **overrides) -> tuple[float, float]:
    """The mean chance that the LNA's camp beats the GNA's at the end of 2019-03, and the share of
    replicates in which the LNA holds Tripoli in 2019-08."""
    scenario = load_scenario(f"counterfactuals/{name}")
    params = {**calibrated_params(), **overrides}
    model = AlignmentModel(scenario, params, replicates=replicates, seed=0, record="tilt")
    for _ in range(month_step(scenario, "2019-04")):
        model.step()
    index = model.war.faction_index
    chance = float(model.war.win_probability(index["LNA"], index["GNA"]).mean())
    model.run()
    tripoli = scenario.asset_ids.index("TRIPOLI")
    return chance, float((model.control_history[-1, :, tripoli] == index["LNA"]).mean())


def test_italys_backing_moves_the_odds_of_the_war_for_tripoli():
    """The contest counts foreign support: an Italy backing the LNA raises its chance of taking
    Tripoli, an Italy backing the GNA lowers it (calibrated parameters; the LNA is the heavy
    favourite, so the shift is small)."""
    gna, free, lna = (_lna_odds(n, 200) for n in ("endogenous_war_italy_gna", "endogenous_war",
                                                  "endogenous_war_italy_lna"))
    assert gna[0] < free[0] < lna[0]
    assert gna[1] <= free[1] <= lna[1] and gna[1] < lna[1]
    assert 0.9 < free[1] < 1.0  # the outcome is drawn, not fixed: some replicates go the other way


def test_in_a_closer_contest_italys_backing_moves_the_outcome_by_points():
    gna, lna = (_lna_odds(n, 400, camp_cohesion=0.5)
                for n in ("endogenous_war_italy_gna", "endogenous_war_italy_lna"))
    assert lna[0] - gna[0] > 0.05 and lna[1] - gna[1] > 0.05


def test_the_summary_reports_the_open_offensives_and_who_holds_what():
    scenario = load_scenario("counterfactuals/endogenous_war")
    result = execute(scenario, params=None, replicates=50, seed=0)
    fought = open_offensives(result, scenario)
    assert [f["id"] for f in fought] == OPEN_2019
    tripoli = next(f for f in fought if f["id"] == "lna_tripoli_offensive")
    share = result.control_array[month_step(scenario, "2019-04"), :,
                                 scenario.asset_ids.index("TRIPOLI")]
    assert tripoli["attacker_holds_after"] == pytest.approx(
        (share == scenario.faction_ids.index("LNA")).mean())
    summary = summarise(result, focus_state="ITA", turning_level=-0.5, scenario=scenario)
    assert summary["title"] == "Endogenous war from 2019-04" and summary["open_offensives"] == fought
    assert sum(summary["final_control_share"]["TRIPOLI"].values()) == pytest.approx(1.0)
    held = output_held(result, scenario)
    assert sum(held.values()) == pytest.approx(sum(a.output_share for a in scenario.assets))
    history = load_scenario(HISTORY)
    plain = summarise(execute(history, params=None, replicates=2, seed=0), focus_state="ITA",
                      turning_level=-0.5, scenario=history)
    assert "open_offensives" not in plain and plain["title"] == history.title


# ------------------------------------------------------------------------- comparisons


def _fake_job(folder: Path, scenario: str, title: str | None, level: float) -> None:
    folder.mkdir(parents=True)
    rows = [(d, r, s) for d in ("2016-01", "2016-02") for r in range(3) for s in ("ITA", "FRA")]
    tilt = pd.DataFrame(rows, columns=["date", "replicate", "state"]).assign(tilt=level)
    tilt.to_parquet(folder / "tilt.parquet", index=False)
    config = {"scenario": scenario, "replicates": 3, "seed": 0, "focus_state": "ITA"}
    (folder / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    if title is not None:
        (folder / "summary.json").write_text(json.dumps({"title": title}), encoding="utf-8")


def test_a_scenario_comparison_is_labelled_by_title_and_tabled_for_every_state(tmp_path, monkeypatch):
    import sim.callbacks as callbacks

    seen = {}
    monkeypatch.setattr(callbacks, "plot_overlay",
                        lambda bands, state, *args, **kw: seen.setdefault("labels", list(bands)) and None)
    monkeypatch.setattr(callbacks, "save_figure", lambda figure, path: path)
    _fake_job(tmp_path / "0", HISTORY, "History", 0.1)
    _fake_job(tmp_path / "1", "counterfactuals/france_neutral", "France neutral", 0.3)
    overlay(tmp_path, swept=["scenario"])
    assert seen["labels"] == ["History", "France neutral"]
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table.columns) == ["run", "scenario", "title", "state", "date", "mean", "median",
                                   "q05", "q95"]
    assert set(table["title"]) == {"History", "France neutral"}
    assert set(table["state"]) == {"ITA", "FRA"} and len(table) == 2 * 2 * 2
    assert table.loc[table["title"] == "France neutral", "median"].eq(0.3).all()


def test_runs_of_one_scenario_write_no_comparison(tmp_path, monkeypatch):
    import sim.callbacks as callbacks

    monkeypatch.setattr(callbacks, "plot_overlay", lambda bands, state, *args, **kw: None)
    monkeypatch.setattr(callbacks, "save_figure", lambda figure, path: path)
    _fake_job(tmp_path / "0", HISTORY, "History", 0.1)
    _fake_job(tmp_path / "1", HISTORY, "History", 0.2)
    overlay(tmp_path)
    assert not (tmp_path / "comparison.csv").exists()


def test_a_multirun_over_the_library_compares_by_title(tmp_path):
    sweep = tmp_path / "sweep"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.run", "-m",
         "scenario=counterfactuals/endogenous_war,counterfactuals/france_neutral", "replicates=4",
         "progress=false", f"hydra.sweep.dir={sweep}"],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (sweep / "overlay_ITA.png").exists()
    table = pd.read_csv(sweep / "comparison.csv")
    assert set(table["title"]) == {"Endogenous war from 2019-04", "France neutral"}
    assert table["state"].nunique() == 8
    summary = json.loads((sweep / "0" / "summary.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in summary["open_offensives"]] == OPEN_2019
