"""csi_helpers.measurement: what notebook 04 shows (items, verdicts, tables, recovery, figures)."""
from __future__ import annotations

import io
import warnings
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml

matplotlib.use("Agg")

from csi_helpers import factors, measurement, pls  # noqa: E402
from csi_helpers.errors import CSIInputError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHAIN = [("A", "B"), ("B", "C"), ("A", "C")]
BLOCKS = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"], "C": ["c1", "c2", "c3"]}


@pytest.fixture(scope="module")
def demo_params() -> dict:
    """The demo params as written (no validation, so no data files are needed)."""
    return yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def chain_data() -> pd.DataFrame:
    """400 respondents, 3 LVs A -> B -> C (and A -> C), 3 items each, 5-point answers."""
    rng = np.random.default_rng(7)
    n = 400
    a = rng.standard_normal(n)
    b = 0.6 * a + np.sqrt(1 - 0.36) * rng.standard_normal(n)
    c = 0.5 * b + 0.2 * a + 0.7 * rng.standard_normal(n)
    cols = {}
    for lv, eta in (("a", a), ("b", b), ("c", c)):
        eta = eta / eta.std()
        for k, lam in enumerate((0.85, 0.75, 0.7), start=1):
            y = lam * eta + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
            cols[f"{lv}{k}"] = np.digitize(y, [-1.5, -0.6, 0.3, 1.2]) + 1.0
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def chain_fit(chain_data):
    return pls.fit(chain_data, BLOCKS, CHAIN, scheme="path", bootstrap=60, seed=3)


# ----------------------------------------------------------------------------- data

def test_analysis_items_reverse_keys_and_leaves_input_alone(demo_params):
    items = [it["id"] for it in demo_params["indicator_system"]["items"]]
    survey = pd.DataFrame({i: ["1", "2", "5"] for i in items})
    survey["region"] = ["North", "South", "East"]
    before = survey.copy()
    out = measurement.analysis_items(survey, demo_params)
    assert list(out.columns) == items
    assert out["Q12"].tolist() == [5.0, 4.0, 1.0]          # reverse-keyed: 6 - x
    assert out["Q24"].tolist() == [5.0, 4.0, 1.0]
    assert out["Q01"].tolist() == [1.0, 2.0, 5.0]          # others as answered
    pd.testing.assert_frame_equal(survey, before)


def test_analysis_items_names_missing_columns(demo_params):
    with pytest.raises(CSIInputError, match=r"Q25"):
        measurement.analysis_items(pd.DataFrame({"Q01": [1]}), demo_params)


def test_structural_model_follows_the_params(demo_params):
    blocks, paths = measurement.structural_model(demo_params)
    assert paths == list(pls.ECSI)
    assert list(blocks) == ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"]
    assert blocks["IMAG"] == ["Q01", "Q03", "Q02"]
    acsi = {**demo_params, "indicator_system": {**demo_params["indicator_system"],
                                                 "model": "ACSI"}}
    blocks, paths = measurement.structural_model(acsi)
    assert "IMAG" not in blocks and paths == list(pls.ACSI)
    bad = {**demo_params, "indicator_system": {**demo_params["indicator_system"],
                                                "model": "SCSB"}}
    with pytest.raises(CSIInputError, match="indicator_system.model"):
        measurement.structural_model(bad)


def test_labels_in_both_languages(demo_params):
    assert measurement.lv_labels(demo_params, "zh")["SAT"] == "顾客满意度"
    assert measurement.lv_labels(demo_params, "en")["SAT"] == "Customer satisfaction"
    assert measurement.item_labels(demo_params, "zh")["Q12"] == "在门店等候时间过长"


def test_n_factors_from_the_setting():
    pa = SimpleNamespace(n_factors=7)
    assert measurement.n_factors_to_extract("auto", pa) == 7
    assert measurement.n_factors_to_extract("AUTO ", pa) == 7
    assert measurement.n_factors_to_extract(3, pa) == 3
    assert measurement.n_factors_to_extract(np.int64(2), None) == 2
    for bad in (0, -1, 2.5, True, "three"):
        with pytest.raises(CSIInputError, match="analysis.efa.n_factors"):
            measurement.n_factors_to_extract(bad, pa)
    with pytest.raises(CSIInputError, match="no factor"):
        measurement.n_factors_to_extract("auto", SimpleNamespace(n_factors=0))


