"""Runs a plan's jobs: each starts the moment its parents have succeeded; a failure skips its descendants.

Concurrency and pacing live in the client (requests in flight, one global rate limit); the executor only
decides *when* a job may start and in which order the rate limiter should favour it (customers first, then
window by window of customers, setup before users), so a provisioning customer never holds back another
customer's locations.

At most ``slots`` jobs run at once (a customer, which may wait minutes for Webex to provision it, is not
counted); the others that are ready wait as plain references in a queue ordered like the rate limiter (the
customers' window, kind, then round the customers, then arrival). Why: every running job is a task whose
coroutine frames (~9 KB) live until it ends, and with no bound every user of a customer started the moment its
location was there: 21,000 tasks at once on a 20,000-user batch (256 MiB of Python objects, most of the run's
memory), which the client could only serve 32 at a time anyway.

The queue takes the customers ``CUSTOMERS_AT_ONCE`` at a time, in plan order, and each customer's listings and
the outcomes its jobs read are let go when its last job ends (``released``, ``settled``): a run then holds those
of the customers in flight. Round every customer at once, each kept its listings and its locations' outcomes to
the end of the run (~16 KB a customer of the ~67 users a customer has in ``bench-memory``).
"""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter
from collections.abc import Callable, Mapping, MutableMapping
from typing import Protocol

import anyio
import anyio.lowlevel

from batch.api.client import PRIORITY
from batch.errors import AuthError, RunStopped
from batch.jobs import FAILED, KIND_ORDER, PENDING, SKIPPED, STEP_NAMES, Job, Kind, Outcome
from batch.plan.graph import Plan, customer_of
from batch.provision.context import CURRENT_JOB, Action, ActionContext
from batch.provision.pending import held_by, holds, waiting_for
from batch.reasons import Reason
from batch.run.release import Group, edges

#: Jobs running at once per request the client may have in flight (``--concurrency``): enough that jobs that
#: send nothing (an unchanged user, answered from its customer's listing) go on while those with a write wait for
#: the rate limiter, few enough that memory follows the concurrency and not the batch (~9 KB a job: 18 MiB at
#: 32 connections). At 8 a connection the update night of bench-sync filled all 256 slots with its 1,000
#: writes waiting for the limiter, and its 17,000 unchanged users then ran in one 2 s burst of CPU in which
#: few requests left (16.4 s = 1.164 x the lower bound; 15.7 s with 64).
SLOTS_PER_CONNECTION = 64
MIN_SLOTS = 64
#: Bounded jobs started per turn of the event loop. A job that sends nothing runs to its end in the turn after
#: its start (~150 µs of CPU); 2,048 started at once made a request the limiter had granted wait ~0.3 s for its
#: task's turn, and the limiter, which lets only a burst of grants wait unsent, stopped granting meanwhile.
STARTS_PER_TURN = 32
#: Turns a round of starts may wait for the requests the rate limiter has granted and that have not left yet
#: (``unsent``). A granted request takes a few turns to reach its connection, one at a time (the pool's entry),
#: each behind all the loop has to run: 32 jobs that send nothing per turn made that ~4 ms a turn while a
#: customer's users ran, and the limiter, which lets only a burst of grants wait unsent, granted ~100 a second
#: instead of 196. Bounded, so a slow pool never stops the jobs.
YIELD_TURNS = 8
#: Kinds that run whatever the bound: a customer waits for Webex to provision it (minutes), and holding
#: customers back would hold back everything under them; there are ~70 x fewer of them than users.
UNBOUNDED = frozenset({Kind.CUSTOMER, Kind.CUSTOMER_REF})
#: Customers whose waiting jobs go before the next ones' (setup before users and round the customers within):
#: enough listings in flight to keep the rate limiter busy, few customers open at once (each holds its listings
#: until its last job ends). A customer whose jobs are not ready (one provisioning) holds no one back: the queue
#: orders the ready jobs only.
CUSTOMERS_AT_ONCE = 32


class JobLog(Protocol):
    """Where finished jobs go: the journal (durable) and the progress display (people)."""

    def job_done(self, job: Job, outcome: Outcome) -> None: ...


def job_slots(concurrency: int) -> int:
    """How many jobs may run at once for a client with ``concurrency`` connections."""
    return max(MIN_SLOTS, SLOTS_PER_CONNECTION * concurrency)


