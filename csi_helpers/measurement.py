"""Reading the measurement and structural model: verdicts, recovery of a planted truth, figures.

``reliability``, ``factors`` and ``pls`` compute; this module turns their results into what
notebook 04 shows a reviewer: the analysis items (reverse-keyed), verdicts against the
usual cut-offs, a scree plot, a loadings heatmap, the ACSI/ECSI path diagram, the IPMA
chart, and on generated data how close each estimate comes to the planted value.

Data: ``analysis_items``, ``structural_model``, ``lv_labels``, ``item_labels``.
Decisions and tables: ``n_factors_to_extract``, ``kmo_verdict``, ``suitability_table``,
``kmo_items_table``, ``efa_item_table``, ``reliability_validity_table``, ``r2_table``,
``effects_table``, ``csi_table``, ``recovery_table``, ``recovery_summary``.
Figures (``lang`` "en" | "zh"): ``scree_figure``, ``loadings_figure``, ``path_diagram``,
``ipma_figure``.

Cut-offs (each verdict names its source):
- KMO (Kaiser 1974): >= .90 marvelous, .80 meritorious, .70 middling, .60 mediocre,
  .50 miserable, below .50 unacceptable.
- CFA fit verdicts: ``factors.cfa(...).fit.table()`` (Hu & Bentler 1999).
- Cronbach's alpha and composite reliability >= .70, AVE >= .50 (Fornell & Larcker 1981;
  Hair et al. 2019); HTMT < .85 (Henseler, Ringle & Sarstedt 2015).
"""
from __future__ import annotations

import textwrap
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

    When the items use scales of different lengths (named ``scales``, e.g. 5-point items
    and a 0-10 recommendation), every item is positioned to 0-100 first
    (``100 * (x - 1) / (points - 1)``, positioning per scale), so the models and the
    index read one metric; :func:`index_range` then gives ``(0, 100)``. With one scale
    length the answers stay as they are (1..points) and results equal the references'.

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
    points = params_mod.item_points(p)
    keyed = scales.reverse(values, reverse, points) if reverse else values
    if len(set(points.values())) > 1:
        return scales.position(keyed.astype("float64"), points)
    return keyed


def index_range(p: dict) -> tuple[float, float]:
    """The range of the numbers :func:`analysis_items` returns, for ``pls.csi_index`` and
    ``pls.ipma`` (``scale=``): ``(1, points)``, or ``(0, 100)`` with mixed scale lengths."""
    from . import params as params_mod

    points = set(params_mod.item_points(p).values())
    return (1.0, float(points.pop())) if len(points) == 1 else (0.0, 100.0)


def structural_model(p: dict) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """The blocks and inner paths of the params' model.

    ``indicator_system.model``: ACSI or ECSI (``pls.ACSI`` / ``pls.ECSI``) restricted to the
    latent variables listed under ``latent_variables`` (a latent variable left out takes
    its paths along), or ``custom`` with its own ``paths``. Returns ``(blocks, paths)``:
    ``params.blocks(p)`` for the model's latent variables, in the model's order. Raises
    ``CSIInputError`` when a latent variable of the model has no items (``csi validate``
    reports that first).

    Example
    -------
    >>> blocks, paths = structural_model(wb.params)     # doctest: +SKIP
    """
    from . import params as params_mod

    paths = params_mod.model_paths(p)
    blocks = params_mod.blocks(p)
    lvs = list(params_mod.model_lvs(p))
    missing = [lv for lv in lvs if not blocks.get(lv)]
    if missing:
        raise CSIInputError(f"indicator_system.indicators: the model needs items for "
                            f"{missing}; give each an indicator with items, or leave it out "
                            "of indicator_system.latent_variables")
    return {lv: list(blocks[lv]) for lv in lvs}, paths


def pls_options(p: dict) -> dict:
    """``pls.fit``'s options from ``analysis.pls``: scheme, scaled, bootstrap and seed
    (``analysis.pls.seed``, else ``analysis.seed``).

    Example
    -------
    >>> pls.fit(X, blocks, paths, **pls_options(wb.params))     # doctest: +SKIP
    """
    analysis = p.get("analysis") or {}
    opts = analysis.get("pls") or {}
    seed = opts.get("seed")
    return {"scheme": opts.get("scheme", "path"), "scaled": bool(opts.get("scaled", True)),
            "bootstrap": int(opts.get("bootstrap", 500)),
            "seed": analysis.get("seed", 1) if seed is None else seed}


