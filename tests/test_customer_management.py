"""Notebook 05's value rating, channels and complaints from the inputs a client sends: what
`csi validate` checks first (every problem at once), and the demo's run recovering what
its generator planted."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from csi_helpers import params
from tests.test_params import DEMO, demo_project

ROOT = Path(__file__).resolve().parents[1]


def _add_sources(tmp_path: Path, raw: dict | None = None) -> Path:
    """The demo params with small client-shaped files for the four new sources."""
    path = demo_project(tmp_path, raw)
    folder = tmp_path / "data" / "demo"
    (folder / "acquisition.csv").write_text("客户编号,获客渠道\nC00000,门店\nC00003,抖音直播\n"
                                            "C00006,\n", encoding="gbk")
    (folder / "channel_costs.csv").write_text("渠道,费用,线索数\n门店,\"¥12,000\",300\n"
                                              "抖音直播,8000,900\n", encoding="utf-8")
    (folder / "complaints.csv").write_text(
        "投诉编号,客户编号,投诉时间,投诉类别,首次响应时间,解决时间,是否回访\n"
        "TS1,C00000,2026-03-01 09:00,送货延迟,2026-03-01 15:00,2026-03-03 10:00,是\n"
        "TS2,,2026-03-02 10:00,物流丢件,,,\n"
        "TS3,C00003,2026-03-04 11:00,产品故障,2026-03-05 12:00,,否\n", encoding="utf-8")
    (folder / "ratings.csv").write_text("客户编号,期间,诚信度,配合度,依存度\nC00003,2025,4,3,3\n"
                                        "C00003,2026,5,4,4\nC00006,2026,3,3,2\n", encoding="utf-8")
    return path


def test_the_new_sources_read_as_the_client_writes_them(tmp_path):
    path = _add_sources(tmp_path)
    problems = params.check(path)
    # the demo's cause mapping has no 物流丢件: one line naming the key to fix, nothing else
    assert len(problems) == 1, problems
    assert problems[0].startswith("complaints:") and "物流丢件" in problems[0] \
        and "complaints.causes" in problems[0]


def test_every_problem_of_the_new_chapters_at_once(tmp_path):
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    raw["value_rating"]["dimensions"]["integrity"]["column"] = "honesty"
    raw["channels"]["verdict"]["min_custmers"] = 10
    path = _add_sources(tmp_path, raw)
    problems = params.check(path)
    text = "\n".join(problems)
    assert "物流丢件" in text
    assert "value_rating.dimensions.integrity.column" in text and "honesty" in text
    assert "min_custmers" in text
    assert not any("Traceback" in line for line in problems)


def test_ratings_without_a_value_rating_block_are_named(tmp_path):
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    raw.pop("value_rating")
    raw["complaints"]["causes"]["service"].append("物流丢件")
    path = _add_sources(tmp_path, raw)
    problems = params.check(path)
    assert len(problems) == 1 and problems[0].startswith("value_rating:"), problems


def test_a_survey_only_client_has_none_of_them(tmp_path):
    from csi_helpers import optional

    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for key in ("acquisition", "channel_costs", "complaints", "ratings"):
        raw["sources"].pop(key)
    missing = optional.missing_parts(raw)
    assert {"channels", "complaints", "ratings"} <= set(missing)
