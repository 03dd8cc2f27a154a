"""collection: the source inventory by the five methods and the coded themes."""
from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from csi_helpers import collection
from csi_helpers.errors import CSIInputError

matplotlib.use("Agg")


def _notes():
    rows = []
    # two internal interviews (1 person each), one in-depth with 2, one focus group of 9
    rows += [("internal_interview", "II1", "CEO", "price", "negative")] * 2
    rows += [("internal_interview", "II2", "CFO", "waiting", "negative")]
    rows += [("in_depth_interview", "ID1", "P1", "waiting", "negative"),
             ("in_depth_interview", "ID1", "P2", "waiting", "positive")]
    rows += [("focus_group", "FG1", f"P{i}", "price" if i < 4 else "staff",
              "neutral" if i < 2 else "positive") for i in range(9)]
    df = pd.DataFrame(rows, columns=["method", "session_id", "participant", "theme", "sentiment"])
    df["theme_label"] = df["theme"].str.title()
    return df


def _params(tmp_path):
    (tmp_path / "notes.csv").write_text("x")
    return {"sources": {"notes": {"path": str(tmp_path / "notes.csv")},
                        "survey": {"path": str(tmp_path / "survey.csv"),
                                   "id_column": "respondent_id", "status_column": "status"}},
            "fieldwork": {"target_responses": 4}}


def test_inventory_planned_and_collected(tmp_path):
    p = _params(tmp_path)
    plan = collection.source_inventory(p).set_index("method")
    assert plan.index.tolist() == ["secondary", "internal_interview", "survey",
                                   "in_depth_interview", "focus_group", "crm"]
    assert plan.loc["secondary", "status"] == "not planned"
    assert plan.loc["focus_group", "status"] == "planned (file present)"
    assert plan.loc["survey", "status"] == "planned (file missing)"
    survey = pd.DataFrame({"respondent_id": ["R1", "R2", "R2"],
                           "status": ["complete", "partial", "complete"]})
    secondary = pd.DataFrame({"kind": ["public", "web"], "year": [2024, 2026]})
    inv = collection.source_inventory(p, survey=survey, notes=_notes(), secondary=secondary,
                                      lang="zh").set_index("method")
    assert inv.loc["internal_interview", ["records", "sessions", "participants"]].tolist() == \
        [3, 2, 2]
    assert inv.loc["in_depth_interview", ["records", "sessions", "participants"]].tolist() == \
        [2, 1, 2]
    assert inv.loc["focus_group", "participants"] == 9
    assert inv.loc["focus_group", "detail"] == "每场 9 人（方法建议 8-12）"
    assert inv.loc["survey", ["records", "participants"]].tolist() == [3, 2]
    assert inv.loc["survey", "detail"] == "完成 2；目标 4"
    assert inv.loc["secondary", "detail"] == "public: 1, web: 1; 2024-2026"
    assert inv.loc["survey", "name"] == "问卷调查" and inv.loc["survey", "status"] == "已采集"
    small = _notes()
    small = small[~((small["method"] == "focus_group") & (small["participant"] > "P4"))]
    en = collection.source_inventory(p, notes=small).set_index("method")
    assert en.loc["focus_group", "detail"] == "5 per session (guide 8-12: check)"


def test_inventory_bad_notes(tmp_path):
    bad = _notes()
    bad.loc[0, "method"] = "survey_call"
    with pytest.raises(CSIInputError, match="'survey_call'"):
        collection.source_inventory(_params(tmp_path), notes=bad)


def test_theme_frequency_order():
    f = collection.theme_frequency(_notes())
    # totals 6, 5, 3: most frequent first
    assert f.index.tolist() == ["price", "staff", "waiting"]
    assert f["total"].tolist() == [6, 5, 3]
    # ties broken by sessions, then negative share, then code
    n = pd.DataFrame({"method": ["focus_group"] * 4, "session_id": ["F1", "F2", "F1", "F1"],
                      "theme": ["b", "b", "a", "a"], "sentiment": ["positive"] * 4})
    assert collection.theme_frequency(n).index.tolist() == ["b", "a"]


def test_theme_frequency_values():
    f = collection.theme_frequency(_notes())
    assert f.loc["price"][["internal_interview", "in_depth_interview", "focus_group", "total",
                           "sessions", "negative", "neutral", "positive"]].tolist() == \
        [2, 0, 4, 6, 2, 2, 2, 2]
    assert f.loc["waiting", "negative_share"] == pytest.approx(2 / 3)
    assert f["total"].tolist() == sorted(f["total"], reverse=True)
    assert f.loc["staff", "theme_label"] == "Staff"
    bad = _notes()
    bad.loc[3, "sentiment"] = "angry"
    with pytest.raises(CSIInputError, match="'angry' at row 3"):
        collection.theme_frequency(bad)


def test_theme_figure():
    import matplotlib.pyplot as plt

    fig = collection.theme_figure(collection.theme_frequency(_notes()), "zh")
    assert fig.axes[0].get_xlabel() == "编码片段数"
    plt.close(fig)


def test_missing_optional_sources_and_columns(tmp_path):
    from csi_helpers.errors import CSIWarning

    with pytest.warns(CSIWarning, match="sources.notes"):
        empty = collection.theme_frequency(None)
    assert empty.empty and "total" in empty.columns
    import matplotlib.pyplot as plt
    plt.close(collection.theme_figure(empty))
    bare = _notes().drop(columns=["sentiment", "participant"])
    f = collection.theme_frequency(bare)
    assert f.loc["price", "total"] == 6 and f["negative"].isna().all()
    plt.close(collection.theme_figure(f))
    inv = collection.source_inventory(_params(tmp_path), notes=bare).set_index("method")
    assert inv.loc["focus_group", "sessions"] == 1
    assert pd.isna(inv.loc["focus_group", "participants"])
    assert collection.secondary_overview(None).empty
    sec = pd.DataFrame({"summary": ["b", "a"], "year": [2026, 2024], "source_id": ["S2", "S1"]})
    assert collection.secondary_overview(sec)[["source_id", "year"]].values.tolist() == \
        [["S1", 2024], ["S2", 2026]]


def test_optional_loader(capsys):
    class WB:
        params = {"sources": {"notes": {"path": "x"}}}

        def notes(self):
            return "loaded"

    assert collection.optional(WB(), "notes") == "loaded"
    assert collection.optional(WB(), "secondary") is None
    assert "sources.secondary is not given" in capsys.readouterr().out