def cfa_missing(p: dict) -> str:
    """``factors.cfa``'s ``missing``: full-information ML (``"ml"``, lavaan's
    ``missing = "ml"``) when ``analysis.missing`` is pairwise, else ``"listwise"``."""
    return "listwise" if (p.get("analysis") or {}).get("missing") == "listwise" else "ml"


def lv_labels(p: dict, lang: str | None = None) -> dict[str, str]:
    """{LV id: its name in ``lang``} for every latent variable of the params."""
    from . import params as params_mod

    return {lv["id"]: params_mod.label(p, lv["id"], lang)
            for lv in p["indicator_system"]["latent_variables"]}


def item_labels(p: dict, lang: str | None = None) -> dict[str, str]:
    """{item id: its text in ``lang``} for every survey item of the params."""
    from . import params as params_mod

    return {i: params_mod.label(p, i, lang) for i in params_mod.items(p)}


def n_factors_to_extract(setting, parallel) -> int:
    """The number of factors the EFA extracts from ``analysis.efa.n_factors``.

    ``"auto"`` takes parallel analysis's decision (``parallel.n_factors``, Horn 1965, as
    psych::fa.parallel); a positive whole number is used as given (a methodologist's
    override, e.g. the number of latent variables of the indicator system).

    >>> n_factors_to_extract(4, None)
    4
    """
    if isinstance(setting, str) and setting.strip().lower() == "auto":
        n = int(parallel.n_factors)
        if n < 1:
            raise CSIInputError("analysis.efa.n_factors: parallel analysis retained no factor "
                                "(the items barely correlate); set a number to extract anyway")
        return n
    if isinstance(setting, bool) or not isinstance(setting, (int, np.integer)) or setting < 1:
        raise CSIInputError(f"analysis.efa.n_factors: {setting!r}; use auto or a whole number "
                            ">= 1")
    return int(setting)


# ----------------------------------------------------------------------------- verdicts

_KMO_LABELS = [(0.90, "marvelous"), (0.80, "meritorious"), (0.70, "middling"),
               (0.60, "mediocre"), (0.50, "miserable"), (-np.inf, "unacceptable")]


def kmo_verdict(value: float) -> str:
    """Kaiser's (1974) label for a KMO measure of sampling adequacy."""
    return next(label for cut, label in _KMO_LABELS if value >= cut)


def suitability_table(kmo, bartlett, lang: str = "en") -> pd.DataFrame:
    """KMO and Bartlett's test of sphericity with verdicts, one row per statistic (the
    verdict and rule in ``lang``; the statistic's name stays the key)."""
    zh = lang == "zh"
    differs = bartlett.p_value < 0.05
    bartlett_reading = (("相关矩阵显著不同于单位矩阵" if differs else "不能拒绝单位矩阵") if zh else
                        ("correlations differ from identity" if differs else
                         "cannot reject identity"))
    return pd.DataFrame([
        {"statistic": "KMO (overall MSA)", "value": round(float(kmo.overall), 3),
         "verdict": kmo_verdict(float(kmo.overall)),
         "rule": ("Kaiser（1974）：≥ .80 良好，≥ .60 一般，< .50 不可接受" if zh else
                  "Kaiser (1974): >= .80 meritorious, >= .60 mediocre, < .50 unacceptable")},
        {"statistic": "Bartlett chi-square", "value": round(float(bartlett.chi2), 1),
         "verdict": (f"df = {int(bartlett.df)}, p {_p_text(float(bartlett.p_value))}"
                     f"{'：' if zh else ': '}{bartlett_reading}"),
         "rule": ("p < .05：题目之间的相关足以进行因子分析" if zh else
                  "p < .05: the items are correlated enough to factor")},
    ]).set_index("statistic")


def _p_text(p: float) -> str:
    """'< .001' or '= 0.034' (APA style)."""
    return "< .001" if p < 0.001 else f"= {p:.3f}"


