"""The journal: outcomes survive a SIGKILL, one run at a time holds it, and foreign files are refused."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from batch.errors import JournalLockedError, UsageError
from batch.jobs import Kind, Outcome
from batch.run.journal import migrations
from batch.run.journal import store as journal_module
from batch.run.journal.lock import lock_path
from batch.run.journal.store import Journal

ROOT = Path(__file__).resolve().parents[2]

# Records forever, printing each index once its record() returned; the test kills it mid-stream.
WRITER = """
import sys
from pathlib import Path
from batch.run.journal.store import Journal
from batch.jobs import Outcome
journal = Journal.open(Path(sys.argv[1]))
journal.begin_run()
i = 0
while True:
    journal.record(f"customer:c{i}", "customer", Outcome("created", {"org_id": f"org-{i}"}, attempts=1))
    sys.stdout.write(f"{i}\\n")
    sys.stdout.flush()
    i += 1
"""

# Holds the journal until killed (blocks on stdin, which the test never writes).
HOLDER = """
import sys
from pathlib import Path
from batch.run.journal.store import Journal
journal = Journal.open(Path(sys.argv[1]))
print("locked", flush=True)
sys.stdin.read()
"""


def spawn(script: str, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "out" / "nested" / "journal.sqlite"


def test_records_committed_before_a_sigkill_are_all_there(path: Path) -> None:
    writer = spawn(WRITER, path)
    assert writer.stdout is not None
    last = -1
    while last < 400:
        line = writer.stdout.readline()
        assert line, "writer died before recording anything"
        last = int(line)
    kill(writer)

    with Journal.open(path) as journal:
        assert journal.begin_run() is True  # the killed run never finished
        done = journal.done()
    assert {f"customer:c{i}" for i in range(last + 1)} <= done.keys()
    assert all(done[f"customer:c{i}"].ids == {"org_id": f"org-{i}"} for i in range(last + 1))


def test_a_second_run_is_refused_while_the_first_holds_the_journal(path: Path) -> None:
    holder = spawn(HOLDER, path)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(JournalLockedError) as err:
            Journal.open(path)
        message = str(err.value)
        assert "\n" not in message
        assert str(path) in message and f"pid {holder.pid}" in message and "--journal" in message
    finally:
        kill(holder)
    with Journal.open(path) as journal:  # the kernel released the dead holder's lock
        assert journal.done() == {}


def test_the_lock_is_exclusive_within_one_process_and_released_by_close(path: Path) -> None:
    first = Journal.open(path)
    with pytest.raises(JournalLockedError):
        Journal.open(path)
    first.close()
    first.close()  # idempotent
    with Journal.open(path):
        pass
    assert lock_path(path) == path.with_name("journal.sqlite.lock") and lock_path(path).exists()


def test_done_holds_created_and_exists_but_not_failed_jobs(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.record("customer:a", Kind.CUSTOMER, Outcome("created", {"customer_id": "C1", "org_id": "O1"}))
        journal.record("location:a/hq", Kind.LOCATION, Outcome("exists", {"location_id": "L1"}, attempts=2))
        journal.record(
            "subscriber:x@y.com",
            Kind.SUBSCRIBER,
            Outcome("failed", message="Paket «basic» fehlt", error_code=25008, tracking_id="T-1", attempts=3),
        )
        journal.record("roles:x@y.com", Kind.ROLES, Outcome("failed", message="first try"))
        journal.record("roles:x@y.com", Kind.ROLES, Outcome("created", {"person_id": "P1"}, attempts=4))

    with Journal.open(path) as journal:
        done = journal.done()
    assert done == {
        "customer:a": Outcome("created", {"customer_id": "C1", "org_id": "O1"}),
        "location:a/hq": Outcome("exists", {"location_id": "L1"}, attempts=2),
        "roles:x@y.com": Outcome("created", {"person_id": "P1"}, attempts=4),
    }
    with closing(sqlite3.connect(path)) as conn:  # the failure is kept, with everything the report needs
        row = conn.execute(
            "SELECT kind, status, message, error_code, tracking_id, attempts FROM jobs WHERE key = ?",
            ("subscriber:x@y.com",),
        ).fetchone()
    assert row == ("subscriber", "failed", "Paket «basic» fehlt", 25008, "T-1", 3)


def test_begin_run_tells_a_crashed_previous_run_from_a_finished_one(path: Path) -> None:
    ticks = iter(range(1_700_000_000, 1_700_000_100))
    clock = lambda: float(next(ticks))  # noqa: E731
    with Journal.open(path, clock=clock) as journal:
        assert journal.begin_run() is False  # first run ever
        journal.record("customer:a", "customer", Outcome("created"))
    with Journal.open(path, clock=clock) as journal:
        assert journal.begin_run() is True  # the first run never called finish_run
        journal.finish_run()
    with Journal.open(path, clock=clock) as journal:
        assert journal.begin_run() is False
        journal.finish_run()
    with closing(sqlite3.connect(path)) as conn:
        runs = conn.execute("SELECT started, finished, pid FROM runs ORDER BY id").fetchall()
        updated = conn.execute("SELECT updated_at FROM jobs").fetchone()[0]
    assert [r[1] is None for r in runs] == [True, False, False]
    assert runs[0][0] == "2023-11-14T22:13:20+00:00" and updated == 1_700_000_001.0
    assert {r[2] for r in runs} == {__import__("os").getpid()}


@pytest.mark.parametrize(
    "content",
    [b"customer;location\nacme;hq\n", b"PK\x03\x04" + bytes(range(256)) * 20],
    ids=["text", "binary"],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes(content)
    with pytest.raises(UsageError, match="is not an rtm-batch journal") as err:
        Journal.open(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert path.read_bytes() == content
    with Journal.open(tmp_path / "other.sqlite"):  # the failed open released its lock
        pass
    Journal.open(tmp_path / "other.sqlite").close()


def test_another_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE jobs (x)")
    before = path.read_bytes()
    with pytest.raises(UsageError, match="is not an rtm-batch journal"):
        Journal.open(path)
    assert path.read_bytes() == before
    with Journal.open(path.with_name("fresh.db")):  # an empty file or no file is fine
        pass


def test_a_folder_or_a_newer_journal_is_refused(tmp_path: Path, path: Path) -> None:
    with pytest.raises(UsageError, match="is a folder"):
        Journal.open(tmp_path)
    Journal.open(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(UsageError, match="newer rtm-batch"):
        Journal.open(path)


def test_a_journal_open_in_another_program_is_named(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "BUSY_TIMEOUT", 0.01)
    Journal.open(path).close()
    with closing(sqlite3.connect(path)) as browser:
        browser.execute("BEGIN IMMEDIATE")  # e.g. an SQLite browser editing the file
        with pytest.raises(UsageError, match="is open in another program"):
            Journal.open(path)


@pytest.mark.slow
def test_record_costs_under_50_microseconds(tmp_path: Path) -> None:
    """The benchmark records ~25,000 outcomes from the event loop; each must stay cheap."""
    n = 25_000
    ids = {"customer_id": "Y2lzY29zcGFyazovL3VzL0NVU1RPTUVSLzEyMzQ1Njc4OTA", "org_id": "Y2lzY29zcGFyazovL3VzL09SRw"}
    outcomes = [Outcome("created", ids, attempts=2) for _ in range(n)]
    with Journal.open(tmp_path / "journal.sqlite") as journal:
        journal.begin_run()
        start, cpu = time.perf_counter(), time.process_time()
        for i, outcome in enumerate(outcomes):
            journal.record(f"subscriber:user{i}@example.com", "subscriber", outcome)
        per_record = (time.perf_counter() - start) / n
        per_record_cpu = (time.process_time() - cpu) / n
        assert len(journal.done()) == n
    print(f"record(): {per_record * 1e6:.1f} µs wall, {per_record_cpu * 1e6:.1f} µs CPU each over {n}")
    assert per_record < 50e-6


# Buffered (group commit): records 0..9, flushes, records 10..14, then waits to be killed.
BUFFERED_WRITER = """
import sys
from pathlib import Path
from batch.run.journal.store import Journal
from batch.jobs import Outcome
journal = Journal.open(Path(sys.argv[1]), buffered=True)
journal.begin_run()
for i in range(15):
    journal.record(f"customer:c{i}", "customer", Outcome("created", attempts=1))
    if i == 9:
        journal.flush()
