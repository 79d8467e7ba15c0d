"""``results.xlsx``: a ``summary`` sheet, then each input sheet as the partner gave it with the result
columns appended and every row filled with its status colour.

Rows go back on the Excel row they came from (row 7 of the input is row 7 here), so a person can put the
two workbooks side by side; when merged inputs make that ambiguous, rows are listed in input order with
``row`` and ``source`` columns instead. The workbook is written with xlsxwriter in ``constant_memory``
mode (rows streamed in order, inline strings) and the status colour is a *row* format, so blank cells
are coloured without writing them: ~21,000 rows take well under a second. Past ``FULL_SHEET_LIMIT`` rows
a sheet keeps only the rows that need attention (a million green rows help nobody and take a minute).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from batch.cells import neutralize, neutralize_frame
from batch.jobs import CREATED, EXISTS, FAILED, INVALID, PLANNED, SKIPPED, STATUSES, RowResult
from batch.load import ROW, SOURCE
from batch.report_retry import DONE, input_columns
from batch.validation_report import FULL_SHEET_LIMIT

if TYPE_CHECKING:
    from batch.report import AlignedSheet

ID_COLUMNS = ("customer_id", "org_id", "location_id", "subscriber_id", "person_id")
#: The ids each sheet shows even when no row has one yet (others appear when a result carries them).
SHEET_IDS = {
    "customers": ("customer_id", "org_id"),
    "locations": ("location_id",),
    "users": ("subscriber_id", "person_id"),
}
STATUS_COLOURS = {
    CREATED: "#C6EFCE",
    EXISTS: "#E2EFDA",
    FAILED: "#F8CBAD",
    SKIPPED: "#F9CB9C",
    INVALID: "#FFE699",
    PLANNED: "#E7E6E6",
    "": "#F8CBAD",  # no result recorded: as bad as a failure
}
_HEADER = {"bold": True, "bg_color": "#D9E1F2", "border": 1}
_MAX_WIDTH = 50


def write_results_xlsx(
    aligned: Sequence[AlignedSheet], summary: Mapping, path: Path, *, full_sheet_limit: int = FULL_SHEET_LIMIT
) -> Path:
    """The summary sheet first (what a person wants to see on opening), then one sheet per input sheet
    that has rows."""
    options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        header = book.add_format(_HEADER)
        fills = {status: book.add_format({"bg_color": colour}) for status, colour in STATUS_COLOURS.items()}
        parts = [p for p in aligned if p.results or p.extra]
        notes = [_note(p, full_sheet_limit) for p in parts if len(p.results) > full_sheet_limit]
        _summary_sheet(book.add_worksheet("summary"), summary, notes, header, book.add_format({"bold": True}))
        for part in parts:
            _results_sheet(book.add_worksheet(part.sheet.name), part, header, fills, full_sheet_limit)
    return path


def result_columns(part: AlignedSheet) -> list[str]:
    """status, message, the sheet's ids, error_code, tracking_id, attempts."""
    present = {name for r in (*part.results, *part.extra) for name, value in (r.ids or {}).items() if value}
    shown = set(SHEET_IDS.get(part.sheet.name, ())) | present
    return ["status", "message", *(c for c in ID_COLUMNS if c in shown), "error_code", "tracking_id", "attempts"]


# -- input sheets -----------------------------------------------------------------------------------


def _results_sheet(
    ws: Worksheet, part: AlignedSheet, header: Format, fills: dict[str, Format], limit: int
) -> None:
    columns = input_columns(part.sheet)
    frame = part.sheet.frame
    results = part.results
    if len(results) > limit:
        keep = [i for i, r in enumerate(results) if r.status not in DONE]
        frame = frame[keep] if keep else frame.clear()
        results = [results[i] for i in keep]
    rows = frame[ROW].to_list() if frame.height else []
    in_place = all(b > a for a, b in zip(rows, rows[1:], strict=False)) and (not rows or rows[0] >= 2)
    extra_cols = [] if in_place else ["row", "source"]
    outcome_cols = result_columns(part)
    names = [part.sheet.headers.get(c, c) for c in columns] + extra_cols + outcome_cols
    ws.freeze_panes(1, 0)
    _set_widths(ws, frame, columns, names, len(columns) + len(extra_cols))
    for col, name in enumerate(names):
        ws.write_string(0, col, name, header)
    values = neutralize_frame(frame.select(columns)).rows() if columns else [()] * frame.height
    sources = frame[SOURCE].to_list() if not in_place and SOURCE in frame.columns else [None] * frame.height
    last = 0
    for i, (cells, result) in enumerate(zip(values, results, strict=True)):
        last = rows[i] - 1 if in_place else i + 1
        extra = [] if in_place else [rows[i], sources[i]]
        _write_row(ws, last, [*cells, *extra], result, outcome_cols, fills)
    for result in part.extra:  # results no input row matched: after the rows, without input cells
        last += 1
        extra = [] if in_place else [result.row, None]
        _write_row(ws, last, [None] * len(columns) + extra, result, outcome_cols, fills)
    ws.autofilter(0, 0, max(last, 1), len(names) - 1)


