"""Validated rows as the planner and the jobs read them: compact, read-only mappings (issue 22 item 2).

A job carries its row (``Job.fields``). As a ``dict`` per row (``iter_rows(named=True)``, then a copy with
``calling`` added) a million users took 1.9 GiB and ~20 s of CPU to plan, most of it the dicts and a fresh
``str`` for every cell. Here a row is a ``RowFields``: one column index per sheet, shared by all its rows,
and a tuple of values (~230 bytes instead of ~1.2 KB for the dict); and the columns whose values repeat
(a customer's id on each of its users, the package, the location, the input's name) are decoded once per
distinct value, so a million users share a few thousand ``str`` objects there instead of holding a million.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl

#: Columns whose values repeat across rows: each distinct value becomes one Python ``str``, shared.
REPEATING = frozenset(
    {
        "customer_external_id",
        "package",
        "package_resolved",
        "location_name",
        "location_resolved",
        "roles",
        "_source",
        "country",
        "country_code",
        "timezone",
        "timezone_resolved",
        "preferred_language",
        "announcement_language",
        "numbers_state",
        "first_name",
        "last_name",
    }
)


class RowFields(Mapping[str, Any]):
    """One row: ``index`` maps a column to its position in ``values`` and is shared by every row of a sheet.
    Read-only like the ``Mapping`` ``Job.fields`` is typed as; ``{**row, "x": 1}`` makes a dict as ever."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def with_value(self, key: str, value: Any) -> RowFields:
        """The same row with ``key`` (one of the index's columns) set to ``value``."""
        at = self._index[key]
        return RowFields(self._index, (*self._values[:at], value, *self._values[at + 1 :]))

    def __repr__(self) -> str:
        return f"RowFields({dict(self)!r})"


def row_fields(frame: pl.DataFrame, extra: Sequence[str] = ()) -> tuple[dict[str, int], Iterator[tuple[Any, ...]]]:
    """The sheet's column index (its columns, then ``extra`` ones the caller appends to each row's values) and
    its rows as value tuples, built column by column (no dict per row)."""
    index = {name: i for i, name in enumerate([*frame.columns, *extra])}
    columns = [_values(frame.get_column(name)) for name in frame.columns]
    return index, zip(*columns, strict=True)


def _values(column: pl.Series) -> list[Any]:
    """A column as Python values; a repeating text column decodes each distinct value once."""
    if column.name not in REPEATING or column.dtype != pl.String or column.len() < 1000:
        return column.to_list()
    distinct = column.unique().drop_nulls()
    codes = column.cast(pl.Enum(distinct)).to_physical().to_list()  # position in ``distinct``
    values = distinct.to_list()
    return [None if code is None else values[code] for code in codes]
