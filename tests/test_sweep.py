"""The sweep app (python -m sim.sweep): designs, analysis against known indices, resume, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.sweep as app
from sim.config import CONFIG_DIR, compose_config, plain
from sim.errors import InputError
from sim.scenario import load_scenario
from sim.scenario.estimates import estimate_kind
from sim.sweeps.analysis import sensitivity
from sim.sweeps.design import Dimension, make_design, parse_dimensions
from sim.sweeps.evaluate import ModelEvaluator, run_chunks
from sim.sweeps.outcomes import parse_outcomes

ROOT = Path(__file__).resolve().parents[1]
NAMED = sorted(p.stem for p in (CONFIG_DIR / "sweep").glob("*.yaml"))


@pytest.fixture(scope="module")
def libya():
    return load_scenario("libya_2014_2019")


def settings_of(*overrides: str) -> dict:
    return plain(compose_config(list(overrides), config_name="sweep"))


def ishigami(points: pd.DataFrame, a: float = 7.0, b: float = 0.1) -> pd.DataFrame:
    x1, x2, x3 = (points[f"x{i}"].to_numpy() for i in (1, 2, 3))
    y = np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)
    return pd.DataFrame({"point": points["point"].to_numpy(), "statistic": "ensemble", "state": "", "y": y})


def test_sobol_indices_of_ishigami_match_the_analytic_values():
    """The design, chunked evaluation and analysis the app uses, on a function with known indices."""
    dims = [Dimension(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)]
    design = make_design(dims, "sobol", n=2048, seed=1)
    table = run_chunks(design, ishigami, points_per_chunk=5000, progress=False)
    found = sensitivity("sobol", design, table, dims, ["y"], seed=0)["y"]
    assert [found[f"x{i}"]["S1"] for i in (1, 2, 3)] == pytest.approx([0.314, 0.442, 0.0], abs=0.04)
    assert [found[f"x{i}"]["ST"] for i in (1, 2, 3)] == pytest.approx([0.558, 0.442, 0.244], abs=0.04)


def test_morris_elementary_effects_of_a_linear_function():
    dims = [Dimension("a", 0.0, 1.0), Dimension("b", 0.0, 1.0)]
    design = make_design(dims, "morris", n=20, seed=0)

    def linear(points):
        return pd.DataFrame({"point": points["point"], "statistic": "ensemble", "state": "",
                             "y": 3 * points["a"] + 0 * points["b"]})

    found = sensitivity("morris", design, run_chunks(design, linear, points_per_chunk=7, progress=False),
                        dims, ["y"], seed=0)["y"]
    assert found["a"]["mu_star"] == pytest.approx(3.0)
    assert found["a"]["sigma"] == pytest.approx(0.0, abs=1e-9)
    assert found["b"]["mu_star"] == pytest.approx(0.0)


def test_grid_is_every_combination_and_seed_values_stay_integers():
    dims = [Dimension("inertia", 0.2, 0.8, levels=4), Dimension("seed", values=(0.0, 5.0))]
    design = make_design(dims, "grid", n=0, seed=0)
    assert len(design) == 8 and list(design.columns) == ["point", "inertia", "seed"]
    assert design["seed"].dtype == np.int64 and set(design["seed"]) == {0, 5}


@pytest.mark.parametrize("name", NAMED)
def test_every_named_sweep_composes_and_validates(name, libya):
    sw = settings_of(f"sweep={name}")["sweep"]
    dims = parse_dimensions(sw["dimensions"], libya.state_ids, estimates=libya.estimates)
    parse_outcomes(sw["outcomes"], libya)
    design = make_design(dims, sw["design"], n=sw["n"], seed=sw["design_seed"])
    assert len(design) >= 1


@pytest.mark.parametrize(("entries", "message"), [
    ([{"name": "inertia_typo", "low": 0.1, "high": 0.5}], "unknown parameter"),
    ([{"name": "inertia", "low": 0.5, "high": 0.5}], "must be below high"),
    ([{"name": "scale.nothing", "low": 0.5, "high": 1}], "unknown interest"),
    ([{"name": "XYZ.oil", "low": 0.5, "high": 1}], "unknown"),
    ([{"name": "inertia", "low": 0.1, "high": 5.0}], "documented bounds"),
    ([{"name": "seed", "values": [0.5]}], "non-negative integers"),
    ([], "is empty"),
])
def test_bad_dimensions_are_refused(entries, message, libya):
    with pytest.raises(InputError, match=message):
        parse_dimensions(entries, libya.state_ids)


def test_an_estimate_dimension_names_one_within_its_range(libya):
    estimate = libya.estimates[0]
    dims = parse_dimensions([{"name": f"estimates.{estimate.path}", "low": estimate.low, "high": estimate.high}],
                            libya.state_ids, estimates=libya.estimates)
    assert dims[0].is_estimate and dims[0].path == estimate.path
    with pytest.raises(InputError, match="not an estimate"):
        parse_dimensions([{"name": "estimates.factions.NOBODY.strength", "low": 0, "high": 1}],
                         libya.state_ids, estimates=libya.estimates)
    with pytest.raises(InputError, match="plausible range"):
        parse_dimensions([{"name": f"estimates.{estimate.path}", "low": estimate.low, "high": estimate.high + 1}],
                         libya.state_ids, estimates=libya.estimates)


def test_grouped_sobol_indices_of_an_additive_function_are_its_groups_shares():
    """y = x1 + x2 + 2 x3 on [0, 1]: the group {x1, x2} holds 2/6 of the variance, x3 4/6, and
    with nothing but main effects each group's total index equals its first-order index."""
    dims = [Dimension("x1", 0.0, 1.0, group="pair"), Dimension("x2", 0.0, 1.0, group="pair"),
            Dimension("x3", 0.0, 1.0)]
    design = make_design(dims, "sobol", n=1024, seed=0)
    assert len(design) == 1024 * (2 * 2 + 2)  # two groups, not three dimensions

    def additive(points):
        return pd.DataFrame({"point": points["point"], "statistic": "ensemble", "state": "",
                             "y": points["x1"] + points["x2"] + 2 * points["x3"]})

    found = sensitivity("sobol", design, run_chunks(design, additive, points_per_chunk=4096, progress=False),
                        dims, ["y"], seed=0)["y"]
    assert list(found) == ["pair", "x3"]
    assert [found["pair"]["S1"], found["x3"]["S1"]] == pytest.approx([1 / 3, 2 / 3], abs=0.03)
    assert [found["pair"]["ST"], found["x3"]["ST"]] == pytest.approx([1 / 3, 2 / 3], abs=0.03)


