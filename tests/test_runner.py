"""The runner's contract: unique run folders, failure handling, manifest and report."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import nbformat
import pytest

from csi_helpers import report, runner
from csi_helpers.errors import CSIInputError

ROOT = Path(__file__).resolve().parents[1]


def test_select_notebooks_by_number_and_name():
    assert runner.select_notebooks(None) == list(runner.NOTEBOOKS)
    assert runner.select_notebooks("4,3") == ["03_indicator_construction", "04_factor_analysis"]
    assert runner.select_notebooks(["05_customer_tiering"]) == ["05_customer_tiering"]
    with pytest.raises(CSIInputError, match="--only: '07' is not a notebook"):
        runner.select_notebooks("03,07")


def test_run_folders_are_never_shared(tmp_path):
    made: list[Path] = []
    lock = threading.Lock()

    def make():
        for _ in range(20):
            _, d = runner.new_run_dir(tmp_path, "acme")
            with lock:
                made.append(d)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 80 and len(set(made)) == 80
    assert all(d.parent == tmp_path / "acme" for d in made)


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = nbformat.v4.new_code_cell('params_path = "../params/demo.yaml"\nrun_dir = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A test notebook\n\nNarrative."), params]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A throwaway project: the demo params and data, and three tiny notebooks."""
    root = tmp_path_factory.mktemp("project")
    (root / "params").mkdir()
    shutil.copy(ROOT / "params" / "demo.yaml", root / "params" / "demo.yaml")
    nbs = root / "notebooks"
    nbs.mkdir()
    ok = _notebook("from csi_helpers import workbook\nwb = workbook.open(params_path, run_dir)",
                   "import pandas as pd\nwb.save_table(pd.DataFrame({'x': [1, 2]}), '01_x')",
                   "print('hello from 01')")
    bad = _notebook("from csi_helpers import workbook\nwb = workbook.open(params_path, run_dir)",
                    "print('before the failure')",
                    "raise RuntimeError('planted failure')",
                    "print('never reached')")
    nbformat.write(ok, nbs / "01_problem_framing.ipynb")
    nbformat.write(bad, nbs / "02_data_collection.ipynb")
    nbformat.write(ok, nbs / "03_indicator_construction.ipynb")
    return root


def test_failed_notebook_is_kept_marked_and_stops_the_run(project, tmp_path):
    lines: list[str] = []
    result = runner.run_engagement(project / "params" / "demo.yaml", outputs=tmp_path,
                                   only="01,02,03", progress=False, echo=lines.append)
    assert [nb.status for nb in result.notebooks] == ["ok", "failed", "skipped"]
    failed = result.failed
    assert failed.name == "02_data_collection"
    assert failed.error["ename"] == "RuntimeError" and "planted failure" in failed.error["evalue"]
    assert failed.error["cell_index"] is not None
    assert any("02_data_collection  FAILED at cell" in line for line in lines)
    # the partly executed notebook stays, with the output of the cells that ran
    partial = nbformat.read(result.run_dir / "notebooks" / "02_data_collection.ipynb", 4)
    texts = [o.get("text", "") for c in partial.cells if c.cell_type == "code"
             for o in c.get("outputs", [])]
    assert any("before the failure" in t for t in texts)
    assert not any("never reached" in t for t in texts)
    # the manifest records it; the report renders what ran with the failure marked
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert [nb["status"] for nb in manifest["notebooks"]] == ["ok", "failed", "skipped"]
    html = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert "This step failed at cell" in html and "planted failure" in html
    assert "Traceback" not in html
    assert "hello from 01" in html and "was not run" in html
    assert (result.run_dir / "tables" / "01_x.csv").exists()
    # no traceback in the report or the manifest: it is in run.log
    assert "Traceback" not in html and "raise RuntimeError" not in html
    assert "Traceback" not in json.dumps(manifest)
    log = (result.run_dir / "run.log").read_text(encoding="utf-8")
    assert "02_data_collection failed at cell" in log and "raise RuntimeError" in log
    assert "\x1b[" not in log


