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
from .engine import member
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
def lifecycle(yearly_sales: pd.DataFrame, threshold: float = 0.10) -> pd.DataFrame:
    """Lifecycle stage (客户生命周期) from the yearly sales trajectory (last two years):

    - introduction (导入期): sales in the last year and none in any earlier year (new);
    - decline (衰退期): no sales in the last year (lapsed), or sales down by more than
      ``threshold`` on the year before;
    - growth (成长期): sales up by at least ``threshold`` on the year before;
    - maturity (成熟期): within ±threshold of the year before.

    Customers with no sales in any year are ``none``. Returns stage, stage label (zh) and
    the care METHOD.md ties to it, indexed by customer_id.

    Example
    -------
    >>> ys = pd.DataFrame({2025: [0., 100., 100., 100.], 2026: [50., 130., 100., 20.]},
    ...                   index=["new", "up", "flat", "down"])
    >>> lifecycle(ys)["stage"].tolist()
    ['introduction', 'growth', 'maturity', 'decline']
    """
    y = _yearly_from(yearly_sales)
    if y.shape[1] < 2:
        raise CSIInputError("yearly_sales: lifecycle needs at least two years of sales")
    last, prev = y.columns[-1], y.columns[-2]
    earlier = y[y.columns[:-1]].sum(axis=1)
    gr = y[last] / y[prev].where(y[prev] > 0) - 1
    stage = np.select(
        [y.sum(axis=1) <= 0, (y[last] > 0) & (earlier <= 0), y[last] <= 0,
         gr >= threshold - _TOL, gr < -threshold - _TOL],
        ["none", "introduction", "decline", "growth", "decline"], default="maturity")
    out = pd.DataFrame({"stage": stage, f"growth_{last}": gr}, index=y.index)
    out["stage_zh"] = out["stage"].map({k: v["zh"] for k, v in LIFECYCLE_STAGES.items()})
    out["care"] = out["stage"].map({k: v["care"] for k, v in LIFECYCLE_STAGES.items()})
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
    present = set(stages["stage"].unique())
    order = [k for k in LIFECYCLE_STAGES if k in present]
    out = stages["stage"].value_counts().reindex(order).rename("customers").to_frame()
    out["customer_share"] = out["customers"] / out["customers"].sum()
    if revenue is not None:
        rev = revenue.reindex(stages.index).fillna(0.0).groupby(stages["stage"]).sum()
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
    declining = (stage.reindex(linked["customer_id"]) == "decline").to_numpy()
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


def loyalty(value: pd.DataFrame, retained: pd.Series, stated: pd.Series | None = None,
            high: float = 60.0, low: float = 40.0) -> pd.DataFrame:
    """The loyalty segment of every customer, from repurchase and, where a customer
    answered the survey, the stated loyalty (the LOY score, 0-100):

    - **loyal**: bought more than once and bought again in the last year (``retained``),
      and does not state low loyalty (LOY below ``low``);
    - **brand switcher**: bought more than once but not in the last year (went elsewhere),
      or repeat buyer stating low loyalty;
    - **no brand loyalty**: one purchase only, or none.

    A repeat buyer stating high loyalty (LOY >= ``high``) is ``confirmed``. Early adopters
    of new products belong to the loyal (the method's note): mark them from the
    transactions of a product's first months when the client names its launches.

    >>> v = pd.DataFrame({"orders": [5, 3, 1, 4]}, index=["a", "b", "c", "d"])
    >>> loyalty(v, pd.Series([True, False, True, True], index=v.index),
    ...         pd.Series({"d": 20.0}))["segment"].tolist()
    ['loyal', 'switcher', 'no_loyalty', 'switcher']
    """
    orders = value["orders"].fillna(0)
    kept = retained.reindex(value.index).fillna(False).astype(bool)
    said = (stated.reindex(value.index) if stated is not None
            else pd.Series(np.nan, index=value.index))
    repeat = orders >= 2
    segment = np.where(~repeat, "no_loyalty",
                       np.where(kept & ~(said < low), "loyal", "switcher"))
    out = pd.DataFrame({"segment": segment, "orders": orders, "retained": kept,
                        "stated_loyalty": said}, index=value.index)
    out["confirmed"] = (out["segment"] == "loyal") & (said >= high)
    return out


def loyalty_table(segments: pd.DataFrame, revenue: pd.Series | None = None) -> pd.DataFrame:
    """Customers (and revenue share) per loyalty segment (:data:`LOYALTY_SEGMENTS` names
    them in both languages)."""
    present = set(segments["segment"].unique())
    order = [k for k in LOYALTY_SEGMENTS if k in present]
    out = segments["segment"].value_counts().reindex(order).rename("customers").to_frame()
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["confirmed"] = segments.groupby("segment")["confirmed"].sum().reindex(order).astype(int)
    if revenue is not None:
        rev = revenue.reindex(segments.index).fillna(0.0).groupby(segments["segment"]).sum()
        out["revenue_share"] = rev.reindex(order) / rev.sum() if rev.sum() > 0 else np.nan
    out.index.name = "segment"        # codes: the report shows their names (忠诚客户 ...)
    return out
