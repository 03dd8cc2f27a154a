"""Writing the params draft's YAML text, with its comments.

The helpers that write YAML by hand (so the draft keeps comments and the template's
layout): scalars quoted only when needed (:func:`_q`), flow maps and lists
(:func:`_flow`), a line with an aligned comment (:func:`_line`); reading
``params/_template.yaml`` into its top-level blocks and banners and setting a value in a
block (its comment kept); and one function per section of the draft: the header, client,
sources (survey and CRM), fieldwork, indicator system and scales.

Example
-------
>>> _q("满意"), _q("yes"), _q("a: b")
('满意', '"yes"', '"a: b"')
>>> _flow({"complete": ["完成"], "partial": ["未完成"]})
'{complete: [完成], partial: [未完成]}'
>>> _line(4, "points: 5", "satisfaction labels")
'    points: 5             # satisfaction labels'
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..errors import CSIInputError

if TYPE_CHECKING:                      # the analysis results the sections are written from
    from .draft_crm import _Crm
    from .draft_scales import _Scale
    from .draft_survey import _Survey

__all__ = ["ACSI_LVS"]

ACSI_LVS = ("EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY")
_LV_NAMES = {"EXPE": ("Customer expectations", "顾客期望"), "QUAL": ("Perceived quality", "感知质量"),
             "VAL": ("Perceived value", "感知价值"), "SAT": ("Customer satisfaction", "顾客满意度"),
             "COMP": ("Customer complaints", "顾客抱怨"), "LOY": ("Customer loyalty", "顾客忠诚")}


# =========================================================================== YAML helpers
_PLAIN = re.compile(r"[\w/\u3000-\u9fff\uff00-\uffef][\w\u3000-\u9fff\uff00-\uffef .'/()&+-]*",
                    re.U)


def _q(value) -> str:
    """A YAML scalar for a flow context: plain when that reads back as the same string,
    else double-quoted (JSON strings are YAML double-quoted scalars)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    s = str(value)
    if _PLAIN.fullmatch(s) and not s.endswith(" ") and ": " not in s and " #" not in s:
        try:
            if yaml.safe_load(f"[{s}]") == [s]:
                return s
        except yaml.YAMLError:
            pass
    return json.dumps(s, ensure_ascii=False)


def _flow_map(d: dict) -> str:
    return "{" + ", ".join(f"{_q(k)}: {_flow(v)}" for k, v in d.items()) + "}"


