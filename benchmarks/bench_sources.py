"""Benchmark: reading a 100,000 x 60 survey export in each format the workbook accepts.

Targets (issue 6, 2-core machine): CSV <= 2 s, XLSX <= 10 s, SAV <= 2 s, each from the file
to the survey the analysis reads (``sources.survey.read_export`` + ``survey_table``).
Prints seconds and peak memory per format; each format is read in a fresh process so the
peak resident set size (``ru_maxrss``, which counts the C libraries' buffers too) is that
format's alone (tracemalloc would slow the reading several-fold). The files are written
once into a cache folder (writing a 100k-row XLSX takes longer than reading it) and reused.

    .venv/bin/python benchmarks/bench_sources.py [--rows 100000] [--items 60]
"""
from __future__ import annotations

import argparse
import tempfile
import time
import json
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from csi_helpers.sources import survey as survey_src

LABELS = np.array(["非常不满意", "不满意", "一般", "满意", "非常满意", "不知道"], dtype=object)


def make_answers(rows: int, items: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {"序号": np.arange(1, rows + 1).astype(str).astype(object),
            "提交答卷时间": np.full(rows, "2026/3/5 14:23:11", dtype=object),
            "所用时间": (rng.integers(60, 900, rows).astype(str).astype(object) + "秒"),
            "来源": np.full(rows, "手机提交", dtype=object),
            "来源详情": np.full(rows, "直接访问", dtype=object),
            "来自IP": np.full(rows, "112.80.23.4(江苏-南京)", dtype=object)}
    for j in range(items):
        data[f"{j + 1}、您对本店第{j + 1}项服务的满意程度："] = LABELS[rng.integers(0, 6, rows)]
    return pd.DataFrame(data)


def write_files(folder: Path, rows: int, items: int) -> dict[str, Path]:
    import pyreadstat

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"csv (问卷星, GBK)": folder / f"wjx_{rows}x{items}.csv",
             "xlsx (问卷星)": folder / f"wjx_{rows}x{items}.xlsx",
             "sav (SPSS, labelled)": folder / f"spss_{rows}x{items}.sav"}
    if all(p.exists() for p in paths.values()):
        return paths
    df = make_answers(rows, items)
    df.to_csv(paths["csv (问卷星, GBK)"], index=False, encoding="gbk")
    df.to_excel(paths["xlsx (问卷星)"], index=False, engine="xlsxwriter")
    codes = {lab: i + 1 for i, lab in enumerate(LABELS)}
    sav = pd.DataFrame({"id": np.arange(1, rows + 1, dtype=float),
                        "duration": df["所用时间"].str.rstrip("秒").astype(float)})
    names = []
    for j, col in enumerate(df.columns[6:]):
        name = f"Q{j + 1}"
        names.append(name)
        sav[name] = df[col].map(codes).astype(float)
    labels = {n: {float(v): k for k, v in codes.items()} for n in names}
    pyreadstat.write_sav(sav, str(paths["sav (SPSS, labelled)"]), variable_value_labels=labels,
                         column_labels={n: f"第{i + 1}项服务满意度" for i, n in enumerate(names)},
                         missing_ranges={n: [6.0] for n in names})
    return paths


def measure(path: Path, items: int) -> dict:
    """Read one export as a run does; seconds and peak RSS of this process."""
    params = {"sources": {"survey": {"path": str(path)}},
              "indicator_system": {"items": []}}
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    export = survey_src.read_export(path)
    if export.format == "spss":
        params["sources"]["survey"].update(id_column="id", duration_column="duration")
        cols = [f"Q{j + 1}" for j in range(items)]
    else:
        cols = list(export.questions)
    params["indicator_system"]["items"] = [{"id": f"Q{j + 1:02d}", "column": c}
                                           for j, c in enumerate(cols)]
    table = survey_src.survey_table(export, params)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert not table.problems, table.problems[:3]
    return {"seconds": seconds, "peak_mib": peak / 1024, "added_mib": (peak - base) / 1024,
            "rows": len(table.data), "format": export.describe()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=60)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "csi-bench-sources"))
    ap.add_argument("--one", help=argparse.SUPPRESS)   # internal: measure one file
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(Path(args.one), args.items)))
        return
    t = time.perf_counter()
    paths = write_files(Path(args.cache), args.rows, args.items)
    print(f"files ready in {time.perf_counter() - t:.1f} s ({args.cache})")
    targets = {"csv": 2.0, "xlsx": 10.0, "sav": 2.0}
    for name, path in paths.items():
        out = subprocess.run([sys.executable, __file__, "--one", str(path),
                              "--items", str(args.items)], capture_output=True, text=True)
        if out.returncode:
            print(f"{name:22s} failed: {out.stderr.strip().splitlines()[-1]}")
            continue
        r = json.loads(out.stdout)
        target = targets[name.split()[0]]
        print(f"{name:22s} {r['seconds']:6.2f} s  peak RSS {r['peak_mib']:6.0f} MiB "
              f"(+{r['added_mib']:.0f} MiB reading)  {r['rows']} responses  "
              f"(target <= {target:.0f} s: {'met' if r['seconds'] <= target else 'MISSED'})")


if __name__ == "__main__":
    main()
