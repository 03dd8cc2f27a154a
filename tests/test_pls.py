"""Tests for csi_helpers.pls: golden values from R plspm, invariants, bootstrap, errors.

Goldens (see tests/golden/plspm/PROVENANCE.md):
- tests/golden/datasets/reference/*.csv: R plspm package, centroid, scaled=FALSE;
- tests/golden/plspm/golden.csv: R plspm's own estimation code run in R 4.2.2, the three
  schemes x scaled TRUE/FALSE, on satisfaction.csv and on generated ECSI data;
- tests/golden/plspm/pypi_plspm.csv: PyPI plspm 0.5.7 (scaled=FALSE cases);
- tests/golden/plspm/na_golden.csv: R plspm's NA route (get_weights_nonmetric, scaling
  "num") run in R 4.2.2 by make_golden_na.R on satisfaction_na.csv (5% NA at random).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers import pls
from csi_helpers.errors import CSIInputError, CSIWarning
from _golden_data import REFERENCE as REF, satisfaction

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "plspm"

SATIS_LVS = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]
SATIS_PATHS = [("IMAG", "EXPE"), ("IMAG", "SAT"), ("IMAG", "LOY"), ("EXPE", "QUAL"),
               ("EXPE", "VAL"), ("EXPE", "SAT"), ("QUAL", "VAL"), ("QUAL", "SAT"),
               ("VAL", "SAT"), ("SAT", "LOY")]
ECSI_LVS = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"]
TOL = 1e-6


def blocks_of(df, lvs):
    return {lv: [c for c in df.columns if c.rstrip("0123456789") == lv.lower()] for lv in lvs}


@pytest.fixture(scope="module")
def satis():
    return satisfaction()


@pytest.fixture(scope="module")
def sim():
    return pd.read_csv(GOLDEN / "ecsi_sim.csv")


@pytest.fixture(scope="module")
def sim_fit(sim):
    return pls.fit(sim, blocks_of(sim, ECSI_LVS), pls.ECSI, scheme="path", scaled=True,
                   bootstrap=200, seed=7)


# --------------------------------------------------------------------------- goldens
def test_reference_centroid_raw_matches_r_plspm(satis):
    r = pls.fit(satis, blocks_of(satis, SATIS_LVS), SATIS_PATHS, scheme="centroid",
                scaled=False)
    o = pd.read_csv(REF / "satisfaction.outer-model.csv", index_col=0)
    cols = ["weight", "loading", "communality", "redundancy"]
    np.testing.assert_allclose(r.outer.loc[o.index, cols], o[cols], atol=TOL)
    assert list(r.outer.loc[o.index, "block"]) == list(o["block"])
    s = pd.read_csv(REF / "satisfaction.inner-summary.csv", index_col=0)
    assert list(r.inner_summary["type"]) == list(s["type"])
    np.testing.assert_allclose(
        r.inner_summary[["r2", "block_communality", "mean_redundancy", "ave"]],
        s[["r_squared", "block_communality", "mean_redundancy", "ave"]], atol=TOL)
    im = pd.read_csv(REF / "satisfaction.inner-model.csv", index_col=0)
    mine = r.inner_model.loc[[f"{lv} -> SAT" for lv in im.index]]
    np.testing.assert_allclose(mine[["estimate", "std_error", "t_value"]],
                               im[["Estimate", "Std. Error", "t value"]], atol=TOL)
    np.testing.assert_allclose(mine["p_value"], im["Pr(>|t|)"], rtol=1e-6)
    e = pd.read_csv(REF / "satisfaction.effects.csv", index_col=0)
    assert list(r.effects["from"]) == list(e["from"])
    assert list(r.effects["to"]) == list(e["to"])
    np.testing.assert_allclose(r.effects[["direct", "indirect", "total"]],
                               e[["direct", "indirect", "total"]], atol=TOL)
    sc = pd.read_csv(REF / "satisfaction.scores.csv")
    np.testing.assert_allclose(r.scores[sc.columns].to_numpy(), sc.to_numpy(), atol=TOL)
    cl = pd.read_csv(REF / "satisfaction.crossloadings.csv", index_col=0)
    np.testing.assert_allclose(r.crossloadings.loc[cl.index, SATIS_LVS], cl[SATIS_LVS], atol=TOL)
    assert r.converged and r.iterations == 4
    # R² Series and paths agree with the inner summary / inner model
    np.testing.assert_allclose(r.r2, s.loc[r.r2.index, "r_squared"], atol=TOL)
    np.testing.assert_allclose(r.paths.loc["VAL -> SAT", "estimate"], im.loc["VAL", "Estimate"],
                               atol=TOL)


_cases = pd.read_csv(GOLDEN / "cases.csv")
_golden = pd.read_csv(GOLDEN / "golden.csv")


def _value(r, table, row, col):
    if table == "outer":
        return r.outer.loc[row, col]
    if table == "inner_summary":
        return r.inner_summary.loc[row, col]
    if table == "paths":
        return r.paths.loc[row, "estimate"]
    if table == "inner_model":
        return r.inner_model.loc[row, col]
    if table == "effects":
        return r.effects.loc[row, col]
    if table == "scores":
        return r.scores.iloc[int(row) - 1][col]
    if table == "gof":
        return r.gof
    raise AssertionError(table)


def _fit_case(case, satis_df, sim_df):
    if case.data == "satisfaction":
        d, b, p = satis_df, blocks_of(satis_df, SATIS_LVS), SATIS_PATHS
    else:
        d, b, p = sim_df, blocks_of(sim_df, ECSI_LVS), pls.ECSI
    return pls.fit(d, b, p, scheme=case.scheme, scaled=bool(case.scaled))


@pytest.mark.parametrize("case", list(_cases.itertuples(index=False)), ids=list(_cases["case"]))
def test_golden_r_plspm_code(case, sim):
    satis_df = satisfaction() if case.data == "satisfaction" else None
    r = _fit_case(case, satis_df, sim)
    assert r.converged and r.iterations == case.iterations
    assert r.gof == pytest.approx(case.gof, abs=TOL)
    g = _golden[_golden["case"] == case.case]
    assert len(g) > 100
    for table, row, col, val in g[["table", "row", "col", "value"]].itertuples(index=False):
        got = _value(r, table, row, col)
        if col == "p_value":
            assert got == pytest.approx(val, rel=1e-5, abs=1e-12), (table, row, col)
        else:
            assert got == pytest.approx(val, abs=TOL), (table, row, col)


def test_pypi_plspm_cross_check(satis):
    g = pd.read_csv(GOLDEN / "pypi_plspm.csv")
    for case, sub in g.groupby("case"):
        scheme = case.split("_")[1]
        r = pls.fit(satis, blocks_of(satis, SATIS_LVS), SATIS_PATHS, scheme=scheme, scaled=False)
        for table, row, col, val in sub[["table", "row", "col", "value"]].itertuples(index=False):
            assert _value(r, table, row, col) == pytest.approx(val, abs=TOL), (case, table, row, col)


# --------------------------------------------------------------------------- invariants
def test_two_block_model_is_scheme_independent(sim):
    b = {"QUAL": blocks_of(sim, ["QUAL"])["QUAL"], "SAT": blocks_of(sim, ["SAT"])["SAT"]}
    fits = [pls.fit(sim, b, [("QUAL", "SAT")], scheme=s) for s in pls.SCHEMES]
    for f in fits[1:]:
        np.testing.assert_allclose(f.outer["weight"], fits[0].outer["weight"], atol=1e-12)
        assert f.paths["estimate"].iloc[0] == pytest.approx(fits[0].paths["estimate"].iloc[0], abs=1e-12)
    # with two LVs the path coefficient is their correlation and R² its square
    r = fits[0]
    corr = np.corrcoef(r.scores["QUAL"], r.scores["SAT"])[0, 1]
    assert r.paths["estimate"].iloc[0] == pytest.approx(corr, abs=1e-12)
    assert r.r2["SAT"] == pytest.approx(corr ** 2, abs=1e-12)


def test_scores_are_standardised_weighted_sums(sim):
    b = blocks_of(sim, ECSI_LVS)
    for scaled in (True, False):
        r = pls.fit(sim, b, pls.ECSI, scheme="factorial", scaled=scaled)
        X = sim[r.outer.index].to_numpy(float)
        X = X - X.mean(axis=0)
        if scaled:
            X = X / X.std(axis=0)
        for lv in ECSI_LVS:
            sel = (r.outer["block"] == lv).to_numpy()
            np.testing.assert_allclose(X[:, sel] @ r.outer["weight"][sel].to_numpy(),
                                       r.scores[lv], atol=1e-10)
        np.testing.assert_allclose(r.scores.mean(), 0, atol=1e-12)
        np.testing.assert_allclose(r.scores.var(ddof=0), 1, atol=1e-12)
        # loadings are correlations of items with their LV; communality = loading²
        for it in ["qual1", "comp1", "loy3"]:
            lv = r.outer.loc[it, "block"]
            assert r.outer.loc[it, "loading"] == pytest.approx(
                np.corrcoef(sim[it], r.scores[lv])[0, 1], abs=1e-12)
        np.testing.assert_allclose(r.outer["communality"], r.outer["loading"] ** 2)


def test_scaled_equals_raw_fit_of_standardised_data(sim):
    b = blocks_of(sim, ECSI_LVS)
    z = (sim - sim.mean()) / sim.std(ddof=0)
    a = pls.fit(sim, b, pls.ECSI, scheme="path", scaled=True)
    c = pls.fit(z, b, pls.ECSI, scheme="path", scaled=False)
    np.testing.assert_allclose(a.outer[["weight", "loading"]], c.outer[["weight", "loading"]], atol=1e-12)
    np.testing.assert_allclose(a.paths["estimate"], c.paths["estimate"], atol=1e-12)
    # scaled fits do not depend on the indicators' units
    d = pls.fit(sim * 3 + 5, b, pls.ECSI, scheme="path", scaled=True)
    np.testing.assert_allclose(a.paths["estimate"], d.paths["estimate"], atol=1e-12)


def test_block_order_does_not_matter(sim):
    b = blocks_of(sim, ECSI_LVS)
    shuffled = {lv: b[lv] for lv in ["LOY", "SAT", "COMP", "IMAG", "VAL", "QUAL", "EXPE"]}
    a = pls.fit(sim, b, pls.ECSI)
    c = pls.fit(sim, shuffled, list(reversed(pls.ECSI)))
    np.testing.assert_allclose(a.paths.loc[c.paths.index, "estimate"], c.paths["estimate"], atol=1e-12)
    np.testing.assert_allclose(a.outer.loc[c.outer.index, "weight"], c.outer["weight"], atol=1e-12)
    assert list(c.scores.columns) == ECSI_LVS         # causal order, as plspm needs


def test_effects_total_is_sum_over_paths(sim_fit):
    e = sim_fit.effects.set_index(["from", "to"])
    p = {(f, t): v for f, t, v in sim_fit.paths[["from", "to", "estimate"]].itertuples(index=False)}
    np.testing.assert_allclose(e["total"], e["direct"] + e["indirect"], atol=1e-12)
    # IMAG -> LOY: direct + via SAT + via SAT->COMP + via EXPE chains
    sat = e.loc[("IMAG", "SAT"), "total"]
    expect = p["IMAG", "LOY"] + sat * (p["SAT", "LOY"] + p["SAT", "COMP"] * p["COMP", "LOY"])
    assert e.loc[("IMAG", "LOY"), "total"] == pytest.approx(expect, abs=1e-12)
    assert e.loc[("IMAG", "QUAL"), "direct"] == 0


def test_single_item_block(sim_fit, sim):
    o = sim_fit.outer.loc["comp1"]
    assert o["loading"] == pytest.approx(1.0) and o["weight"] == pytest.approx(1.0)
    np.testing.assert_allclose(sim_fit.scores["COMP"],
                               (sim["comp1"] - sim["comp1"].mean()) / sim["comp1"].std(ddof=0))
    # GoF leaves single-item blocks out of the mean communality (plspm)
    multi = sim_fit.outer[sim_fit.outer["block"] != "COMP"]
    assert sim_fit.gof == pytest.approx(np.sqrt(multi["communality"].mean() * sim_fit.r2.mean()))


def test_reversed_block_is_reflected(sim):
    b = blocks_of(sim, ECSI_LVS)
    rev = sim.copy()
    rev[b["EXPE"]] = 11 - rev[b["EXPE"]]
    a = pls.fit(sim, b, pls.ECSI, scheme="centroid")
    c = pls.fit(rev, b, pls.ECSI, scheme="centroid")
    # the LV follows its (reversed) items: same loadings and weights, score negated,
    # so every path touching EXPE changes sign and nothing else changes
    np.testing.assert_allclose(c.outer[["weight", "loading"]], a.outer[["weight", "loading"]], atol=1e-10)
    np.testing.assert_allclose(c.scores["EXPE"], -a.scores["EXPE"], atol=1e-10)
    touch = np.array([("EXPE" in (f, t)) for f, t in pls.ECSI])
    np.testing.assert_allclose(c.paths["estimate"], np.where(touch, -1, 1) * a.paths["estimate"], atol=1e-10)


def test_sign_rule_reflects_mostly_negative_loadings(sim):
    """plspm's get_scores rule: reflect when the sum of the signs of the loadings <= 0."""
    b = blocks_of(sim, ECSI_LVS)
    m = pls._Model(ECSI_LVS, b, pls.ECSI)
    X = sim[m.items].to_numpy(float)
    X = (X - X.mean(0)) / X.std(0)
    S = (X.T @ X / len(X))[None]
    w = np.ones((1, m.p))
    w[0, m.block_of == 2] = -1.0                       # QUAL oriented the wrong way
    out = pls._align_signs(S, m, w)
    assert (out[0] > 0).all()


