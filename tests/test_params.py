"""params: validation of every bad case (key path named), data checks, template, readers.

The data are small synthetic files written to tmp folders here (csi_helpers.demo is not
used): a GBK survey with the demo's columns and UTF-8 CRM / fieldwork files.
"""
from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path

import pytest
import yaml

from csi_helpers import params
from csi_helpers.errors import CSIInputError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "params" / "demo.yaml"
TEMPLATE = ROOT / "params" / "_template.yaml"
ZH = ["非常不满意", "不满意", "一般", "满意", "非常满意"]


# --------------------------------------------------------------------------- fixtures
def demo_raw() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def write_survey(path: Path, items, segments=None, extra=(), n=40, encoding="gbk", seed=1,
                 duration_bad=False):
    """A small survey export with the demo's columns: ids, status, duration, segments,
    items answered with Chinese labels (some 不知道, empty or a stray 9)."""
    rng = random.Random(seed)
    segments = segments or {"region": ["North", "South", "East", "West"],
                            "channel": ["store", "online", "phone"]}
    cols = ["respondent_id", "customer_id", "status", "start_time", "duration_sec",
            *segments, *items, *extra, "comment"]
    lines = [",".join(cols)]
    for i in range(n):
        row = [f"R{i + 1:05d}", f"C{i:05d}" if i % 3 == 0 else "", "complete" if i % 7 else "partial",
               f"2026-10-{1 + i % 28:02d}T10:00:00",
               "abc" if duration_bad and i == 5 else str(120 + 10 * i)]
        row += [vals[i % len(vals)] for vals in segments.values()]
        for _ in (*items, *extra):
            r = rng.random()
            row.append("不知道" if r < 0.03 else "" if r < 0.05 else "9" if r < 0.06
                       else ZH[rng.randrange(1, 5)])
        row.append("服务很好" if i % 5 == 0 else "")
        lines.append(",".join(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def write_crm(folder: Path, truth=True):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "customers.csv").write_text(
        "customer_id,customer_type,region,city,gender,joined,cooperation,loyalty\n"
        "C00000,agent,North,北京,F,2023-01-05,5,4\n"
        "C00003,franchisee,South,广州,M,2023-06-30,3,3\n"
        "C00006,retail,East,上海,F,2024-02-11,4,5\n", encoding="utf-8")
    (folder / "transactions.csv").write_text(
        "transaction_id,customer_id,date,amount,category\n"
        "T0,C00003,2023-03-06,500,tv\n"   # three full years to 2026-03-05: the B rule's need
        "T1,C00000,2025-01-03,1200.50,fridge\nT2,C00003,2025-02-04,300,tv\n"
        "T3,C00006,2026-03-05,99.9,small\n"
        "T4,C00000,2026-03-02,2999,smart_refrigerators\n",   # the demo's launch
        encoding="utf-8")
    (folder / "visits.csv").write_text("customer_id,date\nC00000,2026-01-02\nC00003,2026-02-03\n",
                                       encoding="utf-8")
    (folder / "notes.csv").write_text(
        "note_id,method,session_id,participant,date,theme,theme_label,sentiment,excerpt\n"
        "N1,internal_interview,S1,manager,2026-09-01,waiting_time,Waiting time,negative,排队太久\n"
        "N2,focus_group,S2,P3,2026-09-05,staff,Staff,positive,店员很专业\n", encoding="utf-8")
    (folder / "secondary.csv").write_text(
        "source_id,title,publisher,year,kind,summary\n"
        "D1,Appliance market 2025,Stats bureau,2025,public,Market grew 4%\n", encoding="utf-8")
    if truth:
        (folder / "truth.json").write_text(json.dumps({"seed": 1}), encoding="utf-8")


DEMO_ITEMS = [f"Q{i:02d}" for i in range(1, 26)]
DEMO_COMP = ["Q17_compA", "Q17_compB", "Q07_compA", "Q07_compB"]


def demo_project(tmp_path: Path, raw: dict | None = None, data=True, **survey_kw) -> Path:
    """tmp/params/demo.yaml (the demo params, or `raw`) with synthetic data in tmp/data/demo/."""
    (tmp_path / "params").mkdir(exist_ok=True)
    path = tmp_path / "params" / "demo.yaml"
    if raw is None:
        shutil.copy(DEMO, path)
    else:
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if data:
        kw = dict(items=DEMO_ITEMS, extra=DEMO_COMP)
        kw.update(survey_kw)
        write_survey(tmp_path / "data" / "demo" / "survey.csv", **kw)
        write_crm(tmp_path / "data" / "demo")
    return path


def template_project(tmp_path: Path, client="acme") -> Path:
    (tmp_path / "params").mkdir(exist_ok=True)
    path = tmp_path / "params" / f"{client}.yaml"
    path.write_text(TEMPLATE.read_text(encoding="utf-8").replace("CLIENT_ID", client),
                    encoding="utf-8")
    write_survey(tmp_path / "data" / client / "survey.csv", [f"Q{i:02d}" for i in range(1, 14)],
                 segments={"region": ["North", "South"]}, encoding="utf-8-sig")
    write_crm(tmp_path / "data" / client, truth=False)
    return path


def problems_for(raw: dict) -> list[str]:
    return params.validate(raw, ROOT / "params" / "demo.yaml")


def assert_problem(problems: list[str], path: str, *fragments: str) -> str:
    """The problem line starting with `path:` that contains every fragment."""
    hits = [line for line in problems if line.startswith(path + ":")]
    assert hits, f"no problem at {path!r}; got:\n" + "\n".join(problems)
    for line in hits:
        if all(f in line for f in fragments):
            return line
    raise AssertionError(f"problem at {path!r} lacks {fragments}: {hits}")


# --------------------------------------------------------------------------- valid params
def test_demo_params_are_valid_as_written():
    assert problems_for(demo_raw()) == []


def test_demo_validates_clean_against_synthetic_gbk_data(tmp_path):
    path = demo_project(tmp_path)
    assert params.check(path) == []
    p = params.load(path)
    assert p["sources"]["survey"]["path"] == str(tmp_path / "data" / "demo" / "survey.csv")
    assert all(Path(s["path"]).is_absolute() for s in p["sources"].values())


def test_demo_with_absent_data_checks_clean(tmp_path):
    """Demo data are generated on demand: absent demo files are not problems."""
    path = demo_project(tmp_path, data=False)
    assert params.check(path) == []


def test_absent_files_of_a_real_client_are_problems(tmp_path):
    raw = demo_raw()
    del raw["demo"]
    path = demo_project(tmp_path, raw, data=False)
    problems = params.check(path)
    line = assert_problem(problems, "sources.survey.path", "data/demo/survey.csv does not exist")
    assert "fix the path" in line
    for key in ("customers", "transactions", "visits", "notes", "secondary", "truth"):
        assert_problem(problems, f"sources.{key}.path", f"data/demo/{key}.")


def test_template_validates_with_fixture_files(tmp_path):
    path = template_project(tmp_path)
    assert params.check(path) == []
    p = params.load(path)
    assert p["client"]["id"] == "acme"
    assert p["sources"]["survey"]["path"].endswith("data/acme/survey.csv")
    assert "CLIENT_ID" not in path.read_text(encoding="utf-8")


def _schema_keys(spec, prefix=""):
    from csi_helpers.params import _List, _Map  # noqa: PLC0415
    if isinstance(spec, _List):
        yield from _schema_keys(spec.item, prefix)
    if isinstance(spec, _Map):
        for key, field in spec.fields.items():
            yield key
            yield from _schema_keys(field.spec, prefix + key + ".")


def test_template_documents_every_key():
    text = TEMPLATE.read_text(encoding="utf-8")
    missing = [k for k in set(_schema_keys(params._SCHEMA)) if f"{k}:" not in text]
    assert missing == []


def test_template_values_are_the_defaults(tmp_path):
    """A params file giving only the required keys loads with the values the template
    writes (and documents as defaults) for analysis, fieldwork and tiering."""
    tpl = params.load(template_project(tmp_path))
    raw = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8").replace("CLIENT_ID", "acme"))
    minimal = {k: raw[k] for k in ("client", "indicator_system", "scale", "sources")}
    minimal["client"] = {"id": "acme", "name": "Acme"}
    minimal["indicator_system"] = {k: v for k, v in raw["indicator_system"].items()
                                   if k in ("model", "indicators", "items")}
    minimal["scale"] = {k: raw["scale"][k] for k in ("points", "labels")}
    (tmp_path / "params" / "min.yaml").write_text(yaml.safe_dump(minimal, allow_unicode=True),
                                                  encoding="utf-8")
    p = params.load(tmp_path / "params" / "min.yaml")
    for key in ("analysis", "fieldwork", "tiering"):
        assert p[key] == tpl[key], key
    assert p["indicator_system"]["csi"] == tpl["indicator_system"]["csi"]
    assert p["indicator_system"]["latent_variables"] == tpl["indicator_system"]["latent_variables"]
    assert p["client"]["language"] == "en" and p["client"]["wave"] == ""
    assert p["scale"]["reverse_items"] == [] and p["framing"]["competitors"] == []
    assert p["sources"]["survey"]["encoding"] == "auto"
    assert p["sources"]["survey"]["id_column"] == "respondent_id"


# --------------------------------------------------------------------------- bad cases
def _set(raw, dotted, value):
    obj = raw
    keys = dotted.split(".")
    for k in keys[:-1]:
        obj = obj[int(k)] if isinstance(obj, list) else obj[k]
    last = keys[-1]
    if value is _DEL:
        del obj[int(last) if isinstance(obj, list) else last]
    elif isinstance(obj, list):
        obj[int(last)] = value
    else:
        obj[last] = value


_DEL = object()

# (id, [(dotted key to set, value)], expected key path, fragments of the message)
BAD = [
    ("unknown-top-key", [("clinet", {"id": "x"})], "clinet", ["unknown key", "did you mean 'client'"]),
    ("unknown-nested-key", [("client.langauge", "zh")], "client.langauge",
     ["unknown key", "did you mean 'language'"]),
    ("unknown-key-no-suggestion", [("analysis.pls.zzz", 1)], "analysis.pls.zzz",
     ["unknown key", "allowed here: scheme, scaled, bootstrap, seed"]),
    ("missing-required", [("client.id", _DEL)], "client.id", ["missing; add it"]),
    ("missing-section", [("scale", _DEL)], "scales", ["missing"]),
    ("bad-client-id", [("client.id", "Acme Corp")], "client.id", ["lower-case"]),
    ("wrong-type-points", [("scale.points", "five")], "scale.points",
     ["'five' is not a whole number from 3 to 11"]),
    ("wrong-type-items", [("indicator_system.indicators.0.items", "Q01")],
     "indicator_system.indicators[0].items", ["'Q01' is not a list of item ids", "e.g. [Q07, Q08]"]),
    ("wrong-type-principle", [("indicator_system.indicators.2.principles.important", "yes")],
     "indicator_system.indicators[2].principles.important", ["true or false"]),
    ("wrong-type-section", [("scale", [5])], "scale", ["not a mapping"]),
    ("wrong-type-text", [("indicator_system.items.3.text", ["a"])],
     "indicator_system.items[3].text", ["not text or {en: ..., zh: ...}"]),
    ("unknown-label-language", [("indicator_system.latent_variables.0.name", {"en": "x", "fr": "y"})],
     "indicator_system.latent_variables[0].name.fr", ["unknown language"]),
    ("empty-value", [("fieldwork.cleaning.speeder_seconds", None)],
     "fieldwork.cleaning.speeder_seconds", ["has no value", "default (0)"]),
    ("language-enum", [("client.language", "fr")], "client.language", ["one of en | zh"]),
    ("model-enum", [("indicator_system.model", "ACSII")], "indicator_system.model",
     ["did you mean 'ACSI'"]),
    ("model-case", [("indicator_system.model", "ecsi")], "indicator_system.model",
     ["write it as 'ECSI'"]),
    ("weighting-enum", [("indicator_system.csi.weighting", "mean")],
     "indicator_system.csi.weighting", ["acsi | equal | custom"]),
    ("encoding-enum", [("sources.survey.encoding", "latin-1")], "sources.survey.encoding",
     ["auto | utf-8 | utf-8-sig | gbk | gb18030"]),
    ("missing-enum", [("analysis.missing", "casewise")], "analysis.missing", ["pairwise | listwise"]),
    ("efa-method-enum", [("analysis.efa.method", "pa")], "analysis.efa.method",
     ["minres | ml | principal"]),
    ("rotation-enum", [("analysis.efa.rotation", "quartimax")], "analysis.efa.rotation",
     ["oblimin | promax | varimax | none"]),
    ("n-factors", [("analysis.efa.n_factors", "three")], "analysis.efa.n_factors", ["auto"]),
    ("n-factors-too-many", [("analysis.efa.n_factors", 30)], "analysis.efa.n_factors",
     ["from 25 items"]),
    ("pls-scheme-enum", [("analysis.pls.scheme", "mode_b")], "analysis.pls.scheme",
     ["centroid | factorial | path"]),
    ("bootstrap-negative", [("analysis.pls.bootstrap", -1)], "analysis.pls.bootstrap", [">= 0"]),
    ("speeders-choice", [("fieldwork.cleaning.speeders", "remove")], "fieldwork.cleaning.speeders",
     ["drop | flag"]),
    ("duplicates-choice", [("fieldwork.cleaning.duplicates", "drop")],
     "fieldwork.cleaning.duplicates", ["keep_first | flag"]),
    ("partials-choice", [("fieldwork.cleaning.partials", "flag")], "fieldwork.cleaning.partials",
     ["drop | keep"]),
    ("missing-share-range", [("fieldwork.cleaning.max_missing_share", 1.5)],
     "fieldwork.cleaning.max_missing_share", ["<= 1"]),
    ("straightline-too-many", [("fieldwork.cleaning.straightline_min_items", 40)],
     "fieldwork.cleaning.straightline_min_items", ["25 items"]),
    ("speeders-need-duration", [("sources.survey.duration_column", None)],
     "fieldwork.cleaning.speeder_seconds", ["duration_column"]),
    ("partials-need-status", [("sources.survey.status_column", None)],
     "fieldwork.cleaning.partials", ["status_column"]),
    ("quota-shares", [("fieldwork.quota.region.West", 0.5)], "fieldwork.quota.region",
     ["sum to 1.3", "sum to 1"]),
    ("quota-counts-vs-target", [("fieldwork.quota.region", {"North": 300, "South": 300})],
     "fieldwork.quota.region", ["counts sum to 600", "target_responses is 1000"]),
    ("quota-negative", [("fieldwork.quota.region.West", -0.2)], "fieldwork.quota.region.West",
     [">= 0"]),
    ("abc-order", [("tiering.abc.a", 0.96)], "tiering.abc.b", ["greater than tiering.abc.a"]),
    ("abc-range", [("tiering.abc.b", 1.2)], "tiering.abc.b", ["<= 1"]),
    ("pyramid-increasing", [("tiering.pyramid.large", 0.005)], "tiering.pyramid.large",
     ["vip < large < ordinary"]),
    ("rfm-bins", [("tiering.rfm.bins", 1)], "tiering.rfm.bins", ["from 2 to 10"]),
    ("as-of-date", [("tiering.as_of", "30/09/2026")], "tiering.as_of", ["YYYY-MM-DD"]),
    ("cooperation-range", [("tiering.rule_abc.b_min_cooperation", 7)],
     "tiering.rule_abc.b_min_cooperation", ["<= 5"]),
    ("duplicate-indicator-id", [("indicator_system.indicators.1.id", "I01")],
     "indicator_system.indicators[1].id", ["duplicate indicator id 'I01'", "indicators[0].id"]),
    ("duplicate-item-id", [("indicator_system.items.1.id", "Q01")],
     "indicator_system.items[1].id", ["duplicate item id 'Q01'"]),
    ("duplicate-lv-id", [("indicator_system.latent_variables.1.id", "IMAG")],
     "indicator_system.latent_variables[1].id", ["duplicate latent variable id 'IMAG'"]),
    ("duplicate-competitor-id", [("framing.competitors.1.id", "compA")],
     "framing.competitors[1].id", ["duplicate competitor id"]),
    ("unknown-item-in-indicator", [("indicator_system.indicators.0.items.1", "Q99")],
     "indicator_system.indicators[0].items[1]", ["'Q99' is not in indicator_system.items"]),
    ("item-in-two-indicators", [("indicator_system.indicators.1.items", ["Q02", "Q01"])],
     "indicator_system.indicators[1].items[1]",
     ["already in indicator_system.indicators[0].items[0]", "exactly one"]),
    ("item-in-no-indicator", [("indicator_system.indicators.0.items", ["Q01"])],
     "indicator_system.items[2].id", ["'Q03' is in no indicator"]),
    ("empty-indicator", [("indicator_system.indicators.3.items", [])],
     "indicator_system.indicators[3].items", ["is empty"]),
    ("lv-not-in-model", [("indicator_system.indicators.4.lv", "QAUL")],
     "indicator_system.indicators[4].lv", ["not a latent variable of the ECSI model",
                                           "did you mean 'QUAL'"]),
    ("imag-in-acsi", [("indicator_system.model", "ACSI")], "indicator_system.indicators[0].lv",
     ["'IMAG' is not a latent variable of the ACSI model", "model: ECSI"]),
    ("model-lv-without-indicators", [("indicator_system.indicators.12.lv", "SAT")],
     "indicator_system.indicators", ["no indicator measures COMP"]),
    ("model-lv-left-out-with-indicators", [("indicator_system.latent_variables.6", _DEL)],
     "indicator_system.indicators[13].lv", ["'LOY' is not a latent variable of the ECSI model",
                                            "list it under indicator_system.latent_variables"]),
    ("custom-without-weights", [("indicator_system.csi.weighting", "custom")],
     "indicator_system.csi.weighting", ["positive weight"]),
    ("weight-without-custom", [("indicator_system.latent_variables.4.weight", 1)],
     "indicator_system.latent_variables[4].weight", ["only with csi.weighting: custom"]),
    ("indicator-weights-partial", [("indicator_system.indicators.0.weight", 2)],
     "indicator_system.indicators[1].weight", ["every indicator of IMAG"]),
    ("points-range", [("scale.points", 12)], "scale.points", ["from 3 to 11"]),
    ("points-too-few", [("scale.points", 2)], "scale.points", ["from 3 to 11"]),
    ("label-out-of-range", [("scale.labels.en.Very satisfied", 6)],
     "scale.labels.en.Very satisfied", ["outside 1..5"]),
    ("label-not-integer", [("scale.labels.zh.满意", 4.5)], "scale.labels.zh.满意",
     ["not a whole number"]),
    ("label-value-twice", [("scale.labels.zh.一般", 4)], "scale.labels.zh.满意",
     ["value 4 is also the value of '一般'"]),
    ("label-value-missing", [("scale.labels.zh.一般", 4)], "scale.labels.zh",
     ["no label for value(s) 3"]),
    ("label-language", [("scale.labels.fr", {"Bien": 1})], "scale.labels.fr",
     ["unknown language"]),
    ("label-two-meanings", [("scale.labels.en.一般", 2)], "scale.labels.en.一般",
     ["one label must mean one value"]),
    ("missing-label-is-answer", [("scale.missing_labels", ["一般"])], "scale.missing_labels[0]",
     ["also an answer label"]),
    ("reverse-unknown", [("scale.reverse_items", ["Q12", "Q99"])], "scale.reverse_items[1]",
     ["'Q99' is not in indicator_system.items"]),
    ("competitor-unknown-item", [("framing.competitors.0.columns", {"Q99": "Q17_compA"})],
     "framing.competitors[0].columns.Q99", ["not in indicator_system.items"]),
    ("objectives-type", [("framing.objectives", "grow")], "framing.objectives",
     ["not a list of objectives"]),
    ("segments-duplicate", [("sources.survey.segments", ["region", "region"])],
     "sources.survey.segments[1]", ["duplicate segment column"]),
    ("demo-seed-type", [("demo.seed", "abc")], "demo.seed", ["whole number"]),
]


@pytest.mark.parametrize("changes,path,fragments", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_case_names_the_key_path(changes, path, fragments):
    raw = demo_raw()
    for dotted, value in changes:
        _set(raw, dotted, value)
    problems = problems_for(raw)
    line = assert_problem(problems, path, *fragments)
    assert "; " in line, "each problem says what would fix it"


def test_every_problem_is_collected():
    raw = demo_raw()
    raw["client"]["langauge"] = "zh"
    raw["scale"]["points"] = "five"
    raw["indicator_system"]["indicators"][1]["id"] = "I01"
    raw["analysis"]["pls"]["bootstrap"] = -5
    raw["tiering"]["abc"] = {"a": 0.9, "b": 0.8}
    problems = problems_for(raw)
    for path in ("client.langauge", "scale.points", "indicator_system.indicators[1].id",
                 "analysis.pls.bootstrap", "tiering.abc.b"):
        assert_problem(problems, path)
    assert all("\n" not in line for line in problems)


def test_load_raises_params_error_with_every_problem(tmp_path):
    raw = demo_raw()
    raw["client"]["langauge"] = "zh"
    raw["scale"]["points"] = 20
    path = demo_project(tmp_path, raw, data=False)
    with pytest.raises(params.ParamsError) as info:
        params.load(path)
    assert isinstance(info.value, CSIInputError)
    assert len(info.value.problems) == 2
    assert "client.langauge" in str(info.value) and "params/demo.yaml" in str(info.value)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "params").mkdir()
    path = tmp_path / "params" / "acme.yaml"
    path.write_text("client:\n  id: acme\n  name: [unclosed\nscale: 5\n", encoding="utf-8")
    problems = params.check(path)
    assert len(problems) == 1 and problems[0].startswith("params/acme.yaml: line ")
    with pytest.raises(params.ParamsError):
        params.load(path)


def test_missing_params_file(tmp_path):
    (tmp_path / "params").mkdir()
    problems = params.check(tmp_path / "params" / "nope.yaml")
    assert problems == ["params/nope.yaml: params file not found; create it with `csi new "
                        "CLIENT` or fix the path"]


# --------------------------------------------------------------------------- data problems
def test_item_not_a_survey_column_message(tmp_path):
    items = [q for q in DEMO_ITEMS if q != "Q17"]
    raw = demo_raw()
    del raw["demo"]
    path = demo_project(tmp_path, raw, items=items)
    problems = params.check(path)
    assert ("indicator_system.items[16].id: 'Q17' is not a column of data/demo/survey.csv; "
            "add the column, or set items[].column to the export's header of the question"
            ) in problems


def test_survey_columns_named_by_params_must_exist(tmp_path):
    raw = demo_raw()
    raw["sources"]["survey"]["segments"] = ["region", "chanel"]
    raw["sources"]["survey"]["status_column"] = "state"
    raw["framing"]["competitors"][0]["columns"]["Q17"] = "Q17_compX"
    path = demo_project(tmp_path, raw)
    problems = params.check(path)
    assert_problem(problems, "sources.survey.segments[1]", "'chanel' is not a column",
                   "did you mean 'channel'")
    assert_problem(problems, "sources.survey.status_column", "'state' is not a column")
    assert_problem(problems, "framing.competitors[0].columns.Q17", "'Q17_compX' is not a column")


def test_id_column_must_exist(tmp_path):
    raw = demo_raw()
    raw["sources"]["survey"]["id_column"] = "resp_id"
    problems = params.check(demo_project(tmp_path, raw))
    assert_problem(problems, "sources.survey.id_column", "'resp_id' is not a column of "
                   "data/demo/survey.csv")


def test_quota_values_and_columns_found_in_data(tmp_path):
    raw = demo_raw()
    raw["fieldwork"]["quota"]["region"] = {"North": 0.25, "Nort": 0.25, "East": 0.3, "West": 0.2}
    raw["fieldwork"]["quota"]["age"] = {"young": 0.5, "old": 0.5}
    problems = params.check(demo_project(tmp_path, raw))
    assert_problem(problems, "fieldwork.quota.region.Nort", "not a value of column 'region'",
                   "found: East, North, South, West")
    assert_problem(problems, "fieldwork.quota.age", "'age' is not a column")


def test_declared_encoding_that_does_not_decode(tmp_path):
    raw = demo_raw()
    raw["sources"]["survey"]["encoding"] = "utf-8"
    problems = params.check(demo_project(tmp_path, raw))
    line = assert_problem(problems, "sources.survey", "data/demo/survey.csv", "line 2",
                          "not valid utf-8", "gbk")
    assert "sources.survey.encoding" in line


def test_non_numeric_duration_names_the_row(tmp_path):
    problems = params.check(demo_project(tmp_path, duration_bad=True))
    assert_problem(problems, "sources.survey.duration_column", "line 7", "'abc'")


def test_crm_files_required_columns_and_values(tmp_path):
    path = demo_project(tmp_path)
    data = tmp_path / "data" / "demo"
    (data / "customers.csv").write_text("customer_id,region\nC1,North\n", encoding="utf-8")
    (data / "transactions.csv").write_text("customer_id,date,amount\nC1,2025-01-01,12\n"
                                           "C1,2025-01-02,twelve\n", encoding="utf-8")
    (data / "notes.csv").write_text("note_id,method,session_id,theme\nN1,survey,S1,x\n",
                                    encoding="utf-8")
    (data / "truth.json").write_text("{not json", encoding="utf-8")
    problems = params.check(path)
    assert_problem(problems, "sources.customers", "data/demo/customers.csv", "'customer_type'")
    assert_problem(problems, "sources.transactions", "data/demo/transactions.csv", "line 3",
                   "'amount'", "'twelve'")
    assert_problem(problems, "sources.notes", "'method'", "internal_interview")
    assert_problem(problems, "sources.truth", "not readable JSON")
    assert not any(line.startswith(("sources.visits", "sources.secondary")) for line in problems)


def test_schema_and_data_problems_reported_together(tmp_path):
    raw = demo_raw()
    raw["client"]["langauge"] = "zh"
    path = demo_project(tmp_path, raw, items=DEMO_ITEMS[:-1])
    problems = params.check(path)
    assert_problem(problems, "client.langauge")
    assert_problem(problems, "indicator_system.items[24].id", "'Q25' is not a column")


# --------------------------------------------------------------------------- readers
def test_readers_on_demo_params():
    p = params.load(DEMO)
    b = params.blocks(p)
    assert list(b) == ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"]
    assert b["IMAG"] == ["Q01", "Q03", "Q02"] and b["SAT"] == ["Q17", "Q18", "Q19"]
    assert sorted(q for qs in b.values() for q in qs) == params.items(p) == DEMO_ITEMS
    assert [d["id"] for d in params.indicators(p)][:3] == ["I01", "I02", "I03"]
    assert params.label(p, "SAT", "zh") == "顾客满意度"
    assert params.label(p, "SAT") == "Customer satisfaction"      # client.language en
    assert params.label(p, "I05", "en") == "Product quality"
    assert params.label(p, "Q17", "zh") == "对公司的总体满意度"
    assert params.label(p, "compA") == "Brightline Electric"
    assert params.label(p, "CSI", "zh") == "顾客满意度指数"
    assert params.label(p, {"id": "x", "name": {"en": "Only English"}}, "zh") == "Only English"
    assert params.label(p, "unknown") == "unknown"
    labels = params.scale_labels(p)
    assert labels["非常满意"] == 5 and labels["Very dissatisfied"] == 1 and len(labels) == 10
    assert params.model_lvs(p) == params.MODEL_LVS["ECSI"]


def test_blocks_follow_model_order_not_params_order():
    p = params.load(DEMO)
    p = copy.deepcopy(p)
    p["indicator_system"]["indicators"].reverse()
    assert list(params.blocks(p)) == ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"]


def test_latent_variables_default_to_the_model(tmp_path):
    raw = demo_raw()
    del raw["indicator_system"]["latent_variables"]
    path = demo_project(tmp_path, raw, data=False)
    p = params.load(path)
    assert [lv["id"] for lv in p["indicator_system"]["latent_variables"]] == list(
        params.MODEL_LVS["ECSI"])
    assert params.label(p, "COMP", "zh") == "顾客抱怨"


def test_rotation_null_means_none(tmp_path):
    raw = demo_raw()
    raw["analysis"]["efa"]["rotation"] = None
    p = params.load(demo_project(tmp_path, raw, data=False))
    assert p["analysis"]["efa"]["rotation"] == "none"


def _key_paths(obj, prefix=()):
    if prefix:
        yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _key_paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:2]):
            yield from _key_paths(v, prefix + (i,))


