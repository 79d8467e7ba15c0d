"""``JobMap``: a plain users row's subscriber job kept as numbers and made as a ``Job`` when read (issue 22 item 2),
read as the dict of jobs it replaces."""

from __future__ import annotations

import gc
from pathlib import Path

import polars as pl

from batch.jobs import Job, Kind
from batch.plan.graph import build_plan
from batch.plan.jobmap import JobMap, Shared
from batch.plan.rows import SheetRows
from tests.plan.test_plan_table import validated_batch


def _map() -> tuple[JobMap, Job]:
    frame = pl.DataFrame({"_row": [2, 3, 5], "email_normalized": ["a@x.fi", "b@x.fi", "c@x.fi"]})
    jobs = JobMap()
    customer = Job("customer:C", Kind.CUSTOMER, "customers", 2)
    jobs[customer.key] = customer
    shared = jobs.shared(
        Shared(Kind.SUBSCRIBER, "users", ("customer:C",), {"customer": "customer:C"}, "u.csv", SheetRows(frame))
    )
    jobs.add_row_job("subscriber:c@x.fi", shared, 5, 2)
    jobs.add_row_job("subscriber:a@x.fi", shared, 2, 0)
    return jobs, customer


def test_a_compact_job_reads_as_the_job_of_its_row() -> None:
    jobs, customer = _map()
    job = jobs["subscriber:c@x.fi"]
    assert (job.kind, job.sheet, job.row, job.parents, dict(job.refs), job.source) == (
        Kind.SUBSCRIBER,
        "users",
        5,
        ("customer:C",),
        {"customer": "customer:C"},
        "u.csv",
    )
    assert dict(job.fields) == {"_row": 5, "email_normalized": "c@x.fi"}
    assert list(jobs) == ["customer:C", "subscriber:c@x.fi", "subscriber:a@x.fi"]  # the order they were added in
    assert [j.row for j in jobs.values()] == [2, 5, 2]
    assert jobs["customer:C"] is customer and jobs.get("nothing") is None and "subscriber:a@x.fi" in jobs


def test_a_copy_and_the_map_change_apart() -> None:
    jobs, _ = _map()
    copied = jobs.copy()
    copied.pop("subscriber:a@x.fi")
    copied["roles:c@x.fi"] = Job("roles:c@x.fi", Kind.ROLES, "users", 5, ("subscriber:c@x.fi",))
    assert len(jobs) == 3 and "roles:c@x.fi" not in jobs
    assert list(copied) == ["customer:C", "subscriber:c@x.fi", "roles:c@x.fi"]
    assert copied["subscriber:c@x.fi"] == jobs["subscriber:c@x.fi"]


def test_shrinking_keeps_every_job_left_in_its_order() -> None:
    jobs, customer = _map()
    del jobs["subscriber:c@x.fi"]
    before = {key: jobs[key] for key in jobs}
    jobs.shrink()
    assert {key: jobs[key] for key in jobs} == before and list(jobs) == ["customer:C", "subscriber:a@x.fi"]
    jobs.add_row_job("subscriber:b@x.fi", 0, 3, 1)
    assert jobs["subscriber:b@x.fi"].row == 3 and jobs["customer:C"] is customer


def test_a_plan_holds_no_job_object_for_a_plain_users_row(tmp_path: Path) -> None:
    """The memory the change is for: the users rows' subscriber jobs are not ``Job`` objects until read."""
    plan = build_plan(validated_batch(tmp_path))
    subscribers = sum(1 for job in plan.jobs.values() if job.kind is Kind.SUBSCRIBER)
    gc.collect()
    held = [o for o in gc.get_objects() if isinstance(o, Job) and o.kind is Kind.SUBSCRIBER]
    assert subscribers >= 5
    assert len(held) <= 1, held  # the repeated email's row takes the general path


def test_a_plan_keeps_no_key_of_a_plain_users_rows_subscriber(tmp_path: Path) -> None:
    """Nor its key: the job and its row hold its code, and the key is made from the row when read (~90 bytes a
    user for the whole run, 9 MiB at 100,000 users)."""
    plan = build_plan(validated_batch(tmp_path))
    assert isinstance(plan.jobs, JobMap)
    subscribers = [key for key, job in plan.jobs.items() if job.kind is Kind.SUBSCRIBER]
    kept = [key for key in plan.jobs._jobs if key.startswith("subscriber:")]
    assert len(subscribers) >= 5 and len(kept) <= 1  # the repeated email's row takes the general path
    plain = [row for row, keys in plan.rows.items() if row[1] == "users" and len(keys) == 1]
    slots = [slot for part in plan.rows._parts.values() if not isinstance(part, dict) for slot in part.slots]
    assert len(plain) >= 4 and not any(isinstance(slot, str) and slot.startswith("subscriber:") for slot in slots)
    for row in plain:  # each reads as its job's key, and that job as its row's
        [key] = plan.rows[row]
        assert plan.jobs[key].row_id == row and key in subscribers


def test_a_compact_job_is_found_set_and_let_go_as_a_dict_would() -> None:
    jobs, customer = _map()
    wanted = dict(jobs.items())
    job = Job("subscriber:a@x.fi", Kind.SUBSCRIBER, "users", 2, ("customer:C",), {"x": "1"})
    jobs["subscriber:a@x.fi"] = job  # a compact job replaced keeps its place
    wanted["subscriber:a@x.fi"] = job
    assert list(jobs.items()) == list(wanted.items()) and jobs.code_of("subscriber:a@x.fi") == -1
    del jobs["subscriber:c@x.fi"]
    assert "subscriber:c@x.fi" not in jobs and jobs.get("subscriber:c@x.fi") is None and len(jobs) == 2


def test_many_compact_jobs_are_each_found_by_key_as_the_table_grows() -> None:
    emails = [f"u{n}@x.fi" for n in range(300)]
    frame = pl.DataFrame({"_row": range(2, 302), "email_normalized": emails})
    jobs = JobMap()
    part = jobs.shared(Shared(Kind.SUBSCRIBER, "users", (), {}, "u.csv", SheetRows(frame)))
    codes = {jobs.add_row_job(f"subscriber:{e}", part, n + 2, n): e for n, e in reversed(list(enumerate(emails)))}
    assert all(jobs.key_of(code) == f"subscriber:{e}" for code, e in codes.items())
    assert all(jobs[f"subscriber:{e}"].row == n + 2 for n, e in enumerate(emails))
    for e in emails[::3]:
        del jobs[f"subscriber:{e}"]
    assert len(jobs) == 200 and list(jobs) == [f"subscriber:{e}" for e in reversed(emails) if e not in emails[::3]]
    assert "subscriber:u0@x.fi" not in jobs and "subscriber:u1@x.fi" in jobs and "subscriber:nobody" not in jobs
