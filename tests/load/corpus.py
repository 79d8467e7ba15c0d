"""A corpus of hostile and broken inputs, made in code (no checked-in binaries), each with what it must give.

Every case builds its files in a folder and names the ``rtm-batch`` arguments to run on them, the exit code
the contract asks for (§4: 2 = cannot start, 1 = invalid rows, 0 = valid) and a regular expression the
one stderr line (exit 2) or the output (exit 0/1) must match. ``tests/load/test_corpus.py`` runs each case
through the real ``rtm-batch`` process under a 1.5 GiB address-space limit.

Zip tricks (declared sizes, CRC, lying counts) patch the bytes an ordinary writer produced, so each case
differs from a valid workbook in exactly the way its name says.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.builders import input_sheets, write_csv, write_csv_folder, write_workbook
from tests.validate.test_validate_support import valid_rows

#: What the process may use (contract §4).
MEMORY_LIMIT = 3 * 512 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    """``build(folder)`` makes the input and returns the arguments after ``rtm-batch``."""

    name: str
    build: Callable[[Path], list[str]]
    exit_code: int
    line: str  # regex searched in stderr (exit 2) or stdout+stderr (otherwise)
    as_root_ok: bool = True  # False: permissions cannot make it fail for root
    tags: tuple[str, ...] = field(default=())


def valid_sheets() -> dict[str, list[list]]:
    return input_sheets(**valid_rows())


def workbook(folder: Path, sheets: dict | None = None, name: str = "in.xlsx") -> Path:
    return write_workbook(folder / name, sheets or valid_sheets())


def csv_folder(folder: Path, sheets: dict | None = None, **options) -> Path:
    return write_csv_folder(folder / "csv", sheets or valid_sheets(), **options)


def validate(path: Path | str, *more: str) -> list[str]:
    return ["validate", str(path), "--out", str(Path(path).parent / "out"), *more]


# -- zip surgery ------------------------------------------------------------------------------------


def rewrite_parts(path: Path, change: Callable[[str, bytes], bytes | None], *, stored: bool = False) -> Path:
    """Rewrite the zip at ``path`` part by part (``change`` returns the new bytes, or None to keep them)."""
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as target:
        for name, data in parts:
            new = change(name, data)
            target.writestr(name, data if new is None else new)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    """The zip part of ``sheet`` (xlsxwriter numbers them in the order written)."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]+)"', book)
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def add_cell(path: Path, sheet: str, ref: str, value: str = "x", dimension: str | None = None) -> Path:
    """A text cell at ``ref`` (e.g. ``XFD1048576``) appended to ``sheet`` as an inline string."""
    part = sheet_part(path, sheet)
    row = re.sub(r"[A-Z]", "", ref)

    def change(name: str, data: bytes) -> bytes | None:
        if name != part:
            return None
        text = data.decode()
        cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c></row>'
        text = text.replace("</sheetData>", cell + "</sheetData>")
        if dimension:
            text = re.sub(r'<dimension ref="[^"]+"/>', f'<dimension ref="{dimension}"/>', text)
        return text.encode()

    return rewrite_parts(path, change)


def set_dimension(path: Path, sheet: str, ref: str) -> Path:
    part = sheet_part(path, sheet)
    return rewrite_parts(
        path,
        lambda n, d: (
            re.sub(rb'<dimension ref="[^"]+"/>', f'<dimension ref="{ref}"/>'.encode(), d) if n == part else None
        ),
    )


def lie_about_strings(path: Path, unique: int, count: int | None = None) -> Path:
    def change(name: str, data: bytes) -> bytes | None:
        if name != "xl/sharedStrings.xml":
            return None
        data = re.sub(rb'uniqueCount="\d+"', f'uniqueCount="{unique}"'.encode(), data)
        if count is not None:
            data = re.sub(rb' count="\d+"', f' count="{count}"'.encode(), data)
        return data

    return rewrite_parts(path, change)


def patch_declared_size(path: Path, part: str, size: int) -> Path:
    """Make the central directory (and local header) claim ``size`` uncompressed bytes for ``part``."""
    data = bytearray(path.read_bytes())
    encoded = part.encode()
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, at + size_at, size)
            start = at + 4
    path.write_bytes(bytes(data))
    return path


