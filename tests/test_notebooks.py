"""Every notebook under notebooks/ executes without error, and its figures render inline."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_shows_its_figures(path, tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # as a user's Jupyter has it
    notebook = nbformat.read(path, as_version=4)
    ExecutePreprocessor(timeout=300, kernel_name="python3").preprocess(
        notebook, {"metadata": {"path": str(tmp_path)}}
    )
    # a cell that ends on a plot function's figure, or on a figure it drew, shows it
    plotting_cells = [cell for cell in notebook.cells if cell.cell_type == "code"
                      and (cell.source.strip().splitlines()[-1].startswith("plot_")
                           or cell.source.strip().endswith("figure"))]
    assert len(plotting_cells) >= 1
    for cell in plotting_cells:
        shown = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        assert shown, f"no figure rendered inline for: {cell.source.strip().splitlines()[-1]}"
