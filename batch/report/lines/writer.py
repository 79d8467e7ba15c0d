"""The run's reports for results that stand for no input row: ``rtm-batch undo``'s lines, one per journal job.

Why here and not in ``batch.undo``: a partner reads an undo with the same eyes (and tools, and formula-injection
guard) as a run, so these are the run's own writers (``results_frame``, ``write_results_xlsx``,
``write_report_page``) given lines instead of input rows. ``results.csv`` keeps the lines in the order given;
``results.xlsx`` has a sheet per sheet with each line's ``key`` as its one input column. No ``retry/``: a line
undo left is a server object someone changed (or Webex blocked), not an input cell to correct.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from batch.history.records import RunRecord
from batch.jobs import RowResult
from batch.load.inputs import ROW, SheetData
from batch.report.aligned import AlignedSheet
from batch.report.cells import neutralize_frame
from batch.report.outfolder.atomic import write_atomic
from batch.report.page.html import write_report_page
from batch.report.writer import ReportPaths, results_frame
from batch.report.xlsx import write_results_xlsx
from schemas import SHEETS


def write_line_reports(
    folder: Path, results: Sequence[RowResult], summary: Mapping[str, Any], past_runs: Sequence[RunRecord] = ()
) -> ReportPaths:
    """results.csv, results.xlsx, summary.json and report.html in ``folder``, each whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = neutralize_frame(results_frame(results))
    csv_path = write_atomic(folder / "results.csv", lambda p: frame.write_csv(p, include_bom=True))
    xlsx_path = write_atomic(folder / "results.xlsx", lambda p: write_results_xlsx(by_sheet(results), summary, p))
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    json_path = write_atomic(folder / "summary.json", lambda p: p.write_text(text, encoding="utf-8"))
    write_report_page(folder, summary, past_runs)  # reads the results.csv just written, as for a run
    return ReportPaths(folder, csv_path, xlsx_path, json_path, None)


def by_sheet(results: Sequence[RowResult]) -> list[AlignedSheet]:
    """The lines per sheet (contract order), each on its own row beside its ``key``: the workbook's sheets."""
    grouped: dict[str, list[RowResult]] = {}
    for result in results:
        grouped.setdefault(result.sheet, []).append(result)
    order = [name for name in SHEETS if name in grouped] + sorted(set(grouped) - set(SHEETS))
    parts = []
    for name in order:
        lines = grouped[name]
        frame = pl.DataFrame(
            {"key": [r.key for r in lines], ROW: list(range(2, len(lines) + 2))},
            schema={"key": pl.String, ROW: pl.Int64},
        )
        parts.append(AlignedSheet(SheetData(name, frame, {"key": "key"}), lines, []))
    return parts
