"""One request rate for the whole client: GCRA spacing, waiters served by priority, a global pause for 429s.

Why our own limiter: the server's budget is shared by every worker, so a ``429 Retry-After`` must hold back
*all* of them (a pause on the limiter), and the runner wants parents' requests served before children's
(``PRIORITY``). A slot is reserved per request at ``1/rate`` spacing (virtual scheduling: ``tat`` is the
theoretical arrival time of the next request), so requests leave evenly instead of in bursts that a server
token bucket would answer with 429. Clock and sleep are injected so tests run without real waiting.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import math
import time
from collections.abc import Awaitable, Callable

import anyio

#: Priority of the requests made by the current task (set by the runner per job); lower is served first.
PRIORITY: contextvars.ContextVar[int] = contextvars.ContextVar("rtm_batch_priority", default=0)


#: Seconds of lateness a waiter may catch up on; covers timer and scheduling jitter so a late wake-up does
#: not lose its slot (with no tolerance at all, 200 req/s measured 175 req/s on asyncio).
CATCH_UP_SECONDS = 0.05

#: AIMD on 429s, because Webex publishes no limits and a partner cannot know the right ``--max-rate``: a 429
#: that follows another within RECENT_429_SECONDS (at most once per ADJUST_SECONDS) multiplies the rate by
#: SLOW_DOWN; every ADJUST_SECONDS without one adds SPEED_UP × max_rate back, never above max_rate.
SLOW_DOWN = 0.85
SPEED_UP = 0.05
ADJUST_SECONDS = 1.0
RECENT_429_SECONDS = 5.0
MIN_RATE = 0.5


def default_burst(rate: float) -> int:
    """Requests allowed back to back: enough to cover ``CATCH_UP_SECONDS`` of timer lateness, at least 2."""
    return max(2, round(rate * CATCH_UP_SECONDS)) if rate > 0 else 1


class _Waiter:
    """One queued acquire; ordered by (priority, arrival) so the heap pops the most urgent, FIFO among equals."""

    __slots__ = ("granted", "priority", "seq", "wake")

    def __init__(self, priority: int, seq: int) -> None:
        self.priority = priority
        self.seq = seq
        self.wake = anyio.Event()
        self.granted = False  # set by the head that found this waiter's slot already due

    def __lt__(self, other: _Waiter) -> bool:
        return (self.priority, self.seq) < (other.priority, other.seq)


class RateLimiter:
    """At most ``rate`` acquisitions per second (``rate <= 0``: unlimited), ``burst`` of them back to back.

    Only the head of the queue sleeps (until its slot or the end of a pause); the others wait on an event and
    are woken one at a time as the head leaves, so the order is decided at the moment a slot is free. The
    ``burst`` tolerance is what lets a late wake-up catch up instead of losing its slot.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.max_rate = rate
        self._burst = max(burst, 1)
        self._set_rate(rate)
        self._changed = float("-inf")  # when the rate last went down or up (AIMD below)
        self._last_429 = float("-inf")
        self._clock = clock
        self._sleep = sleep
        self._tat = 0.0  # theoretical arrival time of the next request
        self._paused_until = 0.0
        self._queue: list[_Waiter] = []
        self._seq = itertools.count()
        self._closed: Callable[[], BaseException] | None = None  # set by close(): the error acquirers get
        self._sleeping: set[anyio.CancelScope] = set()  # the head's sleep (and own waits), for close() to end
        self.best_ok = 0.0  # the highest rate achieved over a window without a 429 (``highest_ok_rate``)
        self._window: tuple[float, float] | None = None  # (first grant, last grant) of the current window
        self._window_grants = 0  # grants after the window's first
        self._window_429 = False
        # Grants whose requests have not left yet (``sent()``): at most ``_cap`` of them once a sender counts
        # them (``count_sends``); None: a grant is taken as sent.
        self._unsent = 0
        self._cap: int | None = None

    def _set_rate(self, rate: float) -> None:
        self.rate = rate
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.tolerance = self.interval * (self._burst - 1)

    def slow_down(self) -> None:
        """429s say the server's limit is below our rate: go ``SLOW_DOWN`` times slower. A lone 429 is timing
        jitter at the limit (the pause is enough); a second within ``RECENT_429_SECONDS`` is a real excess.
        At most once per ``ADJUST_SECONDS``, as requests in flight bring their own 429s for the same excess."""
        now = self._clock()
        self._window_429 = True
        recent, self._last_429 = now - self._last_429 <= RECENT_429_SECONDS, now
        if not recent or self.rate <= 0 or now - self._changed < ADJUST_SECONDS:
            return
        self._set_rate(max(MIN_RATE, self.rate * SLOW_DOWN))
        self._changed = now

    def _recover(self, now: float) -> None:
        """Creep back towards ``max_rate`` while no 429 comes (additive increase of AIMD)."""
        if now - self._changed >= ADJUST_SECONDS:
            self._set_rate(min(self.max_rate, self.rate + self.max_rate * SPEED_UP))
            self._changed = now

    @property
    def paused_until(self) -> float:
        """Clock time before which nothing is granted (0.0 when never paused)."""
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Hold every acquirer for ``seconds`` from now (a 429's Retry-After); never shortens a longer pause."""
        until = self._clock() + seconds
        if until > self._paused_until:
            self._paused_until = until
            # After the pause requests resume at the rate, not in one burst into a server bucket still empty.
            self._tat = max(self._tat, until + self.tolerance)

    def close(self, error: Callable[[], BaseException]) -> None:
        """From now on every acquire raises ``error()``, also those already waiting (woken at once), so a stopped
        run sends nothing more. Why here and not a cancel scope per acquire in the caller: only the queue's head
        sleeps, so waking the queue costs nothing per request (a scope per acquire was ~2 % of the run's CPU)."""
        if self._closed is None:
            self._closed = error
        for waiter in self._queue:
            waiter.wake.set()
        for scope in list(self._sleeping):
            scope.cancel()

    async def _sleep_unless_closed(self, seconds: float) -> None:
        """``sleep(seconds)``, ended early by ``close()``."""
        with anyio.CancelScope() as scope:
            self._sleeping.add(scope)
            try:
                await self._sleep(seconds)
            finally:
                self._sleeping.discard(scope)

    async def acquire(self) -> None:
        """Wait for this request's slot; lower ``PRIORITY`` first, FIFO within a priority."""
        if self._closed is not None:
            raise self._closed()
        now = self._clock()
        if self.rate < self.max_rate:
            self._recover(now)
        if self._due(now) and not self._queue:
            self._take_slot(now)
            self._granted_slot(now)
            return
        waiter = _Waiter(PRIORITY.get(), next(self._seq))
        heapq.heappush(self._queue, waiter)
        try:
            await self._wait_turn(waiter)
        except BaseException:
            if waiter.granted:  # granted, then cancelled or closed before it resumed: it will never be sent
                self.sent()
            self._remove(waiter)
            raise

    async def _wait_turn(self, waiter: _Waiter) -> None:
        while True:
            if self._closed is not None:
                raise self._closed()
            if waiter.granted:
                self._granted_slot(self._clock())  # in its own task: the adaptive limiter notes what it sends
                return
            if self._queue[0] is not waiter:
                if waiter.wake.is_set():  # a fresh event only after a wake-up: not two per queued request
                    waiter.wake = anyio.Event()
                await waiter.wake.wait()
                continue
            if self._cap is not None and self._unsent >= self._cap:  # granted ones wait to leave: sent() wakes us
                if waiter.wake.is_set():
                    waiter.wake = anyio.Event()
                await waiter.wake.wait()
                continue
            now = self._clock()
            wait = max(self._paused_until - now, self._tat - self.tolerance - now)
            if wait > 0:
                # Half the tolerance past the first free slot: a few waiters go per wake-up, still on the GCRA
                # schedule (each wake-up of an idle event loop costs ~0.1-0.2 ms CPU here; 1.4 -> 0.9 ms/request).
                await self._sleep_unless_closed(wait + self.tolerance * 0.5)
                continue
            heapq.heappop(self._queue)
            self._take_slot(now)
            self._granted_slot(now)
            self._grant_due(now)
            if self._queue:
                self._queue[0].wake.set()
            return

    def _due(self, now: float) -> bool:
        """A slot is free now: no pause, the schedule within the burst tolerance, fewer than ``burst`` granted
        requests still waiting to leave."""
        return (
            now >= self._paused_until
            and self._tat - now <= self.tolerance
            and (self._cap is None or self._unsent < self._cap)
        )

    def _take_slot(self, now: float) -> None:
        """The next slot on the schedule is taken; its request counts as not sent yet (when sends are counted)."""
        self._tat = max(self._tat, now) + self.interval
        self._unsent += self._cap is not None

    def count_sends(self) -> None:
        """From now on every grant is followed by ``sent()`` (``WebexClient`` does): at most ``burst`` grants
        wait to leave at any time."""
        self._cap = self._burst

    @property
    def unsent(self) -> int:
        """Grants whose requests have not left yet (0 unless sends are counted, ``count_sends``)."""
        return self._unsent

    def grant_spent(self) -> Callable[[], None]:
        """``sent`` for the grant just returned, callable any number of times (once it counts)."""
        spent = False

        def sent() -> None:
            nonlocal spent
            if not spent:
                spent = True
                self.sent()

        return sent

    def sent(self) -> None:
        """The request of one grant has left (or never will). Why: a grant is not a send. When the event loop
        is busy for tens of milliseconds (a listing wakes every job that waited on it), requests granted on
        schedule leave only after it, together with the catch-up grants: a burst past the server's bucket,
        answered 429 (``make bench-sync``). Capping the grants not yet sent at ``burst`` bounds that burst."""
        self._unsent = max(0, self._unsent - 1)
        if self._queue:
            self._queue[0].wake.set()

    def _grant_due(self, now: float) -> None:
        """Grant, in this one turn, every further waiter whose slot is already due (within the burst tolerance).
        Why: waking them one per event-loop turn let a busy loop (httpx's heavier requests) fall behind the
        schedule, so the run ran a few per cent under the server's limit."""
        while self._queue and self._due(now):
            waiter = heapq.heappop(self._queue)
            self._take_slot(now)
            waiter.granted = True
            waiter.wake.set()

    def _granted_slot(self, now: float) -> None:
        """A request got its slot: count it towards the achieved rate (``batch.api.adaptive`` overrides this to
        watch how its budget is used)."""
        if self._window is None:
            self._window, self._window_grants, self._window_429 = (now, now), 0, False
            return
        self._window = (self._window[0], now)
        self._window_grants += 1
        if now - self._window[0] >= ADJUST_SECONDS:
            self._close_window()
            self._window = None

    def _close_window(self) -> None:
        if self._window is None or self._window_429 or self._window_grants == 0:
            return
        first, last = self._window
        achieved = self._window_grants / (last - first) if last > first else math.inf  # a burst: the rate, below
        if self.rate > 0:
            achieved = min(self.rate, achieved)
        if math.isfinite(achieved):
            self.best_ok = max(self.best_ok, achieved)

    def highest_ok_rate(self) -> float:
        """summary.json's ``highest_rate_without_429`` for a fixed ``--max-rate``: the highest rate the run
        achieved (requests per second between grants, over windows of ``ADJUST_SECONDS``, the last one however
        short) in a window that drew no 429, never above the rate in effect. So a run that held its
        ``--max-rate`` without a 429 says that rate; one that could not use it (few rows, a slow server) says
        what it reached, since a rate nobody used proves nothing about the server; a run whose every window
        drew 429s says 0.0 (nothing is known to be safe). Unlimited (rate 0): what it reached."""
        self._close_window()
        return self.best_ok

    def _remove(self, waiter: _Waiter) -> None:
        """A cancelled waiter leaves the queue; if it was the head, the next one takes over."""
        if waiter not in self._queue:
            return
        was_head = self._queue[0] is waiter
        self._queue.remove(waiter)
        heapq.heapify(self._queue)
        if was_head and self._queue:
            self._queue[0].wake.set()
