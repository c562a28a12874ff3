"""The figure of the study "A calibration that holds the draws" (docs/calibration_studies.md): Italy's
course under the set that meets the in-sample, draws and leave-one-out criteria together
(``holds_all_q05``), under the committed calibration, and under the same procedure run from the
2018-06 and 2018-12 origins (drawn solid up to the origin, dashed after it: the forecast), with the
coded points. Ensembles of 200 replicates, seed 0 (as ``scripts/feasibility_study.py --fit-of``).

    python scripts/holds_draws_figure.py docs/figures/holds_draws.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from feasibility_study import fit_of
from italy_alone_figure import italy_course_axes, save

from sim.calibrate import build_calibrator, calibration_settings
from sim.plotting.style import months

#: Each set drawn: its label, its origin (None: fitted on every point) and its colour (Paul Tol's
#: "bright" scheme, distinct for colour-blind readers).
SETS = {
    "calibrated": ("committed calibration", None, "#4477AA"),
    "holds_all_q05": ("the draws and the captures held (holds_all_q05)", None, "#EE6677"),
    "holds_draws_1806": ("the same procedure from 2018-06 (holds_draws_1806)", "2018-06", "#228833"),
    "holds_draws_1812": ("the same procedure from 2018-12 (holds_draws_1812)", "2018-12", "#AA3377"),
}


def courses(replicates: int = 200) -> tuple[dict, object]:
    """Each set's fit (`feasibility_study.fit_of`, on ``calibrate=record_returns``, whose free
    parameters every set gives) and the calibrator (for the coded points).

    Args:
        replicates: replicates of each ensemble (seed 0).
    """
    settings, base = calibration_settings(["calibrate=record_returns"])
    calibrator = build_calibrator(settings, base)
    return {name: fit_of(name, calibrator, settings, replicates=replicates) for name in SETS}, calibrator


def draw(fits: dict, calibrator, out: Path) -> None:
    """Write the figure to ``out`` (PNG) from `courses`' results."""
    fig, ax = plt.subplots(figsize=(10.5, 5.2))
    for name, (label, origin, colour) in SETS.items():
        dates = list(fits[name]["by_month"])
        tilt = np.array(list(fits[name]["by_month"].values()))
        x = months(dates)
        rmse = fits[name]["italy"]["rmse"]
        if origin is None:
            ax.plot(x, tilt, color=colour, linewidth=1.9, label=f"{label}: Italy's RMSE {rmse:.3f}")
            continue
        cut = dates.index(origin) + 1
        ax.plot(x[:cut], tilt[:cut], color=colour, linewidth=1.9, label=f"{label}: fitted up to {origin}")
        ax.plot(x[cut - 1:], tilt[cut - 1:], color=colour, linewidth=1.9, linestyle="--",
                label=f"… forecast after {origin}")
        ax.axvline(x[cut - 1], color=colour, linewidth=0.8, linestyle=":")
    title = "Holding the draws: the rise is met on the whole record and not forecast from the origins"
    italy_course_axes(ax, calibrator.targets, title)
    save(fig, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--replicates", type=int, default=200)
    args = parser.parse_args()
    fits, calibrator = courses(args.replicates)
    draw(fits, calibrator, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
