"""Telephony behaviours of webex-api.md §11 over real HTTP: a location without calling may answer 400
(§11.13), a routing-prefix change may answer 206 with a job (§11.13), the announcement languages and their
change (§11.12), the add-numbers codes validateNumbers uses (§11.14)."""

from __future__ import annotations

import httpx

from tests.emulator.bodies import customer_body, location_body
from tests.emulator.calls import assert_webex_error, create, enable, hq, served
from tests.openapi_check import checked

LCS = "webex-lcs"


def managed_org(api: httpx.Client) -> str:
    org = api.get(api.post("/wholesale/customers", json=customer_body("FI-1")).headers["Location"]).json()["orgId"]
    api.get(f"/organizations/{org}").raise_for_status()
    return str(org)


def test_a_location_without_calling_can_answer_400() -> None:
    for status in (404, 400):
        with served(provisioning_seconds=0, no_calling_status=status) as api:
            org = managed_org(api)
            plain = create(api, org, location_body("Plain")).json()["id"]
            answer = api.get(f"/telephony/config/locations/{plain}", params={"orgId": org})
            assert_webex_error(answer, status, "not enabled for Webex Calling")


def test_a_routing_prefix_change_can_answer_206_with_a_finished_job() -> None:
    with served(provisioning_seconds=0, routing_prefix_job=True) as api:
        org = managed_org(api)
        head = hq(api, org)["id"]
        path = f"/telephony/config/locations/{head}"
        answer = checked(api, LCS, "PUT", path, json={"routingPrefix": "8100"}, params={"orgId": org})
        assert answer.status_code == 206
        job_id = answer.json()["batchJobId"]
        job = checked(api, LCS, "GET", f"/telephony/config/jobs/updateRoutingPrefix/{job_id}", params={"orgId": org})
        assert job.json()["latestExecutionStatus"] == "COMPLETED"
        assert api.get(path, params={"orgId": org}).json()["routingPrefix"] == "8100"
        same = api.put(path, params={"orgId": org}, json={"routingPrefix": "8100", "outsideDialDigit": "0"})
        assert same.status_code == 204  # no change of prefix, no job
        listed = api.get("/telephony/config/jobs/updateRoutingPrefix", params={"orgId": org}).json()["items"]
        assert [j["id"] for j in listed] == [job_id]


def test_announcement_languages_are_listed_and_a_location_changes_its_own(api: httpx.Client, org: str) -> None:
    codes = {lang["code"] for lang in api.get("/telephony/config/announcementLanguages").json()["languages"]}
    assert {"en_us", "fi_fi", "sv_se"} <= codes
    head = hq(api, org)["id"]
    invoke = f"/telephony/config/locations/{head}/actions/modifyAnnouncementLanguage/invoke"
    changed = checked(api, LCS, "POST", invoke, json={"announcementLanguageCode": "sv_se"}, params={"orgId": org})
    assert changed.status_code == 204
    assert (
        api.get(f"/telephony/config/locations/{head}", params={"orgId": org}).json()["announcementLanguage"] == "sv_se"
    )
    refused = api.post(invoke, params={"orgId": org}, json={"announcementLanguageCode": "xx_yy"})
    assert_webex_error(refused, 400, "not a supported announcement language")


def test_adding_a_number_of_another_location_can_answer_in_use() -> None:
    with served(provisioning_seconds=0, numbers_in_use_code=True) as api:
        org = managed_org(api)
        other = create(api, org, location_body("Espoo")).json()["id"]
        enable(api, org, other, name="Espoo")
        api.post(
            f"/telephony/config/locations/{other}/numbers",
            params={"orgId": org},
            json={"phoneNumbers": ["+358401238001"]},
        )
        answer = api.post(
            f"/telephony/config/locations/{hq(api, org)['id']}/numbers",
            params={"orgId": org},
            json={"phoneNumbers": ["+358401238001"]},
        )
        [error] = answer.json()[0]["errors"]
        assert (answer.status_code, error["errorCode"]) == (400, "8363")
        assert error["errorMessage"] == "[Error 8363] DN is in use : +358401238001"
