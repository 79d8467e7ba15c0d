"""The emulator's update routes: ``PUT /locations/{id}``, and the package-change rules of the customer and
subscriber PUTs (bodies checked against the official request schemas)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import subscriber_body
from tests.emulator.conftest import send_checked
from tests.emulator.test_customers import state
from tests.emulator.test_locations import LOC, assert_webex_error, create, location_body
from tests.openapi_check import checked

SUBSCRIBERS = "/wholesale/subscribers"


@pytest.fixture
def customer(make_customer: Any) -> dict[str, Any]:
    return make_customer("FI-1")


def put_location(api: httpx.Client, org: str, location_id: str, body: dict[str, Any]) -> httpx.Response:
    return checked(api, LOC, "PUT", f"/locations/{location_id}", json=body, params={"orgId": org})


def test_location_put_changes_what_the_body_holds(api: httpx.Client, customer: dict[str, Any]) -> None:
    org = customer["orgId"]
    made = create(api, org, location_body("Espoo Office")).json()
    moved = {
        "name": "Espoo Office",
        "timeZone": "Europe/Stockholm",
        "preferredLanguage": "sv_se",
        "address": {
            "address1": "Tekniikantie 2",
            "city": "Espoo",
            "state": "Uusimaa",
            "postalCode": "02150",
            "country": "fi",
        },
    }
    response = put_location(api, org, made["id"], moved)
    assert response.status_code == 204 and response.content == b""
    got = api.get(f"/locations/{made['id']}", params={"orgId": org}).json()
    assert (got["timeZone"], got["preferredLanguage"], got["announcementLanguage"]) == (
        "Europe/Stockholm",
        "sv_se",
        "fi_fi",  # not a field of this PUT: unchanged
    )
    assert got["address"]["address1"] == "Tekniikantie 2" and got["address"]["country"] == "FI"


def test_location_put_refuses_bad_fields_and_a_taken_name(api: httpx.Client, customer: dict[str, Any]) -> None:
    org = customer["orgId"]
    made = create(api, org, location_body("Espoo Office")).json()
    create(api, org, location_body("Oulu"))
    assert_webex_error(put_location(api, org, made["id"], {"timeZone": "Mars/Base"}), 400, "timeZone")
    assert_webex_error(put_location(api, org, made["id"], {"name": "oulu"}), 409, "already exists")
    refused = api.put(f"/locations/{made['id']}", params={"orgId": org}, json={"announcementLanguage": "fi_fi"})
    assert_webex_error(refused, 400, "announcementLanguage")
    assert api.put("/locations/nope", params={"orgId": org}, json={}).status_code == 404


def test_a_full_administrators_package_is_not_changed(api: httpx.Client, customer: dict[str, Any]) -> None:
    admin = subscriber_body(customer["id"], "admin.fi-1@example.fi")  # the customer's first administrator
    sub = send_checked(api, "POST", SUBSCRIBERS, admin).json()
    refused = send_checked(api, "PUT", f"{SUBSCRIBERS}/{sub['id']}", {"packages": ["webex_meetings"]})
    assert_webex_error(refused, 400, "full administrator")
    assert api.get(f"{SUBSCRIBERS}/{sub['id']}").json()["packages"] == ["webex_calling"]


def test_professional_to_standard_is_refused(api: httpx.Client, make_customer: Any) -> None:
    packages = ["webex_calling", "webex_calling_standard", "webex_meetings"]
    customer = make_customer("FI-2", packages=packages)
    sub = send_checked(api, "POST", SUBSCRIBERS, subscriber_body(customer["id"])).json()
    url = f"{SUBSCRIBERS}/{sub['id']}"
    refused = send_checked(api, "PUT", url, {"packages": ["webex_calling_standard"]})
    assert_webex_error(refused, 400, "Professional to Standard")
    assert refused.json()["errors"][0]["errorCode"] == 400112
    moved = send_checked(api, "PUT", url, {"packages": ["webex_meetings"]})
    assert moved.status_code == 200 and moved.json()["packages"] == ["webex_meetings"]


def test_calling_data_only_with_a_move_from_meetings_to_calling(api: httpx.Client, customer: dict[str, Any]) -> None:
    sub = send_checked(api, "POST", SUBSCRIBERS, subscriber_body(customer["id"])).json()
    body = {"packages": ["webex_meetings"], "provisioningParameters": {"extension": "3000"}}
    assert_webex_error(send_checked(api, "PUT", f"{SUBSCRIBERS}/{sub['id']}", body), 400, "provisioningParameters")


def test_customer_put_keeps_a_package_subscribers_hold(api: httpx.Client, customer: dict[str, Any]) -> None:
    send_checked(api, "POST", SUBSCRIBERS, subscriber_body(customer["id"], packages=["webex_meetings"]))
    url = f"/wholesale/customers/{customer['id']}"
    refused = send_checked(api, "PUT", url, {"packages": ["webex_calling"]})
    assert_webex_error(refused, 409, "webex_meetings")
    (held,) = state(api)["customers"]
    assert held["packages"] == ["webex_calling", "webex_meetings"] and held["status"] == "provisioned"
    added = send_checked(api, "PUT", url, {"packages": ["webex_calling", "webex_meetings", "webex_suite"]})
    assert added.status_code == 202 and added.headers["Location"].endswith(customer["id"])
