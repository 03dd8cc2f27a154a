"""Lifecycle strategy, the dissatisfied items of declining customers, loyalty segments and
the contact plan (csi_helpers.customers.lifecycle / contacts): hand-computed cases and a
planted structure."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi_helpers.customers import contacts, lifecycle
from csi_helpers.errors import CSIInputError


def test_strategy_counts_and_names_each_stage_in_both_languages():
    st = pd.DataFrame({"stage": ["introduction", "growth", "decline", "decline", "none"]},
                      index=list("abcde"))
    rev = pd.Series({"a": 10.0, "b": 30.0, "c": 40.0, "d": 20.0, "e": 0.0})
    en = lifecycle.strategy(st, rev)
    assert list(en.index) == ["introduction", "growth", "decline", "none"]
    assert en.loc["decline", "customers"] == 2 and en.loc["decline", "revenue_share"] == 0.6
    assert en.loc["introduction", "strategy"] == "New-customer management"
    zh = lifecycle.strategy(st, lang="zh")
    assert zh.loc["decline", "strategy"] == "不满意客户管理与防流失"
    with pytest.raises(CSIInputError, match="lang"):
        lifecycle.strategy(st, lang="fr")


def test_dissatisfied_items_by_scale_and_keying():
    answers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", None],
                            "Q1": [1, 3, 5, 2, 1],        # 5 points: 1-2 dissatisfied
                            "Q2": [5, 4, 1, 1, 5],        # reversed: 4-5 dissatisfied
                            "Q3": [0, 4, 10, 9, 0]})      # 0-10: 0-4 dissatisfied
    stages = pd.DataFrame({"stage": ["decline", "decline", "growth", "maturity"]},
                          index=["a", "b", "c", "d"])
    scales = {"Q1": 5, "Q2": 5, "Q3": {"points": 11, "start": 0}}
    out = lifecycle.dissatisfied_items(answers, stages, scales, reverse=["Q2"], min_n=1)
    assert out.loc["Q1", "declining"] == 0.5 and out.loc["Q1", "others_dissatisfied"] == 0.5
    assert out.loc["Q2", "declining"] == 1.0 and out.loc["Q2", "others_dissatisfied"] == 0.0
    assert out.loc["Q3", "declining"] == 1.0 and out.loc["Q3", "gap"] == 1.0   # 0 and 4 of 0-10
    assert out["n_declining"].tolist() == [2, 2, 2]           # the anonymous row is not linked
    assert lifecycle.dissatisfied_items(answers, stages, scales, min_n=3).empty
    with pytest.raises(CSIInputError, match="customer_id_column"):
        lifecycle.dissatisfied_items(answers.drop(columns="customer_id"), stages, scales)


def test_declining_customers_planted_to_dislike_one_item_are_found():
    rng = np.random.default_rng(4)
    n = 600
    ids = [f"c{i}" for i in range(n)]
    stage = np.where(np.arange(n) < 150, "decline", "maturity")
    answers = pd.DataFrame({"customer_id": ids,
                            **{f"Q{j}": rng.integers(2, 6, n) for j in range(1, 6)}})
    answers.loc[:149, "Q4"] = rng.integers(1, 3, 150)         # planted: declining dislike Q4
    out = lifecycle.dissatisfied_items(answers, pd.DataFrame({"stage": stage}, index=ids),
                                       {f"Q{j}": 5 for j in range(1, 6)})
    assert out.index[0] == "Q4" and out.loc["Q4", "declining"] == 1.0
    assert out.loc["Q4", "gap"] > 0.6 and (out.drop("Q4")["gap"].abs() < 0.15).all()


def test_loyalty_segments_from_repurchase_and_stated_loyalty():
    value = pd.DataFrame({"orders": [6, 4, 3, 1, 0, 5]}, index=list("abcdef"))
    retained = pd.Series([True, True, False, True, False, True], index=value.index)
    stated = pd.Series({"a": 80.0, "b": 50.0, "f": 25.0})
    seg = lifecycle.loyalty(value, retained, stated)
    assert seg["segment"].tolist() == ["loyal", "loyal", "switcher", "no_loyalty",
                                       "no_loyalty", "switcher"]
    assert seg["confirmed"].tolist() == [True, False, False, False, False, False]
    table = lifecycle.loyalty_table(seg, pd.Series(1.0, index=value.index))
    assert table.loc["switcher", "customers"] == 2 and table.loc["loyal", "confirmed"] == 1
    assert lifecycle.LOYALTY_SEGMENTS["loyal"]["zh"] == "忠诚客户"
    assert table["customer_share"].sum() == pytest.approx(1.0)


def _tags(n_vip=4, n_buyers=30, n_groups=5):
    ids = [f"c{i:03d}" for i in range(n_vip + n_buyers + n_groups)]
    contact = ["one_to_one"] * n_vip + ["small_batch"] * n_buyers + ["message_group"] * n_groups
    return pd.DataFrame({"tag": "Y+M", "contact": contact}, index=pd.Index(ids, name="customer_id"))


def test_contact_plan_spreads_every_rule_over_its_cadence():
    tg = _tags()
    tiers = pd.Series(["A"] * 4 + ["B"] * 30 + ["C"] * 3 + ["A"] * 2, index=tg.index)
    revenue = pd.Series(np.arange(len(tg), dtype=float), index=tg.index)
    plan = contacts.contact_plan(tg, tiers, "2026-09-30", revenue, vip_days=84, buyer_days=35)
    start = pd.Timestamp("2026-10-01")
    vip = plan[plan["contact"] == "one_to_one"]
    assert (vip["next_contact"] - start).dt.days.tolist() == [0, 21, 42, 63]
    assert vip.index.tolist() == ["c003", "c002", "c001", "c000"]     # most valuable first
    buyers = plan[plan["contact"] == "small_batch"]
    assert buyers["batch"].value_counts().sort_index().tolist() == [6, 6, 6, 6, 6]   # 5 weeks
    assert (buyers["next_contact"] - start).dt.days.max() == 28
    groups = plan[plan["contact"] == "message_group"]
    assert sorted(set(groups["channel"])) == ["message_group_A", "message_group_C"]
    assert (groups["next_contact"] == start).all()
    assert set(plan.columns) >= {"tier", "channel", "cadence_days", "next_contact"}
    assert plan.index.name == "customer_id" and len(plan) == len(tg)
    summary = contacts.plan_summary(plan, "zh")
    assert summary.loc[summary["contact"] == "small_batch", "per_week"].item() == 6
    assert "信息群组" in summary["channel"].iloc[-1]


def test_contact_plan_refuses_bad_settings_naming_the_key():
    with pytest.raises(CSIInputError, match=r"tiering.contacts.vip_days"):
        contacts.contact_plan(_tags(), pd.Series(dtype=str), "2026-09-30", vip_days=0)
    with pytest.raises(CSIInputError, match="tag table lacks"):
        contacts.contact_plan(_tags().drop(columns="contact"), pd.Series(dtype=str), "2026-09-30")
