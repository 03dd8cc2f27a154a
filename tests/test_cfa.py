"""Tests for csi_helpers._cfa (cfa, validity) and _cfa_fiml (missing="ml"): golden values
from R lavaan 0.6-14 and semTools 0.5-6 (tests/golden/lavaan/, made by lavaan_goldens.R,
lavaan_single_item.R and lavaan_fiml.R), plus bad input."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers import _cfa, _cfa_fiml
from csi_helpers._cfa import cfa, validity
from csi_helpers.errors import CSIInputError, CSIWarning
from _golden_data import satisfaction

GOLDEN = Path(__file__).parent / "golden" / "lavaan"
FIT_TOL = 1e-3        # fit indices: 3 decimals
FIML_FIT_TOL = 1e-4   # fit indices of the FIML goldens (lavaan_fiml.R)
EST_TOL = 1e-3        # loadings and other estimates, reliability, HTMT

HS_MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}

# measure in our FitIndices -> name in lavaan's fitMeasures()
FIT_NAMES = {"chi2": "chisq", "df": "df", "p_value": "pvalue", "cfi": "cfi", "tli": "tli",
             "rmsea": "rmsea", "srmr": "srmr", "aic": "aic", "bic": "bic", "loglik": "logl",
             "npar": "npar", "baseline_chi2": "baseline.chisq", "baseline_df": "baseline.df"}


def _data(name: str) -> pd.DataFrame:
    if name == "satisfaction":
        return satisfaction()
    for stem in ("holzinger_swineford_missing", "holzinger_swineford", "generated", "skip_logic"):
        if name.startswith(stem):
            return pd.read_csv(GOLDEN / f"{stem}.csv")
    raise KeyError(name)


def _golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def fits():
    cache = {}

    def get(name):
        if name not in cache:
            g = _golden(name)
            data = _data(name)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CSIWarning)
                # jsonlite writes a one-item list as a string (auto_unbox)
                g["model"] = {f: [v] if isinstance(v, str) else v for f, v in g["model"].items()}
                # the goldens of lavaan_goldens.R / lavaan_single_item.R are listwise
                g["missing"] = g.get("options", {}).get("missing", "listwise")
                cache[name] = (g, data, cfa(data, g["model"], missing=g["missing"]))
        return cache[name]
    return get


LISTWISE = ["holzinger_swineford", "holzinger_swineford_x9", "holzinger_swineford_single",
            "satisfaction", "generated", "holzinger_swineford_missing_listwise",
            "skip_logic_listwise"]
FIML = ["holzinger_swineford_fiml", "holzinger_swineford_missing_fiml",
        "holzinger_swineford_missing_single", "holzinger_swineford_missing_x9",
        "generated_fiml", "skip_logic_fiml"]
ALL = LISTWISE + FIML
WITH_VALIDITY = ["holzinger_swineford", "satisfaction", "generated"]


@pytest.mark.parametrize("name", ALL)
def test_fit_indices_equal_lavaan(fits, name):
    g, _, res = fits(name)
    assert res.converged and g["converged"]
    assert res.missing == g["missing"]
    tol = FIML_FIT_TOL if "options" in g else FIT_TOL
    fm = g["fit"]
    names = dict(FIT_NAMES, srmr_nomean="srmr_bentler_nomean",
                 unrestricted_loglik="unrestricted.logl")
    for ours, theirs in names.items():
        assert getattr(res.fit, ours) == pytest.approx(fm[theirs], abs=tol), ours
    assert res.fit.rmsea_ci[0] == pytest.approx(fm["rmsea.ci.lower"], abs=tol)
    assert res.fit.rmsea_ci[1] == pytest.approx(fm["rmsea.ci.upper"], abs=tol)
    assert res.fit.n == res.n_used == g["nobs_used"]
    assert res.n_dropped == g["nobs_total"] - g["nobs_used"]


@pytest.mark.parametrize("name", ALL)
def test_estimates_equal_lavaan(fits, name):
    g, _, res = fits(name)
    ref = pd.DataFrame(g["estimates"])
    merged = ref.merge(res.estimates, on=["lhs", "op", "rhs"], suffixes=("_lavaan", ""))
    assert len(merged) == len(ref) == len(res.estimates)        # the same parameters
    np.testing.assert_allclose(merged["est"], merged["est_lavaan"], atol=EST_TOL)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=EST_TOL)
    free = merged["free"]
    np.testing.assert_allclose(merged.loc[free, "se"], merged.loc[free, "se_lavaan"], atol=EST_TOL)
    np.testing.assert_allclose(merged.loc[free, "z"], merged.loc[free, "z_lavaan"],
                               rtol=EST_TOL, atol=EST_TOL)
    np.testing.assert_allclose(merged.loc[free, "p_value"], merged.loc[free, "pvalue"], atol=EST_TOL)
    # the marker loadings are fixed to 1 with no standard error, as in lavaan
    markers = res.loadings[~res.loadings["free"]]
    assert (markers["est"] == 1.0).all() and markers["se"].isna().all()
    # FIML: intercepts for the items ("~1", free), factor means fixed at 0, as lavaan
    means = res.estimates[res.estimates["op"] == "~1"]
    assert len(means) == (len(res.sample_cov) + len(g["model"]) if g["missing"] == "ml" else 0)


@pytest.mark.parametrize("name", [n for n in ALL if "h1_cov" in _golden(n)])
def test_moments_equal_lavaan(fits, name):
    """lavInspect(fit, "sampstat") (the EM estimate of H1 under FIML) and "implied"."""
    g, data, res = fits(name)
    assert list(res.sample_cov.index) == g["items"]
    np.testing.assert_allclose(res.sample_cov.to_numpy(), np.array(g["h1_cov"]), atol=1e-8)
    np.testing.assert_allclose(res.implied_cov.to_numpy(), np.array(g["implied_cov"]), atol=EST_TOL)
    if g["missing"] == "ml":
        np.testing.assert_allclose(res.sample_mean.to_numpy(), g["h1_mean"], atol=1e-8)
        np.testing.assert_allclose(res.implied_mean.to_numpy(), g["implied_mean"], atol=EST_TOL)
        assert res.n_patterns == g["npatterns"]
        # lavInspect(fit, "coverage"): proportion of the rows used answering each pair
        cov_items = res.coverage.loc[res.coverage["kind"] == "item", "n"].to_numpy()
        np.testing.assert_allclose(cov_items / res.n_used, np.diag(np.array(g["coverage"])))


def test_holzinger_swineford_known_values(fits):
    """The values every lavaan tutorial prints for this model."""
    _, _, res = fits("holzinger_swineford")
    f = res.fit
    assert (round(f.chi2, 3), f.df, round(f.cfi, 3), round(f.tli, 3)) == (85.306, 24, 0.931, 0.896)
    assert (round(f.rmsea, 3), round(f.rmsea_ci[0], 3), round(f.rmsea_ci[1], 3)) == (0.092, 0.071, 0.114)
    assert (round(f.srmr, 3), round(f.aic, 3), round(f.bic, 3)) == (0.065, 7517.490, 7595.339)
    assert res.loadings.loc[("visual", "x2"), "est"] == pytest.approx(0.554, abs=1e-3)
    assert res.factor_corr.loc["visual", "textual"] == pytest.approx(0.459, abs=1e-3)
    assert res.heywood == () and not res.has_heywood
    assert list(res.residual_variances.index) == [f"x{i}" for i in range(1, 10)]
    table = f.table()
    assert table.set_index("measure").loc["cfi", "verdict"] == "acceptable"
    assert table.set_index("measure").loc["tli", "verdict"] == "poor"
    assert table.set_index("measure").loc["srmr", "verdict"] == "good"
    assert "CFI=0.931" in repr(res) and "visual" in repr(res)


@pytest.mark.parametrize("name", WITH_VALIDITY)
def test_validity_equal_semtools(fits, name):
    g, data, res = fits(name)
    v = validity(data, g["model"], fit=res)
    for fac in g["model"]:
        assert v.cr[fac] == pytest.approx(g["cr"][fac], abs=EST_TOL)
        assert v.ave[fac] == pytest.approx(g["ave"][fac], abs=EST_TOL)
    assert list(v.htmt.index) == g["htmt_factors"]
    np.testing.assert_allclose(v.htmt.to_numpy(), np.array(g["htmt"]), atol=EST_TOL)
    v2 = validity(data, g["model"], fit=res, htmt2=True)
    np.testing.assert_allclose(v2.htmt.to_numpy(), np.array(g["htmt2"]), atol=EST_TOL)
    v3 = validity(data, g["model"], fit=res, correlations="pearson")
    np.testing.assert_allclose(v3.htmt.to_numpy(), np.array(g["htmt_pearson"]), atol=EST_TOL)
    # Fornell-Larcker: sqrt(AVE) on the diagonal, factor correlations off it
    fl = v.fornell_larcker
    np.testing.assert_allclose(np.diag(fl), np.sqrt(v.ave.to_numpy()))
    f1, f2 = list(g["model"])[:2]
    assert fl.loc[f1, f2] == pytest.approx(res.factor_corr.loc[f1, f2])
    expect = v.table["sqrt_ave"] > v.table["max_corr"]
    assert (v.table["fornell_larcker"] == expect).all()


def test_validity_without_fit_refits_and_reports(fits):
    g, data, res = fits("generated")
    v = validity(data, g["model"], missing="listwise")
    assert v.cfa.n_used == 352 and v.cfa.n_dropped == 48
    assert v.table.loc["A", "cr"] == pytest.approx(g["cr"]["A"], abs=EST_TOL)
    vf = validity(data, g["model"])                      # FIML by default, as cfa
    assert vf.cfa.missing == "ml" and vf.cfa.n_used == 400 and vf.cfa.n_dropped == 0
    std = pd.DataFrame(_golden("generated_fiml")["estimates"])
    lam = std.loc[(std["op"] == "=~") & (std["lhs"] == "A"), "std.all"].to_numpy()
    th = std.loc[(std["op"] == "~~") & std["lhs"].isin(g["model"]["A"])
                 & (std["lhs"] == std["rhs"]), "std.all"].to_numpy()
    assert vf.cr["A"] == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + th.sum()), abs=EST_TOL)
    assert v.n_htmt.loc["a1", "a2"] == int(data[["a1", "a2"]].notna().all(axis=1).sum())
    assert "HTMT" in repr(v)


def test_satisfaction_reports_improper_latent_covariance(fits):
    """lavaan warns that the latent covariance matrix is not positive definite here."""
    _, data, _ = fits("satisfaction")
    with pytest.warns(CSIWarning, match="not positive definite"):
        res = cfa(data, _golden("satisfaction")["model"])
    assert res.has_heywood and "not positive definite" in res.heywood[0]


def _exact(cov: np.ndarray, n: int = 500, seed: int = 1, names=None) -> pd.DataFrame:
    """Data whose sample covariance (divisor N) is exactly cov."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, cov.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / n)).T        # whiten
    x = z @ np.linalg.cholesky(cov).T + 3.0
    names = names or [f"x{i + 1}" for i in range(cov.shape[0])]
    return pd.DataFrame(x, columns=names)


