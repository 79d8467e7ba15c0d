"""Number activation over real HTTP (issue 20 item 3): ``rtm-batch activate`` and ``run --activate-numbers``
make the batch's ``inactive`` numbers active with ``PUT …/numbers {action: ACTIVATE}``, per row, journalled,
creating nothing, and a second activation sends no write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from batch.change.options import change_control
from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS
from tests.change.batches import NUMBERS_1, NUMBERS_2, NUMBERS_TAMPERE, number_states, write_batch, writes
from tests.provision.conftest import check_sent, emulator_root, reset
from tests.run.test_run_e2e import TOKEN, operator, run

SERVER = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(SERVER) as base_url:
        yield base_url


@pytest.fixture
def emulator(server: str) -> str:
    reset(server)
    return server


def test_activate_makes_one_customers_inactive_numbers_active_and_creates_nothing(
    emulator: str, tmp_path: Path
) -> None:
    batch = write_batch(tmp_path / "in.xlsx")
    first = run([batch], tmp_path / "provision", emulator)
    assert first.exit_code == 0
    assert set(number_states(emulator).values()) == {"INACTIVE"}
    before = {kind: len(items) for kind, items in operator(emulator, "state").items() if isinstance(items, list)}
    reset_requests = len(writes(emulator))

    only_one = change_control(activate_only=True, customers=["FI-ACT-1"])
    activated = run([batch], tmp_path / "activate", emulator, change=only_one)
    assert activated.exit_code == 0, activated.results
    states = number_states(emulator)
    assert {states[n] for n in NUMBERS_1 + NUMBERS_TAMPERE} == {"ACTIVE"}
    assert {states[n] for n in NUMBERS_2} == {"INACTIVE"}  # --customer FI-ACT-2 was not asked for
    rows = {(r.sheet, r.key): r for r in activated.results}
    hq, tampere = rows[("customers", "FI-ACT-1")], rows[("locations", "FI-ACT-1/Tampere")]
    assert (hq.status, tampere.status) == (CREATED, CREATED)
    assert "numbers activated" in hq.message and "+358942451002" in hq.message
    assert rows[("customers", "FI-ACT-2")].status == EXISTS
    assert all(
        r.status == EXISTS and "nothing to activate" in r.message for r in activated.results if r.sheet == "users"
    )
    after = {kind: len(items) for kind, items in operator(emulator, "state").items() if isinstance(items, list)}
    assert after == before  # nothing created
    sent = writes(emulator)[reset_requests:]
    assert [(m, body["action"]) for m, _, body in sent] == [("PUT", "ACTIVATE")] * 2
    check_sent(sent)  # the bodies fit webex-numbers.json's NumbersRequest

    again = run([batch], tmp_path / "again", emulator, change=change_control(activate_only=True))
    assert again.exit_code == 0
    mine = {(r.sheet, r.key): r.status for r in again.results if r.sheet != "users"}
    assert mine == {
        ("customers", "FI-ACT-1"): EXISTS,  # already active: no PUT
        ("customers", "FI-ACT-2"): CREATED,
        ("locations", "FI-ACT-1/Tampere"): EXISTS,
    }
    assert len(writes(emulator)) == reset_requests + 3  # only FI-ACT-2's one PUT more
    assert set(number_states(emulator).values()) == {"ACTIVE"}


def test_run_with_activate_numbers_adds_them_inactive_then_activates_them(emulator: str, tmp_path: Path) -> None:
    batch = write_batch(tmp_path / "in.xlsx")
    outcome = run([batch], tmp_path / "out", emulator, change=change_control(activate_numbers=True))
    assert outcome.exit_code == 0
    assert set(number_states(emulator).values()) == {"ACTIVE"}
    hq = next(r for r in outcome.results if r.key == "FI-ACT-1")
    assert hq.status == CREATED and "numbers added" in hq.message and "numbers activated" in hq.message
    resumed = run([batch], tmp_path / "out", emulator, change=change_control(activate_numbers=True))
    assert resumed.summary["api"]["requests"] == 0  # the journal holds the activations too


def test_a_number_missing_from_its_location_fails_the_row_naming_it(emulator: str, tmp_path: Path) -> None:
    batch = write_batch(tmp_path / "in.xlsx")
    assert run([batch], tmp_path / "provision", emulator).exit_code == 0
    state = operator(emulator, "state")
    tampere = next(n for n in state["numbers"] if n["phone_number"] == NUMBERS_TAMPERE[1])
    httpx.request(
        "DELETE",
        f"{emulator_root(emulator)}/v1/telephony/config/locations/{tampere['location_id']}/numbers",
        params={"orgId": tampere["org_id"]},
        json={"phoneNumbers": [NUMBERS_TAMPERE[1]]},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).raise_for_status()
    outcome = run([batch], tmp_path / "activate", emulator, change=change_control(activate_only=True))
    row = next(r for r in outcome.results if r.sheet == "locations")
    assert (row.status, row.reason) == ("failed", "numbers.not_on_location")
    assert NUMBERS_TAMPERE[1] in row.message and f"activated {NUMBERS_TAMPERE[0]}" in row.message
    assert outcome.exit_code == 1
