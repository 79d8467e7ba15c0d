"""The reports written piece by piece hold exactly what the whole-batch writers wrote (issue 22 item 2).

Why: results.xlsx's rows are now made and compressed ``ROWS_PER_CHUNK`` at a time, and results.csv is written
in slices, so a run's memory no longer holds a report whole; a partner must not see one byte of difference.
The reference is the earlier writer itself (kept below as it was), run on the same results.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from xlsxwriter.utility import xl_col_to_name

from batch.jobs import CREATED, EXISTS, FAILED, INVALID, PENDING, SKIPPED, UPDATED, RowResult
from batch.load.inputs import LoadedBatch, load_inputs
from batch.report import writer, xlsx
from batch.report.aligned import align_results, row_keys
from batch.report.page import details
from batch.report.summary import build_summary
from batch.report.workbook import rows
from bench.generate import make_batch, write_csv_folder

STATUSES = (CREATED, EXISTS, FAILED, INVALID, PENDING, SKIPPED, UPDATED)
NASTY = ('=HYPERLINK("http://evil.example")', "<b>bold</b> & \x01bell _x0041_ ünï\nline two  ", "+358 9 4245 1000", "")


def _results(loaded: LoadedBatch) -> list[RowResult]:
    """Every status, messages that need escaping or neutralizing, ids, changes; one result matching no row."""
    out = []
    for name, sheet in loaded.sheets.items():
        for i, (row, key) in enumerate(zip(sheet.frame["_row"], row_keys(sheet), strict=True)):
            status = STATUSES[i % len(STATUSES)]
            failed = status == FAILED
            out.append(
                RowResult(
                    name,
                    row,
                    key,
                    status,
                    message=NASTY[i % len(NASTY)],
                    ids={"subscriber_id": f"Y2lz-{i}"} if i % 3 else {},
                    error_code=4003 if failed else None,
                    tracking_id=f"ROUTER_{i}" if failed else None,
                    attempts=i % 4,
                    changes="package: a → b" if status == UPDATED else "",
                    reason="customer.provisioning_error" if failed else "",
                    http_status=400 if failed else None,
                )
            )
    out.append(RowResult("users", None, "gone@example.fi", "removed", "subscriber removed"))
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[LoadedBatch, list[RowResult]]:
    folder = tmp_path_factory.mktemp("streamed") / "batch"
    write_csv_folder(make_batch(3, 9, 900), folder)
    loaded = load_inputs([folder])
    return loaded, _results(loaded)


def _entries(path: Path) -> dict[str, bytes]:
    """Every part of a workbook but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


# -- the whole-sheet writer as it was before the rows were streamed (the reference) ------------------


def _whole_insert_rows(path: Path, sheets: Mapping[str, rows.Layout], styles: Mapping[str, int | None]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            layout = sheets.get(info.filename)
            if layout is not None:
                data = _whole_with_rows(data.decode("utf-8"), layout, styles).encode("utf-8")
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    tmp.replace(path)


def _whole_with_rows(xml: str, layout: rows.Layout, styles: Mapping[str, int | None]) -> str:
    last_col = xl_col_to_name(len(layout.names) - 1)
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_col}{layout.last_row}"/>', xml, count=1)
    head, tail = xml.split("</sheetData>", 1)
    cells = layout.cells_of(0, layout.height)  # every row's cells in one frame, as the earlier writer had them
    if not cells.height:
        return head + "</sheetData>" + tail
    style = pl.col("__status").replace_strict({k: str(v) for k, v in styles.items()}, default=str(styles[FAILED]))
    data = [c for c in cells.columns if not c.startswith("__")]
    parts = [rows._cell_xml(name, xl_col_to_name(i), cells.schema[name]) for i, name in enumerate(data)]
    opening = [pl.lit('<row r="'), pl.col("__r").cast(pl.String), pl.lit('" s="'), pl.col("__s")]
    row = pl.concat_str([*opening, pl.lit('" customFormat="1">'), *parts, pl.lit("</row>")])
    joined: str = cells.with_columns(__s=style).select(row.str.join("").alias("xml")).item()
    return head + joined + "</sheetData>" + tail


def _whole_results_csv(aligned: list, path: Path, *, merged: bool = False) -> Path:
    from batch.report.cells import neutralize_frame

    results = [r for part in aligned for r in (*part.results, *part.extra)]
    frame = writer.results_frame(results)
    if merged:
        sources = [r.source or None for r in results]
        frame = frame.select(pl.Series("source", sources, dtype=pl.String), pl.all())
    neutralize_frame(frame).write_csv(path, include_bom=True)
    return path


