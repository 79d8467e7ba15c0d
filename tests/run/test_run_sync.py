"""Nightly sync end to end over real HTTP: provision a workbook, then a changed copy with ``--update --prune``.

The changed copy moves a normal user to another package, tries to move a full administrator (on the server
only, so the refusal comes from the tool, not the validator), gives a customer a package, moves a location,
adds a number and a role, adds three users and drops two. The emulator's state must then be exactly the
second workbook's, a third run must send no write at all, ``--max-deletes`` must hold, and a SIGKILL in the
middle of the update run followed by a resume must reach the same state without repeating a write.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS, FAILED, REMOVED, SKIPPED, UPDATED
from batch.provision.preview.rows import plan_batch
from batch.run.runner import RunOptions, RunOutcome, run_batch
from tests.builders import input_sheets, write_workbook
from tests.openapi_check import spec_dir
from tests.provision.conftest import check_sent, emulator_root, reset

TOKEN = "sync-token"
SERVER = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)

HQ1 = {"numbers": "+358 9 4245 1000..+358 9 4245 1009", "main_number": "+358 9 4245 1000"}
CUSTOMERS = [
    {
        "external_id": "FI-SYNC-1",
        "company_name": "Synkka Oy",
        "admin_email": "admin@synkka.fi",
        "provisioning_id": "cHJvdmlzaW9uaW5n",
        "packages": "webex_calling;webex_meetings",
        "address_line1": "Hämeentie 15",
        "city": "Helsinki",
        "postal_code": "00510",
        "country": "FI",
        "supported_location_confirmed": "yes",
        "hq_location_name": "Pääkonttori",
        "timezone": "Europe/Helsinki",
        "location_language": "fi_fi",
        **HQ1,
    },
    {
        "external_id": "FI-SYNC-2",
        "company_name": "Toinen Oy",
        "admin_email": "admin@toinen.fi",
        "provisioning_id": "cHJvdmlzaW9uaW5n",
        "packages": "webex_calling",
        "address_line1": "Kauppakatu 3",
        "city": "Oulu",
        "postal_code": "90100",
        "country": "FI",
        "supported_location_confirmed": "yes",
        "hq_location_name": "Oulu HQ",
        "timezone": "Europe/Helsinki",
        "location_language": "fi_fi",
        "numbers": "+358 8 5555 2100..+358 8 5555 2104",
    },
]
TAMPERE = {
    "customer_external_id": "FI-SYNC-1",
    "location_name": "Tampere",
    "address_line1": "Hatanpään valtatie 24",
    "city": "Tampere",
    "postal_code": "33100",
    "country": "FI",
    "timezone": "Europe/Helsinki",
    "preferred_language": "fi_fi",
    "announcement_language": "fi_fi",
    "numbers": "+358 3 5655 2000..+358 3 5655 2004",
    "main_number": "+358 3 5655 2000",
}


def user(email: str, ext: str = "FI-SYNC-1", package: str = "webex_calling", **fields: str) -> dict[str, str]:
    base = {"customer_external_id": ext, "email": email, "first_name": "Etu", "last_name": "Suku"}
    return base | {"package": package} | fields


USERS_1 = [
    user("admin@synkka.fi", extension="100", roles="Full Administrator"),
    user("u1@synkka.fi", package="webex_meetings"),
    user("u2@synkka.fi", extension="102", location_name="Tampere", phone_number="+358 3 5655 2001"),
    user("u3@synkka.fi", extension="103"),
    user("fa@synkka.fi", extension="104", roles="Full Administrator"),
    user("gone1@synkka.fi", package="webex_meetings"),
    user("admin@toinen.fi", "FI-SYNC-2", extension="200"),
    user("gone2@toinen.fi", "FI-SYNC-2", extension="201"),
    user("u4@toinen.fi", "FI-SYNC-2", extension="202"),
]
USERS_2 = [
    user("admin@synkka.fi", extension="100", roles="Full Administrator"),
    user("u1@synkka.fi", extension="101"),  # meetings -> calling
    user("u2@synkka.fi", extension="102", location_name="Tampere", phone_number="+358 3 5655 2001"),
    user("u3@synkka.fi", extension="103", roles="Read-only Administrator"),  # a role added
    user("fa@synkka.fi", package="webex_meetings"),  # a full administrator (on the server) moved down: refused
    user("admin@toinen.fi", "FI-SYNC-2", extension="200"),
    user("u4@toinen.fi", "FI-SYNC-2", extension="202"),
    user("n1@synkka.fi", extension="105"),
    user("n2@synkka.fi", package="webex_meetings"),
    user("n3@toinen.fi", "FI-SYNC-2", package="webex_meetings"),  # needs the customer's new package
]
CUSTOMERS_2 = [
    {**CUSTOMERS[0], "address_line1": "Hämeentie 17"},  # the customer and its headquarters move
    {**CUSTOMERS[1], "packages": "webex_calling; webex_meetings"},  # a customer gains a package
]
TAMPERE_2 = {**TAMPERE, "address_line1": "Hatanpään valtatie 30", "numbers": "+358 3 5655 2000..+358 3 5655 2005"}


def workbook(path: Path, customers: list, locations: list, users: list) -> Path:
    return write_workbook(path, input_sheets(customers=customers, locations=locations, users=users))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(SERVER) as base_url:
        yield base_url


@pytest.fixture
def books(tmp_path: Path) -> dict[str, Path]:
    return {
        "v1": workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1),
        "v2": workbook(tmp_path / "v2.xlsx", CUSTOMERS_2, [TAMPERE_2], USERS_2),
        # two more users dropped: over --max-deletes 1
        "v3": workbook(tmp_path / "v3.xlsx", CUSTOMERS_2, [TAMPERE_2], USERS_2[:-3] + USERS_2[-1:]),
    }


def operator(base_url: str, what: str) -> Any:
    response = httpx.get(f"{emulator_root(base_url)}/_emulator/{what}", timeout=10)
    response.raise_for_status()
    return response.json()


def writes(base_url: str) -> int:
    """Writes the emulator answered, from its stats (every route that is not a GET, nor a precheck: Webex's
    prechecks are POSTs that only ask)."""
    routes = operator(base_url, "stats")["routes"]
    return sum(
        n
        for route, counts in routes.items()
        if not route.startswith("GET ") and not route.endswith(("/validate", "/validateNumbers/invoke"))
        for n in counts.values()
    )


def run(book: Path, out: Path, base_url: str, **options: Any) -> RunOutcome:
    settings = {"max_rate": 5000.0, "poll_initial": 0.01, "log_format": "plain"} | options
    return run_batch(
        [book], RunOptions(out_dir=out, base_url=base_url, token=TOKEN, **settings), Console(file=io.StringIO())
    )


def by_key(outcome: RunOutcome) -> dict[tuple[str, str], str]:
    return {(r.sheet, r.key.casefold()): r.status for r in outcome.results if r.sheet != "templates"}


def end_state(state: dict[str, Any]) -> dict[str, Any]:
    """What the second workbook says the server holds, by natural key."""
    ext = {c["org_id"]: c["external_id"] for c in state["customers"]}
    roles = {r["id"]: r["name"] for r in state["roles"]}
    tampere = next(loc for loc in state["locations"] if loc["name"] == "Tampere")
    people = {p["emails"][0]: p for p in state["people"]}
    return {
        "customers": {c["external_id"]: sorted(c["packages"]) for c in state["customers"]},
        "subscribers": {s["email"]: s["package"] for s in state["subscribers"]},
        "extensions": {s["email"]: people[s["email"]]["extension"] for s in state["subscribers"]},
        "tampere": (tampere["address"]["address1"], tampere["main_number"]),
        "addresses": {c["external_id"]: c["address"]["addressLine1"] for c in state["customers"]},
        "hq": next(loc["address"]["address1"] for loc in state["locations"] if loc["name"] == "Pääkonttori"),
        "tampere_numbers": sorted(n["phone_number"] for n in state["numbers"] if n["location_id"] == tampere["id"]),
        "roles": {e: sorted(roles[r] for r in p["roles"]) for e, p in people.items() if p["roles"]},
        "orgs": sorted(set(ext.values())),
    }


EXPECTED = {
    "customers": {"FI-SYNC-1": ["webex_calling", "webex_meetings"], "FI-SYNC-2": ["webex_calling", "webex_meetings"]},
    "subscribers": {
        "admin@synkka.fi": "webex_calling",
        "u1@synkka.fi": "webex_calling",
        "u2@synkka.fi": "webex_calling",
        "u3@synkka.fi": "webex_calling",
        "fa@synkka.fi": "webex_calling",  # the administrator's package is unchanged
        "admin@toinen.fi": "webex_calling",
        "u4@toinen.fi": "webex_calling",
        "n1@synkka.fi": "webex_calling",
        "n2@synkka.fi": "webex_meetings",
        "n3@toinen.fi": "webex_meetings",
    },
    "extensions": {
        "admin@synkka.fi": "100",
        "u1@synkka.fi": "101",
        "u2@synkka.fi": "102",
        "u3@synkka.fi": "103",
        "fa@synkka.fi": "104",
        "admin@toinen.fi": "200",
        "u4@toinen.fi": "202",
        "n1@synkka.fi": "105",
        "n2@synkka.fi": None,
        "n3@toinen.fi": None,
    },
    "tampere": ("Hatanpään valtatie 30", "+358356552000"),
    "addresses": {"FI-SYNC-1": "Hämeentie 17", "FI-SYNC-2": "Kauppakatu 3"},
    "hq": "Hämeentie 17",
    "tampere_numbers": [f"+35835655200{i}" for i in range(6)],
    "roles": {
        "admin@synkka.fi": ["Full Administrator"],
        "fa@synkka.fi": ["Full Administrator"],
        "u3@synkka.fi": ["Read-only Administrator"],
        "admin@toinen.fi": ["Full Administrator"],
    },
    "orgs": ["FI-SYNC-1", "FI-SYNC-2"],
}
STATUSES_2 = {
    ("customers", "fi-sync-1"): UPDATED,
    ("customers", "fi-sync-2"): UPDATED,
    ("locations", "fi-sync-1/tampere"): UPDATED,
    ("users", "admin@synkka.fi"): EXISTS,
    ("users", "u1@synkka.fi"): UPDATED,
    ("users", "u2@synkka.fi"): EXISTS,
    ("users", "u3@synkka.fi"): CREATED,  # a role it lacked: created with or without --update (issue 17)
    ("users", "fa@synkka.fi"): FAILED,
    ("users", "admin@toinen.fi"): EXISTS,
    ("users", "u4@toinen.fi"): EXISTS,
    ("users", "n1@synkka.fi"): CREATED,
    ("users", "n2@synkka.fi"): CREATED,
    ("users", "n3@toinen.fi"): CREATED,
    ("users", "gone1@synkka.fi"): REMOVED,
    ("users", "gone2@toinen.fi"): REMOVED,
}

#: The changes column of the rows the second workbook updates (the customer's address moves its HQ too).
CHANGES_2 = {
    "FI-SYNC-1": "address_line1: Hämeentie 15 → Hämeentie 17",  # the customer's and its HQ's address: said once
    "FI-SYNC-2": "packages: webex_calling → webex_calling;webex_meetings",
    "FI-SYNC-1/Tampere": "address_line1: Hatanpään valtatie 24 → Hatanpään valtatie 30",  # its new number: created
    "u1@synkka.fi": "package: webex_meetings → webex_calling",
}


def test_sync_applies_the_changed_copy_exactly_then_sends_no_write(
    server: str, books: dict[str, Path], tmp_path: Path
) -> None:
    reset(server)
    first = run(books["v1"], tmp_path / "v1", server)
    assert first.exit_code == 0, [(r.key, r.message) for r in first.results if r.status not in (CREATED, EXISTS)]

    synced = run(books["v2"], tmp_path / "v2", server, update=True, prune=True)
    assert by_key(synced) == STATUSES_2
    assert synced.exit_code == 1  # the refused administrator row
    rows = {r.key: r for r in synced.results}
    assert "full administrator" in rows["fa@synkka.fi"].message
    assert rows["fa@synkka.fi"].changes == "package: webex_calling → webex_meetings"
    removed = [r for r in synced.results if r.status == REMOVED]
    assert [(r.sheet, r.row) for r in removed] == [("users", None)] * 2 and list(synced.results[-2:]) == removed
    assert all("stays in the organization" in r.message for r in removed)  # a DELETE ends the subscription (§11.5)
    assert end_state(operator(server, "state")) == EXPECTED

    lines = list(csv.DictReader((tmp_path / "v2" / "results.csv").read_text("utf-8-sig").splitlines()))
    assert [(line["sheet"], line["row"], line["key"]) for line in lines[-2:]] == [
        ("users", "", "gone1@synkka.fi"),
        ("users", "", "gone2@toinen.fi"),
    ]
    assert {line["key"]: line["changes"] for line in lines if line["status"] == UPDATED} == CHANGES_2
    if spec_dir().is_dir():
        sent = [(e["method"], e["path"], json.loads(e["body"])) for e in operator(server, "requests") if e["body"]]
        check_sent(sent)

    before = writes(server)
    third = run(books["v2"], tmp_path / "v3", server, update=True, prune=True)
    assert writes(server) == before, "a run of the same input must send no write"
    assert {s for k, s in by_key(third).items() if k[1] != "fa@synkka.fi"} == {EXISTS}
    assert end_state(operator(server, "state")) == EXPECTED

    limited = run(books["v3"], tmp_path / "limited", server, update=True, prune=True, max_deletes=1)
    assert writes(server) == before and limited.exit_code == 1
    refused = [r for r in limited.results if r.row is None]
    assert [(r.key, r.status) for r in refused] == [("n1@synkka.fi", SKIPPED), ("n2@synkka.fi", SKIPPED)]
    # which customer would lose how many users (issue 18)
    assert all("2 subscribers would be removed (FI-SYNC-1: 2), more than --max-deletes 1" in r.message for r in refused)


def test_without_update_differences_are_named_and_only_new_rows_are_created(
    server: str, books: dict[str, Path], tmp_path: Path
) -> None:
    reset(server)
    assert run(books["v1"], tmp_path / "v1", server).exit_code == 0
    before = operator(server, "state")
    looked = run(books["v2"], tmp_path / "look", server, prune=False)
    rows = {r.key: r for r in looked.results}
    assert (rows["FI-SYNC-2"].status, rows["FI-SYNC-2"].changes) == (
        EXISTS,
        "packages: webex_calling → webex_calling;webex_meetings",
    )
    assert (rows["u1@synkka.fi"].status, rows["u1@synkka.fi"].changes) == (
        EXISTS,
        "package: webex_meetings → webex_calling",
    )
    assert "run with --update to apply" in rows["u1@synkka.fi"].message
    # What the server lacks is created without --update (issue 17 item 3): the new number, the new role.
    tampere = rows["FI-SYNC-1/Tampere"]
    moved = "address_line1: Hatanpään valtatie 24 → Hatanpään valtatie 30"
    assert (tampere.status, tampere.changes) == (CREATED, moved)
    assert "numbers" not in tampere.changes and "run with --update to apply" in tampere.message
    assert (rows["u3@synkka.fi"].status, rows["u3@synkka.fi"].changes) == (CREATED, "")
    assert rows["n1@synkka.fi"].status == CREATED  # a new row is created all the same
    assert rows["n3@toinen.fi"].status == FAILED  # its package is not the customer's until --update adds it
    after = operator(server, "state")
    kept = end_state(before)
    added = ("subscribers", "extensions", "tampere_numbers", "roles")  # what was lacking is there now
    assert {k: v for k, v in end_state(after).items() if k not in added} == {
        k: v for k, v in kept.items() if k not in added
    }
    assert "+358356552005" in end_state(after)["tampere_numbers"]
    assert "Read-only Administrator" in end_state(after)["roles"]["u3@synkka.fi"]
    assert {e: p for e, p in end_state(after)["subscribers"].items() if e in kept["subscribers"]} == kept["subscribers"]
    assert "gone1@synkka.fi" in end_state(after)["subscribers"]  # no --prune: nothing removed


def test_plan_shows_what_the_sync_would_do_and_sends_only_gets(
    server: str, books: dict[str, Path], tmp_path: Path
) -> None:
    reset(server)
    assert run(books["v1"], tmp_path / "v1", server).exit_code == 0
    before = writes(server)
    plan = plan_batch([books["v2"]], tmp_path / "plan", base_url=server, token=TOKEN, update=True, prune=True)
    assert writes(server) == before
    assert plan.actions == {
        "customers": {"update": 2},
        "locations": {"update": 1},
        "users": {"unchanged": 4, "update": 1, "update refused": 1, "create": 4, "remove": 2},  # u3's role: create
    }
    rows = {r.key: r for r in plan.results}
    assert rows["u1@synkka.fi"].message == "update: package: webex_meetings → webex_calling"
    assert rows["u3@synkka.fi"].message == "create: roles: + Read-only Administrator"  # lacking: created (issue 17)
    # as the update run leaves it (EXPECTED above): failed, with the reason and the change it refused
    assert rows["fa@synkka.fi"].status == FAILED and "full administrator" in rows["fa@synkka.fi"].message
    assert rows["fa@synkka.fi"].changes == "package: webex_calling → webex_meetings"
    tampere = rows["FI-SYNC-1/Tampere"]
    assert tampere.message.startswith("create: numbers: + +358356552005; update: address_line1")


# ---- SIGKILL in the middle of the update run -----------------------------------------------------------


def cli(book: Path, out: Path, base_url: str, *extra: str) -> list[str]:
    args = ["run", str(book), "--out", str(out), "--base-url", base_url, "--log-format", "json", *extra]
    return [sys.executable, "-c", "from batch.cli import main; main()", *args]


def env() -> dict[str, str]:
    return {**os.environ, "WEBEX_ACCESS_TOKEN": TOKEN}


SLOW = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0.3, record_requests=True)


def test_sigkill_mid_update_then_resume_reaches_the_same_state(books: dict[str, Path], tmp_path: Path) -> None:
    """EXPECTED is the state an uninterrupted update run reaches (the first test of this module)."""
    sync = ("--update", "--prune", "--max-rate", "12")  # paced so that the kill lands mid-update
    with running_emulator(SLOW) as base_url:
        first = subprocess.run(cli(books["v1"], tmp_path / "b1", base_url, "--max-rate", "500"), env=env(), timeout=120)
        assert first.returncode == 0
        start = len(operator(base_url, "requests"))
        out = tmp_path / "b2"
        victim = subprocess.Popen(
            cli(books["v2"], out, base_url, *sync), env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = [e for e in operator(base_url, "requests")[start:] if e["method"] != "GET"]
            if len(done) >= 4:
                break
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL, "the update run ended before the kill: the test proves nothing"
        killed_at = len([e for e in operator(base_url, "requests")[start:] if e["method"] != "GET"])
        assert 4 <= killed_at < 10, killed_at  # mid-update: some writes done, some not
        resumed = subprocess.run(cli(books["v2"], out, base_url, *sync), env=env(), capture_output=True, timeout=120)
        assert resumed.returncode == 1, resumed.stderr.decode()[-2000:]
        final = end_state(operator(base_url, "state"))
        sent = [e for e in operator(base_url, "requests")[start:] if e["method"] != "GET"]
    assert final == EXPECTED
    keys = Counter((e["method"], e["path"], e["body"] if e["method"] == "POST" else "") for e in sent)
    assert not [k for k, n in keys.items() if n > 1], "a write was repeated after the resume"
    results = list(csv.DictReader((out / "results.csv").read_text("utf-8-sig").splitlines()))
    assert {line["key"]: line["status"] for line in results if line["key"] in ("gone1@synkka.fi", "u1@synkka.fi")} == {
        "gone1@synkka.fi": REMOVED,
        "u1@synkka.fi": UPDATED,
    }
    # Rows updated before the kill come back from the journal and still say what changed. (An update the kill
    # caught before its journal flush is found again by look-up, as ``exists``: so each row's changes are a
    # part of the uninterrupted run's, not always all of them.)
    updated = {line["key"]: line for line in results if line["status"] == UPDATED}
    restored = {key for key, line in updated.items() if "before the interruption" in line["message"]}
    assert restored, "no update was journaled before the kill: the test proves nothing"
    for key, line in updated.items():
        assert line["changes"] and set(line["changes"].split("; ")) <= set(CHANGES_2[key].split("; ")), line
    assert not [key for key in restored if "done before the interruption" in updated[key]["message"]], updated


def test_one_out_folder_night_after_night_compares_what_changed_in_the_journal(
    server: str, books: dict[str, Path], tmp_path: Path
) -> None:
    """The journal keeps a fingerprint of each job's row: a changed row is compared again, not trusted."""
    reset(server)
    out = tmp_path / "nightly"
    assert run(books["v1"], out, server).exit_code == 0
    synced = run(books["v2"], out, server, update=True, prune=True)
    assert by_key(synced) == STATUSES_2
    assert end_state(operator(server, "state")) == EXPECTED
    before = writes(server)
    again = run(books["v2"], out, server, update=True, prune=True)
    assert writes(server) == before
    assert {s for k, s in by_key(again).items() if k[1] != "fa@synkka.fi"} == {EXISTS}
