"""The client against the real API's behaviours (webex-api.md §10), each modelled by the emulator, over real HTTP.

Which test guards which item of issue 9 is said in each docstring; every one of them fails against a client
that trusts the emulator's old, friendlier behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from batch.api.client import ClientConfig, WebexClient
from batch.api.ratelimit import RateLimiter
from batch.emulator import EmulatorConfig, running_emulator
from batch.errors import ApiError
from tests.emulator.bodies import customer_body, subscriber_body

pytestmark = pytest.mark.anyio

TOKEN = "emulator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Headers(httpx.AsyncBaseTransport):
    """A real HTTP transport that keeps every request's (method, path, query params, headers)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.seen: list[tuple[str, str, dict[str, str], httpx.Headers]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, dict(request.url.params), request.headers))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class FakeTime:
    """A clock that moves only when the client sleeps (no real waiting for Retry-After or look-ups)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


@contextmanager
def emulator(**config: Any) -> Iterator[str]:
    with running_emulator(EmulatorConfig(provisioning_seconds=0, rate=0, **config)) as base_url:
        yield base_url


def client_on(base_url: str, transport: httpx.AsyncBaseTransport | None = None, **config: Any) -> WebexClient:
    settings = {"max_rate": 100000.0, "backoff_initial": 0.01, "backoff_max": 0.05, **config}
    return WebexClient(ClientConfig(base_url, TOKEN, **settings), transport=transport or Headers())


def provision(base_url: str, external_id: str = "FI-9") -> dict[str, Any]:
    """A provisioned calling customer made with plain HTTP (the partner has not asked for its org yet)."""
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        url = api.post("/wholesale/customers", json=customer_body(external_id)).headers["Location"]
        return api.get(url).json()


def stats(base_url: str) -> dict[str, Any]:
    return httpx.get(base_url.removesuffix("/v1") + "/_emulator/stats", timeout=10).json()["routes"]


# ---- item 1: the managed-org handshake ------------------------------------------------------------------


async def test_an_org_scoped_403_asks_for_the_org_and_retries_once() -> None:
    """Item 1: a new customer org answers 403 until GET /organizations/{orgId}; the client does it and retries."""
    with emulator() as base_url:
        org_id = provision(base_url)["orgId"]
        async with client_on(base_url) as client:
            locations = await client.get_all("/locations", {"orgId": org_id})
        assert [loc["name"] for loc in locations] == ["Pääkonttori"]
        routes = stats(base_url)
        assert routes["GET /v1/locations"] == {"403": 1, "200": 1}
        assert routes["GET /v1/organizations/{org_id}"] == {"200": 1}


async def _calling_location(client: WebexClient, org_id: str, name: str) -> str:
    address = {"address1": "Tie 1", "city": name, "state": name, "postalCode": "02100", "country": "FI"}
    body = {"name": name, "timeZone": "Europe/Helsinki", "preferredLanguage": "fi_fi", "announcementLanguage": "fi_fi"}
    body["address"] = address
    made = await client.write("POST", "/locations", params={"orgId": org_id}, json=body)
    location_id = str((made.body or {})["id"])
    await client.write(
        "POST", "/telephony/config/locations", params={"orgId": org_id}, json={"id": location_id, **body}
    )
    return location_id


# ---- item 5: paging ------------------------------------------------------------------------------------


async def test_filters_a_next_link_drops_are_put_back() -> None:
    """Item 5: with next links that keep only start/max, the client re-adds orgId and locationId."""
    with emulator(drop_next_filters=True) as base_url:
        customer = provision(base_url)
        org_id = customer["orgId"]
        async with client_on(base_url) as client:
            await client.manage_org(org_id)
            hq = (await client.get_all("/locations", {"orgId": org_id}))[0]["id"]
            espoo = await _calling_location(client, org_id, "Espoo")
            for location_id, numbers in ((hq, [f"+35894245100{i}" for i in range(5)]), (espoo, ["+358942452000"])):
                await client.write(
                    "POST",
                    f"/telephony/config/locations/{location_id}/numbers",
                    params={"orgId": org_id},
                    json={"phoneNumbers": numbers},
                )
            with client.track() as count:
                items = await client.get_all(
                    "/telephony/config/numbers", {"orgId": org_id, "locationId": hq, "max": 2}, items_key="phoneNumbers"
                )
        assert sorted(n["phoneNumber"] for n in items) == [f"+35894245100{i}" for i in range(5)]
        assert count.requests == 3


async def test_a_wholesale_list_is_read_to_its_end_by_offset() -> None:
    """Item 5: wholesale lists send no Link; 120 subscribers at max=50 are three pages, not one."""
    with emulator() as base_url:
        customer = provision(base_url)
        with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
            for i in range(120):
                body = subscriber_body(customer["id"], f"u{i}@example.fi", packages=["webex_meetings"])
                assert api.post("/wholesale/subscribers", json=body).status_code == 200
        async with client_on(base_url) as client:
            items = await client.get_all("/wholesale/subscribers", {"customerId": customer["id"], "max": 50})
        assert len(items) == 120 and len({i["email"] for i in items}) == 120


# ---- item 7: throttling --------------------------------------------------------------------------------


async def test_throttling_is_a_time_budget_and_retry_after_is_honoured_up_to_60_seconds() -> None:
    """Item 7: a 429 is not a failed attempt (far more than max_attempts are sent); Retry-After 120 is waited
    as 60 s; the request fails only after 30 minutes of throttling, saying so."""
    time = FakeTime()
    with running_emulator(EmulatorConfig(rate=0.0001, burst=1, retry_after=120)) as base_url:
        transport = Headers()
        limiter = RateLimiter(1000.0, burst=1, clock=time, sleep=time.sleep)
        config = ClientConfig(base_url, TOKEN, max_rate=1000.0)
        async with WebexClient(config, transport=transport, limiter=limiter, sleep=time.sleep, clock=time) as client:
            await client.get("/wholesale/customers", {"max": 1})  # the bucket's one token
            started = time.now
            with pytest.raises(ApiError) as caught:
                await client.get("/wholesale/customers", {"max": 1})
    assert caught.value.status == 429 and "throttled for 30 minutes" in str(caught.value)
    assert 30 <= len(transport.seen) - 1 <= 32  # one per 60 s for 30 minutes (max_attempts is 6)
    assert 1800 <= time.now - started <= 1900


# ---- items 8 and 9: sub-partners, tracking ids ----------------------------------------------------------


async def test_every_request_carries_our_tracking_id_and_wholesale_ones_the_sub_partner() -> None:
    """Items 8 and 9: TrackingID RTMBATCH_<run id>_<n> on every request, kept by the server in its answer
    and error; onBehalfOfSubPartnerOrgId on every /wholesale/ call and nowhere else."""
    with emulator() as base_url:
        org_id = provision(base_url)["orgId"]
        transport = Headers()
        async with client_on(base_url, transport, run_id="r42", sub_partner_org_id="U1VCUEFSVE5FUg") as client:
            await client.get_all("/wholesale/customers", {"max": 10})
            await client.get_all("/locations", {"orgId": org_id})
            with pytest.raises(ApiError) as caught:
                await client.write("POST", "/wholesale/subscribers", json={"email": "x@example.fi"})
    ids = [headers["trackingid"] for *_, headers in transport.seen]
    assert ids == [f"RTMBATCH_r42_{n}" for n in range(1, len(ids) + 1)]
    assert caught.value.tracking_id == ids[-1]
    for _, path, params, _ in transport.seen:
        assert (params.get("onBehalfOfSubPartnerOrgId") == "U1VCUEFSVE5FUg") == path.startswith("/v1/wholesale/")
