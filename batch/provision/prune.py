"""``--prune``: remove the subscribers of this batch's customers that no users row names.

The removals are planned before any job runs, from the same listings the subscriber jobs use (the memo
shares them, so planning costs no extra request), because ``--max-deletes`` is a promise about the whole
run: when more would be removed than it allows, none is and each is reported ``skipped`` with the count.
Each removal is then a job like any other, recorded in the journal, so a resume neither repeats a DELETE
nor forgets to report one the crashed run made. Never removed: the customer's ``admin_email``, any
customer, location or number (only ``DELETE /wholesale/subscribers/{id}`` is ever sent).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import anyio
import polars as pl

from batch import keys
from batch.errors import ApiError, AuthError, NotFoundError
from batch.jobs import REMOVED, SKIPPED, Job, Kind, Outcome, RowResult
from batch.plan.graph import Plan
from batch.provision.context import Context
from batch.provision.failures import attempt
from batch.provision.fields.bodies import text
from batch.provision.lookups import SUBSCRIBERS, known_customers, known_subscribers
from batch.reasons import Reason

#: What a removal leaves: Webex deletes the subscription, not the person (webex-api.md §11.5).
STAYS = (
    "the Webex user stays in the organization (Webex ends the subscription only; delete the user in Control Hub "
    "if meant)"
)


def _per_customer(found: Iterable[tuple[Job, Mapping[str, Any]]]) -> str:
    """Which customer would lose how many users (issue 18): a half-exported sheet shows as one customer's hole."""
    counts = Counter(str(job.fields.get("external_id") or "?") for job, _ in found)
    return ", ".join(f"{ext}: {n}" for ext, n in counts.most_common()) or "journalled earlier"


async def plan_removals(
    plan: Plan,
    ctx: Context,
    named: Iterable[str],
    *,
    max_deletes: int,
    removed_before: Mapping[str, Outcome] | None = None,
) -> list[Job]:
    """A ``remove`` job for each subscriber to remove (``removed_before``: removals a crashed run already
    made, kept so the resume reports them), for ``plan.with_jobs`` before any job runs."""
    keep = {str(e).casefold() for e in named if e}
    customers = [job for job in plan.jobs.values() if job.kind == Kind.CUSTOMER]
    known = await known_customers(ctx)
    found: list[tuple[Job, dict[str, Any]]] = []

    async def scan(job: Job) -> None:
        item = known.get(str(job.fields.get("external_id") or "").casefold())
        if item is None or not item.get("id"):
            return  # not on the server yet: nothing of it to remove
        admin = (text(job.fields.get("admin_email")) or "").casefold()
        try:
            listed = await known_subscribers(ctx, item["id"])
        except AuthError:
            raise
        except ApiError:
            return  # cannot list them: remove none of this customer's (its subscriber jobs report the error)
        for email, sub in listed.items():
            if email.casefold() not in keep and email.casefold() != admin:
                found.append((job, sub))

    async with anyio.create_task_group() as tg:
        for job in customers:
            tg.start_soon(scan, job)
    found.sort(key=lambda pair: str(pair[1].get("email", "")).casefold())
    before = {key: o for key, o in (removed_before or {}).items() if keys.is_step(key, keys.REMOVE)}
    total = len(found) + len(before)
    refusal = None
    if total > max_deletes:
        refusal = (
            f"not removed: {total} subscribers would be removed ({_per_customer(found)}), more than --max-deletes "
            f"{max_deletes}; check the users sheet, or run again with --max-deletes {total} if they are all "
            "meant to go"
        )
    added: list[Job] = []
    for customer, sub in found:
        email = str(sub.get("email", "")).casefold()
        fields = {"email": email, "subscriber_id": sub["id"], "refused": refusal}
        fields["external_id"] = customer.fields.get("external_id")
        added.append(Job(keys.removal(email), Kind.REMOVE, "users", None, (customer.key,), {}, fields))
    for key in before:
        if key not in plan.jobs and all(job.key != key for job in added):
            added.append(Job(key, Kind.REMOVE, "users", None, (), {}, {"email": keys.natural_of(key)}))
    return added


async def remove(job: Job, ctx: Context) -> Outcome:
    """``DELETE /wholesale/subscribers/{id}``; a subscriber already gone counts as removed."""
    email = str(job.fields.get("email") or "")
    if job.fields.get("refused"):
        return Outcome(SKIPPED, message=str(job.fields["refused"]), reason=Reason.REMOVAL_REFUSED)
    sub_id = str(job.fields["subscriber_id"])
    ids = {"subscriber_id": sub_id}
    customer = job.fields.get("external_id") or "its customer"

    async def work() -> Outcome:
        with contextlib.suppress(NotFoundError):  # already gone: removed all the same
            await ctx.client.write("DELETE", f"{SUBSCRIBERS}/{sub_id}", reconcile=lambda: _gone(ctx, email))
        # DELETE ends the subscription only: the person stays a user of the org (webex-api.md §11.5)
        message = f"{email} removed from {customer}: no users row names it (--prune); {STAYS}"
        return Outcome(REMOVED, ids=ids, message=message)

    return await attempt(work, f"Could not remove subscriber {email}", "run again; it is looked up first")


async def _gone(ctx: Context, email: str) -> bool | None:
    """After a lost answer: True when the subscriber is no longer there (None sends the DELETE again)."""
    items = (await ctx.client.get(SUBSCRIBERS, params={"email": email})).get("items") or []
    return None if any(str(i.get("email", "")).casefold() == email for i in items) else True


def removal_results(plan: Plan, outcomes: Mapping[str, Outcome], *, not_run: str, message: str = "") -> list[RowResult]:
    """results.csv lines for the removals: sheet users, no row, the email as key (after the input rows)."""
    results = []
    for job in plan.jobs.values():
        if job.kind != Kind.REMOVE:
            continue
        outcome = outcomes.get(job.key)
        email = str(job.fields.get("email") or keys.natural_of(job.key))
        if outcome is None:
            results.append(RowResult("users", None, email, not_run, message or "would be removed (--prune)"))
        else:
            results.append(
                RowResult(
                    "users",
                    None,
                    email,
                    outcome.status,
                    outcome.message,
                    outcome.ids,
                    outcome.error_code,
                    outcome.tracking_id,
                    outcome.attempts,
                    reason=outcome.reason,
                    http_status=outcome.http_status,
                )
            )
    return results


def named_emails(users: pl.DataFrame) -> frozenset[str]:
    """Emails of every users row (the frame's raw and normalized columns), case-folded."""
    found: set[str] = set()
    for column in ("email", "email_normalized"):
        if column in users.columns:
            found.update(str(e).strip().casefold() for e in users[column].to_list() if e)
    return frozenset(found)
