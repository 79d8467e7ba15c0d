"""The adaptive rate on virtual time: slow start, the cut on a 429, climbing back, the ceiling, Retry-After."""

from __future__ import annotations

import pytest

from batch.api.adaptive import (
    BACK_OFF,
    NEAR,
    SETTLE_SECONDS,
    START_RATE,
    TICK,
    AdaptiveRateLimiter,
    make_limiter,
)
from batch.api.ratelimit import RateLimiter

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class StepClock:
    """One task's time: a sleep moves the clock on by exactly that much (no other task to wait for)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter_on(clock: StepClock, ceiling: float | None = None) -> AdaptiveRateLimiter:
    return AdaptiveRateLimiter(ceiling, clock=clock, sleep=clock.sleep)


async def send_for(limiter: AdaptiveRateLimiter, clock: StepClock, seconds: float) -> int:
    """Acquire back to back (every slot used) for ``seconds`` of virtual time; how many were granted.

    Tests call it, ``pause`` and ``slow_down`` in one task, as the client does: the limiter remembers per task
    which rate its last request left at."""
    n, end = 0, clock.now + seconds
    while clock.now < end:
        await limiter.acquire()
        n += 1
    return n


async def test_without_a_429_the_rate_doubles_every_busy_tick_from_10() -> None:
    clock = StepClock()
    limiter = limiter_on(clock)
    assert limiter.rate == START_RATE
    await send_for(limiter, clock, 4 * TICK + 0.2)
    assert limiter.rate == START_RATE * 2**4
    assert limiter.best_ok == START_RATE * 2**3


async def test_an_unused_budget_is_not_raised() -> None:
    """A rate nobody uses proves nothing about the server: one request per second for ten seconds."""
    clock = StepClock()
    limiter = limiter_on(clock)
    for _ in range(10):
        await limiter.acquire()
        clock.now += 1.0
    assert limiter.rate == START_RATE


async def test_the_first_429_cuts_to_two_steps_back_then_the_rate_climbs_near_it_and_probes_gently() -> None:
    clock = StepClock()
    limiter = limiter_on(clock)
    await send_for(limiter, clock, 3 * TICK + 0.1)  # 10 -> 80
    assert limiter.rate == 80.0
    limiter.slow_down()
    assert limiter.hi == 40.0 and limiter.rate == 20.0  # 20 surely held; the limit is above 40 or below
    await send_for(limiter, clock, 10 * TICK)
    assert NEAR * 40.0 <= limiter.rate < 60.0  # near the middle step within a few ticks, probing beyond
    limiter.slow_down()  # a 429 while probing: hi is that rate, the cut 0.85 of it
    hi = limiter.hi
    assert hi is not None and limiter.rate == pytest.approx(hi * BACK_OFF)
    await send_for(limiter, clock, 4 * TICK)
    before = limiter.rate
    await send_for(limiter, clock, TICK + 0.01)
    assert before < limiter.rate <= before * 1.02  # above NEAR × hi: small steps only


async def test_429s_answering_requests_sent_before_the_cut_do_not_cut_again() -> None:
    clock = StepClock()
    limiter = limiter_on(clock)
    await send_for(limiter, clock, 3 * TICK + 0.1)
    limiter.slow_down()  # this task's last request was sent at 80/s
    limiter.slow_down()  # the same request's news again (in-flight 429s look like this)
    assert limiter.rate == 20.0 and limiter.cuts == 1
    await send_for(limiter, clock, 0.1)  # sent while the server's bucket is still empty: the same excess
    limiter.slow_down()
    assert limiter.cuts == 1
    await send_for(limiter, clock, SETTLE_SECONDS)  # a request at the cut rate, later
    limiter.slow_down()
    assert limiter.cuts == 2 and limiter.rate == pytest.approx(20.0 * BACK_OFF)


async def test_retry_after_waits_for_the_throttled_request_and_pauses_everyone_only_when_the_cut_fails() -> None:
    clock = StepClock()
    limiter = limiter_on(clock)
    await send_for(limiter, clock, 3 * TICK + 0.1)
    limiter.pause(1.0)
    limiter.slow_down()
    assert limiter.paused_until == 0.0  # the pool goes on at the cut rate
    start = clock.now
    await limiter.acquire()
    assert clock.now >= start + 1.0  # ... but the request that drew the 429 waited its Retry-After
    await send_for(limiter, clock, SETTLE_SECONDS)
    limiter.pause(1.0)  # a request sent at the cut rate drew a 429 too: the cut was not enough
    assert limiter.paused_until == pytest.approx(clock.now + 1.0)


async def test_a_long_retry_after_pauses_every_worker() -> None:
    clock = StepClock()
    limiter = limiter_on(clock)
    limiter.pause(30.0)
    assert limiter.paused_until == pytest.approx(clock.now + 30.0)


async def test_max_rate_is_a_ceiling_and_a_fixed_rate() -> None:
    clock = StepClock()
    limiter = limiter_on(clock, ceiling=25.0)
    await send_for(limiter, clock, 5.0)
    assert limiter.rate == 25.0
    fixed = make_limiter(25.0)
    assert type(fixed) is RateLimiter and fixed.rate == 25.0
    assert isinstance(make_limiter(None), AdaptiveRateLimiter)
