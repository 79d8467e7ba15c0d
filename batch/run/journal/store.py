"""The run journal: a SQLite file recording each job's outcome and the ids it learned, so a re-run after a
crash skips finished work without spending the rate budget on it.

Why these choices:

* WAL mode with ``synchronous=NORMAL`` and one autocommit statement per ``record()``: each outcome is
  committed the moment it is known, and a WAL commit survives the process being killed (even SIGKILL),
  because the data is in the OS page cache; only a power loss can lose the last few commits, and the
  runner reconciles by lookup anyway. A commit costs tens of microseconds, cheap enough for the event loop.
* The lock is ``fcntl.flock`` on a sibling ``<name>.lock`` file rather than SQLite's own locking: the
  kernel drops it when the holder dies however it dies, so a crashed run never leaves a stale lock, and a
  second run gets a clear message naming the pid instead of ``database is locked`` mid-way.
* ``PRAGMA application_id`` marks the file as ours, so pointing ``--journal`` at some other SQLite file
  (or at a spreadsheet) is refused before anything is written to it.
* ``PRAGMA user_version`` is the schema's version, and every step from one version to the next is a named
  migration (``batch.run.journal.migrations``), so a journal of any earlier rtm-batch still opens and one of a
  newer rtm-batch is refused instead of misread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from batch.errors import UsageError
from batch.jobs import SUCCESS, Outcome
from batch.run.journal.lock import lock, unlock
from batch.run.journal.migrations import SCHEMA_VERSION, migrate

#: "rtmb" in ASCII: tells our journals apart from any other SQLite file.
APPLICATION_ID = 0x72746D62
#: Seconds to wait for another program (an SQLite browser) to let go of the file before saying so.
BUSY_TIMEOUT = 1.0
#: Buffered journals: the runner flushes this often (in a worker thread), and ``record()`` flushes at once
#: when this many rows wait (a cap on the queue should the periodic flush fall behind; at 10,000 outcomes a
#: second a cap of 500 made the event loop commit 20 times a second itself).
FLUSH_SECONDS = 0.2
FLUSH_ROWS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    ids TEXT NOT NULL,              -- JSON object: customer_id, org_id, location_id, ...
    message TEXT NOT NULL,
    error_code INTEGER,
    tracking_id TEXT,
    attempts INTEGER NOT NULL,      -- HTTP requests the job made in the run that recorded it
    updated_at REAL NOT NULL,       -- unix seconds
    changes TEXT NOT NULL DEFAULT '[]', -- JSON list: the field differences an update applied
    fingerprint TEXT,               -- a hash of the job's fields when recorded (batch.run.journal.trust)
    images TEXT                     -- JSON {"before": ..., "after": ...}: the object around the job (undo)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL             -- "target": the API base URL the journal's work was done against
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,          -- ISO 8601, UTC
    finished TEXT,                  -- NULL while running, and forever when the run crashed
    pid INTEGER NOT NULL
);
"""

_UPSERT = (
    "INSERT INTO jobs"
    " (key, kind, status, ids, message, error_code, tracking_id, attempts, updated_at, changes, fingerprint, images)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, status = excluded.status, ids = excluded.ids,"
    " message = excluded.message, error_code = excluded.error_code, tracking_id = excluded.tracking_id,"
    " attempts = excluded.attempts, updated_at = excluded.updated_at, changes = excluded.changes,"
    " fingerprint = excluded.fingerprint, images = excluded.images"
)

_encode = json.JSONEncoder(separators=(",", ":")).encode  # one encoder: json.dumps(separators=) builds one per call

_COLUMNS = "key, status, ids, message, error_code, tracking_id, attempts, changes"
_DONE = f"SELECT {_COLUMNS} FROM jobs WHERE status IN ({', '.join('?' * len(SUCCESS))})"
_READ = f"SELECT {_COLUMNS} FROM jobs WHERE key IN ({{}})"
#: Keys per read-back query (SQLite's oldest bound on a statement's parameters is 999).
_READ_AT_ONCE = 500


