"""A sheet whose used range is huge because of a few cells far from the data is read without them.

calamine fills a dense grid from A1 to the farthest cell with a value, so one ``x`` left at ``Z1048576``
makes a 27-million-cell grid (1.4 GiB) and one at ``XFD7`` a 16,384-column one. ``batch.load.limits`` names
the sheets whose cells reach beyond its limits; for each, this module reads the sheet's XML once to find
where the data is: the rows up to the first gap of more than ``ROW_GAP`` empty rows, the columns up to the
first gap of more than ``COLUMN_GAP`` empty columns. Cells outside that are *stray*: when the data itself
is within the limits and the stray cells are at most ``MAX_STRAYS``, the workbook is copied (in memory)
without them and read from the copy, and each stray cell becomes a warning naming it. Anything else is
refused as before. Cells without a value (formatting only) count for nothing: calamine skips them too.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from batch.errors import InputError
from batch.load.limits import column_letters, column_number, too_wide, within_limits
from batch.problems import Problem

#: More empty rows than this between two rows with values: what follows is far from the data.
ROW_GAP = 1_000
#: More empty columns than this between two columns with values: what follows is far from the data.
COLUMN_GAP = 100
#: More stray cells than this: not a leftover but data far away, and the sheet is refused.
MAX_STRAYS = 100

_CHUNK = 1024 * 1024
_CELL = re.compile(rb'<((?:\w+:)?)c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*?(?:/>|>(.*?)</\1c>)', re.DOTALL)
_TEXT = re.compile(rb"<(?:\w+:)?(?:t|v)\b[^>]*>([^<]*)<")
_SHARED = re.compile(rb'\bt="s"')


@dataclass(frozen=True, slots=True)
class StrayCell:
    """A cell with a value far from the data; ``value`` is its text where the cell holds it (not for a
    shared string, which would need the strings table)."""

    ref: str
    row: int
    value: str


@dataclass(frozen=True, slots=True)
class _Data:
    """Where a sheet's data ends: its last row and column (1-based)."""

    rows: int
    columns: int


def stray_warning(sheet: str, name: str, path: Path, cell: StrayCell) -> Problem:
    """The warning of a stray cell of sheet ``name`` (the input sheet ``sheet``) of the workbook at ``path``."""
    message = (
        f"cell {cell.ref} of sheet {name!r} in {path.name} has a value far from the data and is ignored: delete it "
        "in Excel, or move it into the table if it is input"
    )
    return Problem(sheet, cell.row, f"(cell {cell.ref})", cell.value, "warning", f"{sheet}.cell.stray", message)


def without_strays(path: Path, wide: dict[str, str]) -> tuple[bytes, dict[str, tuple[StrayCell, ...]]]:
    """The workbook at ``path`` with the stray cells of the ``wide`` sheets (zip part → sheet name) left out,
    as bytes, and those cells per sheet name; ``InputError`` when a sheet's data itself is too big or its
    stray cells are too many to be leftovers."""
    with zipfile.ZipFile(path) as archive:
        data = {part: _data_of(path, archive, part, sheet) for part, sheet in wide.items()}
        buffer = io.BytesIO()
        strays: dict[str, tuple[StrayCell, ...]] = {}
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
            for info in archive.infolist():
                if info.filename in data:
                    found = _copy_sheet(archive, copy, info, data[info.filename])
                    strays[wide[info.filename]] = found
                    if len(found) > MAX_STRAYS:
                        raise InputError(
                            f"{path}: sheet {wide[info.filename]!r} has {len(found):,} cells far from the data (the "
                            f"first at {found[0].ref}); delete them (select the empty rows and columns, Delete) and "
                            "save, or move that data into the table"
                        )
                else:
                    copy.writestr(info, archive.read(info))
    return buffer.getvalue(), strays


def _data_of(path: Path, archive: zipfile.ZipFile, part: str, sheet: str) -> _Data:
    """Rows and columns with values, the gaps between them, and so where the data ends."""
    rows: Counter[int] = Counter()
    columns: Counter[int] = Counter()
    for piece in _pieces(archive, part):
        for cell in _CELL.finditer(piece):
            if _has_value(cell):
                rows[int(cell[3])] += 1
                columns[column_number(cell[2].decode())] += 1
    data = _Data(_end(sorted(rows), ROW_GAP), _end(sorted(columns), COLUMN_GAP))
    if not within_limits(data.columns, data.rows):
        ref = f"{column_letters(data.columns)}{data.rows}"
        raise too_wide(path, sheet, data.columns, data.rows, f"has data up to {ref}")
    return data


def _end(used: list[int], gap: int) -> int:
    """The last of the sorted ``used`` positions before the first gap wider than ``gap`` (from 1, A)."""
    last = 0
    for position in used:
        if position - last > gap + 1 and last:
            break
        last = position
    return last


def _copy_sheet(
    archive: zipfile.ZipFile, copy: zipfile.ZipFile, info: zipfile.ZipInfo, data: _Data
) -> tuple[StrayCell, ...]:
    """Write the sheet part into ``copy`` without the cells beyond ``data``; return those cells."""
    strays: list[StrayCell] = []

    def keep(cell: re.Match[bytes]) -> bytes:
        row, column = int(cell[3]), column_number(cell[2].decode())
        if row <= data.rows and column <= data.columns or not _has_value(cell):
            return cell[0]
        strays.append(StrayCell(f"{cell[2].decode()}{row}", row, _text(cell)))
        return b""

    target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    target.compress_type = zipfile.ZIP_DEFLATED
    with copy.open(target, "w", force_zip64=info.file_size > 1 << 30) as out:
        for piece in _pieces(archive, info.filename):
            out.write(_CELL.sub(keep, piece))
    return tuple(strays)


def _pieces(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part in pieces that end after a ``</row>`` (or at its end), so no cell is cut in two."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            text = tail + chunk
            cut = max(text.rfind(b"</row>"), text.rfind(b":row>"))
            if cut < 0:
                tail = text
                continue
            cut = text.index(b">", cut) + 1
            yield text[:cut]
            tail = text[cut:]
    yield tail


def _has_value(cell: re.Match[bytes]) -> bool:
    return bool(cell[4]) and cell[4].strip() != b""


def _text(cell: re.Match[bytes]) -> str:
    if _SHARED.search(cell[0][: cell[0].find(b">")]):
        return ""
    found = _TEXT.search(cell[4] or b"")
    return found[1].decode("utf-8", "replace")[:40] if found else ""
