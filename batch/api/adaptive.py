"""Finding the server's rate limit while the run goes: Webex publishes none, and a partner cannot know it.

The run starts at ``START_RATE`` and, as long as no 429 comes and the workers actually use the budget (a
rate nobody uses proves nothing about the server), multiplies it by ``SLOW_START`` every ``TICK`` seconds:
fast at first, so a server that allows 300/s is found in seconds. The first 429 ends that phase: the
server's burst hides an excess for a tick or so, so only the rate two steps back is surely below the limit;
the rate drops there, and ``hi`` (the upper mark) is the step between. From then on the rate halves its
gap to ``NEAR`` × ``hi`` per tick and above that probes by ``PROBE`` per tick, a step that grows by
``PROBE_GROWTH`` each quiet tick; a later 429 sets ``hi`` to the rate its request left at and cuts the
rate to ``BACK_OFF`` × ``hi``.

``Retry-After`` is always honoured by the request that drew it (it sends again no earlier). Every worker
pauses for it when the server means it (a wait above ``SHARED_PAUSE_SECONDS``), or when requests sent at
the rate of the last cut still draw 429s: the cut was not enough. A first 429 at the limit does not stop the
pool: against a token bucket the cut rate alone lets it refill, and a pool-wide pause of a rounded-up
``Retry-After: 1`` cost a second of work per 429. All figures count ticks of the injected clock.
"""

from __future__ import annotations

import contextvars
import math
import time
from collections.abc import Awaitable, Callable

import anyio

from batch.api.ratelimit import MIN_RATE, RateLimiter, default_burst

START_RATE = 10.0
TICK = 0.5
SLOW_START = 2.0
NEAR = 0.9
PROBE = 1.01
#: Each quiet tick of probing past the last 429's rate grows the probe step by this (1 %, 1.25 %, 1.56 %, …):
#: a limit far above it (the 429 came from a burst of other traffic) is found again in seconds, not minutes.
#: Below that rate the step stays ``PROBE``: the server's burst hides an excess for a while, and a fast probe
#: would be far past the limit by the time the 429 comes.
PROBE_GROWTH = 1.25
#: After the slow start the mark is a guess (the limit lies anywhere up to the 429's rate): probe steps grow
#: faster, up to ``MAX_PROBE`` per tick, until a 429 gives a mark that was measured.
SOFT_GROWTH = 1.5
MAX_PROBE = 1.25
BACK_OFF = 0.85
#: A tick counts as "the budget was used" when this share of its slots was taken (a queue alone is not
#: enough: a client short of CPU would raise a rate it never reaches).
BUSY = 0.8
#: Requests sent this soon after a cut left while the server's bucket was still empty: their 429s are the
#: same excess, no news.
SETTLE_SECONDS = 0.3
#: A 429 for a request sent at the cut rate, this soon after the cut, means it did not suffice: pause everyone.
RECENT_CUT_SECONDS = 5.0
SHARED_PAUSE_SECONDS = 2.0

#: (clock, rate) when the current task's last request got its slot: which rate a 429 answers.
_SENT: contextvars.ContextVar[tuple[float, float]] = contextvars.ContextVar("rtm_batch_sent", default=(0.0, 0.0))
#: Clock time before which the current task (whose request drew a 429) must not send again.
_OWN_WAIT: contextvars.ContextVar[float] = contextvars.ContextVar("rtm_batch_own_wait", default=0.0)


