"""The loader: workbook or CSV folder → one text frame per sheet with Excel row numbers, or one clear error."""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from batch.errors import InputError
from batch.load.inputs import MAX_ROW_WARNINGS, ROW, SOURCE, canonical_name, load_inputs
from batch.template import write_template
from schemas import SHEETS
from tests.builders import input_sheets, sheet_rows, write_csv, write_csv_folder, write_workbook

USER = {
    "customer_external_id": "FI-1",
    "email": "aino.makela@example.fi",
    "first_name": "Aino",
    "last_name": "Mäkelä",
    "package": "webex_calling",
    "phone_number": "+358 40 123 4567",
}
CUSTOMER = {
    "external_id": "FI-1",
    "company_name": "Mäkelän Konepaja Oy",
    "admin_email": "it@makela.fi",
    "packages": "webex_calling",
    "address_line1": "Hämeentie 15",
    "city": "Helsinki",
    "postal_code": "00510",
    "country": "FI",
    "supported_location_confirmed": "yes",
    "numbers": "+358 9 4245 1000..+358 9 4245 1001\n+358 9 4245 1010",
}
LOCATION = {
    "customer_external_id": "FI-1",
    "location_name": "Tampere",
    "address_line1": "Hämeenkatu 1",
    "city": "Tampere",
    "country": "FI",
    "timezone": "Europe/Helsinki",
    "preferred_language": "fi_fi",
    "announcement_language": "fi_fi",
}


def batch_sheets(users: int = 3) -> dict[str, list[list]]:
    people = [{**USER, "email": f"user{i}@example.fi", "extension": f"{100 + i}"} for i in range(users)]
    return input_sheets(customers=[CUSTOMER], locations=[LOCATION], users=people)


def message(exc: pytest.ExceptionInfo[InputError]) -> str:
    text = str(exc.value)
    assert "\n" not in text, "errors for a person are one line"
    return text


# -- shape of the result --------------------------------------------------------------------------------


def test_frames_have_every_column_in_order_all_text(tmp_path: Path) -> None:
    batch = load_inputs([write_workbook(tmp_path / "in.xlsx", batch_sheets())])
    assert set(batch.sheets) == set(SHEETS)
    for name, spec in SHEETS.items():
        frame = batch.sheets[name].frame
        assert frame.columns == [*spec.column_names, ROW, SOURCE]
        assert frame.schema[ROW] == pl.Int64
        assert all(dtype == pl.String for col, dtype in frame.schema.items() if col != ROW)
    users = batch.sheets["users"].frame
    assert users["email"].to_list() == ["user0@example.fi", "user1@example.fi", "user2@example.fi"]
    assert users[ROW].to_list() == [2, 3, 4]
    assert users["roles"].null_count() == 3
    assert set(users[SOURCE]) == {f"{tmp_path / 'in.xlsx'}#users"}
    assert batch.sheets["templates"].frame.height == 0
    assert batch.problems == ()


def test_template_workbook_loads_without_warnings(tmp_path: Path) -> None:
    """The README and lists sheets of our own template are not reported as unknown sheets; as written, with no
    rows, it is one line saying so (issue 18)."""
    import openpyxl

    path = write_template(tmp_path / "template.xlsx")
    with pytest.raises(InputError, match="no rows"):
        load_inputs([path])
    book = openpyxl.load_workbook(path)
    book["users"].append([doc.example for doc in SHEETS["users"].columns])
    book.save(path)
    batch = load_inputs([path])
    assert batch.problems == ()
    assert [data.frame.height for data in batch.sheets.values()] == [0, 0, 0, 1]


def test_xlsx_and_csv_folder_give_equal_frames(tmp_path: Path) -> None:
    sheets = batch_sheets()
    sheets["users"].insert(2, [])  # a blank row in the middle
    sheets["users"][1][SHEETS["users"].column_names.index("phone_number")] = "358401234567"
    book = write_workbook(tmp_path / "in.xlsx", sheets, trailing_blank_rows=3, numeric_columns={"phone_number"})
    from_xlsx = load_inputs([book])
    from_csv = load_inputs([write_csv_folder(tmp_path / "csv", sheets, separator=";", bom=True)])
    for name in SHEETS:
        left, right = from_xlsx.sheets[name], from_csv.sheets[name]
        assert_frame_equal(left.frame.drop(SOURCE), right.frame.drop(SOURCE))
        assert left.headers == right.headers
    assert from_xlsx.sheets["users"].frame[ROW].to_list() == [2, 4, 5]