def test_missing_rows_dropped_listwise_with_warning(sim):
    b = blocks_of(sim, ECSI_LVS)
    holes = sim.astype(float)
    holes.iloc[[3, 10, 11], [0, 5, 20]] = np.nan
    before = holes.copy()
    with pytest.warns(CSIWarning, match="3 of 300 rows"):
        r = pls.fit(holes, b, pls.ECSI, missing="listwise")
    pd.testing.assert_frame_equal(holes, before)       # caller's frame untouched
    ref = pls.fit(sim.drop(index=[3, 10, 11]), b, pls.ECSI)
    np.testing.assert_allclose(r.paths["estimate"], ref.paths["estimate"], atol=1e-12)
    assert r.n == 297 and r.n_dropped == 3 and 3 not in r.scores.index
    assert r.missing == "listwise" and r.n_missing_values == 0


def test_constant_item_dropped_with_warning(sim):
    b = blocks_of(sim, ECSI_LVS)
    d = sim.assign(qual6=5.0)
    b2 = {**b, "QUAL": b["QUAL"] + ["qual6"]}
    with pytest.warns(CSIWarning, match="qual6"):
        r = pls.fit(d, b2, pls.ECSI)
    assert "qual6" not in r.outer.index
    np.testing.assert_allclose(r.paths["estimate"], pls.fit(sim, b, pls.ECSI).paths["estimate"])


