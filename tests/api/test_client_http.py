"""The client's one ``httpx.AsyncClient`` over real sockets (``batch.api.http``): what every request carries,
TLS with the environment's CA file, the timeout from ``ClientConfig``, a pool as wide as ``concurrency`` that
no request waits in and that requests enter one at a time, and compressed answers decoded."""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpcore._async.connection_pool as httpcore_pool
import httpx
import pytest
import trustme
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from batch.api.client import ClientConfig, WebexClient, Written
from batch.api.http import USER_AGENT, PoolEntry
from batch.emulator import EmulatorConfig, running_emulator
from batch.errors import ApiError
from tests.api.served import served

pytestmark = pytest.mark.anyio
TOKEN = "tls-token"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_emulator(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("tls")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)
    with running_emulator(config, tls=(str(certfile), str(keyfile))) as base_url:
        yield base_url


def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or CA setting of the machine running the tests reaches the client under test."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def test_https_with_the_ca_file_the_environment_names(
    ca: trustme.CA, tls_emulator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partner behind a TLS-inspecting proxy sets SSL_CERT_FILE; the client's one httpx client reads it."""
    quiet_environment(monkeypatch)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert tls_emulator.startswith("https://")
    async with WebexClient(ClientConfig(tls_emulator, TOKEN, max_rate=1000)) as client:
        body = {
            "provisioningId": "cHJvdmlzaW9uaW5n",
            "packages": ["webex_meetings"],
            "externalId": "TLS-1",
            "address": {"addressLine1": "Katu 1", "city": "Helsinki", "country": "FI"},
            "customerInfo": {"name": "Salattu Oy", "primaryEmail": "admin@salattu.fi"},
        }
        written: Written[None] = await client.write("POST", "/wholesale/customers", json=body)
        assert written.status == 202
        found = await client.get_all("/wholesale/customers", {"externalId": "TLS-1"})
        assert [c["externalId"] for c in found] == ["TLS-1"]


