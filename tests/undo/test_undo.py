"""``rtm-batch undo`` over real HTTP (issue 20): the nightly-sync scenario of ``tests/run/test_run_sync.py``
(v1 provisioned, then the changed copy v2 with ``--update --prune``), undone.

What each test guards: the sync's updates come back from the journal's before-images and what it created
goes (``test_undo_of_a_sync_run_restores_the_before_images``); a user edited on the server since the run is
left and named (``…_edited_since…``); ``--max-deletes`` deletes nothing over the limit but still restores
(``…_max_deletes…``); ``--dry-run`` sends no write (``…_dry_run…``); undo of a creating run disables calling
on the location it made, deletes it and unmaps the customers, saying Webex keeps the organizations
(``…_creating_run…``); a location Webex's safe-delete check blocks is left and named, and its customer too
(``…_blocks…``); ``--customer`` narrows it; runs older than ``--within`` are refused (``…_within…``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest

from batch.errors import UsageError
from batch.jobs import SKIPPED, UNDONE
from batch.reasons import Reason
from batch.undo.command import UndoOptions, undo_run
from tests.provision.conftest import reset
from tests.run.test_run_sync import (
    CUSTOMERS,
    CUSTOMERS_2,
    TAMPERE,
    TAMPERE_2,
    TOKEN,
    USERS_1,
    USERS_2,
    end_state,
    operator,
    run,
    workbook,
    writes,
)
from tests.undo.conftest import deletes_sent

#: What undo of the sync run leaves each row (the prune's removals and the customers' changes are named).
UNDONE_SYNC = {
    ("users", "n3@toinen.fi"): UNDONE,
    ("users", "n2@synkka.fi"): UNDONE,
    ("users", "n1@synkka.fi"): UNDONE,
    ("users", "u3@synkka.fi"): UNDONE,  # the role it added
    ("users", "u1@synkka.fi"): UNDONE,  # package restored
    ("users", "gone1@synkka.fi"): SKIPPED,
    ("users", "gone2@toinen.fi"): SKIPPED,
    ("locations", "FI-SYNC-1/tampere"): UNDONE,  # address restored; its added number removed
    ("customers", "FI-SYNC-1 (headquarters)"): UNDONE,  # the HQ's address restored
    ("customers", "FI-SYNC-1"): UNDONE,  # its address restored
    ("customers", "FI-SYNC-2"): UNDONE,  # the package it gained taken away (after n3@, who held it, went)
}


@pytest.fixture
def synced(server: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The sync run's OUT folder and the state v1 left (what undo must bring back)."""
    reset(server)
    assert run(workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1), tmp_path / "v1", server).exit_code == 0
    before = end_state(operator(server, "state"))
    v2 = workbook(tmp_path / "v2.xlsx", CUSTOMERS_2, [TAMPERE_2], USERS_2)
    assert run(v2, tmp_path / "v2", server, update=True, prune=True).exit_code == 1  # fa@ refused, as ever
    return tmp_path / "v2", before


def statuses(results: Any) -> dict[tuple[str, str], str]:
    by_key: dict[tuple[str, str], str] = {}
    for r in results:
        by_key.setdefault((r.sheet, r.key), r.status)  # newest first: a location's numbers line, then itself
        if r.status != UNDONE:
            by_key[(r.sheet, r.key)] = r.status
    return by_key


def as_v1(state: dict[str, Any], v1: dict[str, Any]) -> None:
    """The server is as v1 left it, but for what undo names as not reversible."""
    gone = {"gone1@synkka.fi", "gone2@toinen.fi"}  # removed by --prune: not brought back
    assert state["subscribers"] == {e: p for e, p in v1["subscribers"].items() if e not in gone}
    assert state["tampere"] == v1["tampere"] and state["hq"] == v1["hq"]
    assert state["tampere_numbers"] == v1["tampere_numbers"] and state["roles"] == v1["roles"]
    assert state["customers"] == v1["customers"] and state["addresses"] == v1["addresses"]


