"""One read per API family before any job: a token without a scope stops the run at once (exit 2, one line).

Without this a token that lacks, say, ``spark-admin:telephony_config_read`` fails every location row with
the same 403, after the customers were already provisioned. Each family the plan uses gets one cheap read;
the org-scoped ones read a customer org the partner already manages (the first one listed), so a partner
with no customers yet only has its wholesale scopes checked here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from batch.api.client import WebexClient
from batch.errors import ApiError, AuthError
from batch.jobs import Kind
from batch.plan.graph import Plan

#: API family → (the scope a read needs, the job kinds that use the family).
FAMILIES: dict[str, tuple[str, frozenset[Kind]]] = {
    "wholesale customers": ("spark-admin:wholesale_customers_read", frozenset(Kind)),
    "wholesale subscribers": ("spark-admin:wholesale_subscribers_read", frozenset({Kind.SUBSCRIBER})),
    "locations": ("spark-admin:locations_read", frozenset({Kind.HQ, Kind.LOCATION, Kind.LOCATION_REF})),
    "telephony": (
        "spark-admin:telephony_config_read",
        frozenset({Kind.CALLING, Kind.NUMBERS, Kind.MAIN_NUMBER, Kind.ACTIVATE}),
    ),
    "PSTN": ("spark-admin:telephony_pstn_read", frozenset({Kind.NUMBERS, Kind.ACTIVATE})),
    "people": ("spark-admin:people_read", frozenset({Kind.ROLES})),
    "roles": ("spark-admin:roles_read", frozenset({Kind.ROLES})),
    "organizations": ("spark-admin:organizations_read", frozenset()),  # the handshake, read with the others
}
#: Families read inside a customer's org (they need one to exist).
ORG_SCOPED = frozenset({"locations", "telephony", "PSTN", "people"})


class ScopeError(ApiError):
    """The token may not use an API family the run needs (a 403 on the first read of it)."""


async def check_scopes(client: WebexClient, plan: Plan) -> None:
    """Raise ``ScopeError`` naming the missing scope at the first family read that answers 403."""
    kinds = set(plan.kind_counts())
    used = {family for family, (_, users) in FAMILIES.items() if users & kinds}
    first = await _read(client, "wholesale customers", lambda: client.get("/wholesale/customers", {"max": 1}))
    if "wholesale subscribers" in used:
        await _read(client, "wholesale subscribers", lambda: client.get("/wholesale/subscribers", {"max": 1}))
    if "roles" in used:
        await _read(client, "roles", lambda: client.get("/roles"))
    org_id = next((c.get("orgId") for c in first.get("items") or [] if c.get("orgId")), None)
    if org_id is None or not used & ORG_SCOPED:
        return
    # Ask for the org first (the managed-org handshake), so a 403 below is the scope and not the org.
    if not await _read(client, "organizations", lambda: client.manage_org(org_id), strict=False):
        return  # that org cannot be read for another reason: its own rows will say why
    scoped = {"orgId": org_id, "max": 1}
    location_id = None
    if used & {"locations", "PSTN"}:
        found = await _read(client, "locations", lambda: client.get("/locations", scoped), strict=False)
        location_id = next((loc.get("id") for loc in found.get("items") or []), None)
    if "telephony" in used:
        await _read(client, "telephony", lambda: client.get("/telephony/config/numbers", scoped), strict=False)
    if "PSTN" in used and location_id:
        options = f"/telephony/pstn/locations/{location_id}/connectionOptions"
        await _read(client, "PSTN", lambda: client.get(options, {"orgId": org_id}), strict=False)
    if "people" in used:
        await _read(client, "people", lambda: client.get("/people", scoped), strict=False)


async def _read(
    client: WebexClient, family: str, read: Callable[[], Awaitable[dict[str, Any]]], *, strict: bool = True
) -> dict[str, Any]:
    """The read's answer; a 403 is a ``ScopeError``. Other failures of a read in a customer's org (``strict``
    off) are left to the jobs, which report them per row: they say nothing about the token."""
    try:
        return await read()
    except AuthError:
        raise
    except ApiError as err:
        if err.status != 403:
            if strict:
                raise
            return {}
        scope = FAMILIES[family][0]
        raise ScopeError(
            f"the access token may not read {family} (HTTP 403): it needs the scope {scope} "
            "(and its _write twin); give the integration that scope, or use a partner administrator's token",
            status=403,
            tracking_id=err.tracking_id,
        ) from None
