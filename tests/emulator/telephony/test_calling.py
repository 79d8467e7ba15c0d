"""Emulator contract: /v1/telephony/config/locations (calling enablement, main number) over real HTTP, checked
against the specs."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.bodies import location_body
from tests.emulator.calls import LCS, assert_webex_error, create, enable, hq
from tests.openapi_check import check_response, checked, require_specs


def test_enable_calling_then_list_and_get(api: httpx.Client, org: str) -> None:
    hq_name = hq(api, org)["name"]
    location_id = create(api, org, location_body("Turku")).json()["id"]
    # No schema check here: without a main number ``callingLineId.phoneNumber`` is absent (spec: required).
    listed = api.get("/telephony/config/locations", params={"orgId": org}).json()["locations"]
    assert location_id not in {item["id"] for item in listed}
    assert_webex_error(api.get(f"/telephony/config/locations/{location_id}", params={"orgId": org}), 404, "not enabled")
    response = enable(api, org, location_id, name="Turku")
    assert response.status_code == 201 and response.json() == {"id": location_id}
    listed = api.get("/telephony/config/locations", params={"orgId": org}).json()["locations"]
    assert {item["name"] for item in listed} == {hq_name, "Turku"}
    got = api.get(f"/telephony/config/locations/{location_id}", params={"orgId": org}).json()
    assert got["id"] == location_id and got["name"] == "Turku" and got["announcementLanguage"] == "fi_fi"


def test_enable_calling_twice_is_a_conflict(api: httpx.Client, org: str) -> None:
    location_id = create(api, org, location_body("Pori")).json()["id"]
    assert enable(api, org, location_id, name="Pori").status_code == 201
    assert_webex_error(enable(api, org, location_id, name="Pori"), 409, "already enabled")


def test_enable_calling_checks_the_location_and_the_80_character_limit(api: httpx.Client, org: str) -> None:
    long_name = "L" * 81
    location_id = create(api, org, location_body(long_name)).json()["id"]  # fine without calling
    assert_webex_error(enable(api, org, location_id, name=long_name), 400, "at most 80")
    assert_webex_error(enable(api, org, "bm9wZQ"), 404, "not found")
    body = {"id": location_id, **location_body(long_name[:80])}
    del body["timeZone"]
    assert_webex_error(
        api.post("/telephony/config/locations", json=body, params={"orgId": org}), 400, "timeZone is required"
    )


def test_main_number_must_belong_to_the_location(api: httpx.Client, org: str) -> None:
    location_id = hq(api, org)["id"]
    path = f"/telephony/config/locations/{location_id}"
    body = {"callingLineId": {"phoneNumber": "+358401110001"}}
    assert_webex_error(
        checked(api, LCS, "PUT", path, json=body, params={"orgId": org}),
        400,
        "+358401110001",
        "not a number of location",
    )
    api.post(f"{path}/numbers", json={"phoneNumbers": ["+358401110001", "+358401110002"]}, params={"orgId": org})
    assert checked(api, LCS, "PUT", path, json=body, params={"orgId": org}).status_code == 204
    got = api.get(path, params={"orgId": org}).json()
    assert got["callingLineId"]["phoneNumber"] == "+358401110001"
    numbers = api.get("/telephony/config/numbers", params={"orgId": org}).json()["phoneNumbers"]
    assert {n["phoneNumber"]: n["mainNumber"] for n in numbers} == {"+358401110001": True, "+358401110002": False}
    listed = checked(api, LCS, "GET", "/telephony/config/locations", params={"orgId": org}).json()["locations"]
    assert listed[0]["callingLineId"]["phoneNumber"] == "+358401110001"


def test_main_number_from_another_location_is_rejected(api: httpx.Client, org: str) -> None:
    other = create(api, org, location_body("Vaasa")).json()["id"]
    enable(api, org, other, name="Vaasa")
    api.post(
        f"/telephony/config/locations/{other}/numbers", json={"phoneNumbers": ["+358401110009"]}, params={"orgId": org}
    )
    path = f"/telephony/config/locations/{hq(api, org)['id']}"
    response = api.put(path, json={"callingLineId": {"phoneNumber": "+358401110009"}}, params={"orgId": org})
    assert_webex_error(response, 400, "+358401110009")


def test_put_on_a_location_without_calling_is_404(api: httpx.Client, org: str) -> None:
    location_id = create(api, org, location_body("Kotka")).json()["id"]
    response = api.put(
        f"/telephony/config/locations/{location_id}", json={"announcementLanguage": "en_us"}, params={"orgId": org}
    )
    assert_webex_error(response, 404, "not enabled")


def test_calling_location_matches_the_spec_except_the_trunk_connection(api: httpx.Client, org: str) -> None:
    """An integrated-PSTN location has no trunk, yet the spec marks ``connection`` required: the one gap."""
    require_specs()
    path = f"/telephony/config/locations/{hq(api, org)['id']}"
    api.post(f"{path}/numbers", json={"phoneNumbers": ["+358401110003"]}, params={"orgId": org})
    api.put(path, json={"callingLineId": {"phoneNumber": "+358401110003"}}, params={"orgId": org})
    body = api.get(path, params={"orgId": org}).json()
    with pytest.raises(AssertionError) as caught:
        check_response(LCS, "GET", path, 200, body)
    assert "1 schema violation(s)" in str(caught.value) and "'connection' is a required property" in str(caught.value)
    check_response(LCS, "GET", path, 200, {**body, "connection": {"type": "TRUNK", "id": "dHJ1bms"}})


def test_calling_locations_page_by_start_and_max(api: httpx.Client, org: str) -> None:
    for name in ("Rauma", "Salo"):
        enable(api, org, create(api, org, location_body(name)).json()["id"], name=name)
    first = api.get("/telephony/config/locations", params={"orgId": org, "max": 2})
    assert len(first.json()["locations"]) == 2 and "next" in first.links
    rest = api.get(first.links["next"]["url"])
    assert [item["name"] for item in rest.json()["locations"]] == ["Salo"] and "next" not in rest.links
    only_salo = api.get("/telephony/config/locations", params={"orgId": org, "name": "sal"}).json()["locations"]
    assert [item["name"] for item in only_salo] == ["Salo"]
