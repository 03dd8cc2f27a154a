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
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from . import _pls_missing
from .errors import CSIInputError, CSIWarning

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
_LEVEL = 0.95    # bootstrap percentile interval


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class Bootstrap:
    """Bootstrap draws of a PLS fit (one row per resample).

    ``summary`` is the tidy table (kind, name, original, mean, se, ci_low, ci_high) for
    outer weights, loadings, paths, R² and total effects; the arrays feed ``csi_index``.
    """
    n_resamples: int
    seed: object
    weights: np.ndarray      # (B, p), for the treated (centred / standardised) indicators
    loadings: np.ndarray     # (B, p)
    paths: np.ndarray        # (B, n_paths)
    r2: np.ndarray           # (B, n_endogenous)
    total: np.ndarray        # (B, n_effects)
    means: np.ndarray        # (B, p) raw indicator means of each resample
    sds: np.ndarray          # (B, p) population sd of each resample
    iterations: np.ndarray   # (B,)
    redrawn: int             # resamples that did not converge and were drawn again
    summary: pd.DataFrame

    def __repr__(self) -> str:
        return (f"Bootstrap({self.n_resamples} resamples, seed={self.seed!r}, "
                f"percentile {int(_LEVEL * 100)}% CIs, redrawn={self.redrawn})")


@dataclass(frozen=True, eq=False)
class PLSResult:
    """A fitted PLS path model (see module docstring for every formula).

    Attributes: ``paths`` (from, to, estimate [, se, ci_low, ci_high]), ``r2`` (Series by
    endogenous LV), ``outer`` (by item: block, weight, loading, communality, redundancy),
    ``crossloadings``, ``inner_summary`` (by LV: type, r2, block_communality,
    mean_redundancy, ave), ``inner_model`` (OLS table per path as plspm: estimate,
    std_error, t_value, p_value), ``effects`` (from, to, direct, indirect, total),
    ``scores`` (DataFrame by LV, index of the complete rows), ``gof``, ``converged``,
    ``iterations``, ``boot`` (a :class:`Bootstrap` or None) and the settings.
    """
    paths: pd.DataFrame
    r2: pd.Series
    outer: pd.DataFrame
    crossloadings: pd.DataFrame
    inner_summary: pd.DataFrame
    inner_model: pd.DataFrame
    effects: pd.DataFrame
    scores: pd.DataFrame
    gof: float
    converged: bool
    iterations: int
    scheme: str
    scaled: bool
    n: int
    n_dropped: int
    blocks: dict
    path_list: tuple
    item_means: pd.Series = field(repr=False)
    item_sds: pd.Series = field(repr=False)      # population sd (divisor n)
    observed_range: tuple = (np.nan, np.nan)     # lowest, highest indicator value
    boot: Bootstrap | None = None
    missing: str = "complete"    # route: "complete" | "pairwise" | "listwise"
    n_missing_values: int = 0    # missing indicator cells in the rows used

    def __repr__(self) -> str:
        lines = [f"PLS path model: {len(self.blocks)} LVs, {len(self.outer)} indicators, "
                 f"n={self.n} (dropped {self.n_dropped}), missing={self.missing}"
                 + (f" ({self.n_missing_values} values)" if self.n_missing_values else "")
                 + f", scheme={self.scheme}, "
                 f"scaled={self.scaled}",
                 f"converged={self.converged} in {self.iterations} iterations; "
                 f"GoF={self.gof:.4f}"
                 + (f"; bootstrap {self.boot.n_resamples}" if self.boot else "")]
        cols = [c for c in ("estimate", "se", "ci_low", "ci_high") if c in self.paths]
        for _, row in self.paths.iterrows():
            vals = "  ".join(f"{c}={row[c]: .3f}" for c in cols)
            lines.append(f"  {row['from']:>6} -> {row['to']:<6} {vals}")
        lines.append("  R²: " + ", ".join(f"{k}={v:.3f}" for k, v in self.r2.items()))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return (f"<pre>{self!r}</pre>" + self.paths.to_html(float_format="%.3f"))