# -- Excel rows and cells ---------------------------------------------------------------------------------


def test_excel_row_numbers_survive_blank_rows_above_between_and_after(tmp_path: Path) -> None:
    rows = sheet_rows("users", [{**USER, "email": f"u{i}@x.fi"} for i in range(4)])
    users = [[], [], rows[0], rows[1], [], ["", "  ", None], rows[2], rows[3], [], rows[4]]
    sheets = {**input_sheets(), "users": users}
    frame = load_inputs([write_workbook(tmp_path / "in.xlsx", sheets, trailing_blank_rows=5)]).sheets["users"].frame
    assert frame[ROW].to_list() == [4, 7, 8, 10]
    assert frame["email"].to_list() == ["u0@x.fi", "u1@x.fi", "u2@x.fi", "u3@x.fi"]


def test_numeric_cells_become_exact_text(tmp_path: Path) -> None:
    numbers = [358401234567, 3.58401234567e11, 4.58e11, 40123, 1.5, 0]
    people = [{**USER, "email": f"u{i}@x.fi", "phone_number": n} for i, n in enumerate(numbers)]
    people.append({**USER, "email": "date@x.fi", "phone_number": dt.date(2024, 5, 1), "extension": True})
    path = write_workbook(tmp_path / "in.xlsx", input_sheets(users=people))
    frame = load_inputs([path]).sheets["users"].frame
    assert frame["phone_number"].to_list() == [
        "358401234567",
        "358401234567",
        "458000000000",
        "40123",
        "1.5",
        "0",
        "2024-05-01",
    ]
    assert frame["extension"].to_list()[-1] == "true"


def test_text_cells_keep_leading_zeros_and_plus(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "in.xlsx", input_sheets(customers=[CUSTOMER]))
    row = load_inputs([path]).sheets["customers"].frame.row(0, named=True)
    assert row["postal_code"] == "00510"
    assert row["numbers"] == CUSTOMER["numbers"]


def test_numeric_columns_builder_writes_digit_strings_as_numbers(tmp_path: Path) -> None:
    people = [{**USER, "phone_number": "358401234567", "extension": "0101"}]
    path = write_workbook(tmp_path / "in.xlsx", input_sheets(users=people), numeric_columns={"phone_number"})
    row = load_inputs([path]).sheets["users"].frame.row(0, named=True)
    assert (row["phone_number"], row["extension"]) == ("358401234567", "0101")


def test_cells_are_trimmed_and_blank_is_null(tmp_path: Path) -> None:
    person = {**USER, "first_name": "  Aino\u00a0", "roles": "   ", "location_name": ""}
    folder = write_csv_folder(tmp_path / "csv", input_sheets(users=[person]))
    row = load_inputs([folder]).sheets["users"].frame.row(0, named=True)
    assert (row["first_name"], row["roles"], row["location_name"]) == ("Aino", None, None)


# -- CSV ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_separator_sniffed_with_or_without_bom(tmp_path: Path, separator: str, bom: bool) -> None:
    folder = write_csv_folder(tmp_path / "csv", batch_sheets(), separator=separator, bom=bom)
    batch = load_inputs([folder])
    users = batch.sheets["users"]
    assert users.headers["customer_external_id"] == "customer_external_id"  # no BOM glued to the header
    assert users.frame["phone_number"].to_list() == ["+358 40 123 4567"] * 3
    assert batch.sheets["customers"].frame["numbers"][0] == CUSTOMER["numbers"]


def test_csv_row_is_record_number_even_after_quoted_newline(tmp_path: Path) -> None:
    rows = sheet_rows("customers", [CUSTOMER, {**CUSTOMER, "external_id": "FI-2", "numbers": None}])
    rows.insert(2, [])  # a blank line is a blank row in Excel too
    folder = write_csv_folder(tmp_path / "csv", {**input_sheets(), "customers": rows})
    frame = load_inputs([folder]).sheets["customers"].frame
    assert frame["external_id"].to_list() == ["FI-1", "FI-2"]
    assert frame[ROW].to_list() == [2, 4]
    assert frame["numbers"][0].count("\n") == 1


def test_csv_header_after_blank_lines_keeps_record_numbers(tmp_path: Path) -> None:
    rows = [[], *sheet_rows("users", [USER])]
    folder = write_csv_folder(tmp_path / "csv", {**input_sheets(), "users": rows}, separator=";")
    frame = load_inputs([folder]).sheets["users"].frame
    assert frame[ROW].to_list() == [3]


