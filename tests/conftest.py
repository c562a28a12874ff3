"""Shared fixtures: the toy scenario, a way to write broken variants of it, and the study
scripts of ``scripts/`` as modules."""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from hypothesis import settings

if TYPE_CHECKING:
    import numpy as np

# On CI, the property tests draw the same examples on every run (a red CI is then always
# reproducible); on a developer's machine they keep exploring new ones. Set HYPOTHESIS_PROFILE=ci
# to replay CI's draws locally.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.yaml"
ROOT = Path(__file__).resolve().parents[1]
#: lenient shape checks on the mini scenario's year, as command-line overrides of sim.robustness
MINI_CHECKS = ["checks.low_from=2016-02", "checks.low_to=2016-05", "checks.rise_from=2016-06",
               "checks.rise_to=2016-12", "checks.low_at_most=0.0", "checks.rise_at_least=-1",
               "checks.final_at_most=1",
               # France's documented side over the mini scenario's year, in place of the history's
               "sides=[{state: FRA, sign: 1, from: 2016-02, to: 2016-12, source: test}]"]


def recorded(name: str) -> dict[str, float]:
    """The ``# recorded_KEY: VALUE`` lines of ``configs/params/NAME.yaml``'s header (the RMSE a
    calibration measured, with the replicates and seed it measured it on)."""
    import re

    from sim.config import CONFIG_DIR

    text = (CONFIG_DIR / "params" / f"{name}.yaml").read_text(encoding="utf-8")
    return {k: float(v) for k, v in re.findall(r"# recorded_(\w+): ([\d.]+)", text)}


def header_objective(name: str) -> float:
    """The search objective ``configs/params/NAME.yaml``'s header records for its kept fit."""
    import re

    from sim.config import CONFIG_DIR

    text = (CONFIG_DIR / "params" / f"{name}.yaml").read_text(encoding="utf-8")
    return float(re.search(r"objective ([\d.]+)\.", text).group(1))


def header_digest(name: str) -> str:
    """The digest of the settings, base parameters and data that ``configs/params/NAME.yaml``'s
    first line says it was fitted on."""
    import re

    from sim.config import CONFIG_DIR

    text = (CONFIG_DIR / "params" / f"{name}.yaml").read_text(encoding="utf-8")
    return re.search(r"settings and data ([0-9a-f]{16})", text).group(1)


def digest_of(settings: dict, params: dict) -> str:
    """The digest `sim.calibrate` gives the calibration settings ``settings`` (``calibrate``) with the
    base parameters ``params``: the one a parameter set's header records."""
    from sim.calibrate import calibration_fingerprint
    from sim.checkpoint import Checkpoint

    return Checkpoint(Path("x"), calibration_fingerprint(settings, params), started="").digest


def settings_digest(overrides: list[str]) -> str:
    """The digest `sim.calibrate` gives the calibration settings composed with ``overrides``."""
    from sim.calibrate import calibration_settings

    return digest_of(*calibration_settings(overrides))


def record_run(name: str, replicates: int, seed: int, scenario: str = "libya_2014_2019"):
    """The run (tilts recorded) of the parameter set ``configs/params/NAME.yaml`` on
    ``scenarios/SCENARIO.yaml`` (the history by default), ``replicates`` replicates from ``seed``."""
    from sim.config import plain
    from sim.params import read_parameter_set
    from sim.scenario import load_scenario
    from sim.simulate import execute

    return execute(load_scenario(scenario), params=plain(read_parameter_set(name)),
                   replicates=replicates, seed=seed, record="tilt")


def italy_at(name: str, months) -> np.ndarray:
    """Italy's mean tilt at ``months`` (YYYY-MM) with the parameter set ``configs/params/NAME.yaml``
    on the history (200 replicates, seed 0: the records' reporting run)."""
    result = record_run(name, replicates=200, seed=0)
    index = {d: i for i, d in enumerate(result.dates)}
    return result.mean_tilt("ITA")[[index[d] for d in months]]


def italy_rmse(name: str, replicates: int, seed: int, targets: str = "italy_tilt",
               scenario: str = "libya_2014_2019") -> float:
    """Italy's RMSE against its coded points (``scenarios/targets/TARGETS.csv``) with the parameter
    set ``configs/params/NAME.yaml`` on ``scenarios/SCENARIO.yaml`` (the history by default;
    ensemble mean of ``replicates``, ``seed``)."""
    from sim.summary import target_errors
    from sim.targets import load_targets

    result = record_run(name, replicates, seed, scenario)
    return target_errors(result, load_targets(targets), "ITA")["rmse"]


def assert_reproduces_recorded_rmse(name: str, targets: str = "italy_tilt",
                                    scenario: str = "libya_2014_2019") -> None:
    """``configs/params/NAME.yaml`` reproduces the Italy RMSE its header records (to 1e-6), on the
    replicates and seed the header names (`italy_rmse`'s ``targets`` and ``scenario``)."""
    header = recorded(name)
    rmse = italy_rmse(name, int(header["replicates"]), int(header["seed"]), targets=targets, scenario=scenario)
    assert rmse == pytest.approx(header["rmse"], abs=1e-6), name