def corrupt_crc(path: Path, part: str) -> Path:
    """Store ``part`` uncompressed, then change one byte of its data: the CRC no longer matches."""
    rewrite_parts(path, lambda n, d: None, stored=True)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    body = data[start : start + info.compress_size]
    at = body.find(b"<t>") + 3 if b"<t>" in body else len(body) // 2
    data[start + at] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def bomb_part(path: Path, sheet: str, expanded: int, *, declared: int | None = None) -> Path:
    """Replace ``sheet`` by a part that inflates to ``expanded`` bytes: one cell with a huge text."""
    part = sheet_part(path, sheet)
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    head += b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
    tail = b"</t></is></c></row></sheetData></worksheet>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunks = [compressor.compress(head)]
    block = b"A" * (1 << 20)
    remaining = expanded - len(head) - len(tail)
    while remaining > 0:
        piece = block[: min(remaining, len(block))]
        chunks.append(compressor.compress(piece))
        remaining -= len(piece)
    chunks += [compressor.compress(tail), compressor.flush()]
    raw = b"".join(chunks)
    crc = 0  # the real CRC would need the whole text in memory once more; a bomb stops before the CRC counts
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with open(path, "wb") as handle:
        central = []
        for info, data in parts:
            offset = handle.tell()
            name = info.filename.encode()
            if info.filename == part:
                body, size, method, this_crc = raw, declared if declared is not None else expanded, 8, crc
            else:
                body, size, method, this_crc = data, len(data), 0, zlib.crc32(data)
            size32 = min(size, 0xFFFFFFFF)
            handle.write(
                struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, this_crc, len(body), size32, len(name), 0)
            )
            handle.write(name + body)
            central.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0,
                    method,
                    0,
                    0,
                    this_crc,
                    len(body),
                    size32,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + name
            )
        start = handle.tell()
        for entry in central:
            handle.write(entry)
        end = handle.tell()
        handle.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), end - start, start, 0))
    return path


# -- the cases --------------------------------------------------------------------------------------


def _users_rows() -> list[list]:
    return valid_sheets()["users"]


def _with_sheet(name: str, rows: list[list]) -> dict:
    sheets = valid_sheets()
    sheets[name] = rows
    return sheets


def _csv_raw(folder: Path, sheet: str, data: bytes) -> list[str]:
    path = csv_folder(folder)
    (path / f"{sheet}.csv").write_bytes(data)
    return validate(path)


def _csv_text(sheet: str) -> str:
    rows = valid_sheets()[sheet]
    return "".join(",".join("" if v is None else str(v) for v in row) + "\n" for row in rows)


def _symlink_loop(folder: Path) -> list[str]:
    loop = folder / "loop.xlsx"
    os.symlink(loop, loop)
    return validate(loop)


def _fifo(folder: Path) -> list[str]:
    path = folder / "users.csv"
    os.mkfifo(path)
    return validate(path)


def _fifo_in_folder(folder: Path) -> list[str]:
    path = csv_folder(folder)
    (path / "users.csv").unlink()
    os.mkfifo(path / "users.csv")
    return validate(path)


def _unreadable_file(folder: Path) -> list[str]:
    path = workbook(folder)
    path.chmod(0)
    return validate(path)


def _unreadable_folder(folder: Path) -> list[str]:
    path = csv_folder(folder)
    path.chmod(0)
    return validate(path)


def _sparse_csv(folder: Path) -> list[str]:
    path = csv_folder(folder)
    with (path / "users.csv").open("r+b") as handle:
        handle.seek(0, 2)
        handle.truncate(600 * 1024 * 1024)
    return validate(path)


def _out_is_file(folder: Path) -> list[str]:
    (folder / "out").write_text("x")
    return validate(workbook(folder))


def _template_exists(folder: Path) -> list[str]:
    (folder / "t.xlsx").write_text("mine")
    return ["template", "--out", str(folder / "t.xlsx")]


def _title_row(folder: Path) -> list[str]:
    rows = [["Users of Mäkelä 2026"], [], *_users_rows()]
    return validate(workbook(folder, _with_sheet("users", rows)))