def test_string_numbers_are_accepted(sim):
    b = blocks_of(sim, ECSI_LVS)
    d = sim.astype(str)
    r = pls.fit(d, b, pls.ECSI)
    np.testing.assert_allclose(r.paths["estimate"], pls.fit(sim, b, pls.ECSI).paths["estimate"])


def test_non_convergence_is_reported(sim):
    b = blocks_of(sim, ECSI_LVS)
    with pytest.warns(CSIWarning, match="did not converge"):
        r = pls.fit(sim, b, pls.ECSI, tol=1e-300, maxiter=2)
    assert not r.converged and r.iterations == 2


def test_acsi_ecsi_constants():
    assert len(pls.ECSI) == 12 and len(pls.ACSI) == 9
    assert all("IMAG" not in p for p in pls.ACSI)
    assert ("EXPE", "QUAL") in pls.ACSI and ("COMP", "LOY") in pls.ECSI


def test_acsi_model_runs(sim):
    lvs = [lv for lv in ECSI_LVS if lv != "IMAG"]
    r = pls.fit(sim, blocks_of(sim, lvs), pls.ACSI, scheme="path")
    assert r.inner_summary.loc["EXPE", "type"] == "Exogenous"
    assert set(r.r2.index) == {"QUAL", "VAL", "SAT", "COMP", "LOY"}
    assert r.paths.loc["SAT -> COMP", "estimate"] < 0      # planted negative path
    assert "PLS path model" in repr(r) and "SAT -> COMP" in repr(r)


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("blocks, paths, match", [
    ({"A": ["qual1", "nope"], "B": ["sat1"]}, [("A", "B")], "item 'nope'"),
    ({"A": ["qual1"], "B": ["sat1"]}, [("A", "C")], "LV 'C'"),
    ({"A": ["qual1"], "B": ["sat1"], "C": ["loy1"]}, [("A", "B")], r"\['C'\] are in no path"),
    ({"A": ["qual1"], "B": ["sat1"], "C": ["loy1"]}, [("A", "B"), ("B", "C"), ("C", "A")],
     "cyclic: A -> B -> C -> A"),
    ({"A": ["qual1"], "B": ["sat1"]}, [("A", "A"), ("A", "B")], "cyclic: A -> A"),
    ({"A": ["qual1", "sat1"], "B": ["sat1"]}, [("A", "B")], "item 'sat1' is in blocks"),
    ({"A": ["qual1"], "B": []}, [("A", "B")], "block 'B' has no items"),
    ({"A": ["qual1"], "B": ["sat1"]}, [("A", "B"), ("A", "B")], "given twice"),
    ({"A": ["qual1"], "B": ["sat1"]}, [], "paths is empty"),
])
def test_bad_models_raise(sim, blocks, paths, match):
    with pytest.raises(CSIInputError, match=match):
        pls.fit(sim, blocks, paths)


