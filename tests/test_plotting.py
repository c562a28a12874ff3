"""Figures: what they mark, that their labels never collide, and that they stay off pyplot."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.plotting import (
    marks_for,
    modal_holders,
    plot_all_states,
    plot_asset_control,
    plot_overlay,
    plot_state_tilt,
    plot_support_shares,
    tilt_band,
)
from sim.plotting.layers import clipped_errors, event_heights, legend_columns
from sim.plotting.marks import human_title, short_name
from sim.scenario import load_scenario
from sim.simulate import execute


@pytest.fixture(scope="module")
def history():
    return load_scenario("libya_2014_2019")


@pytest.fixture(scope="module")
def result(history):
    return execute(history, params=None, replicates=12, seed=0)


def _boxes(fig: Figure, texts: list[Text]):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts if t.get_text() and t.get_visible()]


def _overlapping(boxes) -> list[tuple[int, int]]:
    return [(i, j) for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2) if a.overlaps(b)]


def test_marks_name_the_scenario_and_the_months_before_the_gna(history):
    marks = marks_for(history)
    assert marks.title == "Libya 2014–2019"
    assert marks.state("ITA") == "Italy" and marks.state("USA") == "United States"
    assert (marks.before.start, marks.before.end) == ("2014-01", "2015-12")
    assert "GNC" in marks.before.text
    assert [d for d, _ in marks.events] == sorted(d for d, _ in marks.events)
    assert marks.sides["LNA"] == "plus" and marks.sides["GNA"] == "minus" and marks.sides["ISIS"] == ""


def test_titles_and_names_are_readable():
    class Named:
        name, title = "libya_2014_2019_no_military", ""
    assert human_title(Named) == "Libya 2014–2019, no military"
    assert short_name("Libyan National Army (Haftar)") == "Libyan National Army"
    assert short_name("Zuwara, Zawiya and Janzour coast") == "Zuwara, Zawiya and Janzour coast"
    assert short_name("Mellitah complex, Greenstream gas pipeline") == "Mellitah complex"


def test_close_events_get_different_heights():
    heights = event_heights(["2016-09", "2016-12", "2017-02", "2018-06"])
    assert heights[0] != heights[1] and heights[1] != heights[2]
    assert heights[3] == heights[0]  # far from the others: back at the top


def test_error_bars_never_leave_the_tilt_range():
    targets = pd.DataFrame({"tilt": [-0.8, 0.9, 0.0], "sigma": [0.25, 0.3, 0.2]})
    low, high = clipped_errors(targets)
    y = targets["tilt"].to_numpy()
    assert np.all(y - low >= -1.0) and np.all(y + high <= 1.0)
    assert low[2] == high[2] == 0.2


def test_the_state_figure_numbers_events_that_never_collide(result, history):
    open_before = pyplot.get_fignums()
    targets = pd.DataFrame({"date": ["2016-06", "2019-08"], "tilt": [-0.9, 0.2], "sigma": [0.3, 0.3]})
    fig = plot_state_tilt(result.tilt, "ITA", targets=targets, marks=marks_for(history))
    assert isinstance(fig, Figure)
    main, key = fig.axes
    assert main.get_title().startswith("Italy's tilt") and "libya_2014_2019" not in main.get_title()
    numbers = [t for t in main.texts if t.get_text().isdigit()]
    assert [t.get_text() for t in numbers] == [str(i + 1) for i in range(len(history_events(history)))]
    assert _overlapping(_boxes(fig, numbers)) == []
    assert _overlapping(_boxes(fig, key.texts)) == []
    labels = [t.get_text() for t in key.get_legend().get_texts()]
    assert any("coded from the source article, ±σ" in label for label in labels)
    assert not any("mean" in label for label in labels)
    assert any("before the GNA" in label for label in labels)
    assert pyplot.get_fignums() == open_before  # drawn off pyplot


def history_events(history):
    return [e for e in history.events if e.label]


def test_every_state_panel_is_named(result, history):
    fig = plot_all_states(result.tilt, marks=marks_for(history))
    titles = {ax.get_title() for ax in fig.axes}
    assert {"Italy", "France", "Turkey", "United Arab Emirates", "United States"} <= titles


def test_support_shares_and_what_is_held_back_fill_the_unit(result, history):
    fig = plot_support_shares(result.alignment, "ITA", marks=marks_for(history))
    ax = fig.axes[0]
    assert ax.get_ylim() == (0.0, 1.0)
    rows = result.alignment[result.alignment["state"] == "ITA"]
    total = rows.groupby("date", observed=True)["support"].sum() / rows["replicate"].nunique()
    assert float(total.max()) <= 1.0 + 1e-6
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert labels[0].startswith("held back") and any(label.startswith("GNA") for label in labels)


def test_modal_holders_count_replicates():
    control = pd.DataFrame({"date": ["2019-08"] * 4, "replicate": [0, 1, 2, 3], "asset": ["TRIPOLI"] * 4,
                            "controller": ["GNA", "GNA", "GNA", "LNA"]})
    modal = modal_holders(control)
    assert modal.iloc[0]["controller"] == "GNA" and modal.iloc[0]["share"] == 0.75


def test_asset_control_has_one_row_per_asset(result, history):
    fig = plot_asset_control(result.control, marks=marks_for(history),
                             assets=[a.id for a in history.assets])
    ax = fig.axes[0]
    assert ax.get_yticklabels()[0].get_text() == "Oil Crescent export terminals"
    assert len(ax.get_yticks()) == len(history.assets)
    inside = [t.get_text() for t in ax.texts if not t.get_text().isdigit()]
    assert "LNA" in inside and "GNA" in inside


def test_overlay_labels_each_run(result, history):
    bands = {"inertia=0.5": tilt_band(result.tilt, "ITA"), "inertia=0.9": tilt_band(result.tilt, "ITA")}
    fig = plot_overlay(bands, "ITA", marks=marks_for(history))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["inertia=0.5", "inertia=0.9"]
    assert fig.axes[0].get_title().startswith("Italy")


def test_long_run_labels_stay_inside_the_overlay(result, history):
    band = tilt_band(result.tilt, "ITA")
    long = {f"2026-12-02_02-17-{i:02d}_9730{i}a4b: params.state_weights.FRA.oil=None, posterior=None, "
            f"replicates={200 * (i + 1)}, scenario=libya_2014_2019": band for i in range(5)}
    fig = plot_overlay(long, "ITA", marks=marks_for(history))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    legend = fig.axes[0].get_legend()
    box, width = legend.get_window_extent(canvas.get_renderer()), fig.bbox.width
    assert box.x0 >= 0 and box.x1 <= width, f"the legend spans {box.x0:.0f}..{box.x1:.0f} of 0..{width:.0f}"
    shown = [t.get_text() for t in legend.get_texts()][:5]
    assert [text.replace("\n", " ") for text in shown] == list(long)  # wrapped, not cut


def test_a_long_scenario_title_is_wrapped_inside_the_figure(result, history):
    """The study scenarios' titles run past the figure's width: the title wraps instead of
    losing its end at the edge."""
    from dataclasses import replace

    title = "History, the Shura councils' extremism coded from the UN list, the Islamic State counted"
    fig = plot_state_tilt(result.tilt, "ITA", marks=replace(marks_for(history), title=title))
    main = fig.axes[0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box, width = main.title.get_window_extent(canvas.get_renderer()), fig.bbox.width
    assert box.x0 >= 0 and box.x1 <= width, f"the title spans {box.x0:.0f}..{box.x1:.0f} of 0..{width:.0f}"
    assert main.get_title().replace("\n", " ") == f"Italy's tilt between Sarraj (GNA) and Haftar (LNA) — {title}"


def test_legend_columns_keep_short_labels_whole_and_wrap_long_ones():
    assert legend_columns(["inertia=0.5", "inertia=0.9"], width=11, fontsize=8) == (3, ["inertia=0.5", "inertia=0.9"])
    ncol, wrapped = legend_columns(["x" * 150, "y"], width=11, fontsize=8)
    assert ncol == 2 and max(len(line) for line in wrapped[0].split("\n")) < 150


@pytest.mark.parametrize("events", [1, 8, 16])
def test_the_legend_and_the_events_key_never_overlap(result, history, events):
    from dataclasses import replace

    marks = marks_for(history)
    many = tuple((f"{2014 + i // 12}-{i % 12 + 1:02d}", f"event number {i + 1}") for i in range(0, 4 * events, 4))
    fig = plot_state_tilt(result.tilt, "ITA", marks=replace(marks, events=many[:events]))
    key = fig.axes[1]
    boxes = _boxes(fig, key.texts)
    legend = key.get_legend().get_window_extent(FigureCanvasAgg(fig).get_renderer())
    assert len(boxes) == events
    assert not any(box.overlaps(legend) for box in boxes)
    assert _overlapping(boxes) == []


def test_the_fit_figure_speaks_of_forecasts_only_when_it_has_them(result, history):
    """`calibrate=quick` makes no rolling-origin refits: its residual panel has no squares to key."""
    from sim.plotting import plot_fit

    targets = pd.DataFrame({"date": ["2016-06", "2019-08"], "tilt": [-0.9, 0.15], "sigma": [0.3, 0.25]})
    report = {"fit": {"rmse": 0.1}}
    title = plot_fit(result.tilt, "ITA", targets, report=report, marks=marks_for(history)).axes[1].get_title()
    assert "forecast" not in title
    forecast = {"until": "2018-06", "rmse": 0.5, "persistence_rmse": 0.6, "trend_rmse": 0.7,
                "forecast": [{"date": "2019-08", "target": 0.15, "model": -0.5}]}
    with_forecast = plot_fit(result.tilt, "ITA", targets, report=report | {"out_of_sample": [forecast]},
                             marks=marks_for(history))
    assert "squares: forecasts" in with_forecast.axes[1].get_title()
