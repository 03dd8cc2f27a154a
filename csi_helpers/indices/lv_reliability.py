"""Reliability by latent variable: Cronbach's alpha of each LV's items.

Each latent variable of the indicator system is measured by the items of its
indicators; ``reliability_by_lv`` turns the reverse-keyed items round and runs
``reliability.alpha`` on each LV's items,
``alpha = k / (k - 1) * (1 - sum(var_i) / var_total)`` as R ``psych::alpha``, with
alpha-if-deleted and the corrected item-total r.

Reference: Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
tests. Psychometrika 16, 297-334.

Example
-------
>>> from csi_helpers import indices
>>> indices.reliability_by_lv(survey, params).summary   # doctest: +SKIP
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from .system import (_lang, _name)
from .items import _reverse_keyed


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
    from .. import reliability

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
