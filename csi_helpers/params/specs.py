"""The validating spec types a schema is built from (:class:`_Str`, :class:`_Int`,
:class:`_List`, :class:`_Map` ...), the :class:`_Validator` collecting the problems, and
the small helpers writing them (``_join``, ``_short``, ``_near``, ``_ok``).

Each spec's ``norm(value, path, v)`` returns the normalised value, or ``_INVALID`` after
adding a problem line ``path: what is wrong; how to fix it`` to ``v``."""
from __future__ import annotations

import copy
import datetime as _dt
import difflib
import json
import math
import re
from pathlib import Path
from typing import Any, Mapping

from .vocabulary import LANGUAGES


_REQUIRED = object()   # the key must be given
_ABSENT = object()     # optional; left out of the dict when not given
_INVALID = object()    # a value that failed validation (dependent checks are skipped)


class _Spec:
    desc = "a value"
    nullable = False

    def norm(self, value, path: str, v: "_Validator"):
        return value

    def bad(self, value, path, v, desc=None, hint=None):
        v.add(path, f"{_short(value)} is not {desc or self.desc}; {hint or 'use ' + (desc or self.desc)}")
        return _INVALID


class _Any(_Spec):
    pass


class _Str(_Spec):
    def __init__(self, desc="text", pattern: str | None = None, hint: str | None = None,
                 nullable=False, empty_ok=False):
        self.desc, self.pattern, self.hint, self.nullable = desc, pattern, hint, nullable
        self.empty_ok = empty_ok

    def norm(self, value, path, v):
        if isinstance(value, bool) or not isinstance(value, (str, int, float, _dt.date)):
            return self.bad(value, path, v, hint=self.hint)
        if isinstance(value, _dt.date):
            value = value.isoformat()
        value = str(value).strip()
        if not value and self.empty_ok:
            return value
        if not value:
            v.add(path, f"is empty; {self.hint or 'give ' + self.desc}")
            return _INVALID
        if self.pattern and not re.fullmatch(self.pattern, value):
            return self.bad(value, path, v, hint=self.hint)
        return value


class _Int(_Spec):
    def __init__(self, lo=None, hi=None, hint=None, nullable=False):
        self.lo, self.hi, self.hint, self.nullable = lo, hi, hint, nullable
        rng = (f" from {lo} to {hi}" if lo is not None and hi is not None
               else f" >= {lo}" if lo is not None else f" <= {hi}" if hi is not None else "")
        self.desc = f"a whole number{rng}"

    def norm(self, value, path, v):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return self.bad(value, path, v, hint=self.hint)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            return self.bad(value, path, v, hint=self.hint)
        return value


class _Num(_Spec):
    def __init__(self, lo=None, hi=None, lo_open=False, hi_open=False, hint=None, nullable=False):
        self.lo, self.hi, self.lo_open, self.hi_open = lo, hi, lo_open, hi_open
        self.hint, self.nullable = hint, nullable
        parts = []
        if lo is not None:
            parts.append(f"{'>' if lo_open else '>='} {lo}")
        if hi is not None:
            parts.append(f"{'<' if hi_open else '<='} {hi}")
        self.desc = "a number" + (" " + " and ".join(parts) if parts else "")

    def norm(self, value, path, v):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return self.bad(value, path, v, hint=self.hint)
        lo_bad = self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo)
        hi_bad = self.hi is not None and (value >= self.hi if self.hi_open else value > self.hi)
        if lo_bad or hi_bad:
            return self.bad(value, path, v, hint=self.hint)
        return value


class _Bool(_Spec):
    desc = "true or false"

    def norm(self, value, path, v):
        if not isinstance(value, bool):
            return self.bad(value, path, v)
        return value


class _Choice(_Spec):
    def __init__(self, options, nullable=False, null_as=None):
        self.options = tuple(options)
        self.desc = "one of " + " | ".join(self.options)
        self.nullable = nullable
        self.null_as = null_as

    def norm(self, value, path, v):
        if value is None:
            return self.null_as
        if isinstance(value, str) and value in self.options:
            return value
        folded = {o.lower(): o for o in self.options}
        if isinstance(value, str) and value.strip().lower() in folded:
            hint = f"write it as {folded[value.strip().lower()]!r} (allowed: {' | '.join(self.options)})"
        else:
            hint = f"{_near(str(value), self.options)}use {self.desc}"
        return self.bad(value, path, v, hint=hint)


