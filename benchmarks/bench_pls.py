"""Benchmark csi_helpers.pls.

1. The satisfaction model (250 x 27, 6 LVs) of R plspm: seconds for the full-sample fit
   and for 1,000 bootstrap resamples (target: at most 1 s on a 2-core machine; PyPI
   plspm 0.5.7 needs ~86 ms per resample, ~86 s), and the same with 4.5% of the values
   missing (plspm's NA route). Uses tests/golden/datasets/satisfaction.csv when present,
   else data of the same shape generated here.
2. A large survey, 100,000 respondents x 30 items (6 LVs of 5 items, the same paths):
   the bootstrap (200 resamples) on complete data and with 2% of the answers missing at
   random, and their ratio. Target: the missing-data bootstrap within 3x of the
   complete-data one. ``--reference`` also times the row-by-row NA bootstrap the
   sufficient-statistics route replaced (~100 s).

Timings are the best of ``--repeat`` runs, complete and missing interleaved (the
machine may be shared). The bootstrap time is the fit with the bootstrap minus the fit
without it.

    .venv/bin/python benchmarks/bench_pls.py [--resamples 1000] [--repeat 3]
        [--large-n 100000] [--large-resamples 200] [--skip-small] [--skip-large]
        [--reference]
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


def generate(n: int, sizes: dict, seed: int) -> pd.DataFrame:
    """Answers on 1-10 with a planted structure: one general factor, one per LV."""
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal(n)
    cols = {}
    for lv, k in sizes.items():
        f = 0.7 * eta + 0.7 * rng.standard_normal(n)
        for i in range(1, k + 1):
            x = 0.8 * f + 0.6 * rng.standard_normal(n)
            cols[f"{lv.lower()}{i}"] = np.clip(np.round(7 + 1.5 * x), 1, 10)
    return pd.DataFrame(cols)


def load() -> tuple[pd.DataFrame, str]:
    # R plspm's satisfaction data, committed with the tests (source and licence there)
    path = Path(__file__).resolve().parents[1] / "tests" / "golden" / "datasets" / "satisfaction.csv"
    if path.exists():
        return pd.read_csv(path, index_col=0), str(path)
    return generate(250, SIZES, 1), "generated 250 x 27 (satisfaction.csv absent)"


def with_holes(data: pd.DataFrame, items: list, frac: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    holes = data.copy()
    holes[items] = holes[items].mask(rng.random((len(holes), len(items))) < frac)
    return holes


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def small(a) -> None:
    data, source = load()
    blocks = {lv: [c for c in data.columns if c.rstrip("0123456789") == lv.lower()] for lv in LVS}
    print(f"data: {source}")
    pls.fit(data, blocks, PATHS, scheme="path", bootstrap=10, seed=0)       # warm-up
    for scheme in ("centroid", "path"):
        fit_t, boot_t = [], []
        for r in range(a.repeat):
            _, t = timed(lambda: pls.fit(data, blocks, PATHS, scheme=scheme))
            fit_t.append(t)
            res, t = timed(lambda: pls.fit(data, blocks, PATHS, scheme=scheme,
                                           bootstrap=a.resamples, seed=r))
            boot_t.append(t - fit_t[-1])
        print(f"scheme={scheme:<9} full-sample fit: {min(fit_t):.4f} s   "
              f"{a.resamples} resamples: {min(boot_t):.3f} s (best of {a.repeat}; "
              f"mean {res.boot.iterations.mean():.1f} iterations per resample)   "
              f"target <= 1 s")
    # plspm's NA route (available-case weights, scores from the answered items)
    items = [c for its in blocks.values() for c in its]
    holes = with_holes(data, items, 0.045, 20261123)
    best = np.inf
    for r in range(a.repeat):
        res, t = timed(lambda: pls.fit(holes, blocks, PATHS, scheme="path",
                                       bootstrap=a.resamples, seed=0))
        best = min(best, t)
    print(f"scheme=path      with {holes[items].isna().to_numpy().mean():.1%} of values "
          f"missing (n used {res.n}): fit + {a.resamples} resamples {best:.2f} s")


def large(a) -> None:
    n, B = a.large_n, a.large_resamples
    sizes = {lv: 5 for lv in LVS}
    data = generate(n, sizes, 2026)
    blocks = {lv: [f"{lv.lower()}{i}" for i in range(1, 6)] for lv in LVS}
    items = [c for its in blocks.values() for c in its]
    holes = with_holes(data, items, 0.02, 20261201)
    frac = holes[items].isna().to_numpy().mean()
    print(f"\nlarge survey: {n:,} x {len(items)} (6 LVs x 5 items, scheme=path), "
          f"{B} resamples; {frac:.2%} of answers missing in the second data set")
    pls.fit(holes.iloc[:2000], blocks, PATHS, scheme="path", bootstrap=5, seed=0)  # warm-up
    fit = {"complete": [], "missing": []}
    boot = {"complete": [], "missing": []}
    for r in range(a.repeat):
        for key, d in (("complete", data), ("missing", holes)):
            _, tf = timed(lambda: pls.fit(d, blocks, PATHS, scheme="path"))
            res, tb = timed(lambda: pls.fit(d, blocks, PATHS, scheme="path", bootstrap=B,
                                            seed=r))
            fit[key].append(tf)
            boot[key].append(tb - tf)
    for key in ("complete", "missing"):
        print(f"  {key:<8} data: full-sample fit {min(fit[key]):.2f} s   bootstrap "
              f"{B} resamples {min(boot[key]):.2f} s   (best of {a.repeat}; runs: "
              + ", ".join(f"{t:.2f}" for t in boot[key]) + ")")
    ratio = min(boot["missing"]) / min(boot["complete"])
    total = ((min(fit["missing"]) + min(boot["missing"]))
             / (min(fit["complete"]) + min(boot["complete"])))
    print(f"  ratio missing / complete: bootstrap {ratio:.2f}x, fit + bootstrap {total:.2f}x"
          f"   target <= 3x")
    if a.reference:
        orig = pls._bootstrap_na
        pls._bootstrap_na = pls._bootstrap_na_reference
        try:
            _, tf = timed(lambda: pls.fit(holes, blocks, PATHS, scheme="path"))
            _, tb = timed(lambda: pls.fit(holes, blocks, PATHS, scheme="path", bootstrap=B,
                                          seed=0))
        finally:
            pls._bootstrap_na = orig
        print(f"  row-by-row reference route (refits a copy of each resample's rows): "
              f"bootstrap {tb - tf:.1f} s, {(tb - tf) / min(boot['complete']):.0f}x complete")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--large-n", type=int, default=100_000)
    ap.add_argument("--large-resamples", type=int, default=200)
    ap.add_argument("--skip-small", action="store_true")
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--reference", action="store_true",
                    help="also time the row-by-row NA bootstrap (slow)")
    a = ap.parse_args()
    if not a.skip_small:
        small(a)
    if not a.skip_large:
        large(a)


if __name__ == "__main__":
    main()
