"""Cross-check values from the PyPI `plspm` package (0.5.7, a Python port of R plspm).

Run in a throwaway venv (it fails on pandas 3):
    python3 -m venv /tmp/plspm_venv
    /tmp/plspm_venv/bin/pip install "pandas<3" "numpy<2.3" plspm==0.5.7
    /tmp/plspm_venv/bin/python make_pypi_golden.py /path/to/satisfaction.csv
Writes pypi_plspm.csv (case, table, row, col, value). Only scaled=False cases: with
scaled=True the port divides every indicator by ONE pooled sd of all indicators
(config.py: `metric_data.stack().std()`), unlike R plspm's per-column sd, so its scaled
results are not R plspm's and are not used as goldens.
"""
import sys

import pandas as pd
import plspm.config as c
from plspm.mode import Mode
from plspm.plspm import Plspm
from plspm.scheme import Scheme

data = pd.read_csv(sys.argv[1], index_col=0)
lvs = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]
paths = [("IMAG", "EXPE"), ("IMAG", "SAT"), ("IMAG", "LOY"), ("EXPE", "QUAL"),
         ("EXPE", "VAL"), ("EXPE", "SAT"), ("QUAL", "VAL"), ("QUAL", "SAT"), ("VAL", "SAT"),
         ("SAT", "LOY")]
pm = pd.DataFrame(0, index=lvs, columns=lvs)
for f, t in paths:
    pm.loc[t, f] = 1
rows = []
for scheme in ("centroid", "factorial", "path"):
    config = c.Config(pm, scaled=False)
    for lv in lvs:
        config.add_lv_with_columns_named(lv, Mode.A, data, lv.lower())
    res = Plspm(data, config, getattr(Scheme, scheme.upper()), 100, 1e-6)
    case = f"satisfaction_{scheme}_raw"
    om = res.outer_model()
    for item in om.index:
        for col in ("weight", "loading", "communality", "redundancy"):
            rows.append((case, "outer", item, col, om.loc[item, col]))
    isum = res.inner_summary()
    for lv in lvs:
        for col, src in (("r2", "r_squared"), ("block_communality", "block_communality"),
                         ("mean_redundancy", "mean_redundancy"), ("ave", "ave")):
            rows.append((case, "inner_summary", lv, col, isum.loc[lv, src]))
    pc = res.path_coefficients()
    for f, t in paths:
        rows.append((case, "paths", f"{f} -> {t}", "estimate", pc.loc[t, f]))
    eff = res.effects()
    for _, r in eff.iterrows():
        for col in ("direct", "indirect", "total"):
            rows.append((case, "effects", f"{r['from']} -> {r['to']}", col, r[col]))
    rows.append((case, "gof", "gof", "gof", res.goodness_of_fit()))
out = pd.DataFrame(rows, columns=["case", "table", "row", "col", "value"])
out.to_csv("pypi_plspm.csv", index=False, float_format="%.17g")
print(out.groupby("case").size())
