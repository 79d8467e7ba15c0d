"""The h11 transport under the client (``batch.api.net``): TLS, timeouts, refused connections, keep-alive
and its end (closed while idle, ``Connection: close``, a cancelled exchange), a server that hangs up without
an answer, and requests encoded byte for byte as httpx would encode them."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator

import anyio
import httpx
import pytest
import trustme
from hypothesis import given, settings
from hypothesis import strategies as st

from batch.api.client import ClientConfig, WebexClient
from batch.api.http import Connections, encode_json
from batch.api.net import Http11Transport
from batch.emulator import EmulatorConfig, running_emulator

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


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


async def test_the_client_speaks_https_through_the_asyncio_backend(ca: trustme.CA, tls_emulator: str) -> None:
    assert tls_emulator.startswith("https://")
    transport = Http11Transport(trusting(ca))
    async with WebexClient(ClientConfig(tls_emulator, TOKEN, max_rate=1000), transport=transport) as client:
        body = {
            "provisioningId": "cHJvdmlzaW9uaW5n",
            "packages": ["webex_meetings"],
            "externalId": "TLS-1",
            "address": {"addressLine1": "Katu 1", "city": "Helsinki", "country": "FI"},
            "customerInfo": {"name": "Salattu Oy", "primaryEmail": "admin@salattu.fi"},
        }
        written = await client.write("POST", "/wholesale/customers", json=body)
        assert written.status == 202
        found = await client.get_all("/wholesale/customers", {"externalId": "TLS-1"})
        assert [c["externalId"] for c in found] == ["TLS-1"]


async def test_a_certificate_the_client_does_not_trust_is_refused(tls_emulator: str) -> None:
    async with httpx.AsyncClient(transport=Http11Transport(httpx.create_ssl_context())) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(tls_emulator + "/wholesale/customers")


async def test_a_silent_server_is_a_read_timeout_and_a_closed_port_a_connect_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(5)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(transport=Http11Transport(httpx.create_ssl_context())) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(f"http://127.0.0.1:{port}/", timeout=0.2)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(transport=Http11Transport(httpx.create_ssl_context())) as client:
            await client.get(f"http://127.0.0.1:{port}/")  # the server is gone: nothing listens there


async def test_a_keep_alive_connection_closed_by_the_server_while_idle_is_not_reused() -> None:
    """Servers drop idle keep-alive connections; the next request must open a new one, not fail (for a
    POST a failure there would be an ambiguous write)."""
    connections = []

    async def answer_once_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()  # the idle-timeout of the server

    server = await asyncio.start_server(answer_once_then_close, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(transport=Http11Transport(httpx.create_ssl_context())) as client:
        assert (await client.post(f"http://127.0.0.1:{port}/a", json={})).text == "ok"
        await asyncio.sleep(0.2)
        assert (await client.post(f"http://127.0.0.1:{port}/b", json={})).text == "ok"
    assert len(connections) == 2


class Recorder:
    """A tiny HTTP/1.1 server: answers each request with its own target, counts connections; ``/close``
    answers with ``Connection: close``, ``/slow`` waits a second, ``/hangup`` closes without an answer."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                target = head.split(b" ")[1]
                if target == b"/hangup":
                    break
                if target == b"/slow":
                    await asyncio.sleep(1)
                close = target == b"/close"
                extra = b"Connection: close\r\n" if close else b""
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(target), extra, target))
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


async def serve(recorder: Recorder) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(recorder, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_one_connection_carries_many_requests_until_the_server_says_close() -> None:
    recorder = Recorder()
    server, base = await serve(recorder)
    async with server, httpx.AsyncClient(transport=Http11Transport(httpx.create_ssl_context())) as client:
        assert [(await client.get(f"{base}/{n}")).text for n in "ab"] == ["/a", "/b"]
        assert recorder.connections == 1
        assert (await client.get(f"{base}/close")).text == "/close"
        assert (await client.post(f"{base}/c", json={"x": 1})).text == "/c"
    assert recorder.connections == 2
    assert recorder.requests[-1].endswith(b'\r\n\r\n{"x":1}')  # head and body, nothing lost in between


async def test_a_server_that_hangs_up_without_an_answer_is_a_remote_protocol_error() -> None:
    """The client's retry rules count this as "no answer" (a write is then reconciled, never blindly resent)."""
    server, base = await serve(Recorder())
    async with server, httpx.AsyncClient(transport=Http11Transport(httpx.create_ssl_context())) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(f"{base}/hangup", json={})


async def test_a_cancelled_request_leaves_no_answer_behind_for_the_next_one() -> None:
    """A run stopped mid-request: the connection may still receive the old answer, so it is closed; the next
    request opens a new one and reads its own answer."""
    recorder = Recorder()
    server, base = await serve(recorder)
    async with server, httpx.AsyncClient(transport=Http11Transport(httpx.create_ssl_context())) as client:
        with anyio.move_on_after(0.2):
            await client.get(f"{base}/slow")
        assert (await client.get(f"{base}/after")).text == "/after"
    assert recorder.connections == 2


async def test_one_transport_refuses_a_second_request_at_the_same_time() -> None:
    server, base = await serve(Recorder())
    transport = Http11Transport(httpx.create_ssl_context())
    async with server, httpx.AsyncClient(transport=transport) as client, anyio.create_task_group() as tg:
        tg.start_soon(client.get, f"{base}/slow")
        await anyio.sleep(0.1)
        with pytest.raises(RuntimeError, match="one request at a time"):
            await client.get(f"{base}/x")


BASE = "https://webexapis.example:8443/v1"
PARAM_VALUES = st.one_of(
    st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.lists(st.text(max_size=6), max_size=3)
)


@settings(max_examples=300, deadline=None)
@given(
    path=st.one_of(
        st.sampled_from(["/people", "/wholesale/customers", "/telephony/config/locations/Y2lz/numbers", ""]),
        st.text(alphabet=st.characters(blacklist_characters="#", blacklist_categories=("Cs", "Cc")), max_size=20).map(
            lambda t: "/" + t
        ),
    ),
    params=st.one_of(st.none(), st.dictionaries(st.text(min_size=1, max_size=8), PARAM_VALUES, max_size=4)),
    body=st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=8), st.integers()))),
)
def test_requests_are_encoded_byte_for_byte_as_httpx_encodes_them(
    path: str, params: dict | None, body: dict | None
) -> None:
    """Our own transport takes the target and body as ``Connections`` encodes them; any difference from what
    httpx would send (a query value, a quoted path, a JSON body) would be a different request to Webex."""
    connections = Connections(BASE, TOKEN, concurrency=1, timeout=5)
    expected = httpx.Request("POST", BASE + path, params=params, json=body)
    request = connections._request("POST", connections._target(BASE + path, params), [], b"")
    assert request.url.raw_path == expected.url.raw_path
    assert connections._target(BASE + path, params) == expected.url.raw_path
    if body is not None:
        assert encode_json(body) == expected.content
