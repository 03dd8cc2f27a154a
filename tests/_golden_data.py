"""Data behind the golden tests: the one place that says where it lives.

- ``golden/datasets/satisfaction.csv``: R plspm's ``satisfaction`` data (250 x 27 items +
  ``gender``), and ``golden/datasets/reference/*.csv``: R plspm's results on it. Public data
  committed with the tests (source and licence in ``golden/datasets/README.md``), so the
  goldens run on a fresh clone with nothing beside it; a missing file is an error, never a skip.
- ``golden/psych/generated.csv``: the generated psych data set (``make_generated.py``).

Used by test_factors, test_reliability, test_cfa and test_pls.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
DATASETS = HERE / "golden" / "datasets"
SAT_CSV = DATASETS / "satisfaction.csv"
REFERENCE = DATASETS / "reference"
PLSPM_TABLES = ("outer-model", "inner-summary", "inner-model", "effects", "scores",
                "crossloadings")


def satisfaction(items_only: bool = False) -> pd.DataFrame:
    """R plspm's ``satisfaction``: rows "1".."250" as the index, 27 items and ``gender``
    (dropped with ``items_only=True``)."""
    df = pd.read_csv(SAT_CSV, index_col=0)
    return df.drop(columns="gender") if items_only else df


def plspm_reference(table: str) -> pd.DataFrame:
    """What R plspm computed on ``satisfaction`` (centroid, mode A, ``scaled = FALSE``):
    one of ``PLSPM_TABLES``; every table but ``scores`` is indexed by its first column."""
    if table not in PLSPM_TABLES:
        raise ValueError(f"{table!r} is not one of {PLSPM_TABLES}")
    return pd.read_csv(REFERENCE / f"satisfaction.{table}.csv",
                       index_col=None if table == "scores" else 0)


def psych_data(name: str) -> pd.DataFrame:
    """``satisfaction`` (its 27 items) or the generated psych data set."""
    if name == "satisfaction":
        return satisfaction(items_only=True)
    return pd.read_csv(HERE / "golden" / "psych" / "generated.csv")
