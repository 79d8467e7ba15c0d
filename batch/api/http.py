"""The connections under ``WebexClient``: transports handed out one per request, never waited for.

Why not one ``httpx.AsyncClient``: measured on the emulator over loopback, the client layer (auth flow,
redirects, cookies, URL merging) costs about 0.25 ms CPU per request on top of the transport, and httpcore's
pool scans and polls *every* idle connection on each request. One single-connection transport per
concurrency slot (``batch.api.net``), taken LIFO from a free list (callers queue when it is empty), so a
request never waits inside a pool for a connection (no ``PoolTimeout``) and touches only its own.

The request target, headers and JSON body are encoded here once, byte for byte as httpx would. Our own
transport takes them as they are: building and parsing an ``httpx.Request`` cost ~70 µs of CPU a call,
7 % of a call's budget. Any other transport (``MockTransport``, ``ASGITransport`` in tests, httpx's own
behind a proxy) gets an ``httpx.Request`` made from the same bytes.
"""

from __future__ import annotations

import json as jsonlib
import re
import ssl
import urllib.request
from collections import deque
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx

from batch.api.net import Http11Transport, Origin

ACCEPT = (b"Accept", b"application/json")
JSON_TYPE = (b"Content-Type", b"application/json")
NO_CONTENT = (b"Content-Length", b"0")
#: Methods that carry a Content-Length even without a body (as httpx sends them).
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: A path httpx would send exactly as written (RFC 3986 unreserved, sub-delims, ":", "@", "/"; no query).
PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~/:@!$&'()*+,;=]*")


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
        url = httpx.URL(base_url)
        self._origin = Origin.of(url)
        self._origin_text = f"{url.scheme}://{url.netloc.decode('ascii')}"
        self._base_url = base_url
        self._base_path = url.raw_path.decode("ascii").rstrip("/")
        self._host = url.netloc
        self._timeouts = httpx.Timeout(timeout).as_dict()
        self._extensions = {"timeout": self._timeouts}
        self.set_token(token)
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
        return self._token

    def set_token(self, token: str) -> None:
        """Send ``token`` from the next request on (a refreshed access token)."""
        self._token = token
        self._head = [(b"Host", self._host), (b"Authorization", f"Bearer {token}".encode()), ACCEPT]

    async def send(
        self,
        method: str,
        url: httpx.URL | str,
        params: Mapping[str, Any] | None,
        json: Any,
        tracking_id: str | None = None,
    ) -> httpx.Response:
        """Send one request on a free connection and read the whole answer (body included)."""
        target = self._target(url, params)
        body = b"" if json is None else encode_json(json)
        headers = self._head if tracking_id is None else [*self._head, (b"TrackingID", tracking_id.encode())]
        if body:
            headers = [*headers, JSON_TYPE, (b"Content-Length", str(len(body)).encode())]
        elif method in BODY_METHODS:
            headers = [*headers, NO_CONTENT]
        transport = self._idle.pop() if self._idle else await self._wait_for_idle()
        try:
            if type(transport) is Http11Transport:  # our sockets: no httpx.Request to build (~70 µs of CPU)
                response = await transport.exchange(
                    self._origin, method.encode(), target, headers, body, self._timeouts
                )
                if response.status_code >= 400:  # error readers and the 401 refresh look at the request
                    response.request = self._request(method, target, headers, body)
                return response
            request = self._request(method, target, headers, body)
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

    def _target(self, url: httpx.URL | str, params: Mapping[str, Any] | None) -> bytes:
        """The request target (path and query) of ``url`` with ``params`` added, as httpx would make it.

        A path under the base URL of plain characters (all the client makes) is joined here; anything else
        (an absolute next-page link, a path that needs quoting or has a query) goes through ``httpx.URL``."""
        if isinstance(url, str) and url.startswith(self._base_url):
            path = self._base_path + url[len(self._base_url) :]
            if PLAIN_PATH.fullmatch(path):
                return (f"{path}?{encode_query(params)}" if params else path).encode("ascii")
            url = self._origin_text + path
        return (httpx.URL(url) if params is None else httpx.URL(url, params=params)).raw_path  # as httpx.Request

    def _request(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> httpx.Request:
        url = self._origin_text + target.decode("ascii")
        return httpx.Request(method, url, headers=headers, content=body or None, extensions=self._extensions)

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


def encode_json(value: Any) -> bytes:
    """A JSON body byte for byte as httpx's ``json=`` makes it."""
    return jsonlib.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def encode_query(params: Mapping[str, Any]) -> str:
    """A query string as httpx's ``params=`` makes it: sequences repeat the key, True is ``true``, None empty."""
    items = []
    for key, value in params.items():
        for one in value if isinstance(value, (list, tuple)) else (value,):
            items.append((key, "true" if one is True else "false" if one is False else "" if one is None else str(one)))
    return urlencode(items)


def _transports(base_url: str, count: int) -> list[httpx.AsyncBaseTransport]:
    """Single-connection transports sharing one TLS context (each would otherwise load the CA bundle)."""
    url = httpx.URL(base_url)
    verify: ssl.SSLContext = httpx.create_ssl_context()  # one, even for http: each transport would build its own
    proxy = _proxy_for(url)
    if proxy is None:
        return [Http11Transport(verify, httpx.Limits().keepalive_expiry) for _ in range(count)]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return [httpx.AsyncHTTPTransport(verify=verify, limits=limits, proxy=proxy) for _ in range(count)]


def _proxy_for(url: httpx.URL) -> str | None:
    """The proxy the environment names for this URL (HTTPS_PROXY, NO_PROXY), as httpx.AsyncClient would use."""
    if url.host in ("127.0.0.1", "localhost", "::1"):
        return None
    if urllib.request.proxy_bypass(url.host):
        return None
    return urllib.request.getproxies().get(url.scheme)
