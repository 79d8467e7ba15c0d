"""Location-level actions: create a location, enable calling on it, add its numbers, set its main number.

Each looks before it writes, in the org's listings (``batch.provision.lookups``: one paged listing per org per
run each, shared through the context's memo): a location by name in the org's locations (also the
headquarters look-up); calling and the main number (``callingLineId``) in the org's calling locations; numbers
in the org's numbers. A location the calling listing does not show is read by ``GET`` before calling is
enabled (lists lag). After a lost response or a 409 the object is looked up afresh (the memo cannot know).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from batch import keys
from batch.errors import ApiError, AuthError, ConflictError
from batch.jobs import CREATED, EXISTS, FAILED, Job, Outcome
from batch.provision import updates
from batch.provision.calling import pstn
from batch.provision.context import Context
from batch.provision.failures import attempt, failed
from batch.provision.fields.bodies import (
    calling_body,
    location_body,
    missing_location_fields,
    numbers_bodies,
    text,
)
from batch.provision.fields.compare import Change, added_numbers
from batch.provision.lookups import (
    CALLING,
    NUMBERS,
    calling_settings,
    forget_calling_settings,
    forget_numbers,
    listed_numbers,
    location_by_name,
    location_numbers,
    named,
    org_locations,
    read_calling,
    relisted_org_locations,
)
from batch.reasons import Reason

LOCATIONS = "/locations"
#: errorCode of "[Error 8361] DN is unavailable": the number belongs to another location or organization.
NUMBER_UNAVAILABLE = 8361
#: errorCode of "[Error 8363] DN is in use": the number is another location's of this organization (§11.14).
NUMBER_IN_USE = 8363
#: At most this many taken numbers are looked up to name their owner (one GET each).
OWNER_LOOKUPS = 5
E164 = re.compile(r"\+\d{6,15}")


# ---- location ----------------------------------------------------------------------------------------


async def location(job: Job, ctx: Context) -> Outcome:
    """Report the location ``exists`` (same name, any case) or create it."""
    org_id, ext, name = _org(job, ctx), *_names(job)

    async def work() -> Outcome:
        known = await org_locations(ctx, org_id)
        found = named(known, name)
        if found is not None:
            return await updates.sync_location(
                job, ctx, org_id, found, Outcome(EXISTS, ids={"location_id": found["id"]})
            )
        body = location_body(job.fields)
        missing = missing_location_fields(body)
        if missing:
            message = f"location {name} of customer {ext}: fill in {', '.join(missing)} (Webex requires it)"
            return Outcome(FAILED, message=message, reason=Reason.LOCATION_INCOMPLETE)
        try:
            written = await ctx.client.write(
                "POST",
                LOCATIONS,
                params={"orgId": org_id},
                json=body,
                reconcile=lambda: location_by_name(ctx, org_id, name),
            )
        except ConflictError as err:  # it is there: a listing that lags (§10.8) may not show it for a while
            found = await ctx.client.look_patiently(lambda: location_by_name(ctx, org_id, name))
            if found is None:
                return failed(f"Could not create location {name} of customer {ext}", err)
            known.append(found)
            return Outcome(EXISTS, ids={"location_id": found["id"]})
        item = written.found if written.found is not None else {"id": (written.body or {}).get("id"), "name": name}
        if not item.get("id"):  # a 2xx without the id: find it rather than guess (lists lag: patiently)
            item = await ctx.client.look_patiently(lambda: location_by_name(ctx, org_id, name)) or {}
            if not item:
                message = f"location {name} of customer {ext} was accepted but cannot be found"
                return Outcome(FAILED, message=message, reason=Reason.LOCATION_NOT_LISTED)
        known.append(item)
        after = {"name": name, "timeZone": body.get("timeZone")}  # undo: changed since, if these differ
        return Outcome(CREATED, ids={"location_id": str(item["id"])}, after=after)

    return await attempt(work, f"Could not create location {name} of customer {ext}", _fix_row)


async def location_ref(job: Job, ctx: Context) -> Outcome:
    """A location a user names that the batch does not create: it must already be in the customer's org."""
    org_id, ext, name = _org(job, ctx), *_names(job)
    missing = (
        f"location {name} of customer {ext} is neither in this batch nor on the server: "
        "add it to the locations sheet or correct the user's location_name"
    )
    return await existing_location(ctx, org_id, ext, lambda known: named(known, name), missing)


