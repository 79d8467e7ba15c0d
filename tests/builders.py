"""Build input workbooks and CSV folders from Python rows, so each test makes exactly the file it needs.

A *sheet* is a list of rows; the first non-blank row is the header. A row is a list of cell values
(``None`` or ``""`` = blank cell); an empty list is a blank row. Typical use::

    sheets = input_sheets(users=[{"customer_external_id": "FI-1", "email": "a@x.fi", ...}])
    write_workbook(tmp_path / "in.xlsx", sheets)
    write_csv_folder(tmp_path / "csv", sheets, separator=";", bom=True)

Cell types in a workbook follow the Python value: ``str`` is a text cell (``"00510"`` keeps its zero),
``int``/``float`` a number cell, ``bool`` a boolean, ``date``/``datetime`` a date cell. ``numeric_columns``
writes digit-only strings of the named header columns as numbers instead — what Excel does to a phone
number typed without ``+`` — so the same rows can be written to CSV and to xlsx.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from schemas import SHEETS

Row = Sequence[Any]
Sheets = Mapping[str, Sequence[Row]]


def sheet_rows(sheet: str, records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> list[list]:
    """``[header, row, …]`` for ``sheet`` from dicts; columns default to every ``SHEETS`` column in order."""
    names = list(columns) if columns is not None else list(SHEETS[sheet].column_names)
    return [names, *[[record.get(name) for name in names] for record in records]]


def input_sheets(**records: Sequence[Mapping[str, Any]]) -> dict[str, list[list]]:
    """Every input sheet (header only unless records are given), e.g. ``input_sheets(users=[{...}])``."""
    return {name: sheet_rows(name, records.get(name, ())) for name in SHEETS}


def write_workbook(
    path: Path,
    sheets: Sheets,
    *,
    numeric_columns: Collection[str] = (),
    trailing_blank_rows: int = 0,
) -> Path:
    """Write ``sheets`` (name → rows) as an .xlsx; ``trailing_blank_rows`` formatted-but-empty rows follow
    the data (they widen the sheet's used range the way a partner's formatting does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False}) as book:
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        blank_format = book.add_format({"bg_color": "#FFFFCC"})
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            numeric = _numeric_positions(rows, numeric_columns)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    _write_cell(sheet, r, c, value, c in numeric and r > _header_index(rows), date_format)
            width = max((len(row) for row in rows), default=1)
            for r in range(len(rows), len(rows) + trailing_blank_rows):
                for c in range(width):
                    sheet.write_blank(r, c, None, blank_format)
    return path


def write_csv(
    path: Path, rows: Sequence[Row], *, separator: str = ",", bom: bool = False, encoding: str = "utf-8"
) -> Path:
    """One CSV file as Excel writes it: minimal quoting, CRLF line ends, optional UTF-8 BOM."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, quotechar='"', lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else _text(value) for value in row])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_csv_folder(
    folder: Path, sheets: Sheets, *, separator: str = ",", bom: bool = False, encoding: str = "utf-8"
) -> Path:
    """One ``<sheet>.csv`` per entry of ``sheets`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        write_csv(folder / f"{name}.csv", rows, separator=separator, bom=bom, encoding=encoding)
    return folder


def _header_index(rows: Sequence[Row]) -> int:
    return next((i for i, row in enumerate(rows) if any(v not in (None, "") for v in row)), 0)


def _numeric_positions(rows: Sequence[Row], numeric_columns: Collection[str]) -> set[int]:
    if not numeric_columns or not rows:
        return set()
    header = rows[_header_index(rows)]
    return {i for i, name in enumerate(header) if name in numeric_columns}


def _write_cell(sheet: Any, r: int, c: int, value: Any, numeric: bool, date_format: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        sheet.write_datetime(r, c, moment, date_format)
    elif numeric and isinstance(value, str) and value.strip().isdigit():
        sheet.write_number(r, c, int(value.strip()))
    else:
        sheet.write_string(r, c, str(value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
