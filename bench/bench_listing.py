"""Per-customer subscriber listings on a big emulator: ``GET /wholesale/subscribers?customerId=…``.

Why: a sync looks up each customer's subscribers, so on a 20,000-user emulator these listings are most of
its traffic, and a listing that costs the server time per subscriber it holds (not per subscriber of the
customer) stalls the served emulator into bunched arrivals and 429s. The state is built in-process and
handed to an emulator in its own process through ``--state-file`` (no 20,000 POSTs to wait for); the
figures are the server's CPU and the wall time per listing.

Run: ``.venv/bin/python -m bench.bench_listing [--subscribers 20000 --customers 300 --listings 3000]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx

from batch.emulator import persist
from batch.emulator.records import Customer, Subscriber, now_iso
from batch.emulator.state import EmulatorState
from bench.servers import cpu_seconds, server_process

TOKEN = "emulator-token"


def big_state(customers: int, subscribers: int) -> EmulatorState:
    """``customers`` provisioned customers whose ``subscribers`` interleave, as a concurrent run leaves them."""
    state = EmulatorState()
    stamp = now_iso()
    ids = []
    for n in range(customers):
        customer = Customer(
            id=state.new_id("CUSTOMER"),
            external_id=f"BENCH-{n}",
            org_id=state.new_id("ORGANIZATION"),
            status="provisioned",
            packages=["webex_meetings"],
            customer_info={"name": f"Bench {n}"},
            address={},
            provisioning_id="p",
            provisioning_parameters={},
            errors=[],
            ready_at=None,
            outcome=None,
            created=stamp,
            last_status_change=stamp,
        )
        state.add_customer(customer)
        ids.append(customer.id)
    for n in range(subscribers):
        cid = ids[n % customers]
        state.add_subscriber(
            Subscriber(
                id=state.new_id("SUBSCRIBER"),
                customer_id=cid,
                org_id=state.customers[cid].org_id or "",
                person_id=None,
                email=f"u{n}@bench.example",
                package="webex_meetings",
                status="provisioned",
                location_id=None,
                primary_phone_number=None,
                extension=None,
                first_name="",
                last_name="",
                created=stamp,
                last_status_change=stamp,
            )
        )
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description="Per-customer subscriber listing benchmark")
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--listings", type=int, default=3_000)
    args = parser.parse_args()
    state = big_state(args.customers, args.subscribers)
    customer_ids = list(state.customers)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.json"
        persist.save(state, path, 0.0)
        settings = {"token": TOKEN, "rate": 0, "latency_ms": 0, "provisioning_seconds": 0, "state_file": str(path)}
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with server_process(**settings) as (base_url, pid), httpx.Client(base_url=base_url, headers=headers) as api:
            seen = 0
            cpu_before, started = cpu_seconds(pid), time.perf_counter()
            for n in range(args.listings):
                params = {"customerId": customer_ids[n % len(customer_ids)], "max": 100}
                response = api.get("/wholesale/subscribers", params=params)
                response.raise_for_status()
                seen += len(response.json()["items"])
            wall, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    print(
        f"{args.listings} x GET /wholesale/subscribers?customerId=… on {args.subscribers} subscribers over "
        f"{args.customers} customers ({seen / args.listings:.1f} items a listing): {wall:.2f} s wall = "
        f"{1000 * wall / args.listings:.3f} ms/listing; server CPU {1000 * cpu / args.listings:.3f} ms/listing"
    )


if __name__ == "__main__":
    main()
