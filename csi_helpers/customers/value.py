"""Customer value (客户价值) from the transactions: revenue, orders, first and last
purchase, and sales per 12-month year, per customer, computed by the embedded engine
(:mod:`csi_helpers.customers.engine`); :func:`purchases` checks the transactions once.

Reference: METHOD.md §5 (customer profile: transactions and purchases).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .engine import Purchases, member
from .ids import aligned, id_index
from .inputs import _as_of, _clean_customers, _require


# ---------------------------------------------------------------------------- value
def yearly_sales(transactions: pd.DataFrame, as_of, years: int | None = None,
                 period: str = "rolling", customers: pd.DataFrame | None = None,
                 negative: str = "error") -> pd.DataFrame:
    """Sales per customer and year: a wide table, one column per year (oldest first).

    ``period="rolling"`` (default): 12-month years ending at ``as_of``; the year ending on
    ``as_of`` is labelled with as_of's year (as_of 2026-09-30: column 2026 = the 12 months
    2025-10-01..2026-09-30, column 2025 the 12 months before). ``period="calendar"``:
    calendar years that end on or before ``as_of``.

    ``years``: how many years; by default every full year the data cover, where the
    export may start up to 31 days into a year and it still counts as covered.
    Customers without sales in a year get 0; with ``customers``, every customer gets a row.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["c1", "c1"], "date": ["2025-03-01", "2026-03-01"],
    ...                    "amount": [100.0, 120.0]})
    >>> yearly_sales(tx, "2026-09-30", years=2).loc["c1"].tolist()
    [100.0, 120.0]
    """
    as_of, p, bounds = _checked_years(transactions, as_of, customers, negative, years, period)
    value = p.value(bounds)
    wide = value[[name for _, _, name in bounds]].copy()
    wide.columns = [int(name) for _, _, name in bounds]
    ids = _clean_customers(customers).index if customers is not None else value.index
    wide = aligned(wide, ids, fill_value=0.0).astype(float)
    wide.index.name = "customer_id"
    wide.columns.name = "year"
    return wide


def purchases(transactions, as_of, customers=None, negative: str | None = "error",
              columns=()) -> Purchases:
    """The transactions checked once, in the embedded engine, as of ``as_of``
    (:class:`~csi_helpers.customers.engine.Purchases`): pass the result to
    :func:`customer_value`, :func:`yearly_sales`, :func:`tags`, :func:`rfm` and the CLV
    functions instead of the transactions, and the checks (and their warnings) run once.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["c1", "c1"], "date": ["2025-03-01", "2026-03-01"],
    ...                    "amount": [100.0, 120.0]})
    >>> p = purchases(tx, "2026-09-30")
    >>> customer_value(p, "2026-09-30", years=1)["sales_2026"].tolist()
    [120.0]
    """
    return _purchases(transactions, _as_of(as_of), customers, negative or "error", columns)


def _purchases(transactions, as_of: pd.Timestamp, customers=None, negative: str = "error",
               columns=()) -> Purchases:
    """The transactions checked once (:class:`~csi_helpers.customers.engine.Purchases`);
    a Purchases passed in is used as it is when its reference date is ``as_of``."""
    if isinstance(transactions, Purchases):
        if transactions.as_of != as_of:
            raise CSIInputError(f"as_of {as_of.date()} differs from the Purchases' as_of "
                                f"{transactions.as_of.date()}; check the transactions with "
                                "the same tiering.as_of")
        return transactions
    if not isinstance(transactions, pd.DataFrame) and not hasattr(transactions, "execute"):
        raise CSIInputError(f"transactions: expected a DataFrame, got "
                            f"{type(transactions).__name__}")
    if customers is not None:
        _require(customers, ["customer_id"], "customers")
    return Purchases(transactions, as_of, customers, negative, columns=tuple(columns))


def _checked_years(transactions, as_of, customers, negative, years, period):
    """(as_of, the checked Purchases, the year bounds): what yearly sales and customer
    value both start from."""
    if period not in ("rolling", "calendar"):
        raise CSIInputError(f"period={period!r}: use 'rolling' (12 months ending at as_of) "
                            "or 'calendar'")
    as_of = _as_of(as_of)
    p = _purchases(transactions, as_of, customers, negative)
    return as_of, p, _year_bounds(as_of, p.first_date(), years, period)


def _year_bounds(as_of: pd.Timestamp, first: pd.Timestamp, years, period: str
                 ) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """(start exclusive, end inclusive, year) of each year, oldest first (see
    :func:`yearly_sales`)."""
    if period == "rolling":
        ends = [as_of - pd.DateOffset(years=j) for j in range(0, 100)]
        bounds = [(e - pd.DateOffset(years=1), e) for e in ends]   # (start exclusive, end]
    else:
        last_year = as_of.year if as_of == pd.Timestamp(as_of.year, 12, 31) else as_of.year - 1
        bounds = [(pd.Timestamp(y - 1, 12, 31), pd.Timestamp(y, 12, 31))
                  for y in range(last_year, last_year - 100, -1)]
    if years is None:
        covered = [b for b in bounds if b[0] + pd.Timedelta(days=32) >= first]
        years = len(covered)
        if years == 0:
            raise CSIInputError(f"transactions.date: the data ({first.date()}..{as_of.date()}) "
                                f"cover no full {period} year; export at least one year")
    if not isinstance(years, (int, np.integer)) or years < 1:
        raise CSIInputError(f"years={years!r}: give a whole number of years >= 1")
    return [(s, e, str(int(e.year))) for s, e in bounds[:years][::-1]]


def customer_value(transactions: pd.DataFrame, as_of, customers: pd.DataFrame | None = None,
                   years: int | None = None, period: str = "rolling",
                   negative: str = "error") -> pd.DataFrame:
    """Per-customer value from the transaction export, as of a reference date.

    Columns: ``revenue`` (sum of amounts on or before as_of), ``revenue_per_year``
    (revenue / max(1, years from first purchase to as_of), years = days / 365.25),
    ``orders`` (distinct transaction ids), ``first_purchase``, ``last_purchase``,
    ``recency_days`` (as_of - last purchase), ``tenure_days`` (as_of - first purchase), and
    ``sales_<year>`` for each year of :func:`yearly_sales` (for growth and lifecycle).
    With ``customers``, every customer of the master gets a row (0 revenue, 0 orders, NaT
    dates when they never bought) and transactions of unknown ids are left out with a
    warning.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["c1", "c1", "c2"],
    ...                    "date": ["2025-03-01", "2026-03-01", "2026-09-01"],
    ...                    "amount": [100.0, 120.0, 50.0]})
    >>> customer_value(tx, "2026-09-30")[["revenue", "orders"]].loc["c1"].tolist()
    [220.0, 2.0]
    """
    as_of, p, bounds = _checked_years(transactions, as_of, customers, negative, years, period)
    out = p.value([(s, e, f"sales_{name}") for s, e, name in bounds])
    if customers is not None:
        out = aligned(out, _clean_customers(customers).index)
        out["revenue"] = out["revenue"].fillna(0.0)
        out["orders"] = out["orders"].fillna(0.0)
        for _, _, name in bounds:
            out[f"sales_{name}"] = out[f"sales_{name}"].fillna(0.0)
    out.index.name = "customer_id"
    out["recency_days"] = (as_of - out["last_purchase"]).dt.days.astype(float)
    out["tenure_days"] = (as_of - out["first_purchase"]).dt.days.astype(float)
    span = (out["tenure_days"] / 365.25).clip(lower=1.0).fillna(1.0)
    out["revenue_per_year"] = out["revenue"] / span
    cols = ["revenue", "revenue_per_year", "orders", "first_purchase", "last_purchase",
            "recency_days", "tenure_days"] + [f"sales_{name}" for _, _, name in bounds]
    return out[cols]


def _yearly_from(value_or_yearly: pd.DataFrame) -> pd.DataFrame:
    """The wide yearly-sales table from yearly_sales() or customer_value()'s sales_ columns."""
    df = value_or_yearly
    cols = [c for c in df.columns if str(c).startswith("sales_")]
    if cols:
        out = df[cols].copy()
        out.columns = [int(str(c)[len("sales_"):]) for c in cols]
    else:
        out = df.copy()
        try:
            out.columns = [int(c) for c in out.columns]
        except (TypeError, ValueError) as exc:
            raise CSIInputError("yearly_sales: columns must be years (2024, 2025, ...) or "
                                "sales_<year>; pass the table of yearly_sales() or "
                                "customer_value()") from exc
    out = out[sorted(out.columns)]
    if "customer_id" in df.columns:
        out.index = df["customer_id"].astype(str)
    out.index = id_index(out.index)
    vals = out.apply(pd.to_numeric, errors="coerce")
    if vals.isna().any().any():
        r, c = np.argwhere(vals.isna().to_numpy())[0]
        raise CSIInputError(f"yearly_sales: not a number for customer {out.index[r]!r}, year "
                            f"{out.columns[c]}; give sales as numbers (0 if none)")
    return vals.astype(float)

def retention(purchases: Purchases, value: pd.DataFrame, window_days: int = 365) -> pd.DataFrame:
    """Per customer of ``value`` (:func:`customer_value`): revenue, orders and ``retained``
    (bought in the last ``window_days`` up to as_of): the user quality a channel or a
    complaint is judged on.

    >>> tx = pd.DataFrame({"customer_id": ["a", "b"], "date": ["2025-01-05", "2026-09-01"],
    ...                    "amount": [10.0, 20.0]})
    >>> p = purchases(tx, "2026-09-30")
    >>> retention(p, customer_value(p, "2026-09-30", years=1))["retained"].tolist()
    [False, True]
    """
    out = value[["revenue", "orders"]].copy()
    start = purchases.as_of - pd.Timedelta(days=int(window_days))
    out["retained"] = member(out.index, purchases.bought_since(start))
    return out