def test_every_estimate_entry_adds_the_unnamed_estimates_grouped_by_kind(libya):
    named = "factions.SHURA_COUNCILS.extremist"
    estimate = next(e for e in libya.estimates if e.path == named)
    dims = parse_dimensions([{"name": "inertia", "low": 0.5, "high": 0.9},
                             {"name": f"estimates.{named}", "low": estimate.low, "high": estimate.high},
                             {"name": "estimates.*"}], libya.state_ids, estimates=libya.estimates)
    added = {d.path: d for d in dims if d.is_estimate and d.group is not None}
    assert len(dims) == 1 + len(libya.estimates)
    assert set(added) == {e.path for e in libya.estimates} - {named}
    for e in libya.estimates:
        if e.path != named:
            assert added[e.path].bounds == (e.low, e.high)
    assert added["assets.DERNA.haven"].group == "assets.haven"
    assert added["events.lna_takes_derna.losses.LNA"].group == "events.losses"
    assert added["relations.ITA-USA.value"].group == "relations.value"
    assert added["series.oil_output.2018-06.value"].group == "series.oil_output"
    assert dims[0].group is None and dims[1].group is None  # named entries stand alone
    sw = {"dimensions": [{"name": "inertia"}, {"name": "estimates.*"}], "scatter_dimensions": None}
    assert app.scatter_dimensions(sw, [d.name for d in dims]) == ["inertia"]
    assert app.scatter_dimensions({**sw, "scatter_dimensions": ["estimates.assets.DERNA.haven"]},
                                  [d.name for d in dims]) == ["estimates.assets.DERNA.haven"]


