"""Who a finished job releases: the executor's edges, with the users of one location as one group (issue 22).

Why groups: every user of one (customer, location) has the same ``parents``, and those users become ready
together, when the last of those parents ends. Per user, one edge from each parent (3 or 4 list slots), a count
of unfinished parents (a dict entry) and a place in the ready queue (an int) were ~120 bytes a user for the whole
run: 12 MiB at 100,000 users, all of them queued at once once their locations were there. A group is one entry
under each parent, one count, and one place in the queue that hands out its members one at a time as slots free
up; its members are codes of the plan's compact jobs, their keys made as they start (``Members``: 8 bytes a user,
where a list of keys held each user's ~90-byte key for the whole run).

Why per customer: a customer's listings (its locations, calling locations, subscribers) and the outcomes its
jobs read (its locations', ~500 bytes each) are needed until its last job ends, and no longer: ``Edges.left``
counts its jobs still to end and ``Edges.holders`` names those other jobs read, for the executor to let go of.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

from batch.jobs import Job, Kind, Outcome
from batch.plan.graph import customer_of
from batch.plan.jobmap import CODE, JobMap


class Members(Sequence[str]):
    """A group's job keys in plan order: a compact job by its code (its key made when read), any other by its key."""

    __slots__ = ("_codes", "_named", "_key_of")

    def __init__(self, key_of: Callable[[int], str] | None = None) -> None:
        self._codes = array(CODE)  # a compact job's code, or ~n for ``_named[n]``
        self._named: list[str] | None = None  # made for the first job that is not compact (most groups: never)
        self._key_of = key_of

    def add(self, key: str, code: int = -1) -> None:
        if code >= 0 and self._key_of is not None:
            self._codes.append(code)
            return
        if self._named is None:
            self._named = []
        self._named.append(key)
        self._codes.append(~(len(self._named) - 1))

    @overload
    def __getitem__(self, at: int) -> str: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[str]: ...
    def __getitem__(self, at: int | slice) -> str | Sequence[str]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        code = self._codes[at]
        return self._named[~code] if code < 0 else self._key_of(code)  # type: ignore[index, misc]  # set with it

    def __iter__(self) -> Iterator[str]:
        return (self[at] for at in range(len(self._codes)))

    def __len__(self) -> int:
        return len(self._codes)

    def __eq__(self, other: object) -> bool:
        """Equal to a sequence of the same keys, as the list it replaces was."""
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __repr__(self) -> str:
        return f"Members({list(self)!r})"


@dataclass(slots=True, eq=False)
class Group:
    """Jobs with one parents tuple, kind and customer (the users of one location): released together, started
    one at a time (``take``). ``waiting``: parents not yet succeeded; ``closed``: its members were skipped or held
    because a parent did not succeed, so it is never released. Not frozen: it is the executor's running state."""

    members: Sequence[str]
    kind: Kind
    customer: str
    waiting: int
    closed: bool = False
    taken: int = 0  # members handed out so far
    arrival: int = -1  # its place in the executor's queue, kept as it goes back in

    def take(self) -> str:
        """The next member to start."""
        key = self.members[self.taken]
        self.taken += 1
        return key

    @property
    def left(self) -> bool:
        return self.taken < len(self.members)


@dataclass(slots=True)
class Edges:
    """Each job's children (a key or a ``Group``) in plan order, the unfinished-parent count of each job with
    parents in no group, and (``entries``) every group and every such job, in plan order of its first job; per
    customer (in plan order), its jobs still to end (``left``) and its jobs with children (``holders``)."""

    children: dict[str, Sequence[str | Group]] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    entries: list[str | Group] = field(default_factory=list)
    left: dict[str, int] = field(default_factory=dict)
    holders: dict[str, list[str]] = field(default_factory=dict)

    def of(self, key: str) -> Sequence[str | Group]:
        """The children of ``key`` (none for most jobs: a user's subscriber without roles)."""
        return self.children.get(key, ())


def edges(jobs: Mapping[str, Job], done: Mapping[str, Outcome]) -> Edges:
    """The edges of ``jobs``; a parent in ``done`` (restored from the journal) counts as succeeded. A parent the
    plan does not hold is a ``KeyError``, as ever."""
    same: dict[tuple[tuple[str, ...], Kind, str], Members] = {}
    children: dict[str, list[str | Group]] = {}
    found = Edges()
    left = found.left
    key_of = jobs.key_of if isinstance(jobs, JobMap) else None
    coded = jobs.coded() if isinstance(jobs, JobMap) else ((-1, key, job) for key, job in jobs.items())
    for code, key, job in coded:
        if key not in done and (customer := customer_of(job)):
            left[customer] = left.get(customer, 0) + 1
        if job.parents:
            group = (job.parents, job.kind, job.refs.get("customer", ""))
            members = same.get(group)
            if members is None:
                members = same[group] = Members(key_of)
            members.add(key, code)
    for (parents, kind, customer), keys in same.items():
        waiting = sum(parent not in done for parent in parents)
        entry: str | Group
        if len(keys) == 1:
            entry = keys[0]
            found.waiting[entry] = waiting
        else:
            entry = Group(keys, kind, customer, waiting)
        found.entries.append(entry)
        for parent in parents:
            if parent not in jobs:
                raise KeyError(parent)
            children.setdefault(parent, []).append(entry)
    # Each parent's children as a tuple, which holds them in less than the list they were gathered in (a job with
    # children is one of every customer's and location's, so there are as many as the batch has of them).
    for parent, gathered in children.items():
        found.children[parent] = tuple(gathered)
        found.holders.setdefault(customer_of(jobs[parent]), []).append(parent)
    return found