def test_any_wrong_value_anywhere_is_a_problem_never_a_crash(tmp_path):
    """Every key of demo.yaml set to a value of the wrong kind: validate() and check()
    return problem lines, they never raise."""
    raw0 = demo_raw()
    demo_project(tmp_path)                      # data once
    for i, keys in enumerate(_key_paths(raw0)):
        for value in (None, "x", [{"a": None}], 3):
            raw = copy.deepcopy(raw0)
            obj = raw
            for k in keys[:-1]:
                obj = obj[k]
            obj[keys[-1]] = value
            problems = problems_for(raw)
            assert all(isinstance(line, str) and "\n" not in line for line in problems)
            if i % 11 == 0 and value == "x":  # a sample through check() with the data
                path = tmp_path / "params" / "demo.yaml"
                path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
                params.check(path)


# --------------------------------------------------------------------------- models
def _without_lv(raw: dict, lv: str) -> dict:
    system = raw["indicator_system"]
    system["latent_variables"] = [x for x in system["latent_variables"] if x["id"] != lv]
    dropped = [q for ind in system["indicators"] if ind["lv"] == lv for q in ind["items"]]
    system["indicators"] = [ind for ind in system["indicators"] if ind["lv"] != lv]
    system["items"] = [it for it in system["items"] if it["id"] not in dropped]
    raw["scale"]["reverse_items"] = [q for q in raw["scale"]["reverse_items"] if q not in dropped]
    raw["framing"]["competitors"] = [
        {**c, "columns": {k: v for k, v in c["columns"].items() if k not in dropped}}
        for c in raw["framing"]["competitors"]]
    return raw


