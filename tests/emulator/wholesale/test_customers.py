"""Wholesale customers over real HTTP: provision, poll, list, update, remove, precheck, and every refusal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import ADDRESS, customer_body
from tests.emulator.calls import state
from tests.emulator.conftest import FakeClock, send_checked

CUSTOMERS = "/wholesale/customers"


def test_provision_answers_202_with_location_and_url(api: httpx.Client) -> None:
    response = send_checked(api, "POST", CUSTOMERS, customer_body("FI-1"))
    assert response.status_code == 202
    assert response.json() == {"url": response.headers["Location"]}
    assert response.headers["Location"].startswith(str(api.base_url).rstrip("/") + "/wholesale/customers/")


def test_provisioned_customer_has_org_calling_hq_and_full_admin(make_customer: Any, api: httpx.Client) -> None:
    customer = make_customer("FI-1")
    assert customer["externalId"] == "FI-1" and customer["packages"] == ["webex_calling", "webex_meetings"]
    world = state(api)
    [org] = world["orgs"]
    assert org["id"] == customer["orgId"] and org["name"] == "Mäkelän Konepaja Oy"
    [hq] = world["locations"]
    assert (hq["name"], hq["org_id"], hq["calling_enabled"], hq["time_zone"]) == (
        "Pääkonttori",
        customer["orgId"],
        True,
        "Europe/Helsinki",
    )
    assert hq["address"]["address1"] == "Hämeentie 15" and hq["address"]["postalCode"] == "00510"
    [admin] = world["people"]
    full_admin = next(r["id"] for r in world["roles"] if r["name"] == "Full Administrator")
    assert admin["emails"] == ["admin.fi-1@example.fi"] and admin["roles"] == [full_admin]


def test_package_license_ids_only_when_asked(make_customer: Any, api: httpx.Client) -> None:
    customer = make_customer("FI-1")
    plain = api.get(f"{CUSTOMERS}/{customer['id']}").json()
    assert all("licenseIds" not in p for p in plain["resourceDetails"]["packages"])
    detailed = api.get(f"{CUSTOMERS}/{customer['id']}", params={"includePackageLicenseInfo": "true"}).json()
    assert [len(p["licenseIds"]) for p in detailed["resourceDetails"]["packages"]] == [1, 1]


@pytest.mark.anyio
async def test_status_moves_from_provisioning_to_provisioned_on_the_clock(asgi_client: Any) -> None:
    clock = FakeClock()
    async with asgi_client(provisioning_seconds=2.0, rate=0, clock=clock) as client:
        url = (await client.post(CUSTOMERS, json=customer_body("FI-1"))).headers["Location"]
        early = (await client.get(url)).json()
        assert early["status"] == "provisioning" and "orgId" not in early
        assert {p["status"] for p in early["resourceDetails"]["packages"]} == {"provisioning"}
        clock.advance(1.9)
        assert (await client.get(url)).json()["status"] == "provisioning"
        clock.advance(0.2)
        done = (await client.get(url)).json()
        assert done["status"] == "provisioned" and done["orgId"]
        update = await client.put(url, json={"packages": ["webex_calling"]})
        assert update.status_code == 202 and update.headers["Location"] == url
        assert (await client.get(url)).json()["status"] == "updating"
        clock.advance(2.0)
        assert (await client.get(url)).json()["status"] == "provisioned"
        assert (await client.delete(url)).status_code == 202
        assert (await client.get(url)).json()["status"] == "deleting"
        clock.advance(2.0)
        assert (await client.get(url)).status_code == 404


@pytest.mark.anyio
@pytest.mark.parametrize("outcome", ["error", "provisioned_with_errors"])
async def test_seeded_outcomes_carry_errors(asgi_client: Any, outcome: str) -> None:
    async with asgi_client(provisioning_seconds=0, rate=0, customer_outcomes={"FI-BAD": outcome}) as client:
        url = (await client.post(CUSTOMERS, json=customer_body("FI-BAD"))).headers["Location"]
        body = (await client.get(url)).json()
    assert body["status"] == outcome
    problems = body["errors"] + [w for p in body["resourceDetails"]["packages"] for w in p["warnings"]]
    assert problems and all(isinstance(p["errorCode"], int) for p in problems)
    assert ("orgId" in body) is (outcome == "provisioned_with_errors")


def _without(path: str) -> dict[str, Any]:
    body = customer_body("FI-X")
    *parents, leaf = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    del target[leaf]
    return body


def _calling_location(**changes: Any) -> dict[str, Any]:
    body = customer_body("FI-X")
    body["provisioningParameters"]["calling"]["location"].update(changes)
    return body


INVALID = {
    "no provisioningId": (_without("provisioningId"), "provisioningId"),
    "no packages": (_without("packages"), "packages"),
    "empty packages": (customer_body("FI-X", packages=[]), "packages"),
    "unknown package": (customer_body("FI-X", packages=["webex_calling", "webex_gold"]), "webex_gold"),
    "repeated package": (customer_body("FI-X", packages=["webex_calling", "webex_calling"]), "repeat"),
    "calling plan alone": (
        customer_body("FI-X", packages=["webex_meetings", "cisco_calling_plan"]),
        "cisco_calling_plan is dependent on",
    ),
    "console without calling": (
        customer_body("FI-X", packages=["webex_voice", "attendant_console"]),
        "attendant_console is dependent on",
    ),
    "no externalId": (_without("externalId"), "externalId"),
    "no address": (_without("address"), "address"),
    "no city": (_without("address.city"), "address.city"),
    "no addressLine1": (_without("address.addressLine1"), "address.addressLine1"),
    "country of 3": (customer_body("FI-X", address={**ADDRESS, "country": "FIN"}), "country"),
    "line of 51": (customer_body("FI-X", address={**ADDRESS, "addressLine2": "x" * 51}), "50 characters"),
    "no customerInfo": (_without("customerInfo"), "customerInfo"),
    "percent in name": (customer_body("FI-X", customerInfo={"name": "100% Oy", "primaryEmail": "a@b.fi"}), "%"),
    "bad admin email": (customer_body("FI-X", customerInfo={"name": "Oy", "primaryEmail": "a.b.fi"}), "primaryEmail"),
    "calling without location": (_without("provisioningParameters"), "provisioningParameters.calling"),
    "location without timezone": (_without("provisioningParameters.calling.location.timezone"), "timezone"),
    "location without language": (_calling_location(language=""), "language"),
    "location country of 1": (_calling_location(address={**ADDRESS, "country": "F"}), "country"),
    "location name of 81": (_calling_location(name="x" * 81), "80 characters"),
    "unknown timezone": (_calling_location(timezone="Europe/Espoo"), "Europe/Espoo"),
}


@pytest.mark.parametrize("body, words", INVALID.values(), ids=INVALID.keys())
def test_invalid_provision_is_a_400_naming_the_field_and_creates_nothing(
    api: httpx.Client, body: dict[str, Any], words: str
) -> None:
    response = api.post(CUSTOMERS, json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert words in error["message"] and error["errors"][0]["description"] == error["message"]
    assert error["trackingId"] == response.headers["Trackingid"]
    assert api.get(CUSTOMERS).json() == {"items": []}


def test_meetings_only_customer_needs_no_calling_location(api: httpx.Client) -> None:
    body = customer_body("FI-M", packages=["webex_meetings"])
    del body["provisioningParameters"]
    assert send_checked(api, "POST", CUSTOMERS, body).status_code == 202
    customer = api.get(CUSTOMERS, params={"externalId": "FI-M"}).json()["items"][0]
    assert customer["status"] == "provisioned"
    assert [loc["calling_enabled"] for loc in state(api)["locations"]] == [False]


def test_duplicate_external_id_is_409(make_customer: Any, api: httpx.Client) -> None:
    make_customer("FI-1")
    response = send_checked(api, "POST", CUSTOMERS, customer_body("FI-1"))
    assert response.status_code == 409 and "FI-1" in response.json()["message"]
    assert len(api.get(CUSTOMERS).json()["items"]) == 1


def test_existing_org_needs_no_customer_info(make_customer: Any, api: httpx.Client) -> None:
    first = make_customer("FI-1")
    api.delete(f"{CUSTOMERS}/{first['id']}")
    body = _without("customerInfo") | {"orgId": first["orgId"]}
    assert send_checked(api, "POST", CUSTOMERS, body).status_code == 202
    [again] = api.get(CUSTOMERS).json()["items"]
    assert again["orgId"] == first["orgId"] and again["externalId"] == "FI-X"
    unknown = api.post(CUSTOMERS, json=body | {"externalId": "FI-Y", "orgId": "nope"})
    assert unknown.status_code == 400


def test_list_filters_and_offset_pagination_without_link(make_customer: Any, api: httpx.Client) -> None:
    """Wholesale lists page by offset and send no Link (webex-wholesale.json declares none, §10.6)."""
    made = [make_customer(f"FI-{i}") for i in range(5)]
    assert [c["externalId"] for c in api.get(CUSTOMERS, params={"externalId": "FI-3"}).json()["items"]] == ["FI-3"]
    by_org = api.get(CUSTOMERS, params={"orgId": made[1]["orgId"]}).json()["items"]
    assert [c["id"] for c in by_org] == [made[1]["id"]]
    assert api.get(CUSTOMERS, params={"status": "provisioning"}).json()["items"] == []
    assert len(api.get(CUSTOMERS, params={"status": "provisioned"}).json()["items"]) == 5
    seen: list[dict[str, Any]] = []
    for offset in (0, 2, 4):
        response = api.get(CUSTOMERS, params={"max": 2, "offset": offset})
        assert "link" not in response.headers
        seen += response.json()["items"]
    assert [c["id"] for c in seen] == [c["id"] for c in made]
    assert api.get(CUSTOMERS, params={"max": "lots"}).status_code == 400
    assert api.get(CUSTOMERS, params={"max": 101}).status_code == 400  # max is capped at 100


def test_update_replaces_the_package_list(make_customer: Any, api: httpx.Client) -> None:
    customer = make_customer("FI-1")
    url = f"{CUSTOMERS}/{customer['id']}"
    response = send_checked(api, "PUT", url, {"packages": ["webex_suite", "attendant_console"]})
    assert response.status_code == 202 and response.json()["url"].endswith(url)
    after = api.get(url).json()
    assert after["packages"] == ["webex_suite", "attendant_console"] and after["status"] == "provisioned"
    assert api.put(url, json={"packages": ["attendant_console"]}).status_code == 400
    assert api.put(url, json={}).status_code == 400
    assert api.put(f"{CUSTOMERS}/nope", json={"packages": ["webex_calling"]}).status_code == 404


def test_update_cannot_take_another_customers_external_id(make_customer: Any, api: httpx.Client) -> None:
    make_customer("FI-1")
    second = make_customer("FI-2")
    response = api.put(f"{CUSTOMERS}/{second['id']}", json={"externalId": "FI-1", "packages": ["webex_calling"]})
    assert response.status_code == 409


def test_remove_answers_202_then_the_customer_is_gone(make_customer: Any, api: httpx.Client) -> None:
    customer = make_customer("FI-1")
    response = api.delete(f"{CUSTOMERS}/{customer['id']}")
    assert response.status_code == 202 and response.content == b""
    assert api.get(f"{CUSTOMERS}/{customer['id']}").status_code == 404
    assert api.delete(f"{CUSTOMERS}/{customer['id']}").status_code == 404
    assert len(state(api)["orgs"]) == 1  # removing the mapping leaves the Webex org


def test_precheck_success_and_refusals(make_customer: Any, api: httpx.Client) -> None:
    minimal = {"address": dict(ADDRESS), "customerInfo": {"primaryEmail": "new.admin@example.fi"}}
    response = send_checked(api, "POST", CUSTOMERS + "/validate", minimal)
    assert response.status_code == 200
    assert response.json()["message"] == "success" and response.json()["info"]["infoCode"] == 100
    assert send_checked(api, "POST", CUSTOMERS + "/validate", customer_body("FI-9")).status_code == 200
    make_customer("FI-1")
    admin = {"primaryEmail": "admin.fi-1@example.fi"}
    taken = api.post(CUSTOMERS + "/validate", json={**minimal, "customerInfo": admin})
    assert taken.status_code == 409 and taken.json()["errors"][0]["errorCode"] == 10022
    assert api.post(CUSTOMERS + "/validate", json={"customerInfo": {"primaryEmail": "x@y.fi"}}).status_code == 400
    assert api.post(CUSTOMERS + "/validate", json=customer_body("FI-1")).status_code == 409
    assert api.get(CUSTOMERS).json()["items"][0]["externalId"] == "FI-1"


def test_unreadable_bodies_are_400(api: httpx.Client) -> None:
    assert api.post(CUSTOMERS, content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert api.post(CUSTOMERS, json=["a list"]).status_code == 400
    assert api.post(CUSTOMERS, json=customer_body("FI-1", packages="webex_calling")).status_code == 400
