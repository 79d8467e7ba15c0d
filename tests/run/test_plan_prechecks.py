"""``plan --base-url`` sees what ``run`` would meet (issue 17 item 6), over real HTTP and read-only: Webex's
prechecks (their ``message`` trusted, not the status alone), ``validateNumbers``, a customer on neither the
batch nor the server, and an announcement language Webex does not offer."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import FAILED
from batch.provision.preview.rows import plan_batch
from tests.builders import input_sheets, write_csv_folder
from tests.run.test_run_e2e import TOKEN, run, writes
from tests.validate.test_validate_support import valid_rows


@pytest.mark.parametrize("as_200", [False, True], ids=["refused with a status", "refused in a 200's message"])
def test_plan_fails_what_the_run_would_meet(tmp_path: Path, as_200: bool) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, precheck_failures_as_200=as_200)
    other = {**valid_rows()["customers"][0], "external_id": "FI-8", "admin_email": "it@kahdeksas.fi"}
    other |= {"numbers": "+358 9 5555 0000..+358 9 5555 0003", "main_number": "+358 9 5555 0000"}
    day_one = valid_rows()
    day_one["customers"].append(other)
    with running_emulator(config) as base_url:
        first = run([write_csv_folder(tmp_path / "d1", input_sheets(**day_one))], tmp_path / "o1", base_url)
        assert first.exit_code == 0
        rows = valid_rows()
        taken = {**rows["customers"][1], "external_id": "FI-9", "admin_email": "eero@makela.fi"}  # a user of FI-1
        rows["customers"] = [rows["customers"][0], taken]
        rows["locations"][0]["numbers"] = "+358 3 5655 2000; +358 3 5655 2001; +358 9 5555 0002"  # FI-8's
        rows["users"].append(
            {
                "customer_external_id": "SE-404",
                "email": "x@nowhere.se",
                "first_name": "X",
                "last_name": "Y",
                "package": "webex_meetings",
            }
        )
        before = writes(base_url)
        outcome = plan_batch(
            [write_csv_folder(tmp_path / "d2", input_sheets(**rows))], tmp_path / "plan", base_url=base_url, token=TOKEN
        )
        assert writes(base_url) == before  # prechecks ask; nothing is written
    got = {(r.sheet, r.key.casefold()): r for r in outcome.results}
    fi9 = got[("customers", "fi-9")]
    assert (fi9.status, fi9.reason) == (FAILED, "api.refused") and "precheck" in fi9.message, fi9.message
    nowhere = got[("users", "x@nowhere.se")]
    assert (nowhere.status, nowhere.reason) == (FAILED, "customer.not_found")
    tampere = got[("locations", "fi-1/tampere")]
    assert (tampere.status, tampere.reason) == (FAILED, "numbers.unavailable"), tampere.message
    assert "+358955550002: Unavailable" in tampere.message
    assert got[("customers", "fi-1")].status != FAILED


def test_plan_fails_an_announcement_language_webex_does_not_offer(tmp_path: Path) -> None:
    with running_emulator(EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)) as base_url:
        assert run([write_csv_folder(tmp_path / "d1", input_sheets(**valid_rows()))], tmp_path / "o1", base_url)
        rows = valid_rows()
        rows["locations"][0] |= {"location_name": "Lahti", "numbers": None, "main_number": None}
        rows["locations"][0]["announcement_language"] = "pt_pt"
        outcome = plan_batch(
            [write_csv_folder(tmp_path / "d2", input_sheets(**rows))], tmp_path / "plan", base_url=base_url, token=TOKEN
        )
    [lahti] = [r for r in outcome.results if r.key.casefold() == "fi-1/lahti"]
    assert lahti.status == FAILED and "announcement_language pt_pt is not one Webex offers" in lahti.message
