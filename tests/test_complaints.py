"""Complaint handling (METHOD.md §6): classify, response times, Pareto, the 24-hour standard,
complainers vs others and the monthly trend, on hand-computable logs and planted data."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csi_helpers.customers import complaints as cp
from csi_helpers.errors import CSIInputError, CSIWarning

T0 = pd.Timestamp("2026-01-05 08:00")


def make_log(categories, response=None, resolution=None, ids=None, **extra):
    n = len(categories)
    df = pd.DataFrame({"received": T0 + pd.to_timedelta(np.arange(n), unit="D"),
                       "category": categories, **extra})
    if ids is not None:
        df.insert(0, "customer_id", ids)
    if response is not None:
        df["responded"] = df["received"] + pd.to_timedelta(response, unit="h")
    if resolution is not None:
        df["resolved"] = df["received"] + pd.to_timedelta(resolution, unit="h")
    return df


# ---------------------------------------------------------------------------- classify
def test_classify_maps_categories_to_causes_and_keeps_the_log():
    log = cp.example_log()
    before = log.copy()
    out = cp.classify(log, {"service": ["送货延迟", " 安装问题 "], "product_quality": "产品故障",
                            "expectation_gap": ["价格不符"]})
    pd.testing.assert_frame_equal(log, before)
    assert out["cause"].tolist() == ["service", "service", "service", "product_quality",
                                     "service", "service", "expectation_gap",
                                     "product_quality", "service", "service"]
    assert list(out.columns[:-1]) == list(log.columns)
    # categories with spaces around them still match
    spaced = log.assign(category=log["category"] + " ")
    assert cp.classify(spaced, cp.EXAMPLE_CAUSES)["cause"].eq(out["cause"]).all()


def test_classify_lists_unmapped_categories_with_counts_and_the_key():
    with pytest.raises(CSIInputError) as exc:
        cp.classify(cp.example_log(), {"service": ["送货延迟"]})
    msg = str(exc.value)
    assert "'安装问题' (3)" in msg and "'产品故障' (2)" in msg and "'价格不符' (1)" in msg
    assert "complaints.causes" in msg and "expectation_gap" in msg and "\n" not in msg


def test_classify_rejects_double_mapping_and_unknown_causes():
    with pytest.raises(CSIInputError, match="'送货延迟' is under both service and product_quality"):
        cp.classify(cp.example_log(), {"service": ["送货延迟"], "product_quality": ["送货延迟"]})
    with pytest.raises(CSIInputError, match="'logistics' is not a cause; use expectation_gap, "
                                            "product_quality, service"):
        cp.classify(cp.example_log(), {"logistics": ["送货延迟"]})
    with pytest.raises(CSIInputError, match="complaints.causes: empty"):
        cp.classify(cp.example_log(), {})


def test_labels_in_both_languages():
    assert [cp.label(c, "zh") for c in cp.CAUSES] == ["期望落差", "产品质量", "服务"]
    assert [cp.label(c) for c in cp.CAUSES] == ["Expectation gap", "Product quality", "Service"]
    assert cp.label("送货延迟", "zh") == "送货延迟"
    with pytest.raises(CSIInputError, match="lang='fr'.*'en' or 'zh'"):
        cp.label("service", "fr")


# ---------------------------------------------------------------------------- checks
@pytest.mark.parametrize("change, match", [
    (lambda d: d.drop(columns="category"), "column\\(s\\) category missing"),
    (lambda d: d.assign(received=[pd.NaT] + list(d["received"][1:])),
     "complaints.received: empty in complaint\\(s\\) C01"),
    (lambda d: d.assign(received=["yesterday"] + list(d["received"].astype(str)[1:])),
     "complaints.received: not a date-time in complaint\\(s\\) C01 .*'yesterday'"),
    (lambda d: d.assign(category=[" "] + list(d["category"][1:])),
     "complaints.category: empty in complaint\\(s\\) C01"),
    (lambda d: d.assign(complaint_id=["C01"] * 2 + list(d["complaint_id"][2:])),
     "complaint_id: complaint\\(s\\) C01, C01 appear more than once"),
    (lambda d: d.assign(followed_up=["yes"] + list(d["followed_up"][1:])),
     "followed_up: 'yes' in complaint\\(s\\) C01; use True/False"),
    (lambda d: d.assign(cause="logistics"), "complaints.cause: 'logistics'.*run classify"),
])
def test_bad_logs_raise_one_line_naming_the_fix(change, match):
    with pytest.raises(CSIInputError, match=match) as exc:
        cp.standard(change(cp.example_log()))
    assert "\n" not in str(exc.value)


def test_not_a_dataframe():
    with pytest.raises(CSIInputError, match="expected a DataFrame, got list"):
        cp.pareto([1, 2])


# ---------------------------------------------------------------------------- response times
def test_response_times_from_timestamps():
    t = cp.response_times(cp.example_log())
    assert t["response_hours"].tolist()[:3] == [2.0, 5.0, 30.0]
    assert np.isnan(t["response_hours"].iloc[3]) and np.isnan(t["resolution_hours"].iloc[2])
    assert t["resolution_hours"].sum() == 20 + 30 + 4 + 60 + 72 + 10 + 24


def test_response_times_from_hours_columns_and_both_agreeing():
    log = make_log(["a", "b", "c"], response_hours=[1.5, np.nan, 30.0],
                   resolution_hours=[2.0, 10.0, np.nan])
    t = cp.response_times(log)
    np.testing.assert_allclose(t["response_hours"], [1.5, np.nan, 30.0])
    np.testing.assert_allclose(t["resolution_hours"], [2.0, 10.0, np.nan])
    both = log.assign(responded=log["received"] + pd.to_timedelta([1.5, np.nan, 30.005], unit="h"))
    np.testing.assert_allclose(cp.response_times(both)["response_hours"], [1.5, np.nan, 30.0])


def test_hours_and_timestamps_that_disagree_raise_naming_the_column():
    log = make_log(["a", "b"], response=[1.0, 2.0], response_hours=[1.0, 2.5])
    with pytest.raises(CSIInputError, match="complaints.response_hours: disagrees with responded "
                                            ".* row\\(s\\) 1; correct it or keep only one"):
        cp.response_times(log)
    # answered by one column, unanswered by the other: a disagreement too
    log = make_log(["a", "b"], resolution=[1.0, np.nan], resolution_hours=[1.0, 3.0])
    with pytest.raises(CSIInputError, match="resolution_hours: disagrees with resolved"):
        cp.response_times(log)


def test_negative_durations_name_the_complaints():
    log = cp.example_log()
    log.loc[[2, 4], "responded"] = log.loc[[2, 4], "received"] - pd.Timedelta(hours=1)
    with pytest.raises(CSIInputError, match="responded: before received in complaint\\(s\\) C03, "
                                            "C05 \\(response_hours < 0\\); correct the times"):
        cp.response_times(log)
    with pytest.raises(CSIInputError, match="resolved: before received in row\\(s\\) 1"):
        cp.response_times(make_log(["a", "b"], resolution_hours=[3, -2]))
    with pytest.raises(CSIInputError, match="response_hours: not a number in row\\(s\\) 0"):
        cp.response_times(make_log(["a"], response_hours=["soon"]))


# ---------------------------------------------------------------------------- Pareto
def test_pareto_of_the_example():
    log = cp.example_log()
    before = log.copy()
    t = cp.pareto(log)
    pd.testing.assert_frame_equal(log, before)
    assert t.index.tolist() == ["送货延迟", "安装问题", "产品故障", "价格不符"]
    assert t["complaints"].tolist() == [4, 3, 2, 1]
    np.testing.assert_allclose(t["cum_share"], [0.4, 0.7, 0.9, 1.0])
    assert t["vital_few"].tolist() == [True, True, True, False]
    assert cp.pareto_line(t) == "3 of 4 issues (75%) draw 90% of complaints: 送货延迟, 安装问题, 产品故障"
    assert cp.pareto_line(t, "zh") == "4类问题中的3类（75%）引起90%的投诉：送货延迟、安装问题、产品故障"


def test_pareto_boundary_and_ties():
    # 6, 2, 1, 1: the second lands exactly on 80% and is the last vital issue
    t = cp.pareto(make_log(list("aaaaaabbcd")))
    assert t["vital_few"].tolist() == [True, True, False, False]
    # 4, 2, 2, 2 at 50%: b crosses, c and d tie with b and are never split off
    t = cp.pareto(make_log(list("aaaabbccdd")), pareto_share=0.5)
    assert t["vital_few"].all() and t.index.tolist() == ["a", "b", "c", "d"]
    # equal counts are ordered by name
    assert cp.pareto(make_log(list("zzyyx"))).index.tolist() == ["y", "z", "x"]
    with pytest.raises(CSIInputError, match="complaints.pareto_share=1.5"):
        cp.pareto(make_log(["a"]), pareto_share=1.5)


def test_pareto_one_category_empty_log_and_other_columns():
    one = cp.pareto(make_log(["a", "a"]))
    assert one["vital_few"].tolist() == [True]
    assert cp.pareto_line(one) == "1 of 1 issues (100%) draw 100% of complaints: a"
    empty = cp.pareto(make_log([]))
    assert empty.empty and cp.pareto_line(empty) == "No complaints recorded"
    assert cp.pareto_line(empty, "zh") == "未记录投诉"
    t = cp.pareto(cp.example_log(True), by="cause")
    assert cp.pareto_line(t, "zh") == "3类问题中的2类（67%）引起90%的投诉：服务、产品质量"
    with pytest.raises(CSIInputError, match="by='channel' is not a column"):
        cp.pareto(cp.example_log(), by="channel")
    log = make_log(list("abc"), channel=["phone", None, "phone"])
    with pytest.warns(CSIWarning, match="1 complaint\\(s\\) without channel left out"):
        t = cp.pareto(log, by="channel")
    assert t["complaints"].tolist() == [2]


@pytest.mark.parametrize("lang, title, ylabel", [("en", "Pareto chart of complaints", "Complaints"),
                                                 ("zh", "投诉问题帕累托图", "投诉数")])
def test_pareto_figure(lang, title, ylabel):
    import matplotlib.pyplot as plt
    from csi_helpers import plotting
    fig = cp.pareto_figure(cp.pareto(cp.example_log(True), by="cause"), lang=lang)
    ax, ax2 = fig.axes
    assert ax.get_title() == title and ax.get_ylabel() == ylabel
    assert [p.get_height() for p in ax.patches] == [7, 2, 1]
    assert ax.get_xlabel() == ("Cause" if lang == "en" else "原因")
    assert [t.get_text() for t in ax.get_xticklabels()][0] == cp.label("service", lang)
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), [0.7, 0.9, 1.0])
    assert ax.patches[0].get_facecolor()[:3] == pytest.approx(
        plt.matplotlib.colors.to_rgb(plotting.PALETTE["primary"]))
    plt.close(fig)


def test_planted_vital_few_are_recovered():
    rng = np.random.default_rng(7)
    cats = ["送货延迟", "安装问题", "产品故障"] + [f"其他{i}" for i in range(6)]
    p = np.array([0.40, 0.25, 0.17] + [0.03] * 6)
    log = make_log(list(rng.choice(cats, size=5000, p=p)))
    t = cp.pareto(log)
    assert t.index[t["vital_few"]].tolist() == cats[:3]
    assert t["cum_share"].iloc[2] == pytest.approx(0.82, abs=0.02)


# ---------------------------------------------------------------------------- standard
def test_standard_by_cause_by_hand():
    log = cp.example_log(True)
    before = log.copy()
    t = cp.standard(log)
    pd.testing.assert_frame_equal(log, before)
    assert t.index.tolist() == ["expectation_gap", "product_quality", "service", "total"]
    tot = t.loc["total"]
    assert tot[["complaints", "answered", "within_standard", "resolved"]].tolist() == [10, 8, 6, 7]
    assert tot["within_standard_share"] == 0.6 and tot["resolved_share"] == 0.7
    # answered: 1, 2, 3, 5, 10, 20, 30, 48 -> median 7.5; p90 at position 6.3: 30 + 0.3 * 18
    assert tot["response_median_h"] == 7.5 and tot["response_p90_h"] == pytest.approx(35.4)
    assert tot["resolution_median_h"] == 24.0                 # 4, 10, 20, 24, 30, 60, 72
    assert tot["followed_up_share"] == pytest.approx(5 / 7) and tot["followed_up_unknown"] == 3
    svc = t.loc["service"]                                     # 送货延迟 + 安装问题
    assert (svc["complaints"], svc["answered"], svc["within_standard"]) == (7, 6, 5)
    assert svc["response_p90_h"] == pytest.approx(25.0)        # 1, 2, 5, 10, 20, 30
    pq = t.loc["product_quality"]                              # C04 (never), C08 (3 h)
    assert pq["within_standard_share"] == 0.5 and np.isnan(pq["followed_up_share"])
    assert pq["followed_up_unknown"] == 2
    assert cp.verdict(t) == "60% answered within 24 hours (standard: all; 4 of 10 missed)"
    assert cp.verdict(t, "zh") == "60%的投诉在24小时内得到答复（标准：全部；10件中4件未达标）"


def test_standard_edges():
    # exactly at the standard counts as within; a cause without complaints gets zeros
    t = cp.standard(make_log(["a", "b"], response=[24, 24.5], cause=["service", "service"]))
    assert t.loc["total", "within_standard"] == 1
    assert t.loc["expectation_gap", "complaints"] == 0
    assert np.isnan(t.loc["expectation_gap", "within_standard_share"])
    # unclassified log: total only; no follow-up column: all unknown; never answered
    t = cp.standard(make_log(["a", "b", "c"]), hours=48)
    assert t.index.tolist() == ["total"] and t.loc["total", "answered"] == 0
    assert t.loc["total", "within_standard_share"] == 0
    assert np.isnan(t.loc["total", "response_median_h"])
    assert t.loc["total", "followed_up_unknown"] == 3
    assert cp.verdict(t) == "0% answered within 48 hours (standard: all; 3 of 3 missed)"
    empty = cp.standard(make_log([]))
    assert empty.loc["total", "complaints"] == 0 and cp.verdict(empty, "zh") == "未记录投诉"
    assert cp.standard(cp.example_log(), hours=2).loc["total", "within_standard"] == 2
    with pytest.raises(CSIInputError, match="complaints.response_hours=0"):
        cp.standard(cp.example_log(), hours=0)


def test_planted_response_standard():
    rng = np.random.default_rng(3)
    n = 4000
    kind = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])        # fast, late, never answered
    hours = np.where(kind == 0, rng.uniform(0, 23, n), rng.uniform(30, 90, n))
    hours[kind == 2] = np.nan
    t = cp.standard(make_log(["a"] * n, response_hours=hours))
    assert t.loc["total", "within_standard_share"] == pytest.approx(0.7, abs=0.02)
    assert t.loc["total", "answered"] == (kind != 2).sum()


# ---------------------------------------------------------------------------- complainers
CUSTOMERS = [f"K{i}" for i in range(1, 10)]


def test_complainers_vs_others_by_hand():
    log = cp.example_log()
    before = log.copy()
    sat = pd.Series({"K1": 60.0, "K2": 80, "K3": 50, "K8": 85, "K9": 75, "X": 10})
    ret = pd.Series({"K1": True, "K2": False, "K8": True, "K9": True, "K5": None})
    r = cp.complainers_vs_others(log, pd.DataFrame({"customer_id": CUSTOMERS}), sat, ret)
    pd.testing.assert_frame_equal(log, before)
    assert (r.customers, r.complainers) == (9, 7)
    s = r.table.loc["satisfaction"]
    assert s["complainers"] == pytest.approx(190 / 3) and s["others"] == 80
    assert s["difference"] == pytest.approx(190 / 3 - 80)
    assert s["p"] == pytest.approx(stats.ttest_ind([60, 80, 50], [85, 75], equal_var=False).pvalue)
    assert (s["n_complainers"], s["n_others"], s["test"]) == (3, 2, "welch_t")
    rr = r.table.loc["retention"]
    assert (rr["complainers"], rr["others"], rr["difference"]) == (0.5, 1.0, -0.5)
    assert rr["test"] == "fisher_exact" and rr["p"] == pytest.approx(1.0)
    assert "2 anonymous complaint(s) left out of this comparison" in r.notes
    assert "satisfaction: 1 value(s) for ids not among the customers ignored" in r.notes
    assert "satisfaction: 5 of 9 customers linked" in r.notes
    assert "retained: 4 of 9 customers linked" in r.notes
    # recovery: K1 (C01 20 h, C05 4 h) resolved within 24 h; K2 (30 h) and K3 (never) not
    rec = r.recovery.loc["satisfaction"]
    assert (rec["recovered"], rec["not_recovered"], rec["n_recovered"]) == (60, 65, 1)
    assert np.isnan(rec["p"])
    assert "Complainers vs others: 7 of 9 customers complained" in repr(r)


def test_two_proportion_z_test_by_hand():
    ids = [f"c{i}" for i in range(100)]
    log = make_log(["a"] * 40, ids=ids[:40])
    retained = pd.Series([True] * 20 + [False] * 20 + [True] * 45 + [False] * 15, index=ids)
    r = cp.complainers_vs_others(log, ids, retained=retained)
    row = r.table.loc["retention"]
    pool = 65 / 100
    z = (0.5 - 0.75) / np.sqrt(pool * (1 - pool) * (1 / 40 + 1 / 60))
    assert row["test"] == "two_proportion_z"
    assert row["p"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert (row["n_complainers"], row["n_others"]) == (40, 60)
    assert r.table.index.tolist() == ["retention"]
    assert "satisfaction: not given, left out" in r.notes and r.recovery.empty


def test_missing_measures_and_unknown_ids():
    log = cp.example_log()
    # customers given: only complainers -> no "others" group, the measure is left out
    with pytest.warns(CSIWarning, match="3 complaint\\(s\\) from customer ids not among the "
                                        "customers left out \\(complaint\\(s\\) C07, C08, C10\\)"):
        r = cp.complainers_vs_others(log, pd.Index(["K1", "K2", "K3", "K4"]),
                                     satisfaction=pd.Series({"K2": 70.0, "K3": 60}))
    assert r.table.empty
    assert "satisfaction: no data for the other customers, left out" in r.notes
    assert any(n.startswith("recovery: needs satisfaction") for n in r.notes)   # K2, K3 not
    assert r.recovery.empty
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = cp.complainers_vs_others(log, CUSTOMERS, satisfaction=pd.Series(dtype=float))
    assert "satisfaction: no data for any customer, left out" in r.notes
    r = cp.complainers_vs_others(log, CUSTOMERS, satisfaction=pd.Series({"K8": 70.0}))
    assert "satisfaction: no data for complainers, left out" in r.notes


def test_complainers_errors_name_the_fix():
    log = cp.example_log()
    with pytest.raises(CSIInputError,
                       match="satisfaction: 120.0 for customer\\(s\\) K1; use scores 0-100"):
        cp.complainers_vs_others(log, CUSTOMERS, satisfaction=pd.Series({"K1": 120.0}))
    with pytest.raises(CSIInputError, match="retained: 'yes' for customer\\(s\\) K1; use True"):
        cp.complainers_vs_others(log, CUSTOMERS, retained=pd.Series({"K1": "yes"}))
    with pytest.raises(CSIInputError, match="satisfaction: customer id\\(s\\) K1 appear more"):
        cp.complainers_vs_others(log, CUSTOMERS,
                                 satisfaction=pd.Series([1.0, 2], index=["K1", "K1"]))
    with pytest.raises(CSIInputError, match="no customer_id column"):
        cp.complainers_vs_others(log.drop(columns="customer_id"), CUSTOMERS)
    with pytest.raises(CSIInputError, match="no customer ids given"):
        cp.complainers_vs_others(log, [])


def test_numeric_customer_ids_link_to_text_ids():
    log = make_log(["a", "b"], ids=[101.0, np.nan])           # a float column with a gap
    r = cp.complainers_vs_others(log, [101, 102, 103],
                                 satisfaction=pd.Series({"101": 40.0, "102": 80, "103": 90}))
    assert r.complainers == 1 and r.table.loc["satisfaction", "complainers"] == 40


def test_planted_complainer_effect_and_recovery():
    rng = np.random.default_rng(11)
    n = 2000
    ids = [f"k{i:04d}" for i in range(n)]
    complained = rng.random(n) < 0.3
    recovered = complained & (rng.random(n) < 0.5)
    sat = 75 - 12 * complained + 8 * recovered + rng.normal(0, 8, n)
    ret = rng.random(n) < np.where(complained, 0.6, 0.8)
    who = np.array(ids)[complained]
    res_h = np.where(recovered[complained], rng.uniform(1, 23, len(who)),
                     rng.uniform(30, 200, len(who)))
    log = make_log(["a"] * len(who), ids=who, resolution_hours=res_h)
    r = cp.complainers_vs_others(log, ids, pd.Series(np.clip(sat, 0, 100), index=ids),
                                 pd.Series(ret, index=ids))
    assert r.table.loc["satisfaction", "difference"] == pytest.approx(-8, abs=1.5)
    assert r.table.loc["satisfaction", "p"] < 1e-6
    assert r.table.loc["retention", "difference"] == pytest.approx(-0.2, abs=0.06)
    assert r.table.loc["retention", "test"] == "two_proportion_z"
    assert r.recovery.loc["satisfaction", "difference"] == pytest.approx(8, abs=2)
    assert r.recovery.loc["satisfaction", "p"] < 1e-6


# ---------------------------------------------------------------------------- by month
def test_by_month_counts_and_fills_gaps():
    t = cp.by_month(cp.example_log(True))
    assert t.index.astype(str).tolist() == ["2026-03", "2026-04"]
    assert t["service"].tolist() == [5, 2] and t["total"].tolist() == [6, 4]
    log = pd.DataFrame({"received": [pd.Timestamp("2026-01-31 23:00"), pd.Timestamp("2026-04-01")],
                        "category": ["a", "b"]})
    t = cp.by_month(log)
    assert t.columns.tolist() == ["total"] and t["total"].tolist() == [1, 0, 0, 1]
    empty = cp.by_month(make_log([]))
    assert empty.empty and empty.columns.tolist() == ["total"]


@pytest.mark.parametrize("lang, title, xlabel", [("en", "Complaints per month by cause", "Month"),
                                                 ("zh", "各月投诉数（按原因）", "月份")])
def test_by_month_figure(lang, title, xlabel):
    import matplotlib.pyplot as plt
    fig = cp.by_month_figure(cp.by_month(cp.example_log(True)), lang=lang)
    ax = fig.axes[0]
    assert ax.get_title() == title and ax.get_xlabel() == xlabel
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [cp.label(c, lang) for c in cp.CAUSES]
    assert sum(p.get_height() for p in ax.patches) == 10
    plt.close(fig)
