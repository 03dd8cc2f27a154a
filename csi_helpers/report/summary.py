"""The report's first pages: the cover and the one-page executive summary, from the run's tables.

Nothing here is computed anew: :func:`facts` reads the tables the notebooks saved
(``tables/*.csv``) and picks what a reviewer asks first:

* **the CSI** with its 95% bootstrap CI (``04_csi``; the weighted roll-up of ``03_scores_tree``
  when the model step did not run); with an earlier wave, the change of the roll-up CSI
  since it and its Welch test (``06_change``, ``06_waves`` of the tracking chapter);
* **the latent variables' scores** on 0-100 (the roll-up of ``03_scores_tree``, else the
  drivers' performance in ``04_ipma``);
* **the three drivers to improve first**: indicators of the importance-performance analysis
  (``03_importance_performance``) ranked by improvement potential, importance x (100 -
  performance), the reading of IPMA (Ringle & Sarstedt 2016): high importance, low
  performance first;
* **where the client trails its competitors**: items whose difference is negative at
  p < .05 (``03_against_competitors``);
* **a verdict on trust**: usable responses, reliability (composite reliability >= .70 and
  AVE >= .50 per latent variable, Hair et al. 2019) and CFA fit (CFI >= .95, RMSEA <= .06,
  SRMR <= .08, Hu & Bentler 1999);
* **the customer tiers** (``05_rule_abc_summary`` or ``05_abc_summary``) with their share of
  customers and revenue and the contact each tier gets (``05_action_table``).

A part whose table is absent (a survey-only client, a step that failed) says so instead.

Example
-------
>>> f = facts("outputs/demo/20261201-231744-6728")      # doctest: +SKIP
>>> f["csi"]["index"], f["drivers"][0]["name"]          # doctest: +SKIP
(74.13, 'After-sales service')
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..params.readers import _text
from .tables import format_p
from .vocabulary import step_title, value, word

__all__ = ["facts", "cover_html", "summary_html", "quality_log_html"]

_T = {
    "csi_head": ("Customer satisfaction index", "顾客满意度指数"),
    "ci": ("95% confidence interval {lo:.1f} – {hi:.1f}", "95% 置信区间 {lo:.1f} – {hi:.1f}"),
    "no_ci": ("no confidence interval (bootstrap off)", "无置信区间（未做自助法）"),
    "rollup": ("weighted roll-up of the indicator system (the model step did not run)",
               "指标体系加权汇总（模型步骤未运行）"),
    "change": ("{sign}{d:.1f} points since {wave} ({prev:.1f})", "较 {wave}（{prev:.1f}）{sign}{d:.1f} 分"),
    "sig": ("a real change, p {p}", "变化显著，p {p}"),
    "not_sig": ("within sampling error, p {p}", "在抽样误差范围内，p {p}"),
    "no_csi": ("The CSI was not computed: the scoring steps did not complete.",
               "未计算顾客满意度指数：评分步骤未完成。"),
    "lv_head": ("Scores of the latent variables (0-100, indicator-system roll-up)",
                "各潜变量得分（0-100，按指标体系汇总）"),
    "drivers_head": ("Improve first", "优先改进"),
    "drivers_intro": ("The indicators with the most to gain: high importance for satisfaction, "
                      "low performance.", "对满意度最重要而绩效偏低、改进空间最大的指标。"),
    "driver": ("{name} ({lv}): performance {perf:.1f}, importance {imp:.2f}",
               "{name}（{lv}）：绩效 {perf:.1f}，重要性 {imp:.2f}"),
    "no_drivers": ("No importance-performance analysis in this run.", "本次运行无重要性-绩效分析。"),
    "rivals_head": ("Against competitors", "与竞争对手比较"),
    "trails": ("trails {rival} on “{item}” by {d:.1f} points (p {p})",
               "在“{item}”上落后于{rival} {d:.1f} 分（p {p}）"),
    "leads": ("leads {rival} on “{item}” by {d:.1f} points (p {p})",
              "在“{item}”上领先{rival} {d:.1f} 分（p {p}）"),
    "no_gap": ("No significant gap to a competitor (p < .05) on the items rated for both.",
               "在双方均被评价的题目上，与竞争对手无显著差距（p < .05）。"),
    "no_rivals": ("No competitor was rated in this survey.", "本次问卷未评价竞争对手。"),
    "trust_head": ("Can the numbers be trusted?", "结果是否可信？"),
    "data": ("Data: {usable:,} usable responses of {started:,} started ({share:.0%}).",
             "数据：{started:,} 份开始作答的问卷中有效 {usable:,} 份（{share:.0%}）。"),
    "reliab": ("Reliability: {ok} of {n} latent variables with composite reliability ≥ .70; "
               "{ave} of {n} with AVE ≥ .50.",
               "信度：{n} 个潜变量中 {ok} 个组合信度 ≥ .70；{ave} 个 AVE ≥ .50。"),
    "fit": ("Model fit: CFI {cfi:.3f}, RMSEA {rmsea:.3f}, SRMR {srmr:.3f}: {verdict}.",
            "模型拟合：CFI {cfi:.3f}，RMSEA {rmsea:.3f}，SRMR {srmr:.3f}：{verdict}。"),
    "fit_good": ("good (CFI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08)", "良好（CFI ≥ .95，RMSEA ≤ .06，SRMR ≤ .08）"),
    "fit_fair": ("acceptable (CFI ≥ .90, RMSEA ≤ .08, SRMR ≤ .10)", "可接受（CFI ≥ .90，RMSEA ≤ .08，SRMR ≤ .10）"),
    "fit_poor": ("poor: read the model with care", "较差：解读模型需谨慎"),
    "no_fit": ("Model fit: not estimated in this run.", "模型拟合：本次运行未估计。"),
    "tiers_head": ("Customer tiers", "客户分层"),
    "tier": ("Tier {tier}: {cust:.1%} of customers, {rev:.1%} of revenue", "{tier} 类：客户占 {cust:.1%}，收入占 {rev:.1%}"),
    "tier_gets": ("; {contact}", "；{contact}"),
    "no_tiers": ("No CRM export: customer tiers were not computed.", "未提供 CRM 导出：未计算客户分层。"),
    "crm_only": ("This engagement works from the CRM export alone: there is no survey, so no "
                 "satisfaction index, drivers or model; the customer chapter below is the "
                 "whole analysis.",
                 "本次项目仅依据 CRM 导出数据：没有问卷，因此没有满意度指数、驱动因素与模型；以下客户"
                 "分析即全部内容。"),
    "clv": ("Customer lifetime value over the next {months} months: {total:,.0f} in all, "
            "{top:.0%} of it from tier A of the revenue ranking ({customers:,} customers).",
            "未来 {months} 个月的客户终生价值合计 {total:,.0f}，其中 {top:.0%} 来自收入排名的 A 类客户"
            "（共 {customers:,} 位客户）。"),
    "declining": ("Lifecycle: {share:.0%} of the customers who bought are declining (no purchase "
                  "or falling sales in the last period); they hold {revenue:.0%} of revenue.",
                  "生命周期：已购买客户中 {share:.0%} 处于衰退期（最近一期未购买或销售额下降），"
                  "其收入占比 {revenue:.0%}。"),
    "industry": ("Industry", "行业"),
    "status_head": ("Steps", "各步骤状态"),
    "finished": ("Finished", "完成时间"),
    "not_finished": ("not finished", "未完成"),
    "notes_head": ("What the analysis worked around", "分析中的处理记录"),
    "notes_intro": ("Each step's notes, as the run recorded them (technical messages, in "
                    "English).", "各步骤在运行中记录的说明（技术信息，保留英文原文）。"),
    "no_notes": ("The run recorded no notes.", "本次运行无记录。"),
}


def _t(key: str, lang: str, **fields) -> str:
    en, zh = _T[key]
    return (zh if lang == "zh" else en).format(**fields)


def _read(run_dir: Path, stem: str) -> pd.DataFrame | None:
    path = Path(run_dir) / "tables" / f"{stem}.csv"
    if not path.exists():
        return None
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except (ValueError, OSError):
        return None


def _labels(p: dict, lang: str) -> dict[str, str]:
    """Names of the params' codes; a partial params record (a run that crashed early)
    keeps its codes."""
    from .. import params as params_mod

    try:
        return params_mod.labels(p, lang)
    except Exception:  # noqa: BLE001 - the summary still renders, with codes
        return {}


def facts(run_dir: str | Path, manifest: dict | None = None) -> dict:
    """What the executive summary says, as plain data (see the module docstring)."""
    run_dir = Path(run_dir)
    if manifest is None:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    p = manifest.get("params") or {}
    lang = (p.get("client") or {}).get("language", "en")
    labels = _labels(p, lang)
    out: dict = {"lang": lang}

    csi = _read(run_dir, "04_csi")
    tree = _read(run_dir, "03_scores_tree")
    if csi is not None and len(csi):
        row = csi.iloc[0]
        out["csi"] = {"index": float(row["index"]), "source": "model",
                      "ci_low": _num(row.get("ci_low")), "ci_high": _num(row.get("ci_high"))}
    elif tree is not None and (tree["level"] == "csi").any():
        out["csi"] = {"index": float(tree.loc[tree["level"] == "csi", "score"].iloc[0]),
                      "source": "rollup", "ci_low": None, "ci_high": None}

    change = _read(run_dir, "06_change")
    waves = _read(run_dir, "06_waves")
    if out.get("csi") and change is not None and waves is not None and len(waves) >= 2:
        row = change.set_index(change.columns[0]).loc["CSI"] if "CSI" in set(change.iloc[:, 0]) else None
        if row is not None:
            out["csi"]["previous"] = {"wave": str(waves["wave"].iloc[-2]),
                                      "csi": float(row["previous"]),
                                      "difference": float(row["difference"]),
                                      "p": float(row["p_value"])}
    # every latent variable's score from the roll-up of step 03 (the scores its chapter
    # shows); without it, the model's IPMA performance of the drivers
    ipma = _read(run_dir, "04_ipma")
    lvs = []
    if tree is not None and (tree["level"] == "latent_variable").any():
        rows = tree[tree["level"] == "latent_variable"]
        lvs = [{"id": r["id"], "name": labels.get(r["id"], r["name"]), "score": float(r["score"])}
               for _, r in rows.iterrows()]
    elif ipma is not None and "performance" in ipma:
        if "level" in ipma:
            ipma = ipma[ipma["level"] == "lv"]
        lvs = [{"id": r["block"], "name": labels.get(r["block"], r["block"]),
                "score": float(r["performance"])} for _, r in ipma.iterrows()]
    out["lvs"] = lvs

    ipa = _read(run_dir, "03_importance_performance")
    if ipa is not None and len(ipa):
        ipa = ipa.assign(potential=ipa["importance"] * (100 - ipa["performance"]))
        top = ipa.sort_values("potential", ascending=False).head(3)
        out["drivers"] = [{"id": r["indicator"], "name": labels.get(r["indicator"], r["name"]),
                           "lv": labels.get(r["lv"], r["lv"]), "performance": float(r["performance"]),
                           "importance": float(r["importance"])} for _, r in top.iterrows()]

    versus = _read(run_dir, "03_against_competitors")
    if versus is not None:
        sig = versus[(versus["p_value"] < 0.05)].sort_values("difference")
        out["rivals"] = [{"rival": r["competitor_name"],
                          "item": labels.get(r["item"], r.get("item_name", r["item"])),
                          "difference": float(r["difference"]), "p": float(r["p_value"])}
                         for _, r in sig.iterrows()]

    out["trust"] = _trust(run_dir)
    out["tiers"] = _tiers(run_dir)
    # a run whose survey steps were not applicable (no sources.survey): a CRM-only summary
    out["survey"] = not any(nb.get("status") == "not_applicable" and "survey" in
                            (nb.get("left_out") or []) for nb in manifest.get("notebooks", []))
    out["clv"] = _clv(run_dir, p)
    out["lifecycle"] = _declining(run_dir)
    return out


def _clv(run_dir: Path, p: dict) -> dict | None:
    """Total CLV over the horizon and tier A's share of it (05_clv_by_abc)."""
    by_abc = _read(run_dir, "05_clv_by_abc")
    if by_abc is None or not len(by_abc) or "clv_total" not in by_abc:
        return None
    total = float(by_abc["clv_total"].sum())
    top = by_abc.loc[by_abc["tier"].astype(str) == "A", "clv_total"].sum()
    months = ((p.get("tiering") or {}).get("clv") or {}).get("horizon_months", 12)
    return {"total": total, "top": float(top) / total if total else 0.0,
            "customers": int(by_abc["customers"].sum()), "months": int(months)}


