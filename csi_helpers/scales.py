"""Likert scales: assignment (赋值) and positioning (定位).

METHOD.md §4 measures attitudes with Likert scales in two moves:

* **assignment** (赋值): give each answer label a number by a fixed rule
  (非常不满意 -> 1 ... 非常满意 -> 5); "don't know" answers become missing, and anything
  that is not a label or a number on the scale is *out of range*: it is set to missing
  and listed so a reviewer can see it;
* **positioning** (定位): place each number on a 0-100 continuum,
  ``100 * (x - 1) / (points - 1)``, so 1 -> 0 and ``points`` -> 100.

Reverse-keyed items (worded so that agreeing is bad, e.g. "waiting time was too long")
are turned round with ``points + 1 - x`` before they are combined with other items.

Reference: Likert, R. (1932). A technique for the measurement of attitudes. Archives of
Psychology 140; Fornell, C. et al. (1996). The American Customer Satisfaction Index,
Journal of Marketing 60(4) (the 0-100 rescaling).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .errors import CSIInputError

__all__ = ["Assignment", "assign", "assign_scales", "unknown_answers", "reverse", "position", "distribution",
           "scale_labels", "label_map"]


# --------------------------------------------------------------------------- labels
def label_map(labels: Mapping, points: int, start: int = 1) -> dict[str, int]:
    """Flatten the answer labels of ``scale.labels`` into one ``{label: value}`` dict.

    ``labels`` is either ``{label: value}`` or, as in the params file, one such dict per
    language (``{"zh": {...}, "en": {...}}``). Every value must be a whole number 1..points
    and no label may map to two values.

    Example
    -------
    >>> label_map({"zh": {"满意": 4}, "en": {"Satisfied": 4}}, 5)
    {'满意': 4, 'Satisfied': 4}

    The values returned count the scale's points from 1 whatever ``start`` is: on a 0-10
    scale (``points=11, start=0``) the answer 0 is point 1 and 10 is point 11, so every
    later step (reverse keying, positioning to 0-100) works the same for every scale.
    """
    _check_points(points)
    if labels is None or (isinstance(labels, Mapping) and not labels):
        return {}   # a numeric scale: the answers are the numbers themselves
    if not isinstance(labels, Mapping):
        raise CSIInputError("scale.labels: give the answer labels as {label: value}, one "
                            "mapping per language, e.g. {zh: {非常满意: 5, ...}}")
    top = points + start - 1
    nested = all(isinstance(v, Mapping) for v in labels.values())
    groups = ({str(k): v for k, v in labels.items()} if nested else {"": labels})
    out: dict[str, int] = {}
    for lang, mapping in groups.items():
        where = f"scale.labels.{lang}" if lang else "scale.labels"
        for label, value in mapping.items():
            ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
                or (isinstance(value, float) and float(value).is_integer())
            if not ok or not start <= int(value) <= top:
                raise CSIInputError(f"{where}.{label}: value {value!r} is not a whole number "
                                    f"from {start} to {top} (scale.points); fix the label's "
                                    "value")
            key = str(label).strip()
            internal = int(value) - start + 1
            if key in out and out[key] != internal:
                raise CSIInputError(f"{where}.{label}: the label already means "
                                    f"{out[key] + start - 1}; give each label one value")
            out[key] = internal
    return out


def scale_labels(labels: Mapping, points: int, lang: str = "en") -> list[str]:
    """The label of each scale point 1..points in one language (for legends).

    Falls back to the numbers themselves for points without a label in that language.

    Example
    -------
    >>> scale_labels({"en": {"Bad": 1, "Good": 2}}, 2, "en")
    ['Bad', 'Good']
    """
    nested = isinstance(labels, Mapping) and labels and all(
        isinstance(v, Mapping) for v in labels.values())
    mapping = labels.get(lang) or next(iter(labels.values())) if nested else labels
    by_value: dict[int, str] = {}
    for label, value in (mapping or {}).items():
        by_value.setdefault(int(value), str(label))
    return [by_value.get(v, str(v)) for v in range(1, points + 1)]


def _check_points(points) -> None:
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
        raise CSIInputError(f"scale.points: {points!r} is not a whole number of at least 2; "
                            "give the number of answer options, e.g. 5")


# --------------------------------------------------------------------------- assignment
@dataclass(frozen=True)
class Assignment:
    """The result of :func:`assign`.

    Attributes
    ----------
    values : float DataFrame of the items, 1..points, NaN for missing or out of range;
        same index as the survey.
    out_of_range : one row per answer that is neither a label, a number on the scale, a
        missing label nor blank: ``row`` (the survey's index label), ``respondent_id``,
        ``item``, ``raw``.
    mapping : the rule applied: ``label``, ``value`` (NaN for the missing labels), ``kind``.
    counts : per item: ``answered``, ``blank``, ``missing_label``, ``out_of_range``.
    """

    values: pd.DataFrame
    out_of_range: pd.DataFrame
    mapping: pd.DataFrame
    counts: pd.DataFrame
    points: int

    def __repr__(self) -> str:
        n, k = self.values.shape
        return (f"Assignment({n} responses x {k} items on a {self.points}-point scale; "
                f"{int(self.counts['answered'].sum())} answers assigned, "
                f"{int(self.counts['missing_label'].sum())} 'don't know', "
                f"{int(self.counts['blank'].sum())} blank, "
                f"{len(self.out_of_range)} out of range set to missing)")


def assign(survey: pd.DataFrame, items: Iterable[str], labels: Mapping | None, points: int,
           missing_labels: Iterable[str] = (), id_column: str | None = "respondent_id",
           source: str = "survey", start: int = 1) -> Assignment:
    """Assignment (赋值): turn answer labels into numbers 1..points.

    Rule, cell by cell (leading and trailing spaces ignored; labels matched exactly or,
    failing that, ignoring case):

    * a label of ``labels`` -> its value;
    * a number written as text (``"4"``, ``"4.0"``) that is a whole number on the scale
      (``start`` .. ``start + points - 1``) -> its point (survey tools export codes
      instead of labels; a 0-10 scale has ``start=0``, and its answer ``0`` is point 1);
    * a missing label (``不知道``, ``Don't know``) or a blank -> NaN;
    * anything else (``"9"``, ``"0"``, a typo) -> NaN, and listed in ``out_of_range``.

    Parameters
    ----------
    survey : the survey as read (answers as text; numbers also accepted).
    items : the item columns to assign.
    labels : ``{label: value}`` or one such mapping per language (``scale.labels``).
    points : number of scale points (``scale.points``).
    missing_labels : answers that mean "no answer" (``scale.missing_labels``).
    id_column : the respondent id column copied into ``out_of_range`` (None: none).
    source : the name used in error messages (e.g. the file path).

    Example
    -------
    >>> df = pd.DataFrame({"respondent_id": ["R1", "R2", "R3"],
    ...                    "Q01": ["满意", "不知道", "9"]})
    >>> a = assign(df, ["Q01"], {"满意": 4}, 5, missing_labels=["不知道"])
    >>> a.values["Q01"].tolist()
    [4.0, nan, nan]
    >>> a.out_of_range[["respondent_id", "item", "raw"]].values.tolist()
    [['R3', 'Q01', '9']]
    """
    if not isinstance(survey, pd.DataFrame):
        raise CSIInputError(f"{source}: expected a table (DataFrame) of answers, "
                            f"got {type(survey).__name__}")
    items = list(items)
    if not items:
        raise CSIInputError(f"{source}: no items to assign; list the item columns "
                            "(indicator_system.items)")
    absent = [c for c in items if c not in survey.columns]
    if absent:
        raise CSIInputError(f"{source}: item column(s) {', '.join(map(repr, absent))} missing; "
                            "add them to the file or remove them from indicator_system.items")
    dupes = sorted({c for c in items if items.count(c) > 1})
    if dupes:
        raise CSIInputError(f"items: {', '.join(dupes)} listed twice; list each item once")
    lmap = label_map(labels, points, start)
    folded: dict[str, int] = {}
    for label, value in lmap.items():
        key = label.casefold()
        if key in folded and folded[key] != value:
            raise CSIInputError(f"scale.labels: {label!r} differs from another label only by "
                                "case but means another value; rename one of them")
        folded[key] = value
    missing_set = {str(m).strip() for m in missing_labels}
    missing_folded = {m.casefold() for m in missing_set}
    clash = sorted(missing_set & set(lmap))
    if clash:
        raise CSIInputError(f"scale.missing_labels: {clash} are also answer labels in "
                            "scale.labels; a label is either an answer or missing, not both")

    values = {}
    counts = {}
    oor_parts = []
    for item in items:
        raw = survey[item]
        text = raw.astype("string").str.strip()
        blank = text.isna() | (text == "")
        fold = text.str.casefold()
        is_missing = ~blank & fold.isin(missing_folded).fillna(False)
        by_label = text.map(lmap).astype("Float64")
        by_fold = fold.map(folded).astype("Float64")
        num = pd.to_numeric(text.where(~blank), errors="coerce").astype("Float64")
        num_ok = num.notna() & (num.round() == num) & (num >= start) & \
            (num <= points + start - 1)
        value = by_label.fillna(by_fold)
        value = value.where(value.notna(), (num - start + 1).where(num_ok.fillna(False)))
        value = value.where(~is_missing)
        out = (~blank & ~is_missing & value.isna()).fillna(False).astype(bool)
        values[item] = value.astype("float64").to_numpy(na_value=np.nan)
        counts[item] = {"answered": int(value.notna().sum()), "blank": int(blank.sum()),
                        "missing_label": int(is_missing.sum()), "out_of_range": int(out.sum())}
        if out.any():
            part = pd.DataFrame({"row": survey.index[out.to_numpy()],
                                 "item": item,
                                 "raw": raw[out.to_numpy()].astype("string").to_numpy()})
            if id_column and id_column in survey.columns:
                part.insert(1, "respondent_id",
                            survey.loc[out.to_numpy(), id_column].astype("string").to_numpy())
            oor_parts.append(part)
    frame = pd.DataFrame(values, index=survey.index, columns=items, dtype="float64")
    oor_cols = ["row"] + (["respondent_id"] if id_column and id_column in survey.columns
                          else []) + ["item", "raw"]
    oor = (pd.concat(oor_parts, ignore_index=True) if oor_parts
           else pd.DataFrame({c: pd.Series(dtype="object") for c in oor_cols}))
    mapping = pd.DataFrame(
        [{"label": k, "value": float(v), "kind": "answer"} for k, v in lmap.items()]
        + [{"label": m, "value": np.nan, "kind": "missing"} for m in missing_set],
        columns=["label", "value", "kind"])
    mapping = mapping.sort_values(["kind", "value", "label"], kind="stable",
                                  ignore_index=True)
    count_frame = pd.DataFrame.from_dict(counts, orient="index")
    count_frame.index.name = "item"
    return Assignment(values=frame, out_of_range=oor, mapping=mapping, counts=count_frame,
                      points=int(points))


def assign_scales(survey: pd.DataFrame, item_scales: Mapping[str, Mapping],
                  id_column: str | None = "respondent_id", source: str = "survey"
                  ) -> Assignment:
    """Assignment with named scales: each item on its own scale (``scales.<name>``).

    ``item_scales`` maps each item to its scale (``points``, ``labels``, ``missing_labels``,
    ``start``), as :func:`csi_helpers.params.item_scales` returns it. Items sharing a scale
    are assigned together with :func:`assign`; the results are joined in item order.
    ``points`` of the result is a number when every item has the same number of points,
    else ``{item: points}``; ``mapping`` has a ``scale`` column (the scale's position).

    Example
    -------
    >>> df = pd.DataFrame({"Q1": ["满意"], "Q2": ["7"]})
    >>> a = assign_scales(df, {"Q1": {"points": 5, "labels": {"zh": {"满意": 4}}},
    ...                        "Q2": {"points": 11, "start": 0}}, id_column=None)
    >>> a.values.iloc[0].tolist(), a.points
    ([4.0, 8.0], {'Q1': 5, 'Q2': 11})
    """
    items = list(item_scales)
    groups: dict[int, tuple[Mapping, list[str]]] = {}
    for item in items:
        sc = item_scales[item]
        groups.setdefault(id(sc), (sc, []))[1].append(item)
    parts = []
    for k, (sc, members) in enumerate(groups.values()):
        a = assign(survey, members, sc.get("labels") or {}, int(sc["points"]),
                   sc.get("missing_labels") or (), id_column=id_column, source=source,
                   start=int(sc.get("start", 1)))
        parts.append((k, members, a))
    if len(parts) == 1:
        return parts[0][2]
    values = pd.concat([a.values for _, _, a in parts], axis=1)[items]
    oor = pd.concat([a.out_of_range for _, _, a in parts], ignore_index=True)
    mapping = pd.concat([a.mapping.assign(scale=k) for k, _, a in parts], ignore_index=True)
    counts = pd.concat([a.counts for _, _, a in parts]).loc[items]
    points = {q: int(item_scales[q]["points"]) for q in items}
    if len(set(points.values())) == 1:
        points = next(iter(points.values()))
    return Assignment(values=values, out_of_range=oor, mapping=mapping, counts=counts,
                      points=points)


def unknown_answers(survey: pd.DataFrame, item_scales: Mapping[str, Mapping]) -> pd.DataFrame:
    """Text answers that are neither a label nor a missing label of their item's scale.

    Numbers are left out (a stray ``9`` on a 5-point scale is an out-of-range code that
    cleaning sets to missing and logs); words are not: ``比较满意`` on a scale without that
    label means the scale's labels are incomplete, which ``csi validate`` reports.
    Returns one row per (scale, answer): ``scale`` (its position among the scales),
    ``raw``, ``count`` and ``items`` (the items where it occurs), most frequent first.

    Example
    -------
    >>> df = pd.DataFrame({"Q1": ["满意", "比较满意", "9", "比较满意"]})
    >>> unknown_answers(df, {"Q1": {"points": 5, "labels": {"zh": {"满意": 4}}}}
    ...                 )[["raw", "count"]].values.tolist()
    [['比较满意', 2]]
    """
    rows = []
    scales_seen: dict[int, int] = {}
    for item, sc in item_scales.items():
        if item not in survey.columns:
            continue
        k = scales_seen.setdefault(id(sc), len(scales_seen))
        known = {lab.casefold() for lab in label_map(sc.get("labels") or {}, int(sc["points"]),
                                                     int(sc.get("start", 1)))}
        known |= {str(m).strip().casefold() for m in sc.get("missing_labels") or ()}
        text = survey[item].dropna().astype(str).str.strip()
        text = text[text != ""]
        numeric = pd.to_numeric(text, errors="coerce").notna()
        odd = text[~numeric & ~text.str.casefold().isin(known)]
        for raw, n in odd.value_counts().items():
            rows.append({"scale": k, "raw": raw, "count": int(n), "item": item})
    if not rows:
        return pd.DataFrame(columns=["scale", "raw", "count", "items"])
    df = pd.DataFrame(rows)
    out = (df.groupby(["scale", "raw"], sort=False)
             .agg(count=("count", "sum"), items=("item", lambda x: list(x)))
             .reset_index().sort_values(["scale", "count"], ascending=[True, False],
                                         ignore_index=True))
    return out


# --------------------------------------------------------------------------- keying
def _per_item(points, items) -> dict:
    """``{item: points}`` from one number of points or a mapping item -> points."""
    if isinstance(points, Mapping):
        missing = [q for q in items if q not in points]
        if missing:
            raise CSIInputError(f"no scale for item(s) {', '.join(map(str, missing))}; give "
                                "each item a scale (indicator_system.items[].scale)")
        for q in items:
            _check_points(points[q])
        return {q: int(points[q]) for q in items}
    _check_points(points)
    return {q: int(points) for q in items}


def reverse(values: pd.DataFrame, items: Iterable[str], points) -> pd.DataFrame:
    """Reverse-key ``items``: ``x -> points + 1 - x`` (1 <-> points); other columns unchanged.

    ``points`` is one number for every item or a mapping ``{item: points}`` (named scales).

    Returns a new DataFrame; the input is not modified. NaN stays NaN.

    Example
    -------
    >>> reverse(pd.DataFrame({"Q12": [1.0, 5.0, None], "Q13": [2.0, 2.0, 2.0]}),
    ...         ["Q12"], 5)["Q12"].tolist()
    [5.0, 1.0, nan]
    """
    items = list(items or [])
    per_item = _per_item(points, items)
    absent = [c for c in items if c not in values.columns]
    if absent:
        raise CSIInputError(f"scale.reverse_items: {', '.join(absent)} not among the item "
                            "columns; remove them or add them to indicator_system.items")
    out = values.copy()
    for item in items:
        points = per_item[item]
        col = pd.to_numeric(out[item], errors="coerce").astype("float64")
        bad = col.notna() & ((col < 1) | (col > points))
        if bad.any():
            raise CSIInputError(f"{item}: values outside 1..{points} (first at row "
                                f"{col.index[bad.to_numpy()][0]!r}); assign the answers with "
                                "scales.assign before reverse keying")
        out[item] = points + 1 - col
    return out


def position(values, points):
    """Positioning (定位): place scale values on 0-100, ``100 * (x - 1) / (points - 1)``.

    Works on a number, a Series or a DataFrame (non-numeric columns raise an error). For a
    DataFrame ``points`` may map each column to its scale's points (named scales).

    Example
    -------
    >>> position(pd.Series([1, 3, 5]), 5).tolist()
    [0.0, 50.0, 100.0]
    """
    if isinstance(values, pd.DataFrame):
        bad = [c for c in values.columns if not pd.api.types.is_numeric_dtype(values[c])]
        if bad:
            raise CSIInputError(f"columns {bad} are not numeric; position only the item "
                                "columns, after scales.assign")
        if isinstance(points, Mapping):
            per = pd.Series(_per_item(points, list(values.columns)), dtype="float64")
            return 100.0 * (values.astype("float64") - 1.0) / (per - 1)
        _check_points(points)
        return 100.0 * (values.astype("float64") - 1.0) / (points - 1)
    _check_points(points)
    if isinstance(values, pd.Series):
        return 100.0 * (pd.to_numeric(values).astype("float64") - 1.0) / (points - 1)
    return 100.0 * (np.asarray(values, dtype="float64") - 1.0) / (points - 1)


# --------------------------------------------------------------------------- distributions
def distribution(values: pd.DataFrame, points, items: Iterable[str] | None = None
                 ) -> pd.DataFrame:
    """Answer distribution per item: count and share of each scale point among answers.

    ``points`` is one number or ``{item: points}``; with scales of different lengths the
    share columns run to the longest scale and are empty beyond an item's own.

    One row per item: ``n`` (answered), ``missing``, then ``share_1`` .. ``share_<points>``
    (shares of the answered, summing to 1), ``mean`` and ``top2`` / ``bottom2`` (share of the
    two highest / lowest points, the "top-2-box").

    Example
    -------
    >>> round(float(distribution(pd.DataFrame({"Q01": [1, 5, 5, None]}), 5).loc["Q01", "share_5"]), 3)
    0.667
    """
    items = list(values.columns if items is None else items)
    per = _per_item(points, items)
    top = max(per.values(), default=2)
    rows = {}
    for item in items:
        points = per[item]
        col = pd.to_numeric(values[item], errors="coerce")
        n = int(col.notna().sum())
        row = {"n": n, "missing": int(col.isna().sum())}
        for v in range(1, top + 1):
            row[f"share_{v}"] = float((col == v).sum() / n) if n and v <= points else np.nan
        row["mean"] = float(col.mean()) if n else np.nan
        row["top2"] = row[f"share_{points}"] + row[f"share_{points - 1}"] if n else np.nan
        row["bottom2"] = row["share_1"] + row["share_2"] if n else np.nan
        rows[item] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "item"
    return out
