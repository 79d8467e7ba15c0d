"""A location's PSTN connection before numbers are added to it (webex-api.md §10.4, contract "Numbers and PSTN").

Numbers may be added by API only to a location whose PSTN connection takes partner-added numbers (Local
Gateway, a non-integrated Cloud Connected PSTN). A location on an integrated PSTN (Cisco Calling Plan, an
integrated CCP) gets its numbers from the provider, and adding them by API damages its data, which the API
does not refuse: so the connection is read first, and such a row fails with nothing sent. A row's
``pstn_connection`` (an option's id or display name) is set first with ``PUT`` and read back, as Cisco's
reference app does (``PstnManager.setupPSTNConnection``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batch.errors import NotFoundError
from batch.jobs import FAILED, Outcome
from batch.provision.context import Context
from batch.provision.fields.bodies import text
from batch.reasons import Reason

PSTN = "/telephony/pstn/locations"
#: Connection types whose numbers come from the provider (webex-pstn.json ``PSTNType``).
INTEGRATED = {"CISCO_PSTN": "Cisco Calling Plan", "INTEGRATED_CCP": "an integrated Cloud Connected PSTN"}


async def connection(ctx: Context, org_id: str, location_id: str) -> dict[str, Any] | None:
    """The location's PSTN connection; None when it has none yet (a new location)."""
    try:
        return await ctx.client.get(f"{PSTN}/{location_id}/connection", {"orgId": org_id})
    except NotFoundError:
        return None


async def prepare(
    ctx: Context, org_id: str, location_id: str, fields: Mapping[str, Any], where: str
) -> tuple[bool, Outcome | None]:
    """(connection changed, refusal): set the row's ``pstn_connection`` if it differs, then refuse an
    integrated connection. ``where`` names the location in messages ("location X of customer Y")."""
    ids = {"location_id": location_id}
    current = await connection(ctx, org_id, location_id)
    wanted = text(fields.get("pstn_connection"))
    changed = False
    if wanted and not _is(current, wanted):
        if current is not None and current.get("pstnConnectionType") in INTEGRATED:
            return False, _integrated(current, where, ids, f"it cannot be changed to {wanted} by API; ")
        options = (await ctx.client.get(f"{PSTN}/{location_id}/connectionOptions", {"orgId": org_id})).get("items")
        option = next((o for o in options or [] if _is(o, wanted)), None)
        if option is None:
            names = ", ".join(str(o.get("displayName") or o.get("id")) for o in options or []) or "none"
            message = (
                f"pstn_connection {wanted} is not a PSTN connection option of {where}: "
                f"write one of {names} (its name or id)"
            )
            return False, Outcome(FAILED, ids=ids, message=message, reason=Reason.PSTN_CONNECTION)
        await ctx.client.write(
            "PUT", f"{PSTN}/{location_id}/connection", params={"orgId": org_id}, json={"id": option["id"]}
        )
        current = await connection(ctx, org_id, location_id)
        if current is None or current.get("id") != option["id"]:
            shown = (current or {}).get("displayName") or "none"
            message = (
                f"the PSTN connection of {where} was set to {wanted} but reads back as {shown}: "
                "check it in Control Hub, then run again"
            )
            return False, Outcome(FAILED, ids=ids, message=message, reason=Reason.PSTN_CONNECTION)
        changed = True
    if current is not None and current.get("pstnConnectionType") in INTEGRATED:
        return changed, _integrated(current, where, ids, "")
    return changed, None


def _is(option: Mapping[str, Any] | None, wanted: str) -> bool:
    """Does the option (or connection) carry ``wanted`` as its id or display name (any case)?"""
    if option is None:
        return False
    folded = wanted.casefold()
    return folded in (str(option.get("id", "")).casefold(), str(option.get("displayName", "")).casefold())


def _integrated(current: Mapping[str, Any], where: str, ids: Mapping[str, str], extra: str) -> Outcome:
    kind = INTEGRATED[str(current.get("pstnConnectionType"))]
    name = current.get("displayName") or kind
    message = (
        f"{where} is on {name} ({kind}), whose numbers come from the provider: adding numbers by API would "
        f"damage it, so none were sent; {extra}remove numbers (and main_number) from this row and order them "
        "from the provider, or give the location a Local Gateway or non-integrated CCP connection"
    )
    return Outcome(FAILED, ids=ids, message=message, reason=Reason.NUMBERS_INTEGRATED_PSTN)