def _date_phone(folder: Path) -> list[str]:
    import datetime as dt

    rows = _users_rows()
    column = rows[0].index("phone_number")
    rows[1][column] = dt.date(2026, 1, 5)
    return validate(workbook(folder, _with_sheet("users", rows)))


def _control(folder: Path, text: str) -> list[str]:
    rows = _users_rows()
    rows[1][rows[0].index("first_name")] = text
    return validate(workbook(folder, _with_sheet("users", rows)))


def _header_cell(folder: Path, text: str, *, csv: bool) -> list[str]:
    rows = _users_rows()
    rows[0].append(text)
    sheets = _with_sheet("users", rows)
    return validate(csv_folder(folder, sheets) if csv else workbook(folder, sheets))


def _wide_header(folder: Path, count: int, *, csv: bool) -> list[str]:
    rows = _users_rows()
    rows[0] += [f"x{i}" for i in range(count)]
    sheets = _with_sheet("users", rows)
    return validate(csv_folder(folder, sheets) if csv else workbook(folder, sheets))


def _cell(folder: Path, sheet: str, column: str, value: object, row: int = 1) -> list[str]:
    sheets = valid_sheets()
    sheets[sheet][row][sheets[sheet][0].index(column)] = value
    return validate(workbook(folder, sheets))


def _w(change: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    """A case that changes a valid workbook."""
    return lambda folder: validate(change(workbook(folder)))


def _users_part(path: Path) -> str:
    return sheet_part(path, "users")


def junk_rows(path: Path, count: int) -> Path:
    """``count`` rows of junk below the users header: one text cell each, every required cell empty."""
    part = _users_part(path)
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>junk</t></is></c></row>' for r in range(9, 9 + count)
    )

    def change(name: str, data: bytes) -> bytes | None:
        return data.replace(b"</sheetData>", rows.encode() + b"</sheetData>") if name == part else None

    return rewrite_parts(path, change)


