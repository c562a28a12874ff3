"""The index of the parameter sets (configs/params/README.md): every set in configs/params/, under
the study of docs/calibration_studies.md that made it, with the RMSE on Italy's points it records.

Each set's header comment names its study by the title of the study's section, in quotes (a study
record, "Study record (docs/calibration_studies.md, "A calibration that holds the limit")..."); the
index files it under the first quoted title that begins a heading of the studies page. The sets
the model runs by default or that a report describes (`calibrated`, `default`, the calibrations
before it) come first. A set whose header names no study is an error, so that no record goes
unexplained.

    PYTHONPATH=. python scripts/params_index.py            # writes configs/params/README.md
    PYTHONPATH=. python scripts/params_index.py --check    # exit 1 if that file is not up to date
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "configs" / "params"
STUDIES = ROOT / "docs" / "calibration_studies.md"
INDEX = PARAMS / "README.md"

#: The sets that are not study records, each with the page that reports it.
REFERENCE_SETS = {
    "calibrated": ("the committed calibration, which every command runs by default",
                   "../../docs/calibration.md"),
    "default": ("the hand-set values before calibration, each parameter's meaning, unit and bounds "
                "in `sim/params.py`", "../../docs/ODD.md"),
    "calibrated_held": ("the calibration before the committed one: commitments held for good",
                        "../../docs/calibration_held.md"),
    "calibrated_k0": ("the calibration before anticipation", "../../docs/calibration_k0.md"),
    "calibrated_g100": ("the committed calibration before it moved to 300 generations and to the "
                        "GNA-coded USA 2016-02 point; most early studies were measured on it",
                        "../../docs/calibration.md#history-the-measures-before-and-after-issue-8s-changes"),
}

HEADING = re.compile(r"^(#{2,3}) (.+)$")
QUOTED = re.compile(r'"([^"]+)"')
RECORDED_RMSE = re.compile(r"^# recorded_rmse: ([0-9.]+)$", re.MULTILINE)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def study_sections(page: Path = STUDIES) -> list[tuple[str, str]]:
    """The studies page's sections and subsections, in page order: (heading, anchor). Headings inside
    fenced code are left out; the page repeats none."""
    sections, in_code = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else HEADING.match(line)
        if match:
            sections.append((match.group(2), github_anchor(match.group(2))))
    return sections


def header(text: str) -> str:
    """A set's leading comment (``text``: the file's), its lines joined with single spaces and the
    '#' marks dropped."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def study_of(text: str, sections: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The section a header names: the first quoted title that begins a section's heading."""
    for title in QUOTED.findall(text):
        for heading, anchor in sections:
            if heading.startswith(title.strip()):
                return heading, anchor
    return None


def recorded_rmse(text: str) -> float | None:
    """The RMSE on Italy's coded points a set's file (``text``) records (200 replicates), if any."""
    match = RECORDED_RMSE.search(text)
    return float(match.group(1)) if match else None


def entry(name: str, text: str) -> str:
    """One set as the index lists it: its name, and the Italy RMSE its file (``text``) records."""
    rmse = recorded_rmse(text)
    return f"`{name}`" + (f" ({rmse:.3f})" if rmse is not None else "")


def index(params: Path = PARAMS, page: Path = STUDIES) -> str:
    """The index's Markdown. Raises ValueError naming every set whose header names no study."""
    sections = study_sections(page)
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(params.glob("*.yaml"))}
    by_study: dict[str, list[str]] = {}
    unexplained = []
    for name, text in texts.items():
        if name in REFERENCE_SETS:
            continue
        found = study_of(header(text), sections)
        if found is None:
            unexplained.append(f"{name}.yaml")
        else:
            by_study.setdefault(found[0], []).append(name)
    if unexplained:
        raise ValueError(f"{params}: {', '.join(unexplained)} name no section of {page.name} in their "
                         f"header; quote a study's title there (or list the set in REFERENCE_SETS)")
    missing = sorted(set(REFERENCE_SETS) - set(texts))
    if missing:
        raise ValueError(f"{params}: no {', '.join(m + '.yaml' for m in missing)} (REFERENCE_SETS)")
    lines = [
        "# Parameter sets",
        "",
        "Every set here runs with `python -m sim.run params=NAME` (and `sim.robustness`, `sim.attribute`,",
        "`sim.sweep`). Each file's header says how it was made and by which command. This index is",
        "written by `PYTHONPATH=. python scripts/params_index.py` from those headers; the tests check",
        "that it is up to date. The figure after a name is the RMSE on Italy's coded points the file",
        "records (200 replicates, seed 0), where it records one.",
        "",
        "## The committed calibration, the hand-set values, and the calibrations before it",
        "",
    ]
    for name, (what, link) in REFERENCE_SETS.items():
        lines.append(f"- {entry(name, texts[name])}: {what} ([report]({link})).")
    lines += ["", "## Study records, by study", "",
              "In the order of [docs/calibration_studies.md](../../docs/calibration_studies.md); "
              "none is the project's calibrated set.", ""]
    for heading, anchor in sections:
        if heading in by_study:
            names = ", ".join(entry(name, texts[name]) for name in by_study[heading])
            lines.append(f"- [{heading}](../../docs/calibration_studies.md#{anchor}): {names}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 if {INDEX.relative_to(ROOT)} differs from what this would write")
    args = parser.parse_args(argv)
    try:
        text = index()
    except ValueError as error:
        print(f"params_index: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = INDEX.read_text(encoding="utf-8") if INDEX.exists() else ""
        if current != text:
            print(f"{INDEX.relative_to(ROOT)} is not up to date: run PYTHONPATH=. python "
                  f"scripts/params_index.py", file=sys.stderr)
            return 1
        return 0
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX.relative_to(ROOT)}: {len(list(PARAMS.glob('*.yaml')))} sets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
