"""The query engine for customer data: DuckDB, embedded, through Ibis.

A national retailer's CRM export has a million customers and ten million transactions.
Grouping such tables in pandas takes minutes and gigabytes; an embedded columnar engine
does it in seconds. So every per-customer aggregate of customer management (revenue,
orders, first and last purchase, sales per year, purchases and visits in a window, the
daily purchases CLV counts) is an `Ibis <https://ibis-project.org>`_ expression over the
transaction table, executed by `DuckDB <https://duckdb.org>`_ in this process (no server),
and pandas only ever sees one row per customer.

:class:`Purchases` checks a transaction table once (ids, dates, amounts, returns, rows
after ``as_of``, ids missing from the customer master: every problem named, as
``clean_transactions`` always did) and then answers per-customer questions:

* :meth:`Purchases.value`: revenue, orders, first/last purchase, sales per year;
* :meth:`Purchases.bought_since`: who bought in a window (the M/O tag);
* :meth:`Purchases.daily`: one row per customer and purchase day (CLV's counting unit).

Swapping the engine
-------------------
Where a client's CRM lives in a warehouse, the same expressions run there: pass Ibis
tables of that backend instead of DataFrames, e.g.::

    con = ibis.postgres.connect(host=..., database="crm")        # or snowflake, bigquery ...
    p = Purchases(con.table("orders").rename(customer_id="cust_no"), as_of="2026-09-30",
                  customers=con.table("members"))
    p.value()           # the SQL runs in the warehouse; only per-customer rows come back

With DataFrames (what the workbook's readers produce) the tables are handed to the
in-memory DuckDB connection Ibis runs in-memory tables on, zero-copy from Arrow where
pandas holds Arrow strings. The checked transactions are copied into a DuckDB table of
their own (:func:`store`), so that the DataFrame they came from can go: on ten million
rows the pandas table holds 0.7 GB, and the checks' typed copy 0.3 GB more.

Example
-------
>>> tx = pd.DataFrame({"customer_id": ["c1", "c1", "c2"],
...                    "date": ["2025-03-01", "2026-03-01", "2026-09-01"],
...                    "amount": [100.0, 120.0, 50.0]})
>>> Purchases(tx, "2026-09-30").value(bounds=[]).loc["c1", ["revenue", "orders"]].tolist()
[220.0, 2.0]
"""
from __future__ import annotations

import itertools
import os
import tempfile
import warnings
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CSIInputError, CSIWarning

__all__ = ["connect", "table", "store", "Purchases", "store_visits", "purchase_days", "member"]

_MAX_LISTED = 5

# ibis 12 reads pandas' deprecated future.infer_string option on every conversion
warnings.filterwarnings("ignore", message=".*future.infer_string.*", module="ibis")
# ibis 12 reads a table's schema with DuckDB's fetch_arrow_table, deprecated in DuckDB 1.5
warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*", category=DeprecationWarning,
                        module="ibis")


def connect(backend=None):
    """An Ibis connection: the given one, one made from a URL (``"duckdb://crm.ddb"``,
    ``"postgres://user@host/db"``), or by default an in-memory DuckDB using every core.

    >>> connect().name
    'duckdb'
    """
    import ibis

    if backend is None:
        return ibis.duckdb.connect(threads=os.cpu_count() or 1)
    if isinstance(backend, str):
        return ibis.connect(backend)
    return backend


#: DuckDB's memory for one query (it spills to a temporary file beyond): on 10 million
#: transactions 512 MB cost no time and saved ~0.5 GB of peak memory against 1 GB; 256 MB
#: saves another ~0.2 GB in the CLV's purchase-day queries (notebook 05's CLV cells peak
#: at 1.7 GB instead of 1.9 GB) for ~1 s more in each.
MEMORY_LIMIT = "256MB"
_configured = False