@pytest.mark.parametrize(("entries", "message"), [
    ([{"name": "estimates.*", "low": 0.0}], r"estimates\.\*\): takes no other key"),
    ([{"name": "estimates.*"}, {"name": "estimates.*"}], r"\[1\] \(estimates\.\*\): is given twice"),
    ([{"name": "inertia", "low": 0.5, "high": 0.9, "group": ""}], "group must be a non-empty name"),
    ([{"name": "inertia", "low": 0.5, "high": 0.9},
      {"name": "rationality", "low": 0.2, "high": 0.5, "group": "inertia"}], "also the name of a dimension"),
])
def test_bad_groups_are_refused(entries, message, libya):
    with pytest.raises(InputError, match=message):
        dims = parse_dimensions(entries, libya.state_ids, estimates=libya.estimates)
        make_design(dims, "sobol", n=8, seed=0)


def test_estimate_and_seed_dimensions_run_one_model_per_variant(libya):
    """A point at the estimate's own value and seed 0 gives what a sweep without those dimensions gives."""
    estimate = next(e for e in libya.estimates if e.low < e.value)
    settings = settings_of("sweep=smoke")
    outcomes = parse_outcomes(settings["sweep"]["outcomes"], libya)
    varied = parse_dimensions([{"name": "inertia", "values": [0.5, 0.9]}, {"name": "seed", "values": [0, 3]},
                               {"name": f"estimates.{estimate.path}", "values": [estimate.low, estimate.value]}],
                              libya.state_ids, estimates=libya.estimates)
    design = make_design(varied, "grid", n=0, seed=0)
    table = ModelEvaluator(libya, settings["params"], varied, outcomes, replicates=2, seed=0)(design)
    assert list(table["point"].unique()) == list(design["point"])
    plain_dims = varied[:1]
    plain_table = ModelEvaluator(libya, settings["params"], plain_dims, outcomes, replicates=2, seed=0)(
        make_design(plain_dims, "grid", n=0, seed=0))
    same = design[(design["seed"] == 0) & (design[varied[2].name] == estimate.value)]
    for (_, row), expected_point in zip(same.iterrows(), (0, 1), strict=True):
        got = table[table["point"] == row["point"]].drop(columns="point").reset_index(drop=True)
        want = plain_table[plain_table["point"] == expected_point].drop(columns="point").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want)
    assert not table.drop(columns="point").duplicated().all()


def test_unknown_design_and_bad_outcomes_are_refused(libya):
    dims = [Dimension("inertia", 0.1, 0.5)]
    with pytest.raises(InputError, match="unknown design"):
        make_design(dims, "factorial", n=4, seed=0)
    with pytest.raises(InputError, match="power of 2"):
        make_design(dims, "sobol", n=6, seed=0)
    with pytest.raises(InputError, match="outside the scenario"):
        parse_outcomes([{"name": "late", "kind": "tilt_at", "month": "2030-01"}], libya)
    with pytest.raises(InputError, match="unknown kind"):
        parse_outcomes([{"name": "x", "kind": "median"}], libya)


def test_outcomes_of_the_model_agree_with_the_ensemble(libya):
    """ensemble rows are the outcomes of the mean trajectory; the turning month is a month number."""
    settings = settings_of("sweep=smoke")
    sw = settings["sweep"]
    dims = parse_dimensions(sw["dimensions"], libya.state_ids)
    outcomes = parse_outcomes(sw["outcomes"], libya)
    design = make_design(dims, "grid", n=0, seed=0).iloc[[2, 8]]
    table = ModelEvaluator(libya, settings["params"], dims, outcomes, replicates=3, seed=0)(design)
    ita = table[(table["state"] == "ITA") & (table["statistic"] == "ensemble")].set_index("point")
    assert list(ita.index) == [2, 8]
    assert ita["rise"].between(-2, 2).all() and (ita["rmse"] > 0).all()
    turning = ita["turning_month"].dropna()
    assert turning.between(libya.start, libya.end).all()
    censored = parse_outcomes([{"name": "t", "kind": "turning_month", "level": -2.0, "censor": True,
                                "states": ["ITA"]}], libya)  # a tilt never at or below -2: never turns
    never = ModelEvaluator(libya, settings["params"], dims, censored, replicates=2, seed=0)(design)
    assert (never["t"][never["statistic"] == "ensemble"] == libya.end + 1).all()
    fra = table[table["state"] == "FRA"]
    assert fra["rise"].isna().all() and fra["tilt_2019_08"].notna().all()


