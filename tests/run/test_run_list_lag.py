"""Lists that lag behind creates (issue 17 items 3 and 4, webex-api.md §10.8), over real HTTP: a freshly
provisioned customer's headquarters that the listing does not show yet is looked up again, not failed; and
a night whose workbook names numbers a location lacks adds them, without ``--update`` and whatever ``--out``
it uses, so no user with a number fails for want of it."""

from __future__ import annotations

from pathlib import Path

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS, FAILED, SKIPPED
from tests.builders import input_sheets, write_csv_folder
from tests.run.test_run_e2e import SAMPLES, TOKEN, operator, run
from tests.validate.test_validate_support import valid_rows


def test_a_headquarters_the_list_does_not_show_yet_is_looked_up_again(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, list_lag_seconds=2.0)
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url)
    bad = [(r.sheet, r.row, r.status, r.message) for r in outcome.results if r.status in (FAILED, SKIPPED)]
    assert not bad, bad
    hqs = [r for r in outcome.results if r.sheet == "customers"]
    assert hqs and all(r.status == CREATED for r in hqs)


def test_numbers_a_location_lacks_are_added_on_a_later_night_without_update(tmp_path: Path) -> None:
    """Night 1 made the locations without numbers (an interrupted run, or a workbook filled in later); night
    2, into a new --out as the README advises, names the numbers and users with them: all are created."""
    first_night = valid_rows()
    for row in [*first_night["customers"], *first_night["locations"]]:
        row.pop("numbers", None)
        row.pop("main_number", None)
    first_night["users"] = [u for u in first_night["users"] if not u.get("phone_number")]
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, list_lag_seconds=1.0)
    with running_emulator(config) as base_url:
        night1 = run([write_csv_folder(tmp_path / "n1", input_sheets(**first_night))], tmp_path / "o1", base_url)
        assert night1.exit_code == 0, [(r.sheet, r.row, r.message) for r in night1.results if r.status == FAILED]
        night2 = run([write_csv_folder(tmp_path / "n2", input_sheets(**valid_rows()))], tmp_path / "o2", base_url)
        state = operator(base_url, "state")
    got = {(r.sheet, r.key.casefold()): (r.status, r.message) for r in night2.results}
    assert night2.exit_code == 0, got
    assert got[("customers", "fi-1")][0] == CREATED and "added numbers" in got[("customers", "fi-1")][1]
    assert got[("locations", "fi-1/tampere")][0] == CREATED
    assert got[("users", "liisa@makela.fi")][0] == CREATED and got[("users", "it@makela.fi")][0] in (CREATED, EXISTS)
    held = {n["phone_number"] for n in state["numbers"]}
    assert {"+358942451000", "+358356552001"} <= held
    mains = {loc["name"]: loc.get("main_number") for loc in state["locations"]}
    assert mains["Tampere"] == "+358356552000"  # a main number where the location had none: created too
