"""Tags (标签) and the action table: Y/N visited the store, M/O bought, VIP; the treatment
of each combination and the contact rule by value (VIPs one-to-one, buyers in small
batches, non-buyers in A/B/C message groups).

Reference: METHOD.md §5 (tags, contact priority).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .codes import as_text, from_codes
from .engine import member, store_visits
from .ids import aligned, id_index
from .inputs import _as_of, _clean_customers, _lang, _require, _revenue_series
from .value import _purchases
from .value_tiers import TierResult, pyramid

TREATMENTS = {
    "personal_care": {"en": "Personal care; make them friends and referrers",
                      "zh": "个性化关怀，发展为朋友和推荐人"},
    "bring_to_store": {"en": "Bring them to the store", "zh": "吸引到店"},
    "find_unmet_need": {"en": "Find the unmet need", "zh": "发掘未满足的需求"},
    "upgrade_cross_sell": {"en": "Upgrade and cross-sell", "zh": "升级购买与交叉销售"},
}

#: Contact rule by value (METHOD.md §5): VIPs one-to-one, buyers in small batches,
#: non-buyers in A/B/C message groups.
CONTACTS = {
    "one_to_one": {"en": "One-to-one; phone at least twice a year",
                   "zh": "一对一联系，每年至少电话两次"},
    "small_batch": {"en": "Contact in small batches", "zh": "分小批联系"},
    "message_group": {"en": "Message group {group}", "zh": "{group}类信息群组"},
}

#: The eight RFM segments of Chinese CRM practice: high/low on R, F, M (score at or above
#: the middle score counts as high).

# ---------------------------------------------------------------------------- tags
def tags(customers: pd.DataFrame | None, transactions: pd.DataFrame,
         visits: pd.DataFrame | None, as_of,
         window_days: int = 365, vip=None, negative: str = "error") -> pd.DataFrame:
    """Tags (标签) per customer: Y/N visited the store, M/O bought, VIP; with the treatment.

    - ``Y`` if the customer has a store visit in the window (as_of - window_days, as_of],
      else ``N``;
    - ``M`` if the customer has a purchase in the same window, else ``O``;
    - ``VIP``: ``vip`` may be a :func:`pyramid` result, a collection of customer ids, or
      None (the pyramid's VIPs on all revenue up to as_of, default shares).

    ``tag`` combines them: ``Y+M``, ``N+O``, ``Y+M+VIP`` ...  ``treatment`` (codes joined
    by "+", texts in :data:`TREATMENTS`) per METHOD.md §5: VIP -> personal_care;
    N -> bring_to_store; Y+O -> find_unmet_need; Y+M -> upgrade_cross_sell.
    ``contact`` and ``contact_priority``: VIPs one_to_one (1; phone at least twice a year),
    buyers small_batch (2), non-buyers message_group (3; by A/B/C tier, see
    :func:`action_table`). The tag, treatment and contact columns are categoricals (see
    :mod:`~csi_helpers.customers.codes`).

    Visits after as_of are left out with a warning; visits of ids not in customers are
    left out with a warning. Without visits (``None``: the client records none, e.g. an
    online shop) the tags are M/O and VIP only (``tag`` ``M``, ``O+VIP`` ...), and a
    non-buyer's treatment is find_unmet_need (there is no store to bring them to); the
    contact rule needs no visits. Without ``customers`` (``None``: no customer master) the
    customers are the buyers of the transactions.

    Example
    -------
    >>> cust = pd.DataFrame({"customer_id": ["c1", "c2"]})
    >>> tx = pd.DataFrame({"customer_id": ["c1"], "date": ["2026-06-01"], "amount": [10.0]})
    >>> vis = pd.DataFrame({"customer_id": ["c1", "c2"], "date": ["2026-06-01", "2024-01-01"]})
    >>> tags(cust, tx, vis, "2026-09-30", vip=[])["tag"].tolist()
    ['Y+M', 'N+O']
    """
    as_of = _as_of(as_of)
    if not isinstance(window_days, (int, np.integer)) or window_days < 1:
        raise CSIInputError(f"window_days={window_days!r}: give a whole number of days >= 1 "
                            "(tiering.tags.window_days, e.g. 365)")
    start = as_of - pd.Timedelta(days=int(window_days))
    p = _purchases(transactions, as_of, customers, negative)
    ids = _clean_customers(customers).index if customers is not None else p.value().index
    if visits is not None:
        _require(visits, ["customer_id", "date"], "visits")
        visited_ids = store_visits(visits, as_of, ids, start)
    bought_ids = p.bought_since(start)
    if vip is None:
        vip_ids = set(pyramid(p.value()["revenue"]).table.query("tier == 'VIP'").index)
    elif isinstance(vip, TierResult):
        vip_ids = vip.table.index[(vip.table["tier"] == "VIP").to_numpy()]
    else:
        vip_ids = {str(x) for x in vip}
    out = pd.DataFrame(index=ids)
    if visits is not None:
        out["visited"] = member(out.index, visited_ids)
    out["bought"] = member(out.index, bought_ids)
    out["vip"] = member(out.index, vip_ids)
    # codes, then categoricals (see codes.py)
    bought, vip_ = out["bought"].to_numpy(), out["vip"].to_numpy()
    b, p_ = bought.astype(int), vip_.astype(int)
    if visits is not None:
        visited = out["visited"].to_numpy()
        v = visited.astype(int)
        out["visit_tag"] = from_codes(v, ["N", "Y"])
    out["buy_tag"] = from_codes(b, ["O", "M"])
    if visits is not None:
        out["tag"] = from_codes(4 * v + 2 * b + p_, [
            f"{vt}+{bt}{'+VIP' if x else ''}" for vt in "NY" for bt in "OM" for x in (0, 1)])
        base = np.where(~visited, 0, np.where(bought, 1, 2))
    else:       # no store visits recorded: M/O and VIP only; a non-buyer's need is asked
        out["tag"] = from_codes(2 * b + p_, ["O", "O+VIP", "M", "M+VIP"])
        base = np.where(bought, 1, 2)
    bases = ["bring_to_store", "upgrade_cross_sell", "find_unmet_need"]
    out["treatment"] = from_codes(3 * p_ + base, bases + [f"personal_care+{x}" for x in bases])
    priority = np.where(vip_, 1, np.where(bought, 2, 3))
    out["contact"] = from_codes(priority - 1, ["one_to_one", "small_batch", "message_group"])
    out["contact_priority"] = priority
    out.index.name = "customer_id"
    return out


def visit_buy_table(tag_table: pd.DataFrame) -> pd.DataFrame:
    """Customers by visit tag (rows Y, N) and buy tag (columns M, O) of :func:`tags`: the
    four cells of the method's tag grid.

    >>> t = pd.DataFrame({"visit_tag": ["Y", "N", "Y"], "buy_tag": ["M", "O", "O"]})
    >>> visit_buy_table(t).loc["Y"].tolist()
    [1, 1]
    """
    grid = pd.crosstab(tag_table["visit_tag"].astype(str), tag_table["buy_tag"].astype(str))
    grid = grid.reindex(index=["Y", "N"], columns=["M", "O"], fill_value=0)
    grid.index.name, grid.columns.name = "visit_tag", "buy_tag"
    return grid


def treatment_text(codes: str, lang: str = "en") -> str:
    """Readable treatment for codes such as ``personal_care+bring_to_store``."""
    lang = _lang(lang)
    sep = "；" if lang == "zh" else "; "
    return sep.join(TREATMENTS[c][lang] for c in str(codes).split("+") if c)


def contact_text(code: str, group: str = "", lang: str = "en") -> str:
    """Readable contact rule; ``group`` (A/B/C) fills the message group."""
    lang = _lang(lang)
    return CONTACTS[code][lang].format(group=group)

# ---------------------------------------------------------------------------- action table
def action_table(tiers: pd.Series, tag_table: pd.DataFrame, revenue: pd.Series | None = None,
                 lang: str = "en") -> pd.DataFrame:
    """Action table per tier and tag: customers, revenue share, treatment and contact rule.

    ``tiers``: tier per customer (e.g. ``rule_abc(...).tier`` or ``abc(...).tier``);
    ``tag_table``: the result of :func:`tags`; ``revenue``: revenue per customer (e.g.
    ``customer_value(...)["revenue"]``; revenue share is left out when None).
    Customers in ``tag_table`` without a tier are tier "-" (none).

    Rows are tier x tag, ordered by tier, then contact priority; columns: tier, tag,
    customers, customer_share, revenue, revenue_share, treatment, contact (texts in
    ``lang``: "en" or "zh"). The contact of non-buyers is the message group of their
    tier (METHOD.md §5: non-buyers in A/B/C message groups).

    Example
    -------
    >>> tg = pd.DataFrame({"tag": ["Y+M", "N+O"], "treatment": ["upgrade_cross_sell",
    ...     "bring_to_store"], "contact": ["small_batch", "message_group"],
    ...     "contact_priority": [2, 3]}, index=pd.Index(["c1", "c2"], name="customer_id"))
    >>> action_table(pd.Series({"c1": "A", "c2": "C"}), tg)["contact"].tolist()
    ['Contact in small batches', 'Message group C']
    """
    lang = _lang(lang)
    _require(tag_table, ["tag", "treatment", "contact", "contact_priority"], "tag_table")
    tg = tag_table.copy()
    tg.index = id_index(tg.index)
    tr = pd.Series(tiers).copy()
    tr.index = id_index(tr.index)
    tg["tier"] = as_text(aligned(tr, tg.index), fill="-")
    if revenue is not None:
        rv = _revenue_series(revenue) if not isinstance(revenue, pd.Series) else revenue.copy()
        rv.index = id_index(rv.index)
        tg["revenue"] = pd.to_numeric(aligned(rv, tg.index), errors="coerce").fillna(0.0)
    keys = ["tier", "tag", "treatment", "contact", "contact_priority"]
    g = tg.groupby(keys, observed=True)
    out = g.size().rename("customers").to_frame()
    if revenue is not None:
        out["revenue"] = g["revenue"].sum()
    out = out.reset_index()
    out["customer_share"] = out["customers"] / out["customers"].sum()
    if revenue is not None:
        total = out["revenue"].sum()
        out["revenue_share"] = out["revenue"] / total if total > 0 else np.nan
    for col in ("tag", "treatment", "contact"):     # a few rows: texts, not categoricals
        out[col] = out[col].astype("str")
    out = out.sort_values(["tier", "contact_priority", "tag"]).reset_index(drop=True)
    out["treatment"] = [treatment_text(t, lang) for t in out["treatment"]]
    out["contact"] = [contact_text(c, tier, lang) for c, tier in zip(out["contact"], out["tier"])]
    cols = ["tier", "tag", "customers", "customer_share"]
    if revenue is not None:
        cols += ["revenue", "revenue_share"]
    cols += ["treatment", "contact", "contact_priority"]
    return out[cols]
