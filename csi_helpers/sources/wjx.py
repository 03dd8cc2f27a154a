"""问卷星 (Wenjuanxing) exports: recognise them and read them as the platform writes them.

问卷星's "下载答卷数据" gives a CSV (GBK) or an XLSX, either **按选项文本** (answers as option
text: 满意) or **按选项序号** (answers as option numbers: 4). Both have the same columns:

=================  ==============================================================
column             what it holds
=================  ==============================================================
序号                the response number (1, 2, ...): the response id
提交答卷时间         submission time, ``2026/3/5 14:23:11``
所用时间             time taken, ``145秒`` (seconds followed by 秒)
来源, 来源详情       channel (手机提交, 微信, 链接 ...) and its detail
来自IP              the respondent's IP with a place, ``112.80.23.4(江苏-南京)``: contact data
``N、question``     a question: its number, 、, the question text (``5、您对…的满意程度：``)
``N、(sub)``        a matrix sub-question: the number and the sub-question in brackets
=================  ==============================================================

An answer ``(空)`` is a question left empty and ``(跳过)`` a question the questionnaire's
logic skipped (a filter question routed the respondent past it); both are missing. The
reader counts the skipped answers per column (``skipped``) so the report can say on how
many answers an item rests. 问卷星 exports only submitted answers, so there is no status
column: every row is a complete response.

Example
-------
>>> is_wjx(["序号", "提交答卷时间", "所用时间", "1、您的性别："])
True
>>> question("7、(售后服务响应速度)")
('7', '售后服务响应速度')
"""
from __future__ import annotations

import re

import pandas as pd

__all__ = ["is_wjx", "question", "MISSING", "SKIPPED", "DEFAULTS", "variant"]

#: The columns 问卷星 puts first (all present in every export).
META = ("序号", "提交答卷时间", "所用时间")
#: Other platform columns (not questions).
OTHER_META = ("来源", "来源详情", "来自IP", "总分")
MISSING = "(空)"
SKIPPED = "(跳过)"
#: The platform's own id, duration and time columns: the defaults of sources.survey.
DEFAULTS = {"id_column": "序号", "duration_column": "所用时间", "time_column": "提交答卷时间",
            "status_column": None}
_QUESTION = re.compile(r"^\s*(\d+)\s*[、.．]\s*(.*?)\s*$", re.S)
_SUB = re.compile(r"^(.*?)[(（]([^()（）]*)[)）]\s*$", re.S)


def is_wjx(headers) -> bool:
    """True when the header row is a 问卷星 export's (序号, 提交答卷时间, 所用时间 ...)."""
    names = {str(h).strip() for h in headers if isinstance(h, str)}
    return all(m in names for m in META)


def question(header: str) -> tuple[str, str] | None:
    """``(number, text)`` of a numbered question header, else None.

    The text loses its trailing colon; a matrix sub-question ``7、(售后服务)`` gives
    ``('7', '售后服务')``, a header with stem and sub-question ``7、您对以下方面的满意程度：
    (售后服务)`` gives ``('7', '您对以下方面的满意程度 — 售后服务')``.
    """
    m = _QUESTION.match(str(header))
    if not m:
        return None
    number, text = m.group(1), m.group(2)
    sub = _SUB.match(text)
    if sub and sub.group(2).strip():
        stem = sub.group(1).strip().rstrip(":：").strip()
        text = f"{stem} — {sub.group(2).strip()}" if stem else sub.group(2).strip()
    return number, text.rstrip(":：").strip()


def variant(frame: pd.DataFrame, questions) -> str:
    """``text`` (按选项文本) or ``code`` (按选项序号): ``code`` when every answered cell of
    the question columns (skipping open questions) is a whole number."""
    numeric = total = 0
    for col in questions:
        s = frame[col].dropna()
        s = s[~s.isin([MISSING, SKIPPED])].head(2000)   # a sample decides; fast on big files
        if s.empty:
            continue
        is_num = s.str.fullmatch(r"-?\d+").fillna(False)
        total += 1
        numeric += bool(is_num.mean() > 0.99)
    return "code" if total and numeric >= 0.8 * total else "text"
