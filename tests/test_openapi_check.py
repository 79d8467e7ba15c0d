"""The spec checker must be able to fail: valid and invalid bodies, path matching, and the skip without specs."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.openapi_check import SKIP_REASON, check_request, check_response, checked, match_path, require_specs

ADDRESS = {
    "address1": "Mannerheimintie 1",
    "city": "Helsinki",
    "state": "Uusimaa",
    "postalCode": "00100",
    "country": "FI",
}
LOCATION = {
    "name": "HQ",
    "timeZone": "Europe/Helsinki",
    "preferredLanguage": "en_us",
    "announcementLanguage": "fi_fi",
    "address": ADDRESS,
}


@pytest.fixture(autouse=True)
def _specs() -> None:
    require_specs()


def test_valid_request_body_passes() -> None:
    check_request("webex-locations", "POST", "/v1/locations?orgId=abc", LOCATION)


def test_invalid_request_body_lists_every_violation() -> None:
    body = {**LOCATION, "name": 7, "address": {k: v for k, v in ADDRESS.items() if k != "city"}}
    del body["timeZone"]
    with pytest.raises(AssertionError) as caught:
        check_request("webex-locations", "POST", "/locations", body)
    text = str(caught.value)
    assert "3 schema violation(s)" in text
    assert "'timeZone' is a required property" in text
    assert "name: 7 is not of type 'string'" in text
    assert "address: 'city' is a required property" in text


def test_valid_response_body_passes_and_refs_resolve() -> None:
    check_response("webex-roles", "GET", "/v1/roles", 200, {"items": [{"id": "cm9sZQ", "name": "Full Administrator"}]})


def test_invalid_response_body_fails_through_a_ref() -> None:
    with pytest.raises(AssertionError, match=r"items/0/name: 5 is not of type 'string'"):
        check_response("webex-roles", "GET", "/v1/roles", 200, {"items": [{"id": "x", "name": 5}]})


def test_wholesale_response_is_checked() -> None:
    with pytest.raises(AssertionError, match="url"):
        check_response("webex-wholesale", "POST", "/v1/wholesale/customers", 202, {"url": 12})


def test_status_without_schema_is_a_no_op() -> None:
    check_response("webex-locations", "POST", "/v1/locations", 409, {"anything": ["goes"]})
    check_response("webex-locations", "PUT", "/v1/locations/abc", 204, None)


def test_path_matching_prefers_literal_segments_and_strips_v1_query_and_host() -> None:
    assert match_path("webex-people", "/v1/people/me") == "/people/me"
    assert match_path("webex-people", "http://127.0.0.1:8765/v1/people/Y2lz?callingData=true") == "/people/{personId}"
    assert match_path("webex-wholesale", "/wholesale/customers/validate") == "/wholesale/customers/validate"
    assert match_path("webex-wholesale", "/v1/wholesale/customers/abc/") == "/wholesale/customers/{customerId}"
    assert match_path("webex-numbers", "/telephony/config/locations/{locationId}/numbers") == (
        "/telephony/config/locations/{locationId}/numbers"
    )


def test_unknown_path_or_method_is_an_error_not_a_silent_pass() -> None:
    with pytest.raises(AssertionError, match="no path in the spec"):
        check_response("webex-roles", "GET", "/v1/rolez", 200, {})
    with pytest.raises(AssertionError, match="not in the spec"):
        check_request("webex-roles", "POST", "/v1/roles", {})


def roles_server(body: object) -> httpx.Client:
    """A client whose every request gets ``body`` back as JSON (no network)."""
    return httpx.Client(
        base_url="http://emulator/v1", transport=httpx.MockTransport(lambda _: httpx.Response(200, json=body))
    )


def test_checked_sends_and_checks_both_ways() -> None:
    with roles_server({"items": [{"id": "x", "name": "Full Administrator"}]}) as client:
        assert checked(client, "webex-roles", "GET", "/roles").status_code == 200
    with roles_server({"items": [{"id": 1}]}) as client, pytest.raises(AssertionError, match="items/0/id"):
        checked(client, "webex-roles", "GET", "/roles")
    with roles_server({}) as client, pytest.raises(AssertionError, match="request body"):
        checked(client, "webex-locations", "POST", "/locations", json={"name": "no other fields"})


def test_checked_without_specs_only_sends(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RTM_SHARED", str(tmp_path / "missing"))
    with roles_server({"items": [{"id": 1}]}) as client:
        assert checked(client, "webex-roles", "GET", "/roles").json() == {"items": [{"id": 1}]}


def test_skips_when_the_spec_folder_is_absent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RTM_SHARED", str(tmp_path / "missing"))
    with pytest.raises(pytest.skip.Exception, match="official specs live beside the clone") as caught:
        require_specs()
    assert SKIP_REASON in str(caught.value)
    with pytest.raises(pytest.skip.Exception):
        check_response("webex-roles", "GET", "/v1/roles", 200, {"items": []})
