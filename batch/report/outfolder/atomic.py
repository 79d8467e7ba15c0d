"""Every report is written whole or not at all (contract §3): to a temporary name beside it, then renamed.

A rename within one folder is atomic, so a reader (a person opening ``retry.xlsx``, ``rtm-batch report``
reading ``summary.json``) sees the previous file or the complete new one, never half of one, even when a
second Ctrl-C or a full disk ends the writing half-way. The temporary's name is fixed (``.results.csv.tmp``):
one run at a time writes into a folder (the journal's lock; ``validate`` refuses a folder a run holds), and a
leftover of a killed run is simply overwritten by the next.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def temporary_name(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place."""
    return path.with_name(f".{path.name}.tmp")


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """``write(temporary)``, then the temporary renamed to ``path``; the temporary is removed on failure."""
    temporary = temporary_name(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path
