"""Location actions against a live emulator: create once, find on re-runs, numbers and main number, lost answers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS, FAILED, Job, Kind, Outcome
from batch.provision.context import ActionContext
from batch.provision.customers import customer
from batch.provision.fields.bodies import numbers_bodies
from batch.provision.locations import calling, hq, location, location_ref, main_number, numbers
from tests.provision.conftest import context_on, customer_job, hq_job, location_fields, location_job, run_with, state

pytestmark = pytest.mark.anyio

EXT = "FI-100101"
TAMPERE = [f"+35835655200{i}" for i in range(4)]
HQ_NUMBERS = ["+358942451000", "+358942451001"]


def child(kind: Kind, prefix: str, parent: str, fields: dict[str, Any], name: str = "tampereen tehdas") -> Job:
    """A job under a location (calling, numbers, main number), as the planner makes it."""
    refs = {"customer": f"customer:{EXT}", "location": parent}
    return Job(f"{prefix}:{EXT}/{name}", kind, "locations", 2, (parent,), refs, fields)


def calling_job() -> Job:
    return child(Kind.CALLING, "calling", f"location:{EXT}/tampereen tehdas", location_fields())


def numbers_job(
    wanted: list[str], parent: str = f"location:{EXT}/tampereen tehdas", name: str = "tampereen tehdas"
) -> Job:
    return child(Kind.NUMBERS, "numbers", parent, {"numbers": wanted}, name)


def main_job(main: str, parent: str = f"location:{EXT}/tampereen tehdas") -> Job:
    return child(Kind.MAIN_NUMBER, "main", parent, {"main_number": main})


def locations_named(base_url: str, name: str) -> list[dict[str, Any]]:
    return [loc for loc in state(base_url)["locations"] if loc["name"].casefold() == name.casefold()]


async def setup_org(ctx: ActionContext) -> None:
    """A provisioned calling customer and its HQ, as parents for the location jobs."""
    for action, job in ((customer, customer_job(EXT)), (hq, hq_job(EXT))):
        outcome = await run_with(ctx, action, job)
        assert outcome.ok, outcome.message


async def setup_tampere(ctx: ActionContext) -> Outcome:
    await setup_org(ctx)
    made = await run_with(ctx, location, location_job())
    enabled = await run_with(ctx, calling, calling_job())
    assert made.status == enabled.status == CREATED, (made.message, enabled.message)
    return made


@pytest.fixture(scope="module")
def lossy_url() -> Iterator[str]:
    """Every write is applied but its answer is lost (a 502 or a dropped connection)."""
    with running_emulator(EmulatorConfig(provisioning_seconds=0, rate=0, lost_response_rate=1.0, seed=5)) as url:
        yield url


async def test_location_is_created_then_found(ctx, emulator_url, recorder) -> None:
    await setup_org(ctx)
    outcome = await run_with(ctx, location, location_job())
    assert outcome.status == CREATED, outcome.message
    (made,) = locations_named(emulator_url, "Tampereen tehdas")
    assert outcome.ids == {"location_id": made["id"]}
    # No state in a Finnish address: the city stands in, as Webex requires address.state.
    assert made["address"]["state"] == "Tampere"
    (post,) = [body for method, path, body in recorder.sent if path == "/v1/locations"]
    assert post["announcementLanguage"] == "fi_fi" and post["address"]["country"] == "FI"
    assert "address2" not in post["address"]

    total = len(state(emulator_url)["locations"])
    rerun = ActionContext(ctx.client, poll_initial=0.01)
    rerun.outcomes.update(ctx.outcomes)
    again = await run_with(rerun, location, location_job("TAMPEREEN TEHDAS"))  # names match in any case
    assert (again.status, again.ids) == (EXISTS, outcome.ids)
    assert len(state(emulator_url)["locations"]) == total


async def test_location_created_elsewhere_meanwhile_is_found_after_409(ctx, emulator_url) -> None:
    await setup_org(ctx)
    other = ActionContext(ctx.client, poll_initial=0.01)
    other.outcomes.update(ctx.outcomes)
    made = await run_with(other, location, location_job())  # ctx's listing (loaded by hq) does not hold it
    outcome = await run_with(ctx, location, location_job())
    assert (outcome.status, outcome.ids) == (EXISTS, made.ids)
    assert len(locations_named(emulator_url, "Tampereen tehdas")) == 1


async def test_location_without_postal_code_fails_before_sending(ctx, recorder) -> None:
    await setup_org(ctx)
    sent = len(recorder.sent)
    outcome = await run_with(ctx, location, location_job(postal_code=None))
    assert outcome.status == FAILED
    assert "fill in postal_code (Webex requires it)" in outcome.message
    assert len(recorder.sent) == sent


def ref_job(name: str) -> Job:
    ckey = f"customer:{EXT}"
    key = f"location:{EXT}/{name.casefold()}"
    return Job(key, Kind.LOCATION_REF, "locations", None, (ckey,), {"customer": ckey}, {"location_name": name})


async def test_location_ref_finds_or_explains(ctx) -> None:
    made = await setup_tampere(ctx)
    found = await run_with(ctx, location_ref, ref_job("tampereen TEHDAS"))
    assert (found.status, found.ids) == (EXISTS, made.ids)
    missing = await run_with(ctx, location_ref, ref_job("Vaasa"))
    assert missing.status == FAILED
    assert f"location Vaasa of customer {EXT} is neither in this batch nor on the server" in missing.message


def rerun_of(ctx: ActionContext) -> ActionContext:
    """A later run: nothing memoized, and the parents (customer, HQ, location) found rather than created."""
    later = ActionContext(ctx.client, poll_initial=0.01)
    later.outcomes.update({key: dataclasses.replace(o, status=EXISTS) for key, o in ctx.outcomes.items()})
    return later


async def test_calling_is_enabled_once(ctx, emulator_url) -> None:
    made = await setup_tampere(ctx)
    assert ctx.outcomes[calling_job().key].attempts == 1  # a location made by this run: no look-up first
    (loc,) = locations_named(emulator_url, "Tampereen tehdas")
    assert loc["calling_enabled"] is True
    again = await run_with(rerun_of(ctx), calling, calling_job())
    assert (again.status, again.ids) == (EXISTS, made.ids)
    assert again.attempts == 1  # one GET, no POST
    resumed = await run_with(ctx, calling, calling_job())  # the location "created": POST, 409, look-up
    assert (resumed.status, resumed.attempts) == (EXISTS, 2)


async def test_numbers_added_once_and_only_the_missing(ctx, emulator_url, recorder) -> None:
    made = await setup_tampere(ctx)
    first = await run_with(ctx, numbers, numbers_job(TAMPERE[:2]))
    assert (first.status, first.attempts) == (CREATED, 2)  # a new location: no listing; its PSTN read, the POST
    later = rerun_of(ctx)  # the row gained numbers: what the location lacks is created, without --update (§2)
    outcome = await run_with(later, numbers, numbers_job(TAMPERE))
    assert (outcome.status, outcome.changes) == (CREATED, ()), outcome.message
    assert outcome.message == f"added numbers {TAMPERE[2]}, {TAMPERE[3]}"
    posted = [body for method, path, body in recorder.sent if path.endswith("/numbers")]
    assert [body["phoneNumbers"] for body in posted] == [TAMPERE[:2], TAMPERE[2:]]
    held = {n["phone_number"] for n in state(emulator_url)["numbers"] if n["location_id"] == made.ids["location_id"]}
    assert held == set(TAMPERE)
    again = await run_with(later, numbers, numbers_job(TAMPERE))
    assert (again.status, again.attempts) == (EXISTS, 1)
    assert len(state(emulator_url)["numbers"]) == len(TAMPERE)


async def test_number_of_another_location_is_named(ctx) -> None:
    await setup_tampere(ctx)
    await run_with(ctx, numbers, numbers_job(TAMPERE[:1]))
    hq_parent = f"hq:{EXT}"
    outcome = await run_with(ctx, numbers, numbers_job([HQ_NUMBERS[0], TAMPERE[0]], hq_parent, "pääkonttori"))
    assert outcome.status == FAILED
    assert outcome.message == (
        f"number {TAMPERE[0]} belongs to location Tampereen tehdas "
        f"([Error 8363] DN is in use : {TAMPERE[0]}); "  # another location of this org (§11.14)
        f"remove it from this row's numbers or release it in Control Hub; added: {HQ_NUMBERS[0]}"
    )
    assert outcome.error_code == 8363 and outcome.tracking_id


async def test_number_of_another_organization_is_named(ctx, emulator_url) -> None:
    await setup_tampere(ctx)
    await run_with(ctx, numbers, numbers_job(TAMPERE[:1]))
    other_ext = "FI-OTHER"
    other = await run_with(ctx, customer, customer_job(other_ext))
    other_hq = await run_with(ctx, hq, hq_job(other_ext))
    refs = {"customer": f"customer:{other_ext}", "location": f"hq:{other_ext}"}
    job = Job(f"numbers:{other_ext}/pääkonttori", Kind.NUMBERS, "customers", 2, (), refs, {"numbers": TAMPERE[:1]})
    outcome = await run_with(ctx, numbers, job)
    assert other.ok and other_hq.ok
    assert outcome.status == FAILED
    assert f"number {TAMPERE[0]} is used by another organization" in outcome.message


async def test_main_number_set_once(ctx, emulator_url) -> None:
    made = await setup_tampere(ctx)
    await run_with(ctx, numbers, numbers_job(TAMPERE))
    outcome = await run_with(ctx, main_number, main_job(TAMPERE[1]))
    assert outcome.status == CREATED, outcome.message
    (loc,) = locations_named(emulator_url, "Tampereen tehdas")
    assert loc["main_number"] == TAMPERE[1]
    again = await run_with(ctx, main_number, main_job(TAMPERE[1]))
    assert (again.status, again.ids) == (EXISTS, made.ids)


async def test_a_later_run_reads_a_locations_calling_settings_once_for_calling_and_main_number(ctx) -> None:
    """A nightly run where everything exists: the calling job's GET also tells the main-number job the
    current main number, so the pair costs one request, not two (900 per night at bench-sync's size)."""
    await setup_tampere(ctx)
    await run_with(ctx, numbers, numbers_job(TAMPERE))
    assert (await run_with(ctx, main_number, main_job(TAMPERE[1]))).status == CREATED
    later = rerun_of(ctx)
    stats = later.client.stats
    before = stats.requests
    enabled = await run_with(later, calling, calling_job())
    main = await run_with(later, main_number, main_job(TAMPERE[1]))
    assert (enabled.status, main.status) == (EXISTS, EXISTS), (enabled.message, main.message)
    assert stats.requests - before == 1
    before = stats.requests  # a changed main number is still compared with the server's
    moved = await run_with(later, main_number, main_job(TAMPERE[2]))
    assert moved.status == EXISTS and "main_number" in moved.message, moved.message
    assert stats.requests == before  # the memo still holds the settings; nothing written without --update


async def test_main_number_not_in_location_fails_with_fix(ctx) -> None:
    await setup_tampere(ctx)
    outcome = await run_with(ctx, main_number, main_job(TAMPERE[3]))
    assert outcome.status == FAILED
    assert f"{TAMPERE[3]} must be one of the numbers of location" in outcome.message
    assert outcome.tracking_id


def test_toll_free_numbers_are_sent_as_such() -> None:
    bodies = numbers_bodies(["+18005550100", "+358942451000"])
    assert bodies == [
        {"phoneNumbers": ["+358942451000"], "numberType": "DID", "state": "ACTIVE"},
        {"phoneNumbers": ["+18005550100"], "numberType": "TOLLFREE", "state": "ACTIVE"},
    ]


async def test_lost_answers_make_each_object_once(lossy_url) -> None:
    async with context_on(lossy_url) as ctx:
        await setup_org(ctx)
        for action, job in (
            (location, location_job()),
            (calling, calling_job()),
            (numbers, numbers_job(TAMPERE)),
            (main_number, main_job(TAMPERE[0])),
        ):
            outcome = await run_with(ctx, action, job)
            assert outcome.status == CREATED, (job.key, outcome.message)
        world = state(lossy_url)
        assert len(world["customers"]) == 1
        (loc,) = [loc for loc in world["locations"] if loc["name"] == "Tampereen tehdas"]
        assert loc["calling_enabled"] and loc["main_number"] == TAMPERE[0]
        assert sorted(n["phone_number"] for n in world["numbers"]) == TAMPERE
        assert ctx.client.stats.ambiguous >= 5  # customer, location, calling, numbers, main number