def test_resume_after_an_interruption_gives_identical_tables(tmp_path, monkeypatch):
    settings = settings_of("sweep=smoke", "sweep.memory_budget_mb=0.001", "sweep.plots=false",
                           "sweep.progress=false")  # one point per chunk: 9 chunks
    whole = tmp_path / "whole"
    whole.mkdir()
    app.sweep(settings, tmp_path / "a", whole)

    calls = {"n": 0}
    original = ModelEvaluator.__call__

    def stopping(self, points):
        calls["n"] += 1
        if calls["n"] > 4:
            raise KeyboardInterrupt
        return original(self, points)

    monkeypatch.setattr(ModelEvaluator, "__call__", stopping)
    stopped = tmp_path / "stopped"
    stopped.mkdir()
    with pytest.raises(KeyboardInterrupt):
        app.sweep(settings, tmp_path / "b", stopped)
    checkpoints = tmp_path / ".checkpoints" / "b"
    assert len(list(checkpoints.glob("chunk_*.parquet"))) == 4
    monkeypatch.setattr(ModelEvaluator, "__call__", original)

    with pytest.raises(InputError, match="already holds"):  # not silently restarted
        app.sweep(settings, tmp_path / "b", stopped)
    other = settings_of("sweep=smoke", "sweep.memory_budget_mb=0.001", "sweep.replicates=5",
                        "sweep.resume=true")
    with pytest.raises(InputError, match="other settings"):
        app.sweep(other, tmp_path / "b", stopped)
    resumed = settings_of("sweep=smoke", "sweep.memory_budget_mb=0.001", "sweep.plots=false",
                          "sweep.progress=false", "sweep.resume=true")
    app.sweep(resumed, tmp_path / "b", stopped)
    for name in ("design.parquet", "outcomes.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(whole / name), pd.read_parquet(stopped / name))


def test_an_unknown_cluster_is_refused():
    from sim.sweeps.cluster import check_cluster

    with pytest.raises(InputError, match="unknown cluster"):
        check_cluster("udp://somewhere:1")
    check_cluster("tcp://127.0.0.1:8786")


@pytest.mark.slow
def test_a_local_cluster_reached_by_its_address_gives_the_same_tables(tmp_path):
    from distributed import LocalCluster

    overrides = ("sweep=smoke", "sweep.memory_budget_mb=0.002", "sweep.plots=false", "sweep.progress=false")
    here = tmp_path / "here"
    here.mkdir()
    app.sweep(settings_of(*overrides), tmp_path / "a", here)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        there = tmp_path / "there"
        there.mkdir()
        app.sweep(settings_of(*overrides, f"sweep.cluster={cluster.scheduler_address}"), tmp_path / "b", there)
    for name in ("design.parquet", "outcomes.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(here / name), pd.read_parquet(there / name))


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.sweep", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_smoke_sweep_writes_every_output(tmp_path):
    out = tmp_path / "run"
    done = _run("sweep=smoke", f"hydra.run.dir={out}", "sweep.progress=false", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} == {"config.yaml", "design.parquet", "outcomes.parquet",
                                              "sweep.json", "outcomes.png", "heatmap.png"}
    design = pd.read_parquet(out / "design.parquet")
    assert list(design.columns) == ["point", "inertia", "scale.security"] and len(design) == 9
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert list(outcomes.columns[:3]) == ["point", "statistic", "state"]
    assert {"tilt_2019_08", "mean_2018_06_2019_08", "turning_month", "rise", "rmse"} <= set(outcomes.columns)
    assert set(outcomes["statistic"]) == {"ensemble", "std"} and set(outcomes["point"]) == set(range(9))
    summary = json.loads((out / "sweep.json").read_text())
    assert summary["replicate_runs"] == 36
    assert not (tmp_path / ".checkpoints" / "run").exists()  # removed once published


@pytest.mark.slow
def test_morris_sweep_writes_sensitivity(tmp_path):
    out = tmp_path / "run"
    done = _run("sweep=smoke", "sweep.design=morris", "sweep.n=3", "sweep.replicates=2",
                f"hydra.run.dir={out}", "sweep.progress=false", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "sensitivity.json").read_text())
    assert set(report["rise[ITA]"]) == {"inertia", "scale.security"}
    assert set(report["rise[ITA]"]["inertia"]) == {"mu_star", "mu_star_conf", "sigma"}
    assert (out / "indices.png").exists()


@pytest.mark.slow
def test_a_grouped_sweep_over_every_estimate_reports_each_group(tmp_path, libya):
    """Through the app: a morris design over one parameter and ``estimates.*`` judges the parameter
    and each kind of estimate once, keeps a design column per estimate, and draws the named
    parameter alone in outcomes.png."""
    out = tmp_path / "run"
    done = _run("sweep=smoke", "sweep.design=morris", "sweep.n=2", "sweep.replicates=2",
                "sweep.dimensions=[{name: inertia, low: 0.5, high: 0.9}, {name: estimates.*}]",
                f"hydra.run.dir={out}", "sweep.progress=false", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    kinds = {estimate_kind(e.path) for e in libya.estimates}
    report = json.loads((out / "sensitivity.json").read_text())
    assert set(report["rise[ITA]"]) == {"inertia"} | kinds
    design = pd.read_parquet(out / "design.parquet")
    assert len(design.columns) == 2 + len(libya.estimates) and len(design) == 2 * (len(kinds) + 2)
    assert (out / "indices.png").exists() and (out / "outcomes.png").exists()


@pytest.mark.slow
@pytest.mark.parametrize(("override", "message"), [
    ("sweep.dimensions=[{name: inertiaa, low: 0.1, high: 0.5}]", "unknown parameter"),
    ("sweep.dimensions=[{name: inertia, low: 0.5, high: 0.2}]", "must be below high"),
    ("sweep.design=factorial", "unknown design"),
])
def test_bad_settings_exit_2_with_one_line_and_no_folder(tmp_path, override, message):
    out = tmp_path / "run"
    done = _run("sweep=smoke", override, f"hydra.run.dir={out}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not out.exists() and not (tmp_path / ".checkpoints" / "run").exists()


@pytest.mark.slow
def test_a_sweep_stopped_by_sigterm_resumes_to_identical_tables(tmp_path):
    """The command line: SIGTERM after a few chunks, then ``sweep.resume=true`` on the same folder,
    ends with the tables of an uninterrupted sweep."""
    import signal
    import subprocess
    import sys
    import time

    import pandas as pd

    from tests.conftest import ROOT

    settings = ["sweep=italy_sobol", "sweep.n=32", "sweep.replicates=2", "sweep.memory_budget_mb=2",
                "sweep.progress=false"]
    whole = tmp_path / "whole"
    done = subprocess.run([sys.executable, "-m", "sim.sweep", *settings, f"hydra.run.dir={whole}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    stopped = tmp_path / "stopped"
    chunks = tmp_path / ".checkpoints" / "stopped"
    proc = subprocess.Popen([sys.executable, "-m", "sim.sweep", *settings, f"hydra.run.dir={stopped}"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(1200):
        if len(list(chunks.glob("chunk_*.parquet"))) >= 3 or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep ended before it could be stopped: make it longer"
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    assert proc.returncode != 0 and not stopped.exists()
    finished_before = len(list(chunks.glob("chunk_*.parquet")))
    assert finished_before >= 3
    resumed = subprocess.run([sys.executable, "-m", "sim.sweep", *settings, f"hydra.run.dir={stopped}",
                              "sweep.resume=true"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    for name in ("design.parquet", "outcomes.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(whole / name), pd.read_parquet(stopped / name))
    assert (whole / "sensitivity.json").read_text() == (stopped / "sensitivity.json").read_text()


def test_a_turning_month_searched_from_a_month_ignores_an_earlier_dip():
    import numpy as np

    from sim.sweeps.outcomes import Outcome

    tilt = np.array([0.0, -0.8, 0.0, -0.9, -0.9, -0.2, 0.1])  # a dip at 1, back at 2; the turn at 5
    anywhere = Outcome("t", "turning_month", ("ITA",), level=-0.5, start=100)
    later = Outcome("t", "turning_month", ("ITA",), level=-0.5, start=100, after=3)
    assert anywhere.measure(tilt) == 102
    assert later.measure(tilt) == 105
    never = Outcome("t", "turning_month", ("ITA",), level=-0.5, start=100, after=6, censor=True)
    assert never.measure(tilt) == 107  # censored: the month after the end


def test_the_sobol_box_is_centred_on_the_committed_calibration():
    """configs/sweep/italy_sobol.yaml ranges each fitted parameter +-30 % around its value in
    configs/params/calibrated.yaml, cut to the calibration's search range: a recalibration that
    leaves the box behind fails here."""
    import yaml

    box = {d["name"]: d for d in yaml.safe_load((CONFIG_DIR / "sweep" / "italy_sobol.yaml").read_text())["dimensions"]}
    calibrated = yaml.safe_load((CONFIG_DIR / "params" / "calibrated.yaml").read_text())
    free = yaml.safe_load((CONFIG_DIR / "calibrate" / "default.yaml").read_text())["free"]
    assert sorted(box) == sorted(f["name"] for f in free)
    for f in free:
        name = f["name"]
        value = calibrated["interest_scales"][name[6:]] if name.startswith("scale.") else calibrated[name]
        low, high = sorted((0.7 * value, 1.3 * value))
        expected = (max(low, f["low"]), min(high, f["high"]))
        assert (box[name]["low"], box[name]["high"]) == pytest.approx(expected, rel=1e-3), name


@pytest.mark.parametrize(("chosen", "message"), [
    (["scale.security", "inertia"], r"sweep\.scatter_dimensions\[1\]: is 'inertia'; each entry once, one of"),
    (["scale.security", "scale.security"], r"sweep\.scatter_dimensions\[1\]: is 'scale\.security'"),
    ([], r"sweep\.scatter_dimensions: is empty"),
])
def test_the_scatter_draws_chosen_dimensions_and_refuses_others(chosen, message):
    sw = {"dimensions": [{"name": "scale.security"}, {"name": "rationality"}], "scatter_dimensions": None}
    assert app.scatter_dimensions(sw) == ["scale.security", "rationality"]
    assert app.scatter_dimensions({**sw, "scatter_dimensions": ["rationality"]}) == ["rationality"]
    with pytest.raises(InputError, match=message):
        app.scatter_dimensions({**sw, "scatter_dimensions": chosen})


def test_the_estimates_sweep_judges_every_estimate_once(libya):
    """configs/sweep/estimates_sobol.yaml: every estimate of the history is a dimension, once, over
    its plausible range; the six named ones stand alone and the rest are grouped by kind."""
    sw = settings_of("sweep=estimates_sobol")["sweep"]
    dims = parse_dimensions(sw["dimensions"], libya.state_ids, estimates=libya.estimates)
    ranges = {e.path: (e.low, e.high) for e in libya.estimates}
    assert sorted(d.path for d in dims) == sorted(ranges)
    assert all(d.bounds == ranges[d.path] for d in dims)
    assert sum(d.group is None for d in dims) == 6
    assert len(make_design(dims, "sobol", n=sw["n"], seed=0)) == sw["n"] * (2 * 24 + 2)


def test_indices_of_many_groups_lie_sideways_with_every_name():
    from sim.sweeps.plots import MAX_UPRIGHT_BARS, plot_indices

    names = [f"group {i}" for i in range(MAX_UPRIGHT_BARS + 5)]
    report = {key: {n: {"S1": 0.1, "S1_conf": 0.01, "ST": 0.2, "ST_conf": 0.02} for n in names}
              for key in ("rise[ITA]", "tilt[ITA]")}
    figure = plot_indices(report, "sobol")
    first = figure.axes[0]
    assert len(figure.axes) == 2
    assert [t.get_text() for t in first.get_yticklabels()] == names
    assert len(first.patches) == 2 * len(names)  # S1 and ST bars, horizontal
    assert [round(p.get_width(), 6) for p in first.patches] == [0.1] * len(names) + [0.2] * len(names)
