"""Tests for csi_helpers.customers.value_rating on small hand-computable periods."""
from __future__ import annotations

import copy
import math
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from csi_helpers.customers import value_rating as vr  # noqa: E402
from csi_helpers.errors import CSIInputError, CSIWarning  # noqa: E402


def frame(**cols):
    n = len(next(iter(cols.values())))
    return pd.DataFrame(cols, index=pd.Index([f"c{i}" for i in range(1, n + 1)],
                                             name="customer_id"))


def quiet_rate(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        return vr.rate(*args, **kw)


FIVE = {
    "dimensions": {
        "integrity": {"column": "payment_on_time", "scale": [0, 1]},
        "cooperation": {"column": "cooperation", "scale": [1, 5]},
        "dependence": {"column": "share_of_wallet", "scale": [0, 1]},
        "growth": {"column": "growth", "points": [[0, 0], [0.1, 50], ["inf", 100]]},
        "contribution": {"column": "revenue"},
    },
    "weights": {"integrity": 0.2, "cooperation": 0.2, "dependence": 0.2, "growth": 0.2,
                "contribution": 0.2},
    "tiers": {"A": 80, "B": 60, "C": 40, "D": 0},
    "standards": {"A": {"service": {"en": "Key-account manager; quarterly review",
                                    "zh": "大客户经理；每季度回顾"},
                        "reward": {"en": "3% annual rebate", "zh": "年度返利3%"}},
                  "D": {"service": "Message group"}},
}


def five_frame():
    return frame(payment_on_time=[1.0, 0.75, 0.5, 0.25], cooperation=[5, 4, 3, 1],
                 share_of_wallet=[0.9, 0.6, 0.5, 0.0], growth=[0.2, 0.1, 0.0, -0.3],
                 revenue=[1000.0, 500.0, 200.0, 10.0])


# ---------------------------------------------------------------------------- scorings
def test_percentile_mid_rank_with_ties_and_direction():
    f = frame(x=[10, 20, 20, 40])
    up = quiet_rate(f, {"dimensions": {"growth": "x"}, "tiers": {"A": 0}})
    assert up.scores["growth"].tolist() == [12.5, 50.0, 50.0, 87.5]     # ranks 1, 2.5, 2.5, 4
    down = quiet_rate(f, {"dimensions": {"growth": {"column": "x", "higher_is_better": False}},
                          "tiers": {"A": 0}})
    assert down.scores["growth"].tolist() == [87.5, 50.0, 50.0, 12.5]
    one = quiet_rate(frame(x=[3.0]), {"dimensions": {"growth": "x"}, "tiers": {"A": 0}})
    assert one.scores["growth"].tolist() == [50.0]


def test_percentile_ranks_only_customers_with_a_value():
    f = frame(x=[1.0, None, 3.0])
    r = quiet_rate(f, {"dimensions": {"growth": "x"}, "min_dimensions": 1, "tiers": {"A": 0}})
    assert r.scores["growth"].tolist()[0] == 25.0 and r.scores["growth"].tolist()[2] == 75.0
    assert math.isnan(r.scores["growth"]["c2"])


def test_scale_points_raw():
    f = frame(c=[1, 2, 5], od=[0, 30, 31], s=[0, 55.5, 100])
    spec = {"dimensions": {
        "cooperation": {"column": "c", "scale": [1, 5]},
        "integrity": {"column": "od", "points": [[0, 100], [30, 60], [90, 20], [math.inf, 0]]},
        "contribution": {"column": "s", "scoring": "raw", "higher_is_better": False}},
        "tiers": {"A": 0}}
    r = vr.rate(f, spec)
    assert r.scores["cooperation"].tolist() == [0.0, 25.0, 100.0]
    assert r.scores["integrity"].tolist() == [100.0, 60.0, 20.0]       # 31 > 30 -> 20
    assert r.scores["contribution"].tolist() == [100.0, 44.5, 0.0]
    big = vr.rate(frame(od=[91, 10_000]), {"dimensions": {"integrity": {
        "column": "od", "points": [[0, 100], [90, 20], [".inf", 0]]}}, "tiers": {"A": 0}})
    assert big.scores["integrity"].tolist() == [0.0, 0.0]
    rev = vr.rate(frame(c=[1, 5]), {"dimensions": {"cooperation": {
        "column": "c", "scale": [1, 5], "higher_is_better": False}}, "tiers": {"A": 0}})
    assert rev.scores["cooperation"].tolist() == [100.0, 0.0]


# ---------------------------------------------------------------------------- totals, tiers
def test_five_dimension_total_tier_and_summary_by_hand():
    r = vr.rate(five_frame(), FIVE, period="2025H1")
    s = r.scores
    # c1: 100, 100, 90, 100 (0.2 > 0.1), 87.5 -> 95.5
    # c2: 75, 75, 60, 50 (0.1 <= 0.1), 62.5 -> 64.5
    # c3: 50, 50, 50, 0 (0 <= 0), 37.5 -> 37.5
    # c4: 25, 0, 0, 0, 12.5 -> 7.5
    assert s["total"].round(6).tolist() == [95.5, 64.5, 37.5, 7.5]
    assert s["tier"].tolist() == ["A", "B", "D", "D"]
    assert s["dimensions"].tolist() == [5, 5, 5, 5]
    assert (s["period"] == "2025H1").all()
    assert list(s.columns) == list(vr.DIMENSIONS) + ["total", "tier", "dimensions", "period"]
    assert s.index.name == "customer_id"
    sm = r.summary
    assert sm.index.tolist() == ["A", "B", "C", "D"]
    assert sm["customers"].tolist() == [1, 1, 0, 2]
    assert sm["share"].tolist() == [0.25, 0.25, 0.0, 0.5]
    assert sm.loc["D", "mean_integrity"] == 37.5
    assert sm.loc["D", "mean_total"] == pytest.approx(22.5)
    assert math.isnan(sm.loc["C", "mean_total"])
    assert sm.loc["A", "service"] == "Key-account manager; quarterly review"
    assert sm.loc["A", "reward"] == "3% annual rebate"
    assert sm.loc["D", "service"] == "Message group" and sm.loc["B", "service"] == ""
    assert r.weights == FIVE["weights"] and r.tiers == {"A": 80, "B": 60, "C": 40, "D": 0}
    zh = vr.rate(five_frame(), FIVE, lang="zh").summary
    assert zh.loc["A", "service"] == "大客户经理；每季度回顾" and zh.loc["A", "reward"] == "年度返利3%"
    assert zh.loc["D", "service"] == "Message group"
    assert "4 customers" in repr(r) and "<pre>" in r._repr_html_()


def test_cut_off_is_inclusive_with_float_slack():
    # 0.7 * 100 + 0.1 * 100 + 0.2 * 0 -> 80 computed in floating point
    f = frame(a=[5, 1], b=[5, 1], c=[1, 1])
    spec = {"dimensions": {"cooperation": {"column": "a", "scale": [1, 5]},
                           "integrity": {"column": "b", "scale": [1, 5]},
                           "growth": {"column": "c", "scale": [1, 5]}},
            "weights": {"cooperation": 0.7, "integrity": 0.1, "growth": 0.2},
            "tiers": {"A": 80, "B": 0}}
    r = vr.rate(f, spec)
    assert r.scores["total"]["c1"] == pytest.approx(80)
    assert r.tier.tolist() == ["A", "B"]


def test_equal_weights_by_default():
    r = vr.rate(frame(a=[1, 5], b=[5, 5]), {"dimensions": {
        "cooperation": {"column": "a", "scale": [1, 5]},
        "integrity": {"column": "b", "scale": [1, 5]}}, "tiers": {"A": 0}})
    assert r.weights == {"cooperation": 0.5, "integrity": 0.5}
    assert r.scores["total"].tolist() == [50.0, 100.0]


def test_missing_dimension_weight_is_re_spread_and_counted():
    f = five_frame()
    f.loc["c2", "growth"] = np.nan
    f.loc["c3", ["growth", "revenue", "cooperation"]] = np.nan
    with pytest.warns(CSIWarning) as caught:
        r = vr.rate(f, FIVE)
    msgs = [str(w.message) for w in caught]
    assert any("1 customer(s) lack a score on some dimension (growth 1)" in m for m in msgs)
    assert any("1 customer(s) have fewer than 3 of 5 dimensions and get no tier (c3)" in m
               and "value_rating.min_dimensions" in m for m in msgs)
    s = r.scores
    # revenue percentile among c1, c2, c4: 83.33, 50, 16.67; c2 without growth:
    # (75 + 75 + 60 + 50) / 4 = 65
    assert s.loc["c2", "contribution"] == pytest.approx(50.0)
    assert s.loc["c2", "total"] == pytest.approx(65.0)
    assert s.loc["c2", "dimensions"] == 4
    assert math.isnan(s.loc["c3", "total"]) and pd.isna(s.loc["c3", "tier"])
    assert r.summary.index.tolist() == ["A", "B", "C", "D", "unrated"]
    assert r.summary.loc["unrated", "customers"] == 1
    assert r.summary["share"].sum() == pytest.approx(1.0)


def test_unequal_weights_re_spread_in_proportion():
    f = frame(a=[5], b=[1], c=[None])
    spec = {"dimensions": {"cooperation": {"column": "a", "scale": [1, 5]},
                           "integrity": {"column": "b", "scale": [1, 5]},
                           "growth": {"column": "c", "scale": [1, 5]}},
            "weights": {"cooperation": 0.6, "integrity": 0.2, "growth": 0.2},
            "min_dimensions": 2, "tiers": {"A": 0}}
    r = quiet_rate(f, spec)
    assert r.scores["total"].iloc[0] == pytest.approx(75.0)       # 0.6*100 / 0.8


def test_all_missing_column_gives_no_tier_to_anyone():
    f = frame(a=[None, None], b=[1, 2])
    spec = {"dimensions": {"cooperation": {"column": "a", "scale": [1, 5]},
                           "integrity": {"column": "b", "scale": [1, 5]}},
            "tiers": {"A": 0}}
    with pytest.warns(CSIWarning, match="2 customer\\(s\\) have fewer than 2 of 2"):
        r = vr.rate(f, spec)
    assert r.scores["tier"].isna().all()
    assert r.summary.loc["unrated", "share"] == 1.0


def test_infinite_values_count_as_missing_with_a_warning():
    f = frame(g=[0.1, np.inf, 0.3], c=[3, 3, 3])
    spec = {"dimensions": {"growth": "g", "cooperation": {"column": "c", "scale": [1, 5]}},
            "min_dimensions": 1, "tiers": {"A": 0}}
    with pytest.warns(CSIWarning) as caught:
        r = vr.rate(f, spec)
    msgs = [str(w.message) for w in caught]
    assert any("column 'g' has 1 infinite value(s) (customer(s) c2" in m for m in msgs)
    assert any("1 customer(s) lack a score on some dimension (growth 1)" in m for m in msgs)
    assert math.isnan(r.scores.loc["c2", "growth"])
    assert r.scores.loc["c2", "total"] == 50.0


def test_customer_id_column_blank_cells_and_inputs_untouched():
    f = pd.DataFrame({"customer_id": [" a", "b"], "g": ["1", ""], "c": [5, 1]})
    spec = {"value_rating": {"dimensions": {"growth": "g",
                                            "cooperation": {"column": "c", "scale": [1, 5]}},
                             "min_dimensions": 1, "tiers": {"A": 50, "B": 0}}}
    before_f, before_spec = f.copy(), copy.deepcopy(spec)
    r = quiet_rate(f, spec)
    assert r.scores.index.tolist() == ["a", "b"]
    assert r.scores["tier"].tolist() == ["A", "B"]
    pd.testing.assert_frame_equal(f, before_f)
    assert spec == before_spec
    f2 = five_frame()
    keep = f2.copy()
    vr.rate(f2, FIVE)
    pd.testing.assert_frame_equal(f2, keep)


# ---------------------------------------------------------------------------- errors
def test_bad_data_errors_name_the_column():
    spec = {"dimensions": {"cooperation": {"column": "c", "scale": [1, 5]}}, "tiers": {"A": 0}}
    with pytest.raises(CSIInputError, match=r"value_rating.dimensions.cooperation: column 'c' "
                       r"has 1 value\(s\) outside \[1, 5\] \(e.g. 6, customer\(s\) c2\)"):
        vr.rate(frame(c=[1, 6]), spec)
    with pytest.raises(CSIInputError, match=r"column 'c' has 1 value\(s\) that are not numbers "
                       r"\(e.g. 'n/a', customer\(s\) c1\)"):
        vr.rate(frame(c=["n/a", 2]), spec)
    raw = {"dimensions": {"growth": {"column": "c", "scoring": "raw"}}, "tiers": {"A": 0}}
    with pytest.raises(CSIInputError, match=r"outside \[0, 100\].*percentile, scale or points"):
        vr.rate(frame(c=[120]), raw)
    with pytest.raises(CSIInputError, match="no customers"):
        vr.rate(frame(c=[1])[0:0], spec)
    dup = frame(c=[1, 2])
    dup.index = pd.Index(["x", "x"], name="customer_id")
    with pytest.raises(CSIInputError, match="customer_id x occurs more than once"):
        vr.rate(dup, spec)
    with pytest.raises(CSIInputError, match="not a DataFrame"):
        vr.rate([1, 2], spec)
    with pytest.raises(CSIInputError, match="lang='fr'"):
        vr.rate(frame(c=[1]), spec, lang="fr")
    with pytest.raises(CSIInputError, match=r"value_rating.dimensions.cooperation.column: 'cc' "
                       r"is not a column of the period table \(did you mean 'c'\?\)"):
        vr.rate(frame(c=[1]), {"dimensions": {"cooperation": {"column": "cc", "scale": [1, 5]}}})


@pytest.mark.parametrize("spec, expected", [
    ({"dimensions": {"growth": "g"}, "weights": {"growth": 0.9}},
     "value_rating.weights: sum to 0.9, not 1"),
    ({"dimensions": {"growht": "g"}}, "value_rating.dimensions.growht: unknown dimension "
                                      "(did you mean 'growth'?)"),
    ({"dimensions": {"growth": {"colum": "g"}}}, "value_rating.dimensions.growth.colum: unknown "
                                                "key (did you mean 'column'?)"),
    ({"dimensions": {"growth": {}}}, "value_rating.dimensions.growth.column: missing"),
    ({"dimensions": {"growth": "g"}, "scoring": "scale"},
     "value_rating.dimensions.growth.scale: missing (the scoring is scale)"),
    ({"dimensions": {"growth": {"column": "g", "scale": [5, 1]}}},
     "value_rating.dimensions.growth.scale: [5, 1] is not [min, max]"),
    ({"dimensions": {"growth": {"column": "g", "scoring": "raw", "scale": [1, 5]}}},
     "value_rating.dimensions.growth.scoring: raw contradicts the scale given"),
    ({"dimensions": {"growth": {"column": "g", "points": [[0, 100], [30, 60]]}}},
     "value_rating.dimensions.growth.points: the last threshold is 30"),
    ({"dimensions": {"growth": {"column": "g", "points": [[30, 100], [0, 60], ["inf", 0]]}}},
     "value_rating.dimensions.growth.points[1]: threshold 0 does not rise above 30"),
    ({"dimensions": {"growth": {"column": "g", "points": [[0, 120], ["inf", 0]]}}},
     "value_rating.dimensions.growth.points[0]: points 120 are outside 0..100"),
    ({"dimensions": {"growth": {"column": "g", "points": [["inf", 0]],
                                "higher_is_better": False}}},
     "value_rating.dimensions.growth.higher_is_better: not used with points"),
    ({"dimensions": {"growth": {"column": "g", "higher_is_better": "yes"}}},
     "value_rating.dimensions.growth.higher_is_better: 'yes' is not true or false"),
    ({"dimensions": {"growth": "g"}, "scoring": "rank"}, "value_rating.scoring: 'rank'"),
    ({"dimensions": {"growth": "g"}, "tiers": {"A": 60, "B": 80, "C": 0}},
     "value_rating.tiers.B: cut-off 80 is not below the tier above (60)"),
    ({"dimensions": {"growth": "g"}, "tiers": {"A": 80, "B": 40}},
     "value_rating.tiers: the lowest tier starts at 40"),
    ({"dimensions": {"growth": "g"}, "tiers": {"A": 120, "B": 0}},
     "value_rating.tiers.A: 120 is not a cut-off from 0 to 100"),
    ({"dimensions": {"growth": "g"}, "tiers": {"new": 50, "B": 0}},
     "value_rating.tiers.new: 'new' is reserved"),
    ({"dimensions": {"growth": "g"}, "weights": {"growth": 0, "integrity": 1}},
     "value_rating.weights.growth: 0 is not a positive number"),
    ({"dimensions": {"growth": "g", "integrity": "i"}, "weights": {"growth": 1}},
     "value_rating.weights.integrity: missing"),
    ({"dimensions": {"growth": "g"}, "min_dimensions": 3},
     "value_rating.min_dimensions: 3 is not a whole number from 1 to the 1 rated"),
    ({"dimensions": {"growth": "g"}, "standards": {"Z": {"service": "x"}}},
     "value_rating.standards.Z: no such tier"),
    ({"dimensions": {"growth": "g"}, "standards": {"A": {"servce": "x"}}},
     "value_rating.standards.A.servce: unknown key (did you mean 'service'?)"),
    ({"dimensions": {"growth": "g"}, "standards": {"A": {"reward": {"fr": "x"}}}},
     "value_rating.standards.A.reward: {'fr': 'x'} is not text"),
    ({"dimensions": {"growth": "g"}, "tier": {"A": 0}},
     "value_rating.tier: unknown key (did you mean 'tiers'?)"),
    ({}, "value_rating.dimensions: missing or empty"),
    ("growth", "value_rating: str is not a mapping"),
])
def test_spec_errors_name_the_key(spec, expected):
    problems = vr.check_spec(spec)
    assert any(p.startswith(expected) for p in problems), problems
    assert all("\n" not in p for p in problems)
    with pytest.raises(CSIInputError, match="value_rating"):
        vr.rate(frame(g=[1.0], i=[1.0]), spec)


def test_check_spec_lists_every_problem_at_once_and_accepts_a_good_spec():
    bad = {"dimensions": {"growth": {"column": "growht"}, "intgrity": "paid"},
           "weights": {"growth": 0.5}, "tiers": {"A": 50, "B": 60}}
    problems = vr.check_spec(bad, columns=["growth", "paid"])
    assert len(problems) == 4
    assert [p.split(":")[0] for p in problems] == [
        "value_rating.dimensions.growth.column", "value_rating.dimensions.intgrity",
        "value_rating.weights", "value_rating.tiers.B"]
    assert vr.check_spec(FIVE, columns=five_frame().columns) == []
    assert vr.check_spec({"value_rating": FIVE}) == []
    with pytest.raises(CSIInputError) as exc:
        vr.rate(frame(growth=[1.0], paid=[1.0]), bad)
    assert len(exc.value.problems) == 4


# ---------------------------------------------------------------------------- migration
SPEC2 = {"dimensions": {"cooperation": {"column": "c", "scale": [0, 100]}},
         "tiers": {"A": 70, "B": 40, "C": 0}}


def two_periods():
    one = vr.rate(pd.DataFrame({"c": [80, 50, 10, 75, 45, 20]},
                               index=["a", "b", "c", "d", "e", "f"]), SPEC2, period="2024")
    two = vr.rate(pd.DataFrame({"c": [90, 80, 50, 10, 45, 90]},
                               index=["a", "b", "c", "d", "e", "g"]), SPEC2, period="2025")
    return one, two


def test_migration_matrix_moves_summary_by_hand():
    m = vr.migration(*two_periods())
    # a: A->A same; b: B->A up; c: C->B up; d: A->C down (2 steps); e: B->B same;
    # f: C->gone; g: new->A
    assert m.moves["direction"].to_dict() == {"a": "same", "b": "up", "c": "up", "d": "down",
                                              "e": "same", "f": "gone", "g": "new"}
    assert m.moves["steps"].tolist()[:5] == [0, 1, 1, -2, 0]
    assert pd.isna(m.moves.loc["f", "steps"])
    assert m.moves.loc["g", "before"] == "new" and m.moves.loc["f", "after"] == "gone"
    assert m.matrix.index.tolist() == ["A", "B", "C", "new"]
    assert m.matrix.columns.tolist() == ["A", "B", "C", "gone"]
    assert m.matrix.to_numpy().tolist() == [[1, 0, 1, 0], [1, 1, 0, 0], [0, 1, 0, 1],
                                            [1, 0, 0, 0]]
    assert m.shares.loc["A"].tolist() == [0.5, 0.0, 0.5, 0.0]
    assert m.shares.loc["new", "A"] == 1.0
    s = m.summary
    assert s["customers"].to_dict() == {"up": 2, "down": 1, "same": 2, "new": 1, "gone": 1,
                                        "unrated": 0}
    assert s.loc["up", "share"] == pytest.approx(2 / 7)
    assert s.loc["up", "share_rated"] == pytest.approx(0.4)
    assert math.isnan(s.loc["new", "share_rated"])
    assert m.text() == ("40% moved up, 20% moved down, 40% stayed in their tier (of 5 customers "
                        "rated in both periods); 1 new, 1 gone")
    assert m.text("zh") == "两期均有评级的5位客户中，40%升级，20%降级，40%保持原层级；新增1位，流失1位"
    assert "2024 -> 2025" in repr(m)


def test_migration_empty_row_and_unrated_state():
    spec = {"dimensions": {"cooperation": {"column": "c", "scale": [0, 100]},
                           "integrity": {"column": "i", "scale": [0, 100]}},
            "min_dimensions": 2, "tiers": {"A": 70, "B": 40, "C": 0}}
    one = quiet_rate(pd.DataFrame({"c": [80, 80], "i": [80, None]}, index=["a", "b"]), spec)
    two = quiet_rate(pd.DataFrame({"c": [10, 80], "i": [10, 80]}, index=["a", "b"]), spec)
    m = vr.migration(one, two)
    assert m.matrix.index.tolist() == ["A", "B", "C", "unrated", "new"]
    assert m.matrix.loc["unrated", "A"] == 1
    assert m.moves.loc["b", "direction"] == "unrated"
    assert m.shares.loc["B"].isna().all()                 # no customer was B before
    assert m.text() == ("0% moved up, 100% moved down, 0% stayed in their tier (of 1 customers "
                        "rated in both periods); 0 new, 0 gone, 1 without a tier in one period")
    assert m.text("zh").endswith("，1位在其中一期未评级")


def test_migration_without_overlap_and_errors():
    spec = {"dimensions": {"growth": "g"}, "tiers": {"A": 50, "B": 0}}
    one = vr.rate(pd.DataFrame({"g": [1]}, index=["a"]), spec)
    two = vr.rate(pd.DataFrame({"g": [1]}, index=["b"]), spec)
    m = vr.migration(one, two)
    assert m.text() == "No customer was rated in both periods; 1 new, 1 gone"
    assert m.summary["share_rated"].isna().all()
    other = vr.rate(pd.DataFrame({"g": [1]}, index=["a"]),
                    {"dimensions": {"growth": "g"}, "tiers": {"A": 50, "B": 20, "C": 0}})
    with pytest.raises(CSIInputError, match="different tiers.*same value_rating.tiers"):
        vr.migration(one, other)
    with pytest.raises(CSIInputError, match="rating_after is a DataFrame"):
        vr.migration(one, two.scores)
    moved = vr.rate(pd.DataFrame({"g": [1]}, index=["a"]),
                    {"dimensions": {"growth": "g"}, "tiers": {"A": 40, "B": 0}})
    with pytest.warns(CSIWarning, match="cut-offs differ"):
        vr.migration(one, moved)


def test_planted_improvers_move_up():
    rng = np.random.default_rng(20250101)
    n = 300
    ids = [f"k{i:03d}" for i in range(n)]

    def period(revenue, growth):
        return pd.DataFrame({
            "payment_on_time": np.clip(base_pay + rng.normal(0, 0.01, n), 0, 1),
            "cooperation": base_coop, "share_of_wallet": base_sow,
            "growth": growth, "revenue": revenue}, index=pd.Index(ids, name="customer_id"))

    base_pay = rng.uniform(0.5, 1.0, n)
    base_coop = rng.integers(1, 6, n)
    base_sow = rng.uniform(0, 1, n)
    rev1 = rng.lognormal(8, 1, n)
    g1 = rng.normal(0.02, 0.05, n)
    spec = copy.deepcopy(FIVE)
    spec["dimensions"]["growth"] = {"column": "growth"}          # percentile
    spec["dimensions"]["integrity"] = {"column": "payment_on_time"}
    one = vr.rate(period(rev1, g1), spec, period="P1")
    # plant: 20 customers of tier C with contribution and growth below the 40th percentile
    # whose revenue jumps eightfold (growth +700%): +20 points at least, so up one tier
    s1 = one.scores
    low = s1.index[(s1["tier"] == "C") & (s1["contribution"] < 40) & (s1["growth"] < 40)]
    planted = set(rng.choice(low, 20, replace=False))
    jump = np.array([i in planted for i in ids])
    rev2 = rev1 * np.where(jump, 8.0, 1 + rng.normal(0, 0.02, n))
    g2 = np.where(jump, 7.0, g1 + rng.normal(0, 0.005, n))
    two = vr.rate(period(rev2, g2), spec, period="P2")
    m = vr.migration(one, two)
    up = set(m.moves.index[m.moves["direction"] == "up"])
    assert up == planted                                 # exactly them, nobody else
    assert m.matrix.loc["C", ["A", "B"]].sum() == len(planted)    # all up from C
    assert m.summary.loc["up", "customers"] == len(up)
    assert (m.moves.loc[sorted(planted), "steps"] >= 1).all()


# ---------------------------------------------------------------------------- figure, tables
def test_migration_figure_both_languages():
    import matplotlib.pyplot as plt

    m = vr.migration(*two_periods())
    fig = vr.migration_figure(m)
    ax = fig.axes[0]
    assert ax.get_title() == "Tier migration 2024 → 2025: share of each earlier tier (count)"
    assert ax.get_xlabel() == "Tier in the later period (2025)"
    assert ax.get_ylabel() == "Tier in the earlier period (2024)"
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 16 and "50%\n(1)" in texts and "100%\n(1)" in texts
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "C", "Gone"]
    plt.close(fig)
    fig = vr.migration_figure(m, "zh", title="迁移")
    ax = fig.axes[0]
    assert ax.get_title() == "迁移" and ax.get_xlabel() == "本期层级 (2025)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C", "新增"]
    plt.close(fig)


def test_standards_table_and_labels():
    en = vr.standards_table(FIVE)
    assert en.index.tolist() == ["A", "B", "C", "D"]
    assert en.loc["A", "service"] == "Key-account manager; quarterly review"
    assert en.loc["A", "min_score"] == 80 and en.loc["C", "reward"] == ""
    zh = vr.standards_table(FIVE, "zh")
    assert zh.loc["A", "reward"] == "年度返利3%"
    only_zh = {"dimensions": {"growth": "g"}, "tiers": {"A": 0},
               "standards": {"A": {"service": {"zh": "专属经理"}}}}
    assert vr.standards_table(only_zh, "en").loc["A", "service"] == "专属经理"
    with pytest.raises(CSIInputError, match="value_rating.tiers.B"):
        vr.standards_table({"dimensions": {"growth": "g"}, "tiers": {"A": 10, "B": 20}})
    assert vr.label("contribution", "zh") == "贡献度"
    assert vr.label("up", "en") == "Moved up"
    assert vr.label("B", "zh") == "B"
    assert set(vr.LABELS["en"]["codes"]) == set(vr.LABELS["zh"]["codes"])
    with pytest.raises(CSIInputError, match="lang='de'"):
        vr.label("up", "de")
