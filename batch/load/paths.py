"""What an input path must be before anything reads it; how a message quotes what a person wrote; where a
header below a title row is."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from batch.errors import InputError

#: A grid row as polars gives it (``row(named=True)``): ``_row`` (an int), then each cell (a str or None).
GridRow = dict[str, Any]


def check_path(path: Path) -> None:
    """An input must be a folder or a regular file: a FIFO or a device would hang or never end, a symlink
    loop or a dangling link gets a line that names it rather than "no such file"."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: a symbolic link that loops back on itself; point it at the input") from None
        if path.is_symlink():
            raise InputError(
                f"{path}: a broken symbolic link (it points to nothing: {short(os.readlink(path))})"
            ) from None
        if exc.errno == errno.ENOENT:
            raise InputError(
                f"{path}: no such file or folder; give an .xlsx workbook or a folder of CSV files"
            ) from None
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        raise InputError(
            f"{path}: not a regular file (a device, pipe or socket); give an .xlsx workbook or a folder of CSV files"
        )


def short(text: object, limit: int = 40) -> str:
    """A header or cell as a message quotes it: never the whole of a 50 MB cell (contract §4)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header_below(
    rest: pl.DataFrame, cells: list[str], required: set[str], canonical: Callable[[str], str], aliases: dict[str, str]
) -> int | None:
    """The row number (``_row``) of a row among the next ten that names most ``required`` columns, if any:
    the real header below a title row."""
    for row in rest.head(10).iter_rows(named=True):
        names = {canonical(row[cell]) for cell in cells if row.get(cell)}
        names |= {aliases[name] for name in names if name in aliases}
        if len(names & required) * 2 > len(required):
            return int(row["_row"])
    return None
