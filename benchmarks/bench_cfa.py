"""Benchmark: CFA (and EFA + CFA) on 5,000 respondents x 30 items (6 factors x 5 items).

Targets: EFA and CFA together at most 2 s on a 2-core machine (issue 3), so CFA alone
well under 1 s; FIML CFA (``missing="ml"``, the default) on the same size with ~5%
missing answers in a few seconds at most. Prints the seconds (best of a few repeats, and
the first call) for listwise and FIML on complete data, on ~5% MCAR answers, and on a
skip-logic pattern (one factor's 5 items skipped together by 25%, plus 1% MCAR).

    .venv/bin/python benchmarks/bench_cfa.py
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from csi_helpers._cfa import cfa, validity

N, N_FACTORS, PER_FACTOR, REPEATS = 5000, 6, 5, 5


def make_data(seed: int = 20261123) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rng = np.random.default_rng(seed)
    phi = np.full((N_FACTORS, N_FACTORS), 0.4) + 0.6 * np.eye(N_FACTORS)
    eta = rng.multivariate_normal(np.zeros(N_FACTORS), phi, size=N)
    cols, model = {}, {}
    for f in range(N_FACTORS):
        lv = f"F{f + 1}"
        model[lv] = []
        for j in range(PER_FACTOR):
            lam = rng.uniform(0.55, 0.85)
            name = f"q{f + 1}_{j + 1}"
            x = lam * eta[:, f] + np.sqrt(1 - lam ** 2) * rng.standard_normal(N)
            cols[name] = np.clip(np.round(3 + 1.1 * x), 1, 5)       # 5-point Likert answers
            model[lv].append(name)
    return pd.DataFrame(cols), model


def best_of(fn, repeats: int = REPEATS) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times[0], min(times), out


def with_missing(data: pd.DataFrame, model, seed: int = 20261201) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    mcar = data.mask(rng.random(data.shape) < 0.05)
    skip = data.mask(rng.random(data.shape) < 0.01)
    skip.loc[rng.random(len(data)) < 0.25, model["F6"]] = np.nan
    return {"~5% MCAR": mcar, "skip logic": skip}


def main() -> None:
    data, model = make_data()
    print(f"data: {data.shape[0]} x {data.shape[1]} ({N_FACTORS} factors x {PER_FACTOR} items)")
    for label, frame in {"complete": data, **with_missing(data, model)}.items():
        cells = float(frame.isna().to_numpy().mean())
        for missing in ("listwise", "ml"):
            first, best, res = best_of(lambda: cfa(frame, model, missing=missing))
            print(f"cfa {missing:8s} {label:10s} ({cells:5.1%} cells missing): {best:.3f} s "
                  f"(best of {REPEATS}; first call {first:.3f} s; n used {res.n_used}, "
                  f"{res.n_patterns} patterns, {res.iterations} iterations, "
                  f"CFI {res.fit.cfi:.3f}, RMSEA {res.fit.rmsea:.3f})")
    res = cfa(data, model)
    first, best, _ = best_of(lambda: validity(data, model, fit=res))
    print(f"validity (given the fit): {best:.3f} s")
    try:
        from csi_helpers import factors
        efa = factors.efa
    except (ImportError, AttributeError):
        print("efa + cfa:        skipped (csi_helpers.factors.efa not available yet)")
        return

    def both():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            efa(data, N_FACTORS)
        return cfa(data, model)

    first, best, _ = best_of(both)
    print(f"efa + cfa (FIML, complete data): {best:.3f} s (best of {REPEATS}; first call "
          f"{first:.3f} s; target <= 2 s)")


if __name__ == "__main__":
    main()
