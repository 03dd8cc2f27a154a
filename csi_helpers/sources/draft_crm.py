"""Recognising the CRM exports (customers, transactions, visits), for the params draft.

For each CRM file given to ``csi new``: the sheet of a workbook whose headers match the
kind best (several kinds in one workbook get different sheets where possible), the headers
mapped to our column names (:func:`csi_helpers.sources.crm.match_headers`), the headers
several of our names could be (left as a TODO, never guessed), the required columns not
found, the ``customer_type`` values (代理商 -> agent, 加盟商 -> franchisee, 零售客户 ->
retail; others left as TODO) and the contact-data columns (left out).

Example
-------
>>> cache = {}
>>> sheets = _crm_sheets({"customers": p, "transactions": p}, root, cache)  # doctest: +SKIP
>>> sheets                                                                # doctest: +SKIP
{'customers': '客户', 'transactions': '订单'}
>>> _analyse_crm("customers", p, sheets["customers"], root, cache).columns  # doctest: +SKIP
{'customer_id': '客户编号', 'customer_type': '客户类型', ...}
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path

import pandas as pd

from . import privacy
from .draft_scales import _answers
from .draft_yaml import _rel
from .table import read_grid, with_header

_TYPE_VALUES = {"代理商": "agent", "代理": "agent", "加盟商": "franchisee", "加盟": "franchisee",
                "零售": "retail", "零售客户": "retail", "零售商": "retail", "agent": "agent",
                "franchisee": "franchisee", "retail": "retail"}
_CRM_KINDS = ("customers", "transactions", "visits")
_CRM_REQUIRED = {"customers": ("customer_id", "customer_type"),
                 "transactions": ("customer_id", "date", "amount"),
                 "visits": ("customer_id", "date")}
_SHEET_HINTS = {"customers": re.compile(r"客户|会员|customer|member|client", re.I),
                "transactions": re.compile(r"订单|交易|销售|流水|order|transaction|sales", re.I),
                "visits": re.compile(r"到店|访问|拜访|visit|traffic", re.I)}


@dataclass
class _Crm:
    kind: str
    path: str
    format: str
    sheet: str | None
    encoding: str | None
    columns: dict
    types_known: dict
    types_todo: list
    missing: list
    excluded: dict
    rows: int
    ambiguous: dict = field(default_factory=dict)


def _grid(path: Path, sheet, cache: dict, kind: str):
    key = (str(path), sheet)
    if key not in cache:
        cache[key] = read_grid(path, sheet=sheet, setting=f"--{kind}")
    return cache[key]


def _match(kind: str, headers: list[str]) -> dict:
    from . import crm
    return dict(crm.match_headers(kind, headers))


def _crm_sheets(files: dict[str, Path], root: Path, cache: dict) -> dict[str, str | None]:
    """The sheet of each CRM kind: for a workbook, the sheet whose headers match the kind
    best (several kinds from one workbook get different sheets where possible)."""
    chosen: dict[str, str | None] = {}
    by_file: dict[str, list[str]] = {}
    for kind, path in files.items():
        by_file.setdefault(str(Path(path).resolve()), []).append(kind)
    for fpath, kinds in by_file.items():
        path = Path(fpath)
        first = _grid(path, None, cache, kinds[0])
        if first.kind == "csv" or len(first.sheets) <= 1:
            for kind in kinds:
                chosen[kind] = first.sheet
            continue
        scores: dict[tuple[str, str], tuple] = {}
        for sheet in first.sheets:
            grid = _grid(path, sheet, cache, kinds[0])
            if grid.frame.empty:
                headers = []
            else:
                headers = [str(h).strip() for h in grid.frame.iloc[0].tolist() if pd.notna(h)]
            for kind in kinds:
                matched = _match(kind, headers) if headers else {}
                req = sum(k in matched for k in _CRM_REQUIRED[kind])
                hint = bool(_SHEET_HINTS[kind].search(sheet))
                scores[kind, sheet] = (req, len(matched), hint)
        sheets = list(first.sheets)
        if len(sheets) >= len(kinds):
            best = max(permutations(sheets, len(kinds)),
                       key=lambda combo: tuple(map(sum, zip(*(scores[k, s]
                                                              for k, s in zip(kinds, combo))))))
            chosen.update(dict(zip(kinds, best)))
        else:
            for kind in kinds:
                chosen[kind] = max(sheets, key=lambda s: scores[kind, s])
    return chosen


def _analyse_crm(kind: str, path: Path, sheet, root: Path, cache: dict) -> _Crm:
    grid = _grid(path, sheet, cache, kind)
    where = _rel(path, root)
    data = with_header(grid, where)
    headers = list(data.columns)
    columns = _match(kind, headers)
    ambiguous = _ambiguous(kind, [h for h in headers if h not in columns.values()], columns)
    missing = [k for k in _CRM_REQUIRED[kind] if k not in columns]
    known, todo = {}, []
    if kind == "customers" and "customer_type" in columns:
        col = columns["customer_type"]
        for v in _answers(data[col]):
            our = _TYPE_VALUES.get(v.strip()) or _TYPE_VALUES.get(v.strip().casefold())
            if our:
                known[v] = our
            else:
                todo.append(v)
    mapped = set(columns.values())
    excluded = privacy.contact_columns(data, [c for c in headers if c not in mapped])
    return _Crm(kind, where, "csv" if grid.kind == "csv" else "excel",
                grid.sheet if grid.kind != "csv" else None,
                grid.encoding if grid.kind == "csv" else None, columns, known, todo,
                missing, excluded, len(data), ambiguous)


def _ambiguous(kind: str, headers: list[str], columns: dict) -> dict[str, list[str]]:
    """Our names that several of the remaining headers look like (never guessed)."""
    from . import crm
    candidates = getattr(crm, "header_candidates", None)
    if candidates is None:
        return {}
    return {our: list(found) for our, found in candidates(kind, headers).items()
            if our not in columns and len(found) > 1}

