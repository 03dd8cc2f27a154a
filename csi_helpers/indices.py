"""Indicator construction: item statistics and the roll-up of 0-100 scores to a CSI.

The fourth level of the indicator system (survey items, METHOD.md §2) is measured on a
Likert scale in two moves (METHOD.md §4): *assignment* (赋值, each answer label becomes a
number 1..points; ``csi_helpers.scales.assign``) and *positioning* (定位, the numbers are
placed on one 0-100 continuum, ``100 * (x - 1) / (points - 1)``; ``scales.position``),
after reverse-keyed items are turned round (``scales.reverse``). This module takes those
0-100 positions up the tree

    item -> indicator (测评指标) -> latent variable -> CSI (顾客满意度指数)

and answers the questions a CSI report asks of them: how each item behaves
(``item_statistics``), which indicators matter and how they perform
(``importance_performance``, ``ipa_figure``), how segments differ (``by_segment``,
``segment_figure``) and how the client stands against its competitors
(``against_competitors``, ``competitor_figure``).

Weights live in the params file (``params/demo.yaml`` shape): ``weight`` on an item
(within its indicator), on an indicator (within its latent variable) and on a latent
variable (for ``indicator_system.csi.weighting: custom``). Without weights every level is
the plain mean of the level below.

Example
-------
>>> from csi_helpers import indices, scales
>>> keyed = scales.reverse(values, p["scale"]["reverse_items"], 5)   # doctest: +SKIP
>>> r = indices.rollup(scales.position(keyed, 5), p)                  # doctest: +SKIP
>>> r.csi, r.weighting                                                # doctest: +SKIP
(74.3, 'acsi')
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import CSIInputError, CSIWarning

__all__ = [
    "Rollup", "Reliability", "positioning_table", "item_positions", "item_statistics",
    "reliability_by_lv", "rollup", "respondent_scores", "scores_figure",
    "importance_performance", "ipa_figure", "by_segment", "segment_figure",
    "against_competitors", "competitor_figure", "QUADRANTS",
]

#: Outcome latent variables: not drivers of satisfaction in importance-performance.
OUTCOME_LVS = ("SAT", "COMP", "LOY")
#: The complaints LV: higher means more complaints, the opposite direction to the others.
COMPLAINTS_LV = "COMP"
SATISFACTION_LV = "SAT"

#: Importance-performance quadrants (Martilla & James 1977), in both languages.
QUADRANTS = {
    "keep_up": {"en": "Keep up the good work", "zh": "继续保持"},
    "concentrate": {"en": "Concentrate here", "zh": "重点改进"},
    "low_priority": {"en": "Low priority", "zh": "低优先级"},
    "overkill": {"en": "Possible overkill", "zh": "可能过度投入"},
}

_TEXT = {
    "en": {
        "performance": "Performance (0-100)",
        "importance": "Importance (correlation with {target})",
        "ipa_title": "Importance-performance of the indicators",
        "score": "Score (0-100)",
        "segment_title": "{measure} by segment (95% CI)",
        "all": "All",
        "competitor_title": "{client} against competitors (0-100, 95% CI)",
        "csi": "CSI",
        "tree_title": "Scores up the indicator tree (0-100)",
        "difference": "client minus this {d:+.1f} [{lo:+.1f}, {hi:+.1f}], paired n={n}",
    },
    "zh": {
        "performance": "表现 (0-100)",
        "importance": "重要性 (与{target}的相关系数)",
        "ipa_title": "测评指标的重要性-表现分析",
        "score": "得分 (0-100)",
        "segment_title": "各细分群体的{measure} (95% 置信区间)",
        "all": "全体",
        "competitor_title": "{client}与竞争者对比 (0-100, 95% 置信区间)",
        "csi": "顾客满意度指数",
        "tree_title": "测评指标体系各层得分 (0-100)",
        "difference": "本公司减该竞争者 {d:+.1f} [{lo:+.1f}, {hi:+.1f}], 配对 n={n}",
    },
}


# --------------------------------------------------------------------------- helpers
def _lang(params: Mapping | None, lang: str | None) -> str:
    if lang is None:
        lang = ((params or {}).get("client") or {}).get("language", "en")
    if lang not in ("en", "zh"):
        raise CSIInputError(f"lang={lang!r}: use 'en' or 'zh' (client.language in the params file)")
    return lang


def _name(obj: Mapping, lang: str, key: str = "name") -> str:
    """The object's label in `lang` (falls back to English, then to its id)."""
    value = obj.get(key)
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), obj.get("id")))
    if value:
        return str(value)
    return str(obj.get("id"))


def _system(params: Mapping) -> Mapping:
    try:
        return params["indicator_system"]
    except (KeyError, TypeError):
        raise CSIInputError("params: 'indicator_system' is missing; pass the dict from "
                            "csi_helpers.params.load (shaped like params/demo.yaml)") from None


def _points(params: Mapping):
    """Scale points: one number when every item has the same scale length, else
    ``{item: points}`` (named scales of different lengths, e.g. 5-point and 0-10)."""
    try:
        points = int(params["scale"]["points"])
    except (KeyError, TypeError, ValueError):
        raise CSIInputError("params: scale.points is missing or not a whole number; "
                            "set it to the number of answer categories, e.g. 5") from None
    if points < 2:
        raise CSIInputError(f"params: scale.points = {points}; a Likert scale needs at least 2 points")
    if params.get("scales"):
        from .params import item_points
        try:
            per = item_points(params)
        except (KeyError, TypeError):
            return points
        if len(set(per.values())) > 1:
            return per
        return next(iter(per.values()), points)
    return points


def _item_scale(params: Mapping, item: str) -> Mapping:
    """The scale of one item (``scales.<name>`` or the single ``scale``)."""
    if params.get("scales"):
        from .params import item_scales
        try:
            return item_scales(params).get(item) or params["scale"]
        except (KeyError, TypeError):
            pass
    return params.get("scale") or {}


def _points_of(points, item: str) -> int:
    return int(points[item]) if isinstance(points, Mapping) else int(points)


def _weights(children: Sequence[Mapping], where: str) -> np.ndarray:
    """Weights of a node's children (ones unless every child has `weight`; normalise to report)."""
    given = [c.get("weight") for c in children]
    if all(w is None for w in given):
        return np.ones(len(children))   # unnormalised: the weighted means renormalise (exact sums)
    missing = [c.get("id") for c, w in zip(children, given) if w is None]
    if missing:
        raise CSIInputError(f"params: {where}: 'weight' is given for some but not for "
                            f"{', '.join(map(str, missing))}; give a weight to every one or to none")
    try:
        w = np.array([float(x) for x in given])
    except (TypeError, ValueError):
        raise CSIInputError(f"params: {where}: every 'weight' must be a number; got {given}") from None
    if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise CSIInputError(f"params: {where}: weights must be finite, >= 0 and not all 0; got {given}")
    return w