# ----------------------------------------------------------------------------- verdicts

@pytest.mark.parametrize("value, label", [
    (0.95, "marvelous"), (0.90, "marvelous"), (0.8999, "meritorious"), (0.80, "meritorious"),
    (0.70, "middling"), (0.6999, "mediocre"), (0.60, "mediocre"), (0.50, "miserable"),
    (0.4999, "unacceptable"), (0.0, "unacceptable")])
def test_kmo_verdict_boundaries(value, label):
    assert measurement.kmo_verdict(value) == label


def test_suitability_tables(chain_data):
    k, b = factors.kmo(chain_data), factors.bartlett(chain_data)
    t = measurement.suitability_table(k, b)
    assert list(t.index) == ["KMO (overall MSA)", "Bartlett chi-square"]
    assert list(t.columns) == ["value", "verdict", "rule"]
    assert t.loc["KMO (overall MSA)", "value"] == round(k.overall, 3)
    assert t.loc["KMO (overall MSA)", "verdict"] == measurement.kmo_verdict(k.overall)
    assert "p < .001" in t.loc["Bartlett chi-square", "verdict"]
    items = measurement.kmo_items_table(k)
    assert list(items.index) == list(chain_data.columns)
    assert list(items.columns) == ["msa", "verdict"]
    assert items["msa"].between(0, 1).all()
    fake = SimpleNamespace(overall=0.55, per_item=pd.Series({"x": 0.45, "y": 0.91}))
    assert measurement.kmo_items_table(fake)["verdict"].tolist() == ["unacceptable",
                                                                      "marvelous"]


def test_bartlett_not_significant_is_said():
    t = measurement.suitability_table(SimpleNamespace(overall=0.5),
                                      SimpleNamespace(chi2=3.2, df=3, p_value=0.36))
    assert "p = 0.360" in t.loc["Bartlett chi-square", "verdict"]
    assert "cannot reject identity" in t.loc["Bartlett chi-square", "verdict"]


def test_efa_item_table_flags_weak_and_cross_loadings():
    L = pd.DataFrame({"MR1": [0.8, 0.35, 0.5], "MR2": [0.1, 0.05, -0.45]},
                     index=["x1", "x2", "x3"])
    h2 = (L ** 2).sum(axis=1)
    efa = SimpleNamespace(loadings=L, communalities=h2, uniquenesses=1 - h2)
    t = measurement.efa_item_table(efa, {"F": ["x1", "x2"], "G": ["x3"]})
    assert list(t.columns) == ["lv", "factor", "loading", "cross_loading", "h2", "u2", "flag"]
    assert t.loc["x1", "flag"] == "ok" and t.loc["x1", "factor"] == "MR1"
    assert t.loc["x2", "flag"] == "loading < .40"
    assert t.loc["x3", "flag"] == "cross-loading >= .30"
    assert t.loc["x3", "lv"] == "G" and t.loc["x3", "cross_loading"] == 0.45
    assert t.loc["x1", "h2"] == pytest.approx(0.65)


def test_reliability_validity_table(chain_data):
    val = factors.validity(chain_data, BLOCKS)
    t = measurement.reliability_validity_table(chain_data, BLOCKS, val)
    assert list(t.index) == ["A", "B", "C"]
    assert {"items", "alpha", "cr", "ave", "fornell_larcker", "max_htmt", "verdict"} <= set(t)
    assert (t["items"] == 3).all()
    assert t["alpha"].between(0.5, 0.95).all()
    row = t.iloc[0]
    expected_ok = (row["alpha"] >= .7 and row["cr"] >= .7 and row["ave"] >= .5
                   and row["fornell_larcker"] and row["max_htmt"] < .85)
    assert (row["verdict"] == "ok") == bool(expected_ok)


def test_reliability_validity_verdict_names_each_failure(chain_data):
    table = pd.DataFrame({"cr": [0.65], "ave": [0.40], "sqrt_ave": [0.63], "max_corr": [0.7],
                          "fornell_larcker": [False], "max_htmt": [0.9]}, index=["A"])
    t = measurement.reliability_validity_table(chain_data, {"A": ["a1", "a2", "a3"]},
                                               SimpleNamespace(table=table))
    assert t.loc["A", "verdict"] == "CR < .70; AVE < .50; Fornell-Larcker; HTMT >= .85"


