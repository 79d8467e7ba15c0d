"""The export on disk: a workbook (``FILE.xlsx``) or a folder of CSV files named after the sheets.

Exactly the input form: the ``templates`` (only when it has rows), ``customers``, ``locations`` and
``users`` sheets with every column of ``schemas.SHEETS`` in its order, every cell text (in the workbook a
text-formatted cell, so Excel keeps ``00510`` and ``+358…``), cells neutralized against formula injection
(the loader takes the guard's apostrophe off again), plus ``_ids`` (Webex ids, states, export time), which
the loader ignores without a warning. Each file is written under a temporary name, then renamed: an
export is there whole or not at all.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl

from batch.errors import UsageError
from batch.export.rows import ID_COLUMNS, ExportRows, Row
from batch.report.cells import neutralize_frame
from batch.report.retry_form import CsvForm, RetrySheet, write_csv, write_workbook
from schemas import SHEETS

#: The sheet (and CSV file stem) of what the server holds beyond the input columns; the loader ignores it.
IDS = "_ids"
INPUT_SHEETS = ("templates", "customers", "locations", "users")
CSV_FORM = CsvForm(separator=",", bom=True)


def is_workbook(out: Path) -> bool:
    return out.suffix.lower() == ".xlsx"


def check_target(out: Path, *, force: bool = False) -> None:
    """Refuse, before any request, to write over a workbook or an export folder unless ``force``."""
    if is_workbook(out):
        if out.is_dir():
            raise UsageError(f"--out {out}: is a folder; name a new .xlsx file or give the folder without .xlsx")
        if out.exists() and not force:
            raise UsageError(f"--out {out}: already exists; choose another name or add --force to replace it")
        if not out.parent.exists():
            raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
        return
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file; name a folder, or a file ending in .xlsx")
    taken = [f"{name}.csv" for name in (*INPUT_SHEETS, IDS) if (out / f"{name}.csv").exists()]
    if taken and not force:
        raise UsageError(f"--out {out}: already holds {', '.join(taken)}; choose another folder or add --force")


def write_export(rows: ExportRows, out: Path) -> list[Path]:
    """The sheets as a workbook or a CSV folder; the paths written."""
    frames = {name: _frame(rows.sheets[name], SHEETS[name].column_names) for name in INPUT_SHEETS}
    frames[IDS] = _frame(rows.ids, ID_COLUMNS)
    order = [name for name in (*INPUT_SHEETS, IDS) if name != "templates" or frames[name].height]
    if is_workbook(out):
        sheets = [RetrySheet(name, name, neutralize_frame(frames[name]), None) for name in order]
        _atomic(out, lambda tmp: write_workbook(sheets, tmp))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("templates",):  # a --force export without templates must not leave an old one beside it
        if stale not in order:
            (out / f"{stale}.csv").unlink(missing_ok=True)
    paths = []
    for name in order:
        path = out / f"{name}.csv"
        frame = neutralize_frame(frames[name])
        _atomic(path, functools.partial(_csv, frame))
        paths.append(path)
    return paths


def _csv(frame: pl.DataFrame, path: Path) -> None:
    write_csv(frame, path, CSV_FORM)


def _frame(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> pl.DataFrame:
    data = {c: [(row.get(c) or None) for row in rows] for c in columns}
    return pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


__all__ = ["IDS", "Row", "check_target", "is_workbook", "write_export"]
