"""Factor analysis of survey items, equal to R psych: KMO, Bartlett, parallel analysis, EFA.

A methodologist's order (issue 3, notebook 04): is the matrix factorable (``kmo``,
``bartlett``)? How many factors (``parallel_analysis``)? What do they look like (``efa``)?
Then the confirmatory side, ``cfa`` and ``validity`` (in ``csi_helpers._cfa``,
re-exported here).

Everything starts from the Pearson correlations of the items computed, as R psych does,
from pairwise-complete observations (``missing="pairwise"``, the default; the number of
respondents behind each correlation is on the result) or from complete rows only
(``missing="listwise"``). Constant items are dropped with a ``CSIWarning``; a matrix that
is not positive definite (fewer respondents than items, redundant items) is smoothed as
``psych::cor.smooth`` does, with a ``CSIWarning``.

Implementation note (why not factor_analyzer). The extraction and rotation code here is
our own (numpy/scipy), written line by line after psych 2.2.9 ``fa`` (``fac``),
``stats::varimax``, ``psych::Promax``/``kaiser`` and ``GPArotation::GPFoblq``, because
factor_analyzer 0.5.1 does not reproduce psych: its promax skips psych's Kaiser
normalisation around Promax, its ``principal`` method is a single non-iterated step
(psych's ``fm="pa"`` iterates until the communalities change by < .001), its minres has
no bounds on the uniquenesses, it cannot take pairwise-missing data, and it is slower.
The golden tests (tests/golden/psych/) check every method and rotation against psych.

References: Revelle W., psych: Procedures for Psychological, Psychometric, and Personality
Research (``fa``, ``fa.parallel``, ``KMO``, ``cortest.bartlett``); Harman & Jones (1966)
minres; Kaiser (1958) varimax; Hendrickson & White (1964) promax; Jennrich (2002)
gradient projection oblimin; Horn (1965) parallel analysis; Kaiser (1970, 1974) MSA;
Bartlett (1951).
"""
from __future__ import annotations

import warnings
from contextlib import nullcontext as _nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

try:  # scipy's L-BFGS-B runs ~40x slower with multi-threaded OpenBLAS on small problems
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
    threadpool_limits = None

from ._correlation import Correlation, correlation
from .errors import CSIInputError, CSIWarning

__all__ = ["KMO", "Bartlett", "ParallelAnalysis", "EFA", "kmo", "bartlett", "parallel_analysis",
           "efa", "METHODS", "ROTATIONS"]

from ._cfa import cfa, validity  # noqa: E402,F401  (CFA in _cfa.py, validity in _cfa_validity.py)
from .invariance import invariance, multigroup_cfa  # noqa: E402,F401  (multi-group CFA)

__all__ += ["cfa", "validity", "invariance", "multigroup_cfa"]

METHODS = ("minres", "ml", "principal")
ROTATIONS = ("oblimin", "promax", "varimax", None)
_EPS = np.finfo(float).eps
_LOWER = 0.005          # psych's lower bound on uniquenesses for minres / ml (optim L-BFGS-B)
HEYWOOD_COMMUNALITY = 1 - _LOWER   # communality at or above this is a (bounded) Heywood case


def _fmt(x, nd=3):
    return "NA" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{nd}f}"


# --------------------------------------------------------------------------- suitability
@dataclass(frozen=True, repr=False)
class KMO:
    """Kaiser-Meyer-Olkin measure of sampling adequacy."""
    overall: float                 #: overall MSA
    per_item: pd.Series            #: MSA per item
    n: int                         #: respondent rows used
    n_obs: pd.DataFrame = field(default=None)   #: respondents behind each correlation

    def __repr__(self) -> str:
        worst = self.per_item.idxmin()
        return (f"KMO(overall={self.overall:.3f}, items={len(self.per_item)}, "
                f"lowest {worst}={self.per_item[worst]:.3f}, n={self.n})")


def _corr(items, missing, what) -> Correlation:
    return correlation(items, missing=missing, what=what)


