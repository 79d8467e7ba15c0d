"""``Plan.rows``: each input row's job keys, kept per (input, sheet) by row number (issue 22 item 2).

Why not one dict by (input, sheet, row): at 100,000 users its entries were the plan's largest part (15.5 MiB,
~155 bytes a row: a three-item key tuple, a one-item value tuple and the entry). Here a row belongs to its
(input, sheet), and a row whose one job is all it names (most users rows) holds that job's key itself, not a tuple
of it. An (input, sheet) whose rows come in rising order, as the planner adds them, is a list by row number
(``_Run``: 8 bytes a row); any other order makes it a dict keyed by row number (~45 bytes a row and its ``int``),
which keeps the order rows were added in as a dict does. A row whose one job is a compact job of the plan's
``JobMap`` (a plain users row's subscriber) holds that job's code, not its key (``add_compact``: 8 bytes, where the
key was a ~90-byte ``str`` for the whole run); its key is made when the row is read.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping

from batch.plan.jobmap import CODE

#: An input row: (source, sheet, Excel row) (``batch.plan.graph.RowId``, the name the rest of the code uses).
RowId = tuple[str, str, int]
Keys = tuple[str, ...]
Entry = str | Keys

#: Row numbers a run may skip (blank lines) and stay a list: each skipped one is an empty slot.
MAX_GAP = 64


class _Compact:
    """A row's slot whose one job is a compact job: its code is in the run's ``codes``."""

    __slots__ = ()


COMPACT = _Compact()


class _Run:
    """Rows added in rising order: ``first`` and a slot per row number from it (``None``: no row, or dropped).
    Read as the dict it stands for is: ``get``, ``del``, its row numbers by iterating, ``len``."""

    __slots__ = ("first", "slots", "codes")

    def __init__(self, number: int, entry: Entry | _Compact, code: int = -1) -> None:
        self.first = number
        self.slots: list[Entry | _Compact | None] = [entry]
        #: Per slot, its compact job's code (-1: none); ``None`` until a compact row comes (other sheets).
        self.codes: array[int] | None = array(CODE, [code]) if code >= 0 else None

    def get(self, number: int) -> Entry | _Compact | None:
        at = number - self.first
        return self.slots[at] if 0 <= at < len(self.slots) else None

    def code(self, number: int) -> int:
        return -1 if self.codes is None else self.codes[number - self.first]

    def put(self, number: int, entry: Entry | _Compact, code: int = -1) -> bool:
        """Whether the row went in as a dict would keep it: replacing a row it holds, or after the last."""
        at = number - self.first
        if code >= 0 and self.codes is None:
            self.codes = array(CODE, [-1]) * len(self.slots)
        if 0 <= at < len(self.slots) and self.slots[at] is not None:
            self.slots[at] = entry
            if self.codes is not None:
                self.codes[at] = code
            return True
        gap = at - len(self.slots)
        if not 0 <= gap <= MAX_GAP:
            return False  # before the last row, into a dropped row's slot, or far after it
        self.slots.extend([None] * gap)
        self.slots.append(entry)
        if self.codes is not None:
            self.codes.extend([-1] * gap)
            self.codes.append(code)
        return True

    def __delitem__(self, number: int) -> None:
        self.slots[number - self.first] = None

    def __iter__(self) -> Iterator[int]:
        return (self.first + at for at, entry in enumerate(self.slots) if entry is not None)

    def __len__(self) -> int:  # rare (a plan's size), so counted rather than kept
        return len(self.slots) - self.slots.count(None)

    def shrink(self) -> None:
        """The slots before its first row left dropped (rows are let go in the order they came)."""
        gone = next((at for at, entry in enumerate(self.slots) if entry is not None), len(self.slots))
        if gone:
            del self.slots[:gone]
            if self.codes is not None:
                del self.codes[:gone]
            self.first += gone

    def as_dict(self, key_of: Callable[[int], str] | None) -> dict[int, Entry]:
        """Its rows by number, a compact job's key made (the rows of a dict are few: out of order)."""
        return {
            number: _key(key_of, code) if entry is COMPACT else entry  # type: ignore[misc]
            for number, entry, code in zip(
                range(self.first, self.first + len(self.slots)),
                self.slots,
                self.codes or [-1] * len(self.slots),
                strict=True,
            )
            if entry is not None
        }


