"""Periodic value rating of retail customers (客户价值评级) on five dimensions; tier migration.

METHOD.md §5: each period, retail customers are rated on integrity (诚信度),
cooperation (配合度), dependence (依存度), growth (成长度) and contribution (贡献度); the
tiers are re-rated every period (dynamic management, 动态管理) and each tier has its
service standard and reward.

Each dimension d scores a raw column x to s_d in 0..100 in one of four ways:

* ``percentile``: the mid-rank percentile within the period, s = 100 (rank - 0.5) / n, with
  rank the average rank among the n customers who have a value (ties get one score), the
  smallest value ranked 1 (the largest when ``higher_is_better: false``);
* ``scale: [lo, hi]``: s = 100 (x - lo) / (hi - lo), or 100 - s when lower is better; a
  value outside [lo, hi] is an error;
* ``points: [[t1, p1], ..., [inf, pk]]``: s = p_j for the first threshold with x <= t_j;
* ``raw``: x is already 0..100 (e.g. a rating sheet scored 0-100 by the sales rep).

The total is the weighted mean over the dimensions the customer has (weights sum to 1),

    T = sum_{d present} w_d s_d / sum_{d present} w_d,

so the weight of a missing dimension is re-spread over the others in proportion to their
weights; a customer with fewer than ``min_dimensions`` (3) dimensions gets no total and no
tier (both counted in a CSIWarning). The tier is the best one whose lower cut-off the total
reaches (1e-9 tolerance): ``{A: 80, B: 60, C: 40, D: 0}``.

:func:`migration` cross-tabulates the tiers of two periods (tier migration matrix, Kumar &
Reinartz 2018), with a "new" row and a "gone" column for customers present in one period.

The spec (params key ``value_rating``)::

    dimensions:                       # any of the five; a bare string is the column
      integrity:    {column: overdue_days, points: [[0, 100], [30, 60], [90, 20], [.inf, 0]]}
      cooperation:  {column: cooperation, scale: [1, 5]}
      dependence:   {column: share_of_wallet}
      growth:       {column: growth}
      contribution: {column: revenue, higher_is_better: true}
    scoring: percentile               # default of the dimensions: percentile | scale | raw
    weights: {integrity: 0.2, ...}    # default equal; positive, summing to 1 (1e-6)
    tiers: {A: 80, B: 60, C: 40, D: 0}  # lower cut-offs, best first, the last 0
    min_dimensions: 3                 # fewer dimensions: no tier
    standards: {A: {service: "Key-account manager", reward: {en: "3% rebate", zh: "返利3%"}}}

References: METHOD.md §5; V. Kumar & W. Reinartz, *Customer Relationship Management:
Concepts, Strategy, and Tools*, 3rd ed., Springer 2018 (customer value metrics; migration
matrices between customer tiers).

Example
-------
>>> frame = pd.DataFrame({"on_time": [1.0, 0.9, 0.6, 0.3], "coop": [5, 4, 3, 1],
...                       "revenue": [900, 400, 200, 50]},
...                      index=pd.Index(["c1", "c2", "c3", "c4"], name="customer_id"))
>>> spec = {"dimensions": {"integrity": {"column": "on_time", "scale": [0, 1]},
...                        "cooperation": {"column": "coop", "scale": [1, 5]},
...                        "contribution": "revenue"},
...         "tiers": {"A": 80, "B": 50, "C": 0}}
>>> r = rate(frame, spec, period="2025")
>>> r.scores["contribution"].tolist()     # 100 (rank - 0.5) / 4
[87.5, 62.5, 37.5, 12.5]
>>> r.scores["tier"].tolist()
['A', 'B', 'C', 'C']
"""
from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CSIInputError, CSIWarning, InputProblems

__all__ = ["rate", "period_frames", "rate_periods", "migration_between", "show_migration",
           "check_spec", "migration", "migration_figure", "standards_table", "label",
           "Rating", "Migration", "DIMENSIONS", "DEFAULTS", "LABELS"]

KEY = "value_rating"
DIMENSIONS = ("integrity", "cooperation", "dependence", "growth", "contribution")
SCORINGS = ("percentile", "scale", "points", "raw")
DIRECTIONS = ("up", "down", "same", "new", "gone", "unrated")
DEFAULTS = {"scoring": "percentile", "tiers": {"A": 80, "B": 60, "C": 40, "D": 0},
            "min_dimensions": 3, "weights": "equal"}
_RESERVED = ("new", "gone", "unrated")
_TOL = 1e-9
_MAX_LISTED = 5