@dataclass(frozen=True, eq=False)
class CSIIndex:
    """The 0-100 index of one LV (Fornell et al. 1996), with its bootstrap CI if any."""
    lv: str
    index: float
    se: float | None
    ci_low: float | None
    ci_high: float | None
    weights: pd.Series       # normalised unstandardised weights (sum 1)
    scale: tuple

    def __repr__(self) -> str:
        ci = (f" [{self.ci_low:.2f}, {self.ci_high:.2f}] (95% percentile bootstrap)"
              if self.ci_low is not None else "")
        return f"CSIIndex({self.lv}: {self.index:.2f}{ci}; scale {self.scale})"


# --------------------------------------------------------------------------- validation
def _validate_model(data: pd.DataFrame, blocks, paths):
    if not isinstance(data, pd.DataFrame):
        raise CSIInputError("pls.fit: data must be a pandas DataFrame of indicators "
                            f"(got {type(data).__name__})")
    if not isinstance(blocks, Mapping) or not blocks:
        raise CSIInputError("pls.fit: blocks must be a non-empty dict {lv: [items]}")
    blocks = {str(lv): ([items] if isinstance(items, str) else list(items))
              for lv, items in blocks.items()}
    seen: dict = {}
    for lv, items in blocks.items():
        if not items:
            raise CSIInputError(f"pls.fit: block {lv!r} has no items; give at least one column")
        for it in items:
            if it not in data.columns:
                raise CSIInputError(
                    f"pls.fit: block {lv!r} names item {it!r}, which is not a column of the "
                    f"data; fix the block or add the column (columns: {list(data.columns)[:30]})")
            if it in seen:
                raise CSIInputError(f"pls.fit: item {it!r} is in blocks {seen[it]!r} and "
                                    f"{lv!r}; each item may measure one LV only")
            seen[it] = lv
    try:
        paths = [tuple(p) for p in paths]
    except TypeError:
        raise CSIInputError("pls.fit: paths must be a list of (from_lv, to_lv) pairs") from None
    if not paths:
        raise CSIInputError("pls.fit: paths is empty; give at least one (from_lv, to_lv)")
    for p in paths:
        if len(p) != 2:
            raise CSIInputError(f"pls.fit: path {p!r} is not a (from_lv, to_lv) pair")
        for lv in p:
            if lv not in blocks:
                raise CSIInputError(f"pls.fit: path {p[0]} -> {p[1]} names LV {lv!r}, which has "
                                    f"no block; add blocks[{lv!r}] or drop the path "
                                    f"(blocks: {list(blocks)})")
    if len(set(paths)) != len(paths):
        dup = [p for p in paths if paths.count(p) > 1][0]
        raise CSIInputError(f"pls.fit: path {dup[0]} -> {dup[1]} is given twice; list it once")
    used = {lv for p in paths for lv in p}
    lonely = [lv for lv in blocks if lv not in used]
    if lonely:
        raise CSIInputError(f"pls.fit: LV(s) {lonely} are in no path; connect them in paths "
                            "or remove their blocks")
    order = _topological(list(blocks), paths)
    return blocks, paths, order


def _topological(lvs: list, paths: list) -> list:
    """LVs in a causal order (stable: keeps the blocks' order where it is one); a cycle
    raises CSIInputError naming it."""
    succ = {lv: [t for f, t in paths if f == lv] for lv in lvs}
    state = {lv: 0 for lv in lvs}          # 0 new, 1 on stack, 2 done
    stack: list = []

    def visit(lv):
        state[lv] = 1
        stack.append(lv)
        for t in succ[lv]:
            if state[t] == 1:
                cyc = stack[stack.index(t):] + [t]
                raise CSIInputError("pls.fit: the path model is cyclic: " + " -> ".join(cyc)
                                    + "; PLS-PM needs a recursive (acyclic) model, drop one "
                                    "of these paths")
            if state[t] == 0:
                visit(t)
        stack.pop()
        state[lv] = 2

    for lv in lvs:
        if state[lv] == 0:
            visit(lv)
    # Kahn's algorithm, taking LVs in the blocks' order whenever free
    indeg = {lv: sum(1 for f, t in paths if t == lv) for lv in lvs}
    out: list = []
    remaining = list(lvs)
    while remaining:
        for lv in remaining:
            if indeg[lv] == 0:
                break
        remaining.remove(lv)
        out.append(lv)
        for t in succ[lv]:
            indeg[t] -= 1
    return out


