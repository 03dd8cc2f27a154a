"""Multi-group PLS: do the paths differ between two segments or waves? The permutation test.

``mga(data, blocks, paths, group)`` fits the PLS path model (:func:`csi_helpers.pls.fit`,
R plspm's algorithm) in each of two groups and tests every path's difference with the
permutation test of Chin & Dibbern (2010), the MGA that SmartPLS and seminr offer:

1. fit the model in group A and in group B (each group's indicators standardised within
   the group, as a separate fit would); d_obs = beta_A - beta_B for every path;
2. permute the group labels ``n_perm`` times (the group sizes kept), refit both groups of
   every permutation and record d* = beta*_A - beta*_B;
3. p = (1 + #{|d*| >= |d_obs|}) / (1 + n_perm), two-sided (the +1 of Phipson & Smyth
   2010: a permutation p-value is never 0).

Every fit runs on covariance matrices: a permutation's two covariance matrices come from
its 0/1 membership weights by one matrix product, and all permutations iterate together,
warm-started from the pooled solution, so 1,000 permutations of the demo model (950 x 25,
12 paths) take a few seconds (``benchmarks/bench_pls_mga.py``). Rows with a missing answer
are left out (complete cases), with a note: the fast route needs complete rows, and a
permutation test needs the same rows in every permutation.

References: Chin, W. W. & Dibbern, J. (2010). An introduction to a permutation based
procedure for multi-group PLS analysis. In Handbook of Partial Least Squares, 171-193.
Phipson, B. & Smyth, G. K. (2010). Permutation p-values should never be zero. SAGMB 9(1).

Example
-------
>>> r = mga(survey, blocks, pls.ECSI, group="region", groups=["North", "South"],
...         n_perm=1000, seed=1)                                    # doctest: +SKIP
>>> r.paths.loc[("QUAL", "SAT"), ["North", "South", "difference", "p_value"]]  # doctest: +SKIP
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import CSIInputError, CSIWarning
from .pls import (MAXITER, SCHEMES, TOL, _align_signs, _indicator_matrix, _iterate, _Model,
                  _normalise, _structure, _validate_model)

__all__ = ["mga", "MGAResult"]


@dataclass
class MGAResult:
    """``paths``: one row per path, indexed (from, to), with the estimate in each group
    (a column per group label), ``difference`` (first minus second group) and ``p_value``
    of the permutation test; ``r2`` the R² per group; ``groups``, ``n`` (rows per group),
    ``n_perm`` (permutations used), ``seed``, ``n_dropped`` (rows with a missing answer)."""

    paths: pd.DataFrame
    r2: pd.DataFrame
    groups: list[str]
    n: dict[str, int]
    n_perm: int
    seed: object
    n_dropped: int

    def __repr__(self) -> str:
        a, b = self.groups
        sig = self.paths[self.paths["p_value"] < 0.05]
        return (f"Multi-group PLS, {a} (n={self.n[a]}) vs {b} (n={self.n[b]}), "
                f"{self.n_perm} permutations: {len(sig)} of {len(self.paths)} paths differ "
                "at p < .05")


def _group_cov(Xc: np.ndarray, members: np.ndarray, scaled: bool):
    """Covariance (divisor n_g) or correlation matrices of the groups given as 0/1 rows
    of ``members`` (B, n)."""
    n, p = Xc.shape
    size = members.sum(axis=1)
    mu = members @ Xc / size[:, None]
    outer = (Xc[:, :, None] * Xc[:, None, :]).reshape(n, p * p)
    S = (members @ outer).reshape(-1, p, p) / size[:, None, None] - mu[:, :, None] * mu[:, None, :]
    if scaled:
        sd = np.sqrt(np.clip(np.einsum("bpp->bp", S), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            S = S / (sd[:, :, None] * sd[:, None, :])
    return S


def _paths_of(S: np.ndarray, m: _Model, scheme: str, w0: np.ndarray, tol: float,
              maxiter: int):
    """Path coefficients (B, paths) and R² (B, endogenous) of a batch of fits; NaN rows for
    fits that did not converge or have a constant indicator."""
    ok = np.all(np.isfinite(S), axis=(1, 2))
    B = S.shape[0]
    paths = np.full((B, len(m.path_idx)), np.nan)
    r2 = np.full((B, len(m.endo)), np.nan)
    if not ok.any():
        return paths, r2
    Sok = S[ok]
    w, _, conv = _iterate(Sok, m, scheme, _normalise(Sok, m, np.broadcast_to(w0, (len(Sok), m.p))),
                          tol, maxiter)
    w = _align_signs(Sok, m, w)
    _, _, P, r2_all, _ = _structure(Sok, m, w)
    got = np.stack([P[:, f, t] for f, t in m.path_idx], axis=1)
    got[~conv] = np.nan
    rr = r2_all[:, m.endo]
    rr[~conv] = np.nan
    paths[ok], r2[ok] = got, rr
    return paths, r2


def mga(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]], paths: Sequence[tuple],
        group: str, n_perm: int = 1000, seed=None, groups: Sequence | None = None, *,
        scheme: str = "centroid", scaled: bool = True, tol: float = TOL,
        maxiter: int = MAXITER, chunk: int = 250) -> MGAResult:
    """Permutation test of the path differences between two groups (see the module docstring).

    Parameters
    ----------
    data : the survey with the indicators and the ``group`` column.
    blocks, paths, scheme, scaled, tol, maxiter : as :func:`csi_helpers.pls.fit`.
    group : the column holding the groups (segment, wave).
    groups : the two group labels to compare, in that order (default: the two groups of
        the column, in order of first appearance; required when it has more than two).
    n_perm : permutations (1,000 by default; SmartPLS suggests 1,000 or more).
    seed : for the permutations (numpy ``default_rng``).
    """
    if scheme not in SCHEMES:
        raise CSIInputError(f"pls.mga: scheme={scheme!r}; use one of {SCHEMES}")
    if not isinstance(n_perm, (int, np.integer)) or isinstance(n_perm, bool) or n_perm < 1:
        raise CSIInputError(f"pls.mga: n_perm={n_perm!r}; give a whole number of "
                            "permutations >= 1 (1,000 is usual)")
    if group not in data.columns:
        raise CSIInputError(f"pls.mga: group={group!r} is not a column of the data; name the "
                            "column holding the segments or waves")
    blocks, paths, order = _validate_model(data, blocks, paths)
    items = [it for lv in order for it in blocks[lv]]
    labels_all = data[group]
    present = [g for g in pd.unique(labels_all) if pd.notna(g)]
    if groups is None:
        if len(present) != 2:
            raise CSIInputError(
                f"pls.mga: column {group!r} has {len(present)} groups "
                f"({', '.join(map(str, present[:8]))}); pass groups=[a, b] to compare two")
        groups = present
    groups = list(groups)
    if len(groups) != 2 or groups[0] == groups[1]:
        raise CSIInputError(f"pls.mga: groups={groups!r}; give two different group labels")
    unknown = [g for g in groups if g not in set(present)]
    if unknown:
        raise CSIInputError(f"pls.mga: group(s) {unknown} not in column {group!r}; it has "
                            f"{', '.join(map(str, present[:8]))}")
    rows = data[labels_all.isin(groups)]
    with warnings.catch_warnings():       # said once below, in the test's own words
        warnings.simplefilter("ignore", CSIWarning)
        raw, blocks, _, n_drop = _indicator_matrix(rows, items, blocks, "listwise")
    if n_drop:
        warnings.warn(CSIWarning(f"pls.mga: {n_drop} row(s) with a missing answer left out "
                                 "(the permutation test uses complete rows)"))
    m = _Model(order, blocks, paths)
    label = rows.loc[raw.index, group].to_numpy()
    in_a = (label == groups[0]).astype(float)
    n_a, n_b = int(in_a.sum()), int((1 - in_a).sum())
    if min(n_a, n_b) <= m.p // 2 or min(n_a, n_b) < 10:
        raise CSIInputError(f"pls.mga: {groups[0]!r} has {n_a} and {groups[1]!r} {n_b} complete "
                            f"rows; each group needs at least 10 and more than half the "
                            f"{m.p} indicators")
    X = raw.to_numpy(float)
    Xc = X - X.mean(axis=0)
    pooled = _group_cov(Xc, np.ones((1, len(X))), scaled)
    w_pooled = _normalise(pooled, m, np.ones((1, m.p)))
    w_pooled, _, _ = _iterate(pooled, m, scheme, w_pooled, tol, int(maxiter))

    observed, r2_obs = _paths_of(_group_cov(Xc, np.stack([in_a, 1 - in_a]), scaled), m,
                                 scheme, w_pooled, tol, int(maxiter))
    if np.isnan(observed).any():
        raise CSIInputError("pls.mga: the model does not converge in one of the groups (or an "
                            "indicator is constant there); check the blocks and group sizes")
    d_obs = observed[0] - observed[1]

    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(d_obs))
    used = 0
    left = int(n_perm)
    while left > 0:
        b = min(chunk, left)
        member = np.zeros((b, len(X)))
        for k in range(b):
            member[k, rng.permutation(len(X))[:n_a]] = 1.0
        S = _group_cov(Xc, np.concatenate([member, 1 - member]), scaled)
        est, _ = _paths_of(S, m, scheme, w_pooled, tol, int(maxiter))
        d = est[:b] - est[b:]
        good = ~np.isnan(d).any(axis=1)
        exceed += (np.abs(d[good]) >= np.abs(d_obs) - 1e-12).sum(axis=0)
        used += int(good.sum())
        left -= b
    if used < n_perm:
        warnings.warn(CSIWarning(f"pls.mga: {n_perm - used} of {n_perm} permutations did not "
                                 "converge and were left out of the p-values"))
    p = (1 + exceed) / (1 + used)
    index = pd.MultiIndex.from_tuples([(f, t) for f, t in paths], names=["from", "to"])
    a, b_ = (str(g) for g in groups)
    table = pd.DataFrame({a: observed[0], b_: observed[1], "difference": d_obs, "p_value": p},
                         index=index)
    r2 = pd.DataFrame({a: r2_obs[0], b_: r2_obs[1]},
                      index=pd.Index([m.lvs[k] for k in m.endo], name="lv"))
    return MGAResult(paths=table, r2=r2, groups=[a, b_], n={a: n_a, b_: n_b}, n_perm=used,
                     seed=seed, n_dropped=int(n_drop))
