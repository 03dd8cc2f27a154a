"""Write generated.csv: a seeded 3-factor x 4-item data set with a few missing values.

Run from the repo root: .venv/bin/python tests/golden/lavaan/make_generated.py
The CSV is committed; lavaan_goldens.R fits it in R and the tests fit it in Python.
"""
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261123)
n = 400
phi = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.4], [0.3, 0.4, 1.0]])
eta = rng.multivariate_normal(np.zeros(3), phi, size=n)
cols = {}
loadings = [0.8, 0.7, 0.6, 0.5]
for f, name in enumerate(["A", "B", "C"]):
    for j, lam in enumerate(loadings):
        x = 4 + 1.2 * (lam * eta[:, f] + np.sqrt(1 - lam**2) * rng.standard_normal(n))
        cols[f"{name.lower()}{j + 1}"] = np.round(x, 3)
df = pd.DataFrame(cols)
mask = rng.random(df.shape) < 0.01          # about 1% of cells missing
df = df.mask(mask)
df.to_csv(Path(__file__).with_name("generated.csv"), index=False)
print(df.shape, int(df.isna().sum().sum()), "missing cells,", int(df.isna().any(axis=1).sum()), "incomplete rows")