def _indicator_matrix(data: pd.DataFrame, items: list, blocks: dict, missing: str = "pairwise"):
    """Numeric matrix of the indicators; drops constant items with a warning.

    ``missing="listwise"`` keeps the complete rows; ``"pairwise"`` keeps every row that
    answers at least one item of each block (NaN stay in the matrix).
    """
    sub = data.loc[:, items]
    cols = {}
    for it in items:
        s = sub[it]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            num = pd.to_numeric(s, errors="coerce")
            bad = s[num.isna() & s.notna()]
            if len(bad):
                raise CSIInputError(
                    f"pls.fit: column {it!r} is not numeric (row {bad.index[0]!r} holds "
                    f"{bad.iloc[0]!r}); assign numbers first (csi_helpers.scales.assign)")
            s = num
        cols[it] = s.astype("float64")
    num = pd.DataFrame(cols, index=data.index)
    avail = num.notna()
    if missing == "listwise":
        keep = avail.all(axis=1)
        what = ("have a missing indicator and were dropped (listwise, missing='listwise')")
        hint = "use missing='pairwise' (plspm's NA route) or impute beforehand"
    else:
        keep = pd.Series(True, index=num.index)
        for lv, its in blocks.items():
            keep &= avail[list(its)].any(axis=1)
        what = "answer no item of some block and were dropped (no LV score there)"
        hint = "check those respondents"
    n_drop = int((~keep).sum())
    if n_drop:
        rows = list(num.index[~keep][:5])
        warnings.warn(f"pls.fit: {n_drop} of {len(num)} rows {what}, e.g. rows {rows}; "
                      f"{hint}", CSIWarning, stacklevel=3)
        num = num.loc[keep]
    if len(num) < 3:
        raise CSIInputError(f"pls.fit: only {len(num)} usable rows; PLS-PM needs at least 3 "
                            "(check missing values in the blocks' items)")
    sd = num.std(ddof=0)
    n_avail = num.notna().sum()
    const = [it for it in items if not (sd[it] > 0 and n_avail[it] >= 3)]
    if const:
        new_blocks = {lv: [i for i in its if i not in const] for lv, its in blocks.items()}
        empty = [lv for lv, its in new_blocks.items() if not its]
        if empty:
            raise CSIInputError(f"pls.fit: block(s) {empty} have only constant items {const}; "
                                "an LV needs at least one item that varies")
        warnings.warn(f"pls.fit: constant item(s) {const} dropped from their blocks "
                      "(zero variance, or fewer than 3 answers, carries no information)",
                      CSIWarning, stacklevel=3)
        blocks = new_blocks
        items = [i for i in items if i not in const]
        num = num.loc[:, items]
        if missing != "listwise":      # dropping an item may leave a row without a block
            keep = pd.Series(True, index=num.index)
            for lv, its in blocks.items():
                keep &= num[list(its)].notna().any(axis=1)
            if not keep.all():
                k = int((~keep).sum())
                warnings.warn(f"pls.fit: {k} more rows answer no remaining item of some "
                              "block and were dropped", CSIWarning, stacklevel=3)
                num = num.loc[keep]
                n_drop += k
    return num, blocks, items, n_drop


# --------------------------------------------------------------------------- the engine
class _Model:
    """Index structures shared by the full-sample fit and the bootstrap."""

    def __init__(self, order, blocks, paths):
        self.lvs = list(order)
        self.L = len(order)
        self.items = [it for lv in order for it in blocks[lv]]
        self.p = len(self.items)
        pos = {lv: k for k, lv in enumerate(order)}
        self.block_of = np.array([pos[lv] for lv in order for _ in blocks[lv]])
        self.odm = np.zeros((self.p, self.L))
        self.odm[np.arange(self.p), self.block_of] = 1.0
        self.path_idx = [(pos[f], pos[t]) for f, t in paths]
        self.adj = np.zeros((self.L, self.L))              # adj[f, t] = 1 for f -> t
        for f, t in self.path_idx:
            self.adj[f, t] = 1.0
        self.sym = self.adj + self.adj.T
        self.preds = [np.flatnonzero(self.adj[:, k]) for k in range(self.L)]
        self.succs = [np.flatnonzero(self.adj[k, :]) for k in range(self.L)]
        self.endo = [k for k in range(self.L) if len(self.preds[k])]
        # all ordered pairs (earlier -> later), as plspm lists its effects
        self.pairs = [(i, j) for i in range(self.L) for j in range(i + 1, self.L)]
        self.multi = np.array([np.sum(self.block_of == k) > 1 for k in range(self.L)])


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


