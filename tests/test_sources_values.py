"""csi_helpers.sources.values: amounts, dates, durations, numbers as clients write them."""
from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

from csi_helpers.sources.values import (Parsed, parse_amount, parse_date, parse_duration,
                                        parse_number, problem)


def one(parser, text, **kw):
    p = parser(pd.Series([text], dtype=object), **kw)
    return p.values.iloc[0], bool(p.bad.iloc[0]), bool(p.ambiguous.iloc[0])


# --------------------------------------------------------------------------- amounts
@pytest.mark.parametrize("text, value", [
    ("¥52,906.37", 52906.37), ("￥1,234.50", 1234.5), ("2,867.53", 2867.53), ("1200", 1200),
    ("12.5", 12.5), (" 7 ", 7), (".5", 0.5), ("5.", 5), ("+3", 3), ("-3", -3),
    ("¥ 1,234", 1234), ("1,234 元", 1234), ("30元", 30), ("$1,000", 1000), ("€3", 3),
    ("RMB 88", 88), ("rmb88", 88), ("88 CNY", 88), ("CNY 1,234.50", 1234.5),
    ("-¥5", -5), ("¥-5", -5), ("−5", -5), ("－5", -5), ("(1,234.50)", -1234.5),
    ("(¥1,234.50)", -1234.5), ("¥(1,234.50)", -1234.5), ("（1,234.50）", -1234.5),
    ("1,234,567.89", 1234567.89), ("1,234,567,890.12", 1234567890.12),
    ("１２３", 123), ("1.5e3", 1500), ("0", 0),
])
def test_amount_accepted_forms(text, value):
    v, bad, amb = one(parse_amount, text)
    assert (v, bad, amb) == (pytest.approx(value), False, False)


@pytest.mark.parametrize("text", [
    "1.234,50", "1234,50", "1 234,50", "1,23", "12,3456", ",123", "1,234.5,6", "-(5)",
    "--5", "abc", "N/A", "-", "¥", "inf", "nan", "5¥3", "1 234", "(5", "5)", "1.2.3",
    "¥1,234.50 ¥2", "12%",
])
def test_amount_refused_forms(text):
    v, bad, _ = one(parse_amount, text)
    assert bad and np.isnan(v)


def test_amount_empty_cells_are_missing_not_bad():
    p = parse_amount(pd.Series([None, np.nan, "", "   ", "\u3000", "5"], dtype=object))
    assert p.bad.tolist() == [False] * 6
    assert p.values.isna().tolist() == [True] * 5 + [False]


def test_amount_keeps_index_name_and_input():
    raw = pd.Series(["¥1,000", "x"], index=[10, 20], name="金额", dtype=object)
    before = raw.copy()
    p = parse_amount(raw)
    assert list(p.values.index) == [10, 20] and p.values.name == "金额"
    assert p.values.dtype == "float64" and p.bad.dtype == bool
    assert not p.ambiguous.any() and not p.ok
    pd.testing.assert_series_equal(raw, before)
    assert "1 read" in repr(p) and "1 bad" in repr(p)


def test_amount_numbers_and_mixed_objects_pass_through():
    assert parse_amount(pd.Series([1.5, None, 3])).values.tolist()[::2] == [1.5, 3.0]
    assert parse_amount(pd.Series(["1", 2.5, 3], dtype=object)).values.tolist() == [1, 2.5, 3]
    assert parse_amount(pd.Series(["¥1,000", "2"], dtype="str")).values.tolist() == [1000, 2]
    assert parse_amount(pd.Series([], dtype=object)).values.empty


def test_amount_plain_column_with_one_odd_value():
    raw = pd.Series(["1", "2.5", "-3"] * 1000 + ["¥1,234.50", "1.234,50"], dtype=object)
    p = parse_amount(raw)
    assert p.values.iloc[-2] == 1234.5 and p.bad.sum() == 1 and p.bad.iloc[-1]


