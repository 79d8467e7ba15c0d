"""Undo's reports, in the run's form, in ``OUT/undo/`` (the run's own reports stay as they were).

``results.csv`` has the run's columns (contract §3), one line per journal row undo reversed or named, newest
first, with an empty ``row`` (undo works from the journal, not from input rows); ``summary.json`` has the
counts per sheet and status, the API figures and the exit code, as a run's (0 when every line is
``undone`` or, with ``--dry-run``, ``planned``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from batch.jobs import RowResult
from batch.report.cells import neutralize_frame
from batch.report.outfolder.atomic import write_atomic
from batch.report.summary import build_summary
from batch.report.writer import RESULT_COLUMNS
from batch.report.xlsx import ID_COLUMNS

FOLDER = "undo"
_INTS = ("row", "http_status", "error_code", "attempts")


@dataclass(frozen=True, slots=True)
class UndoPaths:
    out_dir: Path
    results_csv: Path
    summary_json: Path


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    """What undo did (a line per journal row it reversed or named) and where it wrote it."""

    results: tuple[RowResult, ...]
    summary: Mapping[str, Any]
    paths: UndoPaths

    @property
    def exit_code(self) -> int:
        return int(self.summary["exit_code"])


def write_undo_reports(
    out_dir: Path,
    results: Sequence[RowResult],
    api: Mapping[str, Any],
    started: datetime,
    wall_seconds: float,
    base_url: str,
) -> UndoOutcome:
    """Write ``OUT/undo/results.csv`` and ``summary.json``; the outcome the CLI prints."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    summary = build_summary(
        results, api=api, wall_seconds=wall_seconds, started=started, command="undo", base_url=base_url
    )
    schema = {name: pl.Int64 if name in _INTS else pl.String for name in RESULT_COLUMNS}
    frame = pl.DataFrame([_record(r) for r in results], schema=schema, orient="row")
    csv_path = write_atomic(folder / "results.csv", lambda p: neutralize_frame(frame).write_csv(p, include_bom=True))
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    json_path = write_atomic(folder / "summary.json", lambda p: p.write_text(text, encoding="utf-8"))
    return UndoOutcome(tuple(results), summary, UndoPaths(folder, csv_path, json_path))


def _record(result: RowResult) -> tuple[str | int | None, ...]:
    ids = result.ids or {}
    return (
        result.sheet,
        result.row,
        result.key or None,
        result.status or None,
        result.message or None,
        result.reason or None,
        result.http_status,
        result.changes or None,
        *(ids.get(name) or None for name in ID_COLUMNS),
        result.error_code,
        result.tracking_id or None,
        result.attempts,
    )
