"""Values as clients write them: amounts, dates, durations and numbers in text cells.

CRM and survey exports hold numbers and dates as text written for people: ``¥52,906.37``,
``(1,234.50)``, ``2024年3月5日``, ``2024/3/5 14:05``, ``2分5秒``. The parsers here read a
whole column (a Series of text cells, NaN for empty) at once and never guess: a cell that
is not one of the documented forms is *bad*, and a date whose day/month order cannot be
known is *ambiguous*; :func:`problem` turns either mask into one line naming the file,
the column, the first lines and the fix.

Speed: every parser is vectorised (no Python loop runs over a column). A column is read
through its distinct values when they repeat (dates nearly always do: ``pd.factorize``
first); the common forms are read by one C-level conversion (pandas' strict
``to_datetime`` formats, NumPy ``StringDType`` to float); only the cells that fail it go
through the longer grammar, itself NumPy ``np.strings`` operations on those cells; long
columns are cut in chunks parsed in threads (the loops release the GIL). The one
cell-by-cell step is a last look at refused amounts holding an ``e`` (``1.5e3``). On two
cores, 10 million distinct ``¥52,906.37`` cells take seconds; see the tests for a
million-row check.

Example
-------
>>> import pandas as pd
>>> p = parse_amount(pd.Series(["¥52,906.37", "(1,234.50)", None, "1.234,50"]))
>>> p.values.tolist()[:2], p.bad.tolist()
([52906.37, -1234.5], [False, False, False, True])
>>> parse_date(pd.Series(["2024年3月5日", "05/03/2024"])).ambiguous.tolist()
[False, True]
"""
from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Parsed", "parse_amount", "parse_date", "parse_duration", "parse_number",
           "problem"]

_SD = np.dtypes.StringDType()
_WS = " \t\r\n\u00a0\u3000"
#: Single-character currency marks, stripped at either end of an amount.
CURRENCY_SIGNS = "¥￥$€元"
#: Currency codes, stripped at either end (any letter case).
CURRENCY_CODES = ("RMB", "CNY")
# NumPy 2.4's StringDType strip misses an ASCII character listed after a non-ASCII one in
# `chars` (np.strings.strip(['$5'], '€$') keeps the '$'): list ASCII characters first.
_AMOUNT_EDGE = "".join(sorted(dict.fromkeys(_WS + CURRENCY_SIGNS), key=lambda c: ord(c) > 127))
_MINUS = ("-", "\u2212", "\uff0d")          # hyphen-minus, minus sign, full-width hyphen
#: Duration units (lower case) and the letter each stands for, longest first.
DURATION_UNITS = (("小时", "h"), ("hours", "h"), ("hour", "h"), ("hrs", "h"), ("hr", "h"),
                  ("分钟", "m"), ("minutes", "m"), ("minute", "m"), ("mins", "m"),
                  ("min", "m"), ("分", "m"), ("秒钟", "s"), ("seconds", "s"),
                  ("second", "s"), ("secs", "s"), ("sec", "s"), ("秒", "s"))


@dataclass(frozen=True, eq=False)
class Parsed:
    """A parsed column.

    Attributes
    ----------
    values : float64 (or datetime64) Series, same index as the input; NaN / NaT where the
        cell is empty, bad or ambiguous.
    bad : bool Series: the cell holds text that is none of the accepted forms.
    ambiguous : bool Series: a date whose day/month order is unknown (dates only).
    """

    values: pd.Series
    bad: pd.Series
    ambiguous: pd.Series

    @property
    def ok(self) -> bool:
        """True when no cell is bad or ambiguous."""
        return not (self.bad.any() or self.ambiguous.any())

    def __repr__(self) -> str:
        n, bad, amb = len(self.values), int(self.bad.sum()), int(self.ambiguous.sum())
        empty = int(self.values.isna().sum()) - bad - amb
        return (f"Parsed({n} cells: {n - empty - bad - amb} read, {empty} empty, {bad} bad, "
                f"{amb} ambiguous)")


