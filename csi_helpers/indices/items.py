"""Items: positions on 0-100, item statistics and the positioning rule.

Each survey item is measured on a Likert scale in two moves (METHOD.md §4): assignment
(赋值, answer label -> 1..points) and positioning (定位, ``100 * (x - 1) / (points - 1)``),
after reverse-keyed items are turned round (``points + 1 - x``). ``item_positions`` does
both for the items of the indicator system, ``item_statistics`` describes each item
(n, mean, sd, missing, top-2 box, position, skew as R ``psych::describe``) and
``positioning_table`` shows the rule itself, label -> value -> 0-100.

Reference: Revelle, psych::describe; Joanes & Gill (1998) for the skew types.

Example
-------
>>> from csi_helpers import indices
>>> pos = indices.item_positions(survey, params)    # doctest: +SKIP
>>> indices.positioning_table(params, "en")         # doctest: +SKIP
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .system import (_item_ids, _lang, _numeric_frame, _points, _points_of, _system, _tree)


# --------------------------------------------------------------------------- items
def _reverse_keyed(values, params: dict, what: str):
    """The tree, scale points, item ids and the items as numbers with reverse keying applied."""
    from .. import scales

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
    from .. import scales

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
    from .. import scales

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
    from .. import scales

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
