"""Benchmark: load a CSV batch and validate it at 250k, 500k and 1M users (target for 1M: ≤ 10 s, ≤ 2 GiB).

Each size is generated with ``bench.generate.make_batch`` (1 customer per 5 users, 1 location per 2
customers), written as a ``;``-separated CSV folder with BOM, then loaded and validated in a fresh
subprocess so its peak RSS (``ru_maxrss``) counts only ``load_inputs`` + ``validate``.

    .venv/bin/python bench/bench_validate.py [--users 250000 500000 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TIME_TARGET_S = 10.0
RSS_TARGET_MIB = 2048


def measure(folder: Path) -> dict[str, float | int]:
    """Runs inside the child: load + validate once, report times, counts and peak RSS."""
    from batch.load.inputs import load_inputs
    from batch.validate.validator import validate

    start = time.perf_counter()
    loaded = load_inputs([folder])
    loaded_at = time.perf_counter()
    result = validate(loaded)
    done = time.perf_counter()
    return {
        "load_s": loaded_at - start,
        "validate_s": done - loaded_at,
        "total_s": done - start,
        "rows": sum(f.height for f in result.sheets.values()),
        "errors": result.error_count,
        "warnings": result.warning_count,
        "invalid_rows": sum(int((~f["_valid"]).sum()) for f in result.sheets.values()),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def run_size(users: int, workdir: Path) -> dict[str, float | int]:
    from bench.generate import make_batch, write_csv_folder

    customers = users // 5
    folder = workdir / f"batch-{users}"
    write_csv_folder(make_batch(customers=customers, locations=customers // 2, users=users), folder)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", str(folder)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {"users": users, "customers": customers, **json.loads(child.stdout.strip().splitlines()[-1])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        for users in args.users:
            rows.append(run_size(users, Path(tmp)))
            _print_row(rows[-1], header=len(rows) == 1)
    biggest = max(rows, key=lambda r: r["users"])
    ok = biggest["total_s"] <= TIME_TARGET_S and biggest["peak_rss_mib"] <= RSS_TARGET_MIB
    per_row = [r["total_s"] / r["users"] * 1e6 for r in rows]
    print(f"µs per user row: {', '.join(f'{x:.1f}' for x in per_row)} (flat = linear)")
    print(
        f"target for {biggest['users']:,} users (≤ {TIME_TARGET_S:.0f} s, ≤ {RSS_TARGET_MIB} MiB): "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def _print_row(row: dict[str, float | int], *, header: bool) -> None:
    if header:
        print(
            f"{'users':>9} {'customers':>9} {'load s':>7} {'validate s':>10} {'total s':>8} {'peak MiB':>9} "
            f"{'errors':>6} {'warnings':>8}"
        )
    print(
        f"{row['users']:>9,} {row['customers']:>9,} {row['load_s']:>7.2f} {row['validate_s']:>10.2f} "
        f"{row['total_s']:>8.2f} {row['peak_rss_mib']:>9,} {row['errors']:>6} {row['warnings']:>8}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