def _weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean over the non-missing columns (weights renormalised per row)."""
    x = np.atleast_2d(x)
    ok = ~np.isnan(x)
    den = (ok * w).sum(axis=1)
    num = np.where(ok, x, 0.0) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _numeric_frame(df: pd.DataFrame, columns: Iterable[str], what: str) -> pd.DataFrame:
    columns = list(columns)
    absent = [c for c in columns if c not in df.columns]
    if absent:
        raise CSIInputError(f"{what}: column(s) {', '.join(absent)} missing; pass a DataFrame "
                            f"with one column per survey item (e.g. from scales.position)")
    out = {}
    for c in columns:
        s = df[c]
        if not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
            raise CSIInputError(f"{what}: column {c!r} is not numeric (dtype {s.dtype}); assign "
                                f"answer labels to numbers first with csi_helpers.scales.assign")
        out[c] = pd.to_numeric(s, errors="coerce").astype(float)
    return pd.DataFrame(out, index=df.index)


def _t_ci(x: np.ndarray, confidence: float) -> tuple[int, float, float, float, float]:
    """n, mean, sd, and the t-based confidence interval of the mean (as R's t.test)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return n, mean, sd, mean - half, mean + half


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise CSIInputError(f"confidence={confidence}: give a level between 0 and 1, e.g. 0.95")


# --------------------------------------------------------------------------- the tree
@dataclass(frozen=True)
class _Tree:
    lvs: list[dict]            # {id, name, weight?}
    indicators: list[dict]     # {id, lv, name, items, weight?}
    items: dict[str, dict]     # id -> {id, text, weight?}


def _tree(params: Mapping) -> _Tree:
    system = _system(params)
    lvs = [dict(lv) for lv in system.get("latent_variables") or []]
    if not lvs:
        raise CSIInputError("params: indicator_system.latent_variables is empty; list the model's LVs")
    lv_ids = [lv.get("id") for lv in lvs]
    items = {it.get("id"): dict(it) for it in system.get("items") or []}
    inds = []
    for i, ind in enumerate(system.get("indicators") or []):
        ind = dict(ind)
        if ind.get("lv") not in lv_ids:
            raise CSIInputError(f"params: indicator_system.indicators[{i}].lv: {ind.get('lv')!r} is "
                                f"not a latent variable id ({', '.join(map(str, lv_ids))})")
        if not ind.get("items"):
            raise CSIInputError(f"params: indicator_system.indicators[{i}].items: indicator "
                                f"{ind.get('id')!r} has no items; list its survey items")
        for q in ind["items"]:
            items.setdefault(q, {"id": q})
        inds.append(ind)
    if not inds:
        raise CSIInputError("params: indicator_system.indicators is empty; list the indicators")
    return _Tree(lvs, inds, items)


def _item_ids(tree: _Tree) -> list[str]:
    seen: list[str] = []
    for ind in tree.indicators:
        for q in ind["items"]:
            if q not in seen:
                seen.append(q)
    return seen


def _csi_weights(tree: _Tree, params: Mapping, lv_ids: list[str]) -> tuple[str, dict[str, float], str]:
    """(weighting, {lv: weight (unnormalised)}, description) from indicator_system.csi.weighting."""
    csi = _system(params).get("csi") or {}
    weighting = csi.get("weighting", "acsi")
    if weighting == "acsi":
        if SATISFACTION_LV not in lv_ids:
            raise CSIInputError("params: indicator_system.csi.weighting is 'acsi' (CSI = the SAT "
                                "score) but no latent variable 'SAT' has indicators; add SAT or "
                                "choose weighting: equal | custom")
        return weighting, {SATISFACTION_LV: 1.0}, (
            "acsi: CSI = the score of the satisfaction latent variable SAT (the ACSI definition)")
    if weighting == "equal":
        use = [lv for lv in lv_ids if lv != COMPLAINTS_LV]
        if not use:
            raise CSIInputError("params: indicator_system.csi.weighting is 'equal' but no latent "
                                "variable other than COMP has indicators")
        return weighting, {lv: 1.0 for lv in use}, (
            f"equal: CSI = the mean of the latent variables except COMP ({', '.join(use)}); "
            "COMP is left out because more complaints mean less satisfaction")
    if weighting == "custom":
        raw = {}
        for i, lv in enumerate(tree.lvs):
            if lv.get("weight") is None:
                continue
            try:
                w = float(lv["weight"])
            except (TypeError, ValueError):
                raise CSIInputError(f"params: indicator_system.latent_variables[{i}].weight: "
                                    f"{lv['weight']!r} is not a number") from None
            if w < 0 or not math.isfinite(w):
                raise CSIInputError(f"params: indicator_system.latent_variables[{i}].weight: {w} "
                                    "must be finite and >= 0")
            if w > 0 and lv["id"] not in lv_ids:
                raise CSIInputError(f"params: indicator_system.latent_variables[{i}].weight: "
                                    f"{lv['id']} has a weight but no indicators")
            if w > 0:
                raw[lv["id"]] = w
        total = sum(raw.values())
        if total <= 0:
            raise CSIInputError("params: indicator_system.csi.weighting is 'custom' but no latent "
                                "variable has a positive 'weight'; add indicator_system."
                                "latent_variables[].weight (normalised to sum 1)")
        weights = {k: v / total for k, v in raw.items()}
        parts = ", ".join(f"{k} {v:.3f}" for k, v in weights.items())
        note = " COMP enters as 100 - COMP (fewer complaints, higher CSI)." if COMPLAINTS_LV in weights else ""
        return weighting, weights, f"custom: CSI = weighted mean of the latent variables ({parts}).{note}"
    raise CSIInputError(f"params: indicator_system.csi.weighting: {weighting!r} is not one of "
                        "acsi | equal | custom")


# --------------------------------------------------------------------------- items
def _reverse_keyed(values, params: dict, what: str):
    """The tree, scale points, item ids and the items as numbers with reverse keying applied."""
    from . import scales

    tree = _tree(params)
    points = _points(params)
    items = _item_ids(tree)
    vals = _numeric_frame(values, items, what)
    reverse = [q for q in (params.get("scale") or {}).get("reverse_items") or [] if q in items]
    return tree, points, items, (scales.reverse(vals, reverse, points) if reverse else vals)


def item_positions(values: pd.DataFrame, params: Mapping) -> pd.DataFrame:
    """Reverse-key and position the items of the indicator system on 0-100.

    ``values`` holds the assigned answers (1..points, NaN missing) as in the cleaned
    survey of notebook 02. Items in ``scale.reverse_items`` become ``points + 1 - x``
    (``scales.reverse``), then every item becomes ``100 * (x - 1) / (points - 1)``
    (``scales.position``). Returns a new DataFrame of the items only, same index.

    Example
    -------
    >>> pos = item_positions(survey, params)   # doctest: +SKIP
    """
    from . import scales

    tree, points, items, keyed = _reverse_keyed(values, params, "item_positions(values)")
    listed = [it.get("id") for it in _system(params).get("items") or []]
    order = [q for q in listed if q in items] + [q for q in items if q not in listed]
    return scales.position(keyed[order], points)


def item_statistics(values: pd.DataFrame, points, items: Sequence[str] | None = None,
                    reverse: Sequence[str] | None = None, top_box: int = 2) -> pd.DataFrame:
    """Descriptive statistics per item, after reverse keying.

    For each item (rows, in the order given): ``n`` answered, ``mean`` and ``sd``
    (n - 1 denominator) on the 1..points scale, ``missing_pct`` (share of all rows
    without an answer, in %), ``top2_pct`` (share of the answered rows in the top
    ``top_box`` categories, in %: the favourable answers), ``position`` (the mean on
    0-100, ``100 * (mean - 1) / (points - 1)``) and ``skew``
    ``g1 * ((n - 1) / n) ** 1.5`` with ``g1 = m3 / m2 ** 1.5`` (type 3 of R
    ``psych::describe``, its default). Items listed in ``reverse`` are turned round
    (``points + 1 - x``) first, so for every item a higher value is the favourable one;
    column ``reversed`` says which. ``points`` is one number or ``{item: points}``.

    Reference: Revelle, psych::describe; Joanes & Gill (1998) for the skew types.

    Example
    -------
    >>> item_statistics(survey[["Q01", "Q12"]], points=5, reverse=["Q12"])  # doctest: +SKIP
    """
    from . import scales

    if items is None:
        items = list(values.columns)
    per = {q: _points_of(points, q) for q in items}
    low = min(per.values(), default=2)
    if not 1 <= top_box < low:
        raise CSIInputError(f"top_box={top_box}: must be between 1 and points - 1 ({low - 1})")
    vals = _numeric_frame(values, items, "item_statistics(values)")
    reverse = [q for q in (reverse or []) if q in items]
    unknown = [q for q in vals.columns if ((vals[q] < 1) | (vals[q] > per[q])).any()]
    if unknown:
        shown = ", ".join(f"{q} (outside 1..{per[q]})" for q in unknown)
        raise CSIInputError(f"item_statistics: item(s) {shown} have values off their scale; "
                            "clean them with quality.clean_survey or scales.assign")
    keyed = scales.reverse(vals, reverse, per) if reverse else vals
    rows = []
    for q in items:
        points = per[q]
        x = keyed[q].to_numpy()
        x = x[~np.isnan(x)]
        n = x.size
        mean = x.mean() if n else math.nan
        sd = x.std(ddof=1) if n > 1 else math.nan
        if n > 2:
            d = x - mean
            m2 = (d ** 2).mean()
            m3 = (d ** 3).mean()
            skew = m3 / m2 ** 1.5 * ((n - 1) / n) ** 1.5 if m2 > 0 else math.nan
        else:
            skew = math.nan
        rows.append({
            "item": q, "n": n, "mean": mean, "sd": sd,
            "missing_pct": 100.0 * (len(keyed) - n) / len(keyed) if len(keyed) else math.nan,
            "top2_pct": 100.0 * (x > points - top_box).mean() if n else math.nan,
            "position": 100.0 * (mean - 1) / (points - 1) if n else math.nan,
            "skew": skew, "reversed": q in reverse,
        })
    out = pd.DataFrame(rows).set_index("item")
    if top_box != 2:
        out = out.rename(columns={"top2_pct": f"top{top_box}_pct"})
    return out


def positioning_table(params: Mapping, lang: str | None = None) -> pd.DataFrame:
    """The assignment and positioning rule as one table: label -> value -> 0-100.

    One row per scale point: ``label`` (in ``lang``), ``value`` (assignment, 赋值),
    ``position`` (positioning, 定位: ``100 * (value - 1) / (points - 1)``), and for the
    reverse-keyed items ``reversed_value`` (``points + 1 - value``) and
    ``reversed_position``; then one row per missing label (value and positions empty).

    Example
    -------
    >>> positioning_table(params, "en")   # doctest: +SKIP
    """
    from . import scales

    lang = _lang(params, lang)
    _points(params)  # checks the params
    named = params.get("scales") or {"default": params.get("scale") or {}}
    parts = []
    for name, scale in named.items():
        points = int(scale["points"])
        start = int(scale.get("start", 1))
        labels = scales.scale_labels(scale.get("labels") or {}, points, lang)
        value = np.arange(1, points + 1, dtype=float)
        out = pd.DataFrame({"label": labels, "value": value,
                            "position": scales.position(value, points),
                            "reversed_value": points + 1 - value,
                            "reversed_position": scales.position(points + 1 - value, points)})
        if start != 1 and not scale.get("labels"):
            out["label"] = [str(int(v) + start - 1) for v in value]
        missing = [m for m in scale.get("missing_labels") or []]
        if missing:
            out = pd.concat([out, pd.DataFrame({"label": missing})], ignore_index=True)
        if len(named) > 1:
            out.insert(0, "scale", name)
        parts.append(out)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


@dataclass(frozen=True, eq=False)
class Reliability:
    """Reliability of each latent variable's items (``reliability_by_lv``).

    summary : per LV: name, n_items, n, alpha, std_alpha (NaN for a single-item LV), note
        (items correlating negatively with the scale or dropped as constant, as warned).
    items : per LV and item: mean, sd, r_drop (corrected item-total r), alpha_if_deleted.
    """

    summary: pd.DataFrame
    items: pd.DataFrame

    def __repr__(self) -> str:
        lines = ["Cronbach's alpha per latent variable (reverse-keyed items turned round):"]
        lines += [f"  {lv:<5} alpha = {r['alpha']:.3f}  ({int(r['n_items'])} items, n = {int(r['n'])})"
                  for lv, r in self.summary.iterrows()]
        return "\n".join(lines)


def reliability_by_lv(values: pd.DataFrame, params: Mapping, lang: str | None = None) -> Reliability:
    """Cronbach's alpha, alpha-if-deleted and corrected item-total r for each latent variable.

    ``values`` are the assigned answers (1..points, not yet reverse-keyed); the items of
    ``scale.reverse_items`` are turned round first (``scales.reverse``), then
    ``reliability.alpha`` runs on each LV's items (all items of all its indicators):
    ``alpha = k / (k - 1) * (1 - sum(var_i) / var_total)`` as R ``psych::alpha``.
    A single-item LV has no alpha (row kept, NaN).

    Reference: Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. Psychometrika 16, 297-334.

    Example
    -------
    >>> rel = reliability_by_lv(survey, params)   # doctest: +SKIP
    >>> rel.summary                               # doctest: +SKIP
    """
    from . import reliability

    lang = _lang(params, lang)
    tree, _, _, keyed = _reverse_keyed(values, params, "reliability_by_lv(values)")
    summary, rows = [], []
    for lv in tree.lvs:
        qs = [q for ind in tree.indicators if ind["lv"] == lv["id"] for q in ind["items"]]
        qs = list(dict.fromkeys(qs))
        if not qs:
            continue
        base = {"lv": lv["id"], "name": _name(lv, lang), "n_items": len(qs)}
        if len(qs) < 2:
            summary.append({**base, "n": int(keyed[qs[0]].notna().sum()), "alpha": math.nan,
                            "std_alpha": math.nan, "note": "single item: no alpha"})
            continue
        res = reliability.alpha(keyed[qs])
        flags = [f"negative r with the scale: {', '.join(res.negative)}"] if getattr(res, "negative", ()) else []
        flags += [f"dropped (constant): {', '.join(res.dropped)}"] if getattr(res, "dropped", ()) else []
        summary.append({**base, "n": int(res.n), "alpha": float(res.alpha), "std_alpha": float(res.std_alpha),
                        "note": "; ".join(flags)})
        it = res.items.copy()
        it.insert(0, "lv", lv["id"])
        it.index.name = "item"
        rows.append(it.reset_index())
    items_table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["item", "lv", "mean", "sd", "r_drop", "alpha_if_deleted"])
    return Reliability(summary=pd.DataFrame(summary).set_index("lv"), items=items_table)


