"""Carrying a posterior's draws to a neighbouring model by importance sampling
(``scripts/posterior_reweight.py``)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tests.conftest import ROOT, load_script

reweight = load_script("posterior_reweight")
COMMITTED_DRAWS = ROOT / "configs" / "posterior_draws" / "calibrated.csv"


def normal_log_density(x, mean, sd):
    return -0.5 * ((x - mean) / sd) ** 2 - np.log(sd)


def test_weights_carry_a_normal_sample_to_a_shifted_normal():
    x = np.random.default_rng(0).normal(size=4000)
    weights, k_hat, ess = reweight.psis(normal_log_density(x, 0.5, 1.0) - normal_log_density(x, 0.0, 1.0))
    assert np.sum(weights * x) == pytest.approx(0.5, abs=0.06)
    assert reweight.weighted_median(x, weights) == pytest.approx(0.5, abs=0.08)
    assert k_hat < 0.7
    assert 0.5 * len(x) < ess < len(x)


def test_a_target_far_in_the_tail_is_flagged_unreliable():
    x = np.random.default_rng(1).normal(size=1000)
    _, k_hat, ess = reweight.psis(normal_log_density(x, 3.0, 0.3) - normal_log_density(x, 0.0, 1.0))
    assert k_hat >= 0.7
    assert ess < 50


def test_the_table_written_reads_back(tmp_path):
    names, rows, _ = reweight.read_draws(COMMITTED_DRAWS)
    path = tmp_path / "t.csv"
    path.write_text(reweight.table_text(names, rows[:5], ["line one", "line two"]))
    again, back, lines = reweight.read_draws(path)
    assert again == names and lines == ["line one", "line two"]
    np.testing.assert_array_equal(back, rows[:5])


def test_the_command_resamples_the_draws_and_never_overwrites(tmp_path, monkeypatch, capsys):
    names, rows, _ = reweight.read_draws(COMMITTED_DRAWS)
    few = tmp_path / "few.csv"
    few.write_text(reweight.table_text(names, rows[:24], ["24 committed draws"]))
    out = tmp_path / "out.csv"
    argv = ["posterior_reweight.py", str(few), "--from", "params.anticipation=0", "--to",
            "params.anticipation=1", "--draws", "30", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    reweight.main()
    again, drawn, header = reweight.read_draws(out)
    assert again == names and drawn.shape == (30, len(names))
    assert {tuple(r) for r in drawn} <= {tuple(r) for r in rows[:24]}
    assert "k-hat" in header[0] and header[-1] == "  24 committed draws"
    assert "k-hat" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        reweight.main()
    argv[argv.index("--to") + 1] = "params.anticipation=0"
    argv[-1] = str(tmp_path / "same.csv")
    with pytest.raises(SystemExit):
        reweight.main()
