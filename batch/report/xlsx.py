"""``results.xlsx``: a ``summary`` sheet, then each input sheet as the partner gave it with the result
columns appended and every row filled with its status colour.

Rows go back on the Excel row they came from (row 7 of the input is row 7 here), so a person can put the
two workbooks side by side; when merged inputs make that ambiguous, rows are listed in input order with
``row`` and ``source`` columns instead. Results that matched no input row follow the rows.

Speed: xlsxwriter (constant_memory) writes the workbook — summary sheet, headers, widths, frozen header,
autofilter, styles — and the data rows are then generated as sheet XML by polars over whole columns and
streamed into each sheet's ``<sheetData>`` (``batch.report.workbook.rows``): 21,202 rows take ~0.2 s
instead of ~1.9 s cell by cell, and a sheet's XML is never whole in memory. The status colour is the row's
style, so blank cells are coloured too. Past ``FULL_SHEET_LIMIT`` rows a sheet keeps only the rows that need
attention (a million green rows help nobody); the summary sheet says so and results.csv still has every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from batch.jobs import (
    CREATED,
    EXISTS,
    FAILED,
    INVALID,
    PENDING,
    PLANNED,
    REMOVED,
    SKIPPED,
    STATUSES,
    UNDONE,
    UPDATED,
    RowResult,
)
from batch.load.inputs import ROW, SOURCE
from batch.report.aligned import AlignedSheet
from batch.report.cells import neutralize, neutralize_frame
from batch.report.retry import DONE, input_columns
from batch.report.validation import FULL_SHEET_LIMIT
from batch.report.workbook.rows import Layout, insert_rows

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
    UPDATED: "#BDD7EE",
    REMOVED: "#D9D9D9",
    PENDING: "#FFF2CC",
    UNDONE: "#E4DFEC",
}  # a row with no result recorded gets the failed colour: it needs as much attention
_HEADER = {"bold": True, "bg_color": "#D9E1F2", "border": 1}
_MAX_WIDTH = 50
_RESULT_WIDTHS = {
    "status": 10,
    "message": 60,
    "changes": 40,
    "error_code": 11,
    "reason": 28,
    "http_status": 11,
    "attempts": 9,
    "row": 7,
    "source": 30,
}


def write_results_xlsx(
    aligned: Sequence[AlignedSheet],
    summary: Mapping[str, Any],
    path: Path,
    *,
    full_sheet_limit: int = FULL_SHEET_LIMIT,
    merged: bool = False,
) -> Path:
    """The summary sheet first (what a person wants to see on opening), then one sheet per input sheet
    that has rows. With ``merged`` inputs every row names its input (``row`` and ``source`` columns)."""
    parts = [p for p in aligned if p.results or p.extra]
    layouts = [_layout(part, full_sheet_limit, merged) for part in parts]
    notes = [_note(p, full_sheet_limit) for p in parts if len(p.results) > full_sheet_limit]
    options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        header = book.add_format(_HEADER)
        fills = {str(status): book.add_format({"bg_color": colour}) for status, colour in STATUS_COLOURS.items()}
        bold = book.add_format({"bold": True})
        _summary_sheet(book.add_worksheet("summary"), summary, notes, header, bold, fills)
        for layout in layouts:
            _sheet_frame(book.add_worksheet(layout.name), layout, header)
    styles = {status: fmt.xf_index for status, fmt in fills.items()}
    insert_rows(path, {f"xl/worksheets/sheet{i}.xml": layout for i, layout in enumerate(layouts, start=2)}, styles)
    return path


def result_columns(part: AlignedSheet) -> list[str]:
    """status, message, the sheet's ids, error_code, tracking_id, attempts."""
    present = {name for r in (*part.results, *part.extra) for name, value in (r.ids or {}).items() if value}
    shown = set(SHEET_IDS.get(part.sheet.name, ())) | present
    changes = ["changes"] if any(r.changes for r in (*part.results, *part.extra)) else []
    ids = [c for c in ID_COLUMNS if c in shown]
    return ["status", "message", "reason", "http_status", *changes, *ids, "error_code", "tracking_id", "attempts"]


