"""Stopping a run early and cleanly: on SIGINT/SIGTERM, or when the server keeps failing (contract §2, §4: 3).

A stop means: no request gets a rate slot any more (the closed ``RateLimiter`` raises ``RunStopped`` in the job
that asked, so the job ends without an outcome and is not journalled), requests already on the wire get
``GRACE_SECONDS`` to come back, then whatever still runs is abandoned. The runner then flushes the journal,
writes the reports for what is known and leaves the run "unfinished" in the journal, so the same command
resumes it and reports this run's work as created.

Why a limiter wrapper: every request already passes the limiter, so that is the one place where "no new
requests" can be enforced without touching the client's retry loop or the actions.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio

from batch.errors import RunStopped

#: How long requests in flight may take to come back after a stop before they are abandoned.
GRACE_SECONDS = 5.0
RESUME_HINT = "run the same command to resume"


class StopControl:
    """The one place a stop is asked for and read from; the first reason wins."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.abandoned = False
        self._event: anyio.Event | None = None
        self._abandon: anyio.Event | None = None

    @property
    def stopped(self) -> bool:
        return self.reason is not None

    def event(self) -> anyio.Event:
        """Set once a stop is asked for (created inside the event loop that waits on it)."""
        if self._event is None:
            self._event = anyio.Event()
            if self.reason is not None:
                self._event.set()
        return self._event

    def abandon_event(self) -> anyio.Event:
        if self._abandon is None:
            self._abandon = anyio.Event()
            if self.abandoned:
                self._abandon.set()
        return self._abandon

    def request(self, reason: str) -> None:
        """Ask for a stop; asked again (a second Ctrl-C), stop waiting for requests on the wire."""
        if self.reason is not None:
            self.abandoned = True
            if self._abandon is not None:
                self._abandon.set()
            return
        self.reason = reason
        if self._event is not None:
            self._event.set()


async def watch_signals(on_signal: Callable[[str], None]) -> None:
    """SIGINT and SIGTERM (what Ctrl-C, cron, systemd and CI send) both ask for the same clean stop; a
    second one abandons the grace period (``StopControl.request`` asked twice). Without a main thread (a
    test's worker thread) there is nothing to watch."""
    if threading.current_thread() is not threading.main_thread():
        return
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            on_signal(f"{signal.Signals(signum).name} received")


async def abandon_after_grace(stop: StopControl, scope: anyio.CancelScope, grace: float = GRACE_SECONDS) -> None:
    """Once a stop is asked for, give requests on the wire ``grace`` seconds, then cancel ``scope``."""
    await stop.event().wait()
    with anyio.move_on_after(grace):
        await stop.abandon_event().wait()
    scope.cancel()


def not_reached(reason: str) -> str:
    """The message of a row the stopped run never got to."""
    return f"not reached: the run stopped ({reason}); {RESUME_HINT}"


def mark_stopped(summary: dict[str, Any], reason: str | None) -> None:
    """summary.json: ``interrupted`` always; a stopped run's exit code is 3 and its reason is kept."""
    summary["interrupted"] = reason is not None
    if reason is not None:
        summary["stopped"] = reason
        summary["exit_code"] = RunStopped.exit_code


def stop_line(results: Sequence[Any], not_reached_message: str, reason: str | None) -> str:
    """The one line a stopped run ends with: how far it got and how to go on."""
    if reason is None:
        return ""
    done = sum(1 for r in results if r.message != not_reached_message)
    return f"stopped after {done} of {len(results)} rows ({reason}); {RESUME_HINT}"


@contextmanager
def stop_while_reporting(out_dir: Path, stopped: str | None) -> Iterator[None]:
    """SIGINT/SIGTERM after the jobs ended, while the rows are folded and the reports written: one true line
    and exit 3 (``RunStopped``), not the entry point's "stopped before the run got going".

    The event loop's signal receiver is gone by then, so this handler takes over for the block. The stop
    is obeyed at once (a partner pressing Ctrl-C means it); the journal's run is marked finished only
    after the reports, so the same command resumes: it takes every finished job from the journal (no write
    is sent again), reports this run's work as this run's (created, updated) and writes the reports."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: object) -> None:
        raise RunStopped(reporting_stopped(signal.Signals(signum).name, out_dir, stopped))

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def reporting_stopped(name: str, out_dir: Path, stopped: str | None) -> str:
    """The line of a stop that came while the reports were being written."""
    before = f"after the run had stopped ({stopped})" if stopped else "after every job of the run had ended"
    return (
        f"stopped while writing the reports ({name} received), {before}: the reports in {out_dir} are incomplete; "
        f"{RESUME_HINT} and write them"
    )