LABELS = {
    "en": {
        "codes": {"integrity": "Integrity", "cooperation": "Cooperation",
                  "dependence": "Dependence", "growth": "Growth", "contribution": "Contribution",
                  "total": "Total score", "new": "New", "gone": "Gone", "unrated": "No tier",
                  "up": "Moved up", "down": "Moved down", "same": "Stayed",
                  "service": "Service standard", "reward": "Reward"},
        "text": "{up:.0%} moved up, {down:.0%} moved down, {same:.0%} stayed in their tier "
                "(of {n} customers rated in both periods)",
        "text_none": "No customer was rated in both periods",
        "tail": "; {new} new, {gone} gone",
        "unrated": ", {k} without a tier in one period",
        "title": "Tier migration{periods}: share of each earlier tier (count)",
        "before": "Tier in the earlier period{period}", "after": "Tier in the later period{period}",
        "share": "Share of the earlier tier",
    },
    "zh": {
        "codes": {"integrity": "诚信度", "cooperation": "配合度", "dependence": "依存度",
                  "growth": "成长度", "contribution": "贡献度", "total": "综合得分",
                  "new": "新增", "gone": "流失", "unrated": "未评级", "up": "升级",
                  "down": "降级", "same": "保持", "service": "服务标准", "reward": "奖励"},
        "text": "两期均有评级的{n}位客户中，{up:.0%}升级，{down:.0%}降级，{same:.0%}保持原层级",
        "text_none": "没有客户在两期均有评级",
        "tail": "；新增{new}位，流失{gone}位",
        "unrated": "，{k}位在其中一期未评级",
        "title": "客户层级迁移{periods}：占上期层级的比例（人数）",
        "before": "上期层级{period}", "after": "本期层级{period}",
        "share": "占上期层级的比例",
    },
}


def label(code, lang: str = "en") -> str:
    """The client-facing name of a dimension, direction or migration state (tier names
    such as ``"A"`` are returned as given).

    >>> label("integrity", "zh"), label("gone"), label("A", "zh")
    ('诚信度', 'Gone', 'A')
    """
    return LABELS[_lang(lang)]["codes"].get(code, str(code))


def _lang(lang: str) -> str:
    if lang not in LABELS:
        raise CSIInputError(f"lang={lang!r}: unknown language; use 'en' or 'zh' "
                            "(client.language in the params file)")
    return lang


def _rows(index: Iterable) -> str:
    idx = list(index)
    more = f" and {len(idx) - _MAX_LISTED} more" if len(idx) > _MAX_LISTED else ""
    return ", ".join(str(i) for i in idx[:_MAX_LISTED]) + more


