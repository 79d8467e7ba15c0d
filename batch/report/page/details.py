"""What a run's ``results.csv`` says beyond summary.json's counts: the failures by reason, the failed, pending
and changed rows. report.html and the notifications show these, so they are read back from the file the
run wrote (also by ``rtm-batch report OUT --html`` long after the run), never from the run's memory.

``reason`` and ``http_status`` are the results' stable failure code and the server's status where the
results carry them; where they do not (an older run), the row's status stands in as its reason. Lists are
capped: a night with 20,000 skipped users is one line per reason and the first rows, not a 50 MB page.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from batch.jobs import FAILED, INVALID, SKIPPED

#: Rows listed per table; the rest are counted ("and 1,234 more in results.csv").
MAX_LISTED = 200
TROUBLE = (FAILED, SKIPPED, INVALID)
PENDING = "pending"
CHANGED = ("updated", "removed")


@dataclass(frozen=True, slots=True)
class ListedRow:
    """One row of results.csv as the page and the notifications show it."""

    sheet: str
    row: str
    key: str
    status: str
    message: str = ""
    reason: str = ""
    http_status: str = ""
    tracking_id: str = ""
    changes: str = ""
    age: str = ""
    #: The row's input (results.csv's ``source``): only with merged inputs, which repeat row numbers.
    source: str = ""


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """How many rows ended with ``status`` for ``reason``."""

    reason: str
    status: str
    rows: int


@dataclass(frozen=True, slots=True)
class Listing:
    """The first ``MAX_LISTED`` rows of a kind and how many more there are."""

    rows: tuple[ListedRow, ...] = ()
    more: int = 0

    @property
    def total(self) -> int:
        return len(self.rows) + self.more


@dataclass(frozen=True, slots=True)
class RunDetails:
    """The rows behind the counts."""

    reasons: tuple[ReasonCount, ...] = ()
    failures: Listing = Listing()
    pending: Listing = Listing()
    changes: Listing = Listing()


def read_details(out_dir: Path, summary: Mapping[str, Any] | None = None, *, limit: int = MAX_LISTED) -> RunDetails:
    """The details of the run in ``out_dir`` (empty when it wrote no results.csv), read line by line: only the
    rows a list shows and the counts are kept. Why not polars: its reader held the file's columns (+27 to +41 MiB
    for 100,000 rows, even streaming) for a page that lists a few hundred; ``csv`` reads them in 0.1 s."""
    path = out_dir / "results.csv"
    if not path.is_file():
        return RunDetails()
    finished = _time((summary or {}).get("finished"))
    reasons: Counter[tuple[str, str]] = Counter()
    failures, pending, changes = _Listed(limit), _Listed(limit, finished), _Listed(limit)
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as file, _any_cell_size():
        lines = csv.reader(file)
        header = next(lines, [])
        if "status" not in header:
            return RunDetails()
        at = {name: header.index(name) for name in (*COLUMNS, "pending_since", "age") if name in header}
        status_at, changes_at = at["status"], at.get("changes", -1)
        for line in lines:
            status = line[status_at] if status_at < len(line) else ""
            changed = status in CHANGED or (0 <= changes_at < len(line) and line[changes_at] != "")
            if status not in TROUBLE and status != PENDING and not changed:
                continue
            record = {name: line[i] if i < len(line) else "" for name, i in at.items()}
            record["reason"] = record.get("reason") or status  # an older run's results: the status stands in
            if status in TROUBLE:
                reasons[(record["reason"], status)] += 1
            if status == FAILED:
                failures.add(record)
            elif status == PENDING:
                pending.add(record)
            if changed:
                changes.add(record)
    counted = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return RunDetails(
        reasons=tuple(ReasonCount(reason, status, n) for (reason, status), n in counted),
        failures=failures.listing(),
        pending=pending.listing(),
        changes=changes.listing(),
    )


COLUMNS = ("sheet", "row", "key", "status", "message", "reason", "http_status", "tracking_id", "changes", "source")


@contextmanager
def _any_cell_size() -> Iterator[None]:
    """``csv`` refuses a cell over 128 KiB by default; a row's key or message echoes what its input cell held,
    and a CSV input's cell has no length limit. The limit is the module's own, so it is put back after."""
    before = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(before)


class _Listed:
    """The first ``limit`` rows of a kind as the page shows them, and how many more there are."""

    def __init__(self, limit: int, finished: datetime | None = None) -> None:
        self.limit, self.finished = limit, finished
        self.rows: list[ListedRow] = []
        self.more = 0

    def add(self, record: Mapping[str, str]) -> None:
        if len(self.rows) >= self.limit:
            self.more += 1
            return
        age = record.get("age") or _age(record.get("pending_since", ""), self.finished)
        self.rows.append(ListedRow(**{name: record.get(name, "") for name in COLUMNS}, age=age))

    def listing(self) -> Listing:
        return Listing(tuple(self.rows), self.more)


def _time(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _age(since: str, finished: datetime | None) -> str:
    """``3 h 10 min`` from a pending row's ``pending_since`` to the run's end."""
    start = _time(since)
    if start is None or finished is None:
        return ""
    return duration(max(0.0, (finished - start).total_seconds()))


def duration(seconds: float) -> str:
    """A duration as a person says it: ``4.1 s``, ``12 min``, ``3 h 10 min``, ``2 d 4 h``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
