"""Comparison against competitors: the client and each competitor on the same items.

For every competitor in ``framing.competitors`` and each item it was rated on: the
client's and the competitor's 0-100 scores with n and a t-based CI, and for the
respondents who rated both the paired difference client - competitor with its CI and
the paired t-test p-value (as R ``t.test(x, y, paired = TRUE)``).

Example
-------
>>> from csi_helpers import indices
>>> t = indices.against_competitors(survey, params)   # doctest: +SKIP
>>> indices.competitor_figure(t, params)              # doctest: +SKIP
"""
from __future__ import annotations

import math
import warnings
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import CSIInputError, CSIWarning
from .system import (_check_confidence, _item_scale, _lang, _name, _points, _points_of, _t_ci,
                    _TEXT, _tree)


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
        from .. import scales

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

    from .. import plotting

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
