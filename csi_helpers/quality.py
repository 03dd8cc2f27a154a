"""Fieldwork checks and survey cleaning (METHOD.md §4 step 2, the questionnaire survey).

Before any index is computed a reviewer wants to know what came back from the field and
what was thrown away, and why:

* :func:`fieldwork_summary` - responses started, complete, partial, completion rate,
  unique respondents, median duration, fieldwork dates;
* :func:`quota_table` - the sample by segment against the quota;
* :func:`missing_by_item` - missing answers per item (blank, "don't know", out of range);
* :func:`straightliners`, :func:`speeders`, :func:`duplicates` - suspect responses;
* :func:`clean_survey` - applies the rules of ``fieldwork.cleaning`` in a fixed order and
  returns the cleaned data, a per-row flag table and a log a reviewer can read.

Reference: AAPOR (2016), Standard Definitions: final dispositions of case codes and
outcome rates for surveys (completion rate = complete / started); Leiner, D. J. (2019),
Too fast, too straight, too weird: non-reactive indicators for meaningless data in
internet surveys, Survey Research Methods 13(3).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import scales
from .errors import CSIInputError

__all__ = ["Cleaning", "CLEANING_ORDER", "fieldwork_summary", "quota_table",
           "missing_by_item", "straightliners", "speeders", "duplicates", "duplicate_groups",
           "survey_settings", "clean_survey", "distribution_figure"]

#: The order in which :func:`clean_survey` applies its rules. A row is dropped by the
#: first rule in this order that drops it; every rule still counts every row it flags.
CLEANING_ORDER = ("out_of_range", "partials", "duplicates", "speeders", "straightliners",
                  "too_missing")

_COMPLETE = {"complete", "completed", "完成", "已完成"}
_PARTIAL = {"partial", "incomplete", "部分", "未完成"}

_DEFAULT_CLEANING = {"speeder_seconds": None, "straightline_min_items": None,
                     "max_missing_share": None, "speeders": "drop",
                     "straightliners": "drop", "duplicates": "keep_first",
                     "partials": "drop"}


# --------------------------------------------------------------------------- settings
def survey_settings(params: Mapping) -> dict:
    """The survey settings :func:`clean_survey` uses, read from a params dict.

    Returns ``items``, ``extra_items`` (competitor rating columns), ``points``, ``labels``,
    ``missing_labels``, ``id_column``, ``customer_id_column``, ``status_column``,
    ``duration_column``, ``segments``, ``source`` (file path for messages), ``cleaning``
    (``fieldwork.cleaning`` with defaults), ``quota`` and ``target_responses``.

    Example
    -------
    >>> s = survey_settings({"indicator_system": {"items": [{"id": "Q01"}]},
    ...                      "scale": {"points": 5, "labels": {"en": {"Good": 5}}}})
    >>> s["items"], s["id_column"]
    (['Q01'], 'respondent_id')
    """
    try:
        items = [str(it["id"]) for it in params["indicator_system"]["items"]]
        scale = params["scale"]
        points, labels = scale["points"], scale.get("labels") or {}
    except (KeyError, TypeError) as exc:
        raise CSIInputError(f"params: {exc} is missing; the survey needs "
                            "indicator_system.items[].id, scale.points and scale.labels") from None
    spec = (params.get("sources") or {}).get("survey") or {}
    from .params import item_scales

    extra = []
    by_item = item_scales(params)
    for comp in (params.get("framing") or {}).get("competitors") or []:
        for item, col in (comp.get("columns") or {}).items():
            extra.append(str(col))
            by_item.setdefault(str(col), by_item.get(str(item), scale))
    fieldwork = params.get("fieldwork") or {}
    cleaning = {**_DEFAULT_CLEANING, **(fieldwork.get("cleaning") or {})}
    return {
        "items": items, "extra_items": extra, "labels": labels,
        "points": _points_by_item(by_item, items, int(points)),
        "item_scales": by_item,
        "missing_labels": list(scale.get("missing_labels") or []),
        "reverse_items": list(scale.get("reverse_items") or []),
        "id_column": spec.get("id_column", "respondent_id"),
        "customer_id_column": spec.get("customer_id_column", "customer_id"),
        "status_column": spec.get("status_column", "status"),
        "duration_column": spec.get("duration_column", "duration_sec"),
        "time_column": spec.get("time_column"),
        "segments": list(spec.get("segments") or []),
        "source": str(spec.get("path", "survey")),
        "cleaning": cleaning, "quota": fieldwork.get("quota") or {},
        "target_responses": fieldwork.get("target_responses"),
    }


def _points_by_item(by_item: Mapping, items, points: int):
    """One number of points, or ``{item: points}`` when the items' scales differ in length."""
    per = {q: int((by_item.get(q) or {}).get("points", points)) for q in items}
    return per if len(set(per.values())) > 1 else points


