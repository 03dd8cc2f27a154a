"""Construct validity from a CFA: composite reliability, AVE, Fornell-Larcker, HTMT.

CR_f = (sum lambda)^2 / ((sum lambda)^2 + sum theta) on the standardised loadings;
AVE_f = mean(lambda^2); Fornell-Larcker: sqrt(AVE_f) above every correlation of f with
another factor; HTMT_fg = mean |r| between f's and g's items / sqrt(mean |r| within f x
mean |r| within g), as semTools::htmt. Re-exported as ``factors.validity``.

References: Fornell, C. & Larcker, D. F. (1981), JMR 18(1), 39-50; Henseler, J., Ringle,
C. M. & Sarstedt, M. (2015), JAMS 43, 115-135.

Example
-------
>>> from csi_helpers.factors import validity
>>> v = validity(df, {"SAT": ["sat1", "sat2", "sat3"], "LOY": ["loy1", "loy2", "loy3"]})  # doctest: +SKIP
>>> v.table[["cr", "ave", "fornell_larcker"]]                                          # doctest: +SKIP
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from csi_helpers.errors import CSIInputError
from csi_helpers._cfa_results import CFAResult, ValidityResult
from csi_helpers._cfa_model import _check_model


def _pairwise_correlations(x: pd.DataFrame, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete correlations and the n per pair (R's divisor n_ij - 1)."""
    if kind not in ("semtools", "pearson"):
        raise CSIInputError(f"correlations={kind!r}: use 'semtools' (lavCor, as semTools::htmt) "
                            f"or 'pearson' (cor(use = 'pairwise'), as psych)")
    a = x.to_numpy(dtype=float, na_value=np.nan)
    m = (~np.isnan(a)).astype(float)
    a0 = np.where(m > 0, a, 0.0)
    n = m.T @ m                                       # n_ij
    sx = a0.T @ m                                     # sum of x_i over rows where j observed
    sxx = (a0 ** 2).T @ m
    sxy = a0.T @ a0
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (sxy - sx * sx.T / n) / (n - 1)
        if kind == "semtools":
            d = np.sqrt(np.diag(cov))
            r = cov / np.outer(d, d)
        else:
            var_i = (sxx - sx ** 2 / n) / (n - 1)     # var of i over rows where j observed
            r = cov / np.sqrt(var_i * var_i.T)
    r[n < 2] = np.nan
    np.fill_diagonal(r, 1.0)
    return r, n.astype(int)


