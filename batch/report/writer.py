"""The run reports (contract §3): ``results.csv``, ``results.xlsx``, ``retry/`` and ``summary.json``.

Every report is written from two inputs: the loaded batch (the rows as the partner gave them, with their
Excel row numbers and original header spellings) and one ``RowResult`` per input row, aligned to the input
rows by ``batch.report.aligned``; a row with no result lands in ``retry/``.

Cells go through ``batch.report.cells`` against formula injection in every CSV and workbook written here.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from batch.jobs import RowResult
from batch.load.inputs import LoadedBatch
from batch.report.aligned import AlignedSheet, align_results
from batch.report.cells import neutralize_frame
from batch.report.outfolder.atomic import write_atomic
from batch.report.retry import write_retry
from batch.report.xlsx import ID_COLUMNS, write_results_xlsx

RESULT_COLUMNS = (
    "sheet",
    "row",
    "key",
    "status",
    "message",
    "reason",
    "http_status",
    "changes",
    "customer_id",
    "org_id",
    "location_id",
    "subscriber_id",
    "person_id",
    "error_code",
    "tracking_id",
    "attempts",
)

_INTS = ("row", "http_status", "error_code", "attempts")
_CSV_SCHEMA = {name: pl.Int64 if name in _INTS else pl.String for name in RESULT_COLUMNS}


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """Where the reports went; ``retry_dir`` is None when every row succeeded (no retry folder)."""

    out_dir: Path
    results_csv: Path
    results_xlsx: Path
    summary_json: Path
    retry_dir: Path | None


def write_reports(
    out_dir: Path, loaded: LoadedBatch, results: Sequence[RowResult], summary: Mapping[str, Any]
) -> ReportPaths:
    """Write every run report into ``out_dir`` (created if needed) and say where they are.

    ``retry/`` is written only when some row needs another run; when every row succeeded, a ``retry/``
    left by an earlier run into the same folder is removed, so what is there is always this run's.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    aligned = align_results(loaded, results)
    merged = loaded.merged
    results_csv = write_atomic(out_dir / "results.csv", lambda p: write_results_csv(aligned, p, merged=merged))
    results_xlsx = write_atomic(
        out_dir / "results.xlsx", lambda p: write_results_xlsx(aligned, summary, p, merged=merged)
    )
    retry_dir = write_retry(aligned, out_dir / "retry", loaded.inputs, loaded.csv_forms, loaded.exported)
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    summary_json = write_atomic(out_dir / "summary.json", lambda p: p.write_text(text, encoding="utf-8"))
    return ReportPaths(out_dir, results_csv, results_xlsx, summary_json, retry_dir)


#: results.csv is made this many rows at a time: a frame of every row (and its Python tuples) is never whole.
CSV_ROWS_PER_SLICE = 10_000


def write_results_csv(aligned: Sequence[AlignedSheet], path: Path, *, merged: bool = False) -> Path:
    """One line per input row in input order; UTF-8 with BOM so Excel shows ä/ö; cells neutralized. With
    ``merged`` inputs a first column ``source`` names each row's input (row numbers repeat across inputs).
    Written ``CSV_ROWS_PER_SLICE`` rows at a time (quoting is decided cell by cell, so the file is the same)."""
    results = (r for part in aligned for r in (*part.results, *part.extra))
    with path.open("wb") as out:
        first = True  # the header (and BOM) once, also when there are no rows
        while (rows := list(itertools.islice(results, CSV_ROWS_PER_SLICE))) or first:
            frame = results_frame(rows)
            if merged:
                frame = frame.select(pl.Series("source", [r.source or None for r in rows], dtype=pl.String), pl.all())
            neutralize_frame(frame).write_csv(out, include_bom=first, include_header=first)
            first = False
    return path


def results_frame(results: Sequence[RowResult]) -> pl.DataFrame:
    """``results.csv``'s columns (contract §3), one line per result in the order given (not yet neutralized):
    the run lists them in input order, ``rtm-batch undo`` in the order it reversed them."""
    return pl.DataFrame([_csv_record(r) for r in results], schema=_CSV_SCHEMA, orient="row")


def _csv_record(result: RowResult) -> tuple[str | int | None, ...]:
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
