"""The run reports (contract §3): ``results.csv``, ``results.xlsx``, ``retry/`` and ``summary.json``,
plus the summary printed at the end of a run.

Every report is written from two inputs: the loaded batch (the rows as the partner gave them, with their
Excel row numbers and original header spellings) and one ``RowResult`` per input row. Results are put
back beside their input row by (sheet, row) — and by key when several merged inputs share a row number —
so the reports follow the *input* order whatever order the runner finished jobs in. A row the runner
gave no result is still listed (empty status, "no result was recorded") rather than silently dropped,
and lands in ``retry/``.

Cells go through ``batch.cells`` against formula injection in every CSV and workbook written here.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from batch.cells import neutralize_frame
from batch.jobs import STATUSES, RowResult
from batch.load import ROW, LoadedBatch, SheetData
from batch.report_retry import DONE, write_retry
from batch.report_xlsx import ID_COLUMNS, write_results_xlsx
from schemas import SHEETS

RESULT_COLUMNS = (
    "sheet",
    "row",
    "key",
    "status",
    "message",
    "customer_id",
    "org_id",
    "location_id",
    "subscriber_id",
    "person_id",
    "error_code",
    "tracking_id",
    "attempts",
)
NO_RESULT = "no result was recorded for this row; run again (the journal skips finished work)"

_INTS = ("row", "error_code", "attempts")
_CSV_SCHEMA = {name: pl.Int64 if name in _INTS else pl.String for name in RESULT_COLUMNS}


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """Where the reports went; ``retry_dir`` is None when every row succeeded (no retry folder)."""

    out_dir: Path
    results_csv: Path
    results_xlsx: Path
    summary_json: Path
    retry_dir: Path | None


@dataclass(frozen=True, slots=True)
class AlignedSheet:
    """One input sheet with its results in input order: ``results[i]`` belongs to frame row ``i``;
    ``extra`` are results whose (sheet, row) matched no input row (listed after the rows, never lost)."""

    sheet: SheetData
    results: list[RowResult]
    extra: list[RowResult]


# -- public API -------------------------------------------------------------------------------------


def write_reports(out_dir: Path, loaded: LoadedBatch, results: Sequence[RowResult], summary: Mapping) -> ReportPaths:
    """Write every run report into ``out_dir`` (created if needed) and say where they are.

    ``retry/`` is written only when some row needs another run; when every row succeeded, a ``retry/``
    left by an earlier run into the same folder is removed, so what is there is always this run's.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    aligned = align_results(loaded, results)
    results_csv = write_results_csv(aligned, out_dir / "results.csv")
    results_xlsx = write_results_xlsx(aligned, summary, out_dir / "results.xlsx")
    retry_dir = write_retry(aligned, out_dir / "retry")
    summary_json = out_dir / "summary.json"
    summary_json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return ReportPaths(out_dir, results_csv, results_xlsx, summary_json, retry_dir)


def build_summary(
    results: Sequence[RowResult],
    *,
    api: Mapping[str, float | int],
    wall_seconds: float,
    started: datetime,
    command: str,
) -> dict[str, Any]:
    """``summary.json``'s content: counts per sheet × status, totals, API figures, timing, exit code.

    ``api`` holds the client's figures (requests, retries, throttled, ambiguous); ``achieved_rate`` is
    requests per wall second unless given. ``finished`` is ``started + wall_seconds`` so the two figures
    never disagree. Exit code per contract §4: 0 when every row is created, exists or planned.
    """
    per_sheet: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        per_sheet[result.sheet][result.status] += 1
    order = [name for name in SHEETS if name in per_sheet] + sorted(set(per_sheet) - set(SHEETS))
    sheets = {name: _status_counts(per_sheet[name]) for name in order}
    totals = _status_counts(sum(per_sheet.values(), Counter()))
    retry_rows = sum(1 for r in results if r.status not in DONE)
    requests = int(api.get("requests", 0))
    achieved = api.get("achieved_rate")
    if achieved is None:
        achieved = requests / wall_seconds if wall_seconds > 0 else 0.0
    return {
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "finished": (started + timedelta(seconds=wall_seconds)).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "exit_code": 1 if retry_rows else 0,
        "rows": len(results),
        "retry_rows": retry_rows,
        "sheets": sheets,
        "totals": totals,
        "api": {
            "requests": requests,
            "retries": int(api.get("retries", 0)),
            "throttled": int(api.get("throttled", 0)),
            "ambiguous": int(api.get("ambiguous", 0)),
            "achieved_rate": round(float(achieved), 2),
        },
    }


