"""``GET /v1/organizations/{orgId}``: the handshake that makes a new customer org manageable (webex-api.md §10.1).

A customer org answers 403 on org-scoped calls until the partner has asked for it here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_NOT_FOUND, ApiProblem, EmulatorContext
from batch.emulator.org.scope import route


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [route(ctx, "/v1/organizations/{org_id}", get_organization, "GET")]


async def get_organization(ctx: EmulatorContext, request: Request) -> Response:
    """Asking for a customer org puts it in the partner's managed list (REFAPP ``getOrganization``)."""
    org = ctx.state.org(request.path_params["org_id"])
    if org is None:
        raise ApiProblem(404, f"Organization {request.path_params['org_id']} not found", CODE_NOT_FOUND)
    ctx.state.managed_orgs.add(org.id)
    return JSONResponse({"id": org.id, "displayName": org.name})