@pytest.mark.parametrize("missing", ["listwise", "ml"])
def test_heywood_case_is_reported_not_hidden(missing):
    # one factor, 3 items, r12 = r13 = .8, r23 = .5: lambda1^2 = .8 * .8 / .5 = 1.28 > 1
    r = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])
    data = _exact(r)
    with pytest.warns(CSIWarning, match="Heywood"):
        res = cfa(data, {"F": ["x1", "x2", "x3"]}, missing=missing)
    assert res.converged and res.fit.df == 0
    assert res.residual_variances.loc["x1", "est"] == pytest.approx(-0.28, abs=1e-6)
    assert res.residual_variances.loc["x2", "est"] == pytest.approx(0.5, abs=1e-6)
    assert res.factor_cov.loc["F", "F"] == pytest.approx(1.28, abs=1e-6)
    assert res.loadings.loc[("F", "x2"), "est"] == pytest.approx(0.625, abs=1e-6)
    assert any("negative residual variance of x1" in h for h in res.heywood)
    assert any("exceeds 1" in h for h in res.heywood)
    # FIML: chi2 = 2 (logL_H1 - logL_H0) is 0 up to rounding, so CFI is 1 to 1e-12
    assert res.fit.chi2 == pytest.approx(0, abs=1e-8) and res.fit.cfi == pytest.approx(1, abs=1e-12)
    if missing == "listwise":
        assert res.fit.cfi == 1.0


