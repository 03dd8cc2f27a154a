"""Errors that reach users: each names the file, column, row or parameter, and the fix."""
from __future__ import annotations


class CSIInputError(ValueError):
    """Bad input: the message names where (file / column / row / parameter) and how to fix it.

    Example
    -------
    >>> raise CSIInputError("data/acme/survey.csv: column 'Q17' is missing; "
    ...                     "add it or remove Q17 from indicator_system.items")
    Traceback (most recent call last):
    ...
    csi_helpers.errors.CSIInputError: data/acme/survey.csv: column 'Q17' is missing; ...
    """


class CSIWarning(UserWarning):
    """A problem the analysis worked around (dropped constant item, smoothed matrix, ...)."""


class InputProblems(CSIInputError):
    """Several problems found in one pass over an input, one line each (``.problems``).

    Readers collect every bad column of a file before raising, so ``csi validate`` can
    report them all at once; ``str(exc)`` joins the lines.

    Example
    -------
    >>> exc = InputProblems(["a.csv: column 'x': 2 values are not numbers ...",
    ...                      "a.csv: column 'y': 1 value is not a date ..."])
    >>> len(exc.problems)
    2
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
