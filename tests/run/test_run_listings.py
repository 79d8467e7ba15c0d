"""An unchanged night reads org-wide listings, not one object at a time (issue 22 item 1), over real HTTP.

The samples are provisioned, then run again with ``--update``: every GET of the second run is counted from the
emulator's request log. Per customer org it must list its locations, its calling locations and its numbers once
each (the listings carry the main number and each number's location), and read no calling location or
location's numbers on their own. A calling listing that lags behind this run's writes must not make the next
run create or enable anything twice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS
from tests.run.test_run_e2e import SAMPLES, TOKEN, assert_no_duplicates, operator, run

#: The samples: 6 customer orgs, 5 of them with calling; 10 users rows name one role each, no two of them the
#: same role in the same org (10 listings of an org's holders of a role).
ORGS, CALLING_ORGS, ROLE_LISTINGS = 6, 5, 10
#: Reads a run makes once whatever the batch: the scope check (customers, subscribers, roles, the handshake of
#: one org, its numbers, a PSTN option, people) and the roles listing.
FIXED = 8
#: Paths under these read one object each (counted as ``prefix{id}``).
PER_OBJECT = ("/telephony/config/locations/", "/people/", "/organizations/", "/telephony/pstn/locations/")


def gets(entries: list[dict[str, Any]]) -> Counter[str]:
    """GETs by what they read: the path, and ``?locationId`` when a numbers listing is one location's."""
    counted: Counter[str] = Counter()
    for entry in entries:
        if entry["method"] != "GET":
            continue
        path = str(entry["path"]).removeprefix("/v1")
        path = next((prefix + "{id}" for prefix in PER_OBJECT if path.startswith(prefix)), path)
        if path == "/telephony/config/numbers" and "locationId" in parse_qs(entry["query"]):
            path += "?locationId"
        counted[path] += 1
    return counted


def test_an_unchanged_night_lists_each_org_once_per_kind(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        first = run([SAMPLES], tmp_path / "o1", base_url)
        assert first.exit_code == 0
        before = len(operator(base_url, "requests"))
        night = run([SAMPLES], tmp_path / "o2", base_url, update=True)
        entries = operator(base_url, "requests")[before:]
    assert night.exit_code == 0
    assert {r.status for r in night.results} == {EXISTS}
    assert [e for e in entries if e["method"] != "GET"] == []
    read = gets(entries)
    assert read["/locations"] == ORGS
    assert read["/telephony/config/locations"] == CALLING_ORGS
    assert read["/telephony/config/numbers"] == CALLING_ORGS + 1  # + the scope check's one read
    assert read["/telephony/config/locations/{id}"] == 0
    assert read["/telephony/config/numbers?locationId"] == 0
    assert read["/people/{id}"] == 0  # a row naming one role: the org's listing of that role answers it
    assert read["/people"] == ROLE_LISTINGS + 1  # + the scope check's one read
    # The listing bound: the customers (one page), each customer's subscribers (one page each), three listings
    # per calling org and one per other org, a listing per org and role named; plus each org's handshake, FIXED.
    bound = 1 + ORGS + 3 * CALLING_ORGS + (ORGS - CALLING_ORGS) + ROLE_LISTINGS
    assert sum(read.values()) == int(night.api["requests"])
    assert sum(read.values()) <= bound + ORGS + FIXED, read


def test_a_night_within_the_list_lag_creates_nothing_twice(tmp_path: Path) -> None:
    """The second run starts while the first run's customers, locations and calling locations are not listed
    yet: each is looked up again (patiently, or by GET) and found; nothing is created or enabled twice. (That a
    calling location the listing does not show is read by GET: tests/provision/test_org_listings.py.)"""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, list_lag_seconds=5.0, record_requests=True)
    with running_emulator(config) as base_url:
        first = run([SAMPLES], tmp_path / "o1", base_url)
        assert first.exit_code == 0
        before = len(operator(base_url, "requests"))
        again = run([SAMPLES], tmp_path / "o2", base_url)
        entries = operator(base_url, "requests")[before:]
        state = operator(base_url, "state")
    assert again.exit_code == 0, [(r.sheet, r.row, r.message) for r in again.results if r.status != EXISTS]
    assert not [r for r in again.results if r.status == CREATED]
    posts = Counter(str(e["path"]).removeprefix("/v1") for e in entries if e["method"] == "POST")
    assert posts["/telephony/config/locations"] == 0
    assert not [p for p in posts if p.endswith("/numbers")]
    assert_no_duplicates(state)