def validity(data: pd.DataFrame, model: Mapping[str, Sequence[str]], *,
             fit: CFAResult | None = None, htmt2: bool = False,
             absolute: bool = True, correlations: str = "semtools",
             missing: str = "ml") -> ValidityResult:
    """Construct validity: composite reliability, AVE, Fornell-Larcker and HTMT.

    From the standardised CFA solution (``cfa(data, model, missing=missing)``, FIML by
    default, or ``fit`` when given):

    * CR_f = (sum lambda)^2 / ((sum lambda)^2 + sum theta), lambda the standardised
      loadings of factor f and theta their standardised residual variances
      (Fornell & Larcker 1981; Joreskog's rho);
    * AVE_f = mean(lambda^2);
    * Fornell-Larcker: sqrt(AVE) on the diagonal, factor correlations off it; a factor
      passes when sqrt(AVE_f) exceeds its largest absolute correlation with another factor.

    HTMT (Henseler, Ringle & Sarstedt 2015) from the item correlations computed from
    pairwise-complete observations. ``correlations="semtools"`` (default) reproduces
    semTools::htmt(..., missing = "pairwise"), whose lavCor() rescales the pairwise
    covariances by each item's own standard deviation over all its observed rows
    (R: cov2cor(cov(x, use = "pairwise"))); ``correlations="pearson"`` uses the pairwise
    Pearson correlations of psych / R cor(x, use = "pairwise") instead. The two agree on
    complete data. Then
    HTMT_fg = mean |r| between the items of f and g / sqrt(mean |r| among f's items x
    mean |r| among g's items). ``absolute=True`` uses |r| as semTools does; ``htmt2=True``
    uses geometric instead of arithmetic means (HTMT2, Roemer et al. 2021; semTools 0.5.6's
    default). Usual threshold: HTMT < .85 (or < .90).

    Each item must belong to one factor only. Raises CSIInputError as :func:`cfa`.

    Example
    -------
    >>> v = validity(df, {"SAT": ["sat1", "sat2", "sat3"], "LOY": ["loy1", "loy2", "loy3"]})  # doctest: +SKIP
    >>> v.table[["cr", "ave", "fornell_larcker"]]                                          # doctest: +SKIP
    """
    clean, items = _check_model(data, model)
    if sum(len(v) for v in clean.values()) != len(items):
        dup = [it for it in items if sum(it in v for v in clean.values()) > 1]
        raise CSIInputError(f"model: item(s) {dup} belong to more than one factor; CR, AVE "
                            f"and HTMT need each item in one factor only")
    if fit is None:
        from csi_helpers._cfa import cfa  # here, not at the top: _cfa imports this module
        fit = cfa(data, clean, missing=missing)
    elif {k: tuple(v) for k, v in clean.items()} != fit.model:
        raise CSIInputError("validity: fit= was estimated on a different model; pass the same "
                            "model or leave fit=None")
    factors = list(clean)
    std = fit.loadings["std_all"]
    rv = fit.residual_variances["std_all"]
    cr, ave = {}, {}
    for fac in factors:
        lam = std.xs(fac, level="factor").to_numpy()
        theta = rv.loc[clean[fac]].to_numpy()
        cr[fac] = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
        ave[fac] = float(np.mean(lam ** 2))
    cr_s, ave_s = pd.Series(cr, name="cr"), pd.Series(ave, name="ave")
    fl = fit.factor_corr.copy()
    sq = np.sqrt(ave_s)
    for fac in factors:
        fl.loc[fac, fac] = sq[fac]
    off = fit.factor_corr.abs().to_numpy().copy()
    np.fill_diagonal(off, np.nan)
    max_corr = pd.Series(np.nanmax(off, axis=1) if len(factors) > 1 else [np.nan],
                         index=factors)

    # HTMT from the pairwise-complete correlation matrix
    r, n_pair = _pairwise_correlations(data[items], correlations)
    if np.isnan(r).any():
        i, j = np.argwhere(np.isnan(r))[0]
        raise CSIInputError(f"data: items {items[i]!r} and {items[j]!r} have fewer than 2 "
                            f"complete pairs (or no variance); HTMT cannot be computed")
    if absolute or htmt2:
        r = np.abs(r)
    idx = {it: k for k, it in enumerate(items)}

    def _mean(block: np.ndarray) -> float:
        return float(np.exp(np.mean(np.log(block)))) if htmt2 else float(np.mean(block))

    within = {}
    for fac in factors:
        ii = [idx[it] for it in clean[fac]]
        blk = r[np.ix_(ii, ii)]
        within[fac] = _mean(blk[~np.eye(len(ii), dtype=bool)])
    ht = np.eye(len(factors))
    for a, fa in enumerate(factors):
        for b in range(a):
            fb = factors[b]
            blk = r[np.ix_([idx[i] for i in clean[fa]], [idx[i] for i in clean[fb]])]
            ht[a, b] = ht[b, a] = _mean(blk.ravel()) / math.sqrt(within[fa] * within[fb])
    htmt = pd.DataFrame(ht, index=factors, columns=factors)
    off_h = ht.copy()
    np.fill_diagonal(off_h, np.nan)
    max_htmt = pd.Series(np.nanmax(off_h, axis=1) if len(factors) > 1 else [np.nan],
                         index=factors)

    table = pd.DataFrame({
        "cr": cr_s, "ave": ave_s, "sqrt_ave": sq, "max_corr": max_corr,
        "fornell_larcker": sq > max_corr, "max_htmt": max_htmt})
    table.index.name = "factor"
    return ValidityResult(table=table, cr=cr_s, ave=ave_s, fornell_larcker=fl, htmt=htmt,
                          n_htmt=pd.DataFrame(n_pair, index=items, columns=items), cfa=fit)