def _flow(v) -> str:
    if isinstance(v, dict):
        return _flow_map(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _q(v)


def _line(indent: int, text: str, comment: str | None = None, col: int = 26) -> str:
    out = " " * indent + text
    if comment:
        out = out.ljust(col - 1) + " # " + _one_line(comment) if len(out) < col - 1 else \
            out + "  # " + _one_line(comment)
    return out


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _shown(value, width: int = 40) -> str:
    s = _one_line(value)
    return repr(s if len(s) <= width else s[: width - 1] + "…")


def _rel(path: Path, root: Path) -> str:
    """Relative to the project root when inside it, else absolute."""
    p = Path(path).expanduser().resolve()
    try:
        return p.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(p)


# =========================================================================== the template
def _template_text(root: Path) -> str:
    for path in (root / "params" / "_template.yaml",
                 Path(__file__).resolve().parents[2] / "params" / "_template.yaml"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise CSIInputError(f"{_rel(root / 'params' / '_template.yaml', root)}: the params "
                        "template is missing; restore it from the repository")


def _template_blocks(text: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``({top-level key: its lines}, {top-level key: the banner lines before it})``."""
    lines = text.splitlines()
    blocks: dict[str, list[str]] = {}
    banners: dict[str, list[str]] = {}
    key, pending_banner, i = None, [], 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([a-z_]+):", line)
        if line.startswith("# ====="):
            key = None
            pending_banner = lines[i:i + 3]
            i += 3
            continue
        if m:
            key = m.group(1)
            blocks[key] = [line]
            if pending_banner:
                banners[key] = pending_banner
                pending_banner = []
        elif key is not None:
            if line and not line.startswith((" ", "#")):
                key = None
            else:
                blocks[key].append(line)
        i += 1
    for k, b in blocks.items():
        while b and not b[-1].strip():
            b.pop()
    return blocks, banners


def _set_value(lines: list[str], key: str, value: str, note: str | None = None) -> list[str]:
    """Replace the value of the first ``key:`` line (comment kept, aligned); ``note`` a
    comment line put before it."""
    out, done = [], False
    for line in lines:
        m = re.match(rf"^(\s*){re.escape(key)}:(\s*)(\S+)(\s*)(#.*)?$", line)
        if m and not done:
            indent, comment = m.group(1), m.group(5)
            if note:
                out.append(f"{indent}# {note}")
            head = f"{indent}{key}: {value}"
            if comment:
                width = len(f"{indent}{key}:{m.group(2)}{m.group(3)}{m.group(4)}")
                head = head.ljust(width) if len(head) < width else head + "  "
                head += comment
            out.append(head)
            done = True
        else:
            out.append(line)
    return out



# =========================================================================== rendering
def _header_lines(client_id: str, sources: list[str]) -> list[str]:
    return [
        f"# Params of client {client_id}: a DRAFT written by `csi new {client_id}` from",
        *(f"#   {s}" for s in sources),
        "#",
        "# What was found in the exports is filled in below (formats, platform columns, the",
        "# answer scales, one item per question on a scale). What is left to decide is marked",
        "# TODO: above all the indicator system (which item measures which indicator).",
        f"# Then run `csi validate {client_id}`: it lists every problem left, one per line.",
        "# Every key is documented in params/_template.yaml; params/demo.yaml is a worked",
        "# example. The exports stay where they are: they are read, never copied or changed.",
        "",
    ]


def _client_lines(blocks: dict, client_id: str, language: str) -> list[str]:
    lines = _set_value(blocks.get("client") or ["client:", "  id: CLIENT_ID", "  name: CLIENT_ID",
                                                "  language: en", "  wave: \"\""],
                       "id", client_id)
    lines = _set_value(lines, "name", _q(client_id))
    lines = [ln.replace("CLIENT_ID", client_id) for ln in lines]
    lines = _set_value(lines, "language", language)
    return _set_value(lines, "wave", '""')


def _survey_lines(sv: _Survey) -> list[str]:
    e = sv.export
    m = sv.meta
    out = [_line(2, "survey:", f"{e.describe()}")]
    out.append(_line(4, f"path: {_q(sv.path)}"))
    names = {"wjx": "问卷星 export", "qualtrics": "Qualtrics export", "spss": "SPSS / Stata file",
             "table": "a plain table (one header row)"}
    out.append(_line(4, f"format: {e.format}", f"detected: {names[e.format]}"
                     + (f" ({'按选项文本' if e.variant == 'text' else '按选项序号'})"
                        if e.format == "wjx" else "")))
    if e.sheet is not None:
        out.append(_line(4, f"sheet: {_q(e.sheet)}", "the Excel sheet read"))
    if e.encoding:
        out.append(_line(4, f"encoding: {e.encoding}", "detected"))
    who = {"wjx": "问卷星's own", "qualtrics": "Qualtrics' own"}.get(e.format, "found by its header")
    comments = {
        "id_column": ("the response id", "no response id column found: the file line is "
                      "used as the id"),
        "duration_column": ("the interview duration", "no duration column found: no speeder check"),
        "status_column": ("complete / partial", "no completion status column found"
                          if e.format != "wjx" else "问卷星 exports only submitted answers"),
        "time_column": ("the submission / start time", "no time column found"),
    }
    for key in ("id_column", "duration_column", "status_column", "time_column"):
        col = m.get(key)
        yes, no = comments[key]
        out.append(_line(4, f"{key}: {_q(col)}", f"{yes} ({who})" if col else no))
        if key == "duration_column" and col and sv.duration_unit == "minutes":
            out.append(_line(4, "duration_unit: minutes", "the header says minutes"))
        if key == "status_column" and col and sv.status_values:
            out.append(_line(4, f"status_values: {_flow(sv.status_values)}",
                             "TODO: check: the values found are not complete / partial"))
    cid = m.get("customer_id_column")
    if cid:
        n = int(e.data[cid].notna().sum())
        out.append(_line(4, f"customer_id_column: {_q(cid)}",
                         f"links respondents to the CRM ({n} of {len(e.data)} answered)"))
    else:
        out.append(_line(4, "customer_id_column: null", "no customer / member id column found"))
    if sv.segments:
        out.append(_line(4, f"# segments: {_flow(sv.segments)}"))
        out.append(_line(4, "#   suggested: columns with 2-12 different answers that are not "
                            "scale questions;"))
        out.append(_line(4, "#   keep the ones to break scores down by and remove the '# '"))
    else:
        out.append(_line(4, "segments: []", "no column with 2-12 different answers found"))
    if sv.excluded:
        out.append(_line(4, "# Contact data and free text in the export: left out of the run, "
                            "never items"))
        out.append(_line(4, "#   (list a column under keep_columns only to keep it on purpose):"))
        for c, kind in sv.excluded.items():
            out.append(_line(4, f"#   {_q(c)}: {kind}"))
    return out


def _crm_lines(c: _Crm) -> list[str]:
    noun = {"customers": "the customer master (CRM)", "transactions": "orders / transactions",
            "visits": "store visits"}[c.kind]
    out = [_line(2, f"{c.kind}:", f"{noun}: {c.rows} row{'' if c.rows == 1 else 's'}")]
    out.append(_line(4, f"path: {_q(c.path)}"))
    out.append(_line(4, f"format: {c.format}"))
    if c.sheet is not None:
        out.append(_line(4, f"sheet: {_q(c.sheet)}", "the sheet whose headers match best"))
    if c.encoding:
        out.append(_line(4, f"encoding: {c.encoding}", "detected"))
    if c.columns:
        out.append(_line(4, "columns:", "our name: their header"))
        for ours, theirs in c.columns.items():
            out.append(_line(6, f"{ours}: {_q(theirs)}"))
    else:
        out.append(_line(4, "columns: {}", "TODO: no header matched; map our names to theirs"))
    for k, found in c.ambiguous.items():
        out.append(_line(6, f"# {k}: {_q(found[0])}", "TODO: one of " + ", ".join(
            map(_q, found)) + (" (REQUIRED)" if k in c.missing else "")))
    for k in c.missing:
        if k not in c.ambiguous:
            out.append(_line(6, f"# {k}: ???", f"TODO: REQUIRED, no header found for {k}"))
    if c.kind == "customers" and (any(k != v for k, v in c.types_known.items())
                                  or c.types_todo):
        # with no value mapped yet the block stays a comment (an empty mapping reads as null)
        on = "" if c.types_known else "# "
        out.append(_line(4, f"{on}values:", "their value: our value"))
        out.append(_line(6, f"{on}customer_type:", "agent | franchisee | retail"))
        for theirs, ours in c.types_known.items():
            out.append(_line(8, f"{_q(theirs)}: {ours}"))
        for theirs in c.types_todo:
            out.append(_line(8, f"# {_q(theirs)}: agent | franchisee | retail",
                             "TODO: choose one"))
    if c.excluded:
        out.append(_line(4, "# contact data, left out: " + ", ".join(
            f"{_q(k)} ({v})" for k, v in c.excluded.items())))
    return out


def _scale_lines(scales: dict[str, _Scale]) -> list[str]:
    out = [_line(0, "scales:", "drafted: the answer scales found in the export; each item "
                               "names its scale")]
    out.append("                          #   points 3..11; labels: answer -> value (start .. "
               "start+points-1); missing_labels:")
    out.append("                          #   answers meaning \"no answer\"; reverse: true keys "
               "every item of the scale reversed")
    for sc in scales.values():
        members = ", ".join(sc.members[:8]) + (" ..." if len(sc.members) > 8 else "")
        out.append(_line(2, f"{_q(sc.name)}:", f"{len(sc.members)} item"
                                               f"{'s' if len(sc.members) > 1 else ''}: {members}"))
        if sc.note:
            out.append(_line(4, f"# {sc.note}"))
        what = ("numeric codes: the answers are the numbers" if not sc.labels else
                "labels in code order" if sc.family is None else f"{sc.family} labels")
        out.append(_line(4, f"points: {sc.points}", what))
        if sc.start != 1:
            top = sc.start + sc.points - 1
            out.append(_line(4, f"start: {sc.start}", f"values {sc.start}..{top}"))
        if sc.labels:
            out.append(_line(4, "labels:"))
            for lang, mapping in sc.labels.items():
                ordered = dict(sorted(mapping.items(), key=lambda kv: kv[1]))
                out.append(_line(6, f"{lang}: {_flow_map(ordered)}"))
        if sc.missing:
            out.append(_line(4, f"missing_labels: {_flow(sc.missing)}", "found: mean no answer"))
        out.append(_line(4, "reverse: false", "true: every item of this scale is reverse-keyed"))
    return out


def _system_lines(sv: _Survey) -> list[str]:
    out = [_line(0, "indicator_system:", "CSI > latent variables > indicators > survey items")]
    out.append(_line(2, "model: ACSI", "ACSI | ECSI (ECSI adds IMAG, corporate image)"))
    out += [
        "  # ================================================================================",
        "  # TODO: put each item id into the indicator it measures; add indicators as needed",
        "  # ================================================================================",
        "  # The assignment of items to indicators and latent variables is the consultant's",
        "  # decision (METHOD.md sections 2-3): below is one indicator per latent variable of",
        "  # the ACSI model with no items yet. Every item must be in exactly one indicator;",
        "  # name each indicator for what it measures and check its four principles.",
        f"  # Items drafted: {', '.join(it['id'] for it in sv.items)}",
        "  indicators:",
    ]
    for k, lv in enumerate(ACSI_LVS, start=1):
        en, zh = _LV_NAMES[lv]
        out.append(f"    - id: I{k:02d}")
        out.append(f"      lv: {lv}")
        out.append(f"      name: {{en: {en}, zh: {zh}}}")
        out.append(_line(6, "items: []", f"TODO: the items measuring {en.lower()}"))
        out.append("      principles: {important: true, controllable: true, measurable: true, "
                   "comparable: true}")
    out.append(_line(2, "items:", "drafted: every question answered on a scale, in file order"))
    out.append("                          #   id: ours; column: the export's header; text: the "
               "question; scale: its scale")
    for it in sv.items:
        d = {"id": it["id"]}
        if it["column"] != it["id"]:
            d["column"] = it["column"]
        d["text"] = it["text"]
        d["scale"] = it["scale"]
        out.append(f"    - {_flow_map(d)}")
    if sv.not_items:
        out.append("  # Not items: their answers fit no scale (add one by hand, with its scale, "
                   "if it should be):")
        for c, why in sv.not_items:
            out.append(f"  #   {_q(c)}: {_one_line(why)}")
    return out



def _speeder(sv: _Survey) -> int:
    return max(1, int(round(sv.duration_median / 3)))


def _fieldwork_lines(block: list[str], sv: _Survey | None) -> list[str]:
    lines = list(block)
    if sv is None:
        return lines
    if sv.duration_median:
        lines = _set_value(lines, "speeder_seconds", str(_speeder(sv)),
                           f"drafted: {_speeder(sv)} = a third of the median duration "
                           f"({sv.duration_median:.0f} s) in the export; check it")
    else:
        lines = _set_value(lines, "speeder_seconds", "0",
                           "drafted: 0, because the export has no duration column")
    n = len(sv.items)
    if 0 < n < 10:
        lines = _set_value(lines, "straightline_min_items", str(max(2, n)),
                           f"drafted: at most the {n} items")
    if not sv.meta.get("status_column"):
        lines = _set_value(lines, "partials", "keep",
                           "drafted: keep, because the export has no completion status column")
    return lines