def kmo(items, missing: str = "pairwise") -> KMO:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item (psych::KMO).

    With R the correlation matrix and Q the anti-image (partial) correlations,
    ``Q = cov2cor(R^-1)`` with zero diagonal,

        MSA   = sum_{i!=j} r_ij^2 / (sum_{i!=j} r_ij^2 + sum_{i!=j} q_ij^2)
        MSA_i = sum_{j!=i} r_ij^2 / (sum_{j!=i} r_ij^2 + sum_{j!=i} q_ij^2)

    Works with missing data (pairwise correlations). Kaiser's reading: >= .9 marvellous,
    .8 meritorious, .7 middling, .6 mediocre, .5 miserable, below unacceptable.

    Reference: Kaiser (1970) Psychometrika 35; Kaiser & Rice (1974); psych::KMO.

    Example
    -------
    >>> k = kmo(values[["Q01", "Q02", "Q03", "Q04"]])   # doctest: +SKIP
    >>> k.overall, k.per_item                         # doctest: +SKIP
    """
    c = _corr(items, missing, "kmo")
    r = c.r.to_numpy()
    q = np.linalg.inv(r)
    d = 1 / np.sqrt(np.diag(q))
    q = q * d[:, None] * d[None, :]
    np.fill_diagonal(q, 0.0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    r2, q2 = (r0 ** 2).sum(axis=0), (q ** 2).sum(axis=0)
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    per = pd.Series(r2 / (r2 + q2), index=c.r.index, name="MSA")
    return KMO(overall=overall, per_item=per, n=c.n, n_obs=c.n_obs)


@dataclass(frozen=True, repr=False)
class Bartlett:
    """Bartlett's test of sphericity (is R an identity matrix?)."""
    chi2: float
    df: int
    p_value: float
    n: int                         #: respondent rows (psych: nrow of the data)

    def __repr__(self) -> str:
        return f"Bartlett(chi2={self.chi2:.3f}, df={self.df}, p_value={self.p_value:.3g}, n={self.n})"


def bartlett(items, missing: str = "pairwise") -> Bartlett:
    """Bartlett's test that the correlation matrix is an identity (psych::cortest.bartlett).

        chi2 = -ln|R| (n - 1 - (2k + 5) / 6),  df = k (k - 1) / 2

    R from pairwise-complete correlations; n is the number of respondent rows, as psych
    uses for raw data (``missing="listwise"``: complete rows only). A small p-value says
    the items share variance worth factoring.

    Reference: Bartlett (1951) British J. Psychology 4; psych::cortest.bartlett.

    Example
    -------
    >>> b = bartlett(values[items])      # doctest: +SKIP
    >>> b.chi2, b.df, b.p_value          # doctest: +SKIP
    """
    c = _corr(items, missing, "bartlett")
    r = c.r.to_numpy()
    k, n = r.shape[0], c.n
    sign, logdet = np.linalg.slogdet(r)
    chi2 = float(-logdet * (n - 1 - (2 * k + 5) / 6))
    df = k * (k - 1) // 2
    return Bartlett(chi2=chi2, df=int(df), p_value=float(stats.chi2.sf(chi2, df)), n=n)


# --------------------------------------------------------------------------- extraction
def _eigh_desc(s):
    vals, vecs = np.linalg.eigh(s)
    return vals[..., ::-1], vecs[..., ::-1]


def _smc(r: np.ndarray) -> np.ndarray:
    """psych::smc: squared multiple correlations 1 - 1/diag(R^-1) (pseudo-inverse), clipped to [0, 1]."""
    inv = np.linalg.pinv(r, rcond=np.sqrt(_EPS), hermitian=True)
    s = 1 - 1 / np.diag(inv)
    return np.clip(s, 0.0, 1.0)


