"""The sockets under the client's httpx transports: httpcore's network-backend seam, on asyncio streams.

Why: httpcore's default backend on asyncio goes through anyio — a cancel scope (``fail_after``) and an
extra event-loop checkpoint around every read and write, and TLS done in Python by anyio's ``TLSStream``.
On this kind of VM each trip through the event loop costs ~0.1 ms of CPU; asyncio's own streams (with
the loop's native TLS, uvloop's in C) measured 12-18 % less CPU per request. ``AsyncNetworkBackend`` is
httpcore's documented extension point. Under each ``httpx.AsyncHTTPTransport`` the pool (``_pool``, pinned
by the httpx version range and checked by a test) is replaced by ``SingleConnection``: the client never
sends two requests through one transport at once, so the pool's locks and shields were pure cost (~10 %).
Only for asyncio event loops (asyncio or uvloop), which is what the runner uses.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

#: Bytes waiting in the socket's send buffer above which a write waits for it to drain.
DRAIN_ABOVE = 64 * 1024


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as asyncio's reader/writer pair, with httpcore's exception types."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout(f"no answer within {timeout} s") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            if self._writer.transport.get_write_buffer_size() > DRAIN_ABOVE:
                async with asyncio.timeout(timeout):
                    await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout(f"could not send within {timeout} s") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        self._writer.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self._writer.close()
            raise httpcore.ConnectTimeout(f"TLS handshake not done within {timeout} s") from None
        except (OSError, ssl.SSLError) as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        """What httpcore asks: the TLS object (for ALPN), addresses, the socket, and whether an idle
        keep-alive connection was closed by the server (``is_readable``) before it is reused."""
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        if info == "is_readable":
            sock = self._writer.get_extra_info("socket")
            return sock is None or self._reader.at_eof() or self._writer.is_closing()
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """TCP connections through ``asyncio.open_connection`` (TCP_NODELAY is asyncio's default)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port, local_addr=local)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection to {host}:{port} within {timeout} s") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class SingleConnection:
    """Stands in for httpcore's pool under one httpx transport that never carries two requests at once (the
    client hands each transport to one request at a time): one connection, opened on demand and opened
    again when the server has closed it. The pool's bookkeeping, locks and cancellation shields cost ~10 %
    of a request's CPU and buy nothing here."""

    def __init__(self, ssl_context: ssl.SSLContext, keepalive_expiry: float | None) -> None:
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._connection: httpcore.AsyncHTTPConnection | None = None

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        for _ in range(2):
            connection = await self._usable(request)
            try:
                return await connection.handle_async_request(request)
            except httpcore.ConnectionNotAvailable:  # closed between the check and the send: nothing was sent
                await self._drop()
        raise httpcore.ConnectError("the server closed the connection twice before the request could be sent")

    async def _usable(self, request: httpcore.Request) -> httpcore.AsyncHTTPConnection:
        connection = self._connection
        if connection is not None and (connection.is_closed() or connection.has_expired()):
            await self._drop()
            connection = None
        if connection is None:
            connection = self._connection = httpcore.AsyncHTTPConnection(
                origin=request.url.origin,
                ssl_context=self._ssl_context,
                keepalive_expiry=self._keepalive_expiry,
                network_backend=BACKEND,
            )
        return connection

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.aclose()

    async def aclose(self) -> None:
        await self._drop()

    async def __aenter__(self) -> SingleConnection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


BACKEND = AsyncioBackend()


def asyncio_transport(verify: ssl.SSLContext, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """An ``httpx.AsyncHTTPTransport`` (direct, no proxy, one request at a time) whose single connection uses
    ``AsyncioBackend``."""
    transport = httpx.AsyncHTTPTransport(verify=verify, limits=limits)
    transport._pool = SingleConnection(verify, limits.keepalive_expiry)  # type: ignore[assignment]
    return transport
