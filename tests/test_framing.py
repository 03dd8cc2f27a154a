"""framing: brief, the six questions, the four-level tree and the four principles."""
from __future__ import annotations

import copy
from pathlib import Path

import matplotlib
import pytest
import yaml

from csi_helpers import framing
from csi_helpers.errors import CSIInputError

matplotlib.use("Agg")
DEMO = Path(__file__).resolve().parents[1] / "params" / "demo.yaml"


@pytest.fixture(scope="module")
def params():
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def test_tree_has_four_levels_and_every_item_once(params):
    t = framing.indicator_tree(params, "en")
    assert t["level"].value_counts().sort_index().to_dict() == {1: 1, 2: 7, 3: 16, 4: 25}
    assert t.iloc[0][["id", "parent", "name", "n_items"]].tolist() == \
        ["CSI", "", "Customer Satisfaction Index", 25]
    items = t[t["level"] == 4]
    assert sorted(items["id"]) == [f"Q{i:02d}" for i in range(1, 26)]
    # every parent exists one level up
    ids = {(r.level, r.id) for r in t.itertuples()}
    assert all((r.level - 1, r.parent) in ids for r in t.itertuples() if r.level > 1)
    sat = t[(t["level"] == 2) & (t["id"] == "SAT")].iloc[0]
    assert sat["items"] == "Q17, Q18, Q19" and sat["n_items"] == 3
    assert set(items.loc[items["reverse"], "id"]) == {"Q12", "Q24"}
    zh = framing.indicator_tree(params, "zh")
    assert zh.loc[zh["id"] == "Q01", "name"].item() == "我信赖这家公司"
    assert zh.loc[zh["id"] == "QUAL", "level_name"].item() == "潜变量"


def test_tree_bad_references_name_the_key(params):
    bad = copy.deepcopy(params)
    bad["indicator_system"]["indicators"][3]["lv"] = "XXX"
    with pytest.raises(CSIInputError, match=r"indicators\[3\]\.lv: 'XXX'"):
        framing.indicator_tree(bad)
    bad = copy.deepcopy(params)
    bad["indicator_system"]["indicators"][0]["items"] = ["Q99"]
    with pytest.raises(CSIInputError, match=r"indicators\[0\]\.items: 'Q99'"):
        framing.indicator_tree(bad)


def test_principles_checklist_flags_failures(params):
    c = framing.principles_checklist(params, "en")
    assert len(c) == 16
    failing = c[~c["passes"]]
    assert failing["indicator"].tolist() == ["I02", "I16"]
    assert failing["failed"].tolist() == ["comparable with competitors", "controllable"]
    assert failing["note"].str.len().gt(20).all()
    zh = framing.principles_checklist(params, "zh")
    assert zh.loc[zh["indicator"] == "I16", "failed"].item() == "可控"
    bad = copy.deepcopy(params)
    del bad["indicator_system"]["indicators"][0]["principles"]["measurable"]
    c = framing.principles_checklist(bad)
    assert c.loc[0, "failed"] == "measurable (not assessed)" and not c.loc[0, "passes"]
    bad["indicator_system"]["indicators"][0]["principles"]["measurable"] = "yes"
    with pytest.raises(CSIInputError, match="principles.measurable"):
        framing.principles_checklist(bad)


def test_questions_and_brief(params):
    q = framing.framing_questions(params, "zh")
    assert q["key"].tolist() == list(framing.QUESTIONS)
    assert q["answered"].all() and q.loc[0, "question"].startswith("哪些因素")
    assert q.loc[3, "answer"].startswith("公开的行业报告")            # the zh of the label
    assert framing.framing_questions(params, "en").loc[3, "answer"].startswith("Public industry")
    partial = {"framing": {"questions": {"drivers": "price"}}}
    assert framing.framing_questions(partial)["answered"].sum() == 1
    with pytest.raises(CSIInputError, match="framing.questions.why"):
        framing.framing_questions({"framing": {"questions": {"why": "x"}}})
    md = framing.brief(params, "en")
    assert "Acme Home Appliances" in md and "4. Tier customers" in md and "Homestar" in md


def test_tree_figure_renders_chinese(params):
    import matplotlib.pyplot as plt

    fig = framing.tree_figure(params, "zh")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("感知质量" in t for t in texts) and any("Q25" in t for t in texts)
    assert any(t.endswith(" !") for t in texts)           # failing indicators marked
    fig.canvas.draw()
    plt.close(fig)


def test_item_texts(params):
    t = framing.item_texts(params, "zh")
    assert len(t) == 25 and t["Q13"] == "售后服务"
    assert framing.item_texts(params, "en")["Q17"] == "Overall satisfaction with Acme"
