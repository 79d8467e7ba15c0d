"""The ``--out`` folder checked before any work: a file in its place or a folder that cannot be written is
one line and exit 2 (contract §4), not a traceback half-way through writing the reports."""

from __future__ import annotations

import os
from pathlib import Path

from batch.errors import UsageError


def check_out_dir(path: Path) -> Path:
    """``path`` as a folder the reports can go into, created if missing; ``UsageError`` when it cannot be."""
    for parent in (path, *path.parents):
        if parent.exists() and not parent.is_dir():
            if parent == path:
                raise UsageError(f"{path}: --out names a file, not a folder; name a folder for the reports")
            raise UsageError(f"{path}: cannot be the --out folder, {parent} is a file (not a folder); name another")
        if parent.exists():
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{path}: cannot create the --out folder ({exc.strerror or exc}); name another") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: the --out folder is not writable; name another or fix its permissions")
    return path
