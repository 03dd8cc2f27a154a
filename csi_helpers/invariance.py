"""Measurement invariance: do the items measure the same thing in every group (wave, region)?

Before the means of two waves or two regions are compared, the measurement model must
hold in both. Three nested multi-group CFA models are fitted, as
``lavaan::cfa(model, data, group = "g", group.equal = ...)`` fits them:

============  ===========================================================================
level         what is equal across groups
============  ===========================================================================
configural    the pattern: the same items on the same factors; every parameter free
metric        the loadings (``group.equal = "loadings"``): a unit of the factor means the
              same in every group, so relations (paths, correlations) can be compared
scalar        loadings and intercepts (``c("loadings", "intercepts")``): the latent means
              are free in groups 2..G, so **means** can be compared
============  ===========================================================================

Each level is judged against the previous one by the change in CFI (a drop of more than
.01 rejects it; Cheung & Rensvold 2002) and the chi-square difference test (lavaan's
``lavTestLRT``). ``verdict`` is the highest level that holds: only at ``scalar`` are
score differences between the groups reported as comparable.

The estimator is maximum likelihood with a mean structure, as lavaan's defaults for a
multi-group model: per group g with n_g complete rows, sample mean m_g and covariance S_g
(divisor n_g), model mu_g = nu_g + Lambda_g alpha_g and Sigma_g = Lambda_g Phi_g Lambda_g' +
Theta_g, and

    F = sum_g (n_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p
                         + (m_g - mu_g)' Sigma_g^-1 (m_g - mu_g)],     chi2 = N F.

Marker identification (first loading of each factor fixed to 1 in every group), latent
means fixed to 0 except in groups 2..G of the scalar model. Fit indices with lavaan's
multi-group definitions: the baseline model is the independence model in every group;
RMSEA = sqrt(max(chi2 - df, 0) / (N df)) * sqrt(G); SRMR the n-weighted mean of the groups'
SRMR, each over the covariance and mean residuals. Rows with a missing answer are left out
(lavaan's default ``missing = "listwise"``); ``n`` says how many rows each group kept.

References: Meredith (1993), Psychometrika 58, 525-543; Cheung & Rensvold (2002),
Structural Equation Modeling 9, 233-255; Rosseel (2012), lavaan, JSS 48(2).

Example
-------
>>> hs = pd.read_csv("tests/golden/lavaan/holzinger_swineford_groups.csv")   # doctest: +SKIP
>>> model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
...          "speed": ["x7", "x8", "x9"]}
>>> inv = invariance(hs, model, group="school")                              # doctest: +SKIP
>>> inv.table.loc["metric", ["chi2", "df", "delta_cfi"]].round(3).tolist()  # doctest: +SKIP
[124.044, 54.0, -0.003]
>>> inv.verdict                                                              # doctest: +SKIP
'metric'
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._cfa import _rmsea_ci
from .errors import CSIInputError, CSIWarning

__all__ = ["invariance", "multigroup_cfa", "MultiGroupFit", "InvarianceResult", "LEVELS",
           "DELTA_CFI"]

LEVELS = ("configural", "metric", "scalar")
#: the largest drop in CFI that still accepts the more constrained level
DELTA_CFI = 0.01
_EQUAL = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}


@dataclass
class MultiGroupFit:
    """One multi-group CFA: fit measures as lavaan's ``fitMeasures()`` and the estimates."""

    level: str
    groups: list[str]
    n: dict[str, int]
    npar: int
    chi2: float
    df: int
    p_value: float
    baseline_chi2: float
    baseline_df: int
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_lower: float
    rmsea_ci_upper: float
    srmr: float
    loglik: float
    aic: float
    bic: float
    estimates: pd.DataFrame = field(repr=False)
    converged: bool = True
    #: per group (Lambda, Theta, Phi, nu, alpha) at the estimates (a start for the next level)
    matrices: list = field(default_factory=list, repr=False)

    def measures(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("npar", "chi2", "df", "p_value", "cfi", "tli",
                                              "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
                                              "srmr", "loglik", "aic", "bic")}


