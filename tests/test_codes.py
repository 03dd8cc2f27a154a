"""The code and label columns of the per-customer tables are categoricals (codes.py) and
answer as their texts did: value counts, sorting, grouping, comparisons, the CSV text."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi_helpers import tiering
from csi_helpers.customers import codes
from csi_helpers.customers.contacts import contact_plan, plan_summary
from csi_helpers.workbook import write_csv


def test_from_codes_keeps_the_labels_that_occur_sorted_as_text():
    c = codes.from_codes(np.array([3, 0, 3, -1]), ["small", "VIP", "large", "ordinary"])
    assert c.tolist()[:3] == ["ordinary", "small", "ordinary"] and pd.isna(c[3])
    assert c.categories.tolist() == ["ordinary", "small"]
    assert c.categories.dtype == "str" and c.codes.dtype == np.int8
    with pytest.raises(ValueError):
        codes.from_codes([0], ["a", "a"])


def test_categorical_of_texts_and_as_text():
    c = codes.categorical(pd.Series(["b", None, "a", "b"], dtype="str"))
    assert c.categories.tolist() == ["a", "b"] and pd.isna(c[1])
    assert codes.as_text(pd.Series(c), fill="-").tolist() == ["b", "-", "a", "b"]


def _customers(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    ids = [f"C{i:05d}" for i in range(n)]
    cust = pd.DataFrame({"customer_id": ids,
                         "customer_type": rng.choice(["agent", "franchisee", "retail"], n,
                                                     p=[0.05, 0.6, 0.35]),
                         "cooperation": rng.integers(1, 6, n).astype(float),
                         "loyalty": rng.integers(1, 6, n).astype(float)})
    k = 12 * n
    tx = pd.DataFrame({"customer_id": rng.choice(ids[: int(n * 0.9)], k),
                       "date": pd.Timestamp("2023-06-01")
                       + pd.to_timedelta(rng.integers(0, 1200, k), unit="D"),
                       "amount": rng.gamma(1.2, 300, k).round(2)})
    tx["transaction_id"] = np.arange(k).astype(str)
    visits = pd.DataFrame({"customer_id": rng.choice(ids, 2 * n),
                           "date": pd.Timestamp("2025-06-01")
                           + pd.to_timedelta(rng.integers(0, 480, 2 * n), unit="D")})
    return cust, tx, visits


@pytest.fixture(scope="module")
def tables():
    cust, tx, visits = _customers()
    as_of = pd.Timestamp("2026-09-30")
    p = tiering.purchases(tx, as_of, cust)
    value = tiering.customer_value(p, as_of, customers=cust)
    pyr = tiering.pyramid(value["revenue"])
    t = {"abc": tiering.abc(value["revenue"]).table, "pyr": pyr.table,
         "rule": tiering.rule_abc(cust, value).table, "stages": tiering.lifecycle(value),
         "tags": tiering.tags(cust, p, visits, as_of, vip=pyr),
         "rfm": tiering.rfm(p, as_of, customers=cust)}
    quality = tiering.retention(p, value)
    t["segments"] = tiering.loyalty(value, quality["retained"])
    t["plan"] = contact_plan(t["tags"], t["rule"]["tier"], as_of, value["revenue"])
    t["value"] = value
    return t


CATEGORICAL = {"abc": ["tier"], "pyr": ["tier"], "rule": ["customer_type", "tier", "rule", "reason"],
               "stages": ["stage", "stage_zh", "care"], "segments": ["segment"],
               "tags": ["visit_tag", "buy_tag", "tag", "treatment", "contact"],
               "rfm": ["cell", "segment", "segment_zh"],
               "plan": ["tier", "tag", "contact", "channel"]}


@pytest.mark.parametrize("name", sorted(CATEGORICAL))
def test_label_columns_are_categoricals_that_answer_as_texts(tables, name):
    t = tables[name]
    for col in CATEGORICAL[name]:
        s = t[col]
        assert isinstance(s.dtype, pd.CategoricalDtype), (name, col)
        text = s.astype("str")
        cats = s.cat.categories.tolist()
        assert cats == sorted(set(text)), (name, col)            # only what occurs, sorted
        vc, vt = s.value_counts(), text.value_counts()
        assert (vc > 0).all() and vc.to_dict() == vt.to_dict()
        assert vc.tolist() == vt.tolist()                        # sorted by count alike
        assert s.sort_values(kind="stable").index.equals(text.sort_values(kind="stable").index)
        assert s.groupby(s, observed=False).size().index.tolist() == \
            text.groupby(text).size().index.tolist()
        first = cats[0]
        assert ((s == first).to_numpy() == (text == first).to_numpy()).all()
        assert (s.isin([first]).to_numpy() == text.isin([first]).to_numpy()).all()


def test_csv_text_is_that_of_the_texts(tables, tmp_path):
    for name in ("rule", "tags", "plan"):
        t = tables[name]
        as_text = t.assign(**{c: t[c].astype("str") for c in CATEGORICAL[name]})
        for rows in (len(t), 50):            # Arrow's writer (large) and pandas' (small)
            a = write_csv(t.head(rows), tmp_path / "a.csv").read_bytes()
            b = write_csv(as_text.head(rows), tmp_path / "b.csv").read_bytes()
            assert a == b, name


def test_contact_plan_orders_as_with_texts(tables):
    tags, tier = tables["tags"], tables["rule"]["tier"]
    rev = tables["value"]["revenue"]
    as_text = tags.assign(**{c: tags[c].astype("str") for c in CATEGORICAL["tags"]})
    a = contact_plan(tags, tier, "2026-09-30", rev)
    b = contact_plan(as_text, tier.astype("str"), "2026-09-30", rev)
    pd.testing.assert_frame_equal(a, b)
    assert a["contact"].astype("str").iloc[0] == "one_to_one"          # VIPs first
    order = a["contact"].astype("str").map({"one_to_one": 0, "small_batch": 1,
                                            "message_group": 2}).to_numpy()
    assert (np.diff(order) >= 0).all()
    sa = plan_summary(a)
    sb = plan_summary(a.assign(**{c: a[c].astype("str") for c in CATEGORICAL["plan"]}))
    pd.testing.assert_frame_equal(sa, sb)
    assert sa["contact"].dtype == "str"


def test_action_table_fills_a_missing_tier_with_text(tables):
    tags = tables["tags"]
    tier = tables["rule"]["tier"].iloc[: len(tags) // 2]           # half the customers untiered
    out = tiering.action_table(tier, tags, tables["value"]["revenue"])
    assert "-" in set(out["tier"]) and out["tier"].dtype == "str"
    assert out["customers"].sum() == len(tags)
    text = tiering.action_table(tier.astype("str"),
                                tags.assign(**{c: tags[c].astype("str")
                                               for c in CATEGORICAL["tags"]}),
                                tables["value"]["revenue"])
    pd.testing.assert_frame_equal(out, text)


def test_summaries_after_categoricals(tables):
    s = tiering.strategy(tables["stages"], tables["value"]["revenue"])
    text = tiering.strategy(tables["stages"].assign(stage=tables["stages"]["stage"].astype("str")),
                            tables["value"]["revenue"])
    pd.testing.assert_frame_equal(s, text)
    assert s.index.dtype == "str"
    seg = tables["rfm"]
    a = tiering.rfm_segments(seg)
    b = tiering.rfm_segments(seg.assign(segment=seg["segment"].astype("str")))
    pd.testing.assert_frame_equal(a, b)
    lt = tiering.loyalty_table(tables["segments"])
    assert lt.index.tolist() == [k for k in tiering.LOYALTY_SEGMENTS if k in lt.index]
    assert lt["customers"].sum() == len(tables["segments"])


def test_rfm_cells_beyond_nine_bins_are_the_joined_digits():
    from csi_helpers.customers.rfm import _cells
    c = _cells(np.array([1, 11, 2]), np.array([11, 1, 3]), np.array([1, 1, 4]), 12)
    assert c.tolist() == ["1111", "1111", "234"] and c.categories.tolist() == ["1111", "234"]
    c = _cells(np.array([5, 1]), np.array([4, 1]), np.array([3, 2]), 5)
    assert c.tolist() == ["543", "112"]


def test_rule_reasons_are_one_text_per_kind(tables):
    t = tables["rule"]
    r = t["reason"]
    assert r.cat.categories.is_unique and len(r.cat.categories) < len(t)
    assert (r.astype("str").str[0] == t["tier"].astype("str")).all()     # "A: ...", "C: ..."


def test_rule_reasons_do_not_depend_on_the_batch(monkeypatch):
    from csi_helpers.customers import rules
    cust, tx, _ = _customers(n=800, seed=9)
    value = tiering.customer_value(tiering.purchases(tx, "2026-09-30", cust), "2026-09-30",
                                   customers=cust)
    whole = tiering.rule_abc(cust, value, lang="zh").table
    monkeypatch.setattr(rules, "_BATCH", 7)
    batched = tiering.rule_abc(cust, value, lang="zh").table
    pd.testing.assert_frame_equal(whole, batched)
    assert whole["reason"].astype("str").str.startswith(("A：", "B：", "C：")).all()
