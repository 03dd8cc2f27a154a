"""PLS estimation: the outer and inner estimation loop (Wold's algorithm) as R plspm runs it.

Outer estimation (mode A): ``w_j = X_j' Z_j / n``; inner estimation ``Z = Y E`` with the
weights E of the scheme (centroid: sign(cor); factorial: cor; path: regression on the
predecessors, correlation with the successors); iterate until
``sum((|w_old| - |w_new|)**2) < tol``, rescale so every LV score has variance 1, reflect
an LV whose loadings are mostly negative, then the inner model (OLS paths, R², total
effects from the powers of the path matrix). Everything from the covariance matrix; the
NA route (``_na_fit``) is plspm's ``get_weights_nonmetric`` on the rows themselves. The
full description is the docstring of ``csi_helpers.pls``.

References: Lohmöller (1989); Tenenhaus et al. (2005), *Computational Statistics & Data
Analysis* 48, 159-205; Russolillo (2012), *Electronic Journal of Statistics* 6.

Example
-------
>>> from csi_helpers import pls_estimation
>>> w, it = pls_estimation._iterate(S, m, "path", w0, 1e-6, 100)   # doctest: +SKIP
"""
from __future__ import annotations

import math

import numpy as np

from .pls_model import _Model


def _inner_weights(R: np.ndarray, m: _Model, scheme: str) -> np.ndarray:
    """E[:, l, j]: weight of Y_l in the inner estimate Z_j (batched over resamples)."""
    if scheme == "centroid":
        return np.sign(R * m.sym)
    if scheme == "factorial":
        return R * m.sym
    E = np.zeros_like(R)
    for k in range(m.L):
        pr, su = m.preds[k], m.succs[k]
        if len(pr):
            E[:, pr, k] = np.linalg.solve(R[:, pr[:, None], pr[None, :]], R[:, pr, k][..., None])[..., 0]
        if len(su):
            E[:, su, k] = R[:, k, su]
    return E


def _iterate(S: np.ndarray, m: _Model, scheme: str, w0: np.ndarray, tol: float,
             maxiter: int):
    """Lohmöller's iteration on a batch of covariance matrices S (B, p, p).

    Returns the normalised weights (B, p), iterations (B,) and converged (B,).
    Mirrors plspm ``get_weights``: Y = X W scaled to variance 1, Z = Y E,
    w_j = X_j' Z_j / n = (S W D E)[block j, j].
    """
    B = S.shape[0]
    w = w0.copy()
    iters = np.zeros(B, dtype=int)
    conv = np.zeros(B, dtype=bool)
    active = np.arange(B)
    rows = np.arange(m.p)
    for it in range(1, maxiter + 1):
        Sa = S[active]
        Wm = w[active][:, :, None] * m.odm                     # (b, p, L)
        SW = Sa @ Wm                                           # (b, p, L)
        C = np.einsum("bpl,bpm->blm", Wm, SW)                  # cov(X W)
        d = 1.0 / np.sqrt(np.einsum("bll->bl", C))
        R = C * d[:, :, None] * d[:, None, :]
        E = _inner_weights(R, m, scheme)
        M = (SW * d[:, None, :]) @ E                           # (b, p, L)
        w_new = M[:, rows, m.block_of]
        diff = np.sum((np.abs(w[active]) - np.abs(w_new)) ** 2, axis=1)
        w[active] = w_new
        iters[active] = it
        done = diff < tol
        conv[active[done]] = True
        active = active[~done]
        if not active.size:
            break
    return _normalise(S, m, w), iters, conv


def _normalise(S, m, w):
    """Scale each block's weights so its LV score has variance 1 (divisor n)."""
    Wm = w[:, :, None] * m.odm
    var = np.einsum("bpl,bpq,bql->bl", Wm, S, Wm)
    return w / np.sqrt(var)[:, m.block_of]


def _align_signs(S, m, w):
    """plspm's sign rule: reflect an LV when the sum of the signs of its loadings <= 0."""
    Wm = w[:, :, None] * m.odm
    cov = (S @ Wm)[:, np.arange(m.p), m.block_of]             # cov(x_i, Y_block(i))
    sgn = np.sign(cov) @ m.odm                                 # (B, L)
    flip = np.where(sgn <= 0, -1.0, 1.0)
    return w * flip[:, m.block_of]


def _structure(S, m, w):
    """Everything after the weights, batched: LV correlations, paths, R², loadings."""
    B = S.shape[0]
    Wm = w[:, :, None] * m.odm
    SW = S @ Wm                                                # cov(X, Y), Y var 1
    R = np.einsum("bpl,bpm->blm", Wm, SW)
    sd = np.sqrt(np.einsum("bpp->bp", S))
    xload = SW / sd[:, :, None]                                # cor(X, Y)
    P = np.zeros((B, m.L, m.L))                                # P[:, f, t]
    r2 = np.zeros((B, m.L))
    for k in m.endo:
        pr = m.preds[k]
        beta = np.linalg.solve(R[:, pr[:, None], pr[None, :]], R[:, pr, k][..., None])[..., 0]
        P[:, pr, k] = beta
        r2[:, k] = np.einsum("bj,bj->b", beta, R[:, pr, k])
    total = np.zeros_like(P)
    power = P.copy()
    for _ in range(m.L):
        total += power
        power = power @ P
    return R, xload, P, r2, total