def test_a_latent_variable_left_out_takes_its_paths(tmp_path):
    """ECSI without complaints: the classic 6-variable ECSI (and R plspm's satisfaction)."""
    raw = _without_lv(demo_raw(), "COMP")
    assert params.validate(raw, tmp_path / "params" / "x.yaml") == []
    p = params.load(demo_project(tmp_path, raw))
    assert params.model_lvs(p) == ("IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY")
    from csi_helpers import pls
    assert params.model_paths(p) == [e for e in pls.ECSI if "COMP" not in e]


def test_leaving_out_a_bridge_disconnects_the_model():
    raw = _without_lv(_without_lv(demo_raw(), "SAT"), "IMAG")
    problems = params.validate(raw)
    assert_problem(problems, "indicator_system.latent_variables", "SAT", "every model needs it")
    assert_problem(problems, "indicator_system.paths", "not connected",
                   "took their paths along")


def test_custom_model_paths_checked():
    raw = demo_raw()
    system = raw["indicator_system"]
    system["model"] = "custom"
    assert_problem(params.validate(raw), "indicator_system.paths", "missing")
    system["paths"] = [["QUAL", "SAT"], ["SAT", "LOY"], ["LOY", "QUAL"], ["SAT", "SAT"],
                       ["VAL", "SATT"], ["QUAL", "SAT"], ["QUAL"]]
    problems = params.validate(raw)
    assert_problem(problems, "indicator_system.paths[3]", "points to itself")
    assert_problem(problems, "indicator_system.paths[4]", "'SATT' is not in",
                   "did you mean 'SAT'")
    assert_problem(problems, "indicator_system.paths[5]", "listed twice")
    assert_problem(problems, "indicator_system.paths[6]", "not a pair")
    assert_problem(problems, "indicator_system.paths", "cycle", "QUAL -> SAT -> LOY -> QUAL")


