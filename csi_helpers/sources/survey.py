"""The survey export, as the client sends it, into the survey the analysis reads.

Two steps, both only reading the file:

1. :func:`read_export` reads the file as the platform wrote it and says what it is
   (``format``): ``wjx`` (问卷星, CSV or XLSX, 按选项文本 or 按选项序号), ``qualtrics`` (CSV or
   XLSX with three header rows), ``spss`` (SPSS ``.sav`` / ``.zsav`` or Stata ``.dta``)
   or ``table`` (any other CSV / TXT / Excel table with one header row). Auto-detection
   looks at the file's bytes and header rows, never only at its name; ``format`` in the
   params overrides it. The result keeps the question texts it found (问卷星 headers,
   Qualtrics' second header row, SPSS variable labels) for the params draft and the report.
2. :func:`survey_table` turns the export into the survey the notebooks read, following
   ``sources.survey`` and the indicator system: item columns renamed to item ids
   (``indicator_system.items[].column``), durations in seconds (``145秒``, ``2分5秒``,
   minutes with ``duration_unit: minutes``), the status column as ``complete`` /
   ``partial`` (``status_values``), and **only the columns the analysis needs**: id,
   customer id, status, duration, time, segments, items, competitor ratings and the
   columns ``keep_columns`` names. Contact data and free text stay behind
   (:mod:`csi_helpers.sources.privacy` says which were excluded). Every problem (a
   column not found, a status value outside the mapping, an unreadable duration) is
   collected, so ``csi validate`` reports them all at once.

For 问卷星 and Qualtrics the id, duration, status and time columns default to the
platform's own (问卷星: 序号, 所用时间, 提交答卷时间; Qualtrics: ResponseId,
``Duration (in seconds)``, Finished, StartDate); for other tables to ``respondent_id``
and none.

Example
-------
>>> export = read_export("data/acme/问卷星.xlsx")                # doctest: +SKIP
>>> export.format, export.variant, export.describe()             # doctest: +SKIP
('wjx', 'text', '问卷星 export (按选项文本), Excel .xlsx, sheet ...; 300 responses')
>>> survey = survey_table(export, params).data                   # doctest: +SKIP
"""
from __future__ import annotations

import csv
import io as _stdio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import CSIInputError, InputProblems
from . import privacy, qualtrics, spss, wjx
from .table import choose_sheet, file_kind, read_grid, with_header
from .text import decode, read_bytes, show_path

__all__ = ["FORMATS", "SurveyExport", "SurveyTable", "read_export", "peek_format",
           "platform_defaults", "survey_table", "read_survey", "STATUS_VALUES",
           "item_columns"]

FORMATS = ("auto", "table", "wjx", "qualtrics", "spss")
_NAMES = {"wjx": "问卷星 export", "qualtrics": "Qualtrics export", "spss": "SPSS file",
          "table": "table"}
#: Status values understood without a ``status_values`` mapping (compared ignoring case).
STATUS_VALUES = {
    "complete": ("complete", "completed", "finished", "1", "true", "yes", "完成", "已完成",
                 "完整", "是"),
    "partial": ("partial", "incomplete", "unfinished", "0", "false", "no", "部分", "未完成",
                "不完整", "否"),
}
_META_KEYS = ("id_column", "customer_id_column", "status_column", "duration_column",
              "time_column")


# =========================================================================== the export
@dataclass(frozen=True)
class SurveyExport:
    """A survey export as read: every column, answers as text, nothing cleaned.

    Attributes
    ----------
    data : one row per response, the file's column names, cells ``str`` or NaN.
    format : ``wjx`` | ``qualtrics`` | ``spss`` | ``table`` (see the module docstring).
    variant : 问卷星 only: ``text`` (按选项文本) or ``code`` (按选项序号).
    where : the file as messages show it; ``read_as`` how it was read (kind, encoding ...).
    questions : column -> question text found in the file (may be empty).
    value_labels : SPSS only: column -> {code: label}; ``user_missing`` column -> codes.
    skipped : column -> number of answers the questionnaire's logic skipped (问卷星 '(跳过)').
    """

    data: pd.DataFrame
    format: str
    where: str
    read_as: str
    variant: str | None = None
    questions: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    user_missing: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    encoding: str | None = None
    sheet: str | None = None

    def describe(self) -> str:
        """One line for ``csi validate``: format, how read, size."""
        kind = _NAMES[self.format]
        if self.format == "wjx":
            kind += " (按选项文本)" if self.variant == "text" else " (按选项序号)"
        return (f"{kind}, {self.read_as}; {len(self.data)} responses x "
                f"{self.data.shape[1]} columns")

    @property
    def defaults(self) -> dict:
        """The platform's own id / duration / status / time columns."""
        return platform_defaults(self.format)

    def __repr__(self) -> str:
        return f"SurveyExport({self.where}: {self.describe()})"


