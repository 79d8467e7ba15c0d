"""``retry/`` in the input's own form (contract §3): a workbook gives ``retry/retry.xlsx`` with the input's
sheet names and columns, a CSV folder gives CSV files with the input's separator and BOM. Either way a
last column ``problem`` says what to fix; the loader ignores it, so the files load back as they are.

The form is read off the rows themselves: the loader's ``_source`` is ``path#sheet`` for a workbook and the
file's path for a CSV, whose header line gives its separator and whose first bytes its BOM. In the
workbook every cell is written as text in a text-formatted column, so Excel keeps leading zeros and long
digit strings (``00510``, ``358401234567``) as typed, also in cells the partner edits later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import xlsxwriter

from batch.load.csv import csv_form_of
from batch.load.inputs import SOURCE

#: The column that says what to fix; ``batch.load.inputs`` ignores a column of this name.
PROBLEM = "problem"
WORKBOOK = "retry.xlsx"


@dataclass(frozen=True, slots=True)
class CsvForm:
    separator: str = ","
    bom: bool = True


@dataclass(frozen=True, slots=True)
class RetrySheet:
    """One sheet to write: its canonical name, the name the input gave it, the rows (partner's headers)."""

    name: str
    title: str
    frame: pl.DataFrame
    source: str | None


def input_is_workbook(sources: list[str]) -> bool:
    """True when the first input row came from a workbook (``path#sheet``), not a CSV file."""
    return bool(sources) and "#" in sources[0] and not sources[0].lower().endswith(".csv")


def sources_of(frames: list[pl.DataFrame]) -> list[str]:
    """The first ``_source`` of each frame that has rows, in sheet order."""
    return [f[SOURCE][0] for f in frames if SOURCE in f.columns and f.height and f[SOURCE][0] is not None]


def sheet_title(source: str | None, name: str) -> str:
    """The sheet's name in the input workbook (``Customers``), or the canonical name."""
    return source.rsplit("#", 1)[1] if source and "#" in source else name


def csv_form(source: str | None, fallback: CsvForm, known: Mapping[str, tuple[str, bool]] | None = None) -> CsvForm:
    """Separator and BOM of the CSV file ``source``: as read with the input (``known``, ``LoadedBatch.csv_forms``:
    the file may have moved since), else from the file; ``fallback`` when it cannot be read any more."""
    if not source or "#" in source:
        return fallback
    if known and source in known:
        return CsvForm(*known[source])
    if not Path(source).is_file():
        return fallback
    return CsvForm(*csv_form_of(Path(source)))


def write_workbook(sheets: list[RetrySheet], path: Path) -> None:
    """Every sheet as text cells under text-formatted columns, the header bold and frozen."""
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False}) as book:
        text = book.add_format({"num_format": "@"})
        bold = book.add_format({"bold": True, "num_format": "@"})
        used: set[str] = set()
        for sheet in sheets:
            title = sheet.title if sheet.title.lower() not in used else sheet.name
            used.add(title.lower())
            out = book.add_worksheet(title[:31])
            columns = sheet.frame.columns
            for c, name in enumerate(columns):
                width = min(
                    max([len(name), *(len(v) for v in sheet.frame[name].head(200).drop_nulls())], default=8), 60
                )
                out.set_column(c, c, max(width + 2, 10), text)
                out.write_string(0, c, name, bold)
            for r, row in enumerate(sheet.frame.iter_rows(), start=1):
                for c, value in enumerate(row):
                    if value is not None and value != "":
                        out.write_string(r, c, str(value))
            out.freeze_panes(1, 0)


def write_csv(frame: pl.DataFrame, path: Path, form: CsvForm) -> None:
    frame.write_csv(path, separator=form.separator, include_bom=form.bom)
