"""Shards on one budget: one run against N shard runs of the same batch, the server's limit shared by all.

Why (README "Scaling out"): Webex does not say whether its limits count per token, app or org. The emulator
has one global token bucket, the pessimistic case: there, do N shards (each finding the limit on its own,
without ``--max-rate``) together get more done than one run, or only more 429s? Each scenario gets a fresh
emulator in its own process; the shards are CLI processes started together.

Run: ``.venv/bin/python -m bench.bench_shards [--shards 2 --users 3000 --rate 100]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.generate import make_batch, write_csv_folder
from bench.servers import TOKEN, server_process


def scenario(folder: Path, out: Path, shards: int, args: argparse.Namespace) -> dict[str, float]:
    settings = {"rate": args.rate, "burst": 20, "latency_ms": 20.0, "provisioning_seconds": 2.0}
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")} | {"WEBEX_ACCESS_TOKEN": TOKEN}
    with server_process(token=TOKEN, **settings) as (base_url, _pid):
        started = time.perf_counter()
        procs = []
        for i in range(shards):
            command = [sys.executable, "-m", "batch", "run", str(folder), "--out", str(out / f"shard-{i}")]
            command += ["--base-url", base_url, "--log-format", "json", "--concurrency", "32"]
            command += ["--shard", f"{i}/{shards}"] if shards > 1 else []
            procs.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        codes = [p.wait() for p in procs]
        wall = time.perf_counter() - started
        stats = httpx.get(base_url.removesuffix("/v1") + "/_emulator/stats", timeout=30).json()
    summaries = [json.loads((out / f"shard-{i}" / "summary.json").read_text()) for i in range(shards)]
    return {
        "shards": shards,
        "exit": max(codes),
        "wall_s": wall,
        "requests": stats["total"],
        "rate_limited": stats["rate_limited"],
        "rows": sum(s["rows"] for s in summaries),
        "settled": sum(s["api"].get("settled_rate", 0.0) for s in summaries),
        "busiest_s": max(s["wall_seconds"] for s in summaries),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=100.0, help="the server's limit (requests/s), for all")
    args = parser.parse_args(argv)
    customers = max(2, args.users * 300 // 20_000)
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        folder = Path(tmp) / "batch"
        write_csv_folder(make_batch(customers, customers * 3, args.users), folder)
        rows = [scenario(folder, Path(tmp) / f"out-{n}", n, args) for n in (1, args.shards)]
    print(f"batch: {customers} customers, {customers * 3} locations, {args.users} users; server limit {args.rate:g}/s")
    for row in rows:
        print(
            f"{row['shards']} process(es): exit {row['exit']}, {row['wall_s']:.1f} s wall, {row['requests']} requests "
            f"= {row['requests'] / row['wall_s']:.1f}/s, {row['rate_limited']} answered 429 "
            f"({100 * row['rate_limited'] / max(row['requests'], 1):.2f} %), "
            f"settled rates summed {row['settled']:.1f}/s"
        )
    one, many = rows
    print(f"{args.shards} shards / 1 run, wall: {many['wall_s'] / one['wall_s']:.2f} ×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
