"""retry/ in the input's own form: a workbook gives retry/retry.xlsx (its sheet names, its columns, cells as
text), a CSV folder gives CSV files with its separator and BOM; a last column ``problem`` the loader ignores."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from batch.jobs import CREATED, FAILED, RowResult
from batch.load.inputs import load_inputs
from batch.report.summary import build_summary
from batch.report.writer import write_reports
from tests.builders import input_sheets, write_csv_folder, write_workbook
from tests.validate.test_validate_support import valid_rows

STARTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WHY = "the API refused the email: use another address"


def _retry(tmp_path: Path, source: Path) -> Path:
    loaded = load_inputs([source])
    results = [
        RowResult(name, row, "", FAILED if (name, row) == ("users", 3) else CREATED, WHY if name == "users" else "")
        for name, sheet in loaded.sheets.items()
        for row in sheet.frame["_row"].to_list()
    ]
    summary = build_summary(results, api={}, wall_seconds=1.0, started=STARTED, command="run")
    retry = write_reports(tmp_path / "out", loaded, results, summary).retry_dir
    assert retry is not None
    return retry


def test_a_workbook_gives_a_workbook_with_its_sheet_names_problem_column_and_text_cells(tmp_path: Path) -> None:
    sheets = input_sheets(**valid_rows())
    named = {"Customers" if k == "customers" else "User": v for k, v in sheets.items() if k in ("customers", "users")}
    named |= {k: v for k, v in sheets.items() if k in ("templates", "locations")}
    retry = _retry(tmp_path, write_workbook(tmp_path / "in.xlsx", named))
    assert sorted(p.name for p in retry.iterdir()) == ["retry.xlsx"]
    book = openpyxl.load_workbook(retry / "retry.xlsx")
    assert {"Customers", "User", "locations"} <= set(book.sheetnames)
    users = book["User"]
    header = [c.value for c in users[1]]
    assert header[-1] == "problem" and header[:-1] == sheets["users"][0][: len(header) - 1]
    assert [c.value for c in users[2]][-1] == WHY
    customers = book["Customers"]
    postal = [c.value for c in customers[1]].index("postal_code")
    cell = customers.cell(row=2, column=postal + 1)
    assert cell.value == "00510" and cell.data_type == "s"  # stays text: Excel keeps the zero
    again = load_inputs([retry])  # `rtm-batch run OUT/retry` reads the workbook in it
    assert again.problems == ()
    assert again.sheets["users"].frame["email"].to_list() == ["eero@makela.fi"]


def test_a_csv_folder_gives_csvs_with_its_separator_and_no_bom_when_it_had_none(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "in", input_sheets(**valid_rows()), separator=",", bom=False)
    retry = _retry(tmp_path, folder)
    data = (retry / "users.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    lines = data.decode().splitlines()
    assert lines[0].endswith(",problem") and ";" not in lines[0]
    assert lines[1].startswith("FI-1,eero@makela.fi,") and lines[1].endswith(WHY)
    assert load_inputs([retry]).sheets["users"].frame.height == 1


def test_a_number_range_comes_back_as_typed_without_an_apostrophe(tmp_path: Path) -> None:
    """Issue 18: retry.xlsx showed ``'+358 9 4245 1000..+358 9 4245 1019`` (the formula guard's apostrophe)."""
    rows = valid_rows()
    typed = "+358 9 4245 1000..+358 9 4245 1019"
    rows["customers"] = [{**rows["customers"][0], "numbers": typed, "main_number": "+358 9 4245 1000"}]
    retry = _retry(tmp_path, write_workbook(tmp_path / "in.xlsx", input_sheets(**rows)))
    customers = openpyxl.load_workbook(retry / "retry.xlsx")["customers"]
    column = [c.value for c in customers[1]].index("numbers")
    assert customers.cell(row=2, column=column + 1).value == typed
