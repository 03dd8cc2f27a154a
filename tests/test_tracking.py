"""Wave over wave: indicator-system changes, the change of every score with its bootstrap
interval and Welch's t, segments, invariance between the waves, and the drivers that moved.

Two waves of the demo client are built by hand: the earlier wave is the demo survey as
cleaned by notebook 02; the later one the same respondents with planted changes: the
after-sales item Q13 one point better for half of them, the three satisfaction items one
point lower in region East, and item Q21 reworded in the params.
"""
from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi_helpers import params as P
from csi_helpers import quality, tracking
from csi_helpers.errors import CSIInputError
from csi_helpers.sources import survey as S

ROOT = Path(__file__).resolve().parents[1]


def _run(root: Path, name: str, wave: str, started: str, p: dict, survey: pd.DataFrame,
         status: str = "ok") -> Path:
    d = root / name
    (d / "artifacts").mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({"run_id": name, "wave": wave, "started": started,
                                                 "status": status, "params": p}, default=str))
    survey.to_csv(d / "artifacts" / "survey_clean.csv")
    return d


@pytest.fixture(scope="module")
def waves(tmp_path_factory):
    p = P.load(ROOT / "params" / "demo.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = quality.clean_survey(S.read_survey(p), p).data
    root = tmp_path_factory.mktemp("outputs") / "demo"
    q3 = _run(root, "20260901-000000-aaaa", "2026-Q3", "2026-09-01T00:00:00", p, clean)
    _run(root, "20260902-000000-bbbb", "2026-Q3", "2026-09-02T00:00:00", p, clean, status="failed")
    rng = np.random.default_rng(1)
    later = clean.copy()
    up = rng.random(len(later)) < 0.5
    later.loc[up, "Q13"] = np.clip(later.loc[up, "Q13"] + 1, 1, 5)
    east = later["region"] == "East"
    for q in ("Q17", "Q18", "Q19"):
        later.loc[east, q] = np.clip(later.loc[east, q] - 1, 1, 5)
    p4 = copy.deepcopy(p)
    for it in p4["indicator_system"]["items"]:
        if it["id"] == "Q21":
            it["text"] = {"en": "I would gladly recommend Acme", "zh": "我很乐意推荐 Acme"}
    q4 = _run(root, "20261201-000000-cccc", "2026-Q4", "2026-12-01T00:00:00", p4, later)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tracking.compare(q4, tracking.earlier_runs(q4), n_boot=500, seed=3)
    return {"q3": q3, "q4": q4, "result": result, "p": p, "p4": p4}


def test_the_earlier_wave_is_the_latest_complete_run_of_another_wave(waves):
    assert tracking.earlier_runs(waves["q4"]) == [waves["q3"]]      # the failed run is not
    assert tracking.earlier_runs(waves["q3"]) == []                  # nothing before Q3
    assert tracking.earlier_runs(waves["q4"], ["2026-Q3"]) == [waves["q3"]]
    assert tracking.earlier_runs(waves["q4"], ["20260901-000000-aaaa"]) == [waves["q3"]]
    with pytest.raises(CSIInputError, match=r"\['2025-Q1'\] match no complete run"):
        tracking.earlier_runs(waves["q4"], ["2025-Q1"])


def test_indicator_system_changes_are_listed_and_left_out(waves):
    r = waves["result"]
    assert r.system[["item", "change"]].values.tolist() == [["Q21", "reworded"]]
    assert r.left_out == ["Q21"]
    p, p4 = waves["p"], copy.deepcopy(waves["p4"])
    system = p4["indicator_system"]
    system["items"] = [it for it in system["items"] if it["id"] != "Q25"]       # dropped
    system["items"].append({"id": "Q26", "text": {"en": "New item"}})            # added
    for ind in system["indicators"]:
        ind["items"] = [q for q in ind["items"] if q not in ("Q25", "Q07")]
    system["indicators"][0]["items"].append("Q07")                               # moved
    changes = tracking.system_changes(p4, p)
    got = {(row.item, row.change) for row in changes.itertuples()}
    assert {("Q21", "reworded"), ("Q25", "dropped"), ("Q26", "added"), ("Q07", "moved")} <= got
    scaled = copy.deepcopy(p)
    scaled["scales"] = {name: {**sc, "points": 7} for name, sc in scaled["scales"].items()}
    assert set(tracking.system_changes(scaled, p)["change"]) == {"scale changed"}


def test_changes_found_where_planted_and_nowhere_else(waves):
    c = waves["result"].change
    assert c.loc["SAT", "difference"] < -3 and c.loc["SAT", "p_value"] < 0.001   # East fell
    assert c.loc["I08", "difference"] > 5 and c.loc["I08", "p_value"] < 0.001    # after-sales
    for unchanged in ("IMAG", "EXPE", "VAL", "I01", "I02"):
        assert c.loc[unchanged, "difference"] == pytest.approx(0, abs=1e-9)
        assert not c.loc[unchanged, "significant"]
    # the bootstrap interval brackets the change and excludes 0 where it is real
    assert (c["ci_low"] <= c["difference"] + 1e-9).all() and (c["difference"] <= c["ci_high"] + 1e-9).all()
    assert c.loc["SAT", "ci_high"] < 0 < c.loc["I08", "ci_low"]
    # the scores per wave: one row per wave and measure, with a 95% interval
    w = waves["result"].waves
    assert set(w["wave"]) == {"2026-Q3", "2026-Q4"}
    csi = w[w["measure"] == "CSI"].set_index("wave")
    assert csi.loc["2026-Q4", "score"] - csi.loc["2026-Q3", "score"] == pytest.approx(
        c.loc["CSI", "difference"])
    assert (csi["ci_low"] < csi["score"]).all() and (csi["score"] < csi["ci_high"]).all()


def test_the_segment_where_satisfaction_fell(waves):
    seg = waves["result"].segments
    sat = seg[(seg["segment"] == "region") & (seg["measure"] == "SAT")].set_index("level")
    assert sat.loc["East", "difference"] < -10 and sat.loc["East", "p_value"] < 0.001
    for other in ("North", "South", "West"):
        assert sat.loc[other, "difference"] == pytest.approx(0, abs=1e-9)


def test_invariance_between_the_waves_and_the_drivers_that_moved(waves):
    r = waves["result"]
    assert r.invariance is not None and list(r.invariance.groups) == ["2026-Q3", "2026-Q4"]
    assert r.comparable == (r.invariance.verdict == "scalar")
    assert "COMP" in r.invariance_note                     # a single item: not in the model
    assert r.drivers.loc[0, "indicator"] == "I08"         # after-sales moved most
    assert r.drivers.loc[0, "performance_change"] > 5


def test_compare_needs_an_earlier_wave(waves):
    with pytest.raises(CSIInputError, match="no earlier wave"):
        tracking.compare(waves["q4"], [])


# ----------------------------------------------------------------------------- end to end
def _csi(*args, cwd):
    import os
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "csi_helpers.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})


def test_two_waves_run_end_to_end(tmp_path):
    """The demo client run as wave 2026-Q3, then as 2026-Q4 with item Q21 reworded: the
    first run leaves the tracking chapter out with its note; the second compares the two,
    lists the reworded item and leaves it out."""
    import os
    import shutil

    import yaml

    (tmp_path / "params").mkdir()
    os.symlink(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "data" / "demo", tmp_path / "data" / "demo") \
        if (ROOT / "data" / "demo").exists() else None
    p = yaml.safe_load((ROOT / "params" / "demo.yaml").read_text(encoding="utf-8"))
    p["report"] = {"pdf": False}
    p["tracking"] = {"bootstrap": 200, "permutations": 200}
    p["analysis"] = {**p.get("analysis", {}), "pls": {"bootstrap": 50}, "parallel_iter": 20}
    p["client"]["wave"] = "2026-Q3"
    path = tmp_path / "params" / "demo.yaml"
    path.write_text(yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
    first = _csi("run", "demo", "--only", "01,02,06", "--no-progress", cwd=tmp_path)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    run1 = Path(first.stdout.strip().splitlines()[-1]).parent
    m1 = json.loads((run1 / "manifest.json").read_text(encoding="utf-8"))
    assert m1["notebooks"][-1]["name"] == "06_tracking"
    assert m1["notebooks"][-1]["left_out"] == ["waves"]
    assert "first wave" in (run1 / "report.html").read_text(encoding="utf-8")

    p["client"]["wave"] = "2026-Q4"
    for it in p["indicator_system"]["items"]:
        if it["id"] == "Q21":
            it["text"] = {"en": "I would gladly recommend Acme", "zh": "我很乐意推荐 Acme"}
    path.write_text(yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
    second = _csi("run", "demo", "--only", "01,02,06", "--no-progress", cwd=tmp_path)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    run2 = Path(second.stdout.strip().splitlines()[-1]).parent
    m2 = json.loads((run2 / "manifest.json").read_text(encoding="utf-8"))
    assert m2["notebooks"][-1]["status"] == "ok" and m2["notebooks"][-1]["left_out"] == []
    waves_t = pd.read_csv(run2 / "tables" / "06_waves.csv", encoding="utf-8-sig")
    assert waves_t["wave"].tolist() == ["2026-Q3", "2026-Q4"]
    system = pd.read_csv(run2 / "tables" / "06_system_changes.csv", encoding="utf-8-sig")
    assert system[["item", "change"]].values.tolist() == [["Q21", "reworded"]]
    change = pd.read_csv(run2 / "tables" / "06_change.csv", index_col=0, encoding="utf-8-sig")
    assert change.loc["CSI", "difference"] == pytest.approx(0, abs=1e-9)   # the same answers
    inv = pd.read_csv(run2 / "tables" / "06_invariance.csv", index_col=0, encoding="utf-8-sig")
    assert inv.loc["scalar", "delta_cfi"] == pytest.approx(0, abs=1e-6)
    html = (run2 / "report.html").read_text(encoding="utf-8")
    assert "Tracking" in html and "Scalar invariance holds between 2026-Q3 and 2026-Q4" in html


def test_validate_says_which_waves_a_run_compares_with(waves):
    client_dir = waves["q4"].parent
    problems, notes = tracking.check(client_dir, "2026-Q4")
    assert problems == []
    assert notes == ["tracking: wave 2026-Q4 will be compared with 2026-Q3 (run "
                     "20260901-000000-aaaa)"]
    problems, notes = tracking.check(client_dir, "2026-Q4", ["2025-Q4"])
    assert len(problems) == 1 and problems[0].startswith("tracking.compare_with: ['2025-Q4']")
    _, notes = tracking.check(client_dir.parent / "nobody", "2026-Q1")
    assert "no earlier wave" in notes[0]
