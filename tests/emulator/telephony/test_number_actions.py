"""Numbers activated, deactivated, removed and validated (webex-numbers.json; webex-api.md §11.14, §11.15)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import subscriber_body
from tests.emulator.calls import assert_webex_error, hq
from tests.openapi_check import checked

NUM = "webex-numbers"
VALIDATE = "/telephony/config/actions/validateNumbers/invoke"
NUMBERS = [f"+35840123400{i}" for i in range(7)]


@pytest.fixture
def customer(make_customer: Any) -> dict[str, Any]:
    return dict(make_customer())


@pytest.fixture
def org(customer: dict[str, Any]) -> str:
    return str(customer["orgId"])


@pytest.fixture
def customer_id(customer: dict[str, Any]) -> str:
    return str(customer["id"])


@pytest.fixture
def head(api: httpx.Client, org: str) -> str:
    location_id = str(hq(api, org)["id"])
    body = {"phoneNumbers": NUMBERS, "state": "INACTIVE"}
    api.post(f"/telephony/config/locations/{location_id}/numbers", params={"orgId": org}, json=body)
    return location_id


def numbers_call(api: httpx.Client, org: str, location_id: str, method: str, body: dict[str, Any]) -> httpx.Response:
    return checked(
        api, NUM, method, f"/telephony/config/locations/{location_id}/numbers", json=body, params={"orgId": org}
    )


def states(api: httpx.Client, org: str) -> dict[str, str]:
    rows = api.get("/telephony/config/numbers", params={"orgId": org}).json()["phoneNumbers"]
    return {n["phoneNumber"]: n["state"] for n in rows}


def test_activate_is_the_default_action_and_deactivate_takes_unassigned_numbers(
    api: httpx.Client, org: str, head: str, customer_id: str
) -> None:
    assert numbers_call(api, org, head, "PUT", {"phoneNumbers": NUMBERS[:3]}).status_code == 204
    assert [states(api, org)[n] for n in NUMBERS[:4]] == ["ACTIVE", "ACTIVE", "ACTIVE", "INACTIVE"]
    assert numbers_call(api, org, head, "PUT", {"phoneNumbers": NUMBERS[:1], "action": "DEACTIVATE"}).status_code == 204
    assert states(api, org)[NUMBERS[0]] == "INACTIVE"
    params = {"firstName": "A", "lastName": "B", "primaryPhoneNumber": NUMBERS[1], "locationId": head}
    api.post("/wholesale/subscribers", json=subscriber_body(customer_id, provisioningParameters=params))
    refused = numbers_call(api, org, head, "PUT", {"phoneNumbers": NUMBERS[1:3], "action": "DEACTIVATE"})
    assert_webex_error(refused, 400, "unassigned", NUMBERS[1])
    assert states(api, org)[NUMBERS[2]] == "ACTIVE"  # nothing changed


def test_remove_takes_at_most_five_never_the_main_number_nor_an_assigned_one(
    api: httpx.Client, org: str, head: str, customer_id: str
) -> None:
    assert_webex_error(numbers_call(api, org, head, "DELETE", {"phoneNumbers": NUMBERS[:6]}), 400, "At most 5")
    api.put(
        f"/telephony/config/locations/{head}",
        params={"orgId": org},
        json={"callingLineId": {"phoneNumber": NUMBERS[0]}},
    )
    assert_webex_error(numbers_call(api, org, head, "DELETE", {"phoneNumbers": NUMBERS[:2]}), 400, "main number")
    params = {"firstName": "A", "lastName": "B", "primaryPhoneNumber": NUMBERS[1], "locationId": head}
    api.post("/wholesale/subscribers", json=subscriber_body(customer_id, provisioningParameters=params))
    assert_webex_error(
        numbers_call(api, org, head, "DELETE", {"phoneNumbers": NUMBERS[1:3]}), 400, "assigned", NUMBERS[1]
    )
    assert_webex_error(
        numbers_call(api, org, head, "DELETE", {"phoneNumbers": ["+358409999999"]}), 400, "not in location"
    )
    assert set(states(api, org)) == set(NUMBERS)  # nothing removed so far
    assert numbers_call(api, org, head, "DELETE", {"phoneNumbers": NUMBERS[2:7]}).status_code == 204
    assert set(states(api, org)) == set(NUMBERS[:2])


def test_validate_numbers_names_each_state_as_webex_does(
    api: httpx.Client, org: str, head: str, make_customer: Any
) -> None:
    other = make_customer("FI-000999")["orgId"]
    elsewhere = "+358501239999"
    api.post(
        f"/telephony/config/locations/{hq(api, other)['id']}/numbers",
        params={"orgId": other},
        json={"phoneNumbers": [elsewhere]},
    )
    fresh = "+358401235555"
    body = {"phoneNumbers": [fresh, fresh, NUMBERS[0], elsewhere, "+1800"]}
    answer = checked(api, NUM, "POST", VALIDATE, json=body, params={"orgId": org}).json()
    expected = [
        (fresh, "Available", []),
        (fresh, "Duplicate In List", [f"[Error 8360] Duplicate DN in the request : {fresh}"]),
        (NUMBERS[0], "Duplicate", [f"[Error 8363] DN is in use : {NUMBERS[0]}"]),
        (elsewhere, "Unavailable", [f"[Error 8361] DN is unavailable : {elsewhere}"]),
        ("+1800", "Invalid", ["[Error 8362] DN is invalid : +1800"]),
    ]
    assert answer["status"] == "ERRORS"
    assert [(n["number"], n["state"], n["detail"]) for n in answer["numbers"]] == expected
    assert [(n["phoneNumber"], n["state"], n["detail"]) for n in answer["phoneNumbers"]] == expected  # the live API's
    ok = checked(api, NUM, "POST", VALIDATE, json={"phoneNumbers": ["+18005550100"]}, params={"orgId": org}).json()
    assert ok["status"] == "OK" and ok["numbers"][0]["tollFreeNumber"] is True
    assert_webex_error(api.post(VALIDATE, params={"orgId": org}, json={"phoneNumbers": []}), 400, "phoneNumbers")
