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

Example
-------
>>> d = draft("acme", survey="data/acme/问卷星.xlsx", root=Path("."))   # doctest: +SKIP
>>> print("\\n".join(d.summary))                                       # doctest: +SKIP
survey: data/acme/问卷星.xlsx read as 问卷星 export (按选项文本), ...
>>> Path("params/acme.yaml").write_text(d.text, encoding="utf-8")     # doctest: +SKIP
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path
from typing import Iterable

import pandas as pd
import yaml

from ..errors import CSIInputError
from . import privacy, qualtrics, wjx
from .survey import STATUS_VALUES, SurveyExport, platform_defaults, read_export
from .table import read_grid, with_header

__all__ = ["Draft", "draft", "FAMILIES", "NO_ANSWER", "ACSI_LVS"]

ACSI_LVS = ("EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY")
_LV_NAMES = {"EXPE": ("Customer expectations", "顾客期望"), "QUAL": ("Perceived quality", "感知质量"),
             "VAL": ("Perceived value", "感知价值"), "SAT": ("Customer satisfaction", "顾客满意度"),
             "COMP": ("Customer complaints", "顾客抱怨"), "LOY": ("Customer loyalty", "顾客忠诚")}

#: Answers meaning "no answer" (compared ignoring case): they become ``missing_labels``.
NO_ANSWER = ("不知道", "不适用", "说不清", "不清楚", "说不好", "不好说", "无法回答", "无法评价",
             "无法判断", "不了解", "拒绝回答", "拒答", "没用过", "未使用", "don't know",
             "dont know", "do not know", "don’t know", "n/a", "not applicable",
             "prefer not to say", "no opinion", "not sure", "unsure", "can't say", "cannot say",
             "refused")
_NO_ANSWER = {x.casefold() for x in NO_ANSWER}


# =========================================================================== scale families
def _zh_forms(stem: str, strong=("非常", "很", "完全"), neutral=("一般", "中立", "普通", "中等")):
    """The 4-, 5- and 7-point forms of a Chinese family (positions low to high, synonyms)."""
    neg_strong = tuple(f"{s}不{stem}" for s in strong)
    neg = (f"不{stem}",)
    neg_mild = (f"比较不{stem}", f"不太{stem}", f"有点不{stem}")
    pos_mild = (f"比较{stem}", f"有点{stem}")
    pos = (stem,)
    pos_strong = tuple(f"{s}{stem}" for s in strong)
    return {4: [neg_strong, neg + neg_mild, pos + pos_mild, pos_strong],
            5: [neg_strong, neg + neg_mild, neutral, pos + pos_mild, pos_strong],
            7: [neg_strong, neg, neg_mild, neutral, pos_mild, pos, pos_strong]}


def _en_forms(neg: str, pos: str, strong=("Very", "Extremely", "Strongly")):
    """The 4-, 5- and 7-point forms of an English family."""
    neutral = ("Neutral", f"Neither {pos} nor {neg}", f"Neither {neg} nor {pos}", "Undecided")
    s_neg = tuple(f"{s} {neg}" for s in strong)
    s_pos = tuple(f"{s} {pos}" for s in strong)
    mild_neg = (f"Somewhat {neg}", f"Slightly {neg}")
    mild_pos = (f"Somewhat {pos}", f"Slightly {pos}")
    neg5 = (neg.capitalize(), f"Somewhat {neg}", f"Moderately {neg}", f"Slightly {neg}")
    pos5 = (pos.capitalize(), f"Somewhat {pos}", f"Moderately {pos}", f"Slightly {pos}")
    return {4: [s_neg, neg5, pos5, s_pos],
            5: [s_neg, neg5, neutral, pos5, s_pos],
            7: [s_neg, (neg.capitalize(), f"Moderately {neg}"), mild_neg, neutral, mild_pos,
                (pos.capitalize(), f"Moderately {pos}"), s_pos]}


