"""What only the server can tell about a user's number (contract §1), settled before any write:

- a national number (``040 123 4567``) of a user whose location is not in the batch is read with the
  country of that location on the server (the validator left it for the server: a warning);
- a number the batch does not add to the user's location must already be one of that location's numbers.

``run`` checks both in the subscriber job before provisioning; ``plan --base-url`` (read-only) checks the
second for every row it would provision, so a row that would fail at run time says so in the plan.

The number is in question only when the user's subscriber job does not wait for a ``numbers:`` job (the
planner adds that parent exactly when the batch itself adds the number to the user's location).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from batch import keys
from batch.jobs import FAILED, PLANNED, Job, Kind, Outcome, RowResult
from batch.plan.graph import Plan
from batch.provision.context import Context
from batch.provision.lookups import known_customers, listed_numbers, named, org_locations
from batch.reasons import Reason
from batch.validate.phones import phone_reference


def number_in_question(job: Job) -> str | None:
    """The E.164 number of a calling user that the batch does not add to the user's location, if any."""
    number = job.fields.get("phone_e164")
    if not job.fields.get("calling") or not number or any(keys.is_step(p, keys.NUMBERS) for p in job.parents):
        return None
    return str(number)


def missing_message(number: str, location: str | None) -> str:
    return (
        f"The number {number} is not one of the numbers of location {location or 'HQ'} on the server: add it to "
        "that location's numbers (the numbers column of its row) and run again; nothing was sent for this user"
    )


async def check_user_number(job: Job, ctx: Context) -> tuple[Job, Outcome | None]:
    """The job with its number in E.164 (read with the server location's country when the validator could
    not), and ``None`` when the number is fine or not in question; else the ``failed`` outcome."""
    location = ctx.ids(job.refs["location"]) if job.fields.get("calling") and "location" in job.refs else {}
    org_id = ctx.ids(job.refs["customer"]).get("org_id")
    if not org_id or not location.get("location_id"):
        return job, None
    raw = job.fields.get("phone_number")
    if not job.fields.get("phone_e164") and raw:
        country = await location_country(ctx, org_id, location["location_id"])
        e164, error = phone_reference(str(raw), country)
        if e164 is None:
            where = f"its location's country on the server ({country})" if country else "no country on the server"
            message = f"{error or raw} ({where}); nothing was sent for this user"
            return job, Outcome(FAILED, message=message, reason=Reason.SUBSCRIBER_NUMBER_INVALID)
        job = dataclasses.replace(job, fields={**job.fields, "phone_e164": e164})
    number = number_in_question(job)
    if number is None or number in await listed_numbers(ctx, org_id, location["location_id"]):
        return job, None
    message = missing_message(number, job.fields.get("location_resolved"))
    return job, Outcome(FAILED, message=message, reason=Reason.SUBSCRIBER_NUMBER_NOT_IN_LOCATION)


async def location_country(ctx: Context, org_id: str, location_id: str) -> str | None:
    """The country of a location in the org's listing (the same listing every location job shares)."""
    found = next((loc for loc in await org_locations(ctx, org_id) if loc.get("id") == location_id), None)
    country = ((found or {}).get("address") or {}).get("country")
    return str(country) if country else None


async def plan_number_failures(
    ctx: Context, plan: Plan, results: Sequence[RowResult]
) -> dict[tuple[str, str, int], tuple[str, Reason]]:
    """``plan --base-url``: (source, users, row) → why the run would fail it and the reason code, for each
    planned user whose number the batch does not add and the server's location does not have, or whose
    national number the server location's country does not make valid. A customer the batch creates has no
    numbers yet, so its users' numbers can only come from the batch. The HQ of a customer that is only on the
    server is left to ``run`` (the row does not name it)."""
    planned = {(r.source, r.row) for r in results if r.sheet == "users" and r.status == PLANNED}
    failures: dict[tuple[str, str, int], tuple[str, Reason]] = {}
    for job in plan.jobs.values():
        row = job.row
        if job.sheet != "users" or row is None or (job.source, row) not in planned or not job.fields.get("calling"):
            continue
        number, raw = job.fields.get("phone_e164"), job.fields.get("phone_number")
        if not (number or raw) or any(keys.is_step(p, keys.NUMBERS) for p in job.parents):
            continue
        customer = (await known_customers(ctx)).get(str(job.fields.get("customer_external_id") or "").casefold())
        where = job.fields.get("location_resolved")
        if customer is None or not customer.get("orgId"):
            if plan.jobs[job.refs["customer"]].kind is not Kind.CUSTOMER or not number:
                continue  # neither in the batch nor on the server: the run fails the row for that
            numbers: set[str] = set()
        elif where is None:
            continue
        else:
            found = named(await org_locations(ctx, customer["orgId"]), str(where))
            if found is None and not number:
                continue  # the run fails the row: its location is nowhere
            if not number and found is not None:
                country = ((found.get("address") or {}).get("country")) or None
                number, error = phone_reference(str(raw), country)
                if number is None:
                    message = f"{error or raw} (the country of location {where} on the server)"
                    failures[(job.source, "users", row)] = (message, Reason.SUBSCRIBER_NUMBER_INVALID)
                    continue
            numbers = await listed_numbers(ctx, customer["orgId"], found["id"]) if found else set()
        if number not in numbers:
            message = missing_message(str(number), where)
            failures[(job.source, "users", row)] = (message, Reason.SUBSCRIBER_NUMBER_NOT_IN_LOCATION)
    return failures
