"""End to end on client exports as they are sent: `csi validate` on every format; the whole
consultant's path on a 问卷星 Excel export with a Chinese CRM workbook (`csi new --survey
--customers --transactions --visits`, the indicator system filled in, `csi validate`,
`csi run`); and a survey-only SPSS run. Runs are checked for completion and for contact
data reaching the run folder."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from csi_helpers import params
from export_projects import FORMAT, make_project

ROOT = Path(__file__).resolve().parents[1]


def csi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csi_helpers.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from csi_helpers import demo_exports
    root = tmp_path_factory.mktemp("exports-project")
    (root / "params").mkdir()
    os.symlink(ROOT / "notebooks", root / "notebooks")
    exports = demo_exports.write_exports(root / "data" / "exports", seed=11, n=300)
    return root, exports


@pytest.mark.parametrize("key", list(FORMAT))
def test_every_export_validates_as_sent(project, key):
    root, exports = project
    path = make_project(root, key, exports, client=key.replace("_", "-"), crm=True)
    problems, notes = params.check_report(path)
    assert problems == []
    assert any(n.startswith("sources.survey:") and "read as" in n for n in notes)
    excluded = next(n for n in notes if "left out of the run" in n)
    for col in exports.contact_columns[key]:
        assert repr(col) in excluded
    assert any(n.startswith("sources.transactions:") and "amount <- '金额'" in n for n in notes)


def _contact_values(exports, key) -> set[str]:
    from csi_helpers.sources import survey
    e = survey.read_export(exports.paths[key])
    out = set()
    for col in exports.contact_columns[key]:
        out |= {str(v) for v in e.data[col].dropna().unique() if len(str(v)) >= 6}
    return out


def _check_run(proc, exports, key: str, crm: bool) -> Path:
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run_dir = Path(proc.stdout.strip().splitlines()[-1]).parent
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert all(nb["status"] == "ok" for nb in manifest["notebooks"])
    tiering = next(nb for nb in manifest["notebooks"] if nb["name"] == "05_customer_tiering")
    # the customer-management inputs beyond the CRM (channels, complaints, value ratings)
    # are not part of these exports: their chapters say what they would show
    optional = {"channels", "complaints", "ratings"}
    assert (set(tiering["left_out"]) == optional) if crm else ("crm" in tiering["left_out"])
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    for machine_room in ("planted", "No planted truth", "Workbook(", "<Figure size",
                         "Traceback"):
        assert machine_room not in html, machine_room   # demo-only sections, reprs, errors
    values = _contact_values(exports, key)
    assert len(values) > 100
    for f in run_dir.rglob("*"):
        if f.is_file() and f.suffix in (".csv", ".ipynb", ".html", ".json"):
            text = f.read_text(encoding="utf-8", errors="ignore")
            leaked = [v for v in values if v in text]
            assert not leaked, f"{f.relative_to(run_dir)} holds contact data: {leaked[:3]}"
    return run_dir


def test_survey_only_spss_run_completes_without_contact_data(project):
    root, exports = project
    make_project(root, "spss_sav", exports, client="run-spss", crm=False)
    run_dir = _check_run(csi("run", "run-spss", "--no-progress", cwd=root), exports,
                         "spss_sav", crm=False)
    survey = (run_dir / "artifacts" / "survey_clean.csv").read_text(encoding="utf-8")
    assert "iQ01" in survey.splitlines()[0]


def test_from_draft_to_complete_run_on_wjx_and_crm_workbook(project):
    """csi new --survey ... -> fill in the indicator system -> csi validate -> csi run."""
    root, exports = project
    shutil.copy(ROOT / "params" / "_template.yaml", root / "params" / "_template.yaml")
    crm = str(exports.paths["crm_xlsx"])
    proc = csi("new", "acme", "--survey", str(exports.paths["wjx_text_xlsx"]),
               "--customers", crm, "--transactions", crm, "--visits", crm, cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    path = root / "params" / "acme.yaml"
    before = csi("validate", "acme", cwd=root)
    assert before.returncode == 2
    left = [ln.strip() for ln in before.stderr.splitlines()[1:]]
    assert left and all(ln.startswith(("indicator_system.indicators[", "indicator_system.items")) for ln in left), left
    p = yaml.safe_load(path.read_text(encoding="utf-8"))
    lv_of = dict(zip(exports.items["wjx_header"], exports.items["lv"]))
    for ind in p["indicator_system"]["indicators"]:
        ind["items"] = [it["id"] for it in p["indicator_system"]["items"]
                        if lv_of[it.get("column", it["id"])] == ind["lv"]]
    p["analysis"] = {**(p.get("analysis") or {}), "pls": {"bootstrap": 50}, "parallel_iter": 20}
    path.write_text(yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
    after = csi("validate", "acme", cwd=root)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "问卷星 export (按选项文本)" in after.stdout
    _check_run(csi("run", "acme", "--no-progress", cwd=root), exports, "wjx_text_xlsx",
               crm=True)


def test_two_waves_of_a_wjx_client_are_tracked(project, tmp_path):
    """A 问卷星 client's two quarterly exports, each run as its wave, the first question
    reworded in the second: its tracking chapter lists the rewording and compares the two
    waves on the other questions."""
    from csi_helpers import demo_exports

    root, exports = project
    key = "wjx_text_xlsx"
    later = demo_exports.write_exports(root / "data" / "exports-q2", seed=12, n=300)
    path = make_project(root, key, exports, client="tracked", crm=False)
    p = yaml.safe_load(path.read_text(encoding="utf-8"))
    p["client"]["wave"] = "2026-Q1"
    p["tracking"] = {"bootstrap": 200, "permutations": 200}
    path.write_text(yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
    first = csi("run", "tracked", "--only", "01,02,06", "--no-progress", cwd=root)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    p["client"]["wave"] = "2026-Q2"
    p["sources"]["survey"]["path"] = str(later.paths[key])
    reworded = p["indicator_system"]["items"][0]            # its wording changed this wave
    reworded["text"] = {**reworded["text"], "zh": reworded["text"]["zh"] + "（新措辞）"}
    path.write_text(yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
    check = csi("validate", "tracked", cwd=root)
    assert "tracking: wave 2026-Q2 will be compared with 2026-Q1" in check.stdout
    second = csi("run", "tracked", "--only", "01,02,06", "--no-progress", cwd=root)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    run = Path(second.stdout.strip().splitlines()[-1]).parent
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["notebooks"][-1]["status"] == "ok" and m["notebooks"][-1]["left_out"] == []
    waves = pd.read_csv(run / "tables" / "06_waves.csv", encoding="utf-8-sig")
    assert waves["wave"].tolist() == ["2026-Q1", "2026-Q2"]
    system = pd.read_csv(run / "tables" / "06_system_changes.csv", encoding="utf-8-sig")
    assert system[["item", "change"]].values.tolist() == [[reworded["id"], "reworded"]]
    change = pd.read_csv(run / "tables" / "06_change.csv", index_col=0, encoding="utf-8-sig")
    assert {"CSI", "SAT", "QUAL"} <= set(change.index)
    # two samples of one population: no latent variable moves beyond sampling error here
    assert (change.loc[["CSI", "SAT", "QUAL", "VAL", "LOY"], "p_value"] > 0.01).all()
    inv = pd.read_csv(run / "tables" / "06_invariance.csv", index_col=0, encoding="utf-8-sig")
    assert list(inv.index) == ["configural", "metric", "scalar"]
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "连续跟踪" in html                            # a zh client: the chapter in Chinese
