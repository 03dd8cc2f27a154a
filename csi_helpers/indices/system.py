"""The indicator system as the indices read it: the tree, its weights, scales and labels.

The indicator system (测评指标体系, METHOD.md §2) is a tree: survey items (level 4) make
up indicators (测评指标), indicators make up latent variables, the latent variables make
up the CSI. This module reads that tree from the params file (``indicator_system``:
``latent_variables``, ``indicators``, ``items``), the scale points (``scale.points`` or
named ``scales``) and the ``weight`` of each node, and holds the shared arithmetic of the
other rooms of ``csi_helpers.indices``: the row-wise weighted mean over the answered
children (weights renormalised per row), ``sum_j w_j x_j / sum_j w_j``, and the t-based
confidence interval of a mean, ``mean -/+ t(1 - a/2, n - 1) sd / sqrt(n)`` (as R
``t.test``). The English and Chinese labels of the figures (and the name of a measure: CSI, an LV,
an indicator) live here too.

Example
-------
>>> from csi_helpers.indices import system
>>> tree = system._tree(params)             # doctest: +SKIP
>>> system._item_ids(tree)[:3]              # doctest: +SKIP
['Q1', 'Q2', 'Q3']
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import CSIInputError


#: Outcome latent variables: not drivers of satisfaction in importance-performance.
OUTCOME_LVS = ("SAT", "COMP", "LOY")
#: The complaints LV: higher means more complaints, the opposite direction to the others.
COMPLAINTS_LV = "COMP"
SATISFACTION_LV = "SAT"


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
        from ..params import item_points
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
        from ..params import item_scales
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
