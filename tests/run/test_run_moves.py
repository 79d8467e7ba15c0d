"""A calling user's number, extension and location against the row (issue 17 item 5, §11.6), over real HTTP:
a changed number is named without ``--update`` and applied with it through the safe people PUT (verified);
a changed location is named as not applied (Webex does not move a calling user by PUT), never "unchanged"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import EXISTS, UPDATED
from tests.builders import input_sheets, write_csv_folder
from tests.run.test_run_e2e import TOKEN, operator, run
from tests.validate.test_validate_support import valid_rows


def night(tmp_path: Path, name: str, **user_changes: Any) -> Path:
    rows = valid_rows()
    for user in rows["users"]:
        user.update(user_changes.get(str(user["email"]).casefold(), {}))
    return write_csv_folder(tmp_path / name, input_sheets(**rows))


def person_numbers(base_url: str, email: str) -> list[str]:
    state = operator(base_url, "state")
    person = next(p for p in state["people"] if p["emails"][0] == email)
    return [n["value"] for n in person["phone_numbers"] if n.get("type") == "work"]


def test_a_changed_number_is_named_then_applied_with_update(tmp_path: Path) -> None:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        assert run([night(tmp_path, "n1")], tmp_path / "o1", base_url).exit_code == 0
        assert person_numbers(base_url, "it@makela.fi") == ["+358942451001"]
        moved = {"it@makela.fi": {"phone_number": "+358 9 4245 1002"}}
        named = run([night(tmp_path, "n2", **moved)], tmp_path / "o2", base_url)
        [row] = [r for r in named.results if r.key.casefold() == "it@makela.fi"]
        assert (row.status, row.changes) == (EXISTS, "phone_number: +358942451001 → +358942451002")
        assert "run with --update to apply" in row.message
        assert person_numbers(base_url, "it@makela.fi") == ["+358942451001"]  # nothing sent without --update
        applied = run([night(tmp_path, "n3", **moved)], tmp_path / "o3", base_url, update=True)
        [row] = [r for r in applied.results if r.key.casefold() == "it@makela.fi"]
        assert (row.status, row.changes) == (UPDATED, "phone_number: +358942451001 → +358942451002"), row.message
        assert person_numbers(base_url, "it@makela.fi") == ["+358942451002"]
        again = run([night(tmp_path, "n4", **moved)], tmp_path / "o4", base_url, update=True)
        [row] = [r for r in again.results if r.key.casefold() == "it@makela.fi"]
        assert (row.status, row.changes) == (EXISTS, "")


def test_a_changed_location_is_named_as_not_applied_never_unchanged(tmp_path: Path) -> None:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        assert run([night(tmp_path, "n1")], tmp_path / "o1", base_url).exit_code == 0
        moved = {"liisa@makela.fi": {"location_name": "", "phone_number": "+358 9 4245 1003", "extension": "2001"}}
        outcome = run([night(tmp_path, "n2", **moved)], tmp_path / "o2", base_url)
    [row] = [r for r in outcome.results if r.key.casefold() == "liisa@makela.fi"]
    assert row.status == EXISTS and "location: Tampere → " in row.changes, (row.changes, row.message)
    assert "not applied: move the user in Control Hub" in row.message


def test_a_package_change_licensing_forbids_is_refused_before_sending(tmp_path: Path) -> None:
    """§11.20: Professional → Standard (400112) is refused by Webex licensing; the run says so and sends nothing."""
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        assert run([night(tmp_path, "n1")], tmp_path / "o1", base_url).exit_code == 0
        rows = valid_rows()
        rows["customers"][0]["packages"] = "webex_calling;webex_meetings;cisco_calling_plan;webex_calling_standard"
        for user in rows["users"]:
            if user["email"] == "liisa@makela.fi":
                user["package"] = "webex_calling_standard"
        book = write_csv_folder(tmp_path / "n2", input_sheets(**rows))
        refused = run([book], tmp_path / "o2", base_url, update=True)
        subs = {s["email"]: s["package"] for s in operator(base_url, "state")["subscribers"]}
    [row] = [r for r in refused.results if r.key.casefold() == "liisa@makela.fi"]
    assert (row.status, row.reason) == ("failed", "update.refused") and "400112" in row.message, row.message
    assert subs["liisa@makela.fi"] == "webex_calling"