# --------------------------------------------------------------------------- index & IPMA
def _check_result(result, lv=None, name="lv"):
    if not isinstance(result, PLSResult):
        raise CSIInputError(f"expected the result of pls.fit, got {type(result).__name__}")
    if lv is not None and lv not in result.blocks:
        raise CSIInputError(f"{name}={lv!r} is not an LV of this model; use one of "
                            f"{list(result.blocks)}")


def _check_scale(scale, name="scale"):
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise CSIInputError(f"{name}={scale!r}; give (lowest, highest) answer values, "
                            "e.g. (1, 10)") from None
    if not hi > lo:
        raise CSIInputError(f"{name}={scale!r}: the highest value must exceed the lowest")
    return lo, hi


def _unstd_weights(w, sd, scaled):
    """Outer weights for the unstandardised indicators, normalised to sum 1."""
    u = w / sd if scaled else w
    return u / u.sum(axis=-1, keepdims=True)


def csi_index(result: PLSResult, lv: str, scale: tuple) -> CSIIndex:
    """The 0-100 index of an LV (Fornell et al. 1996, the ACSI index).

    Formula: with outer weights w_i for the unstandardised indicators of the LV's block
    (w_i / sd_i when the fit was ``scaled``), normalised to ``ŵ_i = w_i / Σ w_i``,
    ``index = 100 * (Σ ŵ_i x̄_i - lo) / (hi - lo)`` where x̄_i are the indicator means and
    (lo, hi) the answer scale. With a bootstrap fit the same is computed on every
    resample (its weights, sds and means) and the 95% percentile interval and the sd
    of the draws are reported.

    Example
    -------
    >>> csi_index(r, "SAT", scale=(1, 10))                         # doctest: +SKIP
    CSIIndex(SAT: 72.41 [70.12, 74.60] (95% percentile bootstrap); scale (1.0, 10.0))
    """
    _check_result(result, lv)
    lo, hi = _check_scale(scale)
    sel = np.array([result.outer.loc[i, "block"] == lv for i in result.outer.index])
    items = list(result.outer.index[sel])
    w = result.outer["weight"].to_numpy()[sel]
    sd = result.item_sds.to_numpy()[sel]
    mu = result.item_means.to_numpy()[sel]
    wn = _unstd_weights(w, sd, result.scaled)
    index = float(100 * (wn @ mu - lo) / (hi - lo))
    se = cl = ch = None
    if result.boot is not None:
        b = result.boot
        wnb = _unstd_weights(b.weights[:, sel], b.sds[:, sel], result.scaled)
        draws = 100 * (np.einsum("bi,bi->b", wnb, b.means[:, sel]) - lo) / (hi - lo)
        se = float(draws.std(ddof=1))
        a = (1 - _LEVEL) / 2
        cl, ch = (float(v) for v in np.quantile(draws, [a, 1 - a]))
    return CSIIndex(lv=lv, index=index, se=se, ci_low=cl, ci_high=ch,
                    weights=pd.Series(wn, index=items, name="weight"), scale=(lo, hi))


