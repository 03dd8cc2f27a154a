"""Tests of csi_helpers.demo_customers: the demo client's acquisition channels, channel costs,
complaint log and value-rating sheet, and the structure planted in them.

The planted facts are checked on the generated files with plain pandas (not with the
analysis modules), and the demo's earlier files must stay byte-identical.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from csi_helpers import demo
from csi_helpers import demo_customers as dc

ROOT = Path(__file__).resolve().parents[1]
PARAMS = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
SEED = PARAMS["demo"]["seed"]
AS_OF = pd.Timestamp(demo.AS_OF)
START = pd.Timestamp(demo.TRANSACTIONS_START)
NEW_KEYS = ("channels", "complaints", "value_rating")
LABELS = PARAMS["scale"]["labels"]["zh"]

# sha256 of the files demo.generate(…, 20261123) wrote before demo_customers existed (equal to
# the local data/demo set made by `csi demo`); truth.json: without the three new keys.
# Same numpy/pandas -> same bytes, so the check runs on these versions only.
RECORDED_WITH = ("2.4.6", "3.1.1")
BEFORE = {
    "customers.csv": "827a894f4f333abcf3d3b7ee21701f3307825cadffc993b66190475660c8a955",
    "notes.csv": "f6fda3b1c6f6f366e652314f38c96e7916760c55ae513c7704fa567e601c9415",
    "secondary.csv": "9ba8ae0d32e33ffe05bbc2c8a01306fa06baad6ea58afe1f9dbcc856aec60628",
    "survey.csv": "ae0f7d528e06d2382cc09b92767e9006639a14b7f0c0dfa79827dc02f18eeb93",
    "transactions.csv": "0ebdb27fe5a03ab2de9498f3cc2951d496329d704bd9975e5e469d29cf808ffa",
    "visits.csv": "d5c4ddf26002d740053ee06ad6d2d8b2ca395b3bd1e89744dbc6ca261e131df0",
    "truth.json": "c004739ee8b6e28820bba47ea56b1387ee48789e1f1bad3110fb5cce71d65fbb",
}
STAMP = "%Y-%m-%d %H:%M"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def old_truth_bytes(truth: dict) -> bytes:
    """truth.json as it was written before the new keys (same dump, keys in order)."""
    old = {k: v for k, v in truth.items() if k not in NEW_KEYS + ("launch",)}
    old["generator_version"] = 1              # version 2 added the keys, nothing else
    return (json.dumps(old, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo_crm")
    paths = demo.generate(folder, SEED)
    assert set(paths) == set(demo.FILES)          # the returned paths keep their contract
    return folder


@pytest.fixture(scope="module")
def truth(out):
    return json.loads((out / "truth.json").read_text(encoding="utf-8"))


def read(out, key: str) -> pd.DataFrame:
    return pd.read_csv(out / dc.FILES[key], encoding="utf-8", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def customers(out):
    return pd.read_csv(out / "customers.csv", encoding="utf-8", dtype={"customer_id": str})


@pytest.fixture(scope="module")
def transactions(out):
    tx = pd.read_csv(out / "transactions.csv", encoding="utf-8")
    tx["date"] = pd.to_datetime(tx["date"])
    return tx


@pytest.fixture(scope="module")
def value(customers, transactions):
    """Per customer: revenue, last purchase, retained (a purchase within 365 days)."""
    g = transactions.groupby("customer_id")
    v = pd.DataFrame({"revenue": g["amount"].sum(), "last": g["date"].max()}) \
        .reindex(customers["customer_id"])
    v["revenue"] = v["revenue"].fillna(0.0)
    v["buyer"] = v["revenue"] > 0
    v["retained"] = v["buyer"] & ((AS_OF - v["last"]).dt.days <= 365)
    return v


@pytest.fixture(scope="module")
def acq(out, customers, value):
    a = read(out, "acquisition")
    return a.set_index("customer_id").join(value).join(
        customers.set_index("customer_id")[["joined", "customer_type"]])


@pytest.fixture(scope="module")
def costs(out):
    return pd.read_csv(out / dc.FILES["channel_costs"], encoding="utf-8").set_index("channel")


@pytest.fixture(scope="module")
def log(out):
    return read(out, "complaints")


@pytest.fixture(scope="module")
def times(log):
    def parse(col):
        return pd.to_datetime(log[col].replace("", None), format=STAMP)
    return pd.DataFrame({"received": parse("投诉时间"), "responded": parse("首次响应时间"),
                         "resolved": parse("解决时间")})


@pytest.fixture(scope="module")
def ratings(out):
    return pd.read_csv(out / dc.FILES["ratings"], encoding="utf-8", dtype={"customer_id": str})


@pytest.fixture(scope="module")
def inputs():
    """What generate() hands to generate_crm, rebuilt from the same streams."""
    r_cust, r_survey, _, _ = [np.random.default_rng(s)
                              for s in np.random.SeedSequence(SEED).spawn(4)]
    customers, tx, _, info = demo._customers_and_transactions(r_cust)
    survey, _ = demo._survey(r_survey, info)
    return customers, tx, info, survey


# ------------------------------------------------------------------ the earlier files
@pytest.mark.skipif((np.__version__, pd.__version__) != RECORDED_WITH,
                    reason="the recorded hashes are of numpy %s / pandas %s" % RECORDED_WITH)
def before_launch(data: bytes) -> bytes:
    """transactions.csv without the launch of generator version 3: the new model's rows
    back to refrigerators (the category is the last column)."""
    return data.replace(b",smart_refrigerators\n", b",refrigerators\n")


def test_earlier_files_byte_identical_to_before(out, truth):
    """Every earlier file is as it was; the transactions differ only in the category of
    the refrigerator purchases the launch turned into the new model."""
    for name, digest in BEFORE.items():
        data = old_truth_bytes(truth) if name == "truth.json" else (out / name).read_bytes()
        if name == "transactions.csv":
            assert b",smart_refrigerators\n" in data
            data = before_launch(data)
        assert sha(data) == digest, name


def test_the_planted_launch(out, truth):
    """The launch's truth is what the transactions show: the planted early adopters are
    the buyers of the new model within 90 days of its launch, none bought it before."""
    launch = truth["launch"]
    tx = pd.read_csv(out / "transactions.csv", parse_dates=["date"])
    new = tx[tx["category"] == launch["category"]]
    launched = pd.Timestamp(launch["launched"])
    assert new["date"].min() >= launched
    early = new[new["date"] <= launched + pd.Timedelta(days=launch["days"])]
    assert sorted(early["customer_id"].unique()) == launch["early_adopters"]
    assert launch["n_early_adopters"] == len(launch["early_adopters"]) > 300


def test_earlier_files_equal_the_local_demo_set(out, truth):
    local = ROOT / "data" / "demo"
    try:
        made = json.loads((local / "truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pytest.skip("no local data/demo set")
    if made.get("seed") != SEED:
        pytest.skip("data/demo was made with another seed")
    for name in BEFORE:
        if name == "truth.json":
            assert old_truth_bytes(truth) == old_truth_bytes(made)
        else:
            assert (out / name).read_bytes() == (local / name).read_bytes(), name


def test_files_come_from_generate_crm_alone(out, inputs):
    customers, tx, info, survey = inputs
    keep = (customers.copy(), tx.copy(), survey.copy())
    frames, planted = dc.generate_crm(SEED, customers, tx, info, survey)
    for key, df in frames.items():
        text = df.to_csv(index=False, lineterminator="\n").encode("utf-8")
        assert text == (out / dc.FILES[key]).read_bytes(), key
    for before, after in zip(keep, (customers, tx, survey)):
        pd.testing.assert_frame_equal(before, after)          # inputs not modified
    other, _ = dc.generate_crm(SEED + 1, customers, tx, info, survey)
    for key in ["acquisition", "complaints", "ratings"]:
        assert not other[key].equals(frames[key]), key
    assert sorted(planted) == sorted(NEW_KEYS)


# ------------------------------------------------------------------ files parse
def test_files_headers_and_encoding(out):
    heads = {"acquisition": ["customer_id", "channel"],
             "channel_costs": ["channel", "cost", "leads"],
             "complaints": ["投诉编号", "客户编号", "投诉时间", "投诉类别", "首次响应时间", "解决时间",
                            "是否回访"],
             "ratings": ["customer_id", "period", "诚信度", "配合度", "依存度"]}
    for key, cols in heads.items():
        raw = (out / dc.FILES[key]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw, key
        raw.decode("utf-8")
        assert read(out, key).columns.tolist() == cols, key


# ------------------------------------------------------------------ channels
def test_acquisition_covers_every_customer(acq, customers, truth):
    assert acq.index.tolist() == customers["customer_id"].tolist()
    assert set(acq["channel"]) == set(dc.CHANNELS) | {""}
    empty = int((acq["channel"] == "").sum())
    assert empty == truth["channels"]["no_channel"] == round(0.01 * len(customers))
    # 抖音直播 only since live-stream sales began; partners never from the online channels
    assert (pd.to_datetime(acq.loc[acq["channel"] == "抖音直播", "joined"])
            >= pd.Timestamp(dc.DOUYIN_FROM)).all()
    partners = acq["customer_type"].isin(["agent", "franchisee"])
    assert not acq.loc[partners, "channel"].isin(["线上商城", "抖音直播"]).any()


def test_channel_costs_and_the_open_channel(costs, acq, truth):
    t = truth["channels"]
    assert costs.index.tolist() == dc.CHANNELS + ["小红书"]
    assert (costs["cost"] > 0).all() and (costs["cost"] % 100 == 0).all()
    assert t["open"] == "小红书" and "小红书" not in set(acq["channel"])
    new = acq[pd.to_datetime(acq["joined"]) >= START]
    acquired = new["channel"].value_counts()
    for c in dc.CHANNELS:
        assert costs.loc[c, "leads"] >= acquired[c]                  # leads >= customers
        assert abs(costs.loc[c, "cost"] / acquired[c] / dc.UNIT_COST[c] - 1) < 0.2


def quality(frame: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    g = frame[frame["channel"] != ""].groupby("channel")
    q = pd.DataFrame({"acquired": g.size(), "buyers": g["buyer"].sum(),
                      "retained": g["retained"].sum(), "revenue": g["revenue"].sum()})
    q["conversion"] = q["buyers"] / q["acquired"]
    q["retention"] = q["retained"] / q["buyers"]
    q["acquisition_cost"] = costs["cost"].reindex(q.index) / q["acquired"]
    q["return"] = q["revenue"] / costs["cost"].reindex(q.index)
    return q


def test_planted_channel_quality_since_window_start(acq, costs, truth):
    t = truth["channels"]
    new = acq[pd.to_datetime(acq["joined"]) >= pd.Timestamp(t["since"])]
    q = quality(new, costs)
    overall = new["buyer"].mean()
    assert overall == pytest.approx(t["overall_conversion_since"], abs=1e-4)
    keep, drop = t["keep"], t["drop"]
    assert (keep, drop) == ("老客推荐", "地推活动")
    assert (q["acquired"] >= 30).all()                   # every channel big enough to judge
    # drop: the most expensive per customer, converting below half the overall rate
    assert q["acquisition_cost"].idxmax() == drop
    assert q.loc[drop, "conversion"] < 0.5 * overall
    assert q["conversion"].idxmin() == drop
    # keep: the cheapest, converting at least as well as the median channel, best retention
    assert q["acquisition_cost"].idxmin() == keep
    assert q.loc[keep, "conversion"] >= q["conversion"].median()
    assert q.loc[keep, "conversion"] >= 0.98
    assert q["retention"].idxmax() == keep
    assert q.loc[keep, "return"] > 1 and q["return"].idxmax() == keep
    for c in dc.CHANNELS:                                 # the truth records what was realised
        r = t["realised_since"][c]
        assert (r["acquired"], r["buyers"]) == (q.loc[c, "acquired"], q.loc[c, "buyers"])
        assert r["retention"] == pytest.approx(q.loc[c, "retention"], abs=1e-4)


def test_planted_channel_quality_over_all_customers(acq, costs):
    q = quality(acq, costs)
    assert q.loc["地推活动", "conversion"] < 0.5 * acq["buyer"].mean()
    assert q["conversion"].idxmax() == "老客推荐"
    never = acq[~acq["buyer"] & (acq["channel"] != "")]
    assert (never["channel"] == "地推活动").mean() > 0.5   # prospects mostly from 地推活动


# ------------------------------------------------------------------ complaints
def test_complaint_log_is_well_formed(log, times, truth, customers, transactions):
    t = truth["complaints"]
    assert len(log) == t["n"] == dc.N_COMPLAINTS
    assert log["投诉编号"].is_unique
    assert log["投诉编号"].str.fullmatch(r"TS\d{11}").all()
    assert (log["投诉编号"].str[2:10] == times["received"].dt.strftime("%Y%m%d")).all()
    for col in ["投诉时间", "首次响应时间", "解决时间"]:
        filled = log[col][log[col] != ""]
        assert filled.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d").all(), col
    lo, hi = pd.Timestamp(t["window"][0]), pd.Timestamp(t["window"][1]) + pd.Timedelta("1D")
    assert times["received"].between(lo, hi, inclusive="left").all()
    assert times["received"].is_monotonic_increasing
    assert (times["responded"].dropna() >= times["received"][times["responded"].notna()]).all()
    ok = times["resolved"].notna()
    assert times["responded"][ok].notna().all()
    assert (times["resolved"][ok] >= times["responded"][ok]).all()
    assert (times[["responded", "resolved"]].max(axis=1).dropna() < hi).all()   # as_of export
    assert set(log["是否回访"]) <= {"是", "否", ""}
    assert (log.loc[times["responded"].isna(), "是否回访"] == "").all()
    assert set(log["投诉类别"]) == set(dc.CATEGORIES)
    causes = t["causes_suggested"]
    assert sorted(c for v in causes.values() for c in v) == sorted(dc.CATEGORIES)
    anonymous = log["客户编号"] == ""
    assert int(anonymous.sum()) == t["anonymous"] == round(0.03 * len(log))
    # every identified complaint: a known customer with a purchase on or before it
    ids = log.loc[~anonymous, "客户编号"]
    assert ids.isin(customers["customer_id"]).all()
    first = transactions.groupby("customer_id")["date"].min()
    assert (first.reindex(ids).to_numpy() <= times.loc[~anonymous, "received"].to_numpy()).all()


def test_planted_pareto_three_categories_draw_80_percent(log, truth):
    share = log["投诉类别"].value_counts(normalize=True).sort_values(ascending=False,
                                                                   kind="stable")
    t = truth["complaints"]
    assert share.index[:3].tolist() == t["top3"] == ["售后服务态度", "送货延迟", "安装问题"]
    assert share.iloc[:3].sum() == pytest.approx(t["top3_share"]) and share.iloc[:3].sum() >= 0.80
    assert share.iloc[:2].sum() < 0.80                     # exactly three are the vital few
    assert log["投诉类别"].value_counts().to_dict() == t["category_counts"]


def test_planted_share_answered_within_24_hours(times, truth):
    hours = (times["responded"] - times["received"]).dt.total_seconds() / 3600
    within = (hours <= 24).mean()                           # unanswered count as missed
    assert within == pytest.approx(truth["complaints"]["within_24h_share"], abs=1e-4)
    assert 0.83 <= within <= 0.87
    assert int(hours.isna().sum()) == truth["complaints"]["unanswered"]
    assert 0.02 <= hours.isna().mean() <= 0.04


def test_planted_complainers_retained_less(log, value, truth):
    complained = value.index.isin(set(log["客户编号"]) - {""})
    buyers = value["buyer"].to_numpy()
    a = value["retained"][buyers & complained]
    b = value["retained"][buyers & ~complained]
    assert a.mean() < b.mean() - 0.05
    pool = (a.sum() + b.sum()) / (len(a) + len(b))
    z = (a.mean() - b.mean()) / np.sqrt(pool * (1 - pool) * (1 / len(a) + 1 / len(b)))
    assert z < -3
    r = truth["complaints"]["retention"]
    assert (r["complainers"], r["others"]) == (round(a.mean(), 4), round(b.mean(), 4))


def test_planted_declining_and_churned_complain_more(log, value, truth):
    c = truth["customers"]
    complained = pd.Series(value.index.isin(set(log["客户编号"]) - {""}), index=value.index)
    buyers = value.index[value["buyer"]]
    groups = {"growing": c["growing"], "declining": c["declining"], "churned": c["churned"]}
    rate = {k: complained[buyers.intersection(v)].mean() for k, v in groups.items()}
    rest = buyers.difference(pd.Index([i for v in groups.values() for i in v]))
    rate["stable"] = complained[rest].mean()
    assert rate["declining"] > 1.5 * rate["stable"] and rate["churned"] > 1.5 * rate["stable"]
    assert rate["growing"] < rate["stable"]
    assert rate == pytest.approx(truth["complaints"]["complaint_rate_by_trajectory"], abs=1e-4)


def test_planted_linked_complainers_less_satisfied(out, log, times, truth):
    survey = pd.read_csv(out / "survey.csv", encoding="gbk", dtype=str, keep_default_na=False)
    s = survey[(survey["customer_id"] != "") & (survey["status"] == "complete")] \
        .drop_duplicates("respondent_id")
    sat = s[["Q17", "Q18", "Q19"]].apply(lambda col: col.map(LABELS)).mean(axis=1)
    sat = ((sat - 1) / 4 * 100).set_axis(s["customer_id"]).dropna()
    gap = truth["complaints"]["satisfaction_gap"]
    assert gap["planted"] is True and gap["linked_customers"] == len(sat)
    who = set(log["客户编号"]) - {""}
    a, b = sat[sat.index.isin(who)], sat[~sat.index.isin(who)]
    assert len(a) == gap["linked_complainers"] >= 30
    assert a.mean() < b.mean() - 5
    assert stats.ttest_ind(a, b, equal_var=False).pvalue < 0.05
    # service recovery: linked complainers always answered within 24 h are more satisfied
    linked = log["客户编号"].isin(sat.index)
    fast = ((times["responded"] - times["received"]) <= pd.Timedelta(hours=24))[linked]
    ok = fast.groupby(log.loc[linked, "客户编号"]).all()
    assert sat[ok.index[ok]].mean() > sat[ok.index[~ok]].mean()


# ------------------------------------------------------------------ value rating
def test_rating_sheet_rates_the_period_buyers(ratings, customers, transactions, truth):
    assert set(ratings["period"]) == {2025, 2026}
    assert not ratings.duplicated(["customer_id", "period"]).any()
    for col in ["诚信度", "配合度", "依存度"]:
        assert ratings[col].between(1, 5).all() and ratings[col].dtype.kind == "i", col
    types = customers.set_index("customer_id")["customer_type"]
    for period, (a, b) in truth["value_rating"]["periods"].items():
        m = transactions["date"].between(pd.Timestamp(a), pd.Timestamp(b))
        bought = set(transactions.loc[m, "customer_id"])
        expected = {c for c in bought if types[c] in ("franchisee", "retail")}
        assert set(ratings.loc[ratings["period"] == int(period), "customer_id"]) == expected
    assert pd.Timestamp(truth["value_rating"]["periods"]["2026"][1]) == AS_OF
    now = ratings[ratings["period"] == 2026].set_index("customer_id")
    master = customers.set_index("customer_id").loc[now.index]
    assert (now["配合度"] == master["cooperation"]).all()
    assert (now["依存度"] == master["loyalty"]).all()


def test_planted_growing_customers_migrate_up(ratings, customers, truth):
    wide = ratings.pivot(index="customer_id", columns="period")
    both = wide.dropna()
    delta = {col: both[(col, 2026)] - both[(col, 2025)] for col in ["诚信度", "配合度", "依存度"]}
    up = truth["value_rating"]["migrate_up"]
    types = customers.set_index("customer_id")["customer_type"]
    growing = set(truth["customers"]["growing"])
    assert up == sorted(c for c in both.index if c in growing and types[c] != "agent")
    assert len(up) >= 100
    for col in ["配合度", "依存度"]:
        assert (delta[col][up] >= 1).all(), col                   # every planted one rose
    declining = both.index.intersection(truth["customers"]["declining"])
    rest = both.index.difference(up).difference(declining)
    for col in ["配合度", "依存度"]:
        assert abs(delta[col][rest].mean()) < 0.05, col           # the others re-rated at random
        assert delta[col][declining].mean() < -0.3, col           # the declining drift down
    assert abs(delta["诚信度"].mean()) < 0.05
    assert len(declining) == truth["value_rating"]["n_drift_down"]


def test_truth_sections_small_and_complete(truth):
    assert all(k in truth for k in NEW_KEYS)
    assert len(json.dumps({k: truth[k] for k in NEW_KEYS}, ensure_ascii=False)) < 20_000
    assert truth["channels"]["open"] == dc.OPEN_CHANNEL["channel"]
    assert truth["complaints"]["within_24h_share"] == pytest.approx(dc.WITHIN_24H_SHARE,
                                                                    abs=0.01)


def test_largest_remainder():
    assert dc.largest_remainder([0.5, 0.5], 3).tolist() == [2, 1]
    assert dc.largest_remainder([1, 2, 1], 8).tolist() == [2, 4, 2]
    assert dc.largest_remainder([0.83, 0.17], 800).tolist() == [664, 136]
    assert dc.largest_remainder([1, 1, 1], 10).tolist() == [4, 3, 3]     # ties: the first
    shares = [v[0] for v in dc.CATEGORIES.values()]
    assert sum(shares) == pytest.approx(1.0)
    assert dc.largest_remainder(shares, 800).sum() == 800


def test_an_older_demo_set_gets_the_new_files_and_truth(tmp_path):
    """A demo folder made by an older generator (before the customer-management exports
    and the launch) is brought up to date: the new files are added, the files this version
    writes differently (truth.json, the transactions' categories) are replaced, nothing
    else changes."""
    from csi_helpers import params as params_mod

    p = params_mod.load(ROOT / "params" / "demo.yaml")
    folder = tmp_path / "demo"
    p["sources"]["survey"]["path"] = str(folder / "survey.csv")
    demo.ensure(p)
    t = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    for key in NEW_KEYS:
        t.pop(key)
    t["generator_version"] = 1
    (folder / "truth.json").write_text(json.dumps(t), encoding="utf-8")
    (folder / "complaints.csv").unlink()
    launched = (folder / "transactions.csv").read_bytes()
    (folder / "transactions.csv").write_bytes(before_launch(launched))   # before version 3
    before = (folder / "survey.csv").read_bytes()
    assert demo.ensure(p) is True
    again = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    assert again["generator_version"] == demo.GENERATOR_VERSION and set(NEW_KEYS) <= set(again)
    assert (folder / "complaints.csv").exists() and (folder / "survey.csv").read_bytes() == before
    assert (folder / "transactions.csv").read_bytes() == launched     # the launch planted
    assert demo.ensure(p) is False
