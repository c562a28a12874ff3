"""The benchmark script runs end to end at tiny sizes and writes every figure (no timing assertions)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "run_benchmarks.py"
FIGURES = ("single_run_ms", "runs_per_s_R1000", "runs_per_s_R10000", "batch_run_runs_per_s",
           "speedup_vs_batch_run", "peak_rss_mb_R10000", "attribution_6_groups_200_replicates_s")


@pytest.mark.slow
def test_quick_benchmark_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    for key in FIGURES:
        value = figures[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), key
        assert math.isfinite(value) and value > 0, (key, value)
        assert key in proc.stdout  # one printed line per figure
    machine = figures["machine"]
    for key in ("cpu", "cores", "python", "numpy", "mesa"):
        assert machine[key], key
    assert figures["settings"]["quick"] is True
