"""What a PLS path model fit returns: the fit, its bootstrap draws, the CSI index.

``PLSResult`` (from ``pls.fit``) holds the path coefficients, R², outer weights and
loadings, cross-loadings, effects, LV scores and the inner summary (AVE =
Σλ² / (Σλ² + Σ(1-λ²)), GoF); ``Bootstrap`` the resampled weights, loadings, paths and
effects with 95% percentile intervals; ``CSIIndex`` the 0-100 index of an LV
(``pls.csi_index``). Their formulas are in ``csi_helpers.pls``.

Reference: Sanchez, G. (2013) *PLS Path Modeling with R* (R package plspm).

Example
-------
>>> from csi_helpers import pls
>>> r = pls.fit(df, blocks, pls.ECSI, bootstrap=500, seed=1)   # doctest: +SKIP
>>> isinstance(r, pls.PLSResult), r.boot.n_resamples           # doctest: +SKIP
(True, 500)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd



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
