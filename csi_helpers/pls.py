"""PLS path modelling (PLS-PM) of the ACSI / ECSI structural model, equal to R plspm.

The customer-satisfaction index model (METHOD.md §2) links latent variables (LVs) —
image, expectations, perceived quality, perceived value, satisfaction, complaints,
loyalty — each measured by a block of survey items. ACSI and ECSI estimate it with
partial least squares path modelling (Wold 1982; Lohmöller 1989), which this module
implements exactly as R ``plspm`` (Sanchez 2013, version 0.4.x) does:

* **Data treatment** (``scaled``). ``scaled=True`` standardises every indicator with the
  *population* standard deviation (divisor n; plspm ``sqrt((n-1)/n) * sd``);
  ``scaled=False`` only centres them. Either way the LV scores have mean 0 and variance 1
  (divisor n).
* **Outer estimation** (mode A, reflective blocks): the outer weights of block j are the
  covariances of its indicators with the inner estimate Z_j, ``w_j = X_j' Z_j / n``.
* **Inner estimation** ``Z = Y E`` with the inner weights E of the chosen ``scheme``:
  ``centroid`` e_lj = sign(cor(Y_l, Y_j)); ``factorial`` e_lj = cor(Y_l, Y_j) (for
  adjacent LVs l, j); ``path``: for LV j, its predecessors get the coefficients of the
  regression of Y_j on them, its successors their correlation with Y_j.
* **Start and stop**: all weights 1 (scaled so each block sum has variance 1); stop when
  ``sum((|w_old| - |w_new|)**2) < tol`` (tol = 1e-6) or after ``maxiter`` = 100
  iterations; the final weights are rescaled so every LV score has variance 1.
* **Sign**: an LV whose indicators mostly correlate negatively with it is reflected
  (plspm's ``get_scores`` rule: the sign of the sum of the signs of its loadings, 0
  counting as negative). plspm reflects the scores but not the printed weights; here the
  weights are reflected too, so ``scores == X @ weights`` always holds (identical to
  plspm whenever no block needs reflecting, the usual case for positively keyed items).
* **Inner model**: OLS of each endogenous LV on its predecessors (path coefficients, R²,
  plspm's ``inner_model`` standard errors, t and p); direct, indirect and total effects
  from the powers of the path matrix; loadings = cor(indicator, LV); communality =
  loading²; redundancy = communality × R² of the block's LV; inner summary with block
  communality, mean redundancy and AVE = Σλ² / (Σλ² + Σ(1-λ²)); GoF =
  sqrt(mean communality over blocks of more than one indicator × mean R²).

Everything is computed from the indicators' covariance matrix, which is what makes the
bootstrap fast: each resample's covariance comes from its count weights by one matrix
product, and all resamples iterate together, warm-started from the full-sample weights.

Missing values (``missing="pairwise"``, the default) follow R plspm. plspm's metric
route (``get_weights``) cannot take NA (it stops with "missing value where TRUE/FALSE
needed"); plspm handles NA in its non-metric route ``get_weights_nonmetric`` (Russolillo
2012), which with every item on a numeric scale (``scaling = "num"``) is the standardised
metric model. That is what this module runs whenever an indicator is missing:

* indicators standardised on their available values (population sd);
* start: w_p = 1/sqrt(p_j); y_i = Σ_avail x_ip w_p / Σ_avail w_p² (plspm's treated data);
* each iteration (Jacobi, from the inner estimates Z = Y E): for every block
  ``w_p = Σ_i x_ip z_i / Σ_i z_i²`` over the rows where x_ip is available, and
  ``y_i = Σ_p x_ip w_p / Σ_p w_p²`` over the items row i answered (the LV score from the
  available indicators), then y standardised (divisor n); stop when
  ``Σ (|Y_old| - |Y|)² < tol``;
* final weights rescaled by plspm's rule ``w / (sd(X_j w) / sqrt(n/(n-1)))`` with sd over
  the rows complete in the block; loadings and cross-loadings are pairwise-complete
  correlations ``cor(x, y, use="pairwise.complete.obs")``; the inner model is OLS on the
  (complete) LV scores, so it uses all n rows.

``result.n`` is the number of rows used (every row that answers at least one item of each
block; a row with a whole block unanswered has no score there and is dropped with a
:class:`CSIWarning`), ``result.n_missing_values`` the number of missing cells and
``result.missing`` the route taken ("complete", "pairwise" or "listwise"). On complete
data nothing changes (bit-identical to the metric route). Our choices where plspm has
none: the factorial scheme uses ``cov(Y)`` as plspm's code intends (its ``switch`` names
it "factor", so plspm itself fails there); ``scaled=False`` is not available with NA (the
route standardises; a CSIWarning says so and the result has ``scaled=True``); LVs get
the same sign rule as on complete data. ``missing="listwise"`` instead drops every row
with a missing indicator (with a CSIWarning) and runs the metric route. The bootstrap
with NA resamples rows and reruns the NA route from plspm's start on each resample -
as a reweighting, not a copy: the rows are grouped by missing-value pattern, each
resample's count-weighted sums per group come from matrix products, and all resamples
iterate together on those sums (:mod:`csi_helpers._pls_missing`), at about the cost of
the complete-data bootstrap and with the same draws as refitting each resample's rows.

Layout: ``fit`` lives here; the model's checks and its compiled form in ``pls_model``,
the outer/inner estimation loop (and the NA route) in ``pls_estimation``, the bootstrap
in ``pls_bootstrap`` (NA resamples in ``_pls_missing``), ``csi_index`` and ``ipma`` in
``pls_index``, the result objects in ``pls_results``, ``mga`` in ``pls_mga``; every name
is importable from ``csi_helpers.pls`` as before.

References
----------
Sanchez, G. (2013) *PLS Path Modeling with R*. Trowchez Editions (R package plspm).
Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., Lauro, C. (2005) PLS path modeling.
*Computational Statistics & Data Analysis* 48, 159-205.
Russolillo, G. (2012) Non-metric partial least squares. *Electronic Journal of
Statistics* 6, 1641-1669.
Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., Bryant, B. E. (1996) The American
Customer Satisfaction Index. *Journal of Marketing* 60(4), 7-18.
Ringle, C. M., Sarstedt, M. (2016) Gain more insight from your PLS-SEM results: the
importance-performance map analysis. *Industrial Management & Data Systems* 116(9).

Example
-------
>>> from csi_helpers import pls
>>> blocks = {"IMAG": ["imag1", "imag2"], "EXPE": ["expe1", "expe2"], ...}  # doctest: +SKIP
>>> r = pls.fit(df, blocks, pls.ECSI, scheme="path", bootstrap=1000, seed=1)  # doctest: +SKIP
>>> r.paths                     # from, to, estimate, se, ci_low, ci_high  # doctest: +SKIP
>>> pls.csi_index(r, "SAT", scale=(1, 10)).index                         # doctest: +SKIP
"""
from __future__ import annotations

