"""The contact plan (联系计划): per customer the next contact, the channel and the cadence,
from the value tier and the tags, as a sheet the client's sales team works from.

The method's contact priority follows value (METHOD.md §5): VIPs one-to-one, by phone at
least twice a year; buyers in small batches; non-buyers in A/B/C message groups. So:

==================  =============  ==========================  ========================
contact             channel        cadence (``tiering.contacts``)  scheduled
==================  =============  ==========================  ========================
one_to_one (VIP)    phone          ``vip_days`` (90: 4 a year)   spread over the first
                                                                 ``vip_days``
small_batch         phone / visit  ``buyer_days`` (120)          weekly batches spread
                                                                 over the cadence
message_group       message group  ``group_days`` (30)           the whole group at once
==================  =============  ==========================  ========================

The sheet carries customer ids only: the client joins names and phone numbers in its
own CRM, so no contact data ever reaches a run folder. The order within a contact rule
is by revenue, highest first, so the most valuable customers are called first.

Example
-------
>>> tg = pd.DataFrame({"tag": ["Y+M+VIP", "Y+M", "N+O"], "contact": ["one_to_one",
...     "small_batch", "message_group"]}, index=pd.Index(["c1", "c2", "c3"], name="customer_id"))
>>> plan = contact_plan(tg, pd.Series({"c1": "A", "c2": "B", "c3": "C"}), "2026-09-30")
>>> plan[["channel", "cadence_days", "next_contact"]].astype(str).values.tolist()
[['phone', '90', '2026-10-01'], ['phone_or_visit', '120', '2026-10-01'], ['message_group_C', '30', '2026-10-01']]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .codes import as_text, categorical, from_codes
from .ids import aligned, id_index

__all__ = ["DEFAULTS", "CHANNELS", "contact_plan", "channel_text", "plan_summary"]

#: ``tiering.contacts`` defaults: days between contacts and the size of a weekly batch.
DEFAULTS = {"vip_days": 90, "buyer_days": 120, "group_days": 30}

#: The channel of each contact rule, in both languages.
CHANNELS = {
    "phone": {"en": "Phone call (account manager)", "zh": "电话（客户经理）"},
    "phone_or_visit": {"en": "Phone or store visit", "zh": "电话或到店"},
    "message_group": {"en": "Message group {group}", "zh": "{group}类信息群组"},
}


def contact_plan(tag_table: pd.DataFrame, tiers: pd.Series, as_of,
                 revenue: pd.Series | None = None, vip_days: int = 90, buyer_days: int = 120,
                 group_days: int = 30) -> pd.DataFrame:
    """The plan per customer: ``tier``, ``tag``, ``contact`` (the rule), ``channel``,
    ``cadence_days``, ``batch`` (week number of a small batch, 1 for the others),
    ``next_contact`` (a date after ``as_of``) and ``contacts_per_year``.

    VIPs are spread evenly over their first cadence (a manager calls a few each day);
    buyers go in equal weekly batches over theirs, the most valuable first, so every buyer
    is reached once per cadence; a message group is sent to at once.

    ``tag_table``: :func:`~csi_helpers.customers.tags.tags` (``tag`` and ``contact``);
    ``tiers``: a tier per customer (e.g. the rule-based A/B/C). tier, tag, contact and
    channel are categoricals (see :mod:`~csi_helpers.customers.codes`).
    """
    for name, v in (("vip_days", vip_days), ("buyer_days", buyer_days),
                    ("group_days", group_days)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise CSIInputError(f"tiering.contacts.{name}={v!r}: give a whole number >= 1")
    missing = [c for c in ("tag", "contact") if c not in tag_table.columns]
    if missing:
        raise CSIInputError(f"contact_plan: the tag table lacks {missing}; pass the table of "
                            "tags()")
    as_of = pd.Timestamp(as_of).normalize()
    out = tag_table[["tag", "contact"]].copy()
    out.index = id_index(out.index)
    tier = pd.Series(tiers).copy()
    tier.index = id_index(tier.index)
    # the code and label columns as categoricals (see codes.py)
    out["tag"] = categorical(out["tag"])
    out["contact"] = categorical(out["contact"])
    out["tier"] = categorical(as_text(aligned(tier, out.index), fill="-"))
    rev = (aligned(pd.Series(revenue), out.index).fillna(0.0) if revenue is not None
           else pd.Series(0.0, index=out.index))
    out["_rev"] = rev.to_numpy(dtype=float)
    out = out.sort_values(["contact", "_rev"], ascending=[True, False], kind="stable")
    rules = out["contact"].cat.categories
    code = out["contact"].cat.codes.to_numpy()
    vip = code == (rules.get_loc("one_to_one") if "one_to_one" in rules else -2)
    buyer = code == (rules.get_loc("small_batch") if "small_batch" in rules else -2)
    tiers = out["tier"].cat.categories
    channels = ["phone", "phone_or_visit"] + [f"message_group_{t}" for t in tiers]
    out["channel"] = from_codes(np.where(vip, 0, np.where(buyer, 1, 2 + out["tier"].cat.codes
                                                          .to_numpy().astype(int))), channels)
    out["cadence_days"] = np.where(vip, vip_days, np.where(buyer, buyer_days, group_days))
    rank = out.groupby("contact", observed=True).cumcount().to_numpy()
    n_vip, n_buyer = max(int(vip.sum()), 1), max(int(buyer.sum()), 1)
    weeks = max(buyer_days // 7, 1)
    week = np.floor(rank * weeks / n_buyer).astype(int)          # equal weekly batches
    offset = np.where(vip, np.floor(rank * vip_days / n_vip),
                      np.where(buyer, 7 * week, 0)).astype(int)
    out["batch"] = np.where(buyer, week + 1, 1)
    out["next_contact"] = (as_of + pd.Timedelta(days=1)
                           + pd.to_timedelta(offset, unit="D")).normalize()
    out["contacts_per_year"] = np.round(365.0 / out["cadence_days"], 1)
    # the rule's order as numbers (a categorical's map would keep the texts' order)
    group = code == (rules.get_loc("message_group") if "message_group" in rules else -2)
    order = np.where(vip, 0, np.where(buyer, 1, np.where(group, 2, np.nan)))
    out = out.assign(_o=order).sort_values(
        ["_o", "next_contact", "_rev"], ascending=[True, True, False], kind="stable")
    return out[["tier", "tag", "contact", "channel", "cadence_days", "contacts_per_year",
                "batch", "next_contact"]]


def channel_text(code: str, lang: str = "en") -> str:
    """Readable channel: ``message_group_A`` -> "Message group A" (or 信息群组)."""
    if lang not in ("en", "zh"):
        raise CSIInputError(f"lang={lang!r}: use 'en' or 'zh'")
    if code.startswith("message_group_"):
        return CHANNELS["message_group"][lang].format(group=code.rsplit("_", 1)[1])
    return CHANNELS[code][lang]


def plan_summary(plan: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Per contact rule and channel: customers, cadence, the largest weekly batch,
    contacts a year in all, and the first and last scheduled date: the workload the plan
    puts on the sales team."""
    g = plan.groupby(["contact", "channel"], sort=False)
    out = g.agg(customers=("tier", "size"), cadence_days=("cadence_days", "first"),
                first_contact=("next_contact", "min"), last_contact=("next_contact", "max"))
    week = (plan["next_contact"] - plan["next_contact"].min()).dt.days // 7
    out["per_week"] = plan.groupby([plan["contact"], plan["channel"], week], sort=False).size() \
        .groupby(level=[0, 1], sort=False).max()
    out.loc[out.index.get_level_values(0) == "message_group", "per_week"] = np.nan
    out["contacts_per_year"] = np.round(out["customers"] * 365.0 / out["cadence_days"])
    out = out.reset_index()
    out["contact"] = out["contact"].astype("str")      # a few rows: text, not a categorical
    out["channel"] = [channel_text(c, lang) for c in out["channel"]]
    return out
