"""The demo client: synthetic data with a planted, known structure, deterministic from a seed.

``generate(out_dir, seed)`` writes the data files of ``docs/contracts.md`` ("Data files")
plus ``truth.json``, the model that generated them, so a trainer can show each technique
recovering the truth:

- ``survey.csv`` (GBK, as Chinese survey tools export): about 1,000 completed respondents
  answering Q01..Q25 on a 5-point scale, generated from the ECSI latent model
  (IMAG -> EXPE -> QUAL -> VAL -> SAT -> COMP/LOY, see ``PATHS``) with known standardised
  loadings (``LOADINGS``) and path coefficients; continuous responses cut into 5 categories
  by thresholds that skew toward agreement (``THRESHOLDS``); Q12 and Q24 answered reversed.
  Planted noise: partial responses, ~2% missing answers, some 不知道, a handful of stray
  out-of-range codes, ~2% straight-liners, ~3% speeders, ~1% duplicate respondents; segments
  (region slightly off quota, channel) with modest satisfaction differences; competitor
  ratings; a free-text comment; ~40% of respondents linked to a CRM customer whose value
  tier shifts their satisfaction a little.
- ``customers.csv``, ``transactions.csv``, ``visits.csv``: about 5,000 customers (agents,
  franchisees, retail) with Pareto-like spend over the three full 12-month years ending at
  the tiering ``as_of`` date (2023-10-01..2026-09-30, so the rule-based tier B can see two
  consecutive years of growth), growing, declining and churned customers, new customers joining, store visits.
- ``notes.csv``: ~150 coded excerpts from 3 internal interviews, 8 in-depth interviews and
  2 focus groups; ``secondary.csv``: 6 secondary sources.
- ``truth.json``: the seed, the model (loadings, paths, implied R², item -> LV map,
  reverse items, thresholds, segment and tier effects), the planted noise rates and ids,
  the Pareto share, and ``pls_population``: what PLS-PM (``csi_helpers.pls.fit``, ECSI
  paths, demo blocks, path scheme, mode A) converges to on this generator's data. It differs
  from the planted values: 5-point discretisation and measurement error in the PLS
  composites attenuate the path coefficients and R² (e.g. IMAG -> EXPE 0.55 planted, about
  0.41 in PLS), while PLS mode-A loadings come out somewhat above the planted ones (the
  composite contains the item itself). Compare a sample's PLS estimates and bootstrap CIs
  with ``pls_population``; compare ``model`` with consistent methods (e.g. CFA on
  polychoric correlations).

The names (items, LVs, blocks, labels, segments, competitors, tiering settings) equal those
of ``params/demo.yaml``; ``tests/test_demo.py`` checks that they agree.

``ensure(params)`` creates the demo data in the folder of ``sources.survey.path`` when any
file is missing; it is safe when several processes call it at once.

The survey and its latent model are drawn here; the CRM in :mod:`.demo_transactions`, the
customer-management exports and the launch in :mod:`.demo_customers`, the qualitative
fieldwork in :mod:`.demo_fieldwork`, each from its own stream.

Example
-------
>>> from csi_helpers import demo
>>> paths = demo.generate("data/demo", seed=20261123)     # doctest: +SKIP
>>> sorted(paths)                                         # doctest: +SKIP
['customers', 'notes', 'secondary', 'survey', 'transactions', 'truth', 'visits']
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import tempfile
import uuid
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CSIInputError, CSIWarning

__all__ = ["FILES", "generate", "ensure", "model", "implied_lv_correlation"]

#: 2: the customer-management exports (acquisition, channel costs, complaints, ratings)
#: and their truth keys; every file of version 1 is unchanged. 3: a launch planted (some
#: refrigerator purchases become smart_refrigerators, truth key "launch"); only the
#: transactions' category column changed.
GENERATOR_VERSION = 3

# ---------------------------------------------------------------------------- the names
# (must agree with params/demo.yaml; tests/test_demo.py checks)
FILES = {
    "survey": "survey.csv",
    "customers": "customers.csv",
    "transactions": "transactions.csv",
    "visits": "visits.csv",
    "notes": "notes.csv",
    "secondary": "secondary.csv",
    "acquisition": "acquisition.csv",
    "channel_costs": "channel_costs.csv",
    "complaints": "complaints.csv",
    "ratings": "ratings.csv",
    "truth": "truth.json",
}
LVS = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"]
BLOCKS = {
    "IMAG": ["Q01", "Q02", "Q03"],
    "EXPE": ["Q04", "Q05", "Q06"],
    "QUAL": ["Q07", "Q08", "Q09", "Q10", "Q11", "Q12", "Q13"],
    "VAL": ["Q14", "Q15", "Q16"],
    "SAT": ["Q17", "Q18", "Q19"],
    "COMP": ["Q20", "Q21"],
    "LOY": ["Q22", "Q23", "Q24", "Q25"],
}
ITEMS = [f"Q{i:02d}" for i in range(1, 26)]
ITEM_LV = {item: lv for lv, items in BLOCKS.items() for item in items}
REVERSE_ITEMS = ["Q12", "Q24"]
POINTS = 5
LABELS_ZH = ["非常不满意", "不满意", "一般", "满意", "非常满意"]     # values 1..5
DONT_KNOW = "不知道"
REGIONS = ["North", "South", "East", "West"]
QUOTA = {"North": 0.25, "South": 0.25, "East": 0.30, "West": 0.20}
CHANNELS = ["store", "online", "phone"]
COMPETITORS = {"compA": {"Q17": "Q17_compA", "Q07": "Q07_compA"},
               "compB": {"Q17": "Q17_compB", "Q07": "Q07_compB"}}
COMPETITOR_COLUMNS = ["Q17_compA", "Q17_compB", "Q07_compA", "Q07_compB"]
SURVEY_COLUMNS = (["respondent_id", "customer_id", "status", "start_time", "duration_sec",
                   "region", "channel"] + ITEMS + COMPETITOR_COLUMNS + ["comment"])
SPEEDER_SECONDS = 150
AS_OF = date(2026, 9, 30)
TRANSACTIONS_START = date(2023, 10, 1)   # three full 12-month years ending at AS_OF
ABC = {"a": 0.80, "b": 0.95}

# ---------------------------------------------------------------------------- the model
# ECSI structural model, standardised path coefficients (from, to, coefficient)
PATHS = [
    ("IMAG", "EXPE", 0.55), ("IMAG", "SAT", 0.15), ("IMAG", "LOY", 0.20),
    ("EXPE", "QUAL", 0.60), ("EXPE", "VAL", 0.20), ("EXPE", "SAT", 0.10),
    ("QUAL", "VAL", 0.55), ("QUAL", "SAT", 0.35), ("VAL", "SAT", 0.30),
    ("SAT", "COMP", -0.45), ("SAT", "LOY", 0.50), ("COMP", "LOY", -0.15),
]
# standardised loadings of the (positively keyed) continuous responses on their LV
LOADINGS = {
    "Q01": 0.85, "Q02": 0.70, "Q03": 0.80,
    "Q04": 0.80, "Q05": 0.75, "Q06": 0.65,
    "Q07": 0.85, "Q08": 0.80, "Q09": 0.75, "Q10": 0.70, "Q11": 0.75, "Q12": 0.60, "Q13": 0.70,
    "Q14": 0.85, "Q15": 0.85, "Q16": 0.70,
    "Q17": 0.90, "Q18": 0.85, "Q19": 0.80,
    "Q20": 0.85, "Q21": 0.75,
    "Q22": 0.85, "Q23": 0.85, "Q24": 0.65, "Q25": 0.60,
}
# category k is chosen when THRESHOLDS[k-2] < y <= THRESHOLDS[k-1]: skewed toward agreement
THRESHOLDS = [-2.05, -1.40, -0.60, 0.45]
# shift of an item's continuous response before cutting (weak points; complaints are rarer)
ITEM_SHIFT = {"Q12": -0.60, "Q13": -0.40, "Q20": -1.20, "Q21": -1.00}
# mean shifts of the SAT disturbance (in SD units of the within-segment model)
SEGMENT_EFFECTS = {
    "region": {"North": 0.10, "South": 0.00, "East": -0.25, "West": 0.05},
    "channel": {"store": 0.10, "online": 0.00, "phone": -0.30},
}
TIER_EFFECTS = {"A": 0.30, "B": 0.10, "C": -0.10}      # linked respondents only
SAMPLE_REGION_SHARES = {"North": 0.27, "South": 0.27, "East": 0.25, "West": 0.21}
CHANNEL_SHARES = {"store": 0.50, "online": 0.35, "phone": 0.15}
# competitor ratings: rating latent = 0.5 * own LV + shift + noise, item loading 0.85
COMPETITOR_EFFECTS = {"compA": {"Q07": 0.25, "Q17": 0.05},
                      "compB": {"Q07": -0.35, "Q17": -0.30}}
COMPETITOR_DONT_KNOW = 0.30

N_COMPLETE = 1000
SHARES = {"partial": 0.05, "straightliner": 0.02, "speeder": 0.03, "duplicate": 0.01,
          "missing": 0.02, "dont_know": 0.01, "linked": 0.40}
N_OUT_OF_RANGE = 8
GAPPY_SHARE = 0.30           # share of respondents with any missing / 不知道 answers
POPULATION_N = 200_000


def _topological_lvs() -> list[str]:
    return list(LVS)          # LVS is already in causal order


def implied_lv_correlation() -> tuple[np.ndarray, dict[str, float], dict[str, float]]:
    """The LV correlation matrix implied by ``PATHS`` with unit LV variances.

    Returns (correlation matrix in ``LVS`` order, R² per endogenous LV, disturbance
    variance per LV). Formula: Var(eta_j) = b_j' Sigma_pred b_j + psi_j = 1, solved in causal
    order; Cov(eta_j, eta_k) = b_j' Sigma[pred_j, k] for k before j.
    """
    k = len(LVS)
    idx = {lv: i for i, lv in enumerate(LVS)}
    B = np.zeros((k, k))
    for a, b, c in PATHS:
        B[idx[b], idx[a]] = c
    S = np.zeros((k, k))
    r2, psi = {}, {}
    for j, lv in enumerate(_topological_lvs()):
        b = B[j, :j]
        if not b.any():
            S[j, j] = 1.0
            psi[lv] = 1.0
            continue
        cov = S[:j, :j] @ b
        S[j, :j] = cov
        S[:j, j] = cov
        explained = float(b @ S[:j, :j] @ b)
        if explained >= 1:
            raise CSIInputError(f"csi_helpers.demo.PATHS: {lv} would have R² >= 1; "
                                "lower the coefficients into it")
        r2[lv] = explained
        psi[lv] = 1 - explained
        S[j, j] = 1.0
    return S, r2, psi


def model() -> dict:
    """The planted measurement and structural model as a plain dict (as in truth.json)."""
    S, r2, _ = implied_lv_correlation()
    return {
        "lvs": list(LVS),
        "blocks": {lv: list(items) for lv, items in BLOCKS.items()},
        "item_lv": dict(ITEM_LV),
        "loadings": dict(LOADINGS),
        "paths": [{"from": a, "to": b, "estimate": c} for a, b, c in PATHS],
        "r2": {lv: round(v, 6) for lv, v in r2.items()},
        "lv_correlation": {a: {b: round(float(S[i, j]), 6) for j, b in enumerate(LVS)}
                           for i, a in enumerate(LVS)},
        "reverse_items": list(REVERSE_ITEMS),
        "reverse_rule": "answer = points + 1 - category of the positively keyed response",
        "thresholds": list(THRESHOLDS),
        "item_shift": dict(ITEM_SHIFT),
        "points": POINTS,
        "labels": {lab: i + 1 for i, lab in enumerate(LABELS_ZH)},
    }


# ---------------------------------------------------------------------------- generators
def _lvs(rng: np.random.Generator, sat_shift: np.ndarray) -> np.ndarray:
    """Draw LV scores (n x 7, LVS order); ``sat_shift`` adds to SAT's disturbance."""
    n = len(sat_shift)
    _, _, psi = implied_lv_correlation()
    idx = {lv: i for i, lv in enumerate(LVS)}
    eta = np.zeros((n, len(LVS)))
    zeta = rng.standard_normal((n, len(LVS)))
    for j, lv in enumerate(LVS):
        val = np.sqrt(psi[lv]) * zeta[:, j]
        for a, b, c in PATHS:
            if b == lv:
                val = val + c * eta[:, idx[a]]
        if lv == "SAT":
            val = val + sat_shift
        eta[:, j] = val
    return eta