def test_a_crash_before_the_first_notebook_leaves_a_manifest(project, tmp_path, monkeypatch):
    def broken(p, root):
        raise PermissionError("disk says no")
    monkeypatch.setattr(runner, "_inputs", broken)
    with pytest.raises(runner.RunCrash) as info:
        runner.run_engagement(project / "params" / "demo.yaml", outputs=tmp_path,
                              only="01", progress=False, echo=lambda s: None)
    crash = info.value
    assert "fingerprinting the inputs" in crash.message and "disk says no" in crash.message
    manifest = json.loads((crash.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and manifest["error"]["log"] == "run.log"
    assert manifest["notebooks"][0]["status"] == "skipped"
    assert "PermissionError" in (crash.run_dir / "run.log").read_text(encoding="utf-8")
    assert (crash.run_dir / "report.html").exists()


def test_multi_line_errors_reach_the_console_as_one_line():
    assert runner.one_line("a: first\n  b: second\nc") == \
        "a: first (and 2 more line(s): see run.log)"
    assert runner.one_line("single") == "single"


def test_only_later_notebooks_need_a_complete_run(project, tmp_path):
    with pytest.raises(CSIInputError, match="no complete run"):
        runner.run_engagement(project / "params" / "demo.yaml", outputs=tmp_path, only="03",
                              progress=False, echo=lambda s: None)
    # nothing ran, so no run folder was left behind
    assert not any((tmp_path / "demo").iterdir())


def test_manifest_of_a_successful_run(project, tmp_path):
    result = runner.run_engagement(project / "params" / "demo.yaml", outputs=tmp_path,
                                   only="01", progress=False, echo=lambda s: None)
    assert result.ok
    m = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    for key in ("client", "run_id", "started", "finished", "params", "inputs", "python",
                "packages", "git", "notebooks"):
        assert key in m, key
    assert m["client"] == "demo" and m["run_id"] == result.run_id
    survey = next(i for i in m["inputs"] if i["source"] == "survey")
    assert len(survey["sha256"]) == 64 and survey["rows"] > 900
    assert m["notebooks"][0]["status"] == "ok" and m["notebooks"][0]["seconds"] > 0
    assert m["packages"]["pandas"] and m["packages"]["factor_analyzer"] == "0.5.1"
    assert (result.run_dir / "tables.xlsx").exists()


def test_report_header_toc_and_self_contained(project, tmp_path):
    result = runner.run_engagement(project / "params" / "demo.yaml", outputs=tmp_path,
                                   only="01", progress=False, echo=lambda s: None)
    html = result.report.read_text(encoding="utf-8")
    assert "Acme Home Appliances (demo)" in html and result.run_id in html and "2026-Q4" in html
    assert 'class="csi-toc"' in html and "1. Problem framing</a>" in html
    assert 'class="csi-cover"' in html and 'class="csi-summary"' in html
    assert "<script src=\"http" not in html and "params_path =" not in html


def test_tables_workbook_has_a_sheet_per_table(tmp_path):
    (tmp_path / "tables").mkdir()
    for name in ("02_missing_by_item", "02_missing_by_item_and_a_very_long_suffix_x",
                 "02_missing_by_item_and_a_very_long_suffix_y"):
        (tmp_path / "tables" / f"{name}.csv").write_text("a,b\n1,非常满意\n", encoding="utf-8-sig")
    (tmp_path / "tables" / "05_abc_summary.csv").write_text(
        "tier,customers,revenue,revenue_share\nA,12,52906.371,0.8\nB,30,1234.5,0.2\n",
        encoding="utf-8-sig")
    out = report.tables_workbook(tmp_path, lang="zh")
    import openpyxl
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "目录" and len(wb.sheetnames) == 5
    assert all(len(s) <= 31 for s in wb.sheetnames)
    contents = wb["目录"]
    links = [contents.cell(row=r, column=1).hyperlink for r in range(5, 9)]
    assert all(link is not None for link in links)
    first = wb[wb.sheetnames[1]]
    assert first.title == "02 各题缺失值"                       # sheet names in the report's language
    assert first["A1"].value == "各题缺失值" and first["B4"].value == "非常满意"
    assert first["A3"].font.b and first.freeze_panes == "B4"
    abc = wb["05 ABC 分层"]
    assert [abc.cell(row=3, column=c).value for c in (1, 2, 3, 4)] == ["层级", "客户数", "收入", "收入占比"]
    assert abc["C4"].number_format == "#,##0.00" and abc["D4"].number_format == "0.0%"
    assert abc["B4"].number_format == "0" and abc["B4"].value == 12


def test_run_all_in_parallel_processes(project, tmp_path):
    """`csi run --all --jobs 2`: every client in params/, each in its own run folder."""
    import os
    import subprocess
    import sys

    text = (project / "params" / "demo.yaml").read_text(encoding="utf-8")
    second = project / "params" / "second.yaml"
    second.write_text(text.replace("  id: demo\n", "  id: second\n", 1), encoding="utf-8")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "csi_helpers.cli", "run", "--all", "--jobs", "2", "--only",
             "01", "--outputs", str(tmp_path)], cwd=project, capture_output=True, text=True,
            timeout=600, env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    finally:
        second.unlink()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for client in ("demo", "second"):
        runs = list((tmp_path / client).iterdir())
        assert len(runs) == 1
        manifest = json.loads((runs[0] / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["client"] == client and manifest["status"] == "ok"
        assert f"{client}: ok" in proc.stdout


def test_report_typesets_math_without_the_web():
    out = report.render_math(r"Alpha: $\alpha = \frac{k}{k-1}$; a price of $5 or $6 stays.")
    assert out.count('<img class="csi-math"') == 1
    assert 'src="data:image/svg+xml;base64,' in out and "a price of $5 or $6 stays" in out
    # what mathtext cannot typeset stays readable, as code
    assert report.render_math(r"$\notacommand{x}$") == r"`\notacommand{x}`"
    block = report.render_math("Position:\n$$\\text{position} = 100 \\cdot \\frac{x - 1}{4}$$\nso")
    assert '<div style="text-align: center"><img class="csi-math"' in block and "$$" not in block


def _run_01(project, tmp_path, echo, *cells: str):
    """Run a one-notebook engagement (01) made of `cells` after the workbook cell."""
    nb = _notebook("from csi_helpers import workbook\nwb = workbook.open(params_path, run_dir)",
                   *cells)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nbformat.write(nb, nbs / "01_problem_framing.ipynb")
    return runner.run_engagement(project / "params" / "demo.yaml", outputs=tmp_path / "out",
                                 only="01", progress=False, echo=echo, notebooks_dir=nbs)


def test_notes_of_the_analysis_reach_console_manifest_and_report(project, tmp_path):
    """A CSIWarning (rows left out, an item dropped) is shown in the notebook's output (so in
    the report), echoed on the console after the notebook, and kept in the manifest."""
    lines: list[str] = []
    result = _run_01(project, tmp_path, lines.append,
                     "import warnings\nfrom csi_helpers.errors import CSIWarning\n"
                     "warnings.warn('transactions.date: 3 row(s) after as_of left out', "
                     "CSIWarning)")
    assert result.ok
    assert any("01_problem_framing: transactions.date: 3 row(s) after as_of left out" in ln
               for ln in lines)
    m = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["notebooks"][0]["notes"] == ["transactions.date: 3 row(s) after as_of left out"]
    html = result.report.read_text(encoding="utf-8")
    log = html[html.index('id="appendix-quality"'):]          # in the data-quality log
    assert "transactions.date: 3 row(s) after as_of left out" in log
    assert "Note: transactions.date" not in html[:html.index('id="appendix"')]


def test_figures_reach_the_report_even_with_mplbackend_agg(project, tmp_path, monkeypatch):
    """With MPLBACKEND=Agg in the shell a kernel would show '<Figure size ...>' instead of
    the figure; the runner starts its kernels with the inline backend."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    result = _run_01(project, tmp_path, lambda s: None,
                     "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                     "ax.plot([1, 2], [3, 4])\nwb.save_figure(fig, '01_line');")
    executed = nbformat.read(result.run_dir / "notebooks" / "01_problem_framing.ipynb", 4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    figures = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})
               and "data:image/png;base64" in o["data"]["text/html"]]
    assert figures and 'alt="' in figures[0]
    html = result.report.read_text(encoding="utf-8")
    assert "<Figure size" not in html and "data:image/png;base64" in html