class _Date(_Spec):
    desc = "a date (YYYY-MM-DD)"

    def __init__(self, nullable=False):
        self.nullable = nullable

    def norm(self, value, path, v):
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return self.bad(value, path, v, hint="write the date as YYYY-MM-DD, e.g. 2026-09-30")


class _Text(_Spec):
    """A label: plain text, or one per language {en: ..., zh: ...}."""

    desc = "text or {en: ..., zh: ...}"

    def __init__(self, empty_ok: bool = False):
        self.empty_ok = empty_ok

    def norm(self, value, path, v):
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value).strip()
            if not text and self.empty_ok:
                return ""
            if not text:
                v.add(path, "is empty; write the label, or one per language {en: ..., zh: ...}")
                return _INVALID
            return text
        if isinstance(value, Mapping):
            out, ok = {}, True
            if not value:
                v.add(path, "is empty; write the label, or one per language {en: ..., zh: ...}")
                return _INVALID
            for lang, text in value.items():
                if lang not in LANGUAGES:
                    v.add(f"{path}.{lang}", f"unknown language; {_near(str(lang), LANGUAGES)}"
                                            f"use {' | '.join(LANGUAGES)}")
                    ok = False
                elif not isinstance(text, (str, int, float)) or isinstance(text, bool) \
                        or not str(text).strip():
                    v.add(f"{path}.{lang}", f"{_short(text)} is not a label; write the text")
                    ok = False
                else:
                    out[lang] = str(text).strip()
            return out if ok else _INVALID
        return self.bad(value, path, v)


class _List(_Spec):
    def __init__(self, item: _Spec, desc="a list", min_len=0, hint=None, keep_empty=False):
        self.item, self.desc, self.min_len, self.hint = item, desc, min_len, hint
        self.keep_empty = keep_empty   # an empty list is a problem but stays a list, so the
        #                                checks that depend on it still run (e.g. items in
        #                                no indicator, while the consultant fills them in)

    def norm(self, value, path, v):
        if not isinstance(value, list):
            return self.bad(value, path, v, hint=self.hint or f"write it as a YAML list, "
                                                              f"e.g. [a, b] or '- a' lines")
        if len(value) < self.min_len:
            v.add(path, f"is empty; {self.hint or 'give at least one entry'}")
            return [] if self.keep_empty and not value else _INVALID
        out = []
        for i, x in enumerate(value):
            p = f"{path}[{i}]"
            if x is None:
                v.add(p, "is empty; remove the empty '-' entry or fill it in")
                out.append(_INVALID)
            else:
                out.append(self.item.norm(x, p, v))
        return out


class _Field:
    def __init__(self, spec: _Spec, default=_REQUIRED, hint: str | None = None):
        self.spec, self.default, self.hint = spec, default, hint