def platform_defaults(fmt: str) -> dict:
    """``{id_column, duration_column, status_column, time_column}`` of a platform's export
    (what ``sources.survey`` defaults to for that format)."""
    if fmt == "wjx":
        return dict(wjx.DEFAULTS)
    if fmt == "qualtrics":
        return dict(qualtrics.DEFAULTS)
    return {"id_column": "respondent_id", "duration_column": None, "status_column": None,
            "time_column": None}


def _first_rows(path: Path, encoding: str, sheet) -> tuple[str, list[list]]:
    """(file kind, the first three rows as lists of cells) without reading the whole file."""
    kind = file_kind(path)
    if kind in ("sav", "zsav", "dta"):
        return kind, []
    if kind in ("xlsx", "xls"):
        import python_calamine
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            name = choose_sheet(book.sheet_names, sheet, "")
            rows = []
            for row in book.get_sheet_by_name(name).iter_rows():
                rows.append([c if c != "" else None for c in row])
                if len(rows) == 3:
                    break
            return kind, rows
        except Exception:  # unreadable: read_export will say why
            return kind, []
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    try:
        text = decode(head, encoding or "auto", "")
    except CSIInputError:
        text = head.decode("gb18030", errors="replace")
    from .table import sniff_delimiter
    lines = text.splitlines()[:-1] or text.splitlines()
    reader = csv.reader(_stdio.StringIO("\n".join(lines)), delimiter=sniff_delimiter(text))
    rows = []
    for row in reader:
        rows.append([c.strip() for c in row])
        if len(rows) == 3:
            break
    return kind, rows


def peek_format(path: str | Path, format: str = "auto", sheet=None,  # noqa: A002
                encoding: str = "auto") -> str:
    """The format of a survey export from its first rows (cheap: for params defaults)."""
    if format and format != "auto":
        return format
    kind, rows = _first_rows(Path(path), encoding, sheet)
    if kind in ("sav", "zsav", "dta"):
        return "spss"
    if qualtrics.header_rows(rows):
        return "qualtrics"
    if rows and wjx.is_wjx(rows[0]):
        return "wjx"
    return "table"


def read_export(path: str | Path, format: str = "auto", sheet=None,  # noqa: A002
                encoding: str = "auto", setting: str = "sources.survey") -> SurveyExport:
    """Read a survey export as the platform wrote it (see the module docstring).

    Parameters
    ----------
    path : the export (only read).
    format : ``auto`` | ``table`` | ``wjx`` | ``qualtrics`` | ``spss``.
    sheet : Excel: a sheet name or 0-based index (default the first).
    encoding : CSV: ``auto`` | ``utf-8`` | ``utf-8-sig`` | ``gbk`` | ``gb18030``.
    setting : the params key named in messages.

    Example
    -------
    >>> e = read_export("data/acme/qualtrics.csv")                 # doctest: +SKIP
    >>> e.questions["Q2_1"]                                        # doctest: +SKIP
    'How satisfied are you with the following? - Product quality'
    """
    where = show_path(path)
    format = format or "auto"  # noqa: A001
    if format not in FORMATS:
        raise CSIInputError(f"{setting}.format: {format!r} is not a survey format; use one of "
                            f"{' | '.join(FORMATS)}")
    read_bytes(path)  # a clear message for a missing / unreadable file
    kind = file_kind(path)
    if kind in ("sav", "zsav", "dta") or format == "spss":
        data, meta = spss.read(path)
        label = {"sav": "SPSS .sav", "zsav": "SPSS .zsav", "dta": "Stata .dta"}[meta.kind]
        return SurveyExport(data, "spss", where, label, questions=meta.questions,
                            value_labels=meta.value_labels, user_missing=meta.user_missing)
    grid = read_grid(path, encoding=encoding, sheet=sheet, setting=setting)
    frame = grid.frame
    if frame.empty:
        raise CSIInputError(f"{where}: the file is empty; export the survey again with a "
                            "header row")
    first = [frame.iloc[i].tolist() for i in range(min(3, len(frame)))]
    n_q = qualtrics.header_rows(first)
    if format == "qualtrics" and not n_q:
        raise CSIInputError(f"{where}: is not a Qualtrics export (no ResponseId column with "
                            "ImportId header rows); export 'CSV' from Qualtrics' Data & "
                            f"Analysis, or set {setting}.format to auto or table")
    is_wjx = wjx.is_wjx(first[0])
    if format == "wjx" and not is_wjx:
        raise CSIInputError(f"{where}: is not a 问卷星 export (no 序号 / 提交答卷时间 / 所用时间 "
                            f"columns); download it again from 问卷星, or set {setting}.format "
                            "to auto or table")
    common = dict(where=where, read_as=grid.describe(), encoding=grid.encoding,
                  sheet=grid.sheet)
    if n_q and format in ("auto", "qualtrics"):
        data = with_header(grid, where, 0, skip=n_q - 1)
        texts = frame.iloc[1]
        questions = {str(h).strip(): str(t).strip() for h, t in zip(frame.iloc[0], texts)
                     if isinstance(h, str) and isinstance(t, str) and h.strip() not in
                     qualtrics.META}
        return SurveyExport(data, "qualtrics", questions=questions, **common)
    data = with_header(grid, where)
    if is_wjx and format in ("auto", "wjx"):
        skipped, cleared = {}, {}
        for col in data.columns:
            arr = data[col].to_numpy()
            skip = arr == wjx.SKIPPED
            gone = skip | (arr == wjx.MISSING)
            if gone.any():
                skipped[col] = int(skip.sum())
                cleared[col] = data[col].mask(gone)
        if cleared:
            data = pd.DataFrame({c: cleared.get(c, data[c]) for c in data.columns})
        questions = {}
        for col in data.columns:
            q = wjx.question(col)
            if q:
                questions[col] = q[1]
        return SurveyExport(data, "wjx", variant=wjx.variant(data, list(questions)),
                            questions=questions,
                            skipped={c: n for c, n in skipped.items() if n}, **common)
    return SurveyExport(data, "table", **common)


