"""Emulator contract: /v1/roles and /v1/people (list, get, full-object PUT), checked against the specs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import subscriber_body
from tests.emulator.calls import assert_webex_error, hq
from tests.openapi_check import checked

PEOPLE = "webex-people"
ROLES = "webex-roles"


@pytest.fixture
def customer(make_customer: Any) -> dict[str, Any]:
    return make_customer()


@pytest.fixture
def org(customer: dict[str, Any]) -> str:
    return customer["orgId"]


@pytest.fixture
def admin(api: httpx.Client, org: str) -> dict[str, Any]:
    items = checked(api, PEOPLE, "GET", "/people", params={"orgId": org}).json()["items"]
    assert len(items) == 1
    return items[0]


def role_ids(api: httpx.Client) -> dict[str, str]:
    return {r["name"]: r["id"] for r in api.get("/roles").json()["items"]}


def put(api: httpx.Client, person_id: str, body: dict[str, Any], **params: Any) -> httpx.Response:
    return checked(api, PEOPLE, "PUT", f"/people/{person_id}", json=body, params=params)


def full_body(person: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What a careful client PUTs: the GET body with its changes (the API replaces the whole person)."""
    keep = ("emails", "displayName", "firstName", "lastName", "orgId", "roles", "licenses")
    return {**{k: person[k] for k in keep if k in person}, **changes}


# ---- roles -----------------------------------------------------------------------------------------------


def test_roles_list_and_get(api: httpx.Client) -> None:
    items = checked(api, ROLES, "GET", "/roles").json()["items"]
    names = {r["name"] for r in items}
    assert {"Full Administrator", "User and Device Administrator", "Read-only Administrator"} <= names
    first = items[0]
    assert checked(api, ROLES, "GET", f"/roles/{first['id']}").json() == first
    assert_webex_error(api.get("/roles/bm9wZQ"), 404, "not found")


# ---- people: reading ---------------------------------------------------------------------------------------


def test_the_provisioned_admin_is_a_full_administrator(api: httpx.Client, admin: dict[str, Any], org: str) -> None:
    assert admin["orgId"] == org and admin["type"] == "person"
    assert admin["roles"] == [role_ids(api)["Full Administrator"]]
    got = checked(api, PEOPLE, "GET", f"/people/{admin['id']}").json()
    assert got == admin


def test_list_by_email_is_case_insensitive_and_scoped_to_the_org(
    api: httpx.Client, admin: dict[str, Any], org: str, make_customer: Any
) -> None:
    email = admin["emails"][0]
    found = checked(api, PEOPLE, "GET", "/people", params={"orgId": org, "email": email.upper()}).json()
    assert [p["id"] for p in found["items"]] == [admin["id"]]
    other = make_customer("FI-000999")["orgId"]
    assert api.get("/people", params={"orgId": other, "email": email}).json()["items"] == []
    assert api.get("/people", params={"orgId": org, "email": "nobody@example.fi"}).json()["items"] == []


def test_list_by_ids_reports_the_ones_not_found(api: httpx.Client, admin: dict[str, Any], org: str) -> None:
    body = checked(api, PEOPLE, "GET", "/people", params={"orgId": org, "id": f"{admin['id']},bm9wZQ"}).json()
    assert [p["id"] for p in body["items"]] == [admin["id"]] and body["notFoundIds"] == ["bm9wZQ"]
    too_many = ",".join(f"id{i}" for i in range(86))
    assert_webex_error(api.get("/people", params={"orgId": org, "id": too_many}), 400, "at most 85")


def test_org_id_is_required_and_unknown_people_are_404(api: httpx.Client, org: str) -> None:
    assert_webex_error(api.get("/people", params={"email": "a@example.fi"}), 400, "orgId is required")
    assert_webex_error(api.get("/people", params={"orgId": "bm9wZQ"}), 404, "not found")
    assert_webex_error(api.get("/people/bm9wZQ"), 404, "not found")
    assert_webex_error(api.put("/people/bm9wZQ", json={"displayName": "X"}), 404, "not found")