async def test_a_certificate_the_client_does_not_trust_is_refused(
    tls_emulator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet_environment(monkeypatch)
    async with WebexClient(ClientConfig(tls_emulator, TOKEN, max_rate=1000, max_attempts=1)) as client:
        with pytest.raises(ApiError, match="could not connect.*CERTIFICATE_VERIFY_FAILED"):
            await client.get("/wholesale/customers")


class Recorder:
    """A tiny HTTP/1.1 server: answers each request with ``{}``, keeps every request head, counts connections;
    ``/slow`` answers after ``slow`` seconds, ``/silent`` never answers."""

    def __init__(self, slow: float = 0.3) -> None:
        self.slow = slow
        self.connections = 0
        self.heads: list[bytes] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                target = head.split(b" ")[1]
                if target.endswith(b"/silent"):
                    await asyncio.sleep(30)
                if target.endswith(b"/slow"):
                    await asyncio.sleep(self.slow)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


async def serve(recorder: Recorder) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(recorder, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"


def headers_of(head: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        if line:
            name, _, value = line.partition(":")
            found.setdefault(name.strip().lower(), []).append(value.strip())
    return found


async def test_every_request_names_the_tool_asks_for_json_and_compression_and_carries_its_own_tracking_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quiet_environment(monkeypatch)
    recorder = Recorder()
    server, base = await serve(recorder)
    config = ClientConfig(base, TOKEN, max_rate=1000, run_id="run42")
    async with server, WebexClient(config) as client:
        await client.get("/people", {"email": "a@b.fi"})
        await client.write("POST", "/locations", json={"name": "Pääkonttori"})
    assert re.fullmatch(r"rtm-batch/\d+\.\d+\.\d+\S*", USER_AGENT)
    seen = [headers_of(head) for head in recorder.heads]
    assert len(seen) == 2
    for n, headers in enumerate(seen, start=1):
        assert headers["user-agent"] == [USER_AGENT]
        assert headers["accept"] == ["application/json"]
        assert "gzip" in headers["accept-encoding"][0]
        assert headers["authorization"] == [f"Bearer {TOKEN}"]
        assert headers["trackingid"] == [f"RTMBATCH_run42_{n}"]
    assert seen[1]["content-type"] == ["application/json"]


async def test_the_timeout_of_the_config_bounds_the_wait_for_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    quiet_environment(monkeypatch)
    server, base = await serve(Recorder())
    config = ClientConfig(base, TOKEN, max_rate=1000, timeout=0.2, max_attempts=1)
    async with server, WebexClient(config) as client:
        with anyio.fail_after(5), pytest.raises(ApiError, match="timed out waiting for the answer"):
            await client.get("/silent")
    assert client.stats.transport_errors == 1


async def test_more_requests_than_connections_wait_for_a_slot_never_inside_the_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """5 × concurrency slow requests at once: the pool timeout (= ``timeout``, 1 s) is shorter than the last
    ones' wait (1.2 s), so any request let into a full pool would end in a PoolTimeout; none does, and the
    ``concurrency`` keep-alive connections carry them all."""
    quiet_environment(monkeypatch)
    recorder = Recorder(slow=0.3)
    server, base = await serve(recorder)
    concurrency = 4
    config = ClientConfig(base, TOKEN, max_rate=0, concurrency=concurrency, timeout=1.0, max_attempts=1)
    async with server, WebexClient(config) as client, anyio.create_task_group() as tg:
        for _ in range(5 * concurrency):
            tg.start_soon(client.get, "/slow")
    assert client.stats.by_status == {200: 5 * concurrency}
    assert client.stats.transport_errors == 0
    assert recorder.connections == concurrency


async def test_a_burst_of_requests_enters_the_pool_one_at_a_time_and_none_goes_round_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``PoolEntry``: without it, httpcore hands one idle connection to every request of a burst and all but
    one go round the pool again (``ConnectionNotAvailable``; counted here where the pool clears it)."""
    quiet_environment(monkeypatch)
    rounds = []
    clear = httpcore_pool.AsyncPoolRequest.clear_connection

    def counted(self: httpcore_pool.AsyncPoolRequest) -> None:
        rounds.append(1)
        clear(self)

    monkeypatch.setattr(httpcore_pool.AsyncPoolRequest, "clear_connection", counted)
    server, base = await serve(Recorder())

    async def burst(client: WebexClient) -> int:
        rounds.clear()
        for _ in range(3):
            async with anyio.create_task_group() as tg:
                for _ in range(16):
                    tg.start_soon(client.get, "/people")
        return len(rounds)

    config = ClientConfig(base, TOKEN, max_rate=0, concurrency=16)
    async with server, WebexClient(config) as gated, WebexClient(config) as ungated:
        ungated._entry = PoolEntry(enabled=False)  # the control: what httpcore does by itself
        assert await burst(gated) == 0
        assert await burst(ungated) > 0
    assert gated.stats.by_status == {200: 48}


ITEMS = [{"id": f"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9{n:04d}", "displayName": f"Käyttäjä {n}"} for n in range(200)]


def gzip_app(seen: list[dict[str, str]]) -> Starlette:
    """A listing big enough for ``GZipMiddleware`` to compress whenever the client accepts gzip."""

    async def people(request: Request) -> JSONResponse:
        seen.append(dict(request.headers))
        return JSONResponse({"items": ITEMS})

    return Starlette(routes=[Route("/v1/people", people)], middleware=[Middleware(GZipMiddleware, minimum_size=500)])


async def test_a_gzip_compressed_answer_is_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    quiet_environment(monkeypatch)
    seen: list[dict[str, str]] = []
    with served(gzip_app(seen)) as base:
        async with WebexClient(ClientConfig(base, TOKEN, max_rate=0)) as client:
            answer = await client.get("/people")
        async with httpx.AsyncClient() as plain, plain.stream("GET", base + "/people", headers=seen[0]) as raw:
            compressed = b"".join([chunk async for chunk in raw.aiter_raw()])  # as the client's request got it
    assert answer == {"items": ITEMS}
    assert raw.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(compressed)) == {"items": ITEMS}
    assert len(compressed) < len(json.dumps({"items": ITEMS})) / 3


async def test_an_answer_read_whole_goes_with_its_last_reference_not_with_the_cyclic_collector() -> None:
    """httpx binds each answer's stream to the answer, a reference cycle: left so, every answer of a run, its
    request and its body waited for Python's cyclic collector (~11 MiB of them at the end of a 100,000-user run,
    more the longer the run). With the collector off, none is left once its last reference goes."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)
    with running_emulator(config) as base_url:
        async with WebexClient(ClientConfig(base_url, TOKEN, max_rate=1000)) as client:
            gc.collect()
            gc.disable()
            try:
                before = {id(o) for o in gc.get_objects() if isinstance(o, (httpx.Response, httpx.Request))}
                for _ in range(20):
                    assert "items" in await client.get("/wholesale/customers")
                left = [o for o in gc.get_objects() if isinstance(o, (httpx.Response, httpx.Request))]
                made = [o for o in left if id(o) not in before]  # other tests' may be alive (a kept exception)
            finally:
                gc.enable()
    assert made == []