def _need(survey: pd.DataFrame, column: str, source: str, key: str) -> pd.Series:
    if column not in survey.columns:
        raise CSIInputError(f"{source}: column {column!r} is missing; add it to the file or "
                            f"set {key} to the column that holds it")
    return survey[column]


def _complete_mask(survey: pd.DataFrame, status_column: str | None, source: str = "survey"
                   ) -> pd.Series:
    """True for complete responses; every row is complete when there is no status column."""
    if not status_column:
        return pd.Series(True, index=survey.index)
    status = _need(survey, status_column, source, "sources.survey.status_column")
    text = status.astype("string").str.strip().str.casefold()
    known = text.isin(_COMPLETE | _PARTIAL).fillna(False)
    if not known.all():
        bad = text[~known.to_numpy()]
        raise CSIInputError(
            f"{source}: column {status_column!r} has {len(bad)} value(s) other than "
            f"complete/partial, e.g. {bad.iloc[0]!r} at row {bad.index[0]!r}; recode them to "
            "'complete' or 'partial'")
    return text.isin(_COMPLETE).fillna(False).astype(bool)


# --------------------------------------------------------------------------- summaries
def fieldwork_summary(survey: pd.DataFrame, params: Mapping | None = None, *,
                      id_column: str | None = None, status_column: str | None = None,
                      duration_column: str | None = None, time_column: str | None = "start_time",
                      target_responses: int | None = None) -> pd.DataFrame:
    """What came back from the field, one measure per row (``measure``, ``value``, ``note``).

    * responses started = rows in the export; complete / partial by the status column;
    * completion rate = complete / started (AAPOR's completion of started interviews);
    * unique respondents (distinct ids) and rows sharing an id with another row;
    * median duration of complete responses, in minutes; first and last start date;
    * complete responses against ``fieldwork.target_responses`` when it is given.

    Settings come from ``params`` (``sources.survey.*``, ``fieldwork.target_responses``);
    keyword arguments override them.

    Example
    -------
    >>> df = pd.DataFrame({"respondent_id": ["R1", "R2", "R2"],
    ...                    "status": ["complete", "partial", "complete"],
    ...                    "duration_sec": [300, 60, 420]})
    >>> s = fieldwork_summary(df, time_column=None).set_index("measure")["value"]
    >>> int(s["responses started"]), int(s["complete"]), float(s["completion rate"])
    (3, 2, 0.6666666666666666)
    """
    cfg = survey_settings(params) if params else {}
    id_column = id_column or cfg.get("id_column", "respondent_id")
    status_column = status_column or cfg.get("status_column", "status")
    duration_column = duration_column or cfg.get("duration_column", "duration_sec")
    time_column = cfg.get("time_column") or time_column
    target = target_responses if target_responses is not None else cfg.get("target_responses")
    source = cfg.get("source", "survey")
    n = len(survey)
    complete = _complete_mask(survey, status_column if status_column in survey.columns
                              else None, source)
    rows = [("responses started", n, "rows in the survey export"),
            ("complete", int(complete.sum()),
             f"{status_column} = complete" if status_column in survey.columns
             else "no status column: every row counted complete"),
            ("partial", int((~complete).sum()), "started but not finished"),
            ("completion rate", complete.sum() / n if n else np.nan, "complete / started")]
    if id_column in survey.columns:
        ids = survey[id_column].astype("string")
        rows += [("unique respondents", int(ids.nunique()), f"distinct {id_column}"),
                 ("rows sharing an id", int(ids.duplicated(keep=False).sum()),
                  "same respondent id on more than one row")]
    if duration_column in survey.columns:
        dur = pd.to_numeric(survey[duration_column], errors="coerce")
        rows.append(("median duration, complete (min)",
                     float(dur[complete.to_numpy()].median() / 60) if complete.any() else np.nan,
                     f"median of {duration_column} / 60"))
    if time_column and time_column in survey.columns:
        from .sources.values import parse_date
        t = parse_date(survey[time_column].astype("object")).values   # 2026/3/5 14:23:11 too
        if t.notna().any():
            rows += [("first response", str(t.min().date()), time_column),
                     ("last response", str(t.max().date()), time_column),
                     ("fieldwork days", int((t.max().normalize() - t.min().normalize()).days) + 1,
                      "calendar days from first to last")]
    if target:
        rows += [("target responses", int(target), "fieldwork.target_responses"),
                 ("complete / target", complete.sum() / target, "share of the target reached")]
    return pd.DataFrame(rows, columns=["measure", "value", "note"], dtype=object)


