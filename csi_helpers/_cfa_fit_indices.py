"""CFA fit indices with lavaan's definitions (``fitMeasures()``).

chi-square = N * F_ML against the independence baseline Sigma = diag(S); CFI =
1 - max(x2 - df, 0) / max(x2 - df, x2b - dfb, 0); TLI = (x2b/dfb - x2/df) / (x2b/dfb - 1);
RMSEA = sqrt(max(x2 - df, 0) / (df N)) (lavaan's N) with its 90% CI by inverting the
non-central chi-square CDF in lambda; SRMR (``srmr_bentler``) over the p(p+1)/2
non-duplicated elements of (s_ij - sigma_ij) / sqrt(s_ii s_jj); logL, AIC and BIC.

Reference: Rosseel, Y. (2012). lavaan, Journal of Statistical Software 48(2)
(``lav_fit_rmsea_ci``, ``lav_fit_cfi``).

Example
-------
>>> from csi_helpers._cfa_fit_indices import _rmsea_ci
>>> [round(v, 4) for v in _rmsea_ci(85.3, 24, 301)]   # 90% CI of RMSEA
[0.0714, 0.1137]
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from csi_helpers._cfa_results import FitIndices
from csi_helpers._cfa_model import _Spec


# --------------------------------------------------------------------------- fit indices
def _rmsea_ci(x2: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's lav_fit_rmsea_ci: invert the non-central chi-square CDF in lambda."""
    if df < 1 or not np.isfinite(x2):
        return (0.0, 0.0)
    up, lo = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return stats.chi2.cdf(x2, df) if lam <= 0 else stats.ncx2.cdf(x2, df, lam)

    if cdf(0.0) - up < 0:
        lower = 0.0
    else:
        lam_l = optimize.brentq(lambda l: cdf(l) - up, 0.0, x2, xtol=1e-12, rtol=1e-12)
        lower = math.sqrt(lam_l / (n * df))
    n_rmsea = max(n, x2 * 4)
    if cdf(n_rmsea) - lo > 0 or cdf(0.0) - lo < 0:
        upper = 0.0
    else:
        lam_u = optimize.brentq(lambda l: cdf(l) - lo, 0.0, n_rmsea, xtol=1e-12, rtol=1e-12)
        upper = math.sqrt(lam_u / (n * df))
    return (lower, upper)


def _fit_indices(spec: _Spec, s: np.ndarray, sig: np.ndarray, fmin: float, n: int) -> FitIndices:
    p = spec.p
    pstar = p * (p + 1) // 2
    logdet_s = np.linalg.slogdet(s)[1]
    d = 1 / np.sqrt(np.diag(s))
    resid = (s - sig) * np.outer(d, d)
    srmr = math.sqrt((resid[np.tril_indices(p)] ** 2).sum() / pstar)
    _, logdet_sig = np.linalg.slogdet(sig)
    loglik = -n / 2 * (p * math.log(2 * math.pi) + logdet_sig + np.trace(np.linalg.solve(sig, s)))
    return _fit_from(x2=n * fmin, df=pstar - spec.q, x2b=n * (np.log(np.diag(s)).sum() - logdet_s),
                     dfb=pstar - p, n=n, srmr=srmr, srmr_nomean=srmr, loglik=loglik,
                     unrestricted_loglik=-n / 2 * (p * math.log(2 * math.pi) + logdet_s + p),
                     npar=spec.q)


def _fit_from(*, x2, df, x2b, dfb, n, srmr, srmr_nomean, loglik, unrestricted_loglik,
              npar) -> FitIndices:
    """lavaan's fitMeasures() from the chi-squares of the model and of the baseline."""
    pval = float(stats.chi2.sf(x2, df)) if df > 0 else float("nan")
    t1 = max(x2 - df, 0.0)
    t2 = max(x2 - df, x2b - dfb, 0.0)
    cfi = 1.0 if (math.isclose(t1, 0, abs_tol=1.5e-8) and math.isclose(t2, 0, abs_tol=1.5e-8)) \
        else 1 - t1 / t2
    tt1, tt2 = (x2 - df) * dfb, (x2b - dfb) * df
    tli = 1 - tt1 / tt2 if (df > 0 and abs(tt2) > 0) else 1.0
    rmsea = math.sqrt(max(x2 / n / df - 1 / n, 0.0)) if df > 0 else 0.0
    return FitIndices(
        chi2=float(x2), df=int(df), p_value=pval, cfi=float(cfi), tli=float(tli),
        rmsea=float(rmsea), rmsea_ci=_rmsea_ci(x2, df, n), srmr=float(srmr),
        aic=float(-2 * loglik + 2 * npar), bic=float(-2 * loglik + npar * math.log(n)),
        loglik=float(loglik), npar=int(npar), n=int(n),
        baseline_chi2=float(x2b), baseline_df=int(dfb), srmr_nomean=float(srmr_nomean),
        unrestricted_loglik=float(unrestricted_loglik))
