"""Reading the measurement and structural model: verdicts, recovery of a planted truth, figures.

``reliability``, ``factors`` and ``pls`` compute; this module turns their results into what
notebook 04 shows a reviewer: the analysis items (reverse-keyed), verdicts against the
usual cut-offs, a scree plot, a loadings heatmap, the ACSI/ECSI path diagram, the IPMA
chart, and on generated data how close each estimate comes to the planted value.

Cut-offs (each verdict names its source):
- KMO (Kaiser 1974): >= .90 marvelous, .80 meritorious, .70 middling, .60 mediocre,
  .50 miserable, below .50 unacceptable.
- CFA fit verdicts: ``factors.cfa(...).fit.table()`` (Hu & Bentler 1999).
- Cronbach's alpha and composite reliability >= .70, AVE >= .50 (Fornell & Larcker 1981;
  Hair et al. 2019); HTMT < .85 (Henseler, Ringle & Sarstedt 2015).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import plotting
from .errors import CSIInputError

# ----------------------------------------------------------------------------- data

def analysis_items(survey: pd.DataFrame, p: dict) -> pd.DataFrame:
    """The survey items as numbers, reverse-keyed items turned round: what the models read.

    ``x' = (points + 1) - x`` for each item in ``scale.reverse_items``, so that a high
    number always means a favourable answer of the latent variable's direction.

    Example
    -------
    >>> items = analysis_items(wb.survey_clean(), wb.params)     # doctest: +SKIP
    """
    from . import params as params_mod
    from . import scales

    ids = params_mod.items(p)
    missing = [i for i in ids if i not in survey.columns]
    if missing:
        raise CSIInputError(f"cleaned survey: item column(s) {missing} missing; rerun notebook "
                            "02 (it saves the cleaned survey) or fix indicator_system.items")
    values = survey[ids].apply(pd.to_numeric, errors="coerce")
    reverse = list(p["scale"].get("reverse_items") or [])
    return scales.reverse(values, reverse, p["scale"]["points"]) if reverse else values


# ----------------------------------------------------------------------------- verdicts

_KMO_LABELS = [(0.90, "marvelous"), (0.80, "meritorious"), (0.70, "middling"),
               (0.60, "mediocre"), (0.50, "miserable"), (-np.inf, "unacceptable")]


def kmo_verdict(value: float) -> str:
    """Kaiser's (1974) label for a KMO measure of sampling adequacy."""
    return next(label for cut, label in _KMO_LABELS if value >= cut)


def suitability_table(kmo, bartlett) -> pd.DataFrame:
    """KMO and Bartlett's test of sphericity with verdicts, one row per statistic."""
    return pd.DataFrame([
        {"statistic": "KMO (overall MSA)", "value": round(float(kmo.overall), 3),
         "verdict": kmo_verdict(float(kmo.overall)),
         "rule": "Kaiser (1974): >= .80 meritorious, >= .60 mediocre, < .50 unacceptable"},
        {"statistic": "Bartlett chi-square", "value": round(float(bartlett.chi2), 1),
         "verdict": (f"df = {int(bartlett.df)}, p = {float(bartlett.p_value):.2g}: "
                     + ("correlations differ from identity"
                        if bartlett.p_value < 0.05 else "cannot reject identity")),
         "rule": "p < .05: the items are correlated enough to factor"},
    ]).set_index("statistic")


def reliability_validity_table(items: pd.DataFrame, blocks: dict[str, list[str]],
                               validity) -> pd.DataFrame:
    """Per latent variable: alpha beside CR, AVE, Fornell-Larcker and HTMT, with a verdict.

    alpha from ``reliability.alpha`` (as psych::alpha); the rest from ``factors.validity``
    (standardised CFA loadings; HTMT from pairwise correlations). Verdict: alpha and CR
    >= .70, AVE >= .50, sqrt(AVE) above every factor correlation, HTMT < .85.
    """
    from . import reliability

    out = validity.table.copy()
    out.insert(0, "alpha", [reliability.alpha(items[blocks[lv]]).alpha
                            if len(blocks[lv]) > 1 else np.nan for lv in out.index])
    out.insert(0, "items", [len(blocks[lv]) for lv in out.index])
    verdicts = []
    for _, r in out.iterrows():
        issues = [text for failed, text in (
            (r["alpha"] < 0.70, "alpha < .70"), (r["cr"] < 0.70, "CR < .70"),
            (r["ave"] < 0.50, "AVE < .50"), (not bool(r["fornell_larcker"]), "Fornell-Larcker"),
            (r["max_htmt"] >= 0.85, "HTMT >= .85")) if failed]
        verdicts.append("; ".join(issues) if issues else "ok")
    out["verdict"] = verdicts
    return out.round(3)


# ----------------------------------------------------------------------------- recovery

