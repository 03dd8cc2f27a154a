"""SPSS ``.sav`` / ``.zsav`` and Stata ``.dta`` files, read with pyreadstat.

What the file knows is kept: **value labels** become the answers (code 4 labelled 满意 is read
as ``满意``, so the scale's labels apply as for any export) when every code the variable
holds has a label; a variable labelled only at some codes (a 0-10 question with its two
ends named) keeps its numbers; **variable labels** become the question texts; **user-missing codes**
(SPSS ``MISSING VALUES``, e.g. 9 = 不知道) become missing, as SPSS itself treats them.
Stata has no user-missing codes: its extended missing values (``.a`` ...) are missing.
Dates and times come as ISO text.

pyreadstat (the ReadStat C library) reads 100,000 x 60 in well under a second; pandas'
own ``read_spss`` needs pyreadstat anyway and loses the labels' metadata.

Example
-------
>>> data, meta = read("data/acme/survey.sav")          # doctest: +SKIP
>>> meta.questions["Q5_1"]                             # doctest: +SKIP
'您对本店商品质量的满意程度'
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .text import show_path

__all__ = ["read", "SpssMeta"]


@dataclass(frozen=True)
class SpssMeta:
    """What the file says about its variables."""

    questions: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    user_missing: dict[str, list] = field(default_factory=dict)
    kind: str = "sav"


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _as_text(col: pd.Series, labels: dict | None) -> pd.Series:
    """A column as text: codes replaced by their value labels, numbers without '.0'.

    Numeric columns hold few distinct values (scale codes), so the text of each distinct
    value is made once and mapped (fast on 100,000 rows)."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = col.astype("float64")
        labels = {float(k): str(v) for k, v in (labels or {}).items()
                  if isinstance(k, (int, float))}
        uniq = pd.unique(values.dropna())
        if len(uniq) > 5000:   # a continuous variable (duration, id): format vectorised
            whole = values.notna() & (values == values.round()) & (values.abs() < 1e15)
            out = pd.Series(np.nan, index=col.index, dtype=object)
            out[whole] = values[whole].astype("int64").astype(str).astype(object)
            rest = values.notna() & ~whole
            out[rest] = values[rest].map(repr)
            return out
        # Labels replace codes only when every code in the data has one: a 0-10 question
        # labelled at its ends (0 完全不可能, 10 非常可能) stays numbers, as it is a numeric scale
        full = bool(labels) and all(float(u) in labels for u in uniq)
        lookup = {u: labels[float(u)] if full else _number_text(u) for u in uniq}
        return values.map(lookup).astype(object)
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.map(lambda x: np.nan if pd.isna(x) else
                       (x.strftime("%Y-%m-%d") if x.time() == _dt.time() else
                        x.strftime("%Y-%m-%d %H:%M:%S"))).astype(object)
    out = col.astype(object).map(lambda x: np.nan if x is None or (isinstance(x, float) and
                                                                   np.isnan(x)) else x)
    out = out.map(lambda x: x.isoformat() if isinstance(x, (_dt.date, _dt.time)) else x)
    if labels:
        out = out.map(lambda x: labels.get(x, x) if isinstance(x, str) else x)
    text = out.map(lambda x: x.strip() if isinstance(x, str) else x)
    return text.mask(text == "")


def read(path: str | Path) -> tuple[pd.DataFrame, SpssMeta]:
    """Read an SPSS or Stata file: (text DataFrame with labels applied, its metadata)."""
    import pyreadstat

    where = show_path(path)
    from .table import file_kind
    kind = file_kind(path)
    if kind not in ("sav", "zsav", "dta"):
        raise CSIInputError(f"{where}: is not an SPSS (.sav/.zsav) or Stata (.dta) file; set "
                            "sources.survey.format to auto or table")
    try:
        if kind == "dta":
            df, meta = pyreadstat.read_dta(str(path))
        else:
            # user_missing=True keeps the declared codes (and their metadata): they are
            # set to missing below, as SPSS treats them
            df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise CSIInputError(f"{where}: cannot be read as {'Stata' if kind == 'dta' else 'SPSS'} "
                            f"({exc}); save it again from SPSS/Stata") from None
    ranges = getattr(meta, "missing_ranges", None) or {}
    for col, spans in ranges.items():
        if col in df.columns and pd.api.types.is_numeric_dtype(df[col]):
            gone = np.zeros(len(df), dtype=bool)
            for r in spans:
                lo, hi = r.get("lo"), r.get("hi")
                if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                    gone |= ((df[col] >= lo) & (df[col] <= hi)).to_numpy()
            df[col] = df[col].mask(gone)
    labels = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    data = pd.DataFrame({c: _as_text(df[c], labels.get(c)) for c in df.columns},
                        index=pd.RangeIndex(len(df)))
    questions = {c: str(t).strip() for c, t in (meta.column_names_to_labels or {}).items()
                 if t and str(t).strip()}
    value_labels = {c: {(str(int(k)) if isinstance(k, float) and k.is_integer() else str(k)):
                        str(v) for k, v in m.items()} for c, m in labels.items()}
    missing = {}
    for col, spans in ranges.items():
        missing[col] = [r.get("lo") if r.get("lo") == r.get("hi") else (r.get("lo"), r.get("hi"))
                        for r in spans]
    return data, SpssMeta(questions, value_labels, missing, kind)
