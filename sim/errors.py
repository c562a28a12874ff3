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
