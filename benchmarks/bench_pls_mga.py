"""Benchmark the multi-group PLS permutation test (csi_helpers.pls.mga).

The demo client's ECSI model (7 LVs, 25 items, 12 paths) on the demo survey split by
region (two regions, complete rows), and a large survey (20,000 respondents x 30 items)
split in two. Prints seconds per 1,000 permutations; target: a few seconds for the demo
model on a 2-core machine, so the test can run by default. Timings are the best of
``--repeat`` runs.

    .venv/bin/python benchmarks/bench_pls_mga.py [--perm 1000] [--repeat 3] [--skip-large]
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from csi_helpers import measurement, pls, workbook  # noqa: E402
from bench_factors import best_of as best  # noqa: E402
from bench_pls import PATHS, SIZES, generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--perm", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-large", action="store_true")
    a = ap.parse_args()

    wb = workbook.open(ROOT / "params" / "demo.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = wb.survey_clean()
        X = measurement.analysis_items(survey, wb.params)
    blocks, paths = measurement.structural_model(wb.params)
    data = X.assign(region=survey["region"].to_numpy())
    run = lambda: pls.mga(data, blocks, paths, "region", groups=["South", "North"],  # noqa: E731
                          n_perm=a.perm, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = run()
        t = best(run, a.repeat)
    print(f"demo ECSI model, {r.groups[0]} n={r.n[r.groups[0]]} vs {r.groups[1]} "
          f"n={r.n[r.groups[1]]} (complete rows), {len(r.paths)} paths: "
          f"{a.perm} permutations in {t:.2f} s")
    if not a.skip_large:
        big = generate(20000, SIZES, seed=3)
        big["half"] = np.where(np.arange(len(big)) % 2 == 0, "a", "b")
        blocks_b = {lv: [f"{lv.lower()}{i}" for i in range(1, k + 1)] for lv, k in SIZES.items()}
        run_b = lambda: pls.mga(big, blocks_b, PATHS, "half", n_perm=a.perm, seed=1)  # noqa: E731
        t = best(run_b, max(1, a.repeat - 2))
        print(f"large survey 20,000 x 30, two halves: {a.perm} permutations in {t:.2f} s")


if __name__ == "__main__":
    main()
