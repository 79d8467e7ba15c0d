"""A calling user's number, extension and location against the users row (issue 17 item 5, §11.6).

Why here and not in the subscriber's comparison: the subscriber object carries no calling data, and the
POST of an existing calling user ignores the number and extension it is given. The location's numbers
listing (one per location per run, shared) says who holds each number and their extension, so a user
whose row's number is theirs costs no request; only a difference is looked into (the user's own numbers).

What Webex takes: the number and extension through the safe people PUT (``callingData=true``, verified
after, ``batch.provision.people``); never a location: a calling user is moved in Control Hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batch.provision.context import Context
from batch.provision.fields.bodies import text
from batch.provision.fields.compare import Change
from batch.provision.lookups import number_entries, numbers_of_person

#: What a changed location is named as (Webex does not move a calling user by PUT).
MOVE_NOT_APPLIED = "not applied: move the user in Control Hub"


async def calling_changes(
    ctx: Context, fields: Mapping[str, Any], org_id: str, location_id: str | None, person_id: str
) -> list[Change]:
    """The row's number, extension and location against what the person holds; [] when they agree or the row
    names none of them."""
    number, extension = text(fields.get("phone_e164")), text(fields.get("extension"))
    if not fields.get("calling") or not location_id or not number:
        return []  # an extension alone is not in the numbers listing: not compared (a GET per user would be)
    entries = await number_entries(ctx, org_id, location_id)
    entry = entries.get(number)
    if entry is not None and _owner(entry) == person_id:
        have = text(entry.get("extension"))
        return [Change("extension", have or "", extension)] if extension and have and have != extension else []
    held = await numbers_of_person(ctx, org_id, person_id)
    changes: list[Change] = []
    numbers = [str(n.get("phoneNumber")) for n in held if n.get("phoneNumber")]
    if number and number not in numbers:
        changes.append(Change("phone_number", ", ".join(numbers), number))
    have_ext = next((text(n.get("extension")) for n in held if n.get("extension")), None)
    if extension and have_ext != extension:
        changes.append(Change("extension", have_ext or "", extension))
    where = {str((n.get("location") or {}).get("id")): (n.get("location") or {}).get("name") for n in held}
    if where and location_id not in where:
        row_location = text(fields.get("location_resolved")) or "the headquarters"
        changes.append(Change("location", ", ".join(str(w) for w in where.values() if w), row_location))
    return changes


def _owner(entry: Mapping[str, Any]) -> str | None:
    owner = entry.get("owner") or {}
    return str(owner.get("id")) if owner.get("id") else None
