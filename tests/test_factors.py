"""csi_helpers.factors against R psych (goldens in tests/golden/psych/, made by psych_goldens.R).

Golden values: R psych 2.2.9 with GPArotation 2022.10.2 on R 4.2.2 (versions recorded in
goldens.json "meta"), on tests/golden/datasets/satisfaction.csv (27 items, R plspm's data)
and on tests/golden/psych/generated.csv (made by make_generated.py: a seeded 3-factor
model, 15 Likert items, 3% missing cells, so pairwise correlations matter).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers import factors
from _golden_data import psych_data
from csi_helpers.errors import CSIInputError, CSIWarning

HERE = Path(__file__).parent
GOLDEN = json.loads((HERE / "golden" / "psych" / "goldens.json").read_text())
TOL = 1e-3          # issue 3: loadings and reliability
TIGHT = 1e-6        # closed-form statistics (KMO, Bartlett, eigenvalues)


_data = psych_data


DATASETS = ["satisfaction", "generated"]


def test_golden_provenance_is_recorded():
    meta = GOLDEN["meta"]
    assert meta["tool"] == "R psych" and meta["psych"] == "2.2.9" and meta["GPArotation"]
    assert (HERE / "golden" / "psych" / "psych_goldens.R").exists()


@pytest.mark.parametrize("name", DATASETS)
def test_kmo_equals_psych(name):
    g = GOLDEN[name]["kmo"]
    k = factors.kmo(_data(name))
    assert k.overall == pytest.approx(g["overall"], abs=TIGHT)
    np.testing.assert_allclose(k.per_item.to_numpy(), g["per_item"], atol=TIGHT)
    assert list(k.per_item.index) == GOLDEN[name]["items"]
    assert "KMO(overall=" in repr(k)


@pytest.mark.parametrize("name", DATASETS)
def test_bartlett_equals_psych(name):
    g = GOLDEN[name]["bartlett"]
    b = factors.bartlett(_data(name))
    assert b.chi2 == pytest.approx(g["chi2"], rel=TIGHT)
    assert b.df == g["df"]
    assert b.p_value == pytest.approx(g["p_value"], abs=1e-12)
    assert b.n == GOLDEN[name]["n"]


def _cases():
    for name in DATASETS:
        for i, c in enumerate(GOLDEN[name]["fa"]):
            yield pytest.param(name, i, id=f"{name}-{c['fm']}-{c['rotate']}")


@pytest.mark.parametrize("name,i", list(_cases()))
def test_efa_equals_psych_fa(name, i):
    g = GOLDEN[name]["fa"][i]
    method = {"pa": "principal"}[g["fm"]] if g["fm"] == "pa" else g["fm"]
    rotation = None if g["rotate"] == "none" else g["rotate"]
    f = factors.efa(_data(name), g["nfactors"], method=method, rotation=rotation)
    np.testing.assert_allclose(f.loadings.to_numpy(), np.array(g["loadings"]), atol=TOL)
    np.testing.assert_allclose(f.communalities.to_numpy(), g["communality"], atol=TOL)
    np.testing.assert_allclose(f.variance.to_numpy(), np.array(g["vaccounted"]), atol=TOL)
    assert list(f.loadings.columns) == g["factor_names"]
    if g["phi"] is None:
        assert f.phi is None
    else:
        np.testing.assert_allclose(f.phi.to_numpy(), np.array(g["phi"]), atol=TOL)
    np.testing.assert_allclose(f.eigenvalues.to_numpy(), g["e_values"], atol=TIGHT)
    np.testing.assert_allclose(f.common_eigenvalues.to_numpy(), g["values"], atol=TOL)
    assert f.converged and f.heywood == ()
    # psych conventions: every column sums positive, ordered by variance explained
    assert (f.loadings.sum() > 0).all()
    ss = f.variance.loc["ss_loadings"].to_numpy()
    assert np.all(np.diff(ss) <= 1e-12)
    assert "EFA(method=" in repr(f)


@pytest.mark.parametrize("name", DATASETS)
def test_parallel_analysis_observed_eigenvalues_and_psych_decision(name):
    g = GOLDEN[name]["parallel"]
    pa = factors.parallel_analysis(_data(name), n_iter=20, seed=1)
    np.testing.assert_allclose(pa.table["observed_pc"], g["pc_values"], atol=TIGHT)
    np.testing.assert_allclose(pa.table["observed_fa"], g["fa_values"], atol=TIGHT)
    # with psych's own simulation (its 95th percentiles), our decision rule gives psych's numbers
    assert factors._first_not_above(np.array(g["fa_values"]), np.array(g["fa_sim_q95"])) == g["nfact"]
    assert factors._first_not_above(np.array(g["pc_values"]), np.array(g["pc_sim_q95"])) == g["ncomp"]


def test_parallel_analysis_own_simulation_matches_psych_on_generated():
    g = GOLDEN["generated"]["parallel"]
    pa = factors.parallel_analysis(_data("generated"), n_iter=100, seed=20261123)
    assert (pa.n_factors, pa.n_components) == (g["nfact"], g["ncomp"]) == (3, 3)
    # simulated means agree with psych's up to simulation noise (100 replicates each)
    np.testing.assert_allclose(pa.table["simulated_pc_mean"], g["pc_sim_mean"], atol=0.02)
    # (the first factor eigenvalue of noise has a long right tail: looser there)
    np.testing.assert_allclose(pa.table["simulated_fa_mean"].iloc[0], g["fa_sim_mean"][0], atol=0.05)
    np.testing.assert_allclose(pa.table["simulated_fa_mean"].iloc[1:], g["fa_sim_mean"][1:], atol=0.02)
    assert list(pa.table.columns) == ["observed_pc", "simulated_pc_mean", "simulated_pc_q95",
                                      "observed_fa", "simulated_fa_mean", "simulated_fa_q95"]
    assert "ParallelAnalysis(n_factors=3" in repr(pa)


def test_parallel_analysis_is_reproducible_with_seed():
    d = _data("generated")
    a = factors.parallel_analysis(d, n_iter=5, seed=7)
    b = factors.parallel_analysis(d, n_iter=5, seed=7)
    c = factors.parallel_analysis(d, n_iter=5, seed=8)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.table["simulated_pc_mean"], c.table["simulated_pc_mean"])


def test_first_not_above_counts_all_when_every_value_is_above():
    assert factors._first_not_above(np.array([3.0, 2.0, 1.0]), np.zeros(3)) == 3
    assert factors._first_not_above(np.array([3.0, 0.5, 1.0]), np.ones(3)) == 1


# ----------------------------------------------------------------- missing data
def test_missing_data_pairwise_by_default_and_listwise_on_request():
    d = _data("generated")
    assert d.isna().any().any()
    f = factors.efa(d, 3)
    assert f.n == len(d)
    assert f.n_obs.to_numpy().min() < len(d)          # pairwise counts reported
    fl = factors.efa(d, 3, missing="listwise")
    assert fl.n == int((~d.isna().any(axis=1)).sum()) < len(d)
    assert factors.kmo(d, missing="listwise").n == fl.n
    assert factors.bartlett(d, missing="listwise").n == fl.n
    # factor_analyzer's calculate_kmo fails on NaN; ours works (and equals psych, tested above)
    assert 0 < factors.kmo(d).overall < 1


def test_inputs_are_not_modified():
    d = _data("generated")
    before = d.copy()
    factors.efa(d, 3)
    factors.kmo(d)
    factors.parallel_analysis(d, n_iter=2, seed=1)
    pd.testing.assert_frame_equal(d, before)


def test_recovers_the_planted_structure():
    f = factors.efa(_data("generated"), 3, rotation="oblimin")
    top = f.loadings.abs().idxmax(axis=1)
    groups = {it: top[it] for it in top.index}
    assert len({groups[i] for i in ["a1", "a2", "a3", "a4", "a5r"]}) == 1
    assert len({groups[i] for i in ["b1", "b2", "b3", "b4"]}) == 1
    assert len({groups[i] for i in ["c1", "c2", "c3", "c4", "c5"]}) == 1
    assert f.loadings.loc["a5r", groups["a5r"]] < -0.4      # the reverse-keyed item loads negatively


# ----------------------------------------------------------------- bad and awkward input
def _heywood_data() -> pd.DataFrame:
    """Six items whose exact correlations force a communality above 1 for item u.

    Committed as tests/golden/psych/heywood.csv, which psych_goldens.R analyses.
    """
    r = np.full((6, 6), 0.45)
    r[0, 1:] = r[1:, 0] = 0.7
    np.fill_diagonal(r, 1.0)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((300, 6))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T)).T)
    return pd.DataFrame(z @ np.linalg.cholesky(r).T, columns=list("uvwxyz"))


@pytest.mark.parametrize("method", ["minres", "ml", "principal"])
def test_heywood_case_is_reported_not_hidden(method):
    with pytest.warns(CSIWarning, match=r"Heywood case\(s\) \['u'\]"):
        f = factors.efa(_heywood_data(), 1, method=method, rotation=None)
    assert f.heywood == ("u",)
    assert f.communalities["u"] >= factors.HEYWOOD_COMMUNALITY
    # the same communalities as psych (minres 1.038 and pa 1.087: psych's "ultra-Heywood")
    golden = GOLDEN["heywood"][{"principal": "pa"}.get(method, method)]
    np.testing.assert_allclose(f.communalities.to_numpy(), golden, atol=TOL)


def test_heywood_golden_data_is_the_committed_csv():
    committed = pd.read_csv(HERE / "golden" / "psych" / "heywood.csv")
    np.testing.assert_allclose(committed.to_numpy(), _heywood_data().to_numpy(), atol=1e-12)


@pytest.mark.parametrize("method", ["principal", "ml"])
def test_non_convergence_is_reported(method):
    with pytest.warns(CSIWarning, match="did not converge"):
        f = factors.efa(_data("generated"), 3, method=method, max_iter=2)
    assert f.converged is False


def test_constant_item_is_dropped_with_a_warning_naming_it():
    d = _data("generated").assign(const=4.0)
    with pytest.warns(CSIWarning, match="'const'.*constant"):
        f = factors.efa(d, 3)
    assert "const" not in f.loadings.index and f.dropped == ("const",)
    with pytest.warns(CSIWarning, match="'const'"):
        assert "const" not in factors.kmo(d).per_item.index
    with pytest.warns(CSIWarning, match="'empty'.*no answers"):
        factors.bartlett(_data("generated").assign(empty=np.nan))


def test_fewer_respondents_than_items_smooths_with_a_warning():
    d = _data("generated").head(10)
    with pytest.warns(CSIWarning, match=r"fewer respondents \(10\) than items \(15\).*smoothed"):
        f = factors.efa(d, 2)
    assert f.smoothed
    with pytest.warns(CSIWarning, match="smoothed"):
        k = factors.kmo(d)
    assert np.isfinite(k.overall)


def test_singular_matrix_smooths_with_a_warning():
    d = _data("generated").dropna()
    d = d.assign(total=d["a1"] + d["a2"])          # an exact linear combination
    with pytest.warns(CSIWarning, match="linear combination.*smoothed"):
        b = factors.bartlett(d)
    assert np.isfinite(b.chi2)


def test_no_overlap_between_two_items_is_a_clear_error():
    d = pd.DataFrame({"a": [1, 2, 3, 4, np.nan, np.nan, np.nan, np.nan],
                      "b": [np.nan, np.nan, np.nan, np.nan, 1, 2, 3, 5],
                      "c": [1, 3, 2, 4, 5, 3, 2, 1]})
    with pytest.raises(CSIInputError, match="a-b"):
        factors.kmo(d)


@pytest.mark.parametrize("kwargs,match", [
    (dict(n_factors=15), "too many"),
    (dict(n_factors=0), "n_factors"),
    (dict(n_factors=2.5), "n_factors"),
    (dict(n_factors=2, method="pca"), "method="),
    (dict(n_factors=2, rotation="quartimax"), "rotation="),
    (dict(n_factors=2, missing="mean"), "missing="),
    (dict(n_factors=2, max_iter=0), "max_iter"),
])
def test_bad_parameters_raise_csi_input_error(kwargs, match):
    with pytest.raises(CSIInputError, match=match):
        factors.efa(_data("generated"), **kwargs)


def test_non_numeric_column_is_named():
    d = _data("generated").assign(region="North")
    with pytest.raises(CSIInputError, match="'region' is not numeric"):
        factors.efa(d, 2)
    with pytest.raises(CSIInputError, match="DataFrame"):
        factors.kmo([[1, 2], [3, 4]])


@pytest.mark.parametrize("kwargs", [dict(n_iter=0), dict(n_iter=True), dict(quantile=1.5)])
def test_parallel_analysis_bad_parameters(kwargs):
    with pytest.raises(CSIInputError):
        factors.parallel_analysis(_data("generated"), **kwargs)


def test_principal_alias_pa_and_rotation_none_string():
    d = _data("generated")
    a = factors.efa(d, 3, method="pa", rotation="none")
    b = factors.efa(d, 3, method="principal", rotation=None)
    pd.testing.assert_frame_equal(a.loadings, b.loadings)
    assert a.phi is None and a.rotation is None


def test_cfa_and_validity_are_reexported_when_present():
    try:
        from csi_helpers import _cfa
    except ImportError:
        pytest.skip("csi_helpers/_cfa.py is not there yet")
    assert factors.cfa is _cfa.cfa and factors.validity is _cfa.validity
    assert "cfa" in factors.__all__
