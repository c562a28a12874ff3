"""Months as integers: the model's clock.

A month is stored as ``year * 12 + (month - 1)``; the model's step ``t`` is ``month - start``.
"""

from __future__ import annotations

import calendar
import re

from sim.errors import brief

_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$", re.ASCII)


def parse_month(text: object) -> int:
    """Parse ``YYYY-MM`` or ``YYYY-MM-DD`` (a real calendar day) into a month number.

    A ``datetime.date`` is accepted too.

    Raises:
        ValueError: a message quoting ``text`` and the allowed forms (no file: callers add it).
    """
    if hasattr(text, "year") and hasattr(text, "month"):
        return int(text.year) * 12 + int(text.month) - 1
    match = _DATE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{brief(text)} is not a date of the form YYYY-MM or YYYY-MM-DD")
    year, month, day = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has month {month}; months run 01..12")
    if day is not None:
        last = calendar.mdays[month] + (month == 2 and calendar.isleap(year))
        if not 1 <= int(day) <= last:
            raise ValueError(f"{text!r} has day {day}, but {year:04d}-{month:02d} has days 01..{last}")
    return year * 12 + month - 1


def format_month(month: int) -> str:
    """Format a month number as ``YYYY-MM``."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_labels(start: int, end: int) -> list[str]:
    """``YYYY-MM`` labels for every month from ``start`` to ``end`` inclusive."""
    return [format_month(m) for m in range(start, end + 1)]
