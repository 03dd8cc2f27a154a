"""Tables made for reading: what a reviewer sees of a DataFrame in the report.

A notebook's table keeps machine names and full precision in its CSV file and in the
Excel workbook. In the report it is shown through great-tables (Posit's table library,
made for publication tables) by :func:`readable`:

* headers in the report's language (:mod:`.vocabulary`), with units (0-100, %, currency);
* latent variable, indicator and item ids replaced by their names from the params;
  ``IMAG -> SAT`` paths by ``Corporate image → Customer satisfaction``;
* no positional 0..n index; a meaningful index becomes the first column;
* numbers by meaning: shares as ``72.4%``, p-values APA style (``< .001``), money with
  thousands separators, loadings to three decimals, scores to one; missing as "—";
* verdicts coloured (good green, poor red);
* long tables cut to ``max_rows`` with a note naming the Excel sheet that holds them whole.

Example
-------
>>> import pandas as pd
>>> t = readable(pd.DataFrame({"lv": ["SAT"], "index": [74.13], "p_value": [0.0]}),
...              labels={"SAT": "Customer satisfaction"})
>>> "Customer satisfaction" in t.html and "&lt; .001" in t.html
True
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import vocabulary as vocab

__all__ = ["readable", "ReadableTable", "format_p", "GOOD", "BAD"]

#: values shown in green / red in verdict-like columns
GOOD = {"good", "ok", "acceptable", "marvelous", "meritorious", "substantial", "strong",
        "collected", "keep_up", "Keep up the good work"}
BAD = {"poor", "unacceptable", "miserable", "very weak", "AVE < .50", "missing",
       "concentrate", "Concentrate here", "n < 30: indicative only"}
_VERDICT_COLUMNS = {"verdict", "reading", "flag", "status", "passes", "fornell_larcker",
                    "inside", "quadrant_label"}
_NUMERIC_KINDS = {"int", "pct", "pct100", "p", "score", "coef", "stat", "money"}
_PATH = re.compile(r"^\s*(\S+)\s*->\s*(\S+)\s*$")


def format_p(p, lang: str = "en") -> str:
    """A p-value as APA writes it: no leading zero, three decimals, ``< .001`` below.

    >>> format_p(0.0), format_p(0.0342), format_p(1.0)
    ('< .001', '.034', '1.000')
    """
    if p is None or (isinstance(p, float) and np.isnan(p)):
        return "—"
    p = float(p)
    if p < 0.001:
        return "< .001"
    text = f"{p:.3f}"
    return text[1:] if text.startswith("0") else text


@dataclass
class ReadableTable:
    """A table as the report shows it: ``html`` (great-tables) and the plain text of it."""

    html: str
    text: str
    rows: int
    shown: int

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def _frame(df, index) -> pd.DataFrame:
    frame = df.to_frame() if isinstance(df, pd.Series) else df.copy()
    keep_index = index if index is not None else not isinstance(frame.index, pd.RangeIndex)
    if keep_index:
        names = [n if n is not None else "" for n in frame.index.names]
        frame.index.names = names if len(names) > 1 else names[0:1]
        if len(names) == 1:
            frame.index.name = names[0]
        frame = frame.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    return frame.reset_index(drop=True)


def _one_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Columns ``X`` and ``X_zh`` (a value and its Chinese): the one of the report's language,
    under the name ``X``."""
    twins = [c for c in frame.columns if c.endswith("_zh") and c[:-3] in frame.columns]
    if not twins:
        return frame
    if lang == "zh":
        frame = frame.drop(columns=[c[:-3] for c in twins])
        return frame.rename(columns={c: c[:-3] for c in twins})
    return frame.drop(columns=twins)


