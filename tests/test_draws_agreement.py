"""scripts/draws_agreement.py: two draws tables of one posterior agree; a shifted one does not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("draws_agreement")


def table(rng: np.random.Generator, shift: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame({"inertia": rng.normal(0.95, 0.02, 400), "scale.security": rng.normal(5 + shift, 1, 400)})


def test_draws_of_one_distribution_agree(script):
    rng = np.random.default_rng(0)
    out = script.agreement(table(rng), table(rng))
    assert out["worst"]["median_gap_in_sd"] < 0.2
    assert out["worst"]["ks_p_value"] > out["worst"]["bonferroni_threshold"]
    assert out["worst"]["under_bonferroni"] == 0


def test_a_shifted_parameter_is_found(script):
    rng = np.random.default_rng(0)
    out = script.agreement(table(rng), table(rng, shift=0.5))
    shifted = out["parameters"]["scale.security"]
    assert shifted["median_gap_in_sd"] > 0.3
    assert shifted["ks_p_value"] < 1e-4
    assert out["parameters"]["inertia"]["ks_p_value"] > 0.01
    assert out["worst"]["under_bonferroni"] == 1


def test_the_table_is_read_past_its_header_lines(script, tmp_path):
    path = tmp_path / "draws.csv"
    path.write_text("# 2 draws\n# of a posterior\ninertia,scale.oil\n0.9,1.0\n0.95,2.0\n")
    assert script.read_draws(path).to_dict("list") == {"inertia": [0.9, 0.95], "scale.oil": [1.0, 2.0]}


def test_tables_of_other_parameters_are_refused(script):
    with pytest.raises(ValueError, match="columns differ"):
        script.agreement(pd.DataFrame({"inertia": [1.0]}), pd.DataFrame({"scale.oil": [1.0]}))
