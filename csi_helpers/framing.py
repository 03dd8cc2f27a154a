"""Problem framing (提出问题): the brief, the six framing questions, the indicator system.

METHOD.md §2-§4. The indicator system (顾客满意指标体系) is expanded level by level
(逐级展开) in four levels: 1. the CSI; 2. the latent variables of the ACSI/ECSI model;
3. the indicators (测评指标) of the industry; 4. the questionnaire items. Each indicator is
checked against the four principles (四大原则): important to customers, controllable by
the firm, measurable, comparable with competitors.

* :func:`brief` - context, objectives and competitors as Markdown;
* :func:`framing_questions` - the six questions of step 1 with the client's answers;
* :func:`indicator_tree` / :func:`tree_figure` - the four-level system as a table / figure;
* :func:`principles_checklist` - the four principles per indicator, failures flagged.

Reference: Fornell, C. et al. (1996), The American Customer Satisfaction Index: nature,
purpose, and findings, Journal of Marketing 60(4); ECSI Technical Committee (1998),
European Customer Satisfaction Index: foundation and structure for harmonized national
pilot projects.
"""
from __future__ import annotations

import textwrap
from typing import Mapping

import pandas as pd

from .errors import CSIInputError
from .params.readers import _text

__all__ = ["QUESTIONS", "PRINCIPLES", "LEVELS", "name", "item_texts", "brief", "framing_questions",
           "indicator_tree", "tree_figure", "principles_checklist"]

#: The six framing questions of METHOD.md §4 step 1, by their key in ``framing.questions``.
QUESTIONS = {
    "drivers": {"en": "Which factors drive satisfaction in purchase and use?",
                "zh": "哪些因素影响顾客在购买和使用中的满意度？"},
    "indicators": {"en": "Which of them can become indicators?",
                   "zh": "哪些因素可以成为测评指标？"},
    "influence": {"en": "How strongly does each influence purchase and use?",
                  "zh": "各因素对购买和使用的影响有多大？"},
    "channels": {"en": "From which channels can the data come?",
                 "zh": "数据可以从哪些渠道获得？"},
    "collection": {"en": "How should the data be collected?",
                   "zh": "应当如何采集数据？"},
    "cautions": {"en": "What must data collection watch out for?",
                 "zh": "采集数据时需要注意什么？"},
}

#: The four principles for choosing indicators (METHOD.md §3).
PRINCIPLES = {
    "important": {"en": "important to customers", "zh": "对顾客重要"},
    "controllable": {"en": "controllable", "zh": "可控"},
    "measurable": {"en": "measurable", "zh": "可测量"},
    "comparable": {"en": "comparable with competitors", "zh": "可与竞争者比较"},
}

#: The four levels of the indicator system.
LEVELS = {1: {"en": "CSI", "zh": "顾客满意度指数"},
          2: {"en": "latent variable", "zh": "潜变量"},
          3: {"en": "indicator", "zh": "测评指标"},
          4: {"en": "item", "zh": "问卷题项"}}

_LV_COLOURS = ["#1f4e79", "#2e75b6", "#548235", "#bf8f00", "#c55a11", "#7030a0",
               "#00807f", "#44546a", "#2f5597", "#833c0b"]


def name(obj, lang: str = "en", key: str = "name") -> str:
    """The label of ``obj`` in ``lang``: ``obj[key]`` may be a string or ``{en:, zh:}``.

    Falls back to English, then to any language, then to the object's id.

    Example
    -------
    >>> name({"id": "SAT", "name": {"en": "Satisfaction", "zh": "顾客满意度"}}, "zh")
    '顾客满意度'
    """
    value = obj.get(key) if isinstance(obj, Mapping) else obj
    if isinstance(value, Mapping):
        for k in (lang, "en", *value.keys()):
            if value.get(k):
                return str(value[k])
        value = None
    if value:
        return str(value)
    return str(obj.get("id", "")) if isinstance(obj, Mapping) else ""


def item_texts(params: Mapping, lang: str = "en") -> dict[str, str]:
    """``{item id: wording}`` of ``indicator_system.items`` in ``lang`` (for figure labels).

    Example
    -------
    >>> item_texts({"indicator_system": {"items": [{"id": "Q1", "text": {"zh": "售后服务"}}]}}, "zh")
    {'Q1': '售后服务'}
    """
    items = ((params.get("indicator_system") or {}).get("items")) or []
    return {str(it["id"]): name(it, lang, key="text") for it in items}


def _tr(table: Mapping, lang: str) -> str:
    return table.get(lang) or table["en"]


