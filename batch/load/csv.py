"""Read one CSV file into a text grid: every record as written, numbered the way Excel shows it.

A *grid* is a ``pl.DataFrame`` with positional text columns ``c0``, ``c1``, … and ``_row`` (Int64, the
record number: the first record is 1). The header is not interpreted here: ``batch.load.inputs`` finds it, so
CSV and xlsx share one code path for headers, trimming and blank rows.

Why these choices:
- the separator (``;``, ``,`` or tab) is sniffed from the header line, because Excel writes ``;`` in
  locales where ``,`` is the decimal mark;
- polars numbers *records*, not lines, so a quoted cell that spans two lines does not shift the row
  numbers of the records after it, and a blank line is a (blank) record just as Excel shows it;
- one spare column beyond the header catches records with more cells than the header (usually an
  unquoted separator inside a value) without keeping arbitrarily many columns for a million rows;
- the encoding is checked on the first chunk before polars reads the file, so the common case (a
  Windows-1252 "CSV (Comma delimited)" save) gets a message that says which Excel option to use.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl

from batch.errors import InputError
from batch.load.limits import MAX_HEADER_BYTES, check_csv_columns, check_csv_size

#: Name of the record-number column of a grid (same as ``batch.load.inputs.ROW``).
ROW = "_row"

_SNIFF_BYTES = MAX_HEADER_BYTES
_SEPARATORS = (";", ",", "\t")
_SAVE_AS_UTF8 = 'open it in Excel and use File → Save As → "CSV UTF-8 (Comma delimited) (*.csv)"'


def read_csv_grid(path: Path) -> tuple[pl.DataFrame, int]:
    """The file as a grid plus the number of header cells (columns beyond that are spare).

    Raises ``InputError`` for a file that is not UTF-8 text or exceeds a limit of ``batch.load.limits``.
    """
    size = _size(path)
    check_csv_size(path, size)
    head = _read_head(path)
    text = _decode_head(path, head)
    if not text.strip():
        return _empty_grid(), 0
    source: Path | io.BytesIO = path
    if "\r" in text and "\n" not in text:  # old Mac line ends: polars knows only \n and \r\n
        source = io.BytesIO(_read_all(path).replace(b"\r", b"\n"))
        text = text.replace("\r", "\n")
    if "\n" not in text.lstrip("\r\n") and size > len(head):
        raise InputError(
            f"{path}: the header line is longer than {MAX_HEADER_BYTES // 1024} KiB (the file may have no line "
            "ends, or thousands of columns); the first line must be the column names"
        )
    separator = sniff_separator(text)
    width = _header_width(text, separator)
    check_csv_columns(path, width)
    names = [f"c{i}" for i in range(width + 1)]
    try:
        grid = pl.read_csv(
            source,
            has_header=False,
            separator=separator,
            quote_char='"',
            schema=dict.fromkeys(names, pl.String),
            infer_schema=False,
            truncate_ragged_lines=True,
            row_index_name=ROW,
            row_index_offset=1,
            encoding="utf8",
            raise_if_empty=False,
            missing_columns="insert",
        )
    except pl.exceptions.PolarsError as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            raise _not_utf8(path, _read_all(path)) from None
        raise InputError(f"{path}: cannot be read as CSV ({_first_line(exc)[:150]})") from None
    return grid.with_columns(pl.col(ROW).cast(pl.Int64)), width


def csv_form_of(path: Path) -> tuple[str, bool]:
    """(separator, has a UTF-8 BOM) of a CSV file: ``retry/`` writes its copy in the same form, and reads it
    here, with the input, because the file may be moved before ``retry/`` is written (``--out`` holding it)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return ",", True
    bom = head.startswith(codecs.BOM_UTF8)
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head.lstrip(codecs.BOM_UTF8))
    return (sniff_separator(text) if text.strip() else ","), bom


def sniff_separator(text: str) -> str:
    """The separator the header line uses most, outside quotes; ``,`` when the header has one column."""
    line = _first_line_of(text)
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _read_all(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _decode_head(path: Path, head: bytes) -> str:
    """The first chunk as text, without BOM; a clear error for UTF-16 and 8-bit encodings."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f'{path}: the file is UTF-16 (Excel\'s "Unicode Text"), not UTF-8 CSV; {_SAVE_AS_UTF8}')
    while head.startswith(codecs.BOM_UTF8):  # a doubled BOM: an editor added one to a file that had one
        head = head[len(codecs.BOM_UTF8) :]
    try:
        # An incremental decoder tolerates a character cut in two at the end of the chunk.
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise _not_utf8(path, head) from None


def _not_utf8(path: Path, data: bytes) -> InputError:
    """The error for a file saved in an 8-bit encoding, naming the first line that is not UTF-8."""
    try:
        data.decode("utf-8")
        where = ""
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f" (line {line} has a byte that is not UTF-8, e.g. an ä saved as Windows-1252/ANSI)"
    return InputError(f"{path}: the file is not UTF-8{where}; {_SAVE_AS_UTF8}")


def _header_width(text: str, separator: str) -> int:
    """Number of cells in the header record (a quoted header cell may hold a newline)."""
    reader = csv.reader(io.StringIO(text), delimiter=separator, quotechar='"')
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                return len(record)
    except csv.Error:
        pass
    return 1


def _first_line_of(text: str) -> str:
    """The header line: the first line that is not blank."""
    return next((line for line in text.splitlines() if line.strip()), "")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _empty_grid() -> pl.DataFrame:
    return pl.DataFrame(schema={"c0": pl.String, ROW: pl.Int64})