def _cut(y: np.ndarray) -> np.ndarray:
    return (np.searchsorted(np.asarray(THRESHOLDS), y, side="left") + 1).astype(np.int64)


def _items(rng: np.random.Generator, eta: np.ndarray) -> np.ndarray:
    """Positively keyed categories 1..5 (n x 25, ITEMS order) from LV scores."""
    n = eta.shape[0]
    idx = {lv: i for i, lv in enumerate(LVS)}
    eps = rng.standard_normal((n, len(ITEMS)))
    out = np.empty((n, len(ITEMS)), dtype=np.int64)
    for j, item in enumerate(ITEMS):
        lam = LOADINGS[item]
        y = lam * eta[:, idx[ITEM_LV[item]]] + np.sqrt(1 - lam ** 2) * eps[:, j]
        out[:, j] = _cut(y + ITEM_SHIFT.get(item, 0.0))
    return out


def _answers(cats: np.ndarray) -> np.ndarray:
    """Answers as stored: reverse-keyed items answered reversed."""
    ans = cats.copy()
    for item in REVERSE_ITEMS:
        j = ITEMS.index(item)
        ans[:, j] = POINTS + 1 - ans[:, j]
    return ans


def _sat_shift(region: np.ndarray, channel: np.ndarray, tier: np.ndarray) -> np.ndarray:
    shift = np.zeros(len(region))
    for r, v in SEGMENT_EFFECTS["region"].items():
        shift[region == r] += v
    for c, v in SEGMENT_EFFECTS["channel"].items():
        shift[channel == c] += v
    for t, v in TIER_EFFECTS.items():
        shift[tier == t] += v
    return shift


