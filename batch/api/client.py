"""The Webex API client: the one place for auth, base URL, the global rate limit, retries and error parsing.

Every request passes the shared ``RateLimiter`` (priority by ``PRIORITY``; a 429 pauses it for everyone),
then a ``CapacityLimiter`` as wide as the httpx pool (so no request ever waits for a connection and hits a
``PoolTimeout``). Reads are retried on 429, 502/503/504, timeouts and connection errors. Writes are retried
only when the failure proves nothing happened (429, could not connect); after an ambiguous failure (502/503/
504, a timeout after sending, a dropped connection) the caller's ``reconcile()`` looks the object up first:
found ends the write, not found sends it again. Other 4xx are final at once.

The retry loop is our own small loop rather than ``stamina``: a 429's wait belongs to the limiter (all
workers), an ambiguous write needs a lookup between attempts that may end the loop with a value, and the
per-request path must stay cheap. ``stamina.set_testing(True)`` is honoured: backoff waits become zero.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anyio
import httpx
import stamina

from batch.api.adaptive import make_limiter
from batch.api.errors import check_base_url, same_origin, status_error, transport_error
from batch.api.http import Connections
from batch.api.ratelimit import PRIORITY, RateLimiter
from batch.errors import ApiError

__all__ = [
    "PRIORITY",
    "ClientConfig",
    "ClientStats",
    "RequestCount",
    "WebexClient",
    "Written",
    "check_base_url",
]

T = TypeVar("T")

#: Answers worth another try for any method (the server was overloaded or a proxy failed).
RETRY_STATUSES = frozenset({502, 503, 504})
#: Failures that prove the request never reached the server: safe to resend even a write.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Any failure without an answer that is worth another try (reads; writes only after reconciling).
NO_ANSWER = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: Longest Retry-After we honour; a bigger value is more likely a bug than a plan.
MAX_RETRY_AFTER = 300.0

for _name in ("httpx", "httpcore"):  # they log every request (URLs, at DEBUG headers); we keep our own stats
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class ClientConfig:
    """How to reach the API and how hard to push it; the token is kept out of ``repr``."""

    base_url: str
    token: str = field(repr=False)
    max_rate: float | None = None  # None: find the server's limit (batch.api.adaptive)
    concurrency: int = 16
    timeout: float = 30.0
    max_attempts: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0


@dataclass
class ClientStats:
    """What the client did, for summary.json: every request sent, retries, 429s, answers by status."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    ambiguous: int = 0
    transport_errors: int = 0
    by_status: Counter[int] = field(default_factory=Counter)


@dataclass
class RequestCount:
    """Requests sent inside one ``track()`` block (the runner reports them as a job's attempts)."""

    requests: int = 0


@dataclass(frozen=True)
class Written(Generic[T]):
    """A write's result: the answer, or ``found`` when a lookup after an ambiguous failure showed it was done.

    ``status`` is the final answer's status (for ``found``: the ambiguous failure's status, 0 when the
    connection dropped); ``attempts`` counts the write requests sent.
    """

    body: dict[str, Any] | None
    status: int
    location: str | None
    found: T | None
    attempts: int


_TRACK: contextvars.ContextVar[RequestCount | None] = contextvars.ContextVar("rtm_batch_track", default=None)


