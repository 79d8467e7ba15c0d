"""WebexClient on exact fault sequences (httpx.MockTransport) and virtual time: retries, 429s, error mapping.

Writes are in test_client_writes.py; the emulator-backed tests (pagination, lost responses over real HTTP) in
test_client_emulator.py.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from batch.api.client import ClientConfig, WebexClient, check_base_url
from batch.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    UsageError,
)
from tests.api.test_ratelimit import VirtualClock, limiter_on

pytestmark = pytest.mark.anyio

TOKEN = "sekrit-token-4711"
BASE = "http://127.0.0.1:9/v1"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Server:
    """A scripted server: answers from a list per (method, path), records (method, path, time) of each request."""

    def __init__(self, clock: VirtualClock, script: dict[tuple[str, str], list[Any]]) -> None:
        self.clock = clock
        self.script = script
        self.seen: list[tuple[str, str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        key = (request.method, request.url.path)
        self.seen.append((*key, self.clock.now))
        answers = self.script[key]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.seen if (m, p) == (method, path))


def webex_error(status: int, message: str = "Boom", code: int | None = 4003, **headers: str) -> httpx.Response:
    """A response shaped like the real API's errors (body trackingId plus the Trackingid header)."""
    detail: dict[str, Any] = {"description": message}
    if code is not None:
        detail["errorCode"] = code
    body = {"message": message, "errors": [detail], "trackingId": f"ROUTER_{status}"}
    return httpx.Response(status, json=body, headers={"Trackingid": f"ROUTER_{status}", **headers})


def ok(body: dict[str, Any] | None = None, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body if body is not None else {"ok": True}, headers=headers)


def make_client(clock: VirtualClock, server: Server, **config: Any) -> WebexClient:
    settings = {"max_rate": 1000.0, "max_attempts": 4, "backoff_initial": 1.0, "backoff_max": 8.0, **config}
    cfg = ClientConfig(BASE, TOKEN, **settings)
    return WebexClient(
        cfg,
        transport=httpx.MockTransport(server),
        limiter=limiter_on(clock, cfg.max_rate),
        sleep=clock.sleep,
        rng=random.Random(1),
        clock=clock,
    )


def scripted(script: dict[tuple[str, str], list[Any]], **config: Any) -> tuple[VirtualClock, Server, WebexClient]:
    clock = VirtualClock()
    server = Server(clock, script)
    return clock, server, make_client(clock, server, **config)


# ------------------------------------------------------------------------------------------------ base URL