def test_custom_model_with_own_latent_variables(tmp_path):
    raw = demo_raw()
    system = raw["indicator_system"]
    system["model"] = "custom"
    system["latent_variables"] = [{"id": lv["id"], "name": lv["name"]}
                                  for lv in system["latent_variables"]] + \
        [{"id": "TRUST", "name": {"en": "Trust", "zh": "信任"}}]
    system["paths"] = [["IMAG", "EXPE"], ["TRUST", "SAT"], ["EXPE", "QUAL"], ["QUAL", "VAL"],
                       ["VAL", "SAT"], ["SAT", "COMP"], ["SAT", "LOY"], ["IMAG", "SAT"]]
    assert_problem(params.validate(raw), "indicator_system.indicators",
                   "no indicator measures TRUST")
    moved = next(ind for ind in system["indicators"] if ind["lv"] == "QUAL")
    moved["lv"] = "TRUST"
    assert params.validate(raw) == []
    p = params.load(demo_project(tmp_path, raw))
    assert params.model_lvs(p)[-1] == "TRUST"
    assert params.model_paths(p) == [tuple(e) for e in system["paths"]]
    from csi_helpers import measurement
    blocks, paths = measurement.structural_model(p)
    assert blocks["TRUST"] == moved["items"] and ("TRUST", "SAT") in paths


