"""Scores by segment: mean LV and CSI scores per segment value, with confidence intervals.

For each measure and each value of a segment column (region, channel, ...): n, mean, sd
and the t-based interval ``mean -/+ t(1 - a/2, n - 1) sd / sqrt(n)`` (as R ``t.test``),
the whole sample first. ``segment_figure`` draws them.

Example
-------
>>> from csi_helpers import indices
>>> t = indices.by_segment(r, survey, ["region", "channel"])   # doctest: +SKIP
>>> indices.segment_figure(t, params)                          # doctest: +SKIP
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .system import (_check_confidence, _lang, _measure_name, _t_ci, _TEXT)
from .csi_rollup import Rollup, _aligned


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


def segment_figure(table: pd.DataFrame, params: Mapping, measure: str = "CSI", lang: str | None = None):
    """Point-and-interval chart of one measure by segment value (one panel per segment).

    The whole-sample mean is a dashed line; each segment value a point with its CI and n.
    Returns a ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    from .. import plotting

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
