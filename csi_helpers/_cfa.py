"""Confirmatory factor analysis and construct validity, equal to R lavaan and semTools.

``cfa(data, model)`` fits a correlated-factors measurement model the way ``lavaan::cfa()``
does; ``validity(data, model)`` derives composite reliability, AVE, the Fornell-Larcker
table and the HTMT matrix from it. Both are re-exported by ``csi_helpers.factors`` (use
``factors.cfa`` / ``factors.validity``).

Missing answers: ``missing="ml"`` (default; alias "fiml") is ``lavaan::cfa(model, data,
missing = "ml")``, full-information ML with the means estimated (``csi_helpers._cfa_fiml``
documents it); ``missing="listwise"`` is lavaan's default ``cfa(model, data)``, below. On
complete data the two give the same estimates, chi-square, CFI, TLI, RMSEA and logL; as
in lavaan, "ml" adds p intercepts (npar, AIC, BIC), takes standard errors from the
observed information and includes the means in SRMR (``fit.srmr_nomean`` excludes them).

What lavaan's listwise defaults mean here (lavaan 0.6, ``cfa(model, data)``):

* maximum likelihood on the sample covariance matrix with divisor N (``likelihood =
  "normal"``), no mean structure (the means are saturated and drop out);
* marker-variable identification: the first item of each factor has its loading fixed
  to 1; residual variances, factor variances and all factor covariances are free;
* incomplete rows are deleted listwise (``missing = "listwise"``); ``n_used`` and
  ``n_dropped`` say how many;
* standard errors from the expected information matrix;
* chi-square = N * F_ML with F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p; the baseline
  (independence) model has Sigma = diag(S);
* CFI, TLI, RMSEA (with lavaan's N, not N - 1) and its 90% CI by inverting the
  non-central chi-square, SRMR as lavaan's default ``srmr`` for ML on continuous data,
  i.e. ``srmr_bentler``: the root mean square over the p(p+1)/2 non-duplicated elements
  (diagonal included) of (s_ij - sigma_ij) / sqrt(s_ii s_jj);
* AIC = -2 logL + 2 q and BIC = -2 logL + q ln N with logL the normal log-likelihood of
  the model (saturated means) and q the number of free parameters, as ``fitMeasures()``.

Why an own estimator rather than semopy: the likelihood depends on the data only through
the p x p covariance matrix, and Fisher scoring with the analytic gradient and expected
information converges in 10-50 iterations from the start values below, to a Newton
decrement below 1e-15; the same information matrix gives lavaan's standard errors. On the
golden data it matches lavaan to 1e-5 or better (lavaan's own convergence tolerance) in
estimates and to 1e-8 in fit indices, and fits 5,000 x 30 (6 factors) in ~0.05 s.
semopy 2.3.11, checked on Holzinger-Swineford, has no SRMR, reports AIC/BIC on another
scale than lavaan, uses N - 1 in RMSEA (0.0923 vs lavaan's 0.0921), its chi-square is
off in the 4th decimal and it took ~0.1 s on the same 5,000 x 30 data. Heywood cases are
not bounded away, as in lavaan (``bounds = "none"``): a negative residual variance is
estimated, flagged on the result and warned about.

Layout: ``cfa`` and its estimation (Fisher scoring) live here; the result objects in
``_cfa_results``, input checks, parameter layout, start values and F_ML in ``_cfa_model``,
the fit indices in ``_cfa_fit_indices``, ``validity`` in ``_cfa_validity``, FIML in
``_cfa_fiml``; every name is importable from ``csi_helpers._cfa`` as before.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2). Arbuckle, J. L. (1996). Full information estimation in the
presence of incomplete data. Enders, C. K. (2010). Applied missing data analysis.
Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
analysis. Psychometrika, 34, 183-202. Fornell, C. & Larcker, D. F. (1981). Evaluating
structural equation models with unobservable variables and measurement error. JMR 18(1),
39-50. Henseler, J., Ringle, C. M. & Sarstedt, M. (2015). A new criterion for assessing
discriminant validity in variance-based SEM. JAMS 43, 115-135.
"""
from __future__ import annotations

