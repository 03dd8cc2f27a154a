"""The CFA measurement model: input checks, parameters, start values, the ML discrepancy.

A correlated-factors model with marker-variable identification (the first item of each
factor has loading 1): ``Sigma = Lambda Phi Lambda' + Theta`` with free loadings,
residual variances and factor (co)variances (``_Spec`` lays them out in one vector and
builds Sigma and its derivatives). ``_start`` gives lavaan-like start values;
``_fml`` is the ML discrepancy F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p on the
sample covariance matrix S (divisor N).

Reference: Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood
factor analysis. Psychometrika 34, 183-202; Rosseel, Y. (2012), lavaan.

Example
-------
>>> from csi_helpers import _cfa_model                                      # doctest: +SKIP
>>> clean, items = _cfa_model._check_model(df, {"F1": ["x1", "x2", "x3"]})   # doctest: +SKIP
>>> spec = _cfa_model._Spec(clean, items)                                   # doctest: +SKIP
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from csi_helpers.errors import CSIInputError


# --------------------------------------------------------------------------- input checks
def _check_model(data, model) -> tuple[dict[str, list[str]], list[str]]:
    if not isinstance(data, pd.DataFrame):
        raise CSIInputError(f"data: expected a pandas DataFrame with one column per item, got "
                            f"{type(data).__name__}; pass e.g. pd.DataFrame(values, columns=items)")
    if not isinstance(model, Mapping) or len(model) == 0:
        raise CSIInputError("model: expected a non-empty dict {factor: [items]}, e.g. "
                            "{'SAT': ['Q01', 'Q02', 'Q03']}")
    clean: dict[str, list[str]] = {}
    for factor, items in model.items():
        if isinstance(items, str) or not isinstance(items, Sequence | pd.Index | np.ndarray):
            raise CSIInputError(f"model[{factor!r}]: expected a list of item names, got "
                                f"{items!r}; write {factor!r}: [{items!r}, ...]")
        items = list(items)
        if len(items) < 1:
            raise CSIInputError(f"model[{factor!r}]: has no items; list its items or drop the "
                                "factor")
        seen = set()
        for item in items:
            if item in seen:
                raise CSIInputError(f"model[{factor!r}]: item {item!r} is listed twice; "
                                    f"list each item once")
            seen.add(item)
            if item not in data.columns:
                raise CSIInputError(
                    f"model[{factor!r}]: item {item!r} is not a column of the data; "
                    f"fix the name or add the column (columns: {', '.join(map(str, data.columns[:40]))}"
                    f"{', ...' if len(data.columns) > 40 else ''})")
        if factor in data.columns:
            raise CSIInputError(f"model: factor name {factor!r} is also a column of the data; "
                                f"rename the factor")
        clean[factor] = items
    items_all: list[str] = []
    for items in clean.values():
        for item in items:
            if item not in items_all:
                items_all.append(item)
    for item in items_all:
        col = data[item]
        if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
            raise CSIInputError(
                f"data[{item!r}]: column is not numeric (dtype {col.dtype}); convert the answers "
                f"to numbers first (csi_helpers.scales.assign)")
    return clean, items_all


def _answers(data: pd.DataFrame, items: list[str]) -> np.ndarray:
    x = data[items].to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        bad = items[int(np.where(np.isinf(x).any(axis=0))[0][0])]
        raise CSIInputError(f"data[{bad!r}]: contains infinite values; replace them with NaN "
                            f"(missing) or valid answers")
    return x


def _sample_cov(x: np.ndarray, items: list[str]) -> np.ndarray:
    n, p = x.shape
    if n <= p:
        raise CSIInputError(
            f"data: only {n} complete rows for {p} items (listwise deletion); the covariance "
            f"matrix is singular. CFA needs more complete rows than items; collect more data "
            f"or use fewer items")
    xc = x - x.mean(axis=0)
    s = xc.T @ xc / n                                    # divisor N, as lavaan (normal likelihood)
    const = [items[i] for i in range(p) if s[i, i] <= 1e-12 * max(1.0, np.abs(x).max() ** 2)]
    if const:
        raise CSIInputError(f"data: item(s) {const} are constant over the {n} complete rows; "
                            f"remove them from the model")
    d = 1 / np.sqrt(np.diag(s))
    ev = np.linalg.eigvalsh(s * d[:, None] * d[None, :])
    if ev[0] <= 1e-10:
        raise CSIInputError(
            f"data: the covariance matrix of the model's items is singular (smallest eigenvalue "
            f"of the correlation matrix {ev[0]:.2e}); some items are exact linear combinations "
            f"of others (duplicates or sums); remove them from the model")
    return s


# --------------------------------------------------------------------------- the model
class _Spec:
    """Parameter layout: free loadings, residual variances, factor (co)variances."""

    def __init__(self, model: dict[str, list[str]], items: list[str]):
        self.factors = list(model)
        self.items = items
        p, m = len(items), len(self.factors)
        self.p, self.m = p, m
        idx = {it: i for i, it in enumerate(items)}
        self.lam_all = []              # (i, f, free)
        for f, fac in enumerate(self.factors):
            for j, it in enumerate(model[fac]):
                self.lam_all.append((idx[it], f, j > 0))
        self.lam_free = [(i, f) for i, f, free in self.lam_all if free]
        # a single-indicator factor: loading 1 and residual variance fixed at 0, as lavaan
        # users write `F =~ x; x ~~ 0*x` (the factor is the item; its variance is free)
        self.single = {idx[model[fac][0]] for fac in self.factors if len(model[fac]) == 1}
        self.th_free = [i for i in range(p) if i not in self.single]
        self.psi = [(f, g) for f in range(m) for g in range(f + 1)]   # lower triangle, by row
        self.n_lam, self.n_theta, self.n_psi = len(self.lam_free), len(self.th_free), len(self.psi)
        self.q = self.n_lam + self.n_theta + self.n_psi

    def unpack(self, theta: np.ndarray):
        p, m = self.p, self.m
        lam = np.zeros((p, m))
        for i, f, free in self.lam_all:
            if not free:
                lam[i, f] = 1.0
        if self.n_lam:
            r, c = zip(*self.lam_free)
            lam[list(r), list(c)] = theta[:self.n_lam]
        th = np.zeros(p)
        th[self.th_free] = theta[self.n_lam:self.n_lam + self.n_theta]
        psi = np.zeros((m, m))
        pv = theta[self.n_lam + self.n_theta:]
        for k, (f, g) in enumerate(self.psi):
            psi[f, g] = psi[g, f] = pv[k]
        return lam, th, psi

    def sigma(self, theta):
        lam, th, psi = self.unpack(theta)
        s = lam @ psi @ lam.T
        s[np.diag_indices(self.p)] += th
        return s

    def dsigma(self, theta) -> np.ndarray:
        """Stack (q, p, p) of dSigma/dtheta_k."""
        lam, th, psi = self.unpack(theta)
        p = self.p
        out = np.zeros((self.q, p, p))
        lp = lam @ psi
        k = 0
        for i, f in self.lam_free:
            out[k, i, :] += lp[:, f]
            out[k, :, i] += lp[:, f]
            k += 1
        for i in self.th_free:
            out[k, i, i] = 1.0
            k += 1
        for f, g in self.psi:
            if f == g:
                out[k] = np.outer(lam[:, f], lam[:, f])
            else:
                o = np.outer(lam[:, f], lam[:, g])
                out[k] = o + o.T
            k += 1
        return out


def _start(spec: _Spec, model: dict[str, list[str]], s: np.ndarray) -> np.ndarray:
    """Start values: a one-factor principal-axis solution per block on the correlations,
    rescaled to the marker; factor correlations by least squares on the between-block
    correlations; residual variances from the communalities."""
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    idx = {it: i for i, it in enumerate(spec.items)}
    m = spec.m
    lstd: list[np.ndarray] = []
    for fac in spec.factors:
        ii = [idx[it] for it in model[fac]]
        rb = r[np.ix_(ii, ii)].copy()
        if len(ii) == 1:
            l = np.ones(1)
        elif len(ii) == 2:
            l = np.full(2, math.sqrt(max(abs(rb[0, 1]), 0.05)))
            l[1] *= np.sign(rb[0, 1]) or 1.0
        else:
            off = np.abs(rb - np.eye(len(ii)))
            np.fill_diagonal(rb, off.max(axis=1))
            w, v = np.linalg.eigh(rb)
            l = v[:, -1] * math.sqrt(max(w[-1], 1e-3))
            if l[0] < 0:
                l = -l
        lstd.append(np.clip(l, -0.95, 0.95))
    # unstandardised loadings in the marker metric
    theta_lam, psi_var = {}, np.zeros(m)
    comm = np.zeros(spec.p)
    for f, fac in enumerate(spec.factors):
        ii = [idx[it] for it in model[fac]]
        if abs(lstd[f][0]) < 0.05:                   # a marker unrelated to its block
            lstd[f][0] = 0.05
        lu = lstd[f] * sd[ii]
        psi_var[f] = lu[0] ** 2
        for j, i in enumerate(ii):
            theta_lam[(i, f)] = lu[j] / lu[0]
            comm[i] = max(comm[i], lstd[f][j] ** 2)
    corr = np.eye(m)
    for f in range(m):
        for g in range(f):
            a = [idx[it] for it in model[spec.factors[f]]]
            b = [idx[it] for it in model[spec.factors[g]]]
            ab = np.outer(lstd[f], lstd[g])
            rr = r[np.ix_(a, b)]
            denom = (ab ** 2).sum()
            rho = (rr * ab).sum() / denom if denom > 0 else 0.0
            corr[f, g] = corr[g, f] = float(np.clip(rho, -0.9, 0.9))
    w, v = np.linalg.eigh(corr)
    if w[0] < 0.05:                                   # keep the start positive definite
        corr = (v * np.maximum(w, 0.05)) @ v.T
        d = 1 / np.sqrt(np.diag(corr))
        corr = corr * np.outer(d, d)
    psi = corr * np.sqrt(np.outer(psi_var, psi_var))
    lam_v = [theta_lam[(i, f)] for i, f in spec.lam_free]
    th_v = (np.diag(s) * np.clip(1 - comm, 0.1, 0.95))[spec.th_free]
    psi_v = [psi[f, g] for f, g in spec.psi]
    return np.concatenate([lam_v, th_v, psi_v]).astype(float)


def _fml(spec: _Spec, theta, s, logdet_s) -> float:
    sig = spec.sigma(theta)
    try:
        c = np.linalg.cholesky(sig)
    except np.linalg.LinAlgError:
        return np.inf
    logdet = 2 * np.log(np.diag(c)).sum()
    sinv_s = np.linalg.solve(sig, s)
    return float(logdet + np.trace(sinv_s) - logdet_s - spec.p)