def test_undo_of_a_sync_run_restores_the_before_images(server: str, synced: tuple[Path, dict[str, Any]]) -> None:
    out, v1 = synced
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN))
    assert statuses(outcome.results) == UNDONE_SYNC
    as_v1(end_state(operator(server, "state")), v1)
    rows = {r.key: r for r in outcome.results if r.sheet == "users"}
    assert rows["u1@synkka.fi"].message == "restore subscriber: package restored: webex_calling → webex_meetings"
    assert (
        rows["gone1@synkka.fi"].reason == Reason.UNDO_NOT_REVERSIBLE
        and "backup-before-prune" in rows["gone1@synkka.fi"].message
    )
    assert outcome.exit_code == 1  # the rows it names are the partner's to look at
    lines = list(csv.DictReader((out / "undo" / "results.csv").read_text("utf-8-sig").splitlines()))
    assert [line["key"] for line in lines] == [r.key for r in outcome.results]
    assert {line["status"] for line in lines} == {UNDONE, SKIPPED}
    sent = writes(server)
    again = undo_run(UndoOptions(out_dir=out, token=TOKEN))
    assert writes(server) == sent, "a second undo must send no write"
    assert statuses(again.results) == UNDONE_SYNC and len(again.results) == len(outcome.results)
    assert all("earlier undo" in r.message for r in again.results if r.status == UNDONE)


def test_undo_leaves_a_user_edited_since_the_run_and_names_it(server: str, synced: tuple[Path, dict[str, Any]]) -> None:
    out, _ = synced
    state = operator(server, "state")
    n1 = next(s for s in state["subscribers"] if s["email"] == "n1@synkka.fi")
    edited = httpx.put(
        f"{server}/wholesale/subscribers/{n1['id']}",
        json={"packages": ["webex_meetings"]},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert edited.status_code < 300, edited.text
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN))
    row = next(r for r in outcome.results if r.key == "n1@synkka.fi")
    assert (row.status, row.reason) == (SKIPPED, Reason.UNDO_CHANGED_SINCE)
    assert "package: webex_calling → now webex_meetings" in row.message
    after = end_state(operator(server, "state"))
    assert after["subscribers"]["n1@synkka.fi"] == "webex_meetings"  # left as the partner made it
    assert "n2@synkka.fi" not in after["subscribers"]  # the others are undone
    assert statuses(outcome.results) == UNDONE_SYNC | {("users", "n1@synkka.fi"): SKIPPED}


def test_undo_under_max_deletes_deletes_nothing_but_still_restores(
    server: str, synced: tuple[Path, dict[str, Any]]
) -> None:
    out, v1 = synced
    start = len(operator(server, "requests"))
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN, max_deletes=3))
    assert deletes_sent(operator(server, "requests")[start:]) == []
    refused = [r for r in outcome.results if r.reason == Reason.UNDO_MAX_DELETES]
    assert {r.key for r in refused} == {"n1@synkka.fi", "n2@synkka.fi", "n3@toinen.fi", "FI-SYNC-1/tampere"}
    words = "undo would delete 4 objects (locations: 1, users: 3), more than --max-deletes 3"
    assert all(words in r.message for r in refused)
    state = end_state(operator(server, "state"))
    assert state["subscribers"]["u1@synkka.fi"] == "webex_meetings" and state["tampere"] == v1["tampere"]
    assert "n1@synkka.fi" in state["subscribers"]
    assert statuses(undo_run(UndoOptions(out_dir=out, token=TOKEN, max_deletes=4)).results) == UNDONE_SYNC


def test_a_dry_run_shows_it_all_and_sends_no_write(server: str, synced: tuple[Path, dict[str, Any]]) -> None:
    out, _ = synced
    sent = writes(server)
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN, dry_run=True))
    assert writes(server) == sent
    assert {r.status for r in outcome.results} == {"planned", SKIPPED}
    assert next(r for r in outcome.results if r.key == "n1@synkka.fi").message.startswith("delete subscriber: would")
    assert statuses(undo_run(UndoOptions(out_dir=out, token=TOKEN)).results) == UNDONE_SYNC  # nothing marked


