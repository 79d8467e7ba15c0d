"""The executor's edges (``batch.run.release``): every edge of the plan once, the users of one location as one
group, and a group handing out its members one at a time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio
import pytest

from batch.jobs import CREATED, EXISTS, FAILED, PENDING, SKIPPED, Job, Kind, Outcome
from batch.plan.graph import Plan, build_plan
from batch.reasons import Reason
from batch.run.executor import Executor
from batch.run.release import Group, edges
from tests.plan.test_plan_table import S1, validated_batch
from tests.run.test_executor_slots import _Ctx

CALLING_NOT_READY = Reason.CUSTOMER_CALLING_NOT_READY


def _pairs(found: dict[str, list[str | Group]]) -> list[tuple[str, str]]:
    return sorted(
        (parent, key)
        for parent, entries in found.items()
        for entry in entries
        for key in (entry.members if isinstance(entry, Group) else [entry])
    )


def test_every_edge_once_with_a_locations_users_as_one_group(tmp_path: Path) -> None:
    plan = build_plan(validated_batch(tmp_path))
    found = edges(plan.jobs, {})
    assert _pairs(found.children) == sorted((p, key) for key, job in plan.jobs.items() for p in job.parents)
    assert not found.of("subscriber:ext@testi.fi")  # a leaf
    # the server customer's two HQ users are one group, its two users of Oulu (named in two cases) another
    [hq, at_hq, oulu, in_oulu] = found.of(S1)
    assert (hq, oulu) == ("hq:SRV-1", "location:SRV-1/oulu")
    assert isinstance(at_hq, Group) and at_hq.members == ["subscriber:srv@x.fi", "subscriber:srv4@x.fi"]
    assert isinstance(in_oulu, Group) and in_oulu.members == ["subscriber:srv2@x.fi", "subscriber:srv3@x.fi"]
    assert at_hq.waiting == 2 and found.of(oulu) == (in_oulu,) and found.of(hq) == (at_hq,)
    assert (at_hq.kind, at_hq.customer) == (Kind.SUBSCRIBER, S1)
    grouped = {key for entry in found.entries if isinstance(entry, Group) for key in entry.members}
    assert set(found.waiting) | grouped == {key for key, job in plan.jobs.items() if job.parents}
    assert not set(found.waiting) & grouped


def test_a_restored_parent_counts_as_succeeded_and_members_come_out_in_order(tmp_path: Path) -> None:
    plan = build_plan(validated_batch(tmp_path))
    found = edges(plan.jobs, {S1: Outcome(EXISTS)})
    group = found.of("location:SRV-1/oulu")[0]
    assert isinstance(group, Group) and group.waiting == 1
    assert group.left and [group.take() for _ in range(2)] == group.members and not group.left


def test_a_parent_the_plan_lacks_is_an_error() -> None:
    with pytest.raises(KeyError, match="gone"):
        edges(Plan({"a": Job("a", Kind.SUBSCRIBER, "users", 2, ("gone",))}).jobs, {})


def _location_plan(users: int, roles: bool = True) -> Plan:
    """A customer, its location, and ``users`` calling subscribers there (one group), each with its roles."""
    refs = {"customer": "customer:c", "location": "location:l"}
    jobs = [
        Job("customer:c", Kind.CUSTOMER, "customers", 2),
        Job("location:l", Kind.LOCATION, "locations", 2, ("customer:c",), {"customer": "customer:c"}),
    ]
    parents = ("customer:c", "location:l")
    for i in range(users):
        fields = {"calling": True}
        jobs.append(Job(f"sub:{i}", Kind.SUBSCRIBER, "users", i + 2, parents, refs, fields))
        if roles:
            jobs.append(Job(f"roles:{i}", Kind.ROLES, "users", i + 2, (f"sub:{i}",), {"subscriber": f"sub:{i}"}))
    return Plan({job.key: job for job in jobs})


def _run(
    plan: Plan, ends: Mapping[str, Outcome], slots: int, restored: Mapping[str, Outcome] | None = None
) -> tuple[list[str], dict[str, Outcome]]:
    """Runs ``plan``; a job in ``ends`` ends so, any other is created. Returns the keys in the order they ran."""
    ran: list[str] = []

    async def action(job: Job, ctx: Any) -> Outcome:
        ran.append(job.key)
        await anyio.sleep(0)
        return ends.get(job.key, Outcome(CREATED, ids={"id": job.key}))

    executor = Executor(plan, dict.fromkeys(Kind, action), _Ctx(), slots=slots, restored=restored)  # type: ignore[arg-type]
    return ran, dict(anyio.run(executor.run))


@pytest.mark.parametrize("slots", [0, 2])
def test_a_failed_location_skips_its_whole_group_and_their_roles(slots: int) -> None:
    failed = Outcome(FAILED, message="no such address", reason="api.client_error")
    ran, outcomes = _run(_location_plan(5), {"location:l": failed}, slots)
    assert ran == ["customer:c", "location:l"]
    users = [key for key in outcomes if key.startswith(("sub:", "roles:"))]
    assert len(users) == 10 and all(outcomes[key].status == SKIPPED for key in users)
    assert outcomes["sub:3"].message == "not attempted: creating the location for locations row 2 did not succeed"
    assert outcomes["roles:3"].message == outcomes["sub:3"].message  # the first cause, not its subscriber


@pytest.mark.parametrize("slots", [0, 2])
def test_a_customer_whose_calling_waits_holds_the_groups_calling_users(slots: int) -> None:
    waiting = Outcome(PENDING, ids={"org_id": "o"}, message="calling not ready", reason=CALLING_NOT_READY)
    ran, outcomes = _run(_location_plan(4), {"customer:c": waiting}, slots)
    assert ran == ["customer:c", "location:l"]  # the location is not calling work: it runs
    assert all(outcomes[f"sub:{i}"].status == PENDING for i in range(4))
    assert all(outcomes[f"roles:{i}"].status == PENDING for i in range(4))


def test_restored_members_do_not_run_again_and_release_their_roles() -> None:
    done = Outcome(CREATED, ids={"id": "x"})
    restored = {"customer:c": done, "location:l": done, "sub:0": done, "sub:2": done}
    ran, outcomes = _run(_location_plan(4), {}, slots=2, restored=restored)
    assert sorted(ran) == ["roles:0", "roles:1", "roles:2", "roles:3", "sub:1", "sub:3"]
    assert all(outcome.status == CREATED for outcome in outcomes.values()) and len(outcomes) == 10


def test_a_released_group_waits_as_one_entry_of_the_ready_queue() -> None:
    """1,000 users of one location wait for one slot: the queue holds their group, not an entry per user (it held
    999 ints, and every user's edges, before)."""
    plan = _location_plan(1000, roles=False)
    queued: list[int] = []

    async def action(job: Job, ctx: Any) -> Outcome:
        queued.append(len(executor.ready))
        await anyio.sleep(0)
        return Outcome(CREATED, ids={"id": job.key})

    executor = Executor(plan, dict.fromkeys(Kind, action), _Ctx(), slots=1)  # type: ignore[arg-type]
    outcomes = anyio.run(executor.run)
    assert len(outcomes) == len(plan.jobs) == len(queued) and all(o.status == CREATED for o in outcomes.values())
    assert max(queued) <= 1 and len(executor._queued) == 2  # the location, then the group