def _kinds(frame: pd.DataFrame, labels: dict, formats: dict) -> dict[str, str]:
    kinds, last_numeric = {}, "stat"
    for col in frame.columns:
        kind = formats.get(col) or vocab.kind_of(col, frame[col].dtype)
        if col in labels:                 # a column named by a code (HTMT, loadings matrix)
            kind = formats.get(col) or ("coef" if frame[col].dtype.kind == "f" else kind)
        if kind == "same":
            kind = last_numeric
        if kind in _NUMERIC_KINDS and frame[col].dtype.kind not in "iufb":
            converted = pd.to_numeric(frame[col], errors="coerce")
            if converted.notna().sum() < frame[col].notna().sum():
                kind = "text"             # e.g. a value column mixing numbers and words
        if kind in ("stat", "coef", "score") and frame[col].dtype.kind in "iu":
            kind = "int"                  # counts in a column that elsewhere holds decimals
        if kind in _NUMERIC_KINDS - {"int"}:
            last_numeric = kind
        if col == "" and all(isinstance(v, str) and v in labels for v in frame[col]):
            kind = "code"
        kinds[col] = kind
    return kinds


def _translate(frame: pd.DataFrame, kinds: dict, labels: dict, lang: str) -> pd.DataFrame:
    out = frame.copy()
    yes, no = vocab.word("yes", lang), vocab.word("no", lang)
    for col, kind in kinds.items():
        s = out[col].astype(object)
        if kind == "code" or (kind == "text" and any(isinstance(v, str) and v in labels
                                                      for v in s)):
            out[col] = s.map(lambda v: labels.get(v, vocab.value(v, lang)) if isinstance(v, str)
                             else v)
        elif col in ("path", "effect"):
            def path(v):
                m = _PATH.match(v) if isinstance(v, str) else None
                return (f"{labels.get(m.group(1), m.group(1))} → {labels.get(m.group(2), m.group(2))}"
                        if m else v)
            out[col] = s.map(path)
        elif kind == "bool":
            out[col] = s.map(lambda v: yes if v is True or v == 1 and not isinstance(v, str)
                             else no if v is False or v == 0 and not isinstance(v, str) else v)
        elif kind == "text":
            out[col] = s.map(lambda v: _number_text(vocab.value(v, lang)))
        elif kind == "date":
            out[col] = pd.to_datetime(s, errors="coerce").dt.strftime("%Y-%m-%d").where(
                s.notna(), None)
    return out


_NUMBER = re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")


def _number_text(v):
    """A number in a text column (a measure/value table): whole numbers with separators,
    others to three decimals (one from 100 up)."""
    if isinstance(v, str) and _NUMBER.match(v.strip()):
        v = float(v)
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return v
    if np.isnan(v):
        return v
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.1f}" if abs(v) >= 100 else f"{v:.3f}"


def _header(col: str, kind: str, labels: dict, lang: str, currency: str) -> str:
    if col == "":
        return ""
    text = labels.get(col) or vocab.header(col, lang)
    if kind == "money" and currency:
        text += f" ({currency})" if lang != "zh" else f"（{currency}）"
    if kind in ("pct", "pct100") and "%" not in text:
        text += " (%)" if lang != "zh" else "（%）"
    return text


def readable(df: pd.DataFrame | pd.Series, lang: str = "en", *, labels: dict | None = None,
             name: str | None = None, sheet: str | None = None, max_rows: int | None = 15,
             file: str | None = None, index: bool | None = None, formats: dict | None = None,
             currency: str = "", title: str | None = None, decimals: dict | None = None
             ) -> ReadableTable:
    """``df`` as a reader sees it (see the module docstring).

    Parameters
    ----------
    lang : "en" or "zh": headers, yes/no and short values in that language.
    labels : {code: name} for latent variables, indicators and items (``wb.labels``).
    name : the table's stem (``04_csi``): gives the title; ``sheet`` names the Excel sheet
        holding the whole table (the note under a cut table points there); ``file``
        (``05_rfm.csv``) instead names the CSV of a table too long for a sheet.
    max_rows : rows shown; the rest is left to the Excel sheet. None shows all.
    index : keep the index as the first column (default: unless it is a plain 0..n range).
    formats : {column: kind} overriding :mod:`.vocabulary` (e.g. ``{"value": "stat"}``).
    currency : the unit added to money headers (``client.currency``).
    """
    labels = dict(labels or {})
    frame = _frame(df, index)
    frame = _one_language(frame, lang)
    kinds = _kinds(frame, labels, formats or {})
    total = len(frame)
    if max_rows is not None and total > max_rows:
        frame = frame.head(max_rows)
    shown_frame = _translate(frame, kinds, labels, lang)
    return _render(shown_frame, frame, kinds, labels, lang, name=name, sheet=sheet, total=total,
                   currency=currency, title=title, decimals=decimals or {}, file=file)