def test_bad_arguments_raise(sim):
    b = {"A": ["qual1", "qual2"], "B": ["sat1", "sat2"]}
    with pytest.raises(CSIInputError, match="scheme"):
        pls.fit(sim, b, [("A", "B")], scheme="mode B")
    with pytest.raises(CSIInputError, match="bootstrap"):
        pls.fit(sim, b, [("A", "B")], bootstrap=-5)
    with pytest.raises(CSIInputError, match="'qual1' is not numeric"):
        pls.fit(sim.assign(qual1=["x"] * len(sim)), b, [("A", "B")])
    with pytest.raises(CSIInputError, match="DataFrame"):
        pls.fit(sim.to_numpy(), b, [("A", "B")])
    r = pls.fit(sim, b, [("A", "B")])
    with pytest.raises(CSIInputError, match="not an LV"):
        pls.csi_index(r, "C", scale=(1, 10))
    with pytest.raises(CSIInputError, match="scale"):
        pls.csi_index(r, "A", scale=(10, 1))
    with pytest.raises(CSIInputError, match="no LV has a path"):
        pls.ipma(r, "A", scale=(1, 10))


# --------------------------------------------------------------------------- bootstrap
def test_resample_covariance_from_counts(sim):
    X = sim.to_numpy(float)
    Xc = X - X.mean(axis=0)
    rng = np.random.default_rng(3)
    idx = rng.integers(0, len(X), size=(4, len(X)))
    counts = np.stack([np.bincount(i, minlength=len(X)) for i in idx]).astype(float)
    mu, S = pls._resample_cov(Xc, counts)
    for b in range(4):
        np.testing.assert_allclose(S[b], np.cov(X[idx[b]], rowvar=False, ddof=0), atol=1e-10)
        np.testing.assert_allclose(mu[b] + X.mean(axis=0), X[idx[b]].mean(axis=0), atol=1e-12)


@pytest.mark.parametrize("scheme, scaled", [("path", True), ("centroid", False)])
def test_bootstrap_draws_equal_refits_of_resamples(sim, scheme, scaled):
    """Each vectorised, warm-started draw equals a plain fit of that resample (at a tight
    tolerance, where the starting point no longer matters)."""
    b = blocks_of(sim, ECSI_LVS)
    r = pls.fit(sim, b, pls.ECSI, scheme=scheme, scaled=scaled, bootstrap=20, seed=11, tol=1e-14)
    idx = np.random.default_rng(11).integers(0, len(sim), size=(20, len(sim)))
    for k in (0, 7, 19):
        f = pls.fit(sim.iloc[idx[k]].reset_index(drop=True), b, pls.ECSI, scheme=scheme,
                    scaled=scaled, tol=1e-14)
        np.testing.assert_allclose(r.boot.paths[k], f.paths["estimate"], atol=1e-8)
        np.testing.assert_allclose(r.boot.weights[k], f.outer["weight"], atol=1e-8)
        np.testing.assert_allclose(r.boot.loadings[k], f.outer["loading"], atol=1e-8)
        np.testing.assert_allclose(r.boot.r2[k], f.r2, atol=1e-8)
        np.testing.assert_allclose(r.boot.total[k], f.effects["total"], atol=1e-8)


def test_bootstrap_summary_and_reproducibility(sim_fit, sim):
    p = sim_fit.paths
    assert list(p.columns) == ["from", "to", "estimate", "se", "ci_low", "ci_high"]
    draws = sim_fit.boot.paths
    assert draws.shape == (200, 12)
    np.testing.assert_allclose(p["se"], draws.std(axis=0, ddof=1))
    np.testing.assert_allclose(p["ci_low"], np.quantile(draws, 0.025, axis=0))
    np.testing.assert_allclose(p["ci_high"], np.quantile(draws, 0.975, axis=0))
    assert (p["ci_low"] <= p["estimate"]).all() and (p["estimate"] <= p["ci_high"]).all()
    assert set(sim_fit.boot.summary["kind"]) == {"weight", "loading", "path", "r2", "total"}
    again = pls.fit(sim, blocks_of(sim, ECSI_LVS), pls.ECSI, scheme="path", bootstrap=200, seed=7)
    np.testing.assert_array_equal(again.boot.paths, draws)
    other = pls.fit(sim, blocks_of(sim, ECSI_LVS), pls.ECSI, scheme="path", bootstrap=200, seed=8)
    assert not np.array_equal(other.boot.paths, draws)
    # loadings stay sign-aligned with the full sample in every resample
    assert (sim_fit.boot.loadings > 0).all()


