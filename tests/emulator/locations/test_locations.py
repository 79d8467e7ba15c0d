"""Emulator contract: /v1/locations over real HTTP, checked against the specs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.bodies import location_body
from tests.emulator.calls import LOC, assert_webex_error, create, hq
from tests.openapi_check import checked


def test_create_then_get_and_list(api: httpx.Client, org: str) -> None:
    hq_name = hq(api, org)["name"]
    created = create(api, org, location_body(address={**location_body()["address"], "country": "fi"}))
    assert created.status_code == 201
    location_id = created.json()["id"]
    got = checked(api, LOC, "GET", f"/locations/{location_id}", params={"orgId": org}).json()
    assert got["name"] == "Espoo Office" and got["orgId"] == org and got["timeZone"] == "Europe/Helsinki"
    assert got["address"]["country"] == "FI" and got["announcementLanguage"] == "fi_fi"
    listed = checked(api, LOC, "GET", "/locations", params={"orgId": org}).json()["items"]
    assert [item["id"] for item in listed][-1] == location_id
    assert listed[0]["name"] == hq_name  # the wholesale-made HQ comes first


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"name": None}, "name is required"),
        ({"name": "   "}, "name must not be blank"),
        ({"name": 42}, "name must be a string"),
        ({"name": "x" * 257}, "at most 256"),
        ({"timeZone": None}, "timeZone is required"),
        ({"timeZone": "Mars/Olympus_Mons"}, "not a valid IANA time zone"),
        ({"preferredLanguage": None}, "preferredLanguage is required"),
        ({"announcementLanguage": "finnish"}, "announcementLanguage must be a language code"),
        ({"address": None}, "address is required"),
        ({"address": {"address1": "a", "city": "b", "postalCode": "1", "country": "FI"}}, "address.state is required"),
        ({"address": {"address1": "a", "city": "b", "state": "c", "country": "FI"}}, "address.postalCode"),
        ({"address": {"address1": "a", "city": "b", "state": "c", "postalCode": "1", "country": "FIN"}}, "2-letter"),
    ],
)
def test_create_rejects_bad_fields(api: httpx.Client, org: str, change: dict[str, Any], fragment: str) -> None:
    body = {k: v for k, v in {**location_body(), **change}.items() if v is not None}
    response = api.post("/locations", json=body, params={"orgId": org})
    assert_webex_error(response, 400, fragment)
    assert len(api.get("/locations", params={"orgId": org}).json()["items"]) == 1


def test_create_rejects_a_body_that_is_not_a_json_object(api: httpx.Client, org: str) -> None:
    assert_webex_error(api.post("/locations", content=b"[1]", params={"orgId": org}), 400, "JSON object")
    assert_webex_error(api.post("/locations", content=b"{nope", params={"orgId": org}), 400, "not valid JSON")


def test_duplicate_name_is_a_conflict_case_insensitively(api: httpx.Client, org: str) -> None:
    assert create(api, org, location_body("Tampere")).status_code == 201
    assert_webex_error(create(api, org, location_body("TAMPERE")), 409, "already exists")
    assert_webex_error(create(api, org, location_body(hq(api, org)["name"].upper())), 409, "already exists")


def test_same_name_in_another_org_is_fine(api: httpx.Client, org: str, make_customer: Any) -> None:
    other = make_customer("FI-000999")["orgId"]
    assert create(api, org, location_body("Oulu")).status_code == 201
    assert create(api, other, location_body("Oulu")).status_code == 201


def test_org_id_is_required_and_must_exist(api: httpx.Client, org: str) -> None:
    assert_webex_error(api.post("/locations", json=location_body()), 400, "orgId is required")
    assert_webex_error(api.get("/locations"), 400, "orgId is required")
    assert_webex_error(api.get("/locations", params={"orgId": "bm9wZQ"}), 404, "not found")


def test_get_unknown_or_foreign_location_is_404(api: httpx.Client, org: str, make_customer: Any) -> None:
    other = make_customer("FI-000999")["orgId"]
    foreign = create(api, other, location_body()).json()["id"]
    assert_webex_error(api.get(f"/locations/{foreign}", params={"orgId": org}), 404, "not found")
    assert_webex_error(api.get("/locations/bm9wZQ", params={"orgId": org}), 404, "not found")


def test_list_filters_by_name_fragment_and_id(api: httpx.Client, org: str) -> None:
    espoo = create(api, org, location_body("Espoo Office")).json()["id"]
    create(api, org, location_body("Lahti Depot"))
    by_name = api.get("/locations", params={"orgId": org, "name": "espoo"}).json()["items"]
    assert [item["id"] for item in by_name] == [espoo]
    by_id = api.get("/locations", params={"orgId": org, "id": espoo}).json()["items"]
    assert [item["name"] for item in by_id] == ["Espoo Office"]


def test_list_pages_with_link_next(api: httpx.Client, org: str) -> None:
    names = {hq(api, org)["name"]} | {f"Site {i}" for i in range(4)}
    for i in range(4):
        create(api, org, location_body(f"Site {i}"))
    seen: list[str] = []
    response = checked(api, LOC, "GET", "/locations", params={"orgId": org, "max": 2})
    while True:
        assert len(response.json()["items"]) <= 2
        seen += [item["name"] for item in response.json()["items"]]
        if "next" not in response.links:
            break
        response = checked(api, LOC, "GET", response.links["next"]["url"])
    assert len(seen) == len(names) and set(seen) == names
