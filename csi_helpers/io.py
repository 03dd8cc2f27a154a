"""Loaders for a client's raw inputs: the survey export and the CRM / fieldwork files.

Every loader reads a CSV under ``data/<client>/`` (never writes to it) and returns a
DataFrame with the canonical columns of ``docs/contracts.md``:

=================  ==========================================  ===============================
loader             required columns                            typed columns
=================  ==========================================  ===============================
read_survey        ``sources.survey.id_column`` and the other  duration (float seconds);
                   columns the spec names                      everything else text
read_customers     customer_id, customer_type                  joined (date), cooperation,
                                                               loyalty (numbers)
read_transactions  customer_id, date, amount                   date (datetime), amount (float)
read_visits        customer_id, date                           date (datetime)
read_notes         note_id, method, session_id, theme          date (datetime)
read_secondary     source_id, title, kind                      year (number)
=================  ==========================================  ===============================

The other columns of contracts.md (``region``, ``city``, ``category``, ``excerpt`` ...) are
kept, typed, when present. Ids and answers stay text (``R00001`` and ``007`` are not
numbers); an empty cell is missing (NaN), anything else, including ``N/A`` or ``不知道``,
is kept as written so the scale can say what it means.

Encodings: Chinese survey tools export GBK; Excel writes UTF-8 with a byte-order mark.
``encoding: auto`` tries UTF-8 (with or without BOM), then GBK, then GB18030. A file that
decodes in none of them, or not in the encoding the params name, raises
:class:`~csi_helpers.errors.CSIInputError` naming the file, the line and the encoding
that would work. A value that is not a number or a date names the file, the line, the
row and the column.

Example
-------
>>> from csi_helpers import io, params
>>> p = params.load("params/demo.yaml")                         # doctest: +SKIP
>>> survey = io.read_survey(p["sources"]["survey"])             # doctest: +SKIP
>>> io.file_fingerprint(p["sources"]["survey"]["path"])         # doctest: +SKIP
('9f2c...', 1046)
"""
from __future__ import annotations

import csv
import hashlib
import io as _stdio
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from .errors import CSIInputError

__all__ = [
    "ENCODINGS", "read_survey", "read_customers", "read_transactions", "read_visits",
    "read_notes", "read_secondary", "read_csv", "file_fingerprint", "REQUIRED_COLUMNS",
]

#: Encodings ``sources.survey.encoding`` accepts; ``auto`` tries the others in this order.
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030")
_AUTO_ORDER = ("utf-8-sig", "gbk", "gb18030")

#: Columns each loader requires (contracts.md lists the full canonical set).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "customer_type"),
    "transactions": ("customer_id", "date", "amount"),
    "visits": ("customer_id", "date"),
    "notes": ("note_id", "method", "session_id", "theme"),
    "secondary": ("source_id", "title", "kind"),
}
#: The other canonical columns, typed when present.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("region", "city", "gender", "joined", "cooperation", "loyalty"),
    "transactions": ("transaction_id", "category"),
    "visits": (),
    "notes": ("participant", "date", "theme_label", "sentiment", "excerpt"),
    "secondary": ("publisher", "year", "summary"),
}
#: Allowed values of the coded columns (contracts.md).
CODES: dict[tuple[str, str], tuple[str, ...]] = {
    ("notes", "method"): ("internal_interview", "in_depth_interview", "focus_group"),
    ("notes", "sentiment"): ("positive", "negative", "neutral"),
    ("secondary", "kind"): ("public", "web", "research_firm"),
}


# --------------------------------------------------------------------------- paths and text
def show_path(path: str | Path) -> str:
    """The path as messages show it: relative to the project root (the folder holding
    ``params/``) when the file lies inside one, else relative to the working folder, else
    absolute."""
    p = Path(path)
    try:
        p = p.resolve()
    except OSError:  # pragma: no cover - unresolvable paths are shown as given
        return str(path)
    for parent in p.parents:
        if (parent / "params").is_dir():
            return p.relative_to(parent).as_posix()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)


def _read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    if not p.exists():
        raise CSIInputError(f"{show_path(p)}: file not found; put the file there or fix the "
                            "path in the params file (sources)")
    if p.is_dir():
        raise CSIInputError(f"{show_path(p)}: is a folder, not a file; point the params at the "
                            "CSV file inside it")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise CSIInputError(f"{show_path(p)}: cannot be read ({exc.strerror}); check the file's "
                            "permissions") from None


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _try_decode(data: bytes, encoding: str) -> tuple[str | None, int | None]:
    """(text, None) when `data` decodes, else (None, line of the first bad byte)."""
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        return None, _line_of(data, exc.start)