def recovery_table(paths: pd.DataFrame, outer: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """Each planted path and loading beside its estimate and bootstrap 95% CI.

    ``truth["pls_population"]`` holds what PLS-PM converges to under the demo generator
    (discretised answers and composites attenuate the generating values, which are shown
    too); ``inside`` says whether the population value lies in the estimate's CI.
    With 95% intervals, about one parameter in twenty is expected to fall outside.
    """
    pop = truth.get("pls_population") or {}
    gen = truth.get("model") or truth.get("generating") or {}
    rows = []
    pop_paths = _pairs(pop.get("paths"))
    gen_paths = _pairs(gen.get("paths"))
    for _, r in paths.iterrows():
        key = (r["from"], r["to"])
        rows.append({"kind": "path", "parameter": f"{key[0]} -> {key[1]}",
                     "generating": gen_paths.get(key, np.nan),
                     "population": pop_paths.get(key, np.nan), "estimate": r["estimate"],
                     "ci_low": r.get("ci_low", np.nan), "ci_high": r.get("ci_high", np.nan)})
    pop_load = pop.get("loadings") or {}
    gen_load = gen.get("loadings") or {}
    for item, r in outer.iterrows():
        rows.append({"kind": "loading", "parameter": str(item),
                     "generating": gen_load.get(item, np.nan),
                     "population": pop_load.get(item, np.nan), "estimate": r["loading"],
                     "ci_low": r.get("loading_ci_low", np.nan),
                     "ci_high": r.get("loading_ci_high", np.nan)})
    out = pd.DataFrame(rows)
    out["inside"] = (out["population"] >= out["ci_low"]) & (out["population"] <= out["ci_high"])
    out.loc[out[["population", "ci_low", "ci_high"]].isna().any(axis=1), "inside"] = pd.NA
    return out.set_index(["kind", "parameter"]).round(3)


def _pairs(value) -> dict:
    """Paths given as {"A -> B": x}, [{"from", "to", "estimate"}] or [[a, b, x]] -> {(a, b): x}."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            a, b = [s.strip() for s in str(k).split("->")]
            out[(a, b)] = float(v)
        return out
    out = {}
    for entry in value:
        if isinstance(entry, Mapping):
            out[(entry["from"], entry["to"])] = float(entry.get("estimate", entry.get("value")))
        else:
            out[(entry[0], entry[1])] = float(entry[2])
    return out


# ----------------------------------------------------------------------------- figures

def scree_figure(table: pd.DataFrame, n_factors: int | None = None, title: str | None = None):
    """Scree plot of observed against simulated eigenvalues (parallel analysis).

    ``table`` has one row per component/factor and numeric columns of eigenvalues whose
    names say observed or simulated (as ``factors.parallel_analysis(...).table``).
    """
    import matplotlib.pyplot as plt

    plotting.setup()
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(1, len(table) + 1)
    styles = {"observed": "-o", "simulated": "--", "random": "--", "resampled": ":"}
    for col in table.select_dtypes("number").columns:
        style = next((s for k, s in styles.items() if k in str(col).lower()), "-")
        ax.plot(x, table[col].to_numpy(dtype=float), style, label=str(col), lw=1.5, ms=4)
    ax.axhline(0, color="grey", lw=0.6)
    if n_factors:
        ax.axvline(n_factors + 0.5, color=plotting.PALETTE["accent"], ls=":",
                   label=f"retained: {n_factors}")
    ax.set_xlabel("factor / component")
    ax.set_ylabel("eigenvalue")
    ax.set_xticks(x)
    ax.set_title(title or "Scree plot with parallel analysis")
    ax.legend(fontsize=8)
    return fig


def loadings_figure(loadings: pd.DataFrame, item_labels: Mapping | None = None,
                    blocks: Mapping | None = None, title: str | None = None):
    """Heatmap of factor loadings, items grouped by their latent variable."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    plotting.setup()
    order = [i for its in (blocks or {}).values() for i in its if i in loadings.index]
    order += [i for i in loadings.index if i not in order]
    data = loadings.loc[order]
    if item_labels:
        data = data.rename(index=lambda i: f"{i} {item_labels.get(i, '')}".strip())
    fig, ax = plt.subplots(figsize=(1.1 * data.shape[1] + 5, 0.32 * len(data) + 1.5))
    sns.heatmap(data, annot=True, fmt=".2f", cmap="RdBu_r", vmin=-1, vmax=1, center=0,
                cbar_kws={"label": "loading"}, ax=ax, annot_kws={"size": 7})
    ax.set_title(title or "Rotated factor loadings")
    ax.tick_params(axis="y", labelsize=8)
    return fig


# Where each latent variable of the ACSI / ECSI models sits in the path diagram.
_LAYOUT = {"IMAG": (0.6, 3.2), "EXPE": (0.0, 1.9), "QUAL": (0.6, 0.4), "VAL": (2.2, 0.0),
           "SAT": (3.0, 2.2), "COMP": (4.4, 0.9), "LOY": (4.9, 3.0)}


def _layered_layout(lvs: list[str], edges: list[tuple[str, str]]) -> dict:
    depth = {lv: 0 for lv in lvs}
    for _ in lvs:
        for a, b in edges:
            depth[b] = max(depth[b], depth[a] + 1)
    layers: dict[int, list[str]] = {}
    for lv in lvs:
        layers.setdefault(depth[lv], []).append(lv)
    return {lv: (1.3 * d, 1.2 * i - 0.6 * (len(members) - 1))
            for d, members in layers.items() for i, lv in enumerate(members)}


def path_diagram(paths: pd.DataFrame, r2: pd.Series | Mapping | None = None,
                 labels: Mapping | None = None, title: str | None = None):
    """The structural model drawn: LVs as ellipses with R², arrows with coefficients.

    Arrow width grows with |coefficient|; a coefficient whose bootstrap 95% CI excludes
    zero is marked ``*``; negative paths are drawn in red.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch

    plotting.setup()
    edges = list(zip(paths["from"], paths["to"]))
    lvs = list(dict.fromkeys([lv for e in edges for lv in e]))
    pos = ({lv: _LAYOUT[lv] for lv in lvs} if all(lv in _LAYOUT for lv in lvs)
           else _layered_layout(lvs, edges))
    r2 = dict(r2 or {})
    fig, ax = plt.subplots(figsize=(10, 6))
    half_w, half_h = 0.575, 0.31           # the ellipses' semi-axes

    def rim(x, y, dx, dy):
        """Where the ray from an ellipse's centre along (dx, dy) leaves the ellipse."""
        t = 1.0 / np.hypot(dx / half_w, dy / half_h)
        return x + t * dx, y + t * dy

    for _, row in paths.iterrows():
        (x0, y0), (x1, y1) = pos[row["from"]], pos[row["to"]]
        dx, dy = (x1 - x0), (y1 - y0)
        norm = np.hypot(dx, dy)
        dx, dy = dx / norm, dy / norm
        est = float(row["estimate"])
        colour = plotting.PALETTE["bad"] if est < 0 else plotting.PALETTE["primary"]
        arrow = FancyArrowPatch(rim(x0, y0, dx, dy), rim(x1, y1, -dx, -dy), arrowstyle="-|>",
                                mutation_scale=14, lw=0.8 + 4 * min(abs(est), 1), color=colour,
                                alpha=0.75, shrinkA=2, shrinkB=2, zorder=3)
        ax.add_patch(arrow)
        sig = ""
        if {"ci_low", "ci_high"} <= set(row.index) and pd.notna(row["ci_low"]):
            sig = "*" if (row["ci_low"] > 0 or row["ci_high"] < 0) else ""
        ax.text(x0 + 0.45 * (x1 - x0), y0 + 0.45 * (y1 - y0), f"{est:.2f}{sig}", ha="center",
                va="center", fontsize=9, color=colour, zorder=5,
                bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1})
    for lv, (x, y) in pos.items():
        ax.add_patch(Ellipse((x, y), 2 * half_w, 2 * half_h, fc="#eaf1f8",
                             ec=plotting.PALETTE["primary"], lw=1.5, zorder=2))
        name = (labels or {}).get(lv, lv)
        sub = f"\nR² = {r2[lv]:.2f}" if lv in r2 and r2[lv] > 0 else ""
        ax.text(x, y, f"{name}{sub}", ha="center", va="center", fontsize=9, zorder=4)
    xs, ys = zip(*pos.values())
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or "Structural model (PLS-PM): path coefficients, * = 95% CI excludes 0")
    return fig


