"""Results put back beside their input rows: one ``RowResult`` per input row, in the input's order.

Results are matched to rows by (source, sheet, row): merged inputs repeat row numbers, so ``users,13`` of the
workbook and ``users,13`` of the CSV folder are told apart by the row's input (a result without a source, as
tests build them, is matched by row and key). So every report follows the *input* order whatever order the
runner finished jobs in. A row the runner gave no result is still listed (empty status, "no result was
recorded") rather than silently dropped.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import polars as pl

from batch.jobs import RowResult
from batch.load.inputs import ROW, SOURCE, LoadedBatch, SheetData
from schemas import SHEETS

NO_RESULT = "no result was recorded for this row; run again (the journal skips finished work)"


@dataclass(frozen=True, slots=True)
class AlignedSheet:
    """One input sheet with its results in input order: ``results[i]`` belongs to frame row ``i``;
    ``extra`` are results whose (sheet, row) matched no input row (listed after the rows, never lost)."""

    sheet: SheetData
    results: list[RowResult]
    extra: list[RowResult]


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
    if len(results) == sheet.frame.height:  # the usual case: the runner listed rows in input order
        named = zip(results, row_ids(sheet), strict=True)
        ordered = [_sourced(r, source) for r, (source, row) in named if (r.source or source, r.row) == (source, row)]
        if len(ordered) == len(results):
            return AlignedSheet(sheet, ordered, [])
    rows = row_ids(sheet)
    waiting: dict[tuple[str, int | None], deque[RowResult]] = defaultdict(deque)
    for result in results:
        waiting[(result.source, result.row)].append(result)
    keys = row_keys(sheet)
    ordered = []
    for (source, row), key in zip(rows, keys, strict=True):
        queue = waiting.get((source, row)) or waiting.get(("", row))
        missing = RowResult(sheet.name, row, key, "", NO_RESULT, source=source)
        ordered.append(_sourced(_take(queue, key), source) if queue else missing)
    extra = [r for queue in waiting.values() for r in queue]
    return AlignedSheet(sheet, ordered, extra)


def _sourced(result: RowResult, source: str) -> RowResult:
    """The result named by its row's input (results built without one take it from the row)."""
    return result if result.source == source else replace(result, source=source)


def _take(queue: deque[RowResult], key: str) -> RowResult:
    """The result for this row: the first with the row's key when merged inputs share a row number."""
    if len(queue) > 1:
        wanted = key.casefold()
        for i, result in enumerate(queue):
            if result.key.casefold() == wanted:
                del queue[i]
                return result
    return queue.popleft()


def row_ids(sheet: SheetData) -> Iterator[tuple[str, int]]:
    """Each row's (source, Excel row), what names it among merged inputs, one at a time: a list of every row's
    pair, made to check the results are in input order, was ~10 MiB for a moment at 100,000 users, over what the
    run's jobs had left room for (``bench.memory_phases``: the reports' peak above the jobs')."""
    frame = sheet.frame
    source = pl.col(SOURCE).fill_null("") if SOURCE in frame.columns else pl.lit("").alias(SOURCE)
    return frame.select(source, pl.col(ROW)).iter_rows()


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
