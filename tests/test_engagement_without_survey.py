"""An engagement without a survey: the CDNOW transaction log (Fader, Hardie and Lee 2005;
tests/golden/datasets/cdnow/README.md) sent as a Chinese client's CRM export, with no
customer master, no questionnaire and no indicator system, through `csi validate` and a
whole `csi run`.

What a consultant expects: `csi validate` names what the short export cannot give (the
lifecycle's two years) and how to fix it; the run completes; the survey steps (02-04, 06)
are marked not applicable with a word on what they would show; notebook 05 computes every
chapter the transactions carry (value, ABC, pyramid, lifecycle on half-years, loyalty,
RFM, CLV with the published model's holdout check) and says for each of the others what
it needs; the executive summary speaks of customers, not of a CSI that was never asked."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from csi_helpers import optional, params
from csi_helpers.errors import CSIInputError

ROOT = Path(__file__).resolve().parents[1]
CDNOW = ROOT / "tests" / "golden" / "datasets" / "cdnow" / "CDNOW_sample.txt"
PARAMS = {"client": {"id": "cdnow", "name": "CDNOW 唱片", "language": "zh", "currency": "USD"},
          "framing": {"context": "一家在线唱片零售商：只有交易记录，没有问卷。"},
          "sources": {"transactions": {"path": "data/cdnow/订单.csv"}},
          # 18 months of history: the lifecycle compares half-years; the CLV holdout leaves
          # the paper's 39-week calibration (1997-01-01..1997-09-30) and 39 holdout weeks
          "tiering": {"lifecycle": {"months": 6}, "clv": {"holdout_months": 9}}}


def csi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csi_helpers.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})


def _write(root: Path, raw: dict, name: str = "cdnow") -> Path:
    path = root / "params" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder with the CDNOW log as a GBK export (会员编号 / 订单日期 1997年1月1日 /
    实付金额 with a currency sign / 商品数量) and its params."""
    root = tmp_path_factory.mktemp("cdnow-project")
    (root / "params").mkdir()
    (root / "data" / "cdnow").mkdir(parents=True)
    os.symlink(ROOT / "notebooks", root / "notebooks")
    log = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={"date": str, "id": str},
                      names=["master", "id", "date", "cds", "amount"])
    day = pd.to_datetime(log["date"], format="%Y%m%d")
    pd.DataFrame({"会员编号": log["id"],
                  "订单日期": [f"{d.year}年{d.month}月{d.day}日" for d in day],
                  "实付金额": [f"${a:,.2f}" for a in log["amount"]],
                  "商品数量": log["cds"]}).to_csv(root / "data" / "cdnow" / "订单.csv",
                                               index=False, encoding="gbk")
    _write(root, PARAMS)
    return root, log


def test_validate_passes_and_names_only_what_the_export_has(project):
    root, _ = project
    problems, notes = params.check_report(root / "params" / "cdnow.yaml")
    assert problems == []
    assert any(n.startswith("sources.transactions:") and "customer_id <- '会员编号'" in n
               for n in notes)
    assert not any(n.startswith("tracking:") for n in notes)   # no survey: nothing to track


def test_a_short_export_is_told_to_compare_half_years(project, tmp_path):
    """Eighteen months hold one full year: `csi validate` says the lifecycle cannot compare
    two, and which shorter period can (instead of notebook 05 dying on it)."""
    root, _ = project
    raw = {**PARAMS, "tiering": {"clv": {"holdout_months": 9}}}
    problems = params.check(_write(root, raw, "cdnow-years"))
    assert len(problems) == 1, problems
    assert problems[0].startswith("tiering.lifecycle.months:")
    assert "cover 1 such period" in problems[0] and "tiering.lifecycle.months: 6" in problems[0]
    raw = {**PARAMS, "tiering": {"lifecycle": {"months": 5}}}
    problems = params.check(_write(root, raw, "cdnow-five"))
    assert any(p.startswith("tiering.lifecycle.months: 5 does not divide a year")
               for p in problems), problems


@pytest.mark.parametrize("change, where, says", [
    ({"sources": {"survey": {"path": "data/x/survey.csv"},
                  "transactions": {"path": "data/cdnow/订单.csv"}}},
     "indicator_system", "the survey is analysed through its indicator system"),
    ({"sources": {}}, "sources", "nothing to analyse"),
    ({"sources": {"customers": {"path": "data/cdnow/订单.csv"}}}, "sources",
     "nothing to analyse"),
])
def test_engagements_that_cannot_run_are_named(project, change, where, says):
    root, _ = project
    problems = params.validate({**PARAMS, **change}, root / "params" / "x.yaml")
    assert any(p.startswith(f"{where}:") and says in p for p in problems), problems


