"""What the loader refuses before reading, so no input makes the tool use more than 1.5 GiB or hang (§4).

calamine (behind fastexcel) trusts a workbook: it reserves memory for the ``uniqueCount`` a
``sharedStrings`` part declares and fills a dense grid from A1 to the farthest cell of a sheet, so one
stray cell at ``XFD1048576`` asks for 512 GiB and a lying count aborts the process. A zip part can also
inflate a thousandfold. So every part of a workbook is read once here, as a stream and never whole:

- each part's declared size, and the bytes it really inflates to, against ``MAX_PART_BYTES`` (and all
  parts together against ``MAX_WORKBOOK_BYTES``); reading to the end also checks each part's CRC, so a
  damaged zip is unreadable input, never silently read;
- each sheet's farthest cell against ``MAX_COLUMNS`` and ``MAX_SHEET_CELLS``: a sheet beyond them is
  handed to ``batch.load.stray``, which reads it without a few stray cells far from the data or refuses it
  (its declared ``<dimension>`` is not looked at: calamine reads the cells, not that claim);
- the ``sharedStrings`` counts against what the part could hold (every string takes at least 8 bytes).

CSV files: at most ``MAX_CSV_BYTES``, a header line within the first ``MAX_HEADER_BYTES`` and at most
``MAX_COLUMNS`` header cells. The README states these limits.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from batch.errors import InputError

MiB = 1024 * 1024
#: One part of a workbook (a sheet's XML, the shared strings) may inflate to this much.
MAX_PART_BYTES = 256 * MiB
#: All parts of a workbook together.
MAX_WORKBOOK_BYTES = 512 * MiB
#: Cells in a sheet's used range (rows × columns, from A1 to its farthest cell).
MAX_SHEET_CELLS = 10_000_000
#: Columns of a sheet or a CSV header.
MAX_COLUMNS = 1_000
#: A CSV file.
MAX_CSV_BYTES = 512 * MiB
#: The header line of a CSV file must end within this many bytes.
MAX_HEADER_BYTES = 64 * 1024

_CHUNK = 1 * MiB
_OVERLAP = 64
# Plain prefixes, no backtracking: the scan runs over every byte of every sheet (140 MB in ~1 s). A row's
# ``r`` is digits, a cell's starts with its column letters.
_ROW = re.compile(rb' r="(\d{1,9})"')
_WIDE_CELL = re.compile(rb' r="([A-Z]{2,3})\d')
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_COUNT = re.compile(rb'\b(count|uniqueCount)="(\d+)"')
#: One-letter cell references beyond column n (1-25): ``_BEYOND[n]`` finds a cell in columns n+1 … Z.
_BEYOND = {n: re.compile(f' r="([{chr(65 + n)}-Z])\\d'.encode()) for n in range(26)}


@dataclass(frozen=True, slots=True)
class _Reach:
    """The farthest column (1-based) and row a sheet part names."""

    columns: int = 0
    rows: int = 0


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_workbook_limits(path: Path) -> dict[str, str]:
    """Raise ``InputError`` when the workbook at ``path`` exceeds a size limit or is damaged (bad CRC); return
    the sheets whose used range exceeds ``MAX_COLUMNS`` or ``MAX_SHEET_CELLS`` (zip part → sheet name)."""
    wide: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_declared(path, infos)
            sheets = sheet_names(archive)
            for info in infos:
                sheet = sheets.get(info.filename)
                if not _check_part(path, archive, info, sheet):
                    wide[info.filename] = sheet or _name(info.filename)
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"{path}: the workbook is damaged ({_short(exc)}); open it in Excel, save it again as .xlsx and retry"
        ) from None
    except (OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise InputError(f"{path}: the workbook cannot be read ({_short(exc)}); save it again as .xlsx") from None
    return wide


def within_limits(columns: int, rows: int) -> bool:
    return columns <= MAX_COLUMNS and columns * rows <= MAX_SHEET_CELLS


def too_wide(path: Path, sheet: str, columns: int, rows: int, what: str) -> InputError:
    """The refusal of a sheet whose cells reach too far (``what``: how they do)."""
    return InputError(
        f"{path}: sheet {sheet!r} {what} ({columns:,} columns × {rows:,} rows; at most {MAX_COLUMNS:,} columns and "
        f"{MAX_SHEET_CELLS:,} cells are read): delete the stray cells far from the data (select the empty rows and "
        "columns, Delete) and save"
    )


def check_csv_size(path: Path, size: int) -> None:
    if size > MAX_CSV_BYTES:
        raise InputError(
            f"{path}: the file is {size / MiB:,.0f} MiB; a CSV file may be at most {MAX_CSV_BYTES // MiB} MiB: "
            "split the rows over several inputs"
        )


def check_csv_columns(path: Path, count: int) -> None:
    if count > MAX_COLUMNS:
        raise InputError(
            f"{path}: the header has {count:,} columns; at most {MAX_COLUMNS:,} are read: check the separator "
            "or delete the extra columns"
        )


def _check_declared(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise InputError(
                f"{path}: the part {_name(info.filename)} expands to {_size(info.file_size)}; at most "
                f"{_size(MAX_PART_BYTES)} are read (a zip bomb, or far too much data for one workbook)"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_WORKBOOK_BYTES:
        raise InputError(
            f"{path}: the workbook expands to {_size(total)}; at most {_size(MAX_WORKBOOK_BYTES)} are read: "
            "split it, or give the rows as CSV files"
        )


def _check_part(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str | None) -> bool:
    """Stream one part to its end (zipfile checks the CRC there), measuring what matters for it; False for a
    sheet whose cells reach beyond ``MAX_COLUMNS`` or ``MAX_SHEET_CELLS``."""
    is_sheet = sheet is not None or info.filename.startswith("xl/worksheets/")
    is_strings = info.filename.lower().endswith("sharedstrings.xml")
    where = f"sheet {sheet!r}" if sheet else f"the part {_name(info.filename)}"
    reach = _Reach()
    counts: dict[str, int] = {}
    size = 0
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > MAX_PART_BYTES:
                raise InputError(
                    f"{path}: {where} expands to more than {_size(MAX_PART_BYTES)} (it claims "
                    f"{_size(info.file_size)}); a zip bomb, or too much data for one workbook: use CSV files"
                )
            text = tail + chunk
            if is_sheet:
                reach = _farther(reach, text)
            elif is_strings and not counts:
                counts = _sst_counts(text)
            tail = chunk[-_OVERLAP:]
    if counts:
        _check_strings(path, counts, size)
    return not is_sheet or within_limits(reach.columns, reach.rows)


def _farther(reach: _Reach, text: bytes) -> _Reach:
    rows = max(map(int, _ROW.findall(text)), default=0)
    wide = max((column_number(c.decode()) for c in set(_WIDE_CELL.findall(text))), default=0)
    if wide < 26 and reach.columns < 26:  # one-letter columns beyond the farthest seen so far
        while (found := _BEYOND[max(reach.columns, wide)].search(text)) is not None:
            wide = ord(found[1]) - 64
            if wide == 26:
                break
    return _Reach(max(reach.columns, wide), max(reach.rows, rows))


def _sst_counts(text: bytes) -> dict[str, int]:
    head = _SST.search(text)
    return {k.decode(): int(v) for k, v in _COUNT.findall(head[0])} if head else {}


def _check_strings(path: Path, counts: dict[str, int], size: int) -> None:
    """Every distinct string takes at least ``<si><t/></si>``; a count beyond that is a lie calamine believes."""
    unique = counts.get("uniqueCount", 0)
    total = counts.get("count", 0)
    if unique > size // 8 + 1 or total > MAX_SHEET_CELLS * 10:
        claimed = max(unique, total)
        raise InputError(
            f"{path}: the shared strings (xl/sharedStrings.xml) claim {claimed} strings, more than the part can "
            "hold: the file was not written by Excel correctly; open it in Excel and save it again"
        )


def sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip part → sheet name, from the workbook and its relationships (both small; checked before reading)."""
    try:
        book = _small(archive, "xl/workbook.xml")
        rels = _small(archive, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for rel in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        ident, target = re.search(rb'\bId="([^"]+)"', rel), re.search(rb'\bTarget="([^"]+)"', rel)
        if ident and target:
            name = target[1].decode("utf-8", "replace")
            targets[ident[1]] = name.lstrip("/") if name.startswith("/") else str(PurePosixPath("xl") / name)
    names = {}
    for sheet in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        name, ident = re.search(rb'\bname="([^"]*)"', sheet), re.search(rb'\br:id="([^"]+)"', sheet)
        if name and ident and ident[1] in targets:
            names[targets[ident[1]]] = _unescape(name[1].decode("utf-8", "replace"))
    return names


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > 16 * MiB:
        return b""
    with archive.open(info) as stream:
        return stream.read(16 * MiB)


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _name(part: str) -> str:
    return part if len(part) <= 80 else part[:77] + "..."


def _size(size: int) -> str:
    return f"{size / (1024 * MiB):,.1f} GiB" if size >= 1024 * MiB else f"{size / MiB:,.0f} MiB"


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:150] if text else type(exc).__name__
