"""An emulator in its own process for benchmarks: the client's CPU figures must not include the server's."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batch.emulator import EmulatorConfig

#: The bearer token of every benchmark's emulator.
TOKEN = "emulator-token"


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


@dataclass(frozen=True)
class ServedEmulator:
    """The served emulator of the run benchmarks (bench_run, bench_sync): one set of options and one way to
    start it, so their figures stay comparable (same token, limit, burst, latency, provisioning time)."""

    rate: float = 200.0
    burst: int = 20
    latency_ms: float = 20.0
    #: Webex's five minutes of provisioning (the emulator's default), 150 times faster: 2 s of the run.
    provisioning_seconds: float = 300.0
    speed: float = 150.0

    @staticmethod
    def add_options(parser: argparse.ArgumentParser) -> None:
        """``--rate --burst --latency-ms --provisioning-seconds --speed`` (read back as ``args.rate`` …)."""
        parser.add_argument("--rate", type=float, default=ServedEmulator.rate, help="server limit, requests/s")
        parser.add_argument("--burst", type=int, default=ServedEmulator.burst)
        parser.add_argument("--latency-ms", type=float, default=ServedEmulator.latency_ms)
        parser.add_argument("--provisioning-seconds", type=float, default=ServedEmulator.provisioning_seconds)
        parser.add_argument("--speed", type=float, default=ServedEmulator.speed, help="emulator seconds per second")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ServedEmulator:
        return cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(cls)})

    def serve(self) -> contextlib.AbstractContextManager[tuple[str, int]]:
        """(base URL, pid) of an emulator with these limits in its own process (``server_process``)."""
        return server_process(token=TOKEN, **dataclasses.asdict(self))


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
