"""Benchmark: load a CSV batch and validate it at 250k, 500k and 1M users (target for 1M: ≤ 5 s, ≤ 1 GiB).

Each size is generated with ``bench.generate.make_batch`` (1 customer per 5 users, 1 location per 2
customers), written as a ``;``-separated CSV folder with BOM, then loaded and validated in a fresh
subprocess so its peak RSS (``peak_rss_mib``) counts only ``load_inputs`` + ``validate``. ``cpu s`` is the child's
CPU time (all threads) over the same span: on a shared machine the wall time varies with the load, the CPU time
much less, so compare runs by it (issue 22).

    .venv/bin/python bench/bench_validate.py [--users 250000 500000 1000000]
    .venv/bin/python bench/bench_validate.py --ranges   # 500 customers × 1,000-number ranges, 200,000 users

``--ranges`` is the case whose memory once grew with users × numbers (4.2 GiB): each customer's HQ holds a
1,000-number range and its users' numbers lie in it; target ≤ 1 GiB.
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

TIME_TARGET_S = 5.0
RSS_TARGET_MIB = 1024
RANGES_RSS_TARGET_MIB = 1024


def measure(folder: Path) -> dict[str, float | int]:
    """Runs inside the child: load + validate once, report times, counts and peak RSS."""
    from batch.load.inputs import load_inputs
    from batch.validate.validator import validate

    start, cpu = time.perf_counter(), time.process_time()
    loaded = load_inputs([folder])
    loaded_at = time.perf_counter()
    result = validate(loaded)
    done = time.perf_counter()
    return {
        "load_s": loaded_at - start,
        "validate_s": done - loaded_at,
        "total_s": done - start,
        "cpu_s": time.process_time() - cpu,
        "rows": sum(f.height for f in result.sheets.values()),
        "errors": result.error_count,
        "warnings": result.warning_count,
        "invalid_rows": sum(int((~f["_valid"]).sum()) for f in result.sheets.values()),
        "peak_rss_mib": peak_rss_mib(),
    }


def peak_rss_mib() -> int:
    """The peak RSS of this process since it started (``VmHWM``). Not ``ru_maxrss``: Python starts a child by
    ``vfork`` + ``exec``, and Linux keeps the parent's peak in the child's ``ru_maxrss`` (a child of a parent
    that had reached 1.5 GiB reports 1.5 GiB from its first line); here the parent has generated the batch."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return next((int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def run_size(users: int, workdir: Path) -> dict[str, float | int]:
    from bench.generate import make_batch, write_csv_folder

    customers = users // 5
    folder = workdir / f"batch-{users}"
    write_csv_folder(make_batch(customers=customers, locations=customers // 2, users=users), folder)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", str(folder)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {"users": users, "customers": customers, **json.loads(child.stdout.strip().splitlines()[-1])}


def ranges_batch(customers: int = 500, users: int = 200_000) -> dict:
    """Every customer's HQ with a 1,000-number range; each user with a number (or none) in their customer's."""
    import polars as pl

    from bench.generate import make_batch

    batch = make_batch(customers=customers, locations=0, users=users)
    block = pl.format("+358 9 1{} ", pl.int_range(pl.len()).cast(pl.String).str.zfill(3))
    batch["customers"] = batch["customers"].with_columns(
        pl.concat_str(
            block, pl.lit("0000..+358 9 1"), pl.int_range(pl.len()).cast(pl.String).str.zfill(3), pl.lit(" 0999")
        ).alias("numbers"),
        pl.concat_str(block, pl.lit("0000")).alias("main_number"),
    )
    index = batch["customers"].select(
        pl.col("external_id").alias("customer_external_id"), pl.int_range(pl.len()).alias("__c")
    )
    users = batch["users"].join(index, on="customer_external_id", how="left", maintain_order="left")
    rank = (pl.int_range(pl.len()).over("__c") + 1).cast(pl.String).str.zfill(4)
    phone = pl.concat_str(pl.lit("+358 9 1"), pl.col("__c").cast(pl.String).str.zfill(3), pl.lit(" "), rank)
    batch["users"] = users.with_columns(
        pl.when(pl.col("phone_number").is_not_null()).then(phone).alias("phone_number"),
        pl.lit(None, pl.String).alias("location_name"),
    ).drop("__c")
    return batch


def run_ranges(workdir: Path) -> int:
    from bench.generate import write_csv_folder

    folder = workdir / "ranges"
    write_csv_folder(ranges_batch(), folder)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", str(folder)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    row = {"users": 200_000, "customers": 500, **json.loads(child.stdout.strip().splitlines()[-1])}
    _print_row(row, header=True)
    ok = row["peak_rss_mib"] <= RANGES_RSS_TARGET_MIB
    verdict = "met" if ok else "MISSED"
    print(f"500 customers × 1,000-number ranges, 200,000 users (≤ {RANGES_RSS_TARGET_MIB} MiB): {verdict}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    parser.add_argument("--ranges", action="store_true", help="500 customers × 1,000-number ranges, 200k users")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.ranges:
        with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
            return run_ranges(Path(tmp))
    rows = []
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        for users in args.users:
            rows.append(run_size(users, Path(tmp)))
            _print_row(rows[-1], header=len(rows) == 1)
    biggest = max(rows, key=lambda r: r["users"])
    fast = biggest["total_s"] <= TIME_TARGET_S
    small = biggest["peak_rss_mib"] <= RSS_TARGET_MIB
    per_row = [r["total_s"] / r["users"] * 1e6 for r in rows]
    print(f"µs per user row: {', '.join(f'{x:.1f}' for x in per_row)} (flat = linear)")
    print(
        f"target for {biggest['users']:,} users (≤ {TIME_TARGET_S:.0f} s, ≤ {RSS_TARGET_MIB} MiB): "
        f"{'met' if fast and small else 'MISSED'} (time {biggest['total_s']:.2f} s {'met' if fast else 'MISSED'}, "
        f"peak {biggest['peak_rss_mib']:,} MiB {'met' if small else 'MISSED'})"
    )
    return 0 if fast and small else 1


def _print_row(row: dict[str, float | int], *, header: bool) -> None:
    if header:
        print(
            f"{'users':>9} {'customers':>9} {'load s':>7} {'validate s':>10} {'total s':>8} {'cpu s':>6} "
            f"{'peak MiB':>9} "
            f"{'errors':>6} {'warnings':>8}"
        )
    print(
        f"{row['users']:>9,} {row['customers']:>9,} {row['load_s']:>7.2f} {row['validate_s']:>10.2f} "
        f"{row['total_s']:>8.2f} {row['cpu_s']:>6.2f} {row['peak_rss_mib']:>9,} {row['errors']:>6} "
        f"{row['warnings']:>8}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
