"""An emulator in its own process for benchmarks: the client's CPU figures must not include the server's."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from batch.emulator import EmulatorConfig


def _serve(settings: dict[str, Any], ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from batch.emulator.server import serve

    serve(EmulatorConfig(**settings), "127.0.0.1", 0, ready.put)


@contextlib.contextmanager
def server_process(**settings: Any) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of an emulator serving ``EmulatorConfig(**settings)`` in a spawned process, stopped on
    exit (plain settings, because a config's clock and mappings do not pickle)."""
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    process = context.Process(target=_serve, args=(settings, ready), daemon=True)
    process.start()
    try:
        yield ready.get(timeout=30), process.pid or 0
    finally:
        process.terminate()
        process.join(10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