class AdaptiveRateLimiter(RateLimiter):
    """A ``RateLimiter`` whose rate follows the server: slow start, then cuts on 429 and gentle probing."""

    def __init__(
        self,
        ceiling: float | None = None,
        *,
        start: float = START_RATE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.ceiling = ceiling if ceiling and ceiling > 0 else math.inf
        first = min(start, self.ceiling)
        super().__init__(first, burst=default_burst(first), clock=clock, sleep=sleep)
        self.max_rate = math.inf  # no AIMD creeping of the base class: the ticks below do the raising
        self.hi: float | None = None  # the rate the last 429's request left at
        self.best_ok = 0.0  # the highest rate that held a busy tick without a 429
        self.cuts = 0
        self._tick_start = clock()
        self._granted = 0
        self._throttled = False
        self._cut_at = float("-inf")
        self._cut_rate = 0.0
        self._probe = PROBE - 1
        self._soft = False  # the mark is only the slow start's guess: the limit may be up to twice as high

    def _set_rate(self, rate: float) -> None:
        self._burst = default_burst(rate)
        super()._set_rate(rate)

    async def acquire(self) -> None:
        """The base class's slot, after this task's own ``Retry-After`` wait if its last request drew one."""
        own = _OWN_WAIT.get()
        if own:
            _OWN_WAIT.set(0.0)
            wait = own - self._clock()
            if wait > 0:
                await self._sleep_unless_closed(wait)
        await super().acquire()

    def _recover(self, now: float) -> None:
        """Not the base class's creeping back to ``max_rate``: ``_end_tick`` raises the rate here."""

    def highest_ok_rate(self) -> float:
        """The highest rate that held a busy tick without a 429 (0.0: the run never filled a tick)."""
        return self.best_ok

    def _granted_slot(self, now: float) -> None:
        _SENT.set((now, self.rate))
        self._granted += 1
        elapsed = now - self._tick_start
        if elapsed >= TICK:
            self._end_tick(now, elapsed)

    def _end_tick(self, now: float, elapsed: float) -> None:
        busy = self._granted >= BUSY * self.rate * elapsed
        quiet = not self._throttled
        self._tick_start, self._granted, self._throttled = now, 0, False
        if not (busy and quiet) or now < self._paused_until:
            return
        self.best_ok = max(self.best_ok, self.rate)
        self._set_rate(min(self.ceiling, self._next_rate()))

    def _next_rate(self) -> float:
        if self.hi is None:
            return self.rate * SLOW_START
        target = NEAR * self.hi
        if self.rate < target:  # halve the gap: back near the limit within a few ticks of a cut
            return max(self.rate * PROBE, self.rate + (target - self.rate) / 2)
        rate = self.rate * (1 + self._probe)
        if self._soft or self.rate >= self.hi:  # the limit is above the mark: find it again quickly
            self._probe = min(self._probe * (SOFT_GROWTH if self._soft else PROBE_GROWTH), MAX_PROBE - 1)
        return rate

    def pause(self, seconds: float) -> None:
        """A 429's ``Retry-After``: this task waits it out; every worker does when the server insists."""
        now = self._clock()
        sent_at, sent_rate = _SENT.get()
        # The cut rate itself drew a 429 (no raise since): the server wants a real pause, not a slower pace.
        after_cut = sent_at > self._cut_at + SETTLE_SECONDS
        insists = after_cut and sent_rate <= self._cut_rate and now - self._cut_at < RECENT_CUT_SECONDS
        if seconds > SHARED_PAUSE_SECONDS or insists:
            super().pause(seconds)
        else:
            _OWN_WAIT.set(now + seconds)

    def slow_down(self) -> None:
        """A 429: the limit is below the rate its request left at; requests sent before the last cut carry
        no news (they answer the same excess)."""
        now = self._clock()
        sent_at, sent_rate = _SENT.get()
        self._throttled = True
        if sent_at <= self._cut_at + SETTLE_SECONDS:
            return
        sent_rate = sent_rate or self.rate
        # At the end of the slow start the server's burst has hidden the excess for a tick or so: only the rate
        # two steps back is surely below the limit, so start there and climb fast to near the step between.
        if self.hi is None:
            cut, self.hi, self._soft = sent_rate / SLOW_START**2, sent_rate / SLOW_START, True
        else:
            cut, self.hi, self._soft = sent_rate * BACK_OFF, sent_rate, False
        self._probe = PROBE - 1
        self._set_rate(max(MIN_RATE, min(self.rate, cut)))
        self._cut_at, self._cut_rate = now, self.rate
        self.cuts += 1
        self._tick_start, self._granted = now, 0


def make_limiter(max_rate: float | None) -> RateLimiter:
    """``--max-rate`` given: that rate, slowing down on repeated 429s; not given: find the limit."""
    if max_rate is None:
        return AdaptiveRateLimiter()
    return RateLimiter(max_rate, burst=default_burst(max_rate))
