"""Behaviour every route shares: auth, Webex error bodies, tracking ids, rate limit, latency, faults, operator."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.bodies import customer_body
from tests.emulator.conftest import checked_client

CUSTOMERS = "/wholesale/customers"


def operator_url(base_url: str, what: str) -> str:
    return base_url.removesuffix("/v1") + f"/_emulator/{what}"


def assert_webex_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "errors", "trackingId"} and body["message"]
    assert body["errors"][0]["description"] and body["trackingId"] == response.headers["Trackingid"]
    assert body["trackingId"].startswith("ROUTER_")
    return body


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "emulator-token"}])
def test_missing_or_wrong_token_is_401(emulator: str, headers: dict[str, str]) -> None:
    response = httpx.get(emulator + CUSTOMERS, headers=headers)
    assert "access token" in assert_webex_error(response, 401)["message"]


def test_unknown_route_and_wrong_method_are_webex_shaped(api: httpx.Client) -> None:
    assert_webex_error(api.get("/wholesale/nothing-here"), 404)
    assert_webex_error(api.patch(CUSTOMERS, json={}), 405)
    assert_webex_error(api.get(f"{CUSTOMERS}/unknown"), 404)


def test_every_response_has_its_own_tracking_id(api: httpx.Client, emulator: str) -> None:
    responses = [
        api.get(CUSTOMERS),
        api.get(CUSTOMERS),
        api.post(operator_url(emulator, "reset")),
        httpx.get(operator_url(emulator, "stats")),
    ]
    ids = [r.headers["Trackingid"] for r in responses]
    assert len(set(ids)) == len(ids) and all(i.startswith("ROUTER_") for i in ids)


def test_operator_view_counts_per_route_template_and_resets(api: httpx.Client, emulator: str) -> None:
    url = api.post(CUSTOMERS, json=customer_body("FI-1")).headers["Location"]
    api.get(url)
    api.get(url)
    api.get("/nowhere")
    stats = httpx.get(operator_url(emulator, "stats")).json()
    assert stats["routes"] == {
        "POST /v1/wholesale/customers": {"202": 1},
        "GET /v1/wholesale/customers/{customerId}": {"200": 2},
        "GET (unmatched)": {"404": 1},
    }
    assert (stats["total"], stats["rate_limited"], stats["peak_per_second"]) == (4, 0, 4)
    snapshot = httpx.get(operator_url(emulator, "state")).json()
    assert [c["external_id"] for c in snapshot["customers"]] == ["FI-1"] and snapshot["orgs"]
    httpx.post(operator_url(emulator, "reset")).raise_for_status()
    assert httpx.get(operator_url(emulator, "stats")).json()["total"] == 0
    assert httpx.get(operator_url(emulator, "state")).json()["customers"] == []


def test_seeded_ids_are_reproducible() -> None:
    ids = []
    for _ in range(2):
        with (
            running_emulator(EmulatorConfig(provisioning_seconds=0, rate=0, seed=7)) as base,
            checked_client(base) as client,
        ):
            ids.append(client.post(CUSTOMERS, json=customer_body("FI-1")).json()["url"].rsplit("/", 1)[1])
    assert ids[0] == ids[1]


@pytest.mark.anyio
async def test_latency_is_added(asgi_client: Any) -> None:
    async with asgi_client(latency_ms=60, rate=0) as client:
        started = time.perf_counter()
        assert (await client.get(CUSTOMERS)).status_code == 200
    assert time.perf_counter() - started >= 0.06


@pytest.mark.anyio
async def test_error_rate_answers_503_before_the_write(asgi_client: Any) -> None:
    async with asgi_client(error_rate=1.0, rate=0, provisioning_seconds=0) as client:
        response = await client.post(CUSTOMERS, json=customer_body("FI-1"))
        assert_webex_error(response, 503)
        assert (await client.get(CUSTOMERS)).json() == {"items": []}  # reads are never faulted
        assert (await client.post(CUSTOMERS + "/validate", json={"address": {}})).status_code == 503


def test_lost_responses_commit_the_write() -> None:
    """The case that makes naive clients create duplicates: 502 or a dropped connection after the commit."""
    config = EmulatorConfig(lost_response_rate=1.0, rate=0, provisioning_seconds=0, seed=3)
    outcomes = []
    with running_emulator(config) as base, checked_client(base) as client:
        for i in range(8):
            try:
                outcomes.append(client.post(CUSTOMERS, json=customer_body(f"FI-{i}")).status_code)
            except httpx.RemoteProtocolError:
                outcomes.append("dropped")
        stored = [c["externalId"] for c in client.get(CUSTOMERS).json()["items"]]
    assert set(outcomes) == {502, "dropped"}
    assert stored == [f"FI-{i}" for i in range(8)]


def test_rate_limit_holds_at_three_times_the_limit() -> None:
    """~60 req/s for ~2 s against rate=20, burst=5: ≤ 25 successes in any second; every 429 says when to retry."""
    rate, burst, seconds, offered = 20, 5, 2.0, 60
    config = EmulatorConfig(rate=rate, burst=burst, provisioning_seconds=0)
    results: list[tuple[float, int, str | None]] = []
    lock = threading.Lock()
    with running_emulator(config) as base:
        start = time.monotonic()

        def worker(slot: int, workers: int) -> None:
            with checked_client(base) as client:
                for n in range(slot, int(offered * seconds), workers):
                    time.sleep(max(0.0, start + n / offered - time.monotonic()))
                    response = client.get(CUSTOMERS, params={"max": 1})
                    with lock:
                        results.append((time.monotonic(), response.status_code, response.headers.get("Retry-After")))

        with ThreadPoolExecutor(6) as pool:
            for f in [pool.submit(worker, i, 6) for i in range(6)]:
                f.result()
        stats = httpx.get(operator_url(base, "stats")).json()
    ok = sorted(t for t, status, _ in results if status == 200)
    refused = [retry for _, status, retry in results if status == 429]
    busiest = max(sum(1 for t in ok if first <= t < first + 1.0) for first in ok)
    assert busiest <= rate + burst
    assert stats["peak_accepted_per_second"] <= rate + burst and stats["rate_limited"] == len(refused)
    assert len(ok) >= rate * seconds * 0.75 and refused  # not stricter than asked, either
    assert all(r is not None and r.isdigit() and int(r) >= 1 for r in refused)
    assert {s for _, s, _ in results} == {200, 429}
    assert math.isclose(len(results), offered * seconds)
