"""ABC by rule (按规则分层): the franchise example of the method. A = every agent and the
top share of franchisees by last year's sales; B = sales up at least ``b_growth`` in each
of ``b_consecutive_years`` years with cooperation and loyalty of at least
``b_min_cooperation``; C = the rest. Every customer keeps the reason of its tier.

Reference: METHOD.md §5.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import CSIInputError, CSIWarning
from .codes import categorical, from_codes
from .engine import member
from .ids import aligned
from .inputs import _TOL, _clean_customers, _rows
from .value import _yearly_from
from .value_tiers import TierResult, _summary


# ---------------------------------------------------------------------------- rule-based ABC
def growth_rates(yearly: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year growth ``s_y / s_(y-1) - 1`` per customer; NaN when the previous year's
    sales are 0 (growth from nothing is undefined, not infinite)."""
    y = _yearly_from(yearly)
    cols = list(y.columns)
    out = {}
    for prev, cur in zip(cols[:-1], cols[1:]):
        p = y[prev]
        out[cur] = (y[cur] / p.where(p > 0)) - 1.0
    return pd.DataFrame(out, index=y.index)


def rule_abc(customers: pd.DataFrame, yearly_sales: pd.DataFrame,
             a_customer_types: Iterable[str] = ("agent",), a_top_share: float = 0.20,
             a_top_among: Iterable[str] = ("franchisee",), b_growth: float = 0.10,
             b_consecutive_years: int = 2, b_min_cooperation: float = 4,
             lang: str = "en") -> TierResult:
    """The rule-based A/B/C of a franchise network (METHOD.md §5), with the reason
    (``reason``, in ``lang``).

    Rules, applied in this order (the first that fits decides):

    - **A by type**: ``customer_type`` in ``a_customer_types`` (agents).
    - **A by sales**: among customers whose type is in ``a_top_among`` (franchisees), the
      top ``a_top_share`` by sales of the last full year (the last column of
      ``yearly_sales``): ranks 1..ceil(a_top_share * n_franchisees), ties at the cut
      included, and only customers with sales > 0.
    - **B**: sales up at least ``b_growth`` (10%) in each of the last
      ``b_consecutive_years`` (2) years, growth ``s_y / s_(y-1) - 1`` compared with a
      1e-9 tolerance (exactly +10% qualifies), and both ``cooperation`` and ``loyalty``
      (1-5) at least ``b_min_cooperation``. Growth from a year with no sales is undefined
      and does not qualify; a missing score does not qualify.
    - **C**: everyone else.

    ``yearly_sales``: the table of :func:`yearly_sales` (or :func:`customer_value`, whose
    ``sales_<year>`` columns are used); it needs ``b_consecutive_years + 1`` years.
    Customers of the master without sales count as 0; sales of ids not in ``customers``
    are ignored with a warning.

    Returns a :class:`TierResult`; ``table`` has customer_type, cooperation, loyalty, the
    last year's sales, ``growth_<year>`` columns, ``tier``, ``rule`` (A:type, A:top_sales,
    B:growth, C:other), ``reason`` (a sentence saying which rule and which numbers) and
    ``revenue`` (the sum of the years of ``yearly_sales``, for the summary's shares).
    customer_type (when text), tier, rule and reason are categoricals (see
    :mod:`~csi_helpers.customers.codes`).

    Example
    -------
    >>> cust = pd.DataFrame({"customer_id": ["a1", "f1", "f2"], "customer_type":
    ...     ["agent", "franchisee", "franchisee"], "cooperation": [3, 5, 5], "loyalty": [3, 5, 4]})
    >>> ys = pd.DataFrame({2024: [1., 100., 50.], 2025: [1., 50., 60.], 2026: [1., 20., 70.]},
    ...                   index=["a1", "f1", "f2"])
    >>> rule_abc(cust, ys).tier.to_dict()   # f2 is the top 20% (1 of 2) franchisee
    {'f2': 'A', 'a1': 'A', 'f1': 'C'}
    """
    a_types = [str(x) for x in (a_customer_types or [])]
    among = [str(x) for x in (a_top_among or [])]
    if not (0 <= a_top_share <= 1):
        raise CSIInputError(f"a_top_share={a_top_share}: give a share between 0 and 1 "
                            "(tiering.rule_abc.a_top_share, e.g. 0.20)")
    if not isinstance(b_consecutive_years, (int, np.integer)) or b_consecutive_years < 1:
        raise CSIInputError(f"b_consecutive_years={b_consecutive_years!r}: give a whole "
                            "number >= 1 (tiering.rule_abc.b_consecutive_years)")
    c = _clean_customers(customers, ["customer_id", "customer_type", "cooperation", "loyalty"])
    for col in ("cooperation", "loyalty"):
        v = pd.to_numeric(c[col], errors="coerce")
        bad = v.isna() & c[col].notna()
        if bad.any():
            raise CSIInputError(f"customers.{col}: not a number for customer(s) "
                                f"{_rows(c.index[bad])}; use scores 1-5 (empty if unknown)")
        c[col] = v
    ctype = c["customer_type"].astype(str).str.strip().str.lower()
    y = _yearly_from(yearly_sales)
    unknown = y.index[~member(y.index, c.index)]
    if len(unknown):
        warnings.warn(f"yearly_sales: {len(unknown)} customer id(s) not in customers "
                      f"({_rows(sorted(unknown))}) ignored", CSIWarning, stacklevel=2)
    y = aligned(y, c.index, fill_value=0.0)
    years = list(y.columns)
    if len(years) < b_consecutive_years + 1:
        raise CSIInputError(
            f"yearly_sales: {len(years)} year(s) ({', '.join(map(str, years))}) but the B "
            f"rule needs {b_consecutive_years + 1} to see {b_consecutive_years} years of "
            "growth; export more history or lower tiering.rule_abc.b_consecutive_years")
    last = years[-1]
    g = growth_rates(y)
    recent = list(g.columns)[-b_consecutive_years:]

    t = pd.DataFrame(index=c.index)
    t["customer_type"] = c["customer_type"]
    t["cooperation"] = c["cooperation"]
    t["loyalty"] = c["loyalty"]
    t[f"sales_{last}"] = y[last]
    for col in g.columns:
        t[f"growth_{col}"] = g[col]

    # A by type
    a_type = pd.Series(member(ctype, [s.lower() for s in a_types]), index=ctype.index)
    # A by sales: top share among franchisees
    in_pool = pd.Series(member(ctype, [s.lower() for s in among]), index=ctype.index)
    pool = in_pool & ~a_type
    n_pool = int(in_pool.sum())
    k = math.ceil(a_top_share * n_pool - _TOL) if n_pool else 0
    top = np.zeros(len(c), dtype=bool)           # positions, not labels (see ids.py)
    pool_rank = np.full(len(c), np.nan)
    if k > 0:
        rows = np.flatnonzero(in_pool.to_numpy())
        s = y[last].to_numpy()[rows]
        r = pd.Series(s).rank(ascending=False, method="min").to_numpy()
        pool_rank[rows] = r
        top[rows] = (r <= k) & (s > 0)
    pool_rank = pd.Series(pool_rank, index=c.index)
    a_sales = pd.Series(top, index=c.index) & pool
    # B: growth and scores
    grow_ok = pd.Series(True, index=c.index)
    for col in recent:
        grow_ok &= g[col].fillna(-np.inf) >= b_growth - _TOL
    scores_ok = (c["cooperation"] >= b_min_cooperation) & (c["loyalty"] >= b_min_cooperation)
    b_rule = ~a_type & ~a_sales & grow_ok & scores_ok.fillna(False)

    # codes, then categoricals (see codes.py): 0 A:type, 1 A:top_sales, 2 B:growth, 3 C:other
    rule_code = np.select([a_type.to_numpy(bool), a_sales.to_numpy(bool), b_rule.to_numpy(bool)],
                          [0, 1, 2], default=3)
    tier_code = np.array([0, 0, 1, 2])[rule_code]
    if isinstance(t["customer_type"].dtype, pd.StringDtype):     # texts, as the master has
        t["customer_type"] = categorical(t["customer_type"])
    t["tier"] = from_codes(tier_code, ["A", "B", "C"])
    t["rule"] = from_codes(rule_code, ["A:type", "A:top_sales", "B:growth", "C:other"])
    span = f"{recent[0]}-{recent[-1]}" if len(recent) > 1 else f"{recent[0]}"

    t["reason"] = _rule_reasons(c, g, recent, span, a_type, a_sales, b_rule, grow_ok,
                                scores_ok.fillna(False), pool_rank, a_types, among,
                                a_top_share, last, n_pool, k, b_growth, b_min_cooperation,
                                lang == "zh")
    t["revenue"] = y[years].sum(axis=1)
    t = t.assign(_o=tier_code, _s=-t[f"sales_{last}"]).sort_values(
        ["_o", "_s"], kind="stable").drop(columns=["_o", "_s"])
    summ = _summary(t, ["A", "B", "C"])
    rules = t.groupby("rule").size()
    summ["by_rule"] = [", ".join(f"{r}: {int(n)}" for r, n in rules.items() if r[0] == tier)
                       for tier in summ.index]
    rule = (f"A: every {' / '.join(map(str, a_types)) or '-'} and the top {a_top_share:.0%} of "
            f"{' / '.join(map(str, among)) or '-'} by {last} sales; B: sales up at least "
            f"{b_growth:.0%} in each of {b_consecutive_years} consecutive year"
            f"{'s' if b_consecutive_years != 1 else ''}, cooperation and loyalty at least "
            f"{b_min_cooperation:g}; C: the rest")
    return TierResult("Rule-based ABC", t, summ, {
        "a_customer_types": a_types, "a_top_share": a_top_share, "a_top_among": among,
        "b_growth": b_growth, "b_consecutive_years": b_consecutive_years,
        "b_min_cooperation": b_min_cooperation, "last_year": last}, rule=rule)


