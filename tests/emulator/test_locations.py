"""Emulator contract: /v1/locations and /v1/telephony/config/locations over real HTTP, checked against the specs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.openapi_check import check_response, checked, require_specs

LOC = "webex-locations"
LCS = "webex-lcs"


def location_body(name: str = "Espoo Office", **overrides: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "timeZone": "Europe/Helsinki",
        "preferredLanguage": "en_us",
        "announcementLanguage": "fi_fi",
        "address": {
            "address1": "Keilaranta 1",
            "city": "Espoo",
            "state": "Uusimaa",
            "postalCode": "02150",
            "country": "FI",
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
def org(make_customer: Any) -> str:
    return make_customer()["orgId"]


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


# ---- calling enablement and main number -------------------------------------------------------------


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