# --------------------------------------------------------------------------- CSI index, IPMA
def test_csi_index_formula(sim_fit, sim):
    c = pls.csi_index(sim_fit, "SAT", scale=(1, 10))
    items = sim_fit.blocks["SAT"]
    u = sim_fit.outer.loc[items, "weight"] / sim[items].std(ddof=0)
    wn = u / u.sum()
    expect = 100 * ((wn * sim[items].mean()).sum() - 1) / 9
    assert c.index == pytest.approx(expect, abs=1e-10)
    np.testing.assert_allclose(c.weights, wn)
    assert c.ci_low < c.index < c.ci_high and c.se > 0
    # a single-item block: the positioned mean of its item
    cc = pls.csi_index(sim_fit, "COMP", scale=(1, 10))
    assert cc.index == pytest.approx(100 * (sim["comp1"].mean() - 1) / 9)
    assert "CSIIndex(SAT" in repr(c)


def test_csi_index_raw_fit_and_no_bootstrap(sim):
    r = pls.fit(sim, blocks_of(sim, ECSI_LVS), pls.ECSI, scaled=False)
    c = pls.csi_index(r, "LOY", scale=(1, 10))
    items = r.blocks["LOY"]
    w = r.outer.loc[items, "weight"]
    assert c.index == pytest.approx(100 * ((w / w.sum() * sim[items].mean()).sum() - 1) / 9)
    assert c.ci_low is None and c.se is None


@pytest.mark.parametrize("raw", [False, True], ids=["scaled_bootstrap", "raw"])
def test_ipma_matches_regressions_on_rescaled_scores(sim_fit, sim, raw):
    if raw:
        sim_fit = pls.fit(sim, blocks_of(sim, ECSI_LVS), pls.ECSI, scheme="factorial", scaled=False)
    t = pls.ipma(sim_fit, "LOY", scale=(1, 10))
    assert t.attrs["importance"].startswith("unstandardised")
    lvs = t[t["level"] == "lv"].index.tolist()
    assert lvs == ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP"]
    # independent route: 0-100 LV scores, OLS per endogenous LV, total effects
    Y = {}
    for lv, items in sim_fit.blocks.items():
        wn = pls.csi_index(sim_fit, lv, scale=(1, 10)).weights
        Y[lv] = 100 * ((sim[items] * wn).sum(axis=1) - 1) / 9
    Y = pd.DataFrame(Y)
    B = pd.DataFrame(0.0, index=Y.columns, columns=Y.columns)
    for to in sim_fit.r2.index:
        pr = [f for f, t_ in pls.ECSI if t_ == to]
        A = np.column_stack([np.ones(len(Y)), Y[pr]])
        B.loc[pr, to] = np.linalg.lstsq(A, Y[to], rcond=None)[0][1:]
    T = np.zeros_like(B.to_numpy())
    P = B.to_numpy()
    Pk = P.copy()
    for _ in range(len(B)):
        T += Pk
        Pk = Pk @ P
    T = pd.DataFrame(T, index=B.index, columns=B.columns)
    for lv in lvs:
        assert t.loc[lv, "importance"] == pytest.approx(T.loc[lv, "LOY"], abs=1e-8)
        assert t.loc[lv, "performance"] == pytest.approx(Y[lv].mean(), abs=1e-8)
        ind = t[(t["level"] == "indicator") & (t["block"] == lv)]
        assert ind["importance"].sum() == pytest.approx(t.loc[lv, "importance"])
    assert t.loc["sat1", "performance"] == pytest.approx(100 * (sim["sat1"].mean() - 1) / 9)
    std = sim_fit.effects.set_index(["from", "to"]).loc[("SAT", "LOY"), "total"]
    assert t.loc["SAT", "importance_std"] == pytest.approx(std)
    # default scale: the observed range of the indicators (1-10 here)
    lo, hi = sim_fit.observed_range
    d = pls.ipma(sim_fit, "LOY")
    assert d.attrs["scale"] == (lo, hi)


# --------------------------------------------------------------------------- missing values
# Goldens: tests/golden/plspm/na_golden.csv, R plspm's own NA route (get_weights_nonmetric,
# scaling "num") run by make_golden_na.R in R 4.2.2 on satisfaction_na.csv (5% NA).
_na_cases = pd.read_csv(GOLDEN / "na_cases.csv")
_na_golden = pd.read_csv(GOLDEN / "na_golden.csv")


@pytest.fixture(scope="module")
def satis_na():
    return pd.read_csv(GOLDEN / "satisfaction_na.csv")


@pytest.mark.parametrize("case", list(_na_cases.itertuples(index=False)),
                         ids=list(_na_cases["case"]))
