"""Contact data in client exports: what it looks like, so it never reaches a run folder.

The survey and CRM readers keep only the columns the analysis needs (ids, items,
segments, status, duration, time; the canonical CRM columns) plus the columns a params
key asks for by name (``sources.<source>.keep_columns``). This module says which of the
dropped columns were contact data or free text, so ``csi validate`` can list them as
excluded and a consultant sees that the IPs, phones and names stayed behind.

A column is contact data when its header names it (IP, 手机, 电话, phone, e-mail, 邮箱,
姓名, name, 会员卡, card, 地址, address, 身份证, 微信, QQ ...) or when most of its answered
cells look like it (IPv4 addresses, mainland mobile numbers ``1[3-9]xxxxxxxxx``,
e-mail addresses, 12-19 digit card numbers). A column is free text when its answers are
long and mostly distinct (an open question such as 您还有什么建议？).

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"来自IP": ["1.2.3.4(江苏-南京)"], "Q1": ["满意"]})
>>> contact_columns(df)
{'来自IP': 'IP addresses'}
"""
from __future__ import annotations

import re

import pandas as pd

__all__ = ["contact_columns", "kind_of"]

_HEADER_RULES = (
    ("IP addresses", re.compile(r"(^|[^a-z])ip($|[^a-z])|ipaddress|来自ip|ip地址", re.I)),
    ("e-mail addresses", re.compile(r"e-?mail|邮箱|电子邮件", re.I)),
    ("phone numbers", re.compile(r"phone|mobile|手机|电话|联系方式|tel($|[^a-z])", re.I)),
    ("card numbers", re.compile(r"会员卡|卡号|card|身份证|id\s*card|银行卡", re.I)),
    ("names", re.compile(r"姓名|名字|客户名称|联系人|(first|last|full|recipient.*)\s*name|"
                         r"^name$", re.I)),
    ("addresses", re.compile(r"地址|address|住址", re.I)),
    ("messenger ids", re.compile(r"微信号|wechat|qq号|(^|[^a-z])qq($|[^a-z])", re.I)),
    ("locations", re.compile(r"latitude|longitude|经度|纬度", re.I)),
    ("free text", re.compile(r"建议|意见|其他.*(说明|请注明)|请注明|备注|原因|评论|留言|comment|"
                             r"feedback|remark|suggestion|_TEXT$", re.I)),
)
_VALUE_RULES = (
    ("IP addresses", re.compile(r"\s*\d{1,3}(\.\d{1,3}){3}(\s*[(（].*[)）])?\s*")),
    ("e-mail addresses", re.compile(r"\s*[\w.+-]+@[\w-]+(\.[\w-]+)+\s*")),
    ("phone numbers", re.compile(r"\s*(\+?86[- ]?)?1[3-9]\d{9}\s*")),
    ("card numbers", re.compile(r"\s*\d{12,19}\s*")),
)


def kind_of(header: str, values: pd.Series | None = None) -> str | None:
    """What contact data a column holds (``'phone numbers'``, ``'free text'`` ...), else None."""
    for kind, rule in _HEADER_RULES:
        if rule.search(str(header)):
            return kind
    if values is None:
        return None
    s = values.dropna().astype(str)
    s = s[s.str.strip() != ""]
    if s.empty:
        return None
    sample = s.head(500)
    for kind, rule in _VALUE_RULES:
        if sample.str.fullmatch(rule).mean() > 0.5:
            return kind
    # free text: long, varied answers that are not codes or ids (an answer scale has at
    # most 11 distinct answers; ids such as R_3kPq... have no blanks and no CJK)
    lengths = sample.str.len()
    id_like = sample.str.fullmatch(r"[\w\-.:/@+]+", flags=re.ASCII).mean() > 0.9
    if len(sample) >= 5 and lengths.mean() >= 6 and sample.nunique() > 11 and not id_like:
        return "free text"
    return None


def contact_columns(frame: pd.DataFrame, columns=None, questions=None) -> dict[str, str]:
    """``{column: kind}`` for the columns of `frame` (or the given subset) that hold
    contact data or free text (see the module docstring). ``questions`` (column ->
    question text, e.g. SPSS variable labels) are read like headers."""
    out = {}
    questions = questions or {}
    for col in (frame.columns if columns is None else columns):
        kind = (kind_of(questions[col]) if col in questions else None) or \
            kind_of(col, frame[col] if col in frame.columns else None)
        if kind:
            out[col] = kind
    return out
