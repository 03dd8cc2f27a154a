"""RFM (recency, frequency, monetary value) scores and the eight segments of Chinese CRM
practice (重要价值客户 ...).

Reference: Hughes (1994), *Strategic Database Marketing*; METHOD.md §5.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CSIInputError
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
