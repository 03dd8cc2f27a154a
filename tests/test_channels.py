"""Tests for csi_helpers.customers.channels on hand-computable data and a planted set."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi_helpers.customers import channels
from csi_helpers.errors import CSIInputError, CSIWarning


def small():
    """门店: a, b, c (2 buyers); 抖音: d, e (1 buyer); no channel: f; 小红书 only costed."""
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "channel": ["门店", " 门店 ", "门店", "抖音", "抖音", None],
        "joined": pd.to_datetime(["2025-01-10", "2025-06-01", "2024-12-01", "2025-03-01",
                                  "2025-04-01", "2025-05-01"]),
    })
    value = pd.DataFrame({"revenue": [300.0, 100.0, 0.0, 50.0, 0.0, 80.0],
                          "orders": [3, 1, 0, 1, 0, 2],
                          "retained": [True, False, False, True, False, True]},
                         index=pd.Index(list("abcdef"), name="customer_id"))
    costs = pd.DataFrame({"channel": ["门店", "抖音", "小红书"], "cost": [120.0, 400.0, 90.0],
                          "leads": [np.nan, 40, 10], "period": ["2025", "2025", "2025"]})
    return customers, value, costs


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        return fn(*args, **kw)


# ---------------------------------------------------------------------------- evaluate
def test_evaluate_numbers_by_hand():
    t = quiet(channels.evaluate, *small())
    assert t.index.tolist() == ["门店", "抖音", "小红书", "unknown"]
    assert t.index.name == "channel"
    s = t.loc["门店"]
    assert (s["acquired"], s["buyers"], s["retained"]) == (3, 2, 1)
    assert s["conversion"] == pytest.approx(2 / 3)
    assert s["acquisition_cost"] == 40.0 and s["cost_per_buyer"] == 60.0
    assert s["revenue"] == 400.0 and s["revenue_per_customer"] == pytest.approx(400 / 3)
    assert s["revenue_per_buyer"] == 200.0 and s["orders_per_buyer"] == 2.0
    assert s["revenue_share"] == pytest.approx(400 / 530)
    assert s["retention"] == 0.5
    assert s["return_on_acquisition"] == pytest.approx(400 / 120)
    assert np.isnan(s["lead_conversion"]) and s["status"] == "active"
    d = t.loc["抖音"]
    assert d["conversion"] == 0.5 and d["lead_conversion"] == 2 / 40
    assert d["acquisition_cost"] == 200.0 and d["cost_per_buyer"] == 400.0
    assert d["return_on_acquisition"] == 50 / 400 and d["retention"] == 1.0
    c = t.loc["小红书"]
    assert c["status"] == "candidate" and c["acquired"] == 0 and c["cost"] == 90.0
    assert np.isnan(c["conversion"]) and np.isnan(c["acquisition_cost"])
    assert c["note"] == "in the cost table, no customers"
    u = t.loc["unknown"]
    assert u["status"] == "unknown" and u["acquired"] == 1 and u["revenue"] == 80.0
    assert np.isnan(u["cost"])
    assert t.attrs["overall_conversion"] == pytest.approx(4 / 6)


def test_missing_channel_is_reported_not_dropped():
    customers, value, costs = small()
    with pytest.warns(CSIWarning, match="1 customer\\(s\\) have no channel"):
        t = channels.evaluate(customers, value, costs)
    assert t["acquired"].sum() == 6


def test_channel_without_cost_row_has_nan_cost_and_a_note():
    customers, value, costs = small()
    t = quiet(channels.evaluate, customers, value, costs[costs.channel != "抖音"])
    d = t.loc["抖音"]
    assert np.isnan(d["cost"]) and np.isnan(d["acquisition_cost"])
    assert np.isnan(d["return_on_acquisition"])
    assert d["note"] == "no cost row: cost unknown"
    assert quiet(channels.evaluate, customers, value, costs[costs.channel != "抖音"],
                 lang="zh").loc["抖音", "note"] == "无费用记录：费用未知"
    t = quiet(channels.evaluate, customers, value)             # no cost table at all
    assert t["cost"].isna().all() and "candidate" not in set(t["status"])


@pytest.mark.filterwarnings("ignore:customers.channel")
def test_since_filters_on_joined_and_counts_missing_dates():
    customers, value, costs = small()
    t = quiet(channels.evaluate, customers, value, costs, since="2025-01-01")
    assert t.loc["门店", "acquired"] == 2 and t.loc["门店", "buyers"] == 2   # c joined 2024
    customers.loc[0, "joined"] = pd.NaT
    with pytest.warns(CSIWarning, match="1 customer\\(s\\) without a date \\(a\\)"):
        t = channels.evaluate(customers, value, costs, since="2025-01-01")
    assert t.loc["门店", "acquired"] == 1
    with pytest.raises(CSIInputError, match="no customer joined on or after"):
        quiet(channels.evaluate, customers, value, costs, since="2030-01-01")
    with pytest.raises(CSIInputError, match="column 'joined' missing"):
        channels.evaluate(customers.drop(columns="joined"), value, since="2025-01-01")


@pytest.mark.filterwarnings("ignore:customers.channel")
def test_customers_without_value_row_count_as_non_buyers():
    customers, value, costs = small()
    with pytest.warns(CSIWarning, match="1 customer\\(s\\) have no row \\(a\\)"):
        t = channels.evaluate(customers, value.drop(index="a"), costs)
    assert t.loc["门店", "acquired"] == 3 and t.loc["门店", "buyers"] == 1
    extra = pd.concat([value, pd.DataFrame({"revenue": [5.0], "orders": [1],
                                            "retained": [True]}, index=["zz"])])
    with pytest.warns(CSIWarning, match="1 customer id\\(s\\) not in customers \\(zz\\)"):
        t = channels.evaluate(customers, extra, costs)
    assert t["revenue"].sum() == 530.0


def test_ids_index_or_column_and_int_vs_str_match():
    customers = pd.DataFrame({"channel": ["A", "A", "B"]}, index=[1, 2, 3])
    value = pd.DataFrame({"customer_id": ["1", "2", "3"], "revenue": [10.0, 0.0, 5.0]})
    t = channels.evaluate(customers, value, [{"channel": "A", "cost": 0}])
    assert t.loc["A", "buyers"] == 1 and t.loc["B", "buyers"] == 1
    assert t.loc["A", "return_on_acquisition"] == np.inf       # free channel (referrals)
    assert t["retention"].isna().all()                          # no retained column given


def test_costs_table_sums_repeated_rows_and_keeps_unknown_as_nan():
    rows = [{"channel": "抖音", "cost": 100, "leads": 10, "period": "2025-01"},
            {"channel": "抖音", "cost": 50, "leads": 5, "period": "2025-02"},
            {"channel": "门店", "cost": None}]
    with pytest.warns(CSIWarning, match="抖音 have several rows"):
        c = channels.costs_table(rows)
    assert c.loc["抖音", "cost"] == 150.0 and c.loc["抖音", "leads"] == 15.0
    assert c.loc["抖音", "period"] == "2025-01, 2025-02"
    assert np.isnan(c.loc["门店", "cost"])
    rows[1]["cost"] = None
    assert np.isnan(quiet(channels.costs_table, rows).loc["抖音", "cost"])


def test_lead_conversion_above_one_is_flagged():
    customers, value, costs = small()
    costs.loc[1, "leads"] = 1
    t = quiet(channels.evaluate, customers, value, costs)
    assert t.loc["抖音", "lead_conversion"] == 2.0
    assert "more customers than leads" in t.loc["抖音", "note"]


def test_all_channels_missing_gives_only_unknown():
    customers, value, _ = small()
    customers["channel"] = ["", None, np.nan, "  ", "unknown", None]
    t = quiet(channels.evaluate, customers, value)
    assert t.index.tolist() == ["unknown"] and t.loc["unknown", "acquired"] == 6
    v = channels.verdict(t)
    assert v.loc["unknown", "verdict"] is None
    assert v.loc["unknown", "reason"].startswith("6 customers (100%) have no acquisition")
    assert "在CRM中登记" in channels.verdict(t, lang="zh").loc["unknown", "reason"]


def test_one_channel():
    customers = pd.DataFrame({"customer_id": list("abcd"), "channel": ["门店"] * 4})
    value = pd.DataFrame({"revenue": [1.0, 2.0, 0.0, 3.0]}, index=list("abcd"))
    t = channels.evaluate(customers, value, [{"channel": "门店", "cost": 2.0}])
    v = channels.verdict(t, min_customers=4)
    assert v.loc["门店", "verdict"] == "keep" and v.loc["门店", "quadrant"] == "star"
    assert v.loc["门店", "rank"] == 1


def test_inputs_are_not_modified():
    customers, value, costs = small()
    before = [x.copy() for x in (customers, value, costs)]
    t = quiet(channels.evaluate, customers, value, costs, since="2025-01-01")
    t0 = t.copy()
    channels.verdict(t, min_customers=1)
    for a, b in zip(before, (customers, value, costs)):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(t0, t)


@pytest.mark.parametrize("change, message", [
    (lambda c, v, k: (c.drop(columns="channel"), v, k), "customers: column 'channel' missing"),
    (lambda c, v, k: (c.iloc[:0], v, k), "customers: no rows"),
    (lambda c, v, k: (c.assign(customer_id=list("aacdef")), v, k),
     "customers.customer_id: duplicated id\\(s\\) a"),
    (lambda c, v, k: (c, v.drop(columns="revenue"), k), "value: column 'revenue' missing"),
    (lambda c, v, k: (c, v.assign(revenue=["1", "x", 0, 0, 0, 0]), k),
     "value.revenue: not a number for b"),
    (lambda c, v, k: (c, v.assign(revenue=[1, -2.0, 0, 0, 0, 0]), k),
     "value.revenue: negative for b"),
    (lambda c, v, k: (c, v.assign(revenue=[1, np.nan, 0, 0, 0, 0]), k),
     "value.revenue: empty for b"),
    (lambda c, v, k: (c, v.assign(retained=[True, "yes", 0, 1, 0, 0]), k),
     "value.retained: not True/False for b"),
    (lambda c, v, k: (c, v, k.assign(cost=[1.0, -5.0, 0])), "channels.costs.cost: negative"),
    (lambda c, v, k: (c, v, k.assign(cost=["¥100", 1, 0])),
     "channels.costs.cost: not a number for 0 \\(e.g. '¥100'\\)"),
    (lambda c, v, k: (c, v, k.drop(columns="cost")), "channels.costs: column\\(s\\) \\['cost'\\]"),
    (lambda c, v, k: (c, v, k.assign(channel=["门店", "", "x"])),
     "channels.costs: row\\(s\\) 1 have no channel name"),
    (lambda c, v, k: (c, v, "costs.csv"), "channels.costs: expected a table"),
])
def test_errors_name_what_to_fix(change, message):
    args = change(*small())
    with pytest.raises(CSIInputError, match=message):
        quiet(channels.evaluate, *args)


def test_parameter_errors():
    t = quiet(channels.evaluate, *small())
    with pytest.raises(CSIInputError, match="lang='fr'"):
        channels.verdict(t, lang="fr")
    with pytest.raises(CSIInputError, match="min_conversion=20"):
        channels.verdict(t, min_conversion=20)
    with pytest.raises(CSIInputError, match="min_customers=0"):
        channels.verdict(t, min_customers=0)
    with pytest.raises(CSIInputError, match="lacks \\['status'\\]"):
        channels.verdict(t.drop(columns="status"))
    with pytest.raises(CSIInputError, match=r"channels.verdict: unknown key\(s\) \['min_conv'\]"):
        channels.settings({"channels": {"verdict": {"min_conv": 0.2}}})
    with pytest.raises(CSIInputError, match="y='orders'"):
        channels.channel_figure(t, y="orders")


def test_settings_fill_defaults_and_read_costs():
    cfg = channels.settings({"channels": {"costs": [{"channel": "抖音", "cost": 10}],
                                          "verdict": {"min_return": 2}}})
    assert cfg["verdict"] == {**channels.DEFAULTS, "min_return": 2}
    assert cfg["costs"].loc["抖音", "cost"] == 10.0
    assert channels.settings({}) == {"costs": None, "verdict": channels.DEFAULTS}


# ---------------------------------------------------------------------------- verdict
def hand_table():
    """Four channels with enough customers, one candidate, one small, one unknown."""
    t = pd.DataFrame({
        "acquired": [100, 100, 100, 100, 0, 10, 5],
        "buyers": [80, 60, 20, 10, 0, 9, 2],
        "cost": [2000.0, 8000.0, 1000.0, 21000.0, 500.0, 100.0, np.nan],
        "revenue": [30000.0, 40000.0, 1500.0, 5000.0, 0.0, 900.0, 100.0],
        "retention": [0.6, 0.5, 0.4, 0.3, np.nan, 0.8, 0.5],
        "status": ["active"] * 4 + ["candidate", "active", "unknown"],
    }, index=pd.Index(["推荐", "门店", "线上", "抖音", "小红书", "社群", "unknown"], name="channel"))
    a, b = t["acquired"].replace(0, np.nan), t["buyers"].replace(0, np.nan)
    t["conversion"] = t["buyers"] / a
    t["acquisition_cost"] = t["cost"] / a
    t["cost_per_buyer"] = t["cost"] / b
    t["return_on_acquisition"] = t["revenue"] / t["cost"]
    t["revenue_per_customer"] = t["revenue"] / a
    return t


def test_verdict_by_hand():
    v = channels.verdict(hand_table(), max_cost_per_buyer=300)
    # overall conversion 181 / 415; minimum half of it = 21.8%
    assert v.attrs["min_conversion"] == pytest.approx(0.5 * 181 / 415)
    assert v["verdict"].tolist() == ["keep", "keep", "drop", "drop", "open", "open", None]
    assert v["action"].tolist() == ["keep", "keep", "drop", "drop", "trial", "expand",
                                    "record_channel"]
    assert v.loc["推荐", "reason"] == "conversion 80%; return on acquisition 15.0x"
    # a drop names only what fails
    assert v.loc["线上", "reason"] == ("conversion 20% below the 22% minimum (half the overall "
                                      "44%)")
    assert v.loc["抖音", "reason"] == (
        "conversion 10% below the 22% minimum (half the overall 44%); cost per buyer ¥2,100 "
        "above the ¥300 limit; return on acquisition 0.2x below the 1.0x minimum")
    assert v.loc["社群", "reason"] == ("only 10 customers (fewer than 30): too few to judge; "
                                      "conversion 90%; return on acquisition 9.0x; strong so "
                                      "far: expand it and review")
    assert v.loc["小红书", "reason"].startswith("no customers recorded with this channel yet")
    zh = channels.verdict(hand_table(), max_cost_per_buyer=300, currency="$", lang="zh")
    assert zh.loc["抖音", "reason"] == ("转化率10%，低于22%的下限（整体44%的一半）；每位购买客户成本"
                                       "$2,100，高于$300的上限；获客投资回报0.2倍，低于1.0倍的下限")
    assert zh.loc["社群", "reason"].startswith("仅10位客户（少于30位），尚不足以判断")


def test_verdict_absolute_thresholds_and_retention():
    v = channels.verdict(hand_table(), min_conversion=0.7, min_return=None, min_retention=0.55)
    assert v.loc["门店", "verdict"] == "drop"
    assert v.loc["门店", "reason"] == ("conversion 60% below the 70% minimum; retention 50% "
                                      "below the 55% minimum")
    assert v.loc["推荐", "verdict"] == "keep"
    assert v.loc["社群", "action"] == "expand"


def test_quadrants_and_rank_by_hand():
    v = channels.verdict(hand_table())
    # medians over the four judged channels: cost (20 + 80) / 2, conversion (0.6 + 0.2) / 2
    assert v.attrs["median_acquisition_cost"] == 50.0
    assert v.attrs["median_conversion"] == pytest.approx(0.4)
    assert v["quadrant"].tolist() == ["star", "premium", "volume", "weak", None, "star", None]
    assert v["rank"].tolist()[:4] == [1, 3, 4, 5] and v.loc["社群", "rank"] == 2
    assert pd.isna(v.loc["unknown", "rank"]) and pd.isna(v.loc["小红书", "rank"])
    assert channels.label(v.loc["抖音", "quadrant"], "zh") == "高成本·低质量"


def test_unknown_cost_is_judged_on_quality_only():
    t = hand_table()
    t.loc["门店", ["cost", "acquisition_cost", "cost_per_buyer", "return_on_acquisition"]] = np.nan
    v = channels.verdict(t, max_cost_per_buyer=1)
    assert v.loc["门店", "verdict"] == "keep"
    assert "cost unknown (no row in channels.costs)" in v.loc["门店", "reason"]
    assert v.loc["门店", "quadrant"] is None


# ---------------------------------------------------------------------------- figure
@pytest.mark.parametrize("lang, title, xlabel", [
    ("en", "Channels: acquisition cost against conversion rate",
     "Average acquisition cost (¥ per customer)"),
    ("zh", "渠道评估：平均获客成本与转化率", "平均获客成本（每位客户，¥）"),
])
def test_figure_titles_points_and_hidden_channels(lang, title, xlabel):
    import matplotlib.pyplot as plt
    fig = channels.channel_figure(channels.verdict(hand_table(), lang=lang), lang)
    ax = fig.axes[0]
    assert ax.get_title("left") == title and ax.get_xlabel() == xlabel
    assert sum(len(c.get_offsets()) for c in ax.collections) == 5
    quadrants = set(channels.LABELS[lang]["quadrant"].values())
    assert {t.get_text() for t in ax.texts} == {"推荐", "门店", "线上", "抖音", "社群"} | quadrants
    foot = fig.texts[0].get_text()
    assert "小红书" in foot and ("unknown channel" in foot or "未知渠道" in foot)
    plt.close(fig)
    fig = channels.channel_figure(hand_table(), lang, y="revenue_per_customer", currency="$")
    assert fig.axes[0].get_ylabel() in ("Revenue per customer ($)", "客均销售额 ($)")
    plt.close(fig)


def test_figure_with_nothing_to_plot():
    import matplotlib.pyplot as plt
    t = hand_table()
    t["acquisition_cost"] = np.nan
    fig = channels.channel_figure(t)
    assert fig.axes[0].texts[0].get_text() == "No channel with customers and a known cost"
    plt.close(fig)


# ---------------------------------------------------------------------------- planted
def test_planted_channels_are_recovered():
    rng = np.random.default_rng(20260514)
    plan = {  # channel: (customers, P(buy), mean revenue of a buyer, cost)
        "门店": (400, 0.55, 600.0, 60000.0),
        "线上商城": (300, 0.45, 500.0, 40000.0),
        "抖音": (250, 0.08, 300.0, 90000.0),      # high cost, low conversion: drop
        "老客推荐": (120, 0.80, 800.0, 6000.0),    # cheap, high quality: keep
    }
    rows, vals = [], []
    for ch, (n, p, mean, _) in plan.items():
        buy = rng.random(n) < p
        for i in range(n):
            cid = f"{ch}-{i}"
            rows.append({"customer_id": cid, "channel": ch})
            vals.append({"customer_id": cid, "revenue": rng.gamma(4, mean / 4) if buy[i] else 0.0,
                         "retained": bool(buy[i] and rng.random() < 0.6)})
    missing = rng.choice(len(rows), 15, replace=False)
    for i in missing:
        rows[i]["channel"] = None
    customers = pd.DataFrame(rows)
    value = pd.DataFrame(vals).set_index("customer_id")
    costs = pd.DataFrame({"channel": [*plan, "小红书"],
                          "cost": [c for *_, c in plan.values()] + [5000.0]})
    with pytest.warns(CSIWarning, match="15 customer\\(s\\) have no channel"):
        t = channels.evaluate(customers, value, costs)
    v = channels.verdict(t)
    assert v.loc["抖音", "verdict"] == "drop" and v.loc["抖音", "quadrant"] == "weak"
    assert v.loc["老客推荐", "verdict"] == "keep" and v.loc["老客推荐", "quadrant"] == "star"
    assert v.loc["老客推荐", "rank"] == 1
    assert v.loc["小红书", "verdict"] == "open" and v.loc["小红书", "action"] == "trial"
    assert v.loc["unknown", "acquired"] == 15 and v.loc["unknown", "verdict"] is None
    assert v.loc["抖音", "conversion"] == pytest.approx(0.08, abs=0.04)
    assert v["acquired"].sum() == 1070
