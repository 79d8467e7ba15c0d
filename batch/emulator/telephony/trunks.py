"""Premises trunks (``/v1/telephony/config/premisePstn/trunks``): create and list, as wxc_sdk's ``TrunkApi``
sends them (the official spec of these routes is not in ../shared).

Why the emulator has them: a premises-based location routes PSTN calls to a trunk, and the calling-location
PUT refuses a ``connection`` that names no trunk of the org (the field's SDK test sets one the way WXC's
live ``test_003_create_location`` does: create the trunk in the location, then PUT the connection).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_CONFLICT, CODE_INVALID, ApiProblem, EmulatorContext, json_body
from batch.emulator.org.scope import paged, require_location, require_org, route, text
from batch.emulator.state import EmulatorState, Trunk

PATH = "/v1/telephony/config/premisePstn/trunks"
TRUNK_TYPES = ("REGISTERING", "CERTIFICATE_BASED")


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [route(ctx, PATH, create_trunk, "POST"), route(ctx, PATH, list_trunks, "GET")]


def trunk_json(state: EmulatorState, trunk: Trunk) -> dict[str, Any]:
    location = state.locations.get(trunk.location_id)
    in_use = any(tuple(loc.pstn_route or ()) == ("TRUNK", trunk.id) for loc in state.locations_in_org(trunk.org_id))
    return {
        "id": trunk.id,
        "name": trunk.name,
        "location": {"id": trunk.location_id, "name": location.name if location else ""},
        "inUse": in_use,
        "trunkType": trunk.trunk_type,
        "isRestrictedToDedicatedInstance": False,
    }


async def create_trunk(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    body = await json_body(request)
    name = (text(body, "name") or "").strip()
    location = require_location(ctx, org, text(body, "locationId") or "")
    trunk_type = text(body, "trunkType", required=False) or "REGISTERING"
    if trunk_type not in TRUNK_TYPES:
        raise ApiProblem(400, f"trunkType must be one of {list(TRUNK_TYPES)}, got {trunk_type!r}", CODE_INVALID)
    if trunk_type == "REGISTERING":
        text(body, "password")
    if not location.calling_enabled:
        raise ApiProblem(400, f"Location {location.name!r} is not enabled for Webex Calling", CODE_INVALID)
    if any(t.name.casefold() == name.casefold() for t in ctx.state.trunks_in_org(org.id)):
        raise ApiProblem(409, f"A trunk named {name!r} already exists in this organization", CODE_CONFLICT)
    trunk = Trunk(ctx.state.new_id("TRUNK"), org.id, name, location.id, trunk_type)
    ctx.state.add_trunk(trunk)
    return JSONResponse({"id": trunk.id}, status_code=201)


async def list_trunks(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    rows = ctx.state.trunks_in_org(org.id)
    if name := request.query_params.get("name"):
        rows = [t for t in rows if name.casefold() in t.name.casefold()]
    if location_name := request.query_params.get("locationName"):
        names = {
            loc.id for loc in ctx.state.locations_in_org(org.id) if location_name.casefold() in loc.name.casefold()
        }
        rows = [t for t in rows if t.location_id in names]
    return paged(
        ctx, request, "trunks", rows, start_param="start", default_max=100, render=lambda t: trunk_json(ctx.state, t)
    )
