"""scripts/posterior_forecast_figure.py: one panel per posterior forecast output, drawn from the
output's monthly band, and a clear refusal of an output without one."""

from __future__ import annotations

import json
import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np

from sim.dates import month_labels, parse_month
from sim.targets import load_targets
from tests.conftest import ROOT, load_script


def output(until: str) -> dict:
    dates = month_labels(parse_month("2014-01"), parse_month("2019-08"))
    mean = np.linspace(-0.9, 0.1, len(dates))
    return {"until": until, "rmse_of_mean": 0.2, "persistence_rmse": 0.5, "share_of_draws_meeting_rise": 0.5,
            "draws": 400,
            "mode": {"rmse": 0.3, "monthly": (mean - 0.1).tolist()},
            "monthly": {"dates": dates, "mean": mean.tolist(), "q05": (mean - 0.2).tolist(),
                        "q95": (mean + 0.2).tolist()}}


def test_one_panel_per_origin(tmp_path):
    figure = load_script("posterior_forecast_figure")
    out = tmp_path / "fig.png"
    titles = figure.draw([output("2017-12"), output("2018-06"), output("2018-12")], load_targets("italy_tilt"),
                         out)
    assert titles == [f"from {until}: the rise met in 200 of 400 draws" for until in ("2017-12", "2018-06", "2018-12")]
    height, width, _ = mpimg.imread(out).shape
    assert 0.8 * height < width < 1.6 * height  # two panels a row, two rows


def test_an_output_without_a_monthly_band_is_refused(tmp_path):
    old = output("2018-06")
    del old["monthly"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "posterior_forecast_figure.py"),
                          str(tmp_path / "fig.png"), str(path)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert f"{path}: no monthly band; re-summarise with --from-chain" in run.stderr
    assert not (tmp_path / "fig.png").exists()


def test_the_posterior_on_every_point_is_drawn_whole(tmp_path):
    figure = load_script("posterior_forecast_figure")
    every = output("all")
    every["in_sample"] = {"rmse_of_mean": 0.15}
    every["mode"]["in_sample_rmse"] = 0.13
    out = tmp_path / "fig.png"
    assert figure.draw([every], load_targets("italy_tilt"), out) == [
        "every coded point: the rise met in 200 of 400 draws"]
    assert out.stat().st_size > 0
