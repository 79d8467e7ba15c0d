"""A row's Webex ids as its result keeps them: its values packed, the names shared by every row (issue 22).

Why not a ``dict``: a run's results hold one per row until the reports are written, and a user's five ids
(customer, org, location, subscriber, person) as a dict were ~200 bytes a row beside the ids themselves: the
fold of 100,000 users grew the run by more than the plan it let go. Here a row holds the tuple of names its ids came
in, shared with every row whose ids came in the same names (most rows of a sheet), and its values packed.

A Webex id is the base64 of a URI whose last part is a UUID (``ciscospark://us/PEOPLE/<uuid>``, ~84 characters):
packed, it is the index of its URI's head among those seen (a handful: one per kind of object) and the UUID's 16
bytes. A user's subscriber and person ids were one ~220-byte ``str`` (two, ~350, before that); packed, one 67-byte
``bytes``: ~15 MiB fewer under the reports at 100,000 users. A value packs only if it unpacks to the very same text;
values that do not (any other id, a blank) are kept as text, joined in one ``str`` where they can be.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterator, Mapping

#: Each tuple of names seen, once (a handful: one per kind of row and how far it got).
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
#: Between two values in the one text (a Webex id is base64: it never holds it; values that do stay a tuple).
_SEP = "\x1f"
#: The heads of the URIs of the ids packed so far (``ciscospark://us/PEOPLE/``), by their index in a packed id.
_HEADS: list[str] = []
_HEAD_AT: dict[str, int] = {}
#: A packed id: its head's index (one byte) and its UUID's 16 bytes.
_PACKED = 17
_MOST_HEADS = 255  # the last index one byte holds; ids of any further head stay text


class RowIds(Mapping[str, str]):
    """Read-only, equal to a mapping of the same items (``Mapping.__eq__``), in the order they were given."""

    __slots__ = ("_names", "_values")

    def __init__(self, ids: Mapping[str, str]) -> None:
        names = tuple(ids)
        self._names = _NAMES.setdefault(names, names)
        values = tuple(ids.values())
        self._values: str | tuple[str, ...] | bytes = values
        if values and (packed := _pack(values)) is not None:
            self._values = packed
        elif len(values) == 1 and isinstance(values[0], str):
            self._values = values[0]
        elif len(values) > 1 and all(isinstance(v, str) and _SEP not in v for v in values):
            self._values = _SEP.join(values)

    def _value(self, at: int) -> str:
        values = self._values
        if isinstance(values, bytes):
            return _unpacked(values[at * _PACKED : (at + 1) * _PACKED])
        if isinstance(values, tuple):
            return values[at]
        return values if len(self._names) == 1 else values.split(_SEP)[at]

    def __getitem__(self, name: str) -> str:
        if name not in self._names:
            raise KeyError(name)
        return self._value(self._names.index(name))

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """As ``Mapping.get``, without raising and catching a ``KeyError`` for each id a row does not have (the
        reports ask every row for all five)."""
        return self._value(self._names.index(name)) if name in self._names else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"RowIds({dict(self)!r})"


def _pack(values: tuple[str, ...]) -> bytes | None:
    """Every value packed, one after the other; ``None`` if one does not pack."""
    packed = b""
    for value in values:
        one = _packed_id(value)
        if one is None:
            return None
        packed += one
    return packed


def _packed_id(value: object) -> bytes | None:
    """A Webex id as its head's index and its UUID, if it unpacks to the same text."""
    if not isinstance(value, str) or len(value) < 40 or not value.isascii():
        return None
    try:
        uri = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("ascii")
        head, slash, tail = uri.rpartition("/")
        tail_uuid = uuid.UUID(tail)
    except (binascii.Error, ValueError):  # not base64, not text, not a UUID
        return None
    head += slash
    at = _HEAD_AT.get(head)
    if at is None:
        if not slash or len(_HEADS) > _MOST_HEADS:
            return None
        at = _HEAD_AT[head] = len(_HEADS)
        _HEADS.append(head)
    packed = bytes((at,)) + tail_uuid.bytes
    return packed if _unpacked(packed) == value else None


def _unpacked(packed: bytes) -> str:
    uri = _HEADS[packed[0]] + str(uuid.UUID(bytes=packed[1:]))
    return base64.b64encode(uri.encode("ascii")).decode("ascii").rstrip("=")