def _declining(run_dir: Path) -> dict | None:
    """Declining customers' share of the buyers and of revenue (05_lifecycle_strategy)."""
    table = _read(run_dir, "05_lifecycle_strategy")
    if table is None or "stage" not in table:
        return None
    buyers = table[table["stage"].astype(str) != "none"]
    n = buyers["customers"].sum()
    if not n:
        return None
    decline = buyers[buyers["stage"].astype(str) == "decline"]
    return {"share": float(decline["customers"].sum() / n),
            "revenue": float(decline["revenue_share"].sum()) if "revenue_share" in decline else 0.0}


def _num(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _trust(run_dir: Path) -> dict:
    trust: dict = {}
    field = _read(run_dir, "02_fieldwork_summary")
    log = _read(run_dir, "02_cleaning_log")
    if field is not None:
        values = field.set_index("measure")["value"]
        started = _num(values.get("responses started"))
        usable = (_num(log["rows_remaining"].iloc[-1]) if log is not None and len(log) else
                  _num(values.get("complete")))
        if started and usable is not None:
            trust["data"] = {"started": int(started), "usable": int(usable)}
    rv = _read(run_dir, "04_reliability_validity")
    if rv is not None and len(rv):
        multi = rv[pd.to_numeric(rv["items"], errors="coerce").fillna(0) > 1]
        trust["reliability"] = {"n": len(multi), "cr_ok": int((multi["cr"] >= 0.70).sum()),
                                "ave_ok": int((multi["ave"] >= 0.50).sum())}
    fit = _read(run_dir, "04_cfa_fit")
    if fit is not None:
        v = fit.set_index("measure")["value"]
        cfi, rmsea, srmr = (_num(v.get(k)) for k in ("cfi", "rmsea", "srmr"))
        if None not in (cfi, rmsea, srmr):
            level = ("good" if cfi >= .95 and rmsea <= .06 and srmr <= .08 else
                     "fair" if cfi >= .90 and rmsea <= .08 and srmr <= .10 else "poor")
            trust["fit"] = {"cfi": cfi, "rmsea": rmsea, "srmr": srmr, "level": level}
    return trust


def _tiers(run_dir: Path) -> list[dict] | None:
    summary = _read(run_dir, "05_rule_abc_summary")
    if summary is None:
        summary = _read(run_dir, "05_abc_summary")
    if summary is None:
        return None
    actions = _read(run_dir, "05_action_table")
    out = []
    for _, r in summary.iterrows():
        contact = None
        if actions is not None and "contact" in actions:
            mine = actions[actions["tier"] == r["tier"]]
            if len(mine):
                contact = mine.groupby("contact")["customers"].sum().idxmax()
        out.append({"tier": r["tier"], "customer_share": float(r["customer_share"]),
                    "revenue_share": float(r["revenue_share"]), "contact": contact})
    return out


# ----------------------------------------------------------------------------- rendering

def cover_html(run_dir: str | Path, manifest: dict, lang: str) -> str:
    """The cover: client, industry, wave, date, run id and the status of each step."""
    p = manifest.get("params") or {}
    client = p.get("client") or {}
    finished = (manifest.get("finished") or "")[:10] or _t("not_finished", lang)
    rows = [(word("client", lang), client.get("name") or manifest.get("client", "")),
            (_t("industry", lang), _text(client.get("industry"), lang) or "—"),
            (word("wave", lang), client.get("wave") or "—"),
            (word("date", lang), finished),
            (word("run", lang), manifest.get("run_id") or "")]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td class=\"csi-data\">{html.escape(str(v))}</td></tr>"
                    for k, v in rows)
    steps = "".join(
        f'<li><span class="csi-step">{html.escape(step_title(nb["name"][:2], lang))}</span> '
        f'<span class="csi-status-{html.escape(nb.get("status", ""))}">'
        f'{html.escape(word(nb.get("status", "pending"), lang) if nb.get("status") in ("ok", "failed", "skipped", "pending", "running", "not_applicable") else nb.get("status", ""))}</span></li>'
        for nb in manifest.get("notebooks", []))
    return (f'<section class="csi-cover"><p class="csi-cover-kicker">{html.escape(word("report_title", lang))}</p>'
            f'<h1 class="csi-cover-title csi-data">{html.escape(client.get("name") or "")}</h1>'
            f'<table class="csi-cover-facts">{table}</table>'
            f'<h2 class="csi-cover-steps">{_t("status_head", lang)}</h2><ul class="csi-steps">{steps}</ul>'
            f'<p class="csi-trace">{html.escape(word("trace", lang))}</p></section>')