def _days(d: date) -> int:
    return (d - TRANSACTIONS_START).days


# ---------------------------------------------------------------------------- the CRM
def _customers_and_transactions(rng: np.random.Generator, n: int = 5000):
    """The customer master, transactions, visits and the generator's info
    (:func:`csi_helpers.demo_transactions.customers_and_transactions`)."""
    from .demo_transactions import customers_and_transactions
    return customers_and_transactions(rng, n)


COMMENTS = {
    "pos": ["服务很好，下次还来", "店员很专业", "Delivery was fast, thanks", "产品质量不错",
            "Great after-sales support", "价格实惠，性价比高"],
    "neg": ["排队时间太长了", "售后电话一直打不通", "Waited 40 minutes in the store",
            "安装师傅迟到了两次", "价格比网上贵", "The app kept crashing when I paid"],
    "neu": ["还可以", "希望增加更多型号", "No comment", "门店停车不太方便", "OK overall"],
}


def _survey(rng: np.random.Generator, info: dict) -> tuple[pd.DataFrame, dict]:
    n_c = N_COMPLETE
    n_p = round(SHARES["partial"] * n_c)
    n = n_c + n_p
    status = np.array(["complete"] * n_c + ["partial"] * n_p, dtype=object)
    region = rng.choice(REGIONS, size=n, p=[SAMPLE_REGION_SHARES[r] for r in REGIONS])
    channel = rng.choice(CHANNELS, size=n, p=[CHANNEL_SHARES[c] for c in CHANNELS])
    # linkage to CRM customers (with at least one transaction), region-consistent
    linked = rng.random(n) < SHARES["linked"]
    cust_id = np.full(n, "", dtype=object)
    tier = np.full(n, "", dtype=object)
    used: set[int] = set()
    buyers = info["revenue"] > 0
    for r in REGIONS:
        pool = np.flatnonzero(buyers & (info["region"] == r))
        rows = np.flatnonzero(linked & (region == r))
        pick = rng.choice(pool, size=len(rows), replace=False)
        cust_id[rows] = info["ids"][pick]
        tier[rows] = info["tier"][pick]
        used.update(pick.tolist())
    shift = _sat_shift(region, channel, tier)
    eta = _lvs(rng, shift)
    cats = _items(rng, eta)
    ans = _answers(cats)
    # competitor ratings
    idx = {lv: i for i, lv in enumerate(LVS)}
    comp = {}
    for cname, cols in COMPETITORS.items():
        for item, col in cols.items():
            lv = ITEM_LV[item]
            lat = 0.5 * eta[:, idx[lv]] + np.sqrt(0.75) * rng.standard_normal(n) \
                + COMPETITOR_EFFECTS[cname][item]
            y = 0.85 * lat + np.sqrt(1 - 0.85 ** 2) * rng.standard_normal(n)
            comp[col] = _cut(y + ITEM_SHIFT.get(item, 0.0))
    # the answer grid as strings
    grid = np.empty((n, len(ITEMS)), dtype=object)
    labels = np.array(LABELS_ZH, dtype=object)
    grid[:, :] = labels[ans - 1]
    comp_grid = {col: labels[v - 1].astype(object) for col, v in comp.items()}
    for col in COMPETITOR_COLUMNS:
        dk = rng.random(n) < COMPETITOR_DONT_KNOW
        comp_grid[col][dk] = DONT_KNOW

    # noise groups among completes (disjoint)
    complete_rows = np.arange(n_c)
    perm = rng.permutation(complete_rows)
    n_sl = round(SHARES["straightliner"] * n_c)
    n_sp = round(SHARES["speeder"] * n_c)
    n_dup = round(SHARES["duplicate"] * n_c)
    sl_rows = np.sort(perm[:n_sl])
    sp_rows = np.sort(perm[n_sl:n_sl + n_sp])
    dup_rows = np.sort(perm[n_sl + n_sp:n_sl + n_sp + n_dup])
    clean_rows = np.sort(perm[n_sl + n_sp:])          # includes the duplicated originals
    # straight-liners: the same answer on every item
    sl_val = rng.choice([3, 4, 5], size=n_sl, p=[0.15, 0.55, 0.30])
    for r, v in zip(sl_rows, sl_val):
        grid[r, :] = LABELS_ZH[v - 1]
    # speeders: answers mostly random
    for r in sp_rows:
        rand = rng.random(len(ITEMS)) < 0.8
        grid[r, rand] = labels[rng.integers(0, POINTS, int(rand.sum()))]
    # missing, don't know (clean completes and speeders; not straight-liners)
    # gaps cluster in some respondents (GAPPY_SHARE of them), as in real fieldwork, so
    # about 70% of completes answer every item and listwise methods keep most of the sample
    noisy = np.r_[clean_rows, sp_rows]
    gappy = rng.random(len(noisy)) < GAPPY_SHARE
    u = rng.random((len(noisy), len(ITEMS))) * GAPPY_SHARE
    u[~gappy] = 1.0
    miss = u < SHARES["missing"]
    dk = (u >= SHARES["missing"]) & (u < SHARES["missing"] + SHARES["dont_know"])
    sub = grid[noisy]
    sub[miss] = ""
    sub[dk] = DONT_KNOW
    grid[noisy] = sub
    # stray out-of-range codes
    oor_rows = rng.choice(clean_rows, size=N_OUT_OF_RANGE, replace=False)
    oor_items = rng.integers(0, len(ITEMS), N_OUT_OF_RANGE)
    oor_codes = rng.choice(["9", "0", "6", "99"], size=N_OUT_OF_RANGE, p=[0.4, 0.3, 0.2, 0.1])
    out_of_range = []
    for r, j, code in zip(oor_rows, oor_items, oor_codes):
        grid[r, j] = code
    # partial responses: first k items answered, then nothing
    partial_rows = np.arange(n_c, n)
    for r in partial_rows:
        k = int(rng.integers(2, 15))
        grid[r, k:] = ""
        for col in COMPETITOR_COLUMNS:
            comp_grid[col][r] = ""
    # durations (seconds): lognormal around 7 minutes; speeders below the cut-off
    dur = np.exp(np.log(420) + 0.35 * rng.standard_normal(n))
    dur = np.maximum(dur, SPEEDER_SECONDS + 10)
    dur[sp_rows] = rng.uniform(60, SPEEDER_SECONDS - 5, n_sp)
    dur[partial_rows] = np.exp(np.log(240) + 0.5 * rng.standard_normal(n_p))
    dur = np.round(dur).astype(np.int64)
    # start times during fieldwork
    field_start = datetime(2026, 10, 8)
    start = [field_start + timedelta(days=int(d), seconds=int(s))
             for d, s in zip(rng.integers(0, 21, n), rng.integers(8 * 3600, 22 * 3600, n))]
    # comments
    comment = np.full(n, "", dtype=object)
    has = (rng.random(n) < 0.12) & (status == "complete")
    sat = eta[:, idx["SAT"]]
    for r in np.flatnonzero(has):
        pool = COMMENTS["pos"] if sat[r] > 0.5 else COMMENTS["neg"] if sat[r] < -0.5 else COMMENTS["neu"]
        comment[r] = pool[int(rng.integers(0, len(pool)))]

    df = pd.DataFrame({
        "respondent_id": np.full(n, "", dtype=object), "customer_id": cust_id,
        "status": status, "start_time": [s.strftime("%Y-%m-%dT%H:%M:%S") for s in start],
        "duration_sec": dur, "region": region.astype(object), "channel": channel.astype(object),
    })
    for j, item in enumerate(ITEMS):
        df[item] = grid[:, j]
    for col in COMPETITOR_COLUMNS:
        df[col] = comp_grid[col]
    df["comment"] = comment
    df["_row"] = np.arange(n)
    df = df.sort_values(["start_time", "_row"], kind="stable").reset_index(drop=True)
    rid = np.empty(n, dtype=object)
    rid[df["_row"].to_numpy()] = [f"R{i + 1:05d}" for i in range(n)]
    df["respondent_id"] = rid[df["_row"].to_numpy()]
    # duplicates: the same row submitted twice (placed right after the original)
    dup_set = set(dup_rows.tolist())
    pieces = []
    for i, r in enumerate(df["_row"].to_numpy()):
        pieces.append(i)
        if r in dup_set:
            pieces.append(i)
    df = df.iloc[pieces].reset_index(drop=True)
    for r, j, code in zip(oor_rows, oor_items, oor_codes):
        out_of_range.append({"respondent_id": rid[r], "item": ITEMS[j], "raw": str(code)})
    df = df.drop(columns="_row")[SURVEY_COLUMNS]

    cells = len(noisy) * len(ITEMS)
    planted = {
        "n_complete": n_c, "n_partial": n_p, "n_rows": len(df),
        "shares": dict(SHARES),
        "straightliners": sorted(rid[sl_rows].tolist()),
        "speeders": sorted(rid[sp_rows].tolist()),
        "duplicates": sorted(rid[dup_rows].tolist()),
        "partials": sorted(rid[partial_rows].tolist()),
        "out_of_range": sorted(out_of_range, key=lambda d: (d["respondent_id"], d["item"])),
        "missing_cells": int(miss.sum()), "dont_know_cells": int(dk.sum()),
        "missing_share_realised": round(int(miss.sum()) / cells, 6),
        "dont_know_share_realised": round(int(dk.sum()) / cells, 6),
        "noise_cells_base": "items of clean completes and speeders (not straight-liners, "
                            "not partials)",
        "gappy_respondent_share": GAPPY_SHARE,
        "linked_share_realised": round(float(linked.mean()), 6),
        "linked_tier_counts": {t: int((tier == t).sum()) for t in ["A", "B", "C"]},
        "region_counts": {r: int((region == r).sum()) for r in REGIONS},
        "channel_counts": {c: int((channel == c).sum()) for c in CHANNELS},
    }
    return df, planted