def test_golden_r_plspm_na_route(case, satis_na):
    r = pls.fit(satis_na, blocks_of(satis_na, SATIS_LVS), SATIS_PATHS, scheme=case.scheme)
    assert r.missing == "pairwise" and r.n == 250 and r.n_dropped == 0
    assert r.n_missing_values == int(satis_na.isna().sum().sum()) == 305
    assert r.iterations == case.iterations and r.converged
    assert r.gof == pytest.approx(case.gof, abs=1e-13)
    g = _na_golden[_na_golden["case"] == case.case]
    assert len(g) == 27 * 4 + 6 * 4 + 10 + 10 * 3 + 15 * 3 + 60
    got = np.array([_value(r, t, str(a), c) for t, a, c in zip(g["table"], g["row"], g["col"])])
    np.testing.assert_allclose(got, g["value"].to_numpy(), rtol=1e-11, atol=1e-13)


def test_na_data_file_is_satisfaction_with_holes(satis, satis_na):
    full = satis.iloc[:, :27].reset_index(drop=True)
    mask = satis_na.notna().to_numpy()
    assert list(satis_na.columns) == list(full.columns)
    assert (satis_na.to_numpy()[mask] == full.to_numpy(float)[mask]).all()
    assert 0.04 < satis_na.isna().to_numpy().mean() < 0.06
    assert satis_na.notna().all(axis=1).sum() == 81     # listwise would keep only 81 of 250


def test_complete_data_unchanged_by_missing_option(sim):
    b = blocks_of(sim, ECSI_LVS)
    r1 = pls.fit(sim, b, pls.ECSI, scheme="path")
    r2 = pls.fit(sim, b, pls.ECSI, scheme="path", missing="listwise")
    assert r1.missing == r2.missing == "complete"
    pd.testing.assert_frame_equal(r1.outer, r2.outer, check_exact=True)
    pd.testing.assert_frame_equal(r1.scores, r2.scores, check_exact=True)


@pytest.mark.parametrize("scheme", pls.SCHEMES)
def test_na_route_on_complete_data_is_the_same_model(sim, scheme):
    """plspm's NA algorithm without NA converges to the metric fixed point."""
    b = blocks_of(sim, ECSI_LVS)
    r = pls.fit(sim, b, pls.ECSI, scheme=scheme)
    m = pls._Model(list(r.blocks), r.blocks, pls.ECSI)
    w, Y, it, cv, xload, mean, sd = pls._na_fit(sim[m.items].to_numpy(float), m, scheme,
                                                1e-12, 100)
    assert cv
    # the metric route stops at tol = 1e-6 on the weights, so agreement is to ~1e-5
    np.testing.assert_allclose(w, r.outer["weight"].to_numpy(), atol=2e-5)
    np.testing.assert_allclose(Y, r.scores.to_numpy(), atol=2e-5)


def test_few_missing_values_stay_close_to_complete_fit(sim):
    b = blocks_of(sim, ECSI_LVS)
    holes = sim.astype(float)
    rng = np.random.default_rng(3)
    holes = holes.mask(rng.random(holes.shape) < 0.01)
    lost = int(holes["comp1"].isna().sum())             # COMP is a single-item block
    with pytest.warns(CSIWarning, match=f"{lost} of 300 rows answer no item"):
        r = pls.fit(holes, b, pls.ECSI, scheme="path")
    ref = pls.fit(sim, b, pls.ECSI, scheme="path")
    assert r.missing == "pairwise" and r.n == 300 - lost and lost > 0
    np.testing.assert_allclose(r.paths["estimate"], ref.paths["estimate"], atol=0.03)
    np.testing.assert_allclose(r.outer["loading"], ref.outer["loading"], atol=0.03)


def test_row_without_any_answer_in_a_block_is_dropped(sim):
    b = blocks_of(sim, ECSI_LVS)
    holes = sim.astype(float)
    holes.loc[5, b["SAT"]] = np.nan
    holes.loc[7, "imag1"] = np.nan
    with pytest.warns(CSIWarning, match="1 of 300 rows answer no item"):
        r = pls.fit(holes, b, pls.ECSI)
    assert r.n == 299 and r.n_dropped == 1 and 5 not in r.scores.index
    assert r.n_missing_values == 1 and np.isfinite(r.scores.loc[7]).all()


def test_raw_fit_with_missing_values_warns_and_standardises(sim):
    b = blocks_of(sim, ECSI_LVS)
    holes = sim.astype(float)
    holes.iloc[4, 0] = np.nan
    with pytest.warns(CSIWarning, match="scaled=False is not available"):
        r = pls.fit(holes, b, pls.ECSI, scaled=False)
    assert r.scaled and r.missing == "pairwise"


def test_bad_missing_option_raises(sim):
    with pytest.raises(CSIInputError, match="missing='everything'"):
        pls.fit(sim, blocks_of(sim, ECSI_LVS), pls.ECSI, missing="everything")


def test_bootstrap_with_missing_values_refits_resamples(satis_na):
    b = blocks_of(satis_na, SATIS_LVS)
    r = pls.fit(satis_na, b, SATIS_PATHS, scheme="path", bootstrap=40, seed=11)
    again = pls.fit(satis_na, b, SATIS_PATHS, scheme="path", bootstrap=40, seed=11)
    np.testing.assert_array_equal(r.boot.paths, again.boot.paths)
    assert r.boot.paths.shape == (40, 10) and r.boot.redrawn == 0
    # draw 0 is the NA route on the first resample of the same generator
    rows = np.random.default_rng(11).integers(0, 250, size=250)
    ref = pls.fit(satis_na.iloc[rows].reset_index(drop=True), b, SATIS_PATHS, scheme="path")
    np.testing.assert_allclose(r.boot.paths[0], ref.paths["estimate"], atol=1e-12)
    np.testing.assert_allclose(r.boot.weights[0], ref.outer["weight"], atol=1e-12)
    np.testing.assert_allclose(r.boot.means[0], ref.item_means, atol=1e-12)
    p = r.paths
    assert ((p["ci_low"] <= p["estimate"]) & (p["estimate"] <= p["ci_high"])).all()
    idx = pls.csi_index(r, "SAT", scale=(1, 10))
    assert idx.ci_low < idx.index < idx.ci_high


