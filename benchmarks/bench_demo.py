"""Time `csi demo`: wall time per notebook and in total, and peak memory.

    .venv/bin/python benchmarks/bench_demo.py [--repeat 1]

Target (issue 2): the whole demo engagement in at most 60 s on a 2-core machine, kernel
start-up included. Runs into a temporary outputs folder; prints one line per notebook, the
total, and the peak resident memory of the runner and of the notebook kernels (the largest
of them, read from /proc while they run).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _kernel_peak(stop: threading.Event, peak: list[int]) -> None:
    """Poll the VmHWM (peak RSS) of every running ipykernel process."""
    while not stop.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if "ipykernel" not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore"):
                continue
            hwm = int(fields.get("VmHWM", "0 kB").split()[0])
            peak[0] = max(peak[0], hwm)
        stop.wait(0.2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as out:
            stop, peak = threading.Event(), [0]
            watcher = threading.Thread(target=_kernel_peak, args=(stop, peak))
            watcher.start()
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "csi_helpers.cli", "demo", "--outputs",
                                   out, "--no-progress"], cwd=ROOT, capture_output=True,
                                  text=True)
            total = time.perf_counter() - start
            stop.set()
            watcher.join()
            if proc.returncode != 0:
                sys.exit(proc.stdout + proc.stderr)
            run_dir = next((Path(out) / "demo").iterdir())
            manifest = json.loads((run_dir / "manifest.json").read_text())
            runner_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"run {i + 1}: cores={os.cpu_count()}")
            for nb in manifest["notebooks"]:
                print(f"  {nb['name']:<28} {nb['seconds']:6.1f} s  {nb['status']}")
            print(f"  {'notebooks, summed':<28} {sum(nb['seconds'] for nb in manifest['notebooks']):6.1f} s")
            print(f"  {'csi demo, wall total':<28} {total:6.1f} s   (target <= 60 s)")
            print(f"  peak RSS: largest finished child (runner or kernel) {runner_peak:.0f} MB, largest kernel "
                  f"{peak[0] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
