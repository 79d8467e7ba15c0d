"""Locations, calling enablement and main number, and the numbers of a location (webex-api.md §4.1, §4.3).

Field names and status codes follow webex-locations.json, webex-lcs.json and webex-numbers.json.
Choices where the specs are silent (each one a real-API behaviour a client must survive):
- A location name is unique per org, case-insensitively: a second one is a 409.
- ``/v1/locations`` accepts names up to 256 characters; enabling calling limits them to 80 (spec text).
- Enabling calling on a location that already has it is a 409 (not a silent success), so a client that
  lost the first response must look the location up rather than trust a retry.
- Adding numbers that another location or org owns: the free ones are added all the same, and the
  answer is a 400 whose body is a JSON *array* naming each refused number (wxc_sdk ``NumberAddError``,
  webex-api.md §10.3); numbers already in the same location are ignored (spec text).
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import ApiProblem, EmulatorContext, json_body
from batch.emulator.org_api import (
    CODE_CONFLICT,
    CODE_INVALID,
    CODE_NOT_FOUND,
    CODE_NUMBER_UNAVAILABLE,
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
from batch.emulator.rules import time_zones
from batch.emulator.state import Location, Number, Org

NAME_MAX = 256
CALLING_NAME_MAX = 80
ADDRESS_REQUIRED = ("address1", "city", "state", "postalCode", "country")
NUMBER_TYPES = frozenset({"DID", "TOLLFREE", "MOBILE"})
NUMBER_STATES = frozenset({"ACTIVE", "INACTIVE"})
MOBILE_PER_REQUEST = 20
TOLL_FREE_PREFIXES = ("+1800", "+1888", "+1877", "+1866", "+1855", "+1844", "+1833")


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/locations", create_location, "POST"),
        route(ctx, "/v1/locations", list_locations, "GET"),
        route(ctx, "/v1/locations/{location_id}", get_location, "GET"),
        route(ctx, "/v1/telephony/config/locations", enable_calling, "POST"),
        route(ctx, "/v1/telephony/config/locations", list_calling_locations, "GET"),
        route(ctx, "/v1/telephony/config/locations/{location_id}", get_calling_location, "GET"),
        route(ctx, "/v1/telephony/config/locations/{location_id}", update_calling_location, "PUT"),
        route(ctx, "/v1/telephony/config/locations/{location_id}/numbers", add_numbers, "POST"),
        route(ctx, "/v1/telephony/config/numbers", list_numbers, "GET"),
    ]


# ---- /v1/locations -------------------------------------------------------------------------------


def location_json(location: Location) -> dict[str, Any]:
    """The Location object of ``GET /locations`` (webex-api.md §4.1)."""
    return compact(
        {
            "id": location.id,
            "name": location.name,
            "orgId": location.org_id,
            "timeZone": location.time_zone,
            "preferredLanguage": location.preferred_language,
            "announcementLanguage": location.announcement_language,
            "address": compact(dict(location.address)),
        }
    )


def _language(body: dict[str, Any], name: str) -> str:
    value = text(body, name) or ""
    code = value.lower()
    if len(code) != 5 or code[2] != "_" or not (code[:2] + code[3:]).isalpha():
        raise ApiProblem(400, f"{name} must be a language code like en_us, got {value!r}", CODE_INVALID)
    return code


def _address(body: dict[str, Any]) -> dict[str, Any]:
    address = body.get("address")
    if not isinstance(address, dict):
        raise ApiProblem(400, "address is required", CODE_INVALID)
    fields = {name: text(address, name, where="address.") for name in ADDRESS_REQUIRED}
    fields["address2"] = text(address, "address2", required=False, where="address.")
    country = fields["country"] or ""
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise ApiProblem(400, f"address.country must be an ISO-3166 2-letter code, got {country!r}", CODE_INVALID)
    fields["country"] = country.upper()
    return {k: fields[k] for k in ("address1", "address2", "city", "state", "postalCode", "country")}


def location_fields(body: dict[str, Any], *, name_max: int) -> dict[str, Any]:
    """The checked fields shared by ``POST /locations`` and ``POST /telephony/config/locations``."""
    name = (text(body, "name", max_len=name_max) or "").strip()
    zone = text(body, "timeZone") or ""
    if zone not in time_zones():
        raise ApiProblem(400, f"timeZone {zone!r} is not a valid IANA time zone (e.g. Europe/Helsinki)", CODE_INVALID)
    for optional in ("latitude", "longitude", "notes"):
        text(body, optional, required=False)
    return {
        "name": name,
        "time_zone": zone,
        "preferred_language": _language(body, "preferredLanguage"),
        "announcement_language": _language(body, "announcementLanguage"),
        "address": _address(body),
    }


def _check_name_free(ctx: EmulatorContext, org: Org, name: str, itself: str | None = None) -> None:
    clash = ctx.state.location_by_name(org.id, name)
    if clash is not None and clash.id != itself:
        raise ApiProblem(409, f"Location name {name!r} already exists in this organization", CODE_CONFLICT)


async def create_location(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    fields = location_fields(await json_body(request), name_max=NAME_MAX)
    _check_name_free(ctx, org, fields["name"])
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


# ---- /v1/telephony/config/locations --------------------------------------------------------------


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
    _check_name_free(ctx, org, fields["name"], itself=location.id)
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
        location.announcement_language = _language(body, "announcementLanguage")
    if main is not None:
        _set_main_number(ctx, location, main)
    return Response(status_code=204)


def _set_main_number(ctx: EmulatorContext, location: Location, e164: str) -> None:
    for number in ctx.state.numbers_in_org(location.org_id, location.id):
        number.main = number.phone_number == e164
    location.main_number = e164


# ---- numbers -------------------------------------------------------------------------------------


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