# --------------------------------------------------------------------------- numbers
def test_number_plain_forms_only():
    p = parse_number(pd.Series(["4", " 5 ", "-1.5", "+3", "1e2", ".5", "很好", "1,000", "¥5",
                                "inf", None, ""], dtype=object))
    assert p.values.tolist()[:6] == [4, 5, -1.5, 3, 100, 0.5]
    assert p.bad.tolist() == [False] * 6 + [True] * 4 + [False, False]
    assert parse_number(pd.Series([4, 5])).values.tolist() == [4.0, 5.0]


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize("text, when", [
    ("2024-03-05", "2024-03-05"), ("2024-3-5", "2024-03-05"),
    ("2024-03-05 14:23:11", "2024-03-05 14:23:11"), ("2024-03-05T14:23", "2024-03-05 14:23"),
    ("2024-03-05 14:23:11.250", "2024-03-05 14:23:11.250"), ("2024-03-05 9:05", "2024-03-05 09:05"),
    ("2024/3/5", "2024-03-05"), ("2024/03/05 14:05", "2024-03-05 14:05"),
    ("2024/3/5 14:05:09", "2024-03-05 14:05:09"), ("2024.3.5", "2024-03-05"),
    ("2024.03.05 08:00", "2024-03-05 08:00"), ("2024年3月5日", "2024-03-05"),
    ("2024年03月05日", "2024-03-05"), ("2024年3月5号", "2024-03-05"),
    ("2024年3月5日 14:05", "2024-03-05 14:05"), ("2024年3月5日14时5分", "2024-03-05 14:05"),
    ("2024年3月5日 14时5分30秒", "2024-03-05 14:05:30"), ("20240305", "2024-03-05"),
    (" 2024-03-05 ", "2024-03-05"), ("2024-02-29", "2024-02-29"),
])
def test_date_accepted_forms(text, when):
    v, bad, amb = one(parse_date, text)
    assert (v, bad, amb) == (pd.Timestamp(when), False, False)


@pytest.mark.parametrize("text", [
    "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-03", "2024", "20241301",
    "2024-3/5", "2024//5", "abc", "2024年3月", "2024月3年5日", "2024-03-05 25:00",
    "2024-03-05 14:5x", "2024-03-05+08:00", "45356", "2024-03-05 14:23:11 PM",
])
def test_date_refused_forms(text):
    v, bad, amb = one(parse_date, text)
    assert bad and not amb and pd.isna(v)


@pytest.mark.parametrize("text", ["05/03/2024", "5/3/2024", "13/03/2024", "03/13/2024",
                                  "5.3.2024", "05-03-2024", "05/03/24", "5/3/2024 14:05"])
def test_year_last_dates_are_ambiguous_never_guessed(text):
    v, bad, amb = one(parse_date, text)
    assert amb and not bad and pd.isna(v)


def test_date_mixed_column_as_an_excel_export_gives_it():
    raw = pd.Series(["2024-03-05", "2024-03-05 14:23:11", "2024/3/5", "2024年3月5日",
                     "2024.3.5", "05/03/2024", "2024-02-30", None, ""], dtype=object)
    p = parse_date(raw)
    assert p.values.dtype.kind == "M"
    assert (p.values.iloc[[0, 2, 3, 4]] == pd.Timestamp("2024-03-05")).all()
    assert p.values.iloc[1] == pd.Timestamp("2024-03-05 14:23:11")
    assert p.bad.tolist() == [False] * 6 + [True, False, False]
    assert p.ambiguous.tolist() == [False] * 5 + [True, False, False, False]
    assert "1 ambiguous" in repr(p)


def test_date_datetime_series_pass_through():
    s = pd.Series(pd.to_datetime(["2024-03-05", None]))
    p = parse_date(s)
    assert p.values.iloc[0] == pd.Timestamp("2024-03-05") and not p.bad.any()
    mixed = pd.Series(["2024-03-05", pd.Timestamp("2024-01-01 10:00")], dtype=object)
    assert parse_date(mixed).values.iloc[1] == pd.Timestamp("2024-01-01 10:00")


# --------------------------------------------------------------------------- durations
@pytest.mark.parametrize("text, seconds", [
    ("145", 145), ("145.5", 145.5), ("145秒", 145), ("2分5秒", 125), ("1小时2分5秒", 3725),
    ("2分钟", 120), ("2分钟30秒", 150), ("00:02:25", 145), ("02:25", 145), ("1:02:03", 3723),
    ("145s", 145), ("2m 5s", 125), ("1h 2min", 3720), ("2 min", 120), ("1H", 3600),
    ("3 seconds", 3),
])
def test_duration_accepted_forms(text, seconds):
    assert one(parse_duration, text) == (seconds, False, False)


@pytest.mark.parametrize("text", ["-5", "02:75", "1:60:00", "快", "5s2m", "ms", "2分5", "::"])
def test_duration_refused_forms(text):
    v, bad, _ = one(parse_duration, text)
    assert bad and np.isnan(v)


