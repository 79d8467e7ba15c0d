"""Wholesale subscribers over real HTTP: the §3 rules, each refusal, list paging, update and removal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.bodies import customer_body, subscriber_body
from tests.emulator.calls import state
from tests.emulator.conftest import FakeClock, checked_client, send_checked

SUBSCRIBERS = "/wholesale/subscribers"
HQ_NUMBERS = ["+358942451000", "+358942451001"]


@pytest.fixture
def customer(make_customer: Any, api: httpx.Client) -> dict[str, Any]:
    """A provisioned calling customer whose HQ holds two numbers; ``hq`` is the HQ location id."""
    body = make_customer("FI-1")
    hq = api.get("/locations", params={"orgId": body["orgId"]}).json()["items"][0]["id"]
    added = api.post(
        f"/telephony/config/locations/{hq}/numbers", params={"orgId": body["orgId"]}, json={"phoneNumbers": HQ_NUMBERS}
    )
    assert added.status_code == 201, added.text
    return body | {"hq": hq}


def provision(api: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return send_checked(api, "POST", SUBSCRIBERS, body)


def person(api: httpx.Client, person_id: str) -> dict[str, Any]:
    return next(p for p in state(api)["people"] if p["id"] == person_id)


def test_calling_subscriber_gets_a_person_with_license_number_and_extension(
    api: httpx.Client, customer: dict[str, Any]
) -> None:
    params = {
        "firstName": "Matti",
        "lastName": "Meikäläinen",
        "primaryPhoneNumber": HQ_NUMBERS[0],
        "extension": "1001",
        "locationId": customer["hq"],
    }
    response = provision(api, subscriber_body(customer["id"], provisioningParameters=params))
    assert response.status_code == 200, response.text
    sub = response.json()
    assert response.headers["Location"].endswith(f"{SUBSCRIBERS}/{sub['id']}")
    assert (sub["status"], sub["packages"], sub["customerId"], sub["externalCustomerId"]) == (
        "provisioned",
        ["webex_calling"],
        customer["id"],
        "FI-1",
    )
    user = person(api, sub["personId"])
    assert (user["location_id"], user["extension"], user["display_name"]) == (
        customer["hq"],
        "1001",
        "Matti Meikäläinen",
    )
    assert user["phone_numbers"] == [{"type": "work", "value": HQ_NUMBERS[0]}] and len(user["licenses"]) == 1
    owners = {n["phone_number"]: n["owner_id"] for n in state(api)["numbers"]}
    assert owners == {HQ_NUMBERS[0]: sub["personId"], HQ_NUMBERS[1]: None}
    assert api.get(f"{SUBSCRIBERS}/{sub['id']}").json() == sub


def test_meetings_subscriber_needs_no_calling_data(api: httpx.Client, customer: dict[str, Any]) -> None:
    body = subscriber_body(customer["id"], package="webex_meetings", provisioningParameters={})
    del body["packages"]
    response = provision(api, body)
    assert response.status_code == 200 and response.json()["package"] == "webex_meetings"
    assert person(api, response.json()["personId"])["location_id"] is None


def test_free_account_waits_for_consent() -> None:
    config = EmulatorConfig(provisioning_seconds=0, rate=0, free_account_emails=frozenset({"Free@Example.fi"}))
    with running_emulator(config) as base, checked_client(base) as client:
        url = client.post("/wholesale/customers", json=customer_body("FI-1")).headers["Location"]
        customer_id = client.get(url).json()["id"]
        response = send_checked(client, "POST", SUBSCRIBERS, subscriber_body(customer_id, "free@example.fi"))
    assert response.status_code == 202
    assert response.json()["status"] == "pending_user_migration" and "personId" not in response.json()


def _params(**changes: Any) -> dict[str, Any]:
    return {"firstName": "Matti", "lastName": "M", **changes}


REFUSED = {
    "package and packages": (dict(package="webex_calling"), 400, "not both"),
    "neither package field": (dict(packages=None), 400, "packages or package"),
    "two packages": (dict(packages=["webex_calling", "webex_meetings"]), 400, "only one package"),
    "unknown package": (dict(packages=["webex_gold"]), 400, "webex_gold"),
    "package the customer lacks": (dict(packages=["webex_suite"]), 400, "not provisioned for this customer"),
    "calling without number or extension": (dict(provisioningParameters=_params()), 400, "extension"),
    "foreign location": (
        dict(provisioningParameters=_params(extension="1002", locationId="nope")),
        400,
        "Unable to find location",
    ),
    "number not in the org": (
        dict(provisioningParameters=_params(primaryPhoneNumber="+358942459999")),
        400,
        "+358942459999",
    ),
    "bad extension": (dict(provisioningParameters=_params(extension="1")), 400, "Extension"),
    "no provisioningParameters": (dict(provisioningParameters=None), 400, "provisioningParameters"),
    "bad email": (dict(email="not-an-email"), 400, "email"),
    "unknown customer": (dict(customerId="nope"), 400, "customerId"),
}


@pytest.mark.parametrize("changes, status, words", REFUSED.values(), ids=REFUSED.keys())
def test_refused_subscriber_changes_nothing(
    api: httpx.Client, customer: dict[str, Any], changes: dict[str, Any], status: int, words: str
) -> None:
    body = {k: v for k, v in (subscriber_body(customer["id"]) | changes).items() if v is not None}
    response = api.post(SUBSCRIBERS, json=body)
    assert response.status_code == status, response.text
    assert words in response.json()["message"]
    assert api.get(SUBSCRIBERS).json() == {"items": []}


CONFLICTS = {
    "email already a subscriber": ({"email": "taken@example.fi"}, {"extension": "2000"}, 10022),
    "extension in use": ({}, {"extension": "1001"}, None),
    "number owned": ({}, {"primaryPhoneNumber": HQ_NUMBERS[0]}, None),
}


@pytest.mark.parametrize("first, second, code", CONFLICTS.values(), ids=CONFLICTS.keys())
def test_conflicts_are_409(
    api: httpx.Client, customer: dict[str, Any], first: dict[str, Any], second: dict[str, Any], code: int | None
) -> None:
    one = subscriber_body(
        customer["id"],
        "taken@example.fi",
        provisioningParameters=_params(extension="1001", primaryPhoneNumber=HQ_NUMBERS[0]),
    )
    assert provision(api, one).status_code == 200
    other = subscriber_body(
        customer["id"], first.get("email", "other@example.fi"), provisioningParameters=_params(**second)
    )
    response = provision(api, other)
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0].get("errorCode") == code
    assert len(api.get(SUBSCRIBERS).json()["items"]) == 1


def test_user_of_another_org_is_409_but_own_admin_can_be_attached(
    api: httpx.Client, customer: dict[str, Any], make_customer: Any
) -> None:
    make_customer("FI-2")
    foreign = provision(api, subscriber_body(customer["id"], "admin.fi-2@example.fi"))
    assert foreign.status_code == 409 and foreign.json()["errors"][0]["errorCode"] == 10022
    own = provision(api, subscriber_body(customer["id"], "admin.fi-1@example.fi"))
    assert own.status_code == 200
    admin = person(api, own.json()["personId"])
    assert admin["emails"] == ["admin.fi-1@example.fi"] and admin["roles"] and admin["extension"] == "1001"


@pytest.mark.anyio
async def test_customer_still_provisioning_is_refused(asgi_client: Any) -> None:
    async with asgi_client(provisioning_seconds=5, rate=0, clock=FakeClock()) as client:
        url = (await client.post("/wholesale/customers", json=customer_body("FI-1"))).headers["Location"]
        customer_id = url.rsplit("/", 1)[1]
        response = await client.post(SUBSCRIBERS, json=subscriber_body(customer_id))
    assert response.status_code == 400 and "not provisioned" in response.json()["message"]


def test_list_filters_paging_and_max_cap(api: httpx.Client, customer: dict[str, Any]) -> None:
    made = [
        provision(
            api,
            subscriber_body(
                customer["id"], f"u{i}@example.fi", provisioningParameters=_params(extension=f"{2000 + i}")
            ),
        ).json()
        for i in range(5)
    ]
    assert [s["email"] for s in api.get(SUBSCRIBERS, params={"email": "U3@example.fi"}).json()["items"]] == [
        "u3@example.fi"
    ]
    assert [s["id"] for s in api.get(SUBSCRIBERS, params={"personId": made[2]["personId"]}).json()["items"]] == [
        made[2]["id"]
    ]
    assert len(api.get(SUBSCRIBERS, params={"customerId": customer["id"]}).json()["items"]) == 5
    assert len(api.get(SUBSCRIBERS, params={"externalCustomerId": "FI-1"}).json()["items"]) == 5
    assert api.get(SUBSCRIBERS, params={"externalCustomerId": "FI-404"}).json()["items"] == []
    assert api.get(SUBSCRIBERS, params={"status": "pending_user_migration"}).json()["items"] == []
    first = api.get(SUBSCRIBERS, params={"max": 3})
    assert "link" not in first.headers  # wholesale lists page by offset only (§10.6)
    rest = api.get(SUBSCRIBERS, params={"max": 3, "offset": 3})
    assert [s["id"] for s in first.json()["items"] + rest.json()["items"]] == [s["id"] for s in made]
    assert api.get(SUBSCRIBERS, params={"max": 101}).status_code == 400


def test_default_page_is_50(api: httpx.Client, customer: dict[str, Any]) -> None:
    for i in range(51):
        body = subscriber_body(customer["id"], f"u{i}@example.fi", packages=["webex_meetings"])
        assert api.post(SUBSCRIBERS, json=body).status_code == 200
    page = api.get(SUBSCRIBERS)
    assert len(page.json()["items"]) == 50 and "next" not in page.links
    assert len(api.get(SUBSCRIBERS, params={"offset": 50}).json()["items"]) == 1


def test_update_from_meetings_to_calling_needs_calling_data(api: httpx.Client, customer: dict[str, Any]) -> None:
    sub = provision(api, subscriber_body(customer["id"], packages=["webex_meetings"])).json()
    url = f"{SUBSCRIBERS}/{sub['id']}"
    assert api.put(url, json={"packages": ["webex_calling"]}).status_code == 400
    assert api.put(url, json={"packages": ["webex_calling"], "package": "webex_calling"}).status_code == 400
    body = {"packages": ["webex_calling"], "provisioningParameters": {"extension": "3000"}}
    response = send_checked(api, "PUT", url, body)
    assert response.status_code == 200 and response.json()["packages"] == ["webex_calling"]
    assert person(api, sub["personId"])["extension"] == "3000"
    assert api.put(f"{SUBSCRIBERS}/nope", json=body).status_code == 404


def test_remove_is_204_and_frees_the_number(api: httpx.Client, customer: dict[str, Any]) -> None:
    params = _params(primaryPhoneNumber=HQ_NUMBERS[1])
    sub = provision(api, subscriber_body(customer["id"], provisioningParameters=params)).json()
    response = api.delete(f"{SUBSCRIBERS}/{sub['id']}")
    assert response.status_code == 204 and response.content == b""
    assert api.get(f"{SUBSCRIBERS}/{sub['id']}").status_code == 404
    assert all(n["owner_id"] is None for n in state(api)["numbers"])
    again = subscriber_body(customer["id"], "next@example.fi", provisioningParameters=params)
    assert provision(api, again).status_code == 200


def test_precheck(api: httpx.Client, customer: dict[str, Any]) -> None:
    ok = send_checked(api, "POST", SUBSCRIBERS + "/validate", subscriber_body(customer["id"]))
    assert ok.status_code == 200 and ok.json()["info"]["infoCode"] == 100
    assert send_checked(api, "POST", SUBSCRIBERS + "/validate", {"email": "new@example.fi"}).status_code == 200
    taken = api.post(SUBSCRIBERS + "/validate", json={"email": "admin.fi-1@example.fi"})
    assert taken.status_code == 409
    bad = subscriber_body(customer["id"], provisioningParameters=_params())
    assert api.post(SUBSCRIBERS + "/validate", json=bad).status_code == 400
    assert api.get(SUBSCRIBERS).json() == {"items": []}
