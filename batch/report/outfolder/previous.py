"""Nothing a run wrote is ever lost (contract §3): a command that writes reports into a folder holding an earlier
command's reports first moves those under ``OUT/previous/<run id>/`` and says so in one line.

Why move, not refuse: the natural fix-and-rerun is ``rtm-batch run out/r1/retry --out out/r1``, and re-running a
stopped run with the same command must keep working. The inputs are read before anything moves (the caller loads
first), so an input inside the folder (its ``retry/``) is never lost either. The journal stays where it is: it is
the run's memory, not a report.

A folder whose journal a running run holds is not written at all (``refuse_if_running``): ``validate --out`` into
it would otherwise replace that run's ``validation.*`` under its feet.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from batch.errors import JournalLockedError

#: What the commands write into ``--out`` (report.html and the prune backup too); the journal is not moved.
REPORTS = (
    "validation.csv",
    "validation.xlsx",
    "results.csv",
    "results.xlsx",
    "summary.json",
    "retry",
    "report.html",
    "backup-before-prune.xlsx",
)
PREVIOUS = "previous"
#: The lock file of the default journal (``batch.run.options.JOURNAL_NAME`` + ``.lock``, see the journal's store).
JOURNAL_LOCK = "journal.sqlite.lock"


def keep_previous(out_dir: Path) -> str | None:
    """Move the earlier reports in ``out_dir`` to ``previous/<run id>/``; the line saying so, or None when the
    folder held none."""
    found = [out_dir / name for name in REPORTS if (out_dir / name).exists() or (out_dir / name).is_symlink()]
    if not found:
        return None
    run_id = _run_id(out_dir, found)
    target = out_dir / PREVIOUS / run_id
    n = 1
    while target.exists():
        n += 1
        target = out_dir / PREVIOUS / f"{run_id}-{n}"
    target.mkdir(parents=True)
    for path in found:
        os.replace(path, target / path.name)
    names = ", ".join(p.name + ("/" if (target / p.name).is_dir() else "") for p in found)
    return f"the earlier reports in {out_dir} ({names}) were moved to {target}, not replaced"


def refuse_if_running(out_dir: Path) -> None:
    """``JournalLockedError`` when a run holds the journal in ``out_dir``: its reports are being written."""
    lock = out_dir / JOURNAL_LOCK
    if not lock.is_file():
        return
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _pid(fd)
        who = f" (pid {holder})" if holder else ""
        raise JournalLockedError(
            f"{out_dir}: a run is writing its reports there{who}; wait for it to finish, or give another --out"
        ) from None
    finally:
        os.close(fd)  # closing drops the shared lock taken to look


def _run_id(out_dir: Path, found: list[Path]) -> str:
    """The earlier run's id from its summary.json, else the time its newest report was written."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
        if isinstance(summary.get("run_id"), str) and summary["run_id"].isalnum():
            return str(summary["run_id"])
    newest = max((p.lstat().st_mtime for p in found), default=0.0)
    return datetime.fromtimestamp(newest, UTC).strftime("%Y%m%dT%H%M%SZ")


def _pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None
