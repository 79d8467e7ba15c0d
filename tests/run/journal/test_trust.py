"""The journal's side of a sync (pure): fingerprints decide what a restored job is still true for, and a
resume finishes the adding steps a crashed run left (they are its own work, not a change of the row)."""

from __future__ import annotations

import dataclasses

from batch.jobs import CREATED, EXISTS, UPDATED, Job, Kind, Outcome
from batch.plan.graph import Plan
from batch.run.journal.trust import fingerprint, journal_copy, restore, trusted, unfinished_work


def job(key: str, kind: Kind = Kind.SUBSCRIBER, **fields: object) -> Job:
    return Job(key, kind, "users", 2, fields={"package_resolved": "webex_calling", "_row": 2, **fields})


def test_a_row_that_changed_since_the_journal_is_run_again() -> None:
    old = job("subscriber:a@x.fi")
    recorded = journal_copy(old, Outcome(CREATED, ids={"subscriber_id": "S1"}))
    assert recorded is not None
    marks = {old.key: fingerprint(old)}
    same = Plan(jobs={old.key: dataclasses.replace(old, row=7, fields={**old.fields, "_row": 7})})
    assert trusted(same, {old.key: recorded}, marks) == {old.key: Outcome(CREATED, ids={"subscriber_id": "S1"})}
    moved = Plan(jobs={old.key: job(old.key, package_resolved="webex_meetings")})
    assert trusted(moved, {old.key: recorded}, marks) == {}
    legacy = Outcome(EXISTS, ids={"subscriber_id": "S1"})  # journals from before fingerprints are trusted
    assert trusted(moved, {old.key: legacy}, {}) == {old.key: legacy}


def test_the_journal_copy_keeps_every_field_of_the_outcome_and_a_stable_fingerprint() -> None:
    every = {f.name for f in dataclasses.fields(Outcome)}
    images = {"before": {"packages": ["a"]}, "after": {"packages": ["b"]}}
    outcome = Outcome("updated", {"subscriber_id": "S1"}, "m", 409, "RTMBATCH_x_1", 3, ("package: a → b",), "r", 400)
    outcome = dataclasses.replace(outcome, **images)
    assert {k for k, v in dataclasses.asdict(outcome).items() if v} == every  # all set: none can be dropped
    copy = journal_copy(job("subscriber:a@x.fi", name="Äino"), outcome)
    assert copy == outcome  # the ids stay the object's ids: the fingerprint has a journal column of its own
    assert fingerprint(job("subscriber:a@x.fi", name="Äino")) == "bf70409d12bbb261"  # as older journals hold it


def test_differences_only_named_are_not_journaled() -> None:
    named = Outcome(EXISTS, changes=("package: a → b",))
    assert journal_copy(job("subscriber:a@x.fi"), named) is None


def test_a_resume_finishes_the_adding_steps_of_the_crashed_run() -> None:
    plan = Plan(
        jobs={
            "numbers:c/hq": job("numbers:c/hq", Kind.NUMBERS),
            "main:c/hq": job("main:c/hq", Kind.MAIN_NUMBER),
            "location:c/hq": job("location:c/hq", Kind.LOCATION),
        }
    )
    restored = {"main:c/hq": Outcome(CREATED)}
    failed = frozenset({"roles:x@y.fi"})
    assert unfinished_work(plan, failed, restored, resuming=False) == failed
    assert unfinished_work(plan, failed, restored, resuming=True) == failed | {"numbers:c/hq"}


def test_a_restored_update_keeps_its_changes_only_when_it_is_this_batch_s_work() -> None:
    """Resuming a crashed ``--update`` run still says what it changed; after a finished run nothing differs."""
    sub = job("subscriber:a@x.fi")
    done = {sub.key: Outcome(UPDATED, {"subscriber_id": "S1"}, "updated package: a → b", changes=("package: a → b",))}
    resumed = restore(Plan(jobs={sub.key: sub}), done, interrupted={sub.key})[sub.key]
    assert (resumed.status, resumed.changes) == (UPDATED, ("package: a → b",))
    assert resumed.message == "updated package: a → b, before the interruption (journal)"
    later = restore(Plan(jobs={sub.key: sub}), done)[sub.key]
    assert (later.status, later.changes, later.message) == (EXISTS, (), "done by an earlier run (journal)")
