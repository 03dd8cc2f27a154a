"""Reliability of a scale (a latent variable's block of items), equal to R psych.

``alpha``: Cronbach's alpha, raw and standardised, with each item's corrected
item-total correlation (r.drop) and alpha if the item is deleted (psych::alpha).
``omega``: McDonald's omega total and omega hierarchical from a Schmid-Leiman
transformation of a minres / oblimin factor solution (psych::omega).

As psych does, both work from pairwise-complete covariances / correlations, so a
respondent who skipped one item still counts for the others. Constant items are dropped
with a ``CSIWarning``; items that correlate negatively with the scale are named in a
``CSIWarning`` (as psych's check.keys message does) so they can be reverse-keyed with
``reverse=[...]``.

References: Cronbach (1951) Psychometrika 16; McDonald (1999) Test Theory; Zinbarg,
Revelle, Yovel & Li (2005) Psychometrika 70; Revelle, psych (``alpha``, ``omega``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._correlation import correlation, cov2cor, pairwise_moments, prepare_items, _check_pairs
from .errors import CSIInputError, CSIWarning

__all__ = ["Alpha", "Omega", "alpha", "omega"]


@dataclass(frozen=True, repr=False)
class Alpha:
    """Cronbach's alpha of a scale, as psych::alpha."""
    alpha: float                   #: raw alpha (from covariances)
    std_alpha: float               #: standardised alpha (from correlations)
    n: int                         #: respondents who answered at least one item
    items: pd.DataFrame            #: by item: n, mean, sd, r_drop, alpha_if_deleted, std_alpha_if_deleted, raw_r, std_r
    average_r: float               #: mean inter-item correlation
    reversed: tuple = ()           #: items reverse-keyed (reverse=)
    dropped: tuple = ()            #: constant / empty items dropped
    negative: tuple = ()           #: items correlating negatively with the scale (warned)
    missing: str = "pairwise"

    def __repr__(self) -> str:
        return (f"Alpha(alpha={self.alpha:.3f}, std_alpha={self.std_alpha:.3f}, n={self.n}, "
                f"items={len(self.items)}, average_r={self.average_r:.3f}"
                + (f", reversed={list(self.reversed)}" if self.reversed else "")
                + (f", dropped={list(self.dropped)}" if self.dropped else "")
                + (f", negative={list(self.negative)}" if self.negative else "") + ")\n"
                + self.items[["mean", "sd", "r_drop", "alpha_if_deleted"]].round(3).to_string())

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return (f"<p>alpha = {self.alpha:.3f} (standardised {self.std_alpha:.3f}), n = {self.n}</p>"
                + self.items.round(3).to_html())


def _alpha_raw(c: np.ndarray) -> float:
    k = c.shape[0]
    return float((1 - np.trace(c) / c.sum()) * k / (k - 1))


def _alpha_std(r: np.ndarray) -> float:
    k = r.shape[0]
    return float((1 - k / r.sum()) * k / (k - 1))


