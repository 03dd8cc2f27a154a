"""The demo client's earlier wave, 2026-Q3, with planted changes for the tracking chapter.

The demo's current wave (2026-Q4, ``params/demo.yaml``) is the generated survey of
:mod:`csi_helpers.demo`. Its earlier wave is another sample from the same model (the
generator with ``seed + 1``), three months earlier, with three changes planted *between*
the waves so that notebook 06 can show each one recovered:

* **a driver improved**: in 2026-Q3 half the respondents rated after-sales service (Q13)
  one category lower than the model gives, so Q13, its indicator and perceived quality
  rise from Q3 to Q4;
* **a region's satisfaction fell**: in 2026-Q3 the three satisfaction items (Q17-Q19) of
  region East were one category higher, so East's satisfaction falls in Q4 and the others'
  does not;
* **an item was reworded**: Q21 read "I would tell friends about problems with Acme" in
  2026-Q3; the tracking chapter lists it as reworded and leaves it out of the comparisons.

The earlier wave is a survey-only wave (no CRM export). Its files go to
``data/demo/2026-Q3/``: ``survey.csv`` (GBK, as the current wave), ``planted.json`` and
``params.yaml`` (the demo params with the Q3 wave label, the old Q21 wording and the
survey path; source paths relative to ``data/demo/``, the project root of that file).

Example
-------
>>> path = ensure_earlier_wave(params.load("params/demo.yaml"))     # doctest: +SKIP
>>> path.name                                                       # doctest: +SKIP
'params.yaml'
"""
from __future__ import annotations

import copy
import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["EARLIER_WAVE", "PLANTED", "ensure_earlier_wave"]

EARLIER_WAVE = "2026-Q3"
PLANTED = {
    "improved": {"item": "Q13", "share": 0.5, "q3_shift": -1,
                 "reads": "after-sales service (Q13) one category lower in Q3 for half the "
                          "respondents: it improves from Q3 to Q4"},
    "fell": {"segment": "region", "level": "East", "items": ["Q17", "Q18", "Q19"],
             "q3_shift": +1,
             "reads": "the satisfaction items of region East one category higher in Q3: "
                      "East's satisfaction falls from Q3 to Q4"},
    "reworded": {"item": "Q21",
                 "q3_text": {"en": "I would tell friends about problems with Acme",
                             "zh": "我会向朋友讲述在本公司遇到的问题"}},
    "days_earlier": 91,
}
_FILES = ("survey.csv", "planted.json", "params.yaml")


def _shift(answers: pd.Series, mask: np.ndarray, step: int, labels: dict[str, int]) -> pd.Series:
    """Move the answer labels of the rows in ``mask`` by ``step`` categories (within the
    scale); "don't know", blanks and anything not on the scale stay as they are."""
    by_value = {v: k for k, v in labels.items()}
    top = max(labels.values())

    def move(label):
        if label not in labels:
            return label
        return by_value[min(max(labels[label] + step, 1), top)]

    out = answers.copy()
    out[mask] = answers[mask].map(move)
    return out


def _earlier_params(raw: dict, folder: Path) -> dict:
    p = copy.deepcopy(raw)
    p.pop("demo", None)                     # its own data: not regenerated as the demo's
    p["client"]["wave"] = EARLIER_WAVE
    survey = dict(p["sources"]["survey"])
    survey["path"] = f"{folder.name}/survey.csv"
    survey.pop("customer_id_column", None)
    p["sources"] = {"survey": survey}        # a survey-only wave
    p["report"] = {**(p.get("report") or {}), "audience": "trainer", "pdf": False}
    for it in p["indicator_system"]["items"]:
        if it["id"] == PLANTED["reworded"]["item"]:
            it["text"] = dict(PLANTED["reworded"]["q3_text"])
    return p


def ensure_earlier_wave(p: dict, params_file: Path | str | None = None) -> Path:
    """Write the earlier wave's files next to the demo data if absent (see the module
    docstring) and return the path of its ``params.yaml``. ``p`` are the loaded demo params
    (``params_file`` the YAML they came from, default ``params/demo.yaml`` of the project)."""
    from . import demo

    folder = Path(p["sources"]["survey"]["path"]).parent
    wave_dir = folder / EARLIER_WAVE
    if all((wave_dir / f).is_file() for f in _FILES):
        return wave_dir / "params.yaml"
    params_file = Path(params_file) if params_file else folder.parent.parent / "params" / "demo.yaml"
    raw = yaml.safe_load(Path(params_file).read_text(encoding="utf-8"))
    seed = int(p["demo"]["seed"]) + 1
    with tempfile.TemporaryDirectory(prefix=".wave-", dir=folder) as tmp:
        paths = demo.generate(tmp, seed)
        survey = pd.read_csv(paths["survey"], encoding="gbk", dtype=str, keep_default_na=False)
    labels = {k: int(v) for k, v in p["scale"]["labels"]["zh"].items()}
    rng = np.random.default_rng(seed)
    imp = PLANTED["improved"]
    half = rng.random(len(survey)) < imp["share"]
    survey[imp["item"]] = _shift(survey[imp["item"]], half, imp["q3_shift"], labels)
    fell = PLANTED["fell"]
    east = (survey[fell["segment"]] == fell["level"]).to_numpy()
    for q in fell["items"]:
        survey[q] = _shift(survey[q], east, fell["q3_shift"], labels)
    start = pd.to_datetime(survey["start_time"], errors="coerce")
    earlier = (start - timedelta(days=PLANTED["days_earlier"])).dt.strftime("%Y-%m-%dT%H:%M:%S")
    survey["start_time"] = earlier.where(start.notna(), survey["start_time"])

    stage = Path(tempfile.mkdtemp(prefix=f".{EARLIER_WAVE}.tmp-", dir=folder))
    try:
        survey.to_csv(stage / "survey.csv", index=False, encoding="gbk", lineterminator="\n")
        (stage / "planted.json").write_text(json.dumps(
            {"generator": "csi_helpers.demo_waves", "seed": seed, "wave": EARLIER_WAVE,
             **PLANTED}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (stage / "params.yaml").write_text(
            "# The demo client's earlier wave, written by csi_helpers.demo_waves (csi demo).\n"
            "# Paths are relative to data/demo/, the project root of this file.\n"
            + yaml.safe_dump(_earlier_params(raw, wave_dir), allow_unicode=True,
                             sort_keys=False), encoding="utf-8")
        wave_dir.mkdir(exist_ok=True)
        for name in _FILES:                       # params last: it marks a complete set
            if not (wave_dir / name).exists():
                (stage / name).replace(wave_dir / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return wave_dir / "params.yaml"
