"""scripts/params_index.py: configs/params/README.md lists every parameter set under the study that
made it, and stays up to date."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, load_script, recorded

params_index = load_script("params_index")


def test_the_committed_index_is_up_to_date_and_lists_every_set_once():
    text = params_index.index()
    assert params_index.INDEX.read_text(encoding="utf-8") == text, \
        "configs/params/README.md is stale: run PYTHONPATH=. python scripts/params_index.py"
    listed = re.findall(r"`([a-z0-9_]+)`(?: \(|,|:|$)", text, flags=re.MULTILINE)
    names = sorted(p.stem for p in (ROOT / "configs" / "params").glob("*.yaml"))
    assert sorted(listed) == names
    assert params_index.main(["--check"]) == 0


def test_each_set_sits_under_the_study_its_header_names_with_the_rmse_it_records():
    text = params_index.index()
    line_of = {m.group(1): line for line in text.splitlines()
               for m in re.finditer(r"`([a-z0-9_]+)`", line)}
    assert "a-calibration-that-holds-the-draws-measured-not-adopted" in line_of["holds_all_q05"]
    assert "the-campaigns-by-their-stages" in line_of["stages_old25"]
    assert "every-candidate-against-issue-8s-criteria" in line_of["draws_w01_1806"]
    assert f"`calibrated` ({recorded('calibrated')['rmse']:.3f})" in text
    assert f"`record_corner` ({recorded('record_corner')['rmse']:.3f})" in text
    assert "`draws_w01`," in text  # a search's header records no 200-replicate RMSE: none shown


def write_sets(folder, headers: dict[str, str]) -> None:
    folder.mkdir()
    for name in params_index.REFERENCE_SETS:
        (folder / f"{name}.yaml").write_text("# reference\n# recorded_rmse: 0.25\ndefaults: []\n")
    for name, head in headers.items():
        (folder / f"{name}.yaml").write_text(f"# {head}\ndefaults: []\n")


def test_a_set_naming_no_study_is_one_clear_error(tmp_path):
    page = tmp_path / "studies.md"
    page.write_text("# Studies\n\n## Oil given weight: measured\n\n```\n## not a heading\n```\n")
    write_sets(tmp_path / "params", {"oil_x": 'Study record (docs, "Oil given weight")',
                                     "stray": "made by hand"})
    with pytest.raises(ValueError, match=r"stray\.yaml name no section of studies\.md"):
        params_index.index(tmp_path / "params", page)
    (tmp_path / "params" / "stray.yaml").unlink()
    text = params_index.index(tmp_path / "params", page)
    assert "[Oil given weight: measured](../../docs/calibration_studies.md#oil-given-weight-measured): `oil_x`" \
        in text
    assert "`calibrated` (0.250)" in text
