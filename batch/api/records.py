"""The client's small records: what it did (for summary.json), what one job sent, what a write ended with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class ClientStats:
    """What the client did, for summary.json: every request sent, retries, 429s, answers by status."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    ambiguous: int = 0
    transport_errors: int = 0
    by_status: Counter[int] = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        """summary.json's request figures (its ``api`` block starts from these)."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "throttled": self.throttled,
            "ambiguous": self.ambiguous,
        }


@dataclass
class RequestCount:
    """Requests sent inside one ``track()`` block (the runner reports them as a job's attempts)."""

    requests: int = 0
    tracking_id: str | None = None  # of the last request sent


@dataclass(frozen=True)
class Written(Generic[T]):
    """A write's result: the answer, or ``found`` when a lookup after an ambiguous failure showed it was done.

    ``status`` is the final answer's status (for ``found``: the ambiguous failure's status, 0 when the
    connection dropped); ``attempts`` counts the write requests sent.
    """

    body: dict[str, Any] | None
    status: int
    location: str | None
    found: T | None
    attempts: int
