"""The embedded query engine for customer data (csi_helpers.customers.engine): the same
per-customer figures as plain pandas on the same rows, every problem named once, exact
money sums, and the same expressions on an Ibis table of a database connection (the
swap a client's warehouse needs)."""
from __future__ import annotations

import warnings

import ibis
import numpy as np
import pandas as pd
import pytest

from csi_helpers import tiering
from csi_helpers.customers import clv, engine
from csi_helpers.errors import CSIInputError, CSIWarning

AS_OF = pd.Timestamp("2026-09-30")
pytestmark = pytest.mark.filterwarnings("ignore::csi_helpers.errors.CSIWarning")


def _log(n_customers=300, n_rows=6000, seed=3):
    rng = np.random.default_rng(seed)
    ids = np.array([f"K{i:04d}" for i in range(n_customers)], dtype=object)
    days = rng.integers(0, 3 * 365 + 40, n_rows)          # some rows after as_of
    tx = pd.DataFrame({
        "transaction_id": [f"T{i}" for i in range(n_rows)],
        "customer_id": ids[rng.integers(0, n_customers, n_rows)],
        "date": pd.Timestamp("2023-10-01") + pd.to_timedelta(days, unit="D"),
        "amount": np.round(rng.lognormal(5, 1, n_rows), 2),
    })
    tx.loc[rng.choice(n_rows, 40, replace=False), "amount"] *= -1      # returns
    tx.loc[rng.choice(n_rows, 30, replace=False), "transaction_id"] = None
    customers = pd.DataFrame({"customer_id": ids[:-10]})               # 10 ids unknown
    return tx, customers


def _reference(tx, customers, negative):
    """Plain pandas on the same rules: the figures the engine must equal."""
    t = tx[(tx["date"] <= AS_OF) & tx["customer_id"].isin(customers["customer_id"])].copy()
    if negative == "drop":
        t = t[t["amount"] >= 0]
    t["order"] = t["transaction_id"].where(t["transaction_id"].notna(),
                                           "row" + t.index.astype(str))
    g = t.groupby("customer_id")
    return pd.DataFrame({"revenue": g["amount"].sum(), "orders": g["order"].nunique(),
                         "first_purchase": g["date"].min(), "last_purchase": g["date"].max()})


@pytest.mark.parametrize("negative", ["net", "drop"])
def test_per_customer_figures_equal_pandas(negative):
    tx, customers = _log()
    with pytest.warns(CSIWarning) as caught:
        p = engine.Purchases(tx, AS_OF, customers, negative=negative)
    text = " | ".join(str(w.message) for w in caught)
    assert "40 negative row(s)" in text and "after as_of" in text and "10 id(s) not in customers" in text
    got = p.value([(AS_OF - pd.DateOffset(years=1), AS_OF, "last_year")])
    ref = _reference(tx, customers, negative)
    assert list(got.index) == sorted(ref.index)
    ref = ref.loc[got.index]
    assert np.allclose(got["revenue"], ref["revenue"], atol=1e-6)
    assert (got["orders"] == ref["orders"]).all()
    assert (got["first_purchase"] == ref["first_purchase"]).all()
    assert (got["last_purchase"] == ref["last_purchase"]).all()
    last = tx[(tx["date"] > AS_OF - pd.DateOffset(years=1)) & (tx["date"] <= AS_OF)
              & tx["customer_id"].isin(customers["customer_id"])]
    if negative == "drop":
        last = last[last["amount"] >= 0]
    expected = last.groupby("customer_id")["amount"].sum().reindex(got.index, fill_value=0.0)
    assert np.allclose(got["last_year"], expected, atol=1e-6)


def test_checked_once_for_every_question():
    tx, customers = _log()
    with warnings.catch_warnings(record=True) as first:
        warnings.simplefilter("always")
        p = tiering.purchases(tx, AS_OF, customers, "net")
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        tiering.customer_value(p, AS_OF, customers=customers)
        tiering.rfm(p, AS_OF, customers=customers)
        clv.rfm_summary(p)
    assert len([w for w in first if w.category is CSIWarning]) == 3
    assert not [w for w in later if w.category is CSIWarning]
    with pytest.raises(CSIInputError, match="differs from the Purchases' as_of"):
        tiering.customer_value(p, "2026-06-30")


