"""Org-level behaviours of webex-api.md §11 over real HTTP: customers this partner administrator was not
assigned (§11.18) and big ``callingData`` pages that time out (§11.9)."""

from __future__ import annotations

from tests.emulator.bodies import customer_body, subscriber_body
from tests.emulator.calls import assert_webex_error, served


def test_an_unassigned_customer_answers_403_for_good() -> None:
    with served(provisioning_seconds=0, unassigned_customers=frozenset({"FI-NOT-MINE"})) as api:
        mine = api.get(api.post("/wholesale/customers", json=customer_body("FI-MINE")).headers["Location"]).json()
        other = api.get(api.post("/wholesale/customers", json=customer_body("FI-NOT-MINE")).headers["Location"])
        for org in (mine["orgId"], other.json()["orgId"]):
            assert api.get(f"/organizations/{org}").status_code == 200  # the handshake
        assert api.get("/locations", params={"orgId": mine["orgId"]}).status_code == 200
        refused = api.get("/locations", params={"orgId": other.json()["orgId"]})
        assert_webex_error(refused, 403, "not assigned")


def test_calling_data_pages_over_the_cap_time_out() -> None:
    with served(provisioning_seconds=0, calling_data_max=10) as api:
        org = api.get(api.post("/wholesale/customers", json=customer_body("FI-1")).headers["Location"]).json()["orgId"]
        api.get(f"/organizations/{org}")
        assert_webex_error(api.get("/people", params={"orgId": org, "callingData": "true"}), 504, "reduce")
        assert api.get("/people", params={"orgId": org, "callingData": "true", "max": 10}).status_code == 200
        assert api.get("/people", params={"orgId": org, "max": 500}).status_code == 200  # without calling data


def test_a_location_filter_pages_by_50_and_may_answer_a_pseudo_item() -> None:
    with served(provisioning_seconds=0, location_pseudo_item=True) as api:
        customer = api.get(api.post("/wholesale/customers", json=customer_body("FI-1")).headers["Location"]).json()
        org = customer["orgId"]
        api.get(f"/organizations/{org}")
        hq = api.get("/locations", params={"orgId": org}).json()["items"][0]["id"]
        for i in range(55):
            params = {"firstName": "M", "lastName": "M", "extension": str(2000 + i)}
            body = subscriber_body(customer["id"], f"u{i}@example.fi", provisioningParameters=params)
            assert api.post("/wholesale/subscribers", json=body).status_code == 200
        first = api.get("/people", params={"orgId": org, "locationId": hq, "max": 100})
        assert len(first.json()["items"]) == 50 and 'rel="next"' in first.headers["Link"]
        empty = api.get("/people", params={"orgId": org, "locationId": "bm9uZQ"}).json()["items"]
        assert empty == [{"errors": {"peopleListLocationId": {"code": "404", "reason": ""}}}]