def kmo_items_table(kmo) -> pd.DataFrame:
    """KMO per item (MSA_i) with Kaiser's label; items below .50 are candidates to drop."""
    per = kmo.per_item.astype(float)
    return pd.DataFrame({"msa": per.round(3), "verdict": [kmo_verdict(v) for v in per]},
                        index=per.index.rename("item"))


def efa_item_table(efa, blocks: Mapping | None = None) -> pd.DataFrame:
    """Per item: its latent variable, the factor it loads on most, that loading, the largest
    other |loading| (cross-loading), communality h2 and uniqueness u2 = 1 - h2.

    ``flag`` names the usual warnings: primary |loading| < .40 (Hair et al. 2019) or a
    cross-loading >= .30.
    """
    lv_of = {i: lv for lv, its in (blocks or {}).items() for i in its}
    L = efa.loadings.astype(float)
    absl = L.abs().to_numpy()
    order = np.argsort(-absl, axis=1)
    rows = []
    for k, item in enumerate(L.index):
        first = order[k, 0]
        cross = absl[k, order[k, 1]] if L.shape[1] > 1 else np.nan
        load = float(L.iloc[k, first])
        flags = [t for bad, t in ((abs(load) < 0.40, "loading < .40"),
                                  (cross >= 0.30, "cross-loading >= .30")) if bad]
        rows.append({"item": item, "lv": lv_of.get(item, ""), "factor": str(L.columns[first]),
                     "loading": load, "cross_loading": cross,
                     "h2": float(efa.communalities[item]), "u2": float(efa.uniquenesses[item]),
                     "flag": "; ".join(flags) or "ok"})
    return pd.DataFrame(rows).set_index("item").round(3)


def r2_table(result) -> pd.DataFrame:
    """R² of each endogenous LV with its bootstrap 95% CI (when the fit was bootstrapped).

    Chin (1998): R² about .67 substantial, .33 moderate, .19 weak.
    """
    out = pd.DataFrame({"r2": result.r2.astype(float)})
    out.index.name = "lv"
    out["reading"] = ["substantial" if v >= 0.67 else "moderate" if v >= 0.33
                      else "weak" if v >= 0.19 else "very weak" for v in out["r2"]]
    return _with_ci(out, result, "r2").round(3)


def effects_table(result, target: str | None = None) -> pd.DataFrame:
    """Direct, indirect and total effects between LVs, total with its bootstrap 95% CI.

    ``target`` keeps only the effects on that LV (e.g. ``"SAT"``).
    """
    out = result.effects.copy()
    if target is not None:
        out = out[out["to"] == target]
    return _with_ci(out, result, "total").round(3)


def _with_ci(table: pd.DataFrame, result, kind: str) -> pd.DataFrame:
    if getattr(result, "boot", None) is None:
        return table
    s = result.boot.summary
    s = s[s["kind"] == kind].set_index("name")
    return table.join(s[["ci_low", "ci_high"]], how="left")


def csi_table(index) -> pd.DataFrame:
    """A :class:`csi_helpers.pls.CSIIndex` as a one-row table (for ``wb.save_table``)."""
    return pd.DataFrame([{"lv": index.lv, "index": index.index, "se": index.se,
                          "ci_low": index.ci_low, "ci_high": index.ci_high,
                          "scale_low": index.scale[0], "scale_high": index.scale[1]}]
                        ).set_index("lv").astype(float).round(2)