@pytest.mark.parametrize("name, missing", [("holzinger_swineford", "listwise"),
                                           ("holzinger_swineford", "ml"),
                                           ("holzinger_swineford_missing", "ml")])
def test_non_convergence_is_reported(monkeypatch, name, missing):
    data = _data(name)
    monkeypatch.setattr(_cfa, "_MAX_ITER", 1)
    with pytest.warns(CSIWarning, match="did not converge"):
        res = cfa(data, HS_MODEL, missing=missing)
    assert not res.converged and res.iterations == 1


def test_input_not_modified_and_other_columns_ignored():
    data = _data("generated")
    data["respondent_id"] = pd.array([f"R{i:05d}" for i in range(len(data))], dtype="string")
    before = data.copy()
    model = {"A": ["a1", "a2", "a3", "a4"], "B": ["b1", "b2", "b3", "b4"]}
    items = model["A"] + model["B"]
    res = cfa(data, model, missing="listwise")
    pd.testing.assert_frame_equal(data, before)
    assert res.n_used == int(data[items].notna().all(axis=1).sum())
    res = cfa(data, model)
    pd.testing.assert_frame_equal(data, before)
    assert res.n_used == int(data[items].notna().any(axis=1).sum()) == 400


@pytest.mark.parametrize("model, match", [
    ({"visual": ["x1", "x2", "nope"]}, r"model\['visual'\]: item 'nope' is not a column"),
    ({"visual": [], "speed": ["x7", "x8", "x9"]}, r"model\['visual'\]: has no items"),
    ({"visual": "x1 x2 x3"}, r"model\['visual'\]: expected a list"),
    ({"visual": ["x1", "x2", "x1"]}, r"item 'x1' is listed twice"),
    ({"visual": ["x1", "x2"]}, r"not identified \(df = -1\)"),
    ({}, r"model: expected a non-empty dict"),
    ({"x1": ["x2", "x3", "x4"]}, r"factor name 'x1' is also a column"),
])
def test_bad_model(model, match):
    with pytest.raises(CSIInputError, match=match):
        cfa(_data("holzinger_swineford"), model)