@dataclass(frozen=True, slots=True)
class Entry:
    """One journal row as ``rtm-batch undo`` reads it: the job, how it ended, and its images."""

    key: str
    kind: str
    status: str
    ids: Mapping[str, str]
    message: str
    at: float  # unix seconds it was recorded
    images: Mapping[str, Any] | None  # {"before": ..., "after": ...}; None: recorded before images existed


def keeps_whole(outcome: Outcome) -> bool:
    """Whether the journal's columns hold all of ``outcome`` a report reads (it has none for a reason or an HTTP
    status): read back (``Journal.outcomes``), it is the same outcome, bar its undo images."""
    return not outcome.reason and outcome.http_status is None


def _outcome(row: tuple[Any, ...]) -> Outcome:
    """A journal row (``_COLUMNS``) as the outcome it recorded (``before``/``after`` stay in the journal). The ids'
    names are the interned ones: ``json`` makes each name afresh per document, and a report keeps a row's ids (two
    62-byte names per user, 12 MiB at 100,000 users)."""
    _, status, ids, message, error_code, tracking_id, attempts, changes = row
    return Outcome(
        status=status,
        ids={sys.intern(name): value for name, value in json.loads(ids).items()},
        message=message,
        error_code=error_code,
        tracking_id=tracking_id,
        attempts=attempts,
        changes=tuple(json.loads(changes)),
    )


def _images(outcome: Outcome) -> str | None:
    if outcome.before is None and outcome.after is None:
        return None
    return json.dumps({"before": outcome.before, "after": outcome.after}, separators=(",", ":"), default=str)


