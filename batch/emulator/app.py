"""The emulator's ASGI app: routes plus the cross-cutting behaviour of the real API as one middleware.

The middleware is plain ASGI (no BaseHTTPMiddleware) because it runs on every request and the emulator
must never be the bottleneck of a client benchmark. Order per request: tracking id → auth (401) →
token bucket (429 + Retry-After) → latency → settle async provisioning → faults on writes.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from batch.emulator import locations, messages, operator, org, provisioning, telephony, wholesale
from batch.emulator import persist as persist_state
from batch.emulator.config import EmulatorConfig
from batch.emulator.http import TRACKING_ID, ApiProblem, EmulatorContext, error_body, new_tracking_id
from batch.emulator.tokens import PATH as TOKEN_PATH
from batch.emulator.tokens import TokenAuthority
from batch.emulator.tokens import routes as token_routes

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
#: Path prefix → the API family (scope) it needs, for ``EmulatorConfig.denied_scopes``; most specific first.
SCOPE_PREFIXES = (
    ("/v1/wholesale/customers", "wholesale_customers"),
    ("/v1/wholesale/subscribers", "wholesale_subscribers"),
    ("/v1/locations", "locations"),
    ("/v1/telephony/pstn", "telephony_pstn"),
    ("/v1/telephony/config", "telephony_config"),
    ("/v1/people", "people"),
    ("/v1/roles", "roles"),
)
UNAUTHORIZED = "The request requires a valid access token set in the Authorization request header."


class DroppedConnection(Exception):
    """Raised after a committed write to make the server cut the connection (a lost response)."""


class TokenBucket:
    """Global limiter: ``burst`` tokens, refilled at ``rate`` per second; ``rate <= 0`` never limits."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(max(burst, 1))
        self.reset()

    def reset(self) -> None:
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def take(self, now: float) -> float:
        """0.0 when a token was taken, else the seconds until one is free."""
        if self.rate <= 0:
            return 0.0
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class EmulatorMiddleware:
    """Tracking id, auth, rate limit, latency, settle and seeded faults around every API request."""

    def __init__(
        self,
        app: ASGIApp,
        ctx: EmulatorContext,
        stats: operator.Stats,
        bucket: TokenBucket,
        faults: random.Random,
        routes: list[BaseRoute],
        log: operator.RequestLog | None = None,
        tokens: TokenAuthority | None = None,
        persist: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.log = log
        self.routes = routes
        self.ctx = ctx
        self.stats = stats
        self.bucket = bucket
        self.faults = faults
        self.auth = f"Bearer {ctx.config.token}".encode()
        self.tokens = tokens
        self.persist = persist
        self.latency = ctx.config.latency_ms / 1000.0
        self.injected_errors = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Webex keeps a client's own TrackingID (wxc_sdk sends one, §10.11); else it makes one up.
        sent = next((v for k, v in scope["headers"] if k == b"trackingid"), None)
        tracking_id = sent.decode("latin-1") if sent else new_tracking_id()
        TRACKING_ID.set(tracking_id)
        header = (b"trackingid", tracking_id.encode())
        if scope["path"].startswith((operator.OPERATOR_PREFIX, *messages.OWN_AUTH)):  # no auth, limit or faults
            await self.app(scope, receive, _with_header(send, header))
            return
        now = time.monotonic()
        self.stats.arrived(now)
        if self.log is not None:
            receive = self.log.tee(scope, receive)
        method = scope["method"]

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
                self.stats.answered(f"{method} {self._template(scope)}", message["status"], time.monotonic())
            await send(message)

        refusal = self._refusal(scope, now)
        if refusal is not None:
            await refusal(scope, receive, send_counted)
            return
        if self.latency > 0:
            await anyio.sleep(self.latency)
        config = self.ctx.config
        if config.slow_rate and self.faults.random() < config.slow_rate:
            await anyio.sleep(config.slow_seconds)  # an answer slower than the client waits for
        provisioning.settle(self.ctx.state, self.ctx.clock())
        if method in WRITE_METHODS:
            # With --state-file the write is saved before its answer leaves: what a client saw done survives
            # even a SIGKILL of the emulator.
            saving = send_counted if self.persist is None else _saved(send_counted, self.persist)
            await self._write(scope, receive, saving)
        else:
            await self.app(scope, receive, send_counted)

    def _refusal(self, scope: Scope, now: float) -> JSONResponse | None:
        """401 for a wrong token, 429 when the bucket is empty; None lets the request through."""
        if scope["path"] == TOKEN_PATH:  # the OAuth endpoint takes client credentials, not a bearer token
            return None
        auth = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        if auth != self.auth and (self.tokens is None or not self.tokens.valid(auth)):
            return JSONResponse(error_body(UNAUTHORIZED), status_code=401)
        if self.ctx.config.denied_scopes:
            path = scope["path"]
            family = next((f for prefix, f in SCOPE_PREFIXES if path.startswith(prefix)), None)
            if family in self.ctx.config.denied_scopes:
                message = f"The access token is missing the required scope spark-admin:{family}_read."
                return JSONResponse(error_body(message), status_code=403)
        storm = self.ctx.config.storm_every
        if storm > 0 and now % storm < self.ctx.config.storm_seconds:
            wait = self.ctx.config.storm_seconds - now % storm
        else:
            wait = self.bucket.take(now)
        if wait > 0:
            told = self.ctx.config.retry_after  # 0 is sent as 0: Webex does (§11.8)
            retry_after = str(told if told is not None else max(1, math.ceil(wait)))
            if values := self.ctx.config.retry_after_values:  # messy values as Webex sends them (§11.8)
                retry_after = values[self.stats.rate_limited % len(values)]
            body = error_body(f"Too many requests; retry after {retry_after or 'a while'}.")
            headers = {"Retry-After": retry_after} if retry_after else None
            return JSONResponse(body, status_code=429, headers=headers)
        return None

    def _template(self, scope: Scope) -> str:
        return _template(scope, self.routes)

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Seeded faults: 503 before the write, or the write commits and its response is lost."""
        config = self.ctx.config
        draw = self.faults.random()
        if draw < config.error_rate:
            status = config.error_statuses[self.injected_errors % len(config.error_statuses)]
            self.injected_errors += 1
            await _transient(status)(scope, receive, send)
            return
        if draw < config.error_rate + config.lost_response_rate:
            await self.app(scope, receive, _swallow)
            if self.faults.random() < 0.5:
                await JSONResponse(error_body("Bad Gateway"), status_code=502)(scope, receive, send)
                return
            # Headers out, then no body: the server closes the connection mid-response.
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
            raise DroppedConnection("lost response injected by the emulator")
        await self.app(scope, receive, send)


#: Transient refusals the injected faults answer with (§11.21: 423 and 504 are listed on every operation).
TRANSIENT = {
    503: ("Service Unavailable: the service is temporarily overloaded; try again.", {"Retry-After": "1"}),
    423: ("Locked: the requested resource is temporarily unavailable.", {"Retry-After": "1"}),
    504: ("Gateway Timeout: an upstream server failed to respond on time.", {}),
    502: ("Bad Gateway", {}),
}


def _transient(status: int) -> JSONResponse:
    message, headers = TRANSIENT.get(status, (f"Transient failure {status}", {}))
    return JSONResponse(error_body(message), status_code=status, headers=headers or None)


async def _swallow(message: Message) -> None:
    """The committed write's real response, never delivered."""


def _saved(send: Send, persist: Callable[[], None]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            persist()
        await send(message)

    return wrapped


def _with_header(send: Send, header: tuple[bytes, bytes]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), header]
        await send(message)

    return wrapped


def _template(scope: Scope, routes: list[BaseRoute]) -> str:
    """The route template of a request (path params put back as ``{name}``), matched if the router did not."""
    path: str = scope["path"]
    if not scope.get("endpoint"):
        for route in routes:
            match, child = route.matches(scope)
            if match != Match.NONE:
                scope = {**scope, **child}
                break
        else:
            return "(unmatched)"
    params: dict[str, Any] = scope.get("path_params") or {}
    if not params:
        return path
    parts = path.split("/")
    names = {str(v): k for k, v in params.items()}
    return "/".join(f"{{{names[p]}}}" if p in names else p for p in parts)


class _DropFilter(logging.Filter):
    """Keep uvicorn from printing a traceback for every injected dropped connection."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def _quiet_dropped_connections() -> None:
    for name in ("uvicorn.error", "uvicorn"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropFilter) for f in logger.filters):
            logger.addFilter(_DropFilter())


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A fresh emulator (own state, stats, bucket, fault RNG) for ``config``."""
    config = config or EmulatorConfig()
    ctx = EmulatorContext(config)
    stats = operator.Stats()
    bucket = TokenBucket(config.rate, config.burst)
    faults = random.Random(config.seed)
    log = operator.RequestLog() if config.record_requests else None
    tokens = TokenAuthority(ctx)
    persist = None
    if config.state_file:
        state_path = Path(config.state_file)
        persist_state.load(ctx.state, state_path, ctx.clock())

        def persist() -> None:
            persist_state.save(ctx.state, state_path, ctx.clock())

    def on_reset() -> None:
        bucket.reset()
        faults.seed(config.seed)

    async def problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiProblem)
        return ctx.error(exc.status, exc.message, exc.error_code)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        messages = {404: "The requested resource could not be found.", 405: "Method not allowed."}
        headers = dict(exc.headers) if exc.headers else None
        return ctx.error(exc.status_code, messages.get(exc.status_code, str(exc.detail)), headers=headers)

    async def crash(request: Request, exc: Exception) -> JSONResponse:
        return ctx.error(500, f"Internal server error: {type(exc).__name__}")

    _quiet_dropped_connections()
    route_list = [
        *wholesale.routes(ctx),
        *locations.routes(ctx),
        *telephony.routes(ctx),
        *org.routes(ctx),
        *operator.routes(ctx, stats, on_reset, log),
        *token_routes(tokens),
        *messages.routes(ctx),
    ]
    app = Starlette(
        routes=route_list,
        middleware=[
            Middleware(
                EmulatorMiddleware,
                ctx=ctx,
                stats=stats,
                bucket=bucket,
                faults=faults,
                routes=route_list,
                log=log,
                tokens=tokens,
                persist=persist,
            )
        ],
        exception_handlers={ApiProblem: problem, HTTPException: http_error, Exception: crash},
    )
    app.state.ctx = ctx
    app.state.stats = stats
    app.state.tokens = tokens
    return app
