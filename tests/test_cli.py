"""The `csi` command end to end: validate, new, and a full demo run into a temporary folder."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def csi(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csi_helpers.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", **(env or {})})


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One full `csi demo` (what the README's demo command runs) into a temporary folder:
    the earlier wave 2026-Q3, then the current wave 2026-Q4, whose run it returns."""
    out = tmp_path_factory.mktemp("outputs")
    proc = csi("demo", "--outputs", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    runs = sorted((out / "demo").iterdir())
    assert len(runs) == 2                               # one run per wave
    run_dir = Path(proc.stdout.strip().splitlines()[-1]).parent
    assert run_dir == runs[-1]
    return proc, run_dir, out


def test_run_prints_a_line_per_notebook_and_the_report_last(demo_run):
    proc, run_dir, _ = demo_run
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == str(run_dir / "report.html")
    for name in ("01_problem_framing", "02_data_collection", "03_indicator_construction",
                 "04_factor_analysis", "05_customer_tiering", "06_tracking"):
        assert any(re.search(rf"\[demo\] {name}\s+ok\s+[\d.]+ s", line) for line in lines), name


def test_demo_customer_management_recovers_what_was_planted(demo_run):
    """Notebook 05's chapters 10-12 and the contact plan on the demo: the planted keep /
    drop / open channels, the top complaint categories, the customers planted to move up a
    value tier (csi_helpers.demo_customers), and a contact sheet with ids only."""
    import pandas as pd

    _, run_dir, _ = demo_run
    tables = run_dir / "tables"

    def read(stem, **kw):
        return pd.read_csv(tables / f"{stem}.csv", encoding="utf-8-sig", **kw)

    channels = read("05_channels", index_col=0)
    assert channels.loc["老客推荐", "verdict"] == "keep"
    assert channels.loc["地推活动", "verdict"] == "drop"
    assert channels.loc["小红书", "verdict"] == "open"
    issues = read("05_complaint_issues", index_col=0)
    assert list(issues.index[issues["vital_few"]]) == ["售后服务态度", "送货延迟", "安装问题"]
    handling = read("05_complaint_handling", index_col=0)
    assert 0.80 <= handling.loc["total", "within_standard_share"] <= 0.90
    migration = read("05_value_rating_migration", index_col=0)
    assert {"A", "B", "C", "D"} <= set(migration.columns) and "new" in migration.index
    notebook = (run_dir / "notebooks" / "05_customer_tiering.ipynb").read_text(encoding="utf-8")
    share = re.search(r"Planted to move up: \d+ customers rated in both periods; (\d+)% of "
                      r"them moved up, against (\d+)% of the others", notebook)
    assert share and int(share.group(1)) > 2 * int(share.group(2))
    plan = read("05_contact_plan")
    assert list(plan.columns) == ["customer_id", "tier", "tag", "contact", "channel",
                                  "cadence_days", "contacts_per_year", "batch", "next_contact"]
    assert plan["customer_id"].is_unique and len(plan) == 5000
    assert (pd.to_datetime(plan["next_contact"]) > pd.Timestamp("2026-09-30")).all()
    loyalty = read("05_loyalty_segments", index_col=0)
    assert set(loyalty.index) == {"loyal", "switcher", "no_loyalty"}


def test_run_folder_contract(demo_run):
    _, run_dir, _ = demo_run
    executed = sorted(p.name for p in (run_dir / "notebooks").glob("*.ipynb"))
    assert len(executed) == 6
    for path in (run_dir / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
    tables = list((run_dir / "tables").glob("*.csv"))
    figures = list((run_dir / "figures").glob("*.png"))
    for prefix in ("01_", "02_", "03_", "04_", "05_"):
        assert any(t.name.startswith(prefix) for t in tables), f"no {prefix} tables"
        assert any(f.name.startswith(prefix) for f in figures), f"no {prefix} figures"
    assert all(t.stat().st_size > 0 for t in tables)
    assert (run_dir / "artifacts" / "survey_clean.csv").exists()
    assert (run_dir / "tables.xlsx").exists()


def test_demo_tracks_the_planted_changes_between_its_waves(demo_run):
    """Notebook 06 of the demo's 2026-Q4 run recovers what csi_helpers.demo_waves planted
    in 2026-Q3: after-sales better, East's satisfaction lower, Q21 reworded."""
    import pandas as pd

    _, run_dir, _ = demo_run
    tables = run_dir / "tables"
    read = lambda name, **kw: pd.read_csv(tables / f"{name}.csv", encoding="utf-8-sig", **kw)  # noqa: E731
    assert read("06_waves")["wave"].tolist() == ["2026-Q3", "2026-Q4"]
    assert read("06_system_changes")[["item", "change"]].values.tolist() == [["Q21", "reworded"]]
    change = read("06_change", index_col=0)
    assert change.loc["I08", "difference"] > 5 and change.loc["I08", "p_value"] < 0.001
    assert change.loc["I08", "ci_low"] > 0                       # after-sales improved
    seg = read("06_segments")
    east = seg[(seg["segment"] == "region") & (seg["level"] == "East") & (seg["measure"] == "SAT")]
    assert len(east) == 1 and east["difference"].iloc[0] < -10
    others = seg[(seg["segment"] == "region") & (seg["level"] != "East") & (seg["measure"] == "SAT")]
    assert others.empty                                         # only East fell
    assert read("06_drivers")["indicator"].iloc[0] == "I08"      # the driver that moved most
    inv = read("06_invariance", index_col=0)
    assert list(inv.index) == ["configural", "metric", "scalar"] and inv["cfi"].min() > 0.95


def test_report_is_one_self_contained_file(demo_run):
    _, run_dir, _ = demo_run
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert run_dir.name in html and "2026-Q4" in html and "Acme Home Appliances" in html
    assert html.count('class="csi-failure"') == 0
    assert 'class="csi-toc"' in html
    assert html.count("data:image/png;base64") >= 10        # figures embedded
    assert not re.search(r'<(script|img|link)[^>]+(src|href)="https?://', html)
    assert "wb = workbook.open" not in html                   # code hidden


def test_manifest_records_inputs_versions_and_notebooks(demo_run):
    _, run_dir, _ = demo_run
    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "ok" and m["run_id"] == run_dir.name and m["client"] == "demo"
    assert m["started"] <= m["finished"]
    assert m["params"]["client"]["id"] == "demo"
    assert {i["source"] for i in m["inputs"]} >= {"survey", "customers", "transactions"}
    for entry in m["inputs"]:
        path = ROOT / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
    assert [nb["status"] for nb in m["notebooks"]] == ["ok"] * 6
    assert all(nb["seconds"] > 0 for nb in m["notebooks"])
    assert m["python"].startswith("3.") and m["packages"]["papermill"]


def test_only_reuses_the_latest_complete_run(demo_run):
    _, first, out = demo_run
    proc = csi("run", "demo", "--only", "05", "--outputs", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = sorted(p for p in (out / "demo").iterdir())
    assert len(runs) == 3 and first in runs                   # a new folder; the others untouched
    second = runs[-1]
    m = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert m["artifacts_from"] == first.name and m["only"] == ["05_customer_tiering"]


def test_validate_demo_is_clean():
    proc = csi("validate", "demo")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok")


def test_validate_lists_every_problem_and_exits_2(tmp_path):
    root = tmp_path / "proj"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    text = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("language: en", "language: fr").replace("items: [Q07, Q08]",
                                                                 "items: [Q07, Q99]")
    text = text.replace("path: data/demo/survey.csv", "path: data/demo/nowhere.csv")
    text = text.replace("demo:\n  seed: 20261123", "demo_seed: 1")
    (root / "params" / "broken.yaml").write_text(text, encoding="utf-8")
    proc = csi("validate", "broken", cwd=root)
    assert proc.returncode == 2
    err = proc.stderr
    assert "Traceback" not in err
    assert "client.language" in err and "fr" in err
    assert "Q99" in err
    assert "sources.survey.path" in err
    assert "demo_seed" in err                                  # unknown key


def test_run_with_bad_params_runs_nothing(tmp_path):
    root = tmp_path / "proj"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    text = (ROOT / "params" / "demo.yaml").read_text(encoding="utf-8").replace(
        "points: 5", "points: seven")
    (root / "params" / "demo.yaml").write_text(text, encoding="utf-8")
    proc = csi("run", "demo", "--outputs", str(tmp_path / "out"), cwd=root)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "scale.points" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_new_client_from_template(tmp_path):
    root = tmp_path / "proj"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "params" / "_template.yaml", root / "params" / "_template.yaml")
    proc = csi("new", "acme", cwd=root)
    assert proc.returncode == 0, proc.stderr
    created = (root / "params" / "acme.yaml").read_text(encoding="utf-8")
    assert "CLIENT_ID" not in created and "data/acme/" in created
    assert (root / "data" / "acme").is_dir()
    again = csi("new", "acme", cwd=root)
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = csi("new", "Acme Corp", cwd=root)
    assert bad.returncode == 2 and "CLIENT" in bad.stderr


def test_unknown_client_names_the_known_ones():
    proc = csi("run", "nosuchclient", "--outputs", "/nonexistent")
    assert proc.returncode == 2 and "demo" in proc.stderr and "csi new" in proc.stderr
