"""Benchmark: the job graph of 10,000 customers / 30,000 locations / 1,000,000 users (issue 22 item 2).

Target: ``build_plan`` in ≤ 10 s and the process in ≤ 2 GiB at its peak. The batch is generated, written as
a CSV folder, then loaded, validated and planned in a fresh subprocess, so its peak RSS (``VmHWM``:
not ``ru_maxrss``, which a child started by vfork + exec inherits from its parent, see ``bench_validate``)
counts what a ``plan`` or ``run`` of that batch holds before its first request: the loaded and validated
frames and the graph. The RSS the graph itself adds (after the validated frames exist) is printed too; it
can be below zero, because the graph fills heap that validation freed. ``--traced`` plans once more under
``tracemalloc`` (slower) and prints the bytes the graph holds per job, a figure no allocator blurs.

    .venv/bin/python -m bench.bench_plan [--customers 10000 --locations 30000 --users 1000000] [--traced]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_validate import peak_rss_mib

ROOT = Path(__file__).resolve().parents[1]
TIME_TARGET_S = 10.0
RSS_TARGET_MIB = 2048


def current_rss_mib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def measure(folder: Path, traced: bool = False) -> dict[str, float | int]:
    """Inside the child: load + validate, then build the plan; times, sizes and RSS."""
    import gc

    from batch.load.inputs import load_inputs
    from batch.plan.graph import build_plan
    from batch.validate.validator import validate

    start = time.perf_counter()
    validated = validate(load_inputs([folder]))
    validated_at = time.perf_counter()
    gc.collect()
    before = current_rss_mib()
    peak_before = peak_rss_mib()
    cpu = time.process_time()
    plan = build_plan(validated)
    planned_at = time.perf_counter()
    cpu = time.process_time() - cpu
    row: dict[str, float | int] = {
        "validate_s": validated_at - start,
        "plan_s": planned_at - validated_at,
        "plan_cpu_s": cpu,
        "jobs": len(plan.jobs),
        "rows": len(plan.rows),
        "rss_before_plan_mib": before,
        "rss_after_plan_mib": current_rss_mib(),
        "peak_before_plan_mib": peak_before,
        "peak_rss_mib": peak_rss_mib(),
    }
    del plan
    row["traced_bytes"] = _traced_bytes(build_plan, validated) if traced else 0
    return row


def _traced_bytes(build: Callable[[Any], Any], validated: Any) -> int:
    """The bytes a plan of the batch holds, planned again under ``tracemalloc`` (not the frames the jobs read
    their rows from: polars' memory is not Python's)."""
    import tracemalloc

    tracemalloc.start()
    plan = build(validated)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del plan
    return held


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=30_000)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--traced", action="store_true", help="also the graph's bytes per job (tracemalloc)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.traced)))
        return 0
    from bench.generate import make_batch, write_csv_folder

    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        folder = Path(tmp) / "batch"
        write_csv_folder(make_batch(args.customers, args.locations, args.users), folder)
        command = [sys.executable, "-m", "bench.bench_plan", "--measure", str(folder), *(["--traced"] * args.traced)]
        child = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    row = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"batch: {args.customers:,} customers, {args.locations:,} locations, {args.users:,} users")
    print(f"load + validate: {row['validate_s']:.2f} s, peak {row['peak_before_plan_mib']:,} MiB")
    print(
        f"build_plan: {row['plan_s']:.2f} s ({row['plan_cpu_s']:.2f} s CPU: on a busy machine the wall time is "
        f"mostly waiting for a core), {row['jobs']:,} jobs for {row['rows']:,} rows; RSS "
        f"{row['rss_before_plan_mib']:,} → {row['rss_after_plan_mib']:,} MiB "
        f"({row['rss_after_plan_mib'] - row['rss_before_plan_mib']:+,} MiB for the graph)"
    )
    if row["traced_bytes"]:
        held = row["traced_bytes"]
        print(f"the graph holds {held / 2**20:,.0f} MiB (traced), {held / row['jobs']:,.0f} bytes per job")
    ok = row["plan_s"] <= TIME_TARGET_S and row["peak_rss_mib"] <= RSS_TARGET_MIB
    print(
        f"process peak RSS {row['peak_rss_mib']:,} MiB; target (plan ≤ {TIME_TARGET_S:.0f} s, peak ≤ "
        f"{RSS_TARGET_MIB:,} MiB): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
