"""An existing ``--out`` (issue 18 item 2): nothing a run wrote is ever lost. A new run into a folder holding an
earlier run's reports moves them under ``OUT/previous/<run id>/`` with a line saying so; an input inside OUT (its
``retry/``) is read before anything moves; ``validate --out`` into a folder a running run holds is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.run.journal.store import Journal
from tests.test_cli_run import SAMPLES, TOKEN, rtm

BAD_USER = (
    "customer_external_id;email;first_name;last_name;package;location_name;phone_number;extension\n"
    "FI-100101;bad-email;Test;User;webex_meetings;;;\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        yield base_url


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_run_of_its_own_retry_folder_keeps_the_earlier_reports(server: str, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "users.csv").write_text(BAD_USER, encoding="utf-8")
    out = tmp_path / "r1"
    first = rtm("run", str(SAMPLES), str(extra), "--out", str(out), "--base-url", server)
    assert first.returncode == 1, first.stderr
    run_id = json.loads((out / "summary.json").read_text(encoding="utf-8"))["run_id"]
    before = {name: data for name, data in _files(out).items() if not name.startswith("journal")}
    assert any(name.startswith("retry/") for name in before)

    again = rtm("run", str(out / "retry" / "onboarding"), str(out / "retry" / "extra"), "--out", str(out),
                "--base-url", server)  # fmt: skip
    assert again.returncode == 1, again.stderr  # the retried row is still invalid: it was read, not lost
    kept = out / "previous" / run_id
    assert f"were moved to {kept}" in again.stderr
    assert _files(kept) == before  # every report of the first run, byte for byte
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["run_id"] != run_id
    results = (out / "results.csv").read_text(encoding="utf-8-sig")
    assert "bad-email" in results and "invalid" in results
    # the new retry copy keeps the input's form, read before the old retry/ moved: ';', no BOM
    again_users = (out / "retry" / "extra" / "users.csv").read_bytes()
    assert again_users.startswith(b"customer_external_id;email;"), again_users[:60]


def test_validate_into_a_folder_a_running_run_holds_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert rtm("validate", str(SAMPLES), "--out", str(out), token=None).returncode == 0
    before = _files(out)
    with Journal.open(out / "journal.sqlite"):  # a run is going on in out/
        result = rtm("validate", str(SAMPLES), "--out", str(out), token=None)
    assert result.returncode == 2 and "a run is writing its reports there" in result.stderr, result.stderr
    assert {k: v for k, v in _files(out).items() if not k.startswith("journal")} == {
        k: v for k, v in before.items() if not k.startswith("journal")
    }


def test_validate_twice_into_one_folder_moves_the_first_reports_aside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert rtm("validate", str(SAMPLES), "--out", str(out), token=None).returncode == 0
    first = _files(out)
    second = rtm("validate", str(SAMPLES), "--out", str(out), token=None)
    assert second.returncode == 0 and "were moved to" in second.stderr
    (kept,) = (out / "previous").iterdir()
    assert _files(kept) == first
