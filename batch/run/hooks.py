"""What the runner tells whoever watches a run from outside (history, notifications, heartbeat, metrics).

A typed hook, not a dozen optional parameters (stamina's instrumentation): the runner knows when a run's
reports are written and hands over the summary and where the files are; what is done with them
(``batch.notify.watch.RunWatch``) is wired by the CLI and tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from batch.history.records import RunRecord
from batch.report.writer import ReportPaths


class RunWatcher(Protocol):
    """The run's outside observers."""

    @property
    def run_id(self) -> str:
        """The run's id, chosen before the run starts so an early failure is told under the same id."""
        ...

    def past_runs(self) -> Sequence[RunRecord]:
        """Earlier runs of the same job, newest first, for report.html's trend."""
        ...

    def finished(self, summary: Mapping[str, Any], paths: ReportPaths) -> tuple[str, ...]:
        """The reports are written: record, notify, ping. Returns warning lines (already shown)."""
        ...
