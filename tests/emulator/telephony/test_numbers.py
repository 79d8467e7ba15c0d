"""Emulator contract: adding numbers to a location and listing the org's numbers, checked against webex-numbers.json."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import location_body
from tests.emulator.calls import assert_webex_error, create, enable, hq
from tests.openapi_check import checked

NUM = "webex-numbers"


def add(api: httpx.Client, org: str, location_id: str, numbers: list[str], **extra: Any) -> httpx.Response:
    path = f"/telephony/config/locations/{location_id}/numbers"
    return checked(api, NUM, "POST", path, json={"phoneNumbers": numbers, **extra}, params={"orgId": org})


def listed(api: httpx.Client, org: str, **params: Any) -> dict[str, Any]:
    return checked(api, NUM, "GET", "/telephony/config/numbers", params={"orgId": org, **params}).json()


def second_location(api: httpx.Client, org: str, name: str = "Espoo Office") -> str:
    location_id = create(api, org, location_body(name)).json()["id"]
    assert enable(api, org, location_id, name=name).status_code == 201
    return location_id


def test_added_numbers_are_listed_with_their_location(api: httpx.Client, org: str) -> None:
    location = hq(api, org)
    response = add(api, org, location["id"], ["+358401230002", "+358401230001"])
    assert response.status_code == 201 and response.content == b""
    body = listed(api, org)
    assert [n["phoneNumber"] for n in body["phoneNumbers"]] == ["+358401230001", "+358401230002"]
    first = body["phoneNumbers"][0]
    assert first["location"] == {"id": location["id"], "name": location["name"]}
    assert first["state"] == "ACTIVE" and first["mainNumber"] is False and "owner" not in first
    assert body["count"]["total"] == 2 and body["count"]["unAssigned"] == 2


def test_numbers_already_in_the_location_are_ignored(api: httpx.Client, org: str) -> None:
    location_id = hq(api, org)["id"]
    add(api, org, location_id, ["+358401230001"])
    assert add(api, org, location_id, ["+358401230001", "+358401230003", "+358401230003"]).status_code == 201
    assert [n["phoneNumber"] for n in listed(api, org)["phoneNumbers"]] == ["+358401230001", "+358401230003"]


def test_a_number_in_another_location_is_refused_in_an_array_body_and_the_rest_is_added(
    api: httpx.Client, org: str
) -> None:
    """The numbers API's 400 is a JSON array naming each refused number; the others were added (§10.3)."""
    espoo = second_location(api, org)
    add(api, org, espoo, ["+358401230001"])
    response = add(api, org, hq(api, org)["id"], ["+358401230009", "+358401230001"])
    assert response.status_code == 400 and response.headers["trackingid"]
    [item] = response.json()
    [error] = item["errors"]
    assert (error["number"], error["errorCode"]) == ("+358401230001", "8363")  # this org's: in use (§11.14)
    assert "DN is in use" in error["errorMessage"]
    assert sorted(n["phoneNumber"] for n in listed(api, org)["phoneNumbers"]) == ["+358401230001", "+358401230009"]


def test_a_number_of_another_org_is_unavailable(api: httpx.Client, org: str, make_customer: Any) -> None:
    other = make_customer("FI-000999")["orgId"]
    add(api, other, hq(api, other)["id"], ["+358401230001"])
    response = add(api, org, hq(api, org)["id"], ["+358401230001"])
    assert response.status_code == 400 and response.json()[0]["errors"][0]["number"] == "+358401230001"
    assert listed(api, org)["phoneNumbers"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"phoneNumbers": ["0401234567"]}, "0401234567"),
        ({"phoneNumbers": ["+358 40 123 4567"]}, "E.164"),
        ({"phoneNumbers": []}, "phoneNumbers is required"),
        ({}, "phoneNumbers is required"),
        ({"phoneNumbers": "+358401230001"}, "list of strings"),
        ({"phoneNumbers": ["+358401230001"], "numberType": "FAX"}, "numberType must be one of"),
        ({"phoneNumbers": ["+358401230001"], "state": "ON"}, "state must be one of"),
        ({"phoneNumbers": [f"+3584012300{i:02d}" for i in range(21)], "numberType": "MOBILE"}, "Only 20 mobile"),
    ],
)
def test_bad_number_requests_are_400(api: httpx.Client, org: str, body: dict[str, Any], fragment: str) -> None:
    response = api.post(f"/telephony/config/locations/{hq(api, org)['id']}/numbers", json=body, params={"orgId": org})
    assert_webex_error(response, 400, fragment)
    assert listed(api, org)["phoneNumbers"] == []