def _pct(v) -> str:
    return "n/a" if pd.isna(v) else f"{v:+.0%}"


def _pcts(x: np.ndarray):
    """:func:`_pct` of every value as an Arrow string array: sign, whole percent (rounded
    half to even, as Python's format does), "n/a" for missing, Python's own text for ±inf."""
    import pyarrow as pa
    import pyarrow.compute as pc

    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    whole = np.abs(np.round(np.where(ok, x, 0.0) * 100)).astype(np.int64)
    text = pc.binary_join_element_wise(
        pc.if_else(pa.array(np.signbit(x)), "-", "+"), pc.cast(pa.array(whole), pa.string()),
        "%", "")
    text = pc.if_else(pa.array(ok), text, "n/a")
    odd = ~ok & ~np.isnan(x)
    if odd.any():                                            # ±inf: Python's own text
        texts = np.array(text.to_pylist(), dtype=object)
        texts[odd] = [_pct(y) for y in x[odd]]
        text = pa.array(texts, pa.string())
    return text


def _scores_text(x: np.ndarray, missing: str = "missing"):
    """:func:`_fmt_score` of every value as an Arrow string array, through the few
    distinct values (``missing`` for NaN)."""
    import pyarrow as pa

    codes, uniques = pd.factorize(np.asarray(x, dtype=float))
    texts = [_fmt_score(u) for u in uniques] + [missing]
    return pa.array(texts, pa.string()).take(pa.array(np.where(codes < 0, len(uniques), codes)))


