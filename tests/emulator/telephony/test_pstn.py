"""The emulator's PSTN routes and ``GET /organizations/{orgId}`` (webex-pstn.json; webex-api.md §10.1, §10.4).

Requests and answers are checked against the official PSTN spec by ``checked``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.emulator.telephony.pstn import OPTIONS
from tests.emulator.bodies import customer_body
from tests.emulator.calls import assert_webex_error, hq
from tests.emulator.conftest import AUTH
from tests.openapi_check import checked

PSTN = "webex-pstn"


def connection(api: httpx.Client, org: str, location_id: str) -> httpx.Response:
    path = f"/telephony/pstn/locations/{location_id}/connection"
    return checked(api, PSTN, "GET", path, params={"orgId": org})


def test_a_new_location_has_no_connection_until_one_is_set(api: httpx.Client, make_customer: Any) -> None:
    org = make_customer()["orgId"]
    head = hq(api, org)["id"]
    assert_webex_error(connection(api, org, head), 404, "No PSTN connection")
    options = checked(api, PSTN, "GET", f"/telephony/pstn/locations/{head}/connectionOptions", params={"orgId": org})
    names = [o["displayName"] for o in options.json()["items"]]
    assert names == [o["displayName"] for o in OPTIONS] and "type" not in options.json()["items"][0]
    ccp = OPTIONS[1]["id"]
    put = checked(
        api, PSTN, "PUT", f"/telephony/pstn/locations/{head}/connection", json={"id": ccp}, params={"orgId": org}
    )
    assert put.status_code == 204
    got = connection(api, org, head).json()
    assert (got["id"], got["pstnConnectionType"]) == (ccp, "NON_INTEGRATED_CCP")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"id": OPTIONS[3]["id"]}, "not supported using the API"),
        ({"id": OPTIONS[0]["id"]}, "premiseRouteId"),
        ({"id": "bm9wZQ"}, "not a PSTN connection option"),
    ],
)
def test_connections_the_api_cannot_set(api: httpx.Client, make_customer: Any, body: dict, fragment: str) -> None:
    org = make_customer()["orgId"]
    head = hq(api, org)["id"]
    response = api.put(f"/telephony/pstn/locations/{head}/connection", json=body, params={"orgId": org})
    assert_webex_error(response, 400, fragment)


def test_a_premises_connection_with_its_trunk_is_set() -> None:
    config = EmulatorConfig(provisioning_seconds=0, rate=0)
    with running_emulator(config) as base_url, httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        url = api.post("/wholesale/customers", json=customer_body("FI-LGW")).headers["Location"]
        org = api.get(url).json()["orgId"]
        assert api.get(f"/locations?orgId={org}").status_code == 403  # not managed yet (§10.1)
        assert api.get(f"/organizations/{org}").status_code == 200  # (no spec for it in ../shared)
        head = hq(api, org)["id"]
        body = {"id": OPTIONS[0]["id"], "premiseRouteType": "TRUNK", "premiseRouteId": "VFJVTksx"}
        path = f"/telephony/pstn/locations/{head}/connection"
        assert checked(api, PSTN, "PUT", path, json=body, params={"orgId": org}).status_code == 204
        got = connection(api, org, head).json()
        assert (got["pstnConnectionType"], got["routeType"], got["routeId"]) == (
            "LOCAL_GATEWAY",
            "TRUNK",
            "VFJVTksx",
        )


def test_integrated_locations_come_up_on_cisco_calling_plan() -> None:
    config = EmulatorConfig(provisioning_seconds=0, rate=0, integrated_pstn_locations=frozenset({"pääkonttori"}))
    with running_emulator(config) as base_url, httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as api:
        url = api.post("/wholesale/customers", json=customer_body("FI-CCP")).headers["Location"]
        org = api.get(url).json()["orgId"]
        api.get(f"/organizations/{org}").raise_for_status()
        head = hq(api, org)["id"]
        assert connection(api, org, head).json()["pstnConnectionType"] == "CISCO_PSTN"
