"""Customer ids (csi_helpers.customers.ids): alignment equal to pandas' reindex, and the
per-customer tables of notebook 05 sharing two index hash tables instead of one each.

The hash table of a pandas index lives in the private ``Index._cache`` under
``"_engine"``; the memory test reads it there because that table is what costs ~75 MB
per million text ids (pandas 3), and nothing public says whether it was built.
"""
from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from csi_helpers import tiering
from csi_helpers.customers import clv
from csi_helpers.customers.ids import aligned, duplicated, id_index, master_index

N = 12_000      # above ids._SMALL, so the Arrow path runs


def _ids(n, prefix="C"):
    return pd.Index([f"{prefix}{i:06d}" for i in range(n)], dtype="str", name="customer_id")


def _engine(index: pd.Index) -> bool:
    return "_engine" in index._cache


@pytest.mark.parametrize("fill", [None, 0.0])
def test_aligned_equals_reindex_on_a_large_text_index(fill):
    rng = np.random.default_rng(3)
    source = _ids(N)[rng.permutation(N)]
    s = pd.Series(rng.normal(size=N), index=source, name="x")
    target = pd.Index(list(_ids(N - 500)) + [f"Z{i}" for i in range(500)], dtype="str",
                      name="customer_id")[rng.permutation(N)]
    want = s.reindex(target) if fill is None else s.reindex(target, fill_value=fill)
    got = aligned(s, target, fill)
    pd.testing.assert_series_equal(got, want)
    assert got.index._cache is target._cache      # the same hash table, not a new index


def test_aligned_frame_keeps_dtypes_and_marks_missing_rows():
    source = _ids(N)[::-1]
    df = pd.DataFrame({"tier": pd.Series(["A", "B", "C"] * (N // 3), dtype="str").to_numpy(),
                       "when": pd.Timestamp("2026-01-01"), "x": np.arange(N, dtype=float)},
                      index=source)
    target = pd.Index(["C000005", "nobody", "C000001"], dtype="str", name="customer_id")
    big_target = target.append(_ids(N)[10:N]).rename("customer_id")
    got = aligned(df, big_target)
    want = df.reindex(big_target)
    pd.testing.assert_frame_equal(got, want)
    assert got.loc["nobody"].isna().all()


def test_aligned_leaves_no_hash_table_on_either_index():
    source = _ids(N)[::-1].copy()
    target = _ids(N).copy()
    out = aligned(pd.Series(np.arange(N), index=source), target)
    assert out.tolist()[:2] == [N - 1, N - 2]
    assert not _engine(source) and not _engine(target)


def test_aligned_small_and_integer_indexes_use_pandas():
    s = pd.Series([1, 2], index=[10, 20])
    assert aligned(s, pd.Index([20, 30]), fill_value=0).tolist() == [2, 0]
    same = pd.Index(["a", "b"])
    assert aligned(pd.Series([1, 2], index=same), same).index is same


def test_id_index_renames_a_text_index_and_converts_others():
    ix = _ids(10).rename(None)
    out = id_index(ix)
    assert out.name == "customer_id" and out._cache is ix._cache   # the same hash table
    assert id_index(out) is out
    assert id_index(pd.Index([1, 2])).tolist() == ["1", "2"]


def test_duplicated_finds_repeats_in_large_and_small_indexes():
    big = _ids(N).append(pd.Index(["C000003"], dtype="str"))
    assert np.flatnonzero(duplicated(big)).tolist() == [N]
    assert not duplicated(_ids(N)).any()
    assert duplicated(pd.Index(["a", "a"])).tolist() == [False, True]


def test_master_index_is_made_once_per_master_and_renewed_when_its_ids_change():
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(5)]})
    made = []

    def make(c):
        made.append(1)
        return pd.Index(c["customer_id"].astype(str), name="customer_id")

    first = master_index(customers, make)
    assert master_index(customers, make) is first and len(made) == 1
    customers["customer_id"] = [f"d{i}" for i in range(5)]       # a new column: new ids
    assert master_index(customers, make).tolist()[0] == "d0" and len(made) == 2
    del customers
    gc.collect()


