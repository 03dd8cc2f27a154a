"""Customer lifetime value (客户终生价值): BG/NBD for repeat purchases, Gamma-Gamma for spend.

From a transaction log, :func:`rfm_summary` gives each customer's calibration-period
summary (Fader, Hardie & Lee 2005a, in the model's time unit, weeks by default):

* ``frequency`` x: repeat purchases, the distinct purchase days after the first;
* ``recency`` t_x: time from the first to the last purchase;
* ``T``: time from the first purchase to the end of calibration;
* ``monetary``: mean value of the repeat purchase days (the first purchase excluded).

:func:`bgnbd` fits the BG/NBD model (transactions while alive ~ Poisson(lambda), lambda ~
Gamma(r, alpha); after each purchase the customer drops out with probability p, p ~
Beta(a, b)) by maximum likelihood,

    L_i = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
          + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r
            / (Gamma(r) (alpha + t_x)^(r + x)),

with P(alive | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T)/(alpha + t_x))^(r+x))
and the expected repeat purchases in the next t (their eq. 10, Gauss's 2F1).
:func:`gamma_gamma` fits the spend model (Fader, Hardie & Lee 2005b) to the customers
with x > 0: the mean of x transactions m ~ Gamma(p x, nu x) given nu ~ Gamma(q, gamma),
E[M | m, x] = (gamma + m x) p / (p x + q - 1). :func:`value` discounts expected monthly
purchases times expected spend over a horizon.

Why our own scipy maximum likelihood rather than a library: ``lifetimes`` (the reference
implementation of these papers) is archived upstream; PyMC-Marketing is maintained but
brings PyMC and a Bayesian workflow a consultant's run does not need. The likelihoods are
a few lines of scipy and are checked against the published estimates on the CDNOW sample
(2,357 customers, 39-week calibration): BG/NBD r = 0.243, alpha = 4.414, a = 0.793,
b = 2.426; Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44.

Example
-------
>>> s = rfm_summary(log, customer="id", date="date", amount="amount",
...                 calibration_end="1997-09-30")                       # doctest: +SKIP
>>> bgnbd(s).params                                                     # doctest: +SKIP
{'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..errors import CSIInputError, CSIWarning
from . import engine
from .ids import aligned

__all__ = ["rfm_summary", "bgnbd", "gamma_gamma", "value", "BGNBD", "GammaGamma"]

_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


def rfm_summary(transactions: pd.DataFrame, customer: str = "customer_id", date: str = "date",
                amount: str | None = "amount", calibration_end=None, freq: str = "W"
                ) -> pd.DataFrame:
    """Frequency, recency, T (and monetary) per customer from a transaction log, up to
    ``calibration_end`` (default: the last date), in units of ``freq`` (D, W or M)."""
    if freq not in _DAYS:
        raise CSIInputError(f"rfm_summary: freq={freq!r}; use D, W or M")
    if isinstance(transactions, engine.Purchases):
        log, end = transactions, transactions.as_of
        if calibration_end is not None:
            end = pd.Timestamp(calibration_end)
    else:
        missing = [c for c in (customer, date, amount) if c and c not in transactions.columns]
        if missing:
            raise CSIInputError(f"rfm_summary: column(s) {missing} not in the transactions")
        log = pd.DataFrame({"customer_id": transactions[customer].to_numpy(),
                            "date": pd.to_datetime(transactions[date]).dt.normalize()})
        if amount:
            log["amount"] = pd.to_numeric(transactions[amount]).astype(float).to_numpy()
        end = pd.Timestamp(calibration_end) if calibration_end is not None else log["date"].max()
    days = engine.purchase_days(log, end, amount=bool(amount))
    if days.empty:
        raise CSIInputError("rfm_summary: no transaction on or before the calibration end")
    unit = _DAYS[freq]
    out = pd.DataFrame({
        "frequency": days["days"] - 1,
        "recency": (days["last"] - days["first"]).dt.days / unit,
        "T": (end - days["first"]).dt.days / unit,
    })
    if amount:
        out["monetary"] = days["repeat_mean"].fillna(0.0)
    if not isinstance(transactions, engine.Purchases):
        out.index = _original_ids(out.index, transactions[customer])
    out.index = out.index.rename(customer)     # a renamed view: the buyers' index is shared
    return out


def _original_ids(ids: pd.Index, column: pd.Series) -> pd.Index:
    """The ids in the type of the input column (the engine works on text ids)."""
    if pd.api.types.is_integer_dtype(column.dtype):
        return pd.Index(ids.astype(np.int64))
    return ids


def _x_tx_T(summary: pd.DataFrame):
    need = [c for c in ("frequency", "recency", "T") if c not in summary.columns]
    if need:
        raise CSIInputError(f"clv: the summary lacks {need}; make it with rfm_summary")
    return (summary["frequency"].to_numpy(float), summary["recency"].to_numpy(float),
            summary["T"].to_numpy(float))


@dataclass
class BGNBD:
    """A fitted BG/NBD model: ``params`` {r, alpha, a, b}, ``loglik``, ``p_alive`` per
    customer and :meth:`expected` repeat purchases in the next ``t`` time units."""

    params: dict
    loglik: float
    summary: pd.DataFrame

    @property
    def p_alive(self) -> pd.Series:
        x, tx, T = _x_tx_T(self.summary)
        return pd.Series(1.0 / (1.0 + self._dead_odds(x, tx, T)), index=self.summary.index,
                         name="p_alive")

    def _dead_odds(self, x, tx, T) -> np.ndarray:
        """P(dead) / P(alive) = a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x), in
        logs: the power by log1p, so that r and alpha without bound (the Poisson limit of
        a fit at its boundary) give their finite limit instead of inf * 0."""
        r, alpha, a, b = (self.params[k] for k in ("r", "alpha", "a", "b"))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log = (np.log(a) - np.log(b + x - 1)
                   + (r + x) * np.log1p((T - tx) / (alpha + tx)))
            return np.where(x > 0, np.exp(log), 0.0)

    def expected(self, t: float) -> pd.Series:
        """E[Y(t) | x, t_x, T]: expected repeat purchases in the next ``t`` (eq. 10).

        With a dropout probability of mean a / (a + b) below 1e-9 (a fit that saw no
        dropout, a -> 0) the model is the NBD without dropout, and E[Y(t)] its limit
        (r + x) t / (alpha + T): eq. 10 cancels catastrophically there. With r large (no
        heterogeneity in the purchase rate: the Poisson limit) eq. 10's hypergeometric
        function stops evaluating (from r ~ 1e5); where it does not, its confluent limit is
        used (error O(y^2 (b + x) / r), 2e-3 relative at r = 1e5 on CDNOW, tested)."""
        r, alpha, a, b = (self.params[k] for k in ("r", "alpha", "a", "b"))
        if getattr(self, "_distinct", None) is None:
            self._distinct = _compress(*_x_tx_T(self.summary))
        (x, tx, T), back, _ = self._distinct
        den = 1 + self._dead_odds(x, tx, T)
        if a / (a + b) < 1e-9:
            num = (r + x) * t / (alpha + T)
        else:
            z = t / (alpha + T + t)
            with np.errstate(invalid="ignore", over="ignore"):
                hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
                num = (a + b + x - 1) / (a - 1) * (
                    1 - np.exp(-(r + x) * np.log1p(t / (alpha + T))) * hyp)
            bad = ~np.isfinite(num)
            if bad.any() and r > 1e3:
                # the Poisson limit (r, alpha without bound, r / alpha the common rate):
                # 2F1 of so large a parameter does not evaluate; it tends to
                # 1F1(b + x; c; y), y = (r + x) z, and the power to exp(-y)
                y = (r + x[bad]) * z[bad]
                num[bad] = (a + b + x[bad] - 1) / (a - 1) * (
                    1 - np.exp(-(r + x[bad]) * np.log1p(t / (alpha + T[bad])))
                    * special.hyp1f1(b + x[bad], a + b + x[bad] - 1, y))
        return pd.Series((num / den)[back], index=self.summary.index, name=f"expected_{t:g}")


def _compress(*columns: np.ndarray):
    """The distinct rows of the columns, with their counts and the map back: the
    likelihoods are sums over customers, and customers with equal (x, t_x, T) add equal
    terms, so each distinct row is evaluated once and weighted by its count. (Grouped by
    hashing, per column, rather than ``np.unique(axis=0)``, which sorts rows: 10x slower
    on a million customers.)"""
    frame = pd.DataFrame({j: c for j, c in enumerate(columns)})
    inverse = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    _, first, counts = np.unique(inverse, return_index=True, return_counts=True)
    return ([np.asarray(c)[first] for c in columns], inverse, counts.astype(float))


class _Factored:
    """A column as its distinct values and the index of each row's value: a special
    function of the column is computed on the few distinct values and gathered."""

    def __init__(self, values: np.ndarray):
        self.values, self.index = np.unique(values, return_inverse=True)


def _bgnbd_ll(logp, x, tx, T, w=None, grad: bool = False):
    """BG/NBD log-likelihood at log(r, alpha, a, b); x, t_x, T are :class:`_Factored`
    (few distinct values each), w the rows' weights. With ``grad`` also its gradient in
    the log parameters (analytic: BFGS then needs one evaluation a step instead of five).

    Per customer, with B the beta function (Fader, Hardie and Lee 2005, eq. 6):

        l = ln G(r+x) - ln G(r) + r ln alpha + ln(A1 + A2),
        A1 = B(a, b+x) / B(a, b) / (alpha+T)^(r+x),
        A2 = [x > 0] B(a+1, b+x-1) / B(a, b) / (alpha+t_x)^(r+x),

    and the derivatives follow with the digamma function psi: d ln B(a, b+x)/db =
    psi(b+x) - psi(a+b+x) and so on, each term weighted by its share A_k / (A1 + A2)."""
    r, alpha, a, b = np.exp(logp)
    xs = x.values
    base = special.betaln(a, b)
    lead = (special.gammaln(r + xs) - special.gammaln(r) + r * np.log(alpha))[x.index]
    power = (r + xs)[x.index]
    log_T = np.log(alpha + T.values)[T.index]
    log_tx = np.log(alpha + tx.values)[tx.index]
    a1 = (special.betaln(a, b + xs) - base)[x.index] - power * log_T
    repeat = xs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        b2 = np.where(repeat, special.betaln(a + 1, b + np.maximum(xs, 1) - 1) - base, -np.inf)
    a2 = b2[x.index] - power * log_tx
    both = np.logaddexp(a1, a2)
    terms = lead + both
    weights = np.ones(len(terms)) if w is None else w
    ll = float(np.sum(weights * terms))
    if not grad:
        return ll
    s1, s2 = np.exp(a1 - both), np.exp(a2 - both)          # the shares of A1 and A2
    ab, psi = a + b, special.digamma
    d_r = (psi(r + xs) - psi(r))[x.index] + np.log(alpha) - s1 * log_T - s2 * log_tx
    d_alpha = r / alpha - power * (s1 / (alpha + T.values)[T.index]
                                   + s2 / (alpha + tx.values)[tx.index])
    d_a1_a = psi(ab) - psi(ab + xs)
    d_a1_b = psi(b + xs) - psi(ab + xs) - psi(b) + psi(ab)
    d_a2_a = np.where(repeat, psi(a + 1) - psi(ab + xs) - psi(a) + psi(ab), 0.0)
    d_a2_b = np.where(repeat, psi(b + np.maximum(xs, 1) - 1) - psi(ab + xs) - psi(b) + psi(ab),
                      0.0)
    d_a = s1 * d_a1_a[x.index] + s2 * d_a2_a[x.index]
    d_b = s1 * d_a1_b[x.index] + s2 * d_a2_b[x.index]
    g = np.array([r * np.sum(weights * d_r), alpha * np.sum(weights * d_alpha),
                  a * np.sum(weights * d_a), b * np.sum(weights * d_b)])
    return ll, g


def _maximise(loglik, gradient, start, coarse=None) -> optimize.OptimizeResult:
    """Maximum likelihood on log parameters: a coarse Nelder-Mead from ``start`` (robust
    to the flat start of these likelihoods), on ``coarse`` (the likelihood of a random
    subsample, for large data) when given, then L-BFGS-B on the full likelihood with its
    analytic ``gradient`` (log parameters -> (loglik, gradient))."""
    first = coarse or loglik
    res = optimize.minimize(lambda lp: -first(lp), np.log(start), method="Nelder-Mead",
                            options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 2000})
    # relative to its size: the log-likelihood of a million customers is ~1e7, whose last
    # bits a line search cannot see; scaled, it converges without "precision loss"
    scale = max(abs(loglik(res.x)), 1.0)

    def negative(lp):
        ll, g = gradient(lp)
        return -ll / scale, -g / scale

    # L-BFGS-B with the analytic gradient: on a million customers 26 evaluations where
    # BFGS needed 46, to the same estimates (no bounds: the parameters are logs)
    out = optimize.minimize(negative, res.x, jac=True, method="L-BFGS-B",
                            options={"gtol": 1e-9, "ftol": 1e-15, "maxiter": 1000})
    out.fun, out.jac = out.fun * scale, out.jac * scale
    return out


#: Above this many distinct rows the Nelder-Mead start is searched on a random subsample.
_COARSE_ROWS = 20_000


def _subsample(n: int, weights: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray] | None:
    if n <= _COARSE_ROWS:
        return None
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(n, size=_COARSE_ROWS, replace=False))
    return pick, weights[pick]


def _finite(model: str, values, customers: int, repeaters: int) -> None:
    """Refuse a fit whose predictions are not finite numbers, with a message saying why
    and what to do. A fit may sit at a boundary of its parameter space and still predict
    well (no dropout seen: a -> 0; no heterogeneity: r, alpha -> infinity, the Poisson
    limit); one whose predictions overflow says nothing."""
    if not np.isfinite(np.asarray(values, dtype=float)).all():
        raise CSIInputError(
            f"{model}: the fit does not give finite predictions: {customers:,} customers, "
            f"{repeaters:,} with repeat purchases, do not tell the model's parameters apart; "
            "give it a longer period of purchases (more history, or a shorter holdout)")


def bgnbd(summary: pd.DataFrame) -> BGNBD:
    """Fit the BG/NBD model by maximum likelihood (see the module docstring).

    Customers with equal (x, t_x, T) are evaluated once (:func:`_compress`), and the
    special functions on the distinct values of each column (:class:`_Factored`); a
    million customers fit in seconds."""
    x, tx, T = _x_tx_T(summary)
    if len(x) < 10 or not (x > 0).any():
        raise CSIInputError("bgnbd: needs at least 10 customers, some with repeat purchases")
    (ux, utx, uT), _, w = _compress(x, tx, T)
    full = [_Factored(v) for v in (ux, utx, uT)]
    sub = _subsample(len(ux), w)
    coarse = None
    if sub is not None:
        part = [_Factored(v[sub[0]]) for v in (ux, utx, uT)]
        coarse = lambda lp: _bgnbd_ll(lp, *part, sub[1])          # noqa: E731
    res = _maximise(lambda lp: _bgnbd_ll(lp, *full, w),
                    lambda lp: _bgnbd_ll(lp, *full, w, grad=True), [1.0, 1.0, 1.0, 1.0], coarse)
    r, alpha, a, b = np.exp(res.x)
    model = BGNBD(params={"r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b)},
                  loglik=float(-res.fun), summary=summary)
    _finite("bgnbd", np.r_[model.p_alive.to_numpy(), model.expected(1.0).to_numpy()],
            len(x), int((x > 0).sum()))
    return model


@dataclass
class GammaGamma:
    """A fitted Gamma-Gamma spend model: ``params`` {p, q, gamma}, ``loglik`` and
    ``expected_spend`` per customer (the population mean for customers without repeats)."""

    params: dict
    loglik: float
    summary: pd.DataFrame

    @property
    def expected_spend(self) -> pd.Series:
        p, q, g = (self.params[k] for k in ("p", "q", "gamma"))
        x = self.summary["frequency"].to_numpy(float)
        m = self.summary["monetary"].to_numpy(float)
        if q > 1:
            population = p * g / (q - 1)
        else:
            # q <= 1: the fitted spend distribution has no finite mean (a heavy tail), so
            # the model cannot say what a customer without repeat purchases spends
            # the repeat buyers by position: a boolean Series in .loc would leave a hash
            # table on the buyers' index (ids.py), shared by the RFM and CLV tables
            population = float(pd.Series(m[x > 0]).mean())
            warnings.warn(f"Gamma-Gamma: q = {q:.2f} <= 1, the fitted spend per purchase has no "
                          f"finite mean; customers without repeat purchases get the repeat "
                          f"buyers' mean spend ({population:,.2f}) instead", CSIWarning)
        with np.errstate(divide="ignore", invalid="ignore"):
            spend = np.where(x > 0, (g + m * x) * p / (p * x + q - 1), population)
        return pd.Series(spend, index=self.summary.index, name="expected_spend")


class _Spend:
    """Repeat counts x (a :class:`_Factored`) and mean spends m of the customers a
    Gamma-Gamma fit uses, with what no parameter changes computed once: x, ln m and m x
    per row (the likelihood is evaluated some hundred times on ~600,000 rows for a
    million customers)."""

    def __init__(self, x: np.ndarray, m: np.ndarray):
        self.x = _Factored(x)
        self.x_row = self.x.values[self.x.index]
        self.log_m = np.log(m)
        self.mx = m * self.x_row


def _gg_ll(logp, rows: _Spend, w=None, grad: bool = False):
    """Gamma-Gamma log-likelihood at log(p, q, gamma) for the repeat counts and mean
    spends of ``rows`` (a :class:`_Spend`), rows weighted by ``w``;
    with ``grad`` also its gradient in the log parameters. Per customer (Fader, Hardie
    and Lee 2005b, the density of the mean spend m of x purchases):

        l = ln G(px+q) - ln G(px) - ln G(q) + q ln g + (px-1) ln m + px ln x
            - (px+q) ln(g + m x),
        dl/dp = x [psi(px+q) - psi(px) + ln m + ln x - ln(g + m x)],
        dl/dq = psi(px+q) - psi(q) + ln g - ln(g + m x),
        dl/dg = q/g - (px+q)/(g + m x)."""
    p, q, g = np.exp(logp)
    x, x_row, log_m, mx = rows.x, rows.x_row, rows.log_m, rows.mx
    xs = x.values
    px = p * xs
    by_x = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
            + px * np.log(xs))[x.index]
    px_row = px[x.index]
    log_gmx = np.log(g + mx)
    terms = by_x + q * np.log(g) + (px_row - 1) * log_m - (px_row + q) * log_gmx
    weights = np.ones(len(terms)) if w is None else w
    ll = float(np.sum(weights * terms))
    if not grad:
        return ll
    psi = special.digamma
    d_p = x_row * ((psi(px + q) - psi(px) + np.log(xs))[x.index] + log_m - log_gmx)
    d_q = psi(px + q)[x.index] - psi(q) + np.log(g) - log_gmx
    d_g = q / g - (px_row + q) / (g + mx)
    return ll, np.array([p * np.sum(weights * d_p), q * np.sum(weights * d_q),
                         g * np.sum(weights * d_g)])


def gamma_gamma(summary: pd.DataFrame) -> GammaGamma:
    """Fit the Gamma-Gamma model to the customers with repeat purchases (x > 0, m > 0)."""
    if "monetary" not in summary.columns:
        raise CSIInputError("gamma_gamma: the summary has no monetary column; pass amount= "
                            "to rfm_summary")
    # by position: a boolean Series as a row mask leaves a hash table on the index (ids.py)
    x, m = summary["frequency"].to_numpy(float), summary["monetary"].to_numpy(float)
    use = (x > 0) & (m > 0)
    if use.sum() < 10:
        raise CSIInputError("gamma_gamma: needs at least 10 customers with repeat purchases")
    (x, m), _, w = _compress(x[use], m[use])
    sub = _subsample(len(x), w)
    coarse = None
    if sub is not None:
        part = _Spend(x[sub[0]], m[sub[0]])
        coarse = lambda lp: _gg_ll(lp, part, sub[1])          # noqa: E731
    rows = _Spend(x, m)
    res = _maximise(lambda lp: _gg_ll(lp, rows, w), lambda lp: _gg_ll(lp, rows, w, grad=True),
                    [1.0, 1.0, 1.0], coarse)
    p, q, g = np.exp(res.x)
    _finite("gamma_gamma", [p, q, g], len(use), len(use))
    return GammaGamma(params={"p": float(p), "q": float(q), "gamma": float(g)},
                      loglik=float(-res.fun), summary=summary)


def value(summary: pd.DataFrame, horizon_months: int = 12, discount: float = 0.01,
          freq: str = "W") -> pd.DataFrame:
    """CLV per customer over ``horizon_months``: for each month m the expected purchases
    of that month (BG/NBD) times the expected spend (Gamma-Gamma), discounted by
    (1 + ``discount``)^m (a monthly rate). Columns: p_alive, expected_purchases,
    expected_spend, clv."""
    if horizon_months < 1 or not (0 <= discount < 1):
        raise CSIInputError("value: horizon_months >= 1 and 0 <= discount < 1 (a monthly rate)")
    bg, gg = bgnbd(summary), gamma_gamma(summary)
    month = _DAYS["M"] / _DAYS[freq]
    spend = gg.expected_spend
    clv = pd.Series(0.0, index=summary.index)
    before = pd.Series(0.0, index=summary.index)
    for k in range(1, horizon_months + 1):
        upto = bg.expected(k * month)
        step = upto - before
        if not (np.isfinite(step.to_numpy()).all() and step.min() >= -1e-9):
            raise CSIInputError(
                f"value: the BG/NBD fit ({', '.join(f'{n} = {v:.3g}' for n, v in bg.params.items())}) "
                f"does not give increasing expected purchases (month {k}); the purchases do "
                "not tell its parameters apart: give it a longer period of purchases")
        clv += step * spend / (1 + discount) ** k
        before = upto
    return pd.DataFrame({"p_alive": bg.p_alive, "expected_purchases": before,
                         "expected_spend": spend, "clv": clv})


def holdout_check(transactions: pd.DataFrame, calibration_end=None, holdout_end=None,
                  customer: str = "customer_id", date: str = "date", amount: str = "amount",
                  freq: str = "W", max_frequency: int = 7, holdout_months: int = 12
                  ) -> pd.DataFrame:
    """The model's test on data it has not seen (Fader, Hardie & Lee 2005a, fig. 3): fit
    BG/NBD on the calibration period, predict each customer's repeat purchases in the
    holdout period (``calibration_end`` .. ``holdout_end``, default the last date), and
    compare with what they bought, by calibration frequency (``max_frequency`` and more
    pooled). Only customers whose first purchase falls in the calibration period count.
    Columns: frequency, customers, predicted, actual (mean holdout purchases). Without
    ``calibration_end`` the last ``holdout_months`` of the log are the holdout."""
    if isinstance(transactions, engine.Purchases):
        log, last = transactions, transactions.as_of
    else:
        log = pd.DataFrame({"customer_id": transactions[customer].to_numpy(),
                            "date": pd.to_datetime(transactions[date]).dt.normalize()})
        if amount:
            log["amount"] = pd.to_numeric(transactions[amount]).astype(float).to_numpy()
        last = log["date"].max()
    cal_end = (pd.Timestamp(calibration_end) if calibration_end is not None
               else last - pd.DateOffset(months=holdout_months))
    end = pd.Timestamp(holdout_end) if holdout_end is not None else last
    if end <= cal_end:
        raise CSIInputError("holdout_check: the holdout period is empty; give a calibration "
                            "end before the last transaction")
    try:
        summary = rfm_summary(log, calibration_end=cal_end, freq=freq,
                              amount="amount" if amount else None)
        model = bgnbd(summary)
        predicted = model.expected((end - cal_end).days / _DAYS[freq])
        _finite("bgnbd", predicted.to_numpy(), len(summary),
                int((summary["frequency"] > 0).sum()))
    except CSIInputError as exc:
        raise CSIInputError(f"holdout_check: the calibration period up to {cal_end.date()} "
                            f"cannot be fitted ({exc}); hold out fewer months "
                            "(tiering.clv.holdout_months) or export more history") from None
    later = engine.purchase_days(log, end, start=cal_end, amount=False)
    actual = aligned(later["days"], summary.index).fillna(0)
    bucket = summary["frequency"].clip(upper=max_frequency).astype(int)
    out = pd.DataFrame({"frequency": bucket, "predicted": predicted, "actual": actual})
    table = out.groupby("frequency").agg(customers=("predicted", "size"),
                                         predicted=("predicted", "mean"),
                                         actual=("actual", "mean")).reset_index()
    table.attrs["params"] = model.params
    return table


def by_tier(lifetime: pd.DataFrame, tier: pd.Series, order=None) -> pd.DataFrame:
    """CLV per tier: customers, mean P(alive), mean and total CLV and the tier's share of
    the total (``lifetime`` from :func:`value`, ``tier`` a Series customer -> tier)."""
    tiers = pd.Series(tier)
    tiers.index = tiers.index.astype(str)
    joined = lifetime.assign(tier=aligned(tiers, lifetime.index.astype(str)).to_numpy())
    joined = joined[joined["tier"].notna().to_numpy()]
    out = joined.groupby("tier").agg(customers=("clv", "size"), p_alive=("p_alive", "mean"),
                                     clv_mean=("clv", "mean"), clv_total=("clv", "sum"))
    out["clv_share"] = out["clv_total"] / out["clv_total"].sum()
    if order is not None:
        out = out.reindex([t for t in order if t in out.index])
    return out


@dataclass
class Lifetime:
    """The CLV chapter's results (:func:`estimate`): ``customers`` (p_alive,
    expected_purchases, expected_spend, clv per customer; empty when the models cannot be
    fitted, ``reason`` says why), ``holdout`` (the check of :func:`holdout_check`; empty
    with ``holdout_reason`` when the calibration period cannot be fitted)."""

    customers: pd.DataFrame
    holdout: pd.DataFrame
    horizon_months: int
    reason: str | None = None
    holdout_reason: str | None = None

    def __repr__(self) -> str:
        if self.reason:
            return f"Lifetime value not estimated: {self.reason}"
        text = (f"Lifetime value over {self.horizon_months} months: {len(self.customers):,} "
                f"customers, {self.customers['clv'].sum():,.0f} in all")
        return text + (f"; holdout check not run: {self.holdout_reason}"
                       if self.holdout_reason else "")


def estimate(purchases, horizon_months: int = 12, discount: float = 0.01,
             holdout_months: int = 12) -> Lifetime:
    """CLV per customer (:func:`value` on :func:`rfm_summary`) and the holdout check,
    as notebook 05 shows them. Data the models cannot be fitted to (fewer than ten
    customers, no repeat purchases, a fit that does not settle) give an empty result
    with the reason, recorded as a note, instead of stopping the run: a small or
    one-purchase export is no error, it holds no lifetime-value signal.

    >>> tx = pd.DataFrame({"customer_id": list("abc"), "amount": 10.0,
    ...                    "date": ["2025-01-01", "2025-02-01", "2025-03-01"]})
    >>> estimate(engine.Purchases(tx, "2025-12-31")).reason[:48]
    'bgnbd: needs at least 10 customers, some with re'
    """
    empty = pd.DataFrame(columns=["p_alive", "expected_purchases", "expected_spend", "clv"])
    try:
        customers = value(rfm_summary(purchases), horizon_months=horizon_months,
                          discount=discount)
    except CSIInputError as exc:
        warnings.warn(f"customer lifetime value not estimated: {exc}", CSIWarning)
        return Lifetime(empty, pd.DataFrame(), horizon_months, reason=str(exc))
    try:
        holdout = holdout_check(purchases, holdout_months=holdout_months)
        reason = None
    except CSIInputError as exc:
        warnings.warn(f"the CLV holdout check was not run: {exc}", CSIWarning)
        holdout, reason = pd.DataFrame(), str(exc)
    return Lifetime(customers, holdout, horizon_months, holdout_reason=reason)


def show(wb, lifetime: Lifetime, tiers: pd.Series, name: str, lang: str = "en",
         holdout: bool = True) -> None:
    """Notebook 05's CLV section: the holdout check (table ``05_clv_holdout``), the
    per-customer CLV (saved as ``05_clv_customers``) and CLV by ``tiers`` (table
    ``name``); or the sentence saying why they are missing. ``holdout=False``: the tier
    table only (a second tiering)."""
    from IPython.display import display

    if lifetime.reason:
        if holdout:
            print(("未估计客户终生价值：" if lang == "zh" else
                   "Customer lifetime value was not estimated: ") + lifetime.reason)
        return
    if holdout:
        if lifetime.holdout_reason:
            print(("未进行留出期检验：" if lang == "zh" else "The holdout check was not run: ")
                  + lifetime.holdout_reason)
        else:
            display(wb.table(lifetime.holdout, "05_clv_holdout", index=False))
        wb.save_table(lifetime.customers, "05_clv_customers")
    display(wb.table(by_tier(lifetime.customers, tiers, order=["A", "B", "C"]), name))
