"""The customer lifecycle (客户生命周期): introduction, growth, maturity, decline, each
with the method's management strategy, from the yearly sales; the dissatisfied items of
declining customers from the survey; and the loyalty segments (loyal, brand switchers,
no loyalty) from repurchase and the survey's loyalty items.

- :func:`lifecycle`: the stage per customer;
- :func:`strategy`: customers per stage with the strategy the method ties to it: new-
  customer management in introduction, satisfied-customer management in growth and
  maturity, dissatisfied-customer and churn-prevention management in decline;
- :func:`dissatisfied_items`: for declining customers who answered the survey, the share
  dissatisfied with each item against the other linked customers (the periodic
  satisfaction survey that lists the dissatisfied items);
- :func:`loyalty`: the loyalty segment per customer.

Reference: METHOD.md §5 (lifecycle, loyalty segments).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .codes import from_codes
from .engine import member
from .ids import aligned
from .inputs import _TOL
from .value import _yearly_from

LIFECYCLE_STAGES = {
    "introduction": {"en": "Introduction", "zh": "导入期",
                     "care": "New-customer management", "care_zh": "新客户管理",
                     "do": "Welcome, explain the offer, make the second purchase easy",
                     "do_zh": "欢迎并介绍产品与服务，促成第二次购买"},
    "growth": {"en": "Growth", "zh": "成长期", "care": "Satisfied-customer management",
               "care_zh": "满意客户管理",
               "do": "Deepen the relationship: upgrade, cross-sell, ask for referrals",
               "do_zh": "深化关系：升级购买、交叉销售、请其推荐"},
    "maturity": {"en": "Maturity", "zh": "成熟期", "care": "Satisfied-customer management",
                 "care_zh": "满意客户管理",
                 "do": "Keep them satisfied: service standard of their tier, loyalty rewards",
                 "do_zh": "保持满意：按等级提供服务，给予忠诚奖励"},
    "decline": {"en": "Decline", "zh": "衰退期",
                "care": "Dissatisfied-customer and churn-prevention management",
                "care_zh": "不满意客户管理与防流失",
                "do": "Call them, find the dissatisfied items, fix them before they leave",
                "do_zh": "主动联系，找出不满意项并在流失前解决"},
    "none": {"en": "No purchase", "zh": "未购买", "care": "Prospect", "care_zh": "潜在客户",
             "do": "Bring them to a first purchase", "do_zh": "促成首次购买"},
}

#: Loyalty segments (METHOD.md §5): loyal (incl. early adopters of new products), brand
#: switchers, no brand loyalty.
LOYALTY_SEGMENTS = {
    "loyal": {"en": "Loyal", "zh": "忠诚客户"},
    "switcher": {"en": "Brand switcher", "zh": "品牌转换者"},
    "no_loyalty": {"en": "No brand loyalty", "zh": "无品牌忠诚"},
}

# ---------------------------------------------------------------------------- lifecycle
def period_sales(transactions, as_of, months: int = 12, customers: pd.DataFrame | None = None,
                 value: pd.DataFrame | None = None, negative: str = "error") -> pd.DataFrame:
    """Sales per customer in consecutive periods of ``months`` months ending at ``as_of``
    (oldest first): the trajectory :func:`lifecycle` reads.

    A period ``(end - months, end]`` counts when the data cover it, the export starting
    up to 31 days into it (as for :func:`~csi_helpers.customers.value.yearly_sales`).
    ``months=12`` gives the rolling years of ``yearly_sales``, labelled by their end year;
    with ``value`` (``customer_value``'s table, same ``as_of``) its yearly columns are
    used and the engine is not asked again. Shorter periods serve an export of less than
    two years (CDNOW's 18 months: ``months=6`` compares the last half-year with the one
    before); their columns are labelled by the end month (``1998-06``) and named
    ``period``. With ``customers``, every customer of the master gets a row.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["c1", "c1", "c2"],
    ...                    "date": ["2025-10-15", "2026-08-01", "2026-09-01"],
    ...                    "amount": [100.0, 150.0, 40.0]})
    >>> half = period_sales(tx, "2026-09-30", months=6)
    >>> half.columns.tolist(), half.loc["c1"].tolist(), half.loc["c2"].tolist()
    (['2026-03', '2026-09'], [100.0, 150.0], [0.0, 40.0])
    """
    from .inputs import _as_of, _clean_customers
    from .value import _purchases, yearly_sales

    if not isinstance(months, (int, np.integer)) or not 1 <= months <= 12 or 12 % months:
        raise CSIInputError(f"tiering.lifecycle.months: {months!r}; use 12 (years), 6, 4, 3, "
                            "2 or 1 (periods that divide a year)")
    as_of = _as_of(as_of)
    if months == 12:
        if value is not None and any(str(c).startswith("sales_") for c in value.columns):
            return _yearly_from(value)
        return yearly_sales(transactions, as_of, customers=customers, negative=negative)
    p = _purchases(transactions, as_of, customers, negative)
    first = p.first_date()
    n = covered_periods(first, as_of, months)
    if not n:
        raise CSIInputError(f"transactions.date: the data ({first.date()}..{as_of.date()}) "
                            f"cover no full period of {months} months; export more history")
    bounds = [(_back(as_of, (k + 1) * months), _back(as_of, k * months))      # (start, end]
              for k in reversed(range(n))]                                      # oldest first
    bounds = [(start, end, f"{end.year:04d}-{end.month:02d}") for start, end in bounds]
    got = p.value(bounds)
    wide = got[[name for _, _, name in bounds]].copy()
    ids = _clean_customers(customers).index if customers is not None else got.index
    wide = aligned(wide, ids, fill_value=0.0).astype(float)
    wide.index.name = "customer_id"
    wide.columns.name = "period"
    return wide


def _back(as_of: pd.Timestamp, months: int) -> pd.Timestamp:
    """``as_of`` moved back by ``months``; a month end stays a month end (June 30 less six
    months is December 31, not December 30)."""
    moved = as_of - pd.DateOffset(months=months)
    return moved + pd.offsets.MonthEnd(0) if as_of.is_month_end else moved


def covered_periods(first: pd.Timestamp, as_of: pd.Timestamp, months: int = 12) -> int:
    """How many whole periods of ``months`` months ending at ``as_of`` data starting on
    ``first`` cover (the rule of :func:`period_sales`)."""
    n = 0
    while n < 12 * 100 // months:
        start = _back(as_of, (n + 1) * months)
        if start + pd.Timedelta(days=32) < first:
            break
        n += 1
    return n


def lifecycle(yearly_sales: pd.DataFrame, threshold: float = 0.10) -> pd.DataFrame:
    """Lifecycle stage (客户生命周期) from the sales trajectory (the last two years, or the
    last two periods of :func:`period_sales`):

    - introduction (导入期): sales in the last year and none in any earlier year (new);
    - decline (衰退期): no sales in the last year (lapsed), or sales down by more than
      ``threshold`` on the year before;
    - growth (成长期): sales up by at least ``threshold`` on the year before;
    - maturity (成熟期): within ±threshold of the year before.

    Customers with no sales in any year are ``none``. Returns stage, stage label (zh) and
    the care METHOD.md ties to it, indexed by customer_id (the three as categoricals, see
    :mod:`~csi_helpers.customers.codes`).

    Example
    -------
    >>> ys = pd.DataFrame({2025: [0., 100., 100., 100.], 2026: [50., 130., 100., 20.]},
    ...                   index=["new", "up", "flat", "down"])
    >>> lifecycle(ys)["stage"].tolist()
    ['introduction', 'growth', 'maturity', 'decline']
    """
    if yearly_sales.columns.name == "period":          # period_sales of shorter periods
        y = yearly_sales.astype(float)
    else:
        y = _yearly_from(yearly_sales)
    if y.shape[1] < 2:
        raise CSIInputError("yearly_sales: lifecycle needs at least two periods of sales; "
                            "export more history or compare shorter periods "
                            "(tiering.lifecycle.months)")
    last, prev = y.columns[-1], y.columns[-2]
    earlier = y[y.columns[:-1]].sum(axis=1)
    gr = y[last] / y[prev].where(y[prev] > 0) - 1
    keys = list(LIFECYCLE_STAGES)          # codes into it; the columns are categoricals
    code = np.select(
        [(y.sum(axis=1) <= 0).to_numpy(), ((y[last] > 0) & (earlier <= 0)).to_numpy(),
         (y[last] <= 0).to_numpy(), (gr >= threshold - _TOL).to_numpy(),
         (gr < -threshold - _TOL).to_numpy()],
        [keys.index(k) for k in ("none", "introduction", "decline", "growth", "decline")],
        default=keys.index("maturity"))
    out = pd.DataFrame({"stage": from_codes(code, keys), f"growth_{last}": gr}, index=y.index)
    for col, key in (("stage_zh", "zh"), ("care", "care")):
        texts = [LIFECYCLE_STAGES[k][key] for k in keys]      # care repeats: growth, maturity
        distinct = list(dict.fromkeys(texts))
        out[col] = from_codes(np.array([distinct.index(x) for x in texts])[code], distinct)
    return out


def strategy(stages: pd.DataFrame, revenue: pd.Series | None = None, lang: str = "en"
             ) -> pd.DataFrame:
    """Customers per lifecycle stage (of :func:`lifecycle`) with the method's strategy and
    what to do, in ``lang``; with ``revenue`` (per customer) the stage's share of it.

    >>> st = pd.DataFrame({"stage": ["growth", "decline", "decline"]}, index=["a", "b", "c"])
    >>> strategy(st).loc["decline", "strategy"], int(strategy(st).loc["decline", "customers"])
    ('Dissatisfied-customer and churn-prevention management', 2)
    """
    if lang not in ("en", "zh"):
        raise CSIInputError(f"lang={lang!r}: use 'en' or 'zh'")
    stage = stages["stage"].astype("str")   # text, also when a categorical (codes.py)
    present = set(stage.unique())
    order = [k for k in LIFECYCLE_STAGES if k in present]
    out = stage.value_counts().reindex(order).rename("customers").to_frame()
    out["customer_share"] = out["customers"] / out["customers"].sum()
    if revenue is not None:
        rev = aligned(revenue, stages.index, 0.0).groupby(stage.to_numpy()).sum()
        out["revenue_share"] = rev.reindex(order) / rev.sum() if rev.sum() > 0 else np.nan
    zh = lang == "zh"
    out["strategy"] = [LIFECYCLE_STAGES[k]["care_zh" if zh else "care"] for k in out.index]
    out["action"] = [LIFECYCLE_STAGES[k]["do_zh" if zh else "do"] for k in out.index]
    out.index.name = "stage"
    return out


def dissatisfied_items(answers: pd.DataFrame, stages: pd.DataFrame, scales, reverse=(),
                       min_n: int = 10) -> pd.DataFrame:
    """The items declining customers are dissatisfied with, from the survey they answered.

    ``answers``: one row per respondent with ``customer_id`` and the item answers as
    points (missing: not answered); ``stages``: :func:`lifecycle`'s table; ``scales``:
    item -> its scale (``params.item_scales``: points and start) or just its number of
    points (starting at 1); ``reverse``: the items worded the other way. A respondent is dissatisfied with an item when the answer lies below
    the scale's middle (1-2 of 5, 1-3 of 7; for a reversed item the top of the scale). Per item:
    the share dissatisfied among declining customers and among the other linked
    customers, and the ``gap`` between them, sorted by the declining customers' share. Items with
    fewer than ``min_n`` declining answers are left out (too few to read).

    >>> ans = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "Q1": [1, 2, 5, 4],
    ...                     "Q2": [4, 5, 4, 5]})
    >>> st = pd.DataFrame({"stage": ["decline", "decline", "growth", "maturity"]},
    ...                   index=["a", "b", "c", "d"])
    >>> dissatisfied_items(ans, st, {"Q1": 5, "Q2": 5}, min_n=1)["declining"].to_dict()
    {'Q1': 1.0, 'Q2': 0.0}
    """
    if "customer_id" not in answers.columns:
        raise CSIInputError("dissatisfied_items: the survey answers have no customer_id; "
                            "link respondents with sources.survey.customer_id_column")
    linked = answers.dropna(subset=["customer_id"]).copy()
    linked["customer_id"] = linked["customer_id"].astype(str)
    stage = stages["stage"].copy()
    stage.index = stage.index.astype(str)
    linked = linked[member(linked["customer_id"], stage.index)]
    declining = (aligned(stage, pd.Index(linked["customer_id"])) == "decline").to_numpy()
    rows = []
    for item, points in scales.items():  # a handful of items; the shares are vectorised
        if item not in linked.columns:
            continue
        x = pd.to_numeric(linked[item], errors="coerce")
        k, start = ((int(points["points"]), float(points.get("start", 1)))
                    if isinstance(points, dict) else (int(points), 1.0))
        middle = start + (k - 1) / 2
        low = (x > middle if item in set(reverse) else x < middle).where(x.notna())
        d, o = low[declining], low[~declining]
        if d.notna().sum() < min_n:
            continue
        rows.append({"item": item, "declining": d.mean(), "others_dissatisfied": o.mean(),
                     "n_declining": int(d.notna().sum()), "n_others": int(o.notna().sum())})
    out = pd.DataFrame(rows, columns=["item", "declining", "others_dissatisfied", "n_declining",
                                      "n_others"])
    out["gap"] = out["declining"] - out["others_dissatisfied"]
    return out.sort_values("declining", ascending=False).set_index("item")


#: Latent variables that are outcomes, not attributes a customer is dissatisfied *with*.
OUTCOME_LVS = ("SAT", "COMP", "LOY")


def attribute_scales(p) -> dict:
    """``params.item_scales`` of the items of every latent variable but the outcomes
    (satisfaction, complaints, loyalty): what :func:`dissatisfied_items` reads."""
    from .. import params as params_mod

    outcome = {q for lv in OUTCOME_LVS for q in params_mod.blocks(p).get(lv, [])}
    return {q: sc for q, sc in params_mod.item_scales(p).items() if q not in outcome}


def _launches(launches, days) -> list[tuple[str, pd.Timestamp]]:
    if not isinstance(days, (int, np.integer)) or isinstance(days, bool) or days < 1:
        raise CSIInputError(f"tiering.early_adopters.days={days!r}: give a whole number of "
                            "days >= 1 (e.g. 90)")
    out = []
    for i, launch in enumerate(launches or []):
        where = f"tiering.early_adopters.launches[{i}]"
        if not isinstance(launch, dict) or not launch.get("category") \
                or launch.get("launched") in (None, ""):
            raise CSIInputError(f"{where}: give {{category: <the category as the transactions "
                                "write it>, launched: YYYY-MM-DD}")
        try:
            when = pd.Timestamp(launch["launched"]).normalize()
        except (TypeError, ValueError):
            raise CSIInputError(f"{where}.launched: {launch['launched']!r} is not a date; "
                                "write it as YYYY-MM-DD") from None
        out.append((str(launch["category"]), when))
    return out


def early_adopters(purchases, launches, days: int = 90) -> pd.DataFrame:
    """Early adopters of new products (the method counts them among the loyal): for each
    launch the client names (``tiering.early_adopters.launches``: category and launch
    date), the customers who bought it within ``days`` of its launch.

    Returns one row per launch (``category``, ``launched``, ``until``, ``early_adopters``)
    with the adopters' ids in ``.attrs["customers"]`` (a sorted Index) for :func:`loyalty`.
    ``purchases``: a :class:`~csi_helpers.customers.engine.Purchases` that kept the
    ``category`` column (``tiering.purchases(..., columns=["category"])``;
    ``wb.purchases()`` keeps it when launches are named).

    >>> from csi_helpers.customers.engine import Purchases
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "c"], "amount": [1.0, 2.0, 3.0],
    ...                    "date": ["2026-03-05", "2026-09-01", "2026-03-20"],
    ...                    "category": ["智能冰箱", "智能冰箱", "电视"]})
    >>> t = early_adopters(Purchases(tx, "2026-09-30", columns=["category"]),
    ...                    [{"category": "智能冰箱", "launched": "2026-03-01"}], days=90)
    >>> t["early_adopters"].tolist(), t.attrs["customers"].tolist()
    ([1], ['a'])
    """
    wanted = _launches(launches, days)
    bought = purchases.launch_buyers(wanted, days)
    counts = bought.groupby("category")["customer_id"].nunique()
    table = pd.DataFrame({
        "category": [c for c, _ in wanted],
        "launched": [w for _, w in wanted],
        "until": [w + pd.Timedelta(days=int(days)) for _, w in wanted],
        "early_adopters": [int(counts.get(c, 0)) for c, _ in wanted]})
    table.attrs["customers"] = pd.Index(pd.unique(bought["customer_id"]), dtype="str",
                                        name="customer_id").sort_values()
    return table


def early_adopters_line(table: pd.DataFrame, lang: str = "en") -> str:
    """One line on the early adopters of :func:`early_adopters`, or on how to get them.

    >>> early_adopters_line(pd.DataFrame(columns=["category", "early_adopters"]))[:38]
    'No launches are named (tiering.early_a'
    """
    zh = lang == "zh"
    if not len(table):
        return ("未列出新产品上市（tiering.early_adopters.launches），故未标记早期购买者；如需标记，"
                "请列出新产品的品类（与交易数据的品类列一致）和上市日期。" if zh else
                "No launches are named (tiering.early_adopters.launches), so no early adopters "
                "are marked; to mark them, list each new product's category (as the "
                "transactions write it) and launch date.")
    n = len(table.attrs.get("customers", []))
    pairs = list(zip(table["category"], table["early_adopters"]))
    each = "，".join(f"{c} {k:,} 人" for c, k in pairs) if zh else \
        ", ".join(f"{c} {k:,}" for c, k in pairs)
    return (f"新产品早期购买者共 {n:,} 人（{each}），计入忠诚客户。" if zh else
            f"{n:,} early adopters of {len(table)} launch{'es' if len(table) > 1 else ''} "
            f"({each}), counted among the loyal.")


def loyalty(value: pd.DataFrame, retained: pd.Series, stated: pd.Series | None = None,
            high: float = 60.0, low: float = 40.0, early=None) -> pd.DataFrame:
    """The loyalty segment of every customer, from repurchase and, where a customer
    answered the survey, the stated loyalty (the LOY score, 0-100):

    - **loyal**: bought more than once and bought again in the last year (``retained``),
      and does not state low loyalty (LOY below ``low``);
    - **brand switcher**: bought more than once but not in the last year (went elsewhere),
      or repeat buyer stating low loyalty;
    - **no brand loyalty**: one purchase only, or none.

    A repeat buyer stating high loyalty (LOY >= ``high``) is ``confirmed``. Early adopters
    of new products belong to the loyal (the method's note): ``early`` (the table of
    :func:`early_adopters`, or their ids) marks them (``early_adopter``), and an early
    adopter is loyal unless stating low loyalty, whatever the repurchase. Without launches
    (an empty table) there is no ``early_adopter`` column. ``segment`` is a categorical
    (see :mod:`~csi_helpers.customers.codes`).

    >>> v = pd.DataFrame({"orders": [5, 3, 1, 4]}, index=["a", "b", "c", "d"])
    >>> loyalty(v, pd.Series([True, False, True, True], index=v.index),
    ...         pd.Series({"d": 20.0}))["segment"].tolist()
    ['loyal', 'switcher', 'no_loyalty', 'switcher']
    """
    orders = value["orders"].fillna(0)
    kept = aligned(retained, value.index).fillna(False).astype(bool)
    said = (aligned(stated, value.index) if stated is not None
            else pd.Series(np.nan, index=value.index))
    repeat = orders >= 2
    if isinstance(early, pd.DataFrame):      # the table of early_adopters(): its customers
        early = early.attrs.get("customers") if len(early) else None
    adopter = pd.Series(member(value.index, early) if early is not None and len(early)
                        else np.zeros(len(value), bool), index=value.index)
    not_low = ~(said < low).to_numpy()
    adopted, repeated, kept_on = adopter.to_numpy(bool), repeat.to_numpy(bool), kept.to_numpy()
    keys = list(LOYALTY_SEGMENTS)          # codes into it; the column is a categorical
    code = np.where(adopted & not_low, 0, np.where(~repeated, 2, np.where(kept_on & not_low,
                                                                          0, 1)))
    out = pd.DataFrame({"segment": from_codes(code, keys), "orders": orders, "retained": kept,
                        "stated_loyalty": said}, index=value.index)
    out["confirmed"] = (code == 0) & (said >= high).to_numpy()
    if early is not None:
        out["early_adopter"] = adopter.to_numpy()
    return out


def loyalty_table(segments: pd.DataFrame, revenue: pd.Series | None = None) -> pd.DataFrame:
    """Customers (and revenue share) per loyalty segment (:data:`LOYALTY_SEGMENTS` names
    them in both languages)."""
    segment = segments["segment"].astype("str").to_numpy()   # text, also when a categorical
    present = set(pd.unique(segment))
    order = [k for k in LOYALTY_SEGMENTS if k in present]
    out = pd.Series(segment).value_counts().reindex(order).rename("customers").to_frame()
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["confirmed"] = segments["confirmed"].groupby(segment).sum().reindex(order).astype(int)
    if "early_adopter" in segments.columns:
        out["early_adopters"] = segments["early_adopter"].groupby(segment).sum() \
            .reindex(order).fillna(0).astype(int)
    if revenue is not None:
        rev = aligned(revenue, segments.index, 0.0).groupby(segment).sum()
        out["revenue_share"] = rev.reindex(order) / rev.sum() if rev.sum() > 0 else np.nan
    out.index.name = "segment"        # codes: the report shows their names (忠诚客户 ...)
    return out