def summary_html(run_dir: str | Path, manifest: dict, lang: str) -> str:
    """The one-page executive summary (see the module docstring)."""
    f = facts(run_dir, manifest)
    parts = [f'<section class="csi-summary"><h1 id="summary">{word("summary", lang)}</h1>']
    csi = f.get("csi")
    if not f.get("survey"):
        parts.append(f'<p>{_t("crm_only", lang)}</p>')
    elif csi:
        ci = (_t("ci", lang, lo=csi["ci_low"], hi=csi["ci_high"]) if csi.get("ci_low") is not None
              else _t("rollup", lang) if csi["source"] == "rollup" else _t("no_ci", lang))
        change = ""
        prev = csi.get("previous")
        if prev:
            d = prev.get("difference", csi["index"] - prev["csi"])
            sig = _t("sig" if prev.get("p", 1) < 0.05 else "not_sig", lang, p=format_p(prev.get("p", 1)))
            change = (f'<div class="csi-kpi-change">{html.escape(_t("change", lang, sign="+" if d >= 0 else "−", d=abs(d), wave=prev["wave"], prev=prev["csi"]))}'
                      f' ({html.escape(sig)})</div>')
        parts.append(f'<div class="csi-kpi"><div class="csi-kpi-label">{_t("csi_head", lang)}</div>'
                     f'<div class="csi-kpi-value">{csi["index"]:.1f}</div>'
                     f'<div class="csi-kpi-ci">{html.escape(ci)}</div>{change}</div>')
    else:
        parts.append(f'<p class="csi-warning">{_t("no_csi", lang)}</p>')
    if f.get("survey"):
        parts.extend(_survey_parts(f, lang))
    parts.extend(_customer_parts(f, lang))
    parts.append("</section>")
    return "".join(parts)


