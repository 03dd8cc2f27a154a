"""csi_helpers.indices: item statistics, the roll-up to a CSI, IPA, segments, competitors.

Golden values: tests/golden/indices/goldens.json, written by
tests/golden/indices/indices_goldens.R (R 4.2.2, psych 2.2.9: psych::describe, t.test,
cor(use = "pairwise.complete.obs"), t.test(paired = TRUE)) on the survey it generates
(tests/golden/indices/survey.csv, 240 respondents with gaps).
"""
from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from csi_helpers import indices  # noqa: E402
from csi_helpers.errors import CSIInputError, CSIWarning  # noqa: E402

GOLDEN = Path(__file__).parent / "golden" / "indices"
ITEMS = [f"Q{i}" for i in range(1, 9)]


def _ind(id_, lv, items, en, zh):
    return {"id": id_, "lv": lv, "items": items, "name": {"en": en, "zh": zh}}


PARAMS = {
    "client": {"id": "t", "name": "Testco", "language": "en"},
    "framing": {"competitors": [{"id": "compA", "name": "Rival", "columns": {"Q5": "Q5_compA"}}]},
    "indicator_system": {
        "model": "ACSI",
        "csi": {"name": {"en": "Customer Satisfaction Index", "zh": "顾客满意度指数"}, "weighting": "acsi"},
        "latent_variables": [
            {"id": "QUAL", "name": {"en": "Perceived quality", "zh": "感知质量"}},
            {"id": "VAL", "name": {"en": "Perceived value", "zh": "感知价值"}},
            {"id": "SAT", "name": {"en": "Customer satisfaction", "zh": "顾客满意度"}},
            {"id": "COMP", "name": {"en": "Customer complaints", "zh": "顾客抱怨"}},
            {"id": "LOY", "name": {"en": "Customer loyalty", "zh": "顾客忠诚"}},
        ],
        "indicators": [
            _ind("A1", "QUAL", ["Q1", "Q2"], "Product quality", "产品质量"),
            _ind("A2", "QUAL", ["Q3"], "Waiting time", "等候时间"),
            _ind("V1", "VAL", ["Q4"], "Price-quality ratio", "性价比"),
            _ind("S1", "SAT", ["Q5", "Q6"], "Overall satisfaction", "总体满意度"),
            _ind("C1", "COMP", ["Q7"], "Complaint propensity", "抱怨倾向"),
            _ind("L1", "LOY", ["Q8"], "Repurchase", "重购意愿"),
        ],
        "items": [{"id": q, "text": {"en": f"Item {q}", "zh": f"题目{q}"}} for q in ITEMS],
    },
    "scale": {"points": 5, "labels": {"en": {"Very dissatisfied": 1, "Dissatisfied": 2, "Neutral": 3,
                                             "Satisfied": 4, "Very satisfied": 5}},
              "missing_labels": ["Don't know"], "reverse_items": ["Q3"]},
    "sources": {"survey": {"id_column": "respondent_id", "segments": ["region"]}},
}


