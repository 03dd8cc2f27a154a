"""Fieldwork notes: coded interview / focus-group excerpts and secondary-data notes.

These files are written by the consultants themselves (``notes.csv``, ``secondary.csv``
in ``data/<client>/``, or a sheet of a workbook), with our English column names
(docs/contracts.md). The readers keep every column of the file; they type ``date``
(notes; the forms of :func:`~csi_helpers.sources.values.parse_date`) and ``year``
(secondary; a number), check the coded columns against :data:`CODES`, and report every
problem of the file at once as :class:`~csi_helpers.errors.InputProblems`.

Example
-------
>>> notes = read_notes("data/acme/notes.csv")                            # doctest: +SKIP
>>> read_secondary({"path": "data/acme/desk.xlsx", "sheet": 0})          # doctest: +SKIP
"""
from __future__ import annotations

import pandas as pd

from ..errors import InputProblems
from .crm import _open, _spec
from .values import parse_date, parse_number, problem

__all__ = ["REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "CODES", "read_notes", "read_secondary"]

#: Columns each reader requires.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "notes": ("note_id", "method", "session_id", "theme"),
    "secondary": ("source_id", "title", "kind"),
}
#: The other canonical columns, typed when present (other columns are kept as text).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "notes": ("participant", "date", "theme_label", "sentiment", "excerpt"),
    "secondary": ("publisher", "year", "summary"),
}
#: Allowed values of the coded columns.
CODES: dict[tuple[str, str], tuple[str, ...]] = {
    ("notes", "method"): ("internal_interview", "in_depth_interview", "focus_group"),
    ("notes", "sentiment"): ("positive", "negative", "neutral"),
    ("secondary", "kind"): ("public", "web", "research_firm"),
}


def _read(spec, kind: str, dates=(), numbers=()) -> pd.DataFrame:
    spec = _spec(spec, kind)
    frame, _grid, where, problems = _open(spec, kind)
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in frame.columns]
    if missing:
        have = ", ".join(frame.columns[:12]) + (" ..." if len(frame.columns) > 12 else "")
        problems.append(f"{where}: required column(s) {', '.join(map(repr, missing))} missing "
                        f"from the {kind} file (columns found: {have}); add or rename the "
                        "column(s) (see docs/contracts.md)")
    out = {}
    for col in frame.columns:
        raw = frame[col]
        if col in dates:
            p = parse_date(raw)
            problems += [problem(where, col, raw, p.ambiguous, "a date with a known day/month "
                                 "order", "write dates as YYYY-MM-DD (ISO 8601): 05/03/2024 "
                                 "can be 5 March or May 3"),
                         problem(where, col, raw, p.bad, "a date", "write dates as YYYY-MM-DD "
                                 "(ISO 8601) or leave the cell empty")]
            out[col] = p.values
        elif col in numbers:
            p = parse_number(raw)
            problems.append(problem(where, col, raw, p.bad, "a number", "write a plain number "
                                    "(no units or thousands separators) or leave the cell "
                                    "empty"))
            out[col] = p.values
        else:
            out[col] = raw.astype("str")
        allowed = CODES.get((kind, col))
        if allowed:
            bad = raw.notna() & ~raw.isin(allowed)
            problems.append(problem(where, col, raw, bad, f"one of {' | '.join(allowed)}",
                                    "recode them"))
    problems = [p for p in problems if p]
    if problems:
        raise InputProblems(problems)
    return pd.DataFrame(out, index=frame.index)


def read_notes(spec) -> pd.DataFrame:
    """Coded interview and focus-group notes, one row per coded excerpt.

    Required: ``note_id``, ``method`` (internal_interview | in_depth_interview |
    focus_group), ``session_id``, ``theme``; typed when present: ``date`` (datetime);
    checked when present: ``sentiment`` (positive | negative | neutral); every other
    column (``participant``, ``theme_label``, ``excerpt`` ...) kept as text.

    Parameters
    ----------
    spec : a path, or ``{path, encoding: auto | utf-8 | gbk | ..., sheet: name | index}``
        (``params["sources"]["notes"]``).

    Example
    -------
    >>> read_notes({"path": "data/demo/notes.csv"}).columns.tolist()[:4]   # doctest: +SKIP
    ['note_id', 'method', 'session_id', 'participant']
    """
    return _read(spec, "notes", dates=("date",))


def read_secondary(spec) -> pd.DataFrame:
    """Secondary-data notes: ``source_id``, ``title``, ``kind`` (public | web |
    research_firm) required; ``year`` (number) typed; other columns (``publisher``,
    ``summary`` ...) kept as text. `spec` as in :func:`read_notes`."""
    return _read(spec, "secondary", numbers=("year",))
