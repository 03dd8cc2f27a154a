"""The Excel deliverable: every table of a run in one formatted workbook, ``tables.xlsx``.

What a client opens in Excel or LibreOffice next to the report:

* a **contents** sheet first (目录 in a Chinese report): one row per table with a link to its
  sheet, the step it comes from (01 framing .. 05 tiering) and its size;
* one sheet per ``tables/<name>.csv``: a title row (the table's name in words) with a link
  back to the contents, a styled header row, frozen panes below the header and right of
  the first column, column widths fitted to the text (CJK characters count double), and
  number formats by meaning: whole numbers without decimals, shares (columns named
  ``*share*``, values within 0..1) as percentages, amounts (``revenue``, ``amount``, ``sales``)
  with thousands separators, other decimals with three places.

Written with xlsxwriter (its formats render the same in Excel and LibreOffice), in its
constant-memory mode: each row goes to disk as it is written, so a long table costs no
memory. A table longer than ``report.excel_max_rows`` (default :data:`EXCEL_MAX_ROWS`) gets
no sheet: xlsxwriter writes about 200,000 cells a second, so a million-customer table
would take a minute per sheet, Excel stops at 1,048,576 rows, and a sheet that long is no
way to read a table. Its contents row names the CSV file that holds it whole, and the
report's note under the table points there instead of to a sheet.

Example
-------
>>> write_tables_workbook("outputs/demo/20261123-101500-a3f9", lang="zh")   # doctest: +SKIP
PosixPath('outputs/demo/20261123-101500-a3f9/tables.xlsx')
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

__all__ = ["write_tables_workbook", "sheet_names", "in_workbook", "EXCEL_MAX_ROWS"]

#: Tables with more rows than this stay CSV only (``report.excel_max_rows``).
EXCEL_MAX_ROWS = 100_000
#: The most data rows a sheet takes: Excel's 1,048,576 rows less the title, gap and header.
SHEET_ROWS = 1_048_576 - 3

_STEPS = {"01": ("Problem framing", "提出问题"), "02": ("Data collection", "采集数据"),
          "03": ("Indicator construction", "测评指标的构建与量化"),
          "04": ("Factor analysis and the model", "因子分析与满意度模型"),
          "05": ("Customer tiering", "客户分层")}
_TEXT = {
    "en": {"contents": "Contents", "title": "Tables of the run", "sheet": "Sheet",
           "table": "Table", "step": "Step", "size": "Rows x columns", "back": "<- Contents",
           "csv_only": "no sheet: {rows:,} rows, more than report.excel_max_rows "
                       "({limit:,}); the whole table is tables/{file}",
           "note": "Every table of the report, one sheet each, with every row and the numbers "
                   "unrounded (the report shows them rounded and long tables cut)."},
    "zh": {"contents": "目录", "title": "本次运行的全部表格", "sheet": "工作表", "table": "表格",
           "step": "步骤", "size": "行 x 列", "back": "<- 返回目录",
           "csv_only": "无工作表：共 {rows:,} 行，超过 report.excel_max_rows（{limit:,} 行）；"
                       "完整表格见 tables/{file}",
           "note": "报告中的每个表格各占一个工作表，包含全部行，数字未经四舍五入（报告中的数字经过四舍五入，长表格只显示前若干行）。"},
}
_AMOUNT = re.compile(r"revenue|amount|sales|monetary|spend|value_", re.I)
_SHARE = re.compile(r"share|rate|proportion", re.I)


def _width(text: str) -> int:
    """Display width: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _title(stem: str, lang: str = "en") -> str:
    from .report.vocabulary import title

    return title(stem, lang)


def sheet_name(stem: str, lang: str = "en") -> str:
    """The Excel sheet of table ``stem``: its step number and title in the report's language,
    at most 31 characters and none of ``[]:*?/\\`` (Excel's limits).

    >>> sheet_name("04_csi", "zh"), sheet_name("04_csi")
    ('04 顾客满意度指数', '04 The CSI')
    """
    number, _, _ = stem.partition("_")
    text = f"{number} {_title(stem, lang)}" if number.isdigit() else _title(stem, lang)
    return re.sub(r"[\[\]:*?/\\']", "_", text)[:31].rstrip()


def sheet_names(stems: list[str], lang: str = "en") -> dict[str, str]:
    """A unique Excel sheet name (see :func:`sheet_name`) per table stem."""
    used: set[str] = set()
    out = {}
    for stem in stems:
        base = sheet_name(stem, lang)
        name, i = base, 1
        while name.lower() in used:
            suffix = f"~{i}"
            name, i = base[:31 - len(suffix)] + suffix, i + 1
        used.add(name.lower())
        out[stem] = name
    return out


def _column_format(name: str, values: pd.Series, fmts: dict):
    s = pd.to_numeric(values, errors="coerce")
    if values.notna().sum() == 0 or s.notna().sum() < values.notna().sum():
        return None                                   # text (or mixed): as written
    finite = s.dropna()
    if finite.empty:
        return None
    if _SHARE.search(name) and finite.between(0, 1).all():
        return fmts["pct"]
    if _AMOUNT.search(name):
        return fmts["money"]
    if (finite == finite.round()).all():
        return fmts["int"]
    return fmts["dec"]


def in_workbook(rows: int, max_rows: int | None = None) -> bool:
    """Whether a table of ``rows`` rows gets a sheet of ``tables.xlsx`` (at most
    ``max_rows``, default :data:`EXCEL_MAX_ROWS`, and never more than a sheet holds).

    >>> in_workbook(5_000), in_workbook(1_000_000), in_workbook(1_000_000, 1_048_000)
    (True, False, True)
    """
    limit = EXCEL_MAX_ROWS if max_rows is None else int(max_rows)
    return rows <= min(limit, SHEET_ROWS)


