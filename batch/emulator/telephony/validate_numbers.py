"""``POST /telephony/config/actions/validateNumbers/invoke`` (webex-numbers.json; webex-api.md §11.14).

Each number gets a state with the detail text Webex gives (exact bodies from WXC's live
``TestValidatePhoneNumbers``): ``Available``; ``Duplicate`` "[Error 8363] DN is in use" (already a number of
this org, e.g. added by a previous run); ``Duplicate In List`` [8360] (the same number earlier in the
request); ``Invalid`` [8362]; ``Unavailable`` [8361] (a number of another org). ``status`` is ``OK`` only when
every number is available.

The spec names the list ``numbers`` and each number ``number``; the live API (what the field's SDK reads and
its live tests check) answers ``phoneNumbers`` and ``phoneNumber``. The emulator answers both spellings, so
a client written from either reads it; a client should read ``phoneNumbers`` first, as Webex sends it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_INVALID, ApiProblem, EmulatorContext, json_body
from batch.emulator.org.scope import E164, require_org, route, string_list
from batch.emulator.state import Org
from batch.emulator.telephony.numbers import TOLL_FREE_PREFIXES

PATH = "/v1/telephony/config/actions/validateNumbers/invoke"


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [route(ctx, PATH, validate_numbers, "POST")]


def number_state(ctx: EmulatorContext, org: Org, e164: str, seen: set[str]) -> tuple[str, list[str]]:
    """(state, detail) of one number of the request; ``seen``: the numbers before it in the request."""
    if not E164.fullmatch(e164):
        return "Invalid", [f"[Error 8362] DN is invalid : {e164}"]
    if e164 in seen:
        return "Duplicate In List", [f"[Error 8360] Duplicate DN in the request : {e164}"]
    held = ctx.state.number(e164)
    if held is not None and held.org_id == org.id:
        return "Duplicate", [f"[Error 8363] DN is in use : {e164}"]
    if held is not None:
        return "Unavailable", [f"[Error 8361] DN is unavailable : {e164}"]
    return "Available", []


async def validate_numbers(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    numbers = string_list(await json_body(request), "phoneNumbers")
    if not numbers:
        raise ApiProblem(400, "phoneNumbers is required and must not be empty", CODE_INVALID)
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    for e164 in numbers:
        state, detail = number_state(ctx, org, e164, seen)
        seen.add(e164)
        toll_free = e164.startswith(TOLL_FREE_PREFIXES)
        rows.append(
            {"number": e164, "phoneNumber": e164, "state": state, "tollFreeNumber": toll_free, "detail": detail}
        )
    status = "OK" if all(row["state"] == "Available" for row in rows) else "ERRORS"
    return JSONResponse({"status": status, "numbers": rows, "phoneNumbers": rows})
