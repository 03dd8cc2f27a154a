"""The report's parts without a run: readable tables, words, summary facts, assembly by
language and audience, and the narratives of the notebooks in both languages."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from csi_helpers.excel import sheet_name
from csi_helpers.report import assemble, summary, vocabulary
from csi_helpers.report.tables import format_p, readable

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


# ----------------------------------------------------------------------------- tables
def test_numbers_by_meaning_labels_not_codes_and_no_positional_index():
    df = pd.DataFrame({"lv": ["SAT", "LOY"], "index": [74.134, 70.0], "p_value": [0.0, 0.0342],
                       "revenue_share": [0.8001, 0.2], "revenue": [1234567.5, None],
                       "passes": [True, False]})
    t = readable(df, "en", labels={"SAT": "Customer satisfaction", "LOY": "Customer loyalty"},
                 currency="CNY")
    h = t.html
    assert "Customer satisfaction" in h and ">SAT<" not in h
    assert "74.1" in h and "74.134" not in h                 # a score: one decimal
    assert "&lt; .001" in h and ".034" in h and "0.0342" not in h
    assert "80.0%" in h and "1,234,567.50" in h and "Revenue (CNY)" in h
    assert "—" in h                                           # missing, not NaN
    assert ">yes<" in h and ">no<" in h
    assert "Latent variable" in h and "p_value" not in h     # headers in words
    assert not re.search(r">\s*0\s*</td>", h)                 # no 0..n index column


def test_chinese_headers_values_and_twin_columns():
    df = pd.DataFrame({"segment": ["High value"], "segment_zh": ["重要价值客户"],
                       "customers": [12], "verdict": ["good"], "answered": [False]})
    zh = readable(df, "zh").html
    assert "重要价值客户" in zh and "High value" not in zh and "良好" in zh and "否" in zh
    assert "客户数" in zh and "细分" in zh
    en = readable(df, "en").html
    assert "High value" in en and not CJK.search(en.split("<table")[1])


def test_long_table_is_cut_with_a_pointer_to_its_sheet():
    df = pd.DataFrame({"item": [f"Q{i:02d}" for i in range(40)], "mean": range(40)})
    t = readable(df, "en", name="03_item_statistics", sheet=sheet_name("03_item_statistics"),
                 max_rows=10)
    assert t.rows == 40 and t.shown == 10
    assert "Showing 10 of 40 rows" in t.html and "03 Item statistics" in t.html
    zh = readable(df, "zh", name="03_item_statistics",
                  sheet=sheet_name("03_item_statistics", "zh"), max_rows=10)
    assert "仅显示 40 行中的 10 行" in zh.html and "03 题目统计" in zh.html


def test_paths_read_as_names_and_index_kept_when_meaningful():
    paths = pd.DataFrame({"estimate": [0.41234]},
                         index=pd.Index(["IMAG -> SAT"], name="path"))
    h = readable(paths, "en", labels={"IMAG": "Corporate image", "SAT": "Satisfaction"}).html
    assert "Corporate image → Satisfaction" in h and "0.412" in h


def test_p_values_apa_style():
    assert [format_p(x) for x in (0.0, 0.00099, 0.0342, 0.5, 1.0)] == [
        "< .001", "< .001", ".034", ".500", "1.000"]


# ----------------------------------------------------------------------------- words
def _tables_of_notebooks() -> set[str]:
    names = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                names |= set(re.findall(r'wb\.(?:table|show|save_table)\([^"]*"(\d\d_[a-z0-9_]+)"',
                                        cell.source, flags=re.S))
    return names


def test_every_table_of_the_notebooks_has_a_title_in_both_languages():
    names = _tables_of_notebooks()
    assert len(names) > 40
    missing = sorted(names - set(vocabulary.TABLES))
    assert not missing, f"add these tables to report.vocabulary.TABLES: {missing}"
    for stem in names:
        en, zh = vocabulary.TABLES[stem]
        assert not CJK.search(en) and CJK.search(zh), stem
        assert len(sheet_name(stem, "zh")) <= 31 and len(sheet_name(stem)) <= 31


def test_column_vocabulary_is_complete_in_both_languages():
    for name, (en, zh, kind) in vocabulary.COLUMNS.items():
        assert en and zh and kind in {"text", "code", "int", "pct", "pct100", "p", "score",
                                      "coef", "stat", "money", "bool", "date", "same"}, name
        assert not CJK.search(en), name
    assert vocabulary.header("share_3", "zh") == "答 3 的占比"
    assert vocabulary.kind_of("sales_2024") == "money" and vocabulary.kind_of("MR2") == "coef"


# ----------------------------------------------------------------------------- summary
def _write(run: Path, stem: str, df: pd.DataFrame) -> None:
    (run / "tables").mkdir(parents=True, exist_ok=True)
    df.to_csv(run / "tables" / f"{stem}.csv", index=False, encoding="utf-8-sig")


def _manifest(lang="en", demo=False):
    p = {"client": {"id": "acme", "name": "Acme", "language": lang, "wave": "2026-Q4",
                    "industry": {"en": "retail", "zh": "零售"}},
         "indicator_system": {"latent_variables": [{"id": "QUAL", "name": {"en": "Quality", "zh": "质量"}},
                                                   {"id": "SAT", "name": {"en": "Satisfaction", "zh": "满意度"}}],
                              "indicators": [{"id": "I1", "name": {"en": "After-sales", "zh": "售后"}},
                                             {"id": "I2", "name": {"en": "Staff", "zh": "员工"}},
                                             {"id": "I3", "name": {"en": "Price", "zh": "价格"}},
                                             {"id": "I4", "name": {"en": "Stores", "zh": "门店"}}]}}
    if demo:
        p["demo"] = {"seed": 1}
    return {"client": "acme", "run_id": "r1", "finished": "2026-12-01T10:00:00", "params": p,
            "notebooks": [{"name": "01_problem_framing", "status": "ok"},
                          {"name": "04_factor_analysis", "status": "failed",
                           "error": {"cell_index": 6, "ename": "ValueError", "evalue": "bad thing"}},
                          {"name": "05_customer_tiering", "status": "skipped"}]}


def test_summary_facts_from_the_tables(tmp_path):
    _write(tmp_path, "04_csi", pd.DataFrame({"index": [74.13], "ci_low": [72.8], "ci_high": [75.4]}))
    _write(tmp_path, "04_ipma", pd.DataFrame({"name": ["QUAL", "I1"], "level": ["lv", "indicator"],
                                              "block": ["QUAL", "QUAL"], "importance": [0.5, 0.3],
                                              "performance": [70.6, 60.0]}))
    _write(tmp_path, "03_importance_performance", pd.DataFrame({
        "indicator": ["I1", "I2", "I3", "I4"], "lv": ["QUAL"] * 4, "name": ["a", "b", "c", "d"],
        "performance": [62.8, 72.8, 74.2, 90.0], "importance": [0.38, 0.50, 0.52, 0.9]}))
    _write(tmp_path, "03_against_competitors", pd.DataFrame({
        "competitor_name": ["Bright", "Home"], "item": ["I1", "I2"], "item_name": ["x", "y"],
        "difference": [-5.5, 2.0], "p_value": [0.0001, 0.3]}))
    _write(tmp_path, "04_cfa_fit", pd.DataFrame({"measure": ["cfi", "rmsea", "srmr"],
                                                 "value": [0.97, 0.05, 0.04]}))
    _write(tmp_path, "04_reliability_validity", pd.DataFrame({
        "factor": ["QUAL", "SAT"], "items": [3, 3], "cr": [0.86, 0.65], "ave": [0.55, 0.45]}))
    f = summary.facts(tmp_path, _manifest())
    _write(tmp_path / "with_tree", "03_scores_tree", pd.DataFrame({
        "level": ["csi", "latent_variable", "latent_variable"], "id": ["CSI", "QUAL", "SAT"],
        "name": ["CSI", "Quality", "Satisfaction"], "score": [74.2, 70.6, 74.2]}))
    lvs = summary.facts(tmp_path / "with_tree", _manifest())["lvs"]
    assert [(lv["id"], lv["score"]) for lv in lvs] == [("QUAL", 70.6), ("SAT", 74.2)]
    assert f["csi"] == {"index": 74.13, "source": "model", "ci_low": 72.8, "ci_high": 75.4}
    assert [lv["name"] for lv in f["lvs"]] == ["Quality"]         # the IPMA's LV rows only
    # improvement potential importance x (100 - performance): I1 23.6, I2 13.6, I3 13.4, I4 9
    assert [d["id"] for d in f["drivers"]] == ["I1", "I2", "I3"]
    assert f["rivals"] == [{"rival": "Bright", "item": "After-sales", "difference": -5.5,
                            "p": 0.0001}]
    assert f["trust"]["fit"]["level"] == "good"
    assert f["trust"]["reliability"] == {"n": 2, "cr_ok": 1, "ave_ok": 1}
    assert f["tiers"] is None
    html = summary.summary_html(tmp_path, _manifest(), "en")
    assert "74.1" in html and "72.8 – 75.4" in html and "trails Bright" in html
    assert "No CRM export" in html and "1 of 2 latent variables" in html
    zh = summary.summary_html(tmp_path, _manifest("zh"), "zh")
    assert "顾客满意度指数" in zh and "售后" in zh and "落后于Bright" in zh


def test_summary_of_a_run_with_no_tables_says_what_is_missing(tmp_path):
    html = summary.summary_html(tmp_path, _manifest(), "en")
    assert "The CSI was not computed" in html and "No importance-performance analysis" in html
    assert "No competitor was rated" in html and "not estimated" in html


def test_cover_names_client_wave_and_each_step_in_the_language(tmp_path):
    zh = summary.cover_html(tmp_path, _manifest("zh"), "zh")
    assert "Acme" in zh and "零售" in zh and "2026-Q4" in zh and "2026-12-01" in zh
    assert "提出问题" in zh and "失败" in zh and "未运行" in zh


# ----------------------------------------------------------------------------- assembly
def _executed(run: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("# 01 Problem framing\n\nWhat this step does."),
        nbformat.v4.new_markdown_cell("# 01 提出问题\n\n本步骤的内容。"),
        nbformat.v4.new_markdown_cell("The method, taught: **bold:** here."),
        nbformat.v4.new_markdown_cell("方法说明：**读表方法：**每行。"),
        nbformat.v4.new_code_cell("x"),
    ]
    tags = [["lang-en"], ["lang-zh"], ["lang-en", "teaching"], ["lang-zh", "teaching"], []]
    for cell, t in zip(cells, tags):
        cell.metadata["tags"] = t
    cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="result line\n"),
                         nbformat.v4.new_output("error", ename="E", evalue="v", traceback=["tb"])]
    nb.cells = cells
    (run / "notebooks").mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, run / "notebooks" / "01_problem_framing.ipynb")


@pytest.mark.parametrize("lang,demo", [("en", False), ("zh", False), ("en", True)])
def test_one_language_and_teaching_by_audience(tmp_path, lang, demo):
    _executed(tmp_path)
    manifest = _manifest(lang, demo)
    nb, notes = assemble.combined_notebook(tmp_path, manifest)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if lang == "en":
        assert "What this step does" in text and not CJK.search(text.replace("", ""))
    else:
        assert "本步骤的内容" in text and "What this step does" not in text
    teaching = "The method, taught" if lang == "en" else "方法说明"
    if demo:                                          # a trainer's report keeps it in place
        assert teaching in text and not notes
    else:                                             # a reviewer's: in the appendix
        assert teaching not in text and teaching in notes[0][1][0]
    assert text.count("# 1.") == 1                    # the chapter title, not the cell's own
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o["output_type"] for o in outputs] == ["stream"]        # no traceback
    notices = [c.source for c in nb.cells if "csi-failure" in c.source or "csi-notrun" in c.source]
    assert len(notices) == 2 and "bad thing" in notices[0] and "7" in notices[0]


def test_emphasis_with_chinese_punctuation():
    assert assemble.emphasis_html("**读表方法：**每行") == "<strong>读表方法：</strong>每行"
    assert assemble.emphasis_html("`a*b*` $x^*$ *y*") == "`a*b*` $x^*$ <em>y</em>"


# ----------------------------------------------------------------------------- narratives
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_narrative_cell_has_its_other_language(path):
    """Markdown cells come in pairs: a ``lang-en`` cell, then its ``lang-zh`` translation
    with the same other tags; English without Chinese characters, Chinese with them."""
    cells = nbformat.read(path, as_version=4).cells
    problems = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        tags = set(cell.metadata.get("tags") or [])
        if not tags & {"lang-en", "lang-zh"}:
            problems.append(f"cell {i} ({cell.get('id')}): no lang-en / lang-zh tag")
        elif "lang-en" in tags:
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            ntags = set(nxt.metadata.get("tags") or []) if nxt is not None else set()
            if nxt is None or nxt.cell_type != "markdown" or "lang-zh" not in ntags:
                problems.append(f"cell {i} ({cell.get('id')}): lang-en without a lang-zh cell after it")
            elif ntags - {"lang-zh"} != tags - {"lang-en"}:
                problems.append(f"cell {i} ({cell.get('id')}): its zh cell has other tags")
            if CJK.search(cell.source):
                problems.append(f"cell {i} ({cell.get('id')}): Chinese in the English narrative")
            if nxt is not None and not CJK.search(nxt.source):
                problems.append(f"cell {i + 1} ({nxt.get('id')}): the Chinese narrative has no Chinese")
        elif "lang-zh" in tags:
            prev = cells[i - 1]
            if "lang-en" not in (prev.metadata.get("tags") or []):
                problems.append(f"cell {i} ({cell.get('id')}): lang-zh without its lang-en cell")
        if "METHOD.md" in cell.source:
            problems.append(f"cell {i} ({cell.get('id')}): points to METHOD.md, which a client lacks")
    assert not problems, "\n".join(problems)


def test_summary_shows_the_change_since_the_previous_wave(tmp_path):
    _write(tmp_path, "04_csi", pd.DataFrame({"index": [74.13], "ci_low": [72.8], "ci_high": [75.4]}))
    _write(tmp_path, "06_waves", pd.DataFrame({"wave": ["2026-Q3", "2026-Q4"]}))
    _write(tmp_path, "06_change", pd.DataFrame({"measure": ["CSI", "SAT"], "previous": [76.0, 75.0],
                                                "difference": [-1.9, -2.0], "p_value": [0.01, 0.2]}))
    f = summary.facts(tmp_path, _manifest())
    assert f["csi"]["previous"] == {"wave": "2026-Q3", "csi": 76.0, "difference": -1.9, "p": 0.01}
    html = summary.summary_html(tmp_path, _manifest(), "en")
    assert "−1.9 points since 2026-Q3 (76.0) (a real change, p .010)" in html


def test_a_table_without_columns_gets_an_empty_sheet(tmp_path):
    from csi_helpers import report

    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "03_segment_invariance.csv").write_text("\n", encoding="utf-8-sig")
    (tmp_path / "tables" / "04_csi.csv").write_text("index\n74.1\n", encoding="utf-8-sig")
    out = report.tables_workbook(tmp_path, "en")
    import openpyxl
    assert len(openpyxl.load_workbook(out).sheetnames) == 3


def test_a_table_longer_than_excel_max_rows_stays_csv_and_is_named(tmp_path):
    """A million customers' tiers get no sheet (xlsxwriter would take a minute per table
    and Excel stops at 1,048,576 rows): the contents names the CSV, every shorter table
    still gets its sheet, written row by row in constant-memory mode."""
    import openpyxl

    from csi_helpers import report

    (tmp_path / "tables").mkdir()
    long = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in range(120)],
                         "revenue": np.arange(120) * 10.5, "vip": np.arange(120) % 2 == 0,
                         "note": ["第一行\n第二行" if i == 3 else "" for i in range(120)]})
    long.to_csv(tmp_path / "tables" / "05_rule_abc_customers.csv", index=False,
                encoding="utf-8-sig")
    _write(tmp_path, "05_abc_summary", pd.DataFrame({"tier": ["A", "B"], "customers": [3, 9]}))
    out = report.tables_workbook(tmp_path, "en", max_rows=100)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Contents", "05 ABC tiers"]
    contents = {wb["Contents"].cell(row=r, column=2).value: r for r in range(5, 7)}
    row = contents["Rule-based tier per customer"]
    note = wb["Contents"].cell(row=row, column=1).value
    assert note == ("no sheet: 120 rows, more than report.excel_max_rows (100); the whole "
                    "table is tables/05_rule_abc_customers.csv")
    assert wb["Contents"].cell(row=row, column=4).value == "120 x 4"   # a quoted line break is one row
    # the same table within the limit: every cell, typed, row by row
    out = report.tables_workbook(tmp_path, "en", max_rows=120)
    sheet = openpyxl.load_workbook(out)[sheet_name("05_rule_abc_customers")]
    assert [sheet.cell(row=4 + 119, column=c).value for c in (1, 2, 3)] == ["C00119", 1249.5, False]
    assert sheet.cell(row=4 + 3, column=4).value == "第一行\n第二行"
    assert sheet.max_row == 3 + 120


def test_the_report_points_a_long_table_to_its_csv(tmp_path):
    from csi_helpers import workbook

    for sub in ("tables", "figures", "artifacts"):
        (tmp_path / sub).mkdir()
    wb = workbook.Workbook({"client": {"id": "x", "language": "zh"},
                            "report": {"max_rows": 5, "excel_max_rows": 50}},
                           tmp_path / "x.yaml", tmp_path, tmp_path)
    df = pd.DataFrame({"customers": range(60)})
    assert "完整表格见文件 tables/05_rfm.csv" in wb.table(df, "05_rfm").html
    assert "工作表" in wb.table(df.head(40), "05_abc_summary").html
    assert "完整表格见文件 tables/05_rfm.csv" in wb.show(df.head(9), "05_rfm").html


@pytest.mark.parametrize("index", [True, False])
def test_long_tables_are_written_by_arrow_and_read_back_as_pandas_wrote_them(tmp_path, index):
    """tables/*.csv of 20,000 rows or more go through Arrow's CSV writer (10x pandas' speed
    on a million customers): the same values on reading back, dates as YYYY-MM-DD, the
    BOM Excel needs, and pandas for what Arrow cannot write the same (durations)."""
    from csi_helpers.workbook import ARROW_CSV_ROWS, write_csv

    n = ARROW_CSV_ROWS + 5
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "revenue": rng.random(n) * 1000, "whole": np.arange(n) * 1.0, "n": np.arange(n),
        "ok": rng.random(n) > .5, "tier": rng.choice(["A", "B", None], n),
        "day": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "at": pd.Timestamp("2026-01-01 10:30") + pd.to_timedelta(rng.integers(0, 300, n), unit="h"),
        "text": "非常满意, \"引号\"\n换行", "gap": np.where(rng.random(n) > .5, np.nan, 1.25),
        "cat": pd.Categorical(rng.choice(["x", "y"], n))},
        index=pd.Index([f"C{i}" for i in range(n)], name="customer_id"))
    write_csv(df, tmp_path / "arrow.csv", index=index)
    df.to_csv(tmp_path / "pandas.csv", index=index, encoding="utf-8-sig")
    raw = (tmp_path / "arrow.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b'"2026-' in raw and b"00:00:00" not in raw
    kw = {"encoding": "utf-8-sig", "index_col": 0 if index else None}
    ours, theirs = pd.read_csv(tmp_path / "arrow.csv", **kw), pd.read_csv(tmp_path / "pandas.csv", **kw)
    assert list(ours.columns) == list(theirs.columns)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    spans = pd.DataFrame({"wait": pd.to_timedelta(np.arange(n), unit="s")})
    write_csv(spans, tmp_path / "spans.csv")
    assert (tmp_path / "spans.csv").read_text(encoding="utf-8-sig").splitlines()[2] == "1,0 days 00:00:01"
