"""A client's params file: load, validate, check against the data, and read it.

``params/<client>.yaml`` says everything an engagement needs: who the client is, how the
problem is framed, the four-level indicator system (CSI > latent variables of the ACSI /
ECSI model > indicators > survey items), the Likert scale, where the data are, and the
analysis and tiering settings. ``params/_template.yaml`` documents every key, its allowed
values and its default; ``params/demo.yaml`` is the demo client.

- :func:`load` reads the YAML, validates it, fills the defaults and resolves every
  ``sources.*.path`` to an absolute path (relative paths are relative to the project
  root, the parent of the folder holding the YAML file). It raises :class:`ParamsError`
  listing every problem.
- :func:`validate` returns the problems of the params themselves (keys, types, values,
  ids, cross-references), empty if none; it reads no data file.
- :func:`check` is what ``csi validate`` reports: the problems of :func:`validate` and
  those of the data (files exist and are readable, the survey has the columns the params
  name, quota values occur in the data, each CRM file has its required columns and
  readable values). For a demo client (``demo:`` in the params) data files that are not
  there yet are skipped: they are generated on demand.

Every problem is one line naming the key path and the fix, e.g.::

    indicator_system.indicators[3].items[0]: 'Q17' is not a column of data/acme/survey.csv; add the column or fix the item id

Readers of a loaded dict: :func:`blocks`, :func:`items`, :func:`indicators`,
:func:`label`, :func:`scale_labels`, :func:`model_lvs`.

Example
-------
>>> from csi_helpers import params
>>> p = params.load("params/demo.yaml")            # doctest: +SKIP
>>> params.blocks(p)["SAT"]                        # doctest: +SKIP
['Q17', 'Q18', 'Q19']
>>> params.label(p, "SAT", "zh")                   # doctest: +SKIP
'顾客满意度'
"""
from __future__ import annotations

import copy
import datetime as _dt
import difflib
import json
import math
import re
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import CSIInputError, InputProblems

__all__ = [
    "ParamsError", "load", "validate", "check", "blocks", "items", "indicators", "label",
    "scale_labels", "model_lvs", "model_paths", "MODEL_LVS", "LV_NAMES",
]

#: The latent variables of each structural model, in the model's order.
MODEL_LVS: dict[str, tuple[str, ...]] = {
    "ACSI": ("EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"),
    "ECSI": ("IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"),
}
#: Standard names of the latent variables (used when ``latent_variables`` is omitted).
LV_NAMES: dict[str, dict[str, str]] = {
    "IMAG": {"en": "Corporate image", "zh": "企业形象"},
    "EXPE": {"en": "Customer expectations", "zh": "顾客期望"},
    "QUAL": {"en": "Perceived quality", "zh": "感知质量"},
    "VAL": {"en": "Perceived value", "zh": "感知价值"},
    "SAT": {"en": "Customer satisfaction", "zh": "顾客满意度"},
    "COMP": {"en": "Customer complaints", "zh": "顾客抱怨"},
    "LOY": {"en": "Customer loyalty", "zh": "顾客忠诚"},
}
LANGUAGES = ("en", "zh")
SOURCES = ("survey", "customers", "transactions", "visits", "notes", "secondary", "truth")


class ParamsError(CSIInputError):
    """The params (or the inputs they name) have problems; ``.problems`` lists them all,
    one line each: ``key.path: what is wrong; how to fix it``."""

    def __init__(self, problems: list[str], params_file: str | Path | None = None):
        self.problems = list(problems)
        self.params_file = params_file
        where = f" in {_show(params_file)}" if params_file else ""
        super().__init__(f"{len(self.problems)} problem(s){where}:\n  " + "\n  ".join(self.problems))


# =========================================================================== the schema
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

    def norm(self, value, path, v):
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value).strip()
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


# --------------------------------------------------------------------------- the params
_CLIENT_ID = r"[a-z0-9][a-z0-9_-]{0,63}"
_ITEM = _Str("an item id (a survey column name)")
_BOOLP = _Field(_Bool(), hint="true or false")

_SCALE = _Map({
    "points": _Field(_Int(3, 11, hint="set the number of answer categories, from 3 to 11"),
                     hint="the number of answer categories, e.g. 5"),
    "start": _Field(_Int(0, 1, hint="0 for a 0-10 scale, else 1"), default=1),
    "labels": _Field(_Dict(_Dict(_Any(), "a mapping label -> value", "a label", min_len=1),
                           "a mapping language -> labels", "a language", min_len=1,
                           hint="give {zh: {非常不满意: 1, ...}} and/or {en: {...}}"),
                     default=_ABSENT),
    "missing_labels": _Field(_List(_Str("a label")), default=[]),
    "reverse": _Field(_Bool(), default=False),
    "reverse_items": _Field(_List(_ITEM), default=[]),
}, desc="a mapping of keys to values (a scale: points, labels)")
_CRM_SOURCE = {
    "path": _Field(_Str("a file path"), hint="e.g. data/<client>/crm.xlsx"),
    "format": _Field(_Choice(("auto", "csv", "excel")), default="auto"),
    "sheet": _Field(_SheetSpec(), default=None),
    "encoding": _Field(_Choice(("auto", "utf-8", "utf-8-sig", "gbk", "gb18030")),
                       default="auto"),
    "columns": _Field(_Dict(_Str("their column header"), "a mapping our name -> their header",
                            "a column name"), default={}),
    "values": _Field(_Dict(_Dict(_Any(), "a mapping their value -> our value", "a value"),
                           "a mapping column -> {their value: our value}", "a column name"),
                     default={}),
    "keep_columns": _Field(_List(_Str("a column header")), default=[]),
}

