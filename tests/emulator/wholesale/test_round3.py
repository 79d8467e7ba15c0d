"""Wholesale behaviours of webex-api.md §11 over real HTTP: provisioning that takes minutes of emulator time
(a speed factor and an injected clock, never a real wait), compliance review, a calling package in error,
the consent email, the partner's own org among the customers, prechecks that fail with a 200."""

from __future__ import annotations

import httpx

from tests.emulator.bodies import customer_body, subscriber_body
from tests.emulator.calls import assert_webex_error, served, state
from tests.emulator.conftest import FakeClock

CUSTOMERS = "/wholesale/customers"


def provision(api: httpx.Client, external_id: str) -> str:
    response = api.post(CUSTOMERS, json=customer_body(external_id))
    assert response.status_code == 202, response.text
    return str(response.headers["Location"])


def test_five_minutes_of_provisioning_pass_in_two_seconds_of_the_clock_at_speed_150() -> None:
    clock = FakeClock()
    with served(provisioning_seconds=300, speed=150, clock=clock) as api:
        url = provision(api, "FI-SLOW")
        clock.advance(1.9)
        assert api.get(url).json()["status"] == "provisioning"
        clock.advance(0.2)
        assert api.get(url).json()["status"] == "provisioned"


def test_by_default_provisioning_takes_webex_five_minutes() -> None:
    """The default is Webex's time (§11.3): 300 s of the clock at speed 1; nothing but the clock moves it."""
    clock = FakeClock()
    with served(clock=clock) as api:
        url = provision(api, "FI-DEFAULT")
        clock.advance(299)
        assert api.get(url).json()["status"] == "provisioning"
        clock.advance(2)
        assert api.get(url).json()["status"] == "provisioned"


def test_a_compliance_review_holds_provisioning_until_it_ends() -> None:
    clock = FakeClock()
    config = {"provisioning_seconds": 300, "review_customers": frozenset({"FI-RPL", "FI-FOREVER"}), "clock": clock}
    with served(review_seconds=3600, **config) as api:
        url = provision(api, "FI-RPL")
        assert api.get(url).json()["status"] == "pending_rpl_review" and "orgId" not in api.get(url).json()
        clock.advance(3599)
        assert api.get(url).json()["status"] == "pending_rpl_review"
        clock.advance(2)
        assert api.get(url).json()["status"] == "provisioning"
        clock.advance(300)
        assert api.get(url).json()["status"] == "provisioned"
    with served(**config) as api:  # review_seconds 0: a review with no end
        url = provision(api, "FI-FOREVER")
        clock.advance(10**7)
        assert api.get(url).json()["status"] == "pending_rpl_review"


def test_a_calling_package_in_error_leaves_the_customer_without_calling() -> None:
    with served(provisioning_seconds=0, customer_outcomes={"FI-2560": "calling_package_error"}) as api:
        url = provision(api, "FI-2560")
        customer = api.get(url, params={"includePackageLicenseInfo": "true"}).json()
        assert customer["status"] == "provisioned" and customer["orgId"]
        packages = {p["name"]: p for p in customer["resourceDetails"]["packages"]}
        calling = packages["webex_calling"]
        assert calling["status"] == "error" and calling["warnings"][0]["errorCode"] == 2560
        assert "licenseIds" not in calling and packages["webex_meetings"]["status"] == "provisioned"
        org = customer["orgId"]
        api.get(f"/organizations/{org}")
        hq = api.get("/locations", params={"orgId": org}).json()["items"][0]["id"]
        assert api.get(f"/telephony/config/locations/{hq}", params={"orgId": org}).status_code == 404
        enable = {"id": hq, **api.get(f"/locations/{hq}", params={"orgId": org}).json()}
        enable.update(address={**enable["address"], "state": "Uusimaa", "postalCode": "00510"})
        refused = api.post("/telephony/config/locations", params={"orgId": org}, json=enable)
        assert_webex_error(refused, 400, "webex_calling is in error")