def ipma(result: PLSResult, target: str, scale: tuple | None = None) -> pd.DataFrame:
    """Importance-performance map analysis (Ringle & Sarstedt 2016) for ``target``.

    Performance (0-100): indicators rescaled ``100 (x - lo) / (hi - lo)``; an indicator's
    performance is its rescaled mean, an LV's is :func:`csi_index` (normalised
    unstandardised weights applied to the rescaled means).
    Importance: the **unstandardised** total effect on the target (Ringle & Sarstedt),
    i.e. the total effect in the model of the rescaled (0-100) LV scores; it equals the
    standardised total effect × sd(target 0-100 score) / sd(LV 0-100 score). An
    indicator's importance is its normalised unstandardised weight × its LV's importance.
    The standardised total effect is given beside it (``importance_std``; for an
    indicator, its weight for the standardised indicator × its LV's standardised total
    effect). Rows: every LV with a directed path to the target, and their indicators.

    ``scale`` = (lo, hi) of the answer scale; default: the lowest and highest value
    observed over the model's indicators.

    Example
    -------
    >>> ipma(r, "SAT", scale=(1, 10))                              # doctest: +SKIP
    """
    _check_result(result, target, "target")
    if scale is None:
        lo, hi = result.observed_range
        if not hi > lo:
            raise CSIInputError("ipma: give scale=(lo, hi), the answer scale, e.g. (1, 10)")
    else:
        lo, hi = _check_scale(scale)
    lvs = list(result.blocks)
    t = result.effects
    drivers = [lv for lv in lvs if lv != target and
               ((t["from"] == lv) & (t["to"] == target)).any()]
    # keep drivers with a directed path (structurally non-zero total effect)
    adj = {lv: [b for a, b in result.path_list if a == lv] for lv in lvs}

    def reaches(a):
        stack, seen = [a], set()
        while stack:
            x = stack.pop()
            for y in adj[x]:
                if y == target:
                    return True
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        return False

    drivers = [lv for lv in drivers if reaches(lv)]
    if not drivers:
        raise CSIInputError(f"ipma: no LV has a path to {target!r}; choose an endogenous "
                            "target such as SAT or LOY")
    sel_all = result.outer["block"]
    # weights of the standardised indicators (a raw fit's weights times the item sd)
    std_w = result.outer["weight"] * (1.0 if result.scaled else result.item_sds)
    wn_all, perf_lv, c_lv = {}, {}, {}
    # The 0-100 score of LV j is an affine map of its standardised score Y_j = Σ w_i z_i:
    # with u_i = w_i / sd_i (scaled) or w_i, Σ ŵ_i x_i = (Y_j + Σ u_i x̄_i) / Σ u_i, so
    # score_j = const + c_j Y_j with c_j = 100 / ((hi - lo) Σ u_i), and the unstandardised
    # total effect is the standardised one × c_target / c_j.
    for lv in lvs:
        sel = (sel_all == lv).to_numpy()
        w = result.outer["weight"].to_numpy()[sel]
        sd = result.item_sds.to_numpy()[sel]
        u = w / sd if result.scaled else w
        wn_all[lv] = pd.Series(u / u.sum(), index=result.outer.index[sel])
        perf_lv[lv] = float(100 * (wn_all[lv].to_numpy() @ result.item_means.to_numpy()[sel]
                                   - lo) / (hi - lo))
        c_lv[lv] = 100 / (hi - lo) / u.sum()
    rows = []
    for lv in drivers:
        tot = float(t.loc[(t["from"] == lv) & (t["to"] == target), "total"].iloc[0])
        imp = tot * c_lv[target] / c_lv[lv]
        rows.append({"level": "lv", "name": lv, "block": lv, "importance": imp,
                     "importance_std": tot, "performance": perf_lv[lv]})
    for lv in drivers:
        lv_imp = rows[drivers.index(lv)]["importance"]
        lv_std = rows[drivers.index(lv)]["importance_std"]
        for it, wi in wn_all[lv].items():
            perf = float(100 * (result.item_means[it] - lo) / (hi - lo))
            rows.append({"level": "indicator", "name": it, "block": lv,
                         "importance": wi * lv_imp,
                         "importance_std": std_w[it] * lv_std,
                         "performance": perf})
    out = pd.DataFrame(rows).set_index("name")
    out.attrs.update(target=target, scale=(lo, hi),
                     importance="unstandardised total effect (Ringle & Sarstedt 2016)")
    return out


# the multi-group permutation test lives in its own module; users call it as pls.mga
from .pls_mga import MGAResult, mga  # noqa: E402,F401
