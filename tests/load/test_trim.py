"""Trimming keeps a column with nothing to change as read and gives the same cells as trimming every column."""

from __future__ import annotations

import polars as pl

from batch.load.trim import trim_cell, trimmed

#: One column per reason a cell changes, and columns where none does.
ROWS = pl.DataFrame(
    {
        "clean": ["a", "b c", None, "d"],
        "space": ["a", " b", "c\u00a0", "d"],
        "newline": ["a", "b\n", "c", "d"],
        "empty": ["a", "", "c", None],
        "guard": ["a", "'=1+2", "'+358", "c"],
        "apostrophe": ["O'Brien", "b", "c", "d"],
        "digits": ["0401234567", "+358 40 123", "1", "2"],
        "blank": [None, None, None, None],
    },
    schema_overrides={"blank": pl.String},
)


def test_same_cells_as_trimming_every_column() -> None:
    columns = ROWS.columns
    assert ROWS.select(trimmed(ROWS, columns)).equals(ROWS.select(trim_cell(c) for c in columns))


def test_a_column_with_nothing_to_change_is_kept_as_read() -> None:
    kept = [str(e) for e in trimmed(ROWS, ROWS.columns)]
    assert kept[0] == str(pl.col("clean")) and kept[-1] == str(pl.col("blank")) and kept[-2] == str(pl.col("digits"))
    assert all(k != str(pl.col(c)) for k, c in zip(kept[1:6], ROWS.columns[1:6], strict=True))


def test_no_columns() -> None:
    assert trimmed(ROWS, []) == []
