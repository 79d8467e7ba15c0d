"""What a sync run (``--update``, ``--prune``) adds around the executor: journal trust and planned removals.

A job's key names its object, not the row's content, so a journal entry alone cannot tell whether the
row changed since: each recorded outcome is stored with a fingerprint of the job's fields (the journal's
``fingerprint`` column), and a restored job whose row has changed is run again (it looks its object up and
compares; no write when nothing differs).
Outcomes that only *named* differences (``exists`` without ``--update``) are not recorded at all, so a
later ``--update`` run compares again instead of trusting them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Set

from batch import keys
from batch.jobs import CREATED, EXISTS, REMOVED, UPDATED, Job, Kind, Outcome
from batch.plan.graph import Plan

#: One encoder for every fingerprint (``json.dumps`` with options builds a new one per call); same output.
_ENCODE = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False).encode


def fingerprint(job: Job) -> str:
    """A short hash of what the job was asked to do (its fields, not the row number)."""
    fields = {k: v for k, v in job.fields.items() if not str(k).startswith("_")}
    return hashlib.blake2b(_ENCODE(fields).encode(), digest_size=8).hexdigest()


def journal_copy(job: Job, outcome: Outcome) -> Outcome | None:
    """The outcome as the journal keeps it; None: do not record it."""
    if outcome.changes and outcome.status != UPDATED:
        return None  # differences named but not applied: a later run must compare again
    return outcome


def trusted(plan: Plan, done: Mapping[str, Outcome], fingerprints: Mapping[str, str]) -> dict[str, Outcome]:
    """Journal outcomes still true for this plan: a job whose fields changed since is run again (a job
    recorded before fingerprints were kept is trusted)."""
    kept: dict[str, Outcome] = {}
    for key, outcome in done.items():
        mark = fingerprints.get(key)
        job = plan.jobs.get(key)
        if job is not None and mark is not None and mark != fingerprint(job):
            continue
        kept[key] = outcome
    return kept


@dataclasses.dataclass(frozen=True, slots=True)
class SyncSetup:
    """What the journal lets a sync run trust, and what ``--prune`` needs once the client is up."""

    prune: bool
    max_deletes: int
    named: frozenset[str]  # every email the users sheet names, valid or not (an invalid row still keeps it)
    done: Mapping[str, Outcome]
    interrupted: Set[str]
    unfinished: frozenset[str] = frozenset()  # jobs the journal saw fail (their work is not a change)

    def removed_before(self) -> dict[str, Outcome]:
        """Removals the crashed run already made: the resume reports them instead of planning them again."""
        return {
            key: outcome
            for key, outcome in self.done.items()
            if keys.is_step(key, keys.REMOVE) and key in self.interrupted and outcome.status == REMOVED
        }


def restore(plan: Plan, done: Mapping[str, Outcome], *, interrupted: Set[str] = frozenset()) -> dict[str, Outcome]:
    """Journal outcomes of this plan's jobs, as this run reports them: what a run that crashed created
    (``interrupted``) is still this batch's ``created``; work of runs that finished is ``exists``.

    An update the interrupted run applied keeps its changes (the report must still say what changed); work
    of a finished run is ``exists`` with no differences left, so its old changes are dropped."""
    restored: dict[str, Outcome] = {}
    for key, outcome in done.items():
        if key not in plan.jobs:
            continue
        status = outcome.status if key in interrupted and outcome.status in (CREATED, UPDATED, REMOVED) else EXISTS
        changes = outcome.changes if status == UPDATED else ()
        if status == EXISTS:
            note = "done by an earlier run (journal)"
        elif changes:
            note = f"updated {'; '.join(changes)}, before the interruption (journal)"
        else:
            note = "done before the interruption (journal)"
        restored[key] = dataclasses.replace(outcome, status=status, message=note, attempts=0, changes=changes)
    return restored


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