_SCHEMA = _Map({
    "client": _Field(_Map({
        "id": _Field(_Str("a client id", _CLIENT_ID,
                          "use lower-case letters, digits, '-' and '_' (the file name "
                          "params/<id>.yaml)"), hint="the client id, e.g. acme"),
        "name": _Field(_Str("the client's name"), hint="the client's name"),
        "industry": _Field(_Str("the industry", empty_ok=True), default=""),
        "language": _Field(_Choice(LANGUAGES), default="en"),
        "wave": _Field(_Str("a wave label, e.g. 2026-Q4", empty_ok=True), default=""),
    }), hint="client: {id, name, language, wave}"),
    "demo": _Field(_Map({
        "seed": _Field(_Int(0), hint="the generator's seed, a whole number"),
    }), default=_ABSENT),
    "framing": _Field(_Map({
        "context": _Field(_Str("text", empty_ok=True), default=""),
        "objectives": _Field(_List(_Str("an objective"), "a list of objectives"), default=[]),
        "questions": _Field(_Map({k: _Field(_Str("text", empty_ok=True), default="") for k in (
            "drivers", "indicators", "influence", "channels", "collection", "cautions")}),
            default={}),
        "competitors": _Field(_List(_Map({
            "id": _Field(_Str("a competitor id", r"[A-Za-z0-9_-]+",
                              "use letters, digits, '-' and '_', e.g. compA")),
            "name": _Field(_Text()),
            "columns": _Field(_Dict(_Str("a survey column"), "a mapping item -> survey column",
                                    "an item id", hint="map our item to the survey column "
                                    "rating the competitor, e.g. {Q17: Q17_compA}"),
                              default={}),
        }), "a list of competitors"), default=[]),
    }), default={}),
    "indicator_system": _Field(_Map({
        "model": _Field(_Choice((*MODEL_LVS, "custom")), hint="ACSI, ECSI or custom"),
        "paths": _Field(_List(_List(_Str("a latent variable id"), "a pair [from, to]"),
                              "a list of [from, to] pairs"), default=_ABSENT),
        "csi": _Field(_Map({
            "name": _Field(_Text(), default={"en": "Customer Satisfaction Index",
                                             "zh": "顾客满意度指数"}),
            "weighting": _Field(_Choice(("acsi", "equal", "custom")), default="acsi"),
        }), default={}),
        "latent_variables": _Field(_List(_Map({
            "id": _Field(_Str("a latent variable id")),
            "name": _Field(_Text()),
            "weight": _Field(_Num(0), default=_ABSENT),
        }), "a list of latent variables"), default=_ABSENT),
        "indicators": _Field(_List(_Map({
            "id": _Field(_Str("an indicator id"), hint="an indicator id, e.g. I01"),
            "lv": _Field(_Str("a latent variable id"), hint="the latent variable it measures"),
            "name": _Field(_Text(), hint="{en: ..., zh: ...}"),
            "items": _Field(_List(_ITEM, "a list of item ids", min_len=1,
                                  hint="list the survey items measuring it, e.g. [Q07, Q08]",
                                  keep_empty=True),
                            hint="the survey items measuring it, e.g. [Q07, Q08]"),
            "principles": _Field(_Map({k: _BOOLP for k in (
                "important", "controllable", "measurable", "comparable")}),
                hint="{important: true, controllable: true, measurable: true, "
                     "comparable: true}"),
            "note": _Field(_Str("text"), default=_ABSENT),
            "weight": _Field(_Num(0), default=_ABSENT),
        }), "a list of indicators", min_len=1), hint="the list of indicators"),
        "items": _Field(_List(_Map({
            "id": _Field(_ITEM, hint="the item id, e.g. Q01"),
            "column": _Field(_Str("the survey column's header"), default=_ABSENT),
            "text": _Field(_Text(), hint="the question text {en: ..., zh: ...}"),
            "scale": _Field(_Str("a scale name (a key of scales)"), default=_ABSENT),
            "reverse": _Field(_Bool(), default=_ABSENT),
            "weight": _Field(_Num(0), default=_ABSENT),
        }), "a list of items", min_len=1), hint="the list of survey items"),
    }), hint="indicator_system: {model, indicators, items}"),
    "scale": _Field(_SCALE, default=_ABSENT),
    "scales": _Field(_Dict(_SCALE, "a mapping scale name -> scale", "a scale name", min_len=1),
                     default=_ABSENT),
    "sources": _Field(_Map({
        "survey": _Field(_Map({
            "path": _Field(_Str("a file path"), hint="e.g. data/<client>/survey.csv"),
            "format": _Field(_Choice(("auto", "table", "wjx", "qualtrics", "spss")),
                             default="auto"),
            "sheet": _Field(_SheetSpec(), default=None),
            "encoding": _Field(_Choice(("auto", "utf-8", "utf-8-sig", "gbk", "gb18030")),
                               default="auto"),
            # absent: the platform's own column (问卷星 序号, Qualtrics ResponseId ...), see
            # csi_helpers.sources.survey.platform_defaults; null: none
            "id_column": _Field(_Str("a column name", nullable=True), default=_ABSENT),
            "customer_id_column": _Field(_Str("a column name", nullable=True), default=None),
            "status_column": _Field(_Str("a column name", nullable=True), default=_ABSENT),
            "status_values": _Field(_Map({
                "complete": _Field(_List(_Any(), "a list of values"), default=[]),
                "partial": _Field(_List(_Any(), "a list of values"), default=[]),
            }), default=_ABSENT),
            "duration_column": _Field(_Str("a column name", nullable=True), default=_ABSENT),
            "duration_unit": _Field(_Choice(("seconds", "minutes")), default="seconds"),
            "time_column": _Field(_Str("a column name", nullable=True), default=_ABSENT),
            "segments": _Field(_List(_Str("a column name")), default=[]),
            "keep_columns": _Field(_List(_Str("a column name")), default=[]),
        }), hint="survey: {path: data/<client>/survey.csv}"),
        **{key: _Field(_Map(dict(_CRM_SOURCE)), default=_ABSENT)
           for key in ("customers", "transactions", "visits")},
        **{key: _Field(_Map({"path": _Field(_Str("a file path"),
                                            hint=f"e.g. data/<client>/{key}."
                                                 f"{'json' if key == 'truth' else 'csv'}"),
                             **({} if key == "truth" else {
                                 "sheet": _Field(_SheetSpec(), default=None),
                                 "encoding": _Field(_Choice(("auto", "utf-8", "utf-8-sig",
                                                             "gbk", "gb18030")),
                                                    default="auto")})}),
                       default=_ABSENT)
           for key in ("notes", "secondary", "truth")},
    }), hint="sources: {survey: {path: ...}}"),
    "fieldwork": _Field(_Map({
        "target_responses": _Field(_Int(1, nullable=True), default=None),
        "quota": _Field(_Dict(_Dict(_Num(0), "a mapping value -> share or count",
                                    "a segment value", min_len=1),
                              "a mapping segment column -> {value: share}", "a column"),
                        default={}),
        "cleaning": _Field(_Map({
            "speeder_seconds": _Field(_Num(0), default=0),
            "straightline_min_items": _Field(_Int(2), default=10),
            "max_missing_share": _Field(_Num(0, 1), default=0.3),
            "speeders": _Field(_Choice(("drop", "flag")), default="drop"),
            "straightliners": _Field(_Choice(("drop", "flag")), default="drop"),
            "duplicates": _Field(_Choice(("keep_first", "flag")), default="keep_first"),
            "partials": _Field(_Choice(("drop", "keep")), default="drop"),
        }), default={}),
    }), default={}),
    "analysis": _Field(_Map({
        "missing": _Field(_Choice(("pairwise", "listwise")), default="pairwise"),
        "efa": _Field(_Map({
            "method": _Field(_Choice(("minres", "ml", "principal")), default="minres"),
            "rotation": _Field(_Choice(("oblimin", "promax", "varimax", "none"), null_as="none"),
                               default="oblimin"),
            "n_factors": _Field(_NFactors(), default="auto"),
        }), default={}),
        "parallel_iter": _Field(_Int(1), default=100),
        "pls": _Field(_Map({
            "scheme": _Field(_Choice(("centroid", "factorial", "path")), default="path"),
            "scaled": _Field(_Bool(), default=True),
            "bootstrap": _Field(_Int(0), default=500),
            "seed": _Field(_Int(0, nullable=True), default=None),
        }), default={}),
        "seed": _Field(_Int(0), default=1),
    }), default={}),
    "tiering": _Field(_Map({
        "as_of": _Field(_Date(nullable=True), default=None),
        "abc": _Field(_Map({
            "a": _Field(_Num(0, 1, lo_open=True), default=0.80),
            "b": _Field(_Num(0, 1, lo_open=True), default=0.95),
        }), default={}),
        "pyramid": _Field(_Map({
            "vip": _Field(_Num(0, 1, lo_open=True), default=0.01),
            "large": _Field(_Num(0, 1, lo_open=True), default=0.05),
            "ordinary": _Field(_Num(0, 1, lo_open=True), default=0.50),
        }), default={}),
        "rule_abc": _Field(_Map({
            "a_customer_types": _Field(_List(_Str("a customer type")), default=["agent"]),
            "a_top_share": _Field(_Num(0, 1, lo_open=True), default=0.20),
            "a_top_among": _Field(_List(_Str("a customer type")), default=["franchisee"]),
            "b_growth": _Field(_Num(-1, lo_open=True), default=0.10),
            "b_consecutive_years": _Field(_Int(1), default=2),
            "b_min_cooperation": _Field(_Num(1, 5), default=4),
        }), default={}),
        "tags": _Field(_Map({
            "window_days": _Field(_Int(1), default=365),
        }), default={}),
        "rfm": _Field(_Map({
            "bins": _Field(_Int(2, 10), default=5),
        }), default={}),
        "negative_amounts": _Field(_Choice(("drop", "net", "error"), nullable=True),
                                   default=None),
    }), default={}),
})


