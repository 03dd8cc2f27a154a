"""Optional parts of an engagement: sections a notebook runs only when the client has the data.

A survey-only client has no CRM export; many questionnaires rate no competitor. The
notebooks mark the code cells of such a section with a tag ``needs-<part>``; before
``csi run`` executes a notebook, :func:`prepare` removes the tagged code cells whose part
is absent and puts one short note in place of the first, saying what the section would
show and what to provide to get it. The narrative stays, so a reader still learns the
step. Interactive sessions (a trainer in JupyterLab on the demo client) run every cell.

A whole notebook can need a part too: its metadata ``csi.needs`` (notebooks 02-04 and 06
need ``survey``). :func:`notebook_gaps` names what it misses; ``csi run`` then does not
execute it, marks it ``not_applicable`` in the manifest and the report says in its place
what the step would show (:func:`note`).

=================  ==========================================================
part               present when
=================  ==========================================================
``survey``         ``sources.survey`` is given (with its ``indicator_system``)
``system``         ``indicator_system`` is given (notebook 01 frames it, even before
                   any fieldwork)
``competitors``    ``framing.competitors`` lists at least one competitor
``crm``            ``sources.transactions`` is given (value, ABC, pyramid, lifecycle,
                   loyalty, RFM, CLV are computed from it)
``customers``      ``sources.customers``, the customer master, is given (the rule-based
                   ABC, tags and the contact plan need customer types and non-buyers)
``visits``         ``sources.visits`` is given
``channels``       ``sources.acquisition`` (the channel of each customer) is given
``complaints``     ``sources.complaints`` (the complaint log) is given
``ratings``        ``sources.ratings`` (the value-rating sheet) is given
``linked``         ``sources.survey.customer_id_column`` links respondents to the CRM
``waves``          an earlier wave of the client has a complete run (the runner finds
                   it: ``csi_helpers.tracking.earlier_runs``)
``demo``           the client is the generated demo (``demo:`` in the params); its
                   cells, narrative included, leave a client's report without a note
=================  ==========================================================

Example
-------
>>> missing_parts({"framing": {"competitors": []}, "sources": {"survey": {"path": "s.csv"}},
...                "indicator_system": {}})
['competitors', 'crm', 'customers', 'visits', 'channels', 'complaints', 'ratings', 'linked', 'waves', 'demo']
"""
from __future__ import annotations

from typing import Mapping

import nbformat

__all__ = ["PARTS", "missing_parts", "prepare", "notebook_gaps", "note", "TAG_PREFIX"]

TAG_PREFIX = "needs-"


def _sources(p: Mapping) -> Mapping:
    return p.get("sources") or {}


PARTS = {
    "survey": lambda p: bool(_sources(p).get("survey")),
    "system": lambda p: isinstance(p.get("indicator_system"), Mapping),
    "competitors": lambda p: bool((p.get("framing") or {}).get("competitors")),
    "crm": lambda p: bool(_sources(p).get("transactions")),
    "customers": lambda p: bool(_sources(p).get("customers")) and bool(_sources(p).get("transactions")),
    "visits": lambda p: bool(_sources(p).get("visits")),
    "channels": lambda p: bool(_sources(p).get("acquisition")),
    "complaints": lambda p: bool(_sources(p).get("complaints")),
    "ratings": lambda p: bool(_sources(p).get("ratings")),
    "linked": lambda p: bool((_sources(p).get("survey") or {}).get("customer_id_column"))
    and bool(_sources(p).get("transactions")),
    "waves": lambda p: bool((p.get("tracking") or {}).get("earlier_runs")),
    "demo": lambda p: isinstance(p.get("demo"), Mapping),
}
#: Parts whose tagged cells, markdown included, go without a note when absent: the demo's
#: "does the method recover the planted model?" sections mean nothing in a client's report.
SILENT = frozenset({"demo"})

