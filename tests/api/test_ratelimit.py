"""The client's rate limiter on virtual time: spacing, priority, the global pause, catch-up, cancellation."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import pytest

from batch.api.ratelimit import PRIORITY, SLOW_DOWN, SPEED_UP, RateLimiter, default_burst

pytestmark = pytest.mark.anyio
T = TypeVar("T")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class VirtualClock:
    """Time that moves only when every task is blocked: then the earliest sleeper wakes at its deadline.

    ``oversleep`` makes every sleep end late by that much (a loaded event loop). Tests read ``now`` as the
    exact moment something happened, so spacing is checked to the microsecond and no test waits for real.
    """

    def __init__(self, now: float = 100.0, oversleep: float = 0.0) -> None:
        self.now = now
        self.oversleep = oversleep
        self.sleeps = 0
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        wake = anyio.Event()
        heapq.heappush(self._sleepers, (self.now + seconds + self.oversleep, next(self._seq), wake))
        await wake.wait()

    async def _drive(self) -> None:
        while True:
            await _all_other_tasks_blocked()
            if self._sleepers:
                deadline, _, wake = heapq.heappop(self._sleepers)
                self.now = max(self.now, deadline)
                wake.set()

    async def run(self, main: Callable[[], Awaitable[T]]) -> T:
        """Run ``main`` while this clock drives the sleepers; returns what ``main`` returns."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._drive)
            result = await main()
            tg.cancel_scope.cancel()
        return result


async def _all_other_tasks_blocked() -> None:
    """``anyio.wait_all_tasks_blocked`` without its 0.1 s real sleeps (asyncio: a task waits on a future)."""
    me = asyncio.current_task()
    while True:
        await asyncio.sleep(0)
        if all(t is me or (t._fut_waiter is not None and not t._fut_waiter.done()) for t in asyncio.all_tasks()):
            return


def on_schedule(times: list[float], *, start: float, interval: float, burst: int) -> bool:
    """No grant ahead of the GCRA schedule: the i-th at or after ``start + (i - burst + 1) * interval``."""
    return all(t >= start + max(0, i - burst + 1) * interval - 1e-9 for i, t in enumerate(times))


def limiter_on(clock: VirtualClock, rate: float, burst: int = 1) -> RateLimiter:
    return RateLimiter(rate, burst=burst, clock=clock, sleep=clock.sleep)


async def grants(limiter: RateLimiter, clock: VirtualClock, priorities: list[int]) -> list[tuple[int, float]]:
    """Start one acquirer per priority (in list order); the (priority, time) of each grant, in grant order."""
    order: list[tuple[int, float]] = []

    async def one(priority: int) -> None:
        PRIORITY.set(priority)
        await limiter.acquire()
        order.append((priority, clock.now))

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for priority in priorities:
                tg.start_soon(one, priority)

    await clock.run(main)
    return order


async def test_requests_leave_one_interval_apart() -> None:
    clock = VirtualClock()
    order = await grants(limiter_on(clock, rate=10), clock, [0] * 6)
    times = [t for _, t in order]
    assert times[0] == pytest.approx(100.0)
    assert [round(b - a, 9) for a, b in itertools.pairwise(times)] == [0.1] * 5


async def test_sequential_acquires_are_spaced_too() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=4)
    seen: list[float] = []

    async def main() -> None:
        for _ in range(4):
            await limiter.acquire()
            seen.append(clock.now)

    await clock.run(main)
    assert seen == pytest.approx([100.0, 100.25, 100.5, 100.75])


async def test_lower_priority_number_is_served_first_fifo_within_a_priority() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=10)
    limiter.pause(1.0)  # everyone queues, so the order is decided by the queue alone
    order = await grants(limiter, clock, [5, 3, 9, 1, 3, 0])
    assert [p for p, _ in order] == [0, 1, 3, 3, 5, 9]
    assert order[0][1] == pytest.approx(101.0)


async def test_a_late_urgent_request_overtakes_the_queue() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=1)
    order: list[str] = []

    async def one(name: str, priority: int, delay: float) -> None:
        PRIORITY.set(priority)
        await clock.sleep(delay)
        await limiter.acquire()
        order.append(name)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for i in range(4):
                tg.start_soon(one, f"child{i}", 9, 0.0)
            tg.start_soon(one, "parent", 1, 0.5)  # arrives while the children wait for their slots

    await clock.run(main)
    assert order[:2] == ["child0", "parent"]


async def test_pause_holds_every_waiter_then_resumes_at_the_rate() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=10, burst=5)
    limiter.pause(2.0)
    order = await grants(limiter, clock, [0] * 8)
    times = [t for _, t in order]
    assert on_schedule(times, start=102.0, interval=0.1, burst=1)  # no burst after a pause
    assert times[-1] == pytest.approx(102.7, abs=limiter.tolerance)


async def test_pause_never_shortens_a_longer_pause() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=10)
    limiter.pause(5.0)
    limiter.pause(1.0)
    assert limiter.paused_until == pytest.approx(105.0)