# ----------------------------------------------------------------------------- PLS tables

def test_r2_effects_and_csi_tables(chain_fit):
    r2 = measurement.r2_table(chain_fit)
    assert list(r2.index) == ["B", "C"]
    assert list(r2.columns) == ["r2", "reading", "ci_low", "ci_high"]
    assert (r2["ci_low"] <= r2["r2"]).all() and (r2["r2"] <= r2["ci_high"]).all()
    eff = measurement.effects_table(chain_fit, target="C")
    assert set(eff["to"]) == {"C"} and {"ci_low", "ci_high", "total"} <= set(eff)
    a_c = eff.loc["A -> C"]
    assert a_c["total"] == pytest.approx(a_c["direct"] + a_c["indirect"], abs=2e-3)
    csi = measurement.csi_table(pls.csi_index(chain_fit, "C", scale=(1, 5)))
    assert list(csi.columns) == ["index", "se", "ci_low", "ci_high", "scale_low", "scale_high"]
    assert csi.loc["C", "ci_low"] < csi.loc["C", "index"] < csi.loc["C", "ci_high"]


def test_r2_reading_cutoffs():
    fit = SimpleNamespace(r2=pd.Series({"W": 0.67, "X": 0.33, "Y": 0.19, "Z": 0.1}), boot=None)
    assert measurement.r2_table(fit)["reading"].tolist() == ["substantial", "moderate",
                                                               "weak", "very weak"]


# ----------------------------------------------------------------------------- recovery

def _truth(fit, outside_path, outside_item):
    paths = fit.boot.summary.query("kind == 'path'").set_index("name")
    loads = fit.boot.summary.query("kind == 'loading'").set_index("name")
    pop_paths = [{"from": a, "to": b, "estimate":
                  float(paths.loc[f"{a} -> {b}", "ci_high"] + 0.05
                        if f"{a} -> {b}" == outside_path else paths.loc[f"{a} -> {b}", "original"])}
                 for a, b in CHAIN]
    pop_load = {i: float(loads.loc[i, "ci_low"] - 0.05 if i == outside_item
                         else loads.loc[i, "original"]) for i in loads.index}
    return {"model": {"paths": [{"from": a, "to": b, "estimate": 0.5} for a, b in CHAIN],
                      "loadings": {i: 0.8 for i in loads.index}},
            "pls_population": {"paths": pop_paths, "loadings": pop_load}}


def test_recovery_table_inside_and_outside(chain_fit):
    truth = _truth(chain_fit, "B -> C", "b2")
    t = measurement.recovery_table(chain_fit, truth)
    assert list(t.columns) == ["generating", "population", "estimate", "ci_low", "ci_high",
                               "inside"]
    assert len(t.loc["path"]) == 3 and len(t.loc["loading"]) == 9
    assert not t.loc[("path", "B -> C"), "inside"]
    assert not t.loc[("loading", "b2"), "inside"]
    assert t["inside"].sum() == 10
    assert (t["generating"].loc["path"] == 0.5).all()
    assert measurement.recovery_summary(t) == \
        "2 of 3 paths and 8 of 9 loadings inside their 95% CI"


def test_recovery_table_unknown_population_is_missing_not_false(chain_fit):
    truth = _truth(chain_fit, "", "")
    truth["pls_population"]["loadings"].pop("c3")
    t = measurement.recovery_table(chain_fit, truth)
    assert pd.isna(t.loc[("loading", "c3"), "inside"])
    assert measurement.recovery_summary(t) == \
        "3 of 3 paths and 8 of 8 loadings inside their 95% CI"


def test_recovery_needs_bootstrap_and_population(chain_data, chain_fit):
    plain = pls.fit(chain_data, BLOCKS, CHAIN, scheme="path")
    with pytest.raises(CSIInputError, match="bootstrap"):
        measurement.recovery_table(plain, _truth(chain_fit, "", ""))
    with pytest.raises(CSIInputError, match="pls_population"):
        measurement.recovery_table(chain_fit, {"model": {}, "pls_population": {"paths": None}})


# ----------------------------------------------------------------------------- figures

def _render(fig) -> list[str]:
    """Draw the figure to PNG; return the messages of any warnings raised while drawing."""
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    return [str(w.message) for w in caught]