# --------------------------------------------------------------------------- roll-up
@dataclass(frozen=True, eq=False)
class Rollup:
    """0-100 scores at every level of the indicator tree.

    Attributes
    ----------
    table : tidy DataFrame, one row per node: level (item | indicator | latent_variable
        | csi), id, parent, name, weight (within the parent, normalised), score (0-100),
        n (respondents with a score at that node).
    respondents : per-respondent scores (same index as the positions): one column per
        indicator, per latent variable, and ``CSI``.
    positions : the item positions the roll-up started from.
    weighting : acsi | equal | custom; ``description`` says what it means.
    csi, n : the index and the respondents behind it.
    """

    table: pd.DataFrame
    respondents: pd.DataFrame
    positions: pd.DataFrame = field(repr=False)
    weighting: str
    description: str
    csi: float
    n: int
    lang: str = "en"

    def level(self, level: str) -> pd.DataFrame:
        """The rows of one level: item | indicator | latent_variable | csi, indexed by id."""
        return self.table[self.table["level"] == level].set_index("id")

    @property
    def items(self) -> pd.DataFrame:
        return self.level("item")

    @property
    def indicators(self) -> pd.DataFrame:
        return self.level("indicator")

    @property
    def latent_variables(self) -> pd.DataFrame:
        return self.level("latent_variable")

    def __repr__(self) -> str:
        lv = self.latent_variables
        lines = [f"Rollup: CSI = {self.csi:.1f} (0-100, n = {self.n})",
                 f"Weighting {self.description}", "Latent variables (0-100):"]
        lines += [f"  {i:<5} {r['name']:<30} {r['score']:6.1f}  (n = {int(r['n'])})"
                  for i, r in lv.iterrows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (f"<p><b>CSI = {self.csi:.1f}</b> (0-100, n = {self.n}); "
                f"weighting <i>{self.description}</i></p>")
        body = self.table[self.table["level"] != "item"].to_html(index=False, float_format="%.1f")
        return head + body


def rollup(positions: pd.DataFrame, params: Mapping, lang: str | None = None) -> Rollup:
    """Roll 0-100 item positions up the tree: item -> indicator -> latent variable -> CSI.

    Aggregate scores (``.table``): an item's score is its mean position over the
    respondents who answered it; an indicator's is the mean of its items' scores (or
    the weighted mean with ``indicator_system.items[].weight``, normalised); a latent
    variable's the mean (or ``indicators[].weight``-weighted mean) of its indicators'
    scores; the CSI follows ``indicator_system.csi.weighting``:

    - ``acsi``: CSI = the SAT latent variable's score (the ACSI definition);
    - ``equal``: the mean of the latent variables except COMP (complaints run the other
      way: more complaints, less satisfaction);
    - ``custom``: ``sum_k w_k LV_k`` with ``latent_variables[].weight`` normalised to 1;
      a weighted COMP enters as ``100 - COMP``.

    So every parent in the table equals the (weighted) mean of its children shown there.
    Per-respondent scores (``.respondents``, for segments and tiers) use the same
    weights over the children the respondent has (weights renormalised over the answered
    ones); their mean equals the aggregate score when nothing is missing, and can differ
    slightly when answers are missing.

    Reference: Fornell et al. (1996), The American Customer Satisfaction Index, J.
    Marketing 60(4), for the 0-100 index; the PLS-weighted index is ``pls.csi_index``.

    Example
    -------
    >>> r = rollup(item_positions(survey, params), params)   # doctest: +SKIP
    >>> r.csi, r.weighting                                   # doctest: +SKIP
    """
    lang = _lang(params, lang)
    tree = _tree(params)
    item_ids = _item_ids(tree)
    pos = _numeric_frame(positions, item_ids, "rollup(positions)")
    bad = [q for q in item_ids if ((pos[q] < 0) | (pos[q] > 100)).any()]
    if bad:
        raise CSIInputError(f"rollup(positions): item(s) {', '.join(bad)} have values outside "
                            "0-100; pass positions (scales.position), not the 1..points answers")

    rows: list[dict] = []
    resp: dict[str, np.ndarray] = {}
    item_score = pos.mean(axis=0)
    item_n = pos.notna().sum(axis=0)
    ind_score: dict[str, float] = {}
    lv_inds: dict[str, list[dict]] = {}
    for ind in tree.indicators:
        lv_inds.setdefault(ind["lv"], []).append(ind)
    empty_lvs = [lv["id"] for lv in tree.lvs if lv["id"] not in lv_inds]
    if empty_lvs:
        warnings.warn(f"latent variable(s) {', '.join(empty_lvs)} have no indicators in "
                      "indicator_system.indicators and are left out of the roll-up", CSIWarning,
                      stacklevel=2)

    for i, ind in enumerate(tree.indicators):
        children = [tree.items[q] for q in ind["items"]]
        w = _weights(children, f"indicator_system.items (weights of the items of indicator {ind['id']})")
        for q, wq in zip(ind["items"], w / w.sum()):
            rows.append({"level": "item", "id": q, "parent": ind["id"],
                         "name": _name(tree.items[q], lang, "text"), "weight": wq,
                         "score": float(item_score[q]), "n": int(item_n[q])})
        scores = item_score[ind["items"]].to_numpy(dtype=float)
        if np.isnan(scores).any():
            warnings.warn(f"indicator {ind['id']}: item(s) "
                          f"{', '.join(q for q, s in zip(ind['items'], scores) if np.isnan(s))} "
                          "have no answers; the indicator is scored from its other items",
                          CSIWarning, stacklevel=2)
        ind_score[ind["id"]] = float(_weighted_mean(scores[None, :], w)[0])
        resp[ind["id"]] = _weighted_mean(pos[ind["items"]].to_numpy(), w)

    lv_score: dict[str, float] = {}
    lv_rows = []
    for lv in tree.lvs:
        if lv["id"] not in lv_inds:
            continue
        inds = lv_inds[lv["id"]]
        w = _weights(inds, f"indicator_system.indicators (weights of the indicators of {lv['id']})")
        for ind, wi in zip(inds, w / w.sum()):
            rows.append({"level": "indicator", "id": ind["id"], "parent": lv["id"],
                         "name": _name(ind, lang), "weight": wi, "score": ind_score[ind["id"]],
                         "n": int(np.sum(~np.isnan(resp[ind["id"]])))})
        lv_score[lv["id"]] = float(_weighted_mean(np.array([[ind_score[d["id"]] for d in inds]]), w)[0])
        resp[lv["id"]] = _weighted_mean(np.column_stack([resp[d["id"]] for d in inds]), w)
        lv_rows.append(lv)

    lv_ids = [lv["id"] for lv in lv_rows]
    weighting, cw, description = _csi_weights(tree, params, lv_ids)
    for lv in lv_rows:
        rows.append({"level": "latent_variable", "id": lv["id"], "parent": "CSI",
                     "name": _name(lv, lang), "weight": cw.get(lv["id"], 0.0) / sum(cw.values()),
                     "score": lv_score[lv["id"]], "n": int(np.sum(~np.isnan(resp[lv["id"]])))})

    def oriented(lv_id, x):
        return 100.0 - x if (lv_id == COMPLAINTS_LV and weighting == "custom") else x

    ws = np.array(list(cw.values()))
    csi = float(_weighted_mean(np.array([[oriented(k, lv_score[k]) for k in cw]]), ws)[0])
    resp["CSI"] = _weighted_mean(np.column_stack([oriented(k, resp[k]) for k in cw]), ws)
    n = int(np.sum(~np.isnan(resp["CSI"])))
    csi_name = _name(_system(params).get("csi") or {"name": _TEXT[lang]["csi"]}, lang)
    if csi_name == "None":
        csi_name = _TEXT[lang]["csi"]
    rows.append({"level": "csi", "id": "CSI", "parent": "", "name": csi_name, "weight": 1.0,
                 "score": csi, "n": n})

    order = {"csi": 0, "latent_variable": 1, "indicator": 2, "item": 3}
    table = pd.DataFrame(rows)
    table["_o"] = table["level"].map(order)
    table = (table.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True))
    table["weighting"] = weighting
    respondents = pd.DataFrame(resp, index=pos.index)
    return Rollup(table=table, respondents=respondents, positions=pos, weighting=weighting,
                  description=description, csi=csi, n=n, lang=lang)