def detect_encoding(data: bytes) -> str | None:
    """The first of UTF-8 (with or without BOM), GBK, GB18030 that decodes `data`, else None."""
    for enc in _AUTO_ORDER:
        if _try_decode(data, enc)[0] is not None:
            return "utf-8-sig" if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") \
                else enc
    return None


def decode(data: bytes, encoding: str, where: str, setting: str | None = None) -> str:
    """Decode a file's bytes; a decode error names the file, the line and a working encoding.

    `where` is the file as shown in messages; `setting` the params key that sets the
    encoding (e.g. ``sources.survey.encoding``), named in the fix when given.
    """
    if encoding not in ENCODINGS:
        raise CSIInputError(f"{where}: encoding {encoding!r} is not supported; use one of "
                            f"{' | '.join(ENCODINGS)}" + (f" ({setting})" if setting else ""))
    if encoding == "auto":
        lines = []
        for enc in _AUTO_ORDER:
            text, line = _try_decode(data, enc)
            if text is not None:
                return text.removeprefix("\ufeff")
            lines.append(f"{'utf-8' if enc == 'utf-8-sig' else enc} (line {line})")
        raise CSIInputError(
            f"{where}: cannot be decoded as {', '.join(lines)}; save it as UTF-8 (in Excel: "
            "'CSV UTF-8') or, if you know its encoding, convert it to one of utf-8 | gbk | "
            "gb18030")
    text, line = _try_decode(data, encoding)
    if text is not None:
        return text.removeprefix("\ufeff")
    works = detect_encoding(data)
    fix = (f"the file decodes as {works}: set {setting or 'the encoding'} to {works} or auto"
           if works else "save it as UTF-8 (in Excel: 'CSV UTF-8')")
    raise CSIInputError(f"{where}: line {line} is not valid {encoding}; {fix}")


