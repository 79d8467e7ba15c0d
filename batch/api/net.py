"""The sockets under the client's transports: one keep-alive HTTP/1.1 connection each, spoken with h11 over
asyncio streams.

Why not httpx's ``AsyncHTTPTransport``: under it httpcore takes three anyio locks per request, and an
uncontended anyio ``Lock`` still yields to the event loop once; the answer's body then climbs a chain of
four async byte streams. On this kind of VM every trip through the event loop costs ~0.1 ms of CPU, and the
client never sends two requests through one transport at once, so none of that buys anything (measured
with ``make bench-run``: the figures are in the commit that brought this module). h11 — httpcore's own
HTTP/1.1 engine — still speaks the protocol; this module moves bytes, sends a request's head and body in
one write, and maps failures onto httpx's exception types, which the client's retry rules are written
against. TLS is the event loop's own (uvloop's is in C).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import h11
import httpx

#: Bytes waiting in the socket's send buffer above which a write waits for it to drain.
DRAIN_ABOVE = 64 * 1024
READ_SIZE = 64 * 1024
Header = tuple[bytes, bytes]
Timeouts = Mapping[str, float | None]


class Origin(NamedTuple):
    """Where a connection goes: ``https``, ``webexapis.com``, ``443``."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: httpx.URL) -> Origin:
        return cls(url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))


class Http11Transport(httpx.AsyncBaseTransport):
    """One connection, opened on demand and opened again when the server has closed it or it sat idle past
    ``keepalive_expiry``. One request at a time: the caller (``batch.api.http``) hands each transport to a
    single request."""

    def __init__(self, ssl_context: ssl.SSLContext, keepalive_expiry: float | None = 5.0) -> None:
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._connection: _Connection | None = None
        self._busy = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """httpx's transport seam, for ``httpx.AsyncClient(transport=...)``."""
        body = await request.aread()
        timeouts = request.extensions.get("timeout") or {}
        url = request.url
        response = await self.exchange(
            Origin.of(url), request.method.encode(), url.raw_path, request.headers.raw, body, timeouts
        )
        response.request = request
        return response

    async def exchange(
        self, origin: Origin, method: bytes, target: bytes, headers: Sequence[Header], body: bytes, timeouts: Timeouts
    ) -> httpx.Response:
        """Send one request (``headers`` must hold ``Host``) and read its whole answer."""
        if self._busy:  # two requests interleaved on one socket would read each other's answers
            raise RuntimeError("Http11Transport carries one request at a time")
        self._busy = True
        try:
            connection = await self._connection_to(origin, timeouts.get("connect"))
            try:
                answer = await connection.exchange(method, target, headers, body, timeouts)
            except BaseException:  # a failure or a cancellation mid-exchange leaves the connection unusable
                self._connection = None
                connection.close()
                raise
        finally:
            self._busy = False
        if not connection.keeps_alive():
            self._connection = None
            connection.close()
        status, reason, raw_headers, content = answer
        extensions = {"http_version": b"HTTP/1.1", "reason_phrase": reason}
        return httpx.Response(status, headers=raw_headers, content=content, extensions=extensions)

    async def _connection_to(self, origin: Origin, timeout: float | None) -> _Connection:
        connection = self._connection
        if connection is not None and not connection.reusable_for(origin, self._keepalive_expiry):
            self._connection = None
            connection.close()
            connection = None
        if connection is None:
            connection = self._connection = await _Connection.open(origin, self._ssl_context, timeout)
        return connection

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


class _Connection:
    """One socket and its h11 state machine."""

    def __init__(self, origin: Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.origin = origin
        self._reader = reader
        self._writer = writer
        self._h11 = h11.Connection(h11.CLIENT)
        self._idle_since = time.monotonic()

    @classmethod
    async def open(cls, origin: Origin, ssl_context: ssl.SSLContext, timeout: float | None) -> _Connection:
        """TCP (TCP_NODELAY is asyncio's default), with TLS for https."""
        tls = ssl_context if origin.scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    origin.host, origin.port, ssl=tls, server_hostname=origin.host if tls else None
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {origin.host}:{origin.port} within {timeout} s") from None
        except OSError as exc:  # ssl.SSLError (an untrusted certificate) is one
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return cls(origin, reader, writer)

    def reusable_for(self, origin: Origin, keepalive_expiry: float | None) -> bool:
        """Same server, still open (an idle keep-alive connection the server closed has seen its EOF by now:
        the event loop reads every open socket), and not idle past ``keepalive_expiry``."""
        if origin != self.origin or self._reader.at_eof() or self._writer.is_closing():
            return False
        return keepalive_expiry is None or time.monotonic() - self._idle_since < keepalive_expiry

    def keeps_alive(self) -> bool:
        """After a whole exchange: ready for the next request unless either side said ``Connection: close``."""
        h = self._h11
        if h.our_state is h11.DONE and h.their_state is h11.DONE:
            h.start_next_cycle()
            self._idle_since = time.monotonic()
            return True
        return False

    async def exchange(
        self, method: bytes, target: bytes, headers: Sequence[Header], body: bytes, timeouts: Timeouts
    ) -> tuple[int, bytes, list[Header], bytes]:
        h = self._h11
        try:
            data = h.send(h11.Request(method=method, target=target, headers=list(headers)))
            if body:
                data += h.send(h11.Data(data=body))
            data += h.send(h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc
        await self._write(data, timeouts.get("write"))
        response: h11.Response | None = None
        parts: list[bytes] = []
        read_timeout = timeouts.get("read")
        try:
            while True:
                event = h.next_event()
                kind = type(event)
                if event is h11.NEED_DATA:
                    h.receive_data(await self._read(read_timeout))
                elif kind is h11.Response:
                    response = event  # type: ignore[assignment]
                elif kind is h11.Data:
                    parts.append(event.data)  # type: ignore[union-attr]
                elif kind is h11.EndOfMessage:
                    break
                elif kind is h11.ConnectionClosed:
                    raise httpx.RemoteProtocolError("the server closed the connection without an answer")
                # h11.InformationalResponse (1xx): the real answer follows
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc) or "the server's answer is not valid HTTP") from exc
        assert response is not None  # h11 yields EndOfMessage only after a Response
        return response.status_code, response.reason, response.headers.raw_items(), b"".join(parts)

    async def _write(self, data: bytes, timeout: float | None) -> None:
        writer = self._writer
        try:
            writer.write(data)
            if writer.transport.get_write_buffer_size() > DRAIN_ABOVE:
                async with asyncio.timeout(timeout):
                    await writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout(f"could not send within {timeout} s") from None
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc

    async def _read(self, timeout: float | None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(READ_SIZE)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within {timeout} s") from None
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc

    def close(self) -> None:
        self._writer.close()