def _minres_loadings(s: np.ndarray, psi: np.ndarray, nf: int) -> np.ndarray:
    """psych FAout.wls: top-nf eigen-decomposition of S with diag(S) - Psi."""
    sd = s.copy()
    sd[np.diag_indices_from(sd)] -= psi
    vals, vecs = _eigh_desc(sd)
    return vecs[:, :nf] * np.sqrt(np.maximum(vals[:nf], 0))


def _ml_loadings(s: np.ndarray, psi: np.ndarray, nf: int) -> np.ndarray:
    """psych FAout (= factanal): loadings from the scaled matrix Psi^-1/2 S Psi^-1/2."""
    sc = 1 / np.sqrt(psi)
    vals, vecs = _eigh_desc(s * sc[:, None] * sc[None, :])
    load = vecs[:, :nf] * np.sqrt(np.maximum(vals[:nf] - 1, 0))
    return load * np.sqrt(psi)[:, None]


def _optim(fun, grad, start, upper, max_iter=2000):
    """R optim(method="L-BFGS-B", parscale=0.01, lower=.005) emulated with scipy.

    R's defaults (m = 5, factr = 1e7) would stop a little short of the optimum; we
    converge tighter (ftol 1e-12), so our estimates sit at the optimum psych is heading for.
    """
    scale = 0.01
    with (threadpool_limits(1, user_api="blas") if threadpool_limits else _nullcontext()):
        res = optimize.minimize(lambda x: fun(x * scale), start / scale, jac=lambda x: grad(x * scale) * scale,
                                method="L-BFGS-B", bounds=[(_LOWER / scale, upper / scale)] * len(start),
                                options={"maxcor": 5, "ftol": 1e-13, "gtol": 1e-10, "maxiter": max_iter})
    return res.x * scale, bool(res.success), int(res.nit)


def _fit_minres(r: np.ndarray, nf: int, max_iter=None):
    smc = _smc(r)
    upper = max(smc.max(), 1.0)
    start = np.diag(r) - smc
    il = np.tril_indices(r.shape[0], -1)

    def fun(psi):
        s = r.copy()
        s[np.diag_indices_from(s)] = 1 - psi
        vals, vecs = _eigh_desc(s)
        vals = np.where(vals < _EPS, 100 * _EPS, vals)
        load = vecs[:, :nf] * np.sqrt(vals[:nf])
        res = (s - load @ load.T)[il]
        return float(res @ res)

    def grad(psi):
        load = _minres_loadings(r, psi, nf)
        return (load ** 2).sum(axis=1) + psi - np.diag(r)

    psi, ok, nit = _optim(fun, grad, start, upper, max_iter or 2000)
    return _minres_loadings(r, psi, nf), 1 - psi, ok, nit, None


def _fit_ml(r: np.ndarray, nf: int, max_iter=None):
    smc = _smc(r)
    upper = max(smc.max(), 1.0)
    start = np.diag(r) - smc
    k = r.shape[0]

    def fun(psi):
        sc = 1 / np.sqrt(psi)
        e = np.linalg.eigvalsh(r * sc[:, None] * sc[None, :])[::-1][nf:]
        if np.any(e <= 0):
            return np.inf
        return float(-(np.sum(np.log(e) - e) - nf + k))

    def grad(psi):
        load = _ml_loadings(r, psi, nf)
        g = load @ load.T
        return (np.diag(g) + psi - np.diag(r)) / psi ** 2

    psi, ok, nit = _optim(fun, grad, start, upper, max_iter or 2000)
    return _ml_loadings(r, psi, nf), 1 - psi, ok, nit, None


