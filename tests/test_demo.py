"""Tests of csi_helpers.demo: the demo client's data, deterministic from a seed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from csi_helpers import demo
from csi_helpers.errors import CSIInputError, CSIWarning

ROOT = Path(__file__).resolve().parents[1]
PARAMS = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
SEED = PARAMS["demo"]["seed"]
LABELS = PARAMS["scale"]["labels"]["zh"]
ITEMS = [it["id"] for it in PARAMS["indicator_system"]["items"]]
REVERSE = PARAMS["scale"]["reverse_items"]
ECSI = [("IMAG", "EXPE"), ("IMAG", "SAT"), ("IMAG", "LOY"), ("EXPE", "QUAL"), ("EXPE", "VAL"),
        ("EXPE", "SAT"), ("QUAL", "VAL"), ("QUAL", "SAT"), ("VAL", "SAT"), ("SAT", "COMP"),
        ("SAT", "LOY"), ("COMP", "LOY")]


def yaml_blocks() -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {lv["id"]: [] for lv in PARAMS["indicator_system"]["latent_variables"]}
    for ind in PARAMS["indicator_system"]["indicators"]:
        blocks[ind["lv"]].extend(ind["items"])
    return {lv: sorted(v) for lv, v in blocks.items()}


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_a")
    paths = demo.generate(out, SEED)
    return paths


@pytest.fixture(scope="module")
def truth(gen):
    return json.loads(gen["truth"].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def survey(gen):
    return pd.read_csv(gen["survey"], encoding="gbk", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def customers(gen):
    return pd.read_csv(gen["customers"], encoding="utf-8", dtype={"customer_id": str})


@pytest.fixture(scope="module")
def transactions(gen):
    return pd.read_csv(gen["transactions"], encoding="utf-8")


@pytest.fixture(scope="module")
def tiers(transactions, customers) -> dict:
    """ABC tier by revenue over the whole window, with demo.yaml's thresholds."""
    abc = PARAMS["tiering"]["abc"]
    rev = transactions.groupby("customer_id")["amount"].sum() \
        .reindex(customers["customer_id"], fill_value=0).sort_values(ascending=False, kind="stable")
    before = (rev.cumsum() - rev) / rev.sum()
    tier = np.where(before < abc["a"], "A", np.where(before < abc["b"], "B", "C"))
    return dict(zip(rev.index, tier))


def numeric(survey: pd.DataFrame, cols) -> pd.DataFrame:
    """Labels -> 1..5; 不知道, empty and out-of-range codes -> NaN."""
    return pd.DataFrame({c: survey[c].map(LABELS).astype(float) for c in cols})