_NOTES = {
    "survey": {
        "en": "*No survey was given (`sources.survey`), so this step is left out: this "
              "engagement works from the CRM export alone. With a questionnaire export and "
              "its indicator system (`csi new CLIENT --survey FILE` drafts both), this step "
              "would be computed from the respondents' answers.*",
        "zh": "*未提供问卷数据（`sources.survey`），本步骤从略：本次项目仅依据 CRM 导出数据。提供问卷导出"
              "及其指标体系（`csi new CLIENT --survey FILE` 可起草二者）后，本步骤将依据受访者的回答计算。*"},
    "system": {
        "en": "*No indicator system was given (`indicator_system`), so the indicator tree and "
              "its principles check are left out. Frame the system (latent variables, "
              "indicators, the survey items measuring them) before the fieldwork to get them.*",
        "zh": "*未给出指标体系（`indicator_system`），指标树及其原则检查从略。请在调研前构建指标体系"
              "（潜变量、指标及测量它们的问卷题目）。*"},
    "customers": {
        "en": "*No customer master was given (`sources.customers`), so this section, which "
              "needs each customer's type and the customers who bought nothing, is left out; "
              "the sections above are computed from the transactions alone. To get it, export "
              "the customer master (customer id, customer type; cooperation and loyalty "
              "ratings if kept).*",
        "zh": "*未提供客户主数据（`sources.customers`），本节需要各客户的类型及未购买的客户，从略；"
              "以上各节仅依据交易明细计算。如需本节，请导出客户主数据（客户编号、客户类型；如有，"
              "配合度与忠诚度评分）。*"},
    "competitors": {
        "en": "*No competitor was rated in this survey (`framing.competitors` is empty), so "
              "this section is left out. To compare, ask respondents to rate a competitor on "
              "the same items and map those columns under `framing.competitors`.*",
        "zh": "*本次问卷未请受访者评价竞争对手（`framing.competitors` 为空），本节从略。如需对比，"
              "请在问卷中让受访者就相同题目评价竞争对手，并在 `framing.competitors` 中对应这些列。*"},
    "crm": {
        "en": "*No CRM export was given (`sources.transactions`), so the customer tiering "
              "below is described but not computed. To get it, export from the CRM the "
              "transactions of the last three years (customer id, date, amount), and if you "
              "can the customer master (customer id, customer type; region, cooperation and "
              "loyalty ratings if kept); store visits are optional.*",
        "zh": "*未提供 CRM 导出（`sources.transactions`），以下客户分层只作说明、不作计算。如需计算，"
              "请从 CRM 导出近三年交易明细（客户编号、日期、金额），如有可能，另附客户主数据（客户编号、"
              "客户类型；如有，地区、配合度与忠诚度评分）；到店记录可选。*"},
    "visits": {
        "en": "*No store-visit export was given (`sources.visits`), so the Y/N visit tags and "
              "the actions built on them are left out.*",
        "zh": "*未提供到店记录（`sources.visits`），到店（Y/N）标签及据此制定的行动从略。*"},
    "channels": {
        "en": "*No acquisition-channel export was given (`sources.acquisition`: customer id "
              "and the channel that brought the customer), so the channel evaluation is left "
              "out. With it, and the channel costs (`sources.channel_costs`: channel, cost, "
              "leads), this section shows each channel's average acquisition cost, conversion "
              "and the quality of the customers it brought, and which channels to keep, drop "
              "or open.*",
        "zh": "*未提供获客渠道数据（`sources.acquisition`：客户编号及其来源渠道），渠道评估从略。"
              "提供该数据及渠道费用（`sources.channel_costs`：渠道、费用、线索数）后，本节给出各渠道的"
              "平均获客成本、转化率与客户质量，以及保留、放弃或开拓哪些渠道。*"},
    "complaints": {
        "en": "*No complaint log was given (`sources.complaints`: when each complaint came "
              "in, its category, and if kept the customer, the response and resolution times "
              "and the follow-up), so complaint handling is left out. With it this section "
              "classifies the causes, finds the issues that draw most complaints, and checks "
              "the 24-hour response standard and the follow-up.*",
        "zh": "*未提供投诉记录（`sources.complaints`：投诉时间、类别，如有，客户编号、响应与解决时间"
              "及回访情况），投诉处理从略。提供后，本节对投诉原因分类，找出投诉最多的问题，并检查"
              "24小时响应标准与回访。*"},
    "ratings": {
        "en": "*No value-rating sheet was given (`sources.ratings`: per customer and period the "
              "integrity, cooperation and dependence scores), so the five-dimension value "
              "rating is left out. With it, and the `value_rating` block of the params, this "
              "section rates each customer per period, assigns the tiers with their service "
              "standards, and shows who moved up or fell between periods.*",
        "zh": "*未提供客户价值评级表（`sources.ratings`：各客户各期的诚信度、配合度、依存度评分），"
              "五维价值评级从略。提供该表并在参数中设置 `value_rating` 后，本节按期评定客户价值、"
              "划分等级并对应服务标准，并显示两期之间的升级与降级。*"},
    "waves": {
        "en": "*This is the client's first wave with a complete run, so there is nothing to "
              "track yet and this chapter is left out. Next wave, run the client again (one "
              "more run with `client.wave` set to the new wave): this chapter then compares "
              "the two, item by item. To compare with particular runs, name their waves or "
              "run ids under `tracking.compare_with`.*",
        "zh": "*这是该客户第一个完成运行的测评期，尚无可跟踪的数据，本章从略。下一期再次运行即可"
              "（将 `client.wave` 设为新的测评期）：本章将逐题比较两期结果。如需与特定的运行比较，"
              "请在 `tracking.compare_with` 中列出其测评期或运行编号。*"},
    "linked": {
        "en": "*Respondents are not linked to CRM customers (`sources.survey.customer_id_column`), "
              "so satisfaction by tier is left out. Ask for the customer or member number in "
              "the questionnaire (with consent) to link them.*",
        "zh": "*问卷受访者未与 CRM 客户关联（`sources.survey.customer_id_column`），各层级满意度从略。"
              "如需关联，请在问卷中（经同意）收集客户编号或会员编号。*"},
}


