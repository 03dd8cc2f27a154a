"""What a confirmatory factor analysis returns: the fit, its indices, construct validity.

``CFAResult`` (from ``cfa``): loadings (unstandardised and standardised, with lavaan's
standard errors), residual and factor (co)variances, the implied and sample moments,
convergence, Heywood cases and ``FitIndices``: chi-square = N * F_ML, CFI, TLI, RMSEA
with its 90% CI, SRMR, logL, AIC = -2 logL + 2 q, BIC = -2 logL + q ln N, each with
lavaan's definition and a verdict against the usual cut-offs (CFI/TLI >= .95 good,
>= .90 acceptable; RMSEA <= .05 good, <= .08 acceptable). ``ValidityResult`` (from
``validity``): CR, AVE, Fornell-Larcker and HTMT.

Reference: Rosseel, Y. (2012). lavaan, Journal of Statistical Software 48(2); Hu, L. &
Bentler, P. M. (1999) for the cut-offs.

Example
-------
>>> from csi_helpers.factors import cfa
>>> res = cfa(df, {"SAT": ["sat1", "sat2", "sat3"], "LOY": ["loy1", "loy2", "loy3"]})  # doctest: +SKIP
>>> res.fit.cfi, res.fit.verdict                                                     # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd



# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class FitIndices:
    """lavaan's ``fitMeasures()`` for an ML CFA (names in the field's words).

    ``rmsea_ci`` is the 90% interval (lower, upper); ``srmr_nomean`` is SRMR without the
    mean residuals (equal to ``srmr`` for listwise; lavaan's ``srmr_bentler_nomean``) and
    ``unrestricted_loglik`` the log-likelihood of the saturated H1 model the chi-square is
    measured against (by EM under FIML). ``table()`` gives a tidy table with a
    verdict against the usual cut-offs (Hu & Bentler 1999): CFI/TLI >= .95 good, >= .90
    acceptable; RMSEA <= .06 good, <= .08 acceptable; SRMR <= .08 good.
    """

    chi2: float
    df: int
    p_value: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    srmr: float
    aic: float
    bic: float
    loglik: float
    npar: int
    n: int
    baseline_chi2: float
    baseline_df: int
    srmr_nomean: float = float("nan")
    unrestricted_loglik: float = float("nan")

    def table(self) -> pd.DataFrame:
        """Tidy table: measure, value, verdict (blank where no cut-off applies)."""
        rows = [
            ("chi2", self.chi2, ""), ("df", float(self.df), ""), ("p_value", self.p_value, ""),
            ("cfi", self.cfi, _verdict_hi(self.cfi)), ("tli", self.tli, _verdict_hi(self.tli)),
            ("rmsea", self.rmsea, _verdict_rmsea(self.rmsea)),
            ("rmsea_ci_lower", self.rmsea_ci[0], ""), ("rmsea_ci_upper", self.rmsea_ci[1], ""),
            ("srmr", self.srmr, "good" if self.srmr <= 0.08 else "poor"),
            ("aic", self.aic, ""), ("bic", self.bic, ""), ("loglik", self.loglik, ""),
            ("npar", float(self.npar), ""), ("n", float(self.n), ""),
            ("baseline_chi2", self.baseline_chi2, ""), ("baseline_df", float(self.baseline_df), ""),
        ]
        return pd.DataFrame(rows, columns=["measure", "value", "verdict"])

    def __repr__(self) -> str:
        lo, hi = self.rmsea_ci
        return (f"FitIndices(chi2={self.chi2:.3f}, df={self.df}, p={self.p_value:.4g}, "
                f"CFI={self.cfi:.3f}, TLI={self.tli:.3f}, RMSEA={self.rmsea:.3f} "
                f"[{lo:.3f}, {hi:.3f}], SRMR={self.srmr:.3f}, AIC={self.aic:.2f}, "
                f"BIC={self.bic:.2f}, n={self.n})")


def _verdict_hi(x: float) -> str:
    return "good" if x >= 0.95 else ("acceptable" if x >= 0.90 else "poor")


def _verdict_rmsea(x: float) -> str:
    return "good" if x <= 0.06 else ("acceptable" if x <= 0.08 else "poor")


@dataclass(frozen=True, repr=False)
class CFAResult:
    """The result of :func:`cfa`.

    Attributes
    ----------
    fit : FitIndices
    estimates : DataFrame like lavaan's ``parameterEstimates(fit, standardized=TRUE)``:
        lhs, op ("=~" loading, "~~" (co)variance, "~1" intercept / factor mean, FIML
        only, rhs ""), rhs, est, se, z, p_value, std_all, free.
    loadings : DataFrame indexed by (factor, item): est, se, z, p_value, std_all, free
        (the marker loading is fixed to 1: free False, se/z/p NaN).
    residual_variances : DataFrame indexed by item: est, se, z, p_value, std_all.
    factor_cov, factor_corr : DataFrames factors x factors (Psi and its correlations).
    sample_cov, implied_cov : DataFrames items x items (S with divisor N, and Sigma-hat);
        under FIML S is lavaan's EM estimate (the unrestricted H1 model).
    sample_mean, implied_mean : Series by item (the means; under FIML the EM means and
        the estimated intercepts).
    n_used, n_dropped : rows used and rows dropped: listwise, the complete rows and the
        incomplete ones; FIML, the rows with at least one answer and the empty ones.
    missing : "ml" or "listwise"; n_patterns : missing-data patterns among the rows used.
    coverage : DataFrame by item and by factor (``kind``): ``n`` the answers it rests on
        (per item the rows that answered it; per factor the rows that answered at least
        one of its items), ``n_complete`` (rows that answered all its items) and
        ``share`` = n / n_used. Listwise every n is n_used.
    converged, iterations : optimiser status (a warning is issued when not converged).
    heywood : tuple of messages: negative residual or factor variances, |std loading| > 1,
        a latent covariance matrix that is not positive definite. Empty when none.
    """

    model: dict
    fit: FitIndices
    estimates: pd.DataFrame
    loadings: pd.DataFrame
    residual_variances: pd.DataFrame
    factor_cov: pd.DataFrame
    factor_corr: pd.DataFrame
    sample_cov: pd.DataFrame
    implied_cov: pd.DataFrame
    n_used: int
    n_dropped: int
    converged: bool
    iterations: int
    heywood: tuple = field(default_factory=tuple)
    missing: str = "listwise"
    coverage: pd.DataFrame | None = None
    sample_mean: pd.Series | None = None
    implied_mean: pd.Series | None = None
    n_patterns: int = 1

    @property
    def has_heywood(self) -> bool:
        return bool(self.heywood)

    def __repr__(self) -> str:
        lines = [f"CFAResult: {len(self.model)} factors, {self.sample_cov.shape[0]} items, "
                 f"n used {self.n_used} (dropped {self.n_dropped}; missing={self.missing!r}), "
                 f"converged={self.converged} in {self.iterations} iterations",
                 "  " + repr(self.fit)]
        if self.heywood:
            lines.append("  Heywood / improper solution: " + "; ".join(self.heywood))
        if self.missing == "ml" and self.coverage is not None:
            fac = self.coverage.loc[self.coverage["kind"] == "factor", "n"]
            lines.append("  answers per factor: " + ", ".join(f"{k} {v}" for k, v in fac.items()))
        lines.append(self.loadings[["est", "se", "std_all"]].round(3).to_string())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = repr(self).split("\n")[:2 + bool(self.heywood) + (self.missing == "ml")]
        return ("<pre>" + "\n".join(head) + "</pre>"
                + self.loadings.round(3).to_html())


@dataclass(frozen=True, repr=False)
class ValidityResult:
    """The result of :func:`validity`.

    table : DataFrame by factor: cr, ave, sqrt_ave, max_corr (largest |correlation| with
        another factor), fornell_larcker (True when sqrt_ave > max_corr), max_htmt.
    cr, ave : Series by factor.
    fornell_larcker : DataFrame factors x factors: sqrt(AVE) on the diagonal, factor
        correlations off it.
    htmt : DataFrame factors x factors (1 on the diagonal, as semTools::htmt).
    n_htmt : the pairwise-complete n per item pair behind the HTMT correlations (DataFrame).
    cfa : the CFAResult the CR/AVE/Fornell-Larcker values come from.
    """

    table: pd.DataFrame
    cr: pd.Series
    ave: pd.Series
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    n_htmt: pd.DataFrame
    cfa: CFAResult

    def __repr__(self) -> str:
        return ("ValidityResult (CR, AVE, Fornell-Larcker from the CFA; HTMT pairwise)\n"
                + self.table.round(3).to_string()
                + "\nHTMT:\n" + self.htmt.round(3).to_string())

    def _repr_html_(self) -> str:
        return (self.table.round(3).to_html() + "<p>HTMT</p>" + self.htmt.round(3).to_html())
