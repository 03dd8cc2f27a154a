"""Tests for csi_helpers.tiering on small hand-made data (exact tiers, boundaries, ties)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers import tiering
from csi_helpers.errors import CSIInputError, CSIWarning

GOLDEN = Path(__file__).parent / "golden" / "tiering"
AS_OF = "2026-09-30"


def rev(values, prefix="c"):
    return pd.Series({f"{prefix}{i}": float(v) for i, v in enumerate(values, 1)})


# ---------------------------------------------------------------------------- ABC
def test_abc_crossing_customer_is_in_A():
    r = tiering.abc(rev([70, 20, 6, 4]))
    # c2 takes the cumulative share from 70% to 90%: it crosses 80%, so A.
    # c3 from 90% to 96%: crosses 95%, so B; c4 starts at 96%: C.
    assert r.tier.to_dict() == {"c1": "A", "c2": "A", "c3": "B", "c4": "C"}


def test_abc_exact_boundary_is_last_of_tier():
    # cumulative 50%, 80% exactly, 95% exactly, 100%
    r = tiering.abc(rev([50, 30, 15, 5]))
    assert r.tier.tolist() == ["A", "A", "B", "C"]
    # floating point: 0.7 + 0.1 = 0.7999999999999999 must count as 80%
    r = tiering.abc(rev([0.7, 0.1, 0.15, 0.05]))
    assert r.tier.tolist() == ["A", "A", "B", "C"]


def test_abc_ties_are_never_split():
    # by position c3 would start B (cum before = 80%) but it ties with c2 (A): A.
    r = tiering.abc(rev([70, 10, 10, 10]))
    assert r.tier.tolist() == ["A", "A", "A", "A"]
    assert r.summary.loc[["B", "C"], "customers"].tolist() == [0, 0]
    # ties away from a boundary keep their order by customer id
    r = tiering.abc(pd.Series({"b": 5.0, "a": 5.0, "z": 90.0}))
    assert r.table.index.tolist() == ["z", "a", "b"]


def test_abc_zero_revenue_is_C_and_summary_adds_up():
    values = [500, 300, 90, 60, 30, 10, 5, 3, 2, 0]
    r = tiering.abc(rev(values))
    assert r.tier["c10"] == "C"
    s = r.summary
    assert s["customers"].sum() == 10
    assert s["revenue"].sum() == pytest.approx(sum(values))
    assert s["customer_share"].sum() == pytest.approx(1.0)
    assert s["revenue_share"].sum() == pytest.approx(1.0)
    assert s["cum_revenue_share"].iloc[-1] == pytest.approx(1.0)
    # A: 500 + 300 = 80% exactly -> c1, c2; B: 90 crosses 89% -> 95%: c3, c4 (89%..95%)
    assert r.tier.tolist() == ["A", "A", "B", "B", "C", "C", "C", "C", "C", "C"]
    assert s.loc["A", "revenue_share"] == pytest.approx(0.8)


def test_abc_accepts_customer_value_table_and_does_not_modify_input():
    s = rev([3, 2, 1])
    before = s.copy()
    tiering.abc(s)
    pd.testing.assert_series_equal(s, before)
    df = pd.DataFrame({"customer_id": ["x", "y"], "revenue": [10.0, 0.4]})  # y starts at 96%
    assert tiering.abc(df).tier.to_dict() == {"x": "A", "y": "C"}


@pytest.mark.parametrize("kw, msg", [({"a": 0.9, "b": 0.8}, "need 0 < a < b"),
                                     ({"a": 0, "b": 0.5}, "tiering.abc")])
def test_abc_bad_thresholds(kw, msg):
    with pytest.raises(CSIInputError, match=msg):
        tiering.abc(rev([1, 2]), **kw)


@pytest.mark.parametrize("series, msg", [
    (rev([1, -2]), "negative for customer"),
    (rev([0, 0]), "total is zero"),
    (pd.Series(dtype=float), "no customers"),
    (pd.Series({"a": "x", "b": 1}), "not a number for customer"),
])
def test_abc_bad_revenue(series, msg):
    with pytest.raises(CSIInputError, match=msg):
        tiering.abc(series)


def test_pareto_figure_marks_boundaries():
    fig = tiering.pareto_figure(tiering.abc(rev([70, 20, 6, 4])), lang="zh")
    ax = fig.axes[0]
    assert ax.get_title() == tiering.LABELS["zh"]["pareto_title"]
    assert any(abs(l.get_ydata()[0] - 0.8) < 1e-12 for l in ax.lines
               if len(l.get_ydata()) == 2 and l.get_ydata()[0] == l.get_ydata()[1])


# ---------------------------------------------------------------------------- pyramid
def test_pyramid_counts_by_top_shares():
    r = tiering.pyramid(rev(range(200, 0, -1)))
    assert r.summary["customers"].tolist() == [2, 8, 90, 100]
    # 0.05 * 100 = 5.000000000000001 must cut at 5, not 6
    r = tiering.pyramid(rev(range(100, 0, -1)))
    assert r.summary["customers"].tolist() == [1, 4, 45, 50]
    # small n: at least one VIP (ceil); large and ordinary cuts at ceil too
    r = tiering.pyramid(rev(range(10, 0, -1)))
    assert r.summary["customers"].tolist() == [1, 0, 4, 5]


def test_pyramid_ties_and_zero_revenue():
    r = tiering.pyramid(rev([100, 100, 50, 0] + [1] * 6))
    # c1 is VIP (ceil(0.1) = 1) and c2 ties with it
    assert r.tier["c1"] == r.tier["c2"] == "VIP"
    assert r.tier["c4"] == "small"
    s = r.summary
    assert s["customers"].sum() == 10
    assert s["revenue_share"].sum() == pytest.approx(1.0)


def test_pyramid_bad_shares():
    with pytest.raises(CSIInputError, match="vip < large < ordinary"):
        tiering.pyramid(rev([1, 2]), vip=0.1, large=0.05)


def test_pyramid_figure_and_pareto_point():
    r = tiering.pyramid(rev([2.0 ** -i for i in range(40)]))
    # c1 alone is 50%, c1+c2 75%, c1..c3 87.5% >= 80%: 3 of 40 customers
    assert tiering.pareto_point(r, 0.80) == pytest.approx(3 / 40)
    fig = tiering.pyramid_figure(r)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("8% of customers bring 80% of revenue" in t for t in texts)


# ---------------------------------------------------------------------------- value
def tx_frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def test_customer_value_and_yearly_sales():
    tx = tx_frame([("c1", "2024-10-01", 100), ("c1", "2025-10-01", 110), ("c1", "2026-09-30", 11),
                   ("c1", "2026-03-01", 110), ("c2", "2026-09-01", 50), ("c2", "2023-10-15", 7)])
    ys = tiering.yearly_sales(tx, AS_OF)
    # rolling years ending 2024-09-30, 2025-09-30, 2026-09-30 (start exclusive)
    assert list(ys.columns) == [2024, 2025, 2026]
    assert ys.loc["c1"].tolist() == [0.0, 100.0, 231.0]
    assert ys.loc["c2"].tolist() == [7.0, 0.0, 50.0]
    cv = tiering.customer_value(tx, AS_OF)
    assert cv.loc["c1", "revenue"] == 331.0
    assert cv.loc["c1", "orders"] == 4
    assert cv.loc["c1", "recency_days"] == 0
    assert cv.loc["c2", "first_purchase"] == pd.Timestamp("2023-10-15")
    assert cv.loc["c2", "tenure_days"] == 1081
    assert cv.loc["c2", "revenue_per_year"] == pytest.approx(57 / (1081 / 365.25))
    # the export starts 2023-10-15, within 32 days of the first rolling year: 3 years
    assert tiering.yearly_sales(tx.iloc[:-1], AS_OF).columns.tolist() == [2025, 2026]
    assert [c for c in cv.columns if c.startswith("sales_")] == ["sales_2024", "sales_2025",
                                                                  "sales_2026"]
    cal = tiering.yearly_sales(tx, AS_OF, period="calendar", years=2)
    assert list(cal.columns) == [2024, 2025]
    assert cal.loc["c1"].tolist() == [100.0, 110.0]


def test_customer_value_with_customers_keeps_non_buyers():
    tx = tx_frame([("c1", "2026-01-01", 10)])
    cust = pd.DataFrame({"customer_id": ["c1", "c9"]})
    cv = tiering.customer_value(tx, AS_OF, customers=cust, years=1)
    assert cv.loc["c9", "revenue"] == 0 and cv.loc["c9", "orders"] == 0
    assert pd.isna(cv.loc["c9", "last_purchase"])


# ---------------------------------------------------------------------------- bad input
def test_bad_transactions_messages():
    with pytest.raises(CSIInputError, match=r"'amount' missing"):
        tiering.clean_transactions(pd.DataFrame({"customer_id": ["a"], "date": ["2026-01-01"]}),
                                   AS_OF)
    with pytest.raises(CSIInputError, match="no rows"):
        tiering.clean_transactions(tx_frame([]), AS_OF)
    bad = tx_frame([("a", "2026-01-01", 1), ("b", "2026-01-01", "1,200")])
    with pytest.raises(CSIInputError, match=r"amount: not a number in row\(s\) 1 .*'1,200'.*plain"):
        tiering.clean_transactions(bad, AS_OF)
    neg = tx_frame([("a", "2026-01-01", 100), ("a", "2026-02-01", -30)])
    with pytest.raises(CSIInputError, match=r"negative in 1 row\(s\) 1; .*negative='net'"):
        tiering.clean_transactions(neg, AS_OF)
    with pytest.warns(CSIWarning, match="netted"):
        cv = tiering.customer_value(neg, AS_OF, negative="net", years=1)
    assert cv.loc["a", "revenue"] == 70
    with pytest.warns(CSIWarning, match="dropped"):
        out = tiering.clean_transactions(neg, AS_OF, negative="drop")
    assert out["amount"].tolist() == [100.0]
    with pytest.raises(CSIInputError, match=r"date: not a date .* row\(s\) 0"):
        tiering.clean_transactions(tx_frame([("a", "31/12/2026x", 1)]), AS_OF)
    with pytest.raises(CSIInputError, match=r"customer_id: empty in row\(s\) 1"):
        tiering.clean_transactions(tx_frame([("a", "2026-01-01", 1), (None, "2026-01-01", 1)]),
                                   AS_OF)
    with pytest.raises(CSIInputError, match="tiering.as_of"):
        tiering.clean_transactions(tx_frame([("a", "2026-01-01", 1)]), "not a date")


def test_late_dates_and_unknown_ids_warn_and_are_left_out():
    tx = tx_frame([("a", "2026-01-01", 1), ("a", "2026-10-01", 5), ("zz", "2026-01-01", 9)])
    cust = pd.DataFrame({"customer_id": ["a"]})
    with pytest.warns(CSIWarning) as rec:
        out = tiering.clean_transactions(tx, AS_OF, customers=cust)
    msgs = " | ".join(str(w.message) for w in rec)
    assert "after as_of 2026-09-30 (1)" in msgs
    assert "'zz'" not in msgs and "zz" in msgs and "not in customers" in msgs
    assert out["amount"].tolist() == [1.0]
    with pytest.raises(CSIInputError, match="no transactions left"), \
            pytest.warns(CSIWarning, match="after as_of"):
        tiering.clean_transactions(tx_frame([("a", "2027-01-01", 1)]), AS_OF)


def test_inputs_not_modified():
    tx = tx_frame([("a", "2026-01-01", 1), ("b", "2025-01-01", 2)])
    before = tx.copy()
    tiering.customer_value(tx, AS_OF)
    tiering.rfm(tx, AS_OF)
    pd.testing.assert_frame_equal(tx, before)


# ---------------------------------------------------------------------------- rule-based ABC
def franchise():
    cust = pd.DataFrame({
        "customer_id": ["ag1", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10",
                        "r1", "r2", "r3", "r4", "r5"],
        "customer_type": ["agent"] + ["franchisee"] * 10 + ["retail"] * 5,
        "cooperation": [1, 5, 5, 5, 5, 4, 5, 3, 5, 5, 5, 4, 4, 5, np.nan, 5],
        "loyalty": [1, 5, 5, 5, 5, 4, 5, 5, 5, 5, 5, 4, 4, 3, 5, 5],
    })
    ys = pd.DataFrame({
        2024: [1, 100, 100, 100, 50, 100, 100, 100, 100, 100, 0, 100, 100, 100, 100, 0],
        2025: [1, 100, 100, 100, 50, 110, 100, 110, 100, 100, 0, 110, 109.99, 120, 120, 100],
        2026: [1, 900, 800, 800, 60, 121, 100, 121, 100, 100, 0, 121, 130, 140, 140, 120],
    }, index=cust["customer_id"]).astype(float)
    return cust, ys


def test_rule_abc_tiers_and_reasons():
    cust, ys = franchise()
    r = tiering.rule_abc(cust, ys)
    t = r.table
    # agent: A by type, whatever its sales
    assert t.loc["ag1", ["tier", "rule"]].tolist() == ["A", "A:type"]
    # 10 franchisees -> top ceil(0.2 * 10) = 2 by 2026 sales; f2 and f3 tie at rank 2: both A
    assert t.loc[["f1", "f2", "f3"], "rule"].tolist() == ["A:top_sales"] * 3
    assert "rank 2 of 10" in t.loc["f3", "reason"]
    # f5: +10% exactly in 2025 and 2026, scores 4/4 -> B (>= threshold)
    assert t.loc["f5", ["tier", "rule"]].tolist() == ["B", "B:growth"]
    # f7: growth ok but cooperation 3 -> C, the reason names cooperation
    assert t.loc["f7", "tier"] == "C" and "cooperation 3" in t.loc["f7", "reason"]
    # r1: retail customers can be B too
    assert t.loc["r1", "tier"] == "B"
    # r2: 2025 growth 9.99% < 10% -> C
    assert t.loc["r2", "tier"] == "C" and "2025 +10%" in t.loc["r2", "reason"]
    # r3: loyalty 3 -> C; r4: missing cooperation -> C
    assert t.loc["r3", "tier"] == "C"
    assert t.loc["r4", "tier"] == "C" and "cooperation missing" in t.loc["r4", "reason"]
    # r5: growth from zero sales (2024) is undefined -> C
    assert t.loc["r5", "tier"] == "C" and "2025 n/a" in t.loc["r5", "reason"]
    # f10: no sales -> not a top franchisee
    assert t.loc["f10", "tier"] == "C"
    assert r.summary["customers"].tolist() == [4, 2, 10]
    assert r.summary["customers"].sum() == len(cust)
    assert r.summary.loc["A", "by_rule"] == "A:top_sales: 3, A:type: 1"
    assert t["growth_2026"]["f5"] == pytest.approx(0.10)


def test_rule_abc_parameters_change_the_tiers():
    cust, ys = franchise()
    t = tiering.rule_abc(cust, ys, b_consecutive_years=1, b_min_cooperation=3,
                         a_top_share=0.1, a_customer_types=[]).table
    assert t.loc["ag1", "tier"] == "C"              # no types in A
    assert t.loc[["f1", "f2", "f3"], "rule"].tolist() == ["A:top_sales", "B:growth", "B:growth"]
    assert t.loc["r2", "tier"] == "B"               # only 2026 growth (+18%) counts now
    assert t.loc["r3", "tier"] == "B"               # loyalty 3 >= 3


def test_rule_abc_accepts_customer_value_columns_and_needs_enough_years():
    cust, ys = franchise()
    cv = ys.rename(columns=lambda y: f"sales_{y}")
    assert tiering.rule_abc(cust, cv).tier.equals(tiering.rule_abc(cust, ys).tier)
    with pytest.raises(CSIInputError, match="needs 3 to see 2 years of growth"):
        tiering.rule_abc(cust, ys[[2025, 2026]])
    with pytest.warns(CSIWarning, match="not in customers"):
        tiering.rule_abc(cust, pd.concat([ys, pd.DataFrame({2024: [1.0], 2025: [1.0],
                                                            2026: [1.0]}, index=["ghost"])]))
    with pytest.raises(CSIInputError, match="'loyalty' missing"):
        tiering.rule_abc(cust.drop(columns="loyalty"), ys)
    dup = pd.concat([cust, cust.iloc[[0]]])
    with pytest.raises(CSIInputError, match="duplicated id"):
        tiering.rule_abc(dup, ys)


# ---------------------------------------------------------------------------- lifecycle
def test_lifecycle_stages():
    ys = pd.DataFrame({2024: [0, 0, 100, 100, 100, 100, 0],
                       2025: [0, 100, 100, 100, 100, 100, 0],
                       2026: [50, 110, 100, 0, 89, 90, 0]},
                      index=["new", "up", "flat", "lapsed", "down", "edge", "never"]).astype(float)
    st = tiering.lifecycle(ys)["stage"].to_dict()
    assert st == {"new": "introduction", "up": "growth", "flat": "maturity", "lapsed": "decline",
                  "down": "decline", "edge": "maturity", "never": "none"}


# ---------------------------------------------------------------------------- tags
def test_tags_combinations_window_and_treatment():
    cust = pd.DataFrame({"customer_id": ["ym", "yo", "nm", "no", "vip", "edge"]})
    tx = tx_frame([("ym", "2026-06-01", 10), ("nm", "2026-06-01", 10), ("vip", "2026-09-30", 999),
                   ("yo", "2025-01-01", 5), ("edge", "2025-09-30", 3)])
    vis = pd.DataFrame({"customer_id": ["ym", "yo", "vip", "edge", "edge"],
                        "date": ["2026-01-01", "2025-10-01", "2024-01-01", "2025-09-30",
                                 "2025-09-29"]})
    t = tiering.tags(cust, tx, vis, AS_OF, window_days=365, vip=["vip"])
    # window is (2025-09-30, 2026-09-30]: a visit on 2025-09-30 is outside, 2025-10-01 inside
    assert t["tag"].to_dict() == {"ym": "Y+M", "yo": "Y+O", "nm": "N+M", "no": "N+O",
                                  "vip": "N+M+VIP", "edge": "N+O"}
    assert t["treatment"].to_dict() == {
        "ym": "upgrade_cross_sell", "yo": "find_unmet_need", "nm": "bring_to_store",
        "no": "bring_to_store", "vip": "personal_care+bring_to_store", "edge": "bring_to_store"}
    assert t["contact"].to_dict() == {"ym": "small_batch", "yo": "message_group",
                                      "nm": "small_batch", "no": "message_group",
                                      "vip": "one_to_one", "edge": "message_group"}
    assert t.loc["vip", "contact_priority"] == 1
    assert tiering.treatment_text("personal_care+bring_to_store", "zh") == \
        "个性化关怀，发展为朋友和推荐人；吸引到店"
    # a longer window reaches the edge visit and the old purchase
    t2 = tiering.tags(cust, tx, vis, AS_OF, window_days=366, vip=[])
    assert t2.loc["edge", "tag"] == "Y+M"


def test_tags_without_visits_or_master_keep_the_purchase_tags_and_the_contact_rule():
    """An online shop records no store visits; a transactions-only export has no master.
    The tags are M/O (+VIP), the contact rule is the same as with visits, a non-buyer's
    treatment is to find the unmet need (no store to bring them to)."""
    cust = pd.DataFrame({"customer_id": ["ym", "yo", "nm", "no", "vip", "edge"]})
    tx = tx_frame([("ym", "2026-06-01", 10), ("nm", "2026-06-01", 10), ("vip", "2026-09-30", 999),
                   ("yo", "2025-01-01", 5), ("edge", "2025-09-30", 3)])
    vis = pd.DataFrame({"customer_id": ["ym"], "date": ["2026-01-01"]})
    with_visits = tiering.tags(cust, tx, vis, AS_OF, vip=["vip"])
    t = tiering.tags(cust, tx, None, AS_OF, vip=["vip"])
    assert "visit_tag" not in t.columns and "visited" not in t.columns
    assert t["tag"].to_dict() == {"ym": "M", "yo": "O", "nm": "M", "no": "O", "vip": "M+VIP",
                                  "edge": "O"}
    assert t["contact"].astype(str).to_dict() == with_visits["contact"].astype(str).to_dict()
    assert t.loc["no", "treatment"] == "find_unmet_need"
    assert t.loc["vip", "treatment"] == "personal_care+upgrade_cross_sell"
    buyers = tiering.tags(None, tx, None, AS_OF, vip=["vip"])     # no master: the buyers
    assert sorted(buyers.index) == ["edge", "nm", "vip", "ym", "yo"]
    plan = tiering.contact_plan(buyers, pd.Series("A", index=buyers.index), AS_OF)
    assert plan.loc["vip", "contact"] == "one_to_one"
    grid = tiering.visit_buy_table(with_visits)
    assert grid.loc["Y", "M"] == 1 and grid.to_numpy().sum() == 6


def test_tags_vip_from_pyramid_and_warnings():
    cust = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1, 11)]})
    tx = tx_frame([(f"c{i}", "2026-05-01", 100 - i) for i in range(1, 11)])
    vis = pd.DataFrame({"customer_id": ["c1", "c99", "c2"],
                        "date": ["2026-05-01", "2026-05-01", "2026-12-01"]})
    with pytest.warns(CSIWarning) as rec:
        t = tiering.tags(cust, tx, vis, AS_OF)
    msgs = " | ".join(str(w.message) for w in rec)
    assert "c99" in msgs and "after as_of" in msgs
    assert t.index[t["vip"]].tolist() == ["c1"]      # ceil(1% of 10) = 1 VIP
    assert t.loc["c2", "visit_tag"] == "N"           # the late visit does not count
    pyr = tiering.pyramid(pd.Series({"c5": 10.0, "c1": 1.0}))
    t3 = tiering.tags(cust, tx, vis.iloc[:1], AS_OF, vip=pyr)   # VIP: ceil(1% of 2) = c5
    assert t3.index[t3["vip"]].tolist() == ["c5"] and len(t3) == 10
    with pytest.raises(CSIInputError, match="window_days"):
        tiering.tags(cust, tx, vis, AS_OF, window_days=0)


# ---------------------------------------------------------------------------- RFM
def test_rfm_scores_quintiles_ties_and_reversed_recency():
    rows = []
    for i in range(1, 11):  # customer i: i purchases, last one 10*i days before as_of
        for k in range(i):
            rows.append((f"c{i:02d}", (pd.Timestamp(AS_OF) - pd.Timedelta(days=10 * i + k))
                         .strftime("%Y-%m-%d"), 10.0 * i))
    r = tiering.rfm(tx_frame(rows), AS_OF)
    assert r["recency"].tolist() == [10 * i for i in range(1, 11)]
    assert r["frequency"].tolist() == list(range(1, 11))
    assert r["F"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert r["R"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]      # recent = high
    assert r["M"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert r.loc["c01", "cell"] == "511" and r.loc["c01", "rfm_score"] == 7
    assert r.loc["c01", "segment"] == "Regular to develop"
    assert r.loc["c10", "segment"] == "High value to retain"    # R 1, F 5, M 5
    assert r.loc["c06", "segment"] == "High value"              # 3 is high (>= 3 of 5)
    assert r.loc["c07", "segment"] == "High value to retain"    # R 2 is low


def test_rfm_ties_share_the_lower_score():
    # frequencies 1,1,1,1,1,1,2,2,3,4: ranks(min) 1,...,1,7,7,9,10
    freq = [1] * 6 + [2, 2, 3, 4]
    rows = [(f"c{i:02d}", "2026-01-01", 1.0) for i, f in enumerate(freq) for _ in range(f)]
    tx = tx_frame(rows)
    tx["transaction_id"] = [f"t{j}" for j in range(len(tx))]
    r = tiering.rfm(tx, AS_OF)
    assert r["F"].tolist() == [1] * 6 + [4, 4, 5, 5]
    assert r["R"].tolist() == [1] * 10           # all tied on recency
    seg = tiering.rfm_segments(r)
    assert seg["customers"].sum() == 10 and len(seg) == 8
    with pytest.raises(CSIInputError, match="bins"):
        tiering.rfm(tx, AS_OF, bins=1)


# ---------------------------------------------------------------------------- action table
def test_action_table_per_tier_and_tag():
    tg = pd.DataFrame({
        "tag": ["Y+M+VIP", "Y+M", "N+O", "N+O", "Y+O"],
        "treatment": ["personal_care+upgrade_cross_sell", "upgrade_cross_sell", "bring_to_store",
                      "bring_to_store", "find_unmet_need"],
        "contact": ["one_to_one", "small_batch", "message_group", "message_group",
                    "message_group"],
        "contact_priority": [1, 2, 3, 3, 3]},
        index=pd.Index(["v", "m", "n1", "n2", "o"], name="customer_id"))
    tiers = pd.Series({"v": "A", "m": "A", "n1": "C", "n2": "C", "o": "B"})
    revenue = pd.Series({"v": 600.0, "m": 300.0, "n1": 40.0, "n2": 10.0, "o": 50.0})
    at = tiering.action_table(tiers, tg, revenue)
    assert at[["tier", "tag", "customers"]].values.tolist() == [
        ["A", "Y+M+VIP", 1], ["A", "Y+M", 1], ["B", "Y+O", 1], ["C", "N+O", 2]]
    assert at["revenue_share"].tolist() == pytest.approx([0.6, 0.3, 0.05, 0.05])
    assert at["customers"].sum() == 5 and at["customer_share"].sum() == pytest.approx(1)
    assert at.loc[0, "contact"] == "One-to-one; phone at least twice a year"
    assert at.loc[3, "contact"] == "Message group C"
    zh = tiering.action_table(tiers, tg, revenue, lang="zh")
    assert zh.loc[3, "contact"] == "C类信息群组"
    assert zh.loc[0, "treatment"] == "个性化关怀，发展为朋友和推荐人；升级购买与交叉销售"
    with pytest.raises(CSIInputError, match="lang='fr'"):
        tiering.action_table(tiers, tg, revenue, lang="fr")


# ---------------------------------------------------------------------------- satisfaction
def test_satisfaction_by_tier_equals_r_t_test():
    gold = json.loads((GOLDEN / "ttest.json").read_text())
    values = {
        "A": [75, 80, 91.6666667, 58.3333333, 100, 66.6666667, 83.3333333],
        "B": [50, 62.5, 70, 41.6666667, 88],
        "C": [25, 33.3333333, 100, 0, 58.3333333, 66.6666667, 41.6666667, 75, 50, 8.3333333,
              91.6666667],
    }
    rows, tiers = [], {}
    for t, xs in values.items():
        for j, x in enumerate(xs):
            cid = f"{t}{j}"
            tiers[cid] = t
            rows.append((f"R{len(rows)}", cid, x))
    rows += [("R900", None, 50.0), ("R901", "ghost", 60.0), ("R902", "A0", np.nan)]
    scores = pd.DataFrame(rows, columns=["respondent_id", "customer_id", "satisfaction"])
    res = tiering.satisfaction_by_tier(scores, None, pd.Series(tiers))
    assert (res.respondents, res.with_customer_id, res.linked, res.unknown_ids) == (26, 25, 23, 1)
    for t in "ABC":
        row = res.table.loc[t]
        assert row["n"] == gold[t]["n"]
        for k in ("mean", "sd", "ci_low", "ci_high"):
            assert row[k] == pytest.approx(gold[t][k], abs=1e-6), (t, k)
    assert "23 of 26 respondents linked" in repr(res)
    assert res.table["note"].tolist() == ["n < 30: indicative only"] * 3
    fig = tiering.satisfaction_figure(res)
    assert len(fig.axes[0].patches) == 3


def test_satisfaction_by_tier_series_input_and_errors():
    survey = pd.DataFrame({"customer_id": ["a", "b", ""]})
    res = tiering.satisfaction_by_tier(pd.Series([50.0, 70.0, 90.0]), survey,
                                       pd.Series({"a": "VIP", "b": "VIP"}))
    assert res.table.loc["VIP", "n"] == 2 and res.table.loc["VIP", "mean"] == 60
    assert res.with_customer_id == 2
    with pytest.raises(CSIInputError, match="outside 0-100"):
        tiering.satisfaction_by_tier(pd.Series([5.0, 170.0, 1.0]), survey, pd.Series({"a": "A"}))
    with pytest.raises(CSIInputError, match="one score per survey row"):
        tiering.satisfaction_by_tier(pd.Series([5.0]), survey, pd.Series({"a": "A"}))


PARAMS = {
    "sources": {"survey": {"id_column": "respondent_id", "customer_id_column": "customer_id"}},
    "indicator_system": {"indicators": [
        {"id": "I11", "lv": "SAT", "items": ["Q17"]},
        {"id": "I12", "lv": "SAT", "items": ["Q18", "Q19"]},
        {"id": "I13", "lv": "COMP", "items": ["Q20"]}]},
    "scale": {"points": 5, "reverse_items": ["Q19"]},
}


def test_respondent_satisfaction_from_items_and_from_scores():
    clean = pd.DataFrame({"respondent_id": ["R1", "R2", "R3"], "customer_id": ["c1", "", None],
                          "Q17": [5.0, 3.0, np.nan], "Q18": [4.0, 3.0, np.nan],
                          "Q19": [1.0, np.nan, np.nan], "Q20": [1.0, 1.0, 1.0]})
    before = clean.copy()
    out = tiering.respondent_satisfaction(clean, PARAMS)
    pd.testing.assert_frame_equal(clean, before)
    # R1: Q17 5 -> 100, Q18 4 -> 75, Q19 1 reversed to 5 -> 100: mean 91.67
    assert out["satisfaction"].iloc[0] == pytest.approx((100 + 75 + 100) / 3)
    assert out["satisfaction"].iloc[1] == pytest.approx(50.0)
    assert np.isnan(out["satisfaction"].iloc[2])
    assert out["customer_id"].isna().tolist() == [False, True, True]
    scores = pd.DataFrame({"respondent_id": ["R2", "R1"], "SAT": [10.0, 20.0]})
    out2 = tiering.respondent_satisfaction(clean, PARAMS, scores=scores)
    assert out2["satisfaction"].tolist()[:2] == [20.0, 10.0]
    with pytest.raises(CSIInputError, match="no indicator of latent variable 'XYZ'"):
        tiering.respondent_satisfaction(clean, PARAMS, lv="XYZ")


def test_respondent_satisfaction_from_artefact_rows_and_linked_satisfaction(capsys):
    art = pd.DataFrame({"respondent_id": ["R1", "R1", "R2"], "customer_id": ["c1", "c1", ""],
                        "region": ["N", "N", "S"], "SAT": [80.0, 70.0, 60.0]})
    out = tiering.respondent_satisfaction(None, PARAMS, scores=art)
    assert out["satisfaction"].tolist() == [80.0, 70.0, 60.0]
    assert out["customer_id"].isna().tolist() == [False, False, True]

    class FakeWorkbook:
        params = PARAMS

        def __init__(self, artefact):
            self.artefact = artefact

        def has_artifact(self, name):
            return self.artefact is not None and name == "respondent_scores"

        def load_artifact(self, name):
            return self.artefact

        def survey_clean(self):
            return pd.DataFrame({"respondent_id": ["R1"], "customer_id": ["c1"], "Q17": [5.0],
                                 "Q18": [5.0], "Q19": [5.0]})

    assert tiering.linked_satisfaction(FakeWorkbook(art))["satisfaction"].tolist() == [80, 70, 60]
    assert capsys.readouterr().out == ""            # the usual route says nothing
    # without the artefact: the SAT items (Q19 reversed: 5 -> 1 -> 0) -> (100 + 100 + 0) / 3
    with pytest.warns(CSIWarning, match="not found"):
        got = tiering.linked_satisfaction(FakeWorkbook(None))["satisfaction"].tolist()
    assert got == pytest.approx([200 / 3])
    # an artefact without SAT falls back to the items
    with pytest.warns(CSIWarning, match="mean of its items"):
        got = tiering.linked_satisfaction(FakeWorkbook(art.drop(columns="SAT")))
    assert got["satisfaction"].tolist() == pytest.approx([200 / 3])


def test_recovery():
    r = tiering.recovery(["a", "b", "c", "d"], ["b", "c", "x"])
    assert r.to_dict() == {"selected": 4, "planted": 3, "both": 2, "precision": 0.5,
                           "recall": pytest.approx(2 / 3)}


def test_settings_fill_defaults_and_need_as_of():
    cfg = tiering.settings({"tiering": {"as_of": "2026-09-30", "rule_abc": {"b_growth": 0.2},
                                        "extra": 1}})
    assert cfg["as_of"] == pd.Timestamp("2026-09-30")
    assert cfg["rule_abc"]["b_growth"] == 0.2 and cfg["rule_abc"]["a_top_share"] == 0.2
    assert cfg["tags"] == {"window_days": 365} and "extra" not in cfg
    with pytest.raises(CSIInputError, match="tiering.as_of: not set and no transaction dates"):
        tiering.settings({"tiering": {}})
    tx = pd.DataFrame({"date": pd.to_datetime(["2026-01-05 09:00", "2026-03-31 15:20"])})
    assert tiering.settings({"tiering": {"as_of": None}}, tx)["as_of"] == pd.Timestamp("2026-03-31")


def test_planted_note_for_demo_and_real_clients():
    truth = {"customers": {"tier_counts": {"A": 2, "B": 3, "C": 5},
                           "pareto_top20_share": 0.756, "growing": ["C1", "C2"]},
             "tier_effects": {"tiers": {"A": 0.3, "B": 0.1, "C": 0.0}}}
    assert tiering.planted_note(None, "abc") == ""
    assert tiering.planted_note(truth, "abc") == (
        "Planted ABC tier counts: {'A': 2, 'B': 3, 'C': 5}\n"
        "Planted share of revenue from the top 20% of customers: 75.6%")
    rule = type("Rule", (), {"table": pd.DataFrame({"rule": ["B:growth", "C:other", "B:growth"]},
                                                    index=["C1", "C2", "C3"])})()
    note = tiering.planted_note(truth, "growers", rule)
    assert "selected" in note and "0.5" in note          # 1 of 2 selected was planted
    assert "0.3" in tiering.planted_note(truth, "tier_effects")
    with pytest.raises(CSIInputError, match="topic 'rfm'"):
        tiering.planted_note(truth, "rfm")
