"""A server that keeps failing stops the run (contract §2): it must never grind through every row.

Each answer (or missing answer) of the last ``WINDOW_SECONDS`` is kept; when at least ``MINIMUM`` of them
are there and most got no answer or a 5xx, the run is stopped the way a signal stops it (exit 3, resumable),
naming the base URL and the last error. A 429 is not a failure: throttling is the rate's business.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
MINIMUM = 20


class ServerHealth:
    """Watches every request's outcome (``WebexClient.observer``) and calls ``on_failing(reason)`` once."""

    def __init__(
        self,
        base_url: str,
        on_failing: Callable[[str], None],
        *,
        window: float = WINDOW_SECONDS,
        minimum: int = MINIMUM,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url
        self._on_failing = on_failing
        self._window = window
        self._minimum = minimum
        self._clock = clock
        self._seen: deque[tuple[float, bool]] = deque()
        self._bad = 0
        self._last_error = ""
        self.failing = False

    def __call__(self, status: int | None, detail: str) -> None:
        now = self._clock()
        bad = status is None or status >= 500
        self._seen.append((now, bad))
        if bad:
            self._bad += 1
            self._last_error = detail
        horizon = now - self._window
        while self._seen and self._seen[0][0] < horizon:
            self._bad -= self._seen.popleft()[1]
        total = len(self._seen)
        if not self.failing and total >= self._minimum and self._bad * 2 > total:
            self.failing = True
            self._on_failing(
                f"the server {self.base_url} keeps failing: {self._bad} of the last {total} requests "
                f"({self._window:g} s) got no answer or a 5xx; last error: {self._last_error}"
            )
