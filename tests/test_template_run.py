"""The template as `csi new` writes it runs: with the demo's exports as the client's files,
`csi validate` is clean and `csi run` completes every notebook (issue: defaults that run)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def csi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csi_helpers.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})


def test_template_as_written_validates_and_runs(tmp_path):
    from csi_helpers import demo
    (tmp_path / "params").mkdir()
    shutil.copy(ROOT / "params" / "_template.yaml", tmp_path / "params" / "_template.yaml")
    os.symlink(ROOT / "notebooks", tmp_path / "notebooks")
    assert csi("new", "acme", cwd=tmp_path).returncode == 0
    exports = demo.generate(tmp_path / "generated", seed=20261123)
    for key, path in exports.items():
        if key != "truth":
            shutil.copy(path, tmp_path / "data" / "acme" / Path(path).name)
    check = csi("validate", "acme", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    run = csi("run", "acme", "--no-progress", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    run_dir = Path(run.stdout.strip().splitlines()[-1]).parent
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert [nb["status"] for nb in manifest["notebooks"]] == ["ok"] * 6