import math
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import CSIInputError, CSIWarning

# PLS-PM a module per concept (the model, the estimation loop, the bootstrap, the index and
# IPMA, the results); every name stays importable from here
from .pls_bootstrap import (_bootstrap, _bootstrap_na, _bootstrap_na_reference,  # noqa: F401
                            _bootstrap_result, _resample_cov)
from .pls_estimation import (_align_signs, _inner_weights, _iterate, _na_fit,  # noqa: F401
                             _na_inner, _na_structure, _normalise, _structure)
from .pls_index import _check_result, _check_scale, _unstd_weights, csi_index, ipma  # noqa: F401
from .pls_model import _indicator_matrix, _Model, _topological, _validate_model  # noqa: F401
from .pls_results import _LEVEL, Bootstrap, CSIIndex, PLSResult  # noqa: F401


__all__ = ["fit", "csi_index", "ipma", "PLSResult", "CSIIndex", "ACSI", "ECSI",
           "SCHEMES", "TOL", "MAXITER", "mga", "MGAResult"]

#: The ECSI structural model (Tenenhaus et al. 2005): (from, to) pairs.
ECSI = [
    ("IMAG", "EXPE"), ("IMAG", "SAT"), ("IMAG", "LOY"),
    ("EXPE", "QUAL"), ("EXPE", "VAL"), ("EXPE", "SAT"),
    ("QUAL", "VAL"), ("QUAL", "SAT"),
    ("VAL", "SAT"),
    ("SAT", "COMP"), ("SAT", "LOY"),
    ("COMP", "LOY"),
]
#: The ACSI structural model (Fornell et al. 1996): ECSI without image.
ACSI = [p for p in ECSI if "IMAG" not in p]

