"""The sync's marks in the reports: the ``changes`` column, ``updated`` rows, and removals listed after the
input rows (sheet users, no row, the email as key) in results.csv and results.xlsx."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import openpyxl

from batch.jobs import REMOVED, UPDATED, RowResult
from batch.report.writer import RESULT_COLUMNS, write_reports
from tests.report.test_report_xlsx import _results, _summary, _users_workbook


def test_changes_and_removals_reach_both_reports(tmp_path: Path) -> None:
    loaded = _users_workbook(tmp_path / "in.xlsx")
    results = _results(loaded)
    results[0] = dataclasses.replace(
        results[0], status=UPDATED, message="subscriber (updated package: a → b)", changes="package: a → b"
    )
    gone = RowResult("users", None, "gone@example.fi", REMOVED, "gone@example.fi removed", {"subscriber_id": "S9"})
    results.append(gone)
    paths = write_reports(tmp_path / "out", loaded, results, _summary(results))

    lines = list(csv.DictReader(paths.results_csv.read_text("utf-8-sig").splitlines()))
    assert list(lines[0]) == list(RESULT_COLUMNS)
    assert RESULT_COLUMNS.index("changes") == 7  # after message, reason, http_status
    assert (lines[0]["status"], lines[0]["changes"]) == (UPDATED, "package: a → b")
    assert (lines[-1]["sheet"], lines[-1]["row"], lines[-1]["key"], lines[-1]["status"]) == (
        "users",
        "",
        "gone@example.fi",
        REMOVED,
    )
    assert lines[-1]["subscriber_id"] == "S9"

    ws = openpyxl.load_workbook(paths.results_xlsx)["users"]
    header = [c.value for c in ws[1]]
    assert header[header.index("message") + 1 : header.index("message") + 4] == ["reason", "http_status", "changes"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values[0][header.index("changes")] == "package: a → b"
    last = dict(zip(header, values[-1], strict=True))
    assert (last["status"], last["message"]) == (REMOVED, "gone@example.fi removed")
