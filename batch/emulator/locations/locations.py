"""``/v1/locations``: create, list, get and update a location (webex-api.md §4.1, webex-locations.json).

``PUT /locations/{id}`` (``PutCommonLocationObject``, 204) changes the fields the body holds. A body copied
from the location's own GET succeeds: its ``announcementLanguage`` is ignored here (it is the calling
location's, set when calling is enabled; webex-api.md §11.12). A calling location's name stays within 80
characters and unique in the org.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_CONFLICT, CODE_INVALID, ApiProblem, EmulatorContext, json_body
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
from batch.emulator.telephony.disable_location import users_at
from batch.emulator.vocab import time_zones


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/locations", create_location, "POST"),
        route(ctx, "/v1/locations", list_locations, "GET"),
        route(ctx, "/v1/locations/{location_id}", get_location, "GET"),
        route(ctx, "/v1/locations/{location_id}", update_location, "PUT"),
        route(ctx, "/v1/locations/{location_id}", delete_location, "DELETE"),
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
    cap = ctx.config.locations_page_max
    return paged(
        ctx, request, "items", rows, start_param="start", default_max=500, render=location_json, serve_at_most=cap
    )


async def get_location(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    return JSONResponse(location_json(require_location(ctx, org, request.path_params["location_id"])))


async def update_location(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    location = require_location(ctx, org, request.path_params["location_id"])
    body = await json_body(request)  # announcementLanguage, id, orgId of a body copied from a GET: ignored
    name = text(body, "name", required=False, max_len=CALLING_NAME_MAX if location.calling_enabled else NAME_MAX)
    zone = text(body, "timeZone", required=False)
    if zone is not None and zone not in time_zones():
        raise ApiProblem(400, f"timeZone {zone!r} is not a valid IANA time zone (e.g. Europe/Helsinki)", CODE_INVALID)
    preferred = language(body, "preferredLanguage") if body.get("preferredLanguage") is not None else None
    refuse = ctx.config.refuse_empty_address2
    address = address_fields(body, refuse_empty_address2=refuse) if body.get("address") is not None else None
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


async def delete_location(ctx: EmulatorContext, request: Request) -> Response:
    """204; refused (409) while the location has Webex Calling ("Disabling Webex Calling … is required prior to
    deleting a location", webex-locations.json) or a user is placed in it."""
    org = require_org(ctx, request)
    location = require_location(ctx, org, request.path_params["location_id"])
    if location.calling_enabled:
        raise ApiProblem(
            409,
            f"Location {location.name!r} is enabled for Webex Calling: disable it for calling first "
            "(POST /telephony/config/jobs/locations/deleteCallingLocation)",
            CODE_CONFLICT,
        )
    if users_at(ctx, org, location):
        raise ApiProblem(409, f"Location {location.name!r} still has users: move or remove them first", CODE_CONFLICT)
    ctx.state.remove_location(location.id)
    return Response(status_code=204)