def test_state_inactive_is_kept(api: httpx.Client, org: str) -> None:
    add(api, org, hq(api, org)["id"], ["+358401230001"], state="INACTIVE")
    body = listed(api, org)
    assert body["phoneNumbers"][0]["state"] == "INACTIVE" and body["count"]["inActive"] == 1


def test_location_must_exist_and_have_calling(api: httpx.Client, org: str) -> None:
    plain = create(api, org, location_body("No Calling")).json()["id"]
    assert_webex_error(add(api, org, plain, ["+358401230001"]), 400, "not enabled for Webex Calling")
    assert_webex_error(add(api, org, "bm9wZQ", ["+358401230001"]), 404, "not found")
    assert_webex_error(
        api.post("/telephony/config/locations/x/numbers", json={"phoneNumbers": []}), 400, "orgId is required"
    )


def test_list_filters(api: httpx.Client, org: str) -> None:
    head = hq(api, org)["id"]
    espoo = second_location(api, org)
    add(api, org, head, ["+358401230001", "+358401230002"])
    add(api, org, espoo, ["+358501230003"])
    assert [n["phoneNumber"] for n in listed(api, org, locationId=espoo)["phoneNumbers"]] == ["+358501230003"]
    assert [n["phoneNumber"] for n in listed(api, org, phoneNumber="+358401230002")["phoneNumbers"]] == [
        "+358401230002"
    ]
    api.put(
        f"/telephony/config/locations/{head}",
        json={"callingLineId": {"phoneNumber": "+358401230001"}},
        params={"orgId": org},
    )
    available = listed(api, org, available="true")["phoneNumbers"]
    assert [n["phoneNumber"] for n in available] == ["+358401230002", "+358501230003"]
    assert [n["phoneNumber"] for n in listed(api, org, available="false")["phoneNumbers"]] == ["+358401230001"]
    assert_webex_error(
        api.get("/telephony/config/numbers", params={"orgId": org, "locationId": "bm9wZQ"}), 404, "not found"
    )
    assert_webex_error(
        api.get("/telephony/config/numbers", params={"orgId": org, "available": "yes"}), 400, "available"
    )
    assert_webex_error(api.get("/telephony/config/numbers"), 400, "orgId is required")


def test_list_pages_by_start_and_max_with_a_default_of_2000(api: httpx.Client, org: str) -> None:
    head = hq(api, org)["id"]
    numbers = [f"+3584012{i:05d}" for i in range(2003)]
    add(api, org, head, numbers)
    first = checked(api, NUM, "GET", "/telephony/config/numbers", params={"orgId": org})
    assert len(first.json()["phoneNumbers"]) == 2000 and first.json()["count"]["total"] == 2003
    rest = checked(api, NUM, "GET", first.links["next"]["url"])
    assert [n["phoneNumber"] for n in rest.json()["phoneNumbers"]] == numbers[2000:]
    assert "next" not in rest.links
    page = listed(api, org, start=5, max=2)["phoneNumbers"]
    assert [n["phoneNumber"] for n in page] == numbers[5:7]


def test_owner_shows_once_a_person_holds_the_number(api: httpx.Client, org: str) -> None:
    head = hq(api, org)["id"]
    add(api, org, head, ["+358401230001", "+358401230002"])
    listed_id = api.get("/people", params={"orgId": org}).json()["items"][0]["id"]
    person = api.get(f"/people/{listed_id}").json()  # list items lack licences and roles (§11.1)
    body = {
        "displayName": "Anna Admin",
        "firstName": "Anna",
        "lastName": "Admin",
        "emails": person["emails"],
        "roles": person["roles"],
        "licenses": person["licenses"],
        "locationId": head,
        "extension": "2001",
        "phoneNumbers": [{"type": "work", "value": "+358401230002"}],
    }
    response = api.put(f"/people/{person['id']}", json=body, params={"callingData": "true"})
    assert response.status_code == 200, response.text
    owned = listed(api, org, phoneNumber="+358401230002")["phoneNumbers"][0]
    assert owned["owner"] == {"id": person["id"], "type": "PEOPLE", "firstName": "Anna", "lastName": "Admin"}
    assert owned["extension"] == "2001"
    assert [n["phoneNumber"] for n in listed(api, org, available="true")["phoneNumbers"]] == ["+358401230001"]
    assert listed(api, org, ownerId=person["id"])["count"]["assigned"] == 1
