"""The roll-up: 0-100 scores up the indicator tree to the CSI (顾客满意度指数).

item -> indicator -> latent variable -> CSI: each parent is the (weighted) mean of its
children, ``sum_j w_j x_j / sum_j w_j`` with the ``weight`` of the params file (plain
mean without). The CSI follows ``indicator_system.csi.weighting``: ``acsi`` (CSI = SAT),
``equal`` (mean of the LVs except COMP) or ``custom`` (``sum_k w_k LV_k``, a weighted
COMP entering as ``100 - COMP``). Per-respondent scores (``respondent_scores``) feed the
segments and the tiers; ``scores_figure`` draws the tree's scores.

Reference: Fornell et al. (1996), The American Customer Satisfaction Index, J.
Marketing 60(4); METHOD.md §2 and §4.

Example
-------
>>> from csi_helpers import indices
>>> r = indices.rollup(indices.item_positions(survey, params), params)   # doctest: +SKIP
>>> r.table[r.table["level"] == "latent_variable"]                       # doctest: +SKIP
>>> indices.respondent_scores(r, survey, params)                         # doctest: +SKIP
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import CSIInputError, CSIWarning
from .system import (COMPLAINTS_LV, _item_ids, _lang, _measure_name, _name, _numeric_frame,
                    SATISFACTION_LV, _system, _TEXT, _tree, _Tree, _weighted_mean, _weights)


def _csi_weights(tree: _Tree, params: Mapping, lv_ids: list[str]) -> tuple[str, dict[str, float], str]:
    """(weighting, {lv: weight (unnormalised)}, description) from indicator_system.csi.weighting."""
    csi = _system(params).get("csi") or {}
    weighting = csi.get("weighting", "acsi")
    if weighting == "acsi":
        if SATISFACTION_LV not in lv_ids:
            raise CSIInputError("params: indicator_system.csi.weighting is 'acsi' (CSI = the SAT "
                                "score) but no latent variable 'SAT' has indicators; add SAT or "
                                "choose weighting: equal | custom")
        return weighting, {SATISFACTION_LV: 1.0}, (
            "acsi: CSI = the score of the satisfaction latent variable SAT (the ACSI definition)")
    if weighting == "equal":
        use = [lv for lv in lv_ids if lv != COMPLAINTS_LV]
        if not use:
            raise CSIInputError("params: indicator_system.csi.weighting is 'equal' but no latent "
                                "variable other than COMP has indicators")
        return weighting, {lv: 1.0 for lv in use}, (
            f"equal: CSI = the mean of the latent variables except COMP ({', '.join(use)}); "
            "COMP is left out because more complaints mean less satisfaction")
    if weighting == "custom":
        raw = {}
        for i, lv in enumerate(tree.lvs):
            if lv.get("weight") is None:
                continue
            try:
                w = float(lv["weight"])
            except (TypeError, ValueError):
                raise CSIInputError(f"params: indicator_system.latent_variables[{i}].weight: "
                                    f"{lv['weight']!r} is not a number") from None
            if w < 0 or not math.isfinite(w):
                raise CSIInputError(f"params: indicator_system.latent_variables[{i}].weight: {w} "
                                    "must be finite and >= 0")
            if w > 0 and lv["id"] not in lv_ids:
                raise CSIInputError(f"params: indicator_system.latent_variables[{i}].weight: "
                                    f"{lv['id']} has a weight but no indicators")
            if w > 0:
                raw[lv["id"]] = w
        total = sum(raw.values())
        if total <= 0:
            raise CSIInputError("params: indicator_system.csi.weighting is 'custom' but no latent "
                                "variable has a positive 'weight'; add indicator_system."
                                "latent_variables[].weight (normalised to sum 1)")
        weights = {k: v / total for k, v in raw.items()}
        parts = ", ".join(f"{k} {v:.3f}" for k, v in weights.items())
        note = " COMP enters as 100 - COMP (fewer complaints, higher CSI)." if COMPLAINTS_LV in weights else ""
        return weighting, weights, f"custom: CSI = weighted mean of the latent variables ({parts}).{note}"
    raise CSIInputError(f"params: indicator_system.csi.weighting: {weighting!r} is not one of "
                        "acsi | equal | custom")


@dataclass(frozen=True, eq=False)
class Rollup:
    """0-100 scores at every level of the indicator tree.

    Attributes
    ----------
    table : tidy DataFrame, one row per node: level (item | indicator | latent_variable
        | csi), id, parent, name, weight (within the parent, normalised), score (0-100),
        n (respondents with a score at that node).
    respondents : per-respondent scores (same index as the positions): one column per
        indicator, per latent variable, and ``CSI``.
    positions : the item positions the roll-up started from.
    weighting : acsi | equal | custom; ``description`` says what it means.
    csi, n : the index and the respondents behind it.
    """

    table: pd.DataFrame
    respondents: pd.DataFrame
    positions: pd.DataFrame = field(repr=False)
    weighting: str
    description: str
    csi: float
    n: int
    lang: str = "en"

    def level(self, level: str) -> pd.DataFrame:
        """The rows of one level: item | indicator | latent_variable | csi, indexed by id."""
        return self.table[self.table["level"] == level].set_index("id")

    @property
    def items(self) -> pd.DataFrame:
        return self.level("item")

    @property
    def indicators(self) -> pd.DataFrame:
        return self.level("indicator")

    @property
    def latent_variables(self) -> pd.DataFrame:
        return self.level("latent_variable")

    def __repr__(self) -> str:
        lv = self.latent_variables
        lines = [f"Rollup: CSI = {self.csi:.1f} (0-100, n = {self.n})",
                 f"Weighting {self.description}", "Latent variables (0-100):"]
        lines += [f"  {i:<5} {r['name']:<30} {r['score']:6.1f}  (n = {int(r['n'])})"
                  for i, r in lv.iterrows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (f"<p><b>CSI = {self.csi:.1f}</b> (0-100, n = {self.n}); "
                f"weighting <i>{self.description}</i></p>")
        body = self.table[self.table["level"] != "item"].to_html(index=False, float_format="%.1f")
        return head + body


def rollup(positions: pd.DataFrame, params: Mapping, lang: str | None = None) -> Rollup:
    """Roll 0-100 item positions up the tree: item -> indicator -> latent variable -> CSI.

    Aggregate scores (``.table``): an item's score is its mean position over the
    respondents who answered it; an indicator's is the mean of its items' scores (or
    the weighted mean with ``indicator_system.items[].weight``, normalised); a latent
    variable's the mean (or ``indicators[].weight``-weighted mean) of its indicators'
    scores; the CSI follows ``indicator_system.csi.weighting``:

    - ``acsi``: CSI = the SAT latent variable's score (the ACSI definition);
    - ``equal``: the mean of the latent variables except COMP (complaints run the other
      way: more complaints, less satisfaction);
    - ``custom``: ``sum_k w_k LV_k`` with ``latent_variables[].weight`` normalised to 1;
      a weighted COMP enters as ``100 - COMP``.

    So every parent in the table equals the (weighted) mean of its children shown there.
    Per-respondent scores (``.respondents``, for segments and tiers) use the same
    weights over the children the respondent has (weights renormalised over the answered
    ones); their mean equals the aggregate score when nothing is missing, and can differ
    slightly when answers are missing.

    Reference: Fornell et al. (1996), The American Customer Satisfaction Index, J.
    Marketing 60(4), for the 0-100 index; the PLS-weighted index is ``pls.csi_index``.

    Example
    -------
    >>> r = rollup(item_positions(survey, params), params)   # doctest: +SKIP
    >>> r.csi, r.weighting                                   # doctest: +SKIP
    """
    lang = _lang(params, lang)
    tree = _tree(params)
    item_ids = _item_ids(tree)
    pos = _numeric_frame(positions, item_ids, "rollup(positions)")
    bad = [q for q in item_ids if ((pos[q] < 0) | (pos[q] > 100)).any()]
    if bad:
        raise CSIInputError(f"rollup(positions): item(s) {', '.join(bad)} have values outside "
                            "0-100; pass positions (scales.position), not the 1..points answers")

    rows: list[dict] = []
    resp: dict[str, np.ndarray] = {}
    item_score = pos.mean(axis=0)
    item_n = pos.notna().sum(axis=0)
    ind_score: dict[str, float] = {}
    lv_inds: dict[str, list[dict]] = {}
    for ind in tree.indicators:
        lv_inds.setdefault(ind["lv"], []).append(ind)
    empty_lvs = [lv["id"] for lv in tree.lvs if lv["id"] not in lv_inds]
    if empty_lvs:
        warnings.warn(f"latent variable(s) {', '.join(empty_lvs)} have no indicators in "
                      "indicator_system.indicators and are left out of the roll-up", CSIWarning,
                      stacklevel=2)

    for i, ind in enumerate(tree.indicators):
        children = [tree.items[q] for q in ind["items"]]
        w = _weights(children, f"indicator_system.items (weights of the items of indicator {ind['id']})")
        for q, wq in zip(ind["items"], w / w.sum()):
            rows.append({"level": "item", "id": q, "parent": ind["id"],
                         "name": _name(tree.items[q], lang, "text"), "weight": wq,
                         "score": float(item_score[q]), "n": int(item_n[q])})
        scores = item_score[ind["items"]].to_numpy(dtype=float)
        if np.isnan(scores).any():
            warnings.warn(f"indicator {ind['id']}: item(s) "
                          f"{', '.join(q for q, s in zip(ind['items'], scores) if np.isnan(s))} "
                          "have no answers; the indicator is scored from its other items",
                          CSIWarning, stacklevel=2)
        ind_score[ind["id"]] = float(_weighted_mean(scores[None, :], w)[0])
        resp[ind["id"]] = _weighted_mean(pos[ind["items"]].to_numpy(), w)

    lv_score: dict[str, float] = {}
    lv_rows = []
    for lv in tree.lvs:
        if lv["id"] not in lv_inds:
            continue
        inds = lv_inds[lv["id"]]
        w = _weights(inds, f"indicator_system.indicators (weights of the indicators of {lv['id']})")
        for ind, wi in zip(inds, w / w.sum()):
            rows.append({"level": "indicator", "id": ind["id"], "parent": lv["id"],
                         "name": _name(ind, lang), "weight": wi, "score": ind_score[ind["id"]],
                         "n": int(np.sum(~np.isnan(resp[ind["id"]])))})
        lv_score[lv["id"]] = float(_weighted_mean(np.array([[ind_score[d["id"]] for d in inds]]), w)[0])
        resp[lv["id"]] = _weighted_mean(np.column_stack([resp[d["id"]] for d in inds]), w)
        lv_rows.append(lv)

    lv_ids = [lv["id"] for lv in lv_rows]
    weighting, cw, description = _csi_weights(tree, params, lv_ids)
    for lv in lv_rows:
        rows.append({"level": "latent_variable", "id": lv["id"], "parent": "CSI",
                     "name": _name(lv, lang), "weight": cw.get(lv["id"], 0.0) / sum(cw.values()),
                     "score": lv_score[lv["id"]], "n": int(np.sum(~np.isnan(resp[lv["id"]])))})

    def oriented(lv_id, x):
        return 100.0 - x if (lv_id == COMPLAINTS_LV and weighting == "custom") else x

    ws = np.array(list(cw.values()))
    csi = float(_weighted_mean(np.array([[oriented(k, lv_score[k]) for k in cw]]), ws)[0])
    resp["CSI"] = _weighted_mean(np.column_stack([oriented(k, resp[k]) for k in cw]), ws)
    n = int(np.sum(~np.isnan(resp["CSI"])))
    csi_name = _name(_system(params).get("csi") or {"name": _TEXT[lang]["csi"]}, lang)
    if csi_name == "None":
        csi_name = _TEXT[lang]["csi"]
    rows.append({"level": "csi", "id": "CSI", "parent": "", "name": csi_name, "weight": 1.0,
                 "score": csi, "n": n})

    order = {"csi": 0, "latent_variable": 1, "indicator": 2, "item": 3}
    table = pd.DataFrame(rows)
    table["_o"] = table["level"].map(order)
    table = (table.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True))
    table["weighting"] = weighting
    respondents = pd.DataFrame(resp, index=pos.index)
    return Rollup(table=table, respondents=respondents, positions=pos, weighting=weighting,
                  description=description, csi=csi, n=n, lang=lang)


def respondent_scores(result: Rollup, survey: pd.DataFrame, params: Mapping) -> pd.DataFrame:
    """Per-respondent indicator, LV and CSI scores beside the respondent's ids and segments.

    Columns: ``sources.survey.id_column`` and ``customer_id_column`` (when present in the
    survey), the segment columns (``sources.survey.segments``), then the scores of
    ``result.respondents``. Rows align on the index, so pass the survey the positions came
    from. Notebook 03 saves this as the artefact ``respondent_scores`` for notebook 05.
    """
    spec = ((params.get("sources") or {}).get("survey") or {})
    cols = [spec.get("id_column"), spec.get("customer_id_column"), *(spec.get("segments") or [])]
    cols = [c for c in dict.fromkeys(cols) if c and c in survey.columns]
    _aligned(result.respondents, survey, "respondent_scores")
    return pd.concat([survey.loc[result.respondents.index, cols], result.respondents], axis=1)


def _aligned(scores: pd.DataFrame, survey: pd.DataFrame, where: str) -> None:
    missing = scores.index.difference(survey.index)
    if len(missing):
        raise CSIInputError(f"{where}: {len(missing)} score row(s) (e.g. index {missing[0]!r}) are not "
                            "rows of the survey; pass the survey the positions were computed from, "
                            "with its index unchanged")


def scores_figure(result: Rollup, params: Mapping, lang: str | None = None):
    """The tree's scores as bars: each latent variable (dark) above its indicators (light),
    with the CSI as a dashed line. Returns a ``matplotlib.figure.Figure``.
    """
    import matplotlib.pyplot as plt

    from .. import plotting

    plotting.setup()
    lang = _lang(params, lang)
    tree = _tree(params)
    lv_t, ind_t = result.latent_variables, result.indicators
    labels, scores, colours, bold = [], [], [], []
    for lv in tree.lvs:
        if lv["id"] not in lv_t.index:
            continue
        labels.append(f"{lv['id']}  {_name(lv, lang)}")
        scores.append(float(lv_t.loc[lv["id"], "score"]))
        colours.append(plotting.PALETTE["primary"])
        bold.append(True)
        for ind in tree.indicators:
            if ind["lv"] == lv["id"]:
                labels.append(f"{ind['id']}  {_name(ind, lang)}")
                scores.append(float(ind_t.loc[ind["id"], "score"]))
                colours.append("#8fb3d9")
                bold.append(False)
    y = np.arange(len(labels))[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.28 * len(labels) + 1.4))
    ax.barh(y, scores, color=colours, height=0.75)
    for yi, sc, b in zip(y, scores, bold):
        inside = sc >= 12
        ax.text(sc - 1 if inside else sc + 1, yi, f"{sc:.1f}", va="center", ha="right" if inside else "left",
                fontsize=8, color=("white" if b else "black") if inside else "black")
    ax.set_yticks(y, labels, fontsize=9)
    for tick, b in zip(ax.get_yticklabels(), bold):
        tick.set_fontweight("bold" if b else "normal")
    ax.axvline(result.csi, color=plotting.PALETTE["accent"], ls="--", lw=1.2,
               label=f"{_measure_name('CSI', params, lang)} {result.csi:.1f} ({result.weighting})")
    ax.set_xlim(0, 105)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(_TEXT[lang]["score"])
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(_TEXT[lang]["tree_title"], loc="left")
    fig.tight_layout()
    return fig
