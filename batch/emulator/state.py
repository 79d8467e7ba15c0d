"""In-memory Webex world of the emulator: records, indexes, and the asynchronous provisioning clock.

Every mutation runs on the event-loop thread with no ``await`` in between, so no locks are needed.
Routes must change indexed fields (emails, extension, numbers) through the methods here so the
indexes stay true.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from typing import Any

from batch.emulator.partner import Partner, make_partner
from batch.emulator.records import (
    FULL_ADMIN,
    KINDS,
    ROLE_NAMES,
    Customer,
    Location,
    Number,
    Org,
    Person,
    Role,
    Subscriber,
    Trunk,
    decode_id,
    encode_id,
    implicit_license_id,
    now_iso,
)

__all__ = [
    "KINDS",
    "ROLE_NAMES",
    "FULL_ADMIN",
    "encode_id",
    "decode_id",
    "now_iso",
    "Customer",
    "Org",
    "Location",
    "Number",
    "Person",
    "Subscriber",
    "Role",
    "Trunk",
    "EmulatorState",
]


class EmulatorState:
    """All objects by id, plus the lookups the routes need to stay O(1) under load."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self.reset()

    # ---- lifecycle -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything; ids restart from the seed so runs are reproducible."""
        self._rng = random.Random(self._seed)
        self.customers: dict[str, Customer] = {}
        self.orgs: dict[str, Org] = {}
        self.locations: dict[str, Location] = {}
        self.numbers: dict[str, Number] = {}
        self.people: dict[str, Person] = {}
        self.subscribers: dict[str, Subscriber] = {}
        self.trunks: dict[str, Trunk] = {}
        self.jobs: dict[str, dict[str, Any]] = {}  # telephony batch jobs by id (their answers, as GET shows them)
        self._customer_by_ext: dict[str, str] = {}
        self._locations_by_org: dict[str, list[str]] = {}
        self._numbers_by_org: dict[str, dict[str, Number]] = {}
        self._people_by_org: dict[str, dict[str, Person]] = {}
        self._person_by_email: dict[str, str] = {}
        self._person_by_ext: dict[tuple[str, str], str] = {}
        self._subscriber_by_email: dict[str, str] = {}
        self._subscribers_by_customer: dict[str, dict[str, Subscriber]] = {}
        self._pending: dict[str, float] = {}
        self.managed_orgs: set[str] = set()  # orgs the partner has asked for (GET /organizations/{orgId})
        self.listed_from: dict[str, float] = {}  # object id -> clock time it shows up in lists (list lag)
        self.roles: dict[str, Role] = {}
        for name in ROLE_NAMES:
            role = Role(self.new_id("ROLE"), name)
            self.roles[role.id] = role
        self.renew_partner()

    def renew_partner(self) -> None:
        """The partner the token belongs to, its administrator holding this state's full-admin role."""
        role = self.role_by_name(FULL_ADMIN)
        self.partner: Partner = make_partner(role.id if role else "")

    def new_id(self, kind: str) -> str:
        """A fresh id of ``kind`` from the seeded generator."""
        return encode_id(kind, uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # ---- lookups ---------------------------------------------------------------------------------

    def customer_by_external_id(self, external_id: str) -> Customer | None:
        cid = self._customer_by_ext.get(external_id)
        return self.customers.get(cid) if cid else None

    def org(self, org_id: str) -> Org | None:
        return self.orgs.get(org_id)

    def customer_of_org(self, org_id: str) -> Customer | None:
        org = self.orgs.get(org_id)
        return self.customers.get(org.customer_id) if org and org.customer_id else None

    def locations_in_org(self, org_id: str) -> list[Location]:
        """Creation order, so the wholesale-made HQ comes first (as REFAPP assumes)."""
        return [self.locations[i] for i in self._locations_by_org.get(org_id, ())]

    def location_by_name(self, org_id: str, name: str) -> Location | None:
        wanted = name.casefold()
        return next((loc for loc in self.locations_in_org(org_id) if loc.name.casefold() == wanted), None)

    def number(self, e164: str) -> Number | None:
        return self.numbers.get(e164)

    def numbers_in_org(self, org_id: str, location_id: str | None = None) -> list[Number]:
        found = self._numbers_by_org.get(org_id, {}).values()
        return [n for n in found if location_id is None or n.location_id == location_id]

    def person_by_email(self, email: str) -> Person | None:
        pid = self._person_by_email.get(email.casefold())
        return self.people.get(pid) if pid else None

    def person_by_extension(self, org_id: str, extension: str) -> Person | None:
        pid = self._person_by_ext.get((org_id, extension))
        return self.people.get(pid) if pid else None

    def people_in_org(self, org_id: str) -> list[Person]:
        return list(self._people_by_org.get(org_id, {}).values())

    def subscriber_by_email(self, email: str) -> Subscriber | None:
        sid = self._subscriber_by_email.get(email.casefold())
        return self.subscribers.get(sid) if sid else None

    def subscribers_of(self, customer_id: str) -> list[Subscriber]:
        """The customer's subscribers in creation order (as a full scan of ``subscribers`` finds them), without
        walking every subscriber: a sync lists each customer's, and a 20,000-user emulator stalled on scans."""
        return list(self._subscribers_by_customer.get(customer_id, {}).values())

    def trunks_in_org(self, org_id: str) -> list[Trunk]:
        return [t for t in self.trunks.values() if t.org_id == org_id]

    def role_by_name(self, name: str) -> Role | None:
        return next((r for r in self.roles.values() if r.name == name), None)

    def listed(self, object_id: str, now: float) -> bool:
        """False while a new object is not yet in lists and filters (the real API's eventual consistency)."""
        at = self.listed_from.get(object_id)
        return at is None or at <= now

    # ---- mutations that keep the indexes true ----------------------------------------------------

    def add_customer(self, customer: Customer, ready_at: float | None = None) -> None:
        self.customers[customer.id] = customer
        self._customer_by_ext[customer.external_id] = customer.id
        self.schedule(customer, ready_at)

    def change_external_id(self, customer: Customer, external_id: str) -> None:
        self._customer_by_ext.pop(customer.external_id, None)
        customer.external_id = external_id
        self._customer_by_ext[external_id] = customer.id

    def schedule(self, customer: Customer, ready_at: float | None) -> None:
        """Make ``settle`` finish the customer's current async step at ``ready_at``."""
        customer.ready_at = ready_at
        if ready_at is None:
            self._pending.pop(customer.id, None)
        else:
            self._pending[customer.id] = ready_at

    def remove_customer(self, customer_id: str) -> None:
        """Drop the wholesale mapping (and its subscribers); the org and its people stay, as in Webex."""
        customer = self.customers.pop(customer_id, None)
        if customer is None:
            return
        self._pending.pop(customer_id, None)
        self._customer_by_ext.pop(customer.external_id, None)
        for sub in self.subscribers_of(customer_id):
            self.remove_subscriber(sub.id)
        if customer.org_id and customer.org_id in self.orgs:
            self.orgs[customer.org_id].customer_id = None

    def add_org(self, org: Org) -> None:
        self.orgs[org.id] = org
        self._locations_by_org.setdefault(org.id, [])
        self._numbers_by_org.setdefault(org.id, {})
        self._people_by_org.setdefault(org.id, {})

    def add_location(self, location: Location) -> None:
        self.locations[location.id] = location
        self._locations_by_org.setdefault(location.org_id, []).append(location.id)

    def remove_location(self, location_id: str) -> None:
        """Forget a location and its numbers (``DELETE /locations/{id}``)."""
        location = self.locations.pop(location_id, None)
        if location is None:
            return
        of_org = self._locations_by_org.get(location.org_id, [])
        if location_id in of_org:
            of_org.remove(location_id)
        for number in self.numbers_in_org(location.org_id, location_id):
            self.remove_number(number.phone_number)

    def add_number(self, number: Number) -> None:
        self.numbers[number.phone_number] = number
        self._numbers_by_org.setdefault(number.org_id, {})[number.phone_number] = number

    def remove_number(self, e164: str) -> None:
        number = self.numbers.pop(e164, None)
        if number is not None:
            self._numbers_by_org.get(number.org_id, {}).pop(e164, None)

    def add_trunk(self, trunk: Trunk) -> None:
        self.trunks[trunk.id] = trunk

    def add_person(self, person: Person) -> None:
        self.people[person.id] = person
        self._people_by_org.setdefault(person.org_id, {})[person.id] = person
        for email in person.emails:
            self._person_by_email[email.casefold()] = person.id
        if person.extension:
            self._person_by_ext[(person.org_id, person.extension)] = person.id

    def set_person_emails(self, person: Person, emails: list[str]) -> None:
        for email in person.emails:
            self._person_by_email.pop(email.casefold(), None)
        person.emails = list(emails)
        for email in person.emails:
            self._person_by_email[email.casefold()] = person.id

    def set_person_extension(self, person: Person, extension: str | None) -> None:
        if person.extension:
            self._person_by_ext.pop((person.org_id, person.extension), None)
        person.extension = extension or None
        if person.extension:
            self._person_by_ext[(person.org_id, person.extension)] = person.id

    def add_subscriber(self, subscriber: Subscriber) -> None:
        """A subscriber's customer never changes afterwards (no route moves one), so its index entry stays put."""
        self.subscribers[subscriber.id] = subscriber
        self._subscriber_by_email[subscriber.email.casefold()] = subscriber.id
        self._subscribers_by_customer.setdefault(subscriber.customer_id, {})[subscriber.id] = subscriber

    def remove_subscriber(self, subscriber_id: str) -> Subscriber | None:
        """Remove the mapping and free the person's numbers (the Webex user itself stays)."""
        sub = self.subscribers.pop(subscriber_id, None)
        if sub is None:
            return None
        self._subscriber_by_email.pop(sub.email.casefold(), None)
        of_customer = self._subscribers_by_customer.get(sub.customer_id, {})
        of_customer.pop(subscriber_id, None)
        if not of_customer:
            self._subscribers_by_customer.pop(sub.customer_id, None)
        person = self.people.get(sub.person_id) if sub.person_id else None
        if person is not None:
            for number in self.numbers_in_org(person.org_id):
                if number.owner_id == person.id:
                    number.owner_id = None
            person.phone_numbers = []
            self.set_person_extension(person, None)
            person.licenses = [implicit_license_id(person.org_id)]  # the org's own licence stays (§11.17)
        return sub

    def due(self, now: float) -> list[Customer]:
        """Customers whose current asynchronous step ends by ``now``, taken off the schedule
        (``batch.emulator.provisioning.settle`` finishes them)."""
        if not self._pending:
            return []
        ids = [cid for cid, at in self._pending.items() if at <= now]
        for cid in ids:
            self._pending.pop(cid, None)
        return [c for cid in ids if (c := self.customers.get(cid)) is not None]

    # ---- operator view ---------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Every object as plain JSON (for ``GET /_emulator/state``)."""

        def rows(table: dict[str, Any]) -> list[dict[str, Any]]:
            return [dataclasses.asdict(obj) for obj in table.values()]

        return {
            "customers": rows(self.customers),
            "orgs": rows(self.orgs),
            "locations": rows(self.locations),
            "numbers": rows(self.numbers),
            "people": rows(self.people),
            "subscribers": rows(self.subscribers),
            "trunks": rows(self.trunks),
            "roles": rows(self.roles),
        }
