"""Early adopters of new products (the method counts them among the loyal): from the
client's launches in the params and the transactions' category column, checked by
`csi validate` before a run."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from csi_helpers import params, tiering
from csi_helpers.errors import CSIInputError
from tests.test_params import DEMO, demo_project

AS_OF = "2026-09-30"


def _purchases():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "d", "e", "e"],
        "date": ["2026-03-01", "2026-05-30", "2026-05-31", "2026-03-10", "2026-04-01",
                 "2025-01-05", "2025-02-01"],
        "amount": [100.0, 90.0, 80.0, 70.0, 60.0, 50.0, 40.0],
        "category": ["智能冰箱", "智能冰箱", "智能冰箱", "电视", "扫地机", "电视", "电视"]})
    return tiering.purchases(tx, AS_OF, columns=["category"])


LAUNCHES = [{"category": "智能冰箱", "launched": "2026-03-01"},
            {"category": "扫地机", "launched": "2026-01-01"}]


def test_early_adopters_bought_a_launch_within_its_window():
    t = tiering.early_adopters(_purchases(), LAUNCHES, days=90)
    # 智能冰箱: a on the launch day, b on day 91 (out); 扫地机: d on day 90 (in)
    assert t["category"].tolist() == ["智能冰箱", "扫地机"]
    assert t["early_adopters"].tolist() == [1, 1]
    assert t.attrs["customers"].tolist() == ["a", "d"]
    assert t["until"].tolist() == [pd.Timestamp("2026-05-30"), pd.Timestamp("2026-04-01")]
    assert "2 early adopters of 2 launches" in tiering.early_adopters_line(t)
    assert "早期购买者共 2 人" in tiering.early_adopters_line(t, "zh")


def test_early_adopters_are_loyal_unless_they_say_otherwise():
    p = _purchases()
    value = tiering.customer_value(p, AS_OF, years=1)
    early = tiering.early_adopters(p, LAUNCHES, days=90)
    retained = pd.Series(True, index=value.index)
    seg = tiering.loyalty(value, retained, pd.Series({"d": 20.0}), early=early)
    assert seg.loc["a", "segment"] == "loyal" and seg.loc["a", "early_adopter"]
    assert seg.loc["d", "segment"] == "no_loyalty"        # one purchase, states low loyalty
    assert seg.loc["c", "segment"] == "no_loyalty" and not seg.loc["c", "early_adopter"]
    assert seg.loc["e", "segment"] == "loyal"             # repeat buyer kept: loyal anyway
    table = tiering.loyalty_table(seg)
    assert table.loc["loyal", "early_adopters"] == 1
    none = tiering.early_adopters(p, [], days=90)
    assert "early_adopter" not in tiering.loyalty(value, retained, early=none).columns
    assert "No launches are named" in tiering.early_adopters_line(none)


def test_bad_launches_are_named():
    p = _purchases()
    with pytest.raises(CSIInputError, match=r"launches\[0\]: give \{category"):
        tiering.early_adopters(p, [{"category": "电视"}])
    with pytest.raises(CSIInputError, match=r"launches\[0\]\.launched: 'soon' is not a date"):
        tiering.early_adopters(p, [{"category": "电视", "launched": "soon"}])
    with pytest.raises(CSIInputError, match="days=0"):
        tiering.early_adopters(p, LAUNCHES, days=0)
    no_category = tiering.purchases(pd.DataFrame({"customer_id": ["a"], "date": ["2026-03-01"],
                                                  "amount": [1.0]}), AS_OF)
    with pytest.raises(CSIInputError, match="no category column.*columns.category"):
        tiering.early_adopters(no_category, LAUNCHES)


def test_csi_validate_checks_the_launches_against_the_transactions(tmp_path):
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    raw["tiering"]["early_adopters"] = {"launches": [
        {"category": "tv", "launched": "2025-10-01"},
        {"category": "smart_fridges", "launched": "2026-01-01"},
        {"category": "fridge", "launched": "2027-01-01"},
        {"category": "small"}], "days": 90}
    problems = params.check(demo_project(tmp_path, raw))
    text = "\n".join(problems)
    assert "tiering.early_adopters.launches[1].category: 'smart_fridges' is not a category" in text
    assert "tiering.early_adopters.launches[2].launched: 2027-01-01 is after the last" in text
    assert "tiering.early_adopters.launches[3].launched: missing" in text
    assert "launches[0]" not in text


def test_wb_purchases_keeps_the_category_only_when_launches_are_named(tmp_path):
    from csi_helpers import workbook

    pd.DataFrame({"customer_id": ["a", "b"], "date": ["2026-03-02", "2026-08-01"],
                  "amount": [5.0, 6.0], "category": ["智能冰箱", "电视"]}).to_csv(
        tmp_path / "tx.csv", index=False)
    base = {"client": {"id": "x"}, "sources": {"transactions": {"path": str(tmp_path / "tx.csv")}}}
    wb = workbook.Workbook(base, tmp_path / "x.yaml", tmp_path, tmp_path)
    assert "category" not in wb.purchases().table.columns
    wb = workbook.Workbook({**base, "tiering": {"early_adopters": {"launches": LAUNCHES}}},
                           tmp_path / "x.yaml", tmp_path, tmp_path)
    cfg = tiering.settings(wb.params, wb.purchases())
    early = tiering.early_adopters(wb.purchases(), **cfg["early_adopters"])
    assert early.attrs["customers"].tolist() == ["a"]
