"""Operator view for tests and benchmarks: ``/_emulator/state``, ``/_emulator/stats``, ``/_emulator/reset``,
``/_emulator/requests``.

No auth, no rate limit, no faults, not counted in the stats: these routes watch the emulator, they are
not part of the API being emulated.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from batch.emulator import provisioning
from batch.emulator.http import EmulatorContext

OPERATOR_PREFIX = "/_emulator"


class Stats:
    """Request counts per route template and status, 429s, and the busiest 1-second window."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.rate_limited = 0
        self.routes: dict[str, dict[str, int]] = {}
        self.peak_per_second = 0
        self.peak_accepted_per_second = 0
        self.first_arrival: float | None = None  # monotonic seconds: a benchmark's sustained rate spans these
        self.last_arrival: float | None = None
        self._window: deque[float] = deque()
        self._accepted: deque[float] = deque()

    def arrived(self, now: float) -> None:
        """Count a request as it arrives (before rate limiting), for the peak-rate figure."""
        self.total += 1
        if self.first_arrival is None:
            self.first_arrival = now
        self.last_arrival = now
        self.peak_per_second = max(self.peak_per_second, _slide(self._window, now))

    def answered(self, route: str, status: int, now: float) -> None:
        """Count a response by route template (e.g. ``GET /v1/wholesale/customers/{customerId}``)."""
        per_route = self.routes.setdefault(route, {})
        key = str(status)
        per_route[key] = per_route.get(key, 0) + 1
        if status == 429:
            self.rate_limited += 1
        else:
            self.peak_accepted_per_second = max(self.peak_accepted_per_second, _slide(self._accepted, now))

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "rate_limited": self.rate_limited,
            "peak_per_second": self.peak_per_second,
            "peak_accepted_per_second": self.peak_accepted_per_second,
            "active_seconds": round((self.last_arrival or 0.0) - (self.first_arrival or 0.0), 3),
            "routes": self.routes,
        }


class RequestLog:
    """Every API request as the client sent it (when ``EmulatorConfig.record_requests``)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def tee(self, scope: Any, receive: Any) -> Any:
        """A ``receive`` that records the request once its body has been read by the route."""
        chunks: list[bytes] = []
        entry = {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode("latin-1"),
            "body": None,
        }
        self.entries.append(entry)

        async def receive_recorded() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    entry["body"] = b"".join(chunks).decode("utf-8", "replace") or None
            return message

        return receive_recorded


def _slide(window: deque[float], now: float) -> int:
    """Add ``now`` and return how many events fell in the last second."""
    window.append(now)
    while window and window[0] <= now - 1.0:
        window.popleft()
    return len(window)


def routes(
    ctx: EmulatorContext, stats: Stats, on_reset: Callable[[], None], log: RequestLog | None = None
) -> list[BaseRoute]:
    """The operator routes; ``on_reset`` also resets what the middleware keeps (bucket, fault RNG)."""

    async def state(request: Request) -> JSONResponse:
        provisioning.settle(ctx.state, ctx.clock())
        return JSONResponse(ctx.state.snapshot())

    async def stats_view(request: Request) -> JSONResponse:
        return JSONResponse(stats.as_dict())

    async def requests(request: Request) -> JSONResponse:
        return JSONResponse(log.entries if log is not None else [])

    async def reset(request: Request) -> JSONResponse:
        ctx.state.reset()
        stats.reset()
        if log is not None:
            log.entries.clear()
        on_reset()
        return JSONResponse({"reset": True})

    return [
        Route(f"{OPERATOR_PREFIX}/state", state, methods=["GET"]),
        Route(f"{OPERATOR_PREFIX}/stats", stats_view, methods=["GET"]),
        Route(f"{OPERATOR_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{OPERATOR_PREFIX}/requests", requests, methods=["GET"]),
    ]
