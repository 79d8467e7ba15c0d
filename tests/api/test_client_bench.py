"""The client's share of one core against an emulator in its own process (run: ``pytest -m slow -s <this
file>``; ``make bench-client`` prints the whole table).

Why a subprocess: a thread emulator's CPU would be counted in our ``process_time``. What is checked is what
issue 16 asks of the client: it must never be what limits a run. Paced by its own limiter at the benchmark
server's 200 req/s it keeps that rate, on well under half a core.
"""

from __future__ import annotations

import pytest

from bench.bench_client import measure_ours
from bench.servers import server_process

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

RATE = 200.0
SECONDS = 10


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_client_keeps_the_benchmark_rate_on_a_small_share_of_one_core() -> None:
    with server_process(token="emulator-token", rate=0, latency_ms=20, provisioning_seconds=0) as (base_url, _pid):
        paced = await measure_ours(base_url, round(RATE * SECONDS), RATE)
        flat = await measure_ours(base_url, 2000, 0.0)
    for name, m in (("paced 200/s", paced), ("flat out", flat)):
        print(f"\n{name}: {m.rate:.0f} req/s on {100 * m.share:.1f} % of one core")
    assert paced.rate == pytest.approx(RATE, rel=0.03)  # the limiter keeps the rate it is given
    assert paced.share < 0.5