def _rating_forms():
    zh = {4: [("非常差", "很差"), ("差", "较差", "比较差"), ("好", "较好", "比较好"), ("非常好", "很好")],
          5: [("非常差", "很差"), ("差", "较差", "比较差"), ("一般", "中等", "普通"),
              ("好", "较好", "比较好"), ("非常好", "很好")]}
    en = {4: [("Very poor",), ("Poor",), ("Good",), ("Very good", "Excellent")],
          5: [("Very poor",), ("Poor",), ("Fair", "Average", "Neutral"), ("Good",),
              ("Very good", "Excellent")]}
    return zh, en


_RATING_ZH, _RATING_EN = _rating_forms()
#: name -> language -> points -> positions (low to high), each a tuple of synonyms (the
#: first is the label written when the export does not show that answer).
FAMILIES: dict[str, dict[str, dict[int, list[tuple[str, ...]]]]] = {
    "satisfaction": {"zh": _zh_forms("满意"), "en": _en_forms("dissatisfied", "satisfied")},
    "agreement": {"zh": _zh_forms("同意"), "en": _en_forms("disagree", "agree")},
    "willingness": {"zh": _zh_forms("愿意"), "en": _en_forms("unwilling", "willing")},
    "likelihood": {"zh": _zh_forms("可能"), "en": _en_forms("unlikely", "likely")},
    "importance": {"zh": _zh_forms("重要"), "en": _en_forms("unimportant", "important")},
    "rating": {"zh": _RATING_ZH, "en": _RATING_EN},
}
_NEUTRALS = {s.casefold() for fam in FAMILIES.values() for forms in fam.values()
             for form in forms.values() for pos in form for s in pos
             if s in ("一般", "中立", "普通", "中等", "Neutral", "Undecided", "Fair", "Average")
             or s.startswith("Neither")}

# words saying a question is a rating on a scale (needed for 3-4 codes / unknown labels)
_RATING_WORDS = re.compile(r"满意|同意|愿意|可能|程度|评价|评分|打分|重要|认同|认可|推荐|"
                           r"satisf|agree|likel|willing|rate|rating|important|recommend", re.I)
# words saying a column describes the respondent, not an attitude (never a scale)
_SEGMENT_WORDS = re.compile(r"地区|区域|省份|城市|性别|年龄|学历|收入|职业|渠道|门店|类型|来源|"
                            r"region|area|province|city|gender|sex|age|education|income|"
                            r"occupation|channel|store|segment|type|language", re.I)
_FREE_TEXT_HEADER = re.compile(r"建议|意见|备注|评论|留言|原因|请注明|请说明|其他|其它|"
                               r"comment|suggest|feedback|remark|specify|other|_TEXT$", re.I)
