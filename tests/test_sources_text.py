"""sources: encodings, headers and values of survey tables written here (GBK, UTF-8 with BOM,
GB18030, bad encodings, bad values); files are never modified."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers.errors import CSIInputError
from csi_helpers.sources import survey as survey_src
from csi_helpers.sources import table as table_src
from csi_helpers.sources.text import detect_encoding

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


def read_survey(s: dict):
    """The survey as a run reads it (items Q01, Q02; the free-text comment kept by name)."""
    s = {"keep_columns": ["comment"], **s}
    return survey_src.read_survey({"sources": {"survey": s},
                                   "indicator_system": {"items": [{"id": "Q01"}, {"id": "Q02"}]}})


# --------------------------------------------------------------------------- survey
@pytest.mark.parametrize("encoding,declared", [("gbk", "auto"), ("gbk", "gbk"),
                                               ("utf-8-sig", "auto"), ("utf-8-sig", "utf-8"),
                                               ("utf-8-sig", "utf-8-sig"), ("utf-8", "auto"),
                                               ("gb18030", "gb18030")])
def test_read_survey_encodings(project, encoding, declared):
    path = write(project, "survey.csv", SURVEY, encoding)
    df = read_survey(spec(path, declared))
    assert list(df.columns) == ["respondent_id", "customer_id", "status", "duration_sec",
                                "region", "comment", "Q01", "Q02"]  # no BOM in the first name
    assert df["Q01"].tolist()[:1] == ["满意"] and df.loc[2, "comment"] == "排队, 太久"


def test_survey_values_stay_text(project):
    df = read_survey(spec(write(project, "survey.csv", SURVEY, "gbk")))
    assert df["respondent_id"].tolist() == ["R00001", "R00002", "007"]   # zeros kept
    assert df.loc[1, "Q02"] == "9" and df.loc[2, "Q02"] == "一般"         # code as text, stripped
    assert df.loc[2, "Q01"] == "N/A" and df.loc[1, "Q01"] == "不知道"      # kept for the scale
    assert pd.isna(df.loc[1, "customer_id"])                              # empty = missing
    assert all(isinstance(x, str) for x in df["Q01"].dropna())
    assert df["duration_sec"].dtype == np.float64
    assert df["duration_sec"].tolist()[0] == 300.0 and np.isnan(df.loc[1, "duration_sec"])
    assert df.loc[2, "duration_sec"] == 95.0


def test_gb18030_only_characters_are_detected(project):
    text = SURVEY.replace("很好", "很好𠀀")  # outside GBK, inside GB18030
    path = write(project, "survey.csv", text, "gb18030")
    assert detect_encoding(path.read_bytes()) == "gb18030"
    assert read_survey(spec(path)).loc[0, "comment"] == "很好𠀀"


def test_declared_encoding_wrong_names_file_line_and_fix(project):
    path = write(project, "survey.csv", SURVEY, "gbk")
    with pytest.raises(CSIInputError) as info:
        read_survey(spec(path, "utf-8"))
    msg = str(info.value)
    assert msg.startswith("data/acme/survey.csv: line 2 is not valid utf-8")
    assert "gbk" in msg and "sources.survey.encoding" in msg


def test_undecodable_file_names_file_and_lines(project):
    path = project / "data" / "acme" / "survey.csv"
    path.write_bytes(SURVEY.encode("utf-8") + b"R9,,complete,1,North,\xff\xff,1,\n")
    with pytest.raises(CSIInputError) as info:
        read_survey(spec(path))
    msg = str(info.value)
    assert msg.startswith("data/acme/survey.csv: cannot be decoded as utf-8 (line 5)")
    assert "gbk (line" in msg and "gb18030 (line" in msg and "UTF-8" in msg


def test_non_numeric_duration_names_the_row(project):
    path = write(project, "survey.csv", SURVEY.replace(",,South", ",about five,South"), "gbk")
    with pytest.raises(CSIInputError) as info:
        read_survey(spec(path))
    msg = str(info.value)
    assert msg.startswith("sources.survey.duration_column: data/acme/survey.csv: column "
                          "'duration_sec'") and "line 3 'about five'" in msg


def test_missing_survey_columns_are_named(project):
    path = write(project, "survey.csv", SURVEY, "gbk")
    with pytest.raises(CSIInputError) as info:
        read_survey(spec(path, id_column="resp_id", segments=["region", "channel"]))
    lines = info.value.problems
    assert any(line.startswith("sources.survey.id_column: 'resp_id' is not a column of "
                               "data/acme/survey.csv") for line in lines)
    assert any(line.startswith("sources.survey.segments[1]: 'channel'") for line in lines)


def test_duplicate_header_and_empty_file(project):
    path = write(project, "survey.csv", "respondent_id,Q01,Q01\nR1,满意,一般\n")
    with pytest.raises(CSIInputError, match="'Q01' appear more than once"):
        read_survey(spec(path, status_column=None, customer_id_column=None,
                            duration_column=None, segments=[]))
    empty = write(project, "empty.csv", "")
    with pytest.raises(CSIInputError, match="empty.csv: the file is empty"):
        read_survey({"path": str(empty)})


def test_missing_file(project):
    with pytest.raises(CSIInputError, match="data/acme/nope.csv: file not found"):
        read_survey({"path": str(project / "data" / "acme" / "nope.csv")})


def test_loaders_never_modify_files(project):
    path = write(project, "survey.csv", SURVEY, "gbk")
    before = path.read_bytes()
    df = read_survey(spec(path))
    df.loc[0, "Q01"] = "changed"
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- fingerprints
def test_file_fingerprint(project):
    text = "a,b\n1,\"two\nlines\"\n3,4\n\n"
    path = write(project, "x.csv", text, "gbk")
    sha, rows = table_src.file_fingerprint(path)
    assert sha == hashlib.sha256(text.encode("gbk")).hexdigest()
    assert rows == 2                                  # quoted line break is one record
    gbk = write(project, "survey.csv", SURVEY, "gbk")
    assert table_src.file_fingerprint(gbk)[1] == 3
    js = write(project, "truth.json", '{"a": 1}\n')
    assert table_src.file_fingerprint(js) == (hashlib.sha256(b'{"a": 1}\n').hexdigest(), None)


@pytest.mark.parametrize("text", ["id,Q1\n1,满意 \n", "id,Q1\n1,\t满意\n", "id,Q1\n1,满意\u3000\n",
                                  'id,Q1\n1," 满意"\n', "id,Q1 \n1,满意\n"])
def test_blanks_next_to_any_edge_are_stripped(project, text):
    path = write(project, "t.csv", text, "gb18030")
    t = table_src.with_header(table_src.read_grid(path), "t.csv")
    assert list(t.columns) == ["id", "Q1"] and t["Q1"].tolist() == ["满意"]


def test_blank_lines_inside_keep_the_line_numbers(project):
    path = write(project, "survey.csv", "respondent_id,duration_sec,Q01,Q02\nR1,300,满意,一般\n"
                 "\nR3,abc,满意,一般\n\n\n", "gbk")
    with pytest.raises(CSIInputError) as info:
        read_survey({"path": str(path), "duration_column": "duration_sec"})
    assert "line 4 'abc'" in str(info.value)
    g = table_src.read_grid(path)
    assert g.frame.shape[0] == 4        # header, R1, the blank line, R3; trailing blanks gone
