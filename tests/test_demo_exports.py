"""Tests of csi_helpers.demo_exports: the realistic client exports and the truth behind them.

These check the generator itself (files, encodings, headers, labels, determinism, and that
what is written agrees with the truth it returns), not the workbook's readers.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from csi_helpers import demo_exports
from csi_helpers.demo_exports import FILES, write_exports

N = 300


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return write_exports(tmp_path_factory.mktemp("exports"), seed=7, n=N)


def _label_to_number(ex, item: str, value: str) -> float:
    """A written answer (Chinese label, number, empty, 不知道) back on the item's scale."""
    scale = ex.scales[ex.items.loc[item, "scale"]]
    if value in ("", "不知道", "(空)", "(跳过)"):
        return np.nan
    if value in scale["labels_zh"]:
        return float(scale["labels_zh"].index(value) + scale["start"])
    return float(value)


def _csv_rows(path, encoding, delimiter=","):
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))


# ----------------------------------------------------------------------------- the truth
def test_all_files_exist(ex):
    assert set(ex.paths) == set(FILES) == {
        "wjx_text_csv", "wjx_code_csv", "wjx_text_xlsx", "wjx_code_xlsx", "qualtrics_csv",
        "qualtrics_xlsx", "spss_sav", "stata_dta", "table_csv", "crm_xlsx", "customers_csv",
        "transactions_csv"}
    for path in ex.paths.values():
        assert path.is_file() and path.stat().st_size > 1000, path


def test_items_scales_and_model(ex):
    items = ex.items
    assert list(items.index) == [f"Q{i:02d}" for i in range(1, 16)]
    assert set(items["lv"]) == {"EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"}
    comp = items[items["lv"] == "COMP"]
    assert len(comp) == 1 and comp["reverse"].all() and (comp["scale"] == "agreement").all()
    assert items["reverse"].sum() == 1
    loy = items.loc[items["lv"] == "LOY", "scale"]
    assert "recommend" in set(loy) and "willingness" in set(loy)
    assert items["loading"].between(0.7, 0.85).all()
    assert (items.loc[["Q05", "Q06", "Q07"], "wjx_header"].str.match(r"^6、\(.+\)$")).all()
    assert items.loc["Q05", "qualtrics_id"] == "Q6_1"
    assert ex.scales["satisfaction"]["labels_zh"] == ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert ex.scales["agreement"]["labels_en"][0] == "Strongly disagree"
    assert ex.scales["willingness"]["labels_zh"][-1] == "非常愿意"
    rec = ex.scales["recommend"]
    assert (rec["points"], rec["start"], rec["labels_zh"]) == (11, 0, [str(i) for i in range(11)])
    # answers on each item's own scale; the planted latent structure shows
    a = ex.answers
    assert list(a.columns) == list(items.index) and len(a) == N
    assert a["Q13"].dropna().between(0, 10).all() and a.drop(columns="Q13").stack().dropna().between(1, 5).all()
    r = a.corr()
    assert r.loc["Q10", "Q11"] > 0.4 and r.loc["Q10", "Q12"] < -0.1 and r.loc["Q10", "Q14"] > 0.25


def test_respondents_and_planted_noise(ex):
    resp = ex.respondents
    assert list(resp.index) == [str(i) for i in range(1, N + 1)]
    assert set(resp["status"]) == {"complete", "partial"}
    assert (resp["status"] == "partial").mean() == pytest.approx(0.05, abs=0.01)
    assert 0.18 < resp["skipped"].mean() < 0.32
    assert ex.answers.loc[resp["skipped"], ["Q05", "Q06", "Q07"]].isna().all().all()
    assert set(resp["region"].dropna()) <= {"华东", "华南", "华北", "西部"}
    assert resp["region"].isna().sum() == (resp["status"] == "partial").sum()
    linked = resp["customer_id"].dropna()
    assert len(linked) > 0.3 * N and set(linked) <= set(ex.customers["customer_id"])
    assert linked.is_unique and resp["response_id"].str.match(r"^R_[A-Za-z0-9]{15}$").all()
    done = resp["status"] == "complete"
    blank_share = ex.answers.loc[done & ~resp["skipped"]].isna().mean().mean()
    assert 0.02 < blank_share < 0.08          # blanks and 不知道, none in other items