# --------------------------------------------------------------------------- NA bootstrap speed route
# pls.fit's NA bootstrap runs on count-weighted sums of the rows grouped by missing-value
# pattern (csi_helpers._pls_missing) instead of refitting a copy of each resample's rows.
# It must give the same draws as the row-by-row route it replaced.

# Computed with the row-by-row implementation (before csi_helpers._pls_missing existed):
# pls.fit(satisfaction_na, SATIS_PATHS, scheme=..., bootstrap=50, seed=2026), path
# bootstrap se / 95% CI, csi_index(SAT, scale=(0, 10)) se / CI, and the histogram of
# the iterations per resample.
_NA_BOOT_BEFORE = {
    "centroid": dict(
        se=[0.043477614654175274, 0.045681051584923964, 0.06983679498519733,
            0.023615642245958256, 0.06024566271961025, 0.06909524676989041,
            0.06527253516981438, 0.07575269463088667, 0.07602463191953844,
            0.07143450132642339],
        lo=[0.4327158732142079, 0.0663927624865572, 0.17888095410954183, 0.7782499768311592,
            0.009362039256113494, -0.14093109176166027, 0.5093672571481722,
            0.05771798894286245, 0.4366892827202946, 0.30913300202180793],
        hi=[0.6005368582261975, 0.23590889367157988, 0.4150363345503089, 0.8588437189099706,
            0.22319919658814352, 0.10638561815867112, 0.778950350141551, 0.3190330172595246,
            0.6887275623647612, 0.5703158413039802],
        sat=[1.1578104014296762, 66.67620564133095, 70.96765464673024],
        iterations=[0, 0, 0, 0, 41, 9]),
    "factorial": dict(
        se=[0.043759374545606355, 0.04575656147251727, 0.07030316436780092,
            0.023592573766596736, 0.06072335200440281, 0.06900912796403635,
            0.06554040660705977, 0.07587295947329185, 0.07609874364537884, 0.072003287593769],
        lo=[0.431184163114938, 0.06692585086049414, 0.17691353919635172, 0.7785250466163021,
            0.004478757338111353, -0.1407197574816054, 0.5097208259584678,
            0.057163268592011825, 0.43677486746316474, 0.3079777510250876],
        hi=[0.6005091857589365, 0.23596337959464708, 0.41579964248080664, 0.8590668705921121,
            0.2224999429385821, 0.10688704275387777, 0.7793626481478019, 0.31966048748945375,
            0.6889906698294493, 0.5714579114506319],
        sat=[1.158220201867478, 66.68258961614679, 70.97037236679557],
        iterations=[0, 0, 0, 0, 45, 5]),
    "path": dict(
        se=[0.043755519585480754, 0.046395318031904054, 0.07090965343382236,
            0.023591805478860646, 0.060716432478838685, 0.06935356587868623,
            0.06562059765112659, 0.07630128052204453, 0.07606546365714556,
            0.07244444112111556],
        lo=[0.4311931418185221, 0.06633798130573279, 0.17003923536990972, 0.7785234071327772,
            0.0032963276048098723, -0.14230717521801667, 0.5093926582426141,
            0.053945992694378574, 0.4381980650723116, 0.30815310843150945],
        hi=[0.6005518704453712, 0.23976934639680317, 0.41520386985698754, 0.8590739071000576,
            0.22226430822742657, 0.1096580054429671, 0.7793381956996237, 0.3181123525987296,
            0.6893443871840615, 0.5759189090701778],
        sat=[1.1644697983456462, 66.66367381351418, 70.98352921916772],
        iterations=[0, 0, 0, 0, 42, 8]),
}