SCHEMES = ("centroid", "factorial", "path")
TOL = 1e-6       # plspm default
MAXITER = 100    # plspm default


# --------------------------------------------------------------------------- fit
def fit(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]],
        paths: Sequence[tuple], scheme: str = "centroid", scaled: bool = True,
        bootstrap: int = 0, seed=None, tol: float = TOL, maxiter: int = MAXITER,
        missing: str = "pairwise") -> PLSResult:
    """Fit a PLS path model with reflective (mode A) blocks, as R ``plspm`` does.

    Parameters
    ----------
    data : DataFrame with the indicators (other columns are ignored).
    blocks : {lv: [items]}; single-item blocks are allowed.
    paths : [(from_lv, to_lv), ...], e.g. :data:`ECSI` or :data:`ACSI`; must be acyclic.
    scheme : inner weighting, "centroid" | "factorial" | "path".
    scaled : standardise the indicators (population sd, as plspm) or only centre them.
    bootstrap : number of resamples (0 = none). Paths get ``se`` (sd of the draws) and
        ``ci_low``/``ci_high`` (95% percentile interval); ``result.boot.summary`` has the
        same for weights, loadings, R² and total effects. Every resample starts from the
        full-sample weights, and its LVs follow plspm's sign rule, so signs stay aligned
        with the full-sample solution. A resample that does not converge is drawn again.
    seed : seed for the resampling (numpy ``default_rng``).
    tol, maxiter : plspm's stopping rule (defaults 1e-6 and 100).
    missing : "pairwise" (default): with missing indicators, R plspm's NA route
        (``get_weights_nonmetric`` with numeric scaling: weights from the available
        cases, LV scores from the answered items, pairwise-complete loadings; see the
        module docstring); "listwise": drop every row with a missing indicator.

    Returns a :class:`PLSResult`. Formulas and conventions: see the module docstring.
    ``result.missing`` names the route taken ("complete", "pairwise", "listwise"),
    ``result.n`` / ``result.n_dropped`` the rows used / dropped and
    ``result.n_missing_values`` the missing cells left in the rows used.

    Example
    -------
    >>> r = fit(df, {"X": ["x1", "x2"], "Y": ["y1", "y2"]}, [("X", "Y")])  # doctest: +SKIP
    >>> r.paths.loc["X -> Y", "estimate"], r.r2["Y"]                      # doctest: +SKIP
    """
    if scheme not in SCHEMES:
        raise CSIInputError(f"pls.fit: scheme={scheme!r}; use one of {SCHEMES}")
    if not isinstance(bootstrap, (int, np.integer)) or isinstance(bootstrap, bool) or bootstrap < 0:
        raise CSIInputError(f"pls.fit: bootstrap={bootstrap!r}; give a whole number of "
                            "resamples >= 0 (0 = no bootstrap)")
    if not (0 < tol < 1) or int(maxiter) < 1:
        raise CSIInputError(f"pls.fit: tol={tol!r}, maxiter={maxiter!r}; need 0 < tol < 1 "
                            "and maxiter >= 1")
    if missing not in ("pairwise", "listwise"):
        raise CSIInputError(f"pls.fit: missing={missing!r}; use 'pairwise' (plspm's NA "
                            "route, the default) or 'listwise' (complete rows only)")
    blocks, paths, order = _validate_model(data, blocks, paths)
    items_all = [it for lv in order for it in blocks[lv]]
    raw, blocks, items, n_drop = _indicator_matrix(data, items_all, blocks, missing)
    m = _Model(order, blocks, paths)
    Xraw = raw.to_numpy()
    n = Xraw.shape[0]
    n_na = int(np.isnan(Xraw).sum())
    route = "pairwise" if n_na else ("listwise" if n_drop and missing == "listwise"
                                     else "complete")
    lvs = m.lvs
    if n_na:
        if not scaled:
            warnings.warn("pls.fit: scaled=False is not available with missing values "
                          "(plspm's NA route standardises the indicators); fitted with "
                          "scaled=True. Use missing='listwise' to keep raw indicators.",
                          CSIWarning, stacklevel=2)
            scaled = True
        w, Y, it, cv, xload, mean, sd = _na_fit(Xraw, m, scheme, tol, int(maxiter))
        iters, conv = np.array([it]), np.array([cv])
        R, P, r2, total = _na_structure(Y, m)
        scores = pd.DataFrame(Y, index=raw.index, columns=lvs)
        Xc = None
    else:
        mean = Xraw.mean(axis=0)
        sd = Xraw.std(axis=0)                                  # divisor n, as plspm
        Xc = Xraw - mean
        X = Xc / sd if scaled else Xc
        S = (X.T @ X / n)[None]
        # plspm's start: every weight 1, scaled so each block sum has variance 1
        w0 = _normalise(S, m, np.ones((1, m.p)))
        w, iters, conv = _iterate(S, m, scheme, w0, tol, int(maxiter))
    if not conv[0]:
        warnings.warn(f"pls.fit: the PLS iteration did not converge in {maxiter} iterations "
                      f"(tol={tol}); results are from the last iteration (plspm would stop "
                      "with an error). Check the blocks for items unrelated to their LV.",
                      CSIWarning, stacklevel=2)
    if not n_na:
        w = _align_signs(S, m, w)
        R, xload, P, r2, total = _structure(S, m, w)
        R, xload, P, r2, total, w = R[0], xload[0], P[0], r2[0], total[0], w[0]
        scores = pd.DataFrame(X @ (w[:, None] * m.odm), index=raw.index, columns=lvs)
    loading = xload[np.arange(m.p), m.block_of]
    communality = loading ** 2
    redundancy = communality * r2[m.block_of]
    outer = pd.DataFrame({"block": [lvs[k] for k in m.block_of], "weight": w,
                          "loading": loading, "communality": communality,
                          "redundancy": redundancy}, index=pd.Index(items, name="item"))
    cross = pd.DataFrame(xload, index=pd.Index(items, name="item"), columns=lvs)
    cross.insert(0, "block", outer["block"])

    is_endo = np.array([len(m.preds[k]) > 0 for k in range(m.L)])
    summ = pd.DataFrame(index=pd.Index(lvs, name="lv"))
    summ["type"] = np.where(is_endo, "Endogenous", "Exogenous")
    summ["r2"] = r2
    summ["block_communality"] = [communality[m.block_of == k].mean() for k in range(m.L)]
    summ["mean_redundancy"] = [redundancy[m.block_of == k].mean() for k in range(m.L)]
    ave = []
    for k in range(m.L):
        c = communality[m.block_of == k]
        ave.append(c.sum() / (c.sum() + (1 - c).sum()))
    summ["ave"] = ave
    r2s = pd.Series(r2[is_endo], index=pd.Index([lvs[k] for k in m.endo], name="lv"),
                    name="r2")

    labels = [f"{f} -> {t}" for f, t in paths]
    path_df = pd.DataFrame({"from": [f for f, _ in paths], "to": [t for _, t in paths],
                            "estimate": [P[f, t] for f, t in m.path_idx]},
                           index=pd.Index(labels, name="path"))
    # plspm inner_model: OLS standard errors, t and p of each regression
    inner_rows = []
    for k in m.endo:
        pr = m.preds[k]
        q = len(pr)
        dfree = n - q - 1
        inv = np.linalg.inv(R[np.ix_(pr, pr)])
        for j, f in enumerate(pr):
            est = P[f, k]
            if dfree > 0:
                se_ = math.sqrt(max(1 - r2[k], 0.0) / dfree * inv[j, j])
                tv = est / se_ if se_ > 0 else np.inf
                pv = 2 * stats.t.sf(abs(tv), dfree)
            else:
                se_ = tv = pv = np.nan
            inner_rows.append({"to": lvs[k], "from": lvs[f], "estimate": est,
                               "std_error": se_, "t_value": tv, "p_value": pv})
    inner_model = pd.DataFrame(inner_rows)
    inner_model.index = pd.Index([f"{r['from']} -> {r['to']}" for r in inner_rows],
                                 name="path")

    eff = pd.DataFrame({"from": [lvs[i] for i, _ in m.pairs],
                        "to": [lvs[j] for _, j in m.pairs],
                        "direct": [P[i, j] for i, j in m.pairs],
                        "indirect": [total[i, j] - P[i, j] for i, j in m.pairs],
                        "total": [total[i, j] for i, j in m.pairs]},
                       index=pd.Index([f"{lvs[i]} -> {lvs[j]}" for i, j in m.pairs],
                                      name="effect"))

    comm_multi = communality[m.multi[m.block_of]]
    gof = float(math.sqrt(comm_multi.mean() * r2[is_endo].mean())) if comm_multi.size else float("nan")

    boot = None
    if bootstrap:
        if n <= 10:
            raise CSIInputError(f"pls.fit: bootstrap needs more than 10 rows (have {n}); "
                                "set bootstrap=0")
        original = dict(weights=w, loadings=loading, paths=path_df["estimate"].to_numpy(),
                        r2=r2s.to_numpy(), total=eff["total"].to_numpy())
        if n_na:
            boot = _bootstrap_na(Xraw, m, scheme, int(bootstrap), seed, tol, int(maxiter),
                                 items, labels, eff.index, r2s.index, original)
        else:
            boot = _bootstrap(Xc, mean, m, scheme, scaled, int(bootstrap), seed, w, tol,
                              int(maxiter), items, labels, eff.index, r2s.index, original)
        ps = boot.summary[boot.summary["kind"] == "path"].set_index("name")
        path_df = path_df.assign(se=ps["se"].reindex(labels).to_numpy(),
                                 ci_low=ps["ci_low"].reindex(labels).to_numpy(),
                                 ci_high=ps["ci_high"].reindex(labels).to_numpy())

    return PLSResult(paths=path_df, r2=r2s, outer=outer, crossloadings=cross,
                     inner_summary=summ, inner_model=inner_model, effects=eff,
                     scores=scores, gof=gof, converged=bool(conv[0]),
                     iterations=int(iters[0]), scheme=scheme, scaled=bool(scaled), n=n,
                     n_dropped=n_drop, blocks={lv: list(blocks[lv]) for lv in order},
                     path_list=tuple(paths),
                     item_means=pd.Series(mean, index=items, name="mean"),
                     item_sds=pd.Series(sd, index=items, name="sd"),
                     observed_range=(float(np.nanmin(Xraw)), float(np.nanmax(Xraw))),
                     boot=boot, missing=route, n_missing_values=n_na)



# the multi-group permutation test lives in its own module; users call it as pls.mga
from .pls_mga import MGAResult, mga  # noqa: E402,F401