async def test_pause_during_the_wait_delays_the_sleeping_head() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=1)
    seen: list[float] = []

    async def waiter() -> None:
        await limiter.acquire()
        seen.append(clock.now)

    async def main() -> None:
        await limiter.acquire()  # t=100; the next slot is at 101
        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await clock.sleep(0.5)
            limiter.pause(3.0)  # a 429 at t=100.5 with Retry-After: 3

    await clock.run(main)
    assert seen == [pytest.approx(103.5)]


async def test_burst_tolerance_lets_late_wakeups_catch_up() -> None:
    """With timers firing late, no tolerance loses the lateness on every request; a small burst keeps the rate."""

    async def elapsed(burst: int) -> float:
        clock = VirtualClock(oversleep=0.03)
        order = await grants(limiter_on(clock, rate=10, burst=burst), clock, [0] * 21)
        return order[-1][1] - order[0][1]

    assert await elapsed(1) == pytest.approx(20 * 0.13)
    assert await elapsed(default_burst(10)) < 2.0 + 0.1


async def test_burst_allows_that_many_back_to_back_then_keeps_the_rate() -> None:
    clock = VirtualClock()
    order = await grants(limiter_on(clock, rate=10, burst=3), clock, [0] * 12)
    times = [t for _, t in order]
    assert times[:3] == [100.0] * 3
    assert on_schedule(times, start=100.0, interval=0.1, burst=3)
    assert times[-1] == pytest.approx(101.0, abs=0.2)  # 12 grants: 3 at once, then 9 more at 10/s


async def test_waiters_are_released_in_small_batches_so_the_loop_wakes_less() -> None:
    """Sleeping half the tolerance past the first free slot lets a few go per wake-up, still on schedule."""
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=200, burst=default_burst(200))
    order = await grants(limiter, clock, [0] * 201)
    times = [t for _, t in order]
    assert on_schedule(times, start=100.0, interval=0.005, burst=default_burst(200))
    assert times[-1] - times[0] == pytest.approx(1.0, abs=limiter.tolerance)
    assert clock.sleeps < 100  # one wake-up per 2-3 grants, not one per grant


async def test_the_waiters_already_due_are_granted_in_one_event_loop_turn() -> None:
    """A busy loop must not fall behind the schedule: when the head finds several slots due, they all go in
    the turn it wakes in, not one per turn (that cost a run a few per cent of the server's limit)."""
    turns = 0
    granted_at_turn: list[int] = []
    limiter = RateLimiter(1000, burst=10)

    async def ticker() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    async def one() -> None:
        await limiter.acquire()
        granted_at_turn.append(turns)

    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        async with anyio.create_task_group() as acquirers:
            for _ in range(40):
                acquirers.start_soon(one)
        tg.cancel_scope.cancel()
    queued = granted_at_turn[10:]  # the first 10 went at once (the burst); the rest queued behind a head
    assert len(queued) == 30
    assert len(set(queued)) <= len(queued) / 2, queued  # several grants per turn (one per turn: 30 turns)


async def test_grants_not_yet_sent_are_capped_at_the_burst() -> None:
    """A busy loop must not send a burst past the server's bucket: requests granted on schedule but not yet
    sent (their tasks waiting behind a herd of others) hold the next grants back until they leave."""
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=1000, burst=3)
    limiter.count_sends()
    granted: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        granted.append(clock.now)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(one)
            await clock.sleep(1.0)  # a whole second later, long past every slot: still only 3 granted
            assert len(granted) == 3
            limiter.sent()
            await clock.sleep(0.01)
            assert len(granted) == 4  # one left, one more may go
            limiter.sent()
            limiter.sent()

    await clock.run(main)
    assert len(granted) == 5


async def test_an_urgent_request_overtaking_a_head_held_by_the_cap_strands_nobody() -> None:
    """The head held by the unsent cap loses its place to a more urgent request: both still get their slot
    as the granted ones leave (a shared 'drained' event once left the first head waiting forever)."""
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=1000, burst=1)
    limiter.count_sends()
    order: list[int] = []

    async def one(priority: int) -> None:
        PRIORITY.set(priority)
        await limiter.acquire()
        order.append(priority)

    async def main() -> None:
        await limiter.acquire()  # granted, not yet sent: the cap of 1 is reached
        async with anyio.create_task_group() as tg:
            tg.start_soon(one, 5)
            await clock.sleep(0.1)
            tg.start_soon(one, 1)  # more urgent: takes the head
            await clock.sleep(0.1)
            assert order == []
            limiter.sent()
            await clock.sleep(0.1)
            assert order == [1]
            limiter.sent()
            await clock.sleep(0.1)
            assert order == [1, 5]
            limiter.sent()

    await clock.run(main)


async def test_close_wakes_a_head_held_by_the_unsent_cap() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=1000, burst=1)
    limiter.count_sends()
    await clock.run(limiter.acquire)
    refused: list[BaseException] = []

    async def held() -> None:
        try:
            await limiter.acquire()
        except RuntimeError as exc:
            refused.append(exc)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(held)
            await clock.sleep(0.5)
            limiter.close(lambda: RuntimeError("stopped"))

    await clock.run(main)
    assert [str(e) for e in refused] == ["stopped"]


