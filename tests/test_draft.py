"""`csi new CLIENT --survey FILE ...`: the params draft from the client's exports.

The exports come from csi_helpers.demo_exports (one synthetic engagement written as 问卷星,
Qualtrics, SPSS / Stata, a plain table and a CRM workbook), whose ExportSet says which
item is where, on which scale, and which columns are contact data.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from csi_helpers import cli, params
from csi_helpers.demo_exports import write_exports
from csi_helpers.sources.draft import draft

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = ["wjx_text_csv", "wjx_code_csv", "wjx_text_xlsx", "wjx_code_xlsx", "qualtrics_csv",
           "qualtrics_xlsx", "spss_sav", "stata_dta", "table_csv"]
FORMAT = {"wjx": "wjx", "qualtrics": "qualtrics", "spss": "spss", "stata": "spss",
          "table": "table"}
HEADER = {"wjx": "wjx_header", "qualtrics": "qualtrics_id", "spss": "spss_name",
          "stata": "spss_name", "table": "table_name"}


def family(key: str) -> str:
    return key.split("_")[0]


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return write_exports(tmp_path_factory.mktemp("exports"), seed=7, n=200)


def make_project(root: Path) -> Path:
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "params" / "_template.yaml", root / "params" / "_template.yaml")
    return root


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "proj")
    monkeypatch.setenv("CSI_ROOT", str(root))
    return root


@pytest.fixture(scope="module")
def drafts(ex, tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("p") / "proj")
    return root, {k: draft("acme", survey=ex.paths[k], root=root) for k in SURVEYS}


def fill_indicators(p: dict, ex, key: str) -> dict:
    """The consultant's step: each item into the indicator of its latent variable."""
    col_to_id = {it.get("column", it["id"]): it["id"] for it in p["indicator_system"]["items"]}
    lv_of = {col_to_id[getattr(row, HEADER[family(key)])]: row.lv
             for row in ex.items.itertuples()}
    for ind in p["indicator_system"]["indicators"]:
        ind["items"] = [q for q, lv in lv_of.items() if lv == ind["lv"]]
    return p


# ------------------------------------------------------------------ every survey format
@pytest.mark.parametrize("key", SURVEYS)
def test_items_columns_and_scales_match_the_truth(drafts, ex, key):
    _, all_drafts = drafts
    d = all_drafts[key]
    p = d.params
    items = p["indicator_system"]["items"]
    expected = list(ex.items[HEADER[family(key)]])
    assert [it.get("column", it["id"]) for it in items] == expected       # file order
    assert len({it["id"] for it in items}) == len(items) == 15
    scales = p["scales"]
    coded = key.startswith("wjx_code")
    for it, truth in zip(items, ex.items.itertuples()):
        sc = scales[it["scale"]]
        want = ex.scales[truth.scale]
        assert (sc["points"], sc.get("start", 1)) == (want["points"], want["start"]), it
        if coded or truth.scale == "recommend":
            continue
        assert it["scale"] == truth.scale                                  # family named
        lang = "en" if family(key) == "qualtrics" else "zh"
        labels = want[f"labels_{lang}"]
        assert sc["labels"][lang] == {lab: k for k, lab in enumerate(labels, start=1)}
        assert list(it["text"]) == [lang]
    dont_know = {"wjx_code": "6", "qualtrics": "Don't know"}.get(
        key[:8] if coded else family(key), "不知道")
    for it, truth in zip(items, ex.items.itertuples()):
        if truth.dont_know and key != "stata_dta":   # Stata: 不知道 is system-missing
            assert dont_know in scales[it["scale"]].get("missing_labels", []), it


