"""The figure of the study "What Italy's points alone ask" (docs/calibration_studies.md): what fitting
Italy better costs the other states, and Italy's course under the sets that do it.

Left: Italy's RMSE against its 18 coded points, against the other states' RMSE against their 41,
for each parameter set (``configs/params/NAME.yaml``), the issue's 0.12 drawn. Right: Italy's mean
tilt month by month under a few of them, with the coded points. Ensembles of 200 replicates, seed 0
(as ``scripts/feasibility_study.py --fit-of``).

    python scripts/italy_alone_figure.py docs/figures/italy_alone.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from feasibility_study import fit_of

from sim.calibrate import build_calibrator, calibration_settings
from sim.plotting.style import TARGET_COLOUR, format_time_axis, months

#: The study's sets, with their labels, in the order of the table in docs/calibration_studies.md.
SETS = {
    "calibrated": "committed (every point alike)",
    "joint_w03": "W0.3 (others' points at 0.3)",
    "joint_w01": "W0.1 (others' points at 0.1)",
    "bound_b6": "B6 (Italy + sides, strict)",
    "bound_b5": "B5 (Italy + sides, 100)",
    "bound_b3": "B3 (Italy + sides, 10)",
    "bound_b4": "B4 (B3, no prior)",
    "bound_b1": "B1 (Italy alone)",
    "bound_b2": "B2 (Italy alone, no prior)",
}
#: The sets whose course is drawn on the right.
DRAWN = ("calibrated", "joint_w01", "bound_b6", "bound_b2")
ASKED_RMSE = 0.12
#: Paul Tol's "muted" scheme: nine colours distinct for colour-blind readers, one per set.
COLOURS = ("#CC6677", "#332288", "#117733", "#DDCC77", "#88CCEE", "#882255", "#44AA99", "#999933",
           "#AA4499")


def measure(names, replicates: int = 200) -> tuple[dict, dict, object]:
    """Each set's fit (`feasibility_study.fit_of`) and Italy's monthly mean tilt, and the
    calibrator (for the coded points and the dates).

    Args:
        names: parameter sets of ``configs/params/``.
        replicates: replicates of each ensemble (seed 0).
    """
    settings, base = calibration_settings()
    calibrator = build_calibrator(settings, base)
    fits = {name: fit_of(name, calibrator, settings, replicates=replicates) for name in names}
    courses = {name: (list(fit["by_month"]), np.array(list(fit["by_month"].values())))
               for name, fit in fits.items()}
    return fits, courses, calibrator


def draw(fits: dict, courses: dict, calibrator, out: Path) -> None:
    """Write the two panels to ``out`` (PNG) from `measure`'s results."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1, 1.3]})
    for i, (name, fit) in enumerate(fits.items()):
        held = fit["least_share_on_documented_side"] == 1.0
        left.scatter(fit["others_rmse"], fit["italy"]["rmse"], s=60, color=COLOURS[i % len(COLOURS)],
                     marker="o" if held else "X", edgecolor="black", linewidth=0.5, zorder=3,
                     label=f"{SETS.get(name, name)}" + ("" if held else ", a side broken"))
    left.axhline(ASKED_RMSE, color="grey", linestyle="--", linewidth=1, label="Italy's RMSE asked (0.12)")
    left.set_xlabel("other states' RMSE (41 coded points)")
    left.set_ylabel("Italy's RMSE (18 coded points)")
    left.set_title("Fitting Italy better costs the other states")
    left.grid(alpha=0.25)
    left.legend(fontsize=7.5, loc="upper right")

    drawn = [name for name in DRAWN if name in fits]
    colours = {name: COLOURS[list(fits).index(name) % len(COLOURS)] for name in drawn}
    for name in drawn:
        dates, tilt = courses[name]
        right.plot(months(dates), tilt, color=colours[name], linewidth=1.8,
                   label=f"{SETS.get(name, name)}: RMSE {fits[name]['italy']['rmse']:.3f}")
    italy_course_axes(right, calibrator.targets, "Italy's course: ensemble means, 200 replicates")
    save(fig, out)


def italy_course_axes(ax, targets, title: str) -> None:
    """Finish ``ax``, on which Italy's courses are drawn: the coded points ``targets`` (±σ), the
    neutral line, the tilt axis, ``title``, the time axis and the legend."""
    ax.errorbar(months(targets["date"]), targets["tilt"], yerr=targets["sigma"], fmt="o",
                color=TARGET_COLOUR, markersize=4, capsize=2, linewidth=0.8, label="coded (±σ)")
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("Italy's tilt  (−1 GNA … +1 LNA)")
    ax.set_title(title)
    format_time_axis(ax)
    ax.legend(fontsize=8, loc="upper left")


def save(fig, out: Path) -> None:
    """Write ``fig`` to ``out`` (PNG, 130 dpi), making its folder, and close it."""
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--replicates", type=int, default=200)
    args = parser.parse_args()
    fits, courses, calibrator = measure(list(SETS), args.replicates)
    draw(fits, courses, calibrator, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
