"""Complaint handling (投诉处理): record every complaint, classify its cause, answer fast,
follow up, learn (METHOD.md §6).

The method's loop, on a complaint log (one row per complaint):

* **classify** each client category into one of three causes (:data:`CAUSES`): expectation
  gap (期望落差: the promise or the customer's expectation exceeded what was delivered),
  product quality (产品质量) or service (服务); :func:`classify`.
* **answer fast**: the method's standard is an answer within 24 hours. :func:`standard`
  gives per cause the share answered within it, of *all* complaints (unanswered ones count
  as missed), median and 90th-percentile hours, resolution and follow-up; :func:`verdict`
  says it in one line.
* **learn**: which issues draw most complaints, by Juran's Pareto principle ("the vital
  few and the trivial many"): :func:`pareto` ranks issues by count and flags the vital few
  up to and including the issue whose cumulative share crosses 80%.
* **why it matters**: complainers vs other customers on satisfaction (Welch's t) and
  retention (two-proportion z, Fisher's exact test for small cells), and the service-
  recovery view: complainers whose complaint was resolved within the standard vs the rest
  (:func:`complainers_vs_others`); :func:`by_month` for the trend.

Hours: response_hours = (responded - received) / 1 h, resolution_hours = (resolved -
received) / 1 h; or given directly as ``response_hours`` / ``resolution_hours``.

References: METHOD.md §6 (the 24-hour rule is the method's); Juran, J. M. (1951),
*Quality Control Handbook* (the Pareto principle); Tax, S. S., Brown, S. W. &
Chandrashekaran, M. (1998), Customer evaluations of service complaint experiences,
*Journal of Marketing* 62(2), 60-76 (fair, fast handling restores satisfaction and
loyalty); Welch, B. L. (1947), *Biometrika* 34, 28-35.

Example
-------
>>> log = classify(example_log(), EXAMPLE_CAUSES)
>>> pareto_line(pareto(log))
'3 of 4 issues (75%) draw 90% of complaints: 送货延迟, 安装问题, 产品故障'
>>> verdict(standard(log), lang="zh")
'60%的投诉在24小时内得到答复（标准：全部；10件中4件未达标）'
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import CSIInputError, CSIWarning

__all__ = ["CAUSES", "LABELS", "label", "example_log", "classify", "response_times", "pareto",
           "pareto_figure", "pareto_line", "standard", "verdict", "complainers_vs_others",
           "Comparison", "by_month", "by_month_figure"]

CAUSES = ("expectation_gap", "product_quality", "service")
_TOL = 1e-9
_HOURS_TOL = 0.01
_MAX_LISTED = 5

LABELS = {
    "en": {"cause": {"expectation_gap": "Expectation gap", "product_quality": "Product quality",
                     "service": "Service", "total": "Total"},
           "by": {"category": "Issue", "cause": "Cause", "channel": "Channel"},
           "complaints": "Complaints", "cum_share": "Cumulative share of complaints",
           "pareto_title": "Pareto chart of complaints", "month": "Month",
           "month_title": "Complaints per month by cause",
           "pareto_line": "{k} of {n} issues ({kp:.0%}) draw {s:.0%} of complaints: {names}",
           "sep": ", ", "none": "No complaints recorded",
           "verdict": "{share:.0%} answered within {hours:g} hours (standard: all; "
                      "{missed} of {n} missed)"},
    "zh": {"cause": {"expectation_gap": "期望落差", "product_quality": "产品质量",
                     "service": "服务", "total": "合计"},
           "by": {"category": "问题类别", "cause": "原因", "channel": "渠道"},
           "complaints": "投诉数", "cum_share": "累计投诉占比",
           "pareto_title": "投诉问题帕累托图", "month": "月份",
           "month_title": "各月投诉数（按原因）",
           "pareto_line": "{n}类问题中的{k}类（{kp:.0%}）引起{s:.0%}的投诉：{names}",
           "sep": "、", "none": "未记录投诉",
           "verdict": "{share:.0%}的投诉在{hours:g}小时内得到答复（标准：全部；"
                      "{n}件中{missed}件未达标）"},
}

#: The cause mapping of :func:`example_log` (the shape of ``complaints.causes``).
EXAMPLE_CAUSES = {"service": ["送货延迟", "安装问题"], "product_quality": ["产品故障"],
                  "expectation_gap": ["价格不符"]}


def _lang(lang: str) -> dict:
    if lang not in LABELS:
        raise CSIInputError(f"lang={lang!r}: unknown language; use 'en' or 'zh' "
                            "(client.language in the params file)")
    return LABELS[lang]


def label(code: str, lang: str = "en") -> str:
    """The client-facing name of a cause code (or 'total'); other codes come back as given.

    >>> label("product_quality", "zh"), label("service")
    ('产品质量', 'Service')
    """
    return _lang(lang)["cause"].get(code, code)


def example_log(classified: bool = False) -> pd.DataFrame:
    """Ten complaints (March-April 2026) for the examples; ``classified`` adds ``cause``
    with :data:`EXAMPLE_CAUSES`.

    >>> example_log()[["category", "received"]].head(2)
      category            received
    0     送货延迟 2026-03-02 09:00:00
    1     安装问题 2026-03-05 09:00:00
    """
    received = pd.Timestamp("2026-03-02 09:00") + pd.to_timedelta(
        [0, 3, 7, 12, 20, 28, 33, 40, 45, 50], unit="D")
    hours = lambda v: received + pd.to_timedelta(v, unit="h")  # noqa: E731
    log = pd.DataFrame({
        "complaint_id": [f"C{i:02d}" for i in range(1, 11)],
        "customer_id": ["K1", "K2", "K3", "", "K1", "K4", "K5", "K6", None, "K7"],
        "received": received,
        "category": ["送货延迟", "安装问题", "送货延迟", "产品故障", "送货延迟", "安装问题",
                     "价格不符", "产品故障", "送货延迟", "安装问题"],
        "responded": hours([2, 5, 30, np.nan, 1, 20, 48, 3, 10, np.nan]),
        "resolved": hours([20, 30, np.nan, np.nan, 4, 60, 72, 10, 24, np.nan]),
        "followed_up": [True, True, False, np.nan, True, False, True, np.nan, True, np.nan],
    })
    return classify(log, EXAMPLE_CAUSES) if classified else log


# ---------------------------------------------------------------------------- checks
def _listed(items) -> str:
    items = [str(i) for i in items]
    more = f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return ", ".join(items[:_MAX_LISTED]) + more


def _where(df: pd.DataFrame, mask: pd.Series) -> str:
    """The complaints under ``mask``, by complaint_id when there is one, else by row."""
    if "complaint_id" in df.columns:
        ids = df.loc[mask, "complaint_id"]
        return "complaint(s) " + _listed(i if pd.notna(i) else f"row {r}" for r, i in ids.items())
    return "row(s) " + _listed(df.index[mask])


def _ids(values) -> pd.Series:
    """Customer ids as stripped text, empty = NA (integral floats lose their '.0')."""
    s = pd.Series(values)
    if pd.api.types.is_float_dtype(s) and (s.dropna() % 1 == 0).all():
        s = s.astype("Int64")
    s = s.astype("string").str.strip()
    return s.mask(s == "")


def _datetimes(df: pd.DataFrame, col: str) -> pd.Series:
    s = df[col]
    d = (s if pd.api.types.is_datetime64_any_dtype(s)
         else pd.to_datetime(s, errors="coerce", format="mixed"))
    bad = d.isna() & s.notna() & (s.astype("string").str.strip() != "")
    if bad.any():
        raise CSIInputError(f"complaints.{col}: not a date-time in {_where(df, bad)} (e.g. "
                            f"{s[bad].iloc[0]!r}); write it as YYYY-MM-DD HH:MM")
    return d


def _hours(df: pd.DataFrame, stamp: str, col: str) -> pd.Series:
    """Hours from received to ``stamp``, or the ``col`` given; both: they must agree."""
    from_stamp = given = None
    if stamp in df.columns:
        from_stamp = (_datetimes(df, stamp) - df["received"]) / pd.Timedelta(hours=1)
    if col in df.columns:
        given = pd.to_numeric(df[col], errors="coerce").astype(float)
        bad = given.isna() & df[col].notna()
        if bad.any():
            raise CSIInputError(f"complaints.{col}: not a number in {_where(df, bad)}; give "
                                "hours as numbers (empty = not yet)")
    if from_stamp is not None and given is not None:
        off = (from_stamp.isna() != given.isna()) | ((from_stamp - given).abs() > _HOURS_TOL)
        if off.any():
            raise CSIInputError(f"complaints.{col}: disagrees with {stamp} - received by more "
                                f"than {_HOURS_TOL} h in {_where(df, off)}; correct it or "
                                f"keep only one of {col} and {stamp}")
    out = given if given is not None else from_stamp
    return out.astype(float) if out is not None else pd.Series(np.nan, index=df.index)


def _prepare(log: pd.DataFrame) -> pd.DataFrame:
    """A checked copy of the log with response_hours, resolution_hours, followed_up
    (True/False/NA) and customer_id (text, NA = anonymous)."""
    if not isinstance(log, pd.DataFrame):
        raise CSIInputError(f"complaints: expected a DataFrame, got {type(log).__name__}")
    missing = [c for c in ("received", "category") if c not in log.columns]
    if missing:
        raise CSIInputError(f"complaints: column(s) {', '.join(missing)} missing; the log "
                            "needs received and category (see docs/contracts.md)")
    df = log.copy()
    df["received"] = _datetimes(df, "received")
    if df["received"].isna().any():
        raise CSIInputError(f"complaints.received: empty in {_where(df, df['received'].isna())}; "
                            "fill in when the complaint came in")
    cat = df["category"].astype("string").str.strip()
    if (cat.isna() | (cat == "")).any():
        raise CSIInputError(f"complaints.category: empty in {_where(df, cat.isna() | (cat == ''))}"
                            "; give every complaint the client's category")
    df["category"] = cat.astype(object)
    if "customer_id" in df.columns:
        df["customer_id"] = _ids(df["customer_id"])
    if "complaint_id" in df.columns:
        dup = df["complaint_id"].notna() & df["complaint_id"].duplicated(keep=False)
        if dup.any():
            raise CSIInputError(f"complaints.complaint_id: {_where(df, dup)} appear more than "
                                "once; remove the duplicate rows or give each its own id")
    df["response_hours"] = _hours(df, "responded", "response_hours")
    df["resolution_hours"] = _hours(df, "resolved", "resolution_hours")
    for col, what in (("response_hours", "responded"), ("resolution_hours", "resolved")):
        neg = df[col] < -_TOL
        if neg.any():
            raise CSIInputError(f"complaints.{what}: before received in {_where(df, neg)} "
                                f"({col} < 0); correct the times")
    if "followed_up" in df.columns:
        f = df["followed_up"]
        ok = f.isna() | f.isin([True, False, 0, 1])
        if not ok.all():
            raise CSIInputError(f"complaints.followed_up: {f[~ok].iloc[0]!r} in "
                                f"{_where(df, ~ok)}; use True/False (empty = unknown)")
        df["followed_up"] = f.map(lambda v: pd.NA if pd.isna(v) else bool(v)).astype("boolean")
    if "cause" in df.columns:
        bad = ~df["cause"].isin(CAUSES)
        if bad.any():
            raise CSIInputError(f"complaints.cause: {df['cause'][bad].iloc[0]!r} in "
                                f"{_where(df, bad)} is not a cause; use {', '.join(CAUSES)} "
                                "or run classify() with complaints.causes")
    return df


def _need_cause(df: pd.DataFrame, what: str) -> None:
    if "cause" not in df.columns:
        raise CSIInputError(f"{what}: the log has no cause column; run classify(log, causes) "
                            "with complaints.causes first")


# ---------------------------------------------------------------------------- classify
def classify(log: pd.DataFrame, causes: Mapping[str, str | list[str]]) -> pd.DataFrame:
    """The log with a ``cause`` column: each client category mapped to its cause.

    ``causes`` (params key ``complaints.causes``) maps cause -> client categories, e.g.
    ``{"product_quality": ["产品故障"], "service": ["送货延迟"], ...}``. Every category of
    the log needs exactly one cause; categories are compared without surrounding spaces.

    >>> classify(example_log(), EXAMPLE_CAUSES)["cause"].value_counts().to_dict()
    {'service': 7, 'product_quality': 2, 'expectation_gap': 1}
    """
    if not isinstance(causes, Mapping) or not causes:
        raise CSIInputError("complaints.causes: empty; map each cause (expectation_gap, "
                            "product_quality, service) to the client's categories")
    where: dict[str, str] = {}
    for cause, cats in causes.items():
        if cause not in CAUSES:
            raise CSIInputError(f"complaints.causes: {cause!r} is not a cause; use "
                                f"{', '.join(CAUSES)}")
        for c in [cats] if isinstance(cats, str) else list(cats or []):
            c = str(c).strip()
            if c in where and where[c] != cause:
                raise CSIInputError(f"complaints.causes: category {c!r} is under both "
                                    f"{where[c]} and {cause}; keep it under one")
            where[c] = cause
    df = _prepare(log.drop(columns="cause") if "cause" in log.columns else log)
    unmapped = df.loc[~df["category"].isin(list(where)), "category"].value_counts()
    if len(unmapped):
        listed = ", ".join(f"{c!r} ({n})" for c, n in unmapped.items())
        raise CSIInputError(f"complaints: category {listed} has no cause (complaints in "
                            "brackets); add it to complaints.causes (expectation_gap, "
                            "product_quality or service)")
    out = log.copy()
    out["cause"] = df["category"].map(where)
    return out


def response_times(log: pd.DataFrame) -> pd.DataFrame:
    """Hours to response and to resolution per complaint (NaN = not yet), from
    ``responded`` / ``resolved`` minus ``received`` or the hours given.

    >>> response_times(example_log()).iloc[:3]
      complaint_id category  response_hours  resolution_hours
    0          C01     送货延迟             2.0              20.0
    1          C02     安装问题             5.0              30.0
    2          C03     送货延迟            30.0               NaN
    """
    df = _prepare(log)
    keep = [c for c in ("complaint_id", "category", "cause") if c in df.columns]
    return df[keep + ["response_hours", "resolution_hours"]]


# ---------------------------------------------------------------------------- Pareto
def pareto(log: pd.DataFrame, by: str = "category", pareto_share: float = 0.80) -> pd.DataFrame:
    """Issues sorted by complaints (most first, equal counts by name): complaints, share,
    cum_share and ``vital_few``: the issues up to and including the one whose cumulative
    share reaches ``pareto_share`` (params ``complaints.pareto_share``, 0.80; compared with
    a 1e-9 tolerance). Ties are never split: issues with the count of a vital one are vital.
    Complaints without a value of ``by`` are left out with a warning. (Juran's principle.)

    >>> pareto(example_log())
              complaints  share  cum_share  vital_few
    category
    送货延迟               4    0.4        0.4       True
    安装问题               3    0.3        0.7       True
    产品故障               2    0.2        0.9       True
    价格不符               1    0.1        1.0      False
    """
    if not 0 < pareto_share <= 1:
        raise CSIInputError(f"complaints.pareto_share={pareto_share}: use a share in (0, 1], "
                            "e.g. 0.80")
    df = _prepare(log)
    if by not in df.columns:
        raise CSIInputError(f"pareto: by={by!r} is not a column of the log; use category, "
                            "cause (after classify) or another column")
    values = df[by].astype("string").str.strip()
    blank = values.isna() | (values == "")
    if blank.any():
        warnings.warn(f"pareto: {int(blank.sum())} complaint(s) without {by} left out "
                      f"({_where(df, blank)})", CSIWarning, stacklevel=2)
    counts = values[~blank].astype(object).value_counts()
    t = pd.DataFrame({"complaints": counts.astype(int)})
    t.index.name = by
    t = t.assign(_name=t.index).sort_values(["complaints", "_name"], ascending=[False, True])
    total = t["complaints"].sum()
    t = t.drop(columns="_name")
    t["share"] = t["complaints"] / total if total else np.nan
    t["cum_share"] = t["share"].cumsum()
    vital = (t["cum_share"] - t["share"]) < pareto_share - _TOL
    t["vital_few"] = vital.groupby(t["complaints"]).transform("any").astype(bool)
    t.attrs.update(by=by, pareto_share=pareto_share)
    return t


def _names(index, by: str, lang: str) -> list[str]:
    return [label(str(i), lang) if by == "cause" else str(i) for i in index]


def pareto_line(table: pd.DataFrame, lang: str = "en") -> str:
    """One sentence: how many issues draw how much of the complaints, and which.

    >>> pareto_line(pareto(example_log()), lang="zh")
    '4类问题中的3类（75%）引起90%的投诉：送货延迟、安装问题、产品故障'
    """
    L = _lang(lang)
    if table.empty:
        return L["none"]
    vital = table[table["vital_few"]]
    k, n = len(vital), len(table)
    names = L["sep"].join(_names(vital.index, table.attrs.get("by", table.index.name), lang))
    return L["pareto_line"].format(k=k, n=n, kp=k / n, s=vital["share"].sum(), names=names)


def pareto_figure(table: pd.DataFrame, lang: str = "en", title: str | None = None):
    """Pareto chart: complaints per issue as bars (vital few in the primary colour), the
    cumulative share as a line on the right axis, the ``pareto_share`` line dotted.

    >>> fig = pareto_figure(pareto(example_log()), lang="zh")
    >>> fig.axes[0].get_title()
    '投诉问题帕累托图'
    """
    import matplotlib.pyplot as plt

    from .. import plotting
    plotting.setup()
    L = _lang(lang)
    by = table.attrs.get("by", table.index.name)
    x = np.arange(len(table))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(table) + 2), 4.5))
    colours = [plotting.PALETTE["primary" if v else "neutral"] for v in table["vital_few"]]
    ax.bar(x, table["complaints"], color=colours)
    ax.set_xticks(x, _names(table.index, by, lang), rotation=30 if len(table) > 6 else 0,
                  ha="right" if len(table) > 6 else "center")
    ax2 = ax.twinx()
    ax2.spines["right"].set_visible(True)
    ax2.plot(x, table["cum_share"], color=plotting.PALETTE["accent"], marker="o", lw=2)
    share = table.attrs.get("pareto_share", 0.80)
    ax2.axhline(share, color=plotting.PALETTE["neutral"], lw=0.8, ls=":")
    ax2.set_ylim(0, 1.05)
    ax2.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax2.set_ylabel(L["cum_share"])
    ax.set_xlabel(L["by"].get(by, by))
    ax.set_ylabel(L["complaints"])
    ax.set_title(title or L["pareto_title"])
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------- 24-hour standard
def _standard_row(d: pd.DataFrame, hours: float) -> dict:
    n = len(d)
    rh, sh = d["response_hours"].dropna(), d["resolution_hours"].dropna()
    within = int((rh <= hours + _TOL).sum())
    fu = d["followed_up"].dropna() if "followed_up" in d.columns else pd.Series(dtype=bool)
    share = lambda k, m: k / m if m else np.nan  # noqa: E731
    return {"complaints": n, "answered": len(rh), "within_standard": within,
            "within_standard_share": share(within, n),
            "response_median_h": rh.median() if len(rh) else np.nan,
            "response_p90_h": float(np.percentile(rh, 90)) if len(rh) else np.nan,
            "resolved": len(sh), "resolved_share": share(len(sh), n),
            "resolution_median_h": sh.median() if len(sh) else np.nan,
            "followed_up_share": share(int(fu.sum()), len(fu)),
            "followed_up_unknown": n - len(fu)}


def standard(log: pd.DataFrame, hours: float = 24) -> pd.DataFrame:
    """The response standard per cause (when the log is classified) and in total.

    within_standard_share = answered within ``hours`` (params ``complaints.response_hours``,
    24: the method's rule; exactly 24 h counts as within) / all complaints, so unanswered
    complaints count as missed. Response and resolution hours are summarised over the
    answered / resolved ones (median; 90th percentile by linear interpolation, numpy's
    default); followed_up_share is of the complaints with a known follow-up value and
    followed_up_unknown counts the rest. Causes without complaints get 0 and NaN.
    (Tax, Brown & Chandrashekaran 1998: speed is part of the procedural fairness customers
    judge a complaint's handling by.)

    >>> t = standard(example_log(True))
    >>> t.loc["total", ["answered", "within_standard_share", "response_median_h"]].tolist()
    [8.0, 0.6, 7.5]
    >>> t.loc["service", ["complaints", "within_standard", "followed_up_unknown"]].tolist()
    [7, 5, 1]
    """
    if not hours > 0:
        raise CSIInputError(f"complaints.response_hours={hours}: use a positive number of "
                            "hours, e.g. 24")
    df = _prepare(log)
    rows = {}
    if "cause" in df.columns:
        rows = {c: _standard_row(df[df["cause"] == c], hours) for c in CAUSES}
    rows["total"] = _standard_row(df, hours)
    t = pd.DataFrame.from_dict(rows, orient="index")
    t.index.name = "cause"
    t.attrs["hours"] = hours
    return t


def verdict(table: pd.DataFrame, lang: str = "en") -> str:
    """One line on the standard, from the total row of :func:`standard`.

    >>> verdict(standard(example_log()))
    '60% answered within 24 hours (standard: all; 4 of 10 missed)'
    """
    L = _lang(lang)
    r = table.loc["total"]
    if not r["complaints"]:
        return L["none"]
    return L["verdict"].format(share=r["within_standard_share"], hours=table.attrs.get("hours", 24),
                               missed=int(r["complaints"] - r["within_standard"]),
                               n=int(r["complaints"]))


# ---------------------------------------------------------------------------- complainers
@dataclass(frozen=True)
class Comparison:
    """Complainers vs other customers (``table``: rows satisfaction / retention) and the
    service-recovery view (``recovery``: complainers resolved within the standard vs not);
    ``notes`` say what was left out and how many linked."""

    table: pd.DataFrame = field(repr=False)
    recovery: pd.DataFrame = field(repr=False)
    customers: int
    complainers: int
    notes: tuple = ()

    def __repr__(self) -> str:
        lines = [f"Complainers vs others: {self.complainers} of {self.customers} customers "
                 "complained"]
        for t, (a, b) in ((self.table, ("complainers", "others")),
                          (self.recovery, ("recovered", "not_recovered"))):
            for m, r in t.iterrows():
                lines.append(f"  {m:<13} {a} {r[a]:.3g} (n={r['n_' + a]}) vs {b} {r[b]:.3g} "
                             f"(n={r['n_' + b]}): difference {r['difference']:+.3g}, "
                             f"p = {r['p']:.3g} ({r['test']})")
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


def _customer_list(customers) -> pd.Index:
    if isinstance(customers, pd.DataFrame):
        values = customers["customer_id"] if "customer_id" in customers.columns else customers.index
    else:
        values = customers.index if isinstance(customers, Mapping) else list(customers)
    ids = _ids(pd.Series(list(values), dtype=object)).dropna()
    if ids.empty:
        raise CSIInputError("complainers_vs_others: no customer ids given; pass the customer "
                            "master (customer_id) or an index of ids")
    return pd.Index(ids.unique())


def _per_customer(s, what: str, ids: pd.Index, notes: list) -> pd.Series | None:
    """The values of ``s`` (indexed by customer_id) for the customers ``ids``, checked:
    scores 0-100 for satisfaction, True/False for retained; None when not given."""
    if s is None:
        notes.append(f"{what}: not given, left out")
        return None
    s = pd.Series(s).copy()
    s.index = _ids(pd.Series(s.index, dtype=object)).to_numpy()
    if s.index.duplicated().any():
        raise CSIInputError(f"{what}: customer id(s) {_listed(s.index[s.index.duplicated()])} "
                            "appear more than once; give one value per customer")
    if (~s.index.isin(ids)).any():
        notes.append(f"{what}: {int((~s.index.isin(ids)).sum())} value(s) for ids not among "
                     "the customers ignored")
    s = s[s.index.isin(ids)]
    if what == "satisfaction":
        num = pd.to_numeric(s, errors="coerce").astype(float)
        bad, fix = (num.isna() & s.notna()) | (num < 0) | (num > 100), "use scores 0-100"
    else:
        bad, fix = s.notna() & ~s.isin([True, False, 0, 1]), "use True/False (empty = unknown)"
        num = s.dropna().astype(bool)
    if bad.any():
        raise CSIInputError(f"{what}: {s[bad].tolist()[0]!r} for customer(s) "
                            f"{_listed(s.index[bad])}; {fix}")
    notes.append(f"{what}: {int(num.notna().sum())} of {len(ids)} customers linked")
    return num.dropna()


def _welch(a: pd.Series, b: pd.Series, names) -> dict:
    p = stats.ttest_ind(a, b, equal_var=False).pvalue if len(a) > 1 and len(b) > 1 else np.nan
    return {names[0]: a.mean(), names[1]: b.mean(), "difference": a.mean() - b.mean(),
            "p": float(p), "test": "welch_t", f"n_{names[0]}": len(a), f"n_{names[1]}": len(b)}


def _proportions(a: pd.Series, b: pd.Series, names) -> dict:
    """Two-proportion z (pooled) unless an expected cell count is below 5: Fisher's exact."""
    x1, n1, x2, n2 = int(a.sum()), len(a), int(b.sum()), len(b)
    cells = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    expected = cells.sum(1, keepdims=True) * cells.sum(0, keepdims=True) / cells.sum()
    if (expected < 5).any():
        p, test = stats.fisher_exact(cells).pvalue, "fisher_exact"
    else:
        pool = (x1 + x2) / (n1 + n2)
        z = (x1 / n1 - x2 / n2) / np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        p, test = 2 * stats.norm.sf(abs(z)), "two_proportion_z"
    return {names[0]: x1 / n1, names[1]: x2 / n2, "difference": x1 / n1 - x2 / n2,
            "p": float(p), "test": test, f"n_{names[0]}": n1, f"n_{names[1]}": n2}


def complainers_vs_others(log: pd.DataFrame, customers, satisfaction=None, retained=None,
                          hours: float = 24) -> Comparison:
    """Customers who complained vs those who did not, among the ``customers`` given (the
    master DataFrame with customer_id, or any list / Index of ids).

    ``satisfaction``: 0-100 per customer (Series indexed by customer_id, may cover only some
    customers; NaN = none): means, difference (complainers - others) and Welch's t-test p.
    ``retained``: bool per customer (e.g. bought again in the last window): rates,
    difference and a pooled two-proportion z test, or Fisher's exact test when an expected
    cell count is below 5. ``n_*`` columns count the customers linked to each measure. A
    measure without data in either group is left out with a note. ``recovery``: satisfaction
    of complainers all of whose complaints were resolved within ``hours`` (params
    ``complaints.response_hours``) vs the other complainers, when both groups have data
    (the service-recovery view of Tax, Brown & Chandrashekaran 1998). Anonymous complaints
    are left out of this comparison (noted); complaints whose customer id is not among the
    customers are left out with a warning.

    >>> sat = pd.Series({"K1": 60.0, "K2": 80, "K3": 50, "K8": 85, "K9": 75})
    >>> r = complainers_vs_others(example_log(), [f"K{i}" for i in range(1, 10)], sat)
    >>> r.table.loc["satisfaction", ["complainers", "others", "n_complainers"]].tolist()
    [63.333333333333336, 80.0, 3.0]
    >>> r.recovery.loc["satisfaction", ["recovered", "not_recovered"]].tolist()  # K1 vs K2, K3
    [60.0, 65.0]
    """
    df = _prepare(log)
    if "customer_id" not in df.columns:
        raise CSIInputError("complainers_vs_others: the log has no customer_id column; add "
                            "it (empty for anonymous complaints)")
    ids = _customer_list(customers)
    notes: list[str] = []
    anonymous = int(df["customer_id"].isna().sum())
    if anonymous:
        notes.append(f"{anonymous} anonymous complaint(s) left out of this comparison")
    unknown = df["customer_id"].notna() & ~df["customer_id"].isin(ids)
    if unknown.any():
        warnings.warn(f"complainers_vs_others: {int(unknown.sum())} complaint(s) from customer "
                      f"ids not among the customers left out ({_where(df, unknown)})",
                      CSIWarning, stacklevel=2)
        notes.append(f"{int(unknown.sum())} complaint(s) from ids not among the customers "
                     "left out")
    linked = df[df["customer_id"].isin(ids)]
    complained = pd.Series(ids.isin(linked["customer_id"]), index=ids)
    rows, sat = {}, None
    for measure, what, values, test in (("satisfaction", "satisfaction", satisfaction, _welch),
                                        ("retention", "retained", retained, _proportions)):
        v = _per_customer(values, what, ids, notes)
        if v is None:
            continue
        sat = v if measure == "satisfaction" else sat
        c = complained.reindex(v.index).astype(bool)
        if c.any() and not c.all():
            rows[measure] = test(v[c], v[~c], ("complainers", "others"))
        else:
            who = "any customer" if c.empty else "the other customers" if c.all() else "complainers"
            notes.append(f"{measure}: no data for {who}, left out")
    cols = ["complainers", "others", "difference", "p", "test", "n_complainers", "n_others"]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=cols).rename_axis("measure")
    recovery = pd.DataFrame(columns=["recovered", "not_recovered", "difference", "p", "test",
                                     "n_recovered", "n_not_recovered"]).rename_axis("measure")
    if sat is not None:
        ok = (linked["resolution_hours"] <= hours + _TOL).groupby(linked["customer_id"]).all()
        a, b = sat[sat.index.isin(ok.index[ok])], sat[sat.index.isin(ok.index[~ok])]
        if len(a) and len(b):
            recovery.loc["satisfaction"] = _welch(a, b, ("recovered", "not_recovered"))
        else:
            notes.append("recovery: needs satisfaction of complainers resolved within "
                         f"{hours:g} h and of the others; left out")
    return Comparison(table=table, recovery=recovery, customers=len(ids),
                      complainers=int(complained.sum()), notes=tuple(notes))


# ---------------------------------------------------------------------------- trend
def by_month(log: pd.DataFrame) -> pd.DataFrame:
    """Complaints per calendar month of ``received`` (months without complaints included as
    0), one column per cause when the log is classified, and the total.

    >>> by_month(example_log(True))
             expectation_gap  product_quality  service  total
    month
    2026-03                0                1        5      6
    2026-04                1                1        2      4
    """
    df = _prepare(log)
    cols = list(CAUSES) if "cause" in df.columns else []
    if df.empty:
        return pd.DataFrame(columns=cols + ["total"], dtype=int,
                            index=pd.PeriodIndex([], freq="M", name="month"))
    month = df["received"].dt.to_period("M").rename("month")
    span = pd.period_range(month.min(), month.max(), freq="M", name="month")
    t = (df.groupby([month, df["cause"]]).size().unstack("cause") if cols
         else pd.DataFrame(index=span))
    t = t.reindex(index=span, columns=cols).fillna(0).astype(int)
    t.columns.name = None
    t["total"] = month.value_counts().reindex(span).fillna(0).astype(int)
    return t


def by_month_figure(table: pd.DataFrame, lang: str = "en", title: str | None = None):
    """Complaints per month as stacked bars by cause (or the total alone).

    >>> fig = by_month_figure(by_month(example_log(True)))
    >>> fig.axes[0].get_xlabel()
    'Month'
    """
    import matplotlib.pyplot as plt

    from .. import plotting
    plotting.setup()
    L = _lang(lang)
    causes = [c for c in CAUSES if c in table.columns] or ["total"]
    colours = dict(zip(CAUSES, ("accent", "primary", "neutral")), total="primary")
    x = np.arange(len(table))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(table) + 2), 4.5))
    bottom = np.zeros(len(table))
    for c in causes:
        ax.bar(x, table[c], bottom=bottom, color=plotting.PALETTE[colours[c]], label=label(c, lang))
        bottom = bottom + table[c].to_numpy()
    ax.set_xticks(x, [str(m) for m in table.index], rotation=45 if len(table) > 8 else 0)
    ax.set_xlabel(L["month"])
    ax.set_ylabel(L["complaints"])
    ax.set_title(title or L["month_title"])
    if len(causes) > 1:
        ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def planted_note(truth: Mapping | None, issues: pd.DataFrame, handling: pd.DataFrame) -> str:
    """The demo's check: the generator's top three complaint categories and its share
    answered within 24 hours, beside what the analysis found. A client gets ""."""
    if not truth or "complaints" not in truth:
        return ""
    planted = truth["complaints"]
    found = list(issues.index[issues["vital_few"]])
    return (f"planted top issues: {', '.join(planted['top3'])} ({planted['top3_share']:.0%}); "
            f"found vital few: {', '.join(map(str, found))} "
            f"({issues.loc[issues['vital_few'], 'share'].sum():.0%})\n"
            f"planted share answered within 24 hours: {planted['within_24h_share']:.1%}; "
            f"found: {handling.loc['total', 'within_standard_share']:.1%}")
