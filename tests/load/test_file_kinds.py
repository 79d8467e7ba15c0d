"""Issue 18 items 3 and 4: a file that is not what its name says gets one line saying what it is (never
calamine's own words), and a cell that cannot be read is named with its file, sheet and cell."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from batch.errors import InputError
from batch.load.inputs import load_inputs
from tests.load.corpus import rewrite_parts, sheet_part, workbook

XLS = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + "Workbook".encode("utf-16-le") + bytes(512)


def _refusal(path: Path) -> str:
    with pytest.raises(InputError) as exc:
        load_inputs([path])
    text = str(exc.value)
    assert "\n" not in text and "calamine" not in text.replace(str(path), "").lower()
    return text


@pytest.mark.parametrize("suffix", [".xls", ".xla", ".xlsb", ".ods"])
def test_an_xlsx_under_another_extension_says_rename_it(tmp_path: Path, suffix: str) -> None:
    book = shutil.copy(workbook(tmp_path), tmp_path / f"book{suffix}")
    assert _refusal(Path(book)) == (
        f"{book}: this is an .xlsx workbook whose name ends in {suffix}; rename it to book.xlsx"
    )


def test_an_xlsx_under_a_name_calamine_reads_anyway_is_read(tmp_path: Path) -> None:
    book = shutil.copy(workbook(tmp_path), tmp_path / "book.XLSX")
    assert load_inputs([Path(book)]).sheets["users"].frame.height == 4


def test_an_old_xls_named_xlsx_says_so(tmp_path: Path) -> None:
    (tmp_path / "old.xlsx").write_bytes(XLS)
    assert _refusal(tmp_path / "old.xlsx") == (
        f"{tmp_path / 'old.xlsx'}: this is an old Excel 97-2003 workbook (.xls) whose name ends in .xlsx; open it "
        "in Excel and save it as Excel Workbook (.xlsx)"
    )


@pytest.mark.parametrize(
    ("parts", "kind"),
    [
        ({"xl/workbook.bin": b"x"}, "an Excel Binary Workbook (.xlsb)"),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
            "an OpenDocument spreadsheet",
        ),
        ({"word/document.xml": b"<x/>"}, "a Word document"),
    ],
)
def test_other_zip_files_are_named(tmp_path: Path, parts: dict[str, bytes], kind: str) -> None:
    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert f"in.xlsx: not an .xlsx workbook but {kind}" in _refusal(path)


def _cell_text(tmp_path: Path, text: str) -> Path:
    """The users sheet's first first_name cell (C2) holding ``text`` as written in the XML."""
    path = workbook(tmp_path)
    part = sheet_part(path, "users")
    cell = f'<c r="C2" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
    return rewrite_parts(
        path, lambda n, d: re.sub(rb'<c r="C2"[^>]*?(/>|>.*?</c>)', lambda _: cell, d, count=1) if n == part else None
    )


def test_a_cell_with_half_a_character_is_named_with_its_file(tmp_path: Path) -> None:
    path = _cell_text(tmp_path, "Ai_xD800_no")
    assert _refusal(path) == (
        f"{path}: sheet 'users', cell C2: the cell holds half of a character (an _xD800_-style code without its "
        "other half), so it cannot be read; retype the cell in Excel and save"
    )


def test_both_halves_are_one_character(tmp_path: Path) -> None:
    frame = load_inputs([_cell_text(tmp_path, "Ai_xD83D__xDE00_no")]).sheets["users"].frame
    assert frame["first_name"][0] == "Ai\U0001f600no"


def test_an_unreadable_sheet_says_why_in_plain_words(tmp_path: Path) -> None:
    path = _cell_text(tmp_path, "Ai&bogus;no")
    assert _refusal(path) == (
        f"{path}: sheet 'users' cannot be read (unrecognized entity `&bogus;`); open the workbook in Excel, save it "
        "again and retry"
    )
