"""Calls to a live emulator that several test modules make (made here once, so the tests read as the flow)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.bodies import location_body
from tests.openapi_check import checked

LOC = "webex-locations"
LCS = "webex-lcs"


def state(api: httpx.Client) -> dict[str, Any]:
    """The emulator's operator view of every object."""
    return api.get(str(api.base_url).removesuffix("/v1/") + "/_emulator/state").json()


def create(api: httpx.Client, org: str, body: dict[str, Any]) -> httpx.Response:
    return checked(api, LOC, "POST", "/locations", json=body, params={"orgId": org})


def assert_webex_error(response: httpx.Response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["trackingId"] and body["errors"][0]["description"] == body["message"]
    for fragment in fragments:
        assert fragment in body["message"], body["message"]


def hq(api: httpx.Client, org: str) -> dict[str, Any]:
    """The wholesale-made HQ: the first location of the org."""
    return api.get("/locations", params={"orgId": org}).json()["items"][0]


def enable(api: httpx.Client, org: str, location_id: str, **overrides: Any) -> httpx.Response:
    body = {"id": location_id, **location_body(**overrides)}
    return checked(api, LCS, "POST", "/telephony/config/locations", json=body, params={"orgId": org})
