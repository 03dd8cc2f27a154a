"""From a PLS fit to the CSI: the 0-100 index of an LV and the importance-performance map.

``csi_index``: ``index = 100 * (Σ ŵ_i x̄_i - lo) / (hi - lo)`` with ŵ the normalised
unstandardised outer weights of the LV's block (Fornell et al. 1996, the ACSI index).
``ipma``: performance the 0-100 index, importance the unstandardised total effect on the
target (Ringle & Sarstedt 2016), for every LV with a path to the target and its items.

References: Fornell, C. et al. (1996) The American Customer Satisfaction Index. *Journal
of Marketing* 60(4), 7-18. Ringle, C. M., Sarstedt, M. (2016) *Industrial Management &
Data Systems* 116(9).

Example
-------
>>> from csi_helpers import pls
>>> pls.csi_index(r, "SAT", scale=(1, 10)).index   # doctest: +SKIP
>>> pls.ipma(r, "SAT", scale=(1, 10))              # doctest: +SKIP
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from .errors import CSIInputError
from .pls_results import _LEVEL, CSIIndex, PLSResult


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