@dataclass
class InvarianceResult:
    """``table`` (configural | metric | scalar x fit and comparisons), ``verdict`` (the
    highest level that holds, or "none" when even the configural model fits poorly),
    ``fits`` (each :class:`MultiGroupFit`), ``groups`` and rows used per group ``n``."""

    table: pd.DataFrame
    verdict: str
    fits: dict[str, MultiGroupFit]
    groups: list[str]
    n: dict[str, int]

    @property
    def means_comparable(self) -> bool:
        """Scalar invariance holds: latent and score means may be compared across groups."""
        return self.verdict == "scalar"

    def __repr__(self) -> str:
        return (f"Measurement invariance across {len(self.groups)} groups "
                f"({', '.join(f'{g} n={self.n[g]}' for g in self.groups)}): {self.verdict}")


# ----------------------------------------------------------------------------- the model
class _Layout:
    """Where each free parameter sits: one index per free value, shared by equal ones."""

    def __init__(self, model: dict[str, list[str]], items: list[str], n_groups: int, level: str):
        self.items, self.factors = items, list(model)
        self.p, self.m, self.G = len(items), len(model), n_groups
        equal = _EQUAL[level]
        row = {it: i for i, it in enumerate(items)}
        self.loading_cells = [(row[it], j) for j, f in enumerate(model) for it in model[f]]
        self.markers = {(row[model[f][0]], j) for j, f in enumerate(model)}
        k = 0
        self.lam, self.theta, self.phi, self.nu, self.alpha = [], [], [], [], []
        shared_lam, shared_nu = {}, {}
        for g in range(n_groups):
            lam = {}
            for cell in self.loading_cells:
                if cell in self.markers:
                    continue
                if "loadings" in equal and cell in shared_lam:
                    lam[cell] = shared_lam[cell]
                else:
                    lam[cell] = shared_lam[cell] = k
                    k += 1
            theta = list(range(k, k + self.p))
            k += self.p
            phi = {}
            for a in range(self.m):
                for b in range(a + 1):
                    phi[(a, b)] = k
                    k += 1
            nu = []
            for i in range(self.p):
                if "intercepts" in equal and i in shared_nu:
                    nu.append(shared_nu[i])
                else:
                    nu.append(k)
                    shared_nu[i] = k
                    k += 1
            alpha = ([None] * self.m if "intercepts" not in equal or g == 0
                     else list(range(k, k + self.m)))
            if alpha[0] is not None:
                k += self.m
            self.lam.append(lam)
            self.theta.append(theta)
            self.phi.append(phi)
            self.nu.append(nu)
            self.alpha.append(alpha)
        self.npar = k

    def matrices(self, x: np.ndarray, g: int):
        lam = np.zeros((self.p, self.m))
        for cell in self.markers:
            lam[cell] = 1.0
        for cell, k in self.lam[g].items():
            lam[cell] = x[k]
        theta = np.diag(x[self.theta[g]])
        phi = np.zeros((self.m, self.m))
        for (a, b), k in self.phi[g].items():
            phi[a, b] = phi[b, a] = x[k]
        nu = x[self.nu[g]]
        alpha = np.array([0.0 if k is None else x[k] for k in self.alpha[g]])
        return lam, theta, phi, nu, alpha


def _objective(x, layout: _Layout, stats_: list, weights: np.ndarray):
    """F and its gradient (the chain rule through Sigma and mu, see the module docstring)."""
    f_total, grad = 0.0, np.zeros_like(x)
    for g, (mean, cov, logdet_s) in enumerate(stats_):
        lam, theta, phi, nu, alpha = layout.matrices(x, g)
        sigma = lam @ phi @ lam.T + theta
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(x)
        inv = np.linalg.inv(sigma)
        d = mean - (nu + lam @ alpha)
        f = logdet + np.trace(cov @ inv) - logdet_s - layout.p + d @ inv @ d
        w = weights[g]
        f_total += w * f
        # dF/dSigma (symmetric) and dF/dmu
        gs = inv - inv @ (cov + np.outer(d, d)) @ inv
        gm = -2.0 * inv @ d
        d_lam = 2.0 * gs @ lam @ phi + np.outer(gm, alpha)
        for cell, k in layout.lam[g].items():
            grad[k] += w * d_lam[cell]
        grad[layout.theta[g]] += w * np.diag(gs)
        d_phi = lam.T @ gs @ lam
        for (a, b), k in layout.phi[g].items():
            grad[k] += w * (d_phi[a, b] if a == b else 2.0 * d_phi[a, b])
        for i, k in enumerate(layout.nu[g]):
            grad[k] += w * gm[i]
        d_alpha = lam.T @ gm
        for j, k in enumerate(layout.alpha[g]):
            if k is not None:
                grad[k] += w * d_alpha[j]
    return f_total, grad