def test_acsi_paths_are_the_models_own():
    raw = demo_raw()
    raw["indicator_system"]["paths"] = [["QUAL", "SAT"]]
    assert_problem(params.validate(raw), "indicator_system.paths", "set by the ECSI model")


def test_pls_options_from_params(tmp_path):
    from csi_helpers import measurement
    raw = demo_raw()
    raw["analysis"]["pls"] = {"scheme": "centroid", "scaled": False, "bootstrap": 0}
    p = params.load(demo_project(tmp_path, raw))
    assert measurement.pls_options(p) == {"scheme": "centroid", "scaled": False,
                                          "bootstrap": 0, "seed": p["analysis"]["seed"]}


def test_yaml_alias_bomb_is_refused(tmp_path):
    (tmp_path / "params").mkdir()
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    path = tmp_path / "params" / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    problems = params.check(path)
    assert len(problems) == 1 and "aliases (*name) expand to more than" in problems[0]
    ok = tmp_path / "params" / "ok.yaml"     # modest aliases stay allowed
    ok.write_text("p: &p {important: true}\nq: *p\n", encoding="utf-8")
    assert not any("aliases" in line for line in params.check(ok))


def test_constant_items_and_too_few_responses_are_found_before_a_run(tmp_path):
    raw = demo_raw()
    del raw["demo"]
    path = demo_project(tmp_path, raw, n=20)
    f = tmp_path / "data" / "demo" / "survey.csv"
    text = f.read_bytes().decode("gbk").splitlines()
    head = text[0].split(",")
    k = head.index("Q05")
    rows = [line.split(",") for line in text[1:]]
    for r in rows:
        r[k] = "满意"
    f.write_bytes(("\n".join([text[0]] + [",".join(r) for r in rows]) + "\n").encode("gbk"))
    problems = params.check(path)
    assert_problem(problems, "indicator_system.items[4]", "Q05 has the same answer in all")
    assert_problem(problems, "sources.survey", "complete responses, fewer than the 30")