# =========================================================================== validation
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


def _show(path) -> str:
    if path is None:
        return ""
    from .sources.text import show_path
    return show_path(path)


#: Values a params file may expand to (YAML aliases can nest into billions: "billion laughs").
MAX_YAML_NODES = 200_000


def _expanded_size(node) -> tuple[int, int]:
    """(values the node graph expands to once aliases are followed, line of the first alias).

    Linear in the graph's size: each node's expanded size is computed once (aliases point
    to the same node object); the count stops growing past the limit.
    """
    memo: dict[int, int] = {}
    first_alias = [0]

    def size(n, seen_ids=()) -> int:
        key = id(n)
        if key in memo:
            if not first_alias[0] and getattr(n, "start_mark", None) is not None:
                first_alias[0] = n.start_mark.line + 1
            return memo[key]
        if key in seen_ids:          # a recursive alias: refuse as too large
            return MAX_YAML_NODES + 1
        memo[key] = 0
        total = 1
        if isinstance(n, yaml.SequenceNode):
            for child in n.value:
                total += size(child, (*seen_ids, key))
        elif isinstance(n, yaml.MappingNode):
            for k, child in n.value:
                total += size(k, (*seen_ids, key)) + size(child, (*seen_ids, key))
        total = min(total, MAX_YAML_NODES + 1)
        memo[key] = total
        return total

    if node is None:
        return 0, 0
    return size(node), first_alias[0]


def _read_yaml(path: Path, v: _Validator):
    where = v.show(path)
    if not path.exists():
        v.add(where, "params file not found; create it with `csi new CLIENT` or fix the path")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        v.add(where, f"line {line} is not UTF-8; save the params file as UTF-8")
        return None
    except OSError as exc:
        v.add(where, f"cannot be read ({exc.strerror}); check the file's permissions")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        size, alias_line = _expanded_size(node)
        if size > MAX_YAML_NODES:
            v.add(where, f"line {alias_line}: the YAML aliases (*name) expand to more than "
                         f"{MAX_YAML_NODES:,} values; write the values out instead of "
                         "nesting aliases")
            return None
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        v.add(where, f"{at}YAML syntax error ({what}); fix the indentation or quote the value")
        return None
    if raw is None:
        v.add(where, "the file is empty; start from params/_template.yaml (`csi new CLIENT`)")
        return None
    return raw


def _normalise(raw, params_file) -> tuple[dict | None, list[str]]:
    v = _Validator(Path(params_file) if params_file else None)
    if not isinstance(raw, Mapping):
        v.add("", f"the params file must be a mapping of keys (client, indicator_system, ...), "
                  f"got {type(raw).__name__}; start from params/_template.yaml")
        return None, v.problems
    p = _SCHEMA.norm(raw, "", v)
    _cross_checks(p, v)
    return p, v.problems


def _cross_checks(p: dict, v: _Validator) -> None:
    system = p.get("indicator_system")
    item_ids: list[str] = []
    if isinstance(system, dict):
        item_ids = _check_system(system, v)
    _check_scales(p, item_ids, v)
    fw = p.get("fieldwork")
    survey = (p.get("sources") or {}).get("survey") if isinstance(p.get("sources"), dict) else None
    survey = survey if isinstance(survey, dict) else {}
    if isinstance(fw, dict):
        _check_fieldwork(fw, survey, item_ids, v)
    if isinstance(survey, dict) and isinstance(survey.get("segments"), list):
        _dups(survey["segments"], "sources.survey.segments", "segment column", v,
              fix="list each column once")
    framing = p.get("framing")
    if isinstance(framing, dict) and isinstance(framing.get("competitors"), list):
        comps = framing["competitors"]
        _dups([c.get("id") if isinstance(c, dict) else _INVALID for c in comps],
              "framing.competitors", "competitor id", v, key="id")
        for i, comp in enumerate(comps):
            if not isinstance(comp, dict) or not isinstance(comp.get("columns"), dict):
                continue
            for item in comp["columns"]:
                if item_ids and item not in item_ids:
                    v.add(f"framing.competitors[{i}].columns.{item}",
                          f"{item!r} is not in indicator_system.items; use the id of the item "
                          "the competitor is rated on")
    analysis = p.get("analysis")
    if isinstance(analysis, dict) and isinstance(analysis.get("efa"), dict):
        nf = analysis["efa"].get("n_factors")
        if isinstance(nf, int) and item_ids and nf > len(item_ids):
            v.add("analysis.efa.n_factors", f"{nf} factors from {len(item_ids)} items; use auto "
                                            "or fewer factors than items")
    tiering = p.get("tiering")
    if isinstance(tiering, dict):
        abc = tiering.get("abc")
        if isinstance(abc, dict) and all(isinstance(abc.get(k), (int, float)) for k in "ab"):
            if not abc["a"] < abc["b"]:
                v.add("tiering.abc.b", f"{abc['b']} is not greater than tiering.abc.a "
                                       f"({abc['a']}); make 0 < a < b <= 1 (cumulative revenue "
                                       "shares closing tiers A and B)")
        pyr = tiering.get("pyramid")
        keys = ("vip", "large", "ordinary")
        if isinstance(pyr, dict) and all(isinstance(pyr.get(k), (int, float)) for k in keys):
            for lo, hi in zip(keys, keys[1:]):
                if not pyr[lo] < pyr[hi]:
                    v.add(f"tiering.pyramid.{hi}", f"{pyr[hi]} is not greater than "
                          f"tiering.pyramid.{lo} ({pyr[lo]}); make the top shares grow: "
                          "vip < large < ordinary <= 1")


def _dups(values, path, what, v, key=None, fix="give each a unique id or remove one") -> None:
    seen: dict = {}
    for i, x in enumerate(values):
        if not _ok(x) or x is None or not isinstance(x, (str, int)):
            continue
        if x in seen:
            kp = f"{path}[{i}]" + (f".{key}" if key else "")
            v.add(kp, f"duplicate {what} {x!r} (also at {path}[{seen[x]}]"
                      f"{'.' + key if key else ''}); {fix}")
        else:
            seen[x] = i


