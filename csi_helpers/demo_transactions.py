"""The demo client's CRM: the customer master, three years of transactions and the store
visits, with the structure the tiering chapter recovers (Pareto-like spend by customer
type, growing, declining and churned customers, new customers joining, prospects who
never bought). Drawn from the demo's customer stream (``csi_helpers.demo.generate``);
the customer-management exports built on them are :mod:`csi_helpers.demo_customers`.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(np.random.SeedSequence(20261123).spawn(4)[0])
>>> customers, tx, visits, info = customers_and_transactions(rng, n=200)
>>> list(customers.columns)[:3], sorted(info)[:3]
(['customer_id', 'customer_type', 'region'], ['coop', 'counts', 'ctype'])
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .demo import ABC, AS_OF, QUOTA, REGIONS, TRANSACTIONS_START, _days

__all__ = ["customers_and_transactions", "CATEGORIES", "CUSTOMER_TYPES", "TRAJECTORY_SHARES"]

CITIES = {
    "North": (["北京", "天津", "石家庄", "太原", "济南"], [0.35, 0.2, 0.15, 0.1, 0.2]),
    "South": (["广州", "深圳", "南宁", "海口", "厦门"], [0.3, 0.3, 0.15, 0.1, 0.15]),
    "East": (["上海", "杭州", "南京", "苏州", "宁波"], [0.35, 0.2, 0.2, 0.15, 0.1]),
    "West": (["成都", "重庆", "西安", "昆明", "贵阳"], [0.3, 0.3, 0.2, 0.1, 0.1]),
}
CATEGORIES = ["air_conditioners", "refrigerators", "washing_machines", "televisions",
              "kitchen_appliances", "small_appliances"]
CUSTOMER_TYPES = {"agent": 0.015, "franchisee": 0.15}     # rest retail
TYPE_SPEND = {"agent": 60_000.0, "franchisee": 12_000.0, "retail": 2_400.0}   # median/yr
TYPE_FREQ = {"agent": 30.0, "franchisee": 12.0, "retail": 4.5}                # per year
SPEND_SIGMA = 1.05
TRAJECTORY_SHARES = {"growing": 0.08, "declining": 0.10, "churned": 0.08, "prospect": 0.04}


def customers_and_transactions(rng: np.random.Generator, n: int = 5000):
    n_agent = round(n * CUSTOMER_TYPES["agent"])
    n_fr = round(n * CUSTOMER_TYPES["franchisee"])
    ctype = np.array(["agent"] * n_agent + ["franchisee"] * n_fr + ["retail"] * (n - n_agent - n_fr),
                     dtype=object)
    ctype = ctype[rng.permutation(n)]
    region = rng.choice(REGIONS, size=n, p=[QUOTA[r] for r in REGIONS])
    city = np.empty(n, dtype=object)
    for r in REGIONS:
        names, p = CITIES[r]
        m = region == r
        city[m] = rng.choice(names, size=int(m.sum()), p=p)
    gender = rng.choice(["female", "male"], size=n)
    # joined: most before the transaction window, ~28% during it (new customers)
    new = rng.random(n) < 0.28
    start_old, end_old = _days(date(2015, 1, 1)), _days(date(2023, 12, 31))
    end_new = _days(AS_OF) - 20
    joined = np.where(new, rng.integers(0, end_new, n), rng.integers(start_old, end_old, n))
    # trajectories
    u = rng.random(n)
    traj = np.full(n, "stable", dtype=object)
    cuts = np.cumsum(list(TRAJECTORY_SHARES.values()))
    for name, lo, hi in zip(TRAJECTORY_SHARES, np.r_[0, cuts[:-1]], cuts):
        traj[(u >= lo) & (u < hi)] = name
    # new customers joining late cannot decline/churn visibly: make them stable
    late = joined > _days(date(2025, 6, 30))
    traj[late & np.isin(traj, ["declining", "churned"])] = "stable"
    # growers need two full years of history to show two consecutive years of growth
    traj[(joined > _days(date(2024, 9, 30))) & (traj == "growing")] = "stable"
    growth = rng.normal(0.02, 0.04, n)                      # annual log-growth
    g_m = traj == "growing"
    growth[g_m] = rng.uniform(0.25, 0.45, int(g_m.sum()))
    d_m = traj == "declining"
    growth[d_m] = rng.uniform(-0.55, -0.20, int(d_m.sum()))
    coop_p = {"growing": [0.0, 0.0, 0.0, 0.50, 0.50],
              "declining": [0.15, 0.30, 0.35, 0.15, 0.05],
              "churned": [0.20, 0.30, 0.30, 0.15, 0.05]}
    default_p = [0.05, 0.20, 0.40, 0.25, 0.10]
    coop = np.empty(n, dtype=np.int64)
    loyal = np.empty(n, dtype=np.int64)
    for t in ["stable", "growing", "declining", "churned", "prospect"]:
        m = traj == t
        p = coop_p.get(t, default_p)
        coop[m] = rng.choice(np.arange(1, 6), size=int(m.sum()), p=p)
        loyal[m] = rng.choice(np.arange(1, 6), size=int(m.sum()), p=p)
    # spend and purchase frequency
    spend = np.array([TYPE_SPEND[t] for t in ctype]) * np.exp(SPEND_SIGMA * rng.standard_normal(n))
    freq = np.array([TYPE_FREQ[t] for t in ctype]) * rng.gamma(4.0, 0.25, n)
    freq[g_m] = np.maximum(freq[g_m] * 1.5, 12.0)
    # active window in days since TRANSACTIONS_START
    a = np.maximum(joined, 0).astype(float)
    b = np.full(n, float(_days(AS_OF)))
    c_m = traj == "churned"
    churn_day = rng.integers(_days(date(2024, 4, 1)), _days(date(2026, 6, 30)), n).astype(float)
    b[c_m] = np.maximum(churn_day[c_m], a[c_m] + 60)
    b = np.minimum(b, _days(AS_OF))
    years = np.maximum(b - a, 0) / 365.25
    counts = rng.poisson(freq * years)
    counts[traj == "prospect"] = 0
    counts[(counts == 0) & (traj != "prospect") & (years > 0.1)] = 1
    cust = np.repeat(np.arange(n), counts)
    ua = rng.random(len(cust))
    g = growth[cust]
    ta, tb = a[cust] / 365.25, b[cust] / 365.25
    # dates with density proportional to exp(g t) on [ta, tb]
    small = np.abs(g) < 1e-6
    gs = np.where(small, 1.0, g)
    t = np.where(small, ta + ua * (tb - ta),
                 np.log(np.exp(gs * ta) + ua * (np.exp(gs * tb) - np.exp(gs * ta))) / gs)
    day = np.clip(np.floor(t * 365.25), 0, _days(AS_OF)).astype(np.int64)
    amount = (spend[cust] / freq[cust]) * np.exp(g * (t - 1.4)) \
        * np.exp(0.45 * rng.standard_normal(len(cust)) - 0.45 ** 2 / 2)
    amount = np.round(np.maximum(amount, 20.0), 2)
    cat_p = {"agent": [0.30, 0.25, 0.20, 0.15, 0.05, 0.05],
             "franchisee": [0.25, 0.2, 0.2, 0.15, 0.1, 0.1],
             "retail": [0.15, 0.1, 0.1, 0.1, 0.25, 0.3]}
    category = np.empty(len(cust), dtype=object)
    for tname, p in cat_p.items():
        m = ctype[cust] == tname
        category[m] = rng.choice(CATEGORIES, size=int(m.sum()), p=p)

    ids = np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object)
    base = pd.Timestamp(TRANSACTIONS_START)
    joined_dates = (base + pd.to_timedelta(joined, unit="D")).strftime("%Y-%m-%d")
    customers = pd.DataFrame({
        "customer_id": ids, "customer_type": ctype, "region": region, "city": city,
        "gender": gender, "joined": np.asarray(joined_dates, dtype=object),
        "cooperation": coop, "loyalty": loyal,
    })
    order = np.lexsort((cust, day))
    tx = pd.DataFrame({
        "customer_id": ids[cust][order],
        "date": np.asarray((base + pd.to_timedelta(day[order], unit="D")).strftime("%Y-%m-%d"),
                           dtype=object),
        "amount": amount[order],
        "category": category[order],
    })
    tx.insert(0, "transaction_id", [f"T{i + 1:06d}" for i in range(len(tx))])

    # store visits: ~55% of customers visit; a visitor's store purchases come with a visit
    visitor = rng.random(n) < 0.55
    vis_a = np.maximum(joined, 0).astype(float)
    vis_b = np.where(c_m, b + 90, float(_days(AS_OF)))
    vis_b = np.minimum(vis_b, _days(AS_OF))
    vyears = np.maximum(vis_b - vis_a, 0) / 365.25
    vcounts = np.where(visitor, rng.poisson(2.0 * vyears), 0)
    vcust = np.repeat(np.arange(n), vcounts)
    vday = np.floor(vis_a[vcust] + rng.random(len(vcust)) * (vis_b[vcust] - vis_a[vcust]))
    with_tx = visitor[cust] & (rng.random(len(cust)) < 0.5)
    all_c = np.concatenate([vcust, cust[with_tx]])
    all_d = np.concatenate([vday.astype(np.int64), day[with_tx]])
    vis = pd.DataFrame({"c": all_c, "d": all_d}).drop_duplicates().sort_values(["d", "c"])
    visits = pd.DataFrame({
        "customer_id": ids[vis["c"].to_numpy()],
        "date": np.asarray((base + pd.to_timedelta(vis["d"].to_numpy(), unit="D"))
                           .strftime("%Y-%m-%d"), dtype=object),
    })

    # value tiers (ABC by revenue over the whole transaction window)
    revenue = np.bincount(cust, weights=amount, minlength=n)
    order_r = np.argsort(-revenue, kind="stable")
    share_before = np.r_[0.0, np.cumsum(revenue[order_r])[:-1]] / revenue.sum()
    tier_sorted = np.where(share_before < ABC["a"], "A", np.where(share_before < ABC["b"], "B", "C"))
    tier = np.empty(n, dtype=object)
    tier[order_r] = tier_sorted
    tier[revenue <= 0] = "C"
    top20 = revenue[order_r][: int(round(0.2 * n))].sum() / revenue.sum()

    info = {
        "traj": traj, "tier": tier, "revenue": revenue, "region": region, "ids": ids,
        "top20_share": float(top20), "growth": growth, "coop": coop, "loyal": loyal,
        "ctype": ctype, "visitor": visitor, "counts": counts,
    }
    return customers, tx, visits, info