# --------------------------------------------------------------------------- plumbing
def _text(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    if isinstance(x, dt.datetime):
        return x.isoformat(sep=" ")
    if isinstance(x, dt.date):
        return x.isoformat()
    return str(x)


def _run(raw: pd.Series, core, dtype) -> Parsed:
    """Apply `core` (object array of str -> (values, bad, ambiguous)) to the non-empty cells."""
    raw = raw if isinstance(raw, pd.Series) else pd.Series(raw)
    if isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow":
        return _run_arrow(raw, core, dtype)
    arr = raw.to_numpy(dtype=object)
    present = ~pd.isna(arr)
    vals = arr[present]
    if len(vals) and pd.api.types.infer_dtype(vals, skipna=False) != "string":
        vals = np.array([x if isinstance(x, str) else _text(x) for x in vals], dtype=object)
    n = len(vals)
    dedupe = _few_distinct(vals)
    if dedupe and n:
        codes, uniques = pd.factorize(vals)
        got = [r[codes] for r in _threaded(core, np.asarray(uniques, dtype=object))]
    elif n:
        got = _threaded(core, vals)
    else:
        got = [np.array([], dtype=dtype), np.zeros(0, bool), np.zeros(0, bool)]
    values = np.full(len(arr), np.datetime64("NaT") if dtype.kind == "M" else np.nan,
                     dtype=dtype)
    bad, amb = np.zeros(len(arr), bool), np.zeros(len(arr), bool)
    values[present], bad[present], amb[present] = got
    return Parsed(pd.Series(values, index=raw.index, name=raw.name),
                  pd.Series(bad, index=raw.index, name=raw.name),
                  pd.Series(amb, index=raw.index, name=raw.name))


def _run_arrow(raw: pd.Series, core, dtype) -> Parsed:
    """:func:`_run` for a column of Arrow strings (a large CSV): the distinct values are
    found by Arrow and only they become Python strings."""
    codes, uniques = pd.factorize(raw)
    present = codes >= 0
    values = np.full(len(raw), np.datetime64("NaT") if dtype.kind == "M" else np.nan,
                     dtype=dtype)
    bad, amb = np.zeros(len(raw), bool), np.zeros(len(raw), bool)
    if len(uniques):
        got = _threaded(core, np.asarray(uniques, dtype=object))
        pick = codes[present]
        values[present], bad[present], amb[present] = (g[pick] for g in got)
    return Parsed(pd.Series(values, index=raw.index, name=raw.name),
                  pd.Series(bad, index=raw.index, name=raw.name),
                  pd.Series(amb, index=raw.index, name=raw.name))


def _few_distinct(vals: np.ndarray, m: int = 100_000) -> bool:
    """Whether the column has fewer distinct values than 60% of its length, so reading
    only the distinct values (pd.factorize first) pays. Estimated from a random sample of
    m cells: values seen 3+ times are frequent; among the other cells, u distinct values
    show about u (1 - exp(-m / u)) distinct values in a sample of m."""
    n = len(vals)
    if n <= m:
        return n < 2000 or len(pd.unique(vals)) <= 0.6 * n
    sample = vals[np.random.default_rng(0).choice(n, m, replace=False)]
    counts = pd.Series(sample).value_counts().to_numpy()
    rare = counts[counts < 3]
    m2, d2 = int(rare.sum()), len(rare)
    if m2 < 0.4 * m:                            # most cells hold frequent values
        return True
    if d2 >= m2:
        return False
    lo, hi = float(d2), 1e12                    # solve u (1 - exp(-m2/u)) = d2 by bisection
    for _ in range(60):
        u = (lo * hi) ** 0.5
        lo, hi = (u, hi) if u * -np.expm1(-m2 / u) < d2 else (lo, u)
    return lo < 0.6 * n * m2 / m


def _threaded(core, vals: np.ndarray) -> list[np.ndarray]:
    """`core` on chunks of a long column in threads (NumPy's string loops and pandas'
    date parsing release the GIL: about 1.6x faster on two cores)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cpus or 1, len(vals) // 500_000, 8)
    if workers < 2:
        return list(core(vals))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(core, np.array_split(vals, workers)))
    return [np.concatenate([p[i] for p in parts]) for i in range(3)]


def _numbers(raw, factor: float = 1.0, negative_bad: bool = False) -> Parsed | None:
    """A numeric Series passes through (times `factor`); None for anything else."""
    if not (isinstance(raw, pd.Series) and pd.api.types.is_numeric_dtype(raw.dtype)
            and not pd.api.types.is_bool_dtype(raw.dtype)):
        return None
    v = raw.astype("float64") * factor
    bad = np.isinf(v.to_numpy()) | (negative_bad & (v.to_numpy() < 0))
    bad = pd.Series(bad, index=raw.index, name=raw.name)
    return Parsed(v.mask(bad), bad, pd.Series(False, index=raw.index, name=raw.name))


def _cat(*parts):
    """Concatenate StringDType arrays / strings element-wise."""
    out = parts[0]
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return out


def _try_float(a: np.ndarray) -> np.ndarray | None:
    try:
        return a.astype(np.float64)
    except ValueError:
        return None


def _where(mask, a, b):
    return np.where(mask, a, b).astype(_SD, copy=False)


def _blank(a: np.ndarray) -> np.ndarray:
    return np.strings.str_len(np.strings.strip(a, _WS)) == 0


def _unsigned(a: np.ndarray) -> np.ndarray:
    """Digits with at most one decimal point (``12``, ``12.5``, ``.5``, ``12.``)."""
    return np.strings.isdecimal(np.strings.replace(a, ".", "", 1))


def _ungroup(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove thousands separators; ok is False where the commas are not every 3 digits
    of the integer part (``1,234.5`` ok; ``1,23``, ``1234,50`` and ``1.234,50`` not).
    `c` is unsigned: a signed value fails here or later and is read by :func:`_peel`."""
    first = np.strings.find(c, ",")
    has = first >= 0
    ok = np.ones(len(c), bool)
    if not has.any():
        return c, ok
    whole = bool(has.mean() > 0.5)             # most rows have commas: no fancy indexing
    w, f = (c, first) if whole else (c[has], first[has])
    last = np.strings.rfind(w, ",")
    dot = np.strings.find(w, ".")
    end = np.where(dot >= 0, dot, np.strings.str_len(w))       # end of the integer part
    k = np.ones(len(w), np.int64)
    multi = f != last
    if multi.any():
        k[multi] = np.strings.count(w[multi], ",")
    head = end - 4 * k                                          # digits before the 1st comma
    good = (last == end - 4) & (f == end - 4 * k) & (head >= 1) & (head <= 3)
    for j in range(2, int(k.max()) if good.any() else 0):        # middle commas of 1e9+
        at = good & (k > j)
        if at.any():
            pos = (end - 4 * j)[at]
            good[at] = np.strings.slice(w[at], pos, pos + 1) == ","
    if whole:
        return np.strings.replace(c, ",", ""), good | ~has
    out = c.copy()
    out[has] = np.strings.replace(w, ",", "")
    ok[has] = good
    return out, ok


def _peel(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strip currency marks, one sign and accounting parentheses from both ends (in any
    order); returns the bare number text and how many negative marks were found."""
    neg = np.zeros(len(x), np.int64)
    for _ in range(3):
        x = np.strings.strip(x, _AMOUNT_EDGE)
        for code in CURRENCY_CODES:
            up = np.strings.upper(x)
            m = np.strings.startswith(up, code)
            x = _where(m, np.strings.slice(x, len(code), None), x)
            m = np.strings.endswith(np.strings.upper(x), code)
            x = _where(m, np.strings.slice(x, 0, -len(code)), x)
        x = np.strings.strip(x, _AMOUNT_EDGE)
        m = ((np.strings.startswith(x, "(") & np.strings.endswith(x, ")"))
             | (np.strings.startswith(x, "（") & np.strings.endswith(x, "）")))
        neg += m
        x = _where(m, np.strings.slice(x, 1, -1), x)
        m = np.logical_or.reduce([np.strings.startswith(x, sign) for sign in _MINUS])
        neg += m
        plus = np.strings.startswith(x, "+")
        x = _where(m | plus, np.strings.slice(x, 1, None), x)
    return x, neg


def _finite(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bad = ~np.isfinite(v)
    v = np.where(bad, np.nan, v)
    return v, bad, np.zeros(len(v), bool)


def _exponent_rescue(x: np.ndarray, idx: np.ndarray, v: np.ndarray, bad: np.ndarray) -> None:
    """Scientific notation (``1.5e3``) among the refused cells: read one by one (rare)."""
    sci = idx[np.strings.find(np.strings.lower(x[idx]), "e") >= 0] if len(idx) else idx
    for i in sci:
        try:
            f = float(str(x[i]))
        except ValueError:
            continue
        if np.isfinite(f):
            v[i], bad[i] = f, False


# --------------------------------------------------------------------------- amounts
def _amount_core(vals: np.ndarray):
    a = vals.astype(_SD)
    v = _try_float(a)
    if v is not None:
        return _finite(v)
    c = np.strings.strip(a, _AMOUNT_EDGE)
    body, ok = _ungroup(c)
    valid = ok & _unsigned(body)            # signs, codes and parentheses: the odd path
    v = np.full(len(a), np.nan)
    v[valid] = body[valid].astype(np.float64)
    bad, amb = ~valid, np.zeros(len(a), bool)
    odd = np.flatnonzero(~valid)
    if len(odd):
        x, neg = _peel(a[odd])
        x, ok2 = _ungroup(x)
        good = ok2 & (neg <= 1) & _unsigned(x)
        f = np.full(len(odd), np.nan)
        f[good] = x[good].astype(np.float64)
        v[odd] = np.where(neg == 1, -f, f)
        bad[odd] = ~good
    idx = np.flatnonzero(bad)
    if len(idx):
        bad[idx[_blank(a[idx])]] = False
    _exponent_rescue(a, np.flatnonzero(bad), v, bad)
    return v, bad, amb


def parse_amount(raw: pd.Series) -> Parsed:
    """Read money amounts written as text.

    Rule: an amount is a number with an optional decimal point ``.``, optional thousands
    separators ``,`` placed every three digits of the integer part, an optional currency
    mark at either end (``¥`` ``￥`` ``$`` ``€`` ``元``, or the codes ``RMB`` / ``CNY`` in
    any case, blanks allowed), and an optional sign: ``-`` (also ``−`` / ``－``) before the
    number or the currency mark, or accounting parentheses ``(1,234.50)`` for a
    negative. Full-width digits (``１２３``) and scientific notation (``1.5e3``) are read.
    Refused (bad): decimal commas and European grouping (``1.234,50``, ``1234,50``),
    misplaced separators (``1,23``), two negative marks (``-(5)``), text (``N/A``, ``-``),
    ``inf`` / ``nan``. Empty cells (NaN or blanks only) are missing, not bad.

    Parameters
    ----------
    raw : Series of text cells (numbers pass through).

    Returns
    -------
    Parsed with float64 ``values``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["¥52,906.37", "￥1,234.50", "2,867.53", "1200", "RMB 88", "-¥5",
    ...                "(1,234.50)", "30元", "1.234,50", "abc", None])
    >>> p = parse_amount(s)
    >>> p.values.tolist()[:8]
    [52906.37, 1234.5, 2867.53, 1200.0, 88.0, -5.0, -1234.5, 30.0]
    >>> p.bad.tolist()[8:]
    [True, True, False]
    """
    return _numbers(raw) or _run(raw, _amount_core, np.dtype("float64"))


def _number_core(vals: np.ndarray):
    v = _try_float(vals.astype(_SD))
    if v is None:                                  # some cells are not numbers
        v = pd.to_numeric(pd.Series(vals, dtype=object).str.strip(), errors="coerce")
        v = v.to_numpy(dtype=np.float64, na_value=np.nan)
    v, bad, amb = _finite(v)
    idx = np.flatnonzero(bad)
    if len(idx):
        bad[idx[_blank(vals[idx].astype(_SD))]] = False
    return v, bad, amb


def parse_number(raw: pd.Series) -> Parsed:
    """Read plain numbers (ratings, counts, years): ``4``, ``-1.5``, ``.5``, ``1e3``.

    Rule: an optional ``+`` / ``-``, digits and at most one decimal point (or scientific
    notation), blanks around; no thousands separators, units or currency (use
    :func:`parse_amount` for money). ``inf`` / ``nan`` and text are bad; empty cells are
    missing.

    Example
    -------
    >>> import pandas as pd
    >>> parse_number(pd.Series(["4", " 5 ", "-1.5", "很好"])).bad.tolist()
    [False, False, False, True]
    """
    return _numbers(raw) or _run(raw, _number_core, np.dtype("float64"))


# --------------------------------------------------------------------------- dates
def _parts(a: np.ndarray, sep: str, n: int) -> list[np.ndarray]:
    """Split on `sep` into `n` parts (the rows must hold exactly n - 1 separators)."""
    out, rest = [], a
    for _ in range(n - 1):
        p = np.strings.find(rest, sep)
        out.append(np.strings.slice(rest, 0, p))
        rest = np.strings.slice(rest, p + 1, None)
    return out + [rest]


def _date_core(vals: np.ndarray):
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):   # Excel, ISO exports
        try:
            v = np.asarray(pd.to_datetime(vals, format=fmt), dtype="datetime64[us]")
            return v, np.zeros(len(v), bool), np.zeros(len(v), bool)
        except (ValueError, TypeError):
            pass
    # Mixed column: each common shape (told by the 5th character, the colons and a 'T') is
    # read by pandas' strict formats; what none of them reads goes through the grammar.
    n = len(vals)
    a = vals.astype(_SD)
    v = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    todo = np.ones(n, bool)
    fifth, colons = np.strings.slice(a, 4, 5), np.strings.count(a, ":")
    compact = np.strings.isdecimal(fifth) & (colons == 0) & (np.strings.str_len(a) == 8)
    shapes = [(compact, ("%Y%m%d",)), ((fifth == "年") & (colons == 0), ("%Y年%m月%d日",))]
    tee = np.strings.find(a, "T") >= 0 if (colons > 0).any() else np.zeros(n, bool)
    for sep in "-/.":
        at = fifth == sep
        if not at.any():
            continue
        day = f"%Y{sep}%m{sep}%d"
        shapes.append((at & (colons == 0), (day,)))
        for t, mark in ((~tee, " "), (tee, "T")):
            shapes += [(at & t & (colons == 1), (f"{day}{mark}%H:%M",)),
                       (at & t & (colons == 2), (f"{day}{mark}%H:%M:%S",
                                                 f"{day}{mark}%H:%M:%S.%f"))]
    for rows, formats in shapes:
        for fmt in formats:
            idx = np.flatnonzero(rows & todo)
            if len(idx):
                got = np.asarray(pd.to_datetime(vals[idx], format=fmt, errors="coerce"),
                                 dtype="datetime64[us]")
                v[idx], todo[idx] = got, np.isnat(got)
    bad, amb = np.zeros(n, bool), np.zeros(n, bool)
    rest = np.flatnonzero(todo)
    if len(rest):
        v[rest], bad[rest], amb[rest] = _date_grammar(a[rest])
    return v, bad, amb


def _date_grammar(a: np.ndarray):
    """The full date grammar of :func:`parse_date`, on a StringDType array."""
    n = len(a)
    a = np.strings.strip(a, _WS)
    bad = np.zeros(n, bool)
    zh = np.strings.find(a, "年") >= 0
    if zh.any():                                  # 2024年3月5日[ 14:05] -> 2024-3-5 14:05
        z = np.strings.replace(a[zh], "号", "日")
        y, m, d = (np.strings.find(z, ch) for ch in "年月日")
        once = ((np.strings.count(z, "年") == 1) & (np.strings.count(z, "月") == 1)
                & (np.strings.count(z, "日") == 1) & (y < m) & (m < d))
        z = np.strings.replace(np.strings.replace(z, "年", "-"), "月", "-")
        z = np.strings.strip(np.strings.replace(z, "日", " "), _WS)
        for ch, to in (("时", ":"), ("分", ":"), ("秒", "")):
            z = np.strings.replace(z, ch, to)
        a[zh] = np.strings.rstrip(z, ":")
        bad[zh] = ~once
    sp = np.strings.find(a, " ")
    sp = np.where(sp < 0, np.strings.find(a, "T"), sp)
    date = _where(sp >= 0, np.strings.slice(a, 0, sp), a)
    time = _where(sp >= 0, np.strings.lstrip(np.strings.slice(a, sp + 1, None), _WS), "")
    counts = {c: np.strings.count(date, c) for c in "-/."}
    total = counts["-"] + counts["/"] + counts["."]
    one_kind = (total == 2) & ((counts["-"] == 2) | (counts["/"] == 2) | (counts["."] == 2))
    compact = (total == 0) & (np.strings.str_len(date) == 8) & np.strings.isdecimal(date)
    norm = np.strings.replace(np.strings.replace(date, "/", "-"), ".", "-")
    p1, p2, p3 = _parts(_where(one_kind, norm, "--"), "-", 3)
    l1, l2, l3 = (np.strings.str_len(p) for p in (p1, p2, p3))
    digits = np.strings.isdecimal(p1) & np.strings.isdecimal(p2) & np.strings.isdecimal(p3)
    short2 = (l2 >= 1) & (l2 <= 2)
    ymd = one_kind & digits & (l1 == 4) & short2 & (l3 >= 1) & (l3 <= 2)
    ambiguous = (one_kind & digits & (l1 >= 1) & (l1 <= 2) & short2 & ((l3 == 4) | (l3 == 2))
                 & ~bad)
    y = _where(compact, np.strings.slice(date, 0, 4), p1)
    m = _where(compact, np.strings.slice(date, 4, 6), np.strings.zfill(p2, 2))
    d = _where(compact, np.strings.slice(date, 6, 8), np.strings.zfill(p3, 2))
    colons = np.strings.count(time, ":")
    t = _where(colons == 1, np.strings.add(time, ":00"), time)
    h, mi, sec = _parts(_where((colons == 1) | (colons == 2), t, "::"), ":", 3)
    whole, frac = _parts(_where(np.strings.find(sec, ".") >= 0, sec, np.strings.add(sec, ".")),
                         ".", 2)
    two = [(np.strings.str_len(p) >= 1) & (np.strings.str_len(p) <= 2) & np.strings.isdecimal(p)
           for p in (h, mi, whole)]
    frac_ok = (np.strings.str_len(frac) == 0) | np.strings.isdecimal(frac)
    has_time = np.strings.str_len(time) > 0
    time_ok = ~has_time | (two[0] & two[1] & two[2] & frac_ok)
    shape_ok = (ymd | compact) & time_ok & ~bad
    z2 = [np.strings.zfill(p, 2) for p in (h, mi, whole)]
    clock = _where(has_time, _cat(z2[0], ":", z2[1], ":", z2[2]), "00:00:00")
    text = _cat(y, "-", m, "-", d, " ", clock)
    with_frac = shape_ok & (np.strings.str_len(frac) > 0)
    text = _where(with_frac, _cat(text, ".", frac), text)
    v = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    for rows, fmt in ((shape_ok & ~with_frac, "%Y-%m-%d %H:%M:%S"),
                      (with_frac, "%Y-%m-%d %H:%M:%S.%f")):
        if rows.any():
            v[rows] = pd.to_datetime(pd.Series(text[rows].astype(object)), format=fmt,
                                     errors="coerce").to_numpy("datetime64[us]")
    empty = np.strings.str_len(a) == 0
    bad = ~empty & ~ambiguous & np.isnat(v)
    return v, bad, ambiguous


def parse_date(raw: pd.Series) -> Parsed:
    """Read dates (and date-times) written as text; never guess a day/month order.

    Rule: the year comes first, as four digits. Accepted:

    ==========================  ======================================================
    ISO 8601                    ``2024-03-05``, ``2024-3-5``, ``2024-03-05 14:23:11``,
                                ``2024-03-05T14:23``  (Excel date cells arrive so)
    slashes / dots              ``2024/3/5``, ``2024/03/05 14:05``, ``2024.3.5``
    Chinese                     ``2024年3月5日``, ``2024年3月5号``, ``2024年3月5日 14:05``,
                                ``2024年3月5日14时5分``
    compact                     ``20240305``
    ==========================  ======================================================

    A time is ``H:MM`` or ``H:MM:SS`` with optional fractional seconds. Invalid calendar
    dates (``2024-02-30``), other forms and text are *bad*. A year-last date
    (``05/03/2024``, ``5.3.2024``, ``05-03-2024``) is *ambiguous*: 5 March in most of the
    world, May 3 in the US, and nothing in the cell says which; it is never read (the fix
    is to export the column as YYYY-MM-DD). Reference: ISO 8601-1:2019.

    Returns
    -------
    Parsed with datetime64 ``values`` (NaT for empty, bad and ambiguous cells).

    Examples
    --------
    >>> import pandas as pd
    >>> p = parse_date(pd.Series(["2024-03-05", "2024/3/5 14:05", "2024年3月5日", "2024.3.5",
    ...                           "20240305", "2024-02-30", "05/03/2024", None]))
    >>> [str(x) for x in p.values[:5]]
    ['2024-03-05 00:00:00', '2024-03-05 14:05:00', '2024-03-05 00:00:00', \
'2024-03-05 00:00:00', '2024-03-05 00:00:00']
    >>> p.bad.tolist()[5:], p.ambiguous.tolist()[5:]
    ([True, False, False], [False, True, False])
    """
    if isinstance(raw, pd.Series) and pd.api.types.is_datetime64_any_dtype(raw.dtype):
        false = pd.Series(False, index=raw.index, name=raw.name)
        return Parsed(raw, false, false.copy())
    return _run(raw, _date_core, np.dtype("datetime64[us]"))


# --------------------------------------------------------------------------- durations
def _duration_core(vals: np.ndarray, factor: float):
    a = vals.astype(_SD)
    v = _try_float(a)
    if v is not None:
        v, bad, amb = _finite(v)
        bad |= v < 0
        return np.where(bad, np.nan, v * factor), bad, amb
    n = len(a)
    x = np.strings.replace(np.strings.lower(np.strings.strip(a, _WS)), " ", "")
    plain = _unsigned(x)
    v = np.full(n, np.nan)
    v[plain] = x[plain].astype(np.float64) * factor
    colons = np.strings.count(x, ":")
    clock = ~plain & ((colons == 1) | (colons == 2))
    if clock.any():                               # 00:02:25 (h:m:s) or 02:25 (m:s)
        c = x[clock]
        c = _where(colons[clock] == 1, np.strings.add("0:", c), c)
        h, m, s = _parts(c, ":", 3)
        ok = np.strings.isdecimal(h) & np.strings.isdecimal(m) & _unsigned(s)
        f = [_where(ok, p, "0").astype(np.float64) for p in (h, m, s)]
        ok &= (f[1] < 60) & (f[2] < 60)
        v[clock] = np.where(ok, f[0] * 3600 + f[1] * 60 + f[2], np.nan)
    units = ~plain & ~clock
    if units.any():                               # 1小时2分5秒, 2分钟, 145s, 2m 5s
        u = x[units]
        for word, letter in DURATION_UNITS:
            u = np.strings.replace(u, word, letter)
        total, ok, seen = np.zeros(len(u)), np.strings.str_len(u) > 0, np.zeros(len(u), bool)
        for letter, secs in (("h", 3600.0), ("m", 60.0), ("s", 1.0)):
            p = np.strings.find(u, letter)
            part = _where(p >= 0, np.strings.slice(u, 0, np.maximum(p, 0)), "0")
            good = _unsigned(part)
            ok &= good | (p < 0)
            total += np.where(good & (p >= 0), _where(good, part, "0").astype(np.float64), 0) \
                * secs
            seen |= p >= 0
            u = _where(p >= 0, np.strings.slice(u, p + 1, None), u)
        ok &= seen & (np.strings.str_len(u) == 0)
        v[units] = np.where(ok, total, np.nan)
    bad = np.isnan(v) & ~_blank(a)
    return v, bad, np.zeros(n, bool)


def parse_duration(raw: pd.Series, unit: str = "seconds") -> Parsed:
    """Read durations (interview length, call time) as seconds.

    Rule: a plain number is in `unit` (``seconds`` or ``minutes``, converted to seconds);
    otherwise the cell is a clock ``H:MM:SS`` / ``M:SS`` (``00:02:25``, ``02:25``) or
    numbers with units in the order hours, minutes, seconds, blanks allowed: ``145秒``,
    ``2分5秒``, ``1小时2分5秒``, ``2分钟``, ``145s``, ``2m 5s``, ``1h 2min`` (units: 小时
    h hr hour(s); 分 分钟 m min minute(s); 秒 秒钟 s sec second(s)). Negative numbers,
    minutes or seconds of 60 or more in a clock, and other text are bad.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_duration(pd.Series(["145", "145秒", "2分5秒", "1小时2分5秒", "00:02:25", "2m 5s",
    ...                           "快"])).values.tolist()[:6]
    [145.0, 145.0, 125.0, 3725.0, 145.0, 125.0]
    >>> parse_duration(pd.Series(["2.5"]), unit="minutes").values.tolist()
    [150.0]
    """
    factors = {"seconds": 1.0, "minutes": 60.0}
    if unit not in factors:
        raise ValueError(f"unit must be seconds | minutes, not {unit!r}")
    return _numbers(raw, factors[unit], negative_bad=True) or \
        _run(raw, lambda v: _duration_core(v, factors[unit]), np.dtype("float64"))


# --------------------------------------------------------------------------- messages
def _short(value, width: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def problem(where: str, column: str, raw: pd.Series, mask, expected: str, fix: str, *,
            our_name: str | None = None, first_line: int = 2) -> str:
    """One line describing the cells of `raw` selected by `mask`, for ``InputProblems``.

    The line names the file (`where`), the column (with our canonical name when it is
    mapped from another header), how many cells, the first five as ``line N 'value'``
    and the fix. Data row i (0-based position) is file line ``i + first_line`` (the
    header is line 1). Returns ``""`` when `mask` selects nothing.

    Example
    -------
    >>> import pandas as pd
    >>> raw = pd.Series(["2024-03-05", "05/03/2024", "abc"])
    >>> problem("data/acme/crm.xlsx", "订单日期", raw, [False, True, True], "a date",
    ...         "write dates as YYYY-MM-DD", our_name="date")
    "data/acme/crm.xlsx: column '订单日期' (date): 2 cells are not a date (line 3 \
'05/03/2024', line 4 'abc'); write dates as YYYY-MM-DD"
    """
    pos = np.flatnonzero(np.asarray(mask, dtype=bool))
    if not len(pos):
        return ""
    name = f"column {column!r}" + (f" ({our_name})" if our_name and our_name != column else "")
    values = raw.to_numpy(dtype=object)
    shown = ", ".join(f"line {p + first_line} {_short(values[p])}" for p in pos[:5])
    more = f" and {len(pos) - 5:,} more" if len(pos) > 5 else ""
    count = "1 cell is" if len(pos) == 1 else f"{len(pos):,} cells are"
    return f"{where}: {name}: {count} not {expected} ({shown}{more}); {fix}"