@pytest.fixture(scope="module")
def golden():
    return json.loads((GOLDEN / "goldens.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def survey():
    return pd.read_csv(GOLDEN / "survey.csv", dtype={"respondent_id": "string", "region": "string"})


@pytest.fixture(scope="module")
def result(survey):
    return indices.rollup(indices.item_positions(survey, PARAMS), PARAMS)


def _params(**changes):
    p = copy.deepcopy(PARAMS)
    for path, value in changes.items():
        node = p
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        node[keys[-1]] = value
    return p


# --------------------------------------------------------------------------- item statistics
def test_item_statistics_equal_psych_describe(survey, golden):
    before = survey.copy()
    st = indices.item_statistics(survey[ITEMS], points=5, reverse=["Q3"])
    pd.testing.assert_frame_equal(survey, before)  # input untouched
    for q in ITEMS:
        g = golden["describe"][q]
        assert st.loc[q, "n"] == g["n"]
        assert st.loc[q, "mean"] == pytest.approx(g["mean"], abs=1e-9)
        assert st.loc[q, "sd"] == pytest.approx(g["sd"], abs=1e-9)
        assert st.loc[q, "skew"] == pytest.approx(g["skew"], abs=1e-9)
        assert st.loc[q, "top2_pct"] == pytest.approx(g["top2_pct"], abs=1e-9)
        assert st.loc[q, "position"] == pytest.approx(25 * (g["mean"] - 1), abs=1e-9)
        assert st.loc[q, "missing_pct"] == pytest.approx(100 * 12 / 240)
    assert st["reversed"].tolist() == [q == "Q3" for q in ITEMS]


def test_item_statistics_rejects_labels_and_out_of_range():
    with pytest.raises(CSIInputError, match="scales.assign"):
        indices.item_statistics(pd.DataFrame({"Q1": ["Satisfied", "Neutral"]}), points=5)
    with pytest.raises(CSIInputError, match="Q1.*outside 1..5"):
        indices.item_statistics(pd.DataFrame({"Q1": [1.0, 9.0]}), points=5)
    with pytest.raises(CSIInputError, match="column.*Q9"):
        indices.item_statistics(pd.DataFrame({"Q1": [1.0]}), points=5, items=["Q9"])


def test_item_positions_reverse_keys_and_positions():
    vals = pd.DataFrame({q: [1.0, 5.0, np.nan] for q in ITEMS})
    pos = indices.item_positions(vals, PARAMS)
    assert pos["Q1"].tolist()[:2] == [0.0, 100.0]
    assert pos["Q3"].tolist()[:2] == [100.0, 0.0]  # reversed
    assert np.isnan(pos.loc[2, "Q1"])
    assert vals.loc[0, "Q3"] == 1.0


# --------------------------------------------------------------------------- roll-up
def test_rollup_tree_matches_r(result, golden):
    t = result.table
    for level, key in (("item", "item_score"), ("indicator", "indicator_score"), ("latent_variable", "lv_score")):
        got = result.level(level)["score"]
        for k, v in golden[key].items():
            assert got[k] == pytest.approx(v, abs=1e-9), (level, k)
    assert result.weighting == "acsi"
    assert result.csi == pytest.approx(golden["lv_score"]["SAT"], abs=1e-9)
    assert set(t["level"]) == {"item", "indicator", "latent_variable", "csi"}
    assert (t["weighting"] == "acsi").all()
    assert "acsi" in repr(result) and "CSI =" in repr(result)
    # every parent is the mean of its children as shown
    ind = result.indicators
    assert ind.loc["A1", "score"] == pytest.approx(result.items.loc[["Q1", "Q2"], "score"].mean())
    assert result.n == int(result.respondents["SAT"].notna().sum())
    assert result.items.loc["Q1", "n"] == 228


def test_rollup_equal_weighting(survey, golden):
    r = indices.rollup(indices.item_positions(survey, PARAMS), _params(indicator_system__csi__weighting="equal"))
    assert r.weighting == "equal"
    assert r.csi == pytest.approx(golden["csi_equal"], abs=1e-9)
    assert r.respondents["CSI"].mean() == pytest.approx(golden["csi_equal_respondent_mean"], abs=1e-9)
    assert "COMP" not in r.description.split("(")[1].split(")")[0]
    assert r.latent_variables.loc["COMP", "weight"] == 0.0


def test_rollup_custom_weights_normalised_and_comp_reversed(survey):
    p = _params(indicator_system__csi__weighting="custom")
    lvs = p["indicator_system"]["latent_variables"]
    lvs[2]["weight"] = 3   # SAT
    lvs[3]["weight"] = 1   # COMP
    r = indices.rollup(indices.item_positions(survey, p), p)
    lv = r.latent_variables["score"]
    assert r.csi == pytest.approx(0.75 * lv["SAT"] + 0.25 * (100 - lv["COMP"]))
    assert r.latent_variables.loc["SAT", "weight"] == pytest.approx(0.75)
    assert "100 - COMP" in r.description
    del lvs[2]["weight"], lvs[3]["weight"]
    with pytest.raises(CSIInputError, match="latent_variables.*weight"):
        indices.rollup(indices.item_positions(survey, p), p)


def test_rollup_item_and_indicator_weights():
    p = _params()
    items = p["indicator_system"]["items"]
    items[0]["weight"], items[1]["weight"] = 3, 1          # Q1, Q2 within A1
    inds = p["indicator_system"]["indicators"]
    inds[0]["weight"], inds[1]["weight"] = 1, 1             # A1, A2 within QUAL
    pos = pd.DataFrame({q: [0.0, 100.0] for q in ITEMS})
    pos.loc[0, "Q2"] = 100.0
    pos.loc[1, "Q1"] = np.nan                                # respondent 1 has only Q2
    r = indices.rollup(pos, p)
    assert r.items.loc["Q1", "weight"] == 0.75
    assert r.respondents.loc[0, "A1"] == pytest.approx(25.0)
    assert r.respondents.loc[1, "A1"] == pytest.approx(100.0)   # renormalised over answered items
    assert r.indicators.loc["A1", "score"] == pytest.approx(0.75 * 0 + 0.25 * 100)  # item means 0 and 100
    inds[1].pop("weight")
    with pytest.raises(CSIInputError, match="some but not for A2"):
        indices.rollup(pos, p)


def test_rollup_bad_input():
    pos = pd.DataFrame({q: [0.0, 100.0] for q in ITEMS})
    with pytest.raises(CSIInputError, match="outside 0-100"):
        indices.rollup(pos * 2, PARAMS)
    with pytest.raises(CSIInputError, match="Q8"):
        indices.rollup(pos.drop(columns="Q8"), PARAMS)
    with pytest.raises(CSIInputError, match="weighting.*acsi \\| equal \\| custom"):
        indices.rollup(pos, _params(indicator_system__csi__weighting="mean"))
    with pytest.raises(CSIInputError, match=r"indicators\[0\]\.lv"):
        indices.rollup(pos, _params(indicator_system__indicators__0__lv="QUALITY"))
    p = _params()
    p["indicator_system"]["indicators"] = [i for i in p["indicator_system"]["indicators"] if i["lv"] != "SAT"]
    with pytest.warns(CSIWarning, match="SAT"), pytest.raises(CSIInputError, match="SAT"):
        indices.rollup(pos, p)


def test_rollup_names_follow_language(survey):
    r = indices.rollup(indices.item_positions(survey, PARAMS), PARAMS, lang="zh")
    assert r.latent_variables.loc["SAT", "name"] == "顾客满意度"
    assert r.level("csi").loc["CSI", "name"] == "顾客满意度指数"


def test_respondent_scores_carries_ids_and_segments(result, survey):
    rs = indices.respondent_scores(result, survey, PARAMS)
    assert list(rs.columns[:2]) == ["respondent_id", "region"]
    assert rs["CSI"].equals(result.respondents["CSI"])
    assert len(rs) == len(survey)


# --------------------------------------------------------------------------- importance-performance
def test_importance_performance_equals_r_correlations(result, golden):
    ipa = indices.importance_performance(result, PARAMS)
    assert list(ipa["indicator"]) == ["A1", "A2", "V1"]          # outcomes SAT/COMP/LOY left out
    for k, v in golden["importance_sat"].items():
        assert ipa.set_index("indicator").loc[k, "importance"] == pytest.approx(v, abs=1e-9)
    assert ipa.set_index("indicator").loc["A1", "performance"] == pytest.approx(
        golden["indicator_score"]["A1"], abs=1e-9)
    q5 = indices.importance_performance(result, PARAMS, target="Q5").set_index("indicator")
    for k, v in golden["importance_q5"].items():
        assert q5.loc[k, "importance"] == pytest.approx(v, abs=1e-9)
    assert (q5["target"] == "Q5").all()


def test_quadrants_split_at_the_means():
    p = _params()
    pos = pd.DataFrame({q: np.linspace(0, 100, 5) for q in ITEMS})
    r = indices.rollup(pos, p)
    ipa = indices.importance_performance(r, p)
    assert set(ipa.columns) >= {"performance", "importance", "quadrant", "quadrant_label", "n"}
    # hand-made IPA table: check the labelling rule itself
    rng = np.random.default_rng(1)
    base = rng.normal(size=400)
    pos = pd.DataFrame({
        "Q1": 65 + 10 * base, "Q2": 65 + 10 * base,          # A1: important, high
        "Q3": 20 + 10 * base,                                 # A2: important, low
        "Q4": 80 + 10 * rng.normal(size=400),                 # V1: unimportant, high
        "Q5": 50 + 10 * base, "Q6": 50 + 10 * base,
        "Q7": np.full(400, 50.0), "Q8": np.full(400, 50.0),
    }).clip(0, 100)
    r = indices.rollup(pos, p)
    ipa = indices.importance_performance(r, p).set_index("indicator")
    assert ipa.loc["A1", "quadrant"] == "keep_up"
    assert ipa.loc["A2", "quadrant"] == "concentrate"
    assert ipa.loc["V1", "quadrant"] == "overkill"
    assert ipa.loc["A2", "quadrant_label"] == "Concentrate here"
    zh = indices.importance_performance(r, p, lang="zh").set_index("indicator")
    assert zh.loc["A2", "quadrant_label"] == "重点改进"
    with pytest.raises(CSIInputError, match="target"):
        indices.importance_performance(r, p, target="Q99")


def test_ipa_figure_has_labels_in_language(result):
    ipa = indices.importance_performance(result, PARAMS, lang="zh")
    fig = indices.ipa_figure(ipa, PARAMS, lang="zh")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"产品质量", "重点改进", "继续保持"} <= texts
    assert "顾客满意度" in fig.axes[0].get_ylabel()


# --------------------------------------------------------------------------- segments
def test_by_segment_equals_r_t_test(result, survey, golden):
    seg = indices.by_segment(result, survey, ["region"])
    assert list(seg.columns) == ["segment", "value", "measure", "n", "mean", "sd", "ci_low", "ci_high"]
    for value, measures in golden["segments"].items():
        for m, g in measures.items():
            row = seg[(seg["value"] == value) & (seg["measure"] == m)].iloc[0]
            assert row["n"] == g["n"]
            for k in ("mean", "sd", "ci_low", "ci_high"):
                assert row[k] == pytest.approx(g[k], abs=1e-9), (value, m, k)
    assert seg.attrs["unassigned"] == {"region": 5}
    assert set(seg["measure"]) == {"QUAL", "VAL", "SAT", "COMP", "LOY", "CSI"}


def test_by_segment_bad_input(result, survey):
    with pytest.raises(CSIInputError, match="segments"):
        indices.by_segment(result, survey, ["city"])
    with pytest.raises(CSIInputError, match="not rows of the survey"):
        indices.by_segment(result, survey.iloc[:10], ["region"])
    with pytest.raises(CSIInputError, match="measure"):
        indices.by_segment(result, survey, ["region"], measures=["NPS"])


def test_segment_figure(result, survey):
    fig = indices.segment_figure(indices.by_segment(result, survey, ["region"]), PARAMS, lang="zh")
    assert "顾客满意度指数" in fig._suptitle.get_text()
    assert any("East" in t.get_text() for t in fig.axes[0].get_yticklabels())


# --------------------------------------------------------------------------- competitors
def test_against_competitors_equals_r(survey, golden):
    t = indices.against_competitors(survey, PARAMS)
    row = t.iloc[0]
    g = golden["competitor"]
    assert (row["competitor"], row["item"], row["competitor_name"]) == ("compA", "Q5", "Rival")
    assert row["client_n"] == g["client"]["n"] and row["rival_n"] == g["rival"]["n"]
    for side in ("client", "rival"):
        assert row[side] == pytest.approx(g[side]["mean"], abs=1e-9)
        assert row[f"{side}_ci_low"] == pytest.approx(g[side]["ci_low"], abs=1e-9)
        assert row[f"{side}_ci_high"] == pytest.approx(g[side]["ci_high"], abs=1e-9)
    assert row["n_paired"] == g["paired"]["n"]
    for k in ("difference", "ci_low", "ci_high", "p_value"):
        key = {"ci_low": "diff_ci_low", "ci_high": "diff_ci_high"}.get(k, k)
        assert row[key] == pytest.approx(g["paired"][k], abs=1e-9)


def test_against_competitors_assigns_labels(survey):
    labels = {1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neutral", 4: "Satisfied", 5: "Very satisfied"}
    s = survey.copy()
    s["Q5_compA"] = s["Q5_compA"].map(labels).fillna("Don't know").astype("string")
    got = indices.against_competitors(s, PARAMS).iloc[0]
    want = indices.against_competitors(survey, PARAMS).iloc[0]
    assert got["rival"] == pytest.approx(want["rival"])
    assert got["n_paired"] == want["n_paired"]


def test_against_competitors_bad_mapping(survey):
    p = _params()
    p["framing"]["competitors"][0]["columns"] = {"Q5": "Q5_compZ"}
    with pytest.raises(CSIInputError, match=r"competitors\[0\].columns.*Q5_compZ"):
        indices.against_competitors(survey, p)
    s = survey.copy()
    s.loc[0, "Q5_compA"] = 9
    with pytest.warns(CSIWarning, match="outside 1..5"):
        indices.against_competitors(s, PARAMS)


def test_competitor_figure(survey):
    fig = indices.competitor_figure(indices.against_competitors(survey, PARAMS), PARAMS)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(lab.startswith("Testco") for lab in labels) and any(lab.startswith("Rival") for lab in labels)


def test_no_warnings_on_clean_run(survey):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CSIWarning)
        r = indices.rollup(indices.item_positions(survey, PARAMS), PARAMS)
        indices.importance_performance(r, PARAMS)


# --------------------------------------------------------------------------- teaching tables, reliability, tree figure
def test_positioning_table_shows_assignment_and_positioning():
    t = indices.positioning_table(PARAMS, "en")
    assert t["label"].tolist()[:5] == ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied",
                                       "Very satisfied"]
    assert t["position"].tolist()[:5] == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert t["reversed_position"].tolist()[:5] == [100.0, 75.0, 50.0, 25.0, 0.0]
    assert t["label"].iloc[-1] == "Don't know" and np.isnan(t["value"].iloc[-1])


