"""Location behaviours of webex-api.md §11 over real HTTP: ``address2: ""`` refused (§11.11, on by default)
and at most 100 locations a page (§11.9)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.bodies import customer_body, location_body
from tests.emulator.calls import assert_webex_error, create, served


def test_an_empty_address2_is_refused_by_enabling_calling_and_the_put(api: httpx.Client, org: str) -> None:
    empty = {**location_body()["address"], "address2": ""}
    location_id = create(api, org, location_body("Espoo", address=empty)).json()["id"]  # POST /locations takes it
    enable = {"id": location_id, **location_body("Espoo", address=empty)}
    assert_webex_error(api.post("/telephony/config/locations", params={"orgId": org}, json=enable), 400, "address2")
    put = api.put(f"/locations/{location_id}", params={"orgId": org}, json={"address": empty})
    assert_webex_error(put, 400, "address2")
    fine = {**enable, "address": {**empty, "address2": None}}
    assert api.post("/telephony/config/locations", params={"orgId": org}, json=fine).status_code == 201


def test_an_empty_address2_is_an_option() -> None:
    with served(provisioning_seconds=0, refuse_empty_address2=False) as api:
        org = api.get(api.post("/wholesale/customers", json=customer_body("FI-1")).headers["Location"]).json()["orgId"]
        api.get(f"/organizations/{org}")
        empty = {**location_body()["address"], "address2": ""}
        location_id = create(api, org, location_body("Espoo")).json()["id"]
        assert api.put(f"/locations/{location_id}", params={"orgId": org}, json={"address": empty}).status_code == 204


def test_locations_come_at_most_100_a_page_with_a_link_to_the_rest(api: httpx.Client, org: str) -> None:
    for i in range(105):
        create(api, org, location_body(f"Site {i:03}"))
    first = api.get("/locations", params={"orgId": org, "max": 500})
    items: list[dict[str, Any]] = first.json()["items"]
    assert len(items) == 100 and "next" in first.links  # shorter than asked, and not the end
    rest = api.get(first.links["next"]["url"])
    assert len(rest.json()["items"]) == 6 and "next" not in rest.links  # 105 + the HQ