@pytest.mark.parametrize("key", SURVEYS)
def test_platform_columns_format_and_language(drafts, ex, key):
    root, all_drafts = drafts
    d = all_drafts[key]
    survey = d.params["sources"]["survey"]
    meta = ex.meta_columns[key]
    assert survey["format"] == FORMAT[family(key)]
    assert survey["path"] == str(ex.paths[key].resolve())                # outside the root
    assert survey["id_column"] == meta["respondent_id"]
    assert survey["duration_column"] == meta["duration"]
    assert survey["status_column"] == meta.get("status")                   # 问卷星: None
    assert survey["customer_id_column"] == meta["customer_id"]
    assert survey["time_column"] == ("StartDate" if family(key) == "qualtrics"
                                     else meta["submitted"])
    assert "status_values" not in survey         # complete/partial, True/False, 1/0, 完成
    if key.endswith("_xlsx"):
        assert survey["sheet"] == ("Sheet0" if family(key) == "qualtrics" else "Sheet1")
    if key.endswith("_csv"):
        assert survey["encoding"] == {"wjx": "gbk"}.get(family(key), "utf-8-sig")
    assert d.params["client"] == {"id": "acme", "name": "acme", "industry": "",
                                  "language": "en" if family(key) == "qualtrics" else "zh",
                                  "wave": "", "currency": ""}
    cleaning = d.params["fieldwork"]["cleaning"]
    assert 0 < cleaning["speeder_seconds"] < 200                           # a duration found
    assert cleaning["partials"] == ("keep" if family(key) == "wjx" else "drop")


@pytest.mark.parametrize("key", SURVEYS)
def test_contact_columns_are_excluded_never_items_or_segments(drafts, ex, key):
    _, all_drafts = drafts
    d = all_drafts[key]
    contact = set(ex.contact_columns[key])
    item_columns = {it.get("column", it["id"]) for it in d.params["indicator_system"]["items"]}
    assert not contact & item_columns
    assert contact <= set(d.excluded)
    assert not set(d.excluded) & item_columns
    line = next(s for s in d.summary if s.startswith("excluded as contact data"))
    assert all(repr(c) in line for c in contact)
    segments = [ln for ln in d.text.splitlines() if ln.strip().startswith("# segments:")]
    assert segments and not any(repr(c)[1:-1] in segments[0] for c in contact)
    # region suggested as a segment, never an item
    region = ex.meta_columns[key]["region"]
    assert region in yaml.safe_load(segments[0].split("#", 1)[1])["segments"]
    assert region not in item_columns


@pytest.mark.parametrize("key", SURVEYS)
def test_draft_is_valid_yaml_and_only_the_indicator_system_is_left(drafts, ex, key):
    root, all_drafts = drafts
    d = all_drafts[key]
    p = d.params
    assert isinstance(p, dict) and p["indicator_system"]["model"] == "ACSI"
    assert [i["lv"] for i in p["indicator_system"]["indicators"]] == \
        ["EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"]
    assert "TODO: put each item id into the indicator it measures" in d.text
    problems = params.validate(p, root / "params" / "acme.yaml")
    assert problems and all(x.startswith(("indicator_system.indicators[", "indicator_system.items")) for x in problems), \
        problems
    assert params.validate(fill_indicators(p, ex, key), root / "params" / "acme.yaml") == []


@pytest.mark.parametrize("key", ["wjx_text_csv", "wjx_code_xlsx", "qualtrics_csv", "spss_sav",
                                 "table_csv"])
def test_filled_draft_passes_the_full_data_check(ex, tmp_path, key):
    root = make_project(tmp_path / "proj")
    d = draft("acme", survey=ex.paths[key], root=root)
    target = root / "params" / "acme.yaml"
    target.write_text(d.text, encoding="utf-8")
    problems, notes = params.check_report(target)
    assert all(x.startswith(("indicator_system.indicators[", "indicator_system.items")) for x in problems), problems
    assert any("read as" in n for n in notes)
    target.write_text(yaml.safe_dump(fill_indicators(d.params, ex, key), allow_unicode=True,
                                     sort_keys=False), encoding="utf-8")
    assert params.check_report(target)[0] == []