def _system(params: Mapping) -> tuple[list, list, dict]:
    try:
        system = params["indicator_system"]
        lvs = list(system["latent_variables"])
        indicators = list(system["indicators"])
        items = {str(it["id"]): it for it in system.get("items") or []}
    except (KeyError, TypeError) as exc:
        raise CSIInputError(f"indicator_system: {exc} is missing; give latent_variables, "
                            "indicators and items (see params/_template.yaml)") from None
    lv_ids = {str(lv["id"]) for lv in lvs}
    for i, ind in enumerate(indicators):
        if str(ind.get("lv")) not in lv_ids:
            raise CSIInputError(f"indicator_system.indicators[{i}].lv: {ind.get('lv')!r} is "
                                f"not a latent variable ({', '.join(sorted(lv_ids))})")
        for q in ind.get("items") or []:
            if items and str(q) not in items:
                raise CSIInputError(f"indicator_system.indicators[{i}].items: {q!r} is not "
                                    "in indicator_system.items; add it there or remove it")
    return lvs, indicators, items


# --------------------------------------------------------------------------- brief
def brief(params: Mapping, lang: str = "en") -> str:
    """The engagement's brief as Markdown: client, wave, context, objectives, competitors.

    Example
    -------
    >>> print(brief({"client": {"name": "Acme", "wave": "2026-Q4"},
    ...              "framing": {"objectives": ["Measure CSI"]}}))  # doctest: +ELLIPSIS
    **Client:** Acme ...
    """
    zh = lang == "zh"
    client = params.get("client") or {}
    framing = params.get("framing") or {}
    head = [("客户" if zh else "Client", client.get("name") or client.get("id", "")),
            ("行业" if zh else "Industry", _text(client.get("industry"), lang)),
            ("调查期" if zh else "Wave", client.get("wave"))]
    colon = "：" if zh else ":"
    lines = ["  \n".join(f"**{k}{colon}** {v}" for k, v in head if v), ""]
    context = _text(framing.get("context"), lang)
    if context:
        lines += [f"**{'背景' if zh else 'Context'}{'：' if zh else '.'}** {' '.join(context.split())}",
                  ""]
    objectives = framing.get("objectives") or []
    if objectives:
        lines.append(f"**{'目标' if zh else 'Objectives'}**")
        lines += [f"{i}. {_text(o, lang)}" for i, o in enumerate(objectives, 1)] + [""]
    comps = framing.get("competitors") or []
    if comps:
        names = ", ".join(name(c, lang) for c in comps)
        lines.append(f"**{'竞争者' if zh else 'Competitors'}{'：' if zh else ':'}** {names}")
    return "\n".join(lines).strip() + "\n"