class Executor:
    """One execution of a plan. ``run()`` returns every job's outcome by key; at most ``slots`` jobs (besides
    customers) run at once, 0 for no bound."""

    def __init__(
        self,
        plan: Plan,
        actions: Mapping[Kind, Action],
        ctx: ActionContext,
        *,
        logs: tuple[JobLog, ...] = (),
        restored: Mapping[str, Outcome] | None = None,
        slots: int = 0,
        unsent: Callable[[], int] = lambda: 0,
        settled: Callable[[str], None] = lambda key: None,
        released: Callable[[str], None] = lambda customer: None,
    ) -> None:
        self.plan = plan
        self.actions = actions
        self.ctx = ctx
        self.logs = logs
        self.restored = dict(restored or {})
        self.edges = edges(plan.jobs, self.restored)  # restored jobs all succeeded: they only release their children
        self.cause: dict[str, str] = {}  # skipped job -> the failed job that caused it
        self.auth_error: AuthError | None = None
        self.slots = slots
        self.unsent = unsent  # the rate limiter's granted requests that have not left yet
        self.settled = settled  # told of each job no other job will read the outcome of (``Outcomes.settle``)
        self.released = released  # told of each customer whose last job has ended (its listings can go)
        self._rank = {customer: at for at, customer in enumerate(self.edges.left)}  # plan order
        self.running = 0  # bounded jobs started and not yet ended
        # Bounded jobs waiting for a slot, most urgent first: (customers' window, kind order, turn, arrival) in one int
        # (``_priority``), the job's key or its group found by arrival in ``_queued``. The turn is the job's place
        # among its customer's ready jobs of its kind, so the slots go round the customers: a customer's users wait
        # on one shared listing of its subscribers, and slots given one customer at a time (arrival order) kept ~4
        # listings in flight with 256 slots, too few to keep the rate limiter busy (bench-sync's update night). A
        # released group (``batch.run.release``) is one entry, back in with its next turn as each member starts.
        self.ready: list[int] = []
        self._queued: list[str | Group] = []  # by arrival (the plan's own strings)
        self._turns: Counter[tuple[Kind, str]] = Counter()
        self._stopping = False  # a job met RunStopped: no more are started
        self._starts_left = STARTS_PER_TURN  # bounded jobs this turn of the event loop may still start
        self._next_turn_due = False
        self._tg: anyio.abc.TaskGroup | None = None

    @property
    def outcomes(self) -> MutableMapping[str, Outcome]:
        return self.ctx.outcomes

    async def run(self) -> MutableMapping[str, Outcome]:
        self.outcomes.update(self.restored)
        async with anyio.create_task_group() as tg:
            self._tg = tg
            for key, job in self.plan.jobs.items():
                if not job.parents and key not in self.outcomes:
                    self._start(job)
            for entry in self.edges.entries:
                if isinstance(entry, Group):
                    if not entry.waiting:
                        self._release(entry)
                elif not self.edges.waiting[entry] and entry not in self.outcomes:
                    self._start(self.plan.jobs[entry])
            self._dispatch()
        if self.auth_error is not None:
            raise self.auth_error
        return self.outcomes

    def _start(self, job: Job) -> None:
        assert self._tg is not None
        if (customer := held_by(job, self.outcomes)) is not None:
            self._hold(job, customer)
            return
        if job.kind in UNBOUNDED or not self.slots:
            self._tg.start_soon(self._run_job, job, name=job.key)
        else:  # started by ``_dispatch``, most urgent first, once all jobs ready together are queued
            self._enqueue(job.key, job.kind, job.refs.get("customer", ""))

    def _release(self, group: Group) -> None:
        """A group whose parents have all succeeded: its members start as any job does, one queue entry for all."""
        if group.kind in UNBOUNDED or not self.slots:
            for key in group.members:
                if key not in self.outcomes:
                    self._start(self.plan.jobs[key])
        else:
            group.arrival = self._enqueue(group, group.kind, group.customer)

    def _enqueue(self, entry: str | Group, kind: Kind, customer: str) -> int:
        """Into the ready queue as it arrives; its arrival, by which ``_queued`` finds it."""
        arrival = len(self._queued)
        self._queued.append(entry)
        self._queue(kind, customer, arrival)
        return arrival

    def _queue(self, kind: Kind, customer: str, arrival: int) -> None:
        """Into the ready queue with the next turn of its (kind, customer), behind earlier customers' windows."""
        turn = self._turns[(kind, customer)]
        self._turns[(kind, customer)] = turn + 1
        heapq.heappush(self.ready, _priority(self._window(customer), KIND_ORDER[kind], turn, arrival))

    def _window(self, customer: str) -> int:
        """Which ``CUSTOMERS_AT_ONCE`` customers, in plan order, ``customer`` goes with (0: first, or none)."""
        return self._rank.get(customer, 0) // CUSTOMERS_AT_ONCE

    def _request_priority(self, kind: Kind, customer: str) -> int:
        """The rate limiter's order for the job's requests, as the queue's: its customers' window, then its kind.
        Customers (provisioning takes minutes) go first whatever their window: one kept waiting holds back all
        it has. Kind by kind alone, a user's roles waited behind every later customer's setup and users, and no
        customer ended (nor let go of its listings) before the run's last minutes."""
        if kind in UNBOUNDED:
            return KIND_ORDER[kind]
        return (self._window(customer) << _KIND_BITS) + KIND_ORDER[kind]

    def _dispatch(self) -> None:
        """Free slots to the most urgent waiting jobs (none after a stop), ``STARTS_PER_TURN`` per turn of the
        event loop; the rest at the next turn, after the requests the limiter has granted meanwhile."""
        assert self._tg is not None
        while self.ready and self.running < self.slots and not self._stopping:
            if not self._starts_left:
                if not self._next_turn_due:
                    self._next_turn_due = True
                    self._tg.start_soon(self._next_turn)
                return
            entry = self._queued[heapq.heappop(self.ready) & _ARRIVALS]
            if isinstance(entry, Group):
                key = entry.take()
                if entry.left:  # back in before its member starts (which may end at once and dispatch again)
                    self._queue(entry.kind, entry.customer, entry.arrival)
                if key in self.outcomes:
                    continue
                job = self.plan.jobs[key]
                if (customer := held_by(job, self.outcomes)) is not None:  # as ``_start`` does for a job
                    self._hold(job, customer)
                    continue
            elif entry in self.outcomes:
                continue
            else:
                key, job = entry, self.plan.jobs[entry]
            self._starts_left -= 1
            self.running += 1
            self._tg.start_soon(self._bounded, job, name=key)

    async def _next_turn(self) -> None:
        """Queued behind everything the loop can run now: fresh starts for the turn after it, once the requests
        the limiter has granted meanwhile have left (at most ``YIELD_TURNS`` turns later)."""
        for _ in range(YIELD_TURNS):
            if not self.unsent():
                break
            await anyio.lowlevel.checkpoint()
        self._next_turn_due = False
        self._starts_left = STARTS_PER_TURN
        self._dispatch()

    async def _bounded(self, job: Job) -> None:
        """A bounded job; its slot is given on when it ends."""
        try:
            await self._run_job(job)
        except anyio.get_cancelled_exc_class():  # the run is being torn down: start nothing more
            self._stopping = True
            raise
        finally:
            self.running -= 1
            self._dispatch()

    async def _run_job(self, job: Job) -> None:
        PRIORITY.set(self._request_priority(job.kind, customer_of(job)))
        CURRENT_JOB.set(job)
        with self.ctx.client.track() as count:
            try:
                outcome = await self.actions[job.kind](job, self.ctx)
            except RunStopped:  # no slot after a stop: the job ends without an outcome, a resume redoes it
                self._stopping = True
                return
            except AuthError as exc:
                self.auth_error = exc
                assert self._tg is not None
                self._tg.cancel_scope.cancel()
                return
            except Exception as exc:  # a bug must not stop 20,000 other rows; the row says what happened
                message = f"unexpected error in rtm-batch: {type(exc).__name__}: {exc}"
                outcome = Outcome(FAILED, message=message, reason=Reason.INTERNAL)
        # The journal and the reports keep the tracking id of the job's last request (Webex support asks for it).
        tracking_id = outcome.tracking_id or count.tracking_id
        if count.requests != outcome.attempts or tracking_id != outcome.tracking_id:  # a job that sent nothing: as is
            outcome = dataclasses.replace(outcome, attempts=count.requests, tracking_id=tracking_id)
        self._finish(job, outcome)

    def _finish(self, job: Job, outcome: Outcome) -> None:
        if job.key in self.outcomes:
            return
        self.outcomes[job.key] = outcome
        for sink in self.logs:
            sink.job_done(job, outcome)
        if outcome.before is not None or outcome.after is not None:  # kept by the journal for undo; ~300 bytes
            self.outcomes[job.key] = dataclasses.replace(outcome, before=None, after=None)  # a job past it
        children = self.edges.of(job.key)
        if not children:  # nothing reads it again before the reports
            self.settled(job.key)
        stop: Callable[[Job, str], None] | None = None
        if outcome.status == PENDING:
            if holds(outcome):  # else its calling work is held where it starts (_start)
                stop = self._hold
        elif not outcome.ok and not (outcome.changes and outcome.ids):  # a failed update: the object is there
            stop = self._skip
        for child in children:
            if isinstance(child, Group):
                self._parent_ended(child, job.key, stop)
            elif child not in self.outcomes:
                if stop is not None:
                    stop(self.plan.jobs[child], self.cause.get(job.key, job.key))
                    continue
                self.edges.waiting[child] -= 1
                if self.edges.waiting[child] == 0:
                    self._start(self.plan.jobs[child])
        self._ended(customer_of(job))
        if self.ready:
            self._dispatch()

    def _ended(self, customer: str) -> None:
        """One job of ``customer`` ended; after its last, the outcomes its jobs read and its listings can go."""
        left = self.edges.left
        if customer not in left:  # a job of no customer
            return
        left[customer] -= 1
        if not left[customer]:
            del left[customer]
            for key in self.edges.holders.pop(customer, ()):
                self.settled(key)
            self.released(customer)

    def _parent_ended(self, group: Group, parent: str, stop: Callable[[Job, str], None] | None) -> None:
        """One of a group's parents ended: the last to succeed releases it; one that did not stops every member."""
        if group.closed:
            return
        if stop is not None:
            group.closed = True
            for key in group.members:
                if key not in self.outcomes:
                    stop(self.plan.jobs[key], self.cause.get(parent, parent))
            return
        group.waiting -= 1
        if group.waiting == 0:
            self._release(group)

    def _hold(self, job: Job, cause_key: str) -> None:
        """Pending because the row it needs is pending (that row's own outcome names why)."""
        self.cause[job.key] = cause_key
        cause = self.plan.jobs[cause_key]
        self._finish(job, waiting_for(cause, self.outcomes[cause_key], self.plan.row_named(cause)))

    def _skip(self, job: Job, cause_key: str) -> None:
        self.cause[job.key] = cause_key
        cause = self.plan.jobs[cause_key]
        message = skip_message(cause, self.outcomes[cause_key], self.plan.row_named(cause))
        self._finish(job, Outcome(SKIPPED, message=message, reason=Reason.DEPENDENCY_FAILED))


