"""Recognising the columns of a survey export, for the params draft.

:func:`_analyse_survey` reads the export (only reads it) and sorts its columns:

* the platform / meta columns: response id, duration, completion status, time (问卷星 and
  Qualtrics: the platform's own; other tables: the headers naming them, see
  ``_META_NAMES``), with ``status_values`` when the status values are not the usual ones
  and the median duration (for ``speeder_seconds``);
* the customer id column (会员编号, 客户编号, customer_id, ExternalReference ...);
* contact data and free text (never items), via :mod:`csi_helpers.sources.privacy`;
* the questions on a scale (read by :mod:`csi_helpers.sources.draft_scales`), the other
  questions ("not items", with why) and the suggested ``segments`` (2-12 answers);
* the language of the questionnaire (zh when the question texts are Chinese).

Example
-------
>>> sv = _analyse_survey(Path("exports/wjx_text.csv"), Path("."))   # doctest: +SKIP
>>> sv.meta["duration_column"], sv.segments[:2]                     # doctest: +SKIP
('所用时间', ['地区', '门店类型'])
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import CSIInputError
from . import privacy, qualtrics, wjx
from .draft_scales import (_INT, _RATING_WORDS, _Fit, _Scale, _answers, _code_fit,
                           _dont_know_codes, _family_fit, _is_cjk, _items_and_scales,
                           _numbers, _spss_fit, _split_missing)
from .draft_yaml import _one_line, _rel
from .survey import STATUS_VALUES, SurveyExport, platform_defaults, read_export

# words saying a column describes the respondent, not an attitude (never a scale)
_SEGMENT_WORDS = re.compile(r"地区|区域|省份|城市|性别|年龄|学历|收入|职业|渠道|门店|类型|来源|"
                            r"region|area|province|city|gender|sex|age|education|income|"
                            r"occupation|channel|store|segment|type|language", re.I)
_FREE_TEXT_HEADER = re.compile(r"建议|意见|备注|评论|留言|原因|请注明|请说明|其他|其它|"
                               r"comment|suggest|feedback|remark|specify|other|_TEXT$", re.I)

# table exports: headers naming the respondent fields (compared ignoring case and blanks)
_META_NAMES = {
    "id_column": ("序号", "编号", "id", "respondent_id", "resp_id", "ResponseId", "答卷编号",
                  "response_id", "respondent"),
    "duration_column": ("所用时间", "答题时长", "duration", "duration_sec",
                        "Duration (in seconds)", "答题时长（秒）", "答题用时", "用时"),
    "status_column": ("status", "状态", "Finished", "完成状态", "答卷状态"),
    "time_column": ("提交答卷时间", "开始时间", "StartDate", "start_time", "提交时间", "submitted",
                    "submit_time", "EndDate", "end_time", "结束时间", "答题时间", "timestamp"),
}
_CUSTOMER_ID = re.compile(r"会员编号|客户编号|会员号|客户号|会员id|客户id|customer[ _]?id|"
                          r"member[ _]?id|externalreference|external[ _]reference|crm[ _]?id",
                          re.I)


@dataclass
class _Survey:
    export: SurveyExport
    path: str
    meta: dict                 # id/duration/status/time/customer_id -> column or None
    status_values: dict | None
    duration_median: float | None
    duration_unit: str
    items: list[dict]
    scales: dict[str, _Scale]
    not_items: list[tuple[str, str]]     # (column, why)
    excluded: dict[str, str]
    segments: list[str]
    language: str


def _norm(h) -> str:
    return re.sub(r"\s+", "", str(h)).casefold()


def _find_meta(export: SurveyExport) -> dict:
    cols = list(export.data.columns)
    if export.format in ("wjx", "qualtrics"):
        meta = dict(platform_defaults(export.format))
        for k, c in list(meta.items()):
            if c is not None and c not in cols:
                meta[k] = None
        return meta
    meta = {}
    used: set[str] = set()
    for key, names in _META_NAMES.items():
        wanted = [_norm(n) for n in names]
        found = None
        for n in wanted:                   # in the order of preference of the names
            for c in cols:
                label = export.questions.get(c, "")
                if c not in used and (_norm(c) == n or (label and _norm(label) == n)):
                    found = c
                    break
            if found:
                break
        if found:
            used.add(found)
        meta[key] = found
    return meta


def _status_values(s: pd.Series) -> dict | None:
    """``status_values`` when the status column holds values the reader does not know
    (None when every value is complete / partial, 1 / 0, True / False, 完成 / 未完成 ...)."""
    counts = _answers(s)
    yes = {x.casefold() for x in STATUS_VALUES["complete"]}
    no = {x.casefold() for x in STATUS_VALUES["partial"]}
    if all(v.casefold() in yes | no for v in counts):
        return None
    complete = [v for v in counts if v.casefold() in yes]
    partial = [v for v in counts if v.casefold() in no]
    rest = [v for v in counts if v not in complete and v not in partial]
    if not complete and rest:            # the most frequent value is most likely 'complete'
        top = max(rest, key=lambda v: counts[v])
        complete.append(top)
        rest.remove(top)
    return {"complete": complete, "partial": partial + rest}


def _duration_stats(export: SurveyExport, col: str, status: str | None,
                    unit: str) -> float | None:
    from .values import parse_duration

    s = export.data[col]
    if status and status in export.data.columns:
        done = export.data[status].astype("string").str.strip().str.casefold()
        keep = done.isin([x.casefold() for x in STATUS_VALUES["complete"]]).fillna(False)
        if keep.any():
            s = s[keep.to_numpy()]
    values = parse_duration(s, unit).values.dropna()
    values = values[values > 0]
    return float(values.median()) if len(values) else None


def _analyse_survey(path: Path, root: Path) -> _Survey:
    export = read_export(path, setting="--survey")
    df = export.data
    if df.empty:
        raise CSIInputError(f"{_rel(path, root)}: the export has a header but no responses; "
                            "export the answers again")
    meta = _find_meta(export)
    # the customer id: a member / customer number column with values
    cid = None
    for c in df.columns:
        if c in meta.values():
            continue
        text = f"{c} {export.questions.get(c, '')}"
        if _CUSTOMER_ID.search(text.replace(" ", "")) or _CUSTOMER_ID.search(text):
            if privacy.kind_of(c) is None and df[c].notna().any():
                cid = c
                break
    meta["customer_id_column"] = cid
    status_values = (_status_values(df[meta["status_column"]])
                     if meta.get("status_column") else None)
    dur = meta.get("duration_column")
    unit = "minutes" if dur and re.search(r"分钟|minute|\(min", f"{dur}", re.I) else "seconds"
    median = _duration_stats(export, dur, meta.get("status_column"), unit) if dur else None
    meta_cols = {c for c in meta.values() if c}

    platform_meta = set()
    if export.format == "qualtrics":
        platform_meta = set(qualtrics.META) - {"DistributionChannel", "UserLanguage"}
    elif export.format == "wjx":
        platform_meta = set(wjx.META) | {"来源详情", "总分", "来自IP"}

    # contact data (by header or question text: never a scale, whatever the answers) and
    # free text (by header or values, but only for a column whose answers fit no scale:
    # 'Strongly disagree' is long text too, and 意见 may be in a rating question)
    excluded: dict[str, str] = {}
    fits: dict[str, _Fit] = {}
    not_items: list[tuple[str, str]] = []
    segments: list[str] = []
    for c in df.columns:
        if c in meta_cols:
            continue
        question = export.questions.get(c, "")
        kind = privacy.kind_of(c) or (privacy.kind_of(question) if question else None)
        if kind is None and c.endswith("_TEXT") and export.format == "qualtrics":
            kind = "free text"
        if kind and kind != "free text":
            excluded[c] = kind
            continue
        counts = _answers(df[c])
        real, missing = _split_missing(counts)
        if not real:
            if kind:
                excluded[c] = kind
            elif c not in platform_meta:
                not_items.append((c, "no answers"))
            continue
        if c in platform_meta:
            value_kind = privacy.kind_of(c, df[c])
            if value_kind:
                excluded[c] = value_kind
            continue
        both = f"{c} {question}"
        scale_like = bool(_RATING_WORDS.search(both))
        segment_like = bool(_SEGMENT_WORDS.search(both)) and not scale_like
        fit = None
        if c in export.value_labels:
            fit = _spss_fit(c, export, real, missing, scale_like, segment_like)
        else:
            nums = _numbers(real)
            if nums is not None:
                fit = _code_fit(nums[0], scale_like, segment_like, both)
                if fit:
                    fit.missing = missing
            elif not any("┋" in k for k in real):
                fit = _family_fit(real, sum(real.values()))
                if fit:
                    fit.missing = missing
        if fit is not None:
            fits[c] = fit
            continue
        kind = kind or privacy.kind_of(c, df[c])
        if kind:
            excluded[c] = kind
            continue
        values = list(real)
        if any("┋" in k for k in values):
            why = "multiple choice"
        elif _FREE_TEXT_HEADER.search(both) and _free_text_like(values):
            excluded[c] = "free text"
            continue
        elif len(values) > 12:
            if _free_text_like(values):
                excluded[c] = "free text"
                continue
            why = f"{len(values)} different answers (open question?)"
        else:
            why = ("single choice: " + ", ".join(_one_line(v) for v in
                                                 sorted(values, key=lambda v: -real[v])[:6])
                   + (" ..." if len(values) > 6 else ""))
            if len(values) >= 2 and c != meta.get("customer_id_column"):
                segments.append(c)
        if c == meta.get("customer_id_column"):
            continue
        not_items.append((c, why))
    _dont_know_codes(fits)
    if meta.get("customer_id_column"):
        not_items = [(c, w) for c, w in not_items if c != meta["customer_id_column"]]
    segments.sort(key=lambda c: (not _SEGMENT_WORDS.search(f"{c} {export.questions.get(c, '')}"),
                                 list(df.columns).index(c)))

    texts = [export.questions[c] for c in fits if export.questions.get(c)]
    if texts:
        language = "zh" if sum(map(_is_cjk, texts)) * 2 >= len(texts) else "en"
    else:
        seen = [lab for f in fits.values() for lab in f.observed.values()] + \
            [lab for f in fits.values() for lab in (f.labels or {}).values()] + list(df.columns)
        language = "zh" if any(map(_is_cjk, seen)) else "en"
    items, scales = _items_and_scales(export, fits, language)
    return _Survey(export=export, path=_rel(path, root), meta=meta,
                   status_values=status_values, duration_median=median,
                   duration_unit=unit, items=items, scales=scales, not_items=not_items,
                   excluded=excluded, segments=segments, language=language)


def _free_text_like(values: list[str]) -> bool:
    if not values:
        return True
    lengths = [len(v) for v in values]
    return sum(lengths) / len(lengths) >= 4 and not all(_INT.fullmatch(v) for v in values)

