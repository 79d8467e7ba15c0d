"""The partner flow driven by the field's SDK (``wxc_sdk`` from PyPI) against a live emulator (issue 17 item 7).

Why a third-party client: its pydantic models were written against the real API and checked by its author's
live tests, so where the emulator answers something Webex never would (a missing ``created``, a refused PUT
of a body copied from a GET, a setting that is not kept), the SDK's own parsing or a read-back fails here.
The wholesale routes are not in the SDK: they go through its session's generic requests, as a partner
script would send them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from wxc_sdk import WebexSimpleApi
from wxc_sdk.common import RouteType, ValidatePhoneNumberStatusState
from wxc_sdk.locations import Location, LocationAddress
from wxc_sdk.people import PhoneNumberType
from wxc_sdk.rest import RestError
from wxc_sdk.telephony.location import CallingLineId, PSTNConnection, TelephonyLocation

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.bodies import customer_body, subscriber_body
from tests.emulator.conftest import TOKEN

NUMBERS = ["+358401230001", "+358401230002", "+358401230003"]


@pytest.fixture(scope="module")
def sdk() -> Iterator[WebexSimpleApi]:
    """The SDK's sync API on a fresh emulator: instant provisioning, no rate limit (the SDK sleeps on 429), and
    the ``work_extension`` entries Webex shows (an option until the client leaves them out of its PUT)."""
    config = EmulatorConfig(provisioning_seconds=0, rate=0, work_extension_entries=True)
    with running_emulator(config) as base_url:
        api = WebexSimpleApi(tokens=TOKEN, retry_429=False)
        api.session.BASE = base_url  # the SDK's documented seam for another base URL
        with api:
            yield api


def provision_customer(sdk: WebexSimpleApi, external_id: str) -> dict[str, Any]:
    """POST /wholesale/customers and read the customer back (provisioning is instant here)."""
    wholesale = sdk.session.ep("wholesale/customers")
    created = sdk.session.rest_post(wholesale, json=customer_body(external_id))
    customer: dict[str, Any] = sdk.session.rest_get(created["url"])
    assert customer["status"] == "provisioned", customer
    return customer


def test_the_partner_flow_reads_and_writes_as_the_sdk_expects(sdk: WebexSimpleApi) -> None:
    me = sdk.people.me()
    assert me.person_id and me.org_id and me.emails
    customer = provision_customer(sdk, "FI-SDK-1")
    org_id = customer["orgId"]

    # the handshake the emulator enforces (§10.1), parsed by the SDK's model (``created`` is required)
    org = sdk.organizations.details(org_id)
    assert org.org_id == org_id and org.created is not None
    assert {me.org_id, org_id} <= {o.org_id for o in sdk.organizations.list()}

    licenses = list(sdk.licenses.list(org_id=org_id))
    assert any(lic.webex_calling_professional for lic in licenses), [lic.name for lic in licenses]

    # PUT /locations with a body copied from its own GET (announcementLanguage included): accepted (§11.12)
    hq = next(iter(sdk.locations.list(org_id=org_id)))
    details = sdk.locations.details(hq.location_id, org_id=org_id)
    assert details.announcement_language
    details.time_zone = "Europe/Stockholm"
    sdk.locations.update(hq.location_id, details, org_id=org_id)
    assert sdk.locations.details(hq.location_id, org_id=org_id).time_zone == "Europe/Stockholm"

    # a new location, enabled for calling, on a premises trunk
    address = {"address1": "Keilaranta 1", "city": "Espoo", "state": "Uusimaa", "postal_code": "02150"}
    location_id = sdk.locations.create(
        name="Espoo",
        time_zone="Europe/Helsinki",
        preferred_language="fi_fi",
        announcement_language="fi_fi",
        country="FI",
        org_id=org_id,
        **address,
    )
    calling = Location(
        location_id=location_id,
        name="Espoo",
        time_zone="Europe/Helsinki",
        preferred_language="fi_fi",
        announcement_language="fi_fi",
        address=LocationAddress(country="FI", **address),
    )
    assert sdk.telephony.location.enable_for_calling(calling, org_id=org_id) == location_id
    nowhere = TelephonyLocation(connection=PSTNConnection(type=RouteType.trunk, id="bm8tc3VjaC10cnVuaw"))
    with pytest.raises(RestError) as refused:
        sdk.telephony.location.update(location_id, nowhere, org_id=org_id)
    assert refused.value.response.status_code == 400
    trunk_id = sdk.telephony.prem_pstn.trunk.create(
        name="Espoo LGW", location_id=location_id, password="Secret-1234", org_id=org_id
    )
    on_trunk = TelephonyLocation(connection=PSTNConnection(type=RouteType.trunk, id=trunk_id))
    sdk.telephony.location.update(location_id, on_trunk, org_id=org_id)

    # numbers: validated, added inactive, activated, one removed
    checked = sdk.telephony.validate_phone_numbers(NUMBERS, org_id=org_id)
    assert checked.ok and [n.phone_number for n in checked.phone_numbers or []] == NUMBERS
    added = sdk.telephony.location.number.add(location_id, NUMBERS, org_id=org_id)
    assert not added.errors
    sdk.telephony.location.number.activate(location_id, NUMBERS, org_id=org_id)
    sdk.telephony.location.number.remove(location_id, NUMBERS[2:], org_id=org_id)
    listed = list(sdk.telephony.phone_numbers(location_id=location_id, org_id=org_id))
    assert {(n.phone_number, n.state) for n in listed} == {(NUMBERS[0], "ACTIVE"), (NUMBERS[1], "ACTIVE")}

    # the calling settings a PUT sets are kept (§11 closing paragraph)
    settings = TelephonyLocation(
        calling_line_id=CallingLineId(phone_number=NUMBERS[0]),
        routing_prefix="8123",
        outside_dial_digit="9",
        external_caller_id_name="Espoo office",
    )
    sdk.telephony.location.update(location_id, settings, org_id=org_id)
    got = sdk.telephony.location.details(location_id, org_id=org_id)
    assert (got.routing_prefix, got.outside_dial_digit, got.external_caller_id_name) == ("8123", "9", "Espoo office")
    assert got.calling_line_id and got.calling_line_id.phone_number == NUMBERS[0]
    assert got.connection is not None and (got.connection.type, got.connection.id) == (RouteType.trunk, trunk_id)
    with pytest.raises(RestError):  # the main number stays (§11.15)
        sdk.telephony.location.number.remove(location_id, [NUMBERS[0]], org_id=org_id)

    # a calling user: wholesale subscriber, then read and PUT back whole through the SDK's models
    body = subscriber_body(customer["id"], "maija.virtanen@example.fi")
    body["provisioningParameters"].update(locationId=location_id, primaryPhoneNumber=NUMBERS[1], extension="2001")
    subscriber = sdk.session.rest_post(sdk.session.ep("wholesale/subscribers"), json=body)
    person = sdk.people.details(subscriber["personId"], calling_data=True)
    kinds = {p.number_type: p.value for p in person.phone_numbers or []}
    assert kinds == {PhoneNumberType.work: NUMBERS[1], PhoneNumberType.work_extension: "81232001"}
    assert person.extension == "2001" and person.location_id == location_id
    assert len(person.licenses or []) == 2, person.licenses  # the package's licence and an implicit one (§11.17)
    listed_people = list(sdk.people.list(org_id=org_id, calling_data=True))
    assert person.person_id in {p.person_id for p in listed_people}
    person.display_name = "Maija V."
    after = sdk.people.update(person, calling_data=True)
    assert (after.display_name, after.extension, sorted(after.licenses or [])) == (
        "Maija V.",
        "2001",
        sorted(person.licenses or []),
    )
    assert {p.value for p in after.phone_numbers or [] if p.number_type == PhoneNumberType.work} == {NUMBERS[1]}

    # the same numbers validated again: in use in this org now (§11.14)
    again = sdk.telephony.validate_phone_numbers(NUMBERS[:2] + ["+1800"], org_id=org_id)
    states = [(n.state, n.detail) for n in again.phone_numbers or []]
    assert not again.ok and states == [
        (ValidatePhoneNumberStatusState.duplicate, [f"[Error 8363] DN is in use : {NUMBERS[0]}"]),
        (ValidatePhoneNumberStatusState.duplicate, [f"[Error 8363] DN is in use : {NUMBERS[1]}"]),
        (ValidatePhoneNumberStatusState.invalid, ["[Error 8362] DN is invalid : +1800"]),
    ]


def test_a_premises_location_shows_its_connection_and_integrated_ones_refuse_a_trunk(sdk: WebexSimpleApi) -> None:
    org_id = provision_customer(sdk, "FI-SDK-2")["orgId"]
    sdk.organizations.details(org_id)
    hq = next(iter(sdk.telephony.location.list(org_id=org_id)))
    assert sdk.telephony.location.details(hq.location_id, org_id=org_id).connection is None  # no PSTN set yet
    trunk_id = sdk.telephony.prem_pstn.trunk.create(
        name="HQ LGW", location_id=hq.location_id, password="Secret-1234", org_id=org_id
    )
    assert [t.trunk_id for t in sdk.telephony.prem_pstn.trunk.list(org_id=org_id)] == [trunk_id]
    options = sdk.session.rest_get(
        sdk.session.ep(f"telephony/pstn/locations/{hq.location_id}/connectionOptions"), params={"orgId": org_id}
    )
    premises = next(o["id"] for o in options["items"] if o["displayName"] == "Premises-based PSTN")
    sdk.session.rest_put(
        sdk.session.ep(f"telephony/pstn/locations/{hq.location_id}/connection"),
        params={"orgId": org_id},
        json={"id": premises, "premiseRouteType": "TRUNK", "premiseRouteId": trunk_id},
    )
    got = sdk.telephony.location.details(hq.location_id, org_id=org_id)
    assert got.connection is not None and (got.connection.type, got.connection.id) == (RouteType.trunk, trunk_id)