def test_figures_render_in_chinese_without_missing_glyphs(demo_params, chain_data, chain_fit):
    lv_zh = {"A": "企业形象", "B": "感知质量", "C": "顾客满意度"}
    pa = factors.parallel_analysis(chain_data, n_iter=10, seed=1)
    efa = factors.efa(chain_data, 3)
    ipma = pls.ipma(chain_fit, "C", scale=(1, 5))
    figs = {
        "scree": measurement.scree_figure(pa.table, 3, lang="zh"),
        "loadings": measurement.loadings_figure(
            efa.loadings, {"a1": "我信赖这家公司", "b1": "产品总体质量"}, BLOCKS, lang="zh"),
        "paths": measurement.path_diagram(chain_fit.paths, chain_fit.r2, lv_zh, lang="zh"),
        "ipma": measurement.ipma_figure(ipma, lv_zh, target="C", lang="zh"),
    }
    texts = {name: [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
             for name, fig in figs.items()}
    for name, fig in figs.items():
        messages = _render(fig)
        assert not [m for m in messages if "missing from" in m or "Glyph" in m], (name, messages)
    assert "碎石图与平行分析" in texts["scree"]
    assert any("顾客满意度" in t for t in texts["paths"])
    assert any("感知质量" in t for t in texts["ipma"])
    assert any("我信赖这家公司" in t for t in texts["loadings"])


def test_path_diagram_marks_significance_and_layouts_any_model(chain_fit):
    fig = measurement.path_diagram(chain_fit.paths, chain_fit.r2)
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    for _, r in chain_fit.paths.iterrows():
        sig = "*" if r["ci_low"] > 0 or r["ci_high"] < 0 else ""
        assert f"{r['estimate']:.2f}{sig}" in texts
    assert any("R² = " in t for t in texts)
    _render(fig)


def test_loadings_figure_orders_factors_by_block():
    L = pd.DataFrame({"F1": [0.0, 0.1, 0.8, 0.7], "F2": [0.9, 0.8, 0.0, 0.1]},
                     index=["a1", "a2", "b1", "b2"])
    fig = measurement.loadings_figure(L, blocks={"A": ["a1", "a2"], "B": ["b1", "b2"]})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["F2", "F1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a1", "a2", "b1", "b2"]
    _render(fig)


def test_ipma_figure_keeps_the_lv_rows(chain_fit):
    ipma = pls.ipma(chain_fit, "C", scale=(1, 5))
    fig = measurement.ipma_figure(ipma)
    assert len(fig.axes[0].collections[0].get_offsets()) == (ipma["level"] == "lv").sum()
    fig_all = measurement.ipma_figure(ipma, level=None)
    assert len(fig_all.axes[0].collections[0].get_offsets()) == len(ipma)
    with pytest.raises(CSIInputError, match="level"):
        measurement.ipma_figure(ipma, level="segment")
    _render(fig)
    _render(fig_all)


def test_recovery_without_a_planted_model_is_empty_and_says_so():
    table = measurement.recovery_table(object(), None)
    assert table.empty and list(table.columns) == ["generating", "population", "estimate",
                                                   "ci_low", "ci_high", "inside"]
    assert measurement.recovery_summary(table) == measurement.NO_TRUTH


def test_reliability_validity_marks_single_items_few_answers_and_improper(chain_data):
    blocks = {"A": ["a1", "a2", "a3"], "S": ["b1"]}
    table = pd.DataFrame({"cr": [0.8, 1.0], "ave": [0.6, 1.0], "sqrt_ave": [0.77, 1.0],
                          "max_corr": [1.2, 1.2], "fornell_larcker": [False, True],
                          "max_htmt": [0.5, np.nan]}, index=["A", "S"])
    data = chain_data.copy()
    data.loc[data.index[20:], "b1"] = np.nan            # S rests on 20 answers
    t = measurement.reliability_validity_table(data, blocks, SimpleNamespace(table=table))
    assert t.loc["S", "verdict"].startswith("single item: reliability not estimable; "
                                            "rests on 20 answers (< 30)")
    assert np.isnan(t.loc["S", ["alpha", "cr", "ave"]].astype(float)).all()
    assert "latent correlation > 1: improper solution" in t.loc["A", "verdict"]
    assert t.loc["A", "n"] == len(data)