# =========================================================================== the survey
@dataclass(frozen=True)
class SurveyTable:
    """The survey the analysis reads, with what was left out and what is wrong.

    Attributes
    ----------
    data : kept columns only (see the module docstring); items named by their ids.
    spec : ``sources.survey`` with the platform defaults filled in.
    problems : one line each; empty when the survey can be analysed.
    excluded : {their column: kind} of the contact-data / free-text columns left behind.
    dropped : every other column of the export that was not kept.
    """

    data: pd.DataFrame
    spec: dict
    export: SurveyExport
    problems: list = field(default_factory=list)
    excluded: dict = field(default_factory=dict)
    dropped: list = field(default_factory=list)


def item_columns(params: Mapping) -> dict[str, str]:
    """``{item id: survey column}`` (``indicator_system.items[].column``, default the id)."""
    out = {}
    system = params.get("indicator_system")
    items = system.get("items") if isinstance(system, Mapping) else None
    for it in (items if isinstance(items, list) else []):
        if isinstance(it, Mapping) and isinstance(it.get("id"), str):
            col = it.get("column")
            out[it["id"]] = col if isinstance(col, str) and col else it["id"]
    return out


def _listed(x) -> list:
    """A params list as given, or [] for anything else (invalid params are reported by
    params.validate; the reader does not crash on them)."""
    return x if isinstance(x, list) else []


def _item_positions(params: Mapping) -> dict[str, int]:
    """``{item id: its index in indicator_system.items}`` (for problem paths)."""
    system = params.get("indicator_system")
    items = system.get("items") if isinstance(system, Mapping) else None
    return {it["id"]: i for i, it in enumerate(items if isinstance(items, list) else [])
            if isinstance(it, Mapping) and isinstance(it.get("id"), str)}


def _status_map(spec: Mapping) -> dict[str, str]:
    given = spec.get("status_values") or {}
    out = {}
    source = given if given else STATUS_VALUES
    for status in ("complete", "partial"):
        for value in source.get(status) or ():
            out[str(value).strip().casefold()] = status
    return out


def _counts(values: pd.Series, limit: int = 5) -> str:
    vc = values.value_counts()
    shown = ", ".join(f"{v!r} ({n} row{'s' if n > 1 else ''})" for v, n in vc.head(limit).items())
    return shown + (f" and {len(vc) - limit} more" if len(vc) > limit else "")


