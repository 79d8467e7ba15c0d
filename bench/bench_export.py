"""``rtm-batch export`` of a big server: 300 customers, 900 locations, 20,000 users at a known limit.

Why: an export is nothing but listings, so its wall time must be its listing calls ÷ the server's limit
(the lower bound: calls it cannot avoid, one paced request each) within 1.10 ×, and its memory must stay
modest while it holds every object of the server. The server state is made once by provisioning the
``bench-run`` batch into an unlimited in-process emulator (in a child process, so its memory is not the
export's), saved as a state file, and served by an emulator in its own process at the limit (200 requests/s,
burst 20, 20 ms latency); the export in this process is then timed, its peak RSS read from the kernel.

Run: ``.venv/bin/python -m bench.bench_export [--customers 300 --locations 900 --users 20000 --rate 200
--latency-ms 20 --client-rate 196 --concurrency 16 --csv --state-file FILE]``.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import random
import resource
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console

from batch.export.exporter import ExportOptions, export_batch
from bench.generate import make_batch, write_csv_folder
from bench.servers import TOKEN, cpu_seconds, server_process


def build_state(customers: int, locations: int, users: int, folder: Path, state_file: Path) -> None:
    """Provision the batch into an unlimited emulator and save its state (runs in a child process)."""
    from batch.emulator import EmulatorConfig, running_emulator
    from batch.run.runner import RunOptions, run_batch

    write_csv_folder(make_batch(customers, locations, users), folder)
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        options = RunOptions(
            out_dir=folder.parent / "provision",
            base_url=base_url,
            token=TOKEN,
            max_rate=100_000.0,
            concurrency=32,
            poll_initial=0.01,
            log_format="plain",
        )
        outcome = run_batch([folder], options, Console(file=io.StringIO()))
        if outcome.exit_code != 0:
            raise SystemExit(f"provisioning the benchmark batch failed: {outcome.summary['totals']}")
        state = httpx.get(base_url.removesuffix("/v1") + "/_emulator/state", timeout=300).json()
    version, internal, gauss = random.Random(7).getstate()  # the id generator's state a state file carries
    state["rng"] = [version, list(internal), gauss]
    state_file.write_text(json.dumps(state), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Export benchmark against the emulator")
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--locations", type=int, default=900)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=200.0, help="server limit, requests/s")
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--client-rate", type=float, default=None, help="--max-rate (default: 98 %% of the limit)")
    parser.add_argument("--concurrency", type=int, default=16, help="customers read at once (the export's default)")
    parser.add_argument("--state-file", type=Path, default=None, help="reuse (or keep) the built server state here")
    parser.add_argument("--csv", action="store_true", help="export to a CSV folder instead of a workbook")
    args = parser.parse_args()
    client_rate = args.client_rate or round(args.rate * 0.98, 2)
    with tempfile.TemporaryDirectory() as tmp:
        state_file = args.state_file or Path(tmp) / "state.json"
        if not state_file.is_file():
            started = time.perf_counter()
            child = multiprocessing.get_context("spawn").Process(
                target=build_state, args=(args.customers, args.locations, args.users, Path(tmp) / "batch", state_file)
            )
            child.start()
            child.join()
            if child.exitcode != 0 or not state_file.is_file():
                raise SystemExit("building the server state failed")
            print(
                f"server state built in {time.perf_counter() - started:.1f} s ({state_file.stat().st_size >> 20} MiB)"
            )
        settings = {"token": TOKEN, "rate": args.rate, "burst": args.burst, "latency_ms": args.latency_ms}
        with server_process(**settings, state_file=str(state_file)) as (base_url, pid):
            options = ExportOptions(
                out=Path(tmp) / ("export" if args.csv else "export.xlsx"),
                base_url=base_url,
                token=TOKEN,
                max_rate=client_rate,
                concurrency=args.concurrency,
            )
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            server_cpu = cpu_seconds(pid)
            started = time.perf_counter()
            outcome = export_batch(options)
            wall = time.perf_counter() - started
            server_cpu = cpu_seconds(pid) - server_cpu
            throttled = httpx.get(base_url.removesuffix("/v1") + "/_emulator/stats", timeout=30).json()
            throttled["server_cpu"] = server_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report(args, client_rate, outcome.summary, wall, rss_before, peak, throttled)


def report(
    args: argparse.Namespace,
    client_rate: float,
    summary: dict,  # type: ignore[type-arg]
    wall: float,
    rss_before: int,
    peak: int,
    stats: dict,  # type: ignore[type-arg]
) -> None:
    calls = int(summary["api"]["requests"])
    bound = calls / args.rate
    print(f"server: {args.customers} customers, {args.locations} locations, {args.users} users")
    print(
        f"server limit {args.rate:g} req/s (burst {args.burst}), {args.latency_ms:g} ms latency; "
        f"client --max-rate {client_rate:g}, --concurrency {args.concurrency}"
    )
    print(f"exported rows: {summary['rows']}; notes: {summary['notes']} {summary['notes_by_code']}")
    print(f"listing calls: {calls} (retries {summary['api']['retries']}, 429 answered {summary['api']['throttled']})")
    print(f"lower bound: {bound:.1f} s (listing calls ÷ limit)")
    read = float(summary["read_seconds"])
    print(f"wall (reading, every listing call): {read:.1f} s = {read / bound:.3f} × lower bound (target ≤ 1.10)")
    form = "the CSV files" if args.csv else "the workbook"
    print(f"wall (whole export, incl. writing {form}): {wall:.1f} s = {wall / bound:.3f} × lower bound")
    print(f"peak RSS: {peak / 1024:.0f} MiB (before the export: {rss_before / 1024:.0f} MiB)")
    print(f"server CPU during the export: {stats['server_cpu']:.1f} s (the emulator shares this machine's 2 cores)")
    print(
        f"server: peak {stats.get('peak_per_second')} req/s arriving, {stats.get('peak_accepted_per_second')} accepted"
    )


if __name__ == "__main__":
    main()