class WebexClient:
    """An async Webex API client for one base URL and token; use as ``async with WebexClient(config) as api``."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        rng: random.Random | None = None,
        observer: Callable[[int | None, str], None] | None = None,
        auth: Any = None,
    ) -> None:
        self.config = config
        #: Told every answer's status (None: no answer) and a short description; the runner's health watch.
        self.observer = observer
        #: A ``batch.api.tokens.TokenSource`` when the token can be refreshed: a 401 then refreshes once and
        #: the request is sent again with the new token (every worker waits for that one refresh).
        self.auth = auth
        self.base_url = check_base_url(config.base_url)
        self._base = httpx.URL(self.base_url + "/")
        self._prefix = self.base_url
        self.stats = ClientStats()
        self.limiter = limiter or make_limiter(config.max_rate)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._connections = Connections(
            self.base_url, config.token, concurrency=config.concurrency, timeout=config.timeout, transport=transport
        )

    def __repr__(self) -> str:
        return f"WebexClient(base_url={self.base_url!r}, max_rate={self.config.max_rate}, stats={self.stats})"

    async def __aenter__(self) -> WebexClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def set_token(self, token: str) -> None:
        """Send ``token`` from the next request on (``batch.api.tokens`` after a refresh)."""
        self._connections.set_token(token)

    async def aclose(self) -> None:
        """Close every connection (what ``async with`` does on exit)."""
        await self._connections.aclose()

    @contextlib.contextmanager
    def track(self) -> Iterator[RequestCount]:
        """Count the requests sent by this task (and tasks it starts) inside the block."""
        count = RequestCount()
        token = _TRACK.set(count)
        try:
            yield count
        finally:
            _TRACK.reset(token)

    # ------------------------------------------------------------------ reads

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET ``path`` (relative to the base URL, or an absolute URL on the same server); the JSON body."""
        response = await self._read(path, params)
        return _json(response, path) or {}

    async def get_all(
        self, path: str, params: Mapping[str, Any] | None = None, items_key: str = "items"
    ) -> list[dict[str, Any]]:
        """Every item of a paged list, following ``Link: <url>; rel="next"`` (params go on the first call only)."""
        items: list[dict[str, Any]] = []
        url: str | None = path
        while url is not None:
            response = await self._read(url, params)
            params = None
            items.extend((_json(response, url) or {}).get(items_key) or [])
            url = response.links.get("next", {}).get("url")
        return items

    async def _read(self, path: str, params: Mapping[str, Any] | None) -> httpx.Response:
        url = self._url(path)
        what = f"GET {_path_of(path)}"
        attempts = 0
        while True:
            attempts += 1
            try:
                response = await self._send("GET", url, params, None, what)
            except NO_ANSWER as exc:
                if attempts >= self.config.max_attempts:
                    raise transport_error(exc, what, attempts, ambiguous=False) from None
                await self._backoff(attempts, None)
                continue
            status = response.status_code
            if status < 400:
                return response
            if status == 429 or status in RETRY_STATUSES:
                if attempts >= self.config.max_attempts:
                    raise status_error(response, what, attempts)
                await self._after_refusal(response, attempts)
                continue
            raise status_error(response, what, attempts)

    # ----------------------------------------------------------------- writes

    async def write(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        reconcile: Callable[[], Awaitable[T | None]] | None = None,
    ) -> Written[T]:
        """POST/PUT/DELETE once in effect: resend only when nothing happened or ``reconcile()`` found nothing.

        Without ``reconcile`` (idempotent PUTs) an ambiguous failure is simply retried.
        """
        url = self._url(path)
        what = f"{method} {_path_of(path)}"
        attempts = 0
        while True:
            attempts += 1
            try:
                response = await self._send(method, url, params, json, what)
            except NOT_SENT as exc:
                if attempts >= self.config.max_attempts:
                    raise transport_error(exc, what, attempts, ambiguous=False) from None
                await self._backoff(attempts, None)
                continue
            except NO_ANSWER as exc:
                self.stats.ambiguous += 1
                found = await self._after_ambiguous(attempts, None, reconcile)
                if found is not None:
                    return Written(None, 0, None, found, attempts)
                if attempts >= self.config.max_attempts:
                    raise transport_error(exc, what, attempts, ambiguous=True) from None
                continue
            status = response.status_code
            if status < 400:
                return Written(_json(response), status, response.headers.get("location"), None, attempts)
            if status == 429:
                if attempts >= self.config.max_attempts:
                    raise status_error(response, what, attempts)
                await self._after_refusal(response, attempts)
                continue
            if status in RETRY_STATUSES:
                self.stats.ambiguous += 1
                found = await self._after_ambiguous(attempts, response, reconcile)
                if found is not None:
                    return Written(None, status, None, found, attempts)
                if attempts >= self.config.max_attempts:
                    raise status_error(response, what, attempts, ambiguous=True)
                continue
            raise status_error(response, what, attempts)

    async def _after_ambiguous(
        self,
        attempts: int,
        response: httpx.Response | None,
        reconcile: Callable[[], Awaitable[T | None]] | None,
    ) -> T | None:
        """Wait, then look the object up; the last attempt still gets its lookup (the write may have landed)."""
        if attempts < self.config.max_attempts:
            await self._backoff(attempts, response)
        if reconcile is None:
            return None
        return await reconcile()

    # ---------------------------------------------------------------- plumbing

    async def _send(
        self,
        method: str,
        url: httpx.URL | str,
        params: Mapping[str, Any] | None,
        json: Any,
        what: str,
        resent: int = 0,
    ) -> httpx.Response:
        """One request through the rate limiter and the connection budget; counts it everywhere."""
        await self.limiter.acquire()
        stats = self.stats
        stats.requests += 1
        tracked = _TRACK.get()
        if tracked is not None:
            tracked.requests += 1
        if self.auth is not None:
            await self.auth.ready(self._connections)
        try:
            response = await self._connections.send(method, url, params, json)
        except NO_ANSWER as exc:
            stats.transport_errors += 1
            if self.observer is not None:
                self.observer(None, f"{what}: {type(exc).__name__}: {_one_line(exc)}")
            raise
        except httpx.HTTPError as exc:  # a proxy refusal, an undecodable answer: no retry will fix these
            stats.transport_errors += 1
            raise ApiError(f"{what}: {type(exc).__name__}: {_one_line(exc)}") from None
        stats.by_status[response.status_code] += 1
        if self.observer is not None:
            self.observer(response.status_code, f"{what}: HTTP {response.status_code}")
        if response.status_code == 401 and self.auth is not None and resent < 2:
            await self.auth.refresh_after_401(response.request, self._connections)
            return await self._send(method, url, params, json, what, resent + 1)  # with the new token
        return response

    async def _after_refusal(self, response: httpx.Response, attempts: int) -> None:
        """A 429 pauses the whole limiter for Retry-After; a 502/503/504 backs off this request only."""
        self.stats.retries += 1
        if response.status_code == 429:
            self.stats.throttled += 1
            wait = _retry_after(response)
            self.limiter.pause(wait if wait is not None else self._backoff_seconds(attempts))
            self.limiter.slow_down()
            return
        await self._backoff(attempts, response, counted=True)

    async def _backoff(self, attempts: int, response: httpx.Response | None, *, counted: bool = False) -> None:
        """Exponential backoff with jitter before the next attempt; the server's Retry-After wins when given."""
        if not counted:
            self.stats.retries += 1
        wait = _retry_after(response) if response is not None else None
        if wait is None:
            wait = self._backoff_seconds(attempts)
        if wait > 0 and not stamina.is_testing():
            await self._sleep(wait)

    def _backoff_seconds(self, attempts: int) -> float:
        """``initial * 2**(n-1)`` capped at ``backoff_max``, half of it jittered so workers don't retry in step."""
        ceiling = min(self.config.backoff_max, self.config.backoff_initial * 2 ** (attempts - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _url(self, path: str) -> httpx.URL | str:
        """Relative paths join the base URL; absolute URLs must stay on its server (the token goes along)."""
        if path.startswith(("http://", "https://")):
            url = httpx.URL(path)
            if not same_origin(url, self._base):
                raise ApiError(f"refusing to send the token to another server: {url.scheme}://{url.host}")
            return url
        return self._prefix + (path if path.startswith("/") else "/" + path)


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None  # an HTTP-date: rare enough that our own backoff will do


def _json(response: httpx.Response, read: str | None = None) -> dict[str, Any] | None:
    """The JSON object of an answer; a read whose answer is not JSON (a proxy's HTML page) is an ApiError.

    For a write that succeeded a body we cannot parse is no reason to call it failed: ``None``.
    """
    if not response.content:
        return None
    try:
        body = response.json()
    except ValueError:
        if read is None:
            return None
        kind = response.headers.get("content-type", "no content type")
        raise ApiError(f"GET {_path_of(read)}: the answer is not JSON (HTTP {response.status_code}, {kind})") from None
    return body if isinstance(body, dict) else {"items": body}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or "no detail"


def _path_of(path: str) -> str:
    """The path for messages: no scheme, host or query string."""
    if path.startswith(("http://", "https://")):
        return httpx.URL(path).path
    return path.split("?", 1)[0]
