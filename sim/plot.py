"""``python -m sim.plot``: redraw saved results, or compare several, without running the model.

    python -m sim.plot results/run/<time>                 # every figure of a run, again
    python -m sim.plot results/run/<time> state=FRA       # ... with France drawn alone
    python -m sim.plot A B C                              # runs compared (labelled by what differs)
    python -m sim.plot results/multirun/run/<time>        # a multirun's jobs compared
    python -m sim.plot results/sweep/<time>               # a sweep's figures, again
    python -m sim.plot results/calibrate/<time>           # fit.png, again
    python -m sim.plot A B out=my_figures                 # into a folder of your choice

Figures go to a new folder, ``results/plot/<time>_<token>/`` by default, with ``config.yaml``
saying what was drawn from what; a comparison also writes ``comparison.csv``. An existing folder is
never written into.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import yaml

from sim.errors import InputError
from sim.output import BAD_INPUT, check_fresh, check_writable_parent, claimed, failure_message, run_token
from sim.plotting import save_figure
from sim.replot import (
    compare,
    open_folder,
    replot_calibration,
    replot_run,
    replot_sweep,
    runs_of,
)

log = logging.getLogger(__name__)

#: The options ``key=value`` the command takes, with their meaning.
OPTIONS = {
    "state": "the state drawn alone (a state id such as FRA; default: each run's focus state)",
    "out": "the folder to write (must not exist; default: results/plot/<time>_<token>)",
}


def parse_arguments(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Folders and ``key=value`` options.

    Raises:
        InputError: an unknown option, or no folder.
    """
    folders, options = [], {}
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and "/" not in key and not Path(arg).exists():
            if key not in OPTIONS:
                raise InputError("command line", key, f"is not an option; options: "
                                 f"{', '.join(f'{k}= ({v})' for k, v in OPTIONS.items())}")
            options[key] = value
        else:
            folders.append(arg)
    if not folders:
        raise InputError("command line", "folders", "none given; usage: python -m sim.plot FOLDER "
                         "[FOLDER ...] [state=ID] [out=DIR]")
    return folders, options


def default_out() -> Path:
    return Path("results") / "plot" / f"{dt.datetime.now():%Y-%m-%d_%H-%M-%S}_{run_token()}"


def plot_command(argv: list[str]) -> tuple[int, str, Path | None]:
    """Everything the command does: the exit code, the message of a failure, the folder written."""
    out = None
    try:
        names, options = parse_arguments(argv)
        out = Path(options["out"]).expanduser() if options.get("out") else default_out()
        check_writable_parent(out)
        check_fresh(out)
        folders = [open_folder(name) for name in names]
        state = options.get("state") or None
        with claimed(out) as staging:
            written = draw(folders, state, staging)
            asked = {"folders": [str(f.path) for f in folders],
                     "kinds": [f.kind for f in folders], "state": state, "written": written}
            (staging / "config.yaml").write_text(yaml.safe_dump(asked, sort_keys=False), encoding="utf-8")
        return 0, "", out
    except BAD_INPUT as exc:  # the shared message names Hydra's setting; this command's is out=
        message = failure_message(exc, out or Path("results/plot"))
        return 2, message.replace("another hydra.run.dir", "another out= folder"), None


def draw(folders, state: str | None, out: Path) -> list[str]:
    """Draw into ``out``; return the names of the files written."""
    single = len(folders) == 1
    if single and folders[0].kind == "sweep":
        if state:
            raise InputError(str(folders[0].path), "state", "a sweep's figures are of its own "
                             "focus state; leave state out")
        return [p.name for p in replot_sweep(folders[0], out)]
    if single and folders[0].kind == "calibration":
        figures = replot_calibration(folders[0], state)
    elif single and folders[0].kind == "run":
        figures = replot_run(folders[0], state)
    else:
        if any(f.kind in ("sweep", "calibration") for f in folders):
            raise InputError("command line", "folders", "only runs and multiruns can be compared; "
                             "give a sweep or a calibration folder alone")
        runs = [run for folder in folders for run in runs_of(folder)]
        comparison = compare(runs, state)
        comparison.table.to_csv(out / "comparison.csv", index=False)
        figures = comparison.figures
        for path, label in comparison.labels.items():
            log.info("%s: %s", label, path)
    for name, figure in figures.items():
        save_figure(figure, out / name, dpi=110 if name.startswith("all_states") else 130)
    return sorted(p.name for p in out.iterdir())


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    code, message, out = plot_command(sys.argv[1:] if argv is None else argv)
    if code:
        print(message, file=sys.stderr)
        sys.exit(code)
    log.info("figures written to %s", out)


if __name__ == "__main__":
    main()
