"""``/v1/wholesale/subscribers``: list, provision (synchronous), get, update, remove and precheck.

Rules from webex-api.md §3: one package; a calling package needs a number or an extension; the location
belongs to the customer (HQ when omitted) and has calling; the number is in that location and free; the
extension is unique in the org; an email is a subscriber once; "free account" emails wait for consent.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from batch.emulator.http import ApiProblem, EmulatorContext, json_body
from batch.emulator.records import EMAIL_TAKEN, EMAIL_TAKEN_MESSAGE, implicit_license_id
from batch.emulator.state import Customer, EmulatorState, Location, Person, Subscriber, now_iso
from batch.emulator.wholesale.changes import check_subscriber_change
from batch.emulator.wholesale.rules import PRECHECK_OK, READY, check_email, obj, prechecked, text
from batch.emulator.wholesale.scope import visible
from schemas.vocab import CALLING_PACKAGES, SUBSCRIBER_PACKAGES

BASE = "/v1/wholesale/subscribers"
#: The deprecated single ``package`` field only knows these (``Subscriber.package`` enum).
LEGACY_PACKAGES = (
    "webex_calling",
    "webex_meetings",
    "webex_suite",
    "webex_voice",
    "cx_essentials",
    "webex_calling_standard",
)


def subscriber_json(sub: Subscriber, state: EmulatorState) -> dict[str, Any]:
    """The ``Subscriber`` schema; ``personId`` only when provisioned."""
    customer = state.customers.get(sub.customer_id)
    out: dict[str, Any] = {"id": sub.id}
    if sub.status == "provisioned" and sub.person_id:
        out["personId"] = sub.person_id
    out.update(email=sub.email, customerId=sub.customer_id)
    if customer is not None:
        out["externalCustomerId"] = customer.external_id
    if sub.package in LEGACY_PACKAGES:
        out["package"] = sub.package
    out.update(
        packages=[sub.package],
        status=sub.status,
        errors=[],
        created=sub.created,
        lastStatusChange=sub.last_status_change,
    )
    return out


def one_package(body: dict[str, Any]) -> str:
    """Exactly one of ``package`` / ``packages`` (and ``packages`` holds exactly one name)."""
    single, many = body.get("package"), body.get("packages")
    if (single is None) == (many is None):
        raise ApiProblem(400, "Either packages or package field is required but not both")
    if many is not None:
        if not isinstance(many, list) or len(many) != 1:
            raise ApiProblem(400, "packages currently accepts only one package in the list")
        single = many[0]
    allowed = SUBSCRIBER_PACKAGES if many is not None else LEGACY_PACKAGES
    if single not in allowed:
        raise ApiProblem(400, f"Invalid package {single!r}; allowed: {', '.join(allowed)}")
    return str(single)


class Calling:
    """The calling data a subscriber request asks for, checked against the customer's org."""

    def __init__(self, state: EmulatorState, customer: Customer, params: dict[str, Any], person: Person | None) -> None:
        self.number = text(params, "primaryPhoneNumber", "provisioningParameters.")
        self.extension = text(params, "extension", "provisioningParameters.")
        location_id = text(params, "locationId", "provisioningParameters.")
        org_id = customer.org_id or ""
        if not self.number and not self.extension:
            raise ApiProblem(
                400,
                "A primary phone number, extension, or both must be supplied when assigning a calling-enabled package",
            )
        self.location = self._location(state, org_id, location_id)
        if self.number:
            found = state.number(self.number)
            if found is None or found.org_id != org_id or found.location_id != self.location.id:
                raise ApiProblem(400, f"Phone number {self.number} is not in location {self.location.name}")
            if found.owner_id and (person is None or found.owner_id != person.id):
                raise ApiProblem(409, f"Phone number {self.number} is already assigned")
        if self.extension:
            if not self.extension.isdigit() or not 2 <= len(self.extension) <= 10:
                raise ApiProblem(400, f"Extension {self.extension!r} must be 2 to 10 digits")
            owner = state.person_by_extension(org_id, self.extension)
            if owner is not None and (person is None or owner.id != person.id):
                raise ApiProblem(409, f"Extension {self.extension} is already in use in this organization")

    @staticmethod
    def _location(state: EmulatorState, org_id: str, location_id: str | None) -> Location:
        if location_id is None:
            locations = state.locations_in_org(org_id)
            if not locations:
                raise ApiProblem(400, "Unable to find location.")
            location = locations[0]
        else:
            found = state.locations.get(location_id)
            if found is None or found.org_id != org_id:
                raise ApiProblem(400, "Unable to find location.")
            location = found
        if not location.calling_enabled:
            raise ApiProblem(400, f"Location {location.name} is not enabled for Webex Calling")
        return location

    def apply(self, state: EmulatorState, person: Person) -> None:
        """Give the person the location, the number (as owner) and the extension."""
        person.location_id = self.location.id
        if self.number:
            number = state.number(self.number)
            assert number is not None
            number.owner_id = person.id
            person.phone_numbers = [{"type": "work", "value": self.number}]
        state.set_person_extension(person, self.extension)


