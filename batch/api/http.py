"""The connections under ``WebexClient``: httpx transports handed out one per request, never waited for.

Why not one ``httpx.AsyncClient``: measured on the emulator over loopback, the client layer (auth flow,
redirects, cookies, URL merging) costs about 0.25 ms CPU per request on top of the transport, and httpcore's
pool scans and polls *every* idle connection on each request. We keep httpx's transport seam (so tests hand
in ``ASGITransport`` or ``MockTransport``) and build each ``httpx.Request`` ourselves: one single-connection
``AsyncHTTPTransport`` per concurrency slot (sockets from ``batch.api.net``), taken LIFO from a free list
(callers queue when it is empty), so a request never waits inside httpcore for a connection (no
``PoolTimeout``) and touches only its own.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections import deque
from collections.abc import Mapping
from typing import Any

import anyio
import httpx

from batch.api.net import asyncio_transport


class Connections:
    """``concurrency`` connections to one server with the Authorization header on every request."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        concurrency: int,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.concurrency = max(concurrency, 1)
        self._header_items = [("Authorization", f"Bearer {token}"), ("Accept", "application/json")]
        self._headers = httpx.Headers(self._header_items)
        self._extensions = {"timeout": httpx.Timeout(timeout).as_dict()}
        if transport is not None:
            self._idle = [transport] * self.concurrency  # ASGI/Mock transports take concurrent requests
        else:
            self._idle = _transports(base_url, self.concurrency)
        self._all = tuple(dict.fromkeys(self._idle))
        self._waiting: deque[anyio.Event] = deque()

    def __repr__(self) -> str:
        return f"Connections(concurrency={self.concurrency})"

    @property
    def token(self) -> str:
        return self._headers["Authorization"].removeprefix("Bearer ")

    def set_token(self, token: str) -> None:
        """Send ``token`` from the next request on (a refreshed access token)."""
        self._header_items = [("Authorization", f"Bearer {token}"), ("Accept", "application/json")]
        self._headers = httpx.Headers(self._header_items)

    async def send(
        self,
        method: str,
        url: httpx.URL | str,
        params: Mapping[str, Any] | None,
        json: Any,
        tracking_id: str | None = None,
    ) -> httpx.Response:
        """Send one request on a free connection and read the whole answer (body included)."""
        headers = self._headers if tracking_id is None else [*self._header_items, ("TrackingID", tracking_id)]
        request = httpx.Request(method, url, params=params, json=json, headers=headers, extensions=self._extensions)
        transport = self._idle.pop() if self._idle else await self._wait_for_idle()
        try:
            response = await transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        finally:
            self._idle.append(transport)
            if self._waiting:
                self._waiting.popleft().set()
        response.request = request
        return response

    async def _wait_for_idle(self) -> httpx.AsyncBaseTransport:
        """All connections busy: wait in line. (A free one is taken without awaiting at all: on this kind of
        VM every extra trip through the event loop costs ~0.1 ms of CPU, and a CapacityLimiter makes one.)"""
        while not self._idle:
            event = anyio.Event()
            self._waiting.append(event)
            try:
                await event.wait()
            except BaseException:
                if event in self._waiting:
                    self._waiting.remove(event)
                elif self._waiting:  # woken and cancelled at once: pass the turn on
                    self._waiting.popleft().set()
                raise
        return self._idle.pop()

    async def aclose(self) -> None:
        """Close every connection."""
        for transport in self._all:
            await transport.aclose()


def _transports(base_url: str, count: int) -> list[httpx.AsyncBaseTransport]:
    """Single-connection transports sharing one TLS context (each would otherwise load the CA bundle)."""
    url = httpx.URL(base_url)
    verify: ssl.SSLContext = httpx.create_ssl_context()  # one, even for http: each transport would build its own
    proxy = _proxy_for(url)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    if proxy is None:
        return [asyncio_transport(verify, limits) for _ in range(count)]
    return [httpx.AsyncHTTPTransport(verify=verify, limits=limits, proxy=proxy) for _ in range(count)]


def _proxy_for(url: httpx.URL) -> str | None:
    """The proxy the environment names for this URL (HTTPS_PROXY, NO_PROXY), as httpx.AsyncClient would use."""
    if url.host in ("127.0.0.1", "localhost", "::1"):
        return None
    if urllib.request.proxy_bypass(url.host):
        return None
    return urllib.request.getproxies().get(url.scheme)