def quota_table(survey: pd.DataFrame, quota: Mapping, target_responses: int | None = None,
                segments: Iterable[str] = ()) -> pd.DataFrame:
    """The sample by segment against the quota (配额).

    For each segment column (``region``...) and level: ``count``, ``share`` of the sample,
    ``target_share`` (from ``quota``, e.g. ``{"region": {"North": 0.25, ...}}``),
    ``gap`` = share - target share (percentage points as a fraction), and ``target_count``
    = target share x ``target_responses`` when given. A quota may give counts of
    responses instead of shares (any value above 1): the target share is then the count
    over the segment's total, and the counts are the target counts. Columns in ``segments`` without a
    quota are tabulated without targets. Levels in the data but not in the quota get an
    empty target; quota levels absent from the data get a count of 0.

    Example
    -------
    >>> df = pd.DataFrame({"region": ["N", "N", "S", "S"]})
    >>> quota_table(df, {"region": {"N": 0.25, "S": 0.75}})[["level", "count", "gap"]]
      level  count   gap
    0     N      2  0.25
    1     S      2 -0.25
    """
    quota = dict(quota or {})
    cols = list(quota) + [s for s in segments if s not in quota]
    rows = []
    n = len(survey)
    for col in cols:
        if col not in survey.columns:
            raise CSIInputError(f"fieldwork.quota.{col}: {col!r} is not a column of the "
                                "survey; name a segment column (e.g. region)")
        targets = quota.get(col)
        tcounts = None
        if targets is not None:
            if not isinstance(targets, Mapping) or not targets:
                raise CSIInputError(f"fieldwork.quota.{col}: give target shares (or counts) "
                                    "per level, e.g. {North: 0.25, South: 0.75}")
            bad = [k for k, v in targets.items()
                   if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0]
            if bad:
                raise CSIInputError(f"fieldwork.quota.{col}.{bad[0]}: the target must be a "
                                    "share from 0 to 1 or a count of responses")
            targets = {str(k): v for k, v in targets.items()}
            total = float(sum(targets.values()))
            counts_given = any(v > 1 for v in targets.values())
            if counts_given:
                # counts of responses: the counts are the targets, shares count / total
                tcounts = {k: float(v) for k, v in targets.items()}
                targets = {k: v / total for k, v in targets.items()}
            elif abs(total - 1) > 0.01:
                raise CSIInputError(f"fieldwork.quota.{col}: target shares sum to {total:.3f}, "
                                    "not 1; correct them (or give counts of responses)")
            elif target_responses:
                tcounts = {k: v * target_responses for k, v in targets.items()}
        counts = survey[col].astype("string").fillna("(missing)").value_counts(sort=False)
        levels = list(targets or {}) + sorted(str(x) for x in counts.index
                                              if str(x) not in (targets or {}))
        for level in levels:
            c = int(counts.get(level, 0))
            tshare = float(targets[level]) if targets and level in targets else np.nan
            row = {"segment": col, "level": str(level), "count": c,
                   "share": c / n if n else np.nan, "target_share": tshare,
                   "gap": (c / n - tshare) if n else np.nan}
            if tcounts is not None or target_responses:
                row["target_count"] = (tcounts or {}).get(level, np.nan)
            rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=["segment", "level", "count", "share", "target_share", "gap"])
    return out


