"""The template workbook and the README column reference both come from the schemas."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from batch.docs import column_reference
from batch.template import write_template
from schemas import SHEETS, vocab

ROOT = Path(__file__).resolve().parents[1]


def test_template_has_every_sheet_column_note_and_frozen_header(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    assert book.sheetnames[0] == "README"
    assert book["lists"].sheet_state == "hidden"
    for spec in SHEETS.values():
        sheet = book[spec.name]
        assert [c.value for c in sheet[1]] == list(spec.column_names)
        assert sheet.freeze_panes == "A2"
        for cell, doc in zip(sheet[1], spec.columns, strict=True):
            assert doc.meaning in cell.comment.text
            assert ("Required." in cell.comment.text) == doc.required


def test_template_dropdowns_point_at_full_lists(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    lists = book["lists"]
    header = {cell.value: cell.column_letter for cell in lists[1]}
    country_values = [c.value for c in lists[header["countries"]][1:] if c.value]
    assert tuple(country_values) == vocab.countries()
    assert "FI" in country_values and "SE" in country_values
    customers = book["customers"]
    col = {c.value: c.column_letter for c in customers[1]}
    by_range = {str(dv.sqref).split(":")[0]: dv for dv in customers.data_validations.dataValidation}
    country_dv = by_range[f"{col['country']}2"]
    assert country_dv.formula1 == f"lists!${header['countries']}$2:${header['countries']}${len(country_values) + 1}"
    assert country_dv.errorStyle == "warning"  # warns, never blocks: the validator is the judge
    assert by_range[f"{col['packages']}2"].errorStyle == "information"
    assert f"{col['timezone']}2" in by_range
    assert f"{col['supported_location_confirmed']}2" in by_range


def test_readme_column_reference_is_generated_from_schemas() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert column_reference() in readme, "README column reference is stale: run `python -m batch.docs`"


def test_numbers_state_has_its_drop_down_on_both_sheets(tmp_path: Path) -> None:
    """Issue 9 item 2: numbers_state offers active / inactive; pstn_connection is free text (the location's
    options are only known on the server)."""
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    lists = book["lists"]
    header = {cell.value: cell.column_letter for cell in lists[1]}
    assert [c.value for c in lists[header["number_states"]][1:] if c.value] == ["active", "inactive"]
    for name in ("customers", "locations"):
        sheet = book[name]
        col = {c.value: c.column_letter for c in sheet[1]}
        by_range = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
        assert by_range[f"{col['numbers_state']}2"].formula1.startswith(f"lists!${header['number_states']}$2")
        assert f"{col['pstn_connection']}2" not in by_range


def test_template_lists_accept_what_the_validator_accepts_and_fit_an_email(tmp_path: Path) -> None:
    from batch.load.inputs import load_inputs

    path = write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    lists = book["lists"]
    header = {cell.value: cell.column_letter for cell in lists[1]}
    booleans = {c.value for c in lists[header["booleans"]][1:] if c.value}
    assert {"yes", "kyllä", "x"} <= booleans <= vocab.TRUE_WORDS
    assert {"languages", "location_languages", "countries", "timezones", "packages", "roles"} <= set(header)
    for name in ("customers", "locations"):
        sheet = book[name]
        col = {c.value: c.column_letter for c in sheet[1]}
        ranges = {str(dv.sqref).split(":")[0] for dv in sheet.data_validations.dataValidation}
        languages = [c for c in col if c.endswith("language")]
        assert languages and all(f"{col[c]}2" in ranges for c in languages)
        assert all(dv.errorStyle in ("warning", "information") for dv in sheet.data_validations.dataValidation)
    users = book["users"]
    email = {c.value: c.column_letter for c in users[1]}["email"]
    assert users.column_dimensions[email].width >= 30
    assert book["example"]["B3"].value  # an example row per sheet
    book["customers"].append([doc.example for doc in SHEETS["customers"].columns])  # the template is empty
    book.save(tmp_path / "filled.xlsx")
    assert load_inputs([tmp_path / "filled.xlsx"]).problems == ()  # README, lists and example are not input


def test_template_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    import pytest

    from batch.errors import UsageError

    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"a filled-in workbook")
    with pytest.raises(UsageError, match="--force"):
        write_template(target)
    assert target.read_bytes() == b"a filled-in workbook"
    assert write_template(target, force=True).stat().st_size > 1000


def test_template_out_a_folder_writes_onboarding_xlsx_there(tmp_path: Path) -> None:
    """Issue 18 item 3: ``template --out FOLDER`` writes FOLDER/onboarding.xlsx."""
    assert write_template(tmp_path) == tmp_path / "onboarding.xlsx"
    assert openpyxl.load_workbook(tmp_path / "onboarding.xlsx").sheetnames[0] == "README"


def test_template_out_a_csv_or_another_name_is_refused_with_the_fix(tmp_path: Path) -> None:
    import pytest

    from batch.errors import UsageError

    with pytest.raises(UsageError) as csv_name:
        write_template(tmp_path / "onboarding.csv")
    assert str(csv_name.value).startswith(
        f"{tmp_path / 'onboarding.csv'}: the template is an .xlsx workbook, not a CSV"
    )
    assert f"such as {tmp_path / 'onboarding.xlsx'}" in str(csv_name.value)
    with pytest.raises(UsageError, match="a file name ending in .xlsx, or a folder"):
        write_template(tmp_path / "onboarding")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_template_says_no_rows(tmp_path: Path) -> None:
    import pytest

    from batch.errors import InputError
    from batch.load.inputs import load_inputs

    path = write_template(tmp_path / "t.xlsx")
    with pytest.raises(InputError, match=r"t\.xlsx: no rows: the customers, locations and users sheets have their"):
        load_inputs([path])