def states_answers(model, seen, previous):
    """Each state's support answered, state by state (`StateAgent.revalue`, `best_response`), to
    partners' supports ``seen`` (S, F, R) of this month, moving from last month's ``previous``
    (docs/ODD.md 7.7, 7.8): what settling and anticipating are checked against."""
    import numpy as np

    from sim.core.alignment import best_response
    from sim.month import partners_view

    view = partners_view(model.view, model.war.relation, seen)
    answers = np.empty_like(seen)
    for state in model.state_agents:
        rule = state.rule
        inertia = 1.0 if view.month == 0 else rule.inertia
        target = np.zeros_like(seen[state.index])
        target[view.candidates] = best_response(state.revalue(view), rule.rationality,
                                                rule.outside_option)
        answers[state.index] = (1.0 - inertia) * previous[state.index] + inertia * target
    return answers


def load_script(name: str):
    """``scripts/NAME.py`` as a module (the scripts are not part of the package). ``scripts/`` goes
    on ``sys.path``, as when a script is run, so that scripts can import each other; the module is
    registered in ``sys.modules`` before it runs, as an import does (dataclasses look it up)."""
    if str(ROOT / "scripts") not in sys.path:
        sys.path.append(str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module



#: The draws searches' settings (scripts/draws_search.py, docs/calibration_studies.md): 64 joint
#: draws of the estimates (seed 7), 8 replicates per candidate.
SEARCH_DRAWS, SEARCH_DRAW_SEED, SEARCH_REPLICATES = 64, 7, 8


def draws_search_of(settings: dict, base: dict):
    """The calibrator and the draws search (``scripts/draws_search.py``'s `DrawsSearch`, quantile 0.1,
    no RMSE cap, no objective weight) of the calibration ``settings`` and base parameters, on the
    searches' draws and replicates, as the studies' records were made."""
    from sim.calibrate import build_calibrator

    calibrator = build_calibrator({**settings, "replicates": SEARCH_REPLICATES}, base)
    study = load_script("draws_search")
    draws = study.joint_draws(calibrator.scenario, SEARCH_DRAWS, SEARCH_DRAW_SEED)
    return calibrator, study.DrawsSearch(calibrator, settings["checks"], draws, quantile=0.1,
                                         rmse_at_most=None, fit_weight=0.0)


def measured_as_searched(search, calibrator, name: str, **settings) -> dict:
    """`DrawsSearch.measure` of ``configs/params/NAME.yaml`` with the search's ``settings`` as the
    record's header gives them (e.g. ``rmse_at_most=0.12, rmse_weight=10.0``), on a copy of
    ``search`` so that the module's fixture keeps its own."""
    import copy

    from sim.calibrate import set_values

    search = copy.copy(search)
    for key, value in settings.items():
        setattr(search, key, value)
    return search.measure(set_values(calibrator, name)[:, None])


def variant_fixtures(overrides: list[str]):
    """The module-scoped fixtures ``variant``, ``calibrator`` and ``search`` of a study's calibration
    variant (Hydra ``overrides`` of configs/calibration.yaml, e.g. ``["calibrate=returns"]``):
    `draws_search_of` its settings, composed once for the module. A study's test module takes them
    with ``variant, calibrator, search = variant_fixtures([...])``."""

    @pytest.fixture(scope="module")
    def variant():
        from sim.calibrate import calibration_settings

        return draws_search_of(*calibration_settings(overrides))

    @pytest.fixture(scope="module")
    def calibrator(variant):
        return variant[0]

    @pytest.fixture(scope="module")
    def search(variant):
        return variant[1]

    return variant, calibrator, search


def model_histories(model) -> dict:
    """A run model's recorded arrays by name (tilt, control, support, decomposition), for tests
    that compare two runs bit for bit (`assert_same_histories`)."""
    return {"tilt": model.tilt_history, "control": model.control_history,
            "support": model.support_history, "decomposition": model.decomposition_history}


def assert_same_histories(a: dict, b: dict) -> None:
    """Two runs' `model_histories` hold the same arrays, dtypes included."""
    import numpy as np

    for name in a:
        assert a[name].dtype == b[name].dtype, name
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def assert_off_at_zero(scenario_name: str, parameter: str) -> None:
    """Setting ``parameter`` to 0, as a number or one per replicate, on the calibrated parameters
    gives the committed model's arrays bit for bit (a parameter added switched off at 0)."""
    from sim.model import AlignmentModel
    from sim.params import calibrated_params
    from sim.scenario import load_scenario

    scenario = load_scenario(scenario_name)
    base = calibrated_params()
    runs = [AlignmentModel(scenario, params, replicates=4, seed=2, record="full").run()
            for params in (base, {**base, parameter: 0.0}, {**base, parameter: [0.0] * 4})]
    for other in runs[1:]:
        assert_same_histories(model_histories(runs[0]), model_histories(other))

@pytest.fixture(scope="session")
def held_settings():
    """The settings and base parameters of the calibration with commitments held for good
    (`HELD_OVERRIDES`); for the studies measured on it, whose tests only read them."""
    from sim.calibrate import calibration_settings

    return calibration_settings(HELD_OVERRIDES)


@pytest.fixture(scope="session")
def committed_settings():
    """The committed calibration's settings and base parameters (`sim.calibrate.calibration_settings`;
    12 replicates per candidate); for the studies' tests, which only read them."""
    from sim.calibrate import calibration_settings

    return calibration_settings()


#: The settings of the calibration with commitments held for good (configs/params/calibrated_held.yaml,
#: docs/calibration_held.md): the committed ones with the capital's weight fitted and a deployment's
#: commitment weighted 10. Every calibration before it was made with both.
HELD_OVERRIDES = ["calibrate=with_capital", "params.commitment=10"]

#: The settings of an earlier committed calibration (configs/params/calibrated_g100.yaml): 100
#: generations, the USA's 2016-02 point coded against the GNC. The studies of
#: docs/calibration_studies.md were measured under them (docs/calibration.md, "History", third change).
PREVIOUS_OVERRIDES = [*HELD_OVERRIDES, "calibrate.maxiter=100",
                      "calibrate.joint_targets=other_states_tilt_usa_gnc", "params.anticipation=0"]

#: The settings of the calibration before anticipation was adopted (configs/params/calibrated_k0.yaml):
#: the held ones with no anticipation. The studies re-made "on the committed settings" in
#: docs/calibration_studies.md were measured under them.
K0_OVERRIDES = [*HELD_OVERRIDES, "params.anticipation=0"]


@pytest.fixture(scope="session")
def k0_settings():
    """The settings and base parameters of the calibration before anticipation was adopted; for the
    studies' tests, which only read them."""
    from sim.calibrate import calibration_settings

    return calibration_settings(K0_OVERRIDES)


@pytest.fixture(scope="session")
def previous_settings():
    """The previous committed calibration's settings and base parameters, under which the studies
    were measured; for the studies' tests, which only read them."""
    from sim.calibrate import calibration_settings

    return calibration_settings(PREVIOUS_OVERRIDES)


class _NoAliasDumper(yaml.SafeDumper):
    """Writes an object used twice out twice: scenario files may not hold anchors or aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


@pytest.fixture(scope="session")
def mini_raw() -> dict:
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


@pytest.fixture
def write_variant(tmp_path: Path, mini_raw: dict) -> Callable[..., Path]:
    """Write a modified copy of the toy scenario; ``edit`` mutates the dict in place."""

    def write(edit: Callable[[dict], None], name: str = "variant") -> Path:
        data = copy.deepcopy(mini_raw)
        edit(data)
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def mini_scenario():
    from sim.scenario import load_scenario

    return load_scenario(MINI)


def refit_figures(calibrator, name: str, until: str, replicates: int = 200, seed: int = 0) -> dict[str, float]:
    """A rolling-origin refit recorded as the parameter set ``name``, measured as `sim.calibrate`
    reports it: its objective on the points up to ``until``, Italy's RMSE on them and on the later
    points (its forecast), and the RMSE of persistence and of the linear trend on the later points
    (``replicates`` replicates of the model's ``seed``)."""
    from sim.calibrate import naive_forecasts, origin_mask, precise_objectives, report_run, set_values
    from sim.fit import fit_metrics

    mask, cutoff = origin_mask(calibrator, until)
    y = calibrator.targets["tilt"].to_numpy()
    values = set_values(calibrator, name)
    [objective] = precise_objectives(calibrator, [{"x": values}], replicates=replicates, seed=seed, until=cutoff)
    tilt = report_run(calibrator, calibrator.values_as_params(values), replicates=replicates,
                      seed=seed).mean_tilt("ITA")
    baselines = naive_forecasts(calibrator, mask)
    return {"objective": float(objective),
            "in_sample": fit_metrics(tilt[calibrator.steps[mask]], y[mask])["rmse"],
            "forecast": fit_metrics(tilt[calibrator.steps[~mask]], y[~mask])["rmse"],
            "persistence": fit_metrics(baselines["last_value_held"], y[~mask])["rmse"],
            "trend": fit_metrics(baselines["linear_trend"], y[~mask])["rmse"]}


def assert_refit_reproduces(calibrator, name: str, until: str, objective: float, in_sample: float,
                            forecast: float, persistence: float, trend: float) -> dict[str, float]:
    """`refit_figures` of ``name`` from ``until`` are the recorded ones (objective and forecast to
    1e-4, the others to 0.001); returns them."""
    got = refit_figures(calibrator, name, until)
    assert got["objective"] == pytest.approx(objective, abs=1e-4)
    assert got["in_sample"] == pytest.approx(in_sample, abs=0.001)
    assert got["forecast"] == pytest.approx(forecast, abs=1e-4)
    assert {k: got[k] for k in ("persistence", "trend")} == \
        pytest.approx({"persistence": persistence, "trend": trend}, abs=0.001)
    return got