async def test_zero_rate_never_waits() -> None:
    clock = VirtualClock()
    order = await grants(limiter_on(clock, rate=0), clock, [0] * 50)
    assert {t for _, t in order} == {100.0}
    assert clock.sleeps == 0


async def test_a_cancelled_waiter_leaves_the_queue_and_the_next_one_goes() -> None:
    clock = VirtualClock()
    limiter = limiter_on(clock, rate=1)
    seen: list[str] = []

    async def waiter(name: str, scope: anyio.CancelScope) -> None:
        with scope:
            await limiter.acquire()
            seen.append(name)

    async def main() -> None:
        await limiter.acquire()
        first, second = anyio.CancelScope(), anyio.CancelScope()
        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter, "first", first)
            tg.start_soon(waiter, "second", second)
            await clock.sleep(0.5)
            first.cancel()  # the head of the queue gives up before its slot at 101

    await clock.run(main)
    assert seen == ["second"]
    assert clock.now == pytest.approx(101.0)


def test_default_burst_covers_timer_lateness() -> None:
    assert default_burst(0) == 1
    assert default_burst(10) == 2
    assert default_burst(200) == 10


def test_429s_slow_the_rate_down_once_per_second_and_it_creeps_back() -> None:
    """AIMD: repeated 429s multiply the rate by SLOW_DOWN (the burst of 429s from requests in flight counts once);
    each quiet second adds SPEED_UP × max_rate back, never past max_rate."""
    now = [0.0]
    limiter = RateLimiter(100.0, burst=10, clock=lambda: now[0])
    limiter.slow_down()
    assert limiter.rate == 100.0  # a lone 429 is jitter at the limit: the pause alone handles it
    limiter.slow_down()  # a second one: a real excess
    limiter.slow_down()  # same second: the same excess
    assert limiter.rate == pytest.approx(100.0 * SLOW_DOWN)
    now[0] = 0.5
    limiter.slow_down()
    assert limiter.rate == pytest.approx(100.0 * SLOW_DOWN)
    now[0] = 1.5
    limiter.slow_down()
    assert limiter.rate == pytest.approx(100.0 * SLOW_DOWN**2)
    rates = []
    for second in range(3, 12):
        now[0] = float(second)
        anyio.run(limiter.acquire)
        rates.append(limiter.rate)
    assert rates == sorted(rates) and rates[0] == pytest.approx(100.0 * SLOW_DOWN**2 + 100.0 * SPEED_UP)
    assert rates[-1] == 100.0  # back at --max-rate, not above


async def test_close_wakes_the_sleeping_head_and_the_queue_and_refuses_new_acquires() -> None:
    clock = VirtualClock()  # no driver: a sleep only ends when close() ends it
    limiter = limiter_on(clock, rate=1.0)
    limiter.pause(60.0)  # a pool-wide 429 pause: the head sleeps, the others wait behind it
    raised: list[str] = []

    async def one() -> None:
        try:
            await limiter.acquire()
        except RuntimeError as exc:
            raised.append(str(exc))

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(one)
        await _all_other_tasks_blocked()
        assert clock.sleeps == 1 and not raised  # only the head sleeps
        limiter.close(lambda: RuntimeError("closed"))
    assert raised == ["closed"] * 3 and clock.now == 100.0  # woken at once, no slot given
    with pytest.raises(RuntimeError, match="closed"):
        await limiter.acquire()


async def test_a_fixed_rate_reports_the_highest_rate_it_achieved_without_a_429() -> None:
    """summary.json's highest_rate_without_429 under ``--max-rate``: the rate held, what a slow run reached,
    and nothing from a second that drew a 429 (it was 0.0 for every fixed-rate run)."""

    async def requests(limiter: RateLimiter, clock: VirtualClock, n: int, gap: float = 0.0, at_429: int = -1) -> None:
        async def main() -> None:
            for i in range(n):
                await limiter.acquire()
                if i == at_429:
                    limiter.slow_down()
                if gap:
                    await clock.sleep(gap)

        await clock.run(main)

    clock = VirtualClock()
    held = limiter_on(clock, rate=10)
    await requests(held, clock, 25)  # 2.4 s at the rate, no 429
    assert held.highest_ok_rate() == pytest.approx(10.0)
    slow = limiter_on(clock := VirtualClock(), rate=10)
    await requests(slow, clock, 13, gap=0.25)  # the workers use 4 of the 10 per second
    assert slow.highest_ok_rate() == pytest.approx(4.0)
    throttled = limiter_on(clock := VirtualClock(), rate=10)
    await requests(throttled, clock, 8, at_429=3)  # the only window drew a 429: no rate is known to be safe
    assert throttled.highest_ok_rate() == 0.0
    await requests(throttled, clock, 30)  # later seconds at the same rate go without one
    assert throttled.highest_ok_rate() == pytest.approx(10.0)
