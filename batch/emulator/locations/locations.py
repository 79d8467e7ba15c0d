"""``/v1/locations``: create, list, get and update a location (webex-api.md §4.1, webex-locations.json).

``PUT /locations/{id}`` (``PutCommonLocationObject``, 204) changes the fields the body holds; the common
location PUT has no ``announcementLanguage`` (that one is the calling location's). A calling location's name
stays within 80 characters and unique in the org.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_INVALID, ApiProblem, EmulatorContext, json_body
from batch.emulator.locations.fields import (
    CALLING_NAME_MAX,
    NAME_MAX,
    address_fields,
    check_name_free,
    language,
    location_fields,
    location_json,
)
from batch.emulator.org.scope import paged, require_location, require_org, route, text
from batch.emulator.state import Location
from batch.emulator.vocab import time_zones


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/locations", create_location, "POST"),
        route(ctx, "/v1/locations", list_locations, "GET"),
        route(ctx, "/v1/locations/{location_id}", get_location, "GET"),
        route(ctx, "/v1/locations/{location_id}", update_location, "PUT"),
    ]


async def create_location(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    fields = location_fields(await json_body(request), name_max=NAME_MAX)
    check_name_free(ctx, org, fields["name"])
    location = Location(id=ctx.state.new_id("LOCATION"), org_id=org.id, **fields)
    ctx.state.add_location(location)
    if ctx.config.list_lag_seconds > 0:
        ctx.state.listed_from[location.id] = ctx.clock() + ctx.config.list_lag_seconds
    return JSONResponse({"id": location.id}, status_code=201)


async def list_locations(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    now = ctx.clock()
    rows = [loc for loc in ctx.state.locations_in_org(org.id) if ctx.state.listed(loc.id, now)]
    if name := request.query_params.get("name"):
        rows = [loc for loc in rows if name.casefold() in loc.name.casefold()]
    if wanted := request.query_params.get("id"):
        rows = [loc for loc in rows if loc.id == wanted]
    return paged(ctx, request, "items", rows, start_param="start", default_max=500, render=location_json)


async def get_location(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    return JSONResponse(location_json(require_location(ctx, org, request.path_params["location_id"])))


async def update_location(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    location = require_location(ctx, org, request.path_params["location_id"])
    body = await json_body(request)
    if "announcementLanguage" in body:
        message = "announcementLanguage is not a field of this PUT (set it on the calling location)"
        raise ApiProblem(400, message, CODE_INVALID)
    name = text(body, "name", required=False, max_len=CALLING_NAME_MAX if location.calling_enabled else NAME_MAX)
    zone = text(body, "timeZone", required=False)
    if zone is not None and zone not in time_zones():
        raise ApiProblem(400, f"timeZone {zone!r} is not a valid IANA time zone (e.g. Europe/Helsinki)", CODE_INVALID)
    preferred = language(body, "preferredLanguage") if body.get("preferredLanguage") is not None else None
    address = address_fields(body) if body.get("address") is not None else None
    if name is not None and name.strip():
        check_name_free(ctx, org, name.strip(), itself=location.id)
        location.name = name.strip()
    if zone is not None:
        location.time_zone = zone
    if preferred is not None:
        location.preferred_language = preferred
    if address is not None:
        location.address = address
    return Response(status_code=204)