import warnings
from contextlib import nullcontext
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from csi_helpers.errors import CSIInputError, CSIWarning
# CFA a module per concept (the results, the model, the fit indices, validity); every
# name stays importable from here
from csi_helpers._cfa_fit_indices import _fit_from, _fit_indices, _rmsea_ci  # noqa: F401
from csi_helpers._cfa_model import (_answers, _check_model, _fml, _sample_cov, _Spec,  # noqa: F401
                                    _start)
from csi_helpers._cfa_results import (CFAResult, FitIndices, ValidityResult,  # noqa: F401
                                      _verdict_hi, _verdict_rmsea)
from csi_helpers._cfa_validity import _pairwise_correlations, validity  # noqa: F401

try:  # multi-threaded OpenBLAS is several times slower on these many small products
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
    threadpool_limits = None

__all__ = ["cfa", "validity", "CFAResult", "FitIndices", "ValidityResult"]

_MAX_ITER = 500
_GRAD_TOL = 1e-10


# --------------------------------------------------------------------------- estimation
# (here with _MAX_ITER and _GRAD_TOL, which _cfa_fiml reads as core._MAX_ITER and tests patch)
def _fisher_scoring(spec: _Spec, theta: np.ndarray, s: np.ndarray):
    """Minimise F_ML by Fisher scoring with step halving.

    Converged when the Newton decrement g' I^-1 g (invariant to the items' scales, about
    twice the distance to the minimum of F) is below 1e-15, or max |g| < 1e-10.
    Returns theta, F, the expected information at theta, iterations, converged.
    """
    logdet_s = np.linalg.slogdet(s)[1]
    f = _fml(spec, theta, s, logdet_s)
    ok = False
    it = 0
    info = None
    for it in range(1, _MAX_ITER + 1):
        sig = spec.sigma(theta)
        si = np.linalg.inv(sig)
        si = (si + si.T) / 2
        ds = spec.dsigma(theta)
        grad = np.einsum("kij,ij->k", ds, si @ (sig - s) @ si)
        a = si @ ds @ si                               # (q, p, p)
        info = np.einsum("kij,lij->kl", a, ds)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, grad, rcond=None)[0]
        dec = float(grad @ step)
        if dec < 1e-15 or np.max(np.abs(grad)) < _GRAD_TOL:
            ok = True
            break
        t, fn = 1.0, np.inf
        while t >= 1e-10:
            new = theta - t * step
            fn = _fml(spec, new, s, logdet_s)
            if fn <= f:
                break
            t /= 2
        if not (np.isfinite(fn) and fn <= f):
            ok = dec < 1e-10                          # no further progress possible
            break
        theta, f = new, fn
    return theta, f, info, it, ok


