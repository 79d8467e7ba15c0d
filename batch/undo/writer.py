"""What ``rtm-batch undo`` hands back, and where its reports go: ``OUT/undo/`` (the run's reports stay as they
were), written by the run's own writers (``batch.report.lines``), so an undo reads like a run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from batch.jobs import RowResult
from batch.report.writer import ReportPaths

FOLDER = "undo"


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    """What undo did (a line per journal row it reversed or named), where it wrote it, and the warnings of
    telling the world (history, notifications: never a failed undo)."""

    results: tuple[RowResult, ...]
    summary: Mapping[str, Any]
    paths: ReportPaths
    warnings: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return int(self.summary["exit_code"])
