"""sources.survey: every survey export a client sends reads to the same answers.

The exports come from ``csi_helpers.demo_exports`` (one latent model written as 问卷星 CSV /
XLSX in both variants, Qualtrics CSV / XLSX, SPSS .sav, Stata .dta and a plain table);
each is read as a run reads it (format detected, items mapped by their columns, named
scales assigned) and compared with the generator's truth, answer by answer.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi_helpers import scales
from csi_helpers.errors import CSIInputError, InputProblems
from csi_helpers.sources import survey as survey_src
from csi_helpers.sources import table as table_src
from export_projects import COLUMN, FORMAT, scales_for

@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    from csi_helpers import demo_exports
    return demo_exports.write_exports(tmp_path_factory.mktemp("exports"), seed=7, n=300)


def params_for(exports, key: str, **survey) -> dict:
    fmt = FORMAT[key]
    meta = exports.meta_columns[key]
    spec = {"path": str(exports.paths[key]), "segments": [meta["region"]],
            "customer_id_column": meta["customer_id"], **survey}
    if fmt in ("spss", "table"):
        spec.update(id_column=meta["respondent_id"], duration_column=meta["duration"],
                    status_column=meta["status"])
    # ids that are no column of any export (Qualtrics has its own Q1..Q19 columns)
    items = [{"id": "i" + q, "column": row[COLUMN[fmt]], "scale": row["scale"]}
             for q, row in exports.items.iterrows()]
    return {"sources": {"survey": spec}, "indicator_system": {"items": items},
            "scales": scales_for(exports, key)}


def read(exports, key: str, **survey) -> tuple[survey_src.SurveyTable, dict]:
    p = params_for(exports, key, **survey)
    s = p["sources"]["survey"]
    export = survey_src.read_export(s["path"], s.get("format", "auto"), s.get("sheet"))
    return survey_src.survey_table(export, p), p


def answer_numbers(table, p, exports) -> pd.DataFrame:
    by_item = {it["id"]: p["scales"][it["scale"]] for it in p["indicator_system"]["items"]}
    a = scales.assign_scales(table.data, by_item, id_column=None)
    start = pd.Series({q: sc["start"] for q, sc in by_item.items()})
    return a.values + start - 1, a


@pytest.mark.parametrize("key", list(FORMAT))
def test_each_export_reads_to_the_same_answers(exports, key):
    table, p = read(exports, key)
    assert table.problems == []
    assert table.export.format == FORMAT[key]
    values, assignment = answer_numbers(table, p, exports)
    assert len(assignment.out_of_range) == 0
    ids = table.data[table.spec["id_column"]].astype(str).tolist()
    truth_index = exports.rows[key]
    assert len(ids) == len(truth_index)
    truth = exports.answers.loc[truth_index].add_prefix("i").reset_index(drop=True)
    pd.testing.assert_frame_equal(values.reset_index(drop=True), truth, check_dtype=False,
                                  check_names=False)


@pytest.mark.parametrize("key", list(FORMAT))
def test_durations_statuses_and_privacy(exports, key):
    table, _ = read(exports, key)
    spec, data = table.spec, table.data
    truth = exports.respondents.loc[exports.rows[key]]
    dur = data[spec["duration_column"]].to_numpy(dtype=float)
    np.testing.assert_allclose(dur, truth["duration_sec"].to_numpy(dtype=float))
    if spec.get("status_column"):
        assert data[spec["status_column"]].tolist() == truth["status"].tolist()
    else:   # 问卷星 exports hold submitted answers only
        assert FORMAT[key] == "wjx" and (truth["status"] == "complete").all()
    for col in exports.contact_columns[key]:
        assert col not in data.columns
        assert col in table.dropped
    kinds = set(table.excluded.values())
    assert kinds, "contact columns are reported as excluded"
    # only what the analysis needs: ids, meta the params name, items
    allowed = {spec[k] for k in ("id_column", "customer_id_column", "status_column",
                                 "duration_column", "time_column") if spec.get(k)}
    allowed |= set(spec["segments"]) | {"i" + q for q in exports.items.index}
    assert set(data.columns) <= allowed


def test_formats_are_recognised_from_content_not_name(exports, tmp_path):
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(exports.paths["wjx_text_xlsx"].read_bytes())   # an xlsx named .csv
    e = survey_src.read_export(renamed)
    assert e.format == "wjx" and e.variant == "text" and "Excel" in e.describe()
    assert survey_src.read_export(exports.paths["wjx_code_csv"]).variant == "code"
    q = survey_src.read_export(exports.paths["qualtrics_csv"])
    assert q.questions["Q6_1"].endswith("After-sales response speed")
    s = survey_src.read_export(exports.paths["spss_sav"])
    assert s.value_labels["Q3"]["5"] == "非常满意" and s.questions["Q3"]
    w = survey_src.read_export(exports.paths["wjx_text_csv"])
    assert w.encoding == "gbk" and w.questions["6、(维修质量)"] == "维修质量"
    assert w.skipped["6、(维修质量)"] == int(exports.respondents.loc[
        exports.rows["wjx_text_csv"], "skipped"].sum())
    assert survey_src.peek_format(exports.paths["qualtrics_xlsx"]) == "qualtrics"
    assert survey_src.peek_format(exports.paths["stata_dta"]) == "spss"


def test_forced_format_that_does_not_fit_is_refused(exports):
    with pytest.raises(CSIInputError, match="is not a 问卷星 export"):
        survey_src.read_export(exports.paths["table_csv"], format="wjx")
    with pytest.raises(CSIInputError, match="is not a Qualtrics export"):
        survey_src.read_export(exports.paths["wjx_text_csv"], format="qualtrics")
    with pytest.raises(CSIInputError, match="format: 'sav'"):
        survey_src.read_export(exports.paths["spss_sav"], format="sav")


def test_mapping_problems_are_listed_together(exports):
    p = params_for(exports, "table_csv")
    p["sources"]["survey"].update(status_values={"complete": ["complete"], "partial": []},
                                  segments=["regoin"], duration_column="duration")
    p["indicator_system"]["items"][0]["column"] = "q01"
    table, _ = read(exports, "table_csv")   # the good mapping has no problems
    assert table.problems == []
    export = survey_src.read_export(p["sources"]["survey"]["path"])
    problems = survey_src.survey_table(export, p).problems
    assert any(line.startswith("sources.survey.segments[0]: 'regoin' is not a column")
               and "did you mean 'region'" in line for line in problems)
    assert any(line.startswith("indicator_system.items[0].column: 'q01'") for line in problems)
    status = [line for line in problems if line.startswith("sources.survey.status_values")]
    assert len(status) == 1 and "'partial' (" in status[0] and "rows)" in status[0]
    with pytest.raises(InputProblems) as exc:
        survey_src.read_survey(p)
    assert len(exc.value.problems) == len(problems) >= 3


def test_unknown_answer_labels_are_counted(exports):
    table, p = read(exports, "wjx_text_csv")
    by_item = {it["id"]: p["scales"][it["scale"]] for it in p["indicator_system"]["items"]}
    sat = p["scales"]["satisfaction"]
    sat["labels"] = {"zh": {k: v for k, v in sat["labels"]["zh"].items() if k != "满意"}
                     | {"比较满意": 4}}
    odd = scales.unknown_answers(table.data, by_item)
    assert odd["raw"].tolist() == ["满意"]
    sat_items = [it["id"] for it in p["indicator_system"]["items"]
                 if it["scale"] == "satisfaction"]
    assert odd["count"].iloc[0] == int((table.data[sat_items] == "满意").sum().sum())


def test_duration_text_and_units(exports, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("id;时长;Q1\n1;145秒;满意\n2;2分5秒;满意\n3;1.5;满意\n4;;满意\n",
                 encoding="utf-8")
    p = {"sources": {"survey": {"path": str(f), "id_column": "id", "duration_column": "时长"}},
         "indicator_system": {"items": [{"id": "Q1"}]}}
    data = survey_src.survey_table(survey_src.read_export(f), p).data
    assert data["时长"].tolist()[:3] == [145.0, 125.0, 1.5] and np.isnan(data["时长"].iloc[3])
    p["sources"]["survey"]["duration_unit"] = "minutes"
    data = survey_src.survey_table(survey_src.read_export(f), p).data
    assert data["时长"].iloc[2] == 90.0


def test_no_id_column_uses_file_lines(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("Q1,Q2\n满意,一般\n一般,满意\n", encoding="gbk")
    p = {"sources": {"survey": {"path": str(f), "id_column": None}},
         "indicator_system": {"items": [{"id": "Q1"}, {"id": "Q2"}]}}
    table = survey_src.survey_table(survey_src.read_export(f), p)
    assert table.data["respondent_id"].tolist() == ["line 2", "line 3"]


@pytest.mark.parametrize("text,delim", [("a,b\n1,2\n", ","), ("a;b\n1;2\n", ";"),
                                        ("a\tb\n1\t2\n", "\t"), ('a|"b|c"\n1|2\n', "|")])
def test_delimiters_are_sniffed(tmp_path, text, delim):
    f = tmp_path / "t.txt"
    f.write_text(text, encoding="utf-8")
    g = table_src.read_grid(f)
    assert g.delimiter == delim and g.frame.shape == (2, 2)


def test_cells_are_stripped_and_blank_is_missing(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text('id,Q1\n 007 ,  满意\n008,"  "\n', encoding="utf-8")
    t = table_src.with_header(table_src.read_grid(f), "t.csv")
    assert t["id"].tolist() == ["007", "008"] and t["Q1"].iloc[0] == "满意"
    assert pd.isna(t["Q1"].iloc[1])


def test_overlong_field_is_refused_with_its_line(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("id,Q1\n1,ok\n2," + "x" * (table_src.MAX_FIELD + 10) + "\n", encoding="utf-8")
    with pytest.raises(CSIInputError, match="line 3 holds over"):
        table_src.read_grid(f)


def test_excel_sheet_choice(exports):
    g = table_src.read_grid(exports.paths["crm_xlsx"], sheet=1)
    assert g.sheet == "订单明细"
    with pytest.raises(CSIInputError, match="no sheet 'orders'.*客户信息"):
        table_src.read_grid(exports.paths["crm_xlsx"], sheet="orders")
    with pytest.raises(CSIInputError, match="out of range"):
        table_src.read_grid(exports.paths["crm_xlsx"], sheet=7)


def test_fingerprint_counts_rows_of_every_kind(exports):
    for key in ("wjx_text_xlsx", "spss_sav", "wjx_text_csv", "table_csv"):
        sha, rows = table_src.file_fingerprint(exports.paths[key])
        assert len(sha) == 64 and rows == len(exports.rows[key])


def test_spss_user_missing_codes_are_missing_and_recorded(exports):
    s = survey_src.read_export(exports.paths["spss_sav"])
    dont_know = [q for q, row in exports.items.iterrows() if row["dont_know"]]
    assert dont_know and all(s.user_missing[exports.items.loc[q, "spss_name"]] == [9.0]
                             for q in dont_know)
    assert not (s.data[exports.items.loc[dont_know[0], "spss_name"]] == "不知道").any()


def test_free_text_and_ids_are_told_apart():
    from csi_helpers.sources import privacy
    likert = pd.Series(["Strongly disagree", "Disagree", "Agree", "Strongly agree",
                        "Neither agree nor disagree"] * 20)
    ids = pd.Series([f"R_{k:04d}abcdEFGH" for k in range(100)])
    text = pd.Series([f"希望第{k}家门店增加停车位" for k in range(100)])
    assert privacy.kind_of("Q3", likert) is None and privacy.kind_of("ResponseId", ids) is None
    assert privacy.kind_of("Q20", text) == "free text"
