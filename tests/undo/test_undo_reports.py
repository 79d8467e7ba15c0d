"""Undo's reports in the run's form (issue 20: "Results in the same report form"), over real HTTP.

What each test guards: ``rtm-batch undo`` writes results.csv, results.xlsx (the run's colours and summary
sheet, a sheet per sheet with each line's key) and report.html into ``OUT/undo/`` and tells the history and
a ``--notify-url`` receiver as a run does (``…_writes_the_runs_reports_and_tells…``); an undo that cannot
start (exit 2) is notified too (``…_cannot_start…``); every cell of those files is neutralized against
formula injection, phone numbers excepted (``…_formula…``).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from batch.cli import main
from batch.history.store import History
from batch.jobs import SKIPPED, UNDONE, RowResult
from batch.reasons import Reason
from batch.report.lines.writer import write_line_reports
from batch.report.summary import build_summary
from tests.notify.receivers import receiver
from tests.run.test_run_sync import TOKEN
from tests.undo.test_undo import synced  # noqa: F401 (the fixture)


def undo_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("WEBEX_ACCESS_TOKEN", TOKEN)
    with pytest.raises(SystemExit) as ended:
        main(["undo", *args])
    return int(ended.value.code or 0)


def test_undo_writes_the_runs_reports_and_tells_the_history_and_receivers(
    synced: tuple[Path, dict[str, Any]],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, _ = synced
    history = tmp_path / "history.sqlite"
    with receiver() as hook:
        args = [str(out), "--notify-url", f"{hook.url}/hook", "--notify-on", "always", "--history", str(history)]
        assert undo_cli(args, monkeypatch) == 1  # the prune's removals are named (not reversible)
    folder = out / "undo"
    assert sorted(p.name for p in folder.iterdir()) == [
        "report.html",
        "results.csv",
        "results.xlsx",
        "summary.json",
    ]  # no retry/: what undo leaves is on the server, and the same command is the retry
    printed = capsys.readouterr().out
    assert f"{folder / 'results.xlsx'}" in printed and f"{folder / 'report.html'}" in printed
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    assert summary["command"] == "undo" and summary["exit_code"] == 1
    assert summary["customers"]["FI-SYNC-2"] == {UNDONE: 2}  # n3@ deleted, the customer restored

    lines = list(csv.DictReader((folder / "results.csv").read_text("utf-8-sig").splitlines()))
    book = openpyxl.load_workbook(folder / "results.xlsx")
    assert book.sheetnames == ["summary", "customers", "locations", "users"]
    rows = list(book["users"].iter_rows(values_only=True))
    header = list(rows[0])
    shown = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["key"], r["status"]) for r in shown] == [
        (line["key"], line["status"]) for line in lines if line["sheet"] == "users"
    ]
    assert header[:4] == ["key", "status", "message", "reason"]
    gone = next(r for r in shown if r["key"] == "gone1@synkka.fi")
    assert (gone["status"], gone["reason"]) == (SKIPPED, Reason.UNDO_NOT_REVERSIBLE)
    fills = {row[1].value: row[1].fill.fgColor.rgb for row in book["users"].iter_rows(min_row=2)}
    assert fills[UNDONE].endswith("E4DFEC")  # undone has its own colour, not the failed one a bare row gets

    page = (folder / "report.html").read_text("utf-8")
    assert "lines left and named (results.csv says why each)" in page and Reason.UNDO_NOT_REVERSIBLE in page

    (told,) = hook.at("/hook")
    assert json.loads(told.body) == summary
    (recorded,) = History(history).runs()
    assert (recorded.command, recorded.exit_code, recorded.run_id) == ("undo", 1, summary["run_id"])
    assert recorded.totals == {UNDONE: summary["totals"][UNDONE], SKIPPED: summary["totals"][SKIPPED]}


def test_an_undo_that_cannot_start_is_notified_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with receiver() as hook:
        args = [str(tmp_path), "--notify-url", f"{hook.url}/hook", "--history", str(tmp_path / "h.sqlite")]
        assert undo_cli(args, monkeypatch) == 2
    (told,) = hook.at("/hook")
    body = json.loads(told.body)
    assert (body["command"], body["exit_code"]) == ("undo", 2) and "no journal" in body["error"]


def test_every_cell_undo_writes_is_neutralized_against_formula_injection(tmp_path: Path) -> None:
    evil = RowResult("locations", None, '=HYPERLINK("http://x")', SKIPPED, "@SUM(A1)", reason=Reason.UNDO_CHANGED_SINCE)
    phone = RowResult("locations", None, "FI-1/oulu", UNDONE, "+358 40 123 4567", ids={"location_id": "-1+1"})
    summary = build_summary([evil, phone], api={}, wall_seconds=1.0, started=datetime.now(UTC), command="undo")
    paths = write_line_reports(tmp_path, [evil, phone], summary)
    lines = list(csv.DictReader(paths.results_csv.read_text("utf-8-sig").splitlines()))
    assert [(x["key"], x["message"], x["location_id"]) for x in lines] == [
        ('\'=HYPERLINK("http://x")', "'@SUM(A1)", ""),
        ("FI-1/oulu", "+358 40 123 4567", "'-1+1"),
    ]
    rows = list(openpyxl.load_workbook(paths.results_xlsx)["locations"].iter_rows(values_only=True))
    header = list(rows[0])
    cells = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(c["key"], c["message"], c["location_id"]) for c in cells] == [
        ('\'=HYPERLINK("http://x")', "'@SUM(A1)", None),
        ("FI-1/oulu", "+358 40 123 4567", "'-1+1"),
    ]