def test_duration_units():
    assert parse_duration(pd.Series(["2.5", "30秒"]), unit="minutes").values.tolist() == [150, 30]
    assert parse_duration(pd.Series([1.5, None]), unit="minutes").values.tolist()[0] == 90
    assert parse_duration(pd.Series([-1.0])).bad.tolist() == [True]
    with pytest.raises(ValueError, match="seconds | minutes"):
        parse_duration(pd.Series(["1"]), unit="hours")


# --------------------------------------------------------------------------- messages
def test_problem_names_file_column_lines_values_and_fix():
    raw = pd.Series(["2024-03-05", "05/03/2024", "x", "y", "z", "w", "v", "u"])
    mask = raw != "2024-03-05"
    line = problem("data/acme/crm.xlsx", "订单日期", raw, mask, "a date",
                   "write dates as YYYY-MM-DD", our_name="date")
    assert line == ("data/acme/crm.xlsx: column '订单日期' (date): 7 cells are not a date "
                    "(line 3 '05/03/2024', line 4 'x', line 5 'y', line 6 'z', line 7 'w' "
                    "and 2 more); write dates as YYYY-MM-DD")
    assert "\n" not in line


def test_problem_first_line_one_cell_and_nothing():
    raw = pd.Series(["a", "b"], index=[7, 9])
    line = problem("f.csv", "amount", raw, [False, True], "an amount", "fix it",
                   our_name="amount", first_line=4)
    assert line == "f.csv: column 'amount': 1 cell is not an amount (line 5 'b'); fix it"
    assert problem("f.csv", "x", raw, [False, False], "a date", "fix") == ""
    long = problem("f.csv", "x", pd.Series(["y" * 100]), [True], "a date", "fix")
    assert "…" in long and len(long) < 100


def test_parsed_is_frozen():
    p = parse_amount(pd.Series(["1"]))
    assert isinstance(p, Parsed) and p.ok
    with pytest.raises(AttributeError):
        p.values = None


# --------------------------------------------------------------------------- vectorised
def _python_calls(fn, *args) -> int:
    """Python-level calls and builtin calls made while fn runs (all threads it starts):
    a per-row Python loop over the column would make at least one per row."""
    calls = [0]

    def count(frame, event, arg):
        calls[0] += 1

    sys.setprofile(count)
    threading.setprofile(count)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return calls[0]


def test_million_rows_parse_without_per_row_python():
    n = 1_000_000
    rng = np.random.default_rng(0)
    amounts = pd.Series(np.array(["¥52,906.37", "￥1,234.50", "2,867.53", "1200", "(1,234.50)",
                                  "RMB 88", "1.234,50", None], dtype=object)[rng.integers(0, 8, n)])
    distinct = pd.Series([f"¥{v:,.2f}" for v in rng.uniform(0, 99_999, n)], dtype=object)
    dates = pd.Series(np.array(["2024-03-05", "2024/3/5", "2024年3月5日", "2024-03-05 14:23:11",
                                "2024.3.5", "05/03/2024", "2024-02-30", None],
                               dtype=object)[rng.integers(0, 8, n)])
    stamps = np.datetime64("2020-01-01T00:00:00") + rng.integers(0, 10**8, n).astype("m8[s]")
    times = pd.Series(np.char.replace(np.datetime_as_string(stamps), "-", "/"), dtype=object)
    for fn, raw in ((parse_amount, amounts), (parse_amount, distinct), (parse_date, dates),
                    (parse_date, times)):
        t = time.perf_counter()
        calls = _python_calls(fn, raw)
        print(f"{fn.__name__} on {n:,} rows: {time.perf_counter() - t:.2f} s, {calls} calls")
        assert calls < n // 10
    p = parse_amount(amounts)
    first = {v: i for i, v in reversed(list(enumerate(amounts)))}
    assert p.values.iloc[first["¥52,906.37"]] == 52906.37
    assert p.values.iloc[first["(1,234.50)"]] == -1234.5
    assert p.bad.sum() == (amounts == "1.234,50").sum()
    q = parse_date(dates)
    assert q.ambiguous.sum() == (dates == "05/03/2024").sum()
    assert q.bad.sum() == (dates == "2024-02-30").sum()
    assert q.values.iloc[first_of(dates, "2024年3月5日")] == pd.Timestamp("2024-03-05")
    assert parse_date(times).values.iloc[0] == pd.Timestamp(str(stamps[0]))


def first_of(s: pd.Series, value) -> int:
    return int(np.flatnonzero((s == value).to_numpy())[0])