print("ready", flush=True)
sys.stdin.read()
"""


def test_a_buffered_journal_keeps_what_was_flushed_and_only_that_when_killed(path: Path) -> None:
    writer = spawn(BUFFERED_WRITER, path)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    kill(writer)
    with Journal.open(path) as journal:
        assert set(journal.done()) == {f"customer:c{i}" for i in range(10)}


def test_a_buffered_journal_flushes_on_its_own_when_full_and_on_close(path: Path) -> None:
    with Journal.open(path, buffered=True) as journal:
        for i in range(journal_module.FLUSH_ROWS + 3):
            journal.record(f"user:u{i}", "subscriber", Outcome("exists"))
        assert len(journal._pending) == 3  # the first FLUSH_ROWS went in one transaction
    with Journal.open(path) as journal:
        assert len(journal.done()) == journal_module.FLUSH_ROWS + 3


def test_a_journal_belongs_to_the_server_it_was_used_against(path: Path) -> None:
    with Journal.open(path) as journal:
        journal.bind("https://webexapis.com/v1")
        journal.bind("https://webexapis.com/v1")  # the same server again: fine
    with Journal.open(path) as journal, pytest.raises(UsageError, match="records work done against https://web"):
        journal.bind("http://127.0.0.1:8765/v1")


def test_interrupted_keys_are_what_the_crashed_run_recorded_not_earlier_clean_runs(path: Path) -> None:
    now = [1_000_000.0]
    with Journal.open(path, clock=lambda: now[0]) as journal:
        journal.begin_run()
        journal.record("customer:A", "customer", Outcome("created"))
        journal.finish_run()
    now[0] += 3600
    with Journal.open(path, clock=lambda: now[0]) as journal:
        assert journal.interrupted_keys() == set()  # the last run finished
        journal.begin_run()
        journal.record("customer:B", "customer", Outcome("created"))  # then the process dies: no finish_run
    now[0] += 60
    with Journal.open(path, clock=lambda: now[0]) as journal:
        assert journal.interrupted_keys() == {"customer:B"}


def test_an_update_keeps_its_changes_and_an_old_journal_without_them_still_opens(path: Path) -> None:
    """A resumed run reports what an update changed from the journal; journals from before that column work on."""
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(
            "CREATE TABLE jobs (key TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, ids TEXT NOT NULL,"
            " message TEXT NOT NULL, error_code INTEGER, tracking_id TEXT, attempts INTEGER NOT NULL,"
            " updated_at REAL NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, pid INTEGER NOT NULL);"
            f"PRAGMA application_id = {journal_module.APPLICATION_ID}; PRAGMA user_version = 1;"
            "INSERT INTO jobs VALUES ('customer:A', 'customer', 'updated', '{}', 'updated x', NULL, NULL, 2, 1.0);"
        )
    changed = Outcome("updated", {"org_id": "o"}, "updated package: a → b", changes=("package: a → b", "roles: + R"))
    with Journal.open(path) as journal:
        assert journal.done()["customer:A"] == Outcome("updated", {}, "updated x", attempts=2)
        journal.record("subscriber:u@x.fi", Kind.SUBSCRIBER, changed)
    with Journal.open(path) as journal:
        assert journal.done()["subscriber:u@x.fi"] == changed


def test_a_journal_of_schema_1_with_fingerprints_in_its_ids_is_migrated(path: Path) -> None:
    """The named migration moves ``ids._fp`` (schema 1) into the fingerprint column and stamps version 2."""
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(
            "CREATE TABLE jobs (key TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, ids TEXT NOT NULL,"
            " message TEXT NOT NULL, error_code INTEGER, tracking_id TEXT, attempts INTEGER NOT NULL,"
            " updated_at REAL NOT NULL, changes TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID;"
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, pid INTEGER NOT NULL);"
            f"PRAGMA application_id = {journal_module.APPLICATION_ID}; PRAGMA user_version = 1;"
            "INSERT INTO jobs VALUES ('subscriber:a@x.fi', 'subscriber', 'created',"
            " '{\"subscriber_id\":\"S1\",\"_fp\":\"bf70409d12bbb261\"}', '', NULL, NULL, 1, 1.0, '[]');"
            "INSERT INTO jobs VALUES ('customer:A', 'customer', 'exists', '{\"org_id\":\"o\"}', '', NULL, NULL, 1, 1.0,"
            " '[]');"
        )
    with Journal.open(path) as journal:
        assert journal.done()["subscriber:a@x.fi"].ids == {"subscriber_id": "S1"}
        assert journal.fingerprints() == {"subscriber:a@x.fi": "bf70409d12bbb261"}
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION == 3


def test_a_journal_of_a_newer_schema_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(
            f"CREATE TABLE jobs (key TEXT PRIMARY KEY); PRAGMA application_id = {journal_module.APPLICATION_ID};"
            f" PRAGMA user_version = {migrations.SCHEMA_VERSION + 1};"
        )
    with pytest.raises(UsageError, match="newer rtm-batch"):
        Journal.open(path)


def test_a_journal_of_schema_2_gains_the_images_column_and_keeps_its_rows(path: Path) -> None:
    """Issue 20: migration 3 adds the before/after images undo reads; a row from before it has none."""
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(
            "CREATE TABLE jobs (key TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, ids TEXT NOT NULL,"
            " message TEXT NOT NULL, error_code INTEGER, tracking_id TEXT, attempts INTEGER NOT NULL,"
            " updated_at REAL NOT NULL, changes TEXT NOT NULL DEFAULT '[]', fingerprint TEXT) WITHOUT ROWID;"
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, pid INTEGER NOT NULL);"
            f"PRAGMA application_id = {journal_module.APPLICATION_ID}; PRAGMA user_version = 2;"
            "INSERT INTO jobs VALUES ('customer:A', 'customer', 'created', '{}', '', NULL, NULL, 1, 1.0, '[]', NULL);"
        )
    updated = Outcome("updated", {"subscriber_id": "S"}, before={"packages": ["a"]}, after={"packages": ["b"]})
    with Journal.open(path) as journal:
        journal.record("subscriber:u@x.fi", Kind.SUBSCRIBER, updated)
        journal.flush()
        entries = {e.key: e for e in journal.entries()}
        assert entries["customer:A"].images is None
        assert entries["subscriber:u@x.fi"].images == {"before": {"packages": ["a"]}, "after": {"packages": ["b"]}}
        journal.mark("subscriber:u@x.fi", "undone", "restored")
        assert "subscriber:u@x.fi" not in journal.done()  # a later run does it again
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def test_a_flush_in_a_worker_thread_loses_nothing_and_keeps_the_order(path: Path) -> None:
    """Issue 22: the runner commits in a worker thread while the event loop records more. Rows recorded
    during a write wait for the next one; a key recorded again (a retried job) ends with its later outcome,
    even when the earlier one is still being written by the thread."""
    import threading

    with Journal.open(path, buffered=True) as journal:
        for i in range(3000):
            journal.record(f"subscriber:{i}@x.fi", Kind.SUBSCRIBER, Outcome("exists", {"subscriber_id": f"S{i}"}))
        journal.record("roles:a@x.fi", Kind.ROLES, Outcome("failed", message="first try"))
        rows = journal.take_pending()
        writer = threading.Thread(target=journal.write, args=(rows,))
        writer.start()
        for i in range(3000, 4000):  # recorded while the thread writes
            journal.record(f"subscriber:{i}@x.fi", Kind.SUBSCRIBER, Outcome("exists", {"subscriber_id": f"S{i}"}))
        journal.record("roles:a@x.fi", Kind.ROLES, Outcome("created", {"person_id": "P1"}))
        journal.flush()  # waits for the thread's write, then commits its own rows after it
        writer.join()
    with Journal.open(path) as journal:
        done = journal.done()
    assert len([k for k in done if k.startswith("subscriber:")]) == 4000
    assert done["roles:a@x.fi"] == Outcome("created", {"person_id": "P1"})


def test_rows_the_group_commit_took_are_committed_even_when_the_run_ends_that_moment(tmp_path: Path) -> None:
    """The run's periodic commit (``session._flush_every``) is cancelled when the jobs end or a stop comes. anyio
    checks for a cancellation as a thread call starts: when it came between taking the queued rows and their
    commit, those rows were lost (the fold's read-back raised ``KeyError``; ``undo`` would not see the objects)."""
    import io

    import anyio

    from batch.run.progress import JsonLog
    from batch.run.session import _flush_every

    path = tmp_path / "journal.sqlite"

    async def end_as_rows_are_taken(journal: Journal) -> None:
        async with anyio.create_task_group() as tg:
            take = journal.take_pending

            def taken() -> list[tuple[object, ...]]:
                rows = take()
                if rows:
                    tg.cancel_scope.cancel()  # the jobs end right now
                return rows

            journal.take_pending = taken  # type: ignore[method-assign]
            tg.start_soon(_flush_every, 0.0, journal, JsonLog(io.StringIO()))

    with Journal.open(path, buffered=True) as journal:
        journal.record("customer:A", Kind.CUSTOMER, Outcome("created", {"customer_id": "C1"}))
        anyio.run(end_as_rows_are_taken, journal)
        del journal.take_pending  # as the class has it: nothing queued is left for the closing flush
        assert journal.take_pending() == []
    with Journal.open(path) as journal:
        assert journal.done()["customer:A"] == Outcome("created", {"customer_id": "C1"})