def test_the_consent_email_goes_again_to_a_subscriber_waiting_for_it() -> None:
    config = {"provisioning_seconds": 0, "free_account_emails": frozenset({"free@example.fi"})}
    with served(**config) as api:
        customer = api.get(provision(api, "FI-FREE")).json()
        pending = api.post("/wholesale/subscribers", json=subscriber_body(customer["id"], "free@example.fi")).json()
        done = api.post("/wholesale/subscribers", json=subscriber_body(customer["id"], "paid@example.fi")).json()
        waiting = api.get("/wholesale/subscribers", params={"status": "pending_user_migration"}).json()["items"]
        assert [s["id"] for s in waiting] == [pending["id"]]
        for _ in range(2):
            assert api.post(f"/subscribers/{pending['id']}/emails/consentMove").status_code == 204
        assert_webex_error(api.post(f"/subscribers/{done['id']}/emails/consentMove"), 400, "not waiting")
        assert_webex_error(api.post("/subscribers/bm9wZQ/emails/consentMove"), 404, "not found")
        held = {s["id"]: s["consent_emails"] for s in state(api)["subscribers"]}
        assert held == {pending["id"]: 2, done["id"]: 0}


def test_the_partner_own_org_can_be_listed_among_the_customers() -> None:
    with served(provisioning_seconds=0, list_partner_org=True) as api:
        provision(api, "FI-1")
        me = api.get("/people/me").json()
        listed = api.get(CUSTOMERS).json()["items"]
        assert [c["orgId"] for c in listed][0] == me["orgId"] and len(listed) == 2
        assert [c["externalId"] for c in api.get(CUSTOMERS, params={"externalId": "FI-1"}).json()["items"]] == ["FI-1"]
        assert api.get(CUSTOMERS, params={"max": 1, "offset": 1}).json()["items"][0]["externalId"] == "FI-1"
    with served(provisioning_seconds=0) as api:
        provision(api, "FI-1")
        assert [c["externalId"] for c in api.get(CUSTOMERS).json()["items"]] == ["FI-1"]


def test_a_failed_precheck_can_answer_200_with_its_message() -> None:
    taken = customer_body("FI-1")
    with served(provisioning_seconds=0, precheck_failures_as_200=True) as api:
        provision(api, "FI-1")
        answer = api.post(f"{CUSTOMERS}/validate", json=taken)
        assert answer.status_code == 200 and answer.json()["message"] != "success"
        assert answer.json()["errors"][0]["errorCode"] == 10022
        fine = api.post(f"{CUSTOMERS}/validate", json=customer_body("FI-2"))
        assert fine.json()["message"] == "success"
    with served(provisioning_seconds=0) as api:
        provision(api, "FI-1")
        assert api.post(f"{CUSTOMERS}/validate", json=taken).status_code == 409


def test_a_sub_partners_customers_are_seen_only_on_its_behalf() -> None:
    scope = {"onBehalfOfSubPartnerOrgId": "U1VCUEFSVE5FUg"}
    with served(provisioning_seconds=0) as api:
        url = api.post(CUSTOMERS, json=customer_body("FI-SUB"), params=scope).headers["Location"]
        provision(api, "FI-OWN")
        customer = api.get(url, params=scope).json()
        assert api.get(url).status_code == 404
        assert [c["externalId"] for c in api.get(CUSTOMERS, params=scope).json()["items"]] == ["FI-SUB"]
        assert [c["externalId"] for c in api.get(CUSTOMERS).json()["items"]] == ["FI-OWN"]
        body = subscriber_body(customer["id"], "a@example.fi")
        assert_webex_error(api.post("/wholesale/subscribers", json=body), 400, "not a wholesale customer")
        sub = api.post("/wholesale/subscribers", json=body, params=scope).json()
        assert api.get(f"/wholesale/subscribers/{sub['id']}").status_code == 404
        assert api.get(f"/wholesale/subscribers/{sub['id']}", params=scope).status_code == 200
    with served(provisioning_seconds=0, sub_partner_scopes=False) as api:
        url = api.post(CUSTOMERS, json=customer_body("FI-SUB"), params=scope).headers["Location"]
        assert api.get(url).status_code == 200
