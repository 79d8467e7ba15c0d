"""The run's rate over time, for report.html's chart: requests/s, 429s and the limiter's rate, sampled.

A person reading last night's report asks "did it crawl the whole time, or stall at 02:40?". The totals in
summary.json cannot say; a few hundred points can. Sampling every half second would give 57,600 points
over an eight-hour night, so the timeline keeps at most ``MAX_POINTS``: when full, neighbours are merged
pairwise and the sampling interval doubles. Memory and summary.json stay small whatever the run's length,
and the cost is one wake-up of the event loop per interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio

#: The first sampling interval in seconds (doubles each time the points fill up).
FIRST_INTERVAL = 0.5
MAX_POINTS = 240


@dataclass(frozen=True, slots=True)
class Sample:
    """What the client and limiter say at one moment: requests sent and 429s so far, the current rate."""

    requests: int
    throttled: int
    rate: float


@dataclass(frozen=True, slots=True)
class Point:
    """One interval of the timeline (seconds since the run's start): requests and 429s in it, the rate at its end."""

    start: float
    end: float
    requests: int
    throttled: int
    rate: float

    def as_list(self) -> list[float | int]:
        """``[end seconds, requests/s, 429s, rate]``, as summary.json keeps it."""
        per_second = self.requests / (self.end - self.start) if self.end > self.start else 0.0
        return [round(self.end, 2), round(per_second, 2), self.throttled, round(self.rate, 2)]


class RateTimeline:
    """Samples taken at a steady interval, folded into at most ``max_points`` points."""

    def __init__(self, *, interval: float = FIRST_INTERVAL, max_points: int = MAX_POINTS) -> None:
        self.interval = interval
        self.max_points = max(2, max_points - max_points % 2)
        self.points: list[Point] = []
        self._last = Sample(0, 0, 0.0)
        self._seconds = 0.0

    def add(self, sample: Sample, elapsed: float) -> None:
        """Record the interval of ``elapsed`` seconds that ends with ``sample``."""
        if elapsed <= 0:
            return
        start, self._seconds = self._seconds, self._seconds + elapsed
        sent = max(0, sample.requests - self._last.requests)
        throttled = max(0, sample.throttled - self._last.throttled)
        self.points.append(Point(start, self._seconds, sent, throttled, sample.rate))
        self._last = sample
        if len(self.points) >= self.max_points:
            self.points = [_merge(a, b) for a, b in zip(self.points[::2], self.points[1::2], strict=False)]
            self.interval *= 2

    def as_dict(self) -> dict[str, object]:
        """summary.json's ``timeline``: ``points`` are ``[seconds, requests/s, 429s, rate]``."""
        return {"interval_seconds": self.interval, "points": [p.as_list() for p in self.points]}

    async def sample_every(self, read: Callable[[], Sample], clock: Callable[[], float] = time.monotonic) -> None:
        """Sample ``read()`` until cancelled (a task beside the run's jobs)."""
        before = clock()
        try:
            while True:
                await anyio.sleep(self.interval)
                now = clock()
                self.add(read(), now - before)
                before = now
        finally:  # the run's last partial interval counts too
            self.add(read(), clock() - before)


def _merge(a: Point, b: Point) -> Point:
    """Two neighbouring intervals as one; the rate is the later one's."""
    return Point(a.start, b.end, a.requests + b.requests, a.throttled + b.throttled, b.rate)