def test_bad_data():
    hs = _data("holzinger_swineford")
    with pytest.raises(CSIInputError, match="expected a pandas DataFrame"):
        cfa(hs.to_numpy(), HS_MODEL)
    with pytest.raises(CSIInputError, match=r"only 8 complete rows for 9 items"):
        cfa(hs.head(8), HS_MODEL, missing="listwise")
    with pytest.raises(CSIInputError, match=r"only 8 rows with at least one answer for 9 items"):
        cfa(hs.head(8), HS_MODEL)
    text = hs.assign(x2=hs["x2"].astype(str))
    with pytest.raises(CSIInputError, match=r"data\['x2'\]: column is not numeric"):
        cfa(text, HS_MODEL)
    for missing in ("listwise", "ml"):
        with pytest.raises(CSIInputError, match=r"\['x5'\] are constant"):
            cfa(hs.assign(x5=2.0), HS_MODEL, missing=missing)
        with pytest.raises(CSIInputError, match="singular"):
            cfa(hs.assign(x6=hs["x4"] + hs["x5"]), HS_MODEL, missing=missing)
        with pytest.raises(CSIInputError, match="infinite"):
            cfa(hs.assign(x3=np.where(np.arange(len(hs)) == 3, np.inf, hs["x3"])), HS_MODEL,
                missing=missing)


@pytest.mark.parametrize("missing", ["pairwise", "ML ", None, 1, "em"])
def test_bad_missing(missing):
    with pytest.raises(CSIInputError, match=r"missing=.*: use 'ml' \(full-information ML"):
        cfa(_data("holzinger_swineford"), HS_MODEL, missing=missing)


def test_fiml_bad_data():
    hsm = _data("holzinger_swineford_missing")
    with pytest.raises(CSIInputError, match=r"item\(s\) \['x8'\] have no answers in the 301 rows"):
        cfa(hsm.assign(x8=np.nan), HS_MODEL)
    with pytest.raises(CSIInputError, match=r"only 9 rows with at least one answer for 9 items"):
        cfa(pd.concat([hsm.head(9), hsm.iloc[[10]] * np.nan]), HS_MODEL)
    # two filter blocks nobody answers together: their covariance is not estimable
    apart = hsm.copy()
    apart.loc[apart.index % 2 == 0, ["x1", "x2", "x3"]] = np.nan
    apart.loc[apart.index % 2 == 1, ["x7", "x8", "x9"]] = np.nan
    with pytest.raises(CSIInputError, match=r"items 'x1' and 'x7' are never answered by the same"):
        cfa(apart, HS_MODEL)
    with pytest.raises(CSIInputError, match=r"\['x5'\] are constant over their answers"):
        cfa(hsm.assign(x5=np.where(hsm["x5"].isna(), np.nan, 3.0)), HS_MODEL)