def missing_by_item(values, items: Iterable[str] | None = None) -> pd.DataFrame:
    """Missing answers per item: ``answered``, ``missing``, ``missing_share``.

    ``values`` is the assigned item table (NaN = missing) or a :class:`scales.Assignment`;
    with an Assignment the missing answers are split by reason: ``blank`` (no answer),
    ``missing_label`` ("don't know" / N/A) and ``out_of_range`` (set to missing).
    missing_share = missing / rows. Sorted as the items are given.

    Example
    -------
    >>> missing_by_item(pd.DataFrame({"Q01": [1, None, 3, None]})).loc["Q01"].tolist()
    [2.0, 2.0, 0.5]
    """
    if isinstance(values, scales.Assignment):
        counts = values.counts
        if items is not None:
            counts = counts.loc[list(items)]
        out = counts[["answered", "blank", "missing_label", "out_of_range"]].copy()
        out["missing"] = out["blank"] + out["missing_label"] + out["out_of_range"]
        n = out["answered"] + out["missing"]
        out["missing_share"] = out["missing"] / n.where(n > 0)
        return out
    frame = values if items is None else values[list(items)]
    n = len(frame)
    miss = frame.isna().sum()
    out = pd.DataFrame({"answered": (n - miss).astype(int), "missing": miss.astype(int),
                        "missing_share": miss / n if n else np.nan})
    out.index.name = "item"
    return out


# --------------------------------------------------------------------------- suspects
def straightliners(values: pd.DataFrame, min_items: int) -> pd.Series:
    """Straight-liners: the same answer on every answered item, with >= ``min_items`` answered.

    Returns a boolean Series named ``straightliner`` on the index of ``values``.

    Example
    -------
    >>> straightliners(pd.DataFrame({"a": [4, 4, 1], "b": [4, 3, None], "c": [4, 2, 1]}), 2)
    0     True
    1    False
    2     True
    Name: straightliner, dtype: bool
    """
    if isinstance(min_items, bool) or not isinstance(min_items, (int, np.integer)) \
            or min_items < 2:
        raise CSIInputError(f"fieldwork.cleaning.straightline_min_items: {min_items!r}; give a "
                            "whole number of at least 2")
    num = values.apply(pd.to_numeric, errors="coerce")
    answered = num.notna().sum(axis=1)
    same = num.max(axis=1) == num.min(axis=1)
    return (same & (answered >= min_items)).fillna(False).astype(bool).rename("straightliner")


