"""Shared item preparation and pairwise-complete correlations (R ``cor(use="pairwise")``).

Surveys have gaps. R psych computes every correlation from the respondents who answered
*both* items (``use = "pairwise"``); this module does the same, vectorised, and reports
how many respondents each correlation rests on. ``missing="listwise"`` keeps only the
respondents who answered every item (R ``use = "complete.obs"``).

For a pair of items i, j and the rows where both are present (n_ij of them)

    r_ij = sum((x_i - m_i^(j)) (x_j - m_j^(i))) / sqrt(sum((x_i - m_i^(j))^2) sum((x_j - m_j^(i))^2))

with m_i^(j) the mean of item i over those rows (R ``cor``), and the pairwise covariance
``cov(use="pairwise")`` divides the cross-product by n_ij - 1. ``cov2cor`` of the
pairwise covariance (what ``psych::alpha`` uses) scales by each item's own variance
instead.

Used by ``reliability`` and ``factors``; other modules may import it:

>>> from csi_helpers._correlation import correlation
>>> c = correlation(df)                     # doctest: +SKIP
>>> c.r, c.n_obs, c.n                       # doctest: +SKIP

Reference: R Core Team, ``stats::cor``; Revelle, psych (``cor.smooth``, ``pairwiseCount``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CSIInputError, CSIWarning

__all__ = ["Correlation", "prepare_items", "pairwise_moments", "correlation",
           "cov2cor", "smooth", "is_positive_definite"]

MISSING = ("pairwise", "listwise")


@dataclass(frozen=True, repr=False)
class Correlation:
    """Correlation matrix of items with the respondents it rests on."""
    r: pd.DataFrame            #: correlation matrix (items x items)
    n_obs: pd.DataFrame        #: respondents behind each correlation (pairwise counts)
    n: int                     #: rows of data used (listwise: complete rows; pairwise: all rows)
    missing: str               #: "pairwise" or "listwise"
    dropped: tuple = ()        #: items dropped (constant / empty) before computing
    smoothed: bool = False     #: True if cor.smooth was applied (matrix not positive definite)

    def __repr__(self) -> str:
        k = self.r.shape[0]
        lo = int(np.min(self.n_obs.to_numpy()))
        return (f"Correlation({k} items, n={self.n}, missing={self.missing!r}, "
                f"min pairwise n={lo}, smoothed={self.smoothed}, dropped={list(self.dropped)})")


def prepare_items(items, *, what: str = "items", min_items: int = 2,
                  missing: str = "pairwise", drop_constant: bool = True) -> tuple[pd.DataFrame, tuple]:
    """Check and copy item data: numeric columns, no infinities, constant items dropped.

    Returns ``(frame, dropped)``: a float copy (the caller's frame is never modified;
    listwise deletion already applied when ``missing="listwise"``) and the names of
    items dropped because they have no variance (a ``CSIWarning`` names each).
    """
    if missing not in MISSING:
        raise CSIInputError(f"missing={missing!r}: use 'pairwise' (default, as R psych) or 'listwise'")
    if isinstance(items, pd.DataFrame):
        df = items
    elif isinstance(items, np.ndarray) and items.ndim == 2:
        df = pd.DataFrame(items, columns=[f"V{i + 1}" for i in range(items.shape[1])])
    else:
        raise CSIInputError(f"{what}: expected a DataFrame with one column per item "
                            f"(got {type(items).__name__}); pass e.g. values[['Q01', 'Q02', ...]]")
    if df.columns.duplicated().any():
        dup = list(df.columns[df.columns.duplicated()].astype(str))
        raise CSIInputError(f"{what}: duplicate column names {dup}; give every item a unique name")
    cols = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or not (pd.api.types.is_numeric_dtype(s)):
            raise CSIInputError(
                f"{what}: column {c!r} is not numeric (dtype {s.dtype}); assign numbers to the answer "
                f"labels first (csi_helpers.scales.assign) or leave the column out")
        cols[str(c)] = pd.to_numeric(s, errors="raise").astype("float64").to_numpy(copy=True)
    out = pd.DataFrame(cols, index=df.index.copy())
    a = out.to_numpy()
    if np.isinf(a).any():
        bad = [c for c in out.columns if np.isinf(out[c].to_numpy()).any()]
        raise CSIInputError(f"{what}: column(s) {bad} hold infinite values; replace them by NaN (missing)")
    if missing == "listwise":
        out = out.loc[~out.isna().any(axis=1)]
    dropped = []
    if drop_constant:
        for c in out.columns:
            v = out[c].dropna()
            if v.size < 2 or float(v.max()) == float(v.min()):
                why = "has no answers" if v.size == 0 else ("has one answer" if v.size == 1
                                                            else f"is constant ({v.iloc[0]:g})")
                warnings.warn(f"{what}: item {c!r} {why} (no variance) and was dropped", CSIWarning,
                              stacklevel=3)
                dropped.append(c)
        if dropped:
            out = out.drop(columns=dropped)
    if out.shape[1] < min_items:
        raise CSIInputError(f"{what}: {out.shape[1]} usable item(s) {list(out.columns)}"
                            f"{' after dropping ' + str(dropped) if dropped else ''}; "
                            f"at least {min_items} are needed")
    if out.shape[0] < 3:
        raise CSIInputError(f"{what}: {out.shape[0]} respondent row(s)"
                            f"{' with every item answered (missing=listwise)' if missing == 'listwise' else ''}; "
                            f"at least 3 are needed")
    return out, tuple(dropped)


def pairwise_moments(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise-complete covariance (R ``cov(use="pairwise")``), correlation and counts.

    ``a`` is an (n, k) float array with NaN for missing. Returns ``(cov, cor, n_obs)``.
    """
    m = ~np.isnan(a)
    mf = m.astype(np.float64)
    # centre on column means first for numerical accuracy (does not change the result)
    mu = np.nansum(a, axis=0) / np.maximum(m.sum(axis=0), 1)
    x = np.where(m, a - mu, 0.0)
    n = mf.T @ mf                                    # n_ij
    sx = x.T @ mf                                    # sum of x_i over rows where j present
    sxx = (x * x).T @ mf                             # sum of x_i^2 over rows where j present
    sxy = x.T @ x                                    # sum of x_i x_j over rows where both present
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n                    # item i over rows where j present
        var_j = var_i.T
        cov = cross / (n - 1)
        cor = cross / np.sqrt(var_i * var_j)
    np.fill_diagonal(cor, 1.0)
    cov[n < 2] = np.nan
    cor[n < 2] = np.nan
    return cov, cor, n.astype(np.int64)


