"""Provisioning throughput: a generated batch run against the emulator at a fixed server limit.

Why: the runner must keep the rate budget busy (wall ≤ 1.10 × the lower bound), stay under the server's
limit (< 1 % of requests answered 429), and never be limited by its own CPU (its share of one core is
printed; no per-call target). The emulator runs in its own process so the CPU figure is the client's alone.

Run: ``.venv/bin/python -m bench.bench_run [--customers 300 --locations 900 --users 20000 --rate 200
--latency-ms 20 --provisioning-seconds 300 --speed 150]``.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console

from batch.load.inputs import load_inputs
from batch.plan.graph import build_plan
from batch.run.runner import RunOptions, run_batch
from batch.validate.validator import validate
from bench.generate import make_batch, write_csv_folder
from bench.servers import TOKEN, ServedEmulator


def main() -> None:
    parser = argparse.ArgumentParser(description="Provisioning benchmark against the emulator")
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--locations", type=int, default=900)
    parser.add_argument("--users", type=int, default=20_000)
    ServedEmulator.add_options(parser)
    parser.add_argument(
        "--client-rate",
        type=float,
        default=None,
        help="--max-rate (default: 98 %% of the server limit, the margin a partner leaves: at exactly the limit a "
        "rare 429 from timing jitter costs a whole-pool pause of Retry-After = 1 s)",
    )
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        write_csv_folder(make_batch(args.customers, args.locations, args.users), folder)
        depth = build_plan(validate(load_inputs([folder]))).depth()
        with ServedEmulator.from_args(args).serve() as (base_url, _pid):
            options = RunOptions(
                out_dir=Path(tmp) / "out",
                base_url=base_url,
                token=TOKEN,
                max_rate=client_rate(args),
                concurrency=args.concurrency,
                log_format="plain",
            )
            started = time.perf_counter()
            outcome = run_batch([folder], options, Console(file=io.StringIO()))
            total = time.perf_counter() - started
            server = httpx.get(base_url.removesuffix("/v1") + "/_emulator/stats", timeout=30).json()
    report(args, outcome.api, outcome.summary, server, total, depth)


def client_rate(args: argparse.Namespace) -> float:
    return args.client_rate or round(args.rate * 0.98, 2)


def report(args: argparse.Namespace, api: dict, summary: dict, server: dict, total: float, depth: int) -> None:
    calls = int(api["requests"])
    run_wall = float(api["seconds"])
    rate_bound = calls / args.rate
    critical = args.provisioning_seconds / args.speed + (depth + 3) * args.latency_ms / 1000
    bound = max(rate_bound, critical)
    statuses = summary["totals"]
    print(f"batch: {args.customers} customers, {args.locations} locations, {args.users} users; depth {depth}")
    print(
        f"server: {args.rate:g} req/s (burst {args.burst}), {args.latency_ms:g} ms latency, "
        f"{args.provisioning_seconds / args.speed:g} s provisioning ({args.provisioning_seconds:g} s at speed "
        f"{args.speed:g}); client --max-rate {client_rate(args):g}, "
        f"--concurrency {args.concurrency}"
    )
    print(f"rows: {statuses}")
    print(f"API calls: {calls} ({api['retries']} retries); server saw {server['total']}")
    print(f"lower bound: {bound:.1f} s (calls ÷ limit {rate_bound:.1f} s, critical path {critical:.1f} s)")
    print(f"wall (provisioning phase): {run_wall:.1f} s = {run_wall / bound:.3f} × lower bound")
    print(f"wall (whole command incl. load, validate, reports): {total:.1f} s = {total / bound:.3f} × lower bound")
    print(f"429 answers: {server['rate_limited']} = {100 * server['rate_limited'] / max(server['total'], 1):.2f} %")
    print(
        f"client CPU: {api['cpu_seconds']:.1f} s over {calls} calls = {1000 * api['cpu_seconds'] / calls:.3f} ms/call"
        f" = {100 * api['cpu_seconds'] / run_wall:.1f} % of one core"
    )


if __name__ == "__main__":
    main()