def _configure() -> None:
    """The in-memory DuckDB that Ibis runs in-memory tables on: a memory limit, spilling
    to the system's temporary folder (DuckDB's default is ``.tmp`` in the working
    directory: the repository, or a run folder), and no promise to keep row order (every
    result here is sorted in pandas), which saves memory."""
    global _configured
    if not _configured:
        import ibis

        con = ibis.get_backend()
        con.raw_sql(f"SET memory_limit = '{MEMORY_LIMIT}'")
        spill = Path(tempfile.gettempdir()) / "csi_duckdb"
        con.raw_sql(f"SET temp_directory = '{spill.as_posix()}'")
        con.raw_sql("SET preserve_insertion_order = false")
        # DuckDB's allocator keeps what a query freed (~0.2 GB after an aggregate of ten
        # million rows) until a background thread hands it back
        con.raw_sql("SET allocator_background_threads = true")
        con.raw_sql(f"ATTACH IF NOT EXISTS ':memory:' AS {_STORE} (COMPRESS)")
        _configured = True


_stored = itertools.count()
#: The in-memory database that :func:`store` copies large tables into, compressed
#: (DuckDB compresses an in-memory database only when attached with COMPRESS, at a
#: checkpoint): ten million transactions take 87 MB there instead of 412 MB.
_STORE = "csi_store"
#: Tables of at least this many rows go compressed (the checkpoint costs ~0.3 s a million
#: rows; a smaller table is not worth it).
COMPRESS_ROWS = 1_000_000


def store(frame: pd.DataFrame):
    """An Ibis table over a DuckDB table holding a copy of ``frame`` (columns as they are;
    no ``_row`` added), so that ``frame`` itself can be let go. The DuckDB table is dropped
    when no Ibis expression refers to it any more.

    >>> t = store(pd.DataFrame({"customer_id": ["c1", "c2"], "amount": [1.0, 2.5]}))
    >>> float(t.amount.sum().execute())
    3.5
    """
    import ibis
    import pyarrow as pa

    _configure()
    con = ibis.get_backend()
    name = f"_csi_stored_{os.getpid()}_{next(_stored)}"
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    where = _STORE if len(frame) >= COMPRESS_ROWS else "memory"
    con.con.register(f"{name}_in", arrow)
    try:
        con.raw_sql(f'CREATE TABLE {where}.main."{name}" AS SELECT * FROM "{name}_in"')
    finally:
        con.con.unregister(f"{name}_in")
    del arrow
    if where == _STORE:
        con.raw_sql(f"CHECKPOINT {_STORE}")          # compresses what was written
    t = con.table(name, database=(where, "main"))
    weakref.finalize(t.op(), _drop, con, f'{where}.main."{name}"')   # expressions hold t.op()
    return t


def _drop(con, name: str) -> None:
    try:
        con.raw_sql(f'DROP TABLE IF EXISTS {name}')
    except Exception:  # noqa: BLE001 - the connection may be gone at interpreter exit
        pass


def table(data):
    """An Ibis table for a DataFrame (an in-memory table that queries run on in DuckDB,
    Ibis's default backend) or an Ibis table as given. The DataFrame's index becomes column ``_row`` (the
    row named in messages)."""
    import ibis

    if isinstance(data, ibis.Table):
        return data
    if not isinstance(data, pd.DataFrame):
        raise CSIInputError(f"expected a DataFrame or an Ibis table, got {type(data).__name__}")
    _configure()
    frame = data.reset_index(drop=True)
    frame["_row"] = _row_labels(data.index)
    # an in-memory table, handed to DuckDB zero-copy through Arrow when a query runs
    # (create_table(temp=True) of ibis 12 fails on DuckDB 2.0: "DROP VIEW IF EXISTS")
    return ibis.memtable(frame)


