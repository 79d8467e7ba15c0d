"""A run takes the customers a window at a time and lets each go when its last job ends (issue 22 item 2).

Why it matters: round every customer at once, each customer kept its listings and its locations' outcomes until
the run's last minutes (a user's roles, last in the rate limiter's order, waited behind every later customer),
so a run's memory grew with the batch's customers. Letting go must never cost a listing read twice nor an object
created twice: the night's requests are counted from the emulator's log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS, Job, Kind, Outcome
from batch.plan.graph import Plan
from batch.provision.context import ActionContext
from batch.run import executor as executor_module
from batch.run.executor import Executor
from tests.run.test_executor_slots import _Ctx
from tests.run.test_run_e2e import SAMPLES, TOKEN, assert_no_duplicates, operator, run
from tests.run.test_run_listings import CALLING_ORGS, ORGS, gets


def _customers_plan(customers: str, users: int) -> Plan:
    """Per customer: its location, ``users`` subscribers there (one group) and the first one's roles."""
    jobs: list[Job] = []
    for c in customers:
        ckey, loc = f"customer:{c}", f"location:{c}"
        refs = {"customer": ckey, "location": loc}
        jobs += [Job(ckey, Kind.CUSTOMER, "customers", 2), Job(loc, Kind.LOCATION, "locations", 2, (ckey,), refs)]
        jobs += [Job(f"sub:{c}{i}", Kind.SUBSCRIBER, "users", i + 2, (ckey, loc), refs) for i in range(users)]
        jobs.append(Job(f"roles:{c}0", Kind.ROLES, "users", 2, (f"sub:{c}0",), {**refs, "subscriber": f"sub:{c}0"}))
    return Plan({job.key: job for job in jobs})


def test_a_customer_is_let_go_after_its_last_job_and_before_a_later_windows_users(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(executor_module, "CUSTOMERS_AT_ONCE", 1)
    events: list[str] = []

    async def action(job: Job, ctx: Any) -> Outcome:
        events.append(job.key)
        await anyio.sleep(0)
        return Outcome(CREATED, ids={"id": job.key})

    executor = Executor(
        _customers_plan("abc", 3),
        dict.fromkeys(Kind, action),
        _Ctx(),  # type: ignore[arg-type]
        slots=1,
        settled=lambda key: events.append(f"settled {key}"),
        released=lambda customer: events.append(f"released {customer}"),
    )
    outcomes = anyio.run(executor.run)
    assert len(outcomes) == 3 * 6 and all(o.status == CREATED for o in outcomes.values())
    for c, later in (("a", "b"), ("b", "c")):
        released = events.index(f"released customer:{c}")
        # its location and its roles' subscriber (the jobs others read) are settled as it is let go ...
        assert {f"settled location:{c}", f"settled sub:{c}0", f"settled customer:{c}"} <= set(events[:released])
        # ... after its own last job, and before the next window's users start
        assert max(events.index(f"sub:{c}{i}") for i in range(3)) < released < events.index(f"sub:{later}0")
    assert [e for e in events if e.startswith("released")] == [f"released customer:{c}" for c in "abc"]


def test_customers_one_at_a_time_are_let_go_and_nothing_is_read_or_made_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over HTTP, a window of one customer: every customer of the samples is let go once per run, the memo then
    keeps only the listings every customer shares, and the night still lists each org once per kind."""
    monkeypatch.setattr(executor_module, "CUSTOMERS_AT_ONCE", 1)
    contexts: list[ActionContext] = []
    released: list[str] = []
    init, release = ActionContext.__init__, ActionContext.release

    def record_init(self: ActionContext, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        contexts.append(self)

    def record_release(self: ActionContext, customer: str) -> None:
        released.append(customer)
        release(self, customer)

    monkeypatch.setattr(ActionContext, "__init__", record_init)
    monkeypatch.setattr(ActionContext, "release", record_release)
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        first = run([SAMPLES], tmp_path / "o1", base_url)
        assert first.exit_code == 0 and {r.status for r in first.results} <= {CREATED, EXISTS}
        assert len(released) == len(set(released)) == ORGS
        assert {key[0] for key in contexts[-1]._memo} <= {"wholesale_customers", "roles"}
        before = len(operator(base_url, "requests"))
        night = run([SAMPLES], tmp_path / "o2", base_url, update=True)
        entries = operator(base_url, "requests")[before:]
        assert_no_duplicates(operator(base_url, "state"))
    assert night.exit_code == 0 and {r.status for r in night.results} == {EXISTS}
    assert len(released) == 2 * ORGS and set(released[ORGS:]) == set(released[:ORGS])
    read = gets(entries)
    assert [e for e in entries if e["method"] != "GET"] == []
    assert (read["/locations"], read["/telephony/config/locations"]) == (ORGS, CALLING_ORGS)
    assert read["/wholesale/subscribers"] == ORGS + 1  # one page each (+ the scope check): none listed twice
