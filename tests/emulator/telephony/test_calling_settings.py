"""``PUT /telephony/config/locations/{id}`` keeps what it sets, refuses a trunk that does not exist, and a
premises-based location shows its ``connection`` (webex-api.md §11, closing paragraph; webex-lcs.json)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.bodies import customer_body, location_body
from tests.emulator.calls import LCS, assert_webex_error, create, enable, hq
from tests.emulator.conftest import AUTH
from tests.openapi_check import checked

TRUNKS = "/telephony/config/premisePstn/trunks"
MAIN = "+358401231000"


def put(api: httpx.Client, org: str, location_id: str, body: dict[str, Any]) -> httpx.Response:
    return checked(api, LCS, "PUT", f"/telephony/config/locations/{location_id}", json=body, params={"orgId": org})


def details(api: httpx.Client, org: str, location_id: str) -> dict[str, Any]:
    return api.get(f"/telephony/config/locations/{location_id}", params={"orgId": org}).json()


def trunk(api: httpx.Client, org: str, location_id: str, name: str = "LGW") -> str:
    body = {"name": name, "locationId": location_id, "password": "Secret-1234", "trunkType": "REGISTERING"}
    response = api.post(TRUNKS, params={"orgId": org}, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_the_settings_a_put_sets_are_kept(api: httpx.Client, org: str) -> None:
    head = hq(api, org)["id"]
    before = details(api, org, head)
    settings = {
        "routingPrefix": "8001",
        "outsideDialDigit": "9",
        "enforceOutsideDialDigit": True,
        "externalCallerIdName": "Konepaja",
        "callingLineId": {"name": "Konepaja HQ"},
        "announcementLanguage": "en_us",
    }
    assert put(api, org, head, settings).status_code == 204
    got = details(api, org, head)
    assert {k: got[k] for k in settings if k != "callingLineId"} == {
        k: v for k, v in settings.items() if k != "callingLineId"
    }
    assert got["callingLineId"] == {"name": "Konepaja HQ"}
    assert {k: v for k, v in got.items() if k not in settings} == {k: v for k, v in before.items() if k not in settings}
    assert put(api, org, head, {"routingPrefix": "", "outsideDialDigit": ""}).status_code == 204  # cleared again
    assert (details(api, org, head)["routingPrefix"], details(api, org, head)["outsideDialDigit"]) == ("", "")


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"routingPrefix": "80a1"}, 400, "routingPrefix must be 2 to 7 digits"),
        ({"routingPrefix": "1"}, 400, "routingPrefix must be 2 to 7 digits"),
        ({"outsideDialDigit": "99"}, 400, "outsideDialDigit must be one digit"),
        ({"enforceOutsideDialDigit": "yes"}, 400, "enforceOutsideDialDigit"),
        ({"connection": {"type": "TRUNK", "id": "bm8tc3VjaC10cnVuaw"}}, 400, "not a TRUNK of this organization"),
        ({"connection": {"type": "ROUTE_GROUP", "id": "cmc"}}, 400, "not a ROUTE_GROUP of this organization"),
        ({"connection": {"type": "SIP", "id": "cmc"}}, 400, "connection.type"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    api: httpx.Client, org: str, body: dict[str, Any], status: int, fragment: str
) -> None:
    head = hq(api, org)["id"]
    before = details(api, org, head)
    assert_webex_error(
        api.put(f"/telephony/config/locations/{head}", params={"orgId": org}, json=body), status, fragment
    )
    assert details(api, org, head) == before


def test_a_routing_prefix_is_unique_in_the_org(api: httpx.Client, org: str) -> None:
    other = create(api, org, location_body("Turku")).json()["id"]
    enable(api, org, other, name="Turku")
    assert put(api, org, hq(api, org)["id"], {"routingPrefix": "8002"}).status_code == 204
    assert_webex_error(put(api, org, other, {"routingPrefix": "8002"}), 409, "8002", "already used")


def test_a_trunk_of_the_org_becomes_the_premises_connection(api: httpx.Client, org: str, make_customer: Any) -> None:
    head = hq(api, org)["id"]
    assert "connection" not in details(api, org, head)
    foreign_org = make_customer("FI-000999")["orgId"]
    foreign = trunk(api, foreign_org, hq(api, foreign_org)["id"])
    assert_webex_error(put(api, org, head, {"connection": {"type": "TRUNK", "id": foreign}}), 400, "not a TRUNK")
    ours = trunk(api, org, head)
    assert put(api, org, head, {"connection": {"type": "TRUNK", "id": ours}}).status_code == 204
    api.post(f"/telephony/config/locations/{head}/numbers", params={"orgId": org}, json={"phoneNumbers": [MAIN]})
    assert put(api, org, head, {"callingLineId": {"phoneNumber": MAIN}}).status_code == 204
    got = checked(api, LCS, "GET", f"/telephony/config/locations/{head}", params={"orgId": org})
    assert got.json()["connection"] == {"type": "TRUNK", "id": ours}
    pstn = api.get(f"/telephony/pstn/locations/{head}/connection", params={"orgId": org}).json()
    assert (pstn["pstnConnectionType"], pstn["routeType"], pstn["routeId"]) == ("LOCAL_GATEWAY", "TRUNK", ours)
    listed = api.get(TRUNKS, params={"orgId": org}).json()["trunks"]
    assert [(t["id"], t["inUse"], t["location"]["id"]) for t in listed] == [(ours, True, head)]


def test_trunk_creation_rules(api: httpx.Client, org: str) -> None:
    head = hq(api, org)["id"]
    trunk(api, org, head, "LGW")
    body = {"name": "lgw", "locationId": head, "password": "x", "trunkType": "REGISTERING"}
    assert_webex_error(api.post(TRUNKS, params={"orgId": org}, json=body), 409, "already exists")
    assert_webex_error(
        api.post(TRUNKS, params={"orgId": org}, json={**body, "name": "B", "password": None}), 400, "password"
    )
    assert_webex_error(
        api.post(TRUNKS, params={"orgId": org}, json={**body, "name": "C", "trunkType": "X"}), 400, "trunkType"
    )
    plain = create(api, org, location_body("No Calling")).json()["id"]
    assert_webex_error(
        api.post(TRUNKS, params={"orgId": org}, json={**body, "name": "D", "locationId": plain}), 400, "not enabled"
    )


def test_an_integrated_location_keeps_its_connection() -> None:
    """The calling PUT only sets TRUNK or ROUTE_GROUP connections (spec text): a Cisco Calling Plan location
    has no trunk to set."""
    config = EmulatorConfig(provisioning_seconds=0, rate=0, integrated_pstn_locations=frozenset({"pääkonttori"}))
    with running_emulator(config) as base_url, httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        org = api.get(api.post("/wholesale/customers", json=customer_body("FI-CCP")).headers["Location"]).json()[
            "orgId"
        ]
        api.get(f"/organizations/{org}")
        head = hq(api, org)["id"]
        ours = trunk(api, org, head)
        refused = put(api, org, head, {"connection": {"type": "TRUNK", "id": ours}})
        assert_webex_error(refused, 400, "integrated PSTN")
        assert "connection" not in details(api, org, head)