def _write_row(
    ws: Worksheet, r: int, cells: list, result: RowResult, outcome_cols: list[str], fills: dict[str, Format]
) -> None:
    ws.set_row(r, None, fills.get(result.status, fills[FAILED]))
    for c, value in enumerate(cells):
        if isinstance(value, str):
            ws.write_string(r, c, value)
        elif value is not None:
            ws.write_number(r, c, value)
    ids = result.ids or {}
    base = len(cells)
    for offset, name in enumerate(outcome_cols):
        value = _outcome_value(result, ids, name)
        if isinstance(value, str):
            if value:
                ws.write_string(r, base + offset, str(neutralize(value)))
        elif value is not None:
            ws.write_number(r, base + offset, value)


def _outcome_value(result: RowResult, ids: Mapping[str, str], name: str) -> str | int | None:
    if name == "status":
        return result.status
    if name == "message":
        return result.message
    if name == "error_code":
        return result.error_code
    if name == "tracking_id":
        return result.tracking_id
    if name == "attempts":
        return result.attempts
    return ids.get(name)


def _set_widths(ws: Worksheet, frame: pl.DataFrame, columns: list[str], names: list[str], inputs: int) -> None:
    """Input columns as wide as their header or their longest value in the first rows (capped)."""
    sample = frame.head(500)
    for col, name in enumerate(names):
        if col < len(columns) and sample.height:
            longest = sample.select(pl.col(columns[col]).str.len_chars().max()).item() or 0
        else:
            longest = 0
        width = min(_MAX_WIDTH, max(len(name) + 2, longest + 2, 8))
        if col >= inputs:
            width = {"message": 60, "status": 10, "attempts": 9, "error_code": 11}.get(name, 24)
        ws.set_column(col, col, width)


# -- summary ---------------------------------------------------------------------------------------


def _summary_sheet(ws: Worksheet, summary: Mapping, notes: list[str], header: Format, bold: Format) -> None:
    """Counts per sheet × status with a total line, then the run's figures (rows written in order:
    the sheet streams, like the others)."""
    totals = summary.get("totals", {})
    statuses = [s for s in STATUSES if s in totals] + [s for s in totals if s not in STATUSES and s != "rows"]
    names = ["sheet", "rows", *statuses]
    ws.set_column(0, 0, 18)
    ws.set_column(1, len(names), 11)
    for col, name in enumerate(names):
        ws.write_string(0, col, name, header)
    r = 0
    for r, (sheet, counts) in enumerate([*summary.get("sheets", {}).items(), ("total", totals)], start=1):
        ws.write_string(r, 0, sheet, bold if sheet == "total" else None)
        for col, name in enumerate(names[1:], start=1):
            ws.write_number(r, col, counts.get(name, 0), bold if sheet == "total" else None)
    api = summary.get("api", {})
    figures = [
        ("API requests", api.get("requests")),
        ("retries", api.get("retries")),
        ("throttled (429)", api.get("throttled")),
        ("ambiguous writes", api.get("ambiguous")),
        ("achieved requests/s", api.get("achieved_rate")),
        ("wall seconds", summary.get("wall_seconds")),
        ("started", summary.get("started")),
        ("finished", summary.get("finished")),
        ("command", summary.get("command")),
        ("exit code", summary.get("exit_code")),
        ("rows to retry", summary.get("retry_rows")),
        *(("note", note) for note in notes),
    ]
    for line, (label, value) in enumerate(figures, start=r + 2):
        ws.write_string(line, 0, label, bold)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            ws.write_number(line, 1, value)
        else:
            ws.write_string(line, 1, str(neutralize(str(value))))


def _note(part: AlignedSheet, limit: int) -> str:
    kept = sum(1 for r in part.results if r.status not in DONE)
    return (
        f"{part.sheet.name}: {len(part.results):,} rows, more than {limit:,}; the sheet lists only the {kept:,} "
        "rows that need attention (results.csv has every row)"
    )
