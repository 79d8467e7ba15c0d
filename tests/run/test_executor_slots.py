"""The executor runs at most ``slots`` jobs at once (customers aside), the most urgent waiting job first.

Why it matters: every running job is a task that holds its frames until it ends; unbounded, a 20,000-user
batch had 21,000 tasks alive at once (256 MiB). The bound must not change what a run does: every job still
runs exactly once, setup before users, and a run over real HTTP provisions every row.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS, KIND_ORDER, Job, Kind, Outcome
from batch.plan.graph import Plan
from batch.run import executor as executor_module
from batch.run.executor import MIN_SLOTS, Executor, job_slots
from batch.run.runner import RunOptions, run_batch
from bench.generate import make_batch, write_csv_folder


class _Count:
    requests = 0
    tracking_id = ""


class _Client:
    @contextlib.contextmanager
    def track(self) -> Iterator[_Count]:
        yield _Count()


class _Ctx:
    def __init__(self) -> None:
        self.client = _Client()
        self.outcomes: dict[str, Outcome] = {}


def _plan(users: int) -> Plan:
    """One customer; under it one location and ``users`` subscribers, each with its roles."""
    jobs = [Job("customer:c", Kind.CUSTOMER, "customers", 2)]
    jobs += [Job(f"sub:{i}", Kind.SUBSCRIBER, "users", i + 2, parents=("customer:c",)) for i in range(users)]
    jobs += [Job("location:l", Kind.LOCATION, "locations", 2, parents=("customer:c",))]
    jobs += [Job(f"roles:{i}", Kind.ROLES, "users", i + 2, parents=(f"sub:{i}",)) for i in range(users)]
    return Plan({job.key: job for job in jobs})


def _execute(plan: Plan, slots: int) -> tuple[list[str], int, dict[str, Outcome]]:
    order: list[str] = []
    running = peak = 0

    async def action(job: Job, ctx: Any) -> Outcome:
        nonlocal running, peak
        running += 1
        peak = max(peak, running - (job.kind == Kind.CUSTOMER))
        order.append(job.key)
        for _ in range(3):
            await anyio.sleep(0)
        running -= 1
        return Outcome(CREATED, ids={"id": job.key})

    actions = dict.fromkeys(Kind, action)
    executor = Executor(plan, actions, _Ctx(), slots=slots)  # type: ignore[arg-type]
    outcomes = anyio.run(executor.run)
    return order, peak, outcomes


def test_at_most_slots_jobs_run_at_once_and_every_job_runs_once() -> None:
    plan = _plan(500)
    order, peak, outcomes = _execute(plan, slots=16)
    assert peak <= 16
    assert sorted(order) == sorted(plan.jobs)
    assert all(o.status == CREATED for o in outcomes.values()) and len(outcomes) == len(plan.jobs)


def test_the_most_urgent_waiting_job_takes_a_free_slot() -> None:
    order, _, _ = _execute(_plan(50), slots=1)
    # The location was ready after 50 subscribers, but setup goes first; a subscriber's roles wait their turn.
    assert order[:2] == ["customer:c", "location:l"]
    assert order[2:52] == [f"sub:{i}" for i in range(50)]
    assert order[52:] == [f"roles:{i}" for i in range(50)]


def test_the_slots_go_round_the_customers() -> None:
    """A customer's users wait on one listing of its subscribers: slots given one customer at a time (arrival
    order) kept too few listings in flight to keep the rate limiter busy (bench-sync's update night)."""
    jobs = [Job(f"customer:{c}", Kind.CUSTOMER, "customers", 2) for c in "ab"]
    for c in "ab":
        refs = {"customer": f"customer:{c}"}
        jobs += [
            Job(f"sub:{c}{i}", Kind.SUBSCRIBER, "users", i + 2, parents=(f"customer:{c}",), refs=refs) for i in range(3)
        ]
    order, _, _ = _execute(Plan({job.key: job for job in jobs}), slots=1)
    assert [key for key in order if key.startswith("sub:")] == [
        "sub:a0",
        "sub:b0",
        "sub:a1",
        "sub:b1",
        "sub:a2",
        "sub:b2",
    ]


def test_no_bound_starts_every_ready_job_at_once() -> None:
    _, peak, _ = _execute(_plan(300), slots=0)
    assert peak == 301  # the location and every subscriber, the moment the customer is there


def test_slots_follow_the_concurrency() -> None:
    assert job_slots(1) == MIN_SLOTS
    assert job_slots(32) == 32 * executor_module.SLOTS_PER_CONNECTION


TOKEN = "slots-token"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        yield base_url


def test_a_bounded_run_over_http_provisions_every_row(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """600 users at --concurrency 1 (64 slots): never more than 64 bounded jobs alive, every row created."""
    folder = tmp_path / "batch"
    write_csv_folder(make_batch(3, 9, 600), folder)
    peak = 0
    dispatch = Executor._dispatch

    def counted(self: Executor) -> None:
        nonlocal peak
        dispatch(self)
        peak = max(peak, self.running)

    monkeypatch.setattr(Executor, "_dispatch", counted)
    options = RunOptions(
        out_dir=tmp_path / "out", base_url=server, token=TOKEN, max_rate=5000.0, concurrency=1, poll_initial=0.01
    )
    outcome = run_batch([folder], options, Console(file=io.StringIO()))
    assert outcome.exit_code == 0
    assert outcome.summary["sheets"]["users"]["created"] == 600
    assert {r.status for r in outcome.results} <= {CREATED, EXISTS}
    assert 0 < peak <= MIN_SLOTS


def _starts(unsent: int = 0) -> tuple[int, list[tuple[Kind, int]]]:
    """A 300-user plan run with an action that sends nothing: its job count, and each job's kind and the turn
    of the event loop it started in, the limiter saying that ``unsent`` granted requests have not left yet."""
    plan = _plan(300)
    turn = 0
    started: list[tuple[Kind, int]] = []

    async def action(job: Job, ctx: Any) -> Outcome:
        started.append((job.kind, turn))
        return Outcome(CREATED)

    async def main() -> None:
        nonlocal turn

        async def tick() -> None:
            nonlocal turn
            while True:
                turn += 1
                await anyio.sleep(0)

        async with anyio.create_task_group() as tg:
            tg.start_soon(tick)
            executor = Executor(plan, dict.fromkeys(Kind, action), _Ctx(), slots=1000, unsent=lambda: unsent)  # type: ignore[arg-type]
            await executor.run()
            tg.cancel_scope.cancel()

    anyio.run(main)
    return len(plan.jobs), started


def test_no_more_than_starts_per_turn_jobs_start_in_one_turn_of_the_event_loop() -> None:
    """Jobs that send nothing run to their end in one turn: started by the thousand, they made a request the
    limiter had granted wait for its turn behind them all (bench-sync's update night)."""
    jobs, started = _starts()
    assert len(started) == jobs
    assert max(Counter(turn for _, turn in started).values()) <= 32 + 1  # + the customer (unbounded)


def _start_turns(unsent: int) -> list[int]:
    """The turns in which the subscribers start."""
    _, started = _starts(unsent)
    turns = [turn for kind, turn in started if kind == Kind.SUBSCRIBER]
    assert len(turns) == 300
    return sorted(set(turns))


def test_starts_wait_a_few_turns_for_granted_requests_to_leave_and_never_stop() -> None:
    """A granted request reaches its connection in a few turns, each behind all the loop has to run: while
    one waits to leave, a round of starts of jobs that send nothing waits up to ``YIELD_TURNS`` turns."""
    waiting = _start_turns(unsent=1)
    gaps = [b - a for a, b in zip(waiting, waiting[1:], strict=False)]
    assert len(waiting) >= 300 // executor_module.STARTS_PER_TURN
    assert min(gaps) >= executor_module.YIELD_TURNS
    assert max(gaps) <= executor_module.YIELD_TURNS + 3  # bounded: a slow pool never stops the jobs
    free = _start_turns(unsent=0)
    assert max(b - a for a, b in zip(free, free[1:], strict=False)) < executor_module.YIELD_TURNS


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2**20),
            st.integers(0, len(KIND_ORDER) - 1),
            st.integers(0, 2**27 - 1),
            st.integers(0, 2**28 - 1),
        ),
        max_size=50,
    )
)
def test_a_waiting_jobs_packed_priority_orders_as_its_tuple(entries: list[tuple[int, int, int, int]]) -> None:
    """The slots' order (the customers' window, kind, then round the customers, then arrival) is kept by the one
    int each waiting job is now held as."""
    assert sorted(entries, key=lambda e: executor_module._priority(*e)) == sorted(entries)
    assert all(executor_module._priority(*e) & executor_module._ARRIVALS == e[3] for e in entries)
    assert all(sys.getsizeof(executor_module._priority(*e)) <= 36 for e in entries)


def test_a_priority_past_its_bits_is_refused_not_wrapped() -> None:
    with pytest.raises(OverflowError):
        executor_module._priority(0, 0, 0, 2**28)
    with pytest.raises(OverflowError):
        executor_module._priority(0, 0, 2**27, 0)
