"""User-level actions: provision a wholesale subscriber, then give its person admin roles.

Both look before they write, so a re-run (or a retry after a lost response) never creates a second
subscriber nor drops a role. The rate budget matters at 20,000 users: a customer's subscribers are listed
once per run and shared through the context's memo, instead of one lookup per user.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from batch.errors import AmbiguousWriteError, ApiError, ConflictError
from batch.jobs import CREATED, EXISTS, FAILED, PENDING, UPDATED, Job, Outcome
from batch.provision import people, updates
from batch.provision.calling.kept import kept_calling, may_have_existed, settle_kept
from batch.provision.calling.number_check import check_user_number
from batch.provision.context import Context
from batch.provision.failures import attempt, failed
from batch.provision.fields.bodies import text
from batch.provision.lookups import (
    SUBSCRIBERS,
    known_subscribers,
    listed_holder,
    person_id_by_email,
    role_ids,
    subscriber_by_email,
)
from batch.reasons import Reason

MIGRATION_PENDING = "pending_user_migration"
#: errorCode Webex answers when an email already belongs to a user of another organization.
EMAIL_TAKEN = 10022
PENDING_MESSAGE = (
    "{email} already has a free Webex account: Webex sent them an email to move it into this customer; "
    "the user is provisioned once they accept it, and the next run goes on with their roles "
    "(--resend-consent sends the email again)"
)
#: ``POST /v1/subscribers/{id}/emails/consentMove`` (no ``/wholesale``; webex-api.md §11.4).
CONSENT_MOVE = "/subscribers/{id}/emails/consentMove"


# ---- subscriber ------------------------------------------------------------------------------------


async def subscriber(job: Job, ctx: Context) -> Outcome:
    """Find the user among the customer's subscribers by email, or provision them with package and calling data."""
    email = str(job.fields["email_normalized"]).lower()
    customer_id = ctx.ids(job.refs["customer"])["customer_id"]

    async def work() -> Outcome:
        # Taken out of the memo, not read: this row's job is its only reader (an email is unique in a batch), so
        # a run holds the listings of the users still to come, not the whole batch's (~2 KB a subscriber).
        found = (await known_subscribers(ctx, customer_id)).pop(email, None)
        if found is not None and found.get("status") == MIGRATION_PENDING:
            return await _still_pending(ctx, found, job)
        if found is not None:
            return await updates.sync_subscriber(job, ctx, found, _subscriber_outcome(EXISTS, found, job))
        checked, refused = await check_user_number(job, ctx)
        if refused is not None:
            return refused
        location_id = ctx.ids(checked.refs["location"])["location_id"] if checked.fields.get("calling") else None
        body = subscriber_body(customer_id, email, checked.fields, location_id)
        try:
            written = await ctx.client.write(
                "POST", SUBSCRIBERS, json=body, reconcile=lambda: subscriber_by_email(ctx, email)
            )
        except ConflictError as err:
            return await _after_conflict(ctx, email, customer_id, err, checked)
        item = written.found if written.found is not None else written.body
        if not item or "id" not in item:  # an answer without the subscriber: learn its ids by looking (patiently)
            item = await ctx.client.look_patiently(lambda: subscriber_by_email(ctx, email))
        if item is None:
            message = f"Webex accepted user {email} but does not list it yet; run again later"
            return Outcome(FAILED, message=message, reason=Reason.SUBSCRIBER_NOT_LISTED)
        if item.get("customerId", customer_id) != customer_id:
            return _taken_by_other_customer(email, item)
        done = _subscriber_outcome(CREATED, item, checked)
        if done.status != CREATED:
            return done
        done = dataclasses.replace(done, after={"packages": [str(checked.fields["package_resolved"])]})  # undo
        if item.get("personId") and may_have_existed(ctx, checked):
            # the POST ignores number and extension for a user who already has calling (§11.6): read them back
            changes = await kept_calling(ctx, checked, str(item["personId"]), location_id)
            if changes:
                return await settle_kept(ctx, checked, str(item["personId"]), done, changes)
        return done

    return await attempt(work, f"Could not provision user {email}", _subscriber_hint)


def subscriber_body(customer_id: str, email: str, fields: Mapping[str, Any], location_id: str | None) -> dict[str, Any]:
    """The ``POST /wholesale/subscribers`` body (webex-api.md §3.1): one package, names, calling data."""
    params: dict[str, Any] = {}
    for key, column in (("firstName", "first_name"), ("lastName", "last_name")):
        if value := text(fields.get(column)):
            params[key] = value
    if fields.get("calling"):
        if number := text(fields.get("phone_e164")):
            params["primaryPhoneNumber"] = number
        if extension := text(fields.get("extension")):
            params["extension"] = extension
        if location_id:
            params["locationId"] = location_id
    return {
        "customerId": customer_id,
        "email": email,
        "packages": [str(fields["package_resolved"])],
        "provisioningParameters": params,
    }


async def _after_conflict(ctx: Context, email: str, customer_id: str, err: ConflictError, job: Job) -> Outcome:
    """409: the subscriber may be ours already (an earlier, unrecorded run), or the email is someone else's."""
    lookup = functools.partial(subscriber_by_email, ctx, email)
    # "Already a subscriber": it may be ours and the lists lag (§10.8), so look patiently; a number, an
    # extension or another organization's user is answered at once.
    said = err.said.lower()
    item = await (ctx.client.look_patiently(lookup) if "subscriber" in said else lookup())
    if item is not None and item.get("customerId") == customer_id:
        return _subscriber_outcome(EXISTS, item, job)
    if item is not None:
        return _taken_by_other_customer(email, item, err)
    if err.error_code == EMAIL_TAKEN or "email" in said.replace(email, ""):
        return failed(
            f"The email {email} already belongs to another Webex organization; "
            "use another email for this user, or have that organization's administrator remove the user first",
            err,
            reason=Reason.SUBSCRIBER_EMAIL_IN_OTHER_ORG,
        )
    return failed(f"Could not provision user {email}", err, _subscriber_hint(err))


