"""The bootstrap of a PLS path model: resampled weights, loadings, paths and effects.

Each resample is a vector of counts c_b (how often each row is drawn); with the data
centred on the full-sample mean its moments come by one matrix product,
``mean_b = c_b Xc / n`` and ``S_b = Xc' diag(c_b) Xc / n - mean_b mean_b'``, and all
resamples iterate together, warm-started from the full-sample weights. With missing
answers each resample reruns plspm's NA route (``csi_helpers._pls_missing``). Intervals
are 95% percentile intervals; resamples that fail to converge are redrawn.

Reference: Sanchez, G. (2013) *PLS Path Modeling with R*, §4 (plspm's ``boot``).

Example
-------
>>> from csi_helpers import pls
>>> r = pls.fit(df, blocks, pls.ECSI, bootstrap=1000, seed=1)   # doctest: +SKIP
>>> r.paths[["estimate", "se", "ci_low", "ci_high"]]           # doctest: +SKIP
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from . import _pls_missing
from .errors import CSIInputError
from .pls_results import _LEVEL, Bootstrap
from .pls_estimation import (_align_signs, _iterate, _na_fit, _na_structure, _normalise, _structure)


# --------------------------------------------------------------------------- bootstrap
def _resample_cov(Xc: np.ndarray, counts: np.ndarray):
    """Means and covariance matrices (divisor n) of resamples given as count weights.

    counts (B, n): how often each row is drawn. With Xc centred on the full-sample
    mean, mean_b = c_b Xc / n and S_b = Xc' diag(c_b) Xc / n - mean_b mean_b'.
    """
    n, p = Xc.shape
    mu = counts @ Xc / n
    outer = (Xc[:, :, None] * Xc[:, None, :]).reshape(n, p * p)
    S = (counts @ outer).reshape(-1, p, p) / n - mu[:, :, None] * mu[:, None, :]
    return mu, S


def _bootstrap(Xc, mean, m, scheme, scaled, B, seed, w_full, tol, maxiter, items,
               path_labels, effect_labels, endo_labels, original):
    rng = np.random.default_rng(seed)
    n = Xc.shape[0]
    keep: dict = {k: [] for k in ("w", "load", "paths", "r2", "total", "mu", "sd", "it")}
    got, redrawn = 0, 0
    chunk = 500                      # bounds memory: chunk * p * p floats
    while got < B:
        b = min(chunk, B - got)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(),
                             minlength=b * n).reshape(b, n).astype(float)
        mu, S = _resample_cov(Xc, counts)
        sdb = np.sqrt(np.clip(np.einsum("bpp->bp", S), 0, None))
        ok = np.all(sdb > 0, axis=1)
        if scaled:
            with np.errstate(divide="ignore", invalid="ignore"):
                S = S / (sdb[:, :, None] * sdb[:, None, :])
        S, mu, sdb = S[ok], mu[ok], sdb[ok]
        if not len(S):
            redrawn += b
            continue
        w0 = np.broadcast_to(w_full, (len(S), m.p))
        w, iters, conv = _iterate(S, m, scheme, _normalise(S, m, w0), tol, maxiter)
        redrawn += int(b - conv.sum())
        S, w, mu, sdb, iters = S[conv], w[conv], mu[conv], sdb[conv], iters[conv]
        w = _align_signs(S, m, w)
        R, xload, P, r2, total = _structure(S, m, w)
        keep["w"].append(w)
        keep["load"].append(xload[:, np.arange(m.p), m.block_of])
        keep["paths"].append(np.stack([P[:, f, t] for f, t in m.path_idx], axis=1))
        keep["r2"].append(r2[:, m.endo])
        keep["total"].append(np.stack([total[:, i, j] for i, j in m.pairs], axis=1)
                             if m.pairs else np.zeros((len(w), 0)))
        keep["mu"].append(mu + mean)
        keep["sd"].append(sdb)
        keep["it"].append(iters)
        got += len(w)
        if redrawn > 10 * B:
            raise CSIInputError("pls.fit: most bootstrap resamples do not converge; the model "
                                "is unstable on this data (check blocks and sample size)")
    arr = {k: np.concatenate(v)[:B] for k, v in keep.items()}
    return _bootstrap_result(arr, B, seed, redrawn, items, path_labels, effect_labels,
                             endo_labels, original)


def _bootstrap_na(Xraw, m, scheme, B, seed, tol, maxiter, items, path_labels,
                  effect_labels, endo_labels, original):
    """Bootstrap on data with NaN: plspm's NA route on each resample (from plspm's start),
    run on count-weighted sufficient statistics of the rows grouped by missing-value
    pattern (:mod:`csi_helpers._pls_missing`), all resamples of a batch together. Same
    resamples and the same draws (to rounding) as refitting each resample's rows, which
    :func:`_bootstrap_na_reference` does. A resample with an item left without variance
    or with fewer than 3 answers, or that does not converge, is drawn again."""
    arr, redrawn = _pls_missing.bootstrap_na(Xraw, m, scheme, B, seed, tol, maxiter)
    return _bootstrap_result(arr, B, seed, redrawn, items, path_labels, effect_labels,
                             endo_labels, original)


def _bootstrap_na_reference(Xraw, m, scheme, B, seed, tol, maxiter, items, path_labels,
                            effect_labels, endo_labels, original):
    """The row-by-row NA bootstrap (a copy of each resample's rows, then :func:`_na_fit`):
    ~40x slower than :func:`_bootstrap_na`, kept as the reference its tests compare to."""
    rng = np.random.default_rng(seed)
    n = Xraw.shape[0]
    keep: dict = {k: [] for k in ("w", "load", "paths", "r2", "total", "mu", "sd", "it")}
    redrawn = 0
    rows = np.arange(m.p)
    while len(keep["w"]) < B:
        Xb = Xraw[rng.integers(0, n, size=n)]
        with np.errstate(divide="ignore", invalid="ignore"):
            sdb = np.nanstd(Xb, axis=0)
        if not (np.all(sdb > 0) and np.all((~np.isnan(Xb)).sum(axis=0) >= 3)):
            redrawn += 1
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            w, Y, it, cv, xload, mu, sdv = _na_fit(Xb, m, scheme, tol, maxiter)
        if not cv or not np.all(np.isfinite(w)):
            redrawn += 1
            if redrawn > 10 * B:
                raise CSIInputError("pls.fit: most bootstrap resamples do not converge; the "
                                    "model is unstable on this data (check blocks and "
                                    "sample size)")
            continue
        R, P, r2, total = _na_structure(Y, m)
        keep["w"].append(w)
        keep["load"].append(xload[rows, m.block_of])
        keep["paths"].append(np.array([P[f, t] for f, t in m.path_idx]))
        keep["r2"].append(r2[m.endo])
        keep["total"].append(np.array([total[i, j] for i, j in m.pairs]))
        keep["mu"].append(mu)
        keep["sd"].append(sdv)
        keep["it"].append(it)
    arr = {k: np.array(v) for k, v in keep.items()}
    return _bootstrap_result(arr, B, seed, redrawn, items, path_labels, effect_labels,
                             endo_labels, original)


def _bootstrap_result(arr, B, seed, redrawn, items, path_labels, effect_labels,
                      endo_labels, original) -> "Bootstrap":
    """The draws of either bootstrap route, summarised: mean, se and percentile CI."""
    arr = {k: (v.reshape(B, -1) if k in ("w", "load", "paths", "r2", "total") else v)
           for k, v in arr.items()}
    alpha = (1 - _LEVEL) / 2
    parts = []
    for kind, key, names, orig in (("weight", "w", items, original["weights"]),
                                   ("loading", "load", items, original["loadings"]),
                                   ("path", "paths", path_labels, original["paths"]),
                                   ("r2", "r2", endo_labels, original["r2"]),
                                   ("total", "total", effect_labels, original["total"])):
        draws = arr[key]
        parts.append(pd.DataFrame({
            "kind": kind, "name": list(names), "original": orig,
            "mean": draws.mean(axis=0), "se": draws.std(axis=0, ddof=1),
            "ci_low": np.quantile(draws, alpha, axis=0),
            "ci_high": np.quantile(draws, 1 - alpha, axis=0)}))
    summary = pd.concat(parts, ignore_index=True)
    return Bootstrap(n_resamples=B, seed=seed, weights=arr["w"], loadings=arr["load"],
                     paths=arr["paths"], r2=arr["r2"], total=arr["total"], means=arr["mu"],
                     sds=arr["sd"], iterations=arr["it"], redrawn=redrawn, summary=summary)
