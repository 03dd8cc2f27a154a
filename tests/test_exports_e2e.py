"""End to end on client exports as they are sent: `csi validate` on every format, and full
`csi run`s on a 问卷星 Excel export with a Chinese CRM workbook and on a survey-only SPSS
file, checked for completion and for contact data reaching the run folder."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("key,crm", [("wjx_text_xlsx", True), ("spss_sav", False)])
def test_full_run_completes_without_contact_data(project, key, crm):
    root, exports = project
    client = f"run-{key.replace('_', '-')}"
    make_project(root, key, exports, client=client, crm=crm)
    proc = csi("run", client, "--no-progress", cwd=root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run_dir = Path(proc.stdout.strip().splitlines()[-1]).parent
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert all(nb["status"] == "ok" for nb in manifest["notebooks"])
    tiering = next(nb for nb in manifest["notebooks"] if nb["name"] == "05_customer_tiering")
    assert (tiering["left_out"] == []) if crm else ("crm" in tiering["left_out"])
    values = _contact_values(exports, key)
    assert len(values) > 100
    for f in run_dir.rglob("*"):
        if f.is_file() and f.suffix in (".csv", ".ipynb", ".html", ".json"):
            text = f.read_text(encoding="utf-8", errors="ignore")
            leaked = [v for v in values if v in text]
            assert not leaked, f"{f.relative_to(run_dir)} holds contact data: {leaked[:3]}"
    survey = (run_dir / "artifacts" / "survey_clean.csv").read_text(encoding="utf-8")
    assert "iQ01" in survey.splitlines()[0]
