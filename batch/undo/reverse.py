"""Each reversal: read the object now, leave it when it changed since the run, else send the write.

Why read first, every time: an object changed on the server since the run is someone's later work, and undo
must not take it away (contract §2: left alone and named). The read is also what makes undo resumable: an
object already as it was before the run (a reversal whose journal mark a kill lost) is reported ``undone``
without a second write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from batch.api.client import WebexClient
from batch.errors import ApiError, AuthError
from batch.jobs import FAILED, PLANNED, SKIPPED, UNDONE, Outcome
from batch.provision.fields.compare import package_list
from batch.provision.people import CALLING, put_body
from batch.reasons import Reason
from batch.undo.steps import Action, Step

NUMBERS = "/telephony/config/numbers"
DELETE_MAX = 5  # webex-numbers.json: at most 5 numbers per DELETE


class Gone(Exception):
    """The object is not on the server any more (404): nothing is left to reverse."""


@dataclass(slots=True)
class UndoContext:
    """What every reversal shares: the client, the customers the journal knows and the reads made so far."""

    client: WebexClient
    org_of: Mapping[str, str]  # customer external id -> org id
    ext_of: Mapping[str, str]  # wholesale customer id or org id -> external id
    dry_run: bool = False
    reads: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def read(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET once per undo (memo by path); a 404 raises ``Gone``."""
        memo = path + repr(sorted((params or {}).items()))
        if memo not in self.reads:
            try:
                self.reads[memo] = await self.client.get(path, params)
            except ApiError as err:
                if isinstance(err, AuthError) or err.status != 404:
                    raise
                raise Gone(path) from None
        return self.reads[memo]


def undone(message: str, ids: Mapping[str, str] | None = None) -> Outcome:
    return Outcome(UNDONE, ids=dict(ids or {}), message=message)


def changed_since(what: str, now: Any, then: Any) -> Outcome:
    message = f"changed on the server since the run ({what}: {_show(then)} → now {_show(now)}): left as it is"
    return Outcome(SKIPPED, message=message, reason=Reason.UNDO_CHANGED_SINCE)