@pytest.mark.parametrize(
    "url",
    [
        "https://webexapis.com/v1",
        "http://127.0.0.1:8123/v1",
        "http://127.4.5.6/v1",
        "http://localhost:8000/v1/",
        "http://[::1]:8123/v1",
    ],
)
def test_https_anywhere_and_http_to_loopback_are_accepted(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    ["http://example.com/v1", "http://10.0.0.5/v1", "http://128.0.0.1/v1", "ftp://127.0.0.1/v1", "webexapis.com/v1"],
)
def test_plain_http_elsewhere_is_refused_in_one_line(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_base_url(url)
    assert "\n" not in str(caught.value)
    assert "https://" in str(caught.value)


def test_refusal_never_echoes_credentials_in_the_url() -> None:
    with pytest.raises(UsageError) as caught:
        WebexClient(ClientConfig("http://admin:hunter2@example.com/v1", TOKEN))
    assert "hunter2" not in str(caught.value)
    assert "example.com" in str(caught.value)


# ---------------------------------------------------------------------------------------------------- reads


async def test_get_returns_the_json_body_or_an_empty_dict() -> None:
    clock, server, client = scripted(
        {("GET", "/v1/people/1"): [ok({"id": "1"})], ("GET", "/v1/people/2"): [httpx.Response(204)]}
    )

    async def main() -> None:
        async with client:
            assert await client.get("/people/1") == {"id": "1"}
            assert await client.get("people/2") == {}

    await clock.run(main)
    assert client.stats.requests == 2
    assert client.stats.by_status == {200: 1, 204: 1}


async def test_429_pauses_for_retry_after_then_succeeds() -> None:
    clock, server, client = scripted(
        {("GET", "/v1/roles"): [webex_error(429, "Too many", None, **{"Retry-After": "7"}), ok({"items": []})]}
    )

    async def main() -> None:
        async with client:
            assert await client.get("/roles") == {"items": []}

    await clock.run(main)
    times = [t for *_, t in server.seen]
    assert times == [pytest.approx(100.0), pytest.approx(107.0)]  # Retry-After, not the 1 s backoff
    assert (client.stats.throttled, client.stats.retries, client.stats.requests) == (1, 1, 2)
    assert client.stats.by_status == {429: 1, 200: 1}


async def test_one_429_pauses_every_other_request_too() -> None:
    """Three workers at 1 req/s: the first one's 429 (Retry-After 3) holds back the other two as well."""
    clock, server, client = scripted(
        {
            ("GET", "/v1/a"): [webex_error(429, "Too many", None, **{"Retry-After": "3"}), ok()],
            ("GET", "/v1/b"): [ok()],
            ("GET", "/v1/c"): [ok()],
        },
        max_rate=1.0,
    )

    async def main() -> None:
        async with client, anyio.create_task_group() as tg:
            for path in ("/a", "/b", "/c"):
                tg.start_soon(client.get, path)

    await clock.run(main)
    first, *rest = server.seen
    assert first == ("GET", "/v1/a", pytest.approx(100.0))
    assert all(t >= 103.0 - 1e-9 for *_, t in rest), server.seen  # b's slot was 101, c's 102: both waited
    assert sorted(t for *_, t in rest) == pytest.approx([103.0, 104.0, 105.0])  # then at the rate again


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_reads_retry_gateway_errors_with_growing_backoff(status: int) -> None:
    clock, server, client = scripted({("GET", "/v1/x"): [webex_error(status), webex_error(status), ok()]})

    async def main() -> None:
        async with client:
            assert await client.get("/x") == {"ok": True}

    await clock.run(main)
    t0, t1, t2 = (t for *_, t in server.seen)
    assert 0.5 <= t1 - t0 <= 1.0  # initial 1 s, half of it jittered
    assert 1.0 <= t2 - t1 <= 2.0  # doubled
    assert client.stats.retries == 2


async def test_a_retry_after_on_503_wins_over_backoff() -> None:
    clock, server, client = scripted(
        {("GET", "/v1/x"): [webex_error(503, **{"Retry-After": "5"}), ok()]}, backoff_initial=0.1
    )

    async def main() -> None:
        async with client:
            await client.get("/x")

    await clock.run(main)
    assert [t for *_, t in server.seen] == [pytest.approx(100.0), pytest.approx(105.0)]


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, ApiError), (401, AuthError), (404, NotFoundError), (409, ConflictError), (500, ApiError)],
)
async def test_other_errors_are_final_at_once_with_everything_the_report_needs(status: int, cls: type) -> None:
    clock, server, client = scripted({("GET", "/v1/people/9"): [webex_error(status, "Person not found", 4008)]})

    async def main() -> Any:
        async with client:
            with pytest.raises(ApiError) as caught:
                await client.get("/people/9", params={"orgId": "o1"})
            return caught.value

    error = await clock.run(main)
    assert type(error) is cls
    assert (error.status, error.error_code, error.tracking_id, error.attempts) == (status, 4008, f"ROUTER_{status}", 1)
    assert str(error) == f"GET /people/9: HTTP {status} Person not found"
    assert server.count("GET", "/v1/people/9") == 1


async def test_attempts_are_bounded_and_the_final_error_says_how_many() -> None:
    clock, server, client = scripted({("GET", "/v1/x"): [webex_error(503, "Service Unavailable", 5000)]})

    async def main() -> None:
        async with client:
            with pytest.raises(ApiError) as caught:
                await client.get("/x")
            error = caught.value
            assert (error.status, error.error_code, error.tracking_id, error.attempts) == (503, 5000, "ROUTER_503", 4)
            assert "after 4 attempts" in str(error)

    await clock.run(main)
    assert server.count("GET", "/v1/x") == 4


async def test_tracking_id_and_message_come_from_the_header_when_the_body_is_not_webex_shaped() -> None:
    clock, server, client = scripted(
        {("GET", "/v1/x"): [httpx.Response(404, text="<html>nope</html>", headers={"Trackingid": "NA_42"})]}
    )

    async def main() -> Any:
        async with client:
            with pytest.raises(NotFoundError) as caught:
                await client.get("/x")
            return caught.value

    error = await clock.run(main)
    assert error.tracking_id == "NA_42"
    assert error.error_code is None
    assert "Not Found" in str(error)


