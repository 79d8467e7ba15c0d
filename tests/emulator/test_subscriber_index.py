"""The per-customer subscriber index: a listing by customer is exactly what a full scan finds, in its order.

Over real HTTP through creates, deletes, a customer's removal, reset, list lag and a restart from a state
file; then a property test drives ``EmulatorState`` through random sequences of the same operations (and
save/load round trips) and compares the index with a full scan after each step.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from batch.emulator import EmulatorConfig, persist, running_emulator
from batch.emulator.records import Customer, Subscriber, now_iso
from batch.emulator.state import EmulatorState
from tests.emulator.bodies import customer_body, subscriber_body
from tests.emulator.conftest import FakeClock, checked_client

SUBSCRIBERS = "/wholesale/subscribers"


def paged(api: httpx.Client, **params: Any) -> list[str]:
    """Subscriber ids of a listing, read three at a time by ``offset`` (the wholesale paging)."""
    ids: list[str] = []
    while True:
        page = api.get(SUBSCRIBERS, params={**params, "max": 3, "offset": len(ids)})
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        ids += [s["id"] for s in items]
        if len(items) < 3:
            return ids


def scanned(api: httpx.Client, customer_id: str, **params: Any) -> list[str]:
    """The same listing found by the full scan: every subscriber, filtered here."""
    everything = api.get(SUBSCRIBERS, params={**params, "max": 100}).json()["items"]
    return [s["id"] for s in everything if s["customerId"] == customer_id]


def assert_listings(api: httpx.Client, customer: dict[str, Any], expected: list[str]) -> None:
    """By id and by external id, both sort orders, and with a status filter: what the scan finds."""
    assert paged(api, customerId=customer["id"]) == expected == scanned(api, customer["id"])
    assert paged(api, externalCustomerId=customer["externalId"]) == expected
    assert paged(api, customerId=customer["id"], sortOrder="DESC") == expected[::-1]
    assert paged(api, customerId=customer["id"], status="provisioned") == expected


def meetings_subscriber(api: httpx.Client, customer_id: str, email: str) -> str:
    response = api.post(SUBSCRIBERS, json=subscriber_body(customer_id, email, packages=["webex_meetings"]))
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def test_listing_by_customer_follows_creates_deletes_removal_and_reset(api: httpx.Client, make_customer: Any) -> None:
    a, b = make_customer("FI-A"), make_customer("FI-B")
    made: dict[str, list[str]] = {a["id"]: [], b["id"]: []}
    for i in range(7):  # interleaved, as a concurrent run leaves them
        for c in (a, b):
            made[c["id"]].append(meetings_subscriber(api, c["id"], f"u{i}.{c['externalId'].lower()}@example.fi"))
    assert_listings(api, a, made[a["id"]])
    assert_listings(api, b, made[b["id"]])
    assert paged(api, customerId=a["id"], email=f"u0.{b['externalId'].lower()}@example.fi") == []
    assert paged(api, externalCustomerId="FI-404") == []

    for gone in (made[a["id"]].pop(2), made[b["id"]].pop(0), made[a["id"]].pop()):
        assert api.delete(f"{SUBSCRIBERS}/{gone}").status_code == 204
    made[a["id"]].append(meetings_subscriber(api, a["id"], "late@example.fi"))
    assert_listings(api, a, made[a["id"]])
    assert_listings(api, b, made[b["id"]])

    assert api.delete(f"/wholesale/customers/{b['id']}").status_code == 202  # removed at the next request
    assert paged(api, customerId=b["id"]) == [] == scanned(api, b["id"])
    assert_listings(api, a, made[a["id"]])

    api.post(str(api.base_url).removesuffix("/v1/") + "/_emulator/reset").raise_for_status()
    again = make_customer("FI-A")
    assert again["id"] == a["id"]  # ids restart from the seed: stale index entries would show up here
    assert paged(api, customerId=a["id"]) == []
    fresh = [meetings_subscriber(api, a["id"], "after.reset@example.fi")]
    assert_listings(api, again, fresh)


def test_a_new_subscriber_shows_in_its_customers_listing_only_after_the_list_lag() -> None:
    clock = FakeClock()
    config = EmulatorConfig(provisioning_seconds=0, rate=0, list_lag_seconds=30, clock=clock)
    with running_emulator(config) as base_url, checked_client(base_url) as api:
        created = api.post("/wholesale/customers", json=customer_body("FI-LAG"))
        customer = api.get(created.headers["Location"]).json()
        clock.advance(31)
        sub = meetings_subscriber(api, customer["id"], "lagging@example.fi")
        assert paged(api, customerId=customer["id"]) == [] == scanned(api, customer["id"])
        clock.advance(31)
        assert paged(api, customerId=customer["id"]) == [sub] == scanned(api, customer["id"])


def test_a_restarted_emulator_lists_each_customers_subscribers_as_before(tmp_path: Path) -> None:
    config = EmulatorConfig(provisioning_seconds=0, rate=0, state_file=str(tmp_path / "state.json"))
    with running_emulator(config) as base_url, checked_client(base_url) as api:
        customers = [
            api.get(api.post("/wholesale/customers", json=customer_body(f"FI-{n}")).headers["Location"]).json()
            for n in range(3)
        ]
        made = {
            c["id"]: [meetings_subscriber(api, c["id"], f"u{i}.{n}@example.fi") for i in range(4)]
            for n, c in enumerate(customers)
        }
        first = customers[0]["id"]
        assert api.delete(f"{SUBSCRIBERS}/{made[first].pop(1)}").status_code == 204
    with running_emulator(config) as base_url, checked_client(base_url) as api:
        for c in customers:
            assert_listings(api, c, made[c["id"]])
        made[first].append(meetings_subscriber(api, first, "after.restart@example.fi"))
        assert api.delete(f"{SUBSCRIBERS}/{made[first].pop(0)}").status_code == 204
        for c in customers:
            assert_listings(api, c, made[c["id"]])


# ---- property: the index equals a full scan after any sequence of operations ---------------------------


def _customer(state: EmulatorState, n: int) -> Customer:
    stamp = now_iso()
    return Customer(
        id=state.new_id("CUSTOMER"),
        external_id=f"P-{n}",
        org_id=None,
        status="provisioned",
        packages=["webex_meetings"],
        customer_info={},
        address={},
        provisioning_id="p",
        provisioning_parameters={},
        errors=[],
        ready_at=None,
        outcome=None,
        created=stamp,
        last_status_change=stamp,
    )


def _subscriber(state: EmulatorState, customer_id: str, n: int) -> Subscriber:
    stamp = now_iso()
    return Subscriber(
        id=state.new_id("SUBSCRIBER"),
        customer_id=customer_id,
        org_id="",
        person_id=None,
        email=f"p{n}@example.fi",
        package="webex_meetings",
        status="provisioned",
        location_id=None,
        primary_phone_number=None,
        extension=None,
        first_name="",
        last_name="",
        created=stamp,
        last_status_change=stamp,
    )


class SubscriberIndex(RuleBasedStateMachine):
    """Random creates, deletes, customer removals, resets and save/load round trips."""

    @initialize()
    def start(self) -> None:
        self.state = EmulatorState(seed=7)
        self.seen: set[str] = set()  # every customer id ever used (removed ones too: their listing is empty)
        self.made = 0

    @rule()
    def add_customer(self) -> None:
        customer = _customer(self.state, self.made)
        self.made += 1
        self.state.add_customer(customer)
        self.seen.add(customer.id)

    @rule(pick=st.integers(min_value=0), count=st.integers(min_value=1, max_value=4))
    def add_subscribers(self, pick: int, count: int) -> None:
        customers = list(self.state.customers)
        if customers:
            for _ in range(count):
                self.state.add_subscriber(_subscriber(self.state, customers[pick % len(customers)], self.made))
                self.made += 1

    @rule(pick=st.integers(min_value=0))
    def remove_subscriber(self, pick: int) -> None:
        subscribers = list(self.state.subscribers)
        if subscribers:
            self.state.remove_subscriber(subscribers[pick % len(subscribers)])

    @rule(pick=st.integers(min_value=0))
    def remove_customer(self, pick: int) -> None:
        customers = list(self.state.customers)
        if customers:
            self.state.remove_customer(customers[pick % len(customers)])

    @rule()
    def reset(self) -> None:
        self.state.reset()

    @rule()
    def save_and_load(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "state.json"
            persist.save(self.state, path, 0.0)
            loaded = EmulatorState(seed=7)
            assert persist.load(loaded, path, 0.0)
        self.state = loaded

    @invariant()
    def index_equals_a_full_scan(self) -> None:
        listed = 0
        for cid in self.seen:
            scan = [s for s in self.state.subscribers.values() if s.customer_id == cid]
            assert self.state.subscribers_of(cid) == scan
            listed += len(scan)
        assert listed == len(self.state.subscribers)


SubscriberIndex.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_subscriber_index_equals_a_full_scan = SubscriberIndex.TestCase
