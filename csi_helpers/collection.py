"""Data collection (采集数据): the five methods of METHOD.md §4 step 2 and the coded notes.

* secondary data (二手资料) - public reports, web, research firms: cheap, shallow, sketches
  the industry before the questionnaire;
* internal interviews (内部访谈) - management's view; the best way to find the firm's problems;
* questionnaire survey (问卷调查) - the main quantitative source;
* in-depth interviews (深度访谈) - one-to-one or 2-3 people, a discussion guide, probing;
* focus groups (焦点访谈) - a moderator with 8-12 customers in a "safe" setting.

:func:`source_inventory` lists what was planned (params) and what came back (counts from
the data files); :func:`theme_frequency` counts the themes coded in the interview and
focus-group notes, by method and sentiment; :func:`theme_figure` draws it.

Reference: Krueger, R. A. & Casey, M. A. (2015), Focus Groups: A Practical Guide for
Applied Research, 5th ed. (group size 5-10, commonly 8-12 in market research); Braun, V. &
Clarke, V. (2006), Using thematic analysis in psychology, Qualitative Research in
Psychology 3(2) (coding and counting themes).
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import CSIInputError, CSIWarning

__all__ = ["METHODS", "NOTE_METHODS", "optional", "source_inventory", "secondary_overview",
           "theme_frequency", "theme_figure"]

#: The five collection methods of METHOD.md §4 step 2, in the method's order.
METHODS = {
    "secondary": {"en": "Secondary data", "zh": "二手资料"},
    "internal_interview": {"en": "Internal interviews", "zh": "内部访谈"},
    "survey": {"en": "Questionnaire survey", "zh": "问卷调查"},
    "in_depth_interview": {"en": "In-depth interviews", "zh": "深度访谈"},
    "focus_group": {"en": "Focus groups", "zh": "焦点访谈"},
}
#: Methods whose records are coded notes (notes.csv ``method`` values).
NOTE_METHODS = ("internal_interview", "in_depth_interview", "focus_group")
#: Participants per session the method recommends (METHOD.md §4).
GUIDE = {"in_depth_interview": (1, 3), "focus_group": (8, 12)}
SENTIMENTS = ("negative", "neutral", "positive")

_STATUS_ZH = {"collected": "已采集", "no records": "无记录", "not planned": "未计划",
              "planned (file present)": "计划中（文件已有）",
              "planned (file missing)": "计划中（文件缺失）"}

_CRM = {"en": "CRM export (customers, transactions)", "zh": "客户关系管理数据（客户、交易）"}


def _tr(d: Mapping, lang: str) -> str:
    return d.get(lang) or d["en"]


def _file(params: Mapping, key: str) -> str:
    spec = (params.get("sources") or {}).get(key) or {}
    return str(spec.get("path") or "")


def _status(path: str, frame: pd.DataFrame | None, records: int | None) -> str:
    if not path:
        return "not planned"
    if frame is None:
        return "planned (file present)" if Path(path).exists() else "planned (file missing)"
    return "collected" if records else "no records"


def optional(wb, key: str) -> pd.DataFrame | None:
    """Load the optional source ``key`` (notes, secondary, customers, ...) through the workbook.

    Returns None, and prints a note saying which step is skipped, when the params do not
    name the source (``sources.<key>`` left out: the client has no such data).

    Example
    -------
    >>> notes = optional(wb, "notes")      # doctest: +SKIP
    """
    if not ((wb.params.get("sources") or {}).get(key)):
        print(f"sources.{key} is not given in the params: the steps that need it are skipped.")
        return None
    return getattr(wb, key)()


_SECONDARY_COLUMNS = ["source_id", "title", "publisher", "year", "kind", "summary"]


def secondary_overview(secondary: pd.DataFrame | None) -> pd.DataFrame:
    """The secondary sources (二手资料) in a fixed column order, oldest first.

    Columns: source_id, title, publisher, year, kind, summary (those present); an empty
    table with these columns when there are no secondary data (``secondary`` is None).

    Example
    -------
    >>> secondary_overview(None).columns.tolist()[:3]
    ['source_id', 'title', 'publisher']
    """
    if secondary is None:
        return pd.DataFrame(columns=_SECONDARY_COLUMNS)
    cols = [c for c in _SECONDARY_COLUMNS if c in secondary.columns]
    out = secondary[cols + [c for c in secondary.columns if c not in cols]]
    if "year" in out.columns:
        out = out.sort_values(["year"] + (["source_id"] if "source_id" in cols else []),
                              kind="stable")
    return out.reset_index(drop=True)


def source_inventory(params: Mapping, *, survey: pd.DataFrame | None = None,
                     notes: pd.DataFrame | None = None, secondary: pd.DataFrame | None = None,
                     customers: pd.DataFrame | None = None,
                     transactions: pd.DataFrame | None = None, lang: str = "en"
                     ) -> pd.DataFrame:
    """The data sources by the five collection methods, planned and collected.

    One row per method (plus the CRM export, used for customer tiering): ``method``,
    ``name`` (in ``lang``), ``file`` (file name from ``sources.*.path``), ``records``
    (rows: reports, coded excerpts, responses, customers), ``sessions`` (interviews /
    groups), ``participants`` (distinct people quoted, or respondents), ``status``
    (``collected``, ``no records``, ``planned (file present | missing)``, ``not planned``)
    and ``detail`` (completes, publishers and years, people per session against the
    method's guide, ...). Pass the loaded data frames to get counts; without them only
    the plan is shown (as in notebook 01).

    Example
    -------
    >>> inv = source_inventory({"sources": {}})
    >>> inv["method"].tolist()[:5]
    ['secondary', 'internal_interview', 'survey', 'in_depth_interview', 'focus_group']
    """
    zh = lang == "zh"
    rows = []
    # secondary data
    path = _file(params, "secondary")
    rec = None if secondary is None else len(secondary)
    detail = ""
    if secondary is not None and len(secondary):
        parts = []
        if "kind" in secondary.columns:
            parts.append(", ".join(f"{k}: {v}" for k, v in
                                   secondary["kind"].astype("string").value_counts().items()))
        if "year" in secondary.columns:
            yrs = pd.to_numeric(secondary["year"], errors="coerce").dropna()
            if len(yrs):
                parts.append(f"{int(yrs.min())}-{int(yrs.max())}")
        detail = "; ".join(parts)
    rows.append({"method": "secondary", "records": rec, "sessions": None,
                 "participants": None, "file": path, "frame": secondary, "detail": detail})
    # interviews and groups from the notes
    npath = _file(params, "notes")
    if notes is not None:
        need = [c for c in ("method", "session_id") if c not in notes.columns]
        if need:
            raise CSIInputError(f"{npath or 'notes'}: column(s) {need} missing; the notes need "
                                "method and session_id (docs/contracts.md)")
        unknown = sorted(set(notes["method"].dropna().astype(str)) - set(NOTE_METHODS))
        if unknown:
            raise CSIInputError(f"{npath or 'notes'}: method {unknown[0]!r} is not one of "
                                f"{', '.join(NOTE_METHODS)}; recode it")
    for method in NOTE_METHODS:
        if notes is None:
            rows.append({"method": method, "records": None, "sessions": None,
                         "participants": None, "file": npath, "frame": None, "detail": ""})
            continue
        sub = notes[notes["method"].astype(str) == method]
        has_people = "participant" in sub.columns
        per = (sub.groupby("session_id")["participant"].nunique() if has_people
               else pd.Series(dtype=int))
        people = (int(sub[["session_id", "participant"]].dropna().drop_duplicates().shape[0])
                  if has_people else None)
        detail = ""
        if len(per):
            lo, hi = int(per.min()), int(per.max())
            span = f"{lo}" if lo == hi else f"{lo}-{hi}"
            detail = (f"每场 {span} 人" if zh else f"{span} per session")
            if method in GUIDE:
                g0, g1 = GUIDE[method]
                ok = g0 <= lo and hi <= g1
                detail += (f"（方法建议 {g0}-{g1}{'' if ok else '，需注意'}）" if zh
                           else f" (guide {g0}-{g1}{'' if ok else ': check'})")
        rows.append({"method": method, "records": len(sub), "sessions": int(sub["session_id"]
                                                                            .nunique()),
                     "participants": people, "file": npath, "frame": sub, "detail": detail})
    # survey
    spath = _file(params, "survey")
    detail, rec, people = "", None, None
    if survey is not None:
        spec = (params.get("sources") or {}).get("survey") or {}
        rec = len(survey)
        id_col = spec.get("id_column", "respondent_id")
        st_col = spec.get("status_column", "status")
        people = int(survey[id_col].nunique()) if id_col in survey.columns else None
        if st_col in survey.columns:
            n_c = int(survey[st_col].astype("string").str.strip().str.casefold()
                      .isin(["complete", "completed", "完成", "已完成"]).sum())
            detail = f"完成 {n_c}" if zh else f"{n_c} complete"
        target = (params.get("fieldwork") or {}).get("target_responses")
        if target:
            detail += (f"；目标 {target}" if zh else f"; target {target}")
    rows.insert(2, {"method": "survey", "records": rec, "sessions": None,
                    "participants": people, "file": spath, "frame": survey, "detail": detail})
    # CRM export
    cpath = _file(params, "customers")
    detail, rec = "", None
    if customers is not None:
        rec = len(customers)
        if transactions is not None:
            detail = (f"交易 {len(transactions)} 笔" if zh
                      else f"{len(transactions)} transactions")
            if "date" in transactions.columns:
                d = pd.to_datetime(transactions["date"], errors="coerce").dropna()
                if len(d):
                    detail += f"; {d.min().date()} .. {d.max().date()}"
    rows.append({"method": "crm", "records": rec, "sessions": None, "participants": None,
                 "file": cpath, "frame": customers, "detail": detail})

    out = []
    for r in rows:
        label = METHODS.get(r["method"], _CRM)
        out.append({"method": r["method"], "name": _tr(label, lang),
                    "file": Path(r["file"]).name if r["file"] else "",
                    "records": r["records"], "sessions": r["sessions"],
                    "participants": r["participants"],
                    "status": (_STATUS_ZH.get if zh else str)(
                        _status(r["file"], r["frame"], r["records"])),
                    "detail": r["detail"]})
    frame = pd.DataFrame(out)
    for col in ("records", "sessions", "participants"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def theme_frequency(notes: pd.DataFrame | None) -> pd.DataFrame:
    """How often each coded theme comes up, by method and by sentiment, most frequent first.

    One row per theme (index ``theme``): ``theme_label``, one count column per method
    (internal_interview, in_depth_interview, focus_group), ``total`` excerpts,
    ``sessions`` (distinct sessions that raised it), ``negative`` / ``neutral`` /
    ``positive`` counts and ``negative_share`` = negative / total (empty when the notes
    have no sentiment column). Sorted by total, then sessions, then negative share,
    descending; ties by theme code. ``notes=None`` (no notes): an empty table and a
    :class:`CSIWarning`.

    Example
    -------
    >>> n = pd.DataFrame({"method": ["focus_group"] * 3, "session_id": ["F1", "F1", "F2"],
    ...                   "theme": ["wait", "wait", "price"],
    ...                   "theme_label": ["Waiting", "Waiting", "Price"],
    ...                   "sentiment": ["negative", "neutral", "negative"]})
    >>> theme_frequency(n)[["total", "negative", "negative_share"]].values.tolist()
    [[2.0, 1.0, 0.5], [1.0, 1.0, 1.0]]
    """
    if notes is None:
        warnings.warn("no coded notes (sources.notes not given): no themes to count",
                      CSIWarning, stacklevel=2)
        return pd.DataFrame(columns=["theme_label", *NOTE_METHODS, "total", "sessions",
                                     *SENTIMENTS, "negative_share"]).rename_axis("theme")
    need = [c for c in ("method", "session_id", "theme") if c not in notes.columns]
    if need:
        raise CSIInputError(f"notes: column(s) {need} missing; the coded notes need method, "
                            "session_id and theme (docs/contracts.md)")
    if "sentiment" in notes.columns:
        sent = notes["sentiment"].astype("string").str.strip().str.casefold()
        bad = sent[~sent.isin(SENTIMENTS).fillna(False)]
        if len(bad):
            raise CSIInputError(f"notes: sentiment {bad.iloc[0]!r} at row {bad.index[0]!r} is "
                                "not positive, negative or neutral; recode it")
    else:
        sent = pd.Series(pd.NA, index=notes.index, dtype="string")
    df = pd.DataFrame({"theme": notes["theme"].astype("string"),
                       "method": notes["method"].astype("string"),
                       "session": notes["session_id"].astype("string"), "sentiment": sent})
    if df["theme"].isna().any():
        row = df.index[df["theme"].isna().to_numpy()][0]
        raise CSIInputError(f"notes: row {row!r} has no theme; code the excerpt or drop it")
    labels = (notes["theme_label"].astype("string") if "theme_label" in notes.columns
              else df["theme"])
    by_method = pd.crosstab(df["theme"], df["method"])
    methods = [m for m in NOTE_METHODS if m in by_method.columns] + \
        [m for m in by_method.columns if m not in NOTE_METHODS]
    by_method = by_method.reindex(columns=methods, fill_value=0)
    by_sent = pd.crosstab(df["theme"], df["sentiment"]).reindex(columns=list(SENTIMENTS),
                                                                fill_value=0)
    out = pd.DataFrame(index=by_method.index)
    out["theme_label"] = pd.Series(labels.to_numpy(), index=df["theme"].to_numpy()) \
        .groupby(level=0).first().reindex(out.index)
    out = out.join(by_method)
    out["total"] = by_method.sum(axis=1)
    out["sessions"] = df.groupby("theme")["session"].nunique()
    out = out.join(by_sent)
    out["negative_share"] = out["negative"] / out["total"]
    if "sentiment" not in notes.columns:
        out[list(SENTIMENTS) + ["negative_share"]] = np.nan
    out.index.name = "theme"
    out = out.reset_index().sort_values(["total", "sessions", "negative_share", "theme"],
                                        ascending=[False, False, False, True], kind="stable")
    out = out.set_index("theme")
    out.columns.name = None
    return out


def theme_figure(freq: pd.DataFrame, lang: str = "en", title: str | None = None):
    """Horizontal stacked bars: excerpts per theme, split by sentiment (most frequent on top).

    ``freq`` is the table of :func:`theme_frequency`.

    Example
    -------
    >>> fig = theme_figure(theme_frequency(notes))   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    from . import plotting

    plotting.setup()
    zh = lang == "zh"
    if freq.empty:
        fig, ax = plt.subplots(figsize=(8.5, 1.6))
        ax.axis("off")
        ax.text(0.5, 0.5, "没有编码的访谈记录" if zh else "no coded notes", ha="center",
                va="center", fontsize=11, color="#666666")
        return fig
    data = freq.iloc[::-1]
    labels = data["theme_label"].fillna(pd.Series(data.index, index=data.index)).astype(str)
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(data) + 1.6))
    left = np.zeros(len(data))
    colours = {"negative": plotting.LIKERT_COLOURS[0], "neutral": plotting.LIKERT_COLOURS[2],
               "positive": plotting.LIKERT_COLOURS[4]}
    names = {"negative": "负面", "neutral": "中性", "positive": "正面"} if zh else \
        {s: s for s in SENTIMENTS}
    has_sentiment = data["negative"].notna().any()
    if not has_sentiment:
        ax.barh(labels, data["total"].to_numpy(dtype=float), color=plotting.PALETTE["primary"])
    for s in SENTIMENTS if has_sentiment else ():
        vals = data[s].to_numpy(dtype=float)
        ax.barh(labels, vals, left=left, color=colours[s], label=names[s], edgecolor="white")
        left += vals
    for y, (tot, sess) in enumerate(zip(data["total"], data["sessions"])):
        ax.text(tot + 0.3, y, f"{int(tot)}  ({int(sess)} {'场' if zh else 'sessions'})",
                va="center", fontsize=8.5, color="#444444")
    ax.set_xlim(0, float(data["total"].max()) * 1.25 + 1)
    ax.set_xlabel("编码片段数" if zh else "coded excerpts")
    if has_sentiment:
        ax.legend(loc="lower right", frameon=False, fontsize=9)
    ax.set_title(title or ("访谈与焦点小组中的主题" if zh
                           else "Themes in interviews and focus groups"), loc="left")
    fig.tight_layout()
    return fig