def reliability_validity_table(items: pd.DataFrame, blocks: dict[str, list[str]],
                               validity) -> pd.DataFrame:
    """Per latent variable: alpha beside CR, AVE, Fornell-Larcker and HTMT, with a verdict.

    alpha from ``reliability.alpha`` (as psych::alpha); the rest from ``factors.validity``
    (standardised CFA loadings; HTMT from pairwise correlations). ``n`` is the number of
    respondents who answered at least one of the construct's items. Verdict: alpha and CR
    >= .70, AVE >= .50, sqrt(AVE) above every factor correlation, HTMT < .85; and, as
    verdicts rather than silent numbers, a construct resting on fewer than
    :data:`MIN_ANSWERS` answers and a latent correlation above 1 (an improper solution).
    A single-item construct has no alpha, CR or AVE (its loading is fixed at 1 and its
    residual at 0, so they would be 1 by construction): they are left empty and the
    verdict says "single item".
    """
    from . import reliability

    out = validity.table.copy()
    single = [lv for lv in out.index if len(blocks[lv]) == 1]
    out.insert(0, "alpha", [reliability.alpha(items[blocks[lv]]).alpha
                            if len(blocks[lv]) > 1 else np.nan for lv in out.index])
    out.insert(0, "n", [int(items[blocks[lv]].notna().any(axis=1).sum()) for lv in out.index])
    out.insert(0, "items", [len(blocks[lv]) for lv in out.index])
    out.loc[single, [c for c in ("cr", "ave", "sqrt_ave") if c in out.columns]] = np.nan
    verdicts = []
    for lv, r in out.iterrows():
        issues = [text for failed, text in (
            (lv in single, "single item: reliability not estimable"),
            (r["n"] < MIN_ANSWERS, f"rests on {int(r['n'])} answers (< {MIN_ANSWERS})"),
            (r["max_corr"] > 1, "latent correlation > 1: improper solution"),
            (r["alpha"] < 0.70, "alpha < .70"), (r["cr"] < 0.70, "CR < .70"),
            (r["ave"] < 0.50, "AVE < .50"),
            (lv not in single and not bool(r["fornell_larcker"]), "Fornell-Larcker"),
            (r["max_htmt"] >= 0.85, "HTMT >= .85")) if failed]
        verdicts.append("; ".join(issues) if issues else "ok")
    out["verdict"] = verdicts
    return out.round(3)


#: Fewer answers than this under a construct is a verdict, not a silent estimate.
MIN_ANSWERS = 30


def cfa_line(cfa, lang: str = "en") -> str:
    """How the CFA used the answers, in one sentence (FIML or listwise), with the answers
    each construct rests on.

    Example
    -------
    >>> print(cfa_line(factors.cfa(X, blocks)))                   # doctest: +SKIP
    CFA by full-information ML on 282 respondents (every answer used, 23 missing-data patterns); answers per construct: EXPE 281, QUAL 282, ...
    """
    zh = lang == "zh"
    if getattr(cfa, "missing", "listwise") == "listwise":
        return (f"验证性因子分析基于 {cfa.n_used} 份完整答卷（{cfa.n_dropped} 份含缺失答案的答卷按列表删除）"
                if zh else f"CFA on {cfa.n_used} complete rows ({cfa.n_dropped} with a missing "
                           "answer deleted listwise)")
    cov = getattr(cfa, "coverage", None)
    per = ""
    if cov is not None:
        fac = cov.loc[cov["kind"] == "factor", "n"]
        counts = ("，" if zh else ", ").join(f"{f} {int(n)}" for f, n in fac.items())
        per = ("；各构念的答卷数：" if zh else "; answers per construct: ") + counts
    patterns = getattr(cfa, "n_patterns", "?")
    if zh:
        empty = f"，{cfa.n_dropped} 份无任何答案的答卷未纳入" if cfa.n_dropped else ""
        return (f"验证性因子分析采用全信息最大似然估计，基于 {cfa.n_used} 位受访者（使用全部答案，"
                f"{patterns} 种缺失模式{empty}）{per}")
    empty = f", {cfa.n_dropped} rows without any answer left out" if cfa.n_dropped else ""
    return (f"CFA by full-information ML on {cfa.n_used} respondents (every answer used, "
            f"{patterns} missing-data patterns{empty}){per}")


def csi_line(csi, label: str, lang: str = "en") -> str:
    """The CSI in one sentence, with its 95% bootstrap CI when there is one.

    Example
    -------
    >>> from types import SimpleNamespace
    >>> csi_line(SimpleNamespace(index=71.23, ci_low=None, ci_high=None), "SAT")
    'CSI (SAT) = 71.2 on 0-100 (no confidence interval: analysis.pls.bootstrap is 0)'
    """
    no_ci = (csi.ci_low is None or csi.ci_high is None
             or not np.isfinite([csi.ci_low, csi.ci_high]).all())
    if lang == "zh":
        head = f"顾客满意度指数（{label}）= {csi.index:.1f}（0-100）"
        return head + ("（无置信区间：analysis.pls.bootstrap 为 0）" if no_ci else
                       f"，95% 自助法置信区间 [{csi.ci_low:.1f}, {csi.ci_high:.1f}]")
    head = f"CSI ({label}) = {csi.index:.1f} on 0-100"
    if no_ci:
        return head + " (no confidence interval: analysis.pls.bootstrap is 0)"
    return head + f", 95% bootstrap CI [{csi.ci_low:.1f}, {csi.ci_high:.1f}]"


