"""Client CPU per request against an emulator in its own process (run: ``pytest -m slow -s <this file>``).

Why a subprocess: a thread emulator's CPU would be counted in our ``process_time``. Two regimes: flat out
(what the client itself costs) and paced by its own limiter at the benchmark's 200 req/s (what a run pays;
on an idle-ish VM every wake-up after a sleep costs extra, see the report printed).
"""

from __future__ import annotations

import os
import time

import anyio
import pytest

from batch.api.client import ClientConfig, WebexClient
from bench.servers import server_process

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

REQUESTS = 2000
WORKERS = 16


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def measure(base_url: str, max_rate: float) -> dict[str, float]:
    config = ClientConfig(base_url, "emulator-token", max_rate=max_rate, concurrency=WORKERS)
    async with WebexClient(config) as client:
        for _ in range(WORKERS):
            await client.get("/wholesale/customers", {"max": 1})  # warm: connections, imports

        async def worker() -> None:
            for _ in range(REQUESTS // WORKERS):
                await client.get("/wholesale/customers", {"max": 1})

        wall, cpu, times = time.perf_counter(), time.process_time(), os.times()
        async with anyio.create_task_group() as tg:
            for _ in range(WORKERS):
                tg.start_soon(worker)
        wall, cpu, end = time.perf_counter() - wall, time.process_time() - cpu, os.times()
    n = REQUESTS // WORKERS * WORKERS
    return {
        "rate": n / wall,
        "cpu_ms": cpu * 1000 / n,
        "user_ms": (end.user - times.user) * 1000 / n,
        "sys_ms": (end.system - times.system) * 1000 / n,
    }


async def test_client_cpu_per_request() -> None:
    with server_process(rate=0, provisioning_seconds=0) as (base_url, _pid):
        flat = await measure(base_url, max_rate=0)
        paced = await measure(base_url, max_rate=200)
    for name, m in (("flat out", flat), ("paced 200/s", paced)):
        print(
            f"\n{name}: {REQUESTS} GETs, {WORKERS} workers: {m['rate']:.0f} req/s, client CPU {m['cpu_ms']:.3f} ms"
            f"/request (user {m['user_ms']:.3f}, sys {m['sys_ms']:.3f})"
        )
    assert flat["cpu_ms"] < 1.0
    assert paced["rate"] == pytest.approx(200, rel=0.03)  # the limiter keeps the rate it is given
