"""What a sync run (``--update``, ``--prune``) adds around the executor: journal trust and planned removals.

A job's key names its object, not the row's content, so a journal entry alone cannot tell whether the
row changed since: each recorded outcome carries a fingerprint of the job's fields, and a restored job
whose row has changed is run again (it looks its object up and compares; no write when nothing differs).
Outcomes that only *named* differences (``exists`` without ``--update``) are not recorded at all, so a
later ``--update`` run compares again instead of trusting them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Set
from typing import Any

from batch.jobs import REMOVED, UPDATED, Job, Kind, Outcome
from batch.plan.graph import Plan
from batch.provision.context import ActionContext
from batch.provision.prune import PREFIX, plan_removals
from batch.run.executor import restore

FINGERPRINT = "_fp"


#: One encoder for every fingerprint (``json.dumps`` with options builds a new one per call); same output.
_ENCODE = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False).encode


def fingerprint(job: Job) -> str:
    """A short hash of what the job was asked to do (its fields, not the row number)."""
    fields = {k: v for k, v in job.fields.items() if not str(k).startswith("_")}
    return hashlib.blake2b(_ENCODE(fields).encode(), digest_size=8).hexdigest()


def journal_copy(job: Job, outcome: Outcome) -> Outcome | None:
    """The outcome as the journal keeps it, with the job's fingerprint; None: do not record it."""
    if outcome.changes and outcome.status != UPDATED:
        return None  # differences named but not applied: a later run must compare again
    o = outcome  # built directly: ``dataclasses.replace`` introspects the fields on every call (once per job)
    ids = {**o.ids, FINGERPRINT: fingerprint(job)}
    return Outcome(
        status=o.status,
        ids=ids,
        message=o.message,
        error_code=o.error_code,
        tracking_id=o.tracking_id,
        attempts=o.attempts,
        changes=o.changes,
    )


def trusted(plan: Plan, done: Mapping[str, Outcome]) -> dict[str, Outcome]:
    """Journal outcomes still true for this plan: a job whose fields changed since is run again."""
    kept: dict[str, Outcome] = {}
    for key, outcome in done.items():
        ids = dict(outcome.ids)
        mark = ids.pop(FINGERPRINT, None)
        job = plan.jobs.get(key)
        if job is not None and mark is not None and mark != fingerprint(job):
            continue
        kept[key] = dataclasses.replace(outcome, ids=ids)
    return kept


@dataclasses.dataclass(frozen=True, slots=True)
class SyncSetup:
    """Everything the runner needs to plan removals once the client is up."""

    prune: bool
    max_deletes: int
    named: frozenset[str]  # every email the users sheet names, valid or not (an invalid row still keeps it)
    done: Mapping[str, Outcome]
    interrupted: Set[str]
    unfinished: frozenset[str] = frozenset()  # jobs the journal saw fail (their work is not a change)

    async def extend(
        self, plan: Plan, ctx: ActionContext, restored: dict[str, Outcome], logs: tuple[Any, ...] = ()
    ) -> None:
        """Plan the removals (``--prune``), restore those a crashed run already made, and tell the progress
        display (it was started with the plan's jobs before the removals were known)."""
        if not self.prune:
            return
        before = {
            key: o
            for key, o in self.done.items()
            if key.startswith(PREFIX) and key in self.interrupted and o.status == REMOVED
        }
        added = await plan_removals(plan, ctx, self.named, max_deletes=self.max_deletes, removed_before=before)
        for log in logs:
            if added and isinstance(getattr(log, "total", None), int):
                log.total += len(added)
            if hasattr(log, "note"):
                refused = sum(1 for job in added if job.fields.get("refused"))
                log.note(
                    f"--prune: {len(added)} subscriber(s) to remove"
                    + (" (over --max-deletes: none will be)" if refused else "")
                )
        restored.update(
            restore(
                plan, {k: o for k, o in before.items() if k in {j.key for j in added}}, interrupted=self.interrupted
            )
        )


#: Setup steps that only add (numbers, a main number, roles): after a crash they may be the crashed run's
#: unfinished work on an object it created but had not journaled yet, so a resume does them, as that run would.
ADDING = frozenset({Kind.NUMBERS, Kind.MAIN_NUMBER, Kind.ROLES})


def unfinished_work(
    plan: Plan, failed: frozenset[str], restored: Mapping[str, Outcome], resuming: bool
) -> frozenset[str]:
    """Jobs whose additions are the batch's own unfinished work rather than a change of the row: those the
    journal saw fail, and, when resuming a crashed run, every adding step it did not finish."""
    if not resuming:
        return failed
    pending = {key for key, job in plan.jobs.items() if job.kind in ADDING and key not in restored}
    return failed | frozenset(pending)
