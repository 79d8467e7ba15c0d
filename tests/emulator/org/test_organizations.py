"""``GET /organizations``, ``GET /organizations/{orgId}``, ``GET /people/me`` and ``GET /licenses`` as Webex answers
them (webex-api.md §11.22): the shapes the field's SDK parses, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.bodies import customer_body, subscriber_body
from tests.emulator.calls import assert_webex_error
from tests.emulator.conftest import AUTH
from tests.openapi_check import checked

PEOPLE = "webex-people"


def test_an_org_has_its_created_time_and_the_list_holds_the_partner_and_managed_orgs(api: httpx.Client) -> None:
    me = checked(api, PEOPLE, "GET", "/people/me").json()
    partner = api.get(f"/organizations/{me['orgId']}").json()
    assert set(partner) == {"id", "displayName", "created"} and partner["id"] == me["orgId"]
    assert api.get("/organizations").json()["items"] == [partner]  # no customer managed yet
    created = api.post("/wholesale/customers", json=customer_body("FI-ORG-1")).headers["Location"]
    org_id = api.get(created).json()["orgId"]
    assert [o["id"] for o in api.get("/organizations").json()["items"]] == [me["orgId"]]  # not managed yet
    org = api.get(f"/organizations/{org_id}").json()
    assert org["displayName"] == "Mäkelän Konepaja Oy" and org["created"].endswith("Z")
    assert api.get("/organizations").json()["items"] == [partner, org]
    assert_webex_error(api.get("/organizations/bm9wZQ"), 404, "not found")


def test_me_is_the_partner_administrator(api: httpx.Client) -> None:
    me = checked(api, PEOPLE, "GET", "/people/me", params={"callingData": "true"}).json()
    full_admin = next(r["id"] for r in api.get("/roles").json()["items"] if r["name"] == "Full Administrator")
    assert me["roles"] == [full_admin] and me["emails"] == ["partner.admin@partner.example.com"]
    assert checked(api, PEOPLE, "GET", f"/people/{me['id']}").json() == checked(api, PEOPLE, "GET", "/people/me").json()


def test_licenses_are_the_packages_and_the_implicit_one_with_their_use(
    api: httpx.Client, make_customer: Any, org: str
) -> None:
    customer = api.get("/wholesale/customers", params={"orgId": org}).json()["items"][0]
    api.post("/wholesale/subscribers", json=subscriber_body(customer["id"]))
    licenses = {lic["name"]: lic for lic in api.get("/licenses", params={"orgId": org}).json()["items"]}
    assert set(licenses) == {"Webex Calling - Professional", "Meeting - Webex Meetings", "Messaging"}
    # the admin and the subscriber hold the implicit licence; the subscriber alone its calling one
    assert (licenses["Messaging"]["consumedUnits"], licenses["Webex Calling - Professional"]["consumedUnits"]) == (2, 1)
    one = licenses["Messaging"]
    assert api.get(f"/licenses/{one['id']}").json() == one
    assert api.get("/licenses").json() == {"items": []}  # the partner's own org holds none
    assert_webex_error(api.get("/licenses/bm9wZQ"), 404, "not found")


def test_licenses_of_an_org_not_yet_managed_are_refused() -> None:
    config = EmulatorConfig(provisioning_seconds=0, rate=0)
    with running_emulator(config) as base_url, httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        org_id = api.get(api.post("/wholesale/customers", json=customer_body("FI-ORG-2")).headers["Location"])
        assert api.get("/licenses", params={"orgId": org_id.json()["orgId"]}).status_code == 403  # §10.1


@pytest.mark.parametrize("calling", ["true", "false"])
def test_work_extension_entries_are_an_option_and_a_put_never_reads_them(calling: str) -> None:
    """With ``work_extension_entries`` a calling user's ``phoneNumbers`` show routing prefix + extension
    (§11.17); a PUT that sends the entry back changes nothing (``extension`` sets the extension)."""
    config = EmulatorConfig(provisioning_seconds=0, rate=0, work_extension_entries=True)
    with running_emulator(config) as base_url, httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        customer = api.get(api.post("/wholesale/customers", json=customer_body("FI-EXT")).headers["Location"]).json()
        org = customer["orgId"]
        api.get(f"/organizations/{org}")
        hq = api.get("/locations", params={"orgId": org}).json()["items"][0]["id"]
        api.put(f"/telephony/config/locations/{hq}", params={"orgId": org}, json={"routingPrefix": "8001"})
        person_id = api.post("/wholesale/subscribers", json=subscriber_body(customer["id"])).json()["personId"]
        person = api.get(f"/people/{person_id}", params={"callingData": "true"}).json()
        assert person["phoneNumbers"] == [{"type": "work_extension", "value": "80011001"}]
        assert person["extension"] == "1001"
        assert "phoneNumbers" not in api.get(f"/people/{person_id}").json()
        keep = ("emails", "displayName", "firstName", "lastName", "roles", "licenses", "phoneNumbers", "extension")
        body = {k: person[k] for k in keep}
        body["phoneNumbers"] = [{"type": "work_extension", "value": "80019999"}]
        assert api.put(f"/people/{person_id}", params={"callingData": calling}, json=body).status_code == 200
        assert api.get(f"/people/{person_id}", params={"callingData": "true"}).json() == person
