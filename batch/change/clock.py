"""The one place a change-control decision reads the time (house style 7: time is injectable).

Why not ``datetime.now`` at each use: a window that closes at 05:00 or a cut-over at 22:00 must be
testable without waiting for 05:00; a test hands the run a clock that says it is 04:59:59.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import monotonic

#: ``now()`` → an aware datetime.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ShiftedClock:
    """Real time, moved to start at ``start``: the run's seconds still pass, so a window can close during a
    run in a test, seconds after it started, instead of hours."""

    start: datetime
    origin: float

    @classmethod
    def at(cls, start: datetime) -> ShiftedClock:
        return cls(start, monotonic())

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=monotonic() - self.origin)