# -- input sheets -----------------------------------------------------------------------------------


def _layout(part: AlignedSheet, limit: int, merged: bool = False) -> Layout:
    """Rows on their own Excel row when the input's row numbers allow it (unique, increasing), else in
    input order with ``row`` and ``source`` columns; results that matched no row after the rows. The cells are
    made a slice at a time as the rows are written (``Layout.cells_of``)."""
    columns = input_columns(part.sheet)
    frame = part.sheet.frame
    results: Sequence[RowResult] = part.results
    if len(results) > limit:
        keep = [i for i, r in enumerate(results) if r.status not in DONE]
        frame = frame[keep] if keep else frame.clear()
        results = [results[i] for i in keep]
    rows = frame.get_column(ROW).cast(pl.Int64)
    in_place = not merged and _rising_from_2(rows)
    outcome_cols = result_columns(part)
    inputs = frame.select(columns).rename(lambda c: f"in:{c}")
    if not in_place:
        inputs = inputs.with_columns(frame[ROW].alias("row"), frame[SOURCE].alias("source"))
        rows = pl.int_range(2, rows.len() + 2, dtype=pl.Int64, eager=True)
    last = int(rows[-1]) if rows.len() else 1
    after = pl.int_range(last + 1, last + 1 + len(part.extra), dtype=pl.Int64, eager=True)
    row_numbers = pl.concat([rows, after]).alias("__r")  # in polars: as Python ``int``s, ~5 MiB at 100,000 rows
    if part.extra:
        pad = inputs.clear(n=len(part.extra))
        if not in_place:
            pad = pad.with_columns(
                pl.Series("row", [r.row for r in part.extra], pl.Int64),
                pl.Series("source", [r.source or None for r in part.extra], pl.String),
            )
        inputs = pl.concat([inputs, pad])
    every = [*results, *part.extra]

    def cells_of(start: int, n: int) -> pl.DataFrame:
        outcomes = _outcome_frame(every[start : start + n], outcome_cols)
        cells = pl.concat([inputs.slice(start, n), outcomes], how="horizontal")
        return neutralize_frame(cells.with_columns(row_numbers.slice(start, n)))

    names = [part.sheet.headers.get(c, c) for c in columns] + ([] if in_place else ["row", "source"]) + outcome_cols
    widths = _widths(frame, columns, names)
    text = _text_bytes(inputs) + sum(_result_bytes(r) for r in every)
    return Layout(part.sheet.name, names, widths, len(every), int(row_numbers[-1]) if len(every) else 1, cells_of, text)


def _rising_from_2(rows: pl.Series) -> bool:
    """The input's row numbers can be the sheet's own: each after the last, from row 2 (under the header)."""
    return not rows.len() or (bool(rows[0] >= 2) and bool((rows.diff().drop_nulls() > 0).all()))


def _text_bytes(frame: pl.DataFrame) -> int:
    """The UTF-8 size of a frame's text; a categorical column's from its distinct values and how often each comes
    (made text, a users sheet's categoricals were +13 MiB for a moment at 100,000 users)."""
    text = [pl.col(c).str.len_bytes().sum() for c, t in frame.schema.items() if t == pl.String]
    total = sum(int(v or 0) for v in frame.select(text).row(0)) if text and frame.height else 0
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Categorical):
            counts = frame.get_column(name).value_counts().iter_rows()
            total += sum(len(value.encode()) * n for value, n in counts if value is not None)
    return total


def _result_bytes(result: RowResult) -> int:
    """An upper bound of the UTF-8 size of a result's cells (4 bytes a character, numbers as 20 digits)."""
    text = (result.status, result.message, result.reason, result.changes, result.tracking_id or "")
    return 4 * (sum(map(len, text)) + sum(map(len, (result.ids or {}).values()))) + 60