def _check_system(system: dict, v: _Validator) -> list[str]:
    model = system.get("model")
    model_lvs = MODEL_LVS.get(model) if isinstance(model, str) else None
    custom = model == "custom"
    lvs = system.get("latent_variables")
    if lvs is None and model_lvs:
        # not given: the model's latent variables with their standard names
        system["latent_variables"] = [{"id": lv, "name": dict(LV_NAMES[lv])} for lv in model_lvs]
        lvs = system["latent_variables"]
    elif lvs is None and custom:
        v.add("indicator_system.latent_variables",
              "missing; a custom model lists its latent variables, e.g. - {id: SAT, name: "
              "{en: Customer satisfaction, zh: 顾客满意度}}")
    lv_ids: list[str] = []
    if isinstance(lvs, list):
        lv_ids_all = [lv.get("id") if isinstance(lv, dict) else _INVALID for lv in lvs]
        _dups(lv_ids_all, "indicator_system.latent_variables", "latent variable id", v, key="id")
        for i, lid in enumerate(lv_ids_all):
            if isinstance(lid, str) and model_lvs and lid not in model_lvs:
                v.add(f"indicator_system.latent_variables[{i}].id",
                      f"{lid!r} is not a latent variable of the {model} model "
                      f"({', '.join(model_lvs)}); {_near(lid, model_lvs)}"
                      + ("set indicator_system.model: ECSI or remove it" if lid == "IMAG"
                         else "fix or remove it (or use model: custom with paths)"))
        lv_ids = [x for x in lv_ids_all if isinstance(x, str)]
        if model_lvs:   # the model's order; a latent variable left out takes its paths along
            lv_ids = [lv for lv in model_lvs if lv in lv_ids]
        if lv_ids and "SAT" not in lv_ids:
            v.add("indicator_system.latent_variables",
                  "SAT (customer satisfaction) is not among them; every model needs it: the "
                  "CSI and the importance-performance map are built on it. Add {id: SAT, ...}")
    _check_paths(system, model, lv_ids, v)
    model_lvs = tuple(lv_ids) if (model_lvs or custom) else None
    known_items: list[str] = []
    item_list = system.get("items")
    if isinstance(item_list, list):
        ids = [it.get("id") if isinstance(it, dict) else _INVALID for it in item_list]
        _dups(ids, "indicator_system.items", "item id", v, key="id")
        known_items = [x for x in ids if isinstance(x, str)]
    inds = system.get("indicators")
    used: dict[str, str] = {}
    covered_lvs: set[str] = set()
    if isinstance(inds, list):
        _dups([d.get("id") if isinstance(d, dict) else _INVALID for d in inds],
              "indicator_system.indicators", "indicator id", v, key="id")
        for k, ind in enumerate(inds):
            if not isinstance(ind, dict):
                continue
            path = f"indicator_system.indicators[{k}]"
            lv = ind.get("lv")
            if isinstance(lv, str) and model_lvs is not None:
                if lv not in model_lvs:
                    v.add(f"{path}.lv", f"{lv!r} is not a latent variable of the {model} model "
                                        f"({', '.join(model_lvs)}); {_near(lv, model_lvs)}"
                          + ("set indicator_system.model: ECSI or choose one of those"
                             if lv == "IMAG" and model == "ACSI" else
                             "choose one of those, or list it under "
                             "indicator_system.latent_variables"))
                else:
                    covered_lvs.add(lv)
            its = ind.get("items")
            if not isinstance(its, list):
                continue
            for j, q in enumerate(its):
                if not isinstance(q, str):
                    continue
                qp = f"{path}.items[{j}]"
                if known_items and q not in known_items:
                    v.add(qp, f"{q!r} is not in indicator_system.items; add it there with its "
                              "question text, or fix the item id")
                if q in used:
                    v.add(qp, f"{q!r} is already in {used[q]}; each item measures exactly one "
                              "indicator: remove it from one of them")
                else:
                    used[q] = f"{path}.items[{j}]"
            _weights_all_or_none(its, item_list, f"{path}.items", "item", v)
        if model_lvs is not None and all(isinstance(d, dict) and _ok(d.get("lv")) for d in inds):
            for lid in model_lvs:
                if lid not in covered_lvs:
                    v.add("indicator_system.indicators",
                          f"no indicator measures {lid}, a latent variable of the {model} model; add an "
                          f"indicator with lv: {lid}, or leave {lid} out of "
                          "indicator_system.latent_variables")
        # indicator weights: all or none within a latent variable
        by_lv: dict[str, list[tuple[int, dict]]] = {}
        for k, ind in enumerate(inds):
            if isinstance(ind, dict) and isinstance(ind.get("lv"), str):
                by_lv.setdefault(ind["lv"], []).append((k, ind))
        for lv, members in by_lv.items():
            given = [k for k, d in members if "weight" in d]
            if given and len(given) < len(members):
                missing = [k for k, d in members if "weight" not in d]
                v.add(f"indicator_system.indicators[{missing[0]}].weight",
                      f"missing while other indicators of {lv} have a weight; give every "
                      f"indicator of {lv} a weight, or none (equal weights)")
    if isinstance(item_list, list) and isinstance(inds, list) and \
            all(isinstance(d, dict) and _ok(d.get("items")) for d in inds):
        loose = [(i, it["id"]) for i, it in enumerate(item_list)
                 if isinstance(it, dict) and isinstance(it.get("id"), str)
                 and it["id"] not in used]
        if len(loose) > 3:   # one line, not one per item, while the system is being filled in
            ids = [q for _, q in loose]
            v.add("indicator_system.items", f"{len(ids)} items are in no indicator ("
                  f"{', '.join(ids[:12])}{' ...' if len(ids) > 12 else ''}); add each to the "
                  "items of the indicator it measures, or remove it from indicator_system.items")
        for i, q in (loose if len(loose) <= 3 else []):
            v.add(f"indicator_system.items[{i}].id",
                  f"{q!r} is in no indicator; add it to the items of one indicator "
                  "or remove it from indicator_system.items")
    csi = system.get("csi")
    if isinstance(csi, dict) and isinstance(lvs, list):
        weighting = csi.get("weighting")
        weighted = [(i, lv) for i, lv in enumerate(lvs) if isinstance(lv, dict) and "weight" in lv]
        if weighting == "custom":
            if not any(isinstance(lv.get("weight"), (int, float)) and lv["weight"] > 0
                       for _, lv in weighted):
                v.add("indicator_system.csi.weighting",
                      "'custom' needs a positive weight on at least one latent variable; add "
                      "indicator_system.latent_variables[].weight (normalised to sum 1)")
            for i, lv in weighted:
                if isinstance(lv.get("weight"), (int, float)) and lv["weight"] > 0 \
                        and isinstance(lv.get("id"), str) and inds and \
                        isinstance(inds, list) and covered_lvs and lv["id"] not in covered_lvs:
                    v.add(f"indicator_system.latent_variables[{i}].weight",
                          f"{lv['id']} has a weight but no indicators; add indicators or "
                          "remove the weight")
        elif isinstance(weighting, str) and weighted:
            i = weighted[0][0]
            v.add(f"indicator_system.latent_variables[{i}].weight",
                  f"weights are used only with csi.weighting: custom (it is {weighting!r}); "
                  "remove the weights or set indicator_system.csi.weighting: custom")
    return known_items


