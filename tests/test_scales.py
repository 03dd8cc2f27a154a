"""scales: assignment (赋值), reverse keying and positioning (定位)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi_helpers import scales
from csi_helpers.errors import CSIInputError

LABELS = {"zh": {"非常不满意": 1, "不满意": 2, "一般": 3, "满意": 4, "非常满意": 5},
          "en": {"Very dissatisfied": 1, "Dissatisfied": 2, "Neutral": 3, "Satisfied": 4,
                 "Very satisfied": 5}}
MISSING = ["不知道", "Don't know"]


def _survey():
    return pd.DataFrame({
        "respondent_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
        "Q01": ["非常满意", "满意", " 一般 ", "不知道", "", None],
        "Q02": ["9", "0", "3", "4.0", "very satisfied", "满意了"],
    }, index=[10, 11, 12, 13, 14, 15])


def test_labels_numbers_missing_and_out_of_range():
    s = _survey()
    a = scales.assign(s, ["Q01", "Q02"], LABELS, 5, MISSING)
    assert a.values.index.tolist() == s.index.tolist()
    np.testing.assert_array_equal(a.values["Q01"].to_numpy(),
                                  [5, 4, 3, np.nan, np.nan, np.nan])
    # numeric codes on the scale accepted; case-insensitive English label; others out of range
    np.testing.assert_array_equal(a.values["Q02"].to_numpy(),
                                  [np.nan, np.nan, 3, 4, 5, np.nan])
    assert a.out_of_range.to_dict("records") == [
        {"row": 10, "respondent_id": "R1", "item": "Q02", "raw": "9"},
        {"row": 11, "respondent_id": "R2", "item": "Q02", "raw": "0"},
        {"row": 15, "respondent_id": "R6", "item": "Q02", "raw": "满意了"}]
    assert a.counts.loc["Q01"].to_dict() == {"answered": 3, "blank": 2, "missing_label": 1,
                                             "out_of_range": 0}
    assert a.counts.loc["Q02"].to_dict() == {"answered": 3, "blank": 0, "missing_label": 0,
                                             "out_of_range": 3}
    assert set(a.mapping.loc[a.mapping["kind"] == "missing", "label"]) == set(MISSING)
    assert "3 out of range" in repr(a)


def test_input_not_modified_and_numeric_columns_accepted():
    s = _survey()
    before = s.copy()
    scales.assign(s, ["Q01"], LABELS, 5, MISSING)
    pd.testing.assert_frame_equal(s, before)
    a = scales.assign(pd.DataFrame({"Q01": [1, 5, 6, np.nan, 2.5]}), ["Q01"], LABELS, 5,
                      id_column=None)
    np.testing.assert_array_equal(a.values["Q01"].to_numpy(), [1, 5, np.nan, np.nan, np.nan])
    assert len(a.out_of_range) == 2 and "respondent_id" not in a.out_of_range.columns


@pytest.mark.parametrize("kwargs, match", [
    ({"items": ["Q99"]}, "Q99"),
    ({"labels": {"zh": {"满意": 7}}}, r"scale.labels.zh.满意"),
    ({"points": 1}, "scale.points"),
    ({"missing_labels": ["满意"]}, "scale.missing_labels"),
    ({"labels": {"zh": {"满意": 4}, "en": {"满意": 5}}}, "already means 4"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    args = {"items": ["Q01"], "labels": LABELS, "points": 5, "missing_labels": MISSING}
    args.update(kwargs)
    with pytest.raises(CSIInputError, match=match):
        scales.assign(_survey(), **args)


def test_reverse_and_position():
    v = pd.DataFrame({"Q12": [1.0, 2.0, 5.0, np.nan], "Q13": [1.0, 2.0, 3.0, 4.0]})
    r = scales.reverse(v, ["Q12"], 5)
    np.testing.assert_array_equal(r["Q12"].to_numpy(), [5, 4, 1, np.nan])
    pd.testing.assert_series_equal(r["Q13"], v["Q13"])
    assert v["Q12"].iloc[0] == 1.0  # input untouched
    pd.testing.assert_frame_equal(scales.reverse(r, ["Q12"], 5), v)
    p = scales.position(v, 5)
    np.testing.assert_allclose(p["Q13"].to_numpy(), [0, 25, 50, 75])
    np.testing.assert_allclose(scales.position(np.array([1, 7]), 7), [0, 100])
    with pytest.raises(CSIInputError, match="Q99"):
        scales.reverse(v, ["Q99"], 5)
    with pytest.raises(CSIInputError, match="outside 1..5"):
        scales.reverse(pd.DataFrame({"Q12": [9.0]}), ["Q12"], 5)
    with pytest.raises(CSIInputError, match="not numeric"):
        scales.position(pd.DataFrame({"x": ["a"]}), 5)


def test_distribution_and_scale_labels():
    v = pd.DataFrame({"Q01": [1, 2, 4, 5, 5, np.nan], "Q02": [np.nan] * 6})
    d = scales.distribution(v, 5)
    assert d.loc["Q01", "n"] == 5 and d.loc["Q01", "missing"] == 1
    assert d.loc["Q01", ["share_1", "share_2", "share_3", "share_4", "share_5"]].tolist() \
        == [0.2, 0.2, 0.0, 0.2, 0.4]
    assert d.loc["Q01", "top2"] == pytest.approx(0.6)
    assert d.loc["Q01", "bottom2"] == pytest.approx(0.4)
    assert d.loc["Q01", "mean"] == pytest.approx(3.4)
    assert np.isnan(d.loc["Q02", "mean"])
    assert scales.scale_labels(LABELS, 5, "zh") == ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert scales.scale_labels({"en": {"Bad": 1}}, 3, "zh") == ["Bad", "2", "3"]


def test_diverging_likert_figure_shares_and_labels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from csi_helpers import plotting

    v = pd.DataFrame({"Q01": [1, 2, 3, 4, 5, 5, np.nan], "Q12": [1, 1, 1, 1, 2, 3, 5]})
    fig = plotting.diverging_likert_figure(
        v, 5, {"Q01": "我信赖这家公司", "Q12": "等候时间过长"},
        scales.scale_labels(LABELS, 5, "zh"), "zh", reverse_items=["Q12"])
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[-1].startswith("Q01 我信赖这家公司") and ticks[-1].endswith("n=6")
    assert "(R)" in ticks[0]
    # the first segment of Q01 (top bar) starts at -(share_1 + share_2 + share_3 / 2)
    q01_first = ax.patches[1]
    assert q01_first.get_x() == pytest.approx(-100 * (1 / 6 + 1 / 6 + 1 / 12))
    assert q01_first.get_width() == pytest.approx(100 / 6)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    plt.close(fig)