async def existing_location(
    ctx: Context,
    org_id: str,
    ext: str,
    pick: Callable[[list[dict[str, Any]]], dict[str, Any] | None],
    missing: str,
    *,
    patient: bool = False,
) -> Outcome:
    """A location that must already be there (look-up only): ``pick`` chooses it from the org's listing;
    none → failed with ``missing``. ``patient``: it is there (provisioning made it), so a listing that does
    not show it yet is asked again with growing waits before the row fails (lists lag, §10.8)."""

    async def relisted() -> dict[str, Any] | None:
        return pick(await relisted_org_locations(ctx, org_id))

    async def work() -> Outcome:
        found = pick(await org_locations(ctx, org_id))
        if found is None and patient:
            found = await ctx.client.look_patiently(relisted)
        if found is None:
            return Outcome(FAILED, message=missing, reason=Reason.LOCATION_NOT_FOUND)
        return Outcome(EXISTS, ids={"location_id": found["id"]})

    return await attempt(work, f"Could not list the locations of customer {ext}")


# ---- headquarters ------------------------------------------------------------------------------------


async def hq(job: Job, ctx: Context) -> Outcome:
    """Find the headquarters location that provisioning created (by its name, else the org's first location)."""
    ext = keys.natural_of(job.refs["customer"])
    name = text(job.fields.get("hq_location_name"))

    def pick(known: list[dict[str, Any]]) -> dict[str, Any] | None:
        return (named(known, name) if name else None) or (known[0] if known else None)

    missing = (
        f"customer {ext} has no location yet (provisioning creates the headquarters): "
        "check the customer in Partner Hub, then run again"
    )
    org_id = ctx.ids(job.refs["customer"])["org_id"]
    outcome = await existing_location(ctx, org_id, ext, pick, missing, patient=True)
    parent = ctx.outcomes.get(job.refs["customer"])
    if not outcome.ok or parent is None or parent.status == CREATED or not job.fields.get("address_line1"):
        return outcome  # provisioning made it from this very row
    found = next(loc for loc in await org_locations(ctx, org_id) if loc.get("id") == outcome.ids["location_id"])
    return await updates.sync_location(updates.hq_job(job), ctx, org_id, found, outcome)


# ---- calling -----------------------------------------------------------------------------------------


async def calling(job: Job, ctx: Context) -> Outcome:
    """Enable Webex Calling on the location unless it already is."""
    org_id, ext, name = _org(job, ctx), *_names(job)
    location_id = ctx.ids(job.refs["location"])["location_id"]

    async def work() -> Outcome:
        if not _parent_created(ctx, job, "location") and await calling_settings(ctx, org_id, location_id) is not None:
            return Outcome(EXISTS, ids={"location_id": location_id})
        await forget_calling_settings(ctx, org_id, location_id)  # the main-number job reads the new settings
        try:
            await ctx.client.write(
                "POST",
                CALLING,
                params={"orgId": org_id},
                json=calling_body(location_id, job.fields),
                reconcile=lambda: _calling_enabled(ctx, org_id, location_id),
            )
        except ConflictError:
            if not await _calling_enabled(ctx, org_id, location_id):
                raise
            return Outcome(EXISTS, ids={"location_id": location_id})
        return Outcome(CREATED, ids={"location_id": location_id})

    return await attempt(work, f"Could not enable calling on location {name} of customer {ext}", _fix_row)


async def _calling_enabled(ctx: Context, org_id: str, location_id: str) -> bool | None:
    """True when the location is a calling location; None (not False) so a reconcile sends again."""
    return True if await read_calling(ctx, org_id, location_id) is not None else None


# ---- numbers -----------------------------------------------------------------------------------------