def _near(word: str, options) -> str:
    import difflib
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def survey_table(export: SurveyExport, params: Mapping) -> SurveyTable:
    """The analysis survey from an export and the params (see the module docstring).

    Never raises for data problems: they are listed in ``.problems`` (``read_survey``
    raises them together). ``params`` is the validated params dict or at least
    ``{"sources": {"survey": {...}}, "indicator_system": {"items": [...]}}``.
    """
    from .values import parse_duration, problem

    spec = dict((params.get("sources") or {}).get("survey") or {})
    for key, default in platform_defaults(export.format).items():
        if key not in spec:
            spec[key] = default
    df = export.data
    cols = set(df.columns)
    where = export.where
    problems: list[str] = []

    def need(col, key, fix, suggest=True):
        if isinstance(col, str) and col not in cols:
            near = _near(col, df.columns) if suggest else ""
            problems.append(f"{key}: {col!r} is not a column of {where}; {near}{fix}")
            return False
        return isinstance(col, str)

    keep: dict[str, str] = {}   # their column -> name in the analysis survey
    for key in _META_KEYS:
        col = spec.get(key)
        if need(col, f"sources.survey.{key}", "set it to the export's column name"):
            keep[col] = col
    for i, seg in enumerate(_listed(spec.get("segments"))):
        if need(seg, f"sources.survey.segments[{i}]", "fix the column name or remove it"):
            keep[seg] = seg
    for i, col in enumerate(_listed(spec.get("keep_columns"))):
        if need(col, f"sources.survey.keep_columns[{i}]", "fix the column name or remove it"):
            keep[col] = col
    meta_names = set(keep)
    items = item_columns(params)
    positions = _item_positions(params)
    for item, col in items.items():
        i = positions[item]
        key = (f"indicator_system.items[{i}].column" if col != item
               else f"indicator_system.items[{i}].id")
        if not need(col, key, "add the column, or set items[].column to the export's header "
                              "of the question" if col == item else
                    "copy the exact header from the export", suggest=col != item):
            continue
        if col in keep and keep[col] != item:
            problems.append(f"{key}: column {col!r} is already used as "
                            f"{'a setting of sources.survey' if col in meta_names else 'item ' + repr(keep[col])}; "
                            "give each item its own survey column")
            continue
        keep[col] = item
    renamed = {their: ours for their, ours in keep.items() if their != ours}
    for their, ours in renamed.items():
        if ours in keep and keep[ours] == ours:
            problems.append(f"indicator_system.items[{positions[ours]}].id: {ours!r} is also the "
                            f"export's column {ours!r}, which the run keeps as well (a setting "
                            "of sources.survey); rename the item id, e.g. to "
                            f"{'I' + ours.lstrip('Qq')!r}")
    framing = params.get("framing") if isinstance(params.get("framing"), Mapping) else {}
    comps = framing.get("competitors") if isinstance(framing.get("competitors"), list) else []
    for i, comp in enumerate(comps):
        columns = comp.get("columns") if isinstance(comp, Mapping) else None
        for item, col in (columns.items() if isinstance(columns, Mapping) else ()):
            if need(col, f"framing.competitors[{i}].columns.{item}",
                    "add the competitor's rating column or fix the name"):
                keep.setdefault(col, col)
    data = df[list(keep)].rename(columns=keep)
    if spec.get("id_column") is None:
        # id_column: null: no id column in the export; the file line is the response id
        spec["id_column"] = "respondent_id"
        data.insert(0, "respondent_id", [f"line {i + _first_line(export)}"
                                         for i in range(len(data))])

    dur = spec.get("duration_column")
    if isinstance(dur, str) and dur in data.columns:
        unit = spec.get("duration_unit") or "seconds"
        parsed = parse_duration(data[dur], unit)
        if parsed.bad.any():
            problems.append("sources.survey.duration_column: " + problem(
                where, dur, data[dur], parsed.bad,
                                    "a duration",
                                    "write seconds as numbers or text like '145秒' / '2分5秒' "
                                    "(sources.survey.duration_unit: seconds | minutes)",
                                    first_line=_first_line(export)))
        data[dur] = parsed.values
    status = spec.get("status_column")
    if isinstance(status, str) and status in data.columns:
        smap = _status_map(spec)
        text = data[status].astype("string").str.strip().str.casefold()
        mapped = text.map(smap)
        unmapped = text.notna() & mapped.isna()
        if unmapped.any():
            how = ("add them under sources.survey.status_values.complete or .partial"
                   if spec.get("status_values") else
                   "map them with sources.survey.status_values: {complete: [...], "
                   "partial: [...]}")
            problems.append(f"sources.survey.status_values: column {status!r} of {where} has "
                            f"values that are neither complete nor partial: "
                            f"{_counts(data.loc[unmapped.to_numpy(), status])}; {how}")
        data[status] = mapped.astype(object).where(mapped.notna(), np.nan)
    excluded = privacy.contact_columns(df, [c for c in df.columns if c not in keep],
                                       export.questions)
    dropped = [c for c in df.columns if c not in keep]
    return SurveyTable(data=data, spec=spec, export=export, problems=problems,
                       excluded=excluded, dropped=dropped)


def _first_line(export: SurveyExport) -> int:
    """The file line of the first response (header rows before it)."""
    return 4 if export.format == "qualtrics" else 2


def read_survey(params: Mapping) -> pd.DataFrame:
    """The analysis survey of a params dict: read, mapped and checked; problems raise
    :class:`~csi_helpers.errors.InputProblems` (all of them at once)."""
    spec = (params.get("sources") or {}).get("survey") or {}
    if not spec.get("path"):
        raise CSIInputError("sources.survey.path: not given; set it to the survey export, "
                            "e.g. data/<client>/survey.csv")
    export = read_export(spec["path"], spec.get("format") or "auto", spec.get("sheet"),
                         spec.get("encoding") or "auto")
    table = survey_table(export, params)
    if table.problems:
        raise InputProblems(table.problems)
    return table.data
