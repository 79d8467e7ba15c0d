"""``Plan.jobs``: the jobs by key, a plain users row's subscriber job kept as numbers, its key too (issue 22 item 2).

Why: a users row's subscriber job shares everything but its row and its place in the validated frame with the other
users of its (customer, location): its kind, sheet, input, parents and refs; and its key is its row's email, which
the frame holds. As a ``Job`` it was ~210 bytes a user for the whole run; as numbers under its key in a ``dict``
still ~170 (the key's ``str``, an ``int``, the table's entry): 16 MiB at 100,000 users of a run meant to grow with
what is in flight. Here such a job is an index (a *code*) into arrays: its shared part, its row, its position, its
key's hash (32 bytes), and a slot in an open-addressing table of codes by hash (16). Its key is made from the frame
and its ``Job`` made while something reads it. Any other job, and any job set later, is kept as the ``Job`` it is,
in the order they came, compact or not, as a ``dict`` of them reads.
"""

from __future__ import annotations

from array import array
from collections.abc import ItemsView, Iterable, Iterator, Mapping, MutableMapping, ValuesView
from dataclasses import dataclass

from batch import keys
from batch.jobs import Job, Kind
from batch.plan.rows import RowFields, SheetRows

#: Numbers kept per compact job in ``JobMap._numbers``: its ``Shared`` index, its row, its position in the frame.
_PER_JOB = 3
_EMPTY = -1  # a free slot of the table
#: A code, a row, a position or a ``Shared`` index: 32 bits (a batch has fewer than 2**31 rows), half of ``"q"``.
CODE = "i"


@dataclass(frozen=True, slots=True)
class Shared:
    """What the compact jobs of one (customer, location) with one parents tuple and one input have in common; a
    job's key is ``key_prefix`` and its row's ``key_column``."""

    kind: Kind
    sheet: str
    parents: tuple[str, ...]
    refs: Mapping[str, str]
    source: str
    rows: SheetRows  # the columns its jobs' fields are read from
    key_prefix: str = keys.subscriber("")
    key_column: str = "email_normalized"

    def key_at(self, position: int) -> str:
        rows = self.rows
        return self.key_prefix + str(rows.readers[rows.index[self.key_column]](position))


