"""quality: fieldwork summary, quota, missing, suspects and the cleaning rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi_helpers import quality
from csi_helpers.errors import CSIInputError

ITEMS = [f"Q{i:02d}" for i in range(1, 6)]
LAB = {"zh": {"非常不满意": 1, "不满意": 2, "一般": 3, "满意": 4, "非常满意": 5}}
ZH = {v: k for k, v in LAB["zh"].items()}


def _params(**cleaning):
    rules = {"speeder_seconds": 100, "straightline_min_items": 4, "max_missing_share": 0.4,
             "speeders": "drop", "straightliners": "drop", "duplicates": "keep_first",
             "partials": "drop"}
    rules.update(cleaning)
    return {
        "indicator_system": {"items": [{"id": q} for q in ITEMS]},
        "scale": {"points": 5, "labels": LAB, "missing_labels": ["不知道"]},
        "framing": {"competitors": [{"id": "compA", "columns": {"Q05": "Q05_compA"}}]},
        "sources": {"survey": {"path": "survey.csv", "id_column": "respondent_id",
                               "status_column": "status", "duration_column": "duration_sec"}},
        "fieldwork": {"target_responses": 10, "quota": {"region": {"N": 0.5, "S": 0.5}},
                      "cleaning": rules},
    }


def _row(rid, answers, status="complete", dur=400, region="N"):
    row = {"respondent_id": rid, "status": status, "duration_sec": dur, "region": region,
           "start_time": "2026-10-01T10:00:00"}
    row.update({q: (ZH.get(a, a) if a is not None else "") for q, a in zip(ITEMS, answers)})
    row["Q05_compA"] = "不知道"
    return row


def _survey():
    rows = [
        _row("R1", [4, 5, 3, 4, 2]),                       # clean
        _row("R2", [5, 5, 5, 5, 5]),                       # straight-liner
        _row("R3", [1, 2, 3, 4, 5], dur=60),               # speeder
        _row("R4", [4, 4, 4, 4, 4], dur=50),               # speeder AND straight-liner
        _row("R5", [3, None, None, 4, None], status="partial", dur=30),  # partial, too missing
        _row("R1", [4, 5, 3, 4, 2]),                       # duplicate of R1
        _row("R6", [2, "9", 3, 4, 5], region="S"),         # out of range, kept
        _row("R7", [2, "不知道", None, 4, 5], region="S"),   # 40% missing: not > 0.4, kept
        _row("R8", [2, "不知道", None, None, 5], region="S"),  # 60% missing: dropped
    ]
    return pd.DataFrame(rows)


def test_clean_survey_order_counts_and_log():
    raw = _survey()
    before = raw.copy()
    c = quality.clean_survey(raw, _params())
    pd.testing.assert_frame_equal(raw, before)
    log = c.log.set_index("rule")
    assert log.index.tolist() == list(quality.CLEANING_ORDER)
    assert log["rows_flagged"].to_dict() == {"out_of_range": 1, "partials": 1, "duplicates": 1,
                                             "speeders": 2, "straightliners": 2,
                                             "too_missing": 2}
    # R4 is a speeder and a straight-liner: counted by both, dropped once (as speeder);
    # R5 is partial and too missing: dropped as partial
    assert log["rows_dropped"].to_dict() == {"out_of_range": 0, "partials": 1, "duplicates": 1,
                                             "speeders": 2, "straightliners": 1,
                                             "too_missing": 1}
    assert log["rows_remaining"].tolist() == [9, 8, 7, 5, 4, 3]
    assert c.data["respondent_id"].tolist() == ["R1", "R6", "R7"]
    assert c.data.index.tolist() == [0, 6, 7]
    assert c.flags.loc[3, "dropped_by"] == "speeders"
    assert bool(c.flags.loc[3, "straightliner"]) and bool(c.flags.loc[3, "speeder"])
    assert c.flags["dropped"].sum() == 6
    # items are numbers, not reverse-keyed; out-of-range set to missing; competitor assigned
    assert c.data.loc[6, ITEMS].tolist()[0] == 2.0 and np.isnan(c.data.loc[6, "Q02"])
    assert c.data["Q05_compA"].isna().all() and c.data["Q01"].dtype == "float64"
    assert c.out_of_range[["respondent_id", "item", "raw"]].values.tolist() == [["R6", "Q02", "9"]]
    assert "3 kept" in repr(c)


def test_flag_and_keep_options():
    c = quality.clean_survey(_survey(), _params(speeders="flag", straightliners="flag",
                                                duplicates="flag", partials="keep"))
    log = c.log.set_index("rule")
    assert log["action"].tolist() == ["set to missing", "keep", "flag", "flag", "flag", "drop"]
    assert log["rows_dropped"].sum() == 2          # R5 and R8, too missing
    assert len(c.data) == 7
    c = quality.clean_survey(_survey(), _params(speeder_seconds=None))
    assert c.log.set_index("rule").loc["speeders", "action"] == "off"
    assert not c.flags["speeder"].any()


@pytest.mark.parametrize("cleaning, match", [
    ({"speeders": "delete"}, "fieldwork.cleaning.speeders"),
    ({"max_missing_share": 1.5}, "max_missing_share"),
    ({"straightline_min_items": 1}, "straightline_min_items"),
    ({"speeder_seconds": -5}, "speeder_seconds"),
])
def test_bad_cleaning_parameters(cleaning, match):
    with pytest.raises(CSIInputError, match=match):
        quality.clean_survey(_survey(), _params(**cleaning))


def test_bad_status_and_missing_column():
    raw = _survey()
    raw.loc[2, "status"] = "done"
    with pytest.raises(CSIInputError, match=r"'done' at row 2"):
        quality.clean_survey(raw, _params())
    with pytest.raises(CSIInputError, match="Q03"):
        quality.clean_survey(_survey().drop(columns="Q03"), _params())


def test_duplicates_keep_first_complete():
    df = pd.DataFrame({"respondent_id": ["A", "B", "A", "A", "", None, ""],
                       "status": ["partial", "complete", "complete", "complete",
                                  "complete", "complete", "complete"]})
    assert quality.duplicates(df, status_column="status").tolist() == \
        [True, False, False, True, False, False, False]
    assert quality.duplicates(df).tolist() == [False, False, True, True, False, False, False]
    g = quality.duplicate_groups(df, status_column="status")
    assert g.to_dict("records") == [{"id": "A", "rows": 3, "row_labels": "0, 2, 3", "kept": 2}]


def test_straightliners_speeders_missing():
    v = pd.DataFrame({"a": [3, 3, 1, np.nan], "b": [3, 2, 1, 2], "c": [3, 1, np.nan, np.nan]})
    assert quality.straightliners(v, 3).tolist() == [True, False, False, False]
    assert quality.straightliners(v, 2).tolist() == [True, False, True, False]
    dur = pd.Series([10, 200, np.nan, 20])
    assert quality.speeders(dur, 100).tolist() == [True, False, False, True]
    assert quality.speeders(dur, 100, pd.Series([True, True, True, False])).tolist() == \
        [True, False, False, False]
    m = quality.missing_by_item(v)
    assert m["missing"].tolist() == [1, 0, 2] and m.loc["c", "missing_share"] == 0.5
    c = quality.clean_survey(_survey(), _params())
    mb = quality.missing_by_item(c.assignment, ITEMS)
    assert mb.loc["Q02"].to_dict() == {"answered": 5, "blank": 1, "missing_label": 2,
                                       "out_of_range": 1, "missing": 4,
                                       "missing_share": 4 / 9}


def test_fieldwork_summary_and_quota():
    raw = _survey()
    s = quality.fieldwork_summary(raw, _params()).set_index("measure")["value"]
    assert s["responses started"] == 9 and s["complete"] == 8 and s["partial"] == 1
    assert s["completion rate"] == pytest.approx(8 / 9)
    assert s["unique respondents"] == 8 and s["rows sharing an id"] == 2
    assert s["median duration, complete (min)"] == pytest.approx(400 / 60)
    assert s["complete / target"] == pytest.approx(0.8)
    assert s["fieldwork days"] == 1
    q = quality.quota_table(raw, {"region": {"N": 0.5, "S": 0.4, "E": 0.1}},
                            target_responses=10, segments=["status"])
    region = q[q["segment"] == "region"].set_index("level")
    assert region["count"].to_dict() == {"N": 6, "S": 3, "E": 0}
    assert region.loc["N", "gap"] == pytest.approx(6 / 9 - 0.5)
    assert region.loc["E", "target_count"] == pytest.approx(1.0)
    assert q[q["segment"] == "status"]["target_share"].isna().all()
    with pytest.raises(CSIInputError, match="sum to 0.900"):
        quality.quota_table(raw, {"region": {"N": 0.5, "S": 0.4}})
    with pytest.raises(CSIInputError, match="fieldwork.quota.city"):
        quality.quota_table(raw, {"city": {"X": 1.0}})


def test_demo_survey_flags_match_the_planted_truth(tmp_path):
    """On the demo client every planted speeder, straight-liner, duplicate, partial and
    out-of-range answer is found, and nothing else."""
    import json
    from pathlib import Path

    import yaml
    from csi_helpers import demo
    from csi_helpers.sources import survey as survey_src
    root = Path(__file__).resolve().parents[1]
    p = yaml.safe_load((root / "params" / "demo.yaml").read_text(encoding="utf-8"))
    demo.generate(tmp_path, p["demo"]["seed"])
    for spec in p["sources"].values():
        spec["path"] = str(tmp_path / Path(spec["path"]).name)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))["planted"]
    c = quality.clean_survey(survey_src.read_survey(p), p)
    f = c.flags
    for key, col in [("straightliners", "straightliner"), ("speeders", "speeder"),
                     ("duplicates", "duplicate"), ("partials", "partial")]:
        assert sorted(f.loc[f[col], "respondent_id"]) == truth[key], key
    assert sorted(map(tuple, c.out_of_range[["respondent_id", "item", "raw"]].values.tolist())) \
        == sorted((d["respondent_id"], d["item"], d["raw"]) for d in truth["out_of_range"])
    assert len(c.data) == truth["n_complete"] - len(truth["speeders"]) \
        - len(truth["straightliners"]) - (f["too_missing"] & ~f["partial"]).sum()


def test_distribution_figure_uses_params_labels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = _params()
    p["indicator_system"]["items"][0]["text"] = {"en": "Trust", "zh": "信赖"}
    p["scale"]["reverse_items"] = ["Q02"]
    c = quality.clean_survey(_survey(), p)
    fig = quality.distribution_figure(c.data, p, "zh")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[-1].startswith("Q01 信赖") and "(R)" in ticks[-2] and len(ticks) == 5
    plt.close(fig)


def test_no_status_or_duration_column_is_logged_not_guessed():
    p = _params()
    p["sources"]["survey"]["status_column"] = None
    p["sources"]["survey"]["duration_column"] = None
    c = quality.clean_survey(_survey().drop(columns=["status", "duration_sec"]), p)
    log = c.log.set_index("rule")
    assert log.loc["speeders", "action"] == "off"
    assert "duration_column" in log.loc["speeders", "note"]
    assert "every row counted complete" in log.loc["partials", "note"]
    assert log.loc["partials", "rows_flagged"] == 0
    s = quality.fieldwork_summary(_survey().drop(columns=["status"]), p).set_index("measure")
    assert s.loc["complete", "value"] == 9 and "no status column" in s.loc["complete", "note"]


def test_quota_given_as_counts():
    q = quality.quota_table(_survey(), {"region": {"N": 30, "S": 20}}).set_index("level")
    assert q.loc["N", "target_share"] == pytest.approx(0.6)
    assert q.loc["S", "target_count"] == 20
    q = quality.quota_table(pd.DataFrame({"grade": [1, 1, 2]}), {"grade": {1: 0.5, 2: 0.5}})
    assert q["count"].tolist() == [2, 1]


def test_repeated_index_is_an_error():
    raw = _survey()
    raw.index = [0] * len(raw)
    with pytest.raises(CSIInputError, match="reset_index"):
        quality.clean_survey(raw, _params())