# ----------------------------------------------------------------------------- recovery

_RECOVERY_COLUMNS = ["generating", "population", "estimate", "ci_low", "ci_high", "inside"]
NO_TRUTH = "Not a generated client: no planted model to compare with."


def recovery_table(result, truth: Mapping | None) -> pd.DataFrame:
    """Each planted path and loading beside its PLS estimate and bootstrap 95% CI.

    ``result`` is a bootstrapped :func:`csi_helpers.pls.fit`; ``truth`` the demo's
    ``truth.json`` (``wb.truth()``). Two reference values per parameter:

    * ``generating``: the value planted in the latent model (``truth["model"]``);
    * ``population``: what PLS-PM converges to on this generator's data with infinitely
      many respondents (``truth["pls_population"]``). Answers cut into 5 categories and
      composites that carry measurement error attenuate PLS paths below the generating
      ones, while PLS mode-A loadings come out above them (each composite contains its
      own item). So a sample's CI is judged against ``population``.

    ``inside`` is True when ``ci_low <= population <= ci_high`` (missing when either is
    unknown). With 95% intervals about one parameter in twenty falls outside by chance.
    A real client has no planted model (``truth`` None): the table is empty.

    Example
    -------
    >>> rec = recovery_table(fit, wb.truth()); recovery_summary(rec)   # doctest: +SKIP
    """
    if truth is None:
        empty = pd.MultiIndex.from_arrays([[], []], names=["kind", "parameter"])
        return pd.DataFrame(columns=_RECOVERY_COLUMNS, index=empty)
    if getattr(result, "boot", None) is None:
        raise CSIInputError("recovery_table: the PLS fit has no bootstrap; fit with "
                            "bootstrap > 0 (analysis.pls.bootstrap) to get the CIs")
    pop = truth.get("pls_population") or {}
    gen = truth.get("model") or {}
    if not pop.get("paths") or not pop.get("loadings"):
        raise CSIInputError("truth.json: pls_population has no paths/loadings; regenerate the "
                            "demo data (delete data/demo/ and rerun csi demo)")
    pop_paths, gen_paths = _pairs(pop.get("paths")), _pairs(gen.get("paths"))
    pop_load, gen_load = pop.get("loadings") or {}, gen.get("loadings") or {}
    s = result.boot.summary
    rows = []
    for kind, keyed in (("path", {f"{a} -> {b}": (pop_paths.get((a, b), np.nan),
                                                   gen_paths.get((a, b), np.nan))
                                  for a, b in zip(result.paths["from"], result.paths["to"])}),
                        ("loading", {str(i): (pop_load.get(i, np.nan), gen_load.get(i, np.nan))
                                     for i in result.outer.index})):
        boot = s[s["kind"] == kind].set_index("name")
        for name, (p_val, g_val) in keyed.items():
            b = boot.loc[name]
            rows.append({"kind": kind, "parameter": name, "generating": float(g_val),
                         "population": float(p_val), "estimate": float(b["original"]),
                         "ci_low": float(b["ci_low"]), "ci_high": float(b["ci_high"])})
    out = pd.DataFrame(rows)
    inside = (out["population"] >= out["ci_low"]) & (out["population"] <= out["ci_high"])
    unknown = out[["population", "ci_low", "ci_high"]].isna().any(axis=1)
    out["inside"] = pd.array(np.where(unknown, None, inside), dtype="boolean")
    return out.set_index(["kind", "parameter"]).round(4)


def recovery_summary(table: pd.DataFrame) -> str:
    """One line: how many planted paths and loadings lie inside their 95% CI.

    An empty table (a real client, no planted model) says so instead.

    >>> t = pd.DataFrame({"inside": [True, False, True]},
    ...     index=pd.MultiIndex.from_tuples([("path", "A -> B"), ("loading", "x1"),
    ...                                      ("loading", "x2")]))
    >>> recovery_summary(t)
    '1 of 1 paths and 1 of 2 loadings inside their 95% CI'
    """
    if table.empty:
        return NO_TRUTH
    kinds = table.index.get_level_values(0)
    parts = []
    for kind, word in (("path", "paths"), ("loading", "loadings")):
        ok = table["inside"][kinds == kind].dropna()
        parts.append(f"{int(ok.sum())} of {len(ok)} {word}")
    return " and ".join(parts) + " inside their 95% CI"


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