async def numbers(job: Job, ctx: Context) -> Outcome:
    """Add the row's numbers that the location does not have yet (numbers already there are left alone).

    The PSTN connection comes first (``pstn.prepare``): the row's ``pstn_connection`` is set, and a location
    on an integrated PSTN gets no numbers by API. A 400 may have added some numbers all the same (§10.3):
    the location is listed again and the message names each refused number and why.
    """
    org_id, ext, name = _org(job, ctx), *_names(job)
    location_id = ctx.ids(job.refs["location"])["location_id"]
    wanted = list(dict.fromkeys(str(n) for n in job.fields.get("numbers") or ()))
    ids = {"location_id": location_id}
    where = f"location {name} of customer {ext}"

    async def work() -> Outcome:
        # A location (or a whole org) this batch created holds none of them: skip the listing, the POST
        # ignores numbers the location already has (so a resumed run is still right).
        fresh = _parent_created(ctx, job, "location", "customer")
        present = set() if fresh or not wanted else await listed_numbers(ctx, org_id, location_id)
        missing = added_numbers(wanted, present)
        if not missing and not text(job.fields.get("pstn_connection")):
            return Outcome(EXISTS, ids=ids)
        # Numbers the location lacks are created, with or without --update: adding them changes nothing that
        # exists (contract §2).
        changed, refusal = await pstn.prepare(ctx, org_id, location_id, job.fields, where)
        if refusal is not None:
            return refusal
        if not missing:
            return Outcome(CREATED if changed else EXISTS, ids=ids)
        path = f"{CALLING}/{location_id}/numbers"
        for body in numbers_bodies(missing, text(job.fields.get("numbers_state"))):
            batch = body["phoneNumbers"]
            try:
                await ctx.client.write(
                    "POST",
                    path,
                    params={"orgId": org_id},
                    json=body,
                    reconcile=functools.partial(_all_present, ctx, org_id, location_id, batch),
                )
            except ApiError as err:
                if isinstance(err, AuthError) or err.status != 400 or not _per_number(err, batch):
                    raise
                return await _refused(ctx, org_id, location_id, wanted, _per_number(err, batch), err)
            finally:
                await forget_numbers(ctx, org_id, location_id)
        message = "" if fresh else f"added numbers {', '.join(missing)}"
        return Outcome(CREATED, ids=ids, message=message, after={"numbers": missing})  # undo removes these

    return await attempt(work, f"Could not add numbers to {where}", _fix_row)


async def _all_present(ctx: Context, org_id: str, location_id: str, batch: list[str]) -> bool | None:
    present = await location_numbers(ctx, org_id, location_id)
    return True if all(n in present for n in batch) else None


def _per_number(err: ApiError, batch: list[str]) -> dict[str, str]:
    """Refused number → the server's reason, from the 400 array body (or, failing that, its message)."""
    found = {str(d.get("number")): str(d.get("errorMessage") or d.get("errorTitle") or "") for d in err.details}
    found = {n: why for n, why in found.items() if n in batch}
    if not found and err.error_code in (NUMBER_UNAVAILABLE, NUMBER_IN_USE):
        why = "DN is in use" if err.error_code == NUMBER_IN_USE else "DN is unavailable"
        found = {n: why for n in E164.findall(str(err)) if n in batch}
    return found


async def _refused(
    ctx: Context, org_id: str, location_id: str, wanted: list[str], refused: dict[str, str], err: ApiError
) -> Outcome:
    """Name each refused number, why, and where it is, after listing the location again (some may be in)."""
    ids = {"location_id": location_id}
    present = await location_numbers(ctx, org_id, location_id)
    parts = []
    for i, (number, why) in enumerate(refused.items()):
        if i == OWNER_LOOKUPS:
            rest = list(refused)[OWNER_LOOKUPS:]
            parts.append(f"and {len(rest)} more ({', '.join(rest)})")
            break
        where = "was refused"
        if "unavailable" in why.lower() or "in use" in why.lower():  # 8361 another org's, 8363 this org's
            owner = await _number_location(ctx, org_id, number)
            where = f"belongs to location {owner}" if owner else "is used by another organization"
        parts.append(f"number {number} {where} ({why})")
    them = "it" if len(refused) == 1 else "them"
    added = [n for n in wanted if n in present and n not in refused]
    tail = f"; added: {', '.join(added)}" if added else ""
    message = f"{'; '.join(parts)}; remove {them} from this row's numbers or release {them} in Control Hub{tail}"
    return Outcome(
        FAILED,
        ids=ids,
        message=message,
        error_code=err.error_code,
        tracking_id=err.tracking_id,
        reason=Reason.NUMBERS_UNAVAILABLE,
        http_status=err.status,
    )


