"""Emulator throughput: simple GETs over concurrent keep-alive connections (no latency, no rate limit).

Why: the emulator must never be the bottleneck of the client's benchmarks (issue 3 asks ≥ 1,000 req/s).
The server runs in its own process, as ``rtm-batch emulator`` does. The default load generator is a bare
asyncio HTTP/1.1 client, so the figure is the server's (an httpx client costs more CPU per request than
the emulator does, and on 2 cores it would measure itself); ``--client httpx`` measures with httpx instead.
Also printed: the server's CPU time per request, a figure that does not depend on the machine being idle.

Run: ``.venv/bin/python -m bench.bench_emulator [--seconds 5] [--connections 8] [--client raw|httpx]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from urllib.parse import urlsplit

import httpx

from bench.servers import cpu_seconds, server_process

TOKEN = "emulator-token"
PATH = "/v1/wholesale/customers?max=1"


async def _raw_loop(host: str, port: int, deadline: float, tally: list[int]) -> None:
    """One keep-alive connection, one request at a time, reading exactly Content-Length bytes."""
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {PATH} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode()
    try:
        while time.monotonic() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            tally[0 if head.startswith(b"HTTP/1.1 200") else 1] += 1
    finally:
        writer.close()


async def _httpx_loop(base_url: str, deadline: float, tally: list[int]) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(headers=headers, limits=httpx.Limits(max_connections=1)) as client:
        while time.monotonic() < deadline:
            response = await client.get(base_url.removesuffix("/v1") + PATH)
            tally[0 if response.status_code == 200 else 1] += 1


async def _load(base_url: str, seconds: float, connections: int, client: str) -> tuple[list[int], float]:
    tally = [0, 0]
    parts = urlsplit(base_url)
    start = time.monotonic()
    deadline = start + seconds
    if client == "raw":
        loops = [
            _raw_loop(parts.hostname or "127.0.0.1", parts.port or 80, deadline, tally) for _ in range(connections)
        ]
    else:
        loops = [_httpx_loop(base_url, deadline, tally) for _ in range(connections)]
    await asyncio.gather(*loops)
    return tally, time.monotonic() - start


def run(seconds: float = 5.0, connections: int = 8, client: str = "raw") -> float:
    """Requests per second the emulator answered with 200; prints the figure and the server CPU per request."""
    with server_process(rate=0, latency_ms=0, provisioning_seconds=0) as (base_url, pid):
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as setup:
            body = {
                "provisioningId": "p",
                "packages": ["webex_meetings"],
                "externalId": "BENCH-1",
                "address": {"addressLine1": "a", "city": "b", "country": "FI"},
                "customerInfo": {"name": "Bench Oy", "primaryEmail": "admin@bench.example"},
            }
            setup.post("/wholesale/customers", json=body).raise_for_status()
        cpu_before = cpu_seconds(pid)
        (ok, failed), elapsed = asyncio.run(_load(base_url, seconds, connections, client))
        cpu = cpu_seconds(pid) - cpu_before
    rate = ok / elapsed
    print(
        f"emulator: {ok} x GET {PATH} in {elapsed:.2f} s over {connections} keep-alive connections "
        f"({client} client) = {rate:,.0f} req/s, {failed} non-200; "
        f"server CPU {1e6 * cpu / max(ok + failed, 1):.0f} µs/request (≈{(ok + failed) / max(cpu, 1e-9):,.0f} "
        f"req/s per core)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description="Emulator throughput benchmark")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    args = parser.parse_args()
    run(args.seconds, args.connections, args.client)


if __name__ == "__main__":
    main()