#: Bits of a waiting job's priority for its arrival, its turn and its kind's order (below its customers' window):
#: 268 million jobs, 134 million of one kind for one customer, 16 kinds.
_ARRIVAL_BITS, _TURN_BITS, _KIND_BITS = 28, 27, 4
_ARRIVALS = (1 << _ARRIVAL_BITS) - 1
assert len(Kind) <= 1 << _KIND_BITS


def _priority(window: int, kind_order: int, turn: int, arrival: int) -> int:
    """(window, kind order, turn, arrival) as one int that orders as the tuple does."""
    if arrival > _ARRIVALS or turn >> _TURN_BITS:
        raise OverflowError("more waiting jobs than the executor's priorities can tell apart")
    return (((((window << _KIND_BITS) | kind_order) << _TURN_BITS) | turn) << _ARRIVAL_BITS) | arrival


def skip_message(cause: Job, outcome: Outcome, where: str = "") -> str:
    """Names the row whose failure stopped this one (``where``, as ``Plan.row_named`` says it), so the
    partner knows what to fix first."""
    if cause.row is None:
        return f"not attempted: {outcome.message}"
    where = where or f"{cause.sheet} row {cause.row}"
    return f"not attempted: {STEP_NAMES[cause.kind]} for {where} did not succeed"
