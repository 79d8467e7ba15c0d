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
from tests.load.corpus import add_cell, csv_folder, workbook


def test_column_letters_round_trip() -> None:
    assert [column_number(x) for x in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]
    assert [column_letters(n) for n in (1, 26, 27, 16384)] == ["A", "Z", "AA", "XFD"]


def test_the_farthest_cell_is_found_in_any_order() -> None:
    text = b'<row r="3"><c r="B3"/><c r="E3"/></row><row r="9"><c r="C9"/></row><row r="2"><c r="AB2"/></row>'
    assert _farther(_Reach(), text) == _Reach(columns=28, rows=9)
    assert _farther(_Reach(columns=5, rows=1), b'<c r="Z7"/>') == _Reach(columns=26, rows=1)


def test_a_stray_cell_is_refused_before_calamine_reads_the_sheet(tmp_path: Path) -> None:
    path = add_cell(workbook(tmp_path), "users", "XFD1048576")
    with pytest.raises(InputError, match=r"sheet 'users' has a cell at XFD1048576"):
        load_inputs([path])


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