def _start(layout: _Layout, stats_: list) -> np.ndarray:
    """Start values: loadings from each factor's marker covariances, residual variances half
    the item variances, factor variances from the markers, means from the sample means."""
    x = np.zeros(layout.npar)
    counts = np.zeros(layout.npar)
    for g, (mean, cov, _) in enumerate(stats_):
        var = np.diag(cov)
        for (i, j), k in layout.lam[g].items():
            marker = next(r for (r, c) in layout.markers if c == j)
            x[k] += cov[i, marker] / max(cov[marker, marker] * 0.5, 1e-6)
            counts[k] += 1
        x[layout.theta[g]] += var / 2
        counts[layout.theta[g]] += 1
        for (a, b), k in layout.phi[g].items():
            ra = next(r for (r, c) in layout.markers if c == a)
            rb = next(r for (r, c) in layout.markers if c == b)
            x[k] += (cov[ra, ra] * 0.5) if a == b else cov[ra, rb] * 0.5
            counts[k] += 1
        for i, k in enumerate(layout.nu[g]):
            x[k] += mean[i]
            counts[k] += 1
    return np.where(counts > 0, x / np.maximum(counts, 1), 0.0)


def _pack(layout: _Layout, mats: list) -> np.ndarray:
    """The parameter vector of ``layout`` from per-group matrices (lam, theta, phi, nu,
    alpha); a parameter shared by groups gets the mean of theirs."""
    x = np.zeros(layout.npar)
    counts = np.zeros(layout.npar)
    for g, (lam, theta, phi, nu, alpha) in enumerate(mats):
        for cell, k in layout.lam[g].items():
            x[k] += lam[cell]
            counts[k] += 1
        x[layout.theta[g]] += np.diag(theta)
        counts[layout.theta[g]] += 1
        for (a, b), k in layout.phi[g].items():
            x[k] += phi[a, b]
            counts[k] += 1
        for i, k in enumerate(layout.nu[g]):
            x[k] += nu[i] if layout.alpha[g][0] is None else nu[i]
            counts[k] += 1
        for j, k in enumerate(layout.alpha[g]):
            if k is not None:
                x[k] += alpha[j]
                counts[k] += 1
    return np.where(counts > 0, x / np.maximum(counts, 1), 0.0)


def _group_starts(model: dict, items: list[str], frames: list[pd.DataFrame],
                  stats_: list) -> list:
    """Per-group matrices from a single-group CFA of each group (:func:`csi_helpers._cfa.cfa`,
    Fisher scoring from good start values): the configural solution itself, and a start
    for the constrained levels that Fisher scoring's robustness carries over."""
    from ._cfa import cfa

    out = []
    factors = list(model)
    for frame, (mean, _, _) in zip(frames, stats_):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = cfa(frame, model, missing="listwise")
        lam = np.zeros((len(items), len(factors)))
        for (f, it), row in fit.loadings.iterrows():
            lam[items.index(it), factors.index(f)] = row["est"]
        theta = np.diag(fit.residual_variances.loc[items, "est"].to_numpy(float))
        phi = fit.factor_cov.loc[factors, factors].to_numpy(float)
        out.append((lam, theta, phi, mean.copy(), np.zeros(len(factors))))
    return out


