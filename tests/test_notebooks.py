"""The notebooks: committed clean, thin, parameterised, and executed with nbval on the demo.

nbval needs stored outputs to compare, but notebooks are committed without outputs. So the
expected text of the few cells marked ``# NBVAL_CHECK_OUTPUT`` lives in
``tests/notebook_outputs.json`` (regenerate with ``python tests/update_notebook_outputs.py``
and review the diff); the test copies each notebook, puts those outputs into the marked
cells, points ``params_path`` at the demo params by absolute path, and runs
``pytest --nbval-lax`` on the copies: every cell must run, and the marked cells must print
what they printed before.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
EXPECTED = Path(__file__).with_name("notebook_outputs.json")
NAMES = ["01_problem_framing", "02_data_collection", "03_indicator_construction",
         "04_factor_analysis", "05_customer_tiering"]
MARK = "# NBVAL_CHECK_OUTPUT"


def _nb(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    for i, cell in enumerate(_nb(name).cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {i} has stored outputs"
            assert cell.execution_count is None, f"{name} cell {i} has an execution count"


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_runs_the_demo(name):
    code = [c for c in _nb(name).cells if c.cell_type == "code"]
    first = code[0]
    assert "parameters" in first.metadata.get("tags", []), f"{name}: first code cell not tagged"
    ns: dict = {}
    exec(first.source, ns)  # noqa: S102 - our own parameters cell: two assignments
    assert ns["params_path"] == "../params/demo.yaml"
    assert ns["run_dir"] == ""
    assert any("workbook.open(params_path, run_dir)" in c.source for c in code[1:3])


@pytest.mark.parametrize("name", NAMES)
def test_cells_are_thin(name):
    """Logic belongs in csi_helpers: no functions, classes or loops in notebook cells."""
    nb = _nb(name)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            assert not re.match(r"\s*(def|class|for|while)\s", line), \
                f"{name} cell {i}: move this logic into csi_helpers: {line.strip()}"
        assert len(cell.source.splitlines()) <= 15, f"{name} cell {i} is long; move logic out"
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 5, f"{name}: too little narrative"


def _marked_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith(MARK)]


def test_every_notebook_checks_some_output():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    for name in NAMES:
        marked = _marked_cells(_nb(name))
        assert marked, f"{name}: mark a few stable printed results with {MARK}"
        assert len(expected.get(name, [])) == len(marked), \
            f"{name}: tests/notebook_outputs.json is out of date; run tests/update_notebook_outputs.py"


def comparable_outputs(outputs) -> list[dict]:
    """The outputs nbval compares, reduced to plain text (stdout and text/plain results)."""
    kept = []
    for o in outputs:
        if o.get("output_type") == "stream" and o.get("name") == "stdout":
            kept.append({"output_type": "stream", "name": "stdout", "text": o["text"]})
        elif o.get("output_type") in {"execute_result", "display_data"} \
                and "text/plain" in o.get("data", {}) and "text/html" not in o.get("data", {}):
            kept.append({"output_type": o["output_type"],
                         "data": {"text/plain": o["data"]["text/plain"]}})
    return kept


def _as_outputs(kept: list[dict]) -> list:
    outs = []
    for o in kept:
        if o["output_type"] == "stream":
            outs.append(nbformat.v4.new_output("stream", name="stdout", text=o["text"]))
        else:
            outs.append(nbformat.v4.new_output(o["output_type"], data=o["data"],
                                               **({"execution_count": 1}
                                                  if o["output_type"] == "execute_result" else {})))
    return outs


def prepared_copies(out_dir: Path) -> list[Path]:
    """Copies of the notebooks with absolute params path and the expected outputs inserted."""
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    paths = []
    for name in NAMES:
        nb = _nb(name)
        params_cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        params_cell.source = params_cell.source.replace(
            '"../params/demo.yaml"', repr(str(ROOT / "params" / "demo.yaml")))
        for cell, kept in zip(_marked_cells(nb), expected.get(name, [])):
            cell.outputs = _as_outputs(kept)
            cell.execution_count = 1  # nbval skips comparing cells it thinks were never run
        path = out_dir / f"{name}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def test_notebooks_run_on_demo_with_nbval(tmp_path):
    copies = prepared_copies(tmp_path)
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-p",
         "no:xdist", "-q", "--rootdir", str(tmp_path), *map(str, copies)],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


def test_demo_only_sections_leave_a_clients_notebooks():
    """Cells about the demo's planted truth are tagged needs-demo and left out (markdown
    included, without a note) for a client that is not the generated demo."""
    from csi_helpers import optional
    client = {"framing": {"competitors": [{"id": "x"}]}, "indicator_system": {},
              "sources": {"survey": {"customer_id_column": "c"}, "customers": {"path": "c"},
                          "transactions": {"path": "t"}, "visits": {"path": "v"},
                          "acquisition": {"path": "a"}, "complaints": {"path": "k"},
                          "ratings": {"path": "r"}},
              "tracking": {"earlier_runs": ["outputs/acme/20260901-000000-aaaa"]}}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        kept, left_out = optional.prepare(nb, client)
        assert left_out == []
        code = "\n".join(c.source for c in kept.cells if c.cell_type == "code")
        for demo_call in ("wb.truth()[", 'truth["', "planted_note", "recovery_table"):
            assert demo_call not in code, (path.name, demo_call)
        headings = [c.source.splitlines()[0] for c in kept.cells if c.cell_type == "markdown"
                    and c.source.startswith("#")]
        assert not any("planted" in h.lower() for h in headings), (path.name, headings)
        assert not any("needs-demo" in c.get("metadata", {}).get("tags", []) for c in kept.cells)
        demo_kept, _ = optional.prepare(nb, {**client, "demo": {"seed": 1}})
        assert len(demo_kept.cells) == len(nb.cells)