_TEXT = {
    "en": {"scree": "Scree plot with parallel analysis", "factor": "factor / component",
           "eigen": "eigenvalue", "retained": "factors retained: {n}",
           "observed_fa": "factors: observed", "simulated_fa_q95": "factors: random data (95th pct)",
           "observed_pc": "components: observed",
           "simulated_pc_q95": "components: random data (95th pct)",
           "loadings": "Rotated factor loadings", "loading": "loading",
           "paths": "Structural model (PLS-PM): path coefficients, * = 95% CI excludes 0",
           "ipma": "Importance-performance map (IPMA): {target}",
           "importance": "importance (total effect on {target})",
           "performance": "performance (0-100)",
           "improve": "high importance, low performance:\nimprove first"},
    "zh": {"scree": "碎石图与平行分析", "factor": "因子 / 成分", "eigen": "特征值",
           "retained": "保留因子数: {n}", "observed_fa": "因子: 实际数据",
           "simulated_fa_q95": "因子: 随机数据 (95百分位)", "observed_pc": "成分: 实际数据",
           "simulated_pc_q95": "成分: 随机数据 (95百分位)",
           "loadings": "旋转后的因子载荷", "loading": "载荷",
           "paths": "结构模型 (PLS-PM): 路径系数, * = 95%置信区间不含0",
           "ipma": "重要性-绩效分析 (IPMA): {target}",
           "importance": "重要性 (对{target}的总效应)", "performance": "绩效 (0-100)",
           "improve": "重要性高、绩效低:\n优先改进"},
}


def _t(lang: str | None, key: str, **kw) -> str:
    return _TEXT.get(lang or "en", _TEXT["en"])[key].format(**kw)


def scree_figure(table: pd.DataFrame, n_factors: int | None = None, title: str | None = None,
                 lang: str = "en"):
    """Scree plot of observed against simulated eigenvalues (parallel analysis).

    ``table`` is ``factors.parallel_analysis(...).table``: observed eigenvalues of the
    factors (reduced matrix) and components, and the 95th percentile of those of random
    data of the same size. Retain the factors whose observed eigenvalue lies above the
    random line (Horn 1965).
    """
    import matplotlib.pyplot as plt

    plotting.setup()
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(1, len(table) + 1)
    styles = {"observed_fa": ("-o", plotting.PALETTE["primary"]),
              "simulated_fa_q95": ("--", plotting.PALETTE["primary"]),
              "observed_pc": ("-s", plotting.PALETTE["neutral"]),
              "simulated_pc_q95": (":", plotting.PALETTE["neutral"])}
    cols = [c for c in styles if c in table.columns] or list(table.select_dtypes("number"))
    for col in cols:
        style, colour = styles.get(col, ("-", None))
        label = _TEXT.get(lang, _TEXT["en"]).get(col, str(col))
        ax.plot(x, table[col].to_numpy(dtype=float), style, color=colour, label=label,
                lw=1.5, ms=4)
    ax.axhline(0, color="grey", lw=0.6)
    if n_factors:
        ax.axvline(n_factors + 0.5, color=plotting.PALETTE["accent"], ls=":",
                   label=_t(lang, "retained", n=n_factors))
    ax.set_xlabel(_t(lang, "factor"))
    ax.set_ylabel(_t(lang, "eigen"))
    ax.set_xticks(x)
    ax.set_title(title or _t(lang, "scree"))
    ax.legend(fontsize=8)
    return fig


def _factor_order(loadings: pd.DataFrame, blocks: Mapping | None) -> list:
    """Factors ordered by the block whose items load on them most (then the rest)."""
    if not blocks:
        return list(loadings.columns)
    primary = loadings.abs().idxmax(axis=1)
    order = []
    for items in blocks.values():
        here = primary.reindex([i for i in items if i in primary.index]).dropna()
        if len(here):
            f = here.value_counts().index[0]
            if f not in order:
                order.append(f)
    return order + [f for f in loadings.columns if f not in order]