def missing_parts(p: Mapping) -> list[str]:
    """The optional parts the params do not provide, in :data:`PARTS` order."""
    return [part for part, present in PARTS.items() if not present(p)]


def note(part: str, lang: str = "en") -> str:
    """What a section (or a step) needing ``part`` would show, and what to provide."""
    return _NOTES[part].get(lang, _NOTES[part]["en"])


def notebook_gaps(nb: nbformat.NotebookNode, p: Mapping) -> list[str]:
    """The parts a whole notebook needs (its metadata ``csi.needs``) that ``p`` lacks.

    >>> nb = nbformat.v4.new_notebook(metadata={"csi": {"needs": ["survey"]}})
    >>> notebook_gaps(nb, {"sources": {"transactions": {"path": "t.csv"}}})
    ['survey']
    """
    needs = list(((nb.get("metadata") or {}).get("csi") or {}).get("needs") or [])
    unknown = [n for n in needs if n not in PARTS]
    if unknown:
        raise ValueError(f"notebook metadata csi.needs names unknown parts {unknown}; "
                         f"use {', '.join(PARTS)}")
    absent = set(missing_parts(p))
    return [n for n in needs if n in absent]


def _needs(cell) -> list[str]:
    return [t[len(TAG_PREFIX):] for t in (cell.get("metadata", {}).get("tags") or [])
            if t.startswith(TAG_PREFIX)]


def prepare(nb: nbformat.NotebookNode, p: Mapping, lang: str = "en"
            ) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook without the code cells of absent parts (see the module docstring).

    Returns (a new notebook, the parts left out). Markdown cells stay. Each absent part
    gets its full note in place of its first removed cell; a later section (a ``## ``
    heading) that loses cells to it gets a one-line reminder naming what it needs, so no
    section of the report stands without its tables and without a word why.
    """
    absent = set(missing_parts(p))
    unknown = {n for c in nb.cells for n in _needs(c)} - set(PARTS)
    if unknown:
        raise ValueError(f"notebook cells tagged with unknown parts {sorted(unknown)}; "
                         f"use needs-{' | needs-'.join(PARTS)}")
    out = nbformat.from_dict(nb)
    cells, noted, in_section = [], [], set()
    for cell in out.cells:
        gone = [n for n in _needs(cell) if n in absent]
        if any(n in SILENT for n in gone):
            continue
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## "):
            in_section = set()
        if cell.cell_type != "code" or not gone:
            cells.append(cell)
            continue
        if "remove-cell" in (cell.metadata.get("tags") or []):
            continue                     # a check the report never shows: no note there
        reminders = []
        for part in gone:
            if part in in_section:
                continue
            in_section.add(part)
            if part not in noted:
                noted.append(part)
                cells.append(_note_cell(note(part, lang)))
            else:
                reminders.append(part)
        if reminders:
            cells.append(_note_cell(reminder(reminders, lang)))
    out.cells = cells
    return out, noted


#: The params key that provides each part (for the one-line reminders).
_KEYS = {"survey": "sources.survey", "system": "indicator_system",
         "competitors": "framing.competitors", "crm": "sources.transactions",
         "customers": "sources.customers", "visits": "sources.visits",
         "channels": "sources.acquisition", "complaints": "sources.complaints",
         "ratings": "sources.ratings", "linked": "sources.survey.customer_id_column",
         "waves": "tracking.compare_with"}


def reminder(parts: list[str], lang: str = "en") -> str:
    """The one-line note of a later section that an absent part also empties.

    >>> reminder(["customers", "visits"])
    '*This section is left out too: it needs `sources.customers` and `sources.visits` (see the note above).*'
    """
    keys = [f"`{_KEYS.get(part, part)}`" for part in parts]
    if lang == "zh":
        return f"*本节同样从略：需要 {'、'.join(keys)}（见上文说明）。*"
    joined = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
    return f"*This section is left out too: it needs {joined} (see the note above).*"


def _note_cell(text: str):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = ["optional-part-note"]
    return cell