def _population_sample(rng: np.random.Generator, info: dict, n: int) -> np.ndarray:
    """Noise-free positively keyed categories from the same generator (n x 25)."""
    region = rng.choice(REGIONS, size=n, p=[SAMPLE_REGION_SHARES[r] for r in REGIONS])
    channel = rng.choice(CHANNELS, size=n, p=[CHANNEL_SHARES[c] for c in CHANNELS])
    linked = rng.random(n) < SHARES["linked"]
    tier = np.full(n, "", dtype=object)
    for r in REGIONS:
        pool = info["tier"][(info["revenue"] > 0) & (info["region"] == r)]
        rows = np.flatnonzero(linked & (region == r))
        tier[rows] = pool[rng.integers(0, len(pool), len(rows))]
    eta = _lvs(rng, _sat_shift(region, channel, tier))
    return _items(rng, eta)


def _exact_correlation_data(R: np.ndarray, rng: np.random.Generator, m: int = 1000) -> np.ndarray:
    """An m x p matrix whose sample correlation matrix equals R exactly."""
    p = R.shape[0]
    Z = rng.standard_normal((m, p))
    Z -= Z.mean(axis=0)
    L = np.linalg.cholesky(np.cov(Z, rowvar=False))
    Z = Z @ np.linalg.inv(L).T
    return Z @ np.linalg.cholesky(R).T