class JobMap(MutableMapping[str, Job]):
    """Jobs by key in the order they were added, as a ``dict`` of them reads; ``add_row_job`` adds one compactly.

    Compact jobs are added while planning only: a ``copy`` shares their numbers (each copy lets go of its own)."""

    __slots__ = ("_jobs", "_at", "_named", "_order", "_shared", "_numbers", "_hashes", "_gone", "_table", "_live")

    def __init__(self, jobs: Mapping[str, Job] | Iterable[tuple[str, Job]] = ()) -> None:
        self._jobs: dict[str, Job] = {}  # the jobs kept as ``Job``s
        self._at: dict[str, int] = {}  # their place in ``_named``
        self._named: list[str] = []  # their keys in the order they came (a key let go and set again: twice)
        self._order = array(CODE)  # every job in order: a compact job's code, or ~n for ``_named[n]``
        self._shared: list[Shared] = []
        self._numbers = array(CODE)  # per compact job: _PER_JOB numbers
        self._hashes = array("q")  # per compact job: its key's hash
        self._gone = bytearray()  # per compact job: 1 once let go
        self._table = array(CODE, [_EMPTY] * 8)  # compact jobs' codes by hash, linear probing
        self._live = 0  # compact jobs not let go
        self.update(jobs)

    def shared(self, part: Shared) -> int:
        """The index by which ``add_row_job`` names ``part`` (the planner keeps it per (customer, location))."""
        self._shared.append(part)
        return len(self._shared) - 1

    def add_row_job(self, key: str, shared: int, row: int, position: int) -> int:
        """The job ``key`` (not in the map: the planner asks first) of the row ``row`` at ``position`` of its
        ``Shared`` part's frame, whose key it must be; kept as numbers. Its code (``key_of``)."""
        code = len(self._hashes)
        self._numbers.extend((shared, row, position))
        self._hashes.append(hash(key))
        self._gone.append(0)
        self._order.append(code)
        self._live += 1
        if 2 * (code + 1) > len(self._table):
            self._grow()
        else:
            self._place(code)
        return code

    def key_of(self, code: int) -> str:
        """The key of the compact job ``code`` (made from its row)."""
        at = code * _PER_JOB
        return self._shared[self._numbers[at]].key_at(self._numbers[at + 2])

    def code_of(self, key: str) -> int:
        """The code of the compact job ``key``; -1 when the map keeps no such compact job."""
        wanted = hash(key)
        table, hashes, gone = self._table, self._hashes, self._gone
        mask = len(table) - 1
        slot = wanted & mask
        while (code := table[slot]) != _EMPTY:
            if hashes[code] == wanted and not gone[code] and self.key_of(code) == key:
                return code
            slot = (slot + 1) & mask
        return -1

    def _place(self, code: int) -> None:
        table = self._table
        mask = len(table) - 1
        slot = self._hashes[code] & mask
        while table[slot] != _EMPTY:
            slot = (slot + 1) & mask
        table[slot] = code

    def _grow(self) -> None:
        """A table at most half full (a probe ends soon), twice as large as it was, its codes placed again."""
        size = len(self._table)
        while size < 2 * (len(self._hashes) + 1):
            size *= 2
        self._table = array(CODE, [_EMPTY]) * size
        for code in range(len(self._hashes)):
            self._place(code)

    def job(self, code: int, key: str | None = None) -> Job:
        """The compact job ``code`` as a ``Job``."""
        at = code * _PER_JOB
        numbers = self._numbers
        part = self._shared[numbers[at]]
        fields = RowFields(part.rows, numbers[at + 2])
        key = part.key_at(numbers[at + 2]) if key is None else key
        return Job(key, part.kind, part.sheet, numbers[at + 1], part.parents, part.refs, fields, part.source)

    def _live_order(self) -> Iterator[tuple[int, str | None]]:
        """Each entry of ``_order`` still standing, in order: (code, None) for a compact job, (~n, key) for another."""
        at, named, gone = self._at, self._named, self._gone
        for code in self._order:
            if code >= 0:
                if not gone[code]:
                    yield code, None
            elif at.get(key := named[~code]) == ~code:
                yield code, key

    def coded(self) -> Iterator[tuple[int, str, Job]]:
        """Every job in order with its code (-1: kept as a ``Job``)."""
        for code, named in self._live_order():
            if named is None:
                key = self.key_of(code)
                yield code, key, self.job(code, key)
            else:
                yield -1, named, self._jobs[named]

    def copy(self) -> JobMap:
        """A map of the same jobs (the compact ones' numbers shared: they are never changed, only added to)."""
        copied = JobMap()
        copied._jobs, copied._at, copied._named = dict(self._jobs), dict(self._at), list(self._named)
        copied._order, copied._gone, copied._live = array(CODE, self._order), bytearray(self._gone), self._live
        copied._shared, copied._numbers, copied._hashes, copied._table = (
            self._shared,
            self._numbers,
            self._hashes,
            self._table,
        )
        return copied

    def shrink(self) -> None:
        """Its tables made as small as the jobs left need: a dict never shrinks as jobs leave it (``row_results``
        takes each row's jobs out as it folds them)."""
        order, named = array(CODE), []
        for code, key in self._live_order():
            if key is not None:
                named.append(key)
                code = ~(len(named) - 1)
            order.append(code)
        self._order, self._named = order, named
        self._at = {key: n for n, key in enumerate(named)}
        self._jobs = dict(self._jobs)

    def __getitem__(self, key: str) -> Job:
        job = self.get(key)
        if job is None:
            raise KeyError(key)
        return job

    def get(self, key: str, default: Job | None = None) -> Job | None:  # type: ignore[override]
        """As ``Mapping.get``, without raising and catching a ``KeyError`` for a key it does not hold."""
        job = self._jobs.get(key)
        if job is not None:
            return job
        code = self.code_of(key)
        return default if code < 0 else self.job(code, key)

    def __setitem__(self, key: str, job: Job) -> None:
        if key in self._jobs:
            self._jobs[key] = job
            return
        self._named.append(key)
        self._at[key] = n = len(self._named) - 1
        code = self.code_of(key)
        if code >= 0:  # a compact job replaced: in its place
            self._gone[code] = 1
            self._live -= 1
            self._order[self._order.index(code)] = ~n
        else:
            self._order.append(~n)
        self._jobs[key] = job

    def __delitem__(self, key: str) -> None:
        if key in self._jobs:
            del self._jobs[key]
            del self._at[key]
            return
        code = self.code_of(key)
        if code < 0:
            raise KeyError(key)
        self._gone[code] = 1
        self._live -= 1

    def __contains__(self, key: object) -> bool:
        return key in self._jobs or (isinstance(key, str) and self.code_of(key) >= 0)

    def __iter__(self) -> Iterator[str]:
        return (self.key_of(code) if key is None else key for code, key in self._live_order())

    def items(self) -> ItemsView[str, Job]:
        """Each job with its key in one pass (no look-up by key for a compact one)."""
        return _Items(self)

    def values(self) -> ValuesView[Job]:
        return _Values(self)

    def __len__(self) -> int:
        return len(self._jobs) + self._live

    def __repr__(self) -> str:
        return f"JobMap({dict(self.items())!r})"


class _Items(ItemsView[str, Job]):
    _mapping: JobMap

    def __iter__(self) -> Iterator[tuple[str, Job]]:
        return ((key, job) for _, key, job in self._mapping.coded())


class _Values(ValuesView[Job]):
    _mapping: JobMap

    def __iter__(self) -> Iterator[Job]:
        return (job for _, _, job in self._mapping.coded())