def test_list_pages_with_link_next(api: httpx.Client, customer: dict[str, Any], org: str) -> None:
    for i in range(4):
        body = subscriber_body(
            customer["id"],
            f"user{i}@example.fi",
            provisioningParameters={"firstName": "U", "lastName": str(i), "extension": f"10{i}1"},
        )
        assert api.post("/wholesale/subscribers", json=body).status_code in (200, 201), body
    seen: list[str] = []
    response = checked(api, PEOPLE, "GET", "/people", params={"orgId": org, "max": 2})
    while True:
        assert len(response.json()["items"]) <= 2
        seen += [p["id"] for p in response.json()["items"]]
        if "next" not in response.links:
            break
        response = checked(api, PEOPLE, "GET", response.links["next"]["url"])
    assert len(seen) == 5 and len(set(seen)) == 5


def test_calling_fields_only_with_calling_data(api: httpx.Client, customer: dict[str, Any], org: str) -> None:
    body = subscriber_body(customer["id"], "calling.user@example.fi")
    assert api.post("/wholesale/subscribers", json=body).status_code in (200, 201)
    person = api.get("/people", params={"orgId": org, "email": "calling.user@example.fi"}).json()["items"][0]
    assert "extension" not in person and "locationId" not in person
    calling = checked(api, PEOPLE, "GET", f"/people/{person['id']}", params={"callingData": "true"}).json()
    assert calling["extension"] == "1001" and calling["locationId"] == hq(api, org)["id"]


# ---- people: full-object PUT ---------------------------------------------------------------------------------


def test_put_sets_roles_and_names(api: httpx.Client, admin: dict[str, Any]) -> None:
    roles = role_ids(api)
    wanted = [roles["Full Administrator"], roles["Read-only Administrator"]]
    body = full_body(admin, roles=wanted, firstName="Anna", lastName="Virtanen", displayName="Anna Virtanen")
    response = put(api, admin["id"], body)
    assert response.status_code == 200
    assert response.json()["roles"] == wanted and response.json()["displayName"] == "Anna Virtanen"
    assert api.get(f"/people/{admin['id']}").json() == response.json()


def test_put_replaces_the_whole_person(api: httpx.Client, admin: dict[str, Any]) -> None:
    """Fields left out are cleared: a client that PUTs only what it changes loses the admin role."""
    put(api, admin["id"], full_body(admin, firstName="Anna"))
    response = put(api, admin["id"], {"displayName": "Anna"})
    assert response.status_code == 200
    got = response.json()
    assert got["roles"] == [] and "firstName" not in got and got["emails"] == admin["emails"]


def test_put_validation_changes_nothing(api: httpx.Client, admin: dict[str, Any]) -> None:
    cases = [
        ({**full_body(admin), "displayName": None}, 400, "displayName is required"),
        (full_body(admin, displayName="  "), 400, "displayName must not be blank"),
        (full_body(admin, roles=["bm9wZQ"]), 400, "Unknown role id(s): bm9wZQ"),
        (full_body(admin, roles="Full Administrator"), 400, "roles must be a list"),
        (full_body(admin, licenses=["bGljZW5zZQ"]), 400, "Unknown license id(s): bGljZW5zZQ"),
        (full_body(admin, emails=["a@example.fi", "b@example.fi"]), 400, "exactly one email"),
        (full_body(admin, orgId="b3RoZXI"), 400, "orgId cannot be changed"),
    ]
    for body, status, fragment in cases:
        body = {k: v for k, v in body.items() if v is not None}
        assert_webex_error(api.put(f"/people/{admin['id']}", json=body), status, fragment)
    assert api.get(f"/people/{admin['id']}").json() == admin


def test_put_accepts_the_customers_licence_ids(
    api: httpx.Client, admin: dict[str, Any], customer: dict[str, Any]
) -> None:
    detail = api.get(f"/wholesale/customers/{customer['id']}", params={"includePackageLicenseInfo": "true"}).json()
    licence_ids = [i for p in detail["resourceDetails"]["packages"] for i in p.get("licenseIds", [])]
    assert licence_ids
    response = put(api, admin["id"], full_body(admin, licenses=licence_ids[:1]))
    assert response.status_code == 200 and response.json()["licenses"] == licence_ids[:1]