def _pls_population(rng: np.random.Generator, info: dict) -> dict:
    cats = _population_sample(rng, info, POPULATION_N)
    R = np.corrcoef(cats, rowvar=False)
    out = {
        "n": POPULATION_N,
        "method": ("csi_helpers.pls.fit on data whose correlation matrix equals that of "
                   f"{POPULATION_N:,} noise-free simulated respondents (positively keyed "
                   "categories, i.e. Q12/Q24 reverse-keyed); ECSI paths, scheme 'path', "
                   "mode A, scaled; PLS-PM estimates depend on the data only through it"),
        "note": ("paths and R² are attenuated relative to model.paths / model.r2 "
                 "(discretisation, composite measurement error); PLS loadings exceed "
                 "model.loadings (each composite contains its own item)"),
        "item_correlation": {a: {b: round(float(R[i, j]), 6) for j, b in enumerate(ITEMS)}
                             for i, a in enumerate(ITEMS)},
    }
    try:
        from . import pls
    except ImportError:
        out.update({"available": False, "paths": None, "loadings": None, "weights": None,
                    "r2": None})
        return out
    data = pd.DataFrame(_exact_correlation_data(R, rng), columns=ITEMS)
    fit = pls.fit(data, blocks={lv: list(v) for lv, v in BLOCKS.items()},
                  paths=[(a, b) for a, b, _ in PATHS], scheme="path")
    paths = fit.paths
    out.update({
        "available": True,
        "paths": [{"from": str(r["from"]), "to": str(r["to"]),
                   "estimate": round(float(r["estimate"]), 4)} for _, r in paths.iterrows()],
        "loadings": {str(k): round(float(v), 4) for k, v in fit.outer["loading"].items()},
        "weights": {str(k): round(float(v), 4) for k, v in fit.outer["weight"].items()},
        "r2": {str(k): round(float(v), 4) for k, v in fit.r2.items()},
    })
    return out


