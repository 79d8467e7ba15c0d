"""``batch.api.paging`` and the client's 403 / 429 rules on exact scripts (httpx.MockTransport, virtual time)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from batch.api.client import HANDSHAKE_FAILED
from batch.api.paging import with_filters
from batch.errors import ApiError
from tests.api.test_client import BASE, ok, scripted, webex_error

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_with_filters_puts_back_only_what_the_link_dropped() -> None:
    link = "http://127.0.0.1:9/v1/people?start=2&max=2&email=a%40b.fi"
    wanted = {"orgId": "o1", "email": "x@y.fi", "start": 0, "max": 2}
    url = httpx.URL(with_filters(link, wanted))
    assert dict(url.params) == {"start": "2", "max": "2", "email": "a@b.fi", "orgId": "o1"}
    assert with_filters(link, {"max": 2}) == link


async def test_items_of_another_org_are_dropped() -> None:
    """A next link that lost orgId may list another org's objects: they never reach the caller."""
    page2 = f"{BASE}/people?start=1"

    def first(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("start") == "1":
            assert request.url.params["orgId"] == "o1"  # put back
            return ok({"items": [{"id": "p2", "orgId": "o1"}, {"id": "x9", "orgId": "o2"}]})
        return ok({"items": [{"id": "p1", "orgId": "o1"}]}, Link=f'<{page2}>; rel="next"')

    clock, server, client = scripted({("GET", "/v1/people"): [first]})

    async def main() -> Any:
        async with client:
            return await client.get_all("/people", {"orgId": "o1"})

    assert [p["id"] for p in await clock.run(main)] == ["p1", "p2"]


async def test_a_second_403_after_the_handshake_is_final_and_says_why() -> None:
    clock, server, client = scripted(
        {
            ("GET", "/v1/locations"): [webex_error(403, "Forbidden", 4001)],
            ("GET", "/v1/organizations/o1"): [ok({"id": "o1"})],
        }
    )

    async def main() -> ApiError:
        async with client:
            with pytest.raises(ApiError) as caught:
                await client.get("/locations", {"orgId": "o1"})
            return caught.value

    error = await clock.run(main)
    assert HANDSHAKE_FAILED in str(error) and error.status == 403 and error.tracking_id == "ROUTER_403"
    assert server.count("GET", "/v1/locations") == 2 and server.count("GET", "/v1/organizations/o1") == 1


async def test_a_403_without_an_org_is_final_at_once() -> None:
    clock, server, client = scripted({("GET", "/v1/wholesale/customers"): [webex_error(403, "Forbidden")]})

    async def main() -> None:
        async with client:
            with pytest.raises(ApiError):
                await client.get("/wholesale/customers")

    await clock.run(main)
    assert server.count("GET", "/v1/wholesale/customers") == 1


@pytest.mark.parametrize("status", [429, 423])
async def test_throttling_does_not_use_up_attempts(status: int) -> None:
    """Ten throttled answers in a row, then success: max_attempts (4 here) counts failures, not throttling."""
    answers = [webex_error(status, "slow down", **{"Retry-After": "2"})] * 10 + [ok({"done": True})]
    clock, server, client = scripted({("POST", "/v1/locations"): answers})

    async def main() -> Any:
        async with client:
            return await client.write("POST", "/locations", json={"name": "HQ"})

    started = clock.now
    written = await clock.run(main)
    assert written.body == {"done": True} and written.attempts == 11
    assert clock.now - started >= 20.0  # every Retry-After waited