def _key(key_of: Callable[[int], str] | None, code: int) -> str:
    if key_of is None:
        raise RuntimeError("a compact row in a RowJobs that cannot make its key")
    return key_of(code)


class RowJobs(MutableMapping[RowId, Keys]):
    """Job keys by input row, in the order rows were added within each (input, sheet), the (input, sheet)s in the
    order of their first row (the planner adds a sheet's rows input by input, so this is the order they came in)."""

    __slots__ = ("_parts", "_key_of")

    def __init__(
        self, rows: Mapping[RowId, Keys] | Iterable[tuple[RowId, Keys]] = (), key_of: Callable[[int], str] | None = None
    ) -> None:
        self._parts: dict[tuple[str, str], _Run | dict[int, Entry]] = {}
        self._key_of = key_of  # a compact job's key by its code (``JobMap.key_of``)
        self.update(rows)

    def copy(self) -> RowJobs:
        """The same rows, compact ones still by code."""
        copied = RowJobs(key_of=self._key_of)
        for name, part in self._parts.items():
            if isinstance(part, dict):
                copied._parts[name] = dict(part)
            else:
                run = copied._parts[name] = _Run.__new__(_Run)
                run.first, run.slots = part.first, list(part.slots)
                run.codes = None if part.codes is None else array(CODE, part.codes)
        return copied

    def add_compact(self, row: RowId, code: int) -> None:
        """The row whose one job is the compact job ``code``."""
        self._put(row, COMPACT, code)

    def _put(self, row: RowId, entry: Entry | _Compact, code: int = -1) -> None:
        """The row's entry into its (input, sheet): its run while rows come in rising order, else a dict of them
        (a compact row's key made for it there: such rows are few)."""
        source, sheet, number = row
        part = self._parts.get((source, sheet))
        if part is None:
            self._parts[(source, sheet)] = _Run(number, entry, code)
            return
        if isinstance(part, _Run) and part.put(number, entry, code):
            return
        if isinstance(part, _Run):
            part = self._parts[(source, sheet)] = part.as_dict(self._key_of)
        part[number] = entry if isinstance(entry, str | tuple) else _key(self._key_of, code)

    def __getitem__(self, row: RowId) -> Keys:
        found = self.get(row)
        if found is None:
            raise KeyError(row)
        return found

    def get(self, row: RowId, default: Keys | None = None) -> Keys | None:  # type: ignore[override]
        """As ``Mapping.get``, without raising and catching a ``KeyError`` for a row it does not hold."""
        source, sheet, number = row
        part = self._parts.get((source, sheet))
        found = None if part is None else part.get(number)
        if found is None:
            return default
        if found is COMPACT:
            return (_key(self._key_of, part.code(number)),)  # type: ignore[union-attr]  # a run holds COMPACT
        return (found,) if isinstance(found, str) else found  # type: ignore[return-value]

    def __contains__(self, row: object) -> bool:
        if not isinstance(row, tuple) or len(row) != 3:
            return False
        source, sheet, number = row
        part = self._parts.get((source, sheet))
        return part is not None and isinstance(number, int) and part.get(number) is not None

    def __setitem__(self, row: RowId, keys: Keys) -> None:
        self._put(row, keys[0] if len(keys) == 1 else tuple(keys))

    def __delitem__(self, row: RowId) -> None:
        source, sheet, number = row
        part = self._parts.get((source, sheet))
        if part is None or part.get(number) is None:
            raise KeyError(row)
        del part[number]

    def shrink(self) -> None:
        """Room for the rows left only (``JobMap.shrink``): a run's rows let go from its first on."""
        for name, part in self._parts.items():
            if isinstance(part, dict):
                self._parts[name] = dict(part)
            else:
                part.shrink()

    def __iter__(self) -> Iterator[RowId]:
        for (source, sheet), part in self._parts.items():
            for number in part:
                yield (source, sheet, number)

    def __len__(self) -> int:
        return sum(map(len, self._parts.values()))  # a few (input, sheet)s

    def __repr__(self) -> str:
        return f"RowJobs({dict(self.items())!r})"
