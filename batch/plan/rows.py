"""Validated rows as the planner and the jobs read them: read-only views of the sheet's polars columns.

A job carries its row (``Job.fields``). As a ``dict`` per row a million users took 1.9 GiB and ~20 s of CPU to
plan; as a tuple of decoded values per row (a shared column index) still ~600 bytes per user, most of it a
fresh ``str`` for every cell. Here a row is a ``RowFields``: the sheet's columns (``SheetRows``, one per
sheet, shared by all its rows) and the row's position. A value is read from its polars column when a job asks
for it (~1 µs) and not kept, so a million planned users hold no cell as a Python object: the batch's text
stays once, in the validated frame, and a run's memory grows with the jobs in flight, not with the batch.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping
from typing import Any

import polars as pl


class SheetRows:
    """A sheet's columns by name, each a reader of one row's value (list columns read as ``list``)."""

    __slots__ = ("index", "readers")

    def __init__(self, frame: pl.DataFrame) -> None:
        self.index = {name: i for i, name in enumerate(frame.columns)}
        self.readers = tuple(_reader(frame.get_column(name)) for name in frame.columns)


class RowFields(Mapping[str, Any]):
    """One row of a sheet, read-only like the ``Mapping`` ``Job.fields`` is typed as; ``{**row, "x": 1}`` makes
    a dict as ever. Equal to a mapping of the same items (``Mapping.__eq__``)."""

    __slots__ = ("_position", "_sheet")

    def __init__(self, sheet: SheetRows, position: int) -> None:
        self._sheet = sheet
        self._position = position

    def __getitem__(self, key: str) -> Any:
        sheet = self._sheet
        return sheet.readers[sheet.index[key]](self._position)

    def __iter__(self) -> Iterator[str]:
        return iter(self._sheet.index)

    def __len__(self) -> int:
        return len(self._sheet.index)

    def items(self) -> ItemsView[str, Any]:
        """Every column's value read in one pass (a job's fingerprint reads them all)."""
        return _RowItems(self)

    def values_in_order(self) -> list[Any]:
        position = self._position
        return [read(position) for read in self._sheet.readers]

    def __repr__(self) -> str:
        return f"RowFields({dict(self)!r})"


class _RowItems(ItemsView[str, Any]):
    """``RowFields.items()``: the pairs of its columns and values, without a look-up per key."""

    _mapping: RowFields

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        row = self._mapping
        return zip(row, row.values_in_order(), strict=True)


def _reader(column: pl.Series) -> Callable[[int], Any]:
    """How one value of ``column`` is read: polars gives a list cell as a ``Series``, the jobs expect a list."""
    if isinstance(column.dtype, pl.List):

        def read_list(position: int) -> list[Any] | None:
            cell = column[position]
            return None if cell is None else cell.to_list()

        return read_list
    return column.__getitem__


class RowAs(Mapping[str, Any]):
    """Some columns of a row under the names a job reads them by (a location's ``numbers_e164`` as its numbers
    job's ``numbers``), read when asked: as dicts of values, a location's numbers and address were the plan's
    largest part after its users (~2 KiB a location; at 100,000 users, ~10 MiB for the run). ``names``: each
    field → (its column, what the field reads when the cell is empty), one mapping shared by every job of a kind."""

    __slots__ = ("_names", "_row")

    def __init__(self, row: RowFields, names: Mapping[str, tuple[str, Any]]) -> None:
        self._row = row
        self._names = names

    def __getitem__(self, key: str) -> Any:
        column, empty = self._names[key]
        value = self._row[column]
        return empty if value is None else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"RowAs({dict(self)!r})"
