"""Issue 18 item 3: a workbook open in Excel while it is read. Excel's lock file beside it (``~$book.xlsx``)
means unsaved changes are not read: a warning says so, at the top of the summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch.load.inputs import load_inputs
from tests.load.corpus import workbook
from tests.test_cli_validate import rtm_batch


@pytest.mark.parametrize(
    ("book", "lock", "program"),
    [
        ("book.xlsx", "~$book.xlsx", "Excel"),
        ("onboarding-2026.xlsx", "~$boarding-2026.xlsx", "Excel"),  # a long name loses its first two characters
        ("book.xlsx", ".~lock.book.xlsx#", "LibreOffice"),
    ],
)
def test_a_lock_file_beside_the_workbook_is_a_warning(tmp_path: Path, book: str, lock: str, program: str) -> None:
    path = workbook(tmp_path, name=book)
    (tmp_path / lock).write_bytes(b"\x0bsomeone")
    [warning] = load_inputs([path]).problems
    assert (warning.sheet, warning.row, warning.severity, warning.rule) == ("", None, "warning", "file.open_in_excel")
    assert warning.message.startswith(f"{book} is open in {program} (its lock file {lock} is beside it)")
    assert "changes not saved yet are not read" in warning.message


def test_no_lock_file_no_warning(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    (tmp_path / "~$other.xlsx").write_bytes(b"x")
    assert load_inputs([path]).problems == ()


def test_the_summary_shows_it_first(tmp_path: Path) -> None:
    path = workbook(tmp_path, name="book.xlsx")
    (tmp_path / "~$book.xlsx").write_bytes(b"x")
    result = rtm_batch("validate", path, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "message" in line and "severity" in line)
    assert "book.xlsx is open in Excel" in lines[header + 2]
