"""A location taken out of calling and deleted the way Webex requires (webex-lcs.json's safe-delete check and
disable-calling job; webex-locations.json's DELETE), with the refusals undo meets on the way."""

from __future__ import annotations

import httpx

from tests.emulator.bodies import location_body, subscriber_body
from tests.emulator.calls import LCS, LOC, assert_webex_error, create, enable, hq
from tests.openapi_check import checked

JOBS = "/telephony/config/jobs/locations/deleteCallingLocation"


def check(api: httpx.Client, org: str, location_id: str) -> httpx.Response:
    path = f"/telephony/config/locations/{location_id}/actions/precheckForDeletion/invoke"
    return checked(api, LCS, "POST", path, params={"orgId": org})


def disable(api: httpx.Client, org: str, location_id: str, **extra: object) -> httpx.Response:
    return checked(api, LCS, "POST", JOBS, json={"locationId": location_id, **extra}, params={"orgId": org})


def delete(api: httpx.Client, org: str, location_id: str) -> httpx.Response:
    return checked(api, LOC, "DELETE", f"/locations/{location_id}", params={"orgId": org})


def a_calling_location(api: httpx.Client, org: str, name: str = "Tampere") -> str:
    location_id = str(create(api, org, location_body(name=name)).json()["id"])
    assert enable(api, org, location_id, name=name).status_code in (200, 201), "enable calling"
    return location_id


def test_a_calling_location_is_disabled_by_its_job_then_deleted(api: httpx.Client, org: str) -> None:
    hq_id = str(hq(api, org)["id"])
    enable(api, org, hq_id)
    location_id = a_calling_location(api, org)
    assert_webex_error(delete(api, org, location_id), 409, "disable it for calling first")
    verdict = check(api, org, location_id)
    assert verdict.status_code == 200 and verdict.json()["locationDeleteStatus"] == "UNBLOCKED"
    started = disable(api, org, location_id, locationName="Tampere")
    assert started.status_code == 202 and started.json()["latestExecutionStatus"] == "COMPLETED"
    job = api.get(f"{JOBS}/{started.json()['id']}", params={"orgId": org})
    assert job.status_code == 200 and job.json()["locationName"] == "Tampere"
    assert [j["id"] for j in api.get(JOBS, params={"orgId": org}).json()["items"]] == [started.json()["id"]]
    assert delete(api, org, location_id).status_code == 204
    assert api.get(f"/locations/{location_id}", params={"orgId": org}).status_code == 404
    assert_webex_error(delete(api, org, location_id), 404)


def test_the_last_calling_location_or_one_with_users_is_blocked(api: httpx.Client, org: str) -> None:
    location_id = a_calling_location(api, org)
    customer_id = api.get("/wholesale/customers", params={"orgId": org}).json()["items"][0]["id"]
    params = {"firstName": "A", "lastName": "B", "extension": "2001", "locationId": location_id}
    added = api.post("/wholesale/subscribers", json=subscriber_body(customer_id, provisioningParameters=params))
    assert added.status_code in (200, 201, 202), added.text
    verdict = check(api, org, location_id).json()
    assert verdict["locationDeleteStatus"] == "BLOCKED" and verdict["blocking"]["usersInUseCount"] == 1
    assert_webex_error(disable(api, org, location_id), 409, "BLOCKED")
    other = a_calling_location(api, org, "Oulu")
    assert disable(api, org, str(hq(api, org)["id"])).status_code == 202  # Tampere and Oulu still call
    assert disable(api, org, location_id).status_code == 409
    assert check(api, org, other).json()["blocking"]["lastLocation"] is False
    assert disable(api, org, other).status_code == 202
    verdict = check(api, org, location_id).json()
    assert verdict["blocking"]["lastLocation"] is True and verdict["locationDeleteStatus"] == "BLOCKED"


def test_a_location_without_calling_needs_no_job_and_the_job_needs_a_calling_location(
    api: httpx.Client, org: str
) -> None:
    location_id = str(create(api, org, location_body(name="Oulu")).json()["id"])
    assert_webex_error(check(api, org, location_id), 404, "not a Webex Calling location")
    assert_webex_error(disable(api, org, location_id), 404, "not a Webex Calling location")
    assert_webex_error(api.post(JOBS, json={}, params={"orgId": org}), 400, "locationId")  # the spec needs it
    assert delete(api, org, location_id).status_code == 204