def test_validity_bad_input():
    hs = _data("holzinger_swineford")
    with pytest.raises(CSIInputError, match="more than one factor"):
        validity(hs, {"visual": ["x1", "x2", "x3", "x9"], "speed": ["x7", "x8", "x9"]})
    res = cfa(hs, HS_MODEL)
    with pytest.raises(CSIInputError, match="different model"):
        validity(hs, {"visual": ["x1", "x2", "x3"], "speed": ["x7", "x8", "x9"]}, fit=res)
    with pytest.raises(CSIInputError, match="correlations="):
        validity(hs, HS_MODEL, fit=res, correlations="spearman")


def test_through_factors_module():
    factors = pytest.importorskip("csi_helpers.factors")
    if not hasattr(factors, "cfa") or not hasattr(factors, "validity"):
        pytest.skip("csi_helpers.factors does not re-export cfa/validity yet")
    hs = _data("holzinger_swineford")
    res = factors.cfa(hs, HS_MODEL)
    assert round(res.fit.cfi, 3) == 0.931
    assert factors.validity(hs, HS_MODEL, fit=res).htmt.shape == (3, 3)


def test_scale_and_reverse_coding_invariance(fits):
    """Rescaling items changes the unstandardised estimates only; a reversed item flips
    the sign of its loading; chi-square and the standardised solution stay lavaan's."""
    g, hs, ref = fits("holzinger_swineford")
    for data in (hs * 1000, hs / 1000, hs.assign(x1=-hs["x1"], x5=-hs["x5"])):
        res = cfa(data, HS_MODEL, missing="listwise")
        assert res.converged
        assert res.fit.chi2 == pytest.approx(ref.fit.chi2, abs=1e-6)
        assert res.fit.srmr == pytest.approx(ref.fit.srmr, abs=1e-9)
        np.testing.assert_allclose(res.loadings["std_all"].abs(), ref.loadings["std_all"].abs(),
                                   atol=1e-6)


def test_fiml_scale_and_reverse_coding_invariance(fits):
    """The same under FIML on incomplete data (lavaan's EM stops on an absolute change of
    1e-5; the relative guard keeps items on a scale of 1/1000 converging as well)."""
    _, hsm, ref = fits("holzinger_swineford_missing_fiml")
    for data in (hsm * 1000, hsm / 1000, hsm.assign(x1=-hsm["x1"], x5=-hsm["x5"])):
        res = cfa(data, HS_MODEL)
        assert res.converged
        assert res.fit.chi2 == pytest.approx(ref.fit.chi2, abs=1e-5)
        assert res.fit.srmr == pytest.approx(ref.fit.srmr, abs=1e-5)
        np.testing.assert_allclose(res.loadings["std_all"].abs(), ref.loadings["std_all"].abs(),
                                   atol=1e-6)


def test_nullable_dtypes():
    data = _data("generated").astype("Float64")
    model = {"A": ["a1", "a2", "a3", "a4"], "B": ["b1", "b2", "b3", "b4"]}
    for missing in ("ml", "listwise"):
        res = cfa(data, model, missing=missing)
        plain = cfa(data.astype(float), model, missing=missing)
        assert res.fit.chi2 == pytest.approx(plain.fit.chi2) and res.n_used == plain.n_used


def test_single_item_factor_is_the_item(fits):
    """A single-indicator factor (ACSI's complaint item): loading 1, residual variance 0
    fixed (lavaan: x7 ~~ 0*x7), so the factor's variance is the item's variance."""
    g, data, res = fits("holzinger_swineford_single")
    assert res.loadings.loc[("speed", "x7"), "est"] == 1.0
    assert res.loadings.loc[("speed", "x7"), "std_all"] == pytest.approx(1.0)
    rv = res.residual_variances.loc["x7"]
    assert rv["est"] == 0.0 and np.isnan(rv["se"])
    assert res.factor_cov.loc["speed", "speed"] == pytest.approx(data["x7"].var(ddof=0), rel=1e-6)
    assert res.fit.df == g["fit"]["df"] == 12


