"""Value tiers (价值分层): ABC by cumulative revenue (the Pareto view) and the value
pyramid VIP / large (大客户) / ordinary / small, with their figures.

Sort customers by revenue, largest first: A closes at the customer where the cumulative
share reaches ``a`` (80%), B at ``b`` (95%), the rest is C; the pyramid cuts by shares of
customers instead (top 1%, 5%, 50%). Reference: METHOD.md §5; Pareto/ABC analysis as in
Kotler & Keller, *Marketing Management* (customer value).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .codes import from_codes
from .inputs import _TOL, LABELS, _lang, _revenue_series


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
    # grouped by the values, not the Series: a Series key would be aligned to the table's
    # index and leave a hash table on it (see ids.py)
    return code.groupby(t["revenue"].to_numpy()).transform("min")


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
    cum_share_before, customer_cum_share, tier: a categorical) sorted by rank, ``summary``
    per tier (customers, customer_share, revenue, revenue_share, min/max revenue,
    cumulative shares).

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
    before = t["cum_share_before"].to_numpy()     # numpy, not the Series (see ids.py)
    code = pd.Series(np.where(before < a - _TOL, 0, np.where(before < b - _TOL, 1, 2)),
                     index=t.index)
    code = _ties_share_best(t, code).to_numpy().copy()
    code[t["revenue"].to_numpy() <= 0] = 2
    t["tier"] = from_codes(code, ["A", "B", "C"])          # a categorical (see codes.py)
    return TierResult("ABC (Pareto)", t, _summary(t, ["A", "B", "C"]), {"a": a, "b": b})


def pareto_figure(result: TierResult, lang: str = "en", title: str | None = None):
    """Lorenz / Pareto curve: cumulative share of revenue against cumulative share of
    customers (largest first), with the ABC tier boundaries marked and shaded.

    Example
    -------
    >>> fig = pareto_figure(abc(pd.Series({"c1": 70.0, "c2": 20.0, "c3": 10.0})))
    """
    import matplotlib.pyplot as plt

    from .. import plotting
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
    code = _ties_share_best(t, pd.Series(code, index=t.index)).to_numpy().copy()
    code[t["revenue"].to_numpy() <= 0] = 3
    t["tier"] = from_codes(code, PYRAMID_TIERS)
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
    # positions, not a boolean Series in .loc (it leaves a hash table on the index: ids.py)
    hit = np.flatnonzero(t["cum_share"].to_numpy() >= revenue_share - _TOL)
    return float(t["customer_cum_share"].to_numpy()[hit[0]])


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

    from .. import plotting
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