# ----------------------------------------------------------------------------- fitting
def _prepare(data: pd.DataFrame, model: Mapping[str, Sequence[str]], group: str):
    if group not in data.columns:
        raise CSIInputError(f"group={group!r}: not a column of the data; name the column "
                            "that holds the groups (wave, region ...)")
    model = {str(f): [str(i) for i in items] for f, items in model.items()}
    items = [it for f in model for it in model[f]]
    missing = [it for it in items if it not in data.columns]
    if missing:
        raise CSIInputError(f"invariance: item(s) {missing} of the model are not columns of "
                            "the data")
    small = [f for f, its in model.items() if len(its) < 2]
    if small:
        raise CSIInputError(f"invariance: factor(s) {small} have fewer than 2 items; a "
                            "multi-group model needs at least two per factor")
    frame = data[items + [group]].copy()
    frame[items] = frame[items].apply(pd.to_numeric, errors="coerce")
    frame = frame[frame[group].notna()]
    complete = frame.dropna(subset=items)
    groups = list(pd.unique(frame[group]))            # lavaan: order of first appearance
    stats_, n, frames = [], {}, []
    p = len(items)
    for g in groups:
        frames.append(complete.loc[complete[group] == g, items])
        x = frames[-1].to_numpy(float)
        n[str(g)] = len(x)
        if len(x) <= p:
            raise CSIInputError(f"invariance: group {g!r} has {len(x)} complete rows for {p} "
                                "items; each group needs more rows than items")
        mean = x.mean(axis=0)
        cov = np.cov(x, rowvar=False, bias=True)
        sign, logdet = np.linalg.slogdet(cov)
        if sign <= 0:
            raise CSIInputError(f"invariance: the items' covariance matrix in group {g!r} is "
                                "singular (an item constant or a copy of another there)")
        stats_.append((mean, cov, logdet))
    if len(groups) < 2:
        raise CSIInputError(f"group={group!r}: only {len(groups)} group in the data; "
                            "invariance compares two or more")
    return model, items, [str(g) for g in groups], stats_, n, frames


def multigroup_cfa(data: pd.DataFrame, model: Mapping[str, Sequence[str]], group: str,
                   level: str = "configural", *, start: np.ndarray | None = None
                   ) -> MultiGroupFit:
    """One multi-group CFA at ``level`` (configural | metric | scalar), as
    ``lavaan::cfa(model, data, group=, group.equal=)`` (see the module docstring)."""
    if level not in LEVELS:
        raise CSIInputError(f"level={level!r}: use one of {', '.join(LEVELS)}")
    model, items, groups, stats_, n, frames = _prepare(data, model, group)
    starts = _group_starts(model, items, frames, stats_) if start is None else None
    return _fit(model, items, groups, stats_, n, level, start, starts)


def _fit(model, items, groups, stats_, n, level, start=None, mats=None) -> MultiGroupFit:
    layout = _Layout(model, items, len(groups), level)
    if start is None and mats is not None:
        start = _pack(layout, mats)
    n_arr = np.array([n[g] for g in groups], float)
    big_n = n_arr.sum()
    weights = n_arr / big_n
    x0 = _start(layout, stats_) if start is None else start
    res = optimize.minimize(_objective, x0, args=(layout, stats_, weights), jac=True,
                            method="L-BFGS-B",
                            options={"maxiter": 20000, "maxfun": 50000, "ftol": 1e-15,
                                     "gtol": 1e-10, "maxcor": 50})
    # polish: BFGS from there, to lavaan's precision
    res2 = optimize.minimize(_objective, res.x, args=(layout, stats_, weights), jac=True,
                             method="BFGS", options={"gtol": 1e-11, "maxiter": 5000})
    x = res2.x if res2.fun <= res.fun else res.x
    fmin = min(res.fun, res2.fun)
    converged = bool(np.max(np.abs(_objective(x, layout, stats_, weights)[1])) < 1e-6
                     and 0 <= fmin < 1e9)
    fit = _measures(layout, x, fmin, stats_, groups, n, level, converged)
    fit.matrices = [layout.matrices(x, g) for g in range(len(groups))]
    return fit


