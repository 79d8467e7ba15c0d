"""People (webex-api.md §4.4), shaped by webex-people.json.

The trap worth emulating: ``PUT /people/{id}`` replaces the whole person. Fields left out are cleared
(``roles``, ``licenses``, names, and the work number in ``phoneNumbers``), so a client must GET, modify,
then PUT. Calling fields (``phoneNumbers``, ``extension``, ``locationId``) are only returned with
``callingData=true``, and only changed with it, except that a work number left out of ``phoneNumbers`` is
dropped either way: a PUT built from a GET without ``callingData`` loses the user's number (webex-api.md
§10.7, wxc_sdk ``test_002_remove_work_number``).

With ``callingData=true`` a user with an extension also shows a ``work_extension`` entry in ``phoneNumbers``
(the location's routing prefix and the extension); a PUT never reads it (the ``extension`` field sets the
extension). Every user of a customer org holds the org's implicit licence, and a PUT that leaves it out is
refused (SPEC-PEOPLE PUT notes, webex-api.md §11.17). ``GET /people/me`` is the partner administrator whose
token the emulator accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import (
    CODE_CONFLICT,
    CODE_INVALID,
    CODE_NOT_FOUND,
    ApiProblem,
    EmulatorContext,
    json_body,
    query_int,
)
from batch.emulator.org.scope import (
    compact,
    paged,
    query_bool,
    require_org,
    route,
    string_list,
    text,
)
from batch.emulator.records import implicit_license_id
from batch.emulator.state import EmulatorState, Person

MAX_IDS = 85
#: People a ``?locationId=`` page holds at most, whatever ``max`` asked for (§11.9; ``Link`` to the rest).
LOCATION_PAGE_MAX = 50
NAME_MAX = 256


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, "/v1/people", list_people, "GET"),
        route(ctx, "/v1/people/me", get_me, "GET"),
        route(ctx, "/v1/people/{person_id}", get_person, "GET"),
        route(ctx, "/v1/people/{person_id}", update_person, "PUT"),
    ]


def person_json(state: EmulatorState, person: Person, *, calling: bool, work_extension: bool = False) -> dict[str, Any]:
    """The ``Person`` object; calling fields only when asked for with ``callingData=true`` (``work_extension``:
    with the extension's ``work_extension`` entry, ``EmulatorConfig.work_extension_entries``)."""
    row = compact(
        {
            "id": person.id,
            "emails": list(person.emails),
            "displayName": person.display_name,
            "firstName": person.first_name,
            "lastName": person.last_name,
            "orgId": person.org_id,
            "created": person.created,
            "status": person.status,
            "type": "person",
        }
    )
    row["roles"] = list(person.roles)
    row["licenses"] = list(person.licenses)
    if calling:
        row["phoneNumbers"] = [dict(p) for p in person.phone_numbers]
        if work_extension:
            row["phoneNumbers"] += _work_extension(state, person)
        row.update(compact({"extension": person.extension, "locationId": person.location_id}))
    return row


def _work_extension(state: EmulatorState, person: Person) -> list[dict[str, str]]:
    """The ``work_extension`` entry of a user with an extension: routing prefix + extension (§11.17)."""
    if not person.extension:
        return []
    location = state.locations.get(person.location_id or "")
    prefix = location.routing_prefix if location is not None else ""
    return [{"type": "work_extension", "value": f"{prefix}{person.extension}"}]


def _person(ctx: EmulatorContext, person_id: str) -> Person:
    person = ctx.state.people.get(person_id)
    if person is None:
        raise ApiProblem(404, f"Person {person_id} not found", CODE_NOT_FOUND)
    return person


async def list_people(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    query = request.query_params
    rows = ctx.state.people_in_org(org.id)
    extra: dict[str, Any] = {}
    if email := query.get("email"):
        found = ctx.state.person_by_email(email)
        rows = [found] if found is not None and found.org_id == org.id else []
    if ids := query.get("id"):
        wanted = [i for i in ids.split(",") if i]
        if len(wanted) > MAX_IDS:
            raise ApiProblem(400, f"id accepts at most {MAX_IDS} person ids, got {len(wanted)}", CODE_INVALID)
        wanted_set = set(wanted)
        rows = [p for p in rows if p.id in wanted_set]
        extra["notFoundIds"] = [i for i in wanted if i not in {p.id for p in rows}]
    if name := query.get("displayName"):
        rows = [p for p in rows if p.display_name.casefold().startswith(name.casefold())]
    if roles := query.get("roles"):
        wanted_roles = set(roles.split(","))
        rows = [p for p in rows if wanted_roles.intersection(p.roles)]
    calling = bool(query_bool(request, "callingData"))
    cap = ctx.config.calling_data_max
    if calling and cap and query_int(request, "max", 100, minimum=1) > cap:  # §11.9
        raise ApiProblem(504, "Gateway Timeout: the query uses max; try to reduce it", CODE_INVALID)
    at_most = 0
    if location_id := query.get("locationId"):
        rows = [p for p in rows if p.location_id == location_id]
        at_most = LOCATION_PAGE_MAX
        if not rows and ctx.config.location_pseudo_item:  # not a person: an error dressed as an item (§11.9)
            return JSONResponse({"items": [{"errors": {"peopleListLocationId": {"code": "404", "reason": ""}}}]})
    return paged(
        ctx,
        request,
        "items",
        rows,
        start_param="start",
        default_max=100,
        render=lambda p: _list_item(ctx, p, calling),
        extra=extra or None,
        serve_at_most=at_most,
    )


def _list_item(ctx: EmulatorContext, person: Person, calling: bool) -> dict[str, Any]:
    """A list item: without ``licenses`` and ``roles`` ("shown when accessing a user via GET /people/{id}, not
    when doing a GET /people?id=", webex-api.md §11.1) unless ``people_list_without_licenses`` is off."""
    row = person_json(ctx.state, person, calling=calling, work_extension=_work_extension_on(ctx))
    if ctx.config.people_list_without_licenses:
        row.pop("licenses", None)
        row.pop("roles", None)
    return row


async def get_person(ctx: EmulatorContext, request: Request) -> Response:
    person_id = request.path_params["person_id"]
    me = ctx.state.partner.admin
    person = me if person_id == me.id else _person(ctx, person_id)
    calling = bool(query_bool(request, "callingData"))
    return JSONResponse(person_json(ctx.state, person, calling=calling, work_extension=_work_extension_on(ctx)))


def _work_extension_on(ctx: EmulatorContext) -> bool:
    return ctx.config.work_extension_entries


async def get_me(ctx: EmulatorContext, request: Request) -> Response:
    """The caller: the partner administrator the token belongs to (``GET /people/me``, §11.22)."""
    me = ctx.state.partner.admin
    return JSONResponse(person_json(ctx.state, me, calling=bool(query_bool(request, "callingData"))))


async def update_person(ctx: EmulatorContext, request: Request) -> Response:
    """Full-object replace; everything is checked before anything changes."""
    person = _person(ctx, request.path_params["person_id"])
    calling = bool(query_bool(request, "callingData"))
    body = await json_body(request)
    display_name = text(body, "displayName", max_len=NAME_MAX) or ""
    first_name = text(body, "firstName", required=False, max_len=NAME_MAX) or ""
    last_name = text(body, "lastName", required=False, max_len=NAME_MAX) or ""
    org_id = text(body, "orgId", required=False)
    if org_id is not None and org_id != person.org_id:
        raise ApiProblem(400, "orgId cannot be changed", CODE_INVALID)
    emails = _emails(ctx, person, body)
    roles = _known(string_list(body, "roles") or [], set(ctx.state.roles), "role")
    licenses = _known(string_list(body, "licenses") or [], _org_licenses(ctx, person.org_id), "license")
    implicit = implicit_license_id(person.org_id)
    if implicit in person.licenses and implicit not in licenses:
        message = f"License {implicit} is implicitly assigned and cannot be removed: include it in the PUT request"
        raise ApiProblem(400, message, CODE_INVALID)
    if calling:
        apply_calling = _calling_change(ctx, person, body)
    else:  # calling changes need callingData=true, but a work number left out of the body is dropped
        numbers = [p["value"] for p in person.phone_numbers if p in (body.get("phoneNumbers") or [])]
        apply_calling = lambda: _assign_numbers(ctx, person, numbers)  # noqa: E731
    person.display_name, person.first_name, person.last_name = display_name, first_name, last_name
    person.roles, person.licenses = roles, licenses
    if emails != person.emails:
        ctx.state.set_person_emails(person, emails)
    apply_calling()
    if query_bool(request, "minResponse"):
        return Response(status_code=204)
    return JSONResponse(person_json(ctx.state, person, calling=calling, work_extension=_work_extension_on(ctx)))


def _emails(ctx: EmulatorContext, person: Person, body: dict[str, Any]) -> list[str]:
    emails = string_list(body, "emails")
    if emails is None:
        return list(person.emails)
    if len(emails) != 1 or "@" not in emails[0].strip("@"):
        raise ApiProblem(400, "emails must hold exactly one email address", CODE_INVALID)
    holder = ctx.state.person_by_email(emails[0])
    if holder is not None and holder.id != person.id:
        raise ApiProblem(409, f"Email {emails[0]} is already in use by another user", CODE_CONFLICT)
    return [emails[0].strip()]


def _known(ids: list[str], known: set[str], kind: str) -> list[str]:
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ApiProblem(400, f"Unknown {kind} id(s): {', '.join(unknown)}", CODE_INVALID)
    return list(dict.fromkeys(ids))


def _org_licenses(ctx: EmulatorContext, org_id: str) -> set[str]:
    customer = ctx.state.customer_of_org(org_id)
    held = set(customer.licenses.values()) if customer is not None else set()
    return held | {implicit_license_id(org_id)}


def _calling_change(ctx: EmulatorContext, person: Person, body: dict[str, Any]) -> Callable[[], None]:
    """Check ``locationId``/``extension``/``phoneNumbers`` now; return the change to apply afterwards."""
    location_id = text(body, "locationId", required=False) or person.location_id
    if location_id != person.location_id:
        if person.location_id is not None:
            raise ApiProblem(400, "locationId cannot be changed for an existing Webex Calling user", CODE_INVALID)
        location = ctx.state.locations.get(location_id or "")
        if location is None or location.org_id != person.org_id or not location.calling_enabled:
            raise ApiProblem(
                400, f"locationId {location_id} is not a calling location of this organization", CODE_INVALID
            )
    extension = text(body, "extension", required=False) or None
    if extension is not None:
        if not extension.isdigit() or not 2 <= len(extension) <= 10:
            raise ApiProblem(400, f"extension must be 2-10 digits, got {extension!r}", CODE_INVALID)
        holder = ctx.state.person_by_extension(person.org_id, extension)
        if holder is not None and holder.id != person.id:
            raise ApiProblem(409, f"extension {extension} is already in use in this organization", CODE_CONFLICT)
    numbers = _work_numbers(ctx, person, body, location_id)

    def apply() -> None:
        person.location_id = location_id
        ctx.state.set_person_extension(person, extension)
        _assign_numbers(ctx, person, numbers)

    return apply


def _assign_numbers(ctx: EmulatorContext, person: Person, numbers: list[str]) -> None:
    """The person's work numbers become exactly ``numbers`` (those it loses are free again)."""
    for number in ctx.state.numbers_in_org(person.org_id):
        if number.owner_id == person.id and number.phone_number not in numbers:
            number.owner_id = None
    for e164 in numbers:
        ctx.state.numbers[e164].owner_id = person.id
    person.phone_numbers = [{"type": "work", "value": e164} for e164 in numbers]


def _work_numbers(ctx: EmulatorContext, person: Person, body: dict[str, Any], location_id: str | None) -> list[str]:
    phones = body.get("phoneNumbers") or []
    if not isinstance(phones, list) or not all(isinstance(p, dict) for p in phones):
        raise ApiProblem(400, "phoneNumbers must be a list of {type, value} objects", CODE_INVALID)
    numbers = [str(p.get("value", "")) for p in phones if p.get("type", "work") == "work"]
    for e164 in numbers:
        number = ctx.state.number(e164)
        if number is None or number.location_id != location_id:
            raise ApiProblem(400, f"Phone number {e164} is not a number of the user's location", CODE_INVALID)
        if number.owner_id not in (None, person.id) or number.main:
            raise ApiProblem(409, f"Phone number {e164} is already assigned", CODE_CONFLICT)
    return numbers
