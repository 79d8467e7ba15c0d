"""``validation.csv`` (one row per problem, contract §3) and ``validation.xlsx`` (the input with the
offending cells highlighted), written from the validator's ``Problem`` records.

The workbook puts every input row back on the Excel row it came from, so "customers row 7" in the CSV is
row 7 in the workbook too. With several inputs row numbers repeat, so a problem is put on the row with its
(source, sheet, row), both reports get a ``source`` column, and the input sheets list rows in input order.
Past ``FULL_SHEET_LIMIT`` rows it keeps only the rows that have problems,
because a person fixes those and writing a million untouched rows would take minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format

from batch.load.inputs import SOURCE, LoadedBatch, SheetData
from batch.problems import PROBLEM_COLUMNS, Problem
from batch.report.cells import neutralize, neutralize_frame
from batch.report.outfolder.atomic import write_atomic

FULL_SHEET_LIMIT = 100_000
MAX_COMMENTS = 5_000
CellProblems = dict[tuple[str, str, int], dict[str, list[Problem]]]  # (source, sheet, row) → column → problems
_SCHEMA = {
    "sheet": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "severity": pl.String,
    "rule": pl.String,
    "message": pl.String,
}


def problems_frame(problems: Iterable[Problem]) -> pl.DataFrame:
    """Problems as a frame with the contract's columns, in the order given."""
    return pl.DataFrame([p.as_row() for p in problems], schema=_SCHEMA, orient="row")


def write_validation_csv(problems: Sequence[Problem], path: Path, *, merged: bool = False) -> Path:
    """UTF-8 with BOM so Excel shows ä/ö; cells neutralized against formula injection; ``merged``: a first
    column ``source`` names the input of each problem's row."""
    frame = problems_frame(problems).select(PROBLEM_COLUMNS)
    if merged:
        frame = frame.select(pl.Series("source", [p.source or None for p in problems], dtype=pl.String), pl.all())
    neutralize_frame(frame).write_csv(path, include_bom=True)
    return path


def write_validation_xlsx(problems: Sequence[Problem], batch: LoadedBatch, path: Path) -> Path:
    """The input sheets with problem cells coloured and explained, plus a ``problems`` sheet; a batch without a
    single problem gets the ``problems`` sheet alone (a copy with nothing marked tells nothing, and cost a
    20,000-user run 0.8 s before its first request)."""
    by_cell: CellProblems = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        if problem.row is not None:
            by_cell[(problem.source, problem.sheet, problem.row)][problem.column].append(problem)
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False}) as book:
        styles = {
            "header": book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "error": book.add_format({"bg_color": "#F8CBAD"}),
            "warning": book.add_format({"bg_color": "#FFE699"}),
        }
        _problems_sheet(book, problems, styles["header"], batch.merged)
        budget = [MAX_COMMENTS]
        for name, sheet in batch.sheets.items() if problems else ():
            _input_sheet(book, name, sheet, by_cell, styles, budget, batch.merged)
    return path


def write_validation_reports(problems: Sequence[Problem], batch: LoadedBatch, out_dir: Path) -> list[Path]:
    """Both validation reports into ``out_dir`` (created if needed), each whole or not at all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        write_atomic(out_dir / "validation.csv", lambda p: write_validation_csv(problems, p, merged=batch.merged)),
        write_atomic(out_dir / "validation.xlsx", lambda p: write_validation_xlsx(problems, batch, p)),
    ]


def _problems_sheet(book: xlsxwriter.Workbook, problems: Sequence[Problem], header: Format, merged: bool) -> None:
    sheet = book.add_worksheet("problems")
    sheet.freeze_panes(1, 0)
    columns = (("source",) if merged else ()) + PROBLEM_COLUMNS
    for col, name in enumerate(columns):
        sheet.write_string(0, col, name, header)
    for r, problem in enumerate(problems, start=1):
        values = ((problem.source,) if merged else ()) + problem.as_row()
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            elif value:
                sheet.write_string(r, col, str(neutralize(value)))
    sheet.autofilter(0, 0, max(len(problems), 1), len(columns) - 1)
    for col, width in enumerate(((30,) if merged else ()) + (11, 6, 22, 28, 9, 36, 90)):
        sheet.set_column(col, col, width)


def _input_sheet(
    book: xlsxwriter.Workbook,
    name: str,
    sheet: SheetData,
    by_cell: CellProblems,
    styles: dict[str, Format],
    budget: list[int],
    merged: bool = False,
) -> None:
    """One input sheet; rows go back on their own Excel row when that is unambiguous (one input), else they
    follow in input order with ``row`` and ``source`` columns after the ``problems`` column."""
    frame = sheet.frame
    if SOURCE not in frame.columns:
        frame = frame.with_columns(pl.lit("").alias(SOURCE))
    frame = frame.with_columns(pl.col(SOURCE).fill_null(""))
    columns = [c for c in frame.columns if not c.startswith("_")]
    rows_with_problems = {row for (_, sheet_name, row) in by_cell if sheet_name == name}
    if frame.height > FULL_SHEET_LIMIT:
        frame = frame.filter(pl.col("_row").is_in(sorted(rows_with_problems)))
    in_place = not merged and frame["_row"].n_unique() == frame.height
    ws = book.add_worksheet(name)
    ws.freeze_panes(1, 0)
    for col, column in enumerate(columns):
        ws.write_string(0, col, sheet.headers.get(column, column), styles["header"])
        ws.set_column(col, col, max(12, len(column) + 2))
    problems_col = len(columns)
    ws.write_string(0, problems_col, "problems", styles["header"])
    ws.set_column(problems_col, problems_col, 80)
    if not in_place:
        ws.write_string(0, problems_col + 1, "row", styles["header"])
        ws.write_string(0, problems_col + 2, "source", styles["header"])
        ws.set_column(problems_col + 2, problems_col + 2, 30)
    for position, record in enumerate(frame.select([*columns, "_row", SOURCE]).iter_rows()):
        excel_row, source = record[-2], record[-1]
        r = excel_row - 1 if in_place else position + 1
        cell_problems = by_cell.get((source, name, excel_row)) or by_cell.get(("", name, excel_row), {})
        if not in_place:
            ws.write_number(r, problems_col + 1, excel_row)
            ws.write_string(r, problems_col + 2, str(neutralize(source)))
        for col, column in enumerate(columns):
            found = cell_problems.get(column)
            style = styles[_worst(found)] if found else None
            value = record[col]
            if value is not None:
                ws.write_string(r, col, str(neutralize(value)), style)
            elif style is not None:
                ws.write_blank(r, col, None, style)
            if found and budget[0] > 0:
                budget[0] -= 1
                ws.write_comment(r, col, "\n".join(p.message for p in found), {"x_scale": 2.5, "y_scale": 1.5})
        messages = [p.message for ps in cell_problems.values() for p in ps]
        if messages:
            ws.write_string(r, problems_col, str(neutralize("\n".join(messages))))


def _worst(problems: list[Problem]) -> str:
    return "error" if any(p.is_error for p in problems) else "warning"
