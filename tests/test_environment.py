"""pyproject.toml and environment.yml list the same packages with the same version ranges."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"pyyaml": "pyyaml"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    return CONDA_TO_PYPI.get(name, name), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_split(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                if not pip_dep.startswith("-e"):
                    name, spec = _split(pip_dep)
                    out[name] = spec
        else:
            name, spec = _split(dep)
            if name not in ("python", "pip"):
                out[name] = spec
    return out


def test_same_packages_and_ranges():
    py, env = _pyproject(), _environment()
    assert set(py) == set(env), (f"only in pyproject: {sorted(set(py) - set(env))}; "
                                 f"only in environment.yml: {sorted(set(env) - set(py))}")
    assert py == env


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in env["dependencies"]


def test_scikit_learn_pinned_below_1_8():
    # factor_analyzer 0.5.1 calls check_array(force_all_finite=), removed in scikit-learn 1.8
    assert "<1.8" in _pyproject()["scikit-learn"]
