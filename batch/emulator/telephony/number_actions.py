"""What else a location's numbers take (webex-numbers.json; webex-api.md §11.15): activate or deactivate them
(``PUT …/numbers``) and remove them (``DELETE …/numbers``).

The real API's limits, emulated: a DELETE takes at most 5 numbers and never the location's main number;
a number must be in the location named by the path; a DEACTIVATE takes unassigned numbers only (at most 500),
and an assigned number is not removed (its user keeps it until unassigned). Nothing changes when one number
of the request is refused.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_INVALID, ApiProblem, EmulatorContext, json_body
from batch.emulator.org.scope import E164, require_location, require_org, route, string_list, text
from batch.emulator.state import Location, Number

PATH = "/v1/telephony/config/locations/{location_id}/numbers"
DELETE_MAX = 5
DEACTIVATE_MAX = 500
ACTIONS = {"ACTIVATE": "ACTIVE", "DEACTIVATE": "INACTIVE"}


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [route(ctx, PATH, manage_state, "PUT"), route(ctx, PATH, remove_numbers, "DELETE")]


async def _located(ctx: EmulatorContext, request: Request) -> tuple[Location, list[Number], dict[str, object]]:
    """The path's location, the body's numbers (each one of that location) and the body."""
    org = require_org(ctx, request)
    location = require_location(ctx, org, request.path_params["location_id"])
    body = await json_body(request)
    wanted = string_list(body, "phoneNumbers")
    if not wanted:
        raise ApiProblem(400, "phoneNumbers is required and must not be empty", CODE_INVALID)
    bad = [n for n in wanted if not E164.fullmatch(n)]
    if bad:
        raise ApiProblem(400, f"Invalid phone number(s), E.164 expected: {', '.join(bad)}", CODE_INVALID)
    found = [ctx.state.number(n) for n in dict.fromkeys(wanted)]
    missing = [
        n
        for n, number in zip(dict.fromkeys(wanted), found, strict=True)
        if number is None or number.location_id != location.id
    ]
    if missing:
        raise ApiProblem(400, f"Phone number(s) not in location {location.name!r}: {', '.join(missing)}", CODE_INVALID)
    return location, [n for n in found if n is not None], body


async def manage_state(ctx: EmulatorContext, request: Request) -> Response:
    """``{phoneNumbers, action}``: ACTIVATE (the default) or DEACTIVATE."""
    _, numbers, body = await _located(ctx, request)
    action = text(body, "action", required=False) or "ACTIVATE"
    if action not in ACTIONS:
        raise ApiProblem(400, f"action must be ACTIVATE or DEACTIVATE, got {action!r}", CODE_INVALID)
    if action == "DEACTIVATE":
        if len(numbers) > DEACTIVATE_MAX:
            raise ApiProblem(400, f"At most {DEACTIVATE_MAX} numbers can be deactivated per request", CODE_INVALID)
        busy = [n.phone_number for n in numbers if n.owner_id or n.main]
        if busy:
            raise ApiProblem(400, f"Only unassigned numbers can be deactivated: {', '.join(busy)}", CODE_INVALID)
    for number in numbers:
        number.state = ACTIONS[action]
    return Response(status_code=204)


async def remove_numbers(ctx: EmulatorContext, request: Request) -> Response:
    location, numbers, _ = await _located(ctx, request)
    if len(numbers) > DELETE_MAX:
        raise ApiProblem(400, f"At most {DELETE_MAX} phone numbers can be removed per request", CODE_INVALID)
    main = [n.phone_number for n in numbers if n.main]
    if main:
        raise ApiProblem(
            400, f"{main[0]} is the main number of location {location.name!r}: it cannot be removed", CODE_INVALID
        )
    owned = [n.phone_number for n in numbers if n.owner_id]
    if owned:
        raise ApiProblem(
            400, f"Phone number(s) assigned to a user: unassign them first: {', '.join(owned)}", CODE_INVALID
        )
    for number in numbers:
        ctx.state.remove_number(number.phone_number)
    return Response(status_code=204)