def test_undo_of_a_creating_run_deletes_its_location_and_unmaps_its_customers(server: str, tmp_path: Path) -> None:
    reset(server)
    out = tmp_path / "v1"
    assert run(workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1), out, server).exit_code == 0
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN, max_deletes=100))
    assert {r.status for r in outcome.results} == {UNDONE}, [(r.key, r.message) for r in outcome.results]
    assert outcome.exit_code == 0
    state = operator(server, "state")
    assert state["customers"] == [] and state["subscribers"] == []
    assert [loc["name"] for loc in state["locations"]] == ["Pääkonttori", "Oulu HQ"]  # Webex keeps the orgs
    customer = next(r for r in outcome.results if r.key == "FI-SYNC-1")
    assert "Webex keeps the organization" in customer.message
    tampere = next(r for r in outcome.results if r.key == "FI-SYNC-1/tampere")
    assert tampere.message == "delete location: location deleted (calling disabled first)"


def test_a_run_older_than_within_is_refused(server: str, synced: tuple[Path, dict[str, Any]]) -> None:
    from datetime import UTC, datetime, timedelta

    out, _ = synced
    sent = writes(server)
    with pytest.raises(UsageError, match="longer ago than --within 7d"):
        undo_run(UndoOptions(out_dir=out, token=TOKEN), now=datetime.now(UTC) + timedelta(days=8))
    assert writes(server) == sent


def test_customer_narrows_undo_to_that_customers_work(server: str, synced: tuple[Path, dict[str, Any]]) -> None:
    out, _ = synced
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN, customers=frozenset({"fi-sync-2"})))
    assert statuses(outcome.results) == {
        ("users", "n3@toinen.fi"): UNDONE,
        ("customers", "FI-SYNC-2"): UNDONE,
    }  # a pruned user's customer cannot be read any more: named only by an undo of every customer
    assert "n1@synkka.fi" in end_state(operator(server, "state"))["subscribers"]  # FI-SYNC-1's work is untouched


def test_the_command_refuses_in_one_line_what_it_cannot_undo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from batch.cli import main

    monkeypatch.setenv("WEBEX_ACCESS_TOKEN", TOKEN)
    for argv, words in (
        (["undo", str(tmp_path)], "no journal (journal.sqlite) there"),
        (["undo", str(tmp_path), "--within", "soon"], "--within 'soon': give a number and a unit"),
    ):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        err = capsys.readouterr().err
        assert stopped.value.code == 2 and words in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1


def test_a_location_webex_blocks_is_left_and_named_and_so_is_its_customer(server: str, tmp_path: Path) -> None:
    """u2@ (in Tampere) changed since the run, so it stays; then Webex's safe-delete check blocks Tampere."""
    reset(server)
    out = tmp_path / "v1"
    assert run(workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1), out, server).exit_code == 0
    u2 = next(s for s in operator(server, "state")["subscribers"] if s["email"] == "u2@synkka.fi")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    edited = httpx.put(
        f"{server}/wholesale/subscribers/{u2['id']}", json={"packages": ["webex_meetings"]}, headers=headers
    )
    assert edited.status_code < 300, edited.text
    outcome = undo_run(UndoOptions(out_dir=out, token=TOKEN, max_deletes=100))
    rows = {r.key: r for r in outcome.results}
    assert (rows["u2@synkka.fi"].status, rows["u2@synkka.fi"].reason) == (SKIPPED, Reason.UNDO_CHANGED_SINCE)
    tampere = rows["FI-SYNC-1/tampere"]
    assert (tampere.status, tampere.reason) == (SKIPPED, Reason.UNDO_BLOCKED)
    assert "safe-delete check says BLOCKED (usersInUseCount: 1)" in tampere.message
    assert (rows["FI-SYNC-1"].status, rows["FI-SYNC-1"].reason) == (SKIPPED, Reason.UNDO_HOLDS_LEFT)
    assert rows["FI-SYNC-2"].status == UNDONE and outcome.exit_code == 1
    state = operator(server, "state")
    assert [c["external_id"] for c in state["customers"]] == ["FI-SYNC-1"]
    assert "Tampere" in [loc["name"] for loc in state["locations"]]