def respondent_scores(result: Rollup, survey: pd.DataFrame, params: Mapping) -> pd.DataFrame:
    """Per-respondent indicator, LV and CSI scores beside the respondent's ids and segments.

    Columns: ``sources.survey.id_column`` and ``customer_id_column`` (when present in the
    survey), the segment columns (``sources.survey.segments``), then the scores of
    ``result.respondents``. Rows align on the index, so pass the survey the positions came
    from. Notebook 03 saves this as the artefact ``respondent_scores`` for notebook 05.
    """
    spec = ((params.get("sources") or {}).get("survey") or {})
    cols = [spec.get("id_column"), spec.get("customer_id_column"), *(spec.get("segments") or [])]
    cols = [c for c in dict.fromkeys(cols) if c and c in survey.columns]
    _aligned(result.respondents, survey, "respondent_scores")
    return pd.concat([survey.loc[result.respondents.index, cols], result.respondents], axis=1)


def _aligned(scores: pd.DataFrame, survey: pd.DataFrame, where: str) -> None:
    missing = scores.index.difference(survey.index)
    if len(missing):
        raise CSIInputError(f"{where}: {len(missing)} score row(s) (e.g. index {missing[0]!r}) are not "
                            "rows of the survey; pass the survey the positions were computed from, "
                            "with its index unchanged")


