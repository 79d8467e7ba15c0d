"""Webex's asynchronous work on a customer, finished when its time comes: provisioning (after a compliance
review when one holds it), a package update, a removal (webex-api.md §2.6, §11.2, §11.3).

``settle`` runs before every request, so a client polling the customer sees each step end on the emulator's
clock; no thread or timer is involved. Provisioning creates the org, its headquarters location (calling
enabled when the POST carried a calling location) and its first administrator, or ends in the seeded
outcome (``EmulatorConfig.customer_outcomes``).
"""

from __future__ import annotations

from batch.emulator.records import (
    EMAIL_TAKEN,
    EMAIL_TAKEN_MESSAGE,
    FULL_ADMIN,
    Customer,
    Location,
    Org,
    Person,
    implicit_license_id,
    now_iso,
)
from batch.emulator.state import EmulatorState
from schemas.vocab import CALLING_PACKAGES

MAINTENANCE = {
    "errorCode": 2560,
    "description": "One or more Webex Calling services are unavailable due to maintenance, unable to start "
    "provisioning. Consult status.webex.com and retry later.",
}


def settle(state: EmulatorState, now: float) -> None:
    """Finish every asynchronous customer step whose time has come (called before each request)."""
    for customer in state.due(now):
        customer.ready_at = None
        if customer.status == "deleting":
            state.remove_customer(customer.id)
        elif customer.status == "pending_rpl_review":
            _set_status(customer, "provisioning")
            state.schedule(customer, now + customer.provisioning_after_review)
        elif customer.status == "provisioning":
            finish_provisioning(state, customer)
        elif customer.status == "updating":
            _grant_licenses(state, customer)
            _set_status(customer, "provisioned")


def _set_status(customer: Customer, status: str) -> None:
    customer.status = status
    customer.last_status_change = now_iso()


def _grant_licenses(state: EmulatorState, customer: Customer) -> None:
    held = [p for p in customer.packages if p not in customer.failed_packages]
    customer.licenses = {p: customer.licenses.get(p) or state.new_id("LICENSE") for p in held}


def finish_provisioning(state: EmulatorState, customer: Customer) -> None:
    """provisioning → provisioned: the org, its HQ location and its first admin come to exist."""
    if customer.outcome == "error":
        customer.errors = [dict(MAINTENANCE)]
        _set_status(customer, "error")
        return
    if customer.outcome == "calling_package_error":  # §11.2: the customer is there, its calling is not
        customer.failed_packages = [p for p in customer.packages if p in CALLING_PACKAGES]
        for package in customer.failed_packages:
            customer.package_warnings[package] = [dict(MAINTENANCE)]
    info = customer.customer_info
    org = state.orgs.get(customer.org_id) if customer.org_id else None
    if org is None:
        org = Org(state.new_id("ORGANIZATION"), info.get("name") or customer.external_id, customer.id)
        state.add_org(org)
    org.customer_id = customer.id
    customer.org_id = org.id
    _grant_licenses(state, customer)
    if not state.locations_in_org(org.id):
        state.add_location(_hq_location(state, customer, org.id))
    status = "provisioned_with_errors" if customer.outcome == "provisioned_with_errors" else "provisioned"
    if status == "provisioned_with_errors" and customer.packages:
        customer.package_warnings[customer.packages[-1]] = [dict(MAINTENANCE)]
    email = info.get("primaryEmail")
    if email and state.person_by_email(email) is None:
        state.add_person(_admin(state, customer, org.id, email))
    elif email and state.person_by_email(email).org_id != org.id:  # type: ignore[union-attr]
        customer.errors = [{"errorCode": EMAIL_TAKEN, "description": EMAIL_TAKEN_MESSAGE}]
        status = "provisioned_with_errors"
    _set_status(customer, status)


def _hq_location(state: EmulatorState, customer: Customer, org_id: str) -> Location:
    calling = (customer.provisioning_parameters.get("calling") or {}).get("location")
    source = calling or {}
    addr = source.get("address") or customer.address
    language = source.get("language") or (customer.customer_info.get("language") or "en_us")
    return Location(
        id=state.new_id("LOCATION"),
        org_id=org_id,
        name=source.get("name") or customer.customer_info.get("name") or "Headquarters",
        time_zone=source.get("timezone") or "UTC",
        preferred_language=language.lower(),
        announcement_language=language.lower(),
        address={
            "address1": addr.get("addressLine1", ""),
            "address2": addr.get("addressLine2") or None,
            "city": addr.get("city", ""),
            "state": addr.get("stateOrProvince") or None,
            "postalCode": addr.get("zipOrPostalCode") or None,
            "country": addr.get("country", ""),
        },
        calling_enabled=calling is not None and not customer.failed_packages,
    )


def _admin(state: EmulatorState, customer: Customer, org_id: str, email: str) -> Person:
    role = state.role_by_name(FULL_ADMIN)
    local = email.split("@", 1)[0]
    return Person(
        id=state.new_id("PEOPLE"),
        org_id=org_id,
        emails=[email],
        first_name="",
        last_name="",
        display_name=local,
        roles=[role.id] if role else [],
        location_id=None,
        phone_numbers=[],
        extension=None,
        licenses=[implicit_license_id(org_id)],
        created=now_iso(),
    )
