"""Data behind the psych golden tests, shared by test_factors and test_reliability."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).parent
SAT_CSV = HERE.parents[1] / "shared" / "datasets" / "satisfaction.csv"


def psych_data(name: str) -> pd.DataFrame:
    """``satisfaction`` (../shared, skipped when absent) or the generated psych data set."""
    if name == "satisfaction":
        if not SAT_CSV.exists():
            pytest.skip(f"{SAT_CSV} is absent (the shared datasets folder sits beside the checkout)")
        return pd.read_csv(SAT_CSV, index_col=0).drop(columns="gender")
    return pd.read_csv(HERE / "golden" / "psych" / "generated.csv")
