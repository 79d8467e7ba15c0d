"""What a run's ``results.csv`` says beyond summary.json's counts: the failures by reason, the failed, pending
and changed rows. report.html and the notifications show these, so they are read back from the file the
run wrote (also by ``rtm-batch report OUT --html`` long after the run), never from the run's memory.

``reason`` and ``http_status`` are the results' stable failure code and the server's status where the
results carry them; where they do not (an older run), the row's status stands in as its reason. Lists are
capped: a night with 20,000 skipped users is one line per reason and the first rows, not a 50 MB page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

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
    """The details of the run in ``out_dir`` (empty when it wrote no results.csv). Only the rows the page
    shows or counts (trouble, pending, changed) and the columns it reads are taken from the file: a run's
    results.csv whole (100,000 rows) cost 50 MiB for a page that lists a few hundred of them."""
    path = out_dir / "results.csv"
    if not path.is_file():
        return RunDetails()
    scan = pl.scan_csv(path, infer_schema=False, truncate_ragged_lines=True)
    present = scan.collect_schema().names()
    if "status" not in present:
        return RunDetails()
    status = pl.col("status")
    changed = status.is_in(CHANGED) | (pl.col("changes").fill_null("") != "" if "changes" in present else False)
    wanted = [c for c in (*COLUMNS, "pending_since", "age") if c in present]
    frame = _with_defaults(scan.filter(status.is_in((*TROUBLE, PENDING)) | changed).select(wanted).collect())
    finished = _time((summary or {}).get("finished"))
    return RunDetails(
        reasons=_reasons(frame.filter(status.is_in(TROUBLE))),
        failures=_listing(frame.filter(status == FAILED), limit),
        pending=_listing(frame.filter(status == PENDING), limit, finished),
        changes=_listing(frame.filter(changed), limit),
    )


COLUMNS = ("sheet", "row", "key", "status", "message", "reason", "http_status", "tracking_id", "changes", "source")


def _with_defaults(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column the page reads, as text ("" where blank or missing); a missing reason is the status."""
    missing = [pl.lit("").alias(name) for name in (*COLUMNS, "pending_since", "age") if name not in frame.columns]
    frame = frame.with_columns(missing).with_columns(
        pl.col(c).fill_null("") for c in (*COLUMNS, "pending_since", "age")
    )
    return frame.with_columns(
        pl.when(pl.col("reason") == "").then(pl.col("status")).otherwise(pl.col("reason")).alias("reason")
    )


def _reasons(frame: pl.DataFrame) -> tuple[ReasonCount, ...]:
    counted = frame.group_by("reason", "status").len().sort(["len", "reason"], descending=[True, False])
    return tuple(ReasonCount(r, s, n) for r, s, n in counted.iter_rows())


def _listing(frame: pl.DataFrame, limit: int, finished: datetime | None = None) -> Listing:
    rows = []
    for record in frame.head(limit).iter_rows(named=True):
        age = record["age"] or _age(record["pending_since"], finished)
        rows.append(ListedRow(**{name: record[name] for name in COLUMNS}, age=age))
    return Listing(tuple(rows), max(0, frame.height - limit))


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