# ---------------------------------------------------------------------------- public API
def _round(x, nd=6):
    return round(float(x), nd)


def generate(out_dir: str | Path, seed: int) -> dict[str, Path]:
    """Write the demo client's data files and ``truth.json`` into ``out_dir``.

    Deterministic: the same seed gives byte-identical files (on the same numpy/pandas).
    Each part draws from its own child of ``numpy.random.SeedSequence(seed)``.

    Parameters
    ----------
    out_dir : folder to write into (created if absent); existing files are overwritten.
    seed : non-negative integer.

    Returns
    -------
    dict mapping "survey", "customers", "transactions", "visits", "notes", "secondary",
    "truth" to the written paths.

    Example
    -------
    >>> paths = generate(tmp_path, seed=1)                 # doctest: +SKIP
    >>> pd.read_csv(paths["survey"], encoding="gbk").shape  # doctest: +SKIP
    (1060, 37)
    """
    try:
        seed = int(seed)
        if seed < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise CSIInputError(f"demo.seed: {seed!r} is not a non-negative integer; "
                            "set demo.seed to e.g. 20261123") from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ss = np.random.SeedSequence(seed)
    r_cust, r_survey, r_notes, r_pop = [np.random.default_rng(s) for s in ss.spawn(4)]

    customers, tx, visits, info = _customers_and_transactions(r_cust)
    from . import demo_customers
    tx, launch = demo_customers.plant_launch(seed, tx, info)   # its own stream
    survey, planted = _survey(r_survey, info)
    from . import demo_fieldwork
    notes = demo_fieldwork.notes(r_notes)
    secondary = demo_fieldwork.secondary()
    population = _pls_population(r_pop, info)

    paths = {k: out / v for k, v in FILES.items()}
    survey.to_csv(paths["survey"], index=False, encoding="gbk", lineterminator="\n")
    for key, df in [("customers", customers), ("transactions", tx), ("visits", visits),
                    ("notes", notes), ("secondary", secondary)]:
        df.to_csv(paths[key], index=False, encoding="utf-8", lineterminator="\n")

    traj = info["traj"]
    ids = info["ids"]
    truth = {
        "generator": "csi_helpers.demo", "generator_version": GENERATOR_VERSION,
        "seed": seed, "n": N_COMPLETE,
        "model": model(),
        "segment_effects": {"lv": "SAT", "unit": "SD units of SAT within a segment (a shift added to the SAT equation)",
                            **{k: dict(v) for k, v in SEGMENT_EFFECTS.items()}},
        "tier_effects": {"lv": "SAT", "tiers": dict(TIER_EFFECTS),
                         "tier_rule": f"ABC by revenue {TRANSACTIONS_START}..{AS_OF}: A while "
                                      f"cumulative share before the customer < {ABC['a']}, "
                                      f"B < {ABC['b']}, else C",
                         "applies_to": "respondents linked to a customer"},
        "sample_region_shares": dict(SAMPLE_REGION_SHARES),
        "quota": dict(QUOTA),
        "channel_shares": dict(CHANNEL_SHARES),
        "competitor_effects": {"rule": "rating latent = 0.5 * own LV + shift + noise; loading 0.85",
                               **{k: dict(v) for k, v in COMPETITOR_EFFECTS.items()},
                               "dont_know_share": COMPETITOR_DONT_KNOW},
        "planted": planted,
        "customers": {
            "n": int(len(customers)),
            "type_counts": {t: int((info["ctype"] == t).sum())
                            for t in ["agent", "franchisee", "retail"]},
            "n_transactions": int(len(tx)), "n_visits": int(len(visits)),
            "as_of": AS_OF.isoformat(), "start": TRANSACTIONS_START.isoformat(),
            "pareto_top20_share": _round(info["top20_share"], 4),
            "tier_counts": {t: int((info["tier"] == t).sum()) for t in ["A", "B", "C"]},
            "trajectory_counts": {t: int((traj == t).sum())
                                  for t in ["stable", "growing", "declining", "churned", "prospect"]},
            "growing": sorted(ids[traj == "growing"].tolist()),
            "growing_rule": "annual log-growth U(0.25, 0.45) in both amounts and purchase rate; "
                            "cooperation and loyalty mostly 4-5",
            "declining": sorted(ids[traj == "declining"].tolist()),
            "churned": sorted(ids[traj == "churned"].tolist()),
            "prospects_without_purchases": int((traj == "prospect").sum()),
            "visitors": int(info["visitor"].sum()),
        },
        "notes": {"n": int(len(notes)),
                  "theme_counts": {t: int((notes["theme"] == t).sum()) for t in demo_fieldwork.THEMES}},
        "pls_population": population,
    }
    truth["launch"] = launch
    # customer-management exports: their own stream ([seed, 5]) and drawn last, so every
    # file above stays as it was
    crm, crm_truth = demo_customers.generate_crm(seed, customers, tx, info, survey)
    for key, df in crm.items():
        df.to_csv(paths[key], index=False, encoding="utf-8", lineterminator="\n")
    truth.update(crm_truth)
    paths["truth"].write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
    return paths


