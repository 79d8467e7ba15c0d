"""PSTN connections of a location (webex-pstn.json, webex-api.md §10.4).

What a client must survive, emulated:
- A new location has no PSTN connection (``GET .../connection`` is a 404) until one is set with ``PUT``.
- Every location offers the same options: premises-based (Local Gateway: needs a trunk or route group),
  a non-integrated Cloud Connected PSTN, an integrated CCP and Cisco Calling Plan. The integrated ones
  cannot be set by API (spec text); locations named in ``integrated_pstn_locations`` start on Cisco
  Calling Plan, as if the provider had set them up.
- Adding numbers to an integrated location is *accepted* (the real API damages the location's data
  instead of refusing), so only the client can keep it from happening.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_INVALID, CODE_NOT_FOUND, ApiProblem, EmulatorContext, json_body
from batch.emulator.org.scope import compact, require_location, require_org, route, text
from batch.emulator.records import encode_id
from batch.emulator.state import Location

BASE = "/v1/telephony/pstn/locations/{location_id}"
INTEGRATED = frozenset({"INTEGRATED_CCP", "CISCO_PSTN"})
ROUTE_TYPES = frozenset({"TRUNK", "ROUTE_GROUP"})


def _option(name: str, kind: str) -> dict[str, Any]:
    option_id = encode_id("PSTN_CONNECTION", uuid.uuid5(uuid.NAMESPACE_URL, f"rtm-batch-emulator/{name}"))
    return {"id": option_id, "displayName": name, "pstnServices": ["GEOGRAPHIC_NUMBERS"], "type": kind}


#: The connection options every location offers (``type`` is ours: the options list does not show it).
OPTIONS = (
    _option("Premises-based PSTN", "LOCAL_GATEWAY"),
    _option("Emulated CCP (non-integrated)", "NON_INTEGRATED_CCP"),
    _option("Emulated CCP (integrated)", "INTEGRATED_CCP"),
    _option("Cisco Calling Plan", "CISCO_PSTN"),
)
BY_ID = {o["id"]: o for o in OPTIONS}
CISCO_CALLING_PLAN = OPTIONS[3]["id"]


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, f"{BASE}/connectionOptions", connection_options, "GET"),
        route(ctx, f"{BASE}/connection", get_connection, "GET"),
        route(ctx, f"{BASE}/connection", set_connection, "PUT"),
    ]


def connection_of(ctx: EmulatorContext, location: Location) -> dict[str, Any] | None:
    """The location's connection option, None when it has none yet."""
    if location.pstn_id is None and location.name.casefold() in ctx.config.integrated_pstn_locations:
        location.pstn_id = CISCO_CALLING_PLAN
    return BY_ID.get(location.pstn_id or "")


def _location(ctx: EmulatorContext, request: Request) -> Location:
    org = require_org(ctx, request)
    return require_location(ctx, org, request.path_params["location_id"])


async def connection_options(ctx: EmulatorContext, request: Request) -> Response:
    _location(ctx, request)
    return JSONResponse({"items": [{k: v for k, v in o.items() if k != "type"} for o in OPTIONS]})


async def get_connection(ctx: EmulatorContext, request: Request) -> Response:
    location = _location(ctx, request)
    option = connection_of(ctx, location)
    if option is None:
        raise ApiProblem(404, f"No PSTN connection is set up for location {location.name!r}", CODE_NOT_FOUND)
    body = {
        "id": option["id"],
        "displayName": option["displayName"],
        "pstnServices": option["pstnServices"],
        "pstnConnectionType": option["type"],
    }
    if option["type"] == "LOCAL_GATEWAY" and location.pstn_route is not None:
        body.update(routeType=location.pstn_route[0], routeId=location.pstn_route[1])
    return JSONResponse(compact(body))


async def set_connection(ctx: EmulatorContext, request: Request) -> Response:
    location = _location(ctx, request)
    body = await json_body(request)
    option = BY_ID.get(text(body, "id") or "")
    if option is None:
        raise ApiProblem(400, f"id {body.get('id')!r} is not a PSTN connection option of this location", CODE_INVALID)
    current = connection_of(ctx, location)
    if option["type"] in INTEGRATED or (current is not None and current["type"] in INTEGRATED):
        raise ApiProblem(
            400,
            "Updating the location with this connection type is currently not supported using the API",
            CODE_INVALID,
        )
    if option["type"] == "LOCAL_GATEWAY":
        kind = text(body, "premiseRouteType", required=False)
        route_id = text(body, "premiseRouteId", required=False)
        if kind not in ROUTE_TYPES or not route_id:
            raise ApiProblem(
                400,
                "premiseRouteType (TRUNK or ROUTE_GROUP) and premiseRouteId are required for a premises-based "
                "PSTN connection",
                CODE_INVALID,
            )
        location.pstn_route = (str(kind), route_id)
    location.pstn_id = option["id"]
    return Response(status_code=204)