def _first_pc(r: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh(r)
    v = vecs[:, -1] * np.sqrt(max(vals[-1], 0))
    return v if v.sum() >= 0 else -v


def alpha(items, reverse=None, missing: str = "pairwise") -> Alpha:
    """Cronbach's alpha, raw and standardised, with item statistics (psych::alpha).

    With C the pairwise-complete covariance matrix of the k items (after reverse-keying)
    and R = cov2cor(C):

        alpha     = k / (k - 1) * (1 - tr(C) / sum(C))
        std_alpha = k / (k - 1) * (1 - k / sum(R))
        r_drop_i  = (sum_j C_ij - C_ii) / sqrt(C_ii * sum(C without row/col i))
        alpha_if_deleted_i = alpha of the other k - 1 items

    ``reverse``: item names to reverse-key (psych ``keys``); as psych, an item x becomes
    (max + min) - x with max and min over all the scale's answers, so item means are on
    the keyed direction. An item whose loading on the first principal component is
    negative (psych's check) or whose r_drop is negative is named in a ``CSIWarning``.
    ``items`` columns: n (answers), mean, sd, r_drop, alpha_if_deleted,
    std_alpha_if_deleted, raw_r (item-total r with the mean score), std_r.

    Reference: Cronbach (1951); Revelle, psych::alpha.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 3, 3, 4, 5, 2]})
    >>> round(alpha(df).alpha, 3)
    0.932
    """
    df, dropped = prepare_items(items, what="alpha", missing=missing, min_items=2)
    names = list(df.columns)
    rev = [] if reverse is None else ([reverse] if isinstance(reverse, str) else list(reverse))
    unknown = [x for x in rev if x not in names and x not in dropped]
    if unknown:
        raise CSIInputError(f"alpha: reverse={unknown} names item(s) that are not columns of the data "
                            f"{names}; fix the names (reverse takes column names)")
    rev = [x for x in rev if x in names]
    a = df.to_numpy(dtype=float, copy=True)
    if rev:
        adjust = np.nanmax(a) + np.nanmin(a)
        idx = [names.index(x) for x in rev]
        a[:, idx] = adjust - a[:, idx]
    cov, _, n_obs = pairwise_moments(a)
    _check_pairs(cov, n_obs, names, "alpha")
    k = len(names)
    n = int((~np.isnan(a)).any(axis=1).sum())
    if n < k:
        warnings.warn(f"alpha: fewer respondents ({n}) than items ({k}); alpha is unstable, "
                      f"collect more answers", CSIWarning, stacklevel=2)
    r = cov2cor(cov)
    raw, std = _alpha_raw(cov), _alpha_std(r)
    drop_raw = np.full(k, np.nan)
    drop_std = np.full(k, np.nan)
    r_drop = np.full(k, np.nan)
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        sub_c, sub_r = cov[np.ix_(keep, keep)], r[np.ix_(keep, keep)]
        if k > 2:
            drop_raw[i], drop_std[i] = _alpha_raw(sub_c), _alpha_std(sub_r)
        r_drop[i] = (cov[:, i].sum() - cov[i, i]) / np.sqrt(cov[i, i] * sub_c.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        total = np.nanmean(a, axis=1)
    ok = ~np.isnan(total)
    raw_r = np.array([pd.Series(total[ok]).corr(pd.Series(a[ok, j])) for j in range(k)])
    std_r = r.sum(axis=0) / np.sqrt(r.sum())
    table = pd.DataFrame({
        "n": (~np.isnan(a)).sum(axis=0), "mean": np.nanmean(a, axis=0), "sd": np.nanstd(a, axis=0, ddof=1),
        "r_drop": r_drop, "alpha_if_deleted": drop_raw, "std_alpha_if_deleted": drop_std,
        "raw_r": raw_r, "std_r": std_r}, index=pd.Index(names, name="item"))
    pc = _first_pc(r)
    neg = tuple(nm for nm, l, rd in zip(names, pc, r_drop) if l < 0 or rd < 0)
    if neg:
        warnings.warn(f"alpha: item(s) {list(neg)} correlate negatively with the scale (first principal "
                      f"component / corrected item-total r); if they are worded the other way, reverse-key "
                      f"them with reverse={list(rev) + list(neg)}, else check the coding", CSIWarning, stacklevel=2)
    av_r = float((r.sum() - k) / (k * (k - 1)))
    return Alpha(alpha=raw, std_alpha=std, n=n, items=table, average_r=av_r, reversed=tuple(rev),
                 dropped=dropped, negative=neg, missing=missing)


@dataclass(frozen=True, repr=False)
class Omega:
    """McDonald's omega as psych::omega (Schmid-Leiman)."""
    omega_total: float             #: omega total: 1 - sum(u2) / sum(R)
    omega_h: float                 #: omega hierarchical: (sum g)^2 / sum(R)
    omega_limit: float             #: omega_h / omega_total (psych omega.lim)
    alpha: float                   #: standardised alpha of the (flipped) items
    g6: float                      #: Guttman's lambda 6
    loadings: pd.DataFrame         #: Schmid-Leiman: g, F1*..Fk*, h2, u2, p2
    n_factors: int
    n: int
    flipped: tuple = ()            #: items reversed because their g loading was negative

    def __repr__(self) -> str:
        return (f"Omega(omega_total={self.omega_total:.3f}, omega_h={self.omega_h:.3f}, alpha={self.alpha:.3f}, "
                f"n_factors={self.n_factors}, n={self.n}"
                + (f", flipped={list(self.flipped)}" if self.flipped else "") + ")")


def omega(items, n_factors: int = 3, missing: str = "pairwise") -> Omega:
    """McDonald's omega total and hierarchical, as psych::omega(x, nfactors=3).

    A minres factor solution with ``n_factors`` factors (varimax, then oblimin) is
    transformed (Schmid-Leiman) into a general factor g and group factors; with R the
    correlation matrix (items with a negative g loading are reversed first, as psych
    does), h2 the communalities and u2 = 1 - h2:

        omega_total = (sum(R) - sum(u2)) / sum(R)
        omega_h     = (sum_i g_i)^2 / sum(R)

    With 2 factors the g loadings are set equal (psych ``option="equal"``); with 1,
    omega_h equals omega_total's g part and is not meaningful.

    Reference: McDonald (1999); Zinbarg et al. (2005); Revelle, psych::omega, schmid.

    Example
    -------
    >>> om = omega(values[items])          # doctest: +SKIP
    >>> om.omega_total, om.omega_h         # doctest: +SKIP
    """
    from .factors import _fa_core, _oblimin, _smc  # shared psych-exact extraction and rotation
    if isinstance(n_factors, bool) or not isinstance(n_factors, (int, np.integer)) or n_factors < 1:
        raise CSIInputError(f"omega: n_factors={n_factors!r} must be a whole number >= 1 (psych default 3)")
    c = correlation(items, missing=missing, what="omega", min_items=3)
    names = list(c.r.index)
    m = c.r.to_numpy().copy()
    k = m.shape[0]
    nf = int(n_factors)
    if nf >= k:
        raise CSIInputError(f"omega: n_factors={nf} is too many for {k} items; use n_factors <= {k - 1} "
                            f"(psych's default is 3, which needs at least 4 items, better 6+)")
    orth = _fa_core(m, nf, "minres", "varimax" if nf > 1 else None)["loadings"]
    if nf == 1:
        fload, gload = orth, np.array([1.0])
    else:
        fload, phi, _ = _oblimin(orth)
        if nf > 2:
            gload = _fa_core(phi, 1, "minres", None)["loadings"][:, 0]
        else:
            g1 = np.sqrt(abs(phi[0, 1]))
            gload = np.array([g1, np.sign(phi[0, 1]) * g1])
    g = fload @ gload
    h2 = (orth ** 2).sum(axis=1)
    u2 = 1 - h2
    uniq2 = np.clip(fload ** 2 - (fload * gload) ** 2, 0, None)
    sm = np.sign(fload) * np.sqrt(uniq2)
    key = np.sign(g)
    key[key == 0] = 1
    flipped = tuple(nm for nm, s in zip(names, key) if s < 0)
    if flipped:
        m = key[:, None] * m * key[None, :]
        g, sm = g * key, sm * key[:, None]
        warnings.warn(f"omega: item(s) {list(flipped)} load negatively on the general factor and were "
                      f"reversed (as psych::omega does); check their keying", CSIWarning, stacklevel=2)
    vt = m.sum()
    gsq = g.sum() ** 2
    om_tot = (vt - u2.sum()) / vt
    alpha_std = (vt - k) / vt * k / (k - 1)
    g6 = (vt + _smc(m).sum() - k) / vt
    cols = ["g"] + [f"F{i + 1}*" for i in range(nf)]
    sl = pd.DataFrame(np.column_stack([g, sm]), index=names, columns=cols)
    sl["h2"], sl["u2"] = h2, u2
    sl["p2"] = g ** 2 / h2
    return Omega(omega_total=float(om_tot), omega_h=float(gsq / vt), omega_limit=float(gsq / (vt - u2.sum())),
                 alpha=float(alpha_std), g6=float(g6), loadings=sl, n_factors=nf, n=c.n, flipped=flipped)