# --------------------------------------------------------------------------- CSV reading
def read_csv(path: str | Path, encoding: str = "auto", *, setting: str | None = None,
             what: str = "file") -> pd.DataFrame:
    """Read a CSV as text: every column a string column, empty cells NaN, nothing else NaN.

    Column names are stripped of blanks; duplicated names raise (pandas would silently
    rename them ``Q01.1``). Cell values are stripped of surrounding blanks. The file is
    only read.
    """
    where = show_path(path)
    text = decode(_read_bytes(path), encoding, where, setting)
    if not text.strip():
        raise CSIInputError(f"{where}: the file is empty; export the {what} again with a "
                            "header row")
    header = next(csv.reader(_stdio.StringIO(text)), [])
    names = [h.strip() for h in header]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise CSIInputError(f"{where}: column(s) {', '.join(map(repr, dups))} appear more than "
                            "once in the header; rename them so each column name is unique")
    if any(not n for n in names):
        pos = names.index("") + 1
        raise CSIInputError(f"{where}: column {pos} of the header has no name; name it or "
                            "delete the empty column")
    try:
        df = pd.read_csv(_stdio.StringIO(text), dtype=str, keep_default_na=False,
                         na_values=[""], skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise CSIInputError(f"{where}: not a readable CSV ({exc}); check the delimiter is a "
                            "comma and quotes are balanced on that line") from None
    df.columns = names
    for col in df.columns:
        stripped = df[col].str.strip()
        df[col] = stripped.mask(stripped == "")
    return df


def _require(df: pd.DataFrame, columns: Iterable[str], where: str, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(df.columns[:12]) + (" ..." if len(df.columns) > 12 else "")
        raise CSIInputError(
            f"{where}: required column(s) {', '.join(map(repr, missing))} missing from the {what} "
            f"(columns found: {have}); add or rename the column(s) (see docs/contracts.md)")


def _first_bad(raw: pd.Series, parsed: pd.Series) -> int | None:
    bad = raw.notna() & parsed.isna()
    if not bad.any():
        return None
    return int(bad.to_numpy().nonzero()[0][0])


def _bad_value(where: str, df: pd.DataFrame, pos: int, column: str, expected: str,
               fix: str, id_column: str | None = None) -> CSIInputError:
    raw = df[column].iloc[pos]
    who = ""
    if id_column and id_column in df.columns and pd.notna(df[id_column].iloc[pos]):
        who = f", {id_column} {df[id_column].iloc[pos]}"
    return CSIInputError(f"{where}: line {pos + 2} (row {pos + 1}{who}), column {column!r}: "
                         f"{raw!r} is not {expected}; {fix}")


def to_number(df: pd.DataFrame, column: str, where: str, id_column: str | None = None,
              fix: str | None = None) -> pd.Series:
    """`column` as float; a non-number names the file, line, row and column."""
    raw = df[column]
    num = pd.to_numeric(raw, errors="coerce").astype("float64")
    pos = _first_bad(raw, num)
    if pos is not None:
        n = int((raw.notna() & num.isna()).sum())
        more = f" ({n} such cells in the column)" if n > 1 else ""
        raise _bad_value(where, df, pos, column, "a number" + more,
                         fix or "write a plain number (no units or thousands separators) or "
                                "leave the cell empty", id_column)
    return num


def to_date(df: pd.DataFrame, column: str, where: str, id_column: str | None = None) -> pd.Series:
    """`column` as datetime64 (ISO dates, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS); a bad value
    names the file, line, row and column."""
    raw = df[column]
    dates = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    pos = _first_bad(raw, dates)
    if pos is not None:
        n = int((raw.notna() & dates.isna()).sum())
        more = f" ({n} such cells in the column)" if n > 1 else ""
        raise _bad_value(where, df, pos, column, "a date" + more,
                         "write dates as YYYY-MM-DD (ISO 8601) or leave the cell empty",
                         id_column)
    return dates


def _codes(df: pd.DataFrame, kind: str, column: str, where: str) -> None:
    allowed = CODES[(kind, column)]
    raw = df[column]
    bad = raw.notna() & ~raw.isin(allowed)
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise CSIInputError(f"{where}: line {pos + 2} (row {pos + 1}), column {column!r}: "
                            f"{raw.iloc[pos]!r} is not one of {' | '.join(allowed)}; recode it")


# --------------------------------------------------------------------------- the survey
def read_survey(spec: Mapping) -> pd.DataFrame:
    """Read the survey export named by ``params["sources"]["survey"]``.

    Every column is read as text (answers are labels such as 满意 or stray codes such as
    ``9``; ids such as ``007`` keep their zeros), except the duration column
    (``duration_column``), which becomes float seconds (empty = NaN). The id column and
    every column the spec names (customer id, status, duration, segments) must exist.

    Parameters
    ----------
    spec : ``{"path": ..., "encoding": "auto" | "utf-8" | "utf-8-sig" | "gbk" | "gb18030",
        "id_column": ..., "customer_id_column": ..., "status_column": ...,
        "duration_column": ..., "segments": [...]}`` as ``params.load`` returns it
        (the path absolute).

    Example
    -------
    >>> survey = read_survey({"path": "data/demo/survey.csv", "encoding": "gbk",
    ...                       "id_column": "respondent_id"})       # doctest: +SKIP
    """
    if not isinstance(spec, Mapping) or not spec.get("path"):
        raise CSIInputError("sources.survey: give at least {path: data/<client>/survey.csv}; "
                            "pass params['sources']['survey'] from params.load")
    path = spec["path"]
    where = show_path(path)
    df = read_csv(path, spec.get("encoding") or "auto", setting="sources.survey.encoding",
                  what="survey")
    named = {key: spec.get(key) for key in ("id_column", "customer_id_column",
                                             "status_column", "duration_column")}
    named["id_column"] = named["id_column"] or "respondent_id"
    missing = [f"{col!r} (sources.survey.{key})" for key, col in named.items()
               if col and col not in df.columns]
    missing += [f"{col!r} (sources.survey.segments)" for col in spec.get("segments") or []
                if col not in df.columns]
    if missing:
        raise CSIInputError(f"{where}: column(s) {', '.join(missing)} not found in the survey; "
                            "rename the column(s) in the params to the survey's header or add "
                            "them to the export")
    duration = named["duration_column"]
    if duration:
        df[duration] = to_number(df, duration, where, named["id_column"],
                                 "write the duration in whole seconds or leave the cell empty")
    return df


# --------------------------------------------------------------------------- CRM and fieldwork
def _typed(path, kind: str, numbers=(), dates=(), id_column: str | None = None) -> pd.DataFrame:
    where = show_path(path)
    df = read_csv(path, "auto", what=f"{kind} export")
    _require(df, REQUIRED_COLUMNS[kind], where, f"{kind} file")
    for col in numbers:
        if col in df.columns:
            df[col] = to_number(df, col, where, id_column)
    for col in dates:
        if col in df.columns:
            df[col] = to_date(df, col, where, id_column)
    for (k, col) in CODES:
        if k == kind and col in df.columns:
            _codes(df, kind, col, where)
    return df


def read_customers(path: str | Path) -> pd.DataFrame:
    """The customer master (``customers.csv``): one row per customer.

    Columns: ``customer_id``, ``customer_type`` (agent | franchisee | retail) required;
    ``region``, ``city``, ``gender``, ``joined`` (date), ``cooperation`` and ``loyalty``
    (1-5 ratings, numbers) when present. A customer id given twice raises.
    """
    df = _typed(path, "customers", numbers=("cooperation", "loyalty"), dates=("joined",),
                id_column="customer_id")
    ids = df["customer_id"]
    if ids.isna().any():
        pos = int(ids.isna().to_numpy().nonzero()[0][0])
        raise CSIInputError(f"{show_path(path)}: line {pos + 2} (row {pos + 1}) has no "
                            "customer_id; fill it in or remove the row")
    dup = ids.duplicated()
    if dup.any():
        pos = int(dup.to_numpy().nonzero()[0][0])
        raise CSIInputError(f"{show_path(path)}: line {pos + 2} (row {pos + 1}): customer_id "
                            f"{ids.iloc[pos]!r} appears more than once ({int(dup.sum())} repeated "
                            "id(s)); keep one row per customer")
    return df


def read_transactions(path: str | Path) -> pd.DataFrame:
    """Transactions (``transactions.csv``): ``customer_id``, ``date`` (parsed to datetime),
    ``amount`` (float, currency units) required; ``transaction_id``, ``category`` kept."""
    return _typed(path, "transactions", numbers=("amount",), dates=("date",),
                  id_column="transaction_id")


def read_visits(path: str | Path) -> pd.DataFrame:
    """Store visits (``visits.csv``): ``customer_id``, ``date`` (datetime), one row a visit."""
    return _typed(path, "visits", dates=("date",))


def read_notes(path: str | Path) -> pd.DataFrame:
    """Coded interview and focus-group notes (``notes.csv``), one row per coded excerpt.

    Required: ``note_id``, ``method`` (internal_interview | in_depth_interview |
    focus_group), ``session_id``, ``theme``; kept when present: ``participant``, ``date``
    (datetime), ``theme_label``, ``sentiment`` (positive | negative | neutral), ``excerpt``.
    """
    return _typed(path, "notes", dates=("date",), id_column="note_id")


def read_secondary(path: str | Path) -> pd.DataFrame:
    """Secondary-data notes (``secondary.csv``): ``source_id``, ``title``, ``kind`` (public |
    web | research_firm) required; ``publisher``, ``year`` (number), ``summary`` kept."""
    return _typed(path, "secondary", numbers=("year",), id_column="source_id")


# --------------------------------------------------------------------------- fingerprints
def file_fingerprint(path: str | Path) -> tuple[str, int | None]:
    """(SHA-256 of the file's bytes as hex, number of data rows) for the run manifest.

    Rows are CSV records after the header (quoted line breaks do not count) for ``.csv``,
    ``.tsv`` and ``.txt`` files in any encoding ``auto`` reads; None for other files (e.g.
    ``truth.json``) and for text that does not decode.

    Example
    -------
    >>> file_fingerprint("data/demo/customers.csv")      # doctest: +SKIP
    ('4d1e...', 5000)
    """
    data = _read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    if Path(path).suffix.lower() not in (".csv", ".tsv", ".txt"):
        return sha, None
    enc = detect_encoding(data)
    if enc is None:
        return sha, None
    text = data.decode(enc).removeprefix("\ufeff")
    delimiter = "\t" if Path(path).suffix.lower() == ".tsv" else ","
    n = sum(1 for row in csv.reader(_stdio.StringIO(text), delimiter=delimiter) if row)
    return sha, max(n - 1, 0)
