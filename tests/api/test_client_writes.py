"""WebexClient writes on scripted faults: reconcile before resend, never a blind retry of an ambiguous write."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from batch.api.client import LOOKUP_WAITS
from batch.errors import AmbiguousWriteError, ApiError, ConflictError, NotFoundError
from tests.api.test_client import ok, scripted, webex_error

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


POST = ("POST", "/v1/locations")


def created(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return ok({"id": "L1", **body}, 201, Location="http://127.0.0.1:9/v1/locations/L1")


class Lookup:
    """A reconcile callback that answers from a list and counts its calls."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


async def test_a_write_returns_body_status_and_location() -> None:
    clock, server, client = scripted({POST: [created]})

    async def main() -> Any:
        async with client:
            return await client.write("POST", "/locations", json={"name": "HQ"}, params={"orgId": "o1"})

    written = await clock.run(main)
    assert written.body == {"id": "L1", "name": "HQ"}
    assert (written.status, written.location, written.found, written.attempts) == (
        201,
        "http://127.0.0.1:9/v1/locations/L1",
        None,
        1,
    )


@pytest.mark.parametrize(
    "failure", [webex_error(502, "Bad Gateway"), httpx.RemoteProtocolError("dropped"), httpx.ReadTimeout("slow")]
)
async def test_after_an_ambiguous_failure_a_found_object_ends_the_write_without_resending(failure: Any) -> None:
    clock, server, client = scripted({POST: [failure, created]})
    lookup = Lookup({"id": "L1"})

    async def main() -> None:
        async with client:
            written = await client.write("POST", "/locations", json={"name": "HQ"}, reconcile=lookup)
            assert written.found == {"id": "L1"}
            assert (written.body, written.attempts) == (None, 1)

    await clock.run(main)
    assert server.count(*POST) == 1
    assert lookup.calls == 1
    assert client.stats.ambiguous == 1


@pytest.mark.parametrize(
    ("failure", "lookups"), [(webex_error(503), 1), (httpx.RemoteProtocolError("dropped"), len(LOOKUP_WAITS))]
)
async def test_after_an_ambiguous_failure_nothing_found_sends_again(failure: Any, lookups: int) -> None:
    """A 503 is looked up once; a lost answer is looked up for about two minutes first (lists lag, §10.8)."""
    clock, server, client = scripted({POST: [failure, created]})
    lookup = Lookup(None)

    async def main() -> None:
        async with client:
            written = await client.write("POST", "/locations", json={"name": "HQ"}, reconcile=lookup)
            assert (written.status, written.found, written.attempts) == (201, None, 2)

    started = clock.now
    await clock.run(main)
    assert server.count(*POST) == 2
    assert lookup.calls == lookups
    if lookups > 1:
        assert clock.now - started >= 119.0


async def test_failures_that_prove_nothing_was_sent_are_resent_without_a_lookup() -> None:
    clock, server, client = scripted(
        {POST: [httpx.ConnectError("refused"), webex_error(429, **{"Retry-After": "1"}), created]}
    )
    lookup = Lookup()

    async def main() -> None:
        async with client:
            written = await client.write("POST", "/locations", json={"name": "HQ"}, reconcile=lookup)
            assert written.attempts == 3

    await clock.run(main)
    assert lookup.calls == 0
    assert client.stats.ambiguous == 0


async def test_a_write_without_reconcile_is_simply_retried() -> None:
    put = ("PUT", "/v1/people/1")
    clock, server, client = scripted({put: [webex_error(504), ok({"id": "1"})]})

    async def main() -> None:
        async with client:
            written = await client.write("PUT", "/people/1", json={"roles": []})
            assert (written.status, written.attempts) == (200, 2)

    await clock.run(main)


async def test_ambiguous_to_the_end_raises_ambiguous_write_error_after_a_last_lookup() -> None:
    clock, server, client = scripted({POST: [webex_error(503, "Service Unavailable", 5000)]})
    lookup = Lookup(None, None, None, None)

    async def main() -> None:
        async with client:
            with pytest.raises(AmbiguousWriteError) as caught:
                await client.write("POST", "/locations", json={"name": "HQ"}, reconcile=lookup)
            error = caught.value
            assert (error.status, error.error_code, error.tracking_id, error.attempts) == (503, 5000, "ROUTER_503", 4)
            assert "may or may not" in str(error)

    await clock.run(main)
    assert server.count(*POST) == 4
    assert lookup.calls == 4  # also after the last attempt: the write may have landed


async def test_a_dropped_connection_to_the_end_is_an_ambiguous_write_error() -> None:
    clock, server, client = scripted({POST: [httpx.RemoteProtocolError("dropped")]})

    async def main() -> None:
        async with client:
            with pytest.raises(AmbiguousWriteError, match=r"connection dropped.*after 4 attempts"):
                await client.write("POST", "/locations", json={})

    await clock.run(main)


@pytest.mark.parametrize(("status", "cls"), [(400, ApiError), (404, NotFoundError), (409, ConflictError)])
async def test_a_refused_write_is_final_and_not_reconciled(status: int, cls: type) -> None:
    clock, server, client = scripted({POST: [webex_error(status, "Location name already exists", 4711)]})
    lookup = Lookup()

    async def main() -> Any:
        async with client:
            with pytest.raises(cls) as caught:
                await client.write("POST", "/locations", json={"name": "HQ"}, reconcile=lookup)
            return caught.value

    error = await clock.run(main)
    assert type(error) is cls
    assert error.error_code == 4711
    assert lookup.calls == 0
    assert server.count(*POST) == 1