def print_summary(console: Console, summary: Mapping, paths: ReportPaths) -> None:
    """A compact table of rows per sheet × status, the API figures and where the reports are."""
    totals = summary.get("totals", {})
    shown = [s for s in STATUSES if totals.get(s)] or [STATUSES[0]]
    table = Table(title="Results", show_edge=False, title_justify="left")
    table.add_column("sheet")
    for name in ("rows", *shown):
        table.add_column(name, justify="right")
    for sheet, counts in summary.get("sheets", {}).items():
        table.add_row(sheet, str(counts.get("rows", 0)), *(str(counts.get(s, 0)) for s in shown))
    table.add_row("total", str(totals.get("rows", 0)), *(str(totals.get(s, 0)) for s in shown), style="bold")
    console.print(table)
    api = summary.get("api", {})
    console.print(
        f"API: {api.get('requests', 0)} requests, {api.get('retries', 0)} retries, "
        f"{api.get('throttled', 0)} throttled (429), {api.get('ambiguous', 0)} ambiguous; "
        f"{api.get('achieved_rate', 0)} requests/s over {summary.get('wall_seconds', 0)} s"
    )
    console.print(f"Reports: {paths.results_csv}, {paths.results_xlsx}, {paths.summary_json}")
    if paths.retry_dir is not None:
        console.print(f"Retry: {summary.get('retry_rows', 0)} rows to correct and run again in {paths.retry_dir}")


# -- results.csv ------------------------------------------------------------------------------------


def write_results_csv(aligned: Sequence[AlignedSheet], path: Path) -> Path:
    """One line per input row in input order; UTF-8 with BOM so Excel shows ä/ö; cells neutralized."""
    records = [_csv_record(r) for part in aligned for r in (*part.results, *part.extra)]
    frame = pl.DataFrame(records, schema=_CSV_SCHEMA, orient="row")
    neutralize_frame(frame).write_csv(path, include_bom=True)
    return path


def _csv_record(result: RowResult) -> tuple:
    ids = result.ids or {}
    return (
        result.sheet,
        result.row,
        result.key or None,
        result.status or None,
        result.message or None,
        *(ids.get(name) or None for name in ID_COLUMNS),
        result.error_code,
        result.tracking_id or None,
        result.attempts,
    )


# -- putting results beside their rows -------------------------------------------------------------


def align_results(loaded: LoadedBatch, results: Sequence[RowResult]) -> list[AlignedSheet]:
    """Every sheet (contract order) with one result per input row, in the loaded frame's order."""
    by_sheet: dict[str, list[RowResult]] = defaultdict(list)
    for result in results:
        by_sheet[result.sheet].append(result)
    order = [name for name in SHEETS if name in loaded.sheets]
    order += [name for name in loaded.sheets if name not in order]
    aligned = [_align_sheet(loaded.sheets[name], by_sheet.pop(name, [])) for name in order]
    for name, rest in by_sheet.items():  # results for a sheet the batch does not hold: keep them visible
        aligned.append(AlignedSheet(SheetData(name, pl.DataFrame({ROW: []}, schema={ROW: pl.Int64})), [], rest))
    return aligned


def _align_sheet(sheet: SheetData, results: list[RowResult]) -> AlignedSheet:
    rows = sheet.frame[ROW].to_list() if sheet.frame.height else []
    if [r.row for r in results] == rows:  # the usual case: the runner listed rows in input order
        return AlignedSheet(sheet, results, [])
    waiting: dict[int, deque[RowResult]] = defaultdict(deque)
    for result in results:
        waiting[result.row].append(result)
    keys = row_keys(sheet)
    ordered = []
    for row, key in zip(rows, keys, strict=True):
        queue = waiting.get(row)
        ordered.append(_take(queue, key) if queue else RowResult(sheet.name, row, key, "", NO_RESULT))
    extra = [r for queue in waiting.values() for r in queue]
    return AlignedSheet(sheet, ordered, extra)


def _take(queue: deque[RowResult], key: str) -> RowResult:
    """The result for this row: the first with the row's key when merged inputs share a row number."""
    if len(queue) > 1:
        wanted = key.casefold()
        for i, result in enumerate(queue):
            if result.key.casefold() == wanted:
                del queue[i]
                return result
    return queue.popleft()


def row_keys(sheet: SheetData) -> list[str]:
    """Each row's key as results.csv names it (contract §3), from the input cells."""
    frame = sheet.frame
    if not frame.height:
        return []
    if sheet.name not in KEY_COLUMNS:
        return [""] * frame.height
    return frame.select(key_expr(sheet.name))["key"].to_list()


#: Contract §3: a row's key is its external_id, customer_external_id/location_name, or email.
KEY_COLUMNS = {
    "templates": ("template",),
    "customers": ("external_id",),
    "locations": ("customer_external_id", "location_name"),
    "users": ("email",),
}


def key_expr(sheet: str) -> pl.Expr:
    """The ``key`` column of a sheet's frame (blank cells as empty text)."""
    return pl.concat_str([pl.col(c).fill_null("") for c in KEY_COLUMNS[sheet]], separator="/").alias("key")


def _status_counts(counts: Counter[str]) -> dict[str, int]:
    """Every status (zeros too, so readers need no defaults), any unexpected status after, and rows."""
    out = {status: counts.get(status, 0) for status in STATUSES}
    out |= {status: n for status, n in sorted(counts.items()) if status not in out}
    out["rows"] = sum(counts.values())
    return out
