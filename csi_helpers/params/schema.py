"""The params schema: every key of ``params/<client>.yaml``, its type, allowed values and
default (``params/_template.yaml`` documents the same keys; ``tests/test_params.py`` checks
they agree). ``_SCHEMA.norm(raw, "", v)`` validates a params mapping and fills defaults."""
from __future__ import annotations

from .specs import (_ABSENT, _Any, _Bool, _Choice, _Date, _Dict, _Field, _Int, _List, _Map,
                    _NFactors, _Num, _SheetSpec, _Str, _Text)
from .vocabulary import LANGUAGES, MODEL_LVS

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
        "industry": _Field(_Text(empty_ok=True), default=""),
        "language": _Field(_Choice(LANGUAGES), default="en"),
        "wave": _Field(_Str("a wave label, e.g. 2026-Q4", empty_ok=True), default=""),
        "currency": _Field(_Str("a currency code or sign, e.g. CNY or ¥", empty_ok=True),
                           default=""),
    }), hint="client: {id, name, language, wave}"),
    "report": _Field(_Map({
        "audience": _Field(_Choice(("auto", "trainer", "reviewer")), default="auto"),
        "pdf": _Field(_Bool(), default=True),
        "max_rows": _Field(_Int(3), default=15),
        "excel_max_rows": _Field(_Int(1, 1_048_573), default=100_000),
    }), default={}),
    "demo": _Field(_Map({
        "seed": _Field(_Int(0), hint="the generator's seed, a whole number"),
    }), default=_ABSENT),
    "framing": _Field(_Map({
        "context": _Field(_Text(empty_ok=True), default=""),
        "objectives": _Field(_List(_Text(), "a list of objectives"), default=[]),
        "questions": _Field(_Map({k: _Field(_Text(empty_ok=True), default="") for k in (
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
            "note": _Field(_Text(), default=_ABSENT),
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
    }), default=_ABSENT),         # absent: no survey to analyse (system._check_engagement)
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
        }), default=_ABSENT),     # absent: a CRM-only engagement (notebooks 02-04, 06 left out)
        **{key: _Field(_Map(dict(_CRM_SOURCE)), default=_ABSENT)
           for key in ("customers", "transactions", "visits", "acquisition", "channel_costs",
                       "complaints", "ratings")},
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
    "tracking": _Field(_Map({
        "compare_with": _Field(_List(_Str("a wave label or run id")), default=[]),
        "bootstrap": _Field(_Int(100), default=1000),
        "permutations": _Field(_Int(100), default=1000),
        "seed": _Field(_Int(0), default=20261202),
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
        "loyalty": _Field(_Map({
            "high": _Field(_Num(0, 100), default=60),
            "low": _Field(_Num(0, 100), default=40),
        }), default={}),
        "lifecycle": _Field(_Map({
            # periods the lifecycle compares: 12 (years) or a divisor of 12 (system.py)
            "months": _Field(_Int(1, 12, hint="use 12 (years), 6, 4, 3, 2 or 1"), default=12),
        }), default={}),
        "early_adopters": _Field(_Map({
            "launches": _Field(_List(_Map({
                "category": _Field(_Str("a product category of the transactions"),
                                   hint="the category as the transactions' category column "
                                        "writes it"),
                "launched": _Field(_Date(), hint="the launch date, YYYY-MM-DD"),
            })), default=[]),
            "days": _Field(_Int(1, 730), default=90),
        }), default={}),
        "contacts": _Field(_Map({
            "vip_days": _Field(_Int(1, 366), default=90),
            "buyer_days": _Field(_Int(1, 366), default=120),
            "group_days": _Field(_Int(1, 366), default=30),
        }), default={}),
        "clv": _Field(_Map({
            "horizon_months": _Field(_Int(1, 120), default=12),
            "discount": _Field(_Num(0, 0.5), default=0.01),
            "holdout_months": _Field(_Int(1, 36), default=12),
        }), default={}),
        "negative_amounts": _Field(_Choice(("drop", "net", "error"), nullable=True),
                                   default=None),
    }), default={}),
    # customer management beyond tiering (METHOD.md §5-6): each read by its module
    # (csi_helpers.customers.channels / complaints / value_rating)
    "channels": _Field(_Map({
        "since": _Field(_Date(nullable=True), default=None),
        "verdict": _Field(_Map({
            "min_customers": _Field(_Int(1), default=30),
            "min_conversion": _Field(_Num(0, 1, nullable=True), default=None),
            "relative_conversion": _Field(_Num(0, 1), default=0.5),
            "min_return": _Field(_Num(0, nullable=True), default=1.0),
            "max_cost_per_buyer": _Field(_Num(0, nullable=True), default=None),
            "min_retention": _Field(_Num(0, 1, nullable=True), default=None),
        }), default={}),
    }), default={}),
    "complaints": _Field(_Map({
        "causes": _Field(_Dict(_List(_Str("a complaint category")),
                               "a mapping cause -> the client's categories", "a cause"),
                         default={}),
        "pareto_share": _Field(_Num(0, 1, lo_open=True), default=0.80),
        "response_hours": _Field(_Num(0, lo_open=True), default=24),
    }), default={}),
    "value_rating": _Field(_Any(), default={}),    # value_rating.check_spec checks it
})
