"""Public CSI data end to end through params alone: R plspm's ``satisfaction`` (250
customers of a Spanish bank, 27 items on 0-10 scales, the ECSI model without complaints)
read as a client's export, cleaned, and fitted as notebook 04 fits it, equal to R plspm's
published results (centroid scheme, ``scaled = FALSE``) to 1e-6; then a full ``csi run``."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from _golden_data import SAT_CSV, plspm_reference
from csi_helpers import measurement, params, pls, quality
from csi_helpers.sources import survey as survey_src

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-6
LVS = {"IMAG": ("imag", 5, "Corporate image", "企业形象"),
       "EXPE": ("expe", 5, "Customer expectations", "顾客期望"),
       "QUAL": ("qual", 5, "Perceived quality", "感知质量"),
       "VAL": ("val", 4, "Perceived value", "感知价值"),
       "SAT": ("sat", 4, "Customer satisfaction", "顾客满意度"),
       "LOY": ("loy", 4, "Customer loyalty", "顾客忠诚")}
PRINCIPLES = {"important": True, "controllable": True, "measurable": True, "comparable": True}


def satisfaction_params() -> dict:
    """What a consultant writes for this export: R's write.csv layout (unnamed row-names
    column), 0-10 answers, gender as a segment, ECSI with complaints left out."""
    items, indicators = [], []
    for k, (lv, (prefix, n, en, zh)) in enumerate(LVS.items(), start=1):
        ids = [f"{prefix}{j}" for j in range(1, n + 1)]
        items += [{"id": q, "text": {"en": f"{en} {j}", "zh": f"{zh}{j}"}}
                  for j, q in enumerate(ids, start=1)]
        indicators.append({"id": f"I{k:02d}", "lv": lv, "name": {"en": en, "zh": zh},
                           "items": ids, "principles": dict(PRINCIPLES)})
    return {
        "client": {"id": "bank", "name": "Spanish credit institution (plspm satisfaction)",
                   "language": "en", "wave": "2009"},
        "sources": {"survey": {"path": "data/bank/satisfaction.csv", "id_column": "row_names",
                               "segments": ["gender"]}},
        "indicator_system": {
            "model": "ECSI",
            "latent_variables": [{"id": lv, "name": {"en": v[2], "zh": v[3]}}
                                 for lv, v in LVS.items()],
            "indicators": indicators, "items": items},
        "scale": {"points": 11, "start": 0},
        # keep every respondent, as the reference does: straight-liners flagged, not dropped
        "fieldwork": {"cleaning": {"straightliners": "flag", "partials": "keep"}},
        "analysis": {"pls": {"scheme": "centroid", "scaled": False, "bootstrap": 0},
                     "parallel_iter": 20},
        "report": {"pdf": False},      # the mobi run below prints its PDF; once is enough
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bank")
    (root / "params").mkdir()
    (root / "data" / "bank").mkdir(parents=True)
    shutil.copy(SAT_CSV, root / "data" / "bank" / "satisfaction.csv")
    os.symlink(ROOT / "notebooks", root / "notebooks")
    path = root / "params" / "bank.yaml"
    path.write_text(yaml.safe_dump(satisfaction_params(), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return root


def test_validates_through_params_alone(project):
    problems, notes = params.check_report(project / "params" / "bank.yaml")
    assert problems == []
    assert any("read as table, CSV" in n for n in notes)


def test_plspm_reproduced_through_params(project):
    p = params.load(project / "params" / "bank.yaml")
    clean = quality.clean_survey(survey_src.read_survey(p), p)
    assert len(clean.data) == 250
    X = measurement.analysis_items(clean.data, p)
    blocks, paths = measurement.structural_model(p)
    assert paths == [e for e in pls.ECSI if "COMP" not in e]
    r = pls.fit(X, blocks, paths, **measurement.pls_options(p))
    o = plspm_reference("outer-model")
    np.testing.assert_allclose(r.outer.loc[o.index, ["weight", "loading", "communality"]],
                               o[["weight", "loading", "communality"]], atol=TOL)
    e = plspm_reference("effects")
    np.testing.assert_allclose(r.effects[["direct", "indirect", "total"]],
                               e[["direct", "indirect", "total"]], atol=TOL)
    s = plspm_reference("inner-summary")
    np.testing.assert_allclose(r.inner_summary["r2"], s["r_squared"], atol=TOL)
    sc = plspm_reference("scores")
    np.testing.assert_allclose(r.scores[sc.columns].to_numpy(), sc.to_numpy(), atol=TOL)
    # the 0-10 answers are positioned to 0-100 per their scale: 0 -> 0, 10 -> 100
    assert measurement.index_range(p) == (1.0, 11.0)


def test_full_run_completes(project):
    proc = subprocess.run([sys.executable, "-m", "csi_helpers.cli", "run", "bank",
                           "--no-progress"], cwd=project, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run_dir = Path(proc.stdout.strip().splitlines()[-1]).parent
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [nb["status"] for nb in manifest["notebooks"]] == ["ok"] * 6
    paths = pd.read_csv(run_dir / "tables" / "04_pls_paths.csv", index_col=0)
    ref = plspm_reference("inner-model")
    np.testing.assert_allclose(paths.loc["VAL -> SAT", "estimate"], ref.loc["VAL", "Estimate"],
                               atol=1e-3)   # the table is rounded to 3 decimals


# --------------------------------------------------------------------------- ECSI mobi
MOBI = {"IMAG": ("IMAG", 5), "EXPE": ("CUEX", 3), "QUAL": ("PERQ", 7), "VAL": ("PERV", 2),
        "SAT": ("CUSA", 3), "COMP": ("CUSCO", 1), "LOY": ("CUSL", 3)}


def mobi_params() -> dict:
    """The ECSI mobile-phone questionnaire as a consultant maps it: its own item names,
    1-10 answers, the standard ECSI model with the single complaint item CUSCO."""
    items, indicators = [], []
    for k, (lv, (prefix, n)) in enumerate(MOBI.items(), start=1):
        ids = [prefix] if n == 1 else [f"{prefix}{j}" for j in range(1, n + 1)]
        items += [{"id": q, "text": {"en": q}} for q in ids]
        indicators.append({"id": f"I{k:02d}", "lv": lv, "name": {"en": lv}, "items": ids,
                           "principles": dict(PRINCIPLES)})
    return {"client": {"id": "mobile", "name": "ECSI mobile phone (Tenenhaus et al. 2005)",
                       "language": "en"},
            "sources": {"survey": {"path": "data/mobile/mobi.csv", "id_column": "row_names"}},
            "indicator_system": {"model": "ECSI", "indicators": indicators, "items": items},
            "scale": {"points": 10},
            "fieldwork": {"cleaning": {"straightliners": "flag", "partials": "keep"}},
            "analysis": {"pls": {"bootstrap": 100}, "parallel_iter": 20}}


def test_ecsi_mobi_with_a_single_item_construct_runs_end_to_end(tmp_path):
    from _golden_data import DATASETS
    (tmp_path / "params").mkdir()
    (tmp_path / "data" / "mobile").mkdir(parents=True)
    shutil.copy(DATASETS / "mobi.csv", tmp_path / "data" / "mobile" / "mobi.csv")
    os.symlink(ROOT / "notebooks", tmp_path / "notebooks")
    path = tmp_path / "params" / "mobile.yaml"
    path.write_text(yaml.safe_dump(mobi_params(), sort_keys=False), encoding="utf-8")
    assert params.check(path) == []
    proc = subprocess.run([sys.executable, "-m", "csi_helpers.cli", "run", "mobile",
                           "--no-progress"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run_dir = Path(proc.stdout.strip().splitlines()[-1]).parent
    loadings = pd.read_csv(run_dir / "tables" / "04_cfa_loadings.csv", index_col=[0, 1])
    assert loadings.loc[("COMP", "CUSCO"), "est"] == 1.0      # the single item, fixed
    rel = pd.read_csv(run_dir / "tables" / "04_reliability_validity.csv", index_col=0)
    assert rel.loc["COMP", "verdict"].startswith("single item")
    outer = pd.read_csv(run_dir / "tables" / "04_pls_outer.csv", index_col=0)
    assert "CUSCO" in outer.index                               # PLS keeps it
    # the report a reviewer signs, for a survey-only real client: summary first, no demo
    # sections, teaching notes in the appendix, nothing from the machine room; and its PDF
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    summary = html[html.index('class="csi-summary"'):html.index('class="csi-toc"')]
    assert "Customer satisfaction index" in summary and "95% confidence interval" in summary
    assert "No CRM export" in summary and "No competitor was rated" in summary
    assert "Improve first" in summary and "Model fit: CFI" in summary
    assert "Method notes" in html and "planted" not in html.lower()
    for machine in ("Workbook(", "<Figure size", "Traceback", "tables/04_", "METHOD.md",
                    "csi_helpers", "NBVAL"):
        assert machine not in html, machine
    pdf = (run_dir / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000   # A4 and fonts: test_report_browser