# --------------------------------------------------------------------------- FIML
def test_fiml_is_the_default_and_fiml_is_an_alias():
    hsm = _data("holzinger_swineford_missing")
    default, ml, alias = cfa(hsm, HS_MODEL), cfa(hsm, HS_MODEL, missing="ml"), \
        cfa(hsm, HS_MODEL, missing="FIML")
    assert default.missing == ml.missing == alias.missing == "ml"
    assert default.fit == ml.fit == alias.fit
    pd.testing.assert_frame_equal(default.estimates, alias.estimates)


def test_complete_data_fiml_equals_listwise(fits):
    """On complete data lavaan's missing = "ml" gives the listwise estimates, chi-square,
    CFI, TLI, RMSEA and logL; it adds the p intercepts to npar (AIC, BIC), puts the mean
    residuals into SRMR and takes SEs from the observed information (both checked against
    lavaan in the golden tests)."""
    _, hs, lw = fits("holzinger_swineford")
    _, _, ml = fits("holzinger_swineford_fiml")
    for k in ("chi2", "df", "p_value", "cfi", "tli", "rmsea", "loglik", "baseline_chi2",
              "baseline_df", "unrestricted_loglik", "n"):
        assert getattr(ml.fit, k) == pytest.approx(getattr(lw.fit, k), abs=1e-7), k
    assert ml.fit.rmsea_ci == pytest.approx(lw.fit.rmsea_ci, abs=1e-7)
    assert ml.fit.srmr_nomean == pytest.approx(lw.fit.srmr, abs=1e-7)
    assert ml.fit.npar == lw.fit.npar + 9 and ml.fit.aic == pytest.approx(lw.fit.aic + 18)
    assert ml.fit.srmr == pytest.approx(lw.fit.srmr * np.sqrt(45 / 54), abs=1e-7)
    both = lw.estimates.merge(ml.estimates, on=["lhs", "op", "rhs"], suffixes=("_lw", "_ml"))
    assert len(both) == len(lw.estimates)
    np.testing.assert_allclose(both["est_ml"], both["est_lw"], atol=1e-6)
    np.testing.assert_allclose(both["std_all_ml"], both["std_all_lw"], atol=1e-6)
    np.testing.assert_allclose(ml.sample_cov, lw.sample_cov, atol=1e-10)
    intercepts = ml.estimates[(ml.estimates["op"] == "~1") & ml.estimates["free"]]
    np.testing.assert_allclose(intercepts["est"], hs[list(ml.sample_cov.index)].mean(), atol=1e-6)
    assert ml.n_patterns == 1 and (ml.coverage["n"] == 301).all()


def test_fiml_keeps_the_rows_listwise_deletes(fits):
    _, hsm, ml = fits("holzinger_swineford_missing_fiml")
    _, _, lw = fits("holzinger_swineford_missing_listwise")
    assert (ml.n_used, ml.n_dropped) == (299, 2) and (lw.n_used, lw.n_dropped) == (132, 169)
    assert "answers per factor: visual 298, textual 299, speed 298" in repr(ml)
    assert "missing='ml'" in repr(ml) and "answers per factor" in ml._repr_html_()


def test_coverage_counts_the_answers(fits):
    g, data, res = fits("skip_logic_fiml")
    cov = res.coverage
    assert list(cov.index) == g["items"] + list(g["model"])
    for item in g["items"]:
        assert cov.loc[item, "n"] == data[item].notna().sum()
        assert cov.loc[item, "kind"] == "item"
    for fac, items in g["model"].items():
        assert cov.loc[fac, "kind"] == "factor"
        assert cov.loc[fac, "n"] == data[items].notna().any(axis=1).sum()
        assert cov.loc[fac, "n_complete"] == data[items].notna().all(axis=1).sum()
    # the service block asked after a filter question: about 3 in 4 answered it
    assert cov.loc["SERV", "n"] == 451 and cov.loc["SERV", "share"] == pytest.approx(451 / 600)
    _, _, lw = fits("skip_logic_listwise")
    assert (lw.coverage["n"] == lw.n_used).all() and lw.n_used == 390


def test_empty_rows_are_dropped_and_counted():
    gen = _data("generated")
    model = {"A": ["a1", "a2", "a3", "a4"], "B": ["b1", "b2", "b3", "b4"]}
    ref = cfa(gen, model)
    padded = pd.concat([gen, pd.DataFrame(np.nan, index=range(3), columns=gen.columns)],
                       ignore_index=True)
    padded.loc[400, "c1"] = 5.0                    # an answer outside the model's items
    res = cfa(padded, model)
    assert (res.n_used, res.n_dropped) == (400, 3)
    assert res.fit.chi2 == pytest.approx(ref.fit.chi2, abs=1e-9)
    pd.testing.assert_frame_equal(res.estimates, ref.estimates)


