"""Customer-level actions: find or provision a wholesale customer, look one up, find its headquarters location.

Idempotency rests on the partner's ``externalId``: every customer is looked up before it is provisioned.
All wholesale customers are listed once per run (one paged listing shared by every customer job through
the context's memo) instead of one look-up per customer; a single customer is fetched by ``externalId``
only after a write whose answer was lost or refused with 409, when the listing cannot know the answer.

Provisioning is asynchronous (202, then ``provisioning`` → ``provisioned``): the job polls the customer
with a growing wait, so a batch of 300 customers waits in parallel without spending the rate budget.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import anyio

from batch.api.client import HANDSHAKE_FAILED
from batch.errors import ApiError, AuthError, ConflictError
from batch.jobs import CREATED, EXISTS, FAILED, PENDING, Job, Outcome
from batch.provision import updates
from batch.provision.context import Context
from batch.provision.failures import attempt, failed
from batch.provision.fields.bodies import customer_body, text
from batch.provision.fields.compare import package_list
from batch.provision.lookups import CUSTOMERS, Known, customer_by_external_id, known_customers
from batch.reasons import Reason
from schemas.vocab import CALLING_PACKAGES

POLL_FACTOR = 1.5
POLL_CAP = 15.0
#: errorCode of a calling package's warning "Webex Calling services are unavailable due to maintenance".
CALLING_MAINTENANCE = 2560
#: Statuses that end by themselves; the job waits for them.
WAITING = frozenset({"provisioning", "updating"})
ERROR_STATES = frozenset({"provisioned_with_errors", "error"})


# ---- customer ----------------------------------------------------------------------------------------


async def customer(job: Job, ctx: Context) -> Outcome:
    """Report the customer ``exists`` (once provisioned) or provision it and wait until it is."""
    ext = text(job.fields.get("external_id")) or ""

    async def work() -> Outcome:
        found = await _find(ctx, ext)
        known = await known_customers(ctx)
        if found is not None:
            outcome = await _settle(ctx, ext, found, EXISTS, known)
            settle = lambda item: _settle(ctx, ext, item, EXISTS, known)  # noqa: E731
            latest = known.get(ext.casefold(), found)  # _settle keeps the last poll there
            return await updates.sync_customer(job, ctx, latest, outcome, settle)
        return await _provision(job, ctx, ext, known)

    return await attempt(work, f"Could not provision customer {ext}", _hint)


async def customer_ref(job: Job, ctx: Context) -> Outcome:
    """A customer a row names but the batch does not hold: it must already be on the server."""
    ext = text(job.fields.get("external_id")) or ""

    async def work() -> Outcome:
        found = await _find(ctx, ext)
        known = await known_customers(ctx)
        if found is None:
            message = (
                f"customer {ext} is neither in this batch nor on the server: add it to the customers sheet "
                "or correct customer_external_id"
            )
            return Outcome(FAILED, message=message, reason=Reason.CUSTOMER_NOT_FOUND)
        return await _settle(ctx, ext, found, EXISTS, known)

    return await attempt(work, f"Could not look up customer {ext}")


async def _find(ctx: Context, ext: str) -> dict[str, Any] | None:
    """The customer from the run's one listing, else by ``?externalId=``: a listing read page by page while
    others write may miss one (§10.6), and provisioning a customer twice cannot be undone."""
    found = (await known_customers(ctx)).get(ext.casefold())
    return found if found is not None else await customer_by_external_id(ctx, ext)


async def _provision(job: Job, ctx: Context, ext: str, known: Known) -> Outcome:
    try:
        # patient: after any unclear answer, look for ~2 minutes before a second POST (lists lag, §10.8)
        written = await ctx.client.write(
            "POST",
            CUSTOMERS,
            json=customer_body(job.fields),
            reconcile=lambda: customer_by_external_id(ctx, ext),
            patient=True,
        )
    except ConflictError as err:  # it is there: a listing that lags (§10.8) may not show it for a while
        found = await ctx.client.look_patiently(lambda: customer_by_external_id(ctx, ext))
        if found is None:
            return failed(f"Could not provision customer {ext}", err, _hint(err))
        known[ext.casefold()] = found
        return await _settle(ctx, ext, found, EXISTS, known)
    if written.found is not None:
        item = written.found
    else:
        url = written.location or (written.body or {}).get("url") or ""
        item = {"id": url.rstrip("/").rsplit("/", 1)[-1], "externalId": ext, "status": "provisioning"}
    known[ext.casefold()] = item
    return await _settle(ctx, ext, item, CREATED, known)


async def _settle(ctx: Context, ext: str, item: dict[str, Any], status: str, known: Known) -> Outcome:
    """Wait while the customer is being provisioned, then judge its final status."""
    waited, wait = 0.0, ctx.poll_initial
    while item.get("status") in WAITING:
        if waited >= ctx.provisioning_patience:
            minutes = round(waited / 60, 1)
            message = (
                f"customer {ext} is still {item.get('status')} after {minutes:g} minutes of this run: Webex goes "
                "on by itself; the next run reads its state and goes on (it is never provisioned twice)"
            )
            return Outcome(PENDING, ids=_ids(item), message=message, reason=Reason.CUSTOMER_STILL_PROVISIONING)
        await anyio.sleep(wait)
        waited += wait
        wait = min(wait * POLL_FACTOR, POLL_CAP)
        item = await ctx.client.get(f"{CUSTOMERS}/{item['id']}")
        known[ext.casefold()] = item
    outcome = _judge(ext, item, status)
    # A new org answers 403 until the partner has asked for it (§10.1, REFAPP JourneyManager); a customer
    # whose calling waits has its org already, and its other work goes on.
    if outcome.ok or (outcome.status == PENDING and item.get("orgId")):
        try:
            await ctx.client.manage_org(str(item["orgId"]))
        except ApiError as err:
            if isinstance(err, AuthError) or err.status not in (403, 404):
                raise
            hint = "check the partner's roles, then run again"
            return failed(f"customer {ext}: {HANDSHAKE_FAILED}", err, hint, Reason.CUSTOMER_NOT_MANAGEABLE)
    if outcome.status == CREATED:  # undo (issue 20) leaves a customer whose packages changed since alone
        return dataclasses.replace(outcome, after={"packages": sorted(package_list(item))})
    return outcome


def _judge(ext: str, item: Mapping[str, Any], status: str) -> Outcome:
    state = item.get("status")
    if state == "provisioned" and item.get("orgId"):
        held = _calling_not_ready(item)
        if held:
            message = (
                f"customer {ext} is provisioned but its calling package is not ready ({held}): its calling work "
                "waits; the next run checks the package again"
            )
            return Outcome(PENDING, ids=_ids(item), message=message, reason=Reason.CUSTOMER_CALLING_NOT_READY)
        return Outcome(status, ids=_ids(item))
    problems = _problems(item)
    listed = "; ".join(f"[{code}] {text}" if code is not None else text for code, text in problems)
    code = next((c for c, _ in problems if c is not None), None)
    reason = Reason.CUSTOMER_UNKNOWN_STATE
    if state in ERROR_STATES:
        reason = Reason.CUSTOMER_PROVISIONING_ERROR
        fix = (
            "the organization exists but is incomplete: fix it in Partner Hub (Customers), then run again"
            if state == "provisioned_with_errors"
            else "remove the failed customer in Partner Hub, fix the cause, then run again"
        )
        message = f"customer {ext} provisioning ended {state}: {listed or 'no errors given'}; {fix}"
    elif state == "pending_rpl_review":
        message = (
            f"customer {ext} waits for a Denied Party List compliance review (pending_rpl_review): the next "
            "run checks it again (it is never provisioned twice)"
        )
        return Outcome(PENDING, ids=_ids(item), message=message, reason=Reason.CUSTOMER_RPL_REVIEW)
    else:
        message = f"customer {ext} is {state or 'in an unknown state'}, not provisioned: check it in Partner Hub"
    return Outcome(FAILED, ids=_ids(item), message=message, error_code=code, reason=reason)


def _calling_not_ready(item: Mapping[str, Any]) -> str:
    """Why a provisioned customer's calling package cannot be used yet ("" when it can): the package in
    ``status: error``, or its warning 2560 (Webex Calling under maintenance; webex-api.md §11.2)."""
    for package in (item.get("resourceDetails") or {}).get("packages") or []:
        if package.get("name") not in CALLING_PACKAGES:
            continue
        issues = [*(package.get("errors") or []), *(package.get("warnings") or [])]
        if package.get("status") == "error" or any(_code(i) == CALLING_MAINTENANCE for i in issues):
            said = "; ".join(f"[{_code(i)}] {i.get('description') or ''}".strip() for i in issues)
            return f"{package.get('name')} {package.get('status') or ''}".strip() + (f": {said}" if said else "")
    return ""


def _problems(item: Mapping[str, Any]) -> list[tuple[int | None, str]]:
    """Every error of the customer and of its packages (warnings too: they explain provisioned_with_errors)."""
    found = [(_code(e), str(e.get("description") or "")) for e in item.get("errors") or [] if isinstance(e, dict)]
    for package in (item.get("resourceDetails") or {}).get("packages") or []:
        for error in [*(package.get("errors") or []), *(package.get("warnings") or [])]:
            found.append((_code(error), f"{package.get('name')}: {error.get('description') or ''}"))
    return found


def _code(error: Mapping[str, Any]) -> int | None:
    try:
        return int(error["errorCode"])
    except (KeyError, TypeError, ValueError):
        return None


def _ids(item: Mapping[str, Any]) -> dict[str, str]:
    ids = {"customer_id": item.get("id"), "org_id": item.get("orgId")}
    return {k: v for k, v in ids.items() if v}


def _hint(err: ApiError) -> str:
    if err.status == 409:
        return "another customer may hold this admin email or external_id: check Partner Hub"
    if err.status == 400:
        return "correct the row and run again"
    return ""
