"""A user without calling has no location: ``location_name`` is "for calling packages" (contract §1, users), and
the API takes ``locationId`` for calling packages only. So a meetings user naming a location that is in neither
the batch nor on the server is valid offline, with no warning, and is provisioned without a location; a calling
user naming the same location gets the offline warning and is ``failed`` once the server proves it missing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, FAILED
from batch.load.inputs import load_inputs
from batch.run.runner import RunOptions, RunOutcome, run_batch
from batch.validate.validator import validate
from tests.builders import input_sheets, write_csv_folder
from tests.provision.conftest import emulator_root, reset
from tests.validate.test_validate_support import valid_rows

TOKEN = "meetings-location-token"
RULE = "users.location_name.not_in_batch"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        yield base_url


@pytest.fixture
def emulator(server: str) -> str:
    reset(server)
    return server


def run(folder: Path, out: Path, base_url: str) -> RunOutcome:
    options = RunOptions(
        out_dir=out, base_url=base_url, token=TOKEN, max_rate=5000.0, poll_initial=0.01, log_format="plain"
    )
    return run_batch([folder], options, Console(file=io.StringIO()))


def subscribers(base_url: str) -> dict[str, dict[str, Any]]:
    response = httpx.get(f"{emulator_root(base_url)}/_emulator/state", timeout=10)
    response.raise_for_status()
    return {s["email"].casefold(): s for s in response.json()["subscribers"]}


def test_meetings_user_needs_no_location_and_calling_user_is_checked_on_the_server(
    emulator: str, tmp_path: Path
) -> None:
    day_one = valid_rows()
    first = run(write_csv_folder(tmp_path / "day1", input_sheets(**day_one)), tmp_path / "o1", emulator)
    assert first.exit_code == 0, [(r.sheet, r.row, r.status, r.message) for r in first.results]
    user = {"customer_external_id": "FI-1", "first_name": "Uusi", "last_name": "Käyttäjä"}
    day_two = {
        "templates": day_one["templates"],
        "customers": day_one["customers"][:1],
        "users": [
            {**user, "email": "kokous@makela.fi", "package": "webex_meetings", "location_name": "Nowhere"},
            {**user, "email": "tampere-kokous@makela.fi", "package": "webex_meetings", "location_name": "TAMPERE"},
            {**user, "email": "harhaan@makela.fi", "package": "webex_calling", "location_name": "Nowhere"},
            {**user, "email": "soittaja@makela.fi", "package": "webex_calling", "location_name": "TAMPERE"},
        ],
    }
    for row in day_two["users"]:
        if row["package"] == "webex_calling":
            row["extension"] = str(3000 + len(row["email"]))
    folder = write_csv_folder(tmp_path / "day2", input_sheets(**day_two))

    offline = validate(load_inputs([folder]))
    assert offline.error_count == 0, offline.problems
    found = {(p.sheet, p.row, p.column, p.rule, p.severity) for p in offline.problems}
    assert found == {
        ("users", 4, "location_name", RULE, "warning"),  # calling, Nowhere: must be on the server
        ("users", 5, "location_name", RULE, "warning"),  # calling, Tampere: it is (day one)
    }
    assert offline.sheets["users"]["_valid"].all()

    second = run(folder, tmp_path / "o2", emulator)
    got = {r.row: (r.status, r.message) for r in second.results if r.sheet == "users"}
    assert got[2][0] == CREATED and got[3][0] == CREATED, got
    assert got[4][0] == FAILED and "Nowhere" in got[4][1], got
    assert got[5][0] == CREATED, got
    state = subscribers(emulator)
    assert state["kokous@makela.fi"]["package"] == "webex_meetings"
    assert state["kokous@makela.fi"]["location_id"] is None
    assert state["tampere-kokous@makela.fi"]["location_id"] is None
    assert state["soittaja@makela.fi"]["location_id"] is not None
    assert "harhaan@makela.fi" not in state
