"""The client's share of one core: our WebexClient, and bare ``httpx.AsyncClient`` beside it, paced at 50 and
200 requests/s and flat out against the emulator in its own process.

Why this figure: a run's length is set by the server's rate limit, so what matters about the client's CPU is
that it never becomes the limit. Share of a core = the client process's CPU seconds ÷ wall seconds while it
sends at that rate; far below 1 means the client keeps up with room to spare. (A per-call CPU target is
gone: on an otherwise idle VM every wake-up of the event loop costs ~0.1 ms, so CPU per call at a low rate
says more about the machine than about the client.) Flat out shows the rate one core reaches.

Run: ``.venv/bin/python -m bench.bench_client [--seconds 10] [--requests 2000]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import httpx

from batch.api.client import ClientConfig, WebexClient
from batch.api.ratelimit import RateLimiter, default_burst
from batch.run.runner import loop_options
from bench.servers import server_process

TOKEN = "emulator-token"
PATH = "/wholesale/customers"
WORKERS = 32
RATES = (50.0, 200.0)


@dataclass(frozen=True)
class Share:
    """What one regime measured."""

    requests: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.requests / self.wall

    @property
    def share(self) -> float:
        """CPU seconds per wall second: the share of one core the client used."""
        return self.cpu / self.wall


async def _measure(send: Callable[[], Awaitable[object]], requests: int) -> Share:
    """``requests`` sends by WORKERS tasks, as fast as ``send`` lets them go."""

    async def worker() -> None:
        for _ in range(requests // WORKERS):
            await send()

    wall, cpu = time.perf_counter(), time.process_time()
    async with anyio.create_task_group() as tg:
        for _ in range(WORKERS):
            tg.start_soon(worker)
    return Share(requests // WORKERS * WORKERS, time.perf_counter() - wall, time.process_time() - cpu)


async def measure_ours(base_url: str, requests: int, rate: float) -> Share:
    """Paced by its own rate limiter, as a run is (``--max-rate``); flat out with no limit."""
    config = ClientConfig(base_url, TOKEN, max_rate=rate, concurrency=WORKERS)
    async with WebexClient(config) as client:
        await client.get(PATH, {"max": 1})  # warm: a connection, the imports
        return await _measure(lambda: client.get(PATH, {"max": 1}), requests)


async def measure_bare(base_url: str, requests: int, rate: float) -> Share:
    """httpx alone, paced by the same limiter: what the HTTP stack itself costs here."""
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    limiter = RateLimiter(rate, burst=default_burst(rate))
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as client:

        async def send() -> httpx.Response:
            await limiter.acquire()
            return await client.get(PATH, params={"max": 1})

        await client.get(PATH, params={"max": 1})
        return await _measure(send, requests)


def main() -> None:
    parser = argparse.ArgumentParser(description="The client's share of one core, paced and flat out")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each paced measurement")
    parser.add_argument("--requests", type=int, default=2000, help="requests of the flat-out measurement")
    args = parser.parse_args()
    options = loop_options()
    with server_process(token=TOKEN, rate=0, latency_ms=20, provisioning_seconds=0) as (base_url, _pid):
        for name, run in (("WebexClient", measure_ours), ("bare httpx.AsyncClient", measure_bare)):
            for rate in (*RATES, 0.0):
                requests = round(rate * args.seconds) if rate else args.requests
                m = anyio.run(run, base_url, requests, rate, backend_options=options)
                pace = f"paced at {rate:g}/s" if rate else "flat out"
                print(
                    f"{name:22} {pace:16} {m.rate:6.1f} req/s: {100 * m.share:5.1f} % of one core "
                    f"({m.cpu:.2f} s CPU / {m.wall:.2f} s wall = {1000 * m.cpu / m.requests:.2f} ms per request; "
                    f"{m.requests} GETs, {WORKERS} workers, 20 ms latency)"
                )


if __name__ == "__main__":
    main()
