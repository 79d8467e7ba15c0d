"""``rtm-batch demo``: the whole pipeline on ``samples/`` against an in-process emulator, in well under a minute."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from batch.emulator import EmulatorConfig
from batch.emulator.server import running_emulator
from batch.errors import UsageError
from batch.run.journal.lock import lock_path
from batch.run.runner import RunOptions, RunOutcome, run_batch

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "onboarding.xlsx"

#: A server that behaves like a busy real one, scaled down: paced, a little slow, and Webex's five minutes of
#: provisioning (the emulator's default) passing 150 times faster: 2 s.
DEMO_SERVER = EmulatorConfig(rate=100.0, burst=20, latency_ms=5.0, speed=150.0)


def run_demo(out_dir: Path, console: Console, *, log_format: str = "auto") -> RunOutcome:
    """Start the emulator on a free loopback port, run the samples through ``run``, stop it."""
    if not SAMPLES.is_file():
        raise UsageError(f"demo needs the sample workbook {SAMPLES}; run it from a checkout of rtm-batch")
    journal = out_dir / "journal.sqlite"
    _forget(journal)  # a fresh emulator knows nothing of an earlier demo's journal
    with running_emulator(DEMO_SERVER) as base_url:
        console.print(f"Emulator at {base_url} (in-process; stops when the demo ends)", markup=False)
        options = RunOptions(
            out_dir=out_dir,
            base_url=base_url,
            token=DEMO_SERVER.token,
            journal=journal,
            concurrency=16,
            max_rate=90.0,
            log_format=log_format,
        )
        return run_batch([SAMPLES], options, console, command="demo")


def _forget(journal: Path) -> None:
    for path in (journal, Path(f"{journal}-wal"), Path(f"{journal}-shm"), lock_path(journal)):
        path.unlink(missing_ok=True)
