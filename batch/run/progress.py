"""What a run shows while it works: live bars per job kind on a terminal, one line per finished job elsewhere.

A person at a terminal wants to see how far each kind of work is (customers wait for provisioning, users
follow in thousands), so there the display is a rich progress bar per job kind. A cron job or a CI log
wants lines it can grep and that appear soon after a job ends, so off a terminal (or with
``--log-format plain``) each finished job is one line, in the log within a fifth of a second (once the
journal holds the job), and ``--log-format json`` gives one JSON object per line for log collectors. The
runner calls the same few methods whichever it gets.

Cost matters: the runner calls ``job_done`` from the event loop for every job (25,000 in the benchmark),
so lines are formatted with a per-second cached timestamp and written together at each flush, and the bars
are redrawn by rich's own refresh thread a few times a second, never per job. The token never reaches this
module.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

from rich import progress as rp
from rich.console import Console
from rich.text import Text

from batch.errors import UsageError
from batch.jobs import FAILED, KIND_ORDER, SKIPPED, STATUSES, Job, Kind, Outcome
from batch.validate.rules import source_file

LOG_FORMATS = ("auto", "plain", "json")

#: A row as reports match it: (source, sheet, row). Merged inputs repeat (sheet, row), so the input is part
#: of it; ``source`` is "" for a single input.
RowKey = tuple[str, str, int]

#: Failures printed above the bars on a terminal; past this they are only counted (results.csv lists all).
SHOWN_FAILURES = 20
#: Finished jobs' log lines that may wait for the runner's next flush.
FLUSH_LINES = 2000


class Progress(Protocol):
    """What the runner reports to: totals first, then every finished job, free-text notes, then close."""

    def start(self, totals: Mapping[Kind, int]) -> None: ...

    # The rows with more than one job to run, and how many (a row not named has one); ``merged``: several inputs.
    def expect_rows(self, jobs_per_row: Mapping[RowKey, int], *, merged: bool = False) -> None: ...

    def job_done(self, job: Job, outcome: Outcome) -> None: ...

    def flush(self) -> None: ...  # the runner calls it every ``FLUSH_SECONDS``, after the journal's commit

    def note(self, message: str) -> None: ...

    def event(self, name: str, **fields: Any) -> None: ...

    def close(self, **final: Any) -> None: ...


def make_progress(
    console: Console,
    *,
    log_format: str = "auto",
    stream: TextIO | None = None,
    clock: Callable[[], float] = time.time,
    run_id: str = "",
) -> Progress:
    """Bars on an interactive terminal (``auto``), else plain lines; ``json`` always gives JSON lines.

    ``console`` is where the bars would go, so ``auto`` asks whether *it* is a live terminal (and not CI,
    not ``TERM=dumb``, as ``batch.console`` decides); ``stream`` receives the lines: stderr for plain lines,
    stdout for JSON (a log collector reads stdout, and in json mode nothing else is printed there).
    """
    if log_format not in LOG_FORMATS:
        raise UsageError(f"--log-format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    if log_format == "json":
        return JsonLog(stream if stream is not None else sys.stdout, clock, run_id=run_id)
    out = stream if stream is not None else sys.stderr
    if log_format == "plain" or not is_live(console):
        return PlainLog(out, clock)
    return BarProgress(console)


def is_live(console: Console) -> bool:
    """Whether live widgets make sense: a real terminal, not a CI log, not a dumb terminal."""
    term = os.environ.get("TERM", "")
    return console.is_terminal and not os.environ.get("CI") and term not in ("dumb", "unknown")


class _Tally:
    """Counts per status, shared by the line logs for their closing line; and their lines per finished job,
    written together at each ``flush`` (the runner's, every ``FLUSH_SECONDS``) or before any other line: a
    write and a flush per job cost the event loop a system call each (25,000 a run), a tenth of its time
    on a busy machine. ``FLUSH_LINES`` caps what waits."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lines: list[str] = []
        self.total = 0
        self.done = 0
        self.statuses: Counter[str] = Counter()
        self.closed = False
        self.started = False
        self.merged = False  # rows of several inputs: a line names the row's input too

    def expect_rows(self, jobs_per_row: Mapping[RowKey, int], *, merged: bool = False) -> None:
        """Only the JSON log says when a row is done; the others count jobs (and name inputs when merged)."""
        self.merged = merged

    def set_totals(self, totals: Mapping[Kind, int]) -> dict[str, int]:
        ordered = {str(k): n for k, n in sorted(totals.items(), key=lambda kv: KIND_ORDER.get(kv[0], 99)) if n}
        self.total = sum(ordered.values())
        return ordered

    def count(self, status: str) -> None:
        self.done += 1
        self.statuses[status] += 1

    def status_counts(self) -> dict[str, int]:
        known = {s: self.statuses[s] for s in STATUSES if self.statuses[s]}
        return known | {s: n for s, n in self.statuses.items() if s not in known}

    def flush(self) -> None:
        """Write the finished jobs' lines that wait, in one write."""
        if self._lines:
            lines, self._lines = self._lines, []
            self._stream.write("".join(lines))
            self._stream.flush()

    def _queue(self, line: str, *, now: bool = False) -> None:
        """A finished job's line, written at the next ``flush``; ``now``: any other line (start, notes, events,
        the closing line), written at once after those waiting."""
        self._lines.append(line + "\n")
        if now or len(self._lines) >= FLUSH_LINES:
            self.flush()


def plural(count: int, word: str) -> str:
    """``1 job``, ``2 jobs``: a log line a person reads says it right."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _input(job: Job, merged: bool) -> str:
    """`` (extra/users.csv)`` after a row number when inputs are merged (each has a ``users row 2``)."""
    return f" ({source_file(job.source)})" if merged and job.source and job.row is not None else ""


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ") if "\n" in text or "\r" in text else text


class PlainLog(_Tally):
    """``HH:MM:SS status kind sheet row N key message`` per finished job, in the log within a fifth of a second
    (cron-friendly)."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.time) -> None:
        super().__init__(stream)
        self._clock = clock
        self._second = -1
        self._stamp = ""

    def start(self, totals: Mapping[Kind, int]) -> None:
        self.started = True
        ordered = self.set_totals(totals)
        parts = ", ".join(f"{n} {kind}" for kind, n in ordered.items())
        jobs = plural(self.total, "job")
        self._write(f"{self._time()} start {jobs}: {parts}" if parts else f"{self._time()} start {jobs}")

    def job_done(self, job: Job, outcome: Outcome) -> None:
        self.count(outcome.status)
        row = "-" if job.row is None else job.row
        line = f"{self._time()} {outcome.status} {job.kind} {job.sheet} row {row}{_input(job, self.merged)} {job.key}"
        if outcome.message:
            line = f"{line} {_one_line(outcome.message)}"
        self._queue(line)

    def note(self, message: str) -> None:
        self._write(f"{self._time()} note {_one_line(message)}")

    def event(self, name: str, **fields: Any) -> None:
        """A run event other than a finished job (refreshed, throttled, stopped, ...): one line."""
        detail = " ".join(f"{k}={_one_line(str(v))}" for k, v in fields.items() if v is not None)
        self._write(f"{self._time()} {name} {detail}".rstrip())

    def close(self, **final: Any) -> None:
        if self.closed:
            return
        self.closed = True
        if not self.started:  # the run never got to its jobs: the error line says why, no tally needed
            return
        counts = ", ".join(f"{n} {status}" for status, n in self.status_counts().items())
        done = f"{self.done}/{plural(self.total, 'job')}"
        line = f"{self._time()} finished {done}" + (f": {counts}" if counts else "")
        if "exit_code" in final:
            line += f"; exit code {final['exit_code']}"
        self._write(line)

    def _write(self, line: str) -> None:
        self._queue(line, now=True)

    def _time(self) -> str:
        now = int(self._clock())
        if now != self._second:
            self._second = now
            self._stamp = time.strftime("%H:%M:%S", time.localtime(now))
        return self._stamp


class JsonLog(_Tally):
    """One JSON object per line, each with ``run_id``, ``time`` (ISO 8601 UTC) and ``event``: ``start``,
    ``job_done``, ``row_done`` (a row's last job), ``throttled``, ``retry``, ``refreshed``, ``stopped``,
    ``note`` and, last, ``finished`` with the exit code and the report paths."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.time, *, run_id: str = "") -> None:
        super().__init__(stream)
        self._clock = clock
        self._run_id = run_id
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
        self._rows: dict[RowKey, list[Any]] = {}  # (source, sheet, row) -> [jobs left, worst status]

    def expect_rows(self, jobs_per_row: Mapping[RowKey, int], *, merged: bool = False) -> None:
        """Jobs left in the rows with several, so the last says ``row_done``; a row not named has one, which says it
        (every event names its row's ``source``: a log collector filters on fields). Not every row: most have one
        job, and an entry each was 18 MiB at the start of a 100,000-user run (23 MiB while counted)."""
        self._rows = {row: [n, ""] for row, n in jobs_per_row.items() if n}

    def start(self, totals: Mapping[Kind, int]) -> None:
        ordered = self.set_totals(totals)
        self._write({"event": "start", "total": self.total, "totals": ordered})

    def job_done(self, job: Job, outcome: Outcome) -> None:
        self.count(outcome.status)
        self._write(
            queued=True,
            record={
                "event": "job_done",
                "job": job.key,
                "kind": str(job.kind),
                "sheet": job.sheet,
                "row": job.row,
                **({"source": job.source} if job.source else {}),  # the row's input: inputs repeat row numbers
                "status": outcome.status,
                "message": outcome.message,
                "error_code": outcome.error_code,
                "tracking_id": outcome.tracking_id,
                "attempts": outcome.attempts,
            }
        )
        if (row := job.row_id) is None:
            return
        left = self._rows.get(row) or [1, ""]  # not named: its one job
        left[0] -= 1
        left[1] = _worse(left[1], outcome.status)
        if left[0] == 0:
            self._rows.pop(row, None)  # a row done is not kept for the rest of the run
            self._write(
                queued=True,
                record={
                    "event": "row_done",
                    "sheet": job.sheet,
                    "row": job.row,
                    **({"source": job.source} if job.source else {}),
                    "status": left[1],
                }
            )

    def note(self, message: str) -> None:
        self._write({"event": "note", "message": message})

    def event(self, name: str, **fields: Any) -> None:
        self._write({"event": name, **fields})

    def close(self, **final: Any) -> None:
        if self.closed:
            return
        self.closed = True
        self._write(
            {"event": "finished", "done": self.done, "total": self.total, "statuses": self.status_counts(), **final}
        )

    def _write(self, record: dict[str, Any], *, queued: bool = False) -> None:
        """``queued``: a job's or row's event, written at the next ``flush``; any other at once."""
        line = self._encode({"run_id": self._run_id, "time": self._time()} | record)
        self._queue(line, now=not queued)

    def _time(self) -> str:
        return datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="milliseconds")


#: A row's status from its jobs: the worst one wins.
_SEVERITY = {"": 0, "exists": 1, "updated": 2, "created": 3, "pending": 4, "skipped": 5, "failed": 6}


def _worse(a: str, b: str) -> str:
    return a if _SEVERITY.get(a, 3) >= _SEVERITY.get(b, 3) else b


class _ProblemsColumn(rp.ProgressColumn):
    """'3 failed, 12 skipped' in colour, or nothing while all is well."""

    def render(self, task: rp.Task) -> Text:
        text = Text()
        failed, skipped = task.fields.get("failed", 0), task.fields.get("skipped", 0)
        if failed:
            text.append(f"{failed} failed", style="red")
        if skipped:
            text.append(", " if failed else "")
            text.append(f"{skipped} skipped", style="yellow")
        return text


class BarProgress:
    """One rich bar per job kind (done/total, failures and skips counted); failures also printed above."""

    def __init__(self, console: Console) -> None:
        self._progress = rp.Progress(
            rp.TextColumn("{task.description:<13}"),
            rp.BarColumn(),
            rp.MofNCompleteColumn(),
            rp.TimeElapsedColumn(),
            rp.TimeRemainingColumn(),
            _ProblemsColumn(),
            console=console,
            auto_refresh=True,
            refresh_per_second=4,
        )
        self._tasks: dict[str, rp.TaskID] = {}
        self._problems: dict[str, list[int]] = {}  # kind → [failed, skipped]
        self._failures_shown = 0
        self._started = False
        self._merged = False

    def expect_rows(self, jobs_per_row: Mapping[RowKey, int], *, merged: bool = False) -> None:
        """The bars count jobs per kind, not rows; a failure shown above them names its input when merged."""
        self._merged = merged

    def start(self, totals: Mapping[Kind, int]) -> None:
        self._ensure_started()
        for kind, n in sorted(totals.items(), key=lambda kv: KIND_ORDER.get(kv[0], 99)):
            if n:
                self._task(str(kind), n)

    def job_done(self, job: Job, outcome: Outcome) -> None:
        kind = str(job.kind)
        task = self._tasks.get(kind)
        if task is None:  # a kind start() did not announce: count it anyway
            self._ensure_started()
            task = self._task(kind, None)
        status = outcome.status
        if status in (FAILED, SKIPPED):
            problems = self._problems[kind]
            problems[0 if status == FAILED else 1] += 1
            self._progress.update(task, advance=1, failed=problems[0], skipped=problems[1])
            if status == FAILED:
                self._show_failure(job, outcome)
        else:
            self._progress.advance(task)

    def flush(self) -> None:
        """Nothing waits: rich redraws the bars from its own thread."""

    def note(self, message: str) -> None:
        self._progress.console.print(Text(message), highlight=False)  # Text: no markup or :emoji: codes

    def event(self, name: str, **fields: Any) -> None:
        """Only what a person at the terminal should know about (the bars show the rest)."""
        if name in ("stopped", "refreshed"):
            detail = fields.get("reason") or ""
            self.note(f"{name} {detail}".rstrip())

    def close(self, **final: Any) -> None:
        if self._started:
            self._progress.stop()
            self._started = False

    def _ensure_started(self) -> None:
        if not self._started:
            self._progress.start()
            self._started = True

    def _task(self, kind: str, total: int | None) -> rp.TaskID:
        self._tasks[kind] = task = self._progress.add_task(kind, total=total, failed=0, skipped=0)
        self._problems[kind] = [0, 0]
        return task

    def _show_failure(self, job: Job, outcome: Outcome) -> None:
        self._failures_shown += 1
        if self._failures_shown > SHOWN_FAILURES:
            return
        row = "" if job.row is None else f" row {job.row}{_input(job, self._merged)}"
        line = f"failed {job.kind} {job.sheet}{row} {job.key}: {_one_line(outcome.message)}"
        if self._failures_shown == SHOWN_FAILURES:
            line += "\n(further failures are only counted here; results.csv lists them all)"
        self._progress.console.print(Text(line, style="red"), highlight=False)