async def test_connection_errors_on_reads_are_retried() -> None:
    clock, server, client = scripted(
        {("GET", "/v1/x"): [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), ok()]}
    )

    async def main() -> None:
        async with client:
            assert await client.get("/x") == {"ok": True}

    await clock.run(main)
    assert client.stats.transport_errors == 2
    assert client.stats.retries == 2


async def test_no_answer_at_all_ends_in_a_clear_error() -> None:
    clock, server, client = scripted({("GET", "/v1/x"): [httpx.ConnectError("refused")]})

    async def main() -> None:
        async with client:
            with pytest.raises(
                ApiError, match=r"GET /x: no answer \(could not connect to [\w.]+:\d+: refused\) \(after 4 attempts\)"
            ):
                await client.get("/x")

    await clock.run(main)


async def test_a_read_whose_answer_is_not_json_is_a_clear_error() -> None:
    page = httpx.Response(200, text="<html>proxy login</html>", headers={"Content-Type": "text/html"})
    clock, server, client = scripted({("GET", "/v1/x"): [page]})

    async def main() -> None:
        async with client:
            with pytest.raises(ApiError, match=r"GET /x: the answer is not JSON \(HTTP 200, text/html\)"):
                await client.get("/x")

    await clock.run(main)


async def test_other_transport_failures_are_final_api_errors_not_tracebacks() -> None:
    clock, server, client = scripted({("GET", "/v1/x"): [httpx.ProxyError("407 from the proxy")]})

    async def main() -> None:
        async with client:
            with pytest.raises(ApiError, match="GET /x: ProxyError: 407 from the proxy"):
                await client.get("/x")

    await clock.run(main)
    assert len(server.seen) == 1


async def test_absolute_urls_must_stay_on_the_same_server() -> None:
    clock, server, client = scripted({("GET", "/v1/wholesale/customers/1"): [ok({"id": "1"})]})

    async def main() -> None:
        async with client:
            assert await client.get("http://127.0.0.1:9/v1/wholesale/customers/1") == {"id": "1"}
            with pytest.raises(ApiError, match="another server"):
                await client.get("http://evil.example/v1/wholesale/customers/1")

    await clock.run(main)
    assert len(server.seen) == 1


# ------------------------------------------------------------------------------------- tracking and secrecy


async def test_track_counts_the_requests_of_each_task_separately() -> None:
    clock, server, client = scripted(
        {("GET", "/v1/a"): [ok()], ("GET", "/v1/b"): [webex_error(503), ok()], ("GET", "/v1/c"): [ok()]}
    )
    counts: dict[str, int] = {}

    async def job(name: str, paths: list[str]) -> None:
        with client.track() as count:
            for path in paths:
                await client.get(path)
        counts[name] = count.requests

    async def main() -> None:
        async with client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(job, "one", ["/a", "/c"])
                tg.start_soon(job, "two", ["/b", "/a", "/c"])  # /b needs a retry
            await client.get("/a")  # outside any track(): counted only in stats

    await clock.run(main)
    assert counts == {"one": 2, "two": 4}
    assert client.stats.requests == 7


async def test_the_token_appears_in_no_repr_message_or_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock, server, client = scripted(
        {
            ("GET", "/v1/a"): [webex_error(401, "The request requires a valid access token"), ok()],
            ("GET", "/v1/b"): [httpx.ConnectError("refused")],
            ("POST", "/v1/locations"): [webex_error(503)],
        },
        max_attempts=2,
    )
    errors: list[Exception] = []

    async def main() -> None:
        async with client:
            for call in (client.get("/a"), client.get("/b"), client.write("POST", "/locations", json={})):
                try:
                    await call
                except ApiError as exc:
                    errors.append(exc)

    await clock.run(main)
    assert [type(e) for e in errors] == [AuthError, ApiError, AmbiguousWriteError]
    shown = [repr(client), repr(client.config), repr(client.stats), caplog.text]
    shown += [f"{e!s} {e!r} {vars(e)}" for e in errors]
    assert all(TOKEN not in text for text in shown)
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING
