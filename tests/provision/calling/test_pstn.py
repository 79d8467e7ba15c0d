"""PSTN before numbers (issue 9 item 2, webex-api.md §10.4) against a live emulator over real HTTP.

The emulator accepts numbers on an integrated-PSTN location (as the real API does, to the location's harm),
so only the client's own check keeps them off it: these tests fail if that check goes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.emulator.telephony.pstn import OPTIONS
from batch.jobs import CREATED, EXISTS, FAILED, Job, Kind
from batch.provision.locations import numbers
from tests.provision.conftest import context_on, run_with, state
from tests.provision.test_locations import EXT, TAMPERE, child, locations_named, rerun_of, setup_tampere

pytestmark = pytest.mark.anyio

NON_INTEGRATED = OPTIONS[1]["displayName"]  # "Emulated CCP (non-integrated)"


@pytest.fixture(scope="module")
def integrated_url() -> Iterator[str]:
    """Tampereen tehdas comes up on Cisco Calling Plan (the provider brings its numbers)."""
    config = EmulatorConfig(provisioning_seconds=0, rate=0, integrated_pstn_locations=frozenset({"Tampereen tehdas"}))
    with running_emulator(config) as url:
        yield url


def pstn_job(wanted: list[str], **fields: str) -> Job:
    return child(Kind.NUMBERS, "numbers", f"location:{EXT}/tampereen tehdas", {"numbers": wanted, **fields})


async def test_numbers_are_refused_on_an_integrated_pstn_location_and_nothing_is_sent(integrated_url) -> None:
    async with context_on(integrated_url) as ctx:
        made = await setup_tampere(ctx)
        outcome = await run_with(ctx, numbers, pstn_job(TAMPERE))
        assert outcome.status == FAILED
        assert "is on Cisco Calling Plan" in outcome.message and "none were sent" in outcome.message
        assert outcome.ids == made.ids
        world = state(integrated_url)
        assert [n for n in world["numbers"] if n["location_id"] == made.ids["location_id"]] == []


async def test_an_integrated_connection_is_not_changed_either(integrated_url) -> None:
    async with context_on(integrated_url) as ctx:
        await setup_tampere(ctx)
        outcome = await run_with(ctx, numbers, pstn_job(TAMPERE, pstn_connection=NON_INTEGRATED))
        assert outcome.status == FAILED and "cannot be changed" in outcome.message
        assert state(integrated_url)["numbers"] == []


async def test_pstn_connection_is_set_and_read_back_before_numbers(ctx, emulator_url, recorder) -> None:
    made = await setup_tampere(ctx)
    job = pstn_job(TAMPERE[:2], pstn_connection=NON_INTEGRATED.upper(), numbers_state="inactive")
    outcome = await run_with(ctx, numbers, job)
    assert outcome.status == CREATED, outcome.message
    (loc,) = locations_named(emulator_url, "Tampereen tehdas")
    assert loc["pstn_id"] == OPTIONS[1]["id"]
    held = [n for n in state(emulator_url)["numbers"] if n["location_id"] == made.ids["location_id"]]
    assert sorted(n["phone_number"] for n in held) == TAMPERE[:2] and {n["state"] for n in held} == {"INACTIVE"}
    order = [(m, p.rsplit("/", 1)[-1]) for m, p, _ in recorder.sent]
    assert order[-2:] == [("PUT", "connection"), ("POST", "numbers")]  # the PUT before the numbers
    again = await run_with(rerun_of(ctx), numbers, job)
    assert (again.status, again.attempts) == (EXISTS, 2)  # the listing, the connection read; nothing written


async def test_an_unknown_pstn_connection_names_the_options(ctx, emulator_url) -> None:
    await setup_tampere(ctx)
    outcome = await run_with(ctx, numbers, pstn_job(TAMPERE[:1], pstn_connection="Telia SIP"))
    assert outcome.status == FAILED
    assert "pstn_connection Telia SIP is not a PSTN connection option" in outcome.message
    assert NON_INTEGRATED in outcome.message
    assert state(emulator_url)["numbers"] == []


async def test_a_premises_connection_without_a_trunk_is_refused_by_the_server(ctx, emulator_url) -> None:
    await setup_tampere(ctx)
    outcome = await run_with(ctx, numbers, pstn_job(TAMPERE[:1], pstn_connection="Premises-based PSTN"))
    assert outcome.status == FAILED and "premiseRouteId" in outcome.message and outcome.tracking_id
    assert state(emulator_url)["numbers"] == []