def _fit_pa(r: np.ndarray, nf: int, max_iter=None, min_err: float = 0.001):
    max_iter = max_iter or 50
    """psych fm="pa": principal axis, SMC start, iterate until sum of communalities changes < .001."""
    rm = r.copy()
    rm[np.diag_indices_from(rm)] = _smc(r)
    comm = float(np.trace(rm))
    err, i, ok = comm, 1, True
    prev = None
    while err > min_err:
        vals, vecs = _eigh_desc(rm)
        with np.errstate(invalid="ignore"):
            load = vecs[:, :nf] * np.sqrt(vals[:nf])
        new = (load ** 2).sum(axis=1)
        comm1 = float(new.sum())
        rm[np.diag_indices_from(rm)] = new
        err = abs(comm - comm1)
        if np.isnan(err):
            # psych: "imaginary eigen value condition encountered in fa"; keep the last real
            # iterate (psych would carry NaN on) and report non-convergence
            ok = False
            if prev is not None:
                load, vals = prev
            break
        prev = (load, vals)
        comm = comm1
        i += 1
        if i > max_iter:
            ok = False
            break
    return load, (load ** 2).sum(axis=1), ok, i - 1, vals   # psych's values: last iteration's eigenvalues


# --------------------------------------------------------------------------- rotations
def _varimax(x: np.ndarray, normalize: bool = True, eps: float = 1e-5):
    """stats::varimax, line by line (Kaiser normalisation, SVD iterations, eps = 1e-5)."""
    nc = x.shape[1]
    if nc < 2:
        return x, np.eye(nc)
    if normalize:
        sc = np.sqrt((x ** 2).sum(axis=1))
        x = x / sc[:, None]
    p = x.shape[0]
    tt = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ tt
        b = x.T @ (z ** 3 - z @ np.diag((z ** 2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        tt = u @ vt
        dpast, d = d, s.sum()
        if d < dpast * (1 + eps):
            break
    z = x @ tt
    if normalize:
        z = z * sc[:, None]
    return z, tt


def _promax_psych(x: np.ndarray, m: int = 4):
    """psych::Promax (varimax, then target Q = x |x|^(m-1), lm.fit, rescale)."""
    xv, rot = _varimax(x)
    q = xv * np.abs(xv) ** (m - 1)
    u = np.linalg.lstsq(xv, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u @ np.diag(np.sqrt(d))
    z = xv @ u
    u = rot @ u
    ui = np.linalg.inv(u)
    return z, ui @ ui.T


def _promax(x: np.ndarray, m: int = 4):
    """psych fa(rotate="promax") = kaiser(rotate="Promax"): rows scaled by sqrt(h2) before, back after."""
    h2 = (x ** 2).sum(axis=1)
    w = x / np.sqrt(h2)[:, None]
    z, phi = _promax_psych(w, m)
    return z * np.sqrt(h2)[:, None], phi, True


def _oblimin(a: np.ndarray, gam: float = 0.0, eps: float = 1e-5, maxit: int = 1000):
    """GPArotation::oblimin (GPFoblq with vgQ.oblimin), line by line; returns (L, Phi, converged)."""
    k = a.shape[1]
    tmat = np.eye(k)
    offdiag = 1.0 - np.eye(k)

    def vgq(lo):
        x = (lo ** 2) @ offdiag
        if gam != 0:
            p = lo.shape[0]
            x = (np.eye(p) - gam / p) @ x
        return lo * x, float(np.sum(lo ** 2 * x) / 4)

    al = 1.0
    lo = a @ np.linalg.inv(tmat).T
    gq, f = vgq(lo)
    g = -(lo.T @ gq @ np.linalg.inv(tmat)).T
    s = np.inf
    for _ in range(maxit + 1):
        gp = g - tmat @ np.diag(np.sum(tmat * g, axis=0))
        s = float(np.sqrt(np.sum(gp ** 2)))
        if s < eps:
            break
        al *= 2
        for _i in range(11):
            xm = tmat - al * gp
            v = 1 / np.sqrt(np.sum(xm ** 2, axis=0))
            tmatt = xm * v[None, :]
            lo = a @ np.linalg.inv(tmatt).T
            gqt, ft = vgq(lo)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2
        tmat = tmatt
        f = ft
        g = -(lo.T @ gqt @ np.linalg.inv(tmatt)).T
    return lo, tmat.T @ tmat, s < eps


# --------------------------------------------------------------------------- EFA
@dataclass(frozen=True, repr=False)
class EFA:
    """An exploratory factor solution (psych::fa)."""
    loadings: pd.DataFrame         #: pattern loadings, items x factors (named as psych: MR1.., ML1.., PA1..)
    communalities: pd.Series       #: h2 per item
    uniquenesses: pd.Series        #: u2 = 1 - h2
    variance: pd.DataFrame         #: SS loadings, proportion, cumulative (+ proportion explained)
    phi: pd.DataFrame | None       #: factor correlations (oblique rotations), else None
    structure: pd.DataFrame        #: structure matrix = loadings @ phi
    method: str
    rotation: str | None
    n_factors: int
    n: int                         #: respondent rows used
    n_obs: pd.DataFrame            #: respondents behind each correlation
    eigenvalues: pd.Series         #: eigenvalues of the correlation matrix (psych e.values)
    common_eigenvalues: pd.Series  #: eigenvalues of the reduced matrix (psych values)
    converged: bool                #: extraction and rotation both converged
    heywood: tuple                 #: items with communality >= .995 (psych's bound) or >= 1
    iterations: int
    dropped: tuple = ()
    smoothed: bool = False

    def __repr__(self) -> str:
        v = self.variance
        lines = [f"EFA(method={self.method!r}, rotation={self.rotation!r}, n_factors={self.n_factors}, "
                 f"n={self.n}, converged={self.converged}, heywood={list(self.heywood)})",
                 self.loadings.round(2).assign(h2=self.communalities.round(2)).to_string(),
                 v.round(3).to_string()]
        if self.phi is not None:
            lines.append("phi:\n" + self.phi.round(2).to_string())
        return "\n".join(lines)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return (f"<p>EFA {self.method}/{self.rotation}, {self.n_factors} factors, n={self.n}, "
                f"converged={self.converged}, Heywood: {list(self.heywood) or 'none'}</p>"
                + self.loadings.round(3).assign(h2=self.communalities.round(3)).to_html()
                + self.variance.round(3).to_html())


_PREFIX = {"minres": "MR", "ml": "ML", "principal": "PA"}


def _extract(r: np.ndarray, nf: int, method: str, max_iter=None):
    if method == "minres":
        return _fit_minres(r, nf, max_iter)
    if method == "ml":
        return _fit_ml(r, nf, max_iter)
    return _fit_pa(r, nf, max_iter)


def _fa_core(r: np.ndarray, nf: int, method: str, rotation, max_iter=None):
    """psych fac(): extraction, sign, rotation, sign, order. Returns a dict of arrays."""
    load, _, ok, nit, last_vals = _extract(r, nf, method, max_iter)
    load = np.asarray(load, dtype=float).reshape(r.shape[0], nf)
    sgn = np.sign(load.sum(axis=0))
    sgn[sgn == 0] = 1
    load = load * sgn
    load[load == 0] = 1e-15
    model = load @ load.T
    communality = np.diag(model).copy()
    rd = r.copy()
    rd[np.diag_indices_from(rd)] = communality
    common_vals = _eigh_desc(rd)[0] if last_vals is None else last_vals
    phi = None
    rot_ok = True
    if nf > 1 and rotation is not None:
        if rotation == "varimax":
            load, _ = _varimax(load)
        elif rotation == "promax":
            load, phi, rot_ok = _promax(load)
        elif rotation == "oblimin":
            load, phi, rot_ok = _oblimin(load)
    sgn = np.sign(load.sum(axis=0))
    sgn[sgn == 0] = 1
    load = load * sgn
    if phi is not None:
        phi = sgn[:, None] * phi * sgn[None, :]
    order = np.arange(nf)
    if nf > 1:
        ev = np.diag(load.T @ load) if phi is None else np.diag(phi @ load.T @ load)
        order = np.argsort(-ev, kind="stable")
        load = load[:, order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]
    return dict(loadings=load, phi=phi, communality=communality, common_values=common_vals,
                converged=bool(ok and rot_ok), iterations=nit, order=order)


def _variance_table(load, phi, k, names) -> pd.DataFrame:
    vx = np.diag(load.T @ load) if phi is None else np.diag(phi @ load.T @ load)
    t = pd.DataFrame({"ss_loadings": vx, "proportion_var": vx / k, "cumulative_var": np.cumsum(vx / k),
                      "proportion_explained": vx / vx.sum(), "cumulative_proportion": np.cumsum(vx / vx.sum())},
                     index=names).T
    return t


def efa(items, n_factors: int, method: str = "minres", rotation: str | None = "oblimin",
        missing: str = "pairwise", max_iter: int | None = None) -> EFA:
    """Exploratory factor analysis as psych::fa(items, nfactors, fm, rotate).

    Model: R ~ L Phi L' + U^2. Extraction ``method``:
    - ``"minres"`` (psych default): minimise the off-diagonal residuals sum_{i<j}(r_ij - (LL')_ij)^2
      over the uniquenesses Psi (bounded to [.005, 1]; SMC start), L from the top
      eigenvectors of R - Psi;
    - ``"ml"``: maximum likelihood, F = -sum_{m>nf} (ln e_m - e_m) - nf + k with e the
      eigenvalues of Psi^-1/2 R Psi^-1/2 (as factanal / psych);
    - ``"principal"``: principal axis factoring (psych ``fm="pa"``; SPSS "principal axis"):
      SMCs on the diagonal, iterated until the sum of communalities changes by < .001
      (at most 50 iterations).
    ``rotation``: ``"oblimin"`` (psych default; GPArotation quartimin, gamma 0),
    ``"promax"`` (psych: Kaiser-normalised rows, varimax, power 4), ``"varimax"``
    (stats::varimax, Kaiser normalised) or ``None``. Columns are reflected so each sums
    positive and ordered by variance explained (diag(Phi L'L)).

    ``variance`` rows: ss_loadings, proportion_var (of k items), cumulative_var,
    proportion_explained, cumulative_proportion (psych ``Vaccounted``).
    Heywood cases (communality at psych's bound .995 or above 1) and non-convergence are
    reported on the result (``heywood``, ``converged``) and by a ``CSIWarning``.
    ``max_iter``: iteration limit (default: psych's 50 for principal axis; 2000 optimiser
    iterations for minres / ml).

    Reference: Revelle, psych::fa; Harman (1976) Modern Factor Analysis.

    Example
    -------
    >>> f = efa(values[items], 3, method="minres", rotation="oblimin")  # doctest: +SKIP
    >>> f.loadings.round(2), f.variance, f.phi                          # doctest: +SKIP
    """
    if method == "pa":
        method = "principal"
    if method not in METHODS:
        raise CSIInputError(f"efa: method={method!r} is not known; use one of {list(METHODS)}")
    if rotation in ("none", "None"):
        rotation = None
    if rotation not in ROTATIONS:
        raise CSIInputError(f"efa: rotation={rotation!r} is not known; use one of {list(ROTATIONS)}")
    c = _corr(items, missing, "efa")
    r = c.r.to_numpy()
    k = r.shape[0]
    if isinstance(n_factors, bool) or not isinstance(n_factors, (int, np.integer)) or n_factors < 1:
        raise CSIInputError(f"efa: n_factors={n_factors!r} must be a whole number >= 1")
    n_factors = int(n_factors)
    dof = ((k - n_factors) ** 2 - (k + n_factors)) / 2
    if n_factors >= k or (method == "ml" and dof < 0):
        raise CSIInputError(f"efa: n_factors={n_factors} is too many for {k} items "
                            f"(degrees of freedom {dof:g}); use fewer factors (parallel_analysis suggests how many)")
    if max_iter is not None and (isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1):
        raise CSIInputError(f"efa: max_iter={max_iter!r} must be a whole number >= 1 (or None for psych's defaults)")
    out = _fa_core(r, n_factors, method, rotation, max_iter)
    # as psych: factors keep the number of their extraction order after sorting (MR2, MR1, ...)
    names = [f"{_PREFIX[method]}{i + 1}" for i in out["order"]]
    items_ = list(c.r.index)
    load, phi = out["loadings"], out["phi"]
    comm = pd.Series(out["communality"], index=items_, name="h2")
    hey = tuple(comm.index[comm >= HEYWOOD_COMMUNALITY - 1e-9])
    if hey:
        warnings.warn(f"efa: Heywood case(s) {list(hey)}: communality at or above {HEYWOOD_COMMUNALITY} "
                      f"(uniqueness at psych's lower bound; above 1 is psych's 'ultra-Heywood' case); interpret these loadings with care, "
                      f"try fewer factors or another method", CSIWarning, stacklevel=2)
    if not out["converged"]:
        warnings.warn(f"efa: the {method} extraction or the {rotation} rotation did not converge; "
                      f"results are the last iterate (see .converged)", CSIWarning, stacklevel=2)
    ldf = pd.DataFrame(load, index=items_, columns=names)
    phidf = None if phi is None else pd.DataFrame(phi, index=names, columns=names)
    struct = ldf if phi is None else pd.DataFrame(load @ phi, index=items_, columns=names)
    return EFA(loadings=ldf, communalities=comm, uniquenesses=(1 - comm).rename("u2"),
               variance=_variance_table(load, phi, k, names), phi=phidf, structure=struct,
               method=method, rotation=rotation, n_factors=n_factors, n=c.n, n_obs=c.n_obs,
               eigenvalues=pd.Series(_eigh_desc(r)[0], index=range(1, k + 1), name="eigenvalue"),
               common_eigenvalues=pd.Series(out["common_values"], index=range(1, k + 1), name="eigenvalue"),
               converged=out["converged"], heywood=hey, iterations=out["iterations"],
               dropped=c.dropped, smoothed=c.smoothed)


# --------------------------------------------------------------------------- parallel analysis
@dataclass(frozen=True, repr=False)
class ParallelAnalysis:
    """Horn's parallel analysis as psych::fa.parallel(fa="both")."""
    n_factors: int                 #: factors whose eigenvalue beats the simulated 95th percentile
    n_components: int              #: components whose eigenvalue beats the simulated 95th percentile
    table: pd.DataFrame            #: observed vs simulated eigenvalues, one row per position
    n: int
    n_iter: int
    seed: int | None
    quantile: float = 0.95

    def __repr__(self) -> str:
        return (f"ParallelAnalysis(n_factors={self.n_factors}, n_components={self.n_components}, "
                f"n={self.n}, n_iter={self.n_iter}, seed={self.seed}, criterion=q{int(self.quantile * 100)})\n"
                + self.table.head(max(self.n_factors, self.n_components) + 2).round(3).to_string())

    def _repr_html_(self) -> str:  # pragma: no cover
        return (f"<p>Parallel analysis: {self.n_factors} factors, {self.n_components} components "
                f"(n={self.n}, {self.n_iter} simulations)</p>" + self.table.round(3).to_html())


def _first_not_above(obs: np.ndarray, crit: np.ndarray) -> int:
    """psych: which(!(observed > simulated))[1] - 1 (all above: all of them)."""
    below = np.nonzero(~(obs > crit))[0]
    return int(below[0]) if below.size else int(obs.size)


def _sim_eigen(n: int, k: int, n_iter: int, rng: np.random.Generator, batch: int = 25):
    pcs, fas = [], []
    done = 0
    while done < n_iter:
        b = min(batch, n_iter - done)
        z = rng.standard_normal((b, n, k))
        z -= z.mean(axis=1, keepdims=True)
        cov = np.einsum("bni,bnj->bij", z, z, optimize=True)
        d = 1 / np.sqrt(np.einsum("bii->bi", cov))
        r = cov * d[:, :, None] * d[:, None, :]
        r[:, np.arange(k), np.arange(k)] = 1.0
        pcs.append(np.linalg.eigvalsh(r)[:, ::-1])
        # the one-factor minres fit of each simulated matrix, exactly as for the observed one
        # (psych's optimiser stops where ours does; a batched fixed-point solver would be
        # faster but lands ~1% higher on noise matrices, biasing the criterion)
        fas.extend(_fa_core(r[i], 1, "minres", None)["common_values"] for i in range(b))
        done += b
    return np.concatenate(pcs), np.asarray(fas)


def parallel_analysis(items, n_iter: int = 20, seed: int | None = None, missing: str = "pairwise",
                      quantile: float = 0.95) -> ParallelAnalysis:
    """Horn's parallel analysis, as psych::fa.parallel(x, fm="minres", fa="both").

    Observed: the eigenvalues of the item correlation matrix (components) and of the
    reduced matrix of a one-factor minres solution (factors; psych ``fa(...)$values``).
    Simulated: ``n_iter`` data sets of independent normal variables with the same n
    (rows) and k, and the same two sets of eigenvalues of each. As psych does (with its
    default ``sim=TRUE``, ``quant=.95``), the number of factors / components is the
    number of leading observed eigenvalues greater than the **95th percentile**
    (``quantile``; R quantile type 7) of the simulated ones, counted up to the first that
    is not. The simulated means are in the table too. (psych also resamples the observed
    data for its plot; its decision uses the simulated normal data only, as here.)

    Reproducible: the simulation draws from ``numpy.random.default_rng(seed)``. It does
    not reproduce R's random numbers, so simulated values differ from psych's by
    simulation noise; the observed eigenvalues are identical.

    ``table`` columns: observed_pc, simulated_pc_mean, simulated_pc_q95, observed_fa,
    simulated_fa_mean, simulated_fa_q95 (index: 1..k).

    Reference: Horn (1965) Psychometrika 30; psych::fa.parallel.

    Example
    -------
    >>> pa = parallel_analysis(values[items], n_iter=100, seed=1)   # doctest: +SKIP
    >>> pa.n_factors, pa.n_components                               # doctest: +SKIP
    """
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 1:
        raise CSIInputError(f"parallel_analysis: n_iter={n_iter!r} must be a whole number >= 1")
    if not 0 < quantile < 1:
        raise CSIInputError(f"parallel_analysis: quantile={quantile!r} must be between 0 and 1 (psych: .95)")
    c = _corr(items, missing, "parallel_analysis")
    r = c.r.to_numpy()
    k, n = r.shape[0], c.n
    obs_pc = _eigh_desc(r)[0]
    obs_fa = _fa_core(r, 1, "minres", None)["common_values"]
    rng = np.random.default_rng(seed)
    sim_pc, sim_fa = _sim_eigen(n, k, int(n_iter), rng)
    table = pd.DataFrame({
        "observed_pc": obs_pc, "simulated_pc_mean": sim_pc.mean(axis=0),
        "simulated_pc_q95": np.quantile(sim_pc, quantile, axis=0),
        "observed_fa": obs_fa, "simulated_fa_mean": sim_fa.mean(axis=0),
        "simulated_fa_q95": np.quantile(sim_fa, quantile, axis=0)}, index=pd.RangeIndex(1, k + 1, name="number"))
    if quantile != 0.95:
        table = table.rename(columns={"simulated_pc_q95": f"simulated_pc_q{quantile:g}",
                                      "simulated_fa_q95": f"simulated_fa_q{quantile:g}"})
    crit_pc, crit_fa = table.iloc[:, 2].to_numpy(), table.iloc[:, 5].to_numpy()
    return ParallelAnalysis(n_factors=_first_not_above(obs_fa, crit_fa),
                            n_components=_first_not_above(obs_pc, crit_pc),
                            table=table, n=n, n_iter=int(n_iter), seed=seed, quantile=quantile)