def scores_figure(result: Rollup, params: Mapping, lang: str | None = None):
    """The tree's scores as bars: each latent variable (dark) above its indicators (light),
    with the CSI as a dashed line. Returns a ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    from . import plotting

    plotting.setup()
    lang = _lang(params, lang)
    tree = _tree(params)
    lv_t, ind_t = result.latent_variables, result.indicators
    labels, scores, colours, bold = [], [], [], []
    for lv in tree.lvs:
        if lv["id"] not in lv_t.index:
            continue
        labels.append(f"{lv['id']}  {_name(lv, lang)}")
        scores.append(float(lv_t.loc[lv["id"], "score"]))
        colours.append(plotting.PALETTE["primary"])
        bold.append(True)
        for ind in tree.indicators:
            if ind["lv"] == lv["id"]:
                labels.append(f"{ind['id']}  {_name(ind, lang)}")
                scores.append(float(ind_t.loc[ind["id"], "score"]))
                colours.append("#8fb3d9")
                bold.append(False)
    y = np.arange(len(labels))[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.28 * len(labels) + 1.4))
    ax.barh(y, scores, color=colours, height=0.75)
    for yi, sc, b in zip(y, scores, bold):
        inside = sc >= 12
        ax.text(sc - 1 if inside else sc + 1, yi, f"{sc:.1f}", va="center", ha="right" if inside else "left",
                fontsize=8, color=("white" if b else "black") if inside else "black")
    ax.set_yticks(y, labels, fontsize=9)
    for tick, b in zip(ax.get_yticklabels(), bold):
        tick.set_fontweight("bold" if b else "normal")
    ax.axvline(result.csi, color=plotting.PALETTE["accent"], ls="--", lw=1.2,
               label=f"{_measure_name('CSI', params, lang)} {result.csi:.1f} ({result.weighting})")
    ax.set_xlim(0, 105)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(_TEXT[lang]["score"])
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(_TEXT[lang]["tree_title"], loc="left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- importance-performance
def importance_performance(result: Rollup, params: Mapping, target: str = SATISFACTION_LV,
                           drivers: Sequence[str] | None = None, lang: str | None = None) -> pd.DataFrame:
    """Importance-performance analysis (IPA) of the indicators.

    Performance is the indicator's 0-100 score (``result.table``). Importance is *derived*:
    the Pearson correlation, over the respondents who have both (pairwise complete), of the
    respondent's indicator score with ``target`` — the satisfaction latent variable's score
    (``"SAT"``, the default) or one item's 0-100 position (e.g. ``"Q17"``, overall
    satisfaction). The quadrants split at the means of importance and of performance over
    the indicators shown (Martilla & James 1977): high importance and performance ->
    *keep up the good work*; high importance, low performance -> *concentrate here*; low
    both -> *low priority*; low importance, high performance -> *possible overkill*
    (a value equal to the mean counts as high).

    ``drivers`` lists the latent variables whose indicators are analysed; by default all
    but the outcomes SAT, COMP and LOY (whose correlation with satisfaction is part of the
    definition, not a driver's importance). The PLS-based importance-performance map
    (total effects) is ``pls.ipma`` in notebook 04.

    Returns one row per indicator: indicator, lv, name, performance, importance, n,
    target, quadrant (key of ``QUADRANTS``), quadrant_label (in ``lang``).

    Reference: Martilla, J. A. & James, J. C. (1977). Importance-performance analysis.
    J. Marketing 41(1), 77-79.

    Example
    -------
    >>> ipa = importance_performance(r, params, target="SAT")   # doctest: +SKIP
    """
    lang = _lang(params, lang)
    tree = _tree(params)
    inds = result.indicators
    if target in result.respondents.columns and target not in inds.index:
        y = result.respondents[target]
        target_kind = "latent variable"
    elif target in result.positions.columns:
        y = result.positions[target]
        target_kind = "item"
    else:
        raise CSIInputError(f"importance_performance: target={target!r} is neither a latent "
                            "variable nor an item of the roll-up; use 'SAT' or an item id such as 'Q17'")
    lv_ids = list(result.latent_variables.index)
    if drivers is None:
        drivers = [lv for lv in lv_ids if lv not in OUTCOME_LVS]
    unknown = [d for d in drivers if d not in lv_ids]
    if unknown:
        raise CSIInputError(f"importance_performance: drivers {', '.join(unknown)} are not latent "
                            f"variables of the roll-up ({', '.join(lv_ids)})")
    rows = []
    yv = y.to_numpy(dtype=float)
    for ind in tree.indicators:
        if ind["lv"] not in drivers:
            continue
        if target_kind == "item" and target in ind["items"]:
            continue  # an indicator is not a driver of its own item
        x = result.respondents[ind["id"]].to_numpy(dtype=float)
        ok = ~np.isnan(x) & ~np.isnan(yv)
        n = int(ok.sum())
        if n < 3 or np.std(x[ok]) == 0 or np.std(yv[ok]) == 0:
            r = math.nan
            warnings.warn(f"importance_performance: indicator {ind['id']} has no usable correlation "
                          f"with {target} (n = {n} or a constant score); its importance is NaN",
                          CSIWarning, stacklevel=2)
        else:
            r = float(np.corrcoef(x[ok], yv[ok])[0, 1])
        rows.append({"indicator": ind["id"], "lv": ind["lv"], "name": _name(ind, lang),
                     "performance": float(inds.loc[ind["id"], "score"]), "importance": r, "n": n,
                     "target": target})
    if not rows:
        raise CSIInputError(f"importance_performance: no indicators under drivers {list(drivers)}")
    out = pd.DataFrame(rows)
    pm, im = out["performance"].mean(), out["importance"].mean()
    hi_p, hi_i = out["performance"] >= pm, out["importance"] >= im
    quad = np.select([hi_i & hi_p, hi_i & ~hi_p, ~hi_i & ~hi_p], ["keep_up", "concentrate", "low_priority"],
                     default="overkill")
    out["quadrant"] = quad
    out.loc[out["importance"].isna(), "quadrant"] = ""
    out["quadrant_label"] = [QUADRANTS[q][lang] if q else "" for q in out["quadrant"]]
    out.attrs.update({"performance_mean": float(pm), "importance_mean": float(im), "target": target,
                      "target_kind": target_kind, "lang": lang})
    return out


def _target_label(ipa: pd.DataFrame, params: Mapping, lang: str) -> str:
    target = ipa.attrs.get("target", "SAT")
    system = _system(params)
    for lv in system.get("latent_variables") or []:
        if lv.get("id") == target:
            return _name(lv, lang)
    for it in system.get("items") or []:
        if it.get("id") == target:
            return f"{target} {_name(it, lang, 'text')}"
    return str(target)


def ipa_figure(ipa: pd.DataFrame, params: Mapping, lang: str | None = None, title: str | None = None):
    """The importance-performance quadrant chart: performance (x) vs importance (y).

    Dashed lines at the means split the four quadrants, each labelled in ``lang``;
    every indicator is a point labelled with its name; colours mark the quadrant.
    Returns a ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    from . import plotting

    plotting.setup()
    lang = _lang(params, lang)
    text = _TEXT[lang]
    colours = {"keep_up": plotting.PALETTE["good"], "concentrate": plotting.PALETTE["bad"],
               "low_priority": plotting.PALETTE["neutral"], "overkill": plotting.PALETTE["accent"], "": "k"}
    tree = _tree(params)
    names = {ind["id"]: _name(ind, lang) for ind in tree.indicators}
    d = ipa.dropna(subset=["importance"])
    pm, im = d["performance"].mean(), d["importance"].mean()
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    ax.scatter(d["performance"], d["importance"], s=60, zorder=3,
               c=[colours[q] for q in d["quadrant"]], edgecolor="white")
    xr = d["performance"].max() - d["performance"].min() or 1.0
    yr = d["importance"].max() - d["importance"].min() or 0.1
    ax.set_xlim(d["performance"].min() - 0.18 * xr, d["performance"].max() + 0.30 * xr)
    ax.set_ylim(d["importance"].min() - 0.15 * yr, d["importance"].max() + 0.15 * yr)
    for _, r in d.iterrows():
        ax.annotate(names.get(r["indicator"], r["indicator"]), (r["performance"], r["importance"]),
                    xytext=(6, 4), textcoords="offset points", fontsize=9)
    ax.axvline(pm, color="grey", ls="--", lw=1)
    ax.axhline(im, color="grey", ls="--", lw=1)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    corners = {"concentrate": (x0, y1, "left", "top"), "keep_up": (x1, y1, "right", "top"),
               "low_priority": (x0, y0, "left", "bottom"), "overkill": (x1, y0, "right", "bottom")}
    for q, (x, y, ha, va) in corners.items():
        ax.text(x, y, QUADRANTS[q][lang], ha=ha, va=va, fontsize=10, color=colours[q],
                fontweight="bold", alpha=0.9)
    ax.set_xlabel(text["performance"])
    ax.set_ylabel(text["importance"].format(target=_target_label(ipa, params, lang)))
    ax.set_title(title or text["ipa_title"])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- segments
def by_segment(scores: pd.DataFrame | Rollup, survey: pd.DataFrame, segments: Sequence[str],
               measures: Sequence[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Mean LV and CSI scores per segment value, with n and a t-based confidence interval.

    ``scores`` is ``Rollup.respondents`` (or the Rollup); ``survey`` holds the segment
    columns on the same index. For each measure (default: every latent variable and CSI)
    and each segment value: n, mean, sd and ``mean -/+ t(1 - a/2, n - 1) sd / sqrt(n)``
    (as R ``t.test``). The first rows (segment ``all``) are the whole sample, computed the
    same way; respondents with no value for a segment are left out of that segment
    (their count is in ``attrs['unassigned']``).

    Returns a tidy DataFrame: segment, value, measure, n, mean, sd, ci_low, ci_high.

    Example
    -------
    >>> by_segment(r, survey, ["region", "channel"])   # doctest: +SKIP
    """
    _check_confidence(confidence)
    if isinstance(scores, Rollup):
        lv_ids = list(scores.latent_variables.index)
        scores = scores.respondents
        default = lv_ids + ["CSI"]
    else:
        default = list(scores.columns)
    measures = list(measures or default)
    absent = [m for m in measures if m not in scores.columns]
    if absent:
        raise CSIInputError(f"by_segment: measure(s) {', '.join(absent)} are not columns of the "
                            f"scores ({', '.join(map(str, scores.columns))})")
    if isinstance(segments, str):
        segments = [segments]
    absent = [s for s in segments if s not in survey.columns]
    if absent:
        raise CSIInputError(f"by_segment: segment column(s) {', '.join(absent)} are not in the survey; "
                            "check sources.survey.segments in the params file")
    _aligned(scores, survey, "by_segment")
    seg = survey.loc[scores.index, list(segments)]
    rows = []
    unassigned = {}
    for m in measures:
        n, mean, sd, lo, hi = _t_ci(scores[m].to_numpy(dtype=float), confidence)
        rows.append({"segment": "all", "value": "all", "measure": m, "n": n, "mean": mean, "sd": sd,
                     "ci_low": lo, "ci_high": hi})
    for s in segments:
        col = seg[s]
        unassigned[s] = int(col.isna().sum())
        values = sorted(col.dropna().astype(str).unique())
        for m in measures:
            x = scores[m]
            for v in values:
                n, mean, sd, lo, hi = _t_ci(x[col.astype("string") == v].to_numpy(dtype=float), confidence)
                rows.append({"segment": s, "value": v, "measure": m, "n": n, "mean": mean, "sd": sd,
                             "ci_low": lo, "ci_high": hi})
    out = pd.DataFrame(rows)
    out.attrs.update({"confidence": confidence, "unassigned": unassigned})
    return out


def _measure_name(measure: str, params: Mapping, lang: str) -> str:
    if measure == "CSI":
        name = _name(_system(params).get("csi") or {}, lang)
        return _TEXT[lang]["csi"] if name in ("None", "") else name
    for lv in _system(params).get("latent_variables") or []:
        if lv.get("id") == measure:
            return _name(lv, lang)
    for ind in _system(params).get("indicators") or []:
        if ind.get("id") == measure:
            return _name(ind, lang)
    return measure


def segment_figure(table: pd.DataFrame, params: Mapping, measure: str = "CSI", lang: str | None = None):
    """Point-and-interval chart of one measure by segment value (one panel per segment).

    The whole-sample mean is a dashed line; each segment value a point with its CI and n.
    Returns a ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    from . import plotting

    plotting.setup()
    lang = _lang(params, lang)
    t = table[table["measure"] == measure]
    if t.empty:
        raise CSIInputError(f"segment_figure: measure {measure!r} is not in the table; use one of "
                            f"{', '.join(table['measure'].unique())}")
    overall = t[t["segment"] == "all"]
    segs = [s for s in t["segment"].unique() if s != "all"]
    heights = [max(1.2, 0.45 * (t["segment"] == s).sum() + 0.6) for s in segs] or [1.2]
    fig, axes = plt.subplots(len(segs) or 1, 1, figsize=(7.5, sum(heights) + 0.8), squeeze=False,
                             gridspec_kw={"height_ratios": heights}, sharex=True)
    for ax, s in zip(axes[:, 0], segs):
        d = t[t["segment"] == s].reset_index(drop=True)
        y = np.arange(len(d))[::-1]
        ax.errorbar(d["mean"], y, xerr=[d["mean"] - d["ci_low"], d["ci_high"] - d["mean"]], fmt="o",
                    color=plotting.PALETTE["primary"], capsize=3)
        ax.set_yticks(y, [f"{v}  (n={n})" for v, n in zip(d["value"], d["n"])])
        if not overall.empty:
            ax.axvline(float(overall["mean"].iloc[0]), color=plotting.PALETTE["accent"], ls="--", lw=1,
                       label=f"{_TEXT[lang]['all']} {float(overall['mean'].iloc[0]):.1f}")
        ax.set_ylabel(s)
        ax.set_ylim(-0.6, len(d) - 0.4)
    axes[0, 0].legend(loc="best", fontsize=8, frameon=False)
    axes[-1, 0].set_xlabel(_TEXT[lang]["score"])
    fig.suptitle(_TEXT[lang]["segment_title"].format(measure=_measure_name(measure, params, lang)),
                 fontweight="bold")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- competitors
def _as_values(survey: pd.DataFrame, column: str, params: Mapping, item: str) -> pd.Series:
    """A rating column as numbers 1..points on `item`'s scale: numeric columns as they
    are, labels assigned."""
    scale = _item_scale(params, item)
    points = int(scale.get("points") or _points_of(_points(params), item))
    s = survey[column]
    if pd.api.types.is_numeric_dtype(s) or s.isna().all():
        x = pd.to_numeric(s, errors="coerce").astype(float)
    else:
        from . import scales

        a = scales.assign(survey[[column]], [column], scale.get("labels") or {}, points,
                          missing_labels=tuple(scale.get("missing_labels") or ()), id_column=None,
                          source=f"survey column {column!r}", start=int(scale.get("start", 1)))
        x = a.values[column].astype(float)
        if len(a.out_of_range):
            first = a.out_of_range.iloc[0]
            warnings.warn(f"against_competitors: column {column!r} has {len(a.out_of_range)} answer(s) "
                          f"that are no scale label (e.g. row {first['row']!r}: {first['raw']!r}); "
                          "treated as missing", CSIWarning, stacklevel=3)
    bad = x[(x < 1) | (x > points)]
    if len(bad):
        x = x.where((x >= 1) & (x <= points))
        warnings.warn(f"against_competitors: column {column!r} has {len(bad)} value(s) outside "
                      f"1..{points} (e.g. row {bad.index[0]!r}: {bad.iloc[0]}); treated as missing",
                      CSIWarning, stacklevel=3)
    return x


def against_competitors(survey: pd.DataFrame, params: Mapping, confidence: float = 0.95,
                        lang: str | None = None) -> pd.DataFrame:
    """The client against each competitor on the items competitors were rated on.

    For every competitor in ``framing.competitors`` and every ``item: column`` pair of
    its ``columns``: the client's score on the item and the competitor's score on the
    same respondent's rating of the competitor, each a 0-100 mean over the respondents
    who answered (``scales.position``; reverse-keyed items turned round first) with n and
    a t-based CI; and, for the respondents who rated both, the paired difference
    client - competitor with its CI and the paired t-test p-value (as R
    ``t.test(x, y, paired = TRUE)``). Columns may hold numbers 1..points or answer labels
    (assigned with ``scales.assign`` from ``scale.labels``).

    Returns one row per (competitor, item): competitor, competitor_name, item, item_name,
    client, client_n, client_ci_low, client_ci_high, rival, rival_n, rival_ci_low,
    rival_ci_high, n_paired, difference, diff_ci_low, diff_ci_high, p_value.

    Example
    -------
    >>> against_competitors(survey, params)   # doctest: +SKIP
    """
    _check_confidence(confidence)
    lang = _lang(params, lang)
    all_points = _points(params)
    comps = ((params.get("framing") or {}).get("competitors")) or []
    if not comps:
        raise CSIInputError("against_competitors: params framing.competitors is empty; list the "
                            "competitors with columns: {item: survey column}")
    tree = _tree(params)
    reverse = set((params.get("scale") or {}).get("reverse_items") or [])
    rows = []
    for i, comp in enumerate(comps):
        columns = comp.get("columns") or {}
        if not columns:
            raise CSIInputError(f"params: framing.competitors[{i}].columns is empty; map each item "
                                "to the survey column holding the competitor's rating, e.g. {Q17: Q17_compA}")
        for item, col in columns.items():
            for c, key in ((item, "item"), (col, "column")):
                if c not in survey.columns:
                    raise CSIInputError(f"params: framing.competitors[{i}].columns: {key} {c!r} is not a "
                                        "column of the survey; fix the mapping or the survey file")
            x, y = _as_values(survey, item, params, item), _as_values(survey, col, params, item)
            points = _points_of(all_points, item)
            if item in reverse:
                x, y = points + 1 - x, points + 1 - y
            x, y = 100 * (x - 1) / (points - 1), 100 * (y - 1) / (points - 1)
            cn, cm, _, clo, chi = _t_ci(x.to_numpy(), confidence)
            rn, rm, _, rlo, rhi = _t_ci(y.to_numpy(), confidence)
            both = (x - y).dropna().to_numpy()
            pn, dm, dsd, dlo, dhi = _t_ci(both, confidence)
            if pn > 1 and dsd > 0:
                p = float(2 * stats.t.sf(abs(dm / (dsd / math.sqrt(pn))), pn - 1))
            else:
                p = math.nan
            rows.append({"competitor": comp.get("id"), "competitor_name": _name(comp, lang),
                         "item": item, "item_name": _name(tree.items.get(item, {"id": item}), lang, "text"),
                         "client": cm, "client_n": cn, "client_ci_low": clo, "client_ci_high": chi,
                         "rival": rm, "rival_n": rn, "rival_ci_low": rlo, "rival_ci_high": rhi,
                         "n_paired": pn, "difference": dm, "diff_ci_low": dlo, "diff_ci_high": dhi,
                         "p_value": p})
    out = pd.DataFrame(rows)
    out.attrs["confidence"] = confidence
    return out


def competitor_figure(table: pd.DataFrame, params: Mapping, lang: str | None = None):
    """Client and competitors side by side per item: 0-100 means with CIs (one panel per item).

    Returns a ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    from . import plotting

    plotting.setup()
    lang = _lang(params, lang)
    client = _name(params.get("client") or {}, lang)
    items = list(dict.fromkeys(table["item"]))
    n_rows = table.groupby("item").size()
    fig, axes = plt.subplots(len(items), 1, figsize=(8.5, 0.9 + sum(0.55 * (k + 1) + 0.5 for k in n_rows)),
                             squeeze=False, sharex=True)
    colours = [plotting.PALETTE["primary"], plotting.PALETTE["accent"], plotting.PALETTE["good"],
               plotting.PALETTE["bad"], plotting.PALETTE["neutral"]]
    for ax, item in zip(axes[:, 0], items):
        d = table[table["item"] == item]
        first = d.iloc[0]
        entries = [(client, first["client"], first["client_ci_low"], first["client_ci_high"], first["client_n"])]
        entries += [(r["competitor_name"], r["rival"], r["rival_ci_low"], r["rival_ci_high"], r["rival_n"])
                    for _, r in d.iterrows()]
        diffs = [""] + [_TEXT[lang]["difference"].format(d=r["difference"], lo=r["diff_ci_low"],
                                                         hi=r["diff_ci_high"], n=int(r["n_paired"]))
                        for _, r in d.iterrows()]
        y = np.arange(len(entries))[::-1]
        for k, (label, m, lo, hi, n) in enumerate(entries):
            ax.errorbar([m], [y[k]], xerr=[[m - lo], [hi - m]], fmt="o", capsize=3,
                        color=colours[k % len(colours)])
            ax.annotate(f"{m:.1f}", (m, y[k]), xytext=(0, 6), textcoords="offset points", ha="center",
                        fontsize=8)
        ax.set_yticks(y, [f"{lab} (n={int(n)})" + (f"\n{dtext}" if dtext else "")
                          for (lab, _, _, _, n), dtext in zip(entries, diffs)], fontsize=9)
        ax.set_ylim(-0.7, len(entries) - 0.3)
        ax.set_title(f"{item} {first['item_name']}", fontsize=10, loc="left")
    axes[-1, 0].set_xlabel(_TEXT[lang]["score"])
    fig.suptitle(_TEXT[lang]["competitor_title"].format(client=client), fontweight="bold")
    fig.tight_layout()
    return fig
