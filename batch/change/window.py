"""``--window SPEC``: when a run may do its work (contract §2, *Change control*).

A spec is ``HH:MM-HH:MM ZONE`` (every day; an end before the start runs past midnight, ``22:00-05:00``) or
``Day HH:MM-Day HH:MM ZONE`` (every week, ``Sat 20:00-Sun 06:00``). The zone is an IANA name and may be
left out (then UTC). Several windows may be given: the run may work while any of them is open.

Why wall-clock times in a zone rather than UTC offsets: a change window is agreed in the customer's local
time and stays 22:00 across a daylight-saving change; each opening is computed on that day's calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from batch.errors import UsageError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(?:(?P<d1>[A-Za-z]{3})[a-z]*\s+)?(?P<t1>\d{1,2}:\d{2})\s*-\s*"
    r"(?:(?P<d2>[A-Za-z]{3})[a-z]*\s+)?(?P<t2>\d{1,2}:\d{2})(?:\s+(?P<zone>\S+))?\s*$"
)
EXAMPLE = 'e.g. --window "22:00-05:00 Europe/Helsinki" or --window "Sat 20:00-Sun 06:00 Europe/Helsinki"'


@dataclass(frozen=True, slots=True)
class Window:
    """One recurring window. ``start_day``/``end_day`` are 0 (Monday) … 6, or None for every day."""

    spec: str
    start: time
    end: time
    zone: str
    start_day: int | None = None
    end_day: int | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def _span_days(self) -> int:
        """Whole days from an opening's date to its closing's date."""
        if self.start_day is None or self.end_day is None:
            return 0 if self.end > self.start else 1
        days = (self.end_day - self.start_day) % 7
        return 7 if days == 0 and self.end <= self.start else days

    def _openings(self, around: datetime) -> Iterable[tuple[datetime, datetime]]:
        """(opens, closes) for the openings near ``around`` (a week either side covers every case)."""
        today = around.astimezone(self.tz).date()
        for offset in range(-8, 9):
            day: date = today + timedelta(days=offset)
            if self.start_day is not None and day.weekday() != self.start_day:
                continue
            opens = datetime.combine(day, self.start, self.tz)
            closes = datetime.combine(day + timedelta(days=self._span_days()), self.end, self.tz)
            yield opens, closes

    def open_until(self, now: datetime) -> datetime | None:
        """When the opening that holds ``now`` closes; None when the window is closed at ``now``. (Compared in
        UTC: two datetimes of one zone compare by wall clock, wrong across a daylight-saving change.)"""
        now = now.astimezone(UTC)
        return next((closes for opens, closes in self._openings(now) if opens <= now < closes), None)

    def next_opening(self, now: datetime) -> datetime:
        now = now.astimezone(UTC)
        return min(opens for opens, _ in self._openings(now) if opens > now)


def parse_window(spec: str) -> Window:
    """One ``--window`` value; a bad one is a ``UsageError`` (one line, exit 2) saying what is wrong."""
    match = _SPEC.match(spec)
    if match is None:
        raise UsageError(f"--window {spec!r} is not a window: {EXAMPLE}")
    d1, d2 = (_day(spec, match.group(g)) for g in ("d1", "d2"))
    if (d1 is None) != (d2 is None):
        raise UsageError(f"--window {spec!r}: give a day on both sides or on neither ({EXAMPLE})")
    start, end = _time(spec, match.group("t1")), _time(spec, match.group("t2"))
    zone = match.group("zone") or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--window {spec!r}: {zone!r} is not an IANA time zone (e.g. Europe/Helsinki)") from None
    if d1 is None and start == end:
        raise UsageError(f"--window {spec!r} opens and closes at the same time: leave --window out to run any time")
    return Window(spec.strip(), start, end, zone, d1, d2)


def _day(spec: str, name: str | None) -> int | None:
    if name is None:
        return None
    if name.casefold() not in DAYS:
        raise UsageError(f"--window {spec!r}: {name!r} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
    return DAYS.index(name.casefold())


def _time(spec: str, value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    if hours > 23 or minutes > 59:
        raise UsageError(f"--window {spec!r}: {value} is not a time of day (00:00 to 23:59)")
    return time(hours, minutes)


def open_until(windows: Sequence[Window], now: datetime) -> datetime | None:
    """The latest close among the windows open at ``now`` (None: all closed). No windows: always open is
    the caller's to decide."""
    closes = [c for w in windows if (c := w.open_until(now)) is not None]
    return max(closes) if closes else None


def closed_line(windows: Sequence[Window], now: datetime) -> str:
    """Why nothing starts now, and when it could."""
    opening = min(w.next_opening(now) for w in windows)
    specs = " or ".join(repr(w.spec) for w in windows)
    when = opening.astimezone(windows[0].tz).strftime("%a %Y-%m-%d %H:%M %Z")
    return f"outside the change window {specs}; it opens next {when}"


def closing_line(windows: Sequence[Window]) -> str:
    specs = " or ".join(repr(w.spec) for w in windows)
    return f"the change window {specs} closed"
