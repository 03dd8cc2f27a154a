"""Speed of csi_helpers.factors (issue 3 targets, 2-core machine).

- parallel analysis on 2,800 x 25 with 100 iterations: target <= 2 s (R psych ~5 s)
- EFA (minres + oblimin, also ml + varimax and principal + promax) on 5,000 x 30: well under 1 s

Run: .venv/bin/python benchmarks/bench_factors.py   (prints seconds, best of 3 runs)
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from csi_helpers import factors, reliability


def make_data(n: int, k: int, n_factors: int, seed: int, missing: float = 0.02) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((n, n_factors))
    lam = np.zeros((k, n_factors))
    for j in range(k):
        lam[j, j % n_factors] = rng.uniform(0.5, 0.8)
    x = f @ lam.T + rng.standard_normal((n, k)) * np.sqrt(1 - (lam ** 2).sum(axis=1))
    x = np.clip(np.round(3 + 1.2 * x), 1, 5)          # 5-point Likert answers
    x[rng.random(x.shape) < missing] = np.nan          # 2% missing, pairwise correlations
    return pd.DataFrame(x, columns=[f"Q{j + 1:02d}" for j in range(k)])


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    warnings.simplefilter("ignore")
    d1 = make_data(2800, 25, 5, seed=1)
    d2 = make_data(5000, 30, 5, seed=2)
    factors.efa(d2, 5)                                  # warm-up (imports, thread pools)
    pa = best_of(lambda: factors.parallel_analysis(d1, n_iter=100, seed=1))
    res = factors.parallel_analysis(d1, n_iter=100, seed=1)
    print(f"parallel_analysis 2800x25, 100 iterations: {pa:.3f} s (target <= 2 s); "
          f"n_factors={res.n_factors}, n_components={res.n_components}")
    for method, rot in [("minres", "oblimin"), ("ml", "varimax"), ("principal", "promax")]:
        t = best_of(lambda: factors.efa(d2, 5, method=method, rotation=rot))
        print(f"efa 5000x30, 5 factors, {method}+{rot}: {t:.3f} s (target well under 1 s)")
    print(f"kmo 5000x30: {best_of(lambda: factors.kmo(d2)):.3f} s; "
          f"bartlett: {best_of(lambda: factors.bartlett(d2)):.3f} s")
    print(f"alpha 5000x30: {best_of(lambda: reliability.alpha(d2)):.3f} s; "
          f"omega: {best_of(lambda: reliability.omega(d2)):.3f} s")


if __name__ == "__main__":
    main()