def _survey_parts(f: dict, lang: str) -> list[str]:
    """The summary's survey findings: scores, drivers, competitors, trust."""
    parts: list[str] = []
    if f.get("lvs"):
        bars = "".join(
            f'<tr><th class="csi-data">{html.escape(lv["name"])}</th><td class="csi-bar-cell">'
            f'<span class="csi-bar" style="width:{max(0.0, min(100.0, lv["score"])):.0f}%"></span></td>'
            f'<td class="csi-num">{lv["score"]:.1f}</td></tr>' for lv in f["lvs"])
        parts.append(f'<h2>{_t("lv_head", lang)}</h2><table class="csi-lv-bars">{bars}</table>')
    parts.append(f'<h2>{_t("drivers_head", lang)}</h2>')
    if f.get("drivers"):
        items = "".join(f'<li>{html.escape(_t("driver", lang, name=d["name"], lv=d["lv"], perf=d["performance"], imp=d["importance"]))}</li>'
                        for d in f["drivers"])
        parts.append(f'<p>{_t("drivers_intro", lang)}</p><ol class="csi-drivers">{items}</ol>')
    else:
        parts.append(f'<p>{_t("no_drivers", lang)}</p>')
    parts.append(f'<h2>{_t("rivals_head", lang)}</h2>')
    rivals = f.get("rivals")
    if rivals is None:
        parts.append(f'<p>{_t("no_rivals", lang)}</p>')
    elif not rivals:
        parts.append(f'<p>{_t("no_gap", lang)}</p>')
    else:
        items = "".join(
            f'<li class="{"csi-bad" if r["difference"] < 0 else "csi-good"}">'
            f'{html.escape(_t("trails" if r["difference"] < 0 else "leads", lang, rival=r["rival"], item=r["item"], d=abs(r["difference"]), p=format_p(r["p"])))}</li>'
            for r in rivals)
        parts.append(f'<ul class="csi-rivals">{items}</ul>')
    parts.append(f'<h2>{_t("trust_head", lang)}</h2><ul class="csi-trust">')
    trust = f.get("trust") or {}
    if "data" in trust:
        d = trust["data"]
        parts.append(f'<li>{html.escape(_t("data", lang, usable=d["usable"], started=d["started"], share=d["usable"] / d["started"]))}</li>')
    if "reliability" in trust:
        r = trust["reliability"]
        cls = "csi-good" if r["cr_ok"] == r["n"] else "csi-bad"
        parts.append(f'<li class="{cls}">{html.escape(_t("reliab", lang, ok=r["cr_ok"], n=r["n"], ave=r["ave_ok"]))}</li>')
    if "fit" in trust:
        t = trust["fit"]
        verdict = _t({"good": "fit_good", "fair": "fit_fair", "poor": "fit_poor"}[t["level"]], lang)
        cls = "csi-good" if t["level"] != "poor" else "csi-bad"
        parts.append(f'<li class="{cls}">{html.escape(_t("fit", lang, cfi=t["cfi"], rmsea=t["rmsea"], srmr=t["srmr"], verdict=verdict))}</li>')
    else:
        parts.append(f'<li>{_t("no_fit", lang)}</li>')
    parts.append("</ul>")
    return parts


