"""Every report is written whole or not at all (contract §3): to a temporary name beside it, then renamed.

A rename within one folder is atomic, so a reader (a person opening ``retry.xlsx``, ``rtm-batch report``
reading ``summary.json``) sees the previous file or the complete new one, never half of one, even when a
second Ctrl-C or a full disk ends the writing half-way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """``write(temporary)``, then the temporary renamed to ``path``; the temporary is removed on failure."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path
