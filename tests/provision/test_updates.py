"""``--update`` through the actions against a live emulator: each difference is applied with its own call
(bodies checked against the official schemas by the ``client`` fixture), a forbidden one changes nothing,
and an object that matches its row gets no write."""

from __future__ import annotations

import dataclasses

import pytest

from batch.jobs import CREATED, EXISTS, FAILED, UPDATED
from batch.provision.context import ActionContext
from batch.provision.customers import customer
from batch.provision.locations import hq, location, main_number, numbers
from tests.provision.conftest import (
    RecordingTransport,
    customer_job,
    hq_job,
    location_job,
    run_with,
    state,
)
from tests.provision.test_locations import TAMPERE, main_job, numbers_job, setup_tampere

pytestmark = pytest.mark.anyio


def later(ctx: ActionContext, *, update: bool) -> ActionContext:
    """The next night's run: nothing memoized, parents found (exists) rather than created."""
    after = ActionContext(ctx.client, poll_initial=0.01, update=update)
    after.outcomes.update({k: dataclasses.replace(o, status=EXISTS) for k, o in ctx.outcomes.items()})
    return after


def writes(recorder: RecordingTransport) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in recorder.sent if method != "GET"]


async def test_a_customer_gains_a_package_with_the_complete_list(ctx, emulator_url, recorder) -> None:
    assert (await run_with(ctx, customer, customer_job())).status == CREATED
    grown = customer_job(packages_list=["webex_calling", "webex_meetings", "webex_suite"])
    named = await run_with(later(ctx, update=False), customer, grown)
    assert (named.status, named.changes) == (
        EXISTS,
        ("packages: webex_calling;webex_meetings → webex_calling;webex_meetings;webex_suite",),
    )
    assert len(writes(recorder)) == 1  # the POST only
    done = await run_with(later(ctx, update=True), customer, grown)
    assert done.status == UPDATED, done.message
    (put,) = [body for method, _, body in recorder.sent if method == "PUT"]
    assert put["packages"] == ["webex_calling", "webex_meetings", "webex_suite"] and "address" not in put
    assert put["provisioningParameters"]["calling"]["location"]["name"] == "Pääkonttori"
    (held,) = state(emulator_url)["customers"]
    assert held["packages"] == ["webex_calling", "webex_meetings", "webex_suite"] and held["status"] == "provisioned"
    again = await run_with(later(ctx, update=True), customer, grown)
    assert again.status == EXISTS and len(writes(recorder)) == 2


async def test_the_package_level_is_never_changed(ctx, emulator_url, recorder) -> None:
    await run_with(ctx, customer, customer_job())
    outcome = await run_with(later(ctx, update=True), customer, customer_job(packages_list=["webex_meetings"]))
    assert outcome.status == FAILED and "package level is webex_calling" in outcome.message
    assert outcome.ids["customer_id"]  # the customer is there: the rows under it go on
    assert writes(recorder) == [("POST", "/v1/wholesale/customers")]


async def test_a_moved_location_and_headquarters_are_put_whole(ctx, emulator_url, recorder) -> None:
    await setup_tampere(ctx)
    nxt = later(ctx, update=True)
    moved = location_job(address_line1="Hatanpään valtatie 30", announcement_language="sv_se")
    outcome = await run_with(nxt, location, moved)
    assert outcome.status == UPDATED, outcome.message
    assert outcome.changes == (
        "address_line1: Hatanpään valtatie 24 → Hatanpään valtatie 30",
        "announcement_language: fi_fi → sv_se",
    )
    (loc,) = [x for x in state(emulator_url)["locations"] if x["name"] == "Tampereen tehdas"]
    assert loc["address"]["address1"] == "Hatanpään valtatie 30" and loc["announcement_language"] == "sv_se"
    assert loc["address"]["postalCode"] == "33100"  # what the row leaves blank or keeps is not cleared
    puts = [path for method, path in writes(recorder) if method == "PUT"]
    assert puts == [f"/v1/locations/{loc['id']}", f"/v1/telephony/config/locations/{loc['id']}"]

    nxt.outcomes[customer_job().key] = dataclasses.replace(nxt.outcomes[customer_job().key], status=EXISTS)
    moved_hq = dataclasses.replace(
        hq_job(), fields={**hq_job().fields, "address_line1": "Hämeentie 99", "city": "Helsinki"}
    )
    found = await run_with(nxt, hq, moved_hq)
    assert found.status == UPDATED and found.changes == ("address_line1: Mannerheimintie 12 B → Hämeentie 99",)
    same = await run_with(later(nxt, update=True), hq, moved_hq)
    assert same.status == EXISTS and len([m for m, _ in writes(recorder) if m == "PUT"]) == 3


async def test_a_changed_main_number_waits_for_update_but_unfinished_work_is_done(ctx, emulator_url) -> None:
    await setup_tampere(ctx)
    await run_with(ctx, numbers, numbers_job(TAMPERE))
    await run_with(ctx, main_number, main_job(TAMPERE[0]))
    named = await run_with(later(ctx, update=False), main_number, main_job(TAMPERE[1]))
    assert (named.status, named.changes) == (EXISTS, (f"main_number: {TAMPERE[0]} → {TAMPERE[1]}",))
    (loc,) = [x for x in state(emulator_url)["locations"] if x["name"] == "Tampereen tehdas"]
    assert loc["main_number"] == TAMPERE[0]
    done = await run_with(later(ctx, update=True), main_number, main_job(TAMPERE[1]))
    assert done.status == UPDATED, done.message

    # a numbers job the journal saw fail is the row's unfinished setup, not a change: done without --update
    unfinished = later(ctx, update=False)
    unfinished.unfinished = frozenset({numbers_job(TAMPERE).key})
    extra = [*TAMPERE, "+358356552009"]
    finished = await run_with(unfinished, numbers, numbers_job(extra))
    assert (finished.status, finished.changes) == (CREATED, ())
