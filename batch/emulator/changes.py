"""The emulator's rules for changing what exists: ``PUT /locations/{id}`` and the package-change rules.

``PUT /locations/{id}`` (webex-locations.json ``PutCommonLocationObject``, 204) changes the fields the
body holds; the common location PUT has no ``announcementLanguage`` (that one is the calling location's).
A calling location's name stays within 80 characters and unique in the org.

Package changes (webex-api.md §2.5, §3.4), checked before anything is changed:
- a full administrator's package is not changed ("No downgrade of the package is supported for the
  customer administrator"): 400;
- Webex Calling Professional → Standard (400112) and Customer Assist → Standard (400410) are refused;
- ``provisioningParameters`` are only taken on a move from meetings to a calling package;
- a customer PUT may not drop a package that subscribers still hold: 409.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from batch.emulator.http import ApiProblem, EmulatorContext, json_body
from batch.emulator.org_api import CODE_CONFLICT, CODE_INVALID, require_location, require_org, route, text
from batch.emulator.org_locations import CALLING_NAME_MAX, NAME_MAX, _address, _check_name_free, _language
from batch.emulator.records import FULL_ADMIN
from batch.emulator.rules import time_zones
from batch.emulator.state import Customer, EmulatorState, Person, Subscriber
from schemas.vocab import CALLING_PACKAGES

#: errorCodes of the licence conflicts (SPEC-ADM ``ErrorDetail``).
PROFESSIONAL_TO_STANDARD = 400112
CX_TO_STANDARD = 400410
ADMIN_PACKAGE = 400100


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [route(ctx, "/v1/locations/{location_id}", update_location, "PUT")]


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
    preferred = _language(body, "preferredLanguage") if body.get("preferredLanguage") is not None else None
    address = _address(body) if body.get("address") is not None else None
    if name is not None and name.strip():
        _check_name_free(ctx, org, name.strip(), itself=location.id)
        location.name = name.strip()
    if zone is not None:
        location.time_zone = zone
    if preferred is not None:
        location.preferred_language = preferred
    if address is not None:
        location.address = address
    return Response(status_code=204)


def is_full_admin(state: EmulatorState, person: Person | None) -> bool:
    role = state.role_by_name(FULL_ADMIN)
    return person is not None and role is not None and role.id in person.roles


def check_subscriber_change(
    state: EmulatorState, customer: Customer, sub: Subscriber, package: str, has_params: bool
) -> None:
    """Refuse a package change the API refuses (raises ``ApiProblem``; nothing is changed)."""
    old = sub.package
    if package == old:
        return
    person = state.people.get(sub.person_id) if sub.person_id else None
    if is_full_admin(state, person):
        raise ApiProblem(
            400,
            "No downgrade of the package is supported for the customer administrator (full administrator)",
            ADMIN_PACKAGE,
        )
    if old == "webex_calling" and package == "webex_calling_standard":
        raise ApiProblem(
            400,
            "Changing a user's Webex Calling license from Professional to Standard is not allowed",
            PROFESSIONAL_TO_STANDARD,
        )
    if old == "cx_essentials" and package == "webex_calling_standard":
        raise ApiProblem(
            400, "Changing a user's license from CX Essential to Webex Calling Standard is not allowed", CX_TO_STANDARD
        )
    to_calling = package in CALLING_PACKAGES and old not in CALLING_PACKAGES
    if has_params and not to_calling:
        raise ApiProblem(
            400,
            "provisioningParameters should only be supplied when changing from the webex_meetings package "
            "to a calling-enabled package",
        )


def check_customer_packages(state: EmulatorState, customer: Customer, packages: list[str]) -> None:
    """A package left out of the complete list is removed: not while subscribers of this customer hold it."""
    held = {s.package for s in state.subscribers_of(customer.id)}
    dropped = sorted(p for p in customer.packages if p not in packages and p in held)
    if dropped:
        raise ApiProblem(
            409,
            f"Package {', '.join(dropped)} cannot be removed: subscribers of this customer still have it",
            CODE_CONFLICT,
        )
