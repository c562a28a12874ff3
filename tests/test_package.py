"""The package as users get it: a light `import sim`, no backend forced, and a wheel that carries
its configs and scenarios so that `python -m sim.run` works from any directory."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT

HEAVY = ("hydra", "omegaconf", "pandas", "scipy", "matplotlib", "mesa")


def _python(code: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          **kwargs)


def test_import_sim_loads_no_heavy_package():
    proc = _python("import json, sys, sim; "
                   f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_public_names_load_on_first_use():
    proc = _python("import sim; m = sim.AlignmentModel(replicates=2, seed=0).run(); "
                   "print(m.world.name, m.steps)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["libya_2014_2019", "68"]


def test_no_module_chooses_the_matplotlib_backend():
    modules = ["sim.plotting", "sim.run", "sim.calibrate", "sim.callbacks", "sim.summary"]
    code = ("import matplotlib, importlib; "
            f"[importlib.import_module(m) for m in {modules!r}]; print(matplotlib.get_backend())")
    proc = _python(code, env={"MPLBACKEND": "svg", "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "svg"


@pytest.mark.slow
def test_a_built_wheel_runs_the_quick_start_from_another_directory(tmp_path):
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "installed", tmp_path / "elsewhere"
    elsewhere.mkdir()
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT),
                            "-w", str(wheels)], capture_output=True, text=True, timeout=600,
                           cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("sim/configs/config.yaml", "sim/configs/params/calibrated.yaml",
                    "sim/configs/hydra/project.yaml", "sim/scenarios/libya_2014_2019.yaml",
                    "sim/scenarios/targets/italy_tilt.csv", "sim/configs/posterior_draws/calibrated.csv"):
        assert shipped in names, shipped
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                              str(target), str(wheel)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    env = {"PYTHONPATH": str(target), "MPLBACKEND": "Agg", "PATH": ""}
    where = subprocess.run([sys.executable, "-c", "import sim; print(sim.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, timeout=60)
    assert where.stdout.strip().startswith(str(target)), where.stdout + where.stderr
    out = elsewhere / "out"
    run = subprocess.run([sys.executable, "-m", "sim.run", "replicates=3", f"hydra.run.dir={out}"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert {"tilt.parquet", "italy_tilt.png", "config.yaml"} <= {p.name for p in out.iterdir()}
    draws = subprocess.run([sys.executable, "-c", "from sim.posterior import load_posterior; "
                            "print(load_posterior('calibrated').size)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=60)
    assert draws.stdout.strip() == "400", draws.stdout + draws.stderr