def _render(shown: pd.DataFrame, raw: pd.DataFrame, kinds: dict, labels: dict, lang: str, *,
            name, sheet, total, currency, title, decimals, file=None) -> ReadableTable:
    from great_tables import GT, loc, style

    # great-tables needs unique, non-empty column names: work on positional names
    cols = [f"c{i}" for i in range(shown.shape[1])]
    data = shown.copy()
    data.columns = cols
    for c, k in zip(cols, kinds.values()):
        if k not in _NUMERIC_KINDS:
            data[c] = data[c].map(lambda v: v if v is None or (isinstance(v, float) and np.isnan(v))
                                  else str(v)).astype(object)
    gt = GT(data, id=f"csi-{name or 'table'}".replace("_", "-"))
    heads = {c: _header(col, kinds[col], labels, lang, currency) for c, col in zip(cols, shown.columns)}
    gt = gt.cols_label(**{c: (h if h else " ") for c, h in heads.items()})
    for c, (col, kind) in zip(cols, kinds.items()):
        if kind == "int":
            gt = gt.fmt_integer(columns=c, use_seps=True)
        elif kind == "pct":
            gt = gt.fmt_percent(columns=c, decimals=decimals.get(col, 1), scale_values=True)
        elif kind == "pct100":
            gt = gt.fmt_percent(columns=c, decimals=decimals.get(col, 1), scale_values=False)
        elif kind == "p":
            gt = gt.fmt(lambda v: _html.escape(format_p(v, lang)), columns=c)  # GT writes HTML
        elif kind == "score":
            gt = gt.fmt_number(columns=c, decimals=decimals.get(col, 1), use_seps=True)
        elif kind == "coef":
            gt = gt.fmt_number(columns=c, decimals=decimals.get(col, 3))
        elif kind == "stat":
            gt = gt.fmt_number(columns=c, decimals=decimals.get(col, 2), use_seps=True)
        elif kind == "money":
            gt = gt.fmt_number(columns=c, decimals=decimals.get(col, 2), use_seps=True)
        if kind in _NUMERIC_KINDS:
            gt = gt.cols_align("right", columns=c)
        else:
            gt = gt.cols_align("left", columns=c)
        if col in _VERDICT_COLUMNS:
            good = [i for i, v in enumerate(raw[col]) if v in GOOD or v is True]
            bad = [i for i, v in enumerate(raw[col]) if v in BAD or v is False]
            if good:
                gt = gt.tab_style(style.text(color="#2e7d32", weight="bold"), loc.body(c, good))
            if bad:
                gt = gt.tab_style(style.text(color="#c62828", weight="bold"), loc.body(c, bad))
    gt = gt.sub_missing(missing_text="—")
    heading = title if title is not None else (vocab.title(name, lang) if name else None)
    if heading:
        gt = gt.tab_header(title=heading)
    if file and total > len(shown):
        gt = gt.tab_source_note(vocab.word("file_more_rows", lang, shown=len(shown), total=total,
                                           file=file))
    elif sheet and total > len(shown):
        gt = gt.tab_source_note(vocab.word("more_rows", lang, shown=len(shown), total=total,
                                           sheet=sheet))
    elif sheet:
        gt = gt.tab_source_note(vocab.word("sheet_pointer", lang, sheet=sheet))
    n_cols = shown.shape[1]
    gt = gt.tab_options(table_font_size="13px" if n_cols <= 7 else "11px",
                        heading_title_font_size="14px", heading_align="left",
                        data_row_padding="3px", column_labels_font_weight="bold",
                        source_notes_font_size="11px", table_width="100%" if n_cols > 7 else None,
                        column_labels_background_color="#eef2f7", heading_border_bottom_color="#1f4e79",
                        table_border_top_color="#1f4e79")
    markup = gt.as_raw_html(make_page=False)
    markup = f'<div class="csi-table" data-table="{_html.escape(name or "")}">{markup}</div>'
    text = shown.rename(columns=lambda c: labels.get(c) or vocab.header(c, lang)).to_string(
        index=False)
    return ReadableTable(html=markup, text=text, rows=total, shown=len(shown))
