"""The asyncio network backend under the client's transports: TLS, timeouts, refused connections, and a
keep-alive connection the server closed while it was idle."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpcore
import httpx
import pytest
import trustme

from batch.api.client import ClientConfig, WebexClient
from batch.api.net import asyncio_transport
from batch.emulator import EmulatorConfig, running_emulator

pytestmark = pytest.mark.anyio
TOKEN = "tls-token"
LIMITS = httpx.Limits(max_connections=1, max_keepalive_connections=1)


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
    transport = asyncio_transport(trusting(ca), LIMITS)
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
    async with httpx.AsyncClient(transport=asyncio_transport(httpx.create_ssl_context(), LIMITS)) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(tls_emulator + "/wholesale/customers")


async def test_a_silent_server_is_a_read_timeout_and_a_closed_port_a_connect_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(5)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(transport=asyncio_transport(httpx.create_ssl_context(), LIMITS)) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(f"http://127.0.0.1:{port}/", timeout=0.2)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(transport=asyncio_transport(httpx.create_ssl_context(), LIMITS)) as client:
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
    async with server, httpx.AsyncClient(transport=asyncio_transport(httpx.create_ssl_context(), LIMITS)) as client:
        assert (await client.post(f"http://127.0.0.1:{port}/a", json={})).text == "ok"
        await asyncio.sleep(0.2)
        assert (await client.post(f"http://127.0.0.1:{port}/b", json={})).text == "ok"
    assert len(connections) == 2


def test_httpx_still_keeps_its_connection_pool_where_asyncio_transport_replaces_it() -> None:
    """``asyncio_transport`` swaps ``AsyncHTTPTransport._pool``; an httpx that moves it must fail here."""
    transport = httpx.AsyncHTTPTransport()
    assert isinstance(transport._pool, httpcore.AsyncConnectionPool)
    assert "_pool" in Path(httpx.__file__).with_name("_transports").joinpath("default.py").read_text()