def _is_calling_user(person: Person | None) -> bool:
    return person is not None and person.location_id is not None and bool(person.extension or person.phone_numbers)


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    state = ctx.state

    def find(request: Request) -> Subscriber:
        sub = state.subscribers.get(request.path_params["subscriberId"])
        if sub is None or not visible(ctx, request, state.customers.get(sub.customer_id)):
            raise ApiProblem(404, "Subscriber not found")
        return sub

    def ready_customer(customer_id: str | None, request: Request) -> Customer:
        customer = state.customers.get(customer_id or "")
        if customer is None or not visible(ctx, request, customer):
            raise ApiProblem(400, f"customerId {customer_id} is not a wholesale customer of this partner")
        if customer.status not in READY or not customer.org_id:
            raise ApiProblem(400, f"Customer is not provisioned (status {customer.status})")
        return customer

    def existing_person(email: str, customer: Customer) -> Person | None:
        """A user of the customer's org can be attached; a user of another org cannot."""
        if state.subscriber_by_email(email) is not None:
            raise ApiProblem(409, f"{email} is already a wholesale subscriber", EMAIL_TAKEN)
        person = state.person_by_email(email)
        if person is not None and person.org_id != customer.org_id:
            raise ApiProblem(409, EMAIL_TAKEN_MESSAGE, EMAIL_TAKEN)
        return person

    def check(
        body: dict[str, Any], request: Request, *, precheck: bool = False
    ) -> tuple[Customer, str, str, dict[str, Any], Person | None, Calling | None]:
        """Every subscriber rule, in the order a caller can fix them; nothing is changed."""
        customer = ready_customer(text(body, "customerId", required=True), request)
        email = check_email(text(body, "email", required=True) or "", "email")
        params = obj(body, "provisioningParameters", required=not precheck) or {}
        if precheck and body.get("package") is None and body.get("packages") is None:
            existing_person(email, customer)
            return customer, email, "", params, None, None
        package = one_package(body)
        if package not in customer.packages:
            raise ApiProblem(400, f"Package {package} is not provisioned for this customer")
        person = existing_person(email, customer)
        calling = None
        if package in CALLING_PACKAGES and not _is_calling_user(person):
            calling = Calling(state, customer, params, person)
        return customer, email, package, params, person, calling

    async def list_subscribers(request: Request) -> JSONResponse:
        q = request.query_params
        email = q.get("email")
        ext = q.get("externalCustomerId") or q.get("externalId")
        ext_customer = state.customer_by_external_id(ext) if ext else None
        wanted = {
            "customer_id": q.get("customerId") or (ext_customer.id if ext_customer else ("?" if ext else None)),
            "person_id": q.get("personId"),
            "status": q.get("status"),
        }
        if email is not None:
            found = state.subscriber_by_email(email)
            candidates = [found] if found else []
        elif wanted["customer_id"] is not None:  # the index, not a walk over every subscriber (a sync's listings)
            candidates = state.subscribers_of(wanted["customer_id"])
        else:
            candidates = list(state.subscribers.values())
        now = ctx.clock()
        items = [
            s
            for s in candidates
            if all(v is None or getattr(s, k) == v for k, v in wanted.items())
            and state.listed(s.id, now)
            and visible(ctx, request, state.customers.get(s.customer_id))
        ]
        if q.get("sortOrder", "ASC").upper() == "DESC":
            items.reverse()
        chunk, _ = ctx.page(request, items, start_param="offset", default_max=50, max_cap=100, link=False)
        return JSONResponse({"items": [subscriber_json(s, state) for s in chunk]})  # no Link (§10.6)

    async def provision(request: Request) -> JSONResponse:
        customer, email, package, params, person, calling = check(await json_body(request), request)
        stamp = now_iso()
        sub = Subscriber(
            id=state.new_id("SUBSCRIBER"),
            customer_id=customer.id,
            org_id=customer.org_id or "",
            person_id=None,
            email=email,
            package=package,
            status="provisioned",
            location_id=None,
            primary_phone_number=None,
            extension=None,
            first_name=text(params, "firstName") or "",
            last_name=text(params, "lastName") or "",
            created=stamp,
            last_status_change=stamp,
        )
        if email.casefold() in ctx.config.free_account_emails and person is None:
            sub.status = "pending_user_migration"
        else:
            person = person or _new_person(state, sub)
            person.licenses = _licenses(state, customer, package, person)
            if calling is not None:
                calling.apply(state, person)
            sub.person_id, sub.location_id = person.id, person.location_id
            sub.primary_phone_number = calling.number if calling else None
            sub.extension = calling.extension if calling else None
        state.add_subscriber(sub)
        if ctx.config.list_lag_seconds > 0:
            state.listed_from[sub.id] = ctx.clock() + ctx.config.list_lag_seconds
        url = ctx.url(request, f"{BASE}/{sub.id}")
        status = 200 if sub.status == "provisioned" else 202
        return JSONResponse(subscriber_json(sub, state), status_code=status, headers={"Location": url})

    async def get_subscriber(request: Request) -> JSONResponse:
        sub = find(request)
        url = ctx.url(request, f"{BASE}/{sub.id}")
        return JSONResponse(subscriber_json(sub, state), headers={"Location": url})

    async def update(request: Request) -> JSONResponse:
        sub = find(request)
        body = await json_body(request)
        package = one_package(body)
        customer = ready_customer(sub.customer_id, request)
        if package not in customer.packages:
            raise ApiProblem(400, f"Package {package} is not provisioned for this customer")
        check_subscriber_change(state, customer, sub, package, body.get("provisioningParameters") is not None)
        person = state.people.get(sub.person_id) if sub.person_id else None
        to_calling = package in CALLING_PACKAGES and sub.package not in CALLING_PACKAGES
        if to_calling and person is not None and not _is_calling_user(person):
            calling = Calling(state, customer, obj(body, "provisioningParameters") or {}, person)
            calling.apply(state, person)
            sub.location_id, sub.primary_phone_number, sub.extension = (
                calling.location.id,
                calling.number,
                calling.extension,
            )
        if person is not None:
            person.licenses = _licenses(state, customer, package, person)
        sub.package, sub.last_status_change = package, now_iso()
        url = ctx.url(request, f"{BASE}/{sub.id}")
        return JSONResponse(subscriber_json(sub, state), headers={"Location": url})

    async def remove(request: Request) -> Response:
        state.remove_subscriber(find(request).id)
        return Response(status_code=204)

    async def precheck(request: Request) -> JSONResponse:
        body = await json_body(request)
        email = check_email(text(body, "email", required=True) or "", "email")
        customer_id = text(body, "customerId")
        if customer_id is None:
            if state.subscriber_by_email(email) or state.person_by_email(email):
                raise ApiProblem(409, EMAIL_TAKEN_MESSAGE, EMAIL_TAKEN)
            if body.get("package") is not None or body.get("packages") is not None:
                one_package(body)
            return JSONResponse(PRECHECK_OK)
        check(body, request, precheck=True)
        return JSONResponse(PRECHECK_OK)

    return [
        Route(BASE, list_subscribers, methods=["GET"]),
        Route(BASE, provision, methods=["POST"]),
        Route(f"{BASE}/validate", prechecked(ctx, precheck), methods=["POST"]),
        Route(BASE + "/{subscriberId}", get_subscriber, methods=["GET"]),
        Route(BASE + "/{subscriberId}", update, methods=["PUT"]),
        Route(BASE + "/{subscriberId}", remove, methods=["DELETE"]),
    ]


def _licenses(state: EmulatorState, customer: Customer, package: str, person: Person) -> list[str]:
    """The package's licence, and the one Webex gives every user of the org by itself (§11.17)."""
    return [customer.licenses.get(package) or state.new_id("LICENSE"), implicit_license_id(person.org_id)]


def _new_person(state: EmulatorState, sub: Subscriber) -> Person:
    display = f"{sub.first_name} {sub.last_name}".strip() or sub.email.split("@", 1)[0]
    person = Person(
        id=state.new_id("PEOPLE"),
        org_id=sub.org_id,
        emails=[sub.email],
        first_name=sub.first_name,
        last_name=sub.last_name,
        display_name=display,
        roles=[],
        location_id=None,
        phone_numbers=[],
        extension=None,
        licenses=[],
        created=now_iso(),
    )
    state.add_person(person)
    return person
