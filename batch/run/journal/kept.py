"""A run's outcomes by job key, each kept in memory only while some job or report may still need it there.

Why: a run kept every job's outcome (its ids, tracking id, ~700 bytes for a user) until its reports were
written, while the journal holds the same outcome on disk: at 100,000 users that was ~70 MiB of a run that
should grow with what is in flight. Once a job's outcome is journaled whole (``journaled``) and no other job
will read it (``settle``: the executor says so when the job has no children), it is kept in the journal only
and read back when a report asks for it (while the run holds the journal open). The rest stays in memory:
parents (their children read their ids), outcomes the journal does not record (skipped, pending, differences
named but not applied), and outcomes with fields the journal has no column for (a reason, an HTTP status).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Protocol

from batch.jobs import Outcome
from batch.run.journal.store import keeps_whole


class Store(Protocol):
    """Where journaled outcomes are read back from (``batch.run.journal.store.Journal``)."""

    def outcomes(self, keys: Sequence[str]) -> dict[str, Outcome]: ...


class Outcomes(MutableMapping[str, Outcome]):
    """Every finished job's outcome by key; with no ``store`` it is a plain mapping (nothing is let go)."""

    __slots__ = ("_held", "_journaled", "_elsewhere", "_store", "_ahead")

    def __init__(self, outcomes: Mapping[str, Outcome] | None = None, store: Store | None = None) -> None:
        self._held: dict[str, Outcome] = dict(outcomes or {})
        self._journaled: set[str] = set()  # held, and recorded whole in the store: may be let go once settled
        self._elsewhere: set[str] = set()  # kept in the store only
        self._store = store
        self._ahead: dict[str, Outcome] = {}  # the last ``read_ahead``'s outcomes from the store

    @property
    def held(self) -> int:
        """Outcomes kept in memory (the rest are read back from the journal when asked for)."""
        return len(self._held)

    def journaled(self, key: str, outcome: Outcome) -> None:
        """The journal has just recorded ``outcome`` for ``key``: it may be let go when it succeeded and the
        journal holds it whole (``keeps_whole``)."""
        if self._store is not None and outcome.ok and keeps_whole(outcome):
            self._journaled.add(key)

    def settle(self, key: str) -> None:
        """No job will read ``key``'s outcome during the run again: keep it in the journal only, if it is there."""
        if key in self._journaled:
            self._journaled.discard(key)
            del self._held[key]
            self._elsewhere.add(key)

    def shrink(self) -> None:
        """Tables as small as what they hold: a set or dict never shrinks as keys leave it (the results fold lets
        go of each row's outcomes as it folds it: ``batch.report.fold.results``)."""
        self._held, self._journaled, self._elsewhere = dict(self._held), set(self._journaled), set(self._elsewhere)

    def read_ahead(self, keys: Iterable[str]) -> None:
        """The outcomes of ``keys`` the store keeps, read in one go for the reads that follow (a report's next
        rows): one query for a thousand rows instead of one each (1.9 s at 100,000 users)."""
        if self._store is not None:
            self._ahead = self._store.outcomes([key for key in keys if key in self._elsewhere])

    def get(self, key: str, default: Outcome | None = None) -> Outcome | None:  # type: ignore[override]
        """As ``Mapping.get``, without raising and catching a ``KeyError`` for a key it does not hold (the
        actions ask for parents that may not be in the plan)."""
        outcome = self._held.get(key)
        if outcome is not None or key not in self._elsewhere:
            return default if outcome is None else outcome
        return self[key]

    def __getitem__(self, key: str) -> Outcome:
        outcome = self._held.get(key) or self._ahead.get(key)
        if outcome is not None:
            return outcome
        if key in self._elsewhere and self._store is not None:
            return self._store.outcomes([key])[key]
        raise KeyError(key)

    def __setitem__(self, key: str, outcome: Outcome) -> None:
        """Hold ``outcome``; a key already journaled stays so (the executor sets it again without its undo
        images, which the journal keeps)."""
        self._elsewhere.discard(key)
        self._held[key] = outcome

    def __delitem__(self, key: str) -> None:
        self._ahead.pop(key, None)
        if key in self._elsewhere:
            self._elsewhere.discard(key)
        else:
            del self._held[key]
            self._journaled.discard(key)

    def __contains__(self, key: object) -> bool:
        return key in self._held or key in self._elsewhere

    def __iter__(self) -> Iterator[str]:
        yield from self._held
        yield from self._elsewhere

    def __len__(self) -> int:
        return len(self._held) + len(self._elsewhere)
