"""RFM (recency, frequency, monetary value) scores and the eight segments of Chinese CRM
practice (重要价值客户 ...).

Reference: Hughes (1994), *Strategic Database Marketing*; METHOD.md §5.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CSIInputError
from .codes import categorical, from_codes
from .inputs import _as_of
from .value import _purchases

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
    - ``cell``, ``segment`` and ``segment_zh`` are categoricals (see
      :mod:`~csi_helpers.customers.codes`).

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
    r, f, m = (out[k].to_numpy() for k in ("R", "F", "M"))
    out["cell"] = _cells(r, f, m, bins)
    out["rfm_score"] = out["R"] + out["F"] + out["M"]
    mid = (bins + 1) / 2
    # the row of RFM_SEGMENTS of each customer, by its high/low on R, F and M
    row = {tuple(k): i for i, k in enumerate(RFM_SEGMENTS[["R", "F", "M"]].to_numpy().tolist())}
    lookup = np.array([row[tuple("high" if h else "low" for h in (hr, hf, hm))]
                       for hr in (0, 1) for hf in (0, 1) for hm in (0, 1)])
    code = lookup[4 * (r >= mid) + 2 * (f >= mid) + (m >= mid)]
    out["segment"] = from_codes(code, RFM_SEGMENTS["segment"])       # categoricals (codes.py)
    out["segment_zh"] = from_codes(code, RFM_SEGMENTS["segment_zh"])
    return out


def _cells(r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int) -> pd.Categorical:
    """The three digits of each customer's scores (``"545"``) as a categorical: one code
    per customer into the ``bins ** 3`` possible cells (texts of many customers, once)."""
    if bins > 9:                       # "1" "11" "1" and "11" "1" "1" are one text
        return categorical(pd.Series(r).astype(str) + pd.Series(f).astype(str)
                           + pd.Series(m).astype(str))
    digits = [str(i) for i in range(1, bins + 1)]
    return from_codes(((r - 1) * bins + (f - 1)) * bins + (m - 1),
                      [a + b + c for a in digits for b in digits for c in digits])


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
