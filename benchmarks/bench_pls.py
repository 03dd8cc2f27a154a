"""Benchmark csi_helpers.pls: the satisfaction model (250 x 27, 6 LVs) of R plspm.

Prints seconds for the full-sample fit and for 1,000 bootstrap resamples (target: at
most 1 s on a 2-core machine; PyPI plspm 0.5.7 needs ~86 ms per resample, ~86 s), and
the same with 4.5% of the values missing (plspm's NA route; no target).
Uses ../shared/datasets/satisfaction.csv when present, else data of the same shape
generated here.

    .venv/bin/python benchmarks/bench_pls.py [--resamples 1000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from csi_helpers import pls

LVS = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]
PATHS = [("IMAG", "EXPE"), ("IMAG", "SAT"), ("IMAG", "LOY"), ("EXPE", "QUAL"),
         ("EXPE", "VAL"), ("EXPE", "SAT"), ("QUAL", "VAL"), ("QUAL", "SAT"), ("VAL", "SAT"),
         ("SAT", "LOY")]
SIZES = {"IMAG": 5, "EXPE": 5, "QUAL": 5, "VAL": 4, "SAT": 4, "LOY": 4}


def load() -> tuple[pd.DataFrame, str]:
    path = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "satisfaction.csv"
    if path.exists():
        return pd.read_csv(path, index_col=0), str(path)
    rng = np.random.default_rng(1)
    eta = rng.standard_normal((250, 1))
    cols = {}
    for lv, k in SIZES.items():
        f = 0.7 * eta[:, 0] + 0.7 * rng.standard_normal(250)
        for i in range(1, k + 1):
            x = 0.8 * f + 0.6 * rng.standard_normal(250)
            cols[f"{lv.lower()}{i}"] = np.clip(np.round(7 + 1.5 * x), 1, 10)
    return pd.DataFrame(cols), "generated 250 x 27 (satisfaction.csv absent)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    data, source = load()
    blocks = {lv: [c for c in data.columns if c.rstrip("0123456789") == lv.lower()] for lv in LVS}
    print(f"data: {source}")
    pls.fit(data, blocks, PATHS, scheme="path", bootstrap=10, seed=0)       # warm-up
    for scheme in ("centroid", "path"):
        fit_t, boot_t = [], []
        for r in range(a.repeat):
            t0 = time.perf_counter()
            pls.fit(data, blocks, PATHS, scheme=scheme)
            fit_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            res = pls.fit(data, blocks, PATHS, scheme=scheme, bootstrap=a.resamples, seed=r)
            boot_t.append(time.perf_counter() - t0 - fit_t[-1])
        print(f"scheme={scheme:<9} full-sample fit: {min(fit_t):.4f} s   "
              f"{a.resamples} resamples: {min(boot_t):.3f} s (best of {a.repeat}; "
              f"mean {res.boot.iterations.mean():.1f} iterations per resample)   "
              f"target <= 1 s")
    # Data with missing values take plspm's NA route (available-case weights, scores from
    # the answered items), which refits each resample from its rows: slower, no target.
    rng = np.random.default_rng(20261123)
    holes = data.copy()
    items = [c for its in blocks.values() for c in its]
    mask = rng.random((len(holes), len(items))) < 0.045
    holes[items] = holes[items].mask(mask)
    t0 = time.perf_counter()
    res = pls.fit(holes, blocks, PATHS, scheme="path", bootstrap=a.resamples, seed=0)
    print(f"scheme=path      with {mask.mean():.1%} of values missing (n used {res.n}): "
          f"fit + {a.resamples} resamples {time.perf_counter() - t0:.2f} s (no target)")


if __name__ == "__main__":
    main()