def member(values, wanted) -> np.ndarray:
    """``values.isin(wanted)`` as a bool array, fast on Arrow strings too (pandas 3 turns
    each of a million Arrow strings into a Python object for ``isin``: seconds; Arrow's
    own ``is_in`` takes a fraction of that).

    >>> member(pd.Index(["a", "b", "c"]), {"c", "a"}).tolist()
    [True, False, True]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = list(wanted) if not isinstance(wanted, (pd.Index, pd.Series, np.ndarray)) else wanted
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        left = pa.array(values.to_numpy(dtype=object) if len(values) < 1000 else values.array)
        if len(wanted) == 0:
            return np.zeros(len(values), bool)
        right = pa.array(pd.Series(wanted, dtype="str").array)
        return pc.is_in(left, value_set=right).fill_null(False).to_numpy(zero_copy_only=False)
    return np.asarray(pd.Index(values).isin(list(wanted) if not hasattr(wanted, "dtype")
                                            else wanted), dtype=bool)


def _sorted_ids(ids: pd.Series) -> pd.Index:
    """Customer ids as a sorted text index, sorted by Arrow (Python's ``sorted`` of
    600,000 buyers' ids turns each into a Python object first; an Index's own sort
    builds its hash table first)."""
    return pd.Index(pd.Series(ids, dtype="str").sort_values(ignore_index=True),
                    name="customer_id")


def _by_id(frame: pd.DataFrame, like: pd.Index | None = None) -> pd.DataFrame:
    """An engine's per-customer answer indexed by customer_id, sorted by it (sorted as a
    column: sorting the index builds its hash table). When the ids equal those of
    ``like``, ``like`` itself is the index, so the per-buyer tables (value, RFM, the CLV
    summary) share one (see ids.py)."""
    frame = frame.assign(customer_id=frame["customer_id"].astype("str"))
    frame = frame.sort_values("customer_id", ignore_index=True)
    ids = pd.Index(frame.pop("customer_id"), name="customer_id")
    if like is not None and len(like) == len(ids) and like.equals(ids):
        ids = like
    frame.index = ids                     # assigned, not set_index: that makes a new one
    return frame


def _distinct_ids(ids) -> pd.DataFrame:
    """The distinct ids as a one-column frame for the engine (a Series' drop_duplicates:
    an Index's ``unique`` would build the Index's hash table first)."""
    values = pd.Series(ids, dtype="str").drop_duplicates(ignore_index=True)
    return pd.DataFrame({"customer_id": values})


def _row_labels(index: pd.Index) -> np.ndarray:
    if pd.api.types.is_integer_dtype(index.dtype):
        return index.to_numpy(dtype=np.int64)
    return np.asarray(index.astype(str), dtype=object)


def _listed(values: Sequence, total: int | None = None) -> str:
    vals = list(values)[:_MAX_LISTED]
    total = len(values) if total is None else total
    more = f" and {total - len(vals)} more" if total > len(vals) else ""
    return ", ".join(str(v) for v in vals) + more


def _rows_of(t, mask) -> tuple[int, list]:
    """(how many rows match, the first few row labels)."""
    n = int(t.filter(mask).count().execute())
    first = t.filter(mask).order_by("_row").limit(_MAX_LISTED)["_row"].execute().tolist() \
        if n else []
    return n, first


def _typed(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """customer_id as stripped text, date as a normalised date, amount as a float, each
    converted only where the column is not already of that type (the readers' tables
    are). Problems raise naming the rows, as ``clean_transactions`` always did."""
    if not isinstance(frame, pd.DataFrame):
        raise CSIInputError(f"{what}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in ("customer_id", "date") if c not in frame.columns]
    if missing:
        raise CSIInputError(f"{what}: column(s) {', '.join(map(repr, missing))} missing; the "
                            "file needs customer_id, date (see docs/contracts.md)")
    if len(frame) == 0:
        raise CSIInputError(f"{what}: no rows; export the data for the period and try again")
    out = frame.copy(deep=False)
    ids = out["customer_id"]
    if not pd.api.types.is_string_dtype(ids.dtype) or ids.dtype == object:
        bad = ids.isna()
        ids = ids.astype(str).where(~bad, None)
    stripped = ids.str.strip() if _blank_edges(ids) else ids   # readers strip every cell
    bad = stripped.isna() | (stripped == "")
    if bad.any():
        raise CSIInputError(f"{what}.customer_id: empty in row(s) {_listed(frame.index[bad])}; "
                            "fill in the customer id or delete the row(s)")
    out["customer_id"] = stripped if isinstance(stripped.dtype, pd.StringDtype) \
        else stripped.astype("str")
    d = out["date"]
    if not pd.api.types.is_datetime64_any_dtype(d.dtype):
        d = pd.to_datetime(d, errors="coerce")
    bad = d.isna()
    if bad.any():
        raise CSIInputError(f"{what}.date: not a date (YYYY-MM-DD) in row(s) "
                            f"{_listed(frame.index[bad])} (e.g. {frame['date'][bad].iloc[0]!r}); "
                            "correct or delete the row(s)")
    out["date"] = d.dt.normalize().astype("datetime64[us]")
    if "amount" in out.columns:
        raw = out["amount"]
        amount = raw if pd.api.types.is_float_dtype(raw.dtype) else pd.to_numeric(raw, errors="coerce")
        amount = amount.astype(float)
        bad = ~np.isfinite(amount.to_numpy())
        if bad.any():
            raise CSIInputError(f"{what}.amount: not a number in row(s) {_listed(frame.index[bad])} "
                                f"(e.g. {raw[bad].iloc[0]!r}); write amounts as plain numbers "
                                "such as 1250.50, without currency signs or thousands separators")
        out["amount"] = amount
    return out


def _blank_edges(ids: pd.Series) -> bool:
    """Whether any id starts or ends with a blank (then they are stripped, a copy of the
    column; a reader's ids never do). On Arrow strings only the first and last characters
    are looked at."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(ids.dtype, pd.StringDtype) and ids.dtype.storage == "pyarrow"):
        return True
    arr = pa.chunked_array(pa.array(ids.array)) if not hasattr(ids.array, "_pa_array") \
        else ids.array._pa_array
    edges = pc.or_(pc.utf8_is_space(pc.utf8_slice_codeunits(arr, 0, 1)),
                   pc.utf8_is_space(pc.utf8_slice_codeunits(arr, -1, 2**31 - 1)))
    return bool(pc.any(edges).as_py())


def _customer_ids(customers) -> pd.Index:
    if isinstance(customers, pd.DataFrame):
        if "customer_id" not in customers.columns:
            raise CSIInputError("customers: column 'customer_id' missing; the file needs "
                                "customer_id (see docs/contracts.md)")
        ids = customers["customer_id"]
        bad = ids.isna() | (ids.astype(str).str.strip() == "")
        if bad.any():
            raise CSIInputError(f"customers.customer_id: empty in row(s) "
                                f"{_listed(customers.index[bad])}; fill in the customer id or "
                                "delete the row(s)")
        return pd.Index(ids.astype(str).str.strip(), name="customer_id")
    return pd.Index(customers["customer_id"].execute().astype(str), name="customer_id")


def _money_sum(amount, where=None):
    """The sum of amounts, exact: in DECIMAL(38, 4), then as a float. A parallel sum of
    floats depends on the order the threads add them in, so two runs (or pandas and
    DuckDB) could differ in the last bits and order equal revenues differently; sums of
    money to the 1/100 of a cent are exact and repeatable."""
    return amount.cast("decimal(38, 4)").sum(where=where).cast("float64")


_BASE = ("revenue", "orders", "first_purchase", "last_purchase")


class Purchases:
    """A checked transaction table, as of a reference date, ready for per-customer
    questions (see the module docstring). ``rows``: the transactions given (before any
    was left out).

    ``negative``: returns and refunds (negative amounts) raise unless ``"net"`` (netted
    into revenue, with a warning) or ``"drop"`` (left out, with a warning). Rows after
    ``as_of`` and rows of ids missing from ``customers`` are left out with a warning naming
    them. Warnings are issued once, when the table is checked.

    >>> tx = pd.DataFrame({"customer_id": ["c1", "c2"], "date": ["2026-01-05", "2026-09-01"],
    ...                    "amount": [99.0, 10.0]})
    >>> Purchases(tx, "2026-09-30").bought_since("2026-06-30").tolist()
    ['c2']
    """

    def __init__(self, transactions, as_of, customers=None, negative: str = "error",
                 what: str = "transactions", columns: Sequence[str] = ()):
        import ibis

        if negative not in ("error", "net", "drop"):
            raise CSIInputError(f"negative={negative!r}: use 'error', 'net' or 'drop'")
        self.as_of = pd.Timestamp(as_of).normalize()
        self.what = what
        self.customer_ids = None if customers is None else _customer_ids(customers)
        if customers is None:
            self._known = None
        elif isinstance(customers, ibis.Table):
            self._known = customers.select("customer_id").distinct()
        else:
            self._known = table(_distinct_ids(self.customer_ids))
        if isinstance(transactions, pd.DataFrame):
            if "amount" not in transactions.columns:
                raise CSIInputError(f"{what}: column(s) 'amount' missing; the file needs "
                                    "customer_id, date, amount (see docs/contracts.md)")
            frame = _typed(transactions, what)
            keep = [c for c in ("customer_id", "date", "amount", "transaction_id", *columns)
                    if c in frame.columns]
            frame = frame[keep]
            frame["_row"] = _row_labels(transactions.index)
            self.rows = len(frame)
            t = store(frame)          # the DataFrames can go: DuckDB holds the rows
            del frame
        elif isinstance(transactions, ibis.Table):
            t = transactions
            if "_row" not in t.columns:
                t = t.mutate(_row=ibis.row_number())
            self.rows = int(t.count().execute())
        else:
            raise CSIInputError(f"{what}: expected a DataFrame, got {type(transactions).__name__}")
        self.columns = tuple(c for c in columns if c in t.columns)
        self.table = self._checked(t, negative)
        self._values: dict = {}                  # value() by bounds: asked several times
        self.buyers: pd.Index | None = None      # the index of value(): shared (see ids.py)

    # ------------------------------------------------------------------ checks
    def _checked(self, t, negative):
        import ibis

        what = self.what
        n_neg, rows = _rows_of(t, t.amount < 0)
        if n_neg:
            listed = _listed(rows, n_neg)
            if negative == "error":
                raise CSIInputError(
                    f"{what}.amount: negative in {n_neg} row(s) {listed}; if these are "
                    "returns or refunds pass negative='net' to net them against the customer's "
                    "purchases (or 'drop' to ignore them), otherwise correct the amounts")
            if negative == "drop":
                warnings.warn(f"{what}.amount: {n_neg} negative row(s) ({listed}) dropped",
                              CSIWarning, stacklevel=3)
                t = t.filter(t.amount >= 0)
            else:
                warnings.warn(f"{what}.amount: {n_neg} negative row(s) ({listed}) netted "
                              "into revenue as returns", CSIWarning, stacklevel=3)
        as_of = self.as_of
        n_late, rows = _rows_of(t, t.date > as_of)
        if n_late:
            warnings.warn(f"{what}.date: {n_late} row(s) after as_of {as_of.date()} "
                          f"({_listed(rows, n_late)}) left out; they belong to the next period "
                          "(or set tiering.as_of later)", CSIWarning, stacklevel=3)
            t = t.filter(t.date <= as_of)
        if self._known is not None:
            known = self._known
            unknown = t.anti_join(known, "customer_id")
            counts = unknown.group_by("customer_id").aggregate(n=unknown.count()).execute()
            if len(counts):
                ids = sorted(counts["customer_id"].astype(str))
                warnings.warn(
                    f"{what}.customer_id: {len(ids)} id(s) not in customers ({_listed(ids)}); "
                    f"their {int(counts['n'].sum())} transaction(s) are left out. Export the "
                    "customer master again or correct the ids", CSIWarning, stacklevel=3)
                t = t.semi_join(known, "customer_id")
        if int(t.count().execute()) == 0:
            raise CSIInputError(f"{what}: no transactions left on or before as_of "
                                f"{as_of.date()}; check tiering.as_of and the export's period")
        if "transaction_id" in t.columns:
            # an empty transaction id is an order of its own (one per row)
            order = ibis.coalesce(t.transaction_id.cast("string"),
                                  ibis.literal("row") + t._row.cast("string"))
        else:
            order = ibis.literal("row") + t._row.cast("string")
        return t.mutate(order=order).select("customer_id", "date", "amount", "order", "_row",
                                            *self.columns)

    # ------------------------------------------------------------------ questions
    def first_date(self) -> pd.Timestamp:
        """The first purchase date in the checked table."""
        return pd.Timestamp(self.table.date.min().execute())

    def value_expr(self, bounds: Iterable[tuple[pd.Timestamp, pd.Timestamp, str]] = ()):
        """The Ibis expression of :meth:`value` (compile it for another engine with
        ``ibis.to_sql(expr, dialect="postgres")``)."""
        import ibis

        t = self.table
        metrics = {"revenue": _money_sum(t.amount), "first_purchase": t.date.min(),
                   "last_purchase": t.date.max()}
        for start, end, name in bounds:
            metrics[name] = _money_sum(t.amount, (t.date > start) & (t.date <= end))
        sums = t.group_by("customer_id").aggregate(**metrics)
        # distinct orders apart: a COUNT(DISTINCT) beside the sums sends DuckDB's whole
        # aggregate down its slow path (10 million rows: 4.7 s together, 3.8 s apart)
        orders = t.select("customer_id", "order").distinct() \
            .group_by("customer_id").aggregate(orders=ibis._.count())
        joined = sums.join(orders, "customer_id")
        return joined.select("customer_id", "revenue", "orders", "first_purchase",
                             "last_purchase", *[name for _, _, name in bounds])

    def value(self, bounds: Iterable[tuple[pd.Timestamp, pd.Timestamp, str]] = ()) -> pd.DataFrame:
        """Per customer with a purchase: ``revenue`` (sum of amounts), ``orders`` (distinct
        orders), ``first_purchase``, ``last_purchase``, and one column of sales per
        (start, end, name) of ``bounds``: the amounts with start < date <= end."""
        bounds = list(bounds)
        key = tuple((str(a), str(b), n) for a, b, n in bounds)
        if key in self._values:
            return self._values[key].copy()
        if not bounds and self._values:        # the base columns of any earlier answer
            return next(iter(self._values.values()))[list(_BASE)].copy()
        out = _by_id(self.value_expr(bounds).execute(), self.buyers)
        if self.buyers is None:
            self.buyers = out.index
        for _, _, name in bounds:
            out[name] = out[name].fillna(0.0).astype(float)
        out["orders"] = out["orders"].astype(float)
        for c in ("first_purchase", "last_purchase"):
            out[c] = pd.to_datetime(out[c]).astype("datetime64[us]")
        self._values[key] = out
        return out.copy()

    def bought_since(self, start) -> pd.Index:
        """The customers with a purchase after ``start`` (start < date <= as_of), sorted."""
        t = self.table
        ids = t.filter(t.date > pd.Timestamp(start)).select("customer_id").distinct().execute()
        return _sorted_ids(ids["customer_id"])

    def launch_buyers(self, launches: Sequence[tuple[str, pd.Timestamp]], days: int
                      ) -> pd.DataFrame:
        """Who bought each launched category within ``days`` of its launch (launched <=
        date <= launched + days): ``customer_id`` and ``category``, one row each (none
        without launches). Needs the ``category`` column (``Purchases(...,
        columns=["category"])``)."""
        t = self.table
        if not launches:
            return pd.DataFrame({"customer_id": pd.Series([], dtype="str"),
                                 "category": pd.Series([], dtype="str")})
        if "category" not in t.columns:
            raise CSIInputError(f"{self.what}: no category column, which early adopters need "
                                "(map it with sources.transactions.columns.category)")
        hit = None
        for category, launched in launches:
            start = pd.Timestamp(launched).normalize()
            end = start + pd.Timedelta(days=int(days))
            one = (t.category == str(category)) & (t.date >= start) & (t.date <= end)
            hit = one if hit is None else hit | one
        out = t.filter(hit).select("customer_id", "category").distinct().execute()
        return out.astype({"customer_id": "str", "category": "str"}) \
            .sort_values(["category", "customer_id"]).reset_index(drop=True)

    def daily(self, end=None) -> pd.DataFrame:
        """One row per customer and purchase day on or before ``end`` (default as_of):
        ``customer_id``, ``date``, ``amount`` (the day's amounts summed)."""
        t = self.table
        if end is not None:
            t = t.filter(t.date <= pd.Timestamp(end))
        out = t.group_by(["customer_id", "date"]).aggregate(amount=_money_sum(t.amount)).execute()
        out["customer_id"] = out["customer_id"].astype(str)
        out["date"] = pd.to_datetime(out["date"]).astype("datetime64[us]")
        return out


def store_visits(visits, as_of, customer_ids: pd.Index, start) -> pd.Index:
    """The customers (of ``customer_ids``) with a store visit after ``start`` up to
    ``as_of``. Visits after as_of and visits of unknown ids are left out with a warning.

    >>> v = pd.DataFrame({"customer_id": ["c1", "c2"], "date": ["2026-06-01", "2024-01-01"]})
    >>> store_visits(v, "2026-09-30", pd.Index(["c1", "c2"]), "2025-09-30").tolist()
    ['c1']
    """
    import ibis

    as_of = pd.Timestamp(as_of).normalize()
    if isinstance(visits, pd.DataFrame):
        t = table(_typed(visits, "visits")[["customer_id", "date"]])
    elif isinstance(visits, ibis.Table):
        t = visits if "_row" in visits.columns else visits.mutate(_row=ibis.row_number())
    else:
        raise CSIInputError(f"visits: expected a DataFrame, got {type(visits).__name__}")
    n_late, rows = _rows_of(t, t.date > as_of)
    if n_late:
        warnings.warn(f"visits.date: {n_late} visit(s) after as_of {as_of.date()} "
                      f"({_listed(rows, n_late)}) left out", CSIWarning, stacklevel=2)
        t = t.filter(t.date <= as_of)
    known = table(_distinct_ids(customer_ids))
    unknown = t.anti_join(known, "customer_id").select("customer_id").distinct().execute()
    if len(unknown):
        ids = sorted(unknown["customer_id"].astype(str))
        warnings.warn(f"visits.customer_id: {len(ids)} id(s) not in customers ({_listed(ids)}) "
                      "left out; export the customer master again or correct the ids",
                      CSIWarning, stacklevel=2)
    seen = t.semi_join(known, "customer_id")
    ids = seen.filter(seen.date > pd.Timestamp(start)).select("customer_id").distinct().execute()
    return _sorted_ids(ids["customer_id"])


def purchase_days(transactions, end, start=None, amount: bool = True) -> pd.DataFrame:
    """Per customer, counting one purchase per customer and day (the unit of the BG/NBD
    and Gamma-Gamma papers) with start < date <= end: ``days`` (purchase days),
    ``first`` and ``last`` (dates), and with ``amount`` ``repeat_mean``, the mean of the
    days' amounts after the first day (NaN without a repeat).

    ``transactions``: a :class:`Purchases`, or a table with ``customer_id``, ``date`` (and
    ``amount``) as a DataFrame or an Ibis table.

    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "amount": [5.0, 5.0, 20.0, 9.0],
    ...                    "date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01",
    ...                                            "2026-03-01"])})
    >>> purchase_days(tx, "2026-12-31")[["days", "repeat_mean"]].to_dict("index")
    {'a': {'days': 2, 'repeat_mean': 20.0}, 'b': {'days': 1, 'repeat_mean': nan}}
    """
    import ibis

    if isinstance(transactions, Purchases):
        t = transactions.table
    elif isinstance(transactions, pd.DataFrame):
        cols = ["customer_id", "date"] + (["amount"] if amount else [])
        t = table(transactions[cols])
    elif isinstance(transactions, ibis.Table):
        t = transactions
    else:
        raise CSIInputError(f"transactions: expected a DataFrame, got {type(transactions).__name__}")
    t = t.filter(t.date <= pd.Timestamp(end))
    if start is not None:
        t = t.filter(t.date > pd.Timestamp(start))
    if amount:
        # the days' sums stay exact decimals: the repeat days' mean is (all days - the
        # first day) / (days - 1), in one pass instead of a join back to the first day
        d = t.group_by(["customer_id", "date"]).aggregate(
            amount=t.amount.cast("decimal(38, 4)").sum())
        f = d.group_by("customer_id").aggregate(
            days=d.count(), first=d.date.min(), last=d.date.max(), total=d.amount.sum(),
            first_amount=d.amount.argmin(d.date))
        f = f.mutate(repeat_mean=ibis.ifelse(
            f.days > 1, (f.total - f.first_amount).cast("float64") / (f.days - 1),
            ibis.null("float64"))).drop("total", "first_amount")
    else:
        d = t.select("customer_id", "date").distinct()
        f = d.group_by("customer_id").aggregate(days=d.count(), first=d.date.min(),
                                                last=d.date.max())
    out = _by_id(f.execute(), transactions.buyers if isinstance(transactions, Purchases)
                 else None)
    out["days"] = out["days"].astype(int)
    for c in ("first", "last"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[us]")
    return out