def clean_values(survey: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """Completed, non-speeding, non-straight-lining, first occurrence; reverse-keyed."""
    bad = set(truth["planted"]["speeders"]) | set(truth["planted"]["straightliners"])
    keep = (survey["status"] == "complete") & ~survey["respondent_id"].isin(bad) \
        & ~survey["respondent_id"].duplicated()
    values = numeric(survey[keep], ITEMS)
    for item in REVERSE:
        values[item] = 6 - values[item]
    return values


# ------------------------------------------------------------------ determinism, files
def test_same_seed_identical_bytes_different_seed_different_data(gen, tmp_path):
    again = demo.generate(tmp_path / "same", SEED)
    for key, path in gen.items():
        assert path.read_bytes() == again[key].read_bytes(), key
    other = demo.generate(tmp_path / "other", SEED + 1)
    for key in ["survey", "customers", "transactions", "visits", "notes"]:
        assert other[key].read_bytes() != gen[key].read_bytes(), key
    # the secondary sources are fixed text; the truth records the seed
    assert json.loads(other["truth"].read_text(encoding="utf-8"))["seed"] == SEED + 1


def test_files_and_names(gen):
    assert set(gen) == {"survey", "customers", "transactions", "visits", "notes", "secondary",
                        "acquisition", "channel_costs", "complaints", "ratings", "truth"}
    for key, path in gen.items():
        assert path.name == Path(PARAMS["sources"][key]["path"]).name


def test_encodings(gen):
    raw = gen["survey"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert "非常满意" in text and "不知道" in text
    assert PARAMS["sources"]["survey"]["encoding"] == "gbk"
    for key in ["customers", "transactions", "visits", "notes", "secondary", "truth"]:
        gen[key].read_bytes().decode("utf-8")          # raises if not UTF-8
    assert not gen["customers"].read_bytes().startswith(b"\xef\xbb\xbf")   # no BOM
    assert "上海" in gen["customers"].read_text(encoding="utf-8")


def test_columns_as_contracts(gen, survey):
    comp_cols = [c for comp in PARAMS["framing"]["competitors"]
                 for c in comp["columns"].values()]
    assert list(survey.columns) == (["respondent_id", "customer_id", "status", "start_time",
                                     "duration_sec", "region", "channel"]
                                    + [f"Q{i:02d}" for i in range(1, 26)]
                                    + ["Q17_compA", "Q17_compB", "Q07_compA", "Q07_compB",
                                       "comment"])
    assert set(comp_cols) == {"Q17_compA", "Q17_compB", "Q07_compA", "Q07_compB"}
    expected = {
        "customers": ["customer_id", "customer_type", "region", "city", "gender", "joined",
                      "cooperation", "loyalty"],
        "transactions": ["transaction_id", "customer_id", "date", "amount", "category"],
        "visits": ["customer_id", "date"],
        "notes": ["note_id", "method", "session_id", "participant", "date", "theme",
                  "theme_label", "sentiment", "excerpt"],
        "secondary": ["source_id", "title", "publisher", "year", "kind", "summary"],
    }
    for key, cols in expected.items():
        assert list(pd.read_csv(gen[key], nrows=1).columns) == cols, key


def test_survey_values(survey):
    assert survey["respondent_id"].str.fullmatch(r"R\d{5}").all()
    assert set(survey["status"]) == {"complete", "partial"}
    assert set(survey["region"]) == set(PARAMS["fieldwork"]["quota"]["region"])
    assert set(survey["channel"]) == {"store", "online", "phone"}
    pd.to_datetime(survey["start_time"], format="%Y-%m-%dT%H:%M:%S")
    dur = survey["duration_sec"].astype(int)
    assert dur.min() > 0
    assert 300 <= dur[survey["status"] == "complete"].median() <= 500     # 5-8 minutes
    allowed = set(LABELS) | set(PARAMS["scale"]["missing_labels"]) | {""}
    answers = survey[ITEMS].stack()
    stray = answers[~answers.isin(allowed)]
    assert 3 <= len(stray) <= 15
    assert stray.str.fullmatch(r"\d+").all()
    assert not stray.astype(int).between(1, 5).all()
    # skew toward agreement: most valid answers are 4 or 5 on a positively keyed item
    q17 = numeric(survey, ["Q17"])["Q17"].dropna()
    assert (q17 >= 4).mean() > 0.6
    comp = survey[["Q17_compA", "Q17_compB", "Q07_compA", "Q07_compB"]]
    dk = (comp[survey["status"] == "complete"] == "不知道").mean()
    assert dk.between(0.25, 0.35).all()
    assert (survey["comment"] != "").sum() > 20
    assert survey["comment"].str.contains(r"[A-Za-z]").any()
    assert survey["comment"].str.contains(r"[\u4e00-\u9fff]").any()


# ------------------------------------------------------------------ planted noise
def test_planted_noise_rates(survey, truth):
    planted = truth["planted"]
    complete = survey[survey["status"] == "complete"]
    n_unique = complete["respondent_id"].nunique()
    assert n_unique == truth["n"] == 1000
    # partial responses: ~5%, many answers missing
    partial = survey[survey["status"] == "partial"]
    assert len(partial) == planted["n_partial"]
    assert 0.03 <= len(partial) / n_unique <= 0.07
    assert (partial[ITEMS] == "").mean().mean() > 0.4
    # duplicates: ~1% of respondents appear twice, as identical rows
    dup = survey[survey["respondent_id"].duplicated(keep=False)]
    assert sorted(dup["respondent_id"].unique()) == planted["duplicates"]
    assert 0.005 <= len(planted["duplicates"]) / n_unique <= 0.02
    assert (dup.groupby("respondent_id").nunique() == 1).all().all()
    first = complete.drop_duplicates("respondent_id")
    # straight-liners: every item the same answer (~2%)
    same = first[ITEMS].nunique(axis=1) == 1
    assert sorted(first.loc[same, "respondent_id"]) == planted["straightliners"]
    assert 0.01 <= same.mean() <= 0.03
    # speeders: below 150 s (~3%), answers mostly random
    fast = first["duration_sec"].astype(int) < PARAMS["fieldwork"]["cleaning"]["speeder_seconds"]
    assert sorted(first.loc[fast, "respondent_id"]) == planted["speeders"]
    assert 0.02 <= fast.mean() <= 0.04
    # missing answers ~2% and some 不知道 among ordinary completes
    ordinary = first[~same & ~fast]
    assert 0.015 <= (ordinary[ITEMS] == "").mean().mean() <= 0.025
    assert 0.005 <= (ordinary[ITEMS] == "不知道").mean().mean() <= 0.015
    assert abs(planted["missing_share_realised"] - planted["shares"]["missing"]) < 0.005
    # out-of-range codes recorded in the truth
    for rec in planted["out_of_range"]:
        row = survey[survey["respondent_id"] == rec["respondent_id"]].iloc[0]
        assert row[rec["item"]] == rec["raw"]


def test_region_off_quota_east_under_sampled(survey):
    quota = PARAMS["fieldwork"]["quota"]["region"]
    share = survey.drop_duplicates("respondent_id")["region"].value_counts(normalize=True)
    assert share["East"] < quota["East"] - 0.02
    for r, q in quota.items():
        assert abs(share[r] - q) < 0.08


# ------------------------------------------------------------------ CRM data
def test_customers(customers, truth):
    n = len(customers)
    assert n == 5000 and customers["customer_id"].is_unique
    share = customers["customer_type"].value_counts(normalize=True)
    assert abs(share["agent"] - 0.015) < 0.005 and abs(share["franchisee"] - 0.15) < 0.01
    assert set(customers["region"]) == set(PARAMS["fieldwork"]["quota"]["region"])
    assert customers["cooperation"].between(1, 5).all() and customers["loyalty"].between(1, 5).all()
    joined = pd.to_datetime(customers["joined"])
    assert (joined >= pd.Timestamp(demo.TRANSACTIONS_START)).mean() > 0.15         # new customers join
    assert (joined <= pd.Timestamp(str(PARAMS["tiering"]["as_of"]))).all()


def test_transactions_pareto_and_window(transactions, customers, truth):
    assert 60_000 <= len(transactions) <= 120_000
    assert transactions["transaction_id"].is_unique
    d = pd.to_datetime(transactions["date"])
    assert d.min() >= pd.Timestamp(demo.TRANSACTIONS_START)
    # three full 12-month years ending at as_of (rule B needs three years of sales)
    as_of = pd.Timestamp(str(PARAMS["tiering"]["as_of"]))
    assert d.min() <= as_of - pd.DateOffset(years=3) + pd.Timedelta(days=31)
    assert d.max() <= pd.Timestamp(str(PARAMS["tiering"]["as_of"]))
    assert transactions["customer_id"].isin(customers["customer_id"]).all()
    assert (transactions["amount"] > 0).all()
    revenue = transactions.groupby("customer_id")["amount"].sum() \
        .reindex(customers["customer_id"], fill_value=0).sort_values(ascending=False)
    top = revenue.iloc[: len(revenue) // 5].sum() / revenue.sum()
    assert 0.72 <= top <= 0.82
    assert top == pytest.approx(truth["customers"]["pareto_top20_share"], abs=1e-4)
    assert truth["customers"]["as_of"] == str(PARAMS["tiering"]["as_of"])


def test_growing_customers_found_by_rule_b(transactions, customers, truth):
    rule = PARAMS["tiering"]["rule_abc"]
    as_of = pd.Timestamp(str(PARAMS["tiering"]["as_of"]))
    d = pd.to_datetime(transactions["date"])
    year = np.where(d > as_of - pd.DateOffset(years=1), 3,
                    np.where(d > as_of - pd.DateOffset(years=2), 2, 1))
    sales = transactions.assign(year=year).pivot_table(
        index="customer_id", columns="year", values="amount", aggfunc="sum", fill_value=0)
    g = 1 + rule["b_growth"]
    grows = (sales[1] > 0) & (sales[2] >= g * sales[1]) & (sales[3] >= g * sales[2])
    c = customers.set_index("customer_id").loc[sales.index]
    high = (c["cooperation"] >= rule["b_min_cooperation"]) & (c["loyalty"] >= rule["b_min_cooperation"])
    found = set(sales.index[grows & high])
    planted = set(truth["customers"]["growing"])
    assert len(planted) > 100
    assert len(found & planted) >= 0.7 * len(planted)
    cp = customers.set_index("customer_id").loc[sorted(planted)]
    assert (cp["cooperation"] >= 4).all() and (cp["loyalty"] >= 4).all()
    # declining and churned customers exist too
    assert len(truth["customers"]["declining"]) > 100 and len(truth["customers"]["churned"]) > 100
    last = pd.to_datetime(transactions.groupby("customer_id")["date"].max())
    churned = last.reindex(truth["customers"]["churned"]).dropna()
    assert (churned < as_of - pd.Timedelta(days=90)).mean() > 0.9


def test_visits(gen, transactions, customers):
    visits = pd.read_csv(gen["visits"])
    assert visits["customer_id"].isin(customers["customer_id"]).all()
    assert not visits.duplicated().any()
    as_of = pd.Timestamp(str(PARAMS["tiering"]["as_of"]))
    window = as_of - pd.Timedelta(days=PARAMS["tiering"]["tags"]["window_days"])
    v = set(visits.loc[pd.to_datetime(visits["date"]) > window, "customer_id"])
    b = set(transactions.loc[pd.to_datetime(transactions["date"]) > window, "customer_id"])
    assert len(v - b) > 100          # visited without buying
    assert len(b - v) > 100          # bought without visiting
    assert len(v & b) > 100


def test_linkage_and_satisfaction_by_tier(survey, customers, truth, tiers):
    first = survey.drop_duplicates("respondent_id")
    linked = first[first["customer_id"] != ""]
    assert 0.35 <= len(linked) / len(first) <= 0.45
    assert linked["customer_id"].isin(customers["customer_id"]).all()
    assert linked["customer_id"].is_unique
    region = customers.set_index("customer_id").loc[linked["customer_id"], "region"].to_numpy()
    assert (region == linked["region"].to_numpy()).all()
    # satisfaction relates mildly to the customer's value tier (ABC by revenue)
    sat = clean_values(survey, truth)[["Q17", "Q18", "Q19"]].mean(axis=1)
    tier = survey.loc[sat.index, "customer_id"].map(tiers)
    by = sat.groupby(tier).mean()
    assert by["A"] > by["C"]
    assert truth["tier_effects"]["tiers"]["A"] > truth["tier_effects"]["tiers"]["C"]
    assert sum(truth["planted"]["linked_tier_counts"].values()) == len(linked)


def test_segment_differences(survey, truth):
    sat = clean_values(survey, truth)[["Q17", "Q18", "Q19"]].mean(axis=1)
    meta = survey.loc[sat.index]
    by_region = sat.groupby(meta["region"]).mean()
    by_channel = sat.groupby(meta["channel"]).mean()
    eff = truth["segment_effects"]
    for by, planted in [(by_region, eff["region"]), (by_channel, eff["channel"])]:
        lo, hi = min(planted, key=planted.get), max(planted, key=planted.get)
        assert by[lo] < by[hi] - 0.1, (by, planted)
        assert np.corrcoef(by[list(planted)], list(planted.values()))[0, 1] > 0.5
    assert by_region.max() - by_region.min() < 0.6        # modest


def test_competitor_ratings(survey):
    comp = numeric(survey, ["Q07_compA", "Q07_compB", "Q17_compA", "Q17_compB", "Q07", "Q17"])
    m = comp.mean()
    assert m["Q07_compA"] > m["Q07_compB"]
    assert m["Q17_compA"] > m["Q17_compB"]
    assert m["Q07_compB"] < m["Q07"]


# ------------------------------------------------------------------ notes, secondary
def test_notes_and_secondary(gen, truth):
    notes = pd.read_csv(gen["notes"])
    assert 130 <= len(notes) <= 170 and notes["note_id"].is_unique
    sessions = notes.groupby("method")["session_id"].nunique()
    assert sessions.to_dict() == {"focus_group": 2, "in_depth_interview": 8,
                                  "internal_interview": 3}
    fg = notes[notes["method"] == "focus_group"].groupby("session_id")["participant"].nunique()
    assert fg.between(6, 12).all()
    assert set(notes["sentiment"]) <= {"positive", "negative", "neutral"}
    for theme in ["waiting_time", "staff_courtesy", "after_sales", "price", "product_quality",
                  "delivery", "store_layout", "online_ordering"]:
        assert theme in set(notes["theme"])
    assert notes.groupby("theme")["theme_label"].nunique().eq(1).all()
    assert notes["theme"].value_counts().index[0] in {"waiting_time", "after_sales"}
    assert notes["excerpt"].str.contains(r"[\u4e00-\u9fff]").any()
    assert notes["excerpt"].str.contains(r"^[A-Za-z]").any()
    assert truth["notes"]["theme_counts"] == notes["theme"].value_counts().to_dict() | {
        t: 0 for t in truth["notes"]["theme_counts"] if t not in set(notes["theme"])}
    sec = pd.read_csv(gen["secondary"])
    assert len(sec) == 6 and sec["source_id"].is_unique
    assert set(sec["kind"]) == {"public", "web", "research_firm"}


# ------------------------------------------------------------------ truth.json vs demo.yaml
def test_truth_consistent_with_params(truth):
    m = truth["model"]
    assert truth["seed"] == SEED and truth["n"] == 1000
    assert m["lvs"] == [lv["id"] for lv in PARAMS["indicator_system"]["latent_variables"]]
    assert {lv: sorted(v) for lv, v in m["blocks"].items()} == yaml_blocks()
    assert sorted(m["item_lv"]) == sorted(ITEMS)
    assert m["reverse_items"] == REVERSE
    assert m["labels"] == LABELS
    assert m["points"] == PARAMS["scale"]["points"]
    assert all(0.6 <= v <= 0.9 for v in m["loadings"].values())
    assert sorted(m["loadings"]) == sorted(ITEMS)
    assert [(p["from"], p["to"]) for p in m["paths"]] == ECSI
    coef = {(p["from"], p["to"]): p["estimate"] for p in m["paths"]}
    assert coef[("SAT", "COMP")] < 0 and coef[("COMP", "LOY")] < 0
    assert all(0 < v < 1 for v in m["r2"].values())
    assert len(m["thresholds"]) == PARAMS["scale"]["points"] - 1
    assert m["thresholds"] == sorted(m["thresholds"])
    assert truth["quota"] == PARAMS["fieldwork"]["quota"]["region"]
    assert set(truth["segment_effects"]["region"]) == set(PARAMS["fieldwork"]["quota"]["region"])
    assert set(truth["segment_effects"]["channel"]) == {"store", "online", "phone"}
    comps = {c["id"] for c in PARAMS["framing"]["competitors"]}
    assert comps == {k for k in truth["competitor_effects"] if k.startswith("comp")}
    # generator constants agree with the YAML
    assert {lv: sorted(v) for lv, v in demo.BLOCKS.items()} == yaml_blocks()
    assert demo.ITEMS == ITEMS and demo.REVERSE_ITEMS == REVERSE
    assert demo.LABELS_ZH == sorted(LABELS, key=LABELS.get)
    assert demo.QUOTA == PARAMS["fieldwork"]["quota"]["region"]
    assert demo.AS_OF.isoformat() == str(PARAMS["tiering"]["as_of"])
    assert demo.ABC == PARAMS["tiering"]["abc"]
    assert demo.SPEEDER_SECONDS == PARAMS["fieldwork"]["cleaning"]["speeder_seconds"]
    assert demo.COMPETITORS == {c["id"]: c["columns"] for c in PARAMS["framing"]["competitors"]}
    assert PARAMS["sources"]["survey"]["segments"] == ["region", "channel"]
    assert PARAMS["indicator_system"]["model"] == "ECSI"


def test_implied_r2_matches_simulation():
    S, r2, psi = demo.implied_lv_correlation()
    assert np.allclose(np.diag(S), 1)
    rng = np.random.default_rng(0)
    eta = demo._lvs(rng, np.zeros(200_000))
    emp = np.corrcoef(eta, rowvar=False)
    assert np.abs(emp - S).max() < 0.01


# ------------------------------------------------------------------ recovery
def test_correlation_sign_structure(survey, truth):
    values = clean_values(survey, truth)
    r = values.corr()
    blocks = truth["model"]["blocks"]
    for lv, items in blocks.items():
        sub = r.loc[items, items].to_numpy()
        assert (sub[np.triu_indices(len(items), 1)] > 0.25).all(), lv
    sat = values[blocks["SAT"]].mean(axis=1)
    comp = values[blocks["COMP"]].mean(axis=1)
    loy = values[blocks["LOY"]].mean(axis=1)
    assert sat.corr(comp) < -0.15
    assert sat.corr(loy) > 0.4
    # raw reverse-keyed answers correlate negatively with their block
    raw = numeric(survey.loc[values.index], ["Q12", "Q07", "Q24", "Q22"])
    assert raw["Q12"].corr(raw["Q07"]) < 0 and raw["Q24"].corr(raw["Q22"]) < 0


def _pls():
    try:
        from csi_helpers import pls
    except ImportError:
        pytest.skip("csi_helpers.pls not importable yet")
    return pls


def test_pls_population_in_truth(truth):
    _pls()
    pop = truth["pls_population"]
    assert pop["available"] is True and pop["n"] >= 100_000
    planted = {(p["from"], p["to"]): p["estimate"] for p in truth["model"]["paths"]}
    est = {(p["from"], p["to"]): p["estimate"] for p in pop["paths"]}
    assert set(est) == set(planted)
    for key, v in planted.items():
        assert np.sign(est[key]) == np.sign(v), key
        assert abs(est[key] - v) < 0.15, key
    assert all(0.5 < v < 0.95 for v in pop["loadings"].values())
    for item in ITEMS:
        assert abs(pop["loadings"][item] - truth["model"]["loadings"][item]) < 0.15, item
    # 5-point discretisation and composites attenuate the structural paths
    strong = [k for k, v in planted.items() if abs(v) >= 0.3]
    assert all(abs(est[k]) < abs(planted[k]) for k in strong)
    assert all(0 < pop["r2"][lv] < truth["model"]["r2"][lv] for lv in truth["model"]["r2"])


def test_pls_recovers_population_on_the_demo_sample(survey, truth):
    pls = _pls()
    values = clean_values(survey, truth).dropna()
    assert len(values) > 600          # gaps cluster: most respondents answer every item
    res = pls.fit(values, blocks=truth["model"]["blocks"], paths=ECSI, scheme="path")
    est = {(r["from"], r["to"]): r["estimate"] for _, r in res.paths.iterrows()}
    pop = {(p["from"], p["to"]): p["estimate"] for p in truth["pls_population"]["paths"]}
    for key in ECSI:
        assert abs(est[key] - pop[key]) < 0.12, (key, est[key], pop[key])
    big = [k for k, v in pop.items() if abs(v) > 0.2]
    for key in big:
        assert np.sign(est[key]) == np.sign(pop[key])


# ------------------------------------------------------------------ ensure()
def _params_for(folder: Path) -> dict:
    return {"demo": {"seed": SEED},
            "sources": {"survey": {"path": str(folder / "survey.csv")}}}


def test_ensure_generates_once_and_concurrently(gen, tmp_path):
    folder = tmp_path / "data" / "demo"
    code = ("import sys, json; from csi_helpers import demo; "
            "print(demo.ensure(json.loads(sys.argv[1])))")
    arg = json.dumps(_params_for(folder))
    procs = [subprocess.Popen([sys.executable, "-c", code, arg], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    assert "True" in [o.strip() for o, _ in outs]
    for key, path in gen.items():
        assert (folder / path.name).read_bytes() == path.read_bytes(), key
    # no temporary siblings or staged files left behind
    assert sorted(p.name for p in folder.parent.iterdir()) == ["demo"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(demo.FILES.values())
    # a complete set is never regenerated or overwritten
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert demo.ensure(_params_for(folder)) is False
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    # another seed: the existing set is kept, with a warning saying how to regenerate
    with pytest.warns(CSIWarning, match="delete|Delete"):
        assert demo.ensure({**_params_for(folder), "demo": {"seed": SEED + 1}}) is False
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_ensure_fills_a_missing_file_without_touching_others(gen, tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    for path in gen.values():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "visits.csv").unlink()
    before = (folder / "survey.csv").stat().st_mtime_ns
    assert demo.ensure(_params_for(folder)) is True
    assert (folder / "visits.csv").read_bytes() == gen["visits"].read_bytes()
    assert (folder / "survey.csv").stat().st_mtime_ns == before


def test_ensure_bad_params():
    with pytest.raises(CSIInputError, match="sources.survey.path"):
        demo.ensure({"demo": {"seed": 1}})
    with pytest.raises(CSIInputError, match="demo.seed"):
        demo.ensure({"sources": {"survey": {"path": "x/survey.csv"}}})
    with pytest.raises(CSIInputError, match="demo.seed"):
        demo.generate("unused", seed="abc")
