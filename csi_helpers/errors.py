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
