"""``run --plan``: only the approved rows' work, and an object that changed since the plan is left alone.

The run's plan keeps the jobs of the rows the saved plan acts on (create, update) and the jobs they need
(a user's customer, looked up); every other row is reported as the plan said. Before a customer, location or
subscriber job runs, the object is read again through the same listings the plan read and fingerprinted: a
different fingerprint (changed, created or removed on the server since) makes the job ``skipped``, naming
the fields that changed, and so does everything that needs it. ``--prune`` removes only the subscribers the
plan named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batch.change.saved import NOTHING, SavedPlan, SavedRow
from batch.jobs import CREATED, SKIPPED, Job, Kind, Outcome, RowResult, Status
from batch.plan.graph import Plan
from batch.provision.context import Action, Context
from batch.provision.lookups import known_customers, known_subscribers, named, org_locations
from batch.provision.preview.fingerprints import object_fingerprint
from batch.reasons import Reason

CHECKED = (Kind.CUSTOMER, Kind.LOCATION, Kind.SUBSCRIBER)
SHOWN_FIELDS = 5


def approved_plan(plan: Plan, saved: SavedPlan) -> Plan:
    """The jobs of the rows the saved plan acts on, and their ancestors (look-ups the rows need)."""
    acting = [key for key, row in saved.by_row.items() if row.action != NOTHING]
    keep: set[str] = set()
    stack = [job for row in acting for job in plan.rows.get(row, ())]
    while stack:
        key = stack.pop()
        if key not in keep:
            keep.add(key)
            stack.extend(plan.jobs[key].parents)
    rows = {row: plan.rows[row] for row in acting if row in plan.rows}
    return Plan({k: j for k, j in plan.jobs.items() if k in keep}, rows, plan.merged)


def approved_actions(actions: Mapping[Kind, Action], saved: SavedPlan) -> dict[Kind, Action]:
    shaped = dict(actions)
    for kind in CHECKED:
        shaped[kind] = _checked(actions[kind], saved)
    shaped[Kind.REMOVE] = _approved_removal(actions[Kind.REMOVE], saved)
    return shaped


def _checked(action: Action, saved: SavedPlan) -> Action:
    async def checked(job: Job, ctx: Context) -> Outcome:
        row = saved.by_row.get((job.source, job.sheet, job.row)) if job.row is not None else None
        if row is None or row.fingerprint is None:
            return await action(job, ctx)
        now = await current_object(job, ctx)
        if object_fingerprint(now) != row.fingerprint:
            message = f"drift: {describe(row, now)} since the plan was saved; nothing was sent for it: {PLAN_AGAIN}"
            return Outcome(SKIPPED, message=message, reason=Reason.PLAN_DRIFT)
        return await action(job, ctx)

    return checked


PLAN_AGAIN = "run plan --save again and have it approved"


def _approved_removal(action: Action, saved: SavedPlan) -> Action:
    allowed = saved.removals()

    async def approved(job: Job, ctx: Context) -> Outcome:
        if str(job.fields.get("email", "")).casefold() not in allowed:
            message = f"not in the approved plan {saved.path.name}: nothing was sent; {PLAN_AGAIN}"
            return Outcome(SKIPPED, message=message, reason=Reason.PLAN_DRIFT)
        return await action(job, ctx)

    return approved


async def current_object(job: Job, ctx: Context) -> Mapping[str, Any] | None:
    """The object as the plan's look-up read it, read now (None: not on the server)."""
    if job.kind is Kind.CUSTOMER:
        return (await known_customers(ctx)).get(str(job.fields.get("external_id") or "").casefold())
    parent = ctx.outcomes.get(job.refs.get("customer", ""))
    if parent is None or parent.status == CREATED:  # a customer this run created holds nothing else yet
        return None
    if job.kind is Kind.LOCATION:
        org_id = parent.ids.get("org_id", "")
        return named(await org_locations(ctx, org_id), str(job.fields.get("location_name") or "")) if org_id else None
    email = str(job.fields.get("email_normalized") or "").lower()
    return (await known_subscribers(ctx, parent.ids.get("customer_id", ""))).get(email)


def describe(row: SavedRow, now: Mapping[str, Any] | None) -> str:
    """What changed, in the words a person approving the plan needs."""
    if row.seen is None:
        return f"{row.key} was created on the server"
    if now is None:
        return f"{row.key} is no longer on the server"
    keys = sorted(set(row.seen) | set(now))
    changed = [f"{k}: {_short(row.seen.get(k))} → {_short(now.get(k))}" for k in keys if row.seen.get(k) != now.get(k)]
    more = f" (+{len(changed) - SHOWN_FIELDS} more)" if len(changed) > SHOWN_FIELDS else ""
    return f"{row.key} changed on the server ({'; '.join(changed[:SHOWN_FIELDS])}{more})"


def _short(value: Any) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def planned_results(results: list[RowResult], saved: SavedPlan) -> list[RowResult]:
    """Rows the plan does not act on are reported as the plan said (its status and words)."""
    out = []
    for r in results:
        row = saved.by_row.get((r.source, r.sheet, r.row)) if r.row is not None else None
        if row is not None and row.action == NOTHING and r.status not in (Status.INVALID,):
            r = RowResult(
                r.sheet, r.row, r.key, _status(row.status), f"as planned: {row.message}", reason="", source=r.source
            )
        out.append(r)
    return out


def _status(value: str) -> str:
    return Status(value) if value in tuple(Status) else value