class _Map(_Spec):
    def __init__(self, fields: dict[str, _Field], desc="a mapping of keys to values"):
        self.fields, self.desc = fields, desc

    def norm(self, value, path, v):
        if not isinstance(value, Mapping):
            return self.bad(value, path, v, hint=f"write it as keys under {path or 'the file'} "
                                                  f"({', '.join(self.fields)})")
        out: dict[str, Any] = {}
        for key in value:
            if key not in self.fields:
                kp = _join(path, str(key))
                near = _near(str(key), self.fields)
                v.add(kp, f"unknown key; {near or 'remove it; '}allowed here: "
                          f"{', '.join(self.fields)}")
        for key, field in self.fields.items():
            kp = _join(path, key)
            if key not in value:
                if field.default is _REQUIRED:
                    v.add(kp, f"missing; add it ({field.hint or field.spec.desc})")
                    out[key] = _INVALID
                elif field.default is not _ABSENT:
                    out[key] = field.spec.norm(copy.deepcopy(field.default), kp, v) \
                        if isinstance(field.spec, _Map) else copy.deepcopy(field.default)
                continue
            x = value[key]
            if x is None and isinstance(field.spec, _Map) and field.default not in (_REQUIRED, _ABSENT):
                out[key] = field.spec.norm(copy.deepcopy(field.default), kp, v)  # empty section
                continue
            if x is None and not field.spec.nullable:
                if isinstance(field.spec, _Choice) and field.spec.null_as is not None:
                    out[key] = field.spec.null_as
                    continue
                if field.default in (_REQUIRED, _ABSENT) or field.default is None:
                    v.add(kp, f"has no value; give {field.hint or field.spec.desc}"
                              + ("" if field.default is _REQUIRED else " or remove the key"))
                else:
                    v.add(kp, f"has no value; give {field.hint or field.spec.desc}, or remove the "
                              f"key to use the default ({_short(field.default)})")
                out[key] = _INVALID
                continue
            out[key] = None if x is None else field.spec.norm(x, kp, v)
        return out


class _Dict(_Spec):
    """Free keys (e.g. label -> value) with one spec for every value."""

    def __init__(self, value: _Spec, desc: str, key_desc="a key", nullable=False, min_len=0,
                 hint=None):
        self.value, self.desc, self.key_desc = value, desc, key_desc
        self.nullable, self.min_len, self.hint = nullable, min_len, hint

    def norm(self, value, path, v):
        if not isinstance(value, Mapping):
            return self.bad(value, path, v, hint=self.hint)
        if len(value) < self.min_len:
            v.add(path, f"is empty; {self.hint or 'give at least one entry'}")
            return _INVALID
        out = {}
        for key, x in value.items():
            if isinstance(key, bool) or key is None:
                v.add(_join(path, str(key)), f"{_short(key)} is not usable as {self.key_desc}; "
                                             "quote it in the YAML, e.g. 'yes'")
                continue
            k = str(key).strip()
            out[k] = self.value.norm(x, _join(path, k), v) if x is not None else \
                self._none(_join(path, k), v)
        return out

    def _none(self, path, v):
        v.add(path, f"has no value; give {self.value.desc}")
        return _INVALID


class _SheetSpec(_Spec):
    """An Excel sheet: its name or 0-based index; null = the first sheet."""

    desc = "a sheet name or index"
    nullable = True

    def norm(self, value, path, v):
        if value is None or (isinstance(value, int) and not isinstance(value, bool)
                             and value >= 0):
            return value
        if isinstance(value, str) and value.strip():
            return value.strip()
        return self.bad(value, path, v, "a sheet name or a 0-based sheet index",
                        "give the sheet's name as Excel shows it, or 0 for the first sheet")


class _NFactors(_Spec):
    desc = "auto or a whole number >= 1"

    def norm(self, value, path, v):
        if value == "auto":
            return value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        return self.bad(value, path, v, hint="write auto (parallel analysis decides) or the "
                                             "number of factors, e.g. 6")


class _Validator:
    def __init__(self, params_file: Path | None):
        self.problems: list[str] = []
        self.notes: list[str] = []   # what was found (formats, excluded columns): not problems
        self.params_file = Path(params_file).resolve() if params_file else None
        self.root = self.params_file.parent.parent if self.params_file else Path.cwd()

    def add(self, path: str, message: str) -> None:
        line = f"{path}: {message}" if path else message
        if line not in self.problems:
            self.problems.append(line)

    def show(self, path: str | Path) -> str:
        p = Path(path)
        if not p.is_absolute():
            p = self.root / p
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(p)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _short(value) -> str:
    text = repr(value) if not isinstance(value, (list, dict)) else \
        (json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= 60 else text[:57] + "..."


def _near(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.lower() == word.lower()]
    return f"did you mean {close[0]!r}? " if close else ""


def _ok(x) -> bool:
    return x is not _INVALID


def _as_list(x) -> list:
    return x if isinstance(x, list) else []


def _as_dict(x) -> dict:
    return x if isinstance(x, dict) else {}