def _near(word, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _num(v):
    """A float from a number or 'inf'/'.inf' (YAML writes inf as .inf); None otherwise."""
    if isinstance(v, str) and v.strip().lower().lstrip("+") in ("inf", ".inf", "infinity"):
        return math.inf
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    return None if math.isnan(float(v)) else float(v)


def _is_text(t) -> bool:
    if isinstance(t, str):
        return True
    return (isinstance(t, Mapping) and bool(t) and set(t) <= {"en", "zh"}
            and all(isinstance(x, str) for x in t.values()))


def _text(t, lang: str) -> str:
    """Client text in ``lang``: a plain string serves both languages; {en, zh} falls back
    to the language given when the other is missing."""
    if t is None:
        return ""
    if isinstance(t, str):
        return t
    return t.get(lang) or next(iter(t.values()))


# ---------------------------------------------------------------------------- the spec
def _parse_points(pts, path: str, p: list) -> list | None:
    hint = ("give [[threshold, points], ...] with rising thresholds ending in inf, "
            "e.g. [[0, 100], [30, 60], [inf, 0]]")
    if not isinstance(pts, (list, tuple)) or not pts:
        p.append(f"{path}: {'missing' if pts is None else repr(pts) + ' is not a list'}; {hint}")
        return None
    out: list = []
    for i, pair in enumerate(pts):
        t, v = (_num(pair[0]), _num(pair[1])) if isinstance(pair, (list, tuple)) \
            and len(pair) == 2 else (None, None)
        if t is None or v is None:
            p.append(f"{path}[{i}]: {pair!r} is not [threshold, points]; {hint}")
            return None
        if not 0 <= v <= 100:
            p.append(f"{path}[{i}]: points {v:g} are outside 0..100; give points from 0 to 100")
            return None
        if out and t <= out[-1][0]:
            p.append(f"{path}[{i}]: threshold {t:g} does not rise above {out[-1][0]:g}; "
                     "list the thresholds from low to high")
            return None
        out.append((t, v))
    if out[-1][0] != math.inf:
        p.append(f"{path}: the last threshold is {out[-1][0]:g}, so larger values get no points; "
                 "end the list with [inf, points]")
    return out


def _parse_dim(name, d, scoring: str, columns, p: list) -> dict:
    path = f"{KEY}.dimensions.{name}"
    if isinstance(d, str):
        d = {"column": d}
    if not isinstance(d, Mapping):
        p.append(f"{path}: {d!r} is not a mapping; write {{column: <column of the period table>}}")
        return {}
    keys = ("column", "scoring", "higher_is_better", "scale", "points")
    for k in d:
        if k not in keys:
            p.append(f"{path}.{k}: unknown key{_near(k, keys)}; use {', '.join(keys)}")
    col = d.get("column")
    if not isinstance(col, str) or not col.strip():
        p.append(f"{path}.column: missing; name the column of the period table that feeds {name}")
    elif columns is not None and col not in columns:
        p.append(f"{path}.column: {col!r} is not a column of the period table"
                 f"{_near(col, columns)}; add the column or name another one")
    hib = d.get("higher_is_better", True)
    if not isinstance(hib, bool):
        p.append(f"{path}.higher_is_better: {hib!r} is not true or false")
    given = d.get("scoring")
    inferred = "points" if "points" in d else "scale" if "scale" in d else None
    if given is not None and given not in SCORINGS:
        p.append(f"{path}.scoring: {given!r} is not a scoring{_near(given, SCORINGS)}; "
                 f"use {', '.join(SCORINGS)}")
    elif given is not None and inferred and given != inferred:
        p.append(f"{path}.scoring: {given} contradicts the {inferred} given; remove one of them")
    method = inferred or given or scoring
    out = {"column": col, "method": method, "higher_is_better": hib, "scale": None,
           "points": None}
    if method == "scale":
        s = d.get("scale")
        vals = [_num(x) for x in s] if isinstance(s, (list, tuple)) and len(s) == 2 else [None]
        if None in vals or not all(math.isfinite(x) for x in vals) or not vals[0] < vals[1]:
            what = "missing (the scoring is scale)" if s is None else f"{s!r} is not [min, max]"
            p.append(f"{path}.scale: {what}; give scale: [min, max] with min < max, e.g. [1, 5]")
        else:
            out["scale"] = tuple(vals)
    elif method == "points":
        out["points"] = _parse_points(d.get("points"), path + ".points", p)
        if "higher_is_better" in d:
            p.append(f"{path}.higher_is_better: not used with points (the points set the "
                     "direction); remove it")
    return out


def _parse(spec, columns=None) -> tuple[dict, list[str]]:
    p: list[str] = []
    if isinstance(spec, Mapping) and KEY in spec and "dimensions" not in spec:
        spec = spec[KEY]                                  # the whole params dict
    if not isinstance(spec, Mapping):
        return {}, [f"{KEY}: {type(spec).__name__} is not a mapping; give dimensions, weights "
                    "and tiers (see csi_helpers.customers.value_rating)"]
    allowed = ("dimensions", "scoring", "weights", "tiers", "min_dimensions", "standards")
    for k in spec:
        if k not in allowed:
            p.append(f"{KEY}.{k}: unknown key{_near(k, allowed)}; use {', '.join(allowed)}")
    scoring = spec.get("scoring", DEFAULTS["scoring"])
    if scoring not in ("percentile", "scale", "raw"):
        p.append(f"{KEY}.scoring: {scoring!r} is not a scoring{_near(scoring, SCORINGS)}; "
                 "use percentile, scale or raw (points go on a dimension)")
    raw_dims = spec.get("dimensions")
    if not isinstance(raw_dims, Mapping) or not raw_dims:
        p.append(f"{KEY}.dimensions: missing or empty; give each rated dimension "
                 f"({', '.join(DIMENSIONS)}) a column, e.g. growth: {{column: growth}}")
        raw_dims = {}
    dims = {}
    for name, d in raw_dims.items():
        if name not in DIMENSIONS:
            p.append(f"{KEY}.dimensions.{name}: unknown dimension{_near(name, DIMENSIONS)}; "
                     f"the method rates {', '.join(DIMENSIONS)}")
        else:
            dims[name] = _parse_dim(name, d, scoring, columns, p)
    names = list(dims)
    w = spec.get("weights")
    weights = {n: 1 / len(names) for n in names} if names and w is None else {}
    if w is not None and not isinstance(w, Mapping):
        p.append(f"{KEY}.weights: {w!r} is not a mapping; write {{dimension: weight, ...}} "
                 "summing to 1, or leave it out for equal weights")
    elif w is not None:
        for n, v in w.items():
            x = _num(v)
            if n not in names:
                p.append(f"{KEY}.weights.{n}: not a dimension of {KEY}.dimensions"
                         f"{_near(n, names)}; weight only the rated dimensions")
            elif x is None or not 0 < x < math.inf:
                p.append(f"{KEY}.weights.{n}: {v!r} is not a positive number; give a weight > 0 "
                         "(leave the dimension out rather than weight it 0)")
            else:
                weights[n] = x
        for n in names:
            if n not in w:
                p.append(f"{KEY}.weights.{n}: missing; give every rated dimension a weight")
        total = sum(weights.values())
        if len(weights) == len(names) == len(w) and names and abs(total - 1) > 1e-6:
            p.append(f"{KEY}.weights: sum to {total:.6g}, not 1; scale them to sum to 1 "
                     "(e.g. 0.2 each for five dimensions)")
    t = spec.get("tiers", DEFAULTS["tiers"])
    tiers: dict = {}
    if not isinstance(t, Mapping) or not t:
        p.append(f"{KEY}.tiers: {t!r} is not a mapping of tiers; give lower cut-offs of the "
                 "total score, best first, e.g. {A: 80, B: 60, C: 40, D: 0}")
        t = {}
    for name, cut in t.items():
        c, path = _num(cut), f"{KEY}.tiers.{name}"
        if str(name) in _RESERVED:
            p.append(f"{path}: {name!r} is reserved for the migration table; rename the tier")
        if c is None or not 0 <= c <= 100:
            p.append(f"{path}: {cut!r} is not a cut-off from 0 to 100; give the lowest total "
                     "score of the tier")
        elif tiers and c >= list(tiers.values())[-1]:
            p.append(f"{path}: cut-off {c:g} is not below the tier above "
                     f"({list(tiers.values())[-1]:g}); list the tiers best first, cut-offs falling")
        else:
            tiers[str(name)] = c
    if t and len(tiers) == len(t) and list(tiers.values())[-1] != 0:
        p.append(f"{KEY}.tiers: the lowest tier starts at {list(tiers.values())[-1]:g}, so lower "
                 "totals get no tier; set the last cut-off to 0")
    md = spec.get("min_dimensions", min(DEFAULTS["min_dimensions"], max(len(names), 1)))
    if isinstance(md, bool) or not isinstance(md, (int, np.integer)) \
            or not 1 <= md <= max(len(names), 1):
        p.append(f"{KEY}.min_dimensions: {md!r} is not a whole number from 1 to the "
                 f"{len(names)} rated dimensions")
    st = spec.get("standards") or {}
    standards = {}
    if not isinstance(st, Mapping):
        p.append(f"{KEY}.standards: {st!r} is not a mapping; write {{tier: {{service: ..., "
                 "reward: ...}}}}")
        st = {}
    for tier, entry in st.items():
        path = f"{KEY}.standards.{tier}"
        if str(tier) not in [str(x) for x in t]:
            p.append(f"{path}: no such tier in {KEY}.tiers{_near(tier, [str(x) for x in t])}; "
                     f"use one of {', '.join(str(x) for x in t)}")
        if not isinstance(entry, Mapping):
            p.append(f"{path}: {entry!r} is not a mapping; write {{service: ..., reward: ...}}")
            continue
        for k, text in entry.items():
            if k not in ("service", "reward"):
                p.append(f"{path}.{k}: unknown key{_near(k, ('service', 'reward'))}; "
                         "use service and reward")
            elif not _is_text(text):
                p.append(f"{path}.{k}: {text!r} is not text; give a string or {{en: ..., zh: ...}}")
        standards[str(tier)] = {k: entry.get(k) for k in ("service", "reward")}
    return ({"dimensions": dims, "weights": weights, "tiers": tiers, "min_dimensions": md,
             "standards": standards}, p)


def check_spec(spec, columns: Iterable[str] | None = None) -> list[str]:
    """Every problem of a ``value_rating`` spec at once, one line each naming the key
    (for ``csi validate``); ``columns``: those of the period table, to check each
    dimension's column. ``spec`` may be the block or the whole params dict.

    Example
    -------
    >>> check_spec({"dimensions": {"growth": {"column": "growht"}, "intgrity": "paid"},
    ...             "weights": {"growth": 0.5}}, columns=["growth", "paid"])
    ... # doctest: +NORMALIZE_WHITESPACE
    ["value_rating.dimensions.growth.column: 'growht' is not a column of the period table
      (did you mean 'growth'?); add the column or name another one",
     "value_rating.dimensions.intgrity: unknown dimension (did you mean 'integrity'?); the
      method rates integrity, cooperation, dependence, growth, contribution",
     'value_rating.weights: sum to 0.5, not 1; scale them to sum to 1 (e.g. 0.2 each for
      five dimensions)']
    """
    return _parse(spec, None if columns is None else list(columns))[1]


def _spec(spec, columns=None) -> dict:
    cfg, problems = _parse(spec, columns)
    if problems:
        raise InputProblems(problems)
    return cfg


# ---------------------------------------------------------------------------- rating
@dataclass(frozen=True)
class Rating:
    """One period's value rating: ``scores`` per customer (the dimension scores 0-100,
    ``total``, ``tier``, ``dimensions`` rated, ``period``), ``summary`` per tier, the
    ``weights`` and tier cut-offs used."""

    scores: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    weights: dict
    tiers: dict
    period: object = None

    @property
    def tier(self) -> pd.Series:
        """The tier of each customer (NaN: no tier)."""
        return self.scores["tier"]

    def __repr__(self) -> str:
        head = f"Value rating{f' {self.period}' if self.period is not None else ''}: " \
               f"{len(self.scores)} customers"
        lines = [head] + [f"  {t:<8} {int(r['customers']):>6} ({r['share']:6.1%})  mean total "
                          f"{r['mean_total']:5.1f}" for t, r in self.summary.iterrows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{self!r}</pre>" + self.summary.to_html(float_format="{:.2f}".format)


def _frame(df) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise CSIInputError(f"{KEY}: the period table is a {type(df).__name__}, not a DataFrame "
                            "indexed by customer_id")
    df = df.set_index("customer_id") if df.index.name != "customer_id" and \
        "customer_id" in df.columns else df.copy(deep=False)
    if len(df) == 0:
        raise CSIInputError(f"{KEY}: the period table has no customers; export the period's "
                            "customers and try again")
    ids = pd.Series(df.index, index=range(len(df)))
    bad = ids.isna() | (ids.astype(str).str.strip() == "")
    if bad.any():
        raise CSIInputError(f"{KEY}: customer_id is empty in row(s) {_rows(ids.index[bad])}; "
                            "fill in the customer id or delete the row(s)")
    df.index = pd.Index(ids.astype(str).str.strip(), name="customer_id")
    dup = df.index[df.index.duplicated()].unique()
    if len(dup):
        raise CSIInputError(f"{KEY}: customer_id {_rows(dup)} occurs more than once; keep one "
                            "row per customer and period")
    return df


def _numbers(s: pd.Series, name: str, col: str) -> pd.Series:
    blank = s.isna() | (s.astype(str).str.strip() == "")
    x = pd.to_numeric(s.where(~blank), errors="coerce").astype(float)
    bad = x.isna() & ~blank
    if bad.any():
        raise CSIInputError(f"{KEY}.dimensions.{name}: column {col!r} has {int(bad.sum())} "
                            f"value(s) that are not numbers (e.g. {s[bad].iloc[0]!r}, customer(s) "
                            f"{_rows(s.index[bad])}); correct them or leave them empty (missing)")
    inf = np.isinf(x)
    if inf.any():
        warnings.warn(f"{KEY}.dimensions.{name}: column {col!r} has {int(inf.sum())} infinite "
                      f"value(s) (customer(s) {_rows(x.index[inf])}; growth from a zero base?); "
                      "they count as missing for this dimension", CSIWarning, stacklevel=3)
    return x.where(~inf)


def _score(x: pd.Series, d: dict, name: str) -> pd.Series:
    valid, m, path = x.notna(), d["method"], f"{KEY}.dimensions.{name}"
    if m == "percentile":
        r = x[valid].rank(method="average", ascending=d["higher_is_better"])
        return (100 * (r - 0.5) / max(int(valid.sum()), 1)).reindex(x.index)
    if m == "points":
        t = np.array([a for a, _ in d["points"]])
        v = np.array([b for _, b in d["points"]])
        out = pd.Series(np.nan, index=x.index)
        out[valid] = v[np.searchsorted(t, x[valid].to_numpy(), side="left")]
        return out
    lo, hi = d["scale"] if m == "scale" else (0.0, 100.0)
    outside = valid & ((x < lo) | (x > hi))
    if outside.any():
        fix = f"or widen {path}.scale" if m == "scale" else \
            "or score it with percentile, scale or points"
        raise CSIInputError(f"{path}: column {d['column']!r} has {int(outside.sum())} value(s) "
                            f"outside [{lo:g}, {hi:g}] (e.g. {x[outside].iloc[0]:g}, customer(s) "
                            f"{_rows(x.index[outside])}); correct them {fix}")
    s = 100 * (x - lo) / (hi - lo)
    return s if d["higher_is_better"] else 100 - s


def rate(period_frame: pd.DataFrame, spec, period=None, lang: str = "en") -> Rating:
    """Rate one period's customers on the dimensions of ``spec`` (params key
    ``value_rating``; see the module docstring for the scorings and the total
    T = sum w_d s_d / sum w_d over the dimensions present) and put each in a tier.

    ``period_frame``: one row per customer, indexed by ``customer_id`` (or with that
    column), holding the columns the dimensions name. A missing value leaves the dimension
    out for that customer and its weight is re-spread over the others; a customer with
    fewer than ``min_dimensions`` gets no total and no tier; both counted in a CSIWarning.
    ``summary``: per tier (best first; "unrated" last when some customers have no tier)
    min_score, customers, share (of all customers), mean_<dimension>, mean_total and the
    service standard and reward in ``lang``.

    Reference: METHOD.md §5; Kumar & Reinartz (2018) on customer value metrics.

    Example
    -------
    >>> frame = pd.DataFrame({"overdue_days": [0, 45, None], "coop": [5, 3, 2],
    ...                       "rep_score": [90, 50, 70]}, index=["c1", "c2", "c3"])
    >>> spec = {"dimensions": {
    ...     "integrity": {"column": "overdue_days",
    ...                   "points": [[0, 100], [30, 60], [90, 20], ["inf", 0]]},
    ...     "cooperation": {"column": "coop", "scale": [1, 5]},
    ...     "contribution": {"column": "rep_score", "scoring": "raw"}},
    ...     "weights": {"integrity": 0.5, "cooperation": 0.25, "contribution": 0.25},
    ...     "min_dimensions": 2, "tiers": {"A": 80, "B": 50, "C": 0}}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     r = rate(frame, spec)
    >>> print(caught[0].message)
    value_rating: 1 customer(s) lack a score on some dimension (integrity 1); their total
    spreads the missing weight over the dimensions they have
    >>> r.scores["total"].tolist()   # c3: (0.25*25 + 0.25*70) / 0.5
    [97.5, 35.0, 47.5]
    >>> r.scores["tier"].tolist()
    ['A', 'C', 'C']
    """
    lang = _lang(lang)
    frame = _frame(period_frame)
    cfg = _spec(spec, list(frame.columns))
    dims = list(cfg["dimensions"])
    scores = pd.DataFrame(index=frame.index)
    for name, d in cfg["dimensions"].items():
        scores[name] = _score(_numbers(frame[d["column"]], name, d["column"]), d, name)
    present = scores.notna()
    w = pd.Series(cfg["weights"])[dims]
    count = present.sum(axis=1)
    total = scores.mul(w).sum(axis=1, min_count=1) / present.mul(w).sum(axis=1)
    few = count < cfg["min_dimensions"]
    total[few] = np.nan
    partial = (count < len(dims)) & ~few
    if partial.any():
        lack = ", ".join(f"{n} {int(k)}" for n, k in (~present[partial]).sum().items() if k)
        warnings.warn(f"{KEY}: {int(partial.sum())} customer(s) lack a score on some dimension "
                      f"({lack}); their total spreads the missing weight over the dimensions "
                      "they have", CSIWarning, stacklevel=2)
    if few.any():
        warnings.warn(f"{KEY}: {int(few.sum())} customer(s) have fewer than "
                      f"{cfg['min_dimensions']} of {len(dims)} dimensions and get no tier "
                      f"({_rows(scores.index[few])}); fill in their data or lower "
                      f"{KEY}.min_dimensions", CSIWarning, stacklevel=2)
    tier = pd.Series(np.nan, index=scores.index, dtype=object)
    for name, cut in reversed(list(cfg["tiers"].items())):   # better tiers overwrite
        tier[total >= cut - _TOL] = name
    scores["total"], scores["tier"], scores["dimensions"] = total, tier, count.astype(int)
    scores["period"] = period
    key = tier.fillna("unrated")
    order = list(cfg["tiers"]) + (["unrated"] if few.any() else [])
    summary = pd.DataFrame(index=pd.Index(order, name="tier"))
    summary["min_score"] = [cfg["tiers"].get(t, np.nan) for t in order]
    summary["customers"] = key.value_counts().reindex(order, fill_value=0).astype(int)
    summary["share"] = summary["customers"] / len(scores)
    for col in dims + ["total"]:
        summary[f"mean_{col}"] = scores.groupby(key)[col].mean().reindex(order)
    for k in ("service", "reward"):
        summary[k] = [_text(cfg["standards"].get(t, {}).get(k), lang) for t in order]
    return Rating(scores, summary, dict(cfg["weights"]), dict(cfg["tiers"]), period)


# ---------------------------------------------------------------------------- migration
@dataclass(frozen=True)
class Migration:
    """Tier migration between two ratings: ``matrix`` (counts, tiers before x after, with
    "new" / "gone" and "unrated" when some customer had no tier), ``shares`` (row shares),
    ``moves`` per customer, ``summary`` per direction; :meth:`text` the one-line verdict."""

    matrix: pd.DataFrame = field(repr=False)
    shares: pd.DataFrame = field(repr=False)
    moves: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    tiers: tuple = ()
    period_before: object = None
    period_after: object = None

    def text(self, lang: str = "en") -> str:
        """'12% moved up, 9% moved down, 79% stayed ...; 5 new, 3 gone' in ``lang``."""
        L, s = LABELS[_lang(lang)], self.summary
        n = int(s.loc[["up", "down", "same"], "customers"].sum())
        r = s["share_rated"]
        head = L["text"].format(up=r["up"], down=r["down"], same=r["same"], n=n) if n \
            else L["text_none"]
        tail = L["tail"].format(new=int(s.loc["new", "customers"]),
                                gone=int(s.loc["gone", "customers"]))
        k = int(s.loc["unrated", "customers"])
        return head + tail + (L["unrated"].format(k=k) if k else "")

    def __repr__(self) -> str:
        return f"Migration({self.period_before} -> {self.period_after}): {self.text()}"


def migration(rating_before: Rating, rating_after: Rating) -> Migration:
    """Tier migration matrix between two periods' ratings (Kumar & Reinartz 2018).

    Rows: the tier before (best first), then "unrated" (if any customer had no tier in
    either period) and "new" (not in the earlier period); columns: the tier after, then
    "unrated" and "gone". ``shares`` = each row divided by its total (NaN for an empty
    row). ``moves`` per customer: before, after, steps (tiers gained; negative = fell) and
    direction up / down / same / new / gone / unrated. ``summary`` per direction:
    customers, share (of all customers of either period) and share_rated (of the
    customers rated in both periods, for up / down / same).

    Example
    -------
    >>> spec = {"dimensions": {"growth": "g"}, "tiers": {"A": 50, "B": 0}}
    >>> one = rate(pd.DataFrame({"g": [1, 2, 3]}, index=["c1", "c2", "c3"]), spec, "P1")
    >>> two = rate(pd.DataFrame({"g": [3, 2, 1]}, index=["c1", "c2", "c4"]), spec, "P2")
    >>> m = migration(one, two)
    >>> m.moves["direction"].tolist()
    ['up', 'same', 'gone', 'new']
    >>> m.text()
    '50% moved up, 0% moved down, 50% stayed in their tier (of 2 customers rated in both periods); 1 new, 1 gone'
    """
    for r, what in ((rating_before, "rating_before"), (rating_after, "rating_after")):
        if not isinstance(r, Rating):
            raise CSIInputError(f"migration: {what} is a {type(r).__name__}; pass the result "
                                "of value_rating.rate for each period")
    order = list(rating_before.tiers)
    if order != list(rating_after.tiers):
        raise CSIInputError(f"migration: the ratings use different tiers ({', '.join(order)} vs "
                            f"{', '.join(rating_after.tiers)}); rate both periods with the same "
                            f"{KEY}.tiers")
    if rating_before.tiers != rating_after.tiers:
        warnings.warn(f"migration: the tier cut-offs differ between the periods "
                      f"({rating_before.tiers} vs {rating_after.tiers}); moves mix changes of "
                      "customers with the change of the rule", CSIWarning, stacklevel=2)
    b, a = rating_before.tier, rating_after.tier
    ids = b.index.union(a.index)
    ids.name = "customer_id"
    before = pd.Series(np.where(ids.isin(b.index), b.reindex(ids).fillna("unrated"), "new"),
                       index=ids, dtype=object)
    after = pd.Series(np.where(ids.isin(a.index), a.reindex(ids).fillna("unrated"), "gone"),
                      index=ids, dtype=object)
    rank = {t: i for i, t in enumerate(order)}
    steps = pd.array([rank[x] - rank[y] if x in rank and y in rank else pd.NA
                      for x, y in zip(before, after)], dtype="Int64")
    direction = np.select(
        [before == "new", after == "gone", (before == "unrated") | (after == "unrated")],
        ["new", "gone", "unrated"], default="")
    direction = [d or ("up" if s > 0 else "down" if s < 0 else "same")
                 for d, s in zip(direction, steps)]
    moves = pd.DataFrame({"before": before, "after": after, "steps": steps,
                          "direction": direction}, index=ids)
    extra = ["unrated"] if (before == "unrated").any() or (after == "unrated").any() else []
    rows, cols = order + extra + ["new"], order + extra + ["gone"]
    matrix = moves.groupby(["before", "after"]).size().unstack(fill_value=0) \
        .reindex(index=rows, columns=cols, fill_value=0).astype(int)
    matrix.index.name, matrix.columns.name = "before", "after"
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = matrix.div(matrix.sum(axis=1).replace(0, np.nan), axis=0)
    counts = moves["direction"].value_counts().reindex(list(DIRECTIONS), fill_value=0)
    rated = int(counts[["up", "down", "same"]].sum())
    summary = pd.DataFrame({"customers": counts.astype(int), "share": counts / len(moves)})
    summary["share_rated"] = [counts[d] / rated if rated and d in ("up", "down", "same")
                              else np.nan for d in DIRECTIONS]
    summary.index.name = "direction"
    return Migration(matrix, shares, moves, summary, tuple(order), rating_before.period,
                     rating_after.period)


def migration_figure(migration: Migration, lang: str = "en", title: str | None = None):
    """Heatmap of the migration row shares (share of each earlier tier going to each later
    tier), each cell annotated with its share and count; the same-tier cells outlined.

    Example
    -------
    >>> spec = {"dimensions": {"growth": "g"}, "tiers": {"A": 50, "B": 0}}
    >>> m = migration(rate(pd.DataFrame({"g": [1, 2]}, index=["a", "b"]), spec),
    ...               rate(pd.DataFrame({"g": [2, 1]}, index=["a", "b"]), spec))
    >>> fig = migration_figure(m, "zh")
    >>> fig.axes[0].get_title()
    '客户层级迁移：占上期层级的比例（人数）'
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Rectangle

    from .. import plotting
    plotting.setup()
    L = LABELS[_lang(lang)]
    sh, mx = migration.shares, migration.matrix
    fig, ax = plt.subplots(figsize=(1.1 * len(mx.columns) + 2.8, 0.75 * len(mx.index) + 1.8))
    cmap = LinearSegmentedColormap.from_list("csi_share", ["#ffffff", plotting.PALETTE["primary"]])
    cmap = cmap.with_extremes(bad="#f2f2f2")
    im = ax.imshow(np.ma.masked_invalid(sh.to_numpy(float)), cmap=cmap, vmin=0, vmax=1,
                   aspect="auto")
    for i in range(len(mx.index)):
        for j in range(len(mx.columns)):
            v, n = sh.iat[i, j], int(mx.iat[i, j])
            ax.text(j, i, f"{v:.0%}\n({n})" if np.isfinite(v) else "-", ha="center",
                    va="center", fontsize=9, color="white" if np.isfinite(v) and v > 0.55
                    else "#222222")
            if mx.index[i] == mx.columns[j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=1.6,
                                       edgecolor=plotting.PALETTE["accent"]))
    ax.set_xticks(range(len(mx.columns)), [label(c, lang) for c in mx.columns])
    ax.set_yticks(range(len(mx.index)), [label(c, lang) for c in mx.index])
    for s in ax.spines.values():
        s.set_visible(False)
    pb, pa = migration.period_before, migration.period_after
    ax.set_xlabel(L["after"].format(period=f" ({pa})" if pa is not None else ""))
    ax.set_ylabel(L["before"].format(period=f" ({pb})" if pb is not None else ""))
    periods = f" {pb} → {pa}" if pb is not None and pa is not None else ""
    ax.set_title(title or L["title"].format(periods=periods))
    bar = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04,
                       format=plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    bar.set_label(L["share"])
    fig.tight_layout()
    return fig


def standards_table(spec, lang: str = "en") -> pd.DataFrame:
    """Tier -> lower cut-off (min_score), service standard and reward, in ``lang`` (a plain
    string serves both languages; {en, zh} falls back to the language given; a tier
    without a standard has empty texts).

    Example
    -------
    >>> spec = {"dimensions": {"growth": "g"}, "tiers": {"A": 80, "B": 0},
    ...         "standards": {"A": {"service": {"en": "Key-account manager", "zh": "大客户经理"},
    ...                             "reward": "3%"}}}
    >>> standards_table(spec, "zh").to_dict("index")
    {'A': {'min_score': 80.0, 'service': '大客户经理', 'reward': '3%'}, 'B': {'min_score': 0.0, 'service': '', 'reward': ''}}
    """
    lang = _lang(lang)
    cfg = _spec(spec)
    rows = {t: {"min_score": c, **{k: _text(cfg["standards"].get(t, {}).get(k), lang)
                                   for k in ("service", "reward")}}
            for t, c in cfg["tiers"].items()}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "tier"
    return out


def period_frames(ratings: pd.DataFrame, value: pd.DataFrame | None = None
                  ) -> dict[str, pd.DataFrame]:
    """The frame :func:`rate` reads, per period of a rating sheet: the scores the sales
    reps gave that period (one row per customer), with two CRM figures when ``value``
    (``customer_value``'s table, with its ``sales_<year>`` columns) has the period's year:

    - ``contribution`` = sales in the period (the 12 months of ``sales_<period>``);
    - ``growth`` = sales_<period> / sales_<period - 1> - 1 (missing without sales the year
      before: a new customer's growth is not rated).

    Periods are the sheet's labels, oldest first; a customer rated twice in one period
    is a ``CSIInputError`` naming it.

    Example
    -------
    >>> sheet = pd.DataFrame({"customer_id": ["c1", "c1", "c2"], "period": ["2025", "2026", "2026"],
    ...                       "cooperation": [3, 4, 5]})
    >>> value = pd.DataFrame({"sales_2024": [0.0, 50.0], "sales_2025": [100.0, 50.0],
    ...                       "sales_2026": [150.0, 0.0]}, index=pd.Index(["c1", "c2"], name="customer_id"))
    >>> frames = period_frames(sheet, value)
    >>> frames["2026"].to_dict("index")
    {'c1': {'cooperation': 4, 'contribution': 150.0, 'growth': 0.5}, 'c2': {'cooperation': 5, 'contribution': 0.0, 'growth': -1.0}}
    """
    for col in ("customer_id", "period"):
        if col not in ratings.columns:
            raise CSIInputError(f"ratings: no column {col!r}; the rating sheet needs customer_id, "
                                "period and the scored dimensions (sources.ratings)")
    sheet = ratings.copy()
    sheet["customer_id"] = sheet["customer_id"].astype(str).str.strip()
    sheet["period"] = sheet["period"].astype(str).str.strip()
    dup = sheet.duplicated(["customer_id", "period"], keep=False)
    if dup.any():
        first = sheet.loc[dup].iloc[0]
        raise CSIInputError(f"ratings: customer {first['customer_id']!r} is rated "
                            f"{int((dup & (sheet['customer_id'] == first['customer_id'])).sum())} "
                            f"times in period {first['period']!r} ({int(dup.sum())} rows in all); "
                            "keep one row per customer and period")
    out = {}
    for period in sorted(sheet["period"].unique()):
        frame = sheet[sheet["period"] == period].drop(columns="period").set_index("customer_id")
        if value is not None and f"sales_{period}" in value.columns:
            sales = value[f"sales_{period}"].reindex(frame.index)
            frame["contribution"] = sales.astype(float)
            before = f"sales_{int(period) - 1}" if period.isdigit() else None
            if before in value.columns:
                prev = value[before].reindex(frame.index).astype(float)
                with np.errstate(divide="ignore", invalid="ignore"):
                    frame["growth"] = (sales / prev - 1).where(prev > 0)
        frame.index.name = "customer_id"
        out[period] = frame
    return out


def rate_periods(ratings: pd.DataFrame, value: pd.DataFrame | None, spec, lang: str = "en"
                 ) -> dict[str, Rating]:
    """:func:`rate` for every period of the rating sheet (:func:`period_frames`), oldest
    first: ``{period: Rating}``."""
    return {period: rate(frame, spec, period=period, lang=lang)
            for period, frame in period_frames(ratings, value).items()}


def migration_between(rated: Mapping[str, Rating]) -> Migration | None:
    """The migration from the first to the last rated period, or None (with a note) when
    the sheet has one period only: tiers move from the second rating on."""
    periods = list(rated)
    if len(periods) < 2:
        warnings.warn(f"value_rating: one period rated ({', '.join(periods) or 'none'}); the "
                      "migration between periods appears once the sheet has a second "
                      "period", CSIWarning, stacklevel=2)
        return None
    return migration(rated[periods[0]], rated[periods[-1]])


def show_migration(wb, moves: Migration | None, lang: str = "en") -> None:
    """Notebook 05's migration section: the matrix (saved as table
    ``05_value_rating_migration``), its heat-map and the one-line summary; with one rated
    period only, the sentence saying when the migration appears."""
    from IPython.display import display

    if moves is None:
        print("只有一期评级：从第二期评级起可看到客户等级的升降。" if lang == "zh" else
              "One rated period only: the moves between tiers appear from the second rating on.")
        return
    display(wb.table(moves.matrix, "05_value_rating_migration"))
    wb.save_figure(migration_figure(moves, lang), "05_value_rating_migration")
    print(moves.text(lang))


def planted_note(truth: Mapping | None, moves: Migration | None) -> str:
    """The demo's check: of the customers the generator planted to improve between the two
    rating periods (``truth["value_rating"]["migrate_up"]``), the share that moved up a
    tier, against the share of the other customers rated twice. A client gets ""."""
    if not truth or moves is None or "value_rating" not in truth:
        return ""
    planted = set(map(str, truth["value_rating"]["migrate_up"]))
    m = moves.moves
    both = m[m["direction"].isin(["up", "down", "same"])]
    mask = both.index.astype(str).isin(planted)
    up = both["direction"] == "up"
    return (f"Planted to move up: {int(mask.sum())} customers rated in both periods; "
            f"{up[mask].mean():.0%} of them moved up, against {up[~mask].mean():.0%} of the others")