def loadings_figure(loadings: pd.DataFrame, item_labels: Mapping | None = None,
                    blocks: Mapping | None = None, title: str | None = None, lang: str = "en"):
    """Heatmap of factor loadings, items grouped by their latent variable and factors
    ordered so that each block's factor follows the last (a clean solution is a staircase
    of dark cells)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    plotting.setup()
    order = [i for its in (blocks or {}).values() for i in its if i in loadings.index]
    order += [i for i in loadings.index if i not in order]
    data = loadings.loc[order, _factor_order(loadings, blocks)].astype(float)
    if item_labels:
        data = data.rename(index=lambda i: f"{i} {item_labels.get(i, '')}".strip())
    fig, ax = plt.subplots(figsize=(0.8 * data.shape[1] + 6, 0.32 * len(data) + 1.5))
    sns.heatmap(data, annot=True, fmt=".2f", cmap="RdBu_r", vmin=-1, vmax=1, center=0,
                cbar_kws={"label": _t(lang, "loading")}, ax=ax, annot_kws={"size": 7})
    ax.set_title(title or _t(lang, "loadings"))
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
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
                 labels: Mapping | None = None, title: str | None = None, lang: str = "en"):
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
    r2 = dict(r2) if r2 is not None else {}
    fig, ax = plt.subplots(figsize=(10, 6))
    half_w, half_h = 0.6, 0.34           # the ellipses' semi-axes

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
        name = textwrap.fill(str((labels or {}).get(lv, lv)), 14)
        sub = f"\nR² = {r2[lv]:.2f}" if lv in r2 and r2[lv] > 0 else ""
        ax.text(x, y, f"{name}{sub}", ha="center", va="center", fontsize=8.5, zorder=4,
                linespacing=1.1)
    xs, ys = zip(*pos.values())
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or _t(lang, "paths"))
    return fig


def ipma_figure(table: pd.DataFrame, labels: Mapping | None = None, title: str | None = None,
                target: str = "target", lang: str = "en", level: str | None = "lv"):
    """Importance-performance map: total effect on the target (x) against performance (y).

    ``table`` is ``pls.ipma(...)``: one row per LV (and indicator) with columns
    ``importance`` and ``performance``; ``level`` keeps the rows of that ``level``
    ("lv" or "indicator"; None keeps all). Dashed lines at the means split the map into
    four quadrants; bottom right (important, performing below average) is where to act.
    """
    import matplotlib.pyplot as plt

    plotting.setup()
    if level is not None and "level" in table.columns:
        table = table[table["level"] == level]
    if table.empty:
        raise CSIInputError(f"ipma_figure: no rows of level {level!r}; use level='lv', "
                            "'indicator' or None")
    fig, ax = plt.subplots(figsize=(7, 5))
    x = table["importance"].astype(float)
    y = table["performance"].astype(float)
    ax.scatter(x, y, s=80, color=plotting.PALETTE["primary"], zorder=3)
    for key, xi, yi in zip(table.index, x, y):
        ax.annotate((labels or {}).get(key, key), (xi, yi), textcoords="offset points",
                    xytext=(6, 4), fontsize=9)
    ax.axvline(x.mean(), color="grey", ls="--", lw=0.8)
    ax.axhline(y.mean(), color="grey", ls="--", lw=0.8)
    pad_x = 0.15 * (x.max() - x.min() or 1)
    pad_y = 0.15 * (y.max() - y.min() or 1)
    ax.set_xlim(x.min() - pad_x, x.max() + 2 * pad_x)
    ax.set_ylim(y.min() - 2.5 * pad_y, y.max() + pad_y)
    name = (labels or {}).get(target, target)
    ax.set_xlabel(_t(lang, "importance", target=name))
    ax.set_ylabel(_t(lang, "performance"))
    ax.text(0.99, 0.02, _t(lang, "improve"), ha="right", va="bottom", transform=ax.transAxes,
            fontsize=8, color=plotting.PALETTE["bad"])
    ax.set_title(title or _t(lang, "ipma", target=name), fontsize=11)
    fig.tight_layout()
    return fig