def _check_paths(system: dict, model, lv_ids: list[str], v: _Validator) -> None:
    """The structural model's paths: for ACSI / ECSI the standard paths among the latent
    variables listed; for ``custom`` the ``paths`` given. Unknown latent variables, a path
    to itself, repeated paths, cycles and latent variables not connected to the others are
    problems; ``system["paths"]`` is set to the model's paths."""
    from . import pls

    given = system.get("paths")
    if model in MODEL_LVS:
        if given is not None:
            v.add("indicator_system.paths", f"paths are set by the {model} model; remove them, "
                                            "or use model: custom to give your own")
        standard = pls.ECSI if model == "ECSI" else pls.ACSI
        paths = [(a, b) for a, b in standard if a in lv_ids and b in lv_ids]
    elif model == "custom":
        if given is None:
            v.add("indicator_system.paths", "missing; a custom model lists its paths, e.g. "
                                            "[[QUAL, SAT], [SAT, LOY]]")
            return
        if not isinstance(given, list) or not all(isinstance(x, (list, str)) or x is None
                                                  for x in given):
            return
        paths = []
        for i, pair in enumerate(given):
            kp = f"indicator_system.paths[{i}]"
            if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, str)
                                                                      for x in pair):
                v.add(kp, f"{_short(pair)} is not a pair [from, to] of latent variable ids")
                continue
            bad = [x for x in pair if x not in lv_ids]
            if bad:
                v.add(kp, f"{bad[0]!r} is not in indicator_system.latent_variables; "
                          f"{_near(bad[0], lv_ids)}add it there or fix the id")
                continue
            if pair[0] == pair[1]:
                v.add(kp, f"{pair[0]} -> {pair[0]} points to itself; remove it")
                continue
            if tuple(pair) in paths:
                v.add(kp, f"{pair[0]} -> {pair[1]} is listed twice; list each path once")
                continue
            paths.append(tuple(pair))
    else:
        return
    system["paths"] = [list(pth) for pth in paths]
    if not lv_ids:
        return
    # cycles (a recursive model is required by PLS path modelling)
    succ = {lv: [b for a, b in paths if a == lv] for lv in lv_ids}
    state: dict[str, int] = {}

    def visit(lv, trail):
        state[lv] = 1
        for nxt in succ[lv]:
            if state.get(nxt) == 1:
                return trail + [lv, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [lv])
                if found:
                    return found
        state[lv] = 2
        return None

    for lv in lv_ids:
        if lv not in state:
            cycle = visit(lv, [])
            if cycle:
                start = cycle.index(cycle[-1])
                v.add("indicator_system.paths", f"the paths form a cycle "
                      f"{' -> '.join(cycle[start:])}; PLS needs a model without cycles: "
                      "remove one of those paths")
                return
    # connected: every latent variable reaches the others through paths (either way)
    if len(lv_ids) > 1:
        seen, todo = {lv_ids[0]}, [lv_ids[0]]
        while todo:
            lv = todo.pop()
            for a, b in paths:
                for x, y in ((a, b), (b, a)):
                    if x == lv and y not in seen:
                        seen.add(y)
                        todo.append(y)
        alone = [lv for lv in lv_ids if lv not in seen]
        if alone:
            how = ("leaving out latent variables took their paths along; "
                   if model in MODEL_LVS else "")
            v.add("indicator_system.paths",
                  f"{', '.join(alone)} not connected to {lv_ids[0]} by any path; {how}connect "
                  "them (model: custom with paths) or remove them")


def _weights_all_or_none(ids, item_list, path, what, v) -> None:
    if not isinstance(item_list, list):
        return
    by_id = {it.get("id"): it for it in item_list if isinstance(it, dict)}
    members = [by_id.get(q) for q in ids if isinstance(q, str) and q in by_id]
    given = [m for m in members if "weight" in m]
    if given and len(given) < len(members):
        missing = [m["id"] for m in members if "weight" not in m]
        v.add(path, f"items {', '.join(missing)} have no weight while others of this indicator "
                    "do; give every item of the indicator a weight (in indicator_system.items), "
                    "or none")


def _check_scale(scale: dict, item_ids: list[str], v: _Validator, where: str = "scale") -> None:
    points = scale.get("points")
    start = scale.get("start") if isinstance(scale.get("start"), int) else 1
    top = points + start - 1 if isinstance(points, int) else None
    labels = scale.get("labels")
    merged: dict[str, tuple[int, str]] = {}
    if isinstance(labels, dict):
        for lang, mapping in labels.items():
            lp = f"{where}.labels.{lang}"
            if lang not in LANGUAGES:
                v.add(lp, f"unknown language; {_near(lang, LANGUAGES)}use {' | '.join(LANGUAGES)}")
                continue
            if not isinstance(mapping, dict):
                continue
            by_value: dict[int, str] = {}
            for label, value in mapping.items():
                kp = f"{lp}.{label}"
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                    mapping[label] = value
                if isinstance(value, bool) or not isinstance(value, int):
                    v.add(kp, f"{_short(value)} is not a whole number; give each label its value "
                              f"{start}..{top if top is not None else 'points'}")
                    mapping[label] = _INVALID
                    continue
                if isinstance(points, int) and not start <= value <= top:
                    v.add(kp, f"value {value} is outside {start}..{top} ({where}.points = "
                              f"{points}, start = {start}); use a value from {start} to {top}")
                    continue
                if value in by_value:
                    v.add(kp, f"value {value} is also the value of {by_value[value]!r}; each value "
                              "has exactly one label per language")
                else:
                    by_value[value] = label
                if label in merged and merged[label][0] != value:
                    v.add(kp, f"{label!r} is {merged[label][0]} in {where}.labels.{merged[label][1]} "
                              f"but {value} here; one label must mean one value")
                merged.setdefault(label, (value, lang))
            if isinstance(points, int) and all(_ok(x) for x in mapping.values()):
                missing = [str(x) for x in range(start, top + 1) if x not in by_value]
                if missing:
                    v.add(lp, f"no label for value(s) {', '.join(missing)} of the {points}-point "
                              "scale; give each value exactly one label")
    missing_labels = scale.get("missing_labels")
    if isinstance(missing_labels, list):
        for i, lab in enumerate(missing_labels):
            num = str(lab).strip()
            if top is not None and num.lstrip("-").isdigit() and start <= int(num) <= top:
                v.add(f"{where}.missing_labels[{i}]",
                      f"{lab!r} is an answer on this {start}..{top} scale, so it cannot also "
                      "mean no answer; remove it, or give the items that use it as 'no answer' "
                      "a scale of their own")
                continue
            if isinstance(lab, str) and lab in merged:
                v.add(f"{where}.missing_labels[{i}]", f"{lab!r} is also an answer label with value "
                                                   f"{merged[lab][0]}; remove it from one list")
        _dups(missing_labels, f"{where}.missing_labels", "label", v, fix="list each label once")
    reverse = scale.get("reverse_items")
    if isinstance(reverse, list):
        _dups(reverse, f"{where}.reverse_items", "item", v, fix="list each item once")
        for i, q in enumerate(reverse):
            if isinstance(q, str) and item_ids and q not in item_ids:
                v.add(f"{where}.reverse_items[{i}]", f"{q!r} is not in indicator_system.items; "
                                                   "fix the item id or remove it")


def _check_scales(p: dict, item_ids: list[str], v: _Validator) -> None:
    """`scale` (one scale) or `scales` (named scales): check each, resolve every item's
    scale, and normalise: ``p["scales"]`` always holds the named scales, each item its
    ``scale`` and ``column``, and ``p["scale"]`` the first scale with ``reverse_items`` the
    full list of reverse-keyed items (from scale defaults, ``items[].reverse`` and
    ``reverse_items``), so code reading one scale keeps working."""
    one, named = p.get("scale"), p.get("scales")
    if one is not None and named is not None:
        v.add("scales", "given together with scale; keep scales (named scales) and move the "
                        "scale block into it, e.g. scales: {satisfaction: {...}}")
        return
    if one is None and named is None:
        v.add("scales", "missing; add the answer scale, e.g. scales: {satisfaction: {points: 5, "
                        "labels: {zh: {非常不满意: 1, ...}}}} (or a single scale: block)")
        return
    if one is not None:
        if not isinstance(one, dict):
            return
        named = {"default": one}
        prefix = {"default": "scale"}
    else:
        if not isinstance(named, dict):
            return
        prefix = {k: f"scales.{k}" for k in named}
    for name, sc in named.items():
        if isinstance(sc, dict):
            _check_scale(sc, item_ids, v, prefix[name])
    names = list(named)
    system = p.get("indicator_system") if isinstance(p.get("indicator_system"), dict) else {}
    reversed_items: list[str] = []
    for sc in named.values():
        if isinstance(sc, dict) and isinstance(sc.get("reverse_items"), list):
            reversed_items += [q for q in sc["reverse_items"] if isinstance(q, str)]
    for i, it in enumerate(_as_list(system.get("items"))):
        if not isinstance(it, dict) or not isinstance(it.get("id"), str):
            continue
        sc = it.get("scale", names[0] if names else None)
        if isinstance(sc, str) and sc not in named:
            v.add(f"indicator_system.items[{i}].scale",
                  f"{sc!r} is not a scale; {_near(sc, names)}use one of {', '.join(names)} "
                  "(the keys of scales)")
            continue
        it["scale"] = sc
        if "column" not in it:
            it["column"] = it["id"]
        scale = named.get(sc) if isinstance(sc, str) else None
        rev = it.get("reverse", scale.get("reverse") if isinstance(scale, dict) else False)
        if rev is True and it["id"] not in reversed_items:
            reversed_items.append(it["id"])
        if rev is False and "reverse" in it and it["id"] in reversed_items:
            v.add(f"indicator_system.items[{i}].reverse",
                  f"false, but {it['id']} is in a reverse_items list; remove one of the two")
    if one is None:
        first = named[names[0]]
        if isinstance(first, dict):
            p["scale"] = {**first, "reverse_items": reversed_items}
    else:
        p["scales"] = {"default": one}
        if isinstance(one, dict):
            one["reverse_items"] = reversed_items


