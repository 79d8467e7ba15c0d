"""What every HTTP request of a run carries and counts: its ``TrackingID``, the client's stats, the observer.

Kept as httpx event hooks (``event_hooks={"request": [...], "response": [...]}``) so that the requests httpx
sends on its own are tracked and counted like the others: a resend after a token refresh (the auth flow) and
the refresh itself. A request that gets no answer never reaches the response hook; ``WebexClient`` reports
those to ``Tracker.no_answer``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

import httpx

from batch.api.answers import one_line
from batch.api.records import ClientStats, RequestCount

#: Told every answer's status (None: no answer) and what it was (empty below 400); the runner's health watch.
Observer = Callable[[int | None, str], None]

_TRACK: contextvars.ContextVar[RequestCount | None] = contextvars.ContextVar("rtm_batch_track", default=None)


class Tracker:
    """Numbers each request ``RTMBATCH_<run id>_<n>`` (webex-api.md §10.11) and counts it everywhere."""

    def __init__(self, run_id: str, base_path: str, stats: ClientStats, observer: Observer | None) -> None:
        self.stats = stats
        self.observer = observer
        self._prefix = f"RTMBATCH_{run_id}_"
        self._base_path = base_path.rstrip("/")

    @contextlib.contextmanager
    def track(self) -> Iterator[RequestCount]:
        """Count the requests sent by this task (and tasks it starts) inside the block."""
        count = RequestCount()
        token = _TRACK.set(count)
        try:
            yield count
        finally:
            _TRACK.reset(token)

    async def on_request(self, request: httpx.Request) -> None:
        """httpx's request hook: a TrackingID of its own for every request sent (a resend gets a new one)."""
        stats = self.stats
        stats.requests += 1
        tracking_id = self._prefix + str(stats.requests)
        request.headers["TrackingID"] = tracking_id
        tracked = _TRACK.get()
        if tracked is not None:
            tracked.requests += 1
            tracked.tracking_id = tracking_id

    async def on_response(self, response: httpx.Response) -> None:
        """httpx's response hook: the status counted, and told to the observer (a description only for an
        error, where someone reads it)."""
        status = response.status_code
        self.stats.by_status[status] += 1
        if self.observer is not None:
            self.observer(status, f"{self.what(response.request)}: HTTP {status}" if status >= 400 else "")

    def no_answer(self, what: str, exc: Exception) -> None:
        """A request that got no answer at all (timeout, refused or dropped connection)."""
        self.stats.transport_errors += 1
        if self.observer is not None:
            self.observer(None, f"{what}: {type(exc).__name__}: {one_line(exc)}")

    def what(self, request: httpx.Request) -> str:
        """``GET /wholesale/customers``: method and path below the base URL, as messages name a request."""
        path = request.url.path
        if self._base_path and path.startswith(self._base_path + "/"):
            path = path[len(self._base_path) :]
        return f"{request.method} {path}"
