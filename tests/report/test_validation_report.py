"""validation.csv and validation.xlsx: contract columns, safe cells, problems on the rows people see."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import polars as pl

from batch.load.inputs import LoadedBatch, SheetData
from batch.problems import PROBLEM_COLUMNS, Problem
from batch.report.validation import FULL_SHEET_LIMIT, write_validation_csv, write_validation_reports
from schemas import SHEETS


def _sheet(name: str, rows: list[dict[str, str]], excel_rows: list[int]) -> SheetData:
    columns = SHEETS[name].column_names
    data = {c: [r.get(c) for r in rows] for c in columns}
    frame = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String)).with_columns(
        pl.Series("_row", excel_rows, dtype=pl.Int64), pl.lit("test.xlsx").alias("_source")
    )
    return SheetData(name, frame, {c: c.replace("_", " ").title() for c in columns})


def _batch(users: list[dict[str, str]], excel_rows: list[int]) -> LoadedBatch:
    sheets = {name: _sheet(name, [], []) for name in SHEETS}
    sheets["users"] = _sheet("users", users, excel_rows)
    return LoadedBatch(sheets)


def _problem(row: int, column: str, value: str, severity: str = "error") -> Problem:
    return Problem("users", row, column, value, severity, f"users.{column}.bad", f"Fix {column} on row {row}")


def test_csv_has_contract_columns_bom_and_neutralized_cells(tmp_path: Path) -> None:
    problems = [_problem(3, "email", '=HYPERLINK("http://x")'), _problem(4, "phone_number", "+358 40 123 4567")]
    path = write_validation_csv(problems, tmp_path / "validation.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == PROBLEM_COLUMNS
    assert rows[1][:5] == ["users", "3", "email", '\'=HYPERLINK("http://x")', "error"]
    assert rows[2][3] == "+358 40 123 4567"


def test_xlsx_puts_rows_back_on_their_excel_rows_and_colours_problem_cells(tmp_path: Path) -> None:
    users = [
        {"email": "aino@example.fi", "first_name": "Aino"},
        {"email": "bad@@example.fi", "first_name": "Eero"},
        {"email": "=cmd|' /C calc'!A0", "first_name": "Ville"},
    ]
    # a blank Excel row 3 between the first and second user: row numbers must not shift
    batch = _batch(users, [2, 4, 5])
    problems = [_problem(4, "email", "bad@@example.fi"), _problem(5, "first_name", "Ville", "warning")]
    write_validation_reports(problems, batch, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "validation.xlsx")
    assert book.sheetnames[0] == "problems"
    ws = book["users"]
    header = [c.value for c in ws[1]]
    assert header[1] == "Email" and header[-1] == "problems"
    email_col = header.index("Email") + 1
    assert ws.cell(2, email_col).value == "aino@example.fi"
    assert ws.cell(3, email_col).value is None
    assert ws.cell(4, email_col).value == "bad@@example.fi"
    assert ws.cell(4, email_col).fill.fgColor.rgb.endswith("F8CBAD")
    assert "Fix email on row 4" in ws.cell(4, email_col).comment.text
    assert ws.cell(5, email_col).value.startswith("'=")
    first_col = header.index("First Name") + 1
    assert ws.cell(5, first_col).fill.fgColor.rgb.endswith("FFE699")
    assert ws.cell(2, email_col).fill.fgColor.rgb in (None, "00000000")
    listed = [[c.value for c in row] for row in book["problems"].iter_rows(min_row=2)]
    assert [(r[0], r[1], r[2]) for r in listed] == [("users", 4, "email"), ("users", 5, "first_name")]


def test_xlsx_keeps_only_problem_rows_past_the_limit(tmp_path: Path) -> None:
    n = FULL_SHEET_LIMIT + 5
    users = [{"email": f"u{i}@example.fi"} for i in range(n)]
    batch = _batch(users, list(range(2, n + 2)))
    write_validation_reports([_problem(70_000, "email", "u69998@example.fi")], batch, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "validation.xlsx", read_only=True)["users"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    non_empty = [r for r in rows if any(v is not None for v in r)]
    assert len(non_empty) == 1
    assert non_empty[0][1] == "u69998@example.fi"


def test_a_batch_without_problems_gets_the_problems_sheet_alone(tmp_path: Path) -> None:
    """Nothing to mark: no copy of the input (it told nothing and delayed a large run's first request)."""
    batch = _batch([{"email": "aino@example.fi", "first_name": "Aino"}], [2])
    write_validation_reports([], batch, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "validation.xlsx")
    assert book.sheetnames == ["problems"]
    assert [c.value for c in book["problems"][1]][:3] == ["sheet", "row", "column"]
