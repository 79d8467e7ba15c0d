"""The client against the round-3 behaviours of the real API (webex-api.md §11), each modelled by the emulator,
over real HTTP (uvicorn on loopback) and on virtual time: a clock that moves only when the client sleeps.

Each test fails against the client before issue 17's fix for its row (checked by reverting it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from batch.api.adaptive import AdaptiveRateLimiter
from batch.api.client import ClientConfig, WebexClient
from batch.api.ratelimit import RateLimiter
from batch.emulator import EmulatorConfig, running_emulator
from batch.errors import ApiError
from tests.emulator.bodies import customer_body, subscriber_body

pytestmark = pytest.mark.anyio

TOKEN = "emulator-token"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeTime:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


class Timed(httpx.AsyncBaseTransport):
    """Real HTTP that keeps each request's (virtual send time, path, params); refuses past ``limit`` requests so
    a client that hammers fails the test at once instead of running on."""

    def __init__(self, time: FakeTime, limit: int = 200) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.time, self.limit = time, limit
        self.seen: list[tuple[float, str, dict[str, str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if len(self.seen) >= self.limit:
            raise AssertionError(f"more than {self.limit} requests: the client hammers the server")
        self.seen.append((self.time.now, request.url.path, dict(request.url.params)))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@contextmanager
def emulator(**config: Any) -> Iterator[str]:
    settings: dict[str, Any] = {"provisioning_seconds": 0, "rate": 0, **config}
    with running_emulator(EmulatorConfig(**settings)) as base_url:
        yield base_url


# ---- §11.8: Retry-After 0, negative, unreadable ---------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "least"),
    [("0", 1.0), ("-3", 1.0), ("0.01", 1.0), ("rand(30),add(30)", 5.0), ("", 5.0)],
)
@pytest.mark.parametrize("adaptive", [False, True])
async def test_a_429_whose_retry_after_says_nothing_useful_still_waits(
    header: str, least: float, adaptive: bool
) -> None:
    """§11.8: a server answering 429 with ``Retry-After: 0`` (or negative, or garbage, or none) is never sent the
    request again at once: at least a second apart (a few seconds when it gave no figure), with a fixed rate as
    with the rate found on the way. Before the fix ``0`` meant no wait: thousands of requests a second."""
    time = FakeTime()
    with emulator(rate=0.0001, burst=1, retry_after_values=(header,)) as base_url:
        transport = Timed(time)
        limiter: RateLimiter = (
            AdaptiveRateLimiter(clock=time, sleep=time.sleep)
            if adaptive
            else RateLimiter(1000.0, burst=1, clock=time, sleep=time.sleep)
        )
        config = ClientConfig(base_url, TOKEN, max_rate=None if adaptive else 1000.0, throttle_budget=60.0)
        async with WebexClient(config, transport=transport, limiter=limiter, sleep=time.sleep, clock=time) as client:
            await client.get("/wholesale/customers", {"max": 1})  # the bucket's one token
            with pytest.raises(ApiError) as caught:
                await client.get("/wholesale/customers", {"max": 1})
    assert caught.value.status == 429 and "throttled" in str(caught.value)
    sent = [t for t, *_ in transport.seen[1:]]
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert gaps and min(gaps) >= least - 1e-6, gaps
    assert len(sent) <= 60 / least + 2


# ---- §11.9: big pages time out; an item without id is not a person ---------------------------------------

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def customer_with_people(base_url: str, count: int) -> tuple[str, str]:
    """A provisioned customer's (orgId, headquarters location id) with ``count`` meetings subscribers (no
    location: the headquarters holds nobody), made with plain HTTP."""
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        customer = api.get(api.post("/wholesale/customers", json=customer_body("FI-9")).headers["Location"]).json()
        for i in range(count):
            body = subscriber_body(customer["id"], f"u{i}@example.fi", packages=["webex_meetings"])
            assert api.post("/wholesale/subscribers", json=body).status_code == 200
        org_id = customer["orgId"]
        api.get(f"/organizations/{org_id}")
        hq = api.get("/locations", params={"orgId": org_id}).json()["items"][0]["id"]
    return org_id, hq


async def test_a_page_that_times_out_is_asked_for_again_with_a_smaller_max() -> None:
    """§11.9: ``GET /people?callingData=true&max=100`` answers 504 "try to reduce it": the client asks at once
    for 25, then 10 (kept for the rest of the list, and for its next list of people with calling data), and
    reads all 30 people (plus the customer's admin), with no wait. Before the fix it sent the same page six
    times and failed."""
    time = FakeTime()
    with emulator(calling_data_max=10) as base_url:
        org_id, _ = customer_with_people(base_url, 30)
        transport = Timed(time)
        config = ClientConfig(base_url, TOKEN, max_rate=1000.0)
        async with WebexClient(config, transport=transport, sleep=time.sleep, clock=time) as client:
            wanted = {"orgId": org_id, "callingData": "true", "max": 100}
            people = await client.get_all("/people", wanted)
            first = len(transport.seen)
            assert len(await client.get_all("/people", wanted)) == 31  # starts where the first list ended
            assert len(await client.get_all("/people", {"orgId": org_id})) == 31  # no calling data: 100 a page
    assert len({p["id"] for p in people}) == len(people) == 31
    asked = [params.get("max") for _, path, params in transport.seen if path == "/v1/people"]
    assert asked[:first] == ["100", "25", "10", "10", "10", "10"]
    assert asked[first:] == ["10", "10", "10", "10", None]  # without calling data: the server's own page
    assert time.now == 1000.0  # no backoff: the server said what to do
    assert client.stats.retries == 2


async def test_a_people_page_without_a_match_holds_no_person() -> None:
    """§11.9: a ``?locationId=`` page without a match can hold ``{"errors": {"peopleListLocationId": …}}`` as its
    one item: the listing is empty, not one person without an id."""
    with emulator(location_pseudo_item=True) as base_url:
        org_id, hq = customer_with_people(base_url, 2)
        async with WebexClient(ClientConfig(base_url, TOKEN, max_rate=1000.0), transport=Timed(FakeTime())) as client:
            assert await client.get_all("/people", {"orgId": org_id, "locationId": hq}) == []
            assert len(await client.get_all("/people", {"orgId": org_id})) == 3


# ---- §11.10: whose customers a call sees ----------------------------------------------------------------

SUB = "U1VCUEFSVE5FUg"


async def test_every_call_for_a_sub_partners_customer_is_made_on_its_behalf() -> None:
    """§11.10: a customer made on a sub-partner's behalf is seen only by calls made on its behalf. Acting for
    it, the client lists and reads it (also through the absolute ``Location`` URL Webex answered) and resends
    a pending user's consent email (``/subscribers/…/consentMove`` has no ``/wholesale`` but takes the
    parameter); before the fix those two went without it and drew 404s. The partner's own org, listed among
    the customers, is not among the sub-partner's."""
    config = {"free_account_emails": frozenset({"free@example.fi"}), "list_partner_org": True}
    with emulator(**config) as base_url, httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        scope = {"onBehalfOfSubPartnerOrgId": SUB}
        location = api.post("/wholesale/customers", json=customer_body("FI-SUB"), params=scope).headers["Location"]
        customer = api.get(location, params=scope).json()
        body = subscriber_body(customer["id"], "free@example.fi")
        pending = api.post("/wholesale/subscribers", json=body, params=scope).json()
        assert pending["status"] == "pending_user_migration"
        async with WebexClient(
            ClientConfig(base_url, TOKEN, max_rate=1000.0, sub_partner_org_id=SUB), transport=Timed(FakeTime())
        ) as client:
            listed = await client.get_all("/wholesale/customers", {"max": 100})
            assert [c["externalId"] for c in listed] == ["FI-SUB"]
            assert (await client.get(location))["externalId"] == "FI-SUB"
            sent = await client.write("POST", f"/subscribers/{pending['id']}/emails/consentMove")
            assert sent.status == 204
        async with WebexClient(ClientConfig(base_url, TOKEN, max_rate=1000.0), transport=Timed(FakeTime())) as client:
            own = await client.get_all("/wholesale/customers", {"max": 100})
            assert "FI-SUB" not in [c.get("externalId") for c in own] and len(own) == 1  # the partner's own org