def cov2cor(c: np.ndarray) -> np.ndarray:
    """R ``cov2cor``: scale a covariance matrix to a correlation matrix by its diagonal."""
    d = 1.0 / np.sqrt(np.diag(c))
    r = c * d[:, None] * d[None, :]
    np.fill_diagonal(r, 1.0)
    return r


def is_positive_definite(r: np.ndarray, tol: float = 1e-12) -> bool:
    """True when the smallest eigenvalue is at least ``tol`` (psych's cor.smooth ``eig.tol``).

    psych tests against machine epsilon; an exactly singular matrix (an item that is the
    sum of others) comes out of floating point with a smallest eigenvalue of ~1e-15, so
    we test against ``eig.tol`` = 1e-12, the level below which cor.smooth lifts eigenvalues.
    """
    return bool(np.linalg.eigvalsh(r)[0] >= tol)


def smooth(r: np.ndarray, eig_tol: float = 1e-12) -> np.ndarray:
    """psych::cor.smooth: raise eigenvalues below ``eig_tol`` to ``100 * eig_tol``,
    rescale them to sum to k, rebuild and rescale to a correlation matrix."""
    vals, vecs = np.linalg.eigh(r)
    vals = np.where(vals < eig_tol, 100 * eig_tol, vals)
    vals = vals * r.shape[0] / vals.sum()
    out = (vecs * vals) @ vecs.T
    return cov2cor((out + out.T) / 2)


def _check_pairs(r: np.ndarray, n_obs: np.ndarray, names, what: str) -> None:
    bad = np.argwhere(np.isnan(r) | (n_obs < 3))
    bad = [(names[i], names[j], int(n_obs[i, j])) for i, j in bad if i < j]
    if bad:
        shown = ", ".join(f"{a}-{b} (n={k})" for a, b, k in bad[:5])
        raise CSIInputError(
            f"{what}: too few respondents answered both items of {len(bad)} pair(s): {shown}"
            f"{' ...' if len(bad) > 5 else ''}; at least 3 are needed for a correlation. "
            f"Drop one item of each pair or collect more answers")


def correlation(items, missing: str = "pairwise", *, what: str = "items", smooth_if_needed: bool = True,
                min_items: int = 2, _prepared: tuple | None = None) -> Correlation:
    """Pearson correlations of the items from pairwise-complete observations (as R psych).

    Constant or empty items are dropped with a ``CSIWarning``. When the matrix is not
    positive definite (fewer respondents than items, an item that is a sum of others,
    pairwise gaps), it is smoothed as ``psych::cor.smooth`` does, with a ``CSIWarning``
    saying why; ``smooth_if_needed=False`` raises a ``CSIInputError`` instead.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, None], "b": [2, 1, 4, 3, 5], "c": [1, 3, 2, 5, 4]})
    >>> c = correlation(df)
    >>> round(float(c.r.loc["a", "b"]), 3), int(c.n_obs.loc["a", "b"])
    (0.6, 4)
    """
    df, dropped = _prepared if _prepared is not None else prepare_items(
        items, what=what, missing=missing, min_items=min_items)
    names = list(df.columns)
    _, r, n_obs = pairwise_moments(df.to_numpy())
    _check_pairs(r, n_obs, names, what)
    smoothed = False
    if not is_positive_definite(r):
        n, k = df.shape
        why = (f"fewer respondents ({n}) than items ({k})" if n <= k else
               "an item is a linear combination of others or pairwise gaps make the matrix inconsistent")
        if not smooth_if_needed:
            raise CSIInputError(f"{what}: the correlation matrix is singular / not positive definite ({why}); "
                                f"collect more respondents or drop redundant items")
        warnings.warn(f"{what}: the correlation matrix is not positive definite ({why}); it was smoothed "
                      f"as psych::cor.smooth does. Results rest on the smoothed matrix", CSIWarning, stacklevel=3)
        r = smooth(r)
        smoothed = True
    return Correlation(r=pd.DataFrame(r, index=names, columns=names),
                       n_obs=pd.DataFrame(n_obs, index=names, columns=names),
                       n=int(df.shape[0]), missing=missing, dropped=dropped, smoothed=smoothed)
