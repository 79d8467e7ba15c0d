"""After a subscriber POST: did the person get the row's number and extension, or did Webex keep theirs?

Why: for a user who is already a Webex Calling user of the org (made in Control Hub, or a subscriber removed
earlier: a removal leaves the person), ``POST /wholesale/subscribers`` silently ignores ``locationId``,
``primaryPhoneNumber`` and ``extension`` (webex-api.md §11.6) and answers as for a new user. Reported
``created``, the row would claim a number the user does not have, and the nightly sync, which trusts the
subscriber it finds, would never notice. So the person is read back and what they really have is compared.

Cost: one GET per new calling user with a number or an extension, and only in a customer this run did not
create: a customer made by this run has no users of its own yet (its administrator has no calling).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from batch.errors import ApiError, AuthError
from batch.jobs import CREATED, EXISTS, Job, Outcome
from batch.provision import people
from batch.provision.context import Context
from batch.provision.fields.bodies import text
from batch.provision.fields.compare import Change, same_number
from batch.provision.lookups import org_locations
from batch.provision.people import CALLING
from batch.provision.updates import applied, named_moves, reported, write_failed

KEPT = "{email} was already a calling user of this organization: Webex kept their own number and extension"


def may_have_existed(ctx: Context, job: Job) -> bool:
    """Whether the POST may have met an existing calling user: a calling row naming a number or an extension,
    of a customer this run did not create."""
    fields = job.fields
    if not fields.get("calling") or not (text(fields.get("phone_e164")) or text(fields.get("extension"))):
        return False
    customer = ctx.outcomes.get(job.refs.get("customer", ""))
    return customer is None or customer.status != CREATED


async def kept_calling(ctx: Context, job: Job, person_id: str, location_id: str | None) -> list[Change]:
    """The row's number, extension and location the person does not have after the POST; [] when they do, or
    when they show no calling data at all: a user who already had calling has a number or an extension, while a
    new user's may not be visible yet (lists and reads lag behind writes, §10.8), so that is no proof."""
    person = await ctx.client.get(f"/people/{person_id}", CALLING)
    number, extension = text(job.fields.get("phone_e164")), text(job.fields.get("extension"))
    works = [str(n.get("value")) for n in person.get("phoneNumbers") or [] if _is_work(n)]
    if not works and not text(person.get("extension")):
        return []
    changes: list[Change] = []
    if number and not any(same_number(number, w) for w in works):
        changes.append(Change("phone_number", ", ".join(works), number))
    have_ext = text(person.get("extension"))
    if extension and have_ext != extension:
        changes.append(Change("extension", have_ext or "", extension))
    where = text(person.get("locationId"))
    if location_id and where and where != location_id:
        org_id = ctx.ids(job.refs["customer"]).get("org_id", "")
        names = {str(loc.get("id")): str(loc.get("name") or "") for loc in await org_locations(ctx, org_id)}
        row_location = text(job.fields.get("location_resolved")) or "the headquarters"
        changes.append(Change("location", names.get(where) or where, row_location))
    return changes


async def settle_kept(ctx: Context, job: Job, person_id: str, outcome: Outcome, changes: list[Change]) -> Outcome:
    """The row of a user whose calling data Webex kept: ``exists`` (the person was there) with each difference
    named; with ``--update`` the number and extension are applied through the safe people PUT (``updated``). A
    different location is named, never applied: a calling user is moved in Control Hub."""
    email = str(job.fields.get("email_normalized") or "")
    note = KEPT.format(email=email)
    message = f"{outcome.message}; {note}" if outcome.message else note
    base = dataclasses.replace(outcome, status=EXISTS, message=message)
    moves = [c for c in changes if c.field == "location"]
    settable = [c for c in changes if c.field != "location"]
    if not settable:
        return named_moves(base, moves)
    if not ctx.update:
        return named_moves(reported(base, settable), moves)
    number, extension = text(job.fields.get("phone_e164")), text(job.fields.get("extension"))
    try:
        await people.set_calling(ctx, person_id, email, number, extension)
    except AuthError:
        raise
    except ApiError as err:
        return write_failed(base, f"Could not change {email}", err, settable)
    return named_moves(applied(base, settable), moves)


def _is_work(entry: Mapping[str, Any]) -> bool:
    return isinstance(entry, dict) and entry.get("type") == "work" and bool(entry.get("value"))