def _taken_by_other_customer(email: str, item: Mapping[str, Any], err: ApiError | None = None) -> Outcome:
    other = item.get("externalCustomerId") or item.get("customerId") or "another customer"
    return Outcome(
        FAILED,
        message=(
            f"The email {email} is already a subscriber of another customer ({other}); "
            "fix customer_external_id on the users row, or remove the subscriber from that customer first"
        ),
        error_code=err.error_code if err else None,
        tracking_id=err.tracking_id if err else None,
        reason=Reason.SUBSCRIBER_EMAIL_IN_OTHER_CUSTOMER,
        http_status=err.status if err else None,
    )


def _subscriber_outcome(status: str, item: Mapping[str, Any], job: Job) -> Outcome:
    """``status`` with the subscriber's ids; ``pending`` while a free account waits for the user's consent
    (202 ``pending_user_migration``): Webex accepted the row, the user has not moved yet."""
    ids = {"subscriber_id": str(item["id"])}
    if item.get("personId"):
        ids["person_id"] = str(item["personId"])
    if item.get("status") == MIGRATION_PENDING:
        message = PENDING_MESSAGE.format(email=item.get("email", "the user"))
        return Outcome(PENDING, ids=ids, message=message, reason=Reason.SUBSCRIBER_CONSENT_PENDING)
    return Outcome(status, ids=ids)


async def _still_pending(ctx: Context, item: Mapping[str, Any], job: Job) -> Outcome:
    """A subscriber an earlier run left waiting for consent: still ``pending``; ``--resend-consent`` sends the
    consent email again (never a second POST of the subscriber)."""
    outcome = _subscriber_outcome(EXISTS, item, job)
    if not ctx.resend_consent:
        return outcome
    await ctx.client.write("POST", CONSENT_MOVE.format(id=item["id"]))
    return dataclasses.replace(outcome, message=f"{outcome.message}; the consent email was sent again")


def _subscriber_hint(err: ApiError) -> str:
    if isinstance(err, AmbiguousWriteError):
        return "it may have been provisioned all the same: run again, the tool looks the user up before creating"
    if err.status == 400:
        return "check the users row (package, location_name, phone_number, extension) and run again"
    if err.status == 409:
        return "the phone number or extension is already used by another user: change it on the users row"
    return "run again later; if it keeps failing, give Webex support the tracking id"


# ---- roles -----------------------------------------------------------------------------------------


async def roles(job: Job, ctx: Context) -> Outcome:
    """Give the user's person the admin roles the row names, keeping every role and licence it has."""
    email = str(job.fields["email"]).lower()
    wanted = [str(name) for name in job.fields.get("roles") or []]
    org_id = ctx.ids(job.refs["customer"])["org_id"]

    async def work() -> Outcome:
        person_id = ctx.ids(job.refs["subscriber"]).get("person_id") or await person_id_by_email(ctx, email, org_id)
        if not person_id:
            return Outcome(
                FAILED,
                message=(
                    f"User {email} is not a person in the customer's organization yet (a free Webex account "
                    "waits for the user to accept the move email); run again after they accept it"
                ),
                reason=Reason.ROLES_NO_PERSON,
            )
        by_name = await role_ids(ctx)
        unknown = [name for name in wanted if name.casefold() not in by_name]
        if unknown:
            valid = ", ".join(sorted({role["name"] for role in by_name.values()}))
            return Outcome(
                FAILED,
                ids={"person_id": person_id},
                message=f"Unknown role {', '.join(unknown)} for {email}; valid roles: {valid}",
                reason=Reason.ROLES_UNKNOWN,
            )
        wanted_ids = [by_name[name.casefold()]["id"] for name in wanted]
        subscriber = ctx.outcomes.get(job.refs["subscriber"])
        if await _listed_holder(ctx, subscriber, org_id, person_id, wanted_ids):
            return Outcome(EXISTS, ids={"person_id": person_id})
        person = await ctx.client.get(f"/people/{person_id}", people.CALLING)
        have = list(person.get("roles") or [])
        missing = [rid for rid in dict.fromkeys(wanted_ids) if rid not in have]
        if not missing:
            return Outcome(EXISTS, ids={"person_id": person_id})
        added = ", ".join(name for name in wanted if by_name[name.casefold()]["id"] in missing)
        created = subscriber is not None and subscriber.status == CREATED
        # Roles the user lacks are created, with or without --update: adding them takes nothing away (§2).
        try:
            await people.add_roles(ctx, person_id, missing, email, before=person)
        except people.PersonChanged as err:
            return Outcome(FAILED, ids={"person_id": person_id}, message=str(err), reason=Reason.ROLES_PERSON_CHANGED)
        message = "" if created else f"added roles {added}"
        ids = {"person_id": person_id}  # undo takes the added roles away again:
        return Outcome(CREATED, ids=ids, message=message, before={"roles": have}, after={"roles": [*have, *missing]})

    return await attempt(
        work,
        f"Could not give {email} the roles {', '.join(wanted)}",
        "check the roles column and that the user exists in the customer's organization, then run again",
    )


async def _listed_holder(
    ctx: Context, subscriber: Outcome | None, org_id: str, person_id: str, wanted_ids: Sequence[str]
) -> bool:
    """``listed_holder``, only for a subscriber that existed before this run (a new one holds no roles: its
    person is read at once)."""
    if subscriber is None or subscriber.status not in (EXISTS, UPDATED):
        return False
    return await listed_holder(ctx, org_id, person_id, wanted_ids)