def _show(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    return "none" if value in (None, "") else str(value)


async def guarded(step: Step, ctx: UndoContext, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """A reversal's API failure is its row's (``failed`` with the server's words), never a traceback."""
    try:
        return await work()
    except AuthError:
        raise
    except ApiError as err:
        message = f"could not {step.action}: {err.said or err}"
        return Outcome(FAILED, message=message, reason=Reason.API_REFUSED, http_status=err.status)


async def remove_roles(step: Step, ctx: UndoContext) -> Outcome:
    person_id = step.entry.ids.get("person_id", "")
    path = f"/people/{person_id}"
    try:
        person = await ctx.read(path, CALLING)
    except Gone:
        return undone("the user is gone: nothing to take back")
    now, before, after = (sorted(x.get("roles") or []) for x in (person, step.before, step.after))
    if now == before:
        return undone("the roles are already as before the run")
    if now != after:
        return changed_since("roles", now, after)
    if ctx.dry_run:
        return Outcome(PLANNED, message="would take back the roles the run added")
    await ctx.client.write("PUT", path, params=CALLING, json=put_body(person, list(step.before["roles"]), step.key))
    return undone(f"roles taken back ({len(after) - len(before)} the run added)")


async def restore_subscriber(step: Step, ctx: UndoContext) -> Outcome:
    sid = step.entry.ids.get("subscriber_id", "")
    try:
        item = await ctx.read(f"/wholesale/subscribers/{sid}")
    except Gone:
        return undone("the subscriber is gone: nothing to restore")
    now, before, after = package_list(item), list(step.before["packages"]), list(step.after["packages"])
    if now == before:
        return undone(f"package already {_show(before)} as before the run")
    if now != after:
        return changed_since("package", now, after)
    if ctx.dry_run:
        return Outcome(PLANNED, message=f"would restore package {_show(after)} → {_show(before)}")
    await ctx.client.write("PUT", f"/wholesale/subscribers/{sid}", json={"packages": before})
    return undone(f"package restored: {_show(after)} → {_show(before)}")


async def delete_subscriber(step: Step, ctx: UndoContext) -> Outcome:
    sid = step.entry.ids.get("subscriber_id", "")
    try:
        item = await ctx.read(f"/wholesale/subscribers/{sid}")
    except Gone:
        return undone("the subscriber is already gone")
    now, after = package_list(item), list(step.after.get("packages") or [])
    if now != after:
        return changed_since("package", now, after)
    if ctx.dry_run:
        return Outcome(PLANNED, message="would remove the subscriber the run created")
    await ctx.client.write("DELETE", f"/wholesale/subscribers/{sid}")
    return undone("subscriber removed (the run created it)")


async def remove_numbers(step: Step, ctx: UndoContext) -> Outcome:
    """The numbers the run added that the location still has, 5 per request; never a main number or one a
    user holds (those are named: someone uses them now)."""
    location_id, org_id = step.entry.ids.get("location_id", ""), ctx.org_of.get(step.customer, "")
    added = [str(n) for n in step.after.get("numbers") or ()]
    listed = await ctx.client.get_all(NUMBERS, {"orgId": org_id, "locationId": location_id}, "phoneNumbers")
    entries = {str(e.get("phoneNumber")): e for e in listed}
    main = [n for n in added if n in entries and entries[n].get("mainNumber")]
    held = [n for n in added if n in entries and entries[n].get("owner") and n not in main]
    removable = [n for n in added if n in entries and n not in held and n not in main]
    kept = f"; main number {', '.join(main)} stays (Webex never removes a location's main number)" if main else ""
    if not removable and not held:
        return undone(f"the numbers the run added are already gone{kept}")
    note = f"; left, a user holds them now: {', '.join(held)}" if held else ""
    if ctx.dry_run:
        return Outcome(PLANNED, message=f"would remove numbers {', '.join(removable)}{kept}{note}")
    for chunk in _chunks(removable, DELETE_MAX):
        params = {"orgId": org_id}
        path = f"/telephony/config/locations/{location_id}/numbers"
        await ctx.client.write("DELETE", path, params=params, json={"phoneNumbers": chunk})
    if held:
        return Outcome(
            SKIPPED, message=f"removed {', '.join(removable) or 'none'}{note}", reason=Reason.UNDO_CHANGED_SINCE
        )
    return undone(f"numbers removed: {', '.join(removable)}{kept}")


def _chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


async def restore_location(step: Step, ctx: UndoContext) -> Outcome:
    location_id, org_id = step.entry.ids.get("location_id", ""), ctx.org_of.get(step.customer, "")
    try:
        item = await ctx.read(f"/locations/{location_id}", {"orgId": org_id})
    except Gone:
        return undone("the location is gone: nothing to restore")
    fields = list(step.before)
    now = {k: item.get(k) for k in fields}
    if now == dict(step.before):
        return undone("already as before the run")
    differs = [k for k in fields if now[k] != step.after.get(k)]
    if differs:
        return changed_since(differs[0], now[differs[0]], step.after.get(differs[0]))
    if ctx.dry_run:
        return Outcome(PLANNED, message=f"would restore {', '.join(fields)}")
    body = {"name": item.get("name"), **{k: v for k, v in step.before.items() if v is not None}}
    if isinstance(step.before.get("address"), dict):  # a field Webex requires now (state) stays as it is
        body["address"] = {**(item.get("address") or {}), **step.before["address"]}
    await ctx.client.write("PUT", f"/locations/{location_id}", params={"orgId": org_id}, json=body)
    return undone(f"restored {', '.join(k for k in fields if step.before[k] != step.after.get(k))}")


async def restore_customer(step: Step, ctx: UndoContext) -> Outcome:
    """Packages (the complete list) and address back as the run found them; Webex applies it (``updating``)."""
    customer_id = step.entry.ids.get("customer_id", "")
    try:
        item = await ctx.read(f"/wholesale/customers/{customer_id}")
    except Gone:
        return undone("the customer is gone: nothing to restore")
    now = {"packages": sorted(package_list(item)), "address": item.get("address") or {}}
    if _same(now, step.before):
        return undone("packages and address already as before the run")
    differs = [k for k in ("packages", "address") if not _same({k: now[k]}, {k: step.after.get(k)})]
    if differs:
        return changed_since(differs[0], now[differs[0]], step.after.get(differs[0]))
    if ctx.dry_run:
        return Outcome(PLANNED, message="would restore the packages and address the run found")
    body = {"packages": list(step.before["packages"]), "address": dict(step.before["address"])}
    await ctx.client.write("PUT", f"/wholesale/customers/{customer_id}", json=body)
    return undone(f"packages {_show(step.before['packages'])} and address restored (Webex applies them: updating)")


def _same(now: Mapping[str, Any], then: Mapping[str, Any]) -> bool:
    """Each field of ``then`` as it is in ``now``; an address compares the parts ``then`` names (Webex may add
    parts of its own when it stores one)."""
    for name, value in then.items():
        have = now.get(name)
        if isinstance(value, dict) and isinstance(have, dict):
            if any(have.get(k) != v for k, v in value.items()):
                return False
        elif have != value:
            return False
    return True


async def unmap_customer(step: Step, ctx: UndoContext) -> Outcome:
    customer_id = step.entry.ids.get("customer_id", "")
    try:
        item = await ctx.read(f"/wholesale/customers/{customer_id}")
    except Gone:
        return undone(KEPT.format(org=step.entry.ids.get("org_id", "?")))
    if item.get("status") == "deleting":  # the DELETE of an undo a kill stopped: not sent again
        return undone(KEPT.format(org=step.entry.ids.get("org_id", "?")))
    now, after = sorted(package_list(item)), sorted(step.after.get("packages") or [])
    if now != after:
        return changed_since("packages", now, after)
    if ctx.dry_run:
        return Outcome(PLANNED, message="would remove the wholesale customer; " + KEPT_SHORT)
    await ctx.client.write("DELETE", f"/wholesale/customers/{customer_id}")
    return undone(KEPT.format(org=step.entry.ids.get("org_id", "?")))


KEPT_SHORT = "Webex keeps the organization and its people (only the wholesale mapping goes)"
KEPT = (
    "wholesale customer removed; Webex keeps the organization {org} and its people: only the wholesale mapping is "
    "gone (delete the organization in Partner Hub if it should go too)"
)

Reversal = Callable[[Step, UndoContext], Awaitable[Outcome]]
REVERSALS: dict[Action, Reversal] = {
    Action.REMOVE_ROLES: remove_roles,
    Action.RESTORE_SUBSCRIBER: restore_subscriber,
    Action.DELETE_SUBSCRIBER: delete_subscriber,
    Action.REMOVE_NUMBERS: remove_numbers,
    Action.RESTORE_LOCATION: restore_location,
    Action.UNMAP_CUSTOMER: unmap_customer,
    Action.RESTORE_CUSTOMER: restore_customer,
}
