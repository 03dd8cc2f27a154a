"""Channel evaluation (渠道评估, METHOD.md §6): which acquisition channels to keep, drop or open.

The method: a channel belongs where the target users gather, works efficiently and costs
little. Track every channel by **cost-effectiveness** (average acquisition cost, 平均获客成本)
and **user quality** (conversion rate, 转化率, and the revenue and retention of the users it
brought), then decide the key channels to keep (保留, 重点渠道), the channels to drop (放弃)
and the channels to open (开拓).

Per channel c, with A_c the customers it acquired (joined on/after ``since``), B_c its
buyers (revenue > 0), L_c its leads, C_c its cost and R_c the revenue of its customers:

* conversion = B_c / A_c; lead conversion = A_c / L_c (when leads are known);
* average acquisition cost = C_c / A_c; cost per buyer = C_c / B_c;
* revenue per customer = R_c / A_c; revenue share = R_c / sum R;
* retention = retained buyers / B_c (retained: bought in the last 365 days);
* return on acquisition = R_c / C_c (revenue per unit of money spent on the channel).

A cost is never assumed: a channel with customers but no cost row has cost NaN (and a
note); a channel of the cost table without customers is a candidate to open; customers
without a channel form the "unknown" row, reported with the advice to record the
channel in the CRM.

:func:`verdict` judges each channel against thresholds (params ``channels.verdict``) and
places it in a 2x2 of cost-effectiveness (acquisition cost at or below the median)
against user quality (conversion at or above the median); :func:`channel_figure` draws it.

References: Kotler & Keller, *Marketing Management* (marketing channels: evaluating
channel members and channel economics); Gupta, Lehmann & Stuart (2004), "Valuing
customers", *Journal of Marketing Research* 41(1), 7-18 (acquisition cost against the
value customers bring).

Example
-------
>>> customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
...                           "channel": ["门店", "门店", "抖音", None]})
>>> value = pd.DataFrame({"revenue": [300.0, 0.0, 50.0, 80.0],
...                       "retained": [True, False, True, True]},
...                      index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
>>> costs = pd.DataFrame({"channel": ["门店", "抖音", "小红书"], "cost": [100.0, 200.0, 50.0]})
>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:   # 1 customer without a channel
...     t = evaluate(customers, value, costs)
>>> str(caught[0].message)
"customers.channel: 1 customer(s) have no channel; they are reported in the row 'unknown'"
>>> t[["acquired", "buyers", "conversion", "acquisition_cost", "status"]]
         acquired  buyers  conversion  acquisition_cost     status
channel
门店              2       1         0.5              50.0     active
抖音              1       1         1.0             200.0     active
小红书             0       0         NaN               NaN  candidate
unknown         1       1         1.0               NaN    unknown
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import CSIInputError, CSIWarning

__all__ = ["evaluate", "verdict", "channel_figure", "settings", "costs_table", "label",
           "LABELS", "DEFAULTS", "UNKNOWN"]

#: The row of the customers without a channel.
UNKNOWN = "unknown"
_MAX_LISTED = 5

#: Thresholds of :func:`verdict` (params ``channels.verdict``); see its docstring for why.
DEFAULTS = {"min_conversion": None, "relative_conversion": 0.5, "max_cost_per_buyer": None,
            "min_return": 1.0, "min_retention": None, "min_customers": 30}

LABELS = {
    "en": {
        "verdict": {"keep": "Keep (key channel)", "drop": "Drop", "open": "Open"},
        "action": {"keep": "Keep and invest", "drop": "Drop", "trial": "Trial (pilot)",
                   "expand": "Expand", "record_channel": "Record the channel"},
        "quadrant": {"star": "Low cost, high quality", "premium": "High cost, high quality",
                     "volume": "Low cost, low quality", "weak": "High cost, low quality"},
        "columns": {"acquired": "Customers acquired", "buyers": "Buyers", "leads": "Leads",
                    "conversion": "Conversion rate", "lead_conversion": "Lead conversion",
                    "cost": "Cost", "acquisition_cost": "Average acquisition cost",
                    "cost_per_buyer": "Cost per buyer", "revenue": "Revenue",
                    "revenue_per_customer": "Revenue per customer",
                    "revenue_share": "Revenue share", "retention": "Retention rate",
                    "return_on_acquisition": "Return on acquisition"},
        "unknown": "unknown channel", "sep": "; ", "no_cost": "no cost", "no_buyer": "no buyer",
        "n_few": "only {n} customers (fewer than {m}): too few to judge",
        "n_none": "no customers recorded with this channel yet",
        "n_none_check": "if it already ran, check the channel name in the CRM",
        "trial": "run it as a trial (pilot) and review",
        "expand": "strong so far: expand it and review",
        "conv_low": "conversion {v:.0%} below the {t:.0%} minimum", "conv_ok": "conversion {v:.0%}",
        "rel_half": " (half the overall {o:.0%})", "rel": " ({f:.0%} of the overall {o:.0%})",
        "cpb_high": "cost per buyer {v} above the {t} limit",
        "ret_low": "return on acquisition {v:.1f}x below the {t:.1f}x minimum",
        "ret_ok": "return on acquisition {v}",
        "keep_low": "retention {v:.0%} below the {t:.0%} minimum",
        "cost_unknown": "cost unknown (no row in channels.costs): cost-effectiveness not judged",
        "record": "{n} customers ({s:.0%}) have no acquisition channel: record the channel "
                  "in the CRM at sign-up",
        "note_no_cost": "no cost row: cost unknown", "note_candidate": "in the cost table, "
        "no customers", "note_leads": "more customers than leads: check the leads count",
        "title": "Channels: acquisition cost against {y}",
        "x": "Average acquisition cost ({c} per customer)",
        "not_shown": "Not shown (cost unknown or no customers): {names}",
        "empty": "No channel with customers and a known cost",
        "size": "bubble size = customers acquired",
    },
    "zh": {
        "verdict": {"keep": "保留（重点渠道）", "drop": "放弃", "open": "开拓"},
        "action": {"keep": "保留并加大投入", "drop": "放弃", "trial": "试点",
                   "expand": "扩大投放", "record_channel": "在CRM中记录渠道"},
        "quadrant": {"star": "低成本·高质量", "premium": "高成本·高质量",
                     "volume": "低成本·低质量", "weak": "高成本·低质量"},
        "columns": {"acquired": "获客数", "buyers": "购买客户数", "conversion": "转化率",
                    "leads": "线索数", "lead_conversion": "线索转化率", "cost": "渠道费用",
                    "acquisition_cost": "平均获客成本", "cost_per_buyer": "每位购买客户成本",
                    "revenue": "销售额", "revenue_per_customer": "客均销售额",
                    "revenue_share": "销售额占比", "retention": "留存率",
                    "return_on_acquisition": "获客投资回报"},
        "unknown": "未知渠道", "sep": "；", "no_cost": "无费用", "no_buyer": "无购买客户",
        "n_few": "仅{n}位客户（少于{m}位），尚不足以判断",
        "n_none": "尚无记录为该渠道的客户", "n_none_check": "如已投放，请核对CRM中的渠道名称",
        "trial": "先试点再评估", "expand": "目前表现良好，扩大投放后再评估",
        "conv_low": "转化率{v:.0%}，低于{t:.0%}的下限", "conv_ok": "转化率{v:.0%}",
        "rel_half": "（整体{o:.0%}的一半）", "rel": "（整体{o:.0%}的{f:.0%}）",
        "cpb_high": "每位购买客户成本{v}，高于{t}的上限",
        "ret_low": "获客投资回报{v:.1f}倍，低于{t:.1f}倍的下限", "ret_ok": "获客投资回报{v}",
        "keep_low": "留存率{v:.0%}，低于{t:.0%}的下限",
        "cost_unknown": "费用未知（channels.costs中无此渠道），未评估成本效益",
        "record": "{n}位客户（{s:.0%}）没有获客渠道：请在CRM中登记客户来源渠道",
        "note_no_cost": "无费用记录：费用未知", "note_candidate": "费用表中有此渠道，但无客户",
        "note_leads": "客户数多于线索数：请核对线索数",
        "title": "渠道评估：平均获客成本与{y}", "x": "平均获客成本（每位客户，{c}）",
        "not_shown": "未显示（费用未知或无客户）：{names}",
        "empty": "没有既有客户又有费用的渠道", "size": "气泡大小 = 获客数",
    },
}


def _lang(lang: str) -> dict:
    if lang not in LABELS:
        raise CSIInputError(f"lang={lang!r}: unknown language; use 'en' or 'zh' "
                            "(client.language in the params file)")
    return LABELS[lang]


def label(code: str, lang: str = "en") -> str:
    """The client-facing text of a verdict, action, quadrant or column code.

    >>> label("drop", "zh"), label("acquisition_cost", "zh"), label("star")
    ('放弃', '平均获客成本', 'Low cost, high quality')
    """
    L = _lang(lang)
    for group in ("verdict", "action", "quadrant", "columns"):
        if code in L[group]:
            return L[group][code]
    return L["unknown"] if code == UNKNOWN else str(code)


def _listed(items) -> str:
    items = [str(i) for i in items]
    more = f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return ", ".join(items[:_MAX_LISTED]) + more


def _money(x: float, currency: str) -> str:
    if not np.isfinite(x):
        return "∞"
    return f"{currency}{x:,.0f}" if abs(x) >= 10 else f"{currency}{x:,.2f}"


def _ids(frame: pd.DataFrame, what: str) -> pd.Index:
    ids = frame["customer_id"] if "customer_id" in frame.columns else frame.index.to_series()
    bad = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
    if bad.any():
        raise CSIInputError(f"{what}: {int(bad.sum())} row(s) without a customer_id; fill in "
                            "the id or delete the row(s)")
    idx = pd.Index(ids.astype(str).str.strip().to_numpy(), name="customer_id")
    if idx.duplicated().any():
        raise CSIInputError(f"{what}.customer_id: duplicated id(s) "
                            f"{_listed(sorted(set(idx[idx.duplicated()])))}; keep one row "
                            "per customer")
    return idx


def _numbers(s: pd.Series, what: str, fix: str) -> pd.Series:
    v = pd.to_numeric(s, errors="coerce")
    bad = v.isna() & s.notna()
    if bad.any():
        raise CSIInputError(f"{what}: not a number for {_listed(s.index[bad])} (e.g. "
                            f"{s[bad].iloc[0]!r}); {fix}")
    if (v < 0).any():
        raise CSIInputError(f"{what}: negative for {_listed(s.index[v < 0])}; {fix}")
    return v.astype(float)


def costs_table(costs) -> pd.DataFrame:
    """Channel costs as one row per channel (index ``channel``; ``cost``, ``leads``, ``period``).

    ``costs``: a DataFrame with ``channel``, ``cost`` and optional ``leads`` and ``period``
    columns, or the list of such mappings of params ``channels.costs``. A missing cost
    stays NaN (never 0). Several rows of one channel (months, campaigns) are summed, with
    a ``CSIWarning`` naming them.

    >>> costs_table([{"channel": "抖音", "cost": 5000, "leads": 800}])
    ...                                               # doctest: +NORMALIZE_WHITESPACE
               cost  leads period
    channel
    抖音       5000.0  800.0    NaN
    """
    if isinstance(costs, (list, tuple)):
        costs = pd.DataFrame(list(costs))
    if not isinstance(costs, pd.DataFrame):
        raise CSIInputError(f"channels.costs: expected a table or a list of {{channel, cost}} "
                            f"entries, got {type(costs).__name__}")
    missing = [c for c in ("channel", "cost") if c not in costs.columns]
    if missing:
        raise CSIInputError(f"channels.costs: column(s) {missing} missing; give each row a "
                            "channel and the cost spent on it in the period")
    df = costs.reset_index(drop=True)
    name = df["channel"].astype("string").str.strip()
    if (name.isna() | (name == "")).any():
        rows = list(df.index[(name.isna() | (name == "")).to_numpy()])
        raise CSIInputError(f"channels.costs: row(s) {_listed(rows)} have no channel name; "
                            "name the channel or delete the row(s)")
    fix = "give the cost as a plain number >= 0 (leave it empty if unknown)"
    out = pd.DataFrame({"channel": name.astype(object),
                        "cost": _numbers(df["cost"], "channels.costs.cost", fix),
                        "leads": (_numbers(df["leads"], "channels.costs.leads", fix)
                                  if "leads" in df.columns else np.nan),
                        "period": df["period"] if "period" in df.columns else np.nan})
    dup = out["channel"][out["channel"].duplicated()].unique()
    if len(dup):
        warnings.warn(f"channels.costs: channel(s) {_listed(dup)} have several rows; their "
                      "cost and leads are summed (one total per channel for the period)",
                      CSIWarning, stacklevel=2)
    g = out.groupby("channel", sort=False)
    total = lambda s: s.sum() if s.notna().all() else np.nan   # noqa: E731 (unknown stays NaN)
    return pd.DataFrame({
        "cost": g["cost"].apply(total), "leads": g["leads"].apply(total),
        "period": g["period"].apply(lambda s: ", ".join(sorted(set(s.dropna().astype(str))))
                                    or np.nan),
    }).rename_axis("channel")


def evaluate(customers: pd.DataFrame, value: pd.DataFrame, costs=None, since=None,
             lang: str = "en") -> pd.DataFrame:
    """Cost-effectiveness and user quality per acquisition channel (see the module docstring).

    ``customers``: ``customer_id`` (index or column), ``channel``, optional ``joined``;
    ``value``: per customer ``revenue`` and optional ``retained`` (bool) and ``orders``;
    ``costs``: see :func:`costs_table` (params ``channels.costs``); ``since``: only the
    customers joined on or after this date count (customers with no ``joined`` date are
    then left out, counted in a ``CSIWarning``).

    Columns: acquired, buyers, conversion, leads, lead_conversion, cost, acquisition_cost,
    cost_per_buyer, revenue, revenue_per_customer, revenue_per_buyer, revenue_share,
    orders_per_buyer, retained, retention, return_on_acquisition, status (active,
    candidate, unknown) and note (in ``lang``). Customers of the master without a row in
    ``value`` count as acquired without purchase (revenue 0), with a warning.

    >>> c = pd.DataFrame({"channel": ["店", "店", "网"]}, index=["a", "b", "c"])
    >>> v = pd.DataFrame({"revenue": [90.0, 0.0, 30.0]}, index=["a", "b", "c"])
    >>> t = evaluate(c, v, pd.DataFrame({"channel": ["店", "网"], "cost": [60.0, 60.0]}))
    >>> t.loc["店", ["conversion", "cost_per_buyer", "return_on_acquisition"]].tolist()
    [0.5, 60.0, 1.5]
    """
    L = _lang(lang)
    if not isinstance(customers, pd.DataFrame) or not isinstance(value, pd.DataFrame):
        raise CSIInputError("channels.evaluate: customers and value must be DataFrames")
    if "channel" not in customers.columns:
        raise CSIInputError("customers: column 'channel' missing; add the acquisition channel "
                            "of each customer (empty where unknown)")
    if len(customers) == 0:
        raise CSIInputError("customers: no rows; export the customer master with its channel")
    cust = pd.DataFrame({"channel": customers["channel"].to_numpy()},
                        index=_ids(customers, "customers"))
    if since is not None:
        if "joined" not in customers.columns:
            raise CSIInputError("customers: column 'joined' missing but since= is given; add "
                                "the sign-up date of each customer or leave since out")
        raw = pd.Series(customers["joined"].to_numpy(), index=cust.index)
        joined = pd.to_datetime(raw, errors="coerce")
        bad = joined.isna() & raw.notna()
        if bad.any():
            raise CSIInputError(f"customers.joined: not a date for {_listed(raw.index[bad])} "
                                f"(e.g. {raw[bad].iloc[0]!r}); write dates as YYYY-MM-DD")
        start = pd.Timestamp(since)
        if joined.isna().any():
            warnings.warn(f"customers.joined: {int(joined.isna().sum())} customer(s) without a "
                          f"date ({_listed(joined.index[joined.isna()])}) left out of the "
                          f"channels since {start.date()}", CSIWarning, stacklevel=2)
        cust = cust[(joined >= start).to_numpy()]
        if cust.empty:
            raise CSIInputError(f"since={since!r}: no customer joined on or after it; check "
                                "since and the period of the customer export")
    name = cust["channel"].astype("string").str.strip()
    none = name.isna() | (name == "") | (name.str.lower() == UNKNOWN)
    cust["channel"] = name.where(~none, UNKNOWN).astype(object)
    if none.any():
        warnings.warn(f"customers.channel: {int(none.sum())} customer(s) have no channel; "
                      f"they are reported in the row {UNKNOWN!r}", CSIWarning, stacklevel=2)

    if "revenue" not in value.columns:
        raise CSIInputError("value: column 'revenue' missing; give each customer's revenue in "
                            "the window (tiering.customer_value makes it)")
    vidx = _ids(value, "value")
    fix = "give every customer a revenue >= 0 (0 if none)"
    rev = _numbers(pd.Series(value["revenue"].to_numpy(), index=vidx), "value.revenue", fix)
    if rev.isna().any():
        raise CSIInputError(f"value.revenue: empty for {_listed(rev.index[rev.isna()])}; {fix}")
    val = pd.DataFrame({"revenue": rev})
    has_ret = "retained" in value.columns
    if has_ret:
        r = pd.Series(value["retained"].to_numpy(), index=vidx)
        ok = r.map(lambda x: not pd.isna(x) and (isinstance(x, (bool, np.bool_)) or x in (0, 1)))
        if not ok.all():
            raise CSIInputError(f"value.retained: not True/False for {_listed(r.index[~ok])} "
                                f"(e.g. {r[~ok].iloc[0]!r}); mark each customer True if they "
                                "bought in the last 365 days, else False")
        val["retained"] = r.astype(bool)
    has_orders = "orders" in value.columns
    if has_orders:
        val["orders"] = _numbers(pd.Series(value["orders"].to_numpy(), index=vidx),
                                 "value.orders", "give orders as a whole number >= 0").fillna(0)
    stray = val.index.difference(_ids(customers, "customers"))
    if len(stray):
        warnings.warn(f"value: {len(stray)} customer id(s) not in customers ({_listed(stray)}) "
                      "left out; add them to the customer master or correct the ids",
                      CSIWarning, stacklevel=2)
    absent = cust.index.difference(val.index)
    if len(absent):
        warnings.warn(f"value: {len(absent)} customer(s) have no row ({_listed(absent)}); "
                      "counted as acquired without purchase (revenue 0)", CSIWarning,
                      stacklevel=2)
    df = cust.join(val, how="left")
    df["revenue"] = df["revenue"].fillna(0.0)
    df["buyer"] = df["revenue"] > 0
    df["kept"] = df["buyer"] & (df["retained"].fillna(False).astype(bool) if has_ret else False)
    g = df.groupby("channel", sort=False)
    t = pd.DataFrame({"acquired": g.size(), "buyers": g["buyer"].sum(),
                      "revenue": g["revenue"].sum(), "retained": g["kept"].sum(),
                      "orders": g["orders"].sum() if has_orders else np.nan})
    cost = costs_table(costs) if costs is not None else pd.DataFrame(
        columns=["cost", "leads", "period"], dtype=float)
    names = [c for c in t.sort_values("acquired", ascending=False, kind="stable").index
             if c != UNKNOWN]
    candidates = [c for c in cost.index if c not in t.index and c != UNKNOWN]
    order = names + candidates + ([UNKNOWN] if UNKNOWN in t.index else [])
    t = t.reindex(order)
    counts = ["acquired", "buyers", "revenue", "retained"]
    t[counts] = t[counts].fillna(0)
    t[["cost", "leads"]] = cost[["cost", "leads"]].reindex(order).astype(float)
    t.loc[t.index == UNKNOWN, ["cost", "leads"]] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b, c, r = (t[k].to_numpy(float) for k in ("acquired", "buyers", "cost", "revenue"))
        out = pd.DataFrame({
            "acquired": t["acquired"].astype(int), "buyers": t["buyers"].astype(int),
            "conversion": np.where(a > 0, b / a, np.nan), "leads": t["leads"],
            "lead_conversion": np.where(t["leads"] > 0, a / t["leads"], np.nan),
            "cost": c, "acquisition_cost": np.where(a > 0, c / a, np.nan),
            "cost_per_buyer": np.where(a > 0, np.where(b > 0, c / b, np.where(c > 0, np.inf, c)),
                                       np.nan),
            "revenue": r, "revenue_per_customer": np.where(a > 0, r / a, np.nan),
            "revenue_per_buyer": np.where(b > 0, r / b, np.nan),
            "revenue_share": r / r.sum() if r.sum() > 0 else np.nan,
            "orders_per_buyer": np.where(b > 0, t["orders"].to_numpy(float) / b, np.nan),
            "retained": t["retained"].astype(int),
            "retention": np.where(b > 0, t["retained"] / b, np.nan) if has_ret else np.nan,
            "return_on_acquisition": np.where(c > 0, r / c, np.where(c == 0, np.where(
                r > 0, np.inf, np.nan), np.nan)),
        }, index=pd.Index(order, name="channel"))
    out["status"] = ["unknown" if k == UNKNOWN else "candidate" if k in candidates
                     else "active" for k in order]
    flags = pd.DataFrame({"note_no_cost": (out["status"] == "active") & out["cost"].isna(),
                          "note_candidate": out["status"] == "candidate",
                          "note_leads": out["lead_conversion"] > 1})
    out["note"] = [L["sep"].join(L[k] for k in flags.columns if row[k])
                   for _, row in flags.iterrows()]
    out.attrs["overall_conversion"] = float(df["buyer"].mean())
    out.attrs["since"] = None if since is None else str(pd.Timestamp(since).date())
    return out


def settings(params: dict) -> dict:
    """The ``channels:`` block of the params, ready to pass on: ``{"costs": table or None,
    "verdict": {threshold: value}}`` with the :data:`DEFAULTS` filled in; an unknown key of
    ``channels.verdict`` is a ``CSIInputError`` (a typo would silently keep a default).

    >>> settings({"channels": {"verdict": {"min_customers": 50}}})["verdict"]["min_customers"]
    50
    """
    block = (params or {}).get("channels") or {}
    given = block.get("verdict") or {}
    wrong = sorted(set(given) - set(DEFAULTS))
    if wrong:
        raise CSIInputError(f"channels.verdict: unknown key(s) {wrong}; use "
                            f"{', '.join(DEFAULTS)}")
    costs = block.get("costs")
    return {"costs": None if costs is None else costs_table(costs),
            "verdict": {k: given.get(k, v) for k, v in DEFAULTS.items()}}


def verdict(table: pd.DataFrame, min_conversion: float | None = None,
            max_cost_per_buyer: float | None = None, min_return: float | None = 1.0,
            min_customers: int = 30, min_retention: float | None = None,
            relative_conversion: float = 0.5, currency: str = "¥", lang: str = "en"
            ) -> pd.DataFrame:
    """Keep, drop or open each channel of :func:`evaluate`, with the reason and a 2x2 quadrant.

    Thresholds (params ``channels.verdict``; defaults and why):

    * ``min_customers=30``: below it the conversion's 95% interval is wider than
      +/-18 points (binomial, p = 0.5), too wide to judge: such a channel is *open*
      (``expand`` when it meets every threshold so far, else ``trial``);
    * ``min_conversion=None``: conversion levels differ by business (a store sign-up
      converts most, an ad lead list a few percent), so by default the minimum is
      ``relative_conversion`` (0.5) times the overall conversion: a channel converting
      less than half as well as the client's average is poor quality;
    * ``min_return=1.0``: revenue of the channel's customers / its cost; below 1 the
      channel brought less revenue than it cost (lenient: revenue, not margin; with a
      known gross margin m use 1 / m);
    * ``max_cost_per_buyer=None`` and ``min_retention=None``: no limit unless given
      (they depend on price level and on how long the channel has been running).

    Verdicts: ``keep`` (enough customers, every threshold met: the key channels 重点渠道);
    ``drop`` (enough customers, a threshold missed); ``open`` (a candidate of the cost
    table without customers, or too few customers: trial 试点 / expand 开拓); the
    ``unknown`` row gets none and a reason to record the channel in the CRM. A channel
    with unknown cost is judged on quality only, and its reason says so.

    Quadrant: among channels with at least ``min_customers`` customers (all active ones
    if none), cost-effective = acquisition cost at or below the median, high quality =
    conversion at or above the median: ``star`` (low cost, high quality), ``premium``
    (high cost, high quality), ``volume`` (low cost, low quality), ``weak``. ``rank``
    orders star, premium, volume, weak (quality first: cheap customers who do not buy
    are not cheap), then by return on acquisition, then conversion. Reference: Kotler &
    Keller, *Marketing Management* (evaluating channel alternatives).

    >>> t = pd.DataFrame({"acquired": [40, 40], "buyers": [30, 4], "conversion": [0.75, 0.1],
    ...     "cost": [2000.0, 4000.0], "acquisition_cost": [50.0, 100.0],
    ...     "cost_per_buyer": [2000 / 30, 1000.0], "retention": [0.5, 0.5],
    ...     "return_on_acquisition": [3.0, 0.4], "status": ["active", "active"]},
    ...     index=pd.Index(["门店", "抖音"], name="channel"))
    >>> v = verdict(t, max_cost_per_buyer=300)
    >>> v["verdict"].tolist(), v["quadrant"].tolist()
    (['keep', 'drop'], ['star', 'weak'])
    >>> v.loc["抖音", "reason"].split("; ")                  # one failed threshold each
    ['conversion 10% below the 21% minimum (half the overall 42%)',
     'cost per buyer ¥1,000 above the ¥300 limit',
     'return on acquisition 0.4x below the 1.0x minimum']
    """
    L = _lang(lang)
    need = [c for c in ("acquired", "buyers", "conversion", "cost", "acquisition_cost",
                        "cost_per_buyer", "return_on_acquisition", "status")
            if c not in table.columns]
    if need:
        raise CSIInputError(f"channels.verdict: the table lacks {need}; make it with "
                            "channels.evaluate")
    checks = {"min_conversion": (min_conversion, "a share between 0 and 1 or null", 1),
              "min_retention": (min_retention, "a share between 0 and 1 or null", 1),
              "relative_conversion": (relative_conversion, "a share between 0 and 1", 1),
              "max_cost_per_buyer": (max_cost_per_buyer, "a number >= 0 or null", np.inf),
              "min_return": (min_return, "a number >= 0 or null", np.inf)}
    for key, (v, want, hi) in checks.items():
        if v is not None and not (isinstance(v, (int, float, np.number)) and 0 <= v <= hi):
            raise CSIInputError(f"channels.verdict.{key}={v!r}: give {want}")
    if not (isinstance(min_customers, (int, np.integer)) and min_customers >= 1):
        raise CSIInputError(f"channels.verdict.min_customers={min_customers!r}: give a whole "
                            "number >= 1")
    out = table.copy()
    overall = out.attrs.get("overall_conversion")
    if overall is None:
        n = out["acquired"].sum()
        overall = float(out["buyers"].sum() / n) if n else np.nan
    relative = min_conversion is None
    min_conv = relative_conversion * overall if relative else float(min_conversion)
    active = out["status"] == "active"
    total = out["acquired"].sum()
    verdicts, actions, reasons = [], [], []
    for ch, row in out.iterrows():
        n = int(row["acquired"])
        if row["status"] == UNKNOWN or ch == UNKNOWN:
            verdicts.append(None)
            actions.append("record_channel")
            reasons.append(L["record"].format(n=n, s=n / total if total else 0))
            continue
        if n == 0:
            verdicts.append("open")
            actions.append("trial")
            reasons.append(L["sep"].join([L["n_none"], L["n_none_check"], L["trial"]]))
            continue
        fails, oks = [], []
        conv = row["conversion"]
        if conv < min_conv:
            fails.append(L["conv_low"].format(v=conv, t=min_conv)
                         + (L["rel_half" if relative_conversion == 0.5 else "rel"].format(
                             o=overall, f=relative_conversion) if relative else ""))
        else:
            oks.append(L["conv_ok"].format(v=conv))
        ret = row.get("retention", np.nan)
        if min_retention is not None and pd.notna(ret) and ret < min_retention:
            fails.append(L["keep_low"].format(v=ret, t=min_retention))
        if pd.isna(row["cost"]):
            oks.append(L["cost_unknown"])
        else:
            cpb, roa = row["cost_per_buyer"], row["return_on_acquisition"]
            if max_cost_per_buyer is not None and cpb > max_cost_per_buyer:
                text = L["no_buyer"] if np.isinf(cpb) else _money(cpb, currency)
                fails.append(L["cpb_high"].format(v=text, t=_money(max_cost_per_buyer, currency)))
            if min_return is not None and pd.notna(roa) and roa < min_return:
                fails.append(L["ret_low"].format(v=roa, t=min_return))
            else:
                oks.append(L["ret_ok"].format(v=L["no_cost"] if row["cost"] == 0 or pd.isna(roa)
                                              else f"{roa:.1f}x"))
        if n < min_customers:
            verdicts.append("open")
            actions.append("trial" if fails else "expand")
            reasons.append(L["sep"].join([L["n_few"].format(n=n, m=min_customers)]
                                         + (fails or oks) + [L["trial" if fails else "expand"]]))
        else:
            verdicts.append("drop" if fails else "keep")
            actions.append("drop" if fails else "keep")
            reasons.append(L["sep"].join(fails or oks))
    out["verdict"] = pd.Series(verdicts, index=out.index, dtype=object)   # None for unknown
    out["action"], out["reason"] = actions, reasons
    judged = active & (out["acquired"] >= min_customers)
    base = out[judged if judged.any() else active]
    med_cost = float(base["acquisition_cost"].median())
    med_conv = float(base["conversion"].median())
    quadrant = pd.Series([None] * len(out), index=out.index, dtype=object)
    placed = active & out["acquisition_cost"].notna()
    cheap = out["acquisition_cost"] <= med_cost
    good = out["conversion"] >= med_conv
    for code, mask in (("star", cheap & good), ("premium", ~cheap & good),
                       ("volume", cheap & ~good), ("weak", ~cheap & ~good)):
        quadrant[placed & mask] = code
    out["quadrant"] = quadrant
    key = pd.DataFrame({"q": quadrant.map({"star": 0, "premium": 1, "volume": 2, "weak": 3}),
                        "r": -out["return_on_acquisition"], "c": -out["conversion"]})[placed]
    ranked = key.sort_values(["q", "r", "c"], kind="stable").index
    out["rank"] = pd.Series(range(1, len(ranked) + 1), index=ranked,
                            dtype="Int64").reindex(out.index)
    out.attrs.update({"min_conversion": min_conv, "median_acquisition_cost": med_cost,
                      "median_conversion": med_conv, "min_customers": min_customers,
                      "max_cost_per_buyer": max_cost_per_buyer, "min_return": min_return,
                      "min_retention": min_retention})
    return out


def channel_figure(table: pd.DataFrame, lang: str = "en", y: str = "conversion",
                   currency: str = "¥", title: str | None = None):
    """Scatter of average acquisition cost (x) against ``y`` (``conversion`` or
    ``revenue_per_customer``), bubble size = customers acquired, coloured by verdict
    (keep green, drop red, open orange; none blue), labelled by channel, with the median
    lines of the 2x2 when the table comes from :func:`verdict`. Channels without a cost
    or customers are named under the plot.

    >>> t = pd.DataFrame({"acquired": [40, 10], "conversion": [0.75, 0.3],
    ...                   "acquisition_cost": [50.0, 100.0], "status": ["active", "active"]},
    ...                  index=pd.Index(["门店", "抖音"], name="channel"))
    >>> channel_figure(t, "zh").axes[0].get_title("left")
    '渠道评估：平均获客成本与转化率'
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    from .. import plotting
    plotting.setup()
    L = _lang(lang)
    if y not in ("conversion", "revenue_per_customer"):
        raise CSIInputError(f"channel_figure: y={y!r}; use 'conversion' or "
                            "'revenue_per_customer'")
    need = [c for c in ("acquired", "acquisition_cost", y) if c not in table.columns]
    if need:
        raise CSIInputError(f"channel_figure: the table lacks {need}; make it with "
                            "channels.evaluate")
    status = table["status"] if "status" in table.columns else pd.Series("active", table.index)
    show = (status == "active") & table["acquisition_cost"].notna() & table[y].notna()
    hidden = [label(c, lang) for c in table.index[~show]]
    colours = {"keep": plotting.PALETTE["good"], "drop": plotting.PALETTE["bad"],
               "open": plotting.PALETTE["accent"]}
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    t = table[show]
    verdicts = t["verdict"] if "verdict" in t.columns else pd.Series(None, index=t.index)
    big = float(t["acquired"].max()) if len(t) else 1.0
    for code in ["keep", "drop", "open", None]:
        part = t[(verdicts == code) if code else verdicts.isna()]
        if part.empty:
            continue
        ax.scatter(part["acquisition_cost"], part[y], s=80 + 1200 * part["acquired"] / big,
                   color=colours.get(code, plotting.PALETTE["primary"]), alpha=0.6,
                   edgecolor="white", label=L["verdict"][code] if code else None)
    for ch, row in t.iterrows():
        ax.annotate(str(ch), (row["acquisition_cost"], row[y]), xytext=(6, 6),
                    textcoords="offset points", fontsize=9)
    if "median_acquisition_cost" in table.attrs and len(t):
        ax.axvline(table.attrs["median_acquisition_cost"], color=plotting.PALETTE["neutral"],
                   ls="--", lw=0.8)
        if y == "conversion":
            ax.axhline(table.attrs["median_conversion"], color=plotting.PALETTE["neutral"],
                       ls="--", lw=0.8)
            for code, (qx, qy) in {"star": (0.01, 0.99), "premium": (0.99, 0.99),
                                   "volume": (0.01, 0.01), "weak": (0.99, 0.01)}.items():
                ax.text(qx, qy, L["quadrant"][code], transform=ax.transAxes, fontsize=8,
                        color=plotting.PALETTE["neutral"], zorder=0,
                        ha="left" if qx < 0.5 else "right", va="top" if qy > 0.5 else "bottom")
    if t.empty:
        ax.text(0.5, 0.5, L["empty"], ha="center", va="center", transform=ax.transAxes)
    if y == "conversion":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(L["x"].format(c=currency))
    ax.set_ylabel(L["columns"][y] + (f" ({currency})" if y != "conversion" else ""))
    ax.set_title(title or L["title"].format(y=L["columns"][y].lower()), loc="left")
    ax.margins(x=0.15, y=0.15)                # keep the bubbles off the quadrant names
    if verdicts.notna().any():
        legend = ax.legend(frameon=False, fontsize=9, title=L["size"], title_fontsize=8)
        for handle in legend.legend_handles:
            handle.set_sizes([60])
    foot = L["not_shown"].format(names=", ".join(hidden)) if hidden else ""
    if foot:
        fig.text(0.01, 0.01, foot, fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.04 if foot else 0, 1, 1))
    return fig


def planted_note(truth: Mapping | None, judged: pd.DataFrame) -> str:
    """The demo's check: the verdict on the channels the generator planted as the one to
    keep, the one to drop and the one to open. A client gets ""."""
    if not truth or "channels" not in truth:
        return ""
    planted = truth["channels"]
    lines = []
    for want in ("keep", "drop", "open"):
        channel = planted[want]
        got = judged["verdict"].get(channel) if channel in judged.index else None
        lines.append(f"planted {want}: {channel} -> verdict {got} "
                     f"({'recovered' if got == want else 'NOT recovered'})")
    return "\n".join(lines)
