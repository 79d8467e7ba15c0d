"""Customer actions against a live emulator: provision once, find on re-runs, survive lost answers and 409s."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

import httpx
import pytest

from batch.api.client import ClientConfig, WebexClient
from batch.emulator import EmulatorConfig, running_emulator
from batch.errors import AuthError
from batch.jobs import CREATED, EXISTS, FAILED, Job, Kind
from batch.provision.context import ActionContext
from batch.provision.customers import customer, customer_ref
from batch.provision.fields.bodies import customer_body
from batch.provision.locations import hq
from tests.api.test_client_quirks import FakeTime, Headers
from tests.provision.conftest import context_on, customer_job, emulator_root, hq_job, run_with, state

pytestmark = pytest.mark.anyio

OUTCOMES = MappingProxyType({"FI-ERR": "error", "FI-PWE": "provisioned_with_errors"})


def listings(base_url: str) -> int:
    """How many times the wholesale customers were listed (any page, any filter)."""
    stats = httpx.get(emulator_root(base_url) + "/_emulator/stats", timeout=10).json()
    return sum(stats["routes"].get("GET /v1/wholesale/customers", {}).values())


def counts(base_url: str) -> dict[str, int]:
    return {table: len(rows) for table, rows in state(base_url).items() if table != "roles"}


def ref_job(external_id: str) -> Job:
    return Job(f"customer:{external_id}", Kind.CUSTOMER_REF, "customers", None, fields={"external_id": external_id})


@pytest.fixture(scope="module")
def slow_url() -> Iterator[str]:
    """Provisioning takes 0.2 s, and two customers end badly."""
    config = EmulatorConfig(provisioning_seconds=0.2, rate=0, customer_outcomes=OUTCOMES)
    with running_emulator(config) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def lossy_url() -> Iterator[str]:
    """Every write is applied but its answer is lost (a 502 or a dropped connection)."""
    with running_emulator(EmulatorConfig(provisioning_seconds=0, rate=0, lost_response_rate=1.0, seed=11)) as url:
        yield url


async def test_customer_is_provisioned_then_found(ctx, run_job, emulator_url, recorder) -> None:
    outcome = await run_job(customer, customer_job("FI-100101"))
    assert outcome.status == CREATED, outcome.message
    (created,) = state(emulator_url)["customers"]
    assert outcome.ids == {"customer_id": created["id"], "org_id": created["org_id"]}
    assert created["status"] == "provisioned"
    (post,) = [body for method, _, body in recorder.sent if method == "POST"]
    assert post["externalId"] == "FI-100101"
    assert post["customerInfo"] == {
        "name": "Mäkelän Konepaja Oy",
        "primaryEmail": "it.tuki.fi-100101@makelankonepaja.fi",
        "language": "fi",
    }
    assert post["provisioningParameters"]["calling"]["location"] == {
        "name": "Pääkonttori",
        "address": post["address"],
        "timezone": "Europe/Helsinki",
        "language": "fi_fi",
        "emergencyLocationIdentifier": "MKP-HKI-01",
    }
    assert "stateOrProvince" not in post["address"]  # a blank cell is left out, not sent as ""

    before = counts(emulator_url)
    rerun = ActionContext(ctx.client, poll_initial=0.01)  # a second run: nothing remembered
    again = await run_with(rerun, customer, customer_job("FI-100101"))
    assert again.status == EXISTS
    assert again.ids == outcome.ids
    assert again.attempts == 2  # the one listing, then GET /organizations/{orgId} (the managed-org handshake)
    assert counts(emulator_url) == before


async def test_one_listing_serves_every_customer_job(ctx, run_job, emulator_url) -> None:
    await run_job(customer, customer_job("FI-1"))
    await run_job(customer, customer_job("FI-2"))
    assert listings(emulator_url) == 3  # one listing, and ?externalId= for each before its POST (§10.6)
    rerun = ActionContext(ctx.client, poll_initial=0.01)
    outcomes = [await run_with(rerun, customer, customer_job(ext)) for ext in ("FI-1", "FI-2")]
    assert [o.status for o in outcomes] == [EXISTS, EXISTS]
    assert listings(emulator_url) == 4


async def test_customer_without_calling_sends_no_calling_location(run_job, recorder) -> None:
    job = customer_job("FI-MEET", packages_list=["webex_meetings"], calling=False, hq_location_name=None)
    outcome = await run_job(customer, job)
    assert outcome.status == CREATED, outcome.message
    (post,) = [body for method, _, body in recorder.sent if method == "POST"]
    assert "provisioningParameters" not in post


async def test_customer_waits_until_provisioned(slow_url) -> None:
    async with context_on(slow_url) as ctx:
        outcome = await run_with(ctx, customer, customer_job("FI-SLOW"))
        assert outcome.status == CREATED, outcome.message
        assert outcome.ids["org_id"]
        assert outcome.attempts > 3  # listing, POST, then several polls: they are the job's attempts
        (created,) = state(slow_url)["customers"]
        assert created["status"] == "provisioned"


async def test_existing_customer_still_provisioning_is_waited_for(slow_url) -> None:
    async with context_on(slow_url) as first:
        body = customer_job("FI-SLOW").fields
        written = await first.client.write("POST", "/wholesale/customers", json=customer_body(body))
        assert written.status == 202
        outcome = await run_with(first, customer, customer_job("FI-SLOW"))
        assert outcome.status == EXISTS, outcome.message
        assert outcome.ids["org_id"] == state(slow_url)["customers"][0]["org_id"]


@pytest.mark.parametrize(
    ("ext", "status", "has_org"), [("FI-ERR", "error", False), ("FI-PWE", "provisioned_with_errors", True)]
)
async def test_failed_provisioning_lists_the_errors(slow_url, ext, status, has_org) -> None:
    async with context_on(slow_url) as ctx:
        outcome = await run_with(ctx, customer, customer_job(ext))
        assert outcome.status == FAILED
        assert f"customer {ext} provisioning ended {status}" in outcome.message
        assert "[2560]" in outcome.message and "status.webex.com" in outcome.message
        assert "Partner Hub" in outcome.message
        assert outcome.error_code == 2560
        assert ("org_id" in outcome.ids) is has_org
        again = await run_with(ActionContext(ctx.client, poll_initial=0.01), customer, customer_job(ext))
        assert again.status == FAILED  # a re-run finds it, still failed, and creates nothing
        assert len(state(slow_url)["customers"]) == 1


async def test_lost_answer_is_reconciled_by_external_id(lossy_url) -> None:
    async with context_on(lossy_url) as ctx:
        outcome = await run_with(ctx, customer, customer_job("FI-LOST"))
        assert outcome.status == CREATED, outcome.message
        (created,) = state(lossy_url)["customers"]
        assert outcome.ids["customer_id"] == created["id"]
        assert ctx.client.stats.ambiguous == 1


async def test_conflict_means_it_exists(ctx, run_job, emulator_url) -> None:
    await run_job(customer, customer_job("FI-A"))  # this run's listing holds only FI-A
    other = ActionContext(ctx.client, poll_initial=0.01)
    made = await run_with(other, customer, customer_job("FI-B"))  # another run makes FI-B meanwhile
    outcome = await run_job(customer, customer_job("FI-B"))
    assert outcome.status == EXISTS, outcome.message
    assert outcome.ids == made.ids
    assert len(state(emulator_url)["customers"]) == 2


async def test_refused_customer_says_why(run_job) -> None:
    outcome = await run_job(customer, customer_job("FI-BAD", admin_email="not-an-address"))
    assert outcome.status == FAILED
    assert outcome.message.startswith("Could not provision customer FI-BAD: POST /wholesale/customers: HTTP 400")
    assert "primaryEmail" in outcome.message and "correct the row" in outcome.message
    assert outcome.tracking_id and outcome.tracking_id.startswith("RTMBATCH_")  # ours, kept by Webex


async def test_customer_ref_finds_or_explains(ctx, run_job) -> None:
    made = await run_with(ActionContext(ctx.client, poll_initial=0.01), customer, customer_job("FI-OLD"))
    found = await run_job(customer_ref, ref_job("fi-old"))  # external ids match case-insensitively
    assert (found.status, found.ids) == (EXISTS, made.ids)
    missing = await run_job(customer_ref, ref_job("FI-NOPE"))
    assert missing.status == FAILED
    assert "customer FI-NOPE is neither in this batch nor on the server" in missing.message


@pytest.mark.parametrize("hq_name", ["PÄÄKONTTORI", None])
async def test_hq_is_found_by_name_or_first(ctx, run_job, emulator_url, hq_name) -> None:
    await run_job(customer, customer_job("FI-HQ"))
    outcome = await run_job(hq, hq_job("FI-HQ", hq_name))
    (location,) = state(emulator_url)["locations"]
    assert (outcome.status, outcome.ids) == (EXISTS, {"location_id": location["id"]})


async def test_auth_error_propagates(emulator_url) -> None:
    config = ClientConfig(emulator_url, token="wrong", max_rate=1000)
    async with WebexClient(config) as client:
        with pytest.raises(AuthError):
            await customer(customer_job("FI-X"), ActionContext(client, poll_initial=0.01))


async def test_polling_gives_up_with_a_way_forward(slow_url, monkeypatch) -> None:
    monkeypatch.setattr("batch.provision.customers.POLL_GIVE_UP", 0.02)
    async with context_on(slow_url) as ctx:
        outcome = await run_with(ctx, customer, customer_job("FI-SLOW"))
        assert outcome.status == FAILED
        assert "customer FI-SLOW is still provisioning after" in outcome.message
        assert "run again later" in outcome.message
        assert outcome.ids["customer_id"] == state(slow_url)["customers"][0]["id"]


async def test_a_lost_create_is_looked_up_for_minutes_before_it_is_sent_again() -> None:
    """Issue 9 item 6 (§10.8): the answer to the POST is lost and lists show a new customer only 60 s later.
    The client keeps looking (virtual time) instead of sending a second POST after one empty look-up."""
    time = FakeTime()
    config = EmulatorConfig(provisioning_seconds=0, rate=0, lost_response_rate=1.0, list_lag_seconds=60, clock=time)
    with running_emulator(config) as base_url:
        transport = Headers()
        settings = ClientConfig(base_url, "emulator-token", max_rate=100000.0)
        async with WebexClient(settings, transport=transport, sleep=time.sleep, clock=time) as client:
            ctx = ActionContext(client, poll_initial=0.01)
            outcome = await run_with(ctx, customer, customer_job("FI-LAG"))
        assert outcome.status == CREATED, outcome.message
        assert len(state(base_url)["customers"]) == 1
        posts = [path for method, path, *_ in transport.seen if method == "POST"]
        assert posts == ["/v1/wholesale/customers"]
        assert time.now - 1000.0 >= 60
