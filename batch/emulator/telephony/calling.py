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

from batch.emulator.http import CODE_CONFLICT, CODE_NOT_FOUND, ApiProblem, EmulatorContext, json_body
from batch.emulator.locations.fields import CALLING_NAME_MAX, check_name_free, location_fields
from batch.emulator.org.scope import compact, paged, require_location, require_org, route, text
from batch.emulator.state import Location, Org
from batch.emulator.telephony.pstn import PREMISES, connection_of


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/telephony/config/locations", enable_calling, "POST"),
        route(ctx, "/v1/telephony/config/locations", list_calling_locations, "GET"),
        route(ctx, "/v1/telephony/config/locations/{location_id}", get_calling_location, "GET"),
    ]


def calling_key(location_id: str) -> str:
    """The list-lag key of a location's calling (enabled later than the location was created)."""
    return f"calling:{location_id}"


def calling_location(ctx: EmulatorContext, request: Request) -> tuple[Org, Location]:
    """The org and the calling-enabled location a ``/telephony/config/locations/{location_id}`` path names."""
    org = require_org(ctx, request)
    location = require_location(ctx, org, request.path_params["location_id"])
    if not location.calling_enabled:
        status = ctx.config.no_calling_status  # 404, or 400 as Webex also answers (§11.13)
        raise ApiProblem(status, f"Location {location.id} is not enabled for Webex Calling", CODE_NOT_FOUND)
    return org, location


def _calling_line_id(org: Org, location: Location) -> dict[str, Any]:
    return compact({"name": location.calling_line_name or org.name, "phoneNumber": location.main_number})


def calling_list_json(org: Org, location: Location) -> dict[str, Any]:
    """``ListLocationObject`` (webex-lcs.json): the required ``id``, ``name``, ``callingLineId`` (the main number)
    and ``e911SetupRequired``, and the optional dialling fields when set (Webex omits unset fields)."""
    return {
        "id": location.id,
        "name": location.name,
        **compact({"outsideDialDigit": location.outside_dial_digit, "routingPrefix": location.routing_prefix}),
        "enforceOutsideDialDigit": location.enforce_outside_dial_digit,
        "callingLineId": _calling_line_id(org, location),
        "e911SetupRequired": False,
    }


def calling_location_json(ctx: EmulatorContext, org: Org, location: Location) -> dict[str, Any]:
    """``GetTelephonyLocationObject``, with ``connection`` only for a premises-based location (its trunk or route
    group): other PSTN types have none ("Connection details are only returned for local PSTN types")."""
    row: dict[str, Any] = {
        "id": location.id,
        "name": location.name,
        "announcementLanguage": location.announcement_language,
        "callingLineId": _calling_line_id(org, location),
        "externalCallerIdName": location.external_caller_id_name or org.name,
        "userLimit": 500000,
        "outsideDialDigit": location.outside_dial_digit,
        "enforceOutsideDialDigit": location.enforce_outside_dial_digit,
        "routingPrefix": location.routing_prefix,
        "defaultDomain": f"{location.id[-8:].lower()}.emulator.invalid",
    }
    option = connection_of(ctx, location)
    if option is not None and option["type"] == PREMISES and location.pstn_route is not None:
        row["connection"] = {"type": location.pstn_route[0], "id": location.pstn_route[1]}
    return row


async def enable_calling(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    body = await json_body(request)
    location = require_location(ctx, org, text(body, "id") or "")
    fields = location_fields(body, name_max=CALLING_NAME_MAX, refuse_empty_address2=ctx.config.refuse_empty_address2)
    if location.calling_enabled:
        raise ApiProblem(409, f"Location {location.id} is already enabled for Webex Calling", CODE_CONFLICT)
    customer = ctx.state.customer_of_org(org.id)
    if customer is not None and customer.failed_packages:  # §11.2: the calling package ended in error
        failed = ", ".join(customer.failed_packages)
        raise ApiProblem(
            400, f"Webex Calling is not available in this organization: package {failed} is in error (2560)"
        )
    check_name_free(ctx, org, fields["name"], itself=location.id)
    for name, value in fields.items():
        setattr(location, name, value)
    location.calling_enabled = True
    if ctx.config.list_lag_seconds > 0:
        ctx.state.listed_from[calling_key(location.id)] = ctx.clock() + ctx.config.list_lag_seconds
    return JSONResponse({"id": location.id}, status_code=201)


async def list_calling_locations(ctx: EmulatorContext, request: Request) -> Response:
    """The org's calling locations; one enabled moments ago is listed only after the list lag (§10.8), while its
    own ``GET`` answers at once."""
    org = require_org(ctx, request)
    now = ctx.clock()
    rows = [
        loc
        for loc in ctx.state.locations_in_org(org.id)
        if loc.calling_enabled and ctx.state.listed(loc.id, now) and ctx.state.listed(calling_key(loc.id), now)
    ]
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
    org, location = calling_location(ctx, request)
    return JSONResponse(calling_location_json(ctx, org, location))