def speeders(durations: pd.Series, seconds: float, complete: pd.Series | None = None
             ) -> pd.Series:
    """Speeders: (complete) responses finished in fewer than ``seconds`` seconds.

    A missing duration is not flagged (there is no evidence). With ``complete`` (a boolean
    Series) only complete responses can be speeders: a partial is short by nature.

    Example
    -------
    >>> speeders(pd.Series([100, 200, None]), 150).tolist()
    [True, False, False]
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, np.number)) \
            or seconds <= 0:
        raise CSIInputError(f"fieldwork.cleaning.speeder_seconds: {seconds!r}; give a positive "
                            "number of seconds")
    dur = pd.to_numeric(durations, errors="coerce")
    flag = (dur < seconds).fillna(False).astype(bool)
    if complete is not None:
        flag = flag & complete.reindex(flag.index).fillna(False).astype(bool)
    return flag.rename("speeder")


def duplicates(survey: pd.DataFrame, id_column: str = "respondent_id",
               status_column: str | None = None) -> pd.Series:
    """Duplicate respondents: every row but one of each id that appears more than once.

    The row kept is the first **complete** row of the id in file order (the first row when
    none is complete, or when ``status_column`` is None): a respondent who gave up and
    started again keeps the finished answers. Rows with an empty id are never duplicates.
    Returns a boolean Series named ``duplicate`` (True = a repeat to drop or flag).

    Example
    -------
    >>> df = pd.DataFrame({"respondent_id": ["R1", "R2", "R1", "R1"],
    ...                    "status": ["partial", "complete", "complete", "complete"]})
    >>> duplicates(df, status_column="status").tolist()
    [True, False, False, True]
    """
    ids = _need(survey, id_column, "survey", "sources.survey.id_column").astype("string")
    ids = ids.str.strip().replace("", pd.NA)
    if status_column and status_column in survey.columns:
        complete = _complete_mask(survey, status_column)
    else:
        complete = pd.Series(True, index=survey.index)
    order = pd.DataFrame({"id": ids.to_numpy(), "incomplete": (~complete).to_numpy().astype(int),
                          "pos": np.arange(len(survey))})
    keep_pos = (order.dropna(subset=["id"]).sort_values(["incomplete", "pos"], kind="stable")
                .drop_duplicates("id")["pos"])
    flag = np.ones(len(survey), dtype=bool)
    flag[keep_pos.to_numpy()] = False
    flag[ids.isna().to_numpy()] = False
    return pd.Series(flag, index=survey.index, name="duplicate")


def duplicate_groups(survey: pd.DataFrame, id_column: str = "respondent_id",
                     status_column: str | None = None) -> pd.DataFrame:
    """The ids on more than one row: ``id``, ``rows`` (how many), ``row_labels``, ``kept``.

    Example
    -------
    >>> duplicate_groups(pd.DataFrame({"respondent_id": ["R1", "R2", "R1"]}))
       id  rows row_labels  kept
    0  R1     2       0, 2     0
    """
    dup = duplicates(survey, id_column, status_column)
    ids = survey[id_column].astype("string").str.strip()
    multi = ids.duplicated(keep=False) & ids.notna() & (ids != "")
    rows = []
    for key, idx in survey.index[multi.to_numpy()].groupby(ids[multi.to_numpy()]).items():
        kept = [i for i in idx if not dup.loc[i]]
        rows.append({"id": key, "rows": len(idx), "row_labels": ", ".join(map(str, idx)),
                     "kept": kept[0] if kept else None})
    return pd.DataFrame(rows, columns=["id", "rows", "row_labels", "kept"])


# --------------------------------------------------------------------------- cleaning
@dataclass(frozen=True)
class Cleaning:
    """The result of :func:`clean_survey`.

    Attributes
    ----------
    data : the cleaned survey: meta columns, then the items (and competitor ratings) as
        numbers 1..points, NaN missing, **not** reverse-keyed; index = the raw row labels.
    log : one row per rule in :data:`CLEANING_ORDER`: ``step``, ``rule``, ``parameter``,
        ``action``, ``rows_flagged``, ``rows_dropped``, ``rows_remaining``, ``note``.
    flags : one row per raw response: ``respondent_id``, ``out_of_range`` (answers set to
        missing), ``partial``, ``duplicate``, ``speeder``, ``straightliner``,
        ``too_missing``, ``missing_share``, ``dropped`` and ``dropped_by`` (the rule).
    assignment : the :class:`scales.Assignment` of the raw survey (out-of-range list...).
    """

    data: pd.DataFrame
    log: pd.DataFrame
    flags: pd.DataFrame
    assignment: scales.Assignment

    def __repr__(self) -> str:
        n_in = len(self.flags)
        return (f"Cleaning({n_in} responses in, {len(self.data)} kept, "
                f"{int(self.flags['dropped'].sum())} dropped; "
                + ", ".join(f"{r.rule}: {r.rows_dropped}" for r in self.log.itertuples()
                            if r.rows_dropped) + ")")

    def _repr_html_(self) -> str:
        return f"<p><code>{self!r}</code></p>" + self.log.to_html(index=False)

    @property
    def out_of_range(self) -> pd.DataFrame:
        """Answers outside the scale, set to missing (row, respondent_id, item, raw)."""
        return self.assignment.out_of_range


def clean_survey(raw_survey: pd.DataFrame, params: Mapping) -> Cleaning:
    """Apply ``fieldwork.cleaning`` to the raw survey; return data, log and flags.

    Rules, in this order (:data:`CLEANING_ORDER`); every rule flags rows on the **whole**
    raw survey, so a row caught by several rules is counted by each of them, and is
    dropped once, by the first rule that drops it:

    1. ``out_of_range`` - answers that are not on the scale (e.g. ``9``, ``0``) are set to
       missing (cells, not rows: nothing is dropped);
    2. ``partials`` - status not complete: ``drop`` | ``keep``;
    3. ``duplicates`` - repeats of a respondent id (the first complete row is kept):
       ``keep_first`` (drop the repeats) | ``flag``;
    4. ``speeders`` - complete in fewer than ``speeder_seconds``: ``drop`` | ``flag``;
    5. ``straightliners`` - one answer on every answered item, at least
       ``straightline_min_items`` answered: ``drop`` | ``flag``;
    6. ``too_missing`` - more than ``max_missing_share`` of the items missing (after
       step 1): always dropped.

    A rule whose parameter is absent or null is skipped (logged as ``off``). Competitor
    ratings (``framing.competitors[].columns``) are assigned like the items but are not
    used by rules 5 and 6 ("don't know" is common there).

    Example
    -------
    >>> from csi_helpers import params as P          # doctest: +SKIP
    >>> c = clean_survey(raw, P.load("params/demo.yaml"))  # doctest: +SKIP
    >>> c.log                                        # doctest: +SKIP
    """
    if not isinstance(raw_survey, pd.DataFrame):
        raise CSIInputError(f"survey: expected a DataFrame, got {type(raw_survey).__name__}")
    cfg = survey_settings(params)
    src = cfg["source"]
    if not raw_survey.index.is_unique:
        raise CSIInputError(f"{src}: the survey's row labels (index) repeat; pass "
                            "survey.reset_index(drop=True) so each response has its own row")
    rules = cfg["cleaning"]
    items = cfg["items"]
    extra = [c for c in cfg["extra_items"] if c not in items]
    absent_extra = [c for c in extra if c not in raw_survey.columns]
    if absent_extra:
        raise CSIInputError(f"{src}: competitor column(s) {absent_extra} missing; add them or "
                            "fix framing.competitors[].columns")
    for key, allowed in {"partials": ("drop", "keep"), "duplicates": ("keep_first", "flag"),
                         "speeders": ("drop", "flag"), "straightliners": ("drop", "flag")}.items():
        if rules.get(key) not in allowed:
            raise CSIInputError(f"fieldwork.cleaning.{key}: {rules.get(key)!r}; use one of "
                                f"{' | '.join(allowed)}")
    assignment = scales.assign_scales(
        raw_survey, {q: cfg["item_scales"][q] for q in items + extra},
        id_column=cfg["id_column"] if cfg["id_column"] in raw_survey.columns else None,
        source=src)
    values = assignment.values
    idx = raw_survey.index
    n = len(raw_survey)

    status_col = cfg["status_column"] if cfg["status_column"] in raw_survey.columns else None
    complete = _complete_mask(raw_survey, status_col, src)
    flags = pd.DataFrame(index=idx)
    if cfg["id_column"] in raw_survey.columns:
        flags["respondent_id"] = raw_survey[cfg["id_column"]].astype("string")
    oor_rows = (assignment.out_of_range["row"].value_counts()
                if len(assignment.out_of_range) else pd.Series(dtype=int))
    flags["out_of_range"] = oor_rows.reindex(idx).fillna(0).astype(int).to_numpy()
    flags["partial"] = (~complete).to_numpy()
    dup_col = cfg["id_column"] if cfg["id_column"] in raw_survey.columns else None
    flags["duplicate"] = (duplicates(raw_survey, dup_col, status_col).to_numpy()
                          if dup_col else False)
    sp = rules.get("speeder_seconds") or None      # 0 = no speeder check (the template's default)
    dur_col = cfg["duration_column"]
    if sp is not None and dur_col:
        dur = _need(raw_survey, dur_col, src, "sources.survey.duration_column")
        flags["speeder"] = speeders(dur, sp, complete).to_numpy()
    else:
        flags["speeder"] = False
    sl = rules.get("straightline_min_items")
    flags["straightliner"] = (straightliners(values[items], sl).to_numpy()
                              if sl is not None else False)
    miss_share = values[items].isna().sum(axis=1) / len(items)
    flags["missing_share"] = miss_share.to_numpy()
    mx = rules.get("max_missing_share")
    if mx is not None and (isinstance(mx, bool) or not isinstance(mx, (int, float))
                           or not 0 <= mx < 1):
        raise CSIInputError(f"fieldwork.cleaning.max_missing_share: {mx!r}; give a share from "
                            "0 to 1 (e.g. 0.30)")
    flags["too_missing"] = (miss_share > mx).to_numpy() if mx is not None else False

    log = []
    dropped_by = pd.Series("", index=idx, dtype="object")
    remaining = n
    n_oor = len(assignment.out_of_range)
    log.append({"step": 1, "rule": "out_of_range",
                "parameter": (f"scale.points = {cfg['points']}" if isinstance(cfg["points"], int)
                              else "scales.<name>.points"),
                "action": "set to missing", "rows_flagged": int((flags["out_of_range"] > 0).sum()),
                "rows_dropped": 0, "rows_remaining": remaining,
                "note": f"{n_oor} answer(s) not on their scale set to missing"})
    steps = [
        ("partials", "partial", f"partials = {rules['partials']}",
         "drop" if rules["partials"] == "drop" else "keep", True,
         "status is not complete"),
        ("duplicates", "duplicate", f"duplicates = {rules['duplicates']}",
         "drop" if rules["duplicates"] == "keep_first" else "flag", True,
         f"repeats of a {cfg['id_column']}; the first complete row is kept"),
        ("speeders", "speeder",
         f"speeder_seconds = {sp}; speeders = {rules['speeders']}",
         rules["speeders"], sp is not None and bool(dur_col), f"complete in under {sp} s"),
        ("straightliners", "straightliner",
         f"straightline_min_items = {sl}; straightliners = {rules['straightliners']}",
         rules["straightliners"], sl is not None,
         f"one answer on every answered item (at least {sl} answered)"),
        ("too_missing", "too_missing", f"max_missing_share = {mx}", "drop", mx is not None,
         f"more than {mx:.0%} of the {len(items)} items missing" if mx is not None else ""),
    ]
    for step, (rule, col, parameter, action, active, note) in enumerate(steps, start=2):
        flagged = flags[col].astype(bool)
        if not active:
            action, note = "off", ("no duration column (sources.survey.duration_column): "
                                   "rule skipped" if rule == "speeders" and sp is not None
                                   else "parameter not set: rule skipped")
        if rule == "partials" and status_col is None:
            note = "no status column (sources.survey.status_column): every row counted complete"
        drop_now = flagged & (dropped_by == "") if action == "drop" else flagged & False
        dropped_by[drop_now.to_numpy()] = rule
        remaining -= int(drop_now.sum())
        log.append({"step": step, "rule": rule, "parameter": parameter, "action": action,
                    "rows_flagged": int(flagged.sum()), "rows_dropped": int(drop_now.sum()),
                    "rows_remaining": remaining, "note": note})
    flags["dropped"] = (dropped_by != "").to_numpy()
    flags["dropped_by"] = dropped_by.to_numpy()

    keep = ~flags["dropped"].to_numpy()
    meta = [c for c in raw_survey.columns if c not in items and c not in extra]
    data = pd.concat([raw_survey.loc[keep, meta], values.loc[keep, items + extra]], axis=1)
    log_frame = pd.DataFrame(log, columns=["step", "rule", "parameter", "action",
                                           "rows_flagged", "rows_dropped", "rows_remaining",
                                           "note"])
    return Cleaning(data=data, log=log_frame, flags=flags, assignment=assignment)


def distribution_figure(values: pd.DataFrame, params: Mapping, lang: str = "en",
                        title: str | None = None):
    """Diverging stacked bars of the answers per item, labelled from the params.

    Takes the items of ``indicator_system.items`` from ``values`` (e.g.
    ``Cleaning.data``), their wording and the scale labels in ``lang``, marks the
    reverse-keyed items, and calls :func:`plotting.diverging_likert_figure`.

    Example
    -------
    >>> fig = distribution_figure(cleaning.data, params, "zh")   # doctest: +SKIP
    """
    from . import framing, plotting

    cfg = survey_settings(params)
    items, points, labels = cfg["items"], cfg["points"], cfg["labels"]
    if isinstance(points, Mapping):
        # named scales of several lengths: one diverging chart needs one length; show the
        # items of the most common length (the full distribution table has every item)
        lengths = pd.Series(points)
        common = int(lengths.value_counts().idxmax())
        items = [q for q in items if points[q] == common]
        labels = cfg["item_scales"][items[0]].get("labels") or {}
        points = common
    return plotting.diverging_likert_figure(
        values[items], points, framing.item_texts(params, lang),
        scales.scale_labels(labels, points, lang), lang, title=title,
        reverse_items=cfg["reverse_items"])
