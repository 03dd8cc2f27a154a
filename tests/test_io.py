"""io: survey and CRM loaders on small files written here (GBK, UTF-8 with BOM, GB18030,
bad encodings, bad values); files are never modified."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers import io
from csi_helpers.errors import CSIInputError

SURVEY = ("respondent_id,customer_id,status,duration_sec,region,Q01,Q02,comment\n"
          "R00001,C007,complete,300,North,满意,非常满意,很好\n"
          "R00002,,partial,,South,不知道,9,\n"
          "007,C010,complete, 95 ,East,N/A, 一般 ,\"排队, 太久\"\n")
SPEC = {"id_column": "respondent_id", "customer_id_column": "customer_id",
        "status_column": "status", "duration_column": "duration_sec", "segments": ["region"]}


@pytest.fixture
def project(tmp_path):
    """A project root (with params/) so messages show data/acme/... paths."""
    (tmp_path / "params").mkdir()
    (tmp_path / "data" / "acme").mkdir(parents=True)
    return tmp_path


def write(project, name, text, encoding="utf-8") -> Path:
    path = project / "data" / "acme" / name
    path.write_bytes(text.encode(encoding))
    return path


def spec(path, encoding="auto", **kw):
    return {"path": str(path), "encoding": encoding, **SPEC, **kw}


# --------------------------------------------------------------------------- survey
@pytest.mark.parametrize("encoding,declared", [("gbk", "auto"), ("gbk", "gbk"),
                                               ("utf-8-sig", "auto"), ("utf-8-sig", "utf-8"),
                                               ("utf-8-sig", "utf-8-sig"), ("utf-8", "auto"),
                                               ("gb18030", "gb18030")])
def test_read_survey_encodings(project, encoding, declared):
    path = write(project, "survey.csv", SURVEY, encoding)
    df = io.read_survey(spec(path, declared))
    assert list(df.columns) == ["respondent_id", "customer_id", "status", "duration_sec",
                                "region", "Q01", "Q02", "comment"]  # no BOM in the first name
    assert df["Q01"].tolist()[:1] == ["满意"] and df.loc[2, "comment"] == "排队, 太久"


def test_survey_values_stay_text(project):
    df = io.read_survey(spec(write(project, "survey.csv", SURVEY, "gbk")))
    assert df["respondent_id"].tolist() == ["R00001", "R00002", "007"]   # zeros kept
    assert df.loc[1, "Q02"] == "9" and df.loc[2, "Q02"] == "一般"         # code as text, stripped
    assert df.loc[2, "Q01"] == "N/A" and df.loc[1, "Q01"] == "不知道"      # kept for the scale
    assert pd.isna(df.loc[1, "customer_id"])                              # empty = missing
    assert pd.api.types.is_string_dtype(df["Q01"])
    assert df["duration_sec"].dtype == np.float64
    assert df["duration_sec"].tolist()[0] == 300.0 and np.isnan(df.loc[1, "duration_sec"])
    assert df.loc[2, "duration_sec"] == 95.0


def test_gb18030_only_characters_are_detected(project):
    text = SURVEY.replace("很好", "很好𠀀")  # outside GBK, inside GB18030
    path = write(project, "survey.csv", text, "gb18030")
    assert io.detect_encoding(path.read_bytes()) == "gb18030"
    assert io.read_survey(spec(path)).loc[0, "comment"] == "很好𠀀"


def test_declared_encoding_wrong_names_file_line_and_fix(project):
    path = write(project, "survey.csv", SURVEY, "gbk")
    with pytest.raises(CSIInputError) as info:
        io.read_survey(spec(path, "utf-8"))
    msg = str(info.value)
    assert msg.startswith("data/acme/survey.csv: line 2 is not valid utf-8")
    assert "gbk" in msg and "sources.survey.encoding" in msg


def test_undecodable_file_names_file_and_lines(project):
    path = project / "data" / "acme" / "survey.csv"
    path.write_bytes(SURVEY.encode("utf-8") + b"R9,,complete,1,North,\xff\xff,1,\n")
    with pytest.raises(CSIInputError) as info:
        io.read_survey(spec(path))
    msg = str(info.value)
    assert msg.startswith("data/acme/survey.csv: cannot be decoded as utf-8 (line 5)")
    assert "gbk (line" in msg and "gb18030 (line" in msg and "UTF-8" in msg


def test_non_numeric_duration_names_the_row(project):
    path = write(project, "survey.csv", SURVEY.replace(",,South", ",5 min,South"), "gbk")
    with pytest.raises(CSIInputError) as info:
        io.read_survey(spec(path))
    assert str(info.value) == (
        "data/acme/survey.csv: line 3 (row 2, respondent_id R00002), column 'duration_sec': "
        "'5 min' is not a number; write the duration in whole seconds or leave the cell empty")


def test_missing_survey_columns_are_named(project):
    path = write(project, "survey.csv", SURVEY, "gbk")
    with pytest.raises(CSIInputError) as info:
        io.read_survey(spec(path, id_column="resp_id", segments=["region", "channel"]))
    msg = str(info.value)
    assert "'resp_id' (sources.survey.id_column)" in msg
    assert "'channel' (sources.survey.segments)" in msg and "data/acme/survey.csv" in msg


def test_duplicate_header_and_empty_file(project):
    path = write(project, "survey.csv", "respondent_id,Q01,Q01\nR1,满意,一般\n")
    with pytest.raises(CSIInputError, match="'Q01' appear more than once"):
        io.read_survey(spec(path, status_column=None, customer_id_column=None,
                            duration_column=None, segments=[]))
    empty = write(project, "empty.csv", "")
    with pytest.raises(CSIInputError, match="empty.csv: the file is empty"):
        io.read_survey({"path": str(empty)})


def test_missing_file(project):
    with pytest.raises(CSIInputError, match="data/acme/nope.csv: file not found"):
        io.read_survey({"path": str(project / "data" / "acme" / "nope.csv")})


def test_loaders_never_modify_files(project):
    path = write(project, "survey.csv", SURVEY, "gbk")
    before = path.read_bytes()
    df = io.read_survey(spec(path))
    df.loc[0, "Q01"] = "changed"
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- CRM files
def test_read_transactions_types(project):
    path = write(project, "transactions.csv",
                 "transaction_id,customer_id,date,amount,category\n"
                 "T1,C001,2025-01-03,1200.50,fridge\nT2,C002,2025-02-04,300,tv\n")
    df = io.read_transactions(path)
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df["date"].iloc[0] == pd.Timestamp("2025-01-03")
    assert df["amount"].tolist() == [1200.5, 300.0]
    assert df["customer_id"].tolist() == ["C001", "C002"]


@pytest.mark.parametrize("column,value,expected", [
    ("amount", "1,200", "'1,200' is not a number"),
    ("amount", "¥300", "'¥300' is not a number"),
    ("date", "03/01/2025", "'03/01/2025' is not a date"),
])
def test_read_transactions_bad_values_name_file_row_column(project, column, value, expected):
    row = {"transaction_id": "T2", "customer_id": "C2", "date": "2025-02-04", "amount": "300"}
    row[column] = f'"{value}"'
    path = write(project, "transactions.csv",
                 "transaction_id,customer_id,date,amount\nT1,C1,2025-01-03,12\n"
                 + ",".join(row.values()) + "\n")
    with pytest.raises(CSIInputError) as info:
        io.read_transactions(path)
    msg = str(info.value)
    assert msg.startswith(f"data/acme/transactions.csv: line 3 (row 2, transaction_id T2), "
                          f"column {column!r}: ")
    assert expected in msg


def test_required_columns_named(project):
    path = write(project, "transactions.csv", "customer_id,day,value\nC1,2025-01-01,3\n")
    with pytest.raises(CSIInputError) as info:
        io.read_transactions(path)
    msg = str(info.value)
    assert "data/acme/transactions.csv" in msg and "'date', 'amount'" in msg
    assert "columns found: customer_id, day, value" in msg


def test_read_customers(project):
    path = write(project, "customers.csv",
                 "customer_id,customer_type,region,city,gender,joined,cooperation,loyalty\n"
                 "001,agent,North,北京,F,2023-01-05,5,4\n002,retail,East,上海,M,2024-02-11,,3\n",
                 "utf-8-sig")
    df = io.read_customers(path)
    assert df["customer_id"].tolist() == ["001", "002"]
    assert df["cooperation"].iloc[0] == 5.0 and np.isnan(df["cooperation"].iloc[1])
    assert df["joined"].iloc[1] == pd.Timestamp("2024-02-11")
    dup = write(project, "customers.csv", "customer_id,customer_type\nC1,agent\nC1,retail\n")
    with pytest.raises(CSIInputError, match="line 3 .*customer_id 'C1' appears more than once"):
        io.read_customers(dup)
    missing = write(project, "customers.csv", "customer_id,region\nC1,North\n")
    with pytest.raises(CSIInputError, match="'customer_type' missing"):
        io.read_customers(missing)


def test_read_visits_notes_secondary(project):
    visits = io.read_visits(write(project, "visits.csv", "customer_id,date\nC1,2026-01-02\n"))
    assert visits["date"].iloc[0] == pd.Timestamp("2026-01-02")
    notes = io.read_notes(write(
        project, "notes.csv",
        "note_id,method,session_id,participant,date,theme,theme_label,sentiment,excerpt\n"
        "N1,focus_group,S1,P1,2026-09-01,waiting_time,Waiting,negative,排队太久\n", "gbk"))
    assert notes.loc[0, "excerpt"] == "排队太久"
    bad = write(project, "notes.csv", "note_id,method,session_id,theme,sentiment\n"
                                      "N1,focus_group,S1,x,angry\n")
    with pytest.raises(CSIInputError, match=r"line 2 \(row 1\), column 'sentiment': 'angry' is "
                                            "not one of positive | negative | neutral"):
        io.read_notes(bad)
    sec = io.read_secondary(write(project, "secondary.csv",
                                  "source_id,title,kind,year\nD1,Report,research_firm,2025\n"))
    assert sec["year"].iloc[0] == 2025.0
    with pytest.raises(CSIInputError, match="'kind'"):
        io.read_secondary(write(project, "secondary.csv", "source_id,title\nD1,x\n"))


# --------------------------------------------------------------------------- fingerprints
def test_file_fingerprint(project):
    text = "a,b\n1,\"two\nlines\"\n3,4\n\n"
    path = write(project, "x.csv", text, "gbk")
    sha, rows = io.file_fingerprint(path)
    assert sha == hashlib.sha256(text.encode("gbk")).hexdigest()
    assert rows == 2                                  # quoted line break is one record
    gbk = write(project, "survey.csv", SURVEY, "gbk")
    assert io.file_fingerprint(gbk)[1] == 3
    js = write(project, "truth.json", '{"a": 1}\n')
    assert io.file_fingerprint(js) == (hashlib.sha256(b'{"a": 1}\n').hexdigest(), None)