def test_csv_file_names_match_case_insensitively(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    for name, rows in batch_sheets().items():
        write_csv(folder / f"{name.capitalize()}.CSV", rows)
    assert load_inputs([folder]).sheets["users"].frame.height == 3


def test_single_csv_files_as_inputs_are_merged(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "csv", batch_sheets())
    batch = load_inputs([folder / "customers.csv", folder / "locations.csv", folder / "users.csv"])
    assert batch.sheets["users"].frame.height == 3


def test_csv_row_with_more_cells_than_header_is_a_warning(tmp_path: Path) -> None:
    rows = sheet_rows("users", [USER, USER])
    rows[2] = [*rows[2], "stray"]
    folder = write_csv_folder(tmp_path / "csv", {**input_sheets(), "users": rows})
    batch = load_inputs([folder])
    assert [(p.sheet, p.row, p.rule, p.severity) for p in batch.problems] == [
        ("users", 3, "users.row.extra_cells", "warning")
    ]
    assert batch.sheets["users"].frame.height == 2


# -- headers --------------------------------------------------------------------------------------------


def test_canonical_name() -> None:
    assert canonical_name(" Company Name ") == canonical_name("company_name") == "company_name"
    assert canonical_name("Company-Name") == canonical_name("COMPANY  NAME") == "company_name"


def test_header_spelling_variants(tmp_path: Path) -> None:
    header = [" Customer External ID", "E-mail", "First Name", "LAST_NAME", "Package", "Phone", "Ext"]
    rows = [header, ["FI-1", "a@x.fi", "Aino", "Mäkelä", "webex_calling", "+358 40 1", "100"]]
    sheets = {name: rows for name, rows in input_sheets().items() if name != "users"} | {"Users ": rows}
    batch = load_inputs([write_workbook(tmp_path / "in.xlsx", sheets)])
    users = batch.sheets["users"]
    assert users.frame.row(0, named=True) | {SOURCE: None} == {
        **dict.fromkeys(SHEETS["users"].column_names),
        "customer_external_id": "FI-1",
        "email": "a@x.fi",
        "first_name": "Aino",
        "last_name": "Mäkelä",
        "package": "webex_calling",
        "phone_number": "+358 40 1",
        "extension": "100",
        ROW: 2,
        SOURCE: None,
    }
    assert users.headers["email"] == "E-mail"
    assert users.headers["customer_external_id"] == "Customer External ID"
    assert batch.problems == ()


def test_address_line_with_space_before_digit_is_an_alias(tmp_path: Path) -> None:
    rows = sheet_rows("locations", [LOCATION])
    rows[0] = ["Address Line 1" if h == "address_line1" else h for h in rows[0]]
    batch = load_inputs([write_workbook(tmp_path / "in.xlsx", {**input_sheets(), "locations": rows})])
    assert batch.sheets["locations"].frame["address_line1"].to_list() == ["Hämeenkatu 1"]


def test_unknown_column_is_a_warning_and_ignored(tmp_path: Path) -> None:
    rows = sheet_rows("users", [USER], columns=[*SHEETS["users"].column_names, "Notes"])
    rows[1][-1] = "call first"
    batch = load_inputs([write_workbook(tmp_path / "in.xlsx", {**input_sheets(), "users": rows})])
    (problem,) = batch.problems
    assert (problem.sheet, problem.row, problem.column, problem.severity, problem.rule) == (
        "users",
        1,
        "Notes",
        "warning",
        "users.column.unknown",
    )
    assert "ignored" in problem.message and "customer_external_id, email" in problem.message
    assert "Notes" not in batch.sheets["users"].frame.columns


def test_values_without_header_are_a_warning(tmp_path: Path) -> None:
    rows = sheet_rows("users", [USER])
    rows[1] = [*rows[1], None, "orphan"]
    batch = load_inputs([write_workbook(tmp_path / "in.xlsx", {**input_sheets(), "users": rows})])
    assert [(p.column, p.rule) for p in batch.problems] == [("(column K)", "users.column.unknown")]


def test_unknown_sheet_is_a_warning_readme_and_lists_are_not(tmp_path: Path) -> None:
    sheets = {**batch_sheets(), "README": [["help"]], "lists": [["x"]], "Pivot": [["a"], ["1"]]}
    batch = load_inputs([write_workbook(tmp_path / "in.xlsx", sheets)])
    assert [(p.sheet, p.row, p.rule, p.severity) for p in batch.problems] == [
        ("Pivot", None, "file.sheet.unknown", "warning")
    ]


def test_two_sheets_for_one_input_sheet_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_inputs([write_workbook(tmp_path / "in.xlsx", {**batch_sheets(), "Users ": [["email"]]})])
    assert "'users' and 'Users '" in message(exc)


def test_duplicate_header_is_an_input_error(tmp_path: Path) -> None:
    rows = sheet_rows("users", [USER], columns=[*SHEETS["users"].column_names, "E-mail"])
    with pytest.raises(InputError) as exc:
        load_inputs([write_workbook(tmp_path / "in.xlsx", {**input_sheets(), "users": rows})])
    assert "'email' and 'E-mail'" in message(exc) and "users" in message(exc)


def test_missing_optional_column_is_all_null(tmp_path: Path) -> None:
    required = SHEETS["users"].required_columns
    rows = sheet_rows("users", [USER, USER], columns=required)
    frame = load_inputs([write_workbook(tmp_path / "in.xlsx", {**input_sheets(), "users": rows})]).sheets["users"]
    assert frame.frame.columns[:-2] == list(SHEETS["users"].column_names)
    assert frame.frame["phone_number"].to_list() == [None, None]


# -- several inputs ---------------------------------------------------------------------------------------


def test_several_inputs_are_merged_keeping_row_and_source(tmp_path: Path) -> None:
    first = write_workbook(tmp_path / "a.xlsx", batch_sheets(users=2))
    second = write_csv_folder(tmp_path / "b", input_sheets(users=[{**USER, "email": "late@x.fi"}]), separator=";")
    users = load_inputs([first, second]).sheets["users"].frame
    assert users["email"].to_list() == ["user0@example.fi", "user1@example.fi", "late@x.fi"]
    assert users[ROW].to_list() == [2, 3, 2]
    assert users[SOURCE].to_list() == [f"{first}#users"] * 2 + [str(second / "users.csv")]


def test_a_sheet_may_come_from_another_input(tmp_path: Path) -> None:
    sheets = batch_sheets()
    users = sheets.pop("users")
    book = write_workbook(tmp_path / "a.xlsx", sheets)
    csv_users = write_csv(tmp_path / "users.csv", users)
    assert load_inputs([book, csv_users]).sheets["users"].frame.height == 3


# -- bad files -------------------------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_inputs([tmp_path / "nope.xlsx"])
    assert "nope.xlsx" in message(exc) and "no such file" in message(exc)


def test_folder_without_input_csv(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hi")
    write_workbook(tmp_path / "book.xlsx", batch_sheets())
    with pytest.raises(InputError) as exc:
        load_inputs([tmp_path])
    assert "customers.csv" in message(exc) and "book.xlsx" in message(exc)


def test_text_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("customers;users\n")
    with pytest.raises(InputError) as exc:
        load_inputs([path])
    assert "not an .xlsx workbook" in message(exc) and "text" in message(exc)


def test_xlsx_that_is_really_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "renamed.xlsx", sheet_rows("users", [USER]))
    with pytest.raises(InputError) as exc:
        load_inputs([path])
    assert "renamed.xlsx" in message(exc) and "CSV" in message(exc)


def _ole(path: Path, *, encrypted: bool) -> Path:
    """An OLE compound file header, with the stream name an encrypted Office file carries."""
    body = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    if encrypted:
        body += "EncryptionInfo".encode("utf-16-le") + bytes(64) + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(body + bytes(512))
    return path


def test_password_protected_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_inputs([_ole(tmp_path / "secret.xlsx", encrypted=True)])
    assert "password" in message(exc) and "remove the password" in message(exc)


def test_old_xls_format(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_inputs([_ole(tmp_path / "old.xls", encrypted=False)])
    assert ".xls" in message(exc) and "save it as" in message(exc)


def test_truncated_workbook_is_corrupt(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "in.xlsx", batch_sheets())
    path.write_bytes(path.read_bytes()[:1500])
    with pytest.raises(InputError) as exc:
        load_inputs([path])
    assert "damaged" in message(exc) and "in.xlsx" in message(exc)


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(InputError) as exc:
        load_inputs([path])
    assert "not an .xlsx workbook" in message(exc)


def test_cp1252_csv_says_save_as_csv_utf8(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "csv", batch_sheets(), encoding="cp1252", separator=";")
    with pytest.raises(InputError) as exc:
        load_inputs([folder])
    assert "customers.csv" in message(exc) and "CSV UTF-8" in message(exc)


def test_cp1252_far_down_a_large_csv(tmp_path: Path) -> None:
    rows = sheet_rows("users", [{**USER, "last_name": "Virtanen"}] * 3000 + [USER])
    folder = write_csv_folder(tmp_path / "csv", {**batch_sheets(), "users": rows})
    write_csv(folder / "users.csv", rows, encoding="cp1252")
    with pytest.raises(InputError) as exc:
        load_inputs([folder])
    assert "users.csv" in message(exc) and "line 3002" in message(exc) and "CSV UTF-8" in message(exc)


def test_utf16_csv(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "csv", batch_sheets())
    (folder / "users.csv").write_bytes("customer_external_id\temail\n".encode("utf-16"))
    with pytest.raises(InputError) as exc:
        load_inputs([folder])
    assert "UTF-16" in message(exc) and "CSV UTF-8" in message(exc)


def test_missing_required_sheet(tmp_path: Path) -> None:
    sheets = batch_sheets()
    del sheets["users"]
    with pytest.raises(InputError) as exc:
        load_inputs([write_workbook(tmp_path / "in.xlsx", sheets)])
    assert "no users sheet" in message(exc)


def test_empty_required_sheet(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_inputs([write_workbook(tmp_path / "in.xlsx", {**batch_sheets(), "users": []})])
    assert "users" in message(exc) and "header" in message(exc)


def test_missing_locations_sheet_is_an_input_error_as_the_contract_lists_it(tmp_path: Path) -> None:
    """Contract §1 names only templates as optional; §4 makes a missing sheet exit 2."""
    sheets = batch_sheets()
    del sheets["locations"]
    with pytest.raises(InputError) as exc:
        load_inputs([write_workbook(tmp_path / "in.xlsx", sheets)])
    assert "no locations sheet" in message(exc) and "header row" in message(exc)


def test_missing_required_column_names_sheet_column_and_found(tmp_path: Path) -> None:
    columns = [c for c in SHEETS["customers"].column_names if c not in ("admin_email", "city")]
    sheets = {**batch_sheets(), "customers": sheet_rows("customers", [CUSTOMER], columns=columns)}
    with pytest.raises(InputError) as exc:
        load_inputs([write_csv_folder(tmp_path / "csv", sheets)])
    text = message(exc)
    assert "customers.csv" in text and "admin_email, city" in text and "'company_name'" in text


def test_csv_file_not_named_after_a_sheet(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", sheet_rows("users", [USER]))
    with pytest.raises(InputError) as exc:
        load_inputs([path])
    assert "people.csv" in message(exc) and "users.csv" in message(exc)


def test_no_inputs() -> None:
    with pytest.raises(InputError):
        load_inputs([])


# -- speed ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_million_user_rows_csv_loads_in_seconds(tmp_path: Path) -> None:
    n = 1_000_000
    users = pl.DataFrame(
        {
            "customer_external_id": [f"C-{i // 5:06d}" for i in range(n)],
            "email": [f"user{i}@example.fi" for i in range(n)],
            "first_name": ["Aino"] * n,
            "last_name": ["Mäkelä"] * n,
            "package": ["webex_calling"] * n,
            "location_name": [None] * n,
            "phone_number": [f"+35891{i:07d}" for i in range(n)],
            "extension": [str(1000 + i % 9000) for i in range(n)],
            "roles": [None] * n,
        }
    )
    folder = write_csv_folder(tmp_path / "csv", batch_sheets(users=0), separator=";", bom=True)
    (folder / "users.csv").write_bytes(b"\xef\xbb\xbf" + users.write_csv(separator=";").encode())
    start = time.perf_counter()
    frame = load_inputs([folder]).sheets["users"].frame
    elapsed = time.perf_counter() - start
    assert frame.height == n and frame[ROW][-1] == n + 1
    assert elapsed < 3.0, f"1M user rows took {elapsed:.2f} s"


def test_openpyxl_sheet_starting_at_c3_keeps_rows_and_column_letters(tmp_path: Path) -> None:
    """Another writer, a table that does not start at A1, and a header-less cell named by its letter."""
    book = openpyxl.Workbook()
    for name, rows in batch_sheets(users=0).items():
        book.create_sheet(name)
        for col, header in enumerate(rows[0]):
            book[name].cell(row=1, column=col + 1, value=header)
    del book["Sheet"]
    users = book["users"]
    users.delete_rows(1)
    for col, header in enumerate(SHEETS["users"].required_columns):
        users.cell(row=3, column=col + 3, value=header)
        users.cell(row=5, column=col + 3, value=USER[header])
    users["D5"] = 358401234567  # a number where the email should be: still text, no ".0"
    users["M6"] = "stray"
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)
    batch = load_inputs([path])
    frame = batch.sheets["users"].frame
    assert frame.select("customer_external_id", "email", ROW).rows() == [("FI-1", "358401234567", 5)]
    assert [(p.row, p.column) for p in batch.problems] == [(3, "(column M)")]


def test_ole_file_named_xlsx_without_encryption_marker(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_inputs([_ole(tmp_path / "odd.xlsx", encrypted=False)])
    assert "97-2003" in message(exc) and "password" in message(exc)


def test_same_input_twice_is_an_input_error(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "in.xlsx", batch_sheets())
    with pytest.raises(InputError) as exc:
        load_inputs([path, tmp_path / "." / "in.xlsx"])
    assert "given twice" in message(exc)


def test_empty_optional_csv_is_an_absent_sheet(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "csv", batch_sheets())
    (folder / "templates.csv").write_bytes(b"")
    batch = load_inputs([folder])
    assert batch.sheets["templates"].frame.columns == [*SHEETS["templates"].column_names, ROW, SOURCE]
    assert batch.sheets["templates"].frame.height == 0


def test_singular_sheet_names_are_accepted(tmp_path: Path) -> None:
    sheets = {name.rstrip("s").title(): rows for name, rows in batch_sheets().items()}
    assert "User" in sheets
    assert load_inputs([write_workbook(tmp_path / "in.xlsx", sheets)]).sheets["users"].frame.height == 3


def test_extra_cells_warnings_are_capped(tmp_path: Path) -> None:
    rows = sheet_rows("users", [USER] * 80)
    rows[1:] = [[*row, "stray"] for row in rows[1:]]
    batch = load_inputs([write_csv_folder(tmp_path / "csv", {**input_sheets(), "users": rows})])
    assert len(batch.problems) == MAX_ROW_WARNINGS + 1
    assert batch.problems[-1].row is None and "30 more rows" in batch.problems[-1].message


def test_the_formula_guard_apostrophe_of_our_reports_is_taken_off_on_load(tmp_path: Path) -> None:
    """retry/ cells are written as ``'+358 …`` (formula guard); loading them gives the partner's value back."""
    customer = {**CUSTOMER, "numbers": "'+358 9 1..+358 9 5", "company_name": "'=x"}
    folder = write_csv_folder(tmp_path / "in", input_sheets(customers=[customer]))
    frame = load_inputs([folder]).sheets["customers"].frame
    assert frame.row(0, named=True)["numbers"] == "+358 9 1..+358 9 5"
    assert frame.row(0, named=True)["company_name"] == "=x"


def test_only_a_leading_guard_apostrophe_is_taken_off_whatever_else_the_column_holds(tmp_path: Path) -> None:
    """The guard's regex runs only on columns holding an apostrophe: other apostrophes in them stay, and a
    column without any is left as written."""
    customers = [
        {**CUSTOMER, "company_name": "'=x", "address_line1": "O'Brien Street 1"},
        {**CUSTOMER, "external_id": "SE-2", "company_name": "'Oy' Ab", "address_line1": "Kauppakatu 3"},
        {**CUSTOMER, "external_id": "SE-3", "company_name": " '@home ", "address_line1": "'-1 floor"},
    ]
    folder = write_csv_folder(tmp_path / "in", input_sheets(customers=customers))
    frame = load_inputs([folder]).sheets["customers"].frame
    assert frame["company_name"].to_list() == ["=x", "'Oy' Ab", "@home"]
    assert frame["address_line1"].to_list() == ["O'Brien Street 1", "Kauppakatu 3", "-1 floor"]
    assert frame["city"].to_list() == [CUSTOMER["city"]] * 3


def test_loaded_frames_are_one_chunk_per_column(tmp_path: Path) -> None:
    """The CSV reader hands over a column in several chunks (here 3); the loader makes each one contiguous, so
    the validator need not copy a million users' frame to do it (both copies stayed alive)."""
    from bench.generate import make_batch
    from bench.generate import write_csv_folder as write_generated

    folder = tmp_path / "big"
    write_generated(make_batch(customers=400, locations=200, users=2000), folder)
    batch = load_inputs([folder])
    chunks = {
        (name, column): sheet.frame[column].n_chunks()
        for name, sheet in batch.sheets.items()
        for column in sheet.frame.columns
    }
    assert set(chunks.values()) == {1}
