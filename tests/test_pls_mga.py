"""Multi-group PLS (permutation test, Chin & Dibbern 2010): group estimates equal separate
fits, the permutation distribution equals refitting each permuted split, planted
differences are found and equal populations are not."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi_helpers import pls
from csi_helpers.errors import CSIInputError, CSIWarning

BLOCKS = {"X": ["x1", "x2", "x3"], "M": ["m1", "m2", "m3"], "Y": ["y1", "y2", "y3"]}
PATHS = [("X", "M"), ("X", "Y"), ("M", "Y")]


def _group(rng, n, b_xy, b_mx=0.5, b_my=0.3):
    x = rng.normal(size=n)
    m = b_mx * x + rng.normal(scale=np.sqrt(1 - b_mx ** 2), size=n)
    y = b_xy * x + b_my * m + rng.normal(scale=0.6, size=n)
    cols = {}
    for name, lv in (("x", x), ("m", m), ("y", y)):
        for k in (1, 2, 3):
            cols[f"{name}{k}"] = 0.8 * lv / lv.std() + rng.normal(scale=0.6, size=n)
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(7)
    a, b = _group(rng, 250, b_xy=0.6), _group(rng, 250, b_xy=0.0)
    return pd.concat([a.assign(wave="2026-Q3"), b.assign(wave="2026-Q4")], ignore_index=True)


def test_group_estimates_equal_separate_fits(planted):
    r = pls.mga(planted, BLOCKS, PATHS, group="wave", n_perm=50, seed=1)
    for g in r.groups:
        alone = pls.fit(planted[planted["wave"] == g], BLOCKS, PATHS)
        np.testing.assert_allclose(r.paths[g].to_numpy(), alone.paths["estimate"].to_numpy(),
                                   atol=1e-6)
        np.testing.assert_allclose(r.r2[g].to_numpy(), alone.r2.to_numpy(), atol=1e-6)
    assert r.paths["difference"].to_numpy() == pytest.approx(
        (r.paths[r.groups[0]] - r.paths[r.groups[1]]).to_numpy())
    assert r.n == {"2026-Q3": 250, "2026-Q4": 250} and r.n_perm == 50


def test_permutation_p_values_equal_refitting_every_split(planted):
    """The batched covariance route gives the same p-values as pls.fit on each permuted
    split, drawn with the same generator in the same order."""
    n_perm, seed = 30, 11
    r = pls.mga(planted, BLOCKS, PATHS, group="wave", n_perm=n_perm, seed=seed)
    data = planted.reset_index(drop=True)
    n_a = 250
    rng = np.random.default_rng(seed)
    d_obs = r.paths["difference"].to_numpy()
    exceed = np.zeros(len(PATHS))
    for _ in range(n_perm):
        idx = rng.permutation(len(data))[:n_a]
        a = pls.fit(data.iloc[np.sort(idx)], BLOCKS, PATHS).paths["estimate"].to_numpy()
        b = pls.fit(data.drop(index=idx), BLOCKS, PATHS).paths["estimate"].to_numpy()
        exceed += np.abs(a - b) >= np.abs(d_obs) - 1e-12
    np.testing.assert_allclose(r.paths["p_value"].to_numpy(), (1 + exceed) / (1 + n_perm))


def test_a_planted_difference_is_found_and_equal_paths_are_not(planted):
    r = pls.mga(planted, BLOCKS, PATHS, group="wave", n_perm=500, seed=3)
    assert r.paths.loc[("X", "Y"), "p_value"] < 0.01            # 0.6 against 0.0
    assert r.paths.loc[("X", "M"), "p_value"] > 0.05            # the same in both
    assert r.paths.loc[("M", "Y"), "p_value"] > 0.05
    assert "1 of 3 paths differ" in repr(r)


def test_same_seed_same_p_values(planted):
    a = pls.mga(planted, BLOCKS, PATHS, group="wave", n_perm=100, seed=5)
    b = pls.mga(planted, BLOCKS, PATHS, group="wave", n_perm=100, seed=5)
    pd.testing.assert_frame_equal(a.paths, b.paths)


def test_choosing_two_of_several_groups_and_missing_rows(planted):
    data = planted.assign(region=np.where(np.arange(len(planted)) % 3 == 0, "East",
                                          np.where(np.arange(len(planted)) % 3 == 1, "West",
                                                   "North")))
    with pytest.raises(CSIInputError, match="has 3 groups"):
        pls.mga(data, BLOCKS, PATHS, group="region")
    data.loc[[0, 3], "x1"] = np.nan
    with pytest.warns(CSIWarning, match="2 row"):
        r = pls.mga(data, BLOCKS, PATHS, group="region", groups=["East", "West"], n_perm=20,
                    seed=1)
    assert r.groups == ["East", "West"] and r.n_dropped == 2


def test_bad_inputs_are_named(planted):
    with pytest.raises(CSIInputError, match="group='segment'"):
        pls.mga(planted, BLOCKS, PATHS, group="segment")
    with pytest.raises(CSIInputError, match=r"\['2027-Q1'\]"):
        pls.mga(planted, BLOCKS, PATHS, group="wave", groups=["2026-Q3", "2027-Q1"])
    with pytest.raises(CSIInputError, match="n_perm"):
        pls.mga(planted, BLOCKS, PATHS, group="wave", n_perm=0)
    small = pd.concat([planted.head(8), planted[planted["wave"] == "2026-Q4"]])
    with pytest.raises(CSIInputError, match="at least 10"):
        pls.mga(small, BLOCKS, PATHS, group="wave")
