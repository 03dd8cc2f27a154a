"""The client's CRM exports: customers, transactions, store visits.

Clients send these as they come out of their systems: an Excel workbook or a CSV (often
GBK) with Chinese headers (客户编号, 客户类型, 订单日期, 金额), amounts such as
``¥52,906.37`` and dates in one column mixing Excel date cells, ``2024/3/5`` and
``2024年3月5日``. A reader here turns such a file into our canonical table:

1. read the file as a grid of text (:func:`~csi_helpers.sources.table.read_grid`: CSV in
   any usual encoding and delimiter, or Excel; ``format: auto`` decides by content);
2. find each canonical column: the header ``sources.<kind>.columns.<our_name>`` names, else
   the canonical name itself, else one of :data:`SYNONYMS` (case, blanks, ``_`` and a unit
   in brackets such as ``金额（元）`` ignored); two headers that match one name are a
   problem, never a guess;
3. recode values with ``sources.<kind>.values.<column>`` (``{代理商: agent}``); a value
   without an entry is a problem listing the values and their counts;
4. type the columns: amounts with :func:`~csi_helpers.sources.values.parse_amount`, dates
   with :func:`~csi_helpers.sources.values.parse_date` (a day/month order that cannot be
   known is refused), ratings with :func:`~csi_helpers.sources.values.parse_number`; ids
   stay text (``007`` keeps its zeros);
5. keep only the canonical columns (and ``keep_columns``): names, phone numbers and other
   personal data in the export never reach the analysis.

Every problem of the file is collected and raised together as
:class:`~csi_helpers.errors.InputProblems`, one line each naming the file, the column, the
lines and values, and the params key that fixes it.

Example
-------
>>> t = read_transactions({"path": "data/acme/订单.xlsx", "sheet": "订单明细",
...                        "columns": {"amount": "实收金额"}})           # doctest: +SKIP
>>> t.mapped                                                         # doctest: +SKIP
{'customer_id': '客户编号', 'date': '订单日期', 'amount': '实收金额'}
>>> t.data.dtypes                                                    # doctest: +SKIP
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import CSIInputError, InputProblems
from .table import Grid, read_grid, with_header
from .text import show_path
from .values import parse_amount, parse_date, parse_number, problem

__all__ = ["CRMTable", "KINDS", "REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "SYNONYMS",
           "match_headers", "header_candidates", "read_customers", "read_transactions",
           "read_visits", "load"]

KINDS = ("customers", "transactions", "visits", "acquisition", "channel_costs", "complaints",
         "ratings")
#: Canonical columns each reader requires (docs/contracts.md).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "customer_type"),
    "transactions": ("customer_id", "date", "amount"),
    "visits": ("customer_id", "date"),
    "acquisition": ("customer_id", "channel"),
    "channel_costs": ("channel", "cost"),
    "complaints": ("received", "category"),
    "ratings": ("customer_id", "period"),
}
#: The other canonical columns, typed when present.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("region", "city", "gender", "joined", "cooperation", "loyalty"),
    "transactions": ("transaction_id", "category"),
    "visits": (),
    "acquisition": ("joined",),
    "channel_costs": ("leads", "period"),
    "complaints": ("complaint_id", "customer_id", "responded", "resolved", "followed_up",
                   "channel"),
    "ratings": ("integrity", "cooperation", "dependence", "growth", "contribution"),
}
_DATES = {"customers": ("joined",), "transactions": ("date",), "visits": ("date",),
          "acquisition": ("joined",), "complaints": ("received", "responded", "resolved")}
_AMOUNTS = {"transactions": ("amount",), "channel_costs": ("cost",)}
_NUMBERS = {"customers": ("cooperation", "loyalty"), "channel_costs": ("leads",),
            "ratings": ("integrity", "cooperation", "dependence", "growth", "contribution")}
_BOOLEANS = {"complaints": ("followed_up",)}
#: Kinds with one row per customer: ids never empty, never repeated.
_ONE_PER_CUSTOMER = ("customers", "acquisition")
#: Yes / no answers as CRM systems write them.
_YES = {"是", "已回访", "已跟进", "有", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "未回访", "未跟进", "无", "n", "no", "false", "0", "×", "✗"}

_CUSTOMER_ID = ("客户编号", "客户ID", "客户代码", "客户号", "会员编号", "会员ID", "会员号",
                "customer id", "customer_no", "customer number", "cust_id", "client id",
                "member id")
#: Headers recognised for each canonical column (besides the canonical name itself).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": _CUSTOMER_ID,
        "customer_type": ("客户类型", "客户类别", "客户分类", "类型", "type", "customer type"),
        "region": ("地区", "所在地区", "区域", "大区", "area"),
        "city": ("城市", "所在城市"),
        "gender": ("性别", "sex"),
        "joined": ("开户日期", "注册日期", "入会日期", "建档日期", "join date", "joined date",
                   "registration date", "signup date"),
        "cooperation": ("配合度",),
        "loyalty": ("忠诚度",),
    },
    "transactions": {
        "customer_id": _CUSTOMER_ID,
        "date": ("订单日期", "交易日期", "日期", "下单时间", "下单日期", "交易时间", "order date",
                 "transaction date"),
        "amount": ("金额", "订单金额", "交易金额", "实付金额", "销售额", "消费金额", "revenue",
                   "sales", "order amount"),
        "transaction_id": ("订单编号", "订单号", "交易编号", "交易单号", "流水号", "order id",
                           "order no", "transaction id"),
        "category": ("品类", "类别", "商品类别", "产品类别", "product category"),
    },
    "visits": {
        "customer_id": _CUSTOMER_ID,
        "date": ("到店日期", "来访日期", "到访日期", "到店时间", "日期", "visit date"),
    },
    "acquisition": {
        "customer_id": _CUSTOMER_ID,
        "channel": ("获客渠道", "来源渠道", "渠道", "客户来源", "来源", "acquisition channel",
                    "source"),
        "joined": ("开户日期", "注册日期", "入会日期", "建档日期", "join date", "signup date"),
    },
    "channel_costs": {
        "channel": ("渠道", "获客渠道", "渠道名称", "acquisition channel"),
        "cost": ("费用", "投入", "成本", "渠道费用", "投放费用", "spend", "costs"),
        "leads": ("线索数", "线索", "触达人数", "leads reached"),
        "period": ("期间", "周期", "时间段"),
    },
    "complaints": {
        "complaint_id": ("投诉编号", "投诉单号", "工单号", "工单编号", "complaint no", "ticket id"),
        "customer_id": _CUSTOMER_ID,
        "received": ("投诉时间", "投诉日期", "受理时间", "登记时间", "created", "received at",
                     "complaint date"),
        "category": ("投诉类别", "投诉类型", "问题类别", "问题类型", "投诉原因", "type"),
        "responded": ("首次响应时间", "响应时间", "回复时间", "first response", "responded at"),
        "resolved": ("解决时间", "处理完成时间", "结案时间", "resolved at", "closed at"),
        "followed_up": ("是否回访", "回访", "已回访", "followed up", "follow up"),
        "channel": ("投诉渠道", "受理渠道"),
    },
    "ratings": {
        "customer_id": _CUSTOMER_ID,
        "period": ("期间", "评级期间", "年度", "周期", "评级年度", "rating period"),
        "integrity": ("诚信度", "诚信"),
        "cooperation": ("配合度", "配合"),
        "dependence": ("依存度", "依赖度"),
        "growth": ("成长度", "成长性"),
        "contribution": ("贡献度", "贡献"),
    },
}
_FORMATS = {"auto": None, "csv": ("csv",), "excel": ("xlsx", "xls")}
_UNIT = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


@dataclass(frozen=True, eq=False)
class CRMTable:
    """A CRM export read into canonical columns.

    Attributes
    ----------
    data : DataFrame with the canonical column names (and ``keep_columns``); ids and
        labels as text, dates datetime64, amounts and ratings float.
    where : the file as messages show it.
    read_as : how the file was read (e.g. ``Excel .xlsx, sheet '客户'``).
    mapped : our name -> the client's header, for every canonical column found.
    dropped : the client's headers not kept (personal data stays out of the analysis).
    kind : customers | transactions | visits.
    """

    data: pd.DataFrame
    where: str
    read_as: str
    mapped: dict[str, str]
    dropped: list[str]
    kind: str = ""

    def __repr__(self) -> str:
        cols = ", ".join(o if o == t else f"{o} <- {t!r}" for o, t in self.mapped.items())
        return (f"CRMTable({self.kind or 'table'}: {len(self.data):,} rows from {self.where} "
                f"({self.read_as}); columns {cols}; {len(self.dropped)} column(s) dropped)")


# --------------------------------------------------------------------------- headers
def _key(header) -> str:
    """A header as matching compares it: NFKC, case-folded, a trailing unit in brackets
    dropped, blanks ``_`` ``-`` ``.`` removed (``金额（元）`` ~ ``金额``, ``Cust_ID`` ~ ``cust id``)."""
    s = unicodedata.normalize("NFKC", str(header)).strip().casefold()
    s = _UNIT.sub("", s).strip() or s
    return re.sub(r"[\s_\-.]+", "", s)


def _tried(kind: str, our: str) -> tuple[str, ...]:
    return (our,) + tuple(s for s in SYNONYMS[kind][our] if s != our)


def _canonical(kind: str) -> tuple[str, ...]:
    if kind not in REQUIRED_COLUMNS:
        raise CSIInputError(f"unknown CRM source {kind!r}; use one of {' | '.join(KINDS)}")
    return REQUIRED_COLUMNS[kind] + OPTIONAL_COLUMNS[kind]


def _shown(headers, limit: int = 15) -> str:
    headers = list(headers)
    return ", ".join(map(repr, headers[:limit])) + (" ..." if len(headers) > limit else "")


def header_candidates(kind: str, headers) -> dict[str, list[str]]:
    """Every header that looks like each canonical column of `kind` (canonical name or
    :data:`SYNONYMS`, compared as :func:`_key` does); names with no candidate are left out.

    Example
    -------
    >>> header_candidates("transactions", ["客户编号", "订单日期", "日期", "金额（元）", "备注"])
    {'customer_id': ['客户编号'], 'date': ['订单日期', '日期'], 'amount': ['金额（元）']}
    """
    keys = {h: _key(h) for h in headers}
    out = {}
    for our in _canonical(kind):
        tried = {_key(t) for t in _tried(kind, our)}
        found = [h for h in headers if keys[h] in tried]
        if found:
            out[our] = found
    return out


def _match(kind: str, headers: list[str], columns, where: str
           ) -> tuple[dict[str, str], list[str], set[str]]:
    """(our name -> header, problems, names matched by several headers)."""
    canon, problems, mapped, conflicts = _canonical(kind), [], {}, set()
    columns = columns or {}
    if not isinstance(columns, Mapping):
        return {}, [f"sources.{kind}.columns: give a mapping {{our_name: their header}}, not "
                    f"{type(columns).__name__}"], conflicts
    for our, their in columns.items():
        if our not in canon:
            problems.append(f"sources.{kind}.columns.{our}: {our!r} is not a {kind} column "
                            f"(columns: {', '.join(canon)}); fix the name, or list the header "
                            f"under sources.{kind}.keep_columns to keep it as it is")
        elif their is None:
            continue                                   # explicitly: do not read this column
        elif str(their) in headers:
            mapped[our] = str(their)
        else:
            near = [h for h in headers if _key(h) == _key(their)]
            if len(near) == 1:
                mapped[our] = near[0]
            else:
                problems.append(f"{where}: no column {str(their)!r} (sources.{kind}.columns."
                                f"{our}); the headers are {_shown(headers)}; set it to one of "
                                "them")
    seen: dict[str, str] = {}
    for our, their in mapped.items():
        if their in seen:
            problems.append(f"sources.{kind}.columns: {their!r} is given for both "
                            f"{seen[their]} and {our}; give each column its own header")
        seen.setdefault(their, our)
    free = [h for h in headers if h not in seen]
    for our, found in header_candidates(kind, free).items():
        if our in columns:
            continue
        if len(found) == 1:
            mapped[our] = found[0]
        else:
            conflicts.add(our)
            problems.append(f"{where}: {len(found)} columns look like {our}: "
                            f"{', '.join(map(repr, found))}; set sources.{kind}.columns.{our} "
                            "to the one that holds it")
    order = {name: i for i, name in enumerate(canon)}
    return dict(sorted(mapped.items(), key=lambda kv: order[kv[0]])), problems, conflicts


def match_headers(kind: str, headers, columns: Mapping | None = None, *,
                  strict: bool = False, where: str = "the header") -> dict[str, str]:
    """Which of the client's headers holds each canonical column of `kind`.

    Rule: an entry of `columns` (``sources.<kind>.columns``: our name -> their header;
    ``None`` = do not read that column) always wins; otherwise the canonical name or one of
    its :data:`SYNONYMS`, compared case- and blank-insensitively (a unit in brackets is
    ignored: ``金额（元）`` matches ``金额``). A header matches at most one name. A name that
    two headers match is never guessed: it is left out (see :func:`header_candidates`), or,
    with ``strict=True``, raises :class:`~csi_helpers.errors.InputProblems` together with
    any `columns` entry that names no header (the readers report both). A canonical
    column with no match is simply absent.

    Example
    -------
    >>> match_headers("customers", ["会员ID", "客户类型", "客户名称", "所在城市"])
    {'customer_id': '会员ID', 'customer_type': '客户类型', 'city': '所在城市'}
    >>> match_headers("transactions", ["客户编号", "实收", "日期"], {"amount": "实收"})
    {'customer_id': '客户编号', 'date': '日期', 'amount': '实收'}
    >>> match_headers("transactions", ["客户编号", "订单日期", "日期"])
    {'customer_id': '客户编号'}
    """
    mapped, problems, _ = _match(kind, [str(h) for h in headers], columns, where)
    if problems and strict:
        raise InputProblems(problems)
    return mapped


# --------------------------------------------------------------------------- reading
def _spec(spec, kind: str) -> dict:
    if isinstance(spec, (str, os.PathLike)):
        spec = {"path": spec}
    if not isinstance(spec, Mapping) or not spec.get("path"):
        raise CSIInputError(f"sources.{kind}: give at least {{path: data/<client>/{kind}.csv}}; "
                            f"pass params['sources']['{kind}'] from params.load")
    return dict(spec)


def _open(spec: dict, kind: str) -> tuple[pd.DataFrame, Grid, str, list[str]]:
    """Read the file of a source spec: (table with header, grid, shown path, problems)."""
    where, problems = show_path(spec["path"]), []
    fmt = spec.get("format") or "auto"
    if fmt not in _FORMATS:
        problems.append(f"sources.{kind}.format: {fmt!r} is not a format; use auto | csv | "
                        "excel")
        fmt = "auto"
    grid = read_grid(spec["path"], encoding=spec.get("encoding") or "auto",
                     sheet=spec.get("sheet"), setting=f"sources.{kind}")
    if _FORMATS[fmt] and grid.kind not in _FORMATS[fmt]:
        what = "a CSV / text file" if grid.kind == "csv" else f"an Excel workbook (.{grid.kind})"
        problems.append(f"{where}: sources.{kind}.format is {fmt} but the file is {what}; set "
                        "the format to auto or point the path at the right file")
    return with_header(grid, where), grid, where, problems


def _lines(positions, first_line: int = 2, limit: int = 8) -> str:
    shown = ", ".join(str(p + first_line) for p in positions[:limit])
    return shown + (", ..." if len(positions) > limit else "")


def _recode(raw: pd.Series, mapping: Mapping, where: str, kind: str, our: str,
            their: str) -> tuple[pd.Series, str]:
    keys = {str(k).strip(): (None if v is None else str(v)) for k, v in mapping.items()}
    known = raw.isin(list(keys))
    out = raw.map(keys).where(known, raw)
    unmapped = raw.notna() & ~known
    if not unmapped.any():
        return out, ""
    counts = raw[unmapped].value_counts(sort=True)
    shown = ", ".join(f"{v!r} ({c:,} row{'s' if c > 1 else ''})" for v, c in counts[:8].items())
    more = f" and {len(counts) - 8} more" if len(counts) > 8 else ""
    n = len(counts)
    return out, (f"{where}: column {their!r} ({our}): {n} value{'s' if n > 1 else ''} not in "
                 f"sources.{kind}.values.{our}: {shown}{more}; add them to the mapping")


def _ids(raw: pd.Series, where: str, their: str) -> list[str]:
    """Customer master ids: none empty, none repeated."""
    out = []
    empty = np.flatnonzero(raw.isna().to_numpy())
    if len(empty):
        out.append(f"{where}: column {their!r} (customer_id): {len(empty):,} row"
                   f"{'s have' if len(empty) > 1 else ' has'} no customer id (line"
                   f"{'s' if len(empty) > 1 else ''} {_lines(empty)}); fill the ids in or "
                   "remove the rows")
    dup = (raw.notna() & raw.duplicated(keep=False)).to_numpy()
    if dup.any():
        pos = np.flatnonzero(dup)
        groups = pd.Series(pos).groupby(raw.to_numpy()[pos], sort=False).agg(list)
        shown = ", ".join(f"{k!r} (lines {_lines(v, limit=4)})" for k, v in groups[:5].items())
        more = f" and {len(groups) - 5:,} more" if len(groups) > 5 else ""
        out.append(f"{where}: column {their!r} (customer_id): {len(groups):,} id"
                   f"{'s appear' if len(groups) > 1 else ' appears'} more than once: "
                   f"{shown}{more}; keep one row per customer")
    return out


def _boolean(raw: pd.Series, kind: str, our: str, their: str, where: str,
             problems: list[str]) -> pd.Series:
    """是 / 否, yes / no, 1 / 0 ... as True / False; empty cells stay missing (unknown)."""
    text = raw.astype("str").str.strip().str.lower()
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[text.isin(_YES).fillna(False).to_numpy(bool)] = True
    out[text.isin(_NO).fillna(False).to_numpy(bool)] = False
    bad = raw.notna() & out.isna()
    if bad.any():
        counts = raw[bad].value_counts()
        shown = ", ".join(f"{v!r} ({c:,})" for v, c in counts[:6].items())
        problems.append(f"{where}: column {their!r} ({our}): {int(bad.sum()):,} cell"
                        f"{'s are' if bad.sum() > 1 else ' is'} not yes or no: {shown}; write "
                        f"是/否 (yes/no), or recode them with sources.{kind}.values.{our}")
    return out


def _typed(raw: pd.Series, kind: str, our: str, their: str, where: str,
           problems: list[str]) -> pd.Series:
    again = (f"or, if {their!r} is not the {our} column, set sources.{kind}.columns.{our} to "
             "the right header")
    if our in _DATES.get(kind, ()):
        p = parse_date(raw)
        problems += [problem(where, their, raw, p.ambiguous, "a date with a known day/month "
                             "order", "a year-last date such as 05/03/2024 can be 5 March or "
                             "May 3, so it is not read: export the column as YYYY-MM-DD (in "
                             "Excel: format the cells as yyyy-mm-dd) and read the file again",
                             our_name=our),
                     problem(where, their, raw, p.bad, "a date", "write dates as YYYY-MM-DD "
                             "(also read: 2024/3/5, 2024年3月5日, 2024.3.5, 20240305, each "
                             f"with an optional time) or leave the cell empty, {again}",
                             our_name=our)]
        return p.values
    if our in _AMOUNTS.get(kind, ()):
        p = parse_amount(raw)
        problems.append(problem(where, their, raw, p.bad, "an amount", "write amounts as "
                                "numbers such as 1234.50, ¥1,234.50 or (1,234.50) (a decimal "
                                f"comma as in 1.234,50 is not read) or leave the cell empty, "
                                f"{again}", our_name=our))
        return p.values
    if our in _BOOLEANS.get(kind, ()):
        return _boolean(raw, kind, our, their, where, problems)
    if our in _NUMBERS.get(kind, ()):
        p = parse_number(raw)
        problems.append(problem(where, their, raw, p.bad, "a number", "write plain numbers "
                                f"(e.g. 4 or 3.5), recode labels with sources.{kind}.values."
                                f"{our}, or leave the cell empty", our_name=our))
        return p.values
    return raw.astype("str")


def _read(kind: str, spec, only=None) -> CRMTable:
    spec = _spec(spec, kind)
    frame, grid, where, problems = _open(spec, kind)
    described = grid.describe()
    del grid            # the text grid goes column by column as the columns are typed
    headers = list(frame.columns)
    mapped, found, conflicts = _match(kind, headers, spec.get("columns"), where)
    problems += found
    columns = spec.get("columns") if isinstance(spec.get("columns"), Mapping) else {}
    for our in REQUIRED_COLUMNS[kind]:
        if our not in mapped and our not in conflicts \
                and not (our in columns and columns[our] is not None):
            problems.append(f"{where}: no column for {our} (required): tried "
                            f"{', '.join(map(repr, _tried(kind, our)))}; the headers are "
                            f"{_shown(headers)}; set sources.{kind}.columns.{our} to the "
                            "header that holds it")
    keep = spec.get("keep_columns") or []
    if isinstance(keep, str) or not isinstance(keep, (list, tuple)):
        problems.append(f"sources.{kind}.keep_columns: give a list of headers, not {keep!r}")
        keep = []
    kept = []
    for h in map(str, keep):
        near = [x for x in headers if x == h] or [x for x in headers if _key(x) == _key(h)]
        if not near:
            problems.append(f"{where}: no column {h!r} (sources.{kind}.keep_columns); the "
                            f"headers are {_shown(headers)}")
        elif near[0] in _canonical(kind) and near[0] not in mapped.values():
            problems.append(f"sources.{kind}.keep_columns: {h!r} is a canonical name of "
                            f"another column; map it with sources.{kind}.columns instead")
        elif near[0] not in mapped.values() and near[0] not in kept:
            kept.append(near[0])
    values = spec.get("values") or {}
    if not isinstance(values, Mapping):
        problems.append(f"sources.{kind}.values: give {{column: {{their value: our value}}}}")
        values = {}
    for our, mapping in values.items():
        if our not in mapped and our not in kept:
            problems.append(f"sources.{kind}.values.{our}: the file has no column {our!r} "
                            f"(read: {', '.join(list(mapped) + kept)}); fix the name or map "
                            f"the column with sources.{kind}.columns.{our}")
        elif not isinstance(mapping, Mapping):
            problems.append(f"sources.{kind}.values.{our}: give a mapping {{their value: our "
                            "value}}")
    if only is not None:                    # the caller needs only these (and the required)
        wanted = set(REQUIRED_COLUMNS[kind]) | set(only)
        mapped = {our: their for our, their in mapped.items() if our in wanted}
    data = {}
    for n, (our, their) in enumerate(mapped.items()):
        raw = frame[their]
        if isinstance(values.get(our), Mapping):
            raw, msg = _recode(raw, values[our], where, kind, our, their)
            problems.append(msg)
        if kind in _ONE_PER_CUSTOMER and our == "customer_id":
            problems += _ids(raw, where, their)
        data[our] = _typed(raw, kind, our, their, where, problems)
        del raw
        if their not in list(mapped.values())[n + 1:] and their not in kept:
            # the text of a typed column goes now: on ten million rows each is 0.1-0.2 GB
            frame = frame.drop(columns=[their])
    for h in kept:
        raw = frame[h]
        if isinstance(values.get(h), Mapping):
            raw, msg = _recode(raw, values[h], where, kind, h, h)
            problems.append(msg)
        data[h] = raw.astype("str")
    problems = [p for p in problems if p]
    if problems:
        raise InputProblems(problems)
    used = set(mapped.values()) | set(kept)
    return CRMTable(pd.DataFrame(data, index=frame.index), where, described, mapped,
                    [h for h in headers if h not in used], kind)


def read_customers(spec) -> CRMTable:
    """The customer master: one row per customer.

    Columns: ``customer_id`` (text; none empty, none repeated), ``customer_type`` (a free
    label, e.g. agent | franchisee | retail, used by ``tiering.rule_abc``) required;
    ``region``, ``city``, ``gender``, ``joined`` (date), ``cooperation`` and ``loyalty``
    (1-5 ratings, numbers) when found.

    Parameters
    ----------
    spec : a path, or ``params["sources"]["customers"]``: ``{path, format: auto | csv |
        excel, sheet: name | 0-based index, encoding: auto | utf-8 | gbk | ..., columns:
        {our_name: their header}, values: {our_column: {their value: our value}},
        keep_columns: [their headers]}``.

    Example
    -------
    >>> c = read_customers({"path": "data/acme/客户.csv",
    ...                     "values": {"customer_type": {"代理商": "agent",
    ...                                                  "加盟商": "franchisee",
    ...                                                  "零售客户": "retail"}}})  # doctest: +SKIP
    """
    return _read("customers", spec)


def read_transactions(spec) -> CRMTable:
    """Transactions: ``customer_id``, ``date`` (datetime), ``amount`` (float, currency
    units) required; ``transaction_id``, ``category`` when found. `spec` as in
    :func:`read_customers`."""
    return _read("transactions", spec)


def read_visits(spec) -> CRMTable:
    """Store visits, one row a visit: ``customer_id``, ``date`` (datetime). `spec` as in
    :func:`read_customers`."""
    return _read("visits", spec)


def load(kind: str, spec, only=None) -> CRMTable:
    """Read the CRM source `kind` named by `spec`: customers | transactions | visits, and
    the optional sources of customer management: acquisition (customer_id, channel: the
    channel that brought each customer), channel_costs (channel, cost, leads), complaints
    (the complaint log: received, category; complaint_id, customer_id, responded,
    resolved, followed_up) and ratings (the value-rating sheet: customer_id, period and the
    dimensions a sales rep scored: integrity, cooperation, dependence, growth,
    contribution).

    ``only``: the canonical columns the caller needs besides the required ones (e.g.
    ``("transaction_id",)``); the others found are not read (None: all). A national
    retailer's category column alone is 0.2 GB on ten million transactions.

    Example
    -------
    >>> load("visits", "data/acme/visits.csv").data.columns.tolist()   # doctest: +SKIP
    ['customer_id', 'date']
    """
    _canonical(kind)
    return _read(kind, spec, only)