def _older(folder: Path) -> bool:
    """Whether the set's truth.json comes from an older generator version."""
    try:
        made = json.loads((folder / FILES["truth"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return int(made.get("generator_version", 0)) < GENERATOR_VERSION


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES.values())


def _warn_if_other_seed(folder: Path, seed) -> None:
    try:
        made = json.loads((folder / FILES["truth"]).read_text(encoding="utf-8")).get("seed")
    except (OSError, ValueError, AttributeError):
        return
    if made != seed:
        warnings.warn(f"{folder / FILES['truth']}: the demo data were generated with seed "
                      f"{made}, but demo.seed is {seed}; the existing files are kept. Delete "
                      f"{folder} to regenerate them with seed {seed}", CSIWarning, stacklevel=3)


def ensure(params: dict) -> bool:
    """Generate the demo data into the folder of ``sources.survey.path`` if any file is missing.

    Uses ``params["demo"]["seed"]``. Returns True when this call created files, False when the
    complete set was already there. Safe under concurrency: each caller generates into its own
    temporary sibling folder, then links each missing file into place atomically without ever
    replacing an existing file (``os.link`` fails if the target exists), so no reader sees a
    half-written file and an existing complete set is never overwritten (a ``CSIWarning``
    says so when its truth.json records another seed). A relative survey
    path is taken relative to the current directory (``params.load`` makes it absolute).

    Example
    -------
    >>> from csi_helpers import params, demo
    >>> demo.ensure(params.load("params/demo.yaml"))       # doctest: +SKIP
    False
    """
    try:
        survey_path = params["sources"]["survey"]["path"]
    except (KeyError, TypeError):
        raise CSIInputError("params: sources.survey.path is missing; the demo data is written "
                            "to its folder (e.g. data/demo/survey.csv)") from None
    try:
        seed = params["demo"]["seed"]
    except (KeyError, TypeError):
        raise CSIInputError("params: demo.seed is missing; add `demo: {seed: 20261123}`") from None
    folder = Path(survey_path).parent
    if _complete(folder) and not _older(folder):
        _warn_if_other_seed(folder, seed)
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    created = False
    try:
        generate(tmp, seed)
        folder.mkdir(parents=True, exist_ok=True)
        older = _older(folder)
        # the truth last: its presence marks a finished set
        for name in sorted(FILES.values(), key=lambda s: s == FILES["truth"]):
            target = folder / name
            if target.exists():
                if older and not filecmp.cmp(tmp / name, target, shallow=False):
                    # an older generator's set (generated data, not a client's): each file
                    # this version writes differently is replaced whole, atomically
                    os.replace(tmp / name, target)
                    created = True
                continue
            try:
                os.link(tmp / name, target)
                created = True
            except FileExistsError:
                continue
            except OSError:
                # file systems without hard links: atomic rename via a unique name
                staged = folder / f".{name}.{uuid.uuid4().hex}"
                shutil.copyfile(tmp / name, staged)
                if target.exists():
                    staged.unlink()
                else:
                    os.replace(staged, target)
                    created = True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return created


def planted_table(truth: dict | None, key: str) -> pd.DataFrame:
    """A planted effect of the demo's truth (``segment_effects``, ``competitor_effects``) as
    a tidy table: one row per (group, level) with the planted value, so a class compares it
    with the estimate beside it. Text fields of the truth (its rule, unit) go to
    ``.attrs["note"]``; an empty table when there is no truth (a real client).

    Example
    -------
    >>> planted_table({"segment_effects": {"lv": "SAT", "region": {"North": 0.1}}},
    ...               "segment_effects").to_dict("records")
    [{'group': 'region', 'level': 'North', 'planted': 0.1}]
    """
    section = (truth or {}).get(key) or {}
    rows = [{"group": group, "level": level, "planted": value}
            for group, levels in section.items() if isinstance(levels, dict)
            for level, value in levels.items()]
    table = pd.DataFrame(rows, columns=["group", "level", "planted"])
    table.attrs["note"] = "; ".join(f"{k}: {v}" for k, v in section.items()
                                    if not isinstance(v, dict))
    return table
