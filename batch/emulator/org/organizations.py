"""``GET /v1/organizations`` and ``GET /v1/organizations/{orgId}`` (webex-api.md §10.1, §11.22).

Asking for a customer org by id is the handshake that makes it manageable: until then it answers 403 on
org-scoped calls (REFAPP ``getOrganization``). An org is ``{id, displayName, created}`` (wxc_sdk's model
requires ``created``); the list holds the partner's own org and the customer orgs it manages.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_NOT_FOUND, ApiProblem, EmulatorContext
from batch.emulator.org.scope import route
from batch.emulator.state import Org


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/organizations", list_organizations, "GET"),
        route(ctx, "/v1/organizations/{org_id}", get_organization, "GET"),
    ]


def org_json(org: Org) -> dict[str, Any]:
    return {"id": org.id, "displayName": org.name, "created": org.created}


async def list_organizations(ctx: EmulatorContext, request: Request) -> Response:
    managed = [o for o in ctx.state.orgs.values() if o.id in ctx.state.managed_orgs]
    return JSONResponse({"items": [org_json(o) for o in (ctx.state.partner.org, *managed)]})


async def get_organization(ctx: EmulatorContext, request: Request) -> Response:
    """Asking for a customer org puts it in the partner's managed list (REFAPP ``getOrganization``)."""
    org_id = request.path_params["org_id"]
    if org_id == ctx.state.partner.org.id:
        return JSONResponse(org_json(ctx.state.partner.org))
    org = ctx.state.org(org_id)
    if org is None:
        raise ApiProblem(404, f"Organization {org_id} not found", CODE_NOT_FOUND)
    ctx.state.managed_orgs.add(org.id)
    return JSONResponse(org_json(org))