class Journal:
    """One run's handle on the journal file; hold it for the whole run (it owns the lock)."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, lock_fd: int, clock: Callable[[], float], buffered: bool = False
    ) -> None:
        self.path = path
        self._conn = conn
        self._lock_fd: int | None = lock_fd
        self._clock = clock
        self._run_id: int | None = None
        self._buffered = buffered
        self._pending: list[tuple[object, ...]] = []
        # A flush may run in a worker thread (``take_pending`` + ``write``) while the event loop goes on:
        # every use of the connection for writing holds this lock, and rows are written in the order taken.
        self._writing = threading.Lock()

    @classmethod
    def open(cls, path: Path, *, clock: Callable[[], float] = time.time, buffered: bool = False) -> Journal:
        """Lock, open (creating it and its folders if needed) and check the journal at ``path``.

        ``buffered``: ``record()`` only queues; ``flush()`` commits the queue in one transaction (the runner
        flushes every ``FLUSH_SECONDS``). On this kind of VM a commit per job cost ~0.1 ms of CPU, a tenth of
        the budget per API call; a crash loses at most the last flush interval, which the next run finds again
        by look-up instead of from the journal.
        """
        path = Path(path)
        if path.is_dir():
            raise UsageError(f"the journal {path} is a folder; give --journal a file name")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create the folder for the journal {path}: {exc.strerror or exc}") from None
        fd = lock(path)
        try:
            conn = _connect(path)
        except BaseException:
            unlock(fd)
            raise
        return cls(path, conn, fd, clock, buffered)

    def bind(self, target: str) -> None:
        """Tie the journal to one server: its finished work means nothing on another (a journal of a test
        tenant must not make a production run skip everything)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'target'").fetchone()
        if row is None:
            self._conn.execute("INSERT INTO meta (key, value) VALUES ('target', ?)", (target,))
        elif row[0] != target:
            raise UsageError(
                f"the journal {self.path} records work done against {row[0]}, not {target}: give this run its "
                "own --out folder or --journal file"
            )

    def interrupted_keys(self) -> set[str]:
        """Jobs recorded by the latest run if it never finished (a crash): a resume reports them as this
        batch's ``created`` work, while work of runs that finished cleanly is ``exists``. Call before
        ``begin_run``."""
        last = self._conn.execute("SELECT started, finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if last is None or last[1] is not None:
            return set()
        since = datetime.fromisoformat(last[0]).timestamp() - 1.0  # started is kept to the second
        return {key for (key,) in self._conn.execute("SELECT key FROM jobs WHERE updated_at >= ?", (since,))}

    def begin_run(self) -> bool:
        """Record that a run starts; True when the previous run started but never finished (it crashed)."""
        last = self._conn.execute("SELECT finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        cursor = self._conn.execute("INSERT INTO runs (started, pid) VALUES (?, ?)", (self._now_iso(), os.getpid()))
        self._run_id = cursor.lastrowid
        return last is not None and last[0] is None

    def finish_run(self) -> None:
        """Mark the current run finished, so the next one knows this run ended cleanly."""
        self.flush()
        if self._run_id is None:
            return
        self._conn.execute("UPDATE runs SET finished = ? WHERE id = ?", (self._now_iso(), self._run_id))
        self._run_id = None

    def done(self) -> dict[str, Outcome]:
        """Every job that ended created/exists, by key; failed jobs are kept but not done (a re-run retries)."""
        return {row[0]: _outcome(row) for row in self._conn.execute(_DONE, tuple(SUCCESS)).fetchall()}

    def outcomes(self, keys: Sequence[str]) -> dict[str, Outcome]:
        """The recorded outcomes of ``keys`` (those the journal holds), queued ones included: what a run kept
        here instead of in memory (``batch.run.journal.kept``), read back when its reports ask."""
        self.flush()
        found: dict[str, Outcome] = {}
        with self._writing:  # the connection is shared with a flush in a worker thread
            for start in range(0, len(keys), _READ_AT_ONCE):
                part = keys[start : start + _READ_AT_ONCE]
                rows = self._conn.execute(_READ.format(", ".join("?" * len(part))), part).fetchall()
                found.update((row[0], _outcome(row)) for row in rows)
        return found

    def fingerprints(self) -> dict[str, str]:
        """The fingerprint each recorded job's fields had (jobs recorded before fingerprints have none)."""
        rows = self._conn.execute("SELECT key, fingerprint FROM jobs WHERE fingerprint IS NOT NULL")
        return dict(rows.fetchall())

    def entries(self) -> list[Entry]:
        """Every recorded job, newest first (``rtm-batch undo`` reverses them in that order)."""
        rows = self._conn.execute(
            "SELECT key, kind, status, ids, message, updated_at, images FROM jobs ORDER BY updated_at DESC, key DESC"
        )
        return [
            Entry(key, kind, status, json.loads(ids), message, at, json.loads(images) if images else None)
            for key, kind, status, ids, message, at, images in rows.fetchall()
        ]

    def mark(self, key: str, status: str, message: str) -> None:
        """Set one job's status (``undone``) and message, committed at once, keeping its ids and images: an
        undo killed a moment later does not reverse it twice, and a later ``run`` does the job again (an
        ``undone`` job is not done). The status it had is kept in its images as ``was`` (created or updated:
        what a later undo needs to know of it)."""
        self.flush()
        self._conn.execute(
            "UPDATE jobs SET images = json_set(coalesce(images, '{}'), '$.was', status), status = ?, message = ?"
            " WHERE key = ?",
            (status, message, key),
        )

    def last_run(self) -> str | None:
        """When the latest run finished (or started, if it never finished), ISO 8601; None: no run."""
        row = self._conn.execute("SELECT coalesce(finished, started) FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else str(row[0])

    def target(self) -> str | None:
        """The API base URL the journal's work was done against (``bind``)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'target'").fetchone()
        return None if row is None else str(row[0])

    def failed_keys(self) -> frozenset[str]:
        """Jobs whose last recorded outcome is ``failed``: work still to do (not a change of the row)."""
        return frozenset(key for (key,) in self._conn.execute("SELECT key FROM jobs WHERE status = 'failed'"))

    def record(self, key: str, kind: str, outcome: Outcome, fingerprint: str | None = None) -> None:
        """Upsert one job's outcome (and the fingerprint of the fields it was asked to do): committed at once
        (autocommit), so a kill a moment later keeps it; or, when ``buffered``, at the next ``flush()`` (or once
        ``FLUSH_ROWS`` are waiting)."""
        row = (
            key,
            str(kind),
            outcome.status,
            _encode(ids if type(ids := outcome.ids) is dict else dict(ids)) if outcome.ids else "{}",
            outcome.message,
            outcome.error_code,
            outcome.tracking_id,
            outcome.attempts,
            self._clock(),
            _encode(list(outcome.changes)) if outcome.changes else "[]",
            fingerprint,
            _images(outcome),
        )
        if not self._buffered:
            self._conn.execute(_UPSERT, row)
            return
        self._pending.append(row)
        if len(self._pending) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Commit every queued outcome in one transaction."""
        self.write(self.take_pending())

    def take_pending(self) -> list[tuple[object, ...]]:
        """The queued outcomes, now no longer queued: for ``write`` in a worker thread (the runner's periodic
        flush, so SQLite's work never holds up the event loop). Called on the thread that records."""
        rows, self._pending = self._pending, []
        return rows

    def write(self, rows: list[tuple[object, ...]]) -> None:
        """Commit ``rows`` (from ``take_pending``) in one transaction; safe from any one thread at a time, and
        waits for a write already under way, so rows taken earlier are committed first."""
        if not rows:
            return
        with self._writing, self._conn:  # BEGIN ... COMMIT (isolation_level=None connections need it explicit)
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(_UPSERT, rows)

    def close(self) -> None:
        """Close the database and release the lock (idempotent)."""
        if self._lock_fd is None:
            return
        try:
            self.flush()
            self._conn.close()
        finally:
            unlock(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _now_iso(self) -> str:
        return datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="seconds")


def _connect(path: Path) -> sqlite3.Connection:
    """Open in autocommit mode, switch to WAL, and refuse files that are not (empty or) our journal."""
    not_journal = f"{path} is not an rtm-batch journal; give --journal a new file name or remove this file"
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT)
    except sqlite3.Error as exc:
        raise UsageError(f"cannot open the journal {path}: {exc}") from None
    try:
        # Before the first read, so SQLite keeps the WAL index in memory (no -shm file) and skips per-commit
        # file locking; our flock already keeps every other process out.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if app_id != APPLICATION_ID and (app_id != 0 or has_tables):
            raise UsageError(not_journal)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise UsageError(f"the journal {path} was written by a newer rtm-batch (schema {version}); upgrade")
        if app_id == 0:
            conn.execute("PRAGMA page_size = 1024")  # rows are ~200 bytes: small pages mean less WAL per commit
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # A checkpoint fsyncs, and an fsync can stall the event loop for milliseconds on a busy disk:
        # checkpoint every 4 MB of WAL (~1,000 records) rather than SQLite's default 1 MB.
        conn.execute("PRAGMA wal_autocheckpoint = 4096")
        if app_id == APPLICATION_ID:
            migrate(conn, version)
        else:
            conn.executescript(
                f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA application_id = {APPLICATION_ID};"
                f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )
    except sqlite3.DatabaseError as exc:
        conn.close()
        detail = str(exc)
        if "not a database" in detail or "malformed" in detail or "encrypted" in detail:
            raise UsageError(not_journal) from None
        if "locked" in detail:
            raise UsageError(f"the journal {path} is open in another program (an SQLite browser?); close it") from None
        raise UsageError(f"cannot use the journal {path}: {detail}") from None
    except BaseException:
        conn.close()
        raise
    return conn
