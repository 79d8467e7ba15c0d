"""``GET /v1/licenses?orgId=`` and ``GET /v1/licenses/{licenseId}`` (webex-api.md §11.22, wxc_sdk ``License``).

A customer org holds one licence per provisioned wholesale package (the ids its customer shows as
``licenseIds``) and the implicit messaging licence every user gets; ``consumedUnits`` counts the users
holding each. Without ``orgId`` the caller's own org is meant: the partner's, which holds none here.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_NOT_FOUND, ApiProblem, EmulatorContext
from batch.emulator.org.scope import require_org, route
from batch.emulator.records import implicit_license_id
from batch.emulator.state import EmulatorState, Org

#: Licence names as Webex shows them for each wholesale package (wxc_sdk ``License`` name checks).
NAMES = {
    "webex_calling": "Webex Calling - Professional",
    "webex_calling_standard": "Webex Calling - Basic",
    "webex_voice": "Webex Voice",
    "webex_meetings": "Meeting - Webex Meetings",
    "webex_suite": "Webex Suite",
    "cx_essentials": "Customer Experience - Essential",
    "common_area_calling": "Webex Calling - Workspaces",
    "webex_calling_plan": "Webex Calling - Cisco Calling Plan",
}
IMPLICIT_NAME = "Messaging"
#: Wholesale is billed by use: a licence is never short of units.
TOTAL_UNITS = 100_000


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/licenses", list_licenses, "GET"),
        route(ctx, "/v1/licenses/{license_id}", get_license, "GET"),
    ]


def org_licenses(state: EmulatorState, org: Org) -> dict[str, str]:
    """Licence id → name for a customer org (empty for an org without a wholesale customer)."""
    customer = state.customer_of_org(org.id)
    if customer is None:
        return {}
    held = {lic: NAMES.get(package, package) for package, lic in customer.licenses.items()}
    return {**held, implicit_license_id(org.id): IMPLICIT_NAME}


def license_json(state: EmulatorState, org: Org, license_id: str, name: str) -> dict[str, Any]:
    used = sum(1 for p in state.people_in_org(org.id) if license_id in p.licenses)
    return {
        "id": license_id,
        "name": name,
        "totalUnits": TOTAL_UNITS,
        "consumedUnits": used,
        "consumedByUsers": used,
        "consumedByWorkspaces": 0,
    }


async def list_licenses(ctx: EmulatorContext, request: Request) -> Response:
    if not request.query_params.get("orgId"):
        return JSONResponse({"items": []})  # the partner's own org: no wholesale licences
    org = require_org(ctx, request)
    items = [license_json(ctx.state, org, i, name) for i, name in org_licenses(ctx.state, org).items()]
    return JSONResponse({"items": items})


async def get_license(ctx: EmulatorContext, request: Request) -> Response:
    license_id = request.path_params["license_id"]
    for org in ctx.state.orgs.values():
        if ctx.state.customer_of_org(org.id) is None or org.id not in ctx.state.managed_orgs:
            continue
        name = org_licenses(ctx.state, org).get(license_id)
        if name is not None:
            return JSONResponse(license_json(ctx.state, org, license_id, name))
    raise ApiProblem(404, f"License {license_id} not found", CODE_NOT_FOUND)
