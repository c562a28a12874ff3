"""Every relative link of the documentation leads somewhere: the file exists and, for a link to a
section, the section's heading is on that page (GitHub's anchors). The calibration's report is
spread over four pages (docs/calibration.md, calibration_held.md, calibration_k0.md,
calibration_studies.md) that
link into each other's sections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "scenarios").rglob("*.md"),
                *(ROOT / "configs").rglob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every section anchor of a Markdown page (a repeated heading gets -1, -2, ... as on GitHub),
    headings inside fenced code left out."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        heading = None if in_code else re.match(r"#{1,6} (.*)$", line)
        if heading:
            anchor = github_anchor(heading.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def test_the_anchor_rule_matches_github_on_the_calibration_pages_headings():
    assert github_anchor("The calibration before anticipation (k = 0): its report") == (
        "the-calibration-before-anticipation-k--0-its-report")
    assert github_anchor("Issue 8's criteria: where they stand") == "issue-8s-criteria-where-they-stand"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for link in LINK.findall(page.read_text(encoding="utf-8")):
        if link.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = link.partition("#")
        target = (page.parent / path) if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{link}: no such section in {target.name}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_table_has_its_header_row(page):
    """A Markdown table's delimiter row (|---|---:|) follows its header row: without one it does not
    render as a table (the page split of 2026-12-04 dropped two)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    headless = [number + 1 for number, line in enumerate(lines)
                if re.fullmatch(r"\|(\s*:?-+:?\s*\|)+\s*", line) and (number == 0 or not lines[number - 1].startswith("|"))]
    assert not headless, f"{page.relative_to(ROOT)}: delimiter rows without a header row at lines {headless}"


def test_the_studies_index_lists_every_study_in_order():
    """docs/calibration_studies.md opens with a numbered list of its studies, the order they were
    made, which the other pages cite by number ("study 27"): it names every `## ` section once, in
    the page's order (study 38 was once left out of it)."""
    page = ROOT / "docs" / "calibration_studies.md"
    text = page.read_text(encoding="utf-8")
    indexed = re.findall(r"^(\d+)\. \[[^\]]+\]\(#([^)]+)\)$", text, flags=re.MULTILINE)
    sections = [github_anchor(heading) for heading in re.findall(r"^## (.*)$", text, flags=re.MULTILINE)]
    assert [int(number) for number, _ in indexed] == list(range(1, len(indexed) + 1))
    assert [anchor for _, anchor in indexed] == sections
