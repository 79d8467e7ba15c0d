"""The package-change rules of the customer and subscriber PUTs (bodies checked against the official request
schemas)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import subscriber_body
from tests.emulator.calls import assert_webex_error, state
from tests.emulator.conftest import send_checked

SUBSCRIBERS = "/wholesale/subscribers"


@pytest.fixture
def customer(make_customer: Any) -> dict[str, Any]:
    return make_customer("FI-1")


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