def test_problems_are_named():
    tx, customers = _log()
    with pytest.raises(CSIInputError, match=r"negative in 40 row\(s\).*negative='net'"):
        engine.Purchases(tx, AS_OF, customers)
    bad = tx.copy()
    bad.loc[[5, 9], "customer_id"] = " "
    with pytest.raises(CSIInputError, match=r"customer_id: empty in row\(s\) 5, 9"):
        engine.Purchases(bad, AS_OF, negative="net")
    bad = tx.assign(date=tx["date"].astype(str))
    bad.loc[7, "date"] = "yesterday"
    with pytest.raises(CSIInputError, match=r"date: not a date .* row\(s\) 7 \(e.g. 'yesterday'\)"):
        engine.Purchases(bad, AS_OF, negative="net")
    bad = tx.assign(amount=tx["amount"].astype(object))
    bad.loc[3, "amount"] = "¥12"
    with pytest.raises(CSIInputError, match=r"amount: not a number in row\(s\) 3"):
        engine.Purchases(bad, AS_OF, negative="net")
    with pytest.raises(CSIInputError, match="no transactions left on or before as_of"):
        engine.Purchases(tx, "2020-01-01", negative="net")
    with pytest.raises(CSIInputError, match="negative='maybe'"):
        engine.Purchases(tx, AS_OF, negative="maybe")


def test_money_sums_are_exact_and_repeatable():
    tx = pd.DataFrame({"customer_id": ["a"] * 10 + ["b"] * 10,
                       "date": pd.Timestamp("2026-01-01"),
                       "amount": [0.1] * 10 + [0.7, 0.2, 0.1] + [0.0] * 7})
    v = engine.Purchases(tx, AS_OF).value()
    assert v.loc["a", "revenue"] == 1.0 == v.loc["b", "revenue"]   # float sums give 0.9999999999999999
    assert sum([0.1] * 10) != 1.0


def test_inputs_are_not_modified():
    tx, customers = _log()
    before = tx.copy()
    engine.Purchases(tx, AS_OF, customers, negative="net").value()
    pd.testing.assert_frame_equal(tx, before)


def test_the_same_expressions_run_on_a_database_table(tmp_path):
    """A client's warehouse: the tables live in a database and only per-customer rows come
    back. A DuckDB file stands in for it; the expressions also compile for PostgreSQL."""
    tx, customers = _log()
    tx = tx[tx["amount"] > 0]
    con = ibis.duckdb.connect(str(tmp_path / "crm.ddb"))
    con.con.register("tx_frame", tx)
    con.con.register("cust_frame", customers)
    con.raw_sql("CREATE TABLE orders AS SELECT * FROM tx_frame")
    con.raw_sql("CREATE TABLE members AS SELECT * FROM cust_frame")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        in_db = engine.Purchases(con.table("orders"), AS_OF, con.table("members"))
        in_memory = engine.Purchases(tx, AS_OF, customers)
    a = in_db.value()
    b = in_memory.value()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert in_db.bought_since("2026-06-30").equals(in_memory.bought_since("2026-06-30"))
    sql = ibis.to_sql(in_db.value_expr([(AS_OF - pd.DateOffset(years=1), AS_OF, "y")]),
                      dialect="postgres")
    assert "GROUP BY" in sql and "FILTER" in sql and "DECIMAL(38, 4)" in sql


