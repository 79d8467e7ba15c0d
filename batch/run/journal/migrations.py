"""The journal's schema versions and the named step from each to the next (``PRAGMA user_version``).

Why named steps, not "add what is missing": a step says what changed and why, runs once, and the version
after it tells every later rtm-batch exactly what the file holds. Each step must work on any journal its
version allows, including ones an older rtm-batch wrote with optional parts missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    """One step: ``apply`` turns a journal of version ``to - 1`` into one of version ``to``."""

    to: int
    name: str
    apply: Callable[[sqlite3.Connection], None]


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}


def meta_and_changes(conn: sqlite3.Connection) -> None:
    """Version 1 journals from before the ``meta`` table (the target URL) and the ``changes`` column."""
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    if "changes" not in _columns(conn):
        conn.execute("ALTER TABLE jobs ADD COLUMN changes TEXT NOT NULL DEFAULT '[]'")


def fingerprint_column(conn: sqlite3.Connection) -> None:
    """The fingerprint of a job's fields gets a column of its own; it was hidden in the ids as ``_fp``."""
    if "fingerprint" not in _columns(conn):
        conn.execute("ALTER TABLE jobs ADD COLUMN fingerprint TEXT")
    conn.execute(
        "UPDATE jobs SET fingerprint = json_extract(ids, '$._fp'), ids = json_remove(ids, '$._fp')"
        " WHERE json_type(ids, '$._fp') IS NOT NULL"
    )


def images_column(conn: sqlite3.Connection) -> None:
    """Issue 20 (undo): each job's before- and after-image (JSON ``{"before": …, "after": …}``), so ``rtm-batch
    undo`` can restore what an update changed and tell what was changed on the server since. Older rows keep
    NULL: undo names them as having no image and leaves them alone."""
    if "images" not in _columns(conn):
        conn.execute("ALTER TABLE jobs ADD COLUMN images TEXT")


#: Every step, oldest first. Version 1 is the first released schema (its optional parts are made whole again
#: by ``meta_and_changes``, which is why it runs on version 1 too).
MIGRATIONS = (
    Migration(1, "meta table and changes column", meta_and_changes),
    Migration(2, "fingerprint column (was ids._fp)", fingerprint_column),
    Migration(3, "images column (before/after images for undo)", images_column),
)
SCHEMA_VERSION = MIGRATIONS[-1].to


def migrate(conn: sqlite3.Connection, version: int) -> list[str]:
    """Bring a journal of ``version`` up to ``SCHEMA_VERSION`` in one transaction; the steps' names."""
    steps = [m for m in MIGRATIONS if m.to > version or m.to == version == 1]
    if not steps:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in steps:
            step.apply(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return [step.name for step in steps]
