"""Open an .xlsx workbook and read a sheet into a text grid numbered by Excel row.

A *grid* (see ``batch.load.csv``) has positional text columns ``c0``, ``c1``, … and ``_row`` (Int64, the
Excel row number). fastexcel (the calamine engine behind ``pl.read_excel(engine="calamine")``) is used
directly because the loader needs two things the polars wrapper hides:

- ``header_row=None, skip_rows=0`` keeps the blank rows above and between the data, so position + 1 is
  the Excel row number (calamine otherwise starts at the first non-empty row, and ``pl.read_excel``
  drops blank rows unless told not to);
- ``dtypes="string"`` turns numeric cells into their shortest exact text (358401234567, never
  ``3.58401234567E+11`` or ``358401234567.0``), dates into ISO text, booleans into ``true``/``false``.

Before calamine sees the file its first bytes say what it really is, so a renamed CSV, an old .xls, a
password-protected or a truncated workbook each get a message that says how to fix it.
"""

from __future__ import annotations

import re
import zipfile
from functools import partial
from pathlib import Path

import fastexcel
import polars as pl

from batch.errors import InputError
from batch.load.limits import check_workbook_limits
from batch.load.lockfile import open_elsewhere
from batch.load.stray import StrayCell, stray_warning, without_strays
from batch.problems import Problem

ROW = "_row"

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
#: Excel dates read as "YYYY-MM-DD 00:00:00"; a date is the useful text.
_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$"
_ESCAPE = r"_x([0-9A-Fa-f]{4})_"


def is_workbook_file(path: Path) -> bool:
    """True when the file's first bytes are a zip or an OLE container (xlsx, xls, encrypted xlsx)."""
    magic = _magic(path)
    return magic.startswith(_ZIP_MAGICS) or magic.startswith(_OLE_MAGIC)


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
                f"{path}: the workbook is damaged and cannot be read ({_first_line(exc)}); "
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
                f"{self.path}: sheet {sheet!r} cannot be read ({_first_line(exc)}); "
                "open the workbook in Excel, save it again and retry"
            ) from None
        # Name columns by their absolute position so a message can give the Excel column letter.
        frame = frame.rename({info.name: f"c{info.absolute_index}" for info in loaded.selected_columns})
        cells = [pl.col(name).cast(pl.String).str.replace(_MIDNIGHT, "$1") for name in frame.columns]
        frame = _unescape(frame.select(cells))
        return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def _unescape(frame: pl.DataFrame) -> pl.DataFrame:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (ESC is ``_x001B_``, a literal ``_x`` is
    ``_x005F_x``); calamine leaves them as written. Decoded here, in the rare columns that have one, so the
    validator sees the control character Excel shows."""
    escaped = [name for name in frame.columns if frame[name].str.contains(_ESCAPE).any()]
    decode = partial(re.compile(_ESCAPE).sub, lambda m: chr(int(m[1], 16)))
    return frame.with_columns(pl.col(name).map_elements(decode, return_dtype=pl.String) for name in escaped)


def check_workbook_file(path: Path) -> None:
    """Raise ``InputError`` unless ``path`` looks like a readable .xlsx (a zip holding a workbook)."""
    magic = _magic(path)
    if magic.startswith(_OLE_MAGIC):
        if _is_encrypted(path):
            raise InputError(
                f"{path}: the workbook is password-protected; open it in Excel, remove the "
                "password (File → Info → Protect Workbook → Encrypt with Password) and save it"
            )
        if path.suffix.lower() == ".xls":
            raise InputError(
                f"{path}: this is an old Excel 97-2003 (.xls) file; open it in Excel and save it as "
                "Excel Workbook (.xlsx)"
            )
        raise InputError(
            f"{path}: not an .xlsx workbook but an Excel 97-2003 (.xls) or password-protected file; open it in "
            "Excel, remove any password and save it as Excel Workbook (.xlsx)"
        )
    if not magic.startswith(_ZIP_MAGICS):
        if not magic:
            kind = "empty"
        elif _looks_like_text(magic):
            kind = "text (a CSV or text file renamed?)"
        else:
            kind = "not an Excel file"
        raise InputError(
            f"{path}: not an .xlsx workbook: the file is {kind}; give an .xlsx workbook or a folder of CSV files"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            f"{path}: the workbook is damaged (broken zip: {_first_line(exc)}); "
            "open it in Excel, save it again as .xlsx and retry"
        ) from None
    if "xl/workbook.xml" not in names:
        raise InputError(
            f"{path}: not an .xlsx workbook (a zip file without a workbook inside, e.g. a .docx or "
            ".ods); save it from Excel as Excel Workbook (.xlsx)"
        )


def _magic(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _is_encrypted(path: Path) -> bool:
    """Office puts an encrypted xlsx in an OLE container with an ``EncryptionInfo`` stream."""
    try:
        return _ENCRYPTION_STREAM in path.read_bytes()
    except OSError:
        return False


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return all(b >= 0x20 or b in b"\t\r\n" for b in head)
    return True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
