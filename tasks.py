#!/usr/bin/env python3
"""Set up (if needed) and run csi-workbook: the README's two commands.

    python3 tasks.py demo    # set up, then run the demo engagement; prints the report path
    python3 tasks.py test    # set up, then run the whole test suite

Set-up needs only python3 (>= 3.11) with venv and pip: it creates ``.venv/`` beside this
file and installs the project with its pinned stack (``pip install -e .[test]``), printing one
line per step; pip's whole output goes to ``.venv/setup.log``, whose last lines are shown if
it fails. It is repeated only when ``pyproject.toml`` changes. Any further arguments are
passed on: ``python3 tasks.py test -k params`` or ``python3 tasks.py demo --jobs 2``.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".csi-installed"
LOG = VENV / "setup.log"
TAIL = 30  # lines of the log shown when a step fails


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _show(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _say(msg: str) -> None:
    print(f"[setup] {msg}", flush=True)


def _fail(what: str) -> None:
    """Print the end of the set-up log and its path, and exit non-zero."""
    lines = LOG.read_text(errors="replace").splitlines() if LOG.exists() else []
    if lines:
        print(f"[setup] last {min(TAIL, len(lines))} lines of {_show(LOG)}:", file=sys.stderr)
        for line in lines[-TAIL:]:
            print(f"    {line}", file=sys.stderr)
    sys.exit(f"[setup] {what}; the whole output is in {LOG}. Fix the cause and rerun: "
             "the set-up step resumes where it stopped.")


def _logged(cmd: list[str]) -> int:
    """Run ``cmd`` with all its output appended to the set-up log; return its exit code."""
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {subprocess.list2cmdline(cmd)}\n")
        log.flush()
        return subprocess.call(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)


def setup() -> Path:
    """Create ``.venv`` and install the project into it, unless already done.

    One line per step on the terminal; pip's whole output goes to ``.venv/setup.log``.
    """
    if sys.version_info < (3, 11):
        sys.exit(f"csi-workbook needs Python >= 3.11; this is {sys.version.split()[0]}. "
                 "Run this script with a newer python3.")
    py = _venv_python()
    if py.exists() and STAMP.exists() and STAMP.read_text().strip() == _fingerprint():
        return py
    start = time.monotonic()
    try:
        if not py.exists():
            _say(f"creating virtual environment {_show(VENV)} ...")
            try:
                venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
            except (OSError, subprocess.CalledProcessError) as exc:
                sys.exit(f"[setup] could not create {VENV}: {exc}\n[setup] python3 needs its "
                         "venv module with pip (Debian/Ubuntu: apt install python3-venv).")
        LOG.write_text(f"csi-workbook set-up, {time.strftime('%Y-%m-%d %H:%M:%S')}, "
                       f"Python {sys.version.split()[0]}\n", encoding="utf-8")
        _say(f"installing csi-workbook and its pinned stack (log: {_show(LOG)}) ...")
        cmd = [str(py), "-m", "pip", "install", "--disable-pip-version-check",
               "--progress-bar", "off", "-e", f"{ROOT}[test]"]
        if _logged(cmd) != 0:
            _fail("pip install failed")
    except KeyboardInterrupt:
        sys.exit(f"\n[setup] interrupted; rerun to resume (log: {LOG})")
    STAMP.write_text(_fingerprint())
    _say(f"done in {time.monotonic() - start:.0f} s")
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
