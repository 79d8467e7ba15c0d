"""``PUT /telephony/config/locations/{id}``: the calling settings of a location, kept for the next GET.

What the body may change (webex-lcs.json ``PutTelephonyLocationObject``; webex-api.md §11 closing
paragraph, WXC's live location tests): the main number (``callingLineId.phoneNumber``, a number of this
location) and the calling line name, ``announcementLanguage``, ``routingPrefix`` (digits, unique in the
org), ``outsideDialDigit`` (one digit or empty) and whether it is enforced, ``externalCallerIdName``, and
``connection``: the trunk or route group of a premises-based location. Modifying the connection "is only
supported for the local PSTN types of TRUNK and ROUTE_GROUP" (spec text): it must name a trunk of this org
(the emulator has no route groups, so a ROUTE_GROUP id is never one), and a location on an integrated PSTN
keeps its connection. Everything is checked before anything changes; the answer is 204.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_CONFLICT, CODE_INVALID, ApiProblem, EmulatorContext, json_body
from batch.emulator.locations.fields import language
from batch.emulator.org.scope import route, text
from batch.emulator.state import Location, Org
from batch.emulator.telephony import jobs
from batch.emulator.telephony.calling import calling_location
from batch.emulator.telephony.pstn import INTEGRATED, PREMISES_BASED, connection_of

ROUTE_TYPES = ("TRUNK", "ROUTE_GROUP")
ROUTING_PREFIX_DIGITS = (2, 7)


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [route(ctx, "/v1/telephony/config/locations/{location_id}", update_calling_location, "PUT")]


async def update_calling_location(ctx: EmulatorContext, request: Request) -> Response:
    org, location = calling_location(ctx, request)
    body = await json_body(request)
    changes: dict[str, Any] = {}
    line = body.get("callingLineId")
    main = None
    if line is not None:
        if not isinstance(line, dict):
            raise ApiProblem(400, "callingLineId must be an object", CODE_INVALID)
        if (name := text(line, "name", required=False, where="callingLineId.")) is not None:
            changes["calling_line_name"] = name
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
        changes["announcement_language"] = language(body, "announcementLanguage")
    if (prefix := text(body, "routingPrefix", required=False)) is not None:
        changes["routing_prefix"] = _routing_prefix(ctx, org, location, prefix)
    if (digit := text(body, "outsideDialDigit", required=False)) is not None:
        if digit and (len(digit) != 1 or not digit.isdigit()):
            raise ApiProblem(400, f"outsideDialDigit must be one digit (0-9) or empty, got {digit!r}", CODE_INVALID)
        changes["outside_dial_digit"] = digit
    if (enforce := body.get("enforceOutsideDialDigit")) is not None:
        if not isinstance(enforce, bool):
            raise ApiProblem(400, "enforceOutsideDialDigit must be true or false", CODE_INVALID)
        changes["enforce_outside_dial_digit"] = enforce
    if (caller_name := text(body, "externalCallerIdName", required=False)) is not None:
        changes["external_caller_id_name"] = caller_name
    if body.get("connection") is not None:
        changes["pstn_route"] = _connection(ctx, org, location, body["connection"])
        changes["pstn_id"] = PREMISES_BASED
    job = None
    new_prefix = changes.get("routing_prefix")
    if ctx.config.routing_prefix_job and new_prefix is not None and new_prefix != location.routing_prefix:
        job = jobs.routing_prefix_job(ctx, org, location)  # §11.13: a 206 with a job is accepted work
    for field, value in changes.items():
        setattr(location, field, value)
    if main is not None:
        _set_main_number(ctx, location, main)
    if job is not None:
        return JSONResponse({"batchJobId": job}, status_code=206)
    return Response(status_code=204)


def _routing_prefix(ctx: EmulatorContext, org: Org, location: Location, prefix: str) -> str:
    low, high = ROUTING_PREFIX_DIGITS
    if prefix and (not prefix.isdigit() or not low <= len(prefix) <= high):
        raise ApiProblem(400, f"routingPrefix must be {low} to {high} digits, got {prefix!r}", CODE_INVALID)
    taken = next((loc for loc in ctx.state.locations_in_org(org.id) if prefix and loc.routing_prefix == prefix), None)
    if taken is not None and taken.id != location.id:
        raise ApiProblem(409, f"routingPrefix {prefix} is already used by location {taken.name!r}", CODE_CONFLICT)
    return prefix


def _connection(ctx: EmulatorContext, org: Org, location: Location, connection: Any) -> tuple[str, str]:
    """(route type, route id) of a ``connection`` naming a trunk of this org, or a 400 that says why not."""
    if not isinstance(connection, dict):
        raise ApiProblem(400, "connection must be an object {type, id}", CODE_INVALID)
    kind, route_id = connection.get("type"), text(connection, "id", where="connection.") or ""
    if kind not in ROUTE_TYPES:
        raise ApiProblem(400, f"connection.type must be one of {list(ROUTE_TYPES)}, got {kind!r}", CODE_INVALID)
    current = connection_of(ctx, location)
    if current is not None and current["type"] in INTEGRATED:
        raise ApiProblem(
            400, f"Location {location.name!r} has an integrated PSTN connection: it has no trunk to set", CODE_INVALID
        )
    trunk = ctx.state.trunks.get(route_id)
    if kind == "ROUTE_GROUP" or trunk is None or trunk.org_id != org.id:
        raise ApiProblem(400, f"connection.id {route_id} is not a {kind} of this organization", CODE_INVALID)
    return str(kind), route_id


def _set_main_number(ctx: EmulatorContext, location: Location, e164: str) -> None:
    for number in ctx.state.numbers_in_org(location.org_id, location.id):
        number.main = number.phone_number == e164
    location.main_number = e164
