"""The figure of the posterior forecasts (docs/calibration_studies.md, "What the points before mid-2018 can
tell"): Italy's course forecast from each rolling origin by the whole posterior on the points up to
it, against the refit's mode and the coded points.

One panel per output of ``scripts/posterior_forecast.py --json`` (one origin each): the posterior
mean and its 90 % band from the origin on, the mode's course (the refit up to the origin), the
persistence forecast (the last coded value held) and Italy's coded points, filled up to the origin
and hollow after it. An output of ``--until all`` (the posterior on every coded point) is drawn
whole, against the committed fit.

    python scripts/posterior_forecast_figure.py docs/figures/posterior_forecast.png a.json b.json c.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sim.plotting.style import TARGET_COLOUR, format_time_axis, months
from sim.targets import load_targets

POSTERIOR_COLOUR = "#332288"
MODE_COLOUR = "#CC6677"


def draw(outputs: list[dict], targets, out: Path) -> list[str]:
    """Write one panel per posterior forecast output to ``out`` (PNG), two panels a row, and return
    the panels' titles.

    Args:
        outputs: ``scripts/posterior_forecast.py`` outputs, each with its monthly band.
        targets: Italy's coded points (date, tilt, sigma).
        out: the PNG written.
    """
    columns = min(2, len(outputs))
    rows = -(-len(outputs) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6.4 * columns, 4.4 * rows), sharey=True, squeeze=False)
    titles = []
    for ax, output in zip(axes.flat, outputs, strict=False):
        until = output["until"]
        every_point = until == "all"  # the posterior on every coded point: nothing forecast
        monthly = output["monthly"]
        dates = np.array(monthly["dates"])
        after = np.ones(len(dates), bool) if every_point else dates >= until
        x = months(dates)
        ax.fill_between(x[after], np.array(monthly["q05"])[after], np.array(monthly["q95"])[after],
                        color=POSTERIOR_COLOUR, alpha=0.18, linewidth=0, label="posterior, 90 % band")
        if every_point:
            ax.plot(x, monthly["mean"], color=POSTERIOR_COLOUR, linewidth=2,
                    label=f"posterior mean: RMSE {output['in_sample']['rmse_of_mean']:.3f}")
            ax.plot(x, output["mode"]["monthly"], color=MODE_COLOUR, linewidth=1.3, linestyle="--",
                    label=f"committed fit: RMSE {output['mode']['in_sample_rmse']:.3f}")
            fitted = np.ones(len(targets), bool)
        else:
            ax.plot(x[after], np.array(monthly["mean"])[after], color=POSTERIOR_COLOUR, linewidth=2,
                    label=f"posterior mean: RMSE {output['rmse_of_mean']:.3f}")
            ax.plot(x, output["mode"]["monthly"], color=MODE_COLOUR, linewidth=1.3, linestyle="--",
                    label=f"mode (refit up to {until}): RMSE {output['mode']['rmse']:.3f}")
            fitted = targets["date"].to_numpy() <= until
            last = targets["tilt"].to_numpy()[fitted][-1]
            ax.plot(x[after], np.full(after.sum(), last), color="grey", linewidth=1, linestyle=":",
                    label=f"persistence: RMSE {output['persistence_rmse']:.3f}")
            ax.axvline(months([until])[0], color="grey", linewidth=0.8)
        for mask, face, label in ((fitted, TARGET_COLOUR, "coded, fitted"),
                                  (~fitted, "white", "coded, forecast")):
            ax.errorbar(months(targets["date"][mask]), targets["tilt"][mask], yerr=targets["sigma"][mask],
                        fmt="o", color=TARGET_COLOUR, markerfacecolor=face, markersize=4.5, capsize=2,
                        linewidth=0.8, label=label)
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.set_ylim(-1.05, 1.05)
        where = "every coded point" if every_point else f"from {until}"
        meeting = round(output["share_of_draws_meeting_rise"] * output["draws"])
        titles.append(f"{where}: the rise met in {meeting} of {output['draws']} draws")
        ax.set_title(titles[-1], fontsize=10)
        format_time_axis(ax)
        ax.legend(fontsize=7, loc="upper left")
    for ax in axes.flat[len(outputs):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("Italy's tilt  (−1 GNA … +1 LNA)")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130)
    plt.close(fig)
    return titles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("outputs", nargs="+", type=Path, help="posterior_forecast.py --json outputs")
    parser.add_argument("--targets", default="italy_tilt",
                        help="Italy's coded points (scenarios/targets/NAME.csv)")
    args = parser.parse_args()
    outputs = [json.loads(path.read_text()) for path in args.outputs]
    missing = [str(p) for p, o in zip(args.outputs, outputs, strict=True) if "monthly" not in o]
    if missing:
        parser.error(f"{', '.join(missing)}: no monthly band; re-summarise with --from-chain")
    draw(outputs, load_targets(args.targets), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
