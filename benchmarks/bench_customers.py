"""Benchmark: notebook 05's customer management on CRM exports of 10k, 100k and 1M customers.

Target (issue 10, 2-core machine): notebook 05 complete, reading included, in <= 60 s and
<= 2 GB peak memory on 1,000,000 customers / 10,000,000 transactions. The export has the
demo's layout (customers, transactions, store visits as CSV), drawn by the demo generator
and thinned to 10 transactions and 3 visits per customer; the files are written once into
a cache folder and reused. Two measurements:

* **steps** (default): notebook 05's calls, seconds per step, each size in a fresh process,
  so the peak resident set size (``ru_maxrss``: Python, pandas, Arrow and DuckDB buffers
  together) is that size's alone. The value rating, channels and complaints chapters
  read small side tables and are not timed here.
* **--notebook**: ``csi run`` of a client with that export (the demo's survey beside it)
  into a temporary folder: notebook 05's seconds as papermill records them, its slowest
  cells, the deliverables (report, PDF, tables.xlsx), and the peak memory of the largest
  process (the notebook's kernel, or the runner writing the deliverables).

    .venv/bin/python benchmarks/bench_customers.py [--sizes 10000 100000 1000000]
    .venv/bin/python benchmarks/bench_customers.py --notebook --sizes 1000000
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def make_export(folder: Path, customers: int, seed: int = 1) -> Path:
    """The demo's CRM layout at ``customers`` customers (10 transactions and 3 visits
    each, the demo's launch planted), written once (the folder name carries the demo
    generator's version: an older cache is not reused)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from csi_helpers import demo, demo_customers

    out = folder / f"crm_v{demo.GENERATOR_VERSION}_{customers}"
    if (out / "visits.csv").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    c, tx, visits, info = demo._customers_and_transactions(rng, customers)
    tx, _ = demo_customers.plant_launch(seed, tx, info)
    tx = tx.iloc[np.sort(rng.choice(len(tx), size=min(len(tx), 10 * customers), replace=False))]
    visits = visits.iloc[np.sort(rng.choice(len(visits), size=min(len(visits), 3 * customers),
                                            replace=False))]
    for name, df in (("customers", c), ("transactions", tx), ("visits", visits)):
        pcsv.write_csv(pa.Table.from_pandas(df, preserve_index=False), out / f"{name}.csv")
    return out


def export_in_child(folder: Path, customers: int) -> Path:
    """:func:`make_export` in a child process. Generating ten million transactions takes
    ~6 GB, and Linux keeps a process's peak RSS across fork and exec: every ``csi run``
    started from a process that generated the data would report ~6 GB as its own peak."""
    out = folder / f"crm_v{_version()}_{customers}"
    if not (out / "visits.csv").exists():
        subprocess.run([sys.executable, __file__, "--make", str(folder), str(customers)],
                       check=True)
    return out


def _version() -> int:
    from csi_helpers import demo
    return demo.GENERATOR_VERSION