def _cut_sheet(path: Path) -> Path:
    part = _users_part(path)
    return rewrite_parts(path, lambda name, data: data[: len(data) // 2] if name == part else None)


def stray_cells(path: Path, count: int) -> Path:
    """``count`` cells far to the right and below the users data: data far away, not a leftover."""
    part = _users_part(path)
    cells = "".join(
        f'<row r="{r}"><c r="XFA{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(5000, 5000 + count)
    )
    return rewrite_parts(
        path, lambda n, d: d.replace(b"</sheetData>", cells.encode() + b"</sheetData>") if n == part else None
    )


def _stray(ref: str) -> str:
    """The summary of a valid workbook with one stray cell: one warning, naming the cell."""
    return rf"0 errors, 1 warnings(.|\n)*\(cell {ref}\)"


def _renamed(path: Path, suffix: str) -> Path:
    return path.rename(path.with_suffix(suffix))


def _xls_named_xlsx(folder: Path) -> list[str]:
    path = folder / "old.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + "Workbook".encode("utf-16-le") + bytes(512))
    return validate(path)


def _open_in_excel(folder: Path) -> list[str]:
    path = workbook(folder)
    (folder / "~$in.xlsx").write_bytes(b"\x0bsomeone")
    return validate(path)


def _template(folder: Path) -> Path:
    from batch.template import write_template

    return write_template(folder / "t.xlsx")


def _cell_xml(path: Path, text: str) -> Path:
    """The first first_name cell of the users sheet (C2) holding ``text`` as written in the sheet's XML."""
    part = _users_part(path)
    cell = f'<c r="C2" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
    return rewrite_parts(
        path, lambda n, d: re.sub(rb'<c r="C2"[^>]*?(/>|>.*?</c>)', lambda _: cell, d, count=1) if n == part else None
    )


CANNOT = r"^error: .{10,300}$"

CASES: list[Case] = [
    # -- paths ------------------------------------------------------------------------------------
    Case("missing path", lambda f: validate(f / "nope.xlsx"), 2, r"nope\.xlsx: no such file or folder"),
    Case("symlink loop", _symlink_loop, 2, r"loop\.xlsx: .*symbolic links? (loop|that loops)"),
    Case(
        "dangling symlink",
        lambda f: (os.symlink(f / "gone.xlsx", f / "l.xlsx"), validate(f / "l.xlsx"))[1],
        2,
        r"l\.xlsx: .*(broken|dangling|points to nothing|no such)",
    ),
    Case("fifo given", _fifo, 2, r"users\.csv: not a regular file"),
    Case("fifo in folder", _fifo_in_folder, 2, r"users\.csv: not a regular file"),
    Case("device given", lambda f: validate("/dev/zero"), 2, r"/dev/zero: not a regular file"),
    Case("unreadable file", _unreadable_file, 2, r"in\.xlsx: cannot be read \(Permission denied\)", as_root_ok=False),
    Case("unreadable folder", _unreadable_folder, 2, r"csv: cannot be read \(Permission denied\)", as_root_ok=False),
    Case("same input twice", lambda f: [*validate(workbook(f)), str(f / "in.xlsx")], 2, r"given twice"),
    Case("empty folder", lambda f: (f.joinpath("e").mkdir(), validate(f / "e"))[1], 2, r"has none of the input CSV"),
    Case(
        "csv file for folder",
        lambda f: validate(write_csv(f / "export.csv", _users_rows())),
        2,
        r"export\.csv: a CSV file must be named after its sheet .*give the folder",
    ),
    # -- not a workbook ---------------------------------------------------------------------------
    Case("empty xlsx", lambda f: (f.joinpath("e.xlsx").write_bytes(b""), validate(f / "e.xlsx"))[1], 2, r"is empty"),
    Case(
        "text as xlsx",
        lambda f: (f.joinpath("t.xlsx").write_text("a,b\n1,2\n"), validate(f / "t.xlsx"))[1],
        2,
        r"is text",
    ),
    Case(
        "ole xls",
        lambda f: (
            f.joinpath("o.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600),
            validate(f / "o.xls"),
        )[1],
        2,
        r"Excel 97-2003",
    ),
    Case(
        "encrypted",
        lambda f: (
            f.joinpath("p.xlsx").write_bytes(
                bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 64 + "EncryptionInfo".encode("utf-16-le")
            ),
            validate(f / "p.xlsx"),
        )[1],
        2,
        r"password-protected",
    ),
    Case(
        "zip without workbook",
        lambda f: (zipfile.ZipFile(f / "d.xlsx", "w").writestr("word/document.xml", "x"), validate(f / "d.xlsx"))[1],
        2,
        r"not an \.xlsx workbook but a Word document; give the workbook instead",
    ),
    Case(
        "truncated zip",
        lambda f: (p := workbook(f), p.write_bytes(p.read_bytes()[:2000]), validate(p))[2],
        2,
        r"damaged",
    ),
    Case("bad crc", _w(lambda p: corrupt_crc(p, "xl/sharedStrings.xml")), 2, r"damaged.*(CRC|checksum)"),
    Case("bad crc in sheet", _w(lambda p: corrupt_crc(p, "xl/worksheets/sheet1.xml")), 2, r"damaged.*(CRC|checksum)"),
    Case("sheet xml broken", _w(_cut_sheet), 2, r"(cannot be read|damaged)"),
    # -- bombs and absurd sizes -------------------------------------------------------------------
    # a few cells far from the data are left out and named (issue 18 item 4); many are refused
    Case("stray cell XFD1048576", _w(lambda p: add_cell(p, "users", "XFD1048576")), 0, _stray("XFD1048576")),
    Case("stray cell Z1048576", _w(lambda p: add_cell(p, "users", "Z1048576")), 0, _stray("Z1048576")),
    Case("stray cell XFD7", _w(lambda p: add_cell(p, "users", "XFD7")), 0, _stray("XFD7")),
    Case("stray cell AB1", _w(lambda p: add_cell(p, "users", "AB3")), 0, r"0 errors"),
    Case("dimension lies", _w(lambda p: set_dimension(p, "users", "A1:XFD1048576")), 0, r"0 errors, 0 warnings"),
    Case("101 stray cells", _w(lambda p: stray_cells(p, 101)), 2, r"sheet 'users' has 101 cells far from the data"),
    Case("shared strings lie", _w(lambda p: lie_about_strings(p, 2147483647)), 2, r"sharedStrings.*2147483647"),
    Case("shared strings count lies", _w(lambda p: lie_about_strings(p, 5, 2147483647)), 2, r"2147483647"),
    Case(
        "declared 3 GiB part",
        _w(lambda p: patch_declared_size(p, _users_part(p), 3 * 1024**3)),
        2,
        r"(expands|unpacks) to .*(GiB|MiB)",
    ),
    Case(
        "inflates beyond its declared size",
        _w(lambda p: bomb_part(p, "users", 20 * 1024 * 1024, declared=1000)),
        2,
        r"damaged \(Bad CRC",
    ),
    Case("sparse 600 MiB csv", _sparse_csv, 2, r"users\.csv: .*(MiB|GiB).*at most"),
    Case("100,000 rows of junk", _w(lambda p: junk_rows(p, 100_000)), 1, r"90000 more rows have this problem"),
    # -- CSV shapes -------------------------------------------------------------------------------
    Case(
        "cr-only csv", lambda f: _csv_raw(f, "users", _csv_text("users").replace("\n", "\r").encode()), 0, r"0 errors"
    ),
    Case("crlf csv", lambda f: _csv_raw(f, "users", _csv_text("users").replace("\n", "\r\n").encode()), 0, r"0 errors"),
    Case("header of 5,000 columns", lambda f: _wide_header(f, 5_000, csv=True), 2, r"5,0\d\d columns"),
    Case("header line of 3 MB", lambda f: _header_cell(f, "h" * 3_000_000, csv=True), 2, r"header"),
    Case("header cell of 100 KB xlsx", lambda f: _header_cell(f, "h" * 30_000, csv=False), 0, r"0 errors"),
    Case("workbook of 2,000 columns", lambda f: _wide_header(f, 2_000, csv=False), 2, r"\d columns"),
    Case(
        "doubled BOM",
        lambda f: _csv_raw(f, "users", b"\xef\xbb\xbf\xef\xbb\xbf" + _csv_text("users").encode()),
        0,
        r"0 errors",
    ),
    Case("utf-16 csv", lambda f: _csv_raw(f, "users", _csv_text("users").encode("utf-16")), 2, r"UTF-16"),
    Case("windows-1252 csv", lambda f: _csv_raw(f, "users", _csv_text("users").encode("cp1252")), 2, r"not UTF-8"),
    Case(
        "nul bytes csv",
        lambda f: _csv_raw(f, "users", _csv_text("users").replace("Aino", "Ai\0no").encode()),
        1,
        r"errors",
    ),
    Case(
        "unterminated quote",
        lambda f: _csv_raw(f, "users", _csv_text("users").replace("Aino", '"Aino').encode()),
        2,
        r"cannot be read as CSV",
    ),
    Case("empty users.csv", lambda f: _csv_raw(f, "users", b""), 2, r"users sheet is empty"),
    Case("only blank lines", lambda f: _csv_raw(f, "users", b"\r\n\r\n ; \r\n"), 2, r"users sheet is empty"),
    Case("binary junk csv", lambda f: _csv_raw(f, "users", bytes(range(256)) * 40), 2, r"not UTF-8"),
    # -- headers ----------------------------------------------------------------------------------
    Case("title row above header", _title_row, 2, r"row 1 .*'Users of Mäkelä 2026'.*header.*row 3"),
    Case(
        "missing users sheet",
        lambda f: validate(workbook(f, {k: v for k, v in valid_sheets().items() if k != "users"})),
        2,
        r"no users sheet",
    ),
    Case("column twice", lambda f: _header_cell(f, "E-mail", csv=False), 2, r"two columns are email"),
    Case(
        "header-less data",
        lambda f: validate(workbook(f, _with_sheet("users", [[None] * 3 + ["x"]]))),
        2,
        r"required columns",
    ),
    # -- cells ------------------------------------------------------------------------------------
    Case("date in phone column", _date_phone, 1, r"users .*phone_number.*2026-01-05.*date"),
    Case("control character", lambda f: _control(f, "Uu\x1bsi"), 1, r"control character"),
    Case("bidi override", lambda f: _control(f, "Uu\u202esi"), 1, r"control character"),
    Case("error cell", lambda f: _cell(f, "users", "phone_number", "#N/A"), 1, r"phone_number"),
    Case("huge cell", lambda f: _cell(f, "users", "first_name", "y" * 32_000), 0, r"0 errors"),
    Case("lower-case customer id", lambda f: _cell(f, "users", "customer_external_id", "fi-1"), 0, r"0 errors"),
    # -- usage ------------------------------------------------------------------------------------
    Case("no arguments to validate", lambda f: ["validate"], 2, r"^error: missing argument 'INPUT"),
    Case("unknown option", lambda f: ["validate", "--bogus", "x"], 2, r"^error: no such option: --bogus"),
    Case("unknown command", lambda f: ["frobnicate"], 2, r"^error: no such command 'frobnicate'"),
    Case(
        "bad number",
        lambda f: ["run", "x.xlsx", "--out", str(f), "--concurrency", "many"],
        2,
        r"^error: invalid value for '--concurrency'",
    ),
    Case("option without value", lambda f: ["plan", "x.xlsx", "--out"], 2, r"^error: .*--out.*(requires|argument)"),
    Case("out is a file", _out_is_file, 2, r"out: --out names a file, not a folder"),
    Case(
        "out under a file",
        lambda f: (f.joinpath("o").write_text("x"), ["validate", str(workbook(f)), "--out", str(f / "o" / "deeper")])[
            1
        ],
        2,
        r"deeper: .*(not a folder|cannot)",
    ),
    Case("template over a file", _template_exists, 2, r"t\.xlsx: .*exists.*--force"),
    # -- the same refusals from plan, run and demo ---------------------------------------------------
    Case(
        "plan on stray cells",
        lambda f: ["plan", *validate(stray_cells(workbook(f), 101))[1:]],
        2,
        r"101 cells far from the data",
    ),
    Case(
        "run on lying strings",
        lambda f: [
            "run",
            *validate(lie_about_strings(workbook(f), 2147483647))[1:],
            "--base-url",
            "http://127.0.0.1:9/v1",
        ],
        2,
        r"2147483647",
    ),
    Case(
        "run on a fifo",
        lambda f: ["run", *_fifo(f)[1:], "--base-url", "http://127.0.0.1:9/v1"],
        2,
        r"not a regular file",
    ),
    Case(
        "run with --out a file",
        lambda f: (f.joinpath("o").write_text("x"), ["run", str(workbook(f)), "--out", str(f / "o")])[1],
        2,
        r"not a folder",
    ),
    Case(
        "demo with --out a file",
        lambda f: (f.joinpath("o").write_text("x"), ["demo", "--out", str(f / "o")])[1],
        2,
        r"not a folder",
    ),
    # issue 18: a folder gets FOLDER/onboarding.xlsx, a CSV name the fix
    Case(
        "template into a folder", lambda f: ["template", "--out", str(f)], 0, r"Template written to .*onboarding\.xlsx"
    ),
    Case("template as csv", lambda f: ["template", "--out", str(f / "t.csv")], 2, r"t\.csv: the template is an \.xlsx"),
    # -- issue 18: files that are not what their name says, open workbooks, empty ones, unreadable cells --------
    Case("xlsx named .xls", lambda f: validate(_renamed(workbook(f), ".xls")), 2, r"in\.xls: .*rename it to in\.xlsx"),
    Case(
        "xls named .xlsx", _xls_named_xlsx, 2, r"old\.xlsx: this is an old Excel 97-2003 workbook \(\.xls\) whose name"
    ),
    Case("open in Excel", _open_in_excel, 0, r"in\.xlsx is open in Excel"),
    Case("empty template", lambda f: validate(_template(f)), 2, r"t\.xlsx: no rows"),
    Case("run on an empty template", lambda f: ["run", *validate(_template(f))[1:]], 2, r"no rows"),
    Case("half a character", _w(lambda p: _cell_xml(p, "Ai_xD800_no")), 2, r"in\.xlsx: sheet 'users', cell C2: .*half"),
    Case(
        "bad entity in a cell", _w(lambda p: _cell_xml(p, "Ai&bogus;no")), 2, r"in\.xlsx: sheet 'users' cannot be read"
    ),
]