def test_summary_says_what_was_found_and_what_is_left(drafts):
    _, all_drafts = drafts
    s = all_drafts["wjx_text_csv"].summary
    assert s[0].startswith("survey: ") and "问卷星 export (按选项文本)" in s[0]
    assert any(x.startswith("items: 15 questions on a scale") and "satisfaction (5 points"
               in x and "numeric_0_10 (11 points from 0" in x for x in s)
    assert any("'序号'" in x and "'所用时间'" in x for x in s)
    assert s[-1].startswith("left to decide: ") and "indicator" in s[-1]
    coded = all_drafts["wjx_code_csv"]
    assert "ASSUMED: code 6" in coded.text                  # said, not silently decided


def test_paths_inside_the_project_are_relative(ex, tmp_path):
    root = make_project(tmp_path / "proj")
    (root / "data" / "acme").mkdir(parents=True)
    inside = root / "data" / "acme" / "问卷星.xlsx"
    shutil.copy(ex.paths["wjx_text_xlsx"], inside)
    d = draft("acme", survey=inside, root=root)
    assert d.params["sources"]["survey"]["path"] == "data/acme/问卷星.xlsx"


# ------------------------------------------------------------------ scales from small files
def _csv(tmp_path, name, header, rows, encoding="utf-8"):
    path = tmp_path / name
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_seven_point_and_english_families_and_missing_words(tmp_path):
    seven = "非常不满意 不满意 比较不满意 一般 比较满意 满意 非常满意".split()
    en = ["Extremely dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied",
          "Somewhat satisfied", "Extremely satisfied"]
    rows = [[str(i), seven[i % 7], en[i % 5], ["是", "否"][i % 2], ["华东", "华南", "西部"][i % 3],
             "不适用" if i % 9 == 0 else ["非常不同意", "不同意", "同意", "非常同意"][i % 4],
             str(1 + i % 4)]
            for i in range(60)]
    path = _csv(tmp_path, "t.csv", ["respondent_id", "q_sat7", "q_en", "q_yes", "region",
                                    "q_agree4", "q_code4"], rows)
    d = draft("x", survey=path, root=tmp_path)
    p = d.params
    by_col = {it.get("column", it["id"]): it for it in p["indicator_system"]["items"]}
    assert set(by_col) == {"q_sat7", "q_en", "q_agree4"}        # yes/no, region, bare 1-4 out
    sat7 = p["scales"][by_col["q_sat7"]["scale"]]
    assert sat7["points"] == 7 and sat7["labels"]["zh"]["比较满意"] == 5
    en5 = p["scales"][by_col["q_en"]["scale"]]
    assert en5["labels"]["en"] == {lab: k for k, lab in enumerate(en, start=1)}
    agree4 = p["scales"][by_col["q_agree4"]["scale"]]
    assert agree4["points"] == 4 and agree4["missing_labels"] == ["不适用"]
    assert p["sources"]["survey"]["id_column"] == "respondent_id"
    assert p["sources"]["survey"]["status_column"] is None
    assert p["fieldwork"]["cleaning"]["speeder_seconds"] == 0        # no duration column
    assert p["fieldwork"]["cleaning"]["partials"] == "keep"
    assert p["fieldwork"]["cleaning"]["straightline_min_items"] == 3   # only 3 items
    assert all(x.startswith(("indicator_system.indicators[", "indicator_system.items"))
               for x in params.validate(p, tmp_path / "params" / "x.yaml"))


def test_unknown_status_values_are_drafted_for_checking(tmp_path):
    rows = [[str(i), ["有效", "有效", "无效"][i % 3], ["满意", "一般", "不满意"][i % 3]]
            for i in range(30)]
    path = _csv(tmp_path, "s.csv", ["编号", "状态", "q1"], rows)
    survey = draft("x", survey=path, root=tmp_path).params["sources"]["survey"]
    assert survey["id_column"] == "编号" and survey["status_column"] == "状态"
    assert survey["status_values"] == {"complete": ["有效"], "partial": ["无效"]}


