"""Finding an unknown rate limit: the run is not told the server's limit and must find it (contract §2 Rate).

Why: Webex publishes no limits, so a run without ``--max-rate`` has to use what the server allows without
hammering it. Done when, for each server limit, the sustained accepted rate (the server's count of
non-429 answers between its first and last request) is ≥ 0.90 of the limit and ≤ 2 % of requests were
answered 429. Each batch is sized for ``--seconds`` of work at the limit.

Run: ``.venv/bin/python -m bench.bench_adaptive [--limits 20 80 300 --seconds 60 --burst 20]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
from pathlib import Path

import httpx
from rich.console import Console

from batch.run.runner import RunOptions, run_batch
from bench.generate import make_batch, write_csv_folder
from bench.servers import server_process

TOKEN = "emulator-token"
#: API calls per user row of bench.generate's batches (measured: 27,203 calls for 20,000 users + 1,200).
CALLS_PER_USER = 1.36


def main() -> None:
    parser = argparse.ArgumentParser(description="Adaptive-rate benchmark against the emulator")
    parser.add_argument("--limits", type=float, nargs="+", default=[20.0, 80.0, 300.0])
    parser.add_argument("--seconds", type=float, default=60.0, help="work per limit, seconds at the limit")
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--client-rate", type=float, default=None, help="give the client a fixed --max-rate (a comparison baseline)"
    )
    args = parser.parse_args()
    print("| limit | requests | accepted/s | × limit | 429 | 429 % | settled at | highest without 429 | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    for limit in args.limits:
        row = one_limit(limit, args)
        ok &= row["ratio"] >= 0.90 and row["share_429"] <= 2.0
        print(
            f"| {limit:g} | {row['total']} | {row['accepted_rate']:.1f} | {row['ratio']:.3f} | {row['throttled']} | "
            f"{row['share_429']:.2f} | {row['settled']:g} | {row['best']:g} | {row['wall']:.1f} |"
        )
    print("PASS" if ok else "FAIL: below 0.90 of a limit or above 2 % answered 429")


def one_limit(limit: float, args: argparse.Namespace) -> dict:
    users = max(50, round(limit * args.seconds / CALLS_PER_USER))
    customers = max(5, users // 60)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        write_csv_folder(make_batch(customers, customers * 2, users), folder)
        settings = {
            "token": TOKEN,
            "rate": limit,
            "burst": args.burst,
            "latency_ms": args.latency_ms,
            "provisioning_seconds": 1.0,
        }
        with server_process(**settings) as (base_url, _pid):
            options = RunOptions(
                out_dir=Path(tmp) / "out",
                base_url=base_url,
                token=TOKEN,
                concurrency=args.concurrency,
                max_rate=getattr(args, "client_rate", None),
                log_format="plain",
            )
            with contextlib.redirect_stderr(io.StringIO()):  # one progress line per job: not for the table
                outcome = run_batch([folder], options, Console(file=io.StringIO()))
            server = httpx.get(base_url.removesuffix("/v1") + "/_emulator/stats", timeout=30).json()
    accepted = server["total"] - server["rate_limited"]
    accepted_rate = accepted / max(server["active_seconds"], 1e-9)
    return {
        "total": server["total"],
        "throttled": server["rate_limited"],
        "accepted_rate": accepted_rate,
        "ratio": accepted_rate / limit,
        "share_429": 100 * server["rate_limited"] / max(server["total"], 1),
        "settled": outcome.summary["api"]["settled_rate"],
        "best": outcome.summary["api"]["highest_rate_without_429"],
        "wall": outcome.api.get("seconds", 0.0),
    }


if __name__ == "__main__":
    main()
