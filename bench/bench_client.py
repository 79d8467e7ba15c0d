"""Client CPU per request: our WebexClient against bare ``httpx.AsyncClient``, flat out and paced at 200/s.

Why: the provisioning benchmark's CPU-per-call target is dominated by the HTTP stack and by what this
machine charges for each wake-up of an idle event loop; this separates the two so a figure can be read
against what httpx itself costs here. The emulator runs in its own process.

Run: ``.venv/bin/python -m bench.bench_client [--requests 2000] [--rate 200]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable

import anyio
import httpx

from batch.api.client import ClientConfig, WebexClient
from batch.run.runner import loop_options
from bench.servers import server_process

TOKEN = "emulator-token"
PATH = "/wholesale/customers"
WORKERS = 32


async def _measure(send: Callable[[], Awaitable[object]], requests: int, rate: float) -> float:
    """CPU seconds per request for ``requests`` sends by WORKERS tasks, paced to ``rate`` when it is > 0."""
    gap = WORKERS / rate if rate > 0 else 0.0
    cpu = time.process_time()

    async def worker() -> None:
        for _ in range(requests // WORKERS):
            started = time.perf_counter()
            await send()
            if gap:
                await anyio.sleep(max(0.0, gap - (time.perf_counter() - started)))

    async with anyio.create_task_group() as tg:
        for _ in range(WORKERS):
            tg.start_soon(worker)
    return (time.process_time() - cpu) / requests


async def _ours(base_url: str, requests: int, rate: float) -> float:
    config = ClientConfig(base_url, TOKEN, max_rate=rate if rate > 0 else 1e9, concurrency=WORKERS)
    async with WebexClient(config) as client:
        await client.get(PATH, {"max": 1})
        return await _measure(lambda: client.get(PATH, {"max": 1}), requests, 0.0)


async def _bare(base_url: str, requests: int, rate: float) -> float:
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as client:
        await client.get(PATH, params={"max": 1})
        return await _measure(lambda: client.get(PATH, params={"max": 1}), requests, rate)


def main() -> None:
    parser = argparse.ArgumentParser(description="Client CPU per request")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0)
    args = parser.parse_args()
    options = loop_options()
    with server_process(token=TOKEN, rate=0, latency_ms=20, provisioning_seconds=0) as (base_url, _pid):
        for name, run in (("WebexClient", _ours), ("bare httpx.AsyncClient", _bare)):
            for rate in (0.0, args.rate):
                cpu = anyio.run(run, base_url, args.requests, rate, backend_options=options)
                pace = f"paced at {rate:g}/s" if rate else "flat out"
                print(f"{name:24} {pace:18} {1000 * cpu:.3f} ms CPU per request ({args.requests} GETs, 20 ms latency)")


if __name__ == "__main__":
    main()
