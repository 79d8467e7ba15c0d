"""``/v1/telephony/config/locations``: enable calling on a location, list and get calling locations, set the
main number (webex-api.md §4.1, §4.3; webex-lcs.json).

Enabling calling on a location that already has it is a 409 (not a silent success), so a client that lost
the first response must look the location up rather than trust a retry.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_CONFLICT, CODE_INVALID, CODE_NOT_FOUND, ApiProblem, EmulatorContext, json_body
from batch.emulator.locations.fields import CALLING_NAME_MAX, check_name_free, language, location_fields
from batch.emulator.org.scope import compact, paged, require_location, require_org, route, text
from batch.emulator.state import Location, Org


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/telephony/config/locations", enable_calling, "POST"),
        route(ctx, "/v1/telephony/config/locations", list_calling_locations, "GET"),
        route(ctx, "/v1/telephony/config/locations/{location_id}", get_calling_location, "GET"),
        route(ctx, "/v1/telephony/config/locations/{location_id}", update_calling_location, "PUT"),
    ]


def _calling_location(ctx: EmulatorContext, request: Request) -> tuple[Org, Location]:
    org = require_org(ctx, request)
    location = require_location(ctx, org, request.path_params["location_id"])
    if not location.calling_enabled:
        raise ApiProblem(404, f"Location {location.id} is not enabled for Webex Calling", CODE_NOT_FOUND)
    return org, location


def _calling_line_id(org: Org, location: Location) -> dict[str, Any]:
    return compact({"name": org.name, "phoneNumber": location.main_number})


def calling_list_json(org: Org, location: Location) -> dict[str, Any]:
    """``ListLocationObject`` (webex-lcs.json)."""
    return {
        "id": location.id,
        "name": location.name,
        "callingLineId": _calling_line_id(org, location),
        "e911SetupRequired": False,
    }


def calling_location_json(org: Org, location: Location) -> dict[str, Any]:
    """``GetTelephonyLocationObject`` minus ``connection``: an integrated-PSTN location has no trunk."""
    return {
        "id": location.id,
        "name": location.name,
        "announcementLanguage": location.announcement_language,
        "callingLineId": _calling_line_id(org, location),
        "externalCallerIdName": org.name,
        "userLimit": 500000,
        "outsideDialDigit": "",
        "enforceOutsideDialDigit": False,
        "routingPrefix": "",
        "defaultDomain": f"{location.id[-8:].lower()}.emulator.invalid",
    }


async def enable_calling(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    body = await json_body(request)
    location = require_location(ctx, org, text(body, "id") or "")
    fields = location_fields(body, name_max=CALLING_NAME_MAX)
    if location.calling_enabled:
        raise ApiProblem(409, f"Location {location.id} is already enabled for Webex Calling", CODE_CONFLICT)
    check_name_free(ctx, org, fields["name"], itself=location.id)
    for name, value in fields.items():
        setattr(location, name, value)
    location.calling_enabled = True
    return JSONResponse({"id": location.id}, status_code=201)


async def list_calling_locations(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    rows = [loc for loc in ctx.state.locations_in_org(org.id) if loc.calling_enabled]
    if name := request.query_params.get("name"):
        rows = [loc for loc in rows if name.casefold() in loc.name.casefold()]
    return paged(
        ctx,
        request,
        "locations",
        rows,
        start_param="start",
        default_max=100,
        render=functools.partial(calling_list_json, org),
    )


async def get_calling_location(ctx: EmulatorContext, request: Request) -> Response:
    org, location = _calling_location(ctx, request)
    return JSONResponse(calling_location_json(org, location))


async def update_calling_location(ctx: EmulatorContext, request: Request) -> Response:
    """Only ``callingLineId.phoneNumber`` (the main number) and ``announcementLanguage`` take effect here."""
    org, location = _calling_location(ctx, request)
    body = await json_body(request)
    line = body.get("callingLineId")
    main = None
    if line is not None:
        if not isinstance(line, dict):
            raise ApiProblem(400, "callingLineId must be an object", CODE_INVALID)
        text(line, "name", required=False, where="callingLineId.")
        main = text(line, "phoneNumber", required=False, where="callingLineId.")
    if main is not None:
        number = ctx.state.number(main)
        if number is None or number.location_id != location.id:
            raise ApiProblem(
                400,
                f"callingLineId.phoneNumber {main} is not a number of location {location.name!r}; "
                "add it to the location first",
                CODE_INVALID,
            )
    if body.get("announcementLanguage") is not None:
        location.announcement_language = language(body, "announcementLanguage")
    if main is not None:
        _set_main_number(ctx, location, main)
    return Response(status_code=204)


def _set_main_number(ctx: EmulatorContext, location: Location, e164: str) -> None:
    for number in ctx.state.numbers_in_org(location.org_id, location.id):
        number.main = number.phone_number == e164
    location.main_number = e164
