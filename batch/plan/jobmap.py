"""``Plan.jobs``: the jobs by key, a plain users row's subscriber job kept as three numbers (issue 22 item 2).

Why: a users row's subscriber job shares everything but its key, its row and its place in the validated frame with
the other users of its (customer, location): its kind, sheet, input, parents and refs. As a ``Job`` it was ~210
bytes a user for the whole run (the job, its ``RowFields``, its row and position as ``int`` objects), 20 MiB at
100,000 users of a run meant to grow with what is in flight. Here such a job is an index into one array (its shared
part, its row, its position: 24 bytes) and becomes a ``Job`` only while something reads it; any other job, and any
job set later, is kept as the ``Job`` it is.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass

from batch.jobs import Job, Kind
from batch.plan.rows import RowFields, SheetRows

#: Numbers kept per compact job in ``JobMap._numbers``: its ``Shared`` index, its row, its position in the frame.
_PER_JOB = 3


@dataclass(frozen=True, slots=True)
class Shared:
    """What the compact jobs of one (customer, location) with one parents tuple and one input have in common."""

    kind: Kind
    sheet: str
    parents: tuple[str, ...]
    refs: Mapping[str, str]
    source: str
    rows: SheetRows  # the columns its jobs' fields are read from


class JobMap(MutableMapping[str, Job]):
    """Jobs by key in the order they were added, as a ``dict`` of them reads; ``add_row_job`` adds one compactly."""

    __slots__ = ("_jobs", "_shared", "_numbers")

    def __init__(self, jobs: Mapping[str, Job] | Iterable[tuple[str, Job]] = ()) -> None:
        self._jobs: dict[str, Job | int] = {}
        self._shared: list[Shared] = []
        self._numbers = array("q")
        self.update(jobs)

    def shared(self, part: Shared) -> int:
        """The index by which ``add_row_job`` names ``part`` (the planner keeps it per (customer, location))."""
        self._shared.append(part)
        return len(self._shared) - 1

    def add_row_job(self, key: str, shared: int, row: int, position: int) -> None:
        """The job ``key`` of the row ``row`` at ``position`` of its ``Shared`` part's frame, kept as numbers."""
        self._jobs[key] = len(self._numbers) // _PER_JOB
        self._numbers.extend((shared, row, position))

    def copy(self) -> JobMap:
        """A map of the same jobs (the compact ones' numbers shared: they are never changed, only added to)."""
        copied = JobMap()
        copied._jobs = dict(self._jobs)
        copied._shared = self._shared
        copied._numbers = self._numbers
        return copied

    def shrink(self) -> None:
        """Its table made as small as the jobs left need: a dict never shrinks as jobs leave it (``row_results``
        takes each row's jobs out as it folds them; at 100,000 users the table was ~5 MiB to the end)."""
        self._jobs = dict(self._jobs)

    def _made(self, key: str, index: int) -> Job:
        at = index * _PER_JOB
        numbers = self._numbers
        part = self._shared[numbers[at]]
        fields = RowFields(part.rows, numbers[at + 2])
        return Job(key, part.kind, part.sheet, numbers[at + 1], part.parents, part.refs, fields, part.source)

    def __getitem__(self, key: str) -> Job:
        job = self._jobs[key]
        return self._made(key, job) if isinstance(job, int) else job

    def get(self, key: str, default: Job | None = None) -> Job | None:  # type: ignore[override]
        """As ``Mapping.get``, without raising and catching a ``KeyError`` for a key it does not hold."""
        job = self._jobs.get(key)
        if job is None:
            return default
        return self._made(key, job) if isinstance(job, int) else job

    def __setitem__(self, key: str, job: Job) -> None:
        self._jobs[key] = job

    def __delitem__(self, key: str) -> None:
        del self._jobs[key]

    def __contains__(self, key: object) -> bool:
        return key in self._jobs

    def __iter__(self) -> Iterator[str]:
        return iter(self._jobs)

    def __len__(self) -> int:
        return len(self._jobs)

    def __repr__(self) -> str:
        return f"JobMap({dict(self.items())!r})"
