"""Progress of a long export, as ``run`` shows it off a terminal: one plain line per customer on stderr, or
with ``--log-format json`` one JSON object per line on stdout (``run_id``, ``time``, ``event``: ``start``,
``customer_done``, ``finished``) and nothing else there."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("auto", "plain", "json", "quiet")


class Events:
    """The export's progress hook; the base class says nothing (a library call, a prune backup)."""

    def start(self, customers: int) -> None:
        self.emit("start", customers=customers)

    def customer_done(self, external_id: str, done: int, total: int, problem: str | None) -> None:
        self.emit("customer_done", customer=external_id, done=done, total=total, problem=problem)

    def finished(self, rows: Mapping[str, int], notes: int, paths: Sequence[str]) -> None:
        self.emit("finished", rows=dict(rows), notes=notes, paths=list(paths))

    def emit(self, event: str, **fields: Any) -> None:
        """Nothing: subclasses write the event somewhere."""


class JsonEvents(Events):
    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.time) -> None:
        self.stream = stream or sys.stdout
        self.clock = clock
        self.run_id = uuid.uuid4().hex[:12]

    def emit(self, event: str, **fields: Any) -> None:
        stamp = datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="milliseconds")
        line = {
            "run_id": self.run_id,
            "time": stamp,
            "event": event,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.stream.flush()


class PlainEvents(Events):
    """One line per finished customer (every 1 % of a long export), on stderr."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.every = 1

    def start(self, customers: int) -> None:
        self.every = max(1, customers // 100)
        self._write(f"export: {customers} customers to read")

    def customer_done(self, external_id: str, done: int, total: int, problem: str | None) -> None:
        if problem:
            self._write(f"export: {external_id}: {problem}")
        if done % self.every == 0 or done == total:
            self._write(f"export: {done}/{total} customers read")

    def finished(self, rows: Mapping[str, int], notes: int, paths: Sequence[str]) -> None:
        """The CLI prints the summary itself."""

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()


def make_events(log_format: str, terminal: bool) -> Events:
    """``auto``: plain lines off a terminal, nothing on one (the summary is printed at the end)."""
    if log_format == "json":
        return JsonEvents()
    if log_format == "plain" or (log_format == "auto" and not terminal):
        return PlainEvents()
    return Events()
