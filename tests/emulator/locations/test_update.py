"""The emulator's ``PUT /locations/{id}`` (bodies checked against the official request schema)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import location_body
from tests.emulator.calls import LOC, assert_webex_error, create
from tests.openapi_check import checked


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
