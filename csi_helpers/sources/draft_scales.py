"""Recognising answer scales from the answers found in a survey export.

What :mod:`csi_helpers.sources.draft` knows about answer scales, and how it reads the
answers of one question as a scale:

* the label families, low to high (:data:`FAMILIES`: satisfaction, agreement, willingness,
  likelihood, importance, rating; Chinese and English; 4, 5 and 7 points);
* the words meaning "no answer" (:data:`NO_ANSWER`), which become ``missing_labels``;
* numeric codes 1..k and 0..10 (with end-point labels such as '10 非常可能'), SPSS / Stata
  value labels in code order, and 问卷星's trailing 不知道 code (k + 1 after k points);
* grouping the questions into named scales and numbering the items (``Q01 ..``).

Example
-------
>>> _family_fit(["非常满意", "满意", "一般", "不满意"], 40).points
5
>>> _family_fit(["非常满意", "满意", "一般", "不满意"], 40).family
'satisfaction'
>>> _split_missing(Counter({"满意": 3, "不知道": 1}))
(Counter({'满意': 3}), ['不知道'])
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from .draft_yaml import _one_line
from .survey import SurveyExport

__all__ = ["FAMILIES", "NO_ANSWER"]

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
_ID_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")
_ONE_TO_TEN = re.compile(r"(?<!\d)1\s*(-|–|~|～|到|至|to)\s*10", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
_INT = re.compile(r"\s*(\d{1,3})(?:\.0+)?\s*")
_ENDPOINT = re.compile(r"\s*(\d{1,2})\s*[-－:：.、=]?\s*(\D.*?)\s*")


# =========================================================================== one question
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



# =========================================================================== items and scales
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
                _merge_missing(sc, fit)
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
                _merge_missing(sc, fit)
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


def _merge_missing(sc: _Scale, fit: _Fit) -> None:
    """Add the question's "no answer" labels to the scale's (each once, in order)."""
    for m in fit.missing:
        if m not in sc.missing:
            sc.missing.append(m)


def _dk_note(fit: _Fit) -> str:
    return (f"ASSUMED: code {fit.dk_code} is a last 'no answer' option (不知道 / 不适用) after "
            f"the {fit.points} points; if it is a real point, set points: {fit.points + 1} and "
            f"remove {fit.dk_code!r} from missing_labels")


def _family_labels(positions, observed: dict[int, str]) -> dict[int, str]:
    return {k: observed.get(k, pos[0]) for k, pos in enumerate(positions)}

