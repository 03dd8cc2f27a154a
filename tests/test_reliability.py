"""csi_helpers.reliability against R psych (goldens in tests/golden/psych/, made by psych_goldens.R).

Golden values: R psych 2.2.9 (psych::alpha, psych::omega with nfactors = 3) with
GPArotation 2022.10.2 on R 4.2.2 (recorded in goldens.json "meta"), on
tests/golden/datasets/satisfaction.csv and tests/golden/psych/generated.csv (3% missing
cells: psych::alpha uses pairwise covariances, and so do we).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers import reliability
from _golden_data import psych_data
from csi_helpers.errors import CSIInputError, CSIWarning

HERE = Path(__file__).parent
GOLDEN = json.loads((HERE / "golden" / "psych" / "goldens.json").read_text())
TOL = 1e-3


_data = psych_data


def _alpha_cases():
    for name in ("satisfaction", "generated"):
        for case in GOLDEN[name]["alpha"]:
            yield pytest.param(name, case, id=f"{name}-{case}")


@pytest.mark.parametrize("name,case", list(_alpha_cases()))
def test_alpha_equals_psych(name, case):
    g = GOLDEN[name]["alpha"][case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        a = reliability.alpha(_data(name)[g["items"]], reverse=g["keys"] or None)
    assert a.alpha == pytest.approx(g["raw_alpha"], abs=TOL)
    assert a.std_alpha == pytest.approx(g["std_alpha"], abs=TOL)
    assert a.average_r == pytest.approx(g["average_r"], abs=TOL)
    t = a.items
    assert list(t.index) == g["item_names"]
    for ours, theirs in [("mean", "mean"), ("sd", "sd"), ("r_drop", "r_drop"),
                         ("alpha_if_deleted", "alpha_drop"), ("std_alpha_if_deleted", "std_alpha_drop"),
                         ("raw_r", "raw_r"), ("std_r", "std_r"), ("n", "n")]:
        np.testing.assert_allclose(t[ours].to_numpy(dtype=float), g[theirs], atol=TOL, err_msg=ours)
    assert "Alpha(alpha=" in repr(a)


def test_alpha_reverse_keys_and_negative_item_warning():
    d = _data("generated")[["a1", "a2", "a3", "a4", "a5r"]]
    with pytest.warns(CSIWarning, match=r"\['a5r'\] correlate negatively.*reverse=\['a5r'\]"):
        unkeyed = reliability.alpha(d)
    assert unkeyed.negative == ("a5r",)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CSIWarning)      # keyed: no warning at all
        keyed = reliability.alpha(d, reverse=["a5r"])
    assert keyed.reversed == ("a5r",) and keyed.negative == ()
    assert keyed.alpha > unkeyed.alpha + 0.2
    assert reliability.alpha(d, reverse="a5r").alpha == keyed.alpha    # a single name is fine


def test_alpha_pairwise_n_and_listwise():
    d = _data("generated")[["c1", "c2", "c3", "c4", "c5"]]
    a = reliability.alpha(d)
    assert a.n == int(d.notna().any(axis=1).sum())
    assert (a.items["n"] < len(d)).all()
    al = reliability.alpha(d, missing="listwise")
    assert al.n == int(d.notna().all(axis=1).sum()) < a.n
    assert al.alpha != pytest.approx(a.alpha, abs=1e-9)


@pytest.mark.parametrize("name", ["satisfaction", "generated"])
def test_omega_equals_psych(name):
    g = GOLDEN[name]["omega"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        om = reliability.omega(_data(name))
    assert om.omega_total == pytest.approx(g["omega_total"], abs=TOL)
    assert om.omega_h == pytest.approx(g["omega_h"], abs=TOL)
    assert om.alpha == pytest.approx(g["alpha"], abs=TOL)
    assert om.g6 == pytest.approx(g["G6"], abs=TOL)
    assert om.omega_limit == pytest.approx(g["omega_lim"], abs=TOL)
    np.testing.assert_allclose(om.loadings["g"], g["sl_g"], atol=TOL)
    np.testing.assert_allclose(om.loadings["h2"], g["sl_h2"], atol=TOL)
    assert list(om.loadings.columns) == ["g", "F1*", "F2*", "F3*", "h2", "u2", "p2"]
    assert "Omega(omega_total=" in repr(om)


def test_omega_flips_negative_general_loadings_with_a_warning():
    with pytest.warns(CSIWarning, match=r"\['a5r'\] load negatively on the general factor"):
        om = reliability.omega(_data("generated"))
    assert om.flipped == ("a5r",)
    assert GOLDEN["generated"]["omega"]["sl_names"][4] == "a5r-"     # psych flipped it too


def test_omega_two_and_one_factor():
    d = _data("generated")[["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]]
    two = reliability.omega(d, n_factors=2)
    one = reliability.omega(d, n_factors=1)
    assert 0 < two.omega_h <= two.omega_total <= 1
    assert 0 < one.omega_total <= 1
    with pytest.raises(CSIInputError, match="n_factors"):
        reliability.omega(d, n_factors=8)
    with pytest.raises(CSIInputError, match="n_factors"):
        reliability.omega(d, n_factors=0)


# ----------------------------------------------------------------- bad and awkward input
def test_constant_item_is_dropped_with_a_warning_naming_it():
    d = _data("generated")[["c1", "c2", "c3"]].assign(same=3)
    with pytest.warns(CSIWarning, match=r"item 'same' is constant \(3\)"):
        a = reliability.alpha(d)
    assert a.dropped == ("same",) and "same" not in a.items.index
    ref = reliability.alpha(d[["c1", "c2", "c3"]])
    assert a.alpha == pytest.approx(ref.alpha)


def test_reverse_names_an_unknown_item():
    d = _data("generated")[["c1", "c2", "c3"]]
    with pytest.raises(CSIInputError, match=r"reverse=\['c9'\]"):
        reliability.alpha(d, reverse=["c9"])


def test_non_numeric_and_too_few_items_are_clear_errors():
    d = _data("generated")[["c1", "c2"]]
    with pytest.raises(CSIInputError, match="'label' is not numeric"):
        reliability.alpha(d.assign(label="x"))
    with pytest.raises(CSIInputError, match="at least 2"):
        reliability.alpha(d[["c1"]])
    with pytest.raises(CSIInputError, match="missing="):
        reliability.alpha(d, missing="drop")


def test_fewer_respondents_than_items():
    d = _data("generated").dropna().head(8)
    with pytest.warns(CSIWarning, match=r"fewer respondents \(8\) than items \(15\)"):
        a = reliability.alpha(d)
    assert np.isfinite(a.alpha)
    with pytest.warns(CSIWarning, match="smoothed"):
        om = reliability.omega(d)
    assert np.isfinite(om.omega_total)


def test_inputs_are_not_modified():
    d = _data("generated")
    before = d.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CSIWarning)
        reliability.alpha(d, reverse=["a5r"])
        reliability.omega(d)
    pd.testing.assert_frame_equal(d, before)
