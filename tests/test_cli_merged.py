"""Merged inputs as a partner's shell sees them (issue 18 item 1): a workbook and a CSV folder both have a
``users,2``, and every report tells the two people apart by a ``source`` column; ``retry/`` gives each input
its own corrected copy in its own form. The run goes over real HTTP against the emulator."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.load.inputs import load_inputs
from tests.test_cli_run import SAMPLES, TOKEN, rtm

EXTRA_HEADER = "customer_external_id;email;first_name;last_name;package;location_name;phone_number;extension\n"
BAD = "FI-100101;bad-email;Test;User;webex_meetings;;;\n"
GOOD = "FI-100101;toinen.kayttaja@makelankonepaja.fi;Toinen;Käyttäjä;webex_meetings;;;\n"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        yield base_url


def _extra(tmp_path: Path, *rows: str) -> Path:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "users.csv").write_text(EXTRA_HEADER + "".join(rows), encoding="utf-8")
    return folder


def _csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_validate_puts_the_csv_folders_problem_on_its_own_row_not_the_workbooks(tmp_path: Path) -> None:
    """The issue's repro: ``validate samples/onboarding.xlsx extra`` and look at validation.xlsx users!B2."""
    extra = _extra(tmp_path, BAD)
    result = rtm("validate", str(SAMPLES), str(extra), "--out", str(tmp_path / "m"), token=None)
    assert result.returncode == 1, result.stderr
    assert "users (extra/users.csv)" in result.stdout  # the terminal's table names the input too
    (problem,) = _csv(tmp_path / "m" / "validation.csv")
    assert (problem["source"], problem["sheet"], problem["row"]) == (str(extra / "users.csv"), "users", "2")
    sheet = openpyxl.load_workbook(tmp_path / "m" / "validation.xlsx")["users"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    flagged = [r for r in rows if r["problems"]]
    assert [(r["email"], r["row"], r["source"]) for r in flagged] == [("bad-email", 2, str(extra / "users.csv"))]
    tuomas = next(r for r in rows if r["email"] == "it.tuki@makelankonepaja.fi")
    assert (tuomas["row"], tuomas["source"], tuomas["problems"]) == (2, f"{SAMPLES}#users", None)


def test_a_run_of_merged_inputs_reports_each_users_row_2_as_its_own_person(server: str, tmp_path: Path) -> None:
    extra = _extra(tmp_path, GOOD, BAD)
    out = tmp_path / "out"
    result = rtm("run", str(SAMPLES), str(extra), "--out", str(out), "--base-url", server, "--log-format", "json")
    assert result.returncode == 1, result.stderr
    users = [r for r in _csv(out / "results.csv") if r["sheet"] == "users"]
    workbook = next(r for r in users if r["source"] == f"{SAMPLES}#users" and r["row"] == "2")
    csv_row = next(r for r in users if r["source"] == str(extra / "users.csv") and r["row"] == "2")
    assert (workbook["key"], workbook["status"]) == ("it.tuki@makelankonepaja.fi", "created")
    assert (csv_row["key"], csv_row["status"]) == ("toinen.kayttaja@makelankonepaja.fi", "created")
    assert workbook["subscriber_id"] and csv_row["subscriber_id"]
    assert workbook["subscriber_id"] != csv_row["subscriber_id"]  # before: both rows showed the CSV user's jobs
    bad = next(r for r in users if r["source"] == str(extra / "users.csv") and r["row"] == "3")
    assert bad["status"] == "invalid"
    assert [r["status"] for r in users if r["source"] == f"{SAMPLES}#users"] == ["created"] * 61

    # results.xlsx names every row's input; summary.json the inputs
    sheet = openpyxl.load_workbook(out / "results.xlsx")["users"]
    header = [c.value for c in sheet[1]]
    assert "source" in header and "row" in header
    assert '"inputs"' in (out / "summary.json").read_text(encoding="utf-8")
    # its summary sheet: the inputs, the base URL, the failures by reason (issue 18 item 3)
    lines = list(openpyxl.load_workbook(out / "results.xlsx")["summary"].iter_rows(values_only=True))
    figures = {row[0]: row[1] for row in lines}
    shown = [row[1] for row in lines if row[0] == "input"]
    assert shown == [str(SAMPLES), str(extra)]
    assert figures["base URL"] == server and figures["failed: input.invalid"] == 1

    # retry/: one copy per input, each in its own form; together they load back
    copies = sorted(p.name for p in (out / "retry").iterdir())
    assert copies == ["extra", "onboarding"]
    assert (out / "retry" / "onboarding" / "retry.xlsx").is_file()  # the customers row the bad user needs
    retried = _csv(out / "retry" / "extra" / "users.csv", delimiter=";")  # the input's own separator
    assert [r["email"] for r in retried] == ["bad-email"]
    loaded = load_inputs([out / "retry" / "onboarding", out / "retry" / "extra"])
    assert loaded.sheets["users"].frame["email"].to_list() == ["bad-email"]
    assert loaded.sheets["customers"].frame["external_id"].to_list() == ["FI-100101"]


def test_day_two_changes_stay_on_their_own_input_row(server: str, tmp_path: Path) -> None:
    """Issue 18: on day 2 an applied change showed as ``exists`` and another person's change as ``updated``:
    the look-ups were matched to rows by (sheet, row), so the CSV's users,2 took the workbook's users,2's."""
    extra = _extra(tmp_path, GOOD)
    first = rtm("run", str(SAMPLES), str(extra), "--out", str(tmp_path / "day1"), "--base-url", server)
    assert first.returncode == 0, first.stderr
    moved = GOOD.replace("webex_meetings;;;", "webex_calling;;;1999")  # to calling, with an extension
    (extra / "users.csv").write_text(EXTRA_HEADER + moved, encoding="utf-8")
    plan = rtm("plan", str(SAMPLES), str(extra), "--out", str(tmp_path / "day2"), "--base-url", server)
    assert plan.returncode == 0, plan.stderr
    users = {(r["source"], r["row"]): r for r in _csv(tmp_path / "day2" / "results.csv") if r["sheet"] == "users"}
    changed = users[(str(extra / "users.csv"), "2")]
    assert "package: webex_meetings → webex_calling" in changed["changes"], changed
    unchanged = users[(f"{SAMPLES}#users", "2")]
    assert (unchanged["key"], unchanged["changes"]) == ("it.tuki@makelankonepaja.fi", ""), unchanged
    assert unchanged["message"] == "unchanged: already on the server", unchanged


def test_the_json_log_says_each_inputs_row_done_once_with_its_source(server: str, tmp_path: Path) -> None:
    """``row_done`` was counted by (sheet, row): the workbook's users,2 and users,3 never said done and the
    CSV's waited for both. Now each valid row of each input is done exactly once, naming its input."""
    third = GOOD.replace("toinen.kayttaja", "kolmas.kayttaja").replace("Toinen", "Kolmas")
    extra = _extra(tmp_path, GOOD, third)
    out = tmp_path / "out"
    result = rtm("run", str(SAMPLES), str(extra), "--out", str(out), "--base-url", server, "--log-format", "json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    done = [(e.get("source"), e["sheet"], e["row"]) for e in events if e["event"] == "row_done"]
    assert len(done) == len(set(done))  # exactly once
    rows = {
        (r["source"], r["sheet"], int(r["row"])) for r in _csv(out / "results.csv") if r["sheet"] != "templates"
    }  # templates have no jobs
    assert set(done) == rows
    assert {(str(extra / "users.csv"), "users", 2), (f"{SAMPLES}#users", "users", 2)} <= set(done)
    assert len([s for s in done if s[1] == "users"]) == 61 + 2


def test_a_message_naming_another_row_names_its_input_when_inputs_are_merged(tmp_path: Path) -> None:
    """Every input has a customers row 2 and a users row 2: "customers row 2" alone points at the wrong one
    half the time, so with merged inputs the message names the row's file too (single input: unchanged,
    tests/validate/test_validate_invalid_sample.py holds those messages)."""
    extra = _extra(
        tmp_path,
        "DE-1;anna@beispiel.de;Anna;Schmidt;webex_meetings;;;\n",
        "DE-1;it.tuki@makelankonepaja.fi;Doppelt;Person;webex_meetings;;;\n",  # the workbook's users row 2
    )
    (extra / "customers.csv").write_text(
        "external_id;company_name;admin_email;provisioning_id;packages;address_line1;city;country;"
        "supported_location_confirmed\n"
        "DE-1;;admin@beispiel.de;ZjViMzYxODctYzhkZC00NzI3;webex_meetings;Hauptstr. 1;Berlin;DE;ja\n",
        encoding="utf-8",
    )
    result = rtm("validate", str(SAMPLES), str(extra), "--out", str(tmp_path / "m"), token=None)
    assert result.returncode == 1, result.stderr
    problems = {(p["source"], p["row"], p["rule"]): p["message"] for p in _csv(tmp_path / "m" / "validation.csv")}
    users = str(extra / "users.csv")
    assert problems[(users, "2", "dependency.invalid_parent")] == (
        f"customer DE-1 on customers row 2 of {extra / 'customers.csv'} is invalid; fix that row first"
    )
    assert problems[(users, "3", "users.email.duplicate")].startswith(
        f"This email is already used on users row 2 of {SAMPLES}: "
    )
    # the terminal counts the cascade under the CSV's customers row 2, not the workbook's
    assert "customers (extra/customers.csv)" in result.stdout
    assert "dependent problems on rows that name this customer" in result.stdout


def test_a_run_names_the_input_of_the_row_that_held_another_back(tmp_path: Path) -> None:
    """At run time too: a user skipped because its customer failed is told which input's customers row 2."""
    extra = _extra(tmp_path, "DE-9;anna@beispiel.de;Anna;Schmidt;webex_meetings;;;\n")
    (extra / "customers.csv").write_text(
        "external_id;company_name;admin_email;provisioning_id;packages;address_line1;city;postal_code;country;"
        "supported_location_confirmed\n"
        "DE-9;Beispiel GmbH;admin@beispiel.de;ZjViMzYxODctYzhkZC00NzI3;webex_meetings;Hauptstr. 1;Berlin;10115;DE;ja\n",
        encoding="utf-8",
    )
    failing = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, customer_outcomes={"DE-9": "error"})
    with running_emulator(failing) as base_url:
        result = rtm("run", str(SAMPLES), str(extra), "--out", str(tmp_path / "out"), "--base-url", base_url)
    assert result.returncode == 1, result.stderr
    rows = {(r["source"], r["sheet"], r["row"]): r for r in _csv(tmp_path / "out" / "results.csv")}
    customer = rows[(str(extra / "customers.csv"), "customers", "2")]
    assert customer["status"] == "failed", customer
    user = rows[(str(extra / "users.csv"), "users", "2")]
    assert user["status"] == "skipped", user
    assert f"customers row 2 of {extra / 'customers.csv'} did not succeed" in user["message"], user
    # report.html's failure table names the failed row's input under its sheet
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f'customers<br><span class="note">{extra / "customers.csv"}</span>' in page
    # the plain log (stderr off a terminal) names each row's input too, so its two users row 2 are told apart
    assert f"skipped subscriber users row 2 ({extra / 'users.csv'}) subscriber:anna@beispiel.de" in result.stderr
    assert f"created subscriber users row 2 ({SAMPLES}) subscriber:it.tuki@makelankonepaja.fi" in result.stderr