@pytest.mark.parametrize("scheme", pls.SCHEMES)
def test_na_bootstrap_equals_previous_implementation(satis_na, scheme):
    r = pls.fit(satis_na, blocks_of(satis_na, SATIS_LVS), SATIS_PATHS, scheme=scheme,
                bootstrap=50, seed=2026)
    ref = _NA_BOOT_BEFORE[scheme]
    assert r.boot.redrawn == 0
    assert np.bincount(r.boot.iterations).tolist() == ref["iterations"]
    np.testing.assert_allclose(r.paths["se"], ref["se"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.paths["ci_low"], ref["lo"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.paths["ci_high"], ref["hi"], rtol=0, atol=1e-12)
    c = pls.csi_index(r, "SAT", scale=(0, 10))
    np.testing.assert_allclose([c.se, c.ci_low, c.ci_high], ref["sat"], rtol=0, atol=1e-11)


def _fit_with(monkeypatch, route, *args, **kw):
    with monkeypatch.context() as mp:
        if route == "reference":
            mp.setattr(pls, "_bootstrap_na", pls._bootstrap_na_reference)
        return pls.fit(*args, **kw)


def _holes(df, frac, seed):
    return df.astype(float).mask(np.random.default_rng(seed).random(df.shape) < frac)


@pytest.mark.parametrize("data, scheme, kw", [
    ("satis_na", "centroid", {}),
    ("satis_na", "factorial", {}),
    ("satis_na", "path", {}),
    ("satis_na", "path", dict(maxiter=3)),          # resamples that do not converge: redrawn
    ("satis_na", "centroid", dict(tol=1e-10)),
    ("sim_holes", "path", {}),                      # 7 LVs, single-item COMP block
    ("sim_holes", "factorial", {}),
    ("sim_qual_holes", "centroid", {}),             # only the QUAL block has holes
])
def test_na_bootstrap_matches_row_by_row_refits(monkeypatch, satis_na, sim, data, scheme, kw):
    """Every draw (weights, loadings, paths, R², total effects, means, sds), its iteration
    count and the number of redrawn resamples equal the row-by-row reference route,
    which copies each resample's rows and runs pls._na_fit on them."""
    if data == "satis_na":
        d, b, p = satis_na, blocks_of(satis_na, SATIS_LVS), SATIS_PATHS
    else:
        b, p = blocks_of(sim, ECSI_LVS), pls.ECSI
        if data == "sim_holes":
            d = _holes(sim, 0.05, 5)
        else:
            d = sim.astype(float)
            d[b["QUAL"]] = _holes(d[b["QUAL"]], 0.1, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)      # rows without a COMP answer
        fast = _fit_with(monkeypatch, "fast", d, b, p, scheme=scheme, bootstrap=30, seed=4, **kw)
        ref = _fit_with(monkeypatch, "reference", d, b, p, scheme=scheme, bootstrap=30,
                        seed=4, **kw)
    assert fast.missing == "pairwise"
    if kw.get("maxiter") == 3:
        assert fast.boot.redrawn > 0
    assert fast.boot.redrawn == ref.boot.redrawn
    np.testing.assert_array_equal(fast.boot.iterations, ref.boot.iterations)
    for k in ("weights", "loadings", "paths", "r2", "total", "means", "sds"):
        np.testing.assert_allclose(getattr(fast.boot, k), getattr(ref.boot, k), rtol=0,
                                   atol=1e-12, err_msg=k)
    pd.testing.assert_frame_equal(fast.boot.summary, ref.boot.summary, check_exact=False,
                                  rtol=0, atol=1e-12)


def test_na_bootstrap_group_sums_equal_direct_sums(satis_na):
    """The per-pattern sums (the data total minus the other groups for the complete
    pattern) equal sums over the rows of each group, weighted by the counts."""
    from csi_helpers import _pls_missing as pm
    b = blocks_of(satis_na, SATIS_LVS)
    m = pls._Model(SATIS_LVS, b, SATIS_PATHS)
    X = satis_na[m.items].to_numpy(float)
    eng = pm._Engine(X, m, "path", 1e-6, 100)
    rng = np.random.default_rng(1)
    cT = np.stack([np.bincount(rng.integers(0, len(X), len(X)), minlength=len(X))
                   for _ in range(3)], axis=1).astype(float)
    nq, S, P = eng._totals(cT, _SerialPool())
    A = ~np.isnan(X)
    np.testing.assert_allclose(nq, cT.T @ A, atol=1e-9)
    np.testing.assert_allclose(P, np.einsum("ib,ip,iq->bpq", cT, eng.xt, eng.xt), atol=1e-9)
    g = eng.pairs[(1, 4)]                                    # EXPE, SAT
    N, Sg, (Plm, Pll, Pmm) = g.sums(cT, eng.xt, (float(len(X)), S, P))
    pat = A[:, g.K]
    for j, a in enumerate(g.a.astype(bool)):
        rows = (pat == a).all(axis=1)
        x = eng.xt[np.ix_(rows, g.K)]
        c = cT[rows]
        np.testing.assert_allclose(N[:, j], c.sum(axis=0), atol=1e-9)
        np.testing.assert_allclose(Sg[:, j], c.T @ x, atol=1e-9)
        pl = len(b["EXPE"])
        np.testing.assert_allclose(Plm[:, j], np.einsum("ib,ip,iq->bpq", c, x[:, :pl],
                                                        x[:, pl:]), atol=1e-9)
    assert N.sum(axis=1) == pytest.approx(len(X))


class _SerialPool:
    """Stands in for the engine's thread pool (it only needs ``map``)."""
    @staticmethod
    def map(f, xs):
        return list(map(f, xs))


def test_na_bootstrap_stopping_bound_is_tight(monkeypatch, satis_na):
    """The stopping rule from the group sums is an upper bound of plspm's row criterion
    Σ (|Y_old| - |Y|)², far closer to it than the margin that triggers the row check."""
    from csi_helpers import _pls_missing as pm
    seen = []
    bound, exact, iterate = pm._Engine._bound, pm._Engine._exact, pm._Engine._iterate

    def it(self, c, *a):
        self._c0 = c.__array_interface__["data"][0]
        return iterate(self, c, *a)

    def bnd(self, *a):
        self._U = bound(self, *a)
        return self._U

    def ex(self, c, *a):
        C = exact(self, c, *a)
        seen.append((self._U[(c.__array_interface__["data"][0] - self._c0) // 8], C))
        return C

    margin = pm.MARGIN
    monkeypatch.setattr(pm, "MARGIN", 1e12)             # check every iteration by rows
    monkeypatch.setattr(pm._Engine, "_iterate", it)
    monkeypatch.setattr(pm._Engine, "_bound", bnd)
    monkeypatch.setattr(pm._Engine, "_exact", ex)
    pls.fit(satis_na, blocks_of(satis_na, SATIS_LVS), SATIS_PATHS, scheme="centroid",
            bootstrap=20, seed=3)
    U, C = np.array(seen).T
    assert len(U) >= 60
    assert (U >= C * (1 - 1e-9)).all()
    assert ((U - C) / U).max() < margin / 5          # ~2% at worst (early iterations)