def _read_head(path: Path, limit: int) -> tuple[pd.DataFrame, int]:
    """The first ``limit + 1`` rows of a table's CSV, and how many rows it has (counted
    by the csv module, so quoted line breaks count right, without reading it whole)."""
    import csv

    try:
        df = pd.read_csv(path, encoding="utf-8-sig", nrows=limit + 1)
    except pd.errors.EmptyDataError:      # a table with no columns: an empty sheet
        return pd.DataFrame(), 0
    if len(df) <= limit:
        return df, len(df)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    return df, rows


def write_tables_workbook(run_dir: str | Path, lang: str = "en",
                          max_rows: int | None = None) -> Path | None:
    """Write ``<run_dir>/tables.xlsx`` from ``<run_dir>/tables/*.csv`` (None without
    tables): a sheet per table of at most ``max_rows`` rows (default
    :data:`EXCEL_MAX_ROWS`); a longer table is named in the contents with its CSV file."""
    import xlsxwriter

    run_dir = Path(run_dir)
    tables = sorted((run_dir / "tables").glob("*.csv"))
    if not tables:
        return None
    limit = min(EXCEL_MAX_ROWS if max_rows is None else int(max_rows), SHEET_ROWS)
    t = _TEXT.get(lang, _TEXT["en"])
    names = sheet_names([p.stem for p in tables], lang)
    out = run_dir / "tables.xlsx"
    tmp = out.with_suffix(".xlsx.tmp")
    book = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "strings_to_urls": False,
                                          "constant_memory": True})
    try:
        fmts = {
            "title": book.add_format({"bold": True, "font_size": 14}),
            "link": book.add_format({"font_color": "#1f4e79", "underline": 1}),
            "head": book.add_format({"bold": True, "bg_color": "#1f4e79", "font_color": "#ffffff",
                                     "border": 1, "text_wrap": True, "valign": "top"}),
            "note": book.add_format({"italic": True, "font_color": "#595959"}),
            "int": book.add_format({"num_format": "0"}),
            "dec": book.add_format({"num_format": "0.000"}),
            "pct": book.add_format({"num_format": "0.0%"}),
            "money": book.add_format({"num_format": "#,##0.00"}),
        }
        # constant-memory mode writes row by row: the contents first, whole, then the sheets
        heads = [_read_head(path, limit) for path in tables]
        contents = book.add_worksheet(t["contents"])
        contents.write(0, 0, t["title"], fmts["title"])
        contents.write(1, 0, t["note"], fmts["note"])
        for c, head in enumerate((t["sheet"], t["table"], t["step"], t["size"])):
            contents.write(3, c, head, fmts["head"])
        contents.freeze_panes(4, 0)
        widths = [_width(t["sheet"]), _width(t["table"]), _width(t["step"]), _width(t["size"])]
        for r, (path, (df, rows)) in enumerate(zip(tables, heads), start=4):
            name = names[path.stem]
            step = _STEPS.get(path.stem[:2], ("", ""))[0 if lang != "zh" else 1]
            if rows <= limit:
                contents.write_url(r, 0, f"internal:'{name}'!A1", fmts["link"], string=name)
            else:
                contents.write(r, 0, t["csv_only"].format(rows=rows, limit=limit,
                                                          file=path.name), fmts["note"])
            contents.write(r, 1, _title(path.stem, lang))
            contents.write(r, 2, step)
            contents.write(r, 3, f"{rows} x {df.shape[1]}")
            for c, text in enumerate((name, _title(path.stem, lang), step)):
                widths[c] = max(widths[c], _width(text))
        for c, w in enumerate(widths):
            contents.set_column(c, c, min(max(w + 2, 10), 60))
        contents.activate()
        for path, (df, rows) in zip(tables, heads):
            if rows <= limit:
                _table_sheet(book, names[path.stem], path.stem, df, fmts, t, lang)
    finally:
        book.close()
    tmp.replace(out)
    return out


def _table_sheet(book, name: str, stem: str, df: pd.DataFrame, fmts: dict, t: dict,
                 lang: str = "en") -> None:
    from .report.vocabulary import header

    ws = book.add_worksheet(name)
    ws.write(0, 0, _title(stem, lang), fmts["title"])
    ws.write_url(0, max(df.shape[1] - 1, 1), f"internal:'{t['contents']}'!A1", fmts["link"],
                 string=t["back"])
    header_row = 2
    writers = []
    for c, col in enumerate(df.columns):
        label = "" if str(col).startswith("Unnamed:") else header(str(col), lang)
        ws.write(header_row, c, label, fmts["head"])
        values = df[col]
        logical = values.dtype == bool
        fmt = None if logical else _column_format(str(col), values, fmts)
        width = max([_width(label)] + [_width(v) for v in values.head(500).astype(str)])
        ws.set_column(c, c, min(max(width + 2, 8), 60), fmt)
        if logical:
            writers.append((ws.write_boolean, bool))
        elif fmt is not None:
            writers.append((ws.write_number, float))
        else:
            writers.append((ws.write_string, str))
    columns = [df[col].tolist() for col in df.columns]
    for r, row in enumerate(zip(*columns), start=header_row + 1):   # row by row, to disk
        for c, v in enumerate(row):
            if v is None or (isinstance(v, float) and v != v):
                continue
            write, kind = writers[c]
            write(r, c, kind(v))
    ws.freeze_panes(header_row + 1, 1)
    if len(df):
        ws.autofilter(header_row, 0, header_row + len(df), max(df.shape[1] - 1, 0))
