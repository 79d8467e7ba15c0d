"""A run's outcomes by job key, each kept in memory only while some job or report may still need it there.

Why: a run kept every job's outcome (its ids, tracking id, ~700 bytes for a user) until its reports were
written, while the journal holds the same outcome on disk: at 100,000 users that was ~70 MiB of a run that
should grow with what is in flight. Once a job's outcome is journaled whole (``journaled``) and no other job
will read it (``settle``: the executor says so when the job has no children), it is kept in the journal only
and read back when a report asks for it (while the run holds the journal open). The rest stays in memory:
parents (their children read their ids), outcomes the journal does not record (skipped, pending, differences
named but not applied), and outcomes with fields the journal has no column for (a reason, an HTTP status).
What is kept of one in the journal only is its key; of a compact job of the plan (``JobMap``: a plain users row's
subscriber), a bit by its code, not its ~90-byte key for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Protocol

from batch.jobs import Outcome
from batch.run.journal.store import keeps_whole


class Store(Protocol):
    """Where journaled outcomes are read back from (``batch.run.journal.store.Journal``)."""

    def outcomes(self, keys: Sequence[str]) -> dict[str, Outcome]: ...


class Coded(Protocol):
    """The plan's compact jobs by code (``batch.plan.jobmap.JobMap``)."""

    def code_of(self, key: str) -> int: ...

    def key_of(self, code: int) -> str: ...


class Outcomes(MutableMapping[str, Outcome]):
    """Every finished job's outcome by key; with no ``store`` it is a plain mapping (nothing is let go)."""

    __slots__ = ("_held", "_journaled", "_elsewhere", "_store", "_ahead", "_coded", "_bits", "_in_bits")

    def __init__(
        self, outcomes: Mapping[str, Outcome] | None = None, store: Store | None = None, coded: Coded | None = None
    ) -> None:
        self._held: dict[str, Outcome] = dict(outcomes or {})
        self._journaled: set[str] = set()  # held, and recorded whole in the store: may be let go once settled
        self._elsewhere: set[str] = set()  # kept in the store only
        self._store = store
        self._ahead: dict[str, Outcome] = {}  # the last ``read_ahead``'s outcomes from the store
        self._coded = coded
        self._bits = bytearray()  # by a compact job's code: 1 if its outcome is kept in the store only
        self._in_bits = 0

    def _code(self, key: str) -> int:
        """The compact job's code of ``key`` (-1: none, or no plan was given)."""
        return -1 if self._coded is None else self._coded.code_of(key)

    def _bit(self, key: str) -> int:
        """The code of ``key``'s compact job when its bit is set (kept in the store only), else -1."""
        if not self._in_bits:
            return -1
        code = self._code(key)
        return code if 0 <= code < len(self._bits) and self._bits[code] else -1

    def _away(self, key: str) -> bool:
        """Kept in the store only."""
        return key in self._elsewhere or self._bit(key) >= 0

    def _bring_back(self, key: str) -> bool:
        """No longer kept in the store only (set again, or let go); whether it was."""
        if key in self._elsewhere:
            self._elsewhere.discard(key)
            return True
        code = self._bit(key)
        if code < 0:
            return False
        self._bits[code] = 0
        self._in_bits -= 1
        return True

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
            code = self._code(key)
            if code < 0:
                self._elsewhere.add(key)
                return
            if code >= len(self._bits):
                self._bits.extend(bytes(max(code + 1 - len(self._bits), len(self._bits))))
            self._bits[code] = 1
            self._in_bits += 1

    def shrink(self) -> None:
        """Tables as small as what they hold: a set or dict never shrinks as keys leave it (the results fold lets
        go of each row's outcomes as it folds it: ``batch.report.fold.results``)."""
        self._held, self._journaled, self._elsewhere = dict(self._held), set(self._journaled), set(self._elsewhere)
        if not self._in_bits:
            self._bits = bytearray()

    def read_ahead(self, keys: Iterable[str]) -> None:
        """The outcomes of ``keys`` the store keeps, read in one go for the reads that follow (a report's next
        rows): one query for a thousand rows instead of one each (1.9 s at 100,000 users)."""
        if self._store is not None:
            self._ahead = self._store.outcomes([key for key in keys if self._away(key)])

    def get(self, key: str, default: Outcome | None = None) -> Outcome | None:  # type: ignore[override]
        """As ``Mapping.get``, without raising and catching a ``KeyError`` for a key it does not hold (the
        actions ask for parents that may not be in the plan)."""
        outcome = self._held.get(key)
        if outcome is not None or not self._away(key):
            return default if outcome is None else outcome
        return self[key]

    def __getitem__(self, key: str) -> Outcome:
        outcome = self._held.get(key) or self._ahead.get(key)
        if outcome is not None:
            return outcome
        if self._store is not None and self._away(key):
            return self._store.outcomes([key])[key]
        raise KeyError(key)

    def __setitem__(self, key: str, outcome: Outcome) -> None:
        """Hold ``outcome``; a key already journaled stays so (the executor sets it again without its undo
        images, which the journal keeps)."""
        self._bring_back(key)
        self._held[key] = outcome

    def __delitem__(self, key: str) -> None:
        self._ahead.pop(key, None)
        if not self._bring_back(key):
            del self._held[key]
            self._journaled.discard(key)

    def __contains__(self, key: object) -> bool:
        return key in self._held or (isinstance(key, str) and self._away(key))

    def __iter__(self) -> Iterator[str]:
        yield from self._held
        yield from self._elsewhere
        if self._in_bits and self._coded is not None:
            key_of = self._coded.key_of
            yield from (key_of(code) for code, bit in enumerate(self._bits) if bit)

    def __len__(self) -> int:
        return len(self._held) + len(self._elsewhere) + self._in_bits
