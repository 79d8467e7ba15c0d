"""What a file given as a workbook really is, read from its bytes rather than its name.

calamine picks its reader by the file's extension, so an .xlsx renamed .xls fails deep inside it with an
"Invalid OLE signature", and an .xls renamed .xlsx with a zip error. Here the first bytes (and, for a zip, the
names of its parts) say what the file is, and a person gets one line saying so and how to fix it: a CSV or
text file, an old .xls, a password-protected workbook, an .xlsx under another extension, an .xlsb or .ods,
a Word document, a damaged zip.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from batch.errors import InputError

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
#: The stream an Excel 97-2003 workbook keeps its sheets in (``Book`` in Excel 5).
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
#: Extensions calamine reads as something else than .xlsx (it tries every reader for any other name).
_OTHER_READERS = (".xls", ".xla", ".xlsb", ".ods")
_SAVE_AS = "open it in Excel and save it as Excel Workbook (.xlsx)"


def is_workbook_file(path: Path) -> bool:
    """True when the file's first bytes are a zip or an OLE container (xlsx, xls, encrypted xlsx)."""
    magic = _magic(path)
    return magic.startswith(_ZIP_MAGICS) or magic.startswith(_OLE_MAGIC)


def check_workbook_file(path: Path) -> None:
    """Raise ``InputError`` unless ``path`` is an .xlsx workbook (a zip holding ``xl/workbook.xml``) under a
    name calamine reads as one."""
    magic = _magic(path)
    if magic.startswith(_OLE_MAGIC):
        raise InputError(_ole(path))
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
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            f"{path}: the workbook is damaged (broken zip: {_first_line(exc)}); "
            "open it in Excel, save it again as .xlsx and retry"
        ) from None
    if "xl/workbook.xml" not in names:
        kind = _zip_kind(names, mimetype)
        fix = "give the workbook instead" if "Word" in kind else _SAVE_AS
        raise InputError(f"{path}: not an .xlsx workbook but {kind}; {fix}")
    if path.suffix.lower() in _OTHER_READERS:
        raise InputError(
            f"{path}: this is an .xlsx workbook whose name ends in {path.suffix}; rename it to "
            f"{path.with_suffix('.xlsx').name}"
        )


def _ole(path: Path) -> str:
    """The line for an OLE container: an encrypted .xlsx or an old .xls, whatever its name."""
    try:
        head = path.read_bytes()
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc})"
    if _ENCRYPTION_STREAM in head:
        return (
            f"{path}: the workbook is password-protected; open it in Excel, remove the "
            "password (File → Info → Protect Workbook → Encrypt with Password) and save it"
        )
    if any(stream in head for stream in _XLS_STREAMS):
        if path.suffix.lower() == ".xls":
            return f"{path}: this is an old Excel 97-2003 (.xls) file; {_SAVE_AS}"
        return f"{path}: this is an old Excel 97-2003 workbook (.xls) whose name ends in {path.suffix}; {_SAVE_AS}"
    return (
        f"{path}: not an .xlsx workbook but an Excel 97-2003 (.xls) or password-protected file; open it in "
        "Excel, remove any password and save it as Excel Workbook (.xlsx)"
    )


def _zip_kind(names: set[str], mimetype: bytes) -> str:
    if "xl/workbook.bin" in names:
        return "an Excel Binary Workbook (.xlsb)"
    if b"opendocument.spreadsheet" in mimetype:
        return "an OpenDocument spreadsheet (.ods, e.g. from LibreOffice)"
    if "word/document.xml" in names:
        return "a Word document"
    return "a zip file without a workbook inside (e.g. a .docx or .ods)"


def _magic(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return all(b >= 0x20 or b in b"\t\r\n" for b in head)
    return True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