def run(folder: Path) -> dict:
    """Notebook 05's calls on the export in ``folder``: seconds per step."""
    from csi_helpers import tiering
    from csi_helpers.customers import clv
    from csi_helpers.sources import crm

    warnings.simplefilter("ignore")
    steps: dict[str, float] = {}

    def step(name, f):
        t0 = time.perf_counter()
        out = f()
        steps[name] = time.perf_counter() - t0
        return out

    customers = step("read customers", lambda: crm.load("customers", {"path": str(folder / "customers.csv")}).data)
    transactions = step("read transactions",
                        lambda: crm.load("transactions", {"path": str(folder / "transactions.csv")}).data)
    visits = step("read visits", lambda: crm.load("visits", {"path": str(folder / "visits.csv")}).data)
    cfg = tiering.settings({"tiering": {}}, transactions)
    as_of = cfg["as_of"]
    purchases = step("check transactions",
                     lambda tx=transactions: tiering.purchases(tx, as_of, customers))
    n_transactions = len(transactions)
    del transactions                # as wb.purchases(): the engine holds the checked rows
    value = step("customer_value", lambda: tiering.customer_value(purchases, as_of, customers=customers))
    abc = step("abc", lambda: tiering.abc(value["revenue"], **cfg["abc"]))
    pyr = step("pyramid", lambda: tiering.pyramid(value["revenue"], **cfg["pyramid"]))
    rule = step("rule_abc", lambda: tiering.rule_abc(customers, value, **cfg["rule_abc"]))
    step("lifecycle", lambda: tiering.lifecycle(value))
    tags = step("tags", lambda: tiering.tags(customers, purchases, visits, as_of, 365, vip=pyr))
    step("rfm", lambda: tiering.rfm_segments(tiering.rfm(purchases, as_of, customers=customers)))
    step("action_table", lambda: tiering.action_table(rule.tier, tags, value["revenue"]))
    step("lifecycle strategy", lambda: tiering.strategy(tiering.lifecycle(value), value["revenue"]))
    step("loyalty", lambda: tiering.loyalty_table(tiering.loyalty(
        value, tiering.retention(purchases, value)["retained"])))
    step("contact plan", lambda: tiering.plan_summary(tiering.contact_plan(
        tags, rule.tier, as_of, value["revenue"])))
    step("clv holdout", lambda: clv.holdout_check(purchases, holdout_months=12))
    step("clv value", lambda: clv.by_tier(clv.value(clv.rfm_summary(purchases)), rule.tier))
    del abc
    return {"rows": {"customers": len(customers), "transactions": n_transactions,
                     "visits": len(visits)},
            "steps": steps, "total": sum(steps.values()),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def notebook_run(folder: Path, work: Path) -> dict:
    """``csi run`` of a client whose CRM export is ``folder`` (the demo's survey, notes and
    secondary data beside it): seconds of each notebook, notebook 05's slowest cells, the
    whole run, and the peak memory of its largest process."""
    import yaml

    from csi_helpers import demo

    root = Path(__file__).resolve().parents[1]
    survey = work / "demo_data"
    base = yaml.safe_load((root / "params" / "demo.yaml").read_text(encoding="utf-8"))
    base["sources"]["survey"]["path"] = str(survey / "survey.csv")
    demo.ensure(base)
    text = (root / "params" / "demo.yaml").read_text(encoding="utf-8")
    text = text.replace("  id: demo\n", "  id: bench\n", 1)
    text = re.sub(r"(?m)^demo:\n  seed: .*\n", "", text)      # a client, not the demo
    for name in ("customers", "transactions", "visits"):
        text = text.replace(f"data/demo/{name}.csv", str(folder / f"{name}.csv"))
    for name in ("acquisition", "channel_costs", "complaints", "ratings", "truth"):
        text = re.sub(rf"(?m)^  {name}: {{path: data/demo/.*\n", "", text)   # not this export's
    text = text.replace("data/demo/", f"{survey}/")
    params = work / "params" / "bench.yaml"          # a project beside the repository's
    params.parent.mkdir(parents=True, exist_ok=True)
    (work / "notebooks").symlink_to(root / "notebooks", target_is_directory=True)
    params.write_text(text, encoding="utf-8")
    outputs = work / "outputs"
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "csi_helpers.cli", "run", str(params),
                           "--outputs", str(outputs)], cwd=root, capture_output=True, text=True)
    total = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"csi run failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                         f"{done.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    run_dir = max((outputs / "bench").iterdir())
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    seconds = {nb["name"]: nb["seconds"] for nb in manifest["notebooks"]}
    nb = json.loads((run_dir / "notebooks" / "05_customer_tiering.ipynb").read_text(
        encoding="utf-8"))
    cells = [(c["metadata"].get("papermill", {}).get("duration") or 0.0,
              "".join(c["source"]).splitlines()[0][:70])
             for c in nb["cells"] if c["cell_type"] == "code"]
    return {"notebooks": seconds, "run": total, "peak_mb": peak,
            "slowest": sorted(cells, reverse=True)[:12]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "csi_bench_crm")
    ap.add_argument("--notebook", action="store_true",
                    help="time `csi run` of a client with the export instead of the calls")
    ap.add_argument("--keep", type=Path, metavar="FOLDER",
                    help="with --notebook: run in FOLDER and keep the run (for profiling)")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)   # the child process
    ap.add_argument("--make", nargs=2, help=argparse.SUPPRESS)    # the generating child
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run(args.one)))
        return
    if args.make:
        make_export(Path(args.make[0]), int(args.make[1]))
        return
    if args.notebook:
        for n in args.sizes:
            folder = export_in_child(args.cache, n)
            if args.keep:
                work = args.keep / f"crm_{n}"
                work.mkdir(parents=True, exist_ok=False)
                r = notebook_run(folder, work)
            else:
                with tempfile.TemporaryDirectory() as work:
                    r = notebook_run(folder, Path(work))
            print(f"csi run on {n:,} customers: {r['run']:.1f} s in all; peak memory of the "
                  f"largest process {r['peak_mb']:,.0f} MB")
            for name, sec in r["notebooks"].items():
                print(f"  {name:<28}{sec:>8.1f} s")
            print("  slowest cells of notebook 05:")
            for sec, first in r["slowest"]:
                print(f"    {sec:>6.2f} s  {first}")
        print("target on 1,000,000 customers / 10,000,000 transactions: notebook 05 <= 60 s, "
              "<= 2,048 MB")
        return
    results = {}
    for n in args.sizes:
        folder = export_in_child(args.cache, n)
        done = subprocess.run([sys.executable, __file__, "--one", str(folder)], check=True,
                              capture_output=True, text=True)
        results[n] = json.loads(done.stdout.strip().splitlines()[-1])
    steps = list(next(iter(results.values()))["steps"])
    print(f"{'step':<20}" + "".join(f"{n:>12,}" for n in results))
    for s in steps:
        print(f"{s:<20}" + "".join(f"{r['steps'][s]:>11.2f}s" for r in results.values()))
    print(f"{'total':<20}" + "".join(f"{r['total']:>11.1f}s" for r in results.values()))
    print(f"{'peak memory':<20}" + "".join(f"{r['peak_mb']:>9,.0f} MB" for r in results.values()))
    print(f"{'transactions':<20}" + "".join(f"{r['rows']['transactions']:>12,}"
                                            for r in results.values()))
    print("target on 1,000,000 customers / 10,000,000 transactions: <= 60 s, <= 2,048 MB")


if __name__ == "__main__":
    main()
