"""Write the data sets with planted missing values behind the FIML goldens (lavaan_fiml.R).

Run from the repo root: .venv/bin/python tests/golden/lavaan/make_fiml_data.py
Both CSVs are committed; lavaan_fiml.R fits them in R and tests/test_cfa.py in Python.

holzinger_swineford_missing.csv (numpy seed 20261201): holzinger_swineford.csv (lavaan's
    HolzingerSwineford1939, x1-x9, 301 rows) with values removed
    * MAR: x2 and x3 are missing together with probability .35 when x1 is above its
      median (the answer to x1 decides, as a filter would); x8 and x9 are missing
      independently with probability .30 when x7 is in its lowest third;
    * MCAR: every other cell missing with probability .04;
    * rows 11 and 201 (1-based) missing on all nine items (dropped by lavaan, counted).
skip_logic.csv (numpy seed 20261202): 600 generated respondents, 4 factors on a 10-point
    scale (QUAL qual1-4, SERV serv1-4, SAT sat1-3, LOY loy1-3); the SERV block is asked
    only of those who contacted the service desk: missing together for ~25% of rows, more
    often among the more loyal (MAR on loy1), plus 1% MCAR cells elsewhere.
"""
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def hs_missing() -> pd.DataFrame:
    rng = np.random.default_rng(20261201)
    hs = pd.read_csv(HERE / "holzinger_swineford.csv")
    full = hs.copy()
    n = len(hs)
    hi_x1 = full["x1"] > full["x1"].median()
    drop23 = hi_x1 & (rng.random(n) < 0.35)
    hs.loc[drop23, ["x2", "x3"]] = np.nan
    lo_x7 = full["x7"] <= full["x7"].quantile(1 / 3)
    for col in ("x8", "x9"):
        hs.loc[lo_x7 & (rng.random(n) < 0.30), col] = np.nan
    mcar = rng.random(hs.shape) < 0.04
    hs = hs.mask(mcar)
    hs.iloc[[10, 200], :] = np.nan
    return hs


def skip_logic() -> pd.DataFrame:
    rng = np.random.default_rng(20261202)
    n = 600
    phi = np.array([[1.0, 0.55, 0.6, 0.45],
                    [0.55, 1.0, 0.5, 0.4],
                    [0.6, 0.5, 1.0, 0.65],
                    [0.45, 0.4, 0.65, 1.0]])
    eta = rng.multivariate_normal(np.zeros(4), phi, size=n)
    blocks = {"qual": [0.8, 0.75, 0.7, 0.6], "serv": [0.85, 0.8, 0.7, 0.65],
              "sat": [0.85, 0.8, 0.75], "loy": [0.8, 0.7, 0.6]}
    cols = {}
    for f, (name, lams) in enumerate(blocks.items()):
        for j, lam in enumerate(lams):
            z = lam * eta[:, f] + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
            cols[f"{name}{j + 1}"] = np.clip(np.round(7 + 1.7 * z), 1, 10)
    df = pd.DataFrame(cols)
    # filter question "did you contact the service desk?": the loyal contact it less
    p_skip = 1 / (1 + np.exp(-(-1.05 + 0.45 * (df["loy1"] - df["loy1"].mean()))))
    skip = rng.random(n) < p_skip
    mcar = rng.random(df.shape) < 0.01
    df = df.mask(mcar)
    df.loc[skip, [c for c in df.columns if c.startswith("serv")]] = np.nan
    return df


if __name__ == "__main__":
    for name, df in (("holzinger_swineford_missing", hs_missing()), ("skip_logic", skip_logic())):
        df.to_csv(HERE / f"{name}.csv", index=False)
        print(f"{name}.csv: {df.shape}, {int(df.isna().sum().sum())} missing cells, "
              f"{int(df.isna().any(axis=1).sum())} incomplete rows, "
              f"{int(df.isna().all(axis=1).sum())} empty rows")
