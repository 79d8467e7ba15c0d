"""The journal's lock: ``fcntl.flock`` on a sibling ``<name>.lock`` file, not SQLite's own locking, so the
kernel drops it when the holder dies however it dies (no stale lock after a crash) and a second run is told
which pid holds it instead of meeting ``database is locked`` mid-way."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from batch.errors import JournalLockedError, UsageError


def lock_path(path: Path) -> Path:
    """The sibling file whose flock guards a journal (``results/journal.sqlite`` → ``journal.sqlite.lock``)."""
    return path.with_name(path.name + ".lock")


def lock(path: Path) -> int:
    """Take the exclusive lock or say who holds it. The pid written inside is only for that message."""
    lock_file = lock_path(path)
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"cannot open the journal lock file {lock_file}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        who = f"pid {holder}" if holder else "another process"
        raise JournalLockedError(
            f"the journal {path} is used by another run ({who}); wait for that run to finish, "
            "or give this run another --journal file or --out folder"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None


def unlock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
