"""A validated sheet as the planner walks it: its valid rows, column by column (issue 22 item 2).

The planner reads a few columns of every valid row (keys, the location, the phone) and hands each job its
whole row (``RowFields``, read from the frame when a job asks). Reading those few columns as Python lists,
the repeating ones (a customer's id on each of its users, the location, the input's name) decoded once per
distinct value, costs a fraction of a per-row mapping, and the jobs of a million users share a few thousand
``str`` objects for them (``Job.source``) instead of holding a million.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

from batch.plan.rows import RowFields, SheetRows

#: Columns whose values repeat across rows: each distinct value becomes one Python ``str``, shared.
REPEATING = frozenset({"customer_external_id", "location_resolved", "_source"})


class ValidSheet:
    """The valid rows of one sheet: ``column(name)`` lists a column's values in row order and ``fields(i)``
    the valid rows as jobs read them. ``extra`` columns (e.g. ``calling``) are added to every row."""

    __slots__ = ("_frame", "_mask", "_positions", "_sheet", "_whole", "_offset")

    def __init__(self, frame: pl.DataFrame, **extra: pl.Expr) -> None:
        frame = frame.with_columns(**extra) if extra else frame
        self._take(frame, SheetRows(frame), 0, frame)

    @classmethod
    def _part(cls, frame: pl.DataFrame, whole: ValidSheet, offset: int) -> ValidSheet:
        """Rows ``offset`` on of a sheet (``parts``): they read the whole sheet's columns, at their place in it."""
        part = cls.__new__(cls)
        part._take(frame, whole._sheet, offset, whole._whole)
        return part

    def _take(self, frame: pl.DataFrame, sheet: SheetRows, offset: int, whole: pl.DataFrame) -> None:
        self._whole = whole  # every row of the sheet, this part's among them
        self._offset = offset
        self._frame = frame
        self._mask = frame.get_column("_valid").fill_null(False)
        positions: list[int] = self._mask.arg_true().to_list()
        self._positions = [offset + at for at in positions] if offset else positions
        self._sheet = sheet

    def __len__(self) -> int:
        return len(self._positions)

    def parts(self, rows: int) -> Iterator[ValidSheet]:
        """The sheet ``rows`` rows at a time (views of the frame, no copy): the planner's lists of one part's
        columns, not the whole sheet's, are what it holds at once (a million users' emails and phones as
        ``str`` were ~250 MiB on top of the graph). A part's rows are read from the whole sheet (``sheet_rows``),
        so the jobs of one (customer, location) share one ``Shared`` part across the sheet's parts."""
        if self._frame.height <= rows:
            yield self
            return
        for start in range(0, self._frame.height, rows):
            yield ValidSheet._part(self._frame.slice(start, rows), self, start)

    def column(self, column: str | pl.Expr) -> list[Any]:
        """A column's (or an expression's over the sheet) values of the valid rows, in row order."""
        values = self._frame.get_column(column) if isinstance(column, str) else self._frame.select(column).to_series()
        return self._valid(values)

    def whole(self, column: pl.Expr) -> pl.Series:
        """An expression over every row of the sheet, made once for all its parts (``column_of``): made per part, an
        ``is_in`` over the batch's numbers built its table 100 times for a million users (~10 s)."""
        return self._whole.select(column).to_series()

    def column_of(self, whole: pl.Series) -> list[Any]:
        """This part's valid rows of a column over the whole sheet (``whole``), in row order."""
        return self._valid(whole.slice(self._offset, self._frame.height))

    def _valid(self, values: pl.Series) -> list[Any]:
        """The valid rows' values of a column of this part's rows, as Python values."""
        if len(self._positions) < values.len():
            values = values.filter(self._mask)
        return _decoded(values)

    @property
    def positions(self) -> list[int]:
        """The valid rows' places in the frame, in row order (what a ``RowFields`` of one names)."""
        return self._positions

    @property
    def sheet_rows(self) -> SheetRows:
        """The columns every ``RowFields`` of this sheet reads."""
        return self._sheet

    def fields(self) -> Iterator[RowFields]:
        """Each valid row as its jobs read it (values stay in the frame until read)."""
        sheet = self._sheet
        return (RowFields(sheet, position) for position in self._positions)

    def rows(self) -> Iterator[dict[str, Any]]:
        """Each valid row as a plain dict, for a small sheet the planner reads many columns of."""
        names = self._frame.columns
        return (dict(zip(names, values, strict=True)) for values in zip(*map(self.column, names), strict=True))


def _decoded(column: pl.Series) -> list[Any]:
    """A column as Python values; a repeating text column (``String``, or a categorical of
    ``batch.validate.compact``, coded straight from its categories) decodes each distinct value once."""
    text = column.dtype == pl.String or isinstance(column.dtype, pl.Categorical)
    if column.name not in REPEATING or not text or column.len() < 1000:
        return column.to_list()
    distinct = column.unique().drop_nulls().cast(pl.String)
    codes = column.cast(pl.Enum(distinct)).to_physical().to_list()  # position in ``distinct``
    values = distinct.to_list()
    return [None if code is None else values[code] for code in codes]