def _check_fieldwork(fw: dict, survey: dict, item_ids: list[str], v: _Validator) -> None:
    quota = fw.get("quota")
    target = fw.get("target_responses")
    if isinstance(quota, dict):
        for col, shares in quota.items():
            qp = f"fieldwork.quota.{col}"
            if not isinstance(shares, dict) or not all(isinstance(x, (int, float))
                                                       and not isinstance(x, bool)
                                                       for x in shares.values()):
                continue
            vals = list(shares.values())
            counts = all(isinstance(x, int) or float(x).is_integer() for x in vals) and \
                sum(vals) > 1
            if counts:
                total = int(sum(vals))
                if isinstance(target, int) and total != target:
                    v.add(qp, f"counts sum to {total} but fieldwork.target_responses is {target}; "
                              "make them agree or give shares summing to 1")
            elif abs(sum(vals) - 1.0) > 1e-3:
                v.add(qp, f"shares sum to {sum(vals):.4g}, not 1; make the shares sum to 1 "
                          "(or give whole-number counts)")
    cleaning = fw.get("cleaning")
    if isinstance(cleaning, dict):
        sm = cleaning.get("straightline_min_items")
        if isinstance(sm, int) and item_ids and sm > len(item_ids):
            v.add("fieldwork.cleaning.straightline_min_items",
                  f"{sm} is more than the {len(item_ids)} items; use at most {len(item_ids)}")
        sp = cleaning.get("speeder_seconds")
        if isinstance(sp, (int, float)) and sp > 0 and survey and "duration_column" in survey \
                and survey.get("duration_column") is None:
            v.add("fieldwork.cleaning.speeder_seconds",
                  f"{sp} needs the interview duration; set sources.survey.duration_column, or "
                  "set speeder_seconds: 0 (no speeder check)")
        if cleaning.get("partials") == "drop" and survey and "status_column" in survey \
                and survey.get("status_column") is None:
            v.add("fieldwork.cleaning.partials",
                  "'drop' needs the completion status; set sources.survey.status_column, or "
                  "set partials: keep")


# =========================================================================== public API
def validate(raw: Mapping, params_file: str | Path | None = None) -> list[str]:
    """Every problem of the params themselves, one line each; empty when they are valid.

    Checks keys (unknown keys with a "did you mean"), types, allowed values and ranges,
    duplicate ids, cross-references (indicator -> latent variable of the model, indicator ->
    item, every item in exactly one indicator, reverse-keyed items, competitor items),
    the scale (points 3..11, each language labelling every value once), quota shares and
    the tiering thresholds. It reads no data file: :func:`check` adds those checks.

    Example
    -------
    >>> validate({"client": {"id": "acme", "langauge": "zh"}}, "params/acme.yaml")[:1]
    ["client.langauge: unknown key; did you mean 'language'? allowed here: id, name, industry, language, wave"]
    """
    return _normalise(raw, params_file)[1]


def load(path: str | Path) -> dict:
    """Read ``params/<client>.yaml``, validate it, fill defaults, resolve source paths.

    Returns the params as a dict with the structure of ``params/demo.yaml`` (every optional
    key present with its default, see ``params/_template.yaml``; absent sources stay
    absent) and every ``sources.<name>.path`` an absolute path string. Raises
    :class:`ParamsError` listing every problem. The data files are not read (see
    :func:`check`).

    Example
    -------
    >>> p = load("params/demo.yaml")                      # doctest: +SKIP
    >>> p["analysis"]["efa"]["rotation"]                  # doctest: +SKIP
    'oblimin'
    """
    path = Path(path)
    v = _Validator(path)
    raw = _read_yaml(path.resolve(), v)
    if v.problems:
        raise ParamsError(v.problems, path)
    p, problems = _normalise(raw, path)
    if problems:
        raise ParamsError(problems, path)
    root = path.resolve().parent.parent
    for spec in p["sources"].values():
        if isinstance(spec, dict) and spec.get("path"):
            src = Path(spec["path"]).expanduser()
            spec["path"] = str((src if src.is_absolute() else root / src).resolve())
    resolve_survey(p["sources"]["survey"])
    return p


def resolve_survey(spec: dict) -> str:
    """Fill the survey's id / duration / status / time columns the params leave out with the
    platform's own (问卷星: 序号, 所用时间, 提交答卷时间; Qualtrics: ResponseId, ...), from the
    export's first rows; return the format found (``table`` when the file is absent)."""
    from .sources.survey import peek_format, platform_defaults

    path = Path(spec["path"]) if isinstance(spec.get("path"), str) else None
    fmt = "table"
    if path is not None and path.is_file():
        try:
            fmt = peek_format(path, spec.get("format") or "auto", spec.get("sheet"),
                              spec.get("encoding") or "auto")
        except (CSIInputError, OSError):
            fmt = "table"
    for key, default in platform_defaults(fmt).items():
        spec.setdefault(key, default)
    return fmt


def check(path: str | Path) -> list[str]:
    """Everything ``csi validate`` reports: the params' problems and the data's.

    Beyond :func:`validate`: each source file exists and is readable; the survey decodes in
    its encoding and has every column the params name (items, id / customer / status /
    duration columns, segments, competitor columns, quota columns) and readable durations;
    quota values occur in their column; the CRM and fieldwork files have their required
    columns and readable numbers, dates and codes (see :mod:`csi_helpers.sources`); ``truth``
    is valid JSON. For a demo client, files not generated yet are skipped without a
    problem (``csi demo`` and ``workbook.open`` generate them).

    Example
    -------
    >>> for line in check("params/acme.yaml"): print(line)    # doctest: +SKIP
    indicator_system.indicators[3].items[0]: 'Q17' is not a column of data/acme/survey.csv; add the column or fix the item id
    """
    path = Path(path)
    v = _Validator(path)
    raw = _read_yaml(path.resolve(), v)
    if v.problems:
        return v.problems
    p, problems = _normalise(raw, path)
    v.problems = list(problems)
    if p is None or not isinstance(p.get("sources"), dict):
        return v.problems
    _check_data(p, v)
    return v.problems


