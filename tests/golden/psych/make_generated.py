"""Write generated.csv: a seeded 3-factor model, 15 Likert items (1-7), ~3% missing cells.

Run from the repo root: .venv/bin/python tests/golden/psych/make_generated.py
The CSV is committed; psych_goldens.R analyses it in R, tests/test_factors.py and
tests/test_reliability.py in Python. Item a5r is reverse-keyed (loads negatively on A).
Planted model: factor correlations A-B .4, A-C .3, B-C .2; loadings below; b5 also
loads .3 on C (a cross-loading).
"""
from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261123)
n = 500
phi = np.array([[1.0, 0.4, 0.3], [0.4, 1.0, 0.2], [0.3, 0.2, 1.0]])
eta = rng.multivariate_normal(np.zeros(3), phi, size=n)
spec = {  # item: (factor loadings on A, B, C)
    "a1": (.8, 0, 0), "a2": (.75, 0, 0), "a3": (.7, 0, 0), "a4": (.6, 0, 0), "a5r": (-.65, 0, 0),
    "b1": (0, .8, 0), "b2": (0, .7, 0), "b3": (0, .65, 0), "b4": (0, .6, 0), "b5": (0, .5, .3),
    "c1": (0, 0, .75), "c2": (0, 0, .7), "c3": (0, 0, .65), "c4": (0, 0, .6), "c5": (0, 0, .55),
}
cols = {}
for item, lam in spec.items():
    lam = np.array(lam)
    common = eta @ lam
    uniq = np.sqrt(max(1 - lam @ phi @ lam, 0.05))
    z = common + uniq * rng.standard_normal(n)
    cols[item] = np.clip(np.round(4.3 + 1.3 * z), 1, 7)   # 7-point scale, skewed to agreement
df = pd.DataFrame(cols)
mask = rng.random(df.shape) < 0.03
df = df.mask(mask)
df = df.astype("Int64")
df.to_csv(Path(__file__).with_name("generated.csv"), index=False)
print(df.shape, int(df.isna().sum().sum()), "missing cells,", int(df.isna().any(axis=1).sum()), "incomplete rows")