def framing_questions(params: Mapping, lang: str = "en") -> pd.DataFrame:
    """The six framing questions of METHOD.md §4 with the client's answers.

    Columns: ``step`` (1-6), ``key`` (in ``framing.questions``), ``question`` (in ``lang``),
    ``answer`` (whitespace normalised; empty if not answered), ``answered``.

    Example
    -------
    >>> t = framing_questions({"framing": {"questions": {"drivers": "price"}}})
    >>> t[["key", "answered"]].head(2).values.tolist()
    [['drivers', True], ['indicators', False]]
    """
    answers = ((params.get("framing") or {}).get("questions")) or {}
    unknown = [k for k in answers if k not in QUESTIONS]
    if unknown:
        raise CSIInputError(f"framing.questions.{unknown[0]}: not one of the six questions "
                            f"({', '.join(QUESTIONS)}); rename or remove it")
    rows = []
    for step, (key, question) in enumerate(QUESTIONS.items(), start=1):
        answer = " ".join(str(_text(answers.get(key), lang) or "").split())
        rows.append({"step": step, "key": key, "question": _tr(question, lang),
                     "answer": answer, "answered": bool(answer)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- tree
def indicator_tree(params: Mapping, lang: str = "en") -> pd.DataFrame:
    """The four-level indicator system as a tidy table, one row per node, top down.

    Columns: ``level`` (1 CSI, 2 latent variable, 3 indicator, 4 item), ``level_name``,
    ``id``, ``parent`` (id of the node above; empty for the CSI), ``name`` (in ``lang``;
    the item's wording for items), ``items`` (the survey items below the node, comma
    separated), ``n_items``, ``reverse`` (item is reverse-keyed). Latent variables and
    indicators appear in the order of the params; an item under no indicator is not shown.

    Example
    -------
    >>> p = {"indicator_system": {"csi": {"name": "CSI"},
    ...      "latent_variables": [{"id": "SAT", "name": "Satisfaction"}],
    ...      "indicators": [{"id": "I1", "lv": "SAT", "name": "Overall", "items": ["Q1"]}],
    ...      "items": [{"id": "Q1", "text": "Overall satisfaction"}]}}
    >>> indicator_tree(p)[["level", "id", "parent", "items"]].values.tolist()
    [[1, 'CSI', '', 'Q1'], [2, 'SAT', 'CSI', 'Q1'], [3, 'I1', 'SAT', 'Q1'], [4, 'Q1', 'I1', 'Q1']]
    """
    lvs, indicators, items = _system(params)
    system = params["indicator_system"]
    reverse = {str(q) for q in ((params.get("scale") or {}).get("reverse_items") or [])}
    csi_name = name(system.get("csi") or {"name": LEVELS[1]}, lang) or _tr(LEVELS[1], lang)
    by_lv = {str(lv["id"]): [ind for ind in indicators if str(ind["lv"]) == str(lv["id"])]
             for lv in lvs}
    all_items = [str(q) for ind in indicators for q in ind.get("items") or []]

    def row(level, id_, parent, label, its, rev=False):
        return {"level": level, "level_name": _tr(LEVELS[level], lang), "id": id_,
                "parent": parent, "name": label, "items": ", ".join(its), "n_items": len(its),
                "reverse": rev}

    rows = [row(1, "CSI", "", csi_name, all_items)]
    for lv in lvs:
        lv_id = str(lv["id"])
        lv_items = [str(q) for ind in by_lv[lv_id] for q in ind.get("items") or []]
        rows.append(row(2, lv_id, "CSI", name(lv, lang), lv_items))
        for ind in by_lv[lv_id]:
            its = [str(q) for q in ind.get("items") or []]
            rows.append(row(3, str(ind["id"]), lv_id, name(ind, lang), its))
            for q in its:
                text = name(items[q], lang, key="text") if q in items else q
                rows.append(row(4, q, str(ind["id"]), text, [q], q in reverse))
    return pd.DataFrame(rows)


def tree_figure(params: Mapping, lang: str = "en", checklist: pd.DataFrame | None = None,
                title: str | None = None):
    """The four-level indicator system drawn as a tree, CSI on the left, items on the right.

    Boxes are coloured by latent variable; an indicator failing one of the four principles
    (from :func:`principles_checklist`) has a dashed red border; reverse-keyed items are
    marked (R). Call ``plotting.setup()`` first so Chinese names render.

    Example
    -------
    >>> fig = tree_figure(params, "zh")   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from . import plotting

    plotting.setup()
    tree = indicator_tree(params, lang)
    if checklist is None:
        checklist = principles_checklist(params, lang)
    failing = set(checklist.loc[~checklist["passes"], "indicator"])
    zh = lang == "zh"
    leaves = tree[tree["level"] == 4]
    n_leaves = max(len(leaves), 1)
    height = max(5.0, 0.34 * n_leaves + 1.4)
    fig, ax = plt.subplots(figsize=(13, height))
    xs = {1: 0.0, 2: 1.45, 3: 3.05, 4: 4.55}
    width = {1: 12 if zh else 16, 2: 8 if zh else 18, 3: 9 if zh else 22}
    y: dict[tuple[int, str], float] = {}
    for i, (_, leaf) in enumerate(leaves.iterrows()):
        y[(4, leaf["id"] + "@" + leaf["parent"])] = -float(i)
    # parents sit at the mean height of their children, bottom-up
    children: dict[tuple[int, str], list[float]] = {}
    for _, node in tree[tree["level"] == 4].iterrows():
        children.setdefault((3, node["parent"]), []).append(y[(4, node["id"] + "@" + node["parent"])])
    for level in (3, 2):
        for _, node in tree[tree["level"] == level].iterrows():
            key = (level, node["id"])
            ys = children.get(key, [])
            y[key] = sum(ys) / len(ys) if ys else (min(y.values(), default=0) - 1)
            if level > 1:
                children.setdefault((level - 1, node["parent"]), []).append(y[key])
    y[(1, "CSI")] = sum(children.get((1, "CSI"), [0.0])) / max(len(children.get((1, "CSI"), [])), 1)
    lv_ids = tree.loc[tree["level"] == 2, "id"].tolist()
    colour = {lv: _LV_COLOURS[i % len(_LV_COLOURS)] for i, lv in enumerate(lv_ids)}
    ind_lv = dict(zip(tree.loc[tree["level"] == 3, "id"], tree.loc[tree["level"] == 3, "parent"]))

    def elbow(x0, y0, x1, y1, c):
        xm = (x0 + x1) / 2
        ax.plot([x0, xm, xm, x1], [y0, y0, y1, y1], color=c, lw=1.0, alpha=0.6, zorder=1)

    for _, node in tree.iterrows():
        level = node["level"]
        if level == 4:
            key = (4, node["id"] + "@" + node["parent"])
            lv = ind_lv.get(node["parent"])
            elbow(xs[3], y[(3, node["parent"])], xs[4], y[key], colour.get(lv, "grey"))
            label = f"{node['id']}  {node['name']}" + ("  (R)" if node["reverse"] else "")
            ax.plot([xs[4]], [y[key]], "o", ms=4, color=colour.get(lv, "grey"), zorder=3)
            ax.text(xs[4] + 0.08, y[key], label, va="center", ha="left", fontsize=9, zorder=3)
            continue
        key = (level, node["id"])
        if level == 2:
            c = colour[node["id"]]
            elbow(xs[1], y[(1, "CSI")], xs[2], y[key], c)
        elif level == 3:
            c = colour.get(node["parent"], "grey")
            elbow(xs[2], y[(2, node["parent"])], xs[3], y[key], c)
        else:
            c = plotting.PALETTE["primary"]
        text = textwrap.fill(node["name"], width[level], break_long_words=zh)
        if level == 2:
            text = f"{text}\n({node['id']})"
        fails = level == 3 and node["id"] in failing
        box = dict(boxstyle="round,pad=0.35", lw=1.6 if fails else 0.8,
                   fc="white" if level == 3 else c, ec=plotting.PALETTE["bad"] if fails else c,
                   ls="--" if fails else "-")
        ax.text(xs[level], y[key], text + (" !" if fails else ""), ha="center", va="center",
                fontsize=11 if level == 1 else (9.5 if level == 2 else 8.5),
                color="white" if level in (1, 2) else "black",
                fontweight="bold" if level < 3 else "normal", bbox=box, zorder=4)
    for level in (1, 2, 3, 4):
        ax.text(xs[level] if level < 4 else xs[4] + 0.08, 1.0,
                f"{level}. {_tr(LEVELS[level], lang)}", ha="center" if level < 4 else "left",
                va="bottom", fontsize=10, fontweight="bold", color="#444444")
    ax.set_xlim(-0.6, 7.2)
    ax.set_ylim(-n_leaves + 0.4, 1.6)
    ax.axis("off")
    handles = [Line2D([], [], color=plotting.PALETTE["bad"], ls="--", lw=1.6,
                      label="未满足四大原则的指标（见核对表）" if zh
                      else "indicator failing a principle (see checklist)"),
               Line2D([], [], color="none", label="(R) 反向计分题" if zh
                      else "(R) reverse-keyed item")]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, -0.02), frameon=False,
              fontsize=9)
    ax.set_title(title or ("顾客满意度指标体系（四级）" if zh
                           else "The indicator system in four levels"), loc="left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- principles
def principles_checklist(params: Mapping, lang: str = "en") -> pd.DataFrame:
    """The four principles (四大原则) per indicator, with failures flagged.

    One row per indicator: ``indicator``, ``name``, ``lv``, the four principles as True /
    False (``important``, ``controllable``, ``measurable``, ``comparable``), ``passes``
    (all four true), ``failed`` (the principles not met, in ``lang``; a principle the params
    do not assess counts as failed, "not assessed") and ``note`` (the indicator's note).

    Example
    -------
    >>> p = {"indicator_system": {"latent_variables": [{"id": "LOY"}],
    ...      "indicators": [{"id": "I16", "lv": "LOY", "name": "Price tolerance",
    ...                      "principles": {"important": True, "controllable": False,
    ...                                     "measurable": True, "comparable": True}}]}}
    >>> principles_checklist(p)[["indicator", "passes", "failed"]].values.tolist()
    [['I16', False, 'controllable']]
    """
    _, indicators, _ = _system(params)
    rows = []
    for i, ind in enumerate(indicators):
        given = ind.get("principles") or {}
        unknown = [k for k in given if k not in PRINCIPLES]
        if unknown:
            raise CSIInputError(f"indicator_system.indicators[{i}].principles.{unknown[0]}: "
                                f"not a principle; use {', '.join(PRINCIPLES)}")
        row = {"indicator": str(ind["id"]), "name": name(ind, lang), "lv": str(ind["lv"])}
        failed = []
        for key, label in PRINCIPLES.items():
            value = given.get(key)
            if value is not None and not isinstance(value, bool):
                raise CSIInputError(f"indicator_system.indicators[{i}].principles.{key}: "
                                    f"{value!r}; write true or false")
            row[key] = bool(value)
            if value is None:
                failed.append(f"{_tr(label, lang)} ({'未评估' if lang == 'zh' else 'not assessed'})")
            elif not value:
                failed.append(_tr(label, lang))
        row["passes"] = not failed
        row["failed"] = ", ".join(failed)
        row["note"] = " ".join(str(_text(ind.get("note"), lang) or "").split())
        rows.append(row)
    return pd.DataFrame(rows, columns=["indicator", "name", "lv", *PRINCIPLES, "passes",
                                       "failed", "note"])
