"""The history file: one SQLite table of runs, 90 days kept, versioned like the journal.

One file per machine by default (``$XDG_STATE_HOME/rtm-batch/history.sqlite``), or wherever ``--history``
(or ``history = "…"`` in a config file, relative to it) puts it, e.g. one beside each nightly config.
Each call opens the file, does its work in one transaction and closes it, so two runs finishing at once
(different journals) simply queue on SQLite's lock. Times are stored as UTC ISO 8601 text, which sorts.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from batch.errors import UsageError
from batch.history.records import RunRecord, parse_time

#: How long a run is kept (the issue's default; ``--history-days`` changes it).
KEEP_DAYS = 90
FILE_NAME = "history.sqlite"
#: Schema steps by the version they lead to; ``PRAGMA user_version`` says which ran (dlt's state engine).
#: Each step may run twice (two runs opening a new file at once), hence ``IF NOT EXISTS``.
MIGRATIONS: Mapping[int, str] = {
    1: """
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            command TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT NOT NULL,
            exit_code INTEGER NOT NULL,
            rows INTEGER NOT NULL DEFAULT 0,
            totals TEXT NOT NULL DEFAULT '{}',
            requests INTEGER NOT NULL DEFAULT 0,
            throttled INTEGER NOT NULL DEFAULT 0,
            settled_rate REAL NOT NULL DEFAULT 0,
            achieved_rate REAL NOT NULL DEFAULT 0,
            wall_seconds REAL NOT NULL DEFAULT 0,
            input_hash TEXT NOT NULL DEFAULT '',
            config TEXT NOT NULL DEFAULT '',
            out_dir TEXT NOT NULL DEFAULT '',
            host TEXT NOT NULL DEFAULT '',
            error TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS runs_by_label ON runs (label, started);
        CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started);
    """,
}
#: The table's columns, which are ``RunRecord``'s fields.
COLUMNS = tuple(RunRecord.__dataclass_fields__)


def default_path(environ: Mapping[str, str] = os.environ) -> Path:
    """This machine's history: ``$XDG_STATE_HOME/rtm-batch/history.sqlite`` (``~/.local/state`` without it)."""
    state = environ.get("XDG_STATE_HOME", "").strip()
    base = Path(state) if state else Path.home() / ".local" / "state"
    return base / "rtm-batch" / FILE_NAME


class History:
    """Runs recorded in ``path``; newest first when listed."""

    def __init__(
        self, path: Path, *, keep_days: int = KEEP_DAYS, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.path = path
        self.keep_days = keep_days
        self.clock = clock

    def record(self, run: RunRecord) -> None:
        """Add (or replace, for a run recorded twice) ``run``; forget runs older than ``keep_days``."""
        values = _row(run)
        cutoff = _text(self.clock() - timedelta(days=self.keep_days))
        insert = f"INSERT OR REPLACE INTO runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        with self._connect(create=True) as db:
            db.execute(insert, values)
            db.execute("DELETE FROM runs WHERE started < ?", (cutoff,))

    def runs(
        self,
        *,
        label: str | None = None,
        last: int | None = None,
        before: str | None = None,
        exit_code: int | None = None,
    ) -> list[RunRecord]:
        """Recorded runs, newest first; only those of ``label``, started before run ``before``, or ended with
        ``exit_code`` where given."""
        if not self.path.exists():
            return []
        where: list[str] = []
        params: list[object] = []
        if label is not None:
            where.append("label = ?")
            params.append(label)
        if exit_code is not None:
            where.append("exit_code = ?")
            params.append(exit_code)
        if before is not None:
            where.append("started < (SELECT started FROM runs WHERE run_id = ?) AND run_id != ?")
            params += [before, before]
        sql = f"SELECT {', '.join(COLUMNS)} FROM runs"
        sql += f" WHERE {' AND '.join(where)}" if where else ""
        sql += " ORDER BY started DESC, rowid DESC"
        if last is not None:
            sql += f" LIMIT {int(last)}"
        with self._connect(create=False) as db:
            return [_record(row) for row in db.execute(sql, params)]

    def earlier_runs(self, run_id: str, last: int) -> list[RunRecord]:
        """The runs of ``run_id``'s job before it, newest first (``rtm-batch report OUT --html``'s trend)."""
        run = self.find(run_id)
        return [] if run is None else self.runs(label=run.label, before=run_id, last=last)

    def find(self, run_id: str) -> RunRecord | None:
        if not self.path.exists():
            return None
        with self._connect(create=False) as db:
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return _record(row) if row else None

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        """One transaction on the file (created and migrated when ``create``); failures as one usage line."""
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=10.0)) as db, db:
                _migrate(db)
                yield db
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"cannot use the history file {self.path}: {exc}") from None
        except OSError as exc:
            raise UsageError(f"cannot use the history file {self.path}: {exc.strerror or exc}") from None


def _migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    newest = max(MIGRATIONS)
    if version > newest:
        raise sqlite3.DatabaseError(f"it was written by a newer rtm-batch (schema {version}, this one knows {newest})")
    for step in range(version + 1, newest + 1):
        db.executescript(f"BEGIN; {MIGRATIONS[step]} PRAGMA user_version = {step}; COMMIT;")


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _row(run: RunRecord) -> tuple[object, ...]:
    values: dict[str, object] = {
        **{name: getattr(run, name) for name in COLUMNS},
        "started": _text(run.started),
        "finished": _text(run.finished),
        "totals": json.dumps(dict(run.totals), sort_keys=True),
    }
    return tuple(values[name] for name in COLUMNS)


def _record(row: tuple[object, ...]) -> RunRecord:
    data = dict(zip(COLUMNS, row, strict=True))
    data["started"] = parse_time(data["started"])
    data["finished"] = parse_time(data["finished"])
    data["totals"] = json.loads(str(data["totals"]) or "{}")
    return RunRecord(**data)  # type: ignore[arg-type]
