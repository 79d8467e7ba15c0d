"""The loader's limits and path checks as a library call: what the corpus (test_corpus.py) meets as a process,
plus what root cannot provoke with permissions (an unreadable folder)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from batch.errors import InputError
from batch.load.inputs import load_inputs
from batch.load.limits import _farther, _Reach, column_letters, column_number
from batch.load.stray import MAX_STRAYS, ROW_GAP, _end
from tests.load.corpus import add_cell, csv_folder, rewrite_parts, set_dimension, sheet_part, workbook


def test_column_letters_round_trip() -> None:
    assert [column_number(x) for x in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]
    assert [column_letters(n) for n in (1, 26, 27, 16384)] == ["A", "Z", "AA", "XFD"]


def test_the_farthest_cell_is_found_in_any_order() -> None:
    text = b'<row r="3"><c r="B3"/><c r="E3"/></row><row r="9"><c r="C9"/></row><row r="2"><c r="AB2"/></row>'
    assert _farther(_Reach(), text) == _Reach(columns=28, rows=9)
    assert _farther(_Reach(columns=5, rows=1), b'<c r="Z7"/>') == _Reach(columns=26, rows=1)


@pytest.mark.parametrize("ref", ["XFD1048576", "XFD7", "Z1048576"])
def test_a_stray_cell_far_from_the_data_is_left_out_and_named(tmp_path: Path, ref: str) -> None:
    """Issue 18 item 4: read without it (calamine would fill a grid up to it), with a warning naming the cell."""
    plain = load_inputs([workbook(tmp_path / "plain")])
    batch = load_inputs([add_cell(workbook(tmp_path), "users", ref, "muistiinpano")])
    assert batch.sheets["users"].frame.equals(
        plain.sheets["users"].frame.with_columns(batch.sheets["users"].frame["_source"])
    )
    [warning] = batch.problems
    row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert (warning.sheet, warning.row, warning.column, warning.value) == (
        "users",
        row,
        f"(cell {ref})",
        "muistiinpano",
    )
    assert (warning.severity, warning.rule) == ("warning", "users.cell.stray")
    assert f"cell {ref} of sheet 'users' in in.xlsx has a value far from the data and is ignored" in warning.message


def test_a_dimension_that_claims_a_huge_range_is_read_by_its_real_cells(tmp_path: Path) -> None:
    path = set_dimension(workbook(tmp_path), "users", "A1:XFD1048576")
    batch = load_inputs([path])
    assert batch.sheets["users"].frame.height == 4 and batch.problems == ()


def test_a_formatted_empty_cell_far_away_is_no_data_and_no_warning(tmp_path: Path) -> None:
    part = sheet_part(workbook(tmp_path), "users")
    styled = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    path = rewrite_parts(
        tmp_path / "in.xlsx",
        lambda n, d: d.replace(b"</sheetData>", styled.encode() + b"</sheetData>") if n == part else None,
    )
    batch = load_inputs([path])
    assert batch.sheets["users"].frame.height == 4 and batch.problems == ()


def test_many_cells_far_from_the_data_are_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    for row in range(5000, 5000 + 3 * (MAX_STRAYS + 1), 3):
        add_cell(path, "users", f"XFA{row}")
    with pytest.raises(InputError, match=rf"sheet 'users' has {MAX_STRAYS + 1} cells far from the data"):
        load_inputs([path])


def test_where_the_data_ends_is_the_first_wide_gap() -> None:
    assert _end([1, 2, 3, 900, 1001], ROW_GAP) == 1001
    assert _end([1, 2, 3, 1005, 1006], ROW_GAP) == 3
    assert _end([4000, 4001, 1048576], ROW_GAP) == 4001
    assert _end([], ROW_GAP) == 0


def test_an_unreadable_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = csv_folder(tmp_path)

    def denied(self: Path):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(InputError, match=r"csv: cannot be read \(Permission denied\)"):
        load_inputs([folder])


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "users.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_inputs([fifo])
