"""Admin roles (webex-api.md §4.4, webex-roles.json): every org offers the same roles, by id."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_NOT_FOUND, ApiProblem, EmulatorContext
from batch.emulator.org.scope import route
from batch.emulator.state import Role


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/roles", list_roles, "GET"),
        route(ctx, "/v1/roles/{role_id}", get_role, "GET"),
    ]


def role_json(role: Role) -> dict[str, str]:
    return {"id": role.id, "name": role.name}


async def list_roles(ctx: EmulatorContext, request: Request) -> Response:
    return JSONResponse({"items": [role_json(r) for r in ctx.state.roles.values()]})


async def get_role(ctx: EmulatorContext, request: Request) -> Response:
    role = ctx.state.roles.get(request.path_params["role_id"])
    if role is None:
        raise ApiProblem(404, f"Role {request.path_params['role_id']} not found", CODE_NOT_FOUND)
    return JSONResponse(role_json(role))