def ipma_figure(table: pd.DataFrame, labels: Mapping | None = None, title: str | None = None):
    """Importance-performance map: total effect on the target (x) against performance (y).

    ``table`` has one row per LV (or indicator) with columns ``importance`` and
    ``performance``; dashed lines at the means split it into four quadrants.
    """
    import matplotlib.pyplot as plt

    plotting.setup()
    fig, ax = plt.subplots(figsize=(7, 5))
    x = table["importance"].astype(float)
    y = table["performance"].astype(float)
    ax.scatter(x, y, s=80, color=plotting.PALETTE["primary"], zorder=3)
    for key, xi, yi in zip(table.index, x, y):
        ax.annotate((labels or {}).get(key, key), (xi, yi), textcoords="offset points",
                    xytext=(6, 4), fontsize=9)
    ax.axvline(x.mean(), color="grey", ls="--", lw=0.8)
    ax.axhline(y.mean(), color="grey", ls="--", lw=0.8)
    ax.set_xlabel("importance (total effect on the target)")
    ax.set_ylabel("performance (0-100)")
    ax.text(0.99, 0.02, "high importance, low performance:\nimprove first", ha="right",
            va="bottom", transform=ax.transAxes, fontsize=8, color=plotting.PALETTE["bad"])
    ax.set_title(title or "Importance-performance map (IPMA)")
    return fig
