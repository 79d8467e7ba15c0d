"""Undo of number activation (``rtm-batch activate``, issue 20 item 3) over real HTTP: webex-numbers.json's
``PUT …/numbers {action: DEACTIVATE}`` takes the numbers the run activated back to inactive.

What the tests guard: the activation keeps the numbers it activated as its images and undo deactivates them
again (bodies as the spec defines them), except a number in use, which the API does not deactivate: it stays
active and is named (``undo.not_reversible``); a second undo sends nothing (``…_not_one_in_use``). A row whose
activation failed for a number missing from its location still activated the others: undo deactivates them
(``…_failed_for_a_missing_number…``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from batch.change.options import change_control
from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import SKIPPED, UNDONE
from batch.reasons import Reason
from batch.undo.command import UndoOptions, undo_run
from tests.change.batches import NUMBERS_1, NUMBERS_2, NUMBERS_TAMPERE, number_states, user, write_batch, writes
from tests.provision.conftest import check_sent
from tests.run.test_run_e2e import TOKEN, operator, run

HOLDER = user("FI-ACT-1", "t@fi-act-1.fi", "150") | {"location_name": "Tampere", "phone_number": "+358 3 5655 2001"}


@pytest.fixture
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)) as url:
        yield url


def test_undo_deactivates_the_numbers_an_activation_made_active_but_not_one_in_use(server: str, tmp_path: Path) -> None:
    batch = write_batch(tmp_path / "in.xlsx", extra_users=(HOLDER,))
    assert run([batch], tmp_path / "provision", server).exit_code == 0
    out = tmp_path / "activate"
    assert run([batch], out, server, change=change_control(activate_only=True)).exit_code == 0
    assert set(number_states(server).values()) == {"ACTIVE"}
    start = len(writes(server))
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN))
    rows = {r.key: r for r in outcome.results}
    assert {r.status for r in outcome.results} == {UNDONE, SKIPPED}, [(r.key, r.message) for r in outcome.results]
    tampere = next(r for r in outcome.results if r.status == SKIPPED)
    assert tampere.reason == Reason.UNDO_NOT_REVERSIBLE, rows
    assert tampere.message == (
        "deactivate numbers: deactivated +358356552000; left active, in use (a user, a feature or the main number), "
        "which the API does not deactivate: +358356552001"
    )
    states = number_states(server)
    assert {states[n] for n in NUMBERS_1 + NUMBERS_2 + NUMBERS_TAMPERE[:1]} == {"INACTIVE"}
    assert states[NUMBERS_TAMPERE[1]] == "ACTIVE"  # t@ holds it
    sent = writes(server)[start:]
    assert {(m, body["action"]) for m, _, body in sent} == {("PUT", "DEACTIVATE")} and len(sent) == 3
    check_sent(sent)  # the bodies fit webex-numbers.json's NumbersRequest
    again = undo_run(UndoOptions(out_dir=out, token=TOKEN))
    assert len(writes(server)) == start + 3 and {r.status for r in again.results} == {UNDONE, SKIPPED}


def test_undo_deactivates_what_an_activation_that_failed_for_a_missing_number_did_activate(
    server: str, tmp_path: Path
) -> None:
    batch = write_batch(tmp_path / "in.xlsx")
    assert run([batch], tmp_path / "provision", server).exit_code == 0
    gone = next(n for n in operator(server, "state")["numbers"] if n["phone_number"] == NUMBERS_TAMPERE[1])
    removed = httpx.request(
        "DELETE",
        f"{server}/telephony/config/locations/{gone['location_id']}/numbers",
        params={"orgId": gone["org_id"]},
        json={"phoneNumbers": [NUMBERS_TAMPERE[1]]},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert removed.status_code < 300, removed.text
    out = tmp_path / "activate"
    activated = run([batch], out, server, change=change_control(activate_only=True))
    assert next(r for r in activated.results if r.sheet == "locations").status == "failed"  # Tampere: 2001 gone
    assert number_states(server)[NUMBERS_TAMPERE[0]] == "ACTIVE"
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN))
    assert {r.status for r in outcome.results} == {UNDONE}, [(r.key, r.message) for r in outcome.results]
    assert set(number_states(server).values()) == {"INACTIVE"}  # Tampere's 2000 too, though its row failed
