"""Open an .xlsx workbook and read a sheet into a text grid numbered by Excel row.

A *grid* (see ``batch.load.csv``) has positional text columns ``c0``, ``c1``, … and ``_row`` (Int64, the
Excel row number). fastexcel (the calamine engine behind ``pl.read_excel(engine="calamine")``) is used
directly because the loader needs two things the polars wrapper hides:

- ``header_row=None, skip_rows=0`` keeps the blank rows above and between the data, so position + 1 is
  the Excel row number (calamine otherwise starts at the first non-empty row, and ``pl.read_excel``
  drops blank rows unless told not to);
- ``dtypes="string"`` turns numeric cells into their shortest exact text (358401234567, never
  ``3.58401234567E+11`` or ``358401234567.0``), dates into ISO text, booleans into ``true``/``false``.

Before calamine sees the file ``batch.load.filekind`` reads what it really is from its bytes, so a renamed
CSV, an old .xls, a password-protected or a truncated workbook each get a message that says how to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path

import fastexcel
import polars as pl

from batch.errors import InputError
from batch.load.filekind import check_workbook_file, is_workbook_file
from batch.load.limits import check_workbook_limits, column_letters
from batch.load.lockfile import open_elsewhere
from batch.load.stray import StrayCell, stray_warning, without_strays
from batch.problems import Problem

ROW = "_row"

#: Excel dates read as "YYYY-MM-DD 00:00:00"; a date is the useful text.
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$"
_ESCAPE = r"_x([0-9A-Fa-f]{4})_"
#: How calamine's messages begin: the names of its own layers, and a byte position.
_CALAMINE = r"^(?:(?:calamine|Xlsx|Xls|Xlsb|Ods|Xml|Cfb|Zip|XML encoding) error:\s*|at \d+\.\.\d+:\s*)+"


class Workbook:
    """An opened workbook: its sheet names, and each sheet as a grid on demand; ``strays`` are the cells far
    from the data that were left out (sheet name → cells; see ``batch.load.stray``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_workbook_file(path)
        wide = check_workbook_limits(path)
        source: str | bytes = str(path)
        self.strays: dict[str, tuple[StrayCell, ...]] = {}
        if wide:
            source, self.strays = without_strays(path, wide)
        try:
            self._reader = fastexcel.read_excel(source)
        except Exception as exc:  # fastexcel raises several unrelated types for damaged files
            raise InputError(
                f"{path}: the workbook is damaged and cannot be read ({_reason(exc)}); "
                "open it in Excel, save it again as .xlsx and retry"
            ) from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._reader.sheet_names)

    def notes(self, read: dict[str, str]) -> list[Problem]:
        """Warnings about the workbook as a whole and the ``read`` sheets (input sheet → sheet name): open in
        Excel, cells far from the data left out."""
        found = [note for note in (open_elsewhere(self.path),) if note is not None]
        for sheet, name in read.items():
            found += [stray_warning(sheet, name, self.path, cell) for cell in self.strays.get(name, ())]
        return found

    def grid(self, sheet: str) -> pl.DataFrame:
        """Every row of ``sheet`` from Excel row 1, all cells as text (``c0``…, ``_row``)."""
        try:
            loaded = self._reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
            frame = loaded.to_polars()
        except Exception as exc:
            raise InputError(
                f"{self.path}: sheet {sheet!r} cannot be read ({_reason(exc)}); "
                "open the workbook in Excel, save it again and retry"
            ) from None
        # Name columns by their absolute position so a message can give the Excel column letter.
        frame = frame.rename({info.name: f"c{info.absolute_index}" for info in loaded.selected_columns})
        cells = [pl.col(name).cast(pl.String).str.replace(_MIDNIGHT, "$1") for name in frame.columns]
        frame = _unescape(frame.select(cells), f"{self.path}: sheet {sheet!r}")
        return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def _unescape(frame: pl.DataFrame, where: str) -> pl.DataFrame:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (ESC is ``_x001B_``, a literal ``_x`` is
    ``_x005F_x``); calamine leaves them as written. Decoded here, in the rare columns that have one, so the
    validator sees the control character Excel shows; a character beyond U+FFFF comes as two such halves, and a
    half alone is no character at all: ``InputError`` naming the cell (``where``: the file and sheet)."""
    escaped = [name for name in frame.columns if frame[name].str.contains(_ESCAPE).any()]
    decoded = [pl.Series(name, _decoded(frame[name].to_list(), name, where), pl.String) for name in escaped]
    return frame.with_columns(decoded)


def _decoded(values: list[str | None], column: str, where: str) -> list[str | None]:
    escape = re.compile(_ESCAPE)
    out: list[str | None] = []
    for position, value in enumerate(values):
        if value is None or "_x" not in value:
            out.append(value)
            continue
        text = escape.sub(lambda m: chr(int(m[1], 16)), value)
        try:
            out.append(text.encode("utf-16", "surrogatepass").decode("utf-16"))
        except UnicodeDecodeError:
            cell = f"{column_letters(int(column[1:]) + 1)}{position + 1}"
            raise InputError(
                f"{where}, cell {cell}: the cell holds half of a character (an _xD800_-style code without its "
                "other half), so it cannot be read; retype the cell in Excel and save"
            ) from None
    return out


def _reason(exc: BaseException) -> str:
    """What calamine said, without its own names for itself (``calamine error: Xlsx error: Xml error:``)."""
    text = _first_line(exc)
    return re.sub(_CALAMINE, "", text) or "unknown reason"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


__all__ = ["ROW", "Workbook", "check_workbook_file", "is_workbook_file"]