@pytest.fixture(scope="module")
def chapters():
    """Notebook 05's chapters on a synthetic export of N customers, every result kept."""
    rng = np.random.default_rng(11)
    ids = [f"K{i:06d}" for i in range(N)]
    customers = pd.DataFrame({"customer_id": ids,
                              "customer_type": rng.choice(["agent", "franchisee", "retail"], N),
                              "cooperation": rng.integers(1, 6, N),
                              "loyalty": rng.integers(1, 6, N)})
    n_tx = 6 * N
    tx = pd.DataFrame({"customer_id": rng.choice(ids[: N - 800], n_tx),   # 800 never buy
                       "date": pd.Timestamp("2024-01-01")
                       + pd.to_timedelta(rng.integers(0, 1090, n_tx), unit="D"),
                       "amount": rng.gamma(2.0, 300.0, n_tx).round(2)})
    visits = pd.DataFrame({"customer_id": rng.choice(ids, N),
                           "date": pd.Timestamp("2025-06-01")
                           + pd.to_timedelta(rng.integers(0, 400, N), unit="D")})
    as_of = pd.Timestamp("2026-12-31")
    p = tiering.purchases(tx, as_of, customers)
    r = {"value": tiering.customer_value(p, as_of, customers=customers)}
    r["abc"] = tiering.abc(r["value"]["revenue"]).table
    pyr = tiering.pyramid(r["value"]["revenue"])
    r["pyramid"] = pyr.table
    rule = tiering.rule_abc(customers, r["value"])
    r["rule"] = rule.table
    r["stages"] = tiering.lifecycle(r["value"])
    tiering.strategy(r["stages"], r["value"]["revenue"])
    r["quality"] = tiering.retention(p, r["value"])
    r["segments"] = tiering.loyalty(r["value"], r["quality"]["retained"])
    r["tags"] = tiering.tags(customers, p, visits, as_of, 365, vip=pyr)
    r["rfm"] = tiering.rfm(p, as_of, customers=customers)
    tiering.action_table(rule.tier, r["tags"], r["value"]["revenue"])
    r["plan"] = tiering.contact_plan(r["tags"], rule.tier, as_of, r["value"]["revenue"])
    tiering.plan_summary(r["plan"])
    r["lifetime"] = clv.value(clv.rfm_summary(p))
    clv.by_tier(r["lifetime"], rule.tier)
    return r


def test_tables_in_the_masters_order_share_one_index(chapters):
    caches = {name: id(chapters[name].index._cache)
              for name in ("value", "stages", "quality", "segments", "tags")}
    assert len(set(caches.values())) == 1, caches


def test_per_buyer_tables_share_one_index(chapters):
    assert chapters["rfm"].index._cache is chapters["lifetime"].index._cache


def test_sorted_tables_get_no_hash_table_of_their_own(chapters):
    """The tiers sorted by revenue and the contact plan are never looked up by label in
    the chapters after them, so none keeps a hash table: with the master's and the
    buyers', two in all instead of one per table."""
    built = {name for name in ("abc", "pyramid", "rule", "plan")
             if _engine(chapters[name].index)}
    assert not built
    with_engine = {id(t.index._cache) for t in chapters.values() if _engine(t.index)}
    assert len(with_engine) <= 2


def test_workbook_releases_arrow_memory_after_every_cell_once(monkeypatch):
    """workbook.open registers release_memory as the kernel's post_run_cell callback,
    once per kernel; outside IPython nothing is registered."""
    import IPython

    from csi_helpers import workbook

    registered = []

    class Events:
        def register(self, name, fn):
            registered.append((name, fn))

    class Shell:
        events = Events()

    shell = Shell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    workbook._release_memory_after_cells()
    workbook._release_memory_after_cells()
    assert registered == [("post_run_cell", workbook.release_memory)]
    workbook.release_memory()                       # runs without a shell, returns nothing
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    workbook._release_memory_after_cells()
    assert len(registered) == 1


def test_no_chapter_keeps_a_hash_table(chapters):
    """With the label columns built from codes (codes.py) and the masks by position, no
    per-customer table of notebook 05 keeps a hash table, also after the Pareto point,
    the pyramid's figure, the holdout check and a Gamma-Gamma fit without a finite mean."""
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pyr = tiering.TierResult("Value pyramid", chapters["pyramid"], pd.DataFrame())
    tiering.pareto_point(pyr, 0.8)
    plt.close(tiering.pyramid_figure(tiering.pyramid(chapters["value"]["revenue"])))
    buyers = chapters["lifetime"]
    heavy = clv.GammaGamma(params={"p": 2.0, "q": 0.9, "gamma": 1.0}, loglik=0.0,
                           summary=buyers.assign(frequency=1.0,
                                                 monetary=chapters["rfm"]["monetary"].to_numpy()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spend = heavy.expected_spend
    assert spend.notna().all()
    built = {name for name, t in chapters.items() if _engine(t.index)}
    assert not built, built
