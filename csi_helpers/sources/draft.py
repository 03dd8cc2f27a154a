"""A params draft from the client's exports: ``csi new acme --survey FILE``.

The consultant has a 问卷星 / Qualtrics / SPSS export (and perhaps the CRM export) and no
params file yet. :func:`draft` reads the exports (only reads them: nothing is copied or
changed) and writes the params a consultant would otherwise type by hand:

* ``client``: id, name (= id until edited), ``language`` (zh when the question texts are
  Chinese), ``wave: ""``;
* ``sources.survey``: path, the format detected, sheet / encoding, the platform's own id,
  duration, status and time columns (问卷星 序号 / 所用时间 / 提交答卷时间; Qualtrics
  ResponseId / ``Duration (in seconds)`` / Finished / StartDate) written out so the
  consultant sees them, or for other tables the columns whose headers name them
  (序号, respondent_id, 所用时间, duration, status, Finished, 提交答卷时间, StartDate ...);
  ``status_values`` when the status column holds other values than complete / partial,
  1 / 0, True / False, 完成 / 未完成; ``customer_id_column`` when a column holds member or
  customer numbers (会员编号, 客户编号, customer_id, ExternalReference); suggested
  ``segments`` (2-12 distinct values, not a scale question) as a comment;
* ``scales``: the answers of each question grouped into named scales. Known families,
  ordered low to high: satisfaction (非常不满意 < 不满意 < 一般 < 满意 < 非常满意, with
  比较满意 / 比较不满意 in 7-point forms, 一般 also 中立 / 普通), agreement (非常不同意 ..
  非常同意), willingness (非常不愿意 .. 非常愿意), likelihood (非常不可能 .. 非常可能),
  importance, rating (非常差 .. 非常好) and their English forms (Very dissatisfied ..
  Very satisfied, Strongly disagree .. Strongly agree, Very unlikely .. Very likely ...);
  numeric codes 1..k (``points: k``, no labels) and 0..10 (``points: 11, start: 0``);
  SPSS / Stata value labels in code order. Answers meaning "no answer" (不知道, 不适用,
  说不清, 不清楚, Don't know, N/A, SPSS user-missing codes) go to ``missing_labels``;
* ``indicator_system``: model ACSI, every question on a scale as an item ``Q01 ..`` (file
  order; ``column`` the exact header, ``text`` the question, ``scale`` its scale) and one
  indicator per ACSI latent variable with ``items: []``: assigning items to indicators is
  the consultant's decision, and ``csi validate`` lists exactly what is left;
* ``sources.customers / transactions / visits``: path, format, sheet (the best matching
  sheet of a workbook), encoding, ``columns`` (our name -> their header, from
  :func:`csi_helpers.sources.crm.match_headers`) and the ``customer_type`` values
  (代理商 -> agent, 加盟商 -> franchisee, 零售客户 -> retail; others as TODO comments);
* framing, fieldwork, analysis and tiering as ``params/_template.yaml`` has them (its text
  reused), with ``speeder_seconds`` suggested from the durations (0 without a duration
  column) and ``partials: keep`` when the export has no status column.

Contact data (IP addresses, phones, e-mails, names, card numbers ...) and free text are
never items or segments: the summary lists them as excluded.

This module ties the parts together (:func:`draft` and its result :class:`Draft`)::

    draft_scales.py   answer scales from the answers found: label families, numeric codes,
                      "no answer" words; the items and their named scales
    draft_survey.py   the survey's columns: platform / meta, customer id, contact data and
                      free text, segments, language
    draft_crm.py      the CRM exports: the sheet, their headers -> our names, customer types
    draft_yaml.py     the YAML text with its comments (params/_template.yaml reused)

Example
-------
>>> d = draft("acme", survey="data/acme/问卷星.xlsx", root=Path("."))   # doctest: +SKIP
>>> print("\\n".join(d.summary))                                       # doctest: +SKIP
survey: data/acme/问卷星.xlsx read as 问卷星 export (按选项文本), ...
>>> Path("params/acme.yaml").write_text(d.text, encoding="utf-8")     # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CSIInputError
from .draft_crm import _CRM_KINDS, _Crm, _analyse_crm, _crm_sheets
from .draft_scales import FAMILIES, NO_ANSWER, _Scale
from .draft_survey import _analyse_survey
from .draft_yaml import (ACSI_LVS, _client_lines, _crm_lines, _fieldwork_lines, _header_lines,
                         _line, _rel, _scale_lines, _set_value, _shown, _speeder, _survey_lines,
                         _system_lines, _template_blocks, _template_text)

__all__ = ["Draft", "draft", "FAMILIES", "NO_ANSWER", "ACSI_LVS"]


# =========================================================================== the result
@dataclass(frozen=True)
class Draft:
    """A params draft.

    Attributes
    ----------
    text : the YAML to write to ``params/<client>.yaml`` (with comments).
    summary : one line each, for the CLI: what was read, the items and scales found, the
        columns excluded as contact data, what is left to decide.
    items : the items drafted, ``[{id, column, text, scale}]`` in file order.
    scales : ``{name: scale}`` as written under ``scales``.
    excluded : ``{column: kind}`` of the survey's contact-data and free-text columns.
    """

    text: str
    summary: list
    items: list = field(default_factory=list)
    scales: dict = field(default_factory=dict)
    excluded: dict = field(default_factory=dict)

    @property
    def params(self) -> dict:
        """The draft parsed (what ``params.validate`` gets)."""
        return yaml.safe_load(self.text)



# =========================================================================== the draft
def _check_file(path, option: str, root: Path) -> Path:
    """The file of a ``--survey`` / ``--customers`` ... option, or a one-line error."""
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = Path.cwd() / p
    shown = _rel(p, root)
    if not p.exists():
        why = "file not found; check the path"
    elif p.is_dir():
        why = "is a folder, not a file; give the export file inside it"
    else:
        try:
            with open(p, "rb") as fh:
                fh.read(1)
            return p
        except OSError as exc:
            why = f"cannot be read ({exc.strerror}); check the file's permissions"
    raise CSIInputError(f"{option} {shown}: {why}; nothing was written")


def draft(client_id: str, survey=None, customers=None, transactions=None, visits=None,
          root: Path | str | None = None) -> Draft:
    """Draft ``params/<client_id>.yaml`` from the client's exports (only read).

    Parameters
    ----------
    client_id : the client id (``params/<id>.yaml``).
    survey : the survey export (问卷星 CSV / XLSX, Qualtrics, SPSS .sav, Stata .dta, a table).
    customers, transactions, visits : CRM exports (CSV or Excel; one workbook may hold all
        three on different sheets).
    root : the project root (the folder holding ``params/``); paths in the draft are
        relative to it when the files lie inside it, else absolute. Default: the working
        folder.

    Returns
    -------
    Draft : ``.text`` (the YAML with comments) and ``.summary`` (lines for the CLI).

    Raises
    ------
    CSIInputError : a file cannot be read (one line naming it and why).

    Example
    -------
    >>> d = draft("acme", survey="exports/wjx_text.csv", root=Path("."))   # doctest: +SKIP
    >>> d.summary[0]                                                       # doctest: +SKIP
    "survey: exports/wjx_text.csv read as 问卷星 export (按选项文本), CSV, gbk, ..."
    """
    root = Path(root) if root is not None else Path.cwd()
    given = {"survey": survey, "customers": customers, "transactions": transactions,
             "visits": visits}
    files = {k: _check_file(v, f"--{k}", root) for k, v in given.items() if v is not None}
    template = _template_text(root)
    blocks, banners = _template_blocks(template)
    summary: list[str] = []
    todo: list[str] = []

    sv = None
    if "survey" in files:
        try:
            sv = _analyse_survey(files["survey"], root)
        except CSIInputError as exc:
            raise CSIInputError(f"--survey {exc}; nothing was written") from None
    crm: dict[str, _Crm] = {}
    crm_files = {k: files[k] for k in _CRM_KINDS if k in files}
    if crm_files:
        cache: dict = {}
        try:
            sheets = _crm_sheets(crm_files, root, cache)
            for kind, path in crm_files.items():
                crm[kind] = _analyse_crm(kind, path, sheets[kind], root, cache)
        except CSIInputError as exc:
            raise CSIInputError(f"{exc}; nothing was written") from None

    # no survey but the transactions: a CRM-only engagement, without the template's
    # example survey and indicator system (they would fail csi validate: no such file)
    crm_only = sv is None and "transactions" in crm

    # ---------------------------------------------------------------- summary lines
    if sv is not None:
        e = sv.export
        summary.append(f"survey: {sv.path} read as {e.describe()}")
        m = sv.meta
        plat = ", ".join(f"{k.replace('_column', '')} {m[k]!r}" for k in
                         ("id_column", "duration_column", "status_column", "time_column")
                         if m.get(k))
        absent = [k.replace("_column", "") for k in ("id_column", "duration_column",
                                                     "status_column") if not m.get(k)]
        summary.append(f"platform columns: {plat or 'none found'}"
                       + (f"; none for {', '.join(absent)}" if absent else ""))
        if sv.items:
            scales = "; ".join(
                f"{sc.name} ({sc.points} points{'' if sc.start == 1 else f' from {sc.start}'}, "
                f"{len(sc.members)} item{'s' if len(sc.members) > 1 else ''}"
                f"{', missing ' + ', '.join(map(str, sc.missing)) if sc.missing else ''})"
                for sc in sv.scales.values())
            summary.append(f"items: {len(sv.items)} questions on a scale "
                           f"({sv.items[0]['id']}..{sv.items[-1]['id']}); scales: {scales}")
        else:
            summary.append("items: no question answered on a scale was found")
            todo.append("indicator_system.items (no scale question found)")
        if any(it.get("no_text") for it in sv.items):
            todo.append("the question texts (indicator_system.items[].text: the export has "
                        "none, the headers stand in)")
        for sc in sv.scales.values():
            if sc.note:
                summary.append(f"scale {sc.name}: {sc.note}")
        if sv.meta.get("customer_id_column"):
            summary.append(f"customer id: {sv.meta['customer_id_column']!r}")
        if sv.excluded:
            summary.append("excluded as contact data or free text (never items): " + ", ".join(
                f"{_shown(c)} ({k})" for c, k in sv.excluded.items()))
        if sv.not_items:
            summary.append("not items (answers fit no scale): " + ", ".join(
                f"{_shown(c)}" for c, _ in sv.not_items))
        if sv.segments:
            summary.append("segments suggested (commented out): " + ", ".join(
                _shown(c) for c in sv.segments))
        if sv.duration_median:
            summary.append(f"fieldwork.cleaning.speeder_seconds: {_speeder(sv)} suggested (a third "
                           f"of the median duration, {sv.duration_median:.0f} s)")
        if not sv.meta.get("status_column"):
            summary.append("fieldwork.cleaning.partials: keep (no completion status column)")
        if sv.status_values:
            todo.append("sources.survey.status_values (values other than complete / partial)")
        if any(sc.note for sc in sv.scales.values()):
            todo.append("the assumed 'no answer' codes of the numeric scales")
    elif crm_only:
        summary.append("survey: no export given: a CRM-only engagement (notebooks 02-04 and "
                       "06 not applicable); add sources.survey and its indicator system "
                       "(csi new --survey FILE drafts both) when the client runs a survey")
    else:
        summary.append("survey: no export given: sources.survey, the items and the scale are "
                       "the template's")
        todo.append("sources.survey.path and the indicator system (the template's example)")
    for kind, c in crm.items():
        cols = ", ".join(f"{k} <- {v!r}" for k, v in c.columns.items())
        where = f"{c.path}" + (f" sheet {c.sheet!r}" if c.sheet else "")
        summary.append(f"{kind}: {where} ({c.rows} row{'' if c.rows == 1 else 's'}): "
                       f"{cols or 'no header matched'}")
        if c.types_known or c.types_todo:
            summary.append("customer types: " + ", ".join(
                [f"{k} -> {v}" for k, v in c.types_known.items()]
                + [f"{t} -> TODO" for t in c.types_todo]))
        if c.excluded:
            summary.append(f"{kind}: excluded as contact data: " + ", ".join(
                f"{_shown(k)} ({v})" for k, v in c.excluded.items()))
        for k, found in c.ambiguous.items():
            todo.append(f"sources.{kind}.columns.{k} (one of {', '.join(map(repr, found))})")
        for k in c.missing:
            if k not in c.ambiguous:
                todo.append(f"sources.{kind}.columns.{k} (no header found)")
        for t in c.types_todo:
            todo.append(f"sources.customers.values.customer_type.{t}")
    left = ["assign every item to an indicator (indicator_system.indicators: one per ACSI "
            "latent variable so far, items: [])"] if sv is not None else []
    left.append("client.name")
    if sv is not None and sv.segments:
        left.append("sources.survey.segments")
    summary.append("left to decide: " + "; ".join(left + todo))

    # ---------------------------------------------------------------- the YAML text
    src_lines = [f"survey {_rel(files['survey'], root)}"] if "survey" in files else []
    src_lines += [f"{k} {_rel(files[k], root)}" for k in _CRM_KINDS if k in files]
    lines = _header_lines(client_id, src_lines)
    lang = sv.language if sv is not None else "en"
    lines += banners.get("client", []) + _client_lines(blocks, client_id, lang) + [""]
    lines += [ln.replace("CLIENT_ID", client_id) for ln in blocks.get("framing", [])] + [""]
    lines += banners.get("sources", [])
    lines.append(_line(0, "sources:", "REQUIRED: a survey, the CRM's transactions, or both. "
                                      "Files are read, never modified."))
    if sv is not None:
        lines += _survey_lines(sv)
    elif crm_only:
        lines.append(_line(2, f"# survey: {{path: data/{client_id}/survey.csv}}",
                           "not given: a CRM-only engagement; add it, with the indicator "
                           "system, when the client runs a survey"))
    else:
        lines.append(_line(2, "survey:", "TODO: the questionnaire export"))
        lines.append(_line(4, f"path: data/{client_id}/survey.csv"))
    for kind in _CRM_KINDS:
        if kind in crm:
            lines += _crm_lines(crm[kind])
        else:
            lines.append(_line(2, f"# {kind}: {{path: data/{client_id}/{kind}.csv}}",
                               "not given: add it when the client has it"))
    lines.append(_line(2, f"# notes: {{path: data/{client_id}/notes.csv}}",
                       "coded interview / focus-group notes"))
    lines.append(_line(2, f"# secondary: {{path: data/{client_id}/secondary.csv}}",
                       "secondary-data notes"))
    lines.append("")
    if not crm_only:
        lines += _fieldwork_lines(blocks.get("fieldwork", []), sv) + [""]
    lines += banners.get("indicator_system", [])
    if crm_only:
        lines += [_line(0, "# indicator_system: ...", "with a survey: csi new CLIENT --survey "
                                                     "FILE drafts it and the answer scales"),
                  ""]
    elif sv is not None:
        lines += _system_lines(sv) + [""]
        lines += _scale_lines(sv.scales) + [""]
    else:
        lines += [ln.replace("CLIENT_ID", client_id) for ln in blocks.get("indicator_system", [])] + [""]
        lines += blocks.get("scale", []) + [""]
    lines += banners.get("analysis", []) + blocks.get("analysis", []) + [""]
    lines += banners.get("tiering", []) + _tiering_lines(blocks.get("tiering", []), crm,
                                                         root, summary)
    text = "\n".join(lines) + "\n"
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:  # pragma: no cover - a bug in this module
        raise RuntimeError(f"the params draft is not valid YAML ({exc})") from exc
    return Draft(text=text, summary=summary,
                 items=[{k: v for k, v in it.items() if k != "no_text"}
                        for it in (sv.items if sv else [])],
                 scales={n: _scale_dict(sc) for n, sc in (sv.scales.items() if sv else [])},
                 excluded=dict(sv.excluded) if sv else {})


def _tiering_lines(block: list[str], crm: dict, root: Path, summary: list[str]) -> list[str]:
    """The template's tiering block; with a transactions export covering fewer than the
    three full years the B rule's default needs, ``b_consecutive_years`` lowered to fit."""
    c = crm.get("transactions")
    if c is None or "date" not in c.columns:
        return block
    from . import crm as crm_src
    from .. import tiering
    spec = {"path": str(Path(c.path) if Path(c.path).is_absolute() else root / c.path),
            "sheet": c.sheet, "columns": dict(c.columns)}
    try:
        tx = crm_src.load("transactions", spec).data
        years = tiering.yearly_sales(tx, tx["date"].max()).shape[1]
    except CSIInputError:
        return block   # csi validate names what is wrong with the file
    if years < 2:        # the lifecycle compares two periods: shorter ones that fit
        months = next((m for m in (6, 4, 3, 2, 1) if tiering.period_sales(
            tx, tx["date"].max(), months=m).shape[1] >= 2), None)
        if months is not None:
            summary.append(f"tiering.lifecycle.months: {months} (the transactions cover "
                           f"{years} full year; the lifecycle compares two periods)")
            block = _set_value(block, "months", str(months),
                               f"drafted: {months}, as the transactions cover {years} full "
                               "year(s)")
    if years >= 3:
        return block
    value = max(years - 1, 1)
    summary.append(f"tiering.rule_abc.b_consecutive_years: {value} (the transactions cover "
                   f"{years} full year{'s' if years != 1 else ''}; the B rule needs one more "
                   "than its years of growth)")
    return _set_value(block, "b_consecutive_years", str(value),
                      f"drafted: {value}, as the transactions cover {years} full year(s)")


def _scale_dict(sc: _Scale) -> dict:
    d = {"points": sc.points, "start": sc.start}
    if sc.labels:
        d["labels"] = {lang: dict(m) for lang, m in sc.labels.items()}
    d["missing_labels"] = list(sc.missing)
    return d

