"""Satisfaction by tier: survey respondents linked to customers, their satisfaction
(0-100) by tier with a 95% t interval; and the demo's planted-truth notes.

Reference: METHOD.md §5 (periodic satisfaction surveys per tier).
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CSIInputError, CSIWarning
from .ids import aligned
from .inputs import LABELS, _lang, _require


# ---------------------------------------------------------------------------- satisfaction
def respondent_satisfaction(survey_clean: pd.DataFrame, params: dict,
                            scores: pd.DataFrame | None = None, lv: str = "SAT",
                            id_column: str | None = None,
                            customer_id_column: str | None = None) -> pd.DataFrame:
    """Satisfaction (0-100) per respondent, with the respondent's customer id.

    If ``scores`` (notebook 03's artefact ``respondent_scores``) is given and has a column
    ``lv`` (0-100), it is used as is: its own rows when it has respondent_id and
    customer_id columns, else matched to ``survey_clean`` by respondent id (column or
    index). Otherwise the ``lv`` items of the indicator system (SAT: Q17, Q18, Q19 in the demo) are reverse-keyed
    where listed in ``scale.reverse_items`` (``scales.reverse``), positioned on 0-100
    (``scales.position``: 100 (x - 1) / (points - 1)) and averaged over the answered items
    (a respondent with none answered gets NaN).

    Returns columns respondent_id, customer_id (empty -> NA), satisfaction.
    """
    from .. import scales

    src = (params or {}).get("sources", {}).get("survey", {})
    id_col = id_column or src.get("id_column", "respondent_id")
    cid_col = customer_id_column or src.get("customer_id_column", "customer_id")
    if scores is not None and lv in getattr(scores, "columns", []) \
            and {id_col, cid_col} <= set(scores.columns):
        # notebook 03's artefact carries the ids: use its rows as they are
        cid = scores[cid_col].astype("string").str.strip().replace("", pd.NA)
        return pd.DataFrame({"respondent_id": scores[id_col].astype("string").to_numpy(),
                             "customer_id": cid.to_numpy(),
                             "satisfaction": pd.to_numeric(scores[lv], errors="coerce").to_numpy()})
    _require(survey_clean, [id_col, cid_col], "survey_clean")
    base = pd.DataFrame({
        "respondent_id": survey_clean[id_col].astype("string").to_numpy(),
        "customer_id": survey_clean[cid_col].astype("string").str.strip()
        .replace("", pd.NA).to_numpy(),
    }, index=survey_clean.index)
    if scores is not None and lv in getattr(scores, "columns", []):
        sc = scores.copy()
        if "respondent_id" in sc.columns:
            sc = sc.set_index("respondent_id")
        sc.index = sc.index.astype(str)
        sat = pd.to_numeric(sc[lv], errors="coerce")
        if sat.index.duplicated().any():
            sat = sat[~sat.index.duplicated()]
        base["satisfaction"] = sat.reindex(base["respondent_id"].astype(str)).to_numpy()
        return base.reset_index(drop=True)
    inds = params["indicator_system"]["indicators"]
    items = [it for ind in inds if ind.get("lv") == lv for it in ind.get("items", [])]
    if not items:
        raise CSIInputError(f"indicator_system.indicators: no indicator of latent variable "
                            f"{lv!r}; add its items or pass lv=")
    missing = [it for it in items if it not in survey_clean.columns]
    if missing:
        raise CSIInputError(f"survey_clean: item column(s) {missing} of {lv} missing; run "
                            "notebook 02 (cleaning) on the survey that has them")
    from ..indices import _points
    points = _points(params)
    vals = survey_clean[items].apply(pd.to_numeric, errors="coerce").astype(float)
    rev = [it for it in params["scale"].get("reverse_items", []) if it in items]
    if rev:
        vals = scales.reverse(vals, rev, points)
    pos = scales.position(vals, points)
    base["satisfaction"] = pd.DataFrame(pos).mean(axis=1, skipna=True).to_numpy()
    return base.reset_index(drop=True)


def linked_satisfaction(wb, artifact: str = "respondent_scores", lv: str = "SAT") -> pd.DataFrame:
    """Per-respondent satisfaction for notebook 05, from the best source available.

    ``wb`` is the notebook's workbook (``csi_helpers.workbook``). Uses notebook 03's
    artefact ``artifact`` when this run has it and it carries column ``lv``; otherwise
    computes the ``lv`` items' 0-100 mean from ``wb.survey_clean()`` (see
    :func:`respondent_satisfaction`). Prints which source it used.
    """
    scores = None
    if wb.has_artifact(artifact):
        scores = wb.load_artifact(artifact)
        if lv not in scores.columns:
            scores = None
    if scores is not None:
        return respondent_satisfaction(scores, wb.params, scores=scores, lv=lv)
    warnings.warn(CSIWarning(f"satisfaction by tier: the {lv} scores of step 03 were not "
                             f"found, so each respondent's {lv} is the mean of its items on "
                             "0-100"))
    return respondent_satisfaction(wb.survey_clean(), wb.params, lv=lv)


def linked_answers(wb) -> pd.DataFrame:
    """The cleaned survey (item answers as points) of the respondents linked to a customer,
    with the link as column ``customer_id`` whatever the survey calls it
    (``sources.survey.customer_id_column``); what
    :func:`~csi_helpers.customers.lifecycle.dissatisfied_items` reads."""
    column = ((wb.params.get("sources") or {}).get("survey") or {}).get("customer_id_column")
    if not column:
        raise CSIInputError("sources.survey.customer_id_column: not set, so no respondent links "
                            "to a customer; name the survey column holding the customer id")
    answers = wb.survey_clean()
    _require(answers, [column], "survey_clean")
    ids = answers[column].astype("string").str.strip().replace("", pd.NA)
    out = answers.drop(columns=[c for c in {column, "customer_id"} if c in answers.columns])
    out.insert(0, "customer_id", ids.to_numpy())
    return out.dropna(subset=["customer_id"])


def customer_satisfaction(wb, lv: str = "SAT") -> pd.Series | None:
    """Satisfaction (0-100) per customer: the mean of the linked respondents' scores
    (:func:`linked_satisfaction`), or None when the survey links no respondent to the
    CRM (``sources.survey.customer_id_column`` not set)."""
    if not ((wb.params.get("sources") or {}).get("survey") or {}).get("customer_id_column"):
        return None
    sat = linked_satisfaction(wb, lv=lv).dropna(subset=["customer_id"])
    out = sat.groupby(sat["customer_id"].astype(str))["satisfaction"].mean()
    out.index.name = "customer_id"
    return out.rename("satisfaction")

def recovery(selected: Iterable[str], planted: Iterable[str]) -> pd.Series:
    """How well a rule recovers a planted (known) group, e.g. the demo's growing customers:
    selected, planted, both, precision = both / selected, recall = both / planted."""
    sel, pl = {str(x) for x in selected}, {str(x) for x in planted}
    both = len(sel & pl)
    return pd.Series({"selected": len(sel), "planted": len(pl), "both": both,
                      "precision": both / len(sel) if sel else np.nan,
                      "recall": both / len(pl) if pl else np.nan})


def planted_note(truth: Mapping | None, topic: str, tiers=None) -> str:
    """What the demo generator planted on ``topic``, to print beside the estimate.

    ``topic``: "abc" (the generator's own ABC counts and top-20% revenue share),
    "growers" (how well rule B, given the rule-based ``tiers`` result, finds the customers
    planted as steady growers; see :func:`recovery`), "tier_effects" (the planted
    satisfaction shift by ABC tier), or "launch" (how well the early adopters found,
    ``tiers`` the table of :func:`~csi_helpers.customers.lifecycle.early_adopters`, match
    those planted). A real client (``truth`` None) gets "".
    """
    if not truth:
        return ""
    if topic == "abc":
        return (f"Planted ABC tier counts: {truth['customers']['tier_counts']}\n"
                f"Planted share of revenue from the top 20% of customers: "
                f"{truth['customers']['pareto_top20_share']:.1%}")
    if topic == "growers":
        selected = tiers.table.index[tiers.table["rule"] == "B:growth"]
        return recovery(selected, truth["customers"]["growing"]).round(3).to_string()
    if topic == "tier_effects":
        return f"Planted SAT shift by ABC tier (SD units): {truth['tier_effects']['tiers']}"
    if topic == "launch":
        launch = truth.get("launch") or {}
        found = tiers.attrs.get("customers", []) if tiers is not None else []
        return (f"Planted launch: {launch.get('category')} on {launch.get('launched')}, "
                f"{launch.get('n_early_adopters', 0)} early adopters within "
                f"{launch.get('days')} days\n"
                + recovery(found, launch.get("early_adopters", [])).round(3).to_string())
    raise CSIInputError(f"planted_note: topic {topic!r} is not one of abc, growers, "
                        "tier_effects, launch")


@dataclass(frozen=True)
class SatisfactionByTier:
    """Satisfaction by tier of respondents linked to customers."""

    table: pd.DataFrame = field(repr=False)
    respondents: int
    with_customer_id: int
    linked: int
    unknown_ids: int

    def __repr__(self) -> str:
        lines = [f"Satisfaction by tier: {self.linked} of {self.respondents} respondents linked "
                 f"to a tiered customer ({self.with_customer_id} gave a customer id, "
                 f"{self.unknown_ids} not found among customers)"]
        for tier, r in self.table.iterrows():
            lines.append(f"  {tier:<9} n={int(r['n']):>4}  mean {r['mean']:5.1f}  "
                         f"95% CI [{r['ci_low']:5.1f}, {r['ci_high']:5.1f}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{self.__repr__()}</pre>" + self.table.to_html(float_format="{:.2f}".format)


def satisfaction_by_tier(scores, survey: pd.DataFrame | None, tiers: pd.Series,
                         order: Iterable[str] | None = None, level: float = 0.95) -> SatisfactionByTier:
    """Mean satisfaction (0-100) per tier with n and a t confidence interval.

    ``scores``: per-respondent satisfaction, either the DataFrame of
    :func:`respondent_satisfaction` (respondent_id, customer_id, satisfaction; then
    ``survey`` may be None) or a Series aligned with ``survey``'s rows, whose
    ``customer_id`` links respondents to customers. ``tiers``: tier per customer_id.
    Respondents without a customer id, with an id not among the tiered customers, or
    without a score are left out; the result says how many linked.

    CI: mean ± t(1 - (1 - level)/2, n - 1) · sd / √n with the sample sd (n - 1), as
    R's ``t.test`` (not clipped to 0-100); NaN when n < 2. ``note`` flags tiers with
    n < 30 as indicative only.
    """
    if isinstance(scores, pd.DataFrame):
        _require(scores, ["customer_id", "satisfaction"], "scores")
        df = scores[["customer_id", "satisfaction"]].copy()
    else:
        if survey is None:
            raise CSIInputError("survey: needed to link a Series of scores to customers; pass "
                                "the cleaned survey (with customer_id) or respondent_satisfaction()")
        _require(survey, ["customer_id"], "survey")
        s = pd.Series(scores)
        if len(s) != len(survey):
            raise CSIInputError(f"scores: {len(s)} values for {len(survey)} survey rows; pass "
                                "one score per survey row")
        df = pd.DataFrame({"customer_id": survey["customer_id"].to_numpy(),
                           "satisfaction": pd.to_numeric(s, errors="coerce").to_numpy()})
    tr = pd.Series(tiers).copy()
    tr.index = tr.index.astype(str)
    cid = df["customer_id"].astype("string").str.strip()
    has_id = cid.notna() & (cid != "")
    cid = cid.where(has_id)
    tier = pd.Series(aligned(tr, pd.Index(cid.fillna("").astype(str))).to_numpy(),
                     index=cid.index).where(has_id)
    known = tier.notna()
    sat = pd.to_numeric(df["satisfaction"], errors="coerce")
    if ((sat < 0) | (sat > 100)).any():
        raise CSIInputError("scores: satisfaction outside 0-100; pass positioned scores "
                            "(scales.position) or respondent_satisfaction()")
    use = known & sat.notna()
    d = pd.DataFrame({"tier": tier[use].astype(str), "satisfaction": sat[use].astype(float)})
    tiers_order = list(order) if order is not None else sorted(pd.unique(tr.astype(str)))
    from scipy import stats
    rows = []
    for t in tiers_order:
        x = d.loc[d["tier"] == t, "satisfaction"]
        n = len(x)
        m = x.mean() if n else np.nan
        sd = x.std(ddof=1) if n > 1 else np.nan
        se = sd / math.sqrt(n) if n > 1 else np.nan
        q = stats.t.ppf(1 - (1 - level) / 2, n - 1) if n > 1 else np.nan
        rows.append((t, n, m, sd, se, m - q * se, m + q * se))
    table = pd.DataFrame(rows, columns=["tier", "n", "mean", "sd", "se", "ci_low", "ci_high"]
                         ).set_index("tier")
    table["note"] = np.where(table["n"] < 2, "too few to estimate",
                             np.where(table["n"] < 30, "n < 30: indicative only", ""))
    return SatisfactionByTier(table=table, respondents=int(len(df)),
                              with_customer_id=int(has_id.sum()), linked=int(use.sum()),
                              unknown_ids=int((has_id & ~known).sum()))


def satisfaction_figure(result: SatisfactionByTier, lang: str = "en", title: str | None = None):
    """Mean satisfaction by tier with 95% CI error bars and n under each bar."""
    import matplotlib.pyplot as plt

    from .. import plotting
    plotting.setup()
    lang = _lang(lang)
    t = result.table
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(t))
    err = np.vstack([t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]])
    ax.bar(x, t["mean"], color=plotting.PALETTE["primary"], alpha=0.85)
    ax.errorbar(x, t["mean"], yerr=np.nan_to_num(err), fmt="none", ecolor="#333", capsize=4)
    names = {**LABELS[lang]["abc"], **LABELS[lang]["pyramid"]}
    ax.set_xticks(x)
    ax.set_xticklabels([f"{names.get(i, i)}\nn={int(n)}" for i, n in zip(t.index, t["n"])])
    ax.set_ylim(0, 100)
    ax.set_ylabel("Satisfaction (0-100)" if lang == "en" else "满意度（0-100）")
    ax.set_title(title or ("Satisfaction by tier (95% CI)" if lang == "en"
                           else "各层级客户满意度（95%置信区间）"))
    fig.tight_layout()
    return fig
