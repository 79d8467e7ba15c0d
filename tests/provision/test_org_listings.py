"""The org-wide listings the location jobs share (issue 22 item 1), against a live emulator over real HTTP.

A later run answers every location's calling, main-number and numbers questions from one calling-locations
listing and one numbers listing of the org; what this run writes makes those listings stale for that location,
so later look-ups ask the server; and a calling location the listing does not show yet (lists lag) is read by
GET before anything is enabled again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS, Kind
from batch.provision.locations import calling, main_number, numbers
from batch.provision.lookups import calling_settings, listed_numbers
from tests.provision.conftest import context_on, run_with, state
from tests.provision.test_locations import (
    EXT,
    HQ_NUMBERS,
    TAMPERE,
    calling_job,
    child,
    main_job,
    numbers_job,
    rerun_of,
    setup_tampere,
)

pytestmark = pytest.mark.anyio

HQ_PARENT = f"hq:{EXT}"


@pytest.fixture(scope="module")
def lagging_url() -> Iterator[str]:
    """New locations and calling locations show up in lists only a minute later (webex-api.md §10.8)."""
    with running_emulator(EmulatorConfig(provisioning_seconds=0, rate=0, list_lag_seconds=60.0)) as url:
        yield url


async def test_a_later_run_answers_every_location_from_two_org_listings(ctx) -> None:
    """HQ and Tampere, each with calling, numbers and a main number: a later run where all exist costs the
    calling-locations listing and the numbers listing of the org, nothing per location."""
    await setup_tampere(ctx)
    hq_numbers = child(Kind.NUMBERS, "numbers", HQ_PARENT, {"numbers": HQ_NUMBERS}, "pääkonttori")
    hq_main = child(Kind.MAIN_NUMBER, "main", HQ_PARENT, {"main_number": HQ_NUMBERS[0]}, "pääkonttori")
    for action, job in (
        (numbers, numbers_job(TAMPERE)),
        (main_number, main_job(TAMPERE[0])),
        (numbers, hq_numbers),
        (main_number, hq_main),
    ):
        outcome = await run_with(ctx, action, job)
        assert outcome.status == CREATED, outcome.message
    later = rerun_of(ctx)
    before = later.client.stats.requests
    jobs = [
        (calling, calling_job()),
        (numbers, numbers_job(TAMPERE)),
        (main_number, main_job(TAMPERE[0])),
        (numbers, hq_numbers),
        (main_number, hq_main),
    ]
    outcomes = [await run_with(later, action, job) for action, job in jobs]
    assert [o.status for o in outcomes] == [EXISTS] * len(jobs), [o.message for o in outcomes]
    assert later.client.stats.requests - before == 2


async def test_numbers_this_run_adds_are_seen_by_its_later_look_ups(ctx) -> None:
    """The org's numbers listing was read before the numbers job added Tampere's: a user's look-up after it
    must see them (a stale listing would fail the user's number as not in the location)."""
    made = await setup_tampere(ctx)
    org_id, location_id = ctx.ids(f"customer:{EXT}")["org_id"], made.ids["location_id"]
    assert await listed_numbers(ctx, org_id, location_id) == set()  # the org's listing, memoized
    assert (await run_with(ctx, numbers, numbers_job(TAMPERE[:2]))).status == CREATED
    assert await listed_numbers(ctx, org_id, location_id) == set(TAMPERE[:2])


async def test_a_main_number_this_run_sets_is_read_back_from_the_server(ctx) -> None:
    """The calling listing (loaded before the PUT) holds the old main number; this run's next look-up asks."""
    made = await setup_tampere(ctx)
    org_id, location_id = ctx.ids(f"customer:{EXT}")["org_id"], made.ids["location_id"]
    await run_with(ctx, numbers, numbers_job(TAMPERE))
    later = rerun_of(ctx)
    line = ((await calling_settings(later, org_id, location_id)) or {}).get("callingLineId") or {}
    assert "phoneNumber" not in line  # from the org's calling listing
    later_main = await run_with(later, main_number, main_job(TAMPERE[1]))
    assert later_main.status == CREATED, later_main.message
    line = ((await calling_settings(later, org_id, location_id)) or {}).get("callingLineId") or {}
    assert line.get("phoneNumber") == TAMPERE[1]


async def test_a_calling_location_the_listing_does_not_show_yet_is_read_not_enabled_again(lagging_url) -> None:
    async with context_on(lagging_url) as ctx:
        made = await setup_tampere(ctx)  # calling enabled now: listed only a minute later
        later = rerun_of(ctx)
        before = later.client.stats.requests
        again = await run_with(later, calling, calling_job())
        assert (again.status, again.ids) == (EXISTS, made.ids), again.message
        assert later.client.stats.requests - before == 2  # the org's calling listing, then the location's GET
        org_id = ctx.ids(f"customer:{EXT}")["org_id"]
        assert await calling_settings(later, org_id, made.ids["location_id"])  # the GET is memoized for the run
        assert later.client.stats.requests - before == 2
        locations = [loc for loc in state(lagging_url)["locations"] if loc["name"] == "Tampereen tehdas"]
        assert len(locations) == 1 and locations[0]["calling_enabled"] is True
