"""A row's Webex ids as its result keeps them: one tuple of values, the names shared by every row (issue 22).

Why not a ``dict``: a run's results hold one per row until the reports are written, and a user's five ids
(customer, org, location, subscriber, person) as a dict were ~200 bytes a row beside the ids themselves: the
fold of 100,000 users grew the run by more than the plan it let go. Here a row holds its values (a tuple) and
the tuple of names its ids came in, shared with every row whose ids came in the same names (most rows of a sheet).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

#: Each tuple of names seen, once (a handful: one per kind of row and how far it got).
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}


class RowIds(Mapping[str, str]):
    """Read-only, equal to a mapping of the same items (``Mapping.__eq__``), in the order they were given."""

    __slots__ = ("_names", "_values")

    def __init__(self, ids: Mapping[str, str]) -> None:
        names = tuple(ids)
        self._names = _NAMES.setdefault(names, names)
        self._values = tuple(ids.values())

    def __getitem__(self, name: str) -> str:
        try:
            return self._values[self._names.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"RowIds({dict(self)!r})"