# -- the comparisons ----------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 7, 500, 10**9])
def test_results_xlsx_streamed_equals_the_whole_sheet_writer(
    batch: tuple[LoadedBatch, list[RowResult]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    loaded, results = batch
    aligned = align_results(loaded, results)
    summary = build_summary(
        results, api={"requests": 3}, wall_seconds=2.0, started=datetime(2026, 1, 1, tzinfo=UTC), command="run"
    )
    monkeypatch.setattr(rows, "ROWS_PER_CHUNK", chunk)
    streamed = xlsx.write_results_xlsx(aligned, summary, tmp_path / "streamed.xlsx")
    monkeypatch.setattr(xlsx, "insert_rows", _whole_insert_rows)
    whole = xlsx.write_results_xlsx(aligned, summary, tmp_path / "whole.xlsx")
    assert _entries(streamed) == _entries(whole)
    assert len(_entries(whole)["xl/worksheets/sheet5.xml"]) > 500_000  # the users sheet, with every row


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("chunk", [1, 333, 10**9])
def test_results_csv_in_slices_equals_the_one_frame_writer(
    batch: tuple[LoadedBatch, list[RowResult]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
    merged: bool,
) -> None:
    loaded, results = batch
    aligned = align_results(loaded, results)
    monkeypatch.setattr(writer, "CSV_ROWS_PER_SLICE", chunk)
    sliced = writer.write_results_csv(aligned, tmp_path / "sliced.csv", merged=merged)
    whole = _whole_results_csv(aligned, tmp_path / "whole.csv", merged=merged)
    assert sliced.read_bytes() == whole.read_bytes()
    assert sliced.read_bytes().startswith(b"\xef\xbb\xbf" + (b"source," if merged else b"sheet,"))


def _whole_read_details(out_dir: Path, summary: Mapping[str, object]) -> details.RunDetails:
    """report.html's details as they were read before: results.csv whole (polars), every column."""
    frame = pl.read_csv(out_dir / "results.csv", infer_schema=False, truncate_ragged_lines=True)
    names = (*details.COLUMNS, "pending_since", "age")
    frame = frame.with_columns(pl.lit("").alias(n) for n in names if n not in frame.columns)
    frame = frame.with_columns(pl.col(n).fill_null("") for n in names)
    status = pl.col("status")
    frame = frame.with_columns(pl.when(pl.col("reason") == "").then(status).otherwise(pl.col("reason")).alias("reason"))
    finished = details._time(summary.get("finished"))
    changed = status.is_in(details.CHANGED) | (pl.col("changes") != "")
    trouble = frame.filter(status.is_in(details.TROUBLE)).group_by("reason", "status").len()
    counted = trouble.sort(["len", "reason"], descending=[True, False])

    def listing(rows: pl.DataFrame, at: datetime | None = None) -> details.Listing:
        listed = []
        for record in rows.head(details.MAX_LISTED).iter_rows(named=True):
            age = record["age"] or details._age(record["pending_since"], at)
            listed.append(details.ListedRow(**{name: record[name] for name in details.COLUMNS}, age=age))
        return details.Listing(tuple(listed), max(0, rows.height - details.MAX_LISTED))

    return details.RunDetails(
        reasons=tuple(details.ReasonCount(r, s, n) for r, s, n in counted.iter_rows()),
        failures=listing(frame.filter(status == FAILED)),
        pending=listing(frame.filter(status == PENDING), finished),
        changes=listing(frame.filter(changed)),
    )


@pytest.mark.parametrize("merged", [False, True])
def test_report_page_details_read_from_the_rows_it_shows_equal_those_read_whole(
    batch: tuple[LoadedBatch, list[RowResult]], tmp_path: Path, merged: bool
) -> None:
    loaded, results = batch
    writer.write_results_csv(align_results(loaded, results), tmp_path / "results.csv", merged=merged)
    summary = {"finished": "2026-01-01T10:00:00+00:00"}
    found = details.read_details(tmp_path, summary)
    assert found == _whole_read_details(tmp_path, summary)
    assert found.failures.total and found.pending.total and found.changes.total and found.reasons


def test_report_page_details_read_a_huge_cell_and_a_stray_byte(tmp_path: Path) -> None:
    """A key echoing a 200,000-character input cell (csv's default limit is 131,072) and a byte that is not UTF-8
    (a results.csv saved again by another program): the page still lists the row."""
    import csv

    huge = "x" * 200_000
    text = "\ufeffsheet,row,key,status,message\nusers,2,".encode() + huge.encode() + b",failed,bad \xff here\n"
    (tmp_path / "results.csv").write_bytes(text)
    found = details.read_details(tmp_path)
    assert [(r.key, r.status) for r in found.failures.rows] == [(huge, FAILED)]
    assert found.failures.rows[0].message == "bad \ufffd here"
    assert csv.field_size_limit() == 131_072  # the module's limit, put back
