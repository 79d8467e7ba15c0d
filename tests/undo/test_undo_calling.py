"""Undo of a user's number and extension change (the sync's calling update, ``people.set_calling``), over real
HTTP: v1 provisioned, then a copy that gives u2@ another Tampere number and extension run with ``--update``.

What each test guards: the run keeps the number and extension it found as the before-image and undo puts them
back by the safe people PUT and reads them again, everything else the person has kept (``…_restores…``); a
user whose number or extension was changed on the server since is left and named (``…_changed_since…``); a
user who was already a calling user (the POST made a subscriber, Webex kept their number, ``--update`` set the
row's) gets their number back and the subscriber the run made is named as staying (``…_already_a_calling…``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from batch.jobs import SKIPPED, UNDONE
from batch.reasons import Reason
from batch.undo.command import UndoOptions, undo_run
from tests.provision.conftest import reset
from tests.run.test_run_sync import CUSTOMERS, TAMPERE, TOKEN, USERS_1, operator, run, user, workbook

U2_BEFORE = {"number": "+358356552001", "extension": "102"}
U2_AFTER = {"number": "+358356552002", "extension": "112"}
USERS_3 = [
    u
    if u["email"] != "u2@synkka.fi"
    else user("u2@synkka.fi", extension="112", location_name="Tampere", phone_number="+358 3 5655 2002")
    for u in USERS_1
]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def u2(server: str) -> dict[str, Any]:
    """u2@ as Webex shows it (callingData=true): the work number, extension and roles."""
    person = next(p for p in operator(server, "state")["people"] if p["emails"][0] == "u2@synkka.fi")
    got = httpx.get(f"{server}/people/{person['id']}", params={"callingData": "true"}, headers=HEADERS, timeout=10)
    return dict(got.json())


def calling(person: dict[str, Any]) -> dict[str, Any]:
    works = [n["value"] for n in person.get("phoneNumbers") or [] if n.get("type") == "work"]
    return {"number": works[0] if works else None, "extension": person.get("extension")}


@pytest.fixture
def renumbered(server: str, tmp_path: Path) -> Path:
    """The OUT of the run that changed u2@'s number and extension (v1 gave it +358 3 5655 2001 and 102)."""
    reset(server)
    assert run(workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1), tmp_path / "v1", server).exit_code == 0
    assert calling(u2(server)) == U2_BEFORE
    v3 = run(workbook(tmp_path / "v3.xlsx", CUSTOMERS, [TAMPERE], USERS_3), tmp_path / "v3", server, update=True)
    row = next(r for r in v3.results if r.key == "u2@synkka.fi")
    assert row.status == "updated", row.message
    assert calling(u2(server)) == U2_AFTER
    return tmp_path / "v3"


def test_undo_restores_a_users_number_and_extension_from_the_before_image(server: str, renumbered: Path) -> None:
    kept = {k: v for k, v in u2(server).items() if k not in ("phoneNumbers", "extension")}
    outcome = undo_run(UndoOptions(out_dir=renumbered, token=TOKEN))
    row = next(r for r in outcome.results if r.key == "u2@synkka.fi")
    assert (row.status, row.message) == (
        UNDONE,
        "restore number: number and extension restored: +358356552002, extension 112 → +358356552001, extension 102",
    )
    person = u2(server)
    assert calling(person) == U2_BEFORE
    assert {k: v for k, v in person.items() if k not in ("phoneNumbers", "extension")} == kept  # nothing else lost
    again = undo_run(UndoOptions(out_dir=renumbered, token=TOKEN))
    assert next(r for r in again.results if r.key == "u2@synkka.fi").status == UNDONE


def test_undo_leaves_a_number_changed_since_the_run_and_names_it(server: str, renumbered: Path) -> None:
    person = u2(server)
    body = {k: person[k] for k in ("emails", "displayName", "firstName", "lastName", "roles", "licenses", "locationId")}
    body |= {"phoneNumbers": [n for n in person["phoneNumbers"] if n["type"] == "work"], "extension": "122"}
    edited = httpx.put(
        f"{server}/people/{person['id']}", params={"callingData": "true"}, json=body, headers=HEADERS, timeout=10
    )
    assert edited.status_code < 300, edited.text
    outcome = undo_run(UndoOptions(out_dir=renumbered, token=TOKEN))
    row = next(r for r in outcome.results if r.key == "u2@synkka.fi")
    assert (row.status, row.reason) == (SKIPPED, Reason.UNDO_CHANGED_SINCE)
    assert "extension 112 → now +358356552002, extension 122" in row.message
    assert calling(u2(server))["extension"] == "122"  # left as the partner made it


def test_a_user_who_was_already_a_calling_user_gets_their_number_back_and_the_subscriber_is_named(
    server: str, tmp_path: Path
) -> None:
    """u2@'s subscriber removed after v1 (the person stays a calling user, as Control Hub leaves it); the run's
    POST makes a subscriber again, Webex keeps the person's number, ``--update`` sets the row's (``kept``):
    undo puts the number and extension back and names the subscriber the run made, which stays."""
    reset(server)
    assert run(workbook(tmp_path / "v1.xlsx", CUSTOMERS, [TAMPERE], USERS_1), tmp_path / "v1", server).exit_code == 0
    person = u2(server)
    subscriber = next(s for s in operator(server, "state")["subscribers"] if s["email"] == "u2@synkka.fi")
    with httpx.Client(headers=HEADERS, timeout=10) as api:
        api.delete(f"{server}/wholesale/subscribers/{subscriber['id']}").raise_for_status()
        body = api.get(f"{server}/people/{person['id']}", params={"callingData": "true"}).json()
        body |= {"phoneNumbers": person["phoneNumbers"], "extension": "102", "locationId": person["locationId"]}
        body["phoneNumbers"] = [n for n in body["phoneNumbers"] if n["type"] == "work"]
        api.put(f"{server}/people/{person['id']}", params={"callingData": "true"}, json=body).raise_for_status()
    assert calling(u2(server)) == U2_BEFORE
    v3 = run(workbook(tmp_path / "v3.xlsx", CUSTOMERS, [TAMPERE], USERS_3), tmp_path / "v3", server, update=True)
    row = next(r for r in v3.results if r.key == "u2@synkka.fi")
    again = next(s for s in operator(server, "state")["subscribers"] if s["email"] == "u2@synkka.fi")
    assert row.status == "updated" and again["id"] != subscriber["id"], row.message  # a POST made it again
    assert calling(u2(server)) == U2_AFTER
    outcome = undo_run(UndoOptions(out_dir=tmp_path / "v3", token=TOKEN))
    undone = next(r for r in outcome.results if r.key == "u2@synkka.fi")
    assert (undone.status, undone.reason) == (SKIPPED, Reason.UNDO_NOT_REVERSIBLE)
    assert undone.message.startswith(
        "restore number: number and extension restored: +358356552002, extension 112 → +358356552001, "
        "extension 102; the subscriber the run created for this user, who was already a calling user, stays"
    )
    assert calling(u2(server)) == U2_BEFORE