# --------------------------------------------------------------------------- public API
def cfa(data: pd.DataFrame, model: Mapping[str, Sequence[str]], *,
        missing: str = "ml") -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa()``.

    Fits Sigma = Lambda Psi Lambda' + Theta with the first loading of each factor fixed to
    1 (marker variable), all factors correlated and Theta diagonal. A factor measured by a
    single item has its loading fixed at 1 and the item's residual variance fixed at 0
    (lavaan: ``F =~ x; x ~~ 0*x``): the factor is the item, its variance free.

    ``missing="ml"`` (default; alias "fiml"), as ``cfa(model, data, missing = "ml")``:
    full-information ML over every row with at least one answer (empty rows dropped),
    log L = sum_i -1/2 [p_i log 2pi + log|Sigma_i| + (y_i - nu_i)' Sigma_i^-1 (y_i - nu_i)]
    (y_i the answers row i gave; nu_i, Sigma_i the matching intercepts and covariances),
    intercepts estimated, standard errors from the observed information, fit measures as
    lavaan's under missing = "ml" (chi-square against the unrestricted model fitted by EM;
    see ``csi_helpers._cfa_fiml``). ``missing="listwise"``: incomplete rows deleted, F_ML
    minimised on their covariance matrix, standard errors from the expected information.

    Parameters
    ----------
    data : DataFrame with one numeric column per item (other columns are ignored).
    model : {factor: [items]}; the first item of each factor is its marker. An item may be
        listed under more than one factor (a cross-loading); a factor may have one item.
    missing : "ml" (FIML, the default; "fiml" is the same) or "listwise".

    Returns
    -------
    CFAResult with ``.fit`` (chi2, df, p_value, cfi, tli, rmsea, rmsea_ci, srmr, aic, bic,
    ...), ``.loadings`` (est, se, z, p_value, std_all), ``.factor_cov``, ``.factor_corr``,
    ``.residual_variances``, ``.estimates`` (all parameters, lavaan's layout, with the
    "~1" intercept rows under FIML), ``.coverage`` (the answers each item and factor rests
    on), ``.n_used``, ``.n_dropped``, ``.converged``, ``.heywood``.

    Raises CSIInputError for a bad ``missing``, a model naming an unknown item, a model
    with more free parameters than covariances (negative df), non-numeric or constant
    items, an item nobody answered, or too few rows. Non-convergence and Heywood cases
    (negative variances, |standardised loading| > 1, latent covariance matrix not positive
    definite) are reported on the result and warned about (CSIWarning), not hidden.

    References: Rosseel (2012), lavaan, JSS 48(2); Joreskog (1969), Psychometrika 34;
    Arbuckle (1996), FIML with incomplete data; Enders (2010), Applied missing data analysis.

    Example
    -------
    >>> hs = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...       "speed": ["x7", "x8", "x9"]}
    >>> res = cfa(df, hs)                                      # doctest: +SKIP
    >>> round(res.fit.cfi, 3), res.n_used, res.coverage.loc["speed", "n"]  # doctest: +SKIP
    (0.931, 301, 301)
    >>> cfa(df, hs, missing="listwise").fit.srmr               # doctest: +SKIP
    """
    method = {"ml": "ml", "fiml": "ml", "listwise": "listwise"}.get(
        missing.lower() if isinstance(missing, str) else None)
    if method is None:
        raise CSIInputError(f"missing={missing!r}: use 'ml' (full-information ML, the "
                            f"default; alias 'fiml') or 'listwise' (delete incomplete rows)")
    clean, items = _check_model(data, model)
    spec = _Spec(clean, items)
    pstar = spec.p * (spec.p + 1) // 2
    if spec.q > pstar:
        raise CSIInputError(
            f"model: {spec.q} free parameters but only {pstar} variances and covariances among "
            f"{spec.p} items, so the model is not identified (df = {pstar - spec.q}); a single "
            f"factor needs at least 3 items; add items or correlate the factor with another")
    x_all = _answers(data, items)
    with (threadpool_limits(1, user_api="blas") if threadpool_limits else nullcontext()):
        return _estimate(spec, clean, items, x_all, method)


def _estimate(spec: _Spec, clean: dict, items: list[str], x_all: np.ndarray, method: str):
    from csi_helpers import _cfa_fiml
    nu = se_nu = None
    if method == "ml":
        used = _cfa_fiml.check_data(x_all, items)
        res = _cfa_fiml.fit(spec, clean, x_all, used)
        theta, nu, fit, iters, ok = res.theta, res.nu, res.fit, res.iterations, res.converged
        s, mean, n_patterns = res.sample_cov, res.sample_mean, res.n_patterns
        info, scale = res.info, 1.0
    else:
        used = ~np.isnan(x_all).any(axis=1)
        x = x_all[used]
        s = _sample_cov(x, items)
        mean, n_patterns = x.mean(axis=0), 1
        theta, fmin, info, iters, ok = _fisher_scoring(spec, _start(spec, clean, s), s)
        fit = _fit_indices(spec, s, spec.sigma(theta), max(fmin, 0.0), x.shape[0])
        scale = 2.0 / x.shape[0]                       # expected information of F_ML
    n, n_dropped = int(used.sum()), int((~used).sum())
    sig = spec.sigma(theta)

    # standard errors (lavaan: se = "standard"; expected information listwise, observed FIML)
    try:
        vcov = np.linalg.inv(info) * scale
        se = np.sqrt(np.where(np.diag(vcov) > 0, np.diag(vcov), np.nan))
        if not np.all(np.isfinite(vcov)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        se = np.full(info.shape[0], np.nan)
        warnings.warn("cfa: the information matrix is singular, so the model is not "
                      "(empirically) identified; standard errors are NaN", CSIWarning,
                      stacklevel=3)
    if nu is not None:
        se, se_nu = se[:spec.q], se[spec.q:]

    lam, th, psi = spec.unpack(theta)
    sd_imp = np.sqrt(np.abs(np.diag(sig)))
    psi_sd = np.sqrt(np.abs(np.diag(psi)))
    factors = spec.factors
    se_lam = dict(zip(spec.lam_free, se[:spec.n_lam]))
    rows = []
    for i, f, free in spec.lam_all:
        e = lam[i, f]
        s_e = se_lam.get((i, f), np.nan) if free else np.nan
        rows.append((factors[f], "=~", items[i], e, s_e, e * psi_sd[f] / sd_imp[i], free))
    th_pos = {i: k for k, i in enumerate(spec.th_free)}
    for i in range(spec.p):
        free = i in th_pos
        rows.append((items[i], "~~", items[i], th[i],
                     se[spec.n_lam + th_pos[i]] if free else np.nan, th[i] / sig[i, i], free))
    psi_rows = []
    for f in range(spec.m):
        for g in range(f, spec.m):
            k = spec.psi.index((g, f))
            std = 1.0 if f == g else psi[f, g] / (psi_sd[f] * psi_sd[g])
            psi_rows.append((factors[f], "~~", factors[g], psi[f, g],
                             se[spec.n_lam + spec.n_theta + k], std, True))
    rows += psi_rows
    if nu is not None:          # lavaan's meanstructure under missing = "ml"
        rows += [(items[i], "~1", "", nu[i], se_nu[i], nu[i] / sd_imp[i], True)
                 for i in range(spec.p)]
        rows += [(fac, "~1", "", 0.0, np.nan, 0.0, False) for fac in factors]
    est = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "se", "std_all", "free"])
    est["z"] = est["est"] / est["se"]
    est["p_value"] = 2 * stats.norm.sf(np.abs(est["z"]))
    est = est[["lhs", "op", "rhs", "est", "se", "z", "p_value", "std_all", "free"]]

    ld = est[est["op"] == "=~"].rename(columns={"lhs": "factor", "rhs": "item"})
    loadings = ld.set_index(["factor", "item"]).drop(columns="op")
    rv = est[(est["op"] == "~~") & est["lhs"].isin(items) & (est["lhs"] == est["rhs"])]
    residual_variances = rv.set_index("lhs").drop(columns=["op", "rhs", "free"])
    residual_variances.index.name = "item"
    factor_cov = pd.DataFrame(psi, index=factors, columns=factors)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = psi / np.outer(psi_sd, psi_sd)
    factor_corr = pd.DataFrame(corr, index=factors, columns=factors)

    heywood = []
    for i in range(spec.p):
        if th[i] < 0:
            heywood.append(f"negative residual variance of {items[i]} ({th[i]:.4g})")
    for f in range(spec.m):
        if psi[f, f] < 0:
            heywood.append(f"negative variance of factor {factors[f]} ({psi[f, f]:.4g})")
    for (fac, it), r in loadings.iterrows():
        if np.isfinite(r["std_all"]) and abs(r["std_all"]) > 1:
            heywood.append(f"standardised loading of {it} on {fac} exceeds 1 ({r['std_all']:.4g})")
    if spec.m > 1 and np.all(np.diag(psi) > 0) and np.linalg.eigvalsh(psi)[0] < 0:
        heywood.append("covariance matrix of the factors is not positive definite "
                       "(its smallest eigenvalue is negative: some factors are nearly redundant)")
    if heywood:
        warnings.warn("cfa: improper solution (Heywood case): " + "; ".join(heywood)
                      + ". Check the model (items, factors) and the sample size.",
                      CSIWarning, stacklevel=3)
    if not ok:
        warnings.warn(f"cfa: the ML estimation did not converge in {iters} iterations; the "
                      f"estimates and fit indices are not reliable. Check the model and data.",
                      CSIWarning, stacklevel=3)

    return CFAResult(
        model={k: tuple(v) for k, v in clean.items()}, fit=fit, estimates=est.reset_index(drop=True),
        loadings=loadings, residual_variances=residual_variances,
        factor_cov=factor_cov, factor_corr=factor_corr,
        sample_cov=pd.DataFrame(s, index=items, columns=items),
        implied_cov=pd.DataFrame(sig, index=items, columns=items),
        n_used=n, n_dropped=n_dropped, converged=bool(ok), iterations=int(iters),
        heywood=tuple(heywood), missing=method, n_patterns=int(n_patterns),
        coverage=_cfa_fiml.coverage(clean, items, x_all[used]),
        sample_mean=pd.Series(mean, index=items, name="mean"),
        implied_mean=pd.Series(nu if nu is not None else mean, index=items, name="mean"))