async def _number_location(ctx: Context, org_id: str, number: str) -> str | None:
    """The name of the org's location that holds ``number``; None when the org does not have it."""
    body = await ctx.client.get(NUMBERS, {"orgId": org_id, "phoneNumber": number})
    item = next((n for n in body.get("phoneNumbers") or [] if n.get("phoneNumber") == number), None)
    return ((item or {}).get("location") or {}).get("name") if item else None


# ---- main number -------------------------------------------------------------------------------------


async def main_number(job: Job, ctx: Context) -> Outcome:
    """Make the row's main number the location's calling line id (its main number)."""
    org_id, ext, name = _org(job, ctx), *_names(job)
    location_id = ctx.ids(job.refs["location"])["location_id"]
    main = text(job.fields.get("main_number")) or ""
    ids = {"location_id": location_id}
    path = f"{CALLING}/{location_id}"

    async def work() -> Outcome:
        current = await calling_settings(ctx, org_id, location_id) or await ctx.client.get(path, {"orgId": org_id})
        line = current.get("callingLineId") or {}
        if line.get("phoneNumber") == main:
            return Outcome(EXISTS, ids=ids)
        fresh = _parent_created(ctx, job, "location", "customer")
        # A main number where the location has none is created; replacing another one is a change (--update).
        replaces = bool(line.get("phoneNumber")) and updates.is_change(ctx, job, fresh)
        changes = [Change("main_number", line.get("phoneNumber") or "", main)] if replaces else []
        if changes and not ctx.update:
            return updates.reported(Outcome(EXISTS, ids=ids), changes)
        # Partial update: only callingLineId is sent; its display name goes back unchanged with the number.
        await forget_calling_settings(ctx, org_id, location_id)
        new_line = {k: v for k, v in {"name": line.get("name"), "phoneNumber": main}.items() if v}
        await ctx.client.write(
            "PUT",
            path,
            params={"orgId": org_id},
            json={"callingLineId": new_line},
            reconcile=lambda: _main_is(ctx, path, org_id, main),
        )
        return updates.finish(Outcome(CREATED, ids=ids), changes)

    def hint(err: ApiError) -> str:
        return f"{main} must be one of the numbers of location {name}" if err.status == 400 else ""

    return await attempt(work, f"Could not set main number {main} of location {name} of customer {ext}", hint)


async def _main_is(ctx: Context, path: str, org_id: str, main: str) -> bool | None:
    """After a lost answer: True when the PUT landed (None sends it again; it is idempotent anyway)."""
    line = (await ctx.client.get(path, {"orgId": org_id})).get("callingLineId") or {}
    return True if line.get("phoneNumber") == main else None


# ---- shared ------------------------------------------------------------------------------------------


def _org(job: Job, ctx: Context) -> str:
    return ctx.ids(job.refs["customer"])["org_id"]


def _names(job: Job) -> tuple[str, str]:
    """(customer external id, location name) for messages; HQ jobs carry neither column, their key has both."""
    ext, _, name = job.key.split(":", 1)[-1].partition("/")
    ext = text(job.fields.get("customer_external_id")) or text(job.fields.get("external_id")) or ext
    return ext, text(job.fields.get("location_name")) or name


def _parent_created(ctx: Context, job: Job, *roles: str) -> bool:
    """True when this batch created a parent (this run, or a run the journal says was interrupted).

    Then the look-up before a write can only find nothing, so it is skipped to save the rate budget; the
    write itself stays safe if it is wrong (enabling calling twice is a 409, numbers already there are
    ignored).
    """
    outcomes: Mapping[str, Outcome] = ctx.outcomes
    return any(
        (found := outcomes.get(job.refs.get(role, ""))) is not None and found.status == CREATED for role in roles
    )


def _fix_row(err: ApiError) -> str:
    return "correct the row and run again" if err.status == 400 else ""