_ID_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")
_ONE_TO_TEN = re.compile(r"(?<!\d)1\s*(-|–|~|～|到|至|to)\s*10", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
_INT = re.compile(r"\s*(\d{1,3})(?:\.0+)?\s*")
_ENDPOINT = re.compile(r"\s*(\d{1,2})\s*[-－:：.、=]?\s*(\D.*?)\s*")

# table exports: headers naming the respondent fields (compared ignoring case and blanks)
_META_NAMES = {
    "id_column": ("序号", "编号", "id", "respondent_id", "resp_id", "ResponseId", "答卷编号",
                  "response_id", "respondent"),
    "duration_column": ("所用时间", "答题时长", "duration", "duration_sec",
                        "Duration (in seconds)", "答题时长（秒）", "答题用时", "用时"),
    "status_column": ("status", "状态", "Finished", "完成状态", "答卷状态"),
    "time_column": ("提交答卷时间", "开始时间", "StartDate", "start_time", "提交时间", "submitted",
                    "submit_time", "EndDate", "end_time", "结束时间", "答题时间", "timestamp"),
}
_CUSTOMER_ID = re.compile(r"会员编号|客户编号|会员号|客户号|会员id|客户id|customer[ _]?id|"
                          r"member[ _]?id|externalreference|external[ _]reference|crm[ _]?id",
                          re.I)
_TYPE_VALUES = {"代理商": "agent", "代理": "agent", "加盟商": "franchisee", "加盟": "franchisee",
                "零售": "retail", "零售客户": "retail", "零售商": "retail", "agent": "agent",
                "franchisee": "franchisee", "retail": "retail"}
_CRM_KINDS = ("customers", "transactions", "visits")
_CRM_REQUIRED = {"customers": ("customer_id", "customer_type"),
                 "transactions": ("customer_id", "date", "amount"),
                 "visits": ("customer_id", "date")}
_SHEET_HINTS = {"customers": re.compile(r"客户|会员|customer|member|client", re.I),
                "transactions": re.compile(r"订单|交易|销售|流水|order|transaction|sales", re.I),
                "visits": re.compile(r"到店|访问|拜访|visit|traffic", re.I)}


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


# =========================================================================== survey analysis
@dataclass
class _Scale:
    name: str
    points: int
    start: int
    labels: dict[str, dict[str, int]]      # lang -> label -> value
    missing: list[str]
    family: str | None
    key: tuple
    observed: dict[int, str] = field(default_factory=dict)   # position -> observed label
    members: list[str] = field(default_factory=list)         # item ids
    note: str | None = None


@dataclass
class _Fit:
    """One question's answers as a scale."""

    family: str | None
    lang: str | None
    points: int
    start: int
    positions: list[tuple[str, ...]] | None   # family positions
    observed: dict[int, str]                  # position (0-based) -> label seen
    missing: list[str]
    labels: dict[int, str] | None = None      # value -> label (codes with labels)
    dk_code: str | None = None                # a code read as "no answer" (assumed)
    note: str | None = None                   # an assumption to say in the draft


def _is_cjk(text) -> bool:
    return bool(_CJK.search(str(text)))


def _answers(s: pd.Series) -> Counter:
    s = s.dropna().astype(str).str.strip()
    s = s[s != ""]
    return Counter(s.tolist())


def _split_missing(counts: Counter) -> tuple[Counter, list[str]]:
    real, missing = Counter(), []
    for k, n in counts.items():
        if k.casefold().replace("’", "'") in _NO_ANSWER:
            missing.append(k)
        else:
            real[k] = n
    return real, sorted(missing, key=lambda m: -counts[m])


def _family_fit(labels: Iterable[str], n_answers: int) -> _Fit | None:
    """The best family form for the answer labels seen (None: no family fits)."""
    labels = list(labels)
    if not labels or all(lab.casefold() in _NEUTRALS for lab in labels):
        return None
    best = None
    for name, langs in FAMILIES.items():
        for lang, forms in langs.items():
            for points, form in forms.items():
                lookup: dict[str, int] = {}
                for k, pos in enumerate(form):
                    for syn in pos:
                        lookup.setdefault(syn.casefold(), k)
                observed: dict[int, str] = {}
                ok = True
                for lab in labels:
                    k = lookup.get(lab.casefold())
                    if k is None or (k in observed and observed[k] != lab):
                        ok = False
                        break
                    observed[k] = lab
                if not ok:
                    continue
                unobserved = points - len(observed)
                if points == 4 and (unobserved or n_answers < 20):
                    continue      # 4 points only when every answer is seen and no middle
                rank = (unobserved, points != 5)
                if best is None or rank < best[0]:
                    best = (rank, _Fit(name, lang, points, 1, form, observed, []))
    return best[1] if best else None


def _numbers(real: Counter) -> tuple[dict[int, str], bool] | None:
    """``({code: label or None}, any_label)`` when every answer is a whole number, possibly
    with an end-point label ('10 非常可能'); else None."""
    codes: dict[int, str | None] = {}
    labelled = False
    for lab in real:
        m = _INT.fullmatch(lab)
        if m:
            codes.setdefault(int(m.group(1)), None)
            continue
        m = _ENDPOINT.fullmatch(lab)
        if m:
            codes[int(m.group(1))] = lab
            labelled = True
            continue
        return None
    return codes, labelled


def _code_fit(codes: dict[int, str | None], scale_like: bool, segment_like: bool,
              question: str = "") -> _Fit | None:
    lo, hi = min(codes), max(codes)
    if lo < 0:
        return None
    start = 0 if lo == 0 else 1
    note = None
    if start == 1 and hi == 10 and not _ONE_TO_TEN.search(question):
        # 1..10 seen: a 0-10 question (likelihood to recommend, far more common than a
        # 1-10 rating) where nobody answered 0; said in the draft
        start = 0
        note = (f"ASSUMED: a 0-10 scale (answers seen: {lo}..{hi}, none 0); if it runs "
                "1-10, set points: 10 and remove start")
    points = hi - start + 1
    if not 3 <= points <= 11 or segment_like:
        return None
    if points <= 4 and not scale_like:
        return None
    labels = None
    if any(codes.values()):
        labels = {v: (codes.get(v) or str(v)) for v in range(start, hi + 1)}
    fit = _Fit(None, None, points, start, None, {}, [], labels=labels)
    fit.note = note
    return fit


def _spss_fit(col: str, export: SurveyExport, real: Counter, missing: list[str],
              scale_like: bool, segment_like: bool) -> _Fit | None:
    """A labelled SPSS / Stata variable: value labels in code order."""
    vlabels = export.value_labels.get(col) or {}
    user = {str(int(c)) if isinstance(c, float) and float(c).is_integer() else str(c)
            for c in (export.user_missing.get(col) or []) if not isinstance(c, tuple)}
    codes: dict[int, str] = {}
    miss = list(missing)
    for code, lab in vlabels.items():
        try:
            c = int(float(code))
        except ValueError:
            return None
        if str(code) in user or str(lab).casefold() in _NO_ANSWER:
            if lab not in miss:
                miss.append(str(lab))
            continue
        codes[c] = str(lab)
    for ans in real:                        # unlabelled codes show as numbers
        m = _INT.fullmatch(ans)
        if m:
            codes.setdefault(int(m.group(1)), None)
        elif ans not in codes.values():
            return None
    if len(codes) < 3:
        return None
    words = [lab for lab in codes.values() if lab and not _INT.fullmatch(lab)]
    fam = _family_fit(words, sum(real.values())) if words and len(words) == len(codes) else None
    if fam is not None and fam.points == len(codes):
        fam.missing = miss
        return fam
    endpoint_only = all(lab is None or _ENDPOINT.fullmatch(lab) or _INT.fullmatch(lab)
                        for lab in codes.values())
    if segment_like or not (scale_like or endpoint_only):
        return None
    lo, hi = min(codes), max(codes)
    if lo in (0, 1) and hi - lo + 1 == len(codes) or endpoint_only:
        start = 0 if lo == 0 else 1
        if lo > 1:
            return None
        points = hi - start + 1
        if not 3 <= points <= 11:
            return None
        labels = {v: (codes.get(v) or str(v)) for v in range(start, hi + 1)}
        return _Fit(None, None, points, start, None, {}, miss, labels=labels)
    ranked = sorted(codes)                  # codes with gaps: values by rank
    if not 3 <= len(ranked) <= 11:
        return None
    labels = {k + 1: (codes[c] or str(c)) for k, c in enumerate(ranked)}
    return _Fit(None, None, len(ranked), 1, None, {}, miss, labels=labels)


@dataclass
class _Survey:
    export: SurveyExport
    path: str
    meta: dict                 # id/duration/status/time/customer_id -> column or None
    status_values: dict | None
    duration_median: float | None
    duration_unit: str
    items: list[dict]
    scales: dict[str, _Scale]
    not_items: list[tuple[str, str]]     # (column, why)
    excluded: dict[str, str]
    segments: list[str]
    language: str


def _norm(h) -> str:
    return re.sub(r"\s+", "", str(h)).casefold()


def _find_meta(export: SurveyExport) -> dict:
    cols = list(export.data.columns)
    if export.format in ("wjx", "qualtrics"):
        meta = dict(platform_defaults(export.format))
        for k, c in list(meta.items()):
            if c is not None and c not in cols:
                meta[k] = None
        return meta
    meta = {}
    used: set[str] = set()
    for key, names in _META_NAMES.items():
        wanted = [_norm(n) for n in names]
        found = None
        for n in wanted:                   # in the order of preference of the names
            for c in cols:
                label = export.questions.get(c, "")
                if c not in used and (_norm(c) == n or (label and _norm(label) == n)):
                    found = c
                    break
            if found:
                break
        if found:
            used.add(found)
        meta[key] = found
    return meta


def _status_values(s: pd.Series) -> dict | None:
    """``status_values`` when the status column holds values the reader does not know
    (None when every value is complete / partial, 1 / 0, True / False, 完成 / 未完成 ...)."""
    counts = _answers(s)
    yes = {x.casefold() for x in STATUS_VALUES["complete"]}
    no = {x.casefold() for x in STATUS_VALUES["partial"]}
    if all(v.casefold() in yes | no for v in counts):
        return None
    complete = [v for v in counts if v.casefold() in yes]
    partial = [v for v in counts if v.casefold() in no]
    rest = [v for v in counts if v not in complete and v not in partial]
    if not complete and rest:            # the most frequent value is most likely 'complete'
        top = max(rest, key=lambda v: counts[v])
        complete.append(top)
        rest.remove(top)
    return {"complete": complete, "partial": partial + rest}


def _duration_stats(export: SurveyExport, col: str, status: str | None,
                    unit: str) -> float | None:
    from .values import parse_duration

    s = export.data[col]
    if status and status in export.data.columns:
        done = export.data[status].astype("string").str.strip().str.casefold()
        keep = done.isin([x.casefold() for x in STATUS_VALUES["complete"]]).fillna(False)
        if keep.any():
            s = s[keep.to_numpy()]
    values = parse_duration(s, unit).values.dropna()
    values = values[values > 0]
    return float(values.median()) if len(values) else None


def _analyse_survey(path: Path, root: Path) -> _Survey:
    export = read_export(path, setting="--survey")
    df = export.data
    if df.empty:
        raise CSIInputError(f"{_rel(path, root)}: the export has a header but no responses; "
                            "export the answers again")
    meta = _find_meta(export)
    # the customer id: a member / customer number column with values
    cid = None
    for c in df.columns:
        if c in meta.values():
            continue
        text = f"{c} {export.questions.get(c, '')}"
        if _CUSTOMER_ID.search(text.replace(" ", "")) or _CUSTOMER_ID.search(text):
            if privacy.kind_of(c) is None and df[c].notna().any():
                cid = c
                break
    meta["customer_id_column"] = cid
    status_values = (_status_values(df[meta["status_column"]])
                     if meta.get("status_column") else None)
    dur = meta.get("duration_column")
    unit = "minutes" if dur and re.search(r"分钟|minute|\(min", f"{dur}", re.I) else "seconds"
    median = _duration_stats(export, dur, meta.get("status_column"), unit) if dur else None
    meta_cols = {c for c in meta.values() if c}

    platform_meta = set()
    if export.format == "qualtrics":
        platform_meta = set(qualtrics.META) - {"DistributionChannel", "UserLanguage"}
    elif export.format == "wjx":
        platform_meta = set(wjx.META) | {"来源详情", "总分", "来自IP"}

    # contact data (by header or question text: never a scale, whatever the answers) and
    # free text (by header or values, but only for a column whose answers fit no scale:
    # 'Strongly disagree' is long text too, and 意见 may be in a rating question)
    excluded: dict[str, str] = {}
    fits: dict[str, _Fit] = {}
    not_items: list[tuple[str, str]] = []
    segments: list[str] = []
    for c in df.columns:
        if c in meta_cols:
            continue
        question = export.questions.get(c, "")
        kind = privacy.kind_of(c) or (privacy.kind_of(question) if question else None)
        if kind is None and c.endswith("_TEXT") and export.format == "qualtrics":
            kind = "free text"
        if kind and kind != "free text":
            excluded[c] = kind
            continue
        counts = _answers(df[c])
        real, missing = _split_missing(counts)
        if not real:
            if kind:
                excluded[c] = kind
            elif c not in platform_meta:
                not_items.append((c, "no answers"))
            continue
        if c in platform_meta:
            value_kind = privacy.kind_of(c, df[c])
            if value_kind:
                excluded[c] = value_kind
            continue
        both = f"{c} {question}"
        scale_like = bool(_RATING_WORDS.search(both))
        segment_like = bool(_SEGMENT_WORDS.search(both)) and not scale_like
        fit = None
        if c in export.value_labels:
            fit = _spss_fit(c, export, real, missing, scale_like, segment_like)
        else:
            nums = _numbers(real)
            if nums is not None:
                fit = _code_fit(nums[0], scale_like, segment_like, both)
                if fit:
                    fit.missing = missing
            elif not any("┋" in k for k in real):
                fit = _family_fit(real, sum(real.values()))
                if fit:
                    fit.missing = missing
        if fit is not None:
            fits[c] = fit
            continue
        kind = kind or privacy.kind_of(c, df[c])
        if kind:
            excluded[c] = kind
            continue
        values = list(real)
        if any("┋" in k for k in values):
            why = "multiple choice"
        elif _FREE_TEXT_HEADER.search(both) and _free_text_like(values):
            excluded[c] = "free text"
            continue
        elif len(values) > 12:
            if _free_text_like(values):
                excluded[c] = "free text"
                continue
            why = f"{len(values)} different answers (open question?)"
        else:
            why = ("single choice: " + ", ".join(_one_line(v) for v in
                                                 sorted(values, key=lambda v: -real[v])[:6])
                   + (" ..." if len(values) > 6 else ""))
            if len(values) >= 2 and c != meta.get("customer_id_column"):
                segments.append(c)
        if c == meta.get("customer_id_column"):
            continue
        not_items.append((c, why))
    _dont_know_codes(fits)
    if meta.get("customer_id_column"):
        not_items = [(c, w) for c, w in not_items if c != meta["customer_id_column"]]
    segments.sort(key=lambda c: (not _SEGMENT_WORDS.search(f"{c} {export.questions.get(c, '')}"),
                                 list(df.columns).index(c)))

    texts = [export.questions[c] for c in fits if export.questions.get(c)]
    if texts:
        language = "zh" if sum(map(_is_cjk, texts)) * 2 >= len(texts) else "en"
    else:
        seen = [lab for f in fits.values() for lab in f.observed.values()] + \
            [lab for f in fits.values() for lab in (f.labels or {}).values()] + list(df.columns)
        language = "zh" if any(map(_is_cjk, seen)) else "en"
    items, scales = _items_and_scales(export, fits, language)
    return _Survey(export=export, path=_rel(path, root), meta=meta,
                   status_values=status_values, duration_median=median,
                   duration_unit=unit, items=items, scales=scales, not_items=not_items,
                   excluded=excluded, segments=segments, language=language)


def _free_text_like(values: list[str]) -> bool:
    if not values:
        return True
    lengths = [len(v) for v in values]
    return sum(lengths) / len(lengths) >= 4 and not all(_INT.fullmatch(v) for v in values)


def _dont_know_codes(fits: dict[str, _Fit]) -> None:
    """问卷星 按选项序号 numbers a last 不知道 option as k + 1 after a k-point scale: when most
    code questions run 1..k and some run 1..k+1, read k + 1 as "no answer" (assumed, and
    said so in the draft)."""
    bare = {c: f for c, f in fits.items() if f.family is None and f.labels is None
            and f.start == 1}
    if len(bare) < 2:
        return
    tops = Counter(f.points for f in bare.values())
    k, _ = tops.most_common(1)[0]
    if k < 4:
        return
    for c, f in bare.items():
        if f.points == k + 1:
            f.points = k
            f.dk_code = str(k + 1)
            f.missing = list(dict.fromkeys(f.missing + [f.dk_code]))


def _items_and_scales(export: SurveyExport, fits: dict[str, _Fit],
                      language: str) -> tuple[list[dict], dict[str, _Scale]]:
    scales: dict[str, _Scale] = {}
    items: list[dict] = []
    columns = set(export.data.columns)
    # headers that are ids already (Qualtrics Q6_1, SPSS variable names): keep them as the
    # item ids, so Q9 stays Q9; else (问卷星's numbered question texts) Q01, Q02 ... in file
    # order, skipping an id that is another column's header
    as_is = all(_ID_LIKE.fullmatch(c) for c in fits)
    number = 1
    used_names: Counter = Counter()
    for col, fit in fits.items():
        if as_is:
            iid = col
        else:
            while f"Q{number:02d}" in columns and f"Q{number:02d}" != col:
                number += 1
            iid = f"Q{number:02d}"
            number += 1
        sc = _place(fit, scales, used_names, language)
        sc.members.append(iid)
        text = export.questions.get(col)
        lang = ("zh" if _is_cjk(text) else "en") if text else language
        item = {"id": iid, "column": col, "text": {lang: _one_line(text or col)},
                "scale": sc.name}
        if not text:
            item["no_text"] = True
        items.append(item)
    return items, scales


def _place(fit: _Fit, scales: dict[str, _Scale], used: Counter, language: str) -> _Scale:
    """The scale of a question: an existing compatible one, or a new one."""
    if fit.family:
        for sc in scales.values():
            if sc.family == fit.family and sc.key[:2] == (fit.lang, fit.points) and all(
                    sc.observed.get(k, lab) == lab for k, lab in fit.observed.items()):
                sc.observed.update(fit.observed)
                labels = {lab: k + 1 for k, lab in _family_labels(fit.positions,
                                                                   sc.observed).items()}
                sc.labels = {fit.lang: labels}
                for m in fit.missing:
                    if m not in sc.missing:
                        sc.missing.append(m)
                return sc
        name = fit.family if fit.points == 5 or not used[fit.family] else \
            f"{fit.family}_{fit.points}"
        labels = {lab: k + 1 for k, lab in _family_labels(fit.positions, fit.observed).items()}
        key = (fit.lang, fit.points)
        sc = _Scale(name, fit.points, 1, {fit.lang: labels}, list(fit.missing), fit.family,
                    key, dict(fit.observed))
    else:
        top = fit.start + fit.points - 1
        label_key = tuple(sorted((fit.labels or {}).items()))
        key = ("codes", fit.points, fit.start, label_key)
        for sc in scales.values():
            if sc.family is None and sc.key == key:
                for m in fit.missing:
                    if m not in sc.missing:
                        sc.missing.append(m)
                if fit.dk_code and not sc.note:
                    sc.note = _dk_note(fit)
                elif fit.note and not sc.note:
                    sc.note = fit.note
                return sc
        if fit.labels and any(not _INT.fullmatch(v) for v in fit.labels.values()):
            words = [v for v in fit.labels.values() if not _INT.fullmatch(v)]
            lang = "zh" if any(map(_is_cjk, words)) else "en"
            labels = {lang: {lab: v for v, lab in fit.labels.items()}}
            name = f"scale_{fit.start}_{top}"
        else:
            labels = {}
            name = f"numeric_{fit.start}_{top}"
        sc = _Scale(name, fit.points, fit.start, labels, list(fit.missing), None, key)
        if fit.dk_code:
            sc.note = _dk_note(fit)
        elif fit.note:
            sc.note = fit.note
    base, n = sc.name, 1
    while sc.name in scales:
        n += 1
        sc.name = f"{base}_{n}"
    used[sc.family or sc.name] += 1
    scales[sc.name] = sc
    return sc


def _dk_note(fit: _Fit) -> str:
    return (f"ASSUMED: code {fit.dk_code} is a last 'no answer' option (不知道 / 不适用) after "
            f"the {fit.points} points; if it is a real point, set points: {fit.points + 1} and "
            f"remove {fit.dk_code!r} from missing_labels")


def _family_labels(positions, observed: dict[int, str]) -> dict[int, str]:
    return {k: observed.get(k, pos[0]) for k, pos in enumerate(positions)}


# =========================================================================== CRM analysis
@dataclass
class _Crm:
    kind: str
    path: str
    format: str
    sheet: str | None
    encoding: str | None
    columns: dict
    types_known: dict
    types_todo: list
    missing: list
    excluded: dict
    rows: int
    ambiguous: dict = field(default_factory=dict)


def _grid(path: Path, sheet, cache: dict, kind: str):
    key = (str(path), sheet)
    if key not in cache:
        cache[key] = read_grid(path, sheet=sheet, setting=f"--{kind}")
    return cache[key]


def _match(kind: str, headers: list[str]) -> dict:
    from . import crm
    return dict(crm.match_headers(kind, headers))


def _crm_sheets(files: dict[str, Path], root: Path, cache: dict) -> dict[str, str | None]:
    """The sheet of each CRM kind: for a workbook, the sheet whose headers match the kind
    best (several kinds from one workbook get different sheets where possible)."""
    chosen: dict[str, str | None] = {}
    by_file: dict[str, list[str]] = {}
    for kind, path in files.items():
        by_file.setdefault(str(Path(path).resolve()), []).append(kind)
    for fpath, kinds in by_file.items():
        path = Path(fpath)
        first = _grid(path, None, cache, kinds[0])
        if first.kind == "csv" or len(first.sheets) <= 1:
            for kind in kinds:
                chosen[kind] = first.sheet
            continue
        scores: dict[tuple[str, str], tuple] = {}
        for sheet in first.sheets:
            grid = _grid(path, sheet, cache, kinds[0])
            if grid.frame.empty:
                headers = []
            else:
                headers = [str(h).strip() for h in grid.frame.iloc[0].tolist() if pd.notna(h)]
            for kind in kinds:
                matched = _match(kind, headers) if headers else {}
                req = sum(k in matched for k in _CRM_REQUIRED[kind])
                hint = bool(_SHEET_HINTS[kind].search(sheet))
                scores[kind, sheet] = (req, len(matched), hint)
        sheets = list(first.sheets)
        if len(sheets) >= len(kinds):
            best = max(permutations(sheets, len(kinds)),
                       key=lambda combo: tuple(map(sum, zip(*(scores[k, s]
                                                              for k, s in zip(kinds, combo))))))
            chosen.update(dict(zip(kinds, best)))
        else:
            for kind in kinds:
                chosen[kind] = max(sheets, key=lambda s: scores[kind, s])
    return chosen


def _analyse_crm(kind: str, path: Path, sheet, root: Path, cache: dict) -> _Crm:
    grid = _grid(path, sheet, cache, kind)
    where = _rel(path, root)
    data = with_header(grid, where)
    headers = list(data.columns)
    columns = _match(kind, headers)
    ambiguous = _ambiguous(kind, [h for h in headers if h not in columns.values()], columns)
    missing = [k for k in _CRM_REQUIRED[kind] if k not in columns]
    known, todo = {}, []
    if kind == "customers" and "customer_type" in columns:
        col = columns["customer_type"]
        for v in _answers(data[col]):
            our = _TYPE_VALUES.get(v.strip()) or _TYPE_VALUES.get(v.strip().casefold())
            if our:
                known[v] = our
            else:
                todo.append(v)
    mapped = set(columns.values())
    excluded = privacy.contact_columns(data, [c for c in headers if c not in mapped])
    return _Crm(kind, where, "csv" if grid.kind == "csv" else "excel",
                grid.sheet if grid.kind != "csv" else None,
                grid.encoding if grid.kind == "csv" else None, columns, known, todo,
                missing, excluded, len(data), ambiguous)


def _ambiguous(kind: str, headers: list[str], columns: dict) -> dict[str, list[str]]:
    """Our names that several of the remaining headers look like (never guessed)."""
    from . import crm
    candidates = getattr(crm, "header_candidates", None)
    if candidates is None:
        return {}
    return {our: list(found) for our, found in candidates(kind, headers).items()
            if our not in columns and len(found) > 1}


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
    lines.append(_line(0, "sources:", "REQUIRED (at least survey). Files are read, never "
                                      "modified."))
    if sv is not None:
        lines += _survey_lines(sv)
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
    lines += _fieldwork_lines(blocks.get("fieldwork", []), sv) + [""]
    lines += banners.get("indicator_system", [])
    if sv is not None:
        lines += _system_lines(sv) + [""]
        lines += _scale_lines(sv.scales) + [""]
    else:
        lines += [ln.replace("CLIENT_ID", client_id) for ln in blocks.get("indicator_system", [])] + [""]
        lines += blocks.get("scale", []) + [""]
    lines += banners.get("analysis", []) + blocks.get("analysis", []) + [""]
    lines += banners.get("tiering", []) + blocks.get("tiering", [])
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


def _scale_dict(sc: _Scale) -> dict:
    d = {"points": sc.points, "start": sc.start}
    if sc.labels:
        d["labels"] = {lang: dict(m) for lang, m in sc.labels.items()}
    d["missing_labels"] = list(sc.missing)
    return d


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
