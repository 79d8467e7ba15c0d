"""Issue 18 item 3: what Excel does to digits typed into a number cell. A phone number that had its country
code loses its + (``495114209701`` in DE), and the national reading then holds the code twice; a postal code
loses its leading zero (``1067`` for 01067 Dresden). Both are named, with what the cell probably was."""

from __future__ import annotations

from pathlib import Path

from batch.load.inputs import load_inputs
from batch.validate.validator import validate
from tests.builders import input_sheets, write_workbook
from tests.validate.german_batch import german_rows
from tests.validate.test_validate_support import loaded


def _table(result) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.value, p.severity, p.rule) for p in result.problems]


def test_the_german_batch_is_valid() -> None:
    assert _table(validate(loaded(**german_rows()))) == []


def test_a_number_cell_with_its_country_code_is_not_read_with_the_code_twice(tmp_path: Path) -> None:
    """The cell as Excel stores it (a number), through the real loader: one error that proposes the number with
    the code once, and no warning that advises adding the doubled number to the location."""
    rows = german_rows(users={0: {"phone_number": "495114209701"}})
    path = write_workbook(tmp_path / "de.xlsx", input_sheets(**rows), numeric_columns=["phone_number"])
    result = validate(load_inputs([path]))
    assert _table(result) == [
        ("users", 2, "phone_number", "495114209701", "error", "users.phone_number.invalid"),
    ]
    message = result.problems[0].message
    assert "Excel stored this as a number" in message
    assert "did you mean +49 511 4209701?" in message
    assert "4951" not in message.replace("'495114209701'", "")  # the doubled reading is never proposed


def test_the_same_in_a_list_of_numbers_and_a_main_number() -> None:
    rows = german_rows(locations={0: {"numbers": "+49 351 4209800; 493514209801", "main_number": "493514209800"}})
    result = validate(loaded(**rows))
    assert _table(result) == [
        ("locations", 2, "main_number", "493514209800", "error", "locations.main_number.invalid"),
        ("locations", 2, "numbers", "493514209801", "error", "locations.numbers.invalid"),
        ("users", 3, "location_name", "Dresden", "error", "dependency.invalid_parent"),
    ]
    assert "did you mean +49 351 4209801?" in result.problems[1].message


def test_a_national_number_with_its_zero_is_still_the_national_number() -> None:
    rows = german_rows(locations={0: {"numbers": "+49 351 4209800; 0495114209701"}})
    assert _table(validate(loaded(**rows))) == []


def test_a_postal_code_that_lost_its_leading_zero(tmp_path: Path) -> None:
    rows = german_rows(locations={0: {"postal_code": "1069"}}, customers={0: {"postal_code": "30165"}})
    path = write_workbook(tmp_path / "de.xlsx", input_sheets(**rows), numeric_columns=["postal_code"])
    result = validate(load_inputs([path]))
    assert _table(result) == [
        ("locations", 2, "postal_code", "1069", "error", "locations.postal_code.leading_zero_lost"),
        ("users", 3, "location_name", "Dresden", "error", "dependency.invalid_parent"),
    ]
    message = result.problems[0].message
    assert "Postal codes in DE have 5 digits" in message and "dropped its leading zero" in message
    assert "probably 01069" in message


def test_postal_codes_of_other_shapes_are_left_alone() -> None:
    """Four digits are right in Austria, a US ZIP+4 is longer, a UK code has letters."""
    rows = german_rows(locations={0: {"postal_code": "1010", "country": "AT", "timezone": "Europe/Vienna"}})
    assert _table(validate(loaded(**rows))) == []
    rows = german_rows(customers={0: {"postal_code": "01069-1234"}})
    assert _table(validate(loaded(**rows))) == []