def test_crm_truth(ex):
    c, t = ex.customers, ex.transactions
    assert list(c.columns) == ["customer_id", "customer_type", "region", "city", "joined",
                               "cooperation", "loyalty"]
    assert 150 <= len(c) <= 250 and set(c["customer_type"]) == {"agent", "franchisee", "retail"}
    assert 2500 <= len(t) <= 3600 and set(t["customer_id"]) <= set(c["customer_id"])
    assert t["date"].min() >= pd.Timestamp("2024-01-01")
    assert t["date"].max() <= pd.Timestamp("2026-09-30")
    assert set(ex.visits.columns) == {"customer_id", "date"}
    assert ex.type_labels == {"代理商": "agent", "加盟商": "franchisee", "零售客户": "retail"}
    assert ex.headers["transactions"]["date"] == "订单日期"


# ------------------------------------------------------------------------------ 问卷星
@pytest.mark.parametrize("key", ["wjx_text_csv", "wjx_code_csv"])
def test_wjx_csv_is_gbk(ex, key):
    data = ex.paths[key].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = _csv_rows(ex.paths[key], "gbk")
    header, body = rows[0], rows[1:]
    assert header[:6] == ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
    assert "5、您是否使用过售后服务？" in header and "6、(售后服务响应速度)" in header
    assert [r[0] for r in body] == ex.rows[key]                     # partials absent
    assert len(body) == (ex.respondents["status"] == "complete").sum()
    assert all(re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d\d:\d\d", r[1]) for r in body)
    assert all(re.fullmatch(r"\d+秒", r[2]) for r in body)
    assert all(re.fullmatch(r"[\d.]+\(.+-.+\)", r[5]) for r in body)
    cells = {v for r in body for v in r}
    assert {"(空)", "(跳过)"} <= cells
    assert ("不知道" in cells) == (key == "wjx_text_csv")


def test_wjx_code_csv_matches_truth(ex):
    rows = _csv_rows(ex.paths["wjx_code_csv"], "gbk")
    df = pd.DataFrame(rows[1:], columns=rows[0]).set_index("序号")
    for item, head in ex.items["wjx_header"].items():
        col = df[head]
        if ex.items.loc[item, "dont_know"]:           # 不知道 is option 6
            assert (col == "6").any() and ex.answers.loc[col.index[col == "6"], item].isna().all()
            col = col.where(col != "6")
        else:
            assert col.isin([*map(str, range(11)), "(空)", "(跳过)"]).all()
        got = pd.to_numeric(col, errors="coerce")
        pd.testing.assert_series_equal(got, ex.answers.loc[df.index, item], check_names=False,
                                       check_index=False)


def test_wjx_xlsx_types(ex):
    ws = openpyxl.load_workbook(ex.paths["wjx_code_xlsx"], read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    assert isinstance(first[0], (int, float)) and isinstance(first[1], str)   # 序号, time as text
    assert isinstance(first[header.index(ex.items.loc["Q01", "wjx_header"])], (int, float))
    ws = openpyxl.load_workbook(ex.paths["wjx_text_xlsx"], read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    q1 = rows[0].index(ex.items.loc["Q01", "wjx_header"])
    assert {r[q1] for r in rows[1:]} <= set(ex.scales["agreement"]["labels_zh"]) | {"(空)"}


# ---------------------------------------------------------------------------- Qualtrics
def test_qualtrics_csv_three_header_rows(ex):
    data = ex.paths["qualtrics_csv"].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(ex.paths["qualtrics_csv"], "utf-8-sig")
    ids, text, imports, body = rows[0], rows[1], rows[2], rows[3:]
    assert ids[:3] == ["StartDate", "EndDate", "Status"] and "Duration (in seconds)" in ids
    assert "Q6_1" in ids and any(c.endswith("_TEXT") for c in ids)
    assert "How satisfied are you with the following? - After-sales response speed" in text
    parsed = [json.loads(c) for c in imports]
    assert parsed[0] == {"ImportId": "startDate", "timeZone": "Asia/Shanghai"}
    assert all("ImportId" in p for p in parsed)
    assert len(body) == N and [r[ids.index("ResponseId")] for r in body] == list(
        ex.respondents.loc[ex.rows["qualtrics_csv"], "response_id"])
    df = pd.DataFrame(body, columns=ids)
    assert set(df["Finished"]) == {"True", "False"}
    assert (df.loc[df["Finished"] == "False", "Progress"].astype(int) < 100).all()
    truth = ex.respondents.loc[ex.rows["qualtrics_csv"]]
    assert (df["ExternalReference"].to_numpy() == truth["customer_id"].fillna("").to_numpy()).all()
    en = {lab: k + 1 for k, lab in enumerate(ex.scales["satisfaction"]["labels_en"])}
    got = df["Q6_1"].map(en).astype(float).to_numpy()
    assert np.allclose(got, ex.answers.loc[ex.rows["qualtrics_csv"], "Q05"], equal_nan=True)


def test_qualtrics_xlsx_finished_is_numeric(ex):
    ws = openpyxl.load_workbook(ex.paths["qualtrics_xlsx"], read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("Finished")
    assert rows[2][0].startswith('{"ImportId"') and {r[col] for r in rows[3:]} == {0, 1}


# -------------------------------------------------------------------------- SPSS, Stata
def test_sav_round_trip(ex):
    df, meta = pyreadstat.read_sav(ex.paths["spss_sav"], user_missing=True)
    assert meta.variable_value_labels["Q3"] == {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意",
                                                5: "非常满意"}
    assert meta.variable_value_labels["Q4"][9] == "不知道"
    assert meta.variable_value_labels["status"] == {1: "完成", 0: "未完成"}
    assert meta.missing_ranges["Q4"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.column_names_to_labels["Q1"] == ex.items.loc["Q01", "text_zh"]
    assert (df["Q4"] == 9).sum() > 0
    plain, _ = pyreadstat.read_sav(ex.paths["spss_sav"])            # 9 -> missing
    assert len(plain) == N and not (plain["Q4"] == 9).any()
    assert list(plain["ResponseId"]) == list(ex.respondents["response_id"])
    for item, name in ex.items["spss_name"].items():
        assert np.allclose(plain[name], ex.answers[item], equal_nan=True), item
    assert (plain["status"] == 0).sum() == (ex.respondents["status"] == "partial").sum()


def test_dta_round_trip(ex):
    df, meta = pyreadstat.read_dta(ex.paths["stata_dta"])
    assert meta.variable_value_labels["region"] == {1: "华东", 2: "华南", 3: "华北", 4: "西部"}
    assert meta.column_names_to_labels["Q11"] == ex.items.loc["Q12", "text_zh"]
    for item, name in ex.items["spss_name"].items():
        assert np.allclose(df[name], ex.answers[item], equal_nan=True), item


# ------------------------------------------------------------------------ table export
def test_table_csv_matches_truth(ex):
    data = ex.paths["table_csv"].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str,
                     keep_default_na=False).set_index("resp_id")
    assert list(df.index) == ex.rows["table_csv"] == list(ex.answers.index)
    assert set(df["status"]) == {"complete", "partial"}
    assert (df["status"] == ex.respondents["status"]).all()
    assert (df["duration"].astype(float) == ex.respondents["duration_sec"]).all()
    assert "不知道" in set(df[ex.items.loc["Q04", "table_name"]])
    for item, name in ex.items["table_name"].items():
        got = df[name].map(lambda v, i=item: _label_to_number(ex, i, v)).astype(float)
        assert np.allclose(got, ex.answers[item], equal_nan=True), item


# ---------------------------------------------------------------------------------- CRM
DATE_FORMS = {"slash": r"\d{4}/\d{1,2}/\d{1,2}", "zh": r"\d{4}年\d{1,2}月\d{1,2}日",
              "iso": r"\d{4}-\d\d-\d\d"}


def _date(v) -> datetime:
    if isinstance(v, datetime):
        return v
    return datetime(*map(int, re.findall(r"\d+", v)))


def test_crm_workbook_mixed_forms(ex):
    wb = openpyxl.load_workbook(ex.paths["crm_xlsx"], read_only=True)
    assert wb.sheetnames == ["客户信息", "订单明细", "到店记录"]
    rows = list(wb["订单明细"].iter_rows(values_only=True))
    assert list(rows[0]) == list(ex.headers["transactions"].values())
    dates, amounts = [r[2] for r in rows[1:]], [r[3] for r in rows[1:]]
    assert any(isinstance(d, datetime) for d in dates)
    text = [d for d in dates if isinstance(d, str)]
    for form in DATE_FORMS.values():
        assert any(re.fullmatch(form, d) for d in text), form
    assert all(any(re.fullmatch(f, d) for f in DATE_FORMS.values()) for d in text)
    assert not any(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", d) for d in text)
    assert [_date(d) for d in dates] == list(ex.transactions["date"])
    assert any(isinstance(a, (int, float)) for a in amounts)
    strs = [a for a in amounts if isinstance(a, str)]
    assert any(a.startswith("¥") for a in strs) and any(a.startswith("￥") for a in strs)
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", a) for a in strs)
    parsed = [a if isinstance(a, (int, float)) else float(re.sub(r"[¥￥,]", "", a)) for a in amounts]
    assert np.allclose(parsed, ex.transactions["amount"])
    cust = list(wb["客户信息"].iter_rows(values_only=True))
    assert list(cust[0]) == list(ex.headers["customers"].values())
    assert isinstance(cust[1][list(ex.headers["customers"]).index("joined")], datetime)
    assert {r[2] for r in cust[1:]} == set(ex.type_labels)
    visits = list(wb["到店记录"].iter_rows(values_only=True))
    assert len(visits) - 1 == len(ex.visits)


@pytest.mark.parametrize("table", ["customers", "transactions"])
def test_crm_csvs_are_gbk(ex, table):
    data = ex.paths[f"{table}_csv"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = _csv_rows(ex.paths[f"{table}_csv"], "gbk")
    assert rows[0] == list(ex.headers[table].values()) and len(rows) - 1 == len(
        getattr(ex, table))
    if table == "transactions":
        assert [_date(r[2]) for r in rows[1:]] == list(ex.transactions["date"])
        assert any(r[3].startswith("￥") for r in rows[1:])


# ------------------------------------------------------------------ where things are
def _header(ex, key) -> list[str]:
    path = ex.paths[key]
    if key.endswith("_csv"):
        enc = "gbk" if key.startswith(("wjx", "customers", "transactions")) else "utf-8-sig"
        return _csv_rows(path, enc, ";" if key == "table_csv" else ",")[0]
    if key.endswith("_xlsx"):
        wb = openpyxl.load_workbook(path, read_only=True)
        return [c for ws in wb.worksheets for c in next(ws.iter_rows(values_only=True))]
    read = pyreadstat.read_sav if key == "spss_sav" else pyreadstat.read_dta
    return read(path, metadataonly=True)[1].column_names


def test_contact_and_meta_columns_exist(ex):
    assert set(ex.contact_columns) == set(FILES)
    for key, cols in ex.contact_columns.items():
        assert set(cols) <= set(_header(ex, key)), key
    for key, fields in ex.meta_columns.items():
        assert set(fields.values()) <= set(_header(ex, key)), key
        assert "respondent_id" in fields
    assert set(ex.rows) == set(ex.meta_columns)


# --------------------------------------------------------------------------- determinism
def test_same_seed_same_bytes(ex, tmp_path):
    again = write_exports(tmp_path / "again", seed=7, n=N)
    for key in FILES:
        if key.endswith("_csv"):
            assert again.paths[key].read_bytes() == ex.paths[key].read_bytes(), key
    pd.testing.assert_frame_equal(again.answers, ex.answers)
    other = write_exports(tmp_path / "other", seed=8, n=N)
    assert other.paths["table_csv"].read_bytes() != ex.paths["table_csv"].read_bytes()


def test_small_n(tmp_path):
    small = write_exports(tmp_path, seed=1, n=20)
    assert len(small.answers) == 20 and len(small.rows["wjx_text_csv"]) == 19
    assert demo_exports.N_CUSTOMERS == len(small.customers)
