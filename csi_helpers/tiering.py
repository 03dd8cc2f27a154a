"""Customer tiering and differentiated treatment (METHOD.md §5).

From the client's CRM export (customers, transactions, store visits) this module builds
the tiers a consultant presents and the treatment each tier gets:

- ``customer_value``: revenue, orders, first/last purchase and yearly sales per customer;
- ``abc``: ABC (Pareto) tiers by cumulative revenue share, with ``pareto_figure``;
- ``pyramid``: the value pyramid VIP / large (大客户) / ordinary / small by top shares of
  customers, with ``pyramid_figure`` (the 80/20 rule drawn);
- ``rule_abc``: the rule-based A/B/C of a franchise network (agents and top franchisees;
  steady growers with high cooperation and loyalty; everyone else), with the reason;
- ``tags``: Y/N (visited the store), M/O (bought), VIP, and the treatment per tag (标签);
- ``rfm``: recency, frequency, monetary scores 1..bins and the eight RFM segments;
- ``lifecycle``: introduction / growth / maturity / decline (客户生命周期) from yearly sales;
- ``action_table``: customers, revenue share, treatment and contact rule per tier and tag;
- ``respondent_satisfaction`` and ``satisfaction_by_tier``: satisfaction (0-100) of
  survey respondents linked to customers, by tier, with a 95% t confidence interval.

Plain DataFrames in, tidy DataFrames out; per-customer tables are indexed by
``customer_id``. Thresholds are arguments whose defaults are those of ``params/demo.yaml``
(``tiering:`` block). Inputs are never modified.

Reference: METHOD.md §5; Pareto/ABC analysis as in inventory and customer management
(e.g. Kotler & Keller, *Marketing Management*, ch. on customer value); RFM as in Hughes
(1994), *Strategic Database Marketing*; the eight RFM segments (重要价值客户 ...) as used
in Chinese CRM practice.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .customers.engine import Purchases, member, store_visits
from .errors import CSIInputError, CSIWarning

#: Floating-point slack for share and growth thresholds (0.8 may be 0.7999999999).
_TOL = 1e-9
_MAX_LISTED = 5

# ---------------------------------------------------------------------------- labels
LABELS = {
    "en": {
        "abc": {"A": "A", "B": "B", "C": "C"},
        "pyramid": {"VIP": "VIP", "large": "Large", "ordinary": "Ordinary", "small": "Small"},
        "customers": "Customers", "revenue": "Revenue",
        "cum_customers": "Cumulative share of customers",
        "cum_revenue": "Cumulative share of revenue",
        "pareto_title": "Pareto curve of revenue with the ABC tiers",
        "pyramid_title": "Customer value pyramid",
        "equality": "Equal revenue per customer",
        "pyramid_x": "Width = share of customers; height = share of revenue",
        "pyramid_y": "Cumulative share of revenue from the top (height)",
        "rule_8020": "{c:.0%} of customers bring {r:.0%} of revenue",
        "tier_note": "{tier}: {c:.0%} of customers, {r:.0%} of revenue",
    },
    "zh": {
        "abc": {"A": "A类", "B": "B类", "C": "C类"},
        "pyramid": {"VIP": "VIP客户", "large": "大客户", "ordinary": "普通客户", "small": "小客户"},
        "customers": "客户数", "revenue": "销售额",
        "cum_customers": "累计客户占比",
        "cum_revenue": "累计销售额占比",
        "pareto_title": "销售额帕累托曲线与ABC分类",
        "pyramid_title": "客户价值金字塔",
        "equality": "每位客户销售额相同",
        "pyramid_x": "宽度 = 客户占比；高度 = 销售额占比",
        "pyramid_y": "自顶部起累计销售额占比（高度）",
        "rule_8020": "{c:.0%}的客户贡献{r:.0%}的销售额",
        "tier_note": "{tier}：客户占{c:.0%}，销售额占{r:.0%}",
    },
}

#: Treatment by tag (METHOD.md §5), in the client's language.
TREATMENTS = {
    "personal_care": {"en": "Personal care; make them friends and referrers",
                      "zh": "个性化关怀，发展为朋友和推荐人"},
    "bring_to_store": {"en": "Bring them to the store", "zh": "吸引到店"},
    "find_unmet_need": {"en": "Find the unmet need", "zh": "发掘未满足的需求"},
    "upgrade_cross_sell": {"en": "Upgrade and cross-sell", "zh": "升级购买与交叉销售"},
}

#: Contact rule by value (METHOD.md §5): VIPs one-to-one, buyers in small batches,
#: non-buyers in A/B/C message groups.
CONTACTS = {
    "one_to_one": {"en": "One-to-one; phone at least twice a year",
                   "zh": "一对一联系，每年至少电话两次"},
    "small_batch": {"en": "Contact in small batches", "zh": "分小批联系"},
    "message_group": {"en": "Message group {group}", "zh": "{group}类信息群组"},
}

#: The eight RFM segments of Chinese CRM practice: high/low on R, F, M (score at or above
#: the middle score counts as high).
RFM_SEGMENTS = pd.DataFrame(
    [
        ("high", "high", "high", "High value", "重要价值客户", "Keep close; reward and ask for referrals"),
        ("high", "low", "high", "High value to develop", "重要发展客户", "Raise purchase frequency"),
        ("low", "high", "high", "High value to retain", "重要保持客户", "Win them back before they lapse"),
        ("low", "low", "high", "High value to win back", "重要挽留客户", "Find out why they left; win back"),
        ("high", "high", "low", "Regular value", "一般价值客户", "Raise basket size: upgrade, cross-sell"),
        ("high", "low", "low", "Regular to develop", "一般发展客户", "Nurture new buyers"),
        ("low", "high", "low", "Regular to retain", "一般保持客户", "Re-engage with offers"),
        ("low", "low", "low", "Regular to win back", "一般挽留客户", "Low-cost mass messages"),
    ],
    columns=["R", "F", "M", "segment", "segment_zh", "action"],
)

LIFECYCLE_STAGES = {
    "introduction": {"en": "Introduction", "zh": "导入期",
                     "care": "New-customer management"},
    "growth": {"en": "Growth", "zh": "成长期", "care": "Satisfied-customer management"},
    "maturity": {"en": "Maturity", "zh": "成熟期", "care": "Satisfied-customer management"},
    "decline": {"en": "Decline", "zh": "衰退期",
                "care": "Dissatisfied-customer and churn-prevention management"},
}


DEFAULTS = {
    "as_of": None,
    "abc": {"a": 0.80, "b": 0.95},
    "pyramid": {"vip": 0.01, "large": 0.05, "ordinary": 0.50},
    "rule_abc": {"a_customer_types": ["agent"], "a_top_share": 0.20,
                 "a_top_among": ["franchisee"], "b_growth": 0.10, "b_consecutive_years": 2,
                 "b_min_cooperation": 4},
    "tags": {"window_days": 365},
    "rfm": {"bins": 5},
    "negative_amounts": None,
}


def settings(params: dict, transactions: pd.DataFrame | None = None) -> dict:
    """The ``tiering:`` block of the params with defaults filled in, ready to pass on:
    ``abc(revenue, **cfg["abc"])``, ``rule_abc(customers, yearly, **cfg["rule_abc"])`` ...

    ``as_of`` (the reference date) defaults, as the template documents, to the date of the
    last transaction; without ``tiering.as_of`` and without `transactions` it is a
    ``CSIInputError`` naming ``tiering.as_of``. Unknown keys are left out.

    Example
    -------
    >>> settings({"tiering": {"as_of": "2026-09-30", "abc": {"a": 0.7}}})["abc"]
    {'a': 0.7, 'b': 0.95}
    """
    block = (params or {}).get("tiering") or {}
    out = {}
    for key, default in DEFAULTS.items():
        if key == "as_of":
            given = block.get("as_of")
            if given in (None, ""):
                dates = None if transactions is None else transactions.get("date")
                if dates is None or dates.dropna().empty:
                    raise CSIInputError("tiering.as_of: not set and no transaction dates to "
                                        "take it from; set the reference date of the tiering "
                                        "(YYYY-MM-DD, usually the end of the CRM export)")
                given = pd.Timestamp(dates.max()).normalize()
            out["as_of"] = _as_of(given, "tiering.as_of")
            continue
        if key == "negative_amounts":
            # null: no policy declared (csi validate asks for one when amounts are negative)
            out[key] = block.get(key) or "error"
            continue
        given = block.get(key) if isinstance(block.get(key), Mapping) else {}
        out[key] = {k: given.get(k, v) for k, v in default.items()}
    return out


def preflight(params: dict, customers: pd.DataFrame, transactions: pd.DataFrame) -> list[str]:
    """What notebook 05 would stop on or silently get wrong, checked before a run starts
    (``csi validate`` calls this with the CRM tables as read): one line per problem.

    * ``as_of`` can be set (given, or transactions with dates);
    * the transactions cover the full years the B rule needs (``b_consecutive_years + 1``);
    * negative amounts (returns) come with a declared ``tiering.negative_amounts`` policy;
    * the transactions are not empty;
    * every type of ``rule_abc.a_customer_types`` / ``a_top_among`` occurs in the customer
      master (a type no customer has selects nobody: 0 A-tier customers without a word).

    Example
    -------
    >>> preflight({"tiering": {"as_of": "2026-09-30"}}, customers, transactions)  # doctest: +SKIP
    []
    """
    problems: list[str] = []
    try:
        cfg = settings(params, transactions)
    except CSIInputError as exc:
        return [str(exc)]
    rule = cfg["rule_abc"]
    amounts = pd.to_numeric(transactions.get("amount"), errors="coerce") \
        if "amount" in transactions.columns else pd.Series(dtype=float)
    n_neg = int((amounts < 0).sum())
    declared = ((params or {}).get("tiering") or {}).get("negative_amounts")
    if n_neg and declared in (None, "error"):
        problems.append(
            f"tiering.negative_amounts: {n_neg} transaction(s) have a negative amount (returns "
            f"or refunds?) and {'no policy is declared' if declared is None else 'the policy is error'}"
            "; set tiering.negative_amounts: net (subtract them from the customer's revenue), "
            "drop (leave them out, counted) or correct the export")
    if transactions.empty:
        problems.append("sources.transactions: the export has no rows; export the transactions "
                        "of the last three years, or leave sources.transactions out")
        return problems
    try:
        years = yearly_sales(transactions, cfg["as_of"],
                             negative="net" if n_neg else "error").shape[1]
    except CSIInputError as exc:
        return problems + [f"sources.transactions: {exc}"]
    need = int(rule["b_consecutive_years"]) + 1
    if years < need:
        problems.append(
            f"tiering.rule_abc.b_consecutive_years: {rule['b_consecutive_years']} years of growth "
            f"need {need} full years of transactions up to as_of {cfg['as_of'].date()}, but the "
            f"export covers {years}; export more history, or set b_consecutive_years: "
            f"{max(years - 1, 1)}" + ("" if years > 1 else " (with a single year the B rule "
                                      "cannot run: export at least two years)"))
    if "customer_type" in customers.columns:
        found = customers["customer_type"].dropna().astype(str)
        counts = found.value_counts()
        shown = ", ".join(f"{t!r} ({n})" for t, n in counts.head(8).items())
        for key in ("a_customer_types", "a_top_among"):
            for i, t in enumerate(rule[key] or []):
                if str(t) not in counts.index:
                    problems.append(
                        f"tiering.rule_abc.{key}[{i}]: no customer has type {t!r} (types in "
                        f"the customer export: {shown}); use one of those, or map the export's "
                        "values with sources.customers.values.customer_type")
    return problems


def _lang(lang: str) -> str:
    if lang not in LABELS:
        raise CSIInputError(f"lang={lang!r}: unknown language; use 'en' or 'zh' "
                            "(client.language in the params file)")
    return lang


# ---------------------------------------------------------------------------- checks
def _as_of(as_of, name: str = "as_of") -> pd.Timestamp:
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        raise CSIInputError(f"{name}={as_of!r}: not a date; give it as YYYY-MM-DD "
                            "(tiering.as_of in the params file)") from exc
    if pd.isna(ts):
        raise CSIInputError(f"{name}: missing; give the reference date as YYYY-MM-DD "
                            "(tiering.as_of in the params file)")
    return ts.normalize()


def _rows(index: Iterable) -> str:
    idx = list(index)
    shown = ", ".join(str(i) for i in idx[:_MAX_LISTED])
    more = f" and {len(idx) - _MAX_LISTED} more" if len(idx) > _MAX_LISTED else ""
    return shown + more


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise CSIInputError(f"{what}: expected a DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CSIInputError(f"{what}: column(s) {', '.join(map(repr, missing))} missing; "
                            f"the file needs {', '.join(columns)} (see docs/contracts.md)")
    if len(df) == 0:
        raise CSIInputError(f"{what}: no rows; export the data for the period and try again")


def _ids(s: pd.Series, what: str) -> pd.Series:
    bad = s.isna() | (s.astype(str).str.strip() == "")
    if bad.any():
        raise CSIInputError(f"{what}.customer_id: empty in row(s) {_rows(s.index[bad])}; "
                            "fill in the customer id or delete the row(s)")
    return s.astype(str).str.strip()


def _dates(s: pd.Series, what: str) -> pd.Series:
    d = pd.to_datetime(s, errors="coerce")
    bad = d.isna()
    if bad.any():
        raise CSIInputError(f"{what}.date: not a date (YYYY-MM-DD) in row(s) "
                            f"{_rows(s.index[bad])} (e.g. {s[bad].iloc[0]!r}); correct or "
                            "delete the row(s)")
    return d.dt.normalize()


def clean_transactions(transactions: pd.DataFrame, as_of, customers: pd.DataFrame | None = None,
                       negative: str = "error") -> pd.DataFrame:
    """Check a transaction export and return a clean copy up to ``as_of``.

    Checks (every problem names the column and rows, and the fix):

    - columns ``customer_id``, ``date``, ``amount`` present and at least one row
      (``CSIInputError``); ``transaction_id`` optional (one order per row without it);
    - ``amount`` numeric (``CSIInputError`` naming the rows); negative amounts (returns,
      refunds) raise unless ``negative="net"`` (kept and netted into the customer's
      revenue, with a ``CSIWarning``) or ``negative="drop"`` (dropped, with a warning);
    - ``date`` a date; transactions after ``as_of`` are left out with a ``CSIWarning``
      (they belong to the next period);
    - customer ids not in ``customers`` (when given) are left out with a ``CSIWarning``
      naming them (fix: export the customer master again, or correct the ids).

    Returns columns ``transaction_id`` (str), ``customer_id`` (str), ``date``
    (datetime64), ``amount`` (float) and any other columns of the input.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["c1"], "date": ["2026-01-05"], "amount": [99.0]})
    >>> clean_transactions(tx, "2026-09-30")["amount"].tolist()
    [99.0]
    """
    what = "transactions"
    _require(transactions, ["customer_id", "date", "amount"], what)
    if negative not in ("error", "net", "drop"):
        raise CSIInputError(f"negative={negative!r}: use 'error', 'net' or 'drop'")
    as_of = _as_of(as_of)
    tx = transactions.copy()
    tx["customer_id"] = _ids(tx["customer_id"], what)
    tx["date"] = _dates(tx["date"], what)
    raw = tx["amount"]
    amount = pd.to_numeric(raw, errors="coerce")
    bad = amount.isna() | ~np.isfinite(amount.astype(float))
    if bad.any():
        raise CSIInputError(f"{what}.amount: not a number in row(s) {_rows(tx.index[bad])} "
                            f"(e.g. {raw[bad].iloc[0]!r}); write amounts as plain numbers "
                            "such as 1250.50, without currency signs or thousands separators")
    tx["amount"] = amount.astype(float)
    neg = tx["amount"] < 0
    if neg.any():
        rows = _rows(tx.index[neg])
        if negative == "error":
            raise CSIInputError(
                f"{what}.amount: negative in {int(neg.sum())} row(s) {rows}; if these are "
                "returns or refunds pass negative='net' to net them against the customer's "
                "purchases (or 'drop' to ignore them), otherwise correct the amounts")
        if negative == "drop":
            warnings.warn(f"{what}.amount: {int(neg.sum())} negative row(s) ({rows}) dropped",
                          CSIWarning, stacklevel=2)
            tx = tx.loc[~neg]
        else:
            warnings.warn(f"{what}.amount: {int(neg.sum())} negative row(s) ({rows}) netted "
                          "into revenue as returns", CSIWarning, stacklevel=2)
    late = tx["date"] > as_of
    if late.any():
        warnings.warn(f"{what}.date: {int(late.sum())} row(s) after as_of "
                      f"{as_of.date()} ({_rows(tx.index[late])}) left out; they belong to "
                      "the next period (or set tiering.as_of later)", CSIWarning, stacklevel=2)
        tx = tx.loc[~late]
    if customers is not None:
        _require(customers, ["customer_id"], "customers")
        known = set(_ids(customers["customer_id"], "customers"))
        unknown = ~tx["customer_id"].isin(known)
        if unknown.any():
            ids = sorted(tx.loc[unknown, "customer_id"].unique())
            warnings.warn(
                f"{what}.customer_id: {len(ids)} id(s) not in customers ({_rows(ids)}); "
                f"their {int(unknown.sum())} transaction(s) are left out. Export the "
                "customer master again or correct the ids", CSIWarning, stacklevel=2)
            tx = tx.loc[~unknown]
    if "transaction_id" in tx.columns:
        tid = tx["transaction_id"]
        tx["transaction_id"] = tid.where(tid.notna(), pd.Series(
            [f"row{i}" for i in tx.index], index=tx.index)).astype(str)
    else:
        tx["transaction_id"] = [f"row{i}" for i in tx.index]
    if len(tx) == 0:
        raise CSIInputError(f"{what}: no transactions left on or before as_of "
                            f"{as_of.date()}; check tiering.as_of and the export's period")
    return tx


def _clean_customers(customers: pd.DataFrame, columns=("customer_id",)) -> pd.DataFrame:
    _require(customers, list(columns), "customers")
    c = customers.copy()
    c["customer_id"] = _ids(c["customer_id"], "customers")
    dup = c["customer_id"].duplicated(keep=False)
    if dup.any():
        raise CSIInputError(f"customers.customer_id: duplicated id(s) "
                            f"{_rows(sorted(c.loc[dup, 'customer_id'].unique()))}; keep one "
                            "row per customer in the customer master")
    return c.set_index("customer_id")


def _revenue_series(revenue, column: str = "revenue") -> pd.Series:
    """A float Series indexed by customer_id from a Series or a per-customer DataFrame."""
    if isinstance(revenue, pd.DataFrame):
        if column not in revenue.columns:
            raise CSIInputError(f"revenue: column {column!r} missing; pass a Series of revenue "
                                "by customer_id or the table of customer_value()")
        s = revenue[column]
        if "customer_id" in revenue.columns:
            s = pd.Series(s.to_numpy(), index=revenue["customer_id"].astype(str))
    elif isinstance(revenue, pd.Series):
        s = revenue
    else:
        raise CSIInputError(f"revenue: expected a Series or DataFrame, got {type(revenue).__name__}")
    if len(s) == 0:
        raise CSIInputError("revenue: no customers; check the transaction export")
    s = s.copy()
    s.index = pd.Index(s.index.astype(str), name="customer_id")
    if s.index.duplicated().any():
        raise CSIInputError(f"revenue: duplicated customer id(s) "
                            f"{_rows(sorted(set(s.index[s.index.duplicated()])))}; "
                            "sum revenue per customer first (customer_value does)")
    v = pd.to_numeric(s, errors="coerce")
    bad = v.isna()
    if bad.any():
        raise CSIInputError(f"revenue: not a number for customer(s) {_rows(s.index[bad])}; "
                            "give every customer a numeric revenue (0 if none)")
    if (v < 0).any():
        raise CSIInputError(f"revenue: negative for customer(s) {_rows(s.index[v < 0])}; "
                            "net returns cannot exceed purchases: check those customers")
    if v.sum() <= 0:
        raise CSIInputError("revenue: total is zero; nothing to tier (check the export's period)")
    return v.astype(float).rename("revenue")


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
    if period not in ("rolling", "calendar"):
        raise CSIInputError(f"period={period!r}: use 'rolling' (12 months ending at as_of) "
                            "or 'calendar'")
    as_of = _as_of(as_of)
    p = _purchases(transactions, as_of, customers, negative)
    bounds = _year_bounds(as_of, p.first_date(), years, period)
    value = p.value(bounds)
    wide = value[[name for _, _, name in bounds]].copy()
    wide.columns = [int(name) for _, _, name in bounds]
    ids = _clean_customers(customers).index if customers is not None else value.index
    wide = wide.reindex(ids, fill_value=0.0).astype(float)
    wide.index.name = "customer_id"
    wide.columns.name = "year"
    return wide


def purchases(transactions, as_of, customers=None, negative: str | None = "error") -> Purchases:
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
    return _purchases(transactions, _as_of(as_of), customers, negative or "error")


def _purchases(transactions, as_of: pd.Timestamp, customers=None, negative: str = "error"
               ) -> Purchases:
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
    return Purchases(transactions, as_of, customers, negative)


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
    if period not in ("rolling", "calendar"):
        raise CSIInputError(f"period={period!r}: use 'rolling' (12 months ending at as_of) "
                            "or 'calendar'")
    as_of = _as_of(as_of)
    p = _purchases(transactions, as_of, customers, negative)
    bounds = _year_bounds(as_of, p.first_date(), years, period)
    out = p.value([(s, e, f"sales_{name}") for s, e, name in bounds])
    if customers is not None:
        out = out.reindex(_clean_customers(customers).index)
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
    out.index = pd.Index(out.index.astype(str), name="customer_id")
    vals = out.apply(pd.to_numeric, errors="coerce")
    if vals.isna().any().any():
        r, c = np.argwhere(vals.isna().to_numpy())[0]
        raise CSIInputError(f"yearly_sales: not a number for customer {out.index[r]!r}, year "
                            f"{out.columns[c]}; give sales as numbers (0 if none)")
    return vals.astype(float)


# ---------------------------------------------------------------------------- ABC / Pareto
def _rank_table(rev: pd.Series) -> pd.DataFrame:
    """Customers sorted by revenue descending, ties by customer_id; cumulative shares."""
    t = rev.to_frame()
    t["_id"] = t.index
    t = t.sort_values(["revenue", "_id"], ascending=[False, True]).drop(columns="_id")
    total = t["revenue"].sum()
    n = len(t)
    t["rank"] = np.arange(1, n + 1)
    t["share"] = t["revenue"] / total
    t["cum_share"] = t["revenue"].cumsum() / total
    t["cum_share_before"] = t["cum_share"] - t["share"]
    t["customer_cum_share"] = t["rank"] / n
    return t


def _ties_share_best(t: pd.DataFrame, code: pd.Series) -> pd.Series:
    """Equal revenue, equal tier: each tie group takes the best (lowest) code among it."""
    return code.groupby(t["revenue"]).transform("min")


def _summary(t: pd.DataFrame, tiers: list[str]) -> pd.DataFrame:
    g = t.groupby("tier", observed=False)
    s = pd.DataFrame({
        "customers": g.size(),
        "revenue": g["revenue"].sum(),
        "min_revenue": g["revenue"].min(),
        "max_revenue": g["revenue"].max(),
    }).reindex(tiers)
    s["customers"] = s["customers"].fillna(0).astype(int)
    s["revenue"] = s["revenue"].fillna(0.0)
    s.insert(1, "customer_share", s["customers"] / s["customers"].sum())
    s.insert(3, "revenue_share", s["revenue"] / s["revenue"].sum())
    s["cum_customer_share"] = s["customer_share"].cumsum()
    s["cum_revenue_share"] = s["revenue_share"].cumsum()
    s.index.name = "tier"
    return s


@dataclass(frozen=True)
class TierResult:
    """Per-customer tiers (``table``, indexed by customer_id) and a ``summary`` per tier."""

    kind: str
    table: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    thresholds: dict = field(default_factory=dict)
    rule: str | None = None    # the rule in words, printed instead of the thresholds

    @property
    def tier(self) -> pd.Series:
        """The tier of each customer (Series indexed by customer_id)."""
        return self.table["tier"]

    def __repr__(self) -> str:
        th = self.rule or ", ".join(f"{k}={v}" for k, v in self.thresholds.items())
        lines = [f"{self.kind} tiers ({th}): {len(self.table)} customers"]
        for tier, row in self.summary.iterrows():
            lines.append(f"  {tier:<9} {int(row['customers']):>6} customers "
                         f"({row['customer_share']:6.1%})  revenue share {row['revenue_share']:6.1%}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{self.__repr__()}</pre>" + self.summary.to_html(float_format="{:.3f}".format)


def abc(revenue, a: float = 0.80, b: float = 0.95) -> TierResult:
    """ABC (Pareto) tiers by cumulative revenue share.

    Customers are sorted by revenue, largest first (equal revenue: by customer_id). With
    ``S_before`` the cumulative revenue share of the customers ranked above a customer:

        tier A  if S_before < a           (A = the fewest top customers whose revenue
        tier B  if a <= S_before < b       reaches at least a of the total)
        tier C  otherwise

    **Boundary rule:** the customer whose revenue crosses ``a`` (80%) is in **A**: A
    closes with the first customer at which the cumulative share reaches 80%; a customer
    who lands exactly on 80% is the last A, and the next one is B. Likewise the customer
    crossing ``b`` is the last B. Shares are compared with a 1e-9 tolerance, so 0.8
    computed as 0.79999999 is 0.8. **Ties:** customers with equal revenue are never split
    between tiers; a tie group straddling a boundary takes the better tier.
    Customers with zero revenue are C.

    Returns a :class:`TierResult`: ``table`` (revenue, rank, share, cum_share,
    cum_share_before, customer_cum_share, tier) sorted by rank, ``summary`` per tier
    (customers, customer_share, revenue, revenue_share, min/max revenue, cumulative
    shares).

    Example
    -------
    >>> r = abc(pd.Series({"c1": 70.0, "c2": 20.0, "c3": 6.0, "c4": 4.0}))
    >>> r.tier.tolist()   # c2 crosses 80% (70 -> 90): A; c3 crosses 95%: B
    ['A', 'A', 'B', 'C']
    """
    if not (0 < a < b <= 1):
        raise CSIInputError(f"abc thresholds a={a}, b={b}: need 0 < a < b <= 1 "
                            "(tiering.abc.a and tiering.abc.b, e.g. 0.80 and 0.95)")
    rev = _revenue_series(revenue)
    t = _rank_table(rev)
    before = t["cum_share_before"]
    code = pd.Series(np.where(before < a - _TOL, 0, np.where(before < b - _TOL, 1, 2)),
                     index=t.index)
    code = _ties_share_best(t, code)
    code[t["revenue"] <= 0] = 2
    t["tier"] = np.array(["A", "B", "C"])[code.to_numpy()]
    return TierResult("ABC (Pareto)", t, _summary(t, ["A", "B", "C"]), {"a": a, "b": b})


def pareto_figure(result: TierResult, lang: str = "en", title: str | None = None):
    """Lorenz / Pareto curve: cumulative share of revenue against cumulative share of
    customers (largest first), with the ABC tier boundaries marked and shaded.

    Example
    -------
    >>> fig = pareto_figure(abc(pd.Series({"c1": 70.0, "c2": 20.0, "c3": 10.0})))
    """
    import matplotlib.pyplot as plt

    from . import plotting
    plotting.setup()
    L = LABELS[_lang(lang)]
    t = result.table
    x = np.concatenate([[0.0], t["customer_cum_share"].to_numpy()])
    y = np.concatenate([[0.0], t["cum_share"].to_numpy()])
    fig, ax = plt.subplots(figsize=(7, 5))
    colours = {"A": plotting.PALETTE["primary"], "B": plotting.PALETTE["accent"],
               "C": plotting.PALETTE["neutral"]}
    start = 0.0
    for tier, row in result.summary.iterrows():
        end = row["cum_customer_share"]
        if row["customers"] > 0:
            ax.axvspan(start, end, color=colours.get(tier, "#ccc"), alpha=0.12, lw=0)
            ax.axvline(end, color=colours.get(tier, "#999"), lw=0.8, ls="--")
            name = L["abc"].get(tier, tier)
            ax.annotate(L["tier_note"].format(tier=name, c=row["customer_share"],
                                              r=row["revenue_share"]),
                        xy=((start + end) / 2, 0.04 + 0.09 * "ABC".index(tier)
                            if tier in "ABC" else 0.04),
                        ha="center", fontsize=8, color=colours.get(tier, "#333"))
        start = end
    ax.plot(x, y, color=plotting.PALETTE["primary"], lw=2)
    ax.plot([0, 1], [0, 1], color=plotting.PALETTE["neutral"], lw=1, ls=":",
            label=L["equality"])
    for key in ("a", "b"):
        if key in result.thresholds:
            ax.axhline(result.thresholds[key], color="#555", lw=0.6, ls=":")
            ax.text(1.0, result.thresholds[key], f" {result.thresholds[key]:.0%}",
                    va="center", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(L["cum_customers"])
    ax.set_ylabel(L["cum_revenue"])
    ax.set_title(title or L["pareto_title"])
    ax.legend(loc="center right", frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------- pyramid
PYRAMID_TIERS = ["VIP", "large", "ordinary", "small"]


def pyramid(revenue, vip: float = 0.01, large: float = 0.05, ordinary: float = 0.50) -> TierResult:
    """The customer value pyramid: VIP / large (大客户) / ordinary / small.

    Customers are ranked by revenue, largest first (ties by customer_id) and cut by
    top shares of the *number of customers* (not of revenue): with n customers,

        VIP       rank <= ceil(vip * n)          (top 1%: at least one VIP)
        large     rank <= ceil(large * n)        (the rest of the top 5%)
        ordinary  rank <= ceil(ordinary * n)     (the rest of the top 50%)
        small     everyone else

    ``ceil`` takes the fewest customers that make up at least that share of the base
    (products such as 0.05 * 100 = 5.000000000000001 are taken as 5). Ties: customers with
    equal revenue share the better tier. Customers with zero revenue are small.

    Returns a :class:`TierResult` whose ``summary`` gives customers, revenue and their
    shares per tier; :func:`pyramid_figure` draws it.

    Example
    -------
    >>> r = pyramid(pd.Series({f"c{i:03d}": float(1000 - i) for i in range(200)}))
    >>> r.summary["customers"].tolist()
    [2, 8, 90, 100]
    """
    if not (0 < vip < large < ordinary < 1):
        raise CSIInputError(f"pyramid shares vip={vip}, large={large}, ordinary={ordinary}: "
                            "need 0 < vip < large < ordinary < 1 (tiering.pyramid, e.g. "
                            "0.01, 0.05, 0.50)")
    rev = _revenue_series(revenue)
    t = _rank_table(rev)
    n = len(t)
    cuts = [math.ceil(s * n - _TOL) for s in (vip, large, ordinary)]
    rank = t["rank"].to_numpy()
    code = np.full(n, 3)
    for i in (2, 1, 0):
        code[rank <= cuts[i]] = i
    code = _ties_share_best(t, pd.Series(code, index=t.index))
    code[t["revenue"] <= 0] = 3
    t["tier"] = np.array(PYRAMID_TIERS)[code.to_numpy()]
    return TierResult("Value pyramid", t, _summary(t, PYRAMID_TIERS),
                      {"vip": vip, "large": large, "ordinary": ordinary})


def pareto_line(result: "TierResult", revenue_share: float = 0.80, lang: str = "en") -> str:
    """The x/80 rule in one sentence: which share of customers brings ``revenue_share``.

    >>> pareto_line(pyramid(pd.Series([90.0, 5, 3, 2])), lang="zh")      # doctest: +SKIP
    '25.0% 的客户带来 80% 的收入'
    """
    x = pareto_point(result, revenue_share)
    if lang == "zh":
        return f"{x:.1%} 的客户带来 {revenue_share:.0%} 的收入"
    return f"{x:.1%} of customers bring {revenue_share:.0%} of revenue"


def pareto_point(result: TierResult, revenue_share: float = 0.80) -> float:
    """The share of customers (largest first) that brings ``revenue_share`` of revenue:
    the customer_cum_share of the first customer whose cumulative share reaches it (the
    "x%" of the x/80 rule)."""
    t = result.table
    hit = t.loc[t["cum_share"] >= revenue_share - _TOL, "customer_cum_share"]
    return float(hit.iloc[0])


def pyramid_figure(result: TierResult, lang: str = "en", title: str | None = None):
    """The value pyramid as stacked bands, top tier first: each band's height is the
    tier's share of revenue and its width the tier's share of customers, so the few VIPs
    make a tall narrow top and the many small customers a wide flat base. The 80/20 rule
    is drawn as the line at 80% of revenue, labelled with the share of customers (largest
    first) who bring it (:func:`pareto_point`).

    Example
    -------
    >>> fig = pyramid_figure(pyramid(pd.Series({f"c{i}": 2.0 ** -i for i in range(50)})))
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from . import plotting
    plotting.setup()
    L = LABELS[_lang(lang)]
    colours = [plotting.PALETTE["accent"], plotting.PALETTE["primary"], "#5b8db8", "#c9d7e6"]
    fig, ax = plt.subplots(figsize=(7, 5.5))
    top = 1.0
    for i, (tier, row) in enumerate(result.summary.iterrows()):
        h, w = float(row["revenue_share"]), float(row["customer_share"])
        if row["customers"] == 0:
            continue
        ax.add_patch(Rectangle((-w / 2, top - h), w, h, facecolor=colours[i % len(colours)],
                               edgecolor="white", lw=1))
        ax.text(0.29, top - h / 2, L["tier_note"].format(tier=L["pyramid"].get(tier, tier),
                                                          c=w, r=h),
                va="center", fontsize=9)
        ax.plot([w / 2 + 0.005, 0.28], [top - h / 2] * 2, color="#999", lw=0.6)
        top -= h
    c80 = pareto_point(result, 0.80)
    ax.axhline(1 - 0.80, color=plotting.PALETTE["bad"], lw=1, ls="--")
    ax.text(0.29, 1 - 0.80 - 0.015, L["rule_8020"].format(c=c80, r=0.80),
            color=plotting.PALETTE["bad"], fontsize=9, va="top")
    ax.set_xlim(-0.3, 0.8)
    ax.set_ylim(-0.01, 1.01)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_yticklabels(["100%", "80%", "60%", "40%", "20%", "0%"])
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.set_xlabel(L["pyramid_x"])
    ax.set_ylabel(L["pyramid_y"])
    ax.set_title(title or L["pyramid_title"])
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------- rule-based ABC
def growth_rates(yearly: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year growth ``s_y / s_(y-1) - 1`` per customer; NaN when the previous year's
    sales are 0 (growth from nothing is undefined, not infinite)."""
    y = _yearly_from(yearly)
    cols = list(y.columns)
    out = {}
    for prev, cur in zip(cols[:-1], cols[1:]):
        p = y[prev]
        out[cur] = (y[cur] / p.where(p > 0)) - 1.0
    return pd.DataFrame(out, index=y.index)


def rule_abc(customers: pd.DataFrame, yearly_sales: pd.DataFrame,
             a_customer_types: Iterable[str] = ("agent",), a_top_share: float = 0.20,
             a_top_among: Iterable[str] = ("franchisee",), b_growth: float = 0.10,
             b_consecutive_years: int = 2, b_min_cooperation: float = 4,
             lang: str = "en") -> TierResult:
    """The rule-based A/B/C of a franchise network (METHOD.md §5), with the reason
    (``reason``, in ``lang``).

    Rules, applied in this order (the first that fits decides):

    - **A by type**: ``customer_type`` in ``a_customer_types`` (agents).
    - **A by sales**: among customers whose type is in ``a_top_among`` (franchisees), the
      top ``a_top_share`` by sales of the last full year (the last column of
      ``yearly_sales``): ranks 1..ceil(a_top_share * n_franchisees), ties at the cut
      included, and only customers with sales > 0.
    - **B**: sales up at least ``b_growth`` (10%) in each of the last
      ``b_consecutive_years`` (2) years, growth ``s_y / s_(y-1) - 1`` compared with a
      1e-9 tolerance (exactly +10% qualifies), and both ``cooperation`` and ``loyalty``
      (1-5) at least ``b_min_cooperation``. Growth from a year with no sales is undefined
      and does not qualify; a missing score does not qualify.
    - **C**: everyone else.

    ``yearly_sales``: the table of :func:`yearly_sales` (or :func:`customer_value`, whose
    ``sales_<year>`` columns are used); it needs ``b_consecutive_years + 1`` years.
    Customers of the master without sales count as 0; sales of ids not in ``customers``
    are ignored with a warning.

    Returns a :class:`TierResult`; ``table`` has customer_type, cooperation, loyalty, the
    last year's sales, ``growth_<year>`` columns, ``tier``, ``rule`` (A:type, A:top_sales,
    B:growth, C:other), ``reason`` (a sentence saying which rule and which numbers) and
    ``revenue`` (the sum of the years of ``yearly_sales``, for the summary's shares).

    Example
    -------
    >>> cust = pd.DataFrame({"customer_id": ["a1", "f1", "f2"], "customer_type":
    ...     ["agent", "franchisee", "franchisee"], "cooperation": [3, 5, 5], "loyalty": [3, 5, 4]})
    >>> ys = pd.DataFrame({2024: [1., 100., 50.], 2025: [1., 50., 60.], 2026: [1., 20., 70.]},
    ...                   index=["a1", "f1", "f2"])
    >>> rule_abc(cust, ys).tier.to_dict()   # f2 is the top 20% (1 of 2) franchisee
    {'f2': 'A', 'a1': 'A', 'f1': 'C'}
    """
    a_types = [str(x) for x in (a_customer_types or [])]
    among = [str(x) for x in (a_top_among or [])]
    if not (0 <= a_top_share <= 1):
        raise CSIInputError(f"a_top_share={a_top_share}: give a share between 0 and 1 "
                            "(tiering.rule_abc.a_top_share, e.g. 0.20)")
    if not isinstance(b_consecutive_years, (int, np.integer)) or b_consecutive_years < 1:
        raise CSIInputError(f"b_consecutive_years={b_consecutive_years!r}: give a whole "
                            "number >= 1 (tiering.rule_abc.b_consecutive_years)")
    c = _clean_customers(customers, ["customer_id", "customer_type", "cooperation", "loyalty"])
    for col in ("cooperation", "loyalty"):
        v = pd.to_numeric(c[col], errors="coerce")
        bad = v.isna() & c[col].notna()
        if bad.any():
            raise CSIInputError(f"customers.{col}: not a number for customer(s) "
                                f"{_rows(c.index[bad])}; use scores 1-5 (empty if unknown)")
        c[col] = v
    ctype = c["customer_type"].astype(str).str.strip().str.lower()
    y = _yearly_from(yearly_sales)
    unknown = y.index.difference(c.index)
    if len(unknown):
        warnings.warn(f"yearly_sales: {len(unknown)} customer id(s) not in customers "
                      f"({_rows(sorted(unknown))}) ignored", CSIWarning, stacklevel=2)
    y = y.reindex(c.index, fill_value=0.0)
    years = list(y.columns)
    if len(years) < b_consecutive_years + 1:
        raise CSIInputError(
            f"yearly_sales: {len(years)} year(s) ({', '.join(map(str, years))}) but the B "
            f"rule needs {b_consecutive_years + 1} to see {b_consecutive_years} years of "
            "growth; export more history or lower tiering.rule_abc.b_consecutive_years")
    last = years[-1]
    g = growth_rates(y)
    recent = list(g.columns)[-b_consecutive_years:]

    t = pd.DataFrame(index=c.index)
    t["customer_type"] = c["customer_type"]
    t["cooperation"] = c["cooperation"]
    t["loyalty"] = c["loyalty"]
    t[f"sales_{last}"] = y[last]
    for col in g.columns:
        t[f"growth_{col}"] = g[col]

    # A by type
    a_type = pd.Series(member(ctype, [s.lower() for s in a_types]), index=ctype.index)
    # A by sales: top share among franchisees
    in_pool = pd.Series(member(ctype, [s.lower() for s in among]), index=ctype.index)
    pool = in_pool & ~a_type
    n_pool = int(in_pool.sum())
    k = math.ceil(a_top_share * n_pool - _TOL) if n_pool else 0
    top = pd.Series(False, index=c.index)
    pool_rank = pd.Series(np.nan, index=c.index)
    if k > 0:
        s = y.loc[in_pool, last]
        r = s.rank(ascending=False, method="min")
        pool_rank.loc[r.index] = r
        cut = r <= k
        top.loc[cut.index] = cut & (s > 0)
    a_sales = top & pool
    # B: growth and scores
    grow_ok = pd.Series(True, index=c.index)
    for col in recent:
        grow_ok &= g[col].fillna(-np.inf) >= b_growth - _TOL
    scores_ok = (c["cooperation"] >= b_min_cooperation) & (c["loyalty"] >= b_min_cooperation)
    b_rule = ~a_type & ~a_sales & grow_ok & scores_ok.fillna(False)

    tier = np.where(a_type | a_sales, "A", np.where(b_rule, "B", "C"))
    rule = np.where(a_type, "A:type", np.where(a_sales, "A:top_sales",
                                               np.where(b_rule, "B:growth", "C:other")))
    t["tier"] = tier
    t["rule"] = rule
    span = f"{recent[0]}-{recent[-1]}" if len(recent) > 1 else f"{recent[0]}"

    t["reason"] = _rule_reasons(c, g, recent, span, a_type, a_sales, b_rule, grow_ok,
                                scores_ok.fillna(False), pool_rank, a_types, among,
                                a_top_share, last, n_pool, k, b_growth, b_min_cooperation,
                                lang == "zh")
    order = {"A": 0, "B": 1, "C": 2}
    t = t.assign(_o=t["tier"].map(order), _s=-t[f"sales_{last}"]).sort_values(
        ["_o", "_s"], kind="stable").drop(columns=["_o", "_s"])
    t["revenue"] = y.loc[t.index, years].sum(axis=1)
    summ = _summary(t, ["A", "B", "C"])
    rules = t.groupby("rule").size()
    summ["by_rule"] = [", ".join(f"{r}: {int(n)}" for r, n in rules.items() if r[0] == tier)
                       for tier in summ.index]
    rule = (f"A: every {' / '.join(map(str, a_types)) or '-'} and the top {a_top_share:.0%} of "
            f"{' / '.join(map(str, among)) or '-'} by {last} sales; B: sales up at least "
            f"{b_growth:.0%} in each of {b_consecutive_years} consecutive year"
            f"{'s' if b_consecutive_years != 1 else ''}, cooperation and loyalty at least "
            f"{b_min_cooperation:g}; C: the rest")
    return TierResult("Rule-based ABC", t, summ, {
        "a_customer_types": a_types, "a_top_share": a_top_share, "a_top_among": among,
        "b_growth": b_growth, "b_consecutive_years": b_consecutive_years,
        "b_min_cooperation": b_min_cooperation, "last_year": last}, rule=rule)


def _pct(v) -> str:
    return "n/a" if pd.isna(v) else f"{v:+.0%}"


def _pcts(v: pd.Series) -> pd.Series:
    """:func:`_pct` of every value, vectorised: sign, whole percent (rounded half to even,
    as Python's format does), "n/a" for missing."""
    x = v.to_numpy(dtype=float)
    out = pd.Series("n/a", index=v.index, dtype="str")
    ok = np.isfinite(x)
    whole = np.abs(np.round(x[ok] * 100)).astype(np.int64).astype(str)
    sign = np.where(np.signbit(x[ok]), "-", "+")
    out[ok] = np.char.add(np.char.add(sign, whole), "%")
    odd = ~ok & ~np.isnan(x)                                 # ±inf: Python's own text
    if odd.any():
        out[odd] = [_pct(y) for y in x[odd]]
    return out


def _scores_text(v: pd.Series, missing: str = "missing") -> pd.Series:
    """:func:`_fmt_score` of every value, through the few distinct values."""
    codes, uniques = pd.factorize(v)
    texts = np.array([_fmt_score(u) for u in uniques] + [missing], dtype=object)
    if missing != "missing":
        texts[:-1] = [t if t != "missing" else missing for t in texts[:-1]]
    return pd.Series(texts[codes], index=v.index, dtype="str")


def _rule_reasons(c, g, recent, span, a_type, a_sales, b_rule, grow_ok, scores_ok, pool_rank,
                  a_types, among, a_top_share, last, n_pool, k, b_growth, b_min_cooperation,
                  zh: bool) -> np.ndarray:
    """The reason of every customer's rule-based tier, built column-wise (a million
    customers in seconds): A by type, A by top sales, B by growth and scores, or C with
    what failed."""
    # Arrow strings: the concatenations below run in Arrow, not per Python object
    parts = [f"{col} " + _pcts(g[col]) for col in recent]
    gs = parts[0]
    for part in parts[1:]:
        gs = gs + ", " + part
    coop, loy = _scores_text(c["cooperation"]), _scores_text(c["loyalty"])
    low = _fmt_score(b_min_cooperation)
    ctype = c["customer_type"].astype("str")
    rank = _scores_text(pool_rank, missing="")
    group = "/".join(among)
    if zh:
        sc = "配合度 " + coop + "，忠诚度 " + loy
        by_type = "A：客户类型“" + ctype + f"”属于 {a_types}"
        by_sales = (f"A：按 {last} 年销售额位列 {group} 前 {a_top_share:.0%}（{n_pool} 家中第 "
                    + rank + f" 位，取前 {k} 家）")
        b = f"B：{span} 每年销售额增长 ≥ {b_growth:.0%}（" + gs + "）；" + sc + f" ≥ {low}"
        no_growth = f"{span} 增长（" + gs + f"）未达到每年 ≥ {b_growth:.0%}"
        no_scores = sc + f" 未同时 ≥ {low}"
        c_head, sep = "C：按类型和销售额均不属 A 类；", "；"
    else:
        sc = "cooperation " + coop + ", loyalty " + loy
        by_type = "A: customer type '" + ctype + f"' is in {a_types}"
        by_sales = (f"A: top {a_top_share:.0%} of {group}s by {last} sales (rank " + rank
                    + f" of {n_pool}, cut at {k})")
        b = f"B: sales up >= {b_growth:.0%} each year {span} (" + gs + "); " + sc + f" >= {low}"
        no_growth = f"growth {span} (" + gs + f") not >= {b_growth:.0%} every year"
        no_scores = sc + f" not both >= {low}"
        c_head, sep = "C: not A by type or top sales; ", "; "
    grow, scored = grow_ok.to_numpy(bool), scores_ok.to_numpy(bool)
    why = (no_growth + sep + no_scores).where(~grow & ~scored,
                                              no_growth.where(~grow, no_scores.where(~scored, "")))
    out = (c_head + why).where(~b_rule.to_numpy(bool), b)
    out = out.where(~a_sales.to_numpy(bool), by_sales)
    return out.where(~a_type.to_numpy(bool), by_type).to_numpy(dtype=object)


def _fmt_score(v) -> str:
    if pd.isna(v):
        return "missing"
    return f"{v:g}"


# ---------------------------------------------------------------------------- lifecycle
def lifecycle(yearly_sales: pd.DataFrame, threshold: float = 0.10) -> pd.DataFrame:
    """Lifecycle stage (客户生命周期) from the yearly sales trajectory (last two years):

    - introduction (导入期): sales in the last year and none in any earlier year (new);
    - decline (衰退期): no sales in the last year (lapsed), or sales down by more than
      ``threshold`` on the year before;
    - growth (成长期): sales up by at least ``threshold`` on the year before;
    - maturity (成熟期): within ±threshold of the year before.

    Customers with no sales in any year are ``none``. Returns stage, stage label (zh) and
    the care METHOD.md ties to it, indexed by customer_id.

    Example
    -------
    >>> ys = pd.DataFrame({2025: [0., 100., 100., 100.], 2026: [50., 130., 100., 20.]},
    ...                   index=["new", "up", "flat", "down"])
    >>> lifecycle(ys)["stage"].tolist()
    ['introduction', 'growth', 'maturity', 'decline']
    """
    y = _yearly_from(yearly_sales)
    if y.shape[1] < 2:
        raise CSIInputError("yearly_sales: lifecycle needs at least two years of sales")
    last, prev = y.columns[-1], y.columns[-2]
    earlier = y[y.columns[:-1]].sum(axis=1)
    gr = y[last] / y[prev].where(y[prev] > 0) - 1
    stage = np.select(
        [y.sum(axis=1) <= 0, (y[last] > 0) & (earlier <= 0), y[last] <= 0,
         gr >= threshold - _TOL, gr < -threshold - _TOL],
        ["none", "introduction", "decline", "growth", "decline"], default="maturity")
    out = pd.DataFrame({"stage": stage, f"growth_{last}": gr}, index=y.index)
    out["stage_zh"] = out["stage"].map(lambda s: LIFECYCLE_STAGES.get(s, {}).get("zh", ""))
    out["care"] = out["stage"].map(lambda s: LIFECYCLE_STAGES.get(s, {}).get("care", ""))
    return out


# ---------------------------------------------------------------------------- tags
def tags(customers: pd.DataFrame, transactions: pd.DataFrame, visits: pd.DataFrame, as_of,
         window_days: int = 365, vip=None, negative: str = "error") -> pd.DataFrame:
    """Tags (标签) per customer: Y/N visited the store, M/O bought, VIP; with the treatment.

    - ``Y`` if the customer has a store visit in the window (as_of - window_days, as_of],
      else ``N``;
    - ``M`` if the customer has a purchase in the same window, else ``O``;
    - ``VIP``: ``vip`` may be a :func:`pyramid` result, a collection of customer ids, or
      None (the pyramid's VIPs on all revenue up to as_of, default shares).

    ``tag`` combines them: ``Y+M``, ``N+O``, ``Y+M+VIP`` ...  ``treatment`` (codes joined
    by "+", texts in :data:`TREATMENTS`) per METHOD.md §5: VIP -> personal_care;
    N -> bring_to_store; Y+O -> find_unmet_need; Y+M -> upgrade_cross_sell.
    ``contact`` and ``contact_priority``: VIPs one_to_one (1; phone at least twice a year),
    buyers small_batch (2), non-buyers message_group (3; by A/B/C tier, see
    :func:`action_table`).

    Visits after as_of are left out with a warning; visits of ids not in customers are
    left out with a warning.

    Example
    -------
    >>> cust = pd.DataFrame({"customer_id": ["c1", "c2"]})
    >>> tx = pd.DataFrame({"customer_id": ["c1"], "date": ["2026-06-01"], "amount": [10.0]})
    >>> vis = pd.DataFrame({"customer_id": ["c1", "c2"], "date": ["2026-06-01", "2024-01-01"]})
    >>> tags(cust, tx, vis, "2026-09-30", vip=[])["tag"].tolist()
    ['Y+M', 'N+O']
    """
    as_of = _as_of(as_of)
    if not isinstance(window_days, (int, np.integer)) or window_days < 1:
        raise CSIInputError(f"window_days={window_days!r}: give a whole number of days >= 1 "
                            "(tiering.tags.window_days, e.g. 365)")
    c = _clean_customers(customers)
    start = as_of - pd.Timedelta(days=int(window_days))
    p = _purchases(transactions, as_of, customers, negative)
    _require(visits, ["customer_id", "date"], "visits")
    visited_ids = store_visits(visits, as_of, c.index, start)
    bought_ids = p.bought_since(start)
    if vip is None:
        vip_ids = set(pyramid(p.value()["revenue"]).table.query("tier == 'VIP'").index)
    elif isinstance(vip, TierResult):
        vip_ids = set(vip.table.index[vip.table["tier"] == "VIP"])
    else:
        vip_ids = {str(x) for x in vip}
    out = pd.DataFrame(index=c.index)
    out["visited"] = member(out.index, visited_ids)
    out["bought"] = member(out.index, bought_ids)
    out["vip"] = member(out.index, vip_ids)
    out["visit_tag"] = np.where(out["visited"], "Y", "N")
    out["buy_tag"] = np.where(out["bought"], "M", "O")
    out["tag"] = out["visit_tag"] + "+" + out["buy_tag"] + np.where(out["vip"], "+VIP", "")
    base = np.where(~out["visited"], "bring_to_store",
                    np.where(out["bought"], "upgrade_cross_sell", "find_unmet_need"))
    out["treatment"] = np.where(out["vip"], "personal_care+", "") + base
    out["contact"] = np.where(out["vip"], "one_to_one",
                              np.where(out["bought"], "small_batch", "message_group"))
    out["contact_priority"] = np.where(out["vip"], 1, np.where(out["bought"], 2, 3))
    out.index.name = "customer_id"
    return out


def treatment_text(codes: str, lang: str = "en") -> str:
    """Readable treatment for codes such as ``personal_care+bring_to_store``."""
    lang = _lang(lang)
    sep = "；" if lang == "zh" else "; "
    return sep.join(TREATMENTS[c][lang] for c in str(codes).split("+") if c)


def contact_text(code: str, group: str = "", lang: str = "en") -> str:
    """Readable contact rule; ``group`` (A/B/C) fills the message group."""
    lang = _lang(lang)
    return CONTACTS[code][lang].format(group=group)


# ---------------------------------------------------------------------------- RFM
def _scores(x: pd.Series, bins: int) -> pd.Series:
    """Scores 1..bins, higher x = higher score; ties share the lower score."""
    n = len(x)
    r = x.rank(method="min", ascending=True)
    return (np.floor(bins * (r - 1) / n) + 1).astype(int)


def rfm(transactions: pd.DataFrame, as_of, bins: int = 5,
        customers: pd.DataFrame | None = None, negative: str = "error") -> pd.DataFrame:
    """Recency, frequency, monetary value and their scores 1..bins per buying customer.

    - ``recency`` = days from the last purchase to as_of; ``frequency`` = number of
      purchases (distinct transaction ids); ``monetary`` = total amount; all on
      transactions on or before as_of. Customers without purchases have no RFM row.
    - Scores: higher = better, so recency is reversed (fewer days, higher score). With
      ``r`` the ascending rank of the value (recency: of minus the days) where **ties take
      the lowest rank** (``rank(method="min")``), ``score = floor(bins * (r - 1) / n) + 1``.
      Without ties that is equal quintiles (n = 10, bins = 5: 1,1,2,2,3,3,4,4,5,5); tied
      values always share a score, the lower one, so scores may be uneven when values
      repeat (frequency often is 1 for many customers: they all score 1).
    - ``cell`` = the three digits, e.g. "545"; ``rfm_score`` = R + F + M.
    - ``segment``: high/low per score (high = score >= (bins + 1) / 2, i.e. 3 of 5) mapped
      to the eight segments of :data:`RFM_SEGMENTS` (重要价值客户 ...).

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "b"], "amount": [10.0, 5.0, 50.0],
    ...                    "date": ["2026-01-01", "2026-09-01", "2026-09-20"]})
    >>> rfm(tx, "2026-09-30", bins=2)["cell"].to_dict()
    {'a': '111', 'b': '222'}
    """
    if not isinstance(bins, (int, np.integer)) or bins < 2:
        raise CSIInputError(f"bins={bins!r}: give a whole number >= 2 (tiering.rfm.bins, e.g. 5)")
    as_of = _as_of(as_of)
    v = _purchases(transactions, as_of, customers, negative).value()
    out = pd.DataFrame({
        "recency": (as_of - v["last_purchase"]).dt.days.astype(int),
        "frequency": v["orders"].astype(int),
        "monetary": v["revenue"],
    })
    out.index.name = "customer_id"
    out["R"] = _scores(-out["recency"], bins)
    out["F"] = _scores(out["frequency"], bins)
    out["M"] = _scores(out["monetary"], bins)
    out["cell"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    out["rfm_score"] = out["R"] + out["F"] + out["M"]
    mid = (bins + 1) / 2
    hl = {k: np.where(out[k] >= mid, "high", "low") for k in ("R", "F", "M")}
    key = pd.DataFrame(hl, index=out.index)
    seg = key.merge(RFM_SEGMENTS, on=["R", "F", "M"], how="left")
    out["segment"] = seg["segment"].to_numpy()
    out["segment_zh"] = seg["segment_zh"].to_numpy()
    return out


def rfm_segments(rfm_table: pd.DataFrame) -> pd.DataFrame:
    """The segment naming table with customers, share of customers and of monetary value
    per segment (all eight segments, zeros included)."""
    g = rfm_table.groupby("segment")
    s = RFM_SEGMENTS.set_index("segment").copy()
    s["customers"] = g.size().reindex(s.index).fillna(0).astype(int)
    s["customer_share"] = s["customers"] / s["customers"].sum()
    s["monetary"] = g["monetary"].sum().reindex(s.index).fillna(0.0)
    s["monetary_share"] = s["monetary"] / s["monetary"].sum()
    return s


# ---------------------------------------------------------------------------- action table
def action_table(tiers: pd.Series, tag_table: pd.DataFrame, revenue: pd.Series | None = None,
                 lang: str = "en") -> pd.DataFrame:
    """Action table per tier and tag: customers, revenue share, treatment and contact rule.

    ``tiers``: tier per customer (e.g. ``rule_abc(...).tier`` or ``abc(...).tier``);
    ``tag_table``: the result of :func:`tags`; ``revenue``: revenue per customer (e.g.
    ``customer_value(...)["revenue"]``; revenue share is left out when None).
    Customers in ``tag_table`` without a tier are tier "-" (none).

    Rows are tier x tag, ordered by tier, then contact priority; columns: tier, tag,
    customers, customer_share, revenue, revenue_share, treatment, contact (texts in
    ``lang``: "en" or "zh"). The contact of non-buyers is the message group of their
    tier (METHOD.md §5: non-buyers in A/B/C message groups).

    Example
    -------
    >>> tg = pd.DataFrame({"tag": ["Y+M", "N+O"], "treatment": ["upgrade_cross_sell",
    ...     "bring_to_store"], "contact": ["small_batch", "message_group"],
    ...     "contact_priority": [2, 3]}, index=pd.Index(["c1", "c2"], name="customer_id"))
    >>> action_table(pd.Series({"c1": "A", "c2": "C"}), tg)["contact"].tolist()
    ['Contact in small batches', 'Message group C']
    """
    lang = _lang(lang)
    _require(tag_table, ["tag", "treatment", "contact", "contact_priority"], "tag_table")
    tg = tag_table.copy()
    tg.index = tg.index.astype(str)
    tr = pd.Series(tiers).copy()
    tr.index = tr.index.astype(str)
    tg["tier"] = tr.reindex(tg.index).fillna("-").astype(str)
    if revenue is not None:
        rv = _revenue_series(revenue) if not isinstance(revenue, pd.Series) else revenue.copy()
        rv.index = rv.index.astype(str)
        tg["revenue"] = pd.to_numeric(rv.reindex(tg.index), errors="coerce").fillna(0.0)
    keys = ["tier", "tag", "treatment", "contact", "contact_priority"]
    g = tg.groupby(keys, observed=True)
    out = g.size().rename("customers").to_frame()
    if revenue is not None:
        out["revenue"] = g["revenue"].sum()
    out = out.reset_index()
    out["customer_share"] = out["customers"] / out["customers"].sum()
    if revenue is not None:
        total = out["revenue"].sum()
        out["revenue_share"] = out["revenue"] / total if total > 0 else np.nan
    out = out.sort_values(["tier", "contact_priority", "tag"]).reset_index(drop=True)
    out["treatment"] = [treatment_text(t, lang) for t in out["treatment"]]
    out["contact"] = [contact_text(c, tier, lang) for c, tier in zip(out["contact"], out["tier"])]
    cols = ["tier", "tag", "customers", "customer_share"]
    if revenue is not None:
        cols += ["revenue", "revenue_share"]
    cols += ["treatment", "contact", "contact_priority"]
    return out[cols]


# ---------------------------------------------------------------------------- satisfaction
def respondent_satisfaction(survey_clean: pd.DataFrame, params: dict,
                            scores: pd.DataFrame | None = None, lv: str = "SAT",
                            id_column: str | None = None,
                            customer_id_column: str | None = None) -> pd.DataFrame:
    """Satisfaction (0-100) per respondent, with the respondent's customer id.

    If ``scores`` (notebook 03's artefact ``respondent_scores``) is given and has a column
    ``lv`` (0-100), it is used as is: its own rows when it has respondent_id and
    customer_id columns, else matched to ``survey_clean`` by respondent id (column or
    index). Otherwise the ``lv`` items of the indicator system (SAT: Q17, Q18, Q19 in the demo) are reverse-keyed
    where listed in ``scale.reverse_items`` (``scales.reverse``), positioned on 0-100
    (``scales.position``: 100 (x - 1) / (points - 1)) and averaged over the answered items
    (a respondent with none answered gets NaN).

    Returns columns respondent_id, customer_id (empty -> NA), satisfaction.
    """
    from . import scales

    src = (params or {}).get("sources", {}).get("survey", {})
    id_col = id_column or src.get("id_column", "respondent_id")
    cid_col = customer_id_column or src.get("customer_id_column", "customer_id")
    if scores is not None and lv in getattr(scores, "columns", []) \
            and {id_col, cid_col} <= set(scores.columns):
        # notebook 03's artefact carries the ids: use its rows as they are
        cid = scores[cid_col].astype("string").str.strip().replace("", pd.NA)
        return pd.DataFrame({"respondent_id": scores[id_col].astype("string").to_numpy(),
                             "customer_id": cid.to_numpy(),
                             "satisfaction": pd.to_numeric(scores[lv], errors="coerce").to_numpy()})
    _require(survey_clean, [id_col, cid_col], "survey_clean")
    base = pd.DataFrame({
        "respondent_id": survey_clean[id_col].astype("string").to_numpy(),
        "customer_id": survey_clean[cid_col].astype("string").str.strip()
        .replace("", pd.NA).to_numpy(),
    }, index=survey_clean.index)
    if scores is not None and lv in getattr(scores, "columns", []):
        sc = scores.copy()
        if "respondent_id" in sc.columns:
            sc = sc.set_index("respondent_id")
        sc.index = sc.index.astype(str)
        sat = pd.to_numeric(sc[lv], errors="coerce")
        if sat.index.duplicated().any():
            sat = sat[~sat.index.duplicated()]
        base["satisfaction"] = sat.reindex(base["respondent_id"].astype(str)).to_numpy()
        return base.reset_index(drop=True)
    inds = params["indicator_system"]["indicators"]
    items = [it for ind in inds if ind.get("lv") == lv for it in ind.get("items", [])]
    if not items:
        raise CSIInputError(f"indicator_system.indicators: no indicator of latent variable "
                            f"{lv!r}; add its items or pass lv=")
    missing = [it for it in items if it not in survey_clean.columns]
    if missing:
        raise CSIInputError(f"survey_clean: item column(s) {missing} of {lv} missing; run "
                            "notebook 02 (cleaning) on the survey that has them")
    from .indices import _points
    points = _points(params)
    vals = survey_clean[items].apply(pd.to_numeric, errors="coerce").astype(float)
    rev = [it for it in params["scale"].get("reverse_items", []) if it in items]
    if rev:
        vals = scales.reverse(vals, rev, points)
    pos = scales.position(vals, points)
    base["satisfaction"] = pd.DataFrame(pos).mean(axis=1, skipna=True).to_numpy()
    return base.reset_index(drop=True)


def linked_satisfaction(wb, artifact: str = "respondent_scores", lv: str = "SAT") -> pd.DataFrame:
    """Per-respondent satisfaction for notebook 05, from the best source available.

    ``wb`` is the notebook's workbook (``csi_helpers.workbook``). Uses notebook 03's
    artefact ``artifact`` when this run has it and it carries column ``lv``; otherwise
    computes the ``lv`` items' 0-100 mean from ``wb.survey_clean()`` (see
    :func:`respondent_satisfaction`). Prints which source it used.
    """
    scores = None
    if wb.has_artifact(artifact):
        scores = wb.load_artifact(artifact)
        if lv not in scores.columns:
            scores = None
    if scores is not None:
        return respondent_satisfaction(scores, wb.params, scores=scores, lv=lv)
    warnings.warn(CSIWarning(f"satisfaction by tier: the {lv} scores of step 03 were not "
                             f"found, so each respondent's {lv} is the mean of its items on "
                             "0-100"))
    return respondent_satisfaction(wb.survey_clean(), wb.params, lv=lv)


def customer_satisfaction(wb, lv: str = "SAT") -> pd.Series | None:
    """Satisfaction (0-100) per customer: the mean of the linked respondents' scores
    (:func:`linked_satisfaction`), or None when the survey links no respondent to the
    CRM (``sources.survey.customer_id_column`` not set)."""
    if not ((wb.params.get("sources") or {}).get("survey") or {}).get("customer_id_column"):
        return None
    sat = linked_satisfaction(wb, lv=lv).dropna(subset=["customer_id"])
    out = sat.groupby(sat["customer_id"].astype(str))["satisfaction"].mean()
    out.index.name = "customer_id"
    return out.rename("satisfaction")


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


def recovery(selected: Iterable[str], planted: Iterable[str]) -> pd.Series:
    """How well a rule recovers a planted (known) group, e.g. the demo's growing customers:
    selected, planted, both, precision = both / selected, recall = both / planted."""
    sel, pl = {str(x) for x in selected}, {str(x) for x in planted}
    both = len(sel & pl)
    return pd.Series({"selected": len(sel), "planted": len(pl), "both": both,
                      "precision": both / len(sel) if sel else np.nan,
                      "recall": both / len(pl) if pl else np.nan})


def planted_note(truth: Mapping | None, topic: str, tiers=None) -> str:
    """What the demo generator planted on ``topic``, to print beside the estimate.

    ``topic``: "abc" (the generator's own ABC counts and top-20% revenue share),
    "growers" (how well rule B, given the rule-based ``tiers`` result, finds the customers
    planted as steady growers; see :func:`recovery`), or "tier_effects" (the planted
    satisfaction shift by ABC tier). A real client (``truth`` None) gets "".
    """
    if not truth:
        return ""
    if topic == "abc":
        return (f"Planted ABC tier counts: {truth['customers']['tier_counts']}\n"
                f"Planted share of revenue from the top 20% of customers: "
                f"{truth['customers']['pareto_top20_share']:.1%}")
    if topic == "growers":
        selected = tiers.table.index[tiers.table["rule"] == "B:growth"]
        return recovery(selected, truth["customers"]["growing"]).round(3).to_string()
    if topic == "tier_effects":
        return f"Planted SAT shift by ABC tier (SD units): {truth['tier_effects']['tiers']}"
    raise CSIInputError(f"planted_note: topic {topic!r} is not one of abc, growers, "
                        "tier_effects")


@dataclass(frozen=True)
class SatisfactionByTier:
    """Satisfaction by tier of respondents linked to customers."""

    table: pd.DataFrame = field(repr=False)
    respondents: int
    with_customer_id: int
    linked: int
    unknown_ids: int

    def __repr__(self) -> str:
        lines = [f"Satisfaction by tier: {self.linked} of {self.respondents} respondents linked "
                 f"to a tiered customer ({self.with_customer_id} gave a customer id, "
                 f"{self.unknown_ids} not found among customers)"]
        for tier, r in self.table.iterrows():
            lines.append(f"  {tier:<9} n={int(r['n']):>4}  mean {r['mean']:5.1f}  "
                         f"95% CI [{r['ci_low']:5.1f}, {r['ci_high']:5.1f}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{self.__repr__()}</pre>" + self.table.to_html(float_format="{:.2f}".format)


def satisfaction_by_tier(scores, survey: pd.DataFrame | None, tiers: pd.Series,
                         order: Iterable[str] | None = None, level: float = 0.95) -> SatisfactionByTier:
    """Mean satisfaction (0-100) per tier with n and a t confidence interval.

    ``scores``: per-respondent satisfaction, either the DataFrame of
    :func:`respondent_satisfaction` (respondent_id, customer_id, satisfaction; then
    ``survey`` may be None) or a Series aligned with ``survey``'s rows, whose
    ``customer_id`` links respondents to customers. ``tiers``: tier per customer_id.
    Respondents without a customer id, with an id not among the tiered customers, or
    without a score are left out; the result says how many linked.

    CI: mean ± t(1 - (1 - level)/2, n - 1) · sd / √n with the sample sd (n - 1), as
    R's ``t.test`` (not clipped to 0-100); NaN when n < 2. ``note`` flags tiers with
    n < 30 as indicative only.
    """
    if isinstance(scores, pd.DataFrame):
        _require(scores, ["customer_id", "satisfaction"], "scores")
        df = scores[["customer_id", "satisfaction"]].copy()
    else:
        if survey is None:
            raise CSIInputError("survey: needed to link a Series of scores to customers; pass "
                                "the cleaned survey (with customer_id) or respondent_satisfaction()")
        _require(survey, ["customer_id"], "survey")
        s = pd.Series(scores)
        if len(s) != len(survey):
            raise CSIInputError(f"scores: {len(s)} values for {len(survey)} survey rows; pass "
                                "one score per survey row")
        df = pd.DataFrame({"customer_id": survey["customer_id"].to_numpy(),
                           "satisfaction": pd.to_numeric(s, errors="coerce").to_numpy()})
    tr = pd.Series(tiers).copy()
    tr.index = tr.index.astype(str)
    cid = df["customer_id"].astype("string").str.strip()
    has_id = cid.notna() & (cid != "")
    cid = cid.where(has_id)
    tier = cid.map(lambda x: tr.get(x, np.nan) if isinstance(x, str) else np.nan)
    known = tier.notna()
    sat = pd.to_numeric(df["satisfaction"], errors="coerce")
    if ((sat < 0) | (sat > 100)).any():
        raise CSIInputError("scores: satisfaction outside 0-100; pass positioned scores "
                            "(scales.position) or respondent_satisfaction()")
    use = known & sat.notna()
    d = pd.DataFrame({"tier": tier[use].astype(str), "satisfaction": sat[use].astype(float)})
    tiers_order = list(order) if order is not None else sorted(pd.unique(tr.astype(str)))
    from scipy import stats
    rows = []
    for t in tiers_order:
        x = d.loc[d["tier"] == t, "satisfaction"]
        n = len(x)
        m = x.mean() if n else np.nan
        sd = x.std(ddof=1) if n > 1 else np.nan
        se = sd / math.sqrt(n) if n > 1 else np.nan
        q = stats.t.ppf(1 - (1 - level) / 2, n - 1) if n > 1 else np.nan
        rows.append((t, n, m, sd, se, m - q * se, m + q * se))
    table = pd.DataFrame(rows, columns=["tier", "n", "mean", "sd", "se", "ci_low", "ci_high"]
                         ).set_index("tier")
    table["note"] = np.where(table["n"] < 2, "too few to estimate",
                             np.where(table["n"] < 30, "n < 30: indicative only", ""))
    return SatisfactionByTier(table=table, respondents=int(len(df)),
                              with_customer_id=int(has_id.sum()), linked=int(use.sum()),
                              unknown_ids=int((has_id & ~known).sum()))


def satisfaction_figure(result: SatisfactionByTier, lang: str = "en", title: str | None = None):
    """Mean satisfaction by tier with 95% CI error bars and n under each bar."""
    import matplotlib.pyplot as plt

    from . import plotting
    plotting.setup()
    lang = _lang(lang)
    t = result.table
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(t))
    err = np.vstack([t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]])
    ax.bar(x, t["mean"], color=plotting.PALETTE["primary"], alpha=0.85)
    ax.errorbar(x, t["mean"], yerr=np.nan_to_num(err), fmt="none", ecolor="#333", capsize=4)
    names = {**LABELS[lang]["abc"], **LABELS[lang]["pyramid"]}
    ax.set_xticks(x)
    ax.set_xticklabels([f"{names.get(i, i)}\nn={int(n)}" for i, n in zip(t.index, t["n"])])
    ax.set_ylim(0, 100)
    ax.set_ylabel("Satisfaction (0-100)" if lang == "en" else "满意度（0-100）")
    ax.set_title(title or ("Satisfaction by tier (95% CI)" if lang == "en"
                           else "各层级客户满意度（95%置信区间）"))
    fig.tight_layout()
    return fig