# ------------------------------------------------------------------ the CLI
def test_cli_new_writes_the_draft_and_prints_the_summary(ex, project, capsys):
    folder = ex.paths["wjx_text_csv"].parent
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())
    code = cli.main(["new", "acme", "--survey", str(ex.paths["wjx_text_csv"])])
    out = capsys.readouterr().out
    assert code == 0
    target = project / "params" / "acme.yaml"
    assert target.read_text(encoding="utf-8") == draft(
        "acme", survey=ex.paths["wjx_text_csv"], root=project).text
    assert "items: 15 questions on a scale" in out and "excluded as contact data" in out
    assert out.rstrip().splitlines()[-1] == "next: fill in the indicator system, then " \
                                            "`csi validate acme`"
    # nothing copied: the exports stay where they are, the project holds only the params
    after = sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())
    assert before == after
    assert sorted(p.name for p in (project / "params").iterdir()) == ["_template.yaml",
                                                                      "acme.yaml"]
    assert not (project / "data").exists()


def test_cli_validate_prints_the_notes_then_what_is_left(ex, project, capsys):
    assert cli.main(["new", "acme", "--survey", str(ex.paths["wjx_text_xlsx"])]) == 0
    capsys.readouterr()
    code = cli.main(["validate", "acme"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "read as 问卷星 export (按选项文本)" in out.splitlines()[0]
    problems = [ln.strip() for ln in err.splitlines()[1:]]
    assert problems and all(x.startswith(("indicator_system.indicators[", "indicator_system.items")) for x in problems), err


def test_cli_new_refuses_to_overwrite(ex, project, capsys):
    target = project / "params" / "acme.yaml"
    target.write_text("client: {id: acme}\n", encoding="utf-8")
    code = cli.main(["new", "acme", "--survey", str(ex.paths["wjx_text_csv"])])
    err = capsys.readouterr().err
    assert code == 2 and "already exists" in err and len(err.strip().splitlines()) == 1
    assert target.read_text(encoding="utf-8") == "client: {id: acme}\n"


@pytest.mark.parametrize("what", ["missing", "folder", "undecodable", "empty"])
def test_cli_new_refuses_a_file_it_cannot_read(project, tmp_path, capsys, what):
    bad = tmp_path / "export.csv"
    if what == "folder":
        bad.mkdir()
    elif what == "undecodable":
        bad.write_bytes(b"\xff\xfe\x00\x81\x82\x83\n\x84,\x85\n")
    elif what == "empty":
        bad.write_bytes(b"")
    code = cli.main(["new", "acme", "--survey", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "export.csv" in err and "nothing was written" in err
    assert not (project / "params" / "acme.yaml").exists()
    assert not (project / "data").exists()


def test_cli_new_without_files_keeps_the_template_behaviour(project, capsys):
    assert cli.main(["new", "acme"]) == 0
    text = (project / "params" / "acme.yaml").read_text(encoding="utf-8")
    assert text == (project / "params" / "_template.yaml").read_text(
        encoding="utf-8").replace("CLIENT_ID", "acme")
    assert (project / "data" / "acme").is_dir()


# ------------------------------------------------------------------ CRM exports
def test_crm_workbook_sheets_columns_and_customer_types(ex, tmp_path):
    pytest.importorskip("csi_helpers.sources.crm")
    root = make_project(tmp_path / "proj")
    book = ex.paths["crm_xlsx"]
    d = draft("acme", survey=ex.paths["wjx_text_csv"], customers=book, transactions=book,
              visits=book, root=root)
    sources = d.params["sources"]
    sheets = {"customers": "客户信息", "transactions": "订单明细", "visits": "到店记录"}
    for kind, sheet in sheets.items():
        src = sources[kind]
        assert src["sheet"] == sheet and src["format"] == "excel"
        for ours in {"customers": ["customer_id", "customer_type"],
                     "transactions": ["customer_id", "date", "amount"],
                     "visits": ["customer_id", "date"]}[kind]:
            assert src["columns"][ours] == ex.headers[kind][ours], (kind, ours)
        assert not set(src["columns"].values()) & set(ex.contact_columns["crm_xlsx"])
    assert sources["customers"]["values"]["customer_type"] == ex.type_labels
    assert any("客户名称" in s and "names" in s for s in d.summary)
    problems = params.validate(d.params, root / "params" / "acme.yaml")
    assert all(x.startswith(("indicator_system.indicators[", "indicator_system.items")) for x in problems), problems


def test_crm_csv_exports(ex, tmp_path):
    pytest.importorskip("csi_helpers.sources.crm")
    root = make_project(tmp_path / "proj")
    d = draft("acme", survey=ex.paths["qualtrics_csv"], customers=ex.paths["customers_csv"],
              transactions=ex.paths["transactions_csv"], root=root)
    sources = d.params["sources"]
    assert sources["customers"]["encoding"] == "gbk" and sources["customers"]["format"] == "csv"
    assert sources["transactions"]["columns"]["amount"] == ex.headers["transactions"]["amount"]
    assert "visits" not in sources


def test_crm_only_keeps_the_templates_survey_part(ex, tmp_path):
    pytest.importorskip("csi_helpers.sources.crm")
    root = make_project(tmp_path / "proj")
    d = draft("acme", customers=ex.paths["crm_xlsx"], root=root)
    p = d.params
    assert p["sources"]["customers"]["sheet"] == "客户信息"
    assert p["sources"]["survey"]["path"] == "data/acme/survey.csv"
    assert params.validate(p, root / "params" / "acme.yaml") == []


def test_transactions_without_a_survey_draft_a_crm_only_engagement(tmp_path):
    """`csi new cdnow --transactions F` with no survey: no example survey or indicator
    system to delete by hand, the short export's lifecycle periods and B rule drafted to
    fit, and the draft passes the full `csi validate` as written."""
    import pandas as pd
    root = make_project(tmp_path / "proj")
    log = pd.read_csv(Path(__file__).parent / "golden" / "datasets" / "cdnow" /
                      "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str,
                      names=["master", "id", "date", "cds", "amount"])
    tx = root / "data" / "cdnow" / "订单.csv"
    tx.parent.mkdir(parents=True)
    log.rename(columns={"id": "会员编号", "date": "订单日期", "amount": "实付金额"})[
        ["会员编号", "订单日期", "实付金额"]].to_csv(tx, index=False, encoding="gbk")
    d = draft("cdnow", transactions=tx, root=root)
    p = d.params
    assert "survey" not in p["sources"] and "indicator_system" not in p
    assert "scale" not in p and "scales" not in p
    assert p["tiering"]["lifecycle"]["months"] == 6
    assert p["tiering"]["rule_abc"]["b_consecutive_years"] == 1
    assert any("CRM-only engagement" in line for line in d.summary)
    target = root / "params" / "cdnow.yaml"
    target.write_text(d.text, encoding="utf-8")
    assert params.check(target) == []


def test_ambiguous_crm_header_is_a_todo_never_a_guess(ex, tmp_path):
    pytest.importorskip("csi_helpers.sources.crm")
    root = make_project(tmp_path / "proj")
    tx = tmp_path / "orders.csv"
    tx.write_text('客户编号,订单日期,日期,金额\nC1,2024/3/5,2024/3/6,"¥1,234.50"\n',
                  encoding="utf-8")
    d = draft("acme", survey=ex.paths["wjx_text_csv"], transactions=tx, root=root)
    columns = d.params["sources"]["transactions"]["columns"]
    assert columns == {"customer_id": "客户编号", "amount": "金额"}
    assert "# date: 订单日期" in d.text and "TODO: one of 订单日期, 日期" in d.text
    assert "sources.transactions.columns.date" in d.summary[-1]


def test_filled_draft_with_the_crm_workbook_passes_the_full_data_check(ex, tmp_path):
    root = make_project(tmp_path / "proj")
    book = ex.paths["crm_xlsx"]
    d = draft("acme", survey=ex.paths["wjx_text_csv"], customers=book, transactions=book,
              visits=book, root=root)
    target = root / "params" / "acme.yaml"
    target.write_text(yaml.safe_dump(fill_indicators(d.params, ex, "wjx_text_csv"),
                                     allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert params.check_report(target)[0] == []
