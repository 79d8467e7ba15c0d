"""WebexClient against the real emulator: pagination, lost responses over real HTTP, no duplicate writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import stamina

from batch.api.client import ClientConfig, WebexClient
from batch.emulator import EmulatorConfig, create_app, running_emulator
from batch.errors import ApiError, NotFoundError
from tests.emulator.bodies import customer_body

pytestmark = pytest.mark.anyio

TOKEN = "emulator-token"
CUSTOMERS = "/wholesale/customers"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def asgi_client(emulator: EmulatorConfig | None = None, **config: Any) -> WebexClient:
    app = create_app(emulator or EmulatorConfig(provisioning_seconds=0, rate=0))
    cfg = ClientConfig("http://127.0.0.1:9/v1", TOKEN, max_rate=0, **config)
    return WebexClient(cfg, transport=httpx.ASGITransport(app=app))


async def find_customer(client: WebexClient, external_id: str) -> dict[str, Any] | None:
    items = (await client.get(CUSTOMERS, {"externalId": external_id})).get("items") or []
    return items[0] if items else None


async def test_get_all_pages_a_wholesale_list_by_offset_without_link() -> None:
    """The wholesale lists send no Link (§10.6): the client goes on by offset while pages are full."""
    async with asgi_client() as client:
        for i in range(7):
            await client.write("POST", CUSTOMERS, json=customer_body(f"FI-70000{i}"))
        with client.track() as count:
            items = await client.get_all(CUSTOMERS, {"max": 3})
    assert sorted(item["externalId"] for item in items) == [f"FI-70000{i}" for i in range(7)]
    assert count.requests == 3  # 3 + 3 + 1


async def test_get_all_of_an_empty_list_is_one_request() -> None:
    async with asgi_client() as client:
        with client.track() as count:
            assert await client.get_all(CUSTOMERS, {"max": 3}) == []
    assert count.requests == 1


async def test_get_all_refuses_a_next_link_to_another_server() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "127.0.0.1", "the token went to another server"
        return httpx.Response(
            200, json={"items": [{"id": 1}]}, headers={"Link": '<http://evil.example/v1/x>; rel="next"'}
        )

    client = WebexClient(
        ClientConfig("http://127.0.0.1:9/v1", TOKEN, max_rate=0), transport=httpx.MockTransport(handler)
    )
    async with client:
        with pytest.raises(ApiError, match="another server"):
            await client.get_all("/x")


async def test_emulator_errors_keep_status_code_and_tracking_id() -> None:
    async with asgi_client() as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get(f"{CUSTOMERS}/nope")
    assert caught.value.status == 404
    assert caught.value.tracking_id and caught.value.tracking_id.startswith("RTMBATCH_")  # ours, kept by Webex


async def test_a_wrong_token_is_an_auth_error() -> None:
    app = create_app(EmulatorConfig(provisioning_seconds=0, rate=0))
    client = WebexClient(ClientConfig("http://127.0.0.1:9/v1", "wrong"), transport=httpx.ASGITransport(app=app))
    async with client:
        with pytest.raises(ApiError) as caught:
            await client.get(CUSTOMERS)
    assert caught.value.status == 401
    assert type(caught.value).__name__ == "AuthError"


@pytest.fixture(scope="module")
def lossy_emulator() -> Iterator[str]:
    """Over real HTTP, every write faulty: 503 before the write, or committed with a 502 or a dropped connection."""
    config = EmulatorConfig(provisioning_seconds=0, rate=0, error_rate=0.4, lost_response_rate=0.6, seed=11)
    with running_emulator(config) as base_url:
        yield base_url


def emulator_state(base_url: str) -> dict[str, Any]:
    response = httpx.get(base_url.removesuffix("/v1") + "/_emulator/state", timeout=10)
    response.raise_for_status()
    return response.json()


async def test_faulty_writes_over_real_http_end_with_each_customer_exactly_once(lossy_emulator: str) -> None:
    """Reconcile-before-resend: lost responses are found by lookup, 503s are sent again, nothing is doubled."""
    httpx.post(lossy_emulator.removesuffix("/v1") + "/_emulator/reset", timeout=10).raise_for_status()
    config = ClientConfig(lossy_emulator, TOKEN, max_rate=0, concurrency=4, max_attempts=30, backoff_initial=0.001)
    ids = [f"FI-8000{i:02d}" for i in range(12)]
    results: dict[str, Any] = {}

    async with WebexClient(config) as client:  # stamina testing mode: the 503s' Retry-After: 1 is not slept

        async def provision(external_id: str) -> None:
            results[external_id] = await client.write(
                "POST", CUSTOMERS, json=customer_body(external_id), reconcile=lambda: find_customer(client, external_id)
            )

        with stamina.set_testing(True):
            async with anyio.create_task_group() as tg:
                for external_id in ids:
                    tg.start_soon(provision, external_id)
        stats = client.stats

    held = [c["external_id"] for c in emulator_state(lossy_emulator)["customers"]]
    assert sorted(held) == ids  # every customer once: no duplicate, none missing
    found = [e for e, w in results.items() if w.found is not None]
    resent = [e for e, w in results.items() if w.attempts > 1]
    assert found, "the seed should lose some responses (found by lookup)"
    assert resent, "the seed should refuse some writes with 503 (sent again)"
    assert all(results[e].found["externalId"] == e for e in found)
    assert stats.ambiguous >= len(found)
    assert stats.transport_errors > 0  # some lost responses were dropped connections, not 502s