def _outcome_frame(results: Sequence[RowResult], outcome_cols: list[str]) -> pl.DataFrame:
    data: dict[str, list[str | int | None]] = {
        "status": [r.status for r in results],
        "message": [r.message or None for r in results],
        "reason": [r.reason or None for r in results],
        "http_status": [r.http_status for r in results],
        "changes": [r.changes or None for r in results],
        "error_code": [r.error_code for r in results],
        "tracking_id": [r.tracking_id or None for r in results],
        "attempts": [r.attempts for r in results],
    }
    for name in outcome_cols:
        if name not in data:
            data[name] = [(r.ids or {}).get(name) or None for r in results]
    schema = {
        name: pl.Int64 if name in ("http_status", "error_code", "attempts") else pl.String for name in outcome_cols
    }
    frame = pl.DataFrame({name: data[name] for name in outcome_cols}, schema=schema)
    return frame.with_columns(frame["status"].alias("__status"))


def _sheet_frame(ws: Worksheet, layout: Layout, header: Format) -> None:
    """Everything but the data rows: header, widths, frozen header, autofilter (rows come in ``insert_rows``)."""
    ws.freeze_panes(1, 0)
    for col, (name, width) in enumerate(zip(layout.names, layout.widths, strict=True)):
        ws.set_column(col, col, width)
        ws.write_string(0, col, name, header)
    ws.autofilter(0, 0, max(layout.last_row - 1, 1), len(layout.names) - 1)


def _widths(frame: pl.DataFrame, columns: list[str], names: list[str]) -> list[float]:
    """Input columns as wide as their header or their longest value in the first rows (capped);
    result columns by what they hold."""
    lengths = (pl.col(c).cast(pl.String).str.len_chars().max() for c in columns)  # a categorical column too
    sample = frame.head(500).select(lengths) if columns else None
    widths = []
    for col, name in enumerate(names):
        if col < len(columns):
            longest = (sample[0, col] if sample is not None and frame.height else 0) or 0
            widths.append(min(_MAX_WIDTH, max(len(name) + 2, longest + 2, 8)))
        else:
            widths.append(_RESULT_WIDTHS.get(name, 24))
    return widths


# -- summary ---------------------------------------------------------------------------------------


def _summary_sheet(
    ws: Worksheet,
    summary: Mapping[str, Any],
    notes: list[str],
    header: Format,
    bold: Format,
    fills: Mapping[str, Format],
) -> None:
    """Counts per sheet × status with a total line, the run's figures, and the status colours (rows
    written in order: the sheet streams). The colour legend also gives every fill its style index,
    which the data rows of the input sheets refer to."""
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
        *(("input", name) for name in summary.get("inputs", ())),
        ("base URL", summary.get("base_url")),
        ("exit code", summary.get("exit_code")),
        ("rows to retry", summary.get("retry_rows")),
        ("validation errors", summary.get("validation", {}).get("errors")),
        ("validation warnings", summary.get("validation", {}).get("warnings")),
        ("problems not listed", summary.get("validation", {}).get("not_listed")),
        *(("note", note) for note in notes),
        *((f"failed: {reason}", n) for reason, n in summary.get("reasons", {}).items()),
    ]
    for line, (label, value) in enumerate(figures, start=r + 2):
        ws.write_string(line, 0, label, bold)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            ws.write_number(line, 1, value)
        else:
            ws.write_string(line, 1, str(neutralize(str(value))))
    legend = r + 2 + len(figures) + 1
    ws.write_string(legend, 0, "colours", bold)
    for line, (status, fill) in enumerate(fills.items(), start=legend + 1):
        ws.write_string(line, 0, status, fill)


def _note(part: AlignedSheet, limit: int) -> str:
    kept = sum(1 for r in part.results if r.status not in DONE)
    return (
        f"{part.sheet.name}: {len(part.results):,} rows, more than {limit:,}; the sheet lists only the {kept:,} "
        "rows that need attention (results.csv has every row)"
    )