def check_report(path: str | Path) -> tuple[list[str], list[str]]:
    """(problems, notes) of ``csi validate``: :func:`check`'s problems, and what was found on
    the way (each export's format, the contact-data columns left out of the run)."""
    path = Path(path)
    v = _Validator(path)
    raw = _read_yaml(path.resolve(), v)
    if v.problems:
        return v.problems, []
    p, problems = _normalise(raw, path)
    v.problems = list(problems)
    if p is None or not isinstance(p.get("sources"), dict):
        return v.problems, []
    _check_data(p, v)
    return v.problems, v.notes


_NOUN = {"survey": "survey export", "customers": "customer export (CRM)",
         "transactions": "transaction export", "visits": "store-visit export",
         "notes": "coded interview and focus-group notes", "secondary": "secondary-data notes",
         "truth": "demo truth file"}


def _check_data(p: dict, v: _Validator) -> None:
    sources = p["sources"]
    demo = isinstance(p.get("demo"), dict)
    files: dict[str, Path] = {}
    for key in SOURCES:
        spec = sources.get(key)
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            continue
        f = Path(spec["path"]).expanduser()
        f = f if f.is_absolute() else v.root / f
        if not f.exists():
            if demo:
                continue  # generated on demand by csi_helpers.demo
            v.add(f"sources.{key}.path", f"{v.show(f)} does not exist; put the {_NOUN[key]} "
                                         "there, fix the path, or remove sources." + key
                  if key != "survey" else
                  f"{v.show(f)} does not exist; put the {_NOUN[key]} there or fix the path")
            continue
        if not f.is_file():
            v.add(f"sources.{key}.path", f"{v.show(f)} is a folder, not a file; point it at the "
                                         "file")
            continue
        files[key] = f
    if "survey" in files:
        _check_survey(p, files["survey"], v)
    from .sources import crm, fieldwork
    crm_tables = {}
    for key in ("customers", "transactions", "visits", "notes", "secondary"):
        if key not in files:
            continue
        spec = {**sources[key], "path": str(files[key])}
        try:
            if key in crm.KINDS:
                table = crm.load(key, spec)
                crm_tables[key] = table.data
                v.notes.append(f"sources.{key}: {v.show(files[key])} read as {table.read_as}; "
                               f"{len(table.data)} rows; columns "
                               + ", ".join(f"{ours} <- {theirs!r}"
                                           for ours, theirs in table.mapped.items()))
            else:
                getattr(fieldwork, f"read_{key}")(spec)
        except InputProblems as exc:
            for line in exc.problems:
                line = _relative(line, files[key], v)
                v.add("" if line.startswith(f"sources.{key}") else f"sources.{key}", line)
        except CSIInputError as exc:
            v.add(f"sources.{key}", _relative(str(exc), files[key], v))
    if "customers" in crm_tables and "transactions" in crm_tables and \
            not any(line.startswith("tiering.") for line in v.problems):
        from . import tiering
        for line in tiering.preflight(p, crm_tables["customers"], crm_tables["transactions"]):
            v.add("", line)
    if "truth" in files:
        try:
            json.loads(files["truth"].read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            v.add("sources.truth", f"{v.show(files['truth'])} is not readable JSON ({exc}); "
                                   "regenerate it (delete the demo data and run csi demo)")


def _relative(message: str, f: Path, v: _Validator) -> str:
    from .sources.text import show_path
    return message.replace(show_path(f), v.show(f), 1)


def _as_list(x) -> list:
    return x if isinstance(x, list) else []


def _as_dict(x) -> dict:
    return x if isinstance(x, dict) else {}


def _check_survey(p: dict, f: Path, v: _Validator) -> None:
    """The survey export: readable in its format, every column the params name present,
    durations and statuses readable, every text answer a label of its scale, quota values
    present; notes the format found and the contact-data columns left out."""
    from .sources import survey as survey_src
    from . import scales as scales_mod

    spec = p["sources"]["survey"]
    shown = v.show(f)
    try:
        export = survey_src.read_export(
            f, spec.get("format") if isinstance(spec.get("format"), str) else "auto",
            spec.get("sheet"), spec.get("encoding") if isinstance(spec.get("encoding"), str)
            else "auto")
    except CSIInputError as exc:
        v.add("sources.survey", _relative(str(exc), f, v))
        return
    v.notes.append(f"sources.survey: {shown} read as {export.describe()}")
    probe = dict(p)
    probe["sources"] = {**p["sources"], "survey": {**spec, "path": str(f)}}
    table = survey_src.survey_table(export, probe)
    for line in table.problems:
        if line not in v.problems:
            v.problems.append(line.replace(export.where, shown))
    if table.excluded:
        v.notes.append("sources.survey: left out of the run (contact data or free text; list "
                       "a column under sources.survey.keep_columns to keep it): "
                       + ", ".join(f"{c!r} ({k})" for c, k in table.excluded.items()))
    resolved = table.spec
    fw = p.get("fieldwork") if isinstance(p.get("fieldwork"), dict) else {}
    cleaning = fw.get("cleaning") if isinstance(fw.get("cleaning"), dict) else {}
    sp = cleaning.get("speeder_seconds")
    if isinstance(sp, (int, float)) and sp > 0 and resolved.get("duration_column") is None:
        v.add("fieldwork.cleaning.speeder_seconds",
              f"{sp} needs the interview duration, but {shown} ({export.format}) has no "
              "duration column; set sources.survey.duration_column, or speeder_seconds: 0")
    if cleaning.get("partials") == "drop" and resolved.get("status_column") is None \
            and "status_column" in spec:
        v.add("fieldwork.cleaning.partials",
              "'drop' needs the completion status; set sources.survey.status_column, or "
              "set partials: keep")
    data = table.data
    try:
        by_item = {q: sc for q, sc in item_scales(p).items() if q in data.columns}
    except (KeyError, TypeError, AttributeError):
        by_item = {}
    names = list((p.get("scales") or {}).keys()) if isinstance(p.get("scales"), dict) else []
    if by_item and all(isinstance(sc, dict) and isinstance(sc.get("points"), int)
                       for sc in by_item.values()):
        try:
            odd = scales_mod.unknown_answers(data, by_item)
        except CSIInputError:
            odd = None
        if odd is not None and len(odd):
            one = p.get("scales") is None or names == ["default"]
            for k, grp in odd.groupby("scale", sort=False):
                key = "scale" if one or k >= len(names) else f"scales.{names[k]}"
                shown_vals = ", ".join(
                    f"{r.raw!r} ({r.count} answer{'s' if r.count > 1 else ''} in "
                    f"{', '.join(r.items[:3])}{' ...' if len(r.items) > 3 else ''})"
                    for r in grp.head(5).itertuples())
                more = f" and {len(grp) - 5} more" if len(grp) > 5 else ""
                v.add(key, f"answers in {shown} that are no label of the scale: {shown_vals}"
                           f"{more}; add them to {key}.labels (or {key}.missing_labels if "
                           "they mean no answer), or give those items another scale")
    if by_item and len(by_item) == len(item_scales(p)) and all(
            isinstance(sc, dict) and isinstance(sc.get("points"), int) for sc in by_item.values()):
        _check_answers(p, data, by_item, resolved, shown, v)
    for col, shares in _as_dict(fw.get("quota")).items():
        if col not in export.data.columns:
            v.add(f"fieldwork.quota.{col}", f"{col!r} is not a column of {shown}; "
                                           f"{_near(col, list(export.data.columns))}use a "
                                           "segment column of the survey")
            continue
        if col not in data.columns:
            v.add(f"fieldwork.quota.{col}", f"{col!r} is not one of sources.survey.segments; "
                                           "list it there to check the quota")
            continue
        found = set(data[col].dropna().astype(str).unique())
        for value in _as_dict(shares):
            if str(value) not in found:
                shown_vals = ", ".join(sorted(found)[:12])
                v.add(f"fieldwork.quota.{col}.{value}",
                      f"{value!r} is not a value of column {col!r} in {shown} "
                      f"(found: {shown_vals}); {_near(str(value), sorted(found))}"
                      "fix the value")


#: Fewer complete responses than this (or than items + 1) cannot carry the models.
MIN_RESPONSES = 30


def _check_answers(p: dict, data, by_item: dict, spec: dict, shown: str, v: _Validator) -> None:
    """Items without answers or with one answer for everyone, and too few responses for the
    models: what would stop reliability, factor analysis and PLS minutes into a run."""
    from . import scales as scales_mod

    try:
        values = scales_mod.assign_scales(data, by_item, id_column=None).values
    except CSIInputError:
        return
    positions = {it["id"]: i for i, it in enumerate(p["indicator_system"]["items"])}
    for item in values.columns:
        answered = values[item].dropna()
        key = f"indicator_system.items[{positions[item]}]"
        if answered.empty:
            v.add(key, f"{item} has no answer on its scale in {shown}; check its column "
                       "(items[].column) and scale, or remove the item")
        elif answered.nunique() == 1:
            v.add(key, f"{item} has the same answer in all {len(answered)} responses; a constant "
                       "item carries no information and stops reliability and factor "
                       "analysis: remove it from the indicator system")
    status = spec.get("status_column")
    complete = len(data) if not status or status not in data.columns else \
        int((data[status] == "complete").sum())
    need = max(MIN_RESPONSES, len(values.columns) + 1)
    if complete < need:
        v.add("sources.survey", f"{shown} has {complete} complete responses, fewer than the "
                                f"{need} the models need ({MIN_RESPONSES} at least, and more "
                                f"than the {len(values.columns)} items); collect more "
                                "responses or reduce the items")


# =========================================================================== readers
def model_lvs(p: Mapping) -> tuple[str, ...]:
    """The latent variables of the params' model, in order: those listed under
    ``indicator_system.latent_variables`` (for ACSI / ECSI in the model's order; all of
    the model's when none are listed)."""
    system = p["indicator_system"]
    listed = [lv["id"] for lv in system.get("latent_variables") or []]
    if system.get("model") not in (*MODEL_LVS, "custom"):
        raise CSIInputError(f"indicator_system.model: {system.get('model')!r} is not a model; "
                            "use ACSI, ECSI or custom")
    std = MODEL_LVS.get(system["model"])
    if std:
        return tuple(lv for lv in std if lv in listed) if listed else std
    return tuple(listed)


def model_paths(p: Mapping) -> list[tuple[str, str]]:
    """The structural model's (from, to) paths: the standard ACSI / ECSI paths among the
    model's latent variables, or ``indicator_system.paths`` of a custom model."""
    system = p["indicator_system"]
    if system.get("model") == "custom":
        return [tuple(pth) for pth in system.get("paths") or []]
    from . import pls
    lvs = set(model_lvs(p))
    standard = pls.ECSI if system["model"] == "ECSI" else pls.ACSI
    return [(a, b) for a, b in standard if a in lvs and b in lvs]


def indicators(p: Mapping) -> list[dict]:
    """The indicators (dicts with id, lv, name, items, principles ...), in params order."""
    return [dict(d) for d in p["indicator_system"]["indicators"]]


def items(p: Mapping) -> list[str]:
    """The item ids of ``indicator_system.items``, in params order."""
    return [it["id"] for it in p["indicator_system"]["items"]]


def blocks(p: Mapping) -> dict[str, list[str]]:
    """``{lv_id: [item ids]}``: each latent variable's items (via its indicators), the
    latent variables in the model's order (IMAG, EXPE, QUAL, VAL, SAT, COMP, LOY), items in
    indicator order. This is the ``blocks`` argument of ``pls.fit`` and ``factors.cfa``.

    Example
    -------
    >>> blocks(load("params/demo.yaml"))["IMAG"]       # doctest: +SKIP
    ['Q01', 'Q03', 'Q02']
    """
    out: dict[str, list[str]] = {lv: [] for lv in model_lvs(p)}
    for ind in p["indicator_system"]["indicators"]:
        out.setdefault(ind["lv"], []).extend(ind["items"])
    return {lv: qs for lv, qs in out.items() if qs}


def _text(value, lang: str) -> str | None:
    if isinstance(value, Mapping):
        return value.get(lang) or value.get("en") or next(iter(value.values()), None)
    return str(value) if value not in (None, "") else None


def label(p: Mapping, obj: Any, lang: str | None = None) -> str:
    """The readable label of a latent variable, indicator, item, competitor or the CSI, in
    `lang` (default ``client.language``; falls back to English, then to any language, then
    to the id).

    `obj` is an id (``"SAT"``, ``"I05"``, ``"Q17"``, ``"compA"``, ``"CSI"``) or a dict
    from the params (its ``name`` or, for items, ``text``).

    Example
    -------
    >>> label(p, "SAT", "zh")          # doctest: +SKIP
    '顾客满意度'
    """
    lang = lang or (p.get("client") or {}).get("language") or "en"
    if lang not in LANGUAGES:
        raise CSIInputError(f"lang={lang!r}: use 'en' or 'zh' (client.language)")
    if isinstance(obj, Mapping):
        for key in ("name", "text"):
            t = _text(obj.get(key), lang)
            if t:
                return t
        return str(obj.get("id", ""))
    key = str(obj)
    system = p.get("indicator_system") or {}
    if key == "CSI":
        return _text((system.get("csi") or {}).get("name"), lang) or "CSI"
    for group, field in (("latent_variables", "name"), ("indicators", "name"), ("items", "text")):
        for x in system.get(group) or []:
            if x.get("id") == key:
                return _text(x.get(field), lang) or key
    for comp in ((p.get("framing") or {}).get("competitors") or []):
        if comp.get("id") == key:
            return _text(comp.get("name"), lang) or key
    if key in LV_NAMES:
        return LV_NAMES[key][lang]
    return key


def item_scales(p: Mapping) -> dict[str, dict]:
    """``{item id: its scale}`` (``scales.<name>`` or the single ``scale``), params order.

    Example
    -------
    >>> item_scales(load("params/demo.yaml"))["Q01"]["points"]     # doctest: +SKIP
    5
    """
    named = p.get("scales") or {"default": p["scale"]}
    first = next(iter(named))
    return {it["id"]: named[it.get("scale") or first] for it in p["indicator_system"]["items"]}


def item_points(p: Mapping) -> dict[str, int]:
    """``{item id: number of scale points}``."""
    return {q: int(sc["points"]) for q, sc in item_scales(p).items()}


def scale_points(p: Mapping):
    """The scale length of the items: one number when all items share it, else
    ``{item: points}`` (what ``indices.item_statistics`` and ``scales.distribution`` take)."""
    per = item_points(p)
    return next(iter(per.values())) if len(set(per.values())) == 1 else per


def reverse_items(p: Mapping) -> list[str]:
    """The reverse-keyed items (scale defaults, ``items[].reverse``, ``reverse_items``)."""
    return list((p.get("scale") or {}).get("reverse_items") or [])


def scale_labels(p: Mapping) -> dict[str, int]:
    """Every answer label -> its value, both languages merged (``scale.labels``)."""
    out: dict[str, int] = {}
    for mapping in (p["scale"]["labels"] or {}).values():
        out.update(mapping)
    return out
