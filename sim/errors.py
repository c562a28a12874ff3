"""Errors raised for bad input: one clear message naming the file, the entry and what is allowed."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input (a scenario, a target file, a parameter); the message says all that is needed.

    Args:
        where: the file (or config group) the problem is in.
        entry: the entry inside it, e.g. ``events[12] (lna_takes_derna).date``.
        problem: what is wrong and what is allowed.
    """

    def __init__(self, where: str, entry: str, problem: str) -> None:
        self.where = where
        self.entry = entry
        self.problem = problem
        super().__init__(f"{where}: {entry}: {problem}")


class ScenarioError(InputError):
    """A scenario file is malformed or inconsistent."""


class ParameterError(InputError):
    """A model parameter is missing, out of bounds or not a finite number."""


def brief(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for quoting a bad input in a message.

    Args:
        value: the offending input (possibly a megabyte of text or a 1,000-digit integer).
        limit: the longest text returned.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"  # repr of a huge int is slow or refused
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