# --------------------------------------------------------------------------- NA route
def _na_inner(Y: np.ndarray, m: _Model, scheme: str) -> np.ndarray:
    """Inner weights of plspm ``get_weights_nonmetric`` from the current scores Y (n, L)."""
    if scheme == "centroid":
        return np.sign(np.corrcoef(Y, rowvar=False) * m.sym)
    if scheme == "factorial":            # plspm: "factor" = cov(Y) * link
        return np.cov(Y, rowvar=False) * m.sym
    R = np.corrcoef(Y, rowvar=False)     # get_path_scheme
    G = Y.T @ Y
    E = np.zeros((m.L, m.L))
    for k in range(m.L):
        pr, su = m.preds[k], m.succs[k]
        if len(pr):                      # lm(Y_k ~ Y_pred - 1): no intercept
            E[pr, k] = np.linalg.solve(G[np.ix_(pr, pr)], G[pr, k])
        if len(su):
            E[su, k] = R[k, su]
    return E


def _na_fit(Xraw: np.ndarray, m: _Model, scheme: str, tol: float, maxiter: int):
    """plspm ``get_weights_nonmetric`` with every item "num", mode A, on data with NaN.

    Returns weights (p,), scores Y (n, L, mean 0, variance 1), iterations, converged,
    the pairwise-complete cross-loadings (p, L), item means and population sds.
    """
    n = Xraw.shape[0]
    A = ~np.isnan(Xraw)
    Af = A.astype(float)
    n_j = Af.sum(axis=0)
    mean = np.nanmean(Xraw, axis=0)
    Xc = np.where(A, Xraw - mean, 0.0)
    ss = (Xc ** 2).sum(axis=0)
    sd = np.sqrt(ss / n_j)                                     # population sd, available
    X0 = Xc / np.sqrt(ss / (n_j - 1)) / math.sqrt((n - 1) / n)  # get_treated_data
    Q = Xc / sd                                                # get_num_scale (0 where NA)
    bo, odm = m.block_of, m.odm
    w = 1.0 / np.sqrt(np.bincount(bo, minlength=m.L)[bo])
    Y = ((X0 * w) @ odm) / ((Af * w ** 2) @ odm)
    conv, it = False, 0
    while True:
        it += 1
        Y_old = Y
        Z = Y @ _na_inner(Y, m, scheme)
        Zi = Z[:, bo]
        w = (Q * Zi).sum(axis=0) / (Af * Zi ** 2).sum(axis=0)
        Y = ((Q * w) @ odm) / ((Af * w ** 2) @ odm)
        Y = Y - Y.mean(axis=0)
        Y = Y / np.sqrt((Y ** 2).mean(axis=0))
        if np.sum((np.abs(Y_old) - np.abs(Y)) ** 2) < tol:
            conv = True
            break
        if it > maxiter:
            break
    # plspm: W %*% diag(1 / (sd(QQ %*% W, na.rm) / correction)), sd over complete rows
    QW = np.where(A, Q, np.nan) @ (w[:, None] * odm)
    sdq = np.array([np.std(QW[~np.isnan(QW[:, k]), k], ddof=1) for k in range(m.L)])
    w = w / (sdq / math.sqrt(n / (n - 1)))[bo]
    # cor(QQ, Y, use = "pairwise.complete.obs")
    Sy, Syy = Af.T @ Y, Af.T @ Y ** 2
    Sx, Sxx, Sxy = Q.sum(axis=0), (Q ** 2).sum(axis=0), Q.T @ Y
    cov = Sxy / n_j[:, None] - (Sx / n_j)[:, None] * Sy / n_j[:, None]
    vy = Syy / n_j[:, None] - (Sy / n_j[:, None]) ** 2
    vx = Sxx / n_j - (Sx / n_j) ** 2
    xload = cov / np.sqrt(vx[:, None] * vy)
    # the same sign rule as the complete-data route (plspm get_scores)
    sgn = np.sign(xload[np.arange(m.p), bo]) @ odm
    flip = np.where(sgn <= 0, -1.0, 1.0)
    return (w * flip[bo], Y * flip, it, conv, xload * flip, mean, sd)


def _na_structure(Y: np.ndarray, m: _Model):
    """LV correlations, paths, R² and total effects from complete scores Y (n, L)."""
    R = np.corrcoef(Y, rowvar=False)
    P = np.zeros((m.L, m.L))
    r2 = np.zeros(m.L)
    for k in m.endo:
        pr = m.preds[k]
        beta = np.linalg.solve(R[np.ix_(pr, pr)], R[pr, k])
        P[pr, k] = beta
        r2[k] = beta @ R[pr, k]
    total = np.zeros_like(P)
    power = P.copy()
    for _ in range(m.L):
        total += power
        power = power @ P
    return R, P, r2, total