def test_the_parts_of_a_transactions_only_engagement():
    missing = optional.missing_parts(PARAMS)
    assert "crm" not in missing
    assert {"survey", "system", "customers", "visits", "linked"} <= set(missing)


@pytest.fixture(scope="module")
def run_dir(project):
    root, _ = project
    proc = csi("run", "cdnow", cwd=root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = Path(proc.stdout.strip().splitlines()[-1]).parent
    assert "not applicable: needs sources.survey" in proc.stdout
    return out


def test_the_run_completes_with_the_survey_steps_not_applicable(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    status = {nb["name"][:2]: (nb["status"], nb["left_out"]) for nb in manifest["notebooks"]}
    for step in ("02", "03", "04", "06"):
        assert status[step] == ("not_applicable", ["survey"])
        assert not list((run_dir / "notebooks").glob(f"{step}_*.ipynb"))   # never executed
    assert status["01"] == ("ok", ["system"])
    assert status["05"][0] == "ok"
    assert set(status["05"][1]) == {"customers", "visits", "linked", "ratings", "channels",
                                    "complaints"}
    assert not [t for t in (run_dir / "tables").iterdir() if t.name[:2] in ("02", "03", "04")]


def test_notebook_05_computes_what_the_transactions_carry(run_dir, project):
    _, log = project
    tables = run_dir / "tables"
    value = pd.read_csv(tables / "05_customer_value.csv", dtype={"customer_id": str})
    assert len(value) == 2357 == log["id"].nunique()
    assert value["revenue"].sum() == pytest.approx(log["amount"].sum(), abs=0.01)
    abc = pd.read_csv(tables / "05_abc_summary.csv")
    assert abc["customers"].sum() == 2357
    # the lifecycle on half-years: the last (1998-01..06) against the one before
    stages = pd.read_csv(tables / "05_lifecycle.csv", dtype={"customer_id": str})
    assert "growth_1998-06" in stages.columns and len(stages) == 2357
    tx = log.assign(day=pd.to_datetime(log["date"], format="%Y%m%d"))
    last = tx[tx["day"] > "1997-12-31"].groupby("id")["amount"].sum()
    prev = tx[(tx["day"] > "1997-06-30") & (tx["day"] <= "1997-12-31")].groupby("id")["amount"].sum()
    both = last.index.intersection(prev.index)
    expected = (last[both] / prev[both] - 1).rename("growth")
    got = stages.set_index("customer_id").loc[both, "growth_1998-06"]
    assert got.to_numpy() == pytest.approx(expected.to_numpy())
    lapsed = set(log["id"]) - set(last.index)                 # no purchase in 1998
    assert (stages.set_index("customer_id").loc[sorted(lapsed), "stage"]
            .isin(["decline", "none"]).all())
    # the CLV holdout check on the paper's 39/39 weeks: 1,653.4 repeat purchases predicted
    # against 1,882 (the totals of the published BG/NBD fit, see tests/test_clv.py)
    holdout = pd.read_csv(tables / "05_clv_holdout.csv")
    assert (holdout["actual"] * holdout["customers"]).sum() == pytest.approx(1882)
    assert (holdout["predicted"] * holdout["customers"]).sum() == pytest.approx(1653.4, abs=0.5)
    clv = pd.read_csv(tables / "05_clv_customers.csv", dtype={"customer_id": str})
    assert len(clv) == 2357 and (clv["clv"] >= 0).all()
    by_abc = pd.read_csv(tables / "05_clv_by_abc.csv")
    assert by_abc["clv_total"].sum() == pytest.approx(clv["clv"].sum())
    for name in ("05_rfm", "05_loyalty", "05_pyramid_summary"):
        assert (tables / f"{name}.csv").exists(), name
    assert not (tables / "05_rule_abc_customers.csv").exists()          # needs the master
    # the buyers' M/O and VIP tags and the contact plan by the revenue tiers
    tags = pd.read_csv(tables / "05_tags.csv", dtype={"customer_id": str})
    assert len(tags) == 2357 and set(tags["tag"]) <= {"M", "O", "M+VIP", "O+VIP"}
    assert "visit_tag" not in tags.columns
    plan = pd.read_csv(tables / "05_contact_plan.csv", dtype={"customer_id": str})
    assert len(plan) == 2357 and set(plan["tier"]) == {"A", "B", "C"}
    vip = set(tags.loc[tags["tag"].str.endswith("VIP"), "customer_id"])
    assert set(plan.loc[plan["contact"] == "one_to_one", "customer_id"]) == vip


def test_the_report_says_what_each_missing_input_would_give(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "Traceback" not in html and "<Figure size" not in html
    summary = html.split('id="summary"')[1].split("</section>")[0]
    assert "本次项目仅依据 CRM 导出数据" in summary
    assert "未计算顾客满意度指数" not in summary and "模型拟合" not in summary
    assert "客户终生价值合计" in summary and "处于衰退期" in summary
    assert html.count("未提供问卷数据") == 4                         # steps 02, 03, 04, 06
    assert "未提供客户主数据" in html                                  # rule ABC, once in full
    assert "未提供到店记录" in html                                    # the Y/N grid
    assert "本节同样从略：需要 `sources.customers`" in html or \
        "本节同样从略：需要 <code>sources.customers</code>" in html    # later sections
    assert "不适用" in html                                           # the cover's steps


def test_period_sales_keep_month_ends_and_equal_the_years_at_twelve_months():
    from csi_helpers import tiering
    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
                       "date": ["2024-12-31", "2025-01-01", "2025-06-30", "2025-12-31"],
                       "amount": [10.0, 20.0, 30.0, 40.0]})
    half = tiering.period_sales(tx, "2025-12-31", months=6)
    # (2024-12-31, 2025-06-30] and (2025-06-30, 2025-12-31]: a month end stays one
    assert half.columns.tolist() == ["2025-06", "2025-12"]
    assert half.loc["a"].tolist() == [20.0, 0.0] and half.loc["b"].tolist() == [30.0, 40.0]
    years = tiering.period_sales(tx, "2025-12-31", months=12)
    pd.testing.assert_frame_equal(years, tiering.yearly_sales(tx, "2025-12-31"))
    stages = tiering.lifecycle(half)
    assert stages.loc["a", "stage"] == "decline" and stages.loc["b", "stage"] == "growth"
    with pytest.raises(CSIInputError, match="divide a year"):
        tiering.period_sales(tx, "2025-12-31", months=5)


def test_a_crm_without_survey_or_visits_runs_every_chapter_it_can(tmp_path):
    """The demo's CRM exports alone (master, transactions, channels, complaints, value
    ratings; no survey, no store visits): the rule-based ABC, the value rating, channels,
    complaints, the M/O tags and the contact plan are computed; only the Y/N visit grid and
    the survey links say what they need."""
    from csi_helpers import demo

    raw = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    files = demo.generate(tmp_path / "data" / "crm", seed=raw["demo"]["seed"])
    for key in ("demo", "indicator_system", "scale", "fieldwork"):
        raw.pop(key, None)
    raw["framing"].pop("competitors", None)
    raw["client"].update(id="crm", language="en")
    raw["sources"] = {k: {**v, "path": str(files[k])} for k, v in raw["sources"].items()
                      if k in ("customers", "transactions", "acquisition", "channel_costs",
                               "complaints", "ratings")}
    (tmp_path / "params").mkdir()
    os.symlink(ROOT / "notebooks", tmp_path / "notebooks")
    assert params.check(_write(tmp_path, raw, "crm")) == []
    proc = csi("run", "crm", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run = Path(proc.stdout.strip().splitlines()[-1]).parent
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    tiering = next(nb for nb in manifest["notebooks"] if nb["name"] == "05_customer_tiering")
    assert manifest["status"] == "ok" and set(tiering["left_out"]) == {"visits", "linked"}
    for name in ("05_rule_abc_customers", "05_lifecycle", "05_clv_by_tier",
                 "05_value_rating_customers", "05_channels", "05_complaint_issues"):
        assert (run / "tables" / f"{name}.csv").exists(), name
    plan = pd.read_csv(run / "tables" / "05_contact_plan.csv")           # no visits needed
    assert len(plan) == 5000
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "Traceback" not in html and "works from the CRM export alone" in html
    assert "No store-visit export was given" in html                    # the Y/N grid only
