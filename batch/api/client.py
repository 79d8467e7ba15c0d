"""The Webex API client: the one place for auth, base URL, the global rate limit, retries and error parsing.

Every request passes the shared ``RateLimiter`` (priority by ``PRIORITY``; a 429 pauses it for everyone),
then a semaphore as wide as the pool of the run's one ``httpx.AsyncClient`` (``batch.api.http``), so no
request ever waits for a connection and hits a ``PoolTimeout``. The token is that client's ``httpx.Auth``
(``batch.api.auth``, ``batch.api.tokens``); TrackingID and counting are its event hooks
(``batch.api.tracking``). Reads are retried on 429, 502/503/504, timeouts and connection errors. Writes are
retried only when the failure proves nothing happened (429, could not connect); after an ambiguous failure
(502/503/504, a timeout after sending, a dropped connection) the caller's ``reconcile()`` looks the object
up first: found ends the write, not found sends it again (after a lost answer it looks for about two
minutes, since Webex lists lag behind creates). Other 4xx are final at once, except an org-scoped 403: a
new customer org answers 403 until ``GET /organizations/{orgId}``, so the client asks for the org and
retries once. Throttling (429, 423) is not a failed attempt: it has a time budget (30 minutes) instead.
Every request carries ``TrackingID: RTMBATCH_<run id>_<n>`` (webex-api.md §10).

The retry loop is our own small loop rather than ``stamina``: a 429's wait belongs to the limiter (all
workers), an ambiguous write needs a lookup between attempts that may end the loop with a value, and the
per-request path must stay cheap. ``stamina.set_testing(True)`` is honoured: backoff waits become zero.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from functools import partial
from typing import Any, TypeVar

import anyio
import httpx
import stamina

from batch.api.adaptive import make_limiter
from batch.api.answers import UNTOLD_RETRY_AFTER, on_behalf
from batch.api.answers import json_of as _json
from batch.api.answers import one_line as _one_line
from batch.api.answers import org_of as _org_of
from batch.api.answers import path_of as _path_of
from batch.api.answers import retry_after as _retry_after
from batch.api.auth import Credentials, StaticToken
from batch.api.config import ClientConfig
from batch.api.errors import check_base_url, same_origin, status_error, transport_error, wrong_protocol
from batch.api.http import PoolEntry, http_client, unbound
from batch.api.paging import can_shrink, collect
from batch.api.ratelimit import PRIORITY, RateLimiter
from batch.api.records import ClientStats, RequestCount, Written
from batch.api.tracking import Observer, Tracker
from batch.errors import ApiError, AuthError

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
#: Throttling: wait as told and try again; not a failed attempt (webex-api.md §10.9).
THROTTLED = frozenset({429, 423})
#: Failures that prove the request never reached the server: safe to resend even a write.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Any failure without an answer that is worth another try (reads; writes only after reconciling).
NO_ANSWER = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: Waits between look-ups after a lost answer to a create (§10.8: lists lag behind writes): ~2 minutes.
LOOKUP_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 30.0, 30.0)
#: Statuses of an answer that was lost on the way (a proxy gave up), unlike 503: look up patiently.
LOST_STATUSES = frozenset({502, 504})
HANDSHAKE_FAILED = "the partner cannot manage this customer's organization yet"

for _name in ("httpx", "httpcore"):  # they log every request (URLs, at DEBUG headers); we keep our own stats
    logging.getLogger(_name).setLevel(logging.WARNING)


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
        clock: Callable[[], float] = time.monotonic,
        observer: Observer | None = None,
        auth: Credentials | None = None,
    ) -> None:
        self.config = config
        self.base_url = check_base_url(config.base_url)
        self._base = httpx.URL(self.base_url + "/")
        self._prefix = self.base_url
        self.stats = ClientStats()
        self.limiter = limiter or make_limiter(config.max_rate)
        self.limiter.count_sends()  # _send tells it when each granted request leaves
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        self._page_sizes: dict[str, int] = {}  # list kind → the ``max`` a 504 made it shrink to (§11.9)
        #: ``config.token`` as it is, or a ``batch.api.tokens.TokenSource`` when the token can be refreshed: a
        #: 401 then refreshes once and httpx sends the request again (every worker waits for that one refresh).
        self.auth = auth if auth is not None else StaticToken(config.token)
        #: Numbers and counts every request httpx sends; tells ``observer`` (the runner's health watch) each answer.
        self.tracker = Tracker(config.run_id, self._base.path, self.stats, observer)
        self.http = http_client(config, auth=self.auth, tracker=self.tracker, transport=transport)
        self._slots = anyio.Semaphore(max(config.concurrency, 1), fast_acquire=True)
        self._entry = PoolEntry(enabled=transport is None)

    def __repr__(self) -> str:
        return f"WebexClient(base_url={self.base_url!r}, max_rate={self.config.max_rate}, stats={self.stats})"

    async def __aenter__(self) -> WebexClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def sign_in(self) -> None:
        """The first access token where it must be fetched (a refresh token): a refusal is an ``AuthError``
        before any job (exit 2). Nothing to do for a token given as it is."""
        await self.auth.start(self.http)

    async def aclose(self) -> None:
        """Close every connection (what ``async with`` does on exit)."""
        await self.http.aclose()

    @contextlib.contextmanager
    def track(self) -> Iterator[RequestCount]:
        """Count the requests sent by this task (and tasks it starts) inside the block."""
        with self.tracker.track() as count:
            yield count

    # ------------------------------------------------------------------ reads

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET ``path`` (relative to the base URL, or an absolute URL on the same server); the JSON body."""
        response = await self._read(path, self._scoped(path, params))
        return _json(response, path) or {}

    async def get_all(
        self, path: str, params: Mapping[str, Any] | None = None, items_key: str = "items"
    ) -> list[dict[str, Any]]:
        """Every item of a paged list, as ``batch.api.paging`` reads it (webex-api.md §10.5, §10.6, §11.9): a page
        that times out (504) comes back to it, to be asked for with a smaller ``max``, kept for later lists."""
        wanted = self._scoped(path, params) or {}
        return await collect(partial(self._read, shrinkable=True), path, wanted, items_key, self._page_sizes)

    async def manage_org(self, org_id: str) -> dict[str, Any]:
        """``GET /organizations/{orgId}``: puts a new customer org in the partner's managed list (§10.1)."""
        return await self.get(f"/organizations/{org_id}")

    async def _read(self, path: str, params: Mapping[str, Any] | None, *, shrinkable: bool = False) -> httpx.Response:
        url = self._url(path)
        what = f"GET {_path_of(path)}"
        attempts = 0
        throttled_since: float | None = None
        throttles = 0  # throttled answers are not failed attempts
        handshake = False
        while True:
            attempts += 1
            try:
                response = await self._send("GET", url, params, None, what)
            except NO_ANSWER as exc:
                if attempts - throttles >= self.config.max_attempts:
                    raise transport_error(exc, what, attempts, ambiguous=False) from None
                await self._backoff(attempts - throttles, None)
                continue
            status = response.status_code
            if status < 400:
                return response
            if status in THROTTLED:
                throttled_since = await self._throttled(response, what, attempts, throttled_since)
                throttles += 1
                continue
            if status in RETRY_STATUSES:
                if status == 504 and shrinkable and can_shrink(url, params):
                    self.stats.retries += 1
                    return response
                if attempts - throttles >= self.config.max_attempts:
                    raise status_error(response, what, attempts)
                await self._after_refusal(response, attempts - throttles)
                continue
            if status == 403 and not handshake and (org_id := _org_of(url, params)):
                handshake = True
                await self._handshake(org_id, response, what, attempts)
                continue
            raise self._final(response, what, attempts, handshake)

    # ----------------------------------------------------------------- writes

    async def write(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        reconcile: Callable[[], Awaitable[T | None]] | None = None,
        patient: bool = False,
    ) -> Written[T]:
        """POST/PUT/DELETE once in effect: resend only when nothing happened or ``reconcile()`` found nothing.

        Without ``reconcile`` (idempotent PUTs) an ambiguous failure is simply retried. After a lost answer
        (no answer, 502, 504; with ``patient`` any ambiguous failure) ``reconcile`` is tried for about two
        minutes with growing waits before the write is sent again: lists lag behind creates (§10.8).
        """
        url = self._url(path)
        params = self._scoped(path, params)
        what = f"{method} {_path_of(path)}"
        attempts = 0
        throttled_since: float | None = None
        throttles = 0  # throttled answers are not failed attempts
        handshake = False
        while True:
            attempts += 1
            try:
                response = await self._send(method, url, params, json, what)
            except NOT_SENT as exc:
                if attempts - throttles >= self.config.max_attempts:
                    raise transport_error(exc, what, attempts, ambiguous=False) from None
                await self._backoff(attempts - throttles, None)
                continue
            except NO_ANSWER as exc:
                self.stats.ambiguous += 1
                found = await self._after_ambiguous(attempts - throttles, None, reconcile, lost=True)
                if found is not None:
                    return Written(None, 0, None, found, attempts)
                if attempts - throttles >= self.config.max_attempts:
                    raise transport_error(exc, what, attempts, ambiguous=True) from None
                continue
            status = response.status_code
            if status < 400:
                return Written(_json(response), status, response.headers.get("location"), None, attempts)
            if status in THROTTLED:
                throttled_since = await self._throttled(response, what, attempts, throttled_since)
                throttles += 1
                continue
            if status in RETRY_STATUSES:
                self.stats.ambiguous += 1
                lost = patient or status in LOST_STATUSES
                found = await self._after_ambiguous(attempts - throttles, response, reconcile, lost=lost)
                if found is not None:
                    return Written(None, status, None, found, attempts)
                if attempts - throttles >= self.config.max_attempts:
                    raise status_error(response, what, attempts, ambiguous=True)
                continue
            if status == 403 and not handshake and (org_id := _org_of(url, params)):
                handshake = True
                await self._handshake(org_id, response, what, attempts)
                continue
            raise self._final(response, what, attempts, handshake)

    async def _after_ambiguous(
        self,
        attempts: int,
        response: httpx.Response | None,
        reconcile: Callable[[], Awaitable[T | None]] | None,
        *,
        lost: bool = False,
    ) -> T | None:
        """Wait, then look the object up; the last attempt still gets its lookup (the write may have landed).

        ``lost``: keep looking (``LOOKUP_WAITS``, ~2 minutes) before saying it is not there.
        """
        if reconcile is None:
            if attempts < self.config.max_attempts:
                await self._backoff(attempts, response)
            return None
        if not lost:
            if attempts < self.config.max_attempts:
                await self._backoff(attempts, response)
            return await reconcile()
        self.stats.retries += 1
        for wait in LOOKUP_WAITS:
            await self._pause(wait)
            found = await reconcile()
            if found is not None:
                return found
        return None

    async def look_patiently(self, find: Callable[[], Awaitable[T | None]]) -> T | None:
        """``find()`` now, then again after each of ``LOOKUP_WAITS`` (~2 minutes) until it finds something:
        an object Webex has just made (a POST accepted it, provisioning made it, a 409 says it is there) may not
        be listed yet (§10.8). None when it never shows."""
        found = await find()
        for wait in LOOKUP_WAITS:
            if found is not None:
                return found
            await self._pause(wait)
            found = await find()
        return found

    async def _pause(self, seconds: float) -> None:
        """A wait between look-ups, through the injected sleep; none under ``stamina.set_testing``."""
        if not stamina.is_testing():
            await self._sleep(seconds)

    async def _throttled(self, response: httpx.Response, what: str, attempts: int, since: float | None) -> float:
        """429/423: wait as told and try again, until the request has been held back ``throttle_budget``."""
        now = self._clock()
        since = now if since is None else since
        if now - since >= self.config.throttle_budget:
            minutes = round(self.config.throttle_budget / 60)
            raise status_error(response, f"{what} (throttled for {minutes} minutes)", attempts)
        if response.status_code == 423:  # the resource is busy, not the server: only this request waits
            self.stats.retries += 1
            await self._backoff(attempts, response, counted=True)
        else:
            await self._after_refusal(response, attempts)
        return since

    async def _handshake(self, org_id: str, response: httpx.Response, what: str, attempts: int) -> None:
        """An org-scoped 403: ask for the org (which makes the partner manage it) and let the caller retry once."""
        self.stats.retries += 1
        try:
            await self.manage_org(org_id)
        except ApiError as exc:
            if isinstance(exc, AuthError):
                raise
            raise self._final(response, what, attempts, True) from None

    @staticmethod
    def _final(response: httpx.Response, what: str, attempts: int, handshake: bool) -> ApiError:
        if handshake and response.status_code == 403:
            return status_error(response, f"{what}: {HANDSHAKE_FAILED}", attempts)
        return status_error(response, what, attempts)

    def _scoped(self, path: str, params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """Params plus ``onBehalfOfSubPartnerOrgId`` for a wholesale call when acting for a sub-partner (§11.10)."""
        sub = self.config.sub_partner_org_id
        if not sub or not on_behalf(path, self._base.path):
            return params
        return {**(params or {}), "onBehalfOfSubPartnerOrgId": sub}

    # ---------------------------------------------------------------- plumbing

    async def _send(
        self, method: str, url: httpx.URL | str, params: Mapping[str, Any] | None, json: Any, what: str
    ) -> httpx.Response:
        """One request through the rate limiter, the connection budget and the pool's entry; the answer read
        whole. httpx does the rest: the token (and its refresh on a 401), TrackingID and counting (event hooks).
        """
        await self.limiter.acquire()
        sent = self.limiter.grant_spent()  # told when the request leaves: the limiter caps grants not yet sent
        try:
            async with self._slots, self._entry.entering(sent) as extensions:
                return unbound(await self.http.request(method, url, params=params, json=json, extensions=extensions))
        except NO_ANSWER as exc:
            if (wrong := wrong_protocol(exc, url)) is not None:  # https:// to an http server: no retry helps
                raise wrong from None
            self.tracker.no_answer(what, exc)
            raise
        except httpx.HTTPError as exc:  # a proxy refusal, an undecodable answer: no retry will fix these
            self.stats.transport_errors += 1
            raise ApiError(f"{what}: {type(exc).__name__}: {_one_line(exc)}") from None
        finally:
            sent()

    async def _after_refusal(self, response: httpx.Response, attempts: int) -> None:
        """A 429 pauses the whole limiter for Retry-After; a 502/503/504 backs off this request only."""
        self.stats.retries += 1
        if response.status_code == 429:
            self.stats.throttled += 1
            wait = _retry_after(response)  # never below a second: "0" must not make the pool hammer (§11.8)
            self.limiter.pause(wait if wait is not None else max(UNTOLD_RETRY_AFTER, self._backoff_seconds(attempts)))
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
        ceiling = min(self.config.backoff_max, self.config.backoff_initial * 2.0 ** (attempts - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _url(self, path: str) -> httpx.URL | str:
        """Relative paths join the base URL; absolute URLs must stay on its server (the token goes along)."""
        if path.startswith(("http://", "https://")):
            url = httpx.URL(path)
            if not same_origin(url, self._base):
                raise ApiError(f"refusing to send the token to another server: {url.scheme}://{url.host}")
            return url
        return self._prefix + (path if path.startswith("/") else "/" + path)
