"""Org-level behaviours of webex-api.md §11 over real HTTP: customers this partner administrator was not
assigned (§11.18) and big ``callingData`` pages that time out (§11.9)."""

from __future__ import annotations

from tests.emulator.bodies import customer_body
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
