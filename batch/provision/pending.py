"""What waits on a ``pending`` row: Webex accepted it and finishes it outside the tool (contract §3).

Why a policy and not "skip the children": a pending row is not a failure. Work that needs what Webex has
not finished waits (``pending`` too, naming the row it waits for) and the next run reads the state and goes
on; work that does not need it goes on now (a customer whose calling package is not ready still gets its
locations and its meetings users).
"""

from __future__ import annotations

from collections.abc import Mapping

from batch.jobs import PENDING, STEP_NAMES, Job, Kind, Outcome
from batch.reasons import Reason

#: Work a customer's calling package must be ready for.
CALLING_WORK = frozenset({Kind.CALLING, Kind.NUMBERS, Kind.MAIN_NUMBER})


def holds(parent: Outcome) -> bool:
    """Whether a pending ``parent`` holds its children: yes, unless it is a customer that is there and only
    its calling waits (its calling work is held where it starts, however deep: ``held_by``)."""
    return not (parent.reason == Reason.CUSTOMER_CALLING_NOT_READY and parent.ids)


def needs_calling(job: Job) -> bool:
    return job.kind in CALLING_WORK or (job.kind is Kind.SUBSCRIBER and bool(job.fields.get("calling")))


def held_by(job: Job, outcomes: Mapping[str, Outcome]) -> str | None:
    """The key of the customer whose calling is not ready when ``job`` is calling work of that customer (a
    location's calling waits for its customer's package though its parent is the location)."""
    customer = job.refs.get("customer")
    outcome = outcomes.get(customer) if customer else None
    if outcome is None or outcome.reason != Reason.CUSTOMER_CALLING_NOT_READY or not needs_calling(job):
        return None
    return customer


def waiting_for(cause: Job, outcome: Outcome, where: str = "") -> Outcome:
    """The outcome of work held by a pending row: pending too, naming that row (``where``, as
    ``Plan.row_named`` says it) and why it waits."""
    if cause.row is None:
        where = cause.key
    where = where or f"{cause.sheet} row {cause.row}"
    message = f"waiting: {STEP_NAMES[cause.kind]} for {where} is pending ({outcome.message})"
    return Outcome(PENDING, message=message, reason=outcome.reason)