#: Customers whose reasons are written at a time (their texts, then codes into them).
_BATCH = 100_000


def _rule_reasons(c, g, recent, span, a_type, a_sales, b_rule, grow_ok, scores_ok, pool_rank,
                  a_types, among, a_top_share, last, n_pool, k, b_growth, b_min_cooperation,
                  zh: bool) -> pd.Series:
    """The reason of every customer's rule-based tier: A by type, A by top sales, B by
    growth and scores, or C with what failed. Each kind of reason is one element-wise
    join of Arrow arrays and literal pieces over the customers it applies to, and the
    kinds are put back in order as codes of a categorical (the distinct texts once): a
    million customers in about a second, with no full-length text at all (pandas' ``+``
    of text Series made one per piece: 0.7 GB of transient memory on a million
    customers)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    grow, scored = grow_ok.to_numpy(bool), scores_ok.to_numpy(bool)
    kind = np.select([a_type.to_numpy(bool), a_sales.to_numpy(bool), b_rule.to_numpy(bool),
                      ~grow & ~scored, ~grow, ~scored], [0, 1, 2, 3, 4, 5], default=6)
    low = _fmt_score(b_min_cooperation)
    group = "/".join(among)
    if zh:
        t = {"sc": ("配合度 ", "，忠诚度 "), "type": ("A：客户类型“", f"”属于 {a_types}"),
             "sales": (f"A：按 {last} 年销售额位列 {group} 前 {a_top_share:.0%}（{n_pool} 家中第 ",
                       f" 位，取前 {k} 家）"),
             "b": (f"B：{span} 每年销售额增长 ≥ {b_growth:.0%}（", "）；", f" ≥ {low}"),
             "no_growth": (f"{span} 增长（", f"）未达到每年 ≥ {b_growth:.0%}"),
             "no_scores": f" 未同时 ≥ {low}", "c_head": "C：按类型和销售额均不属 A 类；",
             "sep": "；"}
    else:
        t = {"sc": ("cooperation ", ", loyalty "), "type": ("A: customer type '",
                                                          f"' is in {a_types}"),
             "sales": (f"A: top {a_top_share:.0%} of {group}s by {last} sales (rank ",
                       f" of {n_pool}, cut at {k})"),
             "b": (f"B: sales up >= {b_growth:.0%} each year {span} (", "); ", f" >= {low}"),
             "no_growth": (f"growth {span} (", f") not >= {b_growth:.0%} every year"),
             "no_scores": f" not both >= {low}", "c_head": "C: not A by type or top sales; ",
             "sep": "; "}
    ctype = pa.chunked_array(pa.array(c["customer_type"].astype("str").array)) \
        .combine_chunks().cast(pa.string())                 # Arrow, not a Python str each
    coop, loy = c["cooperation"].to_numpy(float), c["loyalty"].to_numpy(float)
    rank = pool_rank.to_numpy(float)
    growth = {col: g[col].to_numpy(float) for col in recent}

    def growth_pieces(rows):
        out = []
        for i, col in enumerate(recent):
            out += ([", "] if i else []) + [f"{col} ", _pcts(growth[col][rows])]
        return out

    def score_pieces(rows):
        return [t["sc"][0], _scores_text(coop[rows]), t["sc"][1], _scores_text(loy[rows])]

    def pieces(code, rows):
        def no_growth():
            return [t["no_growth"][0], *growth_pieces(rows), t["no_growth"][1]]

        def no_scores():
            return [*score_pieces(rows), t["no_scores"]]

        return {
            0: lambda: [t["type"][0], ctype.take(pa.array(rows)), t["type"][1]],
            1: lambda: [t["sales"][0], _scores_text(rank[rows], missing=""), t["sales"][1]],
            2: lambda: [t["b"][0], *growth_pieces(rows), t["b"][1], *score_pieces(rows),
                        t["b"][2]],
            3: lambda: [t["c_head"], *no_growth(), t["sep"], *no_scores()],
            4: lambda: [t["c_head"], *no_growth()],
            5: lambda: [t["c_head"], *no_scores()],
            6: lambda: [t["c_head"]],
        }[code]()

    # each kind's texts once and a code per customer (a categorical, see codes.py): the
    # reasons repeat (every C:other without growth has the same one), and their full
    # length was the largest column of notebook 05 (120 MB on a million customers). The
    # texts are made a batch of customers at a time and encoded at once, so they never
    # exist in full.
    local, texts, order, base = [], [], [], 0
    for code in range(7):                     # the kinds of reason, never per customer
        every_row = np.flatnonzero(kind == code)
        for start in range(0, len(every_row), _BATCH):
            rows = every_row[start:start + _BATCH]
            parts = pieces(code, rows)
            if not any(isinstance(x, (pa.Array, pa.ChunkedArray)) for x in parts):
                parts.append(pa.array([""] * len(rows), pa.string()))
            enc = pc.binary_join_element_wise(*parts, "").dictionary_encode()
            local.append(enc.indices.to_numpy(zero_copy_only=False).astype(np.int64) + base)
            texts.append(enc.dictionary.cast(pa.large_string()))
            base += len(enc.dictionary)
            order.append(rows)
    if not texts:
        return pd.Series(from_codes(np.array([], dtype=int), []), index=c.index)
    where = np.argsort(np.concatenate(order), kind="stable")
    # the kinds' texts together, once each, sorted as text (codes.py), all in Arrow
    every = pa.concat_arrays(texts).dictionary_encode()
    distinct = every.dictionary
    sort = pc.sort_indices(distinct).to_numpy()
    rank = np.empty(len(sort), dtype=np.int64)
    rank[sort] = np.arange(len(sort))
    codes = rank[every.indices.to_numpy(zero_copy_only=False)][np.concatenate(local)[where]]
    categories = pd.Index(pd.arrays.ArrowStringArray(distinct.take(pa.array(sort))), dtype="str")
    return pd.Series(pd.Categorical.from_codes(codes.astype(np.int32),
                                               dtype=pd.CategoricalDtype(categories)),
                     index=c.index)


def _fmt_score(v) -> str:
    if pd.isna(v):
        return "missing"
    return f"{v:g}"
