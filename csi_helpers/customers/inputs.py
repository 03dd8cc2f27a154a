"""What customer management reads: the ``tiering:`` settings of the params, and the checks
of the customer tables (ids, dates, amounts) every concept module shares.

:func:`settings` fills the defaults in (``as_of``: the last transaction unless set);
:func:`preflight` is what ``csi validate`` runs on the CRM tables before a run;
:func:`clean_transactions` checks a transaction export the way every chapter needs it.
Reference: METHOD.md §5.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ..errors import CSIInputError
from .ids import duplicated, id_index, master_index

_TOL = 1e-9
_MAX_LISTED = 5

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

DEFAULTS = {
    "as_of": None,
    "abc": {"a": 0.80, "b": 0.95},
    "pyramid": {"vip": 0.01, "large": 0.05, "ordinary": 0.50},
    "rule_abc": {"a_customer_types": ["agent"], "a_top_share": 0.20,
                 "a_top_among": ["franchisee"], "b_growth": 0.10, "b_consecutive_years": 2,
                 "b_min_cooperation": 4},
    "tags": {"window_days": 365},
    "rfm": {"bins": 5},
    "loyalty": {"high": 60, "low": 40},
    "lifecycle": {"months": 12},
    "early_adopters": {"launches": [], "days": 90},
    "contacts": {"vip_days": 90, "buyer_days": 120, "group_days": 30},
    "negative_amounts": None,
}


def settings(params: dict, transactions=None) -> dict:
    """The ``tiering:`` block of the params with defaults filled in, ready to pass on:
    ``abc(revenue, **cfg["abc"])``, ``rule_abc(customers, yearly, **cfg["rule_abc"])`` ...

    ``as_of`` (the reference date) defaults, as the template documents, to the date of the
    last transaction of `transactions` (a DataFrame, or the ``Purchases`` of
    ``wb.purchases()``, which was checked as of that date); without ``tiering.as_of`` and
    without `transactions` it is a ``CSIInputError`` naming ``tiering.as_of``. Unknown keys
    are left out.

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
            if given in (None, "") and hasattr(transactions, "as_of"):   # a Purchases
                given = transactions.as_of
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


def preflight(params: dict, customers: pd.DataFrame | None, transactions: pd.DataFrame
              ) -> list[str]:
    """What notebook 05 would stop on or silently get wrong, checked before a run starts
    (``csi validate`` calls this with the CRM tables as read; ``customers`` None when the
    engagement has no customer master): one line per problem.

    * ``as_of`` can be set (given, or transactions with dates);
    * the transactions cover the two periods the lifecycle compares
      (``tiering.lifecycle.months``);
    * with a customer master (the rule-based ABC runs), they cover the full years the B
      rule needs (``b_consecutive_years + 1``);
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
    from .value import yearly_sales  # value imports this module

    try:
        years = yearly_sales(transactions, cfg["as_of"],
                             negative="net" if n_neg else "error").shape[1]
    except CSIInputError as exc:
        return problems + [f"sources.transactions: {exc}"]
    from .lifecycle import covered_periods

    months = int(cfg["lifecycle"]["months"])
    # yearly_sales found a first date, else it would have raised above
    first = pd.to_datetime(transactions["date"], errors="coerce").min()
    periods = covered_periods(first, cfg["as_of"], months)
    if periods < 2:
        shorter = [m for m in (6, 4, 3, 2, 1)
                   if m < months and covered_periods(first, cfg["as_of"], m) >= 2]
        problems.append(
            f"tiering.lifecycle.months: the lifecycle compares the last {months} months with "
            f"the {months} before, but the transactions ({first.date()}..{cfg['as_of'].date()}) "
            f"cover {periods} such period(s); "
            + (f"set tiering.lifecycle.months: {shorter[0]} to compare shorter periods, or "
               if shorter else "") + "export more history")
    need = int(rule["b_consecutive_years"]) + 1
    if customers is not None and years < need:
        problems.append(
            f"tiering.rule_abc.b_consecutive_years: {rule['b_consecutive_years']} years of growth "
            f"need {need} full years of transactions up to as_of {cfg['as_of'].date()}, but the "
            f"export covers {years}; export more history, or set b_consecutive_years: "
            f"{max(years - 1, 1)}" + ("" if years > 1 else " (with a single year the B rule "
                                      "cannot run: export at least two years)"))
    if customers is not None and "customer_type" in customers.columns:
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
    from .engine import Purchases, _typed    # the engine makes every check, once

    what = "transactions"
    _require(transactions, ["customer_id", "date", "amount"], what)
    as_of = _as_of(as_of)
    if customers is not None:
        _require(customers, ["customer_id"], "customers")
    kept = Purchases(transactions, as_of, customers, negative, what=what).table \
        .select("_row", "order").execute()
    tx = _typed(transactions, what)
    labels = pd.Index(tx.index if pd.api.types.is_integer_dtype(tx.index.dtype)
                      else tx.index.astype(str))
    tx = tx.loc[labels.isin(kept["_row"])].copy()
    order = pd.Series(kept["order"].to_numpy(), index=kept["_row"].to_numpy())
    tx["transaction_id"] = order.reindex(labels[labels.isin(kept["_row"])]).astype(str).to_numpy()
    return tx


def _master_ids(customers: pd.DataFrame) -> pd.Index:
    ids = _ids(customers["customer_id"], "customers")
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise CSIInputError(f"customers.customer_id: duplicated id(s) "
                            f"{_rows(sorted(ids[dup].unique()))}; keep one "
                            "row per customer in the customer master")
    return pd.Index(ids, name="customer_id")


def _clean_customers(customers: pd.DataFrame, columns=("customer_id",)) -> pd.DataFrame:
    """The customer master indexed by its checked ids. The index is made once per master
    (:func:`~csi_helpers.customers.ids.master_index`), so the chapters' tables in the
    master's order share it."""
    _require(customers, list(columns), "customers")
    c = customers.drop(columns="customer_id")
    c.index = master_index(customers, _master_ids)
    return c


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
    s.index = id_index(s.index)
    if duplicated(s.index).any():
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
