"""A workbook that is open in Excel (or LibreOffice) while it is read: what is read is the last save.

Excel keeps ``~$book.xlsx`` beside an open ``book.xlsx`` (for a long name it may drop the name's first two
characters), LibreOffice ``.~lock.book.xlsx#``. Such a file is only a hint, so it is a warning, never a
refusal: the file may be left over from a crash.
"""

from __future__ import annotations

from pathlib import Path

from batch.problems import Problem


def open_elsewhere(path: Path) -> Problem | None:
    """A warning when a lock file says the workbook at ``path`` is open in Excel or LibreOffice."""
    name = path.name
    for lock, program in (
        (f"~${name}", "Excel"),
        (f"~${name[2:]}", "Excel"),
        (f".~lock.{name}#", "LibreOffice"),
    ):
        if (path.parent / lock).is_file():
            message = (
                f"{name} is open in {program} (its lock file {lock} is beside it): changes not saved yet are not "
                f"read; save the workbook in {program} and run again (delete {lock} if {program} is closed)"
            )
            return Problem("", None, "", "", "warning", "file.open_in_excel", message)
    return None
