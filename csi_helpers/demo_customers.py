"""The demo client's customer-management exports (METHOD.md §5-6), with a planted truth.

``csi_helpers.demo.generate`` calls :func:`generate_crm` after everything else, so the
survey, customers, transactions, visits and notes stay byte-identical; this part draws
from its own generator ``numpy.random.default_rng([seed, 5])``. It writes, in the shape of
a Chinese CRM export (UTF-8, like customers.csv):

- ``acquisition.csv`` (获客渠道, channel evaluation 渠道评估): ``customer_id, channel`` for
  every customer; channels 门店, 线上商城, 抖音直播, 老客推荐, 地推活动; ~1% empty (the CRM did
  not record it). The channel depends on the customer's planted trajectory
  (:data:`CHANNEL_P`), so the quality of a channel shows in the real transactions: the
  customers who never bought (the prospects, and a few sign-ups of the last weeks) mostly
  came from 地推活动 (street promotion: low conversion); referrals (老客推荐) are rarely
  churned, almost never non-buyers and often growing (high conversion and retention).
- ``channel_costs.csv``: ``channel, cost, leads`` over the transaction window
  (2023-10-01..2026-09-30): cost = the planted acquisition cost per customer
  (:data:`UNIT_COST`) times the customers the channel acquired in the window (their true
  channel, recorded or not) times a small noise, rounded to 100 yuan; leads = acquired /
  :data:`LEAD_CONVERSION`. Plus 小红书, a trial with a cost row and no customers (open).
  Costs cover the window's acquisitions: compare them with the customers joined on or
  after 2023-10-01 (``channels.evaluate(..., since="2023-10-01")``).
- ``complaints.csv`` (投诉处理): 投诉编号, 客户编号, 投诉时间, 投诉类别, 首次响应时间, 解决时间,
  是否回访; :data:`N_COMPLAINTS` complaints received in the 12 months ending at ``AS_OF``,
  each about a purchase of a customer who bought (the received time = the purchase date
  plus a lag typical of the category, :data:`CATEGORIES`). Category counts are allocated
  exactly from the shares (largest remainder), so three categories draw 83%; 85% are answered
  within 24 hours (exact count), 3% never. Who complains: weights by customer type and
  trajectory (declining and churned customers complain more, :data:`COMPLAIN_WEIGHT`) and,
  for customers linked to a survey respondent, ``exp(-SAT_SELECTION z)`` of the standardised
  SAT score (Q17-Q19) of their answers: survey.csv is not changed; its answers choose the
  complainers, so linked complainers are less satisfied. The late and unanswered complaints
  are drawn with the same tilt (:data:`LATE_SAT_SELECTION`), so complainers answered late are
  less satisfied than those recovered within the standard.
- ``ratings.csv`` (客户价值评级): the sales reps' sheet, ``customer_id, period, 诚信度, 配合度,
  依存度`` (1-5), periods 2025 (2024-10-01..2025-09-30) and 2026 (2025-10-01..2026-09-30),
  for the franchisee and retail customers with a purchase in the period (growth 成长度 and
  contribution 贡献度 are computed from transactions). The 2026 配合度 and 依存度 are the
  master's ``cooperation`` and ``loyalty``; the 2025 sheet is the 2026 one re-rated with
  noise, except that the growing customers scored 1-2 points lower in 2025 (they migrate
  up) and the declining ones 0-1 point higher (they drift down).

``truth.json`` gets the keys ``channels``, ``complaints`` and ``value_rating``.

References: METHOD.md §5 (value rating, dynamic management) and §6 (channels: cost-
effectiveness and user quality; complaints: classify, answer within 24 hours, follow up,
learn); Juran, J. M. (1951), *Quality Control Handbook* (Pareto).

Example
-------
>>> from csi_helpers import demo
>>> paths = demo.generate(tmp_path, seed=20261123)                      # doctest: +SKIP
>>> pd.read_csv(tmp_path / FILES["complaints"], dtype=str).columns.tolist()  # doctest: +SKIP
['投诉编号', '客户编号', '投诉时间', '投诉类别', '首次响应时间', '解决时间', '是否回访']
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from .demo import AS_OF, LABELS_ZH, TRANSACTIONS_START

__all__ = ["FILES", "STREAM", "CHANNELS", "CATEGORIES", "LAUNCH", "generate_crm",
           "plant_launch", "largest_remainder"]

#: The files written next to the demo's other files.
FILES = {"acquisition": "acquisition.csv", "channel_costs": "channel_costs.csv",
         "complaints": "complaints.csv", "ratings": "ratings.csv"}
#: The generator is ``default_rng([seed, STREAM])``: independent of the demo's other streams.
STREAM = 5

# ---------------------------------------------------------------------------- a launch
#: The new product the demo launches: refrigerator purchases from ``launched`` on are of the
#: new model with probability ``share`` (``share_early`` within ``days`` of the launch, for
#: steady and growing customers: the early adopters; ``share_other`` for the others).
LAUNCH = {"category": "smart_refrigerators", "replaces": "refrigerators",
          "launched": date(2026, 3, 1), "days": 90, "share_early": 0.70,
          "share_other": 0.25, "share_after": 0.45}
LAUNCH_STREAM = 6


def plant_launch(seed: int, transactions: pd.DataFrame, info: dict
                 ) -> tuple[pd.DataFrame, dict]:
    """The transactions with the demo's launch planted (:data:`LAUNCH`), and its truth.

    Only the category of some refrigerator purchases after the launch changes (the new
    model replaces the old), from its own stream ``default_rng([seed, LAUNCH_STREAM])``, so
    dates, amounts and every other file stay as they were. The truth lists the planted
    early adopters: the customers with a new-model purchase within ``days`` of the launch.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["C00001"], "date": ["2026-03-10"],
    ...                    "amount": [100.0], "category": ["refrigerators"]})
    >>> info = {"ids": np.array(["C00001"]), "traj": np.array(["growing"])}
    >>> _, truth = plant_launch(1, tx, info)
    >>> sorted(truth)[:3]
    ['category', 'days', 'early_adopters']
    """
    rng = np.random.default_rng([int(seed), LAUNCH_STREAM])
    launched = pd.Timestamp(LAUNCH["launched"])
    until = launched + pd.Timedelta(days=LAUNCH["days"])
    day = pd.to_datetime(transactions["date"])
    old = (transactions["category"] == LAUNCH["replaces"]).to_numpy()
    early = old & (day >= launched).to_numpy() & (day <= until).to_numpy()
    later = old & (day > until).to_numpy()
    traj = pd.Series(info["traj"], index=info["ids"])
    steady = transactions["customer_id"].map(traj).isin(["stable", "growing"]).to_numpy()
    p = np.where(early & steady, LAUNCH["share_early"],
                 np.where(early, LAUNCH["share_other"], np.where(later, LAUNCH["share_after"], 0.0)))
    new = rng.random(len(transactions)) < p
    out = transactions.copy()
    out.loc[new, "category"] = LAUNCH["category"]
    adopters = sorted(pd.unique(out.loc[new & early, "customer_id"]).tolist())
    truth = {"category": LAUNCH["category"], "launched": LAUNCH["launched"].isoformat(),
             "days": LAUNCH["days"], "early_adopters": adopters,
             "n_early_adopters": len(adopters),
             "rule": f"refrigerator purchases from the launch on are the new model with "
                     f"probability {LAUNCH['share_early']} within {LAUNCH['days']} days for "
                     f"stable and growing customers ({LAUNCH['share_other']} for the others), "
                     f"{LAUNCH['share_after']} later; early adopters: a new-model purchase "
                     f"within {LAUNCH['days']} days"}
    return out, truth


# ---------------------------------------------------------------------------- channels
CHANNELS = ["门店", "线上商城", "抖音直播", "老客推荐", "地推活动"]
#: P(channel | trajectory), in CHANNELS order; "never_bought": the customers without any
#: purchase (the prospects and a few sign-ups of the last weeks), whatever their trajectory.
CHANNEL_P = {
    "stable": [0.40, 0.28, 0.16, 0.145, 0.015],
    "growing": [0.30, 0.22, 0.10, 0.365, 0.015],
    "declining": [0.38, 0.27, 0.255, 0.08, 0.015],
    "churned": [0.32, 0.26, 0.30, 0.04, 0.08],
    "never_bought": [0.055, 0.14, 0.15, 0.005, 0.65],
}
DOUYIN_FROM = date(2019, 6, 1)       # live-stream sales started then: earlier joiners -> 门店
B2B_TO_STORE = ("agent", "franchisee")  # partners are not acquired by 线上商城 / 抖音直播
NO_CHANNEL_SHARE = 0.01
#: Planted acquisition cost per customer acquired in the window (yuan).
UNIT_COST = {"门店": 180, "线上商城": 220, "抖音直播": 320, "老客推荐": 60, "地推活动": 650}
#: Planted customers per lead.
LEAD_CONVERSION = {"门店": 0.30, "线上商城": 0.06, "抖音直播": 0.02, "老客推荐": 0.45,
                   "地推活动": 0.12}
OPEN_CHANNEL = {"channel": "小红书", "cost": 15000, "leads": 420}
KEEP, DROP = "老客推荐", "地推活动"
RETENTION_DAYS = 365

# ---------------------------------------------------------------------------- complaints
#: category: (share, min lag, max lag in days from the purchase complained about)
CATEGORIES = {
    "售后服务态度": (0.33, 10, 540), "送货延迟": (0.27, 1, 10), "安装问题": (0.23, 1, 21),
    "产品故障": (0.07, 15, 540), "质量问题": (0.045, 7, 365), "价格不符": (0.025, 0, 30),
    "宣传不符": (0.018, 3, 60), "其他": (0.012, 0, 180),
}
#: a suggestion for params complaints.causes (其他 has no natural cause: put it under service)
CAUSES = {"service": ["送货延迟", "安装问题", "售后服务态度", "其他"],
          "product_quality": ["产品故障", "质量问题"], "expectation_gap": ["价格不符", "宣传不符"]}
N_COMPLAINTS = 800
ANONYMOUS_SHARE = 0.03
WITHIN_24H_SHARE = 0.85
UNANSWERED_SHARE = 0.03
COMPLAIN_WEIGHT = {"type": {"agent": 3.0, "franchisee": 1.8, "retail": 1.0},
                   "trajectory": {"stable": 1.0, "growing": 0.6, "declining": 2.5,
                                  "churned": 5.0},
                   "lapsed": 2.5}     # x for buyers without a purchase within 365 days
SAT_SELECTION = 0.6
LATE_SAT_SELECTION = 0.5
LATE_CATEGORY_WEIGHT = {"售后服务态度": 1.8, "产品故障": 1.3}
#: mean hours from first response to resolution, per category (gamma, shape 2)
RESOLVE_HOURS = {"送货延迟": 24, "安装问题": 48, "售后服务态度": 24, "产品故障": 96,
                 "质量问题": 72, "价格不符": 12, "宣传不符": 24, "其他": 24}

# ---------------------------------------------------------------------------- ratings
PERIODS = {2025: (date(2024, 10, 1), date(2025, 9, 30)), 2026: (date(2025, 10, 1), AS_OF)}
RATED_TYPES = ("franchisee", "retail")
DIMENSION_COLUMNS = {"integrity": "诚信度", "cooperation": "配合度", "dependence": "依存度"}
INTEGRITY_P = {"default": [0.02, 0.05, 0.18, 0.40, 0.35],
               "weak": [0.05, 0.12, 0.28, 0.35, 0.20]}        # declining, churned
RERATE_P = 0.08            # P(+1) = P(-1) of a re-rating between periods


def largest_remainder(shares, total: int) -> np.ndarray:
    """Whole counts summing to ``total`` in proportion to ``shares`` (Hamilton's method):
    floor(share x total), then one more to the largest remainders (ties: the first).

    >>> largest_remainder([0.35, 0.27, 0.21, 0.17], 10).tolist()   # 3.5, 2.7, 2.1, 1.7
    [3, 3, 2, 2]
    >>> largest_remainder([1, 1, 1], 10).tolist()
    [4, 3, 3]
    """
    s = np.asarray(shares, dtype=float)
    raw = s / s.sum() * total
    out = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - out), kind="stable")
    out[order[: total - int(out.sum())]] += 1
    return out


def _day(d) -> int:
    return (pd.Timestamp(d) - pd.Timestamp(TRANSACTIONS_START)).days


def _stamp(minutes: np.ndarray) -> np.ndarray:
    """Minutes since TRANSACTIONS_START 00:00 -> 'YYYY-MM-DD HH:MM' ('' for NaN)."""
    out = np.full(len(minutes), "", dtype=object)
    ok = ~np.isnan(minutes)
    t = pd.Timestamp(TRANSACTIONS_START) + pd.to_timedelta(minutes[ok], unit="min")
    out[ok] = np.asarray(t.strftime("%Y-%m-%d %H:%M"), dtype=object)
    return out


# ---------------------------------------------------------------------------- parts
def _acquisition(rng, customers: pd.DataFrame, info: dict, value: pd.DataFrame):
    n = len(customers)
    traj, ctype = info["traj"], info["ctype"]
    group = np.where(info["counts"] == 0, "never_bought", traj)
    channel = np.empty(n, dtype=object)
    for t, p in CHANNEL_P.items():
        m = group == t
        channel[m] = np.asarray(CHANNELS, dtype=object)[rng.choice(len(CHANNELS), int(m.sum()),
                                                                   p=p)]
    joined = pd.to_datetime(customers["joined"]).to_numpy()
    channel[(channel == "抖音直播") & (joined < np.datetime64(DOUYIN_FROM))] = "门店"
    channel[np.isin(ctype, B2B_TO_STORE) & np.isin(channel, ["线上商城", "抖音直播"])] = "门店"
    true_channel = channel.copy()
    blank = rng.choice(n, size=round(NO_CHANNEL_SHARE * n), replace=False)
    channel[blank] = ""
    acquisition = pd.DataFrame({"customer_id": customers["customer_id"].to_numpy(),
                                "channel": channel})

    in_window = joined >= np.datetime64(TRANSACTIONS_START)
    rows, realised = [], {}
    for c in CHANNELS:
        acquired = int((in_window & (true_channel == c)).sum())
        cost = round(UNIT_COST[c] * acquired * float(np.exp(rng.normal(0, 0.05))), -2)
        leads = round(acquired / LEAD_CONVERSION[c])
        rows.append({"channel": c, "cost": int(cost), "leads": int(leads)})
    rows.append(dict(OPEN_CHANNEL))
    costs = pd.DataFrame(rows, columns=["channel", "cost", "leads"])

    # realised quality (recorded channel, customers joined in the window)
    v = value.reindex(customers["customer_id"])
    for c in CHANNELS:
        m = in_window & (channel == c)
        buyers = m & (v["revenue"].to_numpy() > 0)
        acquired = int(m.sum())
        realised[c] = {
            "acquired": acquired, "buyers": int(buyers.sum()),
            "conversion": round(float(buyers.sum() / acquired), 4) if acquired else None,
            "retention": round(float(v["retained"].to_numpy()[buyers].mean()), 4)
            if buyers.any() else None,
            "acquisition_cost": round(float(costs.set_index("channel").loc[c, "cost"]) / acquired,
                                      2) if acquired else None,
            "revenue": round(float(v["revenue"].to_numpy()[m].sum()), 2)}
    buyers_w = in_window & (v["revenue"].to_numpy() > 0)
    truth = {
        "files": {"acquisition": FILES["acquisition"], "costs": FILES["channel_costs"]},
        "channels": list(CHANNELS), "keep": KEEP, "drop": DROP, "open": OPEN_CHANNEL["channel"],
        "keep_why": "cheapest acquisition cost, highest conversion and retention (star)",
        "drop_why": "most expensive per customer; conversion below half the overall (most "
                    "prospects who never bought came from it)",
        "open_why": "a cost row (a trial just started) but no customer recorded yet",
        "rule": "P(channel | trajectory) below; 抖音直播 before "
                f"{DOUYIN_FROM} and 线上商城/抖音直播 for agents and franchisees recorded as 门店; "
                f"{round(NO_CHANNEL_SHARE * n)} customers with an empty channel (random)",
        "p_channel_given_trajectory": {t: dict(zip(CHANNELS, p)) for t, p in CHANNEL_P.items()},
        "unit_cost": dict(UNIT_COST), "lead_conversion": dict(LEAD_CONVERSION),
        "cost_rule": "cost = unit_cost x customers acquired in the window (true channel) x "
                     "exp(N(0, 0.05)), rounded to 100; leads = acquired / lead_conversion",
        "since": TRANSACTIONS_START.isoformat(),
        "retention_rule": f"a buyer with a purchase within {RETENTION_DAYS} days of as_of",
        "no_channel": int((channel == "").sum()),
        "overall_conversion_since": round(float(buyers_w.sum() / in_window.sum()), 4),
        "realised_since": realised,
    }
    return acquisition, costs, truth


def _satisfaction_z(survey: pd.DataFrame | None) -> pd.Series:
    """Standardised mean of Q17-Q19 (1..5) per linked customer of the survey (first row)."""
    if survey is None or "customer_id" not in survey.columns:
        return pd.Series(dtype=float)
    s = survey[(survey["customer_id"].fillna("").astype(str) != "")
               & (survey["status"] == "complete")].drop_duplicates("respondent_id")
    codes = {lab: i + 1 for i, lab in enumerate(LABELS_ZH)}
    sat = pd.DataFrame({q: s[q].map(codes) for q in ["Q17", "Q18", "Q19"]}).mean(axis=1)
    sat.index = s["customer_id"].astype(str).to_numpy()
    sat = sat[~sat.index.duplicated()].dropna()
    return (sat - sat.mean()) / sat.std(ddof=0)


def _complaints(rng, info: dict, tx: pd.DataFrame, survey: pd.DataFrame | None,
                lapsed: np.ndarray):
    ids = info["ids"]
    n = len(ids)
    pos = {c: i for i, c in enumerate(ids)}
    tcust = tx["customer_id"].map(pos).to_numpy()
    tday = ((pd.to_datetime(tx["date"]) - pd.Timestamp(TRANSACTIONS_START)).dt.days).to_numpy()
    w0, w1 = _day(AS_OF - timedelta(days=364)), _day(AS_OF)

    z = _satisfaction_z(survey)
    tilt = np.ones(n)
    zi = np.array([pos[c] for c in z.index if c in pos], dtype=np.int64)
    zv = z[[c in pos for c in z.index]].to_numpy()
    if len(zi):
        e = np.exp(-SAT_SELECTION * zv)
        tilt[zi] = e / e.mean()
    weight = np.array([COMPLAIN_WEIGHT["type"][t] for t in info["ctype"]]) \
        * np.array([COMPLAIN_WEIGHT["trajectory"].get(t, 0.0) for t in info["traj"]]) * tilt \
        * np.where(lapsed, COMPLAIN_WEIGHT["lapsed"], 1.0)

    names = list(CATEGORIES)
    counts = largest_remainder([CATEGORIES[c][0] for c in names], N_COMPLAINTS)
    cust, day, cat = [], [], []
    for c, k in zip(names, counts):
        _, lo, hi = CATEGORIES[c]
        ok = (tday >= w0 - hi) & (tday <= w1 - lo)
        pool = np.unique(tcust[ok])
        p = weight[pool] / weight[pool].sum()
        chosen = rng.choice(pool, size=int(k), p=p)
        for i in chosen:
            d = tday[ok & (tcust == i)]
            anchor = int(d[rng.integers(len(d))])
            lag = int(rng.integers(max(lo, w0 - anchor), min(hi, w1 - anchor) + 1))
            cust.append(i)
            day.append(anchor + lag)
            cat.append(c)
    cust, day, cat = np.array(cust), np.array(day), np.array(cat, dtype=object)
    m = len(cust)
    received = day * 1440.0 + rng.integers(8 * 60, 22 * 60, m)

    # answer within 24 h / late / never: exact counts, late ones tilted as the complainers
    n_in, n_never = round(WITHIN_24H_SHARE * m), round(UNANSWERED_SHARE * m)
    lw = np.array([LATE_CATEGORY_WEIGHT.get(c, 1.0) for c in cat])
    lz = np.zeros(m)
    lz[np.isin(cust, zi)] = z.reindex(ids[cust[np.isin(cust, zi)]]).to_numpy()
    lw = lw * np.exp(-LATE_SAT_SELECTION * lz)
    slow = rng.choice(m, size=m - n_in, replace=False, p=lw / lw.sum())
    never = slow[rng.permutation(len(slow))[:n_never]]
    resp_min = np.clip(np.round(60 * np.exp(rng.normal(np.log(3.0), 1.0, m))), 1, 23 * 60 + 30)
    late_min = np.round(60 * rng.uniform(25, 120, m))
    resp_min[slow] = late_min[slow]
    resp_min[never] = np.nan
    responded = received + resp_min
    res_hours = np.array([RESOLVE_HOURS[c] for c in cat]) * rng.gamma(2.0, 0.5, m)
    resolved = responded + np.maximum(np.round(60 * res_hours), 10)
    unresolved = rng.random(m) < np.where(np.isin(np.arange(m), slow), 0.15, 0.06)
    resolved[unresolved] = np.nan
    cutoff = (_day(AS_OF) + 1) * 1440.0 - 1          # the export: as_of 23:59
    responded[responded > cutoff] = np.nan
    resolved[np.isnan(responded) | (resolved > cutoff)] = np.nan
    u = rng.random(m)
    follow = np.where(~np.isnan(resolved), np.where(u < 0.72, "是", np.where(u < 0.95, "否", "")),
                      np.where(~np.isnan(responded), np.where(u < 0.5, "否", ""), ""))
    anonymous = np.zeros(m, dtype=bool)
    anonymous[rng.choice(m, size=round(ANONYMOUS_SHARE * m), replace=False)] = True

    order = np.lexsort((rng.random(m), received))
    rd = pd.Timestamp(TRANSACTIONS_START) + pd.to_timedelta(received[order], unit="min")
    ymd = np.asarray(rd.strftime("%Y%m%d"), dtype=object)
    seq = pd.Series(ymd).groupby(ymd).cumcount().to_numpy() + 1
    log = pd.DataFrame({
        "投诉编号": [f"TS{a}{s:03d}" for a, s in zip(ymd, seq)],
        "客户编号": np.where(anonymous[order], "", ids[cust[order]]).astype(object),
        "投诉时间": _stamp(received[order]),
        "投诉类别": cat[order],
        "首次响应时间": _stamp(responded[order]),
        "解决时间": _stamp(resolved[order]),
        "是否回访": follow[order].astype(object),
    })

    answered_in = (~np.isnan(responded)) & (responded - received <= 24 * 60)
    share = pd.Series(cat).value_counts() / m
    top3 = share.sort_values(ascending=False, kind="stable").index[:3].tolist()
    traj = info["traj"]
    complained = np.zeros(n, dtype=bool)
    complained[cust[~anonymous]] = True
    buyers = info["revenue"] > 0
    rate = {t: round(float(complained[buyers & (traj == t)].mean()), 4)
            for t in ["stable", "growing", "declining", "churned"]}
    truth = {
        "file": FILES["complaints"],
        "columns": {"complaint_id": "投诉编号", "customer_id": "客户编号", "received": "投诉时间",
                    "category": "投诉类别", "responded": "首次响应时间", "resolved": "解决时间",
                    "followed_up": "是否回访"},
        "window": [(AS_OF - timedelta(days=364)).isoformat(), AS_OF.isoformat()],
        "n": int(m), "anonymous": int(anonymous.sum()),
        "category_shares": {c: CATEGORIES[c][0] for c in names},
        "category_counts": {c: int(k) for c, k in zip(names, counts)},
        "top3": top3, "top3_share": round(float(share[top3].sum()), 4),
        "causes_suggested": {k: list(v) for k, v in CAUSES.items()},
        "within_24h_share": round(float(answered_in.mean()), 4),
        "within_24h_rule": "first response at most 24 h after received, of all complaints "
                           "(unanswered count as missed)",
        "unanswered": int(np.isnan(responded).sum()),
        "unresolved": int(np.isnan(resolved).sum()),
        "weights": {"type": dict(COMPLAIN_WEIGHT["type"]),
                    "trajectory": dict(COMPLAIN_WEIGHT["trajectory"]),
                    "lapsed": COMPLAIN_WEIGHT["lapsed"],
                    "rule": "P(customer) ~ type x trajectory x lapsed (no purchase within 365 "
                            "days of as_of) x satisfaction tilt, among the customers with a "
                            "purchase the category's lag can reach"},
        "lag_days": {c: [lo, hi] for c, (_, lo, hi) in CATEGORIES.items()},
        "complaint_rate_by_trajectory": rate,
        "satisfaction_gap": {
            "planted": bool(len(zi)),
            "how": "survey.csv unchanged; complainers drawn with weight x exp(-"
                   f"{SAT_SELECTION} z) of the standardised mean of Q17-Q19 of linked "
                   f"respondents (late / unanswered complaints x exp(-{LATE_SAT_SELECTION} z))",
            "linked_customers": int(len(zi)),
            "linked_complainers": int(complained[zi].sum()) if len(zi) else 0,
            "z_complainers": round(float(zv[complained[zi]].mean()), 4)
            if len(zi) and complained[zi].any() else None,
            "z_others": round(float(zv[~complained[zi]].mean()), 4)
            if len(zi) and (~complained[zi]).any() else None,
        },
    }
    return log, complained, truth


def _ratings(rng, customers: pd.DataFrame, info: dict, tx: pd.DataFrame):
    ids, traj, ctype = info["ids"], info["traj"], info["ctype"]
    n = len(ids)
    coop = customers["cooperation"].to_numpy()
    loyal = customers["loyalty"].to_numpy()
    weak = np.isin(traj, ["declining", "churned"])
    integ = np.where(weak, rng.choice(np.arange(1, 6), n, p=INTEGRITY_P["weak"]),
                     rng.choice(np.arange(1, 6), n, p=INTEGRITY_P["default"]))
    up = traj == "growing"
    down = traj == "declining"

    def rerate(x):
        step = rng.choice([-1, 0, 1], size=n, p=[RERATE_P, 1 - 2 * RERATE_P, RERATE_P])
        return np.clip(x + step, 1, 5)

    before = {"integrity": rerate(integ), "cooperation": rerate(coop), "dependence": rerate(loyal)}
    for dim, now in (("cooperation", coop), ("dependence", loyal)):
        before[dim] = np.where(up, np.clip(now - rng.integers(1, 3, n), 1, 5), before[dim])
        before[dim] = np.where(down, np.clip(now + rng.integers(0, 2, n), 1, 5), before[dim])
    scores = {2025: before, 2026: {"integrity": integ, "cooperation": coop, "dependence": loyal}}
    tdate = pd.to_datetime(tx["date"])
    frames, bought = [], {}
    for period, (a, b) in PERIODS.items():
        who = set(tx.loc[(tdate >= pd.Timestamp(a)) & (tdate <= pd.Timestamp(b)), "customer_id"])
        bought[period] = np.array([c in who for c in ids])
        m = bought[period] & np.isin(ctype, RATED_TYPES)
        frames.append(pd.DataFrame({"customer_id": ids[m], "period": period,
                                    **{col: scores[period][dim][m]
                                       for dim, col in DIMENSION_COLUMNS.items()}}))
    ratings = pd.concat(frames, ignore_index=True)
    planted = up & bought[2025] & bought[2026] & np.isin(ctype, RATED_TYPES)
    truth = {
        "file": FILES["ratings"],
        "columns": {v: k for k, v in DIMENSION_COLUMNS.items()},
        "periods": {str(p): [a.isoformat(), b.isoformat()] for p, (a, b) in PERIODS.items()},
        "rated": f"customer_type in {list(RATED_TYPES)} with a purchase in the period",
        "rows": {str(p): int((ratings["period"] == p).sum()) for p in PERIODS},
        "not_in_sheet": "growth (成长度) and contribution (贡献度): computed from transactions",
        "rule": "2026 配合度 / 依存度 = customers.csv cooperation / loyalty; 2025 = 2026 "
                f"re-rated +/-1 with probability {RERATE_P} each (诚信度 too), except: growing "
                "customers 1-2 points lower in 2025 on 配合度 and 依存度 (migrate up), "
                "declining customers 0-1 point higher in 2025 (drift down)",
        "migrate_up": sorted(ids[planted].tolist()),
        "migrate_up_rule": "info traj == 'growing' (truth.customers.growing), franchisee or "
                           "retail, rated in both periods",
        "drift_down": "truth.customers.declining (franchisee or retail, rated in both periods)",
        "n_drift_down": int((down & bought[2025] & bought[2026]
                             & np.isin(ctype, RATED_TYPES)).sum()),
    }
    return ratings, truth


# ---------------------------------------------------------------------------- public API
def generate_crm(seed: int, customers: pd.DataFrame, transactions: pd.DataFrame, info: dict,
                 survey: pd.DataFrame | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """The four CRM exports of the module docstring and their truth, from the demo's
    customers, transactions, the generator's ``info`` (trajectories, types) and the survey.

    Draws only from ``numpy.random.default_rng([seed, STREAM])``; reads, never changes, its
    inputs. Returns ({"acquisition", "channel_costs", "complaints", "ratings": DataFrame},
    {"channels", "complaints", "value_rating": planted truth}); write the frames to
    :data:`FILES` names.

    Example
    -------
    >>> from csi_helpers import demo
    >>> rng = np.random.default_rng(np.random.SeedSequence(1).spawn(4)[0])
    >>> customers, tx, _, info = demo._customers_and_transactions(rng)   # doctest: +SKIP
    >>> frames, truth = generate_crm(1, customers, tx, info)               # doctest: +SKIP
    >>> sorted(truth)                                                      # doctest: +SKIP
    ['channels', 'complaints', 'value_rating']
    """
    rng = np.random.default_rng([int(seed), STREAM])
    tdate = pd.to_datetime(transactions["date"])
    g = transactions.assign(_d=tdate).groupby("customer_id")
    value = pd.DataFrame({"revenue": g["amount"].sum(), "last": g["_d"].max()}) \
        .reindex(customers["customer_id"])
    value["revenue"] = value["revenue"].fillna(0.0)
    value["retained"] = (value["revenue"] > 0) \
        & ((pd.Timestamp(AS_OF) - value["last"]).dt.days <= RETENTION_DAYS)
    acquisition, costs, t_channels = _acquisition(rng, customers, info, value)
    ret = value["retained"].to_numpy()
    buyers = value["revenue"].to_numpy() > 0
    log, complained, t_complaints = _complaints(rng, info, transactions, survey, buyers & ~ret)
    t_complaints["retention"] = {
        "complainers": round(float(ret[buyers & complained].mean()), 4),
        "others": round(float(ret[buyers & ~complained].mean()), 4),
        "rule": f"buyers with a purchase within {RETENTION_DAYS} days of as_of; complainers: "
                "customers with a complaint carrying their id"}
    ratings, t_rating = _ratings(rng, customers, info, transactions)
    frames = {"acquisition": acquisition, "channel_costs": costs, "complaints": log,
              "ratings": ratings}
    return frames, {"channels": t_channels, "complaints": t_complaints, "value_rating": t_rating}
