"""A row's Webex ids as its result keeps them: its values as one text, the names shared by every row (issue 22).

Why not a ``dict``: a run's results hold one per row until the reports are written, and a user's five ids
(customer, org, location, subscriber, person) as a dict were ~200 bytes a row beside the ids themselves: the
fold of 100,000 users grew the run by more than the plan it let go. Here a row holds the tuple of names its ids came
in, shared with every row whose ids came in the same names (most rows of a sheet), and its values joined in one
``str``: a user's subscriber and person ids as two ``str`` and a tuple were ~350 bytes, as one ~220 (at 100,000
users, 12 MiB of the results the reports are written from).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

#: Each tuple of names seen, once (a handful: one per kind of row and how far it got).
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
#: Between two values in the one text (a Webex id is base64: it never holds it; values that do stay a tuple).
_SEP = "\x1f"


class RowIds(Mapping[str, str]):
    """Read-only, equal to a mapping of the same items (``Mapping.__eq__``), in the order they were given."""

    __slots__ = ("_names", "_values")

    def __init__(self, ids: Mapping[str, str]) -> None:
        names = tuple(ids)
        self._names = _NAMES.setdefault(names, names)
        values = tuple(ids.values())
        self._values: str | tuple[str, ...] = values
        if len(values) == 1 and isinstance(values[0], str):
            self._values = values[0]
        elif len(values) > 1 and all(isinstance(v, str) and _SEP not in v for v in values):
            self._values = _SEP.join(values)

    def _all(self) -> tuple[str, ...]:
        values = self._values
        if isinstance(values, tuple):
            return values
        return (values,) if len(self._names) == 1 else tuple(values.split(_SEP))

    def __getitem__(self, name: str) -> str:
        try:
            at = self._names.index(name)
        except ValueError:
            raise KeyError(name) from None
        return self._all()[at]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"RowIds({dict(self)!r})"