def _measures(layout: _Layout, x, fmin, stats_, groups, n, level, converged) -> MultiGroupFit:
    p, G = layout.p, layout.G
    n_arr = np.array([n[g] for g in groups], float)
    big_n = n_arr.sum()
    chi2 = float(big_n * fmin)
    moments = G * (p * (p + 1) // 2 + p)
    df = moments - layout.npar
    x2b = float(sum(ng * (np.log(np.diag(cov)).sum() - logdet_s)
                    for ng, (_, cov, logdet_s) in zip(n_arr, stats_)))
    dfb = G * p * (p - 1) // 2
    cfi_den = max(chi2 - df, x2b - dfb, 0.0)
    cfi = 1.0 - max(chi2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    tli = (x2b / dfb - chi2 / df) / (x2b / dfb - 1) if df > 0 else 1.0
    rmsea = math.sqrt(max(chi2 - df, 0.0) / (big_n * df)) * math.sqrt(G) if df > 0 else 0.0
    if np.isfinite(chi2) and chi2 >= 0 and df > 0:
        lo, hi = _rmsea_ci(chi2, df, int(big_n))
    else:                                    # a fit that failed: no interval to invert
        lo = hi = float("nan")
    srmr_groups, loglik, rows = [], 0.0, []
    for g, (mean, cov, logdet_s) in enumerate(stats_):
        lam, theta, phi, nu, alpha = layout.matrices(x, g)
        sigma = lam @ phi @ lam.T + theta
        mu = nu + lam @ alpha
        sd = np.sqrt(np.diag(cov))
        r_cov = ((cov - sigma) / np.outer(sd, sd))[np.tril_indices(p)]
        r_mean = (mean - mu) / sd
        srmr_groups.append(math.sqrt((np.sum(r_cov ** 2) + np.sum(r_mean ** 2))
                                     / (p * (p + 1) // 2 + p)))
        inv = np.linalg.inv(sigma)
        d = mean - mu
        loglik += -n_arr[g] / 2 * (p * math.log(2 * math.pi) + np.linalg.slogdet(sigma)[1]
                                   + np.trace(cov @ inv) + d @ inv @ d)
        rows += _estimate_rows(layout, groups[g], lam, theta, phi, nu, alpha)
    srmr = float(np.dot(n_arr / big_n, srmr_groups))
    return MultiGroupFit(
        level=level, groups=list(groups), n=dict(n), npar=layout.npar, chi2=chi2, df=int(df),
        p_value=float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan"),
        baseline_chi2=x2b, baseline_df=dfb, cfi=float(cfi), tli=float(tli), rmsea=float(rmsea),
        rmsea_ci_lower=float(lo * math.sqrt(G)), rmsea_ci_upper=float(hi * math.sqrt(G)),
        srmr=srmr, loglik=float(loglik), aic=float(-2 * loglik + 2 * layout.npar),
        bic=float(-2 * loglik + layout.npar * math.log(big_n)),
        estimates=pd.DataFrame(rows), converged=converged)


def _estimate_rows(layout: _Layout, group, lam, theta, phi, nu, alpha) -> list[dict]:
    rows = []
    for (i, j) in layout.loading_cells:
        rows.append({"group": group, "lhs": layout.factors[j], "op": "=~",
                     "rhs": layout.items[i], "est": lam[i, j]})
    for i, it in enumerate(layout.items):
        rows.append({"group": group, "lhs": it, "op": "~~", "rhs": it, "est": theta[i, i]})
    for a in range(layout.m):
        for b in range(a, layout.m):
            rows.append({"group": group, "lhs": layout.factors[a], "op": "~~",
                         "rhs": layout.factors[b], "est": phi[a, b]})
    for i, it in enumerate(layout.items):
        rows.append({"group": group, "lhs": it, "op": "~1", "rhs": "", "est": nu[i]})
    for j, f in enumerate(layout.factors):
        rows.append({"group": group, "lhs": f, "op": "~1", "rhs": "", "est": alpha[j]})
    return rows


# ----------------------------------------------------------------------------- the test
def invariance(data: pd.DataFrame, model: Mapping[str, Sequence[str]], group: str,
               delta_cfi: float = DELTA_CFI) -> InvarianceResult:
    """Configural, metric and scalar invariance of ``model`` across the groups of column
    ``group`` (see the module docstring).

    Returns an :class:`InvarianceResult`: ``.table`` indexed configural | metric | scalar
    with chi2, df, p_value, cfi, tli, rmsea, srmr, delta_cfi, chi2_diff, df_diff, p_diff;
    ``.verdict`` the highest level held: a level holds when the previous one held and CFI
    dropped by no more than ``delta_cfi``.
    """
    model, items, groups, stats_, n, frames = _prepare(data, model, group)
    fits: dict[str, MultiGroupFit] = {}
    mats = _group_starts(model, items, frames, stats_)
    for level in LEVELS:
        # each level starts from the one before (the configural from the groups' own CFAs)
        fits[level] = _fit(model, items, groups, stats_, n, level, mats=mats)
        mats = fits[level].matrices
        if not fits[level].converged:
            warnings.warn(CSIWarning(f"invariance: the {level} model did not converge; its "
                                     "fit is not a verdict"))
    rows, prev = [], None
    for level in LEVELS:
        f = fits[level]
        row = {"chi2": f.chi2, "df": f.df, "p_value": f.p_value, "cfi": f.cfi, "tli": f.tli,
               "rmsea": f.rmsea, "srmr": f.srmr, "npar": f.npar, "aic": f.aic, "bic": f.bic,
               "delta_cfi": np.nan, "chi2_diff": np.nan, "df_diff": np.nan, "p_diff": np.nan}
        if prev is not None:
            ddf = f.df - prev.df
            dchi = f.chi2 - prev.chi2
            row.update(delta_cfi=f.cfi - prev.cfi, chi2_diff=dchi, df_diff=ddf,
                       p_diff=float(stats.chi2.sf(max(dchi, 0.0), ddf)) if ddf > 0 else np.nan)
        rows.append(row)
        prev = f
    table = pd.DataFrame(rows, index=pd.Index(LEVELS, name="level"))
    verdict = "none"
    if fits["configural"].cfi >= 0.90:
        verdict = "configural"
        for level in LEVELS[1:]:
            if table.loc[level, "delta_cfi"] >= -delta_cfi - 1e-12:
                verdict = level
            else:
                break
    return InvarianceResult(table=table, verdict=verdict, fits=fits, groups=groups, n=n)


def by_segment(data: pd.DataFrame, model: Mapping[str, Sequence[str]],
               segments: Sequence[str], delta_cfi: float = DELTA_CFI) -> pd.DataFrame:
    """Invariance across the levels of each segment column (region, channel ...): one row
    per column with its groups, the verdict, the configural CFI, the change in CFI of the
    metric and scalar models and ``means_comparable``. Latent variables with fewer than
    two items are left out of the model; a column that cannot be tested says why in
    ``note``.

    Example
    -------
    >>> by_segment(survey, params.blocks(p), ["region", "channel"])     # doctest: +SKIP
    """
    model = {f: list(items) for f, items in model.items() if len(items) >= 2}
    rows = []
    for seg in segments:
        row = {"segment": seg, "groups": "", "verdict": "", "cfi": np.nan,
               "delta_cfi_metric": np.nan, "delta_cfi_scalar": np.nan,
               "means_comparable": False, "note": ""}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CSIWarning)
                r = invariance(data, model, group=seg, delta_cfi=delta_cfi)
            row.update(groups=", ".join(f"{g} ({r.n[g]})" for g in r.groups), verdict=r.verdict,
                       cfi=r.table.loc["configural", "cfi"],
                       delta_cfi_metric=r.table.loc["metric", "delta_cfi"],
                       delta_cfi_scalar=r.table.loc["scalar", "delta_cfi"],
                       means_comparable=r.means_comparable)
        except CSIInputError as exc:
            row["note"] = str(exc)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
            # a model that cannot be estimated in some group (a Heywood case, too few rows
            # for the factors): the segment is reported as untested, the run goes on
            row["note"] = f"not estimable across {seg!r}: {exc}"
        rows.append(row)
    return pd.DataFrame(rows, columns=["segment", "groups", "verdict", "cfi", "delta_cfi_metric",
                                       "delta_cfi_scalar", "means_comparable", "note"])
