"""``--update``: apply the differences ``compare`` found, each with its own call; without it, only name them.

Called by the actions once they have found their object (``exists``), so a difference costs no look-up of
its own: an object that matches its row gets no write at all, and a second run of the same input sends
none. A change the task flow or the API forbids fails the row with the reason and sends nothing: a full
administrator's package is never changed (webex-api.md §3.4), nor the customer's package level (its first
package). What the server refuses is reported with its words, as any failed write.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from batch.errors import ApiError, AuthError
from batch.jobs import CREATED, EXISTS, FAILED, UPDATED, Job, Outcome
from batch.provision import people
from batch.provision.calling.calling_data import MOVE_NOT_APPLIED, calling_changes
from batch.provision.context import Context
from batch.provision.failures import failed
from batch.provision.fields.bodies import customer_body, text, wholesale_address
from batch.provision.fields.compare import (
    Change,
    customer_changes,
    customer_packages,
    customer_refusal,
    location_changes,
    location_put_body,
    merged_address,
    package_list,
    strs,
    subscriber_changes,
    subscriber_refusal,
)
from batch.provision.lookups import FULL_ADMIN, full_admins, no_calling
from batch.reasons import Reason
from schemas.vocab import CALLING_PACKAGES

NOT_APPLIED = "run with --update to apply"
#: The location fields an update's images keep (issue 20: undo puts them back with the same PUT).
LOCATION_IMAGE = ("timeZone", "preferredLanguage", "address")


# ---- how a difference ends ----------------------------------------------------------------------


def reported(outcome: Outcome, changes: Sequence[Change], refusal: str | None = None) -> Outcome:
    """Without ``--update``: the object stays as it is, ``exists``; the message names each difference."""
    note = f"differs: {'; '.join(strs(changes))} ({'--update would refuse it: ' + refusal if refusal else NOT_APPLIED})"
    message = f"{outcome.message}; {note}" if outcome.message else note
    return dataclasses.replace(outcome, message=message, changes=strs(changes))


def refused(outcome: Outcome, changes: Sequence[Change], reason: str) -> Outcome:
    """A forbidden change: the row fails with the reason, nothing is sent (the object is still usable, so
    the executor lets the jobs that need it go on)."""
    return Outcome(
        FAILED, ids=outcome.ids, message=f"not changed: {reason}", changes=strs(changes), reason=Reason.UPDATE_REFUSED
    )


def applied(outcome: Outcome, changes: Sequence[Change]) -> Outcome:
    return dataclasses.replace(
        outcome, status=UPDATED, message=f"updated {'; '.join(strs(changes))}", changes=strs(changes)
    )


def write_failed(outcome: Outcome, what: str, err: ApiError, changes: Sequence[Change]) -> Outcome:
    """The update failed; the object itself is there (its ids are kept, so the row's other work goes on)."""
    done = failed(what, err, "nothing else was changed")
    return dataclasses.replace(done, ids=outcome.ids, changes=strs(changes))


def is_change(ctx: Context, job: Job, parent_created: bool) -> bool:
    """Replacing a main number of an object this batch made is the row's own setup (created); of an object
    that was already there it is a change (``--update``), unless the journal saw this very job fail before
    (then it is unfinished work, done now). What is only added (numbers, roles, a first main number) is
    never a change: it is created either way."""
    return not parent_created and job.key not in ctx.unfinished


def finish(outcome: Outcome, changes: Sequence[Change]) -> Outcome:
    """A setup step's outcome: ``created`` as before, or ``updated`` when it applied changes."""
    return applied(outcome, changes) if changes and outcome.status == CREATED else outcome


# ---- customers ----------------------------------------------------------------------------------


async def sync_customer(
    job: Job,
    ctx: Context,
    item: Mapping[str, Any],
    outcome: Outcome,
    settle: Callable[[dict[str, Any]], Awaitable[Outcome]],
) -> Outcome:
    """Packages (the complete list, webex-api.md §2.5) and address of an existing, provisioned customer."""
    if outcome.status != EXISTS:
        return outcome
    changes = customer_changes(job.fields, item)
    if not changes:
        return outcome
    refusal = customer_refusal(job.fields, item)
    if not ctx.update:
        return reported(outcome, changes, refusal)
    if refusal:
        return refused(outcome, changes, refusal)
    body: dict[str, Any] = {"packages": customer_packages(job.fields)}
    if any(c.field != "packages" for c in changes):
        body["address"] = merged_address(wholesale_address(job.fields), item.get("address") or {})
    params = customer_body(job.fields).get("provisioningParameters")
    if params:  # "required when updating an existing package"
        body["provisioningParameters"] = params
    ext = text(job.fields.get("external_id")) or ""
    try:
        await ctx.client.write("PUT", f"/wholesale/customers/{item['id']}", json=body)
        settled = await settle({**item, "status": "updating"})
    except AuthError:
        raise
    except ApiError as err:
        return write_failed(outcome, f"Could not update customer {ext}", err, changes)
    if not settled.ok:
        return dataclasses.replace(settled, changes=strs(changes))
    before = {"packages": sorted(package_list(item)), "address": item.get("address") or {}}  # undo restores it
    after = {"packages": sorted(body["packages"]), "address": body.get("address") or item.get("address") or {}}
    return dataclasses.replace(applied(outcome, changes), before=before, after=after)


# ---- locations ----------------------------------------------------------------------------------


async def sync_location(job: Job, ctx: Context, org_id: str, item: dict[str, Any], outcome: Outcome) -> Outcome:
    """Address, time zone and email language by ``PUT /locations/{id}``; the announcement language by the
    calling location's PUT (the common PUT has no such field)."""
    changes = location_changes(job.fields, item)
    if not changes:
        return outcome
    if not ctx.update:
        return reported(outcome, changes)
    name = text(job.fields.get("location_name")) or ""
    before = {key: item.get(key) for key in LOCATION_IMAGE}
    announcement = [c for c in changes if c.field == "announcement_language"]
    try:
        if len(announcement) < len(changes):
            body = location_put_body(job.fields, item)
            await ctx.client.write("PUT", f"/locations/{item['id']}", params={"orgId": org_id}, json=body)
            item.update(timeZone=body.get("timeZone"), preferredLanguage=body.get("preferredLanguage"))
            item["address"] = body["address"]
        if announcement:
            try:
                await ctx.client.write(
                    "PUT",
                    f"/telephony/config/locations/{item['id']}",
                    params={"orgId": org_id},
                    json={"announcementLanguage": announcement[0].new},
                )
                item["announcementLanguage"] = announcement[0].new
            except ApiError as err:
                if not no_calling(err):  # not a calling location yet: enabling calling sets the row's language
                    raise
    except AuthError:
        raise
    except ApiError as err:
        return write_failed(outcome, f"Could not update location {name}", err, changes)
    after = {key: item.get(key) for key in LOCATION_IMAGE}
    return dataclasses.replace(applied(outcome, changes), before=before, after=after)


def hq_job(job: Job) -> Job:
    """The headquarters as a locations row: the customer's address and time zone (its languages were set at
    provisioning and Webex may spell them its own way, so they are not compared)."""
    fields = {k: v for k, v in job.fields.items() if k not in ("preferred_language", "announcement_language")}
    return dataclasses.replace(job, fields={**fields, "location_name": job.fields.get("hq_location_name")})


# ---- subscribers --------------------------------------------------------------------------------


async def sync_subscriber(job: Job, ctx: Context, item: dict[str, Any], outcome: Outcome) -> Outcome:
    """The user's package by ``PUT /wholesale/subscribers/{id}`` (a full administrator's never), and a calling
    user's number and extension by the safe people PUT; a changed location is named, never applied."""
    changes = subscriber_changes(job.fields, item)
    if outcome.status != EXISTS:
        return outcome
    org_id = ctx.ids(job.refs["customer"]).get("org_id", "")
    person_id = str(item.get("personId") or "")
    calling: list[Change] = []
    if person_id and not changes and CALLING_PACKAGES.intersection(package_list(item)):
        location_id = ctx.ids(job.refs["location"]).get("location_id") if "location" in job.refs else None
        calling = await calling_changes(ctx, job.fields, org_id, location_id, person_id)
    moves = [c for c in calling if c.field == "location"]
    settable = [c for c in calling if c.field != "location"]
    if not changes and not calling:
        return outcome
    email = str(job.fields.get("email_normalized") or item.get("email") or "")
    row_admin = any(str(r).casefold() == FULL_ADMIN for r in job.fields.get("roles_list") or ())
    admin = f"{email} is a full administrator, whose package is never changed (Partner Hub task flow)"
    forbidden = subscriber_refusal(job.fields, item) if changes else None
    if not ctx.update:
        refusal = admin if row_admin and changes else forbidden  # the package rules: not a number or extension
        return named_moves(reported(outcome, [*changes, *settable], refusal), moves)
    if forbidden:
        return refused(outcome, changes, forbidden)
    before: Mapping[str, Any] | None = None
    try:
        if changes:
            if row_admin or person_id in await full_admins(ctx, org_id):
                return refused(outcome, changes, admin + "; keep the package on the users row as it is")
            package = str(job.fields["package_resolved"])
            body: dict[str, Any] = {"packages": [package]}
            if package in CALLING_PACKAGES and not CALLING_PACKAGES.intersection(package_list(item)):
                body["provisioningParameters"] = _calling_parameters(job, ctx)
            await ctx.client.write("PUT", f"/wholesale/subscribers/{item['id']}", json=body)
            before = {"packages": package_list(item)}  # undo puts it back (the after-image: the row's package)
            item["packages"] = [package]
            item.pop("package", None)
        if settable:
            number, extension = text(job.fields.get("phone_e164")), text(job.fields.get("extension"))
            await people.set_calling(ctx, person_id, email, number, extension)
    except AuthError:
        raise
    except ApiError as err:
        return write_failed(outcome, f"Could not change {email}", err, [*changes, *settable])
    done = applied(outcome, [*changes, *settable]) if changes or settable else outcome
    if before is not None:
        done = dataclasses.replace(done, before=before, after={"packages": [str(job.fields["package_resolved"])]})
    return named_moves(done, moves)


def named_moves(outcome: Outcome, moves: Sequence[Change]) -> Outcome:
    """A changed location is a difference Webex does not apply by API: named as such, never "unchanged"."""
    if not moves:
        return outcome
    note = f"{'; '.join(strs(moves))} ({MOVE_NOT_APPLIED})"
    message = f"{outcome.message}; {note}" if outcome.message else f"differs: {note}"
    return dataclasses.replace(outcome, message=message, changes=(*outcome.changes, *strs(moves)))


def _calling_parameters(job: Job, ctx: Context) -> dict[str, Any]:
    """Only a move from meetings to calling carries number, extension and location (webex-api.md §3.4)."""
    params: dict[str, Any] = {}
    if number := text(job.fields.get("phone_e164")):
        params["primaryPhoneNumber"] = number
    if extension := text(job.fields.get("extension")):
        params["extension"] = extension
    if "location" in job.refs:
        params["locationId"] = ctx.ids(job.refs["location"])["location_id"]
    return params
