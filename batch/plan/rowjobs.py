"""``Plan.rows``: each input row's job keys, kept per (input, sheet) by row number (issue 22 item 2).

Why not one dict by (input, sheet, row): at 100,000 users its entries were the plan's largest part (15.5 MiB,
~155 bytes a row: a three-item key tuple, a one-item value tuple and the entry). Here a row is an entry in its
(input, sheet)'s dict, keyed by the row number the row's job holds too (``Job.row``, the same ``int``), and a row
whose one job is all it names (most users rows) holds that job's key itself, not a tuple of it: ~40 bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping

#: An input row: (source, sheet, Excel row) (``batch.plan.graph.RowId``, the name the rest of the code uses).
RowId = tuple[str, str, int]
Keys = tuple[str, ...]


class RowJobs(MutableMapping[RowId, Keys]):
    """Job keys by input row, in the order rows were added within each (input, sheet), the (input, sheet)s in the
    order of their first row (the planner adds a sheet's rows input by input, so this is the order they came in)."""

    __slots__ = ("_parts",)

    def __init__(self, rows: Mapping[RowId, Keys] | Iterable[tuple[RowId, Keys]] = ()) -> None:
        self._parts: dict[tuple[str, str], dict[int, str | Keys]] = {}
        self.update(rows)

    def __getitem__(self, row: RowId) -> Keys:
        found = self.get(row)
        if found is None:
            raise KeyError(row)
        return found

    def get(self, row: RowId, default: Keys | None = None) -> Keys | None:  # type: ignore[override]
        """As ``Mapping.get``, without raising and catching a ``KeyError`` for a row it does not hold."""
        source, sheet, number = row
        found = self._parts.get((source, sheet), _EMPTY).get(number)
        if found is None:
            return default
        return (found,) if isinstance(found, str) else found

    def __contains__(self, row: object) -> bool:
        if not isinstance(row, tuple) or len(row) != 3:
            return False
        source, sheet, number = row
        return number in self._parts.get((source, sheet), _EMPTY)

    def __setitem__(self, row: RowId, keys: Keys) -> None:
        source, sheet, number = row
        part = self._parts.get((source, sheet))
        if part is None:
            part = self._parts[(source, sheet)] = {}
        part[number] = keys[0] if len(keys) == 1 else tuple(keys)

    def __delitem__(self, row: RowId) -> None:
        source, sheet, number = row
        part = self._parts.get((source, sheet), _EMPTY)
        if number not in part:
            raise KeyError(row)
        del part[number]

    def __iter__(self) -> Iterator[RowId]:
        for (source, sheet), part in self._parts.items():
            for number in part:
                yield (source, sheet, number)

    def __len__(self) -> int:
        return sum(map(len, self._parts.values()))  # a few (input, sheet)s

    def __repr__(self) -> str:
        return f"RowJobs({dict(self.items())!r})"


_EMPTY: dict[int, str | Keys] = {}
