"""The one ``httpx.AsyncClient`` of a run: every request ``WebexClient`` sends, the token refresh included.

Why one client on httpx's own transport, as httpx means it to be used: with ``trust_env`` it reads
``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (and ``SSL_CERT_FILE``) from the environment
for every request it sends; it asks for compressed answers and decodes them; it keeps a keep-alive pool.
A second path for some requests (a hand-written transport, a client of its own for the refresh) loses
those silently: a partner behind a corporate proxy would see some requests go direct. What it costs in CPU
does not lengthen a run: the server's rate limit does (``make bench-client`` shows the share of a core).

The pool is ``concurrency`` connections wide and ``WebexClient`` lets no more than that many requests in
at once, so a request never waits inside the pool (no ``PoolTimeout``); ``PoolEntry`` lets them into it one
at a time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from importlib import metadata
from typing import Any

import anyio
import httpx

import batch
from batch.api.config import ClientConfig
from batch.api.tracking import Tracker


def version() -> str:
    """The installed distribution's version (what Webex support reads beside the TrackingID)."""
    try:
        return metadata.version("rtm-batch")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return batch.__version__


USER_AGENT = f"rtm-batch/{version()}"
#: Sent with every request; httpx adds ``Accept-Encoding: gzip, deflate`` (and decodes what comes back).
HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/json"}


def http_client(
    config: ClientConfig,
    *,
    auth: httpx.Auth,
    tracker: Tracker,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The run's client. ``transport`` is for tests (``MockTransport``, ``ASGITransport``); httpx then reads
    no proxy from the environment, since the transport is the whole way to the server."""
    slots = max(config.concurrency, 1)
    return httpx.AsyncClient(
        auth=auth,
        headers=HEADERS,
        timeout=httpx.Timeout(config.timeout),
        limits=httpx.Limits(max_connections=slots, max_keepalive_connections=slots),
        transport=transport,
        trust_env=True,
        event_hooks={"request": [tracker.on_request], "response": [tracker.on_response]},
    )


class PoolEntry:
    """Lets one request at a time into the pool, until it holds its connection.

    Why: httpcore (1.0.9) hands an idle connection to every request that enters the pool before the first of
    them has started on it; all but one then fail with ``ConnectionNotAvailable`` and go round again, and
    every round scans every pooled connection, polling the idle ones (encode/httpcore#1035, still open).
    The rate limiter's catch-up lets several requests go within a few event-loop turns, so this happened
    2-4 times per request at 200 requests/s: a third of a core, and sends bunched enough to draw 429s
    (``make bench-run``). The gate opens at the first call of the request's ``trace`` extension (httpx's
    documented request extension): httpcore makes it once the request's connection is its own (connecting,
    or marked busy and sending), so the next request finds another one. A transport given for tests
    (``MockTransport``, ``ASGITransport``) has no pool and calls no trace: there is no gate then.
    """

    def __init__(self, *, enabled: bool) -> None:
        self._lock = anyio.Lock(fast_acquire=True) if enabled else None

    @contextlib.asynccontextmanager
    async def entering(self, left: Callable[[], None] = lambda: None) -> AsyncIterator[dict[str, Any]]:
        """The request's extensions while the block sends it; the gate is open again at the latest when the
        block ends (a failure, a cancellation). ``left`` is called when the request leaves: at the gate's
        opening (the rate limiter counts the grants not yet sent), at once when there is no gate."""
        lock = self._lock
        if lock is None:
            left()
            yield {}
            return
        await lock.acquire()
        holding = True

        async def trace(event: str, info: dict[str, Any]) -> None:
            nonlocal holding
            if holding:
                holding = False
                lock.release()
                left()

        try:
            yield {"trace": trace}
        finally:
            if holding:
                lock.release()
                left()


#: The stream of an answer read whole and closed (nothing reads it again: ``Response.content`` holds the body).
_READ = httpx.ByteStream(b"")


def unbound(response: httpx.Response) -> httpx.Response:
    """``response`` without the stream httpx bound to it. Why: httpx 0.28 wraps every answer's stream in one that
    points back at the answer (to set ``elapsed`` when it closes), so every answer, its request and its body
    wait for Python's cyclic collector instead of going when the last reference does: at the end of a
    100,000-user run ~11 MiB of answers were garbage not yet collected, more the longer the run (encode/httpx
    #3733). The answer is read and closed when ``request`` returns, ``elapsed`` set."""
    if response.is_closed:
        response.stream = _READ
    return response