def test_reliability_by_lv_equals_psych_alpha(survey, golden):
    pytest.importorskip("csi_helpers.reliability", reason="csi_helpers.reliability not written yet")
    rel = indices.reliability_by_lv(survey, PARAMS)
    g = golden["alpha"]
    assert rel.summary.loc["QUAL", "alpha"] == pytest.approx(g["QUAL"]["alpha"], abs=1e-6)
    assert rel.summary.loc["QUAL", "std_alpha"] == pytest.approx(g["QUAL"]["std_alpha"], abs=1e-6)
    assert rel.summary.loc["SAT", "alpha"] == pytest.approx(g["SAT"]["alpha"], abs=1e-6)
    assert np.isnan(rel.summary.loc["VAL", "alpha"]) and rel.summary.loc["VAL", "n_items"] == 1
    items = rel.items.set_index("item")
    for q in ("Q1", "Q2", "Q3"):     # Q3 reverse-keyed by the params before alpha
        assert items.loc[q, "r_drop"] == pytest.approx(g["QUAL"]["r_drop"][q], abs=1e-6)
        assert items.loc[q, "alpha_if_deleted"] == pytest.approx(g["QUAL"]["alpha_if_deleted"][q], abs=1e-6)
    assert "QUAL" in repr(rel)


def test_scores_figure_lists_the_tree(result):
    fig = indices.scores_figure(result, PARAMS, lang="zh")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "QUAL  感知质量" and "A1  产品质量" in labels and len(labels) == 11
