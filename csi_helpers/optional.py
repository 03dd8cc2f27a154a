"""Optional parts of an engagement: sections a notebook runs only when the client has the data.

A survey-only client has no CRM export; many questionnaires rate no competitor. The
notebooks mark the code cells of such a section with a tag ``needs-<part>``; before
``csi run`` executes a notebook, :func:`prepare` removes the tagged code cells whose part
is absent and puts one short note in place of the first, saying what the section would
show and what to provide to get it. The narrative stays, so a reader still learns the
step. Interactive sessions (a trainer in JupyterLab on the demo client) run every cell.

=================  ==========================================================
part               present when
=================  ==========================================================
``competitors``    ``framing.competitors`` lists at least one competitor
``crm``            ``sources.customers`` and ``sources.transactions`` are given
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
>>> missing_parts({"framing": {"competitors": []}, "sources": {"survey": {}}})
['competitors', 'crm', 'visits', 'channels', 'complaints', 'ratings', 'linked', 'waves', 'demo']
"""
from __future__ import annotations

from typing import Mapping

import nbformat

__all__ = ["PARTS", "missing_parts", "prepare", "TAG_PREFIX"]

TAG_PREFIX = "needs-"


def _sources(p: Mapping) -> Mapping:
    return p.get("sources") or {}


PARTS = {
    "competitors": lambda p: bool((p.get("framing") or {}).get("competitors")),
    "crm": lambda p: bool(_sources(p).get("customers")) and bool(_sources(p).get("transactions")),
    "visits": lambda p: bool(_sources(p).get("visits")),
    "channels": lambda p: bool(_sources(p).get("acquisition")),
    "complaints": lambda p: bool(_sources(p).get("complaints")),
    "ratings": lambda p: bool(_sources(p).get("ratings")),
    "linked": lambda p: bool((_sources(p).get("survey") or {}).get("customer_id_column"))
    and bool(_sources(p).get("customers")) and bool(_sources(p).get("transactions")),
    "waves": lambda p: bool((p.get("tracking") or {}).get("earlier_runs")),
    "demo": lambda p: isinstance(p.get("demo"), Mapping),
}
#: Parts whose tagged cells, markdown included, go without a note when absent: the demo's
#: "does the method recover the planted model?" sections mean nothing in a client's report.
SILENT = frozenset({"demo"})

_NOTES = {
    "competitors": {
        "en": "*No competitor was rated in this survey (`framing.competitors` is empty), so "
              "this section is left out. To compare, ask respondents to rate a competitor on "
              "the same items and map those columns under `framing.competitors`.*",
        "zh": "*本次问卷未请受访者评价竞争对手（`framing.competitors` 为空），本节从略。如需对比，"
              "请在问卷中让受访者就相同题目评价竞争对手，并在 `framing.competitors` 中对应这些列。*"},
    "crm": {
        "en": "*No CRM export was given (`sources.customers` and `sources.transactions`), so the "
              "customer tiering below is described but not computed. To get it, export from "
              "the CRM: the customer master (customer id, customer type; region, cooperation "
              "and loyalty ratings if kept) and the transactions of the last three years "
              "(customer id, date, amount); store visits are optional.*",
        "zh": "*未提供 CRM 导出（`sources.customers` 与 `sources.transactions`），以下客户分层只作说明、"
              "不作计算。如需计算，请从 CRM 导出：客户主数据（客户编号、客户类型；如有，地区、配合度与"
              "忠诚度评分）及近三年交易明细（客户编号、日期、金额）；到店记录可选。*"},
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


def _needs(cell) -> list[str]:
    return [t[len(TAG_PREFIX):] for t in (cell.get("metadata", {}).get("tags") or [])
            if t.startswith(TAG_PREFIX)]


def prepare(nb: nbformat.NotebookNode, p: Mapping, lang: str = "en"
            ) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook without the code cells of absent parts (see the module docstring).

    Returns (a new notebook, the parts left out). Markdown cells stay; each absent part
    gets one note, in place of its first removed cell.
    """
    absent = set(missing_parts(p))
    unknown = {n for c in nb.cells for n in _needs(c)} - set(PARTS)
    if unknown:
        raise ValueError(f"notebook cells tagged with unknown parts {sorted(unknown)}; "
                         f"use needs-{' | needs-'.join(PARTS)}")
    out = nbformat.from_dict(nb)
    cells, noted = [], []
    for cell in out.cells:
        gone = [n for n in _needs(cell) if n in absent]
        if any(n in SILENT for n in gone):
            continue
        if cell.cell_type != "code" or not gone:
            cells.append(cell)
            continue
        for part in gone:
            if part not in noted:
                noted.append(part)
                note = nbformat.v4.new_markdown_cell(_NOTES[part].get(lang, _NOTES[part]["en"]))
                note.metadata["tags"] = ["optional-part-note"]
                cells.append(note)
    out.cells = cells
    return out, noted