def test_purchase_days_equal_pandas():
    tx, customers = _log()
    tx = tx[tx["amount"] > 0]
    got = engine.purchase_days(tx, AS_OF)
    t = tx[tx["date"] <= AS_OF]
    daily = t.groupby(["customer_id", "date"])["amount"].sum().reset_index()
    g = daily.groupby("customer_id")
    assert (got["days"] == g.size().loc[got.index]).all()
    first = g["date"].transform("min")
    repeat = daily[daily["date"] > first].groupby("customer_id")["amount"].mean()
    assert np.allclose(got["repeat_mean"].dropna(), repeat.loc[got["repeat_mean"].dropna().index])
    assert got["repeat_mean"].isna().sum() == (g.size() == 1).sum()


def test_checked_rows_live_in_duckdb_and_go_with_the_last_expression():
    """The checked transactions are copied into a DuckDB table of their own, so the
    DataFrame can be let go (0.7 GB on ten million rows); the DuckDB table is dropped
    once no expression refers to it."""
    import gc

    def tables():
        return set(ibis.get_backend().con.sql("SELECT table_name FROM duckdb_tables()")
                   .df()["table_name"])

    tx, customers = _log()
    before = tables()
    p = engine.Purchases(tx, AS_OF, customers, negative="net")
    assert p.rows == len(tx)
    stored = [n for n in tables() - before if n.startswith("_csi_stored_")]
    assert len(stored) == 1
    expected = p.value(bounds=[])
    del tx
    gc.collect()
    pd.testing.assert_frame_equal(p.value(bounds=[]), expected)   # independent of the frame
    later = p.table.filter(p.table.amount > 0)
    del p
    gc.collect()
    assert int(later.count().execute()) > 0                      # kept while referred to
    del later
    gc.collect()
    assert not [n for n in stored if n in tables()]


def test_workbook_purchases_checks_once_and_keeps_no_frame(tmp_path):
    """wb.purchases(): the transactions of sources.transactions, checked as of the last
    transaction (tiering.as_of unset), with the customer master; the DataFrame read is
    not cached."""
    from csi_helpers import workbook

    tx, customers = _log()
    tx = tx[tx["amount"] > 0]
    tx.to_csv(tmp_path / "tx.csv", index=False)
    customers.assign(customer_type="retail").to_csv(tmp_path / "c.csv", index=False)
    wb = workbook.Workbook({"client": {"id": "x"}, "tiering": {"negative_amounts": None},
                            "sources": {"transactions": {"path": str(tmp_path / "tx.csv")},
                                        "customers": {"path": str(tmp_path / "c.csv")}}},
                           tmp_path / "x.yaml", tmp_path, tmp_path)
    with pytest.warns(CSIWarning, match="not in customers"):
        p = wb.purchases()
    assert wb.purchases() is p and "transactions" not in wb._cache
    assert p.as_of == tx["date"].max().normalize() and p.rows == len(tx)
    assert tiering.settings(wb.params, p)["as_of"] == p.as_of
    known = tx[tx["customer_id"].isin(customers["customer_id"])]
    assert p.value(bounds=[])["revenue"].sum() == pytest.approx(known["amount"].sum())


def test_large_tables_are_stored_compressed_and_dropped_the_same_way(monkeypatch):
    """Tables of COMPRESS_ROWS rows or more go into the attached, compressed in-memory
    database (a quarter of the memory on ten million transactions); answers are the same
    and the table goes when no expression refers to it."""
    import gc

    def tables():
        return ibis.get_backend().con.sql(
            "SELECT database_name, table_name FROM duckdb_tables()").df()

    tx, customers = _log()
    plain = engine.Purchases(tx, AS_OF, customers, negative="net").value(bounds=[])
    monkeypatch.setattr(engine, "COMPRESS_ROWS", 1)
    p = engine.Purchases(tx, AS_OF, customers, negative="net")
    found = tables()
    mine = found[found["table_name"].str.startswith("_csi_stored_")]
    assert engine._STORE in set(mine["database_name"])
    pd.testing.assert_frame_equal(p.value(bounds=[]), plain)
    names = set(mine.loc[mine["database_name"] == engine._STORE, "table_name"])
    del p
    gc.collect()
    assert not names & set(tables()["table_name"])
