#!/usr/bin/env python3
"""Set up (if needed) and run csi-workbook: the README's two commands.

    python3 tasks.py demo    # set up, then run the demo engagement; prints the report path
    python3 tasks.py test    # set up, then run the whole test suite

Set-up needs only python3 (>= 3.11) with venv and pip: it creates ``.venv/`` beside this
file and installs the project with its pinned stack (``pip install -e .[test]``). It is
repeated only when ``pyproject.toml`` changes. Any further arguments are passed on:
``python3 tasks.py test -k params`` or ``python3 tasks.py demo --jobs 2``.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".csi-installed"


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def setup() -> Path:
    """Create ``.venv`` and install the project into it, unless already done."""
    if sys.version_info < (3, 11):
        sys.exit(f"csi-workbook needs Python >= 3.11; this is {sys.version.split()[0]}. "
                 "Run this script with a newer python3.")
    py = _venv_python()
    if not py.exists():
        print(f"[setup] creating virtual environment {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if STAMP.exists() and STAMP.read_text().strip() == _fingerprint():
        return py
    print("[setup] installing csi-workbook and its pinned stack (first run takes a few minutes)",
          flush=True)
    cmd = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q",
           "-e", f"{ROOT}[test]"]
    if subprocess.call(cmd, cwd=ROOT) != 0:
        sys.exit("[setup] pip install failed; see the messages above. Fix the cause and rerun: "
                 "the set-up step resumes where it stopped.")
    STAMP.write_text(_fingerprint())
    return py


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    task, rest = argv[0], argv[1:]
    py = setup()
    if task == "setup":
        return 0
    if task == "demo":
        return subprocess.call([str(py), "-m", "csi_helpers.cli", "demo", *rest], cwd=ROOT)
    # test: the whole suite, in parallel on the machine's cores
    return subprocess.call([str(py), "-m", "pytest", "-n", "auto", "--dist", "loadfile", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
