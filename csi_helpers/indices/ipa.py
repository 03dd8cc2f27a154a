"""Importance-performance analysis (IPA) of the indicators.

Performance is an indicator's 0-100 score; importance is derived, the Pearson
correlation of the respondent's indicator score with the satisfaction score (pairwise
complete). Quadrants split at the means (Martilla & James 1977): keep up the good work,
concentrate here, low priority, possible overkill. The PLS-based map (total effects) is
``pls.ipma``.

Reference: Martilla, J. A. & James, J. C. (1977). Importance-performance analysis.
Journal of Marketing 41(1), 77-79.

Example
-------
>>> from csi_helpers import indices
>>> ipa = indices.importance_performance(r, params)   # doctest: +SKIP
>>> indices.ipa_figure(ipa, params)                   # doctest: +SKIP
"""
from __future__ import annotations

import math
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import CSIInputError, CSIWarning
from .system import (_lang, _name, OUTCOME_LVS, SATISFACTION_LV, _system, _TEXT, _tree)
from .csi_rollup import Rollup


#: Importance-performance quadrants (Martilla & James 1977), in both languages.
QUADRANTS = {
    "keep_up": {"en": "Keep up the good work", "zh": "继续保持"},
    "concentrate": {"en": "Concentrate here", "zh": "重点改进"},
    "low_priority": {"en": "Low priority", "zh": "低优先级"},
    "overkill": {"en": "Possible overkill", "zh": "可能过度投入"},
}


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

    from .. import plotting

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