def _customer_parts(f: dict, lang: str) -> list[str]:
    """The summary's customer findings: tiers, lifetime value, lifecycle."""
    parts = [f'<h2>{_t("tiers_head", lang)}</h2>']
    if f.get("tiers"):
        items = "".join(
            f'<li>{html.escape(_t("tier", lang, tier=value(t["tier"], lang), cust=t["customer_share"], rev=t["revenue_share"]))}'
            f'{html.escape(_t("tier_gets", lang, contact=value(t["contact"], lang)) if t.get("contact") else "")}</li>'
            for t in f["tiers"])
        parts.append(f'<ul class="csi-tiers">{items}</ul>')
    else:
        parts.append(f'<p>{_t("no_tiers", lang)}</p>')
    if f.get("clv"):
        c = f["clv"]
        parts.append(f'<p>{html.escape(_t("clv", lang, months=c["months"], total=c["total"], top=c["top"], customers=c["customers"]))}</p>')
    if f.get("lifecycle"):
        d = f["lifecycle"]
        parts.append(f'<p>{html.escape(_t("declining", lang, share=d["share"], revenue=d["revenue"]))}</p>')
    return parts


def quality_log_html(run_dir: str | Path, manifest: dict, lang: str) -> str:
    """The appendix's data-quality log: the cleaning rules applied, the fieldwork figures and
    every note the run recorded (rows left out, items dropped ...)."""
    from .tables import readable

    run_dir = Path(run_dir)
    parts = []
    for stem, columns in (("02_cleaning_log", ["rule", "parameter", "action", "rows_flagged",
                                               "rows_dropped", "rows_remaining"]),
                          ("02_fieldwork_summary", ["measure", "value"])):
        df = _read(run_dir, stem)
        if df is not None:
            shown = df[[c for c in columns if c in df.columns]]
            parts.append(readable(shown, lang, name=stem, max_rows=None).html)
    notes = [(nb["name"], n) for nb in manifest.get("notebooks", []) for n in nb.get("notes") or []]
    parts.append(f'<h3>{_t("notes_head", lang)}</h3>')
    if notes:
        parts.append(f"<p>{_t('notes_intro', lang)}</p>")
        parts.append('<ul class="csi-notes">' + "".join(
            f'<li>{html.escape(step_title(name[:2], lang))}: '
            f'<span class="csi-data" lang="en">{html.escape(str(n))}</span></li>'
            for name, n in notes) + "</ul>")
    else:
        parts.append(f'<p>{_t("no_notes", lang)}</p>')
    return "".join(parts)