def test_put_email_of_someone_else_is_a_conflict(api: httpx.Client, admin: dict[str, Any], make_customer: Any) -> None:
    make_customer("FI-000999")
    taken = "admin.fi-000999@example.fi"
    assert_webex_error(api.put(f"/people/{admin['id']}", json=full_body(admin, emails=[taken])), 409, taken)


def test_put_min_response_is_204(api: httpx.Client, admin: dict[str, Any]) -> None:
    response = api.put(
        f"/people/{admin['id']}", json=full_body(admin, displayName="Quiet"), params={"minResponse": "true"}
    )
    assert response.status_code == 204 and response.content == b""
    assert api.get(f"/people/{admin['id']}").json()["displayName"] == "Quiet"


def test_put_calling_data_assigns_location_extension_and_number(
    api: httpx.Client, admin: dict[str, Any], org: str
) -> None:
    head = hq(api, org)["id"]
    api.post(
        f"/telephony/config/locations/{head}/numbers", json={"phoneNumbers": ["+358401239001"]}, params={"orgId": org}
    )
    calling = {"locationId": head, "extension": "3001", "phoneNumbers": [{"type": "work", "value": "+358401239001"}]}
    ignored = put(api, admin["id"], full_body(admin, **calling)).json()  # without callingData: no calling change
    assert "extension" not in ignored
    got = put(api, admin["id"], full_body(admin, **calling), callingData="true").json()
    assert got["extension"] == "3001" and got["locationId"] == head
    assert got["phoneNumbers"] == [{"type": "work", "value": "+358401239001"}]


def test_put_calling_data_rules(api: httpx.Client, admin: dict[str, Any], customer: dict[str, Any], org: str) -> None:
    head = hq(api, org)["id"]
    api.post("/wholesale/subscribers", json=subscriber_body(customer["id"], "taken@example.fi"))  # extension 1001
    base = full_body(admin, locationId=head)
    url = f"/people/{admin['id']}"
    params = {"callingData": "true"}
    assert_webex_error(api.put(url, json={**base, "extension": "1001"}, params=params), 409, "1001")
    assert_webex_error(api.put(url, json={**base, "extension": "1"}, params=params), 400, "2-10 digits")
    not_ours = {**base, "phoneNumbers": [{"type": "work", "value": "+358409999999"}]}
    assert_webex_error(api.put(url, json=not_ours, params=params), 400, "+358409999999")
    assert_webex_error(api.put(url, json={**base, "locationId": "bm9wZQ"}, params=params), 400, "locationId")


def test_a_put_without_the_work_number_drops_it_with_or_without_calling_data(
    api: httpx.Client, customer: dict[str, Any], org: str
) -> None:
    """PUT applies the body as given (§10.7): a client that GETs without callingData and PUTs that back
    takes the user's number away; only a GET and PUT with callingData=true keep it."""
    head = hq(api, org)["id"]
    api.post(
        f"/telephony/config/locations/{head}/numbers", json={"phoneNumbers": ["+358401239002"]}, params={"orgId": org}
    )
    params = {"primaryPhoneNumber": "+358401239002", "extension": "1002", "locationId": head}
    body = subscriber_body(customer["id"], "numbered@example.fi", provisioningParameters=params)
    person_id = api.post("/wholesale/subscribers", json=body).json()["personId"]
    calling = {"callingData": "true"}
    whole = api.get(f"/people/{person_id}", params=calling).json()
    assert whole["phoneNumbers"] == [{"type": "work", "value": "+358401239002"}]
    keep = ("emails", "displayName", "firstName", "lastName", "orgId", "roles", "licenses")
    fields = (*keep, "phoneNumbers", "extension", "locationId")
    kept = put(api, person_id, {k: whole[k] for k in fields if k in whole}, **calling)
    assert kept.json()["phoneNumbers"] == whole["phoneNumbers"] and kept.json()["extension"] == "1002"
    plain = api.get(f"/people/{person_id}").json()
    assert "phoneNumbers" not in plain
    put(api, person_id, {k: plain[k] for k in keep if k in plain})
    after = api.get(f"/people/{person_id}", params=calling).json()
    assert after["phoneNumbers"] == [] and after["extension"] == "1002"
