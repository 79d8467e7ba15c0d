"""The numbers of a location: add them and list them (webex-api.md §4.3, webex-numbers.json).

Adding numbers that another location or org owns: the free ones are added all the same, and the answer is a
400 whose body is a JSON *array* naming each refused number (wxc_sdk ``NumberAddError``, webex-api.md
§10.3); numbers already in the same location are ignored (spec text).
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_INVALID, CODE_NUMBER_UNAVAILABLE, ApiProblem, EmulatorContext, json_body
from batch.emulator.org.scope import (
    E164,
    compact,
    paged,
    query_bool,
    require_location,
    require_org,
    route,
    string_list,
    text,
)
from batch.emulator.state import Number

NUMBER_TYPES = frozenset({"DID", "TOLLFREE", "MOBILE"})
NUMBER_STATES = frozenset({"ACTIVE", "INACTIVE"})
MOBILE_PER_REQUEST = 20
TOLL_FREE_PREFIXES = ("+1800", "+1888", "+1877", "+1866", "+1855", "+1844", "+1833")


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/telephony/config/locations/{location_id}/numbers", add_numbers, "POST"),
        route(ctx, "/v1/telephony/config/numbers", list_numbers, "GET"),
    ]


def _numbers_request(body: dict[str, Any]) -> tuple[list[str], str]:
    numbers = string_list(body, "phoneNumbers")
    if not numbers:
        raise ApiProblem(400, "phoneNumbers is required and must not be empty", CODE_INVALID)
    bad = [n for n in numbers if not E164.fullmatch(n)]
    if bad:
        raise ApiProblem(
            400, f"Invalid phone number(s), E.164 expected (e.g. +358401234567): {', '.join(bad)}", CODE_INVALID
        )
    number_type = text(body, "numberType", required=False) or "DID"
    if number_type not in NUMBER_TYPES:
        raise ApiProblem(400, f"numberType must be one of {sorted(NUMBER_TYPES)}, got {number_type!r}", CODE_INVALID)
    if number_type == "MOBILE" and len(numbers) > MOBILE_PER_REQUEST:
        raise ApiProblem(400, f"Only {MOBILE_PER_REQUEST} mobile numbers can be added per request", CODE_INVALID)
    state = text(body, "state", required=False) or "ACTIVE"
    if state not in NUMBER_STATES:
        raise ApiProblem(400, f"state must be one of {sorted(NUMBER_STATES)}, got {state!r}", CODE_INVALID)
    return list(dict.fromkeys(numbers)), state


async def add_numbers(ctx: EmulatorContext, request: Request) -> Response:
    """Partial success: free numbers are added, the taken ones come back in a 400 array body."""
    org = require_org(ctx, request)
    location = require_location(ctx, org, request.path_params["location_id"])
    numbers, state = _numbers_request(await json_body(request))
    if not location.calling_enabled:
        raise ApiProblem(400, f"Location {location.name!r} is not enabled for Webex Calling", CODE_INVALID)
    taken = [n for n in numbers if (held := ctx.state.number(n)) is not None and held.location_id != location.id]
    for e164 in numbers:
        if ctx.state.number(e164) is None:
            ctx.state.add_number(Number(phone_number=e164, org_id=org.id, location_id=location.id, state=state))
    if taken:
        return JSONResponse([{"errors": [_number_error(n) for n in taken]}], status_code=400)
    return Response(status_code=201)


def _number_error(e164: str) -> dict[str, Any]:
    """One item of the numbers API's 400 array body (wxc_sdk ``NumberAddError``)."""
    return {
        "number": e164,
        "errorType": "ERROR",
        "errorCode": str(CODE_NUMBER_UNAVAILABLE),
        "errorMessage": f"[Error {CODE_NUMBER_UNAVAILABLE}] DN is unavailable : {e164}",
        "errorTitle": "Number is already in another location or organization",
    }


def _number_json(ctx: EmulatorContext, number: Number) -> dict[str, Any]:
    """``NumberObject`` (webex-numbers.json)."""
    location = ctx.state.locations[number.location_id]
    owner = ctx.state.people.get(number.owner_id) if number.owner_id else None
    row: dict[str, Any] = {
        "phoneNumber": number.phone_number,
        "state": number.state,
        "phoneNumberType": "PRIMARY",
        "mainNumber": number.main,
        "includedTelephonyTypes": "PSTN_NUMBER",
        "tollFreeNumber": _toll_free(number),
        "isServiceNumber": False,
        "location": {"id": location.id, "name": location.name},
    }
    if owner is not None:
        if owner.extension:
            row["extension"] = owner.extension
        row["owner"] = compact(
            {"id": owner.id, "type": "PEOPLE", "firstName": owner.first_name, "lastName": owner.last_name}
        )
    return row


def _toll_free(number: Number) -> bool:
    """North-American toll-free prefixes; the emulator does not keep numberType per number."""
    return number.phone_number.startswith(TOLL_FREE_PREFIXES)


def _count(rows: list[Number]) -> dict[str, int]:
    assigned = sum(1 for n in rows if n.owner_id)
    return {
        "assigned": assigned,
        "unAssigned": len(rows) - assigned,
        "inActive": sum(1 for n in rows if n.state == "INACTIVE"),
        "extensionOnly": 0,
        "tollFreeNumbers": sum(1 for n in rows if _toll_free(n)),
        "total": len(rows),
        "mobileNumber": 0,
        "serviceNumber": 0,
    }


async def list_numbers(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    query = request.query_params
    location_id = query.get("locationId")
    if location_id:
        require_location(ctx, org, location_id)
    rows = ctx.state.numbers_in_org(org.id, location_id or None)
    if wanted := query.get("phoneNumber"):
        rows = [n for n in rows if wanted.lstrip("+") in n.phone_number]
    available = query_bool(request, "available")
    if available is not None:
        rows = [n for n in rows if (n.owner_id is None and not n.main) == available]
    if (owner_type := query.get("ownerType")) and owner_type != "PEOPLE":
        rows = []  # the emulator's numbers are owned by people only
    if owner_id := query.get("ownerId"):
        rows = [n for n in rows if n.owner_id == owner_id]
    if extension := query.get("extension"):
        rows = [n for n in rows if n.owner_id and ctx.state.people[n.owner_id].extension == extension]
    rows.sort(key=lambda n: n.phone_number)
    return paged(
        ctx,
        request,
        "phoneNumbers",
        rows,
        start_param="start",
        default_max=2000,
        render=functools.partial(_number_json, ctx),
        extra={"count": _count(rows)},
    )