def test_single_item_factor_under_fiml(fits):
    """The single-indicator factor (loading 1, residual variance fixed 0) under FIML."""
    g, data, res = fits("holzinger_swineford_missing_single")
    assert res.loadings.loc[("speed", "x7"), "est"] == 1.0
    assert res.loadings.loc[("speed", "x7"), "std_all"] == pytest.approx(1.0)
    rv = res.residual_variances.loc["x7"]
    assert rv["est"] == 0.0 and np.isnan(rv["se"])
    assert res.implied_cov.loc["x7", "x7"] == pytest.approx(res.factor_cov.loc["speed", "speed"])
    assert res.fit.df == g["fit"]["df"] == 12 and res.fit.npar == g["fit"]["npar"] == 23


@pytest.mark.parametrize("schur, info", [(True, "auto"), (True, "vech"), (False, "lowrank")])
def test_fiml_gradient_and_observed_information_are_exact(monkeypatch, schur, info):
    """The analytic gradient and observed information (lavaan's default for FIML) against
    central differences of the casewise log-likelihood and of the gradient."""
    monkeypatch.setattr(_cfa_fiml, "_SCHUR", schur)
    monkeypatch.setattr(_cfa_fiml, "_INFO", info)
    hsm = _data("holzinger_swineford_missing")
    model = {"visual": ["x1", "x2", "x3", "x9"], "textual": ["x4", "x5", "x6"],
             "speed": ["x7", "x8", "x9"]}
    clean, items = _cfa._check_model(hsm, model)
    spec = _cfa._Spec(clean, items)
    x = _cfa._answers(hsm, items)
    pt = _cfa_fiml._Patterns(x[_cfa_fiml.check_data(x, items)])
    mu, s, _, _ = _cfa_fiml.em_h1(pt)
    theta = _cfa._start(spec, clean, s)                    # away from the optimum
    z = np.concatenate([theta, mu + 0.05])
    q = spec.q

    def ev(z, level):
        return _cfa_fiml._pass(pt, z[q:], spec.sigma(z[:q]), level)

    grad = _cfa_fiml._gradient(spec, z[:q], ev(z, 1))
    info = _cfa_fiml._information(pt, spec, z[:q], ev(z, 2), observed=True)
    h, eye = 1e-5, np.eye(len(z))
    num_g = [(ev(z + h * e, 0).loglik - ev(z - h * e, 0).loglik) / (2 * h) for e in eye]
    num_h = np.array([(_cfa_fiml._gradient(spec, (z + h * e)[:q], ev(z + h * e, 1))
                       - _cfa_fiml._gradient(spec, (z - h * e)[:q], ev(z - h * e, 1))) / (2 * h)
                      for e in eye])
    np.testing.assert_allclose(grad, num_g, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(info, -num_h, rtol=1e-6, atol=1e-5)
    # the expected information is the observed one's expectation: close, not equal
    exp = _cfa_fiml._information(pt, spec, z[:q], ev(z, 2), observed=False)
    assert np.abs(exp - info).max() > 1e-3


@pytest.mark.parametrize("schur, info", [(True, "vech"), (True, "lowrank"), (False, "vech"),
                                         (False, "lowrank")])
def test_fiml_computation_paths_agree(monkeypatch, fits, schur, info):
    """Schur complements of Sigma^-1 or direct factorisations per pattern, low-rank or
    vech products for the information: the same log-likelihood, estimates and SEs."""
    _, hsm, ref = fits("holzinger_swineford_missing_x9")
    monkeypatch.setattr(_cfa_fiml, "_SCHUR", schur)
    monkeypatch.setattr(_cfa_fiml, "_INFO", info)
    res = cfa(hsm, {f: list(v) for f, v in ref.model.items()})
    assert res.converged
    assert res.fit.loglik == pytest.approx(ref.fit.loglik, abs=1e-8)
    assert res.fit.unrestricted_loglik == pytest.approx(ref.fit.unrestricted_loglik, abs=1e-8)
    np.testing.assert_allclose(res.estimates["est"], ref.estimates["est"], atol=1e-8)
    np.testing.assert_allclose(res.estimates["se"], ref.estimates["se"], rtol=1e-8)
